/*
 * store.c: root set definitions, see store.h.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format.h"
#include "log.h"
#include "store.h"

#define STORE_MAX_FILE	(64 * 1024)

static const char *integrities[] = { "https", "sha256-url", "pin", "local" };
#define NINTEGRITIES	(sizeof(integrities) / sizeof(integrities[0]))

void
store_release(struct store *st)
{
	size_t i;

	free(st->file);
	free(st->name);
	free(st->description);
	free(st->url);
	for (i = 0; i < st->npaths; i++)
		free(st->paths[i]);
	free(st->format);
	free(st->member);
	free(st->integrity);
	free(st->sha256_url);
	free(st->sha256);
	free(st->fallback);
	memset(st, 0, sizeof(*st));
}

static int
bad(const char *file, size_t line, const char *what, const char *v)
{
	log_err("'%s': line %zu: %s '%s'", file, line, what, v);
	return -1;
}

/* Set a single-valued key once. */
static int
once(char **dst, const char *file, size_t line, const char *key,
    const char *v)
{
	if (*dst != NULL)
		return bad(file, line, "given twice:", key);
	if ((*dst = strdup(v)) == NULL)
		return bad(file, line, "out of memory at", key);
	return 0;
}

static int
pair(struct store *st, const char *file, size_t line, const char *k,
    const char *v)
{
	size_t i;

	if (strcmp(k, "name") == 0)
		return once(&st->name, file, line, k, v);
	if (strcmp(k, "description") == 0)
		return once(&st->description, file, line, k, v);
	if (strcmp(k, "url") == 0) {
		if (strncmp(v, "https://", 8) != 0 &&
		    strncmp(v, "http://", 7) != 0)
			return bad(file, line, "url must be http(s):", v);
		return once(&st->url, file, line, k, v);
	}
	if (strcmp(k, "path") == 0) {
		if (st->npaths == STORE_MAX_PATHS)
			return bad(file, line, "too many paths at", v);
		if (v[0] != '/')
			return bad(file, line, "path must be absolute:", v);
		if ((st->paths[st->npaths] = strdup(v)) == NULL)
			return bad(file, line, "out of memory at", k);
		st->npaths++;
		return 0;
	}
	if (strcmp(k, "format") == 0) {
		const struct format *f = format_from_key(v);
		char why[300];

		if (f != NULL) {
			st->fmt = f->fmt;
			return once(&st->format, file, line, k, v);
		}
		snprintf(why, sizeof(why), "unknown format (%s):",
		    format_keys());
		return bad(file, line, why, v);
	}
	if (strcmp(k, "member") == 0)
		return once(&st->member, file, line, k, v);
	if (strcmp(k, "role") == 0) {
		if (strcmp(v, "anchors") == 0)
			st->role = STORE_ANCHORS;
		else if (strcmp(v, "intermediates") == 0)
			st->role = STORE_INTERMEDIATES;
		else
			return bad(file, line, "role must be anchors or "
			    "intermediates, not", v);
		if (st->role_set++)
			return bad(file, line, "given twice:", k);
		return 0;
	}
	if (strcmp(k, "integrity") == 0) {
		for (i = 0; i < NINTEGRITIES; i++)
			if (strcmp(v, integrities[i]) == 0)
				return once(&st->integrity, file, line, k, v);
		return bad(file, line, "integrity must be https, sha256-url, "
		    "pin or local, not", v);
	}
	if (strcmp(k, "sha256-url") == 0) {
		if (strncmp(v, "https://", 8) != 0 &&
		    strncmp(v, "http://", 7) != 0)
			return bad(file, line, "sha256-url must be "
			    "http(s):", v);
		return once(&st->sha256_url, file, line, k, v);
	}
	if (strcmp(k, "sha256") == 0) {
		if (strlen(v) != 64 ||
		    strspn(v, "0123456789abcdefABCDEF") != 64)
			return bad(file, line, "sha256 must be 64 hex digits, "
			    "not", v);
		return once(&st->sha256, file, line, k, v);
	}
	if (strcmp(k, "fallback") == 0)
		return once(&st->fallback, file, line, k, v);
	return bad(file, line, "unknown key", k);
}

