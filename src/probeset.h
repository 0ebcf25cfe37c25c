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
 * a probe that fails, or whose chain verified without them (a load
 * balancer's other server sends another chain), offers what the manifest
 * remembers it needed, for probe-keep days after the chain last had it.  None
 * of them is admitted here: cmd_update hands the candidates to the one gate
 * (policy_admit), and what the gate admitted is remembered in the manifest
 * for the next run (probeset_remember).
 *
 * probeset.c prints nothing: what each probe found, what failed and what
 * was decided are entries of the caller's struct diags, in order, for the
 * caller to report once (a probe that fails is a notice, not an error).
 */
#ifndef TB_PROBESET_H
#define TB_PROBESET_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "certset.h"
#include "config.h"
#include "diag.h"
#include "manifest.h"

/* A certificate of a probe's verified chain that expires within warn-days. */
struct probe_expiry {
	const char	*role;		/* "leaf", "intermediate", "root" */
	char		 subject[512];
	time_t		 not_after;
};

struct probe_outcome {
	const struct config_probe *cfg;
	int		 connected;
	char		 err[1024];	/* why not */
	STACK_OF(X509)	*chain;		/* as sent */
	struct certset	*cands;		/* intermediates for the gate */
	unsigned char	(*want)[32];	/* their SHA-256s, kept after the gate */
	time_t		*seen;		/* when each was last in the chain */
	size_t		 nwant;
	int		 verified;	/* with them, against the store */
	int		 remembered;	/* cands came from the manifest */
	struct probe_expiry *expiring;	/* of the verified chain, each said */
	size_t		 nexpiring;
};

struct probeset {
	struct probe_outcome *v;
	size_t		 n;
};

/*
 * Probe, verify, chase (see above).  store holds the anchors and
 * intermediates of the set being built; prev is the manifest of the
 * published store (NULL: none).  Each certificate of a verified chain (the
 * leaf, the intermediates, the root) that expires within c->warn_days of
 * now is a notice naming the probe and the certificate (o->expiring).  Failures of single probes are notices in
 * d and kept in their outcome; -1 only on an internal error (in d too).
 */
int	probeset_run(const struct config *c, X509_STORE *store,
	    const struct manifest *prev, time_t now, struct probeset *ps,
	    struct diags *d);
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
 * before, so it keeps what the gate still admits; a refused one is a
 * notice in d, with why when it expired by now).  -1 out of memory.
 */
int	probeset_remember(const struct probeset *ps, const struct certset *set,
	    time_t now, struct manifest *m, struct diags *d);
/*
 * How many probes whose chain verifies against old (the published store)
 * would not verify against new; each is an error in d.
 */
int	probeset_regressions(const struct probeset *ps, X509_STORE *old,
	    X509_STORE *new, struct diags *d);
void	probeset_release(struct probeset *ps);

#endif
