/*
 * pipeline_hooks.c: the hooks after a run of "update" (pipeline.h), with
 * what it changed: the certificates and the outputs (hooks.h).
 */
#include <stdlib.h>
#include <string.h>

#include "hooks.h"
#include "output.h"
#include "pipeline.h"

int
pipeline_hooks(struct pipeline *p)
{
	struct hooks_env env;
	struct output out = OUTPUT_INIT;
	int rc = 0;

	memset(&env, 0, sizeof(env));
	env.bundle = p->cfg->bundle ? p->cfg->bundle : "";
	env.capath = p->cfg->capath ? p->cfg->capath : "";
	env.added = p->change.added;
	env.removed = p->change.removed;
	env.changed = p->changed ? p->changed : "";
	env.changed_paths = p->changed_paths ? p->changed_paths : "";
	switch (p->outcome) {
	case PIPELINE_PUBLISHED:
		return hooks_changed(p->cfg, p->change.changes, p->change.len,
		    &env, &p->d);
	case PIPELINE_SAME:
	case PIPELINE_UNCHANGED:
		/* a hook that missed a change: it did not see which outputs */
		free(p->changed);
		free(p->changed_paths);
		output_from_config(&out, p->cfg);
		output_changed(&out, 1, &p->changed, &p->changed_paths);
		env.changed = p->changed;
		env.changed_paths = p->changed_paths;
		rc = hooks_pending(p->cfg, &env, &p->d);
		break;
	default:
		break;
	}
	return rc;
}
