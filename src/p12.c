/*
 * p12.c: the PKCS#12 truststore writer, see p12.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "p12.h"
#include "text.h"
#include "xalloc.h"

/* The friendly name of set->v[i], unique ignoring case (malloc'd). */
static char *
friendly(const struct certset *set, size_t i)
{
	struct cert *c = set->v[i];
	char esc[1024], other[1024], hex[65];
	size_t j;

	text_esc(c->label != NULL ? c->label : cert_subject(c), esc,
	    sizeof(esc));
	for (j = 0; j < set->n; j++) {
		struct cert *o = set->v[j];

		if (j == i)
			continue;
		text_esc(o->label != NULL ? o->label : cert_subject(o), other,
		    sizeof(other));
		if (strcasecmp(esc, other) == 0) {
			cert_hex(c->sha256, 32, hex, 0);
			return xasprintf("%s [%.8s]", esc, hex);
		}
	}
	return xstrdup(esc);
}

/* The salt of the MAC: a digest of the password and the content. */
static int
salt(const struct certset *set, const char *pass, unsigned char out[16])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char dg[32];
	size_t i;
	int ok;

	ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
	    EVP_DigestUpdate(md, "trustbuild pkcs12 salt", 22) &&
	    EVP_DigestUpdate(md, pass, strlen(pass) + 1);
	for (i = 0; ok && i < set->n; i++)
		ok = EVP_DigestUpdate(md, set->v[i]->der, set->v[i]->derlen);
	ok = ok && EVP_DigestFinal_ex(md, dg, NULL);
	EVP_MD_CTX_free(md);
	if (ok)
		memcpy(out, dg, 16);
	return ok ? 0 : -1;
}

/* One certBag for set->v[i] on *bags.  0, or -1 (OpenSSL's error queue). */
static int
add_bag(STACK_OF(PKCS12_SAFEBAG) **bags, const struct certset *set,
    size_t i, const ASN1_OBJECT *any)
{
	PKCS12_SAFEBAG *bag;
	char *name = friendly(set, i);
	int ok;

	ok = cert_x509(set->v[i]) != NULL &&
	    (bag = PKCS12_add_cert(bags, cert_x509(set->v[i]))) != NULL &&
	    PKCS12_add_friendlyname_utf8(bag, name, -1) &&
	    PKCS12_add1_attr_by_txt(bag, P12_TRUST_OID, V_ASN1_OBJECT,
	    (const unsigned char *)any, -1);
	free(name);
	return ok ? 0 : -1;
}

int
p12_render(const struct certset *set, const struct output_target *t,
    struct rendered *r, struct diags *d)
{
	const char *pass = t->password ? t->password : OUTPUT_PASSWORD;
	STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
	STACK_OF(PKCS7) *safes = NULL;
	ASN1_OBJECT *any = NULL;
	PKCS12 *p12 = NULL;
	PKCS7 *p7;
	unsigned char s[16], *der = NULL;
	size_t i;
	int len, rc = -1;

	if (*pass == '\0') {
		diag_err(d, t->path, 0, "a PKCS#12 truststore needs a password "
		    "(Java cannot read one without); set password =, or leave "
		    "it out for '%s'", OUTPUT_PASSWORD);
		return -1;
	}
	if ((any = OBJ_txt2obj("2.5.29.37.0", 1)) == NULL)
		goto err;
	for (i = 0; i < set->n; i++)
		if (add_bag(&bags, set, i, any) == -1)
			goto err;
	if ((safes = sk_PKCS7_new_null()) == NULL ||
	    (p7 = PKCS12_pack_p7data(bags)) == NULL)
		goto err;
	if (!sk_PKCS7_push(safes, p7)) {
		PKCS7_free(p7);
		goto err;
	}
	if ((p12 = PKCS12_add_safes(safes, 0)) == NULL ||
	    salt(set, pass, s) == -1 ||
	    !PKCS12_set_mac(p12, pass, -1, s, sizeof(s), P12_MAC_ITER,
	    EVP_sha256()) || (len = i2d_PKCS12(p12, &der)) <= 0)
		goto err;
	buf_add(&r->b, der, (size_t)len);
	rc = 0;
	goto out;
err:
	diag_err(d, t->path, 0, "cannot make the PKCS#12 truststore: %s",
	    ERR_peek_error() ? ERR_reason_error_string(ERR_peek_error()) :
	    "out of memory");
out:
	ERR_clear_error();
	OPENSSL_free(der);
	PKCS12_free(p12);
	sk_PKCS7_pop_free(safes, PKCS7_free);
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	ASN1_OBJECT_free(any);
	return rc;
}
