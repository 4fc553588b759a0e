/*
 * The lifter for PowerPC (see code.h), over capstone: 32-bit big-endian
 * (what firmware runs), and 64-bit in both byte orders, ELFv1 (big-endian,
 * function descriptors) and ELFv2.
 *
 * One capstone handle and one instruction buffer per open(), decoded with
 * cs_disasm_iter, so nothing is allocated per instruction.  Constants are
 * tracked in r0-r31, LR and CTR, each with the address it was loaded from
 * when it holds, unchanged, the word at a known address (a GOT or PLT
 * entry; also when the file does not hold that word and the value is
 * unknown, as in the 64-bit PLT, which is NOBITS).
 * Register effects come from capstone's operands; what a branch does comes
 * from the instruction word itself (the BO field and the LK bit), because
 * capstone 4 names some BO forms wrongly (it prints `bcl 20,31` as bdnzl).
 *
 * What is resolved:
 *   - 32-bit non-PIC: `lis; addi` and `lis; lwz` constants; calls `bl` to
 *     secure-PLT stubs (`lis r11,hi; lwz r11,lo(r11); mtctr r11; bctr`),
 *     which stub() reads.
 *   - 32-bit PIC/PIE (gcc -fPIC/-fPIE, secure PLT): the PIC register is
 *     found by following `bcl 20,31,.+4` (LR = the next address), mflr and
 *     the addis/addi/lwz/add that follow, also for the older form that
 *     jumps over an inline offset word (`bcl 20,31,1f; .long off; 1:
 *     mflr r30; lwz r0,0(r30); add r30,r0,r30`); once computed it is kept
 *     for the rest of the range, as gcc keeps it in r30 for the whole
 *     function.  Strings are `lwz rX,off(r30)` from .got2: PowerPC uses
 *     RELA and the linker leaves 0 in a PIE's file, so a word with an
 *     R_PPC_RELATIVE relocation (of DT_RELA) reads as its addend.
 *     Calls `bl` to stubs that index the caller's register (`lwz r11,
 *     off(r30); mtctr r11; bctr`, or with an addis first): stub() cannot
 *     know the slot, so the call carries both the stub (target) and the
 *     slot it jumps through, from the caller's r30.
 *   - 32-bit BSS-PLT (old binaries, -mbss-plt): the PLT is NOBITS and
 *     written by the dynamic linker, and its JMP_SLOT relocations point at
 *     the PLT entries themselves; best effort: a call to an address that is
 *     in a segment but not in the file gives that address as the stub's
 *     slot, which the relocations then name.  Calls that bypass the PLT
 *     through `b` to a shared resolver are not resolved.
 *   - 64-bit ELFv1 and ELFv2: r2 holds the TOC, taken from the binary
 *     (.TOC. in .symtab, the TOC word of the first .opd descriptor, or the
 *     descriptor e_entry points at, else .got + 0x8000) and then fixed;
 *     without it, an ELFv2 range starts with r12 = its start (the global
 *     entry convention) and the prologue's `addis r2,r12; addi r2,r2`
 *     computes it, and the TOC restore after a call (`ld r2,24(r1)`) keeps
 *     it.  Calls go `bl` to linker stubs (`std r2,24(r1); [addis r12,r2,hi;]
 *     ld r12,lo(r2|r12); mtctr r12; bctr`, and the ELFv1 form that also
 *     loads r2 and r11 from the descriptor): their slot is the PLT entry
 *     (the function descriptor on ELFv1) named by its JMP_SLOT relocation.
 *     Constants: `addis rX,r2,hi; addi rX,rX,lo`, `ld rX,off(r2)`.
 *   - ELFv1 function symbols are descriptors in .opd: the caller must lift
 *     from the entry the descriptor's first word holds.
 *
 * Forward branches carry their registers to their targets (as in
 * lift_mips.c).  Words capstone 4 does not decode but that belong to the
 * vector, VSX, SPE (e500) or floating-point opcodes, none of which
 * transfers control, are OTHER and forget the registers they name, so one
 * POWER8 `mfvrd` does not cut a function in two; other undecodable words
 * are STOP.
 *
 * Not resolved: POWER10 prefixed (pc-relative) instructions and PLT stubs,
 * which capstone 4 does not decode; calls through `bctar`; r13-relative
 * small data (SDA) constants; 64-bit ELFv2 code whose TOC cannot be found
 * and is lifted from its local entry point; ELFv2 stubs for callers
 * without a TOC (`mflr r0; bcl; mflr r11; ...`).
 *
 * Kinds: bl/bla/bcl (conditional or not) and bctrl/blrl are calls; `bcl
 * 20,31` to the next few words is taking the PC, not a call (OTHER when it
 * goes to the next instruction, JUMP over the inline word otherwise); blr
 * returns; a conditional return (beqlr) is a CJUMP without target; bctr
 * jumps through CTR (a tail call when CTR came from a slot); bdnz and the
 * other conditional branches are CJUMP; `trap` and tw/td/twi/tdi with all
 * five TO bits stop, other traps fall through.
 */
#include "analyze/elf/code.h"

#include <capstone/capstone.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

enum { EM_PPC = 20, EM_PPC64 = 21 };

/* Register numbers: r0-r31, then LR and CTR. */
enum { R0 = 0, R1 = 1, R2 = 2, R3 = 3, R11 = 11, R12 = 12, R30 = 30, LR = 32, CTR = 33, NREG = 34 };

/* What a call may change: r0, r3-r12, LR, CTR.  r1, r2 (the TOC) and r13-r31 survive. */
#define CLOBBER ((1ull << R0) | (0x3ffull << R3) | (1ull << LR) | (1ull << CTR))

