/*
 * pem.c: PEM certificate sources, see pem.h.
 *
 * The block scanner is ours because it must name lines and tell a truncated
 * file from a bad certificate; base64 decoding is OpenSSL's EVP_Decode*.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "der.h"
#include "diag.h"
#include "log.h"
#include "pool.h"
#include "xalloc.h"
#include "pem.h"

enum block_kind {
	BLOCK_CERT,
	BLOCK_TRUSTED,
	BLOCK_PKCS7,
	BLOCK_OTHER
};

int
pem_detect(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	while ((p = memchr(p, '-', (size_t)(end - p))) != NULL) {
		if ((size_t)(end - p) >= 11 && memcmp(p, "-----BEGIN ", 11) == 0)
			return 1;
		p++;
	}
	return 0;
}

static enum block_kind
kind_of(const char *type, size_t len)
{
	static const struct {
		const char *name;
		enum block_kind kind;
	} kinds[] = {
		{ "CERTIFICATE", BLOCK_CERT },
		{ "X509 CERTIFICATE", BLOCK_CERT },
		{ "TRUSTED CERTIFICATE", BLOCK_TRUSTED },
		{ "PKCS7", BLOCK_PKCS7 },
		{ "PKCS #7 SIGNED DATA", BLOCK_PKCS7 },
		{ "CERTIFICATE CHAIN", BLOCK_PKCS7 },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i].name) == len &&
		    memcmp(kinds[i].name, type, len) == 0)
			return kinds[i].kind;
	return BLOCK_OTHER;
}

/* The trust OpenSSL's auxiliary data gives each purpose. */
static void
aux_trust(X509 *x, enum trust trust[PURPOSE_N])
{
	static const int nids[PURPOSE_N] = {
		NID_server_auth, NID_email_protect, NID_code_sign
	};
	STACK_OF(ASN1_OBJECT) *t = X509_get0_trust_objects(x);
	STACK_OF(ASN1_OBJECT) *r = X509_get0_reject_objects(x);
	int p, i;

	for (p = 0; p < PURPOSE_N; p++) {
		int rejected = 0, trusted = 0;

		for (i = 0; i < sk_ASN1_OBJECT_num(r); i++) {
			int nid = OBJ_obj2nid(sk_ASN1_OBJECT_value(r, i));

			if (nid == nids[p] || nid == NID_anyExtendedKeyUsage)
				rejected = 1;
		}
		for (i = 0; i < sk_ASN1_OBJECT_num(t); i++) {
			int nid = OBJ_obj2nid(sk_ASN1_OBJECT_value(t, i));

			if (nid == nids[p] || nid == NID_anyExtendedKeyUsage)
				trusted = 1;
		}
		if (rejected)
			trust[p] = TRUST_NOT_TRUSTED;
		else if (trusted)
			trust[p] = TRUST_DELEGATOR;
		else if (sk_ASN1_OBJECT_num(t) > 0)
			trust[p] = TRUST_MUST_VERIFY;
		else
			trust[p] = TRUST_UNSPECIFIED;
	}
}

