/*
 * spec_source.c: a source's description copied, released and resolved
 * against its store's definition, see spec.h (the key table is spec.c's).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spec.h"
#include "store.h"
#include "xalloc.h"

/* The strings a struct source_spec owns (paths[] aside). */
static const size_t strings[] = {
	offsetof(struct source_spec, name),
	offsetof(struct source_spec, file),
	offsetof(struct source_spec, description),
	offsetof(struct source_spec, store),
	offsetof(struct source_spec, url),
	offsetof(struct source_spec, path),
	offsetof(struct source_spec, format),
	offsetof(struct source_spec, member),
	offsetof(struct source_spec, integrity),
	offsetof(struct source_spec, sha256),
	offsetof(struct source_spec, sha256_url),
	offsetof(struct source_spec, ca),
	offsetof(struct source_spec, fallback),
	offsetof(struct source_spec, why),
	offsetof(struct source_spec, cross_check)
};
#define NSTRINGS	(sizeof(strings) / sizeof(strings[0]))

static char **
field(struct source_spec *s, size_t off)
{
	return (char **)(void *)((char *)s + off);
}

void
spec_release(struct source_spec *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < NSTRINGS; i++)
		free(*field(s, strings[i]));
	for (i = 0; i < s->npaths; i++)
		free(s->paths[i]);
	for (i = 0; i < s->nmirrors; i++)
		free(s->mirrors[i]);
	for (i = 0; i < s->nsigner; i++)
		free(s->signer[i]);
	memset(s, 0, sizeof(*s));
}

static char *
dup0(const char *a, const char *b)
{
	const char *v = a != NULL ? a : b;

	return v != NULL ? xstrdup(v) : NULL;
}

void
spec_copy(struct source_spec *out, const struct source_spec *s)
{
	size_t i;

	*out = *s;
	for (i = 0; i < NSTRINGS; i++)
		*field(out, strings[i]) = dup0(*field(out, strings[i]), NULL);
	for (i = 0; i < s->npaths; i++)
		out->paths[i] = xstrdup(s->paths[i]);
	for (i = 0; i < s->nmirrors; i++)
		out->mirrors[i] = xstrdup(s->mirrors[i]);
	for (i = 0; i < s->nsigner; i++)
		out->signer[i] = xstrdup(s->signer[i]);
}

/* "file:///x" and "/x" are local; "/x#GLOB" selects members of /x. */
static void
set_location(struct source_spec *s, const char *loc)
{
	char *hash;

	free(s->url);
	s->url = NULL;
	if (strncmp(loc, "http://", 7) == 0 || strncmp(loc, "https://", 8) == 0) {
		s->url = xstrdup(loc);
		return;
	}
	if (strncmp(loc, "file://", 7) == 0)
		loc += 7;
	s->path = xstrdup(loc);
	if (access(s->path, F_OK) != 0 &&
	    (hash = strrchr(s->path, '#')) != NULL && s->member == NULL) {
		*hash = '\0';
		s->member = xstrdup(hash + 1);
	}
}

int
spec_resolve(const struct source_spec *e, struct source_spec *out,
    struct diags *d)
{
	struct source_spec st, r;
	size_t i;

	memset(&st, 0, sizeof(st));
	if (e->store != NULL && store_load(e->store, &st, d) == -1)
		return -1;
	spec_copy(&r, e);
	if (e->store != NULL) {
		if (!e->role_set)
			r.role = st.role;
		if (e->format == NULL) {
			r.fmt = st.fmt;
			r.format = dup0(st.format, NULL);
		}
		free(r.description);
		free(r.integrity);
		free(r.why);
		r.description = dup0(st.description, NULL);
		r.integrity = dup0(st.integrity, NULL);
		r.why = dup0(st.why, NULL);
		if (r.stale_after == 0)
			r.stale_after = st.stale_after;
	}
	if (r.member == NULL)
		r.member = dup0(st.member, NULL);
	if (r.sha256 == NULL)
		r.sha256 = dup0(st.sha256, NULL);
	if (r.sha256_url == NULL)
		r.sha256_url = dup0(st.sha256_url, NULL);
	if (r.fallback == NULL)
		r.fallback = dup0(st.fallback, NULL);
	if (e->url != NULL || st.url != NULL) {
		set_location(&r, e->url != NULL ? e->url : st.url);
		/* a [source]'s own urls replace its store's */
		for (i = 0; e->url == NULL && i < st.nmirrors; i++)
			r.mirrors[r.nmirrors++] = xstrdup(st.mirrors[i]);
	} else {
		for (i = 0; i < st.npaths && r.path == NULL; i++)
			if (access(st.paths[i], R_OK) == 0)
				r.path = xstrdup(st.paths[i]);
		if (r.path == NULL) {
			diag_err(d, NULL, 0, "[source %s]: none of the paths of "
			    "store '%s' exists here (%s); give 'url = PATH'",
			    e->name, st.name, st.file);
			spec_release(&r);
			spec_release(&st);
			return -1;
		}
	}
	spec_release(&st);
	*out = r;
	return 0;
}
