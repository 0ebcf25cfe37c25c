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
#include "log.h"
#include "publish.h"
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

/* mkdir -p for one level below an existing parent, or the path itself. */
static int
make_dir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0755) == 0)
		return 0;
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (errno == ENOENT) {
		char *p = strdup(path), *slash;
		int rc = -1;

		if (p == NULL)
			return -1;
		if ((slash = strrchr(p, '/')) != NULL && slash != p) {
			*slash = '\0';
			if (make_dir(p) == 0 && mkdir(path, 0755) == 0)
				rc = 0;
		}
		free(p);
		if (rc == 0 || errno == EEXIST)
			return 0;
	}
	return -1;
}

int
state_lock(const char *state, unsigned wait_s)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	char path[4096], pid[32];
	unsigned tries;
	int fd, n;

	snprintf(path, sizeof(path), "%s/sources", state);
	if (make_dir(path) == 0)
		snprintf(path, sizeof(path), "%s/cache", state);
	if (make_dir(path) == -1) {
		log_err("'%s': cannot create the state directory: %s", path,
		    strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/lock", state);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1) {
		log_err("'%s': %s", path, strerror(errno));
		return -1;
	}
	for (tries = 0; flock(fd, LOCK_EX | LOCK_NB) == -1; tries++) {
		if (errno != EWOULDBLOCK) {
			log_err("'%s': cannot lock: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (tries == 0)
			log_info("'%s': another update runs; waiting up to "
			    "%u s", path, wait_s);
		if (tries >= wait_s * 10) {
			n = (int)pread(fd, pid, sizeof(pid) - 1, 0);
			pid[n > 0 ? n : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			log_err("another 'trustbuild update' (pid %s) holds "
			    "'%s'; waited %u s (lock-wait); try again later",
			    pid[0] ? pid : "unknown", path, wait_s);
			close(fd);
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, pid, (size_t)n, 0) != n)
		log_warn("'%s': cannot record the pid: %s", path,
		    strerror(errno));
	return fd;
}

static int
write_atomic(const char *path, const void *buf, size_t len)
{
	struct pending pd;
	int rc;

	if (publish_file_prepare(&pd, path, buf, len) == -1)
		return -1;
	rc = publish_commit_all(&pd, 1);
	publish_abort(&pd);
	publish_release(&pd);
	return rc;
}

int
state_read(const char *state, const char *file, char **bufp)
{
	char path[4096];
	unsigned char *buf;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", state, file);
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 0;
	if (source_read_file(path, RECORD_MAX, &buf, &len) == -1)
		return -1;
	*bufp = (char *)buf;
	return 1;
}

int
state_write(const char *state, const char *file, const char *buf, size_t len)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", state, file);
	return write_atomic(path, buf, len);
}

int
state_remove(const char *state, const char *file)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", state, file);
	if (unlink(path) == -1 && errno != ENOENT) {
		log_err("'%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
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
	return 0;
bad:
	state_meta_release(m);
	return -1;
}

int
state_cache_get(const char *state, const char *name, const char *url,
    struct state_meta *m, unsigned char **data, size_t *len)
{
	char path[4096], *meta = NULL, hex[65];
	unsigned char *buf = NULL;
	size_t n;
	int r;

	snprintf(path, sizeof(path), "cache/%s.meta", name);
	if ((r = state_read(state, path, &meta)) <= 0)
		return r;
	if (meta_parse(meta, m) == -1) {
		log_info("'%s/%s': damaged; fetching anew", state, path);
		free(meta);
		return 0;
	}
	free(meta);
	if (strcmp(m->url, url) != 0) {
		log_info("'%s/%s': cached from '%s', not '%s'; fetching anew",
		    state, path, m->url, url);
		state_meta_release(m);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/cache/%s", state, name);
	if (access(path, F_OK) != 0 ||
	    source_read_file(path, SOURCE_MAX_FILE, &buf, &n) == -1) {
		log_info("'%s': the cached copy is missing; fetching anew",
		    path);
		state_meta_release(m);
		return 0;
	}
	state_sha256_hex(buf, n, hex);
	if (strcmp(hex, m->sha256) != 0) {
		log_info("'%s': does not match its .meta; fetching anew", path);
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
    const unsigned char *data, size_t len)
{
	char path[4096], meta[META_MAX];
	int n;

	state_sha256_hex(data, len, m->sha256);
	snprintf(path, sizeof(path), "%s/cache/%s", state, name);
	if (write_atomic(path, data, len) == -1)
		return -1;
	n = snprintf(meta, sizeof(meta), "url %s\n%s%s%s%s%s%ssha256 %s\n"
	    "fetched %lld\n", m->url,
	    m->etag && clean(m->etag) ? "etag " : "",
	    m->etag && clean(m->etag) ? m->etag : "",
	    m->etag && clean(m->etag) ? "\n" : "",
	    m->last_modified && clean(m->last_modified) ?
	    "last-modified " : "",
	    m->last_modified && clean(m->last_modified) ?
	    m->last_modified : "",
	    m->last_modified && clean(m->last_modified) ? "\n" : "",
	    m->sha256, (long long)m->fetched);
	if (n > 0 && (size_t)n < sizeof(meta) && m->pin[0] != '\0')
		n += snprintf(meta + n, sizeof(meta) - (size_t)n, "pin %s\n",
		    m->pin);
	if (n > 0 && (size_t)n < sizeof(meta) && m->sha256_url != NULL &&
	    clean(m->sha256_url))
		n += snprintf(meta + n, sizeof(meta) - (size_t)n,
		    "sha256-url %s\nvouched %s\n", m->sha256_url, m->vouched);
	if (n < 0 || (size_t)n >= sizeof(meta)) {
		log_err("'%s': the cache record is too long", path);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/cache/%s.meta", state, name);
	return write_atomic(path, meta, (size_t)n);
}
