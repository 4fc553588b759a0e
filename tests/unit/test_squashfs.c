/*
 * squashfs probe and extractor on images that mksquashfs makes at test
 * time: exact sizes, every compressor, big endian identified only, and
 * truncated or bit-flipped images handled without a crash.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/err.h"
#include "testlib.h"
#include "unpack/formats/squashfs.h"

extern const struct fv_format fv_format_squashfs;
static const struct fv_format *F = &fv_format_squashfs;

static char tmp[256];

static const char *comps[] = { "gzip", "lzma", "xz", "lzo", "lz4", "zstd" };

static uint8_t *image(const char *comp, size_t *len)
{
	char name[64];
	snprintf(name, sizeof name, "%s.sqfs", comp);
	return fv_test_load(tmp, name, len);
}

static uint64_t le64(const uint8_t *b)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static int group_setup(void **state)
{
	(void)state;
	fv_test_tmpdir(tmp, sizeof tmp, "sqfs");
	fv_test_sh(tmp,
		   "mkdir -p root/etc root/bin; echo 'root:x:0:0::/:/bin/sh' > root/etc/passwd;"
		   "seq 1 30000 > root/etc/numbers; ln root/etc/passwd root/etc/hard; ln -s ../etc/passwd root/bin/link;"
		   "chmod 4755 root/etc/numbers; mkdir root/dev root/big; truncate -s 70000 root/etc/sparse;"
		   "for i in $(seq 1 90); do echo $i > root/big/a-rather-long-file-name-so-that-the-directory-listing-spans-more-than-one-metadata-block-$i; done");
	for (size_t i = 0; i < sizeof comps / sizeof comps[0]; i++)
		fv_test_sh(tmp,
			   "SOURCE_DATE_EPOCH=1700000000 mksquashfs root %s.sqfs -comp %s "
			   "-b 16384 -noappend -quiet -no-progress -p 'dev/console c 600 0 0 5 1' >/dev/null",
			   comps[i], comps[i]);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	return fv_test_rmtree(tmp);
}

static void sizes_are_exact_for_every_compressor(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof comps / sizeof comps[0]; i++) {
		size_t len;
		uint8_t *b = image(comps[i], &len);
		struct fv_probe pr;
		memset(&pr, 0, sizeof pr);
		assert_int_equal(F->probe(b, len, &pr), 0);
		assert_int_equal(pr.size, le64(b + 40));
		assert_true(pr.size < len); /* mksquashfs pads to 4 KiB */
		assert_int_equal(pr.conf, FV_CONF_HIGH);
		assert_false(pr.truncated);
		char want[64];
		snprintf(want, sizeof want, "squashfs 4.0 little endian, %s, block size 16384, ", comps[i]);
		assert_memory_equal(pr.desc, want, strlen(want));
		assert_non_null(strstr(pr.desc, "created 2023-11-14"));
		free(b);
	}
}

static void garbage_and_broken_superblocks_are_rejected(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = image("xz", &len);
	struct fv_probe pr;
	uint8_t junk[4096];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (uint8_t)(i * 7919u >> 3);
	memcpy(junk, "hsqs", 4);
	memset(&pr, 0, sizeof pr);
	assert_true(F->probe(junk, sizeof junk, &pr) < 0);
	memcpy(junk, "sqsh", 4);
	assert_true(F->probe(junk, sizeof junk, &pr) < 0);
	assert_true(F->probe(b, 50, &pr) < 0); /* too short for a superblock */

	/* Each of these fields alone makes the superblock impossible. */
	static const struct { size_t off; uint8_t val; } bad[] = {
		{ 12, 0x03 },  /* block size not a power of two */
		{ 22, 15 },    /* block_log disagrees with block size */
		{ 20, 9 },     /* compressor id */
		{ 28, 5 },     /* major version */
		{ 30, 1 },     /* minor version */
		{ 71, 0x7f },  /* inode table after everything */
		{ 55, 0x7f },  /* id table beyond bytes_used */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t *c = malloc(len);
		memcpy(c, b, len);
		c[bad[i].off] = bad[i].val;
		memset(&pr, 0, sizeof pr);
		assert_true(F->probe(c, len, &pr) < 0);
		free(c);
	}
	free(b);
}

