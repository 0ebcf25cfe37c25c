/*
 * cmd_sendmail.c: "trustbuild sendmail-check" and "sendmail-setup".
 *
 * sendmail-check reads sendmail.mc, sendmail.cf and the mail log (parsed by
 * sendmail.c), looks at the CA file and directory they name, and reports
 * each finding with the exact fix: a define commented out by dnl (line
 * and column), only one of CACertFile and CACertPath (then sendmail loads
 * no CA data at all), a .cf older than or different from the .mc, files
 * that are missing, empty, unsafe or broken hash links, relays that log
 * verify=FAIL.  sendmail-setup prints what to write.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "certset.h"
#include "cmd.h"
#include "config.h"
#include "json.h"
#include "log.h"
#include "pem.h"
#include "sendmail.h"
#include "source.h"
#include "text.h"

#define EXIT_NOCONFIG	3
#define MC_DEFAULT	"/etc/mail/sendmail.mc"
#define CF_DEFAULT	"/etc/mail/sendmail.cf"
#define BIG_CAFILE	40	/* certificates sent as acceptable client CAs */
#define SOON		(30 * 24 * 3600)
#define LOG_MAX		(256 * 1024 * 1024)	/* read from a mail log */

enum level { L_OK, L_NOTE, L_PROBLEM };

struct report {
	int	json;
	int	problems;
	int	n;
};

static void
finding(struct report *r, enum level lv, const char *fix, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static void
finding(struct report *r, enum level lv, const char *fix, const char *fmt,
    ...)
{
	static const char *word[] = { "ok", "note", "problem" };
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (lv == L_PROBLEM)
		r->problems++;
	if (r->json) {
		printf("%s{\"level\":\"%s\",\"message\":", r->n ? "," : "",
		    word[lv]);
		json_str(msg);
		if (fix != NULL) {
			printf(",\"fix\":");
			json_str(fix);
		}
		printf("}");
	} else {
		/* what a mail log or a .mc says is quoted: escaped (text.h) */
		char esc[4096];

		printf("%-8s %s\n", lv == L_PROBLEM ? "PROBLEM:" : lv == L_NOTE ?
		    "note:" : "ok:", text_esc(msg, esc, sizeof(esc)));
		if (fix != NULL)
			printf("         fix: %s\n", text_esc(fix, esc,
			    sizeof(esc)));
	}
	r->n++;
}

static char *
slurp(const char *path, size_t *len)
{
	unsigned char *buf;
	struct stat st;

	/* what cannot be read is a finding of the caller's: no diags kept */
	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode) ||
	    access(path, R_OK) != 0 ||
	    source_read_file(path, 256 * 1024 * 1024, &buf, len, NULL) == -1)
		buf = NULL;
	return (char *)buf;
}

/*
 * The last max bytes of a log, from the first whole line on (*cut set)
 * when it is longer; NULL with the reason in *why when it cannot be read.
 */
static char *
slurp_tail(const char *path, size_t max, size_t *len, int *cut,
    const char **why)
{
	struct stat st;
	char *buf = NULL, *nl;
	size_t n = 0;
	ssize_t r;
	off_t from = 0;
	int fd;

	*cut = 0;
	*why = "not a regular file";
	/* O_NONBLOCK: a FIFO given as the log must not hang the check */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1 ||
	    fstat(fd, &st) == -1) {
		*why = strerror(errno);
		goto fail;
	}
	if (!S_ISREG(st.st_mode))
		goto fail;
	if ((size_t)st.st_size > max) {
		from = st.st_size - (off_t)max;
		*cut = 1;
	} else
		max = (size_t)st.st_size;
	if ((buf = malloc(max + 1)) == NULL ||
	    lseek(fd, from, SEEK_SET) == -1) {
		*why = strerror(errno);
		goto fail;
	}
	/* a log grows while read: what came after fstat is left for later */
	while (n < max && ((r = read(fd, buf + n, max - n)) > 0 ||
	    (r == -1 && errno == EINTR)))
		if (r > 0)
			n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	if (*cut && (nl = memchr(buf, '\n', n)) != NULL) {
		n -= (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, n + 1);
	}
	*len = n;
	return buf;
fail:
	if (fd != -1)
		close(fd);
	free(buf);
	return NULL;
}

static const char *
day(time_t t, char *buf, size_t size)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M UTC", &tm);
	return buf;
}

/* The .mc lines that set a CA file and directory, as text for a fix. */
static void
mc_lines(const char *bundle, const char *capath, char *out, size_t size)
{
	snprintf(out, size, "define(`confCACERT_PATH', `%s')dnl and "
	    "define(`confCACERT', `%s')dnl", capath, bundle);
}

