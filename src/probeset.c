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
#include "diag.h"
#include "probe.h"
#include "probeset.h"
#include "text.h"
#include "verify.h"
#include "xalloc.h"

struct pool {
	const struct config	*c;
	struct probeset		*ps;
	X509_STORE		*store;
	struct aia		*aia[4];	/* by aia_kind(), shared */
	struct aia_result	*ar;		/* each probe's chase */
	int			*chased;	/* 1, or -1: out of memory */
	size_t			 next;
	pthread_mutex_t		 mu;
};

/* Which struct aia a probe's chase uses: its https and private options. */
static int
aia_kind(const struct config_probe *p)
{
	return (p->https_aia ? 1 : 0) | (p->aia_private ? 2 : 0);
}

static void *
worker(void *arg)
{
	struct pool *pl = arg;

	for (;;) {
		struct probe_outcome *o;
		struct probe_target t;
		struct probe_opts po;
		struct probe_result r;
		struct diags d = DIAGS_INIT;
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
		if (probe_run(&t, &po, &r, &d) == -1) {
			snprintf(o->err, sizeof(o->err), "%s",
			    diags_first_err(&d));
			diags_clear(&d);
			continue;
		}
		o->connected = 1;
		o->chain = r.chain;
		/* chased here, so that the chases of the probes run at once */
		if (o->cfg->chase && sk_X509_num(o->chain) > 0)
			pl->chased[i] = aia_chase(pl->aia[aia_kind(o->cfg)],
			    pl->store, o->chain, &pl->ar[i]) == -1 ? -1 : 1;
	}
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

/*
 * Offer c to the gate for probe o (c is taken over), last seen in its
 * chain at seen.
 */
static int
offer(struct probe_outcome *o, struct cert *c, const char *src, time_t seen)
{
	unsigned char (*v)[32];
	time_t *t;

	c->role = ROLE_INTERMEDIATE;
	if (cert_add_source(c, src) == -1 ||
	    (v = reallocarray(o->want, o->nwant + 1, sizeof(*v))) == NULL) {
		cert_free(c);
		return -1;
	}
	o->want = v;
	if ((t = reallocarray(o->seen, o->nwant + 1, sizeof(*t))) == NULL) {
		cert_free(c);
		return -1;
	}
	o->seen = t;
	t[o->nwant] = seen;
	memcpy(v[o->nwant++], c->sha256, 32);
	return certset_add(o->cands, c) == -1 ? -1 : 0;
}

static int
offer_x509(struct probe_outcome *o, X509 *x, const char *src, time_t now)
{
	struct cert *c;

	if (!X509_up_ref(x))
		return -1;
	if ((c = cert_from_x509(x)) == NULL) {
		X509_free(x);
		return -1;
	}
	return offer(o, c, src, now);
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

/*
 * A chain that verified: its intermediates (not the leaf, not the anchor)
 * that the store lacks, sent by the server or fetched, are candidates.
 * One this probe brought before keeps the origin the manifest recorded,
 * so the bundle does not change when only the server's port did.
 */
static int
offer_chain(struct probe_outcome *o, STACK_OF(X509) *vchain,
    const struct aia_result *ar, const struct manifest *prev, time_t now)
{
	const struct manifest_cert *mc;
	unsigned char d[32];
	unsigned dl;
	char src[1200], mine[300];
	int i;

	snprintf(mine, sizeof(mine), "probe %s (", o->cfg->name);
	for (i = 1; i < sk_X509_num(vchain) - 1; i++) {
		X509 *x = sk_X509_value(vchain, i);
		const char *url = ar ? found_url(ar, x) : NULL;

		if ((url != NULL || in_stack(o->chain, x)) &&
		    X509_digest(x, EVP_sha256(), d, &dl) &&
		    (mc = manifest_find(prev, d)) != NULL &&
		    strncmp(mc->origin, mine, strlen(mine)) == 0)
			snprintf(src, sizeof(src), "%s", mc->origin);
		else if (url != NULL)
			snprintf(src, sizeof(src), "probe %s (%s): caIssuers "
			    "%s", o->cfg->name, o->cfg->url, url);
		else if (in_stack(o->chain, x))
			snprintf(src, sizeof(src), "probe %s (%s): sent by the "
			    "server", o->cfg->name, o->cfg->url);
		else
			continue;	/* already in the store */
		if (offer_x509(o, x, src, now) == -1)
			return -1;
	}
	return 0;
}

static int
wanted(const struct probe_outcome *o, const unsigned char sha256[32])
{
	size_t i;

	for (i = 0; i < o->nwant; i++)
		if (memcmp(o->want[i], sha256, 32) == 0)
			return 1;
	return 0;
}

/*
 * What the manifest says probe o needed before and its chain of this run
 * does not hold (it failed, or a load balancer's other server sent another
 * chain): each offered again while it was last seen less than probe-keep
 * days ago (a line without a last-seen time counts as seen now), with the
 * origin recorded when it was first admitted.  The gate decides, as for
 * any other candidate.  Returns how many, or -1 out of memory.
 */
static int
offer_kept(struct probe_outcome *o, const struct manifest *prev, time_t now,
    struct diags *d)
{
	const struct manifest_cert *mc;
	char src[1200], when[64], *name;
	size_t i;
	int n = 0;

	if (prev == NULL)
		return 0;
	if ((name = text_esc_dup(o->cfg->name)) == NULL)
		return -1;
	for (i = 0; i < prev->nprobe; i++) {
		const struct manifest_probe *mp = &prev->probe[i];
		time_t seen = mp->last_seen ? mp->last_seen : now;
		struct cert *c;

		if (strcmp(mp->name, name) != 0 || wanted(o, mp->sha256))
			continue;
		if ((c = cert_from_der(mp->der, mp->len)) == NULL) {
			free(name);
			return -1;
		}
		cert_time_t_str(seen, when, sizeof(when));
		if (now - seen >= (time_t)o->cfg->keep * 86400) {
			diag_info(d, NULL, 0, "[probe %s]: \"%s\", last in its "
			    "chain on %s, is no longer kept (probe-keep = %u)",
			    o->cfg->name, cert_subject(c), when, o->cfg->keep);
			cert_free(c);
			continue;
		}
		if (!o->remembered)
			diag_info(d, NULL, 0, "[probe %s]: keeping \"%s\", last "
			    "in its chain on %s (probe-keep = %u)", o->cfg->name,
			    cert_subject(c), when, o->cfg->keep);
		mc = manifest_find(prev, mp->sha256);
		snprintf(src, sizeof(src), "%s", mc ? mc->origin :
		    "remembered from an earlier run");
		if (offer(o, c, src, seen) == -1) {
			free(name);
			return -1;
		}
		n++;
	}
	free(name);
	return n;
}

/*
 * Why a chase did not complete the chain, in one line (the failed steps,
 * "; " between them, with the key that allows a refused address): the
 * probe's own failure line carries it, so that -q keeps the reason.
 */
static void
chase_failure(const struct probe_outcome *o, const struct aia_result *ar,
    char *buf, size_t size)
{
	size_t s, len = 0;
	int refused = 0;

	buf[0] = '\0';
	for (s = 0; s < ar->nsteps && len + 4 < size; s++) {
		const struct aia_step *st = &ar->steps[s];

		if (st->ok)
			continue;
		refused |= st->refused;
		if (st->url[0] != '\0')
			len += (size_t)snprintf(buf + len, size - len, "%s'%s': "
			    "%s", len ? "; " : "", st->url, st->what);
		else
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
			    len ? "; " : "", st->what);
	}
	if (refused && len + 4 < size)
		len += (size_t)snprintf(buf + len, size - len, "; set "
		    "aia-private = yes in [probe %s] for an internal PKI",
		    o->cfg->name);
	if (len == 0)
		snprintf(buf, size, "not even with what AIA gave");
}

/*
 * The chase's steps, as warnings (info for what was admitted); a chase
 * that failed says its failed steps in the probe's line instead (only).
 */
static void
report_steps(const struct probe_outcome *o, const struct aia_result *ar,
    struct diags *d)
{
	size_t s;

	for (s = 0; s < ar->nsteps; s++) {
		if (!ar->verified && !ar->steps[s].ok)
			continue;
		if (ar->steps[s].ok)
			diag_info(d, NULL, 0, "[probe %s]: %s: %s",
			    o->cfg->name, ar->steps[s].url, ar->steps[s].what);
		else if (ar->steps[s].refused)
			diag_warn(d, NULL, 0, "[probe %s]: '%s': %s; set "
			    "aia-private = yes in [probe %s] for an internal "
			    "PKI", o->cfg->name, ar->steps[s].url,
			    ar->steps[s].what, o->cfg->name);
		else if (ar->steps[s].url[0] != '\0')
			diag_warn(d, NULL, 0, "[probe %s]: '%s': %s",
			    o->cfg->name, ar->steps[s].url, ar->steps[s].what);
		else
			diag_warn(d, NULL, 0, "[probe %s]: %s", o->cfg->name,
			    ar->steps[s].what);
	}
}

/*
 * The certificates of o's verified chain (leaf first, anchor last) that
 * expire within days of now: each a notice naming both, kept in o.
 */
static void
expiry_check(struct probe_outcome *o, STACK_OF(X509) *vchain, unsigned days,
    time_t now, struct diags *d)
{
	time_t limit = now + (time_t)days * 86400;
	struct probe_expiry *e;
	struct tm tm;
	char when[64];
	int i, n = sk_X509_num(vchain);

	for (i = 0; i < n; i++) {
		X509 *x = sk_X509_value(vchain, i);

		if (X509_cmp_time(X509_get0_notAfter(x), &limit) >= 0 ||
		    !ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm))
			continue;
		o->expiring = xreallocarray(o->expiring, o->nexpiring + 1,
		    sizeof(*o->expiring));
		e = &o->expiring[o->nexpiring++];
		e->role = i == 0 ? "leaf" : i == n - 1 ? "root" :
		    "intermediate";
		cert_name_str(X509_get_subject_name(x), e->subject,
		    sizeof(e->subject));
		e->not_after = timegm(&tm);
		diag_notice(d, NULL, 0, "[probe %s]: %s depends on the %s \"%s\", "
		    "which expires on %s, in %lld day%s (warn-days = %u)",
		    o->cfg->name, o->cfg->url, e->role, e->subject,
		    cert_time_t_str(e->not_after, when, sizeof(when)),
		    (long long)((e->not_after - now + 86399) / 86400),
		    (e->not_after - now + 86399) / 86400 == 1 ? "" : "s", days);
	}
}

