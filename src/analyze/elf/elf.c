/*
 * The ELF reader (see elf.h).  fv_elf_parse() proves once that each table it
 * records lies inside the data; the accessors decode entries from there.
 * Counts a hostile file states (e_phnum, DT_HASH's nchain, a GNU hash chain)
 * are believed only as far as the bytes behind them exist.
 */
#include "analyze/elf/elf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/cursor.h"
#include "core/elfmach.h"
#include "core/err.h"

enum { EM_MIPS = 8, EM_MIPS_RS3_LE = 10 };
#define SHN_XINDEX 0xffff
#define PN_XNUM 0xffff


const char *fv_elf_machine(const struct fv_elf *e)
{
	const char *s = fv_elf_arch(e->machine);
	return s ? s : "unknown";
}

static int fail(struct fv_elf *e, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct fv_elf *e, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->error, sizeof e->error, fmt, ap);
	va_end(ap);
	return err;
}

/* [off, off + n) lies inside the data. */
static int in_data(const struct fv_elf *e, uint64_t off, uint64_t n)
{
	return off <= e->len && n <= e->len - off;
}

/* A cursor over the n bytes at off, which the caller has proved are there. */
static struct fv_cur at(const struct fv_elf *e, uint64_t off, size_t n)
{
	return fv_cur_make(e->data + off, n);
}

/* A word of the file's class: 4 bytes for ELF32, 8 for ELF64. */
static uint64_t word(struct fv_cur *c, const struct fv_elf *e)
{
	return e->cls == 64 ? fv_cur_u64e(c, e->be) : fv_cur_u32e(c, e->be);
}

static unsigned phent_size(const struct fv_elf *e) { return e->cls == 64 ? 56 : 32; }
static unsigned shent_size(const struct fv_elf *e) { return e->cls == 64 ? 64 : 40; }
static unsigned dynent_size(const struct fv_elf *e) { return e->cls == 64 ? 16 : 8; }
static unsigned syment_size(const struct fv_elf *e) { return e->cls == 64 ? 24 : 16; }

/*
 * A string table over [off, off + size), clipped to the data and cut after
 * its last NUL, so that every index inside it starts a terminated string
 * and no lookup needs to search (a table without NULs becomes empty).
 */
static struct fv_elf_strtab strtab_make(const struct fv_elf *e, uint64_t off, uint64_t size)
{
	struct fv_elf_strtab t = { 0, 0 };
	if (off >= e->len)
		return t;
	if (size > e->len - off)
		size = e->len - off;
	const uint8_t *p = e->data + off, *z = memrchr(p, 0, (size_t)size);
	if (z) {
		t.off = off;
		t.size = (uint64_t)(z - p) + 1;
	}
	return t;
}

/* The string at index idx of t, or "" when idx is outside t. */
static const char *str_at(const struct fv_elf *e, const struct fv_elf_strtab *t, uint64_t idx)
{
	return idx < t->size ? (const char *)e->data + t->off + idx : "";
}

/* Program header i, decoded; the table was proved to be in the data. */
static void read_phdr(const struct fv_elf *e, size_t i, struct fv_elf_phdr *ph)
{
	struct fv_cur c = at(e, e->phoff + (uint64_t)i * phent_size(e), phent_size(e));
	ph->type = fv_cur_u32e(&c, e->be);
	if (e->cls == 64) {
		ph->flags = fv_cur_u32e(&c, e->be);
		ph->offset = fv_cur_u64e(&c, e->be);
		ph->vaddr = fv_cur_u64e(&c, e->be);
		fv_cur_skip(&c, 8); /* paddr */
		ph->filesz = fv_cur_u64e(&c, e->be);
		ph->memsz = fv_cur_u64e(&c, e->be);
		ph->align = fv_cur_u64e(&c, e->be);
	} else {
		ph->offset = fv_cur_u32e(&c, e->be);
		ph->vaddr = fv_cur_u32e(&c, e->be);
		fv_cur_skip(&c, 4);
		ph->filesz = fv_cur_u32e(&c, e->be);
		ph->memsz = fv_cur_u32e(&c, e->be);
		ph->flags = fv_cur_u32e(&c, e->be);
		ph->align = fv_cur_u32e(&c, e->be);
	}
}

/* Section header i at table off, without its name. */
static void read_shdr_at(const struct fv_elf *e, uint64_t off, size_t i, uint32_t *name,
			 struct fv_elf_shdr *sh)
{
	struct fv_cur c = at(e, off + (uint64_t)i * shent_size(e), shent_size(e));
	*name = fv_cur_u32e(&c, e->be);
	sh->name = "";
	sh->type = fv_cur_u32e(&c, e->be);
	sh->flags = word(&c, e);
	sh->addr = word(&c, e);
	sh->offset = word(&c, e);
	sh->size = word(&c, e);
	sh->link = fv_cur_u32e(&c, e->be);
	sh->info = fv_cur_u32e(&c, e->be);
	word(&c, e); /* addralign */
	sh->entsize = word(&c, e);
}

int fv_elf_phdr(const struct fv_elf *e, size_t i, struct fv_elf_phdr *out)
{
	if (i >= e->phnum)
		return 0;
	read_phdr(e, i, out);
	return 1;
}

int fv_elf_shdr(const struct fv_elf *e, size_t i, struct fv_elf_shdr *out)
{
	if (i >= e->shnum)
		return 0;
	uint32_t name;
	read_shdr_at(e, e->shoff, i, &name, out);
	out->name = str_at(e, &e->shstr, name);
	return 1;
}

int fv_elf_dyn(const struct fv_elf *e, size_t i, struct fv_elf_dyn *out)
{
	if (i >= e->ndyn)
		return 0;
	struct fv_cur c = at(e, e->dyn_off + (uint64_t)i * dynent_size(e), dynent_size(e));
	if (e->cls == 64) {
		out->tag = (int64_t)fv_cur_u64e(&c, e->be);
		out->val = fv_cur_u64e(&c, e->be);
	} else {
		out->tag = (int32_t)fv_cur_u32e(&c, e->be);
		out->val = fv_cur_u32e(&c, e->be);
	}
	return 1;
}

int fv_elf_sym(const struct fv_elf *e, const struct fv_elf_symtab *t, size_t i, struct fv_elf_sym *out)
{
	if (i >= t->count)
		return 0;
	struct fv_cur c = at(e, t->off + (uint64_t)i * t->entsize, syment_size(e));
	uint32_t name = fv_cur_u32e(&c, e->be);
	uint8_t info, other;
	if (e->cls == 64) {
		info = fv_cur_u8(&c);
		other = fv_cur_u8(&c);
		out->shndx = fv_cur_u16e(&c, e->be);
		out->value = fv_cur_u64e(&c, e->be);
		out->size = fv_cur_u64e(&c, e->be);
	} else {
		out->value = fv_cur_u32e(&c, e->be);
		out->size = fv_cur_u32e(&c, e->be);
		info = fv_cur_u8(&c);
		other = fv_cur_u8(&c);
		out->shndx = fv_cur_u16e(&c, e->be);
	}
	out->bind = info >> 4;
	out->type = info & 0xf;
	out->visibility = other & 3;
	out->name = str_at(e, &t->str, name);
	return 1;
}

/*
 * The PT_LOAD segment whose file bytes hold vaddr: its file offset, and how
 * many of its file bytes (that are also in the data) follow it.
 */
