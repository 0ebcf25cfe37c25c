/*
 * publish_tmp.c: what a run has staged, removed if it dies; see
 * publish_tmp.h.
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "publish_tmp.h"

enum slot_state {
	SLOT_FREE = 0,
	SLOT_FILE,
	SLOT_DIR
};

/* Set the state last: the handler reads a slot only once it is whole. */
static struct slot {
	volatile sig_atomic_t state;
	int		 dfd;
	char		 name[256];
} slots[PUBLISH_TMP_MAX];

static pid_t owner;		/* 0: the handler is not installed */

void
publish_tmp_add(int dfd, const char *name, int dir)
{
	size_t i;

	publish_signals();
	if (strlen(name) >= sizeof(slots[0].name))
		return;
	for (i = 0; i < PUBLISH_TMP_MAX; i++)
		if (slots[i].state == SLOT_FREE) {
			slots[i].dfd = dfd;
			strcpy(slots[i].name, name);
			slots[i].state = dir ? SLOT_DIR : SLOT_FILE;
			return;
		}
}

void
publish_tmp_forget(int dfd, const char *name)
{
	size_t i;

	for (i = 0; i < PUBLISH_TMP_MAX; i++)
		if (slots[i].state != SLOT_FREE && slots[i].dfd == dfd &&
		    strcmp(slots[i].name, name) == 0)
			slots[i].state = SLOT_FREE;
}

/*
 * Remove the generation name in dfd and the files and links in it (one
 * level), if it is a directory of ours: async-signal-safe, no stdio, no
 * malloc, no link followed.
 */
static void
remove_dir(int dfd, const char *name)
{
	char buf[4096];
	struct stat st;
	struct dirent64 *de;
	ssize_t n, off;
	int fd;

	if ((fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return;
	if (fstat(fd, &st) == 0 && st.st_uid == geteuid())
		while ((n = getdents64(fd, buf, sizeof(buf))) > 0)
			for (off = 0; off < n; off += de->d_reclen) {
				de = (struct dirent64 *)(void *)(buf + off);
				if (strcmp(de->d_name, ".") != 0 &&
				    strcmp(de->d_name, "..") != 0)
					unlinkat(fd, de->d_name, 0);
			}
	close(fd);
	unlinkat(dfd, name, AT_REMOVEDIR);
}

/* Remove every listed entry (in the process that listed them). */
static void
remove_all(void)
{
	size_t i;

	if (getpid() != owner)
		return;
	for (i = 0; i < PUBLISH_TMP_MAX; i++) {
		if (slots[i].state == SLOT_FILE)
			unlinkat(slots[i].dfd, slots[i].name, 0);
		else if (slots[i].state == SLOT_DIR)
			remove_dir(slots[i].dfd, slots[i].name);
		slots[i].state = SLOT_FREE;
	}
}

static void
on_signal(int sig)
{
	remove_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

void
publish_signals(void)
{
	struct sigaction sa;

	if (owner == getpid())
		return;
	owner = getpid();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	atexit(remove_all);
}

void
publish_signals_hold(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

void
publish_signals_release(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

void
publish_tmp_name(char *out, size_t size, const char *prefix)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789";
	unsigned char r[8];
	size_t i, n;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		for (i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)((ts.tv_nsec >> (i * 3)) ^
			    getpid() ^ rand());
	}
	n = (size_t)snprintf(out, size, "%s", prefix);
	for (i = 0; i < sizeof(r) && n + i + 1 < size; i++)
		out[n + i] = set[r[i] % (sizeof(set) - 1)];
	out[n + i] = '\0';
}