/*
 * One probe after the workers: verify (or take the chase's verdict) and
 * offer what its chain needs; a probe that failed offers what it needed
 * before.  -1 out of memory, after a message.
 */
static int
judge(struct probe_outcome *o, struct aia_result *ar, int chased,
    X509_STORE *store, const struct manifest *prev, unsigned warn_days,
    time_t now, struct diags *d)
{
	STACK_OF(X509) *vchain = NULL;
	X509 *cur = NULL;
	char why[2048];
	int err = 0, k, rc = -1;

	if (!o->connected || sk_X509_num(o->chain) == 0) {
		if (o->connected)
			snprintf(o->err, sizeof(o->err), "the server sent no "
			    "certificate");
		o->remembered = 1;
		k = offer_kept(o, prev, now, d);
		diag_notice(d, NULL, 0, "[probe %s]: %s: %s; %s", o->cfg->name,
		    o->cfg->url, o->err, k > 0 ? "keeping the intermediates "
		    "it found before" : "nothing is kept from before");
		if (k == -1)
			diag_err(d, NULL, 0, "out of memory");
		return k == -1 ? -1 : 0;
	}
	if (o->cfg->chase) {
		if (chased != 1)
			goto out;
		report_steps(o, ar, d);
		o->verified = ar->verified;
		vchain = ar->chain;
		err = X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
	} else if ((k = verify_chain(store, sk_X509_value(o->chain, 0),
	    o->chain, &err, &cur, &vchain)) == -1)
		goto out;
	else
		o->verified = k;
	if (o->verified) {
		if (offer_chain(o, vchain, o->cfg->chase ? ar : NULL, prev,
		    now) == -1 || offer_kept(o, prev, now, d) == -1)
			goto out;
		diag_info(d, NULL, 0, "[probe %s]: %s verifies; %zu "
		    "intermediate%s for the gate", o->cfg->name, o->cfg->url,
		    o->cands->n, o->cands->n == 1 ? "" : "s");
		expiry_check(o, vchain, warn_days, now, d);
	} else {
		if (o->cfg->chase)
			chase_failure(o, ar, why, sizeof(why));
		else
			snprintf(why, sizeof(why), "%s",
			    X509_verify_cert_error_string(err));
		diag_notice(d, NULL, 0, "[probe %s]: %s does not verify against "
		    "the store being built: %s; nothing is admitted for it "
		    "('trustbuild probe --chase %s' shows the chain)",
		    o->cfg->name, o->cfg->url, why, o->cfg->url);
	}
	rc = 0;
out:
	if (rc == -1)
		diag_err(d, NULL, 0, "out of memory");
	if (!o->cfg->chase)
		sk_X509_pop_free(vchain, X509_free);
	X509_free(cur);
	return rc;
}

