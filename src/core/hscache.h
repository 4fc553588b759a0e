/*
 * Compiling a vectorscan database once per set of patterns, not once per
 * run.  The analyzers' patterns are rules (user data), so they cannot be
 * compiled in at build time as the signature database is; compiling them
 * took about 0.3 s of every `fwvet scan`, most of a small scan.  The compiled
 * database is kept in a cache folder under a name made of a SHA-256 over
 * the vectorscan version and every expression, flag and id, so any change
 * of the rules or of the library misses the cache.
 *
 * The folder is $FWVET_CACHE, else $XDG_CACHE_HOME/fwvet, else
 * ~/.cache/fwvet; FWVET_CACHE=off turns the cache off.  A file that does not
 * deserialize (truncated, another CPU) is compiled again and replaced; files
 * are written to a temporary name and renamed, so concurrent runs never see
 * half a database.  Failing to write the cache is no error.
 */
#ifndef FV_CORE_HSCACHE_H
#define FV_CORE_HSCACHE_H

#include <hs/hs.h>

/* hs_compile_multi in block mode for this platform, through the cache. */
hs_error_t fv_hs_compile_cached(const char *const *expr, const unsigned *flags, const unsigned *ids,
				unsigned n, hs_database_t **db, hs_compile_error_t **cerr);

#endif
