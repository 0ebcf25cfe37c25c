/*
 * certdata.c: Mozilla certdata.txt reader, see certdata.h.
 *
 * The file is a header of comments, a BEGINDATA line, then objects.  An
 * object starts at a CKA_CLASS line and is a list of attribute lines
 * "NAME TYPE VALUE"; a MULTILINE_OCTAL value follows on lines of \ooo
 * escapes up to a line "END".  Comments and blank lines may come anywhere.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "certdata.h"
#include "certdata_int.h"
#include "diag.h"
#include "xalloc.h"

#define CERTDATA_MAX_VALUE	(1024 * 1024)	/* one attribute value */

static void
object_release(struct object *o)
{
	free(o->label);
	free(o->value.p);
	free(o->issuer.p);
	free(o->serial.p);
	free(o->sha1.p);
}

/* Next line into [*s, *e) without the newline; 0 at end of buffer. */
static int
next_line(struct parser *ps, const char **s, const char **e)
{
	const char *nl;

	if (ps->p >= ps->end)
		return 0;
	*s = ps->p;
	nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));
	*e = nl ? nl : ps->end;
	ps->p = nl ? nl + 1 : ps->end;
	if (*e > *s && (*e)[-1] == '\r')
		(*e)--;
	ps->line++;
	return 1;
}

static int
blank(const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	return s == e || *s == '#';
}

/* Split "A B C..." into up to 3 words; the third is the rest of the line. */
static int
split(const char *s, const char *e, const char *w[3], size_t wl[3])
{
	int n = 0;

	while (n < 3) {
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		if (s == e)
			break;
		w[n] = s;
		if (n == 2) {
			while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			wl[n] = (size_t)(e - s);
		} else {
			while (s < e && *s != ' ' && *s != '\t')
				s++;
			wl[n] = (size_t)(s - w[n]);
		}
		n++;
		if (n == 3)
			break;
	}
	return n;
}

static int
word_is(const char *w, size_t wl, const char *lit)
{
	return strlen(lit) == wl && memcmp(w, lit, wl) == 0;
}

static int
perr(struct parser *ps, size_t line, const char *fmt, const char *arg,
    size_t arglen)
{
	char what[64], msg[256];

	snprintf(what, sizeof(what), "%.*s", (int)(arglen > 60 ? 60 : arglen),
	    arg ? arg : "");
	snprintf(msg, sizeof(msg), fmt, what);
	diag_err(ps->d, ps->name, line, "%s", msg);
	return -1;
}

/*
 * Check the MULTILINE_OCTAL lines up to END and count the bytes they
 * stand for; *text is where they start.  Nothing is allocated: most
 * values (CKA_SUBJECT, the MD5 hash, ...) are only checked, and a value
 * kept is decoded once, into a buffer of its size (octal_decode()).
 */
static int
octal_scan(struct parser *ps, const char **text, size_t *count)
{
	const char *s, *e;
	size_t start = ps->line, n = 0;

	*text = ps->p;
	for (;;) {
		if (!next_line(ps, &s, &e))
			return perr(ps, start,
			    "MULTILINE_OCTAL value without END; the file is "
			    "truncated%s", "", 0);
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (word_is(s, (size_t)(e - s), "END"))
			break;
		for (; s < e; s += 4) {
			if (e - s < 4 || s[0] != '\\' ||
			    s[1] < '0' || s[1] > '3' ||
			    s[2] < '0' || s[2] > '7' ||
			    s[3] < '0' || s[3] > '7')
				return perr(ps, ps->line,
				    "bad octal escape '%s'; expected \\ooo",
				    s, (size_t)(e - s) < 8 ? (size_t)(e - s) : 8);
			if (n == CERTDATA_MAX_VALUE)
				return perr(ps, start,
				    "value larger than 1 MiB%s", "", 0);
			n++;
		}
	}
	*count = n;
	return 0;
}