static int map_vaddr(const struct fv_elf *e, uint64_t vaddr, uint64_t *off, uint64_t *avail)
{
	for (size_t i = 0; i < e->phnum; i++) {
		struct fv_elf_phdr ph;
		read_phdr(e, i, &ph);
		if (ph.type != FV_PT_LOAD || vaddr < ph.vaddr || vaddr - ph.vaddr >= ph.filesz)
			continue;
		uint64_t d = vaddr - ph.vaddr;
		if (ph.offset > e->len || d >= e->len - ph.offset)
			continue;
		*off = ph.offset + d;
		uint64_t in_seg = ph.filesz - d, in_file = e->len - *off;
		*avail = in_seg < in_file ? in_seg : in_file;
		return 1;
	}
	return 0;
}

int fv_elf_vaddr_to_off(const struct fv_elf *e, uint64_t vaddr, uint64_t size, uint64_t *off)
{
	uint64_t o, avail;
	if (!map_vaddr(e, vaddr, &o, &avail) || size > avail)
		return 0;
	*off = o;
	return 1;
}

/* ---- parse ---------------------------------------------------------------- */

/* What the dynamic segment says, before addresses are mapped. */
struct dyninfo {
	uint64_t strtab, symtab, strsz, syment, hash, gnu_hash, mips_symtabno;
	int has_strtab, has_symtab, has_strsz, has_hash, has_gnu_hash, has_mips_symtabno;
	int has_soname, has_rpath, has_runpath;
	uint64_t soname, rpath, runpath;
	uint64_t versym, verneed, verdef, verneednum, verdefnum;
	int has_versym, has_verneed, has_verdef;
	/* Addresses of the other tables the loader is given, to see where DT_SYMTAB ends. */
	uint64_t tables[16];
	size_t ntables;
};

static int parse_ident(struct fv_elf *e)
{
	const uint8_t *p = e->data;
	if (e->len < 16)
		return fail(e, FV_ETRUNC, "ELF identification needs 16 bytes, the file has %zu", e->len);
	if (memcmp(p, "\x7f" "ELF", 4) != 0)
		return fail(e, FV_EFORMAT, "expected the ELF magic 7f 45 4c 46 at offset 0, found %02x %02x %02x %02x",
			    p[0], p[1], p[2], p[3]);
	if (p[4] != 1 && p[4] != 2)
		return fail(e, FV_EFORMAT, "EI_CLASS at offset 4 is %u, expected 1 (32-bit) or 2 (64-bit)", p[4]);
	if (p[5] != 1 && p[5] != 2)
		return fail(e, FV_EFORMAT, "EI_DATA at offset 5 is %u, expected 1 (little-endian) or 2 (big-endian)",
			    p[5]);
	e->cls = p[4] == 2 ? 64 : 32;
	e->be = p[5] == 2;
	e->osabi = p[7];
	return 0;
}

static int parse_header(struct fv_elf *e, uint16_t *e_phnum, uint16_t *e_shnum, uint16_t *e_shstrndx)
{
	unsigned ehsize = e->cls == 64 ? 64 : 52;
	if (e->len < ehsize)
		return fail(e, FV_ETRUNC, "the ELF%u header needs %u bytes, the file has %zu", e->cls, ehsize,
			    e->len);
	struct fv_cur c = at(e, 16, ehsize - 16);
	e->type = fv_cur_u16e(&c, e->be);
	e->machine = fv_cur_u16e(&c, e->be);
	fv_cur_skip(&c, 4); /* e_version: the kernel does not check it, nor do we */
	e->entry = word(&c, e);
	e->phoff = word(&c, e);
	e->shoff = word(&c, e);
	e->flags = fv_cur_u32e(&c, e->be);
	fv_cur_skip(&c, 2); /* e_ehsize */
	uint16_t phentsize = fv_cur_u16e(&c, e->be);
	*e_phnum = fv_cur_u16e(&c, e->be);
	uint16_t shentsize = fv_cur_u16e(&c, e->be);
	*e_shnum = fv_cur_u16e(&c, e->be);
	*e_shstrndx = fv_cur_u16e(&c, e->be);
	/* The loader refuses any other program header size, so a file that has one is not loadable. */
	if (*e_phnum && phentsize != phent_size(e))
		return fail(e, FV_EFORMAT, "e_phentsize at offset 0x%x is %u, expected %u for ELF%u",
			    e->cls == 64 ? 0x36 : 0x2a, phentsize, phent_size(e), e->cls);
	if (e->shoff && shentsize != shent_size(e)) {
		e->quirks |= FV_ELF_Q_SECTIONS;
		e->shoff = 0;
	}
	return 0;
}

/* Section headers: extended numbering, then the table's bounds. */
static void parse_sections(struct fv_elf *e, uint16_t e_phnum, uint16_t e_shnum, uint16_t e_shstrndx)
{
	uint64_t shnum = e_shnum, shstrndx = e_shstrndx;
	if (e->shoff && in_data(e, e->shoff, shent_size(e))) {
		/* Section 0 holds the counts that do not fit the ELF header's 16 bits. */
		struct fv_elf_shdr s0;
		uint32_t name;
		read_shdr_at(e, e->shoff, 0, &name, &s0);
		if (e_shnum == 0)
			shnum = s0.size;
		if (e_shstrndx == SHN_XINDEX)
			shstrndx = s0.link;
		if (e_phnum == PN_XNUM && s0.info)
			e->phnum = s0.info;
	}
	if (!e->shoff || !shnum)
		return;
	if (e->shoff > e->len || shnum > (e->len - e->shoff) / shent_size(e)) {
		e->quirks |= FV_ELF_Q_SECTIONS;
		return;
	}
	e->shnum = (size_t)shnum;
	if (shstrndx && shstrndx < shnum) {
		struct fv_elf_shdr s;
		uint32_t name;
		read_shdr_at(e, e->shoff, (size_t)shstrndx, &name, &s);
		if (s.type != FV_SHT_NOBITS) {
			e->shstrndx = (size_t)shstrndx;
			e->shstr = strtab_make(e, s.offset, s.size);
		}
	}
}

/* A symbol table described by section header i (SHT_SYMTAB or SHT_DYNSYM). */
static int section_symtab(const struct fv_elf *e, const struct fv_elf_shdr *sh, struct fv_elf_symtab *t)
{
	if (sh->offset > e->len || sh->link >= e->shnum)
		return 0;
	struct fv_elf_shdr str;
	uint32_t name;
	read_shdr_at(e, e->shoff, sh->link, &name, &str);
	if (str.type == FV_SHT_NOBITS)
		return 0;
	t->off = sh->offset;
	t->entsize = syment_size(e);
	uint64_t avail = e->len - sh->offset, size = sh->size < avail ? sh->size : avail;
	t->count = (size_t)(size / t->entsize);
	t->str = strtab_make(e, str.offset, str.size);
	return 1;
}

static void find_section_symtabs(struct fv_elf *e)
{
	int have_dynsym = e->dynsym.count > 0;
	for (size_t i = 1; i < e->shnum; i++) {
		struct fv_elf_shdr sh;
		uint32_t name;
		read_shdr_at(e, e->shoff, i, &name, &sh);
		if (sh.type == FV_SHT_SYMTAB && !e->symtab.count)
			section_symtab(e, &sh, &e->symtab);
		else if (sh.type == FV_SHT_DYNSYM && !have_dynsym) {
			/* Only when the dynamic segment gave none: the loader's view rules. */
			have_dynsym = section_symtab(e, &sh, &e->dynsym);
			if (!e->dynstr.size)
				e->dynstr = e->dynsym.str;
		}
	}
}

