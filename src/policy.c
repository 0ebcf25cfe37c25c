/*
 * policy.c: from loaded sources to the final set, see policy.h.
 *
 * Intermediates are admitted in rounds: a round verifies every pending
 * candidate with X509_verify_cert against the anchors and the
 * intermediates admitted so far (X509_V_FLAG_PARTIAL_CHAIN, since an
 * admitted intermediate already chains to an anchor), then adds the round's
 * winners.  Rounds stop when one admits nothing; what is left is refused
 * with OpenSSL's reason.  What a candidate is verified against is found in
 * verify.c's index by issuer name, so a round costs linear time in the
 * candidates however many were admitted before.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "diag.h"
#include "policy.h"
#include "verify.h"
#include "xalloc.h"

/* A decision, for -v. */
/*
 * A -v line about c, which ends with the first 16 hex digits of its
 * SHA-256, so that two certificates of one name can be told apart (and
 * found in 'trustbuild list' or given to --exclude).
 */
static void
said(const struct policy *pol, const struct cert *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
said(const struct policy *pol, const struct cert *c, const char *fmt, ...)
{
	va_list ap;
	char msg[2048], hex[65];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cert_hex(c->sha256, 32, hex, 0);
	diag_info(pol->d, NULL, 0, "%s [sha256 %.16s]", msg, hex);
}

static int
excluded(const struct policy *pol, const struct cert *c)
{
	size_t i;

	for (i = 0; i < pol->nexclude; i++)
		if (memcmp(pol->exclude[i], c->sha256, 32) == 0)
			return 1;
	return 0;
}

/*
 * Certificates a source itself distrusts for the purpose (a TRUSTED
 * CERTIFICATE with a reject entry, a certdata.txt certificate marked
 * CKT_NSS_NOT_TRUSTED) block that certificate from every source, and from
 * every later caller of the gate: pol keeps a copy of each.
 */
static int
rejects_collect(struct policy *pol, struct certset **sets, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < sets[i]->n; j++) {
			const struct cert *c = sets[i]->v[j];
			struct policy_reject *v;

			if (cert_trust_for(c->trust, pol->purpose) !=
			    TRUST_NOT_TRUSTED)
				continue;
			if ((v = reallocarray(pol->rej, pol->nrej + 1,
			    sizeof(*v))) == NULL)
				return -1;
			pol->rej = v;
			memcpy(v[pol->nrej].sha256, c->sha256, 32);
			if ((v[pol->nrej].by = strdup(c->nsources ?
			    c->sources[0] : "a source")) == NULL)
				return -1;
			pol->nrej++;
		}
	return 0;
}

static const struct policy_reject *
rejects_find(const struct policy *pol, const struct cert *c)
{
	size_t i;

	for (i = 0; i < pol->nrej; i++)
		if (memcmp(pol->rej[i].sha256, c->sha256, 32) == 0)
			return &pol->rej[i];
	return NULL;
}

void
policy_release(struct policy *pol)
{
	size_t i;

	if (pol == NULL)
		return;
	for (i = 0; i < pol->nrej; i++)
		free(pol->rej[i].by);
	free(pol->rej);
	pol->rej = NULL;
	pol->nrej = 0;
	pol->bl = NULL;
	certset_free(pol->distrusted);
	pol->distrusted = NULL;
}

static const char *
name_of(struct cert *c)
{
	return c->label ? c->label : cert_subject(c);
}

/* Drop c for a reason common to anchors and intermediates; 1 if dropped. */
static int
common_drop(const struct policy *pol, struct cert *c, const char *what,
    struct policy_stats *st)
{
	const struct block *b;
	const struct policy_reject *r;

	if (excluded(pol, c)) {
		said(pol, c, "excluded %s \"%s\"", what, name_of(c));
		st->excluded++;
		return 1;
	}
	if (pol->bl != NULL &&
	    (b = blocklist_match(pol->bl, c, pol->purpose)) != NULL) {
		said(pol, c, "blocked %s \"%s\": distrusted by %s%s%s%s", what,
		    name_of(c), b->source ? b->source : "a source",
		    b->label ? " (\"" : "", b->label ? b->label : "",
		    b->label ? "\")" : "");
		st->blocked++;
		return 1;
	}
	if ((r = rejects_find(pol, c)) != NULL) {
		said(pol, c, "blocked %s \"%s\": rejected for %s by %s", what,
		    name_of(c), purpose_name(pol->purpose), r->by);
		st->blocked++;
		return 1;
	}
	return 0;
}

