/*
 * json.c: JSON strings on stdout, see json.h.
 */
#include <stdio.h>
#include <time.h>

#include "json.h"
#include "text.h"

#define RFC3339	"%Y-%m-%dT%H:%M:%SZ"

void
json_time(time_t t)
{
	struct tm tm;
	char buf[64];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), RFC3339, &tm) == 0)
		fputs("null", stdout);
	else
		printf("\"%s\"", buf);
}

void
json_asn1_time(const ASN1_TIME *t)
{
	struct tm tm;
	char buf[64];

	if (t == NULL || !ASN1_TIME_to_tm(t, &tm) ||
	    strftime(buf, sizeof(buf), RFC3339, &tm) == 0)
		fputs("null", stdout);
	else
		printf("\"%s\"", buf);
}

void
json_str(const char *s)
{
	size_t n;
	long cp;
	int esc;

	/*
	 * Controls, C1 and bidirectional controls as \uXXXX; a byte that is
	 * not UTF-8 as the text \xHH (JSON cannot hold it).
	 */
	putchar('"');
	for (; s != NULL && *s; s += n) {
		n = text_unit(s, &cp, &esc);
		if (cp == '"' || cp == '\\')
			printf("\\%c", (int)cp);
		else if (esc && cp == -1)
			printf("\\\\x%02x", (unsigned char)*s);
		else if (esc)
			printf("\\u%04lx", cp);
		else
			fwrite(s, 1, n, stdout);
	}
	putchar('"');
}