static void parse_program_headers(struct fv_elf *e, struct fv_elf_phdr *dynph)
{
	int ndynamic = 0;
	for (size_t i = 0; i < e->phnum; i++) {
		struct fv_elf_phdr ph;
		read_phdr(e, i, &ph);
		if (ph.type == FV_PT_INTERP && !e->interp) {
			if (in_data(e, ph.offset, ph.filesz) && ph.filesz &&
			    memchr(e->data + ph.offset, 0, (size_t)ph.filesz))
				e->interp = (const char *)e->data + ph.offset;
			else
				e->quirks |= FV_ELF_Q_INTERP;
		} else if (ph.type == FV_PT_DYNAMIC) {
			if (ndynamic++ == 0)
				*dynph = ph;
			else
				e->quirks |= FV_ELF_Q_DYNAMIC;
		}
	}
	e->dynamic = ndynamic > 0;
}

/* Locates the dynamic table: where the loader reads it (p_vaddr), else where p_offset says. */
static void locate_dynamic(struct fv_elf *e, const struct fv_elf_phdr *ph)
{
	uint64_t off, avail;
	if (map_vaddr(e, ph->vaddr, &off, &avail)) {
		if (ph->filesz < avail)
			avail = ph->filesz;
	} else if (ph->offset < e->len) {
		off = ph->offset;
		avail = e->len - off < ph->filesz ? e->len - off : ph->filesz;
	} else {
		e->quirks |= FV_ELF_Q_DYNAMIC;
		return;
	}
	e->dyn_off = off;
	size_t max = (size_t)(avail / dynent_size(e));
	/* ndyn is what fv_elf_dyn() may read; the walk below trims it at DT_NULL. */
	e->ndyn = max;
}

static void read_dynamic(struct fv_elf *e, struct dyninfo *d)
{
	int mips = e->machine == EM_MIPS || e->machine == EM_MIPS_RS3_LE;
	size_t n = e->ndyn, i;
	for (i = 0; i < n; i++) {
		struct fv_elf_dyn dy;
		fv_elf_dyn(e, i, &dy);
		switch (dy.tag) {
		case FV_DT_NULL:
			e->ndyn = i;
			return;
		case FV_DT_NEEDED: e->nneeded++; break;
		case FV_DT_STRTAB: d->strtab = dy.val; d->has_strtab = 1; break;
		case FV_DT_SYMTAB: d->symtab = dy.val; d->has_symtab = 1; break;
		case FV_DT_STRSZ: d->strsz = dy.val; d->has_strsz = 1; break;
		case FV_DT_SYMENT: d->syment = dy.val; break;
		case FV_DT_HASH: d->hash = dy.val; d->has_hash = 1; break;
		case FV_DT_GNU_HASH: d->gnu_hash = dy.val; d->has_gnu_hash = 1; break;
		case FV_DT_SONAME: d->soname = dy.val; d->has_soname = 1; break;
		case FV_DT_RPATH: d->rpath = dy.val; d->has_rpath = 1; break;
		case FV_DT_RUNPATH: d->runpath = dy.val; d->has_runpath = 1; break;
		case FV_DT_FLAGS: e->dt_flags = dy.val; break;
		case FV_DT_FLAGS_1: e->dt_flags_1 = dy.val; break;
		case FV_DT_BIND_NOW: e->bind_now = 1; break;
		case 3: /* DT_PLTGOT */
			e->pltgot = dy.val;
			if (d->ntables < sizeof d->tables / sizeof *d->tables)
				d->tables[d->ntables++] = dy.val;
			break;
		case FV_DT_VERSYM: d->versym = dy.val; d->has_versym = 1; goto table;
		case FV_DT_VERDEF: d->verdef = dy.val; d->has_verdef = 1; goto table;
		case FV_DT_VERNEED: d->verneed = dy.val; d->has_verneed = 1; goto table;
		case FV_DT_VERDEFNUM: d->verdefnum = dy.val; break;
		case FV_DT_VERNEEDNUM: d->verneednum = dy.val; break;
		case 7: case 12: case 13: case 17: case 23: case 25:
		/* DT_RELA, DT_INIT, DT_FINI, DT_REL, DT_JMPREL, DT_INIT_ARRAY */
		table:
			if (d->ntables < sizeof d->tables / sizeof *d->tables)
				d->tables[d->ntables++] = dy.val;
			break;
		case FV_DT_MIPS_SYMTABNO:
			/* Processor-specific tags mean something else on other machines. */
			if (mips) {
				d->mips_symtabno = dy.val;
				d->has_mips_symtabno = 1;
			}
			break;
		default: break;
		}
	}
	/* No DT_NULL: the table ends where its bytes do. */
	e->ndyn = i;
}

/* The number of symbols that DT_GNU_HASH implies, or 0 with *ok = 0. */
static uint64_t gnu_hash_count(const struct fv_elf *e, uint64_t vaddr, int *ok)
{
	uint64_t off, avail;
	*ok = 0;
	if (!map_vaddr(e, vaddr, &off, &avail) || avail < 16)
		return 0;
	struct fv_cur c = at(e, off, (size_t)avail);
	uint32_t nbuckets = fv_cur_u32e(&c, e->be);
	uint32_t symoffset = fv_cur_u32e(&c, e->be);
	uint32_t bloom_size = fv_cur_u32e(&c, e->be);
	fv_cur_skip(&c, 4); /* bloom_shift */
	/* 64-bit products of 32-bit counts cannot overflow. */
	uint64_t bloom = (uint64_t)bloom_size * (e->cls / 8), buckets = (uint64_t)nbuckets * 4;
	if (bloom > fv_cur_left(&c) || !fv_cur_skip(&c, (size_t)bloom) || buckets > fv_cur_left(&c))
		return 0;
	uint32_t max = 0;
	for (uint32_t b = 0; b < nbuckets; b++) {
		uint32_t v = fv_cur_u32e(&c, e->be);
		if (v > max)
			max = v;
	}
	/*
	 * With no defined symbol hashed, GNU ld writes symoffset 1 whatever the
	 * table holds, so the table says nothing about the count.
	 */
	if (max == 0 || max < symoffset)
		return 0;
	/*
	 * The chain of the highest bucket ends the table: walk it to the entry
	 * with the low bit set.  The walk only moves forward, over bytes that
	 * exist, so a hostile chain cannot make it loop.
	 */
	uint64_t chain = c.pos, k = max;
	for (;;) {
		uint64_t at_ = chain + (k - symoffset) * 4;
		if (at_ > c.len || c.len - at_ < 4) {
			*ok = 0; /* the chain runs off the segment */
			return 0;
		}
		uint32_t h = e->be ? fv_get_be32(c.p + at_) : fv_get_le32(c.p + at_);
		if (h & 1) {
			*ok = 1;
			return k + 1;
		}
		k++;
	}
}

