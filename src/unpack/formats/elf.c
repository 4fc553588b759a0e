/*
 * ELF, identified and sized from its headers; not unpacked (the analyzers
 * read ELF files in place).  An ELF file has no length field: its extent
 * is the furthest of the ELF header, the program and section header tables,
 * the file bytes of every segment and of every section that has file bytes
 * (not SHT_NOBITS).  Both classes and both byte orders; extended numbering
 * (e_shnum 0 and e_phnum PN_XNUM, with the real counts in section 0).
 */
#include "core/cursor.h"
#include "core/elfmach.h"
#include "core/err.h"
#include "unpack/format.h"

#include <string.h>

static const struct fv_magic magics[] = {
	/* magic, class, data, version */
	{ "\\x7fELF[\\x01\\x02][\\x01\\x02]\\x01", 7, 0 },
	{ NULL, 0, 0 },
};

/*
 * Tables are walked up to this many entries.  Real files stay far below;
 * the counts of a hostile one are bounded by what fits in the input anyway,
 * but a probe must stay cheap.
 */
#define MAX_WALK 65536

enum { ET_REL = 1, ET_EXEC, ET_DYN, ET_CORE };
enum { PT_DYNAMIC = 2, PT_INTERP = 3 };
enum { SHT_NULL = 0, SHT_SYMTAB = 2, SHT_NOBITS = 8 };
#define PN_XNUM 0xffff


struct hdr {
	int is64, be;
	uint16_t type, machine;
	uint64_t entry, phoff, shoff;
	uint16_t ehsize, phentsize, shentsize;
	uint64_t phnum, shnum;
};

struct shdr {
	uint32_t type, link, info;
	uint64_t offset, size;
};

/* Reads section header i; the caller has checked the table is in the input. */
static struct shdr read_shdr(const uint8_t *p, size_t avail, const struct hdr *h, uint64_t i)
{
	struct fv_cur c = fv_cur_make(p, avail);
	struct shdr s;
	fv_cur_seek(&c, (size_t)(h->shoff + i * h->shentsize));
	fv_cur_skip(&c, 4); /* name */
	s.type = fv_cur_u32e(&c, h->be);
	if (h->is64) {
		fv_cur_skip(&c, 16); /* flags, addr */
		s.offset = fv_cur_u64e(&c, h->be);
		s.size = fv_cur_u64e(&c, h->be);
	} else {
		fv_cur_skip(&c, 8);
		s.offset = fv_cur_u32e(&c, h->be);
		s.size = fv_cur_u32e(&c, h->be);
	}
	s.link = fv_cur_u32e(&c, h->be);
	s.info = fv_cur_u32e(&c, h->be);
	return s;
}

/* *end = max(*end, off + len); 0 if that overflows. */
static int extend(uint64_t *end, uint64_t off, uint64_t len)
{
	if (off > UINT64_MAX - len)
		return 0;
	if (off + len > *end)
		*end = off + len;
	return 1;
}

static int in_input(uint64_t off, uint64_t len, size_t avail)
{
	return off <= avail && len <= avail - off;
}

