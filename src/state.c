/*
 * state.c: the state directory of "update", see state.h.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cert.h"
#include "config.h"
#include "diag.h"
#include "publish.h"
#include "record.h"
#include "source.h"
#include "state.h"

#define META_MAX	(16 * 1024)
#define RECORD_MAX	(16 * 1024 * 1024)

void
state_sha256_hex(const void *buf, size_t len, char out[65])
{
	unsigned char d[32];

	EVP_Digest(buf, len, d, NULL, EVP_sha256(), NULL);
	cert_hex(d, 32, out, 0);
}

void
state_meta_release(struct state_meta *m)
{
	if (m == NULL)
		return;
	free(m->url);
	free(m->etag);
	free(m->last_modified);
	free(m->sha256_url);
	memset(m, 0, sizeof(*m));
}

/*
 * Open the state directory (O_DIRECTORY|O_NOFOLLOW), with create made
 * first (0700).  As root it must be root's and writable by no one else.
 * -1 after a message; with create 0, -1 and errno ENOENT silently when it
 * does not exist.
 */
static int
state_open(const char *state, int create, struct diags *d)
{
	struct stat st;
	int fd;

	if (create && mkdir(state, 0700) == -1 && errno == ENOENT) {
		if (publish_make_parents(state, d) == -1)
			return -1;
		if (mkdir(state, 0700) == -1 && errno != EEXIST) {
			diag_err(d, NULL, 0, "'%s': cannot create the state "
			    "directory: %s", state, strerror(errno));
			return -1;
		}
	}
	if ((fd = publish_open_dir(state)) == -1) {
		if (errno == ENOENT && !create)
			return -1;
		if (errno == ELOOP || errno == ENOTDIR)
			diag_err(d, NULL, 0, "'%s': the state directory is "
			    "not a directory (a symbolic link is not "
			    "followed); give the directory itself", state);
		else
			diag_err(d, NULL, 0, "'%s': cannot open the state "
			    "directory: %s", state, strerror(errno));
		errno = EINVAL;
		return -1;
	}
	if (fstat(fd, &st) == -1 ||
	    config_owner_ok(state, &st, "state directory", d) == -1) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

/*
 * The directory of file below the state directory sfd: sfd itself, or its
 * one subdirectory ("cache/x", "probes/NAME.pem"), made 0700 with create.
 * *name gets the last component.  -1 after a message, or silently with
 * errno ENOENT when it is absent and create is 0.
 */
static int
state_subdir(int sfd, const char *state, const char *file, int create,
    const char **name, struct diags *d)
{
	const char *slash = strchr(file, '/');
	char sub[256];
	int fd;

	*name = slash ? slash + 1 : file;
	if (**name == '\0' || strchr(*name, '/') != NULL ||
	    strcmp(*name, "..") == 0 || strcmp(*name, ".") == 0 ||
	    (slash && ((size_t)(slash - file) >= sizeof(sub) ||
	    slash == file))) {
		diag_err(d, NULL, 0, "'%s/%s': not a name for a state file",
		    state, file);
		errno = EINVAL;
		return -1;
	}
	if (slash == NULL)
		return fcntl(sfd, F_DUPFD_CLOEXEC, 3);
	memcpy(sub, file, (size_t)(slash - file));
	sub[slash - file] = '\0';
	if (strcmp(sub, "..") == 0 || strcmp(sub, ".") == 0) {
		diag_err(d, NULL, 0, "'%s/%s': not a name for a state file",
		    state, file);
		errno = EINVAL;
		return -1;
	}
	if (create && mkdirat(sfd, sub, 0700) == -1 && errno != EEXIST) {
		diag_err(d, NULL, 0, "'%s/%s': %s", state, sub,
		    strerror(errno));
		return -1;
	}
	if ((fd = openat(sfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		if (errno == ENOENT && !create)
			return -1;
		diag_err(d, NULL, 0, "'%s/%s': %s%s", state, sub,
		    strerror(errno), errno == ELOOP || errno == ENOTDIR ?
		    " (a symbolic link is not followed); remove it" : "");
		errno = EINVAL;
		return -1;
	}
	return fd;
}

int
state_lock(const char *state, unsigned wait_s, struct diags *d)
{
	struct stat st;
	char path[4096], pid[32];
	int fd, sfd, n;

	if ((sfd = state_open(state, 1, d)) == -1)
		return -1;
	if (mkdirat(sfd, "cache", 0700) == -1 && errno != EEXIST) {
		diag_err(d, NULL, 0, "'%s/cache': cannot create it: %s", state,
		    strerror(errno));
		close(sfd);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/lock", state);
	/* never through a link; 0600: no other user can open it to hold it */
	fd = openat(sfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC, 0600);
	close(sfd);
	if (fd == -1) {
		if (errno == ELOOP)
			diag_err(d, NULL, 0, "'%s': a symbolic link; "
			    "trustbuild does not follow it: remove it", path);
		else
			diag_err(d, NULL, 0, "'%s': %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid()) {
		diag_err(d, NULL, 0, "'%s': not a regular file of uid %ld; "
		    "remove it", path, (long)geteuid());
		close(fd);
		return -1;
	}
	if ((st.st_mode & 07777) != 0600 && fchmod(fd, 0600) == -1) {
		diag_err(d, NULL, 0, "'%s': %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK)
		diag_info(d, NULL, 0, "'%s': another update runs; waiting up "
		    "to %u s", path, wait_s);
	if (publish_lock_wait(fd, wait_s) == -1) {
		if (errno != EWOULDBLOCK)
			diag_err(d, NULL, 0, "'%s': cannot lock: %s", path,
			    strerror(errno));
		else {
			n = (int)pread(fd, pid, sizeof(pid) - 1, 0);
			pid[n > 0 ? n : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			diag_err(d, NULL, 0, "another 'trustbuild update' "
			    "(pid %s) holds '%s'; waited %u s (lock-wait); "
			    "try again later", pid[0] ? pid : "unknown", path,
			    wait_s);
		}
		close(fd);
		return -1;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, pid, (size_t)n, 0) != n)
		diag_warn(d, NULL, 0, "'%s': cannot record the pid: %s", path,
		    strerror(errno));
	return fd;
}

/*
 * The directory of STATE/file, opened (state_open, then state_subdir), and
 * the last component in *name.  -1 after a message, or silently with errno
 * ENOENT when it is absent and create is 0.
 */
static int
file_dir(const char *state, const char *file, int create, const char **name,
    struct diags *d)
{
	int sfd, dfd;

	if ((sfd = state_open(state, create, d)) == -1)
		return -1;
	dfd = state_subdir(sfd, state, file, create, name, d);
	close(sfd);
	return dfd;
}

/* Read STATE/file (at most max bytes): 1, 0 when absent, -1 after a message. */
static int
read_at_most(const char *state, const char *file, size_t max,
    unsigned char **bufp, size_t *lenp, struct diags *d)
{
	char shown[4096];
	const char *name;
	int dfd, r;

	if ((dfd = file_dir(state, file, 0, &name, d)) == -1)
		return errno == ENOENT ? 0 : -1;
	snprintf(shown, sizeof(shown), "%s/%s", state, file);
	r = source_read_at(dfd, name, shown, max, SOURCE_ABSENT_OK |
	    SOURCE_NOFOLLOW, NULL, bufp, lenp, d);
	close(dfd);
	return r;
}

int
state_read(const char *state, const char *file, char **bufp, struct diags *d)
{
	unsigned char *buf;
	size_t len;
	int r;

	if ((r = read_at_most(state, file, RECORD_MAX, &buf, &len, d)) == 1)
		*bufp = (char *)buf;
	return r;
}

int
state_write(const char *state, const char *file, const char *buf, size_t len,
    struct diags *d)
{
	struct pending pd;
	char dir[4096];
	const char *name;
	int dfd, rc;

	if ((dfd = file_dir(state, file, 1, &name, d)) == -1)
		return -1;
	snprintf(dir, sizeof(dir), "%s%s%.*s", state, name != file ? "/" : "",
	    (int)(name != file ? name - file - 1 : 0), file);
	rc = publish_file_prepare_at(&pd, dfd, dir, name, buf, len, 0600, 0,
	    d);
	close(dfd);
	if (rc == 0)
		rc = publish_commit_all(&pd, 1, d);
	publish_abort(&pd);
	publish_release(&pd);
	return rc;
}

int
state_remove(const char *state, const char *file, struct diags *d)
{
	const char *name;
	int dfd, rc = 0;

	if ((dfd = file_dir(state, file, 0, &name, d)) == -1)
		return errno == ENOENT ? 0 : -1;
	if (unlinkat(dfd, name, 0) == -1 && errno != ENOENT) {
		diag_err(d, NULL, 0, "'%s/%s': %s", state, file,
		    strerror(errno));
		rc = -1;
	}
	close(dfd);
	return rc;
}

/* Parse "key value" lines of a .meta file into m.  -1 if malformed. */
static int
meta_parse(char *buf, struct state_meta *m)
{
	char *line, *save = NULL;

	memset(m, 0, sizeof(*m));
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(line, ' ');

		if (v == NULL)
			goto bad;
		*v++ = '\0';
		if (strcmp(line, "url") == 0 && m->url == NULL)
			m->url = strdup(v);
		else if (strcmp(line, "etag") == 0 && m->etag == NULL)
			m->etag = strdup(v);
		else if (strcmp(line, "last-modified") == 0 &&
		    m->last_modified == NULL)
			m->last_modified = strdup(v);
		else if (strcmp(line, "sha256") == 0 && strlen(v) == 64)
			memcpy(m->sha256, v, 65);
		else if (strcmp(line, "fetched") == 0)
			m->fetched = (time_t)strtoll(v, NULL, 10);
		else if (strcmp(line, "changed") == 0)
			m->changed = (time_t)strtoll(v, NULL, 10);
		else if (strcmp(line, "pin") == 0 && strlen(v) == 64)
			memcpy(m->pin, v, 65);
		else if (strcmp(line, "sha256-url") == 0 &&
		    m->sha256_url == NULL)
			m->sha256_url = strdup(v);
		else if (strcmp(line, "vouched") == 0 && strlen(v) == 64)
			memcpy(m->vouched, v, 65);
		else
			goto bad;
	}
	if (m->url == NULL || m->sha256[0] == '\0')
		goto bad;
	if (m->changed == 0)	/* a record of before stale-after */
		m->changed = m->fetched;
	return 0;
bad:
	state_meta_release(m);
	return -1;
}

int
state_cache_get(const char *state, const char *name, const char *url,
    struct state_meta *m, unsigned char **data, size_t *len, struct diags *d)
{
	char path[4096], *meta = NULL, hex[65];
	unsigned char *buf = NULL;
	size_t n;
	int r;

	snprintf(path, sizeof(path), "cache/%s.meta", name);
	if ((r = state_read(state, path, &meta, d)) <= 0)
		return r;
	if (meta_parse(meta, m) == -1) {
		diag_info(d, NULL, 0, "'%s/%s': damaged; fetching anew", state,
		    path);
		free(meta);
		return 0;
	}
	free(meta);
	if (url != NULL && strcmp(m->url, url) != 0) {
		diag_info(d, NULL, 0, "'%s/%s': cached from '%s', not '%s'; "
		    "fetching anew", state, path, m->url, url);
		state_meta_release(m);
		return 0;
	}
	snprintf(path, sizeof(path), "cache/%s", name);
	if (read_at_most(state, path, SOURCE_MAX_FILE, &buf, &n, d) != 1) {
		snprintf(path, sizeof(path), "%s/cache/%s", state, name);
		diag_info(d, NULL, 0, "'%s': the cached copy is missing; "
		    "fetching anew", path);
		state_meta_release(m);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/cache/%s", state, name);
	state_sha256_hex(buf, n, hex);
	if (strcmp(hex, m->sha256) != 0) {
		diag_info(d, NULL, 0, "'%s': does not match its .meta; "
		    "fetching anew", path);
		free(buf);
		state_meta_release(m);
		return 0;
	}
	*data = buf;
	*len = n;
	return 1;
}

/* A header value fit for a one-line record. */
static int
clean(const char *v)
{
	return v == NULL || (strlen(v) < 1024 && strpbrk(v, "\r\n") == NULL);
}

int
state_cache_put(const char *state, const char *name, struct state_meta *m,
    const unsigned char *data, size_t len, struct diags *d)
{
	char path[4096], meta[META_MAX];
	int n;

	state_sha256_hex(data, len, m->sha256);
	snprintf(path, sizeof(path), "cache/%s", name);
	if (state_write(state, path, (const char *)data, len, d) == -1)
		return -1;
	n = snprintf(meta, sizeof(meta), "url %s\n%s%s%s%s%s%ssha256 %s\n"
	    "fetched %lld\nchanged %lld\n", m->url,
	    m->etag && clean(m->etag) ? "etag " : "",
	    m->etag && clean(m->etag) ? m->etag : "",
	    m->etag && clean(m->etag) ? "\n" : "",
	    m->last_modified && clean(m->last_modified) ?
	    "last-modified " : "",
	    m->last_modified && clean(m->last_modified) ?
	    m->last_modified : "",
	    m->last_modified && clean(m->last_modified) ? "\n" : "",
	    m->sha256, (long long)m->fetched,
	    (long long)(m->changed ? m->changed : m->fetched));
	if (n > 0 && (size_t)n < sizeof(meta) && m->pin[0] != '\0')
		n += snprintf(meta + n, sizeof(meta) - (size_t)n, "pin %s\n",
		    m->pin);
	if (n > 0 && (size_t)n < sizeof(meta) && m->sha256_url != NULL &&
	    clean(m->sha256_url))
		n += snprintf(meta + n, sizeof(meta) - (size_t)n,
		    "sha256-url %s\nvouched %s\n", m->sha256_url, m->vouched);
	if (n < 0 || (size_t)n >= sizeof(meta)) {
		diag_err(d, NULL, 0, "'%s/%s': the cache record is too long",
		    state, path);
		return -1;
	}
	snprintf(path, sizeof(path), "cache/%s.meta", name);
	return state_write(state, path, meta, (size_t)n, d);
}

int
state_sha256_fd(int fd, char out[65])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char buf[65536], dg[32];
	ssize_t n;
	int rc = -1;

	if (md == NULL || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		goto out;
	for (;;) {
		if ((n = read(fd, buf, sizeof(buf))) == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto out;
		if (n == 0)
			break;
		if (!EVP_DigestUpdate(md, buf, (size_t)n))
			goto out;
	}
	if (!EVP_DigestFinal_ex(md, dg, NULL))
		goto out;
	cert_hex(dg, 32, out, 0);
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

int
state_sha256_file(const char *path, char out[65], struct diags *d)
{
	struct stat st;
	int fd, rc = -1;

	/* non-blocking: a FIFO put there must not hang the run */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
	    O_NOCTTY)) == -1) {
		diag_err(d, path, 0, "cannot read: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1)
		diag_err(d, path, 0, "cannot read: %s", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		diag_err(d, path, 0, "not a regular file");
	else if (state_sha256_fd(fd, out) == -1)
		diag_err(d, path, 0, "cannot read: %s", strerror(errno));
	else
		rc = 0;
	close(fd);
	return rc;
}

int
state_published_id(const char *bundle, const char *capath, char *out,
    size_t size, struct diags *d)
{
	char bsum[65] = "-", target[4096] = "-";
	ssize_t n;

	if (bundle != NULL && access(bundle, F_OK) == 0 &&
	    state_sha256_file(bundle, bsum, d) == -1)
		return -1;
	if (capath != NULL &&
	    (n = readlink(capath, target, sizeof(target) - 1)) > 0)
		target[n] = '\0';
	snprintf(out, size, "bundle %s\ncapath %s\n", bsum, target);
	return 0;
}

int
state_last_run_read(const char *state, struct state_run *r, struct diags *d)
{
	char *rec = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	if (state_read(state, STATE_LAST_RUN, &rec, d) != 1)
		return 0;
	rc = record_parse(rec, r) == 0;	/* the format is record.h's */
	free(rec);
	return rc;
}

int
state_last_run_write(const char *state, const struct state_run *r,
    struct diags *d)
{
	char buf[sizeof(r->published) + 256];
	int n;

	if ((n = record_format(r, buf, sizeof(buf))) == -1) {
		diag_err(d, NULL, 0, "'%s/" STATE_LAST_RUN "': the record is "
		    "too long", state);
		return -1;
	}
	return state_write(state, STATE_LAST_RUN, buf, (size_t)n, d);
}
