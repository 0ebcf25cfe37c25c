/*
 * probeset.c: the probes of "update", see probeset.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "aia.h"
#include "buf.h"
#include "bundle.h"
#include "log.h"
#include "pem.h"
#include "probe.h"
#include "probeset.h"
#include "state.h"

struct pool {
	const struct config	*c;
	struct probeset		*ps;
	size_t			 next;
	pthread_mutex_t		 mu;
};

static void *
worker(void *arg)
{
	struct pool *pl = arg;

	for (;;) {
		struct probe_outcome *o;
		struct probe_target t;
		struct probe_opts po;
		struct probe_result r;
		size_t i;

		pthread_mutex_lock(&pl->mu);
		i = pl->next++;
		pthread_mutex_unlock(&pl->mu);
		if (i >= pl->ps->n)
			return NULL;
		o = &pl->ps->v[i];
		if (probe_parse_url(o->cfg->url, &t, o->err,
		    sizeof(o->err)) == -1)
			continue;
		memset(&po, 0, sizeof(po));
		po.servername = o->cfg->servername;
		po.ehlo = o->cfg->ehlo;
		po.timeout = o->cfg->timeout;
		if (probe_run(&t, &po, &r, o->err, sizeof(o->err)) == -1)
			continue;
		o->connected = 1;
		o->chain = r.chain;
	}
}

X509_STORE *
probeset_store(const struct certset *set)
{
	X509_STORE *st = X509_STORE_new();
	size_t i;

	if (st == NULL) {
		log_err("out of memory");
		return NULL;
	}
	for (i = 0; i < set->n; i++)
		if (!X509_STORE_add_cert(st, set->v[i]->x509)) {
			log_ssl("out of memory");
			X509_STORE_free(st);
			return NULL;
		}
	return st;
}

static int
in_stack(STACK_OF(X509) *s, X509 *x)
{
	int i;

	for (i = 0; s != NULL && i < sk_X509_num(s); i++)
		if (X509_cmp(sk_X509_value(s, i), x) == 0)
			return 1;
	return 0;
}

/* Admit x into set with the source text src. */
static int
admit(struct certset *set, X509 *x, const char *src)
{
	struct cert *c;

	if (!X509_up_ref(x))
		return -1;
	if ((c = cert_from_x509(x)) == NULL) {
		X509_free(x);
		return -1;
	}
	c->role = ROLE_INTERMEDIATE;
	if (cert_add_source(c, src) == -1) {
		cert_free(c);
		return -1;
	}
	return certset_add(set, c) == -1 ? -1 : 0;
}

/* The URL the i-th admitted AIA certificate came from. */
static const char *
found_url(const struct aia_result *ar, X509 *x)
{
	int i, k = 0;
	size_t s;

	for (i = 0; i < sk_X509_num(ar->found); i++)
		if (X509_cmp(sk_X509_value(ar->found, i), x) == 0)
			break;
	if (i == sk_X509_num(ar->found))
		return NULL;
	for (s = 0; s < ar->nsteps; s++)
		if (ar->steps[s].ok && k++ == i)
			return ar->steps[s].url;
	return "?";
}

/* What a certificate's record says of where it came from, or NULL. */
static const char *
recorded(const struct cert *c)
{
	size_t j;

	for (j = 1; j < c->nsources; j++)
		if (strncmp(c->sources[j], "recorded: ", 10) == 0)
			return c->sources[j] + 10;
	return NULL;
}

/* The intermediates remembered for probe o (a new set, maybe empty). */
static struct certset *
load_prev(const struct probe_outcome *o, const char *state)
{
	struct certset *prev = certset_new();
	char path[4096], *buf = NULL;
	int saved = log_verbosity;

	snprintf(path, sizeof(path), "probes/%s.pem", o->cfg->name);
	if (prev != NULL && state_read(state, path, &buf) == 1) {
		log_verbosity = LOG_QUIET;	/* a damaged record is no record */
		if (pem_parse(path, buf, strlen(buf), prev) == -1) {
			certset_free(prev);
			prev = certset_new();
		}
		log_verbosity = saved;
	}
	free(buf);
	return prev;
}

/*
 * A chain that verified: its intermediates (not the leaf, not the anchor).
 * One seen before keeps the origin recorded then (and its date), so the
 * bundle does not change with the calendar.
 */
