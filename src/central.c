/*
 * central.c: a signed store as a source, see central.h.
 *
 * central_check: URL.p7s fetched -> the signature against the pins ->
 * the manifest parsed -> valid-until, serial against STATE/central/NAME
 * -> each object kept or fetched and checked (objects_get) -> the
 * certificates (build) -> the objects and the record kept.  A manifest
 * and its signature read while the exporter renames them may not match:
 * both are fetched again, once.  central_parse does the same from the
 * cached manifest and the kept objects.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "central.h"
#include "cert.h"
#include "fetch.h"
#include "fleetman.h"
#include "log.h"
#include "manifest.h"
#include "pem.h"
#include "source.h"
#include "state.h"
#include "xalloc.h"

#define SIGNER_MAX	(1024 * 1024)

/* An object's bytes, once checked. */
struct object {
	unsigned char	 sha256[32];
	unsigned char	*data;
	size_t		 len;
};

struct central {
	const char	*state;		/* borrowed from the configuration */
	struct fetch_opts o;		/* for the objects */
	time_t		 now;
	X509		**pin;
	size_t		 npin;
	struct certset	*iset;		/* the intermediates */
	time_t		 valid_until;
	struct object	*obj;		/* of the manifest accepted */
	size_t		 nobj;
	int		 fetched;	/* objects fetched this run */
};

void
central_free(struct central *x)
{
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < x->npin; i++)
		X509_free(x->pin[i]);
	free(x->pin);
	for (i = 0; i < x->nobj; i++)
		free(x->obj[i].data);
	free(x->obj);
	certset_free(x->iset);
	free(x);
}

struct certset *
central_intermediates(const struct acquire_src *s)
{
	return s->central != NULL ? s->central->iset : NULL;
}

time_t
central_valid_until(const struct acquire_src *s)
{
	return s->central != NULL ? s->central->valid_until : 0;
}

/* A pinned signer certificate, PEM, from path. */
static X509 *
pin_load(const char *path, const char *name, struct diags *d)
{
	unsigned char *buf;
	size_t len;
	X509 *x = NULL;
	BIO *b;

	if (source_read_file(path, SIGNER_MAX, &buf, &len, d) == -1)
		return NULL;
	if ((b = BIO_new_mem_buf(buf, (int)len)) != NULL) {
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
		BIO_free(b);
	}
	free(buf);
	if (x == NULL)
		diag_ssl(d, path, 0, "[source %s]: signer is not a PEM "
		    "certificate", name);
	return x;
}

int
central_init(const struct acquire_ctx *c, struct acquire_src *s)
{
	struct central *x;
	size_t i;

	if (s->spec.nsigner == 0 || s->central != NULL)
		return 0;
	x = xcalloc(1, sizeof(*x));
	s->central = x;
	x->state = c->cfg->state;
	x->now = c->now;
	x->o.label = s->spec.name;
	x->o.connect_timeout = c->cfg->connect_timeout;
	x->o.timeout = c->cfg->timeout;
	x->o.max_size = s->spec.max_size ? s->spec.max_size :
	    c->cfg->max_size;
	x->o.ca = s->spec.ca ? s->spec.ca : c->cfg->ca;
	x->pin = xcalloc(s->spec.nsigner, sizeof(*x->pin));
	for (i = 0; i < s->spec.nsigner; i++) {
		if ((x->pin[i] = pin_load(s->spec.signer[i], s->spec.name,
		    c->d)) == NULL)
			return -1;
		x->npin++;
	}
	return 0;
}

/* url's directory (up to its last '/') and rest, malloc'd. */
static char *
url_beside(const char *url, const char *rest)
{
	const char *q = strpbrk(url, "?#"), *end = q ? q : url + strlen(url);
	const char *sl = end;

	while (sl > url && sl[-1] != '/')
		sl--;
	return xasprintf("%.*s%s", (int)(sl - url), url, rest);
}

/* GET url (at most max bytes) into r; -1 with fetch's one error in why. */
static int
get(const struct central *x, const char *url, size_t max,
    struct fetch_result *r, char *why, size_t size)
{
	struct fetch_opts o = x->o;
	struct diags fd = DIAGS_INIT;
	const char *e;

	o.max_size = max;
	memset(r, 0, sizeof(*r));
	if (fetch_get(url, NULL, NULL, &o, r, &fd) == 0) {
		diags_clear(&fd);
		return 0;
	}
	e = diags_first_err(&fd);
	snprintf(why, size, "%s", e != NULL ? e : "cannot be fetched");
	diags_clear(&fd);
	return -1;
}

