#include "core/clock.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static time_t pinned = -1;

void fv_run_time_pin(time_t t)
{
	pinned = t;
}

static time_t now(void)
{
	return pinned >= 0 ? pinned : time(NULL);
}

time_t fv_run_time(void)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	if (!s || !*s || strlen(s) > 12)
		return now();
	uint64_t v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return now();
		v = v * 10 + (uint64_t)(*p - '0');
	}
	/* 9999-12-31T23:59:59Z: the formats have four-digit years. */
	return v > 253402300799ULL ? now() : (time_t)v;
}
