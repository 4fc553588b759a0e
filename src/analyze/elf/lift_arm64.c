/*
 * The AArch64 lifter (see code.h), decoded by capstone, with the constants
 * compiled code passes to calls: `adrp x1, page; add x1, x1, #lo12`, `adr`,
 * `movz/movk`, and pointers read from constant addresses (`adrp x16, page;
 * ldr x17, [x16, #off]`, the GOT).
 *
 * A tail call (`b system@plt`, `br x17` after a GOT load, a `b` out of the
 * range being lifted, or a conditional one, a CJUMP) carries the argument
 * registers like a CALL does: compilers turn `return system("reboot")`
 * into one.
 */
#include "analyze/elf/code.h"

#include <capstone/capstone.h>
#include <stdlib.h>

#include "core/err.h"

#define A64_EM 183

/* x0-x30; index 31 is xzr/wzr, which always reads 0. */
#define NREG 31
#define R_ZR 31
/* What a call may change (AAPCS64): x0-x18 and the link register x30. */
#define CALL_CLOBBER (0x7ffffu | (1u << 30))

struct a64_st {
	csh h;
	cs_insn *in;
};

/*
 * What is known about x0-x30 at one point of a linear decode: v[i] when
 * bit i of known is set; from[i], when bit i of loaded is set, is the
 * constant address v[i] was read from (a GOT slot).
 */
struct regs {
	uint64_t v[NREG], from[NREG];
	uint32_t known, loaded;
};

/* Register number, and *w set for the 32-bit view; -1 for sp and everything else. */
static int rix(int r, int *w)
{
	*w = 0;
	if (r >= ARM64_REG_X0 && r <= ARM64_REG_X28)
		return r - ARM64_REG_X0;
	if (r >= ARM64_REG_W0 && r <= ARM64_REG_W30) {
		*w = 1;
		return r - ARM64_REG_W0;
	}
	switch (r) {
	case ARM64_REG_X29: return 29;
	case ARM64_REG_X30: return 30;
	case ARM64_REG_XZR: return R_ZR;
	case ARM64_REG_WZR: *w = 1; return R_ZR;
	default: return -1;
	}
}

static int rget(const struct regs *rs, int r, uint64_t *out)
{
	int w, i = rix(r, &w);
	if (i == R_ZR) {
		*out = 0;
		return 1;
	}
	if (i < 0 || !(rs->known & (1u << i)))
		return 0;
	*out = w ? (uint32_t)rs->v[i] : rs->v[i];
	return 1;
}

static void rset(struct regs *rs, int r, uint64_t v)
{
	int w, i = rix(r, &w);
	if (i < 0 || i == R_ZR)
		return;
	rs->v[i] = w ? (uint32_t)v : v; /* a w register write clears the upper half */
	rs->known |= 1u << i;
	rs->loaded &= ~(1u << i);
}

static void rforget(struct regs *rs, int r)
{
	int w, i = rix(r, &w);
	if (i < 0 || i == R_ZR)
		return;
	rs->known &= ~(1u << i);
	rs->loaded &= ~(1u << i);
}

/* A register or immediate operand's value, with an LSL applied. */
static int opval(const struct regs *rs, const cs_arm64_op *o, uint64_t *out)
{
	uint64_t v;
	if (o->type == ARM64_OP_IMM)
		v = (uint64_t)o->imm;
	else if (o->type != ARM64_OP_REG || o->ext != ARM64_EXT_INVALID || !rget(rs, o->reg, &v))
		return 0;
	if (o->shift.type == ARM64_SFT_INVALID) {
		*out = v;
		return 1;
	}
	if (o->shift.type != ARM64_SFT_LSL || o->shift.value > 63)
		return 0;
	*out = v << o->shift.value;
	return 1;
}

