/*
 * hooks.h: what runs after "update" published a change.
 *
 * Every file in the hooks directory whose name is made of letters, digits,
 * '_' and '-' (the rule of run-parts(8), so "x.dpkg-old" and "x~" are left
 * alone) and that is an executable regular file runs, in name order; then
 * the reload command, with /bin/sh -c.  Each gets the list of changes on
 * its standard input ("+ SHA256 SUBJECT" and "- SHA256 SUBJECT" lines),
 * TRUSTBUILD_BUNDLE, TRUSTBUILD_CAPATH, TRUSTBUILD_ADDED,
 * TRUSTBUILD_REMOVED, TRUSTBUILD_CHANGED (the names of the outputs that
 * changed, space-separated: "bundle", "capath", an [output NAME]'s NAME)
 * and TRUSTBUILD_CHANGED_PATHS (their paths, one a line) in its
 * environment, and timeout_s seconds before it
 * and its process group are killed.
 */
#ifndef TB_HOOKS_H
#define TB_HOOKS_H

#include <stddef.h>

#include "config.h"
#include "diag.h"

#define HOOKS_PENDING	"hooks-pending"	/* STATE/hooks-pending (state.h) */

struct hooks_env {
	const char	*bundle;	/* "" when not written */
	const char	*capath;
	const char	*changed;	/* names of the outputs written */
	const char	*changed_paths;	/* their paths, one a line */
	size_t		 added, removed;
};

/*
 * Run the hooks of dir (a missing directory has none) and then reload
 * (NULL: none).  Returns how many failed (exit status not 0, killed, or not
 * started); each failure is one message in d, naming the hook.
 */
int	hooks_run(const char *dir, const char *reload, const char *input,
	    size_t len, const struct hooks_env *env, unsigned timeout_s,
	    struct diags *d);
/*
 * The hooks of a published change (changes: its "+"/"-" lines), as c
 * configures them.  When one fails, the change is kept in
 * STATE/hooks-pending (added to what is there) for the next run, and each
 * failure is one line in d that says so; -1.  When all succeed, the
 * pending record is removed; 0.
 */
int	hooks_changed(const struct config *c, const char *changes, size_t len,
	    const struct hooks_env *env, struct diags *d);
/*
 * A run that published nothing: the hooks of an earlier change that
 * failed run again with the changes they missed.  0 when none were
 * pending or they succeeded now (the record is removed); -1 when one
 * still fails (one line each in d) or on an error.
 */
int	hooks_pending(const struct config *c, const struct hooks_env *env,
	    struct diags *d);

#endif
