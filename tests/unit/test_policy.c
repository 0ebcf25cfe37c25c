/*
 * Policy: anchors by trust and expiry, intermediates admitted only when
 * they chain, blocklists, exclusions; what it decides is handed back in
 * pol->d, not printed.  Update's guard (the change, the shrink limit at
 * its edge) and the shared post-policy step.  On the test PKI from
 * fixtures.sh.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blocklist.h"
#include "certdata.h"
#include "certset.h"
#include "diag.h"
#include "guard.h"
#include "pipeline.h"
#include "policy.h"
#include "source.h"
#include "t.h"

static int
has(const struct certset *s, const char *cn)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strstr(cert_subject(s->v[i]), cn) != NULL)
			return 1;
	return 0;
}

static struct certset *
build(struct policy *pol, const char **anchors, size_t na,
    const char **inter, size_t ni, struct policy_stats *st)
{
	struct certset *as[8], *is[8], *out;
	struct blocklist *bl = blocklist_new();
	size_t i;

	for (i = 0; i < na; i++)
		as[i] = t_load(anchors[i], CERTDATA_ALL, bl);
	for (i = 0; i < ni; i++)
		is[i] = t_load(inter[i], CERTDATA_ALL, bl);
	out = policy_build(pol, as, na, is, ni, bl, st);
	for (i = 0; i < na; i++)
		certset_free(as[i]);
	for (i = 0; i < ni; i++)
		certset_free(is[i]);
	blocklist_free(bl);
	return out;
}

/* The refusals are in pol->d (info: -v), nothing is printed. */
static void
test_policy_diags(void)
{
	struct policy pol;
	struct policy_stats st;
	struct diags d = DIAGS_INIT;
	struct certset *out;
	const char *a[] = { "root-a.pem", "expired-root.pem" };
	size_t i;
	int said = 0;

	memset(&pol, 0, sizeof(pol));
	pol.purpose = PURPOSE_SERVER_AUTH;
	pol.now = time(NULL);
	pol.d = &d;
	t_catch();
	out = build(&pol, a, 2, NULL, 0, &st);
	{
		char err[256];

		t_caught(err, sizeof(err));
		CHECK(err[0] == '\0');
	}
	CHECK(out != NULL && out->n == 1 && st.expired == 1);
	for (i = 0; i < d.n; i++)
		said += d.v[i].level == DIAG_INFO &&
		    strstr(d.v[i].msg, "dropped expired anchor") != NULL;
	CHECK(said == 1 && d.nerr == 0);
	certset_free(out);
	diags_clear(&d);
	policy_release(&pol);
}

/*
 * pipeline_policy: an empty result is refused, with the one error that
 * says so; the expired ones are counted in a warning.
 */
static void
test_pipeline_policy(void)
{
	struct policy pol;
	struct policy_stats st;
	struct diags d = DIAGS_INIT;
	struct blocklist *bl = blocklist_new();
	struct certset *as[1], *out;

	memset(&pol, 0, sizeof(pol));
	pol.purpose = PURPOSE_SERVER_AUTH;
	pol.now = time(NULL);
	pol.d = &d;
	as[0] = t_load("expired-root.pem", CERTDATA_ALL, bl);
	out = pipeline_policy(&pol, as, 1, NULL, 0, bl, "--keep-expired", &st,
	    &d);
	CHECK(out == NULL && d.nerr == 1);
	CHECK(diags_first_err(&d) != NULL && strstr(diags_first_err(&d),
	    "refusing to publish an empty set") != NULL);
	certset_free(as[0]);
	certset_free(out);
	blocklist_free(bl);
	diags_clear(&d);
	policy_release(&pol);
}

/*
 * policy_distrust: pure (the set as it was, nothing printed); per mode and
 * instant, root A (server date T, no email date) and the intermediates
 * that chain only to it; "next" is when the decision changes.
 */
