/*
 * t.h: the smallest unit-test harness: CHECK counts a pass or a failure,
 * t_skip a test that cannot run here (and says why: never a silent
 * return), main prints "unit: N passed, N failed, N skipped".  Tests get
 * the fixture and corpus directories.
 */
#ifndef TB_T_H
#define TB_T_H

#include <stddef.h>
#include <stdio.h>

extern int t_pass, t_fail, t_skipped;
extern const char *t_fixtures, *t_corpus;

#define CHECK(cond) do {						\
	if (cond)							\
		t_pass++;						\
	else {								\
		t_fail++;						\
		fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__,	\
		    #cond);						\
	}								\
} while (0)

/* Read FIXTURE or CORPUS file rel into a malloc'd buffer; NULL if absent. */
unsigned char	*t_read(const char *dir, const char *rel, size_t *len);
/* What is written on stderr from t_catch() on, into err by t_caught(). */
void		 t_catch(void);
void		 t_caught(char *err, size_t size);
struct diags;
/*
 * The errors and notices of d (what -q shows), one per line, into err;
 * returns err.
 */
char		*t_diags(const struct diags *d, char *err, size_t size);
/*
 * After t_catch() and a call that reported into d: checks that nothing was
 * printed, then puts d's messages into err (t_diags) and clears d.
 */
void		 t_silent(struct diags *d, char *err, size_t size);
/* 1 if text holds want; else 0, after saying so on stderr. */
int		 t_has(const char *text, const char *want);
struct blocklist;
struct certset;
/*
 * The certificates of FIXTURE file rel for want (a purpose or
 * CERTDATA_ALL) in a new set, the distrusted into bl (NULL: dropped); an
 * empty set if the file is absent or in no format.
 */
struct certset	*t_load(const char *rel, int want, struct blocklist *bl);
/*
 * A copy of buf (xmalloc'd, NUL-terminated) with its first from replaced
 * by to, its length in *olen; NULL if buf holds no from.
 */
char		*t_replace(const char *buf, size_t len, const char *from,
		    const char *to, size_t *olen);
/* A copy of buf with each LF as CR LF (xmalloc'd), its length in *olen. */
char		*t_crlf(const unsigned char *buf, size_t len, size_t *olen);
/* Count a skip and print "skip: WHY" (printf format) on stdout. */
void		 t_skip(const char *fmt, ...)
		    __attribute__((__format__(__printf__, 1, 2)));
/* 1 (after a t_skip) if the corpus is absent. */
int		 t_no_corpus(const char *test);

void	test_certdata(void);
void	test_pem_der(void);
void	test_set(void);
void	test_policy(void);
void	test_ccadb(void);
void	test_store(void);
void	test_config(void);
void	test_probe(void);
void	test_sendmail(void);
void	test_maillog(void);
void	test_smrelay(void);
void	test_postfix(void);
void	test_fetch(void);
void	test_manifest(void);
void	test_fleetman(void);
void	test_rollback(void);
void	test_record(void);
void	test_quiet(void);
void	test_certlite(void);
void	test_publish(void);

#endif
