/*
 * The 32-bit ARM lifter (see code.h): ARM and Thumb/Thumb-2 code, decoded
 * by capstone, with the constants ordinary compiled code passes to calls
 * (`movw/movt`, literal loads `ldr r1, [pc, #n]`, PIC `add r1, pc, r1`,
 * `adr`, GOT loads `ldr r3, [r3, #n]`).
 *
 * Conditional execution (ARM condition codes, Thumb-2 IT blocks) is decided
 * once here, the same way everywhere:
 *   - a conditional call (`blne f`, a `blx r3` in an IT block) is a CALL: it
 *     may not happen, but when it does it comes back to the next
 *     instruction, which is all the generic layer asks of a CALL;
 *   - a conditional branch, return or indirect jump (`beq`, `bxne lr`,
 *     `popne {r4, pc}`, `ldrls pc, [pc, r3, lsl #2]`) is a CJUMP: it goes
 *     elsewhere or falls through.  Its target is the destination when that
 *     is a constant and 0 when it is not (a return, a switch);
 *   - a conditional trap falls through (OTHER);
 *   - registers a conditional instruction writes are forgotten (it may have
 *     run), while a CJUMP changes none: on the path that falls through it
 *     did not run.
 *
 * A tail call (`b.w system@plt`, `bx r3` after a GOT load, a `b` out of the
 * range being lifted, or a conditional one, a CJUMP) carries the argument
 * registers like a CALL: compilers turn `return system("reboot")` into one.
 *
 * Targets follow the ELF convention code.h asks for: bit 0 set when the
 * destination is Thumb code.  `bl`/`b` keep the mode, `blx imm` changes it,
 * and a register branch keeps the register's own bit 0 (interworking).
 */
#include "analyze/elf/code.h"

#include <capstone/capstone.h>
#include <stdlib.h>

#include "core/err.h"

#define ARM_EM 40
#define ARM_EF_BE8 0x00800000u /* e_flags: big-endian data, little-endian code */

/* r0-r12, sp, lr, pc */
#define NREG 16
#define R_SP 13
#define R_LR 14
#define R_PC 15
/* What a call may change (AAPCS): r0-r3, ip, lr. */
#define CALL_CLOBBER 0x500fu

struct arm_st {
	csh h;
	cs_insn *in;
	cs_mode order;   /* CS_MODE_BIG_ENDIAN for BE32 code, else 0 */
	int thumb;       /* the handle's current mode */
	int it_dirty;    /* an IT instruction was decoded since the handle's IT state was last emptied */
};

/*
 * What is known about the core registers at one point of a linear decode:
 * v[i] when bit i of known is set; from[i], when bit i of loaded is set,
 * is the constant address v[i] was read from (a GOT slot), which a call
 * through the register reports instead of the file's word.
 */
struct regs {
	uint32_t v[NREG], from[NREG];
	uint32_t known, loaded;
};

static int rix(int r)
{
	if (r >= ARM_REG_R0 && r <= ARM_REG_R12)
		return r - ARM_REG_R0;
	switch (r) {
	case ARM_REG_SP: return R_SP;
	case ARM_REG_LR: return R_LR;
	case ARM_REG_PC: return R_PC;
	default: return -1;
	}
}

/* The value of register i; pcv is what the PC reads as in this instruction. */
static int rget(const struct regs *rs, int i, uint32_t pcv, uint32_t *out)
{
	if (i == R_PC) {
		*out = pcv;
		return 1;
	}
	if (i < 0 || !(rs->known & (1u << i)))
		return 0;
	*out = rs->v[i];
	return 1;
}

static void rset(struct regs *rs, int i, uint32_t v)
{
	if (i < 0 || i == R_PC)
		return;
	rs->v[i] = v;
	rs->known |= 1u << i;
	rs->loaded &= ~(1u << i);
}

static void rforget(struct regs *rs, int i)
{
	if (i < 0)
		return;
	rs->known &= ~(1u << i);
	rs->loaded &= ~(1u << i);
}

