/*
 * ini.h: the one reader of "key = value" files: trustbuild.conf(5) and the
 * definitions in stores/.
 *
 * A line is blank, a comment, a "[section]" header (when the rules allow
 * sections) or "key = value".  White space around keys, values and header
 * text is dropped.  '#' at the start of a line or after white space starts
 * a comment, so URLs and SOURCE#GLOB keep theirs; with INI_HASH_ANYWHERE
 * any '#' does (values then hold none).  A NUL byte is refused (not a text
 * file).  The reader knows no keys: it hands each header and pair to the
 * caller's function, which checks them against its key table (spec.h).
 *
 * Calling sequence:
 *
 *	static const struct ini_rules rules = { INI_SECTIONS, 4096, 0, 0 };
 *	if (ini_parse(file, buf, len, &rules, fn, arg, d) == -1)
 *		... one error in d, with file and line ...
 *
 * Silent: what is wrong goes to d with the file and line.
 */
#ifndef TB_INI_H
#define TB_INI_H

#include <stddef.h>

#include "diag.h"

enum ini_flags {
	INI_SECTIONS		= 1 << 0,	/* "[name]" lines allowed */
	INI_HASH_ANYWHERE	= 1 << 1,	/* any '#' starts a comment */
	INI_VALUE_NEEDED	= 1 << 2	/* "key =" is an error */
};

struct ini_rules {
	unsigned	 flags;		/* enum ini_flags */
	size_t		 max_line;	/* bytes with the newline; 0: any */
	size_t		 max_key;	/* bytes; 0: any */
	size_t		 max_value;	/* bytes; 0: any */
};

/* One header or pair; the strings are borrowed for the call. */
struct ini_line {
	size_t		 line;
	char		*section;	/* a header's text inside [ ], or NULL */
	char		*key;		/* else the pair */
	char		*value;
};

/* Called for each header and pair; -1 (after adding to d) stops. */
typedef int (*ini_fn)(void *arg, const struct ini_line *l, struct diags *d);

/*
 * Read buf (file names it in messages).  Returns 0, or -1 when a line is
 * malformed (one error in d) or fn returned -1.
 */
int	ini_parse(const char *file, const char *buf, size_t len,
	    const struct ini_rules *r, ini_fn fn, void *arg, struct diags *d);

#endif
