/*
 * source.h: certificate sources, by content.
 *
 * A SOURCE is a file or a directory.  Its format is detected from the bytes:
 * Mozilla certdata.txt, PEM (CERTIFICATE, TRUSTED CERTIFICATE, PKCS7),
 * DER certificate or DER PKCS#7; never from the file name.
 */
#ifndef TB_SOURCE_H
#define TB_SOURCE_H

#include <sys/stat.h>

#include <stddef.h>

#include "blocklist.h"
#include "certdata.h"
#include "certset.h"

#define SOURCE_MAX_FILE		(128 * 1024 * 1024)	/* bytes per file */
#define SOURCE_MAX_DEPTH	8			/* directory nesting */

enum source_format {
	FORMAT_UNKNOWN = 0,
	FORMAT_CERTDATA,
	FORMAT_PEM,
	FORMAT_DER,
	FORMAT_ARCHIVE,		/* tar, zip, cpio, ar, cab, RPM...: unpack.h */
	FORMAT_CCADB		/* CCADB's CSV report: ccadb.h */
};

/* What the bytes are. */
enum source_format source_detect(const unsigned char *buf, size_t len);
const char	*source_format_name(enum source_format f);

/*
 * Pure: parse buf (named name) whatever its format into set and bl.  want
 * is the purpose whose anchors a certdata.txt should yield (CERTDATA_ALL:
 * every certificate); other formats ignore it.
 * Returns the number of certificates read (0 is possible for a file with
 * only a distrust list), or -1 after one message.  A buffer in no known
 * format is an error.
 */
int		 source_parse(const char *name, const unsigned char *buf,
		    size_t len, int want, struct certset *set,
		    struct blocklist *bl);

/*
 * source_parse() with a member selector: when buf is an archive, only its
 * members that match glob are read (NULL: every member that is a
 * certificate source; the others are skipped).  A glob on a buffer that is
 * not an archive, or one that matches nothing, is an error.
 */
int		 source_parse_members(const char *name,
		    const unsigned char *buf, size_t len, const char *glob,
		    int want, struct certset *set, struct blocklist *bl);

/*
 * Read the file or directory at path into set and bl.  "PATH#GLOB" selects
 * members of the archive PATH (a file whose own name holds a '#' is taken
 * whole when it exists).  In a directory, files
 * that are not certificate sources are skipped with a warning, dot files and
 * symbolic links to directories are not read.  Returns the number of
 * certificates read, or -1 after one message naming the file.  A source
 * that yields no certificate is an error.
 */
int		 source_load(const char *path, int want, struct certset *set,
		    struct blocklist *bl);

/*
 * Read a whole regular file (at most max bytes) into a malloc'd buffer with
 * a NUL after the len bytes; -1 after a message.
 */
int		 source_read_file(const char *path, size_t max,
		    unsigned char **buf, size_t *len);

/*
 * The names of directory path that source_load() reads, in its order:
 * dot names left out, sorted by bytes.  *names (each name and the array
 * malloc'd; source_names_free) and *n.  -1 after a message.
 */
int		 source_dir_names(const char *path, char ***names, size_t *n);
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
 * absent with SOURCE_ABSENT_OK, or -1 after a message.
 */
int		 source_read_at(int dirfd, const char *name, const char *shown,
		    size_t max, int flags, struct stat *st,
		    unsigned char **buf, size_t *len);

#endif