/* Connect, handshake and chase, at most probe_parallel at once. */
static void
run_workers(struct pool *pl, size_t parallel)
{
	pthread_t th[256];
	size_t i, nth;

	pthread_mutex_init(&pl->mu, NULL);
	nth = parallel < pl->ps->n ? parallel : pl->ps->n;
	if (nth > sizeof(th) / sizeof(th[0]))
		nth = sizeof(th) / sizeof(th[0]);
	for (i = 0; i < nth; i++)
		if (pthread_create(&th[i], NULL, worker, pl) != 0)
			break;
	if (i == 0)
		worker(pl);	/* no thread at all: do it here */
	nth = i;
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&pl->mu);
}

int
probeset_run(const struct config *c, X509_STORE *store,
    const struct manifest *prev, time_t now, struct probeset *ps,
    struct diags *d)
{
	struct pool pl;
	struct aia_opts ao;
	size_t i;
	int rc = -1;

	memset(ps, 0, sizeof(*ps));
	if (c->nprobe == 0)
		return 0;
	ps->v = xcalloc(c->nprobe, sizeof(*ps->v));
	ps->n = c->nprobe;
	for (i = 0; i < ps->n; i++) {
		ps->v[i].cfg = &c->probe[i];
		if ((ps->v[i].cands = certset_new()) == NULL) {
			diag_err(d, NULL, 0, "out of memory");
			return -1;
		}
	}

