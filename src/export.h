/*
 * export.h: the published store as a signed store for other hosts
 * ([export] of trustbuild.conf(5); the format is fleetman.h's).
 *
 * From what is published (the bundle or CApath, and STATE/manifest for
 * each certificate's role and origin), into the [export] dir:
 *
 *   1. objects/SHA256 for the set object and each certificate (publish.h:
 *      temp file, rename; an object already there with those bytes is not
 *      written again), all committed
 *   2. manifest.p7s, then manifest (each by rename): a serial that only
 *      grows (the last one + 1, or the time when that is more), created,
 *      valid-until = now + valid-for
 *   3. objects named by no manifest for one valid-for period are removed
 *      (the time an object left the manifest is its mtime)
 *
 * A kill -9 at any instant leaves a manifest whose objects are all there.
 * Nothing is written when the manifest in dir already names these
 * objects, its signature verifies with cert, and more than half of its
 * valid-for is left: an unchanged store is signed again only as its
 * manifest ages.  The key must be a regular file of this user (root),
 * readable by no one else.  Prints nothing.
 *
 * Calling sequence: the state lock held (update holds it; `trustbuild
 * export` takes it), export_run(cfg, now, &r, d).
 */
#ifndef TB_EXPORT_H
#define TB_EXPORT_H

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "diag.h"

struct export_result {
	int		 changed;	/* a new manifest was written */
	unsigned long long serial;	/* of the manifest in dir now */
	time_t		 valid_until;
	size_t		 anchors, intermediates;
	size_t		 written;	/* objects written this run */
	size_t		 removed;	/* old objects removed */
};

/* Export c's published store to c->export_dir.  -1 after one error in d. */
int	export_run(const struct config *c, time_t now, struct export_result *r,
	    struct diags *d);

#endif
