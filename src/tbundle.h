/*
 * tbundle.h: the OpenSSL trusted bundle writer ("format =
 * openssl-trusted-bundle").
 *
 * Every certificate of the set as a "BEGIN TRUSTED CERTIFICATE" block
 * (PEM_write_bio_X509_AUX): the certificate and OpenSSL's auxiliary trust,
 * the output's purpose as a trusted use of each root (server-auth:
 * serverAuth, email: emailProtection, code-signing: codeSigning, any: the
 * three; none for an intermediate, which must chain to a root), and the
 * label as its alias; the bundle's comment header above each.  OpenSSL
 * then trusts a root for that purpose only (openssl verify -purpose,
 * X509_STORE's trust check), which a plain bundle cannot say.  Only
 * OpenSSL reads these blocks: GnuTLS, .NET, Go and Java do not (GnuTLS
 * refuses the file), so this is always a file of its own, opt-in.
 * Equal input gives byte-equal output.
 */
#ifndef TB_TBUNDLE_H
#define TB_TBUNDLE_H

#include "certset.h"
#include "output.h"

/*
 * Writer: the set (t->set) as one file of trusted blocks: its pieces, one
 * per certificate, into r->f (output.h), made while it is published; a
 * certificate OpenSSL cannot write then fails the publishing, after d.
 */
int	tbundle_render(const struct certset *set,
	    const struct output_target *t, struct rendered *r,
	    struct diags *d);

#endif
