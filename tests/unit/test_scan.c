/*
 * The scanner's rules, independent of any one format: offsets are exact,
 * windows do not lose or duplicate chunks, nested chunks are listed only on
 * request and never as top-level chunks.  gzip streams made here with zlib
 * serve as the chunks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "unpack/engine.h"

static size_t make_gzip(const void *in, size_t n, uint8_t *out, size_t cap)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	size_t len = z.total_out;
	deflateEnd(&z);
	return len;
}

static uint8_t *noise(size_t n, unsigned seed)
{
	uint8_t *b = malloc(n);
	uint32_t s = seed * 2654435761u + 1;
	for (size_t i = 0; i < n; i++) {
		s = s * 1103515245u + 12345u;
		b[i] = (uint8_t)(s >> 24);
		/* Keep stray gzip magics out of the noise. */
		if (i > 0 && b[i - 1] == 0x1f && b[i] == 0x8b)
			b[i] = 0;
	}
	return b;
}

static void finds_chunks_at_exact_offsets(void **state)
{
	(void)state;
	const char text[] = "a line of firmware text that compresses a little, a line of text";
	uint8_t gz[512];
	size_t gl = make_gzip(text, sizeof text, gz, sizeof gz);
	size_t len = 100000;
	uint8_t *buf = noise(len, 1);
	memcpy(buf + 1001, gz, gl);
	memcpy(buf + 77777, gz, gl);
	struct fv_chunks cs;
	assert_int_equal(fv_scan(buf, len, 0, &cs), 0);
	assert_int_equal(cs.n, 2);
	assert_int_equal(cs.v[0].off, 1001);
	assert_int_equal(cs.v[0].size, gl);
	assert_string_equal(cs.v[0].fmt->name, "gzip");
	assert_int_equal(cs.v[0].parent, -1);
	assert_int_equal(cs.v[1].off, 77777);
	fv_chunks_free(&cs);
	free(buf);
}

static void chunks_across_window_boundaries(void **state)
{
	(void)state;
	/* The scanner works in 16 MiB windows: straddle the first boundary. */
	size_t len = (16u << 20) + 600000;
	uint8_t *plain = noise(200000, 2);
	uint8_t *gz = malloc(300000);
	size_t gl = make_gzip(plain, 200000, gz, 300000);
	uint8_t *buf = noise(len, 3);
	size_t at = (16u << 20) - gl / 2;
	memcpy(buf + at, gz, gl);
	memcpy(buf + len - gl, gz, gl); /* and one that ends at the end of the file */
	struct fv_chunks cs;
	assert_int_equal(fv_scan(buf, len, 0, &cs), 0);
	assert_int_equal(cs.n, 2);
	assert_int_equal(cs.v[0].off, at);
	assert_int_equal(cs.v[0].size, gl);
	assert_int_equal(cs.v[1].off, len - gl);
	fv_chunks_free(&cs);
	free(buf);
	free(gz);
	free(plain);
}

static void nested_chunks_only_on_request(void **state)
{
	(void)state;
	/* A gzip of (text + a stored gzip): the inner one is inside the outer. */
	const char text[] = "inner member inner member inner member";
	uint8_t inner[256], payload[1024], outer[2048];
	size_t il = make_gzip(text, sizeof text, inner, sizeof inner);
	/* Level 0 keeps the inner stream's bytes visible inside the outer one. */
	z_stream z;
	memset(&z, 0, sizeof z);
	memset(payload, 'p', 100);
	memcpy(payload + 100, inner, il);
	assert_int_equal(deflateInit2(&z, 0, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = payload;
	z.avail_in = (uInt)(100 + il);
	z.next_out = outer;
	z.avail_out = sizeof outer;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	size_t ol = z.total_out;
	deflateEnd(&z);

	struct fv_chunks cs;
	assert_int_equal(fv_scan(outer, ol, 0, &cs), 0);
	assert_int_equal(cs.n, 1);
	assert_int_equal(cs.v[0].size, ol);
	fv_chunks_free(&cs);
	assert_int_equal(fv_scan(outer, ol, FV_SCAN_NESTED, &cs), 0);
	assert_int_equal(cs.n, 2);
	assert_int_equal(cs.v[1].parent, 0);
	assert_true(cs.v[1].off > 0 && cs.v[1].off + cs.v[1].size <= ol);
	fv_chunks_free(&cs);
}

static void noise_has_no_chunks(void **state)
{
	(void)state;
	size_t len = 4u << 20;
	uint8_t *buf = noise(len, 4);
	struct fv_chunks cs;
	assert_int_equal(fv_scan(buf, len, FV_SCAN_NESTED, &cs), 0);
	assert_int_equal(cs.n, 0);
	fv_chunks_free(&cs);
	assert_int_equal(fv_scan(buf, 0, 0, &cs), 0);
	assert_int_equal(cs.n, 0);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_chunks_at_exact_offsets),
		cmocka_unit_test(chunks_across_window_boundaries),
		cmocka_unit_test(nested_chunks_only_on_request),
		cmocka_unit_test(noise_has_no_chunks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
