/*
 * UBI and UBIFS probes and extractors on images that ubinize and mkfs.ubifs
 * make at test time: exact sizes, PEB size found, volumes written byte for
 * byte, files, links and devices read from the UBIFS index, and corrupted
 * CRCs, truncation and an index loop reported without a crash or a hang.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <zlib.h>

#include "core/err.h"
#include "testlib.h"

extern const struct fv_format fv_format_ubi, fv_format_ubifs;
static const struct fv_format *UBI = &fv_format_ubi, *UBIFS = &fv_format_ubifs;

#define PEB 131072u
#define LEB 129024u

static char tmp[256];
static uint8_t kernel[300000];

static uint32_t be32(const uint8_t *b) { return (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]; }
static uint32_t le32(const uint8_t *b) { return (uint32_t)b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0]; }
static void put_le32(uint8_t *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> 8 * i);
}

static int group_setup(void **state)
{
	(void)state;
	if (!fv_test_have("mkfs.ubifs") || !fv_test_have("ubinize"))
		fail_msg("mkfs.ubifs and ubinize (mtd-utils) are needed");
	fv_test_tmpdir(tmp, sizeof tmp, "ubi");
	fv_test_fill_random(kernel, sizeof kernel, 42);
	fv_test_write_file(tmp, "kernel.bin", kernel, sizeof kernel);
	fv_test_sh(tmp,
		   "mkdir -p root/etc root/bin root/dev; echo 'root:x:0:0::/:/bin/sh' > root/etc/passwd;"
		   "seq 1 30000 > root/etc/numbers; ln root/etc/passwd root/etc/hard; ln -s ../etc/passwd root/bin/link;"
		   "printf 'MARKER-UNCOMPRESSED-DATA' > root/etc/marker;"
		   "echo '/dev/console c 600 0 0 5 1 0 0 -' > devtable;"
		   "mkfs.ubifs -r root -D devtable -m 2048 -e %u -c 100 -x zlib -o zlib.ubifs;"
		   "mkfs.ubifs -r root -m 2048 -e %u -c 100 -x none -o none.ubifs;"
		   "printf '[rootfs]\\nmode=ubi\\nimage=zlib.ubifs\\nvol_id=0\\nvol_type=dynamic\\nvol_name=rootfs\\n"
		   "[kernel]\\nmode=ubi\\nimage=kernel.bin\\nvol_id=1\\nvol_type=static\\nvol_name=kernel\\n' > u.ini;"
		   "ubinize -o u.ubi -p %u -m 2048 -s 512 u.ini 2>/dev/null",
		   LEB, LEB, PEB);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	return fv_test_rmtree(tmp);
}

static uint8_t *copy(const uint8_t *b, size_t n)
{
	uint8_t *c = malloc(n);
	assert_non_null(c);
	memcpy(c, b, n);
	return c;
}

/* ---- UBI ------------------------------------------------------------------ */

static void ubi_probe_finds_peb_size_and_volumes(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = fv_test_load(tmp, "u.ubi", &len);
	assert_int_equal(len % PEB, 0);
	/* Trailing bytes that are not UBI are not part of the chunk. */
	uint8_t *c = malloc(len + PEB);
	memcpy(c, b, len);
	memset(c + len, 0x5a, PEB);
	struct fv_probe pr;
	assert_int_equal(fv_test_probe(UBI, c, len + PEB, &pr), 0);
	assert_int_equal(pr.size, len);
	assert_int_equal(pr.conf, FV_CONF_HIGH);
	assert_false(pr.truncated);
	assert_non_null(strstr(pr.desc, "UBI image, PEB size 131072, VID header at 0x200, data at 0x800"));
	assert_non_null(strstr(pr.desc, "2 volumes: rootfs (dynamic), kernel (static)"));
	/* The UBIFS superblock in the PEB of LEB 0 is not a filesystem there:
	 * its LEBs are not contiguous, and LEB 1 holds an EC header. */
	size_t sb = 0;
	for (size_t i = 0; i < len / PEB; i++)
		if (be32(b + i * PEB + 512) == 0x55424921u && be32(b + i * PEB + 512 + 8) == 0 &&
		    be32(b + i * PEB + 512 + 12) == 0)
			sb = i * PEB + 2048;
	assert_true(sb > 0);
	assert_int_equal(le32(b + sb), 0x06101831u);
	memset(&pr, 0, sizeof pr);
	assert_true(UBIFS->probe(b + sb, len - sb, &pr) < 0);
	free(c);
	free(b);
}

