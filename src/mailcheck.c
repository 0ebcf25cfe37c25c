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

const char MAILCHECK_REBUILD[] = "then rebuild sendmail.cf (cd /etc/mail && "
    "make, or m4 sendmail.mc > sendmail.cf) and restart sendmail";

void
finding(struct report *r, enum level lv, const char *fix, const char *fmt,
    ...)
{
	static const char *word[] = { "ok", "note", "problem" };
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
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
		printf("}");
	} else {
		/* what a mail log or a .mc says is quoted: escaped (text.h) */
		char esc[4096];

		printf("%-8s %s\n", lv == L_PROBLEM ? "PROBLEM:" : lv == L_NOTE ?
		    "note:" : "ok:", text_esc(msg, esc, sizeof(esc)));
		if (fix != NULL)
			printf("         fix: %s\n", text_esc(fix, esc,
			    sizeof(esc)));
	}
	r->n++;
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

/* A line cut at SM_MAX_LINE bytes: what came after was not read. */
static void
long_line(struct report *r, const char *path, const struct sm_config *c)
{
	if (c->long_line != 0)
		finding(r, L_NOTE, "break the line", "%s:%zu: a line longer "
		    "than %d bytes; only its first %d were read", path,
		    c->long_line, SM_MAX_LINE, SM_MAX_LINE);
}

void
check_mc(struct report *r, const char *path, const struct sm_config *mc,
    const char *bundle, const char *capath)
{
	static const enum sm_key keys[] = { SM_CACERT, SM_CACERT_PATH };
	char fix[8192];
	size_t i;

	for (i = 0; i < 2; i++) {
		const struct sm_setting *s = &mc->s[keys[i]];
		const char *name = sm_mc_name(keys[i]);
		const char *where = s->file[0] ? s->file : path;

		switch (s->state) {
		case SM_SET:
			finding(r, L_OK, NULL, "%s:%zu: %s is '%s'%s%s%s",
			    where, s->line, name, s->value, s->file[0] ?
			    " (included by " : "", s->file[0] ? path : "",
			    s->file[0] ? ")" : "");
			break;
		case SM_COMMENTED:
			snprintf(fix, sizeof(fix), "delete the '%s' at line %zu, "
			    "column %zu, %s", s->text[s->col - 1] == '#' ? "#" :
			    "dnl", s->line, s->col, MAILCHECK_REBUILD);
			finding(r, L_PROBLEM, fix, "%s:%zu:%zu: %s is commented "
			    "out by '%s' (it has no effect): %s", where, s->line,
			    s->col, name, s->text[s->col - 1] == '#' ? "#" :
			    "dnl", s->text);
			break;
		case SM_ABSENT:
			snprintf(fix, sizeof(fix), "add define(`%s', `%s')dnl; "
			    "%s", name, keys[i] == SM_CACERT ? bundle : capath,
			    MAILCHECK_REBUILD);
			finding(r, L_PROBLEM, fix, "%s does not define %s",
			    path, name);
			break;
		}
	}
	long_line(r, path, mc);
}

void
check_cf(struct report *r, const char *path, const struct sm_config *cf,
    const struct sm_config *mc, const char *mcpath)
{
	static const enum sm_key keys[] = { SM_CACERT, SM_CACERT_PATH };
	char fix[8192];
	size_t i;

	for (i = 0; i < 2; i++) {
		const struct sm_setting *s = &cf->s[keys[i]];
		const struct sm_setting *m = mc ? &mc->s[keys[i]] : NULL;
		const char *name = sm_cf_name(keys[i]);

		if (s->state == SM_SET)
			finding(r, L_OK, NULL, "%s:%zu: %s=%s", path, s->line,
			    name, s->value);
		else if (s->state == SM_COMMENTED) {
			snprintf(fix, sizeof(fix), "set %s in sendmail.mc and "
			    "regenerate the .cf: %s", sm_mc_name(keys[i]),
			    MAILCHECK_REBUILD);
			finding(r, L_PROBLEM, fix, "%s:%zu: '%s' is commented "
			    "out", path, s->line, s->text);
		} else
			finding(r, L_PROBLEM, "define it in sendmail.mc and "
			    "regenerate the .cf", "%s sets no %s", path, name);
		if (m != NULL && m->state == SM_SET && (s->state != SM_SET ||
		    strcmp(m->value, s->value) != 0)) {
			snprintf(fix, sizeof(fix), "regenerate the .cf: %s",
			    MAILCHECK_REBUILD);
			finding(r, L_PROBLEM, fix, "%s says %s '%s', but %s "
			    "has %s%s%s: the .cf was not rebuilt after the .mc "
			    "was edited", mcpath, sm_mc_name(keys[i]), m->value,
			    path, s->state == SM_SET ? name : "no ",
			    s->state == SM_SET ? "=" : name,
			    s->state == SM_SET ? s->value : "");
		}
	}
	long_line(r, path, cf);
}

/*
 * The files the .mc includes, but the cf macros themselves: what they set
 * counts (Debian keeps the TLS defines in /etc/mail/tls/starttls.m4).
 */
void
mailcheck_includes(struct sm_config *mc)
{
	struct sm_config inc;
	const char *why;
	char *buf;
	size_t len;
	int i;

	for (i = 0; i < mc->nincludes; i++) {
		const char *f = mc->include[i];

		if (f[0] != '/' || strstr(f, "/cf/m4/") != NULL ||
		    strstr(f, "/cf.m4") != NULL ||
		    (buf = mailcheck_read(f, MAILCHECK_MAX_FILE, 0, &len, NULL,
		    &why)) == NULL)
			continue;
		sm_parse_mc(buf, len, &inc);
		sm_merge(mc, &inc, f);
		free(buf);
	}
}
