/*
 * The stream decoders and the compressor formats' probes, on streams made
 * at test time with the real libraries (and the real lzop), then cut short,
 * corrupted, limited and replaced by garbage.
 */
#include <bzlib.h>
#include <lz4.h>
#include <lz4frame.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "core/err.h"
#include "unpack/codec/stream.h"
#include "unpack/codec/stream_hdr.h"
#include "testlib.h"

extern const struct fv_format fv_format_gzip, fv_format_zlib, fv_format_xz, fv_format_lzma,
	fv_format_bzip2, fv_format_zstd, fv_format_lz4, fv_format_lzop;

struct blob {
	uint8_t *p;
	size_t n, cap;
};

static void blob_add(struct blob *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static int collect(void *ctx, const uint8_t *p, size_t n)
{
	blob_add(ctx, p, n);
	return 0;
}

static uint8_t *make_data(size_t n, uint32_t seed)
{
	return fv_test_mixed_data(n, seed, "#!/bin/sh telnetd -l /bin/sh ", 999);
}

/* ---- compressors, with the real libraries ---------------------------------- */

static void c_deflate(struct blob *o, const uint8_t *d, size_t n, int wbits, gz_header *gh)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY), Z_OK);
	if (gh)
		assert_int_equal(deflateSetHeader(&z, gh), Z_OK);
	uint8_t buf[65536];
	z.next_in = (Bytef *)(uintptr_t)d;
	z.avail_in = (uInt)n;
	int r;
	do {
		z.next_out = buf;
		z.avail_out = sizeof buf;
		r = deflate(&z, Z_FINISH);
		blob_add(o, buf, sizeof buf - z.avail_out);
	} while (r == Z_OK);
	assert_int_equal(r, Z_STREAM_END);
	deflateEnd(&z);
}

static void c_lzma(struct blob *o, const uint8_t *d, size_t n, int alone)
{
	lzma_stream s = LZMA_STREAM_INIT;
	if (alone) {
		lzma_options_lzma opt;
		assert_false(lzma_lzma_preset(&opt, 6));
		opt.dict_size = 1u << 20;
		assert_int_equal(lzma_alone_encoder(&s, &opt), LZMA_OK);
	} else {
		assert_int_equal(lzma_easy_encoder(&s, 6, LZMA_CHECK_CRC64), LZMA_OK);
	}
	uint8_t buf[65536];
	s.next_in = d;
	s.avail_in = n;
	lzma_ret r;
	do {
		s.next_out = buf;
		s.avail_out = sizeof buf;
		r = lzma_code(&s, LZMA_FINISH);
		blob_add(o, buf, sizeof buf - s.avail_out);
	} while (r == LZMA_OK);
	assert_int_equal(r, LZMA_STREAM_END);
	lzma_end(&s);
}

static void c_bzip2(struct blob *o, const uint8_t *d, size_t n, int block100k)
{
	unsigned cap = (unsigned)(n + n / 50 + 1000);
	char *buf = malloc(cap);
	assert_int_equal(BZ2_bzBuffToBuffCompress(buf, &cap, (char *)(uintptr_t)d, (unsigned)n,
						  block100k, 0, 0),
			 BZ_OK);
	blob_add(o, buf, cap);
	free(buf);
}

static void c_zstd(struct blob *o, const uint8_t *d, size_t n, int checksum)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, checksum);
	size_t cap = ZSTD_compressBound(n);
	uint8_t *buf = malloc(cap);
	size_t k = ZSTD_compress2(c, buf, cap, d, n);
	assert_false(ZSTD_isError(k));
	blob_add(o, buf, k);
	free(buf);
	ZSTD_freeCCtx(c);
}

static void c_lz4f(struct blob *o, const uint8_t *d, size_t n)
{
	LZ4F_preferences_t pr;
	memset(&pr, 0, sizeof pr);
	pr.frameInfo.blockSizeID = LZ4F_max64KB;
	pr.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
	pr.frameInfo.contentSize = n;
	size_t cap = LZ4F_compressFrameBound(n, &pr);
	uint8_t *buf = malloc(cap);
	size_t k = LZ4F_compressFrame(buf, cap, d, n, &pr);
	assert_false(LZ4F_isError(k));
	blob_add(o, buf, k);
	free(buf);
}

