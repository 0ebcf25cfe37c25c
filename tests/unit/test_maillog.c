/*
 * Mail log parsing (maillog.c): STARTTLS=client lines as a real sendmail
 * 8.17 logs them (tests/harness/sendmail.sh, LogLevel 15), the verifymsg
 * before or after the relay line, get_verify's error number, the stamps
 * of RFC 3164 (the year fitted), RFC 3339 (rsyslog, journalctl
 * short-iso) and RFC 5424, lines cut across feeds, long and binary lines;
 * journalctl's arguments (maillog_read.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "maillog.h"
#include "maillog_read.h"
#include "t.h"

/* 2026-12-03 10:30:00 UTC */
#define NOW	((time_t)1796293800)

static int
parse(const char *text, size_t len, struct maillog *l)
{
	maillog_init(l, NOW);
	return maillog_feed(l, text, len) == 0 && maillog_end(l) == 0 ? 0 : -1;
}

static void
test_lines(void)
{
	static const char lg[] =
	    "Nov 28 10:00:00 mx sm-mta[100]: 3ASA01: STARTTLS=client, "
	    "cert-subject=/CN=mail.example.com, cert-issuer=/CN=R11, "
	    "verifymsg=unable to get local issuer certificate\n"
	    "Nov 28 10:00:00 mx sm-mta[100]: 3ASA01: STARTTLS=client, "
	    "relay=mail.example.com., version=TLSv1.3, verify=FAIL, "
	    "cipher=TLS_AES_256_GCM_SHA384, bits=256/256\n"
	    "Nov 28 10:05:00 mx sm-mta[101]: 3ASA02: STARTTLS=client, "
	    "relay=mx.other.org., version=TLSv1.3, verify=OK, "
	    "cipher=TLS_AES_256_GCM_SHA384, bits=256/256\n"
	    "Nov 28 10:06:00 mx sm-mta[102]: 3ASA03: STARTTLS=client, "
	    "relay=mail.example.com., version=TLSv1.3, verify=FAIL, "
	    "cipher=TLS_AES_256_GCM_SHA384, bits=256/256\n"
	    "Nov 28 10:07:00 mx sm-mta[103]: garbage STARTTLS=client\n"
	    "Nov 28 10:07:00 mx sm-mta[103]: STARTTLS=server, relay=x, verify=NO\n";
	/* a real sendmail 8.17 at LogLevel 15 (tests/harness/sendmail.sh) */
	static const char real[] =
	    "Dec  3 10:29:13 tb-test sendmail[21]: STARTTLS=client, start=ok\n"
	    "Dec  3 10:29:13 tb-test sendmail[21]: STARTTLS: TLS cert verify: "
	    "depth=0 /CN=localhost, state=0, reason=unable to get local "
	    "issuer certificate\n"
	    "Dec  3 10:29:13 tb-test sendmail[21]: STARTTLS=client, "
	    "get_verify: 20 get_peer: 0x562641abae80\n"
	    "Dec  3 10:29:13 tb-test sendmail[21]: STARTTLS=client, "
	    "relay=[127.0.0.1], version=TLSv1.3, verify=FAIL, "
	    "cipher=TLS_AES_256_GCM_SHA384, bits=256/256\n"
	    "Dec  3 10:29:13 tb-test sendmail[21]: STARTTLS=client, "
	    "cert-subject=/CN=localhost, cert-issuer=/CN=AIA+20Test+20"
	    "Intermediate, verifymsg=unable to get local issuer certificate\n"
	    "Dec  3 10:29:13 tb-test sendmail[21]: STARTTLS=read, info: "
	    "fds=7/6, err=2\n";
	struct maillog l;
	size_t i;

	CHECK(parse(lg, sizeof(lg) - 1, &l) == 0);
	CHECK(l.n == 2 && l.client_lines == 3 && l.verifymsg_lines == 1);
	if (l.n == 2) {
		CHECK(strcmp(l.v[0].relay, "mail.example.com") == 0 &&
		    strcmp(l.v[0].verify, "FAIL") == 0 && l.v[0].count == 2 &&
		    l.v[0].fails == 2);
		/* the reason logged for an earlier FAIL stays */
		CHECK(strcmp(l.v[0].verifymsg,
		    "unable to get local issuer certificate") == 0);
		CHECK(strcmp(l.v[1].relay, "mx.other.org") == 0 &&
		    strcmp(l.v[1].verify, "OK") == 0);
		/* the year that is not in the future: 2026 */
		CHECK(l.v[0].last == (time_t)1795860360 &&
		    l.v[0].last_fail == l.v[0].last);
	}
	maillog_release(&l);
	{
		/* sendmail 8.17: the verifymsg line after the relay line */
		static const char lg17[] =
		    "Nov 29 05:56:37 tb sendmail[21]: STARTTLS=client, "
		    "relay=[127.0.0.1], version=TLSv1.3, verify=FAIL, "
		    "cipher=TLS_AES_256_GCM_SHA384, bits=256/256\n"
		    "Nov 29 05:56:37 tb sendmail[21]: STARTTLS=client, "
		    "cert-subject=/CN=localhost, cert-issuer=/CN=AIA+20Test, "
		    "verifymsg=unable to get local issuer certificate\n";

		CHECK(parse(lg17, sizeof(lg17) - 1, &l) == 0 &&
		    l.n == 1 && strcmp(l.v[0].relay, "[127.0.0.1]") == 0 &&
		    strcmp(l.v[0].verifymsg,
		    "unable to get local issuer certificate") == 0 &&
		    l.v[0].error == MAILLOG_ERR_ISSUER);
		maillog_release(&l);
	}
	CHECK(parse(lg, 200, &l) == 0 && l.n == 0 && l.verifymsg_lines == 1);
	maillog_release(&l);

	/* the real log, fed a byte at a time: get_verify's 20 */
	maillog_init(&l, NOW);
	for (i = 0; i < sizeof(real) - 1; i++)
		CHECK(maillog_feed(&l, real + i, 1) == 0);
	CHECK(maillog_end(&l) == 0);
	CHECK(l.n == 1 && l.v[0].error == 20 && l.v[0].fails == 1 &&
	    l.v[0].last == (time_t)1796293753 && l.lines == 6);
	maillog_release(&l);
	/* a FAIL for another reason: its error is not 20 */
	{
		static const char other[] =
		    "Dec  3 10:00:00 h sm-mta[7]: STARTTLS=client, "
		    "relay=a.example., version=TLSv1.3, verify=FAIL, c=x\n"
		    "Dec  3 10:00:00 h sm-mta[7]: STARTTLS=client, "
		    "cert-subject=/CN=a, verifymsg=certificate has expired\n"
		    "Dec  3 10:01:00 h sm-mta[8]: STARTTLS=client, "
		    "relay=b.example., version=TLSv1.3, verify=FAIL, c=x\n";

		CHECK(parse(other, sizeof(other) - 1, &l) == 0 && l.n == 2 &&
		    l.v[0].error == 10 && l.v[1].error == -1 &&
		    l.v[1].verifymsg[0] == '\0');
		maillog_release(&l);
	}
	/* an OK after a FAIL: the last connection wins, the FAIL's time
	 * stays */
	{
		static const char ok[] =
		    "Dec  3 09:00:00 h sm-mta[7]: STARTTLS=client, "
		    "relay=a.example., version=TLSv1.3, verify=FAIL, c=x\n"
		    "Dec  3 10:00:00 h sm-mta[8]: STARTTLS=client, "
		    "relay=a.example., version=TLSv1.3, verify=OK, c=x\n";

		CHECK(parse(ok, sizeof(ok) - 1, &l) == 0 && l.n == 1 &&
		    strcmp(l.v[0].verify, "OK") == 0 && l.v[0].fails == 1 &&
		    l.v[0].last_fail == (time_t)1796288400 &&
		    l.v[0].last == (time_t)1796292000);
		maillog_release(&l);
	}
}

