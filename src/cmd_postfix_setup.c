/*
 * cmd_postfix_setup.c: "trustbuild postfix-setup": make Postfix's SMTP
 * client verify with the store trustbuild publishes.  The plan
 * (pfplan.h) is printed as numbered steps, shown as a diff and commands
 * (--dry-run), or carried out in order with backups and a full restore on
 * failure (--apply, pfapply.h).
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
#include "pfapply.h"
#include "pfconf.h"
#include "pfplan.h"
#include "postfix.h"
#include "smapply.h"
#include "xalloc.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: trustbuild postfix-setup [--apply | --dry-run]\n"
	    "                                [--config-dir DIR] [--no-restart]\n"
	    "                                [--aia-private]\n"
	    "\n"
	    "Make Postfix's SMTP client verify with the store 'trustbuild\n"
	    "update' publishes: add a [probe] per relay (relayhost,\n"
	    "transport_maps, smtp_tls_policy_maps) to the configuration,\n"
	    "publish, then postconf -e smtp_tls_CAfile (the bundle, read before\n"
	    "the chroot), smtp_tls_CApath (only where smtp is not chrooted) and\n"
	    "smtp_tls_loglevel = 1 where it is 0, postfix check, postfix reload\n"
	    "if it runs.  Without --apply the steps are printed.\n"
	    "\n"
	    "  --apply         do it: main.cf and the configuration backed up\n"
	    "                  first (FILE.trustbuild-YYYYMMDDHHMMSS), all\n"
	    "                  restored if a step fails; then each relay is\n"
	    "                  probed\n"
	    "  --dry-run       print a diff of the configuration and the\n"
	    "                  commands --apply would run\n"
	    "  --config-dir DIR  default " PF_DEFAULT_DIR "\n"
	    "  --no-restart    do not reload Postfix\n"
	    "  --aia-private   the [probe]s may fetch from private addresses (an\n"
	    "                  internal PKI's caIssuers URLs)\n"
	    "\n"
	    "Exit status: 0 done (or nothing to do), 1 a step failed (every\n"
	    "file restored) or a relay still fails verification.\n");
}

int
cmd_postfix_setup(int argc, char *argv[], struct config *tc)
{
	static const struct option opts[] = {
		{ "config-dir", required_argument, NULL, 'd' },
		{ "apply", no_argument, NULL, 'a' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "no-restart", no_argument, NULL, 'R' },
		{ "aia-private", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = PF_DEFAULT_DIR;
	struct smapply_opts o = { 0, 0, NULL };
	struct diags d = DIAGS_INIT;
	struct step st[MAX_STEPS];
	struct pfconf *c;
	struct pfplan *p;
	char conf[8192];
	int ch, apply = 0, aia_private = 0, rc = EXIT_CHANGED, n;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
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
	if (tc->bundle == NULL) {
		log_err("'%s' publishes no bundle; Postfix's smtp_tls_CAfile "
		    "needs one (set bundle in [output])", tc->file);
		return EXIT_ERROR;
	}
	c = xmalloc(sizeof(*c));
	p = xmalloc(sizeof(*p));
	if (pfconf_load(c, dir, PFCONF_POSTCONF) == -1) {
		log_err("cannot read '%s': %s; give Postfix's configuration "
		    "directory with --config-dir DIR", c->main, c->main_why);
		rc = EXIT_ERROR;
		goto out;
	}
	pfplan_make(p, c, tc, tc->bundle, tc->capath);
	p->mp.aia_private = aia_private;
	if (apply || o.dry_run) {
		if (pfapply(c, p, &o, &d) == -1)
			rc = EXIT_ERROR;
		diags_report(&d);
		goto out;
	}
	if (pfplan_empty(p)) {
		printf("nothing to do: smtp_tls_CAfile is %s, and every relay "
		    "of %s is a [probe] of %s\n", tc->bundle, c->main,
		    p->mp.conffile);
		goto out;
	}
	n = pfplan_steps(p, st, MAX_STEPS, conf, sizeof(conf));
	printf("To make Postfix verify with %s (or run 'trustbuild "
	    "postfix-setup --apply', which does this):\n", tc->bundle);
	mailcheck_print_steps(st, n);
out:
	pfconf_release(c);
	free(c);
	free(p);
	return rc;
}
