/*
 * source.c: read certificate sources from disk, see source.h.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ccadb.h"
#include "certdata.h"
#include "der.h"
#include "log.h"
#include "pem.h"
#include "source.h"
#include "unpack.h"

enum source_format
source_detect(const unsigned char *buf, size_t len)
{
	/* first: an uncompressed tar of PEM files also holds "-----BEGIN" */
	if (unpack_detect(buf, len))
		return FORMAT_ARCHIVE;
	if (certdata_detect((const char *)buf, len))
		return FORMAT_CERTDATA;
	/* before PEM: its PEM column holds "-----BEGIN" */
	if (ccadb_detect((const char *)buf, len))
		return FORMAT_CCADB;
	if (pem_detect((const char *)buf, len))
		return FORMAT_PEM;
	if (der_detect(buf, len))
		return FORMAT_DER;
	return FORMAT_UNKNOWN;
}

const char *
source_format_name(enum source_format f)
{
	switch (f) {
	case FORMAT_CERTDATA:
		return "certdata.txt";
	case FORMAT_PEM:
		return "PEM";
	case FORMAT_DER:
		return "DER";
	case FORMAT_ARCHIVE:
		return "archive";
	case FORMAT_CCADB:
		return "CCADB CSV";
	default:
		return "unknown";
	}
}

struct member_ctx {
	int			 want;
	struct certset		*set;
	struct blocklist	*bl;
};

static int parse_as(const char *, const unsigned char *, size_t,
    enum source_format, const char *, int, struct certset *,
    struct blocklist *);

/* One member of an archive: a certificate source, or skipped. */
static int
member(void *arg, const char *name, const unsigned char *buf, size_t len)
{
	struct member_ctx *m = arg;
	enum source_format f = source_detect(buf, len);
	size_t before = m->bl->n;
	int n;

	if (f == FORMAT_UNKNOWN) {
		log_info("'%s': not a certificate source; skipped", name);
		return 0;
	}
	if ((n = parse_as(name, buf, len, f, NULL, m->want, m->set,
	    m->bl)) > 0 || m->bl->n > before)
		log_info("'%s': %d certificate%s", name, n, n == 1 ? "" : "s");
	return n;
}

/* buf, already detected as f; glob selects archive members. */
static int
parse_as(const char *name, const unsigned char *buf, size_t len,
    enum source_format f, const char *glob, int want, struct certset *set,
    struct blocklist *bl)
{
	struct member_ctx m = { want, set, bl };
	struct unpack u;
	int n;

	if (glob != NULL && f != FORMAT_ARCHIVE) {
		log_err("'%s#%s': a member selector needs an archive, and "
		    "'%s' is %s", name, glob, name, f == FORMAT_UNKNOWN ?
		    "no certificate source" : source_format_name(f));
		return -1;
	}
	switch (f) {
	case FORMAT_ARCHIVE:
		memset(&u, 0, sizeof(u));
		u.glob = glob;
		u.fn = member;
		u.arg = &m;
		if ((n = unpack_walk(&u, name, buf, len)) == -1)
			return -1;
		if (glob != NULL && u.matched == 0) {
			log_err("'%s': no member matches '%s'", name, glob);
			return -1;
		}
		return n;
	case FORMAT_CERTDATA:
		return certdata_parse(name, (const char *)buf, len, want, set,
		    bl);
	case FORMAT_PEM:
		return pem_parse(name, (const char *)buf, len, set);
	case FORMAT_DER:
		return der_parse(name, buf, len, set);
	case FORMAT_CCADB:
		return ccadb_parse(name, (const char *)buf, len, set);
	default:
		log_err("'%s': no certificates found; is it a certdata.txt, "
		    "PEM, DER or PKCS#7 file, or an archive of them?", name);
		return -1;
	}
}

int
source_parse_members(const char *name, const unsigned char *buf,
    size_t len, const char *glob, int want, struct certset *set,
    struct blocklist *bl)
{
	return parse_as(name, buf, len, source_detect(buf, len), glob, want,
	    set, bl);
}

int
source_parse(const char *name, const unsigned char *buf, size_t len,
    int want, struct certset *set, struct blocklist *bl)
{
	return parse_as(name, buf, len, source_detect(buf, len), NULL, want,
	    set, bl);
}

static void
too_big(const char *path, size_t max)
{
	if (max % (1024 * 1024) == 0)
		log_err("'%s': larger than %zu MiB; refused", path, max >> 20);
	else if (max % 1024 == 0)
		log_err("'%s': larger than %zu KiB; refused", path, max >> 10);
	else
		log_err("'%s': larger than %zu bytes; refused", path, max);
}

int
source_read_file(const char *path, size_t max, unsigned char **bufp,
    size_t *lenp)
{
	return source_read_at(AT_FDCWD, path, path, max, 0, NULL, bufp,
	    lenp) == 1 ? 0 : -1;
}

