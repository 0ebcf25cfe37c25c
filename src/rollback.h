/*
 * rollback.h: what a source gave in earlier runs, so that an upstream
 * going back to an older root set is seen (update keeps one record per
 * source, STATE/sources/NAME).
 *
 * Pure: text in, text out, no I/O.  The record, one item a line:
 *
 *   trustbuild-source 1
 *   origin URL-OR-PATH       what the record is about
 *   purpose server-auth      the purpose its sets were read for
 *   version 1.87             the certdata.txt CVS_ID revision, if any
 *   root HEX                 SHA-256 of each certificate the source gives
 *   dropped HEX              SHA-256 of each it gave once and no longer
 *   distrusted HEX           SHA-256 of the DER issuer Name followed by the
 *                            DER serial INTEGER of each certificate it
 *                            marked CKT_NSS_NOT_TRUSTED for the purpose
 *
 * Distrust is kept by issuer and serial number, as NSS names it: a
 * certdata.txt may distrust a certificate it does not carry.  The record
 * holds hashes and a version, never text of ours read back as trust.
 *
 * Calling sequence: rollback_parse() the stored record (or start from a
 * zeroed struct), rollback_check() this run's set against it, then
 * rollback_next() and rollback_format() for the record to store;
 * rollback_release() each struct.
 */
#ifndef TB_ROLLBACK_H
#define TB_ROLLBACK_H

#include <stddef.h>

#include "blocklist.h"
#include "certset.h"

struct rollback {
	char		 *origin;
	char		 *purpose;
	char		 *version;	/* or NULL */
	unsigned char	(*root)[32];
	size_t		  nroot;
	unsigned char	(*dropped)[32];
	size_t		  ndropped;
	unsigned char	(*distrusted)[32];
	size_t		  ndistrusted;
};

/* At most this many hashes of each kind are kept (in hash order). */
#define ROLLBACK_MAX	20000

/* Parse a stored record into *rb.  -1 if it is not one (rb left empty). */
int	rollback_parse(const char *buf, struct rollback *rb);

/*
 * What of this run (set, version) went back against prev: a version older
 * than prev's (compared only when both have one), a certificate prev
 * dropped, one prev distrusted.  Returns the number of findings, each a
 * line "  ..." in *why (lines joined by newlines, none at the end; malloc'd;
 * NULL when there is none; subjects as cert_subject() escapes them), or -1 on allocation failure.
 */
int	rollback_check(const struct rollback *prev, const char *version,
	    struct certset *set, char **why);

/*
 * The record after this run, into *next: set's certificates as roots;
 * prev's dropped, and (learn_drops) prev's roots not in set, as dropped;
 * prev's and bl's distrust; minus what set holds now.  prev may be NULL.
 * Strings are copied.  -1 on allocation failure.
 */
int	rollback_next(const struct rollback *prev, const char *origin,
	    int purpose, const char *version, const struct certset *set,
	    const struct blocklist *bl, int learn_drops,
	    struct rollback *next);

/* The record as text (malloc'd), its length in *len; NULL on failure. */
char	*rollback_format(const struct rollback *rb, size_t *len);

/* Free what rb holds (rb itself is the caller's); accepts NULL. */
void	rollback_release(struct rollback *rb);

/* <0, 0, >0 as dotted version a is older than, equal to, newer than b. */
int	rollback_version_cmp(const char *a, const char *b);

#endif
