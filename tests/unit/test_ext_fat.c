/*
 * ext2/3/4 and FAT probes and extractors on images that mke2fs and
 * mkfs.fat + mcopy make at test time: exact sizes, garbage and impossible
 * superblocks/BPBs rejected, truncated images flagged, and damaged images
 * reported without a crash.
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "unpack/sink.h"

extern const struct fv_format fv_format_ext;
extern const struct fv_format fv_format_fat;
static const struct fv_format *EXT = &fv_format_ext;
static const struct fv_format *FAT = &fv_format_fat;

static char tmp[256];
static const char *exts[] = { "ext2", "ext3", "ext4" };
static const int fats[] = { 12, 16, 32 };

static int group_setup(void **state)
{
	(void)state;
	fv_test_tmpdir(tmp, sizeof tmp, "extfat");
	fv_test_sh(tmp, "mkdir -p root/etc root/bin root/d/e; echo 'root:x:0:0::/:/bin/sh' > root/etc/passwd;"
			"seq 1 30000 > root/etc/numbers; ln root/etc/passwd root/etc/hard;"
			"ln -s ../etc/passwd root/bin/link; echo deep > 'root/d/e/A Long Name.txt';"
			"chmod 0600 root/etc/passwd");
	for (size_t i = 0; i < 3; i++)
		fv_test_sh(tmp,
			   "E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -F -t %s -b 1024 -d root "
			   "-E root_owner=0:0 -U 11111111-2222-3333-4444-555555555555 -L vol %s.img 2M",
			   exts[i], exts[i]);
	fv_test_sh(tmp, "mke2fs -q -F -t ext4 -b 4096 -d root -E root_owner=0:0 ext4k.img 8M");
	for (size_t i = 0; i < 3; i++)
		fv_test_sh(tmp,
			   "mkfs.fat -C -F %d -n FWV -i 1234abcd -s 1 fat%d.img %d >/dev/null;"
			   "cd root && MTOOLS_SKIP_CHECK=1 mcopy -s -i ../fat%d.img ./* ::",
			   fats[i], fats[i], fats[i] == 12 ? 1440 : fats[i] == 16 ? 20480 : 40960, fats[i]);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	return fv_test_rmtree(tmp);
}

static uint8_t *img(const char *name, size_t *len) { return fv_test_load(tmp, name, len); }

/* ---- ext ------------------------------------------------------------------ */

static void ext_sizes_are_exact(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		char n[32], want[64];
		snprintf(n, sizeof n, "%s.img", exts[i]);
		size_t len;
		uint8_t *b = img(n, &len);
		/* In a larger buffer, so the size comes from the superblock. */
		uint8_t *big = calloc(1, len + 8192);
		memcpy(big, b, len);
		struct fv_probe pr;
		assert_int_equal(fv_test_probe(EXT, big, len + 8192, &pr), 0);
		assert_int_equal(pr.size, 2 * 1024 * 1024);
		assert_int_equal(pr.conf, FV_CONF_HIGH);
		assert_false(pr.truncated);
		snprintf(want, sizeof want, "%s filesystem, block size 1024, 2.0 MiB, ", exts[i]);
		assert_memory_equal(pr.desc, want, strlen(want));
		assert_non_null(strstr(pr.desc, "volume \"vol\", UUID 11111111-2222-3333-4444-555555555555"));
		free(big);
		free(b);
	}
	size_t len;
	uint8_t *b = img("ext4k.img", &len);
	struct fv_probe pr;
	assert_int_equal(fv_test_probe(EXT, b, len, &pr), 0);
	assert_int_equal(pr.size, 8 * 1024 * 1024);
	assert_memory_equal(pr.desc, "ext4 filesystem, block size 4096, 8.0 MiB", 41);
	free(b);
}

