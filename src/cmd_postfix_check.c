/*
 * cmd_postfix_check.c: "trustbuild postfix-check".
 *
 * Reads Postfix's effective configuration (pfconf.h: postconf where it is
 * installed, main.cf and master.cf), judges its SMTP client's TLS
 * (pfcheck.h: the level, the CA data against the published store, the
 * chroot trap, the relays) and the mail log (mailcheck.h's check_log with
 * Postfix's reader of its lines), each finding with the exact fix: the
 * same findings, report and relay steps as sendmail-check.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "log.h"
#include "mailcheck.h"
#include "pfcheck.h"
#include "pfconf.h"
#include "pfplan.h"
#include "postfix.h"
#include "xalloc.h"

#define EXIT_NOCONFIG	3

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: trustbuild postfix-check [--config-dir DIR]\n"
	    "                                [--log FILE | --journal[=DIR]]\n"
	    "                                [--aia-private] [--json]\n"
	    "\n"
	    "Check Postfix's TLS set-up for its SMTP client: the effective\n"
	    "configuration (postconf where installed, main.cf and master.cf's\n"
	    "-o overrides), smtp_tls_security_level and what it means for\n"
	    "verification, smtp_tls_CAfile and smtp_tls_CApath against the\n"
	    "published store, the chroot trap (a CApath the chrooted smtp\n"
	    "cannot see), tls_append_default_CA, the relays of relayhost,\n"
	    "transport_maps and smtp_tls_policy_maps, and the relays the mail\n"
	    "log shows failing (\"Untrusted TLS connection established\",\n"
	    "\"certificate verification failed\"); each problem with its fix.\n"
	    "\n"
	    "  --config-dir DIR  default " PF_DEFAULT_DIR "\n"
	    "  --log FILE  the mail log, \"-\" for standard input (default\n"
	    "              /var/log/maillog or /var/log/mail.log, with its\n"
	    "              rotations, oldest first); compressed files are read\n"
	    "  --journal[=DIR]  the systemd journal instead (journalctl, its\n"
	    "              -D DIR if given), postfix/smtp's lines\n"
	    "  --aia-private  the [probe]s a fix adds get aia-private = yes\n"
	    "  --json      one JSON object, each fix with its steps\n"
	    "\n"
	    "Exit status: 0 no problem, 1 problems found, 3 main.cf cannot be\n"
	    "read.\n");
}

int
cmd_postfix_check(int argc, char *argv[], struct config *tc)
{
	static const struct option opts[] = {
		{ "config-dir", required_argument, NULL, 'd' },
		{ "log", required_argument, NULL, 'l' },
		{ "journal", optional_argument, NULL, 'J' },
		{ "json", no_argument, NULL, 'j' },
		{ "aia-private", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = PF_DEFAULT_DIR;
	struct mailcheck_log logsrc = { NULL, 0, NULL, 0 };
	struct mailcheck_want want = { CONFIG_BUNDLE, CONFIG_CAPATH, NULL, 0 };
	struct pfconf *c;
	struct pfplan *p;
	struct report r;
	const char *ll;
	int ch, rc, aia_private = 0;

	memset(&r, 0, sizeof(r));
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 'l':
			logsrc.path = optarg;
			break;
		case 'J':
			logsrc.journal = 1;
			logsrc.journal_dir = optarg;
			break;
		case 'P':
			aia_private = 1;
			break;
		case 'j':
			r.json = 1;
			break;
		default:
			return cmd_usage(usage, ch);
		}
	}
	if (optind != argc)
		return cmd_usage(usage, '?');
	if (logsrc.journal && logsrc.path != NULL) {
		log_err("--log and --journal: give one or the other");
		return EXIT_ERROR;
	}
	c = xmalloc(sizeof(*c));
	if (pfconf_load(c, dir, PFCONF_POSTCONF) == -1) {
		log_err("cannot read '%s': %s; give Postfix's configuration "
		    "directory with --config-dir DIR", c->main, c->main_why);
		free(c);
		return EXIT_NOCONFIG;
	}
	if (tc != NULL) {	/* an unreadable one only means: the defaults */
		want.tc = tc;
		if (tc->bundle)
			want.bundle = tc->bundle;
		if (tc->capath)
			want.capath = tc->capath;
	}
	p = xmalloc(sizeof(*p));
	pfplan_make(p, c, tc, want.bundle, want.capath);
	p->mp.aia_private = aia_private;
	logsrc.changed = mailcheck_changed(&want);

	if (r.json)
		printf("{\"findings\":[");
	pfcheck(&r, c, p);
	ll = pf_value(&c->c, PF_LOGLEVEL);
	check_log(&r, &logsrc, &p->mp, ll[0] == '\0' ? 0 : atoi(ll));
	if (r.json)
		printf("],\"problems\":%d}\n", r.problems);
	else if (r.problems == 0)
		printf("no problem found\n");
	else
		printf("%d problem%s found\n", r.problems, r.problems == 1 ? "" :
		    "s");
	rc = r.problems > 0 ? EXIT_ERROR : EXIT_CHANGED;
	pfconf_release(c);
	free(c);
	free(p);
	return rc;
}
