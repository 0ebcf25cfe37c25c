/*
 * spec.c: the source description and the table of configuration keys,
 * see spec.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "format.h"
#include "policy.h"
#include "output.h"
#include "probe.h"
#include "source.h"
#include "spec.h"
#include "store.h"
#include "xalloc.h"

static const char *const roles[] = { "anchors", "intermediates", "blocklist" };
static const char *const integrities[] = { "https", "sha256-url", "pin",
    "local" };

enum key_type {
	K_STR,		/* any text; empty: unset */
	K_PATH,		/* an absolute path; empty: unset unless K_NEEDED */
	K_URL,		/* http(s); max 1: file:/// or an absolute path too */
	K_STORE,	/* the name of a definition in stores/ */
	K_YESNO,
	K_UINT,		/* min to max; K_PERCENT: "25%" too */
	K_SIZE,		/* 1 to max bytes, k, M, G suffixes */
	K_SHA256,	/* kept as 64 lowercase hex digits */
	K_EXCLUDE,	/* a SHA-256 added to struct config's list */
	K_PATHS,	/* an absolute path added to the list, max of them */
	K_FORMAT,	/* formats[]: format and fmt */
	K_ROLE,		/* roles[] up to max: role and role_set */
	K_PURPOSE,
	K_INTEGRITY,	/* integrities[] */
	K_PROBE_URL,	/* what probe_parse_url() takes */
	K_DAYS,		/* 0 to max days, or "off": kept as days + 1 */
	K_DURATION,	/* seconds, min to max; s, m, h, d suffixes */
	K_SIGNER,	/* an absolute path added to signer[], max of them */
	K_DISTRUST,	/* keep, drop, drop-when-safe: enum distrust_mode */
	K_WRITER	/* output_formats(): format and w */
};

enum key_flags {
	K_NEEDED	= 1 << 0,	/* an empty value is an error */
	K_DIR		= 1 << 1,	/* ... that asks for a directory */
	K_PERCENT	= 1 << 2,	/* a number may end in '%' */
	K_REPEAT	= 1 << 3	/* may be given more than once */
};

