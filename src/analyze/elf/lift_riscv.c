/*
 * The lifter for RISC-V (see code.h): RV32 and RV64 by the ELF class,
 * little-endian, with the compressed (C) forms.  Capstone 4 has no RISC-V,
 * so this is a decoder of our own, of only what call sites need:
 *
 *   - every instruction's length (16-bit compressed when the low two bits are
 *     not 11, else 32-bit; the 48-bit and longer forms become one STOP of
 *     their length);
 *   - control flow: JAL, JALR, the branches and their compressed forms
 *     (`jal ra` and `jalr ra` are calls, `jalr x0, 0(ra)` / `c.jr ra` return,
 *     any other `jalr x0` is a jump or a tail call);
 *   - the constants call arguments are built from: LUI, AUIPC, ADDI(W), ADD,
 *     MV, LI, and LW/LD from a constant address (the file's word there: a
 *     GOT entry), with their compressed forms.
 *
 * Every other valid instruction forgets the integer register it writes.
 * gp holds __global_pointer$ for the whole program (non-PIC code is relaxed
 * to `addi a0, gp, off`), so its value is found once per binary and kept.
 * A jump through a slot or out of the lifted range is a tail call
 * (`j strcpy@plt`), and carries a0-a3 like a call.
 */
#include "analyze/elf/code.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"

enum { RA = 1, SP = 2, GP = 3, A0 = 10 };

/* What a call may change: ra, t0-t2, a0-a7, t3-t6 (the psABI's caller-saved registers). */
#define CLOBBER ((1u << RA) | (7u << 5) | (0xffu << 10) | (0xfu << 28))

struct rv {
	int is64;
	uint64_t mask;   /* address width */
	int gp_known;
	uint64_t gp;
};

struct regs {
	uint32_t known;  /* v[i] holds x[i] */
	uint32_t loaded; /* x[i] was read from memory at from[i], a constant address */
	uint64_t v[32], from[32];
	uint64_t lo, hi;  /* the range lifted: a jump out of it is a tail call */
};

/* ---- fields ------------------------------------------------------------------ */