	/* connect, handshake and chase, concurrently (AIA answers shared) */
	memset(&pl, 0, sizeof(pl));
	pl.c = c;
	pl.ps = ps;
	pl.store = store;
	memset(&ao, 0, sizeof(ao));
	ao.state = c->state;
	pl.ar = xcalloc(ps->n, sizeof(*pl.ar));
	pl.chased = xcalloc(ps->n, sizeof(*pl.chased));
	for (i = 0; i < ps->n; i++) {
		int k = aia_kind(ps->v[i].cfg);

		if (!ps->v[i].cfg->chase || pl.aia[k] != NULL)
			continue;
		ao.allow_https = ps->v[i].cfg->https_aia;
		ao.allow_private = ps->v[i].cfg->aia_private;
		if ((pl.aia[k] = aia_new(&ao)) == NULL) {
			diag_err(d, NULL, 0, "out of memory");
			goto out;
		}
	}
	run_workers(&pl, c->probe_parallel);

	/* verify and offer, one by one */
	for (i = 0; i < ps->n; i++) {
		if (judge(&ps->v[i], &pl.ar[i], pl.chased[i], store, prev,
		    c->warn_days, now, d) == -1)
			goto out;
		aia_result_release(&pl.ar[i]);
	}
	rc = 0;
out:
	for (i = 0; pl.ar != NULL && i < ps->n; i++)
		aia_result_release(&pl.ar[i]);
	free(pl.ar);
	free(pl.chased);
	for (i = 0; i < 4; i++)
		aia_free(pl.aia[i]);
	return rc;
}

int
probeset_candidates(const struct probeset *ps, struct certset ***sets,
    size_t *n)
{
	size_t i;

	*n = 0;
	if ((*sets = calloc(ps->n + 1, sizeof(**sets))) == NULL)
		return -1;
	for (i = 0; i < ps->n; i++)
		(*sets)[(*n)++] = ps->v[i].cands;
	return 0;
}

/*
 * The gate refused an intermediate probe o needs: one line with why when
 * it is plain (expired, the usual one when a server is down and what it
 * needed before has run out), else where -v says it.
 */
static void
refused(const struct probe_outcome *o, const unsigned char sha256[32],
    time_t now, struct diags *d)
{
	struct cert *c = certset_find(o->cands, sha256);
	char hex[65], why[512], when[64];

	cert_hex(sha256, 32, hex, 0);
	if (c != NULL && cert_is_expired(c, now))
		snprintf(why, sizeof(why), ": \"%s\" expired on %s",
		    cert_subject(c), cert_not_after_str(c,
		    when, sizeof(when)) ? when : "?");
	else
		snprintf(why, sizeof(why), " ('trustbuild -v update' says why)");
	diag_notice(d, NULL, 0, "[probe %s]: %s: the intermediate %s %s is "
	    "refused by the policy%s; the server does not verify without it",
	    o->cfg->name, o->cfg->url, hex, o->remembered ?
	    "remembered from an earlier run" : "its chain needs", why);
}

int
probeset_remember(const struct probeset *ps, const struct certset *set,
    time_t now, struct manifest *m, struct diags *d)
{
	size_t i, j;

	for (i = 0; i < ps->n; i++) {
		const struct probe_outcome *o = &ps->v[i];

		for (j = 0; j < o->nwant; j++) {
			const struct cert *c = certset_find(set, o->want[j]);

			if (c == NULL) {
				refused(o, o->want[j], now, d);
				continue;
			}
			if (manifest_add_probe(m, o->cfg->name, c,
			    o->seen[j]) == -1)
				return -1;
		}
	}
	return 0;
}

int
probeset_regressions(const struct probeset *ps, X509_STORE *old,
    X509_STORE *new, struct diags *d)
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
		was = verify_chain(old, leaf, o->chain, &e1, &cur, NULL);
		X509_free(cur);
		cur = NULL;
		now = verify_chain(new, leaf, o->chain, &e2, &cur, NULL);
		X509_free(cur);
		if (was == 1 && now != 1) {
			diag_err(d, NULL, 0, "[probe %s]: %s verifies against "
			    "the published store but would not against the new "
			    "one (%s)",
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
		certset_free(ps->v[i].cands);
		free(ps->v[i].want);
		free(ps->v[i].seen);
		free(ps->v[i].expiring);
	}
	free(ps->v);
	memset(ps, 0, sizeof(*ps));
}
