/*
 * certdata_link.c: the second half of the certdata.txt reader: trust
 * objects linked to their certificates, see certdata_int.h.
 *
 * Trust objects are resolved to certificate objects by the raw CKA_ISSUER
 * and CKA_SERIAL_NUMBER bytes, each CKA_CERT_SHA1_HASH is checked against
 * the SHA-1 of the DER, then the certificates asked for (want) are decoded
 * and handed over.  Decoding is most of the cost, so certificates that
 * cannot be anchors for the purpose wanted are not decoded at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "certdata.h"
#include "certdata_int.h"
#include "log.h"
#include "xalloc.h"

static const char *
label_of(const struct object *o)
{
	return o->label != NULL ? o->label : "";
}

static int
same(const struct bytes *a, const unsigned char *p, int len)
{
	return len > 0 && a->len == (size_t)len && memcmp(a->p, p, a->len) == 0;
}

/* Check a certificate object against its own DER; make the cert. */
static int
make_cert(struct parser *ps, struct object *o, struct cert **out)
{
	struct cert *c;
	int ok;

	*out = NULL;
	/*
	 * object_end_check() made sure there is a CKA_VALUE; the cert takes
	 * its bytes over (nothing reads them after this)
	 */
	c = cert_from_der_take(o->value.p, o->value.len);
	o->value.p = NULL;
	if (c == NULL) {
		char reason[256];

		diag_warn(ps->d, ps->name, o->line, "skipping certificate "
		    "\"%s\": %s", label_of(o),
		    log_ssl_reason(reason, sizeof(reason)));
		return 0;
	}
	ok = (!o->issuer.set || same(&o->issuer, c->isn,
	    (int)c->isn_ilen)) && (!o->serial.set || same(&o->serial,
	    c->isn + c->isn_ilen, (int)c->isn_slen));
	if (!ok) {
		cert_free(c);
		diag_err(ps->d, ps->name, o->line, "CKA_ISSUER or "
		    "CKA_SERIAL_NUMBER does not match the certificate in "
		    "CKA_VALUE");
		return -1;
	}
	*out = c;
	return 0;
}

/* The certificate object trust object t names, or NULL. */
static struct object *
cert_of(struct parser *ps, const struct object *t)
{
	size_t j;

	for (j = 0; j < ps->nobjs; j++) {
		struct object *o = &ps->objs[j];

		if (o->cls == CLASS_CERTIFICATE && o->issuer.set &&
		    o->serial.set &&
		    o->issuer.len == t->issuer.len &&
		    o->serial.len == t->serial.len &&
		    memcmp(o->issuer.p, t->issuer.p, t->issuer.len) == 0 &&
		    memcmp(o->serial.p, t->serial.p, t->serial.len) == 0)
			return o;
	}
	return NULL;
}

/* Trust object t onto its certificate object co. */
static int
link_one(struct parser *ps, const struct object *t, struct object *co)
{
	unsigned char sha1[20];
	int p;

	if (co->matched) {
		diag_err(ps->d, ps->name, t->line, "second trust object for "
		    "\"%.60s\"", label_of(co));
		return -1;
	}
	co->matched = 1;
	if (t->sha1.set && co->value.set &&
	    (!EVP_Digest(co->value.p, co->value.len, sha1, NULL,
	    cert_sha1(), NULL) || memcmp(t->sha1.p, sha1, 20) != 0)) {
		diag_err(ps->d, ps->name, t->sha1_line, "CKA_CERT_SHA1_HASH "
		    "does not match the certificate of \"%.60s\"",
		    label_of(co));
		return -1;
	}
	for (p = 0; p < PURPOSE_N; p++)
		co->trust[p] = t->trust_set[p] ? t->trust[p] :
		    TRUST_MUST_VERIFY;
	/*
	 * A distrust-after date may sit on the trust object (builtins 2.86
	 * has one for Izenpe.com while its certificate object says
	 * CK_FALSE): the date wins.
	 */
	for (p = 0; p < 2; p++)
		if (t->distrust[p] == DISTRUST_AFTER) {
			co->distrust[p] = DISTRUST_AFTER;
			co->distrust_after[p] = t->distrust_after[p];
		}
	return 0;
}

/* Trust object t distrusts for some purpose: an entry of bl. */
static void
block_one(struct parser *ps, const struct object *t, struct blocklist *bl)
{
	struct block b;
	char src[512];
	int p;

	memset(&b, 0, sizeof(b));
	b.issuer = t->issuer.p;
	b.issuer_len = t->issuer.len;
	b.serial = t->serial.p;
	b.serial_len = t->serial.len;
	if (t->sha1.set) {
		memcpy(b.sha1, t->sha1.p, 20);
		b.has_sha1 = 1;
	}
	for (p = 0; p < PURPOSE_N; p++)
		b.trust[p] = t->trust[p];
	b.label = t->label;
	snprintf(src, sizeof(src), "%s:%zu", ps->name, t->line);
	b.source = src;
	blocklist_add(bl, &b);
}

/* Every trust object: linked to its certificate, or a distrust entry. */
static int
link_trust(struct parser *ps, struct blocklist *bl)
{
	size_t i;

	for (i = 0; i < ps->nobjs; i++) {
		struct object *t = &ps->objs[i];
		struct object *co;
		int p, any_not = 0;

		if (t->cls != CLASS_TRUST)
			continue;
		co = cert_of(ps, t);
		for (p = 0; p < PURPOSE_N; p++)
			if (t->trust[p] == TRUST_NOT_TRUSTED)
				any_not = 1;
		if (co != NULL) {
			if (link_one(ps, t, co) == -1)
				return -1;
		} else if (!any_not) {
			diag_err(ps->d, ps->name, t->line, "trust object "
			    "\"%.60s\" names no certificate in the file and "
			    "distrusts nothing", label_of(t));
			return -1;
		}
		if (any_not)
			block_one(ps, t, bl);
	}
	return 0;
}

int
certdata_link(struct parser *ps, int want, struct certset *set,
    struct blocklist *bl)
{
	size_t i;
	int added = 0;

	if (link_trust(ps, bl) == -1)
		return -1;
	for (i = 0; i < ps->nobjs; i++) {
		struct object *o = &ps->objs[i];
		struct cert *c;
		int p;

		if (o->cls != CLASS_CERTIFICATE)
			continue;
		if (!o->matched) {
			diag_info(ps->d, ps->name, o->line, "\"%s\" has no "
			    "trust object; not trusted for anything",
			    label_of(o));
			for (p = 0; p < PURPOSE_N; p++)
				o->trust[p] = TRUST_MUST_VERIFY;
		}
		if (want != CERTDATA_ALL &&
		    cert_trust_for(o->trust, (enum purpose)want) !=
		    TRUST_DELEGATOR) {
			diag_info(ps->d, ps->name, o->line, "\"%s\" is not an "
			    "anchor for %s", label_of(o),
			    purpose_name((enum purpose)want));
			continue;
		}
		if (make_cert(ps, o, &c) == -1)
			return -1;
		if (c == NULL)
			continue;	/* did not decode: warned */
		memcpy(c->trust, o->trust, sizeof(c->trust));
		for (p = 0; p < 2; p++) {
			c->distrust[p] = o->distrust[p];
			c->distrust_after[p] = o->distrust_after[p];
		}
		if (o->label != NULL)
			c->label = xstrdup(o->label);
		cert_add_source(c, ps->name);
		certset_add(set, c);
		added++;
	}
	return added;
}
