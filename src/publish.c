/*
 * publish.c: atomic, durable publishing, see publish.h: staging a file,
 * and committing every staged output at once.  Generations of a directory
 * are publish_gen.c's, the lock publish_lock.c's, the cleanup when a run
 * dies publish_tmp.c's.
 *
 * Durability costs what our own files cost, never what other processes
 * left dirty on the filesystem (no sync(2), no syncfs(2)): each file we
 * write starts its writeback at once (publish_write_start(),
 * sync_file_range(2) where Linux has it); before any rename, each staged
 * file, each file of a generation and the generation is fsync(2)ed, a few
 * at once (publish_sync.c), and each directory we change is fsync(2)ed
 * before the renames and after them.
 */
#include <sys/stat.h>

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

int
publish_split(struct pending *pd, const char *path, struct diags *d)
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
		diag_err(d, path, 0, "not a name trustbuild can publish to");
		return -1;
	}
	return 0;
}

int
publish_make_parents(const char *path, struct diags *d)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	while (strlen(p) > 1 && p[strlen(p) - 1] == '/')
		p[strlen(p) - 1] = '\0';
	for (s = p + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST) {
			diag_err(d, p, 0, "cannot create the directory for "
			    "'%s': %s", path, strerror(errno));
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
int
publish_open_parent(struct pending *pd, struct diags *d)
{
	if ((pd->dfd = publish_open_dir(pd->dir)) != -1)
		return 0;
	if (errno == ELOOP || errno == ENOTDIR)
		diag_err(d, pd->dir, 0, "not a directory (a symbolic link is "
		    "not followed here); give the directory itself");
	else
		diag_err(d, pd->dir, 0, "%s; create the directory first",
		    strerror(errno));
	return -1;
}

void
publish_release(struct pending *pd)
{
	if (pd->path != NULL && pd->dfd != -1) {
		if (pd->tmp != NULL)	/* its directory closes: unlisted */
			publish_tmp_forget(pd->dfd, pd->tmp);
		close(pd->dfd);
	}
	free(pd->path);
	free(pd->dir);
	free(pd->base);
	free(pd->tmp);
	free(pd->old);
	memset(pd, 0, sizeof(*pd));
	pd->dfd = -1;
}

int
publish_write_all(int fd, const void *p, size_t len)
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

void
publish_write_start(int fd)
{
#ifdef SYNC_FILE_RANGE_WRITE
	/* a hint: writeback starts now, fsync() later only waits for it */
	(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
	(void)fd;
#endif
}

int
publish_fsync_at(int dirfd, const char *name)
{
	int fd, rc, saved;

	/* non-blocking, no link followed: only a regular file of ours */
	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK | O_NOCTTY)) == -1)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/*
 * What a staged file is made of: one buffer, or pieces (publish.h's
 * struct file_pieces) rendered in turn into b, about PIECES_CHUNK bytes
 * at a time.  Read with content_next(), from the start again after
 * content_rewind().
 */
#define PIECES_CHUNK	65536

struct content {
	const char	*p;		/* the buffer (fp NULL) */
	size_t		 len;
	const struct file_pieces *fp;	/* or the pieces */
	const char	*path;		/* what they are rendered for */
	size_t		 next;		/* the next piece; buffer: 1 when read */
	struct buf	 b;
};

static void
content_rewind(struct content *c)
{
	c->next = 0;
}

/*
 * The next bytes of c into *p, *len (valid until the next call): 1, or
 * 0 at the end, or -1 after adding to d when a piece could not be made.
 */
static int
content_next(struct content *c, const char **p, size_t *len,
    struct diags *d)
{
	if (c->fp == NULL) {
		if (c->next++ > 0)
			return 0;
		*p = c->p;
		*len = c->len;
		return 1;
	}
	c->b.len = 0;
	while (c->next < c->fp->n && c->b.len < PIECES_CHUNK) {
		if (c->fp->make(c->fp->arg, c->next++, &c->b, d) == -1 ||
		    c->b.failed) {
			if (c->b.failed)
				diag_err(d, c->path, 0, "out of memory "
				    "rendering it");
			return -1;
		}
	}
	if (c->b.len == 0)
		return 0;
	*p = c->b.p;
	*len = c->b.len;
	return 1;
}

/* 1 if the next len bytes of fd are exactly p, else 0. */
static int
read_same(int fd, const char *p, size_t len)
{
	char chunk[65536];
	size_t want;
	ssize_t r;

	while (len > 0) {
		want = len < sizeof(chunk) ? len : sizeof(chunk);
		if ((r = read(fd, chunk, want)) == -1 && errno == EINTR)
			continue;
		if (r <= 0 || memcmp(p, chunk, (size_t)r) != 0)
			return 0;
		p += r;
		len -= (size_t)r;
	}
	return 1;
}

/*
 * 1 if the file at dirfd/name holds exactly c's bytes, 0 if not or
 * absent (c read as far as the first difference), -1 after adding to d
 * when c could not be made.
 */
