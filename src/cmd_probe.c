/*
 * cmd_probe.c: "trustbuild probe URL": what a server sends, whether it
 * verifies against a store as sendmail would see it, why not, and how to
 * fix it; with --chase, the missing intermediates fetched through AIA.
 * Options -> probe_run (the chain as sent) or --chain FILE -> the store
 * (verify.h: OpenSSL's CAfile/CApath loading, as sendmail's) ->
 * probe_report_verify (verify_chain, and aia_chase with --chase) ->
 * probe_report (text or JSON).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aia.h"
#include "cmd.h"
#include "config.h"
#include "diag.h"
#include "log.h"
#include "manifest.h"
#include "probe.h"
#include "probe_report.h"
#include "source.h"
#include "verify.h"

#define EXIT_NOTALK	3	/* could not connect or talk to the server */

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: trustbuild probe [--bundle FILE] [--capath DIR]\n"
	    "                        [--servername NAME] [--ehlo NAME]\n"
	    "                        [--timeout SECONDS] [--chase] [--https-aia]\n"
	    "                        [--aia-private] [--attime EPOCH] [--json] URL\n"
	    "       trustbuild probe [options] --chain FILE [URL]\n"
	    "\n"
	    "Connect to a server, show the certificate chain it sends, and say\n"
	    "whether it verifies against the store as sendmail would report it\n"
	    "(verify=OK, verify=FAIL, verify=NO), why not, and what to do.\n"
	    "URL: smtp://HOST[:25], submission://HOST[:587], smtps://, imap://,\n"
	    "imaps://, pop3://, pop3s://, ftp://, ldap://, ldaps://, https://,\n"
	    "tls://HOST:PORT; an IPv6 address in brackets.\n"
	    "\n"
	    "  --bundle FILE      verify against this CA bundle\n"
	    "  --capath DIR       and/or this hashed directory (default: the\n"
	    "                     store 'update' publishes, else the system's)\n"
	    "  --servername NAME  the name to ask for (SNI) and to check\n"
	    "  --ehlo NAME        the EHLO name for SMTP (default: this host's)\n"
	    "  --timeout SECONDS  for connecting and talking (default %d)\n"
	    "  --chase            fetch missing intermediates from their\n"
	    "                     caIssuers (AIA) URLs and verify again\n"
	    "  --https-aia        follow https caIssuers URLs too\n"
	    "  --aia-private      let caIssuers URLs reach loopback, private and\n"
	    "                     link-local addresses (an internal PKI; refused\n"
	    "                     by default: a certificate names them)\n"
	    "  --chain FILE       do not connect: take the chain from a PEM file\n"
	    "                     (leaf first, at most 16), e.g. saved by\n"
	    "                     openssl s_client -showcerts\n"
	    "  --attime EPOCH     verify, and judge each certificate's expiry, as\n"
	    "                     at that time (seconds since 1970)\n"
	    "  --json             one JSON object, for monitoring\n"
	    "\n"
	    "Exit status: 0 the chain verifies, 1 it does not, 3 could not\n"
	    "connect or talk to the server.\n", PROBE_TIMEOUT);
}

/* What the options say. */
struct args {
	const char	*bundle, *capath, *chainfile;
	struct probe_opts po;
	struct aia_opts	 ao;
	int		 chase, json;
};

/* Options into a; 0, or -1 when the command ends with *status. */
static int
parse_args(int argc, char *argv[], struct args *a, int *status)
{
	const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "capath", required_argument, NULL, 'c' },
		{ "servername", required_argument, NULL, 's' },
		{ "ehlo", required_argument, NULL, 'e' },
		{ "timeout", required_argument, NULL, 't' },
		{ "chase", no_argument, &a->chase, 1 },
		{ "https-aia", no_argument, &a->ao.allow_https, 1 },
		{ "aia-private", no_argument, &a->ao.allow_private, 1 },
		{ "json", no_argument, &a->json, 1 },
		{ "chain", required_argument, NULL, 'f' },
		{ "attime", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long tmo;
	long long v;
	char *end;
	int ch;

	*status = EXIT_ERROR;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			a->bundle = optarg;
			break;
		case 'c':
			a->capath = optarg;
			break;
		case 's':
			a->po.servername = optarg;
			break;
		case 'e':
			a->po.ehlo = optarg;
			break;
		case 't':
			tmo = strtoul(optarg, NULL, 10);
			if (tmo == 0 || tmo > 3600) {
				log_err("--timeout '%s': give 1 to 3600 seconds",
				    optarg);
				return -1;
			}
			a->po.timeout = (unsigned)tmo;
			break;
		case 0:		/* a flag, set by getopt_long */
			break;
		case 'f':
			a->chainfile = optarg;
			break;
		case 'a':
			v = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v <= 0) {
				log_err("--attime '%s': give seconds since "
				    "1970, e.g. $(date -d 2026-01-01 +%%s)",
				    optarg);
				return -1;
			}
			a->ao.at = (time_t)v;
			break;
		default:
			*status = cmd_usage(usage, ch);
			return -1;
		}
	}
	if (argc - optind > 1 || (argc - optind == 0 && a->chainfile == NULL)) {
		log_err("probe: give one URL, e.g. smtp://mail.example.com");
		usage(stderr);
		return -1;
	}
	return 0;
}

