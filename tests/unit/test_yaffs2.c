/*
 * YAFFS2 reader on images written here, in memory, from the format's
 * documentation (no Debian tool writes YAFFS2): page 2048 with a 64-byte
 * spare, 512 with 16, 4096 with inband tags, tags at spare offset 2, both
 * byte orders, headers tagged as mkyaffs2image and as the kernel writes
 * them.  Each image holds a small tree with a rewritten data chunk (the
 * newer sequence number must win wherever it lies), a renamed object, a
 * deleted file, a hard link, a symlink, a device and a chunk with broken
 * tags.  Debian's unyaffs, an independent reader, checks the writer.
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/err.h"
#include "unpack/engine.h"
#include "unpack/sink.h"

extern const struct fv_format fv_format_yaffs2;
static const struct fv_format *F = &fv_format_yaffs2;

struct gen {
	uint32_t page, spare, tagoff;
	int be, kernel_tags;
	uint8_t *b;
	size_t len, cap;
};

static uint32_t dbytes(const struct gen *g) { return g->spare ? g->page : g->page - 16; }

static void put32(uint8_t *q, uint32_t v, int be)
{
	for (int i = 0; i < 4; i++)
		q[be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

static void chunk(struct gen *g, const void *data, size_t n, uint32_t seq, uint32_t obj, uint32_t id,
		  uint32_t nbytes)
{
	size_t stride = g->page + g->spare;
	if (g->len + stride > g->cap) {
		g->cap = (g->cap + stride) * 2;
		g->b = realloc(g->b, g->cap);
		assert_non_null(g->b);
	}
	uint8_t *q = g->b + g->len;
	memset(q, 0xff, stride);
	assert_true(n <= dbytes(g));
	memcpy(q, data, n);
	uint8_t *t = g->spare ? q + g->page + g->tagoff : q + g->page - 16;
	put32(t, seq, g->be);
	put32(t + 4, obj, g->be);
	put32(t + 8, id, g->be);
	put32(t + 12, nbytes, g->be);
	g->len += stride;
}

struct hdr {
	uint32_t type, parent;
	const char *name;
	uint32_t mode;
	uint32_t size;
	int32_t equiv;
	const char *alias;
	uint32_t rdev;
};

static void header(struct gen *g, uint32_t seq, uint32_t obj, const struct hdr *h)
{
	uint8_t b[512];
	memset(b, 0xff, sizeof b);
	put32(b, h->type, g->be);
	put32(b + 4, h->parent, g->be);
	memset(b + 10, 0, 256);
	strcpy((char *)b + 10, h->name);
	put32(b + 0x10c, h->mode, g->be);
	put32(b + 0x110, 1000, g->be);
	put32(b + 0x114, 100, g->be);
	for (int i = 0; i < 3; i++)
		put32(b + 0x118 + 4 * i, 1700000000, g->be);
	put32(b + 0x124, h->size, g->be);
	put32(b + 0x128, (uint32_t)h->equiv, g->be);
	memset(b + 0x12c, 0, 160);
	if (h->alias)
		strcpy((char *)b + 0x12c, h->alias);
	put32(b + 0x1cc, h->rdev, g->be);
	size_t n = dbytes(g) < sizeof b ? dbytes(g) : sizeof b;
	if (g->kernel_tags) /* type in the id's top bits, parent in the chunk id */
		chunk(g, b, n, seq, obj | h->type << 28, 0x80000000u | h->parent, h->size);
	else
		chunk(g, b, n, seq, obj, 0, 0xffff);
}

static uint8_t *content(size_t n, unsigned seed)
{
	uint8_t *p = malloc(n ? n : 1);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)('a' + (i * 7 + seed + i / 97) % 26);
	return p;
}

#define PASSWD_NEW "root:x:0:0:root:/root:/bin/sh\n"
#define PASSWD_OLD "root::0:0:backdoor:/:/bin/sh\n"

