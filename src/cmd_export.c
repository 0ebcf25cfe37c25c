/*
 * cmd_export.c: "trustbuild export": the published store, signed, into
 * the [export] dir for other hosts (export.h); update does the same after
 * each run when [export] is configured.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "export.h"
#include "log.h"
#include "state.h"
#include "text.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: trustbuild [-c FILE] export\n"
	    "\n"
	    "Write the published store, as 'update' last published it, into\n"
	    "the dir of [export] for other hosts to update from ([source NAME]\n"
	    "with url = .../manifest and signer = CERT, see trustbuild.conf(5)):\n"
	    "  DIR/objects/SHA256   each certificate (DER) and the set object\n"
	    "                       (each certificate's role and origin)\n"
	    "  DIR/manifest.p7s     a detached CMS signature of the manifest\n"
	    "  DIR/manifest         serial, created, valid-until, the objects\n"
	    "written in that order, each by rename.  Nothing is written when\n"
	    "DIR holds this store already, signed, with more than half of\n"
	    "valid-for left.  'update' exports by itself after each run.\n"
	    "\n"
	    "Exit status: 0 a new manifest was written, 2 DIR was current,\n"
	    "1 error.\n");
}

/* A one-line summary of r on stdout (the change even with -q). */
static void
render(const struct config *c, const struct export_result *r)
{
	char until[32];

	cert_time_fmt(r->valid_until, "%Y-%m-%d %H:%M UTC", until,
	    sizeof(until));
	if (r->changed)
		printf("exported %zu anchor%s, %zu intermediate%s to '%s': "
		    "serial %llu, valid until %s (%zu object%s written, %zu "
		    "removed)\n", r->anchors, text_s(r->anchors),
		    r->intermediates, text_s(r->intermediates), c->export_dir,
		    r->serial, until, r->written, text_s(r->written),
		    r->removed);
	else if (log_verbosity >= LOG_NORMAL)
		printf("'%s': serial %llu, valid until %s, is current: "
		    "unchanged\n", c->export_dir, r->serial, until);
}

int
cmd_export(int argc, char *argv[], struct config *cfg)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct diags d = DIAGS_INIT;
	struct export_result r;
	int ch, lockfd, rc;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		return cmd_usage(usage, ch);
	if (optind != argc)
		return cmd_usage(usage, '?');
	if (cfg == NULL)	/* main() said why (cmd.h) */
		return EXIT_ERROR;
	if (cfg->export_dir == NULL) {
		log_err("'%s' has no [export] section; add one with dir, key "
		    "and cert (trustbuild.conf(5))", cfg->file);
		return EXIT_ERROR;
	}
	if ((lockfd = state_lock(cfg->state, cfg->lock_wait, &d)) == -1) {
		diags_report(&d);
		return EXIT_ERROR;
	}
	rc = export_run(cfg, time(NULL), &r, &d);
	close(lockfd);
	diags_report(&d);
	if (rc == -1)
		return EXIT_ERROR;
	render(cfg, &r);
	return r.changed ? EXIT_CHANGED : EXIT_UNCHANGED;
}
