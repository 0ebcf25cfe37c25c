/*
 * record.h: "the inputs are as when the store was last published", learnt
 * from hashes before anything is parsed; shared by "update" (its record is
 * STATE/last-run, state.h) and "build" (its record is a dot-file beside
 * its first output: DIR/.BASENAME.trustbuild, record_path()).
 *
 * A record (struct state_run) names a run's inputs as one SHA-256 (the
 * version, every option that changes an output, each source's bytes),
 * what it published (output_published_id(); for build also each directory
 * output's generation, as device, inode and mtime), until when the same
 * inputs give the same store (the first not-after of the published set,
 * distrust-after's next decision, the other outputs' next one) and the
 * counts to print.  A run whose inputs hash to the record's, before its
 * valid-until, while the outputs are what the record says was published
 * (no hand edit, no link repointed, no generation removed, no leftovers of
 * an interrupted run), publishes nothing and parses nothing.
 *
 * Nothing needs invalidating.  A record is written only after every output
 * was published, and it holds the hash of the inputs that published it and
 * what they published.  A later change of a source, an option or an output
 * changes one of the two, so an older record can never match again; one
 * that matches (even one someone saved and put back) tells the truth about
 * the store as it is.  A run killed before it wrote its record leaves the
 * one before, which names outputs that have changed since: no match.
 *
 * Sources: a file (and the archive of "PATH#GLOB") is hashed here as it is
 * read, 64 KiB at a time, and its identity kept (device, inode, size,
 * ctime): build writes its record only if each source is still that file,
 * untouched, after publishing (record_src_same), so a source rewritten
 * while it was parsed never leaves a record naming bytes that were not the
 * ones published.  A directory source is not hashed: with one, there is
 * no shortcut (record_fp_final() says so).
 *
 * build's record is trusted only if it is a regular file owned by our
 * effective uid, with one link and no write bit for group or others
 * (fstat of the descriptor opened with O_NOFOLLOW|O_NONBLOCK): anyone who
 * can write the output directory could plant one, and a planted record
 * must never freeze the store.  Another file there is ignored (a -v note)
 * and replaced by the next record written.
 *
 * Calling sequence (build.c; pipeline.c the same, its record in STATE):
 *
 *	struct record_fp f;
 *	record_fp_init(&f);
 *	record_fp_add(&f, "purpose %s\n", ...);		// each option
 *	record_fp_source(&f, "anchors", path, &src[i]);	// each source
 *	if (record_fp_final(&f, inputs) == 0 &&
 *	    record_read(file, &rec, d) == 1 &&
 *	    record_same(&rec, inputs, &out, RECORD_GENERATIONS, now, file, d))
 *		-> unchanged: rec.anchors, rec.intermediates
 *	... the full run: load, policy, then output_publish(), which calls
 *	out.committed while the output directories are still locked (so
 *	that no other run publishes between the outputs and their record):
 *	    rec.until = record_until(final, &out, keep_expired,
 *		record_first(pol.distrust_next, os.next));
 *	    record_published(&out, RECORD_GENERATIONS, rec.published, ...);
 *	    if (record_src_same(&src[i]) for each)
 *		record_write(file, &rec, d);
 *	record_src_release(&src[i]);
 *
 * Nothing here prints: notes (-v) and errors go to d.
 */
#ifndef TB_RECORD_H
#define TB_RECORD_H

#include <sys/types.h>

#include <stddef.h>
#include <time.h>

#include "certset.h"
#include "diag.h"
#include "output.h"
#include "state.h"

#define RECORD_SUFFIX	"trustbuild"	/* DIR/.BASENAME.trustbuild */
#define RECORD_FILE_MAX	8192		/* bytes of a record file */

/* The fingerprint of a run's inputs, on its way. */
struct record_fp {
	void	*md;		/* EVP_MD_CTX */
	int	 none;		/* something not hashed: no shortcut */
};

/* A source file as it was hashed. */
struct record_src {
	char		*file;		/* what was read (malloc'd), or NULL */
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 ctime;
};

/* Start a fingerprint: "trustbuild VERSION\n". */
void	record_fp_init(struct record_fp *f);
/* One more line (printf) or bytes into it. */
void	record_fp_add(struct record_fp *f, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	record_fp_data(struct record_fp *f, const void *buf, size_t len);
/*
 * The source path, in the role named: "source ROLE PATH SHA256\n" of the
 * bytes of the file (or of the archive of "PATH#GLOB"); *s says which file
 * it was (record_src_release).  A directory, or a file that cannot be read
 * (the full run says why), is not hashed: no shortcut.
 */
void	record_fp_source(struct record_fp *f, const char *role,
	    const char *path, struct record_src *s);
/*
 * The SHA-256 of it all as 64 hex digits in out: 0; or -1 (out "") when
 * something was not hashed: there is no shortcut.  Frees what f holds.
 */
int	record_fp_final(struct record_fp *f, char out[65]);
/* 1 if the file s names is still the one hashed, untouched; else 0. */
int	record_src_same(const struct record_src *s);
void	record_src_release(struct record_src *s);

/*
 * Until when the inputs give the same store: the first not-after of set
 * and of each output's set (o->v[i].set, NULL: none; anchors not with
 * keep_expired: they stay), or next (distrust-after's next decision, a
 * signed store's valid-until...: a time or 0) if that is sooner.
 */
time_t	record_until(const struct certset *set, const struct output *o,
	    int keep_expired, time_t next);
/* The sooner of a and b, a time or 0 (none). */
time_t	record_first(time_t a, time_t b);

enum record_flags {
	RECORD_GENERATIONS = 1 << 0	/* each directory output's generation
					   (device, inode, mtime) too */
};
/*
 * What is published now at o, as a record keeps it: output_published_id(),
 * then with RECORD_GENERATIONS a line per directory output.  -1 after
 * adding to d.
 */
int	record_published(const struct output *o, int flags, char *out,
	    size_t size, struct diags *d);
/*
 * Does rec say the inputs (as record_fp_final gave them) are published at
 * o, intact, and valid at now?  1 yes; 0 no (a -v note in d when it is
 * the leftovers of an interrupted run beside an output or beside file,
 * the record itself).  The published id of o is read as
 * record_published(o, flags) does (its errors in d).
 */
int	record_same(const struct state_run *rec, const char *inputs,
	    const struct output *o, int flags, time_t now, const char *file,
	    struct diags *d);

/* rec as the text of a record (STATE/last-run's format), into buf: its
 * length, or -1 if it does not fit. */
int	record_format(const struct state_run *rec, char *buf, size_t size);
/* That text into *rec: 0, or -1 if it is not a record. */
int	record_parse(const char *text, struct state_run *rec);

/* build's record beside o's first output: "DIR/.BASENAME.trustbuild"
 * (malloc'd). */
char	*record_path(const struct output *o);
/*
 * The record file: 1 and *rec; 0 when there is none, or it is not to be
 * trusted (not a regular file of ours, writable by others: a -v note in d)
 * or not a record.  Never -1.
 */
int	record_read(const char *file, struct state_run *rec, struct diags *d);
/*
 * Replace the record file with rec (mode 0600, atomically: publish.h).
 * What is at its name and not to be trusted is removed first.  -1 after
 * adding to d.
 */
int	record_write(const char *file, const struct state_run *rec,
	    struct diags *d);

#endif
