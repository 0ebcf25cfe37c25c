/*
 * cmd.c: what main() keeps for the commands it runs, the usage exit
 * every command shares, and build's --store; see cmd.h.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"
#include "diag.h"
#include "format.h"
#include "log.h"
#include "source.h"
#include "state.h"
#include "store.h"
#include "xalloc.h"

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

int
cmd_store_source(const char *arg, char **src, enum source_role *role)
{
	struct source_spec st;
	const char *eq = strchr(arg, '=');
	struct diags d = DIAGS_INIT;
	char *name, *path = NULL, hex[65];
	unsigned char *buf = NULL;
	size_t len, i;
	enum source_format f;
	int rc = -1;

	name = eq ? xstrndup(arg, (size_t)(eq - arg)) : xstrdup(arg);
	if (store_load(name, &st, &d) == -1) {
		diags_report(&d);
		free(name);
		return -1;
	}
	if (eq != NULL && eq[1] != '\0')
		path = xstrdup(eq + 1);
	else
		for (i = 0; i < st.npaths && path == NULL; i++)
			if (access(st.paths[i], R_OK) == 0)
				path = xstrdup(st.paths[i]);
	if (path == NULL) {
		if (st.npaths > 0)
			log_err("--store %s: none of its paths exists here; "
			    "give one: --store %s=PATH", name, name);
		else
			log_err("--store %s: give a local copy of %s: --store "
			    "%s=PATH", name, st.url, name);
		goto out;
	}
	if (source_read_file(path, SOURCE_MAX_FILE, &buf, &len, &d) == -1) {
		diags_report(&d);
		goto out;
	}
	f = format_detect(buf, len);
	if (f != st.fmt) {
		log_err("'%s': the %s store is %s, but this file is %s", path,
		    name, st.format, f == FORMAT_UNKNOWN ? "no certificate "
		    "source" : format_name(f));
		goto out;
	}
	state_sha256_hex(buf, len, hex);
	if (st.sha256 != NULL && strcasecmp(hex, st.sha256) != 0) {
		log_err("'%s': SHA-256 %s is not the %s store's pin %s (%s)",
		    path, hex, name, st.sha256, st.file);
		goto out;
	}
	*src = st.member != NULL ? xasprintf("%s#%s", path, st.member) :
	    xstrdup(path);
	*role = st.role;
	rc = 0;
out:
	free(buf);
	free(path);
	free(name);
	spec_release(&st);
	return rc;
}
