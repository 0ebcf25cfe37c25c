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
	SM_MAILER_ARGS,		/* RELAY_MAILER_ARGS (the port) */
	SM_NKEYS
};

#define SM_MAX_INCLUDES	8

struct sm_config {
	struct sm_setting s[SM_NKEYS];
	int		 lines;		/* how many were read */
	size_t		 long_line;	/* the first line cut at SM_MAX_LINE
					   bytes, or 0 */
	/* .mc: the files of active include(`...') lines, in order */
	char		 include[SM_MAX_INCLUDES][256];
	int		 nincludes;
};

/* The m4 name and the .cf option name of a key, for messages. */
const char	*sm_mc_name(enum sm_key k);
const char	*sm_cf_name(enum sm_key k);

/* Parse a sendmail.mc (buf need not be NUL-terminated).  Never fails. */
void	sm_parse_mc(const char *buf, size_t len, struct sm_config *c);
/*
 * What an included file (Debian's /etc/mail/tls/starttls.m4) sets and c
 * does not: copied into c with file as where it came from.
 */
void	sm_merge(struct sm_config *c, const struct sm_config *inc,
	    const char *file);
/* Parse a sendmail.cf.  Never fails. */
void	sm_parse_cf(const char *buf, size_t len, struct sm_config *c);

/*
 * The probe URL of a smart host: "[mail.example.com]" or "esmtp:host" and
 * the port of RELAY_MAILER_ARGS ("TCP $h 587"), as "submission://HOST:587"
 * or "smtp://HOST[:PORT]".  -1 when there is none.
 */
int	sm_smarthost_url(const struct sm_config *c, char *out, size_t size);

#endif
