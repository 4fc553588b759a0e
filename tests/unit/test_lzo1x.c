/*
 * Our LZO1X decoder against real lzop output (lzop -1: LZO1X-1(15), the
 * default: LZO1X-1, -9: LZO1X-999), made at test time, and against small
 * hand-made streams that probe its bounds checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/codec/lzo1x.h"
#include "unpack/codec/stream_hdr.h"
#include "testlib.h"

static uint8_t *make_data(size_t n)
{
	return fv_test_mixed_data(n, 12345, "firmware root:x:0:0 busybox ", 777);
}

/* Compresses data with the real lzop at the given option; returns the file. */
static uint8_t *run_lzop(const uint8_t *data, size_t n, const char *opt, size_t *outlen)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "lzop -q %s -o in.bin.lzo in.bin", opt);
	return fv_test_filter(data, n, "in.bin", cmd, "in.bin.lzo", outlen);
}

/*
 * Walks the lzop file's blocks and decodes each compressed one with
 * fv_lzo1x_decompress; returns the number of LZO blocks decoded.
 */
static unsigned decode_lzop_blocks(const uint8_t *f, size_t flen, const uint8_t *orig, size_t n)
{
	struct fv_lzop_hdr h;
	char err[160] = "";
	assert_int_equal(fv_lzop_header(f, flen, &h, err, sizeof err), 0);
	struct fv_cur c = fv_cur_make(f, flen);
	fv_cur_seek(&c, h.hdrlen);
	size_t done = 0;
	unsigned blocks = 0;
	for (;;) {
		uint32_t us = fv_cur_be32(&c);
		if (us == 0)
			break;
		uint32_t cs = fv_cur_be32(&c);
		if (h.flags & FV_LZOP_ADLER32_D)
			fv_cur_skip(&c, 4);
		if (h.flags & FV_LZOP_CRC32_D)
			fv_cur_skip(&c, 4);
		if (cs < us && (h.flags & FV_LZOP_ADLER32_C))
			fv_cur_skip(&c, 4);
		if (cs < us && (h.flags & FV_LZOP_CRC32_C))
			fv_cur_skip(&c, 4);
		const uint8_t *blk = fv_cur_bytes(&c, cs);
		assert_true(fv_cur_ok(&c));
		assert_true(done + us <= n);
		if (cs == us) {
			assert_memory_equal(blk, orig + done, us);
		} else {
			uint8_t *o = malloc(us + 16);
			size_t olen = us + 16, used = 0;
			assert_int_equal(fv_lzo1x_decompress(blk, cs, o, &olen, &used), 0);
			assert_int_equal(olen, us);
			assert_int_equal(used, cs);
			assert_memory_equal(o, orig + done, us);

			/* Exactly the right capacity is enough; one byte less is not. */
			olen = us;
			assert_int_equal(fv_lzo1x_decompress(blk, cs, o, &olen, &used), 0);
			olen = us - 1;
			assert_int_equal(fv_lzo1x_decompress(blk, cs, o, &olen, &used), FV_ELIMIT);
			assert_int_equal(olen, us - 1);
			assert_memory_equal(o, orig + done, us - 1);

			/* Cut short: what was decoded is right, and it says so. */
			olen = us;
			assert_int_equal(fv_lzo1x_decompress(blk, cs / 2, o, &olen, &used), FV_ETRUNC);
			assert_true(olen > 0 && olen < us);
			assert_memory_equal(o, orig + done, olen);
			free(o);
			blocks++;
		}
		done += us;
	}
	assert_int_equal(done, n);
	return blocks;
}

static void real_lzop_levels(void **state)
{
	(void)state;
	const size_t n = 700000; /* three 256 KiB lzop blocks */
	uint8_t *d = make_data(n);
	const char *opts[] = { "-1", "-3", "-9" };
	for (size_t i = 0; i < 3; i++) {
		size_t flen;
		uint8_t *f = run_lzop(d, n, opts[i], &flen);
		assert_true(decode_lzop_blocks(f, flen, d, n) >= 2);
		free(f);
	}
	free(d);
}

static void empty_stream(void **state)
{
	(void)state;
	const uint8_t s[] = { 0x11, 0x00, 0x00 };
	uint8_t o[4];
	size_t olen = sizeof o, used = 0;
	assert_int_equal(fv_lzo1x_decompress(s, sizeof s, o, &olen, &used), 0);
	assert_int_equal(olen, 0);
	assert_int_equal(used, 3);
}

/* "abcde" as a first literal run, then a 3-byte match 5 back, then the end. */
static const uint8_t small[] = { 22, 'a', 'b', 'c', 'd', 'e', 0x50, 0x00, 0x11, 0x00, 0x00 };

static void small_match(void **state)
{
	(void)state;
	uint8_t o[32];
	size_t olen = sizeof o, used = 0;
	/* Trailing bytes after the end marker are not consumed. */
	uint8_t in[sizeof small + 2];
	memcpy(in, small, sizeof small);
	in[sizeof small] = 0xAA;
	in[sizeof small + 1] = 0xBB;
	assert_int_equal(fv_lzo1x_decompress(in, sizeof in, o, &olen, &used), 0);
	assert_int_equal(olen, 8);
	assert_memory_equal(o, "abcdeabc", 8);
	assert_int_equal(used, sizeof small);
}

