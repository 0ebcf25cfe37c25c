/*
 * probe_reply.c: the pure parsers of server replies before TLS (SMTP and
 * FTP reply lines, IMAP tagged answers, the LDAP StartTLS response), see
 * probe.h.  No I/O: probe.c's dialogues read the bytes and call these, and
 * so do the unit tests and the fuzzer.
 */
#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "probe.h"

int
probe_smtp_line(const char *line, int *more, int *starttls)
{
	const char *kw;

	*more = 0;
	*starttls = 0;
	if (!isdigit((unsigned char)line[0]) ||
	    !isdigit((unsigned char)line[1]) ||
	    !isdigit((unsigned char)line[2]) ||
	    (line[3] != '\0' && line[3] != ' ' && line[3] != '-'))
		return -1;
	*more = line[3] == '-';
	kw = line[3] != '\0' ? line + 4 : line + 3;
	if (strncasecmp(kw, "STARTTLS", 8) == 0 &&
	    (kw[8] == '\0' || isspace((unsigned char)kw[8])))
		*starttls = 1;
	return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

/* A whole SMTP (or FTP) reply: its code; *tls when a line says STARTTLS. */
int
probe_imap_tagged(const char *line, const char *tag)
{
	size_t n = strlen(tag);

	if (strncmp(line, tag, n) != 0 || line[n] != ' ')
		return -1;
	line += n + 1;
	if (strncasecmp(line, "OK", 2) == 0 &&
	    (line[2] == '\0' || line[2] == ' '))
		return 1;
	if (strncasecmp(line, "NO", 2) == 0 || strncasecmp(line, "BAD", 3) ==
	    0)
		return 0;
	return -1;
}

/* Pure: see probe.h. */
long
probe_ber_len(const unsigned char *p, size_t avail, size_t *hdr)
{
	size_t i, n;
	long len = 0;

	if (avail < 1)
		return -2;
	if (p[0] < 0x80) {
		*hdr = 1;
		return p[0];
	}
	n = p[0] & 0x7f;
	if (n == 0 || n > 4)
		return -1;
	if (avail < 1 + n)
		return -2;
	for (i = 0; i < n; i++)
		len = len << 8 | p[1 + i];
	*hdr = 1 + n;
	return len;
}

int
probe_ldap_response(const unsigned char *buf, size_t len, int *code)
{
	const unsigned char *p = buf, *end;
	size_t h;
	long l;

	/* LDAPMessage ::= SEQUENCE { messageID, extendedResp [APPLICATION 24] } */
	if (len < 1)
		return -2;
	if (p[0] != 0x30)
		return -1;
	if ((l = probe_ber_len(p + 1, len - 1, &h)) < 0)
		return (int)l;
	if (l > 65536)
		return -1;
	if (len < 1 + h + (size_t)l)
		return -2;
	end = p + 1 + h + l;
	p += 1 + h;
	if (end - p < 3 || p[0] != 0x02 || p[1] != 1 || p[2] != 1)
		return -1;		/* messageID 1 */
	p += 3;
	if (end - p < 2 || p[0] != 0x78)
		return -1;
	if ((l = probe_ber_len(p + 1, (size_t)(end - p - 1), &h)) < 0 ||
	    l > end - p - 1 - (long)h)
		return -1;
	p += 1 + h;
	if (end - p < 3 || p[0] != 0x0a || p[1] != 1)
		return -1;		/* resultCode ENUMERATED */
	*code = p[2];
	return *code == 0 ? 1 : 0;
}
