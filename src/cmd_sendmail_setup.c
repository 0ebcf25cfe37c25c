/*
 * cmd_sendmail_setup.c: "trustbuild sendmail-setup": what to write into
 * sendmail.mc and trustbuild.conf so that sendmail verifies with the store
 * trustbuild publishes.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "config.h"
#include "log.h"
#include "mailcheck.h"
#include "sendmail.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: trustbuild sendmail-setup [--mc FILE]\n"
	    "\n"
	    "Print the two sendmail.mc lines that make sendmail use the store\n"
	    "'trustbuild update' publishes, the commands to rebuild sendmail.cf\n"
	    "and restart sendmail, and a trustbuild.conf with sendmail's\n"
	    "SMART_HOST (from --mc FILE, default " MC_DEFAULT ") as a [probe].\n");
}

int
cmd_sendmail_setup(int argc, char *argv[], struct config *tc)
{
	static const struct option opts[] = {
		{ "mc", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *mcpath = MC_DEFAULT;
	struct sm_config mc;
	const char *why;
	char *buf, url[1400];
	size_t len;
	int ch;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			mcpath = optarg;
			break;
		default:
			return cmd_usage(usage, ch);
		}
	}
	if (optind != argc)
		return cmd_usage(usage, '?');
	if (tc == NULL)		/* main() said why (cmd.h) */
		return EXIT_ERROR;
	if (tc->bundle == NULL || tc->capath == NULL) {
		log_err("'%s' publishes only a %s; sendmail needs both (set "
		    "bundle and capath in [output])", tc->file, tc->bundle ?
		    "bundle" : "CApath");
		return EXIT_ERROR;
	}
	url[0] = '\0';
	if ((buf = mailcheck_read(mcpath, MAILCHECK_MAX_FILE, 0, &len, NULL,
	    &why)) != NULL) {
		sm_parse_mc(buf, len, &mc);
		if (sm_smarthost_url(&mc, url, sizeof(url)) == -1)
			url[0] = '\0';
		free(buf);
	}
	printf("# 1. In %s, both lines, neither commented out with dnl:\n",
	    mcpath);
	printf("define(`confCACERT_PATH', `%s')dnl\n", tc->capath);
	printf("define(`confCACERT', `%s')dnl\n", tc->bundle);
	printf("\n# 2. Rebuild sendmail.cf and restart sendmail:\n");
	printf("cd /etc/mail && make        # or: m4 sendmail.mc > "
	    "sendmail.cf\n");
	printf("systemctl restart sendmail  # or: service sendmail restart\n");
	printf("\n# 3. %s:\n", CONFIG_FILE);
	printf("[output]\nbundle = %s\ncapath = %s\nstate = %s\n", tc->bundle,
	    tc->capath, tc->state);
	printf("reload = systemctl restart sendmail\n");
	printf("\n[source mozilla]\nstore = mozilla\n");
	if (url[0] != '\0')
		printf("\n# the smart host of %s: its missing intermediates "
		    "are fetched\n[probe smarthost]\nurl = %s\n", mcpath, url);
	else
		printf("\n# no SMART_HOST in %s; add the servers sendmail "
		    "relays to:\n# [probe smarthost]\n# url = smtp://"
		    "mail.example.com\n", mcpath);
	printf("\n# 4. Publish now, then check: trustbuild update && "
	    "trustbuild sendmail-check\n");
	return EXIT_CHANGED;
}
