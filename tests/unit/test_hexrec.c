/*
 * Intel HEX and Motorola S-record: probes on files written by objcopy and
 * srec_cat at test time, the scanner finding each file once (not once per
 * line), checksums, truncation, and the conversion to a binary image,
 * including a hostile address span that must not become a 4 GiB file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "testlib.h"
#include "unpack/engine.h"

extern const struct fv_format fv_format_ihex, fv_format_srec;

static char g_dir[64];

static int setup(void **state)
{
	(void)state;
	fv_test_tmpdir(g_dir, sizeof g_dir, "hexrec");
	/* 5000 bytes, not a multiple of the record size, so the last record is short. */
	uint8_t b[5000];
	fv_test_fill_random(b, sizeof b, 12345);
	fv_test_write_file(g_dir, "a.bin", b, sizeof b);
	fv_test_sh(g_dir, "objcopy -I binary -O ihex --change-addresses 0x08000000 a.bin a.hex");
	fv_test_sh(g_dir, "objcopy -I binary -O srec --change-addresses 0x08000000 a.bin a.srec");
	fv_test_sh(g_dir, "objcopy -I binary -O ihex a.bin zero.hex");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return fv_test_rmtree(g_dir);
}

/* Offset of the start of line k (0-based). */
static size_t line_at(const uint8_t *p, size_t n, unsigned k)
{
	size_t i = 0;
	for (unsigned l = 0; l < k; l++) {
		const uint8_t *nl = memchr(p + i, '\n', n - i);
		assert_non_null(nl);
		i = (size_t)(nl - p) + 1;
	}
	return i;
}

/* Offset of the last checksum digit of line k. */
static size_t last_digit(const uint8_t *p, size_t n, unsigned k)
{
	size_t i = line_at(p, n, k + 1) - 2;
	if (p[i] == '\r')
		i--;
	return i;
}

static void flip_digit(uint8_t *p) { *p = *p == '0' ? '1' : '0'; }

/* ---------------------------------------------------------------- Intel HEX */

static void ihex_objcopy_output_is_sized_exactly(void **state)
{
	(void)state;
	size_t n;
	uint8_t *h = fv_test_load(g_dir, "a.hex", &n);
	struct fv_probe pr;
	assert_int_equal(fv_test_probe(&fv_format_ihex, h, n, &pr), 0);
	assert_int_equal(pr.size, n);
	assert_int_equal(pr.conf, FV_CONF_HIGH);
	assert_false(pr.truncated);
	assert_non_null(strstr(pr.desc, "Intel HEX"));
	assert_non_null(strstr(pr.desc, "5000 data bytes at 0x08000000-0x08001387"));
	/* Trailing bytes after the end-of-file record are not part of the chunk. */
	uint8_t *more = malloc(n + 100);
	memcpy(more, h, n);
	memset(more + n, 'x', 100);
	assert_int_equal(fv_test_probe(&fv_format_ihex, more, n + 100, &pr), 0);
	assert_int_equal(pr.size, n);
	free(more);
	free(h);
}

/* The same text with CRLF (objcopy's choice) or LF line ends. */
static uint8_t *line_ends(const uint8_t *p, size_t n, int use_crlf, size_t *out)
{
	uint8_t *b = malloc(2 * n);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\r')
			continue;
		if (p[i] == '\n' && use_crlf)
			b[k++] = '\r';
		b[k++] = p[i];
	}
	*out = k;
	return b;
}

static void ihex_lf_and_crlf_lines(void **state)
{
	(void)state;
	size_t n, m;
	uint8_t *h = fv_test_load(g_dir, "a.hex", &n);
	for (int c = 0; c < 2; c++) {
		uint8_t *t = line_ends(h, n, c, &m);
		struct fv_probe pr;
		assert_int_equal(fv_test_probe(&fv_format_ihex, t, m, &pr), 0);
		assert_int_equal(pr.size, m);
		assert_int_equal(pr.conf, FV_CONF_HIGH);
		/* No line end after the last record is fine too. */
		assert_int_equal(fv_test_probe(&fv_format_ihex, t, m - 1 - c, &pr), 0);
		assert_int_equal(pr.size, m - 1 - c);
		assert_int_equal(pr.conf, FV_CONF_HIGH);
		free(t);
	}
	free(h);
}

