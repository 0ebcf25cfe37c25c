/*
 * The pure parts of probe and AIA: URLs, server reply lines, the LDAP
 * StartTLS answer, and the decoding of AIA answers (DER, PEM, PKCS#7).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "aia.h"
#include "probe.h"
#include "t.h"

static int
url(const char *u, const char *scheme, int starttls,
    const char *host, const char *port)
{
	struct probe_target t;
	char err[256];

	if (probe_parse_url(u, &t, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", u, err);
		return 0;
	}
	return strcmp(t.scheme, scheme) == 0 && t.starttls == starttls &&
	    strcmp(t.host, host) == 0 && strcmp(t.port, port) == 0;
}

static int
bad_url(const char *u, const char *want)
{
	struct probe_target t;
	char err[256];

	if (probe_parse_url(u, &t, err, sizeof(err)) == 0)
		return 0;
	return t_has(err, want);
}

static void
test_urls(void)
{
	CHECK(url("smtp://mail.example.com", "smtp", 1,
	    "mail.example.com", "25"));
	CHECK(url("submission://mail.example.com.netsolmail.net:587",
	    "submission", 1, "mail.example.com.netsolmail.net",
	    "587"));
	CHECK(url("submission://relay", "submission", 1, "relay",
	    "587"));
	CHECK(url("smtps://relay", "smtps", 0, "relay", "465"));
	CHECK(url("imap://h", "imap", 1, "h", "143"));
	CHECK(url("imaps://h", "imaps", 0, "h", "993"));
	CHECK(url("pop3://h", "pop3", 1, "h", "110"));
	CHECK(url("pop3s://h", "pop3s", 0, "h", "995"));
	CHECK(url("ftp://h", "ftp", 1, "h", "21"));
	CHECK(url("ldap://h", "ldap", 1, "h", "389"));
	CHECK(url("https://h/", "https", 0, "h", "443"));
	CHECK(url("tls://127.0.0.1:8443", "tls", 0, "127.0.0.1",
	    "8443"));
	CHECK(url("smtp://[::1]:2525", "smtp", 1, "::1", "2525"));
	CHECK(url("smtp://[2001:db8::25]", "smtp", 1, "2001:db8::25",
	    "25"));
	CHECK(bad_url("mail.example.com", "not a URL"));
	CHECK(bad_url("gopher://h", "unknown scheme"));
	CHECK(bad_url("tls://h", "needs a port"));
	CHECK(bad_url("smtp://h/path", "has no path"));
	CHECK(bad_url("smtp://h:99999", "not a URL"));
	CHECK(bad_url("smtp://", "not a URL"));
}

static void
test_replies(void)
{
	int more, tls, code;

	CHECK(probe_smtp_line("220 mx.example.org ESMTP", &more, &tls) == 220 &&
	    !more && !tls);
	CHECK(probe_smtp_line("250-STARTTLS", &more, &tls) == 250 && more &&
	    tls);
	CHECK(probe_smtp_line("250 starttls", &more, &tls) == 250 && !more &&
	    tls);
	CHECK(probe_smtp_line("250-STARTTLSX", &more, &tls) == 250 && !tls);
	CHECK(probe_smtp_line("250", &more, &tls) == 250 && !more);
	CHECK(probe_smtp_line("25", &more, &tls) == -1);
	CHECK(probe_smtp_line("2500 x", &more, &tls) == -1);
	CHECK(probe_smtp_line("abc def", &more, &tls) == -1);
	CHECK(probe_smtp_line("", &more, &tls) == -1);
	CHECK(probe_imap_tagged("tb1 OK Begin TLS", "tb1") == 1);
	CHECK(probe_imap_tagged("tb1 OK", "tb1") == 1);
	CHECK(probe_imap_tagged("tb1 BAD unknown command", "tb1") == 0);
	CHECK(probe_imap_tagged("tb1 NO", "tb1") == 0);
	CHECK(probe_imap_tagged("tb1 OKAY", "tb1") == -1);
	CHECK(probe_imap_tagged("* OK still going", "tb1") == -1);
	CHECK(probe_imap_tagged("tb10 OK", "tb1") == -1);
	{
		/* ExtendedResponse, messageID 1, success, then with an error */
		unsigned char ok[] = { 0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07,
		    0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00 };
		unsigned char no[] = { 0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07,
		    0x0a, 0x01, 0x02, 0x04, 0x00, 0x04, 0x00 };
		unsigned char longform[] = { 0x30, 0x81, 0x0c, 0x02, 0x01, 0x01,
		    0x78, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00 };
		unsigned char bad[] = { 0x31, 0x00 };
		unsigned char huge[] = { 0x30, 0x84, 0x7f, 0xff, 0xff, 0xff };
		size_t i;

		CHECK(probe_ldap_response(ok, sizeof(ok), &code) == 1 &&
		    code == 0);
		CHECK(probe_ldap_response(no, sizeof(no), &code) == 0 &&
		    code == 2);
		CHECK(probe_ldap_response(longform, sizeof(longform), &code) ==
		    1);
		CHECK(probe_ldap_response(bad, sizeof(bad), &code) == -1);
		CHECK(probe_ldap_response(huge, sizeof(huge), &code) == -1);
		/* every prefix of a good answer asks for more, none crashes */
		for (i = 0; i < sizeof(ok); i++)
			CHECK(probe_ldap_response(ok, i, &code) == -2);
	}
}