/* Instructions whose first operand is a register they only read. */
static int keeps_op0(unsigned id)
{
	switch (id) {
	case ARM64_INS_STR: case ARM64_INS_STRB: case ARM64_INS_STRH:
	case ARM64_INS_STUR: case ARM64_INS_STURB: case ARM64_INS_STURH:
	case ARM64_INS_STP: case ARM64_INS_STNP:
	case ARM64_INS_STLR: case ARM64_INS_STLRB: case ARM64_INS_STLRH:
	case ARM64_INS_STTR: case ARM64_INS_STTRB: case ARM64_INS_STTRH:
	case ARM64_INS_CMP: case ARM64_INS_CMN: case ARM64_INS_TST:
	case ARM64_INS_CCMP: case ARM64_INS_CCMN:
	case ARM64_INS_FCMP: case ARM64_INS_FCMPE: case ARM64_INS_FCCMP: case ARM64_INS_FCCMPE:
	case ARM64_INS_PRFM: case ARM64_INS_PRFUM: case ARM64_INS_MSR: case ARM64_INS_SYS:
	case ARM64_INS_CBZ: case ARM64_INS_CBNZ: case ARM64_INS_TBZ: case ARM64_INS_TBNZ:
	case ARM64_INS_BR: case ARM64_INS_BLR: case ARM64_INS_RET:
		return 1;
	default:
		return 0;
	}
}

/*
 * Forgets every register the instruction writes: the operands capstone
 * marks written, a written-back base, and the first operand whenever it is
 * not marked and the instruction is not one that only reads it (capstone's
 * access tables miss some writes, `adds w0, w0, #1` among them).
 */
static void clobber(const cs_insn *in, struct regs *rs)
{
	const cs_arm64 *d = &in->detail->arm64;
	int op0w = 0;
	for (unsigned i = 0; i < d->op_count; i++) {
		const cs_arm64_op *o = &d->operands[i];
		if (o->type == ARM64_OP_REG && (o->access & CS_AC_WRITE)) {
			rforget(rs, o->reg);
			op0w |= i == 0;
		} else if (o->type == ARM64_OP_MEM && d->writeback) {
			rforget(rs, o->mem.base);
		}
	}
	if (!op0w && d->op_count && d->operands[0].type == ARM64_OP_REG && !keeps_op0(in->id))
		rforget(rs, d->operands[0].reg);
}

/* The address a memory operand reads (before a post-indexed update), when its base and index are known. */
static int memaddr(const struct regs *rs, const cs_arm64_op *m, int post, uint64_t *out)
{
	uint64_t a, x;
	if (!rget(rs, m->mem.base, &a))
		return 0;
	if (!post) {
		a += (uint64_t)(int64_t)m->mem.disp;
		if (m->mem.index != ARM64_REG_INVALID) {
			if (!rget(rs, m->mem.index, &x))
				return 0;
			switch (m->ext) {
			case ARM64_EXT_INVALID: case ARM64_EXT_UXTX: case ARM64_EXT_SXTX: break;
			case ARM64_EXT_UXTW: x = (uint32_t)x; break;
			case ARM64_EXT_SXTW: x = (uint64_t)(int64_t)(int32_t)(uint32_t)x; break;
			default: return 0;
			}
			if (m->shift.type == ARM64_SFT_LSL && m->shift.value < 64)
				x <<= m->shift.value;
			else if (m->shift.type != ARM64_SFT_INVALID)
				return 0;
			a += x;
		}
	}
	*out = a;
	return 1;
}

/* ldr xN, [...] / ldr xN, label: the word at a constant address (a GOT slot). */
static void load(const struct fv_code *c, const cs_insn *in, struct regs *rs)
{
	const cs_arm64 *d = &in->detail->arm64;
	const cs_arm64_op *op = d->operands;
	if (d->op_count < 2 || op[0].type != ARM64_OP_REG) {
		clobber(in, rs);
		return;
	}
	uint64_t a = 0;
	int ak = 0, post = 0;
	if (op[1].type == ARM64_OP_IMM) {
		a = (uint64_t)op[1].imm; /* a literal: capstone gives its address */
		ak = 1;
	} else if (op[1].type == ARM64_OP_MEM) {
		post = d->op_count > 2; /* ldr x0, [x1], #8: the offset is an operand of its own */
		ak = memaddr(rs, &op[1], post, &a);
		if (d->writeback) {
			if (!post && ak)
				rset(rs, op[1].mem.base, a);
			else
				rforget(rs, op[1].mem.base);
		}
	} else {
		clobber(in, rs);
		return;
	}
	int w, i = rix(op[0].reg, &w);
	if (i < 0 || i == R_ZR)
		return;
	if (!ak) {
		rforget(rs, op[0].reg);
		return;
	}
	unsigned n = (w || in->id == ARM64_INS_LDRSW) ? 4 : 8;
	uint64_t v;
	int has = fv_code_read(c, a, n, &v);
	if (has && in->id == ARM64_INS_LDRSW)
		v = (uint64_t)(int64_t)(int32_t)(uint32_t)v;
	if (has)
		rset(rs, op[0].reg, v);
	else
		rforget(rs, op[0].reg);
	rs->from[i] = a;
	rs->loaded |= 1u << i;
}