struct ppc {
	csh h;
	cs_insn *insn;
	int is64, be;
	uint64_t mask;      /* address width */
	int elfv2;
	uint64_t toc;       /* fixed r2, 0 when unknown (and on 32-bit) */
	struct edges *edges;
	/* R_PPC_RELATIVE / R_PPC64_RELATIVE of DT_RELA, sorted by offset. */
	struct rel *rel;
	size_t nrel;
};

/*
 * A word the dynamic linker sets to load base + addend.  PowerPC uses RELA
 * and the linker leaves 0 in the file, so in a PIE the .got2 entries that
 * point at strings read as 0: the addend is their value.
 */
struct rel {
	uint64_t off, addend;
};

/* What is known at one point of a linear walk. */
struct regs {
	uint64_t known;     /* bit i: register i holds val[i] */
	uint64_t loaded;    /* bit i: register i holds, unchanged, the word at from[i] (even when unknown) */
	uint64_t pcrel;     /* bit i: val[i] was computed from the PC (bcl; mflr) */
	uint64_t val[NREG];
	uint64_t from[NREG];
};

/* Registers along forward branches not reached yet (as in lift_mips.c). */
#define MAX_EDGES 512
struct edge {
	uint64_t target;
	struct regs r;
};
struct edges {
	size_t n, cap;
	uint64_t min;
	struct edge v[];
};

/* capstone ids of instructions whose first operand is not a destination (stores, compares, mt*, traps, cache). */
static const uint8_t no_dest[PPC_INS_ENDING] = {
	[PPC_INS_CMPD] = 1, [PPC_INS_CMPDI] = 1, [PPC_INS_CMPLD] = 1, [PPC_INS_CMPLDI] = 1,
	[PPC_INS_CMPLW] = 1, [PPC_INS_CMPLWI] = 1, [PPC_INS_CMPW] = 1, [PPC_INS_CMPWI] = 1,
	[PPC_INS_DCBA] = 1, [PPC_INS_DCBF] = 1, [PPC_INS_DCBI] = 1, [PPC_INS_DCBST] = 1, [PPC_INS_DCBT] = 1,
	[PPC_INS_DCBTST] = 1, [PPC_INS_DCBZ] = 1, [PPC_INS_DCBZL] = 1, [PPC_INS_ICBI] = 1, [PPC_INS_ICBT] = 1,
	[PPC_INS_MTAMR] = 1, [PPC_INS_MTBR0] = 1, [PPC_INS_MTBR1] = 1, [PPC_INS_MTBR2] = 1, [PPC_INS_MTBR3] = 1,
	[PPC_INS_MTBR4] = 1, [PPC_INS_MTBR5] = 1, [PPC_INS_MTBR6] = 1, [PPC_INS_MTBR7] = 1,
	[PPC_INS_MTCFAR] = 1, [PPC_INS_MTCR] = 1, [PPC_INS_MTCRF] = 1, [PPC_INS_MTDAR] = 1,
	[PPC_INS_MTDBATL] = 1, [PPC_INS_MTDBATU] = 1, [PPC_INS_MTDCCR] = 1, [PPC_INS_MTDCR] = 1,
	[PPC_INS_MTDEAR] = 1, [PPC_INS_MTDSCR] = 1, [PPC_INS_MTDSISR] = 1, [PPC_INS_MTESR] = 1,
	[PPC_INS_MTFSB0] = 1, [PPC_INS_MTFSB1] = 1, [PPC_INS_MTFSF] = 1, [PPC_INS_MTFSFI] = 1,
	[PPC_INS_MTIBATL] = 1, [PPC_INS_MTIBATU] = 1, [PPC_INS_MTICCR] = 1, [PPC_INS_MTMSR] = 1,
	[PPC_INS_MTMSRD] = 1, [PPC_INS_MTOCRF] = 1, [PPC_INS_MTPID] = 1, [PPC_INS_MTSPEFSCR] = 1,
	[PPC_INS_MTSR] = 1, [PPC_INS_MTSRIN] = 1, [PPC_INS_MTSRR2] = 1, [PPC_INS_MTSRR3] = 1,
	[PPC_INS_MTTBHI] = 1, [PPC_INS_MTTBL] = 1, [PPC_INS_MTTBLO] = 1, [PPC_INS_MTTBU] = 1,
	[PPC_INS_MTTCR] = 1, [PPC_INS_MTVSCR] = 1, [PPC_INS_MTXER] = 1,
	[PPC_INS_STB] = 1, [PPC_INS_STBCIX] = 1, [PPC_INS_STBU] = 1, [PPC_INS_STBUX] = 1, [PPC_INS_STBX] = 1,
	[PPC_INS_STD] = 1, [PPC_INS_STDBRX] = 1, [PPC_INS_STDCIX] = 1, [PPC_INS_STDCX] = 1, [PPC_INS_STDU] = 1,
	[PPC_INS_STDUX] = 1, [PPC_INS_STDX] = 1, [PPC_INS_STFD] = 1, [PPC_INS_STFDU] = 1, [PPC_INS_STFDUX] = 1,
	[PPC_INS_STFDX] = 1, [PPC_INS_STFIWX] = 1, [PPC_INS_STFS] = 1, [PPC_INS_STFSU] = 1, [PPC_INS_STFSUX] = 1,
	[PPC_INS_STFSX] = 1, [PPC_INS_STH] = 1, [PPC_INS_STHBRX] = 1, [PPC_INS_STHCIX] = 1, [PPC_INS_STHU] = 1,
	[PPC_INS_STHUX] = 1, [PPC_INS_STHX] = 1, [PPC_INS_STMW] = 1, [PPC_INS_STSWI] = 1, [PPC_INS_STVEBX] = 1,
	[PPC_INS_STVEHX] = 1, [PPC_INS_STVEWX] = 1, [PPC_INS_STVX] = 1, [PPC_INS_STVXL] = 1, [PPC_INS_STW] = 1,
	[PPC_INS_STWBRX] = 1, [PPC_INS_STWCIX] = 1, [PPC_INS_STWCX] = 1, [PPC_INS_STWU] = 1, [PPC_INS_STWUX] = 1,
	[PPC_INS_STWX] = 1, [PPC_INS_STXSDX] = 1, [PPC_INS_STXVD2X] = 1, [PPC_INS_STXVW4X] = 1,
	[PPC_INS_TD] = 1, [PPC_INS_TDEQ] = 1, [PPC_INS_TDEQI] = 1, [PPC_INS_TDGT] = 1, [PPC_INS_TDGTI] = 1,
	[PPC_INS_TDI] = 1, [PPC_INS_TDLGT] = 1, [PPC_INS_TDLGTI] = 1, [PPC_INS_TDLLT] = 1, [PPC_INS_TDLLTI] = 1,
	[PPC_INS_TDLT] = 1, [PPC_INS_TDLTI] = 1, [PPC_INS_TDNE] = 1, [PPC_INS_TDNEI] = 1, [PPC_INS_TDU] = 1,
	[PPC_INS_TDUI] = 1, [PPC_INS_TW] = 1, [PPC_INS_TWEQ] = 1, [PPC_INS_TWEQI] = 1, [PPC_INS_TWGT] = 1,
	[PPC_INS_TWGTI] = 1, [PPC_INS_TWI] = 1, [PPC_INS_TWLGT] = 1, [PPC_INS_TWLGTI] = 1, [PPC_INS_TWLLT] = 1,
	[PPC_INS_TWLLTI] = 1, [PPC_INS_TWLT] = 1, [PPC_INS_TWLTI] = 1, [PPC_INS_TWNE] = 1, [PPC_INS_TWNEI] = 1,
	[PPC_INS_TWU] = 1, [PPC_INS_TWUI] = 1,
};

