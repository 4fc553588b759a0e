/*
 * The analyzers' ELF reader (src/analyze/elf): programs and libraries built
 * at test time by cc and by Debian's cross compilers (MIPS both ways, ARM,
 * AArch64, PowerPC), checked against readelf; the same files with their
 * section headers removed, which must give the same dynamic view; ELF files
 * written here for all four class/byte-order pairs; and hostile variants:
 * lying counts, endless hash chains, strings without ends, truncation at
 * every length.
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/elf/elf.h"
#include "core/elfmach.h"
#include "core/err.h"

static char g_dir[64];

static const char *const prog_c =
	"#include <sys/socket.h>\n"
	"#include <netinet/in.h>\n"
	"#include <arpa/inet.h>\n"
	"#include <unistd.h>\n"
	"int fv_visible(int x) { return x + 1; }\n"
	"int main(void) {\n"
	"  int s = socket(AF_INET, SOCK_STREAM, 0);\n"
	"  struct sockaddr_in a = { 0 };\n"
	"  a.sin_family = AF_INET; a.sin_port = htons(4444);\n"
	"  inet_pton(AF_INET, \"45.33.32.156\", &a.sin_addr);\n"
	"  if (connect(s, (struct sockaddr *)&a, sizeof a) == 0) send(s, \"x\", 1, 0);\n"
	"  return close(s) + fv_visible(0);\n"
	"}\n";

static const char *const lib_c = "int fv_lib_one(int x) { return x * 3; }\n"
				 "int fv_lib_two(const char *s) { return s[0]; }\n"
				 "static int hidden(void) { return 7; }\n"
				 "int fv_lib_three(void) { return hidden(); }\n"
				 "extern int puts(const char *);\n"
				 "int fv_lib_four(void) { return puts(\"x\"); }\n";

static int setup(void **state)
{
	(void)state;
	fv_test_tmpdir(g_dir, sizeof g_dir, "elfparse");
	fv_test_write_file(g_dir, "prog.c", prog_c, strlen(prog_c));
	fv_test_write_file(g_dir, "lib.c", lib_c, strlen(lib_c));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return fv_test_rmtree(g_dir);
}

/* ---- helpers ------------------------------------------------------------------- */

struct loaded {
	uint8_t *p;
	size_t n;
	struct fv_elf e;
};

static void load(const char *name, struct loaded *l)
{
	l->p = fv_test_load(g_dir, name, &l->n);
	int r = fv_elf_parse(l->p, l->n, &l->e);
	if (r != 0)
		fail_msg("%s: %s", name, l->e.error);
}

static void unload(struct loaded *l)
{
	fv_elf_free(&l->e);
	free(l->p);
}

/* A newline-separated list made by a shell pipeline over readelf (sorted). */
static char *shell_list(const char *cmd_fmt, const char *name)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, cmd_fmt, name);
	fv_test_sh(g_dir, "%s | LC_ALL=C sort > list.txt", cmd);
	size_t n;
	return (char *)fv_test_load(g_dir, "list.txt", &n);
}

