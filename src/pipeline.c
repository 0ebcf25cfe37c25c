/*
 * pipeline.c: one run of "update" (pipeline.h).
 *
 * Each stage is a function of struct run, in the order of pipeline.h;
 * each returns 0 or -1 with what went wrong in p->d.  The published store
 * is touched by one stage only (publish), after every check passed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509v3.h>

#include "capath.h"
#include "central.h"
#include "certdata.h"
#include "cmd.h"
#include "crosscheck.h"
#include "hooks.h"
#include "log.h"
#include "manifest.h"
#include "output.h"
#include "outset.h"
#include "pipeline.h"
#include "probeset.h"
#include "publish.h"
#include "record.h"
#include "rollback.h"
#include "smrelay.h"
#include "source.h"
#include "state.h"
#include "verify.h"
#include "xalloc.h"

/* What one run builds on its way, freed when it ends. */
struct run {
	struct pipeline	*p;
	struct diags	*d;
	char		 inputs[65];	/* what it is made from, as SHA-256 */
	struct policy	 pol;
	struct blocklist *bl;
	struct certset	**asets, **isets, *final, *old;
	size_t		 na, ni;
	struct manifest	 prev, next;
	X509_STORE	*nstore;	/* the new set as a store, for probes */
	struct output	 out;		/* what is published, and where */
	struct outset	 os;		/* the set of each output */
};

void
pipeline_init(struct pipeline *p, struct config *cfg)
{
	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	p->now = time(NULL);
	p->lockfd = -1;
}

void
pipeline_release(struct pipeline *p)
{
	size_t i;

	if (p->lockfd != -1)
		close(p->lockfd);
	p->lockfd = -1;
	for (i = 0; i < p->nsrc; i++)
		acquire_src_release(&p->src[i]);
	free(p->src);
	p->src = NULL;
	p->nsrc = 0;
	guard_release(&p->change);
	probeset_release(&p->ps);
	free(p->changed);
	free(p->changed_paths);
	p->changed = p->changed_paths = NULL;
	diags_clear(&p->d);
}

struct certset *
pipeline_policy(struct policy *pol, struct certset **asets, size_t na,
    struct certset **isets, size_t ni, const struct blocklist *bl,
    const char *hint, struct policy_stats *st, struct diags *d)
{
	struct certset *final;
	struct distrust_cut cut;
	char expired[128] = "", why[128] = "";

	if ((final = policy_build(pol, asets, na, isets, ni, bl, st)) == NULL)
		return NULL;
	/* distrust-after, for the [output] section (policy.h) */
	policy_distrust(final, pol->purpose, pol->distrust, pol->leaf_lifetime,
	    pol->now, &cut);
	policy_distrust_say(&cut, d);
	if (pol->distrusted == NULL)
		pol->distrusted = certset_new();
	policy_distrust_apply(&final, &cut, pol->distrusted);
	st->distrusted = cut.nout;
	st->anchors -= cut.nanchors;
	st->intermediates -= cut.nout - cut.nanchors;
	pol->distrust_next = cut.next;
	policy_distrust_release(&cut);
	if (st->expired > 0 && log_verbosity < LOG_VERBOSE)
		snprintf(expired, sizeof(expired), "left out %zu expired "
		    "anchor%s (-v names them, %s keeps them)", st->expired,
		    st->expired == 1 ? "" : "s", hint);
	if (st->distrusted > 0)
		snprintf(why, sizeof(why), "; %zu left out by distrust-after "
		    "(see above; distrust-after = keep keeps them)",
		    st->distrusted);
	/* an empty set: one refusal that says what was left out */
	if (final->n == 0 || st->anchors == 0) {
		diag_err(d, NULL, 0, "refusing to publish an empty set: no "
		    "certificate of the sources is a trust anchor for %s%s%s%s",
		    purpose_name(pol->purpose), expired[0] ? "; " : "",
		    expired, why);
		certset_free(final);
		return NULL;
	}
	if (expired[0] != '\0')
		diag_warn(d, NULL, 0, "%s", expired);
	if (st->refused > 0 && log_verbosity < LOG_VERBOSE)
		diag_warn(d, NULL, 0, "refused %zu intermediate%s (-v says "
		    "why)", st->refused, st->refused == 1 ? "" : "s");
	return final;
}

int
pipeline_load(char **paths, size_t n, enum purpose want, int whole,
    struct certset **sets, struct blocklist *bl, struct diags *d)
{
	size_t i;
	int got;