/* The register effects of an instruction that falls through. */
static void effects(const struct fv_code *c, const cs_insn *in, struct regs *rs)
{
	const cs_arm64 *d = &in->detail->arm64;
	const cs_arm64_op *op = d->operands;
	uint64_t a, b;
	if (in->id == ARM64_INS_SVC || in->id == ARM64_INS_HVC || in->id == ARM64_INS_SMC) {
		rforget(rs, ARM64_REG_X0); /* the result */
		return;
	}
	if (!d->op_count || op[0].type != ARM64_OP_REG) {
		clobber(in, rs);
		return;
	}
	int rd = op[0].reg;
	switch (in->id) {
	case ARM64_INS_ADRP: case ARM64_INS_ADR:
		if (d->op_count == 2 && op[1].type == ARM64_OP_IMM)
			rset(rs, rd, (uint64_t)op[1].imm);
		else
			rforget(rs, rd);
		return;
	case ARM64_INS_ADD: case ARM64_INS_SUB:
		if (d->op_count == 3 && op[1].type == ARM64_OP_REG && rget(rs, op[1].reg, &a) &&
		    opval(rs, &op[2], &b))
			rset(rs, rd, in->id == ARM64_INS_ADD ? a + b : a - b);
		else
			rforget(rs, rd);
		return;
	case ARM64_INS_ORR:
		if (d->op_count == 3 && op[1].type == ARM64_OP_REG && rget(rs, op[1].reg, &a) &&
		    opval(rs, &op[2], &b))
			rset(rs, rd, a | b);
		else
			rforget(rs, rd);
		return;
	case ARM64_INS_MOVZ: case ARM64_INS_MOVN:
		if (d->op_count == 2 && opval(rs, &op[1], &a) && op[1].type == ARM64_OP_IMM)
			rset(rs, rd, in->id == ARM64_INS_MOVZ ? a : ~a);
		else
			rforget(rs, rd);
		return;
	case ARM64_INS_MOVK:
		if (d->op_count == 2 && op[1].type == ARM64_OP_IMM && rget(rs, rd, &a) &&
		    op[1].shift.value < 64 && (op[1].shift.type == ARM64_SFT_INVALID ||
					       op[1].shift.type == ARM64_SFT_LSL)) {
			unsigned sh = op[1].shift.type == ARM64_SFT_LSL ? op[1].shift.value : 0;
			rset(rs, rd, (a & ~(0xffffull << sh)) | (((uint64_t)op[1].imm & 0xffff) << sh));
		} else {
			rforget(rs, rd);
		}
		return;
	case ARM64_INS_MOV:
		if (d->op_count == 2 && op[1].type == ARM64_OP_REG) {
			int w0, w1, i0 = rix(rd, &w0), i1 = rix(op[1].reg, &w1);
			if (i0 >= 0 && i0 != R_ZR && i1 >= 0 && i1 != R_ZR && !w0 && !w1 &&
			    (rs->loaded & (1u << i1))) {
				/* keep where a pointer came from: mov x1, x17; blr x1 */
				rs->v[i0] = rs->v[i1];
				rs->from[i0] = rs->from[i1];
				rs->loaded |= 1u << i0;
				rs->known = (rs->known & ~(1u << i0)) | (((rs->known >> i1) & 1u) << i0);
			} else if (rget(rs, op[1].reg, &a)) {
				rset(rs, rd, a);
			} else {
				rforget(rs, rd);
			}
		} else if (d->op_count == 2 && opval(rs, &op[1], &a)) {
			rset(rs, rd, a);
		} else {
			rforget(rs, rd);
		}
		return;
	case ARM64_INS_LDR: case ARM64_INS_LDUR: case ARM64_INS_LDRSW:
		load(c, in, rs);
		return;
	default:
		clobber(in, rs);
		return;
	}
}