/* capstone ids of the update forms: the base register becomes the effective address. */
static const uint8_t updates[PPC_INS_ENDING] = {
	[PPC_INS_STBU] = 1, [PPC_INS_STBUX] = 1, [PPC_INS_STDU] = 1, [PPC_INS_STDUX] = 1,
	[PPC_INS_STFDU] = 1, [PPC_INS_STFDUX] = 1, [PPC_INS_STFSU] = 1, [PPC_INS_STFSUX] = 1,
	[PPC_INS_STHU] = 1, [PPC_INS_STHUX] = 1, [PPC_INS_STWU] = 1, [PPC_INS_STWUX] = 1,
	[PPC_INS_LBZU] = 1, [PPC_INS_LBZUX] = 1, [PPC_INS_LDU] = 1, [PPC_INS_LDUX] = 1,
	[PPC_INS_LFDU] = 1, [PPC_INS_LFDUX] = 1, [PPC_INS_LFSU] = 1, [PPC_INS_LFSUX] = 1,
	[PPC_INS_LHAU] = 1, [PPC_INS_LHAUX] = 1, [PPC_INS_LHZU] = 1, [PPC_INS_LHZUX] = 1,
	[PPC_INS_LWAUX] = 1, [PPC_INS_LWZU] = 1, [PPC_INS_LWZUX] = 1,
};

static int accepts(const struct fv_elf *e)
{
	return (e->machine == EM_PPC && e->cls == 32) || (e->machine == EM_PPC64 && e->cls == 64);
}

#define DT_RELA 7
#define DT_RELASZ 8
#define DT_RELAENT 9
#define R_PPC_RELATIVE 22 /* the same number on PPC64 */

static int by_off(const void *a, const void *b)
{
	const struct rel *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* Reads the RELATIVE relocations of DT_RELA (as far as they lie in the file); 0, or FV_ENOMEM. */
static int load_relative(struct ppc *st, const struct fv_code *c)
{
	const struct fv_elf *e = fv_code_elf(c);
	uint64_t rela = 0, relasz = 0, relaent = 0;
	struct fv_elf_dyn d;
	for (size_t i = 0; fv_elf_dyn(e, i, &d); i++) {
		if (d.tag == DT_RELA)
			rela = d.val;
		else if (d.tag == DT_RELASZ)
			relasz = d.val;
		else if (d.tag == DT_RELAENT)
			relaent = d.val;
	}
	unsigned ent = st->is64 ? 24 : 12, w = st->is64 ? 8 : 4;
	if (!rela || (relaent && relaent != ent))
		return 0;
	size_t avail;
	if (!fv_code_bytes(c, rela, &avail))
		return 0;
	size_t n = (size_t)((relasz < avail ? relasz : avail) / ent), k = 0;
	if (!n)
		return 0;
	st->rel = malloc(n * sizeof *st->rel);
	if (!st->rel)
		return FV_ENOMEM;
	int sorted = 1;
	for (size_t i = 0; i < n; i++) {
		uint64_t off, info, addend, a = rela + i * ent;
		if (!fv_code_read(c, a, w, &off) || !fv_code_read(c, a + w, w, &info) ||
		    !fv_code_read(c, a + 2 * w, w, &addend))
			break;
		if ((st->is64 ? info & 0xffffffff : info & 0xff) != R_PPC_RELATIVE)
			continue;
		if (k && off < st->rel[k - 1].off)
			sorted = 0;
		st->rel[k].off = off;
		st->rel[k].addend = addend & st->mask;
		k++;
	}
	st->nrel = k;
	if (!sorted)
		qsort(st->rel, k, sizeof *st->rel, by_off);
	return 0;
}

/* The word of size bytes at vaddr as the program sees it once relocated by RELATIVE; 0 when not in the file. */
static int read_word(const struct ppc *st, const struct fv_code *c, uint64_t vaddr, unsigned size, uint64_t *v)
{
	if (!fv_code_read(c, vaddr, size, v))
		return 0;
	if (st->nrel && size == (st->is64 ? 8u : 4u)) {
		size_t lo = 0, hi = st->nrel;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (st->rel[mid].off < vaddr)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < st->nrel && st->rel[lo].off == vaddr)
			*v = st->rel[lo].addend;
	}
	return 1;
}

