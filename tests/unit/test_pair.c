/*
 * Pairing keys (pair.c): chunk offsets replaced by format and rank, so an
 * update that moves the root filesystem still pairs its files; ranks among
 * chunks of one format in one container; folders keyed by member path.
 */
#include "testlib.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "integrity/pair.h"
#include "inventory/inventory.h"
#include "unpack/engine.h"

struct image {
	struct fv_unpack u;
	struct fv_xentry e[8];
	struct fv_xfile x[8];
	struct fv_file f[8];
	struct fv_inventory inv;
	struct fv_side s;
};

static void entry(struct image *m, const char *path, const char *format, uint64_t off)
{
	struct fv_xentry *e = &m->e[m->u.nentries++];
	e->path = (char *)path;
	e->format = format;
	e->off = off;
	e->size = 16;
}

static void file(struct image *m, const char *path)
{
	size_t i = m->inv.nfiles++;
	m->x[i].path = (char *)path;
	m->f[i].x = &m->x[i];
}

static void init(struct image *m)
{
	m->u.entries = m->e;
	m->inv.files = m->f;
	assert_int_equal(fv_side_init(&m->s, &m->u, &m->inv, NULL), FV_OK);
}

static void keys(void **state)
{
	(void)state;
	struct image *m = calloc(1, sizeof *m);
	assert_non_null(m);
	entry(m, "fw.bin!0x0.uimage", "uimage", 0);
	entry(m, "fw.bin!0x40000.padding", "padding", 0x40000);
	entry(m, "fw.bin!0x50000.squashfs", "squashfs", 0x50000);
	entry(m, "fw.bin!0x900000.squashfs", "squashfs", 0x900000);
	entry(m, "fw.bin!0x50000.squashfs!/usr/x.tgz!0x0.gzip", "gzip", 0);
	file(m, "fw.bin!0x0.uimage!/kernel");
	file(m, "fw.bin!0x50000.squashfs!/etc/passwd");
	file(m, "fw.bin!0x900000.squashfs!/etc/passwd");
	file(m, "fw.bin!0x50000.squashfs!/usr/x.tgz!0x0.gzip!/x.tar");
	init(m);
	assert_string_equal(m->s.keys[0], "uimage!/kernel");
	assert_string_equal(m->s.keys[1], "squashfs!/etc/passwd");
	assert_string_equal(m->s.keys[2], "squashfs#1!/etc/passwd");
	assert_string_equal(m->s.keys[3], "squashfs!/usr/x.tgz!gzip!/x.tar");
	/* Any report path, not only files': a chunk, a finding's path. */
	char *k = fv_side_key(&m->s, "fw.bin!0x900000.squashfs");
	assert_string_equal(k, "squashfs#1");
	free(k);
	/* A name that looks like a chunk but is none stays as it is. */
	k = fv_side_key(&m->s, "fw.bin!0x50000.squashfs!/0x10.tar");
	assert_string_equal(k, "squashfs!/0x10.tar");
	free(k);
	char f[64];
	fv_side_formats(&m->s, f, sizeof f);
	assert_string_equal(f, "uimage squashfs");
	size_t n;
	const struct fv_xentry **c = fv_side_chunks(&m->s, "fw.bin", &n);
	assert_int_equal(n, 3); /* padding left out */
	assert_string_equal(c[0]->format, "uimage");
	assert_int_equal(c[2]->off, 0x900000);
	free(c);
	fv_side_free(&m->s);
	free(m);
}

static void moved_chunks_pair(void **state)
{
	(void)state;
	struct image *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
	assert_non_null(a);
	assert_non_null(b);
	entry(a, "v1.bin!0x0.uimage", "uimage", 0);
	entry(a, "v1.bin!0x50000.squashfs", "squashfs", 0x50000);
	file(a, "v1.bin!0x50000.squashfs!/etc/passwd");
	file(a, "v1.bin!0x50000.squashfs!/bin/old");
	/* v2: a bigger kernel pushes the root to the next erase block. */
	entry(b, "v2.bin!0x0.uimage", "uimage", 0);
	entry(b, "v2.bin!0x60000.squashfs", "squashfs", 0x60000);
	file(b, "v2.bin!0x60000.squashfs!/etc/passwd");
	file(b, "v2.bin!0x60000.squashfs!/bin/new");
	init(a);
	init(b);
	struct fv_pair *p;
	size_t n;
	assert_int_equal(fv_pair_files(&a->s, &b->s, &p, &n), FV_OK);
	assert_int_equal(n, 3);
	/* Key order: squashfs!/bin/new, squashfs!/bin/old, squashfs!/etc/passwd. */
	assert_int_equal(p[0].a, SIZE_MAX);
	assert_int_equal(p[0].b, 1);
	assert_int_equal(p[1].a, 1);
	assert_int_equal(p[1].b, SIZE_MAX);
	assert_int_equal(p[2].a, 0);
	assert_int_equal(p[2].b, 0);
	assert_string_equal(p[2].key, "squashfs!/etc/passwd");
	free(p);
	fv_side_free(&a->s);
	fv_side_free(&b->s);
	free(a);
	free(b);
}

static void folder(void **state)
{
	(void)state;
	struct image *m = calloc(1, sizeof *m);
	assert_non_null(m);
	file(m, "rootfs!/etc/passwd");
	file(m, "rootfs");
	init(m);
	assert_string_equal(m->s.keys[0], "/etc/passwd");
	assert_string_equal(m->s.keys[1], "");
	fv_side_free(&m->s);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys),
		cmocka_unit_test(moved_chunks_pair),
		cmocka_unit_test(folder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
