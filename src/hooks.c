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
#include "log.h"

#define MAX_HOOKS	256

static void
nap(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/*
 * Run argv with input on its stdin; wait at most timeout_s.  Returns 0 when
 * it exited 0, else -1 after a message naming what.
 */
static int
run_one(const char *what, char *const argv[], const char *input, size_t len,
    const struct hooks_env *env, unsigned timeout_s)
{
	time_t deadline = time(NULL) + (time_t)timeout_s;
	size_t off = 0;
	pid_t pid, w;
	int p[2], status, killed = 0;

	if (pipe2(p, O_CLOEXEC) == -1) {
		log_err("%s: cannot run: %s", what, strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		log_err("%s: cannot run: %s", what, strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		char n[32];

		setpgid(0, 0);
		if (dup2(p[0], 0) == -1)
			_exit(126);
		setenv("TRUSTBUILD_BUNDLE", env->bundle, 1);
		setenv("TRUSTBUILD_CAPATH", env->capath, 1);
		snprintf(n, sizeof(n), "%zu", env->added);
		setenv("TRUSTBUILD_ADDED", n, 1);
		snprintf(n, sizeof(n), "%zu", env->removed);
		setenv("TRUSTBUILD_REMOVED", n, 1);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], argv);
		fprintf(stderr, "trustbuild: %s: %s\n", what, strerror(errno));
		_exit(127);
	}
	close(p[0]);
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
			log_err("%s: %s", what, strerror(errno));
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
		log_err("%s: still running after %u s (hook-timeout in "
		    "[output]); killed", what, timeout_s);
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		log_err("%s: failed with exit status %d", what,
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		log_err("%s: killed by signal %d", what, WTERMSIG(status));
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
    size_t len, const struct hooks_env *env, unsigned timeout_s)
{
	char *names[MAX_HOOKS], path[4096], what[4200];
	struct dirent *de;
	struct stat st;
	size_t n = 0, i;
	int failed = 0;
	DIR *d;

	if (dir != NULL && (d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (!hook_name(de->d_name))
				continue;
			/* which ones would be arbitrary: none run, and say so */
			if (n == MAX_HOOKS) {
				log_err("'%s': more than %d hooks; none run",
				    dir, MAX_HOOKS);
				failed++;
				break;
			}
			if ((names[n] = strdup(de->d_name)) == NULL) {
				log_err("'%s': out of memory", dir);
				failed++;
				break;
			}
			n++;
		}
		closedir(d);
		if (failed) {
			while (n > 0)
				free(names[--n]);
		}
		qsort(names, n, sizeof(names[0]), cmp_str);
	} else if (dir != NULL && errno != ENOENT) {
		log_err("'%s': cannot read the hooks: %s", dir,
		    strerror(errno));
		failed++;
	}
	for (i = 0; i < n; i++) {
		char *argv[2];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(what, sizeof(what), "hook '%s'", path);
		if (stat(path, &st) == -1 || !S_ISREG(st.st_mode) ||
		    access(path, X_OK) != 0) {
			log_info("'%s': not an executable file; skipped", path);
			continue;
		}
		/* checked with the configuration; again, as it runs now */
		if (config_check_owner(path, &st, "hook") == -1) {
			failed++;
			continue;
		}
		log_info("running hook '%s'", path);
		argv[0] = path;
		argv[1] = NULL;
		if (run_one(what, argv, input, len, env, timeout_s) == -1)
			failed++;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	if (reload != NULL) {
		char *argv[] = { "/bin/sh", "-c", (char *)reload, NULL };

		snprintf(what, sizeof(what), "reload command '%s'", reload);
		log_info("running %s", what);
		if (run_one(what, argv, input, len, env, timeout_s) == -1)
			failed++;
	}
	return failed;
}
