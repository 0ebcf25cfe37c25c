/*
 * acquire.c: one configured source's bytes for this run (acquire.h).
 *
 * A local source is read as it is (a directory is fingerprinted by what
 * the loader would read of it).  A download runs the state machine of
 * acquire.h; each state is one function that returns the next.  The
 * failure that sends a download to its cached copy or its fallback is
 * kept as the "reason", and the state that knows what stands in says it
 * all in one line.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acquire.h"
#include "cache.h"
#include "central.h"
#include "fetch.h"
#include "fingerprint.h"
#include "format.h"
#include "live.h"
#include "log.h"
#include "state.h"
#include "store.h"
#include "text.h"
#include "xalloc.h"

#define CHECKSUM_MAX	(64 * 1024)

void
acquire_src_release(struct acquire_src *s)
{
	spec_release(&s->spec);
	free(s->buf);
	certset_free(s->set);
	blocklist_free(s->bl);
	rollback_release(&s->next);
	central_free(s->central);
}

int
acquire_resolve(const struct source_spec *cs, struct acquire_src *s,
    struct diags *d)
{
	memset(s, 0, sizeof(*s));
	s->ncerts = -1;
	return spec_resolve(cs, &s->spec, d);
}

int
acquire_parse(struct acquire_src *s, enum purpose purpose, const char *label,
    struct diags *d)
{
	int want = s->spec.role == ROLE_BLOCKLIST ? CERTDATA_ALL : (int)purpose;
	enum source_format f;
	int got;

	if (s->central != NULL)		/* a signed store: central.h */
		return central_parse(s, d);
	certset_free(s->set);
	blocklist_free(s->bl);
	s->set = certset_new();
	s->bl = blocklist_new();
	if (s->set == NULL || s->bl == NULL) {
		diag_err(d, NULL, 0, "out of memory");
		return -1;
	}
	if (s->buf == NULL) {
		char *p = NULL;

		if (s->spec.member != NULL)
			p = xasprintf("%s#%s", s->spec.path, s->spec.member);
		got = p ? source_load(p, want, s->set, s->bl, d) :
		    source_load_dropin(s->spec.path, want, s->set, s->bl, d);
		free(p);
	} else {
		f = format_detect(s->buf, s->len);
		if (s->spec.fmt != FORMAT_UNKNOWN && f != s->spec.fmt) {
			diag_err(d, NULL, 0, "'%s': [source %s] is %s, but "
			    "this is %s", label, s->spec.name,
			    format_name(s->spec.fmt), f == FORMAT_UNKNOWN ?
			    "no certificate source" : format_name(f));
			return -1;
		}
		got = format_parse_members(label, s->buf, s->len,
		    s->spec.member, want, s->set, s->bl, d);
		if (got == 0 && s->spec.role != ROLE_BLOCKLIST) {
			diag_err(d, NULL, 0, "'%s': no certificates for "
			    "[source %s]", label, s->spec.name);
			return -1;
		}
	}
	if (got == -1)
		return -1;
	s->ncerts = got;
	diag_info(d, NULL, 0, "[source %s]: %d certificate%s (%s)",
	    s->spec.name, got, got == 1 ? "" : "s", s->origin);
	return 0;
}

