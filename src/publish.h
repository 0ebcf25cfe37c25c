/*
 * publish.h: replace published files and directories atomically.
 *
 * A file is staged as a complete, fsynced temp file in the same directory
 * (".NAME.tmp.XXXXXX") and committed with rename(2), then the directory is
 * fsynced.  A directory (a CApath) is published as a symbolic link NAME to a
 * generation directory beside it (".NAME.gen.XXXXXX"): a new generation is
 * built whole, synced once, and switched with one rename(2) of a symlink.
 * ".NAME.prev" points at the generation before, kept for rollback; older
 * ones are removed.  A kill -9 at any instant leaves the old or the new
 * store, complete.  Content equal to what is published is not written.
 *
 * Calling sequence (output.c for what the writers render; state.c for
 * its files):
 *
 *	struct pending pd[n];
 *	publish_lock(path, wait_s, &d);		// per output directory
 *	publish_file_prepare(&pd[0], ..., &d);	// or publish_dir_prepare
 *	publish_commit_all(pd, n, &d);		// all live, or none staged
 *	publish_abort(&pd[i]); publish_release(&pd[i]);	// each, always
 *
 * What is staged and not yet live is listed in publish_tmp.h's registry,
 * and removed if the run dies of a signal or exits first.  The code:
 * publish.c (files, commit), publish_gen.c (generations), publish_lock.c,
 * publish_tmp.c.
 *
 * Nothing here prints: what went wrong is added to the caller's struct
 * diags (diag.h), with the path it concerns.
 *
 * The directory is opened once, with O_DIRECTORY|O_NOFOLLOW, and every
 * operation below it is relative to that descriptor (openat, mkdirat,
 * fchmod of what we created, fdopendir, unlinkat, renameat): someone who
 * can write the directory may plant symbolic links, FIFOs or directories
 * under our names, or swap them while we work, and root still neither
 * follows nor changes anything outside it.  Temp names are random and
 * created with O_EXCL; a directory we did not create (owner, or a link in
 * its place) is never emptied.
 */
#ifndef TB_PUBLISH_H
#define TB_PUBLISH_H

#include <sys/types.h>

#include <stddef.h>

#include "diag.h"

enum pending_kind {
	PENDING_FILE,
	PENDING_DIR
};

struct pending {
	enum pending_kind kind;
	char	*path;		/* what is published */
	char	*dir;		/* its parent directory */
	char	*base;		/* its last component */
	char	*tmp;		/* staged file or generation (a name in dir);
				   NULL: unchanged */
	char	*old;		/* dir: the generation published before */
	int	 changed;
	int	 empty_dir;	/* dir: path is an empty real directory */
	int	 dfd;		/* dir, O_DIRECTORY|O_NOFOLLOW; valid while
				   path is set (-1: none) */
	int	 cache;		/* set by the caller after prepare: a file
				   that is checked before it is believed
				   (build's record), renamed into place
				   atomically but not fsync()ed */
};

struct buf;

/*
 * One entry of a directory to publish: a file with data, a file whose
 * content make() appends to a buffer when it is needed (so that 50,000
 * files are never all in memory at once), or a symlink.
 */
struct dir_entry {
	char		 name[72];	/* "<sha256 hex>.pem" at most */
	const char	*data;		/* file content, or NULL */
	size_t		 len;
	int		(*make)(const void *arg, struct buf *b);
	const void	*arg;		/* make's; -1 from make: out of memory */
	char		 link[72];	/* link target when data and make are
					   NULL */
};

/*
 * A file's content as n pieces rendered in turn when publish.h needs
 * them, so that a large file (a bundle of 50,000 certificates) is never
 * all in memory at once: make(arg, i, b, d) appends piece i (0 <= i < n)
 * to b.  It may be called twice for a piece (once to compare with what
 * is published, once to write) and must give the same bytes each time.
 * -1 from make: an error it added to d, or b->failed (out of memory).
 * arg is borrowed and must outlive the prepare.
 */
