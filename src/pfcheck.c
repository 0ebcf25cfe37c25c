/*
 * pfcheck.c: the findings about Postfix's TLS settings; see pfcheck.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certset.h"
#include "mailcheck.h"
#include "pem.h"
#include "pfcheck.h"
#include "pfconf.h"
#include "pfplan.h"
#include "postfix.h"

/* "main.cf:12", "master.cf:66 (-o of smtp)" or "default", into buf. */
static const char *
where(const struct pf_setting *s, char *buf, size_t size)
{
	if (s->master)
		snprintf(buf, size, "master.cf:%zu, -o of smtp", s->line);
	else if (s->line > 0)
		snprintf(buf, size, "main.cf:%zu", s->line);
	else
		snprintf(buf, size, "default");
	return buf;
}

/* What the level means for verification. */
static void
level(struct report *r, const struct pfconf *c)
{
	const struct pf_setting *s = &c->c.s[PF_LEVEL];
	const char *lv = pf_level(&c->c);
	char w[80];

	if (!pf_set(&c->c, PF_LEVEL))
		snprintf(w, sizeof(w), "%s", strcmp(lv, "none") ? "from "
		    "smtp_enforce_tls/smtp_use_tls" : "not set");
	else
		where(s, w, sizeof(w));
	if (strcmp(lv, "verify") == 0 || strcmp(lv, "secure") == 0)
		finding(r, L_OK, NULL, "smtp_tls_security_level = %s (%s): a "
		    "relay whose certificate does not verify gets no mail "
		    "(deferred: \"Server certificate not verified\")", lv, w);
	else if (strcmp(lv, "may") == 0 || strcmp(lv, "encrypt") == 0)
		finding(r, L_NOTE, "smtp_tls_security_level = verify (or an "
		    "entry \"[relay]:port verify\" in smtp_tls_policy_maps) "
		    "once the relays verify", "smtp_tls_security_level = %s "
		    "(%s): Postfix %s TLS but does not require the relay's "
		    "certificate to verify: it logs \"Untrusted TLS connection "
		    "established\" and sends the mail all the same", lv, w,
		    strcmp(lv, "may") == 0 ? "uses" : "requires");
	else if (strcmp(lv, "dane") == 0 || strcmp(lv, "dane-only") == 0)
		finding(r, L_NOTE, NULL, "smtp_tls_security_level = %s (%s): "
		    "DNSSEC-signed TLSA records decide; without them Postfix "
		    "falls back to %s", lv, w, strcmp(lv, "dane") == 0 ?
		    "may (no verification)" : "nothing: no mail goes");
	else if (strcmp(lv, "none") == 0)
		finding(r, L_NOTE, "postconf -e 'smtp_tls_security_level=may'",
		    "smtp_tls_security_level is none (%s): Postfix's SMTP "
		    "client uses no TLS, so nothing is verified", w);
	else
		finding(r, L_PROBLEM, "smtp_tls_security_level = may, verify "
		    "or secure", "smtp_tls_security_level = '%s' (%s) is not "
		    "a level Postfix knows: its SMTP client fails", lv, w);
}

/* The CAfile: there, a regular file, with certificates. */
static void
cafile(struct report *r, const char *path, int planned)
{
	struct certset *set;
	struct stat st;
	const char *why;
	char *buf;
	size_t len;
	int n;

	if (stat(path, &st) == -1) {
		if (!planned)
			finding(r, L_PROBLEM, "publish it: trustbuild update",
			    "smtp_tls_CAfile '%s': %s", path, strerror(errno));
		return;
	}
	if ((buf = mailcheck_read(path, MAILCHECK_MAX_FILE, 0, &len, NULL,
	    &why)) == NULL) {
		finding(r, L_PROBLEM, NULL, "smtp_tls_CAfile '%s': %s", path,
		    why);
		return;
	}
	set = certset_new();
	n = pem_parse(path, buf, len, set, NULL);
	free(buf);
	certset_free(set);
	if (n <= 0)
		finding(r, L_PROBLEM, "point it at a PEM bundle (trustbuild "
		    "publishes one)", "smtp_tls_CAfile '%s' holds no "
		    "certificate: Postfix loads no CA data from it", path);
	else
		finding(r, L_OK, NULL, "smtp_tls_CAfile '%s': %d "
		    "certificate%s", path, n, n == 1 ? "" : "s");
}

