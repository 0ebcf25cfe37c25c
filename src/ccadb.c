/*
 * ccadb.c: CCADB CSV reports, see ccadb.h.
 *
 * The CSV reader keeps each field as a slice of the buffer; a quoted field
 * with "" escapes is unescaped into a copy only when it is used.  Line
 * numbers are physical lines, so a row is named by the line it starts on.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccadb.h"
#include "diag.h"
#include "log.h"
#include "pem.h"
#include "text.h"
#include "xalloc.h"

struct field {
	const char	*p;
	size_t		 len;
	int		 escaped;	/* holds "" pairs */
};

struct csv {
	const char	*name;
	struct diags	*d;		/* NULL: detection, nothing said */
	const char	*p, *end;
	size_t		 line;
};

/*
 * One record into f (at most CCADB_MAX_COLUMNS fields).  Returns the number
 * of fields, 0 at end of input, -1 after an error in c->d.
 */
static int
record(struct csv *c, struct field *f)
{
	size_t start = c->line;
	int n = 0;

	if (c->p >= c->end)
		return 0;
	for (;;) {
		struct field *cur;

		if (n == CCADB_MAX_COLUMNS) {
			diag_add(c->d, DIAG_ERR, DIAG_NOT_FORMAT, c->name,
			    start, "more than %d fields", CCADB_MAX_COLUMNS);
			return -1;
		}
		cur = &f[n++];
		memset(cur, 0, sizeof(*cur));
		if (c->p < c->end && *c->p == '"') {
			c->p++;
			cur->p = c->p;
			for (;;) {
				if (c->p >= c->end) {
					diag_err(c->d, c->name, start, "quoted "
					    "field without its closing quote; the "
					    "file is truncated");
					return -1;
				}
				if (*c->p == '"') {
					if (c->p + 1 < c->end && c->p[1] == '"') {
						cur->escaped = 1;
						c->p += 2;
						continue;
					}
					break;
				}
				if (*c->p == '\n')
					c->line++;
				c->p++;
			}
			cur->len = (size_t)(c->p - cur->p);
			c->p++;		/* the closing quote */
		} else {
			cur->p = c->p;
			while (c->p < c->end && *c->p != ',' && *c->p != '\n' &&
			    *c->p != '\r' && *c->p != '"')
				c->p++;
			cur->len = (size_t)(c->p - cur->p);
		}
		if (cur->len > CCADB_MAX_FIELD) {
			diag_add(c->d, DIAG_ERR, DIAG_LIMIT, c->name, start,
			    "a field larger than 1 MiB");
			return -1;
		}
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		if (c->p < c->end && *c->p == '\r')
			c->p++;
		if (c->p >= c->end || *c->p == '\n') {
			if (c->p < c->end)
				c->p++;
			c->line++;
			return n;
		}
		diag_add(c->d, DIAG_ERR, DIAG_NOT_FORMAT, c->name, c->line,
		    "unexpected '%c' after a field; not CSV",
		    isprint((unsigned char)*c->p) ? *c->p : '?');
		return -1;
	}
}

static int
is(const struct field *f, const char *s)
{
	return f->len == strlen(s) && memcmp(f->p, s, f->len) == 0;
}

/* The field's text, "" unescaped, in a malloc'd string. */
static char *
text(const struct field *f)
{
	char *s, *o;
	size_t i;

	s = xmalloc(f->len + 1);
	for (o = s, i = 0; i < f->len; i++) {
		*o++ = f->p[i];
		if (f->escaped && f->p[i] == '"' && i + 1 < f->len &&
		    f->p[i + 1] == '"')
			i++;
	}
	*o = '\0';
	return s;
}

/* 64 hex digits (colons allowed) to bytes; -1 if not that. */
static int
hex32(const struct field *f, unsigned char out[32])
{
	size_t i, n = 0;

	for (i = 0; i < f->len; i++) {
		int v;

		if (f->p[i] == ':')
			continue;
		if (!isxdigit((unsigned char)f->p[i]) || n == 64)
			return -1;
		v = isdigit((unsigned char)f->p[i]) ? f->p[i] - '0' :
		    tolower((unsigned char)f->p[i]) - 'a' + 10;
		if (n % 2 == 0)
			out[n / 2] = (unsigned char)(v << 4);
		else
			out[n / 2] |= (unsigned char)v;
		n++;
	}
	return n == 64 ? 0 : -1;
}

