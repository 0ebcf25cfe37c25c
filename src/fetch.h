/*
 * fetch.h: downloads over http and https (libcurl), the only network I/O of
 * "update".
 *
 * Everything a server sends is hostile until checked: only http and https;
 * a redirect is followed only to the scheme the URL started with (at most
 * FETCH_MAX_REDIRECTS); the body is capped at max_size bytes and the
 * headers at FETCH_MAX_HEADERS; connect and total timeouts bound the time.
 * TLS is verified against the system's store, or ca when given.  The
 * http_proxy, https_proxy and no_proxy variables are honoured (libcurl).
 * A conditional GET sends If-None-Match and If-Modified-Since with the
 * validators of the cached copy; a 304 answer hands back no body.
 */
#ifndef TB_FETCH_H
#define TB_FETCH_H

#include <stddef.h>

#define FETCH_MAX_REDIRECTS	5
#define FETCH_MAX_HEADERS	(64 * 1024)

struct fetch_opts {
	const char	*label;		/* for the progress bar */
	unsigned	 connect_timeout;	/* seconds */
	unsigned	 timeout;	/* seconds, for the whole fetch */
	size_t		 max_size;	/* bytes of body */
	const char	*ca;		/* a CA file, or NULL: the system's */
	int		 progress;	/* draw a progress bar on stderr */
	int		 http_only;	/* refuse https (and redirects to it) */
	char		*errbuf;	/* a failure's message goes here, not */
	size_t		 errsz;		/* to stderr, when errbuf is set */
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
 * with r filled (200 or 304), or -1 after one message that names the URL,
 * says what went wrong (HTTP status, timeout, size, TLS, redirect) and
 * which setting to change.
 */
int	fetch_get(const char *url, const char *etag, const char *last_modified,
	    const struct fetch_opts *o, struct fetch_result *r);
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
/* The last part of a URL's path, before any query ("cacert.pem"). */
void	fetch_url_file(const char *url, char *out, size_t size);

#endif
