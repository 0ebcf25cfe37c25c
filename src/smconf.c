/*
 * smconf.c: sendmail's effective configuration; see smconf.h.  The m4
 * trace is in smconf_m4.c.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "diag.h"
#include "mailcheck.h"
#include "publish.h"
#include "smconf.h"
#include "smconf_m4.h"

/* Where the cf macros may be: the first with m4/cf.m4 is used. */
static const char *cfdirs[] = { "/usr/share/sendmail/cf",
    "/usr/share/sendmail-cf", "/usr/lib/mail", "/usr/share/sendmail" };

/* What the include reader needs. */
struct reader {
	struct smconf	*s;
	int		 untrusted;	/* a file m4 must not run */
	char		 base[PATH_MAX];	/* the .mc's directory */
};

static int
is_cf_macros(const char *f)
{
	size_t n = strlen(f);

	return strstr(f, "/cf/m4/") != NULL || (n >= 5 &&
	    strcmp(f + n - 5, "cf.m4") == 0) || strstr(f, "sendmail-cf/") !=
	    NULL;
}

/* Is path a file only root (or we) can change?  Not root: yes. */
static int
trusted(const char *path, const struct stat *st)
{
	struct diags d = DIAGS_INIT;
	int ok = config_owner_ok(path, st, "file", &d) == 0;

	diags_clear(&d);
	return ok;
}

static char *
read_file(const char *path, size_t *len, time_t *mtime, int *untrusted,
    char *why, size_t whysize)
{
	const char *w;
	struct stat st;
	char *buf;

	if ((buf = mailcheck_read(path, SMCONF_MAX_FILE, 0, len, NULL, &w)) ==
	    NULL) {
		snprintf(why, whysize, "%s", w);
		return NULL;
	}
	if (stat(path, &st) == 0) {
		if (st.st_mtime > *mtime)
			*mtime = st.st_mtime;
		if (untrusted != NULL && !trusted(path, &st))
			*untrusted = 1;
	}
	return buf;
}

/* sm_include_fn: the files the .mc includes, but the cf macros. */
static char *
include(void *arg, const char *file, size_t *len)
{
	struct reader *r = arg;
	char path[PATH_MAX], why[160];

	if (is_cf_macros(file)) {
		r->s->mc_has_cf = 1;
		return NULL;
	}
	/* m4 looks for a relative name in its working directory: the .mc's */
	if ((size_t)snprintf(path, sizeof(path), "%s%s%s", file[0] == '/' ?
	    "" : r->base, file[0] == '/' ? "" : "/", file) >= sizeof(path))
		return NULL;
	return read_file(path, len, &r->s->mc_mtime, &r->untrusted, why,
	    sizeof(why));
}

