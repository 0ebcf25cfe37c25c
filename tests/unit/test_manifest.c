/*
 * test_manifest.c: the escaping of hostile text (text.c) and the manifest
 * parser (manifest.c), at and past their edges.
 */
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "text.h"
#include "t.h"

static int
esc_is(const char *in, const char *want)
{
	char out[256];

	text_esc(in, out, sizeof(out));
	if (strcmp(out, want) != 0) {
		fprintf(stderr, "text_esc: got '%s', want '%s'\n", out, want);
		return 0;
	}
	return 1;
}

static void
escaping(void)
{
	char small[8], *d;

	CHECK(esc_is("CN=plain, O=ok", "CN=plain, O=ok"));
	CHECK(esc_is("a\nb\rc\td", "a\\nb\\rc\\td"));
	CHECK(esc_is("\033[2J", "\\x1b[2J"));
	CHECK(esc_is("del\177", "del\\x7f"));
	/* UTF-8 passes; C1, bidi overrides and separators do not */
	CHECK(esc_is("M\xc3\xbcnchen \xe6\x9d\xb1\xe4\xba\xac",
	    "M\xc3\xbcnchen \xe6\x9d\xb1\xe4\xba\xac"));
	CHECK(esc_is("\xc2\x9b" "31m", "\\u{009b}31m"));
	CHECK(esc_is("moc.\xe2\x80\xae" "evil", "moc.\\u{202e}evil"));
	CHECK(esc_is("\xe2\x81\xa6x\xe2\x80\xa8", "\\u{2066}x\\u{2028}"));
	CHECK(esc_is("\xef\xbb\xbf" "bom", "\\u{feff}bom"));
	/* not UTF-8: overlong, surrogate, cut short, a lone continuation */
	CHECK(esc_is("\xc0\xaf", "\\xc0\\xaf"));
	CHECK(esc_is("\xed\xa0\x80", "\\xed\\xa0\\x80"));
	CHECK(esc_is("\xe2\x80", "\\xe2\\x80"));
	CHECK(esc_is("\x80z", "\\x80z"));
	CHECK(esc_is("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"));
	CHECK(esc_is("\xf0\x9f\x94\x92", "\xf0\x9f\x94\x92"));
	/* the backslash of RFC 2253 escapes stays */
	CHECK(esc_is("O=a\\, b", "O=a\\, b"));
	CHECK(esc_is(NULL, ""));
	/* cut at a unit, with "...", never mid-escape */
	text_esc("abcdefghij", small, sizeof(small));
	CHECK(strcmp(small, "abcd...") == 0);
	text_esc("\n\n\n\n", small, sizeof(small));
	CHECK(strcmp(small, "\\n\\n...") == 0);
	CHECK(text_is_clean("CN=x") && !text_is_clean("x\n") &&
	    !text_is_clean("\xe2\x80\xae"));
	d = text_esc_dup("\xff\xff\xff");
	CHECK(d != NULL && strcmp(d, "\\xff\\xff\\xff") == 0);
	free(d);
}

#define SHA "304498e65a9af02a7aeeac01e1c92bfd19f45e1e59718452f201e7ef0f29bc1a"

static int
parses(const char *text, const char *errwant)
{
	struct manifest m;
	char err[256] = "";
	int r;

	memset(&m, 0, sizeof(m));
	r = manifest_parse(text, strlen(text), &m, err, sizeof(err));
	manifest_release(&m);
	if (errwant == NULL)
		return r == 0;
	if (r != -1 || strstr(err, errwant) == NULL) {
		fprintf(stderr, "manifest: got '%s', want '%s'\n", err, errwant);
		return 0;
	}
	return 1;
}

/* A probe line keeps its last-seen time; one written before has none. */
static void
probe_lines(void)
{
	struct manifest m, back;
	struct cert *c;
	unsigned char *der;
	char err[256], *text = NULL, *old, *sp;
	size_t len = 0;

	if ((der = t_read(t_fixtures, "root-a.der", &len)) == NULL) {
		t_skip("manifest probe lines: no fixture root-a.der");
		return;
	}
	c = cert_from_der(der, len);
	free(der);
	CHECK(c != NULL);
	if (c == NULL)
		return;
	memset(&m, 0, sizeof(m));
	CHECK(manifest_add_probe(&m, "relay", c, 1796293651) == 0);
	CHECK(manifest_render(&m, &text, &len) == 0);
	CHECK(text != NULL && strstr(text, " 2026-12-03T10:27:31Z relay\n") !=
	    NULL);
	memset(&back, 0, sizeof(back));
	CHECK(text != NULL && manifest_parse(text, len, &back, err,
	    sizeof(err)) == 0 && back.nprobe == 1 &&
	    back.probe[0].last_seen == 1796293651 &&
	    strcmp(back.probe[0].name, "relay") == 0);
	manifest_release(&back);
	/* the line as written before last-seen: read as 0, the name whole */
	if (text != NULL && (sp = strstr(text, " 2026-12-03T10:27:31Z")) !=
	    NULL) {
		old = strdup(text);
		memmove(old + (sp - text), old + (sp - text) + 21,
		    strlen(old + (sp - text) + 21) + 1);
		memset(&back, 0, sizeof(back));
		CHECK(manifest_parse(old, strlen(old), &back, err,
		    sizeof(err)) == 0 && back.nprobe == 1 &&
		    back.probe[0].last_seen == 0 &&
		    strcmp(back.probe[0].name, "relay") == 0);
		manifest_release(&back);
		free(old);
	}
	free(text);
	manifest_release(&m);
	cert_free(c);
}

