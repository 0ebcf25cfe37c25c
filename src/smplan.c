/*
 * smplan.c: the one plan that makes sendmail use the published store;
 * see smplan.h.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "mailcheck.h"
#include "probe.h"
#include "smconf.h"
#include "smplan.h"
#include "smrelay.h"

static const enum sm_key ca_keys[] = { SM_CACERT_PATH, SM_CACERT };

/* Is file one of the packaged cf macros, which we do not edit? */
static int
packaged(const struct smconf *s, const char *file)
{
	return (s->cfdir[0] != '\0' && strncmp(file, s->cfdir,
	    strlen(s->cfdir)) == 0) || strncmp(file, "/usr/", 5) == 0;
}

static void
plan_key(struct smplan *p, const struct smconf *s, enum sm_key k,
    const char *want)
{
	const struct sm_setting *st = &s->mc.s[k];
	struct smedit *e = &p->edit[p->nedit];
	const char *file = smconf_file(s, st);

	if (st->state == SM_SET && strcmp(st->value, want) == 0)
		return;
	memset(e, 0, sizeof(*e));
	e->key = k;
	snprintf(e->text, sizeof(e->text), "define(`%s', `%s')dnl",
	    sm_mc_name(k), want);
	if (st->state != SM_ABSENT && !packaged(s, file)) {
		e->op = SMEDIT_REPLACE;
		snprintf(e->file, sizeof(e->file), "%s", file);
		e->line = st->line;
		if (st->state == SM_SET)
			snprintf(e->was, sizeof(e->was), "is '%.250s'",
			    st->value);
		else
			snprintf(e->was, sizeof(e->was), "is commented out by "
			    "'%s'", st->col > 0 && st->text[st->col - 1] ==
			    '#' ? "#" : "dnl");
	} else {
		e->op = SMEDIT_INSERT;
		snprintf(e->file, sizeof(e->file), "%s", s->mcpath);
		/* after a packaged define it must come last to win */
		e->line = st->state == SM_SET ? 0 : s->mc.mailer_line;
		snprintf(e->was, sizeof(e->was), "%s", st->state == SM_SET ?
		    "is set by the cf macros" : "is not defined");
	}
	p->nedit++;
}

/* "make -C /etc/mail sendmail.cf" where Debian's Makefile builds it. */
static int
debian_make(struct smplan *p, const struct smconf *s)
{
	char dir[4096], mk[4200], mc[4200], cf[4200], *slash, *buf;
	const char *why;
	size_t len;
	int ok;

	snprintf(dir, sizeof(dir), "%s", s->mcabs);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	snprintf(mk, sizeof(mk), "%s/Makefile", dir);
	snprintf(mc, sizeof(mc), "%s/sendmail.mc", dir);
	snprintf(cf, sizeof(cf), "%s/sendmail.cf", dir);
	if (strcmp(s->mcabs, mc) != 0 || strcmp(s->cfabs, cf) != 0 ||
	    (buf = mailcheck_read(mk, SMCONF_MAX_FILE, 0, &len, NULL, &why)) ==
	    NULL)
		return 0;
	ok = strstr(buf, "\nsendmail.cf : ") != NULL;
	free(buf);
	if (!ok)
		return 0;
	p->make = 1;
	snprintf(p->makedir, sizeof(p->makedir), "%s", dir);
	snprintf(p->build, sizeof(p->build), "make -C %s sendmail.cf", dir);
	return 1;
}

