/*
 * Reading a rules file of lines: '#' starts a comment, blanks around a line
 * are trimmed and empty lines skipped.  One reader for every analyzer whose
 * rules are lines of words, so that they all treat comments, blanks and
 * missing files alike.
 */
#ifndef FV_ANALYZE_RULEFILE_H
#define FV_ANALYZE_RULEFILE_H

#include <stddef.h>

#include "analyze/analyze.h"

/*
 * Called for each line: p holds n bytes (no newline, not NUL-terminated).
 * 0 to go on; a negative fv_err stops the read (the callback reports it
 * with fv_actx_fail, naming path and line).
 */
typedef int (*fv_rule_line_fn)(struct fv_actx *a, void *ctx, const char *path, size_t line,
			       const char *p, size_t n);

/*
 * Reads dir/name.  A missing file is an error (reported with fv_actx_fail)
 * only when required.  0 or a negative fv_err.
 */
int fv_rules_read(struct fv_actx *a, const char *dir, const char *name, int required,
		  fv_rule_line_fn fn, void *ctx);

/*
 * Calls fn for every regular file dir/sub/<stem><suffix>, in name order, so
 * that rules load the same way on every machine.  A missing folder is no
 * error.  0 or the first negative fv_err fn returned.
 */
typedef int (*fv_rule_file_fn)(struct fv_actx *a, void *ctx, const char *folder, const char *file,
			       const char *stem);
int fv_rules_each(struct fv_actx *a, const char *dir, const char *sub, const char *suffix,
		  fv_rule_file_fn fn, void *ctx);

#endif