static int64_t sx(uint64_t v, unsigned bits)
{
	uint64_t m = 1ull << (bits - 1);
	v &= (m << 1) - 1;
	return (int64_t)((v ^ m) - m);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The length in bytes of the instruction whose first 16 bits are lo; 0 for the reserved 192-bit-and-up form. */
static unsigned insn_len(unsigned lo)
{
	if ((lo & 3) != 3)
		return 2;
	if ((lo & 0x1c) != 0x1c)
		return 4;
	if ((lo & 0x20) == 0)
		return 6;
	if ((lo & 0x40) == 0)
		return 8;
	unsigned nnn = (lo >> 12) & 7;
	return nnn == 7 ? 0 : 10 + 2 * nnn;
}

static int64_t imm_i(uint32_t w) { return sx(w >> 20, 12); }
static int64_t imm_u(uint32_t w) { return sx(w & 0xfffff000u, 32); }

static int64_t imm_b(uint32_t w)
{
	return sx(((w >> 31) & 1) << 12 | ((w >> 7) & 1) << 11 | ((w >> 25) & 0x3f) << 5 | ((w >> 8) & 0xf) << 1, 13);
}

static int64_t imm_j(uint32_t w)
{
	return sx(((w >> 31) & 1) << 20 | ((w >> 12) & 0xff) << 12 | ((w >> 20) & 1) << 11 | ((w >> 21) & 0x3ff) << 1,
		  21);
}

/* c.j / c.jal: offset[11|4|9:8|10|6|7|3:1|5] in bits 12:2. */
static int64_t imm_cj(unsigned h)
{
	return sx(((h >> 12) & 1) << 11 | ((h >> 11) & 1) << 4 | ((h >> 9) & 3) << 8 | ((h >> 8) & 1) << 10 |
			  ((h >> 7) & 1) << 6 | ((h >> 6) & 1) << 7 | ((h >> 3) & 7) << 1 | ((h >> 2) & 1) << 5,
		  12);
}

/* c.beqz / c.bnez: offset[8|4:3] in bits 12:10, offset[7:6|2:1|5] in bits 6:2. */
static int64_t imm_cb(unsigned h)
{
	return sx(((h >> 12) & 1) << 8 | ((h >> 10) & 3) << 3 | ((h >> 5) & 3) << 6 | ((h >> 3) & 3) << 1 |
			  ((h >> 2) & 1) << 5,
		  9);
}

/* c.li, c.addi, c.addiw: imm[5] in bit 12, imm[4:0] in bits 6:2. */
static int64_t imm_ci(unsigned h) { return sx(((h >> 12) & 1) << 5 | ((h >> 2) & 0x1f), 6); }

/* ---- register file ------------------------------------------------------------ */

static void reset(const struct rv *st, struct regs *r)
{
	r->known = 0;
	r->loaded = 0;
	if (st->gp_known) {
		r->known = 1u << GP;
		r->v[GP] = st->gp;
	}
}

static int get(const struct regs *r, unsigned x, uint64_t *v)
{
	if (x == 0) {
		*v = 0;
		return 1;
	}
	*v = r->v[x];
	return (r->known >> x) & 1;
}

/* Writes x[rd]; known 0 forgets it; from is the constant address it was loaded from, or 0. */
static void set(const struct rv *st, struct regs *r, unsigned rd, int known, uint64_t v, uint64_t from)
{
	if (rd == 0)
		return;
	r->known &= ~(1u << rd);
	r->loaded &= ~(1u << rd);
	if (known) {
		r->v[rd] = v & st->mask;
		r->known |= 1u << rd;
	}
	if (from) {
		r->from[rd] = from;
		r->loaded |= 1u << rd;
	}
}

static void forget(const struct rv *st, struct regs *r, unsigned rd) { set(st, r, rd, 0, 0, 0); }

/* rd = rs1 + imm, keeping where rs1 was loaded from when imm is 0 (`mv`). */
static void addi(const struct rv *st, struct regs *r, unsigned rd, unsigned rs1, int64_t imm, int word)
{
	uint64_t v;
	int known = get(r, rs1, &v);
	v += (uint64_t)imm;
	if (word)
		v = (uint64_t)sx(v, 32);
	uint64_t from = imm == 0 && rs1 && ((r->loaded >> rs1) & 1) ? r->from[rs1] : 0;
	set(st, r, rd, known, v, from);
}

static void add(const struct rv *st, struct regs *r, unsigned rd, unsigned rs1, unsigned rs2)
{
	uint64_t a, b;
	int known = get(r, rs1, &a) & get(r, rs2, &b);
	set(st, r, rd, known, a + b, 0);
}

/* A load of n bytes at x[rs1] + off: the file's word when the address is a constant. */
static void load(const struct rv *st, const struct fv_code *c, struct regs *r, unsigned rd, unsigned rs1,
		 int64_t off, unsigned n)
{
	uint64_t base, v = 0;
	if (!get(r, rs1, &base)) {
		forget(st, r, rd);
		return;
	}
	uint64_t a = (base + (uint64_t)off) & st->mask;
	int known = fv_code_read(c, a, n, &v);
	if (known && n == 4 && st->is64)
		v = (uint64_t)sx(v, 32); /* lw sign-extends */
	set(st, r, rd, known, v, a);
}

/* ---- control flow ---------------------------------------------------------------- */

/* Where a jalr through x[rs1] + imm goes: a slot when rs1 came from a constant address, else a constant. */
static void through(const struct rv *st, const struct regs *r, unsigned rs1, int64_t imm, struct fv_insn *o)
{
	uint64_t v;
	if (imm == 0 && rs1 && ((r->loaded >> rs1) & 1))
		o->slot = r->from[rs1];
	else if (get(r, rs1, &v))
		o->target = (v + (uint64_t)imm) & st->mask & ~1ull;
}

static void args(const struct regs *r, struct fv_insn *o)
{
	for (unsigned i = 0; i < FV_NARGS; i++)
		if ((r->known >> (A0 + i)) & 1) {
			o->arg[i] = r->v[A0 + i];
			o->argk |= (uint8_t)(1u << i);
		}
}

static void call(struct regs *r, struct fv_insn *o)
{
	o->kind = FV_IK_CALL;
	args(r, o);
	r->known &= ~CLOBBER;
	r->loaded &= ~CLOBBER;
}

/* A JUMP, RET or STOP: the next instruction is reached from elsewhere. */
static void jump(const struct rv *st, struct regs *r, struct fv_insn *o, unsigned kind)
{
	o->kind = (uint8_t)kind;
	/* A tail call (through a slot, or out of the range) passes the arguments of the call it replaces. */
	if (kind == FV_IK_JUMP && (o->slot || (o->target && (o->target < r->lo || o->target >= r->hi))))
		args(r, o);
	reset(st, r);
}

/* ---- one instruction ----------------------------------------------------------------- */

static void step32(const struct rv *st, const struct fv_code *c, struct regs *r, uint32_t w, uint64_t pc,
		   struct fv_insn *o)
{
	unsigned opc = w & 0x7f, rd = (w >> 7) & 31, f3 = (w >> 12) & 7, rs1 = (w >> 15) & 31, rs2 = (w >> 20) & 31;

	switch (opc) {
	case 0x37: /* lui */
		set(st, r, rd, 1, (uint64_t)imm_u(w), 0);
		return;
	case 0x17: /* auipc */
		set(st, r, rd, 1, pc + (uint64_t)imm_u(w), 0);
		return;
	case 0x6f: /* jal: with a link register a call, else a jump */
		o->target = (pc + (uint64_t)imm_j(w)) & st->mask;
		if (rd)
			call(r, o);
		else
			jump(st, r, o, FV_IK_JUMP);
		return;
	case 0x67: /* jalr */
		if (f3 != 0)
			break;
		if (rd) {
			through(st, r, rs1, imm_i(w), o);
			call(r, o);
		} else if (rs1 == RA && imm_i(w) == 0) {
			jump(st, r, o, FV_IK_RET);
		} else {
			through(st, r, rs1, imm_i(w), o);
			jump(st, r, o, FV_IK_JUMP);
		}
		return;
	case 0x63: /* beq bne - - blt bge bltu bgeu */
		if (f3 == 2 || f3 == 3)
			break;
		o->kind = FV_IK_CJUMP;
		o->target = (pc + (uint64_t)imm_b(w)) & st->mask;
		return;
	case 0x03: /* lb lh lw ld lbu lhu lwu */
		if (f3 == 7 || (!st->is64 && (f3 == 3 || f3 == 6)))
			break;
		if (f3 == 2 || f3 == 3)
			load(st, c, r, rd, rs1, imm_i(w), f3 == 2 ? 4 : 8);
		else
			forget(st, r, rd);
		return;
	case 0x13: /* addi (li, mv) and the other immediate operations */
		if (f3 == 0)
			addi(st, r, rd, rs1, imm_i(w), 0);
		else
			forget(st, r, rd);
		return;
	case 0x1b: /* addiw (RV64) */
	case 0x3b: /* the other 32-bit operations (RV64) */
		if (!st->is64)
			break;
		if (opc == 0x1b && f3 == 0)
			addi(st, r, rd, rs1, imm_i(w), 1);
		else
			forget(st, r, rd);
		return;
	case 0x33: /* add, and the rest of OP */
		if (f3 == 0 && (w >> 25) == 0)
			add(st, r, rd, rs1, rs2);
		else
			forget(st, r, rd);
		return;
	case 0x73: /* system */
		if (w == 0x00100073 || w == 0xc0001073) { /* ebreak; unimp (csrrw x0, cycle, x0) */
			jump(st, r, o, FV_IK_STOP);
			return;
		}
		if (w == 0x30200073 || w == 0x10200073) { /* mret, sret */
			jump(st, r, o, FV_IK_RET);
			return;
		}
		if (f3 != 0)
			forget(st, r, rd); /* csr* */
		return;
	case 0x23: /* stores, fences and floating-point loads write no integer register */
	case 0x27:
	case 0x0f:
	case 0x07:
	case 0x43:
	case 0x47:
	case 0x4b:
	case 0x4f:
		return;
	default: /* OP-FP (fmv.x.w, fcvt.w.s, feq), AMO, vector (vsetvli), custom: rd may be an integer register */
		forget(st, r, rd);
		return;
	}
	jump(st, r, o, FV_IK_STOP);
}

static void step16(const struct rv *st, const struct fv_code *c, struct regs *r, unsigned h, uint64_t pc,
		   struct fv_insn *o)
{
	unsigned rd = (h >> 7) & 31, rs2 = (h >> 2) & 31, rdp = 8 + ((h >> 2) & 7), rs1p = 8 + ((h >> 7) & 7);

	switch ((h & 3) << 3 | h >> 13) {
	case 000: /* c.addi4spn: sp is not tracked */
		if (h == 0 || ((h >> 5) & 0xff) == 0)
			break; /* c.unimp (all zero), or the reserved nzuimm 0 */
		forget(st, r, rdp);
		return;
	case 002: /* c.lw */
		load(st, c, r, rdp, rs1p, ((h >> 10) & 7) << 3 | ((h >> 6) & 1) << 2 | ((h >> 5) & 1) << 6, 4);
		return;
	case 003: /* RV64 c.ld; RV32 c.flw */
		if (st->is64)
			load(st, c, r, rdp, rs1p, ((h >> 10) & 7) << 3 | ((h >> 5) & 3) << 6, 8);
		return;
	case 004: /* reserved in C; Zcb's byte and half loads */
		forget(st, r, rdp);
		return;
	case 001: /* c.fld, and the stores */
	case 005:
	case 006:
	case 007:
		return;

	case 010: /* c.addi, c.nop */
		addi(st, r, rd, rd, imm_ci(h), 0);
		return;
	case 011: /* RV64 c.addiw; RV32 c.jal */
		if (!st->is64) {
			o->target = (pc + (uint64_t)imm_cj(h)) & st->mask;
			call(r, o);
			return;
		}
		if (rd == 0)
			break;
		addi(st, r, rd, rd, imm_ci(h), 1);
		return;
	case 012: /* c.li */
		set(st, r, rd, 1, (uint64_t)imm_ci(h), 0);
		return;
	case 013: /* c.addi16sp; c.lui */
		if (rd == SP) {
			if (((h >> 12) & 1) == 0 && ((h >> 2) & 0x1f) == 0)
				break;
			forget(st, r, SP);
		} else {
			int64_t imm = sx((uint64_t)((h >> 12) & 1) << 17 | (uint64_t)((h >> 2) & 0x1f) << 12, 18);
			set(st, r, rd, imm != 0, (uint64_t)imm, 0);
		}
		return;
	case 014: /* c.srli c.srai c.andi c.sub c.xor c.or c.and c.subw c.addw, and Zcb's */
		forget(st, r, rs1p);
		return;
	case 015: /* c.j */
		o->target = (pc + (uint64_t)imm_cj(h)) & st->mask;
		jump(st, r, o, FV_IK_JUMP);
		return;
	case 016: /* c.beqz, c.bnez */
	case 017:
		o->kind = FV_IK_CJUMP;
		o->target = (pc + (uint64_t)imm_cb(h)) & st->mask;
		return;

	case 020: /* c.slli */
		forget(st, r, rd);
		return;
	case 022: /* c.lwsp: sp is not tracked */
		if (rd == 0)
			break;
		forget(st, r, rd);
		return;
	case 023: /* RV64 c.ldsp; RV32 c.flwsp */
		if (!st->is64)
			return;
		if (rd == 0)
			break;
		forget(st, r, rd);
		return;
	case 024:
		if (((h >> 12) & 1) == 0) {
			if (rs2) { /* c.mv */
				addi(st, r, rd, rs2, 0, 0);
				return;
			}
			if (rd == 0) /* c.jr x0 is reserved */
				break;
			if (rd == RA) {
				jump(st, r, o, FV_IK_RET);
				return;
			}
			through(st, r, rd, 0, o);
			jump(st, r, o, FV_IK_JUMP);
			return;
		}
		if (rs2) { /* c.add */
			add(st, r, rd, rd, rs2);
			return;
		}
		if (rd == 0) /* c.ebreak */
			break;
		through(st, r, rd, 0, o); /* c.jalr */
		call(r, o);
		return;
	case 021: /* c.fldsp, and the stores */
	case 025:
	case 026:
	case 027:
		return;
	}
	jump(st, r, o, FV_IK_STOP);
}

static int lift_riscv(void *stv, const struct fv_code *c, uint64_t start, uint64_t end, struct fv_insns *out)
{
	const struct rv *st = stv;
	struct regs r;
	reset(st, &r);
	uint64_t addr = start;
	if (st->mask != UINT64_MAX && end > st->mask + 1)
		end = st->mask + 1; /* RV32: no address above 4 GiB */
	r.lo = start;
	r.hi = end;
	while (addr < end) {
		size_t avail;
		const uint8_t *p = fv_code_bytes(c, addr, &avail);
		if (!p)
			break;
		if (avail > end - addr)
			avail = (size_t)(end - addr);
		while (avail) {
			struct fv_insn *o = fv_insns_push(out);
			if (!o)
				return FV_ENOMEM;
			o->addr = addr;
			unsigned len = avail >= 2 ? insn_len((unsigned)p[0] | (unsigned)p[1] << 8) : 0;
			if (len == 2 || len == 4) {
				o->size = (uint8_t)len;
				if (len > avail) {
					/* Cut by the end of the range or of the file: not an instruction. */
					o->size = 2;
					jump(st, &r, o, FV_IK_STOP);
				} else if (len == 2) {
					step16(st, c, &r, (unsigned)p[0] | (unsigned)p[1] << 8, addr, o);
				} else {
					step32(st, c, &r, le32(p), addr, o);
				}
			} else {
				/* The 48-bit and longer forms, reserved lengths, an odd last byte. */
				o->size = (uint8_t)(len && len <= avail ? len : avail >= 2 ? 2 : 1);
				jump(st, &r, o, FV_IK_STOP);
			}
			p += o->size;
			avail -= o->size;
			addr += o->size;
		}
	}
	return 0;
}

/*
 * A PLT entry: `auipc t3, hi; l{d,w} t3, lo(t3); jalr t1, t3; nop`.  Any
 * registers are accepted, as long as the load reads through the auipc's
 * register and the jalr goes through the loaded one.
 */
static int stub_riscv(void *stv, const struct fv_code *c, uint64_t addr, uint64_t *slot)
{
	const struct rv *st = stv;
	size_t n;
	const uint8_t *p = fv_code_bytes(c, addr, &n);
	if (!p || n < 12)
		return 0;
	uint32_t w0 = le32(p), w1 = le32(p + 4), w2 = le32(p + 8);
	unsigned x = (w0 >> 7) & 31, y = (w1 >> 7) & 31;
	if ((w0 & 0x7f) != 0x17 || x == 0)
		return 0;
	if ((w1 & 0x7f) != 0x03 || ((w1 >> 12) & 7) != (st->is64 ? 3u : 2u) || ((w1 >> 15) & 31) != x || y == 0)
		return 0;
	if ((w2 & 0x707f) != 0x67 || ((w2 >> 15) & 31) != y || imm_i(w2) != 0)
		return 0;
	*slot = (addr + (uint64_t)imm_u(w0) + (uint64_t)imm_i(w1)) & st->mask;
	return 1;
}

/* ---- the global pointer ------------------------------------------------------------ */

/*
 * `auipc gp, hi; addi gp, gp, lo` within the first instructions at pc
 * (glibc's, musl's and uClibc's _start load it there, or in a function
 * _start calls first), following one call and stopping at a jump or return.
 */
static int gp_at(const struct rv *st, const struct fv_code *c, uint64_t pc, int depth, uint64_t *gp)
{
	for (unsigned k = 0; k < 12; k++) {
		size_t n;
		const uint8_t *p = fv_code_bytes(c, pc, &n);
		if (!p || n < 2)
			return 0;
		unsigned len = insn_len((unsigned)p[0] | (unsigned)p[1] << 8);
		if ((len != 2 && len != 4) || n < len)
			return 0;
		unsigned h = (unsigned)p[0] | (unsigned)p[1] << 8;
		if (len == 2 && ((h & 0xe003) == 0xa001 || (h & 0xf07f) == 0x8002))
			return 0; /* c.j, c.jr */
		if (len == 4) {
			uint32_t w = le32(p);
			if (((w & 0x7f) == 0x6f || (w & 0x7f) == 0x67) && ((w >> 7) & 31) == 0)
				return 0; /* jal x0, jalr x0 */
			if ((w & 0xfff) == 0x197 && n >= 8 && (le32(p + 4) & 0xfffff) == 0x18193) {
				*gp = (pc + (uint64_t)imm_u(w) + (uint64_t)imm_i(le32(p + 4))) & st->mask;
				return 1;
			}
			if ((w & 0xfff) == 0x0ef && depth == 0 &&
			    gp_at(st, c, (pc + (uint64_t)imm_j(w)) & st->mask, 1, gp))
				return 1;
		}
		pc += len;
	}
	return 0;
}

static int find_gp(const struct rv *st, const struct fv_code *c, uint64_t *gp)
{
	const struct fv_elf *e = fv_code_elf(c);
	if (e->entry && gp_at(st, c, e->entry, 0, gp))
		return 1;
	if (e->type != FV_ET_EXEC)
		return 0; /* only non-PIC code is relaxed to gp-relative addresses */
	struct fv_elf_sym s;
	for (size_t i = 0; fv_elf_sym(e, &e->symtab, i, &s); i++)
		if (s.shndx != FV_SHN_UNDEF && strcmp(s.name, "__global_pointer$") == 0) {
			*gp = s.value & st->mask;
			return 1;
		}
	return 0;
}

static int accepts(const struct fv_elf *e)
{
	return e->machine == 243 && !e->be && (e->cls == 32 || e->cls == 64);
}

static void *open_riscv(const struct fv_code *c)
{
	const struct fv_elf *e = fv_code_elf(c);
	struct rv *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	st->is64 = e->cls == 64;
	st->mask = st->is64 ? UINT64_MAX : 0xffffffffu;
	st->gp_known = find_gp(st, c, &st->gp);
	return st;
}

static void close_riscv(void *st) { free(st); }

const struct fv_lifter fv_lifter_riscv = {
	.name = "riscv",
	.accepts = accepts,
	.open = open_riscv,
	.close = close_riscv,
	.lift = lift_riscv,
	.stub = stub_riscv,
};