static void truncated_image_is_low_confidence(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = image("gzip", &len);
	uint64_t used = le64(b + 40);
	struct fv_probe pr;
	memset(&pr, 0, sizeof pr);
	assert_int_equal(F->probe(b, (size_t)used - 100, &pr), 0);
	assert_true(pr.truncated);
	assert_int_equal(pr.size, used - 100);
	assert_int_equal(pr.conf, FV_CONF_LOW);
	free(b);
}

static void big_endian_superblock_is_described(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = image("xz", &len);
	uint64_t used = le64(b + 40);
	uint8_t be[96];
	memcpy(be, "sqsh", 4);
	for (size_t o = 4; o < 20; o += 4)
		for (int k = 0; k < 4; k++)
			be[o + k] = b[o + 3 - k];
	for (size_t o = 20; o < 32; o += 2)
		be[o] = b[o + 1], be[o + 1] = b[o];
	for (size_t o = 32; o < 96; o += 8)
		for (int k = 0; k < 8; k++)
			be[o + k] = b[o + 7 - k];
	memcpy(b, be, sizeof be);
	struct fv_probe pr;
	memset(&pr, 0, sizeof pr);
	assert_int_equal(F->probe(b, len, &pr), 0);
	assert_int_equal(pr.size, used);
	assert_memory_equal(pr.desc, "squashfs 4.0 big endian, xz, ", 29);
	free(b);
}

/* ---- extraction, through a real sink -------------------------------------- */

static struct fv_test_env *env_new(void)
{
	return fv_test_env_new(tmp, "0x0.squashfs", 1000);
}

static void extracts_every_compressor(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof comps / sizeof comps[0]; i++) {
		size_t len;
		uint8_t *b = image(comps[i], &len);
		struct fv_test_env *e = env_new();
		assert_int_equal(F->extract(&e->x, b, (size_t)le64(b + 40)), 0);
		const struct fv_xfile *f = fv_test_record(e, "img!0x0.squashfs!/etc/numbers");
		assert_int_equal(f->size, 168894); /* seq 1 30000: several 16 KiB blocks and a tail */
		assert_int_equal(f->mode & 07777, 04755); /* recorded as stored */
		f = fv_test_record(e, "img!0x0.squashfs!/bin/link");
		assert_int_equal(f->type, FV_FT_SYMLINK);
		assert_string_equal(f->link, "../etc/passwd");
		const struct fv_xfile *h1 = fv_test_record(e, "img!0x0.squashfs!/etc/hard");
		const struct fv_xfile *h2 = fv_test_record(e, "img!0x0.squashfs!/etc/passwd");
		assert_string_equal(h1->sha256, h2->sha256);
		char p[600];
		struct stat st;
		snprintf(p, sizeof p, "%s/0x0.squashfs/etc/numbers", e->root);
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_size, 168894);
		assert_int_equal(st.st_mode & 07777, 0755);
		fv_test_env_free(e);
		free(b);
	}
}

/* Damaged images: the extractor must report and go on, never crash. */
static void damaged_images_do_not_crash(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof comps / sizeof comps[0]; i++) {
		size_t len;
		uint8_t *b = image(comps[i], &len);
		size_t used = (size_t)le64(b + 40);
		/* Cut short: the tables at the end are gone. */
		struct fv_test_env *e = env_new();
		assert_true(F->extract(&e->x, b, used / 2) < 0);
		assert_true(e->x.err[0] != 0);
		fv_test_env_free(e);
		/* Flipped bits all over the image, superblock kept. */
		uint8_t *c = malloc(used);
		for (unsigned round = 0; round < 10; round++) {
			memcpy(c, b, used);
			for (size_t k = 0; k < 4; k++) {
				size_t at = 96 + ((round * 2654435761u + k * 40503u) % (used - 96));
				c[at] ^= (uint8_t)(1u << ((round + k) & 7));
			}
			e = env_new();
			int r = F->extract(&e->x, c, used);
			if (r < 0)
				assert_true(e->x.err[0] != 0);
			fv_test_env_free(e);
		}
		free(c);
		free(b);
	}
}