static void read_dynsym(struct fv_elf *e, const struct dyninfo *d)
{
	uint64_t off, avail;
	if (d->has_strtab && map_vaddr(e, d->strtab, &off, &avail)) {
		e->dynstr = strtab_make(e, off, d->has_strsz && d->strsz < avail ? d->strsz : avail);
	} else {
		e->quirks |= FV_ELF_Q_DYNSTR;
	}
	if (d->has_soname)
		e->soname = str_at(e, &e->dynstr, d->soname);
	if (d->has_rpath)
		e->rpath = str_at(e, &e->dynstr, d->rpath);
	if (d->has_runpath)
		e->runpath = str_at(e, &e->dynstr, d->runpath);
	if (e->soname && !*e->soname)
		e->soname = NULL;
	if (e->rpath && !*e->rpath)
		e->rpath = NULL;
	if (e->runpath && !*e->runpath)
		e->runpath = NULL;

	if (!d->has_symtab || !map_vaddr(e, d->symtab, &off, &avail)) {
		e->quirks |= FV_ELF_Q_DYNSYM;
		return;
	}
	/* DT_SYMENT other than the standard size is ignored, as the loader does. */
	unsigned ent = syment_size(e);
	uint64_t count = 0, hoff, havail;
	int ok = 0;
	if (d->has_hash && map_vaddr(e, d->hash, &hoff, &havail) && havail >= 8) {
		struct fv_cur c = at(e, hoff, 8);
		fv_cur_skip(&c, 4); /* nbucket */
		count = fv_cur_u32e(&c, e->be);
		ok = 1;
	}
	if (!ok && d->has_gnu_hash)
		count = gnu_hash_count(e, d->gnu_hash, &ok);
	if (!ok && d->has_mips_symtabno) {
		count = d->mips_symtabno;
		ok = 1;
	}
	for (size_t i = 1; !ok && i < e->shnum; i++) {
		/* Section headers, when they describe the same table, know its size. */
		struct fv_elf_shdr sh;
		uint32_t name;
		read_shdr_at(e, e->shoff, i, &name, &sh);
		if (sh.type == FV_SHT_DYNSYM && sh.offset == off) {
			count = sh.size / ent;
			ok = 1;
		}
	}
	if (!ok) {
		/*
		 * Nothing states the count: the table ends where the nearest table
		 * after it starts (linkers lay .dynsym out next to .dynstr, the
		 * version tables or the hash tables), or with its segment.
		 */
		e->quirks |= FV_ELF_Q_SYMCOUNT;
		uint64_t end = UINT64_MAX;
		if (d->has_strtab && d->strtab > d->symtab)
			end = d->strtab;
		if (d->has_hash && d->hash > d->symtab && d->hash < end)
			end = d->hash;
		if (d->has_gnu_hash && d->gnu_hash > d->symtab && d->gnu_hash < end)
			end = d->gnu_hash;
		for (size_t i = 0; i < d->ntables; i++)
			if (d->tables[i] > d->symtab && d->tables[i] < end)
				end = d->tables[i];
		count = end == UINT64_MAX ? avail / ent : (end - d->symtab) / ent;
	}
	if (count > avail / ent) {
		e->quirks |= FV_ELF_Q_SYMTRUNC;
		count = avail / ent;
	}
	e->dynsym.off = off;
	e->dynsym.entsize = ent;
	e->dynsym.count = (size_t)count;
	e->dynsym.str = e->dynstr;
}

/* A count the file states, kept only as large as the bytes behind it allow. */
static size_t clip_count(uint64_t v, uint64_t bytes, unsigned ent)
{
	uint64_t max = bytes / ent;
	return (size_t)(v < max ? v : max);
}

/* The version tables the loader is given; versym has one entry per dynamic symbol. */
static void read_versions(struct fv_elf *e, const struct dyninfo *d)
{
	uint64_t off, avail;
	if (d->has_versym) {
		if (map_vaddr(e, d->versym, &off, &avail) && e->dynsym.count) {
			e->versym_off = off;
			e->nversym = clip_count(e->dynsym.count, avail, 2);
		} else {
			e->quirks |= FV_ELF_Q_VERSIONS;
		}
	}
	if (d->has_verneed) {
		if (map_vaddr(e, d->verneed, &off, &avail)) {
			e->verneed_off = off;
			e->verneed_len = avail;
			e->verneed_num = clip_count(d->verneednum, avail, 16);
		} else {
			e->quirks |= FV_ELF_Q_VERSIONS;
		}
	}
	if (d->has_verdef) {
		if (map_vaddr(e, d->verdef, &off, &avail)) {
			e->verdef_off = off;
			e->verdef_len = avail;
			e->verdef_num = clip_count(d->verdefnum, avail, 20);
		} else {
			e->quirks |= FV_ELF_Q_VERSIONS;
		}
	}
}

/* The same from SHT_GNU_versym/verneed/verdef, when the dynamic segment gave no version table. */
static void section_versions(struct fv_elf *e)
{
	for (size_t i = 1; i < e->shnum; i++) {
		struct fv_elf_shdr sh;
		uint32_t name;
		read_shdr_at(e, e->shoff, i, &name, &sh);
		if (sh.offset >= e->len || (sh.type != FV_SHT_GNU_VERSYM && sh.type != FV_SHT_GNU_VERNEED &&
					    sh.type != FV_SHT_GNU_VERDEF))
			continue;
		uint64_t avail = e->len - sh.offset, size = sh.size < avail ? sh.size : avail;
		if (sh.type == FV_SHT_GNU_VERSYM && !e->versym_off && e->dynsym.count) {
			e->versym_off = sh.offset;
			e->nversym = clip_count(e->dynsym.count, size, 2);
		} else if (sh.type == FV_SHT_GNU_VERNEED && !e->verneed_off) {
			e->verneed_off = sh.offset;
			e->verneed_len = size;
			e->verneed_num = clip_count(sh.info, size, 16);
		} else if (sh.type == FV_SHT_GNU_VERDEF && !e->verdef_off) {
			e->verdef_off = sh.offset;
			e->verdef_len = size;
			e->verdef_num = clip_count(sh.info, size, 20);
		}
	}
}

int fv_elf_parse(const void *data, size_t len, struct fv_elf *e)
{
	memset(e, 0, sizeof *e);
	e->data = data;
	e->len = len;
	int r = parse_ident(e);
	uint16_t e_phnum = 0, e_shnum = 0, e_shstrndx = 0;
	if (r == 0)
		r = parse_header(e, &e_phnum, &e_shnum, &e_shstrndx);
	if (r != 0)
		return r;
	e->phnum = e_phnum;
	parse_sections(e, e_phnum, e_shnum, e_shstrndx);

	if (e->phnum) {
		uint64_t room = e->phoff <= len ? len - e->phoff : 0;
		if (e->phnum > room / phent_size(e))
			return fail(e, FV_ETRUNC,
				    "program header table at offset 0x%llx (%zu entries of %u bytes) ends past the end "
				    "of the file (%zu bytes)",
				    (unsigned long long)e->phoff, e->phnum, phent_size(e), len);
	}
	struct fv_elf_phdr dynph = { 0 };
	parse_program_headers(e, &dynph);
	if (e->dynamic) {
		struct dyninfo d;
		memset(&d, 0, sizeof d);
		locate_dynamic(e, &dynph);
		read_dynamic(e, &d);
		read_dynsym(e, &d);
		read_versions(e, &d);
	}
	if (e->shnum) {
		find_section_symtabs(e);
		/* Only when the loader's view has none: a table it was not given is not in use. */
		if (!e->versym_off && !e->verneed_off && !e->verdef_off)
			section_versions(e);
	}
	if ((e->dt_flags & FV_DF_BIND_NOW) || (e->dt_flags_1 & FV_DF_1_NOW))
		e->bind_now = 1;
	return 0;
}

void fv_elf_free(struct fv_elf *e)
{
	free(e->slots);
	e->slots = NULL;
	e->nslots = 0;
	e->slots_loaded = 0;
}

