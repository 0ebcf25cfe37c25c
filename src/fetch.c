/*
 * fetch.c: http(s) downloads with libcurl, see fetch.h.
 *
 * Redirects are followed here rather than by libcurl, so each hop is
 * checked (same scheme, a count) and a refusal names the Location.  URLs
 * are resolved by libcurl's own parser (CURLINFO_REDIRECT_URL).
 */
#include <curl/curl.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "fetch.h"
#include "log.h"

struct sink {
	unsigned char	*buf;
	size_t		 len, cap, max;
	size_t		 hdr;		/* header bytes seen */
	int		 too_big, hdr_flood;
	const struct fetch_opts *o;
	time_t		 drawn;		/* last progress redraw */
	int		 bar;		/* a bar is on the screen */
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

/* A message: into o->errbuf when the caller collects them, else logged. */
static void
ferr(const struct fetch_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
ferr(const struct fetch_opts *o, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (o->errbuf != NULL)
		snprintf(o->errbuf, o->errsz, "%s", msg);
	else
		log_err("%s", msg);
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
		unsigned char *nb;

		while (cap < s->len + len + 1)
			cap *= 2;
		if ((nb = realloc(s->buf, cap)) == NULL)
			return 0;
		s->buf = nb;
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

static void
human(curl_off_t n, char *buf, size_t size)
{
	if (n >= 1024 * 1024)
		snprintf(buf, size, "%.1f MiB", (double)n / (1024 * 1024));
	else
		snprintf(buf, size, "%ld KiB", (long)(n / 1024));
}

/* A one-line progress bar on stderr, redrawn at most once a second. */
static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ult,
    curl_off_t ulnow)
{
	struct sink *s = arg;
	time_t now = time(NULL);
	char a[32], b[32];

	(void)ult;
	(void)ulnow;
	if (dlnow == 0 || now == s->drawn)
		return 0;
	s->drawn = now;
	s->bar = 1;
	human(dlnow, a, sizeof(a));
	if (dltotal > 0) {
		int pct = (int)(dlnow * 100 / dltotal), i;
		char bar[21];

		for (i = 0; i < 20; i++)
			bar[i] = i < pct / 5 ? '#' : '.';
		bar[20] = '\0';
		human(dltotal, b, sizeof(b));
		fprintf(stderr, "\r%-16.16s [%s] %3d%% %s of %s ", s->o->label,
		    bar, pct, a, b);
	} else
		fprintf(stderr, "\r%-16.16s %s ", s->o->label, a);
	return 0;
}

static void
clear_progress(struct sink *s)
{
	if (s->bar)
		fprintf(stderr, "\r\033[K");
	s->bar = 0;
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
	return strdup(hd->value);
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

/*
 * One message for a failed transfer.  The advice to raise max-size names a
 * setting of update's [source] downloads, the one caller that lets fetch
 * report; a caller that collects the message (errbuf: AIA answers, checksum
 * files) has a fixed bound and gives its own advice.
 */
static void
report(const char *url, CURLcode rc, const char *errbuf,
    const struct sink *s, const struct fetch_opts *o)
{
	const char *why = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
	const char *raise = o->errbuf == NULL ? "; raise max-size if this is "
	    "expected" : "";

	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		ferr(o, "'%s': no complete answer within %u s (%s); raise "
		    "timeout in [fetch] if the server is just slow", url,
		    o->timeout, why);
		break;
	case CURLE_FILESIZE_EXCEEDED:
		ferr(o, "'%s': larger than the limit of %zu bytes%s", url,
		    o->max_size, raise);
		break;
	case CURLE_PARTIAL_FILE:
		ferr(o, "'%s': the answer was cut short after %zu bytes "
		    "(%s); a truncated download is never used", url, s->len,
		    why);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CONNECT_ERROR:
		ferr(o, "'%s': TLS: %s; the server's certificate must verify "
		    "against %s", url, why, o->ca ? o->ca : "the system's CA "
		    "store (or give 'ca = FILE' to bootstrap)");
		break;
	case CURLE_WRITE_ERROR:
		if (s->too_big) {
			ferr(o, "'%s': larger than the limit of %zu bytes%s",
			    url, o->max_size, raise);
			break;
		}
		if (s->hdr_flood) {
			ferr(o, "'%s': the answer's headers pass %d bytes; "
			    "refused", url, FETCH_MAX_HEADERS);
			break;
		}
		/* FALLTHROUGH */
	default:
		ferr(o, "'%s': %s", url, why);
	}
}

int
fetch_get(const char *url, const char *etag, const char *last_modified,
    const struct fetch_opts *o, struct fetch_result *r)
{
	static int inited;
	char scheme[8], s2[8], errbuf[CURL_ERROR_SIZE];
	char *cur = NULL, *next = NULL;
	struct curl_slist *hdrs = NULL;
	struct sink s;
	time_t deadline = time(NULL) + (time_t)o->timeout;
	CURL *h = NULL;
	int hops, rc = -1;

	memset(&s, 0, sizeof(s));
	memset(r, 0, sizeof(*r));
	if (scheme_of(url, scheme, sizeof(scheme)) == -1 ||
	    (o->http_only && strcmp(scheme, "http") != 0)) {
		ferr(o, "'%s': only %s URLs are fetched", url, o->http_only ?
		    "http" : "http and https");
		return -1;
	}
	if (!inited && curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		ferr(o, "libcurl: initialisation failed");
		return -1;
	}
	inited = 1;
	if ((cur = strdup(url)) == NULL)
		goto nomem;
	if (etag != NULL) {
		char line[1100];

		snprintf(line, sizeof(line), "If-None-Match: %s", etag);
		if ((hdrs = curl_slist_append(hdrs, line)) == NULL)
			goto nomem;
	}
	if (last_modified != NULL) {
		char line[1100];
		struct curl_slist *n;

		snprintf(line, sizeof(line), "If-Modified-Since: %s",
		    last_modified);
		if ((n = curl_slist_append(hdrs, line)) == NULL)
			goto nomem;
		hdrs = n;
	}
	s.max = o->max_size;
	s.o = o;
	for (hops = 0;; hops++) {
		CURLcode cc;
		long code = 0, left = (long)(deadline - time(NULL));
		char *loc = NULL;

		if (left <= 0) {
			ferr(o, "'%s': no complete answer within %u s; raise "
			    "timeout in [fetch] if the server is just slow",
			    url, o->timeout);
			goto out;
		}
		if ((h = curl_easy_init()) == NULL)
			goto nomem;
		errbuf[0] = '\0';
		s.len = 0;
		s.hdr = 0;
		curl_easy_setopt(h, CURLOPT_URL, cur);
		curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(h, CURLOPT_USERAGENT,
		    "trustbuild/" TRUSTBUILD_VERSION);
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
		    (long)o->connect_timeout);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, left);
		curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
		    (curl_off_t)o->max_size);
		curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
		curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(h, CURLOPT_HEADERDATA, &s);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
		if (o->ca != NULL)
			curl_easy_setopt(h, CURLOPT_CAINFO, o->ca);
		if (o->progress) {
			curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
			curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION,
			    on_progress);
			curl_easy_setopt(h, CURLOPT_XFERINFODATA, &s);
		}
		cc = curl_easy_perform(h);
		clear_progress(&s);
		if (cc != CURLE_OK) {
			report(cur, cc, errbuf, &s, o);
			goto out;
		}
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		if (code == 200) {
			if ((r->body = malloc(s.len + 1)) == NULL)
				goto nomem;
			if (s.len > 0)
				memcpy(r->body, s.buf, s.len);
			r->body[s.len] = '\0';
			r->len = s.len;
			r->etag = header(h, "ETag");
			r->last_modified = header(h, "Last-Modified");
			rc = 0;
			goto out;
		}
		if (code == 304 && (etag != NULL || last_modified != NULL)) {
			r->not_modified = 1;
			r->etag = header(h, "ETag");
			r->last_modified = header(h, "Last-Modified");
			rc = 0;
			goto out;
		}
		if (code < 300 || code > 399 || code == 304) {
			ferr(o, "'%s': the server answered HTTP %ld%s", cur,
			    code, code == 404 || code == 410 ? "; check the "
			    "url of this source" : "");
			goto out;
		}
		curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc);
		if (loc == NULL) {
			ferr(o, "'%s': HTTP %ld without a usable Location",
			    cur, code);
			goto out;
		}
		if (scheme_of(loc, s2, sizeof(s2)) == -1 ||
		    strcmp(s2, scheme) != 0) {
			ferr(o, "'%s': redirected to '%s'; only redirects to "
			    "%s URLs are followed", cur, loc, scheme);
			goto out;
		}
		if (hops + 1 > FETCH_MAX_REDIRECTS) {
			ferr(o, "'%s': more than %d redirects (last to '%s')",
			    url, FETCH_MAX_REDIRECTS, loc);
			goto out;
		}
		if ((next = strdup(loc)) == NULL)
			goto nomem;
		free(cur);
		cur = next;
		next = NULL;
		curl_easy_cleanup(h);
		h = NULL;
	}
