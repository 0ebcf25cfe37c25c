/*
 * build.c: one run of "build" (build.h).
 *
 * Its record is DIR/.BASENAME.trustbuild beside the first output given
 * (record.h): the fingerprint of the options that change an output and of
 * each source's bytes, hashed before anything is parsed, and what was
 * published.  When it matches, the run prints the summary the record keeps
 * and exits 2 having decoded nothing.  A directory source is not hashed:
 * a build from one parses it every run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "capath.h"
#include "cmd.h"
#include "log.h"
#include "outset.h"
#include "pipeline.h"
#include "record.h"
#include "text.h"
#include "xalloc.h"

/* The summary line. */
static void
say(const struct build *b, size_t anchors, size_t intermediates, int changed)
{
	if (log_verbosity >= LOG_NORMAL)
		printf("%zu anchor%s, %zu intermediate%s for %s: %s\n",
		    anchors, text_s(anchors), intermediates,
		    text_s(intermediates), purpose_name(b->pol.purpose),
		    changed ? "published" : "unchanged");
}

/*
 * What the run is made from, as one SHA-256 in inputs: 0; -1 ("") when a
 * source was not hashed (a -v note names it).  src[i]: each source's file.
 */
static int
fingerprint(const struct build *b, struct record_src *src, char inputs[65],
    struct diags *d)
{
	struct record_fp f;
	size_t i, n = b->nanchor + b->ninter;

	record_fp_init(&f);
	record_fp_add(&f, "build\npurpose %s\nkeep-expired %d\ncompat %d\n"
	    "distrust-after %s %u\nexclude %zu\n",
	    purpose_name(b->pol.purpose), b->pol.keep_expired,
	    (b->out.flags & CAPATH_COMPAT) != 0,
	    distrust_mode_name(b->pol.distrust), b->pol.leaf_lifetime,
	    b->pol.nexclude);
	record_fp_data(&f, b->pol.exclude, b->pol.nexclude * 32);
	for (i = 0; i < b->out.n; i++) {
		const struct output_target *t = &b->out.v[i];

		record_fp_add(&f, "output %s %s %s %s %d %d %zu\n", t->w->name,
		    t->name, purpose_name(t->purpose), t->path, t->plain,
		    t->flags, t->password ? strlen(t->password) : 0);
		if (t->password != NULL)
			record_fp_data(&f, t->password, strlen(t->password));
	}
	for (i = 0; i < n; i++)
		record_fp_source(&f, i < b->nanchor ? "anchors" :
		    "intermediates", i < b->nanchor ? b->anchor[i] :
		    b->inter[i - b->nanchor], &src[i]);
	for (i = 0; i < n; i++)
		if (src[i].file == NULL) {
			diag_info(d, i < b->nanchor ? b->anchor[i] :
			    b->inter[i - b->nanchor], 0, "not a file: every "
			    "run parses the sources (no record of them)");
			break;
		}
	return record_fp_final(&f, inputs);
}

/*
 * Is the store published from these inputs already?  1 and *rec; 0 (a -v
 * note says why, when there is more to say than "no").
 */
static int
same(const struct build *b, const char *file, const char *inputs,
    struct state_run *rec, struct diags *d)
{
	struct diags sd = DIAGS_INIT;
	int got;

	if (inputs[0] == '\0' || record_read(file, rec, d) != 1)
		return 0;
	got = record_same(rec, inputs, &b->out, RECORD_GENERATIONS,
	    b->pol.now, file, &sd);
	if (sd.nerr > 0)	/* an output unreadable: the full run says */
		diags_clear(&sd);
	diags_move(d, &sd);
	return got;
}

/* What keep() needs, through output_publish(). */
struct keep {
	const struct build *b;
	const struct record_src *src;
	const char	*file, *inputs;
	const struct certset *final;
	time_t		 next;
	const struct policy_stats *st;
};

/*
 * Once every output is published, the output directories still locked (no
 * other run can publish between): the record of this run, if every source
 * is still the file hashed.  Not keeping it costs the next run a full
 * build: a warning.
 */
