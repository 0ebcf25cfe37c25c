/*
 * sendmail.c: sendmail.mc and sendmail.cf parsers, see sendmail.h (the
 * mail log's is maillog.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sendmail.h"

static const struct {
	const char	*mc;
	const char	*cf;
} names[SM_NKEYS] = {
	[SM_CACERT] = { "confCACERT", "CACertFile" },
	[SM_CACERT_PATH] = { "confCACERT_PATH", "CACertPath" },
	[SM_SERVER_CERT] = { "confSERVER_CERT", "ServerCertFile" },
	[SM_CLIENT_CERT] = { "confCLIENT_CERT", "ClientCertFile" },
	[SM_LOG_LEVEL] = { "confLOG_LEVEL", "LogLevel" },
	[SM_DONT_BLAME] = { "confDONT_BLAME_SENDMAIL", "DontBlameSendmail" },
	[SM_SMART_HOST] = { "SMART_HOST", "DS" },
	[SM_MAILER_ARGS] = { "RELAY_MAILER_ARGS", "relay mailer A=" },
};

const char *
sm_mc_name(enum sm_key k)
{
	return names[k].mc;
}

const char *
sm_cf_name(enum sm_key k)
{
	return names[k].cf;
}

/* Record a setting: an active one always, a commented one if none is. */
static void
record(struct sm_setting *s, int active, const char *value, size_t vlen,
    size_t line, size_t col, const char *text, size_t tlen)
{
	if (!active && s->state == SM_SET)
		return;
	s->state = active ? SM_SET : SM_COMMENTED;
	if (vlen >= sizeof(s->value))
		vlen = sizeof(s->value) - 1;
	memcpy(s->value, value, vlen);
	s->value[vlen] = '\0';
	s->line = line;
	s->col = col;
	if (tlen >= sizeof(s->text))
		tlen = sizeof(s->text) - 1;
	memcpy(s->text, text, tlen);
	s->text[tlen] = '\0';
}

static int
word_at(const char *l, size_t n, size_t i, const char *w)
{
	size_t k = strlen(w);

	return i + k <= n && memcmp(l + i, w, k) == 0 &&
	    (i == 0 || !(isalnum((unsigned char)l[i - 1]) || l[i - 1] == '_')) &&
	    (i + k == n || !(isalnum((unsigned char)l[i + k]) ||
	    l[i + k] == '_'));
}

/*
 * One m4 argument at l[*i]: `quoted' (nested quotes kept inside) or bare
 * up to ',' or ')'.  Its text in out; *i past it.  -1 if malformed.
 */
static int
m4_arg(const char *l, size_t n, size_t *i, char *out, size_t size)
{
	size_t o = 0, j = *i;
	int depth = 0;

	while (j < n && (l[j] == ' ' || l[j] == '\t'))
		j++;
	if (j < n && l[j] == '`') {
		depth = 1;
		j++;
		while (j < n && depth > 0) {
			if (l[j] == '`')
				depth++;
			else if (l[j] == '\'' && --depth == 0)
				break;
			if (o + 1 < size)
				out[o++] = l[j];
			j++;
		}
		if (depth != 0)
			return -1;
		j++;
	} else
		while (j < n && l[j] != ',' && l[j] != ')') {
			if (o + 1 < size)
				out[o++] = l[j];
			j++;
		}
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\t'))
		o--;
	out[o] = '\0';
	while (j < n && (l[j] == ' ' || l[j] == '\t'))
		j++;
	*i = j;
	return 0;
}

static void
mc_line(const char *l, size_t n, size_t line, struct sm_config *c)
{
	size_t i, comment = (size_t)-1;
	int depth = 0, k;

	for (i = 0; i < n; i++) {
		char name[128], value[1024];
		size_t j;

		if (l[i] == '`') {
			depth++;
			continue;
		}
		if (l[i] == '\'' && depth > 0) {
			depth--;
			continue;
		}
		if (depth > 0)
			continue;
		if (comment == (size_t)-1 &&
		    (l[i] == '#' || word_at(l, n, i, "dnl")))
			comment = i;
		if (comment == (size_t)-1 && word_at(l, n, i, "include") &&
		    i + 7 < n && l[i + 7] == '(') {
			j = i + 8;
			if (m4_arg(l, n, &j, value, sizeof(value)) == 0 &&
			    c->nincludes < SM_MAX_INCLUDES &&
			    strlen(value) < sizeof(c->include[0]))
				memcpy(c->include[c->nincludes++], value,
				    strlen(value) + 1);
			i = j > i ? j - 1 : i;
			continue;
		}
		if (!word_at(l, n, i, "define") || i + 6 >= n ||
		    l[i + 6] != '(')
			continue;
		j = i + 7;
		if (m4_arg(l, n, &j, name, sizeof(name)) == -1 || j >= n ||
		    l[j] != ',')
			continue;
		j++;
		if (m4_arg(l, n, &j, value, sizeof(value)) == -1)
			continue;
		for (k = 0; k < SM_NKEYS; k++)
			if (strcmp(name, names[k].mc) == 0)
				record(&c->s[k], comment == (size_t)-1, value,
				    strlen(value), line, comment + 1, l, n);
		i = j > i ? j - 1 : i;
	}
}

