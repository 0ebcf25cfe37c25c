/*
 * live.h: sources that stay live.
 *
 * A download's failure gets the advice of the setting to change
 * (live_fetch_advice: fetch.h knows no configuration key), and a download
 * whose content has not changed for longer than its stale-after is said
 * once per run (live_stale): a repository that moved away answers "not
 * modified" for ever, and the store would stop following its publisher
 * without a word.  Nothing is printed: the lines go to a struct diags.
 */
#ifndef TB_LIVE_H
#define TB_LIVE_H

#include "acquire.h"
#include "diag.h"
#include "fetch.h"

/*
 * The entries of d (fetch's failure) with the advice of the setting to
 * change: the timeout and the CA always; max-size and the url for a
 * source's download (download 1), not for its checksum file.
 */
void	live_fetch_advice(struct diags *d, const struct fetch_opts *o,
	    int download);
/*
 * s (a download, not its fallback) unchanged past its stale-after at
 * c->now: s->stale set and one notice in c->d naming the source, the url
 * and the date of its last change.
 */
void	live_stale(const struct acquire_ctx *c, struct acquire_src *s);
/*
 * When new content last changed: the server's Last-Modified (an HTTP
 * date, as RFC 9110 writes it) when it is given and not after now, else
 * now.  A URL frozen long ago is then stale from its first download.
 */
time_t	live_changed(const char *last_modified, time_t now);

#endif
