/*
 * mailcheck.c: findings, reading sendmail's files, and the checks of the
 * .mc and the .cf; see mailcheck.h (the mail log's is mailcheck_log.c).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "json.h"
#include "log.h"
#include "mailcheck.h"
#include "sendmail.h"
#include "text.h"
#include "xalloc.h"

static void
steps_json(const struct step *st, int n)
{
	static const char *kind[] = { "replace", "insert", "run", "conf" };
	int i;

	printf(",\"steps\":[");
	for (i = 0; i < n; i++) {
		printf("%s{\"do\":\"%s\"", i ? "," : "", kind[st[i].kind]);
		if (st[i].file != NULL) {
			printf(",\"file\":");
			json_str(st[i].file);
		}
		if (st[i].kind == STEP_REPLACE || st[i].kind == STEP_INSERT)
			printf(",\"line\":%zu", st[i].line);
		printf(",\"text\":");
		json_str(st[i].text);
		printf("}");
	}
	printf("]");
}

void
mailcheck_print_steps(const struct step *st, int n)
{
	char esc[4096];
	const char *p, *nl;
	int i;

	for (i = 0; i < n; i++) {
		text_esc(st[i].text, esc, sizeof(esc));
		switch (st[i].kind) {
		case STEP_REPLACE:
			printf("           %d. in %s, replace line %zu with:\n"
			    "                %s\n", i + 1, st[i].file,
			    st[i].line, esc);
			break;
		case STEP_INSERT:
			if (st[i].line > 0)
				printf("           %d. in %s, before line %zu, "
				    "add:\n", i + 1, st[i].file, st[i].line);
			else
				printf("           %d. at the end of %s, add:\n",
				    i + 1, st[i].file);
			printf("                %s\n", esc);
			break;
		case STEP_RUN:
			printf("           %d. run: %s\n", i + 1, esc);
			break;
		case STEP_CONF:
			printf("           %d. add to %s:\n", i + 1, st[i].file);
			/* text_esc keeps no newline: print line by line */
			for (p = st[i].text; *p != '\0'; p = nl + 1) {
				char line[1024];

				if ((nl = strchr(p, '\n')) == NULL)
					nl = p + strlen(p);
				snprintf(line, sizeof(line), "%.*s",
				    (int)(nl - p), p);
				printf("                %s\n", text_esc(line, esc,
				    sizeof(esc)));
				if (*nl == '\0')
					break;
			}
			break;
		}
	}
}

static void
vfinding(struct report *r, enum level lv, const char *fix,
    const struct step *st, int n, const char *fmt, va_list ap)
{
	static const char *word[] = { "ok", "note", "problem" };
	char msg[2048];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (lv == L_PROBLEM)
		r->problems++;
	if (r->json) {
		printf("%s{\"level\":\"%s\",\"message\":", r->n ? "," : "",
		    word[lv]);
		json_str(msg);
		if (fix != NULL) {
			printf(",\"fix\":");
			json_str(fix);
		}
		if (n > 0)
			steps_json(st, n);
		printf("}");
	} else {
		/* what a mail log or a .mc says is quoted: escaped (text.h) */
		char esc[4096];

		printf("%-8s %s\n", lv == L_PROBLEM ? "PROBLEM:" : lv == L_NOTE ?
		    "note:" : "ok:", text_esc(msg, esc, sizeof(esc)));
		if (fix != NULL)
			printf("         fix: %s\n", text_esc(fix, esc,
			    sizeof(esc)));
		mailcheck_print_steps(st, n);
	}
	r->n++;
}

void
finding(struct report *r, enum level lv, const char *fix, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfinding(r, lv, fix, NULL, 0, fmt, ap);
	va_end(ap);
}

void
finding_steps(struct report *r, enum level lv, const char *fix,
    const struct step *st, int n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfinding(r, lv, fix, st, n, fmt, ap);
	va_end(ap);
}

char *
mailcheck_read(const char *path, size_t max, int tail, size_t *len,
    int *cut, const char **why)
{
	struct stat st;
	char *buf = NULL, *nl;
	size_t n = 0;
	ssize_t r;
	off_t from = 0;
	int fd, was_cut = 0;

	*why = "not a regular file";
	/* O_NONBLOCK: a FIFO given as a file must not hang the check */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1 ||
	    fstat(fd, &st) == -1) {
		*why = strerror(errno);
		goto fail;
	}
	if (!S_ISREG(st.st_mode))
		goto fail;
	if ((size_t)st.st_size > max && !tail) {
		*why = "too large";
		goto fail;
	}
	if ((size_t)st.st_size > max) {
		from = st.st_size - (off_t)max;
		was_cut = 1;
	} else
		max = (size_t)st.st_size;
	buf = xmalloc(max + 1);
	if (lseek(fd, from, SEEK_SET) == -1) {
		*why = strerror(errno);
		goto fail;
	}
	/* a log grows while read: what came after fstat is left for later */
	while (n < max && ((r = read(fd, buf + n, max - n)) > 0 ||
	    (r == -1 && errno == EINTR)))
		if (r > 0)
			n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	if (was_cut && (nl = memchr(buf, '\n', n)) != NULL) {
		n -= (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, n + 1);
	}
	if (cut != NULL)
		*cut = was_cut;
	*len = n;
	return buf;
fail:
	if (fd != -1)
		close(fd);
	free(buf);
	return NULL;
}

const char *
mailcheck_day(time_t t, char *buf, size_t size)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M UTC", &tm);
	return buf;
}
