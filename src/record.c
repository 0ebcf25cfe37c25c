/*
 * record.c: the record of a published run, and the shortcut it allows
 * (record.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cert.h"
#include "cmd.h"
#include "publish.h"
#include "record.h"
#include "source.h"
#include "xalloc.h"

#define RECORD_NEVER	((time_t)1 << 62)

void
record_fp_init(struct record_fp *f)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	f->none = 0;
	if (md == NULL || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		md = NULL;
		f->none = 1;
	}
	f->md = md;
	record_fp_add(f, "trustbuild %s\n", TRUSTBUILD_VERSION);
}

void
record_fp_data(struct record_fp *f, const void *buf, size_t len)
{
	if (f->md != NULL && !EVP_DigestUpdate(f->md, buf, len))
		f->none = 1;
}

void
record_fp_add(struct record_fp *f, const char *fmt, ...)
{
	char line[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		f->none = 1;	/* a path too long to say: no shortcut */
	else
		record_fp_data(f, line, (size_t)n);
}

void
record_fp_source(struct record_fp *f, const char *role, const char *path,
    struct record_src *s)
{
	struct stat st;
	const char *hash;
	char *file, sum[65];
	int fd = -1;

	memset(s, 0, sizeof(*s));
	/* "PATH#GLOB": the archive PATH, as source_load() reads it */
	if (stat(path, &st) == -1 && (hash = strrchr(path, '#')) != NULL)
		file = xstrndup(path, (size_t)(hash - path));
	else
		file = xstrdup(path);
	/* non-blocking: a FIFO must not hang the run; no directory */
	if ((fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
	    O_NOCTTY)) == -1 || fstat(fd, &st) == -1 ||
	    !S_ISREG(st.st_mode) || fcntl(fd, F_SETFL, 0) == -1 ||
	    state_sha256_fd(fd, sum) == -1 || fstat(fd, &st) == -1) {
		f->none = 1;
		free(file);
		if (fd != -1)
			close(fd);
		return;
	}
	close(fd);
	s->file = file;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->size = st.st_size;
	s->ctime = st.st_ctim;
	record_fp_add(f, "source %s %s %s\n", role, path, sum);
}

int
record_fp_final(struct record_fp *f, char out[65])
{
	unsigned char dg[32];
	int ok;

	ok = f->md != NULL && !f->none && EVP_DigestFinal_ex(f->md, dg, NULL);
	EVP_MD_CTX_free(f->md);
	f->md = NULL;
	out[0] = '\0';
	if (!ok)
		return -1;
	cert_hex(dg, 32, out, 0);
	return 0;
}

int
record_src_same(const struct record_src *s)
{
	struct stat st;

	return s->file != NULL && stat(s->file, &st) == 0 &&
	    st.st_dev == s->dev && st.st_ino == s->ino &&
	    st.st_size == s->size && st.st_ctim.tv_sec == s->ctime.tv_sec &&
	    st.st_ctim.tv_nsec == s->ctime.tv_nsec;
}

void
record_src_release(struct record_src *s)
{
	free(s->file);
	s->file = NULL;
}

time_t
record_first(time_t a, time_t b)
{
	if (a == 0 || (b != 0 && b < a))
		return b;
	return a;
}

/* The first not-after of set before until, or until. */
static time_t
first_not_after(const struct certset *set, int keep_expired, time_t until)
{
	time_t t;
	size_t i;

	for (i = 0; set != NULL && i < set->n; i++) {
		/* expired anchors stay with keep-expired; intermediates not */
		if (keep_expired && set->v[i]->role != ROLE_INTERMEDIATE)
			continue;
		if ((t = cert_not_after(set->v[i])) > 0 && t < until)
			until = t;
	}
	return until;
}

time_t
record_until(const struct certset *set, const struct output *o,
    int keep_expired, time_t next)
{
	time_t until;
	size_t i, j;

	until = first_not_after(set, keep_expired, RECORD_NEVER);
	for (i = 0; o != NULL && i < o->n; i++) {
		for (j = 0; j < i && o->v[j].set != o->v[i].set; j++)
			;
		if (j == i && o->v[i].set != set)	/* each set once */
			until = first_not_after(o->v[i].set, keep_expired,
			    until);
	}
	if (next != 0 && next < until)
		until = next;
	return until;
}

int
record_published(const struct output *o, int flags, char *out, size_t size,
    struct diags *d)
{
	struct stat st;
	size_t i, len;

	if (output_published_id(o, out, size, d) == -1)
		return -1;
	for (i = 0; (flags & RECORD_GENERATIONS) && i < o->n; i++) {
		const struct output_target *t = &o->v[i];

		if (t->w->kind != PENDING_DIR)
			continue;
		len = strlen(out);
		/* the generation the link leads to: its identity and mtime */
		if (stat(t->path, &st) == -1 || !S_ISDIR(st.st_mode))
			snprintf(out + len, size - len, "generation %s -\n",
			    t->name);
		else
			snprintf(out + len, size - len, "generation %s %llu "
			    "%llu %lld.%09ld %lu\n", t->name,
			    (unsigned long long)st.st_dev,
			    (unsigned long long)st.st_ino,
			    (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
			    (unsigned long)st.st_uid);
	}
	return 0;
}

int
record_same(const struct state_run *rec, const char *inputs,
    const struct output *o, int flags, time_t now, const char *file,
    struct diags *d)
{
	char id[sizeof(rec->published)];
	struct stat st;
	size_t i;

