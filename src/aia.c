/*
 * aia.c: chase caIssuers URLs, see aia.h.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>

#include "aia.h"
#include "cache.h"
#include "cert.h"
#include "diag.h"
#include "fetch.h"
#include "format.h"
#include "state.h"
#include "verify.h"

/*
 * One URL's answer, fetched once per run.  Until done, one thread fetches
 * it and the others wait on the aia's cond; once done, it is read-only.
 */
struct memo {
	char		 url[AIA_MAX_URL];
	STACK_OF(X509)	*certs;		/* NULL: failed, see err */
	char		 err[512];
	int		 refused;	/* by the address policy */
	int		 done;
};

struct aia {
	struct aia_opts	 o;
	pthread_mutex_t	 mu;		/* guards m, n and each memo's done */
	pthread_cond_t	 cond;		/* a memo is done */
	struct memo	**m;		/* pointers: a memo never moves */
	size_t		 n;
};

/*
 * The state's cache (cache.h), one access at a time for every struct aia:
 * the temporary files of its writes are registered in publish.c, whose
 * registry is not for threads.
 */
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;

struct aia *
aia_new(const struct aia_opts *o)
{
	struct aia *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->o = *o;
	if (pthread_mutex_init(&a->mu, NULL) != 0) {
		free(a);
		return NULL;
	}
	if (pthread_cond_init(&a->cond, NULL) != 0) {
		pthread_mutex_destroy(&a->mu);
		free(a);
		return NULL;
	}
	return a;
}

void
aia_free(struct aia *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n; i++) {
		sk_X509_pop_free(a->m[i]->certs, X509_free);
		free(a->m[i]);
	}
	free(a->m);
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->mu);
	free(a);
}

void
aia_result_release(struct aia_result *res)
{
	if (res == NULL)
		return;
	sk_X509_pop_free(res->found, X509_free);
	sk_X509_pop_free(res->chain, X509_free);
	free(res->steps);
	memset(res, 0, sizeof(*res));
}

int
aia_urls(X509 *x, char (*out)[AIA_MAX_URL], int max)
{
	AUTHORITY_INFO_ACCESS *info;
	int i, n = 0;

	if ((info = X509_get_ext_d2i(x, NID_info_access, NULL, NULL)) == NULL)
		return 0;
	for (i = 0; i < sk_ACCESS_DESCRIPTION_num(info) && n < max; i++) {
		ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(info, i);
		const unsigned char *p;
		int len, j, ok = 1;

		if (OBJ_obj2nid(ad->method) != NID_ad_ca_issuers ||
		    ad->location->type != GEN_URI)
			continue;
		p = ASN1_STRING_get0_data(ad->location->d.uniformResourceIdentifier);
		len = ASN1_STRING_length(ad->location->d.uniformResourceIdentifier);
		if (len <= 0 || len >= AIA_MAX_URL)
			continue;
		for (j = 0; j < len; j++)
			if (p[j] <= 0x20 || p[j] >= 0x7f)
				ok = 0;	/* a URL is printable ASCII */
		if (!ok)
			continue;
		memcpy(out[n], p, (size_t)len);
		out[n][len] = '\0';
		n++;
	}
	AUTHORITY_INFO_ACCESS_free(info);
	return n;
}

int
aia_decode(const char *name, const unsigned char *buf, size_t len,
    STACK_OF(X509) *out, struct diags *d)
{
	return format_certs(name, buf, len, AIA_MAX_CERTS, out, d);
}

static struct aia_step *
step(struct aia_result *res, const char *url, int ok, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static struct aia_step *
step(struct aia_result *res, const char *url, int ok, const char *fmt, ...)
{
	struct aia_step *v, *s;
	va_list ap;

	if ((v = reallocarray(res->steps, res->nsteps + 1, sizeof(*v))) ==
	    NULL)
		return NULL;
	res->steps = v;
	s = &v[res->nsteps++];
	memset(s, 0, sizeof(*s));
	snprintf(s->url, sizeof(s->url), "%s", url ? url : "");
	s->ok = ok;
	va_start(ap, fmt);
	vsnprintf(s->what, sizeof(s->what), fmt, ap);
	va_end(ap);
	return s;
}

/*
 * Why the fetch of m->url failed, into m: the text without the URL, which
 * the step names already (a redirect's URL stays in it), and whether the
 * address policy refused it.
 */
static void
fetch_failure(struct diags *d, struct memo *m)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct diag *e = &d->v[i];

		if (e->level != DIAG_ERR)
			continue;
		m->refused = e->code == DIAG_REFUSED;
		if (e->file != NULL && strcmp(e->file, m->url) == 0)
			snprintf(m->err, sizeof(m->err), "%s", e->msg);
		else
			diag_format(e, m->err, sizeof(m->err));
		break;
	}
	diags_clear(d);
}

