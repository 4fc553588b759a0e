/*
 * Equivalence of containers (equiv.c), on images made by hand: a chunk's own
 * bytes are waved through by its kind only because its files are compared;
 * the bytes between chunks must be equal (padding may change length); a
 * chunk that moved, a chunk that yields no file, and a member that differs
 * all make the image different, and say where.
 */
#include "testlib.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/hash.h"
#include "core/map.h"
#include "integrity/equiv.h"
#include "inventory/inventory.h"
#include "unpack/engine.h"

#define CAP 8

struct image {
	char dir[256];
	uint8_t bytes[4096];
	struct fv_map map;
	struct fv_unpack u;
	struct fv_xentry e[CAP];
	struct fv_xfile x[CAP];
	struct fv_file f[CAP];
	struct fv_inventory inv;
	struct fv_side s;
};

static struct image *image_new(const char *tag)
{
	struct image *m = calloc(1, sizeof *m);
	assert_non_null(m);
	fv_test_tmpdir(m->dir, sizeof m->dir, tag);
	/* 0xFF padding everywhere, as erased flash. */
	memset(m->bytes, 0xff, sizeof m->bytes);
	m->map.data = m->bytes;
	m->map.size = sizeof m->bytes;
	m->u.entries = m->e;
	m->inv.files = m->f;
	m->inv.outdir = m->dir;
	return m;
}

static void chunk(struct image *m, const char *path, const char *format, uint64_t off, uint64_t size)
{
	struct fv_xentry *e = &m->e[m->u.nentries++];
	e->path = (char *)path;
	e->format = format;
	e->off = off;
	e->size = size;
}

/* A member file written to disk with the given text. */
static void member(struct image *m, const char *path, const char *text)
{
	size_t i = m->inv.nfiles++;
	char disk[32];
	snprintf(disk, sizeof disk, "f%zu", i);
	fv_test_put(m->dir, disk, text);
	m->x[i].path = (char *)path;
	m->x[i].disk = strdup(disk);
	m->x[i].type = FV_FT_FILE;
	m->x[i].mode = 0100644;
	m->x[i].size = strlen(text);
	fv_sha256_hex(text, strlen(text), m->x[i].sha256);
	m->f[i].x = &m->x[i];
	m->f[i].kind = FV_KIND_TEXT;
}

static void image_free(struct image *m)
{
	fv_side_free(&m->s);
	for (size_t i = 0; i < m->inv.nfiles; i++)
		free(m->x[i].disk);
	fv_test_rmtree(m->dir);
	free(m);
}

/* Compares a with b and returns the verdict; *e is filled (free it). */
static enum fv_verdict judge(struct image *a, struct image *b, unsigned allowed, struct fv_equiv *e)
{
	assert_int_equal(fv_side_init(&a->s, &a->u, &a->inv, NULL), FV_OK);
	assert_int_equal(fv_side_init(&b->s, &b->u, &b->inv, NULL), FV_OK);
	assert_int_equal(fv_equiv_compute(&a->s, &b->s, &a->map, &b->map, allowed, e), FV_OK);
	return e->verdict;
}

/* A flash image: a squashfs at 0x100 holding /etc/passwd, a gap of bytes, padding. */
static struct image *flash(const char *tag, uint8_t meta, const char *passwd)
{
	struct image *m = image_new(tag);
	memcpy(m->bytes, "BOOTLOADER CODE", 15);
	chunk(m, "fw.bin!0x100.squashfs", "squashfs", 0x100, 0x200);
	memset(m->bytes + 0x100, 0x5a, 0x200);
	m->bytes[0x108] = meta; /* the superblock's time, say */
	member(m, "fw.bin!0x100.squashfs!/etc/passwd", passwd);
	return m;
}

static void metadata_only(void **state)
{
	(void)state;
	struct image *a = flash("eqa", 1, "root:x:0:0::/:/bin/sh\n"), *b = flash("eqb", 2, "root:x:0:0::/:/bin/sh\n");
	struct fv_equiv e;
	assert_int_equal(judge(a, b, FV_NORM_ALL, &e), FV_VERDICT_EQUIVALENT);
	assert_int_equal(e.image.applied, FV_NORM_FS_META);
	assert_int_equal(e.counts[FV_VERDICT_IDENTICAL], 1);
	fv_equiv_free(&e);
	fv_side_free(&a->s);
	fv_side_free(&b->s);
	/* Refused, the chunk's bytes are a difference that names it. */
	assert_int_equal(judge(a, b, FV_NORM_ALL & ~FV_NORM_FS_META, &e), FV_VERDICT_DIFFERENT);
	assert_int_equal(e.image.ndiffs, 1);
	assert_non_null(strstr(e.image.diffs[0].what, "chunk squashfs at 0x100"));
	assert_non_null(strstr(e.image.diffs[0].what, "fs-metadata not applied"));
	fv_equiv_free(&e);
	image_free(a);
	image_free(b);
}

