/*
 * export.c: the published store as a signed store for other hosts, see
 * export.h.
 *
 * export_run: the key and cert (key_load) -> the objects of the published
 * set (objects_build) -> is the manifest in dir already this one, signed,
 * and young enough (current)? -> objects, manifest.p7s, manifest
 * (publish.h, each by rename, in that order) -> old objects swept.
 * Every operation below dir goes through a descriptor opened with
 * O_DIRECTORY|O_NOFOLLOW.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cert.h"
#include "export.h"
#include "fleetman.h"
#include "guard.h"
#include "log.h"
#include "manifest.h"
#include "publish.h"
#include "source.h"
#include "state.h"
#include "xalloc.h"

#define KEY_MAX		(1024 * 1024)
#define BATCH		8		/* objects staged at once */
#define SERIAL_FILE	"export-serial"

/* An object of the export: its line and its bytes. */
struct obj {
	struct fleet_object o;
	unsigned char	*data;
};

/* One export's own, freed when it ends. */
struct ex {
	const struct config *c;
	struct diags	*d;
	time_t		 now;
	X509		*cert;
	EVP_PKEY	*key;
	struct obj	*obj;		/* the set first, then by SHA-256 */
	size_t		 nobj;
	struct fleet_manifest man, prev;
	int		 dfd, ofd;	/* dir, dir/objects */
	time_t		 prevmtime;	/* of the manifest before, or 0 */
	unsigned char	*oldman, *oldsig;
	size_t		 oldmanlen, oldsiglen;
};

/* The signing key: this user's (root's), a regular file no one else reads. */
static int
key_load(struct ex *x)
{
	const struct config *c = x->c;
	struct stat st;
	unsigned char *buf = NULL;
	size_t len;
	BIO *b;
	int rc = -1;

	if (source_read_at(AT_FDCWD, c->export_key, c->export_key, KEY_MAX,
	    SOURCE_NOFOLLOW, &st, &buf, &len, x->d) == -1)
		return -1;
	if (st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		diag_err(x->d, c->export_key, 0, "the signing key must be %s's "
		    "and readable by no one else (it is uid %ld's, mode %04o): "
		    "run 'chown %ld %s; chmod 600 %s'", geteuid() == 0 ?
		    "root" : "this user", (long)st.st_uid,
		    (unsigned)(st.st_mode & 07777), (long)geteuid(),
		    c->export_key, c->export_key);
		goto out;
	}
	if ((b = BIO_new_mem_buf(buf, (int)len)) != NULL) {
		x->key = PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)"");
		BIO_free(b);
	}
	OPENSSL_cleanse(buf, len);
	if (x->key == NULL) {
		diag_ssl(x->d, c->export_key, 0, "not a PEM private key "
		    "without a passphrase");
		goto out;
	}
	free(buf);
	buf = NULL;
	if (source_read_file(c->export_cert, KEY_MAX, &buf, &len, x->d) == -1)
		goto out;
	if ((b = BIO_new_mem_buf(buf, (int)len)) != NULL) {
		x->cert = PEM_read_bio_X509(b, NULL, NULL, NULL);
		BIO_free(b);
	}
	if (x->cert == NULL)
		diag_ssl(x->d, c->export_cert, 0, "not a PEM certificate");
	else if (X509_check_private_key(x->cert, x->key) != 1)
		diag_ssl(x->d, c->export_cert, 0, "not the certificate of the "
		    "key '%s'", c->export_key);
	else
		rc = 0;
out:
	free(buf);
	return rc;
}

/* Add an object of these bytes (taken over). */
static void
object_add(struct ex *x, enum fleet_kind k, unsigned char *buf, size_t len)
{
	struct obj *o;
	char hex[65];

	x->obj = xreallocarray(x->obj, x->nobj + 1, sizeof(*x->obj));
	o = &x->obj[x->nobj++];
	memset(o, 0, sizeof(*o));
	o->o.kind = k;
	o->o.size = len;
	o->data = buf;
	state_sha256_hex(buf, len, hex);
	cert_unhex(hex, 64, o->o.sha256);
}

static int
by_sha(const void *a, const void *b)
{
	return memcmp(((const struct obj *)a)->o.sha256,
	    ((const struct obj *)b)->o.sha256, 32);
}

/* The certificates of the published set, each with its manifest line. */
static int
certs_add(struct ex *x, const struct certset *pub, const struct manifest *m,
    struct manifest *out, struct export_result *r)
{
	size_t i;

