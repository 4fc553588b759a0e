/*
 * The small flash filesystems: cramfs (both byte orders, boot pad, holes),
 * romfs and Android sparse images, on images made at test time by
 * mkfs.cramfs (-N big for big endian), genromfs and img2simg.  Exact sizes, checksum
 * damage, garbage, truncation, and what extraction records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "core/err.h"
#include "testlib.h"

extern const struct fv_format fv_format_cramfs, fv_format_romfs, fv_format_android_sparse;

static char tmp[256];

static int group_setup(void **state)
{
	(void)state;
	fv_test_tmpdir(tmp, sizeof tmp, "cramfs");
	fv_test_sh(tmp, "mkdir -p root/etc root/bin root/dev root/var; echo 'root:x:0:0::/:/bin/sh' > root/etc/passwd;"
		   "seq 1 5000 > root/etc/numbers; ln -s ../etc/passwd root/bin/link; printf x > root/bin/tool;"
		   "chmod 755 root/bin/tool; chown 1234:56 root/etc/numbers; mknod root/dev/console c 5 1;"
		   "mkfifo root/var/fifo; truncate -s 20000 root/var/sparse; printf end >> root/var/sparse;"
		   "ln root/etc/passwd root/etc/hard;"
		   "mkfs.cramfs -z -n vol1 root le.cramfs >/dev/null; mkfs.cramfs -z -N big -n vol1 root be.cramfs >/dev/null;"
		   "mkfs.cramfs -p root pad.cramfs >/dev/null;"
		   "genromfs -f rom.img -d root -V myvol;"
		   "head -c 300000 /dev/zero > plain.img; seq 1 3000 | dd of=plain.img conv=notrunc bs=4096 seek=10 2>/dev/null;"
		   "printf '\\252\\252\\252\\252%%.0s' $(seq 1 2048) | dd of=plain.img conv=notrunc bs=4096 seek=40 2>/dev/null;"
		   "truncate -s 409600 plain.img; img2simg plain.img s.simg");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	return fv_test_rmtree(tmp);
}

/* ---- cramfs ------------------------------------------------------------------ */

static void cramfs_probe_sizes(void **state)
{
	(void)state;
	static const char *const names[] = { "le.cramfs", "be.cramfs" };
	for (int i = 0; i < 2; i++) {
		size_t len;
		uint8_t *b = fv_test_load(tmp, names[i], &len);
		struct fv_probe pr;
		assert_int_equal(fv_test_probe(&fv_format_cramfs, b, len, &pr), 0);
		assert_int_equal(pr.size, len);
		assert_int_equal(pr.conf, FV_CONF_HIGH);
		assert_non_null(strstr(pr.desc, i ? "cramfs big endian, version 2" : "cramfs little endian, version 2"));
		assert_non_null(strstr(pr.desc, "CRC ok"));
		assert_non_null(strstr(pr.desc, "holes"));
		assert_non_null(strstr(pr.desc, "name \"vol1\""));
		free(b);
	}
	size_t len;
	uint8_t *b = fv_test_load(tmp, "pad.cramfs", &len);
	struct fv_probe pr;
	assert_true(fv_test_probe(&fv_format_cramfs, b, len, &pr) < 0); /* zeros, not a superblock */
	assert_int_equal(fv_test_probe(&fv_format_cramfs, b + 512, len - 512, &pr), 0);
	assert_int_equal(pr.size, len - 512);
	assert_non_null(strstr(pr.desc, "512-byte boot pad"));
	assert_non_null(strstr(pr.desc, "CRC ok"));
	free(b);
}

