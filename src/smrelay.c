/*
 * smrelay.c: the relays of [sendmail] and [postfix], probed by update
 * without [probe] sections; see smrelay.h.  One path for every MTA: its
 * readers (of the configuration, of a log line) are mta.h's.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "diag.h"
#include "mailcheck.h"
#include "maillog.h"
#include "maillog_read.h"
#include "mta.h"
#include "probe.h"
#include "smrelay.h"
#include "state.h"
#include "xalloc.h"

#define DAY		(24 * 60 * 60)
#define MAGIC		"trustbuild-sendmail-relays 1\n"	/* every MTA's */
#define MAX_CONFIG	32	/* relays of the configuration probed */

/* Only what a host name or an address holds. */
static int
host_ok(const char *h)
{
	size_t n = strlen(h);

	return n > 0 && n < SMRELAY_HOST - 2 &&
	    strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-:[]_") == n && h[0] != '-' && h[0] != '.';
}

int
smrelay_url(const char *relay, char *host, size_t hsize, char *url,
    size_t usize)
{
	char h[SMRELAY_HOST];
	size_t n = strlen(relay);

	if (n >= sizeof(h))
		return -1;
	memcpy(h, relay, n + 1);
	if (n > 1 && h[n - 1] == '.')
		h[--n] = '\0';
	if (!host_ok(h))
		return -1;
	if (h[0] == '[') {		/* [192.0.2.1], [IPv6:2001:db8::1] */
		const char *a = h + 1;
		size_t k;

		if (h[n - 1] != ']')
			return -1;
		h[n - 1] = '\0';
		if (strncasecmp(a, "IPv6:", 5) == 0)
			a += 5;
		k = strlen(a);
		if (k == 0 || strspn(a, "0123456789abcdefABCDEF.:") != k)
			return -1;
		snprintf(url, usize, strchr(a, ':') ? "smtp://[%s]" :
		    "smtp://%s", a);
		snprintf(host, hsize, "%s", a);
		return 0;
	}
	if (strpbrk(h, "[]:") != NULL)
		return -1;
	snprintf(url, usize, "smtp://%s", h);
	snprintf(host, hsize, "%s", h);
	return 0;
}

int
smrelay_parse(const char *buf, size_t len, struct smrelay_state *st)
{
	const char *p = buf + strlen(MAGIC), *end = buf + len;

	memset(st, 0, sizeof(*st));
	if (len < strlen(MAGIC) || memcmp(buf, MAGIC, strlen(MAGIC)) != 0)
		return -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char line[1024], host[SMRELAY_HOST], url[SMRELAY_URL];
		size_t n = (size_t)((nl ? nl : end) - p);
		long long t;
		struct smrelay *r;

		if (nl == NULL || n >= sizeof(line))
			goto bad;
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl + 1;
		if (sscanf(line, "since %lld", &t) == 1 && t >= 0) {
			st->since = (time_t)t;
			continue;
		}
		if (st->n >= SMRELAY_MAX || sscanf(line, "relay %255s %299s "
		    "%lld", host, url, &t) != 3 || t < 0 || !host_ok(host) ||
		    strncmp(url, "smtp://", 7) != 0 || !host_ok(url + 7))
			goto bad;
		r = &st->v[st->n++];
		snprintf(r->host, sizeof(r->host), "%s", host);
		snprintf(r->url, sizeof(r->url), "%s", url);
		r->last_fail = (time_t)t;
	}
	return 0;
bad:
	memset(st, 0, sizeof(*st));
	return -1;
}

char *
smrelay_render(const struct smrelay_state *st, size_t *len)
{
	size_t i, cap = 64 + st->n * (SMRELAY_HOST + SMRELAY_URL + 32), o;
	char *s = xmalloc(cap);

	o = (size_t)snprintf(s, cap, "%ssince %lld\n", MAGIC,
	    (long long)st->since);
	for (i = 0; i < st->n; i++)
		o += (size_t)snprintf(s + o, cap - o, "relay %s %s %lld\n",
		    st->v[i].host, st->v[i].url,
		    (long long)st->v[i].last_fail);
	*len = o;
	return s;
}

/*
 * The relays the configuration at path of m names, as probe URLs, into
 * urls, and where it names each into why: how many.  The one seam to the
 * MTA's reader of its configuration (mta.h).
 */
