/*
 * dl.c: libcurl and libarchive through dlopen(3) at first use, see dl.h:
 * one table of the symbols each module calls (dl_curl.h, dl_archive.h),
 * resolved all at once, so that a library too old to have one of them is
 * refused whole instead of failing in the middle of a fetch.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define DL_NO_REDIRECT
#include "dl_archive.h"
#include "dl_curl.h"

#define DL_DEFINE(f)	__typeof__(f) *dl_##f;
DL_CURL_SYMS(DL_DEFINE)
DL_ARCHIVE_SYMS(DL_DEFINE)

struct dl_sym {
	const char	*name;
	void		**ptr;
};

#define DL_ROW(f)	{ #f, (void **)&dl_##f },
static const struct dl_sym curl_syms[] = { DL_CURL_SYMS(DL_ROW) };
static const struct dl_sym archive_syms[] = { DL_ARCHIVE_SYMS(DL_ROW) };

struct dl_lib {
	const char		*soname;
	const char		*what;		/* for the message */
	const char		*package;	/* Debian's; others' in man */
	const struct dl_sym	*syms;
	size_t			 nsyms;
	pthread_once_t		 once;
	int			 ok;
	char			 err[512];
};

static struct dl_lib curl_lib = {
	"libcurl.so.4", "libcurl", "libcurl4",
	curl_syms, sizeof(curl_syms) / sizeof(curl_syms[0]),
	PTHREAD_ONCE_INIT, 0, ""
};
static struct dl_lib archive_lib = {
	"libarchive.so.13", "libarchive", "libarchive13",
	archive_syms, sizeof(archive_syms) / sizeof(archive_syms[0]),
	PTHREAD_ONCE_INIT, 0, ""
};

static void
load(struct dl_lib *l)
{
	const char *why;
	void *h, *p;
	size_t i;

	if ((h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		why = dlerror();
		snprintf(l->err, sizeof(l->err), "cannot load %s ('%s'): %s; "
		    "install the %s package (apt-get install %s; "
		    "dnf install %s)", l->what, l->soname,
		    why != NULL ? why : "not found", l->package, l->package,
		    l->what);
		return;
	}
	for (i = 0; i < l->nsyms; i++) {
		if ((p = dlsym(h, l->syms[i].name)) == NULL) {
			snprintf(l->err, sizeof(l->err), "'%s' has no %s(): "
			    "too old; install a newer %s package", l->soname,
			    l->syms[i].name, l->package);
			dlclose(h);
			return;
		}
		*l->syms[i].ptr = p;
	}
	l->ok = 1;	/* loaded for good: never dlclose()d */
}

static void
load_curl(void)
{
	load(&curl_lib);
}

static void
load_archive(void)
{
	load(&archive_lib);
}

static int
loaded(struct dl_lib *l, void (*fn)(void), struct diags *d)
{
	pthread_once(&l->once, fn);
	if (l->ok)
		return 0;
	if (d != NULL)
		diag_err(d, NULL, 0, "%s", l->err);
	return -1;
}

int
dl_curl(struct diags *d)
{
	return loaded(&curl_lib, load_curl, d);
}

int
dl_archive(struct diags *d)
{
	return loaded(&archive_lib, load_archive, d);
}

const char *
dl_curl_error(void)
{
	pthread_once(&curl_lib.once, load_curl);
	return curl_lib.ok ? NULL : curl_lib.err;
}

const char *
dl_archive_error(void)
{
	pthread_once(&archive_lib.once, load_archive);
	return archive_lib.ok ? NULL : archive_lib.err;
}
