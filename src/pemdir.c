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
	size_t i;
	char hex[65];

	(void)t;
	(void)d;
	e = xcalloc(set->n + 1, sizeof(*e));
	for (i = 0; i < set->n; i++) {
		cert_hex(set->v[i]->sha256, 32, hex, 0);
		snprintf(e[i].name, sizeof(e[i].name), "%s.pem", hex);
		e[i].make = bundle_make_cert;
		e[i].arg = set->v[i];
	}
	qsort(e, set->n, sizeof(*e), cmp_entry);
	r->e = e;
	r->n = set->n;
	return 0;
}