/* The iterator's names, sorted, one per line (as the shell's list). */
static char *iter_list(const struct fv_elf *e, int exports)
{
	size_t cap = 1 << 20, n = 0;
	char *out = malloc(cap);
	const char **names = malloc(sizeof *names * 65536);
	size_t count = 0, it = 0;
	struct fv_elf_sym s;
	while (count < 65536 && (exports ? fv_elf_next_export(e, &it, &s) : fv_elf_next_import(e, &it, &s)))
		names[count++] = s.name;
	for (size_t i = 1; i < count; i++)
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			const char *t = names[j];
			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	out[0] = 0;
	for (size_t i = 0; i < count; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s\n", names[i]);
	free(names);
	return out;
}

static const char *const readelf_imports =
	"readelf --dyn-syms -W %s | awk '$7==\"UND\" && $8!=\"\" && ($5==\"GLOBAL\"||$5==\"WEAK\") {sub(/@.*/,\"\",$8); print $8}'";
static const char *const readelf_exports =
	"readelf --dyn-syms -W %s | awk '$7!=\"UND\" && $7!=\"Ndx\" && ($5==\"GLOBAL\"||$5==\"WEAK\") && "
	"($6==\"DEFAULT\"||$6==\"PROTECTED\") && $4!=\"SECTION\" && $4!=\"FILE\" {sub(/@.*/,\"\",$8); print $8}'";

/* Imports and exports equal readelf's. */
static void assert_symbols_match_readelf(const char *name, const struct fv_elf *e)
{
	char *want = shell_list(readelf_imports, name), *got = iter_list(e, 0);
	if (strcmp(want, got) != 0)
		fail_msg("%s imports:\nreadelf:\n%s\nours:\n%s", name, want, got);
	free(want);
	free(got);
	want = shell_list(readelf_exports, name);
	got = iter_list(e, 1);
	if (strcmp(want, got) != 0)
		fail_msg("%s exports:\nreadelf:\n%s\nours:\n%s", name, want, got);
	free(want);
	free(got);
}

static int has_needed(const struct fv_elf *e, const char *lib)
{
	size_t it = 0;
	const char *n;
	while (fv_elf_next_needed(e, &it, &n))
		if (strcmp(n, lib) == 0)
			return 1;
	return 0;
}

/*
 * Writes name + ".nosh": the file with its section headers gone, as a
 * hostile or sstrip'ed binary ships (binutils 2.40 has no
 * --strip-section-headers): e_shoff, e_shnum and e_shstrndx zeroed, and the
 * section header table itself overwritten.
 */
static void strip_section_headers(const char *name)
{
	size_t n;
	uint8_t *p = fv_test_load(g_dir, name, &n);
	assert_true(n > 64);
	int is64 = p[4] == 2, be = p[5] == 2;
	uint64_t shoff = 0;
	for (int k = 0; k < (is64 ? 8 : 4); k++) {
		size_t at = (is64 ? 0x28 : 0x20) + (size_t)(be ? k : (is64 ? 7 : 3) - k);
		shoff = shoff << 8 | p[at];
	}
	unsigned shnum_at = is64 ? 0x3c : 0x30;
	unsigned shnum = be ? (unsigned)p[shnum_at] << 8 | p[shnum_at + 1] : (unsigned)p[shnum_at + 1] << 8 | p[shnum_at];
	unsigned shent = is64 ? 64 : 40;
	assert_true(shoff > 0 && shoff + (uint64_t)shnum * shent <= n);
	memset(p + shoff, 0xa5, (size_t)shnum * shent);
	memset(p + (is64 ? 0x28 : 0x20), 0, is64 ? 8 : 4);
	memset(p + shnum_at, 0, 4); /* e_shnum, e_shstrndx */
	char out[256];
	snprintf(out, sizeof out, "%s.nosh", name);
	fv_test_write_file(g_dir, out, p, n);
	free(p);
}

/*
 * Everything an analyzer may ask of e, touched once: under ASan this is
 * what proves the accessors stay inside the data.  The slot table is built
 * and released again (fv_elf_free), so callers may parse into e anew.
 */
static size_t walk_all(struct fv_elf *e)
{
	size_t sum = 0, it;
	struct fv_elf_phdr ph;
	struct fv_elf_shdr sh;
	struct fv_elf_dyn d;
	struct fv_elf_sym s;
	const char *name;
	for (size_t i = 0; fv_elf_phdr(e, i, &ph); i++)
		sum += ph.type;
	for (size_t i = 0; fv_elf_shdr(e, i, &sh); i++)
		sum += strlen(sh.name);
	for (size_t i = 0; fv_elf_dyn(e, i, &d); i++)
		sum += (size_t)d.tag;
	for (size_t i = 0; fv_elf_sym(e, &e->dynsym, i, &s); i++)
		sum += strlen(s.name);
	for (size_t i = 0; fv_elf_sym(e, &e->symtab, i, &s); i++)
		sum += strlen(s.name);
	for (it = 0; fv_elf_next_needed(e, &it, &name);)
		sum += strlen(name);
	for (it = 0; fv_elf_next_import(e, &it, &s);)
		sum++;
	for (it = 0; fv_elf_next_export(e, &it, &s);)
		sum++;
	sum += fv_elf_imports(e, "connect") + fv_elf_defines(e, "connect") + fv_elf_is_static(e);
	if (e->interp)
		sum += strlen(e->interp);
	if (e->soname)
		sum += strlen(e->soname);
	if (e->runpath)
		sum += strlen(e->runpath);
	if (e->rpath)
		sum += strlen(e->rpath);
	uint64_t off;
	sum += (size_t)fv_elf_vaddr_to_off(e, e->entry, 4, &off);

	/* Slots: sorted, each found by its address; the names are readable. */
	assert_int_equal(fv_elf_load_slots(e), 0);
	const struct fv_elf_slot *sl;
	for (size_t i = 0; (sl = fv_elf_slot(e, i)) != NULL; i++) {
		sum += strlen(sl->name);
		assert_true(fv_elf_slot_at(e, sl->addr) == sl);
	}
	assert_null(fv_elf_slot(e, e->nslots));
	/* Versions: of every symbol, and every needed pair. */
	for (size_t i = 0; i < e->dynsym.count + 2; i++) {
		const char *file;
		int hidden;
		const char *v = fv_elf_sym_version(e, i, &file, &hidden);
		if (v)
			sum += strlen(v) + (file ? strlen(file) : 0) + (size_t)hidden;
	}
	struct fv_elf_iter it2 = { 0 };
	struct fv_elf_verneed vn;
	size_t pairs = 0;
	while (fv_elf_next_verneed(e, &it2, &vn)) {
		sum += strlen(vn.file) + strlen(vn.version);
		assert_true(++pairs <= FV_ELF_MAX_VERSIONS);
	}
	/* Notes: every byte of each name and descriptor is in the data. */
	struct fv_elf_iter nit = { 0 };
	struct fv_elf_note note;
	while (fv_elf_next_note(e, &nit, &note)) {
		sum += strlen(note.name) + note.type;
		assert_true(note.desc >= e->data && note.descsz <= e->len &&
			    (size_t)(note.desc - e->data) <= e->len - note.descsz);
		for (size_t k = 0; k < note.descsz; k++)
			sum += note.desc[k];
	}
	char id[2 * FV_ELF_BUILD_ID_MAX + 1];
	sum += fv_elf_build_id(e, id) + strlen(id) + fv_elf_gnu_properties(e);
	sum += (size_t)fv_elf_section(e, ".text", &sh, NULL);
	sum += fv_elf_mips_gp(e) & 1;
	fv_elf_free(e);
	assert_int_equal(e->nslots, 0);
	return sum + strlen(fv_elf_machine(e));
}

/* ---- native binaries ------------------------------------------------------------- */

static void native_program(void **state)
{
	(void)state;
	fv_test_sh(g_dir, "cc -O1 -o prog prog.c -Wl,-z,now -Wl,-rpath,/opt/fv/lib -Wl,--enable-new-dtags");
	struct loaded l;
	load("prog", &l);
	const struct fv_elf *e = &l.e;
#if defined(__x86_64__)
	assert_string_equal(fv_elf_machine(e), "x86-64");
	assert_int_equal(fv_elf_class(e), 64);
	assert_int_equal(fv_elf_big_endian(e), 0);
#endif
	assert_non_null(fv_elf_interp(e));
	assert_non_null(strstr(fv_elf_interp(e), "ld-linux"));
	assert_true(has_needed(e, "libc.so.6"));
	assert_int_equal(e->nneeded, 1);
	assert_true(fv_elf_imports(e, "connect"));
	assert_true(fv_elf_imports(e, "socket"));
	assert_true(fv_elf_imports(e, "send"));
	assert_false(fv_elf_imports(e, "fv_visible")); /* defined here */
	assert_false(fv_elf_imports(e, "conn"));
	assert_non_null(e->runpath);
	assert_string_equal(e->runpath, "/opt/fv/lib");
	assert_null(e->rpath);
	assert_true(e->bind_now);
	assert_false(fv_elf_is_static(e));
	assert_int_equal(e->quirks, 0);
	assert_true(e->shnum > 0 && e->symtab.count > 0);
	assert_true(fv_elf_defines(e, "main"));
	assert_symbols_match_readelf("prog", e);
	/* Section names come from .shstrtab. */
	struct fv_elf_shdr sh;
	int seen_dynsym = 0;
	for (size_t i = 0; fv_elf_shdr(e, i, &sh); i++)
		seen_dynsym |= strcmp(sh.name, ".dynsym") == 0 && sh.type == FV_SHT_DYNSYM;
	assert_true(seen_dynsym);
	unload(&l);

	/* Without section headers the dynamic view is the same. */
	strip_section_headers("prog");
	load("prog.nosh", &l);
	e = &l.e;
	assert_int_equal(e->shnum, 0);
	assert_int_equal(e->symtab.count, 0);
	assert_true(fv_elf_imports(e, "connect"));
	assert_true(has_needed(e, "libc.so.6"));
	assert_string_equal(e->runpath, "/opt/fv/lib");
	assert_true(e->bind_now);
	assert_symbols_match_readelf("prog", e);
	unload(&l);
}

/* A library: soname, exports, and each way of counting its symbols. */
static void native_library(void **state)
{
	(void)state;
	static const char *const styles[] = { "gnu", "sysv", "both" };
	for (size_t k = 0; k < 3; k++) {
		fv_test_sh(g_dir, "cc -O1 -shared -fPIC -o lib%s.so lib.c -Wl,-soname,libfvtest.so.1 "
				  "-Wl,--hash-style=%s -Wl,-rpath,/old/rpath -Wl,--disable-new-dtags",
			   styles[k], styles[k]);
		char name[64], nosh[80];
		snprintf(name, sizeof name, "lib%s.so", styles[k]);
		snprintf(nosh, sizeof nosh, "%s.nosh", name);
		struct loaded l;
		load(name, &l);
		assert_non_null(l.e.soname);
		assert_string_equal(l.e.soname, "libfvtest.so.1");
		assert_string_equal(l.e.rpath, "/old/rpath");
		assert_null(l.e.runpath);
		assert_null(l.e.interp);
		assert_false(fv_elf_is_static(&l.e));
		assert_int_equal(l.e.quirks, 0);
		assert_symbols_match_readelf(name, &l.e);
		size_t count = l.e.dynsym.count;
		unload(&l);

		strip_section_headers(name);
		load(nosh, &l);
		/* The hash tables give the exact count: nothing is estimated. */
		assert_int_equal(l.e.dynsym.count, count);
		assert_int_equal(l.e.quirks, 0);
		assert_symbols_match_readelf(name, &l.e);
		assert_true(fv_elf_imports(&l.e, "puts"));
		unload(&l);
	}
}

/*
 * An executable that exports nothing (as AArch64's do): its GNU hash table
 * says nothing about the count, the layout does.
 */
static void count_from_layout(void **state)
{
	(void)state;
	if (!fv_test_have("aarch64-linux-gnu-gcc"))
		fail_msg("aarch64-linux-gnu-gcc is missing: run scripts/deps.sh");
	fv_test_sh(g_dir, "printf 'int puts(const char*);int main(void){return puts(\"x\");}' > small.c && "
			  "aarch64-linux-gnu-gcc -O1 -o small small.c -Wl,--hash-style=gnu");
	strip_section_headers("small");
	struct loaded l;
	load("small.nosh", &l);
	assert_true(l.e.quirks & FV_ELF_Q_SYMCOUNT);
	assert_true(fv_elf_imports(&l.e, "puts"));
	assert_symbols_match_readelf("small", &l.e);
	unload(&l);
}

static void static_binary(void **state)
{
	(void)state;
	fv_test_sh(g_dir, "cc -O1 -static -o prog.static prog.c && cp prog.static prog.static.stripped && "
			  "strip prog.static.stripped");
	struct loaded l;
	load("prog.static", &l);
	assert_true(fv_elf_is_static(&l.e));
	assert_null(l.e.interp);
	assert_int_equal(l.e.nneeded, 0);
	assert_false(fv_elf_imports(&l.e, "connect"));
	assert_true(l.e.symtab.count > 100);
	/* libc's wrapper is linked in under its name (and glibc's internal alias). */
	assert_true(fv_elf_defines(&l.e, "connect") || fv_elf_defines(&l.e, "__connect"));
	assert_false(fv_elf_defines(&l.e, "no_such_function_here"));
	unload(&l);
	load("prog.static.stripped", &l);
	assert_true(fv_elf_is_static(&l.e));
	assert_int_equal(l.e.symtab.count, 0);
	assert_false(fv_elf_defines(&l.e, "connect"));
	unload(&l);
}

/* ---- foreign binaries from Debian's cross compilers ---------------------------------- */

static void foreign(void **state)
{
	(void)state;
	static const struct {
		const char *triplet, *machine;
		unsigned cls;
		int be;
	} cc[] = {
		{ "mipsel-linux-gnu", "mips", 32, 0 },     { "mips-linux-gnu", "mips", 32, 1 },
		{ "arm-linux-gnueabi", "arm", 32, 0 },     { "aarch64-linux-gnu", "aarch64", 64, 0 },
		{ "powerpc-linux-gnu", "powerpc", 32, 1 },
	};
	for (size_t i = 0; i < sizeof cc / sizeof *cc; i++) {
		char tool[64];
		snprintf(tool, sizeof tool, "%s-gcc", cc[i].triplet);
		/* Not skipped: scripts/deps.sh installs every one of them. */
		if (!fv_test_have(tool))
			fail_msg("%s is missing: run scripts/deps.sh", tool);
		fv_test_sh(g_dir, "%s -O1 -o prog.%s prog.c && %s -O1 -shared -fPIC -o lib.%s.so lib.c", tool,
			   cc[i].triplet, tool, cc[i].triplet);
		char name[96], nosh[112];
		for (int lib = 0; lib < 2; lib++) {
			snprintf(name, sizeof name, lib ? "lib.%s.so" : "prog.%s", cc[i].triplet);
			snprintf(nosh, sizeof nosh, "%s.nosh", name);
			struct loaded l;
			load(name, &l);
			assert_string_equal(fv_elf_machine(&l.e), cc[i].machine);
			assert_int_equal(fv_elf_class(&l.e), cc[i].cls);
			assert_int_equal(fv_elf_big_endian(&l.e), cc[i].be);
			assert_true(has_needed(&l.e, "libc.so.6"));
			if (!lib) {
				assert_non_null(l.e.interp);
				assert_true(fv_elf_imports(&l.e, "connect"));
				assert_true(fv_elf_imports(&l.e, "inet_pton"));
			} else {
				assert_true(fv_elf_imports(&l.e, "puts"));
			}
			assert_int_equal(l.e.quirks, 0);
			assert_symbols_match_readelf(name, &l.e);
			unload(&l);

			strip_section_headers(name);
			load(nosh, &l);
			assert_int_equal(l.e.shnum, 0);
			assert_true(has_needed(&l.e, "libc.so.6"));
			assert_true(fv_elf_imports(&l.e, lib ? "puts" : "connect"));
			assert_symbols_match_readelf(name, &l.e);
			walk_all(&l.e);
			unload(&l);
		}
	}
}

/* ---- slots, versions and notes against readelf ----------------------------------------- */

/* Pointer slots by readelf: relocations of the slot types, and the MIPS global GOT (readelf -A). */
static const char *const readelf_slots =
	"{ readelf -rW %1$s | awk '$3 ~ /^R_(X86_64_(JUMP_SLOT|GLOB_DAT|64)|386_(JUMP_SLOT|GLOB_DAT|32)|"
	"ARM_(JUMP_SLOT|GLOB_DAT|ABS32)|AARCH64_(JUMP_SLOT|GLOB_DAT|ABS64)|MIPS_(JUMP_SLOT|GLOB_DAT|REL32|32)|"
	"PPC_(JMP_SLOT|GLOB_DAT|ADDR32)|RISCV_(JUMP_SLOT|64))$/ && NF >= 5 { n = $5; sub(/@.*/, \"\", n); "
	"print $1, n }'; "
	"readelf -AW %1$s | awk '/Global entries:/ { g = 1; getline; next } g && NF == 0 { g = 0 } "
	"g { n = $NF; sub(/@.*/, \"\", n); print $1, n }'; } | LC_ALL=C sort -u";

/* Our slots, "address name" with readelf's zero padding, sorted. */
static char *our_slots(const struct fv_elf *e)
{
	size_t cap = 1 << 20, n = 0;
	char *out = malloc(cap);
	out[0] = 0;
	const struct fv_elf_slot *sl;
	for (size_t i = 0; (sl = fv_elf_slot(e, i)) != NULL && n < cap - 256; i++) {
		assert_true(fv_elf_slot_at(e, sl->addr) == sl);
		if (i > 0)
			assert_true(fv_elf_slot(e, i - 1)->addr < sl->addr);
		n += (size_t)snprintf(out + n, cap - n, "%0*llx %s\n", (int)e->cls / 4, (unsigned long long)sl->addr,
				      sl->name);
	}
	return out;
}

static char *run_list(const char *cmd_fmt, const char *name)
{
	char cmd[2048];
	snprintf(cmd, sizeof cmd, cmd_fmt, name);
	fv_test_sh(g_dir, "%s > list.txt", cmd);
	size_t n;
	return (char *)fv_test_load(g_dir, "list.txt", &n);
}

static void assert_same_list(const char *what, const char *name, const char *want, const char *got)
{
	if (strcmp(want, got) != 0)
		fail_msg("%s %s:\nreadelf:\n%s\nours:\n%s", name, what, want, got);
}

/* Needed versions "file version index" (readelf -V), and each dynamic symbol's "index version". */
static const char *const readelf_verneed =
	"readelf -VW %s | awk '/^Version needs section/ { need = 1; next } /^Version (definition|symbols) section/ "
	"{ need = 0 } need && /File:/ { file = $5 } need && /Name:/ { print file, $3, $NF }'";
static const char *const readelf_symver =
	"readelf --dyn-syms -W %s | awk '$1 ~ /^[0-9]+:$/ && $8 ~ /@/ { i = $1; sub(/:/, \"\", i); v = $8; "
	"sub(/^[^@]*@@?/, \"\", v); print i, v }'";

static char *our_versions(const struct fv_elf *e, int symbols)
{
	size_t cap = 1 << 20, n = 0;
	char *out = malloc(cap);
	out[0] = 0;
	if (symbols) {
		for (size_t i = 0; i < e->dynsym.count && n < cap - 256; i++) {
			const char *file;
			int hidden;
			const char *v = fv_elf_sym_version(e, i, &file, &hidden);
			if (v)
				n += (size_t)snprintf(out + n, cap - n, "%zu %s\n", i, v);
		}
	} else {
		struct fv_elf_iter it = { 0 };
		struct fv_elf_verneed vn;
		while (fv_elf_next_verneed(e, &it, &vn) && n < cap - 256)
			n += (size_t)snprintf(out + n, cap - n, "%s %s %u\n", vn.file, vn.version, vn.index);
	}
	return out;
}

/* Slots, needed versions, symbol versions, build id and section lookup of one file, against readelf. */
static void assert_tables_match_readelf(const char *name)
{
	struct loaded l;
	load(name, &l);
	assert_int_equal(fv_elf_load_slots(&l.e), 0);
	assert_int_equal(fv_elf_load_slots(&l.e), 0); /* idempotent */
	char *want = run_list(readelf_slots, name), *got = our_slots(&l.e);
	assert_same_list("slots", name, want, got);
	assert_true(l.e.nslots > 0);
	free(want);
	free(got);
	assert_int_equal(l.e.quirks & FV_ELF_Q_RELOCS, 0);

	want = run_list(readelf_verneed, name);
	got = our_versions(&l.e, 0);
	assert_same_list("needed versions", name, want, got);
	free(want);
	free(got);
	want = run_list(readelf_symver, name);
	got = our_versions(&l.e, 1);
	assert_same_list("symbol versions", name, want, got);
	free(want);
	free(got);

	want = run_list("readelf -nW %s | sed -n 's/.*Build ID: //p'", name);
	char id[2 * FV_ELF_BUILD_ID_MAX + 1], line[2 * FV_ELF_BUILD_ID_MAX + 2];
	size_t idn = fv_elf_build_id(&l.e, id);
	snprintf(line, sizeof line, "%s%s", id, idn ? "\n" : "");
	assert_same_list("build id", name, want, line);
	free(want);

	struct fv_elf_shdr sh;
	size_t idx;
	if (l.e.shnum) {
		assert_true(fv_elf_section(&l.e, ".dynsym", &sh, &idx));
		assert_int_equal(sh.type, FV_SHT_DYNSYM);
		assert_true(idx > 0 && idx < l.e.shnum);
	}
	assert_false(fv_elf_section(&l.e, ".no-such-section", &sh, &idx));
	unload(&l);
}

static void tables_match_readelf(void **state)
{
	(void)state;
	static const char *const cc[] = { "cc", "mipsel-linux-gnu-gcc", "mips-linux-gnu-gcc",
					  "arm-linux-gnueabi-gcc", "aarch64-linux-gnu-gcc",
					  "powerpc-linux-gnu-gcc", "riscv64-linux-gnu-gcc" };
	for (size_t i = 0; i < sizeof cc / sizeof *cc; i++) {
		if (!fv_test_have(cc[i]))
			fail_msg("%s is missing: run scripts/deps.sh", cc[i]);
		/* PIE and not, lazy and now, and a library with a function pointer to an import (an absolute slot). */
		fv_test_sh(g_dir,
			   "%1$s -O1 -o t.pie prog.c && %1$s -O1 -fno-pie -no-pie -o t.nopie prog.c && "
			   "%1$s -O1 -Wl,-z,now -o t.now prog.c && "
			   "printf 'extern int puts(const char*); int (*fv_ptr)(const char*) = puts;\\n' > ptr.c && "
			   "%1$s -O1 -shared -fPIC -o t.so lib.c ptr.c",
			   cc[i]);
		static const char *const files[] = { "t.pie", "t.nopie", "t.now", "t.so" };
		for (size_t k = 0; k < 4; k++)
			assert_tables_match_readelf(files[k]);
	}
}

/* MIPS without PIC: calls go through a .plt filled by R_MIPS_JUMP_SLOT (type 127). */
static void mips_jump_slots(void **state)
{
	(void)state;
	fv_test_sh(g_dir, "mipsel-linux-gnu-gcc -O1 -fno-pic -mno-abicalls -fno-pie -no-pie -o t.mplt prog.c && "
			  "readelf -rW t.mplt | grep -q R_MIPS_JUMP_SLOT");
	assert_tables_match_readelf("t.mplt");
	struct loaded l;
	load("t.mplt", &l);
	assert_int_equal(fv_elf_load_slots(&l.e), 0);
	int jump = 0;
	for (size_t i = 0; i < l.e.nslots; i++)
		jump += l.e.slots[i].type == 127 && strcmp(l.e.slots[i].name, "connect") == 0;
	assert_int_equal(jump, 1);
	unload(&l);
}

/* GNU property notes: an x86-64 program marked IBT+SHSTK, an AArch64 object with BTI+PAC (sections only). */
static void gnu_properties(void **state)
{
	(void)state;
	fv_test_sh(g_dir, "cc -O1 -fcf-protection=full -Wl,-z,ibt -Wl,-z,shstk -o t.cet prog.c && "
			  "readelf -nW t.cet | grep -q 'x86 feature: IBT, SHSTK' && "
			  "aarch64-linux-gnu-gcc -O1 -mbranch-protection=standard -c -o t.bti.o lib.c && "
			  "readelf -nW t.bti.o | grep -q 'AArch64 feature: BTI, PAC' && "
			  "cc -O1 -fcf-protection=none -c -o t.plain.o lib.c");
	struct loaded l;
	load("t.cet", &l);
	assert_int_equal(fv_elf_gnu_properties(&l.e), FV_ELF_PROP_IBT | FV_ELF_PROP_SHSTK);
	unload(&l);
	load("t.bti.o", &l);
	assert_int_equal(l.e.phnum, 0);
	assert_int_equal(fv_elf_gnu_properties(&l.e), FV_ELF_PROP_BTI | FV_ELF_PROP_PAC);
	/* An object's relocations come from its sections. */
	assert_int_equal(fv_elf_load_slots(&l.e), 0);
	walk_all(&l.e);
	unload(&l);
	load("t.plain.o", &l);
	assert_int_equal(fv_elf_gnu_properties(&l.e), 0);
	unload(&l);
}

/* ---- ELF files written here: every class and byte order -------------------------------- */

struct img {
	uint8_t b[0x800];
	int is64, be;
};

static void put(struct img *m, size_t off, uint64_t v, int bytes)
{
	assert_true(off + (size_t)bytes <= sizeof m->b);
	for (int k = 0; k < bytes; k++) {
		int shift = 8 * (m->be ? bytes - 1 - k : k);
		m->b[off + (size_t)k] = (uint8_t)(v >> shift);
	}
}

static void put_word(struct img *m, size_t off, uint64_t v) { put(m, off, v, m->is64 ? 8 : 4); }

#define BASE 0x400000u
enum { O_INTERP = 0x140, O_DYNSTR = 0x200, O_DYNSYM = 0x300, O_HASH = 0x400, O_DYN = 0x480, O_END = 0x600 };
static const char dynstr[] = "\0libc.so.6\0libnet.so.2\0connect\0socket\0fv_export\0/opt/lib\0libself.so.9"
			     "\0GLIBC_2.4\0GLIBC_2.2.5\0FV_1";
/* Offsets of the names in dynstr. */
enum { S_LIBC = 1, S_LIBNET = 11, S_CONNECT = 23, S_SOCKET = 31, S_EXPORT = 38, S_RUNPATH = 48, S_SONAME = 57,
       S_GLIBC24 = 70, S_GLIBC225 = 80, S_FV1 = 92 };

static void sym(struct img *m, size_t i, uint32_t name, uint64_t value, uint8_t info, uint16_t shndx)
{
	size_t at = O_DYNSYM + i * (m->is64 ? 24 : 16);
	put(m, at, name, 4);
	if (m->is64) {
		m->b[at + 4] = info;
		put(m, at + 6, shndx, 2);
		put(m, at + 8, value, 8);
	} else {
		put(m, at + 4, value, 4);
		m->b[at + 12] = info;
		put(m, at + 14, shndx, 2);
	}
}

/* dyn entry i */
static void dyn(struct img *m, size_t i, uint64_t tag, uint64_t val)
{
	size_t at = O_DYN + i * (m->is64 ? 16 : 8);
	put_word(m, at, tag);
	put_word(m, at + (m->is64 ? 8 : 4), val);
}

/*
 * A small dynamic executable: PT_LOAD over the whole file at BASE, PT_INTERP,
 * PT_DYNAMIC; four symbols (null, connect and socket imported, fv_export
 * defined), DT_HASH; no section headers.
 */
static void build(struct img *m, int is64, int be, uint16_t machine)
{
	memset(m, 0, sizeof *m);
	m->is64 = is64;
	m->be = be;
	memcpy(m->b, "\x7f" "ELF", 4);
	m->b[4] = is64 ? 2 : 1;
	m->b[5] = be ? 2 : 1;
	m->b[6] = 1;
	put(m, 16, FV_ET_DYN, 2);
	put(m, 18, machine, 2);
	put(m, 20, 1, 4);
	unsigned eh = is64 ? 64 : 52, ph = is64 ? 56 : 32;
	put_word(m, 24, BASE + 0x500);       /* entry */
	put_word(m, is64 ? 32 : 28, eh);     /* phoff */
	put(m, is64 ? 52 : 40, eh, 2);   /* ehsize */
	put(m, is64 ? 54 : 42, ph, 2);   /* phentsize */
	put(m, is64 ? 56 : 44, 3, 2);    /* phnum */
	put(m, is64 ? 58 : 46, is64 ? 64 : 40, 2);
	struct {
		uint32_t type;
		uint64_t off, filesz;
	} phs[3] = { { FV_PT_LOAD, 0, O_END }, { FV_PT_INTERP, O_INTERP, 18 }, { FV_PT_DYNAMIC, O_DYN, 0x100 } };
	for (int i = 0; i < 3; i++) {
		size_t at = eh + (size_t)i * ph;
		put(m, at, phs[i].type, 4);
		if (is64) {
			put(m, at + 4, 5, 4);
			put(m, at + 8, phs[i].off, 8);
			put(m, at + 16, BASE + phs[i].off, 8);
			put(m, at + 24, BASE + phs[i].off, 8);
			put(m, at + 32, phs[i].filesz, 8);
			put(m, at + 40, phs[i].filesz, 8);
		} else {
			put(m, at + 4, phs[i].off, 4);
			put(m, at + 8, BASE + phs[i].off, 4);
			put(m, at + 12, BASE + phs[i].off, 4);
			put(m, at + 16, phs[i].filesz, 4);
			put(m, at + 20, phs[i].filesz, 4);
			put(m, at + 24, 5, 4);
		}
	}
	memcpy(m->b + O_INTERP, "/lib/ld-fvtest.so", 18);
	memcpy(m->b + O_DYNSTR, dynstr, sizeof dynstr);
	sym(m, 1, S_CONNECT, 0, FV_STB_GLOBAL << 4 | FV_STT_FUNC, 0);
	sym(m, 2, S_SOCKET, 0, FV_STB_WEAK << 4 | FV_STT_FUNC, 0);
	sym(m, 3, S_EXPORT, BASE + 0x500, FV_STB_GLOBAL << 4 | FV_STT_FUNC, 5);
	put(m, O_HASH, 1, 4); /* nbucket */
	put(m, O_HASH + 4, 4, 4); /* nchain: 4 symbols */
	size_t i = 0;
	dyn(m, i++, FV_DT_NEEDED, S_LIBC);
	dyn(m, i++, FV_DT_NEEDED, S_LIBNET);
	dyn(m, i++, FV_DT_SONAME, S_SONAME);
	dyn(m, i++, FV_DT_RUNPATH, S_RUNPATH);
	dyn(m, i++, FV_DT_STRTAB, BASE + O_DYNSTR);
	dyn(m, i++, FV_DT_STRSZ, sizeof dynstr);
	dyn(m, i++, FV_DT_SYMTAB, BASE + O_DYNSYM);
	dyn(m, i++, FV_DT_SYMENT, is64 ? 24 : 16);
	dyn(m, i++, FV_DT_HASH, BASE + O_HASH);
	dyn(m, i++, FV_DT_FLAGS_1, FV_DF_1_NOW);
	dyn(m, i++, FV_DT_NULL, 0);
}

static void check_built(const struct img *m, size_t len, const char *machine)
{
	struct fv_elf e;
	int r = fv_elf_parse(m->b, len, &e);
	if (r != 0)
		fail_msg("%s", e.error);
	assert_string_equal(fv_elf_machine(&e), machine);
	assert_int_equal(fv_elf_class(&e), m->is64 ? 64 : 32);
	assert_int_equal(fv_elf_big_endian(&e), m->be);
	assert_string_equal(fv_elf_interp(&e), "/lib/ld-fvtest.so");
	assert_string_equal(e.soname, "libself.so.9");
	assert_string_equal(e.runpath, "/opt/lib");
	assert_true(e.bind_now);
	assert_int_equal(e.nneeded, 2);
	size_t it = 0;
	const char *n;
	assert_true(fv_elf_next_needed(&e, &it, &n));
	assert_string_equal(n, "libc.so.6");
	assert_true(fv_elf_next_needed(&e, &it, &n));
	assert_string_equal(n, "libnet.so.2");
	assert_false(fv_elf_next_needed(&e, &it, &n));
	assert_int_equal(e.dynsym.count, 4);
	assert_true(fv_elf_imports(&e, "connect"));
	assert_true(fv_elf_imports(&e, "socket"));
	assert_false(fv_elf_imports(&e, "fv_export"));
	struct fv_elf_sym s;
	it = 0;
	assert_true(fv_elf_next_export(&e, &it, &s));
	assert_string_equal(s.name, "fv_export");
	assert_true(s.value == BASE + 0x500 && s.type == FV_STT_FUNC && s.bind == FV_STB_GLOBAL);
	assert_false(fv_elf_next_export(&e, &it, &s));
	assert_true(fv_elf_defines(&e, "fv_export"));
	uint64_t off;
	assert_true(fv_elf_vaddr_to_off(&e, BASE + O_DYNSYM, 16, &off));
	assert_int_equal(off, O_DYNSYM);
	assert_false(fv_elf_vaddr_to_off(&e, BASE + O_END - 2, 4, &off));
	assert_false(fv_elf_vaddr_to_off(&e, BASE - 1, 1, &off));
	assert_int_equal(e.quirks, 0);
	fv_elf_free(&e);
}

static void all_classes_and_orders(void **state)
{
	(void)state;
	static const struct {
		int is64, be;
		uint16_t em;
		const char *machine;
	} v[] = {
		{ 0, 0, 8, "mips" },      { 0, 1, 20, "powerpc" }, { 1, 0, 243, "riscv" },
		{ 1, 1, 21, "powerpc64" }, { 1, 0, 62, "x86-64" },  { 0, 0, 3, "x86" },
		{ 1, 1, 0x1234, "unknown" },
	};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		struct img m;
		build(&m, v[i].is64, v[i].be, v[i].em);
		check_built(&m, O_END, v[i].machine);
	}
	assert_null(fv_elf_arch(0x1234));
	assert_string_equal(fv_elf_arch(183), "aarch64");
	assert_string_equal(fv_elf_arch(40), "arm");
}

