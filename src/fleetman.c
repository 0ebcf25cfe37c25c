/*
 * fleetman.c: the signed manifest of an exported store, see fleetman.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>

#include "cert.h"
#include "fleetman.h"
#include "manifest.h"
#include "log.h"

#define MAGIC	"trustbuild-fleet 1"
#define RFC3339	"%Y-%m-%dT%H:%M:%SZ"

static const char *kind_names[] = { "set", "anchor", "intermediate" };

const char *
fleetman_kind_name(enum fleet_kind k)
{
	return k <= FLEET_INTERMEDIATE ? kind_names[k] : "?";
}

void
fleetman_release(struct fleet_manifest *m)
{
	if (m == NULL)
		return;
	free(m->obj);
	memset(m, 0, sizeof(*m));
}

const struct fleet_object *
fleetman_find(const struct fleet_manifest *m, const unsigned char sha256[32])
{
	size_t i;

	for (i = 0; i < m->nobj; i++)
		if (memcmp(m->obj[i].sha256, sha256, 32) == 0)
			return &m->obj[i];
	return NULL;
}

/* A decimal number of at most 19 digits, the whole of s..s+len. */
static int
number(const char *s, size_t len, unsigned long long *v)
{
	size_t i;

	if (len == 0 || len > 19 || (len > 1 && s[0] == '0'))
		return -1;
	*v = 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned long long)(s[i] - '0');
	}
	return 0;
}

/* "SHA256 SIZE NAME" into a new object of m; NULL, or why not. */
static const char *
object_line(const char *s, const char *e, struct fleet_manifest *m)
{
	struct fleet_object o, *v;
	unsigned long long size;
	const char *sp;
	size_t i;

	memset(&o, 0, sizeof(o));
	if (e - s < 68 || s[64] != ' ' || cert_unhex(s, 64, o.sha256) == -1)
		return "an unknown line";
	s += 65;
	if ((sp = memchr(s, ' ', (size_t)(e - s))) == NULL ||
	    number(s, (size_t)(sp - s), &size) == -1 || size == 0 ||
	    size > 1ULL << 40)
		return "an object without a size";
	o.size = (size_t)size;
	s = sp + 1;
	for (i = 0; i <= FLEET_INTERMEDIATE; i++)
		if ((size_t)(e - s) == strlen(kind_names[i]) &&
		    memcmp(s, kind_names[i], (size_t)(e - s)) == 0)
			break;
	if (i > FLEET_INTERMEDIATE)
		return "an object whose name is not set, anchor or intermediate";
	o.kind = (enum fleet_kind)i;
	if (o.kind == FLEET_SET && m->nobj > 0)
		return "the set object not first";
	if (o.kind != FLEET_SET && m->nobj == 0)
		return "a certificate before the set object";
	if (m->nobj > 1 &&
	    memcmp(m->obj[m->nobj - 1].sha256, o.sha256, 32) >= 0)
		return "certificates not in the order of their SHA-256";
	if (m->nobj == FLEET_MAX_OBJECTS)
		return "too many objects";
	if ((v = reallocarray(m->obj, m->nobj + 1, sizeof(*v))) == NULL)
		return "out of memory";
	m->obj = v;
	v[m->nobj++] = o;
	return NULL;
}

/* A header line "KEY VALUE" of line number n (2, 3, 4); NULL or why not. */
static const char *
header_line(size_t n, const char *s, const char *e, struct fleet_manifest *m)
{
	static const char *keys[] = { "serial ", "created ", "valid-until " };
	size_t k = strlen(keys[n - 2]);

	if ((size_t)(e - s) <= k || memcmp(s, keys[n - 2], k) != 0)
		return n == 2 ? "no serial line" : n == 3 ? "no created line" :
		    "no valid-until line";
	s += k;
	if (n == 2)
		return number(s, (size_t)(e - s), &m->serial) == -1 ||
		    m->serial == 0 ? "a serial that is not a number" : NULL;
	return manifest_time(s, (size_t)(e - s), n == 3 ? &m->created :
	    &m->valid_until) == -1 ? "a time that is not "
	    "YYYY-MM-DDTHH:MM:SSZ" : NULL;
}

int
fleetman_parse(const char *buf, size_t len, struct fleet_manifest *m,
    char *err, size_t errsz)
{
	const char *p = buf, *end = buf + len, *why = NULL;
	size_t line = 0;

	if (len > FLEET_MAX_MANIFEST)
		why = "larger than 8 MiB";
	while (why == NULL && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *s = p;

		if (nl == NULL) {
			why = "no newline at the end";
			break;
		}
		p = nl + 1;
		line++;
		if (line == 1)
			why = (size_t)(e - s) == strlen(MAGIC) &&
			    memcmp(s, MAGIC, strlen(MAGIC)) == 0 ? NULL :
			    "not a manifest of this version (" MAGIC ")";
		else if (line <= 4)
			why = header_line(line, s, e, m);
		else
			why = object_line(s, e, m);
	}
	if (why == NULL && line < 4)
		why = "incomplete";
	if (why == NULL && m->nobj == 0)
		why = "no set object";
	if (why == NULL && m->valid_until <= m->created)
		why = "valid-until not after created";
	if (why != NULL) {
		snprintf(err, errsz, "line %zu: %s", line, why);
		fleetman_release(m);
		return -1;
	}
	return 0;
}