nomem:
	ferr(o, "'%s': out of memory", url);
out:
	if (rc == -1)
		fetch_result_release(r);
	if (h != NULL)
		curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	free(s.buf);
	free(cur);
	return rc;
}

static int
is_hex64(const unsigned char *p, size_t n)
{
	size_t i;

	if (n != 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!isxdigit(p[i]))
			return 0;
	return 1;
}

/* Does a checksum line's file name (maybe with a path) name file? */
static int
names(const unsigned char *p, size_t n, const char *file)
{
	size_t i, fl = strlen(file);

	for (i = n; i > 0 && p[i - 1] != '/'; i--)
		;
	return fl > 0 && n - i == fl && memcmp(p + i, file, fl) == 0;
}

/* Pure: see fetch.h. */
int
fetch_checksum(const unsigned char *b, size_t len, const char *file,
    char out[65])
{
	const unsigned char *p = b, *end = b + len, *only = NULL;
	int n = 0;

	while (p < end) {
		const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
		const unsigned char *l = p, *e = nl ? nl : end, *hex = NULL;
		const unsigned char *name = e;
		size_t nn = 0;

		p = nl ? nl + 1 : end;
		while (l < e && (*l == ' ' || *l == '\t'))
			l++;
		while (e > l && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			e--;
		/* "SHA256 (" NAME ") = " HEX: 76 bytes with an empty name */
		if (e - l >= 76 && memcmp(l, "SHA256 (", 8) == 0 &&
		    memcmp(e - 68, ") = ", 4) == 0 && is_hex64(e - 64, 64)) {
			hex = e - 64;
			name = l + 8;
			nn = (size_t)(e - 68 - name);
		} else if (e - l >= 64 && is_hex64(l, 64) &&
		    (e - l == 64 || l[64] == ' ' || l[64] == '\t')) {
			hex = l;
			for (name = l + 64; name < e && (*name == ' ' ||
			    *name == '\t'); name++)
				;
			if (name < e && *name == '*')
				name++;
			nn = (size_t)(e - name);
		}
		if (hex == NULL)
			continue;
		n++;
		if (names(name, nn, file)) {
			only = hex;
			n = 0;
			break;
		}
		if (n == 1)
			only = hex;
	}
	if (only == NULL)
		return -1;
	if (n > 1)
		return n;
	for (n = 0; n < 64; n++)
		out[n] = (char)(only[n] | 0x20);
	out[64] = '\0';
	return 0;
}

/* Pure: see fetch.h. */
void
fetch_url_file(const char *url, char *out, size_t size)
{
	const char *q = url + strcspn(url, "?#"), *p = q;

	while (p > url && p[-1] != '/')
		p--;
	snprintf(out, size, "%.*s", (int)(q - p), p);
}