/*
 * The count bytes of the lines at text, which octal_scan() has checked:
 * every line up to END is \ooo escapes, maybe with trailing blanks.
 */
static void
octal_decode(const char *text, size_t count, unsigned char *out)
{
	const char *s = text;
	size_t n = 0;

	while (n < count) {
		if (*s != '\\') {		/* blanks, CR, the newline */
			s++;
			continue;
		}
		out[n++] = (unsigned char)((s[1] - '0') * 64 +
		    (s[2] - '0') * 8 + (s[3] - '0'));
		s += 4;
	}
}

/* Read MULTILINE_OCTAL lines up to END into out (malloc'd). */
static int
read_octal(struct parser *ps, struct bytes *out)
{
	const char *text;
	size_t n;

	if (octal_scan(ps, &text, &n) == -1)
		return -1;
	out->p = xmalloc(n);
	octal_decode(text, n, out->p);
	out->len = n;
	out->set = 1;
	return 0;
}

/* A UTF8 "..." value; backslash takes the next character literally. */
static char *
read_utf8(const char *w, size_t wl)
{
	char *s, *o;
	size_t i;

	if (wl < 2 || w[0] != '"' || w[wl - 1] != '"')
		return NULL;
	s = xmalloc(wl);
	o = s;
	for (i = 1; i + 1 < wl; i++) {
		if (w[i] == '\\' && i + 2 < wl)
			i++;
		else if (w[i] == '"') {
			free(s);
			return NULL;
		}
		*o++ = w[i];
	}
	*o = '\0';
	return s;
}

static int
parse_trust(const char *w, size_t wl, enum trust *t)
{
	if (word_is(w, wl, "CKT_NSS_TRUSTED_DELEGATOR"))
		*t = TRUST_DELEGATOR;
	else if (word_is(w, wl, "CKT_NSS_NOT_TRUSTED"))
		*t = TRUST_NOT_TRUSTED;
	else if (word_is(w, wl, "CKT_NSS_MUST_VERIFY_TRUST") ||
	    word_is(w, wl, "CKT_NSS_TRUST_UNKNOWN") ||
	    word_is(w, wl, "CKT_NSS_VALID_DELEGATOR") ||
	    word_is(w, wl, "CKT_NSS_TRUSTED"))
		*t = TRUST_MUST_VERIFY;
	else
		return -1;
	return 0;
}

/* 13-byte UTCTime "YYMMDDHHMMSSZ" to time_t. */
static int
parse_utctime(const struct bytes *b, time_t *out)
{
	ASN1_UTCTIME *t;
	char s[16];
	struct tm tm;
	int ok;

	if (b->len != 13)
		return -1;
	memcpy(s, b->p, 13);
	s[13] = '\0';
	if ((t = ASN1_UTCTIME_new()) == NULL)
		return -1;
	ok = ASN1_UTCTIME_set_string(t, s) && ASN1_TIME_to_tm(t, &tm);
	ASN1_UTCTIME_free(t);
	if (!ok)
		return -1;
	*out = timegm(&tm);
	return 0;
}

static struct object *
new_object(struct parser *ps)
{
	struct object *o;

	if (ps->nobjs == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 256;
		ps->objs = xreallocarray(ps->objs, ps->cap, sizeof(*ps->objs));
	}
	o = &ps->objs[ps->nobjs++];
	memset(o, 0, sizeof(*o));
	o->line = ps->line;
	return o;
}

static int
set_bytes(struct parser *ps, struct bytes *dst, size_t line,
    const char *attr, size_t al)
{
	struct bytes b = { NULL, 0, 0 };

	if (dst->set)
		return perr(ps, line, "attribute %s given twice", attr, al);
	if (read_octal(ps, &b) == -1)
		return -1;
	*dst = b;
	return 0;
}

