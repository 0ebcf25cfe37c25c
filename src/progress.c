/*
 * progress.c: the progress bar of a download, see progress.h.
 */
#include <stdio.h>
#include <time.h>

#include "progress.h"

void
progress_init(struct progress *p, const char *label)
{
	p->label = label != NULL ? label : "";
	p->drawn = 0;
	p->shown = 0;
}

static void
human(long long n, char *buf, size_t size)
{
	if (n >= 1024 * 1024)
		snprintf(buf, size, "%.1f MiB", (double)n / (1024 * 1024));
	else
		snprintf(buf, size, "%ld KiB", (long)(n / 1024));
}

void
progress_draw(struct progress *p, long long got, long long total)
{
	time_t now = time(NULL);
	char a[32], b[32];

	if (got == 0 || now == p->drawn)
		return;
	p->drawn = now;
	p->shown = 1;
	human(got, a, sizeof(a));
	if (total > 0) {
		int pct = (int)(got * 100 / total), i;
		char bar[21];

		for (i = 0; i < 20; i++)
			bar[i] = i < pct / 5 ? '#' : '.';
		bar[20] = '\0';
		human(total, b, sizeof(b));
		fprintf(stderr, "\r%-16.16s [%s] %3d%% %s of %s ", p->label,
		    bar, pct, a, b);
	} else
		fprintf(stderr, "\r%-16.16s %s ", p->label, a);
}

void
progress_clear(struct progress *p)
{
	if (p->shown)
		fprintf(stderr, "\r\033[K");
	p->shown = 0;
}