static void
keep(const struct output *o, void *arg)
{
	const struct keep *k = arg;
	struct diags d = DIAGS_INIT;
	struct state_run rec;
	size_t i;

	for (i = 0; i < k->b->nanchor + k->b->ninter; i++)
		if (!record_src_same(&k->src[i])) {
			diag_info(&d, k->src[i].file, 0, "changed while it was "
			    "read: no record of this run");
			goto out;
		}
	memset(&rec, 0, sizeof(rec));
	memcpy(rec.inputs, k->inputs, sizeof(rec.inputs));
	rec.until = record_until(k->final, o, k->b->pol.keep_expired,
	    k->next);
	rec.anchors = k->st->anchors;
	rec.intermediates = k->st->intermediates;
	if (record_published(o, RECORD_GENERATIONS, rec.published,
	    sizeof(rec.published), &d) == -1 ||
	    record_write(k->file, &rec, &d) == -1) {
		diag_warn(&d, k->file, 0, "cannot keep the record of this run "
		    "(see above); the next run parses everything again");
		for (i = 0; i < d.n; i++)
			if (d.v[i].level == DIAG_ERR)
				d.v[i].level = DIAG_WARN;
		d.nerr = 0;
	}
out:
	diags_report(&d);
}

/* The full run: load, policy, writers; then the record (when inputs). */
static int
full(struct build *b, const struct record_src *src, const char *file,
    const char *inputs, struct diags *d)
{
	struct policy_stats st;
	struct blocklist *bl;
	struct certset **asets, **isets, *final = NULL;
	struct outset_paths paths = { b->anchor, b->inter, b->nanchor,
	    b->ninter };
	struct outset_in in = { outset_load_paths, &paths, &b->pol, NULL };
	struct outset os;
	struct keep k = { b, src, file, inputs, NULL, 0, &st };
	size_t i;
	int rc = EXIT_ERROR, changed = 0;

	outset_init(&os);
	b->pol.d = d;
	asets = xcalloc(b->nanchor, sizeof(*asets));
	isets = xcalloc(b->ninter + 1, sizeof(*isets));
	if ((bl = blocklist_new()) != NULL &&
	    pipeline_load(b->anchor, b->nanchor, b->pol.purpose, 0, asets, bl,
	    d) == 0 && pipeline_load(b->inter, b->ninter, b->pol.purpose, 1,
	    isets, bl, d) == 0)
		final = pipeline_policy(&b->pol, asets, b->nanchor, isets,
		    b->ninter, bl, "--keep-expired", &st, d);
	in.main = final;
	k.final = final;
	if (final == NULL || outset_assign(&os, &b->out, &in, d) == -1) {
		diags_report(d);
		goto out;
	}
	diags_report(d);
	k.next = record_first(b->pol.distrust_next, os.next);
	if (inputs[0] != '\0') {
		b->out.committed = keep;
		b->out.arg = &k;
	}
	if (output_publish(&b->out, &changed) == -1)
		goto out;
	say(b, st.anchors, st.intermediates, changed);
	rc = changed ? EXIT_CHANGED : EXIT_UNCHANGED;
out:
	outset_release(&os);
	for (i = 0; i < b->nanchor; i++)
		certset_free(asets[i]);
	for (i = 0; i < b->ninter; i++)
		certset_free(isets[i]);
	free(asets);
	free(isets);
	certset_free(final);
	blocklist_free(bl);
	return rc;
}

int
build_run(struct build *b)
{
	struct diags d = DIAGS_INIT;
	struct record_src *src;
	struct state_run rec;
	char inputs[65], *file;
	size_t i, n = b->nanchor + b->ninter;
	int rc;

	src = xcalloc(n + 1, sizeof(*src));
	file = record_path(&b->out);
	fingerprint(b, src, inputs, &d);
	if (same(b, file, inputs, &rec, &d)) {
		diag_info(&d, NULL, 0, "the sources are as when the store "
		    "was last published: nothing to parse");
		diags_report(&d);
		say(b, rec.anchors, rec.intermediates, 0);
		rc = EXIT_UNCHANGED;
	} else
		rc = full(b, src, file, inputs, &d);
	for (i = 0; i < n; i++)
		record_src_release(&src[i]);
	free(src);
	free(file);
	return rc;
}