/* The legacy format: magic, then blocks of 8 MiB input, each with its size. */
static void c_lz4_legacy(struct blob *o, const uint8_t *d, size_t n)
{
	const uint8_t magic[4] = { 0x02, 0x21, 0x4c, 0x18 };
	blob_add(o, magic, 4);
	int cap = LZ4_compressBound(8 << 20);
	char *buf = malloc((size_t)cap);
	for (size_t at = 0; at < n; at += 8 << 20) {
		size_t len = n - at < (8u << 20) ? n - at : (8u << 20);
		int k = LZ4_compress_default((const char *)d + at, buf, (int)len, cap);
		assert_true(k > 0);
		uint8_t sz[4] = { (uint8_t)k, (uint8_t)(k >> 8), (uint8_t)(k >> 16), (uint8_t)(k >> 24) };
		blob_add(o, sz, 4);
		blob_add(o, buf, (size_t)k);
	}
	free(buf);
}

static void c_lzop(struct blob *o, const uint8_t *d, size_t n, const char *opt)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "lzop -q %s -o data.bin.lzo data.bin", opt);
	size_t k;
	uint8_t *z = fv_test_filter(d, n, "data.bin", cmd, "data.bin.lzo", &k);
	blob_add(o, z, k);
	free(z);
}

/* ---- one compressed sample per codec --------------------------------------- */

#define N_DATA 700000

struct sample {
	enum fv_codec c;
	const struct fv_format *fmt;
	struct blob z;
	uint8_t *data;
	size_t n;
};

static gz_header gzh;

static void make(struct sample *s, enum fv_codec c)
{
	memset(s, 0, sizeof *s);
	s->c = c;
	s->n = c == FV_CODEC_LZ4_LEGACY ? (9u << 20) : N_DATA;
	s->data = make_data(s->n, 7 + (uint32_t)c);
	switch (c) {
	case FV_CODEC_GZIP:
		memset(&gzh, 0, sizeof gzh);
		gzh.name = (Bytef *)"dir/hello.txt";
		gzh.comment = (Bytef *)"a comment";
		gzh.extra = (Bytef *)"XYabcd";
		gzh.extra_len = 6;
		gzh.time = 1700000000;
		gzh.os = 3;
		gzh.hcrc = 1;
		c_deflate(&s->z, s->data, s->n, 31, &gzh);
		s->fmt = &fv_format_gzip;
		break;
	case FV_CODEC_ZLIB: c_deflate(&s->z, s->data, s->n, 15, NULL); s->fmt = &fv_format_zlib; break;
	case FV_CODEC_DEFLATE: c_deflate(&s->z, s->data, s->n, -15, NULL); break;
	case FV_CODEC_XZ: c_lzma(&s->z, s->data, s->n, 0); s->fmt = &fv_format_xz; break;
	case FV_CODEC_LZMA: c_lzma(&s->z, s->data, s->n, 1); s->fmt = &fv_format_lzma; break;
	case FV_CODEC_BZIP2: c_bzip2(&s->z, s->data, s->n, 1); s->fmt = &fv_format_bzip2; break;
	case FV_CODEC_ZSTD: c_zstd(&s->z, s->data, s->n, 1); s->fmt = &fv_format_zstd; break;
	case FV_CODEC_LZ4F: c_lz4f(&s->z, s->data, s->n); s->fmt = &fv_format_lz4; break;
	case FV_CODEC_LZ4_LEGACY: c_lz4_legacy(&s->z, s->data, s->n); s->fmt = &fv_format_lz4; break;
	case FV_CODEC_LZO: c_lzop(&s->z, s->data, s->n, "-9"); s->fmt = &fv_format_lzop; break;
	default: fail();
	}
}

static void unmake(struct sample *s)
{
	free(s->z.p);
	free(s->data);
}

