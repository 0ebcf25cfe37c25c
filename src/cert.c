/*
 * cert.c: one certificate, see cert.h.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/conf.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "certlite.h"
#include "pool.h"
#include "xalloc.h"

static const char *purpose_names[PURPOSE_N + 1] = {
	"server-auth", "email", "code-signing", "any"
};

const char *
purpose_name(enum purpose p)
{
	return purpose_names[p];
}

int
purpose_from_name(const char *name)
{
	int i;

	for (i = 0; i <= PURPOSE_N; i++)
		if (strcmp(name, purpose_names[i]) == 0)
			return i;
	return -1;
}

enum trust
cert_trust_for(const enum trust trust[PURPOSE_N], enum purpose p)
{
	int i, not = 0, verify = 0;

	if (p != PURPOSE_ANY)
		return trust[p];
	/* any: an anchor if trusted for something, blocked only if for all */
	for (i = 0; i < PURPOSE_N; i++) {
		if (trust[i] == TRUST_DELEGATOR)
			return TRUST_DELEGATOR;
		if (trust[i] == TRUST_NOT_TRUSTED)
			not++;
		if (trust[i] == TRUST_MUST_VERIFY)
			verify++;
	}
	if (not == PURPOSE_N)
		return TRUST_NOT_TRUSTED;
	if (not > 0 || verify > 0)
		return TRUST_MUST_VERIFY;
	return TRUST_UNSPECIFIED;
}

static char	*name_oneline(const X509_NAME *name);
static OSSL_LIB_CTX *slot_ctx(void);

/* time_t of t, or 0 with *ok 0 */
static time_t
asn1_time_t(const ASN1_TIME *t, int *ok)
{
	struct tm tm;

	*ok = t != NULL && ASN1_TIME_to_tm(t, &tm);
	return *ok ? timegm(&tm) : 0;
}

/*
 * The fields of c from x (lite or whole, certlite.h), but for the digests,
 * which come from c->der.  -1 if a part we print is missing.
 */
static int
fill(struct cert *c, X509 *x)
{
	unsigned char *p;
	X509 *whole = NULL, *fx = x;
	int ilen, slen, ok;

	if (X509_get_subject_name(x) == NULL ||
	    X509_get_issuer_name(x) == NULL ||
	    X509_get0_notAfter(x) == NULL)
		return -1;
	c->not_after = asn1_time_t(X509_get0_notAfter(x), &ok);
	c->flags = ok ? CERT_NOT_AFTER_OK : 0;
	/* a version 1 CA is one if self-signed: OpenSSL asks the key */
	if (X509_get_version(x) == X509_VERSION_1 && X509_get0_pubkey(x) ==
	    NULL && (fx = whole = cert_x509(c)) == NULL)
		return -1;
	if (X509_check_ca(fx) == 1)
		c->flags |= CERT_CA;
	if (cert_ca_for_purpose(fx, PURPOSE_SERVER_AUTH))
		c->flags |= CERT_CA_SERVER;
	if (cert_ca_for_purpose(fx, PURPOSE_EMAIL))
		c->flags |= CERT_CA_EMAIL;
	if (cert_ca_for_purpose(fx, PURPOSE_CODE_SIGNING))
		c->flags |= CERT_CA_CODE;
	ERR_clear_error();	/* the checks leave what they could not read */
	c->hash = X509_subject_name_hash(x);
	c->hash_old = X509_subject_name_hash_old(x);
	c->issuer_hash = X509_issuer_name_hash(x);
	ilen = i2d_X509_NAME(X509_get_issuer_name(x), NULL);
	slen = i2d_ASN1_INTEGER(X509_get0_serialNumber(x), NULL);
	if (ilen <= 0 || slen <= 0)
		return -1;
	c->isn = p = xmalloc((size_t)ilen + (size_t)slen);
	c->isn_ilen = (size_t)i2d_X509_NAME(X509_get_issuer_name(x), &p);
	c->isn_slen = (size_t)i2d_ASN1_INTEGER(X509_get0_serialNumber(x), &p);
	if ((c->subject = name_oneline(X509_get_subject_name(x))) == NULL ||
	    (c->issuer = name_oneline(X509_get_issuer_name(x))) == NULL)
		return -1;
	return 0;
}