static const struct key {
	unsigned	 where;		/* enum spec_where */
	const char	*name;
	enum key_type	 type;
	size_t		 off;		/* of the field in the section's struct */
	unsigned	 min, max;
	unsigned	 flags;		/* enum key_flags */
} keys[] = {
#define C(f)	offsetof(struct config, f)
#define S(f)	offsetof(struct source_spec, f)
#define P(f)	offsetof(struct config_probe, f)
#define O(f)	offsetof(struct config_output, f)
	{ SPEC_OUTPUT, "bundle", K_PATH, C(bundle), 0, 0, 0 },
	{ SPEC_OUTPUT, "capath", K_PATH, C(capath), 0, 0, 0 },
	{ SPEC_OUTPUT, "purpose", K_PURPOSE, C(purpose), 0, 0, 0 },
	{ SPEC_OUTPUT, "state", K_PATH, C(state), 0, 0, K_NEEDED | K_DIR },
	{ SPEC_OUTPUT, "hooks", K_PATH, C(hooks), 0, 0, 0 },
	{ SPEC_OUTPUT, "reload", K_STR, C(reload), 0, 0, 0 },
	{ SPEC_OUTPUT, "hook-timeout", K_UINT, C(hook_timeout), 0, 86400, 0 },
	{ SPEC_OUTPUT, "keep-expired", K_YESNO, C(keep_expired), 0, 0, 0 },
	{ SPEC_OUTPUT, "compat", K_YESNO, C(compat), 0, 0, 0 },
	{ SPEC_OUTPUT, "distrust-after", K_DISTRUST, C(distrust), 0, 0, 0 },
	{ SPEC_OUTPUT, "leaf-lifetime", K_UINT, C(leaf_lifetime), 1,
	    POLICY_LEAF_LIFETIME_MAX, 0 },
	{ SPEC_OUTPUT, "shrink-limit", K_UINT, C(shrink_limit), 0, 100,
	    K_PERCENT },
	{ SPEC_OUTPUT, "lock-wait", K_UINT, C(lock_wait), 0, 86400, 0 },
	{ SPEC_OUTPUT, "exclude", K_EXCLUDE, 0, 0, 0, K_REPEAT },
	{ SPEC_OUTPUT, "probe-parallel", K_UINT, C(probe_parallel), 1, 256,
	    0 },
	{ SPEC_OUTPUT, "warn-days", K_UINT, C(warn_days), 0, 3650, 0 },
	{ SPEC_OUTPUT, "probe-keep", K_UINT, C(probe_keep), 0, 3650, 0 },
	{ SPEC_FETCH, "connect-timeout", K_UINT, C(connect_timeout), 0, 3600,
	    0 },
	{ SPEC_FETCH, "timeout", K_UINT, C(timeout), 0, 86400, 0 },
	{ SPEC_FETCH, "max-size", K_SIZE, C(max_size), 0, 0, 0 },
	{ SPEC_FETCH, "ca", K_PATH, C(ca), 0, 0, K_NEEDED },
	{ SPEC_STORE, "name", K_STR, S(name), 0, 0, 0 },
	{ SPEC_STORE, "description", K_STR, S(description), 0, 0, 0 },
	{ SPEC_SOURCE, "store", K_STORE, S(store), 0, 0, 0 },
	{ SPEC_SOURCE, "url", K_URL, S(url), 0, 1, K_REPEAT },
	{ SPEC_STORE, "url", K_URL, S(url), 0, 0, K_REPEAT },
	{ SPEC_STORE, "why", K_STR, S(why), 0, 0, 0 },
	{ SPEC_SOURCE | SPEC_STORE, "stale-after", K_DAYS, S(stale_after), 0,
	    36500, 0 },
	{ SPEC_SOURCE, "cross-check", K_STORE, S(cross_check), 0, 0, 0 },
	{ SPEC_SOURCE, "cross-check-grace", K_DAYS, S(cross_check_grace), 0,
	    3650, 0 },
	{ SPEC_STORE, "path", K_PATHS, 0, 0, SPEC_MAX_PATHS, K_REPEAT },
	{ SPEC_SOURCE, "sha256", K_SHA256, S(sha256), 0, 0, 0 },
	{ SPEC_SOURCE, "sha256-url", K_URL, S(sha256_url), 0, 0, 0 },
	{ SPEC_SOURCE | SPEC_STORE, "format", K_FORMAT, 0, 0, 0, 0 },
	{ SPEC_SOURCE | SPEC_STORE, "member", K_STR, S(member), 0, 0, 0 },
	{ SPEC_SOURCE, "role", K_ROLE, 0, 0, ROLE_BLOCKLIST, 0 },
	{ SPEC_STORE, "role", K_ROLE, 0, 0, ROLE_INTERMEDIATES, 0 },
	{ SPEC_STORE, "integrity", K_INTEGRITY, S(integrity), 0, 0, 0 },
	{ SPEC_STORE, "sha256-url", K_URL, S(sha256_url), 0, 0, 0 },
	{ SPEC_STORE, "sha256", K_SHA256, S(sha256), 0, 0, 0 },
	{ SPEC_SOURCE, "ca", K_PATH, S(ca), 0, 0, K_NEEDED },
	{ SPEC_SOURCE | SPEC_STORE, "fallback", K_STR, S(fallback), 0, 0, 0 },
	{ SPEC_SOURCE, "max-size", K_SIZE, S(max_size), 0, 0, 0 },
	{ SPEC_PROBE, "url", K_PROBE_URL, P(url), 0, 0, 0 },
	{ SPEC_PROBE, "servername", K_STR, P(servername), 0, 0, 0 },
	{ SPEC_PROBE, "ehlo", K_STR, P(ehlo), 0, 0, 0 },
	{ SPEC_PROBE, "chase", K_YESNO, P(chase), 0, 0, 0 },
	{ SPEC_PROBE, "https-aia", K_YESNO, P(https_aia), 0, 0, 0 },
	{ SPEC_PROBE, "aia-private", K_YESNO, P(aia_private), 0, 0, 0 },
	{ SPEC_PROBE, "timeout", K_UINT, P(timeout), 1, 3600, 0 },
	{ SPEC_PROBE, "probe-keep", K_UINT, P(keep), 0, 3650, 0 },
	{ SPEC_SENDMAIL, "mc", K_PATH, C(sendmail.conf), 0, 0, K_NEEDED },
	{ SPEC_SENDMAIL, "log", K_PATH, C(sendmail.log), 0, 0, K_NEEDED },
	{ SPEC_SENDMAIL, "journal", K_YESNO, C(sendmail.journal), 0, 0, 0 },
	{ SPEC_SENDMAIL, "aia-private", K_YESNO, C(sendmail.aia_private), 0,
	    0, 0 },
	{ SPEC_POSTFIX, "config-dir", K_PATH, C(postfix.conf), 0, 0,
	    K_NEEDED },
	{ SPEC_POSTFIX, "log", K_PATH, C(postfix.log), 0, 0, K_NEEDED },
	{ SPEC_POSTFIX, "journal", K_YESNO, C(postfix.journal), 0, 0, 0 },
	{ SPEC_POSTFIX, "aia-private", K_YESNO, C(postfix.aia_private), 0,
	    0, 0 },
	{ SPEC_EXPORT, "dir", K_PATH, C(export_dir), 0, 0, K_NEEDED },
	{ SPEC_EXPORT, "key", K_PATH, C(export_key), 0, 0, K_NEEDED },
	{ SPEC_EXPORT, "cert", K_PATH, C(export_cert), 0, 0, K_NEEDED },
	{ SPEC_EXPORT, "valid-for", K_DURATION, C(export_valid_for), 3600,
	    366 * 86400, 0 },
	{ SPEC_SOURCE, "signer", K_SIGNER, 0, 0, SPEC_MAX_PATHS, K_REPEAT },
	{ SPEC_OUTPUT_NAMED, "format", K_WRITER, O(format), 0, 0, 0 },
	{ SPEC_OUTPUT_NAMED, "path", K_PATH, O(path), 0, 0, K_NEEDED },
	{ SPEC_OUTPUT_NAMED, "purpose", K_PURPOSE, O(purpose), 0, 0, 0 },
	{ SPEC_OUTPUT_NAMED, "distrust-after", K_DISTRUST, O(distrust), 0, 0,
	    0 },
	{ SPEC_OUTPUT_NAMED, "leaf-lifetime", K_UINT, O(leaf_lifetime), 1,
	    POLICY_LEAF_LIFETIME_MAX, 0 },
	{ SPEC_OUTPUT_NAMED, "password", K_STR, O(password), 0, 0,
	    K_NEEDED },
#undef C
#undef S
#undef P
#undef O
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))
/*
 * spec_set() keeps the keys seen in a section as bits of a uint64_t, one
 * per key of that section (the whole table may have more than 64 rows).
 */

