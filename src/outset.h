/*
 * outset.h: the set each output publishes.
 *
 * One run gates its sources once for the store's purpose (policy.h).  An
 * output of another purpose ([output NAME] purpose =, build --purpose
 * before --pkcs12...) gets its own set, made once per purpose by the same
 * gate: the sources parsed again for that purpose (certdata.txt trust
 * differs per purpose), then the intermediates of the main set (a probe's,
 * an AIA answer's, an earlier run's) admitted again by the same checks for
 * that purpose.  Then each output's own filter decides what it leaves
 * out (filter() in outset.c: the one place a per-output policy, such as
 * distrust-after, is called); a set it shortens is a view of borrowed
 * certificates.  The sets of a purpose are made under [output]'s
 * distrust-after (policy.h); an [output NAME] with a mode or leaf lifetime
 * of its own is filtered from that set plus what [output]'s left out.
 *
 * Calling sequence:
 *
 *	struct outset os;
 *	struct outset_sources src = { p->src, p->nsrc };	// update
 *	struct outset_in in = { outset_load_sources, &src, &pol, final };
 *	outset_init(&os);
 *	if (outset_assign(&os, &out, &in, d) == -1) ...	// out.v[i].set
 *	output_publish(&out, &changed);
 *	outset_release(&os);					// after publish
 *
 * Silent: what it decides goes to d (-v), errors too.
 */
#ifndef TB_OUTSET_H
#define TB_OUTSET_H

#include "blocklist.h"
#include "certset.h"
#include "output.h"
#include "policy.h"

struct acquire_src;

/*
 * Load the anchor and intermediate sets of purpose p (new, each into
 * *as or *is, counted in *na, *ni, freed by the caller even after an
 * error) and the blocklist entries into bl.  -1 after adding to d.
 */
typedef int outset_load_fn(void *arg, enum purpose p, struct certset ***as,
    size_t *na, struct certset ***is, size_t *ni, struct blocklist *bl,
    struct diags *d);

struct outset_in {
	outset_load_fn	*load;
	void		*arg;
	const struct policy *pol;	/* the main policy: its purpose,
					   exclude, keep_expired, now */
	struct certset	*main;		/* its final set (borrowed) */
};

/* update: the run's sources (acquire.h), parsed again per purpose. */
struct outset_sources {
	struct acquire_src *src;
	size_t		 n;
};
outset_load_fn	outset_load_sources;

/* build: the files of the command line (pipeline_load). */
struct outset_paths {
	char		**anchor, **inter;
	size_t		 nanchor, ninter;
};
outset_load_fn	outset_load_paths;

struct outset {
	struct certset	*bypurpose[PURPOSE_N + 1];	/* owned, but main */
	struct certset	*aside[PURPOSE_N + 1];	/* what distrust-after left
						   out of those (owned) */
	struct certset	*view[OUTPUT_MAX];		/* owned arrays */
	time_t		 next;		/* when a distrust-after decision of
					   these sets changes next, or 0 */
};

void	outset_init(struct outset *os);
/*
 * Set o->v[i].set of every output: the set of its purpose (in->main for
 * in->pol's purpose), then its filter.  The sets belong to os.  -1 after
 * adding to d (a purpose with no anchor is refused as the main set is).
 */
int	outset_assign(struct outset *os, struct output *o,
	    const struct outset_in *in, struct diags *d);
void	outset_release(struct outset *os);

#endif