static void
test_formats(void)
{
	static const char *const same[] = {
		/* rsyslog's RFC 3339 high precision (Debian 12) */
		"2026-12-03T10:27:31.123456+00:00 mx sm-mta[123]: STARTTLS="
		"client, relay=r.example., version=TLSv1.3, verify=FAIL, c=x",
		/* journalctl -o short-iso (systemd 252) */
		"2026-12-03T11:27:31+0100 mx sm-mta[123]: STARTTLS=client, "
		"relay=r.example., version=TLSv1.3, verify=FAIL, c=x",
		/* RFC 5424, structured data and all */
		"<22>1 2026-12-03T10:27:31.123Z mx sendmail 123 - "
		"[x@1 a=\"]\"] STARTTLS=client, relay=r.example., "
		"version=TLSv1.3, verify=FAIL, c=x",
		"<22>1 2026-12-03T05:27:31-05:00 mx sendmail 123 - - "
		"STARTTLS=client, relay=r.example., version=TLSv1.3, "
		"verify=FAIL, c=x",
		/* RFC 3164 with its priority, as sent on the wire */
		"<22>Dec  3 10:27:31 mx sendmail[123]: STARTTLS=client, "
		"relay=r.example., version=TLSv1.3, verify=FAIL, c=x",
	};
	struct maillog l;
	time_t t;
	size_t i;

	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		CHECK(parse(same[i], strlen(same[i]), &l) == 0 && l.n == 1 &&
		    l.v[0].last == (time_t)1796293651 && l.undated == 0);
		if (l.n == 1 && l.v[0].last != (time_t)1796293651)
			fprintf(stderr, "format %zu: %lld\n", i,
			    (long long)l.v[0].last);
		maillog_release(&l);
	}
	/* RFC 5424's procid is the process: the verifymsg after it joins */
	{
		static const char p[] =
		    "<22>1 2026-12-03T10:27:31Z mx sendmail 77 - - STARTTLS="
		    "client, relay=[10.0.0.1], version=TLSv1.3, verify=FAIL, c=x\n"
		    "<22>1 2026-12-03T10:27:31Z mx sendmail 77 - - STARTTLS="
		    "client, cert-subject=/CN=x, verifymsg=unable to get local "
		    "issuer certificate\n";

		CHECK(parse(p, sizeof(p) - 1, &l) == 0 && l.n == 1 &&
		    l.v[0].error == MAILLOG_ERR_ISSUER);
		maillog_release(&l);
	}
	/* the year: Dec 31 read on Jan 1 is last year's; Jan 1 this one's */
	CHECK(maillog_time("Dec 31 23:59:00 h x[1]: y", 24, (time_t)1798761600,
	    &t) == 0 && t == (time_t)1798761540);
	CHECK(maillog_time("Jan  1 00:00:10 h x[1]: y", 24, (time_t)1798761600,
	    &t) == 0 && t == (time_t)1798761610);
	CHECK(maillog_time("Dec  4 10:27:31 h x", 19, NOW, &t) == 0 &&
	    t == (time_t)1796380051);		/* tomorrow: a clock ahead */
	CHECK(maillog_time("Dec 25 10:27:31 h x", 19, NOW, &t) == 0 &&
	    t < NOW);				/* last year's */
	/* no stamp, or a broken one */
	CHECK(maillog_time("mx sm-mta[1]: x", 15, NOW, &t) == -1);
	CHECK(maillog_time("Foo  3 10:27:31 h", 17, NOW, &t) == -1);
	CHECK(maillog_time("2026-13-03T10:27:31Z h", 22, NOW, &t) == -1);
	CHECK(maillog_time("2026-12-03T10:27:31+2", 21, NOW, &t) == -1);
	CHECK(maillog_time("<22>1 - h app - - - msg", 23, NOW, &t) == -1);
}

