/*
 * config.c: trustbuild.conf, see config.h.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "format.h"
#include "log.h"
#include "probe.h"
#include "store.h"

#define MAX_LINE	4096

const char config_default_text[] =
    "[output]\n"
    "bundle = " CONFIG_BUNDLE "\n"
    "capath = " CONFIG_CAPATH "\n"
    "purpose = server-auth\n"
    "state = " CONFIG_STATE "\n"
    "\n"
    "[source mozilla]\n"
    "store = mozilla        # falls back to the system store\n";

enum section {
	SEC_NONE,
	SEC_OUTPUT,
	SEC_FETCH,
	SEC_SOURCE,
	SEC_PROBE
};

/* Which keys were given in the current section: each at most once. */
struct seen {
	int bundle, capath, state, hooks, reload, purpose, keep, compat,
	    shrink, lockwait, conn, timeout, hooktime, maxsize, ca;
	int store, url, sha256, sha256url, format, member, role, sca,
	    fallback, smax;
	int purl, sni, ehlo, chase, httpsaia, ptimeout, parallel, aiapriv;
};

struct ctx {
	struct seen	 seen;
	const char	*file;
	size_t		 line;
	struct config	*c;
	enum section	 sec;
	int		 had_output, had_fetch;
};

static void
source_release(struct config_source *s)
{
	free(s->name);
	free(s->store);
	free(s->url);
	free(s->sha256);
	free(s->sha256_url);
	free(s->format);
	free(s->member);
	free(s->ca);
	free(s->fallback);
}

static void
probe_release(struct config_probe *p)
{
	free(p->name);
	free(p->url);
	free(p->servername);
	free(p->ehlo);
}

void
config_release(struct config *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nprobe; i++)
		probe_release(&c->probe[i]);
	free(c->probe);
	free(c->file);
	free(c->bundle);
	free(c->capath);
	free(c->state);
	free(c->hooks);
	free(c->reload);
	free(c->exclude);
	free(c->ca);
	for (i = 0; i < c->nsrc; i++)
		source_release(&c->src[i]);
	free(c->src);
	memset(c, 0, sizeof(*c));
}

static int
bad(const struct ctx *x, const char *fmt, const char *v)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, v);
	log_err("'%s': line %zu: %s", x->file, x->line, msg);
	return -1;
}

/* Set a string once per section; an empty value unsets (bundle = ). */
static int
str(const struct ctx *x, char **dst, int *seen, const char *k, const char *v)
{
	if (*seen)
		return bad(x, "'%s' given twice in this section", k);
	*seen = 1;
	free(*dst);
	*dst = NULL;
	if (*v != '\0' && (*dst = strdup(v)) == NULL)
		return bad(x, "out of memory at '%s'", k);
	return 0;
}

static int
yesno(const struct ctx *x, const char *k, const char *v, int *out)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0)
		*out = 1;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "0") == 0)
		*out = 0;
	else {
		char msg[128];

		snprintf(msg, sizeof(msg), "%s must be yes or no, not '%%s'",
		    k);
		return bad(x, msg, v);
	}
	return 0;
}

static int
number(const struct ctx *x, const char *k, const char *v, unsigned max,
    unsigned *out)
{
	char *end, msg[128];
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (!isdigit((unsigned char)*v) || *end != '\0' || errno != 0 ||
	    n > max) {
		snprintf(msg, sizeof(msg), "%s must be a number from 0 to %u, "
		    "not '%%s'", k, max);
		return bad(x, msg, v);
	}
	*out = (unsigned)n;
	return 0;
}

int
config_size(const char *s, size_t max, size_t *out)
{
	unsigned long long n, mul = 1;
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)*s))
		return -1;
	n = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case 'k': case 'K':
		mul = 1024;
		end++;
		break;
	case 'm': case 'M':
		mul = 1024 * 1024;
		end++;
		break;
	case 'g': case 'G':
		mul = 1024 * 1024 * 1024;
		end++;
		break;
	}
	if (*end != '\0' || n == 0 || n > max / mul)
		return -1;
	*out = (size_t)(n * mul);
	return 0;
}

