/*
 * ELF equivalence and ELF delta (src/integrity/elfcmp.c), on programs built
 * here by cc from tests/data/elfcmp/: the same source with another build id,
 * without .comment, with debug information from another build folder, under
 * another SOURCE_DATE_EPOCH, stripped; with one changed byte in a string and
 * one changed instruction; every normalisation switched off once to see its
 * difference come back.  Then an update (v1, v2) for the delta, and hostile
 * halves.
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/elf/elf.h"
#include "core/err.h"
#include "integrity/elfcmp.h"

static char g_dir[64];

static int setup(void **state)
{
	(void)state;
	fv_test_tmpdir(g_dir, sizeof g_dir, "elfcmp");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return fv_test_rmtree(g_dir);
}

/*
 * Builds tests/data/elfcmp/SRC.c as OUT in its own folder sub (a build
 * folder of its own), with flags, at one fixed SOURCE_DATE_EPOCH.
 */
static void build(const char *out, const char *sub, const char *src, const char *flags)
{
	fv_test_sh(g_dir, "mkdir -p %s && cd %s && cp \"$FV_SRCDIR/tests/data/elfcmp/%s.c\" . && "
			  "SOURCE_DATE_EPOCH=1700000000 cc -O2 -w %s -o ../%s %s.c",
		   sub, sub, src, flags, out, src);
}

struct pair {
	uint8_t *a, *b;
	size_t na, nb;
	struct fv_cmp c;
};

static void dump(const struct fv_cmp *c)
{
	printf("applied 0x%x, %zu differences\n", c->applied, c->ndiffs);
	for (size_t i = 0; i < c->ndiffs; i++) {
		printf("  %s at 0x%llx, %llu bytes", c->diffs[i].what, (unsigned long long)c->diffs[i].offset,
		       (unsigned long long)c->diffs[i].size);
		for (size_t k = 0; k < c->diffs[i].nfunctions; k++)
			printf("%s%s", k ? ", " : " in ", c->diffs[i].functions[k]);
		printf("\n");
	}
}

/* Compares files a and b of g_dir with allowed normalisations into p. */
static void equiv(struct pair *p, const char *a, const char *b, unsigned allowed)
{
	char err[256] = "";
	memset(p, 0, sizeof *p);
	p->a = fv_test_load(g_dir, a, &p->na);
	p->b = fv_test_load(g_dir, b, &p->nb);
	int rc = fv_elfcmp_equiv(p->a, p->na, p->b, p->nb, allowed, &p->c, err, sizeof err);
	if (rc)
		printf("%s vs %s: %d %s\n", a, b, rc, err);
	assert_int_equal(rc, 0);
	dump(&p->c);
}

static void pair_free(struct pair *p)
{
	fv_cmp_free(&p->c);
	free(p->a);
	free(p->b);
}

/* The difference named what, or NULL. */
static const struct fv_difference *find(const struct fv_cmp *c, const char *what)
{
	for (size_t i = 0; i < c->ndiffs; i++)
		if (!strcmp(c->diffs[i].what, what))
			return &c->diffs[i];
	return NULL;
}

static int has_function(const struct fv_difference *d, const char *prefix)
{
	for (size_t i = 0; d && i < d->nfunctions; i++)
		if (!strncmp(d->functions[i], prefix, strlen(prefix)))
			return 1;
	return 0;
}

#define BID1 "-Wl,--build-id=0x00112233445566778899aabbccddeeff00112233"
#define BID2 "-Wl,--build-id=0xffeeddccbbaa99887766554433221100ffeeddcc"

static void test_identical(void **state)
{
	(void)state;
	build("same1", "s1", "prog", "");
	build("same2", "s2", "prog", "");
	struct pair p;
	equiv(&p, "same1", "same2", FV_NORM_ALL);
	assert_int_equal(p.c.ndiffs, 0);
	assert_int_equal(p.c.applied, 0);
	pair_free(&p);
}

static void test_build_id(void **state)
{
	(void)state;
	build("bid1", "b1", "prog", BID1);
	build("bid2", "b2", "prog", BID2);
	struct pair p;
	equiv(&p, "bid1", "bid2", FV_NORM_ALL);
	assert_int_equal(p.c.ndiffs, 0);
	assert_int_equal(p.c.applied, FV_NORM_BUILD_ID);
	pair_free(&p);

	equiv(&p, "bid1", "bid2", FV_NORM_ALL & ~FV_NORM_BUILD_ID);
	assert_int_equal(p.c.ndiffs, 1);
	assert_string_equal(p.c.diffs[0].what, "section .note.gnu.build-id");
	assert_int_equal(p.c.diffs[0].size, 20);
	assert_int_equal(p.c.applied, 0);
	pair_free(&p);
}

