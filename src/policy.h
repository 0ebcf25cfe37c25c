/*
 * policy.h: the one admission gate.
 *
 * Every certificate that can be published passes here, whatever brought
 * it: a root set, CCADB, an archive, --intermediates, a [probe] server's
 * chain, an AIA answer, or what an earlier run remembered.  A new origin of
 * certificates adds a caller, never a second gate.  For the store's
 * purpose P, in this order:
 *
 *   every certificate
 *     1. not excluded (exclude =, --exclude, a role = blocklist source)
 *     2. not distrusted for P: no CKT_NSS_NOT_TRUSTED entry names it
 *        (issuer and serial, or SHA-1), no source rejects it (a certdata
 *        certificate not trusted for P, a TRUSTED CERTIFICATE's reject)
 *   an anchor (only from a source whose role is anchors)
 *     3. its source trusts it for P (CKT_NSS_TRUSTED_DELEGATOR), or says
 *        nothing (PEM, DER)
 *     4. unexpired, unless keep_expired
 *     5. a CA for P by OpenSSL's checks (cert_ca_for_purpose)
 *   an intermediate (from any other origin)
 *     3. a CA certificate (basicConstraints), unexpired, a CA for P
 *     4. chains, with every signature verified, to an admitted anchor
 *        through admitted intermediates only
 *
 * Each refusal is said (an info entry in pol->d, shown with -v) and
 * counted in policy_stats.  Nothing is printed.
 *
 * Distrust-after, for outputs read by OpenSSL, which cannot store the
 * date: Mozilla distrusts the leaves a root issued after its distrust-after
 * date (per purpose: server-auth has one, email another) but still trusts
 * those issued before.  policy_distrust() says which certificates of a
 * finished set an output leaves out, by its mode:
 *   keep            none (OpenSSL then trusts leaves issued after the date)
 *   drop            a root from its date on
 *   drop-when-safe  a root once its date plus the leaf lifetime (the
 *                   longest a leaf issued before the date may live) has
 *                   passed: no leaf NSS trusts can chain to it any more
 * and the intermediates that chain only to roots left out.  It is pure:
 * set, purpose, mode, lifetime and now in, the decision and its lines out.
 *
 *	struct distrust_cut cut;
 *	policy_distrust(set, purpose, mode, days, now, &cut);
 *	policy_distrust_say(&cut, d);		// the lines, into d
 *	policy_distrust_apply(&set, &cut);	// or render without cut.out
 *	policy_distrust_release(&cut);
 *
 * pipeline_policy() does that for the [output] section (build, update).
 */
#ifndef TB_POLICY_H
#define TB_POLICY_H

#include <stddef.h>
#include <time.h>

#include "blocklist.h"
#include "certset.h"

struct policy_reject {
	unsigned char	 sha256[32];
	char		*by;			/* the source that said so */
};

/* distrust-after = ... of an output; UNSET: as [output], else the default */
enum distrust_mode {
	DISTRUST_MODE_UNSET = 0,
	DISTRUST_MODE_KEEP,
	DISTRUST_MODE_DROP,
	DISTRUST_MODE_DROP_WHEN_SAFE
};

#define DISTRUST_MODE_DEFAULT	DISTRUST_MODE_DROP_WHEN_SAFE
/* days: the longest leaf certificate the CA/Browser Forum allows (2020) */
#define POLICY_LEAF_LIFETIME	398
#define POLICY_LEAF_LIFETIME_MAX 3650

struct policy {
	enum purpose	 purpose;
	int		 keep_expired;
	enum distrust_mode distrust;		/* for pipeline_policy() */
	unsigned	 leaf_lifetime;		/* days; 0: the default */
	time_t		 distrust_next;		/* out: when that decision
						   changes next, or 0 */
	struct certset	*distrusted;		/* out: what it left out
						   (policy_release frees) */
	unsigned char	(*exclude)[32];		/* SHA-256s to leave out */
	size_t		 nexclude;
	time_t		 now;
	struct diags	*d;			/* what it decides and why
						   (-v), errors; or NULL */
	/* learnt by policy_build, used by policy_admit; policy_release */
	const struct blocklist *bl;		/* borrowed */
	struct policy_reject *rej;
	size_t		 nrej;
};

struct policy_stats {
	size_t	anchors, intermediates;
	size_t	not_trusted;		/* wrong or no trust for the purpose */
	size_t	blocked, excluded, expired;
	size_t	refused;		/* intermediates not admitted */
	size_t	distrusted;		/* left out by distrust-after */
};

/* What policy_distrust() decided. */
struct distrust_cut {
	struct cert	**out;		/* left out; borrowed from the set */
	size_t		 nout;
	size_t		 nanchors;	/* of which roots (the rest chained
					   only to them) */
	char		**said;		/* a notice per root left out, and
					   per intermediate */
	size_t		 nsaid;
	char		**noted;	/* info (-v): roots kept, and until when */
	size_t		 nnoted;
	time_t		 next;		/* the next instant the decision
					   changes, or 0: never */
};

/*
 * Build the final set from na anchor sources and ni intermediate sources,
 * one set per source (trust is judged per source, then merged).  The
 * certificates admitted are moved out of the input sets.  pol keeps bl
 * (borrowed: it must outlive pol's use) and what the sources rejected, for
 * policy_admit.  Returns a new set, sorted, or NULL after one message
 * in pol->d.
 */
struct certset	*policy_build(struct policy *pol,
		    struct certset **anchors, size_t na,
		    struct certset **intermediates, size_t ni,
		    const struct blocklist *bl, struct policy_stats *st);

/*
 * Gate n more sets of candidate intermediates (a probe's server, AIA
 * answers, an earlier run's) into set, the output of policy_build, by the
 * same checks.  Admitted certificates are moved out of cands (their
 * sources kept); set stays sorted.  Counts are added to *st.  Returns how
 * many were admitted, or -1 after one message in pol->d.
 */
int		 policy_admit(struct policy *pol, struct certset **cands,
		    size_t n, struct certset *set, struct policy_stats *st);

/* Free what policy_build learnt (not exclude, which the caller owns). */
void		 policy_release(struct policy *pol);

/*
 * Which certificates of set (the gate's result) an output for purpose p
 * leaves out under mode, with leaf lifetime days (0: the default), at now;
 * into cut (the caller's to policy_distrust_release).  The purpose picks
 * the date: server-auth the server one, email the email one; "any" leaves
 * a root out only when every purpose it is an anchor for does; code-signing
 * has no date.  Pure: nothing is printed, set is unchanged.  Returns the
 * number left out (never fails: xalloc.h).
 */
size_t		 policy_distrust(const struct certset *set, enum purpose p,
		    enum distrust_mode mode, unsigned days, time_t now,
		    struct distrust_cut *cut);
/* Add cut's lines to d: a notice per certificate left out, -v the rest. */
void		 policy_distrust_say(const struct distrust_cut *cut,
		    struct diags *d);
/*
 * Replace *set by a set without cut->out, sorted; those are moved into
 * into when it is not NULL (an output with another mode may want them
 * back), else freed.
 */
void		 policy_distrust_apply(struct certset **set,
		    const struct distrust_cut *cut, struct certset *into);
void		 policy_distrust_release(struct distrust_cut *cut);

/* "keep", "drop", "drop-when-safe"; UNSET: the default's name. */
const char	*distrust_mode_name(enum distrust_mode m);
/* The mode of that name, or -1. */
int		 distrust_mode_from_name(const char *name);

#endif
