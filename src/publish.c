/*
 * publish.c: atomic, durable publishing, see publish.h.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "publish.h"

/* Temp files to unlink if a signal ends the run (async-signal-safe). */
#define MAX_STAGED 8
static char staged[MAX_STAGED][4096];

static void
stage_remember(const char *path)
{
	int i;

	for (i = 0; i < MAX_STAGED; i++)
		if (staged[i][0] == '\0') {
			snprintf(staged[i], sizeof(staged[i]), "%s", path);
			return;
		}
}

static void
stage_forget(const char *path)
{
	int i;

	for (i = 0; i < MAX_STAGED; i++)
		if (strcmp(staged[i], path) == 0)
			staged[i][0] = '\0';
}

static void
on_signal(int sig)
{
	int i;

	for (i = 0; i < MAX_STAGED; i++)
		if (staged[i][0] != '\0')
			unlink(staged[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

void
publish_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static int
split_path(struct pending *pd, const char *path)
{
	char *slash;
	size_t len;

	memset(pd, 0, sizeof(*pd));
	if ((pd->path = strdup(path)) == NULL)
		goto nomem;
	/* "certs/" publishes "certs" */
	while ((len = strlen(pd->path)) > 1 && pd->path[len - 1] == '/')
		pd->path[len - 1] = '\0';
	if ((slash = strrchr(pd->path, '/')) == NULL) {
		pd->dir = strdup(".");
		pd->base = strdup(pd->path);
	} else {
		pd->dir = slash == pd->path ? strdup("/") :
		    strndup(pd->path, (size_t)(slash - pd->path));
		pd->base = strdup(slash + 1);
	}
	if (pd->dir == NULL || pd->base == NULL)
		goto nomem;
	if (*pd->base == '\0' || strcmp(pd->base, ".") == 0 ||
	    strcmp(pd->base, "..") == 0) {
		log_err("'%s': not a name trustbuild can publish to", path);
		return -1;
	}
	return 0;
nomem:
	log_err("out of memory");
	return -1;
}

void
publish_release(struct pending *pd)
{
	free(pd->path);
	free(pd->dir);
	free(pd->base);
	free(pd->tmp);
	free(pd->old);
	memset(pd, 0, sizeof(*pd));
}

static int
write_all(int fd, const void *p, size_t len)
{
	const char *s = p;
	ssize_t r;

	while (len > 0) {
		if ((r = write(fd, s, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += r;
		len -= (size_t)r;
	}
	return 0;
}

/* 1 if the file at dirfd/name holds exactly buf, 0 if not or absent. */
static int
same_content(int dirfd, const char *name, const void *buf, size_t len)
{
	struct stat st;
	char chunk[65536];
	size_t off = 0;
	ssize_t r;
	int fd, same = 0;

	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return 0;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size != len)
		goto out;
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (off + (size_t)r > len ||
		    memcmp((const char *)buf + off, chunk, (size_t)r) != 0)
			goto out;
		off += (size_t)r;
	}
	same = r == 0 && off == len;
out:
	close(fd);
	return same;
}

/* Remove dot files ".BASE.KIND.*" in dir, except the names in keep[]. */
static void
remove_stale(const char *dir, const char *base, const char *kind,
    const char *keep1, const char *keep2);

int
publish_file_prepare(struct pending *pd, const char *path, const void *buf,
    size_t len)
{
	struct stat st;
	mode_t mode = 0644;
	int dfd, fd = -1;

	if (split_path(pd, path) == -1)
		return -1;
	pd->kind = PENDING_FILE;
	if ((dfd = open(pd->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_err("'%s': %s; create the directory first", pd->dir,
		    strerror(errno));
		return -1;
	}
	remove_stale(pd->dir, pd->base, "tmp", NULL, NULL);
	if (fstatat(dfd, pd->base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISDIR(st.st_mode)) {
			log_err("'%s': is a directory; the bundle must be a "
			    "file name", path);
			close(dfd);
			return -1;
		}
		if (S_ISREG(st.st_mode))
			mode = st.st_mode & 07777;
	}
	if (same_content(dfd, pd->base, buf, len)) {
		close(dfd);
		return 0;
	}
	close(dfd);
	if (asprintf(&pd->tmp, "%s/.%s.tmp.XXXXXX", pd->dir, pd->base) == -1) {
		pd->tmp = NULL;
		log_err("out of memory");
		return -1;
	}
	if ((fd = mkostemp(pd->tmp, O_CLOEXEC)) == -1) {
		log_err("'%s': cannot create a temporary file: %s", pd->dir,
		    strerror(errno));
		free(pd->tmp);
		pd->tmp = NULL;
		return -1;
	}
	stage_remember(pd->tmp);
	/* synced with everything staged, by publish_commit_all() */
	if (fchmod(fd, mode) == -1 || write_all(fd, buf, len) == -1) {
		log_err("'%s': %s", pd->tmp, strerror(errno));
		close(fd);
		publish_abort(pd);
		return -1;
	}
	if (close(fd) == -1) {
		log_err("'%s': %s", pd->tmp, strerror(errno));
		publish_abort(pd);
		return -1;
	}
	pd->changed = 1;
	return 0;
}

/* Delete a generation directory (one level: files and links). */
static void
remove_generation(const char *path)
{
	DIR *d;
	struct dirent *de;
	int fd;

	if ((d = opendir(path)) == NULL)
		return;
	fd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		unlinkat(fd, de->d_name, 0);
	}
	closedir(d);
	if (rmdir(path) == -1 && errno != ENOENT)
		log_warn("'%s': cannot remove an old generation: %s", path,
		    strerror(errno));
}

static void
remove_stale(const char *dir, const char *base, const char *kind,
    const char *keep1, const char *keep2)
{
	char prefix[512], *full;
	size_t plen;
	DIR *d;
	struct dirent *de;
	struct stat st;

	plen = (size_t)snprintf(prefix, sizeof(prefix), ".%s.%s.", base, kind);
	if (plen >= sizeof(prefix) || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, plen) != 0)
			continue;
		if ((keep1 && strcmp(de->d_name, keep1) == 0) ||
		    (keep2 && strcmp(de->d_name, keep2) == 0))
			continue;
		if (asprintf(&full, "%s/%s", dir, de->d_name) == -1)
			continue;
		if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode))
			remove_generation(full);
		else
			unlink(full);
		free(full);
	}
	closedir(d);
}

/* The generation name (basename) a link points at, if it is one of ours. */
static char *
generation_of(const char *dir, const char *base, const char *link)
{
	char target[4096], *full, prefix[512];
	ssize_t n;

	if (asprintf(&full, "%s/%s", dir, link) == -1)
		return NULL;
	n = readlink(full, target, sizeof(target) - 1);
	free(full);
	if (n <= 0)
		return NULL;
	target[n] = '\0';
	snprintf(prefix, sizeof(prefix), ".%s.gen.", base);
	if (strncmp(target, prefix, strlen(prefix)) != 0 ||
	    strchr(target, '/') != NULL)
		return NULL;
	return strdup(target);
}

/* 1 if the directory at path holds exactly entries e. */
static int
same_dir(const char *path, const struct dir_entry *e, size_t n)
{
	DIR *d;
	struct dirent *de;
	size_t count = 0, i;
	char target[128];
	ssize_t r;
	int fd, same = 1;

	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			count++;
	fd = dirfd(d);
	if (count != n)
		same = 0;
	for (i = 0; same && i < n; i++) {
		if (e[i].data != NULL)
			same = same_content(fd, e[i].name, e[i].data, e[i].len);
		else {
			r = readlinkat(fd, e[i].name, target, sizeof(target) - 1);
			same = r > 0 && (size_t)r == strlen(e[i].link) &&
			    memcmp(target, e[i].link, (size_t)r) == 0;
		}
	}
	closedir(d);
	return same;
}

int
publish_dir_prepare(struct pending *pd, const char *path,
    const struct dir_entry *e, size_t n)
{
	struct stat st;
	char *prev = NULL;
	size_t i;
	int gfd = -1, fd;

	if (split_path(pd, path) == -1)
		return -1;
	pd->kind = PENDING_DIR;
	if (stat(pd->dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		log_err("'%s': %s; create the directory first", pd->dir,
		    errno ? strerror(errno) : "not a directory");
		return -1;
	}
	if (lstat(pd->path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			DIR *d = opendir(pd->path);
			struct dirent *de;
			int entries = 0;

			while (d != NULL && (de = readdir(d)) != NULL)
				if (strcmp(de->d_name, ".") &&
				    strcmp(de->d_name, ".."))
					entries++;
			if (d != NULL)
				closedir(d);
			if (d == NULL || entries > 0) {
				log_err("'%s': is a directory trustbuild does "
				    "not manage; trustbuild publishes a CApath "
				    "as a symbolic link to a generation "
				    "directory: move '%s' away or choose "
				    "another --capath", path, path);
				return -1;
			}
			pd->empty_dir = 1;
		} else if (!S_ISLNK(st.st_mode)) {
			log_err("'%s': exists and is not a directory or a "
			    "symbolic link; move it away", path);
			return -1;
		} else if ((pd->old = generation_of(pd->dir, pd->base,
		    pd->base)) == NULL) {
			char target[4096];
			ssize_t tn = readlink(pd->path, target,
			    sizeof(target) - 1);

			target[tn > 0 ? tn : 0] = '\0';
			log_err("'%s': is a symbolic link trustbuild did not make "
			    "(to '%s'); remove it or choose another --capath",
			    path, target);
			return -1;
		}
	}
	{
		char pl[512];

		snprintf(pl, sizeof(pl), ".%s.prev", pd->base);
		prev = generation_of(pd->dir, pd->base, pl);
	}
	/* leftovers of killed runs: not the live one, not the previous one */
	remove_stale(pd->dir, pd->base, "gen", pd->old, prev);
	remove_stale(pd->dir, pd->base, "lnk", NULL, NULL);
	free(prev);

	if (!pd->empty_dir && lstat(pd->path, &st) == 0 &&
	    same_dir(pd->path, e, n))
		return 0;

	if (asprintf(&pd->tmp, "%s/.%s.gen.XXXXXX", pd->dir, pd->base) == -1 ||
	    mkdtemp(pd->tmp) == NULL) {
		log_err("'%s': cannot create a generation directory: %s",
		    pd->dir, strerror(errno));
		free(pd->tmp);
		pd->tmp = NULL;
		return -1;
	}
	if (chmod(pd->tmp, 0755) == -1 ||
	    (gfd = open(pd->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_err("'%s': %s", pd->tmp, strerror(errno));
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if (e[i].data == NULL) {
			if (symlinkat(e[i].link, gfd, e[i].name) == -1) {
				log_err("'%s/%s': %s", pd->tmp, e[i].name,
				    strerror(errno));
				goto fail;
			}
			continue;
		}
		fd = openat(gfd, e[i].name, O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC, 0644);
		if (fd == -1 || write_all(fd, e[i].data, e[i].len) == -1) {
			log_err("'%s/%s': %s", pd->tmp, e[i].name,
			    strerror(errno));
			if (fd != -1)
				close(fd);
			goto fail;
		}
		if (close(fd) == -1) {
			log_err("'%s/%s': %s", pd->tmp, e[i].name,
			    strerror(errno));
			goto fail;
		}
	}
	/* synced once with everything staged, by publish_commit_all() */
	close(gfd);
	pd->changed = 1;
	return 0;
fail:
	if (gfd != -1)
		close(gfd);
	publish_abort(pd);
	return -1;
}

/* Switch the link to the staged generation with one rename(2). */
static int
commit_dir(struct pending *pd)
{
	char *lnk = NULL, *gen;
	int rc = -1;

	gen = strrchr(pd->tmp, '/') + 1;
	if (asprintf(&lnk, "%s/.%s.lnk.%ld", pd->dir, pd->base,
	    (long)getpid()) == -1) {
		lnk = NULL;
		log_err("out of memory");
		goto out;
	}
	unlink(lnk);
	if (symlink(gen, lnk) == -1) {
		log_err("'%s': %s", lnk, strerror(errno));
		goto out;
	}
	if (pd->empty_dir && rmdir(pd->path) == -1 && errno != ENOENT) {
		log_err("'%s': %s", pd->path, strerror(errno));
		unlink(lnk);
		goto out;
	}
	if (rename(lnk, pd->path) == -1) {
		log_err("'%s': cannot switch to the new generation: %s",
		    pd->path, strerror(errno));
		unlink(lnk);
		goto out;
	}
	rc = 0;
out:
	free(lnk);
	return rc;
}

/* After the switch: remember the generation before, drop older ones. */
static void
finish_dir(struct pending *pd)
{
	char *lnk = NULL, *prevpath = NULL, *gen;

	gen = strrchr(pd->tmp, '/') + 1;
	if (pd->old != NULL &&
	    asprintf(&lnk, "%s/.%s.lnk.%ld", pd->dir, pd->base,
	    (long)getpid()) != -1 &&
	    asprintf(&prevpath, "%s/.%s.prev", pd->dir, pd->base) != -1) {
		unlink(lnk);
		if (symlink(pd->old, lnk) == 0 && rename(lnk, prevpath) == -1)
			unlink(lnk);
	}
	free(lnk);
	free(prevpath);
	remove_stale(pd->dir, pd->base, "gen", gen, pd->old);
}

/* Make one staged output live: rename(2), nothing else. */
static int
commit_one(struct pending *pd)
{
	if (pd->kind == PENDING_DIR)
		return commit_dir(pd);
	if (rename(pd->tmp, pd->path) == -1) {
		log_err("'%s': cannot replace: %s", pd->path, strerror(errno));
		return -1;
	}
	stage_forget(pd->tmp);
	return 0;
}

/* Run fn once per distinct directory (by device and inode) of the staged. */
static int
each_dir(struct pending *pd, size_t n, int (*fn)(int, const char *))
{
	struct stat seen[8];
	size_t i, j, nseen = 0;
	int rc = 0;

	for (i = 0; i < n; i++) {
		struct stat st;
		int fd, dup = 0;

		if (!pd[i].changed || pd[i].tmp == NULL)
			continue;
		if ((fd = open(pd[i].dir, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) == -1 || fstat(fd, &st) == -1) {
			log_err("'%s': %s", pd[i].dir, strerror(errno));
			if (fd != -1)
				close(fd);
			return -1;
		}
		for (j = 0; j < nseen; j++)
			if (seen[j].st_dev == st.st_dev &&
			    seen[j].st_ino == st.st_ino)
				dup = 1;
		if (!dup && nseen < 8)
			seen[nseen++] = st;
		if (!dup && fn(fd, pd[i].dir) == -1)
			rc = -1;
		close(fd);
	}
	return rc;
}

static int
sync_fs(int fd, const char *dir)
{
	/* one sync for everything staged there: files and generations */
	if (syncfs(fd) == -1) {
		log_err("'%s': sync: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

static int
sync_entries(int fd, const char *dir)
{
	if (fsync(fd) == -1)
		log_warn("'%s': fsync: %s", dir, strerror(errno));
	return 0;
}

int
publish_commit_all(struct pending *pd, size_t n)
{
	size_t i;

	/* durable before visible: sync the staged data, then rename */
	if (each_dir(pd, n, sync_fs) == -1) {
		for (i = 0; i < n; i++)
			publish_abort(&pd[i]);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!pd[i].changed || pd[i].tmp == NULL)
			continue;
		if (commit_one(&pd[i]) == -1) {
			/* the outputs before stay switched: report, abort rest */
			for (; i < n; i++)
				publish_abort(&pd[i]);
			return -1;
		}
	}
	/* the renames themselves: one fsync per directory */
	each_dir(pd, n, sync_entries);
	for (i = 0; i < n; i++) {
		if (!pd[i].changed || pd[i].tmp == NULL)
			continue;
		if (pd[i].kind == PENDING_DIR)
			finish_dir(&pd[i]);
		free(pd[i].tmp);	/* live now: never to be aborted */
		pd[i].tmp = NULL;
	}
	return 0;
}

void
publish_abort(struct pending *pd)
{
	if (pd->tmp == NULL)
		return;
	if (pd->kind == PENDING_DIR)
		remove_generation(pd->tmp);
	else {
		unlink(pd->tmp);
		stage_forget(pd->tmp);
	}
	free(pd->tmp);
	pd->tmp = NULL;
	pd->changed = 0;
}

int
publish_lock(const char *path, int wait_s)
{
	struct pending pd;
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	int fd, tries;

	if (split_path(&pd, path) == -1)
		return -1;
	if ((fd = open(pd.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_err("'%s': %s; create the directory first", pd.dir,
		    strerror(errno));
		publish_release(&pd);
		return -1;
	}
	for (tries = 0; flock(fd, LOCK_EX | LOCK_NB) == -1; tries++) {
		if (errno != EWOULDBLOCK || tries >= wait_s * 10) {
			log_err("'%s': another trustbuild is publishing here; "
			    "try again later", pd.dir);
			close(fd);
			publish_release(&pd);
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	publish_release(&pd);
	return fd;
}

int
publish_leftovers(const char *path)
{
	struct pending pd;
	char prefix[512], live[256] = "", prev[512], prevt[256] = "";
	struct dirent *de;
	size_t plen;
	ssize_t n;
	DIR *d;
	int found = 0;

	if (split_path(&pd, path) == -1)
		return 1;
	plen = (size_t)snprintf(prefix, sizeof(prefix), ".%s.", pd.base);
	if ((n = readlink(path, live, sizeof(live) - 1)) > 0)
		live[n] = '\0';
	snprintf(prev, sizeof(prev), "%s/.%s.prev", pd.dir, pd.base);
	if ((n = readlink(prev, prevt, sizeof(prevt) - 1)) > 0)
		prevt[n] = '\0';
	if (plen < sizeof(prefix) && (d = opendir(pd.dir)) != NULL) {
		while (!found && (de = readdir(d)) != NULL) {
			const char *rest = de->d_name + plen;

			if (strncmp(de->d_name, prefix, plen) != 0)
				continue;
			if (strncmp(rest, "tmp.", 4) == 0 ||
			    strncmp(rest, "lnk.", 4) == 0)
				found = 1;
			else if (strncmp(rest, "gen.", 4) == 0 &&
			    strcmp(de->d_name, live) != 0 &&
			    strcmp(de->d_name, prevt) != 0)
				found = 1;
		}
		closedir(d);
	}
	publish_release(&pd);
	return found;
}
