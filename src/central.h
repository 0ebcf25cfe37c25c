/*
 * central.h: a [source NAME] with signer = FILE: a signed store that an
 * [export] host publishes (export.h, fleetman.h), over any HTTP server.
 *
 * The manifest is the source's download (acquire.h: a conditional GET
 * against the cached copy; a 304 costs no parsing and writes nothing).  A
 * new manifest is taken only when:
 *   - URL.p7s is a detached CMS signature over it by one of the pinned
 *     signer certificates (no other: not the system store, not a
 *     certificate the signature carries);
 *   - its serial is not lower than the last accepted one (a replayed
 *     older manifest is a rollback), nor equal with other bytes;
 *   - it is not past its valid-until (stale);
 *   - each object it names (URL's directory/objects/SHA256, fetched only
 *     when not kept from the last accepted manifest) is at most max-size,
 *     is the size it says, and has its SHA-256;
 *   - the set object names each certificate with the role the manifest
 *     gives it, and nothing more.
 * Anything else refuses the run with one error; the published store
 * stays.  The certificates keep their roles: anchors become the source's
 * set (trusted for the purpose central admitted them for), intermediates
 * a second set that the pipeline passes through the local gate (policy.h)
 * with the host's own exclude, blocklists and purpose.
 *
 * Kept in the state directory:
 *   STATE/central/NAME          the serial and SHA-256 of the manifest
 *                               last accepted
 *   STATE/central/NAME.objects  its objects ("SHA256 SIZE BASE64" lines)
 *
 * Calling sequence (acquire.c, pipeline.c):
 *	central_init(ctx, s);		// s->central, when s has signers
 *	central_check(ctx, s);		// a new manifest in s->buf: s->set
 *	central_parse(s, d);		// the cached one in s->buf: s->set
 *	central_intermediates(s);	// the second set (borrowed)
 *	central_valid_until(s);		// until when the set may be used
 *	central_free(s->central);
 */
#ifndef TB_CENTRAL_H
#define TB_CENTRAL_H

#include <time.h>

#include "acquire.h"
#include "certset.h"
#include "diag.h"

struct central;

/*
 * s->central for a source with signers (nothing for another): the pinned
 * certificates read.  -1 after one error in c->d.
 */
int	central_init(const struct acquire_ctx *c, struct acquire_src *s);
/*
 * A new manifest (s->buf) checked as above, its objects fetched and kept,
 * its certificates in s->set and the intermediates' set.  -1 after one
 * error in c->d (nothing kept).
 */
int	central_check(const struct acquire_ctx *c, struct acquire_src *s);
/*
 * The cached manifest (s->buf), the one last accepted, into s->set and
 * the intermediates' set: not past its valid-until; its objects from the
 * state (fetched again if they are missing).  -1 after one error in d.
 */
int	central_parse(struct acquire_src *s, struct diags *d);
/* The intermediates of the parsed manifest (borrowed), or NULL. */
struct certset *central_intermediates(const struct acquire_src *s);
/* The valid-until of the parsed manifest, or 0. */
time_t	central_valid_until(const struct acquire_src *s);
void	central_free(struct central *x);

#endif