static const char REBUILD[] = "then rebuild sendmail.cf (cd /etc/mail && "
    "make, or m4 sendmail.mc > sendmail.cf) and restart sendmail";

/* A line cut at SM_MAX_LINE bytes: what came after was not read. */
static void
long_line(struct report *r, const char *path, const struct sm_config *c)
{
	if (c->long_line != 0)
		finding(r, L_NOTE, "break the line", "%s:%zu: a line longer "
		    "than %d bytes; only its first %d were read", path,
		    c->long_line, SM_MAX_LINE, SM_MAX_LINE);
}

static void
check_mc(struct report *r, const char *path, const struct sm_config *mc,
    const char *bundle, const char *capath)
{
	static const enum sm_key keys[] = { SM_CACERT, SM_CACERT_PATH };
	char fix[8192];
	size_t i;

	for (i = 0; i < 2; i++) {
		const struct sm_setting *s = &mc->s[keys[i]];
		const char *name = sm_mc_name(keys[i]);
		const char *where = s->file[0] ? s->file : path;

		switch (s->state) {
		case SM_SET:
			finding(r, L_OK, NULL, "%s:%zu: %s is '%s'%s%s%s",
			    where, s->line, name, s->value, s->file[0] ?
			    " (included by " : "", s->file[0] ? path : "",
			    s->file[0] ? ")" : "");
			break;
		case SM_COMMENTED:
			snprintf(fix, sizeof(fix), "delete the '%s' at line %zu, "
			    "column %zu, %s", s->text[s->col - 1] == '#' ? "#" :
			    "dnl", s->line, s->col, REBUILD);
			finding(r, L_PROBLEM, fix, "%s:%zu:%zu: %s is commented "
			    "out by '%s' (it has no effect): %s", where, s->line,
			    s->col, name, s->text[s->col - 1] == '#' ? "#" :
			    "dnl", s->text);
			break;
		case SM_ABSENT:
			snprintf(fix, sizeof(fix), "add define(`%s', `%s')dnl; "
			    "%s", name, keys[i] == SM_CACERT ? bundle : capath,
			    REBUILD);
			finding(r, L_PROBLEM, fix, "%s does not define %s",
			    path, name);
			break;
		}
	}
	long_line(r, path, mc);
}

static void
check_cf(struct report *r, const char *path, const struct sm_config *cf,
    const struct sm_config *mc, const char *mcpath)
{
	static const enum sm_key keys[] = { SM_CACERT, SM_CACERT_PATH };
	char fix[8192];
	size_t i;

	for (i = 0; i < 2; i++) {
		const struct sm_setting *s = &cf->s[keys[i]];
		const struct sm_setting *m = mc ? &mc->s[keys[i]] : NULL;
		const char *name = sm_cf_name(keys[i]);

		if (s->state == SM_SET)
			finding(r, L_OK, NULL, "%s:%zu: %s=%s", path, s->line,
			    name, s->value);
		else if (s->state == SM_COMMENTED) {
			snprintf(fix, sizeof(fix), "set %s in sendmail.mc and "
			    "regenerate the .cf: %s", sm_mc_name(keys[i]),
			    REBUILD);
			finding(r, L_PROBLEM, fix, "%s:%zu: '%s' is commented "
			    "out", path, s->line, s->text);
		} else
			finding(r, L_PROBLEM, "define it in sendmail.mc and "
			    "regenerate the .cf", "%s sets no %s", path, name);
		if (m != NULL && m->state == SM_SET && (s->state != SM_SET ||
		    strcmp(m->value, s->value) != 0)) {
			snprintf(fix, sizeof(fix), "regenerate the .cf: %s",
			    REBUILD);
			finding(r, L_PROBLEM, fix, "%s says %s '%s', but %s "
			    "has %s%s%s: the .cf was not rebuilt after the .mc "
			    "was edited", mcpath, sm_mc_name(keys[i]), m->value,
			    path, s->state == SM_SET ? name : "no ",
			    s->state == SM_SET ? "=" : name,
			    s->state == SM_SET ? s->value : "");
		}
	}
	long_line(r, path, cf);
}

