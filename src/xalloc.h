/*
 * xalloc.h: allocation that cannot fail.
 *
 * Running out of memory is handled once, here: the process prints
 * "trustbuild: out of memory" and exits with status 1 (as OpenBSD's
 * err(1, NULL) and git's xmalloc do).  Publishing leaves the store as it
 * was: nothing is renamed into place before every output is staged, and
 * the staged files are removed by publish.c's exit handler.
 */
#ifndef TB_XALLOC_H
#define TB_XALLOC_H

#include <stddef.h>

void	*xmalloc(size_t size);
void	*xcalloc(size_t n, size_t size);
/* reallocarray(3) that cannot fail; p may be NULL. */
void	*xreallocarray(void *p, size_t n, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
char	*xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same as a duplicate of len bytes plus a NUL. */
void	*xmemdup(const void *p, size_t len);

#endif
