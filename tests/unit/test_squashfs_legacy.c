/*
 * squashfs 2.x/3.x reader on images written here from the format's
 * description (no Debian tool writes them): 2.1 and 3.1, little and big
 * endian (bitfields from the low or the high bit), zlib and the two vendor
 * LZMA block layouts, metadata stored and compressed, with multi-block
 * files, fragments, a raw block, a symlink, a device and a hard link.
 * Debian's unsquashfs, which still reads 2.x/3.x zlib images, checks the
 * writer.  Corrupted and truncated images must not crash.
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lzma.h>
#include <zlib.h>

#include "core/err.h"
#include "unpack/engine.h"
#include "unpack/formats/squashfs.h"

extern const struct fv_format fv_format_squashfs;
static const struct fv_format *F = &fv_format_squashfs;

enum comp { C_ZLIB, C_LZMA13, C_LZMA5 };

struct w {
	uint8_t *b;
	size_t bits, cap;
	int be;
};

static void put(struct w *w, uint64_t v, unsigned n)
{
	if ((w->bits + n + 7) / 8 > w->cap) {
		size_t nc = w->cap * 2 + 65536;
		w->b = realloc(w->b, nc);
		memset(w->b + w->cap, 0, nc - w->cap);
		w->cap = nc;
	}
	for (unsigned i = 0; i < n; i++, w->bits++) {
		unsigned sh = w->be ? n - 1 - i : i; /* zero runs may be wider than 64 bits */
		unsigned bit = sh < 64 ? (v >> sh) & 1 : 0;
		size_t k = w->bits;
		if (bit)
			w->b[k / 8] |= (uint8_t)(w->be ? 0x80 >> (k % 8) : 1 << (k % 8));
	}
}

static void putb(struct w *w, const void *p, size_t n)
{
	assert_true(w->bits % 8 == 0);
	for (size_t i = 0; i < n; i++)
		put(w, ((const uint8_t *)p)[i], 8);
}

static size_t at(const struct w *w) { return w->bits / 8; }

static size_t compress_block(enum comp c, const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	if (c == C_ZLIB) {
		uLongf len = cap;
		assert_int_equal(compress2(out, &len, in, n, 9), Z_OK);
		return len;
	}
	lzma_stream z = LZMA_STREAM_INIT;
	lzma_options_lzma o;
	lzma_lzma_preset(&o, 6);
	o.dict_size = 1 << 16;
	assert_int_equal(lzma_alone_encoder(&z, &o), LZMA_OK);
	z.next_in = in, z.avail_in = n, z.next_out = out, z.avail_out = cap;
	assert_int_equal(lzma_code(&z, LZMA_FINISH), LZMA_STREAM_END);
	size_t len = z.total_out;
	lzma_end(&z);
	if (c == C_LZMA5) { /* drop the 64-bit size */
		memmove(out + 5, out + 13, len - 13);
		len -= 8;
	}
	return len;
}

/* A metadata block: 2-byte header (bit 15: stored), then the bytes. */
static void meta(struct w *w, enum comp c, int raw, const uint8_t *p, size_t n)
{
	uint8_t buf[16384];
	size_t len = raw ? n : compress_block(c, p, n, buf, sizeof buf);
	if (len >= n) /* as mksquashfs does: never store a block bigger */
		raw = 1, len = n;
	put(w, len | (raw ? 0x8000 : 0), 16);
	putb(w, raw ? p : buf, len);
}

#define BS 4096
#define BIG 10000
static const char A_TXT[] = "hello from an old squashfs\n";

static uint8_t *big_content(void)
{
	uint8_t *p = malloc(BIG);
	for (size_t i = 0; i < BIG; i++)
		p[i] = (uint8_t)("firmware"[i % 8] + i / 1000);
	return p;
}

static uint8_t *raw_content(void)
{
	uint8_t *p = malloc(BS);
	fv_test_fill_random(p, BS, 9);
	return p;
}

/*
 * Builds the image: / { a.txt, big.bin, raw.bin, link -> a.txt, sub/ { hard
 * (= a.txt), null (char 1,3) } }.
 */
