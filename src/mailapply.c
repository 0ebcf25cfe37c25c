/*
 * mailapply.c: what "sendmail-setup --apply" and "postfix-setup --apply"
 * share; see mailapply.h.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "diag.h"
#include "mailapply.h"
#include "mailcheck.h"
#include "mailplan.h"
#include "publish.h"
#include "xalloc.h"

#define MAX_FILE	(16 * 1024 * 1024)

extern char **environ;

/* Read path as it is now, refusing what root must not rewrite. */
struct mailapply_change *
mailapply_change_of(struct mailapply *r, const char *path)
{
	struct mailapply_change *c;
	struct stat st;
	const char *why;
	int i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->ch[i].path, path) == 0)
			return &r->ch[i];
	if (r->n == MAILAPPLY_MAX_CHANGES)
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
		if ((c->old = mailcheck_read(path, MAX_FILE, 0,
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

/* Write buf as path's content, atomically (publish.h), with mode. */
int
mailapply_write(const char *path, const char *buf, size_t len, mode_t mode,
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
int
mailapply_run(const char *const argv[])
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

int
mailapply_backup(struct mailapply *r, struct mailapply_change *c)
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
	if (mailapply_write(c->backup, c->old, c->oldlen, c->mode & 0644, r->d) ==
	    -1)
		return -1;
	printf("backed up %s to %s\n", c->path, c->backup);
	return 0;
}

/* Every file written goes back to what it held (a new one goes). */
void
mailapply_restore(struct mailapply *r)
{
	int i;

	for (i = r->n - 1; i >= 0; i--) {
		struct mailapply_change *c = &r->ch[i];

		if (!c->written) {
			/* backed up, then the step failed before writing */
			if (c->backup[0] != '\0')
				unlink(c->backup);
			continue;
		}
		if (!c->existed ? unlink(c->path) == 0 : mailapply_write(c->path,
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

int
mailapply_commit(struct mailapply *r, struct mailapply_change *c)
{
	if (c->newlen == c->oldlen && memcmp(c->new, c->old, c->oldlen) == 0)
		return 0;
	if (mailapply_backup(r, c) == -1 || mailapply_write(c->path, c->new, c->newlen,
	    c->mode, r->d) == -1)
		return -1;
	c->written = 1;
	printf("changed %s\n", c->path);
	return 0;
}

int
mailapply_self(char *buf, size_t size)
{
	ssize_t n;

	if ((n = readlink("/proc/self/exe", buf, size - 1)) == -1)
		return -1;
	buf[n] = '\0';
	return 0;
}

int
mailapply_update(struct mailapply *r)
{
	const char *argv[6];
	char self[PATH_MAX];
	int k = 0, rc;

	if (mailapply_self(self, sizeof(self)) == -1) {
		diag_err(r->d, "/proc/self/exe", 0, "%s", strerror(errno));
		return -1;
	}
	argv[k++] = self;
	argv[k++] = "-c";
	argv[k++] = r->mp->conffile;
	argv[k++] = "update";
	argv[k] = NULL;
	printf("running: %s\n", r->mp->update_cmd);
	rc = mailapply_run(argv);
	if (rc != EXIT_SUCCESS && rc != 2) {
		diag_err(r->d, NULL, 0, "'%s' failed (exit %d): %s was "
		    "not changed", r->mp->update_cmd, rc, r->mp->mta->name);
		return -1;
	}
	return 0;
}


int
mailapply_probe_relays(struct mailapply *r)
{
	char self[PATH_MAX];
	int i, bad = 0;

	if (mailapply_self(self, sizeof(self)) == -1) {
		diag_err(r->d, "/proc/self/exe", 0, "%s: the relays were not "
		    "probed", strerror(errno));
		return -1;
	}
	for (i = 0; i < r->mp->nrelay; i++) {
		const char *argv[] = { self, "probe", "--bundle", r->mp->bundle,
		    "--capath", r->mp->capath, r->mp->relay[i].url, NULL };

		if (r->mp->capath == NULL) {	/* the MTA reads no CApath */
			argv[4] = r->mp->relay[i].url;
			argv[5] = NULL;
		}

		printf("relay %s (%s):\n", r->mp->relay[i].url,
		    r->mp->relay[i].from);
		if (mailapply_run(argv) != 0)
			bad++;
	}
	if (bad > 0) {
		diag_err(r->d, NULL, 0, "%d relay%s still fail%s verification "
		    "(above); %s's configuration is done", bad, bad == 1 ?
		    "" : "s", bad == 1 ? "s" : "", r->mp->mta->name);
		return -1;
	}
	return 0;
}


int
mailapply_probes(struct mailapply *r)
{
	struct mailapply_change *c;
	char conf[8192];

	if (r->mp->nprobe == 0)
		return 0;
	if ((c = mailapply_change_of(r, r->mp->conffile)) == NULL)
		return -1;
	mailplan_probes_text(r->mp, conf, sizeof(conf));
	free(c->new);
	/* no file yet: the built-in configuration, and the probes */
	c->new = xasprintf("%s%s\n%s", c->existed ? c->old :
	    config_default_text, c->oldlen > 0 &&
	    c->old[c->oldlen - 1] != '\n' ? "\n" : "", conf);
	c->newlen = strlen(c->new);
	return 0;
}

void
mailapply_diffs(struct mailapply *r)
{
	char tmp[] = "/tmp/trustbuild-dry.XXXXXX", la[PATH_MAX + 8],
	    lb[PATH_MAX + 8];
	int i, fd;

	for (i = 0; i < r->n; i++) {
		struct mailapply_change *c = &r->ch[i];
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
		if (mailapply_run(argv) == -1)
			diag_warn(r->d, c->path, 0, "would be changed; diff(1) "
			    "could not run to show how: %s", strerror(errno));
		unlink(tmp);
	}
	if (r->mp->update)
		printf("would run: %s\n", r->mp->update_cmd);
}

void
mailapply_release(struct mailapply *r)
{
	int i;

	for (i = 0; i < r->n; i++) {
		free(r->ch[i].old);
		free(r->ch[i].new);
	}
	r->n = 0;
}
