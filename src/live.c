/*
 * live.c: sources that stay live (live.h): what a download's failure
 * advises, and the line that says a download went quiet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "live.h"
#include "xalloc.h"

/*
 * fetch's failure in d, with the advice of the setting to change (fetch.h
 * knows none): the timeout and the CA always; max-size and the URL for a
 * source's download, not for its checksum file (a fixed bound, and advice
 * of its own).
 */
void
live_fetch_advice(struct diags *d, const struct fetch_opts *o, int download)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		struct diag *e = &d->v[i];
		char *m = NULL;

		if (e->code == DIAG_TIMEOUT)
			m = xasprintf("%s; raise timeout in [fetch] if the "
			    "server is just slow", e->msg);
		else if (e->code == DIAG_LIMIT && download)
			m = xasprintf("%s; raise max-size if this is expected",
			    e->msg);
		else if (e->code == DIAG_ABSENT && download)
			m = xasprintf("%s; check the url of this source",
			    e->msg);
		else if (e->code == DIAG_TLS)
			m = xasprintf("%s; the server's certificate must "
			    "verify against %s", e->msg, o->ca ? o->ca :
			    "the system's CA store (or give 'ca = FILE' to "
			    "bootstrap)");
		if (m != NULL) {
			free(e->msg);
			e->msg = m;
		}
	}
}

/*
 * A download whose content has not changed for longer than its
 * stale-after: said on every run (one line), since a repository that
 * moved away answers "not modified" for ever and the store would stop
 * following its publisher without a word.
 */
void
live_stale(const struct acquire_ctx *c, struct acquire_src *s)
{
	unsigned days = spec_days(s->spec.stale_after, 0);
	char when[64];

	if (days == 0 || s->changed == 0 ||
	    c->now - s->changed <= (time_t)days * 86400)
		return;
	s->stale = 1;
	diag_notice(c->d, NULL, 0, "[source %s]: '%s' has not changed since "
	    "%s, %lld days ago (stale-after = %u): an upstream that moved "
	    "answers 'not modified' for ever; check where it publishes now "
	    "('trustbuild stores')", s->spec.name, s->answered ? s->answered :
	    s->spec.url, cache_day(s->changed, when, sizeof(when)),
	    (long long)((c->now - s->changed) / 86400), days);
}


time_t
live_changed(const char *last_modified, time_t now)
{
	struct tm tm;
	const char *end;
	time_t t;

	if (last_modified == NULL)
		return now;
	memset(&tm, 0, sizeof(tm));
	end = strptime(last_modified, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end == NULL || *end != '\0' || (t = timegm(&tm)) == (time_t)-1 ||
	    t <= 0 || t > now)
		return now;
	return t;
}