/* GNU hash: the chain of the highest bucket ends the table. */
static void gnu_hash(void **state)
{
	(void)state;
	enum { G = 0x5a0 }; /* after the dynamic table, so a chain can only run off the end */
	for (int is64 = 0; is64 < 2; is64++) {
		struct img m;
		build(&m, is64, is64, 8);
		/* nbuckets 2, symoffset 3, one bloom word; buckets {0, 3}; chain[3 - 3] ends. */
		size_t word = is64 ? 8 : 4, chain = G + 16 + word + 8;
		put(&m, G, 2, 4);
		put(&m, G + 4, 3, 4);
		put(&m, G + 8, 1, 4);
		put(&m, G + 12, 6, 4);
		put(&m, G + 16 + word, 0, 4);
		put(&m, G + 20 + word, 3, 4);
		put(&m, chain, 0x12345679, 4); /* low bit set: the last symbol */
		dyn(&m, 8, FV_DT_GNU_HASH, BASE + G); /* in place of DT_HASH */
		struct fv_elf e;
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_int_equal(e.dynsym.count, 4);
		assert_int_equal(e.quirks, 0);
		assert_true(fv_elf_imports(&e, "connect"));
		/* A chain that never ends runs into the end of the segment: counted from the layout. */
		for (size_t k = chain; k < O_END; k += 4)
			put(&m, k, 0x22222222, 4);
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_true(e.quirks & FV_ELF_Q_SYMCOUNT);
		/* The nearest table after .dynsym is the GNU hash table. */
		assert_int_equal(e.dynsym.count, (G - O_DYNSYM) / (is64 ? 24 : 16));
		assert_true(fv_elf_imports(&e, "connect"));
		walk_all(&e);
		/* No defined symbol hashed (max bucket 0): GNU ld's symoffset 1 says nothing. */
		put(&m, G + 20 + word, 0, 4);
		put(&m, G + 4, 1, 4);
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_true(e.quirks & FV_ELF_Q_SYMCOUNT);
		assert_true(e.dynsym.count >= 4);
	}
}

