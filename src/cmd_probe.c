/*
 * cmd_probe.c: "trustbuild probe URL": what a server sends, whether it
 * verifies against a store as sendmail would see it, why not, and how to
 * fix it; with --chase, the missing intermediates fetched through AIA.
 *
 * URL -> probe_run (connect, STARTTLS, handshake: the chain as sent) ->
 * aia_verify against the store (OpenSSL's own CAfile/CApath loading, as
 * sendmail does) -> the verdict line "verify=..." -> the explanation ->
 * with --chase, aia_chase and the verdict with what it found.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "aia.h"
#include "cert.h"
#include "cmd.h"
#include "certset.h"
#include "config.h"
#include "manifest.h"
#include "text.h"
#include "json.h"
#include "log.h"
#include "probe.h"
#include "source.h"

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
	    "  --attime EPOCH     verify as at that time (seconds since 1970)\n"
	    "  --json             one JSON object, for monitoring\n"
	    "\n"
	    "Exit status: 0 the chain verifies, 1 it does not, 3 could not\n"
	    "connect or talk to the server.\n", PROBE_TIMEOUT);
}

/*
 * The store to verify against, and a description of it in *what: the
 * files given, else the store the configuration c publishes (c NULL: there
 * is no usable configuration), else the system's.  It verifies for
 * purpose p, as the host's TLS clients do.
 */
static X509_STORE *
load_store(const char *bundle, const char *capath, const struct config *c,
    enum purpose p, char *what, size_t size)
{
	X509_STORE *st = X509_STORE_new();

	if (st == NULL) {
		log_err("out of memory");
		return NULL;
	}
	if (purpose_x509(p) != 0 && !X509_STORE_set_purpose(st,
	    purpose_x509(p))) {
		log_ssl("cannot verify for %s", purpose_name(p));
		X509_STORE_free(st);
		return NULL;
	}
	if (bundle == NULL && capath == NULL && c != NULL) {
		if (c->bundle != NULL && access(c->bundle, R_OK) == 0)
			bundle = c->bundle;
		if (c->capath != NULL && access(c->capath, R_OK) == 0)
			capath = c->capath;
	}
	if (bundle == NULL && capath == NULL) {
		if (!X509_STORE_set_default_paths(st)) {
			log_ssl("the system's CA store");
			X509_STORE_free(st);
			return NULL;
		}
		snprintf(what, size, "the system's default CA store");
		return st;
	}
	if ((bundle != NULL && !X509_STORE_load_file(st, bundle)) ||
	    (capath != NULL && !X509_STORE_load_path(st, capath))) {
		log_ssl("'%s': cannot load it as a CA %s", bundle ? bundle :
		    capath, bundle ? "file" : "directory");
		X509_STORE_free(st);
		return NULL;
	}
	snprintf(what, size, "%s%s%s", bundle ? bundle : "",
	    bundle && capath ? " and " : "", capath ? capath : "");
	return st;
}

/* A certificate's subject or issuer, escaped for one line (text.h). */
static const char *
name_of(X509 *x, int issuer, char *buf, size_t size)
{
	char raw[1024];

	cert_name_str(issuer ? X509_get_issuer_name(x) :
	    X509_get_subject_name(x), raw, sizeof(raw));
	return text_esc(raw, buf, size);
}

static void
print_cert(FILE *f, int i, X509 *x, int json)
{
	char s[1024], when[40], hex[65], urls[AIA_MAX_URLS][AIA_MAX_URL];
	unsigned char d[32];
	unsigned dl;
	int n, j;

	X509_digest(x, EVP_sha256(), d, &dl);
	cert_hex(d, 32, hex, 0);
	cert_time_str(X509_get0_notAfter(x), when, sizeof(when));
	n = aia_urls(x, urls, AIA_MAX_URLS);
	if (json) {
		fprintf(f, "%s{\"subject\":", i ? "," : "");
		json_str(name_of(x, 0, s, sizeof(s)));
		fprintf(f, ",\"issuer\":");
		json_str(name_of(x, 1, s, sizeof(s)));
		fprintf(f, ",\"not_after\":");
		json_str(when);
		fprintf(f, ",\"sha256\":\"%s\",\"ca_issuers\":[", hex);
		for (j = 0; j < n; j++) {
			fprintf(f, "%s", j ? "," : "");
			json_str(urls[j]);
		}
		fprintf(f, "]}");
		return;
	}
	fprintf(f, "%2d subject:   %s\n", i, name_of(x, 0, s, sizeof(s)));
	fprintf(f, "   issuer:    %s\n", name_of(x, 1, s, sizeof(s)));
	fprintf(f, "   not after: %s%s\n", when,
	    X509_cmp_current_time(X509_get0_notAfter(x)) < 0 ?
	    " (expired)" : "");
	fprintf(f, "   sha256:    %s\n", hex);
	for (j = 0; j < n; j++)
		fprintf(f, "   caIssuers: %s\n", text_esc(urls[j], s,
		    sizeof(s)));
}

