/*
 * maillog_read.c: mail logs from files, rotations, standard input and
 * journalctl into the parser of maillog.c; see maillog_read.h.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "dl_archive.h"
#include "maillog.h"
#include "maillog_read.h"
#include "xalloc.h"

#define CHUNK	(64 * 1024)

const char *
maillog_default(void)
{
	return access("/var/log/maillog", R_OK) == 0 ? "/var/log/maillog" :
	    "/var/log/mail.log";
}

/* What one file held that was skipped: a note each. */
static void
skipped(struct diags *d, const char *name, const struct maillog *l,
    int lines, int longl, int bin)
{
	lines = l->lines - lines;
	bin = l->binary_lines - bin;
	longl = l->long_lines - longl;
	if (bin > 0)
		diag_notice(d, NULL, 0, "'%s': %d of its %d line%s hold NUL "
		    "bytes and were skipped: not a text log (for the systemd "
		    "journal use --journal)", name, bin, lines, lines == 1 ?
		    "" : "s");
	if (longl > 0)
		diag_notice(d, NULL, 0, "%s: %d line%s longer than %d bytes "
		    "skipped", name, longl, longl == 1 ? "" : "s",
		    MAILLOG_MAX_LINE);
}

/* Feed fd from where it is to its end, or max bytes: 0, 1 (cut), -1. */
static int
feed_fd(struct maillog *l, int fd, size_t max, int skip_first, int *err)
{
	char *buf = xmalloc(CHUNK), *p;
	size_t total = 0;
	ssize_t r;
	int rc = 0;

	*err = 0;
	while (total < max) {
		size_t want = max - total < CHUNK ? max - total : CHUNK;

		if ((r = read(fd, buf, want)) == -1 && errno == EINTR)
			continue;
		if (r == -1 && errno == EAGAIN) {
			struct pollfd pf = { fd, POLLIN, 0 };

			poll(&pf, 1, -1);
			continue;
		}
		if (r <= 0) {
			*err = r == -1 ? errno : 0;
			break;
		}
		total += (size_t)r;
		p = buf;
		if (skip_first) {	/* a tail: from the first whole line */
			if ((p = memchr(buf, '\n', (size_t)r)) == NULL)
				continue;
			p++;
			skip_first = 0;
		}
		if (maillog_feed(l, p, (size_t)(buf + r - p)) == -1) {
			rc = -1;
			goto out;
		}
	}
	if (total >= max) {
		char c;

		rc = read(fd, &c, 1) == 1;
	}
out:
	free(buf);
	return rc;
}

/*
 * A compressed file through libarchive: 0, 1 (cut at the bound), 2 (not
 * read at all), -1.
 */
static int
feed_archive(struct maillog *l, int fd, const char *name, struct diags *d)
{
	struct archive *a;
	struct archive_entry *e;
	char *buf;
	size_t total = 0;
	ssize_t r;
	int rc = 0;

	if (dl_archive(d) == -1 || (a = archive_read_new()) == NULL)
		return -1;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_fd(a, fd, CHUNK) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		diag_notice(d, NULL, 0, "cannot read the mail log '%s': %s",
		    name, archive_error_string(a) ? archive_error_string(a) :
		    "not a compressed file");
		archive_read_free(a);
		return 2;
	}
	buf = xmalloc(CHUNK);
	while ((r = archive_read_data(a, buf, CHUNK)) > 0) {
		if (total + (size_t)r > MAILLOG_MAX_FILE) {
			diag_notice(d, NULL, 0, "'%s' decompresses to more than "
			    "%d MiB: only its first %d MiB were read", name,
			    MAILLOG_MAX_FILE >> 20, MAILLOG_MAX_FILE >> 20);
			rc = 1;
			break;
		}
		total += (size_t)r;
		if (maillog_feed(l, buf, (size_t)r) == -1) {
			rc = -1;
			break;
		}
	}
	if (r < 0)
		diag_notice(d, NULL, 0, "'%s': %s after %zu bytes: the rest "
		    "of it was not read", name, archive_error_string(a) ?
		    archive_error_string(a) : "damaged", total);
	free(buf);
	archive_read_free(a);
	return rc;
}

/* Whether the first bytes are those of a compressed file. */
static int
compressed(int fd)
{
	unsigned char m[6];
	ssize_t n = pread(fd, m, sizeof(m), 0);

	return n >= 2 && ((m[0] == 0x1f && m[1] == 0x8b) || (n >= 3 &&
	    memcmp(m, "BZh", 3) == 0) || (n == 6 &&
	    memcmp(m, "\xfd" "7zXZ\0", 6) == 0) || (n >= 4 &&
	    memcmp(m, "\x28\xb5\x2f\xfd", 4) == 0));
}

