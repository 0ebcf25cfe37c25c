/*
 * sendmail.mc and sendmail.cf parsing: dnl before or after a define, #
 * comments, quoting variants, the last active define winning, #O
 * options, the smart host and its port (the mail log: test_maillog.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sendmail.h"
#include "t.h"

static struct sm_config mc;

static const struct sm_setting *
mc_key(const char *text, enum sm_key k)
{
	sm_parse_mc(text, strlen(text), &mc);
	return &mc.s[k];
}

/* sm_include_fn: starttls.m4 sets both, its path after the .mc's */
static char *
inc_reader(void *arg, const char *file, size_t *len)
{
	static const char inc[] = "dnl # starttls.m4\n"
	    "define(`confCACERT', `/inc')dnl   # <= EDIT\n"
	    "define(`confCACERT_PATH', `/inc/path')dnl\n";
	char *p;

	(void)arg;
	if (strcmp(file, "/etc/mail/tls/starttls.m4") != 0)
		return NULL;
	*len = sizeof(inc) - 1;
	p = malloc(sizeof(inc));
	memcpy(p, inc, sizeof(inc));
	return p;
}

static void
test_mc(void)
{
	const struct sm_setting *s;

	s = mc_key("define(`confCACERT', `/etc/mail/tls/ca.crt')dnl\n",
	    SM_CACERT);
	CHECK(s->state == SM_SET && strcmp(s->value, "/etc/mail/tls/ca.crt") ==
	    0 && s->line == 1);
	s = mc_key("x\ndnl define(`confCACERT', `/a')dnl\n", SM_CACERT);
	CHECK(s->state == SM_COMMENTED && s->line == 2 && s->col == 1 &&
	    strcmp(s->value, "/a") == 0);
	s = mc_key("   dnl define(`confCACERT_PATH', `/etc/ssl/certs')dnl\n",
	    SM_CACERT_PATH);
	CHECK(s->state == SM_COMMENTED && s->col == 4);
	s = mc_key("# define(`confCACERT', `/a')\n", SM_CACERT);
	CHECK(s->state == SM_COMMENTED && s->col == 1);
	s = mc_key("define(confCACERT, /plain/path)\n", SM_CACERT);
	CHECK(s->state == SM_SET && strcmp(s->value, "/plain/path") == 0);
	s = mc_key("define(`confCACERT',`/nospace')dnl\n", SM_CACERT);
	CHECK(s->state == SM_SET && strcmp(s->value, "/nospace") == 0);
	s = mc_key("define(`confLOG_LEVEL', ``12'')dnl\n", SM_LOG_LEVEL);
	CHECK(s->state == SM_SET && strcmp(s->value, "`12'") == 0);
	/* a dnl inside quotes is text, not a comment */
	s = mc_key("define(`confCACERT', `/dnl/x')dnl\n", SM_CACERT);
	CHECK(s->state == SM_SET && strcmp(s->value, "/dnl/x") == 0);
	/* the active one wins over a commented one, before or after */
	s = mc_key("dnl define(`confCACERT', `/old')dnl\n"
	    "define(`confCACERT', `/new')dnl\n"
	    "dnl define(`confCACERT', `/later')dnl\n", SM_CACERT);
	CHECK(s->state == SM_SET && strcmp(s->value, "/new") == 0 &&
	    s->line == 2);
	/* the last active one wins */
	s = mc_key("define(`confCACERT', `/a')dnl\ndefine(`confCACERT', `/b')\n",
	    SM_CACERT);
	CHECK(strcmp(s->value, "/b") == 0);
	/* not a define of it: confCACERTX, undefine, FEATURE */
	s = mc_key("define(`confCACERTX', `/a')\nundefine(`confCACERT')\n"
	    "FEATURE(`confCACERT')\n", SM_CACERT);
	CHECK(s->state == SM_ABSENT);
	/* unbalanced quotes do not run away */
	s = mc_key("define(`confCACERT', `/a)dnl\n", SM_CACERT);
	CHECK(s->state == SM_ABSENT);
	/* include(`...'): active ones are kept, in order */
	mc_key("include(`/usr/share/sendmail/cf/m4/cf.m4')dnl\n"
	    "dnl include(`/etc/mail/no.m4')dnl\n"
	    "include(/etc/mail/tls/starttls.m4)dnl\n", SM_CACERT);
	CHECK(mc.nincludes == 2 &&
	    strcmp(mc.include[0], "/usr/share/sendmail/cf/m4/cf.m4") == 0 &&
	    strcmp(mc.include[1], "/etc/mail/tls/starttls.m4") == 0);
	{
		/* an include is read where it stands: what comes later wins */
		static const char text[] =
		    "dnl define(`confCACERT', `/main')dnl\n"
		    "define(`confCACERT_PATH', `/main/path')dnl\n"
		    "include(`/etc/mail/tls/starttls.m4')dnl\n"
		    "define(`confCACERT_PATH', `/after')dnl\n";

		sm_parse_mc_with(text, sizeof(text) - 1, &mc, inc_reader,
		    NULL);
		CHECK(mc.s[SM_CACERT].state == SM_SET &&
		    strcmp(mc.s[SM_CACERT].value, "/inc") == 0 &&
		    mc.s[SM_CACERT].line == 2 &&
		    strcmp(mc.s[SM_CACERT].file,
		    "/etc/mail/tls/starttls.m4") == 0);
		CHECK(strcmp(mc.s[SM_CACERT_PATH].value, "/after") == 0 &&
		    mc.s[SM_CACERT_PATH].file[0] == '\0' &&
		    mc.s[SM_CACERT_PATH].line == 4);
		/* undefine in the include forgets the .mc's define */
		s = mc_key("define(`confCACERT', `/x')dnl\n"
		    "undefine(`confCACERT')dnl\n", SM_CACERT);
		CHECK(s->state == SM_ABSENT);
	}
	s = mc_key("define(`SMART_HOST', `[mail.example.com]')dnl\n"
	    "define(`RELAY_MAILER_ARGS', `TCP $h 587')dnl\n", SM_SMART_HOST);
	CHECK(s->state == SM_SET && strcmp(s->value, "[mail.example.com]") ==
	    0);
	{
		char url[300];

		CHECK(sm_smarthost_url(&mc, url, sizeof(url)) == 0 &&
		    strcmp(url, "submission://mail.example.com:587") == 0);
		mc_key("define(`SMART_HOST', `esmtp:relay.example.net')\n",
		    SM_SMART_HOST);
		CHECK(sm_smarthost_url(&mc, url, sizeof(url)) == 0 &&
		    strcmp(url, "smtp://relay.example.net") == 0);
		mc_key("define(`SMART_HOST', `[10.0.0.5]')\ndefine("
		    "`RELAY_MAILER_ARGS', `TCP $h 2525')\n", SM_SMART_HOST);
		CHECK(sm_smarthost_url(&mc, url, sizeof(url)) == 0 &&
		    strcmp(url, "smtp://10.0.0.5:2525") == 0);
		mc_key("dnl define(`SMART_HOST', `x')\n", SM_SMART_HOST);
		CHECK(sm_smarthost_url(&mc, url, sizeof(url)) == -1);
	}
}

