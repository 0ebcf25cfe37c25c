/*
 * hooks.h: what runs after "update" published a change.
 *
 * Every file in the hooks directory whose name is made of letters, digits,
 * '_' and '-' (the rule of run-parts(8), so "x.dpkg-old" and "x~" are left
 * alone) and that is an executable regular file runs, in name order; then
 * the reload command, with /bin/sh -c.  Each gets the list of changes on
 * its standard input ("+ SHA256 SUBJECT" and "- SHA256 SUBJECT" lines),
 * TRUSTBUILD_BUNDLE, TRUSTBUILD_CAPATH, TRUSTBUILD_ADDED and
 * TRUSTBUILD_REMOVED in its environment, and timeout_s seconds before it
 * and its process group are killed.
 */
#ifndef TB_HOOKS_H
#define TB_HOOKS_H

#include <stddef.h>

struct hooks_env {
	const char	*bundle;	/* "" when not written */
	const char	*capath;
	size_t		 added, removed;
};

/*
 * Run the hooks of dir (a missing directory has none) and then reload
 * (NULL: none).  Returns how many failed (exit status not 0, killed, or not
 * started); each failure is reported by name.
 */
int	hooks_run(const char *dir, const char *reload, const char *input,
	    size_t len, const struct hooks_env *env, unsigned timeout_s);

#endif
