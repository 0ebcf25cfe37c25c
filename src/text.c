/*
 * text.c: hostile text made safe for one line of output, see text.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* Code points that pass UTF-8 decoding but must not reach a line. */
static int
unsafe_cp(long cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x61c ||
	    cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

size_t
text_unit(const char *str, long *cp, int *escape)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n, i;
	long v, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		*escape = s[0] < 0x20 || s[0] == 0x7f;
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, v = s[0] & 0x1f, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, v = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, v = s[0] & 0x07, min = 0x10000;
	else
		goto bad;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			goto bad;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		goto bad;
	*cp = v;
	*escape = unsafe_cp(v);
	return n;
bad:
	*cp = -1;
	*escape = 1;
	return 1;
}

/* The escape of one unit into e (at least 12 bytes); its length. */
static size_t
escape_unit(const char *s, long cp, char *e)
{
	if (cp == '\n')
		return (size_t)snprintf(e, 12, "\\n");
	if (cp == '\r')
		return (size_t)snprintf(e, 12, "\\r");
	if (cp == '\t')
		return (size_t)snprintf(e, 12, "\\t");
	if (cp < 0x80)		/* a control, or a byte that is not UTF-8 */
		return (size_t)snprintf(e, 12, "\\x%02x", (unsigned char)*s);
	return (size_t)snprintf(e, 12, "\\u{%04lx}", cp);
}

const char *
text_esc(const char *s, char *out, size_t size)
{
	size_t o = 0, n, k;
	char e[12];
	long cp;
	int esc;

	if (size == 0)
		return out;
	out[0] = '\0';
	if (s == NULL)
		return out;
	while (*s != '\0') {
		n = text_unit(s, &cp, &esc);
		if (esc)
			k = escape_unit(s, cp, e);
		else
			memcpy(e, s, k = n);
		if (o + k + 4 > size) {		/* room for "..." and NUL */
			if (o + 4 <= size)
				memcpy(out + o, "...", 3), o += 3;
			break;
		}
		memcpy(out + o, e, k);
		o += k;
		s += n;
	}
	out[o] = '\0';
	return out;
}

char *
text_esc_dup(const char *s)
{
	size_t len = s ? strlen(s) : 0, size;
	char *out;

	/* an escape is at most 10 bytes for a unit of at least 1 */
	size = len * 10 + 4;
	if ((out = malloc(size)) == NULL)
		return NULL;
	text_esc(s, out, size);
	return out;
}

int
text_is_clean(const char *s)
{
	long cp;
	int esc;

	while (s != NULL && *s != '\0') {
		s += text_unit(s, &cp, &esc);
		if (esc)
			return 0;
	}
	return 1;
}

const char *
text_s(size_t n)
{
	return n == 1 ? "" : "s";
}
