/*
 * maillog.c: the mail log parser, see maillog.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "maillog.h"
#include "mta.h"

#define DAY	(24 * 60 * 60)

void
maillog_init(struct maillog *l, time_t now)
{
	memset(l, 0, sizeof(*l));
	l->now = now;
	l->lasterr = -1;
	l->line = maillog_sendmail_line;
	l->ids = NULL;
}

void
maillog_init_mta(struct maillog *l, time_t now, const struct mta *m)
{
	maillog_init(l, now);
	l->line = m->log_line;
	l->ids = m->journal_ids;
}

void
maillog_release(struct maillog *l)
{
	if (l == NULL)
		return;
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
maillog_error(const char *msg)
{
	static const struct {
		int		 err;
		const char	*text;
	} known[] = {
		{ 2, "unable to get issuer certificate" },
		{ 9, "certificate is not yet valid" },
		{ 10, "certificate has expired" },
		{ 18, "self signed certificate" },
		{ 18, "self-signed certificate" },
		{ 19, "self signed certificate in certificate chain" },
		{ 19, "self-signed certificate in certificate chain" },
		{ MAILLOG_ERR_ISSUER, "unable to get local issuer certificate" },
		{ 21, "unable to verify the first certificate" },
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(msg, known[i].text) == 0)
			return known[i].err;
	return -1;
}

/* n digits at s as a number, or -1 */
static int
num(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/*
 * An RFC 3339 stamp at s (YYYY-MM-DDTHH:MM:SS, a fraction, then Z, +HH:MM,
 * +HHMM or nothing: local time) up to a space: its time, or -1.
 */
static int
iso_time(const char *s, size_t n, time_t *t)
{
	struct tm tm;
	size_t i = 19;
	long off = 0;
	int utc = 0, y, mo, d, h, mi, se;

	if (n < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' &&
	    s[10] != ' ') || s[13] != ':' || s[16] != ':')
		return -1;
	y = num(s, 4);
	mo = num(s + 5, 2);
	d = num(s + 8, 2);
	h = num(s + 11, 2);
	mi = num(s + 14, 2);
	se = num(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 ||
	    h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
		return -1;
	if (i < n && s[i] == '.')
		for (i++; i < n && isdigit((unsigned char)s[i]); i++)
			;
	if (i < n && s[i] == 'Z') {
		utc = 1;
		i++;
	} else if (i + 3 <= n && (s[i] == '+' || s[i] == '-')) {
		int oh = num(s + i + 1, 2), om = 0;
		size_t k = i + 3;

		if (k < n && s[k] == ':')
			k++;
		if (k + 2 <= n && isdigit((unsigned char)s[k]))
			om = num(s + k, 2), k += 2;
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return -1;
		off = (oh * 60L + om) * 60L * (s[i] == '-' ? -1 : 1);
		utc = 1;
		i = k;
	}
	if (i < n && s[i] != ' ')
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	tm.tm_isdst = -1;
	*t = utc ? timegm(&tm) - off : mktime(&tm);
	return *t == (time_t)-1 ? -1 : 0;
}

/* An RFC 3164 stamp at s ("Dec  3 10:27:31 "), fitted to now: 0 or -1. */
static int
bsd_time(const char *s, size_t n, time_t now, time_t *t)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm, nt;
	const char *m;
	int d, h, mi, se, back;

	if (n < 15 || s[3] != ' ' || s[6] != ' ' || s[9] != ':' ||
	    s[12] != ':' || (n > 15 && s[15] != ' '))
		return -1;
	for (m = months; *m != '\0'; m += 3)
		if (memcmp(m, s, 3) == 0)
			break;
	d = s[4] == ' ' ? num(s + 5, 1) : num(s + 4, 2);
	h = num(s + 7, 2);
	mi = num(s + 10, 2);
	se = num(s + 13, 2);
	if (*m == '\0' || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || se < 0 || se > 60)
		return -1;
	localtime_r(&now, &nt);
	for (back = 0; back < 2; back++) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = nt.tm_year - back;
		tm.tm_mon = (int)(m - months) / 3;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_sec = se;
		tm.tm_isdst = -1;
		if ((*t = mktime(&tm)) == (time_t)-1)
			return -1;
		if (*t <= now + DAY)
			break;
	}
	return 0;
}

