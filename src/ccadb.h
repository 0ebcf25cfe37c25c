/*
 * ccadb.h: CCADB's intermediate-certificate reports as a source.
 *
 * The report (MozillaIntermediateCerts.csv) is RFC 4180 CSV: a header row
 * naming the columns, every field quoted, the "PEM" column a multi-line
 * field with irregular base64 line lengths, the "SHA256" column the
 * certificate's fingerprint.  Pure: a buffer in, certificates out, no I/O.
 */
#ifndef TB_CCADB_H
#define TB_CCADB_H

#include <stddef.h>

#include "certset.h"

#define CCADB_MAX_FIELD		(1024 * 1024)	/* bytes in one field */
#define CCADB_MAX_COLUMNS	64

/* 1 if the first line of buf is a CSV header with "PEM" and "SHA256". */
int	ccadb_detect(const char *buf, size_t len);

/*
 * Add the certificate of each row to set.  A row whose PEM does not decode
 * or whose SHA256 cell does not match the certificate is reported (naming
 * the line and the row's subject) and skipped.  Returns the number of
 * certificates read, or -1 after one message "'name': line N: ..." for a
 * malformed file (an unterminated quote, a row with another number of
 * fields than the header, a field over 1 MiB).
 */
int	ccadb_parse(const char *name, const char *buf, size_t len,
	    struct certset *set);

#endif