/* Sorted "path sha256" lines of what an extraction wrote. */
static char *manifest(struct fv_test_env *e)
{
	size_t n = e->u.nfiles, len = 0;
	char **lines = calloc(n + 1, sizeof *lines);
	for (size_t i = 0; i < n; i++) {
		const struct fv_xfile *f = &e->u.files[i];
		size_t l = strlen(f->path) + 100;
		lines[i] = malloc(l);
		snprintf(lines[i], l, "%s %d %o %s %s\n", f->path, (int)f->type, f->mode, f->sha256,
			 f->link ? f->link : "-");
		len += strlen(lines[i]);
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
			char *t = lines[j];
			lines[j] = lines[j - 1], lines[j - 1] = t;
		}
	char *m = calloc(len + 1, 1);
	for (size_t i = 0; i < n; i++) {
		strcat(m, lines[i]);
		free(lines[i]);
	}
	free(lines);
	return m;
}

static void big_endian_images_extract_like_little_endian(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof comps / sizeof comps[0]; i++) {
		size_t len;
		uint8_t *b = image(comps[i], &len);
		struct fv_test_env *e = env_new();
		assert_int_equal(F->extract(&e->x, b, (size_t)le64(b + 40)), 0);
		char *want = manifest(e);
		fv_test_env_free(e);

		uint8_t *be = NULL, *back = NULL;
		size_t belen = 0, backlen = 0;
		char err[200];
		assert_int_equal(fv_squashfs_swap(b, len, &be, &belen, err, sizeof err), 0);
		assert_memory_equal(be, "sqsh", 4);
		/* Read without the converter: the root inode's type is big endian. */
		uint64_t itab = 0, root = 0;
		for (int k = 0; k < 8; k++) {
			itab = itab << 8 | be[64 + k];
			root = root << 8 | be[32 + k];
		}
		const uint8_t *blk = be + itab + (root >> 16);
		assert_true((blk[0] & 0x80) != 0); /* uncompressed block, big-endian header */
		const uint8_t *ino = blk + 2 + (root & 0xffff);
		unsigned type = (unsigned)(ino[0] << 8 | ino[1]);
		assert_true(type == 1 || type == 8);

		struct fv_probe pr;
		memset(&pr, 0, sizeof pr);
		assert_int_equal(F->probe(be, belen, &pr), 0);
		assert_int_equal(pr.size, belen);
		assert_memory_equal(pr.desc, "squashfs 4.0 big endian, ", 25);
		e = env_new();
		assert_int_equal(F->extract(&e->x, be, belen), 0);
		char *got = manifest(e);
		assert_string_equal(got, want);
		fv_test_env_free(e);
		free(got);

		/* And back again. */
		assert_int_equal(fv_squashfs_swap(be, belen, &back, &backlen, err, sizeof err), 0);
		assert_memory_equal(back, "hsqs", 4);
		e = env_new();
		assert_int_equal(F->extract(&e->x, back, backlen), 0);
		got = manifest(e);
		assert_string_equal(got, want);
		fv_test_env_free(e);
		free(got);

		/* Damaged big-endian images: reported, never a crash. */
		uint8_t *c = malloc(belen);
		for (unsigned round = 0; round < 8; round++) {
			memcpy(c, be, belen);
			for (size_t k = 0; k < 3; k++) {
				size_t at = 96 + ((round * 2654435761u + k * 7919u) % (belen - 96));
				c[at] ^= (uint8_t)(1u << ((round + k) & 7));
			}
			e = env_new();
			if (F->extract(&e->x, c, belen) < 0)
				assert_true(e->x.err[0] != 0);
			fv_test_env_free(e);
		}
		e = env_new();
		assert_true(F->extract(&e->x, be, belen / 2) < 0);
		fv_test_env_free(e);
		free(c);
		free(want);
		free(be);
		free(back);
		free(b);
	}
}

