/*
 * spec.h: what a source of certificates is (struct source_spec), and the
 * one table of configuration keys.
 *
 * A source is described once, whether it comes from a [source NAME]
 * section of trustbuild.conf(5) or from a definition in stores/
 * (stores/README): where it is published or kept, its format, the member
 * of an archive to read, its role and how its integrity is checked.  Both
 * files are read by ini.h and their keys checked against one table
 * {section, key, type, field, bounds} in spec.c (curl's tool_getparam.c
 * pattern): a new key is one row there, one line in the man page.
 *
 * Calling sequence of a reader (config.c, store.c):
 *
 *	uint64_t seen = 0;		// per section: each key once
 *	spec_set(SPEC_SOURCE, &spec, file, line, key, value, &seen, d);
 *	...
 *	spec_resolve(&entry, &full, d);	// [source] + stores/ -> full
 *	spec_release(&full);
 *
 * Silent: errors go to the struct diags with file and line.
 */
#ifndef TB_SPEC_H
#define TB_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "format.h"

#define SPEC_MAX_PATHS	8
#define SPEC_MAX_MIRRORS	4	/* urls after the first */

/* What a source's certificates are for. */
enum source_role {
	ROLE_ANCHORS,
	ROLE_INTERMEDIATES,
	ROLE_BLOCKLIST		/* its certificates are left out */
};

struct source_spec {
	char		*name;		/* [source NAME], a definition's name */
	char		*file;		/* where it is defined */
	size_t		 line;		/* where its section starts, or 0 */
	char		*description;	/* stores/ */
	char		*store;		/* [source]: a definition, or NULL */
	char		*url;		/* as written; resolved: a download */
	char		*mirrors[SPEC_MAX_MIRRORS];	/* the next "url ="s,
					   tried in order when url does not
					   answer (https or http only) */
	size_t		 nmirrors;
	char		*path;		/* resolved: a local file or directory */
	char		*paths[SPEC_MAX_PATHS];	/* stores/: local copies */
	size_t		 npaths;
	char		*format;	/* as written, or NULL: any */
	enum source_format fmt;		/* what source_detect() must say */
	char		*member;	/* glob of archive members */
	enum source_role role;
	int		 role_set;
	char		*integrity;	/* stores/: https, sha256-url, pin... */
	char		*sha256;	/* a pin: 64 lowercase hex digits */
	char		*sha256_url;	/* the publisher's checksum file */
	char		*ca;		/* CA file for this source's https */
	char		*fallback;	/* a store name or a path */
	size_t		 max_size;	/* 0: [fetch] max-size */
	char		*why;		/* stores/: why this is where it is */
	/* days + 1 (0: not given; 1: off): see spec_days() */
	unsigned	 stale_after;	/* unchanged this long: said each run */
	char		*cross_check;	/* a store whose anchors must agree */
	unsigned	 cross_check_grace;	/* days a difference may last */
	char		*signer[SPEC_MAX_PATHS];	/* a signed store's
					   pinned signers (central.h) */
	size_t		 nsigner;
};

/* The days of a stale-after-like field: dflt when not given, 0 when off. */
unsigned	spec_days(unsigned field, unsigned dflt);

/* Where a key may be given: a section, or a stores/ definition. */
enum spec_where {
	SPEC_OUTPUT	= 1 << 0,	/* [output]: struct config */
	SPEC_FETCH	= 1 << 1,	/* [fetch]: struct config */
	SPEC_SOURCE	= 1 << 2,	/* [source NAME]: struct source_spec */
	SPEC_PROBE	= 1 << 3,	/* [probe NAME]: struct config_probe */
	SPEC_STORE	= 1 << 4,	/* stores/NAME: struct source_spec */
	SPEC_SENDMAIL	= 1 << 5,	/* [sendmail]: struct config */
	SPEC_POSTFIX	= 1 << 6,	/* [postfix]: struct config */
	SPEC_EXPORT	= 1 << 7,	/* [export]: struct config */
	SPEC_OUTPUT_NAMED = 1 << 8	/* [output NAME]: struct
					   config_output */
};

/*
 * Set key to value in base (the struct where names) by the key table.
 * seen holds the keys given so far in this section (each at most once,
 * but for the repeatable exclude, path and url: a url after the first
 * is a mirror, tried in order).  Returns 0, or -1 after one
 * error naming file and line: an unknown key (with the keys there are), a
 * key given twice or a value out of bounds (with what it must be).
 */
int	spec_set(enum spec_where where, void *base, const char *file,
	    size_t line, const char *key, const char *value, uint64_t *seen,
	    struct diags *d);

/*
 * The full source of a [source] entry: its store's definition (stores/)
 * under what the entry sets, and its location resolved: url a download
 * (http, https) or NULL, path a local file or directory (file:// and
 * "PATH#GLOB" taken apart; a store's first path that exists).  out is the
 * caller's to spec_release().  -1 after one error (no such store, none of
 * its paths exists).
 */
int	spec_resolve(const struct source_spec *entry, struct source_spec *out,
	    struct diags *d);
/* Copy s into out (every string duplicated). */
void	spec_copy(struct source_spec *out, const struct source_spec *s);
void	spec_release(struct source_spec *s);

/* Parse "64M", "512k", "100000": bytes, 1 to max.  -1 if not. */
int	spec_size(const char *s, size_t max, size_t *out);
/* Parse a SHA-256 of 64 hex digits, colons allowed.  -1 if not. */
int	spec_sha256(const char *s, unsigned char out[32]);

#endif
