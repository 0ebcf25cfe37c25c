/*
 * source.h: certificate sources on disk: files and directories.
 *
 * A SOURCE is a file or a directory.  Each file's format is detected from
 * its bytes by the table of format.h (Mozilla certdata.txt, PEM, DER
 * certificate or PKCS#7, CCADB CSV, archives of them), never from its name.
 * This is the I/O edge of the parsers: files are read here, parsed by
 * format.h, and nothing is printed: what went wrong goes to a struct diags
 * (diag.h) for the caller to report.
 */
#ifndef TB_SOURCE_H
#define TB_SOURCE_H

#include <sys/stat.h>

#include <stddef.h>

#include "blocklist.h"
#include "certdata.h"
#include "certset.h"
#include "diag.h"
#include "format.h"

#define SOURCE_MAX_FILE		(128 * 1024 * 1024)	/* bytes per file */
#define SOURCE_MAX_DEPTH	8			/* directory nesting */

/*
 * Read the file or directory at path into set and bl.  "PATH#GLOB" selects
 * members of the archive PATH (a file whose own name holds a '#' is taken
 * whole when it exists).  In a directory, files
 * that are not certificate sources are skipped with a warning, dot files and
 * symbolic links to directories are not read.  want is as for
 * format_parse().  Returns the number of certificates read, or -1 after
 * one error in d naming the file (warnings and -v info entries for what
 * was skipped and read come with it).  A source that yields no
 * certificate is an error: "no certificates found (WHY)".
 */
int		 source_load(const char *path, int want, struct certset *set,
		    struct blocklist *bl, struct diags *d);

/*
 * source_load() for a directory of update's configuration (a drop-in such
 * as /etc/trustbuild/local.d): one that holds no certificate (it is
 * empty, or its files are skipped, each with its warning) gives 0 and a
 * -v line instead of an error.  A missing directory is still an error.
 */
int		 source_load_dropin(const char *path, int want,
		    struct certset *set, struct blocklist *bl, struct diags *d);

/*
 * Read a whole regular file (at most max bytes) into a malloc'd buffer with
 * a NUL after the len bytes; -1 after an error in d.
 */
int		 source_read_file(const char *path, size_t max,
		    unsigned char **buf, size_t *len, struct diags *d);

/*
 * The names of directory path that source_load() reads, in its order:
 * dot names left out, sorted by bytes.  *names (each name and the array
 * malloc'd; source_names_free) and *n.  -1 after an error in d.
 */
int		 source_dir_names(const char *path, char ***names, size_t *n,
		    struct diags *d);
void		 source_names_free(char **names, size_t n);

enum source_read_flags {
	SOURCE_ABSENT_OK = 1 << 0,	/* a missing file: 0, no message */
	SOURCE_NOFOLLOW = 1 << 1	/* a symbolic link: refused */
};

/*
 * The same for name relative to dirfd (AT_FDCWD: the working directory),
 * shown in messages as shown.  The file is opened non-blocking and must
 * be a regular file (a FIFO, socket or device is refused at once, never
 * waited on).  Returns 1 (*st, when not NULL, set from fstat), 0 when
 * absent with SOURCE_ABSENT_OK, or -1 after an error in d (its code
 * DIAG_ABSENT, DIAG_LIMIT or DIAG_IO where that is what it was).
 */
int		 source_read_at(int dirfd, const char *name, const char *shown,
		    size_t max, int flags, struct stat *st,
		    unsigned char **buf, size_t *len, struct diags *d);

#endif
