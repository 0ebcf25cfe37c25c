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
#include "p12.h"
#include "pemdir.h"
#include "publish.h"
#include "source.h"
#include "state.h"
#include "tbundle.h"
#include "xalloc.h"

static const struct writer writers[] = {
	{ "bundle", "pem-bundle", "bundle", "bundle", "FILE", PENDING_FILE,
	    offsetof(struct config, bundle), bundle_render },
	{ "capath", "openssl-dir", "capath", "capath", "DIR", PENDING_DIR,
	    offsetof(struct config, capath), capath_render },
	{ "pem-dir", "pem-dir", NULL, "pem-dir", "DIR", PENDING_DIR,
	    OUTPUT_NO_KEY, pemdir_render },
	{ "pkcs12", "pkcs12", NULL, "pkcs12", "FILE", PENDING_FILE,
	    OUTPUT_NO_KEY, p12_render },
	{ "trusted-bundle", "openssl-trusted-bundle", NULL, "trusted-bundle",
	    "FILE", PENDING_FILE, OUTPUT_NO_KEY, tbundle_render },
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
		    (writers[i].key != NULL &&
		    strcmp(writers[i].key, name) == 0))
			return &writers[i];
	return NULL;
}

const struct writer *
output_writer_format(const char *format)
{
	size_t i;

	for (i = 0; i < NWRITERS; i++)
		if (strcmp(writers[i].format, format) == 0)
			return &writers[i];
	return NULL;
}

const char *
output_formats(void)
{
	static char buf[256];
	size_t i, len = 0;

	if (buf[0] != '\0')
		return buf;
	for (i = 0; i < NWRITERS; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
		    i == 0 ? "" : i + 1 == NWRITERS ? " or " : ", ",
		    writers[i].format);
	return buf;
}

/* A plain output: one per writer, before the others, in writers[] order. */
static int
add_writer(struct output *o, const struct writer *w, const char *path)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (o->v[i].plain && o->v[i].w == w) {
			o->v[i].path = path;
			return 0;
		}
	if (o->n == OUTPUT_MAX)
		return -1;
	/* in the order of writers[], whatever the order of the options */
	for (i = o->n; i > 0 && (!o->v[i - 1].plain || o->v[i - 1].w > w);
	    i--)
		o->v[i] = o->v[i - 1];
	memset(&o->v[i], 0, sizeof(o->v[i]));
	o->v[i].w = w;
	o->v[i].name = w->name;
	o->v[i].path = path;
	o->v[i].plain = 1;
	o->n++;
	return 0;
}

int
output_add_target(struct output *o, const struct writer *w, const char *name,
    const char *path, enum purpose purpose, const char *password)
{
	struct output_target *t;

	if (o->n == OUTPUT_MAX)
		return -1;
	t = &o->v[o->n++];
	memset(t, 0, sizeof(*t));
	t->w = w;
	t->name = name != NULL ? name : w->option;
	t->path = path;
	t->purpose = purpose;
	t->password = password;
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
		if (o->v[i].plain && strcmp(o->v[i].w->name, name) == 0)
			return o->v[i].path;
	return NULL;
}