/* The record of the last accepted manifest: its serial and SHA-256. */
static int
record_read(const struct central *x, const char *name,
    unsigned long long *serial, char sha[65], struct diags *d)
{
	char file[256], *buf = NULL;
	int got;

	*serial = 0;
	sha[0] = '\0';
	snprintf(file, sizeof(file), "central/%s", name);
	if ((got = state_read(x->state, file, &buf, d)) != 1)
		return got;
	if (sscanf(buf, "trustbuild-central 1\nserial %llu\nmanifest %64s",
	    serial, sha) != 2 || strlen(sha) != 64) {
		*serial = 0;
		sha[0] = '\0';
	}
	free(buf);
	return 0;
}

/* The objects kept from the last accepted manifest, into x->obj. */
static void
kept_read(struct central *x, const char *name)
{
	struct diags rd = DIAGS_INIT;
	char file[256], *buf = NULL, *p, *nl, hex[65], got[65];
	size_t size;
	int n;

	snprintf(file, sizeof(file), "central/%s.objects", name);
	if (state_read(x->state, file, &buf, &rd) != 1) {
		diags_clear(&rd);
		return;
	}
	for (p = buf; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		struct object o;

		*nl = '\0';
		memset(&o, 0, sizeof(o));
		if (sscanf(p, "%64s %zu %n", hex, &size, &n) != 2 ||
		    cert_unhex(hex, strlen(hex), o.sha256) == -1 ||
		    pem_base64_decode(p + n, strlen(p + n), &o.data,
		    &o.len) == -1)
			continue;
		state_sha256_hex(o.data, o.len, got);
		if (o.len != size || strcmp(got, hex) != 0) {
			free(o.data);
			continue;
		}
		x->obj = xreallocarray(x->obj, x->nobj + 1, sizeof(*x->obj));
		x->obj[x->nobj++] = o;
	}
	free(buf);
}

static struct object *
kept_find(struct central *x, const unsigned char sha[32])
{
	size_t i;

	for (i = 0; i < x->nobj; i++)
		if (x->obj[i].data != NULL &&
		    memcmp(x->obj[i].sha256, sha, 32) == 0)
			return &x->obj[i];
	return NULL;
}

/*
 * The bytes of each object of m, in m's order, into *out (x->obj keeps
 * them): kept, or fetched from url's directory and checked.  -1 with why.
 */
static int
objects_get(struct central *x, const struct acquire_src *s,
    const struct fleet_manifest *m, struct object **out, char *why,
    size_t size)
{
	struct object *v = xcalloc(m->nobj, sizeof(*v)), *k;
	struct fetch_result r;
	char hex[65], got[65], *url, *base, err[768];
	size_t i;

	for (i = 0; i < m->nobj; i++) {
		const struct fleet_object *fo = &m->obj[i];

		cert_hex(fo->sha256, 32, hex, 0);
		memcpy(v[i].sha256, fo->sha256, 32);
		if (fo->size > x->o.max_size) {
			snprintf(why, size, "object %s is %zu bytes, more than "
			    "max-size %zu; raise max-size if this is expected",
			    hex, fo->size, x->o.max_size);
			goto fail;
		}
		if ((k = kept_find(x, fo->sha256)) != NULL &&
		    k->len == fo->size) {
			v[i].data = xmemdup(k->data, k->len);
			v[i].len = k->len;
			continue;
		}
		base = url_beside(s->spec.url, FLEET_OBJECTS "/");
		url = xasprintf("%s%s", base, hex);
		free(base);
		/* a byte more: a longer body is said to be altered */
		if (get(x, url, fo->size + 1, &r, err, sizeof(err)) == -1) {
			snprintf(why, size, "object %s: %s", hex, err);
			free(url);
			goto fail;
		}
		free(url);
		state_sha256_hex(r.body, r.len, got);
		if (r.len != fo->size || strcmp(got, hex) != 0) {
			snprintf(why, size, "object %s is not what the manifest "
			    "names (%zu bytes, SHA-256 %s); the mirror altered "
			    "it", hex, r.len, got);
			fetch_result_release(&r);
			goto fail;
		}
		v[i].data = r.body;
		v[i].len = r.len;
		r.body = NULL;
		fetch_result_release(&r);
		x->fetched++;
	}
	for (i = 0; i < x->nobj; i++)
		free(x->obj[i].data);
	free(x->obj);
	x->obj = v;
	x->nobj = m->nobj;
	*out = v;
	return 0;
fail:
	for (i = 0; i < m->nobj; i++)
		free(v[i].data);
	free(v);
	return -1;
}

/* The trust a central anchor gets: for the purpose it was admitted for. */
static void
anchor_trust(struct cert *c, enum purpose p)
{
	int i;

	if (p == PURPOSE_ANY)
		return;
	for (i = 0; i < PURPOSE_N; i++)
		c->trust[i] = i == (int)p ? TRUST_DELEGATOR : TRUST_MUST_VERIFY;
}

