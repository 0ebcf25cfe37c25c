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

/*
 * Admission of intermediates without a growing X509_STORE (OpenSSL 3.0
 * re-sorts a store's objects after every addition): an index of the
 * certificates admitted so far by subject name hash; a candidate is
 * verified by X509_verify_cert against a small store of only those whose
 * subject is its issuer, with X509_V_FLAG_PARTIAL_CHAIN, as a store of
 * them all would (same lookup by name, same order among equal names).
 *
 *	struct verify_index *ix = verify_index_new();
 *	verify_index_add(ix, anchor);		// each, borrowed
 *	k = verify_index_check(ix, cand, now, &err);
 *	verify_index_free(ix);
 */
struct verify_index;
struct verify_index *verify_index_new(void);
/* Add x (borrowed: it must outlive the index). */
void	verify_index_add(struct verify_index *ix, X509 *x);
/*
 * 1 if cand chains to a certificate of ix (validity at now, signatures,
 * CA constraints, as X509_verify_cert checks them), 0 if not (*err the
 * X509_V_ERR code), -1 on an internal error (out of memory).  On 1, signer
 * (32 bytes, unless NULL) gets the SHA-256 of the key that verified cand's
 * signature (X509_pubkey_digest of its issuer in the chain; zeros if none).
 */
int	verify_index_check(struct verify_index *ix, X509 *cand, time_t now,
	    int *err, unsigned char *signer);
/*
 * verify_index_check() of each of the n candidates c[i] (NULL: skipped,
 * res[i] 0), on up to the machine's cores at once: res[i] and err[i] as
 * one call would set them, whatever the threads' order.  -1 if any check
 * failed internally (out of memory).
 */
int	verify_index_check_all(struct verify_index *ix, X509 *const *c,
	    size_t n, time_t now, int *res, int *err, unsigned char *signer);
void	verify_index_free(struct verify_index *ix);

/* Does the certificate name host (its subjectAltName, else its CN)? */
int	verify_name(X509 *leaf, const char *host);

#endif
