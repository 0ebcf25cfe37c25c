/*
 * record.c: the text of a record (STATE/last-run's format) both ways, a
 * damaged one refused, the sooner of two times, and a fingerprint that
 * changes with each line and is none when a source was not hashed.
 */
#include <string.h>

#include "record.h"
#include "t.h"

void
test_record(void)
{
	struct state_run r, back;
	struct record_fp f;
	struct record_src s;
	char buf[sizeof(r.published) + 256], a[65], b[65];
	int n;

	memset(&r, 0, sizeof(r));
	memset(r.inputs, 'a', 64);
	r.until = 1893456000;
	r.anchors = 119;
	r.intermediates = 3;
	strcpy(r.published, "bundle -\ncapath .c.gen.x\n");
	n = record_format(&r, buf, sizeof(buf));
	CHECK(n > 0 && strncmp(buf, "inputs aaaa", 11) == 0);
	CHECK(record_parse(buf, &back) == 0 && back.until == r.until &&
	    back.anchors == 119 && back.intermediates == 3 &&
	    strcmp(back.inputs, r.inputs) == 0 &&
	    strcmp(back.published, r.published) == 0);
	CHECK(record_parse("inputs x\nvalid-until y\n", &back) == -1);
	CHECK(record_parse("", &back) == -1);
	CHECK(record_format(&r, buf, 20) == -1);

	CHECK(record_first(0, 5) == 5 && record_first(5, 0) == 5 &&
	    record_first(7, 5) == 5 && record_first(0, 0) == 0);

	record_fp_init(&f);
	record_fp_add(&f, "purpose %s\n", "email");
	CHECK(record_fp_final(&f, a) == 0 && strlen(a) == 64);
	record_fp_init(&f);
	record_fp_add(&f, "purpose %s\n", "any");
	CHECK(record_fp_final(&f, b) == 0 && strcmp(a, b) != 0);
	/* a directory is not hashed: no fingerprint, no shortcut */
	record_fp_init(&f);
	record_fp_source(&f, "anchors", "/", &s);
	CHECK(s.file == NULL && record_fp_final(&f, a) == -1 && a[0] == '\0');
	record_src_release(&s);
}
