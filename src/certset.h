/*
 * certset.h: a set of certificates, unique by SHA-256 of the DER.
 *
 * The set owns its certificates.  Adding a certificate that is already in
 * the set merges what is known about it (sources, label, trust) into the one
 * entry and frees the newcomer, so the same root brought by several sources
 * appears once.
 */
#ifndef TB_CERTSET_H
#define TB_CERTSET_H

#include <stddef.h>

#include "cert.h"

struct certset {
	struct cert	**v;
	size_t		  n, cap;
	size_t		 *slot;		/* open addressing: index + 1, 0 free */
	size_t		  nslot;
	int		  whole;	/* readers: cert_from_der_whole() (the
					   certificates will be verified) */
};

/* A new empty set; never NULL (xalloc.h). */
struct certset	*certset_new(void);
void		 certset_free(struct certset *s);

/*
 * Add c, taking it over.  Returns 1 if it was new, 0 if it was merged into
 * an equal certificate (c is freed).  Never fails (xalloc.h).
 */
int		 certset_add(struct certset *s, struct cert *c);
/* The entry with this SHA-256, or NULL; borrowed. */
struct cert	*certset_find(const struct certset *s,
		    const unsigned char sha256[32]);
/*
 * Sort deterministically: by subject (byte order of the RFC 2253 line),
 * then by SHA-256.  Equal input gives equal order whatever the source order.
 */
void		 certset_sort(struct certset *s);

#endif
