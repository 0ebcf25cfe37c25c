/*
 * config.c: trustbuild.conf, see config.h.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ini.h"
#include "log.h"
#include "policy.h"
#include "output.h"
#include "source.h"
#include "xalloc.h"

const char config_default_text[] =
    "[output]\n"
    "bundle = " CONFIG_BUNDLE "\n"
    "capath = " CONFIG_CAPATH "\n"
    "purpose = server-auth\n"
    "state = " CONFIG_STATE "\n"
    "\n"
    "[source mozilla]\n"
    "store = mozilla        # falls back to the system store\n";

struct ctx {
	const char	*file;
	struct config	*c;
	enum spec_where	 sec;		/* 0: before the first section */
	void		*base;		/* the struct the section fills */
	uint64_t	 seen;		/* its keys given so far */
	int		 had_output, had_fetch, had_sendmail, had_postfix;
	int		 had_export;
	size_t		 sm_line;	/* of [sendmail] */
	size_t		 pf_line;	/* of [postfix] */
	size_t		 ex_line;	/* of [export] */
};

static void
probe_release(struct config_probe *p)
{
	free(p->name);
	free(p->url);
	free(p->servername);
	free(p->ehlo);
}

void
config_release(struct config *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->noutputs; i++) {
		free(c->outputs[i].name);
		free(c->outputs[i].format);
		free(c->outputs[i].path);
		free(c->outputs[i].password);
	}
	free(c->outputs);
	for (i = 0; i < c->nprobe; i++)
		probe_release(&c->probe[i]);
	free(c->probe);
	free(c->file);
	free(c->bundle);
	free(c->capath);
	free(c->state);
	free(c->hooks);
	free(c->reload);
	free(c->exclude);
	free(c->ca);
	free(c->sendmail.conf);
	free(c->sendmail.log);
	free(c->postfix.conf);
	free(c->postfix.log);
	free(c->export_dir);
	free(c->export_key);
	free(c->export_cert);
	for (i = 0; i < c->nsrc; i++)
		spec_release(&c->src[i]);
	free(c->src);
	memset(c, 0, sizeof(*c));
}

/* [output NAME] that ends: a format and a path; a password for pkcs12. */
static int
output_done(struct ctx *x, struct config_output *o, struct diags *d)
{
	if (o->w == NULL || o->path == NULL) {
		diag_err(d, x->file, o->line, "[output %s] needs 'format = "
		    "FORMAT' (%s) and 'path = PATH'", o->name,
		    output_formats());
		return -1;
	}
	if (o->password != NULL && strcmp(o->format, "pkcs12") != 0) {
		diag_err(d, x->file, o->line, "[output %s]: password is for "
		    "format = pkcs12 only", o->name);
		return -1;
	}
	return 0;
}

/* The section that ends is complete: a source names a store or a url, a
 * probe a url, [sendmail] where to look. */
static int
section_done(struct ctx *x, struct diags *d)
{
	struct config_probe *p = x->base;
	struct source_spec *s = x->base;
	struct config_output *o = x->base;

	if (x->sec == SPEC_OUTPUT_NAMED)
		return output_done(x, o, d);
	if (x->sec == SPEC_PROBE && p->url == NULL) {
		diag_err(d, x->file, p->line, "[probe %s] needs 'url = URL' "
		    "(e.g. smtp://mail.example.com:587)", p->name);
		return -1;
	}
	if (x->sec == SPEC_SENDMAIL && x->c->sendmail.conf == NULL &&
	    x->c->sendmail.log == NULL && !x->c->sendmail.journal) {
		diag_err(d, x->file, x->sm_line, "[sendmail] needs 'mc = FILE', "
		    "'log = FILE' or 'journal = yes' (e.g. mc = "
		    "/etc/mail/sendmail.mc)");
		return -1;
	}
	if (x->sec == SPEC_POSTFIX && x->c->postfix.conf == NULL &&
	    x->c->postfix.log == NULL && !x->c->postfix.journal) {
		diag_err(d, x->file, x->pf_line, "[postfix] needs 'config-dir = "
		    "DIR', 'log = FILE' or 'journal = yes' (e.g. config-dir = "
		    "/etc/postfix)");
		return -1;
	}
	if (x->sec == SPEC_EXPORT && (x->c->export_dir == NULL ||
	    x->c->export_key == NULL || x->c->export_cert == NULL)) {
		diag_err(d, x->file, x->ex_line, "[export] needs 'dir = DIR', "
		    "'key = FILE' and 'cert = FILE'");
		return -1;
	}
	if (x->sec != SPEC_SOURCE)
		return 0;
	if (s->store == NULL && s->url == NULL) {
		diag_err(d, x->file, s->line, "[source %s] needs 'store = NAME' "
		    "or 'url = URL'", s->name);
		return -1;
	}
	if (s->nsigner > 0 && (s->url == NULL || s->store != NULL ||
	    strncmp(s->url, "http", 4) != 0)) {
		diag_err(d, x->file, s->line, "[source %s]: signer is for a "
		    "signed store: give 'url = https://HOST/PATH/manifest' "
		    "(and no store)", s->name);
		return -1;
	}
	if (s->member != NULL && s->url != NULL &&
	    strchr(s->url, '#') != NULL && s->url[0] == '/') {
		diag_err(d, x->file, s->line, "[source %s] selects members "
		    "twice (url PATH#GLOB and member)", s->name);
		return -1;
	}
	return 0;
}

