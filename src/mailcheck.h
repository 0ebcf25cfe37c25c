/*
 * mailcheck.h: what "sendmail-check" and "sendmail-setup" share: reading
 * sendmail's files, and the checks, each of which reports findings.
 *
 * sendmail.c parses (pure); these look at the files and directories the
 * parsed settings name and turn what they find into findings: "ok",
 * "note" or "problem", each with the exact fix.  A finding is the output
 * of the command (stdout, text or JSON), not a diagnostic: nothing here
 * prints on stderr.  What cannot be read is a finding of its own.
 *
 * Calling sequence (cmd_sendmail_check.c):
 *
 *	struct report r = { .json = json };
 *	smconf_load(&s, mcpath, cfpath, SMCONF_M4);	// smconf.h
 *	smplan_make(&plan, &s, tc, bundle, capath, pidfile);	// smplan.h
 *	check_ca(&r, &s, &plan);			// smcheck.h
 *	check_store(&r, eff, &want, pidfile);		// the CA file and path
 *	check_log(&r, &logsrc, &plan.mp, loglevel);	// mailcheck_log.c
 *	// r.problems: how many problems were found
 *
 * mailcheck.c has the findings (with the runnable steps of their fix) and
 * reading,
 * mailcheck_ca.c the CA file, the CApath and the running sendmail,
 * mailcheck_log.c the mail log (read by maillog_read.c).
 */
#ifndef TB_MAILCHECK_H
#define TB_MAILCHECK_H

#include <stddef.h>
#include <time.h>

#include "sendmail.h"

#define MC_DEFAULT		"/etc/mail/sendmail.mc"
#define CF_DEFAULT		"/etc/mail/sendmail.cf"
#define MAILCHECK_MAX_FILE	(256 * 1024 * 1024)	/* a .mc, .cf, PEM */

struct config;

enum level { L_OK, L_NOTE, L_PROBLEM };

/* The findings so far. */
struct report {
	int	json;		/* print JSON objects, not text lines */
	int	problems;	/* how many L_PROBLEM */
	int	n;		/* how many findings */
};

/* What trustbuild publishes (or would, by default), to compare with. */
struct mailcheck_want {
	const char	*bundle;
	const char	*capath;
	const struct config *tc;	/* the configuration read, or NULL */
	int		 planned;	/* a fix publishes what is missing */
};

/*
 * One step of a fix, each runnable as printed: an edit of a file (its
 * line replaced, or a new line inserted before it; line 0: at the end), a
 * shell command, or text to add to trustbuild.conf.
 */
struct step {
	enum { STEP_REPLACE, STEP_INSERT, STEP_RUN, STEP_CONF } kind;
	const char	*file;		/* EDIT, CONF */
	size_t		 line;
	const char	*text;		/* the line, the command, the text */
};
#define MAX_STEPS	8

/* Print one finding (text or JSON per r), with its fix or NULL. */
void	finding(struct report *r, enum level lv, const char *fix,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Each step as the user would type or paste it, numbered, on stdout. */
void	mailcheck_print_steps(const struct step *st, int n);
/* The same with the fix's steps (n of them). */
void	finding_steps(struct report *r, enum level lv, const char *fix,
	    const struct step *st, int n, const char *fmt, ...)
	    __attribute__((format(printf, 6, 7)));

/*
 * Read the regular file path (non-blocking open: a FIFO does not hang).
 * Larger than max: with tail, the last max bytes from the first whole
 * line on (*cut set; cut may be NULL without tail), else a failure.
 * Returns a malloc'd buffer, NUL after *len bytes, or NULL with the
 * reason in *why (static text).  Prints nothing.
 */
char	*mailcheck_read(const char *path, size_t max, int tail, size_t *len,
	    int *cut, const char **why);

/* t as "YYYY-MM-DD HH:MM UTC" in buf. */
const char *mailcheck_day(time_t t, char *buf, size_t size);


/* Where the mail log comes from (mailcheck_log.c). */
struct mailcheck_log {
	const char	*path;		/* a file, "-" standard input, NULL the
					   default with its rotations */
	int		 journal;	/* journalctl instead */
	const char	*journal_dir;	/* its -D, or NULL: the system's */
	time_t		 changed;	/* the published store's last change
					   (mailcheck_changed), or 0 */
};
/*
 * The relays the mail log shows (read with the MTA of mp, mta.h), with
 * what to do about a failed verification; a failure older than
 * src->changed is a note of the past.  loglevel: the MTA's, or -1.
 */
struct mailplan;
struct maillog;
void	check_log(struct report *r, const struct mailcheck_log *src,
	    const struct mailplan *mp, int loglevel);
/*
 * What the log of an MTA lacks (mta.h's log_notes), before (after = 0)
 * and after the relays: sendmail's lines below LogLevel 9, its verifymsg.
 */
void	mailcheck_sendmail_notes(struct report *r, const struct maillog *lg,
	    const char *name, int loglevel, int after);
/* Postfix's: no TLS lines (smtp_tls_loglevel 0). */
void	mailcheck_postfix_notes(struct report *r, const struct maillog *lg,
	    const char *name, int loglevel, int after);
/* When the store of want last changed (its newest mtime), or 0. */
time_t	mailcheck_changed(const struct mailcheck_want *want);

/*
 * mailcheck_ca.c: the CA settings of eff (the .cf, else the .mc): both
 * set, the CA file and the CApath they name, whether they are what
 * trustbuild publishes, and whether the sendmail of pidfile (NULL: the
 * usual places) started before they changed.
 */
void	check_store(struct report *r, const struct sm_config *eff,
	    const struct mailcheck_want *want, const char *pidfile);
/*
 * The running sendmail: its pid from pidfile (NULL: the usual places),
 * that file's path in pf and when it started in *started (either may be
 * NULL); 0 when none runs.
 */
long	mailcheck_sendmail_pid(const char *pidfile, char *pf, size_t size,
	    time_t *started);

#endif
