/*
 * log.c: diagnostics on stderr, see log.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "log.h"
#include "text.h"

int log_verbosity = LOG_NORMAL;
int log_silent;

/*
 * Every message is one line: what it quotes (a member name, a URL, a
 * server's reply) is escaped, so no byte of it can start another line or
 * reach the terminal as a control sequence.
 */
static void
vlog(const char *kind, const char *fmt, va_list ap)
{
	char *msg = NULL, *esc = NULL;

	fputs("trustbuild: ", stderr);
	if (kind != NULL)
		fputs(kind, stderr);
	if (vasprintf(&msg, fmt, ap) == -1 ||
	    (esc = text_esc_dup(msg)) == NULL)
		fputs("(out of memory formatting a message)", stderr);
	else
		fputs(esc, stderr);
	free(msg);
	free(esc);
}

void
log_err(const char *fmt, ...)
{
	va_list ap;

	if (log_silent)
		return;
	va_start(ap, fmt);
	vlog(NULL, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *
log_ssl_reason(char *buf, unsigned long size)
{
	unsigned long e, last = 0;
	size_t off = 0;

	buf[0] = '\0';
	while ((e = ERR_get_error()) != 0) {
		const char *r = ERR_reason_error_string(e);
		char tmp[256];

		if (e == last)
			continue;
		last = e;
		if (r == NULL) {
			ERR_error_string_n(e, tmp, sizeof(tmp));
			r = tmp;
		}
		if (off + 3 >= size)
			continue;
		off += (size_t)snprintf(buf + off, size - off, "%s%s",
		    off ? ": " : "", r);
		if (off >= size)
			off = size - 1;
	}
	if (off == 0)
		snprintf(buf, size, "unknown OpenSSL error");
	return buf;
}

void
log_ssl(const char *fmt, ...)
{
	va_list ap;
	char reason[512];

	if (log_silent) {
		ERR_clear_error();
		return;
	}
	va_start(ap, fmt);
	vlog(NULL, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", log_ssl_reason(reason, sizeof(reason)));
}

/* One line at verbosity min and above, unless silenced. */
static void
vlog_at(int min, const char *prefix, const char *fmt, va_list ap)
{
	if (log_verbosity < min || log_silent)
		return;
	vlog(prefix, fmt, ap);
	fputc('\n', stderr);
}

void
log_notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_at(LOG_QUIET, NULL, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_at(LOG_NORMAL, "warning: ", fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_at(LOG_VERBOSE, NULL, fmt, ap);
	va_end(ap);
}
