/*
 * fingerprint.c: what a directory source is, as one SHA-256 (fingerprint.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cert.h"
#include "fingerprint.h"
#include "source.h"
#include "xalloc.h"

#define WALK_MAX	100000		/* names a fingerprint walks */

/*
 * The SHA-256 of a file's content as hex; -1 if it cannot be read or
 * grows past what the loader reads.
 */
static int
file_sha256(const char *path, char out[65])
{
	EVP_MD_CTX *md;
	struct stat st;
	unsigned char buf[65536], dg[32];
	size_t total = 0;
	ssize_t n;
	int fd, rc = -1;

	/* non-blocking: a FIFO swapped in after stat() must not hang us */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (md = EVP_MD_CTX_new()) == NULL) {
		close(fd);
		return -1;
	}
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		while (((n = read(fd, buf, sizeof(buf))) > 0 ||
		    (n == -1 && errno == EINTR)) && total <= SOURCE_MAX_FILE)
			if (n > 0) {
				EVP_DigestUpdate(md, buf, (size_t)n);
				total += (size_t)n;
			}
		if (n == 0 && EVP_DigestFinal_ex(md, dg, NULL)) {
			cert_hex(dg, 32, out, 0);
			rc = 0;
		}
	}
	EVP_MD_CTX_free(md);
	close(fd);
	return rc;
}

/*
 * Fingerprint a directory by what source_load() would read of it: the
 * names it walks (sorted, dot names skipped), and for each file, or
 * symbolic link to a file, the SHA-256 of its content; a link to a
 * directory below the top is not followed, as by the loader.
 */
struct walk {
	EVP_MD_CTX	*md;
	size_t		 n;		/* names seen, at most WALK_MAX */
	struct diags	*d;
};

/* What one name of a directory is, as a line of the fingerprint. */
static void
walk_line(const char *full, int depth, int *descend, char *line, size_t size)
{
	struct stat st, lst;
	char hex[65];

	*descend = 0;
	if (stat(full, &st) == -1)
		snprintf(line, size, " missing %d\n", errno);
	else if (S_ISDIR(st.st_mode) && lstat(full, &lst) == 0 &&
	    S_ISLNK(lst.st_mode))
		snprintf(line, size, " link to a directory\n");
	else if (S_ISDIR(st.st_mode) && depth + 1 > SOURCE_MAX_DEPTH)
		snprintf(line, size, " too deep\n");
	else if (S_ISDIR(st.st_mode)) {
		snprintf(line, size, " directory\n");
		*descend = 1;
	} else if (!S_ISREG(st.st_mode))
		snprintf(line, size, " not a file\n");
	else if ((size_t)st.st_size > SOURCE_MAX_FILE)
		snprintf(line, size, " too big %lld\n", (long long)st.st_size);
	else if (file_sha256(full, hex) == -1)
		snprintf(line, size, " unreadable\n");
	else
		snprintf(line, size, " %s\n", hex);
}

static int
walk_dir(struct walk *w, const char *path, int depth)
{
	char **names, *full, line[128];
	size_t n, i, use;
	int rc = -1, descend;

	if (source_dir_names(path, &names, &n, w->d) == -1)
		return -1;
	/* past WALK_MAX names the loader will say what is wrong */
	use = w->n >= WALK_MAX ? 0 : n < WALK_MAX - w->n ? n : WALK_MAX - w->n;
	w->n += n;
	for (i = 0; i < use; i++) {
		full = xasprintf("%s/%s", path, names[i]);
		EVP_DigestUpdate(w->md, full, strlen(full) + 1);
		walk_line(full, depth, &descend, line, sizeof(line));
		EVP_DigestUpdate(w->md, line, strlen(line));
		if (descend && walk_dir(w, full, depth + 1) == -1) {
			free(full);
			goto out;
		}
		free(full);
	}
	rc = 0;
out:
	source_names_free(names, n);
	return rc;
}

int
fingerprint_dir(const char *path, char out[65], struct diags *d)
{
	struct walk w;
	unsigned char dg[32];
	int rc = -1;

	memset(&w, 0, sizeof(w));
	w.d = d;
	if ((w.md = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(w.md, EVP_sha256(), NULL)) {
		diag_ssl(d, NULL, 0, "'%s': cannot fingerprint the directory",
		    path);
		goto out;
	}
	if (walk_dir(&w, path, 0) == -1)
		goto out;
	EVP_DigestFinal_ex(w.md, dg, NULL);
	cert_hex(dg, 32, out, 0);
	rc = 0;
out:
	EVP_MD_CTX_free(w.md);
	return rc;
}
