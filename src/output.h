/*
 * output.h: the writers (bundle, CApath) and their publishing, shared by
 * "build" and "update".
 *
 * A writer is one row of writers[] in output.c: {name, [output] key,
 * option of "build", what it publishes, render}.  Its render function only
 * turns the final, sorted set into bytes: a file's content, or the entries
 * of a directory.  It knows no path and does no I/O.  Everything after
 * render is output_publish()'s: the directories that will hold the outputs
 * are locked against other runs, every output is staged beside what is
 * published, then all are committed, or none is (publish.h).
 *
 * Calling sequence:
 *
 *	struct output o = OUTPUT_INIT;
 *	output_add(&o, "bundle", path);		// or output_getopt(),
 *	output_add(&o, "capath", dir);		// or output_from_config()
 *	o.flags |= CAPATH_COMPAT;
 *	if (output_publish(&o, set, &changed) == -1) ...
 *
 * Paths are borrowed: they must outlive o.  Nothing needs releasing.
 *
 * To add a writer (a PKCS#12 truststore, say):
 *   1. p12.c, p12.h: p12_render(set, flags, r, d) fills r->b with the
 *      file (or r->e with a directory's entries, data in r->b); the same
 *      set gives the same bytes (sorted, no time of the run in it);
 *   2. one row in writers[] (output.c): { "p12", "p12", "p12",
 *      "FILE", PENDING_FILE, offsetof(struct config, p12), p12_render };
 *   3. the field in struct config (config.h) and the [output] "p12" row
 *      of the configuration's key table that fills it; "build --p12 FILE"
 *      comes from the writers[] row by itself (output_longopts);
 *   4. a test in tests/e2e/ that reads the output as a user would
 *      ("openssl pkcs12 -info"), and the man page's [output] keys.
 */
#ifndef TB_OUTPUT_H
#define TB_OUTPUT_H

#include <getopt.h>
#include <stddef.h>

#include "buf.h"
#include "certset.h"
#include "diag.h"
#include "publish.h"

#define OUTPUT_LOCK_WAIT_S	30	/* wait for another run's publishing */
#define OUTPUT_MAX		8	/* outputs of one run */
#define OUTPUT_OPTION		0x1000	/* getopt value of writer 0's option */

struct config;

/* What a writer renders: a file's bytes, or a directory's entries. */
struct rendered {
	struct buf	 b;		/* the file; a directory's file data */
	struct dir_entry *e;		/* a directory: its entries, sorted */
	size_t		 n;
};

struct writer {
	const char	*name;		/* "bundle", for output_add() */
	const char	*key;		/* in [output] of trustbuild.conf */
	const char	*option;	/* "build --OPTION PATH" */
	const char	*arg;		/* what the path is: "FILE", "DIR" */
	enum pending_kind kind;		/* published as a file or directory */
	size_t		 cfg_field;	/* offsetof(struct config, char *) */
	/* Render set into r (empty).  -1 after adding to d. */
	int		(*render)(const struct certset *set, int flags,
			    struct rendered *r, struct diags *d);
};

struct output_target {
	const struct writer *w;
	const char	*path;		/* borrowed */
};

struct output {
	struct output_target v[OUTPUT_MAX];
	size_t		 n;
	int		 flags;		/* CAPATH_COMPAT */
};

#define OUTPUT_INIT	{ .n = 0 }

/* The i-th writer (borrowed), NULL past the last. */
const struct writer *output_writer(size_t i);
/* The writer named (or with the [output] key) name, or NULL. */
const struct writer *output_writer_find(const char *name);

/*
 * Write the writer named name to path (borrowed); a second path for the
 * same writer replaces the first.  -1 if there is no such writer or o is
 * full (no message: the caller's option or key was not a writer's).
 */
int	output_add(struct output *o, const char *name, const char *path);
/* The path the writer named name writes, or NULL (borrowed). */
const char *output_path(const struct output *o, const char *name);
/* Every output of the configuration c (paths borrowed from c). */
void	output_from_config(struct output *o, const struct config *c);

/*
 * getopt_long rows: base (up to its NULL row), then "--OPTION PATH" of each
 * writer with the value OUTPUT_OPTION + i, then the NULL row.  Malloc'd.
 */
struct option *output_longopts(const struct option *base);
/* ch from getopt_long: 1 if it was a writer's option (added to o), else 0. */
int	output_getopt(struct output *o, int ch, const char *arg);

/*
 * mkdir -p of the directories above each output (publish_make_parents).
 * -1 after adding to d.
 */
int	output_make_parents(const struct output *o, struct diags *d);
/*
 * 1 if an interrupted run left something beside an output (temp files,
 * generations): see publish_leftovers().  0 if not.
 */
int	output_leftovers(const struct output *o);

/*
 * Publish set to the outputs of o.  *changed says whether anything was
 * written (content equal to what is published is not).  Returns 0, or -1
 * after a message (what render and publish.h said, reported here, once); then nothing was switched, except as publish.h says of a
 * failure between two renames.
 */
int	output_publish(const struct output *o, const struct certset *set,
	    int *changed);

#endif
