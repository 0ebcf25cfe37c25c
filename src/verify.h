/*
 * verify.h: OpenSSL stores and chain verification, in one place.
 *
 * A store is built from a certificate set (the store being built by
 * update, the anchors of the trust gate) or from the files a TLS client
 * reads (a CA bundle, a hashed directory, else the system's default), and
 * verifies for one purpose as the host's TLS clients do.  A chain is
 * verified as OpenSSL does for sendmail: from the leaf, with what the
 * server sent as untrusted certificates, no partial chains unless the
 * store says so.
 *
 *	struct diags d = DIAGS_INIT;
 *	X509_STORE *st = verify_store_set(set, PURPOSE_SERVER_AUTH, 0, &d);
 *	if (st == NULL) { diags_report(&d); ... }
 *	ok = verify_chain(st, leaf, sent, &err, &cur, &chain);
 *	X509_STORE_free(st);
 *
 * verify.c prints nothing.
 */
#ifndef TB_VERIFY_H
#define TB_VERIFY_H

#include <openssl/x509.h>

#include "cert.h"
#include "certset.h"
#include "diag.h"

/*
 * A store holding every certificate of set (as trusted), verifying for
 * purpose p (PURPOSE_ANY: no purpose check), with the X509_V_FLAG_* flags.
 * NULL with an error in d.  The caller frees it (X509_STORE_free).
 */
X509_STORE	*verify_store_set(const struct certset *set, enum purpose p,
		    unsigned long flags, struct diags *d);
/*
 * A store from bundle (a CA file) and/or capath (a hashed directory), as
 * OpenSSL's CAfile and CApath load them; both NULL: the system's default
 * store.  Verifies for purpose p.  What was loaded is described in what
 * ("the system's default CA store", "BUNDLE and CAPATH"), for a report.
 * NULL with an error in d.
 */
X509_STORE	*verify_store_files(const char *bundle, const char *capath,
		    enum purpose p, char *what, size_t size, struct diags *d);

/*
 * Verify leaf with the untrusted certificates pool against store.  Returns
 * 1 verified (the chain, leaf to anchor, in *chain unless chain is NULL;
 * the caller frees it), 0 not (*err the X509_V_ERR code, *cur a reference
 * to the certificate it is about, or NULL; the caller frees it), -1 on an
 * internal error (out of memory).
 */
int	verify_chain(X509_STORE *store, X509 *leaf, STACK_OF(X509) *pool,
	    int *err, X509 **cur, STACK_OF(X509) **chain);

/* Does the certificate name host (its subjectAltName, else its CN)? */
int	verify_name(X509 *leaf, const char *host);

#endif