/* The fetch of an AIA answer: its bounds and the address policy. */
static void
aia_fetch_opts(const struct aia *a, time_t deadline, struct fetch_opts *fo)
{
	long left = (long)(deadline - time(NULL));

	memset(fo, 0, sizeof(*fo));
	fo->label = "AIA";
	fo->timeout = a->o.fetch_timeout ? a->o.fetch_timeout :
	    AIA_FETCH_TIMEOUT;
	if (left < (long)fo->timeout)
		fo->timeout = left > 0 ? (unsigned)left : 1;
	fo->connect_timeout = fo->timeout;
	fo->max_size = AIA_MAX_ANSWER;
	fo->http_only = !a->o.allow_https;
	fo->public_only = !a->o.allow_private;
	fo->same_host = 1;
	fo->opaque = 1;
}

/*
 * Fetch the answer of m->url into m, conditionally when the state's cache
 * (cache.h, as the sources of update) has a copy, which a 304 or a failed
 * fetch falls back to.  A new answer that decodes is kept in the cache.
 */
static void
fetch_into(struct aia *a, struct memo *m, time_t deadline)
{
	struct fetch_opts fo;
	struct fetch_result r;
	struct cache_entry e;
	struct diags d = DIAGS_INIT;
	const unsigned char *data;
	const char *url = m->url;
	char name[64], hex[65];
	size_t len;
	int have, rc;

	if (strncmp(url, "http://", 7) != 0 &&
	    !(a->o.allow_https && strncmp(url, "https://", 8) == 0)) {
		snprintf(m->err, sizeof(m->err), "only http caIssuers URLs "
		    "are followed%s", a->o.allow_https ? " (and https)" : "");
		return;
	}
	state_sha256_hex(url, strlen(url), hex);
	snprintf(name, sizeof(name), "aia-%.32s", hex);
	pthread_mutex_lock(&cache_mu);
	have = cache_open(a->o.state, name, url, &e, &d) == 1;
	pthread_mutex_unlock(&cache_mu);
	diags_clear(&d);	/* no usable copy: fetched in full */
	aia_fetch_opts(a, deadline, &fo);
	if ((rc = cache_fetch(&e, url, &fo, &r, &d)) == -1)
		fetch_failure(&d, m);
	/* a refused address is refused, whatever was cached from before */
	if (rc == -1 && (!have || m->refused))
		goto out;
	data = rc == -1 || r.not_modified ? e.data : r.body;
	len = rc == -1 || r.not_modified ? e.len : r.len;
	if ((m->certs = sk_X509_new_null()) == NULL) {
		snprintf(m->err, sizeof(m->err), "out of memory");
		goto out;
	}
	if (aia_decode(NULL, data, len, m->certs, &d) == -1) {
		snprintf(m->err, sizeof(m->err), "%s", diags_first_err(&d));
		sk_X509_pop_free(m->certs, X509_free);
		m->certs = NULL;
	} else if (rc == 0 && !r.not_modified && a->o.state != NULL) {
		pthread_mutex_lock(&cache_mu);
		cache_keep(a->o.state, name, url, &r, time(NULL), NULL, data,
		    len, &d);
		pthread_mutex_unlock(&cache_mu);
	}
	diags_clear(&d);	/* a copy not kept is fetched again next run */
out:
	if (rc == 0)
		fetch_result_release(&r);
	cache_close(&e);
}

/*
 * The answer of url: fetched (or cached) once per run, by this thread or
 * by the one already fetching it, which this one waits for.  NULL: out of
 * memory.
 */
static struct memo *
fetch_once(struct aia *a, const char *url, time_t deadline)
{
	struct memo *m, **nv;
	size_t i;

	pthread_mutex_lock(&a->mu);
	for (i = 0; i < a->n; i++)
		if (strcmp(a->m[i]->url, url) == 0) {
			m = a->m[i];
			while (!m->done)
				pthread_cond_wait(&a->cond, &a->mu);
			pthread_mutex_unlock(&a->mu);
			return m;
		}
	if ((nv = reallocarray(a->m, a->n + 1, sizeof(*nv))) == NULL) {
		pthread_mutex_unlock(&a->mu);
		return NULL;
	}
	a->m = nv;
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		pthread_mutex_unlock(&a->mu);
		return NULL;
	}
	snprintf(m->url, sizeof(m->url), "%s", url);
	a->m[a->n++] = m;
	pthread_mutex_unlock(&a->mu);

	fetch_into(a, m, deadline);

	pthread_mutex_lock(&a->mu);
	m->done = 1;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->mu);
	return m;
}