/* Use the local file or directory at s->spec.path. */
static int
get_local(struct acquire_src *s, struct diags *d)
{
	struct stat st;

	if (stat(s->spec.path, &st) == -1) {
		diag_err(d, NULL, 0, "'%s': [source %s]: %s", s->spec.path,
		    s->spec.name, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		if (s->spec.sha256 != NULL) {
			diag_err(d, NULL, 0, "'%s': [source %s] pins a "
			    "SHA-256, but this is a directory", s->spec.path,
			    s->spec.name);
			return -1;
		}
		snprintf(s->origin, sizeof(s->origin), "local directory");
		return fingerprint_dir(s->spec.path, s->fp, d);
	}
	if (source_read_file(s->spec.path, SOURCE_MAX_FILE, &s->buf, &s->len,
	    d) == -1)
		return -1;
	state_sha256_hex(s->buf, s->len, s->fp);
	if (s->spec.sha256 != NULL && strcmp(s->fp, s->spec.sha256) != 0) {
		diag_err(d, NULL, 0, "'%s': SHA-256 %s is not the pinned %s "
		    "of [source %s]", s->spec.path, s->fp, s->spec.sha256,
		    s->spec.name);
		return -1;
	}
	snprintf(s->origin, sizeof(s->origin), "local file");
	return 0;
}

/* The states of a download (acquire.h). */
enum acquire_state {
	ACQ_CACHE,
	ACQ_FETCH,
	ACQ_RECHECK,
	ACQ_CHECK,
	ACQ_KEEP,
	ACQ_CACHED,
	ACQ_FALLBACK,
	ACQ_DONE,
	ACQ_FAIL
};

/* One download on its way through the states. */
struct dl {
	const struct acquire_ctx *c;
	struct acquire_src *s;
	struct cache_entry e;		/* the cached copy, if usable */
	struct fetch_opts o;
	struct fetch_result res;
	char		 vouched[65];	/* what the checksum file gave, or "" */
	char		 why[1024];	/* why the download does not stand */
	size_t		 mirror;	/* 0: spec.url, then spec.mirrors[] */
	char		 tried[2048];	/* why the mirrors before did not */
};

/* The url this download tries now: the source's, or one of its mirrors. */
static const char *
cur_url(const struct dl *dl)
{
	const struct source_spec *sp = &dl->s->spec;

	return dl->mirror == 0 ? sp->url : sp->mirrors[dl->mirror - 1];
}

/* Is url one of the source's urls? */
static int
is_mirror(const struct source_spec *sp, const char *url)
{
	size_t i;

	if (strcmp(sp->url, url) == 0)
		return 1;
	for (i = 0; i < sp->nmirrors; i++)
		if (strcmp(sp->mirrors[i], url) == 0)
			return 1;
	return 0;
}

static void
fetch_opts(const struct acquire_ctx *c, const struct acquire_src *s,
    struct fetch_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->label = s->spec.name;
	o->connect_timeout = c->cfg->connect_timeout;
	o->timeout = c->cfg->timeout;
	o->max_size = s->spec.max_size ? s->spec.max_size : c->cfg->max_size;
	o->ca = s->spec.ca ? s->spec.ca : c->cfg->ca;
	o->progress = log_verbosity >= LOG_NORMAL && isatty(2);
}

/*
 * Move the entries of from to to, but the first error, which becomes the
 * reason in why (or dflt when there is none); from is left empty.
 */
static void
take_reason(struct diags *to, struct diags *from, const char *dflt,
    char *why, size_t size)
{
	char buf[2048];
	size_t i;
	int took = 0;

	snprintf(why, size, "%s", dflt);
	for (i = 0; i < from->n; i++) {
		const struct diag *e = &from->v[i];

		if (e->level == DIAG_ERR && !took) {
			snprintf(why, size, "%s", diag_format(e, buf,
			    sizeof(buf)));
			took = 1;
			continue;
		}
		diag_add(to, e->level, e->code, e->file, e->line, "%s",
		    e->msg);
	}
	diags_clear(from);
}

/*
 * GET the current url (conditionally on e when e was fetched from it); -1
 * with the reason in dl->why.
 */
static int
download(struct dl *dl, const struct cache_entry *e)
{
	struct diags fd = DIAGS_INIT;
	const char *url = cur_url(dl);
	char dflt[1024];

	if (e != NULL && (e->data == NULL || strcmp(e->meta.url, url) != 0))
		e = NULL;
	if (cache_fetch(e, url, &dl->o, &dl->res, &fd) == 0) {
		diags_move(dl->c->d, &fd);
		return 0;
	}
	live_fetch_advice(&fd, &dl->o, 1);
	snprintf(dflt, sizeof(dflt), "'%s' could not be fetched", url);
	take_reason(dl->c->d, &fd, dflt, dl->why, sizeof(dl->why));
	return -1;
}

/*
 * The SHA-256 that the checksum file gives for the download, into want; -1
 * with why the checksum file cannot vouch in dl->why.
 */
static int
checksum_get(struct dl *dl, char want[65])
{
	struct acquire_src *s = dl->s;
	struct fetch_opts o;
	struct fetch_result cr;
	struct diags fd = DIAGS_INIT;
	char err[768], file[256];
	int n;

	fetch_opts(dl->c, s, &o);
	o.max_size = CHECKSUM_MAX;
	o.progress = 0;
	if (fetch_get(s->spec.sha256_url, NULL, NULL, &o, &cr, &fd) == -1) {
		live_fetch_advice(&fd, &o, 0);
		take_reason(dl->c->d, &fd, "", err, sizeof(err));
		snprintf(dl->why, sizeof(dl->why), "checksum file %s; check "
		    "sha256-url: without it the download is refused", err);
		return -1;
	}
	diags_move(dl->c->d, &fd);
	fetch_url_file(cur_url(dl), file, sizeof(file));
	n = fetch_checksum(cr.body, cr.len, file, want);
	fetch_result_release(&cr);
	if (n == -1)
		snprintf(dl->why, sizeof(dl->why), "'%s': holds no SHA-256 (64 "
		    "hex digits); the download is refused", s->spec.sha256_url);
	else if (n != 0)
		snprintf(dl->why, sizeof(dl->why), "'%s': %d SHA-256 line%s, "
		    "none for '%s'; the download is refused",
		    s->spec.sha256_url, n, text_s((size_t)n), file);
	return n == 0 ? 0 : -1;
}

/*
 * Check a new body against its pin or its publisher's checksum file; the
 * SHA-256 a checksum file vouched for goes into dl->vouched.
 */
static int
check_integrity(struct dl *dl)
{
	struct acquire_src *s = dl->s;
	char got[65], want[65];

	dl->vouched[0] = '\0';
	state_sha256_hex(s->buf, s->len, got);
	if (s->spec.sha256 != NULL) {
		if (strcmp(got, s->spec.sha256) == 0)
			return 0;
		snprintf(dl->why, sizeof(dl->why), "'%s': SHA-256 %s is not "
		    "the pinned %s; the download is refused", cur_url(dl), got,
		    s->spec.sha256);
		return -1;
	}
	if (s->spec.sha256_url == NULL)
		return 0;
	if (checksum_get(dl, want) == -1)
		return -1;
	if (strcmp(got, want) != 0) {
		snprintf(dl->why, sizeof(dl->why), "'%s': SHA-256 %s is not "
		    "%s from '%s'; the download is refused", cur_url(dl), got,
		    want, s->spec.sha256_url);
		return -1;
	}
	memcpy(dl->vouched, want, 65);
	return 0;
}

/* The download does not stand (dl->why): what stands in for it. */
static enum acquire_state
stand_in(struct dl *dl)
{
	struct acquire_src *s = dl->s;

	/* a body that was refused leaves no set behind */
	free(s->buf);
	s->buf = NULL;
	s->len = 0;
	certset_free(s->set);
	s->set = NULL;
	if (dl->tried[0] != '\0') {
		/* every mirror's reason, in the order they were tried */
		char all[sizeof(dl->tried) + sizeof(dl->why) + 4];

		snprintf(all, sizeof(all), "%s; %s", dl->tried, dl->why);
		memcpy(dl->why, all, sizeof(dl->why) - 1);
		dl->why[sizeof(dl->why) - 1] = '\0';
	}
	if (dl->e.data != NULL)
		return ACQ_CACHED;
	if (s->spec.fallback != NULL)
		return ACQ_FALLBACK;
	if (dl->c->offline)
		diag_err(dl->c->d, NULL, 0, "[source %s]: nothing is cached in "
		    "'%s/cache' to stand in for the download; run once without "
		    "--offline", s->spec.name, dl->c->cfg->state);
	else
		diag_err(dl->c->d, NULL, 0, "[source %s]: nothing is cached in "
		    "'%s/cache' to stand in for the download; check the url "
		    "and the network, or give the source a fallback: %s",
		    s->spec.name, dl->c->cfg->state, dl->why);
	return ACQ_FAIL;
}

/*
 * The current url did not answer, or its bytes were refused (dl->why):
 * the next mirror, or what stands in when there is none.
 */
static enum acquire_state
next_mirror(struct dl *dl)
{
	struct acquire_src *s = dl->s;
	size_t n = strlen(dl->tried);

	if (dl->mirror >= s->spec.nmirrors)
		return stand_in(dl);
	free(s->buf);
	s->buf = NULL;
	s->len = 0;
	certset_free(s->set);
	s->set = NULL;
	fetch_result_release(&dl->res);
	memset(&dl->res, 0, sizeof(dl->res));
	snprintf(dl->tried + n, sizeof(dl->tried) - n, "%s%s", n ? "; " : "",
	    dl->why);
	dl->mirror++;
	diag_info(dl->c->d, NULL, 0, "[source %s]: %s; trying mirror %zu of "
	    "%zu, '%s'", s->spec.name, dl->why, dl->mirror, s->spec.nmirrors,
	    cur_url(dl));
	return ACQ_FETCH;
}

/* The cached copy, if one may stand for the source. */
static enum acquire_state
st_cache(struct dl *dl)
{
	struct acquire_src *s = dl->s;
	int got;

	if ((got = cache_open(dl->c->cfg->state, s->spec.name, NULL, &dl->e,
	    dl->c->d)) == -1)
		return ACQ_FAIL;
	if (got == 1 && !is_mirror(&s->spec, dl->e.meta.url)) {
		diag_info(dl->c->d, NULL, 0, "'%s/cache/%s.meta': cached from "
		    "'%s', not one of [source %s]'s urls; fetching anew",
		    dl->c->cfg->state, s->spec.name, dl->e.meta.url,
		    s->spec.name);
		cache_close(&dl->e);
		got = 0;
	}
	if (got == 1 && (got = cache_vouched(&dl->e, dl->c->cfg->state,
	    s->spec.name, s->spec.sha256, s->spec.sha256_url, dl->c->d)) != 1) {
		cache_close(&dl->e);
		if (got == -1)
			return ACQ_FAIL;
	}
	if (dl->c->offline) {
		snprintf(dl->why, sizeof(dl->why), "--offline");
		return stand_in(dl);
	}
	return ACQ_FETCH;
}

/* The cached copy, confirmed by the server. */
static enum acquire_state
not_modified(struct dl *dl)
{
	struct acquire_src *s = dl->s;
	char when[64];

	diag_info(dl->c->d, NULL, 0, "'%s': not modified since %s", cur_url(dl),
	    cache_day(dl->e.meta.fetched, when, sizeof(when)));
	s->answered = cur_url(dl);
	s->changed = dl->e.meta.changed;
	s->buf = dl->e.data;
	s->len = dl->e.len;
	dl->e.data = NULL;
	memcpy(s->fp, dl->e.meta.sha256, sizeof(s->fp));
	snprintf(s->origin, sizeof(s->origin), "not modified");
	return ACQ_DONE;
}

/* A conditional GET against the cached copy. */
static enum acquire_state
st_fetch(struct dl *dl)
{
	struct acquire_src *s = dl->s;

	fetch_opts(dl->c, s, &dl->o);
	if (download(dl, &dl->e) == -1)
		return next_mirror(dl);
	if (!dl->res.not_modified)
		return ACQ_CHECK;
	if (s->spec.sha256 == NULL && s->spec.sha256_url != NULL)
		return ACQ_RECHECK;
	return not_modified(dl);
}

/* A 304 with a checksum file: does it still vouch for the cached copy? */
static enum acquire_state
st_recheck(struct dl *dl)
{
	struct acquire_src *s = dl->s;
	char want[65];

	if (checksum_get(dl, want) == -1)
		return stand_in(dl);
	if (strcmp(want, dl->e.meta.sha256) == 0)
		return not_modified(dl);
	diag_info(dl->c->d, NULL, 0, "'%s': now gives %s, not the %s of the "
	    "cached copy; fetching anew", s->spec.sha256_url, want,
	    dl->e.meta.sha256);
	fetch_result_release(&dl->res);
	memset(&dl->res, 0, sizeof(dl->res));
	if (download(dl, NULL) == -1)
		return stand_in(dl);
	return ACQ_CHECK;
}

/* A new body: checked and parsed before it replaces the cached copy. */
static enum acquire_state
st_check(struct dl *dl)
{
	struct acquire_src *s = dl->s;
	struct diags pd = DIAGS_INIT;

	s->buf = dl->res.body;
	s->len = dl->res.len;
	dl->res.body = NULL;
	snprintf(s->origin, sizeof(s->origin), "fetched");
	if (s->central != NULL)		/* a signed store: central.h */
		return central_check(dl->c, s) == -1 ? ACQ_FAIL : ACQ_KEEP;
	if (check_integrity(dl) == -1)
		return next_mirror(dl);
	if (acquire_parse(s, dl->c->cfg->purpose, cur_url(dl), &pd) == -1) {
		take_reason(dl->c->d, &pd, "the download was refused", dl->why,
		    sizeof(dl->why));
		return next_mirror(dl);
	}
	diags_move(dl->c->d, &pd);
	return ACQ_KEEP;
}

/* The checked body replaces the cached copy. */
static enum acquire_state
st_keep(struct dl *dl)
{
	struct acquire_src *s = dl->s;
	struct cache_vouch v;

	state_sha256_hex(s->buf, s->len, s->fp);
	memset(&v, 0, sizeof(v));
	v.pin = s->spec.sha256;
	v.sha256_url = s->spec.sha256_url;
	v.vouched = dl->vouched;
	/* the same bytes again (another mirror, no validators) change nothing */
	v.changed = dl->e.data != NULL && strcmp(dl->e.meta.sha256, s->fp) ==
	    0 ? dl->e.meta.changed : live_changed(dl->res.last_modified,
	    dl->c->now);
	if (cache_keep(dl->c->cfg->state, s->spec.name, cur_url(dl), &dl->res,
	    dl->c->now, &v, s->buf, s->len, dl->c->d) == -1)
		return ACQ_FAIL;
	s->answered = cur_url(dl);
	s->changed = v.changed;
	return ACQ_DONE;
}

/* The cached copy stands in for a download that failed. */
static enum acquire_state
st_cached(struct dl *dl)
{
	struct acquire_src *s = dl->s;
	char when[64];

	cache_day(dl->e.meta.fetched, when, sizeof(when));
	if (!dl->c->offline)
		diag_notice(dl->c->d, NULL, 0, "[source %s]: using the copy "
		    "cached on %s: %s", s->spec.name, when, dl->why);
	s->buf = dl->e.data;
	s->len = dl->e.len;
	dl->e.data = NULL;
	memcpy(s->fp, dl->e.meta.sha256, sizeof(s->fp));
	snprintf(s->origin, sizeof(s->origin), "cached on %s", when);
	s->cached = dl->e.meta.fetched;
	s->changed = dl->e.meta.changed;
	return ACQ_DONE;
}

/* The file to change the configuration in: the built-in one's too. */
static const char *
conf_file(const struct config *c)
{
	const char *def = getenv("TRUSTBUILD_CONF");

	if (strcmp(c->file, "built-in") != 0)
		return c->file;
	return def != NULL && *def != '\0' ? def : CONFIG_FILE;
}

/* Does [source name] of c give its own url (not its store's)? */
static int
own_url(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nsrc; i++)
		if (strcmp(c->src[i].name, name) == 0)
			return c->src[i].url != NULL;
	return 0;
}

