/*
 * cmd_list.c: "trustbuild list": what a bundle, CApath or source holds.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blocklist.h"
#include "certset.h"
#include "cmd.h"
#include "json.h"
#include "log.h"
#include "source.h"

static const char *trust_names[] = {
	"unspecified", "trusted-delegator", "must-verify", "not-trusted"
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: trustbuild list [--json] FILE|DIR...\n"
	    "\n"
	    "Print each certificate of a bundle, a CApath directory or any\n"
	    "SOURCE: subject, issuer, not-after, SHA-256, CA or not, trust and\n"
	    "distrust-after when the source says, and whether it is expired.\n"
	    "\n"
	    "  --json   one JSON array of objects instead of text\n");
}

static const char *
iso_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
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

static void
print_text(struct cert *c, time_t now, int first)
{
	static const char *dname[2] = { "server", "email" };
	char when[32], hex[65], issuer[1024];
	size_t i;
	int p;

	if (!first)
		putchar('\n');
	cert_hex(c->sha256, 32, hex, 0);
	printf("subject:    %s\n", cert_subject(c));
	printf("issuer:     %s\n", cert_issuer(c, issuer, sizeof(issuer)));
	if (c->label)
		printf("label:      %s\n", c->label);
	cert_time_str(X509_get0_notAfter(c->x509), when, sizeof(when));
	printf("not after:  %s%s\n", when,
	    cert_is_expired(c, now) ? " (expired)" : "");
	printf("sha256:     %s\n", hex);
	printf("ca:         %s\n", cert_is_ca(c) ? "yes" : "no");
	if (has_trust(c))
		for (p = 0; p < PURPOSE_N; p++)
			printf("trust:      %s %s\n", purpose_name(p),
			    trust_names[c->trust[p]]);
	for (p = 0; p < 2; p++) {
		if (c->distrust[p] == DISTRUST_AFTER)
			printf("%s distrust after: %s\n", dname[p],
			    cert_time_t_str(c->distrust_after[p], when,
			    sizeof(when)) ? when : "?");
	}
	printf("expired:    %s\n", cert_is_expired(c, now) ? "yes" : "no");
	printf("source:     %s\n", c->nsources ? c->sources[0] : "");
	/* what a bundle of ours recorded about where it came from */
	for (i = 1; i < c->nsources; i++)
		if (strncmp(c->sources[i], "recorded: ", 10) == 0)
			printf("origin:     %s\n", c->sources[i] + 10);
}

static void
print_json(struct cert *c, time_t now, int first)
{
	static const char *dkey[2] = { "server_distrust_after",
	    "email_distrust_after" };
	char when[32], hex[65], issuer[1024];
	struct tm tm;
	size_t i;
	int p;

	cert_hex(c->sha256, 32, hex, 0);
	printf("%s\n  {\"subject\": ", first ? "" : ",");
	json_str(cert_subject(c));
	printf(", \"issuer\": ");
	json_str(cert_issuer(c, issuer, sizeof(issuer)));
	if (c->label) {
		printf(", \"label\": ");
		json_str(c->label);
	}
	if (ASN1_TIME_to_tm(X509_get0_notAfter(c->x509), &tm)) {
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		printf(", \"not_after\": \"%s\"", when);
	}
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
	for (p = 0; p < 2; p++) {
		if (c->distrust[p] == DISTRUST_AFTER)
			printf(", \"%s\": \"%s\"", dkey[p],
			    iso_time(c->distrust_after[p], when, sizeof(when)));
		else if (c->distrust[p] == DISTRUST_NEVER)
			printf(", \"%s\": false", dkey[p]);
	}
	printf(", \"sources\": [");
	for (i = 0; i < c->nsources; i++) {
		if (i)
			printf(", ");
		json_str(c->sources[i]);
	}
	printf("]}");
}

int
cmd_list(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct certset *set = NULL;
	struct blocklist *bl = NULL;
	time_t now = time(NULL);
	size_t i;
	int ch, json = 0, rc = EXIT_ERROR;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_CHANGED;
		default:
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		log_err("list: no FILE or DIR given");
		usage(stderr);
		return EXIT_ERROR;
	}
	if ((set = certset_new()) == NULL || (bl = blocklist_new()) == NULL) {
		log_err("out of memory");
		goto out;
	}
	for (i = 0; i < (size_t)argc; i++)
		if (source_load(argv[i], CERTDATA_ALL, set, bl) == -1)
			goto out;
	certset_sort(set);
	if (json)
		printf("[");
	for (i = 0; i < set->n; i++) {
		if (json)
			print_json(set->v[i], now, i == 0);
		else
			print_text(set->v[i], now, i == 0);
	}
	if (json)
		printf("%s]\n", set->n ? "\n" : "");
	rc = EXIT_CHANGED;
out:
	certset_free(set);
	blocklist_free(bl);
	return rc;
}
