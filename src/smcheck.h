/*
 * smcheck.h: the finding about sendmail's CA settings (smcheck.c).
 */
#ifndef TB_SMCHECK_H
#define TB_SMCHECK_H

struct report;
struct smconf;
struct smplan;

/*
 * One finding per cause: the effective CA defines are not the published
 * store (commented out, one of two, other paths), or the .cf was not
 * rebuilt after the .mc changed; each with the plan's steps as its fix.
 */
void	check_ca(struct report *r, const struct smconf *s,
	    const struct smplan *p);

#endif
