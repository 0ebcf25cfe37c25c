/*
 * der.c: DER certificates and PKCS#7 bags, see der.h.
 */
#include <limits.h>
#include <stdio.h>

#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "der.h"
#include "diag.h"

int
der_detect(const unsigned char *buf, size_t len)
{
	/* SEQUENCE with a long-form length: certificates are never tiny */
	return len >= 4 && buf[0] == 0x30 && (buf[1] == 0x81 ||
	    buf[1] == 0x82 || buf[1] == 0x83 || buf[1] == 0x80);
}

int
der_parse_pkcs7(const char *name, size_t line, const unsigned char *der,
    size_t len, struct certset *set, struct diags *d)
{
	const unsigned char *p = der;
	STACK_OF(X509) *certs;
	PKCS7 *p7;
	int i, n = 0;

	if (len > (size_t)LONG_MAX ||
	    (p7 = d2i_PKCS7(NULL, &p, (long)len)) == NULL) {
		diag_ssl(d, name, line, "bad PKCS#7 data");
		return -1;
	}
	if (!PKCS7_type_is_signed(p7) || p7->d.sign == NULL) {
		diag_err(d, name, line, "PKCS#7 data is not SignedData; a "
		    "certificate bag (.p7b, .p7c) is expected");
		PKCS7_free(p7);
		return -1;
	}
	certs = p7->d.sign->cert;
	for (i = 0; i < sk_X509_num(certs); i++) {
		X509 *x = sk_X509_value(certs, i);
		struct cert *c;

		if (!X509_up_ref(x) || (c = cert_from_x509(x)) == NULL) {
			X509_free(x);
			diag_ssl(d, name, line, "out of memory");
			PKCS7_free(p7);
			return -1;
		}
		cert_add_source(c, name);
		certset_add(set, c);
		n++;
	}
	PKCS7_free(p7);
	if (n == 0)
		diag_warn(d, name, line, "a PKCS#7 structure without "
		    "certificates");
	return n;
}

int
der_parse(const char *name, const void *der, size_t len,
    struct certset *set, struct diags *d)
{
	const unsigned char *buf = der;
	struct cert *c;

	if ((c = cert_from_der(buf, len)) != NULL) {
		cert_add_source(c, name);
		certset_add(set, c);
		return 1;
	}
	ERR_clear_error();
	/* not a certificate: a PKCS#7 bag, or neither */
	{
		const unsigned char *p = buf;
		PKCS7 *p7;

		if (len <= (size_t)LONG_MAX &&
		    (p7 = d2i_PKCS7(NULL, &p, (long)len)) != NULL) {
			PKCS7_free(p7);
			return der_parse_pkcs7(name, 0, buf, len, set, d);
		}
	}
	diag_ssl(d, name, 0, "not a DER certificate or PKCS#7 bag; is the "
	    "file truncated?");
	return -1;
}