/* The next space-separated word at l[*i]: its start, its length in *wn. */
static const char *
word(const char *l, size_t n, size_t *i, size_t *wn)
{
	size_t s;

	while (*i < n && l[*i] == ' ')
		(*i)++;
	s = *i;
	while (*i < n && l[*i] != ' ')
		(*i)++;
	*wn = *i - s;
	return l + s;
}

/*
 * The head of a log line: the time of its stamp (0 if none) and the
 * process id (the procid of RFC 5424, else the first "[pid]"), "" if none.
 */
void
maillog_head(const char *l, size_t n, time_t now, time_t *t, char *pid,
    size_t size)
{
	const char *w, *a, *b;
	size_t i = 0, wn;

	*t = 0;
	pid[0] = '\0';
	if (n > 0 && l[0] == '<') {
		for (i = 1; i < n && i < 5 && isdigit((unsigned char)l[i]); i++)
			;
		i = i < n && l[i] == '>' && i > 1 ? i + 1 : 0;
	}
	if (i > 0 && i + 1 < n && l[i] == '1' && l[i + 1] == ' ') {
		/* RFC 5424: VERSION STAMP HOST APP PROCID MSGID SD MSG */
		i += 2;
		w = word(l, n, &i, &wn);
		if (iso_time(w, wn, t) == -1)
			*t = 0;
		word(l, n, &i, &wn);
		word(l, n, &i, &wn);
		w = word(l, n, &i, &wn);
		if (wn > 0 && wn < size && !(wn == 1 && w[0] == '-')) {
			memcpy(pid, w, wn);
			pid[wn] = '\0';
		}
		return;
	}
	if (iso_time(l + i, n - i, t) == 0 || bsd_time(l + i, n - i, now,
	    t) == 0)
		;
	else
		*t = 0;
	/* "host tag[pid]:": the first [...] */
	if ((a = memchr(l + i, '[', n - i)) == NULL ||
	    (b = memchr(a, ']', (size_t)(l + n - a))) == NULL ||
	    (size_t)(b - a) >= size)
		return;
	memcpy(pid, a + 1, (size_t)(b - a - 1));
	pid[b - a - 1] = '\0';
}

int
maillog_time(const char *line, size_t n, time_t now, time_t *t)
{
	char pid[32];
	time_t v;

	maillog_head(line, n, now, &v, pid, sizeof(pid));
	if (v == 0)
		return -1;
	*t = v;
	return 0;
}

/* The value of "key=" up to ", " or the end of the line, into out. */
static int
field(const char *l, size_t n, const char *key, char *out, size_t size)
{
	size_t kl = strlen(key), i, o = 0;

	for (i = 0; i + kl <= n; i++)
		if (memcmp(l + i, key, kl) == 0 &&
		    (i == 0 || l[i - 1] == ' ' || l[i - 1] == ','))
			break;
	if (i + kl > n)
		return -1;
	for (i += kl; i < n && !(l[i] == ',' && i + 1 < n &&
	    l[i + 1] == ' '); i++)
		if (o + 1 < size)
			out[o++] = isprint((unsigned char)l[i]) ? l[i] : '?';
	out[o] = '\0';
	return 0;
}

struct maillog_relay *
maillog_relay_get(struct maillog *lg, const char *relay, int *nomem)
{
	struct maillog_relay *r, *nv;
	size_t i;

	for (i = 0; i < lg->n; i++)
		if (strcmp(lg->v[i].relay, relay) == 0)
			return &lg->v[i];
	if (lg->n >= MAILLOG_MAX_RELAYS)
		return NULL;
	if ((nv = reallocarray(lg->v, lg->n + 1, sizeof(*nv))) == NULL) {
		*nomem = 1;
		return NULL;
	}
	lg->v = nv;
	r = &nv[lg->n++];
	memset(r, 0, sizeof(*r));
	r->error = -1;
	snprintf(r->relay, sizeof(r->relay), "%s", relay);
	return r;
}

/* A verifymsg line: the reason of the relay line of the same process. */
static void
verifymsg(struct maillog *lg, const char *pid, const char *msg)
{
	struct maillog_relay *r;

	lg->verifymsg_lines++;
	/* 8.17 logs it after the relay line; older before */
	if (pid[0] != '\0' && strcmp(pid, lg->relaypid) == 0 &&
	    lg->lastrelay < lg->n &&
	    strcmp(lg->v[lg->lastrelay].verify, "OK") != 0) {
		r = &lg->v[lg->lastrelay];
		snprintf(r->verifymsg, sizeof(r->verifymsg), "%s", msg);
		if (r->error == -1 && strcmp(r->verify, "FAIL") == 0)
			r->error = maillog_error(msg);
		lg->relaypid[0] = '\0';
		return;
	}
	snprintf(lg->lastpid, sizeof(lg->lastpid), "%s", pid);
	snprintf(lg->lastmsg, sizeof(lg->lastmsg), "%s", msg);
}

