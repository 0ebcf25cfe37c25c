/*
 * blocklist.c: distrusted certificates, see blocklist.h.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "blocklist.h"

struct blocklist *
blocklist_new(void)
{
	return calloc(1, sizeof(struct blocklist));
}

void
blocklist_free(struct blocklist *bl)
{
	size_t i;

	if (bl == NULL)
		return;
	for (i = 0; i < bl->n; i++) {
		free(bl->v[i].issuer);
		free(bl->v[i].serial);
		free(bl->v[i].label);
		free(bl->v[i].source);
	}
	free(bl->v);
	free(bl);
}

static void *
dup_mem(const void *p, size_t len)
{
	void *q;

	if ((q = malloc(len ? len : 1)) != NULL && len)
		memcpy(q, p, len);
	return q;
}

int
blocklist_add(struct blocklist *bl, const struct block *b)
{
	struct block *n;

	if (bl->n == bl->cap) {
		size_t cap = bl->cap ? bl->cap * 2 : 16;
		struct block *v = reallocarray(bl->v, cap, sizeof(*v));

		if (v == NULL)
			return -1;
		bl->v = v;
		bl->cap = cap;
	}
	n = &bl->v[bl->n];
	*n = *b;
	n->issuer = dup_mem(b->issuer, b->issuer_len);
	n->serial = dup_mem(b->serial, b->serial_len);
	n->label = b->label ? strdup(b->label) : NULL;
	n->source = b->source ? strdup(b->source) : NULL;
	if (n->issuer == NULL || n->serial == NULL ||
	    (b->label && !n->label) || (b->source && !n->source)) {
		free(n->issuer);
		free(n->serial);
		free(n->label);
		free(n->source);
		return -1;
	}
	bl->n++;
	return 0;
}

const struct block *
blocklist_match(const struct blocklist *bl, const struct cert *c,
    enum purpose p)
{
	unsigned char *issuer = NULL, *serial = NULL;
	int ilen, slen;
	const struct block *hit = NULL;
	size_t i;

	if (bl == NULL || bl->n == 0)
		return NULL;
	ilen = i2d_X509_NAME(X509_get_issuer_name(c->x509), &issuer);
	slen = i2d_ASN1_INTEGER(X509_get0_serialNumber(c->x509), &serial);
	for (i = 0; i < bl->n && hit == NULL; i++) {
		const struct block *b = &bl->v[i];

		if (cert_trust_for(b->trust, p) != TRUST_NOT_TRUSTED)
			continue;
		if (b->has_sha1 && memcmp(b->sha1, c->sha1, 20) == 0)
			hit = b;
		else if (ilen > 0 && slen > 0 &&
		    (size_t)ilen == b->issuer_len &&
		    (size_t)slen == b->serial_len &&
		    memcmp(b->issuer, issuer, ilen) == 0 &&
		    memcmp(b->serial, serial, slen) == 0)
			hit = b;
	}
	OPENSSL_free(issuer);
	OPENSSL_free(serial);
	return hit;
}
