/*
 * pfapply.h: "postfix-setup --apply": carry out the plan (pfplan.h) in
 * the order that cannot leave Postfix half-configured, with what every
 * MTA shares (mailapply.h):
 *
 *	1. the relays' [probe]s added to the configuration, "update" run:
 *	   the store is there before Postfix is told to read it
 *	2. main.cf backed up (main.cf.trustbuild-YYYYMMDDHHMMSS), then
 *	   "postconf -e" of the CA settings; main.cf read again (postconf -x)
 *	   to check that smtp_tls_CAfile is the bundle now
 *	3. "postfix check"
 *	4. on any failure: every file restored, Postfix not reloaded
 *	5. "postfix reload" if it runs, unless no_restart
 *	6. each relay probed, with the store as Postfix reads it (the bundle;
 *	   the CApath too where smtp is not chrooted)
 *
 * With dry_run: the diff of trustbuild.conf and the commands it would
 * run, nothing changed.  Prints what it does on stdout; errors go to d.
 */
#ifndef TB_PFAPPLY_H
#define TB_PFAPPLY_H

struct diags;
struct pfconf;
struct pfplan;
struct smapply_opts;

/* 0 when Postfix now uses the store (or nothing was needed), else -1. */
int	pfapply(const struct pfconf *c, const struct pfplan *p,
	    const struct smapply_opts *o, struct diags *d);

#endif
