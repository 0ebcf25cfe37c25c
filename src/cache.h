/*
 * cache.h: conditional downloads against a cached copy, for the sources
 * of "update" and the AIA answers of the probes alike.
 *
 * The copy of a download lives in STATE/cache/NAME with its record
 * NAME.meta (state.h): the URL, the HTTP validators (ETag,
 * Last-Modified), the SHA-256 of the data and, for a source, what vouched
 * for it.  A copy is handed out only when its SHA-256 matches its record.
 *
 * Calling sequence:
 *
 *	struct cache_entry e;
 *	cache_open(state, name, url, &e, d);	// 1: e.data is the copy
 *	cache_fetch(&e, url, &opts, &r);	// If-None-Match etc. from e
 *	if (r.not_modified) use e.data;
 *	else check r.body, then cache_keep(state, name, url, &r, ...);
 *	cache_close(&e);
 */
#ifndef TB_CACHE_H
#define TB_CACHE_H

#include <stddef.h>
#include <time.h>

#include "diag.h"
#include "fetch.h"
#include "state.h"

struct cache_entry {
	struct state_meta meta;		/* valid when data is not NULL */
	unsigned char	*data;		/* the cached copy, or NULL */
	size_t		 len;
};

/* What vouched for a new copy: a pin, or a checksum file's SHA-256. */
struct cache_vouch {
	const char	*pin;		/* or NULL */
	const char	*sha256_url;	/* or NULL */
	const char	*vouched;	/* what sha256_url gave, or NULL */
	time_t		 changed;	/* when the content last changed, or
					   0: now */
};

/*
 * The cached copy of name, fetched from url (NULL: any; the caller checks
 * e->meta.url), into *e (zeroed first).
 * Returns 1 (e->data set), 0 when there is none usable, -1 after a
 * message in d.  state NULL: no cache, 0.
 */
int	cache_open(const char *state, const char *name, const char *url,
	    struct cache_entry *e, struct diags *d);
/*
 * May the copy in e (its SHA-256 checked against its record) stand for the
 * source name, which is checked by pin or by the checksum file sha256_url
 * (or neither) now?  1: yes; 0: it was checked against another pin or
 * checksum file than now, so it must not be used (said with -v); -1 after
 * the one message in d: it was altered since it was checked.  Who can edit
 * the cache but not its .meta is caught by cache_open; who can edit both
 * is caught here with a pin, and online (the checksum file is fetched
 * again on a 304) with a checksum file; offline a checksum file can only
 * be compared with what the .meta says it gave.
 */
int	cache_vouched(const struct cache_entry *e, const char *state,
	    const char *name, const char *pin, const char *sha256_url,
	    struct diags *d);
/*
 * GET url, conditionally on e's validators when e holds a copy: a 304
 * sets r->not_modified and the copy is e->data.  As fetch_get().
 */
int	cache_fetch(const struct cache_entry *e, const char *url,
	    const struct fetch_opts *o, struct fetch_result *r,
	    struct diags *d);
/*
 * Keep data (r's body, checked by the caller) as the copy of name, with
 * r's validators, fetched at now, and v (NULL: nothing vouched).  -1 after
 * a message in d.
 */
int	cache_keep(const char *state, const char *name, const char *url,
	    const struct fetch_result *r, time_t now,
	    const struct cache_vouch *v, const unsigned char *data, size_t len,
	    struct diags *d);
/* "2026-01-02 03:04 UTC": when the copy was fetched, into buf. */
const char *cache_day(time_t t, char *buf, size_t size);
/* Forget the copy (e->data freed); e stays valid. */
void	cache_close(struct cache_entry *e);

#endif
