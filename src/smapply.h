/*
 * smapply.h: "sendmail-setup --apply": carry out the plan (smplan.h) in
 * the order that cannot leave sendmail half-configured:
 *
 *	1. back up every file it changes (FILE.trustbuild-YYYYMMDDHHMMSS)
 *	2. add a [probe] per relay to the configuration, run "update" (the
 *	   store is there before sendmail is told to read it)
 *	3. set the CA defines in the file whose define wins
 *	4. rebuild sendmail.cf (Debian's make, else m4 with the cf macros)
 *	   and check that the new .cf names the published bundle and CApath
 *	5. on any failure: every backup restored, sendmail left alone
 *	6. reload sendmail (SIGHUP) if it runs, unless no_restart
 *	7. probe each relay and say its verify= as sendmail will log it
 *
 * Steps 1, 2, 5 and 7 are every MTA's (mailapply.h).
 * With dry_run: a unified diff of each file it would change and the
 * commands it would run, nothing changed.  Each file is written as the
 * store is (publish.h: a temp file in its directory, renamed over it; a
 * symbolic link or a file another user can change is refused).  What it
 * does is printed on stdout as it goes; what went wrong is in d.
 */
#ifndef TB_SMAPPLY_H
#define TB_SMAPPLY_H

struct diags;
struct smconf;
struct smplan;

struct smapply_opts {
	int		 dry_run;
	int		 no_restart;
	const char	*conf_arg;	/* -c FILE given to update, or NULL */
};

/* 0 when sendmail now uses the store (or nothing was needed), else -1. */
int	smapply(const struct smconf *s, const struct smplan *p,
	    const struct smapply_opts *o, struct diags *d);

#endif
