/*
 * fuzz.c: the libFuzzer targets of every parser, one per FUZZ_TARGET
 * value (a -D at build time), so each target is its own binary:
 *
 *   source     format detection and every source format, archives included
 *   certdata   Mozilla certdata.txt       \
 *   pem        PEM (CERTIFICATE, ...)      | the rows of format.h's table,
 *   der        a DER certificate or PKCS#7 | run as format_parse runs them
 *   ccadb      CCADB's CSV report         /
 *   config     trustbuild.conf
 *   store      a root set definition
 *   replies    SMTP / IMAP reply lines and the LDAP StartTLS answer
 *   url        probe URLs
 *   aia        AIA answers (DER, PEM, PKCS#7)
 *   sendmail   sendmail.mc and sendmail.cf
 *   sums       a publisher's checksum file (SHA256SUMS)
 *   manifest   the state's records (manifest, a source's rollback record),
 *              a signed store's manifest (fleetman.h: rendered, it parses
 *              again) and the escaping of hostile text
 *   maillog    mail logs (RFC 3164, 3339 and 5424 lines), fed in two
 *              pieces split where the first byte says, read as sendmail's
 *              and as Postfix's; the state file of the relays they teach
 *              (smrelay.h); Postfix's main.cf, master.cf and map text
 *              (postfix.h) and a relay as Postfix logs it
 *
 * Built with clang -fsanitize=fuzzer by "make fuzz"; built with gcc and
 * tests/fuzz/standalone.c by "make check", which runs every seed and every
 * saved crash through them (regressions).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "aia.h"
#include "fleetman.h"
#include "mta.h"
#include "postfix.h"
#include "manifest.h"
#include "rollback.h"
#include "text.h"
#include "blocklist.h"
#include "ccadb.h"
#include "certdata.h"
#include "certset.h"
#include "config.h"
#include "der.h"
#include "fetch.h"
#include "format.h"
#include "log.h"
#include "maillog.h"
#include "pem.h"
#include "probe.h"
#include "sendmail.h"
#include "smconf_m4.h"
#include "smrelay.h"
#include "source.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy: some parsers take C strings. */
static char *
cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s != NULL) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct certset *set = certset_new();
	struct blocklist *bl = blocklist_new();
	char *s = cstr(data, size);

	log_silent = 1;
	if (set == NULL || bl == NULL || s == NULL)
		goto out;
#if FUZZ_TARGET >= 1 && FUZZ_TARGET <= 5	/* the source formats */
	{
		/* by target number: detection, then one row of the table */
		static const char *const keys[] = {
			NULL, NULL, "certdata", "pem", "der", "ccadb-csv"
		};
		const struct format *f = keys[FUZZ_TARGET] != NULL ?
		    format_from_key(keys[FUZZ_TARGET]) : NULL;
		const unsigned char *u = (const unsigned char *)s;
		struct diags d = DIAGS_INIT;

		if (f == NULL)
			format_parse("fuzz", u, size, CERTDATA_ALL, set, bl, &d);
		else {
			format_row_parse(f, "fuzz", u, size, CERTDATA_ALL,
			    set, bl, &d);
			format_row_parse(f, "fuzz", u, size,
			    PURPOSE_SERVER_AUTH, set, bl, &d);
		}
		diags_clear(&d);
	}
#elif FUZZ_TARGET == 6	/* config */
	{
		struct config c;

		if (config_parse("fuzz", s, size, &c, NULL) == 0)
			config_release(&c);
	}
#elif FUZZ_TARGET == 7	/* store */
	{
		struct source_spec st;

		if (store_parse("fuzz", s, size, &st, NULL) == 0)
			spec_release(&st);
	}
#elif FUZZ_TARGET == 8	/* replies */
	{
		char *line, *save = NULL;
		int more, tls, code;

		probe_ldap_response(data, size, &code);
		for (line = strtok_r(s, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save)) {
			probe_smtp_line(line, &more, &tls);
			probe_imap_tagged(line, "tb1");
		}
	}
#elif FUZZ_TARGET == 9	/* url */
	{
		struct probe_target t;
		char err[512];

		probe_parse_url(s, &t, err, sizeof(err));
	}
#elif FUZZ_TARGET == 10	/* aia */
	{
		STACK_OF(X509) *out = sk_X509_new_null();
		struct diags d = DIAGS_INIT;
		int i;

		if (out != NULL && aia_decode(NULL, data, size, out, &d) > 0)
			for (i = 0; i < sk_X509_num(out); i++) {
				char urls[AIA_MAX_URLS][AIA_MAX_URL];

				aia_urls(sk_X509_value(out, i), urls,
				    AIA_MAX_URLS);
			}
		sk_X509_pop_free(out, X509_free);
		diags_clear(&d);
	}