static void test_comment(void **state)
{
	(void)state;
	build("com1", "c1", "prog", BID1);
	fv_test_sh(g_dir, "objcopy --remove-section .comment com1 com2");
	struct pair p;
	equiv(&p, "com1", "com2", FV_NORM_ALL);
	assert_int_equal(p.c.ndiffs, 0);
	assert_int_equal(p.c.applied, FV_NORM_COMMENT);
	pair_free(&p);

	equiv(&p, "com1", "com2", FV_NORM_ALL & ~FV_NORM_COMMENT);
	assert_int_equal(p.c.ndiffs, 1);
	assert_string_equal(p.c.diffs[0].what, "section .comment (only in a)");
	pair_free(&p);

	/* The same length, other words: still only .comment. */
	fv_test_sh(g_dir, "printf 'GCC: (Other) 1.0\\0' >c.txt && objcopy --update-section .comment=c.txt com1 com3");
	equiv(&p, "com1", "com3", FV_NORM_ALL);
	assert_int_equal(p.c.ndiffs, 0);
	assert_int_equal(p.c.applied, FV_NORM_COMMENT);
	pair_free(&p);
	equiv(&p, "com1", "com3", FV_NORM_BUILD_ID);
	assert_non_null(find(&p.c, "section .comment"));
	pair_free(&p);

	/* A debug link added afterwards. */
	fv_test_sh(g_dir, "objcopy --add-gnu-debuglink=c.txt com1 com4");
	equiv(&p, "com1", "com4", FV_NORM_ALL);
	assert_int_equal(p.c.ndiffs, 0);
	assert_int_equal(p.c.applied, FV_NORM_DEBUGLINK);
	pair_free(&p);
	equiv(&p, "com1", "com4", FV_NORM_ALL & ~FV_NORM_DEBUGLINK);
	assert_int_equal(p.c.ndiffs, 1);
	assert_string_equal(p.c.diffs[0].what, "section .gnu_debuglink (only in b)");
	pair_free(&p);

	/* A symbol gone: the symbol tables are not the same set, so not waved through. */
	fv_test_sh(g_dir, "objcopy --strip-symbol=compute com1 com5");
	equiv(&p, "com1", "com5", FV_NORM_ALL);
	assert_int_equal(p.c.ndiffs, 1);
	assert_string_equal(p.c.diffs[0].what, "section .symtab");
	pair_free(&p);
}

static void test_debug(void **state)
{
	(void)state;
	/* Two build folders: DW_AT_comp_dir and the line table's folders differ. */
	build("dbg1", "debug-one", "prog", "-g " BID1);
	build("dbg2", "debug-second", "prog", "-g " BID1);
	struct pair p;
	equiv(&p, "dbg1", "dbg2", FV_NORM_ALL);
	assert_int_equal(p.c.ndiffs, 0);
	assert_int_equal(p.c.applied, FV_NORM_DEBUG);
	pair_free(&p);

	equiv(&p, "dbg1", "dbg2", FV_NORM_ALL & ~FV_NORM_DEBUG);
	assert_true(p.c.ndiffs > 0);
	for (size_t i = 0; i < p.c.ndiffs; i++)
		assert_int_equal(strncmp(p.c.diffs[i].what, "section .debug_", 15), 0);
	pair_free(&p);

	/* Stripped against the debug build: symbols and debug information only in a. */
	fv_test_sh(g_dir, "strip -o dbg3 dbg2");
	equiv(&p, "dbg1", "dbg3", FV_NORM_ALL);
	assert_int_equal(p.c.ndiffs, 0);
	assert_int_equal(p.c.applied, FV_NORM_DEBUG | FV_NORM_SYMTAB);
	pair_free(&p);
	equiv(&p, "dbg1", "dbg3", FV_NORM_DEBUG);
	assert_non_null(find(&p.c, "section .symtab (only in a)"));
	assert_non_null(find(&p.c, "section .strtab (only in a)"));
	pair_free(&p);
}

