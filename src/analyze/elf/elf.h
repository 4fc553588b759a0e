/*
 * Our ELF reader for the analyzers: hostile input, read in place.
 *
 * fv_elf_parse() checks the headers once and records where each table lies;
 * every accessor then decodes what it is asked for straight from the mapped
 * bytes, through bounds that the parse has already proved.  Nothing is
 * copied and nothing is allocated, so a 100 MiB binary costs what is read.
 *
 * The dynamic view is the loader's: it is taken from PT_DYNAMIC, with
 * addresses mapped to file offsets through PT_LOAD, so stripped section
 * headers (or lying ones) change nothing.  Section headers, when present and
 * inside the file, add names and the static .symtab.
 *
 * Every string an accessor returns points into the caller's data and is
 * NUL-terminated inside the table it belongs to (checked), so it stays valid
 * as long as the data does.
 *
 * 32 and 64 bit, both byte orders.  Not read yet (a later issue): relocations,
 * symbol versions, notes, hardening.  The table offsets kept in struct fv_elf
 * are what those readers start from.
 */
#ifndef FV_ANALYZE_ELF_ELF_H
#define FV_ANALYZE_ELF_ELF_H

#include <stddef.h>
#include <stdint.h>

/* Values from the ELF specification that callers compare with. */
enum {
	FV_ET_REL = 1, FV_ET_EXEC = 2, FV_ET_DYN = 3, FV_ET_CORE = 4,

	FV_PT_LOAD = 1, FV_PT_DYNAMIC = 2, FV_PT_INTERP = 3, FV_PT_NOTE = 4,
	FV_PT_PHDR = 6, FV_PT_TLS = 7,

	FV_SHT_SYMTAB = 2, FV_SHT_STRTAB = 3, FV_SHT_DYNAMIC = 6, FV_SHT_NOBITS = 8,
	FV_SHT_DYNSYM = 11,

	FV_STB_LOCAL = 0, FV_STB_GLOBAL = 1, FV_STB_WEAK = 2,
	FV_STT_NOTYPE = 0, FV_STT_OBJECT = 1, FV_STT_FUNC = 2, FV_STT_SECTION = 3,
	FV_STT_FILE = 4, FV_STT_TLS = 6, FV_STT_GNU_IFUNC = 10,
	FV_SHN_UNDEF = 0, FV_SHN_ABS = 0xfff1,

	FV_DF_BIND_NOW = 0x8,   /* in DT_FLAGS */
	FV_DF_1_NOW = 0x1,      /* in DT_FLAGS_1 */
	FV_DF_1_PIE = 0x08000000,
};

/* d_tag values (signed in the specification, kept as read). */
#define FV_DT_NULL 0
#define FV_DT_NEEDED 1
#define FV_DT_HASH 4
#define FV_DT_STRTAB 5
#define FV_DT_SYMTAB 6
#define FV_DT_STRSZ 10
#define FV_DT_SYMENT 11
#define FV_DT_SONAME 14
#define FV_DT_RPATH 15
#define FV_DT_BIND_NOW 24
#define FV_DT_RUNPATH 29
#define FV_DT_FLAGS 30
#define FV_DT_GNU_HASH 0x6ffffef5
#define FV_DT_FLAGS_1 0x6ffffffb
#define FV_DT_MIPS_SYMTABNO 0x70000011

/* What the parse had to work around; none of these makes it fail. */
enum {
	FV_ELF_Q_SECTIONS = 1 << 0,  /* section headers unusable (outside the file, bad entry size): ignored */
	FV_ELF_Q_DYNAMIC = 1 << 1,   /* PT_DYNAMIC outside the file, or several: dynamic view incomplete */
	FV_ELF_Q_DYNSTR = 1 << 2,    /* DT_STRTAB missing or not in any PT_LOAD: no dynamic names */
	FV_ELF_Q_DYNSYM = 1 << 3,    /* DT_SYMTAB missing or not in any PT_LOAD: no dynamic symbols */
	FV_ELF_Q_SYMCOUNT = 1 << 4,  /* no hash table said how many symbols: counted from the layout */
	FV_ELF_Q_SYMTRUNC = 1 << 5,  /* the symbol count claimed more entries than the file holds */
	FV_ELF_Q_INTERP = 1 << 6,    /* PT_INTERP outside the file or not NUL-terminated */
};

/* A string table: file offset and size, both inside the data. */
struct fv_elf_strtab {
	uint64_t off, size;
};

/* A symbol table: count entries of entsize bytes at off, all inside the data. */
struct fv_elf_symtab {
	uint64_t off;
	size_t count;
	unsigned entsize;
	struct fv_elf_strtab str;
};

