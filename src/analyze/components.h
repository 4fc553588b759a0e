/*
 * The parts of the components analyzer (components.c) that tests and the
 * fuzzer call directly: the package database reader and the string pass.
 */
#ifndef FV_ANALYZE_COMPONENTS_H
#define FV_ANALYZE_COMPONENTS_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/analyze.h"

/* One stanza of an opkg/ipkg/dpkg status or control file; fields point into the data. */
struct fv_pkg_entry {
	const char *name, *version, *status; /* version and status are NULL when absent */
	size_t name_len, version_len, status_len;
	uint64_t offset;                     /* of the stanza's Package: line */
};
typedef void (*fv_pkg_fn)(void *ctx, const struct fv_pkg_entry *e);

/*
 * Calls fn for each stanza of d (n bytes) that has a well-formed Package
 * field.  Every read is bounded by n; over-long fields are left out, and a
 * second Package field without a blank line first starts a new stanza.
 * Returns the number of stanzas given to fn.
 */
size_t fv_pkgdb_parse(const uint8_t *d, size_t n, fv_pkg_fn fn, void *ctx);

/* "1:2.36-9+deb12u4" -> "2.36": without the epoch and the last '-' revision. */
void fv_pkg_upstream(const char *v, size_t n, char *out, size_t cap);

typedef void (*fv_copy_fn)(void *ctx, const struct fv_component_copy *c);
/*
 * The per-content pass of run() over d (n bytes) with the state init()
 * made: version strings, and for ELF the soname and symbol versions.  Each
 * copy goes to fn (path NULL); run() gives them to the context.
 */
void fv_components_scan(void *state, const uint8_t *d, size_t n, fv_copy_fn fn, void *ctx);

#endif
