/*
 * cmd_update.c: "trustbuild update": the configured sources, fetched and
 * cached, to the published store; the job cron runs.
 *
 * configuration -> each source's bytes (a local file or directory; or a
 * download: conditional GET against the cached copy, checked by pin or
 * checksum file, parsed, then cached; on failure the cached copy, then the
 * fallback) -> if nothing differs from the last published run, stop here
 * (a 304 costs no parsing) -> policy -> the diff against what is published
 * and the shrink guard -> the writers -> hooks.
 *
 * Boring by design: quiet with -q unless something changed or went wrong;
 * the published store is never touched by a failed run.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "capath.h"
#include "certdata.h"
#include "cmd.h"
#include "config.h"
#include "fetch.h"
#include "hooks.h"
#include "log.h"
#include "manifest.h"
#include "output.h"
#include "policy.h"
#include "probeset.h"
#include "publish.h"
#include "rollback.h"
#include "source.h"
#include "state.h"
#include "store.h"
#include "text.h"
#include "xalloc.h"

#define BUNDLE_NAME	"ca-bundle.with.intermediate.crt"
#define CAPATH_NAME	"certs"
#define CHECKSUM_MAX	(64 * 1024)

const char *cmd_config;

/* One configured source, resolved, with the bytes it yields this run. */
struct src {
	const char	*name;
	char		*url;		/* a download, or NULL */
	char		*path;		/* a local file or directory, or NULL */
	char		*member;	/* glob of archive members, or NULL */
	enum source_format fmt;		/* what it must be; 0: any source */
	enum config_role role;
	char		*pin;		/* 64 hex digits, or NULL */
	char		*sha256_url;
	char		*ca;
	char		*fallback;
	size_t		 max_size;
	/* this run */
	unsigned char	*buf;		/* the bytes, or NULL for a directory */
	size_t		 len;
	char		 fp[65];	/* what the bytes are (SHA-256) */
	char		 origin[128];	/* for -v: fetched, cached, fallback */
	struct certset	*set;		/* parsed, or NULL: not yet */
	struct blocklist *bl;
	struct rollback	 next;		/* its record, kept when published */
};

struct run {
	struct config	 cfg;
	struct src	*src;
	size_t		 nsrc;
	int		 offline, force, diff_only;
	time_t		 now;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: trustbuild [-c FILE] update [--out DIR] [--offline] [--force]\n"
	    "                               [--diff]\n"
	    "\n"
	    "Fetch the configured root sets, keep a cached copy of each, add\n"
	    "the intermediates the configured servers ([probe]) need, and\n"
	    "publish the trust store when it changed.  The configuration is\n"
	    "-c FILE, else " CONFIG_FILE " when it exists (see\n"
	    "trustbuild.conf(5)), else the built-in one: Mozilla's set, with\n"
	    "the system store as the fallback, published to\n"
	    "  " CONFIG_BUNDLE "\n"
	    "  " CONFIG_CAPATH "\n"
	    "\n"
	    "  -c, --config FILE  read this configuration file\n"
	    "  --out DIR          publish DIR/" BUNDLE_NAME " and\n"
	    "                     DIR/" CAPATH_NAME ", state in DIR/state\n"
	    "  --offline          fetch nothing: cached copies and local sources\n"
	    "  --force            publish even when the set shrinks past\n"
	    "                     shrink-limit or a download went back to an\n"
	    "                     older set; parse the sources even when\n"
	    "                     nothing changed\n"
	    "  --diff             show what would be added and removed; publish\n"
	    "                     nothing\n"
	    "\n"
	    "Exit status: 0 published a change (--diff: there is one), 2 nothing\n"
	    "changed, 1 error (nothing published; or a hook failed after\n"
	    "publishing).\n");
}

static void
src_release(struct src *s)
{
	free(s->url);
	free(s->path);
	free(s->member);
	free(s->pin);
	free(s->sha256_url);
	free(s->ca);
	free(s->fallback);
	free(s->buf);
	certset_free(s->set);
	blocklist_free(s->bl);
	rollback_release(&s->next);
}

static int
dup_or_null(char **dst, const char *a, const char *b)
{
	const char *v = a != NULL ? a : b;

	*dst = NULL;
	if (v != NULL && (*dst = strdup(v)) == NULL) {
		log_err("out of memory");
		return -1;
	}
	return 0;
}

/* "file:///x" and "/x" are local; "/x#GLOB" selects members of /x. */
static int
set_location(struct src *s, const char *loc)
{
	const char *p = loc;
	char *hash;

	if (strncmp(loc, "http://", 7) == 0 || strncmp(loc, "https://", 8) == 0)
		return dup_or_null(&s->url, loc, NULL);
	if (strncmp(loc, "file://", 7) == 0)
		p = loc + 7;
	if (dup_or_null(&s->path, p, NULL) == -1)
		return -1;
	if (access(s->path, F_OK) != 0 &&
	    (hash = strrchr(s->path, '#')) != NULL && s->member == NULL) {
		*hash = '\0';
		return dup_or_null(&s->member, hash + 1, NULL);
	}
	return 0;
}

/* The source of [source NAME], its store's definition filled in. */
static int
resolve(const struct config_source *cs, struct src *s)
{
	struct store st;
	int rc = -1;
	size_t i;

	memset(s, 0, sizeof(*s));
	memset(&st, 0, sizeof(st));
	s->name = cs->name;
	s->role = cs->role;
	s->fmt = cs->fmt;
	s->max_size = cs->max_size;
	if (cs->store != NULL && store_load(cs->store, &st) == -1)
		return -1;
	if (cs->store != NULL) {
		if (!cs->role_set)
			s->role = st.role == STORE_INTERMEDIATES ?
			    CONFIG_INTERMEDIATES : CONFIG_ANCHORS;
		if (cs->format == NULL)
			s->fmt = st.fmt;
	}
	if (dup_or_null(&s->member, cs->member, st.member) == -1 ||
	    dup_or_null(&s->pin, cs->sha256, st.sha256) == -1 ||
	    dup_or_null(&s->sha256_url, cs->sha256_url, st.sha256_url) == -1 ||
	    dup_or_null(&s->ca, cs->ca, NULL) == -1 ||
	    dup_or_null(&s->fallback, cs->fallback, st.fallback) == -1)
		goto out;
	if (cs->url != NULL || st.url != NULL) {
		if (set_location(s, cs->url != NULL ? cs->url : st.url) == -1)
			goto out;
	} else {
		for (i = 0; i < st.npaths && s->path == NULL; i++)
			if (access(st.paths[i], R_OK) == 0 &&
			    dup_or_null(&s->path, st.paths[i], NULL) == -1)
				goto out;
		if (s->path == NULL) {
			log_err("[source %s]: none of the paths of store '%s' "
			    "exists here (%s); give 'url = PATH'", cs->name,
			    st.name, st.file);
			goto out;
		}
	}
	rc = 0;
out:
	store_release(&st);
	return rc;
}

