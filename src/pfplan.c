/*
 * pfplan.c: the one plan that makes Postfix use the published store; see
 * pfplan.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "mailcheck.h"
#include "mta.h"
#include "pfconf.h"
#include "pfplan.h"
#include "postfix.h"

/* name=value into the plan unless k is that already. */
static void
plan_set(struct pfplan *p, enum pf_key k, const char *want)
{
	const struct pf_setting *s = &p->c->c.s[k];

	if (s->set && strcmp(s->value, want) == 0)
		return;
	snprintf(p->set[p->nset++], sizeof(p->set[0]), "%s=%.1000s",
	    pf_name(k), want);
}

void
pfplan_make(struct pfplan *p, const struct pfconf *c,
    const struct config *tc, const char *bundle, const char *capath)
{
	struct mta_target relays[MTA_MAX_TARGETS];
	char cmd[4200], pidfile[1200];
	int n, i;

	memset(p, 0, sizeof(*p));
	p->c = c;
	n = pfconf_relays(c, relays, MTA_MAX_TARGETS);
	p->chroot = pf_chrooted(&c->c, &p->chroot_line);
	snprintf(p->queue, sizeof(p->queue), "%s", pf_set(&c->c, PF_QUEUE) ?
	    pf_value(&c->c, PF_QUEUE) : PF_QUEUE_DIR);
	mailplan_init(&p->mp, mta_find("postfix"), tc, bundle,
	    p->chroot ? NULL : capath, relays, n);
	plan_set(p, PF_CAFILE, bundle);
	if (!p->chroot && capath != NULL)
		plan_set(p, PF_CAPATH, capath);
	if (!pf_set(&c->c, PF_LOGLEVEL) || strcmp(pf_value(&c->c,
	    PF_LOGLEVEL), "0") == 0)
		plan_set(p, PF_LOGLEVEL, "1");
	if (p->nset > 0) {
		size_t o;

		o = strlen(pfconf_cmd(c, "postconf", p->postconf,
		    sizeof(p->postconf)));
		o += (size_t)snprintf(p->postconf + o, sizeof(p->postconf) - o,
		    " -e");
		for (i = 0; i < p->nset && o < sizeof(p->postconf); i++)
			o += (size_t)snprintf(p->postconf + o,
			    sizeof(p->postconf) - o, " '%s'", p->set[i]);
	}
	pfconf_cmd(c, "postfix", cmd, sizeof(cmd));
	snprintf(p->check, sizeof(p->check), "%.4100s check", cmd);
	snprintf(pidfile, sizeof(pidfile), "%s/pid/master.pid", p->queue);
	if ((p->pid = mailcheck_sendmail_pid(pidfile, NULL, 0, NULL)) > 0)
		snprintf(p->reload, sizeof(p->reload), "%.4100s reload", cmd);
}

int
pfplan_empty(const struct pfplan *p)
{
	return p->nset == 0 && p->mp.nprobe == 0;
}

int
pfplan_steps(const struct pfplan *p, struct step *st, int max, char *conf,
    size_t csize)
{
	int n;

	n = mailplan_steps(&p->mp, st, max, conf, csize);
	if (p->nset > 0 && n < max)
		st[n++] = (struct step){ STEP_RUN, NULL, 0, p->postconf };
	if (p->nset > 0 && n < max)
		st[n++] = (struct step){ STEP_RUN, NULL, 0, p->check };
	if (p->nset > 0 && p->reload[0] != '\0' && n < max)
		st[n++] = (struct step){ STEP_RUN, NULL, 0, p->reload };
	return n;
}
