/*
 * update_json.h: "trustbuild update --json", what one run did as one JSON
 * object, for monitoring.
 *
 * Calling sequence (cmd_update.c):
 *
 *	pipeline_update(&p);
 *	pipeline_hooks(&p);		// their failures are in p.d too
 *	update_json(&p, rc);		// prints; takes p.d's entries over
 */
#ifndef TB_UPDATE_JSON_H
#define TB_UPDATE_JSON_H

#include "pipeline.h"

/*
 * Print p's outcome, with rc the exit status update returns, as one JSON
 * object on stdout; p->d's warnings and failures go into it and p->d is
 * cleared (its -v decisions are reported on standard error).
 */
void	update_json(struct pipeline *p, int rc);

#endif
