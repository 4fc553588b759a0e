/*
 * JFFS2 probe and extractor on node logs built here with correct CRCs:
 * sizes before trailing erased flash, both byte orders, garbage rejected,
 * bad CRCs skipped and reported, newer versions winning over older ones,
 * deleted names, rtime and LZMA data, and a directory loop.
 */
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <zlib.h>

#include "core/err.h"
#include "testlib.h"

extern const struct fv_format fv_format_jffs2;
static const struct fv_format *F = &fv_format_jffs2;

static char tmp[256];

struct img {
	uint8_t b[1 << 17];
	size_t n;
	int be;
};

static uint32_t jcrc(const uint8_t *p, size_t n)
{
	return (uint32_t)crc32(0xffffffffUL, p, (uInt)n) ^ 0xffffffffu;
}

static void put16(struct img *m, size_t at, uint16_t v)
{
	m->b[at + (m->be ? 0 : 1)] = (uint8_t)(v >> 8);
	m->b[at + (m->be ? 1 : 0)] = (uint8_t)v;
}

static void put32(struct img *m, size_t at, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		m->b[at + (m->be ? (size_t)(3 - i) : (size_t)i)] = (uint8_t)(v >> (8 * i));
}

static size_t hdr(struct img *m, uint16_t type, uint32_t tot)
{
	size_t at = m->n;
	memset(m->b + at, 0, (tot + 3) & ~3u);
	put16(m, at, 0x1985);
	put16(m, at + 2, type);
	put32(m, at + 4, tot);
	put32(m, at + 8, jcrc(m->b + at, 8));
	m->n += (tot + 3) & ~3u;
	return at;
}

static void cleanmarker(struct img *m)
{
	hdr(m, 0x2003, 12);
}

static size_t dirent(struct img *m, uint32_t pino, uint32_t ver, uint32_t ino, uint8_t type,
		     const char *name)
{
	size_t ns = strlen(name);
	size_t at = hdr(m, 0xE001, (uint32_t)(40 + ns));
	put32(m, at + 12, pino);
	put32(m, at + 16, ver);
	put32(m, at + 20, ino);
	m->b[at + 28] = (uint8_t)ns;
	m->b[at + 29] = type;
	put32(m, at + 32, jcrc(m->b + at, 32));
	memcpy(m->b + at + 40, name, ns);
	put32(m, at + 36, jcrc(m->b + at + 40, ns));
	return at;
}

static size_t inode(struct img *m, uint32_t ino, uint32_t ver, uint32_t mode, uint32_t isize,
		    uint32_t off, const void *data, uint32_t csize, uint32_t dsize, uint8_t compr)
{
	size_t at = hdr(m, 0xE002, 68 + csize);
	put32(m, at + 12, ino);
	put32(m, at + 16, ver);
	put32(m, at + 20, mode);
	put16(m, at + 24, 1000);
	put16(m, at + 26, 100);
	put32(m, at + 28, isize);
	put32(m, at + 36, 1700000000);
	put32(m, at + 44, off);
	put32(m, at + 48, csize);
	put32(m, at + 52, dsize);
	m->b[at + 56] = compr;
	memcpy(m->b + at + 68, data, csize);
	put32(m, at + 60, jcrc(m->b + at + 68, csize));
	put32(m, at + 64, jcrc(m->b + at, 60));
	return at;
}

static void erased(struct img *m, size_t n)
{
	memset(m->b + m->n, 0xff, n);
	m->n += n;
}

/* A small tree: /etc (ino 2) holding passwd (3), a symlink (4) and a
 * character device (5), then erased flash. */
static size_t small_fs(struct img *m, int be)
{
	memset(m, 0, sizeof *m);
	m->be = be;
	cleanmarker(m);
	dirent(m, 1, 1, 2, 4, "etc");
	inode(m, 2, 1, S_IFDIR | 0755, 0, 0, "", 0, 0, 0);
	dirent(m, 2, 2, 3, 8, "passwd");
	inode(m, 3, 1, S_IFREG | 0644, 11, 0, "root:x:0:0\n", 11, 11, 0);
	dirent(m, 2, 3, 4, 10, "sh");
	inode(m, 4, 1, S_IFLNK | 0777, 7, 0, "busybox", 7, 7, 0);
	dirent(m, 2, 4, 5, 2, "console");
	uint8_t dev[4];
	struct img d = { .be = be };
	put32(&d, 0, (5u << 8) | 1u);
	memcpy(dev, d.b, 4);
	inode(m, 5, 1, S_IFCHR | 0600, 4, 0, dev, 4, 4, 0);
	size_t end = m->n;
	erased(m, 4096);
	return end;
}