static uint8_t *build(unsigned major, int be, enum comp c, int raw_meta, size_t *len)
{
	int v3 = major == 3;
	struct w img = { NULL, 0, 0, be };
	size_t sbsize = v3 ? 119 : 63;
	put(&img, 0, 8 * sbsize); /* superblock, filled in last */
	uint8_t *big = big_content(), *rawc = raw_content();
	uint8_t tmp[16384];

	/* Data: big.bin's two full blocks, raw.bin stored, then the fragment. */
	uint64_t big_start = at(&img);
	uint32_t bl[3];
	for (int i = 0; i < 2; i++) {
		bl[i] = (uint32_t)compress_block(c, big + i * BS, BS, tmp, sizeof tmp);
		putb(&img, tmp, bl[i]);
	}
	uint64_t raw_start = at(&img);
	bl[2] = BS | 1u << 24;
	putb(&img, rawc, BS);
	uint8_t frag[BS];
	size_t tail = BIG - 2 * BS;
	memcpy(frag, A_TXT, sizeof A_TXT - 1);
	memcpy(frag + sizeof A_TXT - 1, big + 2 * BS, tail);
	size_t flen = sizeof A_TXT - 1 + tail;
	uint64_t frag_start = at(&img);
	uint32_t fcomp = (uint32_t)compress_block(c, frag, flen, tmp, sizeof tmp);
	putb(&img, tmp, fcomp);

	/* Inodes, in one metadata block. */
	struct w it = { NULL, 0, 0, be };
	unsigned ino_no = 1;
#define BASE(type, mode)                                                                           \
	do {                                                                                       \
		put(&it, type, 4), put(&it, mode, 12), put(&it, 0, 8), put(&it, 0, 8);             \
		if (v3)                                                                            \
			put(&it, 1700000000, 32), put(&it, ino_no++, 32);                          \
	} while (0)
	size_t a_ref = at(&it);
	BASE(2, 0644);
	if (!v3)
		put(&it, 1700000000, 32);
	put(&it, 0, v3 ? 64 : 32), put(&it, 0, 32), put(&it, 0, 32), put(&it, sizeof A_TXT - 1, 32);
	size_t big_ref = at(&it);
	BASE(2, 0755);
	if (!v3)
		put(&it, 1700000000, 32);
	put(&it, big_start, v3 ? 64 : 32), put(&it, 0, 32), put(&it, sizeof A_TXT - 1, 32),
		put(&it, BIG, 32);
	put(&it, bl[0], 32), put(&it, bl[1], 32);
	size_t raw_ref = at(&it);
	BASE(2, 0600);
	if (!v3)
		put(&it, 1700000000, 32);
	put(&it, raw_start, v3 ? 64 : 32), put(&it, 0xffffffff, 32), put(&it, 0, 32), put(&it, BS, 32);
	put(&it, bl[2], 32);
	size_t link_ref = at(&it);
	BASE(3, 0777);
	if (v3)
		put(&it, 1, 32);
	put(&it, 5, 16);
	putb(&it, "a.txt", 5);
	size_t null_ref = at(&it);
	BASE(5, 0666);
	if (v3)
		put(&it, 1, 32);
	put(&it, 1 << 8 | 3, 16);

	/* Directory listings: sub's first, then the root's. */
	struct w dt = { NULL, 0, 0, be };
	struct ent {
		const char *name;
		size_t ref;
		unsigned type;
	};
	const struct ent sub_e[] = { { "hard", a_ref, 2 }, { "null", null_ref, 5 } };
	size_t sub_list = at(&dt);
	put(&dt, 2 - 1, 8), put(&dt, 0, v3 ? 32 : 24);
	if (v3)
		put(&dt, 1, 32);
	for (int i = 0; i < 2; i++) {
		put(&dt, sub_e[i].ref, 13), put(&dt, sub_e[i].type, 3), put(&dt, 3, 8);
		if (v3)
			put(&dt, 0, 16);
		putb(&dt, sub_e[i].name, 4);
	}
	size_t sub_size = at(&dt) - sub_list + (v3 ? 3 : 0); /* 3.x counts . and .. */
	size_t sub_ref = at(&it);
	BASE(1, 0750);
	if (v3) {
		put(&it, 2, 32), put(&it, sub_size, 19), put(&it, sub_list, 13), put(&it, 0, 32),
			put(&it, 1, 32);
	} else {
		put(&it, sub_size, 19), put(&it, sub_list, 13), put(&it, 1700000000, 32),
			put(&it, 0, 24);
	}
	const struct ent root_e[] = { { "a.txt", a_ref, 2 },   { "big.bin", big_ref, 2 },
				      { "link", link_ref, 3 }, { "raw.bin", raw_ref, 2 },
				      { "sub", sub_ref, 1 } };
	size_t root_list = at(&dt);
	put(&dt, 5 - 1, 8), put(&dt, 0, v3 ? 32 : 24);
	if (v3)
		put(&dt, 1, 32);
	for (int i = 0; i < 5; i++) {
		size_t n = strlen(root_e[i].name);
		put(&dt, root_e[i].ref, 13), put(&dt, root_e[i].type, 3), put(&dt, n - 1, 8);
		if (v3)
			put(&dt, 0, 16);
		putb(&dt, root_e[i].name, n);
	}
	size_t root_size = at(&dt) - root_list + (v3 ? 3 : 0);
	size_t root_ref = at(&it);
	BASE(1, 0755);
	if (v3) {
		put(&it, 3, 32), put(&it, root_size, 19), put(&it, root_list, 13), put(&it, 0, 32),
			put(&it, 1, 32);
	} else {
		put(&it, root_size, 19), put(&it, root_list, 13), put(&it, 1700000000, 32),
			put(&it, 0, 24);
	}
#undef BASE

	/* Tables: inodes, directories, fragment entries and their index, ids. */
	uint64_t itab = at(&img);
	meta(&img, c, raw_meta, it.b, at(&it));
	uint64_t dtab = at(&img);
	meta(&img, c, raw_meta, dt.b, at(&dt));
	struct w fe = { NULL, 0, 0, be };
	put(&fe, frag_start, v3 ? 64 : 32), put(&fe, fcomp, 32);
	if (v3)
		put(&fe, 0, 32);
	uint64_t fmeta = at(&img);
	meta(&img, c, raw_meta, fe.b, at(&fe));
	uint64_t ftab = at(&img);
	put(&img, fmeta, v3 ? 64 : 32);
	uint64_t uids = at(&img);
	put(&img, 1000, 32);
	uint64_t gids = at(&img);
	put(&img, 100, 32);
	uint64_t used = at(&img);

	struct w sb = { img.b, 0, img.cap, be };
	put(&sb, 0x73717368, 32), put(&sb, 8, 32), put(&sb, used, 32), put(&sb, uids, 32);
	put(&sb, gids, 32), put(&sb, itab, 32), put(&sb, dtab, 32);
	put(&sb, major, 16), put(&sb, 1, 16), put(&sb, BS, 16), put(&sb, 12, 16);
	put(&sb, 0, 8), put(&sb, 1, 8), put(&sb, 1, 8), put(&sb, 1700000000, 32);
	put(&sb, root_ref, 64), put(&sb, BS, 32), put(&sb, 1, 32), put(&sb, ftab, 32);
	if (v3) {
		put(&sb, used, 64), put(&sb, uids, 64), put(&sb, gids, 64), put(&sb, itab, 64);
		put(&sb, dtab, 64), put(&sb, ftab, 64), put(&sb, UINT64_MAX, 64);
	}
	free(it.b), free(dt.b), free(fe.b), free(big), free(rawc);
	*len = used;
	return img.b;
}