static int parse_hdr(const uint8_t *p, size_t avail, struct hdr *h)
{
	memset(h, 0, sizeof *h);
	if (avail < 52)
		return FV_ETRUNC;
	h->is64 = p[4] == 2;
	h->be = p[5] == 2;
	if (p[4] < 1 || p[4] > 2 || p[5] < 1 || p[5] > 2 || p[6] != 1)
		return FV_EFORMAT;
	struct fv_cur c = fv_cur_make(p, avail);
	fv_cur_skip(&c, 16);
	h->type = fv_cur_u16e(&c, h->be);
	h->machine = fv_cur_u16e(&c, h->be);
	uint32_t version = fv_cur_u32e(&c, h->be);
	if (h->is64) {
		h->entry = fv_cur_u64e(&c, h->be);
		h->phoff = fv_cur_u64e(&c, h->be);
		h->shoff = fv_cur_u64e(&c, h->be);
	} else {
		h->entry = fv_cur_u32e(&c, h->be);
		h->phoff = fv_cur_u32e(&c, h->be);
		h->shoff = fv_cur_u32e(&c, h->be);
	}
	fv_cur_skip(&c, 4); /* flags */
	h->ehsize = fv_cur_u16e(&c, h->be);
	h->phentsize = fv_cur_u16e(&c, h->be);
	h->phnum = fv_cur_u16e(&c, h->be);
	h->shentsize = fv_cur_u16e(&c, h->be);
	h->shnum = fv_cur_u16e(&c, h->be);
	if (!fv_cur_ok(&c))
		return FV_ETRUNC;
	unsigned ehsize = h->is64 ? 64 : 52, phent = h->is64 ? 56 : 32, shent = h->is64 ? 64 : 40;
	if (version != 1 || h->type < ET_REL || h->type > ET_CORE || h->ehsize != ehsize)
		return FV_EFORMAT;
	if (h->phnum && (h->phentsize != phent || h->phoff < ehsize))
		return FV_EFORMAT;
	if (h->shoff && (h->shentsize != shent || h->shoff < ehsize))
		return FV_EFORMAT;
	if (!h->shoff && h->shnum)
		return FV_EFORMAT;
	/* Extended numbering: the real counts live in section 0. */
	if (h->shoff && (h->shnum == 0 || h->phnum == PN_XNUM) && in_input(h->shoff, shent, avail)) {
		struct shdr s0 = read_shdr(p, avail, h, 0);
		if (h->shnum == 0)
			h->shnum = s0.size;
		if (h->phnum == PN_XNUM)
			h->phnum = s0.info;
	}
	return FV_OK;
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	struct hdr h;
	int rc = parse_hdr(p, avail, &h);
	if (rc)
		return rc;

	/* phnum < 2^32 even when extended; shnum from section 0 may be anything. */
	if (h.shnum > ((uint64_t)1 << 48))
		return FV_EFORMAT;
	uint64_t end = h.ehsize;
	uint64_t phlen = h.phnum * h.phentsize, shlen = h.shnum * h.shentsize;
	if (!extend(&end, h.phoff, h.phnum ? phlen : 0) || !extend(&end, h.shoff, h.shnum ? shlen : 0))
		return FV_EFORMAT;

	int interp = 0, dynamic = 0, symtab = 0, capped = 0;
	uint64_t walked_ph = 0, walked_sh = 0;
	if (h.phnum && in_input(h.phoff, phlen, avail)) {
		struct fv_cur c = fv_cur_make(p, avail);
		for (uint64_t i = 0; i < h.phnum && i < MAX_WALK; i++, walked_ph++) {
			fv_cur_seek(&c, (size_t)(h.phoff + i * h.phentsize));
			uint32_t type = fv_cur_u32e(&c, h.be);
			uint64_t off, filesz;
			if (h.is64) {
				fv_cur_skip(&c, 4);
				off = fv_cur_u64e(&c, h.be);
				fv_cur_skip(&c, 16);
				filesz = fv_cur_u64e(&c, h.be);
			} else {
				off = fv_cur_u32e(&c, h.be);
				fv_cur_skip(&c, 8);
				filesz = fv_cur_u32e(&c, h.be);
			}
			if (!fv_cur_ok(&c))
				return FV_EFORMAT; /* cannot happen: the table is in the input */
			interp |= type == PT_INTERP;
			dynamic |= type == PT_DYNAMIC;
			if (filesz && !extend(&end, off, filesz))
				return FV_EFORMAT;
		}
		capped |= h.phnum > MAX_WALK;
	}
	if (h.shnum && in_input(h.shoff, shlen, avail)) {
		for (uint64_t i = 0; i < h.shnum && i < MAX_WALK; i++, walked_sh++) {
			struct shdr s = read_shdr(p, avail, &h, i);
			symtab |= s.type == SHT_SYMTAB;
			if (s.type != SHT_NULL && s.type != SHT_NOBITS && s.size && !extend(&end, s.offset, s.size))
				return FV_EFORMAT;
		}
		capped |= h.shnum > MAX_WALK;
	}

	const char *mach = fv_elf_machine_desc(h.machine);
	if (end <= avail) {
		out->size = end;
		out->conf = mach && !capped && walked_ph == h.phnum && walked_sh == h.shnum ? FV_CONF_HIGH
											: FV_CONF_MEDIUM;
	} else {
		/* Cut short (or lying): keep what is there, but trust it less. */
		out->size = avail;
		out->truncated = 1;
		out->conf = FV_CONF_LOW;
	}

	static const char *const types[] = { "", "relocatable", "executable", "shared object", "core file" };
	const char *type = types[h.type];
	if (h.type == ET_DYN && interp)
		type = "PIE executable";
	fv_probe_desc(out, "ELF %d-bit %s %s, ", h.is64 ? 64 : 32, h.be ? "MSB" : "LSB", type);
	if (mach)
		fv_probe_desc(out, "%s", mach);
	else
		fv_probe_desc(out, "machine 0x%x", h.machine);
	if (h.type != ET_REL && h.type != ET_CORE)
		fv_probe_desc(out, ", entry 0x%llx", (unsigned long long)h.entry);
	fv_probe_desc(out, ", %llu segments, %llu sections", (unsigned long long)h.phnum,
		      (unsigned long long)h.shnum);
	if (h.type == ET_EXEC || h.type == ET_DYN)
		fv_probe_desc(out, interp || dynamic ? ", dynamically linked" : ", statically linked");
	if (walked_sh && !symtab)
		fv_probe_desc(out, ", stripped");
	if (capped)
		fv_probe_desc(out, ", tables walked to %d entries", MAX_WALK);
	if (out->truncated)
		fv_probe_desc(out, ", truncated: extends to 0x%llx", (unsigned long long)end);
	return FV_OK;
}

const struct fv_format fv_format_elf = {
	"elf",
	"ELF executables, libraries and objects (identified and sized, not unpacked)",
	magics,
	probe,
	NULL,
	0,
};
