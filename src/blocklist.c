/*
 * blocklist.c: distrusted certificates, see blocklist.h.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "blocklist.h"
#include "xalloc.h"

struct blocklist *
blocklist_new(void)
{
	return xcalloc(1, sizeof(struct blocklist));
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

int
blocklist_add(struct blocklist *bl, const struct block *b)
{
	struct block *n;

	if (bl->n == bl->cap) {
		bl->cap = bl->cap ? bl->cap * 2 : 16;
		bl->v = xreallocarray(bl->v, bl->cap, sizeof(*bl->v));
	}
	n = &bl->v[bl->n];
	*n = *b;
	n->issuer = xmemdup(b->issuer, b->issuer_len);
	n->serial = xmemdup(b->serial, b->serial_len);
	n->label = b->label ? xstrdup(b->label) : NULL;
	n->source = b->source ? xstrdup(b->source) : NULL;
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
