/*
 * mailplan.c: the relays, [probe]s and update of a mail fix, the same for
 * every MTA; see mailplan.h.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "mailcheck.h"
#include "mailplan.h"
#include "probe.h"
#include "smrelay.h"

/* Is t (host and port) probed by a [probe] of tc already? */
static int
probed(const struct config *tc, const struct mta_target *t)
{
	struct probe_target pt;
	char err[300];
	size_t i;

	for (i = 0; tc != NULL && i < tc->nprobe; i++)
		if (probe_parse_url(tc->probe[i].url, &pt, err,
		    sizeof(err)) == 0 && strcmp(pt.host, t->host) == 0 &&
		    strcmp(pt.port, t->port) == 0)
			return 1;
	return 0;
}

/* A [probe NAME] the configuration does not have yet. */
static void
unique_name(const struct config *tc, struct mta_target *t)
{
	char base[sizeof(t->name)];
	size_t i;
	unsigned n = 1;
	int taken;

	snprintf(base, sizeof(base), "%s", t->name);
	do {
		taken = 0;
		for (i = 0; tc != NULL && i < tc->nprobe; i++)
			if (strcmp(tc->probe[i].name, t->name) == 0)
				taken = 1;
		if (taken)
			snprintf(t->name, sizeof(t->name), "%.55s-%u", base,
			    (unsigned short)++n);
	} while (taken && n < 1000);
}

void
mailplan_init(struct mailplan *mp, const struct mta *m,
    const struct config *tc, const char *bundle, const char *capath,
    const struct mta_target *relays, int n)
{
	struct stat st;
	int k;

	memset(mp, 0, sizeof(*mp));
	mp->mta = m;
	mp->tc = tc;
	mp->bundle = bundle;
	mp->capath = capath;
	mp->conffile = tc != NULL && strcmp(tc->file, "built-in") != 0 ?
	    tc->file : CONFIG_FILE;
	/* the store must be there before the MTA reads it */
	mp->update = (bundle != NULL && stat(bundle, &st) == -1) ||
	    (capath != NULL && stat(capath, &st) == -1);
	for (k = 0; k < n && k < MTA_MAX_TARGETS; k++)
		mp->relay[mp->nrelay++] = relays[k];
	for (k = 0; k < mp->nrelay; k++)
		if (!probed(tc, &mp->relay[k])) {
			mp->probe[mp->nprobe] = mp->relay[k];
			unique_name(tc, &mp->probe[mp->nprobe++]);
		}
	if (mp->nprobe > 0)
		mp->update = 1;
	snprintf(mp->update_cmd, sizeof(mp->update_cmd), "trustbuild%s%s "
	    "update", strcmp(mp->conffile, CONFIG_FILE) ? " -c " : "",
	    strcmp(mp->conffile, CONFIG_FILE) ? mp->conffile : "");
}

size_t
mailplan_probes_text(const struct mailplan *mp, char *out, size_t size)
{
	size_t o = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < mp->nprobe && o < size; i++)
		o += (size_t)snprintf(out + o, size - o, "%s# %s of %s\n"
		    "[probe %s]\nurl = %s\n%s", i ? "\n" : "",
		    mp->probe[i].from, mp->mta->name, mp->probe[i].name,
		    mp->probe[i].url, mp->aia_private ? "aia-private = yes\n" :
		    "");
	return o < size ? o : size - 1;
}

int
mailplan_steps(const struct mailplan *mp, struct step *st, int max,
    char *conf, size_t csize)
{
	int n = 0;

	if (mp->nprobe > 0 && n < max) {
		mailplan_probes_text(mp, conf, csize);
		st[n].kind = STEP_CONF;
		st[n].file = mp->conffile;
		st[n].line = 0;
		st[n++].text = conf;
	}
	if (mp->update && n < max)
		st[n++] = (struct step){ STEP_RUN, NULL, 0, mp->update_cmd };
	return n;
}

int
mailplan_relay_steps(const struct mailplan *mp, const char *logged,
    struct step *st, int max, char *conf, size_t csize, char *url,
    size_t usize)
{
	struct mta_target t;
	char host[SMRELAY_HOST], port[8];
	int i, n = 0;

	if (mp->mta->log_relay(logged, host, sizeof(host), port,
	    sizeof(port)) == -1 || mta_target(host, port, "the mail log",
	    &t) == -1)
		return -1;
	/* one of the MTA's relays: on the port of its configuration */
	for (i = 0; i < mp->nrelay; i++)
		if (strcmp(mp->relay[i].host, t.host) == 0) {
			t = mp->relay[i];
			break;
		}
	snprintf(url, usize, "%s", t.url);
	if (probed(mp->tc, &t)) {
		snprintf(conf, csize, "trustbuild probe --chase %s", t.url);
		if (n < max)
			st[n++] = (struct step){ STEP_RUN, NULL, 0, conf };
		return n;
	}
	unique_name(mp->tc, &t);
	snprintf(conf, csize, "# %s of %s\n[probe %s]\nurl = %s\n%s", t.from,
	    mp->mta->name, t.name, t.url, mp->aia_private ?
	    "aia-private = yes\n" : "");
	if (n < max)
		st[n++] = (struct step){ STEP_CONF, mp->conffile, 0, conf };
	if (n < max)
		st[n++] = (struct step){ STEP_RUN, NULL, 0, mp->update_cmd };
	return n;
}