static void check_tree(struct fv_test_env *e)
{
	uint8_t *big = big_content(), *rawc = raw_content();
	fv_test_assert_member(e, "0x0.squashfs/a.txt", A_TXT, sizeof A_TXT - 1);
	fv_test_assert_member(e, "0x0.squashfs/sub/hard", A_TXT, sizeof A_TXT - 1);
	fv_test_assert_member(e, "0x0.squashfs/big.bin", big, BIG);
	fv_test_assert_member(e, "0x0.squashfs/raw.bin", rawc, BS);
	free(big), free(rawc);
	const struct fv_xfile *f = fv_test_record(e, "!/big.bin");
	assert_int_equal(f->mode & 07777, 0755);
	assert_int_equal(f->uid, 1000);
	assert_int_equal(f->gid, 100);
	f = fv_test_record(e, "!/link");
	assert_int_equal(f->type, FV_FT_SYMLINK);
	assert_string_equal(f->link, "a.txt");
	f = fv_test_record(e, "!/sub/null");
	assert_int_equal(f->type, FV_FT_CHAR);
	assert_int_equal(f->mode & 07777, 0666);
	f = fv_test_record(e, "!/sub");
	assert_int_equal(f->type, FV_FT_DIR);
	assert_int_equal(f->mode & 07777, 0750);
	assert_int_equal(e->u.nfiles, 7);
}

