/*
 * output.h: the writers (bundle, CApath) and their publishing, shared by
 * "build" and "update".
 *
 * Each writer stages the final, sorted set beside what is published; then
 * every staged output is committed, or none is (publish.h).  The
 * directories that hold the outputs are locked against other runs first.
 */
#ifndef TB_OUTPUT_H
#define TB_OUTPUT_H

#include "certset.h"

#define OUTPUT_LOCK_WAIT_S	30	/* wait for another run's publishing */

struct output {
	const char	*bundle;	/* a PEM file, or NULL */
	const char	*capath;	/* a hashed directory link, or NULL */
	int		 flags;		/* CAPATH_COMPAT */
};

/*
 * Publish set to the outputs of o.  *changed says whether anything was
 * written (content equal to what is published is not).  Returns 0, or -1
 * after a message; then nothing was switched, except as publish.h says of a
 * failure between two renames.
 */
int	output_publish(const struct output *o, const struct certset *set,
	    int *changed);

#endif
