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
	const unsigned char *issuer = c->isn, *serial = c->isn + c->isn_ilen;
	size_t ilen = c->isn_ilen, slen = c->isn_slen;
	const struct block *hit = NULL;
	size_t i;

	if (bl == NULL || bl->n == 0)
		return NULL;
	for (i = 0; i < bl->n && hit == NULL; i++) {
		const struct block *b = &bl->v[i];

		if (cert_trust_for(b->trust, p) != TRUST_NOT_TRUSTED)
			continue;
		if (b->has_sha1 && memcmp(b->sha1, c->sha1, 20) == 0)
			hit = b;
		else if (ilen == b->issuer_len && slen == b->serial_len &&
		    memcmp(b->issuer, issuer, ilen) == 0 &&
		    memcmp(b->serial, serial, slen) == 0)
			hit = b;
	}
	return hit;
}