static int group_setup(void **state)
{
	(void)state;
	fv_test_tmpdir(tmp, sizeof tmp, "jffs2");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	return fv_test_rmtree(tmp);
}

static void probe_sizes_stop_before_erased_flash(void **state)
{
	(void)state;
	static struct img m;
	for (int be = 0; be <= 1; be++) {
		size_t end = small_fs(&m, be);
		struct fv_probe pr;
		assert_int_equal(fv_test_probe(F, m.b, m.n, &pr), 0);
		/* The last node is 72 bytes: the chunk ends there, not at the padding. */
		assert_int_equal(pr.size, end);
		assert_int_equal(pr.conf, FV_CONF_HIGH);
		assert_false(pr.truncated);
		assert_non_null(strstr(pr.desc, be ? "big endian" : "little endian"));
		assert_non_null(strstr(pr.desc, "4 inode nodes, 4 dirents"));
		assert_null(strstr(pr.desc, "bad"));
		/* Cut inside the last node: truncated, the rest still worth reading. */
		assert_int_equal(fv_test_probe(F, m.b, end - 10, &pr), 0);
		assert_true(pr.truncated);
		assert_int_equal(pr.size, end - 10);
	}
}

static void probe_rejects_garbage(void **state)
{
	(void)state;
	static struct img m;
	small_fs(&m, 0);
	uint8_t *r = malloc(8192);
	fv_test_fill_random(r, 8192, 7);
	struct fv_probe pr;
	/* The magic and a node type, but a wrong header CRC. */
	memcpy(r, m.b + 12, 8);
	assert_int_not_equal(fv_test_probe(F, r, 8192, &pr), 0);
	/* One valid node followed by noise is not a filesystem. */
	memcpy(r, m.b + 12, 52);
	assert_int_not_equal(fv_test_probe(F, r, 8192, &pr), 0);
	/* Wrong byte order for the magic's first byte. */
	memcpy(r, m.b, m.n < 8192 ? m.n : 8192);
	r[0] = 0x19;
	assert_int_not_equal(fv_test_probe(F, r, 8192, &pr), 0);
	free(r);
	/* Cleanmarkers only: an erased partition, low confidence. */
	memset(&m, 0, sizeof m);
	cleanmarker(&m);
	erased(&m, 65536 - 12);
	cleanmarker(&m);
	erased(&m, 100);
	assert_int_equal(fv_test_probe(F, m.b, m.n, &pr), 0);
	assert_int_equal(pr.conf, FV_CONF_LOW);
	assert_int_equal(pr.size, 65536 + 12);
	assert_non_null(strstr(pr.desc, "erase block 0x10000"));
}

static void extracts_both_byte_orders(void **state)
{
	(void)state;
	static struct img m;
	for (int be = 0; be <= 1; be++) {
		size_t end = small_fs(&m, be);
		struct fv_test_env *e = fv_test_env_new(tmp, "0x0.jffs2", end);
		assert_int_equal(F->extract(&e->x, m.b, end), 0);
		fv_test_assert_member(e, "0x0.jffs2/etc/passwd", "root:x:0:0\n", 11);
		const struct fv_xfile *f = fv_test_record(e, "!/etc/passwd");
		assert_int_equal(f->uid, 1000);
		assert_int_equal(f->gid, 100);
		f = fv_test_record(e, "!/etc/sh");
		assert_string_equal(f->link, "busybox");
		f = fv_test_record(e, "!/etc/console");
		assert_int_equal(f->mode & S_IFMT, S_IFCHR);
		assert_int_equal(f->rdev, makedev(5, 1));
		fv_test_env_free(e);
	}
}