int
store_parse(const char *file, const char *buf, size_t len, struct store *st)
{
	const char *p = buf, *end = buf + len;
	size_t line = 0;

	memset(st, 0, sizeof(*st));
	if ((st->file = strdup(file)) == NULL)
		goto nomem;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *eq;
		char k[64], v[1024];
		size_t kl, vl;

		line++;
		while (p < e && isspace((unsigned char)*p))
			p++;
		/* a comment ends the line: values hold no '#' */
		if (p < e && (eq = memchr(p, '#', (size_t)(e - p))) != NULL)
			e = eq;
		while (e > p && isspace((unsigned char)e[-1]))
			e--;
		if (p == e) {
			p = nl ? nl + 1 : end;
			continue;
		}
		if ((eq = memchr(p, '=', (size_t)(e - p))) == NULL) {
			log_err("'%s': line %zu: expected \"key = value\"",
			    file, line);
			goto fail;
		}
		kl = (size_t)(eq - p);
		while (kl > 0 && isspace((unsigned char)p[kl - 1]))
			kl--;
		eq++;
		while (eq < e && isspace((unsigned char)*eq))
			eq++;
		vl = (size_t)(e - eq);
		if (kl == 0 || kl >= sizeof(k) || vl >= sizeof(v)) {
			log_err("'%s': line %zu: a key or value too long or "
			    "empty", file, line);
			goto fail;
		}
		memcpy(k, p, kl);
		k[kl] = '\0';
		memcpy(v, eq, vl);
		v[vl] = '\0';
		if (vl == 0) {
			log_err("'%s': line %zu: '%s' has no value", file, line,
			    k);
			goto fail;
		}
		if (pair(st, file, line, k, v) == -1)
			goto fail;
		p = nl ? nl + 1 : end;
	}
	if (st->name == NULL || st->format == NULL || !st->role_set ||
	    (st->url == NULL && st->npaths == 0)) {
		log_err("'%s': a definition needs name, format, role, and url "
		    "or path", file);
		goto fail;
	}
	if (st->member != NULL && st->fmt != FORMAT_ARCHIVE) {
		log_err("'%s': member is for format = archive", file);
		goto fail;
	}
	return 0;
nomem:
	log_err("'%s': out of memory", file);
fail:
	store_release(st);
	return -1;
}

/* The directories to search, in order; returns how many (at most 4). */
static int
search_path(char dirs[4][PATH_MAX])
{
	char exe[PATH_MAX], *slash;
	const char *env = getenv("TRUSTBUILD_STORES");
	ssize_t n;
	int k = 0;

	if (env != NULL && *env != '\0')
		snprintf(dirs[k++], PATH_MAX, "%s", env);
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			/* the source tree, then an installed PREFIX */
			snprintf(dirs[k++], PATH_MAX, "%.*s/stores",
			    PATH_MAX - 8, exe);
			snprintf(dirs[k++], PATH_MAX,
			    "%.*s/../share/trustbuild/stores", PATH_MAX - 32,
			    exe);
		}
	}
	snprintf(dirs[k++], PATH_MAX, "%s/stores", TRUSTBUILD_DATADIR);
	return k;
}

