/*
 * dl_archive.h: <archive.h> and <archive_entry.h> with every function
 * trustbuild calls going through a pointer that dl.c fills at
 * dl_archive(); see dl.h.  A function newly called needs its row in
 * DL_ARCHIVE_SYMS and its #define below.
 */
#ifndef TB_DL_ARCHIVE_H
#define TB_DL_ARCHIVE_H

#include <archive.h>
#include <archive_entry.h>

#include "dl.h"

#define DL_ARCHIVE_SYMS(X)						\
	X(archive_entry_filetype) X(archive_entry_hardlink)		\
	X(archive_entry_pathname) X(archive_entry_size)			\
	X(archive_entry_size_is_set) X(archive_errno)			\
	X(archive_error_string) X(archive_filter_code)			\
	X(archive_read_data) X(archive_read_free) X(archive_read_new)	\
	X(archive_read_next_header) X(archive_read_open_fd)		\
	X(archive_read_open_memory)					\
	X(archive_read_support_filter_bzip2)				\
	X(archive_read_support_filter_compress)				\
	X(archive_read_support_filter_gzip)				\
	X(archive_read_support_filter_lz4)				\
	X(archive_read_support_filter_lzma)				\
	X(archive_read_support_filter_rpm)				\
	X(archive_read_support_filter_xz)				\
	X(archive_read_support_filter_zstd)				\
	X(archive_read_support_format_7zip)				\
	X(archive_read_support_format_ar)				\
	X(archive_read_support_format_cab)				\
	X(archive_read_support_format_cpio)				\
	X(archive_read_support_format_raw)				\
	X(archive_read_support_format_tar)				\
	X(archive_read_support_format_zip)

#define DL_ADECLARE(f)	extern __typeof__(f) *dl_##f;
DL_ARCHIVE_SYMS(DL_ADECLARE)

#ifndef DL_NO_REDIRECT
#define archive_entry_filetype	dl_archive_entry_filetype
#define archive_entry_hardlink	dl_archive_entry_hardlink
#define archive_entry_pathname	dl_archive_entry_pathname
#define archive_entry_size	dl_archive_entry_size
#define archive_entry_size_is_set dl_archive_entry_size_is_set
#define archive_errno		dl_archive_errno
#define archive_error_string	dl_archive_error_string
#define archive_filter_code	dl_archive_filter_code
#define archive_read_data	dl_archive_read_data
#define archive_read_free	dl_archive_read_free
#define archive_read_new	dl_archive_read_new
#define archive_read_next_header dl_archive_read_next_header
#define archive_read_open_fd	dl_archive_read_open_fd
#define archive_read_open_memory dl_archive_read_open_memory
#define archive_read_support_filter_bzip2 dl_archive_read_support_filter_bzip2
#define archive_read_support_filter_compress dl_archive_read_support_filter_compress
#define archive_read_support_filter_gzip dl_archive_read_support_filter_gzip
#define archive_read_support_filter_lz4 dl_archive_read_support_filter_lz4
#define archive_read_support_filter_lzma dl_archive_read_support_filter_lzma
#define archive_read_support_filter_rpm dl_archive_read_support_filter_rpm
#define archive_read_support_filter_xz dl_archive_read_support_filter_xz
#define archive_read_support_filter_zstd dl_archive_read_support_filter_zstd
#define archive_read_support_format_7zip dl_archive_read_support_format_7zip
#define archive_read_support_format_ar dl_archive_read_support_format_ar
#define archive_read_support_format_cab dl_archive_read_support_format_cab
#define archive_read_support_format_cpio dl_archive_read_support_format_cpio
#define archive_read_support_format_raw dl_archive_read_support_format_raw
#define archive_read_support_format_tar dl_archive_read_support_format_tar
#define archive_read_support_format_zip dl_archive_read_support_format_zip
#endif

#endif