static void ubi_garbage_and_bad_crcs_are_rejected(void **state)
{
	(void)state;
	uint8_t junk[8192];
	fv_test_fill_random(junk, sizeof junk, 7);
	memcpy(junk, "UBI#\x01", 5);
	struct fv_probe pr;
	memset(&pr, 0, sizeof pr);
	assert_true(UBI->probe(junk, sizeof junk, &pr) < 0);

	size_t len;
	uint8_t *b = fv_test_load(tmp, "u.ubi", &len);
	/* A flipped bit in the first EC header: not a UBI image there. */
	uint8_t *c = copy(b, len);
	c[9] ^= 1;
	memset(&pr, 0, sizeof pr);
	assert_true(UBI->probe(c, len, &pr) < 0);
	free(c);
	/* In the fourth PEB's EC header: the image ends before it. */
	c = copy(b, len);
	c[3 * PEB + 9] ^= 1;
	assert_int_equal(fv_test_probe(UBI, c, len, &pr), 0);
	assert_int_equal(pr.size, 3 * PEB);
	free(c);
	/* One PEB alone: its size cannot be known, so it is not claimed. */
	memset(&pr, 0, sizeof pr);
	assert_true(UBI->probe(b, PEB, &pr) < 0);
	free(b);
}

static void ubi_extracts_volumes(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = fv_test_load(tmp, "u.ubi", &len);
	size_t flen;
	uint8_t *fs = fv_test_load(tmp, "zlib.ubifs", &flen);
	struct fv_test_env *e = fv_test_env_new(tmp, "0x0.ubi", len);
	assert_int_equal(UBI->extract(&e->x, b, len), 0);
	fv_test_assert_member(e, "0x0.ubi/kernel.bin", kernel, sizeof kernel);
	/* Dynamic volume: the mkfs.ubifs image, whole LEBs. */
	fv_test_assert_member(e, "0x0.ubi/rootfs.ubifs", fs, flen);
	fv_test_env_free(e);
	free(fs);
	free(b);
}

static void ubi_bad_vid_and_data_crc_reported(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = fv_test_load(tmp, "u.ubi", &len);
	/* Find the PEB of the kernel's LEB 0 and damage its data. */
	size_t k = 0;
	for (size_t i = 0; i < len / PEB; i++)
		if (be32(b + i * PEB + 512) == 0x55424921u && be32(b + i * PEB + 512 + 8) == 1 &&
		    be32(b + i * PEB + 512 + 12) == 0)
			k = i;
	assert_true(k > 0);
	uint8_t *c = copy(b, len);
	c[k * PEB + 2048 + 100] ^= 0xff;
	struct fv_test_env *e = fv_test_env_new(tmp, "0x0.ubi", len);
	assert_int_equal(UBI->extract(&e->x, c, len), FV_ECRC);
	assert_non_null(strstr(e->x.err, "data CRC of volume 1 LEB 0"));
	fv_test_env_free(e);
	free(c);
	/* A damaged VID header: that LEB is missing, the rest is written. */
	c = copy(b, len);
	c[k * PEB + 512 + 20] ^= 0xff;
	e = fv_test_env_new(tmp, "0x0.ubi", len);
	assert_int_equal(UBI->extract(&e->x, c, len), FV_ECRC);
	char want[64];
	snprintf(want, sizeof want, "VID header at 0x%zx", k * PEB + 512);
	assert_non_null(strstr(e->x.err, want));
	fv_test_record(e, "img!0x0.ubi!/rootfs.ubifs");
	fv_test_env_free(e);
	free(c);
	free(b);
}

static void ubi_truncated_is_partial(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = fv_test_load(tmp, "u.ubi", &len);
	size_t cut = 5 * PEB + 1000;
	struct fv_probe pr;
	assert_int_equal(fv_test_probe(UBI, b, cut, &pr), 0);
	assert_true(pr.truncated);
	assert_int_equal(pr.size, cut);
	struct fv_test_env *e = fv_test_env_new(tmp, "0x0.ubi", cut);
	assert_int_equal(UBI->extract(&e->x, b, cut), FV_ETRUNC);
	fv_test_env_free(e);
	free(b);
}

/* ---- UBIFS ---------------------------------------------------------------- */

