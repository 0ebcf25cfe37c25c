/*
 * fetch.c: http(s) downloads with libcurl, see fetch.h.
 *
 * Redirects are followed here rather than by libcurl, so each hop is
 * checked (same scheme, another host only over https, a count) and a
 * refusal names the Location.  URLs
 * are resolved by libcurl's own parser (CURLINFO_REDIRECT_URL).
 *
 * public_only: the host of each hop is looked at before the transfer
 * (fetch_url_kind), and libcurl opens its sockets through on_socket(),
 * which sees the address resolved for every connection and creates no
 * socket for one that is not public, unless it is the address and port of
 * a configured proxy (proxies(), from the same variables libcurl reads).
 * The pure parts (address kinds, checksum files) are in fetch_parse.c.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include "dl_curl.h"
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "diag.h"
#include "fetch.h"
#include "progress.h"
#include "xalloc.h"

#define MAX_PROXY_ADDRS	16

struct sink {
	unsigned char	*buf;
	size_t		 len, cap, max;
	size_t		 hdr;		/* header bytes seen */
	int		 too_big, hdr_flood;
	const struct fetch_opts *o;
	struct progress	 bar;
	/* public_only */
	struct sockaddr_storage proxy[MAX_PROXY_ADDRS];
	size_t		 nproxy;
	char		 refused[INET6_ADDRSTRLEN];	/* the first refused */
	const char	*refused_kind;
};

void
fetch_result_release(struct fetch_result *r)
{
	if (r == NULL)
		return;
	free(r->body);
	free(r->etag);
	free(r->last_modified);
	memset(r, 0, sizeof(*r));
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n;

	if (len > s->max - s->len) {
		s->too_big = 1;
		return 0;
	}
	if (s->len + len + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 64 * 1024;

		while (cap < s->len + len + 1)
			cap *= 2;
		s->buf = xreallocarray(s->buf, cap, 1);
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, len);
	s->len += len;
	return len;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;

	(void)p;
	s->hdr += size * n;
	if (s->hdr > FETCH_MAX_HEADERS) {
		s->hdr_flood = 1;
		return 0;
	}
	return size * n;
}

/* The progress bar (progress.c), as libcurl reports bytes. */
static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ult,
    curl_off_t ulnow)
{
	struct sink *s = arg;

	(void)ult;
	(void)ulnow;
	progress_draw(&s->bar, (long long)dlnow, (long long)dltotal);
	return 0;
}

static int
is_ip(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1;
}

/* Is sa the address and port of a configured proxy? */
static int
is_proxy(const struct sink *s, const struct sockaddr *sa)
{
	size_t i;

	for (i = 0; i < s->nproxy; i++) {
		const struct sockaddr *p = (const struct sockaddr *)&s->proxy[i];

		if (p->sa_family != sa->sa_family)
			continue;
		if (sa->sa_family == AF_INET) {
			const struct sockaddr_in *x = (const void *)p,
			    *y = (const void *)sa;

			if (x->sin_port == y->sin_port &&
			    x->sin_addr.s_addr == y->sin_addr.s_addr)
				return 1;
		} else if (sa->sa_family == AF_INET6) {
			const struct sockaddr_in6 *x = (const void *)p,
			    *y = (const void *)sa;

			if (x->sin6_port == y->sin6_port &&
			    memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0)
				return 1;
		}
	}
	return 0;
}

/*
 * The addresses of the proxies the environment configures, as libcurl
 * reads them (http_proxy, https_proxy, all_proxy; a proxy without a port
 * is on 1080, or 443 for an https:// one).  Which one, if any, libcurl
 * uses for a URL (no_proxy) does not matter: each is the administrator's.
 */