/* ---- relocations, versions and notes written here --------------------------------------- */

enum { O_REL = 0x160, O_VERSYM = 0x270, O_GOT = 0x280, O_SLOTS = 0x2c0, O_VERNEED = 0x360, O_VERDEF = 0x3a0,
       O_NOTE = 0x420 };

/* Relocation entry i of a table at off: REL or RELA, with MIPS64's split r_info when mips64. */
static void rel(struct img *m, size_t off, size_t i, int rela, int mips64, uint64_t r_offset, uint32_t sym,
		uint32_t type)
{
	size_t ent = (m->is64 ? 16 : 8) + (rela ? (m->is64 ? 8 : 4) : 0), at = off + i * ent;
	put_word(m, at, r_offset);
	if (mips64) {
		put(m, at + 8, sym, 4);
		m->b[at + 12] = 0;                     /* r_ssym */
		m->b[at + 13] = 0;                     /* r_type3: R_MIPS_NONE */
		m->b[at + 14] = type == 3 ? 18 : 0;    /* r_type2: R_MIPS_64 after REL32 */
		m->b[at + 15] = (uint8_t)type;
	} else if (m->is64) {
		put(m, at + 8, (uint64_t)sym << 32 | type, 8);
	} else {
		put(m, at + 4, (uint64_t)sym << 8 | (type & 0xff), 4);
	}
}

