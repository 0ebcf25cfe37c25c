/*
 * publish.c: a file published in pieces (publish_file_prepare_pieces) is
 * the pieces' concatenation whatever their sizes (empty ones, ones across
 * the 64 KiB chunks); what is published is compared piece by piece, so a
 * file equal to them stages nothing and one a byte longer, shorter or
 * different in its last byte is replaced; a piece that cannot be made
 * fails the prepare with its message and leaves nothing staged and the
 * published file as it was; a kept mode stays.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "publish.h"
#include "t.h"
#include "xalloc.h"

struct gen {
	size_t	 fail_at;	/* make fails at this piece (or never: n) */
	char	 last;		/* the last byte of the last piece */
};

/* Piece i: every fifth empty, else up to 4,999 bytes of one letter. */
static int
make(const void *arg, size_t i, struct buf *b, struct diags *d)
{
	const struct gen *g = arg;
	size_t len = i % 5 == 0 ? 0 : (i * 7919) % 5000, k;

	if (i == g->fail_at) {
		diag_err(d, NULL, 0, "piece %zu cannot be made", i);
		return -1;
	}
	for (k = 0; k < len; k++)
		if (buf_add(b, &"abcdefghijklmnopqrstuvwxyz"[i % 26], 1) == -1)
			return -1;
	if (i == 199)
		return buf_add(b, &g->last, 1);
	return 0;
}

/* The pieces' concatenation, as make() gives it (xmalloc'd). */
static char *
expected(const struct gen *g, size_t n, size_t *len)
{
	struct buf b = { NULL, 0, 0, 0 };
	size_t i;

	for (i = 0; i < n; i++)
		make(g, i, &b, NULL);
	*len = b.len;
	return b.p;
}

/* The file at path: 1 if it holds exactly want. */
static int
holds(const char *path, const char *want, size_t len)
{
	char *got;
	FILE *f;
	size_t n;
	int same;

	if ((f = fopen(path, "rb")) == NULL)
		return 0;
	got = xmalloc(len + 2);
	n = fread(got, 1, len + 1, f);
	fclose(f);
	same = n == len && memcmp(got, want, len) == 0;
	free(got);
	return same;
}

/* Prepare path from the pieces of g and commit; pd->changed into *changed. */
static int
publish(const char *path, const struct gen *g, int *changed,
    struct diags *d)
{
	struct file_pieces fp = { 200, make, g };
	struct pending pd;
	int rc;

	rc = publish_file_prepare_pieces(&pd, path, &fp, d);
	if (rc == 0)
		rc = publish_commit_all(&pd, 1, d);
	*changed = pd.changed;
	publish_abort(&pd);
	publish_release(&pd);
	return rc;
}

static void
append(const char *path, const char *s)
{
	FILE *f = fopen(path, "ab");

	if (f != NULL) {
		fputs(s, f);
		fclose(f);
	}
}

void
test_publish(void)
{
	struct gen g = { (size_t)-1, 'x' }, bad = { 150, 'x' };
	struct diags d = DIAGS_INIT;
	struct stat st;
	struct pending pd;
	char dir[] = "/tmp/t_publish.XXXXXX", path[64], err[1024], *want;
	size_t len;
	int changed = -1;

	if (mkdtemp(dir) == NULL) {
		t_skip("publish: no temporary directory");
		return;
	}
	snprintf(path, sizeof(path), "%s/bundle.pem", dir);
	want = expected(&g, 200, &len);
	CHECK(len > 3 * 65536);

	/* new, then equal: nothing staged */
	CHECK(publish(path, &g, &changed, &d) == 0 && changed == 1);
	CHECK(holds(path, want, len));
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0644);
	CHECK(publish(path, &g, &changed, &d) == 0 && changed == 0);
	/* the same bytes as one buffer are the same file */
	CHECK(publish_file_prepare(&pd, path, want, len, &d) == 0 &&
	    pd.changed == 0 && pd.tmp == NULL);
	publish_release(&pd);

	/* a byte more, a byte less, another last byte: replaced */
	append(path, "\n");
	CHECK(publish(path, &g, &changed, &d) == 0 && changed == 1);
	CHECK(holds(path, want, len));
	CHECK(truncate(path, (off_t)len - 1) == 0);
	chmod(path, 0640);
	CHECK(publish(path, &g, &changed, &d) == 0 && changed == 1);
	CHECK(holds(path, want, len));
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);
	g.last = 'y';
	free(want);
	want = expected(&g, 200, &len);
	CHECK(publish(path, &g, &changed, &d) == 0 && changed == 1);
	CHECK(holds(path, want, len));

	/* a piece that cannot be made: while comparing (the file equal up
	   to it) and while writing (no file): nothing staged, file kept */
	bad.last = 'y';
	t_catch();
	CHECK(publish(path, &bad, &changed, &d) == -1 && changed == 0);
	t_silent(&d, err, sizeof(err));
	CHECK(t_has(err, "piece 150 cannot be made"));
	CHECK(holds(path, want, len));
	CHECK(!publish_leftovers(path));
	CHECK(unlink(path) == 0);
	t_catch();
	CHECK(publish(path, &bad, &changed, &d) == -1 && changed == 0);
	t_silent(&d, err, sizeof(err));
	CHECK(t_has(err, "piece 150 cannot be made"));
	CHECK(access(path, F_OK) == -1 && !publish_leftovers(path));

	free(want);
	diags_clear(&d);
	rmdir(dir);
}
