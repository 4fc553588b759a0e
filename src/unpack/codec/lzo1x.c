/*
 * LZO1X decompressor, written from the public description of the bitstream
 * (Linux Documentation/staging/lzo.rst).  Every instruction is decoded with
 * explicit bounds checks on input, output and back-reference distance, so a
 * hostile block can only make it fail, never read or write out of bounds.
 *
 * The instruction meaning depends on how many literals the previous
 * instruction copied ("state"): 0, 1..3, or 4 for a literal run.
 */
#include "unpack/codec/lzo1x.h"

#include <string.h>

#include "core/err.h"

struct lzo_rd {
	const uint8_t *in;
	size_t inlen, ip;
	uint8_t *out;
	size_t cap, op;
};

/*
 * A length that did not fit its instruction's bits: each zero byte adds 255,
 * the first non-zero byte ends it.  Bounded by cap so it cannot overflow;
 * any length above the output capacity is already an error.
 */
static int ext_len(struct lzo_rd *r, size_t base, size_t *len)
{
	size_t n = 0;
	for (;;) {
		if (r->ip >= r->inlen)
			return FV_ETRUNC;
		uint8_t b = r->in[r->ip++];
		if (b) {
			n += base + b;
			break;
		}
		n += 255;
		if (n > r->cap)
			return FV_ELIMIT;
	}
	*len = n;
	return 0;
}

static int literals(struct lzo_rd *r, size_t n)
{
	size_t have = r->inlen - r->ip;
	size_t room = r->cap - r->op;
	size_t k = n;
	if (k > have)
		k = have;
	if (k > room)
		k = room;
	memcpy(r->out + r->op, r->in + r->ip, k);
	r->op += k;
	r->ip += k;
	if (k < n)
		return n > room ? FV_ELIMIT : FV_ETRUNC;
	return 0;
}

static int match(struct lzo_rd *r, size_t dist, size_t len)
{
	if (dist > r->op)
		return FV_EFORMAT;
	size_t room = r->cap - r->op;
	size_t k = len < room ? len : room;
	uint8_t *d = r->out + r->op;
	const uint8_t *s = d - dist;
	if (dist >= k) {
		memcpy(d, s, k);
	} else {
		/* Overlapping copy repeats the last dist bytes, byte by byte. */
		for (size_t i = 0; i < k; i++)
			d[i] = s[i];
	}
	r->op += k;
	return k < len ? FV_ELIMIT : 0;
}

static int decode(struct lzo_rd *r)
{
	unsigned state = 0;
	int e;

	if (r->inlen == 0)
		return FV_ETRUNC;
	/* The first byte may open with a literal run (there is no history yet). */
	if (r->in[0] > 17) {
		size_t t = (size_t)r->in[0] - 17;
		r->ip = 1;
		if ((e = literals(r, t)))
			return e;
		state = t < 4 ? (unsigned)t : 4;
	}

	for (;;) {
		size_t len, dist;
		unsigned s;
		if (r->ip >= r->inlen)
			return FV_ETRUNC;
		unsigned t = r->in[r->ip++];

		if (t < 16) {
			if (state == 0) {
				/* A run of 4 or more literals. */
				len = t;
				if (!len && (e = ext_len(r, 15, &len)))
					return e;
				if ((e = literals(r, len + 3)))
					return e;
				state = 4;
				continue;
			}
			if (r->ip >= r->inlen)
				return FV_ETRUNC;
			size_t h = r->in[r->ip++];
			if (state < 4) {
				dist = (h << 2) + (t >> 2) + 1;
				len = 2;
			} else {
				dist = (h << 2) + (t >> 2) + 2049;
				len = 3;
			}
			s = t & 3;
		} else if (t < 32) {
			len = t & 7;
			if (!len && (e = ext_len(r, 7, &len)))
				return e;
			len += 2;
			if (r->inlen - r->ip < 2)
				return FV_ETRUNC;
			size_t v = (size_t)r->in[r->ip] | (size_t)r->in[r->ip + 1] << 8;
			r->ip += 2;
			dist = ((size_t)(t & 8) << 11) + (v >> 2);
			if (dist == 0)
				return 0; /* end of stream marker */
			dist += 16384;
			s = v & 3;
		} else if (t < 64) {
			len = t & 31;
			if (!len && (e = ext_len(r, 31, &len)))
				return e;
			len += 2;
			if (r->inlen - r->ip < 2)
				return FV_ETRUNC;
			size_t v = (size_t)r->in[r->ip] | (size_t)r->in[r->ip + 1] << 8;
			r->ip += 2;
			dist = (v >> 2) + 1;
			s = v & 3;
		} else {
			if (r->ip >= r->inlen)
				return FV_ETRUNC;
			size_t h = r->in[r->ip++];
			len = t < 128 ? 3 + ((t >> 5) & 1) : 5 + ((t >> 5) & 3);
			dist = (h << 3) + ((t >> 2) & 7) + 1;
			s = t & 3;
		}
		if ((e = match(r, dist, len)))
			return e;
		if (s && (e = literals(r, s)))
			return e;
		state = s;
	}
}

int fv_lzo1x_decompress(const uint8_t *in, size_t inlen, uint8_t *out, size_t *outlen,
			size_t *consumed)
{
	struct lzo_rd r = { in, inlen, 0, out, *outlen, 0 };
	int e = decode(&r);
	*outlen = r.op;
	*consumed = r.ip;
	return e;
}