static void
test_distrust(void)
{
	struct policy pol;
	struct policy_stats st;
	struct distrust_cut cut;
	struct certset *out;
	const char *a[] = { "roots.pem" };
	const char *i1[] = { "intermediates.pem" };
	const time_t T = 1893456000, day = 86400;	/* 2030-01-01 */
	char err[256];
	size_t i, n;

	memset(&pol, 0, sizeof(pol));
	pol.purpose = PURPOSE_SERVER_AUTH;
	pol.now = time(NULL);
	out = build(&pol, a, 1, i1, 1, &st);
	CHECK(out != NULL && st.anchors == 2 && st.intermediates == 3);
	if (out == NULL)
		return;
	n = out->n;
	for (i = 0; i < out->n; i++)
		if (strstr(cert_subject(out->v[i]), "Root A") != NULL) {
			out->v[i]->distrust[0] = DISTRUST_AFTER;
			out->v[i]->distrust_after[0] = T;
		}
	t_catch();
	/* keep: nothing, a note */
	CHECK(policy_distrust(out, PURPOSE_SERVER_AUTH, DISTRUST_MODE_KEEP,
	    0, T + 9999 * day, &cut) == 0 && cut.nnoted == 1 && cut.next == 0);
	policy_distrust_release(&cut);
	/* drop: from the date */
	CHECK(policy_distrust(out, PURPOSE_SERVER_AUTH, DISTRUST_MODE_DROP, 0,
	    T, &cut) == 0 && cut.next == T + 1);
	policy_distrust_release(&cut);
	CHECK(policy_distrust(out, PURPOSE_SERVER_AUTH, DISTRUST_MODE_DROP, 0,
	    T + 1, &cut) == 3 && cut.nanchors == 1 && cut.nsaid == 3);
	CHECK(cut.nsaid == 3 && strstr(cut.said[0], "left out root \"") !=
	    NULL && strstr(cut.said[0], "2030-01-01 00:00:00 UTC") != NULL);
	policy_distrust_release(&cut);
	/* drop-when-safe (UNSET is it): 398 days after, or as many as said */
	CHECK(policy_distrust(out, PURPOSE_SERVER_AUTH, DISTRUST_MODE_UNSET,
	    0, T + 398 * day, &cut) == 0 && cut.next == T + 398 * day + 1);
	policy_distrust_release(&cut);
	CHECK(policy_distrust(out, PURPOSE_SERVER_AUTH,
	    DISTRUST_MODE_DROP_WHEN_SAFE, 0, T + 398 * day + 1, &cut) == 3);
	policy_distrust_release(&cut);
	CHECK(policy_distrust(out, PURPOSE_SERVER_AUTH,
	    DISTRUST_MODE_DROP_WHEN_SAFE, 30, T + 31 * day, &cut) == 3);
	policy_distrust_release(&cut);
	/* email: no email date; any: root A is an anchor for email too */
	CHECK(policy_distrust(out, PURPOSE_EMAIL, DISTRUST_MODE_DROP, 0,
	    T + 9999 * day, &cut) == 0 && cut.nnoted == 0);
	policy_distrust_release(&cut);
	CHECK(policy_distrust(out, PURPOSE_ANY, DISTRUST_MODE_DROP, 0,
	    T + 9999 * day, &cut) == 0);
	policy_distrust_release(&cut);
	CHECK(policy_distrust(out, PURPOSE_CODE_SIGNING, DISTRUST_MODE_DROP,
	    0, T + 9999 * day, &cut) == 0);
	policy_distrust_release(&cut);
	t_caught(err, sizeof(err));
	CHECK(err[0] == '\0' && out->n == n);
	/* applied: root B alone; what is left out kept aside when asked */
	policy_distrust(out, PURPOSE_SERVER_AUTH, DISTRUST_MODE_DROP, 0, T + 1,
	    &cut);
	{
		struct certset *aside = certset_new();

		policy_distrust_apply(&out, &cut, aside);
		CHECK(aside->n == 3 && has(aside, "Root A"));
		certset_free(aside);
	}
	policy_distrust_release(&cut);
	CHECK(out->n == n - 3 && has(out, "Root B") && !has(out, "Root A") &&
	    !has(out, "Intermediate A"));
	policy_distrust(out, PURPOSE_SERVER_AUTH, DISTRUST_MODE_DROP, 0, T + 1,
	    &cut);
	policy_distrust_apply(&out, &cut, NULL);	/* nothing to do */
	policy_distrust_release(&cut);
	CHECK(out->n == n - 3);
	CHECK(distrust_mode_from_name("drop-when-safe") ==
	    DISTRUST_MODE_DROP_WHEN_SAFE && distrust_mode_from_name("") == -1);
	CHECK(strcmp(distrust_mode_name(DISTRUST_MODE_UNSET),
	    "drop-when-safe") == 0);
	certset_free(out);
	policy_release(&pol);
}

