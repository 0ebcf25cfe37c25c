/*
 * The relays of [sendmail] (smrelay.c): the section parsed, the URL of a
 * relay as sendmail logs it (hostile text refused), the state file read
 * back as written and refused when damaged.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "smrelay.h"
#include "t.h"
#include "xalloc.h"

static int
url_is(const char *relay, const char *want)
{
	char host[SMRELAY_HOST], url[SMRELAY_URL];

	if (smrelay_url(relay, host, sizeof(host), url, sizeof(url)) == -1)
		return want == NULL;
	return want != NULL && strcmp(url, want) == 0;
}

void
test_smrelay(void)
{
	static const char conf[] = "[source a]\nurl = /a\n[sendmail]\n"
	    "mc = /etc/mail/sendmail.mc\nlog = /var/log/mail.log\n"
	    "journal = yes\naia-private = yes\n";
	struct smrelay_state *st = xcalloc(1, sizeof(*st)), *back;
	struct config c;
	char *text;
	size_t len;

	CHECK(config_parse("t", conf, sizeof(conf) - 1, &c, NULL) == 0 &&
	    c.sendmail.set && strcmp(c.sendmail.conf,
	    "/etc/mail/sendmail.mc") == 0 && strcmp(c.sendmail.log,
	    "/var/log/mail.log") == 0 && c.sendmail.journal &&
	    c.sendmail.aia_private);
	config_release(&c);
	CHECK(config_parse("t", conf, 20, &c, NULL) == 0 && !c.sendmail.set);
	config_release(&c);

	CHECK(url_is("mx.example.org.", "smtp://mx.example.org"));
	CHECK(url_is("[192.0.2.1]", "smtp://192.0.2.1"));
	CHECK(url_is("[IPv6:2001:db8::1]", "smtp://[2001:db8::1]"));
	CHECK(url_is("[ipv6:::1]", "smtp://[::1]"));
	CHECK(url_is("mx.example.org/x", NULL));
	CHECK(url_is("-o.example", NULL));
	CHECK(url_is("a b", NULL));
	CHECK(url_is("[x.example]", NULL));
	CHECK(url_is("[192.0.2.1", NULL));
	CHECK(url_is("", NULL));
	CHECK(url_is("mx:25", NULL));

	st->since = 1796293800;
	st->n = 2;
	strcpy(st->v[0].host, "mx.example.org");
	strcpy(st->v[0].url, "smtp://mx.example.org");
	st->v[0].last_fail = 1796290000;
	strcpy(st->v[1].host, "2001:db8::1");
	strcpy(st->v[1].url, "smtp://[2001:db8::1]");
	st->v[1].last_fail = 1;
	text = smrelay_render(st, &len);
	back = xcalloc(1, sizeof(*back));
	CHECK(smrelay_parse(text, len, back) == 0 && back->n == 2 &&
	    back->since == st->since && back->v[0].last_fail == 1796290000 &&
	    strcmp(back->v[1].url, "smtp://[2001:db8::1]") == 0);
	free(text);
	CHECK(smrelay_parse("x", 1, back) == -1 && back->n == 0);
	text = "trustbuild-sendmail-relays 1\nrelay a smtp://a\n";
	CHECK(smrelay_parse(text, strlen(text), back) == -1);
	text = "trustbuild-sendmail-relays 1\nrelay a; ftp://a 1\n";
	CHECK(smrelay_parse(text, strlen(text), back) == -1);
	text = "trustbuild-sendmail-relays 1\nrelay a smtp://a 1";
	CHECK(smrelay_parse(text, strlen(text), back) == -1);
	text = "trustbuild-sendmail-relays 1\nsince 5\n";
	CHECK(smrelay_parse(text, strlen(text), back) == 0 &&
	    back->since == 5 && back->n == 0);
	free(back);
	free(st);
}