/* mov rd, rs: the value and where it was loaded from. */
static void rcopy(struct regs *rs, int d, int s, uint32_t pcv)
{
	uint32_t v;
	if (d < 0 || d == R_PC)
		return;
	if (s < 0 || s == R_PC || !(rs->loaded & (1u << s))) {
		if (rget(rs, s, pcv, &v))
			rset(rs, d, v);
		else
			rforget(rs, d);
		return;
	}
	rs->v[d] = rs->v[s];
	rs->from[d] = rs->from[s];
	rs->loaded |= 1u << d;
	rs->known = (rs->known & ~(1u << d)) | (((rs->known >> s) & 1u) << d);
}

/* A register or immediate operand's value, with an immediate left shift applied. */
static int opval(const struct regs *rs, const cs_arm_op *o, uint32_t pcv, uint32_t *out)
{
	if (o->type == ARM_OP_IMM) {
		*out = (uint32_t)o->imm;
		return 1;
	}
	if (o->type != ARM_OP_REG || !rget(rs, rix(o->reg), pcv, out))
		return 0;
	if (o->shift.type == ARM_SFT_INVALID)
		return 1;
	if (o->shift.type != ARM_SFT_LSL || o->shift.value > 31)
		return 0;
	*out <<= o->shift.value;
	return 1;
}

/* Instructions whose first operand is a core register they only read. */
static int keeps_op0(unsigned id)
{
	switch (id) {
	case ARM_INS_STR: case ARM_INS_STRB: case ARM_INS_STRH: case ARM_INS_STRD:
	case ARM_INS_STRT: case ARM_INS_STRBT: case ARM_INS_STRHT:
	case ARM_INS_STL: case ARM_INS_STLB: case ARM_INS_STLH:
	case ARM_INS_STM: case ARM_INS_STMDA: case ARM_INS_STMDB: case ARM_INS_STMIB:
	case ARM_INS_PUSH: case ARM_INS_CMP: case ARM_INS_CMN: case ARM_INS_TST: case ARM_INS_TEQ:
	case ARM_INS_MCR: case ARM_INS_MCR2: case ARM_INS_MCRR: case ARM_INS_MCRR2:
	case ARM_INS_MSR: case ARM_INS_VMSR:
	case ARM_INS_B: case ARM_INS_BL: case ARM_INS_BLX: case ARM_INS_BX: case ARM_INS_BXJ:
	case ARM_INS_CBZ: case ARM_INS_CBNZ:
		return 1;
	default:
		return 0;
	}
}

/*
 * Forgets every core register the instruction writes: the operands capstone
 * marks written, a written-back base, and, because capstone's access
 * tables are not complete for every instruction, the first operand of an
 * instruction that marks nothing and is not one that only reads it.
 */
static void clobber(const cs_insn *in, struct regs *rs)
{
	const cs_arm *d = &in->detail->arm;
	int any = 0, mem = 0;
	for (unsigned i = 0; i < d->op_count; i++) {
		const cs_arm_op *o = &d->operands[i];
		if (o->type == ARM_OP_REG && (o->access & CS_AC_WRITE)) {
			rforget(rs, rix(o->reg));
			any = 1;
		} else if (o->type == ARM_OP_MEM) {
			mem = 1;
			if (d->writeback)
				rforget(rs, rix(o->mem.base));
		}
	}
	if (d->op_count && d->operands[0].type == ARM_OP_REG &&
	    ((d->writeback && !mem) || (!any && !keeps_op0(in->id))))
		rforget(rs, rix(d->operands[0].reg));
}

/*
 * The address a memory operand reads (before a post-indexed update), when
 * its base and index are known.  A PC base reads as Align(PC, 4), as the
 * literal loads and `adr` define it.
 */
static int memaddr(const struct regs *rs, const cs_arm_op *m, uint32_t pcv, int post, uint32_t *out)
{
	int bi = rix(m->mem.base);
	uint32_t a, x;
	if (!rget(rs, bi, pcv & ~3u, &a))
		return 0;
	if (!post) {
		a += (uint32_t)m->mem.disp;
		if (m->mem.index != ARM_REG_INVALID) {
			if (!rget(rs, rix(m->mem.index), pcv, &x) || m->mem.lshift < 0 || m->mem.lshift > 31)
				return 0;
			x <<= m->mem.lshift;
			a = (m->subtracted || m->mem.scale < 0) ? a - x : a + x;
		}
	}
	*out = a;
	return 1;
}

