/*
 * postfix.h: what Postfix's main.cf, master.cf and the text of its maps
 * say about its SMTP client's TLS, parsed without I/O (fuzzable); pfconf.h
 * reads the files (and asks postconf where it is installed), pfcheck.c
 * checks them.
 *
 * main.cf: "name = value", a line that starts with white space continues
 * the one before, "#" at the start of a line is a comment, the last
 * setting of a name wins.  master.cf: one service a line ("service type
 * private unpriv chroot wakeup maxproc command args"), continued by lines
 * that start with white space; "-o name=value" (or "-o { name = value }")
 * overrides a main.cf setting for that service alone.  A map's text source
 * (transport, tls_policy): "key value" a line, "#" comments.
 */
#ifndef TB_POSTFIX_H
#define TB_POSTFIX_H

#include <stddef.h>

#include "mta.h"

#define PF_MAX_LINE	4096
#define PF_MAX_SERVICES	16
#define PF_DEFAULT_DIR	"/etc/postfix"
#define PF_QUEUE_DIR	"/var/spool/postfix"

enum pf_key {
	PF_LEVEL,		/* smtp_tls_security_level */
	PF_CAFILE,		/* smtp_tls_CAfile */
	PF_CAPATH,		/* smtp_tls_CApath */
	PF_APPEND,		/* tls_append_default_CA */
	PF_RELAYHOST,		/* relayhost */
	PF_POLICY_MAPS,		/* smtp_tls_policy_maps */
	PF_TRANSPORT_MAPS,	/* transport_maps */
	PF_USE_TLS,		/* smtp_use_tls (before 2.3) */
	PF_ENFORCE_TLS,		/* smtp_enforce_tls (before 2.3) */
	PF_LOGLEVEL,		/* smtp_tls_loglevel */
	PF_QUEUE,		/* queue_directory */
	PF_NKEYS
};

/* One parameter: the last setting wins. */
struct pf_setting {
	int	 set;
	char	 value[1024];
	size_t	 line;		/* of main.cf, or of master.cf's -o */
	int	 master;	/* an -o of the smtp service in master.cf */
};

/* A service of master.cf that runs the SMTP client (command "smtp"). */
struct pf_service {
	char	 name[64];	/* smtp, relay, ... */
	char	 chroot;	/* 'y', 'n' or '-' (the default: n) */
	size_t	 line;
};

struct pf_config {
	struct pf_setting s[PF_NKEYS];
	struct pf_service svc[PF_MAX_SERVICES];
	int	 nsvc;
	size_t	 long_line;	/* the first line cut at PF_MAX_LINE, or 0 */
	int	 lines;
};

/* The parameter name of k. */
const char	*pf_name(enum pf_key k);
/* Is k set to something not empty? */
int	pf_set(const struct pf_config *c, enum pf_key k);
/* k's value, or "" (borrowed). */
const char	*pf_value(const struct pf_config *c, enum pf_key k);

/*
 * Parse main.cf, or what "postconf -n" prints (the same form), into c:
 * the parameters of pf_key, with their lines.  Never fails.
 */
void	pf_parse_main(const char *buf, size_t len, struct pf_config *c);
/*
 * Parse master.cf into c: the services running the SMTP client with
 * their chroot column, and the -o overrides of the service "smtp" (the
 * default transport) as settings with master set.  Never fails.
 */
void	pf_parse_master(const char *buf, size_t len, struct pf_config *c);

/*
 * The level the SMTP client runs at: smtp_tls_security_level, else the
 * one of the old smtp_enforce_tls (verify) and smtp_use_tls (may), else
 * "none".  Static text or c's.
 */
const char	*pf_level(const struct pf_config *c);
/* The smtp service chrooted (its master.cf line in *line), or 0. */
int	pf_chrooted(const struct pf_config *c, size_t *line);

/*
 * The relays of c: each host of relayhost ([host]:port, [host], host,
 * host:port, [IPv6 address]:port, a list), with from "relayhost
 * (main.cf:N)"; then of the text of the transport map (tm, tmlen; may be
 * NULL: "domain smtp:[host]:port", "relay:", ":[host]") and of the TLS
 * policy map (pm: "[host]:port level" keys).  Deduplicated, at most max.
 */
int	pf_relays(const struct pf_config *c, const char *tm, size_t tmlen,
	    const char *pm, size_t pmlen, struct mta_target *out, int max);
/*
 * The level the policy map text pm gives host and port ("verify", ...)
 * into level, or "" when it has no entry for it.
 */
void	pf_policy_level(const char *pm, size_t pmlen, const char *host,
	    const char *port, char *level, size_t size);
/*
 * A relay as Postfix logs it ("mx.example.com[192.0.2.1]:25",
 * "unknown[2001:db8::1]:587", "[192.0.2.1]:25"): its host (the name, or
 * the address when the name is "unknown") and port.  0, or -1.
 */
int	pf_log_relay(const char *logged, char *host, size_t hsize,
	    char *port, size_t psize);
/* The paths of a map list ("hash:/etc/postfix/transport, texthash:F"):
   each text source (a type with a file) in turn, at *pos. 1, or 0. */
int	pf_map_next(const char *list, size_t *pos, char *path, size_t size);

#endif