int fv_elf_is_static(const struct fv_elf *e)
{
	if (e->type != FV_ET_EXEC && e->type != FV_ET_DYN)
		return 0;
	if (e->interp || e->nneeded)
		return 0;
	/* A static PIE has a dynamic segment of its own but is marked PIE; a library is not. */
	return !e->dynamic || e->type == FV_ET_EXEC || (e->dt_flags_1 & FV_DF_1_PIE);
}

/* ---- iterators ------------------------------------------------------------ */

int fv_elf_next_needed(const struct fv_elf *e, size_t *it, const char **name)
{
	struct fv_elf_dyn d;
	while (fv_elf_dyn(e, (*it)++, &d)) {
		if (d.tag != FV_DT_NEEDED)
			continue;
		*name = str_at(e, &e->dynstr, d.val);
		return 1;
	}
	(*it)--;
	return 0;
}

static int is_global(const struct fv_elf_sym *s)
{
	return s->bind == FV_STB_GLOBAL || s->bind == FV_STB_WEAK;
}

int fv_elf_next_import(const struct fv_elf *e, size_t *it, struct fv_elf_sym *out)
{
	while (fv_elf_sym(e, &e->dynsym, (*it)++, out))
		if (out->shndx == FV_SHN_UNDEF && *out->name && is_global(out))
			return 1;
	(*it)--;
	return 0;
}

int fv_elf_next_export(const struct fv_elf *e, size_t *it, struct fv_elf_sym *out)
{
	enum { STV_DEFAULT = 0, STV_PROTECTED = 3 };
	while (fv_elf_sym(e, &e->dynsym, (*it)++, out))
		if (out->shndx != FV_SHN_UNDEF && *out->name && is_global(out) &&
		    (out->visibility == STV_DEFAULT || out->visibility == STV_PROTECTED) &&
		    out->type != FV_STT_SECTION && out->type != FV_STT_FILE)
			return 1;
	(*it)--;
	return 0;
}

int fv_elf_imports(const struct fv_elf *e, const char *name)
{
	struct fv_elf_sym s;
	size_t it = 0;
	while (fv_elf_next_import(e, &it, &s))
		if (strcmp(s.name, name) == 0)
			return 1;
	return 0;
}

/* s is name, or name followed by a version ("@GLIBC_2.2.5", "@@..."). */
static int same_unversioned(const char *s, const char *name)
{
	size_t n = strlen(name);
	return strncmp(s, name, n) == 0 && (s[n] == 0 || s[n] == '@');
}

static int defines_in(const struct fv_elf *e, const struct fv_elf_symtab *t, const char *name)
{
	struct fv_elf_sym s;
	for (size_t i = 0; fv_elf_sym(e, t, i, &s); i++)
		if (s.shndx != FV_SHN_UNDEF &&
		    (s.type == FV_STT_FUNC || s.type == FV_STT_GNU_IFUNC || s.type == FV_STT_NOTYPE) &&
		    *s.name && same_unversioned(s.name, name))
			return 1;
	return 0;
}

int fv_elf_defines(const struct fv_elf *e, const char *name)
{
	return defines_in(e, &e->symtab, name) || defines_in(e, &e->dynsym, name);
}

/*
 * The ABI puts _gp 0x7ff0 past the start of the GOT so that 16-bit signed
 * offsets reach 64 KiB of it; the linker records the value it chose in the
 * register information (Elf32_RegInfo: gprmask, cprmask[4], gp_value).
 */
uint64_t fv_elf_mips_gp(const struct fv_elf *e)
{
	if (e->machine != EM_MIPS && e->machine != EM_MIPS_RS3_LE)
		return 0;
	if (e->cls == 32) {
		struct fv_elf_phdr ph;
		for (size_t i = 0; fv_elf_phdr(e, i, &ph); i++) {
			if (ph.type != 0x70000000 || !in_data(e, ph.offset, 24) || ph.filesz < 24)
				continue;
			struct fv_cur c = at(e, ph.offset + 20, 4);
			uint64_t gp = fv_cur_u32e(&c, e->be);
			if (gp)
				return gp;
		}
		struct fv_elf_shdr sh;
		for (size_t i = 0; fv_elf_shdr(e, i, &sh); i++) {
			if (sh.type != 0x70000006 || sh.size < 24 || !in_data(e, sh.offset, 24))
				continue;
			struct fv_cur c = at(e, sh.offset + 20, 4);
			uint64_t gp = fv_cur_u32e(&c, e->be);
			if (gp)
				return gp;
		}
	}
	return e->pltgot ? e->pltgot + 0x7ff0 : 0;
}

/* ---- pointer slots ------------------------------------------------------------ */

enum {
	EM_386 = 3, EM_PPC = 20, EM_PPC64 = 21, EM_ARM = 40, EM_X86_64 = 62, EM_AARCH64 = 183, EM_RISCV = 243,
};

static int is_mips(const struct fv_elf *e)
{
	return e->machine == EM_MIPS || e->machine == EM_MIPS_RS3_LE;
}

/*
 * Whether a relocation of this type fills a pointer with a symbol's
 * address: the PLT's JUMP_SLOT, the GOT's GLOB_DAT, and the absolute
 * relocation of the file's word size.  The numbers are each psABI's.
 */
static int slot_type(const struct fv_elf *e, uint32_t t)
{
	int w64 = e->cls == 64;
	switch (e->machine) {
	case EM_X86_64: return t == 7 || t == 6 || (w64 && t == 1);         /* JUMP_SLOT, GLOB_DAT, 64 */
	case EM_386: return t == 7 || t == 6 || t == 1;                     /* JMP_SLOT, GLOB_DAT, 32 */
	case EM_ARM: return t == 22 || t == 21 || t == 2;                   /* JUMP_SLOT, GLOB_DAT, ABS32 */
	case EM_AARCH64: return t == 1026 || t == 1025 || t == 257;        /* JUMP_SLOT, GLOB_DAT, ABS64 */
	case EM_MIPS: case EM_MIPS_RS3_LE:
		/* JUMP_SLOT, GLOB_DAT, REL32 (the loader's word relocation), 32, 64 */
		return t == 127 || t == 51 || t == 3 || (!w64 && t == 2) || (w64 && t == 18);
	case EM_PPC: return t == 21 || t == 20 || t == 1;                   /* JMP_SLOT, GLOB_DAT, ADDR32 */
	case EM_PPC64: return t == 21 || t == 20 || t == 38;                /* JMP_SLOT, GLOB_DAT, ADDR64 */
	case EM_RISCV: return t == 5 || (w64 ? t == 2 : t == 1);            /* JUMP_SLOT, 64 or 32 */
	default: return 0;
	}
}

/* Which relocation format DT_JMPREL uses when DT_PLTREL does not say (the loaders' fixed choice). */
static int plt_is_rela(const struct fv_elf *e)
{
	return !(e->machine == EM_386 || e->machine == EM_ARM || is_mips(e));
}

/* Ties at one address: a JUMP_SLOT names the call best, a MIPS GOT entry (type 0) least. */
static int slot_rank(const struct fv_elf *e, uint32_t t)
{
	if (t == 0)
		return 3;
	switch (e->machine) {
	case EM_X86_64: case EM_386: return t == 7 ? 0 : t == 6 ? 1 : 2;
	case EM_ARM: return t == 22 ? 0 : t == 21 ? 1 : 2;
	case EM_AARCH64: return t == 1026 ? 0 : t == 1025 ? 1 : 2;
	case EM_MIPS: case EM_MIPS_RS3_LE: return t == 127 ? 0 : t == 51 ? 1 : 2;
	case EM_PPC: case EM_PPC64: return t == 21 ? 0 : t == 20 ? 1 : 2;
	case EM_RISCV: return t == 5 ? 0 : 2;
	default: return 2;
	}
}