/* Is every directory from / to path safe for sendmail (not g/o-writable)? */
static void
check_safety(struct report *r, const char *path, const char *what,
    const char *dbs)
{
	char dir[4096], fix[8192], *slash;
	struct stat st;

	if (stat(path, &st) == 0) {
		if (st.st_uid != 0 && st.st_uid != geteuid())
			finding(r, L_PROBLEM, "chown root", "%s '%s' is owned "
			    "by uid %u: sendmail wants root (or its own user)",
			    what, path, (unsigned)st.st_uid);
		if (st.st_mode & 022) {
			snprintf(fix, sizeof(fix), "chmod go-w '%s'", path);
			finding(r, L_NOTE, fix, "%s '%s' is group or world "
			    "writable: sendmail logs it as unsafe (8.17 loads it "
			    "all the same; anyone in that group can change what "
			    "sendmail trusts)", what, path);
		}
	}
	snprintf(dir, sizeof(dir), "%s", path);
	while ((slash = strrchr(dir, '/')) != NULL) {
		*(slash == dir ? slash + 1 : slash) = '\0';
		if (stat(dir, &st) == 0 && (st.st_mode & 022) &&
		    !(st.st_mode & S_ISVTX)) {
			snprintf(fix, sizeof(fix), "chmod go-w '%s'%s", dir,
			    dbs ? " (DontBlameSendmail is set; it may relax "
			    "this)" : "");
			finding(r, L_NOTE, fix, "directory '%s' on the path "
			    "of %s '%s' is group or world writable: sendmail "
			    "logs the file as unsafe (8.17 loads it all the "
			    "same)", dir, what, path);
		}
		if (slash == dir)
			break;
	}
}

static void
check_cafile(struct report *r, const char *path, int server,
    const char *dbs)
{
	struct certset *set;
	struct stat st;
	char *buf, when[40], name[512];
	size_t len, i, expired = 0, soon = 0;
	time_t now = time(NULL);
	int n;

	if (path[0] != '/') {
		finding(r, L_PROBLEM, "give an absolute path", "CACertFile "
		    "'%s' is not an absolute path", path);
		return;
	}
	if (stat(path, &st) == -1) {
		finding(r, L_PROBLEM, "publish it: 'trustbuild update' with "
		    "bundle = this path in /etc/trustbuild/trustbuild.conf",
		    "CACertFile '%s': %s", path, strerror(errno));
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		finding(r, L_PROBLEM, "point CACertFile at a PEM file",
		    "CACertFile '%s' is not a regular file", path);
		return;
	}
	check_safety(r, path, "CACertFile", dbs);
	if ((buf = slurp(path, &len)) == NULL || (set = certset_new()) ==
	    NULL) {
		free(buf);
		finding(r, L_PROBLEM, NULL, "CACertFile '%s' cannot be read",
		    path);
		return;
	}
	n = pem_parse(path, buf, len, set, NULL);	/* n says it all */
	free(buf);
	if (n <= 0) {
		finding(r, L_PROBLEM, "publish a bundle there with 'trustbuild "
		    "update'", "CACertFile '%s' holds no certificate; an "
		    "empty or unreadable CACertFile makes OpenSSL drop the "
		    "CACertPath too", path);
		certset_free(set);
		return;
	}
	finding(r, L_OK, NULL, "CACertFile '%s' holds %zu certificates", path,
	    set->n);
	for (i = 0; i < set->n; i++) {
		time_t na = 0;
		struct tm tm;

		if (ASN1_TIME_to_tm(X509_get0_notAfter(set->v[i]->x509), &tm))
			na = timegm(&tm);
		if (na < now) {
			if (expired++ == 0)
				text_esc(cert_subject(set->v[i]), name,
				    sizeof(name));
		} else if (na < now + SOON)
			soon++;
	}
	if (expired > 0)
		finding(r, L_NOTE, "'trustbuild update' leaves expired roots "
		    "out", "%zu certificate%s in CACertFile %s expired (%s%s)",
		    expired, expired == 1 ? "" : "s", expired == 1 ? "has" :
		    "have", name, expired > 1 ? ", ..." : "");
	if (soon > 0)
		finding(r, L_NOTE, NULL, "%zu certificate%s in CACertFile "
		    "expire%s within 30 days", soon, soon == 1 ? "" : "s",
		    soon == 1 ? "s" : "");
	if (server && set->n > BIG_CAFILE)
		finding(r, L_PROBLEM, "keep CACertFile small (the CA of your "
		    "own clients, or nothing but one root) and the full set in "
		    "CACertPath", "sendmail also answers STARTTLS "
		    "(ServerCertFile is set), and sends the %zu subjects of "
		    "CACertFile as acceptable client CAs in every handshake: "
		    "some clients fail on so large a list", set->n);
	(void)day(st.st_mtime, when, sizeof(when));
	certset_free(set);
}

static int
hash_name(const char *n, unsigned long *hash, int *idx)
{
	char *end;

	if (strlen(n) < 10 || strspn(n, "0123456789abcdef") != 8 || n[8] != '.')
		return -1;
	*hash = strtoul(n, NULL, 16);
	*idx = (int)strtol(n + 9, &end, 10);
	return *end == '\0' && isdigit((unsigned char)n[9]) ? 0 : -1;
}