struct reltypes {
	uint16_t machine;
	int rela;
	uint32_t jump, glob, abs; /* glob 0: the machine has none (MIPS uses the GOT) */
};

static size_t g_ndyn;

static void dyn_add(struct img *m, uint64_t tag, uint64_t val)
{
	dyn(m, g_ndyn++, tag, val);
	dyn(m, g_ndyn, FV_DT_NULL, 0);
}

/*
 * build() plus: a PT_NOTE with a build id and a GNU property note; a PLT
 * relocation (connect) and a table of the others (socket by GLOB_DAT,
 * fv_export by the absolute word, a RELATIVE without symbol, one naming
 * symbol 99 of 4); on MIPS the global GOT (connect, socket, fv_export);
 * version tables: connect@GLIBC_2.4 and socket@GLIBC_2.2.5 from libc.so.6,
 * fv_export@@FV_1 defined here.
 */
static void build_tables(struct img *m, int is64, int be, const struct reltypes *t)
{
	build(m, is64, be, t->machine);
	int mips = t->machine == 8, mips64 = mips && is64;
	/* PT_DYNAMIC up to the end of the file: room for the tags added here. */
	size_t dph = (is64 ? 64 : 52) + 2 * (size_t)(is64 ? 56 : 32);
	put_word(m, dph + (is64 ? 32 : 16), O_END - O_DYN);
	put_word(m, dph + (is64 ? 40 : 20), O_END - O_DYN);
	unsigned ws = is64 ? 8 : 4;
	size_t ent = (is64 ? 16 : 8) + (t->rela ? ws : 0);
	/* The fourth program header: PT_NOTE over O_NOTE. */
	size_t eh = is64 ? 64 : 52, ph = is64 ? 56 : 32, at = eh + 3 * ph;
	put(m, is64 ? 56 : 44, 4, 2);
	put(m, at, FV_PT_NOTE, 4);
	if (is64) {
		put(m, at + 8, O_NOTE, 8);
		put(m, at + 16, BASE + O_NOTE, 8);
		put(m, at + 32, 0x38, 8);
		put(m, at + 40, 0x38, 8);
		put(m, at + 48, 8, 8);
	} else {
		put(m, at + 4, O_NOTE, 4);
		put(m, at + 8, BASE + O_NOTE, 4);
		put(m, at + 16, 0x34, 4);
		put(m, at + 20, 0x34, 4);
		put(m, at + 28, 4, 4);
	}
	/* NT_GNU_BUILD_ID, 8 bytes; then NT_GNU_PROPERTY_TYPE_0 with the machine's feature word = 3. */
	put(m, O_NOTE, 4, 4);
	put(m, O_NOTE + 4, 8, 4);
	put(m, O_NOTE + 8, 3, 4);
	memcpy(m->b + O_NOTE + 12, "GNU", 4);
	memcpy(m->b + O_NOTE + 16, "\x01\x23\x45\x67\x89\xab\xcd\xef", 8);
	size_t p = O_NOTE + 24;
	put(m, p, 4, 4);
	put(m, p + 4, is64 ? 16 : 12, 4);
	put(m, p + 8, 5, 4);
	memcpy(m->b + p + 12, "GNU", 4);
	put(m, p + 16, t->machine == 183 ? 0xc0000000u : 0xc0000002u, 4);
	put(m, p + 20, 4, 4);
	put(m, p + 24, 3, 4);

	/* Relocations: the PLT's one at O_REL, the others after it. */
	size_t r = 0;
	rel(m, O_REL, r++, t->rela, mips64, BASE + O_SLOTS, 1, t->jump);
	size_t other = r;
	if (t->glob)
		rel(m, O_REL, r++, t->rela, mips64, BASE + O_SLOTS + ws, 2, t->glob);
	rel(m, O_REL, r++, t->rela, mips64, BASE + O_SLOTS + 2 * ws, 3, t->abs);
	rel(m, O_REL, r++, t->rela, mips64, BASE + O_SLOTS + 3 * ws, 0, t->abs); /* no symbol: not a slot */
	rel(m, O_REL, r++, t->rela, mips64, BASE + O_SLOTS + 4 * ws, 99, t->jump);
	g_ndyn = 10;
	dyn_add(m, FV_DT_JMPREL, BASE + O_REL);
	dyn_add(m, FV_DT_PLTRELSZ, ent);
	if (!mips64) /* MIPS64 has no room for every tag: DT_PLTREL then defaults to REL, as on every MIPS */
		dyn_add(m, FV_DT_PLTREL, t->rela ? FV_DT_RELA : FV_DT_REL);
	dyn_add(m, t->rela ? FV_DT_RELA : FV_DT_REL, BASE + O_REL + other * ent);
	dyn_add(m, t->rela ? FV_DT_RELASZ : FV_DT_RELSZ, (r - other) * ent);
	if (mips) {
		/* GOT[0..1] local; GOT[2..4] = dynsym[1..3]. */
		dyn_add(m, FV_DT_PLTGOT, BASE + O_GOT);
		dyn_add(m, FV_DT_MIPS_LOCAL_GOTNO, 2);
		dyn_add(m, FV_DT_MIPS_GOTSYM, 1);
		dyn_add(m, FV_DT_MIPS_SYMTABNO, 4);
	}
	/* Versions: indexes 2 (FV_1, defined), 3 (GLIBC_2.4), 4 (GLIBC_2.2.5). */
	put(m, O_VERSYM + 2, 3, 2);
	put(m, O_VERSYM + 4, 0x8004, 2); /* hidden */
	put(m, O_VERSYM + 6, 2, 2);
	put(m, O_VERNEED, 1, 2);
	put(m, O_VERNEED + 2, 2, 2);
	put(m, O_VERNEED + 4, S_LIBC, 4);
	put(m, O_VERNEED + 8, 16, 4);
	put(m, O_VERNEED + 12, 0, 4);
	for (int k = 0; k < 2; k++) {
		size_t a = O_VERNEED + 16 + 16 * (size_t)k;
		put(m, a, 0x1234, 4);
		put(m, a + 6, k ? 4 : 3, 2);
		put(m, a + 8, k ? S_GLIBC225 : S_GLIBC24, 4);
		put(m, a + 12, k ? 0 : 16, 4);
	}
	for (int k = 0; k < 2; k++) {
		size_t d = O_VERDEF + 28 * (size_t)k;
		put(m, d, 1, 2);
		put(m, d + 2, k ? 0 : 1, 2); /* VER_FLG_BASE on the first */
		put(m, d + 4, (uint64_t)k + 1, 2);
		put(m, d + 6, 1, 2);
		put(m, d + 12, 20, 4);
		put(m, d + 16, k ? 0 : 28, 4);
		put(m, d + 20, k ? S_FV1 : S_SONAME, 4);
	}
	dyn_add(m, FV_DT_VERSYM, BASE + O_VERSYM);
	dyn_add(m, FV_DT_VERNEED, BASE + O_VERNEED);
	if (!mips64)
		dyn_add(m, FV_DT_VERNEEDNUM, 1);
	dyn_add(m, FV_DT_VERDEF, BASE + O_VERDEF);
	if (!mips64)
		dyn_add(m, FV_DT_VERDEFNUM, 2);
	assert_true(O_DYN + (g_ndyn + 1) * (is64 ? 16 : 8) <= O_END);
}

