/*
 * cmd_stores.c: "trustbuild stores": the public root sets trustbuild knows.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "json.h"
#include "log.h"
#include "store.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: trustbuild stores [--json]\n"
	    "\n"
	    "List the definitions of the public root sets trustbuild knows:\n"
	    "name, role, format, where the set is published (its url, then\n"
	    "its mirrors in the order they are tried) and why there, how\n"
	    "its integrity is checked, and after how many days unchanged\n"
	    "update says it went quiet.  'trustbuild build --store\n"
	    "NAME=PATH' reads a local copy of one.\n"
	    "\n"
	    "  --json   one JSON array of objects instead of text\n");
}

static void
json_key(const char *k, const char *v)
{
	if (v == NULL)
		return;
	printf(", \"%s\": ", k);
	json_str(v);
}

int
cmd_stores(int argc, char *argv[], struct config *cfg)
{
	struct source_spec *v;
	struct diags d = DIAGS_INIT;
	const char *dir;
	size_t n, i, j;
	int ch, json = 0;

	(void)cfg;	/* needs no configuration */
	if ((ch = cmd_json_args(argc, argv, usage, &json)) != -1)
		return ch;
	if (optind != argc)
		return cmd_usage(usage, '?');
	if (store_list(&v, &n, &dir, &d) == -1) {
		diags_report(&d);
		return EXIT_ERROR;
	}
	if (json)
		printf("[");
	for (i = 0; i < n; i++) {
		struct source_spec *s = &v[i];
		const char *role = s->role == ROLE_ANCHORS ? "anchors" :
		    "intermediates";

		if (json) {
			printf("%s\n  {\"name\": ", i ? "," : "");
			json_str(s->name);
			json_key("description", s->description);
			json_key("role", role);
			json_key("format", s->format);
			json_key("why", s->why);
			json_key("url", s->url);
			printf(", \"mirrors\": [");
			for (j = 0; j < s->nmirrors; j++) {
				printf("%s", j ? ", " : "");
				json_str(s->mirrors[j]);
			}
			printf("]");
			if (s->stale_after != 0)
				printf(", \"stale_after_days\": %u",
				    spec_days(s->stale_after, 0));
			json_key("member", s->member);
			json_key("integrity", s->integrity);
			json_key("sha256_url", s->sha256_url);
			json_key("sha256", s->sha256);
			json_key("fallback", s->fallback);
			printf(", \"paths\": [");
			for (j = 0; j < s->npaths; j++) {
				printf("%s", j ? ", " : "");
				json_str(s->paths[j]);
			}
			printf("], \"file\": ");
			json_str(s->file);
			printf("}");
			continue;
		}
		printf("%s%s: %s\n", i ? "\n" : "", s->name,
		    s->description ? s->description : "");
		printf("  role:       %s\n  format:     %s\n", role, s->format);
		if (s->why)
			printf("  why:        %s\n", s->why);
		if (s->url)
			printf("  url:        %s\n", s->url);
		for (j = 0; j < s->nmirrors; j++)
			printf("  mirror %zu:   %s\n", j + 1, s->mirrors[j]);
		for (j = 0; j < s->npaths; j++)
			printf("  path:       %s\n", s->paths[j]);
		if (s->member)
			printf("  member:     %s\n", s->member);
		printf("  integrity:  %s",
		    s->integrity ? s->integrity : "https");
		if (s->sha256_url)
			printf(" (%s)", s->sha256_url);
		if (s->sha256)
			printf(" (%s)", s->sha256);
		printf("\n");
		if (s->fallback)
			printf("  fallback:   %s\n", s->fallback);
		if (s->stale_after > 1)
			printf("  stale after %u days unchanged\n",
			    spec_days(s->stale_after, 0));
	}
	if (json)
		printf("%s]\n", n ? "\n" : "");
	else
		log_info("definitions read from '%s'", dir);
	store_list_free(v, n);
	return EXIT_CHANGED;
}
