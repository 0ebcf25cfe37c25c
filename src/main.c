/*
 * main.c: trustbuild, a CA-bundle manager and trust-store builder.
 *
 * Data flows one way: sources -> certificate set -> policy -> writers ->
 * publish.  This file holds the global options, the command table and the
 * process hygiene every command relies on.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "log.h"

/*
 * What a command needs set up before it runs (git's commands[] flags):
 * main() loads the configuration once and reports its error once.
 */
enum command_flags {
	CMD_CONFIG	= 1 << 0,	/* needs it: an error in it ends the run */
	CMD_CONFIG_OPT	= 1 << 1	/* uses it when it can be read, else NULL
					   (cmd_config_report() says why) */
};

static const struct command {
	const char	*name;
	int		(*fn)(int, char *[], struct config *);
	unsigned	 flags;		/* enum command_flags */
	const char	*summary;
} commands[] = {
	{ "build", cmd_build, 0,
	    "build a trust store (bundle, CApath) from local root sets" },
	{ "export", cmd_export, CMD_CONFIG,
	    "sign the published store into [export] dir for other hosts" },
	{ "list", cmd_list, CMD_CONFIG_OPT,
	    "certificates of a bundle, CApath, source, or the published store" },
	{ "postfix-check", cmd_postfix_check, CMD_CONFIG_OPT,
	    "find what keeps Postfix from verifying: main.cf, chroot, log" },
	{ "postfix-setup", cmd_postfix_setup, CMD_CONFIG,
	    "make Postfix verify with the store: postconf -e, probes, reload" },
	{ "probe", cmd_probe, CMD_CONFIG_OPT,
	    "show a server's chain and why it does (not) verify; AIA" },
	{ "sendmail-check", cmd_sendmail_check, CMD_CONFIG_OPT,
	    "find what keeps sendmail from verifying: .mc, .cf, files, log" },
	{ "sendmail-setup", cmd_sendmail_setup, CMD_CONFIG,
	    "print the sendmail.mc lines and trustbuild.conf to use" },
	{ "stores", cmd_stores, 0,
	    "list the public root sets trustbuild knows" },
	{ "update", cmd_update, CMD_CONFIG,
	    "fetch the configured root sets and publish the store (cron)" },
};

/* -c FILE: the configuration file, or NULL. */
static const char *config_file;

/*
 * One global option word at argv[i] (-q, -v, -qv, --quiet, --verbose,
 * --insecure-ok, -c FILE, -cFILE, --config FILE, --config=FILE): applied,
 * and the number of words it takes (1 or 2) returned; 0 when it is none,
 * -1 after a message (-c without FILE).  The same options as main()'s
 * getopt_long before the command.
 */
static int
global_opt(int argc, char *argv[], int i)
{
	const char *a = argv[i], *p;

	if (strcmp(a, "--quiet") == 0 || strcmp(a, "--verbose") == 0) {
		log_verbosity = a[2] == 'q' ? LOG_QUIET : LOG_VERBOSE;
		return 1;
	}
	if (strcmp(a, "--insecure-ok") == 0) {
		config_insecure_ok = 1;
		return 1;
	}
	if (strncmp(a, "--config=", 9) == 0) {
		config_file = a + 9;
		return 1;
	}
	if (strcmp(a, "--config") != 0) {
		if (a[0] != '-' || a[1] == '-' || a[1] == '\0')
			return 0;
		for (p = a + 1; *p == 'q' || *p == 'v'; p++)
			;
		if (*p != '\0' && *p != 'c')
			return 0;	/* a command's own option */
		for (p = a + 1; *p == 'q' || *p == 'v'; p++)
			log_verbosity = *p == 'q' ? LOG_QUIET : LOG_VERBOSE;
		if (*p == '\0')
			return 1;
		if (p[1] != '\0') {
			config_file = p + 1;
			return 1;
		}
	}
	if (i + 1 >= argc) {
		log_err("option '%s' needs a FILE; see 'trustbuild --help'", a);
		return -1;
	}
	config_file = argv[i + 1];
	return 2;
}

