/*
 * mailcheck_ca.c: the CA data sendmail is told to use (CACertFile,
 * CACertPath), whether it is what trustbuild publishes, and whether the
 * running sendmail has loaded it; see mailcheck.h.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "certset.h"
#include "config.h"
#include "mailcheck.h"
#include "pem.h"
#include "sendmail.h"
#include "text.h"

#define BIG_CAFILE	40	/* certificates sent as acceptable client CAs */
#define SOON		(30 * 24 * 3600)

/*
 * The certificates of the PEM file path into set: how many (0 when it
 * holds none or is not PEM), or -1 when it cannot be read.
 */
static int
read_pem(const char *path, struct certset *set)
{
	const char *why;
	char *buf;
	size_t len;
	int n;

	if ((buf = mailcheck_read(path, MAILCHECK_MAX_FILE, 0, &len, NULL,
	    &why)) == NULL)
		return -1;
	/* what the file holds is a finding of the caller's: no diags kept */
	n = pem_parse(path, buf, len, set, NULL);
	free(buf);
	return n < 0 ? 0 : n;
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
	char when[40], name[512];
	size_t i, expired = 0, soon = 0;
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
	set = certset_new();
	if ((n = read_pem(path, set)) == -1) {
		certset_free(set);
		finding(r, L_PROBLEM, NULL, "CACertFile '%s' cannot be read",
		    path);
		return;
	}
	if (n == 0) {
		finding(r, L_PROBLEM, "publish a bundle there with 'trustbuild "
		    "update'", "CACertFile '%s' holds no certificate; an "
		    "empty or unreadable CACertFile makes OpenSSL drop the "
		    "CACertPath too", path);
		certset_free(set);
		return;
	}
	finding(r, L_OK, NULL, "CACertFile '%s' holds %zu certificate%s", path,
	    set->n, text_s(set->n));
	for (i = 0; i < set->n; i++) {
		time_t na = cert_not_after(set->v[i]);

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
	(void)mailcheck_day(st.st_mtime, when, sizeof(when));
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

/*
 * The hash link name (full: its path), named for the subject hash h: it
 * must resolve to exactly one certificate, with that subject hash.  The
 * first three bad ones are findings (*bad counts them all); the subject of
 * the first expired one goes to expired (*nexpired counts).
 */
static void
check_link(struct report *r, const char *full, const char *name,
    unsigned long h, int *bad, char *expired, size_t size, int *nexpired)
{
	struct certset *set = certset_new();
	int n;

	n = read_pem(full, set);
	if (n != 1) {
		if ((*bad)++ < 3)
			finding(r, L_PROBLEM, "run 'openssl rehash' on the "
			    "directory, or let 'trustbuild update' publish it",
			    "CACertPath: '%s' holds %d certificates; a hash "
			    "link must point at exactly one", name,
			    n < 0 ? 0 : n);
	} else if (cert_is_expired(set->v[0], time(NULL)) &&
	    (*nexpired)++ == 0)
		text_esc(cert_subject(set->v[0]), expired, size);
	if (n == 1 && set->v[0]->hash != h) {
		if ((*bad)++ < 3)
			finding(r, L_PROBLEM, "run 'openssl rehash' on the "
			    "directory", "CACertPath: '%s' is named for "
			    "another subject hash than its certificate's",
			    name);
	}
	certset_free(set);
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
		check_link(r, full, de->d_name, h, &bad, expired,
		    sizeof(expired), &nexpired);
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
		finding(r, L_OK, NULL, "CACertPath '%s': %d hash link%s, all "
		    "resolve to one certificate each", path, links,
		    text_s((size_t)links));
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

long
mailcheck_sendmail_pid(const char *given, char *pf, size_t size,
    time_t *startedp)
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
		const char *path = given ? given : pidfiles[i];

		if ((f = fopen(path, "r")) == NULL) {
			if (given != NULL)
				break;
			continue;
		}
		pid = fgets(buf, sizeof(buf), f) ? strtol(buf, NULL, 10) : 0;
		fclose(f);
		if (pid <= 1 || (started = proc_start(pid)) == 0) {
			if (given != NULL)
				break;
			continue;
		}
		if (pf != NULL)
			snprintf(pf, size, "%s", path);
		if (startedp != NULL)
			*startedp = started;
		return pid;
	}
	return 0;
}

static void
check_running(struct report *r, const char *pidfile, const char *cafile,
    const char *capath)
{
	struct stat st;
	time_t started = 0, changed = 0;
	char a[40], b[40];
	long pid;

	if ((pid = mailcheck_sendmail_pid(pidfile, NULL, 0, &started)) == 0)
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
		    mailcheck_day(started, a, sizeof(a)),
		    mailcheck_day(changed, b, sizeof(b)));
}

void
check_store(struct report *r, const struct sm_config *eff,
    const struct mailcheck_want *want, const char *pidfile)
{
	const char *cafile, *capath, *dbs;
	struct stat st;

	cafile = eff->s[SM_CACERT].state == SM_SET &&
	    eff->s[SM_CACERT].value[0] ? eff->s[SM_CACERT].value : NULL;
	capath = eff->s[SM_CACERT_PATH].state == SM_SET &&
	    eff->s[SM_CACERT_PATH].value[0] ? eff->s[SM_CACERT_PATH].value :
	    NULL;
	dbs = eff->s[SM_DONT_BLAME].state == SM_SET ?
	    eff->s[SM_DONT_BLAME].value : NULL;
	/* not there yet: the plan's "trustbuild update" publishes them */
	if (cafile != NULL && !(want->planned && stat(cafile, &st) == -1))
		check_cafile(r, cafile, eff->s[SM_SERVER_CERT].state ==
		    SM_SET, dbs);
	if (capath != NULL && !(want->planned && stat(capath, &st) == -1))
		check_capath(r, capath, dbs);
	check_running(r, pidfile, cafile, capath);
	if (eff->s[SM_SERVER_CERT].state != SM_SET &&
	    eff->s[SM_CLIENT_CERT].state != SM_SET)
		finding(r, L_NOTE, NULL, "no ServerCertFile or ClientCertFile: "
		    "fine for a host that only sends mail; to verify the "
		    "servers it relays to, sendmail needs CA data, not a "
		    "certificate of its own");
}
