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
#include "output.h"

/* Append c's comment header and PEM block to b.  -1 on allocation failure. */
int	bundle_render_cert(struct buf *b, const struct cert *c);
/*
 * The same as a dir_entry's make (publish.h), arg the struct cert: a file
 * of a CApath or pem-dir, rendered when it is written or compared.
 */
int	bundle_make_cert(const void *arg, struct buf *b);

/*
 * Writer: the whole set, in order, as one PEM file: its pieces, one per
 * certificate, into r->f (output.h), made while it is published.  set
 * is borrowed by r->f until then.
 */
int	bundle_render(const struct certset *set, const struct output_target *t,
	    struct rendered *r, struct diags *d);

#endif
