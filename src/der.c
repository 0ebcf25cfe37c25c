/*
 * der.c: DER certificates and PKCS#7 bags, see der.h.
 */
#include <limits.h>
#include <stdio.h>

#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "der.h"
#include "log.h"

int
der_detect(const unsigned char *buf, size_t len)
{
	/* SEQUENCE with a long-form length: certificates are never tiny */
	return len >= 4 && buf[0] == 0x30 && (buf[1] == 0x81 ||
	    buf[1] == 0x82 || buf[1] == 0x83 || buf[1] == 0x80);
}

int
der_parse_pkcs7(const char *name, const char *where,
    const unsigned char *der, size_t len, struct certset *set)
{
	const unsigned char *p = der;
	STACK_OF(X509) *certs;
	PKCS7 *p7;
	int i, n = 0;

	if (len > (size_t)LONG_MAX ||
	    (p7 = d2i_PKCS7(NULL, &p, (long)len)) == NULL) {
		log_ssl("%s: bad PKCS#7 data", where);
		return -1;
	}
	if (!PKCS7_type_is_signed(p7) || p7->d.sign == NULL) {
		log_err("%s: PKCS#7 data is not SignedData; a certificate bag "
		    "(.p7b, .p7c) is expected", where);
		PKCS7_free(p7);
		return -1;
	}
	certs = p7->d.sign->cert;
	for (i = 0; i < sk_X509_num(certs); i++) {
		X509 *x = sk_X509_value(certs, i);
		struct cert *c;

		if (!X509_up_ref(x) || (c = cert_from_x509(x)) == NULL) {
			X509_free(x);
			log_ssl("%s: out of memory", where);
			PKCS7_free(p7);
			return -1;
		}
		if (cert_add_source(c, name) == -1 || certset_add(set, c) == -1) {
			log_err("%s: out of memory", where);
			PKCS7_free(p7);
			return -1;
		}
		n++;
	}
	PKCS7_free(p7);
	if (n == 0)
		log_warn("%s: PKCS#7 bag holds no certificates", where);
	return n;
}

int
der_parse(const char *name, const unsigned char *buf, size_t len,
    struct certset *set)
{
	struct cert *c;
	char where[1100];

	snprintf(where, sizeof(where), "'%s'", name);
	if ((c = cert_from_der(buf, len)) != NULL) {
		if (cert_add_source(c, name) == -1 || certset_add(set, c) == -1) {
			log_err("%s: out of memory", where);
			return -1;
		}
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
			return der_parse_pkcs7(name, where, buf, len, set);
		}
	}
	log_ssl("%s: not a DER certificate or PKCS#7 bag; is the file "
	    "truncated?", where);
	return -1;
}
