/*
 * publish_gen.c: a directory published as a link to a generation, see
 * publish.h: stage a new generation beside the old one, switch the link
 * with one rename(2), keep the one before as ".NAME.prev", drop older ones
 * and the leftovers of killed runs.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "publish.h"
#include "publish_impl.h"
#include "publish_tmp.h"
#include "xalloc.h"

/*
 * Delete the generation directory name in dfd (one level: files and
 * links), only if it is a real directory we own: never through a link,
 * never someone else's directory put in its place.
 */
void
publish_remove_generation(int dfd, const char *dir, const char *name,
    struct diags *d)
{
	struct stat st;
	struct dirent *de;
	DIR *dp;
	int fd;

	if ((fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return;
	if (fstat(fd, &st) == -1 || st.st_uid != geteuid() ||
	    (dp = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	/* a signal now: the handler finishes the removal */
	publish_tmp_add(dfd, name, 1);
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		unlinkat(fd, de->d_name, 0);
	}
	closedir(dp);
	/* a link or another directory swapped in meanwhile: ENOTDIR, ENOTEMPTY */
	if (unlinkat(dfd, name, AT_REMOVEDIR) == -1 && errno != ENOENT)
		diag_warn(d, NULL, 0, "'%s/%s': cannot remove an old "
		    "generation: %s", dir, name, strerror(errno));
	publish_tmp_forget(dfd, name);
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

void
publish_remove_stale(int dfd, const char *base, const char *kind,
    const char *keep1, const char *keep2, struct diags *d)
{
	char prefix[512];
	size_t plen;
	DIR *dp;
	struct dirent *de;
	struct stat st;

	plen = (size_t)snprintf(prefix, sizeof(prefix), ".%s.%s.", base, kind);
	if (plen >= sizeof(prefix) || (dp = open_list(dfd)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (strncmp(de->d_name, prefix, plen) != 0)
			continue;
		if ((keep1 && strcmp(de->d_name, keep1) == 0) ||
		    (keep2 && strcmp(de->d_name, keep2) == 0))
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode))
			publish_remove_generation(dfd, ".", de->d_name, d);
		else
			unlinkat(dfd, de->d_name, 0);
	}
	closedir(dp);
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
	return xstrdup(target);
}

/*
 * The content of file entry e: its data, or what its make() renders into
 * b (emptied first).  NULL if make() failed (out of memory).
 */
static const char *
content(const struct dir_entry *e, struct buf *b, size_t *len)
{
	if (e->make == NULL) {
		*len = e->len;
		return e->data;
	}
	b->len = 0;
	if (e->make(e->arg, b) == -1 || b->failed)
		return NULL;
	*len = b->len;
	return b->p != NULL ? b->p : "";
}

/* 1 if the directory name in dfd (not a link) holds exactly entries e. */
static int
same_dir(int dfd, const char *name, const struct dir_entry *e, size_t n)
{
	DIR *d;
	struct dirent *de;
	struct buf b = { NULL, 0, 0, 0 };
	const char *data;
	size_t count = 0, i, len;
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
		if (e[i].data != NULL || e[i].make != NULL) {
			if ((data = content(&e[i], &b, &len)) == NULL)
				same = 0;
			else
				same = publish_same_content(fd, e[i].name,
				    data, len);
		} else {
			r = readlinkat(fd, e[i].name, target, sizeof(target) - 1);
			same = r > 0 && (size_t)r == strlen(e[i].link) &&
			    memcmp(target, e[i].link, (size_t)r) == 0;
		}
	}
	closedir(d);
	buf_release(&b);
	return same;
}

/*
 * Create a new, empty generation directory of ours in pd->dfd; its name
 * into pd->tmp, a descriptor to it returned.  -1 after a message.
 */
static int
make_generation(struct pending *pd, struct diags *d)
{
	struct stat st;
	char name[256], prefix[256];
	sigset_t mask;
	int tries, made = 0, gfd = -1;

	snprintf(prefix, sizeof(prefix), ".%s.gen.", pd->base);
	publish_signals_hold(&mask);	/* made and listed, or neither */
	for (tries = 0; tries < 100; tries++) {
		publish_tmp_name(name, sizeof(name), prefix);
		if ((made = mkdirat(pd->dfd, name, 0700) == 0) ||
		    errno != EEXIST)
			break;
	}
	if (!made) {
		publish_signals_release(&mask);
		goto fail;
	}
	pd->tmp = xstrdup(name);
	publish_tmp_add(pd->dfd, name, 1);
	publish_signals_release(&mask);
	/*
	 * Someone who can write the directory may have swapped it since:
	 * no link is followed, and what we opened must be what we made.
	 */
	if ((gfd = openat(pd->dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1 || fstat(gfd, &st) == -1 ||
	    st.st_uid != geteuid() || st.st_nlink != 2 ||
	    (st.st_mode & 0777) != 0700) {
		diag_err(d, NULL, 0, "'%s/%s': replaced while trustbuild "
		    "created it; is someone else writing to '%s'?", pd->dir,
		    name, pd->dir);
		if (gfd != -1)
			close(gfd);
		publish_tmp_forget(pd->dfd, name);	/* not ours to remove */
		free(pd->tmp);
		pd->tmp = NULL;
		return -1;
	}
	if (fchmod(gfd, 0755) == -1) {
		diag_err(d, NULL, 0, "'%s/%s': %s", pd->dir, name,
		    strerror(errno));
		close(gfd);
		return -1;
	}
	return gfd;
fail:
	diag_err(d, pd->dir, 0, "cannot create a generation directory: %s",
	    strerror(errno));
	return -1;
}

int
publish_dir_prepare(struct pending *pd, const char *path,
    const struct dir_entry *e, size_t n, struct diags *d)
{
	struct stat st;
	struct buf b = { NULL, 0, 0, 0 };
	const char *data;
	char *prev = NULL, pl[512];
	size_t i, len;
	int gfd = -1, fd;

	if (publish_split(pd, path, d) == -1)
		return -1;
	pd->kind = PENDING_DIR;
	if (publish_open_parent(pd, d) == -1)
		return -1;
	if (fstatat(pd->dfd, pd->base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISDIR(st.st_mode)) {
			DIR *dp = NULL;
			struct dirent *de;
			int entries = 0;

			if ((fd = openat(pd->dfd, pd->base, O_RDONLY |
			    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) != -1 &&
			    (dp = fdopendir(fd)) == NULL)
				close(fd);
			while (dp != NULL && (de = readdir(dp)) != NULL)
				if (strcmp(de->d_name, ".") &&
				    strcmp(de->d_name, ".."))
					entries++;
			if (dp != NULL)
				closedir(dp);
			if (dp == NULL || entries > 0) {
				diag_err(d, path, 0, "is a directory "
				    "trustbuild does not manage; trustbuild "
				    "publishes a CApath as a symbolic link to "
				    "a generation directory: move '%s' away "
				    "or choose another --capath", path);
				return -1;
			}
			pd->empty_dir = 1;
		} else if (!S_ISLNK(st.st_mode)) {
			diag_err(d, path, 0, "exists and is not a directory "
			    "or a symbolic link; move it away");
			return -1;
		} else if ((pd->old = generation_of(pd->dfd, pd->base,
		    pd->base)) == NULL) {
			char target[4096];
			ssize_t tn = readlinkat(pd->dfd, pd->base, target,
			    sizeof(target) - 1);

			target[tn > 0 ? tn : 0] = '\0';
			diag_err(d, path, 0, "is a symbolic link trustbuild "
			    "did not make (to '%s'); remove it or choose "
			    "another --capath", target);
			return -1;
		}
	}
	snprintf(pl, sizeof(pl), ".%s.prev", pd->base);
	prev = generation_of(pd->dfd, pd->base, pl);
	/* leftovers of killed runs: not the live one, not the previous one */
	publish_remove_stale(pd->dfd, pd->base, "gen", pd->old, prev, d);
	publish_remove_stale(pd->dfd, pd->base, "lnk", NULL, NULL, d);
	free(prev);

	if (pd->old != NULL && same_dir(pd->dfd, pd->old, e, n))
		return 0;

	if ((gfd = make_generation(pd, d)) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		if (e[i].data == NULL && e[i].make == NULL) {
			if (symlinkat(e[i].link, gfd, e[i].name) == -1) {
				diag_err(d, NULL, 0, "'%s/%s/%s': %s", pd->dir,
				    pd->tmp, e[i].name, strerror(errno));
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
		if (fd != -1 && (data = content(&e[i], &b, &len)) == NULL) {
			close(fd);
			fd = -1;
			errno = ENOMEM;
		}
		if (fd == -1 || publish_write_all(fd, data, len) == -1) {
			diag_err(d, NULL, 0, "'%s/%s/%s': %s", pd->dir, pd->tmp,
			    e[i].name, strerror(errno));
			if (fd != -1)
				close(fd);
			goto fail;
		}
		publish_write_start(fd);
		if (close(fd) == -1) {
			diag_err(d, NULL, 0, "'%s/%s/%s': %s", pd->dir, pd->tmp,
			    e[i].name, strerror(errno));
			goto fail;
		}
	}
	/* fsync()ed by publish_commit_all(), after every write started */
	close(gfd);
	buf_release(&b);
	pd->changed = 1;
	return 0;
fail:
	buf_release(&b);
	if (gfd != -1)
		close(gfd);
	publish_abort(pd);
	return -1;
}

int
publish_gen_sync(struct pending *pd, struct publish_sync *sl,
    struct diags *d)
{
	struct stat st;
	struct dirent *de;
	char *where;
	DIR *dp;
	int fd;

	if ((fd = openat(pd->dfd, pd->tmp, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1 || fstat(fd, &st) == -1 ||
	    st.st_uid != geteuid() || (dp = open_list(fd)) == NULL) {
		diag_err(d, NULL, 0, "'%s/%s': %s", pd->dir, pd->tmp,
		    fd == -1 ? strerror(errno) : "not the generation "
		    "trustbuild made");
		if (fd != -1)
			close(fd);
		return -1;
	}
	publish_sync_keep_fd(sl, fd);
	where = xasprintf("%s/%s", pd->dir, pd->tmp);
	/* the links are entries of the directory: its own fsync */
	while ((de = readdir(dp)) != NULL)
		if (de->d_type == DT_REG || de->d_type == DT_UNKNOWN)
			publish_sync_add(sl, fd, where, de->d_name);
	closedir(dp);
	publish_sync_add(sl, fd, where, ".");
	free(where);
	return 0;
}

/*
 * A symbolic link to target under a fresh ".BASE.lnk.*" name, listed in
 * publish_tmp.h's registry until renamed or removed.  -1: errno.
 */
static int
make_link(struct pending *pd, const char *target, char *lnk, size_t size)
{
	char prefix[256];
	sigset_t mask;
	int tries, save;

	snprintf(prefix, sizeof(prefix), ".%s.lnk.", pd->base);
	publish_signals_hold(&mask);	/* made and listed, or neither */
	for (tries = 0; tries < 100; tries++) {
		publish_tmp_name(lnk, size, prefix);
		if (symlinkat(target, pd->dfd, lnk) == 0) {
			publish_tmp_add(pd->dfd, lnk, 0);
			publish_signals_release(&mask);
			return 0;
		}
		if (errno != EEXIST)
			break;
	}
	save = errno;
	publish_signals_release(&mask);
	errno = save;
	return -1;
}

/*
 * ".BASE.prev" to the generation before (made as a link temp first):
 * right after the switch, so that a run that dies between leaves at most
 * the live generation and the one before.
 */
static void
set_prev(struct pending *pd, const char *lnk)
{
	char prev[512];

	snprintf(prev, sizeof(prev), ".%s.prev", pd->base);
	if (renameat(pd->dfd, lnk, pd->dfd, prev) == -1)
		unlinkat(pd->dfd, lnk, 0);
	publish_tmp_forget(pd->dfd, lnk);
}

int
publish_gen_commit(struct pending *pd, struct diags *d)
{
	char lnk[256], plnk[256] = "";

	if (make_link(pd, pd->tmp, lnk, sizeof(lnk)) == -1) {
		diag_err(d, pd->dir, 0, "cannot make a link: %s",
		    strerror(errno));
		return -1;
	}
	if (pd->old != NULL && make_link(pd, pd->old, plnk,
	    sizeof(plnk)) == -1)
		plnk[0] = '\0';	/* no .prev this time: not an error */
	if (pd->empty_dir && unlinkat(pd->dfd, pd->base, AT_REMOVEDIR) == -1 &&
	    errno != ENOENT) {
		diag_err(d, pd->path, 0, "%s", strerror(errno));
		goto fail;
	}
	/* live from the rename on: a signal must not remove it any more */
	publish_tmp_forget(pd->dfd, pd->tmp);
	if (renameat(pd->dfd, lnk, pd->dfd, pd->base) == -1) {
		diag_err(d, pd->path, 0, "cannot switch to the new "
		    "generation: %s", strerror(errno));
		goto fail;
	}
	publish_tmp_forget(pd->dfd, lnk);
	if (plnk[0] != '\0')
		set_prev(pd, plnk);
	return 0;
fail:
	unlinkat(pd->dfd, lnk, 0);
	publish_tmp_forget(pd->dfd, lnk);
	if (plnk[0] != '\0') {
		unlinkat(pd->dfd, plnk, 0);
		publish_tmp_forget(pd->dfd, plnk);
	}
	return -1;
}

void
publish_gen_finish(struct pending *pd, struct diags *d)
{
	publish_remove_stale(pd->dfd, pd->base, "gen", pd->tmp, pd->old, d);
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

	if (publish_split(&pd, path, NULL) == -1)
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
