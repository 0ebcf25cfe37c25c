/*
 * racer.c: the other user of the trust-boundary tests (e2e/trust_files.sh).
 * Run as an unprivileged user in a directory root publishes to, it swaps
 * names for symbolic links while root works, for at most SECONDS:
 *
 *   racer exchange DIR A B SECONDS
 *	swap the entries A and B of DIR with renameat2(RENAME_EXCHANGE) in a
 *	loop (A a directory named like a stale generation, B a link to the
 *	victim): a check by name and a use by name see different things
 *   racer watch DIR PREFIX LINK SECONDS
 *	on each entry created in DIR whose name starts with PREFIX (inotify),
 *	swap it at once with LINK (a link to the victim), then make LINK a
 *	link again: what root just made is replaced before root's next step
 *
 * Prints the number of swaps on exit.  Not part of trustbuild.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int
exchange(int dfd, const char *a, const char *b)
{
	return renameat2(dfd, a, dfd, b, RENAME_EXCHANGE);
}

static int
usage(void)
{
	fprintf(stderr, "usage: racer exchange DIR A B SECONDS\n"
	    "       racer watch DIR PREFIX LINK SECONDS\n");
	return 2;
}

int
main(int argc, char *argv[])
{
	char target[PATH_MAX];
	unsigned long swaps = 0;
	time_t end;
	ssize_t n;
	int dfd;

	if (argc != 6)
		return usage();
	signal(SIGTERM, on_term);
	end = time(NULL) + atoi(argv[5]);
	if ((dfd = open(argv[2], O_RDONLY | O_DIRECTORY)) == -1) {
		perror(argv[2]);
		return 1;
	}
	if (strcmp(argv[1], "exchange") == 0) {
		if ((n = readlinkat(dfd, argv[4], target,
		    sizeof(target) - 1)) <= 0) {
			fprintf(stderr, "racer: '%s' must be a link\n", argv[4]);
			return 1;
		}
		target[n] = '\0';
		/* what root removed is made again: one directory, one link */
		while (!stop && time(NULL) < end) {
			int i;

			for (i = 0; i < 1000 && !stop; i++) {
				struct stat sa, sb;
				int ha, hb;

				if (exchange(dfd, argv[3], argv[4]) == 0) {
					swaps++;
					continue;
				}
				ha = fstatat(dfd, argv[3], &sa,
				    AT_SYMLINK_NOFOLLOW) == 0;
				hb = fstatat(dfd, argv[4], &sb,
				    AT_SYMLINK_NOFOLLOW) == 0;
				if (!ha && !hb) {
					mkdirat(dfd, argv[3], 0755);
					symlinkat(target, dfd, argv[4]);
				} else if (!ha || !hb) {
					const char *miss = ha ? argv[4] :
					    argv[3];
					struct stat *have = ha ? &sa : &sb;

					if (S_ISLNK(have->st_mode))
						mkdirat(dfd, miss, 0755);
					else
						symlinkat(target, dfd, miss);
				}
			}
		}
	} else if (strcmp(argv[1], "watch") == 0) {
		char buf[8192] __attribute__((aligned(8))), aside[64];
		size_t plen = strlen(argv[3]);
		int in;

		if ((n = readlinkat(dfd, argv[4], target,
		    sizeof(target) - 1)) <= 0) {
			fprintf(stderr, "racer: '%s' must be a link\n", argv[4]);
			return 1;
		}
		target[n] = '\0';
		if ((in = inotify_init1(IN_CLOEXEC)) == -1 ||
		    inotify_add_watch(in, argv[2], IN_CREATE) == -1) {
			perror("inotify");
			return 1;
		}
		while (!stop && time(NULL) < end) {
			struct pollfd p = { in, POLLIN, 0 };
			char *q;

			if (poll(&p, 1, 200) <= 0)
				continue;
			if ((n = read(in, buf, sizeof(buf))) <= 0)
				continue;
			for (q = buf; q < buf + n;) {
				struct inotify_event *ev = (void *)q;

				q += sizeof(*ev) + ev->len;
				if (ev->len == 0 ||
				    strncmp(ev->name, argv[3], plen) != 0)
					continue;
				if (exchange(dfd, ev->name, argv[4]) != 0)
					continue;
				swaps++;
				/* LINK now holds root's entry: aside, relink */
				snprintf(aside, sizeof(aside), "racer.aside.%lu",
				    swaps);
				renameat(dfd, argv[4], dfd, aside);
				symlinkat(target, dfd, argv[4]);
			}
		}
	} else
		return usage();
	printf("%lu swaps\n", swaps);
	return 0;
}