/* ldr rd, [...]: a literal (a constant), or a word from a constant address (a GOT slot). */
static void load(const struct fv_code *c, const cs_arm *d, struct regs *rs, uint32_t pcv)
{
	const cs_arm_op *op = d->operands;
	if (d->op_count < 2 || op[0].type != ARM_OP_REG || op[1].type != ARM_OP_MEM) {
		for (unsigned i = 0; i < d->op_count; i++)
			if (op[i].type == ARM_OP_REG && (op[i].access & CS_AC_WRITE))
				rforget(rs, rix(op[i].reg));
		return;
	}
	int rd = rix(op[0].reg), bi = rix(op[1].mem.base);
	int post = d->op_count > 2; /* ldr rd, [rn], #off: the offset is an operand of its own */
	uint32_t a;
	int ak = memaddr(rs, &op[1], pcv, post, &a);
	if (d->writeback && bi >= 0) {
		if (!post && ak)
			rset(rs, bi, a);
		else
			rforget(rs, bi);
	}
	if (rd < 0)
		return;
	uint64_t w;
	int has = ak && fv_code_read(c, a, 4, &w);
	if (bi == R_PC && op[1].mem.index == ARM_REG_INVALID) {
		if (has)
			rset(rs, rd, (uint32_t)w);
		else
			rforget(rs, rd);
		return;
	}
	if (!ak) {
		rforget(rs, rd);
		return;
	}
	rs->from[rd] = a;
	rs->loaded |= 1u << rd;
	if (has) {
		rs->v[rd] = (uint32_t)w;
		rs->known |= 1u << rd;
	} else {
		rs->known &= ~(1u << rd);
	}
}

/* add/sub rd, rn, x (and the two-operand and rotated-immediate forms). */
static void addsub(const cs_insn *in, struct regs *rs, uint32_t pcv, int thumb)
{
	const cs_arm *d = &in->detail->arm;
	const cs_arm_op *op = d->operands;
	int rd = rix(op[0].reg), rn;
	uint32_t a, b;
	int ok;
	if (d->op_count == 2) {
		rn = rd;
		ok = opval(rs, &op[1], pcv, &b);
	} else if (d->op_count == 3) {
		rn = rix(op[1].reg);
		ok = op[1].type == ARM_OP_REG && opval(rs, &op[2], pcv, &b);
	} else if (d->op_count == 4 && op[1].type == ARM_OP_REG && op[2].type == ARM_OP_IMM &&
		   op[3].type == ARM_OP_IMM) {
		/* ARM's modified immediate printed as `#imm8, #rot`: imm8 rotated right */
		unsigned r = (unsigned)op[3].imm & 31, v = (uint32_t)op[2].imm;
		rn = rix(op[1].reg);
		b = r ? (v >> r) | (v << (32 - r)) : v;
		ok = 1;
	} else {
		ok = 0;
		rn = -1;
	}
	/* Thumb's `add rd, pc, #imm` is adr (word-aligned PC); `add rd, pc` reads PC as is. */
	uint32_t pc = thumb && op[d->op_count - 1].type == ARM_OP_IMM ? pcv & ~3u : pcv;
	if (ok && rget(rs, rn, pc, &a))
		rset(rs, rd, in->id == ARM_INS_SUB || in->id == ARM_INS_SUBW ? a - b : a + b);
	else
		rforget(rs, rd);
}

