/*
 * cmd_sendmail_setup.c: "trustbuild sendmail-setup": make sendmail verify
 * with the store trustbuild publishes.  The plan (smplan.h) is printed as
 * numbered steps, shown as diffs (--dry-run), or carried out in order with
 * backups and a full restore on failure (--apply, smapply.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "diag.h"
#include "log.h"
#include "mailcheck.h"
#include "smapply.h"
#include "smconf.h"
#include "smplan.h"
#include "xalloc.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: trustbuild sendmail-setup [--apply | --dry-run] [--mc FILE]\n"
	    "                                 [--cf FILE] [--pidfile FILE]\n"
	    "                                 [--no-restart] [--aia-private]\n"
	    "\n"
	    "Make sendmail verify with the store 'trustbuild update' publishes:\n"
	    "set confCACERT and confCACERT_PATH in the file whose define wins\n"
	    "(the .mc, or one it includes such as Debian's starttls.m4), add a\n"
	    "[probe] per relay (SMART_HOST, mailertable) to the configuration,\n"
	    "publish, rebuild sendmail.cf and reload sendmail.  Without --apply\n"
	    "the steps are printed.\n"
	    "\n"
	    "  --apply         do it: each changed file backed up first\n"
	    "                  (FILE.trustbuild-YYYYMMDDHHMMSS), all restored\n"
	    "                  if a step fails; then each relay is probed\n"
	    "  --dry-run       print a diff of each file --apply would change\n"
	    "                  and the commands it would run\n"
	    "  --mc FILE       default " MC_DEFAULT "\n"
	    "  --cf FILE       default " CF_DEFAULT "\n"
	    "  --pidfile FILE  the running sendmail's (default: the usual places)\n"
	    "  --no-restart    do not reload sendmail\n"
	    "  --aia-private   the [probe]s may fetch from private addresses (an\n"
	    "                  internal PKI's caIssuers URLs)\n"
	    "\n"
	    "Exit status: 0 done (or nothing to do), 1 a step failed (every\n"
	    "file restored) or a relay still fails verification.\n");
}

int
cmd_sendmail_setup(int argc, char *argv[], struct config *tc)
{
	static const struct option opts[] = {
		{ "mc", required_argument, NULL, 'm' },
		{ "cf", required_argument, NULL, 'c' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "apply", no_argument, NULL, 'a' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "no-restart", no_argument, NULL, 'R' },
		{ "aia-private", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *mcpath = MC_DEFAULT, *cfpath = CF_DEFAULT, *pidfile = NULL;
	struct smapply_opts o = { 0, 0, NULL };
	struct diags d = DIAGS_INIT;
	struct step st[MAX_STEPS];
	struct smconf *s;
	struct smplan *p;
	char conf[8192];
	int ch, apply = 0, aia_private = 0, rc = EXIT_CHANGED, n;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			mcpath = optarg;
			break;
		case 'c':
			cfpath = optarg;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'a':
			apply = 1;
			break;
		case 'n':
			o.dry_run = 1;
			break;
		case 'R':
			o.no_restart = 1;
			break;
		case 'P':
			aia_private = 1;
			break;
		default:
			return cmd_usage(usage, ch);
		}
	}
	if (optind != argc || (apply && o.dry_run))
		return cmd_usage(usage, '?');
	if (tc == NULL)		/* main() said why (cmd.h) */
		return EXIT_ERROR;
	if (tc->bundle == NULL || tc->capath == NULL) {
		log_err("'%s' publishes only a %s; sendmail needs both (set "
		    "bundle and capath in [output])", tc->file, tc->bundle ?
		    "bundle" : "CApath");
		return EXIT_ERROR;
	}
	s = xmalloc(sizeof(*s));
	p = xmalloc(sizeof(*p));
	if (smconf_load(s, mcpath, cfpath, SMCONF_M4) == -1 || !s->have_mc) {
		log_err("cannot read '%s': %s; give the .mc sendmail.cf is "
		    "built from with --mc FILE", mcpath, s->mc_why);
		rc = EXIT_ERROR;
		goto out;
	}
	smplan_make(p, s, tc, tc->bundle, tc->capath, pidfile);
	p->mp.aia_private = aia_private;
	if (apply || o.dry_run) {
		if (smapply(s, p, &o, &d) == -1)
			rc = EXIT_ERROR;
		diags_report(&d);
		goto out;
	}
	if (smplan_empty(p)) {
		printf("nothing to do: %s names %s and %s, and every relay of "
		    "%s is a [probe] of %s\n", cfpath, tc->bundle, tc->capath,
		    mcpath, p->mp.conffile);
		goto out;
	}
	n = smplan_steps(p, st, MAX_STEPS, conf, sizeof(conf));
	printf("To make sendmail verify with %s and %s (or run 'trustbuild "
	    "sendmail-setup --apply', which does this):\n", tc->bundle,
	    tc->capath);
	mailcheck_print_steps(st, n);
out:
	free(s);
	free(p);
	return rc;
}