static int
add_anchors(const struct policy *pol, struct certset *src,
    struct certset *out, struct policy_stats *st)
{
	char when[32];
	size_t i;

	for (i = 0; i < src->n; i++) {
		struct cert *c = src->v[i];
		enum trust t = cert_trust_for(c->trust, pol->purpose);

		if (t != TRUST_UNSPECIFIED && t != TRUST_DELEGATOR) {
			said(pol, c, "not an anchor for %s: \"%s\" (%s)",
			    purpose_name(pol->purpose), name_of(c),
			    t == TRUST_NOT_TRUSTED ? "distrusted" :
			    "not a trusted delegator");
			st->not_trusted++;
			continue;
		}
		if (common_drop(pol, c, "anchor", st))
			continue;
		if (!pol->keep_expired && cert_is_expired(c, pol->now)) {
			said(pol, c, "dropped expired anchor \"%s\" (not after "
			    "%s)", name_of(c), cert_not_after_str(c, when,
			    sizeof(when)) ? when : "?");
			st->expired++;
			continue;
		}
		if (!cert_ca_for(c, pol->purpose)) {
			said(pol, c, "not an anchor for %s: \"%s\" (not a CA "
			    "for it: %s)", purpose_name(pol->purpose), name_of(c),
			    "its extendedKeyUsage, keyUsage or "
			    "basicConstraints say otherwise");
			st->not_trusted++;
			continue;
		}
		src->v[i] = NULL;
		c->role = ROLE_ANCHOR;
		if (certset_add(out, c) == -1) {
			diag_err(pol->d, NULL, 0, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* The candidates that pass the checks that need no chain. */
static int
candidates(const struct policy *pol, struct certset *src,
    const struct certset *out, struct cert ***pend, size_t *npend,
    struct policy_stats *st)
{
	size_t i;

	for (i = 0; i < src->n; i++) {
		struct cert *c = src->v[i];
		struct cert **v;

		if (certset_find(out, c->sha256) != NULL)
			continue;	/* already an anchor or admitted */
		if (common_drop(pol, c, "intermediate", st))
			continue;
		if (!cert_is_ca(c)) {
			said(pol, c, "refused intermediate \"%s\": not a CA "
			    "certificate", name_of(c));
			st->refused++;
			continue;
		}
		if (cert_is_expired(c, pol->now)) {
			said(pol, c, "refused intermediate \"%s\": expired",
			    name_of(c));
			st->refused++;
			continue;
		}
		if (!cert_ca_for(c, pol->purpose)) {
			said(pol, c, "refused intermediate \"%s\": not a CA for "
			    "%s (its extendedKeyUsage or keyUsage say "
			    "otherwise)", name_of(c),
			    purpose_name(pol->purpose));
			st->refused++;
			continue;
		}
		if ((v = reallocarray(*pend, *npend + 1, sizeof(*v))) == NULL) {
			diag_err(pol->d, NULL, 0, "out of memory");
			return -1;
		}
		*pend = v;
		v[(*npend)++] = c;
		src->v[i] = NULL;
	}
	return 0;
}

static int
admit_intermediates(const struct policy *pol, struct certset **inter,
    size_t ni, struct certset *out, struct policy_stats *st)
{
	struct verify_index *ix = NULL;
	struct cert **pend = NULL, **won = NULL;
	X509 **xs = NULL;
	unsigned char *signer = NULL;
	int *err = NULL, *res = NULL;
	size_t npend = 0, i, j;
	int rc = -1, progress;

	for (i = 0; i < ni; i++)
		if (candidates(pol, inter[i], out, &pend, &npend, st) == -1)
			goto out;
	if (npend == 0)
		return 0;
	/* the keys now: the issuers' to check with, the candidates' as
	 * X509_verify_cert reads them; on the machine's cores */
	if (cert_decode_all(out->v, out->n) == -1 ||
	    cert_decode_all(pend, npend) == -1) {
		diag_err(pol->d, NULL, 0, "out of memory");
		goto out;
	}
	ix = verify_index_new();
	for (i = 0; i < out->n; i++)
		verify_index_add(ix, out->v[i]->x509);
	if ((won = calloc(npend, sizeof(*won))) == NULL ||
	    (xs = calloc(npend, sizeof(*xs))) == NULL ||
	    (signer = calloc(npend, 32)) == NULL ||
	    (res = calloc(npend, sizeof(*res))) == NULL ||
	    (err = calloc(npend, sizeof(*err))) == NULL) {
		diag_err(pol->d, NULL, 0, "out of memory");
		goto out;
	}
	do {
		size_t nwon = 0;

		progress = 0;
		for (i = 0; i < npend; i++)
			xs[i] = pend[i] != NULL ? pend[i]->x509 : NULL;
		if (verify_index_check_all(ix, xs, npend, pol->now, res,
		    err, signer) == -1) {
			diag_err(pol->d, NULL, 0, "cannot verify the "
			    "intermediates: out of memory");
			goto out;
		}
		for (i = 0; i < npend; i++)
			if (res[i] == 1) {
				/* whose key it verified with: cut_intermediates */
				memcpy(pend[i]->signer, signer + 32 * i, 32);
				pend[i]->flags |= CERT_SIGNER_KNOWN;
				won[nwon++] = pend[i], pend[i] = NULL;
			}
		for (j = 0; j < nwon; j++) {
			struct cert *c = won[j];

			verify_index_add(ix, c->x509);
			c->role = ROLE_INTERMEDIATE;
			if (certset_add(out, c) == -1) {
				diag_err(pol->d, NULL, 0, "out of memory");
				goto out;
			}
			st->intermediates++;
			progress = 1;
		}
	} while (progress);
	for (i = 0; i < npend; i++) {
		if (pend[i] == NULL)
			continue;
		said(pol, pend[i], "refused intermediate \"%s\": %s",
		    name_of(pend[i]), X509_verify_cert_error_string(err[i]));
		st->refused++;
	}
	rc = 0;
out:
	for (i = 0; i < npend; i++)
		cert_free(pend[i]);
	free(pend);
	free(won);
	free(xs);
	free(signer);
	free(res);
	free(err);
	verify_index_free(ix);
	return rc;
}

struct certset *
policy_build(struct policy *pol, struct certset **anchors, size_t na,
    struct certset **inter, size_t ni, const struct blocklist *bl,
    struct policy_stats *st)
{
	struct certset *out;
	size_t i;

	memset(st, 0, sizeof(*st));
	policy_release(pol);
	pol->bl = bl;
	if ((out = certset_new()) == NULL ||
	    rejects_collect(pol, anchors, na) == -1 ||
	    rejects_collect(pol, inter, ni) == -1) {
		diag_err(pol->d, NULL, 0, "out of memory");
		goto fail;
	}
	for (i = 0; i < na; i++)
		if (add_anchors(pol, anchors[i], out, st) == -1)
			goto fail;
	st->anchors = out->n;
	if (admit_intermediates(pol, inter, ni, out, st) == -1)
		goto fail;
	certset_sort(out);
	return out;
fail:
	certset_free(out);
	return NULL;
}

int
policy_admit(struct policy *pol, struct certset **cands, size_t n,
    struct certset *set, struct policy_stats *st)
{
	size_t before = st->intermediates;

	if (admit_intermediates(pol, cands, n, set, st) == -1)
		return -1;
	certset_sort(set);
	return (int)(st->intermediates - before);
}

/* Distrust-after (policy.h): which certificates an output leaves out. */

static const char *const mode_names[] = {
	NULL, "keep", "drop", "drop-when-safe"
};

const char *
distrust_mode_name(enum distrust_mode m)
{
	if (m <= DISTRUST_MODE_UNSET || m > DISTRUST_MODE_DROP_WHEN_SAFE)
		m = DISTRUST_MODE_DEFAULT;
	return mode_names[m];
}

int
distrust_mode_from_name(const char *name)
{
	int m;

	for (m = DISTRUST_MODE_KEEP; m <= DISTRUST_MODE_DROP_WHEN_SAFE; m++)
		if (strcmp(name, mode_names[m]) == 0)
			return m;
	return -1;
}

static void
push_line(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = s;
}

/* An anchor for purpose p: the source trusts it for p, or says nothing. */
static int
anchor_for(const struct cert *c, int p)
{
	enum trust t = c->trust[p];

	return t == TRUST_DELEGATOR || t == TRUST_UNSPECIFIED;
}

/*
 * The instant from which mode leaves c out for purpose p (its dates as
 * "what Mozilla says" text into why), or 0 when it never does.  "any":
 * the later of its purposes', and none if one has no date.
 */
static time_t
cut_from(const struct cert *c, enum purpose p, enum distrust_mode mode,
    unsigned days, char *why, size_t size)
{
	static const char *what[2] = { "server", "email" };
	char when[32];
	time_t limit = 0, t;
	size_t len = 0;
	int q, n = 0;

	why[0] = '\0';
	for (q = 0; q < 2; q++) {
		if (p != PURPOSE_ANY && (int)p != q)
			continue;
		if (p == PURPOSE_ANY && !anchor_for(c, q))
			continue;
		if (c->distrust[q] != DISTRUST_AFTER)
			return 0;
		t = c->distrust_after[q];
		if (mode == DISTRUST_MODE_DROP_WHEN_SAFE)
			t += (time_t)days * 86400;
		if (t > limit)
			limit = t;
		if (!cert_time_t_str(c->distrust_after[q], when, sizeof(when)))
			snprintf(when, sizeof(when), "?");
		len += (size_t)snprintf(why + len, len < size ? size - len : 0,
		    "%s%s certificate it issued after %s", n++ ? " nor an " :
		    "Mozilla trusts no ", what[q], when);
		if (len >= size)
			len = size - 1;
	}
	return n > 0 ? limit : 0;
}

/*
 * 1 if kept issued c: names, key identifiers (X509_check_issued) and the
 * signature, which admission checked already when it says with whose key
 * (CERT_SIGNER_KNOWN): a second check would only repeat it.
 */
static int
issued_by(struct cert *kept, struct cert *c)
{
	unsigned char key[32];
	X509 *k = cert_x509(kept), *x = cert_x509(c);
	EVP_PKEY *pk;

	if (k == NULL || x == NULL || X509_check_issued(k, x) != X509_V_OK)
		return 0;
	if ((c->flags & CERT_SIGNER_KNOWN) &&
	    X509_pubkey_digest(k, EVP_sha256(), key, NULL) &&
	    memcmp(key, c->signer, 32) == 0)
		return 1;
	return (pk = X509_get0_pubkey(k)) != NULL && X509_verify(x, pk) == 1;
}

/*
 * The intermediates of set that still chain to a certificate kept: the
 * others join cut.  An intermediate stays when a certificate kept issued
 * it (issued_by), in rounds until none changes.  The hashes of the names
 * pick the candidates cheaply (CCADB's 1,700 intermediates are 3 million
 * pairs).
 */
static void
cut_intermediates(const struct certset *set, unsigned char *gone,
    struct distrust_cut *cut)
{
	unsigned char *ok = xcalloc(set->n ? set->n : 1, 1);
	char hex[65];
	size_t i, j;
	int more;

	for (i = 0; i < set->n; i++)
		ok[i] = set->v[i]->role != ROLE_INTERMEDIATE && !gone[i];
	do {
		more = 0;
		for (i = 0; i < set->n; i++) {
			struct cert *c = set->v[i];

			if (ok[i] || gone[i])
				continue;
			for (j = 0; j < set->n && !ok[i]; j++)
				if (ok[j] && j != i &&
				    set->v[j]->hash == c->issuer_hash &&
				    issued_by(set->v[j], c))
					ok[i] = 1, more = 1;
		}
	} while (more);
	ERR_clear_error();
	for (i = 0; i < set->n; i++) {
		struct cert *c = set->v[i];

		if (ok[i] || gone[i])
			continue;
		gone[i] = 1;
		cut->out = xreallocarray(cut->out, cut->nout + 1,
		    sizeof(*cut->out));
		cut->out[cut->nout++] = c;
		cert_hex(c->sha256, 32, hex, 0);
		push_line(&cut->said, &cut->nsaid, xasprintf("left out "
		    "intermediate \"%s\" [sha256 %.16s]: it chains only to "
		    "roots left out by distrust-after", name_of(c), hex));
	}
	free(ok);
}

size_t
policy_distrust(const struct certset *set, enum purpose p,
    enum distrust_mode mode, unsigned days, time_t now,
    struct distrust_cut *cut)
{
	char why[512], when[64], lim[32], hex[65];
	unsigned char *gone;
	size_t i;

	memset(cut, 0, sizeof(*cut));
	if (mode == DISTRUST_MODE_UNSET)
		mode = DISTRUST_MODE_DEFAULT;
	if (days == 0)
		days = POLICY_LEAF_LIFETIME;
	gone = xcalloc(set->n ? set->n : 1, 1);
	for (i = 0; i < set->n; i++) {
		struct cert *c = set->v[i];
		time_t from;

		if (c->role == ROLE_INTERMEDIATE || (from = cut_from(c, p,
		    mode, days, why, sizeof(why))) == 0)
			continue;
		cert_hex(c->sha256, 32, hex, 0);
		if (!cert_time_t_str(from, lim, sizeof(lim)))
			snprintf(lim, sizeof(lim), "?");
		if (mode == DISTRUST_MODE_KEEP) {
			push_line(&cut->noted, &cut->nnoted, xasprintf("kept "
			    "root \"%s\" [sha256 %.16s]: %s, but OpenSSL cannot "
			    "tell those apart (distrust-after = keep)",
			    name_of(c), hex, why));
			continue;
		}
		if (now <= from) {
			push_line(&cut->noted, &cut->nnoted, xasprintf("kept "
			    "root \"%s\" [sha256 %.16s] until %s: %s (distrust-"
			    "after = %s)", name_of(c), hex, lim, why,
			    distrust_mode_name(mode)));
			if (cut->next == 0 || from + 1 < cut->next)
				cut->next = from + 1;
			continue;
		}
		gone[i] = 1;
		cut->out = xreallocarray(cut->out, cut->nout + 1,
		    sizeof(*cut->out));
		cut->out[cut->nout++] = c;
		cut->nanchors++;
		if (mode == DISTRUST_MODE_DROP)
			snprintf(when, sizeof(when), "drop");
		else
			snprintf(when, sizeof(when), "drop-when-safe, "
			    "leaf-lifetime = %u", days);
		push_line(&cut->said, &cut->nsaid, xasprintf("left out root "
		    "\"%s\" [sha256 %.16s]: %s%s%s (distrust-after = %s)",
		    name_of(c), hex, why, mode == DISTRUST_MODE_DROP ? "" :
		    "; those issued before expired by ", mode ==
		    DISTRUST_MODE_DROP ? "" : lim, when));
	}
	if (cut->nanchors > 0)
		cut_intermediates(set, gone, cut);
	free(gone);
	return cut->nout;
}

void
policy_distrust_say(const struct distrust_cut *cut, struct diags *d)
{
	size_t i;

	for (i = 0; i < cut->nsaid; i++)
		diag_warn(d, NULL, 0, "%s", cut->said[i]);
	for (i = 0; i < cut->nnoted; i++)
		diag_info(d, NULL, 0, "%s", cut->noted[i]);
}

void
policy_distrust_apply(struct certset **set, const struct distrust_cut *cut,
    struct certset *into)
{
	struct certset *old = *set, *kept;
	size_t i, j;

	if (cut->nout == 0)
		return;
	kept = certset_new();
	for (i = 0; i < old->n; i++) {
		for (j = 0; j < cut->nout; j++)
			if (cut->out[j] == old->v[i])
				break;
		if (j < cut->nout && into == NULL)
			continue;	/* freed with old */
		certset_add(j < cut->nout ? into : kept, old->v[i]);
		old->v[i] = NULL;
	}
	certset_free(old);
	certset_sort(kept);
	*set = kept;
}

void
policy_distrust_release(struct distrust_cut *cut)
{
	size_t i;

	if (cut == NULL)
		return;
	for (i = 0; i < cut->nsaid; i++)
		free(cut->said[i]);
	for (i = 0; i < cut->nnoted; i++)
		free(cut->noted[i]);
	free(cut->said);
	free(cut->noted);
	free(cut->out);
	memset(cut, 0, sizeof(*cut));
}
