/*
 * certdata.h: Mozilla's certdata.txt (NSS builtins) reader.
 *
 * Pure: a buffer in, certificates and blocklist entries out, no I/O,
 * nothing printed (what went wrong goes to a struct diags, diag.h).
 * Every object is parsed; values in MULTILINE_OCTAL are decoded; each
 * CKO_NSS_TRUST object is matched to its CKO_CERTIFICATE by issuer + serial
 * and its CKA_CERT_SHA1_HASH is checked against the certificate.  The trust
 * per purpose lands in cert->trust[]; a certificate without a trust object
 * is not trusted for anything (as in NSS).  Trust objects that say
 * CKT_NSS_NOT_TRUSTED for some purpose become blocklist entries, with or
 * without a certificate.  CKA_NSS_{SERVER,EMAIL}_DISTRUST_AFTER are kept.
 * Anything unexpected is an error that names the line; a CVS_ID line
 * before BEGINDATA (old files) is allowed.
 */
#ifndef TB_CERTDATA_H
#define TB_CERTDATA_H

#include <stddef.h>

#include "blocklist.h"
#include "certset.h"
#include "diag.h"

/* 1 if buf looks like a certdata.txt (a BEGINDATA line and CKA_CLASS). */
int	certdata_detect(const char *buf, size_t len);

/*
 * The version a certdata.txt of the CVS era carries before BEGINDATA:
 * the revision of its CVS_ID line ("1.87") into out.  Returns 1, or 0 when
 * there is none (the files since NSS moved to Mercurial have none; the
 * builtins version is in nssckbi.h, not here).
 */
int	certdata_version(const char *buf, size_t len, char *out, size_t size);

/* want: decode every certificate, whatever its trust */
#define CERTDATA_ALL	(-1)

/*
 * Parse certdata.txt in buf (name is for messages and sources).  Adds to set
 * the certificates that are trusted delegators for the purpose want (an
 * enum purpose), or all of them with CERTDATA_ALL; the others are checked
 * but not decoded.  Adds the distrust entries to bl.  Returns the number of
 * certificates added, or -1 after adding one error "name: line N: ..." to
 * d (the certificates skipped are warnings, the decisions info entries);
 * on error set and bl may hold part of the file and are for the caller to
 * drop.
 */
int	certdata_parse(const char *name, const char *buf, size_t len,
	    int want, struct certset *set, struct blocklist *bl,
	    struct diags *d);

#endif
