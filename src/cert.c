/*
 * cert.c: one certificate, see cert.h.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert.h"
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

struct cert *
cert_from_x509(X509 *x)
{
	struct cert *c;
	unsigned int n;

	c = xcalloc(1, sizeof(*c));
	c->x509 = x;
	if (!X509_digest(x, EVP_sha256(), c->sha256, &n) ||
	    !X509_digest(x, EVP_sha1(), c->sha1, &n)) {
		c->x509 = NULL;
		free(c);
		return NULL;
	}
	return c;
}

struct cert *
cert_from_der(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	struct cert *c;
	X509 *x;

	if (len > (size_t)LONG_MAX)
		return NULL;
	if ((x = d2i_X509(NULL, &p, (long)len)) == NULL)
		return NULL;
	if (p != der + len) {
		/* trailing bytes: not one certificate */
		X509_free(x);
		ERR_raise_data(ERR_LIB_X509, ERR_R_PASSED_INVALID_ARGUMENT,
		    "%zu bytes after the certificate", len - (size_t)(p - der));
		return NULL;
	}
	/* force the decode of the parts we print, so bad ones fail here */
	if (X509_get_subject_name(x) == NULL ||
	    X509_get0_notAfter(x) == NULL ||
	    (c = cert_from_x509(x)) == NULL) {
		X509_free(x);
		return NULL;
	}
	return c;
}

void
cert_free(struct cert *c)
{
	size_t i;

	if (c == NULL)
		return;
	X509_free(c->x509);
	free(c->label);
	free(c->subject);
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
cert_subject(struct cert *c)
{
	if (c->subject == NULL)
		c->subject = name_oneline(X509_get_subject_name(c->x509));
	return c->subject != NULL ? c->subject : "";
}

const char *
cert_issuer(const struct cert *c, char *buf, size_t size)
{
	char *s;

	s = name_oneline(X509_get_issuer_name(c->x509));
	snprintf(buf, size, "%s", s != NULL ? s : "");
	free(s);
	return buf;
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
	struct tm tm;

	if (!ASN1_TIME_to_tm(X509_get0_notAfter(c->x509), &tm))
		return 0;
	return timegm(&tm);
}

int
cert_is_expired(const struct cert *c, time_t now)
{
	return X509_cmp_time(X509_get0_notAfter(c->x509), &now) < 0;
}

int
cert_is_ca(const struct cert *c)
{
	/* 1: CA per basicConstraints; 3, 4, 5: legacy v1 / keyUsage / NS */
	return X509_check_ca(c->x509) == 1;
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
