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

struct policy {
	enum purpose	 purpose;
	int		 keep_expired;
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

#endif
