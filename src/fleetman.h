/*
 * fleetman.h: the signed manifest of an exported store (export.h writes
 * it, central.h reads it): its text, and its detached CMS signature.
 *
 * DIR/manifest, written last (after every object it names) and by rename:
 *
 *   trustbuild-fleet 1
 *   serial 1764770000            only grows from export to export
 *   created 2026-12-03T10:27:31Z
 *   valid-until 2026-12-10T10:27:31Z
 *   SHA256 SIZE NAME             one line per object, DIR/objects/SHA256
 *
 * NAME is "set" for the one object that says each certificate's role,
 * purpose, first-seen day, distrust-after dates, origin and label (the
 * text of manifest.h, cert and label lines only), and the role of the
 * certificate ("anchor", "intermediate") for each certificate, whose
 * object is its DER encoding (so SHA256 is its fingerprint).  The set
 * object comes first, the certificates after it in the order of their
 * SHA-256.  DIR/manifest.p7s is a detached CMS SignedData (RFC 5652, DER)
 * over the manifest's bytes, which anyone can check:
 *
 *	openssl cms -verify -binary -content manifest -inform DER \
 *	    -in manifest.p7s -CAfile export.crt -purpose any
 *
 * Pure: buffers in, buffers out; nothing printed, nothing read.
 */
#ifndef TB_FLEETMAN_H
#define TB_FLEETMAN_H

#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#define FLEET_MANIFEST		"manifest"
#define FLEET_SIGNATURE		"manifest.p7s"
#define FLEET_OBJECTS		"objects"
#define FLEET_MAX_MANIFEST	(8 * 1024 * 1024)
#define FLEET_MAX_SIGNATURE	(256 * 1024)
#define FLEET_MAX_OBJECTS	100000

enum fleet_kind {
	FLEET_SET,		/* the roles, origins...: manifest.h's text */
	FLEET_ANCHOR,		/* a certificate's DER, and its role */
	FLEET_INTERMEDIATE
};

struct fleet_object {
	unsigned char	 sha256[32];
	size_t		 size;
	enum fleet_kind	 kind;
};

struct fleet_manifest {
	unsigned long long serial;
	time_t		 created;
	time_t		 valid_until;
	struct fleet_object *obj;
	size_t		 nobj;
};

/*
 * Parse buf into m (zeroed by the caller): 0, or -1 with "line N: why" in
 * err (m then holds nothing).  Exactly one set object, no object twice.
 */
int	fleetman_parse(const char *buf, size_t len, struct fleet_manifest *m,
	    char *err, size_t errsz);
/* m as its text into a malloc'd *out.  -1 out of memory. */
int	fleetman_render(const struct fleet_manifest *m, char **out,
	    size_t *len);
/* The object of this SHA-256, or NULL; borrowed. */
const struct fleet_object *fleetman_find(const struct fleet_manifest *m,
	    const unsigned char sha256[32]);
/* "set", "anchor", "intermediate" */
const char *fleetman_kind_name(enum fleet_kind k);
void	fleetman_release(struct fleet_manifest *m);

/*
 * A detached CMS SignedData over buf by cert and key, DER, into a
 * malloc'd *sig.  -1 with OpenSSL's reason in err.
 */
int	fleetman_sign(const void *buf, size_t len, X509 *cert, EVP_PKEY *key,
	    unsigned char **sig, size_t *siglen, char *err, size_t errsz);
/*
 * Is sig a valid signature over buf by one of the n pinned signer
 * certificates (and by nothing else: certificates the signature carries
 * are not looked at; a pin is trusted as it is, whatever its issuer and
 * dates)?  0 yes, -1 no with the reason in err.
 */
int	fleetman_verify(const void *buf, size_t len, const unsigned char *sig,
	    size_t siglen, X509 **signers, size_t n, char *err, size_t errsz);

#endif
