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

#endif
