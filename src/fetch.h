/*
 * fetch.h: downloads over http and https (libcurl), the only network I/O of
 * "update".
 *
 * Everything a server sends is hostile until checked: only http and https;
 * a redirect is followed only to the scheme the URL started with (https
 * never down to http), to another host only over https (at most
 * FETCH_MAX_REDIRECTS); the body is capped at max_size bytes and the
 * headers at FETCH_MAX_HEADERS; connect and total timeouts bound the time.
 * TLS is verified against the system's store, or ca when given.  The
 * http_proxy, https_proxy and no_proxy variables are honoured (libcurl).
 *
 * For URLs that come from certificates (AIA), a caller can ask for more:
 * public_only refuses any connection to a loopback, private, link-local,
 * shared, unspecified, multicast or reserved address (fetch_addr_kind): an
 * IP literal or "localhost" in the URL before anything is sent, and every
 * address libcurl is about to connect to (each hop of a redirect, each
 * address of a name: DNS rebinding gains nothing) before its socket
 * exists.  The one exception is a configured proxy (the *_proxy variables):
 * its own address is allowed, since the administrator chose it; through a
 * proxy, host names are resolved by the proxy, so its policy decides where
 * they lead, while IP literals and localhost are still refused here.
 * same_host follows a redirect only to the same host and port (http, or
 * https unless http_only); opaque gives every failure to connect or to get
 * a whole answer (refused, reset, timed out, not HTTP, TLS) one message,
 * so that the text does not tell whether a port is open.
 * A conditional GET sends If-None-Match and If-Modified-Since with the
 * validators of the cached copy; a 304 answer hands back no body.
 *
 * fetch.c is transport only: it prints nothing (the progress bar is
 * progress.c's) and knows no configuration key.  A failure is one entry
 * in a struct diags, naming the URL (its file), whose code says what kind
 * of failure it was, so that the caller, which knows the setting to
 * change, can add its advice without reading the text:
 *	DIAG_TIMEOUT	no whole answer within the timeout
 *	DIAG_LIMIT	the body passed max_size
 *	DIAG_ABSENT	HTTP 404 or 410
 *	DIAG_TLS	the TLS handshake or the server's certificate failed
 *	DIAG_REFUSED	public_only refused an address: no connection made
 *	DIAG_IO		anything else of the network, HTTP or a redirect
 *			(and every failure below HTTP, with opaque)
 *	DIAG_GENERIC	a URL fetch does not take; libcurl failed to start
 */
#ifndef TB_FETCH_H
#define TB_FETCH_H

#include <stddef.h>

#include "diag.h"

#define FETCH_MAX_REDIRECTS	5
#define FETCH_MAX_HEADERS	(64 * 1024)

struct fetch_opts {
	const char	*label;		/* for the progress bar */
	unsigned	 connect_timeout;	/* seconds */
	unsigned	 timeout;	/* seconds, for the whole fetch */
	size_t		 max_size;	/* bytes of body */
	const char	*ca;		/* a CA file, or NULL: the system's */
	int		 progress;	/* a progress bar on stderr (progress.h) */
	int		 http_only;	/* refuse https (and redirects to it) */
	int		 public_only;	/* connect to public addresses only */
	int		 same_host;	/* redirects only to the same host */
	int		 opaque;	/* one message for every failure below HTTP */
};

struct fetch_result {
	int		 not_modified;	/* 304: body is NULL */
	unsigned char	*body;		/* NUL after len bytes */
	size_t		 len;
	char		*etag;		/* validators of the answer, or NULL */
	char		*last_modified;
};

/*
 * GET url, conditionally when etag or last_modified is given.  Returns 0
 * with r filled (200 or 304; the caller releases it), or -1 with one
 * error in d: its file the URL (or the redirect's that failed), its text
 * what went wrong (HTTP status, timeout, size, TLS, redirect), its code
 * the kind (above).  Safe to call from several threads at once.
 */
int	fetch_get(const char *url, const char *etag, const char *last_modified,
	    const struct fetch_opts *o, struct fetch_result *r,
	    struct diags *d);
void	fetch_result_release(struct fetch_result *r);

/*
 * Pure: the SHA-256 (64 lowercase hex digits) of file in a checksum file,
 * whose lines are "HEX  NAME" or "HEX *NAME" (sha256sum) or "SHA256
 * (NAME) = HEX" (BSD); other lines are passed over.  The line naming file
 * (or a path ending in it) wins; a file of one SHA-256 naming another
 * gives that one, as a bare "HEX" does.  Returns 0; -1 when the file
 * holds no SHA-256; or, when it holds several and none for file, how many.
 */
int	fetch_checksum(const unsigned char *buf, size_t len, const char *file,
	    char out[65]);
/*
 * Pure: why an address (family AF_INET, 4 bytes, or AF_INET6, 16 bytes, in
 * network order) is not public: "loopback", "private", "link-local",
 * "unspecified", "shared (100.64.0.0/10)", "multicast", "broadcast" or
 * "reserved"; NULL when it is public.  An IPv6 address that carries an
 * IPv4 address (mapped, compatible, NAT64, 6to4) is judged by that one.
 */
const char *fetch_addr_kind(int family, const unsigned char *addr);
/*
 * Pure: the same for the host of url when it is an IP literal (in any form
 * libcurl reads: 127.1, 0x7f.1, [::ffff:127.0.0.1]) or localhost; the
 * host's text in host.  NULL when the URL names another host (or does not
 * parse: fetching it will fail and say so).
 */
const char *fetch_url_kind(const char *url, char *host, size_t size);
/* The last part of a URL's path, before any query ("cacert.pem"). */
void	fetch_url_file(const char *url, char *out, size_t size);

#endif
