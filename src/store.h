/*
 * store.h: definitions of the public root sets trustbuild knows (stores/).
 *
 * A definition is a struct source_spec (spec.h) read from a file of
 * "key = value" lines (ini.h; '#' anywhere starts a comment) with the
 * keys of stores/README: where a set is published, its format, the member
 * of an archive to read, its role and how its integrity is checked.
 * store_parse() is pure; the rest finds the definition files:
 * $TRUSTBUILD_STORES, then stores/ beside the binary (the source tree),
 * then ../share/trustbuild/stores from the binary (an installed PREFIX),
 * then TRUSTBUILD_DATADIR/stores.  Silent: errors go to the diags.
 */
#ifndef TB_STORE_H
#define TB_STORE_H

#include <stddef.h>

#include "diag.h"
#include "spec.h"

#ifndef TRUSTBUILD_DATADIR
#define TRUSTBUILD_DATADIR	"/usr/local/share/trustbuild"
#endif

/*
 * Parse one definition (file is for messages).  Unknown keys or values, and
 * missing name, format, role or url/path, are errors naming the line.
 * Returns 0, or -1 after one error in d; st is released on error.
 */
int	store_parse(const char *file, const char *buf, size_t len,
	    struct source_spec *st, struct diags *d);

/* Find and parse the definition called name.  -1 after one error in d. */
int	store_load(const char *name, struct source_spec *st, struct diags *d);

/*
 * All definitions, sorted by name, from the first directory of the search
 * path that exists.  *dir (borrowed) says which.  -1 after an error in d.
 */
int	store_list(struct source_spec **v, size_t *n, const char **dir,
	    struct diags *d);
void	store_list_free(struct source_spec *v, size_t n);

#endif
