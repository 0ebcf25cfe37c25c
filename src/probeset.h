/*
 * probeset.h: the [probe NAME] servers of "update".
 *
 * Every configured server is probed concurrently (at most
 * probe_parallel at once: a hundred servers take about as long as the
 * slowest few); then, one by one, each chain is verified against the
 * anchors being published and its missing intermediates are chased
 * through AIA (aia.h; each URL fetched once per run, answers cached in the
 * state directory).  The intermediates of each verified chain, sent by
 * the server or fetched, are admitted with where they came from (server,
 * URL, date) and remembered in STATE/probes/NAME.pem; a probe that fails
 * keeps the ones remembered, when they still chain to an anchor.
 */
#ifndef TB_PROBESET_H
#define TB_PROBESET_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "certset.h"
#include "config.h"

struct probe_outcome {
	const struct config_probe *cfg;
	int		 connected;
	char		 err[1024];	/* why not */
	STACK_OF(X509)	*chain;		/* as sent */
	struct certset	*admitted;	/* intermediates for the store */
	int		 verified;	/* with them, against the anchors */
	int		 remembered;	/* admitted came from the state */
};

struct probeset {
	struct probe_outcome *v;
	size_t		 n;
};

/*
 * Probe, chase and admit (see above).  store holds the anchors and
 * intermediates of the set being built.  Failures of single probes are
 * reported and kept in their outcome; -1 only on an internal error.
 */
int	probeset_run(const struct config *c, X509_STORE *store, time_t now,
	    struct probeset *ps);
/* Add every admitted intermediate to set (role intermediate).  -1 (nomem). */
int	probeset_add(const struct probeset *ps, struct certset *set);
/* Remember each connected probe's intermediates in STATE/probes/.  -1 after
 * a message. */
int	probeset_save(const struct probeset *ps, const char *state);
/*
 * How many probes whose chain verifies against old (the published store)
 * would not verify against new; each is reported.
 */
int	probeset_regressions(const struct probeset *ps, X509_STORE *old,
	    X509_STORE *new);
void	probeset_release(struct probeset *ps);

/* An X509_STORE holding the certificates of set.  NULL after a message. */
X509_STORE *probeset_store(const struct certset *set);

#endif
