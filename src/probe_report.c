/*
 * probe_report.c: the report of "trustbuild probe", see probe_report.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "json.h"
#include "probe_report.h"
#include "text.h"
#include "verify.h"

int
probe_report_verify(struct probe_report *r, X509_STORE *store,
    struct aia *aia)
{
	STACK_OF(X509) *chain = r->pr->chain;
	X509 *leaf = sk_X509_value(chain, 0);
	int ok;

	if (sk_X509_num(chain) == 0)
		return 0;
	if ((ok = verify_chain(store, leaf, chain, &r->verr, &r->cur,
	    &r->vchain)) == -1)
		return -1;
	r->verified = ok;
	r->named = r->host == NULL || verify_name(leaf, r->host);
	if (ok || aia == NULL)
		return 0;
	if (aia_chase(aia, store, chain, &r->ar) == -1)
		return -1;
	r->chased = 1;
	return 0;
}

void
probe_report_release(struct probe_report *r)
{
	X509_free(r->cur);
	sk_X509_pop_free(r->vchain, X509_free);
	aia_result_release(&r->ar);
	r->cur = NULL;
	r->vchain = NULL;
	r->chased = 0;
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

/* c's validity at r->at (0: now): "", "expired" or "not yet valid". */
static const char *
validity(const struct probe_report *r, X509 *x)
{
	time_t at = r->at ? r->at : time(NULL);

	if (X509_cmp_time(X509_get0_notAfter(x), &at) < 0)
		return "expired";
	if (X509_cmp_time(X509_get0_notBefore(x), &at) > 0)
		return "not yet valid";
	return "";
}

static void
print_cert(FILE *f, const struct probe_report *r, int i, X509 *x, int json)
{
	const char *v = validity(r, x);
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
		json_asn1_time(X509_get0_notAfter(x));
		fprintf(f, ",\"sha256\":\"%s\",\"expired\":%s,"
		    "\"not_yet_valid\":%s,\"ca_issuers\":[", hex,
		    strcmp(v, "expired") == 0 ? "true" : "false",
		    strcmp(v, "not yet valid") == 0 ? "true" : "false");
		for (j = 0; j < n; j++) {
			fprintf(f, "%s", j ? "," : "");
			json_str(urls[j]);
		}
		fprintf(f, "]}");
		return;
	}
	fprintf(f, "%2d subject:   %s\n", i, name_of(x, 0, s, sizeof(s)));
	fprintf(f, "   issuer:    %s\n", name_of(x, 1, s, sizeof(s)));
	fprintf(f, "   not after: %s%s%s%s\n", when, *v ? " (" : "", v,
	    *v ? ")" : "");
	fprintf(f, "   sha256:    %s\n", hex);
	for (j = 0; j < n; j++)
		fprintf(f, "   caIssuers: %s\n", text_esc(urls[j], s,
		    sizeof(s)));
}

/* Where the chain came from, and the chain as sent. */
static void
print_chain(FILE *f, const struct probe_report *r)
{
	STACK_OF(X509) *chain = r->pr->chain;
	char when[40];
	int i, n = sk_X509_num(chain);

	if (r->json) {
		fprintf(f, "{\"url\":");
		json_str(r->label);
		fprintf(f, ",\"connected\":%s,\"address\":", r->chainfile ?
		    "false" : "true");
		json_str(r->pr->addr);
		fprintf(f, ",\"tls\":");
		json_str(r->pr->tls);
		fprintf(f, ",\"store\":");
		json_str(r->store);
		if (r->at != 0) {
			fprintf(f, ",\"attime\":");
			json_time(r->at);
		}
		fprintf(f, ",\"chain\":[");
		for (i = 0; i < n; i++)
			print_cert(f, r, i, sk_X509_value(chain, i), 1);
		fprintf(f, "]");
		return;
	}
	if (r->chainfile != NULL)
		fprintf(f, "%s: the chain saved in it\n", r->chainfile);
	else
		fprintf(f, "%s: connected to %s (%s%s), %s\n", r->label,
		    r->pr->addr, r->t->scheme, r->t->starttls ?
		    ", STARTTLS" : "", r->pr->tls);
	if (r->at != 0 && cert_time_t_str(r->at, when, sizeof(when)))
		fprintf(f, "as at %s (--attime): expiry and the verdict are "
		    "judged then\n", when);
	fprintf(f, "chain as sent (%d certificate%s):\n", n, n == 1 ? "" : "s");
	for (i = 0; i < n; i++)
		print_cert(f, r, i, sk_X509_value(chain, i), 0);
}

/*
 * The manifest of the published store may carry Mozilla's distrust-after
 * date (for the purpose probed: server or email) of the root the chain
 * ends at.  A store keeps such a root until distrust-after = drop or
 * drop-when-safe leaves it out: a leaf issued after the date is one NSS
 * and Firefox refuse, though OpenSSL (and so sendmail) does not know; one
 * issued before is accepted by both, and said so.
 */
