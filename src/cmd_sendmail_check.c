/*
 * cmd_sendmail_check.c: "trustbuild sendmail-check".
 *
 * Reads sendmail.mc, sendmail.cf and the mail log (parsed by sendmail.c),
 * looks at the CA file and directory they name, and reports each finding
 * with the exact fix (mailcheck.h): a define commented out by dnl (line
 * and column), only one of CACertFile and CACertPath (then sendmail loads
 * no CA data at all), a .cf older than or different from the .mc, files
 * that are missing, empty, unsafe or broken hash links, relays that log
 * verify=FAIL.
 */
#include <sys/stat.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "log.h"
#include "mailcheck.h"
#include "sendmail.h"
#include "smcheck.h"
#include "smconf.h"
#include "smplan.h"
#include "xalloc.h"

#define EXIT_NOCONFIG	3

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: trustbuild sendmail-check [--mc FILE] [--cf FILE]\n"
	    "                                 [--log FILE | --journal[=DIR]]\n"
	    "                                 [--pidfile FILE] [--aia-private]\n"
	    "                                 [--json]\n"
	    "\n"
	    "Check sendmail's TLS set-up: the confCACERT and confCACERT_PATH\n"
	    "defines of sendmail.mc (commented out by dnl? both there?), the\n"
	    "CACertFile and CACertPath options of sendmail.cf, whether the .cf\n"
	    "was rebuilt, the CA file and directory themselves, and the relays\n"
	    "the mail log shows with verify=FAIL; each problem with its fix.\n"
	    "\n"
	    "  --mc FILE   default " MC_DEFAULT "\n"
	    "  --cf FILE   default " CF_DEFAULT "\n"
	    "  --log FILE  the mail log, \"-\" for standard input (default\n"
	    "              /var/log/maillog or /var/log/mail.log, with its\n"
	    "              rotations .1, .2.gz ... or -YYYYMMDD, oldest first);\n"
	    "              compressed files are read too\n"
	    "  --journal[=DIR]  the systemd journal instead (journalctl, its\n"
	    "              -D DIR if given), sendmail's and sm-mta's lines\n"
	    "  --pidfile FILE  the running sendmail's (default: the usual\n"
	    "              places): was it started before the CA data changed?\n"
	    "  --aia-private  the [probe]s a fix adds get aia-private = yes\n"
	    "              (an internal PKI's caIssuers URLs)\n"
	    "  --json      one JSON object, each fix with its steps\n"
	    "\n"
	    "Exit status: 0 no problem, 1 problems found, 3 neither file can\n"
	    "be read.\n");
}

int
cmd_sendmail_check(int argc, char *argv[], struct config *tc)
{
	static const struct option opts[] = {
		{ "mc", required_argument, NULL, 'm' },
		{ "cf", required_argument, NULL, 'c' },
		{ "log", required_argument, NULL, 'l' },
		{ "journal", optional_argument, NULL, 'J' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "aia-private", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *mcpath = MC_DEFAULT, *cfpath = CF_DEFAULT;
	struct mailcheck_log logsrc = { NULL, 0, NULL, 0 };
	const char *pidfile = NULL;
	struct smconf *s;
	struct smplan *p;
	struct sm_config eff;
	struct report r;
	struct mailcheck_want want = { CONFIG_BUNDLE, CONFIG_CAPATH, NULL, 0 };
	char a[40], b[40];
	int ch, loglevel = -1, rc, aia_private = 0;

	memset(&r, 0, sizeof(r));
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			mcpath = optarg;
			break;
		case 'c':
			cfpath = optarg;
			break;
		case 'l':
			logsrc.path = optarg;
			break;
		case 'J':
			logsrc.journal = 1;
			logsrc.journal_dir = optarg;
			break;
		case 'p':
			pidfile = optarg;
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
	s = xmalloc(sizeof(*s));
	if (smconf_load(s, mcpath, cfpath, SMCONF_M4) == -1) {
		log_err("cannot read '%s' or '%s': %s; give --mc FILE and/or "
		    "--cf FILE", mcpath, cfpath, s->mc_why);
		free(s);
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
	smplan_make(p, s, tc, want.bundle, want.capath, pidfile);
	p->mp.aia_private = aia_private;
	logsrc.changed = mailcheck_changed(&want);

	if (r.json)
		printf("{\"findings\":[");
	if (!s->have_mc)
		finding(&r, L_NOTE, NULL, "cannot read '%s' (%s): checking the "
		    ".cf alone", mcpath, s->mc_why);
	check_ca(&r, s, p);
	if (s->have_mc && s->have_cf && s->mc_mtime > s->cf_mtime &&
	    !p->rebuild)
		finding(&r, L_NOTE, p->build, "%s (changed %s) is newer than "
		    "%s (built %s); its CA settings are the same", mcpath,
		    mailcheck_day(s->mc_mtime, a, sizeof(a)), cfpath,
		    mailcheck_day(s->cf_mtime, b, sizeof(b)));
	/* the files: those sendmail reads now, or will once the plan ran */
	eff = s->have_cf ? s->cf : s->mc;
	/* no CA data loaded now: check what the fix will make it read */
	if (!(sm_set(&eff, SM_CACERT) && sm_set(&eff, SM_CACERT_PATH))) {
		snprintf(eff.s[SM_CACERT].value, sizeof(eff.s[0].value), "%s",
		    want.bundle);
		snprintf(eff.s[SM_CACERT_PATH].value, sizeof(eff.s[0].value),
		    "%s", want.capath);
		eff.s[SM_CACERT].state = eff.s[SM_CACERT_PATH].state = SM_SET;
		want.planned = p->mp.update;
	}
	if (eff.s[SM_LOG_LEVEL].state == SM_SET)
		loglevel = atoi(eff.s[SM_LOG_LEVEL].value);
	check_store(&r, &eff, &want, pidfile);
	check_log(&r, &logsrc, &p->mp, loglevel);
	if (r.json)
		printf("],\"problems\":%d}\n", r.problems);
	else if (r.problems == 0)
		printf("no problem found\n");
	else
		printf("%d problem%s found\n", r.problems, r.problems == 1 ? "" :
		    "s");
	rc = r.problems > 0 ? EXIT_ERROR : EXIT_CHANGED;
	free(s);
	free(p);
	return rc;
}
