/*
 * fv_harden() on ELF files written here, one property at a time, in both
 * classes and byte orders: NX from PT_GNU_STACK and each architecture's
 * default, PIE, RELRO, canary, FORTIFY against a fortify list (and without
 * one), static binaries seen through .symtab, RPATH/RUNPATH, stripped; the
 * fortify list's loader and its errors; and hostile input: every prefix
 * and random flips of a written file.  (Real binaries against checksec:
 * tests/integration/hardening_checksec.sh.)
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/elf/harden.h"
#include "core/err.h"

#define BASE 0x10000u
enum {
	O_PH = 0x40, O_INTERP = 0x200, O_DYNSTR = 0x240, O_DYNSYM = 0x440, O_HASH = 0x5c0, O_DYN = 0x600,
	O_SYMTAB = 0x700, O_STRTAB = 0x7c0, O_SHSTR = 0x8c0, O_SH = 0x900, O_END = 0xa00,
};

/* What to write: each field adds one thing to the file. */
struct spec {
	int is64, be;
	uint16_t type, machine;
	int interp;       /* PT_INTERP */
	int stack;        /* p_flags of a PT_GNU_STACK, or -1 for none */
	int stack2;       /* p_flags of a second PT_GNU_STACK, or -1 */
	int relro;        /* PT_GNU_RELRO */
	int dynamic;      /* PT_DYNAMIC with the dynamic symbols */
	uint64_t flags, flags_1;
	int debug, bind_now;
	const char *rpath, *runpath;
	const char *imports[8]; /* undefined dynamic symbols */
	const char *exports[4]; /* defined dynamic functions */
	int sections;           /* section headers with a .symtab of symtab[] */
	const char *symtab[8];  /* defined functions in .symtab */
};

struct img {
	uint8_t b[O_END];
	int is64, be;
};

static void put(struct img *m, size_t off, uint64_t v, int bytes)
{
	assert_true(off + (size_t)bytes <= sizeof m->b);
	for (int k = 0; k < bytes; k++)
		m->b[off + (size_t)k] = (uint8_t)(v >> (8 * (m->be ? bytes - 1 - k : k)));
}

static void put_word(struct img *m, size_t off, uint64_t v) { put(m, off, v, m->is64 ? 8 : 4); }

/* A string appended to the table at base (cursor *len); its offset in the table. */
static uint32_t add_str(struct img *m, size_t base, size_t *len, size_t cap, const char *s)
{
	size_t n = strlen(s) + 1;
	assert_true(*len + n <= cap);
	memcpy(m->b + base + *len, s, n);
	uint32_t at = (uint32_t)*len;
	*len += n;
	return at;
}

static void put_sym(struct img *m, size_t at, uint32_t name, uint64_t value, uint8_t info, uint16_t shndx)
{
	put(m, at, name, 4);
	if (m->is64) {
		m->b[at + 4] = info;
		put(m, at + 6, shndx, 2);
		put(m, at + 8, value, 8);
		put(m, at + 16, 16, 8);
	} else {
		put(m, at + 4, value, 4);
		put(m, at + 8, 16, 4);
		m->b[at + 12] = info;
		put(m, at + 14, shndx, 2);
	}
}

static void put_phdr(struct img *m, size_t i, uint32_t type, uint32_t flags, uint64_t off, uint64_t size)
{
	size_t at = O_PH + i * (m->is64 ? 56 : 32);
	put(m, at, type, 4);
	if (m->is64) {
		put(m, at + 4, flags, 4);
		put(m, at + 8, off, 8);
		put(m, at + 16, BASE + off, 8);
		put(m, at + 24, BASE + off, 8);
		put(m, at + 32, size, 8);
		put(m, at + 40, size, 8);
		put(m, at + 48, 4, 8);
	} else {
		put(m, at + 4, off, 4);
		put(m, at + 8, BASE + off, 4);
		put(m, at + 12, BASE + off, 4);
		put(m, at + 16, size, 4);
		put(m, at + 20, size, 4);
		put(m, at + 24, flags, 4);
		put(m, at + 28, 4, 4);
	}
}

