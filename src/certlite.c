/*
 * certlite.c: decode a certificate without its public key (certlite.h).
 *
 * The provider below answers for one algorithm, SHA-1, by handing the work
 * to the default library context; it is what X509's extension cache needs
 * (the certificate's SHA-1 fingerprint) and the only thing this context can
 * do.  Nothing here sees a key, so nothing here can verify anything.
 */
#include <limits.h>
#include <pthread.h>

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include "cert.h"
#include "certlite.h"
#include "pool.h"

static void *
sha1_new(void *provctx)
{
	(void)provctx;
	return EVP_MD_CTX_new();
}

static void
sha1_free(void *ctx)
{
	EVP_MD_CTX_free(ctx);
}

static void *
sha1_dup(void *ctx)
{
	EVP_MD_CTX *n = EVP_MD_CTX_new();

	if (n != NULL && !EVP_MD_CTX_copy_ex(n, ctx)) {
		EVP_MD_CTX_free(n);
		n = NULL;
	}
	return n;
}

static int
sha1_init(void *ctx, const OSSL_PARAM params[])
{
	(void)params;
	return EVP_DigestInit_ex(ctx, cert_sha1(), NULL);
}

static int
sha1_update(void *ctx, const unsigned char *in, size_t len)
{
	return EVP_DigestUpdate(ctx, in, len);
}

static int
sha1_final(void *ctx, unsigned char *out, size_t *outl, size_t outsz)
{
	unsigned int n;

	if (outsz < 20 || !EVP_DigestFinal_ex(ctx, out, &n))
		return 0;
	*outl = n;
	return 1;
}

static int
sha1_get_params(OSSL_PARAM params[])
{
	OSSL_PARAM *p;

	if ((p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_SIZE)) != NULL &&
	    !OSSL_PARAM_set_size_t(p, 20))
		return 0;
	if ((p = OSSL_PARAM_locate(params,
	    OSSL_DIGEST_PARAM_BLOCK_SIZE)) != NULL &&
	    !OSSL_PARAM_set_size_t(p, 64))
		return 0;
	return 1;
}

static const OSSL_PARAM *
sha1_gettable(void *provctx)
{
	static const OSSL_PARAM t[] = {
		OSSL_PARAM_size_t(OSSL_DIGEST_PARAM_SIZE, NULL),
		OSSL_PARAM_size_t(OSSL_DIGEST_PARAM_BLOCK_SIZE, NULL),
		OSSL_PARAM_END
	};

	(void)provctx;
	return t;
}

#define FN(f)	((void (*)(void))(f))

static const OSSL_DISPATCH sha1_fns[] = {
	{ OSSL_FUNC_DIGEST_NEWCTX, FN(sha1_new) },
	{ OSSL_FUNC_DIGEST_FREECTX, FN(sha1_free) },
	{ OSSL_FUNC_DIGEST_DUPCTX, FN(sha1_dup) },
	{ OSSL_FUNC_DIGEST_INIT, FN(sha1_init) },
	{ OSSL_FUNC_DIGEST_UPDATE, FN(sha1_update) },
	{ OSSL_FUNC_DIGEST_FINAL, FN(sha1_final) },
	{ OSSL_FUNC_DIGEST_GET_PARAMS, FN(sha1_get_params) },
	{ OSSL_FUNC_DIGEST_GETTABLE_PARAMS, FN(sha1_gettable) },
	{ 0, NULL }
};

static const OSSL_ALGORITHM digests[] = {
	{ "SHA1:SHA-1:SSL3-SHA1:1.3.14.3.2.26", "provider=tblite", sha1_fns,
	    "SHA-1 for the extension cache of certificates read without keys" },
	{ NULL, NULL, NULL, NULL }
};

static const OSSL_ALGORITHM *
query(void *provctx, int op, int *no_cache)
{
	(void)provctx;
	*no_cache = 0;
	return op == OSSL_OP_DIGEST ? digests : NULL;
}

static const OSSL_DISPATCH provider[] = {
	{ OSSL_FUNC_PROVIDER_QUERY_OPERATION, FN(query) },
	{ 0, NULL }
};

static int
provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
    const OSSL_DISPATCH **out, void **provctx)
{
	(void)handle;
	(void)in;
	*out = provider;
	*provctx = (void *)provider;
	return 1;
}

/*
 * One context per thread of pool.c (pool_slot()), for the reason cert.c
 * gives: threads sharing a context queue on its locks.  Slot 0, the
 * calling thread's, is made under pthread_once; a worker's slot by that
 * worker alone (pool.h).  Kept to the end of the run: the X509s read in
 * a context point at it.
 */
static OSSL_LIB_CTX *lite[POOL_THREADS];

static OSSL_LIB_CTX *
lite_new(void)
{
	OSSL_LIB_CTX *c;

	if ((c = OSSL_LIB_CTX_new()) == NULL)
		return NULL;
	/* loaded, it is the context's only provider: no fallback to default */
	if (!OSSL_PROVIDER_add_builtin(c, "tblite", provider_init) ||
	    OSSL_PROVIDER_load(c, "tblite") == NULL) {
		OSSL_LIB_CTX_free(c);
		return NULL;
	}
	return c;
}

static void
lite_make(void)
{
	lite[0] = lite_new();
}

static OSSL_LIB_CTX *
lite_ctx(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	static int tried[POOL_THREADS];
	int s = pool_slot();

	if (s <= 0 || s >= POOL_THREADS) {
		(void)pthread_once(&once, lite_make);
		return lite[0];
	}
	if (!tried[s]) {
		tried[s] = 1;
		lite[s] = lite_new();
	}
	return lite[s];
}

X509 *
certlite_d2i(const unsigned char *der, size_t len)
{
	OSSL_LIB_CTX *ctx;

	/* without the context (out of memory): the full decode will do */
	if ((ctx = lite_ctx()) == NULL)
		return NULL;
	return certlite_d2i_in(ctx, der, len);
}

X509 *
certlite_d2i_in(OSSL_LIB_CTX *ctx, const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x, *got;

	if (len > (size_t)LONG_MAX || (x = X509_new_ex(ctx, NULL)) == NULL)
		return NULL;
	if ((got = d2i_X509(&x, &p, (long)len)) == NULL) {
		X509_free(x);
		return NULL;
	}
	if (p != der + len) {
		X509_free(got);
		ERR_raise_data(ERR_LIB_X509, ERR_R_PASSED_INVALID_ARGUMENT,
		    "%zu bytes after the certificate", len - (size_t)(p - der));
		return NULL;
	}
	return got;
}