/* A branch through register r: the slot it was read from, else its value. */
static void via_reg(const struct regs *rs, int r, uint64_t *target, uint64_t *slot)
{
	int w, i = rix(r, &w);
	uint64_t v;
	if (i >= 0 && i != R_ZR && (rs->loaded & (1u << i)))
		*slot = rs->from[i];
	else if (rget(rs, r, &v))
		*target = v;
}

/*
 * Fills *o from the instruction capstone decoded and moves the register
 * state past it.  [lo, hi) is the range being lifted (a jump out of it is
 * a tail call).
 */
static void step(const struct fv_code *c, const cs_insn *in, struct regs *rs, uint64_t lo,
		 uint64_t hi, struct fv_insn *o)
{
	const cs_arm64 *d = &in->detail->arm64;
	const cs_arm64_op *op = d->operands;
	int kind = FV_IK_OTHER;
	uint64_t target = 0, slot = 0;

	o->addr = in->address;
	o->size = (uint8_t)in->size;
	switch (in->id) {
	case ARM64_INS_B:
		kind = d->cc == ARM64_CC_INVALID || d->cc == ARM64_CC_AL || d->cc == ARM64_CC_NV
			       ? FV_IK_JUMP : FV_IK_CJUMP;
		if (d->op_count && op[0].type == ARM64_OP_IMM)
			target = (uint64_t)op[0].imm;
		break;
	case ARM64_INS_BL:
		kind = FV_IK_CALL;
		if (d->op_count && op[0].type == ARM64_OP_IMM)
			target = (uint64_t)op[0].imm;
		break;
	case ARM64_INS_BLR:
		kind = FV_IK_CALL;
		if (d->op_count && op[0].type == ARM64_OP_REG)
			via_reg(rs, op[0].reg, &target, &slot);
		break;
	case ARM64_INS_BR:
		kind = FV_IK_JUMP;
		if (d->op_count && op[0].type == ARM64_OP_REG)
			via_reg(rs, op[0].reg, &target, &slot);
		break;
	case ARM64_INS_RET: case ARM64_INS_ERET:
		kind = FV_IK_RET;
		break;
	case ARM64_INS_CBZ: case ARM64_INS_CBNZ:
		kind = FV_IK_CJUMP;
		if (d->op_count > 1 && op[1].type == ARM64_OP_IMM)
			target = (uint64_t)op[1].imm;
		break;
	case ARM64_INS_TBZ: case ARM64_INS_TBNZ:
		kind = FV_IK_CJUMP;
		if (d->op_count > 2 && op[2].type == ARM64_OP_IMM)
			target = (uint64_t)op[2].imm;
		break;
	case ARM64_INS_BRK: case ARM64_INS_HLT:
		kind = FV_IK_STOP;
		break;
	default:
		break;
	}

	o->kind = (uint8_t)kind;
	o->target = target;
	o->slot = slot;
	int out = target && (target < lo || target >= hi);
	if (kind == FV_IK_CALL || ((kind == FV_IK_JUMP || kind == FV_IK_CJUMP) && (slot || out)))
		for (unsigned i = 0; i < FV_NARGS; i++)
			if (rs->known & (1u << i)) {
				o->arg[i] = rs->v[i];
				o->argk |= (uint8_t)(1u << i);
			}
	switch (kind) {
	case FV_IK_OTHER:
		effects(c, in, rs);
		return;
	case FV_IK_CJUMP:
		return;
	case FV_IK_CALL:
		rs->known &= ~CALL_CLOBBER;
		rs->loaded &= ~CALL_CLOBBER;
		return;
	default:
		rs->known = rs->loaded = 0;
		return;
	}
}

