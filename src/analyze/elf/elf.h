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
 * 32 and 64 bit, both byte orders.  Besides the headers and symbols:
 * pointer slots from the relocations and the MIPS GOT (the one table that is
 * built, on request: fv_elf_load_slots()), symbol versions, notes (build id,
 * GNU properties) and sections by name.  Hardening is judged in harden.h.
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
	FV_PT_GNU_STACK = 0x6474e551, FV_PT_GNU_RELRO = 0x6474e552,
	FV_PF_X = 1, FV_PF_W = 2, FV_PF_R = 4,

	FV_SHT_SYMTAB = 2, FV_SHT_STRTAB = 3, FV_SHT_DYNAMIC = 6, FV_SHT_NOBITS = 8,
	FV_SHT_RELA = 4, FV_SHT_NOTE = 7, FV_SHT_REL = 9, FV_SHT_DYNSYM = 11,
	FV_SHT_GNU_VERDEF = 0x6ffffffd, FV_SHT_GNU_VERNEED = 0x6ffffffe, FV_SHT_GNU_VERSYM = 0x6fffffff,

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
#define FV_DT_PLTRELSZ 2
#define FV_DT_PLTGOT 3
#define FV_DT_RELA 7
#define FV_DT_RELASZ 8
#define FV_DT_RELAENT 9
#define FV_DT_STRSZ 10
#define FV_DT_SYMENT 11
#define FV_DT_SONAME 14
#define FV_DT_RPATH 15
#define FV_DT_REL 17
#define FV_DT_RELSZ 18
#define FV_DT_RELENT 19
#define FV_DT_PLTREL 20
#define FV_DT_DEBUG 21
#define FV_DT_JMPREL 23
#define FV_DT_BIND_NOW 24
#define FV_DT_RUNPATH 29
#define FV_DT_FLAGS 30
#define FV_DT_GNU_HASH 0x6ffffef5
#define FV_DT_VERSYM 0x6ffffff0
#define FV_DT_FLAGS_1 0x6ffffffb
#define FV_DT_VERDEF 0x6ffffffc
#define FV_DT_VERDEFNUM 0x6ffffffd
#define FV_DT_VERNEED 0x6ffffffe
#define FV_DT_VERNEEDNUM 0x6fffffff
#define FV_DT_MIPS_LOCAL_GOTNO 0x7000000a
#define FV_DT_MIPS_SYMTABNO 0x70000011
#define FV_DT_MIPS_GOTSYM 0x70000013
#define FV_DT_MIPS_RLD_MAP 0x70000016
#define FV_DT_MIPS_RLD_MAP_REL 0x70000035

/* What the parse had to work around; none of these makes it fail. */
enum {
	FV_ELF_Q_SECTIONS = 1 << 0,  /* section headers unusable (outside the file, bad entry size): ignored */
	FV_ELF_Q_DYNAMIC = 1 << 1,   /* PT_DYNAMIC outside the file, or several: dynamic view incomplete */
	FV_ELF_Q_DYNSTR = 1 << 2,    /* DT_STRTAB missing or not in any PT_LOAD: no dynamic names */
	FV_ELF_Q_DYNSYM = 1 << 3,    /* DT_SYMTAB missing or not in any PT_LOAD: no dynamic symbols */
	FV_ELF_Q_SYMCOUNT = 1 << 4,  /* no hash table said how many symbols: counted from the layout */
	FV_ELF_Q_SYMTRUNC = 1 << 5,  /* the symbol count claimed more entries than the file holds */
	FV_ELF_Q_INTERP = 1 << 6,    /* PT_INTERP outside the file or not NUL-terminated */
	FV_ELF_Q_RELOCS = 1 << 7,    /* a relocation table or the MIPS GOT is cut short by the file, or
					names symbols past the table: those entries left out (set by
					fv_elf_load_slots()) */
	FV_ELF_Q_VERSIONS = 1 << 8,  /* DT_VERSYM/VERNEED/VERDEF not in any PT_LOAD: versions not read */
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
	uint64_t pltgot;     /* DT_PLTGOT (0 when absent) */
	const char *soname, *rpath, *runpath;
	size_t nneeded;
	struct fv_elf_strtab dynstr;
	struct fv_elf_symtab dynsym; /* from PT_DYNAMIC, else from SHT_DYNSYM */
	struct fv_elf_symtab symtab; /* SHT_SYMTAB, when section headers say so */

	/*
	 * Symbol versions, as file offsets (0 when absent), each with the bytes
	 * of its segment (or section) that follow it in the data: versym holds
	 * nversym 16-bit entries, one per dynamic symbol; verneed and verdef
	 * are chains walked within their bytes; *_num is DT_VERNEEDNUM /
	 * DT_VERDEFNUM (0 when not given).  The names are in dynstr.
	 */
	uint64_t versym_off, verneed_off, verneed_len, verdef_off, verdef_len;
	size_t nversym, verneed_num, verdef_num;

