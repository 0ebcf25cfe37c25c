/*
 * PEM, DER and PKCS#7 readers, and detection by content.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "blocklist.h"
#include "certset.h"
#include "der.h"
#include "diag.h"
#include "format.h"
#include "pem.h"
#include "source.h"
#include "t.h"
#include "xalloc.h"

/* format_parse on a fixture or corpus file; the set is returned. */
static int
parse_file(const char *dir, const char *rel, struct certset **setp)
{
	struct certset *set = certset_new();
	struct blocklist *bl = blocklist_new();
	unsigned char *buf;
	size_t len;
	int n = -2;

	if ((buf = t_read(dir, rel, &len)) != NULL)
		n = format_parse(rel, buf, len, CERTDATA_ALL, set, bl, NULL);
	free(buf);
	blocklist_free(bl);
	if (setp)
		*setp = set;
	else
		certset_free(set);
	return n;
}

static int
parse_mem(const char *s, size_t len)
{
	struct certset *set = certset_new();
	struct blocklist *bl = blocklist_new();
	int n = format_parse("mem", (const unsigned char *)s, len,
	    CERTDATA_ALL, set, bl, NULL);

	certset_free(set);
	blocklist_free(bl);
	return n;
}

static size_t
count(const char *hay, size_t len, const char *needle)
{
	size_t n = 0, nl = strlen(needle);
	const char *p = hay, *end = hay + len;

	while ((p = memmem(p, (size_t)(end - p), needle, nl)) != NULL) {
		n++;
		p += nl;
	}
	return n;
}

static void
forms(void)
{
	struct certset *set;

	CHECK(parse_file(t_fixtures, "roots.pem", NULL) == 2);
	CHECK(parse_file(t_fixtures, "roots.p7b", NULL) == 2);
	CHECK(parse_file(t_fixtures, "roots-p7.pem", NULL) == 2);
	CHECK(parse_file(t_fixtures, "root-a.der", NULL) == 1);

	CHECK(parse_file(t_fixtures, "root-a-trusted.pem", &set) == 1);
	CHECK(set->n == 1 && set->v[0]->trust[PURPOSE_SERVER_AUTH] ==
	    TRUST_DELEGATOR);
	certset_free(set);
	CHECK(parse_file(t_fixtures, "root-b-rejected.pem", &set) == 1);
	CHECK(set->n == 1 && set->v[0]->trust[PURPOSE_SERVER_AUTH] ==
	    TRUST_NOT_TRUSTED);
	certset_free(set);
	CHECK(parse_file(t_fixtures, "root-b-email.pem", &set) == 1);
	CHECK(set->n == 1 &&
	    set->v[0]->trust[PURPOSE_SERVER_AUTH] == TRUST_MUST_VERIFY &&
	    set->v[0]->trust[PURPOSE_EMAIL] == TRUST_DELEGATOR);
	certset_free(set);

	/* the same certificate as DER, PEM and in PKCS#7 is one entry */
	{
		struct certset *a, *b;

		parse_file(t_fixtures, "root-a.der", &a);
		parse_file(t_fixtures, "roots.p7b", &b);
		CHECK(a->n == 1 && certset_find(b, a->v[0]->sha256) != NULL);
		certset_free(a);
		certset_free(b);
	}
}

