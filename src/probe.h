/*
 * probe.h: connect to a server, speak its protocol up to TLS (STARTTLS or
 * TLS at once), and take the certificate chain it sends.
 *
 * Every byte a server sends is untrusted: a reply line is at most
 * PROBE_MAX_LINE bytes, a reply at most PROBE_MAX_LINES lines, and the
 * whole exchange, connect and handshake included, ends at a deadline.  The
 * chain is taken as sent and not verified here (see aia.h, cmd_probe.c).
 *
 * URL schemes and what is spoken:
 *   smtp://HOST[:25]   submission://HOST[:587]   EHLO, STARTTLS
 *   smtps://HOST[:465] imaps://HOST[:993] pop3s://HOST[:995]
 *   https://HOST[:443] tls://HOST:PORT           TLS at once
 *   imap://HOST[:143]  STARTTLS       pop3://HOST[:110]  STLS
 *   ftp://HOST[:21]    AUTH TLS       ldap://HOST[:389]  StartTLS (RFC 4511)
 * IPv6 literals are written in brackets: smtp://[::1]:2525.
 * A new protocol is one row of protocols[] in probe.c, with its dialogue.
 *
 * probe.c prints nothing: a failure is one entry of a struct diags, its
 * code DIAG_TIMEOUT (the deadline), DIAG_TLS (the handshake) or DIAG_IO
 * (connecting, or the server's answers).
 */
#ifndef TB_PROBE_H
#define TB_PROBE_H

#include <stddef.h>

#include <openssl/x509.h>

#include "diag.h"

#define PROBE_MAX_LINE		4096	/* bytes of one reply line */
#define PROBE_MAX_LINES		100	/* lines of one reply */
#define PROBE_TIMEOUT		20	/* seconds, default */

struct probe_target {
	char		 scheme[16];
	int		 starttls;	/* something is spoken before TLS */
	char		 host[256];	/* without brackets */
	char		 port[8];
};

struct probe_opts {
	const char	*servername;	/* SNI; NULL: the host, unless an IP */
	const char	*ehlo;		/* the EHLO name; NULL: the local name */
	unsigned	 timeout;	/* seconds for everything */
};

struct probe_result {
	STACK_OF(X509)	*chain;		/* as sent, leaf first (owned); empty
					   when the server sent none */
	char		 addr[80];	/* the address connected to */
	char		 tls[64];	/* "TLSv1.3 TLS_AES_256_GCM_SHA384" */
};

/*
 * Parse a probe URL.  Pure.  Returns 0, or -1 with a message in err
 * (naming the URL and what is wrong with it).
 */
int	probe_parse_url(const char *url, struct probe_target *t, char *err,
	    size_t errsz);

/*
 * Connect to t, speak up to TLS and take the chain.  Returns 0 with r
 * filled (the caller releases it), or -1 with what failed in d, one error
 * without a file ("cannot connect: ...", "STARTTLS: the server does not
 * offer it", "TLS handshake: ...": the caller names the server).
 */
int	probe_run(const struct probe_target *t, const struct probe_opts *o,
	    struct probe_result *r, struct diags *d);
void	probe_result_release(struct probe_result *r);

/*
 * Pure parsers of server replies (probe_reply.c), for probe_run and for
 * fuzzing.
 * smtp: one reply line "250-STARTTLS": its code (or -1 if the line is
 * malformed), whether more lines follow, and whether it names STARTTLS.
 */
int	probe_smtp_line(const char *line, int *more, int *starttls);
/* imap: is this tagged line "TAG OK ..."?  1 OK, 0 NO/BAD, -1 other. */
int	probe_imap_tagged(const char *line, const char *tag);
/* ldap: does buf hold a whole ExtendedResponse with resultCode 0 for
 * messageID 1?  1 yes, 0 a failure (*code set), -2 need more, -1 malformed */
int	probe_ldap_response(const unsigned char *buf, size_t len, int *code);
/* ber: the length at p (at most 4 bytes of long form), its size in *hdr;
 * -1 malformed, -2 more bytes needed. */
long	probe_ber_len(const unsigned char *p, size_t avail, size_t *hdr);

#endif
