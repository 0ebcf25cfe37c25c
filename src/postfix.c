/*
 * postfix.c: the parsers of main.cf, master.cf and the text of Postfix's
 * maps, and the relays they name; see postfix.h.  No I/O.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postfix.h"

static const char *const names[PF_NKEYS] = {
	"smtp_tls_security_level", "smtp_tls_CAfile", "smtp_tls_CApath",
	"tls_append_default_CA", "relayhost", "smtp_tls_policy_maps",
	"transport_maps", "smtp_use_tls", "smtp_enforce_tls",
	"smtp_tls_loglevel", "queue_directory"
};

const char *
pf_name(enum pf_key k)
{
	return names[k];
}

int
pf_set(const struct pf_config *c, enum pf_key k)
{
	return c->s[k].set && c->s[k].value[0] != '\0';
}

const char *
pf_value(const struct pf_config *c, enum pf_key k)
{
	return c->s[k].set ? c->s[k].value : "";
}

/*
 * The logical lines of buf (a line starting with white space continues
 * the last; comments and empty lines skipped), each to fn with the number
 * of its first physical line.
 */
static void
logical_lines(const char *buf, size_t len, struct pf_config *c,
    void (*fn)(struct pf_config *, char *, size_t))
{
	char line[PF_MAX_LINE];
	const char *p = buf, *end = buf + len;
	size_t n = 0, start = 0, phys = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t k = (size_t)((nl ? nl : end) - p), i;

		phys++;
		c->lines++;
		for (i = 0; i < k && (p[i] == ' ' || p[i] == '\t'); i++)
			;
		if (i == k || p[i] == '#' || p[i] == '\r')
			;		/* empty or a comment: no effect */
		else if (i > 0 && n > 0) {	/* continues the last */
			if (n + 1 + k - i < sizeof(line)) {
				line[n++] = ' ';
				memcpy(line + n, p + i, k - i);
				n += k - i;
			} else if (c->long_line == 0)
				c->long_line = phys;
		} else {
			if (n > 0) {
				line[n] = '\0';
				fn(c, line, start);
			}
			n = 0;
			start = phys;
			if (k < sizeof(line)) {
				memcpy(line, p, k);
				n = k;
			} else if (c->long_line == 0)
				c->long_line = phys;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (n > 0) {
		line[n] = '\0';
		fn(c, line, start);
	}
}

/* line's trailing white space (and CRs) gone. */
static void
rtrim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

/* "name = value": set it if it is one of ours. */
static void
assign(struct pf_config *c, const char *name, size_t nlen, const char *value,
    size_t line, int master)
{
	int k;

	for (k = 0; k < PF_NKEYS; k++)
		if (strlen(names[k]) == nlen &&
		    strncmp(names[k], name, nlen) == 0) {
			c->s[k].set = 1;
			snprintf(c->s[k].value, sizeof(c->s[k].value), "%s",
			    value);
			rtrim(c->s[k].value);
			c->s[k].line = line;
			c->s[k].master = master;
		}
}

static void
main_line(struct pf_config *c, char *l, size_t line)
{
	size_t n = strspn(l, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_.-");
	char *v = l + n;

	v += strspn(v, " \t");
	if (n == 0 || *v != '=')
		return;
	v++;
	v += strspn(v, " \t");
	assign(c, l, n, v, line, 0);
}

void
pf_parse_main(const char *buf, size_t len, struct pf_config *c)
{
	logical_lines(buf, len, c, main_line);
}

/* The next word of *p (white space separated), NUL-terminated, or NULL. */
static char *
next_word(char **p)
{
	char *w;

	*p += strspn(*p, " \t\r");
	if (**p == '\0')
		return NULL;
	w = *p;
	*p += strcspn(*p, " \t\r");
	if (**p != '\0')
		*(*p)++ = '\0';
	return w;
}

/* "-o name=value" or "-o { name = value }" of the smtp service. */
static void
overrides(struct pf_config *c, char *p, size_t line)
{
	char *w, *eq, buf[1200];

	while ((w = next_word(&p)) != NULL) {
		if (strcmp(w, "-o") != 0)
			continue;
		p += strspn(p, " \t");
		if (*p == '{') {
			char *close = strchr(p, '}');

			if (close == NULL)
				return;
			*close = '\0';
			snprintf(buf, sizeof(buf), "%s", p + 1);
			p = close + 1;
		} else if ((w = next_word(&p)) != NULL)
			snprintf(buf, sizeof(buf), "%s", w);
		else
			return;
		if ((eq = strchr(buf, '=')) == NULL)
			continue;
		w = buf + strspn(buf, " \t");
		*eq = '\0';
		rtrim(w);
		eq++;
		eq += strspn(eq, " \t");
		assign(c, w, strlen(w), eq, line, 1);
	}
}

static void
master_line(struct pf_config *c, char *l, size_t line)
{
	char *p = l, *f[8];
	int i;

	for (i = 0; i < 8; i++)
		if ((f[i] = next_word(&p)) == NULL)
			return;
	if (strcmp(f[1], "unix") != 0 || strcmp(f[7], "smtp") != 0)
		return;
	if (c->nsvc < PF_MAX_SERVICES) {
		struct pf_service *s = &c->svc[c->nsvc++];

		snprintf(s->name, sizeof(s->name), "%s", f[0]);
		s->chroot = f[4][0] == 'y' || f[4][0] == 'n' ? f[4][0] : '-';
		s->line = line;
	}
	if (strcmp(f[0], "smtp") == 0)
		overrides(c, p, line);
}

void
pf_parse_master(const char *buf, size_t len, struct pf_config *c)
{
	int lines = c->lines;
	size_t long_line = c->long_line;

	logical_lines(buf, len, c, master_line);
	c->lines = lines;	/* main.cf's are counted */
	c->long_line = long_line;
}

const char *
pf_level(const struct pf_config *c)
{
	if (pf_set(c, PF_LEVEL))
		return c->s[PF_LEVEL].value;
	if (strcasecmp(pf_value(c, PF_ENFORCE_TLS), "yes") == 0)
		return "verify";
	if (strcasecmp(pf_value(c, PF_USE_TLS), "yes") == 0)
		return "may";
	return "none";
}

int
pf_chrooted(const struct pf_config *c, size_t *line)
{
	int i;

	for (i = 0; i < c->nsvc; i++)
		if (strcmp(c->svc[i].name, "smtp") == 0) {
			if (line != NULL)
				*line = c->svc[i].line;
			return c->svc[i].chroot == 'y';
		}
	return 0;
}

/* A port as Postfix takes it (a number or a service name), or NULL. */
static const char *
port_of(const char *s, char *buf, size_t size)
{
	if (*s == '\0' || strcmp(s, "smtp") == 0)
		return "25";
	if (strcmp(s, "submission") == 0)
		return "587";
	if (strcmp(s, "smtps") == 0 || strcmp(s, "submissions") == 0)
		return "465";
	if (strspn(s, "0123456789") != strlen(s) || strlen(s) > 5 ||
	    atoi(s) < 1 || atoi(s) > 65535)
		return NULL;
	snprintf(buf, size, "%d", atoi(s));
	return buf;
}

/* A next hop ("[host]:port", "[ipv6:addr]", "host:port", "host"). */
static int
nexthop(const char *item, char *host, size_t hsize, char *port, size_t psize)
{
	char h[300], pb[8];
	const char *colon, *pt;

	if (strlen(item) >= sizeof(h))
		return -1;
	if (item[0] == '[') {
		const char *close = strchr(item, ']');

		if (close == NULL || (close[1] != '\0' && close[1] != ':'))
			return -1;
		snprintf(h, sizeof(h), "%.*s", (int)(close - item - 1),
		    item + 1);
		if (strncasecmp(h, "ipv6:", 5) == 0)
			memmove(h, h + 5, strlen(h + 5) + 1);
		colon = close[1] == ':' ? close + 2 : "";
	} else {
		snprintf(h, sizeof(h), "%s", item);
		if (strchr(h, ':') != NULL && strchr(h, ':') ==
		    strrchr(h, ':')) {
			colon = item + (strchr(h, ':') - h) + 1;
			*strchr(h, ':') = '\0';
		} else
			colon = "";
	}
	if ((pt = port_of(colon, pb, sizeof(pb))) == NULL || h[0] == '\0')
		return -1;
	snprintf(host, hsize, "%s", h);
	snprintf(port, psize, "%s", pt);
	return 0;
}

/* Each item of a list value (comma or white space separated) to out. */
static void
relay_list(const char *value, const char *from, struct mta_target *out,
    int *n, int max)
{
	char v[1100], *p = v, *w, host[300], port[8];

	snprintf(v, sizeof(v), "%s", value);
	for (w = p; *w != '\0'; w++)
		if (*w == ',')
			*w = ' ';
	while ((w = next_word(&p)) != NULL)
		if (nexthop(w, host, sizeof(host), port, sizeof(port)) == 0)
			mta_target_add(out, n, max, host, port, from);
}

/* Each "key value" line of a map's text to fn. */
static void
map_lines(const char *t, size_t len, void (*fn)(void *, char *, char *),
    void *arg)
{
	const char *p = t, *end = t + len;

	while (t != NULL && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t k = (size_t)((nl ? nl : end) - p);
		char line[1200], *q = line, *key, *val;

		if (k < sizeof(line)) {
			memcpy(line, p, k);
			line[k] = '\0';
			if ((key = next_word(&q)) != NULL && key[0] != '#' &&
			    (val = next_word(&q)) != NULL)
				fn(arg, key, val);
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

struct relays_arg {
	struct mta_target *out;
	int		*n, max;
};

static void
transport_entry(void *arg, char *key, char *val)
{
	struct relays_arg *a = arg;
	char *colon = strchr(val, ':'), from[300];

	if (colon == NULL)
		return;
	*colon = '\0';
	if (val[0] != '\0' && strcmp(val, "smtp") != 0 &&
	    strcmp(val, "relay") != 0)
		return;		/* local, error, lmtp, ... */
	snprintf(from, sizeof(from), "transport_maps %.200s", key);
	relay_list(colon + 1, from, a->out, a->n, a->max);
}

static void
policy_entry(void *arg, char *key, char *val)
{
	struct relays_arg *a = arg;
	char from[300];

	(void)val;
	if (key[0] != '[')
		return;		/* a domain: its MX hosts, not a relay */
	snprintf(from, sizeof(from), "smtp_tls_policy_maps %.200s", key);
	relay_list(key, from, a->out, a->n, a->max);
}

int
pf_relays(const struct pf_config *c, const char *tm, size_t tmlen,
    const char *pm, size_t pmlen, struct mta_target *out, int max)
{
	struct relays_arg a;
	char from[300];
	int n = 0;

	a.out = out;
	a.n = &n;
	a.max = max;
	if (pf_set(c, PF_RELAYHOST)) {
		snprintf(from, sizeof(from), "relayhost (%s:%zu)",
		    c->s[PF_RELAYHOST].master ? "master.cf" : "main.cf",
		    c->s[PF_RELAYHOST].line);
		relay_list(c->s[PF_RELAYHOST].value, from, out, &n, max);
	}
	map_lines(tm, tmlen, transport_entry, &a);
	map_lines(pm, pmlen, policy_entry, &a);
	return n;
}

struct level_arg {
	const char	*host, *port;
	char		*level;
	size_t		 size;
};

static void
level_entry(void *arg, char *key, char *val)
{
	struct level_arg *a = arg;
	char h[300], p[8];

	if (nexthop(key, h, sizeof(h), p, sizeof(p)) == 0 &&
	    strcasecmp(h, a->host) == 0 && strcmp(p, a->port) == 0)
		snprintf(a->level, a->size, "%s", val);
}

void
pf_policy_level(const char *pm, size_t pmlen, const char *host,
    const char *port, char *level, size_t size)
{
	struct level_arg a = { host, port, level, size };

	level[0] = '\0';
	map_lines(pm, pmlen, level_entry, &a);
}

int
pf_log_relay(const char *logged, char *host, size_t hsize, char *port,
    size_t psize)
{
	const char *open = strchr(logged, '['), *close;
	char pb[8];
	const char *pt = "25";

	if (open == NULL || (close = strchr(open, ']')) == NULL ||
	    (size_t)(close - open) > 300 || (size_t)(open - logged) >= hsize)
		return -1;
	if (close[1] == ':' && (pt = port_of(close + 2, pb,
	    sizeof(pb))) == NULL)
		return -1;
	else if (close[1] != ':' && close[1] != '\0')
		return -1;
	if (open == logged || strncmp(logged, "unknown[", 8) == 0) {
		if ((size_t)(close - open) > hsize)
			return -1;
		snprintf(host, hsize, "%.*s", (int)(close - open - 1),
		    open + 1);
		if (strncasecmp(host, "ipv6:", 5) == 0)
			memmove(host, host + 5, strlen(host + 5) + 1);
	} else
		snprintf(host, hsize, "%.*s", (int)(open - logged), logged);
	if (host[0] == '\0')
		return -1;
	snprintf(port, psize, "%s", pt);
	return 0;
}

int
pf_map_next(const char *list, size_t *pos, char *path, size_t size)
{
	static const char *const types[] = { "hash:", "btree:", "lmdb:",
	    "cdb:", "dbm:", "sdbm:", "texthash:", NULL };
	const char *p = list + *pos;
	int i;

	for (;;) {
		size_t n;
		const char *w;

		p += strspn(p, " \t,");
		if (*p == '\0')
			return 0;
		n = strcspn(p, " \t,");
		w = p;
		p += n;
		*pos = (size_t)(p - list);
		if (strncmp(w, "proxy:", 6) == 0)
			w += 6, n -= 6;
		for (i = 0; types[i] != NULL; i++) {
			size_t tl = strlen(types[i]);

			if (n > tl && strncmp(w, types[i], tl) == 0 &&
			    w[tl] == '/' && n - tl < size) {
				snprintf(path, size, "%.*s", (int)(n - tl),
				    w + tl);
				return 1;
			}
		}
	}
}