/* The register effects of an instruction that falls through. */
static void effects(const struct fv_code *c, const cs_insn *in, struct regs *rs, uint32_t pcv,
		    int thumb, int cond)
{
	const cs_arm *d = &in->detail->arm;
	const cs_arm_op *op = d->operands;
	if (in->id == ARM_INS_SVC) {
		rforget(rs, 0); /* the kernel's result */
		return;
	}
	if (cond || !d->op_count || op[0].type != ARM_OP_REG) {
		clobber(in, rs);
		return;
	}
	int rd = rix(op[0].reg);
	uint32_t v;
	switch (in->id) {
	case ARM_INS_MOV:
		if (d->op_count == 2 && op[1].type == ARM_OP_REG && op[1].shift.type == ARM_SFT_INVALID)
			rcopy(rs, rd, rix(op[1].reg), pcv);
		else if (d->op_count == 2 && op[1].type == ARM_OP_IMM)
			rset(rs, rd, (uint32_t)op[1].imm);
		else
			clobber(in, rs);
		return;
	case ARM_INS_MVN:
		if (d->op_count == 2 && op[1].type == ARM_OP_IMM)
			rset(rs, rd, ~(uint32_t)op[1].imm);
		else
			clobber(in, rs);
		return;
	case ARM_INS_MOVW:
		if (d->op_count == 2 && op[1].type == ARM_OP_IMM)
			rset(rs, rd, (uint32_t)op[1].imm & 0xffffu);
		else
			rforget(rs, rd);
		return;
	case ARM_INS_MOVT:
		if (d->op_count == 2 && op[1].type == ARM_OP_IMM && rget(rs, rd, pcv, &v))
			rset(rs, rd, (v & 0xffffu) | ((uint32_t)op[1].imm << 16));
		else
			rforget(rs, rd);
		return;
	case ARM_INS_ADD: case ARM_INS_SUB: case ARM_INS_ADDW: case ARM_INS_SUBW:
		addsub(in, rs, pcv, thumb);
		return;
	case ARM_INS_ADR:
		if (d->op_count == 2 && op[1].type == ARM_OP_IMM)
			rset(rs, rd, (pcv & ~3u) + (uint32_t)op[1].imm);
		else
			rforget(rs, rd);
		return;
	case ARM_INS_LDR:
		load(c, d, rs, pcv);
		return;
	default:
		clobber(in, rs);
		return;
	}
}

/* Whether the instruction writes the PC (other than the branches handled by id). */
static int writes_pc(const cs_insn *in)
{
	const cs_arm *d = &in->detail->arm;
	for (unsigned i = 0; i < d->op_count; i++)
		if (d->operands[i].type == ARM_OP_REG && d->operands[i].reg == ARM_REG_PC &&
		    (d->operands[i].access & CS_AC_WRITE))
			return 1;
	return d->op_count && d->operands[0].type == ARM_OP_REG && d->operands[0].reg == ARM_REG_PC &&
	       !keeps_op0(in->id);
}

/* A branch through register r: its value (bit 0: Thumb), or the slot it was read from. */
static void via_reg(const struct regs *rs, int r, uint32_t pcv, uint64_t *target, uint64_t *slot)
{
	uint32_t v;
	if (r >= 0 && r != R_PC && (rs->loaded & (1u << r)))
		*slot = rs->from[r];
	else if (rget(rs, r, pcv, &v))
		*target = v;
}

/*
 * How an instruction that writes the PC without being a branch leaves:
 * a return (pop/ldm of the saved lr, `ldr pc, [sp], #4`, `mov pc, lr`,
 * `subs pc, lr, #4`), or a jump whose target or slot may be known.  A
 * literal `ldr pc, [pc, #n]` (a long-branch veneer) jumps to the constant.
 */
