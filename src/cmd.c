/*
 * cmd.c: what main() keeps for the commands it runs, see cmd.h.
 */
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
