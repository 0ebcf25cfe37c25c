/*
 * certdata.txt parser: the six real NSS files, broken variants of one, and
 * attribute values at the 1 MiB bound and one byte past it.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "blocklist.h"
#include "buf.h"
#include "certdata.h"
#include "certset.h"
#include "t.h"

static const struct {
	const char	*file;
	int		 certs;		/* CKO_CERTIFICATE objects */
	int		 server;	/* trusted delegators for server auth */
	int		 email;		/* ... for email protection */
	int		 blocked;	/* trust objects with CKT_NSS_NOT_TRUSTED */
	int		 server_after;	/* server distrust-after dates */
} files[] = {
	{ "certdata-NSS_3_45_RTM-builtins2.34.txt", 155, 139, 110, 9, 0 },
	{ "certdata-NSS_3_89_RTM-builtins2.60.txt", 160, 140, 108, 1, 3 },
	{ "certdata-NSS_3_95_RTM-builtins2.64.txt", 166, 146, 107, 1, 0 },
	{ "certdata-NSS_3_101_RTM-builtins2.68.txt", 172, 148, 109, 1, 0 },
	{ "certdata-NSS_3_110_RTM-builtins2.74.txt", 176, 150, 103, 1, 9 },
	{ "certdata-NSS_3_123_1_RTM-builtins2.86.txt", 167, 121, 90, 0, 6 },
};

static int
parse_d(const char *buf, size_t len, struct certset **setp,
    struct blocklist **blp, struct diags *d)
{
	struct certset *set = certset_new();
	struct blocklist *bl = blocklist_new();
	int n = certdata_parse("t", buf, len, CERTDATA_ALL, set, bl, d);

	if (setp)
		*setp = set;
	else
		certset_free(set);
	if (blp)
		*blp = bl;
	else
		blocklist_free(bl);
	return n;
}

static int
parse(const char *buf, size_t len, struct certset **setp,
    struct blocklist **blp)
{
	return parse_d(buf, len, setp, blp, NULL);
}

/* parse(), with the errors it hands back in err; it prints nothing. */
static int
parse_err(const char *buf, size_t len, struct certset **setp, char *err,
    size_t errsz)
{
	struct diags d = DIAGS_INIT;
	int r;

	t_catch();
	r = parse_d(buf, len, setp, NULL, &d);
	t_silent(&d, err, errsz);
	return r;
}

static void
corpus_files(void)
{
	size_t i, j;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char rel[256];
		unsigned char *buf;
		size_t len;
		struct certset *set;
		struct blocklist *bl;
		int n, server = 0, email = 0, after = 0;

		snprintf(rel, sizeof(rel), "certdata/%s", files[i].file);
		if ((buf = t_read(t_corpus, rel, &len)) == NULL) {
			t_skip("certdata: '%s' absent", rel);
			continue;
		}
		CHECK(certdata_detect((char *)buf, len));
		n = parse((char *)buf, len, &set, &bl);
		CHECK(n == files[i].certs);
		CHECK(set->n == (size_t)files[i].certs);
		for (j = 0; j < set->n; j++) {
			struct cert *c = set->v[j];

			server += c->trust[PURPOSE_SERVER_AUTH] ==
			    TRUST_DELEGATOR;
			email += c->trust[PURPOSE_EMAIL] == TRUST_DELEGATOR;
			after += c->distrust[0] == DISTRUST_AFTER;
			/* every certificate of a current file has a label */
			CHECK(c->label != NULL);
		}
		CHECK(server == files[i].server);
		CHECK(email == files[i].email);
		CHECK(after == files[i].server_after);
		CHECK(bl->n == (size_t)files[i].blocked);
		certset_free(set);
		blocklist_free(bl);
		/* asked for one purpose: only its anchors are decoded */
		set = certset_new();
		bl = blocklist_new();
		CHECK(certdata_parse("t", (char *)buf, len, PURPOSE_SERVER_AUTH,
		    set, bl, NULL) == files[i].server);
		CHECK(bl->n == (size_t)files[i].blocked);
		certset_free(set);
		set = certset_new();
		CHECK(certdata_parse("t", (char *)buf, len, PURPOSE_EMAIL,
		    set, bl, NULL) == files[i].email);
		certset_free(set);
		blocklist_free(bl);
		free(buf);
	}
}

