/*
 * output.h: the writers (bundle, CApath, pem-dir, PKCS#12, trusted
 * bundle) and their publishing, shared by "build" and "update".
 *
 * A writer is one row of writers[] in output.c: {name, format, [output]
 * key, option of "build", what it publishes, render}.  Its render function
 * only turns a final, sorted set into bytes: a file's content, or the
 * entries of a directory.  It knows no path and does no I/O.  Everything
 * after render is output_publish()'s: the directories that will hold the
 * outputs are locked against other runs, every output is staged beside
 * what is published, then all are committed, or none is (publish.h).
 *
 * An output (struct output_target) is a writer, a path, a purpose and,
 * for PKCS#12, a password.  The plain [output] section's bundle and
 * capath (and build's --bundle, --capath) are the "plain" outputs, named
 * "bundle" and "capath"; each [output NAME] section (and build's
 * --pkcs12, --pem-dir, --trusted-bundle) adds one more, with its own
 * purpose.  Before publishing, each output gets the set it publishes
 * (t->set, borrowed): outset.h makes one per purpose, then applies the
 * output's own filter.
 *
 * Calling sequence:
 *
 *	struct output o = OUTPUT_INIT;
 *	output_add(&o, "bundle", path);		// or output_getopt(),
 *	output_add(&o, "capath", dir);		// or output_from_config()
 *	o.flags |= CAPATH_COMPAT;
 *	outset_assign(&o, ...);			// or o.v[i].set = set
 *	if (output_publish(&o, &changed) == -1) ...
 *	// o.v[i].changed: which outputs were written
 *
 * Paths, names and passwords are borrowed: they must outlive o.  Nothing
 * needs releasing.
 *
 * To add a writer (a JKS truststore, say):
 *   1. jks.c, jks.h: jks_render(set, t, r, d) fills r->b with the file,
 *      or r->f with its pieces (one per certificate, made while it is
 *      published: bundle.c), or r->e with a directory's entries (their
 *      data made on demand: capath.c); the same set gives the same bytes
 *      (sorted, no time of the run in it);
 *   2. one row in writers[] (output.c): { "jks", "jks", NULL, "jks",
 *      "FILE", PENDING_FILE, OUTPUT_NO_KEY, jks_render }: "format = jks"
 *      in an [output NAME] section and "build --jks FILE" come from it;
 *   3. a test in tests/e2e/ that reads the output as its user would
 *      (keytool, a Java client), and the man pages' formats.
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
#define OUTPUT_MAX		16	/* outputs of one run */
#define OUTPUT_NO_KEY		((size_t)-1)	/* a writer without a key
						   of the plain [output] */
#define OUTPUT_PASSWORD		"changeit"	/* PKCS#12, as Java's cacerts */
#define OUTPUT_OPTION		0x1000	/* getopt value of writer 0's option */

struct config;
struct config_output;
struct output_target;

/*
 * What a writer renders: a file's bytes, or the file in pieces made while
 * it is published (so a large one is never whole in memory), or a
 * directory's entries.
 */
struct rendered {
	struct buf	 b;		/* the file; a directory's file data */
	struct file_pieces f;		/* or the file's pieces (f.make set;
					   f.arg borrowed: the set, t) */
	struct dir_entry *e;		/* a directory: its entries, sorted */
	size_t		 n;
};

struct writer {
	const char	*name;		/* "bundle", for output_add() */
	const char	*format;	/* "format =" of [output NAME] */
	const char	*key;		/* in [output] of trustbuild.conf, or
					   NULL */
	const char	*option;	/* "build --OPTION PATH" */
	const char	*arg;		/* what the path is: "FILE", "DIR" */
	enum pending_kind kind;		/* published as a file or directory */
	size_t		 cfg_field;	/* offsetof(struct config, char *), or
					   OUTPUT_NO_KEY */
	/* Render set for t (its purpose, password, flags) into r (empty).
	 * -1 after adding to d. */
	int		(*render)(const struct certset *set,
			    const struct output_target *t, struct rendered *r,
			    struct diags *d);
};

