/*
 * pfcheck.h: the findings about Postfix's TLS settings (pfcheck.c): the
 * security level and what it means for verification, the CA data
 * (smtp_tls_CAfile, smtp_tls_CApath, tls_append_default_CA) against the
 * published store, the chroot trap, the log level, the relays; one
 * finding per cause, with the one plan (pfplan.h) as its fix.  The mail
 * log is mailcheck.h's check_log, as for sendmail.
 */
#ifndef TB_PFCHECK_H
#define TB_PFCHECK_H

struct report;
struct pfconf;
struct pfplan;

void	pfcheck(struct report *r, const struct pfconf *c,
	    const struct pfplan *p);

#endif
