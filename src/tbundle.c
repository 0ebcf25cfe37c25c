/*
 * tbundle.c: the OpenSSL trusted bundle writer, see tbundle.h.
 */
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "tbundle.h"
#include "text.h"

/* The trusted uses of purpose p, NID_undef ended. */
static const int *
uses(enum purpose p)
{
	static const int server[] = { NID_server_auth, NID_undef };
	static const int email[] = { NID_email_protect, NID_undef };
	static const int code[] = { NID_code_sign, NID_undef };
	static const int any[] = { NID_server_auth, NID_email_protect,
	    NID_code_sign, NID_undef };

	switch (p) {
	case PURPOSE_SERVER_AUTH:
		return server;
	case PURPOSE_EMAIL:
		return email;
	case PURPOSE_CODE_SIGNING:
		return code;
	default:
		return any;
	}
}

/* c's comment lines and its trusted block into b.  -1 after d. */
static int
one(struct buf *b, struct cert *c, enum purpose p, struct diags *d)
{
	char hex[32 * 3], esc[4096];
	const unsigned char *der;
	const int *u;
	X509 *x;
	BIO *bio;
	BUF_MEM *mem;
	int ok;

	/* read anew from the DER: without the aux the source gave */
	der = c->der;
	if ((x = d2i_X509(NULL, &der, (long)c->derlen)) == NULL ||
	    (bio = BIO_new(BIO_s_mem())) == NULL) {
		X509_free(x);
		diag_err(d, NULL, 0, "out of memory rendering the trusted "
		    "bundle");
		return -1;
	}
	ok = 1;
	/* an intermediate must chain: trust would make it an anchor */
	for (u = uses(p); c->role != ROLE_INTERMEDIATE && *u != NID_undef &&
	    ok; u++)
		ok = X509_add1_trust_object(x, OBJ_nid2obj(*u));
	if (ok && c->label != NULL)
		ok = X509_alias_set1(x, (const unsigned char *)text_esc(
		    c->label, esc, sizeof(esc)), -1);
	ok = ok && PEM_write_bio_X509_AUX(bio, x);
	if (ok) {
		cert_hex(c->sha256, 32, hex, 1);
		buf_printf(b, "# Subject: %s\n", text_esc(cert_subject(c), esc,
		    sizeof(esc)));
		buf_printf(b, "# SHA-256: %s\n", hex);
		buf_printf(b, "# Trusted for: %s\n", c->role ==
		    ROLE_INTERMEDIATE ? "nothing (an intermediate: it chains "
		    "to a root)" : purpose_name(p));
		BIO_get_mem_ptr(bio, &mem);
		buf_add(b, mem->data, mem->length);
	} else
		diag_err(d, NULL, 0, "cannot write '%s' as a trusted "
		    "certificate: %s", cert_subject(c),
		    ERR_reason_error_string(ERR_get_error()));
	ERR_clear_error();
	BIO_free(bio);
	X509_free(x);
	return ok ? 0 : -1;
}

/* Piece i of the file: certificate i of t->set, after a blank line but
   the first. */
static int
piece(const void *arg, size_t i, struct buf *b, struct diags *d)
{
	const struct output_target *t = arg;

	if (i > 0)
		buf_add(b, "\n", 1);
	return one(b, t->set->v[i], t->purpose, d);
}

int
tbundle_render(const struct certset *set, const struct output_target *t,
    struct rendered *r, struct diags *d)
{
	(void)d;
	/* t and its set outlive the publishing (output.h) */
	r->f.n = set->n;
	r->f.make = piece;
	r->f.arg = t;
	return 0;
}