/* Known values: the Entrust distrust of 2024 in builtins 2.74. */
static void
distrust_after(void)
{
	unsigned char *buf;
	size_t len, i;
	struct certset *set;
	int found = 0;

	buf = t_read(t_corpus,
	    "certdata/certdata-NSS_3_110_RTM-builtins2.74.txt", &len);
	if (buf == NULL) {
		t_skip("certdata distrust-after: builtins 2.74 absent");
		return;
	}
	parse((char *)buf, len, &set, NULL);
	for (i = 0; i < set->n; i++) {
		struct cert *c = set->v[i];

		/* Entrust Root Certification Authority: distrusted for TLS
		 * certificates issued after 241130235959Z */
		if (c->label && strcmp(c->label,
		    "Entrust Root Certification Authority") == 0) {
			found = 1;
			CHECK(c->distrust[0] == DISTRUST_AFTER);
			CHECK(c->distrust_after[0] == 1733011199);
			CHECK(c->distrust[1] == DISTRUST_NEVER);
		}
	}
	CHECK(found);
	certset_free(set);
	free(buf);
}

static void
broken(void)
{
	unsigned char *buf;
	char *m;
	size_t len, mlen;
	const char *end;

	buf = t_read(t_corpus, "certdata/certdata-NSS_3_89_RTM-builtins2.60.txt",
	    &len);
	if (buf == NULL) {
		t_skip("certdata truncated: builtins 2.60 absent");
		return;
	}
	/* truncated inside a MULTILINE_OCTAL value */
	end = strstr((char *)buf, "CKA_VALUE MULTILINE_OCTAL\n");
	CHECK(end != NULL);
	CHECK(parse((char *)buf, (size_t)(end - (char *)buf) + 40, NULL,
	    NULL) == -1);
	/* truncated between objects is fine: fewer objects */
	CHECK(parse((char *)buf, (size_t)(strstr((char *)buf,
	    "# Certificate \"GlobalSign Root CA\"") - (char *)buf), NULL,
	    NULL) == 0);

	struct {
		const char *from, *to;
	} cases[] = {
		{ "CK_TRUST CKT_NSS_TRUSTED_DELEGATOR", "CK_TRUST CKT_BOGUS" },
		{ "\nCKA_CERTIFICATE_TYPE CK_CERTIFICATE_TYPE CKC_X_509",
		    "\nCKA_CERTIFICATE_TYPE CK_CERTIFICATE_TYPE CKC_WTLS" },
		{ "CKO_NSS_TRUST", "CKO_NSS_SOMETHING" },
		{ "CKA_LABEL UTF8 \"GlobalSign Root CA\"",
		    "CKA_LABEL CK_ULONG 12" },
		{ "\\060\\127\\061", "\\060\\129\\061" },
		{ "\\060\\127\\061", "\\060\\127 \\061" },
		{ "BEGINDATA\n", "BEGINDATA\nstray text\n" },
		{ "# certdata.txt\n", "CKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\n" },
		{ "CKA_NSS_SERVER_DISTRUST_AFTER CK_BBOOL CK_FALSE",
		    "CKA_NSS_SERVER_DISTRUST_AFTER CK_BBOOL CK_TRUE" },
		/* wrong SHA-1 of GlobalSign Root CA: first byte 0xb1 -> 0xb2 */
		{ "CKA_CERT_SHA1_HASH MULTILINE_OCTAL\n\\261",
		    "CKA_CERT_SHA1_HASH MULTILINE_OCTAL\n\\262" },
		{ "BEGINDATA\n", "" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m = t_replace((char *)buf, len, cases[i].from, cases[i].to, &mlen);
		CHECK(m != NULL);
		if (m == NULL)
			continue;
		CHECK(parse(m, mlen, NULL, NULL) == -1);
		free(m);
	}
	/* CRLF line ends are still certdata */
	{
		size_t clen;
		char *crlf = t_crlf(buf, len, &clen);

		CHECK(parse(crlf, clen, NULL, NULL) == 160);
		free(crlf);
	}
	/* empty and binary garbage are not certdata */
	CHECK(!certdata_detect("", 0));
	CHECK(parse("", 0, NULL, NULL) == -1);
	free(buf);
}

/*
 * A self-signed Ed25519 certificate of exactly len DER bytes (len over
 * 64 KiB, so that every enclosing length takes 3 bytes): an unknown,
 * non-critical extension holds an OCTET STRING of zeros as padding.
 * Ed25519 signatures have one size: the second try has the padding right.
 */
static unsigned char *
sized_cert(EVP_PKEY *key, size_t len)
{
	size_t pad = len - 1024;
	int i;

	for (i = 0; i < 3; i++) {
		X509 *x = X509_new();
		X509_NAME *nm = X509_NAME_new();
		ASN1_OBJECT *oid = OBJ_txt2obj("1.3.6.1.4.1.32473.1", 1);
		ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
		X509_EXTENSION *ext = NULL;
		unsigned char *v = calloc(1, pad), *der = NULL, *p;
		int n = -1;

		/* extnValue: the DER of OCTET STRING { pad - 5 zeros } */
		if (v != NULL) {
			v[0] = 0x04;
			v[1] = 0x83;
			v[2] = (unsigned char)((pad - 5) >> 16);
			v[3] = (unsigned char)((pad - 5) >> 8);
			v[4] = (unsigned char)(pad - 5);
		}
		if (x != NULL && nm != NULL && oid != NULL && os != NULL &&
		    v != NULL && ASN1_OCTET_STRING_set(os, v, (int)pad) &&
		    (ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, os)) &&
		    X509_set_version(x, 2) &&
		    ASN1_INTEGER_set(X509_get_serialNumber(x), 0x1234567) &&
		    X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
		    (const unsigned char *)"Bound Test Root", -1, -1, 0) &&
		    X509_set_subject_name(x, nm) &&
		    X509_set_issuer_name(x, nm) &&
		    ASN1_TIME_set_string_X509(X509_getm_notBefore(x),
		    "20250101000000Z") &&
		    ASN1_TIME_set_string_X509(X509_getm_notAfter(x),
		    "20991231235959Z") &&
		    X509_set_pubkey(x, key) && X509_add_ext(x, ext, -1) &&
		    X509_sign(x, key, NULL))
			n = i2d_X509(x, NULL);
		if (n > 0 && (size_t)n == len &&
		    (der = malloc(len)) != NULL) {
			p = der;
			i2d_X509(x, &p);
		}
		X509_EXTENSION_free(ext);
		ASN1_OCTET_STRING_free(os);
		ASN1_OBJECT_free(oid);
		X509_NAME_free(nm);
		X509_free(x);
		free(v);
		if (der != NULL || n <= 0)
			return der;
		pad = pad + len - (size_t)n;
	}
	return NULL;
}