static void cramfs_crc_garbage_truncation(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = fv_test_load(tmp, "le.cramfs", &len);
	struct fv_probe pr;
	/* A flipped data byte: still listed, but low and saying why. */
	b[len / 2] ^= 0x40;
	assert_int_equal(fv_test_probe(&fv_format_cramfs, b, len, &pr), 0);
	assert_int_equal(pr.conf, FV_CONF_LOW);
	assert_non_null(strstr(pr.desc, "CRC bad"));
	b[len / 2] ^= 0x40;
	/* Truncated: the size is what is there. */
	assert_int_equal(fv_test_probe(&fv_format_cramfs, b, len - 100, &pr), 0);
	assert_true(pr.truncated);
	assert_int_equal(pr.size, len - 100);
	assert_true(fv_test_probe(&fv_format_cramfs, b, 60, &pr) < 0);
	/* Magic and signature over garbage: the root inode is not a folder. */
	uint8_t junk[4096];
	fv_test_fill_random(junk, sizeof junk, 7);
	memcpy(junk, b, 32);
	junk[64] = 0xa4, junk[65] = 0x81; /* root mode: a regular file */
	assert_true(fv_test_probe(&fv_format_cramfs, junk, sizeof junk, &pr) < 0);
	/* Unknown flags are refused, like the kernel does. */
	uint8_t *c = malloc(len);
	memcpy(c, b, len);
	c[10] = 0x10;
	assert_true(fv_test_probe(&fv_format_cramfs, c, len, &pr) < 0);
	free(c);
	/* Extracting truncated and damaged copies reports, never crashes. */
	for (size_t cut = 80; cut < len; cut += len / 7) {
		struct fv_test_env *e = fv_test_env_new(tmp, "0x0.cramfs", cut);
		assert_true(fv_format_cramfs.extract(&e->x, b, cut) < 0);
		fv_test_env_free(e);
	}
	for (size_t i = 64; i < 600 && i < len; i += 11) {
		c = malloc(len);
		memcpy(c, b, len);
		c[i] ^= 0xff;
		struct fv_test_env *e = fv_test_env_new(tmp, "0x0.cramfs", len);
		(void)fv_format_cramfs.extract(&e->x, c, len);
		fv_test_env_free(e);
		free(c);
	}
	free(b);
}

static void cramfs_extract_both_endians(void **state)
{
	(void)state;
	static const char *const names[] = { "le.cramfs", "be.cramfs" };
	size_t plen, nlen, slen;
	uint8_t *passwd = fv_test_load(tmp, "root/etc/passwd", &plen);
	uint8_t *numbers = fv_test_load(tmp, "root/etc/numbers", &nlen);
	uint8_t *sparse = fv_test_load(tmp, "root/var/sparse", &slen);
	for (int i = 0; i < 2; i++) {
		size_t len;
		uint8_t *b = fv_test_load(tmp, names[i], &len);
		struct fv_test_env *e = fv_test_env_new(tmp, "0x0.cramfs", len);
		assert_int_equal(fv_format_cramfs.extract(&e->x, b, len), 0);
		fv_test_assert_member(e, "0x0.cramfs/etc/passwd", passwd, plen);
		fv_test_assert_member(e, "0x0.cramfs/etc/hard", passwd, plen);
		fv_test_assert_member(e, "0x0.cramfs/etc/numbers", numbers, nlen);
		fv_test_assert_member(e, "0x0.cramfs/var/sparse", sparse, slen);
		const struct fv_xfile *f = fv_test_record(e, "!/etc/numbers");
		assert_int_equal(f->uid, 1234);
		assert_int_equal(f->gid, 56);
		f = fv_test_record(e, "!/bin/tool");
		assert_int_equal(f->mode & 0777, 0755);
		f = fv_test_record(e, "!/bin/link");
		assert_int_equal(f->type, FV_FT_SYMLINK);
		assert_string_equal(f->link, "../etc/passwd");
		f = fv_test_record(e, "!/dev/console");
		assert_int_equal(f->type, FV_FT_CHAR);
		assert_int_equal(f->rdev, makedev(5, 1));
		f = fv_test_record(e, "!/var/fifo");
		assert_int_equal(f->type, FV_FT_FIFO);
		fv_test_env_free(e);
		free(b);
	}
	free(passwd);
	free(numbers);
	free(sparse);
}

/* ---- romfs ------------------------------------------------------------------- */