static void
plan_build(struct smplan *p, const struct smconf *s)
{
	const char *argv[8];
	char d[300], m[300];
	int i, n;

	if (debian_make(p, s))
		return;
	if ((n = smconf_build_argv(s, d, sizeof(d), m, sizeof(m), argv)) ==
	    -1) {
		snprintf(p->build, sizeof(p->build), "m4 /usr/share/sendmail/"
		    "cf/m4/cf.m4 %s > %s (install the sendmail cf macros)",
		    s->mcabs, s->cfabs);
		return;
	}
	p->build[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(p->build + strlen(p->build), sizeof(p->build) -
		    strlen(p->build), "%s%s", i ? " " : "", argv[i]);
	snprintf(p->build + strlen(p->build), sizeof(p->build) -
	    strlen(p->build), " > %s", s->cfabs);
}

/* Is t (host and port) probed by a [probe] of tc already? */
static int
probed(const struct config *tc, const struct sm_target *t)
{
	struct probe_target pt;
	char err[300];
	size_t i;

	for (i = 0; tc != NULL && i < tc->nprobe; i++)
		if (probe_parse_url(tc->probe[i].url, &pt, err,
		    sizeof(err)) == 0 && strcmp(pt.host, t->host) == 0 &&
		    strcmp(pt.port, t->port) == 0)
			return 1;
	return 0;
}

/* A [probe NAME] the configuration does not have yet. */
static void
unique_name(const struct config *tc, struct sm_target *t)
{
	char base[sizeof(t->name)];
	size_t i;
	int n = 1, taken;

	snprintf(base, sizeof(base), "%s", t->name);
	do {
		taken = 0;
		for (i = 0; tc != NULL && i < tc->nprobe; i++)
			if (strcmp(tc->probe[i].name, t->name) == 0)
				taken = 1;
		if (taken)
			snprintf(t->name, sizeof(t->name), "%.55s-%d", base,
			    ++n);
	} while (taken && n < 1000);
}

void
smplan_make(struct smplan *p, const struct smconf *s, const struct config *tc,
    const char *bundle, const char *capath, const char *pidfile)
{
	struct stat st;
	size_t i;
	int k;

	memset(p, 0, sizeof(*p));
	p->tc = tc;
	p->bundle = bundle;
	p->capath = capath;
	p->conffile = tc != NULL && strcmp(tc->file, "built-in") != 0 ?
	    tc->file : CONFIG_FILE;
	if (s->have_mc)
		for (i = 0; i < 2; i++)
			plan_key(p, s, ca_keys[i], i == 0 ? capath : bundle);
	for (i = 0; i < 2; i++) {
		const struct sm_setting *c = &s->cf.s[ca_keys[i]];

		if (!s->have_cf || c->state != SM_SET || strcmp(c->value,
		    i == 0 ? capath : bundle) != 0)
			p->cf_stale = 1;
	}
	p->rebuild = p->nedit > 0 || p->cf_stale;
	plan_build(p, s);
	/* the store must be there before sendmail reads it */
	p->update = stat(bundle, &st) == -1 || stat(capath, &st) == -1;
	if ((p->pid = mailcheck_sendmail_pid(pidfile, p->pidfile,
	    sizeof(p->pidfile), NULL)) > 0)
		snprintf(p->reload, sizeof(p->reload), "kill -HUP $(head -1 "
		    "%s)", p->pidfile);
	p->nrelay = smconf_relays(s, p->relay, SM_MAX_TARGETS);
	for (k = 0; k < p->nrelay; k++)
		if (!probed(tc, &p->relay[k])) {
			p->probe[p->nprobe] = p->relay[k];
			unique_name(tc, &p->probe[p->nprobe++]);
		}
	if (p->nprobe > 0)
		p->update = 1;
	snprintf(p->update_cmd, sizeof(p->update_cmd), "trustbuild%s%s "
	    "update", strcmp(p->conffile, CONFIG_FILE) ? " -c " : "",
	    strcmp(p->conffile, CONFIG_FILE) ? p->conffile : "");
}

size_t
smplan_probes_text(const struct smplan *p, char *out, size_t size)
{
	size_t o = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < p->nprobe && o < size; i++)
		o += (size_t)snprintf(out + o, size - o, "%s# %s of sendmail\n"
		    "[probe %s]\nurl = %s\n%s", i ? "\n" : "", p->probe[i].from,
		    p->probe[i].name, p->probe[i].url, p->aia_private ?
		    "aia-private = yes\n" : "");
	return o < size ? o : size - 1;
}

int
smplan_empty(const struct smplan *p)
{
	return !p->rebuild && p->nprobe == 0;
}

int
smplan_steps(const struct smplan *p, struct step *st, int max, char *conf,
    size_t csize)
{
	int i, n = 0;

	for (i = 0; i < p->nedit && n < max; i++) {
		st[n].kind = p->edit[i].op == SMEDIT_REPLACE ? STEP_REPLACE :
		    STEP_INSERT;
		st[n].file = p->edit[i].file;
		st[n].line = p->edit[i].line;
		st[n++].text = p->edit[i].text;
	}
	if (p->nprobe > 0 && n < max) {
		smplan_probes_text(p, conf, csize);
		st[n].kind = STEP_CONF;
		st[n].file = p->conffile;
		st[n].line = 0;
		st[n++].text = conf;
	}
	if (p->update && n < max)
		st[n++] = (struct step){ STEP_RUN, NULL, 0, p->update_cmd };
	if (p->rebuild && n < max)
		st[n++] = (struct step){ STEP_RUN, NULL, 0, p->build };
	if (p->rebuild && p->reload[0] != '\0' && n < max)
		st[n++] = (struct step){ STEP_RUN, NULL, 0, p->reload };
	return n;
}

int
smplan_relay_steps(const struct smplan *p, const char *logged,
    struct step *st, int max, char *conf, size_t csize, char *url,
    size_t usize)
{
	struct sm_target t;
	char host[SMRELAY_HOST], u[SMRELAY_URL];
	int i, n = 0;

	if (smrelay_url(logged, host, sizeof(host), u, sizeof(u)) == -1 ||
	    sm_target(host, "25", "the mail log", &t) == -1)
		return -1;
	/* one of sendmail's relays: on its mailer's port */
	for (i = 0; i < p->nrelay; i++)
		if (strcmp(p->relay[i].host, t.host) == 0) {
			t = p->relay[i];
			break;
		}
	snprintf(url, usize, "%s", t.url);
	if (probed(p->tc, &t)) {
		snprintf(conf, csize, "trustbuild probe --chase %s", t.url);
		if (n < max)
			st[n++] = (struct step){ STEP_RUN, NULL, 0, conf };
		return n;
	}
	unique_name(p->tc, &t);
	snprintf(conf, csize, "# %s of sendmail\n[probe %s]\nurl = %s\n%s",
	    t.from, t.name, t.url, p->aia_private ? "aia-private = yes\n" : "");
	if (n < max)
		st[n++] = (struct step){ STEP_CONF, p->conffile, 0, conf };
	if (n < max)
		st[n++] = (struct step){ STEP_RUN, NULL, 0, p->update_cmd };
	return n;
}
