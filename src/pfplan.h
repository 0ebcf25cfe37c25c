/*
 * pfplan.h: what makes Postfix's SMTP client verify with the store
 * trustbuild publishes, as one plan (as smplan.h is sendmail's):
 *
 *	1. the relays not yet probed as [probe]s, and update (mailplan.h):
 *	   the store is there before Postfix is told to read it
 *	2. postconf -e smtp_tls_CAfile = the bundle (read before the
 *	   chroot), smtp_tls_CApath = the CApath only where smtp does not
 *	   run chrooted (looked up inside the chroot, where it is not), and
 *	   smtp_tls_loglevel = 1 where it is 0 (else the log says nothing of
 *	   TLS)
 *	3. postfix check, then postfix reload if it runs
 *
 * "postfix-check" prints it as the fix of the finding of its cause,
 * "postfix-setup" as steps, --dry-run as a diff, --apply carries it out
 * (pfapply.c).  Prints nothing.
 *
 *	pfconf_load(&c, dir, PFCONF_POSTCONF);
 *	pfplan_make(&p, &c, tc, bundle, capath);
 *	pfplan_steps(&p, st, MAX_STEPS, conf, sizeof(conf));
 */
#ifndef TB_PFPLAN_H
#define TB_PFPLAN_H

#include <stddef.h>

#include "mailplan.h"

struct config;
struct pfconf;
struct step;

#define PFPLAN_MAX_SET	3

struct pfplan {
	struct mailplan	 mp;		/* relays, [probe]s, update, bundle */
	const struct pfconf *c;
	int		 chroot;	/* smtp runs chrooted */
	size_t		 chroot_line;	/* its master.cf line */
	char		 queue[1024];	/* queue_directory: the chroot */
	char		 set[PFPLAN_MAX_SET][1200];	/* name=value */
	int		 nset;
	char		 postconf[4800];	/* the postconf -e command */
	char		 check[4200];	/* postfix [-c DIR] check */
	long		 pid;		/* the running master, or 0 */
	char		 reload[4200];	/* postfix [-c DIR] reload, or "" */
};

void	pfplan_make(struct pfplan *p, const struct pfconf *c,
	    const struct config *tc, const char *bundle, const char *capath);
/* The plan as the steps of a fix, in the order they must run: how many. */
int	pfplan_steps(const struct pfplan *p, struct step *st, int max,
	    char *conf, size_t csize);
/* Is there anything to do? */
int	pfplan_empty(const struct pfplan *p);

#endif
