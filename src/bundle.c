/*
 * bundle.c: the PEM bundle writer, see bundle.h.
 */
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "bundle.h"
#include "text.h"

static int
pem_block(struct buf *b, const unsigned char *der, size_t len)
{
	unsigned char line[65];
	size_t off;
	int n;

	buf_printf(b, "-----BEGIN CERTIFICATE-----\n");
	for (off = 0; off < len; off += 48) {
		n = EVP_EncodeBlock(line, der + off,
		    len - off > 48 ? 48 : (int)(len - off));
		buf_add(b, line, (size_t)n);
		buf_add(b, "\n", 1);
	}
	return buf_printf(b, "-----END CERTIFICATE-----\n");
}

/*
 * The comment lines above a certificate.  Every name in them (subject,
 * issuer, label, sources: archive members, file names, URLs) is hostile
 * text and is escaped (text.h): a newline in a member name can never start
 * a line of its own, least of all a BEGIN line.  The comments are for
 * people; trustbuild never reads them back.
 */
int
bundle_render_cert(struct buf *b, const struct cert *c)
{
	char when[32], hex[32 * 3], esc[4096];
	size_t i;
	int p;
	static const char *dname[2] = { "Server", "Email" };

	cert_hex(c->sha256, 32, hex, 1);
	buf_printf(b, "# Subject: %s\n", text_esc(cert_subject(c), esc,
	    sizeof(esc)));
	buf_printf(b, "# Issuer: %s\n", text_esc(cert_issuer(c), esc,
	    sizeof(esc)));
	if (c->label != NULL)
		buf_printf(b, "# Label: \"%s\"\n", text_esc(c->label, esc,
		    sizeof(esc)));
	cert_not_after_str(c, when, sizeof(when));
	buf_printf(b, "# Not after: %s\n", when);
	buf_printf(b, "# SHA-256: %s\n", hex);
	for (p = 0; p < 2; p++)
		if (c->distrust[p] == DISTRUST_AFTER &&
		    cert_time_t_str(c->distrust_after[p], when, sizeof(when)))
			buf_printf(b, "# %s distrust after: %s\n", dname[p],
			    when);
	if (c->role == ROLE_INTERMEDIATE)
		buf_printf(b, "# Role: intermediate\n");
	buf_printf(b, "# Source:");
	for (i = 0; i < c->nsources; i++)
		buf_printf(b, "%s %s", i ? "," : "", text_esc(c->sources[i],
		    esc, sizeof(esc)));
	buf_printf(b, "\n");
	return pem_block(b, c->der, c->derlen);
}

int
bundle_make_cert(const void *arg, struct buf *b)
{
	/* the set outlives the entries (output.h's struct rendered) */
	return bundle_render_cert(b, arg);
}

/* Piece i of the bundle: certificate i, after a blank line but the first. */
static int
piece(const void *arg, size_t i, struct buf *b, struct diags *d)
{
	const struct certset *set = arg;

	(void)d;
	if (i > 0)
		buf_add(b, "\n", 1);
	return bundle_render_cert(b, set->v[i]);
}

int
bundle_render(const struct certset *set, const struct output_target *t,
    struct rendered *r, struct diags *d)
{
	(void)t;
	(void)d;
	/* the set outlives the publishing (output.h's struct rendered) */
	r->f.n = set->n;
	r->f.make = piece;
	r->f.arg = set;
	return 0;
}
