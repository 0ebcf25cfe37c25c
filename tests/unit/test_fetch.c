/*
 * test_fetch.c: the pure parts of fetch.c: a publisher's checksum file,
 * the file name of a URL, and which addresses and URL hosts are not public
 * (AIA's address policy).
 */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <string.h>

#include "fetch.h"
#include "t.h"

#define A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
#define C "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* The kind of an address given as text, or "" when public. */
static const char *
kind(const char *text)
{
	unsigned char a[16];
	const char *k;

	if (inet_pton(AF_INET, text, a) == 1)
		k = fetch_addr_kind(AF_INET, a);
	else if (inet_pton(AF_INET6, text, a) == 1)
		k = fetch_addr_kind(AF_INET6, a);
	else
		return "bad test";
	return k ? k : "";
}

static int
url_is(const char *url, const char *want_kind, const char *want_host)
{
	char host[256];
	const char *k = fetch_url_kind(url, host, sizeof(host));

	if (want_kind == NULL)
		return k == NULL;
	return k != NULL && strcmp(k, want_kind) == 0 &&
	    strcmp(host, want_host) == 0;
}

static void
test_addr_policy(void)
{
	/* IPv4, each range at its edges */
	CHECK(strcmp(kind("127.0.0.1"), "loopback") == 0);
	CHECK(strcmp(kind("127.255.255.255"), "loopback") == 0);
	CHECK(strcmp(kind("10.0.0.1"), "private") == 0);
	CHECK(strcmp(kind("172.16.0.0"), "private") == 0);
	CHECK(strcmp(kind("172.31.255.255"), "private") == 0);
	CHECK(strcmp(kind("172.15.255.255"), "") == 0);
	CHECK(strcmp(kind("172.32.0.0"), "") == 0);
	CHECK(strcmp(kind("192.168.1.1"), "private") == 0);
	CHECK(strcmp(kind("192.169.0.1"), "") == 0);
	CHECK(strcmp(kind("169.254.169.254"), "link-local") == 0);
	CHECK(strcmp(kind("0.0.0.0"), "unspecified") == 0);
	CHECK(strcmp(kind("0.1.2.3"), "unspecified") == 0);
	CHECK(strncmp(kind("100.64.0.1"), "shared", 6) == 0);
	CHECK(strncmp(kind("100.127.255.255"), "shared", 6) == 0);
	CHECK(strcmp(kind("100.128.0.0"), "") == 0);
	CHECK(strcmp(kind("224.0.0.1"), "multicast") == 0);
	CHECK(strcmp(kind("239.255.255.255"), "multicast") == 0);
	CHECK(strcmp(kind("255.255.255.255"), "broadcast") == 0);
	CHECK(strcmp(kind("240.0.0.1"), "reserved") == 0);
	CHECK(strcmp(kind("8.8.8.8"), "") == 0);
	CHECK(strcmp(kind("1.1.1.1"), "") == 0);
	/* IPv6, and IPv4 carried in IPv6 */
	CHECK(strcmp(kind("::"), "unspecified") == 0);
	CHECK(strcmp(kind("::1"), "loopback") == 0);
	CHECK(strcmp(kind("fe80::1"), "link-local") == 0);
	CHECK(strcmp(kind("febf::1"), "link-local") == 0);
	CHECK(strcmp(kind("fec0::1"), "private") == 0);
	CHECK(strcmp(kind("fc00::1"), "private") == 0);
	CHECK(strcmp(kind("fdff::1"), "private") == 0);
	CHECK(strcmp(kind("ff02::1"), "multicast") == 0);
	CHECK(strcmp(kind("::ffff:127.0.0.1"), "loopback") == 0);
	CHECK(strcmp(kind("::ffff:10.1.2.3"), "private") == 0);
	CHECK(strcmp(kind("::ffff:169.254.169.254"), "link-local") == 0);
	CHECK(strcmp(kind("::ffff:8.8.8.8"), "") == 0);
	CHECK(strcmp(kind("::127.0.0.1"), "loopback") == 0);
	CHECK(strcmp(kind("64:ff9b::10.0.0.1"), "private") == 0);
	CHECK(strcmp(kind("2002:7f00:1::1"), "loopback") == 0);
	CHECK(strcmp(kind("2001:4860:4860::8888"), "") == 0);
	CHECK(strcmp(kind("2606:4700::1111"), "") == 0);
	/* URL hosts: IP literals in every form libcurl reads, localhost */
	CHECK(url_is("http://127.0.0.1/x", "loopback", "127.0.0.1"));
	CHECK(url_is("http://127.1:8080/x", "loopback", "127.0.0.1"));
	CHECK(url_is("http://0x7f.1/x", "loopback", "127.0.0.1"));
	CHECK(url_is("http://2130706433/x", "loopback", "127.0.0.1"));
	CHECK(url_is("http://0177.0.0.1/x", "loopback", "127.0.0.1"));
	CHECK(url_is("http://0x0a.1/x", "private", "10.0.0.1"));
	CHECK(url_is("http://[::1]:80/x", "loopback", "::1"));
	CHECK(url_is("http://[::ffff:127.0.0.1]/", "loopback",
	    "::ffff:127.0.0.1"));
	CHECK(url_is("http://[fe80::1%25eth0]/", "link-local", "fe80::1"));
	CHECK(url_is("http://169.254.169.254/latest/", "link-local",
	    "169.254.169.254"));
	CHECK(url_is("http://localhost/x", "loopback", "localhost"));
	CHECK(url_is("http://LocalHost./x", "loopback", "LocalHost."));
	CHECK(url_is("http://a.b.localhost:9/x", "loopback",
	    "a.b.localhost"));
	CHECK(url_is("http://user@10.0.0.1/x", "private", "10.0.0.1"));
	/* names, public literals and what does not parse: not judged here */
	CHECK(url_is("http://crt.example.com/x.der", NULL, NULL));
	CHECK(url_is("http://notlocalhost/x", NULL, NULL));
	CHECK(url_is("http://8.8.8.8/x", NULL, NULL));
	CHECK(url_is("http://[2001:db8::1]/x", NULL, NULL));
	CHECK(url_is("not a url", NULL, NULL));
}

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
	test_addr_policy();
}
