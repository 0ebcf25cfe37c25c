/*
 * fetch_parse.c: the pure parts of fetch.h, no network: what kind of
 * address or URL host is not public (the AIA address policy), the SHA-256
 * a checksum file gives for a file, and the file name of a URL.  Unit
 * tested in test_fetch.c at the edges of every range.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include "dl_curl.h"
#include <netinet/in.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "fetch.h"

/* The kind of a non-public IPv4 address (4 bytes), or NULL. */
static const char *
v4_kind(const unsigned char *a)
{
	if (a[0] == 0)
		return "unspecified";
	if (a[0] == 127)
		return "loopback";
	if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
	    (a[0] == 192 && a[1] == 168))
		return "private";
	if (a[0] == 169 && a[1] == 254)
		return "link-local";
	if (a[0] == 100 && (a[1] & 0xc0) == 64)
		return "shared (100.64.0.0/10)";
	if ((a[0] & 0xf0) == 224)
		return "multicast";
	if (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255)
		return "broadcast";
	if ((a[0] & 0xf0) == 240)
		return "reserved";
	return NULL;
}

/* Pure: see fetch.h. */
const char *
fetch_addr_kind(int family, const unsigned char *a)
{
	static const unsigned char zero[12], mapped[12] = { 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 0xff, 0xff }, nat64[12] = { 0, 0x64, 0xff, 0x9b };
	size_t i;

	if (family == AF_INET)
		return v4_kind(a);
	if (family != AF_INET6)
		return "reserved";
	if (memcmp(a, zero, 12) == 0) {
		for (i = 12; i < 15 && a[i] == 0; i++)
			;
		if (i == 15 && a[15] <= 1)
			return a[15] == 0 ? "unspecified" : "loopback";
		return v4_kind(a + 12);		/* IPv4-compatible */
	}
	if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0)
		return v4_kind(a + 12);
	if (a[0] == 0x20 && a[1] == 0x02)	/* 6to4 */
		return v4_kind(a + 2);
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return "link-local";
	if ((a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) || (a[0] & 0xfe) == 0xfc)
		return "private";		/* site-local, unique local */
	if (a[0] == 0xff)
		return "multicast";
	return NULL;
}

/* Pure: see fetch.h. */
const char *
fetch_url_kind(const char *url, char *host, size_t size)
{
	CURLU *u;
	char *h = NULL, *p, buf[256];
	unsigned char a[16];
	const char *kind = NULL;
	size_t n;

	host[0] = '\0';
	if (dl_curl(NULL) == -1 || (u = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
	    (n = strlen(h)) == 0 || n >= sizeof(buf))
		goto out;
	/* [v6] without its brackets and zone; a name without its last dot */
	if (h[0] == '[' && h[n - 1] == ']') {
		memcpy(buf, h + 1, n - 2);
		buf[n - 2] = '\0';
	} else
		memcpy(buf, h, n + 1);
	buf[strcspn(buf, "%")] = '\0';
	snprintf(host, size, "%s", buf);
	if ((n = strlen(buf)) > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	for (p = buf; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (inet_pton(AF_INET, buf, a) == 1)
		kind = fetch_addr_kind(AF_INET, a);
	else if (inet_pton(AF_INET6, buf, a) == 1)
		kind = fetch_addr_kind(AF_INET6, a);
	else if (strcmp(buf, "localhost") == 0 ||
	    (n > 10 && strcmp(buf + n - 10, ".localhost") == 0))
		kind = "loopback";
out:
	curl_free(h);
	curl_url_cleanup(u);
	return kind;
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
