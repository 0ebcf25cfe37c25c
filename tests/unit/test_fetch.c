/*
 * test_fetch.c: the pure parts of fetch.c: a publisher's checksum file
 * and the file name of a URL.
 */
#include <string.h>

#include "fetch.h"
#include "t.h"

#define A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
#define C "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static int
sum(const char *text, const char *file, char out[65])
{
	memset(out, 0, 65);
	return fetch_checksum((const unsigned char *)text, strlen(text), file,
	    out);
}

void
test_fetch(void)
{
	char out[65], f[64];

	/* one line, with or without a name: that one, lowercased */
	CHECK(sum(B "  cacert.pem\n", "cacert.pem", out) == 0 &&
	    strcmp(out, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb") == 0);
	CHECK(sum(A, "x.pem", out) == 0 && strcmp(out, A) == 0);
	CHECK(sum(A "  other.pem\n", "x.pem", out) == 0 && strcmp(out, A) == 0);
	/* several: the one naming the file, in each form */
	CHECK(sum(A "  a.pem\n" C " *pub/x.pem\n" A "  z.pem\n", "x.pem",
	    out) == 0 && strcmp(out, C) == 0);
	CHECK(sum("SHA256 (a.pem) = " A "\r\nSHA256 (x.pem) = " C "\r\n",
	    "x.pem", out) == 0 && strcmp(out, C) == 0);
	CHECK(sum("# comment\n\n  " C "\tx.pem  \r\n" A "  y.pem\n", "x.pem",
	    out) == 0 && strcmp(out, C) == 0);
	/* a name that only ends like it is another file */
	CHECK(sum(A "  a.pem\n" C "  xx.pem\n", "x.pem", out) == 2);
	/* several, none for the file: how many */
	CHECK(sum(A "  a.pem\n" C "  b.pem\n" A "  c.pem\n", "x.pem", out) == 3);
	/* none: no 64-digit word, 63 or 65 digits, a non-hex digit */
	CHECK(sum("", "x.pem", out) == -1);
	CHECK(sum("<html>404</html>\n", "x.pem", out) == -1);
	CHECK(sum(A "a  x.pem\n", "x.pem", out) == -1);
	CHECK(sum("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  x.pem\n",
	    "x.pem", out) == -1);
	CHECK(sum("gaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  x.pem\n",
	    "x.pem", out) == -1);
	CHECK(sum("SHA256 (x.pem) = " A "a\n", "x.pem", out) == -1);
	CHECK(sum("SHA256 () = " A "\n", "x.pem", out) == 0);	/* one */
	CHECK(sum("SHA256 (x.pem) " A "\n", "x.pem", out) == -1);
	/* the file name of a URL */
	fetch_url_file("https://curl.se/ca/cacert.pem", f, sizeof(f));
	CHECK(strcmp(f, "cacert.pem") == 0);
	fetch_url_file("http://h/a/b.pem?x=1#y", f, sizeof(f));
	CHECK(strcmp(f, "b.pem") == 0);
	fetch_url_file("http://h/dir/", f, sizeof(f));
	CHECK(strcmp(f, "") == 0);
	fetch_url_file("/srv/roots.pem", f, sizeof(f));
	CHECK(strcmp(f, "roots.pem") == 0);
}
