/*
 * publish_tmp.h: the one list of what this run has staged and not yet
 * made live: temp files, link temps and generation directories (staged
 * ones, and old ones while they are being removed), each a name in an
 * open directory.  If the run ends before it commits or aborts them, by a
 * signal (SIGINT, SIGTERM, SIGHUP) or by exit() (out of memory, xalloc.h),
 * the handler removes every entry, then the signal ends the process as it
 * would have.  A kill -9 leaves them; the next prepare of the same output
 * removes them (publish.h).  (git's tempfile.h is the model.)
 *
 * Calling sequence (publish*.c only):
 *
 *	publish_signals();			// once, before staging
 *	fd = openat(dfd, name, O_CREAT|O_EXCL...);
 *	publish_tmp_add(dfd, name, 0);		// 1 for a generation
 *	...
 *	publish_tmp_forget(dfd, name);		// BEFORE the rename that
 *	renameat(dfd, name, dfd, live);		// makes it live, or after
 *						// removing it
 *
 * Between creating a name and listing it, and from the first rename that
 * makes an output live to the removal of what it replaced, the three
 * signals are held (publish_signals_hold, publish_signals_release): a
 * SIGINT or SIGTERM there is acted on once the list says again what is
 * ours to remove, so an interrupted run never leaves an unlisted temp, a
 * third generation, or the outputs of two sets.
 *
 * The list is a fixed array: the handler uses async-signal-safe calls
 * only (unlinkat, openat, getdents64).  dfd must stay open while the entry
 * is listed.  Entries are removed only by the process that added them, not
 * by a forked child that exits.  When the list is full an entry is not
 * remembered (the next run removes it).
 */
#ifndef TB_PUBLISH_TMP_H
#define TB_PUBLISH_TMP_H

#include <signal.h>
#include <stddef.h>

#define PUBLISH_TMP_MAX	16

/* Remember name in dfd: a file, or with dir a generation directory. */
void	publish_tmp_add(int dfd, const char *name, int dir);
/* It is live now, or removed: forget it. */
void	publish_tmp_forget(int dfd, const char *name);

/*
 * Install the handler for SIGINT, SIGTERM and SIGHUP and at exit (once;
 * later calls do nothing).
 */
void	publish_signals(void);

/* Hold SIGINT, SIGTERM and SIGHUP (the mask before into old). */
void	publish_signals_hold(sigset_t *old);
/* Give back the mask old: a held signal is acted on now. */
void	publish_signals_release(const sigset_t *old);

/* A fresh random name: prefix and 8 letters or digits, into out. */
void	publish_tmp_name(char *out, size_t size, const char *prefix);

#endif
