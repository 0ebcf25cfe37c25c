/*
 * certdata.txt parser: the six real NSS files, and broken variants of one.
 */
#include <stdlib.h>
#include <string.h>

#include "blocklist.h"
#include "certdata.h"
#include "certset.h"
#include "t.h"

static const struct {
	const char	*file;
	int		 certs;		/* CKO_CERTIFICATE objects */
	int		 server;	/* trusted delegators for server auth */
	int		 email;		/* ... for email protection */
	int		 blocked;	/* trust objects with CKT_NSS_NOT_TRUSTED */
	int		 server_after;	/* server distrust-after dates */
} files[] = {
	{ "certdata-NSS_3_45_RTM-builtins2.34.txt", 155, 139, 110, 9, 0 },
	{ "certdata-NSS_3_89_RTM-builtins2.60.txt", 160, 140, 108, 1, 3 },
	{ "certdata-NSS_3_95_RTM-builtins2.64.txt", 166, 146, 107, 1, 0 },
	{ "certdata-NSS_3_101_RTM-builtins2.68.txt", 172, 148, 109, 1, 0 },
	{ "certdata-NSS_3_110_RTM-builtins2.74.txt", 176, 150, 103, 1, 9 },
	{ "certdata-NSS_3_123_1_RTM-builtins2.86.txt", 167, 121, 90, 0, 6 },
};

static int
parse(const char *buf, size_t len, struct certset **setp,
    struct blocklist **blp)
{
	struct certset *set = certset_new();
	struct blocklist *bl = blocklist_new();
	int n = certdata_parse("t", buf, len, CERTDATA_ALL, set, bl);

	if (setp)
		*setp = set;
	else
		certset_free(set);
	if (blp)
		*blp = bl;
	else
		blocklist_free(bl);
	return n;
}

/* Replace the first occurrence of from by to in a copy of buf. */
static char *
mutate(const char *buf, size_t len, const char *from, const char *to,
    size_t *outlen)
{
	const char *at = strstr(buf, from);
	char *out;
	size_t pre;

	(void)len;
	if (at == NULL)
		return NULL;
	pre = (size_t)(at - buf);
	*outlen = len - strlen(from) + strlen(to);
	out = malloc(*outlen + 1);
	memcpy(out, buf, pre);
	memcpy(out + pre, to, strlen(to));
	memcpy(out + pre + strlen(to), at + strlen(from), len - pre - strlen(from));
	out[*outlen] = '\0';
	return out;
}

static void
corpus_files(void)
{
	size_t i, j;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char rel[256];
		unsigned char *buf;
		size_t len;
		struct certset *set;
		struct blocklist *bl;
		int n, server = 0, email = 0, after = 0;

		snprintf(rel, sizeof(rel), "certdata/%s", files[i].file);
		if ((buf = t_read(t_corpus, rel, &len)) == NULL) {
			printf("skip %s: absent\n", rel);
			t_skip++;
			continue;
		}
		CHECK(certdata_detect((char *)buf, len));
		n = parse((char *)buf, len, &set, &bl);
		CHECK(n == files[i].certs);
		CHECK(set->n == (size_t)files[i].certs);
		for (j = 0; j < set->n; j++) {
			struct cert *c = set->v[j];

			server += c->trust[PURPOSE_SERVER_AUTH] ==
			    TRUST_DELEGATOR;
			email += c->trust[PURPOSE_EMAIL] == TRUST_DELEGATOR;
			after += c->distrust[0] == DISTRUST_AFTER;
			/* every certificate of a current file has a label */
			CHECK(c->label != NULL);
		}
		CHECK(server == files[i].server);
		CHECK(email == files[i].email);
		CHECK(after == files[i].server_after);
		CHECK(bl->n == (size_t)files[i].blocked);
		certset_free(set);
		blocklist_free(bl);
		/* asked for one purpose: only its anchors are decoded */
		set = certset_new();
		bl = blocklist_new();
		CHECK(certdata_parse("t", (char *)buf, len, PURPOSE_SERVER_AUTH,
		    set, bl) == files[i].server);
		CHECK(bl->n == (size_t)files[i].blocked);
		certset_free(set);
		set = certset_new();
		CHECK(certdata_parse("t", (char *)buf, len, PURPOSE_EMAIL,
		    set, bl) == files[i].email);
		certset_free(set);
		blocklist_free(bl);
		free(buf);
	}
}