static void check_tables(struct img *m, const struct reltypes *t)
{
	struct fv_elf e;
	int r = fv_elf_parse(m->b, O_END, &e);
	if (r != 0)
		fail_msg("%s", e.error);
	unsigned ws = m->is64 ? 8 : 4;
	int mips = t->machine == 8;
	assert_null(fv_elf_slot_at(&e, BASE + O_SLOTS)); /* not loaded yet */
	assert_int_equal(fv_elf_load_slots(&e), 0);
	/* Symbol 99 of 4 was left out and said so. */
	assert_true(e.quirks & FV_ELF_Q_RELOCS);
	assert_int_equal(e.nslots, (t->glob ? 3 : 2) + (mips ? 3 : 0));
	const struct fv_elf_slot *s = fv_elf_slot_at(&e, BASE + O_SLOTS);
	assert_non_null(s);
	assert_string_equal(s->name, "connect");
	assert_int_equal(s->type, t->jump);
	assert_int_equal(s->value, 0);
	if (t->glob) {
		s = fv_elf_slot_at(&e, BASE + O_SLOTS + ws);
		assert_non_null(s);
		assert_string_equal(s->name, "socket");
		assert_int_equal(s->type, t->glob);
	}
	s = fv_elf_slot_at(&e, BASE + O_SLOTS + 2 * ws);
	assert_non_null(s);
	assert_string_equal(s->name, "fv_export");
	assert_int_equal(s->value, BASE + 0x500); /* defined here */
	assert_null(fv_elf_slot_at(&e, BASE + O_SLOTS + 3 * ws));
	assert_null(fv_elf_slot_at(&e, BASE + O_SLOTS + 4 * ws));
	if (mips) {
		static const char *const got[] = { "connect", "socket", "fv_export" };
		for (unsigned k = 0; k < 3; k++) {
			s = fv_elf_slot_at(&e, BASE + O_GOT + (2 + k) * ws);
			assert_non_null(s);
			assert_string_equal(s->name, got[k]);
			assert_int_equal(s->type, 0);
		}
	}
	/* Versions. */
	const char *file;
	int hidden;
	assert_string_equal(fv_elf_sym_version(&e, 1, &file, &hidden), "GLIBC_2.4");
	assert_string_equal(file, "libc.so.6");
	assert_false(hidden);
	assert_string_equal(fv_elf_sym_version(&e, 2, &file, &hidden), "GLIBC_2.2.5");
	assert_true(hidden);
	assert_string_equal(fv_elf_sym_version(&e, 3, &file, &hidden), "FV_1");
	assert_null(file);
	assert_null(fv_elf_sym_version(&e, 0, &file, &hidden));
	assert_null(fv_elf_sym_version(&e, 4, NULL, NULL));
	struct fv_elf_iter it = { 0 };
	struct fv_elf_verneed vn;
	assert_true(fv_elf_next_verneed(&e, &it, &vn));
	assert_string_equal(vn.file, "libc.so.6");
	assert_string_equal(vn.version, "GLIBC_2.4");
	assert_int_equal(vn.index, 3);
	assert_int_equal(vn.hash, 0x1234);
	assert_true(fv_elf_next_verneed(&e, &it, &vn));
	assert_string_equal(vn.version, "GLIBC_2.2.5");
	assert_false(fv_elf_next_verneed(&e, &it, &vn));
	assert_false(fv_elf_next_verneed(&e, &it, &vn));
	/* Notes. */
	char id[2 * FV_ELF_BUILD_ID_MAX + 1];
	assert_int_equal(fv_elf_build_id(&e, id), 8);
	assert_string_equal(id, "0123456789abcdef");
	unsigned want = t->machine == 183 ? FV_ELF_PROP_BTI | FV_ELF_PROP_PAC
			: t->machine == 62 || t->machine == 3 ? FV_ELF_PROP_IBT | FV_ELF_PROP_SHSTK : 0;
	assert_int_equal(fv_elf_gnu_properties(&e), want);
	assert_int_equal(e.quirks & ~(unsigned)FV_ELF_Q_RELOCS, 0);
	walk_all(&e);
	fv_elf_free(&e);
}

static const struct reltypes rt_x86_64 = { 62, 1, 7, 6, 1 }, rt_aarch64 = { 183, 1, 1026, 1025, 257 },
			     rt_mips = { 8, 0, 127, 0, 3 }, rt_ppc = { 20, 1, 21, 20, 1 }, rt_ppc64 = { 21, 1, 21, 20, 38 },
			     rt_arm = { 40, 0, 22, 21, 2 }, rt_i386 = { 3, 0, 7, 6, 1 }, rt_riscv = { 243, 1, 5, 0, 2 };

