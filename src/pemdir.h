/*
 * pemdir.h: the PEM directory writer ("format = pem-dir").
 *
 * One file per certificate, "<sha256 hex>.pem" (a name that stays as long
 * as the certificate does), with the bundle's comment header, and nothing
 * else: no hash links.  For the readers that load every file of a
 * directory: Go (SSL_CERT_DIR), rustls-native-certs, GnuTLS
 * (gnutls_certificate_set_x509_trust_dir).  A CApath's file and link
 * pairs make them load each certificate twice.  Published as a CApath is:
 * a symbolic link to a generation directory (publish.h).
 */
#ifndef TB_PEMDIR_H
#define TB_PEMDIR_H

#include "certset.h"
#include "output.h"

/*
 * Writer: the set as the files of a directory (sorted by name, their data
 * made when publish.h needs it: the set is borrowed by r->e until then),
 * output.h.  -1 after adding to d.
 */
int	pemdir_render(const struct certset *set,
	    const struct output_target *t, struct rendered *r,
	    struct diags *d);

#endif
