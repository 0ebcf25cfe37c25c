/*
 * publish_lock.c: one trustbuild at a time publishes into a directory,
 * see publish.h.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "publish.h"
#include "publish_impl.h"

#ifndef PUBLISH_LOCK_DIR
#define PUBLISH_LOCK_DIR	"/run/trustbuild"
#endif

/*
 * As root: the lock of the directory dfd, PUBLISH_LOCK_DIR/publish-DEV-INO
 * .lock, a regular file of ours, 0600, in a directory of ours, 0700, that
 * no link leads to: no other user can open it, so none can hold it.  -1
 * after a message.
 */
static int
open_lock_file(int dfd, const char *dir, struct diags *d)
{
	struct stat st, dst;
	char name[128];
	int lfd, fd;

	if (fstat(dfd, &dst) == -1) {
		diag_err(d, dir, 0, "%s", strerror(errno));
		return -1;
	}
	if (mkdir(PUBLISH_LOCK_DIR, 0700) == -1 && errno != EEXIST) {
		diag_err(d, PUBLISH_LOCK_DIR, 0, "cannot make the lock "
		    "directory: %s", strerror(errno));
		return -1;
	}
	if ((lfd = publish_open_dir(PUBLISH_LOCK_DIR)) == -1 ||
	    fstat(lfd, &st) == -1 || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0) {
		diag_err(d, PUBLISH_LOCK_DIR, 0, "not a directory of uid %ld "
		    "with mode 0700; remove it", (long)geteuid());
		if (lfd != -1)
			close(lfd);
		return -1;
	}
	snprintf(name, sizeof(name), "publish-%llu-%llu.lock",
	    (unsigned long long)dst.st_dev, (unsigned long long)dst.st_ino);
	fd = openat(lfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC, 0600);
	if (fd == -1 || fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() ||
	    ((st.st_mode & 07777) != 0600 && fchmod(fd, 0600) == -1)) {
		diag_err(d, NULL, 0, "'%s/%s': not a lock file of ours%s%s; "
		    "remove it", PUBLISH_LOCK_DIR, name, fd == -1 ? ": " : "",
		    fd == -1 ? strerror(errno) : "");
		if (fd != -1)
			close(fd);
		close(lfd);
		return -1;
	}
	close(lfd);
	return fd;
}

int
publish_lock_wait(int fd, unsigned wait_s)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	unsigned tries;

	for (tries = 0; flock(fd, LOCK_EX | LOCK_NB) == -1; tries++) {
		if (errno != EWOULDBLOCK || tries >= wait_s * 10)
			return -1;
		nanosleep(&ts, NULL);
	}
	return 0;
}

int
publish_lock(const char *path, unsigned wait_s, struct diags *d)
{
	struct pending pd;
	int fd;

	if (publish_split(&pd, path, d) == -1)
		return -1;
	if (publish_open_parent(&pd, d) == -1) {
		publish_release(&pd);
		return -1;
	}
	if (geteuid() == 0) {
		if ((fd = open_lock_file(pd.dfd, pd.dir, d)) == -1) {
			publish_release(&pd);
			return -1;
		}
	} else {
		/* a user's own tree: the directory itself */
		fd = pd.dfd;
		pd.dfd = -1;
	}
	if (publish_lock_wait(fd, wait_s) == -1) {
		diag_err(d, pd.dir, 0, "another trustbuild is publishing "
		    "here; try again later");
		close(fd);
		fd = -1;
	}
	publish_release(&pd);
	return fd;
}
