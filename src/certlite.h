/*
 * certlite.h: decode a certificate without its public key.
 *
 * OpenSSL 3.0 decodes the subjectPublicKeyInfo of every certificate it
 * parses (d2i_X509), through a decoder context it builds anew each time:
 * about two thirds of the cost of reading a root set, for a key that only
 * signature checks use.  certlite_d2i() parses the same DER in a library
 * context of its own whose one provider offers SHA-1 and nothing else:
 * the key finds no decoder and stays undecoded, everything else (names,
 * validity, extensions, the flags of X509_check_ca and X509_check_purpose,
 * the SHA-1 fingerprint they need) is as d2i_X509 gives it.  One exception,
 * which the caller handles: a version 1 certificate is a CA only if it is
 * self-signed, which OpenSSL decides with the key.
 *
 * Calling sequence: certlite_d2i() from any thread (each thread of
 * pool.c reads in a context of its own; the others share one, made under
 * pthread_once); X509_free() the result.  Never use its key.
 */
#ifndef TB_CERTLITE_H
#define TB_CERTLITE_H

#include <stddef.h>

#include <openssl/x509.h>

/*
 * Exactly len bytes of DER as an X509 without its key, or NULL (the reason
 * on OpenSSL's error queue; "trailing bytes" for more than one).
 */
X509	*certlite_d2i(const unsigned char *der, size_t len);
/*
 * The same in library context ctx (NULL: the default one): with its key
 * (cert.c's whole decoding), as any context that can decode keys gives it.
 */
X509	*certlite_d2i_in(OSSL_LIB_CTX *ctx, const unsigned char *der,
	    size_t len);

#endif
