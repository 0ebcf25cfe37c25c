/*
 * probeset.h: the [probe NAME] servers of "update".
 *
 * Every configured server is probed concurrently (at most
 * probe_parallel at once: a hundred servers take about as long as the
 * slowest few), and in the same worker its chain's missing intermediates
 * are chased through AIA against the store being built (aia.h; the chases
 * of several probes run at once, each URL fetched once per run, answers
 * cached in the state directory); then, one by one, each chain is verified
 * against that store, for its purpose.  The intermediates of each verified chain, sent
 * by the server or fetched, become candidates with where they came from;
 * a probe that fails offers what the manifest remembers it needed.  None
 * of them is admitted here: cmd_update hands the candidates to the one gate
 * (policy_admit), and what the gate admitted is remembered in the manifest
 * for the next run (probeset_remember).
 */
#ifndef TB_PROBESET_H
#define TB_PROBESET_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "certset.h"
#include "config.h"
#include "manifest.h"

struct probe_outcome {
	const struct config_probe *cfg;
	int		 connected;
	char		 err[1024];	/* why not */
	STACK_OF(X509)	*chain;		/* as sent */
	struct certset	*cands;		/* intermediates for the gate */
	unsigned char	(*want)[32];	/* their SHA-256s, kept after the gate */
	size_t		 nwant;
	int		 verified;	/* with them, against the store */
	int		 remembered;	/* cands came from the manifest */
};

struct probeset {
	struct probe_outcome *v;
	size_t		 n;
};

/*
 * Probe, verify, chase (see above).  store holds the anchors and
 * intermediates of the set being built; prev is the manifest of the
 * published store (NULL: none).  Failures of single probes are reported
 * and kept in their outcome; -1 only on an internal error.
 */
int	probeset_run(const struct config *c, X509_STORE *store,
	    const struct manifest *prev, struct probeset *ps);
/*
 * The candidate sets, one per probe, for policy_admit: *sets (malloc'd,
 * borrowed entries) and *n.  -1 out of memory.
 */
int	probeset_candidates(const struct probeset *ps, struct certset ***sets,
	    size_t *n);
/*
 * After the gate: say which probe's intermediates it refused (set is the
 * final set), and add to m a probe line for each intermediate a probe
 * needed that is published (a probe that failed offered what it needed
 * before, so it keeps what the gate still admits).  -1 out of memory.
 */
int	probeset_remember(const struct probeset *ps, const struct certset *set,
	    struct manifest *m);
/*
 * How many probes whose chain verifies against old (the published store)
 * would not verify against new; each is reported.
 */
int	probeset_regressions(const struct probeset *ps, X509_STORE *old,
	    X509_STORE *new);
void	probeset_release(struct probeset *ps);

/*
 * An X509_STORE holding the certificates of set, verifying for purpose p as
 * the TLS clients of the host will (X509_STORE_set_purpose).  NULL after a
 * message.
 */
X509_STORE *probeset_store(const struct certset *set, enum purpose p);

#endif