static void test_timestamp(void **state)
{
	(void)state;
	fv_test_sh(g_dir, "mkdir -p t1 t2 && cd t1 && cp \"$FV_SRCDIR/tests/data/elfcmp/prog.c\" . && "
			  "SOURCE_DATE_EPOCH=1700000000 cc -O2 -w -o ../ts1 prog.c && cd ../t2 && "
			  "cp ../t1/prog.c . && SOURCE_DATE_EPOCH=1700100000 cc -O2 -w -o ../ts2 prog.c");
	struct pair p;
	equiv(&p, "ts1", "ts2", FV_NORM_ALL);
	assert_int_equal(p.c.ndiffs, 0);
	assert_int_equal(p.c.applied, FV_NORM_TIMESTAMP | FV_NORM_BUILD_ID);
	pair_free(&p);

	equiv(&p, "ts1", "ts2", FV_NORM_ALL & ~FV_NORM_TIMESTAMP);
	assert_int_equal(p.c.ndiffs, 1);
	assert_string_equal(p.c.diffs[0].what, "section .rodata");
	assert_int_equal(p.c.diffs[0].nfunctions, 0);
	pair_free(&p);
}

static void test_string_byte(void **state)
{
	(void)state;
	build("str1", "r1", "prog", BID1);
	build("str2", "r2", "prog", "-DGREETING='\"hello, wOrld\"' " BID1);
	struct pair p;
	equiv(&p, "str1", "str2", FV_NORM_ALL);
	assert_int_equal(p.c.ndiffs, 1);
	assert_string_equal(p.c.diffs[0].what, "section .rodata");
	assert_int_equal(p.c.diffs[0].size, 1);
	assert_memory_equal(p.a + p.c.diffs[0].offset, "o", 1);
	pair_free(&p);
}

static void test_instruction(void **state)
{
	(void)state;
	build("ins1", "i1", "prog", BID1);
	build("ins2", "i2", "prog", "-DADD=2 " BID1);
	struct pair p;
	equiv(&p, "ins1", "ins2", FV_NORM_ALL);
	assert_int_equal(p.c.ndiffs, 1);
	assert_string_equal(p.c.diffs[0].what, "section .text");
	assert_int_equal(p.c.diffs[0].nfunctions, 1);
	assert_string_equal(p.c.diffs[0].functions[0], "compute");
	pair_free(&p);

	/* Stripped: the function is found as a call target. */
	fv_test_sh(g_dir, "strip -o ins1s ins1 && strip -o ins2s ins2");
	equiv(&p, "ins1s", "ins2s", FV_NORM_ALL);
	assert_int_equal(p.c.ndiffs, 1);
	assert_string_equal(p.c.diffs[0].what, "section .text");
	assert_true(has_function(&p.c.diffs[0], "sub_"));
	pair_free(&p);
}

/* A file offset inside PT_LOAD *seg that no section covers, or 0. */
static uint64_t gap_in_load(const uint8_t *p, size_t n, size_t *seg)
{
	struct fv_elf e;
	assert_int_equal(fv_elf_parse(p, n, &e), 0);
	struct fv_elf_phdr ph;
	uint64_t found = 0;
	for (size_t i = 0; !found && fv_elf_phdr(&e, i, &ph); i++) {
		if (ph.type != FV_PT_LOAD || !ph.offset)
			continue;
		for (uint64_t off = ph.offset; !found && off < ph.offset + ph.filesz; off++) {
			struct fv_elf_shdr sh;
			int covered = 0;
			for (size_t k = 1; !covered && fv_elf_shdr(&e, k, &sh); k++)
				covered = sh.type != FV_SHT_NOBITS && off >= sh.offset && off < sh.offset + sh.size;
			if (!covered) {
				found = off;
				*seg = i;
			}
		}
	}
	fv_elf_free(&e);
	return found;
}

/* A byte of a loaded segment that no section holds is still compared, and named by its segment. */
static void test_segment_gap(void **state)
{
	(void)state;
	build("gap1", "g1", "prog", BID1);
	size_t n, seg = 0;
	uint8_t *p = fv_test_load(g_dir, "gap1", &n);
	uint64_t off = gap_in_load(p, n, &seg);
	if (!off) {
		free(p);
		skip();
	}
	p[off] ^= 0x5a;
	fv_test_write_file(g_dir, "gap2", p, n);
	free(p);
	struct pair q;
	equiv(&q, "gap1", "gap2", FV_NORM_ALL);
	assert_int_equal(q.c.ndiffs, 1);
	char want[32];
	snprintf(want, sizeof want, "segment %zu", seg);
	assert_string_equal(q.c.diffs[0].what, want);
	assert_int_equal(q.c.diffs[0].offset, off);
	pair_free(&q);
}

