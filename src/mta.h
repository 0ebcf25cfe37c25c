/*
 * mta.h: what the mail checks need to know of one MTA, as a table row.
 *
 * The checks, the report (mailcheck.h), the relays a fix adds as
 * [probe]s and the relay steps of a plan (mailplan.h), the relays update
 * probes by itself (smrelay.h) and the applying of a fix (mailapply.h)
 * are the same for every MTA; what differs is a reader of the MTA's
 * configuration and of its log lines.  An MTA is one row of mta_table[]
 * (mta.c): its name (the [NAME] section of trustbuild.conf, the state
 * file NAME-relays, the prefix of the probes update adds), the readers,
 * and the words its fixes use.
 *
 *	const struct mta *m = mta_find("postfix");
 *	n = m->config_relays(path, targets, MTA_MAX_TARGETS, why, sizeof(why));
 *	maillog_init_mta(&l, now, m);		// maillog.h: m->log_line
 *	m->log_relay("mx.example[192.0.2.1]:25", host, ..., port, ...);
 */
#ifndef TB_MTA_H
#define TB_MTA_H

#include <stddef.h>

/*
 * A server the MTA relays to, as "trustbuild probe" and a [probe]
 * section take it (25: smtp://HOST, 587: submission://, 465: smtps://,
 * else smtp://HOST:PORT).
 */
struct mta_target {
	char	 url[320];	/* smtp://mail.example.com:2525 */
	char	 host[256];	/* mail.example.com, 127.0.0.1, 2001:db8::1 */
	char	 port[8];
	char	 name[65];	/* a [probe NAME]: relay-mail.example.com */
	char	 from[300];	/* "SMART_HOST", "relayhost (main.cf:12)" */
};
#define MTA_MAX_TARGETS	64

struct maillog;
struct maillog_relay;
struct config;
struct config_mta;
struct report;

struct mta {
	const char	*name;		/* "sendmail": [sendmail], messages */
	const char	*state_file;	/* STATE/NAME-relays (smrelay.h) */
	const char	*probe_prefix;	/* update's probes: "sendmail-HOST" */
	const char *const *journal_ids;	/* journalctl --identifier=, NULL
					   ended */
	/* one whole log line into l (maillog.h): 0, or -1 out of memory */
	int		(*log_line)(struct maillog *l, const char *line,
			    size_t n);
	/* a relay as logged: its host and port, 0, or -1 (hostile text) */
	int		(*log_relay)(const char *logged, char *host,
			    size_t hsize, char *port, size_t psize);
	/*
	 * The relays the configuration at path names (trustbuild's own
	 * reader: update runs it from cron as root): how many, or -1 with
	 * why when it cannot be read.
	 */
	int		(*config_relays)(const char *path,
			    struct mta_target *out, int max, char *why,
			    size_t wsize);
	/* "verify=OK", "Trusted TLS connection established": the log's
	   words for one relay's last connection, into buf */
	const char	*(*said)(const struct maillog_relay *r, char *buf,
			    size_t size);
	/* what the log lacks, before (after = 0) and after the relays */
	void		(*log_notes)(struct report *r, const struct maillog *lg,
			    const char *name, int loglevel, int after);
	const char	*fail_word;	/* "verify=FAIL": a failure, logged */
	const char	*setup_fix;	/* the fix of a relay failing in the log */
	const char	*conf_key;	/* [NAME]'s key for the configuration */
	size_t		 conf_off;	/* offsetof(struct config, NAME) */
};

extern const struct mta mta_table[];
extern const size_t mta_count;

/* The row of name, or NULL. */
const struct mta *mta_find(const char *name);
/* c's [NAME] section of m (borrowed). */
const struct config_mta *mta_section(const struct config *c,
	    const struct mta *m);

/*
 * One target: host (no brackets) on port, from; the name of its probe
 * relay-HOST[-PORT].  0, or -1 when host is not a host name or address.
 */
int	mta_target(const char *host, const char *port, const char *from,
	    struct mta_target *t);
/* The same, added to out[*n] unless there (max at most): 1 added, or 0. */
int	mta_target_add(struct mta_target *out, int *n, int max,
	    const char *host, const char *port, const char *from);

#endif
