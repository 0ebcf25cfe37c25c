/*
 * smrelay.h: the relays "update" probes by itself for a [sendmail]
 * section (trustbuild.conf(5)), without [probe] sections:
 *
 *   (a) the relays sendmail's configuration names (mc =, read by
 *       smconf.h: SMART_HOST in every form and the mailertable's
 *       entries, each on its mailer's port), every run;
 *   (b) the relays whose last connection logged verify=FAIL with X.509
 *       error 20 ("unable to get local issuer certificate": get_verify
 *       at LogLevel 14, verifymsg at 12), or with no reason logged (a
 *       LogLevel below 12), since the last run (log =: the file and its
 *       newest rotation; journal = yes: journalctl --since).  They are
 *       remembered in STATE/sendmail-relays, at most SMRELAY_MAX_NEW new
 *       ones a run (the rest wait for the next), each forgotten
 *       SMRELAY_FORGET_DAYS after its last failure.
 *
 * Each becomes a probe like a [probe NAME] section's (named
 * "sendmail-HOST", chased through AIA, aia-private as the section says)
 * appended to the configuration, unless a probe of the same host and
 * port is there: update's probes, AIA chase, regression guard and the one
 * admission gate take them from there (probeset.h), unchanged.
 *
 * Calling sequence (pipeline.c, with the state lock held):
 *
 *	smrelay_add(cfg, now, record, &d);	// before the probes run
 *
 * Prints nothing: what it decided is info in d, a log or state file that
 * cannot be read a notice.  The state file is written through state.h
 * (atomic, below the state directory) unless record is 0 (update --diff).
 */
#ifndef TB_SMRELAY_H
#define TB_SMRELAY_H

#include <stddef.h>
#include <time.h>

#define SMRELAY_FILE		"sendmail-relays"
#define SMRELAY_MAX_NEW		32	/* relays learned in one run */
#define SMRELAY_MAX		256	/* remembered at most */
#define SMRELAY_FORGET_DAYS	30
#define SMRELAY_HOST		256
#define SMRELAY_URL		300

struct config;
struct diags;

/* One remembered relay of the log. */
struct smrelay {
	char	 host[SMRELAY_HOST];	/* as logged: mx.example, [10.0.0.1] */
	char	 url[SMRELAY_URL];	/* what is probed */
	time_t	 last_fail;		/* its last verify=FAIL */
};

/* STATE/sendmail-relays. */
struct smrelay_state {
	time_t		 since;		/* the log was read up to here */
	struct smrelay	 v[SMRELAY_MAX];
	size_t		 n;
};

/*
 * Parse the state file (pure): 0, or -1 when it is damaged (st empty).
 * Render it into a malloc'd string (*len bytes).
 */
int	smrelay_parse(const char *buf, size_t len, struct smrelay_state *st);
char	*smrelay_render(const struct smrelay_state *st, size_t *len);

/*
 * The probe URL of a relay as sendmail logs it ("mx.example.",
 * "[192.0.2.1]", "[IPv6:2001:db8::1]") on port 25: 0, or -1 when it is
 * not a host name or address (hostile text).
 */
int	smrelay_url(const char *relay, char *host, size_t hsize, char *url,
	    size_t usize);

/*
 * Add the probes of c's [sendmail] section to c (nothing without one).
 * Returns how many were added, or -1 after an error in d (the state file
 * could not be written).
 */
int	smrelay_add(struct config *c, time_t now, int record, struct diags *d);

#endif
