/*
 * Postfix's reader (postfix.c, maillog_pf.c): main.cf with continuation
 * lines and comments, master.cf's chroot column and -o overrides, the
 * relays of relayhost and the maps, a relay as Postfix logs it (hostile
 * text refused), the log's lines as relays.
 */
#include <stdlib.h>
#include <string.h>

#include "maillog.h"
#include "mta.h"
#include "postfix.h"
#include "t.h"
#include "xalloc.h"

static int
relay_is(const char *logged, const char *host, const char *port)
{
	char h[256], p[8];

	if (pf_log_relay(logged, h, sizeof(h), p, sizeof(p)) == -1)
		return host == NULL;
	return host != NULL && strcmp(h, host) == 0 && strcmp(p, port) == 0;
}

void
test_postfix(void)
{
	static const char maincf[] = "# c\nrelayhost = [a.example]:587,\n"
	    "  b.example\n#relayhost = x\nsmtp_tls_CApath=/etc/ssl/certs\n"
	    "smtp_tls_security_level = may \nsmtp_tls_CApath = /p\n";
	static const char master[] = "smtp inet n - y - - smtpd\n"
	    "smtp unix - - y - - smtp\n  -o smtp_tls_security_level=verify\n"
	    "  -o { smtp_tls_CAfile = /x y }\nrelay unix - - n - - smtp\n";
	static const char tm[] = "d.example smtp:[c.example]:2525\n"
	    "l.example local:\n";
	static const char pm[] = "[e.example]:465 secure\nf.example verify\n";
	static const char log[] = "Dec  3 10:00:00 h postfix/smtp[1]: "
	    "certificate verification failed for m.example[192.0.2.1]:25: "
	    "untrusted issuer /CN=R\nDec  3 10:00:00 h postfix/smtp[1]: "
	    "Untrusted TLS connection established to m.example[192.0.2.1]:25:"
	    " TLSv1.3\nDec  3 10:00:01 h postfix/smtp[2]: Trusted TLS "
	    "connection established to t.example[192.0.2.2]:587: TLSv1.3\n";
	struct pf_config *c = xcalloc(1, sizeof(*c));
	struct mta_target t[8];
	struct maillog l;
	char lv[32];
	size_t line;
	int n;

	pf_parse_main(maincf, sizeof(maincf) - 1, c);
	CHECK(strcmp(pf_value(c, PF_RELAYHOST), "[a.example]:587, "
	    "b.example") == 0 && c->s[PF_RELAYHOST].line == 2);
	CHECK(strcmp(pf_value(c, PF_CAPATH), "/p") == 0 &&
	    c->s[PF_CAPATH].line == 7);
	CHECK(strcmp(pf_level(c), "may") == 0);
	CHECK(!pf_chrooted(c, NULL));
	pf_parse_master(master, sizeof(master) - 1, c);
	CHECK(pf_chrooted(c, &line) && line == 2 && c->nsvc == 2);
	CHECK(strcmp(pf_level(c), "verify") == 0 &&
	    c->s[PF_LEVEL].master && c->s[PF_LEVEL].line == 2);
	CHECK(strcmp(pf_value(c, PF_CAFILE), "/x y") == 0);
	n = pf_relays(c, tm, sizeof(tm) - 1, pm, sizeof(pm) - 1, t, 8);
	CHECK(n == 4 && strcmp(t[0].url, "submission://a.example:587") == 0 &&
	    strcmp(t[1].url, "smtp://b.example") == 0 &&
	    strcmp(t[2].url, "smtp://c.example:2525") == 0 &&
	    strcmp(t[3].url, "smtps://e.example:465") == 0);
	pf_policy_level(pm, sizeof(pm) - 1, "e.example", "465", lv,
	    sizeof(lv));
	CHECK(strcmp(lv, "secure") == 0);
	pf_policy_level(pm, sizeof(pm) - 1, "e.example", "25", lv, sizeof(lv));
	CHECK(lv[0] == '\0');

	CHECK(relay_is("mx.example[192.0.2.1]:25", "mx.example", "25"));
	CHECK(relay_is("unknown[2001:db8::1]:587", "2001:db8::1", "587"));
	CHECK(relay_is("[192.0.2.1]:2525", "192.0.2.1", "2525"));
	CHECK(relay_is("mx.example[192.0.2.1]:x", NULL, NULL));
	CHECK(relay_is("mx.example", NULL, NULL));
	CHECK(relay_is("mx[1]:99999", NULL, NULL));

	maillog_init_mta(&l, 1796293800, mta_find("postfix"));
	CHECK(maillog_feed(&l, log, sizeof(log) - 1) == 0 &&
	    maillog_end(&l) == 0);
	CHECK(l.n == 2 && strcmp(l.v[0].verify, "FAIL") == 0 &&
	    l.v[0].count == 1 && l.v[0].error == MAILLOG_ERR_ISSUER &&
	    strcmp(l.v[0].verifymsg, "untrusted issuer /CN=R") == 0 &&
	    strcmp(l.v[1].verify, "OK") == 0 &&
	    strcmp(l.v[1].relay, "t.example[192.0.2.2]:587") == 0);
	maillog_release(&l);
	free(c);
}