/* A MULTILINE_OCTAL attribute of o: kept, or read and dropped. */
static int
attr_octal(struct parser *ps, struct object *o, const char *w[3],
    size_t wl[3], size_t line)
{
	unsigned char date[13];
	const struct bytes when = { date, sizeof(date), 1 };
	const char *text;
	size_t n;
	int i, r;

	if (word_is(w[0], wl[0], "CKA_VALUE"))
		return set_bytes(ps, &o->value, line, w[0], wl[0]);
	if (word_is(w[0], wl[0], "CKA_ISSUER"))
		return set_bytes(ps, &o->issuer, line, w[0], wl[0]);
	if (word_is(w[0], wl[0], "CKA_SERIAL_NUMBER"))
		return set_bytes(ps, &o->serial, line, w[0], wl[0]);
	if (word_is(w[0], wl[0], "CKA_CERT_SHA1_HASH")) {
		o->sha1_line = line;
		return set_bytes(ps, &o->sha1, line, w[0], wl[0]);
	}
	for (i = 0; i < 2; i++) {
		static const char *attrs[2] = {
			"CKA_NSS_SERVER_DISTRUST_AFTER",
			"CKA_NSS_EMAIL_DISTRUST_AFTER"
		};

		if (!word_is(w[0], wl[0], attrs[i]))
			continue;
		if (o->distrust[i] != DISTRUST_UNKNOWN)
			return perr(ps, line, "attribute %s given twice",
			    w[0], wl[0]);
		if (octal_scan(ps, &text, &n) == -1)
			return -1;
		r = -1;
		if (n == sizeof(date)) {
			octal_decode(text, n, date);
			r = parse_utctime(&when, &o->distrust_after[i]);
		}
		if (r == -1)
			return perr(ps, line, "%s is not a 13-byte "
			    "UTCTime", w[0], wl[0]);
		o->distrust[i] = DISTRUST_AFTER;
		return 0;
	}
	/* CKA_SUBJECT, CKA_CERT_MD5_HASH, ...: checked, not kept */
	return octal_scan(ps, &text, &n);
}

