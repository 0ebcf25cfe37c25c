/*
 * probe.c: talk to a server up to TLS and take its chain, see probe.h.
 *
 * The plain-text part is read line by line from our own bounded buffer;
 * whatever follows a STARTTLS answer in that buffer is refused (the
 * command injection of CVE-2011-0411 and its kin).  TLS is OpenSSL's, on a
 * non-blocking socket polled to the deadline; verification is not done
 * here, so the handshake succeeds with any chain and we can show it.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <ctype.h>
#include "dl_curl.h"
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "diag.h"
#include "log.h"
#include "probe.h"

struct conn {
	int		 fd;
	time_t		 deadline;
	unsigned char	 in[PROBE_MAX_LINE + 2];
	size_t		 len;
	const char	*ehlo;		/* our name, for SMTP */
	char		 err[1024];	/* the last failure, and its code */
	enum diag_code	 code;
};

static int
vfail(struct conn *c, enum diag_code code, const char *fmt, va_list ap)
{
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	c->code = code;
	return -1;
}

/* What failed: c->err, c->code (DIAG_IO); returns -1. */
static int
fail(struct conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(c, DIAG_IO, fmt, ap);
	va_end(ap);
	return -1;
}

/* The same with another code. */
static int
fail_code(struct conn *c, enum diag_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail_code(struct conn *c, enum diag_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(c, code, fmt, ap);
	va_end(ap);
	return -1;
}

/* A server's line made safe to print: at most 120 bytes, no controls. */
static const char *
shown(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 4 < size && i < 120; i++)
		buf[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	if (s[i] != '\0' && i + 4 < size) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

static int
wait_fd(struct conn *c, short ev, const char *doing)
{
	struct pollfd p = { c->fd, ev, 0 };
	long left = (long)(c->deadline - time(NULL));
	int r;

	for (;;) {
		if (left <= 0)
			return fail_code(c, DIAG_TIMEOUT, "%s: no answer in "
			    "time (the server stalls)", doing);
		r = poll(&p, 1, (int)(left > 1 ? 1000 : left * 1000));
		if (r > 0)
			return 0;
		if (r == -1 && errno != EINTR)
			return fail(c, "%s: %s", doing, strerror(errno));
		left = (long)(c->deadline - time(NULL));
	}
}

static int
connect_to(struct conn *c, const struct probe_target *t, char *addr,
    size_t addrsz)
{
	struct addrinfo hints, *res = NULL, *ai;
	char why[512] = "";
	int r, fd = -1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((r = getaddrinfo(t->host, t->port, &hints, &res)) != 0)
		return fail(c, "'%s': %s", t->host, gai_strerror(r));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		char h[64], p[8];
		int soerr = 0;
		socklen_t sl = sizeof(soerr);

		getnameinfo(ai->ai_addr, ai->ai_addrlen, h, sizeof(h), p,
		    sizeof(p), NI_NUMERICHOST | NI_NUMERICSERV);
		snprintf(addr, addrsz, ai->ai_family == AF_INET6 ?
		    "[%s]:%s" : "%s:%s", h, p);
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1)
			continue;
		c->fd = fd;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS &&
		    wait_fd(c, POLLOUT, "connect") == 0 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 &&
		    soerr == 0)
			break;
		snprintf(why + strlen(why), sizeof(why) - strlen(why),
		    "%s%s: %.200s", why[0] ? "; " : "", addr, soerr ?
		    strerror(soerr) : errno == EINPROGRESS ? c->err :
		    strerror(errno));
		close(fd);
		fd = c->fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		return fail(c, "cannot connect: %s", why[0] ? why :
		    "no address");
	return 0;
}

static int
send_all(struct conn *c, const void *buf, size_t len, const char *doing)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(c, POLLOUT, doing) == -1)
				return -1;
		} else
			return fail(c, "%s: %s", doing, strerror(errno));
	}
	return 0;
}