	if (inputs[0] == '\0' || strcmp(rec->inputs, inputs) != 0 ||
	    rec->until <= now ||
	    record_published(o, flags, id, sizeof(id), d) == -1 ||
	    strcmp(rec->published, id) != 0)
		return 0;
	/* a directory output whose generation was removed */
	for (i = 0; i < o->n; i++)
		if (o->v[i].w->kind == PENDING_DIR && (stat(o->v[i].path,
		    &st) == -1 || !S_ISDIR(st.st_mode))) {
			diag_info(d, o->v[i].path, 0, "the published "
			    "directory is gone: a full run makes it again");
			return 0;
		}
	/* an interrupted run left files behind: a full run removes them */
	if (output_leftovers(o) || publish_leftovers(file)) {
		diag_info(d, NULL, 0, "leftovers of an interrupted run: a "
		    "full run removes them");
		return 0;
	}
	return 1;
}

int
record_format(const struct state_run *rec, char *buf, size_t size)
{
	int n;

	n = snprintf(buf, size, "inputs %s\nvalid-until %lld\nsummary %zu "
	    "%zu\n%s", rec->inputs, (long long)rec->until, rec->anchors,
	    rec->intermediates, rec->published);
	return n < 0 || (size_t)n >= size ? -1 : n;
}

int
record_parse(const char *text, struct state_run *rec)
{
	long long until;
	int off = 0;

	memset(rec, 0, sizeof(*rec));
	if (sscanf(text, "inputs %64s valid-until %lld summary %zu %zu %n",
	    rec->inputs, &until, &rec->anchors, &rec->intermediates,
	    &off) != 4 || off == 0 ||
	    strlen(text + off) >= sizeof(rec->published)) {
		memset(rec, 0, sizeof(*rec));
		return -1;
	}
	rec->until = (time_t)until;
	snprintf(rec->published, sizeof(rec->published), "%s", text + off);
	return 0;
}

char *
record_path(const struct output *o)
{
	char *dir, *path, *rec;
	const char *base;
	size_t n;

	/* the name of the output, less a trailing slash */
	n = strlen(o->v[0].path);
	while (n > 1 && o->v[0].path[n - 1] == '/')
		n--;
	path = xstrndup(o->v[0].path, n);
	base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	dir = publish_dirname(path);
	rec = xasprintf("%s/.%s." RECORD_SUFFIX, dir, base);
	free(dir);
	free(path);
	return rec;
}

/* Is st a file only we can have written: ours, one link, 0600-ish? */
static int
trusted(const struct stat *st)
{
	return S_ISREG(st->st_mode) && st->st_uid == geteuid() &&
	    st->st_nlink == 1 && (st->st_mode & 022) == 0;
}

int
record_read(const char *file, struct state_run *rec, struct diags *d)
{
	struct diags rd = DIAGS_INIT;
	struct stat st;
	unsigned char *buf;
	size_t len;
	int got;

	got = source_read_at(AT_FDCWD, file, file, RECORD_FILE_MAX,
	    SOURCE_ABSENT_OK | SOURCE_NOFOLLOW, &st, &buf, &len, &rd);
	if (got == 0)
		return 0;
	if (got == -1 || !trusted(&st)) {
		diag_info(d, file, 0, "not a record of ours (%s); ignored: "
		    "a full run replaces it", got == -1 && rd.n > 0 ?
		    rd.v[rd.n - 1].msg : "owner, links or mode");
		if (got == 1)
			free(buf);
		diags_clear(&rd);
		return 0;
	}
	got = strlen((char *)buf) == len && record_parse((char *)buf,
	    rec) == 0;
	if (!got)
		diag_info(d, file, 0, "not a record; ignored: a full run "
		    "replaces it");
	free(buf);
	return got;
}

int
record_write(const char *file, const struct state_run *rec, struct diags *d)
{
	struct pending pd;
	struct stat st;
	char buf[sizeof(rec->published) + 256], *dir;
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	int dfd, n, rc = -1;

	if ((n = record_format(rec, buf, sizeof(buf))) == -1) {
		diag_err(d, file, 0, "the record is too long");
		return -1;
	}
	dir = publish_dirname(file);
	if ((dfd = publish_open_dir(dir)) == -1) {
		diag_err(d, dir, 0, "%s", strerror(errno));
		free(dir);
		return -1;
	}
	/* what someone else put there goes, never read nor kept */
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !trusted(&st) && !S_ISDIR(st.st_mode))
		unlinkat(dfd, base, 0);
	/*
	 * Not fsync()ed (publish.h, cache): a record is believed only while
	 * the outputs are what it names (record_same), and the outputs were
	 * made durable before it was written.  A power cut that loses it, or
	 * leaves the one before or a torn one, costs the next run a full
	 * build, never a wrong "unchanged".
	 */
	if (publish_file_prepare_at(&pd, dfd, dir, base, buf, (size_t)n,
	    0600, 0, d) == 0) {
		pd.cache = 1;
		rc = publish_commit_all(&pd, 1, d);
	}
	publish_abort(&pd);
	publish_release(&pd);
	close(dfd);
	free(dir);
	return rc;
}