static void
distrust_note(FILE *f, const struct manifest *m, X509 *leaf, X509 *root,
    enum purpose purpose, int json)
{
	const struct manifest_cert *mc;
	unsigned char d[32];
	unsigned dl;
	struct tm tm;
	char when[40], issued[40], name[1024];
	const char *what = purpose == PURPOSE_EMAIL ? "email" : "servers";
	time_t nb, da;
	int p = purpose == PURPOSE_EMAIL, after;

	if (purpose != PURPOSE_SERVER_AUTH && purpose != PURPOSE_EMAIL)
		return;
	if (!X509_digest(root, EVP_sha256(), d, &dl) ||
	    (mc = manifest_find(m, d)) == NULL ||
	    (da = mc->distrust_after[p]) == 0 ||
	    !ASN1_TIME_to_tm(X509_get0_notBefore(leaf), &tm))
		return;
	nb = timegm(&tm);
	after = nb > da;
	cert_time_t_str(da, when, sizeof(when));
	cert_time_t_str(nb, issued, sizeof(issued));
	if (json) {
		fprintf(f, ",\"distrust_after\":");
		json_time(da);
		fprintf(f, ",\"issued_after_distrust\":%s", after ? "true" :
		    "false");
	} else if (after)
		fprintf(f, "distrust: the certificate was issued on %s, after "
		    "%s, the date from which\n          Mozilla no longer "
		    "trusts certificates of its root %s for %s;\n"
		    "          this chain would fail in NSS and Firefox, though "
		    "OpenSSL (sendmail's verify=)\n          accepts it while "
		    "the store keeps the root\n", issued, when,
		    name_of(root, 0, name, sizeof(name)), what);
	else
		fprintf(f, "distrust: NSS trusts no certificate of the root %s\n"
		    "          for %s issued after %s; this one was issued on "
		    "%s, before:\n          NSS accepts it too\n",
		    name_of(root, 0, name, sizeof(name)), what, when, issued);
}

/* Why: the issuer of r->cur is missing; where it is, and what to do. */
static void
why_missing(FILE *f, const struct probe_report *r, const char *s,
    const char *s2)
{
	char urls[AIA_MAX_URLS][AIA_MAX_URL], esc[2048];
	int i, n;

	if (r->cur == sk_X509_value(r->pr->chain, 0) &&
	    sk_X509_num(r->pr->chain) == 1)
		fprintf(f, "why: the server sent its certificate without the "
		    "intermediate that issued it,\n     and the store does not "
		    "have it\n");
	else
		fprintf(f, "why: neither the server nor the store has the "
		    "issuer of %s\n", s);
	fprintf(f, "missing: %s\n", s2);
	n = aia_urls(r->cur, urls, AIA_MAX_URLS);
	for (i = 0; i < n; i++)
		fprintf(f, "caIssuers says it is at: %s\n", text_esc(urls[i],
		    esc, sizeof(esc)));
	if (n == 0)
		fprintf(f, "the certificate names no caIssuers URL to fetch it "
		    "from\nfix: ask the server's operator to send the "
		    "intermediate with the certificate, or\n     get it from "
		    "the CA and add it to a local source of trustbuild.conf\n"
		    "     (role = intermediates)\n");
	else if (r->chainfile != NULL)
		fprintf(f, "fix: ask the server's operator to send the "
		    "intermediate with the certificate, or add it\n     to the "
		    "store: a [probe] section for the server in trustbuild."
		    "conf, then\n     'trustbuild update'%s\n", r->chase ? "" :
		    "; see it work first with --chase");
	else
		fprintf(f, "fix: ask the server's operator to send the "
		    "intermediate with the certificate, or add it\n     to the "
		    "store: a [probe] section with url = %s in\n     "
		    "trustbuild.conf, then 'trustbuild update'%s\n", r->label,
		    r->chase ? "" : "; see it work first with --chase");
}

/* Why the chain does not verify, and what to do (text only). */
static void
explain(FILE *f, const struct probe_report *r)
{
	char s[1024], s2[1024];
	const char *p = purpose_name(r->purpose);

	name_of(r->cur, 0, s, sizeof(s));
	name_of(r->cur, 1, s2, sizeof(s2));
	switch (r->verr) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
		why_missing(f, r, s, s2);
		break;
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		fprintf(f, "why: the chain ends at the root %s, which is not in "
		    "the store\nfix: if you trust that root, add it to a local "
		    "source of trustbuild.conf\n     (role = anchors); it is "
		    "not one of the public roots the store holds\n", s);
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
		cert_time_str(X509_get0_notAfter(r->cur), s2, sizeof(s2));
		if (r->at != 0) {
			fprintf(f, "why: %s expires on %s, before the --attime "
			    "date\n", s, s2);
			break;
		}
		fprintf(f, "why: %s expired on %s\nfix: the server's operator "
		    "must renew it\n", s, s2);
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		cert_time_str(X509_get0_notBefore(r->cur), s2, sizeof(s2));
		fprintf(f, "why: %s is not valid before %s%s\n", s, s2,
		    r->at != 0 ? ", after the --attime date" :
		    " (check this machine's clock)");
		break;
	case X509_V_ERR_INVALID_PURPOSE:
		fprintf(f, "why: %s is not for %s: its extendedKeyUsage or "
		    "keyUsage say otherwise,\n     and TLS clients such as "
		    "sendmail refuse it for the same reason\nfix: the server's "
		    "operator needs a certificate issued for %s\n", s, p, p);
		break;
	default:
		fprintf(f, "why: %s: %s\n", s,
		    X509_verify_cert_error_string(r->verr));
	}
}