static void romfs_probe_and_damage(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = fv_test_load(tmp, "rom.img", &len);
	uint32_t full = (uint32_t)b[8] << 24 | (uint32_t)b[9] << 16 | (uint32_t)b[10] << 8 | b[11];
	struct fv_probe pr;
	assert_int_equal(fv_test_probe(&fv_format_romfs, b, len, &pr), 0);
	assert_int_equal(pr.size, full);
	assert_true(full <= len);
	assert_int_equal(pr.conf, FV_CONF_HIGH);
	assert_non_null(strstr(pr.desc, "volume \"myvol\""));
	/* The header checksum covers the first 512 bytes. */
	b[100] ^= 1;
	assert_int_equal(fv_test_probe(&fv_format_romfs, b, len, &pr), FV_ECRC);
	b[100] ^= 1;
	assert_int_equal(fv_test_probe(&fv_format_romfs, b, full - 16, &pr), 0);
	assert_true(pr.truncated);
	assert_int_equal(pr.size, full - 16);
	/* The magic alone (a string in every kernel with romfs) is not enough. */
	uint8_t junk[1024];
	fv_test_fill_random(junk, sizeof junk, 3);
	memcpy(junk, "-rom1fs-", 8);
	assert_true(fv_test_probe(&fv_format_romfs, junk, sizeof junk, &pr) < 0);
	/* A folder whose entry points back at itself ends, reported. */
	uint8_t *c = malloc(len);
	for (size_t i = 32; i < 2048 && i < full; i += 16) {
		memcpy(c, b, len);
		c[i + 3] = (uint8_t)((c[i + 3] & 15) | 0x20); /* next -> 0x20 */
		c[i + 2] = 0, c[i + 1] = 0, c[i] = 0;
		struct fv_test_env *e = fv_test_env_new(tmp, "0x0.romfs", full);
		(void)fv_format_romfs.extract(&e->x, c, full);
		fv_test_env_free(e);
	}
	for (size_t cut = 40; cut < full; cut += full / 9) {
		struct fv_test_env *e = fv_test_env_new(tmp, "0x0.romfs", cut);
		(void)fv_format_romfs.extract(&e->x, b, cut);
		fv_test_env_free(e);
	}
	free(c);
	free(b);
}

static void romfs_extract(void **state)
{
	(void)state;
	size_t len, plen, nlen;
	uint8_t *b = fv_test_load(tmp, "rom.img", &len);
	uint8_t *passwd = fv_test_load(tmp, "root/etc/passwd", &plen);
	uint8_t *numbers = fv_test_load(tmp, "root/etc/numbers", &nlen);
	struct fv_test_env *e = fv_test_env_new(tmp, "0x0.romfs", len);
	assert_int_equal(fv_format_romfs.extract(&e->x, b, len), 0);
	fv_test_assert_member(e, "0x0.romfs/etc/passwd", passwd, plen);
	fv_test_assert_member(e, "0x0.romfs/etc/hard", passwd, plen);
	fv_test_assert_member(e, "0x0.romfs/etc/numbers", numbers, nlen);
	assert_int_equal(fv_test_record(e, "!/bin/tool")->mode & 0777, 0755);
	assert_int_equal(fv_test_record(e, "!/etc/numbers")->mode & 0777, 0644);
	assert_string_equal(fv_test_record(e, "!/bin/link")->link, "../etc/passwd");
	const struct fv_xfile *f = fv_test_record(e, "!/dev/console");
	assert_int_equal(f->type, FV_FT_CHAR);
	assert_int_equal(f->rdev, makedev(5, 1));
	assert_int_equal(fv_test_record(e, "!/var/fifo")->type, FV_FT_FIFO);
	fv_test_env_free(e);
	free(b);
	free(passwd);
	free(numbers);
}

/* ---- Android sparse ------------------------------------------------------------ */

