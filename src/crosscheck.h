/*
 * crosscheck.h: two channels must agree.
 *
 * "cross-check = STORE" on a [source] (the mozilla source and the curl
 * store, say) compares the server-auth roots the source yields with those
 * of the store's set, fetched as the store says (curl's cacert.pem with
 * its checksum file), cached as STATE/cache/NAME.cross-check.  A root in
 * one and not in the other is remembered with the date it was first seen
 * (STATE/crosscheck/NAME); once it has lasted longer than
 * cross-check-grace (default 14 days: curl republishes within days of a
 * Mozilla change) it is said, with its subject and SHA-256, at every run,
 * and with strict it is an error: nothing is published.  A stale or
 * tampered upstream that one channel cannot see is caught this way.
 *
 * Calling sequence (pipeline.c, once the source's bytes are had, before
 * anything is published, every run):
 *
 *	crosscheck_source(&ctx, &src, strict);
 *
 * Nothing is printed: lines go to c->d.
 */
#ifndef TB_CROSSCHECK_H
#define TB_CROSSCHECK_H

#include "acquire.h"

#define CROSSCHECK_GRACE_DAYS	14

/*
 * Cross-check s when its spec asks for it (else 0 at once).  Returns 0,
 * or -1 after errors in c->d: the check could not be made at all under
 * strict, a difference past its grace under strict, or the state could
 * not be written.  Without strict, a difference is a notice per root and
 * a channel that cannot be had a notice.
 */
int	crosscheck_source(const struct acquire_ctx *c, struct acquire_src *s,
	    int strict);

#endif
