/*
 * publish_sync.c: making what a run staged durable, for publish.c: a list
 * of files (and generation directories) to fsync(2), run by a few threads
 * at once.
 *
 *	struct publish_sync sl = { 0 };
 *	publish_sync_add(&sl, dirfd, dirname, name);	// each staged file
 *	publish_sync_run(&sl, &d);			// all, or -1
 *	publish_sync_free(&sl);
 *
 * Why threads: each fsync(2) of a file whose metadata the journal already
 * holds still asks the disk to flush its cache, one flush at a time; the
 * block layer merges flushes that wait together, so a CApath of thousands
 * of files costs a few flushes instead of one each, and what other
 * processes left dirty is never written for us (no sync(2), no
 * syncfs(2)).  The result does not depend on the threads: the first
 * failure in list order is the one reported.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "publish_impl.h"
#include "xalloc.h"

#define SYNC_THREADS	8

struct sync_job {
	int	 dfd;		/* borrowed */
	char	*dir;		/* for a message */
	char	*name;
	int	 err;		/* errno of its fsync, 0: done */
};

void
publish_sync_add(struct publish_sync *sl, int dfd, const char *dir,
    const char *name)
{
	struct sync_job *j;

	if (sl->n == sl->cap) {
		sl->cap = sl->cap ? sl->cap * 2 : 64;
		sl->v = xreallocarray(sl->v, sl->cap, sizeof(*sl->v));
	}
	j = &sl->v[sl->n++];
	j->dfd = dfd;
	j->dir = xstrdup(dir);
	j->name = xstrdup(name);
	j->err = 0;
}

void
publish_sync_keep_fd(struct publish_sync *sl, int fd)
{
	sl->fds = xreallocarray(sl->fds, sl->nfds + 1, sizeof(*sl->fds));
	sl->fds[sl->nfds++] = fd;
}

static void
sync_job(struct sync_job *j)
{
	j->err = publish_fsync_at(j->dfd, j->name) == -1 ? errno : 0;
	/* a link in a generation: made durable by the directory's fsync */
	if (j->err == ELOOP)
		j->err = 0;
}

static void *
worker(void *arg)
{
	struct publish_sync *sl = arg;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&sl->mu);
		i = sl->next++;
		pthread_mutex_unlock(&sl->mu);
		if (i >= sl->n)
			return NULL;
		sync_job(&sl->v[i]);
	}
}

int
publish_sync_run(struct publish_sync *sl, struct diags *d)
{
	pthread_t tid[SYNC_THREADS];
	sigset_t all, old;
	size_t i, nt = 0, want;

	want = sl->n / 8 + 1;
	if (want > SYNC_THREADS)
		want = SYNC_THREADS;
	sl->next = 0;
	pthread_mutex_init(&sl->mu, NULL);
	if (want > 1) {
		/* signals stay with the main thread (publish_tmp.c's handler) */
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		for (nt = 0; nt < want - 1; nt++)
			if (pthread_create(&tid[nt], NULL, worker, sl) != 0)
				break;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	worker(sl);
	for (i = 0; i < nt; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&sl->mu);
	for (i = 0; i < sl->n; i++) {
		if (sl->v[i].err == 0)
			continue;
		diag_err(d, NULL, 0, "'%s/%s': fsync: %s", sl->v[i].dir,
		    sl->v[i].name, strerror(sl->v[i].err));
		return -1;
	}
	return 0;
}

void
publish_sync_free(struct publish_sync *sl)
{
	size_t i;

	for (i = 0; i < sl->n; i++) {
		free(sl->v[i].dir);
		free(sl->v[i].name);
	}
	for (i = 0; i < sl->nfds; i++)
		close(sl->fds[i]);
	free(sl->v);
	free(sl->fds);
	memset(sl, 0, sizeof(*sl));
}