	for (i = 0; i < n; i++) {
		if ((sets[i] = certset_new()) == NULL)
			return -1;
		sets[i]->whole = whole;
		if ((got = source_load(paths[i], (int)want, sets[i], bl,
		    d)) == -1)
			return -1;
		diag_info(d, NULL, 0, "'%s': %d certificate%s", paths[i], got,
		    got == 1 ? "" : "s");
	}
	return 0;
}

/* What this run would publish from, as one SHA-256 (record.h). */
static void
inputs_fingerprint(const struct pipeline *p, char out[65])
{
	const struct config *c = p->cfg;
	struct record_fp f;
	size_t i;

	record_fp_init(&f);
	record_fp_add(&f, "bundle %s\ncapath %s\npurpose %s\nkeep-expired %d\n"
	    "compat %d\ndistrust-after %s %u\n", c->bundle ? c->bundle : "-",
	    c->capath ? c->capath : "-", purpose_name(c->purpose),
	    c->keep_expired, c->compat, distrust_mode_name(c->distrust),
	    c->leaf_lifetime);
	for (i = 0; i < c->noutputs; i++) {
		const struct config_output *o = &c->outputs[i];

		record_fp_add(&f, "output %s %s %s %s %zu %d %u\n", o->name,
		    o->format, o->path, purpose_name(o->purpose_set ?
		    o->purpose : c->purpose), o->password ?
		    strlen(o->password) : 0, o->distrust, o->leaf_lifetime);
		if (o->password != NULL)
			record_fp_data(&f, o->password, strlen(o->password));
	}
	record_fp_data(&f, c->exclude, c->nexclude * 32);
	for (i = 0; i < p->nsrc; i++) {
		const struct acquire_src *s = &p->src[i];

		record_fp_add(&f, "source %s %d %s %s %s %s\n", s->spec.name,
		    (int)s->spec.role, s->spec.url ? s->spec.url : "-",
		    s->spec.path ? s->spec.path : "-",
		    s->spec.member ? s->spec.member : "-", s->fp);
	}
	record_fp_final(&f, out);
}

/*
 * Does the last run's record say these inputs are published, intact, and
 * still valid?  Then p->st gets the counts it recorded.
 */
static int
same_as_last_run(struct run *r)
{
	struct pipeline *p = r->p;
	const struct config *c = p->cfg;
	struct state_run rec;
	struct output out = OUTPUT_INIT;
	char path[4096], *man = NULL;

	output_from_config(&out, c);
	snprintf(path, sizeof(path), "%s/last-run", c->state);
	if (state_last_run_read(c->state, &rec, r->d) != 1 ||
	    !record_same(&rec, r->inputs, &out, 0, p->now, path, r->d))
		return 0;
	if (p->force) {
		diag_info(r->d, NULL, 0, "the sources are as when the store "
		    "was last published; --force: a full run all the same");
		return 0;
	}
	/* a store published before there was a manifest: a full run makes it */
	if (state_read(c->state, MANIFEST_FILE, &man, r->d) != 1) {
		diag_info(r->d, NULL, 0, "the published store has no manifest "
		    "yet: a full run writes it");
		return 0;
	}
	free(man);
	p->st.anchors = rec.anchors;
	p->st.intermediates = rec.intermediates;
	return 1;
}

/* Each source's bytes, and the shortcut when they are as last published. */
static int
stage_acquire(struct run *r)
{
	struct pipeline *p = r->p;
	struct acquire_ctx ctx;
	size_t i;

	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = p->cfg;
	ctx.offline = p->offline;
	ctx.now = p->now;
	ctx.d = r->d;
	p->src = xcalloc(p->cfg->nsrc, sizeof(*p->src));
	for (i = 0; i < p->cfg->nsrc; i++) {
		if (acquire_resolve(&p->cfg->src[i], &p->src[i], r->d) == -1)
			return -1;
		p->nsrc++;
		if (acquire_get(&ctx, &p->src[i]) == -1 ||
		    crosscheck_source(&ctx, &p->src[i], p->strict) == -1)
			return -1;
	}
	inputs_fingerprint(p, r->inputs);
	/* probes are checked every run: no short cut with them */
	if (!p->diff_only && p->cfg->nprobe == 0 && same_as_last_run(r)) {
		diag_info(r->d, NULL, 0, "the sources are as when the store "
		    "was last published: nothing to parse");
		p->outcome = PIPELINE_SAME;
	}
	return 0;
}

