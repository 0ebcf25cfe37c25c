/*
 * PEM, DER and PKCS#7 readers, and detection by content.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blocklist.h"
#include "certset.h"
#include "der.h"
#include "format.h"
#include "pem.h"
#include "source.h"
#include "t.h"

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

void
test_pem_der(void)
{
	forms();
	hostile();
	corpus();
	formats_documented();
}
