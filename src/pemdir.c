/*
 * pemdir.c: the PEM directory writer, see pemdir.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "pemdir.h"
#include "xalloc.h"

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct dir_entry *)a)->name,
	    ((const struct dir_entry *)b)->name);
}

int
pemdir_render(const struct certset *set, const struct output_target *t,
    struct rendered *r, struct diags *d)
{
	struct dir_entry *e;
	size_t *off, i;
	char hex[65];

	(void)t;
	(void)d;
	e = xcalloc(set->n + 1, sizeof(*e));
	off = xcalloc(set->n + 1, sizeof(*off));
	for (i = 0; i < set->n; i++) {
		cert_hex(set->v[i]->sha256, 32, hex, 0);
		snprintf(e[i].name, sizeof(e[i].name), "%s.pem", hex);
		off[i] = r->b.len;
		bundle_render_cert(&r->b, set->v[i]);
		e[i].len = r->b.len - off[i];
	}
	/* the buffer moved while it grew: point into it once it is whole */
	for (i = 0; i < set->n && !r->b.failed; i++)
		e[i].data = r->b.p + off[i];
	free(off);
	qsort(e, set->n, sizeof(*e), cmp_entry);
	r->e = e;
	r->n = set->n;
	return 0;
}