/* One set per source: anchors, intermediates, and what to leave out. */
static int
stage_sets(struct run *r)
{
	struct pipeline *p = r->p;
	size_t i, j;

	r->asets = xcalloc(p->nsrc, sizeof(*r->asets));
	r->isets = xcalloc(p->nsrc * 2, sizeof(*r->isets));
	if ((r->bl = blocklist_new()) == NULL)
		return -1;
	for (i = 0; i < p->nsrc; i++) {
		struct acquire_src *s = &p->src[i];

		if (s->set == NULL && acquire_parse(s, p->cfg->purpose,
		    s->spec.path ? s->spec.path : s->spec.url, r->d) == -1)
			return -1;
		for (j = 0; j < s->bl->n; j++)
			if (blocklist_add(r->bl, &s->bl->v[j]) == -1)
				return -1;
		if (central_intermediates(s) != NULL)	/* central.h */
			r->isets[r->ni++] = central_intermediates(s);
		if (s->spec.role == ROLE_ANCHORS)
			r->asets[r->na++] = s->set;
		else if (s->spec.role == ROLE_INTERMEDIATES)
			r->isets[r->ni++] = s->set;
		else
			for (j = 0; j < s->set->n; j++) {
				r->pol.exclude = xreallocarray(r->pol.exclude,
				    r->pol.nexclude + 1,
				    sizeof(*r->pol.exclude));
				memcpy(r->pol.exclude[r->pol.nexclude++],
				    s->set->v[j]->sha256, 32);
			}
	}
	if (r->na == 0) {
		diag_err(r->d, NULL, 0, "'%s': no source has role anchors; "
		    "nothing to trust", p->cfg->file);
		return -1;
	}
	return 0;
}

/*
 * What STATE/sources/NAME says s gave before, into *prev: 1, or 0 when
 * there is no record for this url and purpose; -1 on an error.
 */
static int
rollback_prev(struct run *r, const struct acquire_src *s,
    struct rollback *prev)
{
	const struct config *c = r->p->cfg;
	char file[512], *rec;
	int got, has = 0;

	memset(prev, 0, sizeof(*prev));
	snprintf(file, sizeof(file), "sources/%s", s->spec.name);
	if ((got = state_read(c->state, file, &rec, r->d)) != 1)
		return got;
	if (rollback_parse(rec, prev) == -1)
		diag_warn(r->d, NULL, 0, "'%s/%s': not a source record; it is "
		    "made anew", c->state, file);
	else if (strcmp(prev->origin, s->spec.url) != 0 ||
	    strcmp(prev->purpose, purpose_name(c->purpose)) != 0) {
		diag_info(r->d, NULL, 0, "'%s/%s': about '%s' for %s; made "
		    "anew", c->state, file, prev->origin, prev->purpose);
		rollback_release(prev);
	} else
		has = 1;
	free(rec);
	return has;
}

