#include "core/progress.h"

#include <stdio.h>
#include <unistd.h>

#define FV_PROGRESS_MIN_BYTES (8u << 20)

void fv_progress_start(struct fv_progress *p, const char *label, uint64_t total)
{
	p->active = total >= FV_PROGRESS_MIN_BYTES && isatty(STDERR_FILENO);
	p->total = total;
	p->done = 0;
	p->last_permille = -1;
	p->label = label;
}

void fv_progress_update(struct fv_progress *p, uint64_t done)
{
	if (!p->active || p->total == 0)
		return;
	p->done = done > p->total ? p->total : done;
	int pm = (int)(p->done * 1000 / p->total);
	if (pm == p->last_permille)
		return;
	p->last_permille = pm;
	int width = 40, fill = pm * width / 1000;
	fprintf(stderr, "\r%-10s [", p->label);
	for (int i = 0; i < width; i++)
		fputc(i < fill ? '#' : '.', stderr);
	fprintf(stderr, "] %3d.%d%%", pm / 10, pm % 10);
	fflush(stderr);
}

void fv_progress_end(struct fv_progress *p)
{
	if (!p->active)
		return;
	fprintf(stderr, "\r\033[K");
	fflush(stderr);
	p->active = 0;
}
