/*
 * cmd_build.c: "trustbuild build": local root sets to a published store.
 *
 * sources -> one certificate set per source -> policy (trust for the
 * purpose, blocklist, exclusions, expiry, intermediates that chain) -> the
 * writers[] stage every output -> all are committed, or none.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "build.h"
#include "capath.h"
#include "cmd.h"
#include "config.h"
#include "log.h"
#include "output.h"
#include "outset.h"
#include "pipeline.h"
#include "policy.h"
#include "source.h"
#include "text.h"
#include "xalloc.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: trustbuild build [--purpose server-auth|email|code-signing|any]\n"
	    "                        [--keep-expired] [--intermediates SOURCE]...\n"
	    "                        [--exclude SHA256]... [--bundle FILE]\n"
	    "                        [--capath DIR] [--compat] [--store NAME[=PATH]]...\n"
	    "                        [--distrust-after keep|drop|drop-when-safe]\n"
	    "                        [--leaf-lifetime DAYS]\n"
	    "                        [[--purpose P] --pem-dir DIR | --pkcs12 FILE |\n"
	    "                         --trusted-bundle FILE]... [SOURCE...]\n"
	    "\n"
	    "Build a trust store from local root sets.  A SOURCE is a file or a\n"
	    "directory: Mozilla certdata.txt, PEM, DER, PKCS#7, CCADB's CSV\n"
	    "report, or an archive of them (tar, zip, cpio, ar, cab, RPM, .deb),\n"
	    "told apart by content; SOURCE#GLOB reads the matching members of an\n"
	    "archive.  Its certificates are trust anchors (from certdata.txt:\n"
	    "those trusted for the purpose).  Give at least one SOURCE or --store.\n"
	    "\n"
	    "  --purpose P          server-auth (default), email, code-signing, any\n"
	    "  --keep-expired       keep anchors past their not-after date\n"
	    "  --intermediates SRC  admit the CA certificates of SRC that chain\n"
	    "                       to an anchor (repeatable)\n"
	    "  --exclude SHA256     leave this certificate out (repeatable)\n"
	    "  --bundle FILE        publish a PEM bundle to FILE\n"
	    "  --capath DIR         publish an OpenSSL hashed directory at DIR\n"
	    "                       (a symbolic link to a generation directory)\n"
	    "  --compat             add old-style (MD5) hash links to the CApath\n"
	    "  --pem-dir DIR        one PEM file per certificate, no links (Go's\n"
	    "                       SSL_CERT_DIR, GnuTLS, rustls)\n"
	    "  --pkcs12 FILE        a PKCS#12 truststore for Java, password\n"
	    "                       'changeit'\n"
	    "  --trusted-bundle FILE  OpenSSL TRUSTED CERTIFICATE blocks with the\n"
	    "                       purpose (OpenSSL only)\n"
	    "                       These three repeat, each for the --purpose\n"
	    "                       before it; --bundle, --capath: the last one\n"
	    "  --store NAME[=PATH]  a local copy of a known root set (see\n"
	    "                       'trustbuild stores'): its format, member and\n"
	    "                       role come from the definition (repeatable)\n"
	    "  --distrust-after M   a root Mozilla distrusts after a date: keep it,\n"
	    "                       drop it from the date, or drop-when-safe\n"
	    "                       (default): once the leaves it issued before\n"
	    "                       the date have expired\n"
	    "  --leaf-lifetime DAYS the longest a leaf lives (default 398)\n"
	    "\n"
	    "A run that published leaves a record beside the first output\n"
	    "(.NAME.trustbuild): while the source files, the options and the\n"
	    "outputs are as it says, a run parses nothing and exits 2.\n"
	    "\n"
	    "Exit status: 0 published a change, 2 nothing changed, 1 error\n"
	    "(nothing published).\n");
}

/* Append s to the list *v of *n strings. */
static void
push(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = s;
}

