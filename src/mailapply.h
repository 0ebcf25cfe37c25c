/*
 * mailapply.h: what "--apply" does for every MTA (smapply.h for sendmail,
 * pfapply.h for Postfix): each file it changes read first (a symbolic
 * link or a file another user can change is refused), backed up
 * (FILE.trustbuild-YYYYMMDDHHMMSS), written as the store is (publish.h:
 * a temp file in its directory, renamed over it), and restored on any
 * later failure; the [probe]s of the plan (mailplan.h) added to the
 * configuration and "update" run before the MTA is told to read the
 * store; each relay probed at the end.  With --dry-run: a unified diff of
 * each file.  What it does is printed on stdout as it goes; what went
 * wrong is in d.
 *
 *	struct mailapply a = { .mp = &plan.mp, .d = &d };
 *	c = mailapply_change_of(&a, path);	// then edit c->new
 *	mailapply_probes(&a);			// the [probe]s, computed
 *	mailapply_diffs(&a);			// --dry-run
 *	mailapply_commit(&a, c); mailapply_update(&a);
 *	mailapply_probe_relays(&a);
 *	mailapply_restore(&a);			// on failure
 *	mailapply_release(&a);
 */
#ifndef TB_MAILAPPLY_H
#define TB_MAILAPPLY_H

#include <sys/types.h>

#include <limits.h>
#include <stddef.h>

#define MAILAPPLY_MAX_CHANGES	4

struct diags;
struct mailplan;

/* A file --apply changes: what it held and what it will hold. */
struct mailapply_change {
	const char	*path;
	char		*old, *new;
	size_t		 oldlen, newlen;
	int		 existed;
	mode_t		 mode;
	char		 backup[PATH_MAX];
	int		 written;
};

struct mailapply {
	const struct mailplan	*mp;
	struct diags		*d;
	struct mailapply_change	 ch[MAILAPPLY_MAX_CHANGES];
	int			 n;
};

/* The change of path (read now), or NULL with the reason in r->d. */
struct mailapply_change *mailapply_change_of(struct mailapply *r,
	    const char *path);
/* Write buf as path's content, atomically (publish.h), with mode: 0/-1. */
int	mailapply_write(const char *path, const char *buf, size_t len,
	    mode_t mode, struct diags *d);
/* Run argv (PATH looked up) with our stdout and stderr: its status, -1. */
int	mailapply_run(const char *const argv[]);
/* Back c up beside it (nothing when it did not exist): 0 or -1. */
int	mailapply_backup(struct mailapply *r, struct mailapply_change *c);
/* c's new content, backed up and written if it differs: 0 or -1. */
int	mailapply_commit(struct mailapply *r, struct mailapply_change *c);
/* Every file written goes back to what it held (a new one goes). */
void	mailapply_restore(struct mailapply *r);
/* This binary, to run update and probe with: 0, or -1 with errno. */
int	mailapply_self(char *buf, size_t size);
/* The plan's [probe]s as the change of its configuration file: 0/-1. */
int	mailapply_probes(struct mailapply *r);
/* --dry-run: a diff of each change, and whether update would run. */
void	mailapply_diffs(struct mailapply *r);
/* update with the configuration the [probe]s went into: 0, or -1. */
int	mailapply_update(struct mailapply *r);
/* Each relay probed with the published store: 0 all verify, else -1. */
int	mailapply_probe_relays(struct mailapply *r);
/* Frees what the changes hold. */
void	mailapply_release(struct mailapply *r);

#endif
