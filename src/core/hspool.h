/*
 * A pool of vectorscan scratch spaces for one database.  A scratch may be
 * used by one thread at a time, and the analyzers run on every core; cloning
 * one for every file scanned would cost an allocation and copy per file, so
 * a scan takes one from the pool and gives it back, and the pool only grows
 * to the number of threads that scanned at once.
 */
#ifndef FV_CORE_HSPOOL_H
#define FV_CORE_HSPOOL_H

#include <hs/hs.h>
#include <pthread.h>
#include <stddef.h>

struct fv_hspool {
	hs_scratch_t *proto; /* allocated for the database; the others are its clones */
	hs_scratch_t **free;
	size_t nfree, capfree;
	pthread_mutex_t lock; /* guards free */
};

/*
 * Allocates the prototype scratch for db.  0 or FV_ENOMEM.  A pool that
 * failed here, or is still zeroed (calloc), may be passed to fv_hspool_free.
 */
int fv_hspool_init(struct fv_hspool *pool, const hs_database_t *db);

/* A scratch for this thread's next scans, or NULL when out of memory; pool initialised. */
hs_scratch_t *fv_hspool_get(struct fv_hspool *pool);

/* Gives s back (freed instead when the pool cannot grow). */
void fv_hspool_put(struct fv_hspool *pool, hs_scratch_t *s);

/* Frees every scratch; no scan may be running. */
void fv_hspool_free(struct fv_hspool *pool);

#endif
