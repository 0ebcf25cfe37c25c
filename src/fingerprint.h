/*
 * fingerprint.h: what a directory source is, as one SHA-256, so that
 * "update" can tell an unchanged directory without parsing it.
 *
 * The fingerprint covers what source_load() would read: the names it
 * walks (sorted, dot names skipped) and, for each file or symbolic link
 * to a file, the SHA-256 of its content; a link to a directory below the
 * top is not followed, as by the loader.  Any change the loader would see
 * changes the fingerprint.
 */
#ifndef TB_FINGERPRINT_H
#define TB_FINGERPRINT_H

#include "diag.h"

/* The fingerprint of directory path as 64 hex digits; -1 after a message. */
int	fingerprint_dir(const char *path, char out[65], struct diags *d);

#endif
