/*
 * cmd_update.c: "trustbuild update": the configured sources, fetched and
 * cached, to the published store; the job cron runs.
 *
 * options -> the configuration (with --out) -> the pipeline (pipeline.h)
 * -> what it did, rendered: the change on stdout (even with -q: cron
 * mails it), one summary line, the exit status; then the hooks.
 *
 * Boring by design: quiet with -q unless something changed or went wrong;
 * the published store is never touched by a failed run.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "export.h"
#include "log.h"
#include "pipeline.h"
#include "update_json.h"
#include "text.h"
#include "xalloc.h"

#define BUNDLE_NAME	"ca-bundle.with.intermediate.crt"
#define CAPATH_NAME	"certs"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: trustbuild [-c FILE] update [--out DIR] [--offline] [--force]\n"
	    "                               [--diff] [--strict] [--json]\n"
	    "\n"
	    "Fetch the configured root sets, keep a cached copy of each, add\n"
	    "the intermediates the configured servers ([probe]) need, and\n"
	    "publish the trust store when it changed.  The configuration is\n"
	    "-c FILE, else " CONFIG_FILE " when it exists (see\n"
	    "trustbuild.conf(5)), else the built-in one: Mozilla's set, with\n"
	    "the system store as the fallback, published to\n"
	    "  " CONFIG_BUNDLE "\n"
	    "  " CONFIG_CAPATH "\n"
	    "With an [export] section, what is published is then exported,\n"
	    "signed, for other hosts ('trustbuild export --help').\n"
	    "\n"
	    "  -c, --config FILE  read this configuration file\n"
	    "  --out DIR          publish DIR/" BUNDLE_NAME " and\n"
	    "                     DIR/" CAPATH_NAME ", state in DIR/state\n"
	    "  --offline          fetch nothing: cached copies and local sources\n"
	    "  --force            publish even when the set shrinks past\n"
	    "                     shrink-limit or a download went back to an\n"
	    "                     older set; parse the sources even when\n"
	    "                     nothing changed\n"
	    "  --diff             show what would be added and removed; publish\n"
	    "                     nothing\n"
	    "  --strict           a root that a source's cross-check finds in\n"
	    "                     one channel and not the other past its\n"
	    "                     grace is an error: nothing is published\n"
	    "  --json             what the run did as one JSON object, for\n"
	    "                     monitoring: the outcome, each source, each\n"
	    "                     probe, warnings and failures\n"
	    "\n"
	    "Exit status: 0 published a change (--diff: there is one), 2 nothing\n"
	    "changed, 1 error (nothing published; or a hook failed after\n"
	    "publishing).\n");
}

/* --out DIR: the outputs and the state under DIR. */
static int
out_dir(struct config *c, const char *dir)
{
	char *b, *p, *s;

	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		log_err("'%s': %s", dir, strerror(errno));
		return -1;
	}
	b = xasprintf("%s/" BUNDLE_NAME, dir);
	p = xasprintf("%s/" CAPATH_NAME, dir);
	s = xasprintf("%s/state", dir);
	if (c->bundle != NULL) {
		free(c->bundle);
		c->bundle = b;
	} else
		free(b);
	if (c->capath != NULL) {
		free(c->capath);
		c->capath = p;
	} else
		free(p);
	free(c->state);
	c->state = s;
	return 0;
}

/* [export]: the published store, signed, for other hosts (export.h). */
static int
export_after(struct pipeline *p)
{
	struct export_result r;

	if (p->cfg->export_dir == NULL || (p->outcome != PIPELINE_SAME &&
	    p->outcome != PIPELINE_UNCHANGED &&
	    p->outcome != PIPELINE_PUBLISHED))
		return 0;
	if (export_run(p->cfg, p->now, &r, &p->d) == -1)
		return -1;
	diag_info(&p->d, NULL, 0, "[export] '%s': serial %llu%s",
	    p->cfg->export_dir, r.serial, r.changed ? ", written" :
	    " is current");
	return 0;
}

