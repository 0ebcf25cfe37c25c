/*
 * cert.h: one certificate as trustbuild sees it.
 *
 * A struct cert keeps the certificate as DER plus the few fields the
 * pipeline reads (names, hashes, not-after, the CA flags OpenSSL gives it),
 * worked out once when it is read, and remembers what the sources said
 * about it: the trust per purpose (from certdata.txt or a TRUSTED
 * CERTIFICATE's auxiliary trust), the distrust-after dates, its label and
 * where it came from.  Identity is the SHA-256 of the DER encoding.
 *
 * Reading is cheap: cert_from_der() parses without the public key
 * (certlite.h) and keeps no X509.  Only what checks signatures or hands the
 * certificate to OpenSSL whole asks cert_x509(), which decodes it with its
 * key on first use and keeps it; from more than one thread, call it first
 * from one.  50,000 roots are 50,000 DER blobs, not 50,000 X509s.
 */
#ifndef TB_CERT_H
#define TB_CERT_H

#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

enum purpose {
	PURPOSE_SERVER_AUTH,
	PURPOSE_EMAIL,
	PURPOSE_CODE_SIGNING,
	PURPOSE_N,
	PURPOSE_ANY = PURPOSE_N
};

enum trust {
	TRUST_UNSPECIFIED = 0,	/* the source said nothing: PEM, DER... */
	TRUST_DELEGATOR,	/* CKT_NSS_TRUSTED_DELEGATOR: an anchor */
	TRUST_MUST_VERIFY,	/* CKT_NSS_MUST_VERIFY_TRUST: not an anchor */
	TRUST_NOT_TRUSTED	/* CKT_NSS_NOT_TRUSTED: blocklisted */
};

enum cert_role {
	ROLE_NONE = 0,
	ROLE_ANCHOR,
	ROLE_INTERMEDIATE
};

/* distrust-after, per NSS: not said, CK_FALSE, or a date */
enum distrust {
	DISTRUST_UNKNOWN = 0,
	DISTRUST_NEVER,
	DISTRUST_AFTER
};

#define CERT_MAX_SOURCES 8

/* cert.flags */
#define CERT_CA			0x01	/* X509_check_ca() == 1 */
#define CERT_CA_SERVER		0x02	/* cert_ca_for_purpose(server-auth) */
#define CERT_CA_EMAIL		0x04	/* ... email */
#define CERT_CA_CODE		0x08	/* ... code-signing */
#define CERT_NOT_AFTER_OK	0x10	/* not_after was readable */
#define CERT_SIGNER_KNOWN	0x20	/* signer: admission verified it */

struct cert {
	unsigned char	*der;		/* the certificate, as published */
	size_t		 derlen;
	X509		*x509;		/* NULL until cert_x509() */
	unsigned char	 sha256[32];
	unsigned char	 sha1[20];
	unsigned	 flags;		/* CERT_* */
	time_t		 not_after;
	unsigned long	 hash, hash_old;	/* of the subject (capath.h) */
	unsigned long	 issuer_hash;
	unsigned char	*isn;		/* issuer name DER, then serial DER */
	size_t		 isn_ilen, isn_slen;
	char		*subject;		/* RFC 2253 one-line */
	char		*issuer;
	unsigned char	 signer[32];	/* SHA-256 of its issuer's key */
	enum trust	 trust[PURPOSE_N];
	enum distrust	 distrust[2];		/* [0] server, [1] email */
	time_t		 distrust_after[2];
	enum cert_role	 role;
	char		*label;			/* certdata CKA_LABEL, or NULL */
	char		*sources[CERT_MAX_SOURCES];	/* first ones, in order */
	size_t		 nsources;
};

/*
 * Read one DER certificate of exactly len bytes (copied).  Returns a new
 * cert with its fields worked out, or NULL (reason left on the OpenSSL
 * error queue).
 */
struct cert	*cert_from_der(const unsigned char *der, size_t len);
/* The same for a malloc'd der, taken over (freed if NULL is returned). */
struct cert	*cert_from_der_take(unsigned char *der, size_t len);
/*
 * cert_from_der(), decoded whole at once (cert_x509() then has it): for
 * certificates whose signatures will be checked, the intermediates, so
 * that they are not parsed twice.  Any thread.
 */