/*
 * The global options also go after the command's name (trustbuild update
 * -q): take them out of the command's arguments (up to "--") and apply
 * them, so that no command sees or parses them.  No command has a short
 * option -q, -v or -c of its own (cli.sh checks); an option's argument
 * that could be read as one is written --opt=ARG.  Returns 1 when the
 * command is asked for its --help (it needs no set-up), 0, or -1 after a
 * message.
 */
static int
take_globals(int *argc, char *argv[])
{
	int i = 1, n, help = 0;

	while (i < *argc && strcmp(argv[i], "--") != 0) {
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			help = 1;
		if ((n = global_opt(*argc, argv, i)) == -1)
			return -1;
		if (n == 0) {
			i++;
			continue;
		}
		memmove(&argv[i], &argv[i + n],
		    (size_t)(*argc - i - n + 1) * sizeof(*argv));
		*argc -= n;
	}
	return help;
}

/*
 * Run cmd with the configuration it needs: loaded here, its error reported
 * here, released after the command.
 */
static int
run(const struct command *cmd, int argc, char *argv[])
{
	struct config cfg;
	struct config *c = NULL;
	struct diags d = DIAGS_INIT;
	int rc, help;

	if ((help = take_globals(&argc, argv)) == -1)
		return EXIT_ERROR;
	if ((cmd->flags & (CMD_CONFIG | CMD_CONFIG_OPT)) && !help) {
		if (config_find(config_file, &cfg, &d) == 0) {
			c = &cfg;
			diags_report(&d);	/* -v: which file */
		} else if (cmd->flags & CMD_CONFIG) {
			diags_report(&d);
			return EXIT_ERROR;
		} else
			cmd_config_keep(&d);	/* said if needed */
	}
	optind = 0;	/* reset getopt for the command */
	rc = cmd->fn(argc, argv, c);
	config_release(c);
	return rc;
}

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f,
	    "usage: trustbuild [-qv] [-c FILE] [--insecure-ok] COMMAND [ARGS]\n"
	    "       trustbuild --help | --version\n"
	    "\n"
	    "commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-15s %s\n", commands[i].name,
		    commands[i].summary);
	fprintf(f,
	    "\n"
	    "options (before or after the COMMAND):\n"
	    "  -c, --config FILE  the configuration of update, list, probe,\n"
	    "                   sendmail-* (default /etc/trustbuild/trustbuild.conf)\n"
	    "  --insecure-ok    as root, accept a configuration, hooks or state\n"
	    "                   that another user can change\n"
	    "  -q, --quiet      print nothing but errors and changes\n"
	    "  -v, --verbose    say why certificates are left out or refused\n"
	    "  -h, --help       this text; 'trustbuild COMMAND --help' for a "
	    "command\n"
	    "  -V, --version    print the version\n"
	    "\n"
	    "Exit status: 0 success (build, update: published a change), 1 error,\n"
	    "2 nothing changed.  See trustbuild(1).\n");
}

/* fds 0-2 open, so no file we create becomes stdout by accident. */
static void
sanitise_fds(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

static int
finish(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno != EPIPE)
			log_err("write error on standard output: %s",
			    strerror(errno));
		return EXIT_ERROR;
	}
	return status;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "insecure-ok", no_argument, NULL, 'I' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	size_t i;
	int ch;

	sanitise_fds();
	signal(SIGPIPE, SIG_IGN);
	/* a file size limit (ulimit -f) is a write error, not a death */
	signal(SIGXFSZ, SIG_IGN);
	umask(022);

	while ((ch = getopt_long(argc, argv, "+c:qvhV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config_file = optarg;
			break;
		case 'I':
			config_insecure_ok = 1;
			break;
		case 'q':
			log_verbosity = LOG_QUIET;
			break;
		case 'v':
			log_verbosity = LOG_VERBOSE;
			break;
		case 'h':
			usage(stdout);
			return finish(EXIT_CHANGED);
		case 'V':
			printf("trustbuild %s\n", TRUSTBUILD_VERSION);
			return finish(EXIT_CHANGED);
		default:
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (strcmp(argv[0], "help") == 0) {
		if (argc < 2) {
			usage(stdout);
			return finish(EXIT_CHANGED);
		}
		argv[0] = argv[1];
		argv[1] = "--help";
		argc = 2;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return finish(run(&commands[i], argc, argv));
	log_err("'%s' is not a command; see 'trustbuild --help'", argv[0]);
	return EXIT_ERROR;
}