/* The test tree; big.bin spans three data chunks, the last one partly. */
static void build(struct gen *g)
{
	uint32_t d = dbytes(g), bigsz = 2 * d + 300;
	const uint32_t S = 0x1000;
	header(g, S, 0x101, &(struct hdr){ 3, 1, "etc", S_IFDIR | 0755, 0, -1, NULL, 0 });
	header(g, S, 0x102, &(struct hdr){ 1, 0x101, "passwd", S_IFREG | 0644,
					 sizeof PASSWD_NEW - 1, -1, NULL, 0 });
	/* The rewrite comes first in the image, in a newer block. */
	chunk(g, PASSWD_NEW, sizeof PASSWD_NEW - 1, S + 2, 0x102, 1, sizeof PASSWD_NEW - 1);
	header(g, S, 0x103, &(struct hdr){ 1, 1, "big.bin", S_IFREG | 0755, bigsz, -1, NULL, 0 });
	uint8_t *big = content(bigsz, 3);
	for (uint32_t i = 0; i < 3; i++) {
		uint32_t n = i < 2 ? d : 300;
		chunk(g, big + i * d, n, S, 0x103, i + 1, n);
	}
	/* Broken tags between good chunks. */
	size_t at = g->len;
	chunk(g, "junk", 4, S, 0x104, 1, 4);
	uint8_t *t = g->spare ? g->b + at + g->page + g->tagoff : g->b + at + g->page - 16;
	memcpy(t, "\x12\x00\x00\x00\xef\xbe\xad\xde", 8);
	header(g, S, 0x104, &(struct hdr){ 2, 1, "sh", S_IFLNK | 0777, 0, -1, "etc/passwd", 0 });
	header(g, S, 0x105, &(struct hdr){ 4, 0x101, "passwd.hard", S_IFREG | 0644, 0, 0x102, NULL, 0 });
	header(g, S, 0x106, &(struct hdr){ 3, 1, "dev", S_IFDIR | 0755, 0, -1, NULL, 0 });
	header(g, S, 0x107, &(struct hdr){ 5, 0x106, "null", S_IFCHR | 0666, 0, -1, NULL, 0x0103 });
	header(g, S, 0x108, &(struct hdr){ 1, 4, "deleted", S_IFREG | 0644, 4, -1, NULL, 0 });
	chunk(g, "gone", 4, S, 0x108, 1, 4);
	header(g, S + 1, 0x109, &(struct hdr){ 1, 1, "new_name", S_IFREG | 0600, 0, -1, NULL, 0 });
	header(g, S, 0x109, &(struct hdr){ 1, 1, "old_name", S_IFREG | 0600, 0, -1, NULL, 0 });
	chunk(g, PASSWD_OLD, sizeof PASSWD_OLD - 1, S + 1, 0x102, 1, sizeof PASSWD_OLD - 1);
	/* An erased page at the end, as a dump of a partly used block has. */
	at = g->len;
	chunk(g, "", 0, 0, 0, 0, 0);
	memset(g->b + at, 0xff, g->page + g->spare);
	free(big);
}

static const struct gen geometries[] = {
	{ 2048, 64, 0, 0, 0, NULL, 0, 0 }, { 2048, 64, 0, 1, 1, NULL, 0, 0 },
	{ 512, 16, 0, 0, 0, NULL, 0, 0 },  { 512, 16, 0, 1, 0, NULL, 0, 0 },
	{ 4096, 0, 0, 0, 1, NULL, 0, 0 },  { 4096, 0, 0, 1, 0, NULL, 0, 0 },
	{ 2048, 64, 2, 0, 1, NULL, 0, 0 }, { 4096, 128, 0, 1, 0, NULL, 0, 0 },
	{ 8192, 256, 0, 0, 0, NULL, 0, 0 },
};

static void probes_every_geometry(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof geometries / sizeof geometries[0]; i++) {
		struct gen g = geometries[i];
		build(&g);
		struct fv_probe pr;
		assert_int_equal(fv_test_probe(F, g.b, g.len, &pr), 0);
		char want[120];
		snprintf(want, sizeof want, "YAFFS2, %s endian, page %u, ", g.be ? "big" : "little", g.page);
		assert_memory_equal(pr.desc, want, strlen(want));
		if (g.spare)
			snprintf(want, sizeof want, "spare %u (tags at %u)", g.spare, g.tagoff);
		else
			snprintf(want, sizeof want, "inband tags");
		assert_non_null(strstr(pr.desc, want));
		/* The trailing erased page belongs to the image; garbage after it does not. */
		assert_int_equal(pr.size, g.len);
		uint8_t *more = malloc(g.len + 100000);
		memcpy(more, g.b, g.len);
		fv_test_fill_random(more + g.len, 100000, 7);
		assert_int_equal(fv_test_probe(F, more, g.len + 100000, &pr), 0);
		assert_true(pr.size >= g.len - (g.page + g.spare) && pr.size <= g.len);
		free(more);
		free(g.b);
	}
}

static void rejects_garbage(void **state)
{
	(void)state;
	uint8_t b[8192];
	struct fv_probe pr;
	fv_test_fill_random(b, sizeof b, 1);
	memcpy(b, "\x01\x00\x00\x00\x01\x00\x00\x00\xff\xffname", 14);
	assert_int_not_equal(fv_test_probe(F, b, sizeof b, &pr), 0);
	/* A good header with no tags anywhere. */
	struct gen g = geometries[0];
	build(&g);
	memset(g.b + 2048, 0, 64);
	memset(g.b + 2048 - 16, 0, 16);
	assert_int_not_equal(fv_test_probe(F, g.b, 2112, &pr), 0);
	/* Parent not the root. */
	g.b[4] = 7;
	assert_int_not_equal(fv_test_probe(F, g.b, g.len, &pr), 0);
	free(g.b);
	assert_int_not_equal(fv_test_probe(F, b, 100, &pr), 0);
}