/* [output], [fetch], [sendmail] or [postfix]: once each, no name. */
static int
plain_section(struct ctx *x, const char *p, const char *name, size_t line,
    struct diags *d)
{
	int *had = p[0] == 'o' ? &x->had_output : p[0] == 'f' ?
	    &x->had_fetch : p[0] == 'p' ? &x->had_postfix : p[0] == 'e' ?
	    &x->had_export : &x->had_sendmail;

	if (*name != '\0') {
		diag_err(d, x->file, line, "[%s] takes no name", p);
		return -1;
	}
	if ((*had)++) {
		diag_err(d, x->file, line, "[%s] given twice", p);
		return -1;
	}
	x->sec = p[0] == 'o' ? SPEC_OUTPUT : p[0] == 'f' ? SPEC_FETCH :
	    p[0] == 'p' ? SPEC_POSTFIX : p[0] == 'e' ? SPEC_EXPORT :
	    SPEC_SENDMAIL;
	x->ex_line = x->sec == SPEC_EXPORT ? line : x->ex_line;
	x->base = x->c;
	if (x->sec == SPEC_SENDMAIL) {
		x->c->sendmail.set = 1;
		x->sm_line = line;
	}
	if (x->sec == SPEC_POSTFIX) {
		x->c->postfix.set = 1;
		x->pf_line = line;
	}
	return 0;
}

/* [output NAME]: one more output. */
static void
output_section(struct ctx *x, const char *name, size_t line)
{
	struct config *c = x->c;
	struct config_output *no;

	c->outputs = xreallocarray(c->outputs, c->noutputs + 1,
	    sizeof(*c->outputs));
	no = &c->outputs[c->noutputs++];
	memset(no, 0, sizeof(*no));
	no->name = xstrdup(name);
	no->line = line;
	x->sec = SPEC_OUTPUT_NAMED;
	x->base = no;
}

/* The name of an entry ([source NAME]...) of the list names (n of them,
 * each at stride bytes from the one before). */
static int
name_taken(const void *v, size_t n, size_t stride, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(*(char *const *)(const void *)((const char *)v +
		    i * stride), name) == 0)
			return 1;
	return 0;
}

/* "bundle", "capath": the names of the plain outputs (hooks see them). */
static int
plain_name(const char *name)
{
	const struct writer *w = output_writer_find(name);

	return w != NULL && w->cfg_field != OUTPUT_NO_KEY;
}

/* [source NAME], [probe NAME] or [output NAME]: a new entry at the end of
 * its list. */
static int
named_section(struct ctx *x, const char *p, const char *name, size_t line,
    struct diags *d)
{
	struct config *c = x->c;
	int probe = p[0] == 'p', out = p[0] == 'o';
	size_t n = out ? c->noutputs : probe ? c->nprobe : c->nsrc;

