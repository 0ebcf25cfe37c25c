/*
 * smconf.h: sendmail's configuration the way sendmail gets it.
 *
 * The .mc is m4: which define wins is decided by m4 order through
 * include(), OSTYPE(), DOMAIN() and undefine().  smconf_load reads the .mc
 * and the files it includes in that order (sendmail.h), and, where GNU m4
 * and sendmail's cf macros are installed and the files are trusted (owned
 * by root or us, writable by no one else: m4 runs what the .mc says),
 * asks m4 itself which define of each setting wins (m4 --trace, which
 * says the file and line of every define).  Every setting then points at
 * the file and line that sets its effective value.  The .cf is what
 * sendmail runs with.  Prints nothing; what could not be read is in
 * mc_why / cf_why.
 *
 *	struct smconf s;
 *	smconf_load(&s, "/etc/mail/sendmail.mc", "/etc/mail/sendmail.cf",
 *	    SMCONF_M4);
 *	s.mc.s[SM_CACERT]	// its state, value, file ("" = the .mc), line
 *	n = smconf_relays(&s, targets, MTA_MAX_TARGETS);
 *	smconf_build_argv(&s, argv, ...);	// the m4 that rebuilds the .cf
 */
#ifndef TB_SMCONF_H
#define TB_SMCONF_H

#include <time.h>

#include "sendmail.h"

enum smconf_flags {
	SMCONF_M4	= 1 << 0	/* ask m4 which define wins, if it can */
};

struct smconf {
	const char	*mcpath;
	const char	*cfpath;
	char		 mcabs[4096];	/* the .mc's absolute path, for m4 */
	char		 cfabs[4096];	/* the .cf's, for the build command */
	int		 have_mc, have_cf;
	struct sm_config mc;		/* effective, through the includes */
	struct sm_config cf;
	char		 mc_why[160];	/* why the .mc could not be read */
	char		 cf_why[160];
	char		 m4_why[300];	/* why m4 was not asked, or "" */
	int		 traced;	/* m4 said which define wins */
	char		 cfdir[256];	/* the cf macros (m4/cf.m4), or "" */
	int		 mc_has_cf;	/* the .mc includes cf.m4 itself */
	time_t		 mc_mtime;	/* newest of the .mc and its includes */
	time_t		 cf_mtime;
};

#define SMCONF_MAX_FILE	(16 * 1024 * 1024)

int	smconf_load(struct smconf *s, const char *mcpath, const char *cfpath,
	    unsigned flags);
/* The relays: SMART_HOST of the .mc (else the .cf), the mailertable. */
int	smconf_relays(const struct smconf *s, struct mta_target *out, int max);
/*
 * The m4 command that builds the .cf from the .mc (stdout: the .cf), in
 * argv (at least 6 slots, pointing into s): the number of arguments, or
 * -1 when no cf macros are found and the .mc does not include cf.m4.
 */
int	smconf_build_argv(const struct smconf *s, char *dbuf, size_t dsize,
	    char *mbuf, size_t msize, const char *argv[]);
/* The path of the file a setting is in: the .mc, or the included one. */
const char *smconf_file(const struct smconf *s, const struct sm_setting *st);

#endif
