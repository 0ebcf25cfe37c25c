/*
 * test_certlite.c: a certificate read without its key (cert_from_der,
 * certlite.h) has the fields a whole decode gives: every certificate of
 * the corpus (certdata, curl and certifi bundles, CCADB's intermediates,
 * real web chains) read both ways, field by field.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "blocklist.h"
#include "cert.h"
#include "certdata.h"
#include "certset.h"
#include "format.h"
#include "t.h"
#include "xalloc.h"

/* The fields of c as a whole decode of its DER gives them: mismatches. */
static int
compare(struct cert *c, int *v1)
{
	const unsigned char *p = c->der;
	X509 *x = d2i_X509(NULL, &p, (long)c->derlen);
	unsigned char *isn = NULL, *q;
	char name[4096];
	struct tm tm;
	int bad = 0, ilen, slen;

	if (x == NULL)
		return 1;
	*v1 += X509_get_version(x) == X509_VERSION_1;
	bad += cert_is_ca(c) != (X509_check_ca(x) == 1);
	bad += cert_ca_for(c, PURPOSE_SERVER_AUTH) !=
	    cert_ca_for_purpose(x, PURPOSE_SERVER_AUTH);
	bad += cert_ca_for(c, PURPOSE_EMAIL) !=
	    cert_ca_for_purpose(x, PURPOSE_EMAIL);
	bad += cert_ca_for(c, PURPOSE_CODE_SIGNING) !=
	    cert_ca_for_purpose(x, PURPOSE_CODE_SIGNING);
	bad += c->hash != X509_subject_name_hash(x);
	bad += c->hash_old != X509_subject_name_hash_old(x);
	bad += c->issuer_hash != X509_issuer_name_hash(x);
	bad += strcmp(cert_subject(c), cert_name_str(X509_get_subject_name(x),
	    name, sizeof(name))) != 0;
	bad += strcmp(cert_issuer(c), cert_name_str(X509_get_issuer_name(x),
	    name, sizeof(name))) != 0;
	bad += !ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) ||
	    c->not_after != timegm(&tm);
	ilen = i2d_X509_NAME(X509_get_issuer_name(x), NULL);
	slen = i2d_ASN1_INTEGER(X509_get0_serialNumber(x), NULL);
	q = isn = xmalloc((size_t)(ilen + slen));
	i2d_X509_NAME(X509_get_issuer_name(x), &q);
	i2d_ASN1_INTEGER(X509_get0_serialNumber(x), &q);
	bad += c->isn_ilen != (size_t)ilen || c->isn_slen != (size_t)slen ||
	    memcmp(c->isn, isn, (size_t)(ilen + slen)) != 0;
	free(isn);
	X509_free(x);
	ERR_clear_error();
	return bad;
}

/* Every certificate of corpus file rel, both ways: how many compared. */
static size_t
file(const char *rel, int *v1)
{
	struct certset *set = certset_new();
	struct blocklist *bl = blocklist_new();
	unsigned char *buf;
	size_t len, i, n;
	int bad = 0;

	if ((buf = t_read(t_corpus, rel, &len)) == NULL) {
		t_skip("certlite: '%s' absent", rel);
		certset_free(set);
		blocklist_free(bl);
		return 0;
	}
	format_parse(rel, buf, len, CERTDATA_ALL, set, bl, NULL);
	for (i = 0; i < set->n; i++) {
		int b = compare(set->v[i], v1);

		if (b != 0 && bad++ == 0)
			fprintf(stderr, "certlite: %s: \"%s\": %d fields differ\n",
			    rel, cert_subject(set->v[i]), b);
		/* read without a key, decoded with one only when asked */
		CHECK(set->v[i]->x509 == NULL ||
		    X509_get_version(set->v[i]->x509) == X509_VERSION_1);
	}
	CHECK(set->n > 0);
	CHECK(bad == 0);
	n = set->n;
	free(buf);
	certset_free(set);
	blocklist_free(bl);
	return n;
}

void
test_certlite(void)
{
	static const char *dirs[] = { "certdata", "curl-cacert", "ccadb",
	    "legacy", "chains" };
	char rel[2048], sub[1024];
	size_t i, n = 0;
	int v1 = 0;
	struct dirent *e, *f;
	DIR *d, *w;

	if (t_no_corpus("certlite"))
		return;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(rel, sizeof(rel), "%s/%s", t_corpus, dirs[i]);
		if ((d = opendir(rel)) == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			const char *dot = strrchr(e->d_name, '.');

			if (dot != NULL && (strcmp(dot, ".pem") == 0 ||
			    strcmp(dot, ".txt") == 0)) {
				snprintf(sub, sizeof(sub), "%s/%s", dirs[i],
				    e->d_name);
				n += file(sub, &v1);
			}
		}
		closedir(d);
	}
	/* the real web chains: one directory per site */
	snprintf(rel, sizeof(rel), "%s/chains/web", t_corpus);
	if ((w = opendir(rel)) != NULL) {
		while ((f = readdir(w)) != NULL) {
			if (f->d_name[0] == '.')
				continue;
			snprintf(sub, sizeof(sub), "chains/web/%s/intermediates"
			    ".pem", f->d_name);
			snprintf(rel, sizeof(rel), "%s/%s", t_corpus, sub);
			if (access(rel, R_OK) == 0)
				n += file(sub, &v1);
		}
		closedir(w);
	}
	/* thousands of certificates, the version 1 roots among them */
	CHECK(n > 3000);
	CHECK(v1 > 0);
	printf("certlite: %zu certificates read both ways (%d of version 1)\n",
	    n, v1);
}