/*
 * The manifest of the published store may carry Mozilla's distrust-after
 * date of the root the chain ends at: a leaf issued after it is one that
 * NSS and browsers refuse, though OpenSSL (and so sendmail) does not know.
 */
static void
distrust_note(FILE *f, const struct manifest *m, X509 *leaf, X509 *root,
    int json)
{
	const struct manifest_cert *mc;
	unsigned char d[32];
	unsigned dl;
	struct tm tm;
	char when[40], issued[40], name[1024];
	time_t nb;

	if (!X509_digest(root, EVP_sha256(), d, &dl) ||
	    (mc = manifest_find(m, d)) == NULL || mc->distrust_after[0] == 0 ||
	    !ASN1_TIME_to_tm(X509_get0_notBefore(leaf), &tm) ||
	    (nb = timegm(&tm)) <= mc->distrust_after[0])
		return;
	cert_time_t_str(mc->distrust_after[0], when, sizeof(when));
	cert_time_t_str(nb, issued, sizeof(issued));
	if (json) {
		fprintf(f, ",\"distrust_after\":");
		json_str(when);
		fprintf(f, ",\"issued_after_distrust\":true");
	} else
		fprintf(f, "distrust: the certificate was issued on %s, after "
		    "%s, the date from which\n          Mozilla no longer "
		    "trusts certificates of its root %s for servers;\n"
		    "          browsers and NSS refuse it, though sendmail's "
		    "verify= does not check this\n", issued, when,
		    name_of(root, 0, name, sizeof(name)));
}

/* Does the leaf name the host?  1 yes, 0 no. */
static int
name_matches(X509 *leaf, const char *host)
{
	int r;

	if (X509_check_ip_asc(leaf, host, 0) == 1)
		return 1;
	r = X509_check_host(leaf, host, 0, 0, NULL);
	ERR_clear_error();
	return r == 1;
}

/* --chain FILE: the certificates of a PEM file, in their order. */
static int
read_chain(const char *path, struct probe_result *r)
{
	unsigned char *buf;
	size_t len;
	char err[256];
	struct diags d = DIAGS_INIT;

	if (source_read_file(path, 1024 * 1024, &buf, &len, &d) == -1) {
		diags_report(&d);
		return -1;
	}
	if ((r->chain = sk_X509_new_null()) == NULL ||
	    aia_decode(buf, len, r->chain, err, sizeof(err)) == -1) {
		log_err("'%s': %s", path, r->chain ? err : "out of memory");
		free(buf);
		return -1;
	}
	free(buf);
	return 0;
}

