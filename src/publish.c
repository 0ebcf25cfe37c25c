/*
 * publish.c: atomic, durable publishing, see publish.h.
 */
#include <sys/file.h>
#include <sys/random.h>
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
#include "xalloc.h"

#ifndef PUBLISH_LOCK_DIR
#define PUBLISH_LOCK_DIR	"/run/trustbuild"
#endif

/* Temp files to unlink if a signal ends the run (async-signal-safe). */
#define MAX_STAGED 8
static struct {
	int	fd;		/* the directory; -1: slot free */
	char	name[256];
} staged[MAX_STAGED] = {
	{ -1, "" }, { -1, "" }, { -1, "" }, { -1, "" },
	{ -1, "" }, { -1, "" }, { -1, "" }, { -1, "" },
};

static void
stage_remember(int dfd, const char *name)
{
	int i;

	for (i = 0; i < MAX_STAGED; i++)
		if (staged[i].fd == -1) {
			snprintf(staged[i].name, sizeof(staged[i].name), "%s",
			    name);
			staged[i].fd = dfd;
			return;
		}
}

static void
stage_forget(int dfd, const char *name)
{
	int i;

	for (i = 0; i < MAX_STAGED; i++)
		if (staged[i].fd == dfd && strcmp(staged[i].name, name) == 0)
			staged[i].fd = -1;
}

static void
on_signal(int sig)
{
	int i;

	for (i = 0; i < MAX_STAGED; i++)
		if (staged[i].fd != -1)
			unlinkat(staged[i].fd, staged[i].name, 0);
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

char *
publish_dirname(const char *path)
{
	char *p = xstrdup(path), *slash;
	size_t len;

	/* "certs/" is "certs" */
	while ((len = strlen(p)) > 1 && p[len - 1] == '/')
		p[len - 1] = '\0';
	if ((slash = strrchr(p, '/')) == NULL)
		strcpy(p, ".");
	else if (slash == p)
		p[1] = '\0';
	else
		*slash = '\0';
	return p;
}

static int
split_path(struct pending *pd, const char *path)
{
	const char *slash;
	size_t len;

	memset(pd, 0, sizeof(*pd));
	pd->dfd = -1;
	pd->path = xstrdup(path);
	/* "certs/" publishes "certs" */
	while ((len = strlen(pd->path)) > 1 && pd->path[len - 1] == '/')
		pd->path[len - 1] = '\0';
	pd->dir = publish_dirname(pd->path);
	slash = strrchr(pd->path, '/');
	pd->base = xstrdup(slash != NULL ? slash + 1 : pd->path);
	if (*pd->base == '\0' || strcmp(pd->base, ".") == 0 ||
	    strcmp(pd->base, "..") == 0) {
		log_err("'%s': not a name trustbuild can publish to", path);
		return -1;
	}
	return 0;
}

int
publish_make_parents(const char *path)
{
	char *p = strdup(path), *s;
	int rc = 0;

	if (p == NULL) {
		log_err("out of memory");
		return -1;
	}
	while (strlen(p) > 1 && p[strlen(p) - 1] == '/')
		p[strlen(p) - 1] = '\0';
	for (s = p + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST) {
			log_err("'%s': cannot create the directory for '%s': "
			    "%s", p, path, strerror(errno));
			rc = -1;
			break;
		}
		*s = '/';
	}
	free(p);
	return rc;
}

int
publish_open_dir(const char *path)
{
	return open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* Open pd->dir into pd->dfd.  -1 after a message. */
static int
open_parent(struct pending *pd)
{
	if ((pd->dfd = publish_open_dir(pd->dir)) != -1)
		return 0;
	if (errno == ELOOP || errno == ENOTDIR)
		log_err("'%s': not a directory (a symbolic link is not "
		    "followed here); give the directory itself", pd->dir);
	else
		log_err("'%s': %s; create the directory first", pd->dir,
		    strerror(errno));
	return -1;
}

void
publish_release(struct pending *pd)
{
	if (pd->path != NULL && pd->dfd != -1)
		close(pd->dfd);
	free(pd->path);
	free(pd->dir);
	free(pd->base);
	free(pd->tmp);
	free(pd->old);
	memset(pd, 0, sizeof(*pd));
	pd->dfd = -1;
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

	/* non-blocking: a FIFO under the name must not hang the run */
	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK | O_NOCTTY)) == -1)
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

