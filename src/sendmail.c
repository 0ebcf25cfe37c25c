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
	[SM_MAILER_ARGS] = { "RELAY_MAILER_ARGS", "Mrelay" },
	[SM_ESMTP_ARGS] = { "ESMTP_MAILER_ARGS", "Mesmtp" },
	[SM_SMTP_ARGS] = { "SMTP_MAILER_ARGS", "Msmtp" },
	[SM_SMTP8_ARGS] = { "SMTP8_MAILER_ARGS", "Msmtp8" },
	[SM_DSMTP_ARGS] = { "DSMTP_MAILER_ARGS", "Mdsmtp" },
	[SM_RELAY_MAILER] = { "confRELAY_MAILER", NULL },
	/* what FEATURE(`mailertable') defines (m4 traces it by this name) */
	[SM_MAILERTABLE] = { "MAILERTABLE", "Kmailertable" },
};

/* The mailers that speak SMTP over TCP, and the key of their A= args. */
static const struct {
	const char	*mailer;
	enum sm_key	 args;
} smtp_mailers[] = {
	{ "relay", SM_MAILER_ARGS }, { "esmtp", SM_ESMTP_ARGS },
	{ "smtp", SM_SMTP_ARGS }, { "smtp8", SM_SMTP8_ARGS },
	{ "dsmtp", SM_DSMTP_ARGS },
};
#define NMAILERS	(sizeof(smtp_mailers) / sizeof(smtp_mailers[0]))

int
sm_mailer_args(const char *mailer)
{
	size_t i;

	for (i = 0; i < NMAILERS; i++)
		if (strcmp(mailer, smtp_mailers[i].mailer) == 0)
			return (int)smtp_mailers[i].args;
	return -1;
}

int
sm_set(const struct sm_config *c, enum sm_key k)
{
	return c->s[k].state == SM_SET && c->s[k].value[0] != '\0';
}

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
	s->file[0] = '\0';
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

/* How a .mc is being read: the include reader and where we are. */
struct mc_ctx {
	struct sm_config *c;
	sm_include_fn	 rd;
	void		*arg;
	const char	*file;		/* "" for the .mc itself */
	int		 depth;
};

static void	mc_parse(struct mc_ctx *x, const char *buf, size_t len);

static int
key_of(const char *name)
{
	int k;

	for (k = 0; k < SM_NKEYS; k++)
		if (strcmp(name, names[k].mc) == 0)
			return k;
	return -1;
}

/* A setting found in x->file: recorded with where it is. */
static void
mc_record(struct mc_ctx *x, int k, int active, const char *value,
    size_t line, size_t col, const char *l, size_t n)
{
	struct sm_setting *s = &x->c->s[k];

	if (!active && s->state == SM_SET)
		return;
	record(s, active, value, strlen(value), line, col, l, n);
	snprintf(s->file, sizeof(s->file), "%s", x->file);
}

/* include(`FILE') where it stands: its settings come before what follows. */
static void
mc_include(struct mc_ctx *x, const char *file)
{
	struct sm_config *c = x->c;
	struct mc_ctx sub = *x;
	size_t len;
	char *buf;

	if (c->nincludes < SM_MAX_INCLUDES && strlen(file) < sizeof(c->include[0]))
		memcpy(c->include[c->nincludes++], file, strlen(file) + 1);
	else
		return;
	if (x->rd == NULL || x->depth >= SM_MAX_DEPTH ||
	    (buf = x->rd(x->arg, file, &len)) == NULL)
		return;
	sub.file = c->include[c->nincludes - 1];
	sub.depth++;
	mc_parse(&sub, buf, len);
	free(buf);
}

/* The macro called at l[i] ("define(" ...), or NULL. */
static const char *
macro_at(const char *l, size_t n, size_t i)
{
	static const char *m[] = { "define", "undefine", "include", "FEATURE" };
	size_t k;

	for (k = 0; k < sizeof(m) / sizeof(m[0]); k++)
		if (word_at(l, n, i, m[k]) && i + strlen(m[k]) < n &&
		    l[i + strlen(m[k])] == '(')
			return m[k];
	return NULL;
}