#elif FUZZ_TARGET == 11	/* sendmail */
	{
		struct sm_config c;
		struct mta_target t[8];
		char url[600];

		sm_parse_mc(s, size, &c);
		sm_smarthost_url(&c, url, sizeof(url));
		/* the input as a mailertable and as m4's trace */
		sm_relays(&c, s, size, t, 8);
		smconf_m4_apply(s, size, "/etc/mail/sendmail.mc", &c);
		sm_relays(&c, NULL, 0, t, 8);
		sm_parse_cf(s, size, &c);
		sm_smarthost_url(&c, url, sizeof(url));
	}
#elif FUZZ_TARGET == 12	/* sums */
	{
		char out[65], file[256];

		fetch_checksum(data, size, "cacert.pem", out);
		fetch_url_file(s, file, sizeof(file));
		fetch_checksum(data, size, file, out);
	}
#elif FUZZ_TARGET == 13	/* manifest */
	{
		struct manifest m;
		char err[256], *text = NULL, *esc;
		size_t len = 0;

		memset(&m, 0, sizeof(m));
		if (manifest_parse(s, size, &m, err, sizeof(err)) == 0 &&
		    manifest_render(&m, &text, &len) == 0)
			free(text);
		manifest_release(&m);
		{
			struct fleet_manifest fm, again;

			memset(&fm, 0, sizeof(fm));
			memset(&again, 0, sizeof(again));
			if (fleetman_parse(s, size, &fm, err, sizeof(err)) == 0 &&
			    fleetman_render(&fm, &text, &len) == 0) {
				if (fleetman_parse(text, len, &again, err,
				    sizeof(err)) == -1)
					abort();	/* ours parses again */
				fleetman_release(&again);
				free(text);
			}
			fleetman_release(&fm);
		}
		if ((esc = text_esc_dup(s)) != NULL) {
			if (!text_is_clean(esc))
				abort();	/* escaped text is clean */
			free(esc);
		}
		{
			struct rollback rb;
			size_t rl;

			memset(&rb, 0, sizeof(rb));
			if (rollback_parse(s, &rb) == 0 &&
			    (esc = rollback_format(&rb, &rl)) != NULL)
				free(esc);
			rollback_release(&rb);
		}
	}
#elif FUZZ_TARGET == 14	/* maillog */
	{
		struct maillog *l = malloc(sizeof(*l));
		size_t cut = size > 0 ? data[0] % (size + 1) : 0;
		time_t t;

		if (l != NULL) {
			maillog_init(l, (time_t)1796293800);
			if (maillog_feed(l, s, cut) == 0 &&
			    maillog_feed(l, s + cut, size - cut) == 0)
				maillog_end(l);
			maillog_time(s, size, l->now, &t);
			maillog_release(l);
			maillog_init_mta(l, (time_t)1796293800,
			    mta_find("postfix"));
			if (maillog_feed(l, s, cut) == 0 &&
			    maillog_feed(l, s + cut, size - cut) == 0)
				maillog_end(l);
			maillog_release(l);
			free(l);
		}
		{	/* Postfix's configuration and relays */
			struct pf_config *c = calloc(1, sizeof(*c));
			struct mta_target t[8];
			char h[300], pt[8], lv[64];
			size_t pos = 0;

			if (c != NULL) {
				pf_parse_main(s, size, c);
				pf_parse_master(s, size, c);
				pf_relays(c, s, size, s, size, t, 8);
				pf_policy_level(s, size, "a", "25", lv,
				    sizeof(lv));
				pf_level(c);
				while (pf_map_next(s, &pos, h, sizeof(h)))
					;
				free(c);
			}
			pf_log_relay(s, h, sizeof(h), pt, sizeof(pt));
		}
		{	/* and the state of the relays it teaches */
			struct smrelay_state *st = malloc(sizeof(*st));
			char h[SMRELAY_HOST], u[SMRELAY_URL], *out;
			size_t olen;

			smrelay_url(s, h, sizeof(h), u, sizeof(u));
			if (st != NULL && smrelay_parse(s, size, st) == 0 &&
			    (out = smrelay_render(st, &olen)) != NULL)
				free(out);
			free(st);
		}
	}
#else
#error "FUZZ_TARGET: 1 to 14"
#endif
out:
	certset_free(set);
	blocklist_free(bl);
	free(s);
	return 0;
}
