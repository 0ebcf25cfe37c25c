/*
 * The CCADB CSV report: the real file, broken copies of it, and random
 * damage that must never crash the reader.
 */
#include <stdlib.h>
#include <string.h>

#include "ccadb.h"
#include "certset.h"
#include "t.h"

#define CSV "ccadb/MozillaIntermediateCerts-20260725.csv"

static int
parse(const char *buf, size_t len)
{
	struct certset *set = certset_new();
	int n = ccadb_parse("t", buf, len, set);

	if (n >= 0 && (size_t)n != set->n)
		n = -2;		/* a count that does not match the set */
	certset_free(set);
	return n;
}

static char *
replace(const char *buf, size_t len, const char *from, const char *to,
    size_t *outlen)
{
	const char *at = memmem(buf, len, from, strlen(from));
	size_t pre;
	char *out;

	if (at == NULL)
		return NULL;
	pre = (size_t)(at - buf);
	*outlen = len - strlen(from) + strlen(to);
	out = malloc(*outlen + 1);
	memcpy(out, buf, pre);
	memcpy(out + pre, to, strlen(to));
	memcpy(out + pre + strlen(to), at + strlen(from),
	    len - pre - strlen(from));
	out[*outlen] = '\0';
	return out;
}

void
test_ccadb(void)
{
	unsigned char *buf;
	size_t len, mlen, rows = 0, i;
	const char *p;
	char *m;

	if (t_no_corpus("ccadb") || (buf = t_read(t_corpus, CSV, &len)) == NULL)
		return;
	for (p = (char *)buf; (p = memmem(p, len - (size_t)(p - (char *)buf),
	    "\"-----BEGIN CERTIFICATE-----", 28)) != NULL; p++)
		rows++;
	CHECK(rows == 1759);
	CHECK(ccadb_detect((char *)buf, len));
	CHECK(parse((char *)buf, len) == (int)rows);

	/* a wrong SHA256 cell: that row is skipped */
	m = replace((char *)buf, len, "\"4E93BCADD5D4E95331AE362DF9C6066CCA7F942A8FDE4D3EE011DE34074F5840\"",
	    "\"5E93BCADD5D4E95331AE362DF9C6066CCA7F942A8FDE4D3EE011DE34074F5840\"", &mlen);
	CHECK(m != NULL && parse(m, mlen) == (int)rows - 1);
	free(m);
	/* lower case and an empty cell are fine */
	m = replace((char *)buf, len, "\"4E93BCADD5D4E95331AE362DF9C6066CCA7F942A8FDE4D3EE011DE34074F5840\"",
	    "\"4e93bcadd5d4e95331ae362df9c6066cca7f942a8fde4d3ee011de34074f5840\"", &mlen);
	CHECK(m != NULL && parse(m, mlen) == (int)rows);
	free(m);
	m = replace((char *)buf, len, "\"4E93BCADD5D4E95331AE362DF9C6066CCA7F942A8FDE4D3EE011DE34074F5840\"",
	    "\"\"", &mlen);
	CHECK(m != NULL && parse(m, mlen) == (int)rows);
	free(m);
	/* "" in a quoted field */
	m = replace((char *)buf, len, "\"CN=3CX CA RSA R1; O=3CX; C=CY\"",
	    "\"CN=3CX \"\"CA\"\" RSA R1; O=3CX; C=CY\"", &mlen);
	CHECK(m != NULL && parse(m, mlen) == (int)rows);
	free(m);
	/* a row with one field fewer */
	m = replace((char *)buf, len, "\"CN=3CX CA RSA R1; O=3CX; C=CY\",", "",
	    &mlen);
	CHECK(m != NULL && parse(m, mlen) == -1);
	free(m);
	/* truncated inside the PEM of a row: the quote never closes */
	CHECK(parse((char *)buf, 3000) == -1);
	/* a header without PEM */
	m = replace((char *)buf, len, "\"PEM\"", "\"Cert\"", &mlen);
	CHECK(m != NULL && !ccadb_detect(m, mlen) && parse(m, mlen) == -1);
	free(m);
	/* CRLF line ends */
	{
		char *crlf = malloc(len * 2);
		size_t o = 0, k;

		for (k = 0; k < len; k++) {
			if (buf[k] == '\n')
				crlf[o++] = '\r';
			crlf[o++] = (char)buf[k];
		}
		CHECK(ccadb_detect(crlf, o) && parse(crlf, o) == (int)rows);
		free(crlf);
	}
	CHECK(parse("", 0) == -1);
	CHECK(!ccadb_detect("", 0));

	/* random damage to the first 20 KB: any answer but a crash */
	{
		size_t n = len < 20000 ? len : 20000;
		unsigned int seed = 12345;
		int bad = 0;

		m = malloc(n);
		for (i = 0; i < 2000; i++) {
			size_t k, cut = n;

			memcpy(m, buf, n);
			for (k = 0; k < 1 + i % 8; k++) {
				seed = seed * 1103515245 + 12345;
				m[(seed >> 8) % n] = (char)(seed >> 16);
			}
			if (i % 3 == 0) {
				seed = seed * 1103515245 + 12345;
				cut = (seed >> 8) % n;
			}
			if (parse(m, cut) < -1)
				bad++;
		}
		CHECK(bad == 0);
		free(m);
	}
	free(buf);
}
