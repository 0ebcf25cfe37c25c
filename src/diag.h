/*
 * diag.h: what went wrong, handed back instead of printed.
 *
 * Parsers and I/O modules print nothing.  They add what they found to a
 * struct diags their caller passes in, and return -1 when it is an error
 * (0 or a count when the item was skipped with a warning).  The layer that
 * knows what the user should do (the pipeline, a command) reports them,
 * once, with diags_report(), or drops them with diags_clear() when a
 * failure was expected (a format detection that said "not this one").
 *
 * Calling sequence:
 *
 *	struct diags d = DIAGS_INIT;
 *	if (source_load(path, want, set, bl, &d) == -1) ...
 *	diags_report(&d);	// prints every entry at its level, clears
 *
 * A message is lowercase, no full stop, with what it names in quotes; the
 * file and line, when set, are put in front as "'FILE': line N: ".
 * Hostile text in a message is escaped when it is printed (log.h).
 * Every function accepts d == NULL (the entry is dropped) so a caller that
 * does not care need not collect.  One struct diags is used by one thread.
 */
#ifndef TB_DIAG_H
#define TB_DIAG_H

#include <stddef.h>

enum diag_level {
	DIAG_ERR,	/* the operation failed */
	DIAG_NOTICE,	/* worked around; printed even with -q */
	DIAG_WARN,	/* one item skipped; the rest goes on */
	DIAG_INFO	/* a decision, shown with -v */
};

/* What kind of failure: lets a caller decide without reading the text. */
enum diag_code {
	DIAG_GENERIC = 0,
	DIAG_NOT_FORMAT,	/* the bytes are not this format at all */
	DIAG_LIMIT,		/* a size, count or depth limit was hit */
	DIAG_IO,		/* reading, writing or the network */
	DIAG_ABSENT,		/* the file or URL does not exist */
	DIAG_TIMEOUT,		/* no (whole) answer in time */
	DIAG_TLS,		/* a TLS handshake or certificate failed */
	DIAG_REFUSED		/* our address policy: nothing was sent */
};

struct diag {
	enum diag_level	 level;
	enum diag_code	 code;
	char		*file;		/* or NULL */
	size_t		 line;		/* 0: none */
	char		*msg;
};

struct diags {
	struct diag	*v;
	size_t		 n, cap;
	size_t		 nerr;		/* entries at DIAG_ERR */
};

#define DIAGS_INIT	{ NULL, 0, 0, 0 }

/* Add an entry; file may be NULL, line 0.  Never fails (xalloc.h). */
void	diag_add(struct diags *d, enum diag_level level, enum diag_code code,
	    const char *file, size_t line, const char *fmt, ...)
	    __attribute__((format(printf, 6, 7)));
/* Shorthands without a code. */
void	diag_err(struct diags *d, const char *file, size_t line,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	diag_warn(struct diags *d, const char *file, size_t line,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	diag_info(struct diags *d, const char *file, size_t line,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	diag_notice(struct diags *d, const char *file, size_t line,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/*
 * An error followed by ": " and the reasons OpenSSL queued (the queue is
 * drained), so no message is a bare "SSL error".
 */
void	diag_ssl(struct diags *d, const char *file, size_t line,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The entry as it is printed, without "trustbuild: ", in buf. */
const char *diag_format(const struct diag *e, char *buf, size_t size);
/* The first error's text (formatted, borrowed until the next call), or NULL. */
const char *diags_first_err(const struct diags *d);
/* The code of the first error, or DIAG_GENERIC when there is none. */
enum diag_code diags_first_code(const struct diags *d);

/* Move every entry of from to the end of to (from is left empty). */
void	diags_move(struct diags *to, struct diags *from);
/*
 * The one reporter: print every entry through log.h at its level (errors
 * always, notices always, warnings unless -q, info with -v), then clear.
 */
void	diags_report(struct diags *d);
/* Drop every entry. */
void	diags_clear(struct diags *d);

#endif
