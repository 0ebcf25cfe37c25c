/*
 * crosscheck.c: compare a source's server-auth roots with another
 * channel's (crosscheck.h).
 *
 * The other channel is a store resolved and fetched like any source (its
 * own cache entry, no fallback: the system store is no second channel),
 * then both are parsed for server-auth and compared by SHA-256.  The
 * record STATE/crosscheck/NAME holds one line per difference, "HEX SIDE
 * FIRST-SEEN" (SIDE: 1 only in the source, 2 only in the other), written
 * anew each run: a difference that went away is forgotten.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "cert.h"
#include "crosscheck.h"
#include "format.h"
#include "state.h"
#include "text.h"
#include "xalloc.h"

/* One root in one set and not the other. */
struct xdiff {
	struct cert	*c;		/* borrowed from its set */
	int		 side;		/* 1: the source's only; 2: the other's */
	time_t		 first;		/* when first seen */
};

/* The server-auth roots of s into a new set; NULL after a message in d. */
static struct certset *
roots_of(struct acquire_src *s, const char *label, struct diags *d)
{
	struct certset *set = certset_new();
	struct blocklist *bl = blocklist_new();
	int got;

	if (bl == NULL) {
		certset_free(set);
		return NULL;
	}
	if (s->buf != NULL)
		got = format_parse_members(label, s->buf, s->len,
		    s->spec.member, PURPOSE_SERVER_AUTH, set, bl, d);
	else
		got = source_load(s->spec.path, PURPOSE_SERVER_AUTH, set, bl,
		    d);
	blocklist_free(bl);
	if (got == -1) {
		certset_free(set);
		return NULL;
	}
	return set;
}

/* Is c a root for server-auth (trusted, or a file that says nothing)? */
static int
is_root(const struct cert *c)
{
	return cert_trust_for(c->trust, PURPOSE_SERVER_AUTH) !=
	    TRUST_NOT_TRUSTED;
}