int
cmd_probe(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "capath", required_argument, NULL, 'c' },
		{ "servername", required_argument, NULL, 's' },
		{ "ehlo", required_argument, NULL, 'e' },
		{ "timeout", required_argument, NULL, 't' },
		{ "chase", no_argument, NULL, 'C' },
		{ "https-aia", no_argument, NULL, 'H' },
		{ "aia-private", no_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "chain", required_argument, NULL, 'f' },
		{ "attime", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct probe_target t;
	struct probe_opts po;
	struct probe_result pr;
	struct aia_opts ao;
	struct aia *aia = NULL;
	struct aia_result ar;
	struct diags d = DIAGS_INIT;
	const char *bundle = NULL, *capath = NULL, *host, *chainfile = NULL;
	const char *label;
	struct config cfg;
	struct manifest man;
	enum purpose purpose = PURPOSE_SERVER_AUTH;
	int have_cfg = 0, saved;
	STACK_OF(X509) *vchain = NULL;
	char err[1024], what[4200], s[1024], s2[1024], esc[2048];
	char urls[AIA_MAX_URLS][AIA_MAX_URL];
	X509_STORE *store = NULL;
	X509 *leaf, *cur = NULL;
	int ch, chase = 0, json = 0, ok, verr = 0, rc = EXIT_ERROR, i, n;
	int named = 1;
	unsigned long tmo;
	FILE *f = stdout;

	memset(&po, 0, sizeof(po));
	memset(&man, 0, sizeof(man));
	memset(&pr, 0, sizeof(pr));
	memset(&ao, 0, sizeof(ao));
	memset(&ar, 0, sizeof(ar));
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			bundle = optarg;
			break;
		case 'c':
			capath = optarg;
			break;
		case 's':
			po.servername = optarg;
			break;
		case 'e':
			po.ehlo = optarg;
			break;
		case 't':
			tmo = strtoul(optarg, NULL, 10);
			if (tmo == 0 || tmo > 3600) {
				log_err("--timeout '%s': give 1 to 3600 seconds",
				    optarg);
				return EXIT_ERROR;
			}
			po.timeout = (unsigned)tmo;
			break;
		case 'C':
			chase = 1;
			break;
		case 'H':
			ao.allow_https = 1;
			break;
		case 'P':
			ao.allow_private = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'f':
			chainfile = optarg;
			break;
		case 'a': {
			char *end;
			long long v = strtoll(optarg, &end, 10);

			if (*optarg == '\0' || *end != '\0' || v <= 0) {
				log_err("--attime '%s': give seconds since "
				    "1970, e.g. $(date -d 2026-01-01 +%%s)",
				    optarg);
				return EXIT_ERROR;
			}
			ao.at = (time_t)v;
			break;
		}
		case 'h':
			usage(stdout);
			return EXIT_CHANGED;
		default:
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (argc - optind > 1 || (argc - optind == 0 && chainfile == NULL)) {
		log_err("probe: give one URL, e.g. smtp://mail.example.com");
		usage(stderr);
		return EXIT_ERROR;
	}
	memset(&t, 0, sizeof(t));
	if (argc - optind == 1 &&
	    probe_parse_url(argv[optind], &t, err, sizeof(err)) == -1) {
		log_err("%s", err);
		return EXIT_ERROR;
	}
	label = argc - optind == 1 ? argv[optind] : chainfile;
	/*
	 * The configuration, when there is a usable one, gives the purpose
	 * to verify for, the store it publishes and that store's manifest.
	 */
	saved = log_verbosity;
	log_verbosity = LOG_QUIET;
	if ((have_cfg = config_find(cmd_config, &cfg) == 0)) {
		purpose = cfg.purpose;
		if (manifest_load(cfg.state, &man, err, sizeof(err)) != 1)
			manifest_release(&man);
	}
	log_verbosity = saved;
	store = load_store(bundle, capath, have_cfg ? &cfg : NULL, purpose,
	    what, sizeof(what));
	if (store == NULL)
		goto out;
	if (ao.at != 0)
		X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store), ao.at);
	host = po.servername ? po.servername : t.host[0] ? t.host : NULL;

	if (chainfile != NULL) {
		if (read_chain(chainfile, &pr) == -1)
			goto out;
		snprintf(pr.addr, sizeof(pr.addr), "none");
		snprintf(pr.tls, sizeof(pr.tls), "from %s", chainfile);
	} else if (probe_run(&t, &po, &pr, &d) == -1) {
		snprintf(err, sizeof(err), "%s", diags_first_err(&d));
		diags_clear(&d);
		if (json) {
			fprintf(f, "{\"url\":");
			json_str(label);
			fprintf(f, ",\"connected\":false,\"error\":");
			json_str(err);
			fprintf(f, "}\n");
		}
		log_err("%s: %s", label, err);
		rc = EXIT_NOTALK;
		goto out;
	}
	n = sk_X509_num(pr.chain);
	if (json) {
		fprintf(f, "{\"url\":");
		json_str(label);
		fprintf(f, ",\"connected\":%s,\"address\":", chainfile ?
		    "false" : "true");
		json_str(pr.addr);
		fprintf(f, ",\"tls\":");
		json_str(pr.tls);
		fprintf(f, ",\"store\":");
		json_str(what);
		fprintf(f, ",\"chain\":[");
		for (i = 0; i < n; i++)
			print_cert(f, i, sk_X509_value(pr.chain, i), 1);
		fprintf(f, "]");
	} else {
		if (chainfile != NULL)
			fprintf(f, "%s: the chain saved in it\n", chainfile);
		else
			fprintf(f, "%s: connected to %s (%s%s), %s\n", label,
			    pr.addr, t.scheme, !t.starttls ? "" :
			    ", STARTTLS", pr.tls);
		fprintf(f, "chain as sent (%d certificate%s):\n", n,
		    n == 1 ? "" : "s");
		for (i = 0; i < n; i++)
			print_cert(f, i, sk_X509_value(pr.chain, i), 0);
	}
	if (n == 0) {
		if (json)
			fprintf(f, ",\"verify\":\"NO\"}\n");
		else
			fprintf(f, "verify=NO (store: %s)\nwhy: the server sent "
			    "no certificate (anonymous TLS); nothing can be "
			    "verified\n", what);
		rc = EXIT_ERROR;
		goto out;
	}
	leaf = sk_X509_value(pr.chain, 0);
	if ((ok = aia_verify(store, leaf, pr.chain, &verr, &cur, &vchain)) ==
	    -1) {
		log_err("out of memory");
		goto out;
	}
	named = host == NULL || name_matches(leaf, host);
	if (json) {
		fprintf(f, ",\"verify\":\"%s\"", ok ? "OK" : "FAIL");
		if (!ok) {
			fprintf(f, ",\"verifymsg\":");
			json_str(X509_verify_cert_error_string(verr));
		}
		if (host != NULL)
			fprintf(f, ",\"name_matches\":%s", named ? "true" :
			    "false");
	} else {
		if (ok)
			fprintf(f, "verify=OK (store: %s)\n", what);
		else
			fprintf(f, "verify=FAIL verifymsg=%s (store: %s)\n",
			    X509_verify_cert_error_string(verr), what);
	}
	rc = ok ? EXIT_CHANGED : EXIT_ERROR;

	/* why, and what to do */
	if (!ok && !json && cur != NULL) {
		name_of(cur, 0, s, sizeof(s));
		name_of(cur, 1, s2, sizeof(s2));
		switch (verr) {
		case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
		case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
			if (cur == leaf && n == 1)
				fprintf(f, "why: the server sent its certificate "
				    "without the intermediate that issued it,\n"
				    "     and the store does not have it\n");
			else
				fprintf(f, "why: neither the server nor the "
				    "store has the issuer of %s\n", s);
			fprintf(f, "missing: %s\n", s2);
			n = aia_urls(cur, urls, AIA_MAX_URLS);
			for (i = 0; i < n; i++)
				fprintf(f, "caIssuers says it is at: %s\n",
				    text_esc(urls[i], esc, sizeof(esc)));
			if (n == 0) {
				fprintf(f, "the certificate names no caIssuers "
				    "URL to fetch it from\nfix: ask the server's "
				    "operator to send the intermediate with the "
				    "certificate, or\n     get it from the CA and "
				    "add it to a local source of trustbuild.conf\n"
				    "     (role = intermediates)\n");
				break;
			}
			if (chainfile != NULL)
				fprintf(f, "fix: ask the server's operator to "
				    "send the intermediate with the certificate, "
				    "or add it\n     to the store: a [probe] "
				    "section for the server in trustbuild.conf, "
				    "then\n     'trustbuild update'%s\n", chase ?
				    "" : "; see it work first with --chase");
			else
				fprintf(f, "fix: ask the server's operator to "
				    "send the intermediate with the certificate, "
				    "or add it\n     to the store: a [probe] "
				    "section with url = %s in\n     "
				    "trustbuild.conf, then 'trustbuild update'%s\n",
				    label, chase ? "" : "; see it work first with "
				    "--chase");
			break;
		case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
			fprintf(f, "why: the chain ends at the root %s, which "
			    "is not in the store\nfix: if you trust that root, "
			    "add it to a local source of trustbuild.conf\n"
			    "     (role = anchors); it is not one of the public "
			    "roots the store holds\n", s);
			break;
		case X509_V_ERR_CERT_HAS_EXPIRED:
			cert_time_str(X509_get0_notAfter(cur), s2, sizeof(s2));
			fprintf(f, "why: %s expired on %s\nfix: the server's "
			    "operator must renew it\n", s, s2);
			break;
		case X509_V_ERR_CERT_NOT_YET_VALID:
			cert_time_str(X509_get0_notBefore(cur), s2, sizeof(s2));
			fprintf(f, "why: %s is not valid before %s (check this "
			    "machine's clock)\n", s, s2);
			break;
		case X509_V_ERR_INVALID_PURPOSE:
			fprintf(f, "why: %s is not for %s: its extendedKeyUsage "
			    "or keyUsage say otherwise,\n     and TLS clients "
			    "such as sendmail refuse it for the same reason\n"
			    "fix: the server's operator needs a certificate "
			    "issued for %s\n", s, purpose_name(purpose),
			    purpose_name(purpose));
			break;
		default:
			fprintf(f, "why: %s: %s\n", s,
			    X509_verify_cert_error_string(verr));
		}
	}
	if (ok)
		distrust_note(f, &man, leaf, sk_X509_value(vchain,
		    sk_X509_num(vchain) - 1), json);
	if (!named && !json)
		fprintf(f, "name: '%s' matches neither the certificate's "
		    "subjectAltName nor its CN;\n      sendmail's verify= does "
		    "not check the name, but other clients do\n", host);

	if (chase && !ok) {
		if ((aia = aia_new(&ao)) == NULL ||
		    aia_chase(aia, store, pr.chain, &ar) == -1) {
			log_err("out of memory");
			rc = EXIT_ERROR;
			goto out;
		}
		if (json) {
			fprintf(f, ",\"aia\":[");
			for (i = 0; i < (int)ar.nsteps; i++) {
				fprintf(f, "%s{\"url\":", i ? "," : "");
				json_str(ar.steps[i].url);
				fprintf(f, ",\"ok\":%s,%s\"result\":",
				    ar.steps[i].ok ? "true" : "false",
				    ar.steps[i].refused ? "\"refused\":true," :
				    "");
				json_str(ar.steps[i].what);
				fprintf(f, "}");
			}
			fprintf(f, "],\"verify_with_aia\":\"%s\"",
			    ar.verified ? "OK" : "FAIL");
		} else {
			fprintf(f, "AIA:\n");
			for (i = 0; i < (int)ar.nsteps; i++)
				fprintf(f, "  %s%s%s%s\n", text_esc(ar.steps[i].url,
				    s, sizeof(s)), ar.steps[i].url[0] ? ": " : "",
				    text_esc(ar.steps[i].what, s2, sizeof(s2)),
				    ar.steps[i].refused ? "; give --aia-private "
				    "for an internal PKI" : "");
			if (ar.verified) {
				fprintf(f, "with %d intermediate%s fetched "
				    "through AIA: verify=OK\n",
				    sk_X509_num(ar.found),
				    sk_X509_num(ar.found) == 1 ? "" : "s");
				for (i = 0; i < sk_X509_num(ar.found); i++)
					print_cert(f, i + 1,
					    sk_X509_value(ar.found, i), 0);
				fprintf(f, "fix: add [probe] with url = %s to "
				    "trustbuild.conf and run 'trustbuild "
				    "update':\n     it publishes %s\n",
				    chainfile ? "SERVER-URL" : label,
				    sk_X509_num(ar.found) == 1 ?
				    "this intermediate" : "these intermediates");
			} else
				fprintf(f, "with what AIA gave: still "
				    "verify=FAIL\n");
		}
	}
	if (json)
		fprintf(f, "}\n");
out:
	X509_free(cur);
	sk_X509_pop_free(vchain, X509_free);
	manifest_release(&man);
	if (have_cfg)
		config_release(&cfg);
	aia_result_release(&ar);
	aia_free(aia);
	probe_result_release(&pr);
	X509_STORE_free(store);
	return rc;
}