static const enum fv_codec all[] = {
	FV_CODEC_GZIP,	FV_CODEC_ZLIB, FV_CODEC_DEFLATE, FV_CODEC_XZ,	      FV_CODEC_LZMA,
	FV_CODEC_BZIP2, FV_CODEC_ZSTD, FV_CODEC_LZ4F,	 FV_CODEC_LZ4_LEGACY, FV_CODEC_LZO,
};
#define N_ALL (sizeof all / sizeof all[0])

static struct sample samples[N_ALL];

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ALL; i++)
		make(&samples[i], all[i]);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ALL; i++)
		unmake(&samples[i]);
	return 0;
}

/* ---- decoder tests ----------------------------------------------------------- */

static void round_trips_with_exact_size(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ALL; i++) {
		struct sample *s = &samples[i];
		/* Whatever follows the stream is not part of it. */
		struct blob in = { 0 };
		blob_add(&in, s->z.p, s->z.n);
		blob_add(&in, "\x01\x02\x03trailing", 11);
		struct blob out = { 0 };
		struct fv_decode r;
		int e = fv_decode(s->c, in.p, in.n, 0, collect, &out, &r);
		if (e || !r.ended)
			fail_msg("%s: %d %s", fv_codec_name(s->c), e, r.err);
		assert_int_equal(r.consumed, s->z.n);
		assert_int_equal(r.produced, s->n);
		assert_int_equal(out.n, s->n);
		assert_memory_equal(out.p, s->data, s->n);
		/* And without anything after it, without an output callback. */
		e = fv_decode(s->c, s->z.p, s->z.n, 0, NULL, NULL, &r);
		assert_int_equal(e, 0);
		assert_int_equal(r.consumed, s->z.n);
		assert_int_equal(r.produced, s->n);
		free(in.p);
		free(out.p);
	}
}

static void truncation_delivers_partial_output(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ALL; i++) {
		struct sample *s = &samples[i];
		size_t cuts[] = { s->z.n / 2, s->z.n - 1 };
		for (size_t k = 0; k < 2; k++) {
			struct blob out = { 0 };
			struct fv_decode r;
			int e = fv_decode(s->c, s->z.p, cuts[k], 0, collect, &out, &r);
			if (e != FV_ETRUNC)
				fail_msg("%s cut at %zu of %zu: expected FV_ETRUNC, got %d (%s)",
					 fv_codec_name(s->c), cuts[k], s->z.n, e, r.err);
			assert_false(r.ended);
			assert_true(r.err[0] != 0);
			if (k == 0 && out.n == 0)
				fail_msg("%s: no partial output", fv_codec_name(s->c));
			assert_true(out.n <= s->n);
			if (out.n)
				assert_memory_equal(out.p, s->data, out.n);
			free(out.p);
		}
	}
}

static void output_limit(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ALL; i++) {
		struct sample *s = &samples[i];
		struct blob out = { 0 };
		struct fv_decode r;
		int e = fv_decode(s->c, s->z.p, s->z.n, 1000, collect, &out, &r);
		if (e != FV_ELIMIT)
			fail_msg("%s: expected FV_ELIMIT, got %d", fv_codec_name(s->c), e);
		assert_int_equal(r.produced, 1000);
		assert_int_equal(out.n, 1000);
		assert_memory_equal(out.p, s->data, 1000);
		free(out.p);
		/* The exact size is not over the limit. */
		e = fv_decode(s->c, s->z.p, s->z.n, s->n, NULL, NULL, &r);
		assert_int_equal(e, 0);
	}
}

static int refuse_after(void *ctx, const uint8_t *p, size_t n)
{
	(void)p;
	size_t *left = ctx;
	if (n > *left)
		return FV_ELIMIT;
	*left -= n;
	return 0;
}

static void callback_error_stops_decoding(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ALL; i++) {
		size_t left = 100000;
		struct fv_decode r;
		int e = fv_decode(samples[i].c, samples[i].z.p, samples[i].z.n, 0, refuse_after, &left, &r);
		assert_int_equal(e, FV_ELIMIT);
		assert_true(r.produced <= 100000);
	}
}