static int
parse_file(const char *path, struct store *st)
{
	unsigned char *buf;
	size_t len;
	struct diags d = DIAGS_INIT;
	int rc;

	rc = source_read_file(path, STORE_MAX_FILE, &buf, &len, &d);
	diags_report(&d);
	if (rc == -1)
		return -1;
	rc = store_parse(path, (char *)buf, len, st);
	free(buf);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The names of the definition files on the search path, sorted, each once,
 * as "a, b, c" in out (cut short if it does not fit).  Only for messages:
 * the files are not parsed.
 */
static void
known_names(char dirs[][PATH_MAX], int k, char *out, size_t outsz)
{
	char *names[64];
	struct dirent *de;
	size_t n = 0, i, len = 0;
	DIR *d;
	int j;

	out[0] = '\0';
	for (j = 0; j < k; j++) {
		if ((d = opendir(dirs[j])) == NULL)
			continue;
		while ((de = readdir(d)) != NULL && n < 64) {
			if (de->d_name[0] == '.' ||
			    strcmp(de->d_name, "README") == 0)
				continue;
			if ((names[n] = strdup(de->d_name)) != NULL)
				n++;
		}
		closedir(d);
	}
	if (n > 1)
		qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++)
		if ((i == 0 || strcmp(names[i], names[i - 1]) != 0) &&
		    len < outsz)
			len += (size_t)snprintf(out + len, outsz - len, "%s%s",
			    len ? ", " : "", names[i]);
	for (i = 0; i < n; i++)
		free(names[i]);
}

int
store_load(const char *name, struct store *st)
{
	char dirs[4][PATH_MAX], path[PATH_MAX + 256], known[512];
	int i, k;

	if (name[0] == '\0' || name[0] == '.' || strchr(name, '/') != NULL) {
		log_err("'%s': not a store name", name);
		return -1;
	}
	k = search_path(dirs);
	for (i = 0; i < k; i++) {
		snprintf(path, sizeof(path), "%.*s/%.255s", PATH_MAX - 1,
		    dirs[i], name);
		if (access(path, F_OK) != 0)
			continue;
		if (parse_file(path, st) == -1)
			return -1;
		if (strcmp(st->name, name) != 0) {
			log_err("'%s': names itself '%s'; a definition's file "
			    "is named after it", path, st->name);
			store_release(st);
			return -1;
		}
		return 0;
	}
	known_names(dirs, k, known, sizeof(known));
	log_err("'%s': no such store; 'trustbuild stores' lists them: %s",
	    name, known[0] != '\0' ? known : "none found");
	return -1;
}

static int
cmp_store(const void *a, const void *b)
{
	return strcmp(((const struct store *)a)->name,
	    ((const struct store *)b)->name);
}

void
store_list_free(struct store *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_release(&v[i]);
	free(v);
}

int
store_list(struct store **vp, size_t *np, const char **dirp)
{
	static char dirs[4][PATH_MAX];
	char path[PATH_MAX + 256];
	struct store *v = NULL;
	struct dirent *de;
	size_t n = 0;
	DIR *d = NULL;
	int i, k;

	k = search_path(dirs);
	for (i = 0; i < k && d == NULL; i++)
		if ((d = opendir(dirs[i])) != NULL)
			*dirp = dirs[i];
	if (d == NULL) {
		log_err("no stores directory (looked in $TRUSTBUILD_STORES, "
		    "stores/ and ../share/trustbuild/stores relative to the "
		    "binary, and '%s/stores')", TRUSTBUILD_DATADIR);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		struct store *nv;

		/* definitions are plain names: no dot files, no README */
		if (de->d_name[0] == '.' || strcmp(de->d_name, "README") == 0)
			continue;
		if ((nv = reallocarray(v, n + 1, sizeof(*v))) == NULL) {
			log_err("out of memory");
			goto fail;
		}
		v = nv;
		snprintf(path, sizeof(path), "%.*s/%.255s", PATH_MAX - 1,
		    *dirp, de->d_name);
		if (parse_file(path, &v[n]) == -1)
			goto fail;
		n++;
		if (strcmp(v[n - 1].name, de->d_name) != 0) {
			log_err("'%s': names itself '%s'; a definition's file "
			    "is named after it", path, v[n - 1].name);
			goto fail;
		}
	}
	closedir(d);
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_store);
	*vp = v;
	*np = n;
	return 0;
fail:
	closedir(d);
	store_list_free(v, n);
	return -1;
}
