/*
 * pem.h: PEM certificate sources: one or many CERTIFICATE blocks (a bundle),
 * TRUSTED CERTIFICATE blocks (OpenSSL's auxiliary trust), PKCS7 blocks.
 *
 * Pure: a buffer in, certificates into a set, no I/O, nothing printed:
 * what went wrong goes to a struct diags (diag.h).  Text outside the
 * blocks is ignored, whoever wrote it: a bundle's comments, ours too, are
 * never read as trust data (what a run must remember is in manifest.h).
 * Blocks of other types (keys, CRLs) are skipped with a warning; a
 * certificate that does not decode is skipped with a warning naming its
 * line; a BEGIN without END is an error (the file is truncated).
 */
#ifndef TB_PEM_H
#define TB_PEM_H

#include <stddef.h>

#include "certset.h"
#include "diag.h"

/* 1 if buf holds a "-----BEGIN " line. */
int	pem_detect(const char *buf, size_t len);

/*
 * Add the certificates in buf to set.  Returns how many were read (a PKCS7
 * block may hold several), or -1 after adding one error "'name': line N:
 * ..." to d; the blocks skipped are warnings in d.
 */
int	pem_parse(const char *name, const void *buf, size_t len,
	    struct certset *set, struct diags *d);

/*
 * Decode base64 text (line breaks anywhere) into a malloc'd buffer.
 * -1 if it is not base64 or decodes to nothing (nothing is added anywhere).
 */
int	pem_base64_decode(const char *s, size_t len, unsigned char **out,
	    size_t *outlen);

#endif