/* A fresh random name "PREFIX" + 8 characters into out. */
static void
random_name(char *out, size_t size, const char *prefix)
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

/* Remove dot files ".BASE.KIND.*" in dfd, except the names keep1, keep2. */
static void remove_stale(int dfd, const char *base, const char *kind,
    const char *keep1, const char *keep2);

int
publish_file_prepare(struct pending *pd, const char *path, const void *buf,
    size_t len)
{
	struct pending where;
	int rc;

	if (split_path(&where, path) == -1 || open_parent(&where) == -1) {
		publish_release(&where);
		memset(pd, 0, sizeof(*pd));
		pd->dfd = -1;
		return -1;
	}
	rc = publish_file_prepare_at(pd, where.dfd, where.dir, where.base, buf,
	    len, 0644, 1);
	publish_release(&where);
	return rc;
}

int
publish_file_prepare_at(struct pending *pd, int dirfd, const char *dirname,
    const char *name, const void *buf, size_t len, mode_t mode, int keep)
{
	struct stat st;
	char tmp[256], prefix[256], *path;
	int fd = -1, tries;

	if (asprintf(&path, "%s/%s", dirname, name) == -1) {
		log_err("out of memory");
		return -1;
	}
	if (split_path(pd, path) == -1) {
		free(path);
		return -1;
	}
	free(path);
	free(pd->base);
	if ((pd->base = strdup(name)) == NULL) {
		log_err("out of memory");
		return -1;
	}
	pd->kind = PENDING_FILE;
	if ((pd->dfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3)) == -1) {
		log_err("'%s': %s", dirname, strerror(errno));
		return -1;
	}
	remove_stale(pd->dfd, pd->base, "tmp", NULL, NULL);
	if (fstatat(pd->dfd, pd->base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISDIR(st.st_mode)) {
			log_err("'%s': is a directory; the bundle must be a "
			    "file name", pd->path);
			return -1;
		}
		/* never the mode of a file someone else made, nor setuid */
		if (keep && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
		    st.st_nlink == 1)
			mode = st.st_mode & 0755;
	}
	if (same_content(pd->dfd, pd->base, buf, len))
		return 0;
	snprintf(prefix, sizeof(prefix), ".%s.tmp.", pd->base);
	for (tries = 0; fd == -1 && tries < 100; tries++) {
		random_name(tmp, sizeof(tmp), prefix);
		fd = openat(pd->dfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd == -1 && errno != EEXIST)
			break;
	}
	if (fd == -1) {
		log_err("'%s': cannot create a temporary file: %s", pd->dir,
		    strerror(errno));
		return -1;
	}
	if ((pd->tmp = strdup(tmp)) == NULL) {
		log_err("out of memory");
		unlinkat(pd->dfd, tmp, 0);
		close(fd);
		return -1;
	}
	stage_remember(pd->dfd, pd->tmp);
	/* synced with everything staged, by publish_commit_all() */
	if (fchmod(fd, mode) == -1 || write_all(fd, buf, len) == -1) {
		log_err("'%s/%s': %s", pd->dir, pd->tmp, strerror(errno));
		close(fd);
		publish_abort(pd);
		return -1;
	}
	if (close(fd) == -1) {
		log_err("'%s/%s': %s", pd->dir, pd->tmp, strerror(errno));
		publish_abort(pd);
		return -1;
	}
	pd->changed = 1;
	return 0;
}

/*
 * Delete the generation directory name in dfd (one level: files and
 * links), only if it is a real directory we own: never through a link,
 * never someone else's directory put in its place.
 */