static int
decode(const unsigned char *buf, size_t len, char *err, size_t errsz)
{
	STACK_OF(X509) *out = sk_X509_new_null();
	struct diags d = DIAGS_INIT;
	int n = aia_decode(NULL, buf, len, out, &d);

	snprintf(err, errsz, "%s", n == -1 ? diags_first_err(&d) : "");
	CHECK((n == -1) == (d.nerr == 1));	/* one error, only on failure */
	diags_clear(&d);
	sk_X509_pop_free(out, X509_free);
	return n;
}

static void
test_aia_decode(void)
{
	static const char *ok[] = { "root-a.der", "root-a.pem", "roots.p7b",
	    "roots-p7.pem", "roots.pem" };
	static const int want[] = { 1, 1, 2, 2, 2 };
	unsigned char *buf, junk[300];
	char err[256];
	size_t len, i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if ((buf = t_read(t_fixtures, ok[i], &len)) == NULL) {
			CHECK(!"fixture missing");
			continue;
		}
		CHECK(decode(buf, len, err, sizeof(err)) == want[i]);
		/* a truncated answer decodes to nothing and says so */
		if (decode(buf, len / 2, err, sizeof(err)) != -1 &&
		    i != 4)
			CHECK(!"a truncated answer decoded");
		free(buf);
	}
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 37 + 11);
	junk[0] = 0x30;
	CHECK(decode(junk, sizeof(junk), err, sizeof(err)) == -1 &&
	    strstr(err, "not a DER certificate or PKCS#7") != NULL);
	CHECK(decode((const unsigned char *)"", 0, err, sizeof(err)) == -1 &&
	    strstr(err, "empty") != NULL);
	CHECK(decode((const unsigned char *)"<html>moved</html>", 18, err,
	    sizeof(err)) == -1 && strstr(err, "no certificate") != NULL);
	{
		/* signedData with an empty certificates [0] SET */
		static const unsigned char empty[] = {
		    0x30, 0x25, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
		    0x0d, 0x01, 0x07, 0x02, 0xa0, 0x18, 0x30, 0x16, 0x02,
		    0x01, 0x01, 0x31, 0x00, 0x30, 0x0b, 0x06, 0x09, 0x2a,
		    0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01, 0xa0,
		    0x00, 0x31, 0x00 };

		CHECK(decode(empty, sizeof(empty), err, sizeof(err)) == -1 &&
		    strstr(err, "PKCS#7 structure without certificates") !=
		    NULL);
	}
}

void
test_probe(void)
{
	test_urls();
	test_replies();
	test_aia_decode();
}
