#include "core/buf.h"
#include "core/err.h"

#include <stdlib.h>
#include <string.h>

int fv_buf_reserve(struct fv_buf *b, size_t extra)
{
	if (extra <= b->cap - b->len)
		return FV_OK;
	if (extra > SIZE_MAX / 2 - b->len)
		return FV_ENOMEM;
	size_t cap = b->cap ? b->cap : 256;
	while (cap - b->len < extra)
		cap *= 2;
	uint8_t *p = realloc(b->data, cap);
	if (!p)
		return FV_ENOMEM;
	b->data = p;
	b->cap = cap;
	return FV_OK;
}

int fv_buf_append(struct fv_buf *b, const void *p, size_t n)
{
	int e = fv_buf_reserve(b, n);
	if (e)
		return e;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return FV_OK;
}

void fv_buf_free(struct fv_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int fv_grow(void *vp, size_t *cap, size_t n, size_t elem)
{
	void **v = vp;
	if (n < *cap)
		return FV_OK;
	size_t ncap = *cap ? *cap * 2 : 16;
	if (ncap < *cap || ncap > SIZE_MAX / elem)
		return FV_ENOMEM;
	void *p = realloc(*v, ncap * elem);
	if (!p)
		return FV_ENOMEM;
	*v = p;
	*cap = ncap;
	return FV_OK;
}
