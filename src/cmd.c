/*
 * cmd.c: what main() keeps for the commands it runs, and the usage exit
 * every command shares; see cmd.h.
 */
#include <getopt.h>

#include "cmd.h"
#include "diag.h"

/* Why the configuration of a command that can do without it is NULL. */
static struct diags kept = DIAGS_INIT;

void
cmd_config_keep(struct diags *d)
{
	diags_clear(&kept);
	diags_move(&kept, d);
}

void
cmd_config_report(void)
{
	diags_report(&kept);
}

int
cmd_usage(void (*usage)(FILE *), int ch)
{
	FILE *f = ch == 'h' ? stdout : stderr;

	usage(f);
	fprintf(f, "\nThe global options -q, -v, -c FILE and --insecure-ok go "
	    "before or after\nthe command's name; see 'trustbuild --help'.\n");
	return ch == 'h' ? EXIT_CHANGED : EXIT_ERROR;
}

int
cmd_json_args(int argc, char *argv[], void (*usage)(FILE *), int *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch != 'j')
			return cmd_usage(usage, ch);
		*json = 1;
	}
	return -1;
}
