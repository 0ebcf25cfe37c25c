/*
 * buf.h: a growing byte buffer for rendering outputs in memory.
 */
#ifndef TB_BUF_H
#define TB_BUF_H

#include <stddef.h>

struct buf {
	char	*p;
	size_t	 len, cap;
	int	 failed;	/* an allocation failed; the content is short */
};

/* Append; on allocation failure set b->failed and return -1. */
int	buf_add(struct buf *b, const void *p, size_t len);
int	buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	buf_release(struct buf *b);

#endif