static void garbage_is_rejected(void **state)
{
	(void)state;
	uint8_t g[8192];
	for (uint32_t seed = 1; seed < 40; seed++) {
		fv_test_fill_random(g, sizeof g, seed);
		for (size_t i = 0; i < N_ALL; i++) {
			if (all[i] == FV_CODEC_DEFLATE)
				continue; /* raw deflate has no header: some garbage is valid */
			struct fv_decode r;
			int e = fv_decode(all[i], g, sizeof g, 0, NULL, NULL, &r);
			assert_true(e < 0);
			assert_true(r.err[0] != 0);
		}
	}
	/* Right headers, garbage after them. */
	for (size_t i = 0; i < N_ALL; i++) {
		struct sample *s = &samples[i];
		if (s->c == FV_CODEC_DEFLATE || s->c == FV_CODEC_LZ4_LEGACY)
			continue;
		memcpy(g, s->z.p, 64);
		fv_test_fill_random(g + 64, sizeof g - 64, 77);
		struct fv_decode r;
		int e = fv_decode(s->c, g, sizeof g, 0, NULL, NULL, &r);
		if (e >= 0)
			fail_msg("%s: garbage after the header accepted", fv_codec_name(s->c));
	}
}

static void bad_checksums(void **state)
{
	(void)state;
	struct {
		enum fv_codec c;
		long at; /* from the end if negative */
	} cases[] = {
		{ FV_CODEC_GZIP, -8 },	/* CRC32 */
		{ FV_CODEC_GZIP, -2 },	/* ISIZE */
		{ FV_CODEC_ZLIB, -1 },	/* Adler-32 */
		{ FV_CODEC_ZSTD, -1 },	/* content checksum */
		{ FV_CODEC_LZ4F, -1 },	/* content checksum */
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct sample *s = NULL;
		for (size_t i = 0; i < N_ALL; i++)
			if (samples[i].c == cases[k].c)
				s = &samples[i];
		uint8_t *z = malloc(s->z.n);
		memcpy(z, s->z.p, s->z.n);
		z[s->z.n + cases[k].at] ^= 0x40;
		struct fv_decode r;
		int e = fv_decode(s->c, z, s->z.n, 0, NULL, NULL, &r);
		if (e != FV_ECRC)
			fail_msg("%s at %ld: expected FV_ECRC, got %d (%s)", fv_codec_name(s->c),
				 cases[k].at, e, r.err);
		assert_non_null(strstr(r.err, "expected"));
		free(z);
	}
}

static void gzip_header_checks(void **state)
{
	(void)state;
	struct sample *s = &samples[0];
	struct fv_gzip_hdr h;
	char err[160] = "";
	assert_int_equal(fv_gzip_header(s->z.p, s->z.n, &h, err, sizeof err), 0);
	assert_int_equal(h.namelen, 13);
	assert_memory_equal(h.name, "dir/hello.txt", 13);
	assert_int_equal(h.mtime, 1700000000);
	assert_non_null(h.comment);
	/* The header CRC16 (FHCRC) is checked. */
	uint8_t *z = malloc(s->z.n);
	memcpy(z, s->z.p, s->z.n);
	z[h.hdrlen - 1] ^= 1;
	err[0] = 0;
	assert_int_equal(fv_gzip_header(z, s->z.n, &h, err, sizeof err), FV_ECRC);
	assert_non_null(strstr(err, "header CRC16"));
	memcpy(z, s->z.p, s->z.n);
	z[3] |= 0x80; /* a reserved flag */
	assert_int_equal(fv_gzip_header(z, s->z.n, &h, NULL, 0), FV_EFORMAT);
	/* A header cut inside the file name. */
	assert_int_equal(fv_gzip_header(s->z.p, 20, &h, NULL, 0), FV_ETRUNC);
	free(z);
}