/*
 * Fingerprint a directory by what source_load() would read of it: the
 * names it walks (sorted, dot names skipped), and for each file, or
 * symbolic link to a file, the SHA-256 of its content; a link to a
 * directory below the top is not followed, as by the loader.
 */
struct walk {
	EVP_MD_CTX	*md;
	size_t		 n;		/* names seen, at most WALK_MAX */
};
#define WALK_MAX	100000

/*
 * The SHA-256 of a file's content as hex; -1 if it cannot be read or
 * grows past what the loader reads.
 */
static int
file_sha256(const char *path, char out[65])
{
	EVP_MD_CTX *md;
	struct stat st;
	unsigned char buf[65536], d[32];
	size_t total = 0;
	ssize_t n;
	int fd, rc = -1;

	/* non-blocking: a FIFO swapped in after stat() must not hang us */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (md = EVP_MD_CTX_new()) == NULL) {
		close(fd);
		return -1;
	}
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		while (((n = read(fd, buf, sizeof(buf))) > 0 ||
		    (n == -1 && errno == EINTR)) && total <= SOURCE_MAX_FILE)
			if (n > 0) {
				EVP_DigestUpdate(md, buf, (size_t)n);
				total += (size_t)n;
			}
		if (n == 0 && EVP_DigestFinal_ex(md, d, NULL)) {
			cert_hex(d, 32, out, 0);
			rc = 0;
		}
	}
	EVP_MD_CTX_free(md);
	close(fd);
	return rc;
}

static int
walk_dir(struct walk *w, const char *path, int depth)
{
	char **names, *full, line[128];
	size_t n, i, use;
	int rc = -1;
	struct diags d = DIAGS_INIT;

	if (source_dir_names(path, &names, &n, &d) == -1) {
		diags_report(&d);
		return -1;
	}
	/* past WALK_MAX names the loader will say what is wrong */
	use = w->n >= WALK_MAX ? 0 : n < WALK_MAX - w->n ? n : WALK_MAX - w->n;
	w->n += n;
	for (i = 0; i < use; i++) {
		struct stat st, lst;
		char hex[65];

		if (asprintf(&full, "%s/%s", path, names[i]) == -1) {
			log_err("'%s': out of memory", path);
			goto out;
		}
		EVP_DigestUpdate(w->md, full, strlen(full) + 1);
		if (stat(full, &st) == -1)
			snprintf(line, sizeof(line), " missing %d\n", errno);
		else if (S_ISDIR(st.st_mode) && lstat(full, &lst) == 0 &&
		    S_ISLNK(lst.st_mode))
			snprintf(line, sizeof(line), " link to a directory\n");
		else if (S_ISDIR(st.st_mode) && depth + 1 > SOURCE_MAX_DEPTH)
			snprintf(line, sizeof(line), " too deep\n");
		else if (S_ISDIR(st.st_mode)) {
			snprintf(line, sizeof(line), " directory\n");
			EVP_DigestUpdate(w->md, line, strlen(line));
			line[0] = '\0';
			if (walk_dir(w, full, depth + 1) == -1) {
				free(full);
				goto out;
			}
		} else if (!S_ISREG(st.st_mode))
			snprintf(line, sizeof(line), " not a file\n");
		else if ((size_t)st.st_size > SOURCE_MAX_FILE)
			snprintf(line, sizeof(line), " too big %lld\n",
			    (long long)st.st_size);
		else if (file_sha256(full, hex) == -1)
			snprintf(line, sizeof(line), " unreadable\n");
		else
			snprintf(line, sizeof(line), " %s\n", hex);
		EVP_DigestUpdate(w->md, line, strlen(line));
		free(full);
	}
	rc = 0;
out:
	source_names_free(names, n);
	return rc;
}

static int
dir_fingerprint(const char *path, char out[65])
{
	struct walk w;
	unsigned char d[32];
	int rc = -1;

	memset(&w, 0, sizeof(w));
	if ((w.md = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(w.md, EVP_sha256(), NULL)) {
		log_err("out of memory");
		goto out;
	}
	if (walk_dir(&w, path, 0) == -1)
		goto out;
	EVP_DigestFinal_ex(w.md, d, NULL);
	cert_hex(d, 32, out, 0);
	rc = 0;
out:
	EVP_MD_CTX_free(w.md);
	return rc;
}

/* Parse s->buf (or s->path) into a fresh s->set and s->bl. */
static int
parse_src(struct src *s, enum purpose purpose, const char *label)
{
	int want = s->role == CONFIG_BLOCKLIST ? CERTDATA_ALL : (int)purpose;
	enum source_format f;
	struct diags d = DIAGS_INIT;
	int got;

	certset_free(s->set);
	blocklist_free(s->bl);
	s->set = NULL;
	s->bl = NULL;
	if ((s->set = certset_new()) == NULL ||
	    (s->bl = blocklist_new()) == NULL) {
		log_err("out of memory");
		return -1;
	}
	if (s->buf == NULL) {
		char *p = NULL;

		if (s->member != NULL && asprintf(&p, "%s#%s", s->path,
		    s->member) == -1) {
			log_err("out of memory");
			return -1;
		}
		got = source_load(p ? p : s->path, want, s->set, s->bl, &d);
		diags_report(&d);
		free(p);
	} else {
		f = format_detect(s->buf, s->len);
		if (s->fmt != FORMAT_UNKNOWN && f != s->fmt) {
			log_err("'%s': [source %s] is %s, but this is %s", label,
			    s->name, format_name(s->fmt),
			    f == FORMAT_UNKNOWN ? "no certificate source" :
			    format_name(f));
			return -1;
		}
		got = format_parse_members(label, s->buf, s->len, s->member,
		    want, s->set, s->bl, &d);
		diags_report(&d);
		if (got == 0 && s->role != CONFIG_BLOCKLIST) {
			log_err("'%s': no certificates for [source %s]", label,
			    s->name);
			return -1;
		}
	}
	if (got == -1)
		return -1;
	log_info("[source %s]: %d certificate%s (%s)", s->name, got,
	    got == 1 ? "" : "s", s->origin);
	return 0;
}

static void
fetch_opts(const struct run *r, const struct src *s, struct fetch_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->label = s->name;
	o->connect_timeout = r->cfg.connect_timeout;
	o->timeout = r->cfg.timeout;
	o->max_size = s->max_size ? s->max_size : r->cfg.max_size;
	o->ca = s->ca ? s->ca : r->cfg.ca;
	o->progress = log_verbosity >= LOG_NORMAL && isatty(2);
}

/*
 * fetch's failure in d, with the advice of the setting to change (fetch.h
 * knows none): the timeout and the CA always; max-size and the URL for a
 * source's download, not for its checksum file (a fixed bound, and advice
 * of its own).
 */
static void
fetch_advice(struct diags *d, const struct fetch_opts *o, int download)
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
			m = xasprintf("%s; the server's certificate must verify "
			    "against %s", e->msg, o->ca ? o->ca : "the "
			    "system's CA store (or give 'ca = FILE' to "
			    "bootstrap)");
		if (m != NULL) {
			free(e->msg);
			e->msg = m;
		}
	}
}