static void put_shdr(struct img *m, size_t i, uint32_t name, uint32_t type, uint64_t off, uint64_t size,
		     uint32_t link)
{
	size_t at = O_SH + i * (m->is64 ? 64 : 40);
	put(m, at, name, 4);
	put(m, at + 4, type, 4);
	if (m->is64) {
		put(m, at + 24, off, 8);
		put(m, at + 32, size, 8);
		put(m, at + 40, link, 4);
		put(m, at + 56, type == FV_SHT_SYMTAB ? 24 : 0, 8);
	} else {
		put(m, at + 16, off, 4);
		put(m, at + 20, size, 4);
		put(m, at + 24, link, 4);
		put(m, at + 36, type == FV_SHT_SYMTAB ? 16 : 0, 4);
	}
}

static void build(struct img *m, const struct spec *s)
{
	memset(m, 0, sizeof *m);
	m->is64 = s->is64;
	m->be = s->be;
	memcpy(m->b, "\x7f" "ELF", 4);
	m->b[4] = s->is64 ? 2 : 1;
	m->b[5] = s->be ? 2 : 1;
	m->b[6] = 1;
	put(m, 16, s->type, 2);
	put(m, 18, s->machine, 2);
	put(m, 20, 1, 4);
	put_word(m, s->is64 ? 32 : 28, O_PH);
	put(m, s->is64 ? 52 : 40, s->is64 ? 64 : 52, 2);
	put(m, s->is64 ? 54 : 42, s->is64 ? 56 : 32, 2);
	size_t nph = 0;
	put_phdr(m, nph++, FV_PT_LOAD, 5, 0, O_END);
	if (s->interp) {
		memcpy(m->b + O_INTERP, "/lib/ld-fv.so.1", 16);
		put_phdr(m, nph++, FV_PT_INTERP, 4, O_INTERP, 16);
	}
	if (s->stack >= 0)
		put_phdr(m, nph++, FV_PT_GNU_STACK, (uint32_t)s->stack, 0, 0);
	if (s->stack2 >= 0)
		put_phdr(m, nph++, FV_PT_GNU_STACK, (uint32_t)s->stack2, 0, 0);
	if (s->relro)
		put_phdr(m, nph++, FV_PT_GNU_RELRO, 4, O_DYN, 0x100);
	if (s->dynamic) {
		put_phdr(m, nph++, FV_PT_DYNAMIC, 6, O_DYN, 0x100);
		size_t strl = 1, nsym = 1, ndyn = 0, ds = s->is64 ? 16 : 8, ss = s->is64 ? 24 : 16;
		uint32_t rp = 0, rn = 0;
		if (s->rpath)
			rp = add_str(m, O_DYNSTR, &strl, 0x200, s->rpath);
		if (s->runpath)
			rn = add_str(m, O_DYNSTR, &strl, 0x200, s->runpath);
		for (size_t i = 0; i < 8 && s->imports[i]; i++)
			put_sym(m, O_DYNSYM + ss * nsym++, add_str(m, O_DYNSTR, &strl, 0x200, s->imports[i]), 0,
				FV_STB_GLOBAL << 4 | FV_STT_FUNC, 0);
		for (size_t i = 0; i < 4 && s->exports[i]; i++)
			put_sym(m, O_DYNSYM + ss * nsym++, add_str(m, O_DYNSTR, &strl, 0x200, s->exports[i]),
				BASE + 0x100, FV_STB_GLOBAL << 4 | FV_STT_FUNC, 1);
		put(m, O_HASH, 1, 4);
		put(m, O_HASH + 4, nsym, 4);
		struct {
			uint64_t tag, val;
			int on;
		} d[] = {
			{ FV_DT_STRTAB, BASE + O_DYNSTR, 1 },    { FV_DT_STRSZ, strl, 1 },
			{ FV_DT_SYMTAB, BASE + O_DYNSYM, 1 },    { FV_DT_HASH, BASE + O_HASH, 1 },
			{ FV_DT_RPATH, rp, s->rpath != NULL },   { FV_DT_RUNPATH, rn, s->runpath != NULL },
			{ FV_DT_FLAGS, s->flags, s->flags != 0 }, { FV_DT_FLAGS_1, s->flags_1, s->flags_1 != 0 },
			{ FV_DT_DEBUG, 0, s->debug },            { FV_DT_BIND_NOW, 0, s->bind_now },
			{ FV_DT_NULL, 0, 1 },
		};
		for (size_t i = 0; i < sizeof d / sizeof *d; i++)
			if (d[i].on) {
				put_word(m, O_DYN + ds * ndyn, d[i].tag);
				put_word(m, O_DYN + ds * ndyn + ds / 2, d[i].val);
				ndyn++;
			}
	}
	put(m, s->is64 ? 56 : 44, nph, 2);
	if (s->sections) {
		size_t strl = 1, shl = 1, nsym = 1, ss = s->is64 ? 24 : 16;
		for (size_t i = 0; i < 8 && s->symtab[i]; i++)
			put_sym(m, O_SYMTAB + ss * nsym++, add_str(m, O_STRTAB, &strl, 0x100, s->symtab[i]),
				BASE + 0x100, FV_STB_GLOBAL << 4 | FV_STT_FUNC, 1);
		uint32_t n_symtab = add_str(m, O_SHSTR, &shl, 0x40, ".symtab");
		uint32_t n_strtab = add_str(m, O_SHSTR, &shl, 0x40, ".strtab");
		uint32_t n_shstr = add_str(m, O_SHSTR, &shl, 0x40, ".shstrtab");
		put_shdr(m, 1, n_symtab, FV_SHT_SYMTAB, O_SYMTAB, ss * nsym, 2);
		put_shdr(m, 2, n_strtab, FV_SHT_STRTAB, O_STRTAB, strl, 0);
		put_shdr(m, 3, n_shstr, FV_SHT_STRTAB, O_SHSTR, shl, 0);
		put_word(m, s->is64 ? 40 : 32, O_SH);
		put(m, s->is64 ? 58 : 46, s->is64 ? 64 : 40, 2);
		put(m, s->is64 ? 60 : 48, 4, 2);
		put(m, s->is64 ? 62 : 50, 3, 2);
	}
}

