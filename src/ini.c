/*
 * ini.c: "key = value" files, see ini.h.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"
#include "xalloc.h"

/* Drop white space at both ends of s, in place; returns the start. */
static char *
trim(char *s)
{
	char *t;

	while (isspace((unsigned char)*s))
		s++;
	for (t = s + strlen(s); t > s && isspace((unsigned char)t[-1]);)
		*--t = '\0';
	return s;
}

/* Cut the comment off l, as the rules say where one starts. */
static void
uncomment(char *l, unsigned flags)
{
	char *t;

	for (t = l; *t != '\0'; t++)
		if (*t == '#' && ((flags & INI_HASH_ANYWHERE) || t == l ||
		    isspace((unsigned char)t[-1]))) {
			*t = '\0';
			return;
		}
}

/* One line, without its newline, in l (modified). */
static int
one(const char *file, char *l, size_t no, const struct ini_rules *r,
    ini_fn fn, void *arg, struct diags *d)
{
	struct ini_line il;
	char *s, *eq;

	memset(&il, 0, sizeof(il));
	il.line = no;
	uncomment(l, r->flags);
	s = trim(l);
	if (*s == '\0')
		return 0;
	if (*s == '[' && (r->flags & INI_SECTIONS)) {
		if (s[strlen(s) - 1] != ']') {
			diag_err(d, file, no, "a section header ends with ']'");
			return -1;
		}
		s[strlen(s) - 1] = '\0';
		il.section = trim(s + 1);
		return fn(arg, &il, d);
	}
	if ((eq = strchr(s, '=')) == NULL) {
		diag_err(d, file, no, (r->flags & INI_SECTIONS) ?
		    "expected \"key = value\" or \"[section]\"" :
		    "expected \"key = value\"");
		return -1;
	}
	*eq = '\0';
	il.key = trim(s);
	il.value = trim(eq + 1);
	if (*il.key == '\0') {
		diag_err(d, file, no, "a key is missing before '='");
		return -1;
	}
	if (r->max_key && strlen(il.key) >= r->max_key) {
		diag_err(d, file, no, "a key longer than %zu bytes",
		    r->max_key - 1);
		return -1;
	}
	if (r->max_value && strlen(il.value) >= r->max_value) {
		diag_err(d, file, no, "'%s': a value longer than %zu bytes",
		    il.key, r->max_value - 1);
		return -1;
	}
	if (*il.value == '\0' && (r->flags & INI_VALUE_NEEDED)) {
		diag_err(d, file, no, "'%s' has no value", il.key);
		return -1;
	}
	return fn(arg, &il, d);
}

int
ini_parse(const char *file, const char *buf, size_t len,
    const struct ini_rules *r, ini_fn fn, void *arg, struct diags *d)
{
	const char *p = buf, *end = buf + len;
	size_t no = 0;
	char *l;
	int rc;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		no++;
		if (r->max_line && n >= r->max_line) {
			diag_err(d, file, no, "longer than %zu bytes",
			    r->max_line - 1);
			return -1;
		}
		if (memchr(p, '\0', n) != NULL) {
			diag_err(d, file, no, "a NUL byte; is this a text "
			    "file?");
			return -1;
		}
		l = xstrndup(p, n);
		rc = one(file, l, no, r, fn, arg, d);
		free(l);
		if (rc == -1)
			return -1;
		p = nl ? nl + 1 : end;
	}
	return 0;
}
