/*
 * format.h: the certificate source formats, one table.
 *
 * Every format trustbuild reads is one row {key, name, detect, reader}:
 * detection walks the rows in order, the "format =" key of the
 * configuration and of stores/ definitions is a row's key, error texts and
 * usage list the rows, the fuzzers run every row's parser.  A format is
 * detected from the bytes, never from a file name.  To add a format: a
 * pure parser (a buffer in, certificates out, a struct diags for what went
 * wrong), one row here, a fixture in tests/harness/fixtures.sh and a fuzz
 * input.
 *
 * Calling sequence:
 *
 *	struct diags d = DIAGS_INIT;
 *	n = format_parse(name, buf, len, want, set, bl, &d);
 *	diags_report(&d);	// or keep them for a later report
 *
 * Pure: nothing here reads a file or prints.
 */
#ifndef TB_FORMAT_H
#define TB_FORMAT_H

#include <stddef.h>

#include <openssl/x509.h>

#include "blocklist.h"
#include "certset.h"
#include "diag.h"

enum source_format {
	FORMAT_UNKNOWN = 0,
	FORMAT_CERTDATA,	/* Mozilla certdata.txt: certdata.h */
	FORMAT_PEM,		/* PEM blocks: pem.h */
	FORMAT_DER,		/* a DER certificate or PKCS#7 bag: der.h */
	FORMAT_ARCHIVE,		/* tar, zip, cpio, ar, cab, RPM...: unpack.h */
	FORMAT_CCADB		/* CCADB's CSV report: ccadb.h */
};

/*
 * A parser: buf (named name in messages) into set and bl.  want is the
 * purpose whose anchors a certdata.txt yields (CERTDATA_ALL: every
 * certificate); the other formats ignore it.  Returns the number of
 * certificates read or -1 after an error in d.
 */
typedef int (*format_parse_fn)(const char *name, const unsigned char *buf,
    size_t len, int want, struct certset *set, struct blocklist *bl,
    struct diags *d);

/* A reader of certificates only (no distrust entries, no purpose). */
typedef int (*format_certs_fn)(const char *name, const void *buf,
    size_t len, struct certset *set, struct diags *d);

struct format {
	const char		*key;	/* "format = KEY": certdata, pem... */
	const char		*name;	/* in messages: "certdata.txt"... */
	enum source_format	 fmt;
	int			(*detect)(const unsigned char *, size_t);
	format_parse_fn		 parse;	/* one of these two */
	format_certs_fn		 certs;
};

/*
 * The rows, in detection order, ending with a row whose key is NULL.  A
 * key may be an alias (pkcs7: the DER reader, which reads both), whose
 * detect is NULL.
 */
extern const struct format format_table[];

/* The reader of row f over buf (parse, or certs): a format_parse_fn. */
int		 format_row_parse(const struct format *f, const char *name,
		    const unsigned char *buf, size_t len, int want,
		    struct certset *set, struct blocklist *bl,
		    struct diags *d);
/* What the bytes are: the first row whose detect says yes. */
enum source_format format_detect(const unsigned char *buf, size_t len);
/* The row of f, or NULL for FORMAT_UNKNOWN; borrowed. */
const struct format *format_get(enum source_format f);
/* The name of f for messages ("certdata.txt", "PEM"...; "unknown"). */
const char	*format_name(enum source_format f);
/* The row whose key is key, or NULL. */
const struct format *format_from_key(const char *key);
/*
 * Every key, "certdata, pem, der, pkcs7, ccadb-csv, archive" (for the
 * error text of a bad "format =" and for usage); static storage.
 */
const char	*format_keys(void);
/*
 * Every format by name in detection order, "archive, certdata.txt, CCADB
 * CSV, PEM, DER/PKCS#7" (for "no certificates found"); static storage.
 */
const char	*format_names(void);

/*
 * Parse buf whatever its format (a format_parse_fn).  A buffer in no
 * known format is an error "no certificates found (...)" naming the
 * formats tried.  Members of an archive that are in no known format are
 * skipped with an info entry.
 */
int		 format_parse(const char *name, const unsigned char *buf,
		    size_t len, int want, struct certset *set,
		    struct blocklist *bl, struct diags *d);

/*
 * format_parse() with a member selector: when buf is an archive, only its
 * members that match glob are read (NULL: every member that is a
 * certificate source).  A glob on a buffer that is not an archive, or one
 * that matches nothing, is an error.
 */
int		 format_parse_members(const char *name,
		    const unsigned char *buf, size_t len, const char *glob,
		    int want, struct certset *set, struct blocklist *bl,
		    struct diags *d);

/*
 * The certificates of an answer, what an AIA caIssuers URL gives (and a
 * chain file): one DER certificate, a DER PKCS#7 bag, or PEM, read by
 * der.h and pem.h.  Pushes them onto out in their order (duplicates once,
 * a reference each, auxiliary trust stripped: an answer vouches for
 * nothing).  Returns the count, or -1 after one error in d naming name
 * (NULL: the message alone) when there is none or more than max.
 */
int		 format_certs(const char *name, const unsigned char *buf,
		    size_t len, size_t max, STACK_OF(X509) *out,
		    struct diags *d);

#endif
