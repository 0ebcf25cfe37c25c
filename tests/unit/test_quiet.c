/*
 * test_quiet.c: parsers print nothing.
 *
 * Every parser of format.h's table, format_parse, format_certs (the AIA
 * answers) and source_load run over every hostile input there is: the
 * certificate-file cases of tests/e2e/hostile.sh rebuilt in memory, hand
 * made tar archives that climb out or link, every fixture file, every
 * saved fuzz input (tests/fuzz/regress/), and a few corpus files (the
 * Debian .deb whose members once made CCADB detection print).  stderr is
 * caught around each call at -v, where any log_* call would show: each
 * must print nothing and hand back at most one error.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "ccadb.h"
#include "certdata.h"
#include "diag.h"
#include "format.h"
#include "log.h"
#include "source.h"
#include "t.h"

#define REGRESS	"tests/fuzz/regress"

/* A tar member header (ustar) for name, size bytes, of type type. */
static void
tar_member(struct buf *b, const char *name, const char *data, size_t size,
    char type)
{
	unsigned char h[512];
	unsigned sum = 0;
	size_t i;

	memset(h, 0, sizeof(h));
	snprintf((char *)h, 100, "%s", name);
	memcpy(h + 100, "0000644", 7);
	memcpy(h + 108, "0000000", 7);
	memcpy(h + 116, "0000000", 7);
	snprintf((char *)h + 124, 12, "%011zo", size);
	memcpy(h + 136, "00000000000", 11);
	h[156] = (unsigned char)type;
	if (type == '2')
		snprintf((char *)h + 157, 100, "/etc");
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (i = 0; i < sizeof(h); i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	buf_add(b, h, sizeof(h));
	if (size > 0) {
		buf_add(b, data, size);
		memset(h, 0, sizeof(h));
		buf_add(b, h, (512 - size % 512) % 512);
	}
}

static void
tar_end(struct buf *b)
{
	static const unsigned char zero[1024];

	buf_add(b, zero, sizeof(zero));
}

/* Every parser over buf, and source_load over it written to dir. */
static void
quiet(const char *what, const unsigned char *buf, size_t len,
    const char *dir)
{
	static const int wants[] = { CERTDATA_ALL, PURPOSE_SERVER_AUTH };
	const struct format *f;
	struct certset *set;
	struct blocklist *bl;
	struct diags d = DIAGS_INIT;
	char err[4096], path[4096];
	size_t w;
	int n, loud = 0, many = 0;
	FILE *fp;

	t_catch();
	for (w = 0; w < sizeof(wants) / sizeof(wants[0]); w++)
		for (f = format_table; f->key != NULL; f++) {
			set = certset_new();
			bl = blocklist_new();
			n = format_row_parse(f, what, buf, len, wants[w], set,
			    bl, &d);
			many += d.nerr > 1 || (n == -1 && d.nerr != 1);
			diags_clear(&d);
			certset_free(set);
			blocklist_free(bl);
		}
	set = certset_new();
	bl = blocklist_new();
	n = format_parse(what, buf, len, CERTDATA_ALL, set, bl, &d);
	many += d.nerr > 1 || (n == -1 && d.nerr != 1);
	diags_clear(&d);
	ccadb_detect((const char *)buf, len);
	certdata_detect((const char *)buf, len);
	{
		STACK_OF(X509) *out = sk_X509_new_null();

		n = format_certs(what, buf, len, 16, out, &d);
		many += d.nerr > 1 || (n == -1 && d.nerr != 1);
		diags_clear(&d);
		sk_X509_pop_free(out, X509_free);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, what);
	if ((fp = fopen(path, "w")) != NULL) {
		fwrite(buf, 1, len, fp);
		fclose(fp);
		n = source_load(path, CERTDATA_ALL, set, bl, &d);
		many += d.nerr > 1 || (n == -1 && d.nerr != 1);
		diags_clear(&d);
	}
	certset_free(set);
	blocklist_free(bl);
	t_caught(err, sizeof(err));
	if (err[0] != '\0') {
		fprintf(stderr, "'%s' printed: %.200s\n", what, err);
		loud = 1;
	}
	CHECK(!loud);
	if (many)
		fprintf(stderr, "'%s': not exactly one error\n", what);
	CHECK(!many);
}

/* quiet() over a file; 0 if it cannot be read. */
static int
quiet_file(const char *path, const char *what, const char *dir)
{
	unsigned char *buf;
	size_t len;

	if (source_read_file(path, SOURCE_MAX_FILE, &buf, &len, NULL) == -1)
		return 0;
	quiet(what, buf, len, dir);
	free(buf);
	return 1;
}

/* The hostile cases of tests/e2e/hostile.sh that are files, in memory. */
static void
hostile_inputs(const char *dir)
{
	unsigned char *a = NULL, *p7 = NULL, *der = NULL, rnd[4096];
	size_t alen = 0, p7len = 0, derlen = 0, i;
	struct buf b = { NULL, 0, 0, 0 };
	char *s;

	a = t_read(t_fixtures, "root-a.pem", &alen);
	p7 = t_read(t_fixtures, "roots.p7b", &p7len);
	der = t_read(t_fixtures, "root-a.der", &derlen);
	if (a == NULL || p7 == NULL || der == NULL) {
		CHECK(!"fixtures root-a.pem, roots.p7b, root-a.der");
		goto out;
	}
	for (i = 0; i < sizeof(rnd); i++)
		rnd[i] = (unsigned char)((i * 2654435761u) >> 13);
	quiet("empty", (const unsigned char *)"", 0, dir);
	quiet("random", rnd, sizeof(rnd), dir);
	memset(rnd, 0, sizeof(rnd));
	quiet("zeros", rnd, sizeof(rnd), dir);
	quiet("pem-truncated", a, 200, dir);
	if ((s = strstr((char *)a, "END CERTIFICATE")) != NULL) {
		memcpy(s, "END X509 CRL----", 16);
		quiet("pem-mismatch", a, alen, dir);
	}
	s = "-----BEGIN CERTIFICATE-----\n@@@@ not base64 @@@@\n"
	    "-----END CERTIFICATE-----\n";
	quiet("pem-badbase64", (const unsigned char *)s, strlen(s), dir);
	s = "-----BEGIN CERTIFICATE-----\nMIIB\n-----BEGIN CERTIFICATE-----\n";
	quiet("pem-spliced", (const unsigned char *)s, strlen(s), dir);
	s = "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n";
	quiet("pem-key", (const unsigned char *)s, strlen(s), dir);
	quiet("der-truncated", der, 200, dir);
	memcpy(rnd, "\060\202\001\000", 4);
	quiet("der-garbage", rnd, 260, dir);
	quiet("p7-truncated", p7, 300, dir);
	s = "\060\045\006\011\052\206\110\206\367\015\001\007\002\240\030\060"
	    "\026\002\001\001\061\000\060\013\006\011\052\206\110\206\367\015"
	    "\001\007\001\240\000\061\000";
	quiet("p7-empty", (const unsigned char *)s, 39, dir);
	s = "CKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\n";
	quiet("certdata-nobegin", (const unsigned char *)s, strlen(s), dir);
	s = "BEGINDATA\nCKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\n"
	    "CKA_VALUE MULTILINE_OCTAL\n\\060\\202\\1\n";
	quiet("certdata-badoctal", (const unsigned char *)s, strlen(s), dir);
	s = "BEGINDATA\nCKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\n"
	    "CKA_BOGUS CK_BOGUS x\n";
	quiet("certdata-badattr", (const unsigned char *)s, strlen(s), dir);
	s = "\"Subject\",\"SHA256\",\"PEM\"\n\"CN=x\",\"00\",\"-----BEGIN "
	    "CERTIFICATE-----\nMIIB\n";
	quiet("csv-unclosed", (const unsigned char *)s, strlen(s), dir);
	s = "\"Subject\",\"SHA256\",\"PEM\"\n\"CN=x\",\"00\"\n";
	quiet("csv-fields", (const unsigned char *)s, strlen(s), dir);
	s = "\"abc\"x,def\n";
	quiet("odd.txt", (const unsigned char *)s, strlen(s), dir);
	s = "!<arch>\ngarbage";
	quiet("ar-garbage", (const unsigned char *)s, strlen(s), dir);
	/* archives that climb out, link, nest, end early */
	tar_member(&b, "../../a.pem", (char *)der, derlen, '0');
	tar_end(&b);
	quiet("tar-dotdot", (unsigned char *)b.p, b.len, dir);
	b.len = 0;
	tar_member(&b, "/tmp/a.pem", (char *)der, derlen, '0');
	tar_end(&b);
	quiet("tar-absolute", (unsigned char *)b.p, b.len, dir);
	b.len = 0;
	tar_member(&b, "link", NULL, 0, '2');
	tar_member(&b, "README", "hello\n", 6, '0');
	tar_end(&b);
	quiet("tar-links", (unsigned char *)b.p, b.len, dir);
	{
		struct buf in = { NULL, 0, 0, 0 };

		tar_member(&in, "a.der", (char *)der, derlen, '0');
		tar_end(&in);
		b.len = 0;
		tar_member(&b, "inner.tar", in.p, in.len, '0');
		tar_end(&b);
		quiet("tar-nested", (unsigned char *)b.p, b.len, dir);
		quiet("tar-truncated", (unsigned char *)b.p, b.len / 2,
		    dir);
		buf_release(&in);
	}
out:
	buf_release(&b);
	free(a);
	free(p7);
	free(der);
}

/* Every regular file under path (one level of subdirectories). */
static int
quiet_tree(const char *path, const char *prefix, const char *dir, int depth)
{
	DIR *dp;
	struct dirent *de;
	int n = 0;

	if ((dp = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(dp)) != NULL) {
		char full[4096], what[512];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(full, sizeof(full), "%s/%s", path, de->d_name);
		snprintf(what, sizeof(what), "%s%s", prefix, de->d_name);
		if (stat(full, &st) == -1)
			continue;
		if (S_ISDIR(st.st_mode) && depth == 0) {
			char sub[520];

			snprintf(sub, sizeof(sub), "%s-", what);
			n += quiet_tree(full, sub, dir, 1);
		} else if (S_ISREG(st.st_mode))
			n += quiet_file(full, what, dir);
	}
	closedir(dp);
	return n;
}

void
test_quiet(void)
{
	static const char *corpus[] = {
		"debian/ca-certificates_20230311+deb12u1_all.deb",
		"certdata/certdata-NSS_3_45_RTM-builtins2.34.txt",
		"chains/cert-manager.com-chain.pem",
		"legacy/certifi-14.5.15-cacert.pem"
	};
	char dir[] = "/tmp/t_quiet.XXXXXX";
	int saved = log_verbosity, n;
	struct diags d = DIAGS_INIT;
	struct certset *set = certset_new();
	struct blocklist *bl = blocklist_new();
	size_t i;

	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		return;
	}
	log_verbosity = LOG_VERBOSE;	/* any log_* call would show */
	hostile_inputs(dir);
	n = quiet_tree(t_fixtures, "fixture-", dir, 0);
	CHECK(n > 10);
	n = quiet_tree(REGRESS, "regress-", dir, 0);
	if (n == 0) {
		t_skip("test_quiet regressions: no '%s' here", REGRESS);
	}
	if (!t_no_corpus("test_quiet corpus"))
		for (i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
			char path[4096];

			snprintf(path, sizeof(path), "%s/%s", t_corpus,
			    corpus[i]);
			CHECK(quiet_file(path, strrchr(corpus[i], '/') + 1,
			    dir));
		}
	/* the directory of all of them, as one source, and a selector */
	t_catch();
	source_load(dir, CERTDATA_ALL, set, bl, &d);
	diags_clear(&d);
	{
		char sel[4096];

		snprintf(sel, sizeof(sel), "%s/tar-nested#nothing*", dir);
		n = source_load(sel, CERTDATA_ALL, set, bl, &d);
		CHECK(n == -1 && d.nerr == 1);
		diags_clear(&d);
	}
	{
		char err[4096];

		t_caught(err, sizeof(err));
		CHECK(err[0] == '\0');
	}
	log_verbosity = saved;
	certset_free(set);
	blocklist_free(bl);
	{
		char cmd[4200];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			CHECK(!"rm -rf the scratch directory");
	}
}
