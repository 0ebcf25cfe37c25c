/*
 * smapply.c: "sendmail-setup --apply" and "--dry-run"; see smapply.h.
 * What is sendmail's: the edits of the .mc, the rebuild of the .cf and
 * its check, the SIGHUP; the rest (backups, restore, [probe]s, update,
 * the relays probed) is every MTA's, mailapply.h.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "diag.h"
#include "mailapply.h"
#include "mailcheck.h"
#include "publish.h"
#include "sendmail.h"
#include "smapply.h"
#include "smconf.h"
#include "smconf_m4.h"
#include "smplan.h"
#include "xalloc.h"

#define BUILD_SECONDS	120

/* The shared part (mailapply.h) first: a struct run is a mailapply. */
struct run {
	struct mailapply	 a;
	const struct smconf	*s;
	const struct smplan	*p;
	const struct smapply_opts *o;
};

/* The edited line: text, and what followed the old define's ")dnl". */
static char *
edited_line(const char *old, size_t n, const char *text)
{
	const char *tail = NULL, *p;

	for (p = old; p + 4 <= old + n; p++)
		if (memcmp(p, ")dnl", 4) == 0)
			tail = p + 4;
	if (tail == NULL)
		tail = old + n;
	return xasprintf("%s%.*s", text, (int)(old + n - tail), tail);
}

/* Apply one edit to c->new: replace line e->line, or insert before it. */
static void
edit(struct mailapply_change *c, const struct smedit *e)
{
	char *buf = c->new, *out, *ins;
	size_t line = 1, i = 0, start, end;

	while (line < e->line && i < c->newlen) {
		if (buf[i++] == '\n')
			line++;
	}
	start = (e->line == 0 || line < e->line) ? c->newlen : i;
	end = start;
	while (end < c->newlen && buf[end] != '\n')
		end++;
	if (e->op == SMEDIT_REPLACE && start < c->newlen) {
		ins = edited_line(buf + start, end - start, e->text);
		out = xasprintf("%.*s%s%s", (int)start, buf, ins, buf + end);
	} else {
		/* at the end: after a last line that lacks its '\n' */
		ins = xstrdup(e->text);
		out = xasprintf("%.*s%s%s\n%s", (int)start, buf,
		    start > 0 && start == c->newlen && buf[start - 1] != '\n' ?
		    "\n" : "", ins, buf + start);
	}
	free(ins);
	free(c->new);
	c->new = out;
	c->newlen = strlen(out);
}

static size_t
bottom(const struct smedit *e)
{
	return e->line == 0 ? (size_t)-1 : e->line;
}

/* The changes of the plan, computed: the files edited, the configuration. */
static int
prepare(struct run *r)
{
	const struct smplan *p = r->p;
	struct mailapply_change *c;
	int i, order[2] = { 0, 1 };

	/* bottom up, so that an insert does not move a later line */
	if (p->nedit == 2 && bottom(&p->edit[1]) > bottom(&p->edit[0])) {
		order[0] = 1;
		order[1] = 0;
	}
	for (i = 0; i < p->nedit; i++) {
		if ((c = mailapply_change_of(&r->a, p->edit[order[i]].file)) == NULL)
			return -1;
		edit(c, &p->edit[order[i]]);
	}
	return mailapply_probes(&r->a);
}

static void
dry_run(struct run *r)
{
	mailapply_diffs(&r->a);
	if (r->p->rebuild)
		printf("would run: %s\n", r->p->build);
	if (r->p->rebuild && !r->o->no_restart)
		printf("would run: %s\n", r->p->reload[0] ? r->p->reload :
		    "nothing: sendmail is not running");
}

/* The .cf, rebuilt: Debian's make, else m4 into a temp file. */
static int
rebuild(struct run *r, struct mailapply_change *cf)
{
	const struct smconf *s = r->s;
	const char *argv[8], *mk[] = { "make", "-C", r->p->makedir,
	    "sendmail.cf", NULL };
	char d[300], m[300], err[2048], tmp[PATH_MAX], *buf, *dir;
	const char *why;
	size_t len;
	int fd, rc;

	printf("running: %s\n", r->p->build);
	if (r->p->make) {
		if ((rc = mailapply_run(mk)) != 0) {
			diag_err(r->a.d, NULL, 0, "'%s' failed (exit %d)",
			    r->p->build, rc);
			return -1;
		}
		cf->written = 1;	/* make wrote it */
		return 0;
	}
	if (smconf_build_argv(s, d, sizeof(d), m, sizeof(m), argv) == -1) {
		diag_err(r->a.d, s->mcpath, 0, "no sendmail cf macros (m4/cf.m4) "
		    "to build the .cf with: install sendmail-cf");
		return -1;
	}
	dir = publish_dirname(s->cfpath);
	snprintf(tmp, sizeof(tmp), "%s/.sendmail.cf.trustbuild.XXXXXX", dir);
	free(dir);
	if ((fd = mkstemp(tmp)) == -1) {
		diag_err(r->a.d, tmp, 0, "%s", strerror(errno));
		return -1;
	}
	close(fd);
	rc = smconf_run(argv, NULL, tmp, err, sizeof(err), BUILD_SECONDS);
	buf = mailcheck_read(tmp, SMCONF_MAX_FILE, 0, &len, NULL, &why);
	unlink(tmp);
	if (rc != 0 || strstr(err, "ERROR") != NULL || buf == NULL) {
		err[strcspn(err, "\n")] = '\0';
		diag_err(r->a.d, s->mcpath, 0, "m4 could not build the .cf "
		    "(exit %d)%s%s", rc, err[0] ? ": " : "", err);
		free(buf);
		return -1;
	}
	free(cf->new);
	cf->new = buf;
	cf->newlen = len;
	if (mailapply_write(cf->path, cf->new, cf->newlen, cf->mode, r->a.d) == -1)
		return -1;
	cf->written = 1;
	printf("changed %s\n", cf->path);
	return 0;
}