static void
proxies(struct sink *s)
{
	static const char *vars[] = { "http_proxy", "https_proxy",
	    "HTTPS_PROXY", "all_proxy", "ALL_PROXY" };
	size_t i;

	s->nproxy = 0;
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);
		struct addrinfo hints, *res = NULL, *ai;
		char *host = NULL, *port = NULL, *sch = NULL, h[256];
		CURLU *u;
		size_t n;

		if (v == NULL || *v == '\0' || (u = curl_url()) == NULL)
			continue;
		if (curl_url_set(u, CURLUPART_URL, v, CURLU_GUESS_SCHEME) ==
		    CURLUE_OK &&
		    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
		    (n = strlen(host)) > 0 && n < sizeof(h)) {
			curl_url_get(u, CURLUPART_SCHEME, &sch, 0);
			if (curl_url_get(u, CURLUPART_PORT, &port, 0) !=
			    CURLUE_OK)
				port = NULL;
			if (host[0] == '[' && host[n - 1] == ']') {
				memcpy(h, host + 1, n - 2);
				h[n - 2] = '\0';
			} else
				memcpy(h, host, n + 1);
			memset(&hints, 0, sizeof(hints));
			hints.ai_socktype = SOCK_STREAM;
			if (getaddrinfo(h, port ? port : sch != NULL &&
			    strcmp(sch, "https") == 0 ? "443" : "1080", &hints,
			    &res) == 0) {
				for (ai = res; ai != NULL && s->nproxy <
				    MAX_PROXY_ADDRS; ai = ai->ai_next)
					if (ai->ai_addrlen <=
					    sizeof(s->proxy[0]))
						memcpy(&s->proxy[s->nproxy++],
						    ai->ai_addr, ai->ai_addrlen);
				freeaddrinfo(res);
			}
		}
		curl_free(host);
		curl_free(port);
		curl_free(sch);
		curl_url_cleanup(u);
	}
}

/*
 * libcurl's socket for each connection it makes: none for an address that
 * is not public (public_only), unless it is a proxy's.  libcurl then tries
 * the name's other addresses, if any, or fails with CURLE_COULDNT_CONNECT.
 */
static curl_socket_t
on_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *sa)
{
	struct sink *s = arg;
	const unsigned char *a = NULL;
	const char *kind = NULL;
	int fam = sa->family;

	if (fam == AF_INET)
		a = (const unsigned char *)&((struct sockaddr_in *)
		    (void *)&sa->addr)->sin_addr;
	else if (fam == AF_INET6)
		a = (const unsigned char *)&((struct sockaddr_in6 *)
		    (void *)&sa->addr)->sin6_addr;
	if (purpose == CURLSOCKTYPE_IPCXN && s->o->public_only &&
	    (a == NULL || (kind = fetch_addr_kind(fam, a)) != NULL) &&
	    !is_proxy(s, &sa->addr)) {
		if (s->refused_kind == NULL) {
			s->refused_kind = kind ? kind : "not an IP address";
			if (a == NULL || inet_ntop(fam, a, s->refused,
			    sizeof(s->refused)) == NULL)
				snprintf(s->refused, sizeof(s->refused), "?");
		}
		return CURL_SOCKET_BAD;
	}
	return socket(fam, sa->socktype | SOCK_CLOEXEC, sa->protocol);
}

/* The host and port of a URL (port: libcurl's default for the scheme). */
static int
host_port(const char *url, char *host, size_t hsize, char *port,
    size_t psize)
{
	CURLU *u = curl_url();
	char *h = NULL, *p = NULL;
	size_t n;
	int rc = -1;

	if (u != NULL &&
	    curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) ==
	    CURLUE_OK && (n = strlen(h)) < hsize && strlen(p) < psize) {
		if (n > 0 && h[n - 1] == '.')
			h[--n] = '\0';
		memcpy(host, h, n + 1);
		snprintf(port, psize, "%s", p);
		rc = 0;
	}
	curl_free(h);
	curl_free(p);
	curl_url_cleanup(u);
	return rc;
}