static void ubifs_probe_sizes_and_describes(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = fv_test_load(tmp, "zlib.ubifs", &len);
	assert_int_equal(len, (size_t)le32(b + 36) * le32(b + 40));
	struct fv_probe pr;
	assert_int_equal(fv_test_probe(UBIFS, b, len, &pr), 0);
	assert_int_equal(pr.size, len);
	assert_int_equal(pr.conf, FV_CONF_HIGH);
	assert_non_null(strstr(pr.desc, "LEB size 129024, "));
	assert_non_null(strstr(pr.desc, "(max 100), min I/O 2048, zlib, fanout 8, UUID "));
	/* Only the superblock and master LEBs: the index root is gone. */
	assert_int_equal(fv_test_probe(UBIFS, b, 3 * LEB, &pr), 0);
	assert_true(pr.truncated);
	assert_int_equal(pr.conf, FV_CONF_LOW);
	/* A flipped bit in the superblock: rejected. */
	uint8_t *c = copy(b, len);
	c[40] ^= 1;
	memset(&pr, 0, sizeof pr);
	assert_int_equal(UBIFS->probe(c, len, &pr), FV_ECRC);
	free(c);
	uint8_t junk[4096];
	fv_test_fill_random(junk, sizeof junk, 9);
	memcpy(junk, "\x31\x18\x10\x06", 4);
	junk[20] = 6;
	memset(&pr, 0, sizeof pr);
	assert_true(UBIFS->probe(junk, sizeof junk, &pr) < 0);
	free(b);
}

static void ubifs_extracts_files_links_devices(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = fv_test_load(tmp, "zlib.ubifs", &len);
	size_t nlen;
	uint8_t *numbers = fv_test_load(tmp, "root/etc/numbers", &nlen);
	struct fv_test_env *e = fv_test_env_new(tmp, "0x0.ubifs", len);
	assert_int_equal(UBIFS->extract(&e->x, b, len), 0);
	fv_test_assert_member(e, "0x0.ubifs/etc/numbers", numbers, nlen);
	fv_test_assert_member(e, "0x0.ubifs/etc/hard", "root:x:0:0::/:/bin/sh\n", 22);
	const struct fv_xfile *f = fv_test_record(e, "img!0x0.ubifs!/bin/link");
	assert_string_equal(f->link, "../etc/passwd");
	f = fv_test_record(e, "img!0x0.ubifs!/dev/console");
	assert_int_equal(f->mode & S_IFMT, S_IFCHR);
	assert_int_equal(f->rdev, makedev(5, 1));
	fv_test_env_free(e);
	free(numbers);
	free(b);
}

static void ubifs_bad_data_node_reported(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = fv_test_load(tmp, "none.ubifs", &len);
	uint8_t *m = memmem(b, len, "MARKER-UNCOMPRESSED", 19);
	assert_non_null(m);
	m[3] ^= 0x20;
	struct fv_test_env *e = fv_test_env_new(tmp, "0x0.ubifs", len);
	assert_int_equal(UBIFS->extract(&e->x, b, len), FV_ECRC);
	assert_non_null(strstr(e->x.err, "-byte node with a valid CRC"));
	/* The damaged block is a hole; the other files are whole. */
	fv_test_assert_member(e, "0x0.ubifs/etc/marker", "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24);
	fv_test_assert_member(e, "0x0.ubifs/etc/passwd", "root:x:0:0::/:/bin/sh\n", 22);
	fv_test_env_free(e);
	free(b);
}

static uint32_t node_crc(const uint8_t *n, uint32_t len)
{
	return (uint32_t)crc32(0, n + 8, len - 8) ^ 0xffffffffu;
}

static void ubifs_index_loop_is_refused(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = fv_test_load(tmp, "none.ubifs", &len);
	/* The newest master node in LEB 1 names the index root. */
	uint8_t *mst = NULL;
	for (size_t o = 0; o + 512 <= LEB; o += 8)
		if (le32(b + LEB + o) == 0x06101831u && b[LEB + o + 20] == 7)
			mst = b + LEB + o;
	assert_non_null(mst);
	uint32_t rl = le32(mst + 48), ro = le32(mst + 52), rlen = le32(mst + 56);
	uint8_t *root = b + (size_t)rl * LEB + ro;
	assert_int_equal(root[20], 9);
	/* Its first branch now points back at itself. */
	put_le32(root + 28, rl);
	put_le32(root + 32, ro);
	put_le32(root + 36, rlen);
	put_le32(root + 4, node_crc(root, rlen));
	struct fv_test_env *e = fv_test_env_new(tmp, "0x0.ubifs", len);
	assert_true(UBIFS->extract(&e->x, b, len) < 0);
	assert_true(strstr(e->x.err, "index node at") || strstr(e->x.err, "leaf node at"));
	fv_test_env_free(e);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ubi_probe_finds_peb_size_and_volumes),
		cmocka_unit_test(ubi_garbage_and_bad_crcs_are_rejected),
		cmocka_unit_test(ubi_extracts_volumes),
		cmocka_unit_test(ubi_bad_vid_and_data_crc_reported),
		cmocka_unit_test(ubi_truncated_is_partial),
		cmocka_unit_test(ubifs_probe_sizes_and_describes),
		cmocka_unit_test(ubifs_extracts_files_links_devices),
		cmocka_unit_test(ubifs_bad_data_node_reported),
		cmocka_unit_test(ubifs_index_loop_is_refused),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
