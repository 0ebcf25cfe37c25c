/*
 * guard.h: what a run of "update" would change, and the checks that stop
 * it before anything is published.
 *
 * The change is the set published now (the bundle, else the CApath) against
 * the new set, as "+ SHA256 SUBJECT" and "- SHA256 SUBJECT" lines: what
 * --diff shows, what a published change prints, what the hooks read.
 * Two guards refuse a change that looks like an accident: the shrink guard
 * (more than shrink-limit percent of the published roots dropped) and the
 * probe guard (a configured server that verifies against the published
 * store would stop verifying against the new one).
 *
 * Calling sequence:
 *
 *	struct guard g;
 *	old = guard_published(cfg, d);
 *	guard_diff(old, set, &g);
 *	if (guard_shrink(&g, cfg->shrink_limit, d) == -1) refuse;
 *	guard_release(&g);
 */
#ifndef TB_GUARD_H
#define TB_GUARD_H

#include <stddef.h>

#include <openssl/x509_vfy.h>

#include "certset.h"
#include "config.h"
#include "diag.h"
#include "probeset.h"

struct guard {
	char	*changes;		/* the "+"/"-" lines, NUL-terminated */
	size_t	 len;
	size_t	 added, removed;
	size_t	 anchors;		/* self-signed roots published now */
	size_t	 lost_anchors;		/* of those, dropped by the new set */
};

/*
 * The set published now by c's outputs (sorted; empty when there is
 * none).  One that cannot be read is replaced whole, with a warning in d.
 * NULL only when out of memory.
 */
struct certset *guard_published(const struct config *c, struct diags *d);
/* The change from old to cur into *g.  -1 when out of memory. */
int	guard_diff(const struct certset *old, const struct certset *cur,
	    struct guard *g);
/*
 * -1 with the refusal in d when the change drops more than limit percent
 * of the roots published now; else 0.
 */
int	guard_shrink(const struct guard *g, unsigned limit, struct diags *d);
/*
 * The configured servers (ps) that verify against old but not against
 * now are each said (probeset_regressions); with enforce, -1 and the
 * refusal in d when there is one.  Else 0; -1 after a message on error.
 */
int	guard_probes(const struct probeset *ps, const struct certset *old,
	    X509_STORE *now, enum purpose p, int enforce, struct diags *d);
void	guard_release(struct guard *g);

#endif
