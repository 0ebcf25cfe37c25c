/*
 * update_json.c: "trustbuild update --json": what one run did, as one JSON
 * object on stdout, for monitoring (update_json.h).
 *
 * pipeline_update() and the hooks -> update_json() renders p: the outcome
 * and the exit status, the counts, the change, each source (where its
 * bytes came from, how many certificates it gave), each probe (connected,
 * verified, what it needs that expires within warn-days) and every
 * warning and failure of p->d, which it takes over: they are said here,
 * not on standard error (but -v's decisions).  Dates are RFC 3339 (json.h).
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "json.h"
#include "log.h"
#include "update_json.h"

static const char *
outcome_name(enum pipeline_outcome o)
{
	switch (o) {
	case PIPELINE_SAME:
		return "same-sources";
	case PIPELINE_DIFF:
		return "diff";
	case PIPELINE_UNCHANGED:
		return "unchanged";
	case PIPELINE_PUBLISHED:
		return "published";
	default:
		return "failed";
	}
}

/* The "+"/"-" lines of the change, one string each. */
static void
changes(const struct guard *g)
{
	const char *s = g->changes, *nl;
	char line[4096];
	int first = 1;

	printf(",\"changes\":[");
	while (s != NULL && *s != '\0') {
		nl = strchr(s, '\n');
		snprintf(line, sizeof(line), "%.*s", nl ? (int)(nl - s) :
		    (int)strlen(s), s);
		printf("%s", first ? "" : ",");
		json_str(line);
		first = 0;
		s = nl ? nl + 1 : s + strlen(s);
	}
	printf("]");
}

static void
sources(const struct pipeline *p)
{
	size_t i;

	printf(",\"sources\":[");
	for (i = 0; i < p->nsrc; i++) {
		const struct acquire_src *s = &p->src[i];

		printf("%s{\"name\":", i ? "," : "");
		json_str(s->spec.name);
		printf(",\"url\":");
		if (s->spec.url != NULL)
			json_str(s->spec.url);
		else
			printf("null");
		printf(",\"path\":");
		if (s->spec.path != NULL)
			json_str(s->spec.path);
		else
			printf("null");
		printf(",\"origin\":");
		json_str(s->cached ? "cached" : s->origin);
		if (s->cached) {
			printf(",\"cached_at\":");
			json_time(s->cached);
		}
		printf(",\"answered\":");
		if (s->answered != NULL)
			json_str(s->answered);
		else
			printf("null");
		if (s->changed) {
			printf(",\"changed_at\":");
			json_time(s->changed);
		}
		printf(",\"stale\":%s", s->stale ? "true" : "false");
		if (s->ncerts >= 0)
			printf(",\"certificates\":%ld", s->ncerts);
		else
			printf(",\"certificates\":null");
		printf("}");
	}
	printf("]");
}

static void
probes(const struct pipeline *p)
{
	size_t i, j;

	printf(",\"probes\":[");
	for (i = 0; i < p->ps.n; i++) {
		const struct probe_outcome *o = &p->ps.v[i];

		printf("%s{\"name\":", i ? "," : "");
		json_str(o->cfg->name);
		printf(",\"url\":");
		json_str(o->cfg->url);
		printf(",\"connected\":%s,\"verified\":%s,\"error\":",
		    o->connected ? "true" : "false",
		    o->verified ? "true" : "false");
		if (o->err[0] != '\0')
			json_str(o->err);
		else
			printf("null");
		printf(",\"intermediates\":%zu,\"expiring\":[", o->nwant);
		for (j = 0; j < o->nexpiring; j++) {
			const struct probe_expiry *e = &o->expiring[j];

			printf("%s{\"role\":\"%s\",\"subject\":", j ? "," : "",
			    e->role);
			json_str(e->subject);
			printf(",\"not_after\":");
			json_time(e->not_after);
			printf(",\"days\":%lld}", (long long)((e->not_after -
			    p->now + 86399) / 86400));
		}
		printf("]}");
	}
	printf("]");
}

/* The entries of d at the levels of want (a bit per level), as strings. */
static void
messages(const char *key, struct diags *d, unsigned want)
{
	char buf[4096];
	size_t i;
	int first = 1;

	printf(",\"%s\":[", key);
	for (i = 0; i < d->n; i++) {
		if (!(want & (1u << d->v[i].level)))
			continue;
		printf("%s", first ? "" : ",");
		json_str(diag_format(&d->v[i], buf, sizeof(buf)));
		first = 0;
	}
	printf("]");
}

void
update_json(struct pipeline *p, int rc)
{
	const struct guard *g = &p->change;
	struct diags info = DIAGS_INIT;
	size_t i;

	printf("{\"outcome\":\"%s\",\"changed\":%s,\"exit\":%d,\"time\":",
	    outcome_name(p->outcome), (p->outcome == PIPELINE_PUBLISHED ||
	    p->outcome == PIPELINE_DIFF) && g->added + g->removed > 0 ?
	    "true" : "false", rc);
	json_time(p->now);
	printf(",\"purpose\":\"%s\"", purpose_name(p->cfg->purpose));
	if (p->outcome != PIPELINE_FAILED)
		printf(",\"anchors\":%zu,\"intermediates\":%zu,\"added\":%zu,"
		    "\"removed\":%zu", p->st.anchors, p->st.intermediates,
		    g->added, g->removed);
	changes(g);
	sources(p);
	probes(p);
	messages("warnings", &p->d, 1u << DIAG_NOTICE | 1u << DIAG_WARN);
	messages("failures", &p->d, 1u << DIAG_ERR);
	printf("}\n");
	/* -v's decisions still go to standard error */
	for (i = 0; i < p->d.n; i++)
		if (p->d.v[i].level == DIAG_INFO)
			diag_add(&info, DIAG_INFO, p->d.v[i].code,
			    p->d.v[i].file, p->d.v[i].line, "%s",
			    p->d.v[i].msg);
	diags_clear(&p->d);
	diags_report(&info);
}
