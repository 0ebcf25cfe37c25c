/*
 * cache.c: conditional downloads against a cached copy (cache.h).
 *
 * The record of a copy is written and read by state.c (one format, one
 * place); this module is the protocol around it: hand out a copy only when
 * it matches its record, ask the server with its validators, keep a new
 * body with the validators of the answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cert.h"
#include "cache.h"

int
cache_open(const char *state, const char *name, const char *url,
    struct cache_entry *e, struct diags *d)
{
	int got;

	memset(e, 0, sizeof(*e));
	if (state == NULL)
		return 0;
	if ((got = state_cache_get(state, name, url, &e->meta, &e->data,
	    &e->len, d)) != 1) {
		memset(e, 0, sizeof(*e));
		return got;
	}
	return 1;
}

int
cache_fetch(const struct cache_entry *e, const char *url,
    const struct fetch_opts *o, struct fetch_result *r, struct diags *d)
{
	int have = e != NULL && e->data != NULL;

	return fetch_get(url, have ? e->meta.etag : NULL,
	    have ? e->meta.last_modified : NULL, o, r, d);
}

int
cache_keep(const char *state, const char *name, const char *url,
    const struct fetch_result *r, time_t now, const struct cache_vouch *v,
    const unsigned char *data, size_t len, struct diags *d)
{
	struct state_meta m;

	memset(&m, 0, sizeof(m));
	m.url = (char *)url;
	m.etag = r->etag;
	m.last_modified = r->last_modified;
	m.fetched = now;
	m.changed = v != NULL ? v->changed : 0;
	if (v != NULL && v->pin != NULL)
		snprintf(m.pin, sizeof(m.pin), "%s", v->pin);
	if (v != NULL && v->sha256_url != NULL && v->vouched != NULL &&
	    v->vouched[0] != '\0') {
		snprintf(m.vouched, sizeof(m.vouched), "%s", v->vouched);
		m.sha256_url = (char *)v->sha256_url;
	}
	return state_cache_put(state, name, &m, data, len, d);
}

int
cache_vouched(const struct cache_entry *e, const char *state,
    const char *name, const char *pin, const char *sha256_url,
    struct diags *d)
{
	const struct state_meta *m = &e->meta;

	if (pin != NULL && strcmp(m->pin, pin) != 0) {
		diag_info(d, NULL, 0, "'%s/cache/%s': cached %s; the pin "
		    "changed: it is not used", state, name, m->pin[0] ?
		    "under another pin" : "without a pin");
		return 0;
	}
	if (pin != NULL && strcmp(m->sha256, pin) != 0) {
		diag_err(d, NULL, 0, "'%s/cache/%s': SHA-256 %s is not the "
		    "pinned %s of [source %s]; the cached copy was altered: "
		    "remove it and its .meta to download anew", state, name,
		    m->sha256, pin, name);
		return -1;
	}
	if (pin != NULL || sha256_url == NULL)
		return 1;
	if (m->sha256_url == NULL || strcmp(m->sha256_url, sha256_url) !=
	    0) {
		diag_info(d, NULL, 0, "'%s/cache/%s': not checked against "
		    "'%s'; it is not used", state, name, sha256_url);
		return 0;
	}
	if (strcmp(m->sha256, m->vouched) != 0) {
		diag_err(d, NULL, 0, "'%s/cache/%s': SHA-256 %s is not the %s "
		    "that '%s' gave for it; the cached copy was altered: "
		    "remove it and its .meta to download anew", state, name,
		    m->sha256, m->vouched, sha256_url);
		return -1;
	}
	return 1;
}

const char *
cache_day(time_t t, char *buf, size_t size)
{
	if (cert_time_fmt(t, "%Y-%m-%d %H:%M UTC", buf, size) == NULL)
		snprintf(buf, size, "an unknown date");
	return buf;
}

void
cache_close(struct cache_entry *e)
{
	if (e == NULL)
		return;
	state_meta_release(&e->meta);
	free(e->data);
	memset(e, 0, sizeof(*e));
}