/* An 8-byte word at vaddr, relocated, or 0. */
static uint64_t word64(const struct ppc *st, const struct fv_code *c, uint64_t vaddr)
{
	uint64_t v;
	return read_word(st, c, vaddr, 8, &v) ? v : 0;
}

/* Whether vaddr is file-backed inside a segment that is not executable (where .opd lives). */
static int in_data(const struct fv_elf *e, uint64_t vaddr)
{
	struct fv_elf_phdr ph;
	for (size_t i = 0; fv_elf_phdr(e, i, &ph); i++)
		if (ph.type == FV_PT_LOAD && !(ph.flags & 1) && vaddr >= ph.vaddr && vaddr - ph.vaddr < ph.filesz)
			return 1;
	return 0;
}

/* The 64-bit TOC pointer of the binary (see the top of the file), or 0. */
static uint64_t find_toc(const struct ppc *st, const struct fv_code *c, int elfv2)
{
	const struct fv_elf *e = fv_code_elf(c);
	struct fv_elf_sym s;
	for (size_t i = 0; fv_elf_sym(e, &e->symtab, i, &s); i++)
		if (s.value && s.shndx != FV_SHN_UNDEF && strcmp(s.name, ".TOC.") == 0)
			return s.value;
	uint64_t got = 0, opd = 0;
	struct fv_elf_shdr sh;
	for (size_t i = 0; fv_elf_shdr(e, i, &sh); i++) {
		if (strcmp(sh.name, ".got") == 0 && sh.addr)
			got = sh.addr;
		else if (strcmp(sh.name, ".opd") == 0 && sh.addr && sh.size >= 24)
			opd = sh.addr;
	}
	if (!elfv2) {
		uint64_t t = opd ? word64(st, c, opd + 8) : 0;
		if (!t && e->entry && in_data(e, e->entry))
			t = word64(st, c, e->entry + 8);
		if (t)
			return t;
	}
	return got ? got + 0x8000 : 0;
}

static void *open_ppc(const struct fv_code *c)
{
	const struct fv_elf *e = fv_code_elf(c);
	struct ppc *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	st->is64 = e->cls == 64;
	st->be = e->be;
	st->mask = st->is64 ? ~0ull : 0xffffffffull;
	/* e_flags 2 is ELFv2; little-endian 64-bit code is always ELFv2. */
	st->elfv2 = st->is64 && ((e->flags & 3) == 2 || !e->be);
	if (load_relative(st, c) != 0) {
		free(st);
		return NULL;
	}
	if (st->is64)
		st->toc = find_toc(st, c, st->elfv2);

	cs_mode mode = st->is64 ? CS_MODE_64 : CS_MODE_32;
	if (e->be)
		mode |= CS_MODE_BIG_ENDIAN;
	if (cs_open(CS_ARCH_PPC, mode, &st->h) != CS_ERR_OK) {
		free(st->rel);
		free(st);
		return NULL;
	}
	cs_option(st->h, CS_OPT_DETAIL, CS_OPT_ON);
	st->insn = cs_malloc(st->h);
	if (!st->insn) {
		cs_close(&st->h);
		free(st->rel);
		free(st);
		return NULL;
	}
	return st;
}

static void close_ppc(void *p)
{
	struct ppc *st = p;
	if (!st)
		return;
	free(st->edges);
	free(st->rel);
	cs_free(st->insn, 1);
	cs_close(&st->h);
	free(st);
}

/* capstone's register id -> 0..31, LR, CTR, or -1. */
static int reg_no(unsigned reg)
{
	if (reg >= PPC_REG_R0 && reg <= PPC_REG_R31)
		return (int)(reg - PPC_REG_R0);
	if (reg == PPC_REG_LR || reg == PPC_REG_LR8)
		return LR;
	if (reg == PPC_REG_CTR || reg == PPC_REG_CTR8)
		return CTR;
	if (reg == PPC_REG_X2)
		return R2;
	return -1;
}

/* The walk's constant state: what every range and every unreachable point starts from. */
struct base {
	int have_pic;
	int pic_reg;
	uint64_t pic_val;
};

static void reset(const struct ppc *st, const struct base *b, struct regs *r)
{
	r->known = 0;
	r->loaded = 0;
	r->pcrel = 0;
	if (st->toc) {
		r->known |= 1ull << R2;
		r->val[R2] = st->toc;
	}
	if (b && b->have_pic) {
		r->known |= 1ull << b->pic_reg;
		r->pcrel |= 1ull << b->pic_reg;
		r->val[b->pic_reg] = b->pic_val;
	}
}

static int get(const struct regs *r, int i, uint64_t *v)
{
	if (i < 0 || !(r->known & (1ull << i)))
		return 0;
	*v = r->val[i];
	return 1;
}

static void set(const struct ppc *st, struct regs *r, int i, uint64_t v, uint64_t from, int pcrel)
{
	if (i < 0 || (i == R2 && st->toc))
		return;
	r->known |= 1ull << i;
	r->val[i] = v & st->mask;
	r->from[i] = from;
	if (from)
		r->loaded |= 1ull << i;
	else
		r->loaded &= ~(1ull << i);
	if (pcrel)
		r->pcrel |= 1ull << i;
	else
		r->pcrel &= ~(1ull << i);
}

