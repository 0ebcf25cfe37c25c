/*
 * certset.c: a set of certificates unique by SHA-256, see certset.h.
 */
#include <stdlib.h>
#include <string.h>

#include "certset.h"
#include "xalloc.h"

struct certset *
certset_new(void)
{
	return xcalloc(1, sizeof(struct certset));
}

void
certset_free(struct certset *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		cert_free(s->v[i]);
	free(s->v);
	free(s->slot);
	free(s);
}

static size_t
hash_of(const unsigned char sha256[32])
{
	size_t h;

	memcpy(&h, sha256, sizeof(h));
	return h;
}

static void
index_put(size_t *slot, size_t nslot, const struct cert *c, size_t idx)
{
	size_t i = hash_of(c->sha256) & (nslot - 1);

	while (slot[i] != 0)
		i = (i + 1) & (nslot - 1);
	slot[i] = idx + 1;
}

static void
index_rebuild(struct certset *s, size_t nslot)
{
	size_t *slot, i;

	slot = xcalloc(nslot, sizeof(*slot));
	for (i = 0; i < s->n; i++)
		index_put(slot, nslot, s->v[i], i);
	free(s->slot);
	s->slot = slot;
	s->nslot = nslot;
}

struct cert *
certset_find(const struct certset *s, const unsigned char sha256[32])
{
	size_t i;

	if (s->nslot == 0)
		return NULL;
	i = hash_of(sha256) & (s->nslot - 1);
	while (s->slot[i] != 0) {
		struct cert *c = s->v[s->slot[i] - 1];

		if (memcmp(c->sha256, sha256, 32) == 0)
			return c;
		i = (i + 1) & (s->nslot - 1);
	}
	return NULL;
}

static void
merge(struct cert *into, struct cert *from)
{
	size_t i;
	int p;

	for (i = 0; i < from->nsources; i++)
		cert_add_source(into, from->sources[i]);
	if (into->label == NULL) {
		into->label = from->label;
		from->label = NULL;
	}
	for (p = 0; p < PURPOSE_N; p++)
		if (into->trust[p] == TRUST_UNSPECIFIED)
			into->trust[p] = from->trust[p];
	for (p = 0; p < 2; p++)
		if (into->distrust[p] == DISTRUST_UNKNOWN) {
			into->distrust[p] = from->distrust[p];
			into->distrust_after[p] = from->distrust_after[p];
		}
	if (into->role == ROLE_NONE || from->role == ROLE_ANCHOR)
		into->role = from->role;
}

int
certset_add(struct certset *s, struct cert *c)
{
	struct cert *old;

	if ((old = certset_find(s, c->sha256)) != NULL) {
		merge(old, c);
		cert_free(c);
		return 0;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	if ((s->n + 1) * 2 > s->nslot)
		index_rebuild(s, s->nslot ? s->nslot * 2 : 128);
	s->v[s->n] = c;
	index_put(s->slot, s->nslot, c, s->n);
	s->n++;
	return 1;
}

static int
cmp_cert(const void *a, const void *b)
{
	struct cert *x = *(struct cert *const *)a;
	struct cert *y = *(struct cert *const *)b;
	int r;

	if ((r = strcmp(cert_subject(x), cert_subject(y))) != 0)
		return r;
	return memcmp(x->sha256, y->sha256, 32);
}

void
certset_sort(struct certset *s)
{
	size_t i;

	if (s->n == 0)
		return;
	for (i = 0; i < s->n; i++)
		cert_subject(s->v[i]);
	qsort(s->v, s->n, sizeof(*s->v), cmp_cert);
	index_rebuild(s, s->nslot ? s->nslot : 128);
}