	struct fv_elf_slot *slots; /* fv_elf_load_slots() */
	size_t nslots;
	int slots_loaded;

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
/*
 * Releases the slot table (fv_elf_load_slots()); the rest of e stays
 * usable.  fv_elf_parse() zeroes e, so free a loaded e before parsing into
 * it again.
 */
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

/*
 * Pointer slots: words the dynamic linker fills with a symbol's address.
 * A JUMP_SLOT, GLOB_DAT or word-sized absolute relocation against a symbol
 * (REL or RELA, from DT_JMPREL/DT_REL/DT_RELA, else from SHT_REL/SHT_RELA
 * sections), or a MIPS global GOT entry (GOT[DT_MIPS_LOCAL_GOTNO + i] holds
 * dynsym[DT_MIPS_GOTSYM + i]).  This is how a call through a PLT stub or the
 * GOT is given the name of what it calls.
 */
struct fv_elf_slot {
	uint64_t addr;    /* where the pointer lives */
	const char *name; /* the symbol ("" when unnamed); points into the data */
	uint64_t value;   /* the symbol's value when it is defined in this file, else 0 */
	uint32_t type;    /* the relocation type; 0 for a MIPS global GOT entry */
};
/*
 * Reads every slot into a table sorted by address (allocated; fv_elf_free
 * releases it).  Idempotent.  0, or FV_ENOMEM.  Hostile tables are read as
 * far as they lie in the file; entries past that are left out.
 */
int fv_elf_load_slots(struct fv_elf *e);
/* The slot at addr, or NULL (also before fv_elf_load_slots). */
const struct fv_elf_slot *fv_elf_slot_at(const struct fv_elf *e, uint64_t addr);
/* Slot i in address order (i < e->nslots), or NULL. */
const struct fv_elf_slot *fv_elf_slot(const struct fv_elf *e, size_t i);

/*
 * MIPS: the value of $gp the code was linked for, from the register
 * information (PT_MIPS_REGINFO or .reginfo), else DT_PLTGOT + 0x7ff0 (the
 * ABI's bias); 0 when neither exists or e is not MIPS.
 */
uint64_t fv_elf_mips_gp(const struct fv_elf *e);

/* ---- symbol versions ---------------------------------------------------------- */

/*
 * The version of dynamic symbol i ("GLIBC_2.4"), or NULL when it has none:
 * no version tables, i past them, index 0 (local) or 1 (global, the base
 * version), or an index that no Verneed or Verdef entry gives.  *file (when
 * file is not NULL) is the library that must provide it ("libc.so.6") for
 * a needed version, NULL for one this file defines; *hidden (when not NULL)
 * is 1 for a non-default version (readelf's "@" against "@@").
 */
const char *fv_elf_sym_version(const struct fv_elf *e, size_t i, const char **file, int *hidden);

/* State of the iterators below: zero it to start ({ 0 }). */
struct fv_elf_iter {
	uint64_t a, b;
	size_t n, m;
	int state;
};

/* One needed version: ("libc.so.6", "GLIBC_2.4"), with its index in DT_VERSYM. */
struct fv_elf_verneed {
	const char *file, *version; /* "" when the name is not readable */
	uint16_t index, flags;      /* vna_other, vna_flags (VER_FLG_WEAK = 2) */
	uint32_t hash;
};
/*
 * Every (file, version) pair of DT_VERNEED, in table order; 1 and the next
 * pair, or 0 at the end.  The chains are followed forward only (vn_next,
 * vna_next), within their bytes, up to DT_VERNEEDNUM files when it is given
 * and FV_ELF_MAX_VERSIONS entries in all, so no table makes it loop or run
 * long.  fv_elf_sym_version() walks the same way, and the Verdef chain too.
 */
#define FV_ELF_MAX_VERSIONS 1024
int fv_elf_next_verneed(const struct fv_elf *e, struct fv_elf_iter *it, struct fv_elf_verneed *out);

/* ---- notes, sections -------------------------------------------------------- */

struct fv_elf_note {
	const char *name;    /* the owner ("GNU"); "" when empty or not NUL-terminated */
	uint32_t type;
	const uint8_t *desc; /* descsz bytes, inside the data */
	size_t descsz;
	uint64_t offset;     /* of the note's header in the file */
};
/*
 * Every note of the PT_NOTE segments, or of the SHT_NOTE sections when
 * there is no PT_NOTE (relocatable objects, and notes a loader never sees).
 * A note that does not fit its segment ends that segment's walk.
 */
int fv_elf_next_note(const struct fv_elf *e, struct fv_elf_iter *it, struct fv_elf_note *out);

#define FV_ELF_BUILD_ID_MAX 64
/*
 * The GNU build id (NT_GNU_BUILD_ID) as lowercase hex into hex, NUL-ended;
 * returns its length in bytes, 0 when there is none (hex is then "") or it
 * is longer than FV_ELF_BUILD_ID_MAX.
 */
size_t fv_elf_build_id(const struct fv_elf *e, char hex[2 * FV_ELF_BUILD_ID_MAX + 1]);

/* GNU property note (NT_GNU_PROPERTY_TYPE_0) feature bits, for the file's own machine only. */
enum {
	FV_ELF_PROP_IBT = 1 << 0,   /* x86: GNU_PROPERTY_X86_FEATURE_1_IBT */
	FV_ELF_PROP_SHSTK = 1 << 1, /* x86: GNU_PROPERTY_X86_FEATURE_1_SHSTK */
	FV_ELF_PROP_BTI = 1 << 2,   /* AArch64: GNU_PROPERTY_AARCH64_FEATURE_1_BTI */
	FV_ELF_PROP_PAC = 1 << 3,   /* AArch64: GNU_PROPERTY_AARCH64_FEATURE_1_PAC */
};
unsigned fv_elf_gnu_properties(const struct fv_elf *e);

/*
 * The first section called name: 1, *out and its index in *index (when not
 * NULL), or 0.  Section headers may lie: check out->type before reading.
 */
int fv_elf_section(const struct fv_elf *e, const char *name, struct fv_elf_shdr *out, size_t *index);

#endif
