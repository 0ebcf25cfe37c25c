/*
 * progress.h: the one-line progress bar of a download on stderr.
 *
 * The bar is redrawn at most once a second, as bytes arrive, and erased
 * when the transfer ends, so that nothing of it stays in a log.  Whether
 * to draw one at all (a terminal, not -q) is the caller's decision.
 *
 * Calling sequence:
 *
 *	struct progress p;
 *	progress_init(&p, label);
 *	progress_draw(&p, got, total);	// as often as data comes; total 0:
 *					// the size is not known
 *	progress_clear(&p);		// erase the bar, if one was drawn
 */
#ifndef TB_PROGRESS_H
#define TB_PROGRESS_H

#include <time.h>

struct progress {
	const char	*label;		/* borrowed; its first 16 bytes shown */
	time_t		 drawn;		/* last redraw */
	int		 shown;		/* a bar is on the screen */
};

void	progress_init(struct progress *p, const char *label);
/* Draw "label [####....] 42% 1.2 MiB of 3.0 MiB" (or "label 1.2 MiB"). */
void	progress_draw(struct progress *p, long long got, long long total);
void	progress_clear(struct progress *p);

#endif