/* "NAME MULTILINE_OCTAL", the bytes as \ooo, 16 a line, "END". */
static void
octal(struct buf *b, const char *attr, const unsigned char *p, size_t n)
{
	char line[16 * 4 + 1];
	size_t i, o = 0;

	buf_printf(b, "%s MULTILINE_OCTAL\n", attr);
	for (i = 0; i < n; i++) {
		line[o++] = '\\';
		line[o++] = (char)('0' + (p[i] >> 6));
		line[o++] = (char)('0' + ((p[i] >> 3) & 7));
		line[o++] = (char)('0' + (p[i] & 7));
		if (i % 16 == 15 || i + 1 == n) {
			line[o++] = '\n';
			buf_add(b, line, o);
			o = 0;
		}
	}
	buf_printf(b, "END\n");
}

/* The number of the line b's next byte starts. */
static size_t
next_line_no(const struct buf *b)
{
	size_t i, n = 1;

	for (i = 0; i < b->len; i++)
		n += b->p[i] == '\n';
	return n;
}

/*
 * A certificate object with a CKA_SUBJECT of sublen bytes (decoded, not
 * kept) and der as its CKA_VALUE, and the trust object that makes it a
 * server anchor.  *subline and *valline: the lines of the two attributes.
 */
static void
bound_doc(struct buf *b, const unsigned char *der, size_t len, size_t sublen,
    size_t *subline, size_t *valline)
{
	const unsigned char *p = der;
	unsigned char *sub, *issuer = NULL, *serial = NULL, sha1[20];
	X509 *x = d2i_X509(NULL, &p, (long)len);
	int il = i2d_X509_NAME(X509_get_issuer_name(x), &issuer);
	int sl = i2d_ASN1_INTEGER(X509_get0_serialNumber(x), &serial);

	EVP_Digest(der, len, sha1, NULL, EVP_sha1(), NULL);
	if ((sub = malloc(sublen)) != NULL)
		memset(sub, 'A', sublen);
	buf_printf(b, "BEGINDATA\n"
	    "CKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\n"
	    "CKA_TOKEN CK_BBOOL CK_TRUE\n"
	    "CKA_LABEL UTF8 \"Bound Test Root\"\n"
	    "CKA_CERTIFICATE_TYPE CK_CERTIFICATE_TYPE CKC_X_509\n");
	*subline = next_line_no(b);
	octal(b, "CKA_SUBJECT", sub, sublen);
	octal(b, "CKA_ISSUER", issuer, (size_t)il);
	octal(b, "CKA_SERIAL_NUMBER", serial, (size_t)sl);
	*valline = next_line_no(b);
	octal(b, "CKA_VALUE", der, len);
	buf_printf(b, "\nCKA_CLASS CK_OBJECT_CLASS CKO_NSS_TRUST\n"
	    "CKA_LABEL UTF8 \"Bound Test Root\"\n");
	octal(b, "CKA_CERT_SHA1_HASH", sha1, sizeof(sha1));
	octal(b, "CKA_ISSUER", issuer, (size_t)il);
	octal(b, "CKA_SERIAL_NUMBER", serial, (size_t)sl);
	buf_printf(b,
	    "CKA_TRUST_SERVER_AUTH CK_TRUST CKT_NSS_TRUSTED_DELEGATOR\n"
	    "CKA_TRUST_EMAIL_PROTECTION CK_TRUST CKT_NSS_MUST_VERIFY_TRUST\n"
	    "CKA_TRUST_CODE_SIGNING CK_TRUST CKT_NSS_MUST_VERIFY_TRUST\n");
	OPENSSL_free(issuer);
	OPENSSL_free(serial);
	X509_free(x);
	free(sub);
}