static void sparse_probe_and_expand(void **state)
{
	(void)state;
	size_t len, plen;
	uint8_t *b = fv_test_load(tmp, "s.simg", &len);
	uint8_t *plain = fv_test_load(tmp, "plain.img", &plen);
	struct fv_probe pr;
	assert_int_equal(fv_test_probe(&fv_format_android_sparse, b, len, &pr), 0);
	assert_int_equal(pr.size, len);
	assert_int_equal(pr.conf, FV_CONF_HIGH);
	assert_non_null(strstr(pr.desc, "block size 4096, 100 blocks (409600 bytes expanded)"));
	struct fv_test_env *e = fv_test_env_new(tmp, "0x0.android-sparse", len);
	assert_int_equal(fv_format_android_sparse.extract(&e->x, b, len), 0);
	fv_test_assert_member(e, "0x0.android-sparse/expanded.img", plain, plen);
	fv_test_env_free(e);
	/* Truncated: listed as such, expansion stops with an error. */
	assert_int_equal(fv_test_probe(&fv_format_android_sparse, b, len - 10, &pr), 0);
	assert_true(pr.truncated);
	e = fv_test_env_new(tmp, "0x0.android-sparse", len);
	assert_true(fv_format_android_sparse.extract(&e->x, b, len - 10) < 0);
	fv_test_env_free(e);
	/* A chunk of a wrong size, or an unknown chunk type, is refused. */
	uint8_t *c = malloc(len);
	memcpy(c, b, len);
	c[28 + 8] ^= 1; /* total size of the first chunk */
	assert_true(fv_test_probe(&fv_format_android_sparse, c, len, &pr) < 0);
	memcpy(c, b, len);
	c[28] = 0x99;
	assert_true(fv_test_probe(&fv_format_android_sparse, c, len, &pr) < 0);
	memcpy(c, b, len);
	c[16] ^= 1; /* total blocks disagree with the chunks */
	assert_true(fv_test_probe(&fv_format_android_sparse, c, len, &pr) < 0);
	memcpy(c, b, len);
	c[12] = 3; /* block size not a multiple of 4 */
	assert_true(fv_test_probe(&fv_format_android_sparse, c, len, &pr) < 0);
	/* A CRC32 chunk that disagrees with the data. */
	static const uint8_t hdr[28] = { 0x3a, 0xff, 0x26, 0xed, 1, 0, 0, 0, 28, 0, 12, 0,
					 0, 0x10, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0 };
	uint8_t img[28 + 12 + 4096 + 16];
	memcpy(img, hdr, 28);
	static const uint8_t raw[12] = { 0xc1, 0xca, 0, 0, 1, 0, 0, 0, 0x0c, 0x10, 0, 0 };
	memcpy(img + 28, raw, 12);
	memset(img + 40, 'A', 4096);
	static const uint8_t crc[16] = { 0xc4, 0xca, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 1, 2, 3, 4 };
	memcpy(img + 40 + 4096, crc, 16);
	assert_int_equal(fv_test_probe(&fv_format_android_sparse, img, sizeof img, &pr), 0);
	assert_int_equal(pr.size, sizeof img);
	e = fv_test_env_new(tmp, "0x0.android-sparse", sizeof img);
	assert_int_equal(fv_format_android_sparse.extract(&e->x, img, sizeof img), FV_ECRC);
	assert_non_null(strstr(e->x.err, "CRC32 chunk 1"));
	fv_test_env_free(e);
	free(c);
	free(b);
	free(plain);
}

int main(void)
{
	if (!fv_test_have("mkfs.cramfs") || !fv_test_have("genromfs") ||
	    !fv_test_have("img2simg")) {
		fprintf(stderr, "mkfs.cramfs, genromfs or img2simg missing (scripts/deps.sh)\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cramfs_probe_sizes),
		cmocka_unit_test(cramfs_crc_garbage_truncation),
		cmocka_unit_test(cramfs_extract_both_endians),
		cmocka_unit_test(romfs_probe_and_damage),
		cmocka_unit_test(romfs_extract),
		cmocka_unit_test(sparse_probe_and_expand),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