static void
hostile(void)
{
	unsigned char *buf, *der;
	size_t len, derlen;
	char *s, *cut;

	buf = t_read(t_fixtures, "roots.pem", &len);
	CHECK(buf != NULL);
	if (buf == NULL)
		return;
	/* truncated in the second block */
	CHECK(parse_mem((char *)buf, len - 100) == -1);
	/* truncated right after a BEGIN line */
	cut = strstr((char *)buf + 10, "-----BEGIN CERTIFICATE-----");
	CHECK(cut != NULL && parse_mem((char *)buf,
	    (size_t)(cut - (char *)buf) + 28) == -1);
	/* a block that is not base64 is skipped, the other one read */
	s = malloc(len + 200);
	snprintf(s, len + 200, "%s-----BEGIN CERTIFICATE-----\n!!!!\n"
	    "-----END CERTIFICATE-----\n", (char *)buf);
	CHECK(parse_mem(s, strlen(s)) == 2);
	/* a certificate whose DER is damaged is skipped with a warning */
	snprintf(s, len + 200, "%s-----BEGIN CERTIFICATE-----\nMIIBAAAA\n"
	    "-----END CERTIFICATE-----\n", (char *)buf);
	CHECK(parse_mem(s, strlen(s)) == 2);
	/* END of another type */
	snprintf(s, len + 200, "-----BEGIN CERTIFICATE-----\nMIIB\n"
	    "-----END PRIVATE KEY-----\n");
	CHECK(parse_mem(s, strlen(s)) == -1);
	/* keys are skipped: a file with only a key gives no certificate */
	snprintf(s, len + 200, "-----BEGIN PRIVATE KEY-----\nMIIB\n"
	    "-----END PRIVATE KEY-----\n");
	CHECK(parse_mem(s, strlen(s)) == 0);
	free(s);
	free(buf);

	/* DER with trailing bytes, truncated DER, garbage */
	der = t_read(t_fixtures, "root-a.der", &derlen);
	CHECK(der != NULL);
	if (der == NULL)
		return;
	s = malloc(derlen + 10);
	memcpy(s, der, derlen);
	memcpy(s + derlen, "garbage!!", 9);
	CHECK(parse_mem(s, derlen + 9) == -1);
	CHECK(parse_mem((char *)der, derlen - 1) == -1);
	CHECK(parse_mem((char *)der, 10) == -1);
	CHECK(parse_mem("hello, world\n", 13) == -1);
	CHECK(parse_mem("", 0) == -1);
	CHECK(format_detect((const unsigned char *)"\x30\x03\x02\x01\x00", 5) ==
	    FORMAT_UNKNOWN);
	free(s);
	free(der);
}

static void
corpus(void)
{
	static const char *pems[] = {
		"curl-cacert/cacert-2023-01-10.pem",
		"curl-cacert/cacert-2026-05-14.pem",
		"legacy/certifi-14.5.15-cacert.pem",
		"ccadb/MozillaIntermediateCerts-atc0005-20260808.pem",
		"chains/cert-manager.com-chain.pem",
	};
	size_t i, len;

	if (t_no_corpus("pem corpus"))
		return;
	for (i = 0; i < sizeof(pems) / sizeof(pems[0]); i++) {
		unsigned char *buf = t_read(t_corpus, pems[i], &len);
		struct certset *set;
		size_t blocks;
		int n;

		if (buf == NULL) {
			t_skip("pem corpus: '%s' absent", pems[i]);
			continue;
		}
		blocks = count((char *)buf, len, "-----BEGIN CERTIFICATE-----");
		n = parse_file(t_corpus, pems[i], &set);
		/* every block gives a certificate; duplicates count once */
		CHECK(n == (int)blocks);
		CHECK(set->n <= blocks && set->n > 0);
		certset_free(set);
		free(buf);
	}
	/* 1,764 CCADB intermediates, all distinct */
	{
		struct certset *set;

		CHECK(parse_file(t_corpus,
		    "ccadb/MozillaIntermediateCerts-atc0005-20260808.pem",
		    &set) == 1764);
		CHECK(set->n == 1764);
		certset_free(set);
	}
}

/*
 * One table: the "format =" keys the man pages document are the rows of
 * format.h, and every row detects or aliases one that does.
 */
static void
formats_documented(void)
{
	static const char *pages[] = { "man/trustbuild.conf.5",
	    "man/trustbuild.1" };
	const struct format *f;
	unsigned char *man;
	size_t len, i;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		if ((man = t_read(".", pages[i], &len)) == NULL) {
			t_skip("formats_documented: no '%s' here", pages[i]);
			continue;
		}
		for (f = format_table; f->key != NULL; f++) {
			char want[64], listed[64];
			int ok;

			/* ".Cm pem" or in a list ".Pq Cm certdata , pem ," */
			snprintf(want, sizeof(want), "Cm %s", f->key);
			snprintf(listed, sizeof(listed), " %s ,", f->key);
			ok = strstr((char *)man, want) != NULL ||
			    strstr((char *)man, listed) != NULL;
			if (!ok)
				fprintf(stderr, "'%s' lacks '%s'\n", pages[i],
				    want);
			CHECK(ok);
		}
		free(man);
	}
	for (f = format_table; f->key != NULL; f++)
		CHECK((f->parse != NULL) + (f->certs != NULL) == 1 &&
		    f->name != NULL &&
		    (f->detect != NULL || format_get(f->fmt)->detect != NULL));
	CHECK(format_from_key("gif") == NULL);
	CHECK(format_from_key("pkcs7")->fmt == FORMAT_DER);
	CHECK(strcmp(format_name(FORMAT_UNKNOWN), "unknown") == 0);
}

