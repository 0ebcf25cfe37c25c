/*
 * maillog_pf.c: the reader of Postfix's log lines (mta.h's log_line),
 * from its SMTP client (postfix/smtp, postfix/relay, any
 * syslog_name/smtp) at smtp_tls_loglevel 1 and up:
 *
 *	postfix/smtp[123]: Untrusted TLS connection established to
 *	    mx.example.com[192.0.2.1]:25: TLSv1.3 with cipher ...
 *	postfix/smtp[123]: Trusted TLS connection established to ...
 *	postfix/smtp[123]: Verified TLS connection established to ...
 *	postfix/smtp[123]: Anonymous TLS connection established to ...
 *	postfix/smtp[123]: certificate verification failed for
 *	    mx.example.com[192.0.2.1]:25: untrusted issuer /CN=...
 *	postfix/smtp[123]: server certificate verification failed for
 *	    mx.example.com[192.0.2.1]:25: num=20:unable to get local ...
 *
 * as maillog.h's relays: Trusted and Verified are verify "OK", Untrusted
 * "FAIL", Anonymous "NONE"; the reason of a verification failure is its
 * verifymsg ("untrusted issuer /CN=...": X.509 error 20).  At the levels
 * verify and secure a failure logs no "established" line (the mail is
 * deferred): the failure line is then the connection.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "maillog.h"

/* The relay after "for " / "to " up to ": " or the end, into out. */
static int
relay_at(const char *s, const char *end, char *out, size_t size)
{
	size_t o = 0;

	while (s < end && !(s[0] == ':' && (s + 1 == end || s[1] == ' ')) &&
	    *s != ' ') {
		if (o + 1 >= size)
			return -1;
		out[o++] = isprint((unsigned char)*s) ? *s : '?';
		s++;
	}
	out[o] = '\0';
	return o > 0 ? 0 : -1;
}

/* The X.509 error of a failure's reason. */
static int
reason_error(const char *why)
{
	if (strncmp(why, "untrusted issuer", 16) == 0)
		return MAILLOG_ERR_ISSUER;
	if (strncmp(why, "num=", 4) == 0 && isdigit((unsigned char)why[4]))
		return atoi(why + 4);
	return maillog_error(why);
}

/* The text after "prefix" up to the end, printable, into out. */
static void
rest(const char *s, const char *end, char *out, size_t size)
{
	size_t o = 0;

	for (; s < end && o + 1 < size; s++)
		out[o++] = isprint((unsigned char)*s) ? *s : '?';
	out[o] = '\0';
}

/* "certificate verification failed for R: WHY" */
static int
failed(struct maillog *lg, const char *l, size_t n, const char *at,
    time_t t, const char *pid)
{
	const char *end = l + n, *s = at + 35;	/* after "... for " */
	char relay[256], why[256];
	struct maillog_relay *r;
	int nomem = 0;

	if (relay_at(s, end, relay, sizeof(relay)) == -1)
		return 0;
	s += strlen(relay);
	if (s + 2 <= end && s[0] == ':')
		s += 2;
	rest(s, end, why, sizeof(why));
	lg->verifymsg_lines++;
	lg->client_lines++;
	if (t == 0)
		lg->undated++;
	if ((r = maillog_relay_get(lg, relay, &nomem)) == NULL)
		return nomem ? -1 : 0;
	snprintf(r->verify, sizeof(r->verify), "FAIL");
	snprintf(r->verifymsg, sizeof(r->verifymsg), "%s", why);
	r->error = reason_error(why);
	r->fails++;
	r->count++;
	r->last = r->last_fail = t;
	/* the "established" line of the same connection counts no more */
	snprintf(lg->relaypid, sizeof(lg->relaypid), "%s", pid);
	lg->lastrelay = (size_t)(r - lg->v);
	return 0;
}

int
maillog_postfix_line(struct maillog *lg, const char *l, size_t n)
{
	static const struct {
		const char	*word;
		const char	*verify;
	} kinds[] = {
		{ "Untrusted", "FAIL" }, { "Trusted", "OK" },
		{ "Verified", "OK" }, { "Anonymous", "NONE" },
	};
	const char *at, *end = l + n;
	char relay[256], pid[32];
	struct maillog_relay *r;
	time_t t;
	size_t k;
	int nomem = 0, same;

	if (memmem(l, n, "postfix", 7) == NULL)
		return 0;
	maillog_head(l, n, lg->now, &t, pid, sizeof(pid));
	if ((at = memmem(l, n, "certificate verification failed for ",
	    36)) != NULL) {
		/* "server certificate ..." and "certificate ..." alike */
		return failed(lg, l, n, at + 1, t, pid);
	}
	if ((at = memmem(l, n, " TLS connection established to ", 31)) ==
	    NULL)
		return 0;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		size_t wl = strlen(kinds[k].word);

		if ((size_t)(at - l) >= wl && memcmp(at - wl, kinds[k].word,
		    wl) == 0 && (at - wl == l || at[-(long)wl - 1] == ' '))
			break;
	}
	if (k == sizeof(kinds) / sizeof(kinds[0]) || relay_at(at + 31, end,
	    relay, sizeof(relay)) == -1)
		return 0;
	same = pid[0] != '\0' && strcmp(pid, lg->relaypid) == 0 &&
	    lg->lastrelay < lg->n && strcmp(lg->v[lg->lastrelay].relay,
	    relay) == 0;
	lg->relaypid[0] = '\0';
	if ((r = maillog_relay_get(lg, relay, &nomem)) == NULL)
		return nomem ? -1 : 0;
	if (same)		/* its failure line counted it */
		return 0;
	lg->client_lines++;
	if (t == 0)
		lg->undated++;
	snprintf(r->verify, sizeof(r->verify), "%s", kinds[k].verify);
	r->verifymsg[0] = '\0';
	if (strcmp(kinds[k].verify, "FAIL") == 0) {
		r->fails++;
		r->last_fail = t;
		r->error = -1;	/* no reason logged with it */
	}
	r->last = t;
	r->count++;
	return 0;
}