int
ccadb_detect(const char *buf, size_t len)
{
	struct field f[CCADB_MAX_COLUMNS];
	struct csv c;
	int n, i, pem = 0, sha = 0;
	const char *nl;

	/* the header is one line: look at it alone */
	if ((nl = memchr(buf, '\n', len > 65536 ? 65536 : len)) == NULL)
		return 0;
	c.name = NULL;
	c.d = NULL;		/* not CSV is an answer here, not an error */
	c.p = buf;
	c.end = nl + 1;
	c.line = 1;
	n = record(&c, f);
	for (i = 0; i < n; i++) {
		pem |= is(&f[i], "PEM");
		sha |= is(&f[i], "SHA256");
	}
	return pem && sha;
}

/* One data row: 1 if it gave a certificate, 0 if skipped, -1 on error. */
static int
row(const char *name, size_t line, const struct field *subject,
    const struct field *sha, const struct field *pem, struct certset *set,
    struct diags *d)
{
	unsigned char want[32], *der = NULL;
	const char *b, *e;
	char *subj;
	size_t derlen;
	struct cert *c;
	int rc = 0;

	subj = subject ? text(subject) : xstrdup("");
	/* the base64 between the BEGIN and END lines */
	b = memmem(pem->p, pem->len, "-----BEGIN CERTIFICATE-----", 27);
	e = b ? memmem(b, pem->len - (size_t)(b - pem->p),
	    "-----END CERTIFICATE-----", 25) : NULL;
	if (b == NULL || e == NULL ||
	    pem_base64_decode(b + 27, (size_t)(e - b - 27), &der, &derlen) == -1 ||
	    (c = cert_from_der(der, derlen)) == NULL) {
		char reason[256];

		diag_warn(d, name, line, "skipping \"%s\": its PEM is not a "
		    "certificate%s%s", subj, der ? ": " : "",
		    der ? log_ssl_reason(reason, sizeof(reason)) : "");
		goto out;
	}
	if (sha != NULL && sha->len > 0 &&
	    (hex32(sha, want) == -1 || memcmp(want, c->sha256, 32) != 0)) {
		diag_warn(d, name, line, "skipping \"%s\": the SHA256 column "
		    "does not match the certificate", subj);
		cert_free(c);
		goto out;
	}
	cert_add_source(c, name);
	certset_add(set, c);
	rc = 1;
out:
	free(der);
	free(subj);
	return rc;
}

int
ccadb_parse(const char *name, const void *buf, size_t len,
    struct certset *set, struct diags *d)
{
	struct field f[CCADB_MAX_COLUMNS];
	struct csv c;
	int n, ncol, i, r, total = 0;
	int ipem = -1, isha = -1, isubj = -1;

	c.name = name;
	c.d = d;
	c.p = buf;
	c.end = c.p + len;
	c.line = 1;
	if ((ncol = record(&c, f)) <= 0) {
		if (ncol == 0)
			diag_add(d, DIAG_ERR, DIAG_NOT_FORMAT, name, 0,
			    "empty; not a CCADB report");
		return -1;
	}
	for (i = 0; i < ncol; i++) {
		if (is(&f[i], "PEM"))
			ipem = i;
		else if (is(&f[i], "SHA256"))
			isha = i;
		else if (is(&f[i], "Subject"))
			isubj = i;
	}
	if (ipem == -1) {
		diag_add(d, DIAG_ERR, DIAG_NOT_FORMAT, name, 1,
		    "no \"PEM\" column; not a CCADB report");
		return -1;
	}
	for (;;) {
		size_t line = c.line;

		if ((n = record(&c, f)) == -1)
			return -1;
		if (n == 0)
			break;
		if (n == 1 && f[0].len == 0)
			continue;	/* a blank line */
		if (n != ncol) {
			diag_err(d, name, line, "%d field%s where the header "
			    "has %d", n, text_s((size_t)n), ncol);
			return -1;
		}
		if (f[ipem].len == 0) {
			diag_warn(d, name, line, "skipping a row without PEM");
			continue;
		}
		r = row(name, line, isubj >= 0 ? &f[isubj] : NULL,
		    isha >= 0 ? &f[isha] : NULL, &f[ipem], set, d);
		if (r == -1)
			return -1;
		total += r;
	}
	return total;
}
