/*
 * der.h: binary certificate sources: one DER certificate, or a PKCS#7
 * SignedData "certs-only" bag (.p7b/.p7c) in DER.
 *
 * Pure: a buffer in, certificates into a set, no I/O, nothing printed
 * (what went wrong goes to a struct diags, diag.h).
 */
#ifndef TB_DER_H
#define TB_DER_H

#include <stddef.h>

#include "certset.h"
#include "diag.h"

/* 1 if buf starts like a DER SEQUENCE (certificate or PKCS#7). */
int	der_detect(const unsigned char *buf, size_t len);

/*
 * Add the certificate(s) in buf to set.  Returns how many were read, or -1
 * after adding one error naming name to d.
 */
int	der_parse(const char *name, const void *buf, size_t len,
	    struct certset *set, struct diags *d);

/*
 * Add the certificates of the PKCS#7 SignedData in der to set; name and
 * line (0: none) are for the entries added to d.  Returns the count, or -1
 * after one error.
 */
int	der_parse_pkcs7(const char *name, size_t line,
	    const unsigned char *der, size_t len, struct certset *set,
	    struct diags *d);

#endif
