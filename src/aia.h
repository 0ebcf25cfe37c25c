/*
 * aia.h: fetch a server's missing intermediates from the caIssuers URLs of
 * its certificates (RFC 5280, 4.2.2.1), and admit only what chains.
 *
 * From the top of the chain that can be built, the caIssuers URLs are
 * tried in order (at most AIA_MAX_URLS per certificate) and each answer
 * (DER or PEM certificate, or a certs-only PKCS#7 bag, DER or PEM) is
 * checked: a CA certificate, valid now, not self-signed (a root never comes
 * from a server), whose name and key identifier match the child's issuer
 * and whose key verifies the child's signature.  Then the next level, up
 * to AIA_MAX_DEPTH.  What was found is admitted only when the whole chain
 * then verifies against the anchors; anything else is refused with its
 * reason.  Only http URLs are followed unless https is allowed; each URL is
 * fetched once per run (struct aia remembers the answers), within
 * AIA_FETCH_TIMEOUT seconds and AIA_MAX_ANSWER bytes, and a chase within
 * AIA_TOTAL_TIMEOUT seconds.  With a cache directory, answers are kept with
 * their HTTP validators and asked for again conditionally.
 *
 * A caIssuers URL is written by whoever made the certificate, so AIA is
 * no SSRF tool: unless allow_private, no connection is made to a loopback,
 * private, link-local, shared, unspecified, multicast or reserved address
 * (fetch.h public_only: the URL's IP literal or localhost, and each
 * address actually connected to; a configured proxy's own address is
 * allowed); the step is marked refused, for the caller to say how to allow
 * it.  Redirects are followed only to the same host, and every failure to
 * connect or to get an answer reads "could not be fetched" (fetch.h
 * opaque): the report does not tell whether a port is open.
 *
 * Threads: one struct aia may be shared by chases running at once.  Its
 * answers are kept behind a mutex; a URL one thread is fetching is waited
 * for by the others, never fetched twice.  aia_new and aia_free are not
 * to race with a chase.
 */
#ifndef TB_AIA_H
#define TB_AIA_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "diag.h"

#define AIA_MAX_URL		512
#define AIA_MAX_URLS		5
#define AIA_MAX_DEPTH		8
#define AIA_FETCH_TIMEOUT	10
#define AIA_TOTAL_TIMEOUT	60
#define AIA_MAX_ANSWER		(64 * 1024)
#define AIA_MAX_CERTS		16	/* per answer */

struct aia_opts {
	int		 allow_https;
	int		 allow_private;	/* internal PKI: any address */
	const char	*state;		/* cache answers in STATE/cache, or NULL */
	unsigned	 fetch_timeout;	/* 0: AIA_FETCH_TIMEOUT */
	unsigned	 total_timeout;	/* 0: AIA_TOTAL_TIMEOUT */
	time_t		 at;		/* validity checked at; 0: now */
};

/* What happened to one URL or candidate, for the report. */
struct aia_step {
	char	url[AIA_MAX_URL];
	char	what[768];	/* "CN=...: admitted" or the reason refused */
	int	ok;
	int	refused;	/* not fetched: the address is not public */
};

struct aia_result {
	STACK_OF(X509)	*found;		/* admitted from AIA answers (owned) */
	STACK_OF(X509)	*chain;		/* verified: leaf to anchor (owned) */
	struct aia_step	*steps;
	size_t		 nsteps;
	int		 verified;	/* the chain verifies with them */
};

struct aia;

/* A new chaser with no answers yet, or NULL (out of memory). */
struct aia	*aia_new(const struct aia_opts *o);
void		 aia_free(struct aia *a);

/*
 * Chase what sent (leaf first, as the server sent it) lacks to reach an
 * anchor of store.  Returns 0 with res filled (res->found may be empty:
 * the chain verified already, or nothing could be admitted; res->steps
 * say why), or -1 on an internal error (out of memory).
 */
int	aia_chase(struct aia *a, X509_STORE *store, STACK_OF(X509) *sent,
	    struct aia_result *res);
void	aia_result_release(struct aia_result *res);

/* The caIssuers URLs of x (at most max); returns how many. */
int	aia_urls(X509 *x, char (*out)[AIA_MAX_URL], int max);

/*
 * Pure: the certificates of an AIA answer (DER, PEM, PKCS#7 DER or PEM)
 * pushed onto out (their references handed over).  Returns how many, or
 * -1 with one error in d naming name (NULL: the caller names the URL);
 * more than AIA_MAX_CERTS is -1, nothing kept.
 */
int	aia_decode(const char *name, const unsigned char *buf, size_t len,
	    STACK_OF(X509) *out, struct diags *d);

#endif