/* A dynamic PIE-less executable for x86-64 with nothing else: each test changes what it needs. */
static struct spec base_spec(int is64, int be, uint16_t machine)
{
	struct spec s;
	memset(&s, 0, sizeof s);
	s.is64 = is64;
	s.be = be;
	s.type = FV_ET_EXEC;
	s.machine = machine;
	s.interp = 1;
	s.stack = FV_PF_R | FV_PF_W;
	s.stack2 = -1;
	s.dynamic = 1;
	s.imports[0] = "puts";
	return s;
}

static struct fv_fortify g_fortify;
static char g_dir[64];

static void harden(const struct spec *s, struct fv_hardening *h)
{
	static struct img m;
	build(&m, s);
	struct fv_elf e;
	if (fv_elf_parse(m.b, O_END, &e) != 0)
		fail_msg("%s", e.error);
	assert_int_equal(fv_harden(&e, &g_fortify, h), 0);
	fv_elf_free(&e);
}

/* The four class/byte-order pairs, for every check. */
static const int orders[4][2] = { { 1, 0 }, { 1, 1 }, { 0, 0 }, { 0, 1 } };

static void nx(void **state)
{
	(void)state;
	struct fv_hardening h;
	for (int k = 0; k < 4; k++) {
		struct spec s = base_spec(orders[k][0], orders[k][1], 62);
		harden(&s, &h);
		assert_true(h.nx);
		assert_false(h.nx_default);
		s.stack = FV_PF_R | FV_PF_W | FV_PF_X;
		harden(&s, &h);
		assert_false(h.nx);
		/* Execute without write is still an executable stack (checksec looks for "RWE" only). */
		s.stack = FV_PF_R | FV_PF_X;
		harden(&s, &h);
		assert_false(h.nx);
		/* The kernel takes the last PT_GNU_STACK. */
		s.stack = FV_PF_R | FV_PF_W | FV_PF_X;
		s.stack2 = FV_PF_R | FV_PF_W;
		harden(&s, &h);
		assert_true(h.nx);
	}
	/* No PT_GNU_STACK: each architecture's default. */
	static const struct {
		uint16_t machine;
		int is64, nx;
	} def[] = {
		{ 62, 1, 0 },  { 3, 0, 0 },  { 183, 1, 0 }, { 40, 0, 0 },  { 8, 0, 0 },  { 8, 1, 0 },
		{ 20, 0, 0 },  { 21, 1, 1 }, { 243, 1, 1 }, { 243, 0, 1 }, { 22, 1, 1 }, { 22, 0, 0 },
		{ 0x9999, 1, 0 },
	};
	for (size_t i = 0; i < sizeof def / sizeof *def; i++) {
		struct spec s = base_spec(def[i].is64, def[i].machine == 21 || def[i].machine == 22, def[i].machine);
		s.stack = -1;
		harden(&s, &h);
		if (h.nx != def[i].nx)
			fail_msg("machine %u ELF%d without PT_GNU_STACK: nx %d, expected %d", def[i].machine,
				 def[i].is64 ? 64 : 32, h.nx, def[i].nx);
		assert_true(h.nx_default);
	}
}