static int
same_content(int dirfd, const char *name, struct content *c,
    struct diags *d)
{
	struct stat st;
	const char *p;
	size_t off = 0, len;
	char end;
	ssize_t r;
	int fd, k, same = 0;

	/* non-blocking: a FIFO under the name must not hang the run */
	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK | O_NOCTTY)) == -1)
		return 0;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (c->fp == NULL && (size_t)st.st_size != c->len))
		goto out;
	while ((k = content_next(c, &p, &len, d)) == 1) {
		if (len > (size_t)st.st_size - off || !read_same(fd, p, len))
			goto out;
		off += len;
	}
	if (k == -1) {
		same = -1;
		goto out;
	}
	/* and not a byte more (the file may have grown since fstat) */
	while ((r = read(fd, &end, 1)) == -1 && errno == EINTR)
		;
	same = r == 0 && off == (size_t)st.st_size;
out:
	close(fd);
	return same;
}

/* 1 if the file at dirfd/name holds exactly buf, 0 if not or absent. */
int
publish_same_content(int dirfd, const char *name, const void *buf,
    size_t len)
{
	struct content c;

	memset(&c, 0, sizeof(c));
	c.p = buf;
	c.len = len;
	return same_content(dirfd, name, &c, NULL) == 1;
}

/* c into a new temp file beside it, staged in pd.  -1 after d. */
static int
prepare_at(struct pending *pd, int dirfd, const char *dirname,
    const char *name, struct content *c, mode_t mode, int keep,
    struct diags *d)
{
	struct stat st;
	char tmp[256], prefix[256], *path;
	const char *p;
	size_t len;
	sigset_t mask;
	int fd = -1, tries, k;

	path = xasprintf("%s/%s", dirname, name);
	if (publish_split(pd, path, d) == -1) {
		free(path);
		return -1;
	}
	free(path);
	free(pd->base);
	pd->base = xstrdup(name);
	pd->kind = PENDING_FILE;
	if ((pd->dfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3)) == -1) {
		diag_err(d, dirname, 0, "%s", strerror(errno));
		return -1;
	}
	publish_remove_stale(pd->dfd, pd->base, "tmp", NULL, NULL, d);
	if (fstatat(pd->dfd, pd->base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISDIR(st.st_mode)) {
			diag_err(d, pd->path, 0, "is a directory; the bundle "
			    "must be a file name");
			return -1;
		}
		/* never the mode of a file someone else made, nor setuid */
		if (keep && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
		    st.st_nlink == 1)
			mode = st.st_mode & 0755;
	}
	if ((k = same_content(pd->dfd, pd->base, c, d)) != 0)
		return k == 1 ? 0 : -1;
	content_rewind(c);
	snprintf(prefix, sizeof(prefix), ".%s.tmp.", pd->base);
	publish_signals_hold(&mask);	/* made and listed, or neither */
	for (tries = 0; fd == -1 && tries < 100; tries++) {
		publish_tmp_name(tmp, sizeof(tmp), prefix);
		fd = openat(pd->dfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd == -1 && errno != EEXIST)
			break;
	}
	if (fd == -1) {
		diag_err(d, pd->dir, 0, "cannot create a temporary file: %s",
		    strerror(errno));
		publish_signals_release(&mask);
		return -1;
	}
	pd->tmp = xstrdup(tmp);
	publish_tmp_add(pd->dfd, pd->tmp, 0);
	publish_signals_release(&mask);
	/* fsync()ed with everything staged, by publish_commit_all() */
	if (fchmod(fd, mode) == -1)
		goto fail;
	while ((k = content_next(c, &p, &len, d)) == 1)
		if (publish_write_all(fd, p, len) == -1)
			goto fail;
	if (k == -1) {			/* what make() said is in d */
		close(fd);
		publish_abort(pd);
		return -1;
	}
	publish_write_start(fd);
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	pd->changed = 1;
	return 0;
fail:
	diag_err(d, NULL, 0, "'%s/%s': %s", pd->dir, pd->tmp,
	    strerror(errno));
	if (fd != -1)
		close(fd);
	publish_abort(pd);
	return -1;
}

/* publish_file_prepare*(): c as the file path, mode 0644, kept. */
static int
prepare_path(struct pending *pd, const char *path, struct content *c,
    struct diags *d)
{
	struct pending where;
	int rc;

	if (publish_split(&where, path, d) == -1 ||
	    publish_open_parent(&where, d) == -1) {
		publish_release(&where);
		memset(pd, 0, sizeof(*pd));
		pd->dfd = -1;
		return -1;
	}
	rc = prepare_at(pd, where.dfd, where.dir, where.base, c, 0644, 1, d);
	publish_release(&where);
	return rc;
}

int
publish_file_prepare(struct pending *pd, const char *path, const void *buf,
    size_t len, struct diags *d)
{
	struct content c;

	memset(&c, 0, sizeof(c));
	c.p = buf;
	c.len = len;
	return prepare_path(pd, path, &c, d);
}

