/* Diagnostics on stderr.  Quiet by default; -v raises the level. */
#ifndef FV_CORE_LOG_H
#define FV_CORE_LOG_H

enum fv_log_level { FV_LOG_ERROR, FV_LOG_WARN, FV_LOG_INFO, FV_LOG_DEBUG };

extern int fv_log_verbosity; /* messages at or below this level are printed */

void fv_log(enum fv_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "12.3 MiB" into buf, for messages and reports. */
#include <stdint.h>
const char *fv_human_size(uint64_t n, char *buf, int len);

#endif
