/*
 * The bounded cursor: the only way a parser reads untrusted bytes.
 *
 * Errors are sticky.  A read past the end sets `err`, returns zero and leaves
 * the position where it was, so a parser may read a whole header and check
 * `fv_cur_ok()` once, instead of testing every field.  Every length taken from
 * the input goes through fv_cur_bytes() or fv_cur_skip(), which refuse it
 * unless that many bytes are really there.
 */
#ifndef FV_CORE_CURSOR_H
#define FV_CORE_CURSOR_H

#include <stddef.h>
#include <stdint.h>

struct fv_cur {
	const uint8_t *p;
	size_t len;
	size_t pos;
	int err; /* nonzero once any read went past the end */
};

static inline struct fv_cur fv_cur_make(const void *p, size_t len)
{
	struct fv_cur c = { (const uint8_t *)p, len, 0, 0 };
	return c;
}

static inline int fv_cur_ok(const struct fv_cur *c) { return !c->err; }
static inline size_t fv_cur_left(const struct fv_cur *c) { return c->len - c->pos; }

/* Take n bytes; NULL (and a sticky error) if fewer are left. */
static inline const uint8_t *fv_cur_bytes(struct fv_cur *c, size_t n)
{
	if (c->err || n > c->len - c->pos) {
		c->err = 1;
		return NULL;
	}
	const uint8_t *r = c->p + c->pos;
	c->pos += n;
	return r;
}

static inline int fv_cur_skip(struct fv_cur *c, size_t n) { return fv_cur_bytes(c, n) != NULL; }

static inline int fv_cur_seek(struct fv_cur *c, size_t pos)
{
	if (c->err || pos > c->len) {
		c->err = 1;
		return 0;
	}
	c->pos = pos;
	return 1;
}

/* A sub-cursor over the next n bytes, which are consumed from c. */
static inline struct fv_cur fv_cur_sub(struct fv_cur *c, size_t n)
{
	const uint8_t *p = fv_cur_bytes(c, n);
	struct fv_cur s = { p, p ? n : 0, 0, p == NULL };
	return s;
}

static inline uint8_t fv_cur_u8(struct fv_cur *c)
{
	const uint8_t *b = fv_cur_bytes(c, 1);
	return b ? b[0] : 0;
}

static inline uint16_t fv_get_le16(const uint8_t *b) { return (uint16_t)(b[0] | b[1] << 8); }
static inline uint16_t fv_get_be16(const uint8_t *b) { return (uint16_t)(b[1] | b[0] << 8); }
static inline uint32_t fv_get_le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static inline uint32_t fv_get_be32(const uint8_t *b)
{
	return (uint32_t)b[3] | (uint32_t)b[2] << 8 | (uint32_t)b[1] << 16 | (uint32_t)b[0] << 24;
}
static inline uint64_t fv_get_le64(const uint8_t *b)
{
	return (uint64_t)fv_get_le32(b) | (uint64_t)fv_get_le32(b + 4) << 32;
}
static inline uint64_t fv_get_be64(const uint8_t *b)
{
	return (uint64_t)fv_get_be32(b + 4) | (uint64_t)fv_get_be32(b) << 32;
}

#define FV_CUR_READER(name, type, n, get)                                                          \
	static inline type fv_cur_##name(struct fv_cur *c)                                         \
	{                                                                                          \
		const uint8_t *b = fv_cur_bytes(c, n);                                             \
		return b ? get(b) : 0;                                                             \
	}
FV_CUR_READER(le16, uint16_t, 2, fv_get_le16)
FV_CUR_READER(be16, uint16_t, 2, fv_get_be16)
FV_CUR_READER(le32, uint32_t, 4, fv_get_le32)
FV_CUR_READER(be32, uint32_t, 4, fv_get_be32)
FV_CUR_READER(le64, uint64_t, 8, fv_get_le64)
FV_CUR_READER(be64, uint64_t, 8, fv_get_be64)
#undef FV_CUR_READER

/* Endianness chosen at run time, for formats found in both byte orders. */
static inline uint16_t fv_cur_u16e(struct fv_cur *c, int be) { return be ? fv_cur_be16(c) : fv_cur_le16(c); }
static inline uint32_t fv_cur_u32e(struct fv_cur *c, int be) { return be ? fv_cur_be32(c) : fv_cur_le32(c); }
static inline uint64_t fv_cur_u64e(struct fv_cur *c, int be) { return be ? fv_cur_be64(c) : fv_cur_le64(c); }

#endif
