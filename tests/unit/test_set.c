/*
 * The certificate set: uniqueness by SHA-256, merged sources, a sort that
 * does not depend on the order of insertion.
 */
#include <stdlib.h>
#include <string.h>

#include "certset.h"
#include "pem.h"
#include "t.h"

static struct certset *
load(const char *rel, const char *as)
{
	struct certset *set = certset_new();
	unsigned char *buf;
	size_t len;

	if ((buf = t_read(t_corpus, rel, &len)) == NULL) {
		certset_free(set);
		return NULL;
	}
	pem_parse(as, (char *)buf, len, set, NULL);
	free(buf);
	return set;
}

void
test_set(void)
{
	struct certset *a, *b, *u;
	size_t i;
	int same = 1, distinct = 1;

	if (t_no_corpus("set"))
		return;
	a = load("curl-cacert/cacert-2026-02-11.pem", "a");
	b = load("curl-cacert/cacert-2026-02-11.pem", "b");
	if (a == NULL || b == NULL) {
		t_skip("set: the curl cacert.pem of the corpus absent");
		certset_free(a);
		certset_free(b);
		return;
	}
	/* insert b in reverse order into a fresh set */
	u = certset_new();
	for (i = b->n; i-- > 0;) {
		CHECK(certset_add(u, b->v[i]) == 1);
		b->v[i] = NULL;
	}
	b->n = 0;
	certset_sort(a);
	certset_sort(u);
	CHECK(a->n == u->n);
	for (i = 0; i < a->n && i < u->n; i++)
		if (memcmp(a->v[i]->sha256, u->v[i]->sha256, 32) != 0)
			same = 0;
	CHECK(same);
	for (i = 1; i < a->n; i++)
		if (memcmp(a->v[i - 1]->sha256, a->v[i]->sha256, 32) == 0)
			distinct = 0;
	CHECK(distinct);

	/* the same certificates again: merged, both sources remembered */
	{
		size_t before = u->n;
		struct certset *again = load("curl-cacert/cacert-2026-02-11.pem",
		    "c");

		for (i = 0; i < again->n; i++) {
			CHECK(certset_add(u, again->v[i]) == 0);
			again->v[i] = NULL;
		}
		again->n = 0;
		certset_free(again);
		CHECK(u->n == before);
		CHECK(u->v[0]->nsources == 2 &&
		    strcmp(u->v[0]->sources[1], "c") == 0);
		CHECK(certset_find(u, u->v[before / 2]->sha256) ==
		    u->v[before / 2]);
	}
	certset_free(a);
	certset_free(b);
	certset_free(u);
}