static void lzop_checks(void **state)
{
	(void)state;
	struct sample *s = &samples[N_ALL - 1];
	assert_int_equal(s->c, FV_CODEC_LZO);
	struct fv_lzop_hdr h;
	char err[160] = "";
	assert_int_equal(fv_lzop_header(s->z.p, s->z.n, &h, err, sizeof err), 0);
	assert_int_equal(h.method, 3);
	assert_true(h.flags & FV_LZOP_ADLER32_D);
	uint8_t *z = malloc(s->z.n);
	/* Header checksum. */
	memcpy(z, s->z.p, s->z.n);
	z[h.hdrlen - 1] ^= 1;
	struct fv_decode r;
	assert_int_equal(fv_decode(FV_CODEC_LZO, z, s->z.n, 0, NULL, NULL, &r), FV_ECRC);
	/* The first block's Adler-32 of its data. */
	memcpy(z, s->z.p, s->z.n);
	z[h.hdrlen + 8] ^= 1;
	assert_int_equal(fv_decode(FV_CODEC_LZO, z, s->z.n, 0, NULL, NULL, &r), FV_ECRC);
	assert_non_null(strstr(r.err, "Adler-32"));
	/* A block claiming more than lzop ever writes. */
	memcpy(z, s->z.p, s->z.n);
	z[h.hdrlen] = 0x7f;
	assert_int_equal(fv_decode(FV_CODEC_LZO, z, s->z.n, 0, NULL, NULL, &r), FV_EFORMAT);
	free(z);

	/* CRC32 flavour and the other methods decode too. */
	const char *opts[] = { "-1 --crc32", "-3", "-9" };
	for (size_t i = 0; i < 3; i++) {
		struct blob b = { 0 }, out = { 0 };
		c_lzop(&b, s->data, s->n, opts[i]);
		assert_int_equal(fv_decode(FV_CODEC_LZO, b.p, b.n, 0, collect, &out, &r), 0);
		assert_int_equal(r.consumed, b.n);
		assert_int_equal(out.n, s->n);
		assert_memory_equal(out.p, s->data, s->n);
		free(b.p);
		free(out.p);
	}
}

static void xz_concatenation_and_padding(void **state)
{
	(void)state;
	struct sample *s = &samples[3];
	assert_int_equal(s->c, FV_CODEC_XZ);
	struct fv_decode r;
	for (size_t pad = 0; pad <= 8; pad++) {
		struct blob b = { 0 }, out = { 0 };
		static const uint8_t zeros[16];
		blob_add(&b, s->z.p, s->z.n);
		blob_add(&b, zeros, pad);
		blob_add(&b, s->z.p, s->z.n);
		blob_add(&b, zeros, 12); /* flash padding after: not part of the stream */
		assert_int_equal(fv_decode(FV_CODEC_XZ, b.p, b.n, 0, collect, &out, &r), 0);
		if (pad % 4 == 0) {
			assert_int_equal(r.consumed, 2 * s->z.n + pad);
			assert_int_equal(out.n, 2 * s->n);
			assert_memory_equal(out.p + s->n, s->data, s->n);
		} else {
			assert_int_equal(r.consumed, s->z.n);
			assert_int_equal(out.n, s->n);
		}
		free(b.p);
		free(out.p);
	}
}

