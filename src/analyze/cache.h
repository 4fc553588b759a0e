/*
 * The analysis cache: what a content-scope analyzer reported for one content
 * (findings, records, and the state its finish step needs), keyed by the
 * content's SHA-256, the analyzer and its input fingerprint
 * (fv_analysis_input()), so that a file already analysed in an earlier image
 * is replayed instead of analysed again.  The store fills it before a run
 * (put) and saves what the run computed (each_new); the analysis reads it.
 * A result is JSON text, compact and deterministic; one that does not read
 * back is a miss, never an error.
 */
#ifndef FV_ANALYZE_CACHE_H
#define FV_ANALYZE_CACHE_H

#include <stddef.h>

struct fv_acache;
struct fv_actx;

int fv_acache_new(struct fv_acache **out);
void fv_acache_free(struct fv_acache *c);

/*
 * A stored result: kept when (analyzer, inputs) is one of the run's
 * (fv_analysis_set_cache() first).  1 kept, 0 ignored, a negative fv_err on
 * failure.  A second result for the same key replaces the first.
 */
int fv_acache_put(struct fv_acache *c, const char *sha256, const char *analyzer, const char *inputs,
		  const char *result);

/*
 * Every result the last run computed (not those put), sorted by sha256 then
 * analyzer.  fn's non-zero return stops the walk and is returned.
 */
int fv_acache_each_new(const struct fv_acache *c,
		       int (*fn)(void *ctx, const char *sha256, const char *analyzer, const char *inputs,
				 const char *result),
		       void *ctx);

/* Of the last run: results replayed, and results computed by cacheable analyzers. NULL: 0. */
size_t fv_acache_hits(const struct fv_acache *c);
size_t fv_acache_misses(const struct fv_acache *c);

/* ---- for run.c ---- */

/* The run's analyzers and fingerprints; results of others are dropped.  0 or FV_ENOMEM. */
int fv_acache_bind(struct fv_acache *c, const struct fv_actx *a);
/* A run starts: last run's new results become lookups; counters restart. */
void fv_acache_begin(struct fv_acache *c);
/* The result of analyzer i (its index in the run) for a content, or NULL.  Read-only during a run. */
const char *fv_acache_get(const struct fv_acache *c, const char *sha256, size_t analyzer);
/* A result the run computed (result is taken over).  Thread-safe.  0 or FV_ENOMEM. */
int fv_acache_add_new(struct fv_acache *c, const char *sha256, size_t analyzer, char *result);
void fv_acache_count(struct fv_acache *c, int hit);
/* A run ends: its new results are sorted for each_new(). */
void fv_acache_end(struct fv_acache *c);

#endif
