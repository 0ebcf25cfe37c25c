/*
 * smconf_m4.c: what m4 says about a sendmail.mc; see smconf_m4.h.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mailcheck.h"
#include "sendmail.h"
#include "smconf.h"
#include "smconf_m4.h"
#include "xalloc.h"

#define TRACE_MAX	(32 * 1024 * 1024)
#define M4_SECONDS	20

static void
child(const char *const argv[], const char *dir, const char *out, int errfd)
{
	int fd;

	if (dir != NULL && chdir(dir) == -1)
		_exit(126);
	fd = open(out ? out : "/dev/null", out ? O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC : O_WRONLY | O_CLOEXEC, 0600);
	if (fd == -1 || dup2(fd, 1) == -1 || dup2(errfd, 2) == -1)
		_exit(126);
	if ((fd = open("/dev/null", O_RDONLY)) == -1 || dup2(fd, 0) == -1)
		_exit(126);
	execvp(argv[0], (char *const *)argv);
	dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Read fd until EOF or the deadline, into buf (size), the rest dropped. */
static int
drain(int fd, char *buf, size_t size, size_t *n, time_t deadline)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char sink[4096];
	ssize_t r;

	for (;;) {
		time_t left = deadline - time(NULL);

		if (left <= 0)
			return -1;
		if (poll(&p, 1, (int)left * 1000) <= 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (*n + 1 < size)
			r = read(fd, buf + *n, size - 1 - *n);
		else
			r = read(fd, sink, sizeof(sink));
		if (r == 0)
			return 0;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (*n + 1 < size)
			*n += (size_t)r;
	}
}

static int
run_into(const char *const argv[], const char *dir, const char *out,
    char *buf, size_t size, size_t *n, unsigned secs)
{
	int fds[2], st, timed_out;
	pid_t pid;

	*n = 0;
	buf[0] = '\0';
	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0)
		child(argv, dir, out, fds[1]);
	close(fds[1]);
	timed_out = drain(fds[0], buf, size, n, time(NULL) + secs) == -1;
	close(fds[0]);
	buf[*n] = '\0';
	if (timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	if (timed_out) {
		snprintf(buf, size, "%s did not end within %u s", argv[0],
		    secs);
		*n = strlen(buf);
		return -1;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int
smconf_run(const char *const argv[], const char *dir, const char *out,
    char *err, size_t size, unsigned secs)
{
	size_t n;

	return run_into(argv, dir, out, err, size, &n, secs);
}

/* "m4trace:FILE:LINE: -N- define(`NAME', `VALUE')": applied to c. */
static void
trace_line(const char *l, size_t n, const char *mcpath, struct sm_config *c)
{
	char file[256], name[128], value[1024];
	const char *p, *e, *m, *q;
	size_t line, k, fl;
	int und, key = -1;

	if (n < 9 || memcmp(l, "m4trace:", 8) != 0 ||
	    (m = memmem(l, n, ": -", 3)) == NULL)
		return;
	/* FILE:LINE before ": -" */
	for (p = m; p > l + 8 && p[-1] >= '0' && p[-1] <= '9'; p--)
		;
	if (p == m || p[-1] != ':' || (fl = (size_t)(p - 1 - (l + 8))) >=
	    sizeof(file))
		return;
	memcpy(file, l + 8, fl);
	file[fl] = '\0';
	line = strtoul(p, NULL, 10);
	if ((e = memchr(m + 3, ' ', (size_t)(l + n - m - 3))) == NULL)
		return;
	e++;
	und = (size_t)(l + n - e) > 11 && memcmp(e, "undefine(`", 10) == 0;
	if (!und && !((size_t)(l + n - e) > 9 && memcmp(e, "define(`", 8) ==
	    0))
		return;
	e += und ? 10 : 8;
	if ((q = memchr(e, '\'', (size_t)(l + n - e))) == NULL ||
	    (size_t)(q - e) >= sizeof(name))
		return;
	memcpy(name, e, (size_t)(q - e));
	name[q - e] = '\0';
	for (k = 0; k < SM_NKEYS; k++)
		if (strcmp(name, sm_mc_name((enum sm_key)k)) == 0)
			key = (int)k;
	if (key == -1)
		return;
	if (und) {
		memset(&c->s[key], 0, sizeof(c->s[key]));
		return;
	}
	/* ", `VALUE')" ending the line; a value with quotes is m4 text */
	if ((size_t)(l + n - q) < 6 || memcmp(q, "', `", 4) != 0 ||
	    memcmp(l + n - 2, "')", 2) != 0)
		return;
	q += 4;
	if ((size_t)(l + n - 2 - q) >= sizeof(value) ||
	    memchr(q, '`', (size_t)(l + n - 2 - q)) != NULL)
		return;
	memcpy(value, q, (size_t)(l + n - 2 - q));
	value[l + n - 2 - q] = '\0';
	c->s[key].state = SM_SET;
	snprintf(c->s[key].value, sizeof(c->s[key].value), "%s", value);
	c->s[key].line = line;
	c->s[key].col = 0;
	snprintf(c->s[key].file, sizeof(c->s[key].file), "%s",
	    strcmp(file, mcpath) == 0 ? "" : file);
	c->s[key].text[0] = '\0';
}

void
smconf_m4_apply(const char *trace, size_t len, const char *mcpath,
    struct sm_config *c)
{
	struct sm_config t;
	const char *p = trace, *end = trace + len;
	int k;

	memset(&t, 0, sizeof(t));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		if (n <= SM_MAX_LINE)
			trace_line(p, n, mcpath, &t);
		p = nl ? nl + 1 : end;
	}
	for (k = 0; k < SM_NKEYS; k++) {
		struct sm_setting *b = &c->s[k];

		if (t.s[k].state == SM_SET) {
			/* the same define: keep the reader's column and text */
			if (b->state == SM_SET && b->line == t.s[k].line &&
			    strcmp(b->file, t.s[k].file) == 0)
				continue;
			*b = t.s[k];
		} else if (b->state == SM_SET && (k != SM_MAILERTABLE))
			memset(b, 0, sizeof(*b));
	}
}

int
smconf_m4_trace(struct smconf *s, char *why, size_t size)
{
	const char *argv[10];
	char d[300], m[300], dir[4096], *slash, *buf;
	size_t n;
	int rc, i, k;

	if ((k = smconf_build_argv(s, d, sizeof(d), m, sizeof(m), argv)) ==
	    -1) {
		snprintf(why, size, "no sendmail cf macros (m4/cf.m4) found");
		return -1;
	}
	/* m4 --debug=aeqfl --trace=define --trace=undefine [cf.m4] MC */
	for (i = k; i >= 1; i--)
		argv[i + 3] = argv[i];
	argv[1] = "--debug=aeqfl";
	argv[2] = "--trace=define";
	argv[3] = "--trace=undefine";
	snprintf(dir, sizeof(dir), "%s", s->mcpath);
	if ((slash = strrchr(dir, '/')) != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	buf = xmalloc(TRACE_MAX);
	rc = run_into(argv, dir, NULL, buf, TRACE_MAX, &n, M4_SECONDS);
	if (rc != 0 && (rc == -1 || strstr(buf, "m4trace:") == NULL)) {
		/* the last line says why (cannot run m4, an error) */
		char *last = buf + n;

		while (last > buf && (last[-1] == '\n' || last[-1] == '\r'))
			*--last = '\0';
		while (last > buf && last[-1] != '\n')
			last--;
		snprintf(why, size, "m4 failed: %.200s", last);
		free(buf);
		return -1;
	}
	smconf_m4_apply(buf, n, s->mcabs, &s->mc);
	free(buf);
	return 0;
}
