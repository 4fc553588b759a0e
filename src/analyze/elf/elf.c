/*
 * The ELF reader (see elf.h).  fv_elf_parse() proves once that each table it
 * records lies inside the data; the accessors decode entries from there.
 * Counts a hostile file states (e_phnum, DT_HASH's nchain, a GNU hash chain)
 * are believed only as far as the bytes behind them exist.
 */
#include "analyze/elf/elf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
		case 3: case 7: case 12: case 13: case 17: case 23: case 25:
		/* DT_PLTGOT, DT_RELA, DT_INIT, DT_FINI, DT_REL, DT_JMPREL, DT_INIT_ARRAY */
		case 0x6ffffff0: case 0x6ffffffc: case 0x6ffffffe: /* DT_VERSYM, DT_VERDEF, DT_VERNEED */
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
	}
	if (e->shnum)
		find_section_symtabs(e);
	if ((e->dt_flags & FV_DF_BIND_NOW) || (e->dt_flags_1 & FV_DF_1_NOW))
		e->bind_now = 1;
	return 0;
}

void fv_elf_free(struct fv_elf *e)
{
	(void)e;
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
