/*
 * blocklist.h: certificates a source says must not be trusted.
 *
 * Mozilla's certdata.txt marks distrusted certificates with
 * CKT_NSS_NOT_TRUSTED trust objects, some without the certificate itself.
 * An entry names the certificate by issuer + serial number (DER, as NSS
 * does) and, when known, by SHA-1; it removes that certificate from the
 * result whichever source brings it.
 */
#ifndef TB_BLOCKLIST_H
#define TB_BLOCKLIST_H

#include <stddef.h>

#include "cert.h"

struct block {
	unsigned char	*issuer;	/* DER Name */
	size_t		 issuer_len;
	unsigned char	*serial;	/* DER INTEGER, tag and length too */
	size_t		 serial_len;
	unsigned char	 sha1[20];
	int		 has_sha1;
	enum trust	 trust[PURPOSE_N];
	char		*label;		/* may be NULL */
	char		*source;	/* "file:line" */
};

struct blocklist {
	struct block	*v;
	size_t		 n, cap;
};

/* A new empty list; never NULL (xalloc.h). */
struct blocklist *blocklist_new(void);
void		 blocklist_free(struct blocklist *bl);
/* Add a copy of b's buffers and strings.  Returns 0 (xalloc.h). */
int		 blocklist_add(struct blocklist *bl, const struct block *b);
/*
 * The entry that blocks c for purpose p, or NULL; borrowed.  An entry blocks
 * when its trust for p is CKT_NSS_NOT_TRUSTED (for "any": for every purpose)
 * and it names c by issuer + serial or by SHA-1.
 */
const struct block *blocklist_match(const struct blocklist *bl,
		    const struct cert *c, enum purpose p);

#endif