static void
remove_generation(int dfd, const char *dir, const char *name)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int fd;

	if ((fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return;
	if (fstat(fd, &st) == -1 || st.st_uid != geteuid() ||
	    (d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		unlinkat(fd, de->d_name, 0);
	}
	closedir(d);
	/* a link or another directory swapped in meanwhile: ENOTDIR, ENOTEMPTY */
	if (unlinkat(dfd, name, AT_REMOVEDIR) == -1 && errno != ENOENT)
		log_warn("'%s/%s': cannot remove an old generation: %s", dir,
		    name, strerror(errno));
}

/* A fresh descriptor for reading the directory dfd (its own offset). */
static DIR *
open_list(int dfd)
{
	DIR *d;
	int fd;

	if ((fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return NULL;
	if ((d = fdopendir(fd)) == NULL)
		close(fd);
	return d;
}

static void
remove_stale(int dfd, const char *base, const char *kind,
    const char *keep1, const char *keep2)
{
	char prefix[512];
	size_t plen;
	DIR *d;
	struct dirent *de;
	struct stat st;

	plen = (size_t)snprintf(prefix, sizeof(prefix), ".%s.%s.", base, kind);
	if (plen >= sizeof(prefix) || (d = open_list(dfd)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, plen) != 0)
			continue;
		if ((keep1 && strcmp(de->d_name, keep1) == 0) ||
		    (keep2 && strcmp(de->d_name, keep2) == 0))
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode))
			remove_generation(dfd, ".", de->d_name);
		else
			unlinkat(dfd, de->d_name, 0);
	}
	closedir(d);
}

/* The generation name a link in dfd points at, if it is one of ours. */
static char *
generation_of(int dfd, const char *base, const char *link)
{
	char target[4096], prefix[512];
	ssize_t n;

	n = readlinkat(dfd, link, target, sizeof(target) - 1);
	if (n <= 0)
		return NULL;
	target[n] = '\0';
	snprintf(prefix, sizeof(prefix), ".%s.gen.", base);
	if (strncmp(target, prefix, strlen(prefix)) != 0 ||
	    strchr(target, '/') != NULL)
		return NULL;
	return strdup(target);
}

/* 1 if the directory name in dfd (not a link) holds exactly entries e. */
static int
same_dir(int dfd, const char *name, const struct dir_entry *e, size_t n)
{
	DIR *d;
	struct dirent *de;
	size_t count = 0, i;
	char target[128];
	ssize_t r;
	int fd, same = 1;

	if ((fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return 0;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			count++;
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

/*
 * Create a new, empty generation directory of ours in pd->dfd; its name
 * into pd->tmp, a descriptor to it returned.  -1 after a message.
 */
static int
make_generation(struct pending *pd)
{
	struct stat st;
	char name[256], prefix[256];
	int tries, gfd = -1;

	snprintf(prefix, sizeof(prefix), ".%s.gen.", pd->base);
	for (tries = 0; tries < 100; tries++) {
		random_name(name, sizeof(name), prefix);
		if (mkdirat(pd->dfd, name, 0700) == 0)
			break;
		if (errno != EEXIST)
			goto fail;
	}
	if (tries == 100)
		goto fail;
	if ((pd->tmp = strdup(name)) == NULL) {
		unlinkat(pd->dfd, name, AT_REMOVEDIR);
		log_err("out of memory");
		return -1;
	}
	/*
	 * Someone who can write the directory may have swapped it since:
	 * no link is followed, and what we opened must be what we made.
	 */
	if ((gfd = openat(pd->dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1 || fstat(gfd, &st) == -1 ||
	    st.st_uid != geteuid() || st.st_nlink != 2 ||
	    (st.st_mode & 0777) != 0700) {
		log_err("'%s/%s': replaced while trustbuild created it; is "
		    "someone else writing to '%s'?", pd->dir, name, pd->dir);
		if (gfd != -1)
			close(gfd);
		free(pd->tmp);
		pd->tmp = NULL;
		return -1;
	}
	if (fchmod(gfd, 0755) == -1) {
		log_err("'%s/%s': %s", pd->dir, name, strerror(errno));
		close(gfd);
		return -1;
	}
	return gfd;
fail:
	log_err("'%s': cannot create a generation directory: %s", pd->dir,
	    strerror(errno));
	return -1;
}

int
publish_dir_prepare(struct pending *pd, const char *path,
    const struct dir_entry *e, size_t n)
{
	struct stat st;
	char *prev = NULL, pl[512];
	size_t i;
	int gfd = -1, fd;

	if (split_path(pd, path) == -1)
		return -1;
	pd->kind = PENDING_DIR;
	if (open_parent(pd) == -1)
		return -1;
	if (fstatat(pd->dfd, pd->base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISDIR(st.st_mode)) {
			DIR *d = NULL;
			struct dirent *de;
			int entries = 0;

			if ((fd = openat(pd->dfd, pd->base, O_RDONLY |
			    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) != -1 &&
			    (d = fdopendir(fd)) == NULL)
				close(fd);
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
		} else if ((pd->old = generation_of(pd->dfd, pd->base,
		    pd->base)) == NULL) {
			char target[4096];
			ssize_t tn = readlinkat(pd->dfd, pd->base, target,
			    sizeof(target) - 1);

			target[tn > 0 ? tn : 0] = '\0';
			log_err("'%s': is a symbolic link trustbuild did not make "
			    "(to '%s'); remove it or choose another --capath",
			    path, target);
			return -1;
		}
	}
	snprintf(pl, sizeof(pl), ".%s.prev", pd->base);
	prev = generation_of(pd->dfd, pd->base, pl);
	/* leftovers of killed runs: not the live one, not the previous one */
	remove_stale(pd->dfd, pd->base, "gen", pd->old, prev);
	remove_stale(pd->dfd, pd->base, "lnk", NULL, NULL);
	free(prev);

	if (pd->old != NULL && same_dir(pd->dfd, pd->old, e, n))
		return 0;

	if ((gfd = make_generation(pd)) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		if (e[i].data == NULL) {
			if (symlinkat(e[i].link, gfd, e[i].name) == -1) {
				log_err("'%s/%s/%s': %s", pd->dir, pd->tmp,
				    e[i].name, strerror(errno));
				goto fail;
			}
			continue;
		}
		fd = openat(gfd, e[i].name, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd != -1 && fchmod(fd, 0644) == -1) {
			close(fd);
			fd = -1;
		}
		if (fd == -1 || write_all(fd, e[i].data, e[i].len) == -1) {
			log_err("'%s/%s/%s': %s", pd->dir, pd->tmp, e[i].name,
			    strerror(errno));
			if (fd != -1)
				close(fd);
			goto fail;
		}
		if (close(fd) == -1) {
			log_err("'%s/%s/%s': %s", pd->dir, pd->tmp, e[i].name,
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

/* A symbolic link to target under a fresh ".BASE.lnk.*" name.  -1: errno. */
static int
make_link(struct pending *pd, const char *target, char *lnk, size_t size)
{
	char prefix[256];
	int tries;

	snprintf(prefix, sizeof(prefix), ".%s.lnk.", pd->base);
	for (tries = 0; tries < 100; tries++) {
		random_name(lnk, size, prefix);
		if (symlinkat(target, pd->dfd, lnk) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

/* Switch the link to the staged generation with one rename(2). */
static int
commit_dir(struct pending *pd)
{
	char lnk[256];

	if (make_link(pd, pd->tmp, lnk, sizeof(lnk)) == -1) {
		log_err("'%s': cannot make a link: %s", pd->dir,
		    strerror(errno));
		return -1;
	}
	if (pd->empty_dir && unlinkat(pd->dfd, pd->base, AT_REMOVEDIR) == -1 &&
	    errno != ENOENT) {
		log_err("'%s': %s", pd->path, strerror(errno));
		unlinkat(pd->dfd, lnk, 0);
		return -1;
	}
	if (renameat(pd->dfd, lnk, pd->dfd, pd->base) == -1) {
		log_err("'%s': cannot switch to the new generation: %s",
		    pd->path, strerror(errno));
		unlinkat(pd->dfd, lnk, 0);
		return -1;
	}
	return 0;
}

/* After the switch: remember the generation before, drop older ones. */
static void
finish_dir(struct pending *pd)
{
	char lnk[256], prev[512];

	if (pd->old != NULL && make_link(pd, pd->old, lnk, sizeof(lnk)) == 0) {
		snprintf(prev, sizeof(prev), ".%s.prev", pd->base);
		if (renameat(pd->dfd, lnk, pd->dfd, prev) == -1)
			unlinkat(pd->dfd, lnk, 0);
	}
	remove_stale(pd->dfd, pd->base, "gen", pd->tmp, pd->old);
}

/* Make one staged output live: rename(2), nothing else. */
static int
commit_one(struct pending *pd)
{
	if (pd->kind == PENDING_DIR)
		return commit_dir(pd);
	if (renameat(pd->dfd, pd->tmp, pd->dfd, pd->base) == -1) {
		log_err("'%s': cannot replace: %s", pd->path, strerror(errno));
		return -1;
	}
	stage_forget(pd->dfd, pd->tmp);
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
		int dup = 0;

		if (!pd[i].changed || pd[i].tmp == NULL)
			continue;
		if (fstat(pd[i].dfd, &st) == -1) {
			log_err("'%s': %s", pd[i].dir, strerror(errno));
			return -1;
		}
		for (j = 0; j < nseen; j++)
			if (seen[j].st_dev == st.st_dev &&
			    seen[j].st_ino == st.st_ino)
				dup = 1;
		if (!dup && nseen < 8)
			seen[nseen++] = st;
		if (!dup && fn(pd[i].dfd, pd[i].dir) == -1)
			rc = -1;
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
	if (pd->dfd != -1) {
		if (pd->kind == PENDING_DIR)
			remove_generation(pd->dfd, pd->dir, pd->tmp);
		else {
			unlinkat(pd->dfd, pd->tmp, 0);
			stage_forget(pd->dfd, pd->tmp);
		}
	}
	free(pd->tmp);
	pd->tmp = NULL;
	pd->changed = 0;
}

/*
 * As root: the lock of the directory dfd, PUBLISH_LOCK_DIR/publish-DEV-INO
 * .lock, a regular file of ours, 0600, in a directory of ours, 0700, that
 * no link leads to: no other user can open it, so none can hold it.  -1
 * after a message.
 */
static int
open_lock_file(int dfd, const char *dir)
{
	struct stat st, dst;
	char name[128];
	int lfd, fd;

	if (fstat(dfd, &dst) == -1) {
		log_err("'%s': %s", dir, strerror(errno));
		return -1;
	}
	if (mkdir(PUBLISH_LOCK_DIR, 0700) == -1 && errno != EEXIST) {
		log_err("'%s': cannot make the lock directory: %s",
		    PUBLISH_LOCK_DIR, strerror(errno));
		return -1;
	}
	if ((lfd = publish_open_dir(PUBLISH_LOCK_DIR)) == -1 ||
	    fstat(lfd, &st) == -1 || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0) {
		log_err("'%s': not a directory of uid %ld with mode 0700; "
		    "remove it", PUBLISH_LOCK_DIR, (long)geteuid());
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
		log_err("'%s/%s': not a lock file of ours%s%s; remove it",
		    PUBLISH_LOCK_DIR, name, fd == -1 ? ": " : "",
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
publish_lock(const char *path, int wait_s)
{
	struct pending pd;
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	int fd, tries;

	if (split_path(&pd, path) == -1)
		return -1;
	if (open_parent(&pd) == -1) {
		publish_release(&pd);
		return -1;
	}
	if (geteuid() == 0) {
		if ((fd = open_lock_file(pd.dfd, pd.dir)) == -1) {
			publish_release(&pd);
			return -1;
		}
	} else {
		/* a user's own tree: the directory itself */
		fd = pd.dfd;
		pd.dfd = -1;
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
	if ((pd.dfd = publish_open_dir(pd.dir)) == -1) {
		publish_release(&pd);
		return 0;
	}
	plen = (size_t)snprintf(prefix, sizeof(prefix), ".%s.", pd.base);
	if ((n = readlinkat(pd.dfd, pd.base, live, sizeof(live) - 1)) > 0)
		live[n] = '\0';
	snprintf(prev, sizeof(prev), ".%s.prev", pd.base);
	if ((n = readlinkat(pd.dfd, prev, prevt, sizeof(prevt) - 1)) > 0)
		prevt[n] = '\0';
	if (plen < sizeof(prefix) && (d = open_list(pd.dfd)) != NULL) {
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