/* A slot while the table is built, with the rank that settles ties at one address. */
struct ranked {
	struct fv_elf_slot s;
	unsigned rank;
};

struct slotvec {
	struct ranked *v;
	size_t n, cap;
	int oom;
};

static void slot_add(struct slotvec *sv, const struct fv_elf *e, uint64_t addr, const struct fv_elf_sym *s,
		     uint32_t type)
{
	if (sv->oom)
		return;
	if (sv->n == sv->cap && fv_grow(&sv->v, &sv->cap, sv->n, sizeof *sv->v) != 0) {
		sv->oom = 1;
		return;
	}
	struct ranked *o = &sv->v[sv->n++];
	o->s.addr = addr;
	o->s.name = s->name;
	o->s.value = s->shndx != FV_SHN_UNDEF ? s->value : 0;
	o->s.type = type;
	o->rank = (unsigned)slot_rank(e, type);
}

/*
 * The relocations in [off, off + size) of the data (the caller clipped
 * it), of entsize bytes each, against symbols of t.  bias is added to
 * r_offset (a relocatable object's section address).
 */
static void read_relocs(struct fv_elf *e, struct slotvec *sv, uint64_t off, uint64_t size, int rela,
			const struct fv_elf_symtab *t, uint64_t bias)
{
	unsigned ent = (e->cls == 64 ? 16 : 8) + (rela ? (e->cls == 64 ? 8 : 4) : 0);
	size_t n = (size_t)(size / ent);
	int mips64 = e->cls == 64 && is_mips(e);
	for (size_t i = 0; i < n && !sv->oom; i++) {
		struct fv_cur c = at(e, off + (uint64_t)i * ent, ent);
		uint64_t r_offset = word(&c, e);
		uint64_t sym;
		uint32_t type;
		if (mips64) {
			/* r_sym (32 bits, file order), then r_ssym, r_type3, r_type2, r_type: one byte each. */
			sym = fv_cur_u32e(&c, e->be);
			fv_cur_skip(&c, 3);
			type = fv_cur_u8(&c);
		} else if (e->cls == 64) {
			uint64_t info = fv_cur_u64e(&c, e->be);
			sym = info >> 32;
			type = (uint32_t)info;
		} else {
			uint32_t info = fv_cur_u32e(&c, e->be);
			sym = info >> 8;
			type = info & 0xff;
		}
		if (sym == 0 || !slot_type(e, type))
			continue;
		struct fv_elf_sym s;
		if (sym >= t->count || !fv_elf_sym(e, t, (size_t)sym, &s)) {
			e->quirks |= FV_ELF_Q_RELOCS;
			continue;
		}
		slot_add(sv, e, r_offset + bias, &s, type);
	}
}

/* A table the dynamic segment gives by address and size; clipped to its segment's bytes in the file. */
static void dyn_relocs(struct fv_elf *e, struct slotvec *sv, uint64_t addr, uint64_t size, int rela)
{
	uint64_t off, avail;
	if (!size)
		return;
	if (!map_vaddr(e, addr, &off, &avail)) {
		e->quirks |= FV_ELF_Q_RELOCS;
		return;
	}
	if (size > avail) {
		e->quirks |= FV_ELF_Q_RELOCS;
		size = avail;
	}
	read_relocs(e, sv, off, size, rela, &e->dynsym, 0);
}

/*
 * MIPS: the loader fills GOT[local_gotno + i] with the address of
 * dynsym[gotsym + i], for every symbol from gotsym to symtabno; there is no
 * relocation for these.
 */
static void mips_got(struct fv_elf *e, struct slotvec *sv, uint64_t local_gotno, uint64_t gotsym,
		     uint64_t symtabno)
{
	unsigned ws = e->cls / 8;
	uint64_t off, avail;
	if (symtabno > e->dynsym.count) {
		e->quirks |= FV_ELF_Q_RELOCS;
		symtabno = e->dynsym.count;
	}
	if (!e->pltgot || gotsym >= symtabno)
		return;
	if (!map_vaddr(e, e->pltgot, &off, &avail)) {
		e->quirks |= FV_ELF_Q_RELOCS;
		return;
	}
	uint64_t entries = avail / ws, n = symtabno - gotsym;
	if (local_gotno >= entries || n > entries - local_gotno) {
		e->quirks |= FV_ELF_Q_RELOCS;
		n = local_gotno < entries ? entries - local_gotno : 0;
	}
	for (uint64_t i = 0; i < n && !sv->oom; i++) {
		struct fv_elf_sym s;
		fv_elf_sym(e, &e->dynsym, (size_t)(gotsym + i), &s);
		slot_add(sv, e, e->pltgot + (local_gotno + i) * ws, &s, 0);
	}
}

/* Without a dynamic segment: every SHT_REL/SHT_RELA section, against the symbol table it links to. */
static void section_relocs(struct fv_elf *e, struct slotvec *sv)
{
	for (size_t i = 1; i < e->shnum && !sv->oom; i++) {
		struct fv_elf_shdr sh, symsh, target;
		uint32_t name;
		read_shdr_at(e, e->shoff, i, &name, &sh);
		if ((sh.type != FV_SHT_REL && sh.type != FV_SHT_RELA) || sh.offset >= e->len)
			continue;
		if (sh.link == 0 || sh.link >= e->shnum) {
			e->quirks |= FV_ELF_Q_RELOCS;
			continue;
		}
		read_shdr_at(e, e->shoff, sh.link, &name, &symsh);
		struct fv_elf_symtab t;
		memset(&t, 0, sizeof t);
		if ((symsh.type != FV_SHT_SYMTAB && symsh.type != FV_SHT_DYNSYM) || !section_symtab(e, &symsh, &t)) {
			e->quirks |= FV_ELF_Q_RELOCS;
			continue;
		}
		if (symsh.size < (uint64_t)t.count * t.entsize)
			t.count = (size_t)(symsh.size / t.entsize);
		/* A relocatable object's r_offset counts from the start of the section it patches. */
		uint64_t bias = 0;
		if (e->type == FV_ET_REL && sh.info && sh.info < e->shnum) {
			read_shdr_at(e, e->shoff, sh.info, &name, &target);
			bias = target.addr;
		}
		uint64_t avail = e->len - sh.offset, size = sh.size;
		if (size > avail) {
			e->quirks |= FV_ELF_Q_RELOCS;
			size = avail;
		}
		read_relocs(e, sv, sh.offset, size, sh.type == FV_SHT_RELA, &t, bias);
	}
}

static int ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->s.addr != y->s.addr)
		return x->s.addr < y->s.addr ? -1 : 1;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