static void bad_crc_node_is_skipped_and_reported(void **state)
{
	(void)state;
	static struct img m;
	memset(&m, 0, sizeof m);
	dirent(&m, 1, 1, 3, 8, "good");
	inode(&m, 3, 1, S_IFREG | 0644, 4, 0, "good", 4, 4, 0);
	dirent(&m, 1, 2, 4, 8, "bad");
	size_t at = inode(&m, 4, 1, S_IFREG | 0644, 4, 0, "evil", 4, 4, 0);
	m.b[at + 68] ^= 1; /* data CRC no longer holds */
	size_t end = m.n;
	struct fv_probe pr;
	assert_int_equal(fv_test_probe(F, m.b, end, &pr), 0);
	assert_int_equal(pr.size, end);
	struct fv_test_env *e = fv_test_env_new(tmp, "0x0.jffs2", end);
	assert_int_equal(F->extract(&e->x, m.b, end), FV_ECRC);
	fv_test_assert_member(e, "0x0.jffs2/good", "good", 4);
	assert_non_null(strstr(e->x.err, "inode data CRC at 0x"));
	fv_test_env_free(e);

	/* A broken node header: skipped a word at a time, the next node found. */
	memset(&m, 0, sizeof m);
	dirent(&m, 1, 1, 3, 8, "good");
	at = dirent(&m, 1, 2, 4, 8, "lost");
	m.b[at + 8] ^= 0xff;
	inode(&m, 3, 1, S_IFREG | 0644, 4, 0, "good", 4, 4, 0);
	end = m.n;
	assert_int_equal(fv_test_probe(F, m.b, end, &pr), 0);
	assert_int_equal(pr.size, end);
	assert_non_null(strstr(pr.desc, "1 bad CRCs"));
	e = fv_test_env_new(tmp, "0x0.jffs2", end);
	assert_int_equal(F->extract(&e->x, m.b, end), FV_ECRC);
	fv_test_assert_member(e, "0x0.jffs2/good", "good", 4);
	assert_non_null(strstr(e->x.err, "node header CRC"));
	fv_test_env_free(e);
}

static void newest_versions_win(void **state)
{
	(void)state;
	static struct img m;
	memset(&m, 0, sizeof m);
	/* Version 2 overwrites bytes 2..5 of version 1; version 3 appends
	 * after a hole; the file was also renamed, and another one deleted. */
	inode(&m, 3, 2, S_IFREG | 0600, 8, 2, "XXXX", 4, 4, 0);
	dirent(&m, 1, 1, 3, 8, "old-name");
	inode(&m, 3, 1, S_IFREG | 0644, 8, 0, "abcdefgh", 8, 8, 0);
	inode(&m, 3, 3, S_IFREG | 0640, 14, 12, "yz", 2, 2, 0);
	dirent(&m, 1, 5, 0, 0, "old-name");
	dirent(&m, 1, 4, 3, 8, "new-name");
	dirent(&m, 1, 6, 4, 8, "gone");
	inode(&m, 4, 1, S_IFREG | 0644, 3, 0, "bye", 3, 3, 0);
	dirent(&m, 1, 7, 0, 8, "gone");
	/* Truncated to 2 bytes at version 2, then extended to 4 by writing at 3. */
	dirent(&m, 1, 8, 5, 8, "trunc");
	inode(&m, 5, 1, S_IFREG | 0644, 4, 0, "1234", 4, 4, 0);
	inode(&m, 5, 2, S_IFREG | 0644, 2, 0, "", 0, 0, 0);
	inode(&m, 5, 3, S_IFREG | 0644, 4, 3, "Z", 1, 1, 0);
	size_t end = m.n;
	struct fv_test_env *e = fv_test_env_new(tmp, "0x0.jffs2", end);
	assert_int_equal(F->extract(&e->x, m.b, end), 0);
	fv_test_assert_member(e, "0x0.jffs2/new-name", "abXXXXgh\0\0\0\0yz", 14);
	fv_test_assert_member(e, "0x0.jffs2/trunc", "12\0Z", 4);
	assert_int_equal(fv_test_record(e, "!/new-name")->mode & 07777, 0640);
	char p[400];
	snprintf(p, sizeof p, "%s/0x0.jffs2/old-name", e->root);
	struct stat st;
	assert_int_not_equal(lstat(p, &st), 0);
	snprintf(p, sizeof p, "%s/0x0.jffs2/gone", e->root);
	assert_int_not_equal(lstat(p, &st), 0);
	fv_test_env_free(e);
}

