/*
 * pfconf.h: Postfix's configuration the way Postfix gets it.  Where
 * postconf is installed (on the PATH) and asked (PFCONF_POSTCONF), it
 * says the value of each parameter (postconf -c DIR -x NAME...: set or
 * the default, $names expanded): real Postfix is the source of truth.
 * main.cf is read as well, for the line each parameter is set on (and
 * alone when postconf cannot run); master.cf for the chroot column of the
 * smtp service and its -o overrides, which win.  The text sources of
 * transport_maps and smtp_tls_policy_maps (hash:/F and the like: F, as
 * postmap reads it) are read for their relays.  Prints nothing; what
 * could not be read is in the *_why fields.
 *
 *	struct pfconf *p = xmalloc(sizeof(*p));
 *	pfconf_load(p, "/etc/postfix", PFCONF_POSTCONF);
 *	pf_level(&p->c), p->c.s[PF_CAFILE] ...	// postfix.h
 *	n = pfconf_relays(p, targets, MTA_MAX_TARGETS);
 *	pfconf_release(p);
 */
#ifndef TB_PFCONF_H
#define TB_PFCONF_H

#include <stddef.h>

#include "postfix.h"

enum pfconf_flags {
	PFCONF_POSTCONF	= 1 << 0	/* ask postconf, if it can run */
};

#define PFCONF_MAX_FILE		(16 * 1024 * 1024)
#define PFCONF_POSTCONF_SECONDS	30

struct pfconf {
	char		 dir[4096];	/* the configuration directory */
	char		 main[4200];	/* DIR/main.cf */
	char		 master[4200];	/* DIR/master.cf */
	int		 have_main, have_master;
	char		 main_why[160], master_why[160];
	int		 postconf;	/* postconf said the values */
	char		 postconf_why[400];	/* why it did not, or "" */
	struct pf_config c;
	char		*tm, *pm;	/* the maps' text, or NULL */
	size_t		 tmlen, pmlen;
	char		 map_why[600];	/* a map that could not be read */
};

/* 0, or -1 when main.cf cannot be read (why in main_why). */
int	pfconf_load(struct pfconf *p, const char *dir, unsigned flags);
void	pfconf_release(struct pfconf *p);
/* The relays: relayhost, transport_maps, smtp_tls_policy_maps. */
int	pfconf_relays(const struct pfconf *p, struct mta_target *out, int max);
/* "postconf -c DIR" or "postconf" for the default directory, into buf. */
const char *pfconf_cmd(const struct pfconf *p, const char *prog, char *buf,
	    size_t size);

#endif