static void
mc_line(struct mc_ctx *x, const char *l, size_t n, size_t line)
{
	size_t i, comment = (size_t)-1;
	int depth = 0, k, active;

	for (i = 0; i < n; i++) {
		char name[128], value[1024];
		const char *m;
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
		if ((m = macro_at(l, n, i)) == NULL)
			continue;
		active = comment == (size_t)-1;
		j = i + strlen(m) + 1;
		if (m4_arg(l, n, &j, name, sizeof(name)) == -1)
			continue;
		i = j > i ? j - 1 : i;
		if (m[0] == 'i') {		/* include(`FILE') */
			if (active)
				mc_include(x, name);
			continue;
		}
		if (m[0] == 'u') {		/* undefine(`NAME') */
			if (active && (k = key_of(name)) != -1) {
				memset(&x->c->s[k], 0, sizeof(x->c->s[k]));
				x->c->s[k].line = line;
			}
			continue;
		}
		value[0] = '\0';
		if (j < n && l[j] == ',') {
			j++;
			if (m4_arg(l, n, &j, value, sizeof(value)) == -1)
				continue;
			i = j > i ? j - 1 : i;
		} else if (m[0] == 'd')
			continue;
		if (m[0] == 'F') {		/* FEATURE(`mailertable'[, SPEC]) */
			if (strcmp(name, "mailertable") == 0)
				mc_record(x, SM_MAILERTABLE, active, value,
				    line, comment + 1, l, n);
			continue;
		}
		if ((k = key_of(name)) != -1)
			mc_record(x, k, active, value, line, comment + 1, l, n);
	}
}

static void
mc_parse(struct mc_ctx *x, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	size_t line = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		line++;
		while (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > SM_MAX_LINE) {
			n = SM_MAX_LINE;
			if (x->c->long_line == 0 && x->depth == 0)
				x->c->long_line = line;
		}
		/* where a define that is missing goes (smplan.h) */
		if (x->depth == 0 && x->c->mailer_line == 0 && n >= 6 &&
		    memcmp(p, "MAILER", 6) == 0)
			x->c->mailer_line = line;
		mc_line(x, p, n, line);
		p = nl ? nl + 1 : end;
	}
	if (x->depth == 0)
		x->c->lines = (int)line;
}

void
sm_parse_mc_with(const char *buf, size_t len, struct sm_config *c,
    sm_include_fn rd, void *arg)
{
	struct mc_ctx x = { c, rd, arg, "", 0 };

	memset(c, 0, sizeof(*c));
	mc_parse(&x, buf, len);
}

void
sm_parse_mc(const char *buf, size_t len, struct sm_config *c)
{
	sm_parse_mc_with(buf, len, c, NULL, NULL);
}

/* "Mesmtp, P=[IPC], ..., A=TCP $h 587": the args of an SMTP mailer. */
static int
cf_mailer(struct sm_config *c, const char *l, size_t n, size_t h, int active,
    size_t line)
{
	size_t i, ml;

	if (n - h < 2 || l[h] != 'M')
		return 0;
	for (i = 0; i < NMAILERS; i++) {
		const char *a;

		ml = strlen(smtp_mailers[i].mailer);
		if (n - h < ml + 2 || memcmp(l + h + 1, smtp_mailers[i].mailer,
		    ml) != 0 || l[h + 1 + ml] != ',')
			continue;
		/* A= after "Mname,", whose last byte is a[-1] at least */
		a = memmem(l + h + 2 + ml, n - h - 2 - ml, "A=", 2);
		if (a != NULL && (a[-1] == ' ' || a[-1] == ',' ||
		    a[-1] == '\t'))
			record(&c->s[smtp_mailers[i].args], active, a + 2,
			    (size_t)(l + n - a - 2), line, 1, l, n);
		return 1;
	}
	return 0;
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
		if (cf_mailer(c, l, n, h, active, line))
			continue;
		if (n - h > 13 && memcmp(l + h, "Kmailertable ", 13) == 0) {
			record(&c->s[SM_MAILERTABLE], active, l + h + 13,
			    n - h - 13, line, 1, l, n);
			continue;
		}
		if (n - h < 3 || l[h] != 'O' || l[h + 1] != ' ')
			continue;
		eq = memchr(l + h, '=', n - h);
		for (k = 0; k < SM_NKEYS; k++) {
			size_t kl;

			/* SMART_HOST and what follows are not O options */
			if (k >= SM_SMART_HOST)
				continue;
			kl = strlen(names[k].cf);
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
