/*
 * smtarget.c: the servers sendmail relays to, as probe targets: SMART_HOST
 * in each of its forms and the mailertable's entries, with the port of
 * the mailer each one goes through; see sm_relays() in sendmail.h.
 * Pure (no I/O): the caller reads the mailertable.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sendmail.h"

/* The port of a mailer's args ("TCP $h 587", "TCP $h submission"). */
static const char *
args_port(const char *args, char *buf, size_t size)
{
	const char *p = strstr(args, "TCP $h");
	long v;
	char *end;

	if (p == NULL || (p[6] != ' ' && p[6] != '\t'))
		return "25";
	p += 6;
	p += strspn(p, " \t");
	if (strncmp(p, "submission", 10) == 0)
		return "587";
	if (strncmp(p, "smtps", 5) == 0)
		return "465";
	v = strtol(p, &end, 10);
	if (end == p || v <= 0 || v > 65535)
		return "25";
	snprintf(buf, size, "%ld", v);
	return buf;
}

/* One host of a relay with its port: added to out unless there. */
static void
add(struct mta_target *out, int *n, int max, const char *host,
    const char *port, const char *from)
{
	mta_target_add(out, n, max, host, port, from);
}

/*
 * "mailer:host1:[host2]" (the mailer optional when dflt is given): each
 * host with the port of the mailer's args.  Mailers that are not SMTP
 * (local, error, procmail...) are no relays.
 */
static void
relay_value(const struct sm_config *c, const char *value, const char *dflt,
    const char *from, struct mta_target *out, int *n, int max)
{
	char v[1100], mailer[64], pbuf[16], *p, *colon, *bracket, *next;
	const char *args, *port;
	int k;

	snprintf(v, sizeof(v), "%s", value);
	p = v + strspn(v, " \t");
	p[strcspn(p, " \t")] = '\0';
	colon = strchr(p, ':');
	bracket = strchr(p, '[');
	if (colon != NULL && (bracket == NULL || colon < bracket)) {
		*colon = '\0';
		snprintf(mailer, sizeof(mailer), "%s", p);
		p = colon + 1;
	} else if (dflt != NULL)
		snprintf(mailer, sizeof(mailer), "%s", dflt);
	else
		return;
	if ((k = sm_mailer_args(mailer)) == -1)
		return;
	args = c->s[k].state == SM_SET ? c->s[k].value : "";
	port = args_port(args, pbuf, sizeof(pbuf));
	/* host:host...: ':' separates hosts outside [brackets] */
	for (; p != NULL && *p != '\0'; p = next) {
		char *h = p;

		if (*h == '[') {
			char *e = strchr(h, ']');

			if (e == NULL)
				return;
			*e = '\0';
			h++;
			if (strncasecmp(h, "IPv6:", 5) == 0)
				h += 5;
			next = e[1] == ':' ? e + 2 : NULL;
		} else {
			if ((next = strchr(h, ':')) != NULL)
				*next++ = '\0';
		}
		add(out, n, max, h, port, from);
	}
}

/* The mailertable's lines: "KEY mailer:host", # comments. */
static void
mailertable(const struct sm_config *c, const char *mt, size_t len,
    struct mta_target *out, int *n, int max)
{
	const char *p = mt, *end = mt + len;

	while (p < end && *n < max) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = (size_t)((nl ? nl : end) - p);
		char line[1100], from[300], *key, *val;
		size_t i;

		if (l >= sizeof(line))
			l = sizeof(line) - 1;
		memcpy(line, p, l);
		line[l] = '\0';
		p = nl ? nl + 1 : end;
		line[strcspn(line, "#\r")] = '\0';
		key = line + strspn(line, " \t");
		if (*key == '\0')
			continue;
		val = key + strcspn(key, " \t");
		if (*val == '\0')
			continue;
		*val++ = '\0';
		val += strspn(val, " \t");
		snprintf(from, sizeof(from), "mailertable %.200s", key);
		/* it goes into a comment of the configuration: text only */
		for (i = 0; from[i] != '\0'; i++)
			if (!isprint((unsigned char)from[i]))
				from[i] = '?';
		relay_value(c, val, NULL, from, out, n, max);
	}
}

int
sm_relays(const struct sm_config *c, const char *mt, size_t mtlen,
    struct mta_target *out, int max)
{
	const struct sm_setting *rm = &c->s[SM_RELAY_MAILER];
	const char *dflt = "relay";
	int n = 0;

	/* confRELAY_MAILER, when a plain name: SMART_HOST's mailer */
	if (rm->state == SM_SET && rm->value[0] != '\0' &&
	    strpbrk(rm->value, "`'( ") == NULL)
		dflt = rm->value;
	if (c->s[SM_SMART_HOST].state == SM_SET)
		relay_value(c, c->s[SM_SMART_HOST].value, dflt, "SMART_HOST",
		    out, &n, max);
	if (mt != NULL)
		mailertable(c, mt, mtlen, out, &n, max);
	return n;
}

int
sm_smarthost_url(const struct sm_config *c, char *out, size_t size)
{
	struct mta_target t[1];

	if (sm_relays(c, NULL, 0, t, 1) < 1)
		return -1;
	snprintf(out, size, "%s", t[0].url);
	return 0;
}
