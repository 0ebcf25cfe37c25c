/*
 * mailcheck_log.c: the check of the mail log for sendmail-check and
 * postfix-check (see mailcheck.h), the same for every MTA (its reader of
 * one line and its words are mta.h's): reads it (maillog_read.c: a file, its rotations, standard
 * input or the journal), then one finding per relay.  A relay whose last
 * connection verified is ok; one whose last connection failed is a
 * problem, unless that failure is older than the last change of the
 * published store: then it is a note ("before the store changed at").
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "mailcheck.h"
#include "mailplan.h"
#include "maillog.h"
#include "maillog_read.h"
#include "mta.h"

time_t
mailcheck_changed(const struct mailcheck_want *want)
{
	struct stat st;
	time_t t = 0;

	if (want->bundle != NULL && stat(want->bundle, &st) == 0)
		t = st.st_mtime;
	/* the CApath is a link switched to each new generation */
	if (want->capath != NULL && lstat(want->capath, &st) == 0 &&
	    st.st_mtime > t)
		t = st.st_mtime;
	return t;
}

/* What the reader noted (unreadable, cut, binary...): one note each. */
static void
read_notes(struct report *r, struct diags *d)
{
	char buf[2048];
	size_t i;

	for (i = 0; i < d->n; i++)
		finding(r, L_NOTE, NULL, "%s", diag_format(&d->v[i], buf,
		    sizeof(buf)));
	diags_clear(d);
}

/* The name of the log read, for messages (buf may hold it). */
static const char *
log_name(const struct mailcheck_log *src, char *buf, size_t size)
{
	if (src->journal && src->journal_dir != NULL) {
		snprintf(buf, size, "the journal in '%s'", src->journal_dir);
		return buf;
	}
	if (src->journal)
		return "the journal";
	if (src->path == NULL)
		return maillog_default();
	return strcmp(src->path, "-") == 0 ? "standard input" : src->path;
}

/* One relay whose last connection did not verify. */
static void
relay_failed(struct report *r, const struct maillog_relay *rl,
    const struct mailplan *mp, time_t changed)
{
	struct step st[MAX_STEPS];
	char conf[2048], url[400], a[40], said[600];
	int n;

	mp->mta->said(rl, said, sizeof(said));
	if (changed > 0 && rl->last > 0 && rl->last < changed &&
	    strcmp(rl->verify, "FAIL") == 0) {
		finding(r, L_NOTE, NULL, "relay %s: %s before the store changed "
		    "at %s (%d connection%s in the log); none since", rl->relay,
		    said, mailcheck_day(changed, a, sizeof(a)), rl->count,
		    rl->count == 1 ? "" : "s");
		return;
	}
	/* the one plan's advice: its [probe] and update, or probe --chase */
	n = mailplan_relay_steps(mp, rl->relay, st, MAX_STEPS, conf,
	    sizeof(conf), url, sizeof(url));
	finding_steps(r, strcmp(rl->verify, "NONE") == 0 ? L_NOTE : L_PROBLEM,
	    n <= 0 ? NULL : st[0].kind == STEP_RUN ? "it is probed already; "
	    "see why:" : mp->mta->setup_fix, st, n < 0 ? 0 : n, "relay %s: %s "
	    "(%d connection%s in the log)", rl->relay, said, rl->count,
	    rl->count == 1 ? "" : "s");
}

void
mailcheck_sendmail_notes(struct report *r, const struct maillog *lg,
    const char *name, int loglevel, int after)
{
	size_t i;

	if (!after && lg->client_lines == 0)
		finding(r, L_NOTE, loglevel >= 0 && loglevel < 9 ?
		    "define(`confLOG_LEVEL', `12')dnl in sendmail.mc" : NULL,
		    "%s has no STARTTLS=client lines%s", name,
		    loglevel >= 0 && loglevel < 9 ? " (sendmail logs them at "
		    "LogLevel 9 and up)" : "");
	if (!after || lg->n == 0 || lg->verifymsg_lines > 0)
		return;
	for (i = 0; i < lg->n && strcmp(lg->v[i].verify, "OK") == 0; i++)
		;
	if (i < lg->n)
		finding(r, L_NOTE, "define(`confLOG_LEVEL', `12')dnl in "
		    "sendmail.mc (then rebuild the .cf and restart)",
		    "the log has no verifymsg lines: with LogLevel 12 "
		    "or more sendmail says why a verification failed");
}

void
mailcheck_postfix_notes(struct report *r, const struct maillog *lg,
    const char *name, int loglevel, int after)
{
	if (!after && lg->client_lines == 0)
		finding(r, L_NOTE, loglevel == 0 ? "postconf -e "
		    "'smtp_tls_loglevel=1'" : NULL, "%s has no TLS lines of "
		    "Postfix's SMTP client%s", name, loglevel == 0 ?
		    " (smtp_tls_loglevel is 0: Postfix logs them at 1 and up)" :
		    "");
}

void
check_log(struct report *r, const struct mailcheck_log *src,
    const struct mailplan *mp, int loglevel)
{
	struct diags d = DIAGS_INIT;
	struct maillog lg;
	char nbuf[1100], said[600];
	const char *name = log_name(src, nbuf, sizeof(nbuf));
	size_t i;
	int n;

	maillog_init_mta(&lg, time(NULL), mp->mta);
	if (src->journal)
		n = maillog_read_journal(&lg, src->journal_dir, 0, &d);
	else
		n = maillog_read_file(&lg, src->path, src->path == NULL ?
		    MAILLOG_MAX_ROTATED : 0, &d);
	read_notes(r, &d);
	if (n <= 0) {
		maillog_release(&lg);
		return;
	}
	mp->mta->log_notes(r, &lg, name, loglevel, 0);
	for (i = 0; i < lg.n; i++) {
		struct maillog_relay *rl = &lg.v[i];

		if (strcmp(rl->verify, "OK") == 0)
			finding(r, L_OK, NULL, "relay %s: %s (%d connection%s "
			    "in the log)", rl->relay, mp->mta->said(rl, said,
			    sizeof(said)), rl->count, rl->count == 1 ? "" : "s");
		else
			relay_failed(r, rl, mp, src->changed);
	}
	mp->mta->log_notes(r, &lg, name, loglevel, 1);
	maillog_release(&lg);
}