/*
 * CERTDATA_MAX_VALUE counts the decoded bytes of one MULTILINE_OCTAL value
 * (one per \ooo escape): 1 MiB is read, kept (CKA_VALUE) or not
 * (CKA_SUBJECT); one byte more is refused, naming the attribute's line.
 */
static void
value_bound(void)
{
	const size_t max = 1024 * 1024;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	unsigned char *der = key ? sized_cert(key, max) : NULL;
	unsigned char *der1 = key ? sized_cert(key, max + 1) : NULL;
	struct buf b = { NULL, 0, 0, 0 };
	struct certset *set;
	char err[512], want[64];
	size_t subline, valline;

	CHECK(der != NULL && der1 != NULL);
	if (der == NULL || der1 == NULL)
		goto out;
	/* at the bound: both values read, the certificate an anchor */
	bound_doc(&b, der, max, max, &subline, &valline);
	CHECK(!b.failed);
	CHECK(parse_err(b.p, b.len, &set, err, sizeof(err)) == 1);
	CHECK(err[0] == '\0');
	CHECK(set->n == 1);
	if (set->n == 1) {
		struct cert *c = set->v[0];
		unsigned char *p = NULL;
		int n = i2d_X509(cert_x509(c), &p);

		CHECK(n == (int)max && memcmp(p, der, max) == 0);
		CHECK(c->derlen == max && memcmp(c->der, der, max) == 0);
		CHECK(c->label && strcmp(c->label, "Bound Test Root") == 0);
		CHECK(c->trust[PURPOSE_SERVER_AUTH] == TRUST_DELEGATOR);
		CHECK(c->trust[PURPOSE_EMAIL] == TRUST_MUST_VERIFY);
		OPENSSL_free(p);
	}
	certset_free(set);
	/* a CKA_VALUE one byte past it */
	b.len = 0;
	bound_doc(&b, der1, max + 1, 1, &subline, &valline);
	CHECK(parse_err(b.p, b.len, NULL, err, sizeof(err)) == -1);
	snprintf(want, sizeof(want), "'t': line %zu: value larger than 1 MiB",
	    valline);
	CHECK(strstr(err, want) != NULL);
	/* a CKA_SUBJECT one byte past it, though it is not kept */
	b.len = 0;
	bound_doc(&b, der, max, max + 1, &subline, &valline);
	CHECK(parse_err(b.p, b.len, NULL, err, sizeof(err)) == -1);
	snprintf(want, sizeof(want), "'t': line %zu: value larger than 1 MiB",
	    subline);
	CHECK(strstr(err, want) != NULL);
out:
	buf_release(&b);
	free(der);
	free(der1);
	EVP_PKEY_free(key);
}

void
test_certdata(void)
{
	value_bound();
	if (t_no_corpus("certdata"))
		return;
	corpus_files();
	distrust_after();
	broken();
}
