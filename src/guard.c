/*
 * guard.c: the change a run would make and the guards against accidents
 * (guard.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509v3.h>

#include "blocklist.h"
#include "cert.h"
#include "guard.h"
#include "source.h"
#include "text.h"
#include "verify.h"

struct certset *
guard_published(const struct config *c, struct diags *d)
{
	struct certset *old = certset_new();
	struct blocklist *bl = blocklist_new();
	struct diags ld = DIAGS_INIT;
	const char *p = NULL;

	if (old == NULL || bl == NULL) {
		certset_free(old);
		blocklist_free(bl);
		return NULL;
	}
	if (c->bundle != NULL && access(c->bundle, F_OK) == 0)
		p = c->bundle;
	else if (c->capath != NULL && access(c->capath, F_OK) == 0)
		p = c->capath;
	if (p != NULL && source_load(p, CERTDATA_ALL, old, bl, &ld) == -1) {
		diag_warn(d, NULL, 0, "'%s': the published store cannot be "
		    "read (%s); it is replaced whole, without a shrink check",
		    p, diags_first_err(&ld) ? diags_first_err(&ld) : "");
		diags_clear(&ld);
	}
	diags_move(d, &ld);
	blocklist_free(bl);
	certset_sort(old);
	return old;
}

static int
self_signed(struct cert *c)
{
	X509 *x = cert_x509(c);

	return x != NULL && X509_check_issued(x, x) == X509_V_OK;
}

/* One "+ SHA256 SUBJECT" line (or "-"). */
static void
change_line(FILE *f, char sign, struct cert *c)
{
	char hex[65], esc[4096];

	cert_hex(c->sha256, 32, hex, 0);
	fprintf(f, "%c %s %s\n", sign, hex, text_esc(cert_subject(c), esc,
	    sizeof(esc)));
}

int
guard_diff(const struct certset *old, const struct certset *cur,
    struct guard *g)
{
	FILE *f;
	size_t i;

	memset(g, 0, sizeof(*g));
	if ((f = open_memstream(&g->changes, &g->len)) == NULL)
		return -1;
	for (i = 0; i < old->n; i++) {
		struct cert *c = old->v[i];
		int ss = self_signed(c);

		g->anchors += ss;
		if (certset_find(cur, c->sha256) != NULL)
			continue;
		change_line(f, '-', c);
		g->removed++;
		g->lost_anchors += ss;
	}
	for (i = 0; i < cur->n; i++) {
		struct cert *c = cur->v[i];

		if (certset_find(old, c->sha256) != NULL)
			continue;
		change_line(f, '+', c);
		g->added++;
	}
	if (fclose(f) != 0) {
		guard_release(g);
		return -1;
	}
	return 0;
}

int
guard_shrink(const struct guard *g, unsigned limit, struct diags *d)
{
	if (g->anchors == 0 || g->lost_anchors * 100 <= (size_t)limit *
	    g->anchors)
		return 0;
	diag_err(d, NULL, 0, "refusing to publish: the new set drops %zu of "
	    "the %zu root certificate%s published now (%zu%%, more than "
	    "shrink-limit %u%%); check the sources (-v), or run 'trustbuild "
	    "update --force' if this is intended", g->lost_anchors,
	    g->anchors, text_s(g->anchors), g->lost_anchors * 100 / g->anchors, limit);
	return -1;
}

int
guard_probes(const struct probeset *ps, const struct certset *old,
    X509_STORE *now, enum purpose p, int enforce, struct diags *d)
{
	X509_STORE *ostore;
	int broken;

	if (old->n == 0)
		return 0;
	if ((ostore = verify_store_set(old, p, 0, d)) == NULL)
		return -1;
	broken = probeset_regressions(ps, ostore, now, d);
	X509_STORE_free(ostore);
	if (broken <= 0 || !enforce)
		return 0;
	diag_err(d, NULL, 0, "refusing to publish: %d configured server%s "
	    "would stop verifying (above); run 'trustbuild update --force' "
	    "if this is intended", broken, broken == 1 ? "" : "s");
	return -1;
}

void
guard_release(struct guard *g)
{
	if (g == NULL)
		return;
	free(g->changes);
	memset(g, 0, sizeof(*g));
}