static pthread_once_t	 md_once = PTHREAD_ONCE_INIT;
static EVP_MD		*md_sha256, *md_sha1;

static void
md_fetch(void)
{
	/* a failed fetch fails again where it is used: its errors go */
	ERR_set_mark();
	md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	md_sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	ERR_pop_to_mark();
}

const EVP_MD *
cert_sha256(void)
{
	(void)pthread_once(&md_once, md_fetch);
	return md_sha256 != NULL ? md_sha256 : EVP_sha256();
}

const EVP_MD *
cert_sha1(void)
{
	(void)pthread_once(&md_once, md_fetch);
	return md_sha1 != NULL ? md_sha1 : EVP_sha1();
}

/* A cert of the len bytes at der (taken over); its digests.  NULL if bad. */
static struct cert *
cert_of_der(unsigned char *der, size_t len)
{
	struct cert *c;

	c = xcalloc(1, sizeof(*c));
	c->der = der;
	c->derlen = len;
	if (!EVP_Digest(der, len, c->sha256, NULL, cert_sha256(), NULL) ||
	    !EVP_Digest(der, len, c->sha1, NULL, cert_sha1(), NULL)) {
		cert_free(c);
		return NULL;
	}
	return c;
}

struct cert *
cert_from_x509(X509 *x)
{
	unsigned char *der = NULL;
	struct cert *c;
	int len;

	if ((len = i2d_X509(x, &der)) <= 0)
		return NULL;
	if ((c = cert_of_der(xmemdup(der, (size_t)len), (size_t)len)) ==
	    NULL) {
		OPENSSL_free(der);
		return NULL;
	}
	OPENSSL_free(der);
	c->x509 = x;
	if (fill(c, x) == -1) {
		c->x509 = NULL;		/* not taken after all */
		cert_free(c);
		return NULL;
	}
	return c;
}

/*
 * A cert of der (taken over) read as x (taken over: kept as the decoded
 * X509 when whole, freed once the fields are out when lite).  NULL if x
 * is NULL or a field is missing.
 */
static struct cert *
cert_of_x509(unsigned char *der, size_t len, X509 *x, int whole)
{
	struct cert *c;

	if (x == NULL) {
		free(der);
		return NULL;
	}
	if ((c = cert_of_der(der, len)) == NULL) {
		X509_free(x);
		return NULL;
	}
	if (whole)
		c->x509 = x;
	/* (a lite version 1 x: fill() keeps the whole decode in c->x509) */
	if (fill(c, x) == -1) {
		if (!whole)
			X509_free(x);
		cert_free(c);	/* and c->x509 with it */
		return NULL;
	}
	if (!whole)
		X509_free(x);
	return c;
}

struct cert *
cert_from_der_whole(const unsigned char *der, size_t len)
{
	return cert_of_x509(xmemdup(der, len), len,
	    certlite_d2i_in(slot_ctx(), der, len), 1);
}

struct cert *
cert_from_der(const unsigned char *der, size_t len)
{
	return cert_from_der_take(xmemdup(der, len), len);
}

struct cert *
cert_from_der_take(unsigned char *der, size_t len)
{
	return cert_of_x509(der, len, certlite_d2i(der, len), 0);
}

/*
 * The library context a worker of pool.c decodes in: one per slot, made on
 * first use and kept for the rest of the run (the certificates decoded in
 * it keep pointing at it).  OpenSSL 3.0 takes a read lock of the context's
 * tables for each step of decoding a key and each fetch of a verification;
 * two threads sharing one context spend more time on that lock's cache
 * line than on the work: decoding CCADB's 1,764 certificates on two
 * threads took longer than on one.  Each context reads the same
 * configuration file as the default one (OPENSSL_CONF or the built-in
 * path), so the same providers serve it.  The calling thread (slot 0), or
 * a slot whose context cannot be made, uses the default context.
 */
