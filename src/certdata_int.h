/*
 * certdata_int.h: what the two halves of the certdata.txt reader share.
 *
 * certdata.c reads the file into objects (struct object: one CKA_CLASS
 * and its attributes, values still raw bytes); certdata_link.c links each
 * trust object to its certificate object and hands out the certificates
 * and the distrust entries.  Not for use outside these two files.
 */
#ifndef TB_CERTDATA_INT_H
#define TB_CERTDATA_INT_H

#include <stddef.h>
#include <time.h>

#include "blocklist.h"
#include "cert.h"
#include "certset.h"
#include "diag.h"

enum obj_class {
	CLASS_NONE,
	CLASS_CERTIFICATE,
	CLASS_TRUST,
	CLASS_ROOT_LIST
};

struct bytes {
	unsigned char	*p;
	size_t		 len;
	int		 set;
};

struct object {
	enum obj_class	 cls;
	size_t		 line;		/* of CKA_CLASS */
	char		*label;
	struct bytes	 value, issuer, serial, sha1;
	size_t		 sha1_line;
	enum trust	 trust[PURPOSE_N];	/* of a trust object; of a
						   certificate once linked */
	int		 trust_set[PURPOSE_N];
	enum distrust	 distrust[2];
	time_t		 distrust_after[2];
	int		 matched;
};

struct parser {
	const char	*name;
	struct diags	*d;		/* where the entries go */
	const char	*p, *end;
	size_t		 line;
	struct object	*objs;
	size_t		 nobjs, cap;
};

/*
 * Link the objects of ps (certdata_parse() has read the whole file):
 * trust to certificate, the certificates trusted for want (or all, with
 * CERTDATA_ALL) into set, the distrust entries into bl.  Returns the
 * number of certificates added, or -1 after an error in ps->d.
 */
int	certdata_link(struct parser *ps, int want, struct certset *set,
	    struct blocklist *bl);

#endif
