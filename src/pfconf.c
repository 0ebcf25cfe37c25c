/*
 * pfconf.c: Postfix's effective configuration; see pfconf.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailcheck.h"
#include "pfconf.h"
#include "postfix.h"
#include "smconf_m4.h"
#include "xalloc.h"

/* What postconf -x says of each parameter, over what main.cf said. */
static void
ask_postconf(struct pfconf *p)
{
	const char *argv[PF_NKEYS + 5];
	char tmp[] = "/tmp/trustbuild-postconf.XXXXXX", err[400], *buf;
	struct pf_config *pc;
	const char *why;
	size_t len;
	int k, n = 0, fd, rc;

	argv[n++] = "postconf";
	argv[n++] = "-c";
	argv[n++] = p->dir;
	argv[n++] = "-x";
	for (k = 0; k < PF_NKEYS; k++)
		argv[n++] = pf_name(k);
	argv[n] = NULL;
	if ((fd = mkstemp(tmp)) == -1) {
		snprintf(p->postconf_why, sizeof(p->postconf_why), "a temp file:"
		    " %s", strerror(errno));
		return;
	}
	close(fd);
	rc = smconf_run(argv, NULL, tmp, err, sizeof(err),
	    PFCONF_POSTCONF_SECONDS);
	buf = mailcheck_read(tmp, PFCONF_MAX_FILE, 0, &len, NULL, &why);
	unlink(tmp);
	if (rc != 0 || buf == NULL) {
		err[strcspn(err, "\n")] = '\0';
		snprintf(p->postconf_why, sizeof(p->postconf_why), "%s",
		    rc == 127 ? "postconf is not installed" : err[0] ? err :
		    "postconf failed");
		free(buf);
		return;
	}
	pc = xcalloc(1, sizeof(*pc));
	pf_parse_main(buf, len, pc);
	free(buf);
	for (k = 0; k < PF_NKEYS; k++) {
		struct pf_setting *s = &p->c.s[k];

		if (!pc->s[k].set)
			continue;
		/* the value postconf says, at the line main.cf has it */
		snprintf(s->value, sizeof(s->value), "%s", pc->s[k].value);
		s->set = 1;
	}
	free(pc);
	p->postconf = 1;
}

/* $config_directory in a map path (postconf -x expands all). */
static void
expand(const struct pfconf *p, const char *in, char *out, size_t size)
{
	const char *v;

	if ((v = strstr(in, "$config_directory")) != NULL)
		snprintf(out, size, "%.*s%.1000s%.1000s", (int)(v - in), in,
		    p->dir, v + 17);
	else if ((v = strstr(in, "${config_directory}")) != NULL)
		snprintf(out, size, "%.*s%.1000s%.1000s", (int)(v - in), in,
		    p->dir, v + 19);
	else
		snprintf(out, size, "%s", in);
}

/* The text sources of the maps of k, one after the other. */
static char *
read_maps(struct pfconf *p, enum pf_key k, size_t *len)
{
	char list[2200], path[1100], *all = NULL, *buf;
	const char *why;
	size_t pos = 0, n, total = 0;

	*len = 0;
	if (!pf_set(&p->c, k))
		return NULL;
	expand(p, p->c.s[k].value, list, sizeof(list));
	while (pf_map_next(list, &pos, path, sizeof(path))) {
		if ((buf = mailcheck_read(path, PFCONF_MAX_FILE, 0, &n, NULL,
		    &why)) == NULL) {
			if (p->map_why[0] == '\0')
				snprintf(p->map_why, sizeof(p->map_why),
				    "%s '%.400s': %.100s", pf_name(k), path,
				    why);
			continue;
		}
		all = xreallocarray(all, total + n + 2, 1);
		memcpy(all + total, buf, n);
		total += n;
		all[total++] = '\n';
		all[total] = '\0';
		free(buf);
	}
	*len = total;
	return all;
}

int
pfconf_load(struct pfconf *p, const char *dir, unsigned flags)
{
	const char *why;
	char *buf;
	size_t len;

	memset(p, 0, sizeof(*p));
	snprintf(p->dir, sizeof(p->dir), "%s", dir);
	snprintf(p->main, sizeof(p->main), "%s/main.cf", dir);
	snprintf(p->master, sizeof(p->master), "%s/master.cf", dir);
	if ((buf = mailcheck_read(p->main, PFCONF_MAX_FILE, 0, &len, NULL,
	    &why)) == NULL) {
		snprintf(p->main_why, sizeof(p->main_why), "%s", why);
		return -1;
	}
	p->have_main = 1;
	pf_parse_main(buf, len, &p->c);
	free(buf);
	if (flags & PFCONF_POSTCONF)
		ask_postconf(p);
	else
		snprintf(p->postconf_why, sizeof(p->postconf_why), "not asked");
	if ((buf = mailcheck_read(p->master, PFCONF_MAX_FILE, 0, &len, NULL,
	    &why)) == NULL)
		snprintf(p->master_why, sizeof(p->master_why), "%s", why);
	else {
		p->have_master = 1;
		pf_parse_master(buf, len, &p->c);
		free(buf);
	}
	p->tm = read_maps(p, PF_TRANSPORT_MAPS, &p->tmlen);
	p->pm = read_maps(p, PF_POLICY_MAPS, &p->pmlen);
	return 0;
}

void
pfconf_release(struct pfconf *p)
{
	if (p == NULL)
		return;
	free(p->tm);
	free(p->pm);
	p->tm = p->pm = NULL;
}

int
pfconf_relays(const struct pfconf *p, struct mta_target *out, int max)
{
	return pf_relays(&p->c, p->tm, p->tmlen, p->pm, p->pmlen, out, max);
}

const char *
pfconf_cmd(const struct pfconf *p, const char *prog, char *buf, size_t size)
{
	if (strcmp(p->dir, PF_DEFAULT_DIR) == 0)
		snprintf(buf, size, "%s", prog);
	else
		snprintf(buf, size, "%s -c %s", prog, p->dir);
	return buf;
}