/* The SHA-256 that s->sha256_url gives for s->url's file, into want. */
static int
checksum_get(const struct run *r, const struct src *s, char want[65])
{
	struct fetch_opts o;
	struct fetch_result cr;
	struct diags d = DIAGS_INIT;
	char file[256];
	int n;

	fetch_opts(r, s, &o);
	o.max_size = CHECKSUM_MAX;
	o.progress = 0;
	if (fetch_get(s->sha256_url, NULL, NULL, &o, &cr, &d) == -1) {
		fetch_advice(&d, &o, 0);
		log_err("[source %s]: checksum file %s; check sha256-url: "
		    "without it the download is refused", s->name,
		    diags_first_err(&d));
		diags_clear(&d);
		return -1;
	}
	fetch_url_file(s->url, file, sizeof(file));
	if ((n = fetch_checksum(cr.body, cr.len, file, want)) != 0) {
		if (n == -1)
			log_err("'%s': holds no SHA-256 (64 hex digits); the "
			    "download of [source %s] is refused",
			    s->sha256_url, s->name);
		else
			log_err("'%s': %d SHA-256 lines, none for '%s'; the "
			    "download of [source %s] is refused",
			    s->sha256_url, n, file, s->name);
		fetch_result_release(&cr);
		return -1;
	}
	fetch_result_release(&cr);
	return 0;
}

/*
 * Check a download against its pin or its publisher's checksum file; the
 * SHA-256 a checksum file vouched for goes into vouched ("" otherwise).
 */
static int
check_integrity(const struct run *r, const struct src *s,
    const unsigned char *buf, size_t len, char vouched[65])
{
	char got[65], want[65];

	vouched[0] = '\0';
	state_sha256_hex(buf, len, got);
	if (s->pin != NULL) {
		if (strcmp(got, s->pin) != 0) {
			log_err("'%s': SHA-256 %s is not the pinned %s of "
			    "[source %s]; the download is refused", s->url, got,
			    s->pin, s->name);
			return -1;
		}
		return 0;
	}
	if (s->sha256_url == NULL)
		return 0;
	if (checksum_get(r, s, want) == -1)
		return -1;
	if (strcmp(got, want) != 0) {
		log_err("'%s': SHA-256 %s is not %s from '%s'; the download is "
		    "refused", s->url, got, want, s->sha256_url);
		return -1;
	}
	memcpy(vouched, want, 65);
	return 0;
}

/*
 * May the cached copy (m, its data's SHA-256 checked by state_cache_get)
 * stand for s?  1: yes; 0: it was checked against another pin or checksum
 * file than the configuration gives now, so it is dropped (m released);
 * -1 after the one message: it was altered since it was checked.  Who can
 * edit the cache but not its .meta is caught by state_cache_get; who can
 * edit both is caught here with a pin, and online (the checksum file is
 * fetched again on a 304) with a checksum file; offline a checksum file
 * can only be compared with what the .meta says it gave.
 */
static int
cache_usable(const struct run *r, const struct src *s, struct state_meta *m)
{
	if (s->pin != NULL && strcmp(m->pin, s->pin) != 0) {
		log_info("'%s/cache/%s': cached %s; the pin changed: it is "
		    "not used", r->cfg.state, s->name, m->pin[0] ?
		    "under another pin" : "without a pin");
		state_meta_release(m);
		return 0;
	}
	if (s->pin != NULL && strcmp(m->sha256, s->pin) != 0) {
		log_err("'%s/cache/%s': SHA-256 %s is not the pinned %s of "
		    "[source %s]; the cached copy was altered: remove it and "
		    "its .meta to download anew", r->cfg.state, s->name,
		    m->sha256, s->pin, s->name);
		return -1;
	}
	if (s->pin != NULL || s->sha256_url == NULL)
		return 1;
	if (m->sha256_url == NULL || strcmp(m->sha256_url, s->sha256_url) !=
	    0) {
		log_info("'%s/cache/%s': not checked against '%s'; it is not "
		    "used", r->cfg.state, s->name, s->sha256_url);
		state_meta_release(m);
		return 0;
	}
	if (strcmp(m->sha256, m->vouched) != 0) {
		log_err("'%s/cache/%s': SHA-256 %s is not the %s that '%s' "
		    "gave for it; the cached copy was altered: remove it and "
		    "its .meta to download anew", r->cfg.state, s->name,
		    m->sha256, m->vouched, s->sha256_url);
		return -1;
	}
	return 1;
}

static const char *
day(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(buf, size, "an unknown date");
	return buf;
}