static void written_tables(void **state)
{
	(void)state;
	static const struct {
		int is64, be;
		const struct reltypes *t;
	} v[] = {
		{ 1, 0, &rt_x86_64 }, { 1, 0, &rt_aarch64 }, { 0, 0, &rt_mips }, { 0, 1, &rt_mips },
		{ 1, 1, &rt_mips },   { 1, 0, &rt_mips },    { 0, 1, &rt_ppc },  { 1, 1, &rt_ppc64 },
		{ 1, 0, &rt_ppc64 },  { 0, 0, &rt_arm },     { 0, 0, &rt_i386 }, { 1, 0, &rt_riscv },
	};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		struct img m;
		build_tables(&m, v[i].is64, v[i].be, v[i].t);
		check_tables(&m, v[i].t);
	}
}

/* Hostile relocation, version and note tables: clipped, skipped or refused, never followed out. */
static void hostile_tables(void **state)
{
	(void)state;
	struct img m;
	struct fv_elf e;
	for (int is64 = 0; is64 < 2; is64++) {
		const struct reltypes *t = is64 ? &rt_x86_64 : &rt_mips;
		size_t ds = is64 ? 16 : 8;
		/* DT_PLTRELSZ of 2 GiB: read to the end of the segment, no further. */
		build_tables(&m, is64, !is64, t);
		dyn(&m, 11, FV_DT_PLTRELSZ, 0x7fffffff);
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_int_equal(fv_elf_load_slots(&e), 0);
		assert_true(e.quirks & FV_ELF_Q_RELOCS);
		assert_non_null(fv_elf_slot_at(&e, BASE + O_SLOTS));
		walk_all(&e);
		/* DT_JMPREL outside every PT_LOAD: that table is not read; the others are. */
		build_tables(&m, is64, !is64, t);
		dyn(&m, 10, FV_DT_JMPREL, BASE + 0x100000);
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_int_equal(fv_elf_load_slots(&e), 0);
		assert_true(e.quirks & FV_ELF_Q_RELOCS);
		assert_non_null(fv_elf_slot_at(&e, BASE + O_SLOTS + 2 * (is64 ? 8 : 4)));
		if (is64)
			assert_null(fv_elf_slot_at(&e, BASE + O_SLOTS));
		fv_elf_free(&e);
		/* Every symbol index past the table. */
		build_tables(&m, is64, !is64, t);
		for (size_t k = 0; k < 5; k++) {
			size_t ent = (is64 ? 24 : 8), at = O_REL + k * ent + (is64 ? 8 : 4);
			if (is64)
				put(&m, at, (uint64_t)0xfffffff0u << 32 | 7, 8);
			else
				put(&m, at, 0xffffff00u | 127, 4);
		}
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_int_equal(fv_elf_load_slots(&e), 0);
		assert_true(e.quirks & FV_ELF_Q_RELOCS);
		assert_int_equal(e.nslots, is64 ? 0 : 3); /* MIPS: the GOT is still read */
		walk_all(&e);
		/* Version indexes out of range, and version tables outside the file's segments. */
		build_tables(&m, is64, !is64, t);
		put(&m, O_VERSYM + 2, 0x7ffe, 2);
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_null(fv_elf_sym_version(&e, 1, NULL, NULL));
		assert_string_equal(fv_elf_sym_version(&e, 2, NULL, NULL), "GLIBC_2.2.5");
		assert_null(fv_elf_sym_version(&e, 1000000, NULL, NULL));
		dyn(&m, is64 ? 16 : 20, FV_DT_VERNEED, 0x10);
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_true(e.quirks & FV_ELF_Q_VERSIONS);
		assert_null(fv_elf_sym_version(&e, 2, NULL, NULL));
		walk_all(&e);
		/* Chains that point past their bytes, or back onto themselves through a huge count. */
		build_tables(&m, is64, !is64, t);
		put(&m, O_VERNEED + 8, 0x7ffffff0, 4);  /* vn_aux past the file */
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		struct fv_elf_iter it = { 0 };
		struct fv_elf_verneed vn;
		assert_false(fv_elf_next_verneed(&e, &it, &vn));
		put(&m, O_VERNEED + 8, 16, 4);
		put(&m, O_VERNEED + 16 + 12, 0xfffffff0u, 4); /* vna_next past the file */
		put(&m, O_VERNEED + 12, 16, 4);               /* vn_next into its own Vernaux */
		dyn(&m, is64 ? 17 : 21, FV_DT_VERNEEDNUM, 0xffffffff);
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		size_t pairs = 0;
		memset(&it, 0, sizeof it);
		while (fv_elf_next_verneed(&e, &it, &vn))
			pairs++;
		assert_true(pairs >= 1 && pairs < 64);
		walk_all(&e);
		/* A verdef chain whose vd_next is zero at once, and an aux past the end. */
		build_tables(&m, is64, !is64, t);
		put(&m, O_VERDEF + 16, 0, 4);
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_null(fv_elf_sym_version(&e, 3, NULL, NULL));
		put(&m, O_VERDEF + 16, 28, 4);
		put(&m, O_VERDEF + 28 + 12, 0x7fffffff, 4);
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_null(fv_elf_sym_version(&e, 3, NULL, NULL));
		walk_all(&e);
		/* MIPS GOT counts: absurd local count, GOTSYM past SYMTABNO, SYMTABNO past the symbols. */
		if (!is64) {
			static const uint64_t bad[][3] = { { 0xffffffff, 1, 4 }, { 2, 100, 4 }, { 2, 1, 0xffffffff },
							   { 0x3fffffff, 0, 4 } };
			for (size_t k = 0; k < 4; k++) {
				build_tables(&m, 0, 1, t);
				dyn(&m, 16, FV_DT_MIPS_LOCAL_GOTNO, bad[k][0]);
				dyn(&m, 17, FV_DT_MIPS_GOTSYM, bad[k][1]);
				dyn(&m, 18, FV_DT_MIPS_SYMTABNO, bad[k][2]);
				assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
				assert_int_equal(fv_elf_load_slots(&e), 0);
				assert_true(e.nslots <= 5);
				walk_all(&e);
			}
		}
		/* Notes: a name size and a descriptor size past the segment; build ids of 0 and 65 bytes. */
		char id[2 * FV_ELF_BUILD_ID_MAX + 1];
		build_tables(&m, is64, !is64, t);
		put(&m, O_NOTE, 0xffffffff, 4);
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_int_equal(fv_elf_build_id(&e, id), 0);
		assert_string_equal(id, "");
		walk_all(&e);
		put(&m, O_NOTE, 4, 4);
		put(&m, O_NOTE + 4, 0xfffffff0u, 4);
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_int_equal(fv_elf_build_id(&e, id), 0);
		assert_int_equal(fv_elf_gnu_properties(&e), 0); /* the walk ended at the broken note */
		put(&m, O_NOTE + 4, 0, 4);
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_int_equal(fv_elf_build_id(&e, id), 0);
		put(&m, O_NOTE + 4, 65, 4);
		put(&m, is64 ? 64 + 3 * 56 + 32 : 52 + 3 * 32 + 16, 0x1c0, is64 ? 8 : 4); /* room for 65 bytes */
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_int_equal(fv_elf_build_id(&e, id), 0);
		walk_all(&e);
		/* A property whose pr_datasz runs past its note. */
		build_tables(&m, is64, !is64, t);
		put(&m, O_NOTE + 24 + 20, 0x1000, 4);
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_int_equal(fv_elf_gnu_properties(&e), 0);
		assert_int_equal(fv_elf_build_id(&e, id), 8);
		/* Overlapping segments: a second PT_LOAD (in PT_INTERP's place) over the same bytes, elsewhere. */
		build_tables(&m, is64, !is64, t);
		size_t ph1 = (is64 ? 64 : 52) + (is64 ? 56 : 32);
		put(&m, ph1, FV_PT_LOAD, 4);
		put_word(&m, is64 ? ph1 + 16 : ph1 + 8, BASE + 0x100); /* vaddr overlaps the first segment's */
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_int_equal(fv_elf_load_slots(&e), 0);
		assert_non_null(fv_elf_slot_at(&e, BASE + O_SLOTS));
		walk_all(&e);
		(void)ds;
	}
}