	for (i = 0; i < pub->n; i++) {
		const struct manifest_cert *mc = manifest_find(m,
		    pub->v[i]->sha256);

		if (mc == NULL) {
			diag_err(x->d, NULL, 0, "'%s/" MANIFEST_FILE "' does "
			    "not name '%s' of the published store; run "
			    "'trustbuild update --force' to write both anew",
			    x->c->state, cert_subject(pub->v[i]));
			return -1;
		}
		out->cert[out->ncert++] = *mc;	/* its strings are m's */
		object_add(x, mc->role == ROLE_INTERMEDIATE ?
		    FLEET_INTERMEDIATE : FLEET_ANCHOR, xmemdup(pub->v[i]->der,
		    pub->v[i]->derlen), pub->v[i]->derlen);
		if (mc->role == ROLE_INTERMEDIATE)
			r->intermediates++;
		else
			r->anchors++;
	}
	return 0;
}

/*
 * The objects of the published store: its set object (the manifest's
 * lines of the published certificates) first, then each certificate by
 * SHA-256.  Every published certificate must have its line.
 */
static int
objects_build(struct ex *x, struct export_result *r)
{
	const struct config *c = x->c;
	struct manifest m, out;
	struct certset *pub = NULL;
	char why[256], *text;
	size_t i, len;
	int got, rc = -1;

	memset(&m, 0, sizeof(m));
	memset(&out, 0, sizeof(out));
	if ((got = manifest_load(c->state, &m, why, sizeof(why), x->d)) != 1) {
		if (got == 0)
			diag_err(x->d, NULL, 0, "'%s/" MANIFEST_FILE "': %s; "
			    "run 'trustbuild update' first", c->state,
			    why[0] ? why : "nothing is published yet");
		return -1;
	}
	if ((pub = guard_published(c, x->d)) == NULL)
		goto out;
	if (pub->n == 0) {
		diag_err(x->d, NULL, 0, "'%s': nothing is published to export; "
		    "run 'trustbuild update' first", c->bundle ? c->bundle :
		    c->capath ? c->capath : c->state);
		goto out;
	}
	out.cert = xcalloc(pub->n, sizeof(*out.cert));
	if (certs_add(x, pub, &m, &out, r) == -1)
		goto out;
	qsort(x->obj, x->nobj, sizeof(*x->obj), by_sha);
	if (manifest_render(&out, &text, &len) == -1) {
		diag_err(x->d, NULL, 0, "out of memory");
		goto out;
	}
	object_add(x, FLEET_SET, (unsigned char *)text, len);
	/* the set object first */
	{
		struct obj so = x->obj[x->nobj - 1];

		memmove(&x->obj[1], &x->obj[0], (x->nobj - 1) *
		    sizeof(*x->obj));
		x->obj[0] = so;
	}
	x->man.obj = xcalloc(x->nobj, sizeof(*x->man.obj));
	for (i = 0; i < x->nobj; i++)
		x->man.obj[i] = x->obj[i].o;
	x->man.nobj = x->nobj;
	rc = 0;
out:
	free(out.cert);
	manifest_release(&m);
	certset_free(pub);
	return rc;
}

/* name in dir (x->dfd), a regular file of at most max bytes, or NULL. */
static unsigned char *
dir_read(struct ex *x, const char *name, size_t max, size_t *len)
{
	struct diags rd = DIAGS_INIT;
	unsigned char *buf = NULL;

	if (source_read_at(x->dfd, name, name, max, SOURCE_NOFOLLOW |
	    SOURCE_ABSENT_OK, NULL, &buf, len, &rd) != 1)
		buf = NULL;
	diags_clear(&rd);
	return buf;
}

/* Is the object list of a and b the same? */
static int
same_objects(const struct fleet_manifest *a, const struct fleet_manifest *b)
{
	size_t i;

	if (a->nobj != b->nobj)
		return 0;
	for (i = 0; i < a->nobj; i++)
		if (memcmp(&a->obj[i].sha256, &b->obj[i].sha256, 32) != 0 ||
		    a->obj[i].size != b->obj[i].size ||
		    a->obj[i].kind != b->obj[i].kind)
			return 0;
	return 1;
}

/*
 * The manifest in dir now, into x->prev (its serial, for the next one).
 * 1 when it is this export already: these objects, all there, signed by
 * our key, more than half of valid-for left.
 */