static int
admit_chain(struct probe_outcome *o, STACK_OF(X509) *vchain,
    const struct aia_result *ar, const struct certset *prev, const char *day)
{
	char src[1200];
	int i;

	for (i = 1; i < sk_X509_num(vchain) - 1; i++) {
		X509 *x = sk_X509_value(vchain, i);
		const char *url = ar ? found_url(ar, x) : NULL, *rec = NULL;
		unsigned char d[32];
		unsigned dl;
		struct cert *pc;

		if (X509_digest(x, EVP_sha256(), d, &dl) &&
		    (pc = certset_find(prev, d)) != NULL)
			rec = recorded(pc);
		if ((url != NULL || in_stack(o->chain, x)) && rec != NULL)
			snprintf(src, sizeof(src), "%s", rec);
		else if (url != NULL)
			snprintf(src, sizeof(src), "probe %s (%s): caIssuers "
			    "%s, %s", o->cfg->name, o->cfg->url, url, day);
		else if (in_stack(o->chain, x))
			snprintf(src, sizeof(src), "probe %s (%s): sent by the "
			    "server, %s", o->cfg->name, o->cfg->url, day);
		else
			continue;	/* already in the store */
		if (admit(o->admitted, x, src) == -1)
			return -1;
	}
	return 0;
}

/* A probe that failed: what it admitted before, if it still chains. */
static int
remembered(struct probe_outcome *o, const struct certset *prev,
    X509_STORE *store)
{
	STACK_OF(X509) *pool;
	size_t i;
	int kept = 0;

	o->remembered = 1;
	if ((pool = sk_X509_new_null()) == NULL)
		return -1;
	for (i = 0; i < prev->n; i++)
		sk_X509_push(pool, prev->v[i]->x509);
	for (i = 0; i < prev->n; i++) {
		struct cert *c = prev->v[i];
		const char *rec = recorded(c);
		X509 *cur = NULL;
		int err;

		if (aia_verify(store, c->x509, pool, &err, &cur, NULL) != 1) {
			X509_free(cur);
			continue;
		}
		if (admit(o->admitted, c->x509, rec ? rec : c->sources[0]) ==
		    -1) {
			sk_X509_free(pool);
			return -1;
		}
		kept++;
	}
	sk_X509_free(pool);
	return kept;
}

int
probeset_run(const struct config *c, X509_STORE *store, time_t now,
    struct probeset *ps)
{
	struct pool pl;
	pthread_t th[256];
	struct aia *aia[2] = { NULL, NULL };
	struct aia_opts ao;
	struct certset *prev = NULL;
	struct tm tm;
	char day[16];
	size_t i, nth;
	int rc = -1;

	memset(ps, 0, sizeof(*ps));
	if (c->nprobe == 0)
		return 0;
	if ((ps->v = calloc(c->nprobe, sizeof(*ps->v))) == NULL) {
		log_err("out of memory");
		return -1;
	}
	ps->n = c->nprobe;
	for (i = 0; i < ps->n; i++) {
		ps->v[i].cfg = &c->probe[i];
		if ((ps->v[i].admitted = certset_new()) == NULL) {
			log_err("out of memory");
			return -1;
		}
	}
	gmtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);

	/* connect and handshake, concurrently */
	memset(&pl, 0, sizeof(pl));
	pl.c = c;
	pl.ps = ps;
	pthread_mutex_init(&pl.mu, NULL);
	nth = c->probe_parallel < ps->n ? c->probe_parallel : ps->n;
	if (nth > sizeof(th) / sizeof(th[0]))
		nth = sizeof(th) / sizeof(th[0]);
	for (i = 0; i < nth; i++)
		if (pthread_create(&th[i], NULL, worker, &pl) != 0)
			break;
	if (i == 0)
		worker(&pl);	/* no thread at all: do it here */
	nth = i;
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&pl.mu);

	/* verify, chase and admit, one by one (AIA answers are shared) */
	memset(&ao, 0, sizeof(ao));
	ao.state = c->state;
	for (i = 0; i < ps->n; i++) {
		struct probe_outcome *o = &ps->v[i];
		struct aia_result ar;
		STACK_OF(X509) *vchain = NULL;
		X509 *cur = NULL;
		size_t s;
		int err = 0, k, https = o->cfg->https_aia;

		memset(&ar, 0, sizeof(ar));
		certset_free(prev);
		if ((prev = load_prev(o, c->state)) == NULL) {
			log_err("out of memory");
			goto out;
		}
		if (!o->connected || sk_X509_num(o->chain) == 0) {
			if (o->connected)
				snprintf(o->err, sizeof(o->err), "the server "
				    "sent no certificate");
			k = remembered(o, prev, store);
			log_notice("[probe %s]: %s: %s; %s", o->cfg->name,
			    o->cfg->url, o->err, k > 0 ? "keeping the "
			    "intermediates it found before" : "nothing is "
			    "kept from before");
			if (k == -1)
				goto out;
			continue;
		}
		if (o->cfg->chase) {
			if (aia[https] == NULL) {
				ao.allow_https = https;
				if ((aia[https] = aia_new(&ao)) == NULL) {
					log_err("out of memory");
					goto out;
				}
			}
			if (aia_chase(aia[https], store, o->chain, &ar) == -1) {
				log_err("out of memory");
				goto out;
			}
			for (s = 0; s < ar.nsteps; s++) {
				if (ar.steps[s].ok)
					log_info("[probe %s]: %s: %s",
					    o->cfg->name, ar.steps[s].url,
					    ar.steps[s].what);
				else
					log_warn("[probe %s]: %s%s%s",
					    o->cfg->name, ar.steps[s].url,
					    ar.steps[s].url[0] ? ": " : "",
					    ar.steps[s].what);
			}
			o->verified = ar.verified;
			vchain = ar.chain;
			err = X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
		} else if ((k = aia_verify(store, sk_X509_value(o->chain, 0),
		    o->chain, &err, &cur, &vchain)) == -1) {
			log_err("out of memory");
			goto out;
		} else
			o->verified = k;
		if (o->verified) {
			if (admit_chain(o, vchain, o->cfg->chase ? &ar : NULL,
			    prev, day) == -1) {
				log_err("out of memory");
				aia_result_release(&ar);
				goto out;
			}
			log_info("[probe %s]: %s verifies; %zu intermediate%s "
			    "admitted", o->cfg->name, o->cfg->url,
			    o->admitted->n, o->admitted->n == 1 ? "" : "s");
		} else
			log_notice("[probe %s]: %s does not verify against the "
			    "store being built (%s); nothing is admitted for "
			    "it ('trustbuild probe --chase %s' says why)",
			    o->cfg->name, o->cfg->url, o->cfg->chase ?
			    "not even with what AIA gave" :
			    X509_verify_cert_error_string(err), o->cfg->url);
		if (!o->cfg->chase)
			sk_X509_pop_free(vchain, X509_free);
		X509_free(cur);
		aia_result_release(&ar);
	}
	rc = 0;