/* Known values: the Entrust distrust of 2024 in builtins 2.74. */
static void
distrust_after(void)
{
	unsigned char *buf;
	size_t len, i;
	struct certset *set;
	int found = 0;

	buf = t_read(t_corpus,
	    "certdata/certdata-NSS_3_110_RTM-builtins2.74.txt", &len);
	if (buf == NULL)
		return;
	parse((char *)buf, len, &set, NULL);
	for (i = 0; i < set->n; i++) {
		struct cert *c = set->v[i];

		/* Entrust Root Certification Authority: distrusted for TLS
		 * certificates issued after 241130235959Z */
		if (c->label && strcmp(c->label,
		    "Entrust Root Certification Authority") == 0) {
			found = 1;
			CHECK(c->distrust[0] == DISTRUST_AFTER);
			CHECK(c->distrust_after[0] == 1733011199);
			CHECK(c->distrust[1] == DISTRUST_NEVER);
		}
	}
	CHECK(found);
	certset_free(set);
	free(buf);
}

static void
broken(void)
{
	unsigned char *buf;
	char *m;
	size_t len, mlen;
	const char *end;

	buf = t_read(t_corpus, "certdata/certdata-NSS_3_89_RTM-builtins2.60.txt",
	    &len);
	if (buf == NULL)
		return;
	/* truncated inside a MULTILINE_OCTAL value */
	end = strstr((char *)buf, "CKA_VALUE MULTILINE_OCTAL\n");
	CHECK(end != NULL);
	CHECK(parse((char *)buf, (size_t)(end - (char *)buf) + 40, NULL,
	    NULL) == -1);
	/* truncated between objects is fine: fewer objects */
	CHECK(parse((char *)buf, (size_t)(strstr((char *)buf,
	    "# Certificate \"GlobalSign Root CA\"") - (char *)buf), NULL,
	    NULL) == 0);

	struct {
		const char *from, *to;
	} cases[] = {
		{ "CK_TRUST CKT_NSS_TRUSTED_DELEGATOR", "CK_TRUST CKT_BOGUS" },
		{ "\nCKA_CERTIFICATE_TYPE CK_CERTIFICATE_TYPE CKC_X_509",
		    "\nCKA_CERTIFICATE_TYPE CK_CERTIFICATE_TYPE CKC_WTLS" },
		{ "CKO_NSS_TRUST", "CKO_NSS_SOMETHING" },
		{ "CKA_LABEL UTF8 \"GlobalSign Root CA\"",
		    "CKA_LABEL CK_ULONG 12" },
		{ "\\060\\127\\061", "\\060\\129\\061" },
		{ "\\060\\127\\061", "\\060\\127 \\061" },
		{ "BEGINDATA\n", "BEGINDATA\nstray text\n" },
		{ "# certdata.txt\n", "CKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\n" },
		{ "CKA_NSS_SERVER_DISTRUST_AFTER CK_BBOOL CK_FALSE",
		    "CKA_NSS_SERVER_DISTRUST_AFTER CK_BBOOL CK_TRUE" },
		/* wrong SHA-1 of GlobalSign Root CA: first byte 0xb1 -> 0xb2 */
		{ "CKA_CERT_SHA1_HASH MULTILINE_OCTAL\n\\261",
		    "CKA_CERT_SHA1_HASH MULTILINE_OCTAL\n\\262" },
		{ "BEGINDATA\n", "" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m = mutate((char *)buf, len, cases[i].from, cases[i].to, &mlen);
		CHECK(m != NULL);
		if (m == NULL)
			continue;
		CHECK(parse(m, mlen, NULL, NULL) == -1);
		free(m);
	}
	/* CRLF line ends are still certdata */
	{
		char *crlf = malloc(len * 2);
		size_t o = 0, k;

		for (k = 0; k < len; k++) {
			if (buf[k] == '\n')
				crlf[o++] = '\r';
			crlf[o++] = (char)buf[k];
		}
		CHECK(parse(crlf, o, NULL, NULL) == 160);
		free(crlf);
	}
	/* empty and binary garbage are not certdata */
	CHECK(!certdata_detect("", 0));
	CHECK(parse("", 0, NULL, NULL) == -1);
	free(buf);
}

void
test_certdata(void)
{
	if (t_no_corpus("certdata"))
		return;
	corpus_files();
	distrust_after();
	broken();
}
