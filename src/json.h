/*
 * json.h: the little JSON output the commands need.
 */
#ifndef TB_JSON_H
#define TB_JSON_H

#include <time.h>

#include <openssl/asn1.h>

/* Print s as a JSON string (quoted, escaped) on stdout; NULL as "". */
void	json_str(const char *s);
/*
 * Print a time as the one date format of every JSON trustbuild prints,
 * RFC 3339 in UTC ("2026-12-03T10:27:31Z", quoted), on stdout; one that
 * cannot be told as null.
 */
void	json_time(time_t t);
void	json_asn1_time(const ASN1_TIME *t);

#endif
