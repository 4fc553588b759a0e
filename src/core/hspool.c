#include "core/hspool.h"
#include "core/buf.h"
#include "core/err.h"

#include <stdlib.h>
#include <string.h>

int fv_hspool_init(struct fv_hspool *pool, const hs_database_t *db)
{
	memset(pool, 0, sizeof *pool);
	if (hs_alloc_scratch(db, &pool->proto) != HS_SUCCESS) {
		pool->proto = NULL;
		return FV_ENOMEM;
	}
	pthread_mutex_init(&pool->lock, NULL);
	return 0;
}

hs_scratch_t *fv_hspool_get(struct fv_hspool *pool)
{
	hs_scratch_t *s = NULL;
	pthread_mutex_lock(&pool->lock);
	if (pool->nfree)
		s = pool->free[--pool->nfree];
	pthread_mutex_unlock(&pool->lock);
	if (!s && hs_clone_scratch(pool->proto, &s) != HS_SUCCESS)
		s = NULL;
	return s;
}

void fv_hspool_put(struct fv_hspool *pool, hs_scratch_t *s)
{
	pthread_mutex_lock(&pool->lock);
	if (fv_grow(&pool->free, &pool->capfree, pool->nfree, sizeof *pool->free) == 0) {
		pool->free[pool->nfree++] = s;
		s = NULL;
	}
	pthread_mutex_unlock(&pool->lock);
	if (s)
		hs_free_scratch(s);
}

void fv_hspool_free(struct fv_hspool *pool)
{
	/* Only an initialised pool has a prototype, and with it a mutex and clones. */
	if (!pool->proto)
		return;
	for (size_t i = 0; i < pool->nfree; i++)
		hs_free_scratch(pool->free[i]);
	free(pool->free);
	hs_free_scratch(pool->proto);
	pthread_mutex_destroy(&pool->lock);
	memset(pool, 0, sizeof *pool);
}