/* Every prefix of the written tables, and bytes flipped in them: no read outside the data. */
static void truncated_tables(void **state)
{
	(void)state;
	static const struct {
		int is64, be;
		const struct reltypes *t;
	} v[] = { { 1, 0, &rt_x86_64 }, { 0, 1, &rt_mips }, { 1, 0, &rt_mips } };
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		struct img m;
		build_tables(&m, v[i].is64, v[i].be, v[i].t);
		struct fv_elf e;
		for (size_t n = 0; n <= O_END; n++) {
			uint8_t *cut = malloc(n ? n : 1);
			memcpy(cut, m.b, n);
			if (fv_elf_parse(cut, n, &e) == 0)
				walk_all(&e);
			free(cut);
		}
		uint32_t seed = 777 + (uint32_t)i;
		for (int round = 0; round < 2000; round++) {
			struct img mut = m;
			for (int k = 0; k < 4; k++) {
				seed = seed * 1103515245u + 12345u;
				/* In the tables added here, where the new readers look. */
				size_t at = O_REL + (seed >> 8) % (O_END - O_REL);
				mut.b[at] ^= (uint8_t)(seed >> 24 | 1);
			}
			if (fv_elf_parse(mut.b, O_END, &e) == 0)
				walk_all(&e);
		}
	}
}

/* ---- hostile input ----------------------------------------------------------------- */

static void lying_counts(void **state)
{
	(void)state;
	struct img m;
	struct fv_elf e;
	for (int is64 = 0; is64 < 2; is64++) {
		/* nchain 2^32-1: believed only as far as the segment holds symbols. */
		build(&m, is64, !is64, 8);
		put(&m, O_HASH + 4, 0xffffffff, 4);
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_true(e.quirks & FV_ELF_Q_SYMTRUNC);
		assert_int_equal(e.dynsym.count, (O_END - O_DYNSYM) / (is64 ? 24 : 16));
		assert_true(fv_elf_imports(&e, "connect"));
		walk_all(&e);

		/* DT_STRSZ far past the file: the segment's end bounds it. */
		build(&m, is64, is64, 8);
		dyn(&m, 5, FV_DT_STRSZ, 0x7fffffff);
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_true(fv_elf_imports(&e, "connect"));
		assert_int_equal(e.nneeded, 2);
		/* A string table without a NUL in it: no name can be read, none is made up. */
		dyn(&m, 5, FV_DT_STRSZ, 0x100);
		memset(m.b + O_DYNSTR, 'A', 0x100);
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_int_equal(e.dynstr.size, 0);
		assert_false(fv_elf_imports(&e, "connect"));
		assert_false(has_needed(&e, "libc.so.6"));
		assert_null(e.soname);
		walk_all(&e);
		/* Symbols whose name offsets point anywhere. */
		build(&m, is64, is64, 8);
		for (size_t k = 1; k < 4; k++)
			put(&m, O_DYNSYM + k * (is64 ? 24 : 16), 0xfffffff0u + k, 4);
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_false(fv_elf_imports(&e, "connect"));
		walk_all(&e);

		/* DT_STRTAB and DT_SYMTAB outside every PT_LOAD. */
		build(&m, is64, is64, 8);
		dyn(&m, 4, FV_DT_STRTAB, 0x10);
		dyn(&m, 6, FV_DT_SYMTAB, BASE + 0x100000);
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_true(e.quirks & FV_ELF_Q_DYNSTR);
		assert_true(e.quirks & FV_ELF_Q_DYNSYM);
		assert_null(e.soname);
		assert_int_equal(e.dynsym.count, 0);
		walk_all(&e);

		/* A dynamic segment larger than the file, without DT_NULL. */
		build(&m, is64, is64, 8);
		size_t ph = (is64 ? 64 : 52) + 2 * (size_t)(is64 ? 56 : 32);
		if (is64)
			put(&m, ph + 32, 0xffffffffffull, 8);
		else
			put(&m, ph + 16, 0xffffffff, 4);
		memset(m.b + O_DYN + 10 * (is64 ? 16 : 8), 0x41, O_END - O_DYN - 10 * (is64 ? 16 : 8));
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_true(e.ndyn <= (O_END - O_DYN) / (is64 ? 16 : 8));
		walk_all(&e);

		/* Section headers that point past the end are ignored, not trusted. */
		build(&m, is64, is64, 8);
		put_word(&m, is64 ? 0x28 : 0x20, 0x7ffffff0);
		put(&m, is64 ? 0x3c : 0x30, 40, 2);
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), 0);
		assert_true(e.quirks & FV_ELF_Q_SECTIONS);
		assert_int_equal(e.shnum, 0);
		assert_true(fv_elf_imports(&e, "connect"));

		/* A program header table past the end is an error with a message. */
		build(&m, is64, is64, 8);
		put(&m, is64 ? 56 : 44, 0xfffe, 2);
		assert_int_equal(fv_elf_parse(m.b, O_END, &e), FV_ETRUNC);
		assert_non_null(strstr(e.error, "program header table"));
	}
}

static void garbage_headers(void **state)
{
	(void)state;
	struct fv_elf e;
	assert_int_equal(fv_elf_parse("", 0, &e), FV_ETRUNC);
	assert_non_null(strstr(e.error, "16 bytes"));
	assert_int_equal(fv_elf_parse("\x7f" "ELF\x01\x01\x01", 7, &e), FV_ETRUNC);
	static const uint8_t mz[64] = "MZ\x90\x00";
	assert_int_equal(fv_elf_parse(mz, sizeof mz, &e), FV_EFORMAT);
	assert_non_null(strstr(e.error, "ELF magic"));
	assert_non_null(strstr(e.error, "4d 5a 90 00"));
	uint8_t h[64] = "\x7f" "ELF\x03\x01\x01";
	assert_int_equal(fv_elf_parse(h, sizeof h, &e), FV_EFORMAT);
	assert_non_null(strstr(e.error, "EI_CLASS"));
	h[4] = 2;
	h[5] = 9;
	assert_int_equal(fv_elf_parse(h, sizeof h, &e), FV_EFORMAT);
	assert_non_null(strstr(e.error, "EI_DATA"));
	/* An ELF64 identification on 40 bytes: the header does not fit. */
	h[5] = 1;
	assert_int_equal(fv_elf_parse(h, 40, &e), FV_ETRUNC);
	assert_non_null(strstr(e.error, "64 bytes"));
	/* A header of zeros is a valid empty ELF: no tables at all. */
	assert_int_equal(fv_elf_parse(h, sizeof h, &e), 0);
	assert_int_equal(e.phnum + e.shnum + e.ndyn + e.dynsym.count, 0);
	/* A wrong e_phentsize is refused, as the loader refuses it. */
	struct img m;
	build(&m, 1, 0, 62);
	put(&m, 54, 48, 2);
	assert_int_equal(fv_elf_parse(m.b, O_END, &e), FV_EFORMAT);
	assert_non_null(strstr(e.error, "e_phentsize"));
}

/* Every prefix of a written file and of a real program, and bytes flipped at random. */
static void truncation_and_flips(void **state)
{
	(void)state;
	struct img m;
	build(&m, 1, 1, 21);
	struct fv_elf e;
	for (size_t n = 0; n <= O_END; n++)
		if (fv_elf_parse(m.b, n, &e) == 0)
			walk_all(&e);
		else
			assert_true(e.error[0] != 0);
	fv_test_sh(g_dir, "test -f prog || cc -O1 -o prog prog.c");
	size_t len;
	uint8_t *p = fv_test_load(g_dir, "prog", &len);
	for (size_t n = 0; n < len; n += n < 8192 ? 1 : 509) {
		uint8_t *cut = malloc(n ? n : 1);
		memcpy(cut, p, n);
		if (fv_elf_parse(cut, n, &e) == 0)
			walk_all(&e);
		else
			assert_true(e.error[0] != 0);
		free(cut);
	}
	uint32_t seed = 12345;
	uint8_t *mut = malloc(len);
	for (int round = 0; round < 400; round++) {
		memcpy(mut, p, len);
		for (int k = 0; k < 8; k++) {
			seed = seed * 1103515245u + 12345u;
			/* Mostly in the headers and dynamic tables, where the damage matters. */
			size_t at = (seed >> 8) % (round & 1 ? len : (len < 0x1000 ? len : 0x1000));
			mut[at] ^= (uint8_t)(seed >> 24 | 1);
		}
		if (fv_elf_parse(mut, len, &e) == 0)
			walk_all(&e);
	}
	free(mut);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(native_program),
		cmocka_unit_test(native_library),
		cmocka_unit_test(count_from_layout),
		cmocka_unit_test(static_binary),
		cmocka_unit_test(foreign),
		cmocka_unit_test(all_classes_and_orders),
		cmocka_unit_test(gnu_hash),
		cmocka_unit_test(lying_counts),
		cmocka_unit_test(garbage_headers),
		cmocka_unit_test(truncation_and_flips),
		cmocka_unit_test(tables_match_readelf),
		cmocka_unit_test(mips_jump_slots),
		cmocka_unit_test(gnu_properties),
		cmocka_unit_test(written_tables),
		cmocka_unit_test(hostile_tables),
		cmocka_unit_test(truncated_tables),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