struct cert	*cert_from_der_whole(const unsigned char *der, size_t len);
/*
 * Wrap x (the reference is taken over and kept as the decoded one).  NULL
 * if x cannot be encoded.
 */
struct cert	*cert_from_x509(X509 *x);
/*
 * SHA-256 and SHA-1 of the default library context, fetched on first use
 * and kept for the run, so that a digest costs no fetch; any thread may
 * call them.  Borrowed.  Should the fetch fail, EVP_sha256() and
 * EVP_sha1(), which fetch on every use (and fail as that fetch did).
 */
const EVP_MD	*cert_sha256(void);
const EVP_MD	*cert_sha1(void);
/* A copy of c without what the sources said (trust, label, sources). */
struct cert	*cert_dup_plain(const struct cert *c);
void		 cert_free(struct cert *c);
/*
 * c as an X509 with its key, decoded on first use and kept; borrowed.
 * NULL only if OpenSSL is out of memory (c was read from this DER once).
 */
X509		*cert_x509(struct cert *c);
/*
 * cert_x509() of each of the n certificates (NULL entries skipped) on up
 * to the machine's cores at once.  -1 if OpenSSL ran out of memory.
 */
int		 cert_decode_all(struct cert *const *v, size_t n);

/*
 * Remember that the certificate came from src (copied; duplicates and more
 * than CERT_MAX_SOURCES ignored).  Returns 0 (xalloc.h).
 */
int		 cert_add_source(struct cert *c, const char *src);

/* The subject (or issuer) as one RFC 2253 line; borrowed from c. */
const char	*cert_subject(const struct cert *c);
const char	*cert_issuer(const struct cert *c);
/* A name in RFC 2253 form (UTF-8 kept), into buf; returns buf. */
const char	*cert_name_str(const X509_NAME *name, char *buf, size_t size);

/* Hex of len bytes into out (2*len+1 or 3*len bytes); colons if asked. */
void		 cert_hex(const unsigned char *p, size_t len, char *out,
		    int colons);
/*
 * The inverse of cert_hex for a SHA-256 of ours: exactly 64 lowercase hex
 * digits (len of them) into out.  -1 if s is not that.
 */
int		 cert_unhex(const char *s, size_t len, unsigned char out[32]);
/* "YYYY-MM-DD HH:MM:SS UTC" into buf (at least 32 bytes); NULL if bad. */
const char	*cert_time_str(const ASN1_TIME *t, char *buf, size_t size);
const char	*cert_time_t_str(time_t t, char *buf, size_t size);
/* t in UTC through strftime(3)'s fmt; NULL when it does not fit. */
const char	*cert_time_fmt(time_t t, const char *fmt, char *buf,
		    size_t size);
/* notAfter as a time_t (0 if it cannot be read). */
time_t		 cert_not_after(const struct cert *c);
/* notAfter as cert_time_str() writes it ("(invalid time)" and NULL). */
const char	*cert_not_after_str(const struct cert *c, char *buf,
		    size_t size);
/* 1 if the certificate's notAfter is now or before (X509_cmp_time). */
int		 cert_is_expired(const struct cert *c, time_t now);
/* 1 if basicConstraints says CA (X509_check_ca). */
int		 cert_is_ca(const struct cert *c);
/* cert_ca_for_purpose() of the certificate, as worked out when read. */
int		 cert_ca_for(const struct cert *c, enum purpose p);

/*
 * OpenSSL's X509_PURPOSE_* for p (server-auth: SSL server, email: S/MIME
 * signing), or 0 where OpenSSL has none (any; code-signing in 3.0).
 */
int		 purpose_x509(enum purpose p);
/*
 * 1 if x may issue certificates for p, by OpenSSL's CA checks of
 * X509_check_purpose (extendedKeyUsage, basicConstraints, keyUsage,
 * Netscape type): an email-only CA is not one for server-auth.  Always 1
 * for "any".
 */
int		 cert_ca_for_purpose(X509 *x, enum purpose p);

/* The name used on the command line and in docs: "server-auth"... */
const char	*purpose_name(enum purpose p);
/* -1 if name is not a purpose. */
int		 purpose_from_name(const char *name);

/* The trust that decides for purpose p (PURPOSE_ANY: the best of all). */
enum trust	 cert_trust_for(const enum trust trust[PURPOSE_N],
		    enum purpose p);

#endif
