/*
 * dl.h: libcurl and libarchive, loaded with dlopen(3) at their first use
 * only, so that a run that fetches nothing and unpacks nothing (build
 * from local files, list, sendmail-check) maps only libc and OpenSSL.
 *
 *	if (dl_curl(d) == -1)		// before the first curl_* call
 *		return -1;		// d names the library and the package
 *	if (dl_archive(d) == -1)	// before the first archive_* call
 *		return -1;
 *
 * A module that calls them includes dl_curl.h or dl_archive.h instead
 * of <curl/curl.h> or <archive.h>: the same names, called through the
 * pointers dl.c fills from one table of the symbols used.  Loading is
 * done once, from any thread; a library that is absent, or lacks a
 * symbol, is an error each later call repeats.
 */
#ifndef TB_DL_H
#define TB_DL_H

#include "diag.h"

/* 0 once libcurl is loaded; -1 after adding to d (d may be NULL). */
int	dl_curl(struct diags *d);
/* 0 once libarchive is loaded; -1 after adding to d (d may be NULL). */
int	dl_archive(struct diags *d);
/* Why the library cannot be loaded, for a caller without diags. */
const char *dl_curl_error(void);
const char *dl_archive_error(void);

#endif
