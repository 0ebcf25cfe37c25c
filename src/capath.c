/*
 * capath.c: the CApath writer, see capath.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "bundle.h"
#include "capath.h"
#include "xalloc.h"

struct item {
	struct cert	*c;
	char		 file[72];	/* "<sha256 hex>.pem" */
	unsigned long	 hash[2];	/* [0] current, [1] old (MD5) */
};

static int
cmp_item_file(const void *a, const void *b)
{
	return strcmp(((const struct item *)a)->file,
	    ((const struct item *)b)->file);
}

/*
 * How many links were made for each hash value so far: open addressing,
 * at most half full, so that numbering n links costs n steps.
 */
struct seqtab {
	unsigned long	*key;
	int		*count;
	size_t		 mask;
};

static void
seqtab_init(struct seqtab *t, size_t n)
{
	size_t size = 16;

	while (size < 2 * n)
		size *= 2;
	t->key = xcalloc(size, sizeof(*t->key));
	t->count = xcalloc(size, sizeof(*t->count));
	t->mask = size - 1;
}

/* The number of earlier links for h (its .N), counting this one. */
static int
seqtab_next(struct seqtab *t, unsigned long h)
{
	size_t i = (h * 0x9e3779b97f4a7c15ULL >> 17) & t->mask;

	while (t->count[i] != 0 && t->key[i] != h)
		i = (i + 1) & t->mask;
	t->key[i] = h;
	return t->count[i]++;
}

static void
seqtab_free(struct seqtab *t)
{
	free(t->key);
	free(t->count);
}

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct dir_entry *)a)->name,
	    ((const struct dir_entry *)b)->name);
}

int
capath_render(const struct certset *set, const struct output_target *t,
    struct rendered *r, struct diags *d)
{
	struct item *it;
	struct dir_entry *e;
	struct seqtab made;
	size_t i, n = set->n, ne = 0, kinds = (t->flags & CAPATH_COMPAT) ? 2 : 1;
	int rc = -1, k;

	it = xcalloc(n, sizeof(*it));
	e = xcalloc(n * (1 + kinds) + 1, sizeof(*e));
	seqtab_init(&made, n * kinds);
	for (i = 0; i < n; i++) {
		char hex[65];

		it[i].c = set->v[i];
		cert_hex(it[i].c->sha256, 32, hex, 0);
		snprintf(it[i].file, sizeof(it[i].file), "%s.pem", hex);
		it[i].hash[0] = it[i].c->hash;
		it[i].hash[1] = it[i].c->hash_old;
	}
	/* openssl rehash numbers collisions in file-name order */
	qsort(it, n, sizeof(*it), cmp_item_file);
	for (i = 0; i < n; i++) {
		struct dir_entry *f = &e[ne++];

		snprintf(f->name, sizeof(f->name), "%s", it[i].file);
		f->make = bundle_make_cert;
		f->arg = it[i].c;
		for (k = 0; k < (int)kinds; k++) {
			unsigned long h = it[i].hash[k];
			/*
			 * Names are numbered per hash value in the order the
			 * links are made: file by file, current hash first.
			 */
			int seq = seqtab_next(&made, h);

			e[ne].data = NULL;
			snprintf(e[ne].name, sizeof(e[ne].name), "%08lx.%d", h,
			    seq);
			snprintf(e[ne].link, sizeof(e[ne].link), "%s",
			    it[i].file);
			ne++;
		}
	}
	qsort(e, ne, sizeof(*e), cmp_entry);
	for (i = 1; i < ne; i++)
		if (strcmp(e[i - 1].name, e[i].name) == 0) {
			diag_err(d, NULL, 0, "two entries of the CApath named "
			    "'%s'", e[i].name);
			goto out;
		}
	r->e = e;
	r->n = ne;
	e = NULL;
	rc = 0;
out:
	free(it);
	free(e);
	seqtab_free(&made);
	return rc;
}
