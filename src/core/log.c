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