void
output_from_config(struct output *o, const struct config *c)
{
	const char *path;
	size_t i;

	for (i = 0; i < NWRITERS; i++) {
		if (writers[i].cfg_field == OUTPUT_NO_KEY)
			continue;
		path = *(char *const *)(const void *)((const char *)c +
		    writers[i].cfg_field);
		if (path != NULL)
			add_writer(o, &writers[i], path);
	}
	for (i = 0; i < o->n; i++)
		o->v[i].purpose = c->purpose;
	for (i = 0; i < c->noutputs; i++) {
		const struct config_output *co = &c->outputs[i];

		if (output_add_target(o, co->w, co->name, co->path,
		    co->purpose_set ? co->purpose : c->purpose,
		    co->password) == 0)
			o->v[o->n - 1].cfg = co;
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
output_getopt(struct output *o, int ch, const char *arg, enum purpose purpose)
{
	const struct writer *w;

	if (ch < OUTPUT_OPTION || ch >= OUTPUT_OPTION + (int)NWRITERS)
		return 0;
	w = &writers[ch - OUTPUT_OPTION];
	if (w->cfg_field != OUTPUT_NO_KEY)
		return add_writer(o, w, arg) == -1 ? -1 : 1;
	return output_add_target(o, w, NULL, arg, purpose, NULL) == -1 ? -1 :
	    1;
}

int
output_published_id(const struct output *o, char *out, size_t size,
    struct diags *d)
{
	char sum[65], target[4096];
	size_t i, len;
	ssize_t n;

	if (state_published_id(output_path(o, "bundle"),
	    output_path(o, "capath"), out, size, d) == -1)
		return -1;
	for (i = 0; i < o->n; i++) {
		const struct output_target *t = &o->v[i];

		if (t->plain)
			continue;
		snprintf(sum, sizeof(sum), "-");
		snprintf(target, sizeof(target), "-");
		if (t->w->kind == PENDING_FILE && access(t->path, F_OK) == 0) {
			if (state_sha256_file(t->path, sum, d) == -1)
				return -1;
		} else if (t->w->kind == PENDING_DIR && (n = readlink(t->path,
		    target, sizeof(target) - 1)) > 0)
			target[n] = '\0';
		len = strlen(out);
		snprintf(out + len, size - len, "%s %s %s\n", t->name,
		    t->w->kind == PENDING_FILE ? sum : target, t->path);
	}
	return 0;
}

void
output_changed(const struct output *o, int all, char **names, char **paths)
{
	struct buf nb, pb;
	size_t i;

	memset(&nb, 0, sizeof(nb));
	memset(&pb, 0, sizeof(pb));

	for (i = 0; i < o->n; i++)
		if (all || o->v[i].changed) {
			buf_printf(&nb, "%s%s", nb.len ? " " : "",
			    o->v[i].name);
			buf_printf(&pb, "%s\n", o->v[i].path);
		}
	buf_add(&nb, "", 1);
	buf_add(&pb, "", 1);
	*names = nb.p;
	*paths = pb.p;
}

int
output_distinct(const struct output *o, struct diags *d)
{
	size_t i, j;

	for (i = 0; i < o->n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(o->v[i].path, o->v[j].path) == 0) {
				diag_err(d, o->v[i].path, 0, "written by two "
				    "outputs (%s and %s); give each its own "
				    "path", o->v[j].name, o->v[i].name);
				return -1;
			}
	return 0;
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
stage(const struct output_target *t, struct pending *pd, struct diags *d)
{
	struct rendered r;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	if (t->set == NULL) {
		diag_err(d, t->path, 0, "no set for the %s output", t->name);
		goto out;
	}
	if (t->w->render(t->set, t, &r, d) == -1)
		goto out;
	if (r.b.failed) {
		diag_err(d, NULL, 0, "out of memory rendering the %s",
		    t->w->name);
		goto out;
	}
	if (t->w->kind == PENDING_FILE && r.f.make != NULL)
		rc = publish_file_prepare_pieces(pd, t->path, &r.f, d);
	else if (t->w->kind == PENDING_FILE)
		rc = publish_file_prepare(pd, t->path, r.b.p, r.b.len, d);
	else
		rc = publish_dir_prepare(pd, t->path, r.e, r.n, d);
out:
	buf_release(&r.b);
	free(r.e);
	return rc;
}

int
output_publish(struct output *o, int *changed)
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
	for (i = 0; i < o->n; i++) {
		o->v[i].flags = o->flags;
		if (stage(&o->v[i], &pd[i], &d) == -1)
			goto out;
	}
	if (publish_commit_all(pd, o->n, &d) == -1)
		goto out;
	*changed = 0;
	for (i = 0; i < o->n; i++) {
		o->v[i].changed = pd[i].changed;
		*changed |= pd[i].changed;
	}
	if (o->committed != NULL)
		o->committed(o, o->arg);
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
