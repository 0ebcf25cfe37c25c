/*
 * cmd.h: the subcommands.  Each owns its options and usage text and returns
 * the process exit status; only these and main() decide how the run ends.
 */
#ifndef TB_CMD_H
#define TB_CMD_H

enum exit_status {
	EXIT_CHANGED = 0,	/* success; for build: something was published */
	EXIT_ERROR = 1,
	EXIT_UNCHANGED = 2	/* build: the store already held this content */
};

#define TRUSTBUILD_VERSION "0.1.0"

/* -c FILE before the command: the configuration file, or NULL. */
extern const char *cmd_config;

int	cmd_build(int argc, char *argv[]);
int	cmd_list(int argc, char *argv[]);
int	cmd_probe(int argc, char *argv[]);
int	cmd_sendmail_check(int argc, char *argv[]);
int	cmd_sendmail_setup(int argc, char *argv[]);
int	cmd_stores(int argc, char *argv[]);
int	cmd_update(int argc, char *argv[]);

#endif
