/*
 * diag.c: diagnostics handed back instead of printed, see diag.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "log.h"
#include "xalloc.h"

static void
vadd(struct diags *d, enum diag_level level, enum diag_code code,
    const char *file, size_t line, const char *suffix, const char *fmt,
    va_list ap)
{
	struct diag *e;
	char *msg;

	if (d == NULL)
		return;
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = xstrdup("(out of memory formatting a message)");
	if (suffix != NULL) {
		char *full = xasprintf("%s: %s", msg, suffix);

		free(msg);
		msg = full;
	}
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 4;
		d->v = xreallocarray(d->v, d->cap, sizeof(*d->v));
	}
	e = &d->v[d->n++];
	e->level = level;
	e->code = code;
	e->file = file != NULL ? xstrdup(file) : NULL;
	e->line = line;
	e->msg = msg;
	if (level == DIAG_ERR)
		d->nerr++;
}

void
diag_add(struct diags *d, enum diag_level level, enum diag_code code,
    const char *file, size_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(d, level, code, file, line, NULL, fmt, ap);
	va_end(ap);
}

#define SHORTHAND(fn, level)						\
void									\
fn(struct diags *d, const char *file, size_t line, const char *fmt, ...) \
{									\
	va_list ap;							\
									\
	va_start(ap, fmt);						\
	vadd(d, level, DIAG_GENERIC, file, line, NULL, fmt, ap);	\
	va_end(ap);							\
}

SHORTHAND(diag_err, DIAG_ERR)
SHORTHAND(diag_warn, DIAG_WARN)
SHORTHAND(diag_info, DIAG_INFO)
SHORTHAND(diag_notice, DIAG_NOTICE)

void
diag_ssl(struct diags *d, const char *file, size_t line, const char *fmt,
    ...)
{
	va_list ap;
	char reason[512];

	log_ssl_reason(reason, sizeof(reason));	/* drains the queue */
	va_start(ap, fmt);
	vadd(d, DIAG_ERR, DIAG_GENERIC, file, line, reason, fmt, ap);
	va_end(ap);
}

const char *
diag_format(const struct diag *e, char *buf, size_t size)
{
	if (e->file != NULL && e->line > 0)
		snprintf(buf, size, "'%s': line %zu: %s", e->file, e->line,
		    e->msg);
	else if (e->file != NULL)
		snprintf(buf, size, "'%s': %s", e->file, e->msg);
	else
		snprintf(buf, size, "%s", e->msg);
	return buf;
}

const char *
diags_first_err(const struct diags *d)
{
	static __thread char buf[2048];
	size_t i;

	for (i = 0; d != NULL && i < d->n; i++)
		if (d->v[i].level == DIAG_ERR)
			return diag_format(&d->v[i], buf, sizeof(buf));
	return NULL;
}

enum diag_code
diags_first_code(const struct diags *d)
{
	size_t i;

	for (i = 0; d != NULL && i < d->n; i++)
		if (d->v[i].level == DIAG_ERR)
			return d->v[i].code;
	return DIAG_GENERIC;
}

void
diags_move(struct diags *to, struct diags *from)
{
	size_t i;

	if (from == NULL || from == to)
		return;
	if (to == NULL) {
		diags_clear(from);
		return;
	}
	for (i = 0; i < from->n; i++) {
		if (to->n == to->cap) {
			to->cap = to->cap ? to->cap * 2 : 4;
			to->v = xreallocarray(to->v, to->cap, sizeof(*to->v));
		}
		to->v[to->n++] = from->v[i];
		if (from->v[i].level == DIAG_ERR)
			to->nerr++;
	}
	free(from->v);
	from->v = NULL;
	from->n = from->cap = from->nerr = 0;
}

void
diags_report(struct diags *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		const struct diag *e = &d->v[i];
		char *s;

		if (e->file != NULL && e->line > 0)
			s = xasprintf("'%s': line %zu: %s", e->file, e->line,
			    e->msg);
		else if (e->file != NULL)
			s = xasprintf("'%s': %s", e->file, e->msg);
		else
			s = xstrdup(e->msg);
		switch (e->level) {
		case DIAG_ERR:
			log_err("%s", s);
			break;
		case DIAG_NOTICE:
			log_notice("%s", s);
			break;
		case DIAG_WARN:
			log_warn("%s", s);
			break;
		case DIAG_INFO:
			log_info("%s", s);
			break;
		}
		free(s);
	}
	diags_clear(d);
}

void
diags_clear(struct diags *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	d->v = NULL;
	d->n = d->cap = d->nerr = 0;
}