static void check_tree(struct fv_test_env *e, uint32_t d)
{
	fv_test_assert_member(e, "0x0.yaffs2/etc/passwd", PASSWD_NEW, sizeof PASSWD_NEW - 1);
	fv_test_assert_member(e, "0x0.yaffs2/etc/passwd.hard", PASSWD_NEW, sizeof PASSWD_NEW - 1);
	uint8_t *big = content(2 * d + 300, 3);
	fv_test_assert_member(e, "0x0.yaffs2/big.bin", big, 2 * d + 300);
	free(big);
	fv_test_assert_member(e, "0x0.yaffs2/new_name", "", 0);
	const struct fv_xfile *f = fv_test_record(e, "!/big.bin");
	assert_int_equal(f->mode & 07777, 0755);
	assert_int_equal(f->uid, 1000);
	assert_int_equal(f->gid, 100);
	f = fv_test_record(e, "!/sh");
	assert_int_equal(f->type, FV_FT_SYMLINK);
	assert_string_equal(f->link, "etc/passwd");
	f = fv_test_record(e, "!/dev/null");
	assert_int_equal(f->type, FV_FT_CHAR);
	assert_int_equal(f->rdev, 0x0103);
	assert_int_equal(fv_test_record(e, "!/dev")->type, FV_FT_DIR);
	for (size_t i = 0; i < e->u.nfiles; i++) {
		assert_null(strstr(e->u.files[i].path, "old_name"));
		assert_null(strstr(e->u.files[i].path, "deleted"));
	}
	assert_int_equal(e->u.nfiles, 8);
}

static void extracts_every_geometry(void **state)
{
	char *tmp = *state;
	for (size_t i = 0; i < sizeof geometries / sizeof geometries[0]; i++) {
		struct gen g = geometries[i];
		build(&g);
		struct fv_test_env *e = fv_test_env_new(tmp, "0x0.yaffs2", g.len);
		/* The broken tags make the chunk partial, and say so. */
		assert_int_equal(F->extract(&e->x, g.b, g.len), FV_EFORMAT);
		assert_non_null(strstr(e->x.err, "unreadable tags skipped"));
		check_tree(e, dbytes(&g));
		fv_test_env_free(e);
		free(g.b);
	}
}

/* Without the broken chunk the image is clean; truncation loses only the tail. */
static void clean_and_truncated(void **state)
{
	char *tmp = *state;
	struct gen g = geometries[0];
	build(&g);
	/* Restore the broken chunk's tags into an erased page. */
	size_t stride = g.page + g.spare;
	for (size_t k = 0; k * stride < g.len; k++)
		if (memcmp(g.b + k * stride + g.page, "\x12\x00\x00\x00", 4) == 0)
			memset(g.b + k * stride, 0xff, stride);
	struct fv_test_env *e = fv_test_env_new(tmp, "0x0.yaffs2", g.len);
	assert_int_equal(F->extract(&e->x, g.b, g.len), 0);
	check_tree(e, dbytes(&g));
	fv_test_env_free(e);
	for (size_t cut = 1; cut < g.len; cut += 997) {
		e = fv_test_env_new(tmp, "0x0.yaffs2", cut);
		int r = F->extract(&e->x, g.b, cut);
		assert_true(r == 0 || r == FV_EFORMAT);
		fv_test_env_free(e);
	}
	free(g.b);
}

/* Debian's unyaffs reads what the writer above makes the same way. */
static void unyaffs_agrees(void **state)
{
	char *tmp = *state;
	if (!fv_test_have("unyaffs")) {
		skip();
		return;
	}
	struct gen g = geometries[0];
	build(&g);
	char dir[400];
	snprintf(dir, sizeof dir, "%s/uy", tmp);
	fv_test_sh(NULL, "mkdir -p '%s'", dir);
	fv_test_write_file(dir, "img.yaffs2", g.b, g.len);
	fv_test_sh(dir, "mkdir out && cd out && unyaffs ../img.yaffs2 >/dev/null 2>&1 || true");
	size_t n;
	uint8_t *p = fv_test_load(dir, "out/etc/passwd", &n);
	assert_int_equal(n, sizeof PASSWD_NEW - 1);
	assert_memory_equal(p, PASSWD_NEW, n);
	free(p);
	p = fv_test_load(dir, "out/big.bin", &n);
	uint8_t *big = content(2 * 2048 + 300, 3);
	assert_int_equal(n, 2 * 2048 + 300);
	assert_memory_equal(p, big, n);
	free(p);
	free(big);
	free(g.b);
}

static int setup(void **state)
{
	static char tmp[256];
	fv_test_tmpdir(tmp, sizeof tmp, "yaffs2");
	*state = tmp;
	return 0;
}

static int teardown(void **state) { return fv_test_rmtree(*state); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(probes_every_geometry),
		cmocka_unit_test(rejects_garbage),
		cmocka_unit_test(extracts_every_geometry),
		cmocka_unit_test(clean_and_truncated),
		cmocka_unit_test(unyaffs_agrees),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