/* More bytes into c->in; -1 on close, error or deadline. */
static int
fill(struct conn *c, const char *doing)
{
	ssize_t n;

	for (;;) {
		if (wait_fd(c, POLLIN, doing) == -1)
			return -1;
		n = recv(c->fd, c->in + c->len, sizeof(c->in) - 1 - c->len, 0);
		if (n > 0) {
			c->len += (size_t)n;
			return 0;
		}
		if (n == 0)
			return fail(c, "%s: the server closed the connection",
			    doing);
		if (errno != EAGAIN && errno != EINTR)
			return fail(c, "%s: %s", doing, strerror(errno));
	}
}

/* One line, CR LF or LF removed, into out (at least PROBE_MAX_LINE + 1). */
static int
read_line(struct conn *c, char *out, const char *doing)
{
	for (;;) {
		unsigned char *nl = memchr(c->in, '\n', c->len);
		size_t n = nl != NULL ? (size_t)(nl - c->in) : c->len, i;

		/* the bytes before the LF; without one yet, all so far */
		if (n > PROBE_MAX_LINE)
			return fail(c, "%s: a reply line longer than %d bytes; "
			    "is this the right port?", doing, PROBE_MAX_LINE);
		if (nl != NULL) {
			memcpy(out, c->in, n);
			for (i = 0; i < n; i++)
				if (out[i] == '\0')
					out[i] = '?';	/* no NUL cuts a line */
			out[n] = '\0';
			if (n > 0 && out[n - 1] == '\r')
				out[n - 1] = '\0';
			c->len -= n + 1;
			memmove(c->in, nl + 1, c->len);
			return 0;
		}
		if (fill(c, doing) == -1)
			return -1;
	}
}

static int
smtp_reply(struct conn *c, const char *doing, int *tls, char *last)
{
	char line[PROBE_MAX_LINE + 1], s[160];
	int n, code = -1, first = -1, more, st;

	if (tls != NULL)
		*tls = 0;
	for (n = 0; n < PROBE_MAX_LINES; n++) {
		if (read_line(c, line, doing) == -1)
			return -1;
		code = probe_smtp_line(line, &more, &st);
		if (code == -1)
			return fail(c, "%s: not an SMTP reply: '%s'", doing,
			    shown(line, s, sizeof(s)));
		if (first == -1)
			first = code;
		else if (code != first)
			return fail(c, "%s: a reply whose lines disagree (%d, "
			    "then %d)", doing, first, code);
		if (tls != NULL && st)
			*tls = 1;
		snprintf(last, PROBE_MAX_LINE + 1, "%s", line);
		if (!more)
			return code;
	}
	return fail(c, "%s: a reply of more than %d lines", doing,
	    PROBE_MAX_LINES);
}

static int
smtp_like(struct conn *c, int ftp)
{
	char last[PROBE_MAX_LINE + 1], cmd[300], s[160];
	int code, tls;

	if ((code = smtp_reply(c, "greeting", NULL, last)) == -1)
		return -1;
	if (code != 220)
		return fail(c, "greeting: the server said '%s'",
		    shown(last, s, sizeof(s)));
	if (ftp) {
		if (send_all(c, "AUTH TLS\r\n", 10, "AUTH TLS") == -1 ||
		    (code = smtp_reply(c, "AUTH TLS", NULL, last)) == -1)
			return -1;
		if (code != 234)
			return fail(c, "AUTH TLS: refused: '%s'",
			    shown(last, s, sizeof(s)));
		return 0;
	}
	snprintf(cmd, sizeof(cmd), "EHLO %s\r\n", c->ehlo);
	if (send_all(c, cmd, strlen(cmd), "EHLO") == -1 ||
	    (code = smtp_reply(c, "EHLO", &tls, last)) == -1)
		return -1;
	if (code != 250)
		return fail(c, "EHLO: the server said '%s'",
		    shown(last, s, sizeof(s)));
	if (!tls)
		return fail(c, "STARTTLS: the server does not offer it (not "
		    "in its EHLO reply); it accepts mail only unencrypted");
	if (send_all(c, "STARTTLS\r\n", 10, "STARTTLS") == -1 ||
	    (code = smtp_reply(c, "STARTTLS", NULL, last)) == -1)
		return -1;
	if (code != 220)
		return fail(c, "STARTTLS: refused: '%s'",
		    shown(last, s, sizeof(s)));
	return 0;
}