static void
find_cfdir(struct smconf *s)
{
	char p[512];
	size_t i;

	for (i = 0; i < sizeof(cfdirs) / sizeof(cfdirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/m4/cf.m4", cfdirs[i]);
		if (access(p, R_OK) == 0) {
			snprintf(s->cfdir, sizeof(s->cfdir), "%s", cfdirs[i]);
			return;
		}
	}
}

/* The .cf's path made absolute (its directory resolved), for commands. */
static void
cf_abs(struct smconf *s)
{
	char dir[PATH_MAX], *d;
	const char *base;

	snprintf(s->cfabs, sizeof(s->cfabs), "%s", s->cfpath ? s->cfpath : "");
	if (s->cfpath == NULL || s->cfpath[0] == '/')
		return;
	d = publish_dirname(s->cfpath);
	base = strrchr(s->cfpath, '/') ? strrchr(s->cfpath, '/') + 1 :
	    s->cfpath;
	if (realpath(d, dir) != NULL && strlen(dir) + strlen(base) + 2 <
	    sizeof(s->cfabs))
		snprintf(s->cfabs, sizeof(s->cfabs), "%.2048s/%.2000s",
		    strcmp(dir, "/") ? dir : "", base);
	free(d);
}

int
smconf_load(struct smconf *s, const char *mcpath, const char *cfpath,
    unsigned flags)
{
	struct reader r;
	char *buf, *slash;
	size_t len;

	memset(s, 0, sizeof(*s));
	memset(&r, 0, sizeof(r));
	s->mcpath = mcpath;
	/* m4 runs in the .mc's directory, given its absolute path */
	if (mcpath == NULL || realpath(mcpath, s->mcabs) == NULL)
		snprintf(s->mcabs, sizeof(s->mcabs), "%s", mcpath ? mcpath :
		    "");
	s->cfpath = cfpath;
	r.s = s;
	snprintf(r.base, sizeof(r.base), "%s", mcpath);
	if ((slash = strrchr(r.base, '/')) != NULL)
		*(slash == r.base ? slash + 1 : slash) = '\0';
	else
		snprintf(r.base, sizeof(r.base), ".");
	find_cfdir(s);
	cf_abs(s);
	if (mcpath != NULL && (buf = read_file(mcpath, &len, &s->mc_mtime,
	    &r.untrusted, s->mc_why, sizeof(s->mc_why))) != NULL) {
		s->have_mc = 1;
		sm_parse_mc_with(buf, len, &s->mc, include, &r);
		free(buf);
		if (!(flags & SMCONF_M4))
			snprintf(s->m4_why, sizeof(s->m4_why), "not asked");
		else if (r.untrusted)
			snprintf(s->m4_why, sizeof(s->m4_why), "'%s' or a file "
			    "it includes can be changed by another user: m4 "
			    "would run what it says as root", mcpath);
		else
			s->traced = smconf_m4_trace(s, s->m4_why,
			    sizeof(s->m4_why)) == 0;
	}
	if (cfpath != NULL && (buf = read_file(cfpath, &len, &s->cf_mtime,
	    NULL, s->cf_why, sizeof(s->cf_why))) != NULL) {
		s->have_cf = 1;
		sm_parse_cf(buf, len, &s->cf);
		free(buf);
	}
	return s->have_mc || s->have_cf ? 0 : -1;
}

const char *
smconf_file(const struct smconf *s, const struct sm_setting *st)
{
	return st->file[0] != '\0' ? st->file : s->mcpath;
}

int
smconf_build_argv(const struct smconf *s, char *dbuf, size_t dsize,
    char *mbuf, size_t msize, const char *argv[])
{
	int n = 0;

	argv[n++] = "m4";
	if (!s->mc_has_cf) {
		if (s->cfdir[0] == '\0')
			return -1;
		snprintf(dbuf, dsize, "-D_CF_DIR_=%s/", s->cfdir);
		snprintf(mbuf, msize, "%s/m4/cf.m4", s->cfdir);
		argv[n++] = dbuf;
		argv[n++] = mbuf;
	}
	argv[n++] = s->mcabs;
	argv[n] = NULL;
	return n;
}

/* The mailertable's text source, from FEATURE(`mailertable', SPEC). */
static void
mailertable_path(const struct smconf *s, char *out, size_t size)
{
	const struct sm_setting *m = s->have_mc ? &s->mc.s[SM_MAILERTABLE] :
	    &s->cf.s[SM_MAILERTABLE];
	const char *v = m->value, *sp;
	size_t n;

	out[0] = '\0';
	if (m->state != SM_SET)
		return;
	/* "hash -o /etc/mail/mailertable": the last word; default */
	if ((sp = strrchr(v, ' ')) != NULL)
		v = sp + 1;
	if (v[0] != '/')
		v = "/etc/mail/mailertable";
	snprintf(out, size, "%s", v);
	n = strlen(out);
	if (n > 3 && strcmp(out + n - 3, ".db") == 0)
		out[n - 3] = '\0';
}

int
smconf_relays(const struct smconf *s, struct mta_target *out, int max)
{
	const struct sm_config *c = s->have_mc ? &s->mc : &s->cf;
	char path[PATH_MAX], *mt = NULL;
	const char *why;
	size_t len = 0;
	int n;

	mailertable_path(s, path, sizeof(path));
	if (path[0] != '\0')
		mt = mailcheck_read(path, SMCONF_MAX_FILE, 0, &len, NULL, &why);
	n = sm_relays(c, mt, len, out, max);
	free(mt);
	return n;
}
