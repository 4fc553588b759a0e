/*
 * The code layer above the lifters (src/analyze/elf/flow.c): call sites
 * named through the PLT, counted per name; comparisons with constants, what
 * the branch on each guards (directly, through a helper function, through a
 * comparison wrapper); and hostile code: random bytes in place of .text, a
 * file cut short, a stripped copy.  Programs are built here by cc and, where
 * Debian's cross compiler is installed, for MIPS and ARM.
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/elf/code.h"
#include "analyze/elf/flow.h"
#include "core/err.h"

static char g_dir[64];

/* The kinds the shipped rules give these names (rules/binary/calls.txt). */
static unsigned kind(void *ctx, const char *name)
{
	(void)ctx;
	static const struct {
		const char *name;
		unsigned bits;
	} k[] = {
		{ "strcmp", FV_K_COMPARE }, { "strncmp", FV_K_COMPARE }, { "memcmp", FV_K_COMPARE },
		{ "system", FV_FX_EXEC },   { "popen", FV_FX_EXEC },     { "execl", FV_FX_EXEC },
		{ "recv", FV_FX_NET },      { "recvfrom", FV_FX_NET },   { "socket", FV_FX_NET },
		{ "getspnam", FV_FX_AUTH },
	};
	for (size_t i = 0; i < sizeof k / sizeof *k; i++)
		if (!strcmp(k[i].name, name))
			return k[i].bits;
	return 0;
}

static unsigned string_kind(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	return memmem(s, n, "telnetd", 7) || memmem(s, n, "/bin/sh", 7) ? FV_FX_SHELL : 0;
}

struct built {
	uint8_t *data;
	size_t len;
	struct fv_elf e;
	struct fv_code *c;
	struct fv_flow f;
};

/* Builds src/NAME.c of the fixtures with cc (compiler and flags), parses and analyses it. */
static int build(struct built *b, const char *cc, const char *flags, const char *name, int must)
{
	memset(b, 0, sizeof *b);
	char out[160];
	snprintf(out, sizeof out, "%s-%s", name, cc);
	if (strcmp(cc, "cc") && !fv_test_have(cc)) {
		if (must)
			fail_msg("%s is not installed (scripts/deps.sh installs it)", cc);
		return 0;
	}
	fv_test_sh(g_dir, "%s %s -w -o '%s' \"$FV_SRCDIR/tests/fixtures/src/%s.c\"", cc, flags, out, name);
	b->data = fv_test_load(g_dir, out, &b->len);
	assert_int_equal(fv_elf_parse(b->data, b->len, &b->e), 0);
	assert_int_equal(fv_elf_load_slots(&b->e), 0);
	b->c = fv_code_open(&b->e);
	assert_non_null(b->c);
	struct fv_flow_kinds k = { kind, string_kind, NULL };
	assert_int_equal(fv_flow_build(b->c, &k, &b->f), 0);
	return 1;
}

static void release(struct built *b)
{
	fv_flow_free(&b->f);
	fv_code_close(b->c);
	fv_elf_free(&b->e);
	free(b->data);
}

static const struct fv_flow_cmp *cmp_of(const struct fv_flow *f, const char *s)
{
	for (size_t i = 0; i < f->ncmps; i++)
		if (f->cmps[i].len == strlen(s) && !memcmp(f->cmps[i].str, s, f->cmps[i].len))
			return &f->cmps[i];
	return NULL;
}

static void test_counts(void **state)
{
	(void)state;
	static const char *const cc[] = { "cc", "mipsel-linux-gnu-gcc", "arm-linux-gnueabi-gcc" };
	for (size_t i = 0; i < sizeof cc / sizeof *cc; i++) {
		struct built b;
		if (!build(&b, cc[i], "-O0", "callsites", 1))
			continue;
		assert_int_equal(fv_flow_calls(&b.f, "strcpy"), 3);
		assert_int_equal(fv_flow_calls(&b.f, "strncpy"), 2);
		assert_int_equal(fv_flow_calls(&b.f, "sprintf"), 2);
		assert_int_equal(fv_flow_calls(&b.f, "snprintf"), 3);
		assert_int_equal(fv_flow_calls(&b.f, "system"), 1);
		assert_int_equal(fv_flow_calls(&b.f, "recv"), 1);
		assert_int_equal(fv_flow_calls(&b.f, "no_such_function"), 0);
		assert_true(b.f.fx & FV_FX_NET);
		assert_true(b.f.nnamed <= b.f.ncalls);
		/* The "GET" comparison decides a return only; "RESET" (memcmp, 5 bytes) guards system(). */
		const struct fv_flow_cmp *get = cmp_of(&b.f, "GET"), *reset = cmp_of(&b.f, "RESET");
		assert_non_null(get);
		assert_non_null(reset);
		assert_true(get->decided);
		assert_false(get->guards & FV_FX_EXEC);
		assert_true(reset->decided);
		assert_true(reset->guards & FV_FX_EXEC);
		assert_string_equal(reset->callee, "memcmp");
		release(&b);
	}
}

