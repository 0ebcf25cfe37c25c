/*
 * config.h: the configuration of "trustbuild update" (trustbuild.conf(5)).
 *
 * INI style: "[section]" or "[section NAME]" headers, "key = value" lines,
 * "#" comments (a whole line, or after white space: URLs and SOURCE#GLOB
 * keep their '#').  Sections: [output] (what is published and where the
 * state lives), [output NAME] (one more output each: a PKCS#12, a PEM
 * directory...), [fetch] (limits of downloads), [source NAME] (one root
 * set each, in order) and [probe NAME] (a server to verify, whose missing
 * intermediates are fetched through AIA), and [sendmail] (update probes
 * the relays of sendmail's configuration and log too, smrelay.h).  The
 * lines are read by ini.h,
 * the keys checked by the one table of spec.c (shared with stores/).
 * Unknown sections and keys are errors naming the file and line.
 * config_parse() is pure; config_load() reads a file.  Silent: errors go
 * to a struct diags.
 *
 * With no configuration file, config_default() gives the built-in one:
 * Mozilla's set (with the system store as its fallback) to the default
 * paths below.
 */
#ifndef TB_CONFIG_H
#define TB_CONFIG_H

#include <sys/stat.h>

#include <stddef.h>

#include "cert.h"
#include "diag.h"
#include "spec.h"

#define CONFIG_FILE		"/etc/trustbuild/trustbuild.conf"
#define CONFIG_BUNDLE		"/etc/mail/tls/ca-bundle.with.intermediate.crt"
#define CONFIG_CAPATH		"/etc/mail/tls/certs"
#define CONFIG_STATE		"/var/lib/trustbuild"
#define CONFIG_HOOKS		"/etc/trustbuild/hooks.d"
#define CONFIG_MAX_FILE		(1024 * 1024)
#define CONFIG_MAX_SOURCES	64
#define CONFIG_MAX_PROBES	1024
#define CONFIG_VALID_FOR	(7 * 86400)	/* [export] valid-for */
#define CONFIG_MAX_OUTPUTS	12	/* [output NAME]: OUTPUT_MAX less
					   the plain two and room */

/* [probe NAME]: a server whose chain the store must verify. */
struct writer;

struct config_probe {
	char		*name;
	size_t		 line;
	char		*url;		/* smtp://, tls://... (probe.h) */
	char		*servername;	/* SNI, or NULL */
	char		*ehlo;		/* or NULL */
	int		 chase;		/* follow caIssuers URLs (default) */
	int		 https_aia;	/* https caIssuers URLs too */
	int		 aia_private;	/* caIssuers URLs may reach private,
					   loopback... addresses (aia.h) */
	unsigned	 timeout;	/* seconds; 0: the default */
	unsigned	 keep;		/* days an intermediate stays after the
					   probe last saw it ([output]
					   probe-keep unless set) */
};

/*
 * [output NAME]: one more output of the same run (output.h): a writer, its
 * path, its purpose ([output]'s unless set), a PKCS#12's password.  A key
 * of the per-output filter (outset.h) is a field here and a row of spec.c.
 */
struct config_output {
	char		*name;
	size_t		 line;
	char		*format;	/* output_formats() */
	const struct writer *w;		/* of format */
	char		*path;
	enum purpose	 purpose;
	int		 purpose_set;
	char		*password;	/* pkcs12; NULL: OUTPUT_PASSWORD */
	int		 distrust;	/* enum distrust_mode; UNSET: [output]'s */
	unsigned	 leaf_lifetime;	/* days; 0: [output]'s */
};

/* [sendmail], [postfix]: the relays update finds by itself (smrelay.h). */
struct config_mta {
	int		 set;		/* the section is there */
	char		*conf;		/* sendmail.mc or .cf, postfix's
					   config directory: its relays */
	char		*log;		/* a mail log: relays that fail */
	int		 journal;	/* the journal too */
	int		 aia_private;	/* as [probe]'s, for their probes */
};

struct config {
	char		*file;		/* "built-in" for the default */
	/* [output] */
	char		*bundle;	/* NULL: not written */
	char		*capath;
	char		*state;
	char		*hooks;		/* directory of hooks */
	char		*reload;	/* a shell command, or NULL */
	enum purpose	 purpose;
	int		 keep_expired;
	int		 compat;
	int		 distrust;	/* enum distrust_mode (policy.h) */
	unsigned	 leaf_lifetime;	/* days, for drop-when-safe */
	unsigned	 shrink_limit;	/* percent of anchors; default 10 */
	unsigned	 lock_wait;	/* seconds */
	unsigned	 hook_timeout;	/* seconds per hook */
	unsigned char	(*exclude)[32];
	size_t		 nexclude;
	/* [fetch] */
	unsigned	 connect_timeout, timeout;	/* seconds */
	size_t		 max_size;	/* bytes per download */
	char		*ca;
	/* [source NAME] ... */
	struct source_spec *src;
	size_t		 nsrc;
	/* [probe NAME] ... */
	struct config_probe *probe;
	size_t		 nprobe;
	unsigned	 probe_parallel;	/* [output] probes at once */
	unsigned	 probe_keep;	/* [output] days, default 30 */
	unsigned	 warn_days;	/* [output] warn this many days before a
					   probed chain's certificate expires */
	struct config_mta sendmail;
	struct config_mta postfix;
	/* [export]: the store for other hosts (export.h) */
	char		*export_dir;	/* NULL: no [export] */
	char		*export_key;
	char		*export_cert;
	unsigned	 export_valid_for;	/* seconds */
	/* [output NAME] ... */
	struct config_output *outputs;
	size_t		 noutputs;
};

/*
 * Parse a configuration (file names it in messages) into c, defaults first.
 * Returns 0, or -1 after one error in d naming file and line (with what to
 * do); c is released on error.
 */
int	config_parse(const char *file, const char *buf, size_t len,
	    struct config *c, struct diags *d);
/* The built-in configuration. */
void	config_default(struct config *c);
/* The built-in configuration as text (for --help and the man page). */
extern const char config_default_text[];
/* Read and parse the file at path.  -1 after one error in d. */
int	config_load(const char *path, struct config *c, struct diags *d);
void	config_release(struct config *c);
/*
 * The configuration in effect: file when given, else $TRUSTBUILD_CONF or
 * CONFIG_FILE when it exists, else the built-in one (said in d at info
 * level).  -1 after one error in d.  main() calls it once for the commands
 * that take a configuration (cmd.h).
 */
int	config_find(const char *file, struct config *c, struct diags *d);

/*
 * As root, trustbuild refuses configuration, hooks and state that another
 * user could change: set by --insecure-ok to allow them (a tree of a user
 * of one's own).
 */
extern int config_insecure_ok;

/*
 * As root (and without --insecure-ok): is what path names (st: its fstat)
 * owned by root and writable by no one else, and is each directory above
 * it owned by root and not writable by others (or sticky, as /tmp)?
 * what says what it is ("configuration", "state directory").  0 yes (or
 * not root), -1 after one error in d with the fix.
 */
int	config_owner_ok(const char *path, const struct stat *st,
	    const char *what, struct diags *d);

#endif
