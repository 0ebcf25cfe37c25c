/*
 * unpack.h: archives as certificate sources, in memory, through libarchive.
 *
 * tar (plain, gzip, bzip2, xz, lzma, zstd, lz4, compress), zip, cpio, ar,
 * 7-Zip, Microsoft cabinet, and RPM packages (an RPM header in front of a
 * compressed cpio), nested in one another: a Debian package is an ar
 * archive holding data.tar.xz.  Nothing is extracted to disk and member
 * names are only ever names; an archive whose member names are absolute or
 * climb with ".." is refused all the same.  Only regular members are read;
 * links, devices, directories are skipped.  Everything is bounded: total
 * uncompressed bytes, bytes per member, member count, nesting depth and
 * the expansion ratio, so a decompression bomb is refused, not unpacked.
 *
 * Pure in the sense of the parsers: a buffer in, callbacks out, no I/O,
 * nothing printed (what went wrong goes to a struct diags, diag.h).
 */
#ifndef TB_UNPACK_H
#define TB_UNPACK_H

#include <stddef.h>

#include "diag.h"

#define UNPACK_MAX_TOTAL	(512UL << 20)	/* uncompressed, whole tree */
#define UNPACK_MAX_MEMBER	(64UL << 20)	/* one member */
#define UNPACK_MAX_MEMBERS	100000		/* members, whole tree */
#define UNPACK_MAX_DEPTH	4		/* archives in archives */
#define UNPACK_MAX_RATIO	200		/* uncompressed / archive size */
#define UNPACK_RATIO_FLOOR	(16UL << 20)	/* ratio checked past this */

/*
 * Called for each regular member that is not itself an archive and that
 * the selector matches; name is "ARCHIVE#MEMBER" (nested: "...#OUTER#INNER").
 * d is the walk's.  Returns what unpack_walk should count (>= 0) or -1 to
 * stop the walk (after an error in d).
 */
typedef int (*unpack_member_fn)(void *arg, const char *name,
    const unsigned char *buf, size_t len, struct diags *d);

struct unpack {
	const char	*glob;		/* member selector, NULL: every member */
	unpack_member_fn fn;
	void		*arg;
	size_t		 total;		/* uncompressed bytes so far */
	size_t		 members;	/* members seen so far */
	size_t		 matched;	/* members handed to fn */
	size_t		 outer;		/* size of the outermost archive */
};

/* 1 if libarchive recognises buf as one of the archive formats above. */
int	unpack_detect(const unsigned char *buf, size_t len);

/*
 * Walk the archive in buf (named name), descending into archives inside
 * it, calling u->fn for each selected member.  u->glob is matched with
 * fnmatch(3) (no FNM_PATHNAME: "*" also matches "/") against the member's
 * path inside its innermost archive, without a leading "./".  Returns the
 * sum of what fn returned, or -1 after one error in d naming the archive
 * and member.  Initialise u with the glob, fn and arg, the rest zero.
 */
int	unpack_walk(struct unpack *u, const char *name,
	    const unsigned char *buf, size_t len, struct diags *d);

#endif
