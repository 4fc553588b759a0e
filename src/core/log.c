#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

int fv_log_verbosity = FV_LOG_WARN;

void fv_log(enum fv_log_level lvl, const char *fmt, ...)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	if ((int)lvl > fv_log_verbosity)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "fwvet: %s: ", names[lvl]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

const char *fv_human_size(uint64_t n, char *buf, int len)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, (size_t)len, "%llu B", (unsigned long long)n);
	else
		snprintf(buf, (size_t)len, "%.1f %s", v, units[u]);
	return buf;
}
