/*
 * format.c: the certificate source formats, one table, see format.h.
 *
 * The parsers keep their own signatures (text or bytes, with or without a
 * blocklist); the small adapters below give each row the one signature of
 * format_parse_fn.  Archives are a row too: their members go through the
 * same table, so an archive in an archive is read like any other member.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccadb.h"
#include "certdata.h"
#include "der.h"
#include "format.h"
#include "pem.h"
#include "unpack.h"
#include "xalloc.h"

static int
detect_certdata(const unsigned char *buf, size_t len)
{
	return certdata_detect((const char *)buf, len);
}

static int
detect_ccadb(const unsigned char *buf, size_t len)
{
	return ccadb_detect((const char *)buf, len);
}

static int
detect_pem(const unsigned char *buf, size_t len)
{
	return pem_detect((const char *)buf, len);
}

static int
parse_certdata(const char *name, const unsigned char *buf, size_t len,
    int want, struct certset *set, struct blocklist *bl, struct diags *d)
{
	return certdata_parse(name, (const char *)buf, len, want, set, bl, d);
}

static int parse_archive(const char *, const unsigned char *, size_t, int,
    struct certset *, struct blocklist *, struct diags *);

/*
 * In detection order.  An archive first: an uncompressed tar of PEM files
 * also holds "-----BEGIN".  CCADB before PEM: its PEM column holds
 * "-----BEGIN".
 */
const struct format format_table[] = {
	{ "archive", "archive", FORMAT_ARCHIVE, unpack_detect,
	    parse_archive, NULL },
	{ "certdata", "certdata.txt", FORMAT_CERTDATA, detect_certdata,
	    parse_certdata, NULL },
	{ "ccadb-csv", "CCADB CSV", FORMAT_CCADB, detect_ccadb, NULL,
	    ccadb_parse },
	{ "pem", "PEM", FORMAT_PEM, detect_pem, NULL, pem_parse },
	{ "der", "DER", FORMAT_DER, der_detect, NULL, der_parse },
	{ "pkcs7", "DER", FORMAT_DER, NULL, NULL, der_parse },
	{ NULL, NULL, FORMAT_UNKNOWN, NULL, NULL, NULL }
};

int
format_row_parse(const struct format *f, const char *name,
    const unsigned char *buf, size_t len, int want, struct certset *set,
    struct blocklist *bl, struct diags *d)
{
	if (f->parse != NULL)
		return f->parse(name, buf, len, want, set, bl, d);
	return f->certs(name, buf, len, set, d);
}

enum source_format
format_detect(const unsigned char *buf, size_t len)
{
	const struct format *f;

	for (f = format_table; f->key != NULL; f++)
		if (f->detect != NULL && f->detect(buf, len))
			return f->fmt;
	return FORMAT_UNKNOWN;
}

const struct format *
format_get(enum source_format fmt)
{
	const struct format *f;

	for (f = format_table; f->key != NULL; f++)
		if (f->fmt == fmt)
			return f;
	return NULL;
}

const char *
format_name(enum source_format fmt)
{
	const struct format *f = format_get(fmt);

	return f != NULL ? f->name : "unknown";
}

const struct format *
format_from_key(const char *key)
{
	const struct format *f;

	for (f = format_table; f->key != NULL; f++)
		if (strcmp(f->key, key) == 0)
			return f;
	return NULL;
}

/* The rows' keys, or the names of the detectable ones, joined by ", ". */
static const char *
join(char *buf, size_t size, int names)
{
	const struct format *f;
	size_t off = 0;

	if (buf[0] != '\0')
		return buf;
	for (f = format_table; f->key != NULL; f++) {
		if (names && f->detect == NULL)
			continue;
		off += (size_t)snprintf(buf + off, size - off, "%s%s%s",
		    off ? ", " : "", names ? f->name : f->key,
		    names && f->fmt == FORMAT_DER ? "/PKCS#7" : "");
	}
	return buf;
}

const char *
format_keys(void)
{
	static char buf[256];

	return join(buf, sizeof(buf), 0);
}

const char *
format_names(void)
{
	static char buf[256];

	return join(buf, sizeof(buf), 1);
}

struct member_ctx {
	int			 want;
	struct certset		*set;
	struct blocklist	*bl;
};

/* One member of an archive: a certificate source, or skipped. */
static int
member(void *arg, const char *name, const unsigned char *buf, size_t len,
    struct diags *d)
{
	struct member_ctx *m = arg;
	const struct format *f = format_get(format_detect(buf, len));
	size_t before = m->bl->n;
	int n;

