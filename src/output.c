/*
 * output.c: writers[] and publishing, see output.h.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "capath.h"
#include "log.h"
#include "output.h"
#include "publish.h"

static const struct writer {
	const char	*name;
	int		(*prepare)(const struct certset *, const char *, int,
			    struct pending *);
} writers[] = {
	{ "bundle", bundle_prepare },
	{ "capath", capath_prepare },
};

enum { WRITER_BUNDLE, WRITER_CAPATH, WRITER_N };

/* The directory holding path (malloc'd), "." for a bare name. */
static char *
parent_of(const char *path)
{
	char *p = strdup(path), *slash;

	if (p == NULL)
		return NULL;
	while (strlen(p) > 1 && p[strlen(p) - 1] == '/')
		p[strlen(p) - 1] = '\0';
	if ((slash = strrchr(p, '/')) == NULL)
		strcpy(p, ".");
	else if (slash == p)
		p[1] = '\0';
	else
		*slash = '\0';
	return p;
}

/* Lock each distinct output directory once (flock is per open file). */
static int
lock_outputs(const char *out[WRITER_N], int fds[WRITER_N])
{
	struct stat st[WRITER_N];
	int i, j, dup;

	for (i = 0; i < WRITER_N; i++) {
		char *d;

		fds[i] = -1;
		if (out[i] == NULL)
			continue;
		if ((d = parent_of(out[i])) == NULL) {
			log_err("out of memory");
			return -1;
		}
		if (stat(d, &st[i]) == -1) {
			log_err("'%s': cannot publish there: directory '%s' "
			    "does not exist; create it first", out[i], d);
			free(d);
			return -1;
		}
		free(d);
		for (dup = 0, j = 0; j < i; j++)
			if (out[j] != NULL && st[j].st_dev == st[i].st_dev &&
			    st[j].st_ino == st[i].st_ino)
				dup = 1;
		if (!dup && (fds[i] = publish_lock(out[i],
		    OUTPUT_LOCK_WAIT_S)) == -1)
			return -1;
	}
	return 0;
}

int
output_publish(const struct output *o, const struct certset *set,
    int *changed)
{
	struct pending pd[WRITER_N];
	const char *out[WRITER_N];
	int lockfd[WRITER_N] = { -1, -1 };
	int w, rc = -1;

	memset(pd, 0, sizeof(pd));
	out[WRITER_BUNDLE] = o->bundle;
	out[WRITER_CAPATH] = o->capath;
	publish_signals();
	if (lock_outputs(out, lockfd) == -1)
		goto out;
	for (w = 0; w < WRITER_N; w++) {
		if (out[w] == NULL)
			continue;
		if (writers[w].prepare(set, out[w], o->flags, &pd[w]) == -1)
			goto out;
	}
	if (publish_commit_all(pd, WRITER_N) == -1)
		goto out;
	*changed = 0;
	for (w = 0; w < WRITER_N; w++)
		*changed |= pd[w].changed;
	rc = 0;
out:
	for (w = 0; w < WRITER_N; w++) {
		publish_abort(&pd[w]);
		publish_release(&pd[w]);
		if (lockfd[w] != -1)
			close(lockfd[w]);
	}
	return rc;
}
