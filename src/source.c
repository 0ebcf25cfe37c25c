/*
 * source.c: read certificate sources from disk, see source.h.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "format.h"
#include "source.h"
#include "xalloc.h"

#define SOURCE_HUGE_READ	(1024 * 1024)	/* read_buffer(): huge pages */

/* What a load read, to say why it found nothing. */
struct load {
	int			 want;
	struct certset		*set;
	struct blocklist	*bl;
	struct diags		*d;
	size_t			 files;		/* regular files read */
	size_t			 unknown;	/* in no known format */
	enum source_format	 last;		/* of the last file read */
};

static void
too_big(struct diags *d, const char *path, size_t max)
{
	if (max % (1024 * 1024) == 0)
		diag_add(d, DIAG_ERR, DIAG_LIMIT, path, 0, "larger than %zu "
		    "MiB; refused", max >> 20);
	else if (max % 1024 == 0)
		diag_add(d, DIAG_ERR, DIAG_LIMIT, path, 0, "larger than %zu "
		    "KiB; refused", max >> 10);
	else
		diag_add(d, DIAG_ERR, DIAG_LIMIT, path, 0, "larger than %zu "
		    "bytes; refused", max);
}

/*
 * A buffer for a file of cap - 1 bytes, for free(3).  A big one (Mozilla's
 * certdata.txt is 1.3 MB) is asked to be made of huge pages: read(2)
 * otherwise faults each fresh 4 KiB page in on its own (320 faults were a
 * fifth of `list` of certdata.txt on a virtual machine where a fault costs
 * about 10 us: 3.6 ms to read it, 0.3 ms with huge pages).  This is what
 * glibc's own tunable glibc.malloc.hugetlb=1 does for big allocations.
 * Where the kernel has no transparent huge pages or none is free, the
 * advice is ignored and the buffer is an ordinary one.
 */
static unsigned char *
read_buffer(size_t cap)
{
#ifdef MADV_HUGEPAGE
	const size_t huge = 2 * 1024 * 1024;
	void *p;
	size_t size;

	if (cap >= SOURCE_HUGE_READ) {
		size = (cap + huge - 1) / huge * huge;
		if (posix_memalign(&p, huge, size) == 0) {
			(void)madvise(p, size, MADV_HUGEPAGE);
			return p;
		}
	}
#endif
	return xmalloc(cap);
}

int
source_read_file(const char *path, size_t max, unsigned char **bufp,
    size_t *lenp, struct diags *d)
{
	return source_read_at(AT_FDCWD, path, path, max, 0, NULL, bufp,
	    lenp, d) == 1 ? 0 : -1;
}

int
source_read_at(int dirfd, const char *name, const char *shown, size_t max,
    int flags, struct stat *stp, unsigned char **bufp, size_t *lenp,
    struct diags *d)
{
	struct stat st;
	unsigned char *buf;
	size_t len = 0, cap;
	ssize_t r;
	int fd;

