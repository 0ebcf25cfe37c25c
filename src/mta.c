/*
 * mta.c: the table of MTAs the mail checks know, and the relay targets
 * they share; see mta.h.  A row is the MTA's readers: of its
 * configuration (smconf.h, pfconf.h) and of its log lines (maillog.h).
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "mailcheck.h"
#include "maillog.h"
#include "mta.h"
#include "pfconf.h"
#include "postfix.h"
#include "sendmail.h"
#include "smconf.h"
#include "smrelay.h"
#include "xalloc.h"

/* A [probe NAME] for host: relay-HOST with what a name cannot hold as -. */
static void
probe_name(const char *host, const char *port, char *out, size_t size)
{
	size_t i;

	snprintf(out, size, "relay-%s%s%s", host, strcmp(port, "25") ? "-" :
	    "", strcmp(port, "25") ? port : "");
	for (i = 0; out[i] != '\0'; i++)
		if (!isalnum((unsigned char)out[i]) && out[i] != '.' &&
		    out[i] != '_' && out[i] != '-')
			out[i] = '-';
}

static int
host_ok(const char *h)
{
	size_t i;

	if (h[0] == '\0' || h[0] == '-' || h[0] == '.')
		return 0;
	for (i = 0; h[i] != '\0'; i++)
		if (!isalnum((unsigned char)h[i]) && strchr(".-_:", h[i]) ==
		    NULL)
			return 0;
	return 1;
}

int
mta_target_add(struct mta_target *out, int *n, int max, const char *host,
    const char *port, const char *from)
{
	struct mta_target *t;
	int i, v6 = strchr(host, ':') != NULL;
	const char *scheme = strcmp(port, "587") == 0 ? "submission" :
	    strcmp(port, "465") == 0 ? "smtps" : "smtp";

	if (!host_ok(host) || strlen(host) >= sizeof(out->host) ||
	    strlen(port) == 0 || strlen(port) > 5 ||
	    strspn(port, "0123456789") != strlen(port))
		return 0;
	for (i = 0; i < *n; i++)
		if (strcmp(out[i].host, host) == 0 &&
		    strcmp(out[i].port, port) == 0)
			return 0;
	if (*n >= max)
		return 0;
	t = &out[(*n)++];
	memset(t, 0, sizeof(*t));
	snprintf(t->host, sizeof(t->host), "%s", host);
	snprintf(t->port, sizeof(t->port), "%.7s", port);
	/* smtp://HOST for 25, else with the port, as "probe" prints it */
	snprintf(t->url, sizeof(t->url), "%s://%s%s%s%s%s", scheme,
	    v6 ? "[" : "", host, v6 ? "]" : "", strcmp(port, "25") ? ":" :
	    "", strcmp(port, "25") ? port : "");
	probe_name(host, port, t->name, sizeof(t->name));
	snprintf(t->from, sizeof(t->from), "%s", from);
	return 1;
}

int
mta_target(const char *host, const char *port, const char *from,
    struct mta_target *t)
{
	int n = 0;

	mta_target_add(t, &n, 1, host, port, from);
	return n == 1 ? 0 : -1;
}

/* sendmail: "mx.example.", "[192.0.2.1]", "[IPv6:...]", on port 25. */
static int
sm_log_relay(const char *logged, char *host, size_t hsize, char *port,
    size_t psize)
{
	char url[SMRELAY_URL];

	if (smrelay_url(logged, host, hsize, url, sizeof(url)) == -1)
		return -1;
	snprintf(port, psize, "25");
	return 0;
}

/* sendmail.mc or .cf at path: SMART_HOST and the mailertable. */
static int
sm_config_relays(const char *path, struct mta_target *out, int max,
    char *why, size_t wsize)
{
	struct smconf *s = xmalloc(sizeof(*s));
	size_t pl = strlen(path);
	int cf = pl > 3 && strcmp(path + pl - 3, ".cf") == 0, n;

	/* from cron as root: trustbuild's own reader, never m4 (smconf.h) */
	if (smconf_load(s, cf ? NULL : path, cf ? path : NULL, 0) == -1) {
		snprintf(why, wsize, "%s", cf ? s->cf_why : s->mc_why);
		free(s);
		return -1;
	}
	n = smconf_relays(s, out, max);
	free(s);
	return n;
}

static const char *
sm_said(const struct maillog_relay *r, char *buf, size_t size)
{
	snprintf(buf, size, "verify=%s%s%s", r->verify, r->verifymsg[0] ?
	    " verifymsg=" : "", r->verifymsg);
	return buf;
}

/* Postfix's configuration directory at path: relayhost, the maps. */
static int
pf_config_relays(const char *path, struct mta_target *out, int max,
    char *why, size_t wsize)
{
	struct pfconf *p = xmalloc(sizeof(*p));
	int n;

	/* from cron as root: trustbuild's own reader, postconf not run */
	if (pfconf_load(p, path, 0) == -1) {
		snprintf(why, wsize, "%s", p->main_why);
		free(p);
		return -1;
	}
	n = pfconf_relays(p, out, max);
	pfconf_release(p);
	free(p);
	return n;
}

static const char *
pf_said(const struct maillog_relay *r, char *buf, size_t size)
{
	if (strcmp(r->verify, "FAIL") == 0 && r->verifymsg[0] != '\0')
		snprintf(buf, size, "\"certificate verification failed: %s\"",
		    r->verifymsg);
	else
		snprintf(buf, size, "\"%s TLS connection established\"",
		    strcmp(r->verify, "OK") == 0 ? "Trusted" :
		    strcmp(r->verify, "FAIL") == 0 ? "Untrusted" : "Anonymous");
	return buf;
}

static const char *const pf_ids[] = { "postfix/smtp", "postfix/relay",
    NULL };

static const char *const sm_ids[] = { "sendmail", "sm-mta", "sm-msp-queue",
    NULL };

const struct mta mta_table[] = {
	{ "sendmail", "sendmail-relays", "sendmail-", sm_ids,
	    maillog_sendmail_line, sm_log_relay, sm_config_relays, sm_said,
	    mailcheck_sendmail_notes, "verify=FAIL", "fetch its missing intermediates (trustbuild sendmail-setup "
	    "--apply does this for the relays of the .mc):", "mc",
	    offsetof(struct config, sendmail) },
	{ "postfix", "postfix-relays", "postfix-", pf_ids,
	    maillog_postfix_line, pf_log_relay, pf_config_relays, pf_said,
	    mailcheck_postfix_notes, "a failed verification", "fetch its "
	    "missing intermediates (trustbuild postfix-setup --apply does "
	    "this for relayhost and the relays of the maps):", "config-dir",
	    offsetof(struct config, postfix) },
};
const size_t mta_count = sizeof(mta_table) / sizeof(mta_table[0]);

const struct mta *
mta_find(const char *name)
{
	size_t i;

	for (i = 0; i < mta_count; i++)
		if (strcmp(mta_table[i].name, name) == 0)
			return &mta_table[i];
	return NULL;
}

const struct config_mta *
mta_section(const struct config *c, const struct mta *m)
{
	return (const struct config_mta *)(const void *)((const char *)c +
	    m->conf_off);
}
