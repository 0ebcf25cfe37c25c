/*
 * cmd_list.c: "trustbuild list": what a bundle, CApath or source holds.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blocklist.h"
#include "certset.h"
#include "cmd.h"
#include "config.h"
#include "json.h"
#include "log.h"
#include "manifest.h"
#include "source.h"
#include "text.h"
#include "xalloc.h"

#define ISO8601	"%Y-%m-%dT%H:%M:%SZ"

static const char *trust_names[] = {
	"unspecified", "trusted-delegator", "must-verify", "not-trusted"
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: trustbuild [-c FILE] list [--json] [FILE|DIR...]\n"
	    "\n"
	    "Print each certificate of a bundle, a CApath directory or any\n"
	    "SOURCE: subject, issuer, label, not-after, SHA-256, CA or not,\n"
	    "trust and distrust-after when the source says, and whether it is\n"
	    "expired.\n"
	    "Without FILE, the store the configuration publishes, with why\n"
	    "each certificate was admitted (from the state's manifest).\n"
	    "\n"
	    "  --json   one JSON array of objects instead of text\n");
}

static int
has_trust(const struct cert *c)
{
	int p;

	for (p = 0; p < PURPOSE_N; p++)
		if (c->trust[p] != TRUST_UNSPECIFIED)
			return 1;
	return 0;
}

/* Why the gate admitted c, from the manifest: "anchor for ... from ...". */
static void
admitted_text(const struct manifest_cert *mc, char *buf, size_t size)
{
	snprintf(buf, size, "%s for %s%s, from %s; first published %s",
	    manifest_role_name(mc->role), purpose_name(mc->purpose),
	    mc->role == ROLE_INTERMEDIATE ? " (chains to an anchor)" : "",
	    mc->origin, mc->first_seen);
}

/* The label: the source's, else the manifest's (the published store). */
static const char *
label_of(const struct cert *c, const struct manifest_cert *mc)
{
	return c->label ? c->label : mc != NULL ? mc->label : NULL;
}

/* The distrust-after dates: the source's, else the manifest's. */
static void
distrust_of(const struct cert *c, const struct manifest_cert *mc,
    enum distrust d[2], time_t t[2])
{
	int p;

	for (p = 0; p < 2; p++) {
		d[p] = c->distrust[p];
		t[p] = c->distrust_after[p];
		if (d[p] == DISTRUST_UNKNOWN && mc != NULL &&
		    mc->distrust_after[p] != 0) {
			d[p] = DISTRUST_AFTER;
			t[p] = mc->distrust_after[p];
		}
	}
}

static void
print_text(struct cert *c, const struct manifest_cert *mc, time_t now,
    int first)
{
	static const char *dname[2] = { "server", "email" };
	char when[32], hex[65], name[1024], esc[4096];
	enum distrust d[2];
	time_t t[2];
	int p;

	if (!first)
		putchar('\n');
	cert_hex(c->sha256, 32, hex, 0);
	printf("subject:    %s\n", text_esc(cert_subject(c), esc, sizeof(esc)));
	printf("issuer:     %s\n", text_esc(cert_issuer(c), esc,
	    sizeof(esc)));
	if (label_of(c, mc) != NULL)
		printf("label:      %s\n", text_esc(label_of(c, mc), esc,
		    sizeof(esc)));
	cert_not_after_str(c, when, sizeof(when));
	printf("not after:  %s%s\n", when,
	    cert_is_expired(c, now) ? " (expired)" : "");
	printf("sha256:     %s\n", hex);
	printf("ca:         %s\n", cert_is_ca(c) ? "yes" : "no");
	if (has_trust(c))
		for (p = 0; p < PURPOSE_N; p++)
			printf("trust:      %s %s\n", purpose_name(p),
			    trust_names[c->trust[p]]);
	distrust_of(c, mc, d, t);
	for (p = 0; p < 2; p++)
		if (d[p] == DISTRUST_AFTER)
			printf("%s distrust after: %s\nnote:       NSS (Firefox, "
			    "Thunderbird) does not trust %s leaves it issued\n"
			    "            after that date; OpenSSL cannot tell, and "
			    "trusts them while it is kept\n", dname[p],
			    cert_time_t_str(t[p], when, sizeof(when)) ? when :
			    "?", dname[p]);
	printf("expired:    %s\n", cert_is_expired(c, now) ? "yes" : "no");
	printf("source:     %s\n", text_esc(c->nsources ? c->sources[0] : "",
	    esc, sizeof(esc)));
	if (mc != NULL) {
		admitted_text(mc, name, sizeof(name));
		printf("admitted:   %s\n", text_esc(name, esc, sizeof(esc)));
	}
}