static void lzma_header_sanity(void **state)
{
	(void)state;
	struct sample *s = &samples[4];
	assert_int_equal(s->c, FV_CODEC_LZMA);
	struct fv_lzma_hdr h;
	assert_int_equal(fv_lzma_header(s->z.p, s->z.n, 1, &h, NULL, 0), 0);
	assert_int_equal(h.lc, 3);
	assert_int_equal(h.lp, 0);
	assert_int_equal(h.pb, 2);
	assert_int_equal(h.dict, 1u << 20);
	assert_true(h.usize == UINT64_MAX);
	uint8_t *z = malloc(s->z.n);
	struct {
		size_t at;
		uint8_t v;
	} bad[] = {
		{ 0, 0xe1 },  /* properties out of range */
		{ 0, 0x5d + 2 }, /* lc=5: over lc+lp <= 4 */
		{ 1, 0x01 },  /* dictionary 1 MiB + 1 */
		{ 4, 0x80 },  /* dictionary over 1 GiB */
		{ 9, 0x00 },  /* uncompressed size 2^56-1: implausible for the input */
		{ 13, 0x42 }, /* the range coder's first byte is always zero */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memcpy(z, s->z.p, s->z.n);
		z[bad[i].at] = bad[i].v;
		char err[160] = "";
		assert_int_equal(fv_lzma_header(z, s->z.n, 1, &h, err, sizeof err), FV_EFORMAT);
		assert_non_null(strstr(err, "expected"));
		/* A declared payload may have an unusual dictionary; the rest still holds. */
		assert_int_equal(fv_lzma_header(z, s->z.n, 0, &h, NULL, 0), i == 2 ? 0 : FV_EFORMAT);
		struct fv_probe p;
		memset(&p, 0, sizeof p);
		assert_true(fv_format_lzma.probe(z, s->z.n, &p) < 0);
	}
	/* A stored uncompressed size, as the LZMA SDK writes it. */
	memcpy(z, s->z.p, s->z.n);
	for (int i = 0; i < 8; i++)
		z[5 + i] = (uint8_t)((uint64_t)s->n >> (8 * i));
	struct blob out = { 0 };
	struct fv_decode r;
	assert_int_equal(fv_decode(FV_CODEC_LZMA, z, s->z.n, 0, collect, &out, &r), 0);
	assert_int_equal(out.n, s->n);
	assert_memory_equal(out.p, s->data, s->n);
	free(out.p);
	free(z);
}

/* Damaged streams: any result but a crash, an overrun or a size beyond the input. */
static void bit_flips_are_survived(void **state)
{
	(void)state;
	uint32_t x = 2024;
	for (size_t i = 0; i < N_ALL; i++) {
		struct sample *s = &samples[i];
		uint8_t *z = malloc(s->z.n);
		for (int round = 0; round < 40; round++) {
			memcpy(z, s->z.p, s->z.n);
			for (int k = 0; k < 1 + round % 3; k++) {
				x = x * 1103515245u + 12345u;
				/* Mostly early, where headers and tables are. */
				size_t span = round % 2 ? s->z.n : (s->z.n < 256 ? s->z.n : 256);
				z[(x >> 8) % span] ^= (uint8_t)(1u << (x % 8));
			}
			x = x * 1103515245u + 12345u;
			size_t len = round % 4 == 3 ? (x >> 4) % s->z.n + 1 : s->z.n;
			struct fv_decode r;
			int e = fv_decode(s->c, z, len, 4u << 20, NULL, NULL, &r);
			assert_true(e <= 0);
			assert_true(r.consumed <= len);
			assert_true(r.produced <= (4u << 20));
			if (e)
				assert_true(r.err[0] != 0);
			if (s->fmt) {
				struct fv_probe p;
				memset(&p, 0, sizeof p);
				if (s->fmt->probe(z, len, &p) == 0)
					assert_true(p.size > 0 && p.size <= len);
			}
		}
		free(z);
	}
}

/* ---- probes -------------------------------------------------------------------- */

