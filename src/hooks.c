/*
 * hooks.c: run hooks after a change, see hooks.h.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "hooks.h"
#include "diag.h"
#include "state.h"
#include "xalloc.h"

#define MAX_HOOKS	256

static void
nap(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/*
 * Run argv with input on its stdin; wait at most timeout_s.  Returns 0 when
 * it exited 0, else -1 after a message naming what in d.
 */
static int
run_one(const char *what, char *const argv[], const char *input, size_t len,
    const struct hooks_env *env, unsigned timeout_s, struct diags *d)
{
	time_t deadline = time(NULL) + (time_t)timeout_s;
	size_t off = 0;
	pid_t pid, w;
	ssize_t got;
	int p[2], ep[2], status, killed = 0, e;

	/* ep: the child's errno when exec fails (closed by a good exec) */
	if (pipe2(p, O_CLOEXEC) == -1 || pipe2(ep, O_CLOEXEC) == -1) {
		diag_err(d, NULL, 0, "%s: cannot run: %s", what,
		    strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		diag_err(d, NULL, 0, "%s: cannot run: %s", what,
		    strerror(errno));
		close(p[0]);
		close(p[1]);
		close(ep[0]);
		close(ep[1]);
		return -1;
	}
	if (pid == 0) {
		char n[32];

		close(ep[0]);
		setpgid(0, 0);
		if (dup2(p[0], 0) == -1)
			_exit(126);
		setenv("TRUSTBUILD_BUNDLE", env->bundle, 1);
		setenv("TRUSTBUILD_CAPATH", env->capath, 1);
		setenv("TRUSTBUILD_CHANGED", env->changed ? env->changed : "",
		    1);
		setenv("TRUSTBUILD_CHANGED_PATHS", env->changed_paths ?
		    env->changed_paths : "", 1);
		snprintf(n, sizeof(n), "%zu", env->added);
		setenv("TRUSTBUILD_ADDED", n, 1);
		snprintf(n, sizeof(n), "%zu", env->removed);
		setenv("TRUSTBUILD_REMOVED", n, 1);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], argv);
		e = errno;
		if (write(ep[1], &e, sizeof(e)) != (ssize_t)sizeof(e))
			_exit(126);
		_exit(127);
	}
	close(p[0]);
	close(ep[1]);
	while ((got = read(ep[0], &e, sizeof(e))) == -1 && errno == EINTR)
		;
	close(ep[0]);
	if (got == (ssize_t)sizeof(e)) {
		close(p[1]);
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
		diag_err(d, NULL, 0, "%s: cannot run: %s", what, strerror(e));
		return -1;
	}
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	for (;;) {
		if (p[1] != -1) {
			ssize_t n = off < len ?
			    write(p[1], input + off, len - off) : 0;

			if (n > 0)
				off += (size_t)n;
			/* done, or the hook closed its stdin (EPIPE) */
			if (off == len || (n == -1 && errno != EAGAIN &&
			    errno != EINTR)) {
				close(p[1]);
				p[1] = -1;
			}
		}
		if ((w = waitpid(pid, &status, WNOHANG)) == pid)
			break;
		if (w == -1 && errno != EINTR) {
			diag_err(d, NULL, 0, "%s: %s", what, strerror(errno));
			status = -1;
			break;
		}
		if (time(NULL) >= deadline && killed < 2) {
			kill(-pid, killed == 0 ? SIGTERM : SIGKILL);
			kill(pid, killed == 0 ? SIGTERM : SIGKILL);
			killed++;
			deadline = time(NULL) + 2;
		}
		nap();
	}
	if (p[1] != -1)
		close(p[1]);
	if (killed > 0) {
		diag_err(d, NULL, 0, "%s: still running after %u s "
		    "(hook-timeout in [output]); killed", what, timeout_s);
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		diag_err(d, NULL, 0, "%s: failed with exit status %d", what,
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		diag_err(d, NULL, 0, "%s: killed by signal %d", what,
		    WTERMSIG(status));
	return -1;
}

static int
hook_name(const char *s)
{
	return *s != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == strlen(s);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
hooks_run(const char *dir, const char *reload, const char *input,
    size_t len, const struct hooks_env *env, unsigned timeout_s,
    struct diags *d)
{
	char *names[MAX_HOOKS], path[4096], what[4200];
	struct dirent *de;
	struct stat st;
	size_t n = 0, i;
	int failed = 0;
	DIR *dp;

	if (dir != NULL && (dp = opendir(dir)) != NULL) {
		while ((de = readdir(dp)) != NULL) {
			if (!hook_name(de->d_name))
				continue;
			/* which would be arbitrary: none run, and say so */
			if (n == MAX_HOOKS) {
				diag_err(d, NULL, 0, "'%s': more than %d "
				    "hooks; none run", dir, MAX_HOOKS);
				failed++;
				break;
			}
			names[n++] = xstrdup(de->d_name);
		}
		closedir(dp);
		if (failed) {
			while (n > 0)
				free(names[--n]);
		}
		qsort(names, n, sizeof(names[0]), cmp_str);
	} else if (dir != NULL && errno != ENOENT) {
		diag_err(d, NULL, 0, "'%s': cannot read the hooks: %s", dir,
		    strerror(errno));
		failed++;
	}
	for (i = 0; i < n; i++) {
		char *argv[2];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(what, sizeof(what), "hook '%s'", path);
		if (stat(path, &st) == -1 || !S_ISREG(st.st_mode) ||
		    access(path, X_OK) != 0) {
			diag_info(d, NULL, 0, "'%s': not an executable file; "
			    "skipped", path);
			continue;
		}
		/* checked with the configuration; again, as it runs now */
		if (config_owner_ok(path, &st, "hook", d) == -1) {
			failed++;
			continue;
		}
		diag_info(d, NULL, 0, "running hook '%s'", path);
		argv[0] = path;
		argv[1] = NULL;
		if (run_one(what, argv, input, len, env, timeout_s, d) == -1)
			failed++;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	if (reload != NULL) {
		char *argv[] = { "/bin/sh", "-c", (char *)reload, NULL };

		snprintf(what, sizeof(what), "reload command '%s'", reload);
		diag_info(d, NULL, 0, "running %s", what);
		if (run_one(what, argv, input, len, env, timeout_s, d) == -1)
			failed++;
	}
	return failed;
}

/*
 * The failures in hd (from hooks_run) into d, each as one line that says
 * what follows from it (what); the rest of hd as it is.
 */
static void
failed_lines(struct diags *d, struct diags *hd, int failed, const char *what)
{
	char buf[2048];
	size_t i, nerr = 0;

	for (i = 0; i < hd->n; i++) {
		const struct diag *e = &hd->v[i];

		if (e->level != DIAG_ERR) {
			diag_add(d, e->level, e->code, e->file, e->line, "%s",
			    e->msg);
			continue;
		}
		diag_err(d, NULL, 0, "%s: %s", what, diag_format(e, buf,
		    sizeof(buf)));
		nerr++;
	}
	if (failed > 0 && nerr == 0)
		diag_err(d, NULL, 0, "%s", what);
	diags_clear(hd);
}

int
hooks_pending(const struct config *c, const struct hooks_env *env,
    struct diags *d)
{
	struct diags hd = DIAGS_INIT;
	char *pend = NULL;
	int got, failed;

	if ((got = state_read(c->state, HOOKS_PENDING, &pend, d)) != 1)
		return got;
	diag_notice(d, NULL, 0, "the hooks of an earlier change failed; "
	    "running them again");
	failed = hooks_run(c->hooks, c->reload, pend, strlen(pend), env,
	    c->hook_timeout, &hd);
	free(pend);
	if (failed > 0) {
		failed_lines(d, &hd, failed, "the hooks of an earlier change "
		    "failed again; they run again at the next update");
		return -1;
	}
	diags_move(d, &hd);
	return state_remove(c->state, HOOKS_PENDING, d);
}

int
hooks_changed(const struct config *c, const char *changes, size_t len,
    const struct hooks_env *env, struct diags *d)
{
	struct diags hd = DIAGS_INIT;
	char *pend = NULL, *both;
	int failed;

	failed = hooks_run(c->hooks, c->reload, changes, len, env,
	    c->hook_timeout, &hd);
	if (failed == 0) {
		diags_move(d, &hd);
		state_remove(c->state, HOOKS_PENDING, d);
		return 0;
	}
	/* keep every unannounced change for the next run's hooks */
	if (state_read(c->state, HOOKS_PENDING, &pend, d) == 1) {
		both = xasprintf("%s%.*s", pend, (int)len, changes);
		state_write(c->state, HOOKS_PENDING, both, strlen(both), d);
		free(both);
	} else
		state_write(c->state, HOOKS_PENDING, changes, len, d);
	free(pend);
	failed_lines(d, &hd, failed, "the store is published, but a hook "
	    "failed; the hooks run again at the next update");
	return -1;
}