/* One file (or "-"): 1 read, 0 not (why in d), -1 out of memory. */
static int
read_one(struct maillog *l, const char *path, struct diags *d)
{
	struct stat st;
	int fd, rc, err = 0, lines = l->lines, longl = l->long_lines;
	int bin = l->binary_lines, stdin_ = strcmp(path, "-") == 0;
	const char *name = stdin_ ? "standard input" : path;
	off_t from = 0;

	/* O_NONBLOCK: a FIFO given as a file must not hang the check */
	fd = stdin_ ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC |
	    O_NONBLOCK);
	if (fd == -1 || fstat(fd, &st) == -1) {
		diag_notice(d, NULL, 0, "cannot read the mail log '%s': %s",
		    name, strerror(errno));
		goto fail;
	}
	if (!stdin_ && !S_ISREG(st.st_mode)) {
		diag_notice(d, NULL, 0, "cannot read the mail log '%s': not a "
		    "regular file", name);
		goto fail;
	}
	if (!stdin_ && compressed(fd))
		rc = feed_archive(l, fd, name, d);
	else {
		if (!stdin_ && st.st_size > MAILLOG_MAX_FILE) {
			from = st.st_size - MAILLOG_MAX_FILE;
			diag_notice(d, NULL, 0, "%s is larger than %d MiB: only "
			    "its last %d MiB were read", name,
			    MAILLOG_MAX_FILE >> 20, MAILLOG_MAX_FILE >> 20);
			if (lseek(fd, from, SEEK_SET) == -1)
				from = 0;
		}
		/* a log grows while read: what came after fstat is later's */
		rc = feed_fd(l, fd, stdin_ ? MAILLOG_MAX_FILE : (size_t)
		    (st.st_size - from), from > 0, &err);
		if (rc == 1 && stdin_)
			diag_notice(d, NULL, 0, "%s: more than %d MiB: only "
			    "the first %d MiB were read", name,
			    MAILLOG_MAX_FILE >> 20, MAILLOG_MAX_FILE >> 20);
		if (err != 0)
			diag_notice(d, NULL, 0, "cannot read the mail log "
			    "'%s': %s", name, strerror(err));
	}
	if (!stdin_)
		close(fd);
	if (rc == 2)
		return 0;
	if (rc == -1 || maillog_end(l) == -1)
		return -1;
	skipped(d, name, l, lines, longl, bin);
	return 1;
fail:
	if (fd != -1 && !stdin_)
		close(fd);
	return 0;
}

struct rot {
	char	*name;
	long	 key;		/* older first: -N, or the date */
};

static int
rot_cmp(const void *a, const void *b)
{
	const struct rot *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/*
 * The rotation key of a name beside base: NAME.N[.gz...] (older as N
 * grows) or NAME-YYYYMMDD[.gz...], -1 if it is not one.
 */
static long
rot_key(const char *name, const char *base)
{
	size_t bl = strlen(base);
	const char *s = name + bl;
	char *e;
	long v;

	if (strncmp(name, base, bl) != 0 || (s[0] != '.' && s[0] != '-') ||
	    s[1] < '0' || s[1] > '9')
		return -1;
	v = strtol(s + 1, &e, 10);
	if (*e != '\0' && strcmp(e, ".gz") != 0 && strcmp(e, ".bz2") != 0 &&
	    strcmp(e, ".xz") != 0 && strcmp(e, ".zst") != 0)
		return -1;
	if (s[0] == '.')
		return v > 0 && v < 100000 ? 100000 - v : -1;
	return v >= 19700101 && v <= 99991231 ? 100000 + v : -1;
}

/* The newest max rotations of path, oldest first, into l: a count or -1. */
static int
read_rotations(struct maillog *l, const char *path, int max, struct diags *d)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	const char *base = slash ? slash + 1 : path;
	struct rot *v = NULL;
	size_t n = 0, i, from;
	struct dirent *de;
	DIR *dp;
	int got = 0, rc;

	if (slash != NULL)
		*slash = '\0';
	if ((dp = opendir(slash == NULL ? "." : dir[0] ? dir : "/")) == NULL) {
		free(dir);
		return 0;
	}
	while ((de = readdir(dp)) != NULL && n < 100000) {
		long k = rot_key(de->d_name, base);

		if (k < 0)
			continue;
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n].name = xasprintf("%s/%s", slash == NULL ? "." : dir,
		    de->d_name);
		v[n++].key = k;
	}
	closedir(dp);
	if (n > 0)	/* qsort(NULL, 0) is undefined */
		qsort(v, n, sizeof(*v), rot_cmp);
	if (max > MAILLOG_MAX_ROTATED)
		max = MAILLOG_MAX_ROTATED;
	from = n > (size_t)max ? n - (size_t)max : 0;
	for (i = 0; i < n; i++) {
		if (i >= from && got >= 0 &&
		    (rc = read_one(l, v[i].name, d)) != 0)
			got = rc == -1 ? -1 : got + 1;
		free(v[i].name);
	}
	free(v);
	free(dir);
	return got;
}

int
maillog_read_file(struct maillog *l, const char *path, int rotated,
    struct diags *d)
{
	int n = 0, rc;

	if (path == NULL)
		path = maillog_default();
	if (rotated > 0 && strcmp(path, "-") != 0 &&
	    (n = read_rotations(l, path, rotated, d)) == -1)
		return -1;
	if ((rc = read_one(l, path, d)) == -1)
		return -1;
	return n + rc;
}