/* One certificate of the set object, from its object. */
static const char *
build_one(struct central *x, struct acquire_src *s,
    const struct manifest_cert *mc, const struct fleet_manifest *m,
    const struct object *v, unsigned char *used)
{
	const struct fleet_object *fo = NULL;
	struct cert *c;
	size_t j;
	int k;

	for (j = 1; j < m->nobj; j++)
		if (memcmp(m->obj[j].sha256, mc->sha256, 32) == 0) {
			fo = &m->obj[j];
			break;
		}
	if (fo == NULL || used[j])
		return "its set object names a certificate that the manifest "
		    "does not, or twice";
	used[j] = 1;
	if ((fo->kind == FLEET_ANCHOR) != (mc->role == ROLE_ANCHOR))
		return "its set object gives a certificate another role than "
		    "the manifest";
	if ((c = cert_from_der(v[j].data, v[j].len)) == NULL)
		return "an object named a certificate is not one (DER)";
	for (k = 0; k < 2; k++)
		if (mc->distrust_after[k] != 0) {
			c->distrust[k] = DISTRUST_AFTER;
			c->distrust_after[k] = mc->distrust_after[k];
		}
	if (mc->label != NULL)
		c->label = xstrdup(mc->label);
	cert_add_source(c, mc->origin);	/* central's sources */
	if (mc->role == ROLE_ANCHOR) {
		anchor_trust(c, mc->purpose);
		certset_add(s->set, c);
	} else
		certset_add(x->iset, c);
	return NULL;
}

/*
 * The certificates of m (objects v, in m's order) with their roles:
 * anchors into s->set, intermediates into x->iset.  NULL, or why not.
 */
static const char *
build(struct central *x, struct acquire_src *s, const struct fleet_manifest *m,
    const struct object *v, char *err, size_t size)
{
	struct manifest set;
	unsigned char *used;
	const char *why = NULL;
	size_t i;

	memset(&set, 0, sizeof(set));
	if (manifest_parse((const char *)v[0].data, v[0].len, &set, err,
	    size) == -1)
		return "its set object is not a manifest";
	certset_free(s->set);
	certset_free(x->iset);
	blocklist_free(s->bl);
	s->set = certset_new();
	x->iset = certset_new();
	s->bl = blocklist_new();
	used = xcalloc(m->nobj, 1);
	for (i = 0; i < set.ncert && why == NULL; i++)
		why = build_one(x, s, &set.cert[i], m, v, used);
	for (i = 1; i < m->nobj && why == NULL; i++)
		if (!used[i])
			why = "the manifest names a certificate that its set "
			    "object does not";
	free(used);
	manifest_release(&set);
	if (why == NULL) {
		s->ncerts = (long)(s->set->n + x->iset->n);
		x->valid_until = m->valid_until;
	}
	return why;
}

/* Keep the objects of the accepted manifest, and its record. */
static int
keep(struct central *x, const struct acquire_src *s, const char *sha,
    unsigned long long serial, int objects, struct diags *d)
{
	char file[256], hex[65], *text = NULL, *b64;
	size_t i, len = 0;
	FILE *f;
	int rc;

	if (objects) {
		if ((f = open_memstream(&text, &len)) == NULL)
			return -1;
		for (i = 0; i < x->nobj; i++) {
			b64 = xmalloc(4 * ((x->obj[i].len + 2) / 3) + 1);
			EVP_EncodeBlock((unsigned char *)b64, x->obj[i].data,
			    (int)x->obj[i].len);
			cert_hex(x->obj[i].sha256, 32, hex, 0);
			fprintf(f, "%s %zu %s\n", hex, x->obj[i].len, b64);
			free(b64);
		}
		if (fclose(f) != 0) {
			diag_err(d, NULL, 0, "out of memory");
			return -1;
		}
		snprintf(file, sizeof(file), "central/%s.objects",
		    s->spec.name);
		rc = state_write(x->state, file, text, len, d);
		free(text);
		if (rc == -1)
			return -1;
	}
	text = xasprintf("trustbuild-central 1\nserial %llu\nmanifest %s\n",
	    serial, sha);
	snprintf(file, sizeof(file), "central/%s", s->spec.name);
	rc = state_write(x->state, file, text, strlen(text), d);
	free(text);
	return rc;
}

/* A manifest past its valid-until: why, into err. */
static int
stale(const struct central *x, const struct fleet_manifest *m, char *err,
    size_t size)
{
	char until[32];

	if (m->valid_until > x->now)
		return 0;
	cert_time_fmt(m->valid_until, "%Y-%m-%d %H:%M UTC", until,
	    sizeof(until));
	snprintf(err, size, "stale: serial %llu was valid until %s; the "
	    "exporting host has not signed it again (does its update run?)",
	    m->serial, until);
	return 1;
}