/* Every record in order, with its hash, then the return code and the error. */
static char *outcome(struct fv_test_env *e, int rc)
{
	size_t cap = 256, len = 0;
	char *m = malloc(cap);
	for (size_t i = 0; i <= e->u.nfiles; i++) {
		char line[1024];
		if (i < e->u.nfiles) {
			const struct fv_xfile *f = &e->u.files[i];
			snprintf(line, sizeof line, "%s %d %o %llu %s %s\n", f->path, (int)f->type, f->mode,
				 (unsigned long long)f->size, f->sha256, f->disk ? f->disk : "-");
		} else {
			snprintf(line, sizeof line, "rc %d: %s\n", rc, e->x.err);
		}
		size_t l = strlen(line);
		while (len + l + 1 > cap)
			m = realloc(m, cap *= 2);
		memcpy(m + len, line, l + 1);
		len += l;
	}
	return m;
}

static char *extract_on(const cpu_set_t *cpus, const uint8_t *p, size_t n)
{
	assert_int_equal(sched_setaffinity(0, sizeof *cpus, cpus), 0);
	struct fv_test_env *e = env_new();
	char *m = outcome(e, F->extract(&e->x, p, n));
	fv_test_env_free(e);
	return m;
}

/*
 * Data blocks are decoded on every core the process may use, and written
 * in order by one thread: the records, their order, the files and the
 * first error must be those of a run on one core, intact or damaged.
 */
static void threads_do_not_change_the_outcome(void **state)
{
	(void)state;
	cpu_set_t all, one;
	assert_int_equal(sched_getaffinity(0, sizeof all, &all), 0);
	if (CPU_COUNT(&all) < 2)
		skip();
	CPU_ZERO(&one);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &all)) {
			CPU_SET(c, &one);
			break;
		}
	for (size_t i = 0; i < sizeof comps / sizeof comps[0]; i++) {
		size_t len;
		uint8_t *b = image(comps[i], &len);
		size_t used = (size_t)le64(b + 40), data_end = (size_t)le64(b + 64);
		uint8_t *c = malloc(used);
		for (unsigned round = 0; round < 12; round++) {
			memcpy(c, b, used);
			/* Round 0 intact; then bytes changed in the data blocks and
			 * fragments (before the inode table), two at a time. */
			for (size_t k = 0; round && k < 2; k++) {
				size_t at = 96 + ((round * 2654435761u + k * 40503u) % (data_end - 96));
				c[at] ^= (uint8_t)(0x55 + round);
			}
			char *one_core = extract_on(&one, c, used);
			char *every_core = extract_on(&all, c, used);
			assert_string_equal(every_core, one_core);
			free(one_core);
			free(every_core);
		}
		free(c);
		free(b);
	}
	assert_int_equal(sched_setaffinity(0, sizeof all, &all), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sizes_are_exact_for_every_compressor),
		cmocka_unit_test(garbage_and_broken_superblocks_are_rejected),
		cmocka_unit_test(truncated_image_is_low_confidence),
		cmocka_unit_test(big_endian_superblock_is_described),
		cmocka_unit_test(extracts_every_compressor),
		cmocka_unit_test(damaged_images_do_not_crash),
		cmocka_unit_test(big_endian_images_extract_like_little_endian),
		cmocka_unit_test(threads_do_not_change_the_outcome),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