/* One option (getopt_long's ch) into b.  -1 after a message. */
static int
option(struct build *b, int ch, const char *arg)
{
	enum source_role role;
	unsigned long days;
	char *src, *end;
	int w;

	switch (ch) {
	case 'p':
		if ((w = purpose_from_name(arg)) == -1) {
			log_err("'%s' is not a purpose; use server-auth, "
			    "email, code-signing or any", arg);
			return -1;
		}
		b->pol.purpose = (enum purpose)w;
		break;
	case 'k':
		b->pol.keep_expired = 1;
		break;
	case 'i':
		push(&b->inter, &b->ninter, (char *)arg);
		break;
	case 'x':
		b->pol.exclude = xreallocarray(b->pol.exclude,
		    b->pol.nexclude + 1, sizeof(*b->pol.exclude));
		if (spec_sha256(arg, b->pol.exclude[b->pol.nexclude]) ==
		    -1) {
			log_err("--exclude '%s': not a SHA-256 fingerprint "
			    "(64 hex digits, colons allowed)", arg);
			return -1;
		}
		b->pol.nexclude++;
		break;
	case 'C':
		b->out.flags |= CAPATH_COMPAT;
		break;
	case 'D':
		if ((w = distrust_mode_from_name(arg)) == -1) {
			log_err("--distrust-after '%s': use keep, drop or "
			    "drop-when-safe", arg);
			return -1;
		}
		b->pol.distrust = (enum distrust_mode)w;
		break;
	case 'L':
		errno = 0;
		days = strtoul(arg, &end, 10);
		if (!isdigit((unsigned char)*arg) || *end != '\0' ||
		    errno != 0 || days < 1 || days > POLICY_LEAF_LIFETIME_MAX) {
			log_err("--leaf-lifetime '%s': not a number of days "
			    "from 1 to %d", arg, POLICY_LEAF_LIFETIME_MAX);
			return -1;
		}
		b->pol.leaf_lifetime = (unsigned)days;
		break;
	case 's':
		if (cmd_store_source(arg, &src, &role) == -1)
			return -1;
		push(&b->owned, &b->nowned, src);
		if (role == ROLE_INTERMEDIATES)
			push(&b->inter, &b->ninter, src);
		else
			push(&b->anchor, &b->nanchor, src);
		break;
	}
	return 0;
}

int
cmd_build(int argc, char *argv[], struct config *cfg)
{
	static const struct option opts[] = {
		{ "purpose", required_argument, NULL, 'p' },
		{ "keep-expired", no_argument, NULL, 'k' },
		{ "intermediates", required_argument, NULL, 'i' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "compat", no_argument, NULL, 'C' },
		{ "distrust-after", required_argument, NULL, 'D' },
		{ "leaf-lifetime", required_argument, NULL, 'L' },
		{ "store", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct option *lopts = output_longopts(opts);
	struct diags d = DIAGS_INIT;
	struct build b;
	size_t i;
	int ch, w, rc = EXIT_ERROR;

	(void)cfg;	/* needs no configuration */
	memset(&b, 0, sizeof(b));
	b.out = (struct output)OUTPUT_INIT;
	b.pol.purpose = PURPOSE_SERVER_AUTH;
	b.pol.distrust = DISTRUST_MODE_DEFAULT;
	b.pol.leaf_lifetime = POLICY_LEAF_LIFETIME;
	b.pol.now = time(NULL);
	while ((ch = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		/* --bundle FILE, --pkcs12 FILE...: for the --purpose so far */
		if ((w = output_getopt(&b.out, ch, optarg, b.pol.purpose)) ==
		    1)
			continue;
		if (w == -1) {
			log_err("build: more than %d outputs", OUTPUT_MAX);
			goto out;
		}
		if (ch == 'h' || ch == '?' || ch == ':') {
			rc = cmd_usage(usage, ch);
			goto out;
		}
		if (option(&b, ch, optarg) == -1)
			goto out;
	}
	for (i = (size_t)optind; i < (size_t)argc; i++)
		push(&b.anchor, &b.nanchor, argv[i]);
	if (b.nanchor == 0) {
		log_err("build: no SOURCE given; name a certdata.txt, PEM, DER "
		    "or PKCS#7 file, an archive, a directory or a --store");
		usage(stderr);
		goto out;
	}
	if (b.out.n == 0) {
		log_err("build: nothing to write; give --bundle FILE and/or "
		    "--capath DIR (or --pem-dir DIR, --pkcs12 FILE, "
		    "--trusted-bundle FILE)");
		goto out;
	}
	for (i = 0; i < b.out.n; i++)	/* the last --purpose */
		if (b.out.v[i].plain)
			b.out.v[i].purpose = b.pol.purpose;
	if (output_distinct(&b.out, &d) == -1) {
		diags_report(&d);
		goto out;
	}
	rc = build_run(&b);
out:
	free(b.inter);
	free(b.anchor);
	for (i = 0; i < b.nowned; i++)
		free(b.owned[i]);
	free(b.owned);
	free(b.pol.exclude);
	policy_release(&b.pol);
	free(lopts);
	return rc;
}
