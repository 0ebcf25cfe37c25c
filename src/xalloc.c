/*
 * xalloc.c: allocation that cannot fail, see xalloc.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

static void __attribute__((noreturn))
oom(void)
{
	static const char msg[] = "trustbuild: out of memory\n";

	/* no stdio: it may need memory itself */
	(void)!write(2, msg, sizeof(msg) - 1);
	exit(1);
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	void *np = reallocarray(p, n ? n : 1, size ? size : 1);

	if (np == NULL)
		oom();
	return np;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		oom();
	return p;
}

void *
xmemdup(const void *p, size_t len)
{
	char *q = xmalloc(len + 1);

	if (len > 0)
		memcpy(q, p, len);
	q[len] = '\0';
	return q;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		oom();
	va_end(ap);
	return s;
}