static void forget(const struct ppc *st, struct regs *r, int i)
{
	if (i < 0 || (i == R2 && st->toc))
		return;
	r->known &= ~(1ull << i);
	r->loaded &= ~(1ull << i);
	r->pcrel &= ~(1ull << i);
}

/* A word loaded from ea that the file does not hold (a NOBITS PLT entry): only where it came from is known. */
static void set_unknown_from(const struct ppc *st, struct regs *r, int i, uint64_t ea)
{
	if (i < 0 || (i == R2 && st->toc))
		return;
	forget(st, r, i);
	r->loaded |= 1ull << i;
	r->from[i] = ea;
}

/* to = src, with what is known of it. */
static void copy(const struct ppc *st, struct regs *r, int to, int src)
{
	if (src < 0 || to < 0)
		return;
	uint64_t from = (r->loaded >> src) & 1 ? r->from[src] : 0;
	if ((r->known >> src) & 1)
		set(st, r, to, r->val[src], from, (r->pcrel >> src) & 1);
	else if (from)
		set_unknown_from(st, r, to, from);
	else
		forget(st, r, to);
}

/* A 16-bit immediate as the instruction means it: signed for addi/addis/d-forms. */
static int64_t s16(int64_t v)
{
	return (int16_t)(uint16_t)(v & 0xffff);
}

/* rA of a D-form: r0 there means the number 0. */
static int base_value(const struct regs *r, unsigned reg, uint64_t *v)
{
	int i = reg_no(reg);
	if (i == R0) {
		*v = 0;
		return 1;
	}
	return get(r, i, v);
}

/*
 * The effect of one instruction that does not transfer control.  What is
 * not understood forgets its first operand, which is the destination of
 * every instruction not listed in no_dest[].
 */
static void exec(const struct ppc *st, const struct fv_code *c, struct regs *r, const cs_insn *in)
{
	const cs_ppc *d = &in->detail->ppc;
	const cs_ppc_op *op = d->operands;
	unsigned n = d->op_count;
	unsigned id = in->id;
	uint64_t a, b;

	if (id < PPC_INS_ENDING && updates[id]) {
		/* The base register becomes the effective address: not followed. */
		if (n >= 2 && op[1].type == PPC_OP_MEM)
			forget(st, r, reg_no(op[1].mem.base));
		else if (n >= 2 && op[1].type == PPC_OP_REG)
			forget(st, r, reg_no(op[1].reg));
	}
	if (id == PPC_INS_MTSPR) {
		/* mtspr 8/9 are mtlr/mtctr: the register is the second operand. */
		if (n == 2 && op[0].type == PPC_OP_IMM && op[1].type == PPC_OP_REG &&
		    (op[0].imm == 8 || op[0].imm == 9))
			copy(st, r, op[0].imm == 8 ? LR : CTR, reg_no(op[1].reg));
		return;
	}
	if (id == PPC_INS_MTLR || id == PPC_INS_MTCTR) {
		if (n == 1 && op[0].type == PPC_OP_REG)
			copy(st, r, id == PPC_INS_MTLR ? LR : CTR, reg_no(op[0].reg));
		return;
	}
	if (id < PPC_INS_ENDING && no_dest[id])
		return;
	if (n == 0 || op[0].type != PPC_OP_REG)
		return;
	int rd = reg_no(op[0].reg);
	if (rd < 0)
		return;
	int rs = n > 1 && op[1].type == PPC_OP_REG ? reg_no(op[1].reg) : -1;
	int has_imm = n > 2 && op[2].type == PPC_OP_IMM;
	int64_t imm = has_imm ? op[2].imm : 0;

	switch (id) {
	case PPC_INS_LI:
		if (n == 2 && op[1].type == PPC_OP_IMM)
			set(st, r, rd, (uint64_t)s16(op[1].imm), 0, 0);
		else
			forget(st, r, rd);
		return;
	case PPC_INS_LIS:
		if (n == 2 && op[1].type == PPC_OP_IMM)
			set(st, r, rd, (uint64_t)s16(op[1].imm) << 16, 0, 0);
		else
			forget(st, r, rd);
		return;
	case PPC_INS_ADDI:
	case PPC_INS_ADDIS:
		if (has_imm && n > 1 && op[1].type == PPC_OP_REG && base_value(r, op[1].reg, &a)) {
			uint64_t k = (uint64_t)s16(imm);
			if (id == PPC_INS_ADDIS)
				k <<= 16;
			set(st, r, rd, a + k, 0, rs > R0 && (r->pcrel & (1ull << rs)));
		} else {
			forget(st, r, rd);
		}
		return;
	case PPC_INS_ORI:
	case PPC_INS_ORIS:
		if (has_imm && get(r, rs, &a)) {
			uint64_t k = (uint64_t)imm & 0xffff;
			set(st, r, rd, a | (id == PPC_INS_ORIS ? k << 16 : k), 0, 0);
		} else {
			forget(st, r, rd);
		}
		return;
	case PPC_INS_MR:
		copy(st, r, rd, rs);
		return;
	case PPC_INS_OR:
	case PPC_INS_ADD: {
		int rt = n > 2 && op[2].type == PPC_OP_REG ? reg_no(op[2].reg) : -1;
		if (id == PPC_INS_OR && rs == rt) {
			copy(st, r, rd, rs);
		} else if (rt >= 0 && get(r, rs, &a) && get(r, rt, &b)) {
			int pc = (int)(((r->pcrel >> rs) | (r->pcrel >> rt)) & 1);
			set(st, r, rd, id == PPC_INS_OR ? a | b : a + b, 0, pc);
		} else {
			forget(st, r, rd);
		}
		return;
	}
	case PPC_INS_LWZ:
	case PPC_INS_LD:
		if (n == 2 && op[1].type == PPC_OP_MEM) {
			/* The TOC restore after a call (`ld r2,24(r1)`) gives back what r2 held. */
			if (st->is64 && rd == R2 && reg_no(op[1].mem.base) == R1)
				return;
			uint64_t v;
			unsigned size = id == PPC_INS_LD ? 8 : 4;
			if (base_value(r, op[1].mem.base, &a)) {
				uint64_t ea = (a + (uint64_t)(int64_t)op[1].mem.disp) & st->mask;
				if (read_word(st, c, ea, size, &v))
					set(st, r, rd, v, ea, 0);
				else
					set_unknown_from(st, r, rd, ea);
				return;
			}
		}
		forget(st, r, rd);
		return;
	case PPC_INS_MFLR:
		copy(st, r, rd, LR);
		return;
	case PPC_INS_MFCTR:
		copy(st, r, rd, CTR);
		return;
	case PPC_INS_LMW:
		for (int i = rd; i >= 0 && i < 32; i++)
			forget(st, r, i);
		return;
	default:
		forget(st, r, rd);
		return;
	}
}

