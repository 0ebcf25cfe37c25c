/*
 * The CCADB CSV report: the real file, broken copies of it, random damage
 * that must never crash the reader, and fields and records at their bounds
 * and one past them.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "ccadb.h"
#include "certset.h"
#include "t.h"

#define CSV "ccadb/MozillaIntermediateCerts-20260725.csv"
/* the SHA256 cell of the file's first row */
#define SHA "4E93BCADD5D4E95331AE362DF9C6066CCA7F942A8FDE4D3EE011DE34074F5840"

static int
parse_d(const char *buf, size_t len, struct diags *d)
{
	struct certset *set = certset_new();
	int n = ccadb_parse("t", buf, len, set, d);

	if (n >= 0 && (size_t)n != set->n)
		n = -2;		/* a count that does not match the set */
	certset_free(set);
	return n;
}

static int
parse(const char *buf, size_t len)
{
	return parse_d(buf, len, NULL);
}

/* parse(), with the errors it hands back in err; it prints nothing. */
static int
parse_err(const char *buf, size_t len, char *err, size_t errsz)
{
	struct diags d = DIAGS_INIT;
	int r;

	t_catch();
	r = parse_d(buf, len, &d);
	t_silent(&d, err, errsz);
	return r;
}

/* 1 if parse_err() refuses buf with a message holding want. */
static int
refused(const char *buf, size_t len, const char *want)
{
	char err[512];

	if (parse_err(buf, len, err, sizeof(err)) != -1) {
		fprintf(stderr, "accepted: %.60s...\n", buf);
		return 0;
	}
	return t_has(err, want);
}

/*
 * A report of one row: Subject, SHA256 and PEM of the first row of the
 * real file, the PEM quoted.  The field named by where is pad bytes: the
 * PEM field padded after its END line with "" pairs (and an 'x' for an odd
 * count), or an unquoted Subject of 'x's.  The caller releases b.
 */
enum pad_where { PAD_PEM, PAD_SUBJECT };

static void
one_row(struct buf *b, const char *pem, size_t pemlen, enum pad_where where,
    size_t pad)
{
	size_t i;

	buf_printf(b, "\"Subject\",\"SHA256\",\"PEM\"\n");
	if (where == PAD_SUBJECT)
		for (i = 0; i < pad; i++)
			buf_add(b, "x", 1);
	else
		buf_printf(b, "\"CN=3CX CA RSA R1; O=3CX; C=CY\"");
	buf_printf(b, ",\"%s\",\"", SHA);
	buf_add(b, pem, pemlen);
	if (where == PAD_PEM)
		for (i = pemlen; i < pad; i += 2) {
			if (i + 1 == pad)
				buf_add(b, "x", 1);
			else
				buf_add(b, "\"\"", 2);
		}
	buf_printf(b, "\"\n");
}

/*
 * A header of ncol columns (Subject, SHA256, PEM, then C4...), and a row
 * of rowcol fields: the first row of the real file, then empty fields.
 */
static void
wide(struct buf *b, const char *pem, size_t pemlen, int ncol, int rowcol)
{
	int i;

	buf_printf(b, "\"Subject\",\"SHA256\",\"PEM\"");
	for (i = 4; i <= ncol; i++)
		buf_printf(b, ",\"C%d\"", i);
	buf_printf(b, "\n\"CN=3CX CA RSA R1; O=3CX; C=CY\",\"%s\",\"", SHA);
	buf_add(b, pem, pemlen);
	buf_printf(b, "\"");
	for (i = 4; i <= rowcol; i++)
		buf_printf(b, ",");
	buf_printf(b, "\n");
}

/*
 * CCADB_MAX_FIELD counts a field as written: the bytes between its quotes
 * (a "" is two), or of an unquoted field.  1 MiB is read, one byte more
 * refused.  CCADB_MAX_COLUMNS: 64 fields are read, a 65th refused, in the
 * header and in a row.
 */