static void test_hostile(void **state)
{
	(void)state;
	build("h1", "h1d", "prog", BID1);
	size_t n;
	uint8_t *elf = fv_test_load(g_dir, "h1", &n);
	uint8_t junk[4096];
	fv_test_fill_random(junk, sizeof junk, 7);
	char err[256];
	struct fv_cmp c = { 0 };
	assert_int_equal(fv_elfcmp_equiv(junk, sizeof junk, elf, n, FV_NORM_ALL, &c, err, sizeof err), FV_EFORMAT);
	assert_non_null(strstr(err, "first file"));
	assert_int_equal(fv_elfcmp_equiv(elf, n, junk, 3, FV_NORM_ALL, &c, err, sizeof err), FV_EFORMAT);
	assert_non_null(strstr(err, "second file"));
	struct fv_elf_delta d = { 0 };
	assert_int_equal(fv_elfcmp_delta(elf, n, junk, 0, &d, err, sizeof err), FV_EFORMAT);
	fv_elf_delta_free(&d);

	/* Cut short and flipped copies: never a crash, never "the same". */
	uint8_t *m = malloc(n);
	assert_non_null(m);
	for (size_t cut = 64; cut < n; cut += n / 23) {
		memset(&c, 0, sizeof c);
		int rc = fv_elfcmp_equiv(elf, n, elf, cut, FV_NORM_ALL, &c, err, sizeof err);
		assert_true(rc == FV_EFORMAT || (rc == 0 && c.ndiffs > 0));
		fv_cmp_free(&c);
		memset(&d, 0, sizeof d);
		rc = fv_elfcmp_delta(elf, cut, elf, n, &d, err, sizeof err);
		assert_true(rc == 0 || rc == FV_EFORMAT);
		fv_elf_delta_free(&d);
	}
	uint32_t x = 1;
	for (int round = 0; round < 200; round++) {
		memcpy(m, elf, n);
		for (int k = 0; k < 8; k++) {
			x = x * 1103515245u + 12345u;
			size_t at = (x >> 8) % (n < 4096 ? n : 4096); /* headers and tables live up front */
			m[at] ^= (uint8_t)(1u << (x & 7));
		}
		memset(&c, 0, sizeof c);
		int rc = fv_elfcmp_equiv(elf, n, m, n, FV_NORM_ALL, &c, err, sizeof err);
		assert_true(rc == FV_EFORMAT || rc == 0);
		fv_cmp_free(&c);
		memset(&d, 0, sizeof d);
		rc = fv_elfcmp_delta(m, n, elf, n, &d, err, sizeof err);
		assert_true(rc == 0 || rc == FV_EFORMAT);
		fv_elf_delta_free(&d);
	}
	free(m);
	free(elf);
}

static int has(const struct fv_names *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], name))
			return 1;
	return 0;
}

static void dump_names(const char *what, const struct fv_names *s)
{
	printf("%s:", what);
	for (size_t i = 0; i < s->n; i++)
		printf(" %s", s->v[i]);
	printf("\n");
}

static void delta(const char *a, const char *b, struct fv_elf_delta *d)
{
	size_t na, nb;
	uint8_t *pa = fv_test_load(g_dir, a, &na), *pb = fv_test_load(g_dir, b, &nb);
	char err[256];
	memset(d, 0, sizeof *d);
	assert_int_equal(fv_elfcmp_delta(pa, na, pb, nb, d, err, sizeof err), 0);
	dump_names("imports+", &d->imports_added);
	dump_names("imports-", &d->imports_removed);
	dump_names("strings+", &d->strings_added);
	dump_names("strings-", &d->strings_removed);
	dump_names("changed", &d->functions_changed);
	dump_names("added", &d->functions_added);
	dump_names("removed", &d->functions_removed);
	free(pa);
	free(pb);
}

static void test_delta(void **state)
{
	(void)state;
	build("d1", "v1", "delta", "");
	build("d2", "v2", "delta", "-DV2");
	struct fv_elf_delta d;
	delta("d1", "d2", &d);
	assert_int_equal(d.code, 1);
	assert_int_equal(d.imports_added.n, 1);
	assert_string_equal(d.imports_added.v[0], "system");
	assert_int_equal(d.imports_removed.n, 0);
	assert_int_equal(d.needed_added.n + d.needed_removed.n, 0);
	assert_int_equal(d.strings_added.n, 1);
	assert_string_equal(d.strings_added.v[0], "letmein");
	assert_int_equal(d.strings_removed.n, 0);
	assert_int_equal(d.functions_added.n, 1);
	assert_string_equal(d.functions_added.v[0], "audit");
	assert_int_equal(d.functions_removed.n, 0);
	/* check() and route() changed, main() calls audit(); stable() only moved. */
	assert_true(has(&d.functions_changed, "check"));
	assert_true(has(&d.functions_changed, "route"));
	assert_true(has(&d.functions_changed, "main"));
	assert_false(has(&d.functions_changed, "stable"));
	fv_elf_delta_free(&d);

	/* The same program against itself: nothing. */
	delta("d1", "d1", &d);
	assert_int_equal(d.code, 1);
	assert_int_equal(d.imports_added.n + d.imports_removed.n + d.exports_added.n + d.exports_removed.n, 0);
	assert_int_equal(d.strings_added.n + d.functions_changed.n + d.functions_added.n + d.functions_removed.n, 0);
	fv_elf_delta_free(&d);

	/* Rebuilt under another folder and date: code that only moved or not at all is unchanged. */
	build("d1b", "v1-other-folder", "delta", "-g");
	delta("d1", "d1b", &d);
	assert_int_equal(d.functions_changed.n + d.functions_added.n + d.functions_removed.n, 0);
	fv_elf_delta_free(&d);
}

