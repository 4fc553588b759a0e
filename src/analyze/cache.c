#include "analyze/cache.h"
#include "analyze/run.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/hash.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A stored result longer than this is not one we wrote. */
#define MAX_RESULT ((size_t)64 << 20)

struct ent {
	char sha[FV_SHA256_HEX];
	size_t an;    /* index in the bound run's analyzers */
	char *result; /* NULL: a free slot */
};

struct fv_acache {
	char **names, **inputs; /* the bound run's analyzers and fingerprints */
	size_t nan;
	struct ent *tab;        /* open addressing, cap a power of two, at most half full */
	size_t cap, n;
	struct ent *fresh;      /* what the last run computed */
	size_t nfresh, capfresh;
	pthread_mutex_t lock;
	atomic_size_t hits, misses;
};

int fv_acache_new(struct fv_acache **out)
{
	struct fv_acache *c = calloc(1, sizeof *c);
	if (!c)
		return FV_ENOMEM;
	pthread_mutex_init(&c->lock, NULL);
	*out = c;
	return FV_OK;
}

static void free_names(struct fv_acache *c)
{
	for (size_t i = 0; i < c->nan; i++) {
		free(c->names[i]);
		free(c->inputs[i]);
	}
	free(c->names);
	free(c->inputs);
	c->names = c->inputs = NULL;
	c->nan = 0;
}

void fv_acache_free(struct fv_acache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->cap; i++)
		free(c->tab[i].result);
	for (size_t i = 0; i < c->nfresh; i++)
		free(c->fresh[i].result);
	free(c->tab);
	free(c->fresh);
	free_names(c);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static int is_sha(const char *s)
{
	size_t i = 0;
	for (; s[i] && i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 64 && !s[i];
}

static size_t slot_of(const struct fv_acache *c, const char *sha, size_t an)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < 64; i++)
		h = (h ^ (unsigned char)sha[i]) * 0x100000001b3ull;
	h = (h ^ an) * 0x100000001b3ull;
	size_t i = (size_t)h & (c->cap - 1);
	while (c->tab[i].result && (c->tab[i].an != an || memcmp(c->tab[i].sha, sha, 64)))
		i = (i + 1) & (c->cap - 1);
	return i;
}

/* Stores e (taking its result), replacing what the key held. */
static int insert(struct fv_acache *c, struct ent *e)
{
	if ((c->n + 1) * 2 > c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 1024;
		struct ent *old = c->tab, *t = calloc(ncap, sizeof *t);
		if (!t)
			return FV_ENOMEM;
		size_t ocap = c->cap;
		c->tab = t, c->cap = ncap;
		for (size_t i = 0; i < ocap; i++)
			if (old[i].result)
				c->tab[slot_of(c, old[i].sha, old[i].an)] = old[i];
		free(old);
	}
	struct ent *s = &c->tab[slot_of(c, e->sha, e->an)];
	if (s->result)
		free(s->result);
	else
		c->n++;
	*s = *e;
	e->result = NULL;
	return FV_OK;
}

static int find_an(const struct fv_acache *c, const char *name, const char *inputs)
{
	for (size_t i = 0; i < c->nan; i++)
		if (!strcmp(c->names[i], name))
			return !strcmp(c->inputs[i], inputs) ? (int)i : -1;
	return -1;
}

