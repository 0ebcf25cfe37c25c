/*
 * probe_report.h: what "trustbuild probe" says, as text for a person or as
 * one JSON object for monitoring, rendered in one place from what
 * cmd_probe found (the chain as sent, the verdict, the chase).
 *
 * Calling sequence: cmd_probe fills the first members of a struct
 * probe_report (zeroed) after probing, probe_report_verify() adds the
 * verdict (and the chase), probe_report() prints it all once, and
 * probe_report_release() frees what the verdict holds.  When it could not
 * talk to the server, probe_report_failed() instead.  Everything that
 * came from the server or a certificate is escaped (text.h) or JSON-quoted.
 */
#ifndef TB_PROBE_REPORT_H
#define TB_PROBE_REPORT_H

#include <stdio.h>
#include <time.h>

#include <openssl/x509.h>

#include "aia.h"
#include "cert.h"
#include "manifest.h"
#include "probe.h"

struct probe_report {
	const char		*label;		/* the URL, or the chain file */
	const char		*chainfile;	/* --chain FILE, or NULL */
	const struct probe_target *t;		/* when connected */
	const struct probe_result *pr;		/* the chain as sent */
	const char		*store;		/* what it was verified against */
	enum purpose		 purpose;
	const struct manifest	*man;		/* distrust-after dates; borrowed */
	const char		*host;		/* the name checked, or NULL */
	int			 chase;		/* --chase was given */
	int			 json;
	time_t			 at;		/* --attime: expiry judged
						   then; 0: now */
	/* the verdict, by probe_report_verify (owned) */
	int			 named;		/* the leaf names host */
	int			 verified;	/* verify=OK */
	int			 verr;		/* else the X509_V_ERR code */
	X509			*cur;		/* and the certificate it is about */
	STACK_OF(X509)		*vchain;	/* verified: leaf to anchor */
	struct aia_result	 ar;		/* the chase */
	int			 chased;	/* ar is filled */
};

/*
 * Verify the chain of r->pr against store (verify.h) and check the name;
 * when it fails and aia is not NULL, chase the missing intermediates.  A
 * chain without certificates is left as it is (verify=NO).  Returns 0, or
 * -1 on an internal error (out of memory).
 */
int	probe_report_verify(struct probe_report *r, X509_STORE *store,
	    struct aia *aia);
void	probe_report_release(struct probe_report *r);

/* The whole report on f: the chain, verify=..., why and fix, the chase. */
void	probe_report(FILE *f, const struct probe_report *r);
/* Could not talk to the server: with --json, the object that says so. */
void	probe_report_failed(FILE *f, const char *label, const char *err,
	    int json);

#endif