/*
 * The store to verify against, and a description of it in *what: the
 * files given, else the store the configuration c publishes (c NULL: there
 * is no usable configuration), else the system's.  It verifies for
 * purpose p, as the host's TLS clients do, at --attime.  NULL after a
 * message.
 */
static X509_STORE *
load_store(const struct args *a, const struct config *c, enum purpose p,
    char *what, size_t size)
{
	struct diags d = DIAGS_INIT;
	const char *bundle = a->bundle, *capath = a->capath;
	X509_STORE *st;

	if (bundle == NULL && capath == NULL && c != NULL) {
		if (c->bundle != NULL && access(c->bundle, R_OK) == 0)
			bundle = c->bundle;
		if (c->capath != NULL && access(c->capath, R_OK) == 0)
			capath = c->capath;
	}
	if ((st = verify_store_files(bundle, capath, p, what, size, &d)) ==
	    NULL)
		diags_report(&d);
	else if (a->ao.at != 0)
		X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(st), a->ao.at);
	return st;
}

/* --chain FILE: the certificates of a PEM file, in their order. */
static int
read_chain(const char *path, struct probe_result *r)
{
	struct diags d = DIAGS_INIT;
	unsigned char *buf;
	size_t len;
	int n = -1;

	if (source_read_file(path, 1024 * 1024, &buf, &len, &d) == 0) {
		if ((r->chain = sk_X509_new_null()) == NULL)
			diag_err(&d, path, 0, "out of memory");
		else
			n = aia_decode(path, buf, len, r->chain, &d);
		free(buf);
	}
	diags_report(&d);
	snprintf(r->addr, sizeof(r->addr), "none");
	snprintf(r->tls, sizeof(r->tls), "from %s", path);
	return n == -1 ? -1 : 0;
}

/*
 * The configuration (NULL: none could be read), when there is one, gives
 * the purpose to verify for, the store it publishes and that store's
 * manifest.
 */
static void
probe_config(const struct config *cfg, struct manifest *man, enum purpose *p)
{
	char err[1024];

	if (cfg == NULL)
		return;
	*p = cfg->purpose;
	if (manifest_load(cfg->state, man, err, sizeof(err), NULL) != 1)
		manifest_release(man);
}

int
cmd_probe(int argc, char *argv[], struct config *cfg)
{
	struct args a;
	struct probe_target t;
	struct probe_result pr;
	struct probe_report rep;
	struct aia *aia = NULL;
	struct manifest man;
	struct diags d = DIAGS_INIT;
	char err[1024], what[4200];
	X509_STORE *store = NULL;
	int rc;

	memset(&a, 0, sizeof(a));
	memset(&t, 0, sizeof(t));
	memset(&pr, 0, sizeof(pr));
	memset(&rep, 0, sizeof(rep));
	memset(&man, 0, sizeof(man));
	if (parse_args(argc, argv, &a, &rc) == -1)
		return rc;	/* else rc is EXIT_ERROR */
	if (argc - optind == 1 &&
	    probe_parse_url(argv[optind], &t, err, sizeof(err)) == -1) {
		log_err("%s", err);
		return EXIT_ERROR;
	}
	rep.label = argc - optind == 1 ? argv[optind] : a.chainfile;
	rep.chainfile = a.chainfile;
	rep.t = &t;
	rep.pr = &pr;
	rep.store = what;
	rep.purpose = PURPOSE_SERVER_AUTH;
	rep.man = &man;
	rep.chase = a.chase;
	rep.json = a.json;
	rep.at = a.ao.at;
	probe_config(cfg, &man, &rep.purpose);
	if ((store = load_store(&a, cfg, rep.purpose, what,
	    sizeof(what))) == NULL)
		goto out;
	rep.host = a.po.servername ? a.po.servername : t.host[0] ? t.host :
	    NULL;
	if (a.chainfile != NULL) {
		if (read_chain(a.chainfile, &pr) == -1)
			goto out;
	} else if (probe_run(&t, &a.po, &pr, &d) == -1) {
		probe_report_failed(stdout, rep.label, diags_first_err(&d),
		    a.json);
		log_err("%s: %s", rep.label, diags_first_err(&d));
		diags_clear(&d);
		rc = EXIT_NOTALK;
		goto out;
	}
	/* with --chase, a chain that does not verify is chased */
	if ((a.chase && (aia = aia_new(&a.ao)) == NULL) ||
	    probe_report_verify(&rep, store, aia) == -1) {
		log_err("out of memory");
		goto out;
	}
	if (sk_X509_num(pr.chain) > 0)
		rc = rep.verified ? EXIT_CHANGED : EXIT_ERROR;
	probe_report(stdout, &rep);
out:
	probe_report_release(&rep);
	manifest_release(&man);
	aia_free(aia);
	probe_result_release(&pr);
	X509_STORE_free(store);
	return rc;
}