	/* non-blocking: a FIFO or a device must not hang the run */
	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
	    O_NOCTTY | ((flags & SOURCE_NOFOLLOW) ? O_NOFOLLOW : 0))) == -1) {
		if (errno == ENOENT && (flags & SOURCE_ABSENT_OK))
			return 0;
		if (errno == ELOOP && (flags & SOURCE_NOFOLLOW))
			diag_err(d, shown, 0, "a symbolic link, not followed "
			    "here; remove it");
		else
			diag_add(d, DIAG_ERR, errno == ENOENT ? DIAG_ABSENT :
			    DIAG_IO, shown, 0, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		diag_add(d, DIAG_ERR, DIAG_IO, shown, 0, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		diag_err(d, shown, 0, "not a regular file%s",
		    S_ISFIFO(st.st_mode) ? " (a FIFO)" : S_ISSOCK(st.st_mode) ?
		    " (a socket)" : S_ISCHR(st.st_mode) ||
		    S_ISBLK(st.st_mode) ? " (a device)" : "");
		close(fd);
		return -1;
	}
	if (fcntl(fd, F_SETFL, 0) == -1) {
		diag_add(d, DIAG_ERR, DIAG_IO, shown, 0, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	if ((size_t)st.st_size > max) {
		too_big(d, shown, max);
		close(fd);
		return -1;
	}
	cap = (size_t)st.st_size + 1;
	buf = read_buffer(cap);
	for (;;) {
		if (len == cap) {
			/* grown while read: at most a byte past the bound */
			cap = cap > max / 2 ? max + 1 : cap * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		r = read(fd, buf + len, cap - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			diag_add(d, DIAG_ERR, DIAG_IO, shown, 0, "%s",
			    strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > max) {
			too_big(d, shown, max);
			goto fail;
		}
	}
	close(fd);
	if (len == cap)
		buf = xreallocarray(buf, cap + 1, 1);
	buf[len] = '\0';	/* not counted in len: for string-minded readers */
	if (stp != NULL)
		*stp = st;
	*bufp = buf;
	*lenp = len;
	return 1;
fail:
	free(buf);
	close(fd);
	return -1;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load(struct load *, const char *, int);

void
source_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
source_dir_names(const char *path, char ***namesp, size_t *np,
    struct diags *d)
{
	DIR *dir;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if ((dir = opendir(path)) == NULL) {
		diag_add(d, DIAG_ERR, errno == ENOENT ? DIAG_ABSENT : DIAG_IO,
		    path, 0, "%s", strerror(errno));
		return -1;
	}
	errno = 0;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = xreallocarray(names, cap, sizeof(*names));
		}
		names[n++] = xstrdup(de->d_name);
	}
	if (errno != 0) {
		diag_add(d, DIAG_ERR, DIAG_IO, path, 0, "%s", strerror(errno));
		source_names_free(names, n);
		closedir(dir);
		return -1;
	}
	closedir(dir);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	*namesp = names;
	*np = n;
	return 0;
}

static int
load_dir(struct load *l, const char *path, int depth)
{
	char **names, *full;
	size_t n, i;
	int total = 0, r;

	if (depth > SOURCE_MAX_DEPTH) {
		diag_add(l->d, DIAG_ERR, DIAG_LIMIT, path, 0, "more than %d "
		    "directories below the source; refused (give the deeper "
		    "directory as a source of its own)", SOURCE_MAX_DEPTH);
		return -1;
	}
	if (source_dir_names(path, &names, &n, l->d) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		full = xasprintf("%s%s%s", path,
		    path[strlen(path) - 1] == '/' ? "" : "/", names[i]);
		r = load(l, full, depth + 1);
		free(full);
		if (r == -1) {
			total = -1;
			break;
		}
		total += r;
	}
	source_names_free(names, n);
	return total;
}

static int
load(struct load *l, const char *path, int depth)
{
	struct stat st;
	unsigned char *buf;
	size_t len;
	enum source_format f;
	int r;

	if (stat(path, &st) == -1) {
		diag_add(l->d, DIAG_ERR, errno == ENOENT ? DIAG_ABSENT :
		    DIAG_IO, path, 0, "%s", strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		if (depth > 0) {
			struct stat lst;

			if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
				diag_info(l->d, path, 0, "symbolic link to a "
				    "directory; not followed");
				return 0;
			}
		}
		return load_dir(l, path, depth);
	}
	if (!S_ISREG(st.st_mode)) {
		if (depth == 0) {
			diag_err(l->d, path, 0, "not a file or directory");
			return -1;
		}
		diag_warn(l->d, path, 0, "not a regular file; skipped");
		return 0;
	}
	if (source_read_file(path, SOURCE_MAX_FILE, &buf, &len, l->d) == -1)
		return -1;
	l->files++;
	l->last = f = format_detect(buf, len);
	if (f == FORMAT_UNKNOWN)
		l->unknown++;
	if (depth > 0 && f == FORMAT_UNKNOWN) {
		diag_warn(l->d, path, 0, "not a certificate source; skipped");
		free(buf);
		return 0;
	}
	r = format_parse(path, buf, len, l->want, l->set, l->bl, l->d);
	free(buf);
	return r;
}

/*
 * Why a source gave nothing, for "no certificates found (WHY)".  The
 * warnings of the load since entry first (what was skipped) become info
 * entries, shown with -v: the one error says it all; a single file's
 * first warning is the reason.
 */
static const char *
why_nothing(const struct load *l, size_t first, char *buf, size_t size)
{
	const struct diag *w = NULL;
	size_t i;

	for (i = first; l->d != NULL && i < l->d->n; i++)
		if (l->d->v[i].level == DIAG_WARN) {
			if (w == NULL)
				w = &l->d->v[i];
			l->d->v[i].level = DIAG_INFO;
		}
	if (l->files == 0)
		snprintf(buf, size, "no file in it");
	else if (l->files == 1 && l->unknown == 0 && w != NULL && w->line > 0)
		snprintf(buf, size, "read as %s: line %zu: %s",
		    format_name(l->last), w->line, w->msg);
	else if (l->files == 1 && l->unknown == 0 && w != NULL)
		snprintf(buf, size, "read as %s: %s", format_name(l->last),
		    w->msg);
	else if (l->files == 1 && l->unknown == 0)
		snprintf(buf, size, "read as %s: no certificate in it",
		    format_name(l->last));
	else if (l->unknown == l->files)
		snprintf(buf, size, "%zu file%s, none in a format read here: "
		    "%s", l->files, l->files == 1 ? "" : "s", format_names());
	else
		snprintf(buf, size, "%zu files: %zu with no certificate in "
		    "them, %zu in no format read here", l->files,
		    l->files - l->unknown, l->unknown);
	return buf;
}

static int
load_top(const char *path, int want, int dropin, struct certset *set,
    struct blocklist *bl, struct diags *d)
{
	struct load l = { want, set, bl, d, 0, 0, FORMAT_UNKNOWN };
	size_t before = bl->n, first = d != NULL ? d->n : 0;
	struct stat st;
	const char *hash;
	char why[512];
	int n;

	memset(&st, 0, sizeof(st));	/* not a directory unless stat says */
	/* "PATH#GLOB": members of an archive; a real name with '#' wins */
	if (stat(path, &st) == -1 && (hash = strrchr(path, '#')) != NULL) {
		char *file = xstrndup(path, (size_t)(hash - path));
		unsigned char *buf;
		size_t len;

		if (hash[1] == '\0') {
			diag_err(d, path, 0, "empty member selector after '#'");
			n = -1;
		} else if (source_read_file(file, SOURCE_MAX_FILE, &buf,
		    &len, d) == -1)
			n = -1;
		else {
			n = format_parse_members(file, buf, len, hash + 1,
			    want, set, bl, d);
			free(buf);
			l.files = 1;
			l.last = FORMAT_ARCHIVE;
		}
		free(file);
		if (n == -1)
			return -1;
	} else if ((n = load(&l, path, 0)) == -1)
		return -1;
	if (n == 0 && bl->n == before && dropin && S_ISDIR(st.st_mode)) {
		diag_info(d, path, 0, "no certificate in this directory (%s); "
		    "nothing added from it", l.files == 0 ? "no file in it" :
		    "every file skipped");
		return 0;
	}
	if (n == 0 && bl->n == before) {
		why_nothing(&l, first, why, sizeof(why));
		diag_err(d, path, 0, "no certificates found (%s)", why);
		return -1;
	}
	return n;
}

int
source_load(const char *path, int want, struct certset *set,
    struct blocklist *bl, struct diags *d)
{
	return load_top(path, want, 0, set, bl, d);
}

int
source_load_dropin(const char *path, int want, struct certset *set,
    struct blocklist *bl, struct diags *d)
{
	return load_top(path, want, 1, set, bl, d);
}