/* Why cand cannot be child's issuer (at time at), or NULL when it can. */
static const char *
refusal(X509 *cand, X509 *child, time_t at, char *buf, size_t size)
{
	char when[40], name[256];
	EVP_PKEY *k;
	int r;

	cert_name_str(X509_get_subject_name(child), name, sizeof(name));
	if (X509_check_issued(cand, cand) == X509_V_OK &&
	    (k = X509_get0_pubkey(cand)) != NULL && X509_verify(cand, k) == 1) {
		snprintf(buf, size, "a self-signed root; roots come only from "
		    "the configured sources, never from a server");
		return buf;
	}
	if ((r = X509_check_issued(cand, child)) != X509_V_OK) {
		snprintf(buf, size, "not the issuer of %s: %s", name,
		    X509_verify_cert_error_string(r));
		return buf;
	}
	if (X509_check_ca(cand) != 1) {
		snprintf(buf, size, "not a CA certificate");
		return buf;
	}
	if (X509_cmp_time(X509_get0_notAfter(cand), &at) < 0) {
		cert_time_str(X509_get0_notAfter(cand), when, sizeof(when));
		snprintf(buf, size, "expired on %s", when);
		return buf;
	}
	if (X509_cmp_time(X509_get0_notBefore(cand), &at) > 0) {
		cert_time_str(X509_get0_notBefore(cand), when, sizeof(when));
		snprintf(buf, size, "not valid before %s", when);
		return buf;
	}
	if ((k = X509_get0_pubkey(cand)) == NULL || X509_verify(child, k) !=
	    1) {
		ERR_clear_error();
		snprintf(buf, size, "its key did not sign %s (the right name, "
		    "the wrong key)", name);
		return buf;
	}
	return NULL;
}

static int
in_stack(STACK_OF(X509) *s, X509 *x)
{
	int i;

	for (i = 0; i < sk_X509_num(s); i++)
		if (X509_cmp(sk_X509_value(s, i), x) == 0)
			return 1;
	return 0;
}

/* What one chase keeps: the URLs tried (a loop is not fetched twice). */
struct chase {
	char	tried[AIA_MAX_DEPTH * AIA_MAX_URLS][AIA_MAX_URL];
	int	ntried;
	time_t	deadline;
	unsigned total;		/* seconds, for the report */
};

/* The first certificate of m's answer that can be cur's issuer, or NULL. */
static X509 *
pick(struct aia *a, const struct memo *m, X509 *cur, STACK_OF(X509) *pool,
    struct aia_result *res)
{
	char why[512], subj[256];
	int j;

	for (j = 0; j < sk_X509_num(m->certs); j++) {
		X509 *c = sk_X509_value(m->certs, j);

		cert_name_str(X509_get_subject_name(c), subj, sizeof(subj));
		if (in_stack(pool, c)) {
			step(res, m->url, 0, "%s: already in the chain (an AIA "
			    "loop)", subj);
			continue;
		}
		if (refusal(c, cur, a->o.at ? a->o.at : time(NULL), why,
		    sizeof(why)) != NULL) {
			step(res, m->url, 0, "%s: refused: %s", subj, why);
			continue;
		}
		step(res, m->url, 1, "%s: the issuer of the certificate above",
		    subj);
		return c;
	}
	return NULL;
}

/*
 * cur's issuer from one of its n caIssuers URLs into *got (borrowed from
 * the answers of a), each URL and candidate a step of res.  Returns 0, 1
 * when the chase's time is up, -1 out of memory.
 */