/* Scans junk + file + junk and expects exactly one chunk: the file, at its offset. */
static void scan_finds_once(const char *name, const char *fmt, int use_crlf, const char *junk)
{
	size_t n;
	uint8_t *f = fv_test_load(g_dir, name, &n);
	uint8_t *h = line_ends(f, n, use_crlf, &n);
	free(f);
	size_t jl = strlen(junk);
	size_t len = jl + n + 7;
	uint8_t *buf = malloc(len);
	memcpy(buf, junk, jl);
	memcpy(buf + jl, h, n);
	memcpy(buf + jl + n, "trailer", 7);
	struct fv_chunks cs;
	assert_int_equal(fv_scan(buf, len, FV_SCAN_NESTED, &cs), 0);
	assert_int_equal(cs.n, 1);
	assert_int_equal(cs.v[0].off, jl);
	assert_int_equal(cs.v[0].size, n);
	assert_string_equal(cs.v[0].fmt->name, fmt);
	fv_chunks_free(&cs);
	free(buf);
	free(h);
}

static void ihex_scan_hits_the_first_record_only(void **state)
{
	(void)state;
	/* Every line is a record; nested scanning must still list the file once. */
	scan_finds_once("a.hex", "ihex", 0, "");
	scan_finds_once("a.hex", "ihex", 0, "firmware v1.2.3\n# built 2023-01-0A\n");
	scan_finds_once("a.hex", "ihex", 1, "firmware v1.2.3\r\n\r\n");
	scan_finds_once("a.hex", "ihex", 1, "");
	scan_finds_once("zero.hex", "ihex", 0, "\xff\xff\xff\xff");
	scan_finds_once("zero.hex", "ihex", 0, "\x00\x01\x02\x03\n");
	/* Right after other bytes on the same line, and after a header with ':' in it. */
	scan_finds_once("a.hex", "ihex", 0, "\n\x01\x02junk");
	scan_finds_once("a.hex", "ihex", 1, "Date: 2023-11-14\nVersion 1.23\n");
}

static void ihex_bad_checksum(void **state)
{
	(void)state;
	size_t n;
	uint8_t *h = fv_test_load(g_dir, "a.hex", &n);
	struct fv_probe pr;
	/* In the first record: not an Intel HEX file. */
	uint8_t *b = malloc(n);
	memcpy(b, h, n);
	flip_digit(b + last_digit(b, n, 0));
	assert_int_equal(fv_test_probe(&fv_format_ihex, b, n, &pr), FV_ECRC);
	/* Deep inside: the valid records before it are the chunk, without the end record. */
	memcpy(b, h, n);
	size_t l20 = line_at(b, n, 20);
	b[l20 + 10] = b[l20 + 10] == '0' ? '1' : '0'; /* a data digit */
	assert_int_equal(fv_test_probe(&fv_format_ihex, b, n, &pr), 0);
	assert_int_equal(pr.size, l20);
	assert_int_equal(pr.conf, FV_CONF_LOW);
	assert_false(pr.truncated);
	assert_non_null(strstr(pr.desc, "no end-of-file record"));
	free(b);
	free(h);
}

static void ihex_truncated(void **state)
{
	(void)state;
	size_t n;
	uint8_t *h = fv_test_load(g_dir, "a.hex", &n);
	struct fv_probe pr;
	/* Cut mid-record, half way: truncated, the whole rest is the chunk. */
	size_t cut = line_at(h, n, 100) + 17;
	assert_int_equal(fv_test_probe(&fv_format_ihex, h, cut, &pr), 0);
	assert_true(pr.truncated);
	assert_int_equal(pr.size, cut);
	assert_int_equal(pr.conf, FV_CONF_LOW);
	/* Cut at a line end. */
	cut = line_at(h, n, 100);
	assert_int_equal(fv_test_probe(&fv_format_ihex, h, cut, &pr), 0);
	assert_true(pr.truncated);
	assert_int_equal(pr.size, cut);
	/* Two records are not enough to call it a file. */
	cut = line_at(h, n, 2) + 5;
	assert_int_not_equal(fv_test_probe(&fv_format_ihex, h, cut, &pr), 0);
	free(h);
}