/* One attribute line of the current object. */
static int
attribute(struct parser *ps, struct object *o, const char *w[3],
    size_t wl[3], int nw)
{
	size_t line = ps->line;
	int octal = word_is(w[1], wl[1], "MULTILINE_OCTAL");
	int i;

	if (!octal && nw < 3)
		return perr(ps, line, "attribute '%s' has no value", w[0], wl[0]);
	if (octal && nw == 3)
		return perr(ps, line, "text after MULTILINE_OCTAL: '%s'",
		    w[2], wl[2]);

	if (word_is(w[1], wl[1], "CK_OBJECT_CLASS"))
		return perr(ps, line, "CKA_CLASS expected, got '%s'",
		    w[0], wl[0]);

	if (word_is(w[1], wl[1], "UTF8")) {
		char *s = read_utf8(w[2], wl[2]);

		if (s == NULL)
			return perr(ps, line, "bad UTF8 string %s", w[2], wl[2]);
		if (word_is(w[0], wl[0], "CKA_LABEL")) {
			if (o->label != NULL) {
				free(s);
				return perr(ps, line, "attribute %s given twice",
				    w[0], wl[0]);
			}
			o->label = s;
		} else
			free(s);
		return 0;
	}
	if (word_is(w[1], wl[1], "CK_BBOOL")) {
		int idx = -1;

		if (!word_is(w[2], wl[2], "CK_TRUE") &&
		    !word_is(w[2], wl[2], "CK_FALSE"))
			return perr(ps, line, "bad CK_BBOOL value '%s'",
			    w[2], wl[2]);
		if (word_is(w[0], wl[0], "CKA_NSS_SERVER_DISTRUST_AFTER"))
			idx = 0;
		else if (word_is(w[0], wl[0], "CKA_NSS_EMAIL_DISTRUST_AFTER"))
			idx = 1;
		if (idx >= 0) {
			if (!word_is(w[2], wl[2], "CK_FALSE"))
				return perr(ps, line, "distrust-after must be "
				    "CK_FALSE or a date, not '%s'", w[2], wl[2]);
			if (o->distrust[idx] != DISTRUST_UNKNOWN)
				return perr(ps, line, "attribute %s given twice",
				    w[0], wl[0]);
			o->distrust[idx] = DISTRUST_NEVER;
		}
		return 0;
	}
	if (word_is(w[1], wl[1], "CK_CERTIFICATE_TYPE")) {
		if (!word_is(w[2], wl[2], "CKC_X_509"))
			return perr(ps, line, "unsupported certificate type '%s'",
			    w[2], wl[2]);
		return 0;
	}
	if (word_is(w[1], wl[1], "CK_TRUST")) {
		static const char *attrs[PURPOSE_N] = {
			"CKA_TRUST_SERVER_AUTH", "CKA_TRUST_EMAIL_PROTECTION",
			"CKA_TRUST_CODE_SIGNING"
		};
		enum trust t;

		if (parse_trust(w[2], wl[2], &t) == -1)
			return perr(ps, line, "unknown trust value '%s'",
			    w[2], wl[2]);
		if (o->cls != CLASS_TRUST)
			return perr(ps, line, "trust attribute '%s' outside a "
			    "CKO_NSS_TRUST object", w[0], wl[0]);
		for (i = 0; i < PURPOSE_N; i++)
			if (word_is(w[0], wl[0], attrs[i])) {
				if (o->trust_set[i])
					return perr(ps, line, "attribute %s "
					    "given twice", w[0], wl[0]);
				o->trust[i] = t;
				o->trust_set[i] = 1;
			}
		/* other purposes (IPsec, time stamping...) are not ours */
		return 0;
	}
	if (octal)
		return attr_octal(ps, o, w, wl, line);
	return perr(ps, line, "unknown attribute type '%s'", w[1], wl[1]);
}

static int
start_object(struct parser *ps, const char *w[3], size_t wl[3], int nw,
    struct object **cur)
{
	struct object *o;
	enum obj_class cls;

	if (nw < 3 || !word_is(w[1], wl[1], "CK_OBJECT_CLASS"))
		return perr(ps, ps->line, "CKA_CLASS must be CK_OBJECT_CLASS%s",
		    "", 0);
	if (word_is(w[2], wl[2], "CKO_CERTIFICATE"))
		cls = CLASS_CERTIFICATE;
	else if (word_is(w[2], wl[2], "CKO_NSS_TRUST"))
		cls = CLASS_TRUST;
	else if (word_is(w[2], wl[2], "CKO_NSS_BUILTIN_ROOT_LIST"))
		cls = CLASS_ROOT_LIST;
	else
		return perr(ps, ps->line, "unknown object class '%s'",
		    w[2], wl[2]);
	o = new_object(ps);
	o->cls = cls;
	*cur = o;
	return 0;
}

static int
object_end_check(struct parser *ps, const struct object *o)
{
	if (o == NULL)
		return 0;
	if (o->cls == CLASS_CERTIFICATE && !o->value.set)
		return perr(ps, o->line, "certificate object without "
		    "CKA_VALUE%s", "", 0);
	if (o->cls == CLASS_TRUST && (!o->issuer.set || !o->serial.set))
		return perr(ps, o->line, "trust object without CKA_ISSUER and "
		    "CKA_SERIAL_NUMBER%s", "", 0);
	if (o->sha1.set && o->sha1.len != 20)
		return perr(ps, o->sha1_line, "CKA_CERT_SHA1_HASH is not 20 "
		    "bytes%s", "", 0);
	return 0;
}

int
certdata_detect(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;
	int begindata = 0;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if ((size_t)(nl - p) >= 9 && memcmp(p, "BEGINDATA", 9) == 0)
			begindata = 1;
		else if (begindata && (size_t)(nl - p) >= 9 &&
		    memcmp(p, "CKA_CLASS", 9) == 0)
			return 1;
		p = nl + 1;
	}
	return 0;
}