static void
test_hostile(void)
{
	struct maillog l;
	char *big = malloc(3 * MAILLOG_MAX_LINE);
	static const char bin[] = "Dec  3 10:00:00 h sm-mta[7]: STARTTLS=client, "
	    "relay=a\0b, verify=FAIL, c=x\nDec  3 10:00:00 h sm-mta[7]: "
	    "STARTTLS=client, relay=c.example., verify=OK, c=x";
	static const char line[] = "\nDec  3 10:00:00 h sm-mta[7]: "
	    "STARTTLS=client, relay=d.example., verify=FAIL, c=x\n";

	/* a line longer than the limit, cut across feeds: skipped */
	if (big == NULL)
		return;
	memset(big, 'x', 3 * MAILLOG_MAX_LINE);
	memcpy(big, "STARTTLS=client, relay=e, verify=FAIL, ", 39);
	maillog_init(&l, NOW);
	CHECK(maillog_feed(&l, big, MAILLOG_MAX_LINE) == 0);
	CHECK(maillog_feed(&l, big, 2 * MAILLOG_MAX_LINE) == 0);
	CHECK(maillog_feed(&l, line, sizeof(line) - 1) == 0);
	CHECK(maillog_end(&l) == 0);
	CHECK(l.long_lines == 1 && l.n == 1 && l.lines == 2 &&
	    strcmp(l.v[0].relay, "d.example") == 0);
	maillog_release(&l);
	free(big);
	/* NUL bytes: the line is skipped and counted; the last line, with
	 * no newline, counts at maillog_end */
	CHECK(parse(bin, sizeof(bin) - 1, &l) == 0 && l.binary_lines == 1 &&
	    l.n == 1 && strcmp(l.v[0].verify, "OK") == 0);
	maillog_release(&l);
	CHECK(maillog_error("unable to get local issuer certificate") == 20 &&
	    maillog_error("ok") == -1);
}

static void
test_journal_argv(void)
{
	char *argv[MAILLOG_MAXARGS], buf[64];
	int n;

	n = maillog_journal_argv(NULL, 0, argv, buf, sizeof(buf));
	CHECK(n == 7 && strcmp(argv[0], "journalctl") == 0 &&
	    strcmp(argv[3], "--output=short-iso") == 0 &&
	    strcmp(argv[5], "--identifier=sm-mta") == 0 && argv[7] == NULL);
	n = maillog_journal_argv("/var/log/journal/x", NOW, argv, buf,
	    sizeof(buf));
	CHECK(n == 10 && strcmp(argv[7], "--directory") == 0 &&
	    strcmp(argv[8], "/var/log/journal/x") == 0 &&
	    strcmp(argv[9], "--since=@1796293800") == 0 && argv[10] == NULL);
}

void
test_maillog(void)
{
	char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;

	/* RFC 3164 stamps are local time: UTC here */
	setenv("TZ", "UTC", 1);
	tzset();
	test_lines();
	test_formats();
	test_hostile();
	test_journal_argv();
	if (old != NULL) {
		setenv("TZ", old, 1);
		free(old);
	} else
		unsetenv("TZ");
	tzset();
}