static void test_delta_stripped(void **state)
{
	(void)state;
	build("ds1", "sv1", "delta", "");
	build("ds2", "sv2", "delta", "-DV2");
	fv_test_sh(g_dir, "strip ds1 ds2");
	struct fv_elf_delta d;
	delta("ds1", "ds2", &d);
	assert_int_equal(d.code, 1);
	assert_string_equal(d.imports_added.v[0], "system");
	assert_true(has(&d.strings_added, "letmein"));
	/* Without symbols, functions are "sub_<addr>"; whatever changed, something is listed. */
	assert_true(d.functions_changed.n + d.functions_added.n > 0);
	for (size_t i = 0; i < d.functions_added.n; i++)
		assert_int_equal(strncmp(d.functions_added.v[i], "sub_", 4), 0);
	fv_elf_delta_free(&d);
	delta("ds1", "ds1", &d);
	assert_int_equal(d.functions_changed.n + d.functions_added.n + d.functions_removed.n, 0);
	fv_elf_delta_free(&d);
}

/* Builds delta.c v1 and v2 with a cross compiler into cc-1 and cc-2; 0 when it is not installed. */
static int cross(const char *cc)
{
	if (!fv_test_have(cc))
		return 0;
	fv_test_sh(g_dir, "mkdir -p %s && cd %s && cp \"$FV_SRCDIR/tests/data/elfcmp/delta.c\" . && "
			  "%s -O2 -w -o ../%s-1 delta.c && %s -O2 -w -DV2 -o ../%s-2 delta.c",
		   cc, cc, cc, cc, cc, cc);
	return 1;
}

/*
 * MIPS PIC (GOT offsets, GOT page plus %lo) and AArch64 (adrp plus add or
 * offset): addresses of data that moved are replaced by what they name.
 */
static void test_delta_cross(void **state)
{
	(void)state;
	struct fv_elf_delta d;
	int any = 0;
	if (cross("mipsel-linux-gnu-gcc")) {
		any = 1;
		delta("mipsel-linux-gnu-gcc-1", "mipsel-linux-gnu-gcc-2", &d);
		assert_int_equal(d.code, 1);
		assert_true(has(&d.imports_added, "system"));
		assert_true(has(&d.strings_added, "letmein"));
		assert_true(has(&d.functions_added, "audit"));
		assert_true(has(&d.functions_changed, "check"));
		assert_true(has(&d.functions_changed, "route"));
		assert_false(has(&d.functions_changed, "stable"));
		assert_false(has(&d.functions_changed, "deregister_tm_clones"));
		fv_elf_delta_free(&d);
	}
	if (cross("aarch64-linux-gnu-gcc")) {
		any = 1;
		delta("aarch64-linux-gnu-gcc-1", "aarch64-linux-gnu-gcc-2", &d);
		assert_true(has(&d.imports_added, "system"));
		assert_true(has(&d.strings_added, "letmein"));
		assert_int_equal(d.functions_added.n, 1);
		assert_string_equal(d.functions_added.v[0], "audit");
		assert_int_equal(d.functions_changed.n, 3);
		assert_true(has(&d.functions_changed, "check"));
		assert_true(has(&d.functions_changed, "main"));
		assert_true(has(&d.functions_changed, "route"));
		fv_elf_delta_free(&d);
	}
	if (!any)
		skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical),   cmocka_unit_test(test_build_id),
		cmocka_unit_test(test_comment),     cmocka_unit_test(test_debug),
		cmocka_unit_test(test_timestamp),   cmocka_unit_test(test_string_byte),
		cmocka_unit_test(test_instruction), cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_delta),       cmocka_unit_test(test_delta_stripped),
		cmocka_unit_test(test_delta_cross), cmocka_unit_test(test_segment_gap),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
