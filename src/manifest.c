/*
 * manifest.c: STATE/manifest, see manifest.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "manifest.h"
#include "pem.h"
#include "state.h"
#include "text.h"

#define MAGIC		"trustbuild-manifest 1"
#define LINE_MAX_LEN	(1024 * 1024)

static const char *role_names[] = { "none", "anchor", "intermediate" };

const char *
manifest_role_name(enum cert_role r)
{
	return r <= ROLE_INTERMEDIATE ? role_names[r] : "none";
}

void
manifest_release(struct manifest *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->ncert; i++) {
		free(m->cert[i].origin);
		free(m->cert[i].label);
	}
	for (i = 0; i < m->nprobe; i++) {
		free(m->probe[i].der);
		free(m->probe[i].name);
	}
	free(m->cert);
	free(m->probe);
	memset(m, 0, sizeof(*m));
}

/* Split the next field off *p (up to end); NULL when there is none. */
static const char *
field(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *sp;

	if (s >= end)
		return NULL;
	sp = memchr(s, ' ', (size_t)(end - s));
	*len = (size_t)((sp ? sp : end) - s);
	*p = sp ? sp + 1 : end;
	return *len ? s : NULL;
}

static int
when(const char *s, size_t len, time_t *t)
{
	char tmp[24], *e;
	long long v;

	if (len == 1 && *s == '-') {
		*t = 0;
		return 0;
	}
	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	v = strtoll(tmp, &e, 10);
	if (*e != '\0' || v <= 0)
		return -1;
	*t = (time_t)v;
	return 0;
}

static int
day_ok(const char *s, size_t len)
{
	size_t i;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return 1;
}

#define RFC3339	"%Y-%m-%dT%H:%M:%SZ"

int
manifest_time(const char *s, size_t len, time_t *t)
{
	struct tm tm;
	char tmp[24];
	const char *e;

	if (len != 20)
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	memset(&tm, 0, sizeof(tm));
	if ((e = strptime(tmp, RFC3339, &tm)) == NULL || *e != '\0')
		return -1;
	*t = timegm(&tm);
	return *t > 0 ? 0 : -1;
}

static char *
rest(const char *s, const char *end)
{
	char *r = malloc((size_t)(end - s) + 1);

	if (r != NULL) {
		memcpy(r, s, (size_t)(end - s));
		r[end - s] = '\0';
	}
	return r;
}

static const char *
cert_line(const char *p, const char *end, struct manifest *m)
{
	struct manifest_cert mc, *v;
	const char *f;
	size_t len;
	int i, pu;

	memset(&mc, 0, sizeof(mc));
	if ((f = field(&p, end, &len)) == NULL ||
	    cert_unhex(f, len, mc.sha256) == -1)
		return "a cert line without a SHA-256";
	if ((f = field(&p, end, &len)) == NULL)
		return "a cert line without a role";
	for (i = ROLE_ANCHOR; i <= ROLE_INTERMEDIATE; i++)
		if (strlen(role_names[i]) == len &&
		    memcmp(f, role_names[i], len) == 0)
			mc.role = (enum cert_role)i;
	if (mc.role == ROLE_NONE)
		return "an unknown role";
	if ((f = field(&p, end, &len)) == NULL || len > 31)
		return "a cert line without a purpose";
	{
		char pn[32];

		memcpy(pn, f, len);
		pn[len] = '\0';
		if ((pu = purpose_from_name(pn)) == -1)
			return "an unknown purpose";
		mc.purpose = (enum purpose)pu;
	}
	if ((f = field(&p, end, &len)) == NULL || !day_ok(f, len))
		return "a first-seen day that is not YYYY-MM-DD";
	memcpy(mc.first_seen, f, 10);
	for (i = 0; i < 2; i++)
		if ((f = field(&p, end, &len)) == NULL ||
		    when(f, len, &mc.distrust_after[i]) == -1)
			return "a distrust-after that is not a time";
	if (p >= end)
		return "a cert line without an origin";
	if ((mc.origin = rest(p, end)) == NULL)
		return "out of memory";
	if ((v = reallocarray(m->cert, m->ncert + 1, sizeof(*v))) == NULL) {
		free(mc.origin);
		return "out of memory";
	}
	m->cert = v;
	v[m->ncert++] = mc;
	return NULL;
}

