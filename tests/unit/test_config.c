/*
 * trustbuild.conf: the documented keys parse to what they say; every
 * malformed line is refused with its line number; the built-in default is
 * the documented one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "policy.h"
#include "t.h"

/*
 * Parse text; on failure, the error is in err.  The parser prints
 * nothing: what it finds goes to the diags.
 */
static int
parse(const char *text, struct config *c, char *err, size_t errsz)
{
	struct diags d = DIAGS_INIT;
	int r;

	t_catch();
	r = config_parse("t.conf", text, strlen(text), c, &d);
	t_caught(err, errsz);
	CHECK(err[0] == '\0');
	snprintf(err, errsz, "%s", diags_first_err(&d) ? diags_first_err(&d) :
	    "");
	CHECK(r == 0 ? d.nerr == 0 : d.nerr == 1);
	diags_clear(&d);
	return r;
}

static int
refused(const char *text, const char *want)
{
	struct config c;
	char err[1024];

	if (parse(text, &c, err, sizeof(err)) == 0) {
		config_release(&c);
		fprintf(stderr, "accepted: %s\n", text);
		return 0;
	}
	return t_has(err, want);
}

static void
test_full(void)
{
	static const char text[] =
	    "# a comment\n"
	    "[output]\n"
	    "bundle = /etc/mail/tls/b.crt   # inline comment\n"
	    "capath = /etc/mail/tls/certs\n"
	    "purpose = email\n"
	    "state = /var/lib/tb\n"
	    "hooks = /etc/tb/hooks.d\n"
	    "reload = systemctl reload sendmail # restart it\n"
	    "keep-expired = yes\n"
	    "compat = no\n"
	    "shrink-limit = 25%\n"
	    "lock-wait = 5\n"
	    "hook-timeout = 9\n"
	    "exclude = " "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:"
	    "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99\n"
	    "\n"
	    "[fetch]\n"
	    "connect-timeout = 7\n"
	    "timeout = 60\n"
	    "max-size = 2M\n"
	    "ca = /etc/ssl/certs/ca-certificates.crt\n"
	    "\n"
	    "[ source mozilla ]\n"
	    "store = mozilla\n"
	    "[source local]\n"
	    "url = /etc/trustbuild/local.tar#certs/*.pem\n"
	    "sha256 = " "0123456789ABCDEF0123456789abcdef"
	    "0123456789abcdef0123456789abcdef\n"
	    "role = intermediates\n"
	    "format = archive\n"
	    "max-size = 512k\n"
	    "[source bad]\n"
	    "url = https://example.org/bad.pem\n"
	    "sha256-url = https://example.org/bad.pem.sha256\n"
	    "role = blocklist\n"
	    "fallback = system\n"
	    "[probe smarthost]\n"
	    "url = submission://[::1]:2587\n"
	    "servername = mail.example.com\n"
	    "ehlo = client.example.com\n"
	    "chase = no\n"
	    "https-aia = yes\n"
	    "aia-private = yes\n"
	    "timeout = 7\n"
	    "[probe web]\n"
	    "url = https://www.example.com\n";
	struct config c;
	char err[1024];

	CHECK(parse(text, &c, err, sizeof(err)) == 0);
	if (err[0] != '\0')
		fprintf(stderr, "%s", err);
	if (c.file == NULL)
		return;
	CHECK(strcmp(c.bundle, "/etc/mail/tls/b.crt") == 0);
	CHECK(strcmp(c.capath, "/etc/mail/tls/certs") == 0);
	CHECK(c.purpose == PURPOSE_EMAIL);
	CHECK(strcmp(c.state, "/var/lib/tb") == 0);
	CHECK(strcmp(c.hooks, "/etc/tb/hooks.d") == 0);
	CHECK(strcmp(c.reload, "systemctl reload sendmail") == 0);
	CHECK(c.keep_expired == 1 && c.compat == 0);
	CHECK(c.shrink_limit == 25 && c.lock_wait == 5);
	CHECK(c.nexclude == 1 && c.exclude[0][0] == 0xaa &&
	    c.exclude[0][31] == 0x99);
	CHECK(c.connect_timeout == 7 && c.timeout == 60 &&
	    c.hook_timeout == 9);
	CHECK(c.max_size == 2 * 1024 * 1024);
	CHECK(strcmp(c.ca, "/etc/ssl/certs/ca-certificates.crt") == 0);
	CHECK(c.nsrc == 3);
	if (c.nsrc != 3) {
		config_release(&c);
		return;
	}
	CHECK(strcmp(c.src[0].name, "mozilla") == 0 &&
	    strcmp(c.src[0].store, "mozilla") == 0 && !c.src[0].role_set);
	CHECK(c.src[0].line == 22);
	/* '#' without white space before it is part of the value */
	CHECK(strcmp(c.src[1].url, "/etc/trustbuild/local.tar#certs/*.pem") ==
	    0);
	CHECK(strcmp(c.src[1].sha256, "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef") == 0);
	CHECK(c.src[1].role == ROLE_INTERMEDIATES && c.src[1].role_set);
	CHECK(c.src[1].fmt == FORMAT_ARCHIVE);
	CHECK(c.src[1].max_size == 512 * 1024);
	CHECK(c.src[2].role == ROLE_BLOCKLIST);
	CHECK(strcmp(c.src[2].fallback, "system") == 0);
	CHECK(strcmp(c.src[2].sha256_url,
	    "https://example.org/bad.pem.sha256") == 0);
	CHECK(c.nprobe == 2 && c.probe_parallel == 16);
	if (c.nprobe == 2) {
		CHECK(strcmp(c.probe[0].name, "smarthost") == 0);
		CHECK(strcmp(c.probe[0].url, "submission://[::1]:2587") == 0);
		CHECK(strcmp(c.probe[0].servername, "mail.example.com") == 0);
		CHECK(strcmp(c.probe[0].ehlo, "client.example.com") == 0);
		CHECK(c.probe[0].chase == 0 && c.probe[0].https_aia == 1 &&
		    c.probe[0].aia_private == 1 && c.probe[0].timeout == 7);
		CHECK(c.probe[1].chase == 1 && c.probe[1].timeout == 0 &&
		    c.probe[1].aia_private == 0);
	}
	config_release(&c);
}