int
certdata_version(const char *buf, size_t len, char *out, size_t size)
{
	struct parser ps;
	const char *s, *e, *w[3], *r, *v;
	size_t wl[3], n;

	memset(&ps, 0, sizeof(ps));
	ps.p = buf;
	ps.end = buf + len;
	while (next_line(&ps, &s, &e)) {
		if (blank(s, e))
			continue;
		if (split(s, e, w, wl) == 1 && word_is(w[0], wl[0],
		    "BEGINDATA"))
			return 0;
		if (!word_is(w[0], wl[0], "CVS_ID"))
			continue;
		/* CVS_ID "@(#) $RCSfile: certdata.txt,v $ $Revision: 1.87 $ ..." */
		if ((r = memmem(s, (size_t)(e - s), "$Revision:", 10)) == NULL)
			return 0;
		for (r += 10; r < e && *r == ' '; r++)
			;
		for (v = r; v < e && ((*v >= '0' && *v <= '9') || *v == '.');
		    v++)
			;
		n = (size_t)(v - r);
		if (n == 0 || n >= size || r[0] == '.' || v[-1] == '.')
			return 0;
		memcpy(out, r, n);
		out[n] = '\0';
		return 1;
	}
	return 0;
}

int
certdata_parse(const char *name, const char *buf, size_t len, int want,
    struct certset *set, struct blocklist *bl, struct diags *d)
{
	struct parser ps;
	struct object *cur = NULL;
	const char *s, *e, *w[3];
	size_t wl[3], i;
	int nw, begun = 0, rc = -1;

	memset(&ps, 0, sizeof(ps));
	ps.name = name;
	ps.d = d;
	ps.p = buf;
	ps.end = buf + len;

	while (next_line(&ps, &s, &e)) {
		if (blank(s, e))
			continue;
		nw = split(s, e, w, wl);
		if (!begun) {
			if (nw == 1 && word_is(w[0], wl[0], "BEGINDATA")) {
				begun = 1;
				continue;
			}
			/* the files of the CVS era: see certdata_version() */
			if (word_is(w[0], wl[0], "CVS_ID"))
				continue;
			perr(&ps, ps.line, "unexpected '%s' before BEGINDATA",
			    w[0], wl[0]);
			goto out;
		}
		if (nw == 1 && word_is(w[0], wl[0], "BEGINDATA")) {
			perr(&ps, ps.line, "second BEGINDATA%s", "", 0);
			goto out;
		}
		if (nw < 2 || wl[0] < 4 || memcmp(w[0], "CKA_", 4) != 0) {
			perr(&ps, ps.line, "unexpected '%s'; expected an "
			    "attribute line \"CKA_NAME TYPE VALUE\"",
			    w[0], wl[0]);
			goto out;
		}
		if (word_is(w[0], wl[0], "CKA_CLASS")) {
			if (object_end_check(&ps, cur) == -1 ||
			    start_object(&ps, w, wl, nw, &cur) == -1)
				goto out;
			continue;
		}
		if (cur == NULL) {
			perr(&ps, ps.line, "attribute '%s' before the first "
			    "CKA_CLASS", w[0], wl[0]);
			goto out;
		}
		if (attribute(&ps, cur, w, wl, nw) == -1)
			goto out;
	}
	if (!begun) {
		perr(&ps, ps.line, "no BEGINDATA line; not a certdata.txt%s",
		    "", 0);
		goto out;
	}
	if (object_end_check(&ps, cur) == -1)
		goto out;
	rc = certdata_link(&ps, want, set, bl);
out:
	for (i = 0; i < ps.nobjs; i++)
		object_release(&ps.objs[i]);
	free(ps.objs);
	return rc;
}