static void ihex_rejects_garbage(void **state)
{
	(void)state;
	struct fv_probe pr;
	const char *bad[] = {
		":",
		":00000001FF\n",                 /* an end record and nothing else */
		":10000000zz\n",
		":0200000408",                   /* short */
		":020000060800F0\n",             /* type 06 */
		":0300000408000000F1\n",         /* type 04 with 3 bytes */
		":020000040800F2junk\n",         /* no line end after the checksum */
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_not_equal(fv_test_probe(&fv_format_ihex, (const uint8_t *)bad[i], strlen(bad[i]), &pr), 0);
	uint8_t noise[4096];
	fv_test_fill_random(noise, sizeof noise, 7);
	noise[0] = ':';
	assert_int_not_equal(fv_test_probe(&fv_format_ihex, noise, sizeof noise, &pr), 0);
}

/* Appends one Intel HEX record with its checksum. */
static size_t ihex_rec(char *out, unsigned type, unsigned addr, const uint8_t *d, unsigned n)
{
	unsigned sum = n + (addr >> 8) + (addr & 0xff) + type;
	size_t k = (size_t)sprintf(out, ":%02X%04X%02X", n, addr & 0xffff, type);
	for (unsigned i = 0; i < n; i++) {
		k += (size_t)sprintf(out + k, "%02X", d[i]);
		sum += d[i];
	}
	k += (size_t)sprintf(out + k, "%02X\n", (0x100 - (sum & 0xff)) & 0xff);
	return k;
}

static char *read_out(const char *rel, size_t *len)
{
	char p[300];
	snprintf(p, sizeof p, "out/%s", rel);
	return (char *)fv_test_read_file(g_dir, p, len);
}

static void unpack(const char *name)
{
	char img[256], out[256], err[256] = "";
	snprintf(img, sizeof img, "%s/%s", g_dir, name);
	snprintf(out, sizeof out, "%s/out", g_dir);
	fv_test_rmtree(out);
	struct fv_limits lim;
	fv_limits_default(&lim);
	lim.depth = 1;
	struct fv_unpack u;
	memset(&u, 0, sizeof u);
	if (fv_unpack(img, out, &lim, &u, err, sizeof err) != 0)
		fail_msg("fv_unpack %s: %s", name, err);
	fv_unpack_free(&u);
}

/* Unpacking name gives member, the bytes objcopy converted. */
static void unpacks_to_a_bin(const char *name, const char *member)
{
	size_t n, m;
	uint8_t *bin = fv_test_load(g_dir, "a.bin", &n);
	unpack(name);
	char *got = read_out(member, &m);
	assert_non_null(got);
	assert_int_equal(m, n);
	assert_memory_equal(got, bin, n);
	free(got);
	free(bin);
}

static void ihex_extracts_the_objcopy_binary(void **state)
{
	(void)state;
	unpacks_to_a_bin("a.hex", "0x0.ihex/a.bin");
}

static void ihex_fills_gaps_and_splits_hostile_spans(void **state)
{
	(void)state;
	uint8_t d[16];
	for (unsigned i = 0; i < 16; i++)
		d[i] = (uint8_t)(0xa0 + i);
	char txt[4096];
	size_t k = 0;
	/* Two records 0xf0 bytes apart, out of order: one image, gap of 0xFF. */
	k += ihex_rec(txt + k, 0, 0x200, d, 16);
	k += ihex_rec(txt + k, 0, 0x100, d, 16);
	k += ihex_rec(txt + k, 0, 0x110, d, 0);
	k += ihex_rec(txt + k, 5, 0, (const uint8_t *)"\x00\x00\x01\x00", 4);
	k += ihex_rec(txt + k, 1, 0, NULL, 0);
	fv_test_write_file(g_dir, "gap.hex", txt, k);
	struct fv_probe pr;
	assert_int_equal(fv_test_probe(&fv_format_ihex, (uint8_t *)txt, k, &pr), 0);
	assert_int_equal(pr.size, k);
	assert_non_null(strstr(pr.desc, "entry 0x00000100"));
	unpack("gap.hex");
	size_t m;
	uint8_t *got = (uint8_t *)read_out("0x0.ihex/gap.bin", &m);
	assert_non_null(got);
	assert_int_equal(m, 0x110);
	assert_memory_equal(got, d, 16);
	for (size_t i = 16; i < 0x100; i++)
		assert_int_equal(got[i], 0xff);
	assert_memory_equal(got + 0x100, d, 16);
	free(got);

	/* Address 0 and 0xFFFFFF00: a 4 GiB span of 32 bytes, written as two regions. */
	k = 0;
	k += ihex_rec(txt + k, 0, 0, d, 16);
	k += ihex_rec(txt + k, 4, 0, (const uint8_t *)"\xff\xff", 2);
	k += ihex_rec(txt + k, 0, 0xff00, d, 16);
	k += ihex_rec(txt + k, 0, 0xff10, d, 16);
	k += ihex_rec(txt + k, 1, 0, NULL, 0);
	fv_test_write_file(g_dir, "span.hex", txt, k);
	unpack("span.hex");
	got = (uint8_t *)read_out("0x0.ihex/0x00000000.bin", &m);
	assert_non_null(got);
	assert_int_equal(m, 16);
	free(got);
	got = (uint8_t *)read_out("0x0.ihex/0xffffff00.bin", &m);
	assert_non_null(got);
	assert_int_equal(m, 32);
	assert_memory_equal(got + 16, d, 16);
	free(got);
	assert_null(read_out("0x0.ihex/span.bin", &m));
}

/* ---------------------------------------------------------------- S-record */

static void srec_objcopy_output_is_sized_exactly(void **state)
{
	(void)state;
	size_t n;
	uint8_t *h = fv_test_load(g_dir, "a.srec", &n);
	struct fv_probe pr;
	assert_int_equal(fv_test_probe(&fv_format_srec, h, n, &pr), 0);
	assert_int_equal(pr.size, n);
	assert_int_equal(pr.conf, FV_CONF_HIGH);
	assert_non_null(strstr(pr.desc, "Motorola S-record (S37)"));
	assert_non_null(strstr(pr.desc, "header \"a.srec\""));
	assert_non_null(strstr(pr.desc, "5000 data bytes at 0x08000000-0x08001387"));
	free(h);
}

static void srec_cat_variants(void **state)
{
	(void)state;
	if (!fv_test_have("srec_cat"))
		skip();
	static const struct {
		int alen;
		const char *off, *kind;
	} v[] = { { 2, "0x1000", "(S19)" }, { 3, "0x080000", "(S28)" }, { 4, "0x08000000", "(S37)" } };
	for (size_t i = 0; i < 3; i++) {
		char name[32];
		snprintf(name, sizeof name, "v%d.srec", v[i].alen);
		fv_test_sh(g_dir, "srec_cat a.bin -binary -offset %s -o %s -motorola -address-length=%d",
			   v[i].off, name, v[i].alen);
		size_t n;
		uint8_t *h = fv_test_load(g_dir, name, &n);
		struct fv_probe pr;
		assert_int_equal(fv_test_probe(&fv_format_srec, h, n, &pr), 0);
		assert_int_equal(pr.size, n);
		/* srec_cat ends with the count record when no start address is given. */
		assert_int_equal(pr.conf, FV_CONF_HIGH);
		assert_non_null(strstr(pr.desc, v[i].kind));
		free(h);
	}
	/* And with a termination record carrying the entry point. */
	fv_test_sh(g_dir, "srec_cat a.bin -binary -offset 0x080000 -o e.srec -motorola -address-length=3 "
			  "-execution-start-address=0x080100");
	size_t n;
	uint8_t *h = fv_test_load(g_dir, "e.srec", &n);
	struct fv_probe pr;
	assert_int_equal(fv_test_probe(&fv_format_srec, h, n, &pr), 0);
	assert_int_equal(pr.size, n);
	assert_non_null(strstr(pr.desc, "entry 0x00080100"));
	free(h);
}

static void srec_scan_hits_once(void **state)
{
	(void)state;
	scan_finds_once("a.srec", "srec", 0, "");
	scan_finds_once("a.srec", "srec", 1, "Some text\n");
	scan_finds_once("a.srec", "srec", 0, "\x00\x00");
	/* Without the S0 header: the first data record starts the file. */
	size_t n;
	uint8_t *h = fv_test_load(g_dir, "a.srec", &n);
	size_t l1 = line_at(h, n, 1);
	fv_test_write_file(g_dir, "nohdr.srec", h + l1, n - l1);
	free(h);
	scan_finds_once("nohdr.srec", "srec", 0, "");
	scan_finds_once("nohdr.srec", "srec", 0, "Version 1.0A\n");
	scan_finds_once("nohdr.srec", "srec", 1, "\n\x01\x02 junk");
}

static void srec_bad_checksum_and_truncation(void **state)
{
	(void)state;
	size_t n;
	uint8_t *h = fv_test_load(g_dir, "a.srec", &n);
	uint8_t *b = malloc(n);
	struct fv_probe pr;
	memcpy(b, h, n);
	flip_digit(b + last_digit(b, n, 0)); /* checksum of the S0 record */
	assert_int_equal(fv_test_probe(&fv_format_srec, b, n, &pr), FV_ECRC);
	memcpy(b, h, n);
	size_t l30 = line_at(b, n, 30);
	b[l30 + 12] = b[l30 + 12] == '0' ? '1' : '0';
	assert_int_equal(fv_test_probe(&fv_format_srec, b, n, &pr), 0);
	assert_int_equal(pr.size, l30);
	assert_int_equal(pr.conf, FV_CONF_LOW);
	assert_false(pr.truncated);
	/* Truncated mid-record. */
	size_t cut = line_at(h, n, 50) + 9;
	assert_int_equal(fv_test_probe(&fv_format_srec, h, cut, &pr), 0);
	assert_true(pr.truncated);
	assert_int_equal(pr.size, cut);
	assert_non_null(strstr(pr.desc, "truncated"));
	/* Header and one record only. */
	cut = line_at(h, n, 2);
	assert_int_not_equal(fv_test_probe(&fv_format_srec, h, cut, &pr), 0);
	free(b);
	free(h);
}

static void srec_rejects_garbage(void **state)
{
	(void)state;
	struct fv_probe pr;
	const char *bad[] = {
		"S",
		"S9030000FC\n",              /* a termination record and nothing else */
		"S00600004844521B\nS4",      /* reserved S4 */
		"S1020000FD\n",              /* data record too short for its address */
		"S0030000FC\nS1zz",
		"SOME TEXT\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_not_equal(fv_test_probe(&fv_format_srec, (const uint8_t *)bad[i], strlen(bad[i]), &pr), 0);
}

static void srec_extracts_the_binary(void **state)
{
	(void)state;
	unpacks_to_a_bin("a.srec", "0x0.srec/a.bin");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ihex_objcopy_output_is_sized_exactly),
		cmocka_unit_test(ihex_lf_and_crlf_lines),
		cmocka_unit_test(ihex_scan_hits_the_first_record_only),
		cmocka_unit_test(ihex_bad_checksum),
		cmocka_unit_test(ihex_truncated),
		cmocka_unit_test(ihex_rejects_garbage),
		cmocka_unit_test(ihex_extracts_the_objcopy_binary),
		cmocka_unit_test(ihex_fills_gaps_and_splits_hostile_spans),
		cmocka_unit_test(srec_objcopy_output_is_sized_exactly),
		cmocka_unit_test(srec_cat_variants),
		cmocka_unit_test(srec_scan_hits_once),
		cmocka_unit_test(srec_bad_checksum_and_truncation),
		cmocka_unit_test(srec_rejects_garbage),
		cmocka_unit_test(srec_extracts_the_binary),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
