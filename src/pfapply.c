/*
 * pfapply.c: "postfix-setup --apply" and "--dry-run"; see pfapply.h.
 * What is Postfix's: postconf -e, the check of what it wrote, postfix
 * check and reload; the rest is every MTA's (mailapply.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "mailapply.h"
#include "mailcheck.h"
#include "pfapply.h"
#include "pfconf.h"
#include "pfplan.h"
#include "postfix.h"
#include "smapply.h"
#include "xalloc.h"

/* "postfix [-c DIR] WHAT" as an argument vector (argv has 6 slots). */
static void
postfix_argv(const struct pfconf *c, const char *prog, const char *what,
    const char *argv[])
{
	int k = 0;

	argv[k++] = prog;
	if (strcmp(c->dir, PF_DEFAULT_DIR) != 0) {
		argv[k++] = "-c";
		argv[k++] = c->dir;
	}
	argv[k++] = what;
	argv[k] = NULL;
}

/* postconf -e of the plan's settings: 0, or -1 with the reason in d. */
static int
postconf_e(const struct pfconf *c, const struct pfplan *p, struct diags *d)
{
	const char *argv[6 + PFPLAN_MAX_SET];
	int k, i, rc;

	postfix_argv(c, "postconf", "-e", argv);
	for (k = 0; argv[k] != NULL; k++)
		;
	for (i = 0; i < p->nset; i++)
		argv[k++] = p->set[i];
	argv[k] = NULL;
	printf("running: %s\n", p->postconf);
	if ((rc = mailapply_run(argv)) != 0) {
		diag_err(d, NULL, 0, "'%s' failed (%s%d)%s", p->postconf, rc ==
		    -1 ? "not run: " : "exit ", rc, rc == -1 || rc == 127 ?
		    ": is Postfix's postconf on the PATH?" : "");
		return -1;
	}
	return 0;
}

/* Does main.cf now say what the plan set? */
static int
check_main(const struct pfconf *c, const struct pfplan *p, struct diags *d)
{
	struct pfconf *now = xmalloc(sizeof(*now));
	int rc = -1;

	if (pfconf_load(now, c->dir, PFCONF_POSTCONF) == -1)
		diag_err(d, c->main, 0, "%s", now->main_why);
	else if (strcmp(pf_value(&now->c, PF_CAFILE), p->mp.bundle) != 0 ||
	    (p->mp.capath != NULL && strcmp(pf_value(&now->c, PF_CAPATH),
	    p->mp.capath) != 0))
		diag_err(d, c->main, 0, "after postconf -e, smtp_tls_CAfile is "
		    "'%s' and smtp_tls_CApath '%s', not %s%s%s: an -o of "
		    "master.cf wins, or postconf did not write", pf_value(
		    &now->c, PF_CAFILE), pf_value(&now->c, PF_CAPATH),
		    p->mp.bundle, p->mp.capath ? " and " : "", p->mp.capath ?
		    p->mp.capath : "");
	else {
		printf("checked %s: smtp_tls_CAfile=%s%s%s\n", c->main,
		    p->mp.bundle, p->mp.capath ? ", smtp_tls_CApath=" : "",
		    p->mp.capath ? p->mp.capath : "");
		rc = 0;
	}
	pfconf_release(now);
	free(now);
	return rc;
}

/* postfix check, then reload if it runs. */
static int
check_reload(const struct pfconf *c, const struct pfplan *p,
    const struct smapply_opts *o, struct diags *d)
{
	const char *argv[6];
	int rc;

	postfix_argv(c, "postfix", "check", argv);
	printf("running: %s\n", p->check);
	if ((rc = mailapply_run(argv)) != 0) {
		diag_err(d, NULL, 0, "'%s' failed (%s%d)", p->check, rc == -1 ?
		    "not run: " : "exit ", rc);
		return -1;
	}
	if (o->no_restart) {
		printf("Postfix not reloaded (--no-restart)%s%s\n",
		    p->reload[0] ? ": " : "", p->reload);
		return 0;
	}
	if (p->pid <= 0) {
		printf("Postfix is not running: it reads main.cf when it "
		    "starts\n");
		return 0;
	}
	postfix_argv(c, "postfix", "reload", argv);
	printf("running: %s\n", p->reload);
	if ((rc = mailapply_run(argv)) != 0)
		diag_warn(d, NULL, 0, "'%s' failed (exit %d): its smtp "
		    "processes read main.cf as they start", p->reload, rc);
	return 0;
}

int
pfapply(const struct pfconf *c, const struct pfplan *p,
    const struct smapply_opts *o, struct diags *d)
{
	struct mailapply a;
	struct mailapply_change *mc = NULL;
	int i, rc = -1;

	memset(&a, 0, sizeof(a));
	a.mp = &p->mp;
	a.d = d;
	if (mailapply_probes(&a) == -1 || (p->nset > 0 &&
	    (mc = mailapply_change_of(&a, c->main)) == NULL))
		goto out;
	if (o->dry_run) {
		mailapply_diffs(&a);
		if (p->nset > 0)
			printf("would run: %s\nwould run: %s\nwould run: %s\n",
			    p->postconf, p->check, o->no_restart ? "nothing: "
			    "--no-restart" : p->reload[0] ? p->reload :
			    "nothing: Postfix is not running");
		rc = 0;
		goto out;
	}
	if (pfplan_empty(p))
		printf("nothing to change: smtp_tls_CAfile is %s, and every "
		    "relay is probed\n", p->mp.bundle);
	for (i = 0; i < a.n; i++)
		if (&a.ch[i] != mc && mailapply_commit(&a, &a.ch[i]) == -1)
			goto fail;
	if (p->mp.update && mailapply_update(&a) == -1)
		goto fail;
	if (mc != NULL) {
		if (mailapply_backup(&a, mc) == -1)
			goto fail;
		mc->written = 1;	/* postconf writes it: restore it */
		if (postconf_e(c, p, d) == -1 || check_main(c, p, d) == -1 ||
		    check_reload(c, p, o, d) == -1)
			goto fail;
	}
	rc = mailapply_probe_relays(&a);
	goto out;
fail:
	mailapply_restore(&a);
	diag_err(d, NULL, 0, "nothing was changed: every file is as it was, "
	    "and Postfix was not reloaded");
out:
	mailapply_release(&a);
	return rc;
}
