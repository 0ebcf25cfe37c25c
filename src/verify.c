/*
 * verify.c: stores and chain verification, see verify.h.
 */
#include <stdio.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "verify.h"

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
		if (!X509_STORE_add_cert(st, set->v[i]->x509)) {
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