static int
config_relays(const struct mta *m, const char *path,
    char (*urls)[SMRELAY_URL], char (*why)[SMRELAY_URL], int max,
    struct diags *d)
{
	struct mta_target *t = xcalloc(MTA_MAX_TARGETS, sizeof(*t));
	char err[300];
	int n, i;

	if ((n = m->config_relays(path, t, max < MTA_MAX_TARGETS ? max :
	    MTA_MAX_TARGETS, err, sizeof(err))) == -1) {
		diag_notice(d, NULL, 0, "[%s] cannot read '%s': %s; its "
		    "relays are not probed", m->name, path, err);
		free(t);
		return 0;
	}
	for (i = 0; i < n; i++) {
		snprintf(urls[i], SMRELAY_URL, "%.299s", t[i].url);
		snprintf(why[i], SMRELAY_URL, "%.100s of %.190s", t[i].from,
		    path);
	}
	free(t);
	return n;
}

/*
 * Whether a probe of c goes to the host and port of url already (with
 * any_port, to its host: the log does not say the port).
 */
static int
probed(const struct config *c, const char *url, int any_port)
{
	struct probe_target a, b;
	char err[512];
	size_t i;

	if (probe_parse_url(url, &a, err, sizeof(err)) == -1)
		return 1;		/* nothing to probe */
	for (i = 0; i < c->nprobe; i++)
		if (probe_parse_url(c->probe[i].url, &b, err,
		    sizeof(err)) == 0 && strcasecmp(a.host, b.host) == 0 &&
		    (any_port || strcmp(a.port, b.port) == 0))
			return 1;
	return 0;
}

/* A probe of url as a [probe] section would make it: 1 added, or 0. */
static int
add_probe(struct config *c, const struct mta *m, const char *host,
    const char *url, const char *why, struct diags *d)
{
	struct config_probe *p;
	char name[65];
	size_t i, k, o;

	if (c->nprobe >= CONFIG_MAX_PROBES || probed(c, url, 0))
		return 0;
	o = (size_t)snprintf(name, sizeof(name), "%s", m->probe_prefix);
	for (i = 0; host[i] != '\0' && o < 60; i++)
		name[o++] = isalnum((unsigned char)host[i]) || host[i] == '.' ||
		    host[i] == '-' ? host[i] : '_';
	name[o] = '\0';
	for (k = 2, i = 0; i < c->nprobe; i++)	/* unique, as sections are */
		if (strcmp(c->probe[i].name, name) == 0) {
			snprintf(name + o, sizeof(name) - o, "-%zu", k++);
			i = (size_t)-1;
		}
	c->probe = xreallocarray(c->probe, c->nprobe + 1, sizeof(*c->probe));
	p = &c->probe[c->nprobe++];
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	p->url = xstrdup(url);
	p->chase = 1;
	p->aia_private = mta_section(c, m)->aia_private;
	diag_info(d, NULL, 0, "[%s]: probing %s (%s): %s", m->name, url, name,
	    why);
	return 1;
}

/* The relays that failed in the log since st->since, into st. */
static void
learn(const struct config *c, const struct mta *m, const struct maillog *l,
    time_t now, struct smrelay_state *st, int *waiting, struct diags *d)
{
	struct mta_target t;
	size_t i, j, learned = 0;
	char host[SMRELAY_HOST], url[SMRELAY_URL], port[8], day[40], said[600];

	for (i = 0; i < l->n; i++) {
		const struct maillog_relay *r = &l->v[i];
		time_t tf = r->last_fail > 0 ? r->last_fail : now;

		if (r->fails == 0 || strcmp(r->verify, "FAIL") != 0 ||
		    (r->error != MAILLOG_ERR_ISSUER && r->error != -1) ||
		    (r->last_fail > 0 && r->last_fail <= st->since) ||
		    m->log_relay(r->relay, host, sizeof(host), port,
		    sizeof(port)) == -1 || mta_target(host, port, "the log",
		    &t) == -1)
			continue;
		snprintf(url, sizeof(url), "%.299s", t.url);
		for (j = 0; j < st->n && strcmp(st->v[j].host, host) != 0; j++)
			;
		if (j < st->n) {
			st->v[j].last_fail = tf;
			continue;
		}
		if (probed(c, url, 1))	/* the configuration's, on its port */
			continue;
		if (learned >= SMRELAY_MAX_NEW || st->n >= SMRELAY_MAX) {
			(*waiting)++;
			continue;
		}
		learned++;
		snprintf(st->v[st->n].host, SMRELAY_HOST, "%s", host);
		snprintf(st->v[st->n].url, SMRELAY_URL, "%s", url);
		st->v[st->n++].last_fail = tf;
		diag_info(d, NULL, 0, "[%s]: relay %s logged %s at %s: probed "
		    "from now on", m->name, r->relay, m->said(r, said,
		    sizeof(said)), mailcheck_day(tf, day, sizeof(day)));
	}
}

