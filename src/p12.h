/*
 * p12.h: the PKCS#12 truststore writer ("format = pkcs12"), for Java
 * (javax.net.ssl.trustStore with trustStoreType PKCS12, keytool) and
 * whatever else reads a Java truststore.
 *
 * Made with OpenSSL's PKCS12 API: each certificate of the set, in the
 * set's order, is a certBag with a friendly name (its label, else its
 * subject; made unique, as Java keys entries by it, by appending the
 * first 8 hex digits of its SHA-256 when two would be equal ignoring
 * case) and Oracle's trusted-key-usage attribute (2.16.840.1.113894.
 * 746875.1.1) set to anyExtendedKeyUsage (2.5.29.37.0): without it Java
 * sees no trustedCertEntry, only a certificate it ignores (the openssl
 * pkcs12 command of OpenSSL 3.0 cannot add it).  The bags are one
 * unencrypted safe (certificates are public; an encrypted one would need a
 * random IV), and the whole is MAC'd with HMAC-SHA-256 keyed from the
 * password (PKCS#12's KDF, 10000 iterations), which Java checks.
 *
 * Deterministic: equal set and password give equal bytes.  The MAC's salt
 * is derived from the content (SHA-256 of a fixed tag, the password and
 * the DER of every certificate), not random.  That is acceptable here: a
 * salt only keeps one precomputation from serving many stores, and this
 * password guards no secret (the file is public, 0644; "changeit" is the
 * well-known default): it keys an integrity check that anyone who can
 * read the store can recompute.  Equal bytes let "unchanged" be honest.
 */
#ifndef TB_P12_H
#define TB_P12_H

#include "certset.h"
#include "output.h"

#define P12_MAC_ITER	10000
#define P12_TRUST_OID	"2.16.840.1.113894.746875.1.1"	/* Oracle */

/*
 * Writer: the set as one PKCS#12 file into r->b, keyed with t->password
 * (OUTPUT_PASSWORD when NULL; an empty one is refused).  -1 after adding
 * to d.
 */
int	p12_render(const struct certset *set, const struct output_target *t,
	    struct rendered *r, struct diags *d);

#endif