static void
check_capath(struct report *r, const char *path, const char *dbs)
{
	struct dirent *de;
	struct stat st;
	char full[4096], dangling[512] = "", fix[8192], expired[512];
	int links = 0, ndangling = 0, bad = 0, maxidx[512], nexpired = 0;
	unsigned long hashes[512];
	size_t nh = 0, i;
	DIR *d;

	if (path[0] != '/') {
		finding(r, L_PROBLEM, "give an absolute path", "CACertPath "
		    "'%s' is not an absolute path", path);
		return;
	}
	if (stat(path, &st) == -1 || !S_ISDIR(st.st_mode)) {
		finding(r, L_PROBLEM, "publish it: 'trustbuild update' with "
		    "capath = this path in /etc/trustbuild/trustbuild.conf",
		    "CACertPath '%s': %s", path, errno ? strerror(errno) :
		    "not a directory");
		return;
	}
	check_safety(r, path, "CACertPath", dbs);
	if ((d = opendir(path)) == NULL) {
		finding(r, L_PROBLEM, NULL, "CACertPath '%s': %s", path,
		    strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		unsigned long h;
		int idx;

		if (hash_name(de->d_name, &h, &idx) == -1)
			continue;
		links++;
		snprintf(full, sizeof(full), "%s/%s", path, de->d_name);
		if (stat(full, &st) == -1) {
			if (ndangling++ < 8)
				snprintf(dangling + strlen(dangling),
				    sizeof(dangling) - strlen(dangling),
				    "%s%s", dangling[0] ? ", " : "",
				    de->d_name);
			continue;
		}
		{
			char *buf;
			size_t len;
			struct certset *set = certset_new();
			int n = -1;

			if ((buf = slurp(full, &len)) != NULL && set != NULL)
				n = pem_parse(full, buf, len, set, NULL);
			free(buf);
			if (n != 1) {
				if (bad++ < 3)
					finding(r, L_PROBLEM, "run 'openssl "
					    "rehash' on the directory, or let "
					    "'trustbuild update' publish it",
					    "CACertPath: '%s' holds %d "
					    "certificates; a hash link must "
					    "point at exactly one", de->d_name,
					    n < 0 ? 0 : n);
			} else if (cert_is_expired(set->v[0], time(NULL)) &&
			    nexpired++ == 0) {
				text_esc(cert_subject(set->v[0]), expired,
				    sizeof(expired));
			}
			if (n == 1 && X509_NAME_hash_ex(X509_get_subject_name(
			    set->v[0]->x509), NULL, NULL, NULL) != h) {
				if (bad++ < 3)
					finding(r, L_PROBLEM, "run 'openssl "
					    "rehash' on the directory",
					    "CACertPath: '%s' is named for "
					    "another subject hash than its "
					    "certificate's", de->d_name);
			}
			certset_free(set);
		}
		for (i = 0; i < nh && hashes[i] != h; i++)
			;
		if (i == nh && nh < 512) {
			hashes[nh] = h;
			maxidx[nh++] = -1;
		}
		if (i < 512 && idx > maxidx[i])
			maxidx[i] = idx;
	}
	closedir(d);
	if (links == 0) {
		snprintf(fix, sizeof(fix), "run 'openssl rehash %s', or let "
		    "'trustbuild update' publish it", path);
		finding(r, L_PROBLEM, fix, "CACertPath '%s' has no hash links "
		    "(HHHHHHHH.N): OpenSSL finds nothing in it", path);
		return;
	}
	if (ndangling > 0) {
		snprintf(fix, sizeof(fix), "remove them, or run 'openssl rehash "
		    "%s'", path);
		finding(r, L_PROBLEM, fix, "CACertPath '%s': %d hash link%s "
		    "point%s nowhere: %s%s", path, ndangling, ndangling == 1 ?
		    "" : "s", ndangling == 1 ? "s" : "", dangling,
		    ndangling > 8 ? ", ..." : "");
	}
	/* .0 .. .N for each hash, no gaps: OpenSSL stops at the first hole */
	for (i = 0; i < nh; i++) {
		int k, seen = 0;

		for (k = 0; k <= maxidx[i]; k++) {
			snprintf(full, sizeof(full), "%s/%08lx.%d", path,
			    hashes[i], k);
			if (lstat(full, &st) == 0)
				seen++;
		}
		if (seen != maxidx[i] + 1) {
			snprintf(fix, sizeof(fix), "run 'openssl rehash %s'",
			    path);
			finding(r, L_PROBLEM, fix, "CACertPath '%s': the links "
			    "of hash %08lx have a gap; OpenSSL stops looking "
			    "at the first missing number", path, hashes[i]);
		}
	}
	if (nexpired > 0)
		finding(r, L_NOTE, "'trustbuild update' leaves expired roots "
		    "out", "%d certificate%s of CACertPath %s expired (%s%s)",
		    nexpired, nexpired == 1 ? "" : "s", nexpired == 1 ? "has" :
		    "have", expired, nexpired > 1 ? ", ..." : "");
	if (ndangling == 0 && bad == 0)
		finding(r, L_OK, NULL, "CACertPath '%s': %d hash links, all "
		    "resolve to one certificate each", path, links);
}

static void
check_log(struct report *r, const char *path, const struct sm_config *cfg,
    int loglevel)
{
	struct sm_log lg;
	char *buf, fix[8192], url[1400], smart[1400] = "";
	size_t len, i;
	const char *why;
	int cut;

	if ((buf = slurp_tail(path, LOG_MAX, &len, &cut, &why)) == NULL) {
		finding(r, L_NOTE, NULL, "cannot read the mail log '%s': %s",
		    path, why);
		return;
	}
	if (cut)
		finding(r, L_NOTE, NULL, "%s is larger than %d MiB: only its "
		    "last %d MiB were read", path, LOG_MAX >> 20, LOG_MAX >> 20);
	if (sm_parse_log(buf, len, &lg) == -1) {
		free(buf);
		return;
	}
	free(buf);
	sm_smarthost_url(cfg, smart, sizeof(smart));
	if (lg.long_lines > 0)
		finding(r, L_NOTE, NULL, "%s: %d line%s longer than %d bytes "
		    "skipped", path, lg.long_lines, lg.long_lines == 1 ? "" :
		    "s", SM_MAX_LINE);
	if (lg.client_lines == 0)
		finding(r, L_NOTE, loglevel >= 0 && loglevel < 9 ?
		    "define(`confLOG_LEVEL', `12')dnl in sendmail.mc" : NULL,
		    "%s has no STARTTLS=client lines%s", path,
		    loglevel >= 0 && loglevel < 9 ? " (sendmail logs them at "
		    "LogLevel 9 and up)" : "");
	for (i = 0; i < lg.n; i++) {
		struct sm_relay *rl = &lg.v[i];

		if (strcmp(rl->verify, "OK") == 0) {
			finding(r, L_OK, NULL, "relay %s: verify=OK (%d "
			    "connection%s in the log)", rl->relay, rl->count,
			    rl->count == 1 ? "" : "s");
			continue;
		}
		if (smart[0] != '\0' && strstr(smart, rl->relay) != NULL)
			snprintf(url, sizeof(url), "%s", smart);
		else
			snprintf(url, sizeof(url), "smtp://%s", rl->relay);
		snprintf(fix, sizeof(fix), "see why with 'trustbuild probe "
		    "--chase %s'; if an intermediate is missing, add [probe "
		    "%s] with url = %s to /etc/trustbuild/trustbuild.conf and "
		    "run 'trustbuild update'", url, rl->relay, url);
		finding(r, strcmp(rl->verify, "NONE") == 0 ? L_NOTE :
		    L_PROBLEM, fix, "relay %s: verify=%s%s%s (%d connection%s "
		    "in the log)", rl->relay, rl->verify, rl->verifymsg[0] ?
		    " verifymsg=" : "", rl->verifymsg, rl->count,
		    rl->count == 1 ? "" : "s");
	}
	if (lg.n > 0 && lg.verifymsg_lines == 0) {
		for (i = 0; i < lg.n && strcmp(lg.v[i].verify, "OK") == 0; i++)
			;
		if (i < lg.n)
			finding(r, L_NOTE, "define(`confLOG_LEVEL', `12')dnl in "
			    "sendmail.mc (then rebuild the .cf and restart)",
			    "the log has no verifymsg lines: with LogLevel 12 "
			    "or more sendmail says why a verification failed");
	}
	sm_log_release(&lg);
}

/*
 * When process pid started: field 22 of /proc/PID/stat (clock ticks after
 * boot) plus the boot time of /proc/stat.  0 if it is not running.
 */
static time_t
proc_start(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ticks = 0, btime = 0;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	/* the command name may hold spaces: count from its ')' */
	if (p == NULL || (p = strrchr(buf, ')')) == NULL)
		return 0;
	for (i = 2; i < 22 && p != NULL; i++)
		p = strchr(p + 1, ' ');
	if (p == NULL)
		return 0;
	ticks = strtoull(p + 1, NULL, 10);
	if ((f = fopen("/proc/stat", "r")) == NULL)
		return 0;
	while (fgets(buf, sizeof(buf), f) != NULL)
		if (strncmp(buf, "btime ", 6) == 0)
			btime = strtoull(buf + 6, NULL, 10);
	fclose(f);
	if (btime == 0)
		return 0;
	return (time_t)(btime + ticks / (unsigned long long)sysconf(_SC_CLK_TCK));
}

/* When the running sendmail started (from its pid file), or 0. */
static time_t
sendmail_started(const char *given, pid_t *pidp)
{
	static const char *pidfiles[] = { "/run/sendmail/mta/sendmail.pid",
	    "/var/run/sendmail/mta/sendmail.pid", "/run/sendmail.pid",
	    "/var/run/sendmail.pid" };
	char buf[64];
	time_t started;
	size_t i;
	FILE *f;
	long pid;

	for (i = 0; i < sizeof(pidfiles) / sizeof(pidfiles[0]); i++) {
		if ((f = fopen(given ? given : pidfiles[i], "r")) == NULL) {
			if (given != NULL)
				break;
			continue;
		}
		pid = fgets(buf, sizeof(buf), f) ? strtol(buf, NULL, 10) : 0;
		fclose(f);
		if (pid <= 1)
			continue;
		if ((started = proc_start(pid)) == 0)
			continue;
		*pidp = (pid_t)pid;
		return started;
	}
	return 0;
}

static void
check_running(struct report *r, const char *pidfile, const char *cafile,
    const char *capath)
{
	struct stat st;
	time_t started, changed = 0;
	char a[40], b[40];
	pid_t pid = 0;

	if ((started = sendmail_started(pidfile, &pid)) == 0)
		return;
	if (cafile != NULL && stat(cafile, &st) == 0)
		changed = st.st_mtime;
	if (capath != NULL && lstat(capath, &st) == 0 && st.st_mtime > changed)
		changed = st.st_mtime;
	if (changed > started)
		finding(r, L_PROBLEM, "restart sendmail (systemctl restart "
		    "sendmail), or set reload = in trustbuild.conf",
		    "sendmail (pid %ld) started %s, before its CA data changed "
		    "(%s): it still verifies with the old set", (long)pid,
		    day(started, a, sizeof(a)), day(changed, b, sizeof(b)));
}

/*
 * The files the .mc includes, but the cf macros themselves: what they set
 * counts (Debian keeps the TLS defines in /etc/mail/tls/starttls.m4).
 */
static void
follow_includes(struct sm_config *mc)
{
	struct sm_config inc;
	char *buf;
	size_t len;
	int i;

	for (i = 0; i < mc->nincludes; i++) {
		const char *f = mc->include[i];

		if (f[0] != '/' || strstr(f, "/cf/m4/") != NULL ||
		    strstr(f, "/cf.m4") != NULL ||
		    (buf = slurp(f, &len)) == NULL)
			continue;
		sm_parse_mc(buf, len, &inc);
		sm_merge(mc, &inc, f);
		free(buf);
	}
}

static void
check_usage(FILE *f)
{
	fprintf(f,
	    "usage: trustbuild sendmail-check [--mc FILE] [--cf FILE] [--log FILE]\n"
	    "                                 [--pidfile FILE] [--json]\n"
	    "\n"
	    "Check sendmail's TLS set-up: the confCACERT and confCACERT_PATH\n"
	    "defines of sendmail.mc (commented out by dnl? both there?), the\n"
	    "CACertFile and CACertPath options of sendmail.cf, whether the .cf\n"
	    "was rebuilt, the CA file and directory themselves, and the relays\n"
	    "the mail log shows with verify=FAIL; each problem with its fix.\n"
	    "\n"
	    "  --mc FILE   default " MC_DEFAULT "\n"
	    "  --cf FILE   default " CF_DEFAULT "\n"
	    "  --log FILE  default /var/log/maillog or /var/log/mail.log\n"
	    "  --pidfile FILE  the running sendmail's (default: the usual\n"
	    "              places): was it started before the CA data changed?\n"
	    "  --json      one JSON object\n"
	    "\n"
	    "Exit status: 0 no problem, 1 problems found, 3 neither file can\n"
	    "be read.\n");
}

int
cmd_sendmail_check(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "mc", required_argument, NULL, 'm' },
		{ "cf", required_argument, NULL, 'c' },
		{ "log", required_argument, NULL, 'l' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *mcpath = MC_DEFAULT, *cfpath = CF_DEFAULT, *logpath = NULL;
	const char *pidfile = NULL;
	struct sm_config mc, cf, *eff;
	struct report r;
	struct config tc;
	struct stat sm, sc;
	char *mcbuf, *cfbuf, a[40], b[40], fix[8192];
	const char *bundle = CONFIG_BUNDLE, *capath = CONFIG_CAPATH;
	const char *cafile, *capathv, *dbs;
	size_t len;
	int ch, havetc = 0, saved, loglevel = -1;

	memset(&r, 0, sizeof(r));
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			mcpath = optarg;
			break;
		case 'c':
			cfpath = optarg;
			break;
		case 'l':
			logpath = optarg;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'j':
			r.json = 1;
			break;
		case 'h':
			check_usage(stdout);
			return EXIT_CHANGED;
		default:
			check_usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (optind != argc) {
		check_usage(stderr);
		return EXIT_ERROR;
	}
	mcbuf = slurp(mcpath, &len);
	if (mcbuf != NULL) {
		sm_parse_mc(mcbuf, len, &mc);
		follow_includes(&mc);
	}
	cfbuf = slurp(cfpath, &len);
	if (cfbuf != NULL)
		sm_parse_cf(cfbuf, len, &cf);
	if (mcbuf == NULL && cfbuf == NULL) {
		log_err("cannot read '%s' or '%s'; give --mc FILE and/or --cf "
		    "FILE", mcpath, cfpath);
		return EXIT_NOCONFIG;
	}
	saved = log_verbosity;
	log_verbosity = LOG_QUIET;
	if (config_find(cmd_config, &tc) == 0) {
		havetc = 1;
		if (tc.bundle)
			bundle = tc.bundle;
		if (tc.capath)
			capath = tc.capath;
	}
	log_verbosity = saved;
	if (logpath == NULL)
		logpath = access("/var/log/maillog", R_OK) == 0 ?
		    "/var/log/maillog" : "/var/log/mail.log";

	if (r.json)
		printf("{\"findings\":[");
	if (mcbuf != NULL)
		check_mc(&r, mcpath, &mc, bundle, capath);
	else
		finding(&r, L_NOTE, NULL, "no '%s': checking the .cf alone",
		    mcpath);
	if (cfbuf != NULL) {
		check_cf(&r, cfpath, &cf, mcbuf ? &mc : NULL, mcpath);
		if (mcbuf != NULL && stat(mcpath, &sm) == 0 &&
		    stat(cfpath, &sc) == 0 && sm.st_mtime > sc.st_mtime) {
			snprintf(fix, sizeof(fix), "rebuild it: %s", REBUILD + 5);
			finding(&r, L_PROBLEM, fix, "%s (changed %s) is newer "
			    "than %s (built %s)", mcpath, day(sm.st_mtime, a,
			    sizeof(a)), cfpath, day(sc.st_mtime, b, sizeof(b)));
		}
	} else
		finding(&r, L_PROBLEM, REBUILD + 5, "cannot read '%s'; what "
		    "sendmail runs with is unknown", cfpath);
	eff = cfbuf != NULL ? &cf : &mc;

	cafile = eff->s[SM_CACERT].state == SM_SET &&
	    eff->s[SM_CACERT].value[0] ? eff->s[SM_CACERT].value : NULL;
	capathv = eff->s[SM_CACERT_PATH].state == SM_SET &&
	    eff->s[SM_CACERT_PATH].value[0] ? eff->s[SM_CACERT_PATH].value :
	    NULL;
	dbs = eff->s[SM_DONT_BLAME].state == SM_SET ?
	    eff->s[SM_DONT_BLAME].value : NULL;
	if (eff->s[SM_LOG_LEVEL].state == SM_SET)
		loglevel = atoi(eff->s[SM_LOG_LEVEL].value);
	if ((cafile == NULL) != (capathv == NULL)) {
		mc_lines(bundle, capath, fix, sizeof(fix));
		finding(&r, L_PROBLEM, fix, "only %s is set: sendmail loads no "
		    "CA data at all unless both CACertFile and CACertPath are "
		    "set, so every STARTTLS connection it makes logs "
		    "verify=FAIL", cafile ? "CACertFile" : "CACertPath");
	} else if (cafile == NULL) {
		mc_lines(bundle, capath, fix, sizeof(fix));
		finding(&r, L_PROBLEM, fix, "neither CACertFile nor CACertPath "
		    "is set: sendmail verifies no server, every STARTTLS "
		    "connection logs verify=FAIL");
	}
	if (cafile != NULL)
		check_cafile(&r, cafile, eff->s[SM_SERVER_CERT].state ==
		    SM_SET, dbs);
	if (capathv != NULL)
		check_capath(&r, capathv, dbs);
	check_running(&r, pidfile, cafile, capathv);
	if (havetc && cafile != NULL && tc.bundle != NULL &&
	    strcmp(tc.bundle, cafile) != 0)
		finding(&r, L_NOTE, NULL, "trustbuild publishes '%s', but "
		    "sendmail reads CACertFile '%s'", tc.bundle, cafile);
	if (havetc && capathv != NULL && tc.capath != NULL &&
	    strcmp(tc.capath, capathv) != 0)
		finding(&r, L_NOTE, NULL, "trustbuild publishes '%s', but "
		    "sendmail reads CACertPath '%s'", tc.capath, capathv);
	if (eff->s[SM_SERVER_CERT].state != SM_SET &&
	    eff->s[SM_CLIENT_CERT].state != SM_SET)
		finding(&r, L_NOTE, NULL, "no ServerCertFile or ClientCertFile: "
		    "fine for a host that only sends mail; to verify the "
		    "servers it relays to, sendmail needs CA data, not a "
		    "certificate of its own");
	check_log(&r, logpath, mcbuf ? &mc : &cf, loglevel);
	if (r.json)
		printf("],\"problems\":%d}\n", r.problems);
	else if (r.problems == 0)
		printf("no problem found\n");
	else
		printf("%d problem%s found\n", r.problems, r.problems == 1 ? "" :
		    "s");
	free(mcbuf);
	free(cfbuf);
	if (havetc)
		config_release(&tc);
	return r.problems > 0 ? EXIT_ERROR : EXIT_CHANGED;
}

static void
setup_usage(FILE *f)
{
	fprintf(f,
	    "usage: trustbuild sendmail-setup [--mc FILE]\n"
	    "\n"
	    "Print the two sendmail.mc lines that make sendmail use the store\n"
	    "'trustbuild update' publishes, the commands to rebuild sendmail.cf\n"
	    "and restart sendmail, and a trustbuild.conf with sendmail's\n"
	    "SMART_HOST (from --mc FILE, default " MC_DEFAULT ") as a [probe].\n");
}

int
cmd_sendmail_setup(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "mc", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *mcpath = MC_DEFAULT;
	struct sm_config mc;
	struct config tc;
	char *buf, url[1400];
	size_t len;
	int ch, saved, have;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			mcpath = optarg;
			break;
		case 'h':
			setup_usage(stdout);
			return EXIT_CHANGED;
		default:
			setup_usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (optind != argc) {
		setup_usage(stderr);
		return EXIT_ERROR;
	}
	saved = log_verbosity;
	log_verbosity = LOG_QUIET;
	have = config_find(cmd_config, &tc) == 0;
	log_verbosity = saved;
	if (!have) {
		log_err("the trustbuild configuration cannot be read; "
		    "'trustbuild update' says why");
		return EXIT_ERROR;
	}
	if (tc.bundle == NULL || tc.capath == NULL) {
		log_err("'%s' publishes only a %s; sendmail needs both (set "
		    "bundle and capath in [output])", tc.file, tc.bundle ?
		    "bundle" : "CApath");
		config_release(&tc);
		return EXIT_ERROR;
	}
	url[0] = '\0';
	if ((buf = slurp(mcpath, &len)) != NULL) {
		sm_parse_mc(buf, len, &mc);
		if (sm_smarthost_url(&mc, url, sizeof(url)) == -1)
			url[0] = '\0';
		free(buf);
	}
	printf("# 1. In %s, both lines, neither commented out with dnl:\n",
	    mcpath);
	printf("define(`confCACERT_PATH', `%s')dnl\n", tc.capath);
	printf("define(`confCACERT', `%s')dnl\n", tc.bundle);
	printf("\n# 2. Rebuild sendmail.cf and restart sendmail:\n");
	printf("cd /etc/mail && make        # or: m4 sendmail.mc > "
	    "sendmail.cf\n");
	printf("systemctl restart sendmail  # or: service sendmail restart\n");
	printf("\n# 3. %s:\n", CONFIG_FILE);
	printf("[output]\nbundle = %s\ncapath = %s\nstate = %s\n", tc.bundle,
	    tc.capath, tc.state);
	printf("reload = systemctl restart sendmail\n");
	printf("\n[source mozilla]\nstore = mozilla\n");
	if (url[0] != '\0')
		printf("\n# the smart host of %s: its missing intermediates "
		    "are fetched\n[probe smarthost]\nurl = %s\n", mcpath, url);
	else
		printf("\n# no SMART_HOST in %s; add the servers sendmail "
		    "relays to:\n# [probe smarthost]\n# url = smtp://"
		    "mail.example.com\n", mcpath);
	printf("\n# 4. Publish now, then check: trustbuild update && "
	    "trustbuild sendmail-check\n");
	config_release(&tc);
	return EXIT_CHANGED;
}
