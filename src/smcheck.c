/*
 * smcheck.c: the finding about sendmail's CA settings: one per cause,
 * with the one plan (smplan.h) as its fix.  The defines are judged as m4
 * sees them (smconf.h): the one that wins, in the file it is in.
 */
#include <stdio.h>
#include <string.h>

#include "mailcheck.h"
#include "sendmail.h"
#include "smcheck.h"
#include "smconf.h"
#include "smplan.h"

static const enum sm_key ca_keys[] = { SM_CACERT_PATH, SM_CACERT };

/* "confCACERT is commented out by dnl (F:12:1)" and the like, appended. */
static void
describe(const struct smconf *s, enum sm_key k, char *out, size_t size)
{
	const struct sm_setting *st = &s->mc.s[k];
	const char *f = smconf_file(s, st);
	size_t o = strlen(out);

	if (st->state == SM_SET)
		snprintf(out + o, size - o, "%s%s is '%s' (%s:%zu)", o ? "; " :
		    "", sm_mc_name(k), st->value, f, st->line);
	else if (st->state == SM_COMMENTED)
		snprintf(out + o, size - o, "%s%s is commented out by '%s' "
		    "(%s:%zu:%zu)", o ? "; " : "", sm_mc_name(k),
		    st->col > 0 && st->text[st->col - 1] == '#' ? "#" : "dnl",
		    f, st->line, st->col);
	else
		snprintf(out + o, size - o, "%s%s is not defined", o ? "; " :
		    "", sm_mc_name(k));
}

static void
cf_only(struct report *r, const struct smconf *s, const struct smplan *p)
{
	const struct sm_config *cf = &s->cf;
	int i;

	/* what the .cf says, each with its line: the last one wins */
	for (i = 0; i < 2; i++)
		if (sm_set(cf, ca_keys[i]))
			finding(r, L_OK, NULL, "%s:%zu: %s=%s", s->cfpath,
			    cf->s[ca_keys[i]].line, sm_cf_name(ca_keys[i]),
			    cf->s[ca_keys[i]].value);
	if (cf->long_line != 0)
		finding(r, L_NOTE, "break the line", "%s:%zu: a line longer "
		    "than %d bytes; only its first %d were read", s->cfpath,
		    cf->long_line, SM_MAX_LINE, SM_MAX_LINE);
	if (!p->cf_stale)
		return;
	finding(r, sm_set(cf, SM_CACERT) && sm_set(cf, SM_CACERT_PATH) ? L_NOTE :
	    L_PROBLEM, "give the .mc it is built from with --mc FILE: the fix "
	    "goes there", "%s (no .mc read: %s) sets CACertPath=%s and "
	    "CACertFile=%s, not the store trustbuild publishes (%s, %s)",
	    s->cfpath, s->mc_why[0] ? s->mc_why : "none given",
	    sm_set(cf, SM_CACERT_PATH) ? cf->s[SM_CACERT_PATH].value : "(none)",
	    sm_set(cf, SM_CACERT) ? cf->s[SM_CACERT].value : "(none)",
	    p->mp.capath, p->mp.bundle);
}

/* Does the .cf say what the .mc's winning defines say? */
static int
cf_differs(const struct smconf *s)
{
	int i;

	for (i = 0; i < 2; i++) {
		const struct sm_setting *m = &s->mc.s[ca_keys[i]];
		const struct sm_setting *c = &s->cf.s[ca_keys[i]];

		if (sm_set(&s->mc, ca_keys[i]) != sm_set(&s->cf, ca_keys[i]) ||
		    (m->state == SM_SET && c->state == SM_SET &&
		    strcmp(m->value, c->value) != 0))
			return 1;
	}
	return 0;
}

/* ", but sendmail.cf has CACertPath=X and CACertFile=Y: not rebuilt" */
static void
not_rebuilt(const struct smconf *s, char *out, size_t size)
{
	const struct sm_config *cf = &s->cf;

	snprintf(out, size, "%.300s has CACertPath=%.300s and CACertFile=%.300s: it was "
	    "not rebuilt after the .mc changed", s->cfpath,
	    sm_set(cf, SM_CACERT_PATH) ? cf->s[SM_CACERT_PATH].value : "(none)",
	    sm_set(cf, SM_CACERT) ? cf->s[SM_CACERT].value : "(none)");
}

void
check_ca(struct report *r, const struct smconf *s, const struct smplan *p)
{
	struct step st[MAX_STEPS];
	char what[2048] = "", conf[8192], stale[1024] = "";
	int n, mc_both, cf_both, differs, i;

	if (!s->have_mc) {
		cf_only(r, s, p);
		return;
	}
	if (!s->traced && strcmp(s->m4_why, "not asked") != 0)
		finding(r, L_NOTE, NULL, "m4 was not asked which define wins "
		    "(%s): trustbuild read %s and its includes itself",
		    s->m4_why, s->mcpath);
	for (i = 0; i < 2; i++) {
		const struct sm_setting *e = &s->mc.s[ca_keys[i]];

		if (e->state == SM_SET)
			finding(r, L_OK, NULL, "%s:%zu: %s is '%s'%s%s%s",
			    smconf_file(s, e), e->line, sm_mc_name(ca_keys[i]),
			    e->value, e->file[0] ? " (included by " : "",
			    e->file[0] ? s->mcpath : "", e->file[0] ? ")" : "");
	}
	if (s->mc.long_line != 0)
		finding(r, L_NOTE, "break the line", "%s:%zu: a line longer "
		    "than %d bytes; only its first %d were read", s->mcpath,
		    s->mc.long_line, SM_MAX_LINE, SM_MAX_LINE);
	n = smplan_steps(p, st, MAX_STEPS, conf, sizeof(conf));
	mc_both = sm_set(&s->mc, SM_CACERT) && sm_set(&s->mc, SM_CACERT_PATH);
	cf_both = !s->have_cf || (sm_set(&s->cf, SM_CACERT) &&
	    sm_set(&s->cf, SM_CACERT_PATH));
	differs = s->have_cf && cf_differs(s);
	if (differs)
		not_rebuilt(s, stale, sizeof(stale));
	if (p->nedit > 0) {
		for (i = 0; i < 2; i++)
			describe(s, ca_keys[i], what, sizeof(what));
		if (mc_both && cf_both && !differs)
			finding_steps(r, L_NOTE, "trustbuild sendmail-setup "
			    "--apply does all of this; by hand:", st, n,
			    "sendmail verifies with its own CA data, not with "
			    "the store trustbuild publishes (%s, %s: with the "
			    "intermediates your relays need): %s", p->mp.capath,
			    p->mp.bundle, what);
		else
			finding_steps(r, L_PROBLEM, "trustbuild sendmail-setup "
			    "--apply does all of this; by hand:", st, n,
			    "%s: %s%s%s", mc_both ? "sendmail's CA settings "
			    "are not the store trustbuild publishes" :
			    "sendmail loads no CA data (both CACertFile and "
			    "CACertPath must be set), so every STARTTLS "
			    "connection it makes logs verify=FAIL", what,
			    stale[0] ? "; and " : "", stale);
		return;
	}
	if (differs || (s->have_cf && p->cf_stale))
		finding_steps(r, L_PROBLEM, "rebuild it:", st, n, "%s says "
		    "what sendmail should read, but %s", s->mcpath, stale[0] ?
		    stale : "the .cf does not");
	else if (!s->have_cf)
		finding_steps(r, L_PROBLEM, "build it:", st, n, "cannot read "
		    "'%s' (%s): what sendmail runs with is unknown", s->cfpath,
		    s->cf_why);
}
