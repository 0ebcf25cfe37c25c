/*
 * standalone.c: run files through a fuzz target without libFuzzer, for the
 * regression run of "make check": each argument is a file or a directory
 * of files.  Prints "fuzz-regress TARGET: N inputs" and exits 0 unless a
 * file cannot be read (a crash ends the process, which the caller sees).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
one(const char *path, int *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, r;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	do {
		if (len == cap) {
			unsigned char *nb = realloc(buf, cap ? cap * 2 : 65536);

			if (nb == NULL) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		r = fread(buf + len, 1, cap - len, f);
		len += r;
	} while (r > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	(*n)++;
	return 0;
}

int
main(int argc, char *argv[])
{
	int i, n = 0, rc = 0;

	for (i = 2; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *de;

		if (stat(argv[i], &st) == -1 || !S_ISDIR(st.st_mode)) {
			rc |= one(argv[i], &n);
			continue;
		}
		if ((d = opendir(argv[i])) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			char p[4096];

			if (de->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", argv[i], de->d_name);
			rc |= one(p, &n);
		}
		closedir(d);
	}
	printf("fuzz-regress %s: %d inputs\n", argc > 1 ? argv[1] : "?", n);
	return rc ? 1 : 0;
}