	if (*name == '\0') {
		diag_err(d, x->file, line, "[%s] needs a name: [%s NAME]", p, p);
		return -1;
	}
	if (name[0] == '.' || strspn(name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(name) ||
	    strlen(name) > 64) {
		diag_err(d, x->file, line, "name '%s': use letters, digits, "
		    "'.', '_' and '-' (at most 64)", name);
		return -1;
	}
	if (out ? name_taken(c->outputs, n, sizeof(*c->outputs), name) ||
	    plain_name(name) : probe ? name_taken(c->probe, n,
	    sizeof(*c->probe), name) : name_taken(c->src, n,
	    sizeof(*c->src), name)) {
		diag_err(d, x->file, line, out && plain_name(name) ?
		    "[output %s]: the name of a writer of the plain [output] "
		    "section; choose another" : "[%s %s] given twice", p,
		    name);
		return -1;
	}
	if (n == (out ? CONFIG_MAX_OUTPUTS : probe ? CONFIG_MAX_PROBES :
	    CONFIG_MAX_SOURCES)) {
		diag_err(d, x->file, line, "more than %zu %s at [%s %s]", n,
		    out ? "outputs" : probe ? "probes" : "sources", p, name);
		return -1;
	}
	if (out)
		output_section(x, name, line);
	else if (probe) {
		struct config_probe *np;

		c->probe = xreallocarray(c->probe, n + 1, sizeof(*c->probe));
		np = &c->probe[c->nprobe++];
		memset(np, 0, sizeof(*np));
		np->name = xstrdup(name);
		np->line = line;
		np->chase = 1;
		np->keep = UINT_MAX;	/* [output] probe-keep */
		x->sec = SPEC_PROBE;
		x->base = np;
	} else {
		struct source_spec *ns;

		c->src = xreallocarray(c->src, n + 1, sizeof(*c->src));
		ns = &c->src[c->nsrc++];
		memset(ns, 0, sizeof(*ns));
		ns->name = xstrdup(name);
		ns->file = xstrdup(x->file);
		ns->line = line;
		x->sec = SPEC_SOURCE;
		x->base = ns;
	}
	return 0;
}

/* A header "[p name]" (p modified). */
static int
section(struct ctx *x, char *p, size_t line, struct diags *d)
{
	char *name;

	if (section_done(x, d) == -1)
		return -1;
	x->seen = 0;
	name = p + strcspn(p, " \t");
	if (*name != '\0') {
		*name++ = '\0';
		name += strspn(name, " \t");
	}
	if ((strcmp(p, "output") == 0 && *name == '\0') ||
	    strcmp(p, "fetch") == 0 || strcmp(p, "sendmail") == 0 ||
	    strcmp(p, "postfix") == 0 || strcmp(p, "export") == 0)
		return plain_section(x, p, name, line, d);
	if (strcmp(p, "source") == 0 || strcmp(p, "probe") == 0 ||
	    strcmp(p, "output") == 0)
		return named_section(x, p, name, line, d);
	diag_err(d, x->file, line, "unknown section [%s] (output, output "
	    "NAME, fetch, source NAME, probe NAME, sendmail, postfix, "
	    "export)", p);
	return -1;
}

static int
line_fn(void *arg, const struct ini_line *l, struct diags *d)
{
	struct ctx *x = arg;

	if (l->section != NULL)
		return section(x, l->section, l->line, d);
	if (x->sec == 0) {
		diag_err(d, x->file, l->line, "'%s' outside a section; start "
		    "with [output] or [source NAME]", l->key);
		return -1;
	}
	return spec_set(x->sec, x->base, x->file, l->line, l->key, l->value,
	    &x->seen, d);
}

static void
defaults(struct config *c, const char *file)
{
	memset(c, 0, sizeof(*c));
	c->file = xstrdup(file);
	c->bundle = xstrdup(CONFIG_BUNDLE);
	c->capath = xstrdup(CONFIG_CAPATH);
	c->state = xstrdup(CONFIG_STATE);
	c->hooks = xstrdup(CONFIG_HOOKS);
	c->purpose = PURPOSE_SERVER_AUTH;
	c->distrust = DISTRUST_MODE_DEFAULT;
	c->leaf_lifetime = POLICY_LEAF_LIFETIME;
	c->shrink_limit = 10;
	c->lock_wait = 120;
	c->connect_timeout = 30;
	c->timeout = 300;
	c->hook_timeout = 120;
	c->max_size = 64 * 1024 * 1024;
	c->probe_parallel = 16;
	c->probe_keep = 30;
	c->warn_days = 30;
	c->export_valid_for = CONFIG_VALID_FOR;
}

/* Two outputs of one path would overwrite each other: refused. */
static int
same_paths(const struct config *c, const char *file, struct diags *d)
{
	const char *v[CONFIG_MAX_OUTPUTS + 2], *who[CONFIG_MAX_OUTPUTS + 2];
	size_t n = 0, i, j;

	if (c->bundle != NULL) {
		who[n] = "bundle";
		v[n++] = c->bundle;
	}
	if (c->capath != NULL) {
		who[n] = "capath";
		v[n++] = c->capath;
	}
	for (i = 0; i < c->noutputs; i++) {
		who[n] = c->outputs[i].name;
		v[n++] = c->outputs[i].path;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(v[i], v[j]) == 0) {
				diag_err(d, file, 0, "outputs %s and %s both "
				    "write '%s'; give each its own path",
				    who[j], who[i], v[i]);
				return -1;
			}
	return 0;
}

int
config_parse(const char *file, const char *buf, size_t len, struct config *c,
    struct diags *d)
{
	static const struct ini_rules rules = { INI_SECTIONS, 4096, 0, 0 };
	struct ctx x;
	size_t i;