/*
 * A file of more certificates than pem.c decodes at once (its batches go
 * to the pool's threads): the set keeps the file's order, and the
 * warnings and the closing error come in file order, with their lines,
 * across the batch boundaries.
 */
static void
test_pem_batches(void)
{
	const char *rel = "ccadb/MozillaIntermediateCerts-atc0005-20260808.pem";
	struct certset *set = certset_new();
	struct diags d = DIAGS_INIT;
	unsigned char *src;
	size_t len, i, nb = 0, pos = 0, want = 0;
	char *text;
	BIO *bio;
	X509 *x;
	int n, inorder = 1;
	size_t lines[3] = { 0, 0, 0 };

	if ((src = t_read(t_corpus, rel, &len)) == NULL) {
		t_skip("pem batches: the corpus's CCADB list is absent");
		certset_free(set);
		return;
	}
	/* the blocks in order, with three bad ones spliced in */
	text = xmalloc(len + 4096);
	for (const char *p = (const char *)src, *e = p + len; p < e;) {
		const char *b = memmem(p, (size_t)(e - p), "-----BEGIN", 10);
		const char *q;

		if (b == NULL)
			break;
		if ((q = memmem(b, (size_t)(e - b), "-----END CERTIFICATE-----\n",
		    26)) == NULL)
			break;
		q += 26;
		if (nb == 5)
			pos += (size_t)sprintf(text + pos, "-----BEGIN PRIVATE "
			    "KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
		if (nb == 300)
			pos += (size_t)sprintf(text + pos, "-----BEGIN "
			    "CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
		if (nb == 600)
			pos += (size_t)sprintf(text + pos, "-----BEGIN "
			    "CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
		memcpy(text + pos, b, (size_t)(q - b));
		pos += (size_t)(q - b);
		nb++;
		p = q;
	}
	pos += (size_t)sprintf(text + pos, "-----BEGIN CERTIFICATE-----\nAAAA\n");
	CHECK(nb > 700);
	n = pem_parse("batches", text, pos, set, &d);
	CHECK(n == -1);		/* the block without END, after all the rest */
	/* what was read is every certificate of the original, in its order */
	bio = BIO_new_mem_buf(src, (int)len);
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		unsigned char *der = NULL;
		int dl = i2d_X509(x, &der);

		if (want >= set->n || (size_t)dl != set->v[want]->derlen ||
		    memcmp(der, set->v[want]->der, (size_t)dl) != 0)
			inorder = 0;
		want++;
		OPENSSL_free(der);
		X509_free(x);
	}
	ERR_clear_error();
	BIO_free(bio);
	CHECK(want == nb && set->n == nb && inorder);
	/* three warnings and one error, in file order */
	CHECK(d.n == 4);
	for (i = 0; i < d.n && i < 4; i++) {
		const char *m = d.v[i].msg;

		if (i < 3)
			lines[i] = d.v[i].line;
		CHECK((i == 0 && strstr(m, "'PRIVATE KEY' block") != NULL) ||
		    (i == 1 && strstr(m, "not valid base64") != NULL) ||
		    (i == 2 && strstr(m, "does not decode") != NULL) ||
		    (i == 3 && strstr(m, "no END line") != NULL));
	}
	CHECK(lines[0] > 0 && lines[0] < lines[1] && lines[1] < lines[2] &&
	    d.n == 4 && lines[2] < d.v[3].line);
	diags_clear(&d);
	certset_free(set);
	free(text);
	free(src);
}

void
test_pem_der(void)
{
	forms();
	hostile();
	corpus();
	formats_documented();
	test_pem_batches();
}
