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

void
smplan_make(struct smplan *p, const struct smconf *s, const struct config *tc,
    const char *bundle, const char *capath, const char *pidfile)
{
	struct mta_target relays[MTA_MAX_TARGETS];
	size_t i;
	int n;

	memset(p, 0, sizeof(*p));
	n = smconf_relays(s, relays, MTA_MAX_TARGETS);
	mailplan_init(&p->mp, mta_find("sendmail"), tc, bundle, capath,
	    relays, n);
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
	if ((p->pid = mailcheck_sendmail_pid(pidfile, p->pidfile,
	    sizeof(p->pidfile), NULL)) > 0)
		snprintf(p->reload, sizeof(p->reload), "kill -HUP $(head -1 "
		    "%s)", p->pidfile);
}

int
smplan_empty(const struct smplan *p)
{
	return !p->rebuild && p->mp.nprobe == 0;
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
	n += mailplan_steps(&p->mp, st + n, max - n, conf, csize);
	if (p->rebuild && n < max)
		st[n++] = (struct step){ STEP_RUN, NULL, 0, p->build };
	if (p->rebuild && p->reload[0] != '\0' && n < max)
		st[n++] = (struct step){ STEP_RUN, NULL, 0, p->reload };
	return n;
}