struct output_target {
	const struct writer *w;
	const char	*name;		/* "bundle", "capath", [output NAME] */
	const char	*path;		/* borrowed */
	enum purpose	 purpose;
	const char	*password;	/* pkcs12: NULL is OUTPUT_PASSWORD */
	int		 plain;		/* of [output], --bundle, --capath */
	int		 flags;		/* CAPATH_COMPAT (output's flags) */
	const struct config_output *cfg; /* its [output NAME] section (the
					   per-output filter's settings,
					   outset.h), or NULL */
	const struct certset *set;	/* what it publishes (borrowed) */
	int		 changed;	/* output_publish: it was written */
};

struct output {
	struct output_target v[OUTPUT_MAX];
	size_t		 n;
	int		 flags;		/* CAPATH_COMPAT */
	/* output_publish(): after the commit, while the output directories
	   are still locked (build's record, record.h); or NULL */
	void		(*committed)(const struct output *o, void *arg);
	void		*arg;
};

#define OUTPUT_INIT	{ .n = 0 }

/* The i-th writer (borrowed), NULL past the last. */
const struct writer *output_writer(size_t i);
/* The writer named (or with the [output] key) name, or NULL. */
const struct writer *output_writer_find(const char *name);

/* The writer whose "format =" name is format, or NULL. */
const struct writer *output_writer_format(const char *format);
/* The format names, as "a, b or c" (static). */
const char *output_formats(void);

/*
 * A plain output: the writer named name to path (borrowed); a second path
 * for the same writer replaces the first.  -1 if there is no such writer
 * or o is full (no message: the caller's option or key was not a
 * writer's).
 */
int	output_add(struct output *o, const char *name, const char *path);
/*
 * One more output, after those there are: w to path, for purpose, named
 * name (borrowed, or NULL: the writer's option).  -1 if o is full.
 */
int	output_add_target(struct output *o, const struct writer *w,
	    const char *name, const char *path, enum purpose purpose,
	    const char *password);
/* The path the plain output named name writes, or NULL (borrowed). */
const char *output_path(const struct output *o, const char *name);
/* Every output of the configuration c (paths borrowed from c). */
void	output_from_config(struct output *o, const struct config *c);

/*
 * getopt_long rows: base (up to its NULL row), then "--OPTION PATH" of each
 * writer with the value OUTPUT_OPTION + i, then the NULL row.  Malloc'd.
 */
struct option *output_longopts(const struct option *base);
/*
 * ch from getopt_long: 1 if it was a writer's option (added to o), else 0.
 * A plain writer's option (--bundle, --capath) replaces its path; any
 * other adds an output for purpose (the --purpose given before it).
 * -1 if o is full (no message).
 */
int	output_getopt(struct output *o, int ch, const char *arg,
	    enum purpose purpose);

/*
 * What is published now at every output of o, as the last-run record keeps
 * it (state.h): state_published_id() of the plain ones, then a line per
 * other output.  -1 after adding to d.
 */
int	output_published_id(const struct output *o, char *out, size_t size,
	    struct diags *d);
/*
 * The names (space-separated) and paths (one a line) of the outputs of o
 * that output_publish() changed, or of all with all; malloc'd, "" for none.
 */
void	output_changed(const struct output *o, int all, char **names,
	    char **paths);

/* -1 after adding to d if two outputs of o have one path. */
int	output_distinct(const struct output *o, struct diags *d);
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
 * Publish each output's set (o->v[i].set) to it.  *changed says whether
 * anything was written (content equal to what is published is not), and
 * o->v[i].changed which.  Returns 0, or -1 after a message (what render
 * and publish.h said, reported here, once); then nothing was switched,
 * except as publish.h says of a failure between two renames.
 */
int	output_publish(struct output *o, int *changed);

#endif
