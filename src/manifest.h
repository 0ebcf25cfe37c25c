/*
 * manifest.h: what "update" must remember about the store it published,
 * in one file, STATE/manifest, written and read only here.
 *
 * The bundle's comments are for people and are never read back; what a
 * later run (or `list`, or `probe`) needs to know about a published
 * certificate is here instead:
 *
 *   trustbuild-manifest 1
 *   cert SHA256 ROLE PURPOSE FIRST-SEEN SERVER-DA EMAIL-DA ORIGIN
 *   label SHA256 LABEL
 *   probe SHA256 BASE64-DER LAST-SEEN NAME
 *
 * A cert line per published certificate: its role (anchor, intermediate),
 * the purpose the gate admitted it for, the day it was first published
 * (YYYY-MM-DD, kept from run to run), its distrust-after dates (seconds
 * since 1970, or "-") and where it came from (escaped text, to the end of
 * the line).  After it, a label line when its source gave it a label
 * (certdata's CKA_LABEL, a TRUSTED CERTIFICATE's alias; escaped text), for
 * `list`.  A probe line per intermediate that [probe NAME] needed, with
 * the certificate itself, so that a probe that fails later, or sees another
 * chain (a load balancer's other server), can offer it to the gate again
 * for probe-keep days after LAST-SEEN, the time the probe last had it in
 * its chain (RFC 3339, 2026-12-03T10:27:31Z; a line written before there
 * was one lacks it: 0).  Fields are separated by one space; the last one
 * takes the rest of the line.
 */
#ifndef TB_MANIFEST_H
#define TB_MANIFEST_H

#include <stddef.h>
#include <time.h>

#include "cert.h"
#include "certset.h"
#include "diag.h"

#define MANIFEST_FILE	"manifest"

struct manifest_cert {
	unsigned char	 sha256[32];
	enum cert_role	 role;
	enum purpose	 purpose;
	char		 first_seen[11];	/* YYYY-MM-DD */
	time_t		 distrust_after[2];	/* server, email; 0: none */
	char		*origin;
	char		*label;			/* escaped, or NULL */
};

struct manifest_probe {
	unsigned char	 sha256[32];
	unsigned char	*der;
	size_t		 len;
	time_t		 last_seen;		/* in its probe's chain; 0: not
						   recorded */
	char		*name;			/* the [probe NAME] */
};

struct manifest {
	struct manifest_cert	*cert;
	size_t			 ncert;
	struct manifest_probe	*probe;
	size_t			 nprobe;
};

/*
 * Pure: parse buf into m (zeroed by the caller).  Returns 0, or -1 with
 * "line N: reason" in err (m then holds nothing).
 */
int	manifest_parse(const char *buf, size_t len, struct manifest *m,
	    char *err, size_t errsz);

/* Render m as the file's text into a malloc'd *out.  -1 out of memory. */
int	manifest_render(const struct manifest *m, char **out, size_t *len);

/*
 * A cert line for each certificate of set, published for purpose p; the
 * first-seen day comes from prev (NULL: none) when it had the certificate,
 * else it is the day of now.  -1 out of memory.
 */
int	manifest_add_set(struct manifest *m, const struct certset *set,
	    enum purpose p, const struct manifest *prev, time_t now);

/*
 * A probe line: [probe name] needed c, last seen in its chain at
 * last_seen.  -1 out of memory.
 */
int	manifest_add_probe(struct manifest *m, const char *name,
	    const struct cert *c, time_t last_seen);

/* The cert line of this SHA-256, or NULL; borrowed. */
const struct manifest_cert *manifest_find(const struct manifest *m,
	    const unsigned char sha256[32]);

/*
 * STATE/manifest into m (zeroed by the caller): 1 read; 0 there is none
 * (err "") or it is damaged (the reason in err; m holds nothing); -1 after
 * a message in d when it cannot be read.
 */
int	manifest_load(const char *state, struct manifest *m, char *err,
	    size_t errsz, struct diags *d);
/* Replace STATE/manifest atomically with m.  -1 after a message in d. */
int	manifest_save(const char *state, const struct manifest *m,
	    struct diags *d);

void	manifest_release(struct manifest *m);

/* "anchor" / "intermediate" */
const char *manifest_role_name(enum cert_role r);

/* "2026-12-03T10:27:31Z" (exactly) to *t; -1 if it is not that. */
int	manifest_time(const char *s, size_t len, time_t *t);

#endif