int
maillog_journal_argv(const char *dir, time_t since, char **argv, char *buf,
    size_t size)
{
	return maillog_journal_argv_ids(NULL, dir, since, argv, buf, size);
}

int
maillog_journal_argv_ids(const char *const *ids, const char *dir,
    time_t since, char **argv, char *buf, size_t size)
{
	static const char *const fixed[] = {
		"journalctl", "--no-pager", "--quiet", "--output=short-iso"
	};
	static const char *const sm[] = { "--identifier=sendmail",
	    "--identifier=sm-mta", "--identifier=sm-msp-queue", NULL };
	static char idarg[4][64];
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		argv[n++] = (char *)fixed[i];
	for (i = 0; ids == NULL && sm[i] != NULL; i++)
		argv[n++] = (char *)sm[i];
	for (i = 0; ids != NULL && ids[i] != NULL && i < 4; i++) {
		snprintf(idarg[i], sizeof(idarg[i]), "--identifier=%s", ids[i]);
		argv[n++] = idarg[i];
	}
	if (dir != NULL) {
		argv[n++] = "--directory";
		argv[n++] = (char *)dir;
	}
	if (since > 0) {
		snprintf(buf, size, "--since=@%lld", (long long)since);
		argv[n++] = buf;
	}
	argv[n] = NULL;
	return n;
}

/* The child: journalctl with stdout on out, stderr on errfd. */
static void
journal_child(char **argv, int out, int errfd)
{
	int null = open("/dev/null", O_RDONLY);

	if (null != -1)
		dup2(null, STDIN_FILENO);
	dup2(out, STDOUT_FILENO);
	dup2(errfd, STDERR_FILENO);
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], argv);
	dprintf(STDERR_FILENO, "cannot run journalctl: %s; is systemd's "
	    "journalctl installed?\n", strerror(errno));
	_exit(127);
}

int
maillog_read_journal(struct maillog *l, const char *dir, time_t since,
    struct diags *d)
{
	char *argv[MAILLOG_MAXARGS], sb[64], err[512] = "", *buf;
	int po[2], pe[2], status, rc = 1, open_ = 2;
	size_t elen = 0, total = 0;
	time_t end = time(NULL) + MAILLOG_JOURNAL_TIMEOUT;
	pid_t pid;

	maillog_journal_argv_ids(l->ids, dir, since, argv, sb, sizeof(sb));
	if (pipe2(po, O_CLOEXEC) == -1 || pipe2(pe, O_CLOEXEC) == -1) {
		diag_notice(d, NULL, 0, "cannot run journalctl: %s",
		    strerror(errno));
		return 0;
	}
	if ((pid = fork()) == -1) {
		diag_notice(d, NULL, 0, "cannot run journalctl: %s",
		    strerror(errno));
		close(po[0]), close(po[1]), close(pe[0]), close(pe[1]);
		return 0;
	}
	if (pid == 0)
		journal_child(argv, po[1], pe[1]);
	close(po[1]);
	close(pe[1]);
	buf = xmalloc(CHUNK);
	while (open_ > 0 && rc != -1) {
		struct pollfd pf[2] = { { po[0], POLLIN, 0 },
		    { pe[0], POLLIN, 0 } };
		ssize_t r;
		int left = (int)(end - time(NULL)), i;

		if (left <= 0 || total > MAILLOG_MAX_FILE) {
			diag_notice(d, NULL, 0, "journalctl: %s: what came "
			    "before was read", left <= 0 ? "no end after "
			    "120 s" : "more than 256 MiB");
			kill(pid, SIGTERM);
			break;
		}
		if (poll(pf, 2, left * 1000) == -1 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++) {
			if (pf[i].fd == -1 || !(pf[i].revents & (POLLIN |
			    POLLHUP | POLLERR)))
				continue;
			r = read(pf[i].fd, buf, CHUNK);
			if (r <= 0) {
				if (r == -1 && errno == EINTR)
					continue;
				close(pf[i].fd);
				*(i == 0 ? &po[0] : &pe[0]) = -1;
				open_--;
			} else if (i == 0) {
				total += (size_t)r;
				if (maillog_feed(l, buf, (size_t)r) == -1)
					rc = -1;
			} else if (elen + 1 < sizeof(err)) {
				size_t k = (size_t)r < sizeof(err) - elen - 1 ?
				    (size_t)r : sizeof(err) - elen - 1;

				memcpy(err + elen, buf, k);
				err[elen += k] = '\0';
			}
		}
	}
	free(buf);
	if (po[0] != -1)
		close(po[0]);
	if (pe[0] != -1)
		close(pe[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (rc != -1 && maillog_end(l) == -1)
		rc = -1;
	err[strcspn(err, "\n")] = '\0';
	if (rc != -1 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
		diag_notice(d, NULL, 0, "journalctl failed (%s %d): %s",
		    WIFEXITED(status) ? "exit" : "signal", WIFEXITED(status) ?
		    WEXITSTATUS(status) : WTERMSIG(status), err[0] ? err :
		    "no message");
		return 0;
	}
	if (rc != -1 && err[0] != '\0')
		diag_notice(d, NULL, 0, "journalctl: %s", err);
	return rc;
}