static const char *
where_name(enum spec_where w)
{
	switch (w) {
	case SPEC_OUTPUT:
		return "[output]";
	case SPEC_FETCH:
		return "[fetch]";
	case SPEC_SOURCE:
		return "[source]";
	case SPEC_PROBE:
		return "[probe]";
	case SPEC_SENDMAIL:
		return "[sendmail]";
	case SPEC_POSTFIX:
		return "[postfix]";
	case SPEC_EXPORT:
		return "[export]";
	case SPEC_OUTPUT_NAMED:
		return "[output NAME]";
	default:
		return "a store definition";
	}
}

/* Is k a key of [output NAME]? */
static int
where_is_named(const struct key *k)
{
	return k->where == SPEC_OUTPUT_NAMED;
}

/* The names of the keys of w, as "a, b, c", into buf. */
static const char *
key_names(enum spec_where w, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < NKEYS && len < size; i++)
		if (keys[i].where & w)
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
			    len ? ", " : "", keys[i].name);
	return buf;
}

int
spec_size(const char *s, size_t max, size_t *out)
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
spec_sha256(const char *s, unsigned char out[32])
{
	char hex[65];
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (*s == ':')
			continue;
		if (n == 64)
			return -1;
		hex[n++] = (char)tolower((unsigned char)*s);
	}
	hex[n] = '\0';
	return cert_unhex(hex, n, out);
}