/* A label line: the label of the cert line of its SHA-256, just before. */
static const char *
label_line(const char *p, const char *end, struct manifest *m)
{
	struct manifest_cert *mc;
	unsigned char sha[32];
	const char *f;
	size_t len;

	if ((f = field(&p, end, &len)) == NULL ||
	    cert_unhex(f, len, sha) == -1)
		return "a label line without a SHA-256";
	if (m->ncert == 0 ||
	    memcmp((mc = &m->cert[m->ncert - 1])->sha256, sha, 32) != 0)
		return "a label line not after its cert line";
	if (p >= end || mc->label != NULL)
		return "a label line without a label, or a second one";
	if ((mc->label = rest(p, end)) == NULL)
		return "out of memory";
	return NULL;
}

static const char *
probe_line(const char *p, const char *end, struct manifest *m)
{
	struct manifest_probe mp, *v;
	const unsigned char *q;
	unsigned char d[32];
	const char *f, *save;
	size_t len;
	X509 *x;

	memset(&mp, 0, sizeof(mp));
	if ((f = field(&p, end, &len)) == NULL ||
	    cert_unhex(f, len, mp.sha256) == -1)
		return "a probe line without a SHA-256";
	if ((f = field(&p, end, &len)) == NULL ||
	    pem_base64_decode(f, len, &mp.der, &mp.len) == -1)
		return "a probe line without a certificate";
	q = mp.der;
	if ((x = d2i_X509(NULL, &q, (long)mp.len)) == NULL ||
	    q != mp.der + mp.len || !EVP_Digest(mp.der, mp.len, d, NULL,
	    EVP_sha256(), NULL) || memcmp(d, mp.sha256, 32) != 0) {
		X509_free(x);
		free(mp.der);
		return "a probe line whose certificate is not its SHA-256";
	}
	X509_free(x);
	/* LAST-SEEN, which no name can be (a name has no ':') */
	save = p;
	if ((f = field(&p, end, &len)) == NULL || p >= end ||
	    manifest_time(f, len, &mp.last_seen) == -1)
		p = save;
	if (p >= end || (mp.name = rest(p, end)) == NULL) {
		free(mp.der);
		return "a probe line without a name";
	}
	if ((v = reallocarray(m->probe, m->nprobe + 1, sizeof(*v))) == NULL) {
		free(mp.der);
		free(mp.name);
		return "out of memory";
	}
	m->probe = v;
	v[m->nprobe++] = mp;
	return NULL;
}

int
manifest_parse(const char *buf, size_t len, struct manifest *m, char *err,
    size_t errsz)
{
	const char *p = buf, *end = buf + len, *why = NULL;
	size_t line = 0;

	while (p < end && why == NULL) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *s = p;

		p = nl ? nl + 1 : end;
		line++;
		if ((size_t)(e - s) > LINE_MAX_LEN)
			why = "a line longer than 1 MiB";
		else if (line == 1)
			why = (size_t)(e - s) == strlen(MAGIC) &&
			    memcmp(s, MAGIC, strlen(MAGIC)) == 0 ? NULL :
			    "not a manifest of this version (" MAGIC ")";
		else if (e - s > 5 && memcmp(s, "cert ", 5) == 0)
			why = cert_line(s + 5, e, m);
		else if (e - s > 6 && memcmp(s, "label ", 6) == 0)
			why = label_line(s + 6, e, m);
		else if (e - s > 6 && memcmp(s, "probe ", 6) == 0)
			why = probe_line(s + 6, e, m);
		else if (e != s && *s != '#')
			why = "an unknown line";
	}
	if (why == NULL && line == 0)
		why = "empty";
	if (why != NULL) {
		snprintf(err, errsz, "line %zu: %s", line, why);
		manifest_release(m);
		return -1;
	}
	return 0;
}

int
manifest_render(const struct manifest *m, char **out, size_t *len)
{
	FILE *f;
	struct tm tm;
	char hex[65], *b64, seen[32];
	size_t i;
	int k;

	if ((f = open_memstream(out, len)) == NULL)
		return -1;
	fprintf(f, MAGIC "\n# written by trustbuild update; what it must "
	    "know of the published store\n");
	for (i = 0; i < m->ncert; i++) {
		const struct manifest_cert *c = &m->cert[i];

		cert_hex(c->sha256, 32, hex, 0);
		fprintf(f, "cert %s %s %s %s", hex, manifest_role_name(c->role),
		    purpose_name(c->purpose), c->first_seen);
		for (k = 0; k < 2; k++)
			if (c->distrust_after[k] != 0)
				fprintf(f, " %lld",
				    (long long)c->distrust_after[k]);
			else
				fprintf(f, " -");
		fprintf(f, " %s\n", c->origin);
		if (c->label != NULL)
			fprintf(f, "label %s %s\n", hex, c->label);
	}
	for (i = 0; i < m->nprobe; i++) {
		const struct manifest_probe *pr = &m->probe[i];

		if ((b64 = malloc(4 * ((pr->len + 2) / 3) + 1)) == NULL) {
			fclose(f);
			free(*out);
			return -1;
		}
		EVP_EncodeBlock((unsigned char *)b64, pr->der, (int)pr->len);
		cert_hex(pr->sha256, 32, hex, 0);
		fprintf(f, "probe %s %s ", hex, b64);
		if (pr->last_seen != 0 && gmtime_r(&pr->last_seen, &tm) &&
		    strftime(seen, sizeof(seen), RFC3339, &tm) > 0)
			fprintf(f, "%s ", seen);
		fprintf(f, "%s\n", pr->name);
		free(b64);
	}
	if (fclose(f) != 0) {
		free(*out);
		return -1;
	}
	return 0;
}

