/*
 * cmd.h: the subcommands.  Each owns its options and usage text and returns
 * the process exit status; only these and main() decide how the run ends.
 *
 * main() sets up what its command table says a command needs: the
 * configuration (-c FILE, $TRUSTBUILD_CONF, /etc/trustbuild/trustbuild.conf
 * or the built-in one) is loaded once and its error reported once; the
 * command receives it (NULL when it takes none, when it could not be read
 * for a command that can do without, or for --help) and must not free it.
 */
#ifndef TB_CMD_H
#define TB_CMD_H

#include <getopt.h>
#include <stdio.h>

#include "spec.h"

enum exit_status {
	EXIT_CHANGED = 0,	/* success; for build: something was published */
	EXIT_ERROR = 1,
	EXIT_UNCHANGED = 2	/* build: the store already held this content */
};

#define TRUSTBUILD_VERSION "0.1.0"

struct config;
struct diags;

/*
 * Why the configuration could not be read for a command that can do
 * without it: kept by main() (d is left empty), and reported (once) by
 * cmd_config_report() when the command, given NULL, needs it after all.
 */
void	cmd_config_keep(struct diags *d);
void	cmd_config_report(void);

/*
 * The end of a command's option switch: -h (ch 'h') prints the usage, and
 * where the global options go, on standard output and returns EXIT_CHANGED; anything else (an unknown
 * option, a stray argument) prints it on standard error and returns
 * EXIT_ERROR.
 */
int	cmd_usage(void (*usage)(FILE *), int ch);

/*
 * The options of a command that takes only --json and --help: -1 with
 * *json set and optind at the first operand, or the exit status after the
 * usage (cmd_usage).
 */
int	cmd_json_args(int argc, char *argv[], void (*usage)(FILE *),
	    int *json);

/*
 * --store NAME[=PATH] (build): a local copy of a known root set.  The
 * definition gives the format (checked against the content), the member of
 * an archive, the role, and a pin when it has one.  The SOURCE string made
 * (malloc'd) goes to *src, the role to *role.  -1 after a message.
 */
int	cmd_store_source(const char *arg, char **src, enum source_role *role);

int	cmd_build(int argc, char *argv[], struct config *cfg);
int	cmd_export(int argc, char *argv[], struct config *cfg);
int	cmd_list(int argc, char *argv[], struct config *cfg);
int	cmd_probe(int argc, char *argv[], struct config *cfg);
int	cmd_sendmail_check(int argc, char *argv[], struct config *cfg);
int	cmd_postfix_check(int argc, char *argv[], struct config *cfg);
int	cmd_postfix_setup(int argc, char *argv[], struct config *cfg);
int	cmd_sendmail_setup(int argc, char *argv[], struct config *cfg);
int	cmd_stores(int argc, char *argv[], struct config *cfg);
int	cmd_update(int argc, char *argv[], struct config *cfg);

#endif
