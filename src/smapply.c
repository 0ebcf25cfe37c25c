/*
 * smapply.c: "sendmail-setup --apply" and "--dry-run"; see smapply.h.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "diag.h"
#include "mailcheck.h"
#include "publish.h"
#include "sendmail.h"
#include "smapply.h"
#include "smconf.h"
#include "smconf_m4.h"
#include "smplan.h"
#include "xalloc.h"

extern char **environ;

#define MAX_CHANGES	4
#define BUILD_SECONDS	120

/* A file --apply changes: what it held and what it will hold. */
struct change {
	const char	*path;
	char		*old, *new;
	size_t		 oldlen, newlen;
	int		 existed;
	mode_t		 mode;
	char		 backup[PATH_MAX];
	int		 written;
};

struct run {
	const struct smconf	*s;
	const struct smplan	*p;
	const struct smapply_opts *o;
	struct change		 ch[MAX_CHANGES];
	int			 n;
	struct diags		*d;
};

/* Read path as it is now, refusing what root must not rewrite. */
static struct change *
change_of(struct run *r, const char *path)
{
	struct change *c;
	struct stat st;
	const char *why;
	int i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->ch[i].path, path) == 0)
			return &r->ch[i];
	if (r->n == MAX_CHANGES)
		return NULL;
	c = &r->ch[r->n];
	memset(c, 0, sizeof(*c));
	c->path = path;
	c->mode = 0644;
	if (lstat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			diag_err(r->d, path, 0, "not a regular file (%s): "
			    "trustbuild edits only the file itself; give its "
			    "real path", S_ISLNK(st.st_mode) ?
			    "a symbolic link" : "a special file");
			return NULL;
		}
		if (config_owner_ok(path, &st, "file to edit", r->d) == -1)
			return NULL;
		if ((c->old = mailcheck_read(path, SMCONF_MAX_FILE, 0,
		    &c->oldlen, NULL, &why)) == NULL) {
			diag_err(r->d, path, 0, "%s", why);
			return NULL;
		}
		c->existed = 1;
		c->mode = st.st_mode & 0755;
	} else if (errno != ENOENT) {
		diag_err(r->d, path, 0, "%s", strerror(errno));
		return NULL;
	} else
		c->old = xstrdup("");
	c->new = xmalloc(c->oldlen + 1);
	memcpy(c->new, c->old, c->oldlen + 1);
	c->newlen = c->oldlen;
	r->n++;
	return c;
}

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
edit(struct change *c, const struct smedit *e)
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

/* Write buf as path's content, atomically (publish.h), with mode. */
static int
write_file(const char *path, const char *buf, size_t len, mode_t mode,
    struct diags *d)
{
	struct pending pd;
	char *dir = publish_dirname(path);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int dfd, rc = -1;

	memset(&pd, 0, sizeof(pd));
	if ((dfd = publish_open_dir(dir)) == -1) {
		diag_err(d, dir, 0, "%s", strerror(errno));
		free(dir);
		return -1;
	}
	if (publish_file_prepare_at(&pd, dfd, dir, base, buf, len, mode, 0,
	    d) == 0 && publish_commit_all(&pd, 1, d) == 0)
		rc = 0;
	publish_abort(&pd);
	publish_release(&pd);
	close(dfd);
	free(dir);
	return rc;
}