/*
 * What the log says since st->since (the first time: the last 30 days):
 * 1, or 0 when it could not be read.
 */
static int
read_log(const struct config *c, const struct mta *m, time_t now,
    struct smrelay_state *st, int *waiting, struct diags *d)
{
	const struct config_mta *sec = mta_section(c, m);
	struct maillog l;
	time_t since = st->since > 0 ? st->since :
	    now - SMRELAY_FORGET_DAYS * DAY;
	time_t keep = st->since;
	int read = 1;

	maillog_init_mta(&l, now, m);
	st->since = since;
	if (sec->log != NULL && maillog_read_file(&l, sec->log, 1, d) <= 0)
		read = 0;
	/* a minute back: journald's stamps and ours may differ a little */
	if (sec->journal && maillog_read_journal(&l, NULL,
	    since > 60 ? since - 60 : since, d) <= 0)
		read = 0;
	learn(c, m, &l, now, st, waiting, d);
	st->since = keep;
	maillog_release(&l);
	return read;
}

/* The relays of m's section of c: how many probes were added, or -1. */
static int
add_mta(struct config *c, const struct mta *m, time_t now, int record,
    struct diags *d)
{
	const struct config_mta *sec = mta_section(c, m);
	struct smrelay_state *st;
	char urls[MAX_CONFIG][SMRELAY_URL], why[MAX_CONFIG][SMRELAY_URL];
	char *buf = NULL, day[80];
	size_t i, len, kept = 0;
	int n = 0, k, nurl = 0, waiting = 0, rc, read = 0;

	if (!sec->set)
		return 0;
	st = xcalloc(1, sizeof(*st));
	if ((rc = state_read(c->state, m->state_file, &buf, d)) == -1)
		goto out;
	if (rc == 1 && smrelay_parse(buf, strlen(buf), st) == -1)
		diag_notice(d, NULL, 0, "'%s/%s' is damaged: the relays of the "
		    "log are learned again", c->state, m->state_file);
	free(buf);
	if (sec->conf != NULL)
		nurl = config_relays(m, sec->conf, urls, why, MAX_CONFIG, d);
	for (k = 0; k < nurl; k++)
		n += add_probe(c, m, strstr(urls[k], "://") + 3, urls[k],
		    why[k], d);
	if (sec->log != NULL || sec->journal)
		read = read_log(c, m, now, st, &waiting, d);
	if (waiting > 0)
		diag_notice(d, NULL, 0, "[%s]: %d more relay%s logged %s: "
		    "probed from the next run on (%d a run)", m->name,
		    waiting, waiting == 1 ? "" : "s", m->fail_word,
		    SMRELAY_MAX_NEW);
	for (i = 0; i < st->n; i++) {
		struct smrelay *r = &st->v[i];

		if (r->last_fail < now - SMRELAY_FORGET_DAYS * DAY) {
			diag_info(d, NULL, 0, "[%s]: relay %s forgotten: "
			    "no %s since %s", m->name, r->host, m->fail_word,
			    mailcheck_day(r->last_fail, day, sizeof(day)));
			continue;
		}
		st->v[kept++] = *r;
		snprintf(day, sizeof(day), "logged %s at ", m->fail_word);
		mailcheck_day(r->last_fail, day + strlen(day), sizeof(day) -
		    strlen(day));
		n += add_probe(c, m, r->host, r->url, day, d);
	}
	st->n = kept;
	/* relays left waiting are in the lines since then: read them again */
	if (waiting == 0 && read)
		st->since = now;
	if (record) {
		buf = smrelay_render(st, &len);
		rc = state_write(c->state, m->state_file, buf, len, d);
		free(buf);
		if (rc == -1)
			goto out;
	}
	free(st);
	return n;
out:
	free(st);
	return -1;
}

int
smrelay_add(struct config *c, time_t now, int record, struct diags *d)
{
	size_t i;
	int n = 0, k;

	for (i = 0; i < mta_count; i++) {
		if ((k = add_mta(c, &mta_table[i], now, record, d)) == -1)
			return -1;
		n += k;
	}
	return n;
}