int
fleetman_render(const struct fleet_manifest *m, char **out, size_t *len)
{
	FILE *f;
	struct tm tm;
	char hex[65], cr[32], vu[32];
	size_t i;

	if (gmtime_r(&m->created, &tm) == NULL ||
	    strftime(cr, sizeof(cr), RFC3339, &tm) == 0 ||
	    gmtime_r(&m->valid_until, &tm) == NULL ||
	    strftime(vu, sizeof(vu), RFC3339, &tm) == 0)
		return -1;
	if ((f = open_memstream(out, len)) == NULL)
		return -1;
	fprintf(f, MAGIC "\nserial %llu\ncreated %s\nvalid-until %s\n",
	    m->serial, cr, vu);
	for (i = 0; i < m->nobj; i++) {
		cert_hex(m->obj[i].sha256, 32, hex, 0);
		fprintf(f, "%s %zu %s\n", hex, m->obj[i].size,
		    fleetman_kind_name(m->obj[i].kind));
	}
	if (fclose(f) != 0) {
		free(*out);
		return -1;
	}
	return 0;
}

int
fleetman_sign(const void *buf, size_t len, X509 *cert, EVP_PKEY *key,
    unsigned char **sig, size_t *siglen, char *err, size_t errsz)
{
	CMS_ContentInfo *cms = NULL;
	BIO *in;
	unsigned char *der = NULL;
	int n = -1;

	if ((in = BIO_new_mem_buf(buf, (int)len)) != NULL &&
	    (cms = CMS_sign(cert, key, NULL, in, CMS_DETACHED | CMS_BINARY |
	    CMS_NOSMIMECAP)) != NULL)
		n = i2d_CMS_ContentInfo(cms, &der);
	BIO_free(in);
	CMS_ContentInfo_free(cms);
	if (n <= 0) {
		log_ssl_reason(err, errsz);
		return -1;
	}
	if ((*sig = malloc((size_t)n)) == NULL) {
		OPENSSL_free(der);
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	memcpy(*sig, der, (size_t)n);
	*siglen = (size_t)n;
	OPENSSL_free(der);
	return 0;
}

int
fleetman_verify(const void *buf, size_t len, const unsigned char *sig,
    size_t siglen, X509 **signers, size_t n, char *err, size_t errsz)
{
	CMS_ContentInfo *cms = NULL;
	STACK_OF(X509) *pins = NULL;
	const unsigned char *q = sig;
	BIO *in = NULL;
	size_t i;
	int rc = -1;

	ERR_clear_error();
	if ((cms = d2i_CMS_ContentInfo(NULL, &q, (long)siglen)) == NULL ||
	    q != sig + siglen) {
		snprintf(err, errsz, "not a DER CMS signature");
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
	    CMS_is_detached(cms) != 1) {
		snprintf(err, errsz, "not a detached CMS SignedData");
		goto out;
	}
	if ((pins = sk_X509_new_null()) == NULL ||
	    (in = BIO_new_mem_buf(buf, (int)len)) == NULL)
		goto ssl;
	for (i = 0; i < n; i++)
		if (!sk_X509_push(pins, signers[i]))
			goto ssl;
	/* the pins only: never a certificate the signature brings along */
	if (CMS_verify(cms, pins, NULL, in, NULL, CMS_BINARY | CMS_NOINTERN |
	    CMS_NO_SIGNER_CERT_VERIFY) == 1) {
		rc = 0;
		goto out;
	}
	switch (ERR_GET_REASON(ERR_peek_last_error())) {
	case CMS_R_SIGNER_CERTIFICATE_NOT_FOUND:
		snprintf(err, errsz, "signed by a key that is not pinned "
		    "(by none of the %zu signer%s)", n, n == 1 ? "" : "s");
		goto out;
	case CMS_R_VERIFICATION_FAILURE:
	case CMS_R_CONTENT_VERIFY_ERROR:
		snprintf(err, errsz, "the manifest is not what was signed: "
		    "altered on the way");
		goto out;
	}
ssl:
	log_ssl_reason(err, errsz);
out:
	ERR_clear_error();
	sk_X509_free(pins);
	BIO_free(in);
	CMS_ContentInfo_free(cms);
	return rc;
}