static void
test_defaults(void)
{
	struct config c;
	char err[256];

	config_default(&c);
	CHECK(strcmp(c.file, "built-in") == 0);
	CHECK(strcmp(c.bundle, CONFIG_BUNDLE) == 0);
	CHECK(strcmp(c.capath, CONFIG_CAPATH) == 0);
	CHECK(strcmp(c.state, CONFIG_STATE) == 0);
	CHECK(strcmp(c.hooks, CONFIG_HOOKS) == 0);
	CHECK(c.purpose == PURPOSE_SERVER_AUTH && c.shrink_limit == 10);
	CHECK(c.nsrc == 1 && strcmp(c.src[0].store, "mozilla") == 0);
	config_release(&c);
	/* distrust-after: drop-when-safe and 398 days unless said */
	CHECK(parse("[output]\ndistrust-after = keep\nleaf-lifetime = 1\n"
	    "[source x]\nurl = /x\n", &c, err, sizeof(err)) == 0);
	CHECK(c.distrust == DISTRUST_MODE_KEEP && c.leaf_lifetime == 1);
	config_release(&c);
	CHECK(parse("[source x]\nurl = /x\n", &c, err, sizeof(err)) == 0);
	CHECK(c.distrust == DISTRUST_MODE_DROP_WHEN_SAFE &&
	    c.leaf_lifetime == 398);
	config_release(&c);

	/* a file's sources replace the built-in ones; outputs default */
	CHECK(parse("[source x]\nurl = /x.pem\n", &c, err, sizeof(err)) == 0);
	CHECK(c.nsrc == 1 && strcmp(c.src[0].name, "x") == 0);
	CHECK(c.bundle != NULL && strcmp(c.bundle, CONFIG_BUNDLE) == 0);
	config_release(&c);
	/* "bundle =" turns the bundle off */
	CHECK(parse("[output]\nbundle =\n[source x]\nurl = /x\n", &c, err,
	    sizeof(err)) == 0);
	CHECK(c.bundle == NULL && c.capath != NULL);
	config_release(&c);
	CHECK(spec_size("64M", 128 << 20, &(size_t){ 0 }) == 0);
	CHECK(spec_size("129M", 128 << 20, &(size_t){ 0 }) == -1);
	CHECK(spec_size("0", 128 << 20, &(size_t){ 0 }) == -1);
	CHECK(spec_size("12x", 128 << 20, &(size_t){ 0 }) == -1);
	CHECK(spec_size("99999999999999999999999", 128 << 20,
	    &(size_t){ 0 }) == -1);
}