static void extracts_every_variant(void **state)
{
	char *tmp = *state;
	for (unsigned major = 2; major <= 3; major++)
		for (int be = 0; be <= 1; be++)
			for (int c = C_ZLIB; c <= C_LZMA5; c++)
				for (int raw = 0; raw <= 1; raw++) {
					size_t len;
					uint8_t *img = build(major, be, c, raw, &len);
					struct fv_probe pr;
					assert_int_equal(fv_test_probe(F, img, len, &pr), 0);
					assert_int_equal(pr.size, len);
					char want[64];
					snprintf(want, sizeof want, "squashfs %u.1 %s endian, %s", major,
						 be ? "big" : "little", c == C_ZLIB ? "zlib" : "lzma");
					assert_memory_equal(pr.desc, want, strlen(want));
					struct fv_test_env *e = fv_test_env_new(tmp, "0x0.squashfs", len);
					assert_int_equal(F->extract(&e->x, img, len), 0);
					check_tree(e);
					fv_test_env_free(e);
					free(img);
				}
}

/* Debian's unsquashfs reads the zlib images the same way. */
static void unsquashfs_agrees(void **state)
{
	char *tmp = *state;
	if (!fv_test_have("unsquashfs")) {
		skip();
		return;
	}
	for (unsigned major = 2; major <= 3; major++)
		for (int be = 0; be <= 1; be++) {
			size_t len;
			uint8_t *img = build(major, be, C_ZLIB, 0, &len);
			char dir[400];
			snprintf(dir, sizeof dir, "%s/uq-%u-%d", tmp, major, be);
			fv_test_sh(NULL, "mkdir -p '%s'", dir);
			fv_test_write_file(dir, "img.sqfs", img, len);
			fv_test_sh(dir, "unsquashfs -no-xattrs -d out img.sqfs >/dev/null");
			size_t n;
			uint8_t *p = fv_test_load(dir, "out/big.bin", &n);
			uint8_t *big = big_content();
			assert_int_equal(n, BIG);
			assert_memory_equal(p, big, BIG);
			free(p), free(big);
			p = fv_test_load(dir, "out/sub/hard", &n);
			assert_int_equal(n, sizeof A_TXT - 1);
			assert_memory_equal(p, A_TXT, n);
			free(p);
			fv_test_sh(dir, "test \"$(readlink out/link)\" = a.txt");
			free(img);
		}
}

/* Bit flips everywhere and every truncation: an error or a partial tree, never a crash. */
static void survives_damage(void **state)
{
	char *tmp = *state;
	for (int be = 0; be <= 1; be++) {
		size_t len;
		uint8_t *img = build(3, be, C_ZLIB, be, &len);
		uint8_t *bad = malloc(len);
		for (size_t i = 0; i < len; i += i + 300 >= len ? 1 : 29) { /* every table byte */
			memcpy(bad, img, len);
			bad[i] ^= (uint8_t)(0x5a + i);
			struct fv_test_env *e = fv_test_env_new(tmp, "0x0.squashfs", len);
			int r = F->extract(&e->x, bad, len);
			assert_true(r <= 0);
			fv_test_env_free(e);
		}
		for (size_t cut = 0; cut < len; cut += 97) {
			struct fv_test_env *e = fv_test_env_new(tmp, "0x0.squashfs", len);
			int r = F->extract(&e->x, img, cut);
			assert_true(r <= 0);
			fv_test_env_free(e);
		}
		free(bad);
		free(img);
	}
}

static int setup(void **state)
{
	static char tmp[256];
	fv_test_tmpdir(tmp, sizeof tmp, "sqlegacy");
	*state = tmp;
	return 0;
}

static int teardown(void **state) { return fv_test_rmtree(*state); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(extracts_every_variant),
		cmocka_unit_test(unsquashfs_agrees),
		cmocka_unit_test(survives_damage),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