static int
is_url(const char *v, int local_ok)
{
	if (strncmp(v, "https://", 8) == 0 || strncmp(v, "http://", 7) == 0)
		return 1;
	return local_ok && (strncmp(v, "file:///", 8) == 0 || v[0] == '/');
}

/* A number of k's bounds into *out; -1 after a message. */
static int
number(const struct key *k, const char *v, unsigned *out, const char *file,
    size_t line, struct diags *d)
{
	char tmp[32], *end;
	unsigned long n;
	size_t len = strlen(v);

	if ((k->flags & K_PERCENT) && len > 0 && len < sizeof(tmp) &&
	    v[len - 1] == '%') {
		memcpy(tmp, v, len - 1);
		tmp[len - 1] = '\0';
	} else
		snprintf(tmp, sizeof(tmp), "%s", len < sizeof(tmp) ? v : "x");
	errno = 0;
	n = strtoul(tmp, &end, 10);
	if (!isdigit((unsigned char)*tmp) || *end != '\0' || errno != 0 ||
	    n > k->max) {
		diag_err(d, file, line, "%s must be a number from %u to %u, "
		    "not '%s'", k->name, k->min, k->max, v);
		return -1;
	}
	if (n < k->min) {
		diag_err(d, file, line, "%s must be at least %u, not '%s'",
		    k->name, k->min, v);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

/* "7d", "12h", "90m", "3600s", "3600": seconds in k's bounds. */
static int
duration(const struct key *k, const char *v, unsigned *out, const char *file,
    size_t line, struct diags *d)
{
	unsigned long long n, mul = 1;
	char *end;

	errno = 0;
	n = isdigit((unsigned char)*v) ? strtoull(v, &end, 10) : 0;
	if (isdigit((unsigned char)*v) && errno == 0 && end[0] != '\0' &&
	    end[1] == '\0')
		mul = *end == 'd' ? 86400 : *end == 'h' ? 3600 : *end == 'm' ?
		    60 : *end == 's' ? 1 : 0;
	else if (!isdigit((unsigned char)*v) || errno != 0 || *end != '\0')
		mul = 0;
	if (mul == 0 || n > k->max / mul || n * mul < k->min) {
		diag_err(d, file, line, "%s must be a duration from %uh to "
		    "%ud (7d, 12h, 90m, 3600s), not '%s'", k->name,
		    k->min / 3600, k->max / 86400, v);
		return -1;
	}
	*out = (unsigned)(n * mul);
	return 0;
}

/*
 * A value kept as a string, checked, into its field (base + offset): an
 * empty value unsets (bundle = ).  -1 after a message.
 */
static int
set_string(const struct key *k, void *base, const char *v, const char *file,
    size_t line, struct diags *d)
{
	struct source_spec *s = base;
	const struct format *fr;
	struct probe_target t;
	unsigned char dg[32];
	char **f = (char **)((char *)base + k->off), hex[65], err[512];
	size_t i;

	switch (k->type) {
	case K_STR:
		if (*v == '\0' && (k->flags & K_NEEDED)) {
			diag_err(d, file, line, "%s needs a value", k->name);
			return -1;
		}
		break;
	case K_WRITER:
		if ((((struct config_output *)base)->w =
		    output_writer_format(v)) != NULL)
			break;
		diag_err(d, file, line, "%s '%s' is not one of %s", k->name,
		    v, output_formats());
		return -1;
	case K_PATH:
		if (*v == '\0' && (k->flags & K_DIR)) {
			diag_err(d, file, line, "%s needs a directory", k->name);
			return -1;
		}
		if ((*v != '\0' || (k->flags & K_NEEDED)) && *v != '/') {
			diag_err(d, file, line, "%s '%s' must be an absolute "
			    "path", k->name, v);
			return -1;
		}
		break;
	case K_URL:
		if (is_url(v, k->max))
			break;
		diag_err(d, file, line, k->max ? "%s '%s' must be https://, "
		    "http://, file:/// or an absolute path" : "%s '%s' must be "
		    "http(s)", k->name, v);
		return -1;
	case K_STORE:
		if (*v != '\0' && *v != '.' && strchr(v, '/') == NULL)
			break;
		diag_err(d, file, line, "'%s' is not a store name; 'trustbuild "
		    "stores' lists them", v);
		return -1;
	case K_PROBE_URL:
		if (probe_parse_url(v, &t, err, sizeof(err)) == 0)
			break;
		diag_err(d, file, line, "%s", err);
		return -1;
	case K_SHA256:
		if (spec_sha256(v, dg) == -1) {
			diag_err(d, file, line, "%s '%s' is not 64 hex digits",
			    k->name, v);
			return -1;
		}
		cert_hex(dg, 32, hex, 0);
		v = hex;
		break;
	case K_FORMAT:
		if ((fr = format_from_key(v)) == NULL) {
			diag_err(d, file, line, "%s '%s' is not one of %s",
			    k->name, v, format_keys());
			return -1;
		}
		s->fmt = fr->fmt;
		f = &s->format;
		break;
	case K_INTEGRITY:
		for (i = 0; i < sizeof(integrities) / sizeof(*integrities); i++)
			if (strcmp(v, integrities[i]) == 0)
				break;
		if (i < sizeof(integrities) / sizeof(*integrities))
			break;
		diag_err(d, file, line, "%s '%s' is not https, sha256-url, pin "
		    "or local", k->name, v);
		return -1;
	default:
		break;
	}
	free(*f);
	*f = *v != '\0' ? xstrdup(v) : NULL;
	return 0;
}

unsigned
spec_days(unsigned field, unsigned dflt)
{
	return field == 0 ? dflt : field - 1;
}

/* A url after the first: a mirror of s, tried in order.  -1: a message. */
static int
add_mirror(const struct key *k, struct source_spec *s, const char *v,
    const char *file, size_t line, struct diags *d)
{
	if (!is_url(v, 0) || !is_url(s->url, 0)) {
		diag_err(d, file, line, "'%s' given twice, and '%s' is not "
		    "a download: the urls after the first are its mirrors, "
		    "tried in order, and each must be https:// or http://",
		    k->name, is_url(v, 0) ? s->url : v);
		return -1;
	}
	if (s->nmirrors == SPEC_MAX_MIRRORS) {
		diag_err(d, file, line, "more than %d urls at '%s'",
		    SPEC_MAX_MIRRORS + 1, v);
		return -1;
	}
	s->mirrors[s->nmirrors++] = xstrdup(v);
	return 0;
}

/* One value of k into its field (base + offset); -1 after a message. */
static int
set_value(const struct key *k, void *base, const char *v, const char *file,
    size_t line, struct diags *d)
{
	struct source_spec *s = base;
	struct config *c = base;
	unsigned char dg[32];
	void *f = (char *)base + k->off;
	size_t i;
	int w;

	switch (k->type) {
	case K_YESNO:
		if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
		    strcmp(v, "1") == 0)
			*(int *)f = 1;
		else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
		    strcmp(v, "0") == 0)
			*(int *)f = 0;
		else {
			diag_err(d, file, line, "%s must be yes or no, not "
			    "'%s'", k->name, v);
			return -1;
		}
		return 0;
	case K_UINT:
		return number(k, v, f, file, line, d);
	case K_DAYS:
		if (strcmp(v, "off") == 0)
			*(unsigned *)f = 1;
		else if (number(k, v, f, file, line, d) == -1)
			return -1;
		else
			(*(unsigned *)f)++;
		return 0;
	case K_URL:
		if ((k->flags & K_REPEAT) && s->url != NULL)
			return add_mirror(k, s, v, file, line, d);
		return set_string(k, base, v, file, line, d);
	case K_DURATION:
		return duration(k, v, f, file, line, d);
	case K_SIGNER:
		if (s->nsigner == k->max) {
			diag_err(d, file, line, "more than %u signers at '%s'",
			    k->max, v);
			return -1;
		}
		if (v[0] != '/') {
			diag_err(d, file, line, "%s '%s' must be an absolute "
			    "path", k->name, v);
			return -1;
		}
		s->signer[s->nsigner++] = xstrdup(v);
		return 0;
	case K_SIZE:
		if (spec_size(v, SOURCE_MAX_FILE, f) == 0)
			return 0;
		diag_err(d, file, line, "%s '%s' is not a size from 1 to %dM "
		    "(k, M suffixes)", k->name, v, SOURCE_MAX_FILE >> 20);
		return -1;
	case K_EXCLUDE:
		if (spec_sha256(v, dg) == -1) {
			diag_err(d, file, line, "%s '%s' is not a SHA-256 "
			    "fingerprint (64 hex digits, colons allowed)",
			    k->name, v);
			return -1;
		}
		c->exclude = xreallocarray(c->exclude, c->nexclude + 1,
		    sizeof(*c->exclude));
		memcpy(c->exclude[c->nexclude++], dg, 32);
		return 0;
	case K_PATHS:
		if (s->npaths == k->max) {
			diag_err(d, file, line, "more than %u paths at '%s'",
			    k->max, v);
			return -1;
		}
		if (v[0] != '/') {
			diag_err(d, file, line, "%s '%s' must be an absolute "
			    "path", k->name, v);
			return -1;
		}
		s->paths[s->npaths++] = xstrdup(v);
		return 0;
	case K_ROLE:
		for (i = 0; i <= k->max; i++)
			if (strcmp(v, roles[i]) == 0) {
				s->role = (enum source_role)i;
				s->role_set = 1;
				return 0;
			}
		diag_err(d, file, line, k->max == ROLE_BLOCKLIST ? "%s '%s' is "
		    "not anchors, intermediates or blocklist" : "%s '%s' is not "
		    "anchors or intermediates", k->name, v);
		return -1;
	case K_PURPOSE:
		if ((w = purpose_from_name(v)) == -1) {
			diag_err(d, file, line, "'%s' is not a purpose; use "
			    "server-auth, email, code-signing or any", v);
			return -1;
		}
		*(enum purpose *)f = (enum purpose)w;
		if (where_is_named(k))
			((struct config_output *)base)->purpose_set = 1;
		return 0;
	case K_DISTRUST:
		if ((w = distrust_mode_from_name(v)) == -1) {
			diag_err(d, file, line, "%s '%s' is not keep, drop or "
			    "drop-when-safe", k->name, v);
			return -1;
		}
		*(int *)f = w;
		return 0;
	default:
		return set_string(k, base, v, file, line, d);
	}
}

int
spec_set(enum spec_where where, void *base, const char *file, size_t line,
    const char *key, const char *value, uint64_t *seen, struct diags *d)
{
	char names[512];
	uint64_t bit = 1;
	size_t i;

	/* seen: a bit per key of this section (fewer than 64 each) */
	for (i = 0; i < NKEYS; i++) {
		if (!(keys[i].where & where))
			continue;
		if (strcmp(keys[i].name, key) == 0)
			break;
		bit <<= 1;
	}
	if (i == NKEYS) {
		diag_err(d, file, line, "unknown key '%s' in %s (%s)", key,
		    where_name(where), key_names(where, names, sizeof(names)));
		return -1;
	}
	if (!(keys[i].flags & K_REPEAT) && (*seen & bit)) {
		diag_err(d, file, line, where == SPEC_STORE ? "'%s' given "
		    "twice" : "'%s' given twice in this section", key);
		return -1;
	}
	*seen |= bit;
	return set_value(&keys[i], base, value, file, line, d);
}
