/* The time a run reports and records. */
#ifndef FV_CORE_CLOCK_H
#define FV_CORE_CLOCK_H

#include <time.h>

/*
 * SOURCE_DATE_EPOCH as the reproducible-builds specification defines it
 * (decimal seconds, up to year 9999) when it is set, else the current time:
 * so SBOMs and stored scans made by tests carry fixed times.
 */
time_t fv_run_time(void);

/*
 * From now on fv_run_time() answers t instead of the current time (unless
 * SOURCE_DATE_EPOCH is set): a stored scan rendered again names the time it
 * was made.
 */
void fv_run_time_pin(time_t t);

#endif
