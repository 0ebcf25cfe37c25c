/*
 * smplan.h: what makes sendmail verify with the store trustbuild
 * publishes, as one plan: the edits of the file whose define wins (the .mc
 * or the file it includes, such as Debian's starttls.m4), the relays to
 * add as [probe] sections, whether sendmail.cf must be rebuilt and how.
 * "sendmail-check" prints it as the fix of the one finding per cause,
 * "sendmail-setup --dry-run" as diffs, "sendmail-setup --apply" carries
 * it out (smapply.c).  The plan is made in one place, so that what is
 * advised and what is done cannot disagree.  Prints nothing.
 *
 *	smconf_load(&s, mc, cf, SMCONF_M4);
 *	smplan_make(&p, &s, tc, bundle, capath);
 *	p.nedit, p.edit[i]		// replace line L of FILE, or insert
 *	p.rebuild, p.build		// the command that rebuilds the .cf
 *	p.mp.nprobe, p.mp.probe[i]	// relays not yet in the configuration
 *					// (the part every MTA shares: mailplan.h)
 *	smplan_steps(&p, ...)		// the plan as steps to print
 */
#ifndef TB_SMPLAN_H
#define TB_SMPLAN_H

#include <stddef.h>

#include "mailplan.h"
#include "sendmail.h"

struct config;
struct smconf;

enum smedit_op {
	SMEDIT_REPLACE,		/* line `line' of file becomes text */
	SMEDIT_INSERT		/* text goes before line `line' (0: at the end) */
};

struct smedit {
	enum smedit_op	 op;
	enum sm_key	 key;
	char		 file[4096];
	size_t		 line;
	char		 text[1200];	/* the new line, without '\n' */
	char		 was[300];	/* why: "commented out by dnl", ... */
};

struct smplan {
	struct mailplan	 mp;		/* relays, [probe]s, update, bundle */
	struct smedit	 edit[2];
	int		 nedit;
	int		 cf_stale;	/* the .cf does not say what the .mc does */
	int		 rebuild;	/* edits, or a stale .cf */
	char		 build[8400];	/* the shell command that rebuilds it */
	int		 make;		/* build is Debian's make -C DIR */
	char		 makedir[4096];
	long		 pid;		/* the running sendmail, or 0 */
	char		 pidfile[4096];	/* where its pid was read */
	char		 reload[4200];	/* how to reload it, or "" */
};

/* pidfile: the running sendmail's, NULL for the usual places. */
void	smplan_make(struct smplan *p, const struct smconf *s,
	    const struct config *tc, const char *bundle, const char *capath,
	    const char *pidfile);
/*
 * The plan as the steps of a fix, in the order they must run: the edits,
 * the [probe]s (their text in conf), update (the store must be there
 * before sendmail reads it), the rebuild, the reload.  How many.
 */
struct step;
int	smplan_steps(const struct smplan *p, struct step *st, int max,
	    char *conf, size_t csize);
/* Is there anything to do? */
int	smplan_empty(const struct smplan *p);

#endif