static int
smtp_starttls(struct conn *c)
{
	return smtp_like(c, 0);
}

static int
ftp_auth_tls(struct conn *c)
{
	return smtp_like(c, 1);
}

static int
imap_starttls(struct conn *c)
{
	char line[PROBE_MAX_LINE + 1], s[160];
	int n, r;

	if (read_line(c, line, "greeting") == -1)
		return -1;
	if (strncasecmp(line, "* OK", 4) != 0)
		return fail(c, "greeting: not an IMAP server ready for "
		    "login: '%s'", shown(line, s, sizeof(s)));
	if (send_all(c, "tb1 STARTTLS\r\n", 14, "STARTTLS") == -1)
		return -1;
	for (n = 0; n < PROBE_MAX_LINES; n++) {
		if (read_line(c, line, "STARTTLS") == -1)
			return -1;
		if (line[0] == '*')
			continue;
		if ((r = probe_imap_tagged(line, "tb1")) == 1)
			return 0;
		if (r == 0)
			return fail(c, "STARTTLS: the server does not offer "
			    "it: '%s'", shown(line, s, sizeof(s)));
		return fail(c, "STARTTLS: not an IMAP reply: '%s'",
		    shown(line, s, sizeof(s)));
	}
	return fail(c, "STARTTLS: more than %d lines without an answer",
	    PROBE_MAX_LINES);
}

static int
pop3_stls(struct conn *c)
{
	char line[PROBE_MAX_LINE + 1], s[160];

	if (read_line(c, line, "greeting") == -1)
		return -1;
	if (strncmp(line, "+OK", 3) != 0)
		return fail(c, "greeting: not a POP3 server ready: '%s'",
		    shown(line, s, sizeof(s)));
	if (send_all(c, "STLS\r\n", 6, "STLS") == -1 ||
	    read_line(c, line, "STLS") == -1)
		return -1;
	if (strncmp(line, "+OK", 3) != 0)
		return fail(c, "STLS: the server does not offer it: '%s'",
		    shown(line, s, sizeof(s)));
	return 0;
}

static int
ldap_starttls(struct conn *c)
{
	/* ExtendedRequest, messageID 1, requestName 1.3.6.1.4.1.1466.20037 */
	static const unsigned char req[] = {
		0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, 0x16,
		'1', '.', '3', '.', '6', '.', '1', '.', '4', '.', '1', '.',
		'1', '4', '6', '6', '.', '2', '0', '0', '3', '7'
	};
	int r, code = 0;

	if (send_all(c, req, sizeof(req), "StartTLS") == -1)
		return -1;
	for (;;) {
		r = probe_ldap_response(c->in, c->len, &code);
		if (r == 1) {
			size_t used, h;
			long l = probe_ber_len(c->in + 1, c->len - 1, &h);

			used = 1 + h + (size_t)l;
			c->len -= used;
			memmove(c->in, c->in + used, c->len);
			return 0;
		}
		if (r == 0)
			return fail(c, "StartTLS: the LDAP server refused it "
			    "(resultCode %d)", code);
		if (r == -1)
			return fail(c, "StartTLS: not an LDAP ExtendedResponse");
		if (c->len >= sizeof(c->in) - 1)
			return fail(c, "StartTLS: an answer too large");
		if (fill(c, "StartTLS") == -1)
			return -1;
	}
}

/*
 * The protocols: a URL scheme, its default port and what is spoken before
 * TLS.  A new protocol is a row here (and its dialogue above, when it has
 * one: it reads and writes through c, and fails with fail()).
 */