int
pem_base64_decode(const char *s, size_t len, unsigned char **out,
    size_t *outlen)
{
	EVP_ENCODE_CTX *ctx;
	unsigned char *buf;
	int n1 = 0, n2 = 0, ok;

	if (len > INT_MAX / 2)
		return -1;
	buf = xmalloc(len / 4 * 3 + 4);
	if ((ctx = EVP_ENCODE_CTX_new()) == NULL) {
		free(buf);
		return -1;
	}
	EVP_DecodeInit(ctx);
	ok = EVP_DecodeUpdate(ctx, buf, &n1, (const unsigned char *)s,
	    (int)len) != -1 && EVP_DecodeFinal(ctx, buf + n1, &n2) == 1;
	EVP_ENCODE_CTX_free(ctx);
	if (!ok || n1 + n2 == 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = (size_t)(n1 + n2);
	return 0;
}

/*
 * One block: the certificates it gave (0 if skipped), -1 on error.  A
 * BLOCK_CERT comes decoded (c, taken over, or NULL and why).
 */
static int
block(const char *name, size_t line, enum block_kind kind,
    const unsigned char *der, size_t len, struct cert *c, const char *why,
    struct certset *set, struct diags *d)
{
	char reason[256];
	X509 *x;
	const unsigned char *p = der;

	snprintf(reason, sizeof(reason), "%s", why);
	switch (kind) {
	case BLOCK_PKCS7:
		return der_parse_pkcs7(name, line, der, len, set, d);
	case BLOCK_TRUSTED:
		if ((x = d2i_X509_AUX(NULL, &p, (long)len)) == NULL ||
		    p != der + len) {
			X509_free(x);
			break;
		}
		if ((c = cert_from_x509(x)) == NULL) {
			X509_free(x);
			break;
		}
		aux_trust(x, c->trust);
		{
			int alen = 0;
			const unsigned char *alias = X509_alias_get0(x, &alen);

			/* its "friendly name" (openssl x509 -setalias) */
			if (alias != NULL && alen > 0)
				c->label = xstrndup((const char *)alias,
				    (size_t)alen);
		}
		break;
	case BLOCK_CERT:
		break;
	case BLOCK_OTHER:
		return 0;
	}
	if (c == NULL) {
		if (kind != BLOCK_CERT)
			log_ssl_reason(reason, sizeof(reason));
		diag_warn(d, name, line, "skipping a certificate that does not "
		    "decode: %s", reason);
		return 0;
	}
	cert_add_source(c, name);
	certset_add(set, c);
	return 1;
}

/*
 * What the scanner found, in file order: a block to read, or a block to
 * warn about.  The certificates of a batch are decoded on the machine's
 * cores (pool.h), then every item is handled in file order, so that the
 * messages and the set come out as a one-thread reading gives them.
 */
enum item_kind {
	ITEM_BLOCK,		/* der, or NULL: not valid base64 */
	ITEM_OTHER		/* a block of another type: skipped */
};

struct item {
	enum item_kind	 what;
	enum block_kind	 kind;
	size_t		 line;		/* of its BEGIN */
	const char	*type;		/* ITEM_OTHER: in the text */
	int		 typelen;
	unsigned char	*der;
	size_t		 len;
	struct cert	*c;		/* BLOCK_CERT, decoded */
	char		 why[256];	/* BLOCK_CERT that did not decode */
};

#define BATCH	256		/* items held at once: bounded memory */

struct batch {
	struct item	*it;
	int		 whole;		/* the set's */
};

static void
decode_item(void *arg, size_t i)
{
	struct batch *b = arg;
	struct item *it = &b->it[i];

	if (it->what != ITEM_BLOCK || it->kind != BLOCK_CERT || it->der == NULL)
		return;
	/* the reason is on this thread's error queue: take it here */
	if ((it->c = b->whole ? cert_from_der_whole(it->der, it->len) :
	    cert_from_der(it->der, it->len)) == NULL)
		log_ssl_reason(it->why, sizeof(it->why));
	ERR_clear_error();
}

/* Handle items 0..n-1 in order and empty the batch; -1 on error. */
static int
flush(const char *name, struct item *it, size_t *n, struct certset *set,
    int *got, struct diags *d)
{
	struct batch b = { it, set->whole };
	size_t i;
	int r, rc = 0;

	pool_for(*n, decode_item, &b);
	for (i = 0; i < *n; i++) {
		if (rc == 0 && it[i].what == ITEM_OTHER)
			diag_warn(d, name, it[i].line, "skipping a '%.*s' "
			    "block; only certificates are read",
			    it[i].typelen, it[i].type);
		else if (rc == 0 && it[i].der == NULL)
			diag_warn(d, name, it[i].line, "skipping a block "
			    "that is not valid base64");
		else if (rc == 0) {
			r = block(name, it[i].line, it[i].kind, it[i].der,
			    it[i].len, it[i].c, it[i].why, set, d);
			it[i].c = NULL;		/* taken */
			if (r == -1)
				rc = -1;
			else
				*got += r;
		}
		cert_free(it[i].c);
		free(it[i].der);
	}
	*n = 0;
	return rc;
}

int
pem_parse(const char *name, const void *text, size_t len,
    struct certset *set, struct diags *d)
{
	const char *p = text, *end = p + len;
	const char *type = NULL, *body = NULL;
	size_t line = 0, begin_line = 0, typelen = 0, nit = 0;
	struct item *it = xcalloc(BATCH, sizeof(*it));
	int n = 0, rc = -1;

	while (p < end) {
		const char *s = p, *e, *nl;

		nl = memchr(p, '\n', (size_t)(end - p));
		e = nl ? nl : end;
		p = nl ? nl + 1 : end;
		line++;
		while (e > s && (e[-1] == '\r' || e[-1] == ' ' ||
		    e[-1] == '\t'))
			e--;
		if (type == NULL) {
			if ((size_t)(e - s) > 16 &&
			    memcmp(s, "-----BEGIN ", 11) == 0 &&
			    memcmp(e - 5, "-----", 5) == 0) {
				type = s + 11;
				typelen = (size_t)(e - 5 - type);
				body = p;
				begin_line = line;
			}
			continue;
		}
		if ((size_t)(e - s) >= 9 && memcmp(s, "-----END ", 9) == 0) {
			struct item *t = &it[nit];

			if ((size_t)(e - s) != 14 + typelen ||
			    memcmp(s + 9, type, typelen) != 0) {
				if (flush(name, it, &nit, set, &n, d) == 0)
					diag_err(d, name, line, "END does not "
					    "match the BEGIN %.*s at line %zu",
					    (int)(typelen > 40 ? 40 : typelen),
					    type, begin_line);
				goto out;
			}
			memset(t, 0, sizeof(*t));
			t->kind = kind_of(type, typelen);
			t->line = begin_line;
			if (t->kind == BLOCK_OTHER) {
				t->what = ITEM_OTHER;
				t->type = type;
				t->typelen = (int)(typelen > 40 ? 40 : typelen);
			} else if (pem_base64_decode(body, (size_t)(s - body),
			    &t->der, &t->len) == -1)
				t->der = NULL;	/* warned about in order */
			if (++nit == BATCH &&
			    flush(name, it, &nit, set, &n, d) == -1)
				goto out;
			type = NULL;
			continue;
		}
		if ((size_t)(e - s) >= 11 && memcmp(s, "-----BEGIN ", 11) == 0) {
			if (flush(name, it, &nit, set, &n, d) == 0)
				diag_err(d, name, line, "BEGIN inside the block "
				    "started at line %zu; the file is truncated "
				    "or spliced", begin_line);
			goto out;
		}
	}
	if (flush(name, it, &nit, set, &n, d) == -1)
		goto out;
	if (type != NULL) {
		diag_err(d, name, begin_line, "'%.*s' block has no END line; "
		    "the file is truncated",
		    (int)(typelen > 40 ? 40 : typelen), type);
		goto out;
	}
	rc = n;
out:
	free(it);
	return rc;
}
