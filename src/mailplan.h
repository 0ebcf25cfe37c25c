/*
 * mailplan.h: the part of a mail fix that is the same for every MTA
 * (mta.h): the relays of its configuration, those of them that need a
 * [probe] section, "trustbuild update" (the store must be there before
 * the MTA is told to read it), and the steps for a relay the mail log
 * shows failing.  An MTA's plan (smplan.h, pfplan.h) holds one and adds
 * the edits of its own configuration.  Prints nothing.
 *
 *	mailplan_init(&mp, m, tc, bundle, capath, relays, nrelays);
 *	mp.nprobe, mp.probe[i]		// relays not yet in the configuration
 *	mailplan_steps(&mp, st, max, conf, size)  // [probe]s, update
 *	mailplan_relay_steps(&mp, "mx.example.", ...)	// a relay of the log
 */
#ifndef TB_MAILPLAN_H
#define TB_MAILPLAN_H

#include <stddef.h>

#include "mta.h"

struct config;
struct step;

struct mailplan {
	const struct mta *mta;
	const char	*bundle, *capath;	/* what the MTA should read */
	const struct config *tc;	/* its [probe]s, or NULL */
	const char	*conffile;	/* where the [probe]s go */
	int		 aia_private;	/* the [probe]s get aia-private = yes */
	int		 update;	/* run update: no store yet, new probes */
	char		 update_cmd[4200];
	struct mta_target probe[MTA_MAX_TARGETS];
	int		 nprobe;	/* relays the configuration lacks */
	struct mta_target relay[MTA_MAX_TARGETS];
	int		 nrelay;	/* every relay */
};

/* The relays (n of them) of m's configuration, against tc's [probe]s. */
void	mailplan_init(struct mailplan *mp, const struct mta *m,
	    const struct config *tc, const char *bundle, const char *capath,
	    const struct mta_target *relays, int n);
/* The [probe] sections of the new relays, as configuration text. */
size_t	mailplan_probes_text(const struct mailplan *mp, char *out,
	    size_t size);
/* The [probe]s (conf holds their text) and update, as steps: how many. */
int	mailplan_steps(const struct mailplan *mp, struct step *st, int max,
	    char *conf, size_t csize);
/*
 * The fix for a relay the mail log shows failing (as logged): its
 * [probe] (the port of the MTA's configuration when it is one of its
 * relays, else the log's) and update, or, when it is probed already, the
 * probe --chase to see why.  The steps (conf holds the [probe] text) and
 * the URL probed in url; -1 for a relay that is no host name or address.
 */
int	mailplan_relay_steps(const struct mailplan *mp, const char *logged,
	    struct step *st, int max, char *conf, size_t csize, char *url,
	    size_t usize);

#endif