static const struct protocol {
	const char	*scheme;
	const char	*port;			/* NULL: must be given */
	int		(*starttls)(struct conn *);	/* NULL: TLS at once */
} protocols[] = {
	{ "smtp",	"25",	smtp_starttls },
	{ "submission",	"587",	smtp_starttls },
	{ "smtps",	"465",	NULL },
	{ "imap",	"143",	imap_starttls },
	{ "imaps",	"993",	NULL },
	{ "pop3",	"110",	pop3_stls },
	{ "pop3s",	"995",	NULL },
	{ "ftp",	"21",	ftp_auth_tls },
	{ "ldap",	"389",	ldap_starttls },
	{ "ldaps",	"636",	NULL },
	{ "https",	"443",	NULL },
	{ "tls",	NULL,	NULL },
};

#define NPROTOCOLS	(sizeof(protocols) / sizeof(protocols[0]))

static const struct protocol *
protocol(const char *scheme)
{
	size_t i;

	for (i = 0; scheme != NULL && i < NPROTOCOLS; i++)
		if (strcmp(scheme, protocols[i].scheme) == 0)
			return &protocols[i];
	return NULL;
}

/* "smtp, submission, ..., https or tls", for the error of a bad scheme. */
static const char *
schemes(char *buf, size_t size)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < NPROTOCOLS && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i == 0 ? "" :
		    i + 1 == NPROTOCOLS ? " or " : ", ", protocols[i].scheme);
	return buf;
}

int
probe_parse_url(const char *url, struct probe_target *t, char *err,
    size_t errsz)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	const struct protocol *sc = NULL;
	char list[200];
	size_t n;
	int rc = -1;

	memset(t, 0, sizeof(*t));
	if (dl_curl_error() != NULL) {
		snprintf(err, errsz, "%s", dl_curl_error());
		return -1;
	}
	if ((u = curl_url()) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	if (strstr(url, "://") == NULL ||
	    curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) !=
	    CURLUE_OK) {
		snprintf(err, errsz, "'%s': not a URL; write SCHEME://HOST"
		    "[:PORT], e.g. smtp://mail.example.com", url);
		goto out;
	}
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	if ((sc = protocol(scheme)) == NULL) {
		snprintf(err, errsz, "'%s': unknown scheme; use %s", url,
		    schemes(list, sizeof(list)));
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    host[0] == '\0') {
		snprintf(err, errsz, "'%s': no host", url);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK) {
		if (sc->port == NULL) {
			snprintf(err, errsz, "'%s': %s:// needs a port: "
			    "%s://HOST:PORT", url, sc->scheme, sc->scheme);
			goto out;
		}
		port = NULL;
	}
	if (curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK &&
	    strcmp(path, "/") != 0 && path[0] != '\0') {
		snprintf(err, errsz, "'%s': a probe URL has no path", url);
		goto out;
	}
	n = strlen(host);
	/* curl keeps an IPv6 literal in brackets */
	if (host[0] == '[' && n > 2 && host[n - 1] == ']') {
		host[n - 1] = '\0';
		memmove(host, host + 1, n - 1);
	}
	if (strlen(host) >= sizeof(t->host)) {
		snprintf(err, errsz, "'%s': host name too long", url);
		goto out;
	}
	snprintf(t->scheme, sizeof(t->scheme), "%s", sc->scheme);
	t->starttls = sc->starttls != NULL;
	snprintf(t->host, sizeof(t->host), "%s", host);
	snprintf(t->port, sizeof(t->port), "%s", port ? port : sc->port);
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	return rc;
}

