/*
 * store.c: root set definitions, see store.h.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ini.h"
#include "source.h"
#include "store.h"
#include "xalloc.h"

#define STORE_MAX_FILE	(64 * 1024)

struct parse_ctx {
	struct source_spec *st;
	const char	*file;
	uint64_t	 seen;
};

static int
pair(void *arg, const struct ini_line *l, struct diags *d)
{
	struct parse_ctx *x = arg;

	return spec_set(SPEC_STORE, x->st, x->file, l->line, l->key, l->value,
	    &x->seen, d);
}

int
store_parse(const char *file, const char *buf, size_t len,
    struct source_spec *st, struct diags *d)
{
	static const struct ini_rules rules = {
		INI_HASH_ANYWHERE | INI_VALUE_NEEDED, 0, 64, 1024
	};
	struct parse_ctx x;

	memset(st, 0, sizeof(*st));
	memset(&x, 0, sizeof(x));
	st->file = xstrdup(file);
	x.st = st;
	x.file = file;
	if (ini_parse(file, buf, len, &rules, pair, &x, d) == -1)
		goto fail;
	if (st->name == NULL || st->format == NULL || !st->role_set ||
	    (st->url == NULL && st->npaths == 0)) {
		diag_err(d, file, 0, "a definition needs name, format, role, "
		    "and url or path");
		goto fail;
	}
	if (st->member != NULL && st->fmt != FORMAT_ARCHIVE) {
		diag_err(d, file, 0, "member is for format = archive");
		goto fail;
	}
	return 0;
fail:
	spec_release(st);
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
parse_file(const char *path, struct source_spec *st, struct diags *d)
{
	unsigned char *buf;
	size_t len;
	int rc;

	if (source_read_file(path, STORE_MAX_FILE, &buf, &len, d) == -1)
		return -1;
	rc = store_parse(path, (char *)buf, len, st, d);
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
	DIR *dir;
	int j;

	out[0] = '\0';
	for (j = 0; j < k; j++) {
		if ((dir = opendir(dirs[j])) == NULL)
			continue;
		while ((de = readdir(dir)) != NULL && n < 64) {
			if (de->d_name[0] == '.' ||
			    strcmp(de->d_name, "README") == 0)
				continue;
			names[n++] = xstrdup(de->d_name);
		}
		closedir(dir);
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
store_load(const char *name, struct source_spec *st, struct diags *d)
{
	char dirs[4][PATH_MAX], path[PATH_MAX + 256], known[512];
	int i, k;

	if (name[0] == '\0' || name[0] == '.' || strchr(name, '/') != NULL) {
		diag_err(d, name, 0, "not a store name");
		return -1;
	}
	k = search_path(dirs);
	for (i = 0; i < k; i++) {
		snprintf(path, sizeof(path), "%.*s/%.255s", PATH_MAX - 1,
		    dirs[i], name);
		if (access(path, F_OK) != 0)
			continue;
		if (parse_file(path, st, d) == -1)
			return -1;
		if (strcmp(st->name, name) != 0) {
			diag_err(d, path, 0, "names itself '%s'; a definition's "
			    "file is named after it", st->name);
			spec_release(st);
			return -1;
		}
		return 0;
	}
	known_names(dirs, k, known, sizeof(known));
	diag_err(d, name, 0, "no such store; 'trustbuild stores' lists them: "
	    "%s", known[0] != '\0' ? known : "none found");
	return -1;
}

static int
cmp_store(const void *a, const void *b)
{
	return strcmp(((const struct source_spec *)a)->name,
	    ((const struct source_spec *)b)->name);
}

void
store_list_free(struct source_spec *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		spec_release(&v[i]);
	free(v);
}

int
store_list(struct source_spec **vp, size_t *np, const char **dirp,
    struct diags *d)
{
	static char dirs[4][PATH_MAX];
	char path[PATH_MAX + 256];
	struct source_spec *v = NULL;
	struct dirent *de;
	size_t n = 0;
	DIR *dir = NULL;
	int i, k;

	k = search_path(dirs);
	for (i = 0; i < k && dir == NULL; i++)
		if ((dir = opendir(dirs[i])) != NULL)
			*dirp = dirs[i];
	if (dir == NULL) {
		diag_err(d, NULL, 0, "no stores directory (looked in "
		    "$TRUSTBUILD_STORES, stores/ and ../share/trustbuild/stores "
		    "relative to the binary, and '%s/stores')",
		    TRUSTBUILD_DATADIR);
		return -1;
	}
	while ((de = readdir(dir)) != NULL) {
		/* definitions are plain names: no dot files, no README */
		if (de->d_name[0] == '.' || strcmp(de->d_name, "README") == 0)
			continue;
		v = xreallocarray(v, n + 1, sizeof(*v));
		snprintf(path, sizeof(path), "%.*s/%.255s", PATH_MAX - 1,
		    *dirp, de->d_name);
		if (parse_file(path, &v[n], d) == -1)
			goto fail;
		n++;
		if (strcmp(v[n - 1].name, de->d_name) != 0) {
			diag_err(d, path, 0, "names itself '%s'; a definition's "
			    "file is named after it", v[n - 1].name);
			goto fail;
		}
	}
	closedir(dir);
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_store);
	*vp = v;
	*np = n;
	return 0;
fail:
	closedir(dir);
	store_list_free(v, n);
	return -1;
}