static void code_outside_chunks(void **state)
{
	(void)state;
	struct image *a = flash("eqa", 1, "x\n"), *b = flash("eqb", 1, "x\n");
	/* A changed byte of the boot loader, which no chunk covers: never waved through. */
	b->bytes[3] ^= 0x20;
	struct fv_equiv e;
	assert_int_equal(judge(a, b, FV_NORM_ALL, &e), FV_VERDICT_DIFFERENT);
	assert_int_equal(e.image.ndiffs, 1);
	assert_string_equal(e.image.diffs[0].what, "bytes outside chunks");
	assert_int_equal(e.image.diffs[0].offset, 3);
	fv_equiv_free(&e);
	image_free(a);
	image_free(b);
}

static void member_differs(void **state)
{
	(void)state;
	struct image *a = flash("eqa", 1, "root:x:0:0::/:/bin/sh\n"),
		     *b = flash("eqb", 1, "root:x:0:0::/:/bin/ash\n");
	struct fv_equiv e;
	assert_int_equal(judge(a, b, FV_NORM_ALL, &e), FV_VERDICT_DIFFERENT);
	assert_int_equal(e.counts[FV_VERDICT_DIFFERENT], 1);
	assert_string_equal(e.files[0].key, "squashfs!/etc/passwd");
	assert_string_equal(e.files[0].cmp.diffs[0].what, "content: 22 -> 23 bytes");
	fv_equiv_free(&e);
	image_free(a);
	image_free(b);
}

static void moved_and_padding(void **state)
{
	(void)state;
	/* The same chunk after more padding: a moved chunk is a layout difference. */
	struct image *a = flash("eqa", 1, "x\n"), *b = image_new("eqb");
	memcpy(b->bytes, "BOOTLOADER CODE", 15);
	chunk(b, "fw.bin!0x200.squashfs", "squashfs", 0x200, 0x200);
	memset(b->bytes + 0x200, 0x5a, 0x200);
	b->bytes[0x208] = 1;
	member(b, "fw.bin!0x200.squashfs!/etc/passwd", "x\n");
	struct fv_equiv e;
	assert_int_equal(judge(a, b, FV_NORM_ALL, &e), FV_VERDICT_DIFFERENT);
	assert_int_equal(e.counts[FV_VERDICT_IDENTICAL], 1); /* the member pairs all the same */
	int moved = 0;
	for (size_t i = 0; i < e.image.ndiffs; i++)
		moved |= strstr(e.image.diffs[i].what, "chunk squashfs moved: 0x100 -> 0x200") != NULL;
	assert_true(moved);
	fv_equiv_free(&e);
	image_free(a);
	image_free(b);
}

static void chunk_without_files(void **state)
{
	(void)state;
	/* A chunk that yields no file is all there is of it: compared byte for byte. */
	struct image *a = image_new("eqa"), *b = image_new("eqb");
	chunk(a, "fw.bin!0x0.dtb", "dtb", 0, 0x40);
	chunk(b, "fw.bin!0x0.dtb", "dtb", 0, 0x40);
	memset(a->bytes, 0x11, 0x40);
	memset(b->bytes, 0x11, 0x40);
	b->bytes[0x20] = 0x12;
	member(a, "fw.bin!0x1000.unknown", "tail\n");
	member(b, "fw.bin!0x1000.unknown", "tail\n");
	struct fv_equiv e;
	assert_int_equal(judge(a, b, FV_NORM_ALL, &e), FV_VERDICT_DIFFERENT);
	assert_int_equal(e.image.ndiffs, 1);
	assert_string_equal(e.image.diffs[0].what, "chunk dtb at 0x0");
	assert_int_equal(e.image.diffs[0].offset, 0x20);
	assert_string_equal(e.image.diffs[0].was, "11");
	assert_string_equal(e.image.diffs[0].now, "12");
	fv_equiv_free(&e);
	image_free(a);
	image_free(b);
}

static void missing_member(void **state)
{
	(void)state;
	struct image *a = flash("eqa", 1, "x\n"), *b = flash("eqb", 1, "x\n");
	member(a, "fw.bin!0x100.squashfs!/etc/shadow", "root:!:1::::::\n");
	struct fv_equiv e;
	assert_int_equal(judge(a, b, FV_NORM_ALL, &e), FV_VERDICT_DIFFERENT);
	assert_int_equal(e.nmissing, 1);
	assert_string_equal(e.missing[0], "fw.bin!0x100.squashfs!/etc/shadow");
	assert_int_equal(e.nextra, 0);
	fv_equiv_free(&e);
	image_free(a);
	image_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(metadata_only),       cmocka_unit_test(code_outside_chunks),
		cmocka_unit_test(member_differs),      cmocka_unit_test(moved_and_padding),
		cmocka_unit_test(chunk_without_files), cmocka_unit_test(missing_member),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
