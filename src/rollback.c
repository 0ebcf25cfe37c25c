/*
 * rollback.c: what a source gave in earlier runs, see rollback.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cert.h"
#include "rollback.h"

typedef unsigned char hash_t[32];

/* A growing, then sorted and unique, list of hashes. */
struct hashes {
	hash_t	*v;
	size_t	 n, cap;
};

static int
hashes_add(struct hashes *h, const unsigned char d[32])
{
	if (h->n == h->cap) {
		size_t nc = h->cap ? h->cap * 2 : 64;
		hash_t *nv = reallocarray(h->v, nc, sizeof(*nv));

		if (nv == NULL)
			return -1;
		h->v = nv;
		h->cap = nc;
	}
	memcpy(h->v[h->n++], d, 32);
	return 0;
}

static int
cmp_hash(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

static void
hashes_sort(struct hashes *h)
{
	size_t i, o = 0;

	if (h->n > 1)
		qsort(h->v, h->n, sizeof(*h->v), cmp_hash);
	for (i = 0; i < h->n; i++)
		if (o == 0 || memcmp(h->v[o - 1], h->v[i], 32) != 0)
			memcpy(h->v[o++], h->v[i], 32);
	h->n = o > ROLLBACK_MAX ? ROLLBACK_MAX : o;
}

/* Is d in the sorted list v[n]? */
static int
has(hash_t *v, size_t n, const unsigned char d[32])
{
	return n > 0 && bsearch(d, v, n, sizeof(*v), cmp_hash) != NULL;
}

/* SHA-256 of the DER issuer Name and serial INTEGER (as NSS names it). */
static int
id_of(const unsigned char *issuer, size_t ilen, const unsigned char *serial,
    size_t slen, unsigned char out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok;

	ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
	    EVP_DigestUpdate(md, issuer, ilen) &&
	    EVP_DigestUpdate(md, serial, slen) &&
	    EVP_DigestFinal_ex(md, out, NULL);
	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

static int
cert_id(const struct cert *c, unsigned char out[32])
{
	return id_of(c->isn, c->isn_ilen, c->isn + c->isn_ilen, c->isn_slen,
	    out);
}

/* The three sorted lists (roots, dropped, distrusted) move into rb. */
static void
take_lists(struct rollback *rb, struct hashes h[3])
{
	rb->root = h[0].v;
	rb->nroot = h[0].n;
	rb->dropped = h[1].v;
	rb->ndropped = h[1].n;
	rb->distrusted = h[2].v;
	rb->ndistrusted = h[2].n;
	memset(h, 0, 3 * sizeof(h[0]));
}

void
rollback_release(struct rollback *rb)
{
	if (rb == NULL)
		return;
	free(rb->origin);
	free(rb->purpose);
	free(rb->version);
	free(rb->root);
	free(rb->dropped);
	free(rb->distrusted);
	memset(rb, 0, sizeof(*rb));
}

int
rollback_parse(const char *buf, struct rollback *rb)
{
	struct hashes h[3];
	char *copy, *line, *save = NULL, **str;
	unsigned char d[32];
	int first = 1, rc = -1, k;

	memset(rb, 0, sizeof(*rb));
	memset(h, 0, sizeof(h));
	if ((copy = strdup(buf)) == NULL)
		return -1;
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(line, ' ');

		k = -1;
		if (v == NULL)
			goto out;
		*v++ = '\0';
		if (first) {
			if (strcmp(line, "trustbuild-source") != 0 ||
			    strcmp(v, "1") != 0)
				goto out;
			first = 0;
			continue;
		}
		str = NULL;
		if (strcmp(line, "origin") == 0)
			str = &rb->origin;
		else if (strcmp(line, "purpose") == 0)
			str = &rb->purpose;
		else if (strcmp(line, "version") == 0)
			str = &rb->version;
		else if (strcmp(line, "root") == 0)
			k = 0;
		else if (strcmp(line, "dropped") == 0)
			k = 1;
		else if (strcmp(line, "distrusted") == 0)
			k = 2;
		else
			goto out;
		if (str != NULL) {
			if (*str != NULL || (*str = strdup(v)) == NULL)
				goto out;
		} else if (cert_unhex(v, strlen(v), d) == -1 ||
		    hashes_add(&h[k], d) == -1)
			goto out;
	}
	if (first || rb->origin == NULL || rb->purpose == NULL)
		goto out;
	for (k = 0; k < 3; k++)
		hashes_sort(&h[k]);
	take_lists(rb, h);
	rc = 0;
out:
	free(copy);
	for (k = 0; k < 3; k++)
		free(h[k].v);
	if (rc == -1)
		rollback_release(rb);
	return rc;
}

int
rollback_version_cmp(const char *a, const char *b)
{
	while (*a != '\0' || *b != '\0') {
		unsigned long x = strtoul(a, (char **)&a, 10);
		unsigned long y = strtoul(b, (char **)&b, 10);

		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
		if ((*a < '0' || *a > '9') && *a != '\0')
			break;
		if ((*b < '0' || *b > '9') && *b != '\0')
			break;
	}
	return 0;
}

int
rollback_check(const struct rollback *prev, const char *version,
    struct certset *set, char **why)
{
	FILE *f;
	char *out = NULL, hex[65];
	size_t len = 0, i;
	unsigned char id[32];
	int n = 0;

	*why = NULL;
	if ((f = open_memstream(&out, &len)) == NULL)
		return -1;
	if (prev->version != NULL && version != NULL &&
	    rollback_version_cmp(version, prev->version) < 0) {
		fprintf(f, "  CVS_ID revision %s, older than the %s seen "
		    "before\n", version, prev->version);
		n++;
	}
	for (i = 0; i < set->n; i++) {
		struct cert *c = set->v[i];
		const char *what = NULL;

		if (has(prev->dropped, prev->ndropped, c->sha256))
			what = "dropped by this source earlier, back";
		else if (prev->ndistrusted > 0 && cert_id(c, id) == 0 &&
		    has(prev->distrusted, prev->ndistrusted, id))
			what = "distrusted by this source earlier, trusted "
			    "again";
		if (what == NULL)
			continue;
		cert_hex(c->sha256, 32, hex, 0);
		fprintf(f, "  %s \"%s\": %s\n", hex, cert_subject(c), what);
		n++;
	}
	if (fclose(f) != 0) {
		free(out);
		return -1;
	}
	if (n == 0)
		free(out);
	else {
		out[len - 1] = '\0';	/* the last newline */
		*why = out;
	}
	return n;
}

int
rollback_next(const struct rollback *prev, const char *origin, int purpose,
    const char *version, const struct certset *set,
    const struct blocklist *bl, int learn_drops, struct rollback *next)
{
	struct hashes h[3], now;
	unsigned char d[32];
	size_t i;
	int rc = -1;

	memset(next, 0, sizeof(*next));
	memset(h, 0, sizeof(h));
	memset(&now, 0, sizeof(now));
	for (i = 0; i < set->n; i++)
		if (hashes_add(&h[0], set->v[i]->sha256) == -1 ||
		    (cert_id(set->v[i], d) == 0 && hashes_add(&now, d) == -1))
			goto out;
	hashes_sort(&h[0]);
	hashes_sort(&now);
	for (i = 0; prev != NULL && i < prev->ndropped; i++)
		if (!has(h[0].v, h[0].n, prev->dropped[i]) &&
		    hashes_add(&h[1], prev->dropped[i]) == -1)
			goto out;
	for (i = 0; prev != NULL && learn_drops && i < prev->nroot; i++)
		if (!has(h[0].v, h[0].n, prev->root[i]) &&
		    hashes_add(&h[1], prev->root[i]) == -1)
			goto out;
	for (i = 0; prev != NULL && i < prev->ndistrusted; i++)
		if (!has(now.v, now.n, prev->distrusted[i]) &&
		    hashes_add(&h[2], prev->distrusted[i]) == -1)
			goto out;
	for (i = 0; bl != NULL && i < bl->n; i++) {
		const struct block *b = &bl->v[i];

		if (cert_trust_for(b->trust, (enum purpose)purpose) !=
		    TRUST_NOT_TRUSTED)
			continue;
		if (id_of(b->issuer, b->issuer_len, b->serial, b->serial_len,
		    d) == -1)
			goto out;
		if (!has(now.v, now.n, d) && hashes_add(&h[2], d) == -1)
			goto out;
	}
	hashes_sort(&h[1]);
	hashes_sort(&h[2]);
	if ((next->origin = strdup(origin)) == NULL ||
	    (next->purpose = strdup(purpose_name((enum purpose)purpose))) ==
	    NULL || (version != NULL && (next->version = strdup(version)) ==
	    NULL))
		goto out;
	take_lists(next, h);
	rc = 0;
out:
	for (i = 0; i < 3; i++)
		free(h[i].v);
	free(now.v);
	if (rc == -1)
		rollback_release(next);
	return rc;
}

static void
put_hashes(FILE *f, const char *key, hash_t *v, size_t n)
{
	char hex[65];
	size_t i;

	for (i = 0; i < n; i++) {
		cert_hex(v[i], 32, hex, 0);
		fprintf(f, "%s %s\n", key, hex);
	}
}

char *
rollback_format(const struct rollback *rb, size_t *len)
{
	FILE *f;
	char *out = NULL;

	if ((f = open_memstream(&out, len)) == NULL)
		return NULL;
	fprintf(f, "trustbuild-source 1\norigin %s\npurpose %s\n", rb->origin,
	    rb->purpose);
	if (rb->version != NULL)
		fprintf(f, "version %s\n", rb->version);
	put_hashes(f, "root", rb->root, rb->nroot);
	put_hashes(f, "dropped", rb->dropped, rb->ndropped);
	put_hashes(f, "distrusted", rb->distrusted, rb->ndistrusted);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}