static void probes_accept_and_describe(void **state)
{
	(void)state;
	struct {
		enum fv_codec c;
		const char *needle;
		enum fv_conf conf;
	} want[] = {
		{ FV_CODEC_GZIP, "original name \"dir/hello.txt\", modified 2023-11-14 22:13:20 UTC, OS Unix",
		  FV_CONF_HIGH },
		{ FV_CODEC_ZLIB, "zlib, compression level default", FV_CONF_MEDIUM },
		{ FV_CODEC_XZ, "check CRC64", FV_CONF_HIGH },
		{ FV_CODEC_LZMA, "lc=3 lp=0 pb=2, dictionary 1 MiB", FV_CONF_MEDIUM },
		{ FV_CODEC_BZIP2, "block size 100 KiB", FV_CONF_HIGH },
		{ FV_CODEC_ZSTD, "content size 700000, checksum", FV_CONF_HIGH },
		{ FV_CODEC_LZ4F, "lz4 frame, block size 64 KiB, content size 700000", FV_CONF_HIGH },
		{ FV_CODEC_LZ4_LEGACY, "lz4 legacy", FV_CONF_MEDIUM },
		{ FV_CODEC_LZO, "method LZO1X-999 level 9, original name \"data.bin\"", FV_CONF_HIGH },
	};
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
		struct sample *s = NULL;
		for (size_t i = 0; i < N_ALL; i++)
			if (samples[i].c == want[k].c)
				s = &samples[i];
		/* Inside a larger file, at an odd offset: the probe sees from the chunk on. */
		struct blob b = { 0 };
		uint8_t pre[333], post[1000];
		fv_test_fill_random(pre, sizeof pre, 5);
		fv_test_fill_random(post, sizeof post, 6);
		blob_add(&b, pre, sizeof pre);
		blob_add(&b, s->z.p, s->z.n);
		blob_add(&b, post, sizeof post);
		struct fv_probe p;
		memset(&p, 0, sizeof p);
		int e = s->fmt->probe(b.p + sizeof pre, b.n - sizeof pre, &p);
		if (e)
			fail_msg("%s probe: %d", fv_codec_name(s->c), e);
		assert_int_equal(p.size, s->z.n);
		assert_false(p.truncated);
		assert_int_equal(p.conf, want[k].conf);
		if (!strstr(p.desc, want[k].needle))
			fail_msg("%s: [%s] lacks [%s]", fv_codec_name(s->c), p.desc, want[k].needle);
		char sizes[64];
		snprintf(sizes, sizeof sizes, "%zu -> %zu bytes", s->z.n, s->n);
		assert_non_null(strstr(p.desc, sizes));

		/* Truncated: accepted as such, except zlib whose magic is too weak. */
		memset(&p, 0, sizeof p);
		e = s->fmt->probe(s->z.p, s->z.n * 3 / 4, &p);
		if (s->c == FV_CODEC_ZLIB) {
			assert_true(e < 0);
		} else {
			if (e)
				fail_msg("%s truncated probe: %d", fv_codec_name(s->c), e);
			assert_true(p.truncated);
			assert_int_equal(p.size, s->z.n * 3 / 4);
			assert_true(p.conf < want[k].conf || p.conf == FV_CONF_MEDIUM);
		}
		free(b.p);
	}
}

static void probes_reject_garbage_behind_magic(void **state)
{
	(void)state;
	const struct {
		const struct fv_format *f;
		const char *magic;
		size_t len;
	} m[] = {
		{ &fv_format_gzip, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10 },
		{ &fv_format_gzip, "\x1f\x8b\x08\x08\x00\x00\x00\x00\x00\x03name\0", 15 },
		{ &fv_format_zlib, "\x78\x9c", 2 },
		{ &fv_format_zlib, "\x78\xda", 2 },
		{ &fv_format_xz, "\xfd" "7zXZ\0\0\x04\xe6\xd6\xb4\x46", 12 },
		{ &fv_format_lzma, "\x5d\x00\x00\x80\x00\xff\xff\xff\xff\xff\xff\xff\xff\x00", 14 },
		{ &fv_format_bzip2, "BZh91AY&SY", 10 },
		{ &fv_format_zstd, "\x28\xb5\x2f\xfd\x04\x58", 6 },
		{ &fv_format_lz4, "\x04\x22\x4d\x18\x64\x40\xa7", 7 },
		{ &fv_format_lz4, "\x02\x21\x4c\x18", 4 },
		{ &fv_format_lzop, "\x89LZO\0\r\n\x1a\n", 9 },
	};
	uint8_t g[65536];
	for (uint32_t seed = 1; seed < 30; seed++) {
		fv_test_fill_random(g, sizeof g, seed * 31);
		for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
			memcpy(g, m[i].magic, m[i].len);
			struct fv_probe p;
			memset(&p, 0, sizeof p);
			int e = m[i].f->probe(g, sizeof g, &p);
			if (e >= 0)
				fail_msg("%s accepted garbage (seed %u): %s", m[i].f->name, seed, p.desc);
		}
	}
	/* zlib: a stream that decodes to too little to be worth reporting. */
	uint8_t tiny[64];
	uLongf tl = sizeof tiny;
	assert_int_equal(compress2(tiny, &tl, (const Bytef *)"short", 5, 6), Z_OK);
	struct fv_probe p;
	memset(&p, 0, sizeof p);
	assert_true(fv_format_zlib.probe(tiny, tl, &p) < 0);
}

