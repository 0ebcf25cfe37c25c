/*
 * build.h: one run of "build": local sources to a published store.
 *
 *   the record beside the first output (record.h) says the sources and
 *   options are as when the store was last published: stop here, nothing
 *   parsed -> one set per source -> policy (the trust gate) -> the set of
 *   each output (outset.h) -> the writers and publishing (output.h) -> the
 *   record of the run
 *
 * cmd_build.c turns the options into a struct build; build_run() reports
 * what happened (diags_report) and prints the summary line.
 */
#ifndef TB_BUILD_H
#define TB_BUILD_H

#include <stddef.h>

#include "output.h"
#include "policy.h"

/* What the options ask for. */
struct build {
	struct policy	 pol;
	struct output	 out;
	char		**anchor, **inter, **owned;
	size_t		 nanchor, ninter, nowned;
};

/* The sources, the policy, the writers: 0, 2 or 1 as the exit status. */
int	build_run(struct build *b);

#endif
