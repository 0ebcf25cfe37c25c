/*
 * Unit tests: run_unit FIXTURES CORPUS
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blocklist.h"
#include "certset.h"
#include "diag.h"
#include "format.h"
#include "log.h"
#include "source.h"
#include "t.h"
#include "xalloc.h"

int t_pass, t_fail, t_skipped;
const char *t_fixtures, *t_corpus;

unsigned char *
t_read(const char *dir, const char *rel, size_t *len)
{
	char path[4096];
	unsigned char *buf;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (access(path, R_OK) != 0)
		return NULL;
	if (source_read_file(path, SOURCE_MAX_FILE, &buf, len, NULL) == -1)
		buf = NULL;
	return buf;
}

static int catch_fd = -1, catch_saved = -1;
static char catch_path[] = "/tmp/t_stderr.XXXXXX";

void
t_catch(void)
{
	memcpy(catch_path + sizeof(catch_path) - 7, "XXXXXX", 6);
	fflush(stderr);
	if ((catch_fd = mkstemp(catch_path)) == -1)
		return;
	catch_saved = dup(2);
	dup2(catch_fd, 2);
}

void
t_caught(char *err, size_t size)
{
	ssize_t n = -1;

	fflush(stderr);
	if (catch_fd != -1) {
		dup2(catch_saved, 2);
		close(catch_saved);
		n = pread(catch_fd, err, size - 1, 0);
		close(catch_fd);
		unlink(catch_path);
		catch_fd = -1;
	}
	err[n > 0 ? n : 0] = '\0';
}

char *
t_diags(const struct diags *d, char *err, size_t size)
{
	size_t i, off = 0;

	err[0] = '\0';
	for (i = 0; d != NULL && i < d->n && off < size; i++) {
		char line[2048];
		int n;

		if (d->v[i].level != DIAG_ERR && d->v[i].level != DIAG_NOTICE)
			continue;
		n = snprintf(err + off, size - off, "%s\n",
		    diag_format(&d->v[i], line, sizeof(line)));
		off += n > 0 ? (size_t)n : 0;
	}
	return err;
}

int
t_no_corpus(const char *test)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/README.md", t_corpus);
	if (access(path, R_OK) == 0)
		return 0;
	t_skip("%s: corpus '%s' absent", test, t_corpus);
	return 1;
}

void
t_silent(struct diags *d, char *err, size_t size)
{
	t_caught(err, size);
	CHECK(err[0] == '\0');
	t_diags(d, err, size);
	diags_clear(d);
}

int
t_has(const char *text, const char *want)
{
	if (strstr(text, want) != NULL)
		return 1;
	fprintf(stderr, "'%s' lacks '%s'\n", text, want);
	return 0;
}

struct certset *
t_load(const char *rel, int want, struct blocklist *bl)
{
	struct certset *set = certset_new();
	struct blocklist *own = bl != NULL ? NULL : blocklist_new();
	unsigned char *buf;
	size_t len;

	if ((buf = t_read(t_fixtures, rel, &len)) != NULL)
		format_parse(rel, buf, len, want, set, bl != NULL ? bl : own,
		    NULL);
	free(buf);
	blocklist_free(own);
	return set;
}

char *
t_replace(const char *buf, size_t len, const char *from, const char *to,
    size_t *olen)
{
	const char *at = memmem(buf, len, from, strlen(from));
	size_t pre, flen = strlen(from), tlen = strlen(to);
	char *out;

	if (at == NULL)
		return NULL;
	pre = (size_t)(at - buf);
	*olen = len - flen + tlen;
	out = xmalloc(*olen + 1);
	memcpy(out, buf, pre);
	memcpy(out + pre, to, tlen);
	memcpy(out + pre + tlen, at + flen, len - pre - flen);
	out[*olen] = '\0';
	return out;
}

char *
t_crlf(const unsigned char *buf, size_t len, size_t *olen)
{
	char *crlf = xmalloc(len * 2 + 1);
	size_t o = 0, k;

	for (k = 0; k < len; k++) {
		if (buf[k] == '\n')
			crlf[o++] = '\r';
		crlf[o++] = (char)buf[k];
	}
	*olen = o;
	return crlf;
}

void
t_skip(const char *fmt, ...)
{
	va_list ap;

	t_skipped++;
	printf("skip: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

int
main(int argc, char *argv[])
{
	if (argc != 3) {
		fprintf(stderr, "usage: run_unit FIXTURES CORPUS\n");
		return 2;
	}
	t_fixtures = argv[1];
	t_corpus = argv[2];
	/* the tests provoke errors on purpose: keep their output short */
	log_verbosity = getenv("T_VERBOSE") ? LOG_VERBOSE : LOG_QUIET;
	test_certdata();
	test_pem_der();
	test_set();
	test_policy();
	test_ccadb();
	test_store();
	test_config();
	test_probe();
	test_sendmail();
	test_maillog();
	test_smrelay();
	test_postfix();
	test_fetch();
	test_manifest();
	test_fleetman();
	test_rollback();
	test_record();
	test_quiet();
	test_certlite();
	test_publish();
	printf("unit: %d passed, %d failed, %d skipped\n", t_pass, t_fail,
	    t_skipped);
	return t_fail ? 1 : 0;
}
