/*
 * bundle.h: the PEM bundle writer.
 *
 * The bundle is every certificate of the final set, in the set's sorted
 * order, each after a comment header (subject, issuer, not-after, SHA-256,
 * sources).  Nothing in it depends on the time of the run, so equal input
 * gives byte-equal output.
 */
#ifndef TB_BUNDLE_H
#define TB_BUNDLE_H

#include "buf.h"
#include "certset.h"
#include "publish.h"

/* Append c's comment header and PEM block to b.  -1 on allocation failure. */
int	bundle_render_cert(struct buf *b, struct cert *c);

/* Render the whole set.  -1 on allocation failure (after a message). */
int	bundle_render(const struct certset *set, struct buf *b);

/* Writer: stage the bundle for path.  See publish.h. */
int	bundle_prepare(const struct certset *set, const char *path,
	    int flags, struct pending *pd);

#endif
