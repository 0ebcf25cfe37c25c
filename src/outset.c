/*
 * outset.c: the set each output publishes, see outset.h.
 */
#include <stdlib.h>
#include <string.h>

#include "acquire.h"
#include "config.h"
#include "outset.h"
#include "pipeline.h"
#include "xalloc.h"

void
outset_init(struct outset *os)
{
	memset(os, 0, sizeof(*os));
}

void
outset_release(struct outset *os)
{
	size_t i;

	for (i = 0; i <= PURPOSE_N; i++) {
		certset_free(os->bypurpose[i]);
		certset_free(os->aside[i]);
	}
	for (i = 0; i < OUTPUT_MAX; i++)
		if (os->view[i] != NULL) {
			free(os->view[i]->v);	/* borrowed certificates */
			free(os->view[i]->slot);
			free(os->view[i]);
		}
	memset(os, 0, sizeof(*os));
}

int
outset_load_sources(void *arg, enum purpose p, struct certset ***as,
    size_t *na, struct certset ***is, size_t *ni, struct blocklist *bl,
    struct diags *d)
{
	const struct outset_sources *s = arg;
	struct acquire_src t;
	size_t i, j;
	int rc;

	*as = xcalloc(s->n + 1, sizeof(**as));
	*is = xcalloc(s->n + 1, sizeof(**is));
	for (i = 0; i < s->n; i++) {
		if (s->src[i].spec.role == ROLE_BLOCKLIST)
			continue;	/* in pol->exclude already */
		t = s->src[i];		/* the same bytes, a set of its own */
		t.set = NULL;
		t.bl = NULL;
		rc = acquire_parse(&t, p, t.spec.path ? t.spec.path :
		    t.spec.url, d);
		if (t.set != NULL) {
			if (t.spec.role == ROLE_ANCHORS)
				(*as)[(*na)++] = t.set;
			else
				(*is)[(*ni)++] = t.set;
		}
		for (j = 0; rc == 0 && t.bl != NULL && j < t.bl->n; j++)
			if (blocklist_add(bl, &t.bl->v[j]) == -1)
				rc = -1;
		blocklist_free(t.bl);
		if (rc == -1)
			return -1;
	}
	return 0;
}

int
outset_load_paths(void *arg, enum purpose p, struct certset ***as,
    size_t *na, struct certset ***is, size_t *ni, struct blocklist *bl,
    struct diags *d)
{
	const struct outset_paths *s = arg;

	*as = xcalloc(s->nanchor + 1, sizeof(**as));
	*is = xcalloc(s->ninter + 1, sizeof(**is));
	if (pipeline_load(s->anchor, s->nanchor, p, 0, *as, bl, d) == -1 ||
	    pipeline_load(s->inter, s->ninter, p, 1, *is, bl, d) == -1) {
		for (*na = 0; *na < s->nanchor && (*as)[*na]; (*na)++)
			;
		for (*ni = 0; *ni < s->ninter && (*is)[*ni]; (*ni)++)
			;
		return -1;
	}
	*na = s->nanchor;
	*ni = s->ninter;
	return 0;
}

/*
 * The intermediates of the main set not in set, as new candidates: the
 * gate admits them again for set's purpose.
 */
static struct certset *
candidates(const struct certset *main, const struct certset *set)
{
	struct certset *c = certset_new();
	struct cert *n;
	size_t i, j;

	for (i = 0; i < main->n; i++) {
		const struct cert *m = main->v[i];

		if (m->role != ROLE_INTERMEDIATE ||
		    certset_find(set, m->sha256) != NULL)
			continue;
		n = cert_dup_plain(m);
		for (j = 0; j < m->nsources; j++)
			cert_add_source(n, m->sources[j]);
		certset_add(c, n);
	}
	return c;
}

/*
 * The gated set of purpose p, made as the main one was (what distrust-after
 * left out into os->aside[p]).  NULL after d.
 */
static struct certset *
make_set(struct outset *os, const struct outset_in *in, enum purpose p,
    struct diags *d)
{
	struct policy pol;
	struct policy_stats st;
	struct blocklist *bl = blocklist_new();
	struct certset **as = NULL, **is = NULL, *final = NULL, *cands;
	size_t na = 0, ni = 0, i;

	memset(&pol, 0, sizeof(pol));
	pol.purpose = p;
	pol.keep_expired = in->pol->keep_expired;
	pol.distrust = in->pol->distrust;
	pol.leaf_lifetime = in->pol->leaf_lifetime;
	pol.exclude = in->pol->exclude;		/* borrowed */
	pol.nexclude = in->pol->nexclude;
	pol.now = in->pol->now;
	pol.d = d;
	diag_info(d, NULL, 0, "the outputs for %s: their own set",
	    purpose_name(p));
	if (bl != NULL && in->load(in->arg, p, &as, &na, &is, &ni, bl,
	    d) == 0)
		final = pipeline_policy(&pol, as, na, is, ni, bl,
		    "keep-expired", &st, d);
	if (final != NULL) {
		cands = candidates(in->main, final);
		if (cands->n > 0 && policy_admit(&pol, &cands, 1, final,
		    &st) == -1) {
			certset_free(final);
			final = NULL;
		}
		certset_free(cands);
		os->aside[p] = pol.distrusted;
		pol.distrusted = NULL;
		if (pol.distrust_next != 0 && (os->next == 0 ||
		    pol.distrust_next < os->next))
			os->next = pol.distrust_next;
	}
	for (i = 0; i < na; i++)
		certset_free(as[i]);
	for (i = 0; i < ni; i++)
		certset_free(is[i]);
	free(as);
	free(is);
	policy_release(&pol);
	blocklist_free(bl);
	return final;
}