/* The fallback of s, as a local source in place of its download. */
static enum acquire_state
st_fallback(struct dl *dl)
{
	struct acquire_src *s = dl->s;
	struct source_spec cs, fb;
	struct diags fd = DIAGS_INIT;
	const char *err;
	int by_path = strchr(s->spec.fallback, '/') != NULL;

	memset(&cs, 0, sizeof(cs));
	cs.name = (char *)s->spec.name;
	if (strchr(s->spec.fallback, '/') != NULL)
		cs.url = s->spec.fallback;
	else
		cs.store = s->spec.fallback;
	if (spec_resolve(&cs, &fb, &fd) == -1)
		goto fail;
	if (fb.url != NULL) {
		diag_err(&fd, NULL, 0, "it is itself a download; a fallback "
		    "must be local");
		spec_release(&fb);
		goto fail;
	}
	free(s->spec.path);
	free(s->spec.member);
	free(s->spec.sha256);
	s->spec.path = fb.path;
	s->spec.member = fb.member;
	s->spec.sha256 = fb.sha256;
	s->spec.fmt = fb.fmt;
	fb.path = fb.member = fb.sha256 = NULL;
	spec_release(&fb);
	if (get_local(s, &fd) == -1)
		goto fail;
	diag_notice(dl->c->d, NULL, 0, "[source %s]: nothing is cached; using "
	    "the fallback '%s' ('%s'): %s; if this host is not to reach it, "
	    "set '%s = %s'%s in [source %s] of '%s'", s->spec.name,
	    s->spec.fallback, s->spec.path, dl->why, by_path ? "url" : "store",
	    s->spec.fallback, !by_path && own_url(dl->c->cfg, s->spec.name) ?
	    " in place of its 'url'" : "", s->spec.name,
	    conf_file(dl->c->cfg));
	diags_move(dl->c->d, &fd);
	snprintf(s->origin, sizeof(s->origin), "fallback %s", s->spec.fallback);
	return ACQ_DONE;
fail:
	err = diags_first_err(&fd);
	diag_err(dl->c->d, NULL, 0, "[source %s]: nothing is cached, and the "
	    "fallback '%s' cannot stand in (%s): %s", s->spec.name,
	    s->spec.fallback, err != NULL ? err : "see above", dl->why);
	diags_clear(&fd);
	return ACQ_FAIL;
}