out:
	certset_free(prev);
	aia_free(aia[0]);
	aia_free(aia[1]);
	return rc;
}

int
probeset_add(const struct probeset *ps, struct certset *set)
{
	size_t i, j;

	for (i = 0; i < ps->n; i++)
		for (j = 0; j < ps->v[i].admitted->n; j++) {
			struct cert *c = ps->v[i].admitted->v[j];

			if (admit(set, c->x509, c->sources[0]) == -1) {
				log_err("out of memory");
				return -1;
			}
		}
	return 0;
}

int
probeset_save(const struct probeset *ps, const char *state)
{
	char path[4096];
	size_t i;

	snprintf(path, sizeof(path), "%s/probes", state);
	if (mkdir(path, 0755) == -1 && errno != EEXIST) {
		log_err("'%s': %s", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < ps->n; i++) {
		const struct probe_outcome *o = &ps->v[i];
		struct buf b;
		int r;

		if (!o->connected || o->remembered)
			continue;
		memset(&b, 0, sizeof(b));
		certset_sort(o->admitted);
		if (bundle_render(o->admitted, &b) == -1) {
			log_err("out of memory");
			free(b.p);
			return -1;
		}
		snprintf(path, sizeof(path), "probes/%s.pem", o->cfg->name);
		r = state_write(state, path, b.p ? b.p : "", b.len);
		free(b.p);
		if (r == -1)
			return -1;
	}
	return 0;
}

int
probeset_regressions(const struct probeset *ps, X509_STORE *old,
    X509_STORE *new)
{
	size_t i;
	int n = 0;

	for (i = 0; i < ps->n; i++) {
		const struct probe_outcome *o = &ps->v[i];
		X509 *leaf, *cur = NULL;
		int e1 = 0, e2 = 0, was, now;

		if (!o->connected || sk_X509_num(o->chain) == 0)
			continue;
		leaf = sk_X509_value(o->chain, 0);
		was = aia_verify(old, leaf, o->chain, &e1, &cur, NULL);
		X509_free(cur);
		cur = NULL;
		now = aia_verify(new, leaf, o->chain, &e2, &cur, NULL);
		X509_free(cur);
		if (was == 1 && now != 1) {
			log_err("[probe %s]: %s verifies against the published "
			    "store but would not against the new one (%s)",
			    o->cfg->name, o->cfg->url,
			    X509_verify_cert_error_string(e2));
			n++;
		}
	}
	return n;
}

void
probeset_release(struct probeset *ps)
{
	size_t i;

	if (ps == NULL)
		return;
	for (i = 0; i < ps->n; i++) {
		sk_X509_pop_free(ps->v[i].chain, X509_free);
		certset_free(ps->v[i].admitted);
	}
	free(ps->v);
	memset(ps, 0, sizeof(*ps));
}