/* Is to on the same host (and port, within a scheme) as from? */
static int
same_host(const char *from, const char *to, int same_scheme)
{
	char h1[256], h2[256], p1[16], p2[16];

	if (host_port(from, h1, sizeof(h1), p1, sizeof(p1)) == -1 ||
	    host_port(to, h2, sizeof(h2), p2, sizeof(p2)) == -1)
		return 0;
	return strcasecmp(h1, h2) == 0 && (!same_scheme || strcmp(p1, p2) ==
	    0);
}

/* The value of a response header (malloc'd), or NULL. */
static char *
header(CURL *h, const char *name)
{
	struct curl_header *hd;

	if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hd) != CURLHE_OK)
		return NULL;
	if (strlen(hd->value) > 1024)
		return NULL;
	return xstrdup(hd->value);
}

static int
scheme_of(const char *url, char *out, size_t size)
{
	const char *c = strstr(url, "://");
	size_t n;

	if (c == NULL || (n = (size_t)(c - url)) >= size)
		return -1;
	memcpy(out, url, n);
	out[n] = '\0';
	return strcmp(out, "http") == 0 || strcmp(out, "https") == 0 ? 0 : -1;
}

/* A failure: one entry in d, naming url, with a code of fetch.h. */
static void
fail(struct diags *d, enum diag_code code, const char *url, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static void
fail(struct diags *d, enum diag_code code, const char *url, const char *fmt,
    ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(d, DIAG_ERR, code, url, 0, "%s", msg);
}

/*
 * The one message of opaque for every failure below HTTP: refused, reset,
 * timed out, not HTTP, TLS all read alike, so that it does not tell
 * whether a port is open.
 */
static void
opaque(const char *url, const struct fetch_opts *o, struct diags *d)
{
	fail(d, DIAG_IO, url, "could not be fetched (no connection, or no "
	    "complete answer within %u s)", o->timeout);
}

/* A failed transfer: what went wrong, with its code (fetch.h). */
static void
failed(const char *url, CURLcode rc, const char *errbuf,
    const struct sink *s, const struct fetch_opts *o, struct diags *d)
{
	const char *why = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);

	if (s->refused_kind != NULL && rc == CURLE_COULDNT_CONNECT) {
		fail(d, DIAG_REFUSED, url, "refused: the address %s is %s",
		    s->refused, s->refused_kind);
		return;
	}
	if (o->opaque && rc != CURLE_FILESIZE_EXCEEDED &&
	    !(rc == CURLE_WRITE_ERROR && (s->too_big || s->hdr_flood))) {
		opaque(url, o, d);
		return;
	}
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		fail(d, DIAG_TIMEOUT, url, "no complete answer within %u s "
		    "(%s)", o->timeout, why);
		break;
	case CURLE_FILESIZE_EXCEEDED:
		fail(d, DIAG_LIMIT, url, "larger than the limit of %zu bytes",
		    o->max_size);
		break;
	case CURLE_PARTIAL_FILE:
		fail(d, DIAG_IO, url, "the answer was cut short after %zu "
		    "bytes (%s); a truncated download is never used", s->len,
		    why);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CONNECT_ERROR:
		fail(d, DIAG_TLS, url, "TLS: %s", why);
		break;
	case CURLE_WRITE_ERROR:
		if (s->too_big) {
			fail(d, DIAG_LIMIT, url, "larger than the limit of %zu "
			    "bytes", o->max_size);
			break;
		}
		if (s->hdr_flood) {
			fail(d, DIAG_IO, url, "the answer's headers pass %d "
			    "bytes; refused", FETCH_MAX_HEADERS);
			break;
		}
		/* FALLTHROUGH */
	default:
		fail(d, DIAG_IO, url, "%s", why);
	}
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static CURLcode init_rc;