int
publish_file_prepare_pieces(struct pending *pd, const char *path,
    const struct file_pieces *fp, struct diags *d)
{
	struct content c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.fp = fp;
	c.path = path;
	rc = prepare_path(pd, path, &c, d);
	buf_release(&c.b);
	return rc;
}

int
publish_file_prepare_at(struct pending *pd, int dirfd, const char *dirname,
    const char *name, const void *buf, size_t len, mode_t mode, int keep,
    struct diags *d)
{
	struct content c;

	memset(&c, 0, sizeof(c));
	c.p = buf;
	c.len = len;
	return prepare_at(pd, dirfd, dirname, name, &c, mode, keep, d);
}

/* Make one staged output live: rename(2), nothing else. */
static int
commit_one(struct pending *pd, struct diags *d)
{
	if (pd->kind == PENDING_DIR)
		return publish_gen_commit(pd, d);
	if (renameat(pd->dfd, pd->tmp, pd->dfd, pd->base) == -1) {
		diag_err(d, pd->path, 0, "cannot replace: %s", strerror(errno));
		return -1;
	}
	publish_tmp_forget(pd->dfd, pd->tmp);
	return 0;
}

/* Run fn once per distinct directory (by device and inode) of the staged. */
static int
each_dir(struct pending *pd, size_t n,
    int (*fn)(int, const char *, struct diags *), struct diags *d)
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
			diag_err(d, pd[i].dir, 0, "%s", strerror(errno));
			return -1;
		}
		for (j = 0; j < nseen; j++)
			if (seen[j].st_dev == st.st_dev &&
			    seen[j].st_ino == st.st_ino)
				dup = 1;
		if (!dup && nseen < 8)
			seen[nseen++] = st;
		if (!dup && fn(pd[i].dfd, pd[i].dir, d) == -1)
			rc = -1;
	}
	return rc;
}

/* The names in a directory we changed: staged ones before the switch. */
static int
sync_dir(int fd, const char *dir, struct diags *d)
{
	if (fsync(fd) == -1) {
		diag_err(d, dir, 0, "fsync: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int
sync_entries(int fd, const char *dir, struct diags *d)
{
	if (fsync(fd) == -1)
		diag_warn(d, dir, 0, "fsync: %s", strerror(errno));
	return 0;
}

int
publish_commit_all(struct pending *pd, size_t n, struct diags *d)
{
	struct publish_sync sl;
	sigset_t mask;
	size_t i;
	int rc = 0, durable = 0;

	/*
	 * Durable before visible: each staged file and generation, then
	 * the directories holding their names, then the renames.
	 */
	memset(&sl, 0, sizeof(sl));
	for (i = 0; i < n && rc == 0; i++) {
		if (!pd[i].changed || pd[i].tmp == NULL)
			continue;
		if (pd[i].cache)
			continue;	/* atomic is all it needs */
		durable = 1;
		if (pd[i].kind == PENDING_DIR)
			rc = publish_gen_sync(&pd[i], &sl, d);
		else
			publish_sync_add(&sl, pd[i].dfd, pd[i].dir, pd[i].tmp);
	}
	if (rc == 0)
		rc = publish_sync_run(&sl, d);
	publish_sync_free(&sl);
	if (rc == -1 || (durable && each_dir(pd, n, sync_dir, d) == -1)) {
		for (i = 0; i < n; i++)
			publish_abort(&pd[i]);
		return -1;
	}
	/*
	 * From the first rename to the removal of what the renames
	 * replaced, a SIGINT or SIGTERM waits: it would leave the outputs
	 * of two sets, or a generation no list names any more.
	 */
	publish_signals_hold(&mask);
	for (i = 0; i < n; i++) {
		if (!pd[i].changed || pd[i].tmp == NULL)
			continue;
		if (commit_one(&pd[i], d) == -1) {
			/* the outputs before stay switched: report, abort rest */
			for (; i < n; i++)
				publish_abort(&pd[i]);
			publish_signals_release(&mask);
			return -1;
		}
	}
	/* the renames themselves: one fsync per directory */
	if (durable)
		each_dir(pd, n, sync_entries, d);
	for (i = 0; i < n; i++) {
		if (!pd[i].changed || pd[i].tmp == NULL)
			continue;
		if (pd[i].kind == PENDING_DIR)
			publish_gen_finish(&pd[i], d);
		free(pd[i].tmp);	/* live now: never to be aborted */
		pd[i].tmp = NULL;
	}
	publish_signals_release(&mask);
	return 0;
}

void
publish_abort(struct pending *pd)
{
	if (pd->tmp == NULL)
		return;
	if (pd->dfd != -1) {
		if (pd->kind == PENDING_DIR)
			publish_remove_generation(pd->dfd, pd->dir, pd->tmp,
			    NULL);
		else
			unlinkat(pd->dfd, pd->tmp, 0);
		publish_tmp_forget(pd->dfd, pd->tmp);
	}
	free(pd->tmp);
	pd->tmp = NULL;
	pd->changed = 0;
}