int fv_elf_load_slots(struct fv_elf *e)
{
	if (e->slots_loaded)
		return 0;
	struct slotvec sv;
	memset(&sv, 0, sizeof sv);
	if (e->dynamic) {
		uint64_t jmprel = 0, pltrelsz = 0, pltrel = 0, rel = 0, relsz = 0, rela = 0, relasz = 0;
		uint64_t local_gotno = 0, gotsym = 0, symtabno = 0;
		int has_gotsym = 0, has_symtabno = 0;
		struct fv_elf_dyn d;
		for (size_t i = 0; fv_elf_dyn(e, i, &d); i++) {
			switch (d.tag) {
			case FV_DT_JMPREL: jmprel = d.val; break;
			case FV_DT_PLTRELSZ: pltrelsz = d.val; break;
			case FV_DT_PLTREL: pltrel = d.val; break;
			case FV_DT_REL: rel = d.val; break;
			case FV_DT_RELSZ: relsz = d.val; break;
			case FV_DT_RELA: rela = d.val; break;
			case FV_DT_RELASZ: relasz = d.val; break;
			case FV_DT_MIPS_LOCAL_GOTNO: local_gotno = d.val; break;
			case FV_DT_MIPS_GOTSYM: gotsym = d.val; has_gotsym = 1; break;
			case FV_DT_MIPS_SYMTABNO: symtabno = d.val; has_symtabno = 1; break;
			default: break;
			}
		}
		/* DT_RELENT/DT_RELAENT other than the standard size are ignored, as the loader does. */
		if (jmprel)
			dyn_relocs(e, &sv, jmprel, pltrelsz,
				   pltrel == FV_DT_RELA ? 1 : pltrel == FV_DT_REL ? 0 : plt_is_rela(e));
		if (rel)
			dyn_relocs(e, &sv, rel, relsz, 0);
		if (rela)
			dyn_relocs(e, &sv, rela, relasz, 1);
		if (is_mips(e) && has_gotsym)
			mips_got(e, &sv, local_gotno, gotsym, has_symtabno ? symtabno : e->dynsym.count);
	} else if (e->shnum) {
		section_relocs(e, &sv);
	}
	/*
	 * One slot per address, the best ranked: tables overlap (some linkers
	 * count .rel.plt in DT_RELSZ too, and a MIPS GOT entry may also carry a
	 * relocation).
	 */
	struct fv_elf_slot *out = NULL;
	size_t k = 0;
	if (!sv.oom && sv.n) {
		qsort(sv.v, sv.n, sizeof *sv.v, ranked_cmp);
		for (size_t i = 0; i < sv.n; i++)
			if (k == 0 || sv.v[k - 1].s.addr != sv.v[i].s.addr)
				sv.v[k++] = sv.v[i];
		out = malloc(k * sizeof *out);
		if (!out)
			sv.oom = 1;
		for (size_t i = 0; out && i < k; i++)
			out[i] = sv.v[i].s;
	}
	free(sv.v);
	if (sv.oom)
		return FV_ENOMEM;
	e->slots = out;
	e->nslots = k;
	e->slots_loaded = 1;
	return 0;
}

const struct fv_elf_slot *fv_elf_slot(const struct fv_elf *e, size_t i)
{
	return e->slots_loaded && i < e->nslots ? &e->slots[i] : NULL;
}

