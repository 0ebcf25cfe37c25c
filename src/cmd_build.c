/*
 * cmd_build.c: "trustbuild build": local root sets to a published store.
 *
 * sources -> one certificate set per source -> policy (trust for the
 * purpose, blocklist, exclusions, expiry, intermediates that chain) -> the
 * writers[] stage every output -> all are committed, or none.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <openssl/evp.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blocklist.h"
#include "capath.h"
#include "certset.h"
#include "cmd.h"
#include "config.h"
#include "log.h"
#include "output.h"
#include "policy.h"
#include "source.h"
#include "store.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: trustbuild build [--purpose server-auth|email|code-signing|any]\n"
	    "                        [--keep-expired] [--intermediates SOURCE]...\n"
	    "                        [--exclude SHA256]... [--bundle FILE]\n"
	    "                        [--capath DIR] [--compat] [--store NAME[=PATH]]...\n"
	    "                        [SOURCE...]\n"
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
	    "  --store NAME[=PATH]  a local copy of a known root set (see\n"
	    "                       'trustbuild stores'): its format, member and\n"
	    "                       role come from the definition (repeatable)\n"
	    "\n"
	    "Exit status: 0 published a change, 2 nothing changed, 1 error\n"
	    "(nothing published).\n");
}

/* Append s to the list *v of *n strings. */
static int
push(char ***v, size_t *n, char *s)
{
	char **nv = reallocarray(*v, *n + 1, sizeof(**v));

	if (nv == NULL) {
		log_err("out of memory");
		return -1;
	}
	*v = nv;
	nv[(*n)++] = s;
	return 0;
}

/*
 * --store NAME[=PATH]: a local copy of a known root set.  The definition
 * gives the format (checked against the content), the member of an
 * archive, the role, and a pin when it has one.  The SOURCE string made
 * (malloc'd) goes to *src, the role to *role.
 */
static int
store_source(const char *arg, char **src, enum store_role *role)
{
	struct store st;
	const char *eq = strchr(arg, '=');
	char *name, *path = NULL;
	unsigned char *buf = NULL;
	size_t len, i;
	enum source_format f;
	struct diags d = DIAGS_INIT;
	int rc = -1;

	name = eq ? strndup(arg, (size_t)(eq - arg)) : strdup(arg);
	if (name == NULL) {
		log_err("out of memory");
		return -1;
	}
	if (store_load(name, &st) == -1) {
		free(name);
		return -1;
	}
	if (eq != NULL && eq[1] != '\0')
		path = strdup(eq + 1);
	else
		for (i = 0; i < st.npaths && path == NULL; i++)
			if (access(st.paths[i], R_OK) == 0)
				path = strdup(st.paths[i]);
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
	if (st.sha256 != NULL) {
		unsigned char want[32], got[32];
		char hex[65];

		for (i = 0; i < 32; i++)
			sscanf(st.sha256 + 2 * i, "%2hhx", &want[i]);
		if (!EVP_Digest(buf, len, got, NULL, EVP_sha256(), NULL) ||
		    memcmp(want, got, 32) != 0) {
			cert_hex(got, 32, hex, 0);
			log_err("'%s': SHA-256 %s is not the %s store's pin %s "
			    "(%s)", path, hex, name, st.sha256, st.file);
			goto out;
		}
	}
	if (st.member != NULL ? asprintf(src, "%s#%s", path, st.member) == -1 :
	    (*src = strdup(path)) == NULL) {
		log_err("out of memory");
		goto out;
	}
	*role = st.role;
	rc = 0;
out:
	free(buf);
	free(path);
	free(name);
	store_release(&st);
	return rc;
}

/* Load each path into its own set. */
static int
load_all(char **paths, size_t n, enum purpose want, struct certset **sets,
    struct blocklist *bl)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct diags d = DIAGS_INIT;
		int got;

		if ((sets[i] = certset_new()) == NULL) {
			log_err("out of memory");
			return -1;
		}
		got = source_load(paths[i], (int)want, sets[i], bl, &d);
		diags_report(&d);
		if (got == -1)
			return -1;
		log_info("'%s': %d certificate%s", paths[i], got,
		    got == 1 ? "" : "s");
	}
	return 0;
}