/* Is path inside the chroot q? */
static int
inside(const char *path, const char *q)
{
	size_t n = strlen(q);

	return strncmp(path, q, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* The chroot trap: a CApath that smtp cannot see. */
static void
chroot_trap(struct report *r, const struct pfconf *c, const struct pfplan *p,
    int ours)
{
	const char *cap = pf_value(&c->c, PF_CAPATH);
	char copy[2200], w[80];
	struct stat st;
	int copied;

	if (!p->chroot || !pf_set(&c->c, PF_CAPATH) || inside(cap, p->queue))
		return;
	snprintf(copy, sizeof(copy), "%.1000s%.1000s", p->queue, cap);
	copied = stat(copy, &st) == 0 && S_ISDIR(st.st_mode);
	where(&c->c.s[PF_CAPATH], w, sizeof(w));
	if (ours) {
		finding(r, L_NOTE, NULL, "smtp_tls_CApath '%s' (%s) is unusable "
		    "to the chrooted smtp (master.cf:%zu); harmless: "
		    "smtp_tls_CAfile, read before the chroot, is the bundle "
		    "trustbuild publishes", cap, w, p->chroot_line);
		return;
	}
	finding(r, L_PROBLEM, "set smtp_tls_CAfile to the bundle trustbuild "
	    "publishes: Postfix reads it before the chroot (the plan below)",
	    "the chroot trap: smtp runs chrooted in %s (master.cf:%zu), so "
	    "smtp_tls_CApath '%s' (%s) is looked up inside the chroot, as "
	    "'%s', %s", p->queue, p->chroot_line, cap, w, copy, copied ?
	    "a copy made when Postfix started (Debian's init does this), not "
	    "what trustbuild publishes since" : "which does not exist: "
	    "Postfix silently loads no CA data from it");
}

/* Each relay, with the level its policy entry gives it. */
static void
relays(struct report *r, const struct pfconf *c, const struct pfplan *p)
{
	char lv[64];
	int i;

	for (i = 0; i < p->mp.nrelay; i++) {
		const struct mta_target *t = &p->mp.relay[i];

		pf_policy_level(c->pm, c->pmlen, t->host, t->port, lv,
		    sizeof(lv));
		finding(r, L_OK, NULL, "relay %s (%s)%s%s%s", t->url, t->from,
		    lv[0] ? ": smtp_tls_policy_maps says " : "", lv,
		    strcmp(lv, "may") == 0 || strcmp(lv, "encrypt") == 0 ?
		    " (not verified)" : "");
	}
}

void
pfcheck(struct report *r, const struct pfconf *c, const struct pfplan *p)
{
	struct step st[MAX_STEPS];
	char conf[8192], w[80], w2[80];
	const char *cf = pf_value(&c->c, PF_CAFILE);
	const char *cp = pf_value(&c->c, PF_CAPATH);
	int n, ours_file, ours_path, append, any;

	if (!c->postconf)
		finding(r, L_NOTE, NULL, "postconf was not asked (%s): "
		    "trustbuild read %s and master.cf itself", c->postconf_why,
		    c->main);
	if (!c->have_master)
		finding(r, L_NOTE, NULL, "cannot read '%s' (%s): the chroot "
		    "and the -o overrides of smtp are unknown", c->master,
		    c->master_why);
	if (c->map_why[0] != '\0')
		finding(r, L_NOTE, "give trustbuild read access to it",
		    "cannot read %s: its relays are not known", c->map_why);
	if (c->c.long_line != 0)
		finding(r, L_NOTE, "break the line", "%s:%zu: a line longer "
		    "than %d bytes; it was not read whole", c->main,
		    c->c.long_line, PF_MAX_LINE);
	level(r, c);
	ours_file = pf_set(&c->c, PF_CAFILE) && strcmp(cf, p->mp.bundle) == 0;
	ours_path = !p->chroot && pf_set(&c->c, PF_CAPATH) &&
	    p->mp.capath != NULL && strcmp(cp, p->mp.capath) == 0;
	append = strcasecmp(pf_value(&c->c, PF_APPEND), "yes") == 0;
	any = pf_set(&c->c, PF_CAFILE) || (pf_set(&c->c, PF_CAPATH) &&
	    (!p->chroot || inside(cp, p->queue)));
	if (pf_set(&c->c, PF_CAFILE))
		finding(r, L_OK, NULL, "smtp_tls_CAfile = %s (%s)", cf,
		    where(&c->c.s[PF_CAFILE], w, sizeof(w)));
	if (pf_set(&c->c, PF_CAPATH))
		finding(r, L_OK, NULL, "smtp_tls_CApath = %s (%s)", cp,
		    where(&c->c.s[PF_CAPATH], w, sizeof(w)));
	if (append)
		finding(r, L_NOTE, "postconf -e 'tls_append_default_CA=no' "
		    "to trust only the store", "tls_append_default_CA = yes "
		    "(%s): Postfix also trusts OpenSSL's default CA store, "
		    "beside its CAfile and CApath", where(&c->c.s[PF_APPEND],
		    w, sizeof(w)));
	chroot_trap(r, c, p, ours_file);
	relays(r, c, p);
	n = pfplan_steps(p, st, MAX_STEPS, conf, sizeof(conf));
	if (p->nset > 0 && !ours_file && !any && !append)
		finding_steps(r, L_PROBLEM, "trustbuild postfix-setup --apply "
		    "does all of this; by hand:", st, n, "Postfix's SMTP "
		    "client loads no CA data (smtp_tls_CAfile%s empty%s, "
		    "tls_append_default_CA = no), so no relay verifies: each "
		    "TLS connection is logged \"Untrusted TLS connection "
		    "established\"", p->chroot && pf_set(&c->c, PF_CAPATH) ?
		    " is" : " and smtp_tls_CApath are", p->chroot &&
		    pf_set(&c->c, PF_CAPATH) ? ", smtp_tls_CApath unusable in "
		    "the chroot" : "");
	else if (p->nset > 0 && (!ours_file || (!p->chroot && !ours_path &&
	    p->mp.capath != NULL)))
		finding_steps(r, p->chroot && !ours_file && pf_set(&c->c,
		    PF_CAPATH) && !pf_set(&c->c, PF_CAFILE) ? L_PROBLEM :
		    L_NOTE, "trustbuild postfix-setup --apply does all of "
		    "this; by hand:", st, n, "Postfix verifies with its own "
		    "CA data, not with the store trustbuild publishes (%s%s%s: "
		    "with the intermediates your relays need): "
		    "smtp_tls_CAfile is %s%s%s, smtp_tls_CApath is %s%s%s",
		    p->mp.bundle, p->mp.capath ? ", " : "", p->mp.capath ?
		    p->mp.capath : "", cf[0] ? "'" : "", cf[0] ? cf : "empty",
		    cf[0] ? "'" : "", cp[0] ? "'" : "", cp[0] ? cp : "empty",
		    cp[0] ? "'" : "");
	else if (p->nset > 0)
		finding_steps(r, L_NOTE, "trustbuild postfix-setup --apply does "
		    "all of this; by hand:", st, n, "Postfix reads the store "
		    "trustbuild publishes; smtp_tls_loglevel is 0 (%s): the "
		    "log says nothing of its TLS connections",
		    where(&c->c.s[PF_LOGLEVEL], w2, sizeof(w2)));
	else if (p->mp.nprobe > 0)
		finding_steps(r, L_PROBLEM, "trustbuild postfix-setup --apply "
		    "does this; by hand:", st, n, "Postfix reads the store "
		    "trustbuild publishes, but %d of its relays %s not probed "
		    "by update: their missing intermediates are not fetched",
		    p->mp.nprobe, p->mp.nprobe == 1 ? "is" : "are");
	else
		finding(r, L_OK, NULL, "Postfix reads the store trustbuild "
		    "publishes (%s), and each of its %d relay%s is probed by "
		    "update", p->mp.bundle, p->mp.nrelay, p->mp.nrelay == 1 ?
		    "" : "s");
	if (ours_file || !pf_set(&c->c, PF_CAFILE))
		cafile(r, p->mp.bundle, p->mp.update);
}