void
sm_parse_mc(const char *buf, size_t len, struct sm_config *c)
{
	const char *p = buf, *end = buf + len;
	size_t line = 0;

	memset(c, 0, sizeof(*c));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		line++;
		while (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > SM_MAX_LINE) {
			n = SM_MAX_LINE;
			if (c->long_line == 0)
				c->long_line = line;
		}
		mc_line(p, n, line, c);
		p = nl ? nl + 1 : end;
	}
	c->lines = (int)line;
}

void
sm_merge(struct sm_config *c, const struct sm_config *inc, const char *file)
{
	int k;

	for (k = 0; k < SM_NKEYS; k++) {
		if (c->s[k].state == SM_SET || inc->s[k].state == SM_ABSENT ||
		    (c->s[k].state == SM_COMMENTED &&
		    inc->s[k].state != SM_SET))
			continue;
		c->s[k] = inc->s[k];
		snprintf(c->s[k].file, sizeof(c->s[k].file), "%s", file);
	}
}

void
sm_parse_cf(const char *buf, size_t len, struct sm_config *c)
{
	const char *p = buf, *end = buf + len;
	size_t line = 0;
	int k;

	memset(c, 0, sizeof(*c));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *l = p, *eq;
		size_t n = (size_t)((nl ? nl : end) - p), h = 0;
		int active = 1;

		line++;
		p = nl ? nl + 1 : end;
		while (n > 0 && l[n - 1] == '\r')
			n--;
		if (n > SM_MAX_LINE) {
			n = SM_MAX_LINE;
			if (c->long_line == 0)
				c->long_line = line;
		}
		if (n > 0 && l[0] == '#') {
			active = 0;
			h = 1;
			while (h < n && l[h] == ' ')
				h++;
		}
		if (n - h >= 2 && l[h] == 'D' && l[h + 1] == 'S') {
			record(&c->s[SM_SMART_HOST], active, l + h + 2,
			    n - h - 2, line, 1, l, n);
			continue;
		}
		if (n - h > 7 && memcmp(l + h, "Mrelay,", 7) == 0) {
			/* A= after "Mrelay,", whose last byte is a[-1] at least */
			const char *a = memmem(l + h + 7, n - h - 7, "A=", 2);

			if (a != NULL && (a[-1] == ' ' || a[-1] == ','))
				record(&c->s[SM_MAILER_ARGS], active, a + 2,
				    (size_t)(l + n - a - 2), line, 1, l, n);
			continue;
		}
		if (n - h < 3 || l[h] != 'O' || l[h + 1] != ' ')
			continue;
		eq = memchr(l + h, '=', n - h);
		for (k = 0; k < SM_NKEYS; k++) {
			size_t kl = strlen(names[k].cf);

			if (k == SM_SMART_HOST || k == SM_MAILER_ARGS)
				continue;
			if (n - h - 2 >= kl &&
			    memcmp(l + h + 2, names[k].cf, kl) == 0 &&
			    (l + h + 2 + kl == l + n || l[h + 2 + kl] == '=' ||
			    l[h + 2 + kl] == ' '))
				record(&c->s[k], active, eq ? eq + 1 : "",
				    eq ? (size_t)(l + n - eq - 1) : 0, line, 1,
				    l, n);
		}
	}
	c->lines = (int)line;
}

int
sm_smarthost_url(const struct sm_config *c, char *out, size_t size)
{
	const struct sm_setting *s = &c->s[SM_SMART_HOST];
	char host[1100], *h = host, *colon, *e;
	const char *args = c->s[SM_MAILER_ARGS].state == SM_SET ?
	    c->s[SM_MAILER_ARGS].value : "";
	long port = 25;
	const char *tcp;

	if (s->state != SM_SET || s->value[0] == '\0')
		return -1;
	snprintf(host, sizeof(host), "%s", s->value);
	/* "esmtp:[host]" or "relay:host": the mailer goes */
	if ((colon = strchr(host, ':')) != NULL && (strchr(host, '[') == NULL ||
	    colon < strchr(host, '[')))
		h = colon + 1;
	if (*h == '[') {
		h++;
		if ((e = strchr(h, ']')) != NULL)
			*e = '\0';
	}
	h[strcspn(h, " \t")] = '\0';
	if (*h == '\0')
		return -1;
	if ((tcp = strstr(args, "TCP $h ")) != NULL)
		port = strtol(tcp + 7, NULL, 10);
	if (port <= 0 || port > 65535)
		port = 25;
	if (port == 587)
		snprintf(out, size, "submission://%s:587", h);
	else if (port == 465)
		snprintf(out, size, "smtps://%s:465", h);
	else if (port == 25)
		snprintf(out, size, "smtp://%s", h);
	else
		snprintf(out, size, "smtp://%s:%ld", h, port);
	return 0;
}
