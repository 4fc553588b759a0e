/*
 * Pairing keys: report paths with chunk offsets replaced by format and rank.
 */
#include "integrity/pair.h"

#include "core/buf.h"
#include "core/err.h"
#include "inventory/inventory.h"
#include "unpack/engine.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fv_side_rank {
	const char *path;   /* the chunk's report path, "fw.bin!0x50000.squashfs" */
	const char *format;
	const struct fv_xentry *e;
	uint64_t off;
	size_t parent_len;  /* path[0 .. parent_len) is the container */
	unsigned rank;      /* among the chunks of this format in the same container, by offset */
};

static int by_parent_format_off(const void *x, const void *y)
{
	const struct fv_side_rank *a = x, *b = y;
	size_t n = a->parent_len < b->parent_len ? a->parent_len : b->parent_len;
	int c = memcmp(a->path, b->path, n);
	if (c || a->parent_len != b->parent_len)
		return c ? c : a->parent_len < b->parent_len ? -1 : 1;
	if ((c = strcmp(a->format, b->format)))
		return c;
	return a->off < b->off ? -1 : a->off > b->off;
}

static int by_path(const void *x, const void *y)
{
	return strcmp(((const struct fv_side_rank *)x)->path, ((const struct fv_side_rank *)y)->path);
}

static size_t parent_len(const char *path)
{
	const char *bang = strrchr(path, '!');
	return bang ? (size_t)(bang - path) : 0;
}

int fv_side_init(struct fv_side *s, const struct fv_unpack *u, const struct fv_inventory *inv,
		 const struct fv_results *res)
{
	memset(s, 0, sizeof *s);
	s->u = u;
	s->inv = inv;
	s->res = res;
	if (u->nentries && !(s->ranks = calloc(u->nentries, sizeof *s->ranks)))
		return FV_ENOMEM;
	for (size_t i = 0; i < u->nentries; i++) {
		const struct fv_xentry *e = &u->entries[i];
		if (!strcmp(e->format, "padding"))
			continue;
		s->ranks[s->nranks++] = (struct fv_side_rank){ e->path, e->format, e, e->off, parent_len(e->path), 0 };
	}
	if (s->nranks)
		qsort(s->ranks, s->nranks, sizeof *s->ranks, by_parent_format_off);
	for (size_t i = 1; i < s->nranks; i++) {
		const struct fv_side_rank *p = &s->ranks[i - 1];
		struct fv_side_rank *r = &s->ranks[i];
		if (p->parent_len == r->parent_len && !memcmp(p->path, r->path, r->parent_len) &&
		    !strcmp(p->format, r->format))
			r->rank = p->rank + 1;
	}
	if (s->nranks)
		qsort(s->ranks, s->nranks, sizeof *s->ranks, by_path);
	if (inv->nfiles && !(s->keys = calloc(inv->nfiles, sizeof *s->keys)))
		return FV_ENOMEM;
	for (size_t i = 0; i < inv->nfiles; i++)
		if (!(s->keys[i] = fv_side_key(s, inv->files[i].x->path)))
			return FV_ENOMEM;
	return FV_OK;
}

void fv_side_free(struct fv_side *s)
{
	if (s->keys)
		for (size_t i = 0; i < s->inv->nfiles; i++)
			free(s->keys[i]);
	free(s->keys);
	free(s->ranks);
	memset(s, 0, sizeof *s);
}

/* "0x50000.squashfs": the name the engine gives a chunk's folder. */
static int chunk_name(const char *c, size_t n)
{
	if (n < 4 || c[0] != '0' || c[1] != 'x')
		return 0;
	size_t i = 2;
	while (i < n && ((c[i] >= '0' && c[i] <= '9') || (c[i] >= 'a' && c[i] <= 'f')))
		i++;
	if (i == 2 || i >= n - 1 || c[i] != '.')
		return 0;
	for (i++; i < n; i++)
		if (c[i] == '/')
			return 0;
	return 1;
}

char *fv_side_key(const struct fv_side *s, const char *path)
{
	size_t n = strlen(path);
	/* A chunk component is at least 5 bytes ("0x0.a"); its key at most 7 more ("a#4294967295"). */
	char *out = malloc(2 * n + 16), *prefix = malloc(n + 1);
	if (!out || !prefix) {
		free(out);
		free(prefix);
		return NULL;
	}
	size_t k = 0;
	const char *c = strchr(path, '!');
	while (c) {
		const char *start = c + 1, *next = strchr(start, '!');
		size_t len = next ? (size_t)(next - start) : strlen(start);
		const struct fv_side_rank *r = NULL;
		if (chunk_name(start, len)) {
			size_t plen = (size_t)(start - path) + len;
			memcpy(prefix, path, plen);
			prefix[plen] = 0;
			struct fv_side_rank key = { .path = prefix };
			r = bsearch(&key, s->ranks, s->nranks, sizeof *s->ranks, by_path);
		}
		if (k)
			out[k++] = '!';
		if (r) {
			k += (size_t)sprintf(out + k, r->rank ? "%s#%u" : "%s", r->format, r->rank);
		} else {
			memcpy(out + k, start, len);
			k += len;
		}
		c = next;
	}
	out[k] = 0;
	free(prefix);
	return out;
}

