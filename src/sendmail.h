/*
 * sendmail.h: what sendmail.mc and sendmail.cf say about sendmail's TLS,
 * parsed without I/O (fuzzable); mailcheck.c checks it (the mail log is
 * maillog.h's).
 *
 * sendmail.mc is m4: "dnl" discards the rest of its line, "#" starts a
 * comment that m4 copies without expanding (so a define after it does
 * nothing either), and `quotes' may or may not surround the name and the
 * value of define(NAME, VALUE).  sendmail.cf has "O Name=value" options
 * ("#O" is a comment) and "DS" for the smart host.
 */
#ifndef TB_SENDMAIL_H
#define TB_SENDMAIL_H

#include <stddef.h>

#include "mta.h"

#define SM_MAX_LINE	4096

enum sm_state {
	SM_ABSENT = 0,
	SM_SET,
	SM_COMMENTED		/* written, but dnl or # disables it */
};

/* One setting as the .mc or .cf has it: the last active one wins. */
struct sm_setting {
	enum sm_state	 state;
	char		 value[1024];
	size_t		 line;		/* where (the active one, else the
					   commented one) */
	size_t		 col;		/* of the dnl or # that comments it */
	char		 text[160];	/* the line, for messages */
	char		 file[256];	/* an included file it came from, or "" */
};

enum sm_key {
	SM_CACERT,		/* confCACERT / O CACertFile */
	SM_CACERT_PATH,		/* confCACERT_PATH / O CACertPath */
	SM_SERVER_CERT,		/* confSERVER_CERT / O ServerCertFile */
	SM_CLIENT_CERT,		/* confCLIENT_CERT / O ClientCertFile */
	SM_LOG_LEVEL,		/* confLOG_LEVEL / O LogLevel */
	SM_DONT_BLAME,		/* confDONT_BLAME_SENDMAIL / O DontBlameSendmail */
	SM_SMART_HOST,		/* SMART_HOST / DS */
	SM_MAILER_ARGS,		/* RELAY_MAILER_ARGS / Mrelay A= (the port) */
	SM_ESMTP_ARGS,		/* ESMTP_MAILER_ARGS / Mesmtp A= */
	SM_SMTP_ARGS,		/* SMTP_MAILER_ARGS / Msmtp A= */
	SM_SMTP8_ARGS,		/* SMTP8_MAILER_ARGS / Msmtp8 A= */
	SM_DSMTP_ARGS,		/* DSMTP_MAILER_ARGS / Mdsmtp A= */
	SM_RELAY_MAILER,	/* confRELAY_MAILER: SMART_HOST's mailer */
	SM_MAILERTABLE,		/* FEATURE(`mailertable', `SPEC') */
	SM_NKEYS
};

#define SM_MAX_INCLUDES	16	/* files included, all levels */
#define SM_MAX_DEPTH	4	/* include() within include() */

struct sm_config {
	struct sm_setting s[SM_NKEYS];
	int		 lines;		/* how many were read */
	size_t		 long_line;	/* the first line cut at SM_MAX_LINE
					   bytes, or 0 */
	size_t		 mailer_line;	/* .mc: its first MAILER line, or 0 */
	/* .mc: the files of active include(`...') lines, in order */
	char		 include[SM_MAX_INCLUDES][256];
	int		 nincludes;
};

/* The key of an SMTP mailer's _MAILER_ARGS (relay, esmtp...), or -1. */
int	sm_mailer_args(const char *mailer);
/* Is k set, to something not empty? */
int	sm_set(const struct sm_config *c, enum sm_key k);
/* The m4 name and the .cf option name of a key, for messages. */
const char	*sm_mc_name(enum sm_key k);
const char	*sm_cf_name(enum sm_key k);

/* Parse a sendmail.mc (buf need not be NUL-terminated).  Never fails. */
void	sm_parse_mc(const char *buf, size_t len, struct sm_config *c);
/*
 * An included file's text for sm_parse_mc_with (malloc'd, *len set), or
 * NULL to skip it (unreadable, or the cf macros themselves).
 */
typedef char *(*sm_include_fn)(void *arg, const char *file, size_t *len);
/*
 * Parse a sendmail.mc the way m4 reads it: each include(`FILE') is read
 * through rd where it stands (SM_MAX_DEPTH deep), so that what comes
 * later wins, whichever file it is in (Debian's starttls.m4 included at
 * the end overrides the .mc's own defines); undefine(`NAME') forgets NAME.
 * A setting's file is "" for the .mc itself.  rd may be NULL.
 */
void	sm_parse_mc_with(const char *buf, size_t len, struct sm_config *c,
	    sm_include_fn rd, void *arg);
/* Parse a sendmail.cf.  Never fails. */
void	sm_parse_cf(const char *buf, size_t len, struct sm_config *c);

/*
 * The servers sendmail relays to (mta.h's targets): SMART_HOST in each of
 * its forms (host, [host], mailer:[host], [IPv6:addr], host1:host2) or a
 * mailertable entry, with the port of its mailer's _MAILER_ARGS ("TCP $h
 * 587": submission://, 465: smtps://, else smtp://HOST[:PORT]).
 */

/*
 * The relays of c, then of the mailertable text mt (mtlen bytes, may be
 * NULL), deduplicated, at most max: how many were put in out.
 */
int	sm_relays(const struct sm_config *c, const char *mt, size_t mtlen,
	    struct mta_target *out, int max);
/* The first relay of c as a probe URL, or -1 when there is none. */
int	sm_smarthost_url(const struct sm_config *c, char *out, size_t size);

#endif