static void pie(void **state)
{
	(void)state;
	struct fv_hardening h;
	for (int k = 0; k < 4; k++) {
		struct spec s = base_spec(orders[k][0], orders[k][1], 8);
		harden(&s, &h);
		assert_int_equal(h.pie, FV_PIE_NO);
		s.type = FV_ET_DYN;
		harden(&s, &h);
		assert_int_equal(h.pie, FV_PIE_DSO);
		assert_string_equal(fv_harden_pie_name(h.pie), "dso");
		s.debug = 1;
		harden(&s, &h);
		assert_int_equal(h.pie, FV_PIE_YES);
		s.debug = 0;
		s.flags_1 = FV_DF_1_PIE;
		harden(&s, &h);
		assert_int_equal(h.pie, FV_PIE_YES);
		assert_string_equal(fv_harden_pie_name(h.pie), "yes");
		s.type = FV_ET_REL;
		harden(&s, &h);
		assert_int_equal(h.pie, FV_PIE_REL);
		assert_string_equal(fv_harden_pie_name(h.pie), "rel");
		s.type = FV_ET_CORE;
		harden(&s, &h);
		assert_int_equal(h.pie, FV_PIE_NO);
		assert_string_equal(fv_harden_pie_name(h.pie), "no");
	}
}

static void relro(void **state)
{
	(void)state;
	struct fv_hardening h;
	for (int k = 0; k < 4; k++) {
		struct spec s = base_spec(orders[k][0], orders[k][1], 40);
		s.bind_now = 1;
		harden(&s, &h);
		assert_int_equal(h.relro, FV_RELRO_NONE); /* immediate binding without RELRO protects nothing */
		assert_string_equal(fv_harden_relro_name(h.relro), "none");
		s.bind_now = 0;
		s.relro = 1;
		harden(&s, &h);
		assert_int_equal(h.relro, FV_RELRO_PARTIAL);
		assert_string_equal(fv_harden_relro_name(h.relro), "partial");
		s.bind_now = 1;
		harden(&s, &h);
		assert_int_equal(h.relro, FV_RELRO_FULL);
		assert_string_equal(fv_harden_relro_name(h.relro), "full");
		s.bind_now = 0;
		s.flags = FV_DF_BIND_NOW;
		harden(&s, &h);
		assert_int_equal(h.relro, FV_RELRO_FULL);
		s.flags = 0;
		s.flags_1 = FV_DF_1_NOW; /* alone: checksec says partial, the loader binds now */
		harden(&s, &h);
		assert_int_equal(h.relro, FV_RELRO_FULL);
	}
}

static void canary(void **state)
{
	(void)state;
	struct fv_hardening h;
	static const char *const names[] = { "__stack_chk_fail", "__stack_chk_guard", "__intel_security_cookie" };
	for (int k = 0; k < 4; k++) {
		struct spec s = base_spec(orders[k][0], orders[k][1], 20);
		harden(&s, &h);
		assert_false(h.canary);
		for (size_t i = 0; i < 3; i++) {
			s.imports[1] = names[i];
			harden(&s, &h);
			assert_true(h.canary);
		}
		/* Defined here (a library), or only in .symtab, or under a longer name: all count. */
		s.imports[1] = NULL;
		s.exports[0] = "__stack_chk_guard";
		harden(&s, &h);
		assert_true(h.canary);
		s.exports[0] = NULL;
		s.sections = 1;
		s.symtab[0] = "main";
		harden(&s, &h);
		assert_false(h.canary);
		s.symtab[1] = "__stack_chk_fail_local";
		harden(&s, &h);
		assert_true(h.canary);
	}
}

