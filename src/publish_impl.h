/*
 * publish_impl.h: what the parts of publishing share, for publish*.c
 * only.  publish.c stages files and commits; publish_gen.c makes, switches
 * and removes generation directories; publish_lock.c locks; publish_tmp.c
 * removes what is staged when the run dies.
 */
#ifndef TB_PUBLISH_IMPL_H
#define TB_PUBLISH_IMPL_H

#include <stddef.h>

#include "publish.h"

/*
 * Fill pd (zeroed first) with path, its directory and last component;
 * "certs/" is "certs".  -1 after a message for a name like "." or "..".
 */
int	publish_split(struct pending *pd, const char *path);
/* Open pd->dir into pd->dfd.  -1 after a message. */
int	publish_open_parent(struct pending *pd);
/* write(2) all of p.  -1 with errno. */
int	publish_write_all(int fd, const void *p, size_t len);
/* 1 if the file dirfd/name holds exactly buf, 0 if not or absent. */
int	publish_same_content(int dirfd, const char *name, const void *buf,
	    size_t len);

/* Remove dot files ".BASE.KIND.*" in dfd, except the names keep1, keep2. */
void	publish_remove_stale(int dfd, const char *base, const char *kind,
	    const char *keep1, const char *keep2);
/*
 * Delete the generation directory name in dfd (one level: files and
 * links), only if it is a real directory we own (dir names dfd in a
 * warning).
 */
void	publish_remove_generation(int dfd, const char *dir, const char *name);
/* Switch pd's link to the staged generation with one rename(2).  -1: said. */
int	publish_gen_commit(struct pending *pd);
/* After the switch: remember the generation before, drop older ones. */
void	publish_gen_finish(struct pending *pd);

#endif