static void
test_refused(void)
{
	CHECK(refused("[output]\nbundel = /x\n[source a]\nurl = /a\n",
	    "t.conf': line 2: unknown key 'bundel' in [output]"));
	CHECK(refused("[outptu]\n", "line 1: unknown section [outptu]"));
	CHECK(refused("bundle = /x\n", "line 1: 'bundle' outside a section"));
	CHECK(refused("[source a]\nurl = /a\nurl = /b\n",
	    "line 3: 'url' given twice"));
	CHECK(refused("[source a]\nurl = https://x/a\nurl = /b\n",
	    "line 3: 'url' given twice, and '/b' is not a download"));
	CHECK(refused("[source a]\nurl = https://x/1\nurl = https://x/2\n"
	    "url = https://x/3\nurl = https://x/4\nurl = https://x/5\n"
	    "url = https://x/6\n", "line 7: more than 5 urls"));
	CHECK(refused("[source a]\nurl = https://x/a\ncross-check = ../c\n",
	    "line 3: '../c' is not a store name"));
	CHECK(refused("[source a]\nurl = https://x/a\ncross-check-grace = 4000\n",
	    "line 3: cross-check-grace must be a number from 0 to 3650"));
	CHECK(refused("[source a]\nurl = https://x/a\nstale-after = soon\n",
	    "line 3: stale-after must be a number from 0 to 36500, not 'soon'"));
	CHECK(refused("[source a]\nurl = ftp://x/y\n", "line 2: url 'ftp://x/y'"));
	CHECK(refused("[source a]\nurl = relative/path\n", "must be https://"));
	CHECK(refused("[source a]\nstore = ../etc\n", "not a store name"));
	CHECK(refused("[source a]\nrole = roots\nurl = /a\n",
	    "role 'roots' is not anchors"));
	CHECK(refused("[source a]\nsha256 = abc\nurl = /a\n",
	    "sha256 'abc' is not 64 hex digits"));
	CHECK(refused("[source a]\n", "[source a] needs 'store = NAME'"));
	CHECK(refused("[source a]\nurl = /a\n[source a]\nurl = /b\n",
	    "line 3: [source a] given twice"));
	CHECK(refused("[source]\n", "[source] needs a name"));
	CHECK(refused("[source a/b]\n", "name 'a/b'"));
	CHECK(refused("[source .a]\n", "name '.a'"));
	CHECK(refused("[source a]\nurl = /a\n[probe p]\n",
	    "[probe p] needs 'url = URL'"));
	CHECK(refused("[source a]\nurl = /a\n[probe p]\nurl = gopher://x\n",
	    "line 4: 'gopher://x': unknown scheme"));
	CHECK(refused("[source a]\nurl = /a\n[probe p]\nurl = tls://x\n",
	    "tls:// needs a port"));
	CHECK(refused("[source a]\nurl = /a\n[probe p]\nurl = smtp://x\n"
	    "[probe p]\nurl = smtp://y\n", "[probe p] given twice"));
	CHECK(refused("[source a]\nurl = /a\n[probe p]\nurl = smtp://x\n"
	    "chase = sometimes\n", "chase must be yes or no"));
	CHECK(refused("[source a]\nurl = /a\n[probe p]\nurl = smtp://x\n"
	    "port = 25\n", "unknown key 'port' in [probe]"));
	CHECK(refused("[output]\nprobe-parallel = 0\n",
	    "probe-parallel must be at least 1"));
	CHECK(refused("[output]\nwarn-days = 3651\n",
	    "warn-days must be a number from 0 to 3650"));
	CHECK(refused("[output]\nwarn-days = soon\n",
	    "warn-days must be a number from 0 to 3650"));
	CHECK(refused("[output]\nprobe-keep = -1\n",
	    "probe-keep must be a number from 0 to 3650"));
	CHECK(refused("[source a]\nurl = /a\n[probe p]\nurl = smtp://x\n"
	    "probe-keep = 3651\n", "probe-keep must be a number from 0 to 3650"));
	CHECK(refused("[output]\n[output]\n", "line 2: [output] given twice"));
	/* [export] and signer (export.h, central.h) */
	CHECK(refused("[source a]\nurl = /a\n[export]\ndir = /srv\n",
	    "[export] needs 'dir = DIR', 'key = FILE' and 'cert = FILE'"));
	CHECK(refused("[source a]\nurl = /a\n[export]\nvalid-for = 30m\n",
	    "valid-for must be a duration from 1h to 366d"));
	CHECK(refused("[source a]\nurl = /a\n[export]\nvalid-for = 400d\n",
	    "valid-for must be a duration"));
	CHECK(refused("[source a]\nurl = /a\n[export]\nvalid-for = 7x\n",
	    "valid-for must be a duration"));
	CHECK(refused("[source a]\nurl = /a\n[export]\nkey = rel\n",
	    "key 'rel' must be an absolute path"));
	CHECK(refused("[source a]\nurl = /a\n[export]\ndir = /s\nkey = /k\n"
	    "cert = /c\n[export]\n", "line 7: [export] given twice"));
	CHECK(refused("[source a]\nurl = https://x/manifest\nsigner = x.crt\n",
	    "signer 'x.crt' must be an absolute path"));
	CHECK(refused("[source a]\nurl = /a\nsigner = /x.crt\n",
	    "signer is for a signed store"));
	CHECK(refused("[source a]\nstore = mozilla\nsigner = /x.crt\n",
	    "signer is for a signed store"));
	CHECK(refused("[output]\npurpose = web\n", "'web' is not a purpose"));
	CHECK(refused("[output]\nbundle = rel.crt\n", "must be an absolute"));
	CHECK(refused("[output]\nstate =\n", "state needs a directory"));
	CHECK(refused("[output]\nshrink-limit = 101%\n",
	    "shrink-limit must be a number from 0 to 100"));
	CHECK(refused("[output]\ncompat = maybe\n", "compat must be yes or no"));
	CHECK(refused("[output]\ndistrust-after = sometimes\n", "line 2: "
	    "distrust-after 'sometimes' is not keep, drop or drop-when-safe"));
	CHECK(refused("[output]\ndistrust-after = Drop\n",
	    "distrust-after 'Drop' is not keep"));
	CHECK(refused("[output]\ndistrust-after = drop drop\n",
	    "distrust-after 'drop drop' is not keep"));
	CHECK(refused("[output]\ndistrust-after =\n",
	    "distrust-after '' is not keep"));
	CHECK(refused("[output]\ndistrust-after = keep\ndistrust-after = "
	    "drop\n", "line 3: 'distrust-after' given twice"));
	CHECK(refused("[output]\nleaf-lifetime = 0\n",
	    "leaf-lifetime must be at least 1, not '0'"));
	CHECK(refused("[output]\nleaf-lifetime = -398\n",
	    "leaf-lifetime must be a number from 1 to 3650, not '-398'"));
	CHECK(refused("[output]\nleaf-lifetime = 3651\n",
	    "leaf-lifetime must be a number from 1 to 3650"));
	CHECK(refused("[output]\nleaf-lifetime = 4294967697\n",
	    "leaf-lifetime must be a number from 1 to 3650"));
	CHECK(refused("[output]\nleaf-lifetime = 398d\n",
	    "leaf-lifetime must be a number from 1 to 3650, not '398d'"));
	CHECK(refused("[output]\nleaf-lifetime = 0x10\n",
	    "leaf-lifetime must be a number"));
	CHECK(refused("[source a]\nurl = /a\ndistrust-after = keep\n",
	    "unknown key 'distrust-after' in [source]"));
	CHECK(refused("[output]\nexclude = 12\n", "exclude '12' is not"));
	CHECK(refused("[fetch]\ntimeout = -1\n", "timeout must be a number"));
	CHECK(refused("[fetch]\nmax-size = 1G\n", "max-size '1G'"));
	CHECK(refused("[fetch]\nproxy = x\n", "unknown key 'proxy' in [fetch]"));
	CHECK(refused("[source a]\nurl = /a\nfrobnicate = 1\n",
	    "line 3: unknown key 'frobnicate' in [source]"));
	CHECK(refused("[output\n", "line 1: a section header ends with ']'"));
	CHECK(refused("[output]\njust words\n", "line 2: expected \"key = "
	    "value\""));
	CHECK(refused("[output]\n= x\n", "line 2: a key is missing"));
	CHECK(refused("[output]\n", "no [source NAME] section"));
	CHECK(refused("[output]\nbundle =\ncapath =\n[source a]\nurl = /a\n",
	    "[output] writes nothing"));
	/* [output NAME] */
	CHECK(refused("[source a]\nurl = /a\n[output j]\nformat = jks\n",
	    "format 'jks' is not one of pem-bundle, openssl-dir, pem-dir, "
	    "pkcs12 or openssl-trusted-bundle"));
	CHECK(refused("[source a]\nurl = /a\n[output j]\nformat = pkcs12\n"
	    "path = /j.p12\npassword =\n", "line 6: password needs a value"));
	CHECK(refused("[source a]\nurl = /a\n[output j]\nformat = pkcs12\n",
	    "[output j] needs 'format = FORMAT'"));
	CHECK(refused("[source a]\nurl = /a\n[output j]\nformat = pem-dir\n"
	    "path = /j\npassword = x\n", "password is for format = pkcs12"));
	CHECK(refused("[source a]\nurl = /a\n[output j]\nformat = pkcs12\n"
	    "path = j.p12\n", "path 'j.p12' must be an absolute path"));
	CHECK(refused("[source a]\nurl = /a\n[output capath]\n",
	    "the name of a writer of the plain [output]"));
	CHECK(refused("[source a]\nurl = /a\n[output j]\nformat = pkcs12\n"
	    "path = /j\n[output j]\n", "[output j] given twice"));
	CHECK(refused("[output]\nbundle = /x\n[source a]\nurl = /a\n"
	    "[output j]\nformat = pkcs12\npath = /x\n",
	    "outputs bundle and j both write '/x'"));
	CHECK(refused("[source a]\nurl = /a\n[sendmail]\n",
	    "line 3: [sendmail] needs 'mc = FILE', 'log = FILE' or 'journal"));
	CHECK(refused("[sendmail]\nlog = mail.log\n", "must be an absolute"));
	CHECK(refused("[sendmail]\njournal = maybe\n", "journal must be yes or no"));
	CHECK(refused("[sendmail x]\n", "[sendmail] takes no name"));
	CHECK(refused("[sendmail]\njournal = yes\n[sendmail]\n",
	    "line 3: [sendmail] given twice"));
	CHECK(refused("[sendmail]\nurl = smtp://x\n",
	    "unknown key 'url' in [sendmail]"));
	{
		/* the edge: a line of 4095 bytes is read, 4096 is refused */
		char line[4200];
		struct config c;
		char err[512];
		size_t n = strlen("[source a]\nurl = /");

		memcpy(line, "[source a]\nurl = /", n);
		memset(line + n, 'a', sizeof(line) - n);
		line[11 + 4095] = '\0';
		CHECK(parse(line, &c, err, sizeof(err)) == 0);
		if (err[0] == '\0')
			config_release(&c);
		memset(line + n, 'a', sizeof(line) - n);
		line[11 + 4096] = '\0';
		CHECK(refused(line, "line 2: longer than 4095 bytes"));
	}
	{
		char big[6000];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		CHECK(refused(big, "line 1: longer than 4095 bytes"));
	}
	{
		static const char nul[] = "[output]\nbundle = /a\0\n";
		struct diags d = DIAGS_INIT;
		struct config c;

		CHECK(config_parse("t.conf", nul, sizeof(nul) - 1, &c, &d) == -1);
		CHECK(diags_first_err(&d) != NULL &&
		    strstr(diags_first_err(&d), "line 2: a NUL byte") != NULL);
		diags_clear(&d);
	}
}

void
test_config(void)
{
	test_full();
	test_defaults();
	test_refused();
}
