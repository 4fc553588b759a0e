/* A growable byte buffer, for the few places that must build output in memory. */
#ifndef FV_CORE_BUF_H
#define FV_CORE_BUF_H

#include <stddef.h>
#include <stdint.h>

struct fv_buf {
	uint8_t *data;
	size_t len, cap;
};

int fv_buf_reserve(struct fv_buf *b, size_t extra);
int fv_buf_append(struct fv_buf *b, const void *p, size_t n);
void fv_buf_free(struct fv_buf *b);

/*
 * Makes room for one more element in a growable array (*v holding n of
 * *cap elements of size elem), doubling as needed.  0 or FV_ENOMEM.
 */
int fv_grow(void *v, size_t *cap, size_t n, size_t elem);

#endif