/* The exit status of what the pipeline did. */
static int
status(const struct pipeline *p)
{
	const struct guard *g = &p->change;

	switch (p->outcome) {
	case PIPELINE_SAME:
	case PIPELINE_UNCHANGED:
		return EXIT_UNCHANGED;
	case PIPELINE_DIFF:
		return g->added + g->removed ? EXIT_CHANGED : EXIT_UNCHANGED;
	case PIPELINE_PUBLISHED:
		return EXIT_CHANGED;
	default:
		return EXIT_ERROR;
	}
}

/* What the pipeline did, on stdout; the exit status. */
static int
render(const struct pipeline *p)
{
	const struct guard *g = &p->change;
	const char *purpose = purpose_name(p->cfg->purpose);

	switch (p->outcome) {
	case PIPELINE_SAME:
	case PIPELINE_UNCHANGED:
		if (log_verbosity >= LOG_NORMAL)
			printf("%zu anchor%s, %zu intermediate%s for %s: "
			    "unchanged\n", p->st.anchors, text_s(p->st.anchors),
			    p->st.intermediates, text_s(p->st.intermediates),
			    purpose);
		break;
	case PIPELINE_DIFF:
		fwrite(g->changes, 1, g->len, stdout);
		if (log_verbosity >= LOG_NORMAL)
			printf("%zu added, %zu removed: %s\n", g->added,
			    g->removed, g->added + g->removed ?
			    "would publish" : "no change");
		break;
	case PIPELINE_PUBLISHED:
		/* a change is shown even with -q: cron mails it */
		if (p->had_store)
			fwrite(g->changes, 1, g->len, stdout);
		printf("%zu anchor%s, %zu intermediate%s for %s: published (%zu "
		    "added, %zu removed)\n", p->st.anchors,
		    text_s(p->st.anchors), p->st.intermediates,
		    text_s(p->st.intermediates), purpose, g->added, g->removed);
		fflush(stdout);
		break;
	default:
		break;
	}
	return status(p);
}

int
cmd_update(int argc, char *argv[], struct config *cfg)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "offline", no_argument, NULL, 'O' },
		{ "force", no_argument, NULL, 'f' },
		{ "diff", no_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "strict", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct pipeline p;
	const char *outdir = NULL;
	int ch, offline = 0, force = 0, diff_only = 0, json = 0, strict = 0;
	int rc, ex;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			outdir = optarg;
			break;
		case 'O':
			offline = 1;
			break;
		case 'f':
			force = 1;
			break;
		case 'd':
			diff_only = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 's':
			strict = 1;
			break;
		default:
			return cmd_usage(usage, ch);
		}
	}
	if (optind != argc) {
		log_err("update: unexpected '%s'; sources come from the "
		    "configuration file", argv[optind]);
		usage(stderr);
		return EXIT_ERROR;
	}
	if (cfg == NULL)	/* main() said why (cmd.h) */
		return EXIT_ERROR;
	if (outdir != NULL && out_dir(cfg, outdir) == -1)
		return EXIT_ERROR;
	pipeline_init(&p, cfg);
	p.offline = offline;
	p.force = force;
	p.diff_only = diff_only;
	p.strict = strict;
	pipeline_update(&p);
	ex = export_after(&p);
	if (json) {
		rc = ex == -1 ? EXIT_ERROR : status(&p);
		if (pipeline_hooks(&p) == -1)
			rc = EXIT_ERROR;
		update_json(&p, rc);
		pipeline_release(&p);
		return rc;
	}
	diags_report(&p.d);
	rc = render(&p);
	if (ex == -1)
		rc = EXIT_ERROR;
	if (pipeline_hooks(&p) == -1)
		rc = EXIT_ERROR;
	diags_report(&p.d);
	pipeline_release(&p);
	return rc;
}