const struct manifest_cert *
manifest_find(const struct manifest *m, const unsigned char sha256[32])
{
	size_t i;

	for (i = 0; m != NULL && i < m->ncert; i++)
		if (memcmp(m->cert[i].sha256, sha256, 32) == 0)
			return &m->cert[i];
	return NULL;
}

/* The sources of c as one escaped line: "a, b, c". */
static char *
origin_of(const struct cert *c)
{
	char *joined = NULL, *esc;
	size_t len = 0, i;
	FILE *f;

	if ((f = open_memstream(&joined, &len)) == NULL)
		return NULL;
	for (i = 0; i < c->nsources; i++)
		fprintf(f, "%s%s", i ? ", " : "", c->sources[i]);
	if (c->nsources == 0)
		fprintf(f, "-");
	if (fclose(f) != 0)
		return NULL;
	esc = text_esc_dup(joined);
	free(joined);
	return esc;
}

int
manifest_add_set(struct manifest *m, const struct certset *set,
    enum purpose p, const struct manifest *prev, time_t now)
{
	struct manifest_cert *v;
	const struct manifest_cert *old;
	struct tm tm;
	char today[16];
	size_t i;
	int k;

	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	if ((v = reallocarray(m->cert, m->ncert + set->n, sizeof(*v))) ==
	    NULL)
		return -1;
	m->cert = v;
	for (i = 0; i < set->n; i++) {
		const struct cert *c = set->v[i];
		struct manifest_cert *mc = &m->cert[m->ncert];

		memset(mc, 0, sizeof(*mc));
		memcpy(mc->sha256, c->sha256, 32);
		mc->role = c->role == ROLE_INTERMEDIATE ? ROLE_INTERMEDIATE :
		    ROLE_ANCHOR;
		mc->purpose = p;
		old = manifest_find(prev, c->sha256);
		memcpy(mc->first_seen, old ? old->first_seen : today, 10);
		for (k = 0; k < 2; k++)
			if (c->distrust[k] == DISTRUST_AFTER)
				mc->distrust_after[k] = c->distrust_after[k];
		if ((mc->origin = origin_of(c)) == NULL)
			return -1;
		if (c->label != NULL && c->label[0] != '\0' &&
		    (mc->label = text_esc_dup(c->label)) == NULL) {
			free(mc->origin);
			return -1;
		}
		m->ncert++;
	}
	return 0;
}

int
manifest_add_probe(struct manifest *m, const char *name, const struct cert *c,
    time_t last_seen)
{
	struct manifest_probe *v, *mp;
	if ((v = reallocarray(m->probe, m->nprobe + 1, sizeof(*v))) == NULL)
		return -1;
	m->probe = v;
	mp = &v[m->nprobe];
	memset(mp, 0, sizeof(*mp));
	mp->len = c->derlen;
	if ((mp->der = malloc(mp->len)) == NULL ||
	    (mp->name = text_esc_dup(name)) == NULL) {
		free(mp->der);
		return -1;
	}
	memcpy(mp->der, c->der, mp->len);
	memcpy(mp->sha256, c->sha256, 32);
	mp->last_seen = last_seen;
	m->nprobe++;
	return 0;
}

int
manifest_load(const char *state, struct manifest *m, char *err, size_t errsz,
    struct diags *d)
{
	char *buf = NULL;
	int got;

	if (errsz > 0)
		err[0] = '\0';
	if ((got = state_read(state, MANIFEST_FILE, &buf, d)) != 1)
		return got;
	got = manifest_parse(buf, strlen(buf), m, err, errsz) == -1 ? 0 : 1;
	free(buf);
	return got;
}

int
manifest_save(const char *state, const struct manifest *m, struct diags *d)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (manifest_render(m, &text, &len) == -1) {
		diag_err(d, NULL, 0, "out of memory");
		return -1;
	}
	rc = state_write(state, MANIFEST_FILE, text, len, d);
	free(text);
	return rc;
}