int
cmd_build(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "purpose", required_argument, NULL, 'p' },
		{ "keep-expired", no_argument, NULL, 'k' },
		{ "intermediates", required_argument, NULL, 'i' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "compat", no_argument, NULL, 'C' },
		{ "store", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct policy pol;
	struct policy_stats st;
	struct blocklist *bl = NULL;
	struct certset **asets = NULL, **isets = NULL, *final = NULL;
	struct output out = OUTPUT_INIT;
	struct option *lopts = output_longopts(opts);
	char **inter = NULL, **anchor = NULL, **owned = NULL;
	size_t ninter = 0, nanchor = 0, nowned = 0, i;
	int ch, rc = EXIT_ERROR, changed = 0, w;

	memset(&pol, 0, sizeof(pol));
	pol.purpose = PURPOSE_SERVER_AUTH;
	pol.now = time(NULL);

	while ((ch = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		if (output_getopt(&out, ch, optarg))
			continue;	/* --bundle FILE, --capath DIR... */
		switch (ch) {
		case 'p':
			if ((w = purpose_from_name(optarg)) == -1) {
				log_err("'%s' is not a purpose; use server-auth, "
				    "email, code-signing or any", optarg);
				goto out;
			}
			pol.purpose = (enum purpose)w;
			break;
		case 'k':
			pol.keep_expired = 1;
			break;
		case 'i':
			if (push(&inter, &ninter, optarg) == -1)
				goto out;
			break;
		case 'x': {
			unsigned char (*v)[32];

			v = reallocarray(pol.exclude, pol.nexclude + 1,
			    sizeof(*v));
			if (v == NULL) {
				log_err("out of memory");
				goto out;
			}
			pol.exclude = v;
			if (config_sha256(optarg, v[pol.nexclude]) == -1) {
				log_err("--exclude '%s': not a SHA-256 "
				    "fingerprint (64 hex digits, colons "
				    "allowed)", optarg);
				goto out;
			}
			pol.nexclude++;
			break;
		}
		case 'C':
			out.flags |= CAPATH_COMPAT;
			break;
		case 's': {
			enum store_role role;
			char *src;

			if (store_source(optarg, &src, &role) == -1)
				goto out;
			if (push(&owned, &nowned, src) == -1) {
				free(src);
				goto out;
			}
			if (role == STORE_INTERMEDIATES ?
			    push(&inter, &ninter, src) == -1 :
			    push(&anchor, &nanchor, src) == -1)
				goto out;
			break;
		}
		case 'h':
			usage(stdout);
			rc = EXIT_CHANGED;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	argc -= optind;
	argv += optind;
	for (i = 0; i < (size_t)argc; i++)
		if (push(&anchor, &nanchor, argv[i]) == -1)
			goto out;
	if (nanchor == 0) {
		log_err("build: no SOURCE given; name a certdata.txt, PEM, DER "
		    "or PKCS#7 file, an archive, a directory or a --store");
		usage(stderr);
		goto out;
	}
	if (out.n == 0) {
		log_err("build: nothing to write; give --bundle FILE and/or "
		    "--capath DIR");
		goto out;
	}
	if ((asets = calloc(nanchor, sizeof(*asets))) == NULL ||
	    (isets = calloc(ninter + 1, sizeof(*isets))) == NULL ||
	    (bl = blocklist_new()) == NULL) {
		log_err("out of memory");
		goto out;
	}
	if (load_all(anchor, nanchor, pol.purpose, asets, bl) == -1 ||
	    load_all(inter, ninter, pol.purpose, isets, bl) == -1)
		goto out;
	if ((final = policy_build(&pol, asets, nanchor, isets, ninter, bl,
	    &st)) == NULL)
		goto out;
	if (st.expired > 0 && log_verbosity < LOG_VERBOSE)
		log_warn("left out %zu expired anchor%s (-v names them, "
		    "--keep-expired keeps them)", st.expired,
		    st.expired == 1 ? "" : "s");
	if (st.refused > 0 && log_verbosity < LOG_VERBOSE)
		log_warn("refused %zu intermediate%s (-v says why)",
		    st.refused, st.refused == 1 ? "" : "s");
	if (final->n == 0) {
		log_err("refusing to publish an empty set: no certificate of "
		    "the sources is a trust anchor for %s",
		    purpose_name(pol.purpose));
		goto out;
	}

	if (output_publish(&out, final, &changed) == -1)
		goto out;
	if (log_verbosity >= LOG_NORMAL)
		printf("%zu anchors, %zu intermediates for %s: %s\n",
		    st.anchors, st.intermediates, purpose_name(pol.purpose),
		    changed ? "published" : "unchanged");
	rc = changed ? EXIT_CHANGED : EXIT_UNCHANGED;
out:
	for (i = 0; asets && i < nanchor; i++)
		certset_free(asets[i]);
	for (i = 0; isets && i < ninter; i++)
		certset_free(isets[i]);
	free(asets);
	free(isets);
	certset_free(final);
	blocklist_free(bl);
	free(inter);
	free(anchor);
	for (i = 0; i < nowned; i++)
		free(owned[i]);
	free(owned);
	free(pol.exclude);
	policy_release(&pol);
	free(lopts);
	return rc;
}
