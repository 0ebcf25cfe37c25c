/*
 * test_rollback.c: the per-source record of update (rollback.h) and the
 * CVS_ID revision of old certdata.txt files.
 */
#include <stdlib.h>
#include <string.h>

#include "blocklist.h"
#include "certdata.h"
#include "certset.h"
#include "rollback.h"
#include "source.h"
#include "t.h"

void
test_rollback(void)
{
	static const char cvs[] = "# header\n"
	    "CVS_ID \"@(#) $RCSfile: certdata.txt,v $ $Revision: 1.87 $ "
	    "$Date: 2012/12/29 16:32:45 $\"\n\nBEGINDATA\n"
	    "CKA_CLASS CK_OBJECT_CLASS CKO_NSS_BUILTIN_ROOT_LIST\n";
	struct rollback a, b, c;
	struct certset *two = t_load("roots.pem", PURPOSE_SERVER_AUTH, NULL);
	struct certset *one = t_load("root-a.pem", PURPOSE_SERVER_AUTH, NULL);
	char v[32], *why, *text;
	size_t len;

	/* versions */
	CHECK(rollback_version_cmp("1.86", "1.87") < 0);
	CHECK(rollback_version_cmp("1.9", "1.87") < 0);
	CHECK(rollback_version_cmp("1.100", "1.99") > 0);
	CHECK(rollback_version_cmp("1.87", "1.87") == 0);
	CHECK(rollback_version_cmp("2", "1.99") > 0);
	CHECK(certdata_version(cvs, sizeof(cvs) - 1, v, sizeof(v)) == 1 &&
	    strcmp(v, "1.87") == 0);
	CHECK(certdata_version("BEGINDATA\nCVS_ID \"$Revision: 1.2 $\"\n",
	    37, v, sizeof(v)) == 0);
	{
		struct certset *set = certset_new();
		struct blocklist *bl = blocklist_new();

		/* a CVS_ID line before BEGINDATA is no error */
		CHECK(certdata_parse("cvs", cvs, sizeof(cvs) - 1,
		    CERTDATA_ALL, set, bl, NULL) == 0);
		certset_free(set);
		blocklist_free(bl);
	}

	/* a first record, then root B dropped, then back */
	CHECK(two->n == 2 && one->n == 1);
	CHECK(rollback_next(NULL, "https://x/c.txt", PURPOSE_SERVER_AUTH,
	    "1.87", two, NULL, 1, &a) == 0);
	CHECK(a.nroot == 2 && a.ndropped == 0 && strcmp(a.version, "1.87") == 0);
	CHECK(rollback_check(&a, "1.87", one, &why) == 0 && why == NULL);
	CHECK(rollback_next(&a, "https://x/c.txt", PURPOSE_SERVER_AUTH, NULL,
	    one, NULL, 1, &b) == 0);
	CHECK(b.nroot == 1 && b.ndropped == 1 && b.version == NULL);
	CHECK(rollback_check(&b, NULL, two, &why) == 1 && why != NULL &&
	    strstr(why, "CN=Test Root B") != NULL &&
	    strstr(why, "dropped by this source earlier") != NULL);
	free(why);
	CHECK(rollback_check(&a, "1.86", two, &why) == 1 && why != NULL &&
	    strstr(why, "CVS_ID revision 1.86, older than the 1.87") != NULL);
	free(why);
	/* a forced rollback learns no drops; what is back leaves "dropped" */
	CHECK(rollback_next(&b, "https://x/c.txt", PURPOSE_SERVER_AUTH, NULL,
	    two, NULL, 0, &c) == 0);
	CHECK(c.nroot == 2 && c.ndropped == 0);
	rollback_release(&c);

	/* the text round-trips; anything else is not a record */
	CHECK((text = rollback_format(&b, &len)) != NULL &&
	    strncmp(text, "trustbuild-source 1\norigin https://x/c.txt\n",
	    43) == 0);
	CHECK(text != NULL && rollback_parse(text, &c) == 0 && c.nroot == 1 &&
	    c.ndropped == 1 && memcmp(c.dropped[0], b.dropped[0], 32) == 0 &&
	    strcmp(c.purpose, "server-auth") == 0);
	rollback_release(&c);
	free(text);
	CHECK(rollback_parse("", &c) == -1);
	CHECK(rollback_parse("trustbuild-source 2\norigin x\npurpose y\n",
	    &c) == -1);
	CHECK(rollback_parse("trustbuild-source 1\norigin x\npurpose y\n"
	    "root 00\n", &c) == -1);
	CHECK(rollback_parse("trustbuild-source 1\norigin x\npurpose y\n"
	    "evil 1\n", &c) == -1);
	CHECK(rollback_parse("trustbuild-source 1\norigin x\npurpose y\n",
	    &c) == 0 && c.nroot == 0);
	rollback_release(&c);
	rollback_release(&a);
	rollback_release(&b);
	rollback_release(NULL);
	certset_free(one);
	certset_free(two);
}
