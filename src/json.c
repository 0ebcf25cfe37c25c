/*
 * json.c: JSON strings on stdout, see json.h.
 */
#include <stdio.h>

#include "json.h"
#include "text.h"

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
