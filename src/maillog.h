/*
 * maillog.h: what a mail log says about an MTA's outgoing TLS, parsed
 * without I/O (fuzzable); mailcheck_log.c reads the logs and reports.
 * The stamps, the lines and the relays are the same for every MTA; the
 * words of one line are its reader's (mta.h): sendmail's below
 * (maillog_sendmail_line), Postfix's in maillog_pf.c.
 *
 * The log comes as admins have it, in any mix of these line formats:
 *
 *   RFC 3164 (syslog, rsyslog's default before Debian 12, RHEL):
 *	Dec  3 10:27:31 host sendmail[123]: MSG
 *   RFC 3339 stamps (rsyslog's high precision, journalctl -o short-iso):
 *	2026-12-03T10:27:31.123456+00:00 host sm-mta[123]: MSG
 *	2026-12-03T10:27:31+0000 host sm-mta[123]: MSG
 *   RFC 5424 (syslog protocol):
 *	<22>1 2026-12-03T10:27:31.123Z host sendmail 123 - - MSG
 *
 * with, from the same process (sendmail 8.15 to 8.18, LogLevel 9 and up):
 *
 *	STARTTLS=client, get_verify: 20 get_peer: 0x...	(LogLevel 14)
 *	STARTTLS=client, relay=R., version=..., verify=FAIL, cipher=...
 *	STARTTLS=client, cert-subject=..., verifymsg=unable to get local
 *	    issuer certificate				(LogLevel 12; 8.17
 *							 after the relay line,
 *							 older before it)
 *
 * An RFC 3164 stamp has no year: it gets the one that puts it not in the
 * future of "now" (a day of slack for clocks), in the local time zone.
 *
 * Calling sequence (the files of one log oldest first, in pieces of any
 * size: a line may span two calls):
 *
 *	struct maillog l;
 *	maillog_init(&l, time(NULL));
 *	while (more)
 *		maillog_feed(&l, buf, len);
 *	maillog_end(&l);		// the last line, if it has no newline
 *	... l.v[0 .. l.n - 1] ...
 *	maillog_release(&l);
 *
 * A new file (maillog_end then maillog_feed) keeps what the earlier ones
 * said about each relay.
 */
#ifndef TB_MAILLOG_H
#define TB_MAILLOG_H

#include <stddef.h>
#include <time.h>

#define MAILLOG_MAX_LINE	4096	/* longer lines are skipped */
#define MAILLOG_MAX_RELAYS	4096	/* more relays are not kept */
#define MAILLOG_ERR_ISSUER	20	/* X509_V_ERR_UNABLE_TO_GET_ISSUER_
					   CERT_LOCALLY */

/* One relay's TLS as the log tells it (the last connection wins). */
struct maillog_relay {
	char	 relay[256];		/* as logged, without the final dot */
	char	 verify[32];		/* OK, FAIL, NO, NONE, TEMP, ... */
	char	 verifymsg[256];	/* at LogLevel >= 12, else "" */
	int	 error;			/* the X.509 error of the last FAIL:
					   get_verify, else known from its
					   verifymsg; -1 unknown */
	int	 count;			/* connections seen */
	int	 fails;			/* of them verify=FAIL */
	time_t	 last;			/* the last connection's time, or 0 */
	time_t	 last_fail;		/* the last verify=FAIL's, or 0 */
};

struct mta;

struct maillog {
	struct maillog_relay *v;
	size_t		 n;
	time_t		 now;		/* what an RFC 3164 year is fitted to */
	int		 client_lines;	/* STARTTLS=client relay lines seen */
	int		 long_lines;	/* lines past MAILLOG_MAX_LINE, skipped */
	int		 binary_lines;	/* lines holding NUL bytes, skipped */
	int		 verifymsg_lines;
	int		 lines;		/* lines seen */
	int		 undated;	/* relay lines without a stamp read */
	/* the reader of one line (maillog_init: sendmail's), and the
	   journal identifiers of the MTA (NULL: sendmail's) */
	int		(*line)(struct maillog *, const char *, size_t);
	const char *const *ids;
	/* private: the line being put together, what a process said */
	char		 part[MAILLOG_MAX_LINE];
	size_t		 plen;
	int		 plong, pbin;
	char		 lastpid[32], lastmsg[256], relaypid[32], errpid[32];
	int		 lasterr;
	size_t		 lastrelay;
};

/* Start an empty log; now fits the years of RFC 3164 stamps. */
void	maillog_init(struct maillog *l, time_t now);
/* The same for the log lines of m (mta.h). */
void	maillog_init_mta(struct maillog *l, time_t now, const struct mta *m);
/*
 * The next len bytes of the log.  Returns 0, or -1 when out of memory
 * (what was read stays).
 */
int	maillog_feed(struct maillog *l, const char *buf, size_t len);
/* The end of one file: a last line without a newline counts.  0 or -1. */
int	maillog_end(struct maillog *l);
/* Frees the relays; l may be fed again after maillog_init. */
void	maillog_release(struct maillog *l);

/*
 * The time of a log line's stamp (any format above) into *t: 0, or -1
 * when the line starts with none.
 */
int	maillog_time(const char *line, size_t n, time_t now, time_t *t);

/*
 * For the readers of one line (mta.h's log_line): the line's stamp (0 if
 * none) and process id ("" if none); the relay named relay, found or
 * added (NULL: too many, or out of memory with *nomem set).
 */
void	maillog_head(const char *l, size_t n, time_t now, time_t *t,
	    char *pid, size_t size);
struct maillog_relay *maillog_relay_get(struct maillog *lg,
	    const char *relay, int *nomem);
/* The readers: sendmail's (maillog.c), Postfix's (maillog_pf.c). */
int	maillog_sendmail_line(struct maillog *lg, const char *l, size_t n);
int	maillog_postfix_line(struct maillog *lg, const char *l, size_t n);

/* The X.509 error number a verifymsg names, or -1 (not one we know). */
int	maillog_error(const char *verifymsg);

#endif