void fv_side_formats(const struct fv_side *s, char *out, size_t cap)
{
	size_t k = 0;
	if (!cap)
		return;
	out[0] = 0;
	for (size_t i = 0; i < s->u->nentries; i++) {
		const struct fv_xentry *e = &s->u->entries[i];
		if (strchr(e->path, '!') != strrchr(e->path, '!') || !strcmp(e->format, "padding") ||
		    !strcmp(e->format, "unknown"))
			continue;
		size_t fl = strlen(e->format);
		int seen = 0;
		for (const char *p = out; !seen && (p = strstr(p, e->format)); p += fl)
			seen = (p == out || p[-1] == ' ') && (p[fl] == ' ' || p[fl] == 0);
		if (!seen && k + fl + 2 < cap)
			k += (size_t)snprintf(out + k, cap - k, "%s%s", k ? " " : "", e->format);
	}
}

static int by_offset(const void *x, const void *y)
{
	const struct fv_xentry *a = *(const struct fv_xentry *const *)x, *b = *(const struct fv_xentry *const *)y;
	return a->off < b->off ? -1 : a->off > b->off;
}

const struct fv_xentry **fv_side_chunks(const struct fv_side *s, const char *parent, size_t *n)
{
	size_t pl = strlen(parent), m = 0;
	const struct fv_xentry **v = NULL;
	*n = 0;
	for (size_t i = 0; i < s->nranks; i++) {
		const struct fv_side_rank *r = &s->ranks[i];
		if (r->parent_len != pl || memcmp(r->path, parent, pl))
			continue;
		if (!v && !(v = malloc(s->nranks * sizeof *v)))
			return NULL;
		v[m++] = r->e;
	}
	if (v)
		qsort(v, m, sizeof *v, by_offset);
	*n = m;
	return v;
}

const char *fv_side_label(const struct fv_side *s, size_t *len)
{
	const char *p = s->u->nentries ? s->u->entries[0].path : s->inv->nfiles ? s->inv->files[0].x->path : "";
	const char *bang = strchr(p, '!');
	*len = bang ? (size_t)(bang - p) : strlen(p);
	return p;
}

struct keyed {
	const char *key;
	size_t i;
};

static int by_key(const void *x, const void *y)
{
	const struct keyed *a = x, *b = y;
	int c = strcmp(a->key, b->key);
	return c ? c : a->i < b->i ? -1 : a->i > b->i;
}

static struct keyed *sorted_keys(const struct fv_side *s)
{
	struct keyed *v = malloc((s->inv->nfiles + 1) * sizeof *v);
	if (!v)
		return NULL;
	for (size_t i = 0; i < s->inv->nfiles; i++)
		v[i] = (struct keyed){ s->keys[i], i };
	if (s->inv->nfiles)
		qsort(v, s->inv->nfiles, sizeof *v, by_key);
	return v;
}

int fv_pair_files(const struct fv_side *a, const struct fv_side *b, struct fv_pair **out, size_t *n)
{
	size_t na = a->inv->nfiles, nb = b->inv->nfiles, i = 0, k = 0, m = 0;
	struct keyed *ka = sorted_keys(a), *kb = sorted_keys(b);
	struct fv_pair *p = malloc((na + nb + 1) * sizeof *p);
	if (!ka || !kb || !p) {
		free(ka);
		free(kb);
		free(p);
		return FV_ENOMEM;
	}
	while (i < na || k < nb) {
		int c = i == na ? 1 : k == nb ? -1 : strcmp(ka[i].key, kb[k].key);
		if (c == 0)
			p[m++] = (struct fv_pair){ ka[i].i, kb[k].i, ka[i].key }, i++, k++;
		else if (c < 0)
			p[m++] = (struct fv_pair){ ka[i].i, SIZE_MAX, ka[i].key }, i++;
		else
			p[m++] = (struct fv_pair){ SIZE_MAX, kb[k].i, kb[k].key }, k++;
	}
	free(ka);
	free(kb);
	*out = p;
	*n = m;
	return FV_OK;
}