/* A download's bytes: fresh, not modified, cached, or the fallback. */
static int
get_remote(const struct acquire_ctx *c, struct acquire_src *s)
{
	struct dl dl;
	enum acquire_state st = ACQ_CACHE;
	const char *url;

	memset(&dl, 0, sizeof(dl));
	dl.c = c;
	dl.s = s;
	while (st != ACQ_DONE && st != ACQ_FAIL) {
		switch (st) {
		case ACQ_CACHE:
			st = st_cache(&dl);
			break;
		case ACQ_FETCH:
			st = st_fetch(&dl);
			break;
		case ACQ_RECHECK:
			st = st_recheck(&dl);
			break;
		case ACQ_CHECK:
			st = st_check(&dl);
			break;
		case ACQ_KEEP:
			st = st_keep(&dl);
			break;
		case ACQ_CACHED:
			st = st_cached(&dl);
			break;
		case ACQ_FALLBACK:
			st = st_fallback(&dl);
			break;
		default:
			st = ACQ_FAIL;
			break;
		}
	}
	cache_close(&dl.e);
	fetch_result_release(&dl.res);
	if (st != ACQ_DONE)
		return -1;
	if (s->answered != NULL)
		diag_info(c->d, NULL, 0, "[source %s]: '%s' answered%s",
		    s->spec.name, s->answered, s->answered == s->spec.url ?
		    "" : " (a mirror)");
	if (s->spec.path == NULL)
		live_stale(c, s);
	/* said when the download's bytes are used (not its fallback's) */
	url = s->answered != NULL ? s->answered : s->spec.url;
	if (url != NULL && s->spec.path == NULL &&
	    s->spec.sha256 == NULL && s->spec.sha256_url == NULL &&
	    s->central == NULL && strncmp(url, "http://", 7) == 0)
		diag_warn(c->d, NULL, 0, "[source %s]: '%s' is plain http, "
		    "checked by neither 'sha256 =' nor 'sha256-url ='; anyone "
		    "on the way can change it: use https, or pin it",
		    s->spec.name, url);
	return 0;
}

int
acquire_get(const struct acquire_ctx *c, struct acquire_src *s)
{
	if (central_init(c, s) == -1)	/* a signed store: central.h */
		return -1;
	return s->spec.url != NULL ? get_remote(c, s) : get_local(s, c->d);
}