static int pc_write(const struct fv_code *c, const cs_insn *in, const struct regs *rs, uint32_t pcv,
		    uint64_t *target, uint64_t *slot)
{
	const cs_arm *d = &in->detail->arm;
	const cs_arm_op *op = d->operands;
	uint32_t a;
	uint64_t w;
	switch (in->id) {
	case ARM_INS_POP:
		return FV_IK_RET;
	case ARM_INS_LDM: case ARM_INS_LDMDA: case ARM_INS_LDMDB: case ARM_INS_LDMIB:
		/* ldm sp!, {.., pc}, or the APCS frame return ldmdb fp, {.., sp, pc} */
		for (unsigned i = 0; i < d->op_count; i++)
			if (op[i].type == ARM_OP_REG && op[i].reg == ARM_REG_SP)
				return FV_IK_RET;
		return FV_IK_JUMP;
	case ARM_INS_MOV:
		if (d->op_count == 2 && op[1].type == ARM_OP_REG && op[1].reg == ARM_REG_LR)
			return FV_IK_RET;
		if (d->op_count == 2 && op[1].type == ARM_OP_REG && op[1].shift.type == ARM_SFT_INVALID)
			via_reg(rs, rix(op[1].reg), pcv, target, slot);
		else if (d->op_count == 2 && op[1].type == ARM_OP_IMM)
			*target = (uint32_t)op[1].imm;
		return FV_IK_JUMP;
	case ARM_INS_LDR:
		if (d->op_count < 2 || op[1].type != ARM_OP_MEM)
			return FV_IK_JUMP;
		if (op[1].mem.base == ARM_REG_SP)
			return FV_IK_RET;
		if (!memaddr(rs, &op[1], pcv, d->op_count > 2, &a))
			return FV_IK_JUMP;
		if (op[1].mem.base != ARM_REG_PC || op[1].mem.index != ARM_REG_INVALID)
			*slot = a;
		else if (fv_code_read(c, a, 4, &w))
			*target = (uint32_t)w;
		return FV_IK_JUMP;
	case ARM_INS_SUB: case ARM_INS_ADD:
		if (d->op_count >= 2 && op[1].type == ARM_OP_REG && op[1].reg == ARM_REG_LR)
			return FV_IK_RET; /* exception return */
		return FV_IK_JUMP;
	default:
		return FV_IK_JUMP;
	}
}

/*
 * Fills *o from the instruction capstone decoded and moves the register
 * state past it.  [lo, hi) is the range being lifted (a jump out of it is
 * a tail call).
 */
static void step(struct arm_st *st, const struct fv_code *c, const cs_insn *in, int thumb,
		 struct regs *rs, uint64_t lo, uint64_t hi, struct fv_insn *o)
{
	const cs_arm *d = &in->detail->arm;
	const cs_arm_op *op = d->operands;
	uint32_t addr = (uint32_t)in->address, next = addr + in->size;
	uint32_t pcv = addr + (thumb ? 4 : 8), v;
	int cond = d->cc != ARM_CC_AL && d->cc != ARM_CC_INVALID;
	int kind = FV_IK_OTHER;
	uint64_t target = 0, slot = 0;
	unsigned t = thumb ? 1 : 0;

	o->addr = in->address;
	o->size = (uint8_t)in->size;
	switch (in->id) {
	case ARM_INS_IT:
		st->it_dirty = 1;
		return;
	case ARM_INS_B:
		kind = FV_IK_JUMP;
		if (d->op_count && op[0].type == ARM_OP_IMM)
			target = (uint32_t)op[0].imm | t;
		break;
	case ARM_INS_BL:
		kind = FV_IK_CALL;
		if (d->op_count && op[0].type == ARM_OP_IMM)
			target = (uint32_t)op[0].imm | t;
		break;
	case ARM_INS_BLX:
		kind = FV_IK_CALL;
		if (d->op_count && op[0].type == ARM_OP_IMM)
			target = thumb ? (uint32_t)op[0].imm & ~3u : (uint32_t)op[0].imm | 1u;
		else if (d->op_count && op[0].type == ARM_OP_REG)
			via_reg(rs, rix(op[0].reg), pcv, &target, &slot);
		break;
	case ARM_INS_BX: case ARM_INS_BXJ:
		if (d->op_count && op[0].type == ARM_OP_REG && op[0].reg == ARM_REG_LR) {
			kind = FV_IK_RET;
		} else {
			kind = FV_IK_JUMP;
			if (d->op_count && op[0].type == ARM_OP_REG)
				via_reg(rs, rix(op[0].reg), pcv, &target, &slot);
		}
		break;
	case ARM_INS_CBZ: case ARM_INS_CBNZ:
		kind = FV_IK_CJUMP;
		if (d->op_count > 1 && op[1].type == ARM_OP_IMM)
			target = (uint32_t)op[1].imm | 1u;
		break;
	case ARM_INS_TBB: case ARM_INS_TBH:
		kind = FV_IK_JUMP;
		break;
	case ARM_INS_UDF: case ARM_INS_TRAP: case ARM_INS_BKPT: case ARM_INS_HLT:
		kind = cond ? FV_IK_OTHER : FV_IK_STOP;
		break;
	default:
		if (writes_pc(in))
			kind = pc_write(c, in, rs, pcv, &target, &slot);
		break;
	}

