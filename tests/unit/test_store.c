/*
 * Root set definitions: every shipped one parses; broken ones do not; a
 * definition file of 64 KiB is read and one byte more refused.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "t.h"

static int
parse(const char *text)
{
	struct source_spec st;
	char err[512];
	int r;

	/* silent: what is wrong goes to the diags, not to stderr */
	t_catch();
	r = store_parse("t", text, strlen(text), &st, NULL);
	t_caught(err, sizeof(err));
	CHECK(err[0] == '\0');
	if (r == 0)
		spec_release(&st);
	return r;
}

static void
put(const char *dir, const char *file, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((f = fopen(path, "w")) != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static void
drop(const char *dir, const char *file)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	unlink(path);
}

/*
 * store_load(), with its first error in err (or what reading the file
 * wrote on stderr).
 */
static int
load_err(const char *name, struct source_spec *st, char *err, size_t errsz)
{
	struct diags d = DIAGS_INIT;
	int r;

	t_catch();
	r = store_load(name, st, &d);
	t_caught(err, errsz);
	if (diags_first_err(&d) != NULL)
		snprintf(err, errsz, "%s", diags_first_err(&d));
	diags_clear(&d);
	return r;
}

/*
 * STORE_MAX_FILE counts the bytes of the definition file: a file of
 * exactly 64 KiB (a definition, then comment lines) is loaded, one byte
 * more is refused by source_read_file, naming the file.
 */
static void
test_store_size(const char *dir)
{
	static const char def[] = "name = big\npath = /etc/big.pem\n"
	    "format = pem\nrole = anchors\n";
	const size_t max = 64 * 1024;
	char *text, err[512], want[600];
	struct source_spec st;
	size_t i, dl = sizeof(def) - 1;
	int r;

	if ((text = malloc(max + 2)) == NULL) {
		CHECK(!"malloc");
		return;
	}
	memcpy(text, def, dl);
	/* lines of 63 '#' and a newline; the last one shorter */
	for (i = dl; i < max; i++)
		text[i] = (i - dl) % 64 == 63 || i + 1 == max ? '\n' : '#';
	text[max] = '\0';
	put(dir, "big", text);
	memset(&st, 0, sizeof(st));
	CHECK(load_err("big", &st, err, sizeof(err)) == 0);
	CHECK(err[0] == '\0');
	if (st.name != NULL) {
		CHECK(strcmp(st.name, "big") == 0 && st.npaths == 1 &&
		    st.role == ROLE_ANCHORS && st.fmt == FORMAT_PEM);
		spec_release(&st);
	}
	text[max - 1] = '#';
	text[max] = '\n';
	text[max + 1] = '\0';
	put(dir, "big", text);
	r = load_err("big", &st, err, sizeof(err));
	CHECK(r == -1);
	if (r == 0)
		spec_release(&st);
	snprintf(want, sizeof(want), "'%s/big': larger than 64 KiB; refused",
	    dir);
	CHECK(t_has(err, want));
	drop(dir, "big");
	free(text);
}

/*
 * 1 if the definition text, as DIR/b, is refused by store_load and fails
 * store_list (the listing shows only what --store takes); b is removed.
 */
static int
refused_as_b(const char *dir, const char *text)
{
	struct source_spec st, *v;
	size_t n;
	const char *where;
	int ok = 1;

	put(dir, "b", text);
	if (store_load("b", &st, NULL) == 0) {
		spec_release(&st);
		ok = 0;
	}
	if (store_list(&v, &n, &where, NULL) == 0) {
		store_list_free(v, n);
		ok = 0;
	}
	drop(dir, "b");
	return ok;
}

/* store_load and store_list on a $TRUSTBUILD_STORES of our own. */
static void
test_store_dir(void)
{
	char dir[] = "/tmp/t_store.XXXXXX";
	const char *where, *saved = getenv("TRUSTBUILD_STORES");
	char *old = saved ? strdup(saved) : NULL;
	struct source_spec st, *v;
	size_t n;

	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		free(old);
		return;
	}
	put(dir, "a", "name = a\npath = /etc/a.pem\nformat = pem\n"
	    "role = anchors\n");
	put(dir, "i", "name = i\nurl = https://example.invalid/i.pem\n"
	    "format = pem\nrole = intermediates\n");
	setenv("TRUSTBUILD_STORES", dir, 1);
	CHECK(store_load("a", &st, NULL) == 0);
	CHECK(st.role == ROLE_ANCHORS && st.npaths == 1);
	spec_release(&st);
	CHECK(store_load("i", &st, NULL) == 0);
	CHECK(st.role == ROLE_INTERMEDIATES && st.npaths == 0);
	spec_release(&st);
	CHECK(store_load("no-such-store", &st, NULL) == -1);
	CHECK(store_load("../a", &st, NULL) == -1);
	CHECK(store_load(".a", &st, NULL) == -1);
	CHECK(store_load("", &st, NULL) == -1);
	CHECK(store_list(&v, &n, &where, NULL) == 0);
	CHECK(n == 2 && strcmp(where, dir) == 0 &&
	    strcmp(v[0].name, "a") == 0 && strcmp(v[1].name, "i") == 0);
	if (n > 0)
		store_list_free(v, n);
	/* a file that calls itself by another name; so does the listing:
	 * 'stores' shows only names --store takes */
	CHECK(refused_as_b(dir, "name = c\npath = /x\nformat = pem\n"
	    "role = anchors\n"));
	/* one broken definition fails the listing, naming it */
	CHECK(refused_as_b(dir, "name = b\npath = /x\nformat = gif\n"
	    "role = anchors\n"));
	drop(dir, "a");
	drop(dir, "i");
	test_store_size(dir);
	rmdir(dir);
	if (old != NULL)
		setenv("TRUSTBUILD_STORES", old, 1);
	else
		unsetenv("TRUSTBUILD_STORES");
	free(old);
}