/* One whole line of sendmail's (no newline): 0, or -1 out of memory. */
int
maillog_sendmail_line(struct maillog *lg, const char *l, size_t n)
{
	char relay[256], verify[32], pid[32], msg[256];
	const char *g;
	struct maillog_relay *r;
	time_t t;
	size_t i;
	int nomem = 0;

	if (memmem(l, n, "STARTTLS=client", 15) == NULL)
		return 0;
	maillog_head(l, n, lg->now, &t, pid, sizeof(pid));
	if ((g = memmem(l, n, "get_verify: ", 12)) != NULL) {
		/* LogLevel 14: the X.509 error of the coming relay line */
		g += 12;
		for (i = 0; g + i < l + n && i < 4 &&
		    isdigit((unsigned char)g[i]); i++)
			;
		lg->lasterr = i > 0 ? num(g, i) : -1;
		snprintf(lg->errpid, sizeof(lg->errpid), "%s", pid);
		return 0;
	}
	if (field(l, n, "verifymsg=", msg, sizeof(msg)) == 0) {
		verifymsg(lg, pid, msg);
		return 0;
	}
	if (field(l, n, "relay=", relay, sizeof(relay)) == -1 ||
	    field(l, n, "verify=", verify, sizeof(verify)) == -1)
		return 0;
	lg->client_lines++;
	if (t == 0)
		lg->undated++;
	/* sendmail writes the relay with a trailing dot: "mx.org." */
	i = strlen(relay);
	if (i > 1 && relay[i - 1] == '.')
		relay[i - 1] = '\0';
	if ((r = maillog_relay_get(lg, relay, &nomem)) == NULL)
		return nomem ? -1 : 0;
	snprintf(r->verify, sizeof(r->verify), "%s", verify);
	/* a verifymsg seen for this relay stays until another one */
	if (strcmp(verify, "OK") == 0)
		r->verifymsg[0] = '\0';
	if (pid[0] != '\0' && strcmp(pid, lg->lastpid) == 0)
		snprintf(r->verifymsg, sizeof(r->verifymsg), "%s",
		    lg->lastmsg);
	if (strcmp(verify, "FAIL") == 0) {
		r->fails++;
		r->last_fail = t;
		r->error = pid[0] != '\0' && strcmp(pid, lg->errpid) == 0 ?
		    lg->lasterr : -1;
		if (r->error <= 0 && pid[0] != '\0' &&
		    strcmp(pid, lg->lastpid) == 0)
			r->error = maillog_error(lg->lastmsg);
	}
	r->last = t;
	r->count++;
	lg->lastpid[0] = '\0';
	lg->errpid[0] = '\0';
	snprintf(lg->relaypid, sizeof(lg->relaypid), "%s", pid);
	lg->lastrelay = (size_t)(r - lg->v);
	return 0;
}

/* The line put together in part: counted, and read unless skipped. */
static int
part_done(struct maillog *l)
{
	int rc = 0;

	l->lines++;
	while (l->plen > 0 && l->part[l->plen - 1] == '\r')
		l->plen--;
	if (l->plong)
		l->long_lines++;
	else if (l->pbin)
		l->binary_lines++;
	else
		rc = l->line(l, l->part, l->plen);
	l->plen = 0;
	l->plong = l->pbin = 0;
	return rc;
}

int
maillog_feed(struct maillog *l, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		if (!l->plong && l->plen + n > sizeof(l->part))
			l->plong = 1;
		if (!l->plong) {
			if (memchr(p, '\0', n) != NULL)
				l->pbin = 1;
			memcpy(l->part + l->plen, p, n);
			l->plen += n;
		}
		if (nl == NULL)
			break;
		if (part_done(l) == -1)
			return -1;
		p = nl + 1;
	}
	return 0;
}

int
maillog_end(struct maillog *l)
{
	if (l->plen == 0 && !l->plong)
		return 0;
	return part_done(l);
}