	/* `mov lr, pc; ldr pc, [...]` and `mov lr, pc; bx r3`: lr already holds the return address. */
	if (kind == FV_IK_JUMP && rget(rs, R_LR, pcv, &v) && (v & ~1u) == next)
		kind = FV_IK_CALL;
	if (cond && (kind == FV_IK_JUMP || kind == FV_IK_RET)) {
		kind = FV_IK_CJUMP;
		slot = 0;
	}

	o->kind = (uint8_t)kind;
	o->target = target;
	o->slot = slot;
	int out = target && ((target & ~1ull) < lo || (target & ~1ull) >= hi);
	if (kind == FV_IK_CALL || ((kind == FV_IK_JUMP || kind == FV_IK_CJUMP) && (slot || out)))
		for (unsigned i = 0; i < FV_NARGS; i++)
			if (rs->known & (1u << i)) {
				o->arg[i] = rs->v[i];
				o->argk |= (uint8_t)(1u << i);
			}
	switch (kind) {
	case FV_IK_OTHER:
		effects(c, in, rs, pcv, thumb, cond);
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

static void set_mode(struct arm_st *st, int thumb)
{
	if (st->thumb == thumb)
		return;
	cs_option(st->h, CS_OPT_MODE, (size_t)((thumb ? CS_MODE_THUMB : CS_MODE_ARM) | CS_MODE_V8 | st->order));
	st->thumb = thumb;
}

/*
 * Capstone keeps the IT block it last decoded in the handle, across calls,
 * mode changes and bytes that do not decode, and applies it to whatever
 * Thumb code it decodes next.  Decoding NOPs until one comes back
 * unconditional empties it, so that one range's IT state never reaches the
 * next range.
 */
static void flush_it(struct arm_st *st)
{
	static const uint8_t nop_le[2] = { 0x00, 0xbf }, nop_be[2] = { 0xbf, 0x00 };
	int was = st->thumb;
	set_mode(st, 1);
	for (int i = 0; i < 16; i++) {
		const uint8_t *p = st->order ? nop_be : nop_le;
		size_t n = 2;
		uint64_t a = 0;
		if (!cs_disasm_iter(st->h, &p, &n, &a, st->in))
			break;
		arm_cc cc = st->in->detail->arm.cc;
		if (cc == ARM_CC_AL || cc == ARM_CC_INVALID)
			break;
	}
	set_mode(st, was);
	st->it_dirty = 0;
}

static int arm_accepts(const struct fv_elf *e)
{
	return e->machine == ARM_EM && e->cls == 32;
}

static void *arm_open(const struct fv_code *c)
{
	const struct fv_elf *e = fv_code_elf(c);
	struct arm_st *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	/* BE8 (ARMv6 and later) keeps instructions little-endian; BE32 stores them big-endian. */
	st->order = e->be && !(e->flags & ARM_EF_BE8) ? CS_MODE_BIG_ENDIAN : CS_MODE_LITTLE_ENDIAN;
	if (cs_open(CS_ARCH_ARM, (cs_mode)(CS_MODE_ARM | CS_MODE_V8 | st->order), &st->h) != CS_ERR_OK) {
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

static void arm_close(void *vst)
{
	struct arm_st *st = vst;
	if (!st)
		return;
	cs_free(st->in, 1);
	cs_close(&st->h);
	free(st);
}

static int arm_lift(void *vst, const struct fv_code *c, uint64_t start, uint64_t end,
		    struct fv_insns *out)
{
	struct arm_st *st = vst;
	int thumb = (int)(start & 1);
	uint64_t a = start & ~1ull;
	size_t avail;
	const uint8_t *p = a < end ? fv_code_bytes(c, a, &avail) : NULL;
	if (!p)
		return 0;
	size_t left = end - a < avail ? (size_t)(end - a) : avail;
	size_t unit = thumb ? 2 : 4;
	struct regs rs = { 0 };
	int err = 0;
	set_mode(st, thumb);
	if (st->it_dirty)
		flush_it(st);
	while (left) {
		struct fv_insn *o = fv_insns_push(out);
		if (!o) {
			err = FV_ENOMEM;
			break;
		}
		uint64_t at = a;
		if (cs_disasm_iter(st->h, &p, &left, &a, st->in)) {
			step(st, c, st->in, thumb, &rs, start & ~1ull, end, o);
			continue;
		}
		/* A literal pool, data, or an instruction cut by the end of the range. */
		size_t u = left < unit ? left : unit;
		o->addr = at;
		o->size = (uint8_t)u;
		o->kind = FV_IK_STOP;
		p += u;
		left -= u;
		a += u;
		rs.known = rs.loaded = 0;
		if (st->it_dirty)
			flush_it(st);
	}
	if (st->it_dirty)
		flush_it(st);
	return err;
}

/*
 * Stubs: a few instructions that only compute an address and jump through
 * the word there.  Rather than matching each linker's PLT layout, the
 * first instructions are lifted from an empty register state:
 *   ARM PLT          add ip, pc, #0, 12; add ip, ip, #n, 20; ldr pc, [ip, #m]!
 *   long ARM PLT     add ip, pc, #..; add ip, ip, #..; add ip, ip, #..; ldr pc, [ip, #m]!
 *   old ARM PLT      ldr ip, [pc, #4]; add ip, pc, ip; ldr pc, [ip]
 *   lld's long PLT   movw ip, #lo; movt ip, #hi; add ip, ip, pc; ldr pc, [ip]
 *   Thumb-2 PLT      movw ip, #lo; movt ip, #hi; add ip, pc; ldr.w pc, [ip]
 * and the Thumb entry `bx pc; nop` (or `b .-4`) before an ARM entry is
 * followed once into ARM code.
 */
static int stub_other(unsigned id)
{
	switch (id) {
	case ARM_INS_ADD: case ARM_INS_SUB: case ARM_INS_ADDW: case ARM_INS_SUBW: case ARM_INS_ADR:
	case ARM_INS_MOV: case ARM_INS_MOVW: case ARM_INS_MOVT: case ARM_INS_LDR: case ARM_INS_NOP:
		return 1;
	default:
		return 0;
	}
}

static int arm_stub(void *vst, const struct fv_code *c, uint64_t addr, uint64_t *slot)
{
	struct arm_st *st = vst;
	int found = 0;
	for (int hop = 0; hop < 2 && !found; hop++) {
		int thumb = (int)(addr & 1);
		uint64_t a = addr & ~1ull;
		size_t avail;
		const uint8_t *p = fv_code_bytes(c, a, &avail);
		if (!p)
			break;
		size_t left = avail < 24 ? avail : 24;
		struct regs rs = { 0 };
		set_mode(st, thumb);
		if (st->it_dirty)
			flush_it(st);
		int more = 0;
		for (int n = 0; n < 6 && left; n++) {
			struct fv_insn o = { 0 };
			uint64_t at = a;
			if (!cs_disasm_iter(st->h, &p, &left, &a, st->in))
				break;
			const cs_insn *in = st->in;
			if (in->id == ARM_INS_IT) {
				st->it_dirty = 1;
				break;
			}
			step(st, c, in, thumb, &rs, 0, 0, &o);
			if (o.kind == FV_IK_OTHER) {
				if (!stub_other(in->id))
					break;
				continue;
			}
			if (o.kind == FV_IK_JUMP && o.slot) {
				*slot = o.slot;
				found = 1;
			} else if (o.kind == FV_IK_JUMP && thumb && in->id == ARM_INS_BX &&
				   in->detail->arm.op_count && in->detail->arm.operands[0].reg == ARM_REG_PC && !(at & 3)) {
				addr = o.target; /* bx pc: the ARM code 4 bytes on */
				more = 1;
			}
			break;
		}
		if (!more)
			break;
	}
	if (st->it_dirty)
		flush_it(st);
	return found;
}

const struct fv_lifter fv_lifter_arm = {
	.name = "arm",
	.accepts = arm_accepts,
	.open = arm_open,
	.close = arm_close,
	.lift = arm_lift,
	.stub = arm_stub,
};