void
test_store(void)
{
	static const char *good =
	    "# a comment\n"
	    "name = x\n"
	    "url = https://example.invalid/x.pem   # trailing comment\n"
	    "format = pem\n"
	    "role = anchors\n";
	/* each refused */
	static const char *const bad[] = {
		"name = x\nformat = pem\nrole = anchors\n",
		"name = x\npath = /a\nformat = pem\n",
		"name = x\npath = /a\nformat = pem\nrole = roots\n",
		"name = x\npath = /a\nformat = gif\nrole = anchors\n",
		"name = x\npath = /a\nformat = pem\nrole = anchors\n"
		    "colour = blue\n",
		"name = x\npath = a\nformat = pem\nrole = anchors\n",
		"name = x\nurl = ftp://a\nformat = pem\nrole = anchors\n",
		"name = x\npath = /a\nformat = pem\nrole = anchors\n"
		    "member = *.pem\n",
		"name = x\npath = /a\nformat = pem\nrole = anchors\n"
		    "sha256 = 12\n",
		"name = x\nname = y\npath = /a\nformat = pem\n"
		    "role = anchors\n",
		"just words\n",
		"",
	};
	struct source_spec st;
	DIR *d;
	struct dirent *de;
	size_t i;
	int n = 0;

	CHECK(store_parse("t", good, strlen(good), &st, NULL) == 0);
	CHECK(strcmp(st.name, "x") == 0 && st.fmt == FORMAT_PEM &&
	    st.role == ROLE_ANCHORS &&
	    strcmp(st.url, "https://example.invalid/x.pem") == 0);
	spec_release(&st);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse(bad[i]);

		CHECK(r == -1);
		if (r != -1)
			fprintf(stderr, "accepted: %s\n", bad[i]);
	}
	test_store_dir();

	/* every definition shipped in stores/ */
	if ((d = opendir("stores")) == NULL) {
		t_skip("stores/: run from the project root");
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char rel[300];
		unsigned char *buf;
		size_t len;

		if (de->d_name[0] == '.' || strcmp(de->d_name, "README") == 0)
			continue;
		snprintf(rel, sizeof(rel), "%s", de->d_name);
		buf = t_read("stores", rel, &len);
		CHECK(buf != NULL);
		if (buf == NULL)
			continue;
		CHECK(store_parse(rel, (char *)buf, len, &st, NULL) == 0);
		if (st.name != NULL) {
			CHECK(strcmp(st.name, de->d_name) == 0);
			spec_release(&st);
		}
		free(buf);
		n++;
	}
	closedir(d);
	CHECK(n >= 5);
}
