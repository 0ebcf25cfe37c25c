/*
 * test_fleetman.c: the signed store's manifest (fleetman.c): what it
 * accepts, and each malformed manifest refused with its line.
 */
#include <stdlib.h>
#include <string.h>

#include "fleetman.h"
#include "t.h"

#define H1	"1111111111111111111111111111111111111111111111111111111111111111"
#define H2	"2222222222222222222222222222222222222222222222222222222222222222"
#define H3	"3333333333333333333333333333333333333333333333333333333333333333"
#define HEAD	"trustbuild-fleet 1\nserial 7\ncreated 2026-12-01T00:00:00Z\n" \
		"valid-until 2026-12-08T00:00:00Z\n"

static int
refused(const char *text, const char *want)
{
	struct fleet_manifest m;
	char err[256];

	memset(&m, 0, sizeof(m));
	if (fleetman_parse(text, strlen(text), &m, err, sizeof(err)) == 0) {
		fleetman_release(&m);
		fprintf(stderr, "accepted: %s\n", text);
		return 0;
	}
	if (strstr(err, want) == NULL) {
		fprintf(stderr, "got '%s', want '%s'\n", err, want);
		return 0;
	}
	return m.obj == NULL && m.nobj == 0;
}

void
test_fleetman(void)
{
	const char *good = HEAD H1 " 700 set\n" H2 " 1400 anchor\n"
	    H3 " 900 intermediate\n";
	struct fleet_manifest m;
	char err[256], *out = NULL;
	unsigned char sha[32];
	size_t len;

	memset(&m, 0, sizeof(m));
	CHECK(fleetman_parse(good, strlen(good), &m, err, sizeof(err)) == 0);
	CHECK(m.serial == 7 && m.nobj == 3 && m.obj[0].kind == FLEET_SET &&
	    m.obj[1].kind == FLEET_ANCHOR && m.obj[1].size == 1400 &&
	    m.obj[2].kind == FLEET_INTERMEDIATE);
	CHECK(m.valid_until - m.created == 7 * 86400);
	memset(sha, 0x33, sizeof(sha));
	CHECK(fleetman_find(&m, sha) == &m.obj[2]);
	/* rendered back byte for byte */
	CHECK(fleetman_render(&m, &out, &len) == 0 && len == strlen(good) &&
	    memcmp(out, good, len) == 0);
	free(out);
	fleetman_release(&m);

	CHECK(refused("", "line 0: incomplete"));
	CHECK(refused("trustbuild-fleet 2\n", "line 1: not a manifest of this"));
	CHECK(refused(HEAD, "no set object"));
	CHECK(refused("trustbuild-fleet 1\nserial 0\n", "line 2: a serial"));
	CHECK(refused("trustbuild-fleet 1\nserial 07\n", "line 2: a serial"));
	CHECK(refused("trustbuild-fleet 1\nserial 99999999999999999999\n",
	    "line 2: a serial"));
	CHECK(refused("trustbuild-fleet 1\nserial 1\ncreated yesterday\n",
	    "line 3: a time"));
	CHECK(refused("trustbuild-fleet 1\nserial 1\nvalid-until "
	    "2026-12-08T00:00:00Z\n", "line 3: no created line"));
	CHECK(refused("trustbuild-fleet 1\nserial 7\ncreated "
	    "2026-12-01T00:00:00Z\nvalid-until 2026-11-08T00:00:00Z\n"
	    H1 " 700 set\n", "valid-until not after created"));
	CHECK(refused(HEAD H1 " 700 set", "no newline at the end"));
	CHECK(refused(HEAD H2 " 1400 anchor\n", "a certificate before the set"));
	CHECK(refused(HEAD H1 " 700 set\n" H2 " 700 set\n",
	    "the set object not first"));
	CHECK(refused(HEAD H1 " 700 set\n" H3 " 1 anchor\n" H2 " 1 anchor\n",
	    "line 7: certificates not in the order"));
	CHECK(refused(HEAD H1 " 700 set\n" H2 " 1 anchor\n" H2 " 1 anchor\n",
	    "not in the order"));
	CHECK(refused(HEAD H1 " 0 set\n", "an object without a size"));
	CHECK(refused(HEAD H1 " -1 set\n", "an object without a size"));
	CHECK(refused(HEAD H1 " 700 root\n", "not set, anchor or intermediate"));
	CHECK(refused(HEAD H1 " 700 set\n../../etc/passwd 1 anchor\n",
	    "line 6: an unknown line"));
	CHECK(refused(HEAD "ABCD" H1 " 700 set\n", "an unknown line"));
	/* a signature that is no CMS */
	CHECK(fleetman_verify("x", 1, (const unsigned char *)"junk", 4, NULL, 0,
	    err, sizeof(err)) == -1 && strstr(err, "not a DER CMS") != NULL);
}