static void ext_garbage_and_broken_superblocks_are_rejected(void **state)
{
	(void)state;
	uint8_t junk[4096];
	fv_test_fill_random(junk, sizeof junk, 7);
	memcpy(junk + 0x438, "\x53\xef\x01\x00\x01\x00\x00\x00", 8);
	struct fv_probe pr;
	assert_true(fv_test_probe(EXT, junk, sizeof junk, &pr) < 0);
	size_t len;
	uint8_t *b = img("ext2.img", &len);
	assert_true(fv_test_probe(EXT, b, 1500, &pr) < 0); /* too short for a superblock */
	static const struct { size_t off; uint8_t val; } bad[] = {
		{ 0x400 + 0, 0x7f },  /* inode count disagrees with groups * inodes per group */
		{ 0x400 + 24, 9 },    /* log block size */
		{ 0x400 + 20, 5 },    /* first data block */
		{ 0x400 + 35, 0x7f }, /* blocks per group larger than a bitmap holds */
		{ 0x400 + 76, 3 },    /* revision */
		{ 0x400 + 56, 0x52 }, /* magic */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t *c = malloc(len);
		memcpy(c, b, len);
		c[bad[i].off] = bad[i].val;
		assert_true(fv_test_probe(EXT, c, len, &pr) < 0);
		free(c);
	}
	free(b);
}

static void ext_truncated_is_flagged(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = img("ext4.img", &len);
	struct fv_probe pr;
	assert_int_equal(fv_test_probe(EXT, b, len / 2, &pr), 0);
	assert_true(pr.truncated);
	assert_int_equal(pr.size, len / 2);
	assert_int_equal(pr.conf, FV_CONF_MEDIUM);
	free(b);
}

static void ext_extracts(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		char n[32];
		snprintf(n, sizeof n, "%s.img", exts[i]);
		size_t len;
		uint8_t *b = img(n, &len);
		struct fv_test_env *e = fv_test_env_new(tmp, "0x0.ext", len);
		assert_int_equal(EXT->extract(&e->x, b, len), 0);
		const struct fv_xfile *f = fv_test_record(e, "img!0x0.ext!/etc/numbers");
		assert_int_equal(f->size, 168894);
		f = fv_test_record(e, "img!0x0.ext!/etc/passwd");
		assert_int_equal(f->mode, 0100600);
		assert_int_equal(f->uid, 0);
		const struct fv_xfile *h = fv_test_record(e, "img!0x0.ext!/etc/hard");
		assert_string_equal(f->sha256, h->sha256);
		f = fv_test_record(e, "img!0x0.ext!/bin/link");
		assert_int_equal(f->type, FV_FT_SYMLINK);
		assert_string_equal(f->link, "../etc/passwd");
		f = fv_test_record(e, "img!0x0.ext!/d/e/A Long Name.txt");
		assert_int_equal(f->size, 5);
		fv_test_record(e, "img!0x0.ext!/lost+found");
		fv_test_env_free(e);
		free(b);
	}
}

static void ext_damaged_images_do_not_crash(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = img("ext4.img", &len);
	/* Cut short: the data blocks are gone. */
	struct fv_test_env *e = fv_test_env_new(tmp, "0x0.ext", len);
	int r = EXT->extract(&e->x, b, 64 * 1024);
	assert_true(r < 0);
	assert_true(e->x.err[0] != 0);
	fv_test_env_free(e);
	/* Bit flips in the metadata (group descriptors, bitmaps, inode table). */
	uint8_t *c = malloc(len);
	for (unsigned round = 0; round < 20; round++) {
		memcpy(c, b, len);
		for (size_t k = 0; k < 6; k++) {
			size_t at = 2048 + ((round * 2654435761u + k * 40503u) % (300 * 1024));
			c[at] ^= (uint8_t)(1u << ((round + k) & 7));
		}
		e = fv_test_env_new(tmp, "0x0.ext", len);
		if (EXT->extract(&e->x, c, len) < 0)
			assert_true(e->x.err[0] != 0);
		fv_test_env_free(e);
	}
	free(c);
	free(b);
}

/* ---- FAT ------------------------------------------------------------------ */

static void fat_sizes_are_exact(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		char n[32], want[64];
		snprintf(n, sizeof n, "fat%d.img", fats[i]);
		size_t len;
		uint8_t *b = img(n, &len);
		uint8_t *big = calloc(1, len + 4096);
		memcpy(big, b, len);
		struct fv_probe pr;
		assert_int_equal(fv_test_probe(FAT, big, len + 4096, &pr), 0);
		assert_int_equal(pr.size, len);
		assert_int_equal(pr.conf, FV_CONF_HIGH);
		snprintf(want, sizeof want, "FAT%d filesystem, OEM \"mkfs.fat\", volume \"FWV\", ", fats[i]);
		assert_memory_equal(pr.desc, want, strlen(want));
		free(big);
		free(b);
	}
}

