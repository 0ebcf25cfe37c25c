/*
 * policy.h: from loaded sources to the final set.
 *
 * Anchors: every certificate of an anchor source whose trust for the purpose
 * is unspecified (PEM, DER) or CKT_NSS_TRUSTED_DELEGATOR, unless excluded,
 * blocklisted by any source, or expired (kept with keep_expired).
 * Intermediates: certificates of an intermediate source admitted only when
 * they are CA certificates, unexpired, not blocklisted or excluded, and
 * chain with verified signatures to an anchor of the final set (through
 * other admitted intermediates).  Each refusal is said with -v.
 */
#ifndef TB_POLICY_H
#define TB_POLICY_H

#include <stddef.h>
#include <time.h>

#include "blocklist.h"
#include "certset.h"

struct policy {
	enum purpose	 purpose;
	int		 keep_expired;
	unsigned char	(*exclude)[32];		/* SHA-256s to leave out */
	size_t		 nexclude;
	time_t		 now;
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
 * certificates are moved out of the input sets.  Returns a new set, sorted,
 * or NULL after one message.
 */
struct certset	*policy_build(const struct policy *pol,
		    struct certset **anchors, size_t na,
		    struct certset **intermediates, size_t ni,
		    const struct blocklist *bl, struct policy_stats *st);

#endif
