/*
 * publish_impl.h: what the parts of publishing share, for publish*.c
 * only.  publish.c stages files and commits; publish_gen.c makes, switches
 * and removes generation directories; publish_lock.c locks; publish_tmp.c
 * removes what is staged when the run dies.
 */
#ifndef TB_PUBLISH_IMPL_H
#define TB_PUBLISH_IMPL_H

#include <pthread.h>
#include <stddef.h>

#include "diag.h"
#include "publish.h"

/*
 * Fill pd (zeroed first) with path, its directory and last component;
 * "certs/" is "certs".  -1 after adding to d for a name like "." or "..".
 */
int	publish_split(struct pending *pd, const char *path, struct diags *d);
/* Open pd->dir into pd->dfd.  -1 after adding to d. */
int	publish_open_parent(struct pending *pd, struct diags *d);
/* write(2) all of p.  -1 with errno. */
int	publish_write_all(int fd, const void *p, size_t len);
/* Start the writeback of what was written to fd (a hint, no error). */
void	publish_write_start(int fd);
/* fsync(2) the regular file dirfd/name (no link followed).  -1: errno. */
int	publish_fsync_at(int dirfd, const char *name);
/* 1 if the file dirfd/name holds exactly buf, 0 if not or absent. */
int	publish_same_content(int dirfd, const char *name, const void *buf,
	    size_t len);

/* Remove dot files ".BASE.KIND.*" in dfd, except the names keep1, keep2. */
void	publish_remove_stale(int dfd, const char *base, const char *kind,
	    const char *keep1, const char *keep2, struct diags *d);
/*
 * Delete the generation directory name in dfd (one level: files and
 * links), only if it is a real directory we own (dir names dfd in a
 * warning added to d).
 */
void	publish_remove_generation(int dfd, const char *dir, const char *name,
	    struct diags *d);
/*
 * Switch pd's link to the staged generation with one rename(2), then
 * ".BASE.prev" to the one before.  -1 after adding to d (nothing switched).
 */
int	publish_gen_commit(struct pending *pd, struct diags *d);
/* What to fsync(2) before the switch: publish_sync.c. */
struct sync_job;
struct publish_sync {
	struct sync_job	*v;
	size_t		 n, cap, next;
	int		*fds;		/* closed by publish_sync_free() */
	size_t		 nfds;
	pthread_mutex_t	 mu;
};
/* Add dfd/name (dir names dfd in a message); dfd borrowed. */
void	publish_sync_add(struct publish_sync *sl, int dfd, const char *dir,
	    const char *name);
/* Keep fd open until publish_sync_free(), then close it. */
void	publish_sync_keep_fd(struct publish_sync *sl, int fd);
/* fsync(2) everything listed, a few at once.  -1 after adding to d. */
int	publish_sync_run(struct publish_sync *sl, struct diags *d);
void	publish_sync_free(struct publish_sync *sl);
/*
 * List every file of pd's staged generation and the generation
 * directory itself in sl.  -1 after adding to d.
 */
int	publish_gen_sync(struct pending *pd, struct publish_sync *sl,
	    struct diags *d);
/* After the switch and the sync: drop generations older than ".prev". */
void	publish_gen_finish(struct pending *pd, struct diags *d);

#endif