static void fortify(void **state)
{
	(void)state;
	struct fv_hardening h;
	for (int k = 0; k < 4; k++) {
		struct spec s = base_spec(orders[k][0], orders[k][1], 183);
		harden(&s, &h);
		assert_false(h.fortify);
		assert_int_equal(h.fortified + h.unfortified, 0);
		assert_true(h.fortify_known);
		/* puts is not fortifiable; strcpy and memcpy are; __foo_chk is no known check. */
		const char *imports[] = { "puts", "__memcpy_chk", "__printf_chk", "strcpy", "memcpy", "__foo_chk",
					  "_IO_getc", NULL };
		memcpy(s.imports, imports, sizeof imports);
		/* A definition (a C library's own) is no call. */
		s.exports[0] = "__strcpy_chk";
		s.exports[1] = "read";
		harden(&s, &h);
		assert_true(h.fortify);
		assert_int_equal(h.fortified, 2);
		assert_int_equal(h.unfortified, 2);
		/* Without a list every import of a __*_chk counts, and nothing is known to be unfortified. */
		struct img m;
		build(&m, &s);
		struct fv_elf e;
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_int_equal(fv_harden(&e, NULL, &h), 0);
		assert_int_equal(h.fortified, 3);
		assert_int_equal(h.unfortified, 0);
		/* Only unfortified calls: FORTIFY is off. */
		memset(s.imports, 0, sizeof s.imports);
		s.imports[0] = "strcpy";
		harden(&s, &h);
		assert_false(h.fortify);
		assert_int_equal(h.unfortified, 1);
	}
}

/* A static binary: no imports; the __*_chk linked in (seen in .symtab) are its fortified calls. */
static void static_binary(void **state)
{
	(void)state;
	struct fv_hardening h;
	for (int k = 0; k < 4; k++) {
		struct spec s = base_spec(orders[k][0], orders[k][1], 8);
		s.interp = 0;
		s.dynamic = 0;
		s.imports[0] = NULL;
		s.sections = 1;
		const char *syms[] = { "main", "__memcpy_chk", "__snprintf_chk", "___snprintf_chk", "memcpy",
				       "__chk_fail", "__stack_chk_fail", NULL };
		memcpy(s.symtab, syms, sizeof syms);
		harden(&s, &h);
		assert_true(h.is_static);
		assert_null(h.interp);
		assert_false(h.stripped);
		assert_true(h.fortify);
		assert_true(h.fortify_known);
		assert_int_equal(h.fortified, 2); /* ___snprintf_chk is an alias, not a third */
		assert_int_equal(h.unfortified, 0);
		assert_true(h.canary);
		assert_int_equal(h.pie, FV_PIE_NO);
		/* Stripped: FORTIFY cannot be judged, and is said to be unknown. */
		s.sections = 0;
		harden(&s, &h);
		assert_true(h.stripped);
		assert_false(h.fortify);
		assert_false(h.fortify_known);
		assert_false(h.canary);
	}
}

static void paths_and_strip(void **state)
{
	(void)state;
	struct fv_hardening h;
	for (int k = 0; k < 4; k++) {
		struct spec s = base_spec(orders[k][0], orders[k][1], 243);
		harden(&s, &h);
		assert_null(h.rpath);
		assert_null(h.runpath);
		assert_string_equal(h.interp, "/lib/ld-fv.so.1");
		assert_true(h.stripped);
		assert_false(h.is_static);
		assert_int_equal(h.props, 0);
		s.rpath = "/opt/a:$ORIGIN/../lib";
		s.runpath = "/opt/b";
		s.sections = 1;
		harden(&s, &h);
		assert_string_equal(h.rpath, "/opt/a:$ORIGIN/../lib");
		assert_string_equal(h.runpath, "/opt/b");
		assert_false(h.stripped);
		/* An empty RPATH is none (checksec finds no path in it either). */
		s.rpath = "";
		harden(&s, &h);
		assert_null(h.rpath);
	}
}

/* ---- the fortify list ------------------------------------------------------------------ */