static void test_guards(void **state)
{
	(void)state;
	static const char *const opt[] = { "-O0", "-O2" };
	for (size_t i = 0; i < 2; i++) {
		struct built b;
		build(&b, "cc", opt[i], "bd_wrapper", 1);
		/* Through the wrapper same() and the helper open_console(). */
		const struct fv_flow_cmp *magic = cmp_of(&b.f, "Gd7#uX2m-Lq8"), *ping = cmp_of(&b.f, "ping");
		assert_non_null(magic);
		assert_string_equal(magic->callee, "same");
		assert_true(magic->decided);
		assert_true(magic->guards & FV_FX_SHELL);
		assert_true(magic->guards & FV_FX_EXEC);
		assert_non_null(ping);
		assert_false(ping->guards & (FV_FX_SHELL | FV_FX_EXEC));
		release(&b);

		build(&b, "cc", opt[i], "bd_auth", 1);
		const struct fv_flow_cmp *master = cmp_of(&b.f, "Zx81*vT4pQ");
		assert_non_null(master);
		assert_string_equal(master->func_name, "check_login");
		assert_true(master->guards & FV_FX_AUTH);
		release(&b);
	}
}

/* The same program stripped: functions come from call targets, names from the PLT. */
static void test_stripped(void **state)
{
	(void)state;
	struct built b;
	build(&b, "cc", "-O0 -s", "callsites", 1);
	assert_true(b.e.symtab.count == 0);
	assert_int_equal(fv_flow_calls(&b.f, "strcpy"), 3);
	assert_int_equal(fv_flow_calls(&b.f, "snprintf"), 3);
	const struct fv_flow_cmp *reset = cmp_of(&b.f, "RESET");
	assert_non_null(reset);
	assert_null(reset->func_name);
	assert_true(reset->guards & FV_FX_EXEC);
	release(&b);
}

/* Random bytes in place of the code, and every truncation of the file: no crash, no error. */
static void test_hostile(void **state)
{
	(void)state;
	struct built b;
	build(&b, "cc", "-O2", "bd_shell", 1);
	uint8_t *copy = malloc(b.len);
	assert_non_null(copy);
	for (uint32_t seed = 1; seed <= 8; seed++) {
		memcpy(copy, b.data, b.len);
		struct fv_elf_shdr sh;
		for (size_t i = 0; fv_elf_shdr(&b.e, i, &sh); i++)
			if ((sh.flags & 4) && sh.type != FV_SHT_NOBITS && sh.offset < b.len && sh.size <= b.len - sh.offset)
				fv_test_fill_random(copy + sh.offset, (size_t)sh.size, seed);
		/* Also a random slot table and dynamic section, every other seed. */
		if (seed & 1)
			fv_test_fill_random(copy + b.len / 2, b.len / 8, seed * 7);
		struct fv_elf e;
		if (fv_elf_parse(copy, b.len, &e) == 0) {
			assert_int_equal(fv_elf_load_slots(&e), 0);
			struct fv_code *c = fv_code_open(&e);
			if (c) {
				struct fv_flow f = { 0 };
				struct fv_flow_kinds k = { kind, string_kind, NULL };
				assert_int_equal(fv_flow_build(c, &k, &f), 0);
				for (size_t i = 0; i < f.ncmps; i++)
					assert_true(f.cmps[i].len > 0 && f.cmps[i].len <= 256);
				fv_flow_free(&f);
				fv_code_close(c);
			}
		}
		fv_elf_free(&e);
	}
	for (size_t cut = 64; cut < b.len; cut += b.len / 97 + 1) {
		struct fv_elf e;
		if (fv_elf_parse(b.data, cut, &e) == 0 && fv_elf_load_slots(&e) == 0) {
			struct fv_code *c = fv_code_open(&e);
			if (c) {
				struct fv_flow f = { 0 };
				struct fv_flow_kinds k = { kind, string_kind, NULL };
				assert_int_equal(fv_flow_build(c, &k, &f), 0);
				fv_flow_free(&f);
				fv_code_close(c);
			}
		}
		fv_elf_free(&e);
	}
	free(copy);
	release(&b);
}

static int setup(void **state)
{
	(void)state;
	fv_test_tmpdir(g_dir, sizeof g_dir, "flow");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return fv_test_rmtree(g_dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_guards),
		cmocka_unit_test(test_stripped),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