/* 300 MiB of zeros: the probe stops decoding at its cap. */
static void probe_caps_a_bomb(void **state)
{
	(void)state;
	ZSTD_CCtx *c = ZSTD_createCCtx();
	struct blob b = { 0 };
	static uint8_t zeros[1 << 20];
	uint8_t buf[1 << 16];
	for (int i = 0; i <= 300; i++) {
		ZSTD_inBuffer ib = { zeros, i < 300 ? sizeof zeros : 0, 0 };
		ZSTD_EndDirective d = i < 300 ? ZSTD_e_continue : ZSTD_e_end;
		size_t left;
		do {
			ZSTD_outBuffer ob = { buf, sizeof buf, 0 };
			left = ZSTD_compressStream2(c, &ob, &ib, d);
			assert_false(ZSTD_isError(left));
			blob_add(&b, buf, ob.pos);
		} while (ib.pos < ib.size || (d == ZSTD_e_end && left));
	}
	ZSTD_freeCCtx(c);
	struct fv_probe p;
	memset(&p, 0, sizeof p);
	/* Its frame states its size, so the probe still knows where it ends. */
	uint8_t tail[100];
	fv_test_fill_random(tail, sizeof tail, 3);
	size_t zn = b.n;
	blob_add(&b, tail, sizeof tail);
	assert_int_equal(fv_format_zstd.probe(b.p, b.n, &p), 0);
	assert_false(p.truncated);
	assert_int_equal(p.size, zn);
	assert_non_null(strstr(p.desc, "not decoded to the end"));
	free(b.p);

	/* lzop says so too; deflate does not, so it is claimed up to where the cap hit. */
	b.p = NULL;
	b.n = b.cap = 0;
	uint8_t *z = calloc(1, 300u << 20);
	c_lzop(&b, z, 300u << 20, "-1");
	zn = b.n;
	blob_add(&b, tail, sizeof tail);
	memset(&p, 0, sizeof p);
	assert_int_equal(fv_format_lzop.probe(b.p, b.n, &p), 0);
	assert_false(p.truncated);
	assert_int_equal(p.size, zn);
	free(b.p);
	b.p = NULL;
	b.n = b.cap = 0;
	c_deflate(&b, z, 300u << 20, 15, NULL);
	free(z);
	memset(&p, 0, sizeof p);
	assert_int_equal(fv_format_zlib.probe(b.p, b.n, &p), FV_EFORMAT);
	memset(&p, 0, sizeof p);
	assert_int_equal(fv_probe_stream(FV_CODEC_ZLIB, b.p, b.n, 1, &p, &(struct fv_decode){ 0 }), 0);
	assert_true(p.truncated);
	assert_true(p.size > 0 && p.size < b.n);
	free(b.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trips_with_exact_size),
		cmocka_unit_test(truncation_delivers_partial_output),
		cmocka_unit_test(output_limit),
		cmocka_unit_test(callback_error_stops_decoding),
		cmocka_unit_test(garbage_is_rejected),
		cmocka_unit_test(bad_checksums),
		cmocka_unit_test(gzip_header_checks),
		cmocka_unit_test(lzop_checks),
		cmocka_unit_test(xz_concatenation_and_padding),
		cmocka_unit_test(lzma_header_sanity),
		cmocka_unit_test(bit_flips_are_survived),
		cmocka_unit_test(probes_accept_and_describe),
		cmocka_unit_test(probes_reject_garbage_behind_magic),
		cmocka_unit_test(probe_caps_a_bomb),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