/* Run argv with our stdout and stderr; its exit status, or -1. */
static int
run_cmd(const char *const argv[])
{
	pid_t pid;
	int st, e;

	fflush(stdout);
	if ((e = posix_spawnp(&pid, argv[0], NULL, NULL, (char *const *)argv,
	    environ)) != 0) {
		errno = e;
		return -1;
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int
backup(struct run *r, struct change *c)
{
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	struct stat st;
	int i;

	if (!c->existed)
		return 0;
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
	snprintf(c->backup, sizeof(c->backup), "%s.trustbuild-%s", c->path,
	    stamp);
	for (i = 2; lstat(c->backup, &st) == 0 && i < 100; i++)
		snprintf(c->backup, sizeof(c->backup), "%s.trustbuild-%s-%d",
		    c->path, stamp, i);
	if (write_file(c->backup, c->old, c->oldlen, c->mode & 0644, r->d) ==
	    -1)
		return -1;
	printf("backed up %s to %s\n", c->path, c->backup);
	return 0;
}

/* Every file written goes back to what it held (a new one goes). */
static void
restore(struct run *r)
{
	int i;

	for (i = r->n - 1; i >= 0; i--) {
		struct change *c = &r->ch[i];

		if (!c->written) {
			/* backed up, then the step failed before writing */
			if (c->backup[0] != '\0')
				unlink(c->backup);
			continue;
		}
		if (!c->existed ? unlink(c->path) == 0 : write_file(c->path,
		    c->old, c->oldlen, c->mode, r->d) == 0) {
			printf("restored %s\n", c->path);
			if (c->backup[0] != '\0')
				unlink(c->backup);
		} else
			diag_err(r->d, c->path, 0, "could not be restored; its "
			    "backup is %s", c->backup[0] ? c->backup :
			    "(none: it did not exist)");
	}
}

static int
commit(struct run *r, struct change *c)
{
	if (c->newlen == c->oldlen && memcmp(c->new, c->old, c->oldlen) == 0)
		return 0;
	if (backup(r, c) == -1 || write_file(c->path, c->new, c->newlen,
	    c->mode, r->d) == -1)
		return -1;
	c->written = 1;
	printf("changed %s\n", c->path);
	return 0;
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
	struct change *c;
	char conf[8192];
	int i, order[2] = { 0, 1 };

	/* bottom up, so that an insert does not move a later line */
	if (p->nedit == 2 && bottom(&p->edit[1]) > bottom(&p->edit[0])) {
		order[0] = 1;
		order[1] = 0;
	}
	for (i = 0; i < p->nedit; i++) {
		if ((c = change_of(r, p->edit[order[i]].file)) == NULL)
			return -1;
		edit(c, &p->edit[order[i]]);
	}
	if (p->nprobe > 0) {
		if ((c = change_of(r, p->conffile)) == NULL)
			return -1;
		smplan_probes_text(p, conf, sizeof(conf));
		free(c->new);
		/* no file yet: the built-in configuration, and the probes */
		c->new = xasprintf("%s%s\n%s", c->existed ? c->old :
		    config_default_text, c->oldlen > 0 &&
		    c->old[c->oldlen - 1] != '\n' ? "\n" : "", conf);
		c->newlen = strlen(c->new);
	}
	return 0;
}

static void
dry_run(struct run *r)
{
	char tmp[] = "/tmp/trustbuild-dry.XXXXXX", la[PATH_MAX + 8],
	    lb[PATH_MAX + 8];
	int i, fd;

	for (i = 0; i < r->n; i++) {
		struct change *c = &r->ch[i];
		const char *argv[] = { "diff", "-u", "--label", la, "--label",
		    lb, c->existed ? c->path : "/dev/null", tmp, NULL };

		if (c->newlen == c->oldlen && memcmp(c->new, c->old,
		    c->oldlen) == 0)
			continue;
		snprintf(tmp, sizeof(tmp), "/tmp/trustbuild-dry.XXXXXX");
		if ((fd = mkstemp(tmp)) == -1)
			continue;
		if (write(fd, c->new, c->newlen) != (ssize_t)c->newlen) {
			close(fd);
			unlink(tmp);
			continue;
		}
		close(fd);
		snprintf(la, sizeof(la), "%s", c->existed ? c->path :
		    "/dev/null");
		snprintf(lb, sizeof(lb), "%s", c->path);
		/* diff exits 1 for a difference; -1: it could not run */
		if (run_cmd(argv) == -1)
			diag_warn(r->d, c->path, 0, "would be changed; diff(1) "
			    "could not run to show how: %s", strerror(errno));
		unlink(tmp);
	}
	if (r->p->update)
		printf("would run: %s\n", r->p->update_cmd);
	if (r->p->rebuild)
		printf("would run: %s\n", r->p->build);
	if (r->p->rebuild && !r->o->no_restart)
		printf("would run: %s\n", r->p->reload[0] ? r->p->reload :
		    "nothing: sendmail is not running");
}

/* This binary, to run update and probe with: 0, or -1 with errno. */
static int
self_exe(char *buf, size_t size)
{
	ssize_t n;

	if ((n = readlink("/proc/self/exe", buf, size - 1)) == -1)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* update, with the configuration the [probe]s went into */
static int
update(struct run *r)
{
	const char *argv[6];
	char self[PATH_MAX];
	int k = 0, rc;

	if (self_exe(self, sizeof(self)) == -1) {
		diag_err(r->d, "/proc/self/exe", 0, "%s", strerror(errno));
		return -1;
	}
	argv[k++] = self;
	argv[k++] = "-c";
	argv[k++] = r->p->conffile;
	argv[k++] = "update";
	argv[k] = NULL;
	printf("running: %s\n", r->p->update_cmd);
	rc = run_cmd(argv);
	if (rc != EXIT_SUCCESS && rc != 2) {
		diag_err(r->d, NULL, 0, "'%s' failed (exit %d): sendmail was "
		    "not changed", r->p->update_cmd, rc);
		return -1;
	}
	return 0;
}

/* The .cf, rebuilt: Debian's make, else m4 into a temp file. */
static int
rebuild(struct run *r, struct change *cf)
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
		if ((rc = run_cmd(mk)) != 0) {
			diag_err(r->d, NULL, 0, "'%s' failed (exit %d)",
			    r->p->build, rc);
			return -1;
		}
		cf->written = 1;	/* make wrote it */
		return 0;
	}
	if (smconf_build_argv(s, d, sizeof(d), m, sizeof(m), argv) == -1) {
		diag_err(r->d, s->mcpath, 0, "no sendmail cf macros (m4/cf.m4) "
		    "to build the .cf with: install sendmail-cf");
		return -1;
	}
	dir = publish_dirname(s->cfpath);
	snprintf(tmp, sizeof(tmp), "%s/.sendmail.cf.trustbuild.XXXXXX", dir);
	free(dir);
	if ((fd = mkstemp(tmp)) == -1) {
		diag_err(r->d, tmp, 0, "%s", strerror(errno));
		return -1;
	}
	close(fd);
	rc = smconf_run(argv, NULL, tmp, err, sizeof(err), BUILD_SECONDS);
	buf = mailcheck_read(tmp, SMCONF_MAX_FILE, 0, &len, NULL, &why);
	unlink(tmp);
	if (rc != 0 || strstr(err, "ERROR") != NULL || buf == NULL) {
		err[strcspn(err, "\n")] = '\0';
		diag_err(r->d, s->mcpath, 0, "m4 could not build the .cf "
		    "(exit %d)%s%s", rc, err[0] ? ": " : "", err);
		free(buf);
		return -1;
	}
	free(cf->new);
	cf->new = buf;
	cf->newlen = len;
	if (write_file(cf->path, cf->new, cf->newlen, cf->mode, r->d) == -1)
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
		diag_err(r->d, r->s->cfpath, 0, "%s", why);
		return -1;
	}
	sm_parse_cf(buf, len, &cf);
	free(buf);
	if (cf.s[SM_CACERT].state != SM_SET || cf.s[SM_CACERT_PATH].state !=
	    SM_SET || strcmp(cf.s[SM_CACERT].value, r->p->bundle) != 0 ||
	    strcmp(cf.s[SM_CACERT_PATH].value, r->p->capath) != 0 ||
	    cf.lines < 100) {
		diag_err(r->d, r->s->cfpath, 0, "the rebuilt .cf does not set "
		    "CACertFile=%s and CACertPath=%s (%d lines): something else "
		    "in the .mc wins, or the build failed", r->p->bundle,
		    r->p->capath, cf.lines);
		return -1;
	}
	printf("checked %s: CACertFile=%s, CACertPath=%s\n", r->s->cfpath,
	    r->p->bundle, r->p->capath);
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
		diag_warn(r->d, NULL, 0, "sendmail not reloaded: %s",
		    diags_first_err(&d) ? diags_first_err(&d) : strerror(errno));
		diags_clear(&d);
		return;
	}
	if (kill((pid_t)r->p->pid, SIGHUP) == 0)
		printf("reloaded sendmail (pid %ld, SIGHUP)\n", r->p->pid);
	else
		diag_warn(r->d, NULL, 0, "could not reload sendmail (pid %ld): "
		    "%s; run %s", r->p->pid, strerror(errno), r->p->reload);
}