struct fv_elf {
	const uint8_t *data;
	size_t len;
	unsigned cls;        /* 32 or 64 */
	int be;              /* 1 for big-endian */
	uint8_t osabi;
	uint16_t type, machine;
	uint32_t flags;      /* e_flags */
	uint64_t entry;

	uint64_t phoff, shoff;
	size_t phnum, shnum; /* 0 when the table is absent or unusable */
	size_t shstrndx;     /* 0 when there are no section names */
	struct fv_elf_strtab shstr;

	const char *interp;  /* PT_INTERP, or NULL */

	/* PT_DYNAMIC (dynamic is 1 when there is one): ndyn entries at dyn_off, up to DT_NULL. */
	int dynamic;
	uint64_t dyn_off;
	size_t ndyn;
	uint64_t dt_flags, dt_flags_1;
	int bind_now;        /* DT_BIND_NOW, DF_BIND_NOW or DF_1_NOW */
	const char *soname, *rpath, *runpath;
	size_t nneeded;
	struct fv_elf_strtab dynstr;
	struct fv_elf_symtab dynsym; /* from PT_DYNAMIC, else from SHT_DYNSYM */
	struct fv_elf_symtab symtab; /* SHT_SYMTAB, when section headers say so */

	unsigned quirks;     /* FV_ELF_Q_* */
	char error[192];     /* why fv_elf_parse() failed */
};

struct fv_elf_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz, align;
};

struct fv_elf_shdr {
	const char *name; /* "" when the name is not readable */
	uint32_t type, link, info;
	uint64_t flags, addr, offset, size, entsize;
};

struct fv_elf_dyn {
	int64_t tag;
	uint64_t val;
};

struct fv_elf_sym {
	const char *name;  /* "" when the name is not readable */
	uint64_t value, size;
	uint16_t shndx;
	uint8_t bind, type, visibility;
};

/*
 * Parses the headers of the len bytes at data (which must outlive e).
 * 0, or a negative fv_err with e->error saying what was expected, where
 * and what was found: FV_ETRUNC when a header or the program header table
 * does not fit, FV_EFORMAT when the bytes are not ELF.
 */
int fv_elf_parse(const void *data, size_t len, struct fv_elf *e);
/* Releases what the parse holds (nothing today; call it all the same). */
void fv_elf_free(struct fv_elf *e);

/* e's architecture as core/elfmach.h names it ("mips", "aarch64"), "unknown" when not in the table. */
const char *fv_elf_machine(const struct fv_elf *e);
static inline unsigned fv_elf_class(const struct fv_elf *e) { return e->cls; }
static inline int fv_elf_big_endian(const struct fv_elf *e) { return e->be; }
static inline const char *fv_elf_interp(const struct fv_elf *e) { return e->interp; }
/* Statically linked: no interpreter and no dynamic segment. */
int fv_elf_is_static(const struct fv_elf *e);

/* Tables, by index (i < the count); 0 when i is out of range. */
int fv_elf_phdr(const struct fv_elf *e, size_t i, struct fv_elf_phdr *out);
int fv_elf_shdr(const struct fv_elf *e, size_t i, struct fv_elf_shdr *out);
int fv_elf_dyn(const struct fv_elf *e, size_t i, struct fv_elf_dyn *out);
/* Symbol i of a table (e->dynsym or e->symtab). */
int fv_elf_sym(const struct fv_elf *e, const struct fv_elf_symtab *t, size_t i, struct fv_elf_sym *out);

/*
 * Maps a virtual address to a file offset through PT_LOAD: 1 and *off when
 * [vaddr, vaddr + size) lies in one segment's file bytes and in the data.
 */
int fv_elf_vaddr_to_off(const struct fv_elf *e, uint64_t vaddr, uint64_t size, uint64_t *off);

/*
 * Iterators: start with *it = 0; each call returns 1 and the next item, or
 * 0 at the end.  DT_NEEDED names in order; imports are undefined global or
 * weak dynamic symbols, exports defined ones (not local, hidden or internal).
 */
int fv_elf_next_needed(const struct fv_elf *e, size_t *it, const char **name);
int fv_elf_next_import(const struct fv_elf *e, size_t *it, struct fv_elf_sym *out);
int fv_elf_next_export(const struct fv_elf *e, size_t *it, struct fv_elf_sym *out);

/* Whether name is an imported dynamic symbol ("connect"). */
int fv_elf_imports(const struct fv_elf *e, const char *name);
/*
 * Whether name is defined as a function in .symtab or the dynamic symbols;
 * a version suffix in .symtab ("connect@@GLIBC_2.2.5") is ignored.  This is
 * how a statically linked binary shows which libc wrappers it holds.
 */
int fv_elf_defines(const struct fv_elf *e, const char *name);

#endif