static void refuses_overlong_output(void **state)
{
	(void)state;
	uint8_t o[6];
	size_t olen = sizeof o, used = 0;
	assert_int_equal(fv_lzo1x_decompress(small, sizeof small, o, &olen, &used), FV_ELIMIT);
	assert_int_equal(olen, 6);
	assert_memory_equal(o, "abcdea", 6);
	/* Even the first literal run may not overflow. */
	olen = 3;
	assert_int_equal(fv_lzo1x_decompress(small, sizeof small, o, &olen, &used), FV_ELIMIT);
	assert_int_equal(olen, 3);
}

static void refuses_reference_before_start(void **state)
{
	(void)state;
	/* A 3-byte match 9 back after only 5 bytes of output. */
	const uint8_t s[] = { 22, 'a', 'b', 'c', 'd', 'e', 0x40, 0x01, 0x11, 0x00, 0x00 };
	uint8_t o[32];
	size_t olen = sizeof o, used = 0;
	assert_int_equal(fv_lzo1x_decompress(s, sizeof s, o, &olen, &used), FV_EFORMAT);
	assert_int_equal(olen, 5);
	/* A stream that opens with a (16 KiB + 1 back) match has no history at all. */
	const uint8_t s2[] = { 0x11, 0x04, 0x00, 0x11, 0x00, 0x00 };
	olen = sizeof o;
	assert_int_equal(fv_lzo1x_decompress(s2, sizeof s2, o, &olen, &used), FV_EFORMAT);
	assert_int_equal(olen, 0);
}

static void truncated_stream(void **state)
{
	(void)state;
	uint8_t o[32];
	for (size_t cut = 0; cut < sizeof small; cut++) {
		size_t olen = sizeof o, used = 0;
		assert_int_equal(fv_lzo1x_decompress(small, cut, o, &olen, &used), FV_ETRUNC);
		assert_true(used <= cut);
		assert_memory_equal(o, "abcdeabc", olen);
	}
	/* Only the end marker missing: all of the data is there. */
	size_t olen = sizeof o, used = 0;
	assert_int_equal(fv_lzo1x_decompress(small, sizeof small - 3, o, &olen, &used), FV_ETRUNC);
	assert_int_equal(olen, 8);
}

static void long_literal_run(void **state)
{
	(void)state;
	/* State 0, length 0, one zero byte, then 5: 255 + 15 + 5 + 3 = 278 literals. */
	uint8_t s[3 + 278 + 3];
	s[0] = 0x00;
	s[1] = 0x00;
	s[2] = 0x05;
	for (size_t i = 0; i < 278; i++)
		s[3 + i] = (uint8_t)i;
	s[281] = 0x11;
	s[282] = 0;
	s[283] = 0;
	uint8_t o[300];
	size_t olen = sizeof o, used = 0;
	assert_int_equal(fv_lzo1x_decompress(s, sizeof s, o, &olen, &used), 0);
	assert_int_equal(olen, 278);
	assert_int_equal(used, sizeof s);
	assert_memory_equal(o, s + 3, 278);
}

static void huge_length_does_not_overflow(void **state)
{
	(void)state;
	/* A length made of a megabyte of zero bytes: stops at the capacity. */
	size_t n = 1 << 20;
	uint8_t *s = calloc(n, 1);
	assert_non_null(s);
	uint8_t o[64];
	size_t olen = sizeof o, used = 0;
	assert_int_equal(fv_lzo1x_decompress(s, n, o, &olen, &used), FV_ELIMIT);
	assert_int_equal(olen, 0);
	assert_true(used < 16);
	free(s);
}

static void garbage_and_bit_flips(void **state)
{
	(void)state;
	/* No crash and no out-of-bounds access (ASan run) on anything. */
	uint8_t in[512], o[4096];
	uint32_t x = 99;
	for (int round = 0; round < 20000; round++) {
		size_t len = 1 + round % sizeof in;
		for (size_t i = 0; i < len; i++) {
			x = x * 1103515245u + 12345u;
			in[i] = (uint8_t)(x >> 24);
		}
		size_t olen = (size_t)(x >> 8) % sizeof o, used = 0;
		int e = fv_lzo1x_decompress(in, len, o, &olen, &used);
		assert_true(e == 0 || e == FV_ETRUNC || e == FV_ELIMIT || e == FV_EFORMAT);
		assert_true(used <= len);
	}
	const size_t n = 100000;
	uint8_t *d = make_data(n);
	size_t flen;
	uint8_t *f = run_lzop(d, n, "-9", &flen);
	uint8_t *out = malloc(n);
	/* The block starts after the header and three block fields. */
	struct fv_lzop_hdr h;
	assert_int_equal(fv_lzop_header(f, flen, &h, NULL, 0), 0);
	size_t start = h.hdrlen + 12, cs = fv_get_be32(f + h.hdrlen + 4);
	assert_true(start + cs <= flen);
	for (int i = 0; i < 3000; i++) {
		x = x * 1103515245u + 12345u;
		size_t at = start + (x >> 8) % cs;
		uint8_t save = f[at];
		f[at] ^= (uint8_t)(1u << (x % 8));
		size_t olen = n, used = 0;
		int e = fv_lzo1x_decompress(f + start, cs, out, &olen, &used);
		assert_true(e <= 0);
		assert_true(olen <= n);
		f[at] = save;
	}
	free(out);
	free(f);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_lzop_levels),
		cmocka_unit_test(empty_stream),
		cmocka_unit_test(small_match),
		cmocka_unit_test(refuses_overlong_output),
		cmocka_unit_test(refuses_reference_before_start),
		cmocka_unit_test(truncated_stream),
		cmocka_unit_test(long_literal_run),
		cmocka_unit_test(huge_length_does_not_overflow),
		cmocka_unit_test(garbage_and_bit_flips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