int
source_read_at(int dirfd, const char *name, const char *shown, size_t max,
    int flags, struct stat *stp, unsigned char **bufp, size_t *lenp)
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
			log_err("'%s': a symbolic link, not followed here; "
			    "remove it", shown);
		else
			log_err("'%s': %s", shown, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		log_err("'%s': %s", shown, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		log_err("'%s': not a regular file%s", shown,
		    S_ISFIFO(st.st_mode) ? " (a FIFO)" : S_ISSOCK(st.st_mode) ?
		    " (a socket)" : S_ISCHR(st.st_mode) ||
		    S_ISBLK(st.st_mode) ? " (a device)" : "");
		close(fd);
		return -1;
	}
	if (fcntl(fd, F_SETFL, 0) == -1) {
		log_err("'%s': %s", shown, strerror(errno));
		close(fd);
		return -1;
	}
	if ((size_t)st.st_size > max) {
		too_big(shown, max);
		close(fd);
		return -1;
	}
	cap = (size_t)st.st_size + 1;
	if ((buf = malloc(cap)) == NULL) {
		log_err("'%s': out of memory", shown);
		close(fd);
		return -1;
	}
	for (;;) {
		if (len == cap) {
			/* grown while read: at most a byte past the bound */
			size_t nc = cap > max / 2 ? max + 1 : cap * 2;
			unsigned char *nb;

			if ((nb = realloc(buf, nc)) == NULL) {
				log_err("'%s': out of memory", shown);
				goto fail;
			}
			buf = nb;
			cap = nc;
		}
		r = read(fd, buf + len, cap - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			log_err("'%s': %s", shown, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > max) {
			too_big(shown, max);
			goto fail;
		}
	}
	close(fd);
	if (len == cap) {
		unsigned char *nb;

		if ((nb = realloc(buf, cap + 1)) == NULL) {
			log_err("'%s': out of memory", shown);
			free(buf);
			return -1;
		}
		buf = nb;
	}
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

static int load(const char *, int, struct certset *, struct blocklist *,
    int);

void
source_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
source_dir_names(const char *path, char ***namesp, size_t *np)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if ((d = opendir(path)) == NULL) {
		log_err("'%s': %s", path, strerror(errno));
		return -1;
	}
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			char **nn = reallocarray(names, nc, sizeof(*nn));

			if (nn == NULL)
				goto nomem;
			names = nn;
			cap = nc;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto nomem;
		n++;
	}
	if (errno != 0) {
		log_err("'%s': %s", path, strerror(errno));
		goto fail;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	*namesp = names;
	*np = n;
	return 0;
nomem:
	log_err("'%s': out of memory", path);
fail:
	source_names_free(names, n);
	closedir(d);
	return -1;
}

static int
load_dir(const char *path, int want, struct certset *set,
    struct blocklist *bl, int depth)
{
	char **names, *full;
	size_t n, i;
	int total = 0, r;

	if (depth > SOURCE_MAX_DEPTH) {
		log_err("'%s': more than %d directories below the source; "
		    "refused (give the deeper directory as a source of its "
		    "own)", path, SOURCE_MAX_DEPTH);
		return -1;
	}
	if (source_dir_names(path, &names, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (asprintf(&full, "%s%s%s", path,
		    path[strlen(path) - 1] == '/' ? "" : "/", names[i]) == -1) {
			log_err("'%s': out of memory", path);
			total = -1;
			break;
		}
		r = load(full, want, set, bl, depth + 1);
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
load(const char *path, int want, struct certset *set, struct blocklist *bl,
    int depth)
{
	struct stat st;
	unsigned char *buf;
	size_t len;
	enum source_format f;
	int r;

	if (stat(path, &st) == -1) {
		log_err("'%s': %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		if (depth > 0) {
			struct stat lst;

			if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
				log_info("'%s': symbolic link to a directory; "
				    "not followed", path);
				return 0;
			}
		}
		return load_dir(path, want, set, bl, depth);
	}
	if (!S_ISREG(st.st_mode)) {
		if (depth == 0) {
			log_err("'%s': not a file or directory", path);
			return -1;
		}
		log_warn("'%s': not a regular file; skipped", path);
		return 0;
	}
	if (source_read_file(path, SOURCE_MAX_FILE, &buf, &len) == -1)
		return -1;
	f = source_detect(buf, len);
	if (depth > 0 && f == FORMAT_UNKNOWN) {
		log_warn("'%s': not a certificate source; skipped", path);
		free(buf);
		return 0;
	}
	r = parse_as(path, buf, len, f, NULL, want, set, bl);
	free(buf);
	return r;
}

int
source_load(const char *path, int want, struct certset *set,
    struct blocklist *bl)
{
	size_t before = bl->n;
	int n;

	struct stat st;
	const char *hash;

	/* "PATH#GLOB": members of an archive; a real name with '#' wins */
	if (stat(path, &st) == -1 && (hash = strrchr(path, '#')) != NULL) {
		char *file = strndup(path, (size_t)(hash - path));
		unsigned char *buf;
		size_t len;

		if (file == NULL) {
			log_err("out of memory");
			return -1;
		}
		if (hash[1] == '\0') {
			log_err("'%s': empty member selector after '#'", path);
			n = -1;
		} else if (source_read_file(file, SOURCE_MAX_FILE, &buf,
		    &len) == -1)
			n = -1;
		else {
			n = source_parse_members(file, buf, len, hash + 1,
			    want, set, bl);
			free(buf);
		}
		free(file);
		if (n == -1)
			return -1;
	} else if ((n = load(path, want, set, bl, 0)) == -1)
		return -1;
	if (n == 0 && bl->n == before) {
		log_err("'%s': no certificates found; is it a certdata.txt, "
		    "PEM, DER or PKCS#7 file, or an archive of them?", path);
		return -1;
	}
	return n;
}
