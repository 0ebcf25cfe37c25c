/*
 * capath.h: the OpenSSL hashed directory (CApath) writer.
 *
 * One PEM file per certificate, named by its SHA-256 ("<hex>.pem"), with
 * the same comment header as the bundle, plus the "<subject-hash>.N"
 * symbolic links exactly as "openssl rehash" makes them: X509_NAME_hash,
 * .0, .1... on collisions numbered in file-name order, no gaps.  With
 * CAPATH_COMPAT the old-style (MD5) hash links are added too, as
 * "openssl rehash -compat" does.
 */
#ifndef TB_CAPATH_H
#define TB_CAPATH_H

#include "certset.h"
#include "output.h"

enum capath_flags {
	CAPATH_COMPAT = 1 << 0
};

/*
 * Writer: the set as the entries of a CApath (files and links, sorted by
 * name, their data in r->b), output.h.  -1 after adding to d.
 */
int	capath_render(const struct certset *set,
	    const struct output_target *t, struct rendered *r,
	    struct diags *d);

#endif