/* set and aside (either may be NULL) as one sorted view. */
static struct certset *
join(const struct certset *set, const struct certset *aside)
{
	struct certset *v = xcalloc(1, sizeof(*v));
	size_t n = (set ? set->n : 0) + (aside ? aside->n : 0), i;

	v->v = xcalloc(n + 1, sizeof(*v->v));
	for (i = 0; set != NULL && i < set->n; i++)
		v->v[v->n++] = set->v[i];
	for (i = 0; aside != NULL && i < aside->n; i++)
		v->v[v->n++] = aside->v[i];
	v->cap = n + 1;
	certset_sort(v);
	return v;
}

/*
 * The per-output filter: which certificates of set the output t leaves
 * out (out[i] = 1), each said in d; returns how many, or -1 after adding
 * to d.  Its settings are t->cfg's keys ([output NAME]) over the main
 * policy's.  The one place a per-output policy is called: distrust-after
 * of its own (set is then the purpose's set with what [output]'s mode
 * left out joined back).
 */
static int
filter(struct outset *os, const struct certset *set,
    const struct output_target *t, const struct policy *pol,
    unsigned char *out, struct diags *d)
{
	const struct config_output *co = t->cfg;
	struct distrust_cut cut;
	size_t i, j;

	if (co == NULL || (co->distrust == DISTRUST_MODE_UNSET &&
	    co->leaf_lifetime == 0))
		return 0;
	policy_distrust(set, t->purpose, co->distrust ?
	    (enum distrust_mode)co->distrust : pol->distrust,
	    co->leaf_lifetime ? co->leaf_lifetime :
	    pol->leaf_lifetime, pol->now, &cut);
	for (i = 0; i < cut.nsaid; i++)
		diag_warn(d, NULL, 0, "[output %s]: %s", co->name, cut.said[i]);
	for (i = 0; i < cut.nnoted; i++)
		diag_info(d, NULL, 0, "[output %s]: %s", co->name,
		    cut.noted[i]);
	for (i = 0; i < set->n; i++)
		for (j = 0; j < cut.nout; j++)
			if (cut.out[j] == set->v[i])
				out[i] = 1;
	if (cut.next != 0 && (os->next == 0 || cut.next < os->next))
		os->next = cut.next;
	i = cut.nout;
	policy_distrust_release(&cut);
	return (int)i;
}

/* Has t a distrust-after mode or leaf lifetime of its own? */
static int
own_distrust(const struct output_target *t)
{
	return t->cfg != NULL && (t->cfg->distrust != DISTRUST_MODE_UNSET ||
	    t->cfg->leaf_lifetime != 0);
}

/* set less what out marks, as a view of borrowed certificates. */
static struct certset *
view(const struct certset *set, const unsigned char *out)
{
	struct certset *v = xcalloc(1, sizeof(*v));
	size_t i;

	v->v = xcalloc(set->n + 1, sizeof(*v->v));
	for (i = 0; i < set->n; i++)
		if (!out[i])
			v->v[v->n++] = set->v[i];
	v->cap = set->n + 1;
	return v;
}

int
outset_assign(struct outset *os, struct output *o,
    const struct outset_in *in, struct diags *d)
{
	const struct certset *set, *aside;
	struct certset *all = NULL;
	unsigned char *out;
	size_t i;
	int n;

	for (i = 0; i < o->n; i++) {
		struct output_target *t = &o->v[i];

		if (t->purpose == in->pol->purpose) {
			set = in->main;
			aside = in->pol->distrusted;
		} else if ((set = os->bypurpose[t->purpose]) == NULL &&
		    (set = os->bypurpose[t->purpose] = make_set(os, in,
		    t->purpose, d)) == NULL)
			return -1;
		else
			aside = os->aside[t->purpose];
		if (own_distrust(t))
			set = all = join(set, aside);
		out = xcalloc(set->n + 1, 1);
		if ((n = filter(os, set, t, in->pol, out, d)) == -1) {
			free(out);
			return -1;
		}
		if (n > 0 || all != NULL)
			set = os->view[i] = view(set, out);
		free(out);
		if (all != NULL) {
			free(all->v);
			free(all->slot);
			free(all);
			all = NULL;
		}
		t->set = set;
	}
	return 0;
}
