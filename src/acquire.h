/*
 * acquire.h: one configured source's bytes for this run of "update".
 *
 * A source is local (a file or a directory, read as it is) or a download.
 * A download goes through an explicit state machine (acquire.c):
 *
 *	CACHE     the cached copy (cache.h), if one may stand for the source
 *	FETCH     a GET of the source's url, conditional when the cached
 *	          copy came from that url; a url that does not answer, or
 *	          answers with bytes that are refused, passes to the next of
 *	          its mirrors (url = repeated), in order
 *	RECHECK   a 304 with a checksum file: does it still vouch for the copy?
 *	CHECK     a new body: pin or checksum file, then parsed
 *	KEEP      the new body replaces the cached copy
 *	CACHED    the download failed: the cached copy stands in
 *	FALLBACK  nothing is cached: the source's local fallback stands in
 *
 * What went wrong is one line per failure, composed here where the whole
 * story is known ("[source X]: nothing is cached ...: REASON"), and handed
 * back in a struct diags; nothing is printed.
 *
 * Calling sequence:
 *
 *	struct acquire_src s;
 *	acquire_resolve(&cfg->src[i], &s, d);	// the configured description
 *	acquire_get(&ctx, &s);			// s.buf/s.len or a directory
 *	acquire_parse(&s, purpose, label, d);	// s.set and s.bl
 *	acquire_src_release(&s);
 */
#ifndef TB_ACQUIRE_H
#define TB_ACQUIRE_H

#include <stddef.h>
#include <time.h>

#include "blocklist.h"
#include "certset.h"
#include "config.h"
#include "diag.h"
#include "rollback.h"
#include "source.h"

struct central;

/* One configured source, resolved, with the bytes it yields this run. */
struct acquire_src {
	/*
	 * Resolved (spec_resolve): spec.url a download or NULL, spec.path a
	 * local file or directory; spec.sha256 its pin; spec.fmt what it
	 * must be (0: any source).
	 */
	struct source_spec spec;
	/* this run */
	unsigned char	*buf;		/* the bytes, or NULL for a directory */
	size_t		 len;
	char		 fp[65];	/* what the bytes are (SHA-256) */
	char		 origin[128];	/* for -v: fetched, cached, fallback */
	time_t		 cached;	/* the date of the cached copy that
					   stands in, or 0 */
	const char	*answered;	/* the url (or mirror) that answered
					   this run, or NULL; borrowed */
	time_t		 changed;	/* a download's content last changed
					   (its cache record), or 0 */
	int		 stale;		/* unchanged past stale-after */
	long		 ncerts;	/* what it gave before the gate; -1:
					   not parsed (update --json) */
	struct certset	*set;		/* parsed, or NULL: not yet */
	struct blocklist *bl;
	struct rollback	 next;		/* its record, kept when published */
	struct central	*central;	/* a signed store (central.h), or NULL */
};

/* What every source of one run shares. */
struct acquire_ctx {
	const struct config *cfg;	/* [fetch], the state directory */
	int		 offline;	/* fetch nothing */
	time_t		 now;
	struct diags	*d;		/* what went wrong goes here */
};

/*
 * The source of [source NAME], its store's definition filled in, into
 * s->spec (s zeroed first; spec_resolve).  -1 after a message in d.
 */
int	acquire_resolve(const struct source_spec *cs, struct acquire_src *s,
	    struct diags *d);
/*
 * This run's bytes of s: a local file or directory, or the download (the
 * state machine above).  A download that was checked is parsed too (s->set).
 * Returns 0, or -1 after one message in c->d.
 */
int	acquire_get(const struct acquire_ctx *c, struct acquire_src *s);
/*
 * Parse s->buf (or s->path) into a fresh s->set and s->bl; label names the
 * bytes in messages.  -1 after a message in d.
 */
int	acquire_parse(struct acquire_src *s, enum purpose purpose,
	    const char *label, struct diags *d);
/* Free what s holds (not s); accepts a zeroed s. */
void	acquire_src_release(struct acquire_src *s);

#endif