static void
manifest(void)
{
	struct manifest m, back;
	char err[256], *text = NULL;
	size_t len = 0;
	const struct manifest_cert *mc;
	unsigned char sha[32];

	memset(&m, 0, sizeof(m));
	CHECK(manifest_parse("trustbuild-manifest 1\n# c\n\ncert " SHA
	    " anchor server-auth 2026-12-02 - 1585699200 x, y: z\n",
	    strlen("trustbuild-manifest 1\n# c\n\ncert " SHA
	    " anchor server-auth 2026-12-02 - 1585699200 x, y: z\n"), &m, err,
	    sizeof(err)) == 0);
	CHECK(m.ncert == 1);
	memset(sha, 0, sizeof(sha));
	sha[0] = 0x30;
	sha[1] = 0x44;
	CHECK(manifest_find(&m, sha) == NULL);
	if (m.ncert == 1) {
		mc = manifest_find(&m, m.cert[0].sha256);
		CHECK(mc != NULL && mc->role == ROLE_ANCHOR &&
		    mc->purpose == PURPOSE_SERVER_AUTH &&
		    mc->distrust_after[0] == 0 &&
		    mc->distrust_after[1] == 1585699200 &&
		    strcmp(mc->origin, "x, y: z") == 0 &&
		    strcmp(mc->first_seen, "2026-12-02") == 0);
	}
	/* what is rendered parses back to the same */
	CHECK(manifest_render(&m, &text, &len) == 0);
	memset(&back, 0, sizeof(back));
	CHECK(text != NULL && manifest_parse(text, len, &back, err,
	    sizeof(err)) == 0 && back.ncert == 1 &&
	    strcmp(back.cert[0].origin, "x, y: z") == 0);
	manifest_release(&back);
	free(text);
	manifest_release(&m);

	probe_lines();

	/* a label line after its cert line, kept through a render */
	memset(&m, 0, sizeof(m));
	text = "trustbuild-manifest 1\ncert " SHA " anchor server-auth "
	    "2026-12-02 - - o\nlabel " SHA " My Root \\n A\n";
	CHECK(manifest_parse(text, strlen(text), &m, err, sizeof(err)) == 0 &&
	    m.ncert == 1 && m.cert[0].label != NULL &&
	    strcmp(m.cert[0].label, "My Root \\n A") == 0);
	text = NULL;
	CHECK(manifest_render(&m, &text, &len) == 0 && text != NULL &&
	    strstr(text, "\nlabel " SHA " My Root \\n A\n") != NULL);
	free(text);
	manifest_release(&m);
	CHECK(parses("trustbuild-manifest 1\nlabel " SHA " x\n",
	    "line 2: a label line not after its cert line"));
	CHECK(parses("trustbuild-manifest 1\ncert " SHA " anchor any "
	    "2026-12-02 - - o\nlabel " SHA "\n", "without a label"));
	CHECK(parses("trustbuild-manifest 1\ncert " SHA " anchor any "
	    "2026-12-02 - - o\nlabel " SHA " a\nlabel " SHA " b\n",
	    "or a second one"));

	CHECK(parses("", "empty"));
	CHECK(parses("trustbuild-manifest 2\n", "line 1: not a manifest"));
	CHECK(parses("trustbuild-manifest 1\nother\n", "line 2: an unknown line"));
	CHECK(parses("trustbuild-manifest 1\ncert " SHA "0 anchor any "
	    "2026-12-02 - - o\n", "without a SHA-256"));
	CHECK(parses("trustbuild-manifest 1\ncert " SHA " root any "
	    "2026-12-02 - - o\n", "an unknown role"));
	CHECK(parses("trustbuild-manifest 1\ncert " SHA " anchor web "
	    "2026-12-02 - - o\n", "an unknown purpose"));
	CHECK(parses("trustbuild-manifest 1\ncert " SHA " anchor any "
	    "2026-1-02 - - o\n", "YYYY-MM-DD"));
	CHECK(parses("trustbuild-manifest 1\ncert " SHA " anchor any "
	    "2026-12-02 -1 - o\n", "not a time"));
	CHECK(parses("trustbuild-manifest 1\ncert " SHA " anchor any "
	    "2026-12-02 - -\n", "without an origin"));
	CHECK(parses("trustbuild-manifest 1\nprobe " SHA " AAAA relay\n",
	    "not its SHA-256"));
	CHECK(parses("trustbuild-manifest 1\nprobe " SHA " !!! relay\n",
	    "without a certificate"));
	CHECK(parses("trustbuild-manifest 1\ncert " SHA " anchor any "
	    "2026-12-02 - - o\n", NULL));
}

void
test_manifest(void)
{
	escaping();
	manifest();
}
