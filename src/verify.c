/*
 * verify.c: stores and chain verification, see verify.h.
 */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "pool.h"
#include "verify.h"
#include "xalloc.h"

/* A new store verifying for p, or NULL with an error in d. */
static X509_STORE *
store_new(enum purpose p, struct diags *d)
{
	X509_STORE *st;

	if ((st = X509_STORE_new()) == NULL) {
		diag_err(d, NULL, 0, "out of memory");
		return NULL;
	}
	if (purpose_x509(p) != 0 && !X509_STORE_set_purpose(st,
	    purpose_x509(p))) {
		diag_ssl(d, NULL, 0, "cannot verify for %s", purpose_name(p));
		X509_STORE_free(st);
		return NULL;
	}
	return st;
}

X509_STORE *
verify_store_set(const struct certset *set, enum purpose p,
    unsigned long flags, struct diags *d)
{
	X509_STORE *st;
	size_t i;

	if ((st = store_new(p, d)) == NULL)
		return NULL;
	if (flags != 0)
		X509_STORE_set_flags(st, flags);
	for (i = 0; i < set->n; i++)
		if (cert_x509(set->v[i]) == NULL ||
		    !X509_STORE_add_cert(st, cert_x509(set->v[i]))) {
			diag_ssl(d, NULL, 0, "cannot build the store");
			X509_STORE_free(st);
			return NULL;
		}
	return st;
}

X509_STORE *
verify_store_files(const char *bundle, const char *capath, enum purpose p,
    char *what, size_t size, struct diags *d)
{
	X509_STORE *st;

	if ((st = store_new(p, d)) == NULL)
		return NULL;
	if (bundle == NULL && capath == NULL) {
		if (!X509_STORE_set_default_paths(st)) {
			diag_ssl(d, NULL, 0, "the system's CA store");
			X509_STORE_free(st);
			return NULL;
		}
		snprintf(what, size, "the system's default CA store");
		return st;
	}
	if ((bundle != NULL && !X509_STORE_load_file(st, bundle)) ||
	    (capath != NULL && !X509_STORE_load_path(st, capath))) {
		diag_ssl(d, NULL, 0, "'%s': cannot load it as a CA %s", bundle ?
		    bundle : capath, bundle ? "file" : "directory");
		X509_STORE_free(st);
		return NULL;
	}
	snprintf(what, size, "%s%s%s", bundle ? bundle : "", bundle && capath ?
	    " and " : "", capath ? capath : "");
	return st;
}

int
verify_chain(X509_STORE *store, X509 *leaf, STACK_OF(X509) *pool, int *err,
    X509 **cur, STACK_OF(X509) **chain)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok = -1;

	*cur = NULL;
	if (ctx == NULL || !X509_STORE_CTX_init(ctx, store, leaf, pool))
		goto out;
	ok = X509_verify_cert(ctx) == 1;
	*err = X509_STORE_CTX_get_error(ctx);
	if (!ok && (*cur = X509_STORE_CTX_get_current_cert(ctx)) != NULL)
		X509_up_ref(*cur);
	if (ok && chain != NULL &&
	    (*chain = X509_STORE_CTX_get1_chain(ctx)) == NULL)
		ok = -1;
out:
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

int
verify_name(X509 *leaf, const char *host)
{
	int r;

	if (X509_check_ip_asc(leaf, host, 0) == 1)
		return 1;
	r = X509_check_host(leaf, host, 0, 0, NULL);
	ERR_clear_error();
	return r == 1;
}

struct ix_entry {
	X509		*x;
	unsigned long	 hash;		/* of the subject name */
	size_t		 next;		/* in the bucket, 0: none (index + 1) */
};

struct verify_index {
	struct ix_entry	*v;
	size_t		 n, cap;
	size_t		*head;		/* index + 1 of a bucket's first entry */
	size_t		*tail;
	size_t		 mask;
};

struct verify_index *
verify_index_new(void)
{
	struct verify_index *ix = xcalloc(1, sizeof(*ix));

	ix->mask = 255;
	ix->head = xcalloc(ix->mask + 1, sizeof(*ix->head));
	ix->tail = xcalloc(ix->mask + 1, sizeof(*ix->tail));
	return ix;
}

static size_t
bucket(const struct verify_index *ix, unsigned long h)
{
	return (size_t)(h * 0x9e3779b97f4a7c15ULL >> 20) & ix->mask;
}