/* Use the local file or directory at s->path. */
static int
get_local(struct run *r, struct src *s)
{
	struct stat st;
	struct diags d = DIAGS_INIT;

	(void)r;
	if (stat(s->path, &st) == -1) {
		log_err("'%s': [source %s]: %s", s->path, s->name,
		    strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		if (s->pin != NULL) {
			log_err("'%s': [source %s] pins a SHA-256, but this is "
			    "a directory", s->path, s->name);
			return -1;
		}
		snprintf(s->origin, sizeof(s->origin), "local directory");
		return dir_fingerprint(s->path, s->fp);
	}
	if (source_read_file(s->path, SOURCE_MAX_FILE, &s->buf, &s->len,
	    &d) == -1) {
		diags_report(&d);
		return -1;
	}
	state_sha256_hex(s->buf, s->len, s->fp);
	if (s->pin != NULL && strcmp(s->fp, s->pin) != 0) {
		log_err("'%s': SHA-256 %s is not the pinned %s of [source %s]",
		    s->path, s->fp, s->pin, s->name);
		return -1;
	}
	snprintf(s->origin, sizeof(s->origin), "local file");
	return 0;
}

/* The fallback of s, as a local source in place of its download. */
static int
use_fallback(struct run *r, struct src *s, const char *why)
{
	struct config_source cs;
	struct src fb;

	memset(&cs, 0, sizeof(cs));
	cs.name = (char *)s->name;
	if (strchr(s->fallback, '/') != NULL)
		cs.url = s->fallback;
	else
		cs.store = s->fallback;
	if (resolve(&cs, &fb) == -1)
		return -1;
	if (fb.url != NULL) {
		log_err("[source %s]: the fallback '%s' is itself a download; "
		    "a fallback must be local", s->name, s->fallback);
		src_release(&fb);
		return -1;
	}
	log_notice("[source %s]: %s; using the fallback '%s' ('%s')", s->name,
	    why, s->fallback, fb.path);
	free(s->path);
	free(s->member);
	s->path = fb.path;
	s->member = fb.member;
	s->fmt = fb.fmt;
	free(s->pin);
	s->pin = fb.pin;
	fb.path = fb.member = fb.pin = NULL;
	src_release(&fb);
	if (get_local(r, s) == -1)
		return -1;
	snprintf(s->origin, sizeof(s->origin), "fallback %s", s->fallback);
	return 0;
}

/* A download's bytes: fresh, not modified, cached, or the fallback. */
static int
get_remote(struct run *r, struct src *s)
{
	struct state_meta m;
	struct fetch_opts o;
	struct fetch_result res;
	struct diags d = DIAGS_INIT;
	unsigned char *cbuf = NULL;
	size_t clen = 0;
	char when[64], why[256], want[65];
	int cached, rc = -1;

	memset(&m, 0, sizeof(m));
	memset(&res, 0, sizeof(res));
	if (s->pin == NULL && s->sha256_url == NULL &&
	    strncmp(s->url, "http://", 7) == 0)
		log_warn("[source %s]: '%s' is plain http, checked by neither "
		    "'sha256 =' nor 'sha256-url ='; anyone on the way can "
		    "change it: use https, or pin it", s->name, s->url);
	if ((cached = state_cache_get(r->cfg.state, s->name, s->url, &m, &cbuf,
	    &clen)) == -1)
		return -1;
	if (cached && (cached = cache_usable(r, s, &m)) != 1) {
		free(cbuf);
		cbuf = NULL;
		if (cached == -1) {
			state_meta_release(&m);
			return -1;
		}
	}
	if (r->offline) {
		snprintf(why, sizeof(why), "--offline");
		goto fallback;
	}
	fetch_opts(r, s, &o);
	if (fetch_get(s->url, cached ? m.etag : NULL,
	    cached ? m.last_modified : NULL, &o, &res, &d) == -1) {
		fetch_advice(&d, &o, 1);
		diags_report(&d);
		snprintf(why, sizeof(why), "'%s' could not be fetched",
		    s->url);
		goto fallback;
	}
	/* a 304 with a checksum file: does it still vouch for the cache? */
	if (res.not_modified && s->pin == NULL && s->sha256_url != NULL) {
		if (checksum_get(r, s, want) == -1) {
			snprintf(why, sizeof(why), "its checksum file could "
			    "not be had");
			goto fallback;
		}
		if (strcmp(want, m.sha256) != 0) {
			log_info("'%s': now gives %s, not the %s of the cached "
			    "copy; fetching anew", s->sha256_url, want,
			    m.sha256);
			fetch_result_release(&res);
			memset(&res, 0, sizeof(res));
			if (fetch_get(s->url, NULL, NULL, &o, &res, &d) ==
			    -1) {
				fetch_advice(&d, &o, 1);
				diags_report(&d);
				snprintf(why, sizeof(why), "'%s' could not be "
				    "fetched", s->url);
				goto fallback;
			}
		}
	}
	if (res.not_modified) {
		log_info("'%s': not modified since %s", s->url,
		    day(m.fetched, when, sizeof(when)));
		s->buf = cbuf;
		s->len = clen;
		cbuf = NULL;
		memcpy(s->fp, m.sha256, sizeof(s->fp));
		snprintf(s->origin, sizeof(s->origin), "not modified");
		rc = 0;
		goto out;
	}
	/* a new body: checked and parsed before it replaces the cache */
	s->buf = res.body;
	s->len = res.len;
	res.body = NULL;
	snprintf(s->origin, sizeof(s->origin), "fetched");
	if (check_integrity(r, s, s->buf, s->len, want) == -1 ||
	    parse_src(s, r->cfg.purpose, s->url) == -1) {
		free(s->buf);
		s->buf = NULL;
		snprintf(why, sizeof(why), "the download was refused");
		goto fallback;
	}
	state_sha256_hex(s->buf, s->len, s->fp);
	state_meta_release(&m);
	memset(&m, 0, sizeof(m));
	if ((m.url = strdup(s->url)) == NULL) {
		log_err("out of memory");
		goto out;
	}
	m.etag = res.etag;
	m.last_modified = res.last_modified;
	res.etag = res.last_modified = NULL;
	m.fetched = r->now;
	if (s->pin != NULL)
		snprintf(m.pin, sizeof(m.pin), "%s", s->pin);
	if (want[0] != '\0') {
		memcpy(m.vouched, want, sizeof(m.vouched));
		if ((m.sha256_url = strdup(s->sha256_url)) == NULL) {
			log_err("out of memory");
			goto out;
		}
	}
	if (state_cache_put(r->cfg.state, s->name, &m, s->buf, s->len) == -1)
		goto out;
	rc = 0;
	goto out;
fallback:
	if (cached) {
		if (!r->offline)
			log_notice("[source %s]: %s; using the copy cached on "
			    "%s", s->name, why, day(m.fetched, when,
			    sizeof(when)));
		s->buf = cbuf;
		s->len = clen;
		cbuf = NULL;
		memcpy(s->fp, m.sha256, sizeof(s->fp));
		snprintf(s->origin, sizeof(s->origin), "cached on %s",
		    day(m.fetched, when, sizeof(when)));
		certset_free(s->set);
		s->set = NULL;
		rc = 0;
	} else if (s->fallback != NULL) {
		snprintf(why + strlen(why), sizeof(why) - strlen(why),
		    " and nothing is cached");
		rc = use_fallback(r, s, why);
	} else
		log_err("[source %s]: %s and nothing is cached in '%s/cache'; "
		    "%s", s->name, why, r->cfg.state, r->offline ?
		    "run once without --offline" : "check the url and the "
		    "network, or give the source a fallback");
out:
	state_meta_release(&m);
	fetch_result_release(&res);
	free(cbuf);
	return rc;
}

/* What this run would publish from, as one SHA-256. */
static void
inputs_fingerprint(const struct run *r, char out[65])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	const struct config *c = &r->cfg;
	unsigned char d[32];
	char line[8192];
	size_t i;

	if (md == NULL || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		memset(out, '0', 64);	/* never matches a record */
		out[64] = '\0';
		return;
	}
	snprintf(line, sizeof(line), "trustbuild %s\nbundle %s\ncapath %s\n"
	    "purpose %s\nkeep-expired %d\ncompat %d\n", TRUSTBUILD_VERSION,
	    c->bundle ? c->bundle : "-", c->capath ? c->capath : "-",
	    purpose_name(c->purpose), c->keep_expired, c->compat);
	EVP_DigestUpdate(md, line, strlen(line));
	EVP_DigestUpdate(md, c->exclude, c->nexclude * 32);
	for (i = 0; i < r->nsrc; i++) {
		const struct src *s = &r->src[i];

		snprintf(line, sizeof(line), "source %s %d %s %s %s %s\n",
		    s->name, (int)s->role, s->url ? s->url : "-",
		    s->path ? s->path : "-", s->member ? s->member : "-",
		    s->fp);
		EVP_DigestUpdate(md, line, strlen(line));
	}
	EVP_DigestFinal_ex(md, d, NULL);
	EVP_MD_CTX_free(md);
	cert_hex(d, 32, out, 0);
}

