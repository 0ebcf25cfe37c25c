/*
 * output.c: writers[] and publishing, see output.h.
 */
#include <sys/stat.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "capath.h"
#include "config.h"
#include "output.h"
#include "publish.h"
#include "xalloc.h"

static const struct writer writers[] = {
	{ "bundle", "bundle", "bundle", "FILE", PENDING_FILE,
	    offsetof(struct config, bundle), bundle_render },
	{ "capath", "capath", "capath", "DIR", PENDING_DIR,
	    offsetof(struct config, capath), capath_render },
};

#define NWRITERS	(sizeof(writers) / sizeof(writers[0]))

const struct writer *
output_writer(size_t i)
{
	return i < NWRITERS ? &writers[i] : NULL;
}

const struct writer *
output_writer_find(const char *name)
{
	size_t i;

	for (i = 0; i < NWRITERS; i++)
		if (strcmp(writers[i].name, name) == 0 ||
		    strcmp(writers[i].key, name) == 0)
			return &writers[i];
	return NULL;
}

static int
add_writer(struct output *o, const struct writer *w, const char *path)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (o->v[i].w == w) {
			o->v[i].path = path;
			return 0;
		}
	if (o->n == OUTPUT_MAX)
		return -1;
	/* in the order of writers[], whatever the order of the options */
	for (i = o->n; i > 0 && o->v[i - 1].w > w; i--)
		o->v[i] = o->v[i - 1];
	o->v[i].w = w;
	o->v[i].path = path;
	o->n++;
	return 0;
}

int
output_add(struct output *o, const char *name, const char *path)
{
	const struct writer *w;

	if ((w = output_writer_find(name)) == NULL)
		return -1;
	return add_writer(o, w, path);
}

const char *
output_path(const struct output *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (strcmp(o->v[i].w->name, name) == 0)
			return o->v[i].path;
	return NULL;
}

void
output_from_config(struct output *o, const struct config *c)
{
	const char *path;
	size_t i;

	for (i = 0; i < NWRITERS; i++) {
		path = *(char *const *)(const void *)((const char *)c +
		    writers[i].cfg_field);
		if (path != NULL)
			add_writer(o, &writers[i], path);
	}
	o->flags = c->compat ? CAPATH_COMPAT : 0;
}

struct option *
output_longopts(const struct option *base)
{
	struct option *v;
	size_t n, i;

	for (n = 0; base[n].name != NULL; n++)
		;
	v = xcalloc(n + NWRITERS + 1, sizeof(*v));
	memcpy(v, base, n * sizeof(*v));
	for (i = 0; i < NWRITERS; i++) {
		v[n + i].name = writers[i].option;
		v[n + i].has_arg = required_argument;
		v[n + i].val = OUTPUT_OPTION + (int)i;
	}
	return v;
}

int
output_getopt(struct output *o, int ch, const char *arg)
{
	if (ch < OUTPUT_OPTION || ch >= OUTPUT_OPTION + (int)NWRITERS)
		return 0;
	add_writer(o, &writers[ch - OUTPUT_OPTION], arg);
	return 1;
}

int
output_make_parents(const struct output *o, struct diags *d)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (publish_make_parents(o->v[i].path, d) == -1)
			return -1;
	return 0;
}

int
output_leftovers(const struct output *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (publish_leftovers(o->v[i].path))
			return 1;
	return 0;
}

/* Lock each distinct output directory once (flock is per open file). */
static int
lock_outputs(const struct output *o, int fds[OUTPUT_MAX], struct diags *d)
{
	struct stat st[OUTPUT_MAX];
	size_t i, j;
	int dup;

	for (i = 0; i < o->n; i++) {
		const char *path = o->v[i].path;
		char *dir = publish_dirname(path);

		if (stat(dir, &st[i]) == -1) {
			diag_err(d, path, 0, "cannot publish there: directory "
			    "'%s' does not exist; create it first", dir);
			free(dir);
			return -1;
		}
		free(dir);
		for (dup = 0, j = 0; j < i; j++)
			if (st[j].st_dev == st[i].st_dev &&
			    st[j].st_ino == st[i].st_ino)
				dup = 1;
		if (!dup && (fds[i] = publish_lock(path,
		    OUTPUT_LOCK_WAIT_S, d)) == -1)
			return -1;
	}
	return 0;
}

/* Render one output and stage it beside what is published. */
static int
stage(const struct output_target *t, const struct certset *set, int flags,
    struct pending *pd, struct diags *d)
{
	struct rendered r;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	if (t->w->render(set, flags, &r, d) == -1)
		goto out;
	if (r.b.failed) {
		diag_err(d, NULL, 0, "out of memory rendering the %s",
		    t->w->name);
		goto out;
	}
	if (t->w->kind == PENDING_FILE)
		rc = publish_file_prepare(pd, t->path, r.b.p, r.b.len, d);
	else
		rc = publish_dir_prepare(pd, t->path, r.e, r.n, d);
out:
	buf_release(&r.b);
	free(r.e);
	return rc;
}

int
output_publish(const struct output *o, const struct certset *set,
    int *changed)
{
	struct pending pd[OUTPUT_MAX];
	struct diags d = DIAGS_INIT;
	int lockfd[OUTPUT_MAX];
	size_t i;
	int rc = -1;

	memset(pd, 0, sizeof(pd));
	for (i = 0; i < OUTPUT_MAX; i++) {
		pd[i].dfd = -1;
		lockfd[i] = -1;
	}
	if (lock_outputs(o, lockfd, &d) == -1)
		goto out;
	for (i = 0; i < o->n; i++)
		if (stage(&o->v[i], set, o->flags, &pd[i], &d) == -1)
			goto out;
	if (publish_commit_all(pd, o->n, &d) == -1)
		goto out;
	*changed = 0;
	for (i = 0; i < o->n; i++)
		*changed |= pd[i].changed;
	rc = 0;
out:
	for (i = 0; i < o->n; i++) {
		publish_abort(&pd[i]);
		publish_release(&pd[i]);
		if (lockfd[i] != -1)
			close(lockfd[i]);
	}
	diags_report(&d);
	return rc;
}