/* When the record says hex on side was first seen, or now. */
static time_t
first_seen(const char *rec, const char *hex, int side, time_t now)
{
	const char *p = rec;
	char h[65];
	long long t;
	int sd, off;

	while (p != NULL && *p != '\0') {
		if (sscanf(p, "%64s %d %lld%n", h, &sd, &t, &off) == 3 &&
		    strcmp(h, hex) == 0 && sd == side && t > 0 && t <= now)
			return (time_t)t;
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return now;
}

/* The other channel: the store, fetched, parsed; -1 after a message. */
static int
other_get(const struct acquire_ctx *c, const struct acquire_src *s,
    struct acquire_src *x, struct diags *d)
{
	struct acquire_ctx xc = *c;
	struct source_spec cs;
	int rc;

	memset(&cs, 0, sizeof(cs));
	cs.name = xasprintf("%s.cross-check", s->spec.name);
	cs.store = s->spec.cross_check;
	rc = acquire_resolve(&cs, x, d);
	free(cs.name);
	if (rc == -1)
		return -1;
	free(x->spec.fallback);
	x->spec.fallback = NULL;
	xc.d = d;
	return acquire_get(&xc, x);
}

/* Say one difference past its grace (or within it, with -v). */
static void
say(const struct acquire_ctx *c, const struct acquire_src *s,
    const struct xdiff *x, unsigned grace, int strict)
{
	char when[64], sub[1024], hex[65];
	const char *mine = s->spec.name, *other = s->spec.cross_check;

	cert_hex(x->c->sha256, 32, hex, 0);
	text_esc(cert_subject(x->c), sub, sizeof(sub));
	cache_day(x->first, when, sizeof(when));
	if (c->now - x->first < (time_t)grace * 86400) {
		diag_info(c->d, NULL, 0, "[source %s]: cross-check with %s: %s "
		    "(SHA-256 %s) is only in %s's set since %s, within "
		    "cross-check-grace (%u days)", mine, other, sub, hex,
		    x->side == 1 ? mine : other, when, grace);
		return;
	}
	diag_add(c->d, strict ? DIAG_ERR : DIAG_NOTICE, DIAG_GENERIC, NULL, 0,
	    "[source %s]: cross-check with %s: %s (SHA-256 %s) is in %s's "
	    "set and not in %s's, since %s%s", mine, other, sub, hex,
	    x->side == 1 ? mine : other, x->side == 1 ? other : mine, when,
	    strict ? "; refusing to publish (--strict)" : "");
}

/* Compare a and b, record the differences, say them; the count past grace. */
static int
compare(const struct acquire_ctx *c, const struct acquire_src *s,
    struct certset *a, struct certset *b, int strict, struct diags *d)
{
	unsigned grace = spec_days(s->spec.cross_check_grace,
	    CROSSCHECK_GRACE_DAYS);
	struct certset *sets[2] = { a, b };
	struct xdiff *v = NULL;
	char file[512], *rec = NULL, *out = NULL, hex[65];
	size_t n = 0, len = 0, i, k, na = 0;
	int past = 0, rc;

	snprintf(file, sizeof(file), "crosscheck/%s", s->spec.name);
	if (state_read(c->cfg->state, file, &rec, d) == -1)
		return -1;
	for (k = 0; k < 2; k++)
		for (i = 0; i < sets[k]->n; i++) {
			struct cert *x = sets[k]->v[i];
			struct cert *y = certset_find(sets[1 - k], x->sha256);

			if (!is_root(x))
				continue;
			na += k == 0;
			if (y != NULL && is_root(y))
				continue;
			v = xreallocarray(v, n + 1, sizeof(*v));
			v[n].c = x;
			v[n].side = (int)k + 1;
			cert_hex(x->sha256, 32, hex, 0);
			v[n].first = first_seen(rec, hex, v[n].side, c->now);
			out = xreallocarray(out, len + 100, 1);
			len += (size_t)snprintf(out + len, 100, "%s %d %lld\n",
			    hex, v[n].side, (long long)v[n].first);
			n++;
		}
	free(rec);
	rc = state_write(c->cfg->state, file, out ? out : "", len, d);
	free(out);
	if (rc == -1) {
		free(v);
		return -1;
	}
	for (i = 0; i < n; i++) {
		say(c, s, &v[i], grace, strict);
		past += c->now - v[i].first >= (time_t)grace * 86400;
	}
	if (n == 0)
		diag_info(c->d, NULL, 0, "[source %s]: cross-check with %s: "
		    "the %zu server-auth roots agree", s->spec.name,
		    s->spec.cross_check, na);
	free(v);
	return past;
}

int
crosscheck_source(const struct acquire_ctx *c, struct acquire_src *s,
    int strict)
{
	struct acquire_src x;
	struct certset *a = NULL, *b = NULL;
	struct diags d = DIAGS_INIT, mine = DIAGS_INIT;
	const char *err;
	int rc = 0, past;

	if (s->spec.cross_check == NULL)
		return 0;
	if (s->spec.role != ROLE_ANCHORS) {
		diag_err(c->d, NULL, 0, "[source %s]: cross-check compares "
		    "roots, and this source's role is not anchors; remove "
		    "cross-check from it", s->spec.name);
		return -1;
	}
	memset(&x, 0, sizeof(x));
	/* the source's own lines were said when it was read */
	a = roots_of(s, s->spec.url ? s->spec.url : s->spec.path, &mine);
	if (a == NULL || other_get(c, s, &x, &d) == -1 ||
	    (b = roots_of(&x, x.spec.url ? x.spec.url : x.spec.path,
	    &d)) == NULL) {
		err = a == NULL ? diags_first_err(&mine) : diags_first_err(&d);
		diag_add(c->d, strict ? DIAG_ERR : DIAG_NOTICE, DIAG_GENERIC,
		    NULL, 0, "[source %s]: no cross-check with %s this run%s: "
		    "%s", s->spec.name, s->spec.cross_check, strict ?
		    " (--strict: nothing is published)" : "", err ? err :
		    "see above");
		rc = strict ? -1 : 0;
		goto out;
	}
	/* the other channel's notices (a cached copy stands in...) */
	diags_move(c->d, &d);
	if ((past = compare(c, s, a, b, strict, c->d)) == -1)
		rc = -1;
	else if (past > 0 && strict)
		rc = -1;
out:
	diags_clear(&d);
	diags_clear(&mine);
	certset_free(a);
	certset_free(b);
	acquire_src_release(&x);
	return rc;
}