/* What is published now, for the last-run record: "bundle X\ncapath Y\n". */
static int
published_id(const struct config *c, char *out, size_t size)
{
	char bsum[65] = "-", target[4096] = "-";
	unsigned char *buf;
	size_t len;
	ssize_t n;

	if (c->bundle != NULL && access(c->bundle, F_OK) == 0) {
		struct diags d = DIAGS_INIT;

		if (source_read_file(c->bundle, SOURCE_MAX_FILE, &buf,
		    &len, &d) == -1) {
			diags_report(&d);
			return -1;
		}
		state_sha256_hex(buf, len, bsum);
		free(buf);
	}
	if (c->capath != NULL &&
	    (n = readlink(c->capath, target, sizeof(target) - 1)) > 0)
		target[n] = '\0';
	snprintf(out, size, "bundle %s\ncapath %s\n", bsum, target);
	return 0;
}

/*
 * An upstream that went back to an older set: for each download of
 * anchors or intermediates, this run's set against what STATE/sources/NAME
 * says the source gave before (rollback.h); the record of this run goes
 * into s->next, kept by record_run() once the store is published.  A
 * rollback is refused, naming what came back; with --force it is
 * published (and what it drops is not learnt as dropped); with --diff it
 * is a warning.  Local files and directories are the host's own, and a
 * source whose fallback stands in this run is not the download: neither is
 * checked.
 */
static int
check_rollback(struct run *r)
{
	struct rollback prev;
	char file[512], *rec, *why, ver[64], *line, *save = NULL;
	size_t i;
	int got, n, refused = 0, has;

	for (i = 0; i < r->nsrc; i++) {
		struct src *s = &r->src[i];
		const char *v = NULL;

		rollback_release(&s->next);
		if (s->role == CONFIG_BLOCKLIST || s->set == NULL ||
		    s->url == NULL || s->path != NULL)
			continue;
		if (s->buf != NULL && certdata_detect((char *)s->buf, s->len) &&
		    certdata_version((char *)s->buf, s->len, ver, sizeof(ver)))
			v = ver;
		memset(&prev, 0, sizeof(prev));
		snprintf(file, sizeof(file), "sources/%s", s->name);
		if ((got = state_read(r->cfg.state, file, &rec)) == -1)
			return -1;
		has = 0;
		if (got == 1) {
			if (rollback_parse(rec, &prev) == -1)
				log_warn("'%s/%s': not a source record; it is "
				    "made anew", r->cfg.state, file);
			else if (strcmp(prev.origin, s->url) != 0 ||
			    strcmp(prev.purpose, purpose_name(r->cfg.purpose)) !=
			    0) {
				log_info("'%s/%s': about '%s' for %s; made anew",
				    r->cfg.state, file, prev.origin,
				    prev.purpose);
				rollback_release(&prev);
			} else
				has = 1;
			free(rec);
		}
		n = 0;
		why = NULL;
		if (has && (n = rollback_check(&prev, v, s->set, &why)) == -1) {
			log_err("out of memory");
			rollback_release(&prev);
			return -1;
		}
		if (n > 0 && r->diff_only)
			log_warn("[source %s]: '%s' went back to an older set; "
			    "update refuses it without --force:", s->name,
			    s->url);
		else if (n > 0 && r->force)
			log_notice("[source %s]: '%s' went back to an older "
			    "set; published as --force says:", s->name,
			    s->url);
		else if (n > 0) {
			log_err("[source %s]: '%s' went back to an older set; "
			    "refusing to publish: check the source, or run "
			    "'trustbuild update --force' if this is intended:",
			    s->name, s->url);
			refused++;
		}
		/* what came back, a message line each */
		for (line = why ? strtok_r(why, "\n", &save) : NULL;
		    line != NULL; line = strtok_r(NULL, "\n", &save)) {
			if (r->diff_only)
				log_warn("%s", line);
			else if (r->force)
				log_notice("%s", line);
			else
				log_err("%s", line);
		}
		free(why);
		got = rollback_next(has ? &prev : NULL, s->url, r->cfg.purpose,
		    v, s->set, s->bl, n == 0, &s->next);
		rollback_release(&prev);
		if (got == -1) {
			log_err("out of memory");
			return -1;
		}
	}
	return refused > 0 ? -1 : 0;
}