static int
handshake(struct conn *c, SSL *ssl)
{
	char why[512];

	for (;;) {
		int r = SSL_connect(ssl), e;

		if (r == 1)
			return 0;
		e = SSL_get_error(ssl, r);
		if (e == SSL_ERROR_WANT_READ) {
			if (wait_fd(c, POLLIN, "TLS handshake") == -1)
				return -1;
		} else if (e == SSL_ERROR_WANT_WRITE) {
			if (wait_fd(c, POLLOUT, "TLS handshake") == -1)
				return -1;
		} else if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
			return fail_code(c, DIAG_TLS, "TLS handshake: %s", r ==
			    0 || errno == 0 ? "the server closed the connection" :
			    strerror(errno));
		else
			return fail_code(c, DIAG_TLS, "TLS handshake: %s",
			    log_ssl_reason(why, sizeof(why)));
	}
}

static int
is_ip(const char *h)
{
	unsigned char b[16];

	return inet_pton(AF_INET, h, b) == 1 || inet_pton(AF_INET6, h, b) == 1;
}

void
probe_result_release(struct probe_result *r)
{
	if (r == NULL)
		return;
	sk_X509_pop_free(r->chain, X509_free);
	memset(r, 0, sizeof(*r));
}

/* TLS on c (verifying nothing: the chain is shown, not trusted), into r. */
static int
tls_chain(struct conn *c, const struct probe_target *t,
    const struct probe_opts *o, struct probe_result *r)
{
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	STACK_OF(X509) *sent;
	char why[512];
	int rc = -1;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    (ssl = SSL_new(ctx)) == NULL) {
		fail_code(c, DIAG_TLS, "TLS: %s", log_ssl_reason(why,
		    sizeof(why)));
		goto out;
	}
	/* diagnosis, not trust: accept what the server sends, to show it */
	SSL_CTX_set_security_level(ctx, 0);
	SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
	SSL_set_fd(ssl, c->fd);
	if (o->servername != NULL)
		SSL_set_tlsext_host_name(ssl, o->servername);
	else if (!is_ip(t->host))
		SSL_set_tlsext_host_name(ssl, t->host);
	if (handshake(c, ssl) == -1)
		goto out;
	/* no certificate (anonymous TLS) is an answer too: verify=NO */
	if ((sent = SSL_get_peer_cert_chain(ssl)) == NULL)
		r->chain = sk_X509_new_null();
	else
		r->chain = X509_chain_up_ref(sent);
	if (r->chain == NULL) {
		fail(c, "out of memory");
		goto out;
	}
	snprintf(r->tls, sizeof(r->tls), "%s %s", SSL_get_version(ssl),
	    SSL_get_cipher_name(ssl));
	SSL_shutdown(ssl);
	rc = 0;
out:
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	return rc;
}

int
probe_run(const struct probe_target *t, const struct probe_opts *o,
    struct probe_result *r, struct diags *d)
{
	const struct protocol *p = protocol(t->scheme);
	struct conn c;
	char host[256];
	int rc = -1;

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	c.fd = -1;
	c.deadline = time(NULL) + (time_t)(o->timeout ? o->timeout :
	    PROBE_TIMEOUT);
	c.ehlo = o->ehlo;
	if (c.ehlo == NULL) {
		if (gethostname(host, sizeof(host)) == -1 || host[0] == '\0')
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		c.ehlo = host;
	}
	if (p == NULL) {
		fail_code(&c, DIAG_GENERIC, "'%s': unknown scheme", t->scheme);
		goto out;
	}
	if (connect_to(&c, t, r->addr, sizeof(r->addr)) == -1)
		goto out;
	if (p->starttls != NULL && p->starttls(&c) == -1)
		goto out;
	if (c.len > 0) {
		fail(&c, "the server sent %zu bytes after its STARTTLS answer, "
		    "before TLS (an injection attempt or a broken server); "
		    "refused", c.len);
		goto out;
	}
	rc = tls_chain(&c, t, o, r);
out:
	if (c.fd != -1)
		close(c.fd);
	ERR_clear_error();
	if (rc == -1) {
		probe_result_release(r);
		diag_add(d, DIAG_ERR, c.code, NULL, 0, "%s", c.err);
	}
	return rc;
}