static void fat_garbage_and_broken_bpbs_are_rejected(void **state)
{
	(void)state;
	uint8_t junk[4096];
	fv_test_fill_random(junk, sizeof junk, 11);
	memcpy(junk, "\xeb\x3c\x90mkfs.fat\x00\x02\x01", 14);
	junk[510] = 0x55, junk[511] = 0xaa;
	struct fv_probe pr;
	assert_true(fv_test_probe(FAT, junk, sizeof junk, &pr) < 0);
	size_t len;
	uint8_t *b = img("fat16.img", &len);
	assert_true(fv_test_probe(FAT, b, 300, &pr) < 0);
	static const struct { size_t off; uint8_t val; } bad[] = {
		{ 12, 0x03 },  /* 768 bytes per sector */
		{ 13, 3 },     /* sectors per cluster not a power of two */
		{ 16, 0 },     /* no FAT */
		{ 14, 0 },     /* no reserved sector */
		{ 21, 0x12 },  /* media byte */
		{ 510, 0 },    /* boot signature */
		{ 22, 1 },     /* FAT too small for the clusters */
		{ 0x200, 0x12 }, /* FAT[0] does not repeat the media byte (1 reserved sector) */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t *c = malloc(len);
		memcpy(c, b, len);
		c[bad[i].off] = bad[i].val;
		assert_true(fv_test_probe(FAT, c, len, &pr) < 0);
		free(c);
	}
	free(b);
}

static void fat_truncated_is_flagged(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = img("fat32.img", &len);
	struct fv_probe pr;
	assert_int_equal(fv_test_probe(FAT, b, len / 3, &pr), 0);
	assert_true(pr.truncated);
	assert_int_equal(pr.size, len / 3);
	free(b);
}

static void fat_extracts(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		char n[32];
		snprintf(n, sizeof n, "fat%d.img", fats[i]);
		size_t len;
		uint8_t *b = img(n, &len);
		struct fv_test_env *e = fv_test_env_new(tmp, "0x0.fat", len);
		assert_int_equal(FAT->extract(&e->x, b, len), 0);
		const struct fv_xfile *f = fv_test_record(e, "img!0x0.fat!/etc/numbers");
		assert_int_equal(f->size, 168894);
		assert_int_equal(f->mode, 0100644);
		f = fv_test_record(e, "img!0x0.fat!/d/e/A Long Name.txt");
		assert_int_equal(f->size, 5);
		f = fv_test_record(e, "img!0x0.fat!/d/e");
		assert_int_equal(f->type, FV_FT_DIR);
		fv_test_env_free(e);
		free(b);
	}
}

static void fat_damaged_images_do_not_crash(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = img("fat16.img", &len);
	struct fv_test_env *e = fv_test_env_new(tmp, "0x0.fat", len);
	assert_true(FAT->extract(&e->x, b, 200 * 1024) < 0);
	assert_true(e->x.err[0] != 0);
	fv_test_env_free(e);
	uint8_t *c = malloc(len);
	for (unsigned round = 0; round < 30; round++) {
		memcpy(c, b, len);
		/* The FATs, the root directory and the first data clusters. */
		for (size_t k = 0; k < 8; k++) {
			size_t at = 512 + ((round * 2654435761u + k * 40503u) % (200 * 1024));
			c[at] ^= (uint8_t)(1u << ((round + k) & 7));
		}
		e = fv_test_env_new(tmp, "0x0.fat", len);
		if (FAT->extract(&e->x, c, len) < 0)
			assert_true(e->x.err[0] != 0);
		fv_test_env_free(e);
	}
	free(c);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ext_sizes_are_exact),
		cmocka_unit_test(ext_garbage_and_broken_superblocks_are_rejected),
		cmocka_unit_test(ext_truncated_is_flagged),
		cmocka_unit_test(ext_extracts),
		cmocka_unit_test(ext_damaged_images_do_not_crash),
		cmocka_unit_test(fat_sizes_are_exact),
		cmocka_unit_test(fat_garbage_and_broken_bpbs_are_rejected),
		cmocka_unit_test(fat_truncated_is_flagged),
		cmocka_unit_test(fat_extracts),
		cmocka_unit_test(fat_damaged_images_do_not_crash),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