/* Keep the records check_rollback() made: STATE/sources/NAME. */
static int
save_rollback(const struct run *r)
{
	char file[512], *text;
	size_t i, len;
	int rc;

	for (i = 0; i < r->nsrc; i++) {
		const struct src *s = &r->src[i];

		if (s->next.origin == NULL)
			continue;
		snprintf(file, sizeof(file), "sources/%s", s->name);
		if ((text = rollback_format(&s->next, &len)) == NULL) {
			log_err("out of memory");
			return -1;
		}
		rc = state_write(r->cfg.state, file, text, len);
		free(text);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/*
 * The record of a published run: the inputs, what was published, and
 * until when the same inputs give the same store (the first not-after);
 * and what each download gave (save_rollback).
 */
static int
record_run(const struct run *r, const char *inputs, time_t until,
    const struct policy_stats *st)
{
	char id[4300], buf[4500];
	int n;

	if (save_rollback(r) == -1 ||
	    published_id(&r->cfg, id, sizeof(id)) == -1)
		return -1;
	n = snprintf(buf, sizeof(buf), "inputs %s\nvalid-until %lld\n"
	    "summary %zu %zu\n%s", inputs, (long long)until, st->anchors,
	    st->intermediates, id);
	return state_write(r->cfg.state, "last-run", buf, (size_t)n);
}

/*
 * Does the last run's record say these inputs are published, intact, and
 * still valid?  Then *st gets the counts it recorded.
 */
static int
same_as_last_run(const struct run *r, const char *inputs,
    struct policy_stats *st)
{
	char *rec = NULL, id[4300], hex[65];
	long long until;
	int same = 0, off = 0;

	if (state_read(r->cfg.state, "last-run", &rec) != 1)
		return 0;
	if (sscanf(rec, "inputs %64s valid-until %lld summary %zu %zu %n",
	    hex, &until, &st->anchors, &st->intermediates, &off) != 4 ||
	    off == 0)
		goto out;
	if (strcmp(hex, inputs) != 0 || (time_t)until <= r->now)
		goto out;
	if (published_id(&r->cfg, id, sizeof(id)) == -1)
		goto out;
	same = strcmp(rec + off, id) == 0;
	/* an interrupted run left files behind: a full run removes them */
	snprintf(id, sizeof(id), "%s/last-run", r->cfg.state);
	if (same && ((r->cfg.bundle && publish_leftovers(r->cfg.bundle)) ||
	    (r->cfg.capath && publish_leftovers(r->cfg.capath)) ||
	    publish_leftovers(id))) {
		log_info("leftovers of an interrupted run: a full run removes "
		    "them");
		same = 0;
	}
	if (same && r->force) {
		log_info("the sources are as when the store was last "
		    "published; --force: a full run all the same");
		same = 0;
	}
	/* a store published before there was a manifest: a full run makes it */
	free(rec);
	rec = NULL;
	if (same && state_read(r->cfg.state, MANIFEST_FILE, &rec) != 1) {
		log_info("the published store has no manifest yet: a full run "
		    "writes it");
		same = 0;
	}
out:
	free(rec);
	return same;
}

static time_t
not_after(const struct cert *c)
{
	struct tm tm;

	if (!ASN1_TIME_to_tm(X509_get0_notAfter(c->x509), &tm))
		return 0;
	return timegm(&tm);
}

/* The set published now (bundle, else CApath); empty when there is none. */
static struct certset *
load_published(const struct config *c)
{
	struct certset *old = certset_new();
	struct blocklist *bl = blocklist_new();
	const char *p = NULL;
	struct diags d = DIAGS_INIT;

	if (old == NULL || bl == NULL) {
		log_err("out of memory");
		certset_free(old);
		blocklist_free(bl);
		return NULL;
	}
	if (c->bundle != NULL && access(c->bundle, F_OK) == 0)
		p = c->bundle;
	else if (c->capath != NULL && access(c->capath, F_OK) == 0)
		p = c->capath;
	if (p != NULL && source_load(p, CERTDATA_ALL, old, bl, &d) == -1) {
		diags_report(&d);
		log_warn("'%s': the published store cannot be read; it is "
		    "replaced whole, without a shrink check", p);
	}
	diags_report(&d);
	blocklist_free(bl);
	certset_sort(old);
	return old;
}

static int
self_signed(const struct cert *c)
{
	return X509_check_issued(c->x509, c->x509) == X509_V_OK;
}

/* "+ SHA256 SUBJECT" and "- ..." lines of the change, into *out. */
static int
diff(struct certset *old, struct certset *cur, char **out, size_t *len,
    size_t *added, size_t *removed, size_t *lost_anchors, size_t *anchors)
{
	FILE *f;
	size_t i;
	char hex[65], esc[4096];

	*added = *removed = *lost_anchors = *anchors = 0;
	if ((f = open_memstream(out, len)) == NULL) {
		log_err("out of memory");
		return -1;
	}
	for (i = 0; i < old->n; i++) {
		struct cert *c = old->v[i];
		int ss = self_signed(c);

		*anchors += ss;
		if (certset_find(cur, c->sha256) != NULL)
			continue;
		cert_hex(c->sha256, 32, hex, 0);
		fprintf(f, "- %s %s\n", hex, text_esc(cert_subject(c), esc,
		    sizeof(esc)));
		(*removed)++;
		*lost_anchors += ss;
	}
	for (i = 0; i < cur->n; i++) {
		struct cert *c = cur->v[i];

		if (certset_find(old, c->sha256) != NULL)
			continue;
		cert_hex(c->sha256, 32, hex, 0);
		fprintf(f, "+ %s %s\n", hex, text_esc(cert_subject(c), esc,
		    sizeof(esc)));
		(*added)++;
	}
	if (fclose(f) != 0) {
		log_err("out of memory");
		return -1;
	}
	return 0;
}

/* --out DIR: the outputs and the state under DIR. */
static int
out_dir(struct config *c, const char *dir)
{
	char *b = NULL, *p = NULL, *s = NULL;

	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		log_err("'%s': %s", dir, strerror(errno));
		return -1;
	}
	if (asprintf(&b, "%s/" BUNDLE_NAME, dir) == -1 ||
	    asprintf(&p, "%s/" CAPATH_NAME, dir) == -1 ||
	    asprintf(&s, "%s/state", dir) == -1) {
		log_err("out of memory");
		return -1;
	}
	if (c->bundle != NULL) {
		free(c->bundle);
		c->bundle = b;
	} else
		free(b);
	if (c->capath != NULL) {
		free(c->capath);
		c->capath = p;
	} else
		free(p);
	free(c->state);
	c->state = s;
	return 0;
}

/*
 * The manifest of the published store: first-seen days and what the probes
 * needed.  A damaged one is said and set aside (the next publish replaces
 * it); -1 only when it cannot be read.
 */
static int
load_manifest(const struct run *r, struct manifest *m)
{
	char why[256];
	int got;

	if ((got = manifest_load(r->cfg.state, m, why, sizeof(why))) == -1)
		return -1;
	if (got == 0 && why[0] != '\0')
		log_notice("'%s/" MANIFEST_FILE "': %s; going on without it "
		    "(first-seen days start again, failed probes keep nothing)",
		    r->cfg.state, why);
	return 0;
}

/* Rerun the hooks of an earlier change that failed; -1 if still failing. */
static int
pending_hooks(const struct run *r, const struct hooks_env *env)
{
	char *pend = NULL;
	int got;

	if ((got = state_read(r->cfg.state, "hooks-pending", &pend)) != 1)
		return got;
	log_notice("the hooks of an earlier change failed; running them "
	    "again");
	if (hooks_run(r->cfg.hooks, r->cfg.reload, pend, strlen(pend), env,
	    r->cfg.hook_timeout) > 0) {
		free(pend);
		return -1;
	}
	free(pend);
	return state_remove(r->cfg.state, "hooks-pending");
}

int
cmd_update(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "offline", no_argument, NULL, 'O' },
		{ "force", no_argument, NULL, 'f' },
		{ "diff", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct run r;
	struct policy pol;
	struct policy_stats st;
	struct output out = OUTPUT_INIT;
	struct hooks_env env;
	struct certset **asets = NULL, **isets = NULL, *final = NULL;
	struct certset *old = NULL;
	struct blocklist *bl = NULL;
	struct probeset ps;
	struct manifest prev, next;
	X509_STORE *nstore = NULL;
	const char *file = cmd_config, *outdir = NULL;
	char inputs[65], *changes = NULL;
	size_t na = 0, ni = 0, i, j, added, removed, lost, anchors, clen = 0;
	time_t until;
	int ch, lockfd = -1, rc = EXIT_ERROR, changed = 0;

	memset(&r, 0, sizeof(r));
	memset(&pol, 0, sizeof(pol));
	memset(&ps, 0, sizeof(ps));
	memset(&prev, 0, sizeof(prev));
	memset(&next, 0, sizeof(next));
	r.now = time(NULL);
	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'o':
			outdir = optarg;
			break;
		case 'O':
			r.offline = 1;
			break;
		case 'f':
			r.force = 1;
			break;
		case 'd':
			r.diff_only = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_CHANGED;
		default:
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (optind != argc) {
		log_err("update: unexpected '%s'; sources come from the "
		    "configuration file", argv[optind]);
		usage(stderr);
		return EXIT_ERROR;
	}
	if (config_find(file, &r.cfg) == -1)
		return EXIT_ERROR;
	if (outdir != NULL && out_dir(&r.cfg, outdir) == -1)
		goto out;
	if ((r.cfg.bundle != NULL && publish_make_parents(r.cfg.bundle) ==
	    -1) || (r.cfg.capath != NULL &&
	    publish_make_parents(r.cfg.capath) == -1))
		goto out;
	if ((lockfd = state_lock(r.cfg.state, r.cfg.lock_wait)) == -1)
		goto out;

	/* each source's bytes */
	if ((r.src = calloc(r.cfg.nsrc, sizeof(*r.src))) == NULL) {
		log_err("out of memory");
		goto out;
	}
	for (i = 0; i < r.cfg.nsrc; i++) {
		struct src *s = &r.src[i];

		if (resolve(&r.cfg.src[i], s) == -1)
			goto out;
		r.nsrc++;
		if ((s->url != NULL ? get_remote(&r, s) : get_local(&r, s)) ==
		    -1)
			goto out;
	}
	memset(&env, 0, sizeof(env));
	env.bundle = r.cfg.bundle ? r.cfg.bundle : "";
	env.capath = r.cfg.capath ? r.cfg.capath : "";

	inputs_fingerprint(&r, inputs);
	memset(&st, 0, sizeof(st));
	/* probes are checked every run: no short cut with them */
	if (!r.diff_only && r.cfg.nprobe == 0 &&
	    same_as_last_run(&r, inputs, &st)) {
		log_info("the sources are as when the store was last "
		    "published: nothing to parse");
		if (log_verbosity >= LOG_NORMAL)
			printf("%zu anchors, %zu intermediates for %s: "
			    "unchanged\n", st.anchors, st.intermediates,
			    purpose_name(r.cfg.purpose));
		rc = pending_hooks(&r, &env) == -1 ? EXIT_ERROR :
		    EXIT_UNCHANGED;
		goto out;
	}

	/* parse what was not parsed while being checked */
	if ((asets = calloc(r.nsrc, sizeof(*asets))) == NULL ||
	    (isets = calloc(r.nsrc, sizeof(*isets))) == NULL ||
	    (bl = blocklist_new()) == NULL) {
		log_err("out of memory");
		goto out;
	}
	pol.purpose = r.cfg.purpose;
	pol.keep_expired = r.cfg.keep_expired;
	pol.now = r.now;
	if (r.cfg.nexclude > 0) {
		if ((pol.exclude = malloc(r.cfg.nexclude * 32)) == NULL) {
			log_err("out of memory");
			goto out;
		}
		memcpy(pol.exclude, r.cfg.exclude, r.cfg.nexclude * 32);
		pol.nexclude = r.cfg.nexclude;
	}
	for (i = 0; i < r.nsrc; i++) {
		struct src *s = &r.src[i];

		if (s->set == NULL && parse_src(s, r.cfg.purpose, s->path ?
		    s->path : s->url) == -1)
			goto out;
		for (j = 0; j < s->bl->n; j++)
			if (blocklist_add(bl, &s->bl->v[j]) == -1) {
				log_err("out of memory");
				goto out;
			}
		if (s->role == CONFIG_ANCHORS)
			asets[na++] = s->set;
		else if (s->role == CONFIG_INTERMEDIATES)
			isets[ni++] = s->set;
		else
			for (j = 0; j < s->set->n; j++) {
				unsigned char (*v)[32];

				v = reallocarray(pol.exclude, pol.nexclude + 1,
				    sizeof(*v));
				if (v == NULL) {
					log_err("out of memory");
					goto out;
				}
				pol.exclude = v;
				memcpy(v[pol.nexclude++], s->set->v[j]->sha256,
				    32);
			}
	}
	if (na == 0) {
		log_err("'%s': no source has role anchors; nothing to trust",
		    r.cfg.file);
		goto out;
	}
	if (check_rollback(&r) == -1)
		goto out;
	if ((final = policy_build(&pol, asets, na, isets, ni, bl, &st)) ==
	    NULL)
		goto out;
	if (st.expired > 0 && log_verbosity < LOG_VERBOSE)
		log_warn("left out %zu expired anchor%s (-v names them, "
		    "keep-expired = yes keeps them)", st.expired,
		    st.expired == 1 ? "" : "s");
	if (st.refused > 0 && log_verbosity < LOG_VERBOSE)
		log_warn("refused %zu intermediate%s (-v says why)",
		    st.refused, st.refused == 1 ? "" : "s");
	if (final->n == 0 || st.anchors == 0) {
		log_err("refusing to publish an empty set: no certificate of "
		    "the sources is a trust anchor for %s",
		    purpose_name(pol.purpose));
		goto out;
	}

	/* the servers of [probe] sections: their intermediates, gated */
	if (load_manifest(&r, &prev) == -1)
		goto out;
	if (r.cfg.nprobe > 0) {
		struct certset **csets = NULL;
		size_t nc = 0;

		if ((nstore = probeset_store(final, pol.purpose)) == NULL ||
		    probeset_run(&r.cfg, nstore, &prev, &ps) == -1)
			goto out;
		if (probeset_candidates(&ps, &csets, &nc) == -1) {
			log_err("out of memory");
			goto out;
		}
		if (policy_admit(&pol, csets, nc, final, &st) == -1) {
			free(csets);
			goto out;
		}
		free(csets);
		X509_STORE_free(nstore);
		if ((nstore = probeset_store(final, pol.purpose)) == NULL)
			goto out;
	}

	/* what changes, and the shrink guard */
	if ((old = load_published(&r.cfg)) == NULL)
		goto out;
	if (r.cfg.nprobe > 0 && old->n > 0) {
		X509_STORE *ostore = probeset_store(old, pol.purpose);
		int broken;

		if (ostore == NULL)
			goto out;
		broken = probeset_regressions(&ps, ostore, nstore);
		X509_STORE_free(ostore);
		if (broken > 0 && !r.force && !r.diff_only) {
			log_err("refusing to publish: %d configured server%s "
			    "would stop verifying (above); run 'trustbuild "
			    "update --force' if this is intended", broken,
			    broken == 1 ? "" : "s");
			goto out;
		}
	}
	if (diff(old, final, &changes, &clen, &added, &removed, &lost,
	    &anchors) == -1)
		goto out;
	env.added = added;
	env.removed = removed;
	if (anchors > 0 && lost * 100 > (size_t)r.cfg.shrink_limit * anchors &&
	    !r.force && !r.diff_only) {
		log_err("refusing to publish: the new set drops %zu of the %zu "
		    "root certificates published now (%zu%%, more than "
		    "shrink-limit %u%%); check the sources (-v), or run "
		    "'trustbuild update --force' if this is intended", lost,
		    anchors, lost * 100 / anchors, r.cfg.shrink_limit);
		goto out;
	}
	if (r.diff_only) {
		fwrite(changes, 1, clen, stdout);
		if (log_verbosity >= LOG_NORMAL)
			printf("%zu added, %zu removed: %s\n", added, removed,
			    added + removed ? "would publish" : "no change");
		rc = added + removed ? EXIT_CHANGED : EXIT_UNCHANGED;
		goto out;
	}

	/* publish */
	output_from_config(&out, &r.cfg);
	if (output_publish(&out, final, &changed) == -1)
		goto out;
	until = (time_t)1 << 62;
	for (i = 0; i < final->n && !r.cfg.keep_expired; i++) {
		time_t t = not_after(final->v[i]);

		if (t > 0 && t < until)
			until = t;
	}
	if (manifest_add_set(&next, final, pol.purpose, &prev, r.now) == -1 ||
	    probeset_remember(&ps, final, &next) == -1) {
		log_err("out of memory");
		goto out;
	}
	if (manifest_save(r.cfg.state, &next) == -1 ||
	    record_run(&r, inputs, until, &st) == -1)
		goto out;
	if (!changed) {
		if (log_verbosity >= LOG_NORMAL)
			printf("%zu anchors, %zu intermediates for %s: "
			    "unchanged\n", st.anchors, st.intermediates,
			    purpose_name(pol.purpose));
		rc = pending_hooks(&r, &env) == -1 ? EXIT_ERROR :
		    EXIT_UNCHANGED;
		goto out;
	}
	/* a change is shown even with -q: cron mails it */
	if (old->n > 0)
		fwrite(changes, 1, clen, stdout);
	printf("%zu anchors, %zu intermediates for %s: published (%zu added, "
	    "%zu removed)\n", st.anchors, st.intermediates,
	    purpose_name(pol.purpose), added, removed);
	fflush(stdout);
	rc = EXIT_CHANGED;
	if (hooks_run(r.cfg.hooks, r.cfg.reload, changes, clen, &env,
	    r.cfg.hook_timeout) > 0) {
		char *pend = NULL, *both = NULL;

		/* keep every unannounced change for the next run's hooks */
		if (state_read(r.cfg.state, "hooks-pending", &pend) == 1 &&
		    asprintf(&both, "%s%s", pend, changes) != -1)
			state_write(r.cfg.state, "hooks-pending", both,
			    strlen(both));
		else
			state_write(r.cfg.state, "hooks-pending", changes,
			    clen);
		free(pend);
		free(both);
		log_err("the store is published, but a hook failed; the hooks "
		    "run again at the next update");
		rc = EXIT_ERROR;
	} else
		state_remove(r.cfg.state, "hooks-pending");
out:
	if (lockfd != -1)
		close(lockfd);
	for (i = 0; i < r.nsrc; i++)
		src_release(&r.src[i]);
	free(r.src);
	free(asets);
	free(isets);
	certset_free(final);
	certset_free(old);
	blocklist_free(bl);
	free(pol.exclude);
	free(changes);
	probeset_release(&ps);
	manifest_release(&prev);
	manifest_release(&next);
	policy_release(&pol);
	X509_STORE_free(nstore);
	config_release(&r.cfg);
	return rc;
}