/*
 * The signature of the manifest in s->buf, fetched and checked; when it
 * does not match, both once more (an export may have renamed them in
 * between).  -1 with why.
 */
static int
signature(struct central *x, struct acquire_src *s, char *err, size_t size)
{
	struct fetch_result sig, man;
	char *url = xasprintf("%s.p7s", s->spec.url), fe[768];
	int tries, rc = -1;

	for (tries = 0; tries < 2 && rc == -1; tries++) {
		if (tries > 0) {
			if (get(x, s->spec.url, x->o.max_size, &man, fe,
			    sizeof(fe)) == -1)
				break;
			free(s->buf);
			s->buf = man.body;
			s->len = man.len;
			man.body = NULL;
			fetch_result_release(&man);
		}
		if (get(x, url, FLEET_MAX_SIGNATURE, &sig, fe,
		    sizeof(fe)) == -1) {
			snprintf(err, size, "its signature %s", fe);
			break;
		}
		if (fleetman_verify(s->buf, s->len, sig.body, sig.len, x->pin,
		    x->npin, fe, sizeof(fe)) == 0)
			rc = 0;
		else
			snprintf(err, size, "the signature '%s' does not "
			    "verify: %s", url, fe);
		fetch_result_release(&sig);
	}
	free(url);
	return rc;
}

/* The checks both share, from a verified (or kept) manifest in s->buf. */
static int
take(struct central *x, struct acquire_src *s, int fresh, char *err,
    size_t size)
{
	struct fleet_manifest m;
	struct object *v;
	unsigned long long rec;
	char sha[65], recsha[65], why[256];
	const char *bad;
	struct diags rd = DIAGS_INIT;
	int rc = -1;

	memset(&m, 0, sizeof(m));
	state_sha256_hex(s->buf, s->len, sha);
	if (record_read(x, s->spec.name, &rec, recsha, &rd) == -1) {
		snprintf(err, size, "%s", diags_first_err(&rd));
		diags_clear(&rd);
		return -1;
	}
	if (!fresh && strcmp(sha, recsha) != 0) {
		snprintf(err, size, "the cached manifest is not the one last "
		    "accepted (%s); run 'trustbuild update' online", recsha[0] ?
		    recsha : "none");
		return -1;
	}
	if (fleetman_parse((char *)s->buf, s->len, &m, why,
	    sizeof(why)) == -1) {
		snprintf(err, size, "not a signed store's manifest: %s", why);
		return -1;
	}
	if (stale(x, &m, err, size))
		goto out;
	if (m.serial < rec || (m.serial == rec && strcmp(sha, recsha) != 0)) {
		snprintf(err, size, "serial %llu %s the last accepted %llu: a "
		    "replayed older manifest (rollback) is refused", m.serial,
		    m.serial < rec ? "is lower than" : "has other content than",
		    rec);
		goto out;
	}
	kept_read(x, s->spec.name);
	if (objects_get(x, s, &m, &v, err, size) == -1)
		goto out;
	if ((bad = build(x, s, &m, v, why, sizeof(why))) != NULL) {
		snprintf(err, size, "serial %llu: %s%s%s", m.serial, bad,
		    bad[0] == 'i' && why[0] ? ": " : "", why);
		goto out;
	}
	if ((fresh || x->fetched > 0) && keep(x, s, sha, m.serial,
	    fresh || x->fetched > 0, &rd) == -1) {
		snprintf(err, size, "%s", diags_first_err(&rd));
		diags_clear(&rd);
		goto out;
	}
	rc = 0;
out:
	fleetman_release(&m);
	return rc;
}

int
central_check(const struct acquire_ctx *c, struct acquire_src *s)
{
	struct central *x = s->central;
	char err[1024];

	if (signature(x, s, err, sizeof(err)) == 0 &&
	    take(x, s, 1, err, sizeof(err)) == 0) {
		diag_info(c->d, NULL, 0, "[source %s]: %zu anchor%s, %zu "
		    "intermediate%s (%d object%s fetched)", s->spec.name,
		    s->set->n, s->set->n == 1 ? "" : "s", x->iset->n,
		    x->iset->n == 1 ? "" : "s", x->fetched, x->fetched == 1 ?
		    "" : "s");
		return 0;
	}
	diag_err(c->d, NULL, 0, "[source %s]: '%s': %s; refusing it, the "
	    "published store stays as it is", s->spec.name, s->spec.url, err);
	return -1;
}

int
central_parse(struct acquire_src *s, struct diags *d)
{
	char err[1024];

	if (take(s->central, s, 0, err, sizeof(err)) == 0)
		return 0;
	diag_err(d, NULL, 0, "[source %s]: '%s' (%s): %s; the published store "
	    "stays as it is", s->spec.name, s->spec.url, s->origin, err);
	return -1;
}