static void
bounds(const char *pem, size_t pemlen)
{
	const size_t max = 1024 * 1024;
	struct buf b = { NULL, 0, 0, 0 };

	one_row(&b, pem, pemlen, PAD_PEM, max);
	CHECK(!b.failed && parse(b.p, b.len) == 1);
	b.len = 0;
	one_row(&b, pem, pemlen, PAD_PEM, max + 1);
	CHECK(!b.failed && refused(b.p, b.len,
	    "'t': line 2: a field larger than 1 MiB"));
	b.len = 0;
	one_row(&b, pem, pemlen, PAD_SUBJECT, max);
	CHECK(!b.failed && parse(b.p, b.len) == 1);
	b.len = 0;
	one_row(&b, pem, pemlen, PAD_SUBJECT, max + 1);
	CHECK(!b.failed && refused(b.p, b.len,
	    "'t': line 2: a field larger than 1 MiB"));

	b.len = 0;
	wide(&b, pem, pemlen, 64, 64);
	CHECK(!b.failed && ccadb_detect(b.p, b.len) &&
	    parse(b.p, b.len) == 1);
	b.len = 0;
	wide(&b, pem, pemlen, 65, 65);
	CHECK(!b.failed && !ccadb_detect(b.p, b.len) &&
	    refused(b.p, b.len, "'t': line 1: more than 64 fields"));
	b.len = 0;
	wide(&b, pem, pemlen, 64, 65);
	CHECK(!b.failed &&
	    refused(b.p, b.len, "'t': line 2: more than 64 fields"));
	/* a row of one field: "1 field", not "1 fields" */
	b.len = 0;
	buf_printf(&b, "\"Subject\",\"SHA256\",\"PEM\"\n\"x\"\n");
	CHECK(!b.failed &&
	    refused(b.p, b.len, "'t': line 2: 1 field where the header has 3"));
	buf_release(&b);
}

void
test_ccadb(void)
{
	unsigned char *buf;
	size_t len, mlen, rows = 0, i;
	const char *p;
	char *m;

	if (t_no_corpus("ccadb"))
		return;
	if ((buf = t_read(t_corpus, CSV, &len)) == NULL) {
		t_skip("ccadb: '%s' absent", CSV);
		return;
	}
	for (p = (char *)buf; (p = memmem(p, len - (size_t)(p - (char *)buf),
	    "\"-----BEGIN CERTIFICATE-----", 28)) != NULL; p++)
		rows++;
	CHECK(rows == 1759);
	/* the first row's PEM, for the bounds */
	{
		const char *b = memmem(buf, len,
		    "-----BEGIN CERTIFICATE-----", 27);
		const char *e = b ? memmem(b, len - (size_t)(b - (char *)buf),
		    "-----END CERTIFICATE-----", 25) : NULL;

		CHECK(e != NULL);
		if (e != NULL)
			bounds(b, (size_t)(e + 25 - b));
	}
	CHECK(ccadb_detect((char *)buf, len));
	CHECK(parse((char *)buf, len) == (int)rows);

	/* a wrong SHA256 cell: that row is skipped */
	m = t_replace((char *)buf, len, "\"4E93BCADD5D4E95331AE362DF9C6066CCA7F942A8FDE4D3EE011DE34074F5840\"",
	    "\"5E93BCADD5D4E95331AE362DF9C6066CCA7F942A8FDE4D3EE011DE34074F5840\"", &mlen);
	CHECK(m != NULL && parse(m, mlen) == (int)rows - 1);
	free(m);
	/* lower case and an empty cell are fine */
	m = t_replace((char *)buf, len, "\"4E93BCADD5D4E95331AE362DF9C6066CCA7F942A8FDE4D3EE011DE34074F5840\"",
	    "\"4e93bcadd5d4e95331ae362df9c6066cca7f942a8fde4d3ee011de34074f5840\"", &mlen);
	CHECK(m != NULL && parse(m, mlen) == (int)rows);
	free(m);
	m = t_replace((char *)buf, len, "\"4E93BCADD5D4E95331AE362DF9C6066CCA7F942A8FDE4D3EE011DE34074F5840\"",
	    "\"\"", &mlen);
	CHECK(m != NULL && parse(m, mlen) == (int)rows);
	free(m);
	/* "" in a quoted field */
	m = t_replace((char *)buf, len, "\"CN=3CX CA RSA R1; O=3CX; C=CY\"",
	    "\"CN=3CX \"\"CA\"\" RSA R1; O=3CX; C=CY\"", &mlen);
	CHECK(m != NULL && parse(m, mlen) == (int)rows);
	free(m);
	/* a row with one field fewer */
	m = t_replace((char *)buf, len, "\"CN=3CX CA RSA R1; O=3CX; C=CY\",", "",
	    &mlen);
	CHECK(m != NULL && parse(m, mlen) == -1);
	free(m);
	/* truncated inside the PEM of a row: the quote never closes */
	CHECK(parse((char *)buf, 3000) == -1);
	/* a header without PEM */
	m = t_replace((char *)buf, len, "\"PEM\"", "\"Cert\"", &mlen);
	CHECK(m != NULL && !ccadb_detect(m, mlen) && parse(m, mlen) == -1);
	free(m);
	/* CRLF line ends */
	m = t_crlf(buf, len, &mlen);
	CHECK(ccadb_detect(m, mlen) && parse(m, mlen) == (int)rows);
	free(m);
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