static OSSL_LIB_CTX *
slot_ctx(void)
{
	static OSSL_LIB_CTX *ctx[POOL_THREADS];
	static int tried[POOL_THREADS];
	int s = pool_slot();

	if (s <= 0 || s >= POOL_THREADS)
		return NULL;
	if (!tried[s]) {		/* the slot's thread alone (pool.h) */
		char *conf = CONF_get1_default_config_file();

		tried[s] = 1;
		if ((ctx[s] = OSSL_LIB_CTX_new()) != NULL && (conf == NULL ||
		    !OSSL_LIB_CTX_load_config(ctx[s], conf)) &&
		    OSSL_PROVIDER_load(ctx[s], "default") == NULL) {
			OSSL_LIB_CTX_free(ctx[s]);
			ctx[s] = NULL;
		}
		OPENSSL_free(conf);
		ERR_clear_error();
	}
	return ctx[s];
}

X509 *
cert_x509(struct cert *c)
{
	if (c->x509 == NULL)
		c->x509 = certlite_d2i_in(slot_ctx(), c->der, c->derlen);
	return c->x509;
}

struct decode_all {
	struct cert *const	*v;
	int			*failed;	/* one flag per index */
};

static void
decode_one(void *arg, size_t i)
{
	struct decode_all *a = arg;

	/* each certificate is one thread's alone (pool.h) */
	a->failed[i] = a->v[i] != NULL && cert_x509(a->v[i]) == NULL;
}

int
cert_decode_all(struct cert *const *v, size_t n)
{
	struct decode_all a;
	size_t i, todo = 0;
	int rc = 0;

	for (i = 0; i < n; i++)
		if (v[i] != NULL && v[i]->x509 == NULL)
			todo++;
	if (todo == 0)
		return 0;
	a.v = v;
	a.failed = xcalloc(n, sizeof(*a.failed));
	pool_for(n, decode_one, &a);
	for (i = 0; i < n; i++)
		if (a.failed[i])
			rc = -1;
	free(a.failed);
	return rc;
}

struct cert *
cert_dup_plain(const struct cert *c)
{
	struct cert *n = xcalloc(1, sizeof(*n));

	memcpy(n->sha256, c->sha256, sizeof(n->sha256));
	memcpy(n->sha1, c->sha1, sizeof(n->sha1));
	n->der = xmemdup(c->der, c->derlen);
	n->derlen = c->derlen;
	if (c->x509 != NULL && X509_up_ref(c->x509))
		n->x509 = c->x509;
	n->flags = c->flags;
	n->not_after = c->not_after;
	n->hash = c->hash;
	n->hash_old = c->hash_old;
	n->issuer_hash = c->issuer_hash;
	n->isn = xmemdup(c->isn, c->isn_ilen + c->isn_slen);
	n->isn_ilen = c->isn_ilen;
	n->isn_slen = c->isn_slen;
	n->subject = xstrdup(c->subject);
	n->issuer = xstrdup(c->issuer);
	memcpy(n->signer, c->signer, sizeof(n->signer));
	return n;
}

void
cert_free(struct cert *c)
{
	size_t i;

	if (c == NULL)
		return;
	X509_free(c->x509);
	free(c->der);
	free(c->isn);
	free(c->label);
	free(c->subject);
	free(c->issuer);
	for (i = 0; i < c->nsources; i++)
		free(c->sources[i]);
	free(c);
}

int
cert_add_source(struct cert *c, const char *src)
{
	size_t i;

	for (i = 0; i < c->nsources; i++)
		if (strcmp(c->sources[i], src) == 0)
			return 0;
	if (c->nsources == CERT_MAX_SOURCES)
		return 0;
	c->sources[c->nsources++] = xstrdup(src);
	return 0;
}