static void rtime_lzma_and_zero_data(void **state)
{
	(void)state;
	static struct img m;
	memset(&m, 0, sizeof m);
	/* rtime, by hand: 'a' x1 then 'a' repeating 3 from after the first. */
	const uint8_t rt[] = { 'a', 0, 'b', 0, 'a', 3 };
	dirent(&m, 1, 1, 3, 8, "rt");
	inode(&m, 3, 1, S_IFREG | 0644, 6, 0, rt, sizeof rt, 6, 2);
	/* LZMA as vendor kernels write it: raw LZMA1, lc=0 lp=0 pb=0. */
	char text[600];
	for (int i = 0; i < 600; i++)
		text[i] = (char)('a' + i % 7);
	lzma_options_lzma opt;
	lzma_lzma_preset(&opt, 6);
	opt.lc = opt.lp = opt.pb = 0;
	opt.dict_size = 0x2000;
	lzma_filter f[2] = { { LZMA_FILTER_LZMA1, &opt }, { LZMA_VLI_UNKNOWN, NULL } };
	uint8_t lz[1024];
	size_t lzn = 0;
	assert_int_equal(lzma_raw_buffer_encode(f, NULL, (const uint8_t *)text, sizeof text, lz, &lzn,
						sizeof lz),
			 LZMA_OK);
	dirent(&m, 1, 2, 4, 8, "lz");
	inode(&m, 4, 1, S_IFREG | 0644, 600, 0, lz, (uint32_t)lzn, 600, 8);
	dirent(&m, 1, 3, 5, 8, "zero");
	inode(&m, 5, 1, S_IFREG | 0644, 100, 0, "", 0, 100, 1);
	size_t end = m.n;
	struct fv_test_env *e = fv_test_env_new(tmp, "0x0.jffs2", end);
	assert_int_equal(F->extract(&e->x, m.b, end), 0);
	fv_test_assert_member(e, "0x0.jffs2/rt", "ababab", 6);
	fv_test_assert_member(e, "0x0.jffs2/lz", text, sizeof text);
	static const uint8_t zeros[100];
	fv_test_assert_member(e, "0x0.jffs2/zero", zeros, 100);
	fv_test_env_free(e);
}

static void loops_and_absurd_sizes_are_refused(void **state)
{
	(void)state;
	static struct img m;
	memset(&m, 0, sizeof m);
	/* /a contains /a/b, and b names a again. */
	dirent(&m, 1, 1, 2, 4, "a");
	inode(&m, 2, 1, S_IFDIR | 0755, 0, 0, "", 0, 0, 0);
	dirent(&m, 2, 2, 3, 4, "b");
	inode(&m, 3, 1, S_IFDIR | 0755, 0, 0, "", 0, 0, 0);
	dirent(&m, 3, 3, 2, 4, "back");
	dirent(&m, 3, 4, 1, 4, "root");
	dirent(&m, 1, 5, 6, 8, "huge");
	inode(&m, 6, 1, S_IFREG | 0644, 0xfffffff0u, 0, "x", 1, 1, 0);
	size_t end = m.n;
	struct fv_test_env *e = fv_test_env_new(tmp, "0x0.jffs2", end);
	int r = F->extract(&e->x, m.b, end);
	assert_int_not_equal(r, 0);
	assert_non_null(strstr(e->x.err, "reached twice"));
	char p[400];
	snprintf(p, sizeof p, "%s/0x0.jffs2/a/b", e->root);
	struct stat st;
	assert_int_equal(lstat(p, &st), 0);
	fv_test_env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(probe_sizes_stop_before_erased_flash),
		cmocka_unit_test(probe_rejects_garbage),
		cmocka_unit_test(extracts_both_byte_orders),
		cmocka_unit_test(bad_crc_node_is_skipped_and_reported),
		cmocka_unit_test(newest_versions_win),
		cmocka_unit_test(rtime_lzma_and_zero_data),
		cmocka_unit_test(loops_and_absurd_sizes_are_refused),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