/* Once, whichever thread fetches first (curl_global_init is not reentrant). */
static void
init(void)
{
	init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The request headers of a conditional GET; *hdrs stays NULL for none. */
static int
conditional(const char *etag, const char *last_modified,
    struct curl_slist **hdrs)
{
	struct curl_slist *n;
	char line[1100];

	*hdrs = NULL;
	if (etag != NULL) {
		snprintf(line, sizeof(line), "If-None-Match: %s", etag);
		if ((*hdrs = curl_slist_append(NULL, line)) == NULL)
			return -1;
	}
	if (last_modified != NULL) {
		snprintf(line, sizeof(line), "If-Modified-Since: %s",
		    last_modified);
		if ((n = curl_slist_append(*hdrs, line)) == NULL) {
			curl_slist_free_all(*hdrs);
			*hdrs = NULL;
			return -1;
		}
		*hdrs = n;
	}
	return 0;
}

/* One request to cur, its answer in s; libcurl's code, *h its handle. */
static CURLcode
transfer(CURL *h, const char *cur, long left, struct curl_slist *hdrs,
    struct sink *s, char *errbuf)
{
	const struct fetch_opts *o = s->o;
	CURLcode cc;

	errbuf[0] = '\0';
	s->len = 0;
	s->hdr = 0;
	s->refused_kind = NULL;
	curl_easy_setopt(h, CURLOPT_URL, cur);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, on_socket);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, s);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "trustbuild/" TRUSTBUILD_VERSION);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)o->connect_timeout);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, left);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_size);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, s);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	if (o->ca != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, o->ca);
	if (o->progress) {
		progress_init(&s->bar, o->label);
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, s);
	}
	cc = curl_easy_perform(h);
	if (o->progress)
		progress_clear(&s->bar);
	return cc;
}

/*
 * May the redirect from cur (in scheme) to loc be followed?  0 yes, -1
 * no, after saying why.
 */
static int
redirect_ok(const char *cur, const char *scheme, const char *loc,
    const struct fetch_opts *o, struct diags *d)
{
	char s2[8];

	if (o->same_host && (scheme_of(loc, s2, sizeof(s2)) == -1 ||
	    (strcmp(s2, "http") != 0 && (o->http_only ||
	    strcmp(s2, "https") != 0)) || (strcmp(scheme, "https") == 0 &&
	    strcmp(s2, "http") == 0) ||
	    !same_host(cur, loc, strcmp(s2, scheme) == 0))) {
		fail(d, DIAG_IO, cur, "redirected to '%s'; only redirects to "
		    "the same host (%s) are followed", loc, o->http_only ?
		    "http" : "http or https");
		return -1;
	}
	if (scheme_of(loc, s2, sizeof(s2)) == -1 ||
	    (strcmp(s2, scheme) != 0 && !o->same_host)) {
		fail(d, DIAG_IO, cur, "redirected to '%s'; only redirects to "
		    "%s URLs are followed%s", loc, scheme, strcmp(scheme,
		    "https") == 0 && strcmp(s2, "http") == 0 ? " (a downgrade "
		    "to plain http is refused)" : "");
		return -1;
	}
	/* plain http stays on its host: only https may lead elsewhere */
	if (!o->same_host && strcmp(s2, "http") == 0 &&
	    !same_host(cur, loc, 1)) {
		fail(d, DIAG_IO, cur, "redirected to '%s', another host, over "
		    "plain http; only https redirects are followed across "
		    "hosts", loc);
		return -1;
	}
	return 0;
}

/*
 * The answer of one hop: 1 a result in r (200, or 304 to a conditional
 * GET), 0 a redirect to follow (*loc, libcurl's), -1 a failure.
 */
