/*
 * dl_curl.h: <curl/curl.h> with every function trustbuild calls going
 * through a pointer that dl.c fills at dl_curl(); see dl.h.  A function
 * newly called needs its row in DL_CURL_SYMS and its #define below.
 */
#ifndef TB_DL_CURL_H
#define TB_DL_CURL_H

#include <curl/curl.h>

#include "dl.h"

#define DL_CURL_SYMS(X)							\
	X(curl_easy_cleanup) X(curl_easy_getinfo) X(curl_easy_header)	\
	X(curl_easy_init) X(curl_easy_perform) X(curl_easy_setopt)	\
	X(curl_easy_strerror) X(curl_free) X(curl_global_init)		\
	X(curl_slist_append) X(curl_slist_free_all) X(curl_url)		\
	X(curl_url_cleanup) X(curl_url_get) X(curl_url_set)

#define DL_DECLARE(f)	extern __typeof__(f) *dl_##f;
DL_CURL_SYMS(DL_DECLARE)

#ifndef DL_NO_REDIRECT
/* curl.h's wrappers of these two call the library's symbol by name */
#undef curl_easy_getinfo
#undef curl_easy_setopt
#define curl_easy_cleanup	dl_curl_easy_cleanup
#define curl_easy_getinfo	dl_curl_easy_getinfo
#define curl_easy_header	dl_curl_easy_header
#define curl_easy_init		dl_curl_easy_init
#define curl_easy_perform	dl_curl_easy_perform
#define curl_easy_setopt	dl_curl_easy_setopt
#define curl_easy_strerror	dl_curl_easy_strerror
#define curl_free		dl_curl_free
#define curl_global_init	dl_curl_global_init
#define curl_slist_append	dl_curl_slist_append
#define curl_slist_free_all	dl_curl_slist_free_all
#define curl_url		dl_curl_url
#define curl_url_cleanup	dl_curl_url_cleanup
#define curl_url_get		dl_curl_url_get
#define curl_url_set		dl_curl_url_set
#endif

#endif
