/*
 * smconf_m4.h: ask GNU m4 which define of each sendmail setting wins
 * (m4 --debug=aeqfl --trace=define --trace=undefine: the file and line of
 * each), and run m4 to build a .cf.  Bounded in time and size.
 */
#ifndef TB_SMCONF_M4_H
#define TB_SMCONF_M4_H

#include <stddef.h>

struct smconf;
struct sm_config;

/*
 * Run m4 over s->mcpath as the .cf is built and apply what its trace says
 * to s->mc: a define that wins replaces the built-in reader's (file,
 * line, value), one that m4 never runs or undefines is forgotten (a
 * commented-out one stays, for the message).  0, or -1 with why.
 */
int	smconf_m4_trace(struct smconf *s, char *why, size_t size);
/* Parse a trace (fuzzable): apply it to c; mcpath's settings get file "". */
void	smconf_m4_apply(const char *trace, size_t len, const char *mcpath,
	    struct sm_config *c);
/*
 * Run argv (argv[0] looked up in PATH) in dir with stdout to the file
 * out (NULL: /dev/null), stderr captured into err (NUL-terminated, at
 * most size - 1 bytes, the rest dropped), for at most secs seconds: its
 * exit status, or -1 (not run, killed: the reason in err).
 */
int	smconf_run(const char *const argv[], const char *dir, const char *out,
	    char *err, size_t size, unsigned secs);

#endif