/* A rollback of s (why: what came back, a line each), said at its level. */
static void
rollback_say(struct run *r, const struct acquire_src *s, char *why)
{
	const struct pipeline *p = r->p;
	enum diag_level lv = p->diff_only ? DIAG_WARN : p->force ?
	    DIAG_NOTICE : DIAG_ERR;
	char *line, *save = NULL;

	diag_add(r->d, lv, DIAG_GENERIC, NULL, 0, "[source %s]: '%s' went "
	    "back to an older set; %s", s->spec.name, s->spec.url,
	    p->diff_only ? "update refuses it without --force:" : p->force ?
	    "published as --force says:" : "refusing to publish: check the "
	    "source, or run 'trustbuild update --force' if this is intended:");
	/* what came back, a message line each */
	for (line = strtok_r(why, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		diag_add(r->d, lv, DIAG_GENERIC, NULL, 0, "%s", line);
}

/*
 * An upstream that went back to an older set: for each download of
 * anchors or intermediates, this run's set against what STATE/sources/NAME
 * says the source gave before (rollback.h); the record of this run goes
 * into s->next, kept by stage_record() once the store is published.  A
 * rollback is refused, naming what came back; with --force it is
 * published (and what it drops is not learnt as dropped); with --diff it
 * is a warning.  Local files and directories are the host's own, and a
 * source whose fallback stands in this run is not the download: neither is
 * checked.
 */
static int
stage_rollback(struct run *r)
{
	struct pipeline *p = r->p;
	struct rollback prev;
	char ver[64], *why;
	size_t i;
	int has, n, refused = 0;

	for (i = 0; i < p->nsrc; i++) {
		struct acquire_src *s = &p->src[i];
		const char *v = NULL;

		rollback_release(&s->next);
		if (s->spec.role == ROLE_BLOCKLIST || s->set == NULL ||
		    s->spec.url == NULL || s->spec.path != NULL ||
		    s->central != NULL)	/* its serial guards it: central.h */
			continue;
		if (s->buf != NULL && certdata_detect((char *)s->buf, s->len) &&
		    certdata_version((char *)s->buf, s->len, ver, sizeof(ver)))
			v = ver;
		if ((has = rollback_prev(r, s, &prev)) == -1)
			return -1;
		n = 0;
		why = NULL;
		if (has && (n = rollback_check(&prev, v, s->set, &why)) == -1) {
			rollback_release(&prev);
			return -1;
		}
		if (n > 0) {
			rollback_say(r, s, why);
			refused += !p->diff_only && !p->force;
		}
		free(why);
		n = rollback_next(has ? &prev : NULL, s->spec.url,
		    p->cfg->purpose, v, s->set, s->bl, n == 0, &s->next);
		rollback_release(&prev);
		if (n == -1)
			return -1;
	}
	return refused > 0 ? -1 : 0;
}

/* The policy over the sets: the trust gate. */
static int
stage_policy(struct run *r)
{
	struct pipeline *p = r->p;

	r->pol.purpose = p->cfg->purpose;
	r->pol.keep_expired = p->cfg->keep_expired;
	r->pol.distrust = p->cfg->distrust;
	r->pol.leaf_lifetime = p->cfg->leaf_lifetime;
	r->pol.now = p->now;
	r->final = pipeline_policy(&r->pol, r->asets, r->na, r->isets, r->ni,
	    r->bl, "keep-expired = yes", &p->st, r->d);
	return r->final == NULL ? -1 : 0;
}

/*
 * The manifest of the published store: first-seen days and what the probes
 * needed.  A damaged one is said and set aside (the next publish replaces
 * it); -1 only when it cannot be read.
 */
static int
load_manifest(struct run *r)
{
	const char *state = r->p->cfg->state;
	char why[256];
	int got;

	got = manifest_load(state, &r->prev, why, sizeof(why), r->d);
	if (got == -1)
		return -1;
	if (got == 0 && why[0] != '\0')
		diag_notice(r->d, NULL, 0, "'%s/" MANIFEST_FILE "': %s; going "
		    "on without it (first-seen days start again, failed probes "
		    "keep nothing)", state, why);
	return 0;
}

/* The servers of [probe] sections: their intermediates, gated. */
static int
stage_probes(struct run *r)
{
	struct pipeline *p = r->p;
	struct certset **csets = NULL;
	size_t nc = 0;
	int rc;

	if (load_manifest(r) == -1)
		return -1;
	if (p->cfg->nprobe == 0)
		return 0;
	if ((r->nstore = verify_store_set(r->final, r->pol.purpose, 0,
	    r->d)) == NULL ||
	    probeset_run(p->cfg, r->nstore, &r->prev, p->now, &p->ps,
	    r->d) == -1)
		return -1;
	if (probeset_candidates(&p->ps, &csets, &nc) == -1)
		return -1;
	rc = policy_admit(&r->pol, csets, nc, r->final, &p->st);
	free(csets);
	if (rc == -1)
		return -1;
	X509_STORE_free(r->nstore);
	if ((r->nstore = verify_store_set(r->final, r->pol.purpose, 0,
	    r->d)) == NULL)
		return -1;
	return 0;
}

/* What changes against what is published, and the guards. */
static int
stage_guard(struct run *r)
{
	struct pipeline *p = r->p;
	int enforce = !p->force && !p->diff_only;

	if ((r->old = guard_published(p->cfg, r->d)) == NULL)
		return -1;
	p->had_store = r->old->n > 0;
	if (p->cfg->nprobe > 0 && guard_probes(&p->ps, r->old, r->nstore,
	    r->pol.purpose, enforce, r->d) == -1)
		return -1;
	if (guard_diff(r->old, r->final, &p->change) == -1)
		return -1;
	if (enforce && guard_shrink(&p->change, p->cfg->shrink_limit,
	    r->d) == -1)
		return -1;
	if (p->diff_only)
		p->outcome = PIPELINE_DIFF;
	return 0;
}

/* Keep the records stage_rollback() made: STATE/sources/NAME. */
static int
save_rollback(struct run *r)
{
	const struct pipeline *p = r->p;
	char file[512], *text;
	size_t i, len;
	int rc;

	for (i = 0; i < p->nsrc; i++) {
		const struct acquire_src *s = &p->src[i];

		if (s->next.origin == NULL)
			continue;
		snprintf(file, sizeof(file), "sources/%s", s->spec.name);
		if ((text = rollback_format(&s->next, &len)) == NULL) {
			diag_err(r->d, NULL, 0, "out of memory");
			return -1;
		}
		rc = state_write(p->cfg->state, file, text, len, r->d);
		free(text);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/*
 * The record of a published run: the inputs, what was published, and
 * until when the same inputs give the same store (the first not-after);
 * what each download gave (save_rollback); the manifest.
 */
static int
stage_record(struct run *r)
{
	struct pipeline *p = r->p;
	const struct config *c = p->cfg;
	struct state_run rec;
	time_t next;
	size_t i;

	memset(&rec, 0, sizeof(rec));
	/* a signed store's valid-until; the day distrust-after leaves a
	   root out, the inputs as they are; other outputs' */
	next = record_first(r->pol.distrust_next, r->os.next);
	for (i = 0; i < p->nsrc; i++)
		next = record_first(next, central_valid_until(&p->src[i]));
	rec.until = record_until(r->final, &r->out, c->keep_expired,
	    next);
	if (manifest_add_set(&r->next, r->final, r->pol.purpose, &r->prev,
	    p->now) == -1 || probeset_remember(&p->ps, r->final,
	    p->now, &r->next, r->d) == -1) {
		diag_err(r->d, NULL, 0, "out of memory");
		return -1;
	}
	memcpy(rec.inputs, r->inputs, sizeof(rec.inputs));
	rec.anchors = p->st.anchors;
	rec.intermediates = p->st.intermediates;
	if (manifest_save(c->state, &r->next, r->d) == -1 ||
	    save_rollback(r) == -1 || output_published_id(&r->out,
	    rec.published, sizeof(rec.published), r->d) == -1)
		return -1;
	return state_last_run_write(c->state, &rec, r->d);
}

/*
 * The set of each output (its purpose, its filter: outset.h), the writers,
 * all or none published, then the record.
 */
static int
stage_publish(struct run *r)
{
	struct pipeline *p = r->p;
	struct outset_sources src = { p->src, p->nsrc };
	struct outset_in in = { outset_load_sources, &src, &r->pol,
	    r->final };
	int changed = 0;

	r->out = (struct output)OUTPUT_INIT;
	output_from_config(&r->out, p->cfg);
	if (outset_assign(&r->os, &r->out, &in, r->d) == -1 ||
	    output_publish(&r->out, &changed) == -1)
		return -1;
	output_changed(&r->out, 0, &p->changed, &p->changed_paths);
	if (stage_record(r) == -1)
		return -1;
	p->outcome = changed ? PIPELINE_PUBLISHED : PIPELINE_UNCHANGED;
	return 0;
}

/* The outputs' directories and the lock of the state directory. */
static int
stage_prepare(struct pipeline *p)
{
	const struct config *c = p->cfg;
	struct output out = OUTPUT_INIT;

	output_from_config(&out, c);
	if (output_make_parents(&out, &p->d) == -1)
		return -1;
	if ((p->lockfd = state_lock(c->state, c->lock_wait, &p->d)) == -1)
		return -1;
	return 0;
}

static void
run_release(struct run *r)
{
	free(r->asets);
	free(r->isets);
	certset_free(r->final);
	certset_free(r->old);
	blocklist_free(r->bl);
	free(r->pol.exclude);
	policy_release(&r->pol);
	manifest_release(&r->prev);
	manifest_release(&r->next);
	X509_STORE_free(r->nstore);
	outset_release(&r->os);
}

int
pipeline_update(struct pipeline *p)
{
	const struct config *c = p->cfg;
	struct run r;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	outset_init(&r.os);
	r.p = p;
	r.d = &p->d;
	r.pol.d = &p->d;
	p->outcome = PIPELINE_FAILED;
	if (c->nexclude > 0) {
		r.pol.exclude = xmemdup(c->exclude, c->nexclude * 32);
		r.pol.nexclude = c->nexclude;
	}
	/* [sendmail]'s relays join the probes (smrelay.h) */
	if (stage_prepare(p) == -1 || smrelay_add(p->cfg, p->now,
	    !p->diff_only, &p->d) == -1 || stage_acquire(&r) == -1)
		goto out;
	if (p->outcome == PIPELINE_SAME) {
		rc = 0;
		goto out;
	}
	if (stage_sets(&r) == -1 || stage_rollback(&r) == -1 ||
	    stage_policy(&r) == -1 || stage_probes(&r) == -1 ||
	    stage_guard(&r) == -1)
		goto out;
	if (p->outcome != PIPELINE_DIFF && stage_publish(&r) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		p->outcome = PIPELINE_FAILED;
	run_release(&r);
	return rc;
}