static void fortify_list(void **state)
{
	(void)state;
	assert_true(g_fortify.n > 70);
	assert_true(fv_fortify_has(&g_fortify, "memcpy"));
	assert_true(fv_fortify_has(&g_fortify, "printf"));
	assert_true(fv_fortify_has(&g_fortify, "strlcpy")); /* from glibc 2.38, not the host's 2.36 */
	assert_false(fv_fortify_has(&g_fortify, "puts"));
	assert_false(fv_fortify_has(&g_fortify, "memcpy_chk"));
	assert_false(fv_fortify_has(&g_fortify, ""));
	assert_false(fv_fortify_has(NULL, "memcpy"));
	for (size_t i = 1; i < g_fortify.n; i++)
		assert_true(strcmp(g_fortify.names[i - 1], g_fortify.names[i]) < 0);

	struct fv_fortify f;
	char err[512];
	fv_test_put(g_dir, "r1/hardening/fortify.txt", "# comment\n\n  memcpy  \nstrcpy # trailing\nmemcpy\nread");
	assert_int_equal(fv_fortify_load(&f, "r1", err, sizeof err), FV_EIO); /* relative to the cwd: not there */
	char dir[128];
	snprintf(dir, sizeof dir, "%s/r1", g_dir);
	assert_int_equal(fv_fortify_load(&f, dir, err, sizeof err), 0);
	assert_int_equal(f.n, 3);
	assert_true(fv_fortify_has(&f, "read") && fv_fortify_has(&f, "strcpy") && fv_fortify_has(&f, "memcpy"));
	fv_fortify_free(&f);
	assert_int_equal(f.n, 0);

	snprintf(dir, sizeof dir, "%s/missing", g_dir);
	assert_int_equal(fv_fortify_load(&f, dir, err, sizeof err), FV_EIO);
	assert_non_null(strstr(err, "missing/hardening/fortify.txt"));
	fv_test_put(g_dir, "r2/hardening/fortify.txt", "memcpy\n# x\nmem cpy\n");
	snprintf(dir, sizeof dir, "%s/r2", g_dir);
	assert_int_equal(fv_fortify_load(&f, dir, err, sizeof err), FV_EFORMAT);
	assert_non_null(strstr(err, "fortify.txt:3"));
	assert_non_null(strstr(err, "mem cpy"));
	fv_test_put(g_dir, "r3/hardening/fortify.txt", "# nothing\n\n");
	snprintf(dir, sizeof dir, "%s/r3", g_dir);
	assert_int_equal(fv_fortify_load(&f, dir, err, sizeof err), FV_EFORMAT);
	assert_non_null(strstr(err, "lists no function"));
	fv_test_put(g_dir, "r4/hardening/fortify.txt", "9lives\n");
	snprintf(dir, sizeof dir, "%s/r4", g_dir);
	assert_int_equal(fv_fortify_load(&f, dir, err, sizeof err), FV_EFORMAT);
}

/* ---- hostile input ---------------------------------------------------------------------- */

static void hostile(void **state)
{
	(void)state;
	struct spec s = base_spec(1, 0, 62);
	s.relro = 1;
	s.bind_now = 1;
	s.rpath = "/x";
	s.sections = 1;
	s.symtab[0] = "__memcpy_chk";
	s.imports[1] = "__stack_chk_fail";
	s.imports[2] = "__memcpy_chk";
	static struct img m;
	build(&m, &s);
	struct fv_elf e;
	struct fv_hardening h;
	for (size_t n = 0; n <= O_END; n++) {
		uint8_t *cut = malloc(n ? n : 1);
		memcpy(cut, m.b, n);
		if (fv_elf_parse(cut, n, &e) == 0) {
			assert_int_equal(fv_harden(&e, &g_fortify, &h), 0);
			if (h.rpath)
				assert_true(strlen(h.rpath) < n);
		}
		fv_elf_free(&e);
		free(cut);
	}
	uint32_t seed = 99;
	for (int round = 0; round < 3000; round++) {
		static struct img mut;
		mut = m;
		for (int k = 0; k < 6; k++) {
			seed = seed * 1103515245u + 12345u;
			mut.b[(seed >> 8) % O_END] ^= (uint8_t)(seed >> 24 | 1);
		}
		if (fv_elf_parse(mut.b, O_END, &e) == 0) {
			assert_int_equal(fv_harden(&e, &g_fortify, &h), 0);
			assert_true(h.relro >= FV_RELRO_NONE && h.relro <= FV_RELRO_FULL);
			assert_true(h.pie >= FV_PIE_NO && h.pie <= FV_PIE_REL);
		}
		fv_elf_free(&e);
	}
}

static int setup(void **state)
{
	(void)state;
	fv_test_tmpdir(g_dir, sizeof g_dir, "harden");
	char err[512];
	/* The shipped list: FWVET_RULES when the runner sets it, else the source tree's. */
	const char *rules = getenv("FWVET_RULES");
	if (fv_fortify_load(&g_fortify, rules ? rules : FV_SOURCE_RULES, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fv_fortify_free(&g_fortify);
	return fv_test_rmtree(g_dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nx),
		cmocka_unit_test(pie),
		cmocka_unit_test(relro),
		cmocka_unit_test(canary),
		cmocka_unit_test(fortify),
		cmocka_unit_test(static_binary),
		cmocka_unit_test(paths_and_strip),
		cmocka_unit_test(fortify_list),
		cmocka_unit_test(hostile),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
