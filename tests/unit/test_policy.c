/*
 * Policy: anchors by trust and expiry, intermediates admitted only when
 * they chain, blocklists, exclusions.  On the test PKI from fixtures.sh.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blocklist.h"
#include "certdata.h"
#include "certset.h"
#include "policy.h"
#include "source.h"
#include "t.h"

static struct certset *
load(const char *rel, struct blocklist *bl)
{
	struct certset *set = certset_new();
	unsigned char *buf;
	size_t len;

	if ((buf = t_read(t_fixtures, rel, &len)) != NULL)
		format_parse(rel, buf, len, CERTDATA_ALL, set, bl, NULL);
	free(buf);
	return set;
}

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
		as[i] = load(anchors[i], bl);
	for (i = 0; i < ni; i++)
		is[i] = load(inter[i], bl);
	out = policy_build(pol, as, na, is, ni, bl, st);
	for (i = 0; i < na; i++)
		certset_free(as[i]);
	for (i = 0; i < ni; i++)
		certset_free(is[i]);
	blocklist_free(bl);
	return out;
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
		struct certset *r = load("root-a.pem", NULL);
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
}