static char *
name_oneline(const X509_NAME *name)
{
	BIO *b;
	BUF_MEM *m;
	char *s = NULL;

	if ((b = BIO_new(BIO_s_mem())) == NULL)
		return NULL;
	/* RFC 2253 order and escaping, UTF-8 kept as UTF-8 */
	if (X509_NAME_print_ex(b, name, 0,
	    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		BIO_get_mem_ptr(b, &m);
		if ((s = malloc(m->length + 1)) != NULL) {
			memcpy(s, m->data, m->length);
			s[m->length] = '\0';
		}
	}
	BIO_free(b);
	return s;
}

const char *
cert_name_str(const X509_NAME *name, char *buf, size_t size)
{
	char *s = name_oneline(name);

	snprintf(buf, size, "%s", s != NULL ? s : "");
	free(s);
	return buf;
}

const char *
cert_subject(const struct cert *c)
{
	return c->subject != NULL ? c->subject : "";
}

const char *
cert_issuer(const struct cert *c)
{
	return c->issuer != NULL ? c->issuer : "";
}

void
cert_hex(const unsigned char *p, size_t len, char *out, int colons)
{
	const char *hex = colons ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t i;
	char *o = out;

	for (i = 0; i < len; i++) {
		if (colons && i > 0)
			*o++ = ':';
		*o++ = hex[p[i] >> 4];
		*o++ = hex[p[i] & 15];
	}
	*o = '\0';
}

int
cert_unhex(const char *s, size_t len, unsigned char out[32])
{
	static const char digits[] = "0123456789abcdef";
	const char *hi, *lo;
	size_t i;

	if (len != 64)
		return -1;
	for (i = 0; i < 32; i++) {
		if (s[2 * i] == '\0' || s[2 * i + 1] == '\0' ||
		    (hi = strchr(digits, s[2 * i])) == NULL ||
		    (lo = strchr(digits, s[2 * i + 1])) == NULL)
			return -1;
		out[i] = (unsigned char)((hi - digits) << 4 | (lo - digits));
	}
	return 0;
}

const char *
cert_time_fmt(time_t t, const char *fmt, char *buf, size_t size)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, size, fmt, &tm) == 0)
		return NULL;
	return buf;
}

const char *
cert_time_t_str(time_t t, char *buf, size_t size)
{
	return cert_time_fmt(t, "%Y-%m-%d %H:%M:%S UTC", buf, size);
}

const char *
cert_time_str(const ASN1_TIME *t, char *buf, size_t size)
{
	struct tm tm;

	if (t == NULL || !ASN1_TIME_to_tm(t, &tm) ||
	    strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) {
		snprintf(buf, size, "(invalid time)");
		return NULL;
	}
	return buf;
}

time_t
cert_not_after(const struct cert *c)
{
	return c->not_after;
}

const char *
cert_not_after_str(const struct cert *c, char *buf, size_t size)
{
	if ((c->flags & CERT_NOT_AFTER_OK) == 0 ||
	    cert_time_t_str(c->not_after, buf, size) == NULL) {
		snprintf(buf, size, "(invalid time)");
		return NULL;
	}
	return buf;
}

int
cert_is_expired(const struct cert *c, time_t now)
{
	/* as X509_cmp_time: an unreadable time is not a verdict */
	return (c->flags & CERT_NOT_AFTER_OK) != 0 && c->not_after <= now;
}

int
cert_is_ca(const struct cert *c)
{
	/* 1: CA per basicConstraints; 3, 4, 5: legacy v1 / keyUsage / NS */
	return (c->flags & CERT_CA) != 0;
}

int
cert_ca_for(const struct cert *c, enum purpose p)
{
	static const unsigned bit[PURPOSE_N] = {
		CERT_CA_SERVER, CERT_CA_EMAIL, CERT_CA_CODE
	};

	return p == PURPOSE_ANY || (c->flags & bit[p]) != 0;
}

int
purpose_x509(enum purpose p)
{
	switch (p) {
	case PURPOSE_SERVER_AUTH:
		return X509_PURPOSE_SSL_SERVER;
	case PURPOSE_EMAIL:
		return X509_PURPOSE_SMIME_SIGN;
	default:
		return 0;
	}
}

int
cert_ca_for_purpose(X509 *x, enum purpose p)
{
	int id = purpose_x509(p);
	uint32_t xku;

	if (id != 0)
		return X509_check_purpose(x, id, 1) > 0;
	if (p != PURPOSE_CODE_SIGNING)
		return 1;
	/* OpenSSL 3.0 has no code-signing purpose: its EKU, as it would */
	if ((X509_get_extension_flags(x) & EXFLAG_XKUSAGE) == 0)
		return 1;
	xku = X509_get_extended_key_usage(x);
	return (xku & (XKU_CODE_SIGN | XKU_ANYEKU)) != 0;
}