static int
issuer_from(struct aia *a, struct chase *ch, X509 *cur, STACK_OF(X509) *pool,
    char (*urls)[AIA_MAX_URL], int n, struct aia_result *res, X509 **got)
{
	int i, j, seen;

	*got = NULL;
	for (i = 0; i < n && *got == NULL; i++) {
		struct memo *m;

		for (j = 0, seen = 0; j < ch->ntried; j++)
			if (strcmp(ch->tried[j], urls[i]) == 0)
				seen = 1;
		if (seen) {
			step(res, urls[i], 0, "already tried in this chase (an "
			    "AIA loop)");
			continue;
		}
		if (ch->ntried < AIA_MAX_DEPTH * AIA_MAX_URLS)
			snprintf(ch->tried[ch->ntried++], AIA_MAX_URL, "%s",
			    urls[i]);
		if (time(NULL) >= ch->deadline) {
			step(res, urls[i], 0, "not tried: the chase took longer "
			    "than its %u s", ch->total);
			return 1;
		}
		if ((m = fetch_once(a, urls[i], ch->deadline)) == NULL)
			return -1;
		if (m->certs == NULL) {
			struct aia_step *st = step(res, urls[i], 0, "%s",
			    m->err);

			if (st != NULL)
				st->refused = m->refused;
			continue;
		}
		*got = pick(a, m, cur, pool, res);
	}
	return 0;
}

/*
 * The caIssuers URLs of cur, the certificate whose issuer is missing,
 * into urls; 0 (with a step saying why) when the chase stops here.
 */
static int
urls_of(X509 *cur, int depth, char (*urls)[AIA_MAX_URL],
    struct aia_result *res)
{
	char name[256], subj[512];
	int n;

	cert_name_str(X509_get_issuer_name(cur), name, sizeof(name));
	if (depth == AIA_MAX_DEPTH) {
		step(res, NULL, 0, "more than %d missing levels; stopped at the "
		    "issuer %s", AIA_MAX_DEPTH, name);
		return 0;
	}
	if ((n = aia_urls(cur, urls, AIA_MAX_URLS + 1)) == 0) {
		cert_name_str(X509_get_subject_name(cur), subj, sizeof(subj));
		step(res, NULL, 0, "%s names no caIssuers URL: its issuer %s "
		    "cannot be fetched", subj, name);
		return 0;
	}
	if (n > AIA_MAX_URLS) {
		step(res, NULL, 0, "more than %d caIssuers URLs; the first %d "
		    "are tried", AIA_MAX_URLS, AIA_MAX_URLS);
		n = AIA_MAX_URLS;
	}
	return n;
}

int
aia_chase(struct aia *a, X509_STORE *store, STACK_OF(X509) *sent,
    struct aia_result *res)
{
	STACK_OF(X509) *pool = NULL;
	char (*urls)[AIA_MAX_URL] = NULL;
	struct chase *ch = NULL;
	X509 *leaf, *cur = NULL;
	int depth, err = 0, rc = -1;

	memset(res, 0, sizeof(*res));
	if ((res->found = sk_X509_new_null()) == NULL ||
	    (pool = sk_X509_dup(sent)) == NULL ||
	    (urls = calloc(AIA_MAX_URLS + 1, sizeof(*urls))) == NULL ||
	    (ch = calloc(1, sizeof(*ch))) == NULL)
		goto out;
	ch->total = a->o.total_timeout ? a->o.total_timeout :
	    AIA_TOTAL_TIMEOUT;
	ch->deadline = time(NULL) + (time_t)ch->total;
	leaf = sk_X509_value(sent, 0);
	for (depth = 0;; depth++) {
		X509 *got = NULL;
		int n, ok;

		X509_free(cur);
		if ((ok = verify_chain(store, leaf, pool, &err, &cur,
		    &res->chain)) == -1)
			goto out;
		if (ok) {
			res->verified = 1;
			break;
		}
		if (cur == NULL || (err != X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY &&
		    err != X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT))
			break;	/* not a missing issuer: nothing to fetch */
		if ((n = urls_of(cur, depth, urls, res)) == 0)
			break;
		if ((ok = issuer_from(a, ch, cur, pool, urls, n, res, &got)) ==
		    -1)
			goto out;
		if (ok == 1 || got == NULL)
			break;
		if (!X509_up_ref(got) || !sk_X509_push(res->found, got) ||
		    !sk_X509_push(pool, got))
			goto out;
	}
	if (!res->verified && sk_X509_num(res->found) > 0) {
		step(res, NULL, 0, "what was fetched does not complete a "
		    "chain to an anchor of the store (%s); nothing is admitted",
		    X509_verify_cert_error_string(err));
		sk_X509_pop_free(res->found, X509_free);
		res->found = sk_X509_new_null();
	}
	rc = res->found != NULL ? 0 : -1;
out:
	X509_free(cur);
	sk_X509_free(pool);
	free(urls);
	free(ch);
	if (rc == -1)
		aia_result_release(res);
	return rc;
}
