/*
 * text.h: hostile text made safe for one line of output.
 *
 * Names from archives, files, URLs, certificate subjects and labels, and
 * what servers send, are hostile text.  Before any of it reaches a bundle
 * comment, `list`, `probe`, JSON or a log line it goes through here:
 * printable ASCII and well-formed UTF-8 pass; everything else is written
 * as an escape that cannot end the line or drive a terminal:
 *
 *   newline, CR, tab          \n \r \t
 *   other C0 controls, DEL    \xHH
 *   bytes that are not UTF-8  \xHH (each byte)
 *   C1 controls (U+0080-9F), bidirectional controls (U+061C, U+200E-F,
 *   U+202A-E, U+2066-9), line and paragraph separators (U+2028-9),
 *   U+FEFF                    \u{HHHH}
 *
 * A backslash itself is kept (RFC 2253 names escape with it already), so
 * the escaping is one-way: it is for people and line-based readers, never
 * parsed back.
 */
#ifndef TB_TEXT_H
#define TB_TEXT_H

#include <stddef.h>

/*
 * One unit of s at *i (s NUL-terminated): how many bytes it spans, and
 * whether it must be escaped (*cp is the code point of a well-formed
 * sequence, or -1 for a byte that is not UTF-8).
 */
size_t		 text_unit(const char *s, long *cp, int *escape);

/*
 * s escaped into out (NUL-terminated, at most size bytes; cut at a unit
 * boundary, with "..." when it did not fit).  Returns out.  s NULL: "".
 */
const char	*text_esc(const char *s, char *out, size_t size);

/* A malloc'd escaped copy of s, or NULL (out of memory). */
char		*text_esc_dup(const char *s);

/* 1 if s needs no escaping. */
int		 text_is_clean(const char *s);

/* The plural ending of a count's noun: "" when n is 1, else "s". */
const char	*text_s(size_t n);

#endif