static void
test_cf(void)
{
	static const char cf[] =
	    "# comment\n"
	    "O CACertFile=/etc/mail/tls/ca-bundle.with.intermediate.crt\n"
	    "#O CACertPath\n"
	    "O LogLevel=12\n"
	    "#O ServerCertFile\n"
	    "DS[mail.example.com]\n"
	    "Mrelay,		P=[IPC], F=mDFMuXa8k, S=EnvFromSMTP/HdrFromSMTP, "
	    "R=MasqSMTP, E=\\r\\n, L=2040,\n"
	    "		T=DNS/RFC822/SMTP,\n"
	    "		A=TCP $h 587\n";
	struct sm_config c;

	sm_parse_cf(cf, sizeof(cf) - 1, &c);
	CHECK(c.s[SM_CACERT].state == SM_SET && strcmp(c.s[SM_CACERT].value,
	    "/etc/mail/tls/ca-bundle.with.intermediate.crt") == 0 &&
	    c.s[SM_CACERT].line == 2);
	CHECK(c.s[SM_CACERT_PATH].state == SM_COMMENTED &&
	    c.s[SM_CACERT_PATH].line == 3);
	CHECK(c.s[SM_LOG_LEVEL].state == SM_SET &&
	    strcmp(c.s[SM_LOG_LEVEL].value, "12") == 0);
	CHECK(c.s[SM_SERVER_CERT].state == SM_COMMENTED);
	CHECK(c.s[SM_SMART_HOST].state == SM_SET &&
	    strcmp(c.s[SM_SMART_HOST].value, "[mail.example.com]") == 0);
	/* "O CACertFileX" is another option */
	sm_parse_cf("O CACertFileX=/a\n", 16, &c);
	CHECK(c.s[SM_CACERT].state == SM_ABSENT);
	sm_parse_cf("", 0, &c);
	CHECK(c.s[SM_CACERT].state == SM_ABSENT);
}

void
test_sendmail(void)
{
	test_mc();
	test_cf();
}
