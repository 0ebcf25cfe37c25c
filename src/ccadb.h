/*
 * ccadb.h: CCADB's intermediate-certificate reports as a source.
 *
 * The report (MozillaIntermediateCerts.csv) is RFC 4180 CSV: a header row
 * naming the columns, every field quoted, the "PEM" column a multi-line
 * field with irregular base64 line lengths, the "SHA256" column the
 * certificate's fingerprint.  Pure: a buffer in, certificates out, no I/O,
 * nothing printed (what went wrong goes to a struct diags, diag.h).
 */
#ifndef TB_CCADB_H
#define TB_CCADB_H

#include <stddef.h>

#include "certset.h"
#include "diag.h"

#define CCADB_MAX_FIELD		(1024 * 1024)	/* bytes in one field */
#define CCADB_MAX_COLUMNS	64

/*
 * 1 if the first line of buf is a CSV header with "PEM" and "SHA256"; a
 * line that is not CSV is a plain 0, nothing said.
 */
int	ccadb_detect(const char *buf, size_t len);

/*
 * Add the certificate of each row to set.  A row whose PEM does not decode
 * or whose SHA256 cell does not match the certificate is a warning in d
 * (naming the line and the row's subject) and skipped.  Returns the number
 * of certificates read, or -1 after one error "'name': line N: ..." in d
 * for a malformed file (an unterminated quote, a row with another number
 * of fields than the header, a field over 1 MiB).
 */
int	ccadb_parse(const char *name, const void *buf, size_t len,
	    struct certset *set, struct diags *d);

#endif
