/*
 * maillog_read.h: the mail log as admins have it, read into maillog.h's
 * parser: a file (plain, or compressed by logrotate: gzip, bzip2, xz,
 * zstd through libarchive), its rotations, standard input, or the
 * systemd journal through journalctl.  Prints nothing: what could not
 * be read, or only in part, is a notice in the caller's struct diags
 * naming the file (sendmail-check shows them as notes; update as
 * notices).
 *
 * Calling sequence:
 *
 *	struct maillog l;
 *	struct diags d = DIAGS_INIT;
 *	maillog_init(&l, time(NULL));
 *	maillog_read_file(&l, NULL, MAILLOG_MAX_ROTATED, &d);	// all
 *	// or maillog_read_file(&l, "-", 0, &d), maillog_read_journal(...)
 *	... l.v ...
 *	maillog_release(&l);
 *
 * Bounds: a plain file is read from its last MAILLOG_MAX_FILE bytes (a
 * whole line on), a compressed one and a stream up to MAILLOG_MAX_FILE
 * bytes after decompression (a gzip bomb stops there), at most
 * MAILLOG_MAX_ROTATED rotations, journalctl for MAILLOG_JOURNAL_TIMEOUT
 * seconds.
 */
#ifndef TB_MAILLOG_READ_H
#define TB_MAILLOG_READ_H

#include <time.h>

#include "maillog.h"

#define MAILLOG_MAX_FILE	(256 * 1024 * 1024)
#define MAILLOG_MAX_ROTATED	64
#define MAILLOG_JOURNAL_TIMEOUT	120
#define MAILLOG_MAXARGS		16

struct diags;

/*
 * The default mail log: /var/log/maillog (RHEL) if readable, else
 * /var/log/mail.log (Debian).  A static string.
 */
const char *maillog_default(void);

/*
 * Read path into l ("-": standard input; NULL: maillog_default()), and
 * first the newest rotated of its rotations beside it, oldest first
 * (NAME.N and NAME.N.gz, highest N first; NAME-YYYYMMDD[.gz] of RHEL's
 * dateext; MAILLOG_MAX_ROTATED at most).  Returns how many files were
 * read, 0 when none could be (why is in d), -1 when out of memory.
 */
int	maillog_read_file(struct maillog *l, const char *path, int rotated,
	    struct diags *d);

/*
 * The argument vector of journalctl for sendmail's identifiers (sendmail,
 * sm-mta, sm-msp-queue) in short-iso format: dir is its -D (NULL: the
 * system journal), since its --since (0: everything).  argv has
 * MAILLOG_MAXARGS slots; buf holds the strings made.  Returns argc.
 */
int	maillog_journal_argv(const char *dir, time_t since, char **argv,
	    char *buf, size_t size);

/* The same for the identifiers ids (NULL ended; NULL: sendmail's). */
int	maillog_journal_argv_ids(const char *const *ids, const char *dir,
	    time_t since, char **argv, char *buf, size_t size);

/*
 * Run journalctl (maillog_journal_argv_ids with l->ids) and read what it prints into l.
 * Returns 1, or 0 when journalctl could not run or failed (its first
 * line of error in d), -1 when out of memory.
 */
int	maillog_read_journal(struct maillog *l, const char *dir, time_t since,
	    struct diags *d);

#endif