static int a64_accepts(const struct fv_elf *e)
{
	return e->machine == A64_EM && e->cls == 64;
}

static void *a64_open(const struct fv_code *c)
{
	(void)c;
	struct a64_st *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	/* Instructions are little-endian in big-endian images too; only data (fv_code_read) follows e->be. */
	if (cs_open(CS_ARCH_ARM64, CS_MODE_LITTLE_ENDIAN, &st->h) != CS_ERR_OK) {
		free(st);
		return NULL;
	}
	if (cs_option(st->h, CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK || !(st->in = cs_malloc(st->h))) {
		cs_close(&st->h);
		free(st);
		return NULL;
	}
	return st;
}

static void a64_close(void *vst)
{
	struct a64_st *st = vst;
	if (!st)
		return;
	cs_free(st->in, 1);
	cs_close(&st->h);
	free(st);
}

static int a64_lift(void *vst, const struct fv_code *c, uint64_t start, uint64_t end,
		    struct fv_insns *out)
{
	struct a64_st *st = vst;
	uint64_t a = start;
	size_t avail;
	const uint8_t *p = a < end ? fv_code_bytes(c, a, &avail) : NULL;
	if (!p)
		return 0;
	size_t left = end - a < avail ? (size_t)(end - a) : avail;
	struct regs rs = { 0 };
	while (left) {
		struct fv_insn *o = fv_insns_push(out);
		if (!o)
			return FV_ENOMEM;
		uint64_t at = a;
		if (cs_disasm_iter(st->h, &p, &left, &a, st->in)) {
			step(c, st->in, &rs, start, end, o);
			continue;
		}
		/* Data in the code, or an instruction cut by the end of the range. */
		size_t u = left < 4 ? left : 4;
		o->addr = at;
		o->size = (uint8_t)u;
		o->kind = FV_IK_STOP;
		p += u;
		left -= u;
		a += u;
		rs.known = rs.loaded = 0;
	}
	return 0;
}

/*
 * Stubs: a few instructions that only compute an address and jump through
 * the word there, lifted from an empty register state rather than matched
 * byte for byte:
 *   adrp x16, page; ldr x17, [x16, #off]; add x16, x16, #off; br x17
 * with or without a leading `bti c` (a hint, as capstone 4 decodes it) and
 * an `autia1716` before the branch.
 */
static int stub_other(unsigned id)
{
	switch (id) {
	case ARM64_INS_ADRP: case ARM64_INS_ADR: case ARM64_INS_ADD: case ARM64_INS_LDR:
	case ARM64_INS_MOV: case ARM64_INS_MOVZ: case ARM64_INS_MOVK:
	case ARM64_INS_NOP: case ARM64_INS_HINT:
		return 1;
	default:
		return 0;
	}
}

static int a64_stub(void *vst, const struct fv_code *c, uint64_t addr, uint64_t *slot)
{
	struct a64_st *st = vst;
	size_t avail;
	const uint8_t *p = fv_code_bytes(c, addr, &avail);
	if (!p)
		return 0;
	size_t left = avail < 24 ? avail : 24;
	struct regs rs = { 0 };
	uint64_t a = addr;
	for (int n = 0; n < 6 && left; n++) {
		struct fv_insn o = { 0 };
		if (!cs_disasm_iter(st->h, &p, &left, &a, st->in))
			return 0;
		step(c, st->in, &rs, 0, 0, &o);
		if (o.kind == FV_IK_OTHER) {
			if (!stub_other(st->in->id))
				return 0;
			continue;
		}
		if (o.kind == FV_IK_JUMP && o.slot) {
			*slot = o.slot;
			return 1;
		}
		return 0;
	}
	return 0;
}

const struct fv_lifter fv_lifter_arm64 = {
	.name = "aarch64",
	.accepts = a64_accepts,
	.open = a64_open,
	.close = a64_close,
	.lift = a64_lift,
	.stub = a64_stub,
};