struct file_pieces {
	size_t		 n;
	int		(*make)(const void *arg, size_t i, struct buf *b,
			    struct diags *d);
	const void	*arg;
};

/*
 * Stage buf as the new content of path.  If path already holds exactly
 * buf, nothing is staged and pd->changed is 0.  -1 after adding the
 * error to d.
 */
int	publish_file_prepare(struct pending *pd, const char *path,
	    const void *buf, size_t len, struct diags *d);

/*
 * The same with the content in pieces: compared with what is published
 * and written to the staged file some 64 KiB at a time.  -1 after adding
 * to d (also when make failed; nothing is staged then).
 */
int	publish_file_prepare_pieces(struct pending *pd, const char *path,
	    const struct file_pieces *fp, struct diags *d);

/*
 * The same in the directory dirfd (dup'ed; dirname names it in messages),
 * as the file name.  A new file gets mode; with keep, a regular file we
 * own keeps its permission bits, less setuid, setgid, sticky and group
 * and other write.  (publish_file_prepare: mode 0644, keep.)
 */
int	publish_file_prepare_at(struct pending *pd, int dirfd,
	    const char *dirname, const char *name, const void *buf,
	    size_t len, mode_t mode, int keep, struct diags *d);

/*
 * The directory that holds path (malloc'd): "." for a bare name, "/" for
 * one in the root; a trailing slash of path is not a level.
 */
char	*publish_dirname(const char *path);

/*
 * mkdir -p of the directories above path (0755), not path itself; a
 * trailing slash of path is not a level.  -1 after adding to d an error
 * naming the directory that could not be made.
 */
int	publish_make_parents(const char *path, struct diags *d);

/*
 * Open the directory path for operations below it: O_DIRECTORY|O_NOFOLLOW,
 * close-on-exec.  -1 with errno set, no message.
 */
int	publish_open_dir(const char *path);

/*
 * Stage a new generation holding entries (names unique) for the directory
 * link path.  If the published generation holds exactly these entries,
 * nothing is staged.  -1 after adding to d.
 */
int	publish_dir_prepare(struct pending *pd, const char *path,
	    const struct dir_entry *e, size_t n, struct diags *d);

/*
 * Make the n staged outputs live (unchanged ones are skipped): an fsync(2)
 * of each staged file, of each file of a staged generation and of the
 * generation, then of each directory, then a rename(2) each, then one
 * fsync(2) per directory again.  -1 after adding to d; outputs not yet switched
 * are aborted.  A failed fsync of a directory is a warning in d.
 */
int	publish_commit_all(struct pending *pd, size_t n, struct diags *d);
/*
 * Remove what was staged; the published output stays as it was.  Silent:
 * what cannot be removed now, the next prepare of the output removes.
 */
void	publish_abort(struct pending *pd);
/* Free pd's strings (after commit or abort). */
void	publish_release(struct pending *pd);

/*
 * Lock the directory that will hold path against other trustbuild runs,
 * waiting up to wait_s seconds.  As root the lock is a file 0600 in
 * /run/trustbuild (0700), named by the directory's device and inode, so no
 * other user can open it to hold it; as another user (a tree of one's own)
 * the directory itself is locked.  Returns a descriptor to keep open, or
 * -1 after adding to d.
 */
int	publish_lock(const char *path, unsigned wait_s, struct diags *d);

/*
 * Take flock(LOCK_EX) of fd, trying every 0.1 s for up to wait_s seconds
 * (the one lock-wait loop: publish_lock, state_lock).  0, or -1 with errno
 * EWOULDBLOCK when another holds it still, another errno on an error; no
 * message.
 */
int	publish_lock_wait(int fd, unsigned wait_s);

/*
 * Are there leftovers of an interrupted run beside path: temp files, link
 * temps, or generations other than the live one and the previous one?
 * (The next prepare of path removes them.)  1 yes, 0 no.
 */
int	publish_leftovers(const char *path);

#endif
