/*
 * Root set definitions: every shipped one parses; broken ones do not.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "t.h"

static int
parse(const char *text)
{
	struct store st;
	int r = store_parse("t", text, strlen(text), &st);

	if (r == 0)
		store_release(&st);
	return r;
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
	struct store st;
	DIR *d;
	struct dirent *de;
	int n = 0;

	CHECK(store_parse("t", good, strlen(good), &st) == 0);
	CHECK(strcmp(st.name, "x") == 0 && st.fmt == FORMAT_PEM &&
	    st.role == STORE_ANCHORS &&
	    strcmp(st.url, "https://example.invalid/x.pem") == 0);
	store_release(&st);
	CHECK(parse("name = x\nformat = pem\nrole = anchors\n") == -1);
	CHECK(parse("name = x\npath = /a\nformat = pem\n") == -1);
	CHECK(parse("name = x\npath = /a\nformat = pem\nrole = roots\n") == -1);
	CHECK(parse("name = x\npath = /a\nformat = gif\nrole = anchors\n") == -1);
	CHECK(parse("name = x\npath = /a\nformat = pem\nrole = anchors\n"
	    "colour = blue\n") == -1);
	CHECK(parse("name = x\npath = a\nformat = pem\nrole = anchors\n") == -1);
	CHECK(parse("name = x\nurl = ftp://a\nformat = pem\nrole = anchors\n") == -1);
	CHECK(parse("name = x\npath = /a\nformat = pem\nrole = anchors\n"
	    "member = *.pem\n") == -1);
	CHECK(parse("name = x\npath = /a\nformat = pem\nrole = anchors\n"
	    "sha256 = 12\n") == -1);
	CHECK(parse("name = x\nname = y\npath = /a\nformat = pem\n"
	    "role = anchors\n") == -1);
	CHECK(parse("just words\n") == -1);
	CHECK(parse("") == -1);

	/* every definition shipped in stores/ */
	if ((d = opendir("stores")) == NULL) {
		printf("skip stores/: run from the project root\n");
		t_skip++;
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
		CHECK(store_parse(rel, (char *)buf, len, &st) == 0);
		if (st.name != NULL) {
			CHECK(strcmp(st.name, de->d_name) == 0);
			store_release(&st);
		}
		free(buf);
		n++;
	}
	closedir(d);
	CHECK(n >= 5);
}