int
config_sha256(const char *s, unsigned char out[32])
{
	unsigned char v[32];
	size_t n = 0;

	while (*s != '\0') {
		unsigned hi, lo;

		if (*s == ':') {
			s++;
			continue;
		}
		if (!isxdigit((unsigned char)s[0]) ||
		    !isxdigit((unsigned char)s[1]) || n == 32)
			return -1;
		hi = (unsigned)(isdigit((unsigned char)s[0]) ? s[0] - '0' :
		    tolower((unsigned char)s[0]) - 'a' + 10);
		lo = (unsigned)(isdigit((unsigned char)s[1]) ? s[1] - '0' :
		    tolower((unsigned char)s[1]) - 'a' + 10);
		v[n++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	if (n != 32)
		return -1;
	memcpy(out, v, 32);
	return 0;
}

static int
is_url(const char *v, int local_ok)
{
	if (strncmp(v, "https://", 8) == 0 || strncmp(v, "http://", 7) == 0)
		return 1;
	return local_ok && (strncmp(v, "file:///", 8) == 0 || v[0] == '/');
}


static int
output_pair(struct ctx *x, const char *k, const char *v)
{
	struct config *c = x->c;
	int w;

	if (strcmp(k, "bundle") == 0 || strcmp(k, "capath") == 0 ||
	    strcmp(k, "state") == 0 || strcmp(k, "hooks") == 0) {
		char **dst = k[0] == 'b' ? &c->bundle : k[0] == 'c' ?
		    &c->capath : k[0] == 's' ? &c->state : &c->hooks;
		int *s = k[0] == 'b' ? &x->seen.bundle : k[0] == 'c' ?
		    &x->seen.capath : k[0] == 's' ? &x->seen.state : &x->seen.hooks;

		if (*v != '\0' && *v != '/')
			return bad(x, "'%s' must be an absolute path", v);
		if (*v == '\0' && dst == &c->state)
			return bad(x, "state needs a directory%s", "");
		return str(x, dst, s, k, v);
	}
	if (strcmp(k, "reload") == 0)
		return str(x, &c->reload, &x->seen.reload, k, v);
	if (strcmp(k, "purpose") == 0) {
		if (x->seen.purpose++)
			return bad(x, "'%s' given twice in this section", k);
		if ((w = purpose_from_name(v)) == -1)
			return bad(x, "'%s' is not a purpose; use server-auth, "
			    "email, code-signing or any", v);
		c->purpose = (enum purpose)w;
		return 0;
	}
	if (strcmp(k, "keep-expired") == 0)
		return x->seen.keep++ ? bad(x, "'%s' given twice", k) :
		    yesno(x, k, v, &c->keep_expired);
	if (strcmp(k, "compat") == 0)
		return x->seen.compat++ ? bad(x, "'%s' given twice", k) :
		    yesno(x, k, v, &c->compat);
	if (strcmp(k, "shrink-limit") == 0) {
		char tmp[32];
		size_t n = strlen(v);

		if (x->seen.shrink++)
			return bad(x, "'%s' given twice", k);
		if (n > 0 && n < sizeof(tmp) && v[n - 1] == '%') {
			memcpy(tmp, v, n - 1);
			tmp[n - 1] = '\0';
			return number(x, k, tmp, 100, &c->shrink_limit);
		}
		return number(x, k, v, 100, &c->shrink_limit);
	}
	if (strcmp(k, "hook-timeout") == 0)
		return x->seen.hooktime++ ? bad(x, "'%s' given twice", k) :
		    number(x, k, v, 86400, &c->hook_timeout);
	if (strcmp(k, "probe-parallel") == 0) {
		if (x->seen.parallel++)
			return bad(x, "'%s' given twice", k);
		if (number(x, k, v, 256, &c->probe_parallel) == -1)
			return -1;
		if (c->probe_parallel == 0)
			return bad(x, "probe-parallel must be at least 1, not "
			    "'%s'", v);
		return 0;
	}
	if (strcmp(k, "lock-wait") == 0)
		return x->seen.lockwait++ ? bad(x, "'%s' given twice", k) :
		    number(x, k, v, 86400, &c->lock_wait);
	if (strcmp(k, "exclude") == 0) {
		unsigned char (*nv)[32];

		nv = reallocarray(c->exclude, c->nexclude + 1, sizeof(*nv));
		if (nv == NULL)
			return bad(x, "out of memory at '%s'", k);
		c->exclude = nv;
		if (config_sha256(v, nv[c->nexclude]) == -1)
			return bad(x, "exclude '%s' is not a SHA-256 "
			    "fingerprint (64 hex digits, colons allowed)", v);
		c->nexclude++;
		return 0;
	}
	return bad(x, "unknown key '%s' in [output] (bundle, capath, "
	    "purpose, state, hooks, reload, hook-timeout, keep-expired, "
	    "compat, shrink-limit, lock-wait, exclude, probe-parallel)", k);
}

static int
fetch_pair(struct ctx *x, const char *k, const char *v)
{
	struct config *c = x->c;

	if (strcmp(k, "connect-timeout") == 0)
		return x->seen.conn++ ? bad(x, "'%s' given twice", k) :
		    number(x, k, v, 3600, &c->connect_timeout);
	if (strcmp(k, "timeout") == 0)
		return x->seen.timeout++ ? bad(x, "'%s' given twice", k) :
		    number(x, k, v, 86400, &c->timeout);
	if (strcmp(k, "max-size") == 0) {
		if (x->seen.maxsize++)
			return bad(x, "'%s' given twice", k);
		if (config_size(v, SOURCE_MAX_FILE, &c->max_size) == -1)
			return bad(x, "max-size '%s' is not a size from 1 to "
			    "128M (k, M suffixes)", v);
		return 0;
	}
	if (strcmp(k, "ca") == 0) {
		if (*v != '/')
			return bad(x, "ca '%s' must be an absolute path", v);
		return str(x, &c->ca, &x->seen.ca, k, v);
	}
	return bad(x, "unknown key '%s' in [fetch] (connect-timeout, "
	    "timeout, max-size, ca)", k);
}

static int
source_pair(struct ctx *x, const char *k, const char *v)
{
	struct config_source *s = &x->c->src[x->c->nsrc - 1];

	if (strcmp(k, "store") == 0) {
		if (*v == '\0' || *v == '.' || strchr(v, '/') != NULL)
			return bad(x, "'%s' is not a store name; 'trustbuild "
			    "stores' lists them", v);
		return str(x, &s->store, &x->seen.store, k, v);
	}
	if (strcmp(k, "url") == 0) {
		if (!is_url(v, 1))
			return bad(x, "url '%s' must be https://, http://, "
			    "file:/// or an absolute path", v);
		return str(x, &s->url, &x->seen.url, k, v);
	}
	if (strcmp(k, "sha256") == 0) {
		unsigned char d[32];
		char hex[65];

		if (config_sha256(v, d) == -1)
			return bad(x, "sha256 '%s' is not 64 hex digits", v);
		cert_hex(d, 32, hex, 0);
		return str(x, &s->sha256, &x->seen.sha256, k, hex);
	}
	if (strcmp(k, "sha256-url") == 0) {
		if (!is_url(v, 0))
			return bad(x, "sha256-url '%s' must be http(s)", v);
		return str(x, &s->sha256_url, &x->seen.sha256url, k, v);
	}
	if (strcmp(k, "format") == 0) {
		const struct format *f = format_from_key(v);
		char why[300];

		if (f != NULL) {
			s->fmt = f->fmt;
			return str(x, &s->format, &x->seen.format, k, v);
		}
		snprintf(why, sizeof(why), "format '%%s' is not one of %s",
		    format_keys());
		return bad(x, why, v);
	}
	if (strcmp(k, "member") == 0)
		return str(x, &s->member, &x->seen.member, k, v);
	if (strcmp(k, "role") == 0) {
		if (x->seen.role++)
			return bad(x, "'%s' given twice in this section", k);
		if (strcmp(v, "anchors") == 0)
			s->role = CONFIG_ANCHORS;
		else if (strcmp(v, "intermediates") == 0)
			s->role = CONFIG_INTERMEDIATES;
		else if (strcmp(v, "blocklist") == 0)
			s->role = CONFIG_BLOCKLIST;
		else
			return bad(x, "role '%s' is not anchors, intermediates "
			    "or blocklist", v);
		s->role_set = 1;
		return 0;
	}
	if (strcmp(k, "ca") == 0) {
		if (*v != '/')
			return bad(x, "ca '%s' must be an absolute path", v);
		return str(x, &s->ca, &x->seen.sca, k, v);
	}
	if (strcmp(k, "fallback") == 0)
		return str(x, &s->fallback, &x->seen.fallback, k, v);
	if (strcmp(k, "max-size") == 0) {
		if (x->seen.smax++)
			return bad(x, "'%s' given twice", k);
		if (config_size(v, SOURCE_MAX_FILE, &s->max_size) == -1)
			return bad(x, "max-size '%s' is not a size from 1 to "
			    "128M (k, M suffixes)", v);
		return 0;
	}
	return bad(x, "unknown key '%s' in [source] (store, url, sha256, "
	    "sha256-url, format, member, role, ca, fallback, max-size)", k);
}

static int
probe_pair(struct ctx *x, const char *k, const char *v)
{
	struct config_probe *p = &x->c->probe[x->c->nprobe - 1];

	if (strcmp(k, "url") == 0) {
		struct probe_target t;
		char err[512];

		if (probe_parse_url(v, &t, err, sizeof(err)) == -1)
			return bad(x, "%s", err);
		return str(x, &p->url, &x->seen.purl, k, v);
	}
	if (strcmp(k, "servername") == 0)
		return str(x, &p->servername, &x->seen.sni, k, v);
	if (strcmp(k, "ehlo") == 0)
		return str(x, &p->ehlo, &x->seen.ehlo, k, v);
	if (strcmp(k, "chase") == 0)
		return x->seen.chase++ ? bad(x, "'%s' given twice", k) :
		    yesno(x, k, v, &p->chase);
	if (strcmp(k, "https-aia") == 0)
		return x->seen.httpsaia++ ? bad(x, "'%s' given twice", k) :
		    yesno(x, k, v, &p->https_aia);
	if (strcmp(k, "aia-private") == 0)
		return x->seen.aiapriv++ ? bad(x, "'%s' given twice", k) :
		    yesno(x, k, v, &p->aia_private);
	if (strcmp(k, "timeout") == 0) {
		if (x->seen.ptimeout++)
			return bad(x, "'%s' given twice", k);
		if (number(x, k, v, 3600, &p->timeout) == -1)
			return -1;
		return p->timeout == 0 ? bad(x, "timeout must be at least 1, "
		    "not '%s'", v) : 0;
	}
	return bad(x, "unknown key '%s' in [probe] (url, servername, ehlo, "
	    "chase, https-aia, aia-private, timeout)", k);
}

/* The section that ends is complete: a source names a store or a url, a
 * probe a url. */
static int
section_done(struct ctx *x)
{
	struct config_source *s;

	if (x->sec == SEC_PROBE &&
	    x->c->probe[x->c->nprobe - 1].url == NULL) {
		log_err("'%s': line %zu: [probe %s] needs 'url = URL' (e.g. "
		    "smtp://mail.example.com:587)", x->file,
		    x->c->probe[x->c->nprobe - 1].line,
		    x->c->probe[x->c->nprobe - 1].name);
		return -1;
	}
	if (x->sec != SEC_SOURCE)
		return 0;
	s = &x->c->src[x->c->nsrc - 1];
	if (s->store == NULL && s->url == NULL) {
		log_err("'%s': line %zu: [source %s] needs 'store = NAME' or "
		    "'url = URL'", x->file, s->line, s->name);
		return -1;
	}
	if (s->member != NULL && s->url != NULL &&
	    strchr(s->url, '#') != NULL && s->url[0] == '/') {
		log_err("'%s': line %zu: [source %s] selects members twice "
		    "(url PATH#GLOB and member)", x->file, s->line, s->name);
		return -1;
	}
	return 0;
}

static int
section(struct ctx *x, char *p)
{
	struct config *c = x->c;
	char *name;
	size_t i;

	if (section_done(x) == -1)
		return -1;
	memset(&x->seen, 0, sizeof(x->seen));
	name = p + strcspn(p, " \t");
	if (*name != '\0') {
		*name++ = '\0';
		name += strspn(name, " \t");
	}
	if (strcmp(p, "output") == 0 || strcmp(p, "fetch") == 0) {
		int *had = p[0] == 'o' ? &x->had_output : &x->had_fetch;

		if (*name != '\0')
			return bad(x, "[%s] takes no name", p);
		if ((*had)++)
			return bad(x, "[%s] given twice", p);
		x->sec = p[0] == 'o' ? SEC_OUTPUT : SEC_FETCH;
		return 0;
	}
	if (strcmp(p, "source") != 0 && strcmp(p, "probe") != 0)
		return bad(x, "unknown section [%s] (output, fetch, source "
		    "NAME, probe NAME)", p);
	if (*name == '\0')
		return bad(x, p[0] == 's' ? "[source] needs a name: [source "
		    "NAME]%s" : "[probe] needs a name: [probe NAME]%s", "");
	if (name[0] == '.' || strspn(name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(name) ||
	    strlen(name) > 64)
		return bad(x, "name '%s': use letters, digits, '.', '_' and "
		    "'-' (at most 64)", name);
	if (p[0] == 'p') {
		struct config_probe *np;

		for (i = 0; i < c->nprobe; i++)
			if (strcmp(c->probe[i].name, name) == 0)
				return bad(x, "[probe %s] given twice", name);
		if (c->nprobe == CONFIG_MAX_PROBES)
			return bad(x, "more than 1024 probes at [probe %s]",
			    name);
		np = reallocarray(c->probe, c->nprobe + 1, sizeof(*np));
		if (np == NULL)
			return bad(x, "out of memory at [probe %s]", name);
		c->probe = np;
		memset(&np[c->nprobe], 0, sizeof(*np));
		if ((np[c->nprobe].name = strdup(name)) == NULL)
			return bad(x, "out of memory at [probe %s]", name);
		np[c->nprobe].line = x->line;
		np[c->nprobe].chase = 1;
		c->nprobe++;
		x->sec = SEC_PROBE;
		return 0;
	}
	for (i = 0; i < c->nsrc; i++)
		if (strcmp(c->src[i].name, name) == 0)
			return bad(x, "[source %s] given twice", name);
	if (c->nsrc == CONFIG_MAX_SOURCES)
		return bad(x, "more than 64 sources at [source %s]", name);
	{
		struct config_source *nv;

		nv = reallocarray(c->src, c->nsrc + 1, sizeof(*nv));
		if (nv == NULL)
			return bad(x, "out of memory at [source %s]", name);
		c->src = nv;
		memset(&nv[c->nsrc], 0, sizeof(*nv));
		if ((nv[c->nsrc].name = strdup(name)) == NULL)
			return bad(x, "out of memory at [source %s]", name);
		nv[c->nsrc].line = x->line;
		c->nsrc++;
	}
	x->sec = SEC_SOURCE;
	return 0;
}

static void
defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->purpose = PURPOSE_SERVER_AUTH;
	c->shrink_limit = 10;
	c->lock_wait = 120;
	c->connect_timeout = 30;
	c->timeout = 300;
	c->hook_timeout = 120;
	c->max_size = 64 * 1024 * 1024;
	c->probe_parallel = 16;
}

int
config_parse(const char *file, const char *buf, size_t len, struct config *c)
{
	struct ctx x;
	const char *p = buf, *end = buf + len;

	defaults(c);
	memset(&x, 0, sizeof(x));
	x.file = file;
	x.c = c;
	if ((c->file = strdup(file)) == NULL ||
	    (c->bundle = strdup(CONFIG_BUNDLE)) == NULL ||
	    (c->capath = strdup(CONFIG_CAPATH)) == NULL ||
	    (c->state = strdup(CONFIG_STATE)) == NULL ||
	    (c->hooks = strdup(CONFIG_HOOKS)) == NULL) {
		log_err("'%s': out of memory", file);
		goto fail;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		char l[MAX_LINE], *s, *t, *eq, *k, *v;
		size_t n = (size_t)(e - p);

		x.line++;
		if (n >= sizeof(l)) {
			log_err("'%s': line %zu: longer than %d bytes", file,
			    x.line, MAX_LINE - 1);
			goto fail;
		}
		memcpy(l, p, n);
		l[n] = '\0';
		p = nl ? nl + 1 : end;
		if (memchr(l, '\0', n) != NULL) {
			log_err("'%s': line %zu: a NUL byte; is this a text "
			    "file?", file, x.line);
			goto fail;
		}
		/* "#" at the start or after white space starts a comment */
		for (t = l; *t != '\0'; t++)
			if (*t == '#' && (t == l ||
			    isspace((unsigned char)t[-1]))) {
				*t = '\0';
				break;
			}
		s = l + strspn(l, " \t\r");
		for (t = s + strlen(s); t > s && isspace((unsigned char)t[-1]);)
			*--t = '\0';
		if (*s == '\0')
			continue;
		if (*s == '[') {
			if (t[-1] != ']') {
				log_err("'%s': line %zu: a section header ends "
				    "with ']'", file, x.line);
				goto fail;
			}
			t[-1] = '\0';
			s++;
			s += strspn(s, " \t");
			for (t = s + strlen(s); t > s &&
			    isspace((unsigned char)t[-1]);)
				*--t = '\0';
			if (section(&x, s) == -1)
				goto fail;
			continue;
		}
		if ((eq = strchr(s, '=')) == NULL) {
			log_err("'%s': line %zu: expected \"key = value\" or "
			    "\"[section]\"", file, x.line);
			goto fail;
		}
		k = s;
		for (t = eq; t > k && isspace((unsigned char)t[-1]);)
			t--;
		*t = '\0';
		v = eq + 1 + strspn(eq + 1, " \t");
		if (*k == '\0') {
			log_err("'%s': line %zu: a key is missing before '='",
			    file, x.line);
			goto fail;
		}
		switch (x.sec) {
		case SEC_NONE:
			bad(&x, "'%s' outside a section; start with [output] "
			    "or [source NAME]", k);
			goto fail;
		case SEC_OUTPUT:
			if (output_pair(&x, k, v) == -1)
				goto fail;
			break;
		case SEC_FETCH:
			if (fetch_pair(&x, k, v) == -1)
				goto fail;
			break;
		case SEC_SOURCE:
			if (source_pair(&x, k, v) == -1)
				goto fail;
			break;
		case SEC_PROBE:
			if (probe_pair(&x, k, v) == -1)
				goto fail;
			break;
		}
	}
	if (section_done(&x) == -1)
		goto fail;
	if (c->nsrc == 0) {
		log_err("'%s': no [source NAME] section; name at least one "
		    "root set (for example: [source mozilla] store = mozilla)",
		    file);
		goto fail;
	}
	if (c->bundle == NULL && c->capath == NULL) {
		log_err("'%s': [output] writes nothing; set bundle = FILE "
		    "and/or capath = DIR", file);
		goto fail;
	}
	return 0;
fail:
	config_release(c);
	return -1;
}

int
config_default(struct config *c)
{
	return config_parse("built-in", config_default_text,
	    sizeof(config_default_text) - 1, c);
}

int config_insecure_ok;

/* "owned by uid 1000 and writable by others" of st, or NULL: trusted. */
static const char *
untrusted(const struct stat *st, int parent, char *why, size_t size)
{
	int w = (st->st_mode & 022) != 0;

	/* above it: a sticky directory (/tmp) lets no one rename what is ours */
	if (parent && S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX))
		w = 0;
	if (st->st_uid == 0 && !w)
		return NULL;
	if (st->st_uid != 0)
		snprintf(why, size, "owned by uid %ld%s", (long)st->st_uid,
		    w ? " and writable by others" : "");
	else
		snprintf(why, size, "writable by %s",
		    (st->st_mode & 022) == 022 ? "group and others" :
		    (st->st_mode & 020) ? "group" : "others");
	return why;
}

int
config_check_owner(const char *path, const struct stat *st,
    const char *what)
{
	struct stat pst;
	char why[128], *p = NULL, *slash;
	int rc = -1;

	if (geteuid() != 0 || config_insecure_ok)
		return 0;
	if (untrusted(st, 0, why, sizeof(why)) != NULL) {
		log_err("'%s': %s; as root trustbuild refuses a %s another "
		    "user can change: chown root and chmod go-w, or pass "
		    "--insecure-ok", path, why, what);
		return -1;
	}
	/* each directory above: could someone swap it? */
	if (path[0] == '/')
		p = strdup(path);
	else {
		char cwd[4096];

		if (getcwd(cwd, sizeof(cwd)) != NULL &&
		    asprintf(&p, "%s/%s", cwd, path) == -1)
			p = NULL;
	}
	if (p == NULL) {
		log_err("'%s': %s", path, strerror(errno));
		return -1;
	}
	while ((slash = strrchr(p, '/')) != NULL) {
		if (slash == p)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (stat(p, &pst) == -1) {
			log_err("'%s': %s", p, strerror(errno));
			goto out;
		}
		if (untrusted(&pst, 1, why, sizeof(why)) != NULL) {
			log_err("'%s': %s, and it holds the %s '%s'; as root "
			    "trustbuild refuses a %s another user can change: "
			    "chown root and chmod go-w (or +t), or pass "
			    "--insecure-ok", p, why, what, path, what);
			goto out;
		}
		if (slash == p)
			break;
	}
	rc = 0;
out:
	free(p);
	return rc;
}

/* The hooks directory, each hook and the reload command's program. */
static int
check_hooks(const struct config *c)
{
	struct stat st;
	char *prog, path[4096];
	int rc = 0;

	if (geteuid() != 0 || config_insecure_ok)
		return 0;
	if (c->hooks != NULL && stat(c->hooks, &st) == 0) {
		struct dirent *de;
		DIR *d;

		if (config_check_owner(c->hooks, &st, "hooks directory") == -1)
			return -1;
		if ((d = opendir(c->hooks)) != NULL) {
			while (rc == 0 && (de = readdir(d)) != NULL) {
				if (de->d_name[0] == '.')
					continue;
				snprintf(path, sizeof(path), "%s/%s", c->hooks,
				    de->d_name);
				if (stat(path, &st) == 0 && S_ISREG(st.st_mode)
				    && (st.st_mode & 0111) &&
				    config_check_owner(path, &st, "hook") == -1)
					rc = -1;
			}
			closedir(d);
		}
	}
	/* "/usr/sbin/x args": the program that runs as root */
	if (rc == 0 && c->reload != NULL && c->reload[0] == '/') {
		if ((prog = strndup(c->reload, strcspn(c->reload,
		    " \t"))) == NULL) {
			log_err("out of memory");
			return -1;
		}
		if (stat(prog, &st) == 0 &&
		    config_check_owner(prog, &st, "reload program") == -1)
			rc = -1;
		free(prog);
	}
	return rc;
}

int
config_load(const char *path, struct config *c)
{
	struct stat st;
	unsigned char *buf;
	size_t len;
	struct diags d = DIAGS_INIT;
	int rc;

	rc = source_read_at(AT_FDCWD, path, path, CONFIG_MAX_FILE, 0, &st, &buf,
	    &len, &d);
	diags_report(&d);
	if (rc == -1)
		return -1;
	if (config_check_owner(path, &st, "configuration") == -1) {
		free(buf);
		return -1;
	}
	rc = config_parse(path, (char *)buf, len, c);
	free(buf);
	if (rc == 0 && check_hooks(c) == -1) {
		config_release(c);
		return -1;
	}
	return rc;
}

int
config_find(const char *file, struct config *c)
{
	const char *def = getenv("TRUSTBUILD_CONF");

	if (file != NULL)
		return config_load(file, c);
	if (def == NULL || *def == '\0')
		def = CONFIG_FILE;
	if (access(def, F_OK) == 0)
		return config_load(def, c);
	log_info("no '%s': the built-in configuration applies", def);
	if (config_default(c) == -1)
		return -1;
	if (check_hooks(c) == -1) {
		config_release(c);
		return -1;
	}
	return 0;
}