/* Each relay, as sendmail will verify it now: 0 all OK, else -1. */
static int
probe_relays(struct run *r)
{
	char self[PATH_MAX];
	int i, bad = 0;

	if (self_exe(self, sizeof(self)) == -1) {
		diag_err(r->d, "/proc/self/exe", 0, "%s: the relays were not "
		    "probed", strerror(errno));
		return -1;
	}
	for (i = 0; i < r->p->nrelay; i++) {
		const char *argv[] = { self, "probe", "--bundle", r->p->bundle,
		    "--capath", r->p->capath, r->p->relay[i].url, NULL };

		printf("relay %s (%s):\n", r->p->relay[i].url,
		    r->p->relay[i].from);
		if (run_cmd(argv) != 0)
			bad++;
	}
	if (bad > 0) {
		diag_err(r->d, NULL, 0, "%d relay%s still fail%s verification "
		    "(above); sendmail's configuration is done", bad, bad == 1 ?
		    "" : "s", bad == 1 ? "s" : "");
		return -1;
	}
	return 0;
}

int
smapply(const struct smconf *s, const struct smplan *p,
    const struct smapply_opts *o, struct diags *d)
{
	struct run r;
	struct change *cf = NULL;
	int i, rc = -1;

	memset(&r, 0, sizeof(r));
	r.s = s;
	r.p = p;
	r.o = o;
	r.d = d;
	if (prepare(&r) == -1 || (p->rebuild && (cf = change_of(&r,
	    s->cfpath)) == NULL))
		goto out;
	if (o->dry_run) {
		dry_run(&r);
		rc = 0;
		goto out;
	}
	if (smplan_empty(p))
		printf("nothing to change: sendmail.cf names %s and %s, and "
		    "every relay is probed\n", p->bundle, p->capath);
	for (i = 0; i < r.n; i++)
		if (strcmp(r.ch[i].path, p->conffile) == 0 &&
		    commit(&r, &r.ch[i]) == -1)
			goto fail;
	if (p->update && update(&r) == -1)
		goto fail;
	for (i = 0; i < r.n; i++)
		if (&r.ch[i] != cf && strcmp(r.ch[i].path, p->conffile) != 0 &&
		    commit(&r, &r.ch[i]) == -1)
			goto fail;
	if (p->rebuild && (backup(&r, cf) == -1 || rebuild(&r, cf) == -1 ||
	    check_cf(&r) == -1))
		goto fail;
	if (p->rebuild)
		reload(&r);
	rc = probe_relays(&r);
	goto out;
fail:
	restore(&r);
	diag_err(d, NULL, 0, "nothing was changed: every file is as it was, "
	    "and sendmail was not reloaded");
out:
	for (i = 0; i < r.n; i++) {
		free(r.ch[i].old);
		free(r.ch[i].new);
	}
	return rc;
}