/* The verdict line (or member), with the name check. */
static void
verdict(FILE *f, const struct probe_report *r)
{
	const char *why = X509_verify_cert_error_string(r->verr);

	if (r->json) {
		fprintf(f, ",\"verify\":\"%s\"", r->verified ? "OK" : "FAIL");
		if (!r->verified) {
			fprintf(f, ",\"verifymsg\":");
			json_str(why);
		}
		if (r->host != NULL)
			fprintf(f, ",\"name_matches\":%s", r->named ? "true" :
			    "false");
	} else if (r->verified)
		fprintf(f, "verify=OK (store: %s)\n", r->store);
	else
		fprintf(f, "verify=FAIL verifymsg=%s (store: %s)\n", why,
		    r->store);
}

/* The chase: each step, and the verdict with what AIA gave. */
static void
print_chase(FILE *f, const struct probe_report *r)
{
	const struct aia_result *ar = &r->ar;
	char s[1024], s2[1024];
	int i, nf = sk_X509_num(ar->found);

	if (r->json) {
		fprintf(f, ",\"aia\":[");
		for (i = 0; i < (int)ar->nsteps; i++) {
			fprintf(f, "%s{\"url\":", i ? "," : "");
			json_str(ar->steps[i].url);
			fprintf(f, ",\"ok\":%s,%s\"result\":", ar->steps[i].ok ?
			    "true" : "false", ar->steps[i].refused ?
			    "\"refused\":true," : "");
			json_str(ar->steps[i].what);
			fprintf(f, "}");
		}
		fprintf(f, "],\"verify_with_aia\":\"%s\"", ar->verified ?
		    "OK" : "FAIL");
		return;
	}
	fprintf(f, "AIA:\n");
	for (i = 0; i < (int)ar->nsteps; i++)
		fprintf(f, "  %s%s%s%s\n", text_esc(ar->steps[i].url, s,
		    sizeof(s)), ar->steps[i].url[0] ? ": " : "",
		    text_esc(ar->steps[i].what, s2, sizeof(s2)),
		    ar->steps[i].refused ? "; give --aia-private for an "
		    "internal PKI" : "");
	if (!ar->verified) {
		fprintf(f, "with what AIA gave: still verify=FAIL\n");
		return;
	}
	fprintf(f, "with %d intermediate%s fetched through AIA: verify=OK\n",
	    nf, nf == 1 ? "" : "s");
	for (i = 0; i < nf; i++)
		print_cert(f, r, i + 1, sk_X509_value(ar->found, i), 0);
	fprintf(f, "fix: add [probe] with url = %s to trustbuild.conf and run "
	    "'trustbuild update':\n     it publishes %s\n", r->chainfile ?
	    "SERVER-URL" : r->label, nf == 1 ? "this intermediate" :
	    "these intermediates");
}

void
probe_report(FILE *f, const struct probe_report *r)
{
	STACK_OF(X509) *chain = r->pr->chain;

	print_chain(f, r);
	if (sk_X509_num(chain) == 0) {
		if (r->json)
			fprintf(f, ",\"verify\":\"NO\"}\n");
		else
			fprintf(f, "verify=NO (store: %s)\nwhy: the server sent "
			    "no certificate (anonymous TLS); nothing can be "
			    "verified\n", r->store);
		return;
	}
	verdict(f, r);
	if (!r->verified && !r->json && r->cur != NULL)
		explain(f, r);
	if (r->verified)
		distrust_note(f, r->man, sk_X509_value(chain, 0),
		    sk_X509_value(r->vchain, sk_X509_num(r->vchain) - 1),
		    r->purpose, r->json);
	if (!r->named && !r->json)
		fprintf(f, "name: '%s' matches neither the certificate's "
		    "subjectAltName nor its CN;\n      sendmail's verify= does "
		    "not check the name, but other clients do\n", r->host);
	if (r->chased)
		print_chase(f, r);
	if (r->json)
		fprintf(f, "}\n");
}

void
probe_report_failed(FILE *f, const char *label, const char *err, int json)
{
	if (!json)
		return;
	fprintf(f, "{\"url\":");
	json_str(label);
	fprintf(f, ",\"connected\":false,\"error\":");
	json_str(err);
	fprintf(f, "}\n");
}
