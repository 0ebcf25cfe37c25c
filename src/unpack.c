/*
 * unpack.c: archives in memory through libarchive, see unpack.h.
 *
 * Only the formats and filters named in unpack.h are enabled: no
 * archive_read_support_*_all(), which would bring mtree (text files look
 * like it), raw, and filters that run external programs.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "der.h"
#include "diag.h"
#include "dl_archive.h"
#include "unpack.h"
#include "xalloc.h"

/* A reader on buf; *opened says whether filters and format were found. */
static struct archive *
reader(const unsigned char *buf, size_t len, int raw, int *opened)
{
	struct archive *a;

	if ((a = archive_read_new()) == NULL)
		return NULL;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_lz4(a);
	archive_read_support_filter_compress(a);
	archive_read_support_filter_rpm(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_cpio(a);
	archive_read_support_format_ar(a);
	archive_read_support_format_7zip(a);
	archive_read_support_format_cab(a);
	if (raw)	/* a compressed file that is no archive: one member */
		archive_read_support_format_raw(a);
	*opened = archive_read_open_memory(a, buf, len) == ARCHIVE_OK;
	return a;
}

int
unpack_detect(const unsigned char *buf, size_t len)
{
	struct archive *a;
	int r, opened;

	if (len < 4)
		return 0;
	/*
	 * Text is no archive, except ar's ("!<arch>", then text headers): a
	 * tar header and every compressed or binary format has a NUL or a
	 * byte over 0x7f in its first 512 bytes.  This spares libarchive's
	 * bidders every PEM file of a directory.
	 */
	if (len < 8 || memcmp(buf, "!<arch>\n", 8) != 0) {
		size_t i, n = len < 512 ? len : 512;

		for (i = 0; i < n; i++)
			if (buf[i] == 0 || buf[i] > 0x7f)
				break;
		if (i == n)
			return 0;
	}
	/* a DER certificate is no archive: libarchive stays unloaded */
	if (der_detect(buf, len))
		return 0;
	/* binary, and no libarchive: unpack_walk() says why */
	if (dl_archive(NULL) == -1)
		return 1;
	if ((a = reader(buf, len, 0, &opened)) == NULL)
		return 0;
	/*
	 * Opening chooses the filters and the format: opened, it is an
	 * archive; not opened, it is one only if some filter claimed it or
	 * the failure is not "unrecognised format" (a damaged archive;
	 * libarchive reports that one as EILSEQ, its ERRNO_FILE_FORMAT).
	 */
	r = opened || archive_errno(a) != EILSEQ ||
	    archive_filter_code(a, 0) != ARCHIVE_FILTER_NONE;
	archive_read_free(a);
	return r;
}

/* Read the current member into a malloc'd buffer, within the bounds. */
static int
read_member(struct unpack *u, struct archive *a, struct archive_entry *e,
    const char *where, unsigned char **bufp, size_t *lenp, struct diags *d)
{
	size_t cap, len = 0;
	unsigned char *buf = NULL;
	la_ssize_t r;

	/* the size the header gives is refused before anything is read */
	cap = archive_entry_size_is_set(e) && archive_entry_size(e) > 0 ?
	    (size_t)archive_entry_size(e) + 1 : 4096;
	if (cap > UNPACK_MAX_MEMBER + 1)
		goto big;
	buf = xmalloc(cap);
	for (;;) {
		if (len == cap) {
			/* at most one byte past the bound, to see it passed */
			cap = cap > UNPACK_MAX_MEMBER / 2 ?
			    UNPACK_MAX_MEMBER + 1 : cap * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		r = archive_read_data(a, buf + len, cap - len);
		if (r < 0) {
			diag_err(d, where, 0, "cannot read the member: %s; the "
			    "archive is truncated or corrupt",
			    archive_error_string(a) ? archive_error_string(a) :
			    "unknown error");
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > UNPACK_MAX_MEMBER)
			goto big;
		u->total += (size_t)r;
		if (u->total > UNPACK_MAX_TOTAL) {
			diag_add(d, DIAG_ERR, DIAG_LIMIT, where, 0, "more than "
			    "%lu MiB uncompressed; refusing what looks like a "
			    "decompression bomb", UNPACK_MAX_TOTAL >> 20);
			goto fail;
		}
		if (u->total > UNPACK_RATIO_FLOOR &&
		    u->total / (u->outer ? u->outer : 1) > UNPACK_MAX_RATIO) {
			diag_add(d, DIAG_ERR, DIAG_LIMIT, where, 0, "expands "
			    "more than %d-fold; refusing what looks like a "
			    "decompression bomb", UNPACK_MAX_RATIO);
			goto fail;
		}
	}
	*bufp = buf;
	*lenp = len;
	return 0;
big:
	diag_add(d, DIAG_ERR, DIAG_LIMIT, where, 0, "member larger than %lu "
	    "MiB; not a certificate source", UNPACK_MAX_MEMBER >> 20);
fail:
	free(buf);
	return -1;
}

static int
walk(struct unpack *u, const char *name, const unsigned char *buf,
    size_t len, int depth, struct diags *d)
{
	struct archive *a;
	struct archive_entry *e;
	int r, sum = 0, rc = -1, opened, raw = 0;

	if (depth > UNPACK_MAX_DEPTH) {
		diag_add(d, DIAG_ERR, DIAG_LIMIT, name, 0, "archives nested "
		    "deeper than %d; refused", UNPACK_MAX_DEPTH);
		return -1;
	}
	if ((a = reader(buf, len, 0, &opened)) == NULL) {
		diag_err(d, name, 0, "out of memory");
		return -1;
	}
	if (!opened && archive_errno(a) == EILSEQ &&
	    archive_filter_code(a, 0) != ARCHIVE_FILTER_NONE) {
		/* compressed, but no archive inside: read it as one member */
		archive_read_free(a);
		if ((a = reader(buf, len, 1, &opened)) == NULL) {
			diag_err(d, name, 0, "out of memory");
			return -1;
		}
		raw = 1;
	}
	if (!opened) {
		diag_err(d, name, 0, "%s; the archive is truncated or corrupt",
		    archive_error_string(a) ? archive_error_string(a) :
		    "unreadable");
		goto out;
	}
	for (;;) {
		const char *path;
		char *where = NULL;
		unsigned char *m = NULL;
		size_t mlen;
		int n;

		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			diag_err(d, name, 0, "%s; the archive is truncated, "
			    "corrupt or of an unsupported kind",
			    archive_error_string(a) ? archive_error_string(a) :
			    "unreadable archive");
			goto out;
		}
		if (++u->members > UNPACK_MAX_MEMBERS) {
			diag_add(d, DIAG_ERR, DIAG_LIMIT, name, 0, "more than "
			    "%d members; refused", UNPACK_MAX_MEMBERS);
			goto out;
		}
		path = archive_entry_pathname(e);
		if (path == NULL)
			path = "";
		/*
		 * Names are never paths here, but a package whose names would
		 * leave its root is not one to trust: refuse it.
		 */
		if (path[0] == '/' || strcmp(path, "..") == 0 ||
		    strncmp(path, "../", 3) == 0 || strstr(path, "/../") ||
		    (strlen(path) >= 3 &&
		    strcmp(path + strlen(path) - 3, "/..") == 0)) {
			char *mn = xasprintf("%s#%s", name, path);

			diag_err(d, mn, 0, "a member name that leaves the "
			    "archive (absolute or with '..'); refused");
			free(mn);
			goto out;
		}
		while (path[0] == '.' && path[1] == '/')
			path += 2;
		if (archive_entry_filetype(e) == AE_IFDIR)
			continue;
		/* ar and some cpio writers leave the type out: a file */
		if ((archive_entry_filetype(e) != AE_IFREG &&
		    archive_entry_filetype(e) != 0) ||
		    archive_entry_hardlink(e) != NULL) {
			char *mn = xasprintf("%s#%s", name, path);

			diag_info(d, mn, 0, "a link or special file; skipped");
			free(mn);
			continue;
		}
		/* the raw reader's one member is the file itself */
		where = raw ? xstrdup(name) : xasprintf("%s#%s", name, path);
		if (read_member(u, a, e, where, &m, &mlen, d) == -1) {
			free(where);
			goto out;
		}
		if (unpack_detect(m, mlen))
			n = walk(u, where, m, mlen, depth + 1, d);
		else if (u->glob != NULL && fnmatch(u->glob, raw ?
		    (strrchr(name, '#') ? strrchr(name, '#') + 1 : name) :
		    path, 0) != 0)
			n = 0;
		else {
			u->matched++;
			n = u->fn(u->arg, where, m, mlen, d);
		}
		free(m);
		free(where);
		if (n == -1)
			goto out;
		sum += n;
	}
	rc = sum;
out:
	archive_read_free(a);
	return rc;
}

int
unpack_walk(struct unpack *u, const char *name, const unsigned char *buf,
    size_t len, struct diags *d)
{
	if (dl_archive(d) == -1)
		return -1;
	if (u->outer == 0)
		u->outer = len;
	return walk(u, name, buf, len, 0, d);
}
