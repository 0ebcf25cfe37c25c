/*
 * state.h: what "update" keeps between runs, under the state directory.
 *
 *   STATE/lock               held (flock) by the running update; its pid
 *   STATE/cache/NAME         the last good download of [source NAME]
 *   STATE/cache/NAME.meta    the url that answered (one of the source's
 *                            mirrors), HTTP validators, SHA-256, when it
 *                            was fetched and when its content last
 *                            changed (stale-after), and what vouched for
 *                            it: the pin, or the checksum file and the
 *                            SHA-256 it gave
 *   STATE/sources/NAME       what [source NAME] gave before (rollback.h)
 *   STATE/manifest           what the published store holds (manifest.h)
 *   STATE/last-run           what the published store was made from
 *   STATE/hooks-pending      changes whose hooks have not yet succeeded
 *   STATE/sendmail-relays    the relays [sendmail] learned (smrelay.h)
 *
 * Nothing here prints: what went wrong goes to the struct diags the
 * caller passes ("-1 after a message" below means one entry in d).
 * Every file is replaced atomically (publish.h).  A cached copy is used
 * only when its SHA-256 matches its .meta, so a run killed between the two
 * renames costs one full download, never a wrong file.
 */
#ifndef TB_STATE_H
#define TB_STATE_H

#include <stddef.h>
#include <time.h>

#include "diag.h"

struct state_meta {
	char	*url;
	char	*etag;
	char	*last_modified;
	char	 sha256[65];		/* of the cached data, hex */
	time_t	 fetched;		/* when it was last confirmed */
	time_t	 changed;		/* when its SHA-256 last changed (0
					   to state_cache_put: fetched) */
	/* what the data was checked against when it was cached */
	char	 pin[65];		/* the pin, or "" */
	char	*sha256_url;		/* the checksum file, or NULL */
	char	 vouched[65];		/* the SHA-256 it gave, or "" */
};

/*
 * Create the state directory (and its cache/) if needed and take its
 * lock, waiting up to wait_s seconds for another run.  Returns the
 * descriptor to keep open, or -1 after a message naming the holder's pid.
 */
int	state_lock(const char *state, unsigned wait_s, struct diags *d);

/*
 * The cached copy of source name when it was fetched from url (NULL: from
 * any, the caller checks m->url, a source with mirrors): returns 1
 * with *m and *data (malloc'd, NUL after *len bytes) set, 0 when there is
 * none usable (absent, another url, or damaged: said with -v), -1 after a
 * message on an I/O error.
 */
int	state_cache_get(const char *state, const char *name, const char *url,
	    struct state_meta *m, unsigned char **data, size_t *len,
	    struct diags *d);
/* Store data and m (m->sha256 is computed here).  -1 after a message. */
int	state_cache_put(const char *state, const char *name,
	    struct state_meta *m, const unsigned char *data, size_t len,
	    struct diags *d);
void	state_meta_release(struct state_meta *m);

/*
 * A small record STATE/file: read it (1 and a malloc'd, NUL-terminated
 * *buf; 0 when absent), write it atomically, or remove it.  -1 after a
 * message.
 */
int	state_read(const char *state, const char *file, char **buf,
	    struct diags *d);
int	state_write(const char *state, const char *file, const char *buf,
	    size_t len, struct diags *d);
int	state_remove(const char *state, const char *file, struct diags *d);

/* STATE/last-run: what the published store was made from. */
#define STATE_LAST_RUN	"last-run"
struct state_run {
	char	 inputs[65];		/* SHA-256 of what the run read */
	time_t	 until;			/* the same inputs, the same store */
	size_t	 anchors, intermediates;
	char	 published[4300];	/* state_published_id() */
};

/*
 * What is published now, as the record keeps it: "bundle SHA256\ncapath
 * TARGET\n" ("-" for what is not there) into out.  -1 after a message.
 */
int	state_published_id(const char *bundle, const char *capath, char *out,
	    size_t size, struct diags *d);
/* The record of the last published run: 1 and *r, or 0 (none, damaged). */
int	state_last_run_read(const char *state, struct state_run *r,
	    struct diags *d);
/* Replace it with *r.  -1 after a message. */
int	state_last_run_write(const char *state, const struct state_run *r,
	    struct diags *d);

/* SHA-256 of buf as 64 hex digits in out. */
void	state_sha256_hex(const void *buf, size_t len, char out[65]);
/* SHA-256 of what is left to read of fd, in hex: 0, or -1 (errno). */
int	state_sha256_fd(int fd, char out[65]);
/*
 * SHA-256 of the regular file path, read in pieces (a 45 MB bundle is
 * never in memory whole), in hex.  -1 after adding to d an error naming
 * path.
 */
int	state_sha256_file(const char *path, char out[65], struct diags *d);

#endif
