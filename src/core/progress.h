/*
 * A progress bar on stderr, shown only when stderr is a terminal and the work
 * is large enough to be worth watching; otherwise every call is a no-op.
 */
#ifndef FV_CORE_PROGRESS_H
#define FV_CORE_PROGRESS_H

#include <stdint.h>

struct fv_progress {
	int active;
	uint64_t total, done;
	int last_permille;
	const char *label;
};

void fv_progress_start(struct fv_progress *p, const char *label, uint64_t total);
void fv_progress_update(struct fv_progress *p, uint64_t done);
void fv_progress_end(struct fv_progress *p);

#endif
