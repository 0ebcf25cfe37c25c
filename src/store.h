/*
 * store.h: definitions of the public root sets trustbuild knows (stores/).
 *
 * A definition names where a set is published, its format, the member of
 * an archive to read, its role and how its integrity is checked; see
 * stores/README for the keys.  store_parse() is pure; the rest finds the
 * definition files: $TRUSTBUILD_STORES, then stores/ beside the binary (the
 * source tree), then ../share/trustbuild/stores from the binary (an
 * installed PREFIX), then TRUSTBUILD_DATADIR/stores.
 */
#ifndef TB_STORE_H
#define TB_STORE_H

#include <stddef.h>

#include "source.h"

#ifndef TRUSTBUILD_DATADIR
#define TRUSTBUILD_DATADIR	"/usr/local/share/trustbuild"
#endif

#define STORE_MAX_PATHS	8

enum store_role {
	STORE_ANCHORS,
	STORE_INTERMEDIATES
};

struct store {
	char		*file;		/* where the definition was read */
	char		*name;
	char		*description;
	char		*url;
	char		*paths[STORE_MAX_PATHS];
	size_t		 npaths;
	char		*format;	/* as written: certdata, pem, ... */
	enum source_format fmt;		/* what source_detect() must say */
	char		*member;
	enum store_role	 role;
	int		 role_set;
	char		*integrity;
	char		*sha256_url;
	char		*sha256;	/* a pin, 64 hex digits */
	char		*fallback;
};

/*
 * Parse one definition (file is for messages).  Unknown keys or values, and
 * missing name, format, role or url/path, are errors naming the line.
 * Returns 0, or -1 after one message; st is released either way on error.
 */
int	store_parse(const char *file, const char *buf, size_t len,
	    struct store *st);
void	store_release(struct store *st);

/* Find and parse the definition called name.  -1 after a message. */
int	store_load(const char *name, struct store *st);

/*
 * All definitions, sorted by name, from the first directory of the search
 * path that exists.  *dir (borrowed) says which.  -1 after a message.
 */
int	store_list(struct store **v, size_t *n, const char **dir);
void	store_list_free(struct store *v, size_t n);

#endif