	defaults(c, file);
	memset(&x, 0, sizeof(x));
	x.file = file;
	x.c = c;
	if (ini_parse(file, buf, len, &rules, line_fn, &x, d) == -1 ||
	    section_done(&x, d) == -1)
		goto fail;
	for (i = 0; i < c->nprobe; i++)
		if (c->probe[i].keep == UINT_MAX)
			c->probe[i].keep = c->probe_keep;
	if (c->nsrc == 0) {
		diag_err(d, file, 0, "no [source NAME] section; name at least "
		    "one root set (for example: [source mozilla] store = "
		    "mozilla)");
		goto fail;
	}
	if (c->bundle == NULL && c->capath == NULL && c->noutputs == 0) {
		diag_err(d, file, 0, "[output] writes nothing; set bundle = "
		    "FILE and/or capath = DIR, or add an [output NAME]");
		goto fail;
	}
	if (same_paths(c, file, d) == -1)
		goto fail;
	return 0;
fail:
	config_release(c);
	return -1;
}

void
config_default(struct config *c)
{
	if (config_parse("built-in", config_default_text,
	    sizeof(config_default_text) - 1, c, NULL) == -1)
		abort();	/* the text above is wrong */
}

int config_insecure_ok;

/* "owned by uid 1000 and writable by others" of st, or NULL: trusted. */
static const char *
untrusted(const struct stat *st, int parent, char *why, size_t size)
{
	int w = (st->st_mode & 022) != 0;

	/* above it: a sticky directory (/tmp) lets no one rename what is ours */
	if (parent && S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX))
		w = 0;
	if (st->st_uid == 0 && !w)
		return NULL;
	if (st->st_uid != 0)
		snprintf(why, size, "owned by uid %ld%s", (long)st->st_uid,
		    w ? " and writable by others" : "");
	else
		snprintf(why, size, "writable by %s",
		    (st->st_mode & 022) == 022 ? "group and others" :
		    (st->st_mode & 020) ? "group" : "others");
	return why;
}

int
config_owner_ok(const char *path, const struct stat *st, const char *what,
    struct diags *d)
{
	struct stat pst;
	char why[128], *p, *slash, cwd[4096];