/* The instruction word, in the ELF's byte order. */
static uint32_t word_of(const struct ppc *st, const uint8_t *b)
{
	if (st->be)
		return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

/*
 * A stub at addr, read from its words with the registers in r (the
 * caller's, or only the TOC): up to eight of addis, addi, lwz, ld, std, stw,
 * mr, mtctr and nop, ending in bctr.  1 and *slot when CTR then holds the
 * word at a known address (whether or not the file holds it: the 64-bit
 * PLT is NOBITS).
 */
static int read_stub(const struct ppc *st, const struct fv_code *c, uint64_t addr, const struct regs *in_r,
		     uint64_t *slot)
{
	size_t avail;
	const uint8_t *p = fv_code_bytes(c, addr, &avail);
	if (!p || (addr & 3))
		return 0;
	uint64_t known = 0, loaded = 0, val[NREG] = { 0 }, from[NREG] = { 0 };
	if (in_r) {
		/* Only r0-r31 are taken from the caller; CTR is the stub's to set. */
		known = in_r->known & 0xffffffffull;
		memcpy(val, in_r->val, sizeof val);
	}
	if (st->toc) {
		known |= 1ull << R2;
		val[R2] = st->toc;
	}
	for (unsigned k = 0; k < 8 && avail >= 4; k++, p += 4, avail -= 4) {
		uint32_t w = word_of(st, p);
		unsigned opc = w >> 26, rt = (w >> 21) & 31, ra = (w >> 16) & 31, rb = (w >> 11) & 31;
		unsigned xo = (w >> 1) & 0x3ff;
		uint64_t base = ra ? val[ra] : 0, bit = 1ull << rt;
		int have_base = ra == 0 || ((known >> ra) & 1);
		switch (opc) {
		case 14: /* addi */
		case 15: /* addis */
			loaded &= ~bit;
			if (!have_base) {
				known &= ~bit;
				break;
			}
			val[rt] = (base + ((uint64_t)(int64_t)(int16_t)(w & 0xffff) << (opc == 15 ? 16 : 0))) & st->mask;
			known |= bit;
			break;
		case 32: /* lwz */
		case 58: { /* ld (DS-form, xo 0) */
			if (opc == 58 && (w & 3) != 0)
				return 0;
			int64_t disp = opc == 32 ? (int16_t)(w & 0xffff) : (int16_t)(w & 0xfffc);
			uint64_t ea = (base + (uint64_t)disp) & st->mask;
			known &= ~bit;
			loaded &= ~bit;
			if (!have_base)
				break;
			loaded |= bit;
			from[rt] = ea;
			if (read_word(st, c, ea, opc == 32 ? 4 : 8, &val[rt]))
				known |= bit;
			break;
		}
		case 36: /* stw */
		case 62: /* std */
			break;
		case 24: /* ori: only the nop */
			if (w != 0x60000000)
				return 0;
			break;
		case 31:
			if (xo == 467 && (((w >> 16) & 31) | (((w >> 11) & 31) << 5)) == 9) { /* mtctr rt */
				if (!((loaded >> rt) & 1))
					return 0;
				from[CTR] = from[rt];
				loaded |= 1ull << CTR;
			} else if (xo == 444 && rt == rb) { /* mr ra,rt */
				uint64_t abit = 1ull << ra;
				known = (known & ~abit) | (((known >> rt) & 1) << ra);
				loaded = (loaded & ~abit) | (((loaded >> rt) & 1) << ra);
				val[ra] = val[rt];
				from[ra] = from[rt];
			} else {
				return 0;
			}
			break;
		case 19: /* bctr */
			if (xo != 528 || (w & 1) || ((w >> 21) & 0x14) != 0x14 || !((loaded >> CTR) & 1))
				return 0;
			*slot = from[CTR];
			return 1;
		default:
			return 0;
		}
	}
	return 0;
}

/* Whether addr is inside a PT_LOAD but past the file's bytes of it (a NOBITS PLT). */
static int in_bss(const struct fv_code *c, uint64_t addr)
{
	const struct fv_elf *e = fv_code_elf(c);
	struct fv_elf_phdr ph;
	for (size_t i = 0; fv_elf_phdr(e, i, &ph); i++)
		if (ph.type == FV_PT_LOAD && addr >= ph.vaddr && addr - ph.vaddr >= ph.filesz &&
		    addr - ph.vaddr < ph.memsz)
			return 1;
	return 0;
}

static int stub_ppc(void *stv, const struct fv_code *c, uint64_t addr, uint64_t *slot)
{
	struct ppc *st = stv;
	if (read_stub(st, c, addr, NULL, slot))
		return 1;
	/* BSS-PLT: the entry is written at run time and its JMP_SLOT relocation is the entry itself. */
	if (!st->is64 && !(addr & 3) && in_bss(c, addr)) {
		*slot = addr;
		return 1;
	}
	return 0;
}

static int64_t sext(uint32_t v, unsigned bits)
{
	return (int64_t)((uint64_t)v << (64 - bits)) >> (64 - bits);
}

/*
 * Sets o->kind, o->target and o->slot when the word w transfers control
 * (from the registers before it) and returns 1; 0 for other instructions.
 * *takes_pc is set for `bcl 20,31` to the next few words, which only
 * writes LR with the address after it.
 */
static int transfer(const struct ppc *st, const struct regs *r, uint32_t w, uint64_t addr, struct fv_insn *o,
		    int *takes_pc)
{
	unsigned opc = w >> 26, bo = (w >> 21) & 31, xo = (w >> 1) & 0x3ff;
	int lk = w & 1, always = (bo & 0x14) == 0x14;
	*takes_pc = 0;
	switch (opc) {
	case 18: { /* b, ba, bl, bla */
		uint64_t t = (uint64_t)sext(w & 0x03fffffc, 26);
		o->target = ((w & 2) ? t : addr + t) & st->mask;
		o->kind = lk ? FV_IK_CALL : FV_IK_JUMP;
		return 1;
	}
	case 16: { /* bc */
		uint64_t t = (uint64_t)sext(w & 0xfffc, 16);
		o->target = ((w & 2) ? t : addr + t) & st->mask;
		if (lk && always && o->target > addr && o->target <= addr + 64) {
			/* bcl 20,31 to just after itself: LR = the next address, the PIC idiom. */
			*takes_pc = 1;
			if (o->target == addr + 4) {
				o->kind = FV_IK_OTHER;
				o->target = 0;
			} else {
				o->kind = FV_IK_JUMP;
			}
			return 1;
		}
		o->kind = lk ? FV_IK_CALL : always ? FV_IK_JUMP : FV_IK_CJUMP;
		return 1;
	}
	case 19:
		if (xo == 16) { /* bclr */
			if (lk) {
				uint64_t v;
				o->kind = FV_IK_CALL;
				if ((r->loaded >> LR) & 1)
					o->slot = r->from[LR];
				else if (get(r, LR, &v))
					o->target = v;
			} else {
				o->kind = always ? FV_IK_RET : FV_IK_CJUMP;
			}
			return 1;
		}
		if (xo == 528) { /* bcctr */
			uint64_t v;
			o->kind = lk ? FV_IK_CALL : always ? FV_IK_JUMP : FV_IK_CJUMP;
			if ((r->loaded >> CTR) & 1)
				o->slot = r->from[CTR];
			else if (get(r, CTR, &v))
				o->target = v;
			return 1;
		}
		if (xo == 560) { /* bctar: the target register is not followed */
			o->kind = lk ? FV_IK_CALL : always ? FV_IK_JUMP : FV_IK_CJUMP;
			return 1;
		}
		if (xo == 50 || xo == 18 || xo == 274) { /* rfi, rfid, hrfid */
			o->kind = FV_IK_RET;
			return 1;
		}
		return 0;
	case 2: /* tdi */
	case 3: /* twi */
		if (bo != 31)
			return 0;
		o->kind = FV_IK_STOP;
		return 1;
	case 31:
		if ((xo == 4 || xo == 68) && bo == 31) { /* tw, td: `trap` is tw 31,0,0 */
			o->kind = FV_IK_STOP;
			return 1;
		}
		return 0;
	default:
		return 0;
	}
}

static void take_args(const struct regs *r, struct fv_insn *o)
{
	uint64_t v;
	for (unsigned i = 0; i < FV_NARGS; i++)
		if (get(r, R3 + (int)i, &v)) {
			o->arg[i] = v;
			o->argk |= (uint8_t)(1u << i);
		}
}

static void add_edge(struct ppc *st, uint64_t target, const struct regs *r)
{
	struct edges *e = st->edges;
	if (!e || e->n == e->cap) {
		size_t cap = e ? e->cap * 2 : 16;
		if (cap > MAX_EDGES)
			return;
		e = realloc(e, sizeof *e + cap * sizeof e->v[0]);
		if (!e)
			return;
		if (!st->edges)
			e->n = 0, e->min = UINT64_MAX;
		e->cap = cap;
		st->edges = e;
	}
	e->v[e->n].target = target;
	e->v[e->n].r = *r;
	e->n++;
	if (target < e->min)
		e->min = target;
}

static void meet(struct regs *a, const struct regs *b)
{
	uint64_t k = a->known & b->known, l = a->loaded & b->loaded;
	for (int i = 0; i < NREG; i++) {
		uint64_t bit = 1ull << i;
		if ((l & bit) && a->from[i] != b->from[i])
			l &= ~bit;
		if ((k & bit) && (a->val[i] != b->val[i] || ((a->loaded ^ b->loaded) & bit) ||
				  ((a->loaded & bit) && !(l & bit))))
			k &= ~bit;
	}
	a->known = k;
	a->loaded = l;
	a->pcrel &= b->pcrel & k;
}

static void join(struct edges *e, uint64_t addr, struct regs *r, int *live)
{
	uint64_t min = UINT64_MAX;
	for (size_t i = 0; i < e->n;) {
		if (e->v[i].target <= addr) {
			if (e->v[i].target == addr) {
				if (*live) {
					meet(r, &e->v[i].r);
				} else {
					*r = e->v[i].r;
					*live = 1;
				}
			}
			/* Taken (or passed): the last edge fills its place. */
			if (i != --e->n)
				e->v[i] = e->v[e->n];
			continue;
		}
		if (e->v[i].target < min)
			min = e->v[i].target;
		i++;
	}
	e->min = min;
}

/*
 * Whether a word capstone 4 does not decode belongs to the vector, VSX,
 * SPE or floating-point opcodes, or to the X-form group (31) that gained
 * VSX moves in POWER8: none of them transfers control (traps are decoded),
 * so the walk goes on over them.
 */
static int vector_or_float(uint32_t w)
{
	switch (w >> 26) {
	case 4: case 31: case 56: case 57: case 59: case 60: case 61: case 63:
		return (w >> 26) != 31 || ((((w >> 1) & 0x3ff) != 4 && ((w >> 1) & 0x3ff) != 68));
	default:
		return 0;
	}
}

static int lift_ppc(void *stv, const struct fv_code *c, uint64_t start, uint64_t end, struct fv_insns *out)
{
	struct ppc *st = stv;
	size_t avail;
	if (end <= start)
		return 0;
	const uint8_t *code = fv_code_bytes(c, start, &avail);
	if (!code)
		return 0;
	size_t size = end - start < avail ? (size_t)(end - start) : avail;
	uint64_t addr = start;
	if (st->edges) {
		st->edges->n = 0;
		st->edges->min = UINT64_MAX;
	}

	struct base b = { 0 };
	struct regs r = { 0 };
	reset(st, &b, &r);
	/* ELFv2: a function's global entry receives its own address in r12. */
	if (st->elfv2)
		set(st, &r, R12, start, 0, 0);
	int live = 1;

	while (size > 0) {
		if (st->edges && addr >= st->edges->min)
			join(st->edges, addr, &r, &live);
		live = 1;
		struct fv_insn *o = fv_insns_push(out);
		if (!o)
			return FV_ENOMEM;
		o->addr = addr;
		if (!cs_disasm_iter(st->h, &code, &size, &addr, st->insn)) {
			unsigned n = size < 4 ? (unsigned)size : 4;
			o->size = (uint8_t)n;
			o->kind = FV_IK_STOP;
			if (n == 4 && vector_or_float(word_of(st, code))) {
				/* Newer than capstone 4 (POWER8/9 VSX, SPE): goes on, forgetting what it may write. */
				uint32_t w = word_of(st, code);
				o->kind = FV_IK_OTHER;
				forget(st, &r, (int)((w >> 21) & 31));
				forget(st, &r, (int)((w >> 16) & 31));
			}
			code += n;
			size -= n;
			addr += n;
			if (o->kind == FV_IK_STOP) {
				reset(st, &b, &r);
				live = 0;
			}
			continue;
		}
		const cs_insn *in = st->insn;
		o->size = (uint8_t)in->size;
		uint32_t w = word_of(st, in->bytes);
		int takes_pc;

		if (!transfer(st, &r, w, o->addr, o, &takes_pc)) {
			exec(st, c, &r, in);
			/*
			 * A callee-saved register just computed from the PC is the PIC
			 * base (gcc's r30): it is kept for the rest of the range.
			 */
			const cs_ppc *d = &in->detail->ppc;
			int rd = d->op_count && d->operands[0].type == PPC_OP_REG ? reg_no(d->operands[0].reg) : -1;
			if (rd >= 14 && rd < 32 && (r.pcrel & r.known & (1ull << rd))) {
				b.have_pic = 1;
				b.pic_reg = rd;
				b.pic_val = r.val[rd];
			}
			continue;
		}
		if (takes_pc) {
			set(st, &r, LR, o->addr + 4, 0, 1);
			if (o->kind == FV_IK_JUMP) {
				/* Over an inline word: the walk resumes at the target with LR known. */
				add_edge(st, o->target, &r);
				reset(st, &b, &r);
				live = 0;
			}
			continue;
		}

		if ((o->kind == FV_IK_CALL || o->kind == FV_IK_JUMP) && o->target && !o->slot) {
			/* A stub that indexes the caller's register: only this call site knows its slot. */
			uint64_t slot;
			if (!stub_ppc(st, c, o->target, &slot) && read_stub(st, c, o->target, &r, &slot))
				o->slot = slot;
		}
		if (o->kind == FV_IK_CALL ||
		    (o->kind == FV_IK_JUMP && (o->slot || (o->target && (o->target < start || o->target >= end)))))
			take_args(&r, o);
		/* bdnz and friends (BO bit 2 clear) count CTR down. */
		if ((w >> 26) == 16 && !((w >> 21) & 4))
			forget(st, &r, CTR);
		if ((o->kind == FV_IK_JUMP || o->kind == FV_IK_CJUMP) && o->target > o->addr && o->target < end)
			add_edge(st, o->target, &r);

		switch (o->kind) {
		case FV_IK_CALL: {
			uint64_t t = o->target;
			for (int i = 0; i < NREG; i++)
				if (CLOBBER & (1ull << i))
					forget(st, &r, i);
			/* `bl` to a `blrl` (the old GOT[-1] trick) returns at once with LR = the word after it. */
			uint64_t v;
			if (t && fv_code_read(c, t, 4, &v) && v == 0x4e800021)
				set(st, &r, LR, t + 4, 0, 1);
			break;
		}
		case FV_IK_JUMP:
		case FV_IK_RET:
		case FV_IK_STOP:
			reset(st, &b, &r);
			live = 0;
			break;
		default:
			break;
		}
	}
	return 0;
}

const struct fv_lifter fv_lifter_ppc = {
	.name = "ppc",
	.accepts = accepts,
	.open = open_ppc,
	.close = close_ppc,
	.lift = lift_ppc,
	.stub = stub_ppc,
};