/* The change against what is published, and the shrink guard's edge. */
static void
test_guard(void)
{
	struct certset *old = t_load("roots.pem", CERTDATA_ALL, NULL);
	struct certset *cur = t_load("root-a.pem", CERTDATA_ALL, NULL);
	struct diags d = DIAGS_INIT;
	struct guard g;

	certset_sort(old);
	certset_sort(cur);
	CHECK(guard_diff(old, cur, &g) == 0);
	CHECK(g.added == 0 && g.removed == 1 && g.anchors == 2 &&
	    g.lost_anchors == 1);
	CHECK(g.len > 2 && strncmp(g.changes, "- ", 2) == 0 &&
	    strchr(g.changes, '\n') == g.changes + g.len - 1 &&
	    strstr(g.changes, "Test Root B") != NULL);
	/* 1 of 2 is 50%: a limit of 50% lets it go, 49% does not */
	CHECK(guard_shrink(&g, 50, &d) == 0 && d.n == 0);
	CHECK(guard_shrink(&g, 49, &d) == -1 && d.nerr == 1);
	CHECK(strstr(diags_first_err(&d), "drops 1 of the 2 root "
	    "certificates published now (50%, more than shrink-limit 49%)") !=
	    NULL);
	guard_release(&g);
	diags_clear(&d);
	/* the other way round: one added, nothing lost */
	CHECK(guard_diff(cur, old, &g) == 0);
	CHECK(g.added == 1 && g.removed == 0 && g.lost_anchors == 0 &&
	    strncmp(g.changes, "+ ", 2) == 0);
	CHECK(guard_shrink(&g, 0, &d) == 0);
	guard_release(&g);
	certset_free(old);
	certset_free(cur);
}

void
test_policy(void)
{
	struct policy pol;
	struct policy_stats st;
	struct certset *out;
	const char *a1[] = { "root-a.pem" };
	const char *a2[] = { "root-a.pem", "expired-root.pem" };
	const char *a3[] = { "roots.pem", "root-b-rejected.pem" };
	const char *a4[] = { "root-a-trusted.pem", "root-b-email.pem" };
	const char *i1[] = { "intermediates.pem" };

	memset(&pol, 0, sizeof(pol));
	pol.purpose = PURPOSE_SERVER_AUTH;
	pol.now = time(NULL);

	/* intermediates: two chain (one through the other), four do not */
	out = build(&pol, a1, 1, i1, 1, &st);
	CHECK(out != NULL);
	if (out == NULL)
		return;
	CHECK(st.anchors == 1 && st.intermediates == 2 && st.refused == 4);
	CHECK(has(out, "Test Intermediate A,") && has(out, "Intermediate A2"));
	CHECK(!has(out, "Not A CA") && !has(out, "Wrong Key") &&
	    !has(out, "Intermediate B") && !has(out, "Expired CA"));
	certset_free(out);

	/* an intermediate whose anchor is excluded has nothing to chain to */
	{
		struct certset *r = t_load("root-a.pem", CERTDATA_ALL,
		    NULL);
		unsigned char ex[1][32];

		memcpy(ex[0], r->v[0]->sha256, 32);
		certset_free(r);
		pol.exclude = ex;
		pol.nexclude = 1;
		out = build(&pol, a2, 2, i1, 1, &st);
		CHECK(out != NULL && out->n == 0);
		CHECK(st.excluded == 1 && st.intermediates == 0);
		certset_free(out);
		pol.exclude = NULL;
		pol.nexclude = 0;
	}

	/* expiry */
	out = build(&pol, a2, 2, NULL, 0, &st);
	CHECK(out->n == 1 && st.expired == 1);
	certset_free(out);
	pol.keep_expired = 1;
	out = build(&pol, a2, 2, NULL, 0, &st);
	CHECK(out->n == 2 && st.expired == 0);
	certset_free(out);
	pol.keep_expired = 0;

	/* a reject in a TRUSTED CERTIFICATE blocks the same root elsewhere */
	out = build(&pol, a3, 2, NULL, 0, &st);
	CHECK(out->n == 1 && has(out, "Root A") && !has(out, "Root B"));
	certset_free(out);

	/* auxiliary trust decides per purpose */
	out = build(&pol, a4, 2, NULL, 0, &st);
	CHECK(out->n == 1 && has(out, "Root A"));
	certset_free(out);
	pol.purpose = PURPOSE_EMAIL;
	out = build(&pol, a4, 2, NULL, 0, &st);
	CHECK(out->n == 1 && has(out, "Root B"));
	certset_free(out);
	pol.purpose = PURPOSE_ANY;
	out = build(&pol, a4, 2, NULL, 0, &st);
	CHECK(out->n == 2);
	certset_free(out);

	test_policy_diags();
	test_distrust();
	test_pipeline_policy();
	test_guard();
}