static void
print_json(struct cert *c, const struct manifest_cert *mc, time_t now,
    int first)
{
	static const char *dkey[2] = { "server_distrust_after",
	    "email_distrust_after" };
	char when[32], hex[65];
	enum distrust d[2];
	time_t t[2];
	struct tm tm;
	size_t i;
	int p;

	cert_hex(c->sha256, 32, hex, 0);
	printf("%s\n  {\"subject\": ", first ? "" : ",");
	json_str(cert_subject(c));
	printf(", \"issuer\": ");
	json_str(cert_issuer(c));
	if (label_of(c, mc) != NULL) {
		printf(", \"label\": ");
		json_str(label_of(c, mc));
	}
	if ((c->flags & CERT_NOT_AFTER_OK) &&
	    cert_time_fmt(c->not_after, ISO8601, when, sizeof(when)))
		printf(", \"not_after\": \"%s\"", when);
	printf(", \"sha256\": \"%s\", \"ca\": %s, \"expired\": %s", hex,
	    cert_is_ca(c) ? "true" : "false",
	    cert_is_expired(c, now) ? "true" : "false");
	if (has_trust(c)) {
		printf(", \"trust\": {");
		for (p = 0; p < PURPOSE_N; p++)
			printf("%s\"%s\": \"%s\"", p ? ", " : "",
			    purpose_name(p), trust_names[c->trust[p]]);
		printf("}");
	}
	distrust_of(c, mc, d, t);
	for (p = 0; p < 2; p++) {
		if (d[p] == DISTRUST_AFTER && gmtime_r(&t[p], &tm) != NULL &&
		    strftime(when, sizeof(when), ISO8601, &tm) > 0)
			printf(", \"%s\": \"%s\"", dkey[p], when);
		else if (d[p] == DISTRUST_NEVER)
			printf(", \"%s\": false", dkey[p]);
	}
	printf(", \"sources\": [");
	for (i = 0; i < c->nsources; i++) {
		if (i)
			printf(", ");
		json_str(c->sources[i]);
	}
	printf("]");
	if (mc != NULL) {
		printf(", \"admitted\": {\"role\": \"%s\", \"purpose\": "
		    "\"%s\", \"origin\": ", manifest_role_name(mc->role),
		    purpose_name(mc->purpose));
		json_str(mc->origin);
		printf(", \"first_seen\": \"%s\"}", mc->first_seen);
	}
	printf("}");
}

/*
 * No FILE: the store the configuration c (NULL: unreadable) publishes, and
 * its manifest.  The path goes to *path (malloc'd); 0, or -1 after a
 * message.
 */
static int
published(const struct config *c, struct manifest *m, char **path)
{
	struct diags d = DIAGS_INIT;
	char why[256];
	const char *p = NULL;
	int found, rc = -1;

	if (c == NULL) {
		cmd_config_report();	/* why it cannot be read */
		return -1;
	}
	if (c->bundle != NULL && access(c->bundle, F_OK) == 0)
		p = c->bundle;
	else if (c->capath != NULL && access(c->capath, F_OK) == 0)
		p = c->capath;
	if (p == NULL) {
		found = strcmp(c->file, "built-in") == 0;
		log_err("list: nothing is published yet at '%s' (the %s%s); run "
		    "'trustbuild update', or name a FILE or DIR", c->bundle ?
		    c->bundle : c->capath ? c->capath : "-", found ? "built-in "
		    "configuration" : "configuration ", found ? "" : c->file);
		goto out;
	}
	*path = xstrdup(p);
	if ((found = manifest_load(c->state, m, why, sizeof(why), &d)) == -1)
		goto out;
	if (found == 0 && why[0] != '\0')
		log_warn("'%s/" MANIFEST_FILE "': %s; why each certificate "
		    "was admitted is not known", c->state, why);
	else if (found == 0)
		log_warn("'%s' has no " MANIFEST_FILE " yet; why each "
		    "certificate was admitted is known after the next "
		    "'trustbuild update'", c->state);
	rc = 0;
out:
	diags_report(&d);
	return rc;
}

int
cmd_list(int argc, char *argv[], struct config *cfg)
{
	struct certset *set = NULL;
	struct blocklist *bl = NULL;
	struct manifest m;
	struct diags d = DIAGS_INIT;
	char *store = NULL;
	time_t now = time(NULL);
	size_t i;
	int ch, got, json = 0, rc = EXIT_ERROR;

	if ((ch = cmd_json_args(argc, argv, usage, &json)) != -1)
		return ch;
	argc -= optind;
	argv += optind;
	memset(&m, 0, sizeof(m));
	if (argc == 0) {
		if (published(cfg, &m, &store) == -1)
			goto out;
		argv = &store;
		argc = 1;
	}
	set = certset_new();
	bl = blocklist_new();
	for (i = 0; i < (size_t)argc; i++) {
		got = source_load(argv[i], CERTDATA_ALL, set, bl, &d);
		diags_report(&d);
		if (got == -1)
			goto out;
	}
	certset_sort(set);
	if (json)
		printf("[");
	for (i = 0; i < set->n; i++) {
		const struct manifest_cert *mc = manifest_find(&m,
		    set->v[i]->sha256);

		if (json)
			print_json(set->v[i], mc, now, i == 0);
		else
			print_text(set->v[i], mc, now, i == 0);
	}
	if (json)
		printf("%s]\n", set->n ? "\n" : "");
	rc = EXIT_CHANGED;
out:
	certset_free(set);
	blocklist_free(bl);
	manifest_release(&m);
	free(store);
	return rc;
}