	if (geteuid() != 0 || config_insecure_ok)
		return 0;
	if (untrusted(st, 0, why, sizeof(why)) != NULL) {
		diag_err(d, path, 0, "%s; as root trustbuild refuses a %s "
		    "another user can change: chown root and chmod go-w, or "
		    "pass --insecure-ok", why, what);
		return -1;
	}
	/* each directory above: could someone swap it? */
	if (path[0] == '/')
		p = xstrdup(path);
	else if (getcwd(cwd, sizeof(cwd)) != NULL)
		p = xasprintf("%s/%s", cwd, path);
	else {
		diag_err(d, path, 0, "%s", strerror(errno));
		return -1;
	}
	while ((slash = strrchr(p, '/')) != NULL) {
		if (slash == p)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (stat(p, &pst) == -1) {
			diag_err(d, p, 0, "%s", strerror(errno));
			break;
		}
		if (untrusted(&pst, 1, why, sizeof(why)) != NULL) {
			diag_err(d, p, 0, "%s, and it holds the %s '%s'; as "
			    "root trustbuild refuses a %s another user can "
			    "change: chown root and chmod go-w (or +t), or pass "
			    "--insecure-ok", why, what, path, what);
			break;
		}
		if (slash == p) {
			free(p);
			return 0;
		}
	}
	free(p);
	return -1;
}

/* The hooks directory, each hook and the reload command's program. */
static int
check_hooks(const struct config *c, struct diags *d)
{
	struct stat st;
	struct dirent *de;
	char *prog, path[4096];
	DIR *dir;
	int rc = 0;

	if (geteuid() != 0 || config_insecure_ok)
		return 0;
	if (c->hooks != NULL && stat(c->hooks, &st) == 0) {
		if (config_owner_ok(c->hooks, &st, "hooks directory", d) == -1)
			return -1;
		if ((dir = opendir(c->hooks)) != NULL) {
			while (rc == 0 && (de = readdir(dir)) != NULL) {
				if (de->d_name[0] == '.')
					continue;
				snprintf(path, sizeof(path), "%s/%s", c->hooks,
				    de->d_name);
				if (stat(path, &st) == 0 && S_ISREG(st.st_mode)
				    && (st.st_mode & 0111) &&
				    config_owner_ok(path, &st, "hook", d) == -1)
					rc = -1;
			}
			closedir(dir);
		}
	}
	/* "/usr/sbin/x args": the program that runs as root */
	if (rc == 0 && c->reload != NULL && c->reload[0] == '/') {
		prog = xstrndup(c->reload, strcspn(c->reload, " \t"));
		if (stat(prog, &st) == 0 &&
		    config_owner_ok(prog, &st, "reload program", d) == -1)
			rc = -1;
		free(prog);
	}
	return rc;
}

/*
 * A PKCS#12 password in a file others can read: a warning, not a refusal.
 * The truststore holds public certificates and is published 0644; its
 * password only keys the MAC that Java checks, and anyone who can read the
 * store can recompute it.  It is no secret, but a reused one would be.
 */
static void
password_exposed(const char *path, const struct stat *st,
    const struct config *c, struct diags *d)
{
	size_t i;

	if (!(st->st_mode & 004))
		return;
	for (i = 0; i < c->noutputs; i++)
		if (c->outputs[i].password != NULL) {
			diag_warn(d, path, c->outputs[i].line, "[output %s]: "
			    "its password is readable by every user (mode "
			    "%04o); chmod o-r '%s' if it is used anywhere else",
			    c->outputs[i].name, (unsigned)(st->st_mode & 07777),
			    path);
			return;
		}
}

int
config_load(const char *path, struct config *c, struct diags *d)
{
	struct stat st;
	unsigned char *buf;
	size_t len;
	int rc;

	if (source_read_at(AT_FDCWD, path, path, CONFIG_MAX_FILE, 0, &st, &buf,
	    &len, d) == -1)
		return -1;
	if (config_owner_ok(path, &st, "configuration", d) == -1) {
		free(buf);
		return -1;
	}
	rc = config_parse(path, (char *)buf, len, c, d);
	free(buf);
	if (rc == 0)
		password_exposed(path, &st, c, d);
	if (rc == 0 && check_hooks(c, d) == -1) {
		config_release(c);
		return -1;
	}
	return rc;
}

int
config_find(const char *file, struct config *c, struct diags *d)
{
	const char *def = getenv("TRUSTBUILD_CONF");

	if (file != NULL)
		return config_load(file, c, d);
	if (def == NULL || *def == '\0')
		def = CONFIG_FILE;
	if (access(def, F_OK) == 0)
		return config_load(def, c, d);
	diag_info(d, NULL, 0, "no '%s': the built-in configuration applies",
	    def);
	config_default(c);
	if (check_hooks(c, d) == -1) {
		config_release(c);
		return -1;
	}
	return 0;
}