/* Append entry i to its bucket: a bucket keeps the order of addition. */
static void
link_entry(struct verify_index *ix, size_t i)
{
	size_t b = bucket(ix, ix->v[i].hash);

	ix->v[i].next = 0;
	if (ix->tail[b] == 0)
		ix->head[b] = i + 1;
	else
		ix->v[ix->tail[b] - 1].next = i + 1;
	ix->tail[b] = i + 1;
}

void
verify_index_add(struct verify_index *ix, X509 *x)
{
	size_t i;

	if (ix->n == ix->cap) {
		ix->cap = ix->cap ? ix->cap * 2 : 256;
		ix->v = xreallocarray(ix->v, ix->cap, sizeof(*ix->v));
	}
	/*
	 * OpenSSL fills an X509's extension cache on first use, under the
	 * X509's lock; the threads of verify_index_check_all() then read what
	 * it holds (the key identifiers) without it.  Fill it here, in the
	 * one thread that adds issuers, before any check reads it.
	 */
	(void)X509_check_purpose(x, -1, 0);
	ix->v[ix->n].x = x;
	ix->v[ix->n].hash = X509_subject_name_hash(x);
	ix->n++;
	if (ix->n > ix->mask + 1) {	/* rebuild, at most one entry per bucket */
		free(ix->head);
		free(ix->tail);
		ix->mask = ix->mask * 2 + 1;
		ix->head = xcalloc(ix->mask + 1, sizeof(*ix->head));
		ix->tail = xcalloc(ix->mask + 1, sizeof(*ix->tail));
		for (i = 0; i < ix->n; i++)
			link_entry(ix, i);
	} else
		link_entry(ix, ix->n - 1);
}

int
verify_index_check(struct verify_index *ix, X509 *cand, time_t now, int *err,
    unsigned char *signer)
{
	const X509_NAME *in = X509_get_issuer_name(cand);
	X509_STORE *st;
	X509_STORE_CTX *ctx = NULL;
	unsigned long h = X509_issuer_name_hash(cand);
	size_t i;
	int ok = -1;

	*err = 0;
	if ((st = X509_STORE_new()) == NULL)
		return -1;
	X509_STORE_set_flags(st, X509_V_FLAG_PARTIAL_CHAIN);
	/* every certificate whose subject is cand's issuer, in order */
	for (i = ix->head[bucket(ix, h)]; i != 0; i = ix->v[i - 1].next) {
		X509 *x = ix->v[i - 1].x;

		if (ix->v[i - 1].hash != h ||
		    X509_NAME_cmp(X509_get_subject_name(x), in) != 0)
			continue;
		if (!X509_STORE_add_cert(st, x))
			goto out;
	}
	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    !X509_STORE_CTX_init(ctx, st, cand, NULL))
		goto out;
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), now);
	ok = X509_verify_cert(ctx) == 1;
	if (!ok)
		*err = X509_STORE_CTX_get_error(ctx);
	else if (signer != NULL) {
		STACK_OF(X509) *ch = X509_STORE_CTX_get0_chain(ctx);

		/* [cand, its issuer]: cand's signature checked with that key */
		if (sk_X509_num(ch) < 2 || !X509_pubkey_digest(sk_X509_value(ch,
		    1), EVP_sha256(), signer, NULL))
			memset(signer, 0, 32);
	}
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	ERR_clear_error();
	return ok;
}

struct check_all {
	struct verify_index	*ix;
	X509 *const		*c;
	time_t			 now;
	int			*res, *err;
	unsigned char		*signer;
};

static void
check_one(void *arg, size_t i)
{
	struct check_all *a = arg;

	a->err[i] = 0;
	a->res[i] = a->c[i] == NULL ? 0 : verify_index_check(a->ix, a->c[i],
	    a->now, &a->err[i], a->signer ? a->signer + 32 * i : NULL);
}

int
verify_index_check_all(struct verify_index *ix, X509 *const *c, size_t n,
    time_t now, int *res, int *err, unsigned char *signer)
{
	struct check_all a = { ix, c, now, res, err, signer };
	size_t i;

	pool_for(n, check_one, &a);
	for (i = 0; i < n; i++)
		if (res[i] == -1)
			return -1;
	return 0;
}

void
verify_index_free(struct verify_index *ix)
{
	if (ix == NULL)
		return;
	free(ix->v);
	free(ix->head);
	free(ix->tail);
	free(ix);
}