static int
current(struct ex *x)
{
	char why[256], hex[65];
	struct stat st;
	size_t i;

	if (fstatat(x->dfd, FLEET_MANIFEST, &st, AT_SYMLINK_NOFOLLOW) == 0)
		x->prevmtime = st.st_mtime;
	x->oldman = dir_read(x, FLEET_MANIFEST, FLEET_MAX_MANIFEST,
	    &x->oldmanlen);
	x->oldsig = dir_read(x, FLEET_SIGNATURE, FLEET_MAX_SIGNATURE,
	    &x->oldsiglen);
	if (x->oldman == NULL || fleetman_parse((char *)x->oldman,
	    x->oldmanlen, &x->prev, why, sizeof(why)) == -1)
		return 0;
	if (!same_objects(&x->prev, &x->man) || x->oldsig == NULL ||
	    x->prev.valid_until - x->now <=
	    (time_t)x->c->export_valid_for / 2 ||
	    fleetman_verify(x->oldman, x->oldmanlen, x->oldsig, x->oldsiglen,
	    &x->cert, 1, why, sizeof(why)) == -1)
		return 0;
	for (i = 0; i < x->man.nobj; i++) {
		cert_hex(x->man.obj[i].sha256, 32, hex, 0);
		if (fstatat(x->ofd, hex, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st.st_mode) ||
		    (size_t)st.st_size != x->man.obj[i].size)
			return 0;
	}
	return 1;
}

/* What of pd[0..n) is still staged goes; each is released. */
static void
drop(struct pending *pd, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		publish_abort(&pd[i]);
		publish_release(&pd[i]);
	}
}

/* Commit the staged pd[0..n), then release them. */
static int
commit(struct pending *pd, size_t n, struct diags *d)
{
	int rc = publish_commit_all(pd, n, d);

	drop(pd, n);
	return rc;
}

/* dir/objects/SHA256 for each object, in batches; *written counted. */
static int
objects_write(struct ex *x, size_t *written)
{
	struct pending pd[BATCH];
	char dname[4096], hex[65];
	size_t i, n = 0;

	snprintf(dname, sizeof(dname), "%s/" FLEET_OBJECTS, x->c->export_dir);
	for (i = 0; i < x->nobj; i++) {
		cert_hex(x->obj[i].o.sha256, 32, hex, 0);
		memset(&pd[n], 0, sizeof(pd[n]));
		pd[n].dfd = -1;
		if (publish_file_prepare_at(&pd[n], x->ofd, dname, hex,
		    x->obj[i].data, x->obj[i].o.size, 0644, 0, x->d) == -1) {
			drop(pd, n + 1);
			return -1;
		}
		*written += pd[n].changed;
		if (++n == BATCH || i + 1 == x->nobj) {
			if (commit(pd, n, x->d) == -1)
				return -1;
			n = 0;
		}
	}
	return 0;
}

/*
 * The next serial: above the one in dir and the one recorded in the
 * state (a dir made anew must not go back), and the time when that is
 * more.  -1 after a message.
 */
static int
serial_next(struct ex *x)
{
	unsigned long long s = (unsigned long long)x->now, rec = 0;
	char *buf = NULL;

	if (state_read(x->c->state, SERIAL_FILE, &buf, x->d) == -1)
		return -1;
	if (buf != NULL)
		rec = strtoull(buf, NULL, 10);
	free(buf);
	if (x->prev.serial >= s)
		s = x->prev.serial + 1;
	if (rec >= s)
		s = rec + 1;
	x->man.serial = s;
	return 0;
}

/*
 * A server's ETag is often the mtime's second and the size (nginx): a
 * manifest written in the second of the one before, and as long, gets an
 * mtime a second past the old one's, or hosts could be told 304.
 */
static void
bump(const struct ex *x)
{
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 0, 0 } };

	if (x->prevmtime == 0 || x->prevmtime < x->now)
		return;
	ts[1].tv_sec = x->prevmtime + 1;
	utimensat(x->dfd, FLEET_MANIFEST, ts, AT_SYMLINK_NOFOLLOW);
}