/* Does the .cf now name the published bundle and CApath? */
static int
check_cf(struct run *r)
{
	struct sm_config cf;
	const char *why;
	char *buf;
	size_t len;

	if ((buf = mailcheck_read(r->s->cfpath, SMCONF_MAX_FILE, 0, &len,
	    NULL, &why)) == NULL) {
		diag_err(r->a.d, r->s->cfpath, 0, "%s", why);
		return -1;
	}
	sm_parse_cf(buf, len, &cf);
	free(buf);
	if (cf.s[SM_CACERT].state != SM_SET || cf.s[SM_CACERT_PATH].state !=
	    SM_SET || strcmp(cf.s[SM_CACERT].value, r->p->mp.bundle) != 0 ||
	    strcmp(cf.s[SM_CACERT_PATH].value, r->p->mp.capath) != 0 ||
	    cf.lines < 100) {
		diag_err(r->a.d, r->s->cfpath, 0, "the rebuilt .cf does not set "
		    "CACertFile=%s and CACertPath=%s (%d lines): something else "
		    "in the .mc wins, or the build failed", r->p->mp.bundle,
		    r->p->mp.capath, cf.lines);
		return -1;
	}
	printf("checked %s: CACertFile=%s, CACertPath=%s\n", r->s->cfpath,
	    r->p->mp.bundle, r->p->mp.capath);
	return 0;
}

static void
reload(struct run *r)
{
	struct diags d = DIAGS_INIT;
	struct stat st;

	if (r->o->no_restart) {
		printf("sendmail not reloaded (--no-restart): %s\n",
		    r->p->reload[0] ? r->p->reload : "it is not running");
		return;
	}
	if (r->p->pid <= 0) {
		printf("sendmail is not running: it reads the new .cf when it "
		    "starts\n");
		return;
	}
	/* a pid file another user can write names any process to signal */
	if (stat(r->p->pidfile, &st) == -1 || config_owner_ok(r->p->pidfile,
	    &st, "pid file", &d) == -1) {
		diag_warn(r->a.d, NULL, 0, "sendmail not reloaded: %s",
		    diags_first_err(&d) ? diags_first_err(&d) : strerror(errno));
		diags_clear(&d);
		return;
	}
	if (kill((pid_t)r->p->pid, SIGHUP) == 0)
		printf("reloaded sendmail (pid %ld, SIGHUP)\n", r->p->pid);
	else
		diag_warn(r->a.d, NULL, 0, "could not reload sendmail (pid %ld): "
		    "%s; run %s", r->p->pid, strerror(errno), r->p->reload);
}

int
smapply(const struct smconf *s, const struct smplan *p,
    const struct smapply_opts *o, struct diags *d)
{
	struct run r;
	struct mailapply *a = &r.a;
	struct mailapply_change *cf = NULL;
	int i, rc = -1;

	memset(&r, 0, sizeof(r));
	r.s = s;
	r.p = p;
	r.o = o;
	a->d = d;
	a->mp = &p->mp;
	if (prepare(&r) == -1 || (p->rebuild && (cf = mailapply_change_of(a,
	    s->cfpath)) == NULL))
		goto out;
	if (o->dry_run) {
		dry_run(&r);
		rc = 0;
		goto out;
	}
	if (smplan_empty(p))
		printf("nothing to change: sendmail.cf names %s and %s, and "
		    "every relay is probed\n", p->mp.bundle, p->mp.capath);
	for (i = 0; i < a->n; i++)
		if (strcmp(a->ch[i].path, p->mp.conffile) == 0 &&
		    mailapply_commit(a, &a->ch[i]) == -1)
			goto fail;
	if (p->mp.update && mailapply_update(a) == -1)
		goto fail;
	for (i = 0; i < a->n; i++)
		if (&a->ch[i] != cf && strcmp(a->ch[i].path,
		    p->mp.conffile) != 0 && mailapply_commit(a, &a->ch[i]) == -1)
			goto fail;
	if (p->rebuild && (mailapply_backup(a, cf) == -1 ||
	    rebuild(&r, cf) == -1 || check_cf(&r) == -1))
		goto fail;
	if (p->rebuild)
		reload(&r);
	rc = mailapply_probe_relays(a);
	goto out;
fail:
	mailapply_restore(a);
	diag_err(d, NULL, 0, "nothing was changed: every file is as it was, "
	    "and sendmail was not reloaded");
out:
	mailapply_release(a);
	return rc;
}