	if (f == NULL) {
		diag_info(d, name, 0, "not a certificate source; skipped");
		return 0;
	}
	if ((n = format_row_parse(f, name, buf, len, m->want, m->set, m->bl,
	    d)) > 0 ||
	    m->bl->n > before)
		diag_info(d, name, 0, "%d certificate%s", n, n == 1 ? "" : "s");
	return n;
}

static int
walk(const char *name, const unsigned char *buf, size_t len,
    const char *glob, int want, struct certset *set, struct blocklist *bl,
    struct diags *d)
{
	struct member_ctx m = { want, set, bl };
	struct unpack u;
	int n;

	memset(&u, 0, sizeof(u));
	u.glob = glob;
	u.fn = member;
	u.arg = &m;
	if ((n = unpack_walk(&u, name, buf, len, d)) == -1)
		return -1;
	if (glob != NULL && u.matched == 0) {
		diag_err(d, name, 0, "no member matches '%s'", glob);
		return -1;
	}
	return n;
}

static int
parse_archive(const char *name, const unsigned char *buf, size_t len,
    int want, struct certset *set, struct blocklist *bl, struct diags *d)
{
	return walk(name, buf, len, NULL, want, set, bl, d);
}

int
format_parse_members(const char *name, const unsigned char *buf,
    size_t len, const char *glob, int want, struct certset *set,
    struct blocklist *bl, struct diags *d)
{
	const struct format *f = format_get(format_detect(buf, len));

	if (glob != NULL && (f == NULL || f->fmt != FORMAT_ARCHIVE)) {
		diag_err(d, NULL, 0, "'%s#%s': a member selector needs an "
		    "archive, and '%s' is %s", name, glob, name, f == NULL ?
		    "no certificate source" : f->name);
		return -1;
	}
	if (glob != NULL)
		return walk(name, buf, len, glob, want, set, bl, d);
	if (f == NULL) {
		if (len == 0)
			diag_add(d, DIAG_ERR, DIAG_NOT_FORMAT, name, 0, "no "
			    "certificates found (an empty file)");
		else
			diag_add(d, DIAG_ERR, DIAG_NOT_FORMAT, name, 0, "no "
			    "certificates found (tried %s: none matched)",
			    format_names());
		return -1;
	}
	return format_row_parse(f, name, buf, len, want, set, bl, d);
}

int
format_certs(const char *name, const unsigned char *buf, size_t len,
    size_t max, STACK_OF(X509) *out, struct diags *d)
{
	struct certset *set = certset_new();
	struct diags rd = DIAGS_INIT;
	size_t i;
	int n;

	if (len == 0) {
		diag_err(d, name, 0, "an empty answer");
		n = -1;
		goto out;
	}
	/* DER starts with a SEQUENCE; PEM is text */
	n = buf[0] == 0x30 ? der_parse("answer", buf, len, set, &rd) :
	    pem_parse("answer", (const char *)buf, len, set, &rd);
	for (i = 0; i < rd.n; i++) {	/* named as the caller names it */
		free(rd.v[i].file);
		rd.v[i].file = name != NULL ? xstrdup(name) : NULL;
	}
	if (n == -1) {
		diags_move(d, &rd);
		goto out;
	}
	if (set->n == 0) {
		/* what was skipped says why: an empty bag, a key block */
		for (i = 0; i < rd.n && rd.v[i].level != DIAG_WARN; i++)
			;
		diag_err(d, name, 0, "%s", i < rd.n ? rd.v[i].msg :
		    "no certificate in the answer (not DER, PEM or PKCS#7)");
		n = -1;
		goto out;
	}
	if (set->n > max) {
		diag_add(d, DIAG_ERR, DIAG_LIMIT, name, 0, "more than the "
		    "limit of %zu certificates", max);
		n = -1;
		goto out;
	}
	for (i = 0; i < set->n; i++) {
		X509 *x = cert_x509(set->v[i]);

		if (x == NULL) {
			diag_err(d, name, 0, "out of memory");
			n = -1;
			goto out;
		}
		X509_trust_clear(x);
		X509_reject_clear(x);
		X509_up_ref(x);
		if (!sk_X509_push(out, x)) {
			X509_free(x);
			diag_err(d, name, 0, "out of memory");
			n = -1;
			goto out;
		}
	}
	n = (int)set->n;
out:
	diags_clear(&rd);
	certset_free(set);
	return n;
}

int
format_parse(const char *name, const unsigned char *buf, size_t len,
    int want, struct certset *set, struct blocklist *bl, struct diags *d)
{
	return format_parse_members(name, buf, len, NULL, want, set, bl, d);
}