const struct fv_elf_slot *fv_elf_slot_at(const struct fv_elf *e, uint64_t addr)
{
	if (!e->slots_loaded)
		return NULL;
	size_t lo = 0, hi = e->nslots;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (e->slots[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < e->nslots && e->slots[lo].addr == addr ? &e->slots[lo] : NULL;
}

/* ---- symbol versions ---------------------------------------------------------- */

/* Elf_Verneed at pos of the DT_VERNEED bytes (16 bytes in both classes). */
static int read_verneed(const struct fv_elf *e, uint64_t pos, uint32_t *file, uint32_t *aux, uint32_t *next)
{
	if (!e->verneed_off || pos > e->verneed_len || e->verneed_len - pos < 16)
		return 0;
	struct fv_cur c = at(e, e->verneed_off + pos, 16);
	fv_cur_skip(&c, 4); /* vn_version, vn_cnt: the chain's links are what the loader follows */
	*file = fv_cur_u32e(&c, e->be);
	*aux = fv_cur_u32e(&c, e->be);
	*next = fv_cur_u32e(&c, e->be);
	return 1;
}

int fv_elf_next_verneed(const struct fv_elf *e, struct fv_elf_iter *it, struct fv_elf_verneed *out)
{
	uint32_t file, aux, next;
	for (;;) {
		if (it->state == 2 || it->n >= FV_ELF_MAX_VERSIONS) {
			it->state = 2;
			return 0;
		}
		if (it->state == 0) {
			/* The first file: a = its Verneed, b = its first Vernaux (both from the table start). */
			it->a = 0;
			if (!read_verneed(e, 0, &file, &aux, &next)) {
				it->state = 2;
				return 0;
			}
			it->b = (uint64_t)aux;
			it->m = 1;
			it->state = 1;
		}
		if (!read_verneed(e, it->a, &file, &aux, &next)) {
			it->state = 2;
			return 0;
		}
		uint64_t b = it->b;
		if (b != UINT64_MAX && b <= e->verneed_len && e->verneed_len - b >= 16) {
			struct fv_cur c = at(e, e->verneed_off + b, 16);
			out->hash = fv_cur_u32e(&c, e->be);
			out->flags = fv_cur_u16e(&c, e->be);
			out->index = fv_cur_u16e(&c, e->be);
			out->version = str_at(e, &e->dynstr, fv_cur_u32e(&c, e->be));
			uint32_t anext = fv_cur_u32e(&c, e->be);
			out->file = str_at(e, &e->dynstr, file);
			it->b = anext ? b + anext : UINT64_MAX;
			it->n++;
			return 1;
		}
		/* This file's versions are done: on to the next Verneed, forward only. */
		if (!next || (e->verneed_num && it->m >= e->verneed_num)) {
			it->state = 2;
			return 0;
		}
		it->a += next;
		if (!read_verneed(e, it->a, &file, &aux, &next)) {
			it->state = 2;
			return 0;
		}
		it->b = it->a + aux;
		it->m++;
		it->n++; /* a file counts too, so a chain of empty files ends as well */
	}
}

/* The name of the Verdef whose vd_ndx is idx, walking the chain forward within its bytes. */
static const char *verdef_name(const struct fv_elf *e, unsigned idx)
{
	uint64_t pos = 0;
	for (size_t k = 0; k < FV_ELF_MAX_VERSIONS && (!e->verdef_num || k < e->verdef_num); k++) {
		if (!e->verdef_off || pos > e->verdef_len || e->verdef_len - pos < 20)
			return NULL;
		struct fv_cur c = at(e, e->verdef_off + pos, 20);
		fv_cur_skip(&c, 4); /* vd_version, vd_flags */
		unsigned ndx = fv_cur_u16e(&c, e->be);
		fv_cur_skip(&c, 6); /* vd_cnt, vd_hash */
		uint32_t aux = fv_cur_u32e(&c, e->be), next = fv_cur_u32e(&c, e->be);
		if ((ndx & 0x7fff) == idx) {
			/* The first Verdaux names the version; the others are its parents. */
			uint64_t a = pos + aux;
			if (a > e->verdef_len || e->verdef_len - a < 8)
				return NULL;
			struct fv_cur d = at(e, e->verdef_off + a, 4);
			return str_at(e, &e->dynstr, fv_cur_u32e(&d, e->be));
		}
		if (!next)
			return NULL;
		pos += next;
	}
	return NULL;
}

const char *fv_elf_sym_version(const struct fv_elf *e, size_t i, const char **file, int *hidden)
{
	if (file)
		*file = NULL;
	if (hidden)
		*hidden = 0;
	if (!e->versym_off || i >= e->nversym)
		return NULL;
	struct fv_cur c = at(e, e->versym_off + (uint64_t)i * 2, 2);
	unsigned v = fv_cur_u16e(&c, e->be), idx = v & 0x7fff;
	if (idx <= 1) /* VER_NDX_LOCAL, VER_NDX_GLOBAL */
		return NULL;
	struct fv_elf_iter it = { 0 };
	struct fv_elf_verneed vn;
	const char *name = NULL;
	while (fv_elf_next_verneed(e, &it, &vn))
		if (vn.index == idx) {
			name = vn.version;
			if (file)
				*file = vn.file;
			break;
		}
	if (!name)
		name = verdef_name(e, idx);
	if (name && hidden)
		*hidden = (v & 0x8000) != 0;
	return name;
}

/* ---- notes ------------------------------------------------------------------------- */

/*
 * Note table idx (a program header, or a section header when sections is
 * set): its bytes in the file [*off, *end) and its alignment, 0 when it is
 * not a note table or has no bytes in the data.
 */
static int note_table(const struct fv_elf *e, int sections, size_t idx, uint64_t *off, uint64_t *end,
		      unsigned *align)
{
	uint64_t o, size, a;
	if (!sections) {
		struct fv_elf_phdr ph;
		read_phdr(e, idx, &ph);
		if (ph.type != FV_PT_NOTE)
			return 0;
		o = ph.offset, size = ph.filesz, a = ph.align;
	} else {
		struct fv_elf_shdr sh;
		uint32_t name;
		read_shdr_at(e, e->shoff, idx, &name, &sh);
		if (sh.type != FV_SHT_NOTE)
			return 0;
		struct fv_cur c = at(e, e->shoff + (uint64_t)idx * shent_size(e) + (e->cls == 64 ? 48 : 32),
				     e->cls / 8);
		o = sh.offset, size = sh.size, a = word(&c, e);
	}
	if (o >= e->len)
		return 0;
	*off = o;
	*end = size < e->len - o ? o + size : e->len;
	/* 8-byte aligned note tables (GNU property notes of ELF64) pad to 8; all others to 4. */
	*align = a == 8 ? 8 : 4;
	return 1;
}

static int has_pt_note(const struct fv_elf *e)
{
	struct fv_elf_phdr ph;
	for (size_t i = 0; fv_elf_phdr(e, i, &ph); i++)
		if (ph.type == FV_PT_NOTE)
			return 1;
	return 0;
}

int fv_elf_next_note(const struct fv_elf *e, struct fv_elf_iter *it, struct fv_elf_note *out)
{
	if (it->state == 0) {
		it->state = has_pt_note(e) ? 1 : 2;
		it->a = 0;
		it->b = UINT64_MAX;
	}
	size_t count = it->state == 1 ? e->phnum : it->state == 2 ? e->shnum : 0;
	for (; it->a < count; it->a++, it->b = UINT64_MAX) {
		uint64_t off, end;
		unsigned align;
		if (!note_table(e, it->state == 2, (size_t)it->a, &off, &end, &align))
			continue;
		if (it->b == UINT64_MAX)
			it->b = off;
		uint64_t pos = it->b;
		if (pos >= end || end - pos < 12)
			continue;
		struct fv_cur c = at(e, pos, 12);
		uint64_t namesz = fv_cur_u32e(&c, e->be), descsz = fv_cur_u32e(&c, e->be);
		uint32_t type = fv_cur_u32e(&c, e->be);
		/*
		 * The descriptor starts at the header and name rounded up to the
		 * alignment, and the next note after the descriptor rounded up
		 * (for 8-byte notes that is not the name rounded up on its own).
		 * The last note may lack its closing padding; nothing else may be
		 * missing.  Sizes are 32-bit, so none of this overflows.
		 */
		uint64_t mask = align - 1, descoff = (12 + namesz + mask) & ~mask;
		if (descoff > end - pos || descsz > end - pos - descoff)
			continue;
		const char *name = (const char *)e->data + pos + 12;
		out->name = namesz && name[namesz - 1] == 0 ? name : "";
		out->type = type;
		out->desc = e->data + pos + descoff;
		out->descsz = (size_t)descsz;
		out->offset = pos;
		it->b = pos + ((descoff + descsz + mask) & ~mask); /* past end when the padding is missing: the loop ends */
		return 1;
	}
	it->state = 3;
	return 0;
}

size_t fv_elf_build_id(const struct fv_elf *e, char hex[2 * FV_ELF_BUILD_ID_MAX + 1])
{
	enum { NT_GNU_BUILD_ID = 3 };
	static const char digits[] = "0123456789abcdef";
	struct fv_elf_iter it = { 0 };
	struct fv_elf_note n;
	hex[0] = 0;
	while (fv_elf_next_note(e, &it, &n)) {
		if (n.type != NT_GNU_BUILD_ID || strcmp(n.name, "GNU") != 0 || n.descsz == 0 ||
		    n.descsz > FV_ELF_BUILD_ID_MAX)
			continue;
		for (size_t i = 0; i < n.descsz; i++) {
			hex[2 * i] = digits[n.desc[i] >> 4];
			hex[2 * i + 1] = digits[n.desc[i] & 15];
		}
		hex[2 * n.descsz] = 0;
		return n.descsz;
	}
	return 0;
}

unsigned fv_elf_gnu_properties(const struct fv_elf *e)
{
	enum { NT_GNU_PROPERTY_TYPE_0 = 5 };
	const uint32_t X86_FEATURE_1_AND = 0xc0000002, AARCH64_FEATURE_1_AND = 0xc0000000;
	int x86 = e->machine == EM_386 || e->machine == EM_X86_64, a64 = e->machine == EM_AARCH64;
	unsigned bits = 0, pad = e->cls == 64 ? 8 : 4;
	struct fv_elf_iter it = { 0 };
	struct fv_elf_note n;
	while (fv_elf_next_note(e, &it, &n)) {
		if (n.type != NT_GNU_PROPERTY_TYPE_0 || strcmp(n.name, "GNU") != 0)
			continue;
		struct fv_cur c = fv_cur_make(n.desc, n.descsz);
		while (fv_cur_left(&c) >= 8) {
			uint32_t type = fv_cur_u32e(&c, e->be), size = fv_cur_u32e(&c, e->be);
			struct fv_cur d = fv_cur_sub(&c, size);
			if (!fv_cur_ok(&d))
				break;
			uint32_t v = size >= 4 ? fv_cur_u32e(&d, e->be) : 0;
			if (x86 && type == X86_FEATURE_1_AND)
				bits |= (v & 1 ? FV_ELF_PROP_IBT : 0) | (v & 2 ? FV_ELF_PROP_SHSTK : 0);
			else if (a64 && type == AARCH64_FEATURE_1_AND)
				bits |= (v & 1 ? FV_ELF_PROP_BTI : 0) | (v & 2 ? FV_ELF_PROP_PAC : 0);
			size_t skip = (pad - size % pad) % pad;
			if (skip > fv_cur_left(&c))
				break;
			fv_cur_skip(&c, skip);
		}
	}
	return bits;
}

/* ---- sections by name ----------------------------------------------------------- */

int fv_elf_section(const struct fv_elf *e, const char *name, struct fv_elf_shdr *out, size_t *index)
{
	for (size_t i = 0; fv_elf_shdr(e, i, out); i++)
		if (strcmp(out->name, name) == 0) {
			if (index)
				*index = i;
			return 1;
		}
	return 0;
}
