/*
 * pipeline.h: one run of "update", from the configured sources to the
 * published store; the command only reads options and renders.
 *
 *   sources (acquire.h) -> if nothing differs from the last published run,
 *   stop here (a 304 costs no parsing) -> one set per source -> rollback
 *   check -> policy (the trust gate) -> the probes' intermediates, gated ->
 *   the change and its guards (guard.h) -> the writers and publishing
 *   (output.h) -> the record of the run (state.h, manifest.h)
 *
 * Nothing is printed: what went wrong, and what was decided (-v), is in
 * p->d for the command to report, once.  A failed run publishes nothing.
 *
 * Calling sequence:
 *
 *	struct pipeline p;
 *	pipeline_init(&p, &cfg);		// cfg borrowed; p.force etc.
 *	pipeline_update(&p);			// p.outcome, p.st, p.change,
 *						// p.src, p.ps
 *	diags_report(&p.d);  render p;
 *	pipeline_hooks(&p);			// after a change, or pending
 *	diags_report(&p.d);
 *	pipeline_release(&p);			// the lock too
 */
#ifndef TB_PIPELINE_H
#define TB_PIPELINE_H

#include <stddef.h>
#include <time.h>

#include "acquire.h"
#include "config.h"
#include "diag.h"
#include "guard.h"
#include "policy.h"
#include "probeset.h"

enum pipeline_outcome {
	PIPELINE_FAILED,	/* nothing published; p->d says why */
	PIPELINE_SAME,		/* the sources are as when last published */
	PIPELINE_DIFF,		/* --diff: p->change, nothing published */
	PIPELINE_UNCHANGED,	/* built; equal to what is published */
	PIPELINE_PUBLISHED	/* a change is published */
};

struct pipeline {
	/* in */
	struct config	*cfg;		/* borrowed */
	int		 offline;	/* fetch nothing */
	int		 force;		/* past the guards and the shortcut */
	int		 diff_only;	/* show the change, publish nothing */
	int		 strict;	/* a cross-check difference fails */
	time_t		 now;
	/* out */
	enum pipeline_outcome outcome;
	struct policy_stats st;		/* counts of the set (or the record) */
	struct guard	 change;	/* against what is published now */
	int		 had_store;	/* a store was published before */
	struct probeset	 ps;		/* the probes and what they found */
	char		*changed;	/* the outputs written, by name ("bundle
					   capath java"), or NULL */
	char		*changed_paths;	/* and their paths, one a line */
	struct diags	 d;
	/* the run's own */
	int		 lockfd;
	struct acquire_src *src;
	size_t		 nsrc;
};

/* p for one run of cfg, now. */
void	pipeline_init(struct pipeline *p, struct config *cfg);
/*
 * Run it: p->outcome and what goes with it.  Returns 0, or -1 with
 * PIPELINE_FAILED (nothing was published).
 */
int	pipeline_update(struct pipeline *p);
/*
 * After the outcome is rendered: the hooks of a published change, or of
 * an earlier change whose hooks failed.  -1 when a hook failed (p->d).
 */
int	pipeline_hooks(struct pipeline *p);
/* Free p's own and give up the lock; not cfg. */
void	pipeline_release(struct pipeline *p);

/*
 * The local sources of "build": each of the n paths into its own set in
 * sets (new; the caller frees them), the blocklists into bl.  whole: the
 * certificates are intermediates, read with their keys (certset.h).  -1
 * after a message.
 */
int	pipeline_load(char **paths, size_t n, enum purpose want, int whole,
	    struct certset **sets, struct blocklist *bl, struct diags *d);
/*
 * The step "build" and "update" share after the sources are read: the
 * policy over one set per source, its counts said (hint: how to keep
 * expired anchors), and an empty result refused.  NULL after a message
 * in d.
 */
struct certset *pipeline_policy(struct policy *pol, struct certset **asets,
	    size_t na, struct certset **isets, size_t ni,
	    const struct blocklist *bl, const char *hint,
	    struct policy_stats *st, struct diags *d);

#endif