static int
answer(CURL *h, const char *cur, const struct sink *s, int conditional_get,
    struct fetch_result *r, char **loc, struct diags *d)
{
	long code = 0;

	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (code == 200 || (code == 304 && conditional_get)) {
		if (code == 200) {
			r->body = xmalloc(s->len + 1);
			if (s->len > 0)
				memcpy(r->body, s->buf, s->len);
			r->body[s->len] = '\0';
			r->len = s->len;
		} else
			r->not_modified = 1;
		r->etag = header(h, "ETag");
		r->last_modified = header(h, "Last-Modified");
		return 1;
	}
	if (code < 300 || code > 399 || code == 304) {
		fail(d, code == 404 || code == 410 ? DIAG_ABSENT : DIAG_IO, cur,
		    "the server answered HTTP %ld", code);
		return -1;
	}
	*loc = NULL;
	curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, loc);
	if (*loc == NULL) {
		fail(d, DIAG_IO, cur, "HTTP %ld without a usable Location",
		    code);
		return -1;
	}
	return 0;
}

int
fetch_get(const char *url, const char *etag, const char *last_modified,
    const struct fetch_opts *o, struct fetch_result *r, struct diags *d)
{
	char scheme[8], errbuf[CURL_ERROR_SIZE];
	char *cur = NULL;
	struct curl_slist *hdrs = NULL;
	struct sink s;
	time_t deadline = time(NULL) + (time_t)o->timeout;
	CURL *h = NULL;
	int hops, rc = -1;

	memset(&s, 0, sizeof(s));
	memset(r, 0, sizeof(*r));
	if (dl_curl(d) == -1)
		return -1;
	if (scheme_of(url, scheme, sizeof(scheme)) == -1 ||
	    (o->http_only && strcmp(scheme, "http") != 0)) {
		fail(d, DIAG_GENERIC, url, "only %s URLs are fetched",
		    o->http_only ? "http" : "http and https");
		return -1;
	}
	if (pthread_once(&init_once, init) != 0 || init_rc != 0) {
		diag_err(d, NULL, 0, "libcurl: initialisation failed");
		return -1;
	}
	if (conditional(etag, last_modified, &hdrs) == -1) {
		fail(d, DIAG_GENERIC, url, "out of memory");
		return -1;
	}
	cur = xstrdup(url);
	s.max = o->max_size;
	s.o = o;
	if (o->public_only)
		proxies(&s);
	for (hops = 0;; hops++) {
		CURLcode cc;
		long left = (long)(deadline - time(NULL));
		char *loc = NULL, host[256];
		const char *kind;
		int got;

		if (left <= 0) {
			if (o->opaque)
				opaque(url, o, d);
			else
				fail(d, DIAG_TIMEOUT, url, "no complete answer "
				    "within %u s", o->timeout);
			break;
		}
		if (o->public_only && (kind = fetch_url_kind(cur, host,
		    sizeof(host))) != NULL) {
			fail(d, DIAG_REFUSED, cur, "refused: the %s %s is %s",
			    is_ip(host) ? "address" : "name", host, kind);
			break;
		}
		if ((h = curl_easy_init()) == NULL) {
			fail(d, DIAG_GENERIC, url, "out of memory");
			break;
		}
		if ((cc = transfer(h, cur, left, hdrs, &s, errbuf)) !=
		    CURLE_OK) {
			failed(cur, cc, errbuf, &s, o, d);
			break;
		}
		if ((got = answer(h, cur, &s, etag != NULL ||
		    last_modified != NULL, r, &loc, d)) != 0) {
			rc = got == 1 ? 0 : -1;
			break;
		}
		if (redirect_ok(cur, scheme, loc, o, d) == -1)
			break;
		if (hops + 1 > FETCH_MAX_REDIRECTS) {
			fail(d, DIAG_IO, url, "more than %d redirects (last to "
			    "'%s')", FETCH_MAX_REDIRECTS, loc);
			break;
		}
		free(cur);
		cur = xstrdup(loc);	/* loc is h's: copied before it goes */
		curl_easy_cleanup(h);
		h = NULL;
	}
	if (rc == -1)
		fetch_result_release(r);
	if (h != NULL)
		curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	free(s.buf);
	free(cur);
	return rc;
}