int fv_acache_bind(struct fv_acache *c, const struct fv_actx *a)
{
	size_t n = fv_analysis_ninputs(a);
	char **names = calloc(n + 1, sizeof *names), **inputs = calloc(n + 1, sizeof *inputs);
	int ok = names && inputs;
	for (size_t i = 0; ok && i < n; i++) {
		const char *nm, *in;
		fv_analysis_input(a, i, &nm, &in);
		ok = (names[i] = strdup(nm)) && (inputs[i] = strdup(in));
	}
	if (!ok) {
		for (size_t i = 0; names && inputs && i < n; i++)
			free(names[i]), free(inputs[i]);
		free(names), free(inputs);
		return FV_ENOMEM;
	}
	/* Old indexes to new ones; a result of an analyzer whose inputs changed goes. */
	size_t *map = calloc(c->nan + 1, sizeof *map);
	if (!map) {
		for (size_t i = 0; i < n; i++)
			free(names[i]), free(inputs[i]);
		free(names), free(inputs);
		return FV_ENOMEM;
	}
	for (size_t i = 0; i < c->nan; i++) {
		map[i] = SIZE_MAX;
		for (size_t k = 0; k < n; k++)
			if (!strcmp(c->names[i], names[k]) && !strcmp(c->inputs[i], inputs[k]))
				map[i] = k;
	}
	free_names(c);
	c->names = names, c->inputs = inputs, c->nan = n;
	struct ent *old = c->tab;
	size_t ocap = c->cap;
	c->tab = NULL, c->cap = c->n = 0;
	int rc = FV_OK;
	for (size_t i = 0; i < ocap; i++) {
		if (!old[i].result)
			continue;
		old[i].an = map[old[i].an];
		if (old[i].an == SIZE_MAX || rc || (rc = insert(c, &old[i])))
			free(old[i].result);
	}
	free(old);
	size_t o = 0;
	for (size_t i = 0; i < c->nfresh; i++) {
		c->fresh[i].an = map[c->fresh[i].an];
		if (c->fresh[i].an == SIZE_MAX)
			free(c->fresh[i].result);
		else
			c->fresh[o++] = c->fresh[i];
	}
	c->nfresh = o;
	free(map);
	return rc;
}

int fv_acache_put(struct fv_acache *c, const char *sha256, const char *analyzer, const char *inputs,
		  const char *result)
{
	if (!c || !sha256 || !analyzer || !inputs || !result)
		return 0;
	int an = find_an(c, analyzer, inputs);
	if (an < 0 || !is_sha(sha256) || strnlen(result, MAX_RESULT) == MAX_RESULT)
		return 0;
	struct ent e = { .an = (size_t)an, .result = strdup(result) };
	if (!e.result)
		return FV_ENOMEM;
	memcpy(e.sha, sha256, FV_SHA256_HEX);
	int rc = insert(c, &e);
	free(e.result);
	return rc ? rc : 1;
}

const char *fv_acache_get(const struct fv_acache *c, const char *sha256, size_t analyzer)
{
	if (!c->cap || strlen(sha256) != 64)
		return NULL;
	return c->tab[slot_of(c, sha256, analyzer)].result;
}

int fv_acache_add_new(struct fv_acache *c, const char *sha256, size_t analyzer, char *result)
{
	pthread_mutex_lock(&c->lock);
	int rc = fv_grow(&c->fresh, &c->capfresh, c->nfresh, sizeof *c->fresh);
	if (!rc) {
		struct ent *e = &c->fresh[c->nfresh++];
		snprintf(e->sha, sizeof e->sha, "%s", sha256);
		e->an = analyzer;
		e->result = result;
	} else {
		free(result);
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

void fv_acache_count(struct fv_acache *c, int hit)
{
	atomic_fetch_add(hit ? &c->hits : &c->misses, 1);
}

void fv_acache_begin(struct fv_acache *c)
{
	for (size_t i = 0; i < c->nfresh; i++)
		if (insert(c, &c->fresh[i]))
			free(c->fresh[i].result); /* out of memory: only a later hit is lost */
	c->nfresh = 0;
	atomic_store(&c->hits, 0);
	atomic_store(&c->misses, 0);
}

static const struct fv_acache *sorting;

static int cmp_fresh(const void *x, const void *y)
{
	const struct ent *a = x, *b = y;
	int r = strcmp(a->sha, b->sha);
	return r ? r : strcmp(sorting->names[a->an], sorting->names[b->an]);
}

void fv_acache_end(struct fv_acache *c)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	if (!c->nfresh)
		return;
	pthread_mutex_lock(&lock);
	sorting = c;
	qsort(c->fresh, c->nfresh, sizeof *c->fresh, cmp_fresh);
	pthread_mutex_unlock(&lock);
}

int fv_acache_each_new(const struct fv_acache *c,
		       int (*fn)(void *ctx, const char *sha256, const char *analyzer, const char *inputs,
				 const char *result),
		       void *ctx)
{
	if (!c)
		return 0;
	for (size_t i = 0; i < c->nfresh; i++) {
		const struct ent *e = &c->fresh[i];
		int r = fn(ctx, e->sha, c->names[e->an], c->inputs[e->an], e->result);
		if (r)
			return r;
	}
	return 0;
}

size_t fv_acache_hits(const struct fv_acache *c) { return c ? atomic_load(&c->hits) : 0; }
size_t fv_acache_misses(const struct fv_acache *c) { return c ? atomic_load(&c->misses) : 0; }