/* manifest.p7s, then manifest, each by rename; the serial recorded. */
static int
manifest_write(struct ex *x)
{
	struct pending pd;
	char *text = NULL, why[512], rec[32];
	unsigned char *sig = NULL;
	size_t len, siglen;
	int rc = -1;

	x->man.created = x->now;
	x->man.valid_until = x->now + (time_t)x->c->export_valid_for;
	if (serial_next(x) == -1)
		return -1;
	if (fleetman_render(&x->man, &text, &len) == -1) {
		diag_err(x->d, NULL, 0, "out of memory");
		return -1;
	}
	if (fleetman_sign(text, len, x->cert, x->key, &sig, &siglen, why,
	    sizeof(why)) == -1) {
		diag_err(x->d, x->c->export_key, 0, "cannot sign: %s", why);
		goto out;
	}
	/* the serial is used before anything names it */
	snprintf(rec, sizeof(rec), "%llu\n", x->man.serial);
	if (state_write(x->c->state, SERIAL_FILE, rec, strlen(rec),
	    x->d) == -1)
		goto out;
	memset(&pd, 0, sizeof(pd));
	if (publish_file_prepare_at(&pd, x->dfd, x->c->export_dir,
	    FLEET_SIGNATURE, sig, siglen, 0644, 0, x->d) == -1) {
		drop(&pd, 1);
		goto out;
	}
	if (commit(&pd, 1, x->d) == -1)
		goto out;
	memset(&pd, 0, sizeof(pd));
	if (publish_file_prepare_at(&pd, x->dfd, x->c->export_dir,
	    FLEET_MANIFEST, text, len, 0644, 0, x->d) == -1) {
		drop(&pd, 1);
		goto out;
	}
	rc = commit(&pd, 1, x->d);
	bump(x);
out:
	free(text);
	free(sig);
	return rc;
}

/*
 * Objects no manifest names: one the manifest before named has just left
 * it (its mtime says since when); one that left it more than valid-for
 * ago is removed.  Dot files (publish.h's temp files) are not ours here.
 */
static void
sweep(struct ex *x, size_t *removed)
{
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 0, 0 } };
	unsigned char sha[32];
	struct dirent *e;
	struct stat st;
	DIR *dir;
	int fd;

	ts[1].tv_sec = x->now;
	if ((fd = openat(x->ofd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1 || (dir = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.' || strlen(e->d_name) != 64 ||
		    cert_unhex(e->d_name, 64, sha) == -1 ||
		    fleetman_find(&x->man, sha) != NULL ||
		    fstatat(x->ofd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		if (fleetman_find(&x->prev, sha) != NULL)
			utimensat(x->ofd, e->d_name, ts, AT_SYMLINK_NOFOLLOW);
		else if (st.st_mtime + (time_t)x->c->export_valid_for <
		    x->now && unlinkat(x->ofd, e->d_name, 0) == 0)
			(*removed)++;
	}
	closedir(dir);
}

/* dir and dir/objects, made if need be, opened without following links. */
static int
dirs_open(struct ex *x)
{
	const char *dir = x->c->export_dir;

	if (publish_make_parents(dir, x->d) == -1)
		return -1;
	if ((mkdir(dir, 0755) == -1 && errno != EEXIST) ||
	    (x->dfd = publish_open_dir(dir)) == -1) {
		diag_err(x->d, dir, 0, "%s", errno == ELOOP || errno ==
		    ENOTDIR ? "not a directory (a symbolic link is not "
		    "followed)" : strerror(errno));
		return -1;
	}
	if ((mkdirat(x->dfd, FLEET_OBJECTS, 0755) == -1 && errno != EEXIST) ||
	    (x->ofd = openat(x->dfd, FLEET_OBJECTS, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1) {
		diag_err(x->d, NULL, 0, "'%s/" FLEET_OBJECTS "': %s", dir,
		    errno == ELOOP || errno == ENOTDIR ? "not a directory (a "
		    "symbolic link is not followed)" : strerror(errno));
		return -1;
	}
	return 0;
}

int
export_run(const struct config *c, time_t now, struct export_result *r,
    struct diags *d)
{
	struct ex x;
	size_t i;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.d = d;
	x.now = now;
	x.dfd = x.ofd = -1;
	if (key_load(&x) == -1 || objects_build(&x, r) == -1 ||
	    dirs_open(&x) == -1)
		goto out;
	if (current(&x)) {
		r->serial = x.prev.serial;
		r->valid_until = x.prev.valid_until;
		rc = 0;
		goto out;
	}
	if (objects_write(&x, &r->written) == -1 || manifest_write(&x) == -1)
		goto out;
	sweep(&x, &r->removed);
	r->changed = 1;
	r->serial = x.man.serial;
	r->valid_until = x.man.valid_until;
	rc = 0;
out:
	for (i = 0; i < x.nobj; i++)
		free(x.obj[i].data);
	free(x.obj);
	fleetman_release(&x.man);
	fleetman_release(&x.prev);
	free(x.oldman);
	free(x.oldsig);
	X509_free(x.cert);
	EVP_PKEY_free(x.key);
	if (x.dfd != -1)
		close(x.dfd);
	if (x.ofd != -1)
		close(x.ofd);
	return rc;
}
