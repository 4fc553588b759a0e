/*
 * The lifter for MIPS (see code.h), over capstone: o32 (ELF32), n32 (ELF32
 * with EF_MIPS_ABI2; 64-bit registers, 32-bit addresses) and the 64 ABI
 * (ELF64), both byte orders.
 *
 * One capstone handle and one instruction buffer per open(), decoded with
 * cs_disasm_iter, so nothing is allocated per instruction.  Constants are
 * tracked in the 32 general registers, each with the address it was loaded
 * from when it holds a word read from the file unchanged (a GOT entry), so
 * that `lw t9,n(gp); jalr t9` names the slot (and, as target, the word the
 * file holds there: the import's lazy-binding stub, or a function of this
 * file) and `lw v0,%got(s)(gp); addiu a1,v0,%lo(s)` gives the address s
 * (the local GOT entry's file word is the page address).
 *
 * $gp holds the value the code was linked for (fv_code_mips_gp) from the
 * start of every range, and writes to it are ignored: PIC prologues compute
 * it from t9 or _gp_disp, epilogues and call sites reload it from the stack,
 * and none of that changes it.  Binaries with several GOTs (the linker's
 * multi-GOT, for very large objects) use other values in some functions:
 * calls there get wrong slots.  When the binary has no known $gp it is an
 * ordinary register.
 *
 * Delay slots: the instruction after a branch runs before the transfer, so
 * a call's arguments are read after it (gcc fills the slot of `jalr t9`
 * with `addiu a1,a1,%lo(s)`), while the call's target is read before it.
 * A branch-likely's slot runs only when the branch is taken, so the
 * fall-through path goes on with the registers as they were before it.
 *
 * Calls: jal, bal, jalr (and the conditional bgezal/bltzal); returns: jr ra;
 * other jr are indirect jumps, or tail calls when the register came from a
 * GOT slot.  A JUMP through a slot or to a target outside the lifted range
 * (a tail call) carries its arguments too.  break, sdbbp and traps that
 * always fire (teq r,r) stop; conditional traps (gcc's division check
 * `teq a1,zero`) fall through.
 *
 * Forward branches carry their registers to their targets (see struct
 * edges), so a block reached only by a branch is not read blind.
 *
 * MIPS32 release 6 is read (compact branches without a delay slot, balc,
 * jialc, aui), but capstone 4 does not decode all of it (seleqz becomes a
 * STOP) and its PC-relative constants (auipc, addiupc, lwpc) are not
 * tracked.  Not read: microMIPS and MIPS16 code (odd addresses; nothing is
 * decoded), and MIPS64 release 6, which capstone 4 cannot decode together
 * with the 64-bit instructions: it is read as before release 6, so its
 * compact branches come out wrong.
 */
#include "analyze/elf/code.h"

#include <capstone/capstone.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

enum { EM_MIPS = 8, EM_MIPS_RS3_LE = 10 };
#define EF_MIPS_ABI2 0x20u
#define EF_MIPS_ARCH 0xf0000000u
#define EF_MIPS_ARCH_32R6 0x90000000u

#define DT_PLTGOT 3
#define DT_MIPS_LOCAL_GOTNO 0x7000000a
#define DT_MIPS_SYMTABNO 0x70000011
#define DT_MIPS_GOTSYM 0x70000013

/* Register numbers. */
enum { ZERO = 0, A0 = 4, T7 = 15, T8 = 24, T9 = 25, GP = 28, RA = 31 };

/*
 * What a call may change: at, v0-v1, a0-a3, t0-t7 (a4-a7 and t0-t3 of n32
 * and 64 are the same registers), t8, t9, ra.  s0-s7, gp, sp and fp survive.
 */
#define CLOBBER (0x0000fffeu | (1u << T8) | (1u << T9) | (1u << RA))

struct mips {
	csh h;
	cs_insn *insn;
	int wide;           /* 64-bit registers: n32 and 64 */
	int be;
	uint64_t mask;      /* address width: 32 bits for o32 and n32 */
	unsigned word;      /* GOT entry size */
	uint64_t gp;        /* fixed $gp, 0 when unknown */
	/* The GOT from the dynamic section (have_got when all three tags are there). */
	int have_got;
	uint64_t pltgot, local_gotno, gotsym, symtabno;
	uint64_t got_global; /* first global entry: pltgot + local_gotno * word */
	struct edges *edges; /* forward branches of the range being lifted */
};

/* What is known at one point of a linear walk. */
struct regs {
	uint32_t known;     /* bit i: register i holds val[i] */
	uint64_t val[32];
	uint64_t from[32];  /* the address val[i] was read from unchanged, else 0 */
};

/*
 * The registers along the forward branches of the range not reached yet,
 * so that a block reached only by a branch (gcc puts `ld t9,%call16(f)(gp)`
 * in the delay slot of the branch to the call) starts with what the branch
 * knew, and a join keeps only what every way into it agrees on.  Backward
 * branches (loops) are not followed: the walk stays one pass.
 */
#define MAX_EDGES 512
struct edge {
	uint64_t target;
	struct regs r;
};
struct edges {
	size_t n, cap;
	uint64_t min;       /* the lowest target, UINT64_MAX when none */
	struct edge v[];
};

static int accepts(const struct fv_elf *e)
{
	return (e->machine == EM_MIPS || e->machine == EM_MIPS_RS3_LE) && (e->cls == 32 || e->cls == 64);
}

static void *open_mips(const struct fv_code *c)
{
	const struct fv_elf *e = fv_code_elf(c);
	struct mips *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	st->wide = e->cls == 64 || (e->flags & EF_MIPS_ABI2);
	st->be = e->be;
	st->mask = e->cls == 64 ? ~0ull : 0xffffffffull;
	st->word = e->cls == 64 ? 8 : 4;
	st->gp = fv_code_mips_gp(c) & st->mask;

	/* capstone 4 reads release 6 only on its own, without the 64-bit instructions. */
	uint32_t arch = e->flags & EF_MIPS_ARCH;
	cs_mode mode = st->wide ? CS_MODE_MIPS64 : CS_MODE_MIPS32;
	if (!st->wide && arch == EF_MIPS_ARCH_32R6)
		mode = CS_MODE_MIPS32R6;
	if (e->be)
		mode |= CS_MODE_BIG_ENDIAN;
	if (cs_open(CS_ARCH_MIPS, mode, &st->h) != CS_ERR_OK) {
		free(st);
		return NULL;
	}
	cs_option(st->h, CS_OPT_DETAIL, CS_OPT_ON);
	st->insn = cs_malloc(st->h);
	if (!st->insn) {
		cs_close(&st->h);
		free(st);
		return NULL;
	}

	/* The GOT layout, for the lazy-binding stubs that name a dynamic symbol by index. */
	int seen = 0;
	struct fv_elf_dyn d;
	for (size_t i = 0; fv_elf_dyn(e, i, &d); i++) {
		switch (d.tag) {
		case DT_PLTGOT: st->pltgot = d.val & st->mask; seen |= 1; break;
		case DT_MIPS_LOCAL_GOTNO: st->local_gotno = d.val; seen |= 2; break;
		case DT_MIPS_GOTSYM: st->gotsym = d.val; seen |= 4; break;
		case DT_MIPS_SYMTABNO: st->symtabno = d.val; break;
		}
	}
	/* Counts beyond 2^24 entries are not a real GOT; refusing them keeps the arithmetic below exact. */
	if (seen == 7 && st->pltgot && st->local_gotno < (1u << 24) && st->gotsym < (1u << 24)) {
		st->have_got = 1;
		st->got_global = (st->pltgot + st->local_gotno * st->word) & st->mask;
	}
	return st;
}

static void close_mips(void *p)
{
	struct mips *st = p;
	if (!st)
		return;
	free(st->edges);
	cs_free(st->insn, 1);
	cs_close(&st->h);
	free(st);
}

/* capstone's register id -> 0..31, or -1 for anything that is not a general register. */
static int gpr(unsigned reg)
{
	return reg >= MIPS_REG_0 && reg <= MIPS_REG_31 ? (int)(reg - MIPS_REG_0) : -1;
}

static void reset(const struct mips *st, struct regs *r)
{
	r->known = 0;
	if (st->gp) {
		r->known = 1u << GP;
		r->val[GP] = st->gp;
		r->from[GP] = 0;
	}
}

static int get(const struct regs *r, int i, uint64_t *v)
{
	if (i == ZERO) {
		*v = 0;
		return 1;
	}
	if (i < 0 || !(r->known & (1u << i)))
		return 0;
	*v = r->val[i];
	return 1;
}

static void set(const struct mips *st, struct regs *r, int i, uint64_t v, uint64_t from)
{
	if (i <= ZERO || (i == GP && st->gp))
		return;
	r->known |= 1u << i;
	r->val[i] = v & st->mask;
	r->from[i] = from;
}

static void forget(const struct mips *st, struct regs *r, int i)
{
	if (i <= ZERO || (i == GP && st->gp))
		return;
	r->known &= ~(1u << i);
}

/* The result of a 32-bit operation: sign-extended on 64-bit registers, then cut to the address width. */
static uint64_t op32(const struct mips *st, uint64_t v)
{
	return (uint64_t)(int64_t)(int32_t)(uint32_t)v & st->mask;
}

/* A load of n bytes from base + disp: the file's word, and where it came from. */
static void load(const struct mips *st, const struct fv_code *c, struct regs *r, int rt,
		 const cs_mips_op *m, unsigned n, int sign)
{
	uint64_t base, v;
	if (!get(r, gpr(m->mem.base), &base)) {
		forget(st, r, rt);
		return;
	}
	uint64_t a = (base + (uint64_t)m->mem.disp) & st->mask;
	if (!fv_code_read(c, a, n, &v)) {
		forget(st, r, rt);
		return;
	}
	if (n == 4 && sign)
		v = (uint64_t)(int64_t)(int32_t)(uint32_t)v;
	set(st, r, rt, v, a);
}

/*
 * The effect of one instruction that does not transfer control on the
 * registers.  What is not understood forgets its destination, which is the
 * first operand of every MIPS instruction that writes a general register;
 * the instructions listed as writing none take their first operand as a
 * source.
 */
static void exec(const struct mips *st, const struct fv_code *c, struct regs *r, const cs_insn *in)
{
	const cs_mips *d = &in->detail->mips;
	const cs_mips_op *op = d->operands;
	unsigned n = d->op_count;
	if (n == 0 || op[0].type != MIPS_OP_REG)
		return;
	int rd = gpr(op[0].reg);
	if (rd < 0)
		return;
	int rs = n > 1 && op[1].type == MIPS_OP_REG ? gpr(op[1].reg) : -1;
	int rt = n > 2 && op[2].type == MIPS_OP_REG ? gpr(op[2].reg) : -1;
	int64_t imm = n > 2 && op[2].type == MIPS_OP_IMM ? op[2].imm : 0;
	int has_imm = n > 2 && op[2].type == MIPS_OP_IMM;
	uint64_t a, b;

	switch (in->id) {
	case MIPS_INS_LUI:
	case MIPS_INS_AUI: {
		/*
		 * From the instruction word: release 6 made lui an alias of
		 * `aui rt, rs, imm` (rt = rs + imm << 16, rs = 0 for lui), and
		 * capstone 4 lists its operands out of order.
		 */
		const uint8_t *b = in->bytes;
		uint32_t w = st->be ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]
				    : (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
		int t = (int)((w >> 16) & 31), s = (int)((w >> 21) & 31);
		if ((w >> 26) == 0x0f && get(r, s, &a))
			set(st, r, t, op32(st, a + ((uint64_t)(w & 0xffff) << 16)), 0);
		else
			forget(st, r, (w >> 26) == 0x0f ? t : rd);
		return;
	}
	case MIPS_INS_LI:
		if (n == 2 && op[1].type == MIPS_OP_IMM)
			set(st, r, rd, (uint64_t)op[1].imm, 0);
		else
			forget(st, r, rd);
		return;
	case MIPS_INS_ADDIU:
	case MIPS_INS_ADDI:
		if (has_imm && get(r, rs, &a))
			set(st, r, rd, op32(st, a + (uint64_t)imm), 0);
		else
			forget(st, r, rd);
		return;
	case MIPS_INS_DADDIU:
	case MIPS_INS_DADDI:
		if (has_imm && get(r, rs, &a))
			set(st, r, rd, a + (uint64_t)imm, 0);
		else
			forget(st, r, rd);
		return;
	case MIPS_INS_ORI:
		if (has_imm && get(r, rs, &a))
			set(st, r, rd, a | ((uint64_t)imm & 0xffff), 0);
		else
			forget(st, r, rd);
		return;
	case MIPS_INS_MOVE:
		if (get(r, rs, &a))
			set(st, r, rd, a, rs > ZERO ? r->from[rs] : 0);
		else
			forget(st, r, rd);
		return;
	case MIPS_INS_OR:
	case MIPS_INS_ADDU:
	case MIPS_INS_DADDU:
	case MIPS_INS_ADD:
	case MIPS_INS_DADD:
		/* With $zero on one side this is a move, and keeps where the value came from. */
		if (rt == ZERO && get(r, rs, &a)) {
			set(st, r, rd, a, rs > ZERO ? r->from[rs] : 0);
		} else if (rs == ZERO && get(r, rt, &b)) {
			set(st, r, rd, b, rt > ZERO ? r->from[rt] : 0);
		} else if (get(r, rs, &a) && get(r, rt, &b)) {
			uint64_t v = in->id == MIPS_INS_OR ? a | b : a + b;
			int is32 = in->id == MIPS_INS_ADDU || in->id == MIPS_INS_ADD;
			set(st, r, rd, is32 ? op32(st, v) : v, 0);
		} else {
			forget(st, r, rd);
		}
		return;
	case MIPS_INS_SUBU:
	case MIPS_INS_DSUBU:
		if (get(r, rs, &a) && get(r, rt, &b))
			set(st, r, rd, in->id == MIPS_INS_SUBU ? op32(st, a - b) : a - b, 0);
		else
			forget(st, r, rd);
		return;
	case MIPS_INS_SLL:
	case MIPS_INS_DSLL:
	case MIPS_INS_DSLL32:
		if (has_imm && get(r, rs, &a)) {
			unsigned sh = (unsigned)imm & 31;
			if (in->id == MIPS_INS_DSLL32)
				sh += 32;
			else if (in->id == MIPS_INS_DSLL)
				sh = (unsigned)imm & 63;
			set(st, r, rd, in->id == MIPS_INS_SLL ? op32(st, a << sh) : a << sh, 0);
		} else {
			forget(st, r, rd);
		}
		return;
	case MIPS_INS_LW:
	case MIPS_INS_LWU:
	case MIPS_INS_LD:
		if (n == 2 && op[1].type == MIPS_OP_MEM)
			load(st, c, r, rd, &op[1], in->id == MIPS_INS_LD ? 8 : 4, in->id == MIPS_INS_LW);
		else
			forget(st, r, rd);
		return;

	/* The first operand is a source. */
	case MIPS_INS_SB: case MIPS_INS_SH: case MIPS_INS_SW: case MIPS_INS_SD:
	case MIPS_INS_SWL: case MIPS_INS_SWR: case MIPS_INS_SDL: case MIPS_INS_SDR:
	case MIPS_INS_SWC1: case MIPS_INS_SDC1: case MIPS_INS_SWC2: case MIPS_INS_SDC2:
	case MIPS_INS_SWXC1: case MIPS_INS_SDXC1: case MIPS_INS_SUXC1:
	case MIPS_INS_MTC0: case MIPS_INS_MTC1: case MIPS_INS_MTC2:
	case MIPS_INS_DMTC0: case MIPS_INS_DMTC1: case MIPS_INS_DMTC2:
	case MIPS_INS_MTHC1: case MIPS_INS_CTC1: case MIPS_INS_MTHI: case MIPS_INS_MTLO:
	case MIPS_INS_MULT: case MIPS_INS_MULTU: case MIPS_INS_DMULT: case MIPS_INS_DMULTU:
	case MIPS_INS_MADD: case MIPS_INS_MADDU: case MIPS_INS_MSUB: case MIPS_INS_MSUBU:
	case MIPS_INS_TEQ: case MIPS_INS_TNE: case MIPS_INS_TGE: case MIPS_INS_TGEU:
	case MIPS_INS_TLT: case MIPS_INS_TLTU: case MIPS_INS_TEQI: case MIPS_INS_TNEI:
	case MIPS_INS_TGEI: case MIPS_INS_TGEIU: case MIPS_INS_TLTI: case MIPS_INS_TLTIU:
	case MIPS_INS_CACHE: case MIPS_INS_PREF: case MIPS_INS_SYNCI:
		return;
	case MIPS_INS_DIV: case MIPS_INS_DIVU: case MIPS_INS_DDIV: case MIPS_INS_DDIVU:
		/* Before release 6 these write hi/lo only (capstone lists the two sources). */
		if (n == 3)
			forget(st, r, rd);
		return;
	default:
		forget(st, r, rd);
		return;
	}
}

/* The immediate operand of a branch: its target, which capstone has made absolute. */
static uint64_t branch_target(const struct mips *st, const cs_mips *d)
{
	for (unsigned i = d->op_count; i-- > 0;)
		if (d->operands[i].type == MIPS_OP_IMM)
			return (uint64_t)d->operands[i].imm & st->mask;
	return 0;
}

/* Release 6 compact branches: capstone 4 gives the offset from the next instruction instead. */
static uint64_t compact_target(const struct mips *st, const cs_insn *in)
{
	const cs_mips *d = &in->detail->mips;
	for (unsigned i = d->op_count; i-- > 0;)
		if (d->operands[i].type == MIPS_OP_IMM)
			return (in->address + 4 + (uint64_t)d->operands[i].imm) & st->mask;
	return 0;
}

/* The last register operand (jr rs, jalr rd, rs). */
static int branch_reg(const cs_mips *d)
{
	for (unsigned i = d->op_count; i-- > 0;)
		if (d->operands[i].type == MIPS_OP_REG)
			return gpr(d->operands[i].reg);
	return -1;
}

enum { NODELAY = 0, DELAY = 1, LIKELY = 2 };

/*
 * Sets o->kind, o->target and o->slot for a control transfer (from the
 * registers before its delay slot); returns NODELAY, DELAY or LIKELY, or -1
 * when in does not transfer control.
 */
static int transfer(const struct mips *st, const struct regs *r, const cs_insn *in, struct fv_insn *o)
{
	const cs_mips *d = &in->detail->mips;
	int reg;
	uint64_t v;

	switch (in->id) {
	case MIPS_INS_J:
	case MIPS_INS_B:
		o->kind = FV_IK_JUMP;
		o->target = branch_target(st, d);
		return DELAY;
	case MIPS_INS_JAL:
	case MIPS_INS_BAL:
	case MIPS_INS_JALX:
	case MIPS_INS_BGEZAL:
	case MIPS_INS_BLTZAL:
		o->kind = FV_IK_CALL;
		o->target = branch_target(st, d);
		return DELAY;
	case MIPS_INS_BGEZALL:
	case MIPS_INS_BLTZALL:
		o->kind = FV_IK_CALL;
		o->target = branch_target(st, d);
		return LIKELY;
	case MIPS_INS_BALC:
	case MIPS_INS_BEQZALC: case MIPS_INS_BNEZALC: case MIPS_INS_BGEZALC:
	case MIPS_INS_BGTZALC: case MIPS_INS_BLEZALC: case MIPS_INS_BLTZALC:
		o->kind = FV_IK_CALL;
		o->target = compact_target(st, in);
		return NODELAY;
	case MIPS_INS_BC:
		o->kind = FV_IK_JUMP;
		o->target = compact_target(st, in);
		return NODELAY;

	case MIPS_INS_JALR:
	case MIPS_INS_JALR_HB:
	case MIPS_INS_JALRC:
	case MIPS_INS_JIALC:
	case MIPS_INS_JR:
	case MIPS_INS_JR_HB:
	case MIPS_INS_JRC:
	case MIPS_INS_JIC: {
		int call = in->id == MIPS_INS_JALR || in->id == MIPS_INS_JALR_HB || in->id == MIPS_INS_JALRC ||
			   in->id == MIPS_INS_JIALC;
		int compact = in->id == MIPS_INS_JALRC || in->id == MIPS_INS_JIALC || in->id == MIPS_INS_JRC ||
			      in->id == MIPS_INS_JIC;
		reg = branch_reg(d);
		if (!call && reg == RA) {
			o->kind = FV_IK_RET;
			return compact ? NODELAY : DELAY;
		}
		o->kind = call ? FV_IK_CALL : FV_IK_JUMP;
		/* jic/jialc add an offset (`jialc t9,0` is release 6's jalrc t9). */
		int64_t off = 0;
		if (in->id == MIPS_INS_JIC || in->id == MIPS_INS_JIALC)
			for (unsigned i = 0; i < d->op_count; i++)
				if (d->operands[i].type == MIPS_OP_IMM)
					off = d->operands[i].imm;
		if (off && reg > ZERO && get(r, reg, &v)) {
			o->target = (v + (uint64_t)off) & st->mask;
		} else if (reg > ZERO && get(r, reg, &v)) {
			/*
			 * Through a global GOT entry: its slot, and what the file holds
			 * there as the target (the lazy-binding stub of an import, or
			 * the function of this file).  A local GOT entry holds an
			 * address of this file and names no symbol: only the target.
			 */
			uint64_t from = r->from[reg];
			int local = st->have_got && from >= st->pltgot && from < st->got_global;
			if (from && !local)
				o->slot = from;
			o->target = v;
		}
		return compact ? NODELAY : DELAY;
	}

	case MIPS_INS_BEQ:
	case MIPS_INS_BEQL: {
		/* beq r,r is always taken (b is beq zero,zero). */
		int likely = in->id == MIPS_INS_BEQL;
		int a = d->op_count > 0 && d->operands[0].type == MIPS_OP_REG ? gpr(d->operands[0].reg) : -1;
		int b = d->op_count > 1 && d->operands[1].type == MIPS_OP_REG ? gpr(d->operands[1].reg) : -2;
		o->kind = a == b ? FV_IK_JUMP : FV_IK_CJUMP;
		o->target = branch_target(st, d);
		return likely && a != b ? LIKELY : DELAY;
	}
	case MIPS_INS_BGEZ:
	case MIPS_INS_BLEZ:
		/* Against $zero these are always taken too. */
		reg = d->op_count > 0 && d->operands[0].type == MIPS_OP_REG ? gpr(d->operands[0].reg) : -1;
		o->kind = reg == ZERO ? FV_IK_JUMP : FV_IK_CJUMP;
		o->target = branch_target(st, d);
		return DELAY;
	case MIPS_INS_BNE: case MIPS_INS_BEQZ: case MIPS_INS_BNEZ:
	case MIPS_INS_BGTZ: case MIPS_INS_BLTZ:
	case MIPS_INS_BC0F: case MIPS_INS_BC0T: case MIPS_INS_BC1F: case MIPS_INS_BC1T:
	case MIPS_INS_BC2F: case MIPS_INS_BC2T: case MIPS_INS_BC3F: case MIPS_INS_BC3T:
	case MIPS_INS_BC1EQZ: case MIPS_INS_BC1NEZ: case MIPS_INS_BC2EQZ: case MIPS_INS_BC2NEZ:
	case MIPS_INS_BPOSGE32: case MIPS_INS_BZ: case MIPS_INS_BNZ:
	case MIPS_INS_BBIT0: case MIPS_INS_BBIT032: case MIPS_INS_BBIT1: case MIPS_INS_BBIT132:
		o->kind = FV_IK_CJUMP;
		o->target = branch_target(st, d);
		return DELAY;
	case MIPS_INS_BNEL: case MIPS_INS_BGEZL: case MIPS_INS_BGTZL: case MIPS_INS_BLEZL:
	case MIPS_INS_BLTZL: case MIPS_INS_BC0FL: case MIPS_INS_BC0TL: case MIPS_INS_BC1FL:
	case MIPS_INS_BC1TL: case MIPS_INS_BC2FL: case MIPS_INS_BC2TL: case MIPS_INS_BC3FL:
	case MIPS_INS_BC3TL:
		o->kind = FV_IK_CJUMP;
		o->target = branch_target(st, d);
		return LIKELY;
	case MIPS_INS_BEQZC: case MIPS_INS_BNEZC: case MIPS_INS_BEQC: case MIPS_INS_BNEC:
	case MIPS_INS_BGEC: case MIPS_INS_BLTC: case MIPS_INS_BGEUC: case MIPS_INS_BLTUC:
	case MIPS_INS_BGEZC: case MIPS_INS_BGTZC: case MIPS_INS_BLEZC: case MIPS_INS_BLTZC:
	case MIPS_INS_BOVC: case MIPS_INS_BNVC:
		o->kind = FV_IK_CJUMP;
		o->target = compact_target(st, in);
		return NODELAY;

	case MIPS_INS_ERET:
	case MIPS_INS_DERET:
		o->kind = FV_IK_RET;
		return NODELAY;
	case MIPS_INS_BREAK:
	case MIPS_INS_SDBBP:
		o->kind = FV_IK_STOP;
		return NODELAY;
	case MIPS_INS_TEQ:
	case MIPS_INS_TGE:
	case MIPS_INS_TGEU: {
		/* A trap on r == r (or r >= r) always fires: __builtin_trap is teq zero,zero. */
		int a = d->op_count > 1 && d->operands[0].type == MIPS_OP_REG ? gpr(d->operands[0].reg) : -1;
		int b = d->op_count > 1 && d->operands[1].type == MIPS_OP_REG ? gpr(d->operands[1].reg) : -2;
		if (a != b)
			return -1;
		o->kind = FV_IK_STOP;
		return NODELAY;
	}
	default:
		return -1;
	}
}

/* Arguments are recorded on calls and on jumps that leave the range (tail calls). */
static int wants_args(const struct fv_insn *o, uint64_t start, uint64_t end)
{
	if (o->kind == FV_IK_CALL)
		return 1;
	return o->kind == FV_IK_JUMP && (o->slot || (o->target && (o->target < start || o->target >= end)));
}

static void take_args(const struct regs *r, struct fv_insn *o)
{
	uint64_t v;
	for (unsigned i = 0; i < FV_NARGS; i++)
		if (get(r, A0 + (int)i, &v)) {
			o->arg[i] = v;
			o->argk |= (uint8_t)(1u << i);
		}
}

/* What follows a transfer once its delay slot (if any) has run. */
static void after(const struct mips *st, struct regs *r, const struct fv_insn *o, int likely,
		  const struct regs *before_slot)
{
	switch (o->kind) {
	case FV_IK_CALL:
		if (likely)
			*r = *before_slot;
		for (int i = 1; i < 32; i++)
			if (CLOBBER & (1u << i))
				forget(st, r, i);
		break;
	case FV_IK_CJUMP:
		if (likely)
			*r = *before_slot;
		break;
	case FV_IK_JUMP:
	case FV_IK_RET:
	case FV_IK_STOP:
		reset(st, r);
		break;
	}
}

/* Remembers the registers on a forward branch to target; dropped when the table is full or memory short. */
static void add_edge(struct mips *st, uint64_t target, const struct regs *r)
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

/* Keeps in a only what b agrees with. */
static void meet(struct regs *a, const struct regs *b)
{
	uint32_t k = a->known & b->known;
	for (int i = 1; i < 32; i++)
		if ((k & (1u << i)) && (a->val[i] != b->val[i] || a->from[i] != b->from[i]))
			k &= ~(1u << i);
	a->known = k;
}

/*
 * At addr: joins the branches that go there with the walk's registers
 * (*live: the previous instruction falls through to addr) and drops those
 * whose target has been passed (the middle of an instruction).
 */
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

/* Closes a transfer once its delay slot has run: its branch's registers, then the walk's. */
static void settle(struct mips *st, struct regs *r, const struct fv_insn *o, int likely,
		   const struct regs *before_slot, uint64_t end)
{
	if ((o->kind == FV_IK_JUMP || o->kind == FV_IK_CJUMP) && o->target > o->addr && o->target < end)
		add_edge(st, o->target, r);
	after(st, r, o, likely, before_slot);
}

static int falls_through(const struct fv_insn *o)
{
	return o->kind != FV_IK_JUMP && o->kind != FV_IK_RET && o->kind != FV_IK_STOP;
}

#define NONE ((size_t)-1)

static int lift_mips(void *stv, const struct fv_code *c, uint64_t start, uint64_t end, struct fv_insns *out)
{
	struct mips *st = stv;
	size_t avail;
	if ((start & 1) || end <= start)
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

	struct regs r = { 0 }, saved = { 0 };
	reset(st, &r);
	int live = 1;             /* the previous instruction falls through to this one */
	size_t pending = NONE;    /* the transfer whose delay slot comes next */
	int pending_likely = 0;

	while (size > 0) {
		if (pending == NONE && st->edges && addr >= st->edges->min)
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
			code += n;
			size -= n;
			addr += n;
			if (pending != NONE) {
				/* A transfer whose delay slot does not decode: nothing after it is trusted. */
				struct fv_insn *p = &out->v[pending];
				if (wants_args(p, start, end))
					take_args(&r, p);
				pending = NONE;
			}
			reset(st, &r);
			live = 0;
			continue;
		}
		const cs_insn *in = st->insn;
		o->size = (uint8_t)in->size;

		if (pending != NONE) {
			/*
			 * A delay slot.  A transfer here is undefined behaviour of
			 * the CPU: it is recorded for what it is, but only its effect
			 * on the registers is taken.
			 */
			struct fv_insn tmp = { 0 };
			if (transfer(st, &r, in, &tmp) >= 0)
				o->kind = tmp.kind, o->target = tmp.target, o->slot = tmp.slot;
			else
				exec(st, c, &r, in);
			struct fv_insn *p = &out->v[pending];
			if (wants_args(p, start, end))
				take_args(&r, p);
			settle(st, &r, p, pending_likely, &saved, end);
			live = falls_through(p);
			pending = NONE;
			continue;
		}

		int delay = transfer(st, &r, in, o);
		if (delay < 0) {
			exec(st, c, &r, in);
			continue;
		}
		if (delay == NODELAY) {
			if (wants_args(o, start, end))
				take_args(&r, o);
			settle(st, &r, o, 0, NULL, end);
			live = falls_through(o);
			continue;
		}
		o->delay = 1;
		pending = out->n - 1;
		pending_likely = delay == LIKELY;
		if (pending_likely)
			saved = r;
	}
	if (pending != NONE) {
		/* The range ends on a transfer: its delay slot is outside. */
		struct fv_insn *p = &out->v[pending];
		if (wants_args(p, start, end))
			take_args(&r, p);
	}
	return 0;
}

/*
 * Two kinds of stub, decoded over at most eight instructions:
 *
 *   .plt entry (non-PIC code):  lui t7,%hi(slot); lw t9,%lo(slot)(t7); jr t9; addiu t8,t7,%lo(slot)
 *   lazy-binding stub (.MIPS.stubs): lw t9,-0x7ff0(gp); move t7,ra; jalr t9; li t8,N
 *
 * The first gives its slot.  The second calls the resolver with the dynamic
 * symbol index N in t8; the slot that symbol's address lives in is its
 * global GOT entry, DT_PLTGOT + (DT_MIPS_LOCAL_GOTNO + N - DT_MIPS_GOTSYM)
 * entries.  The load of the first kind must not be $gp-relative, so a
 * function that tail-calls through the GOT is not taken for a stub.
 */
static int stub_mips(void *stv, const struct fv_code *c, uint64_t addr, uint64_t *slot)
{
	struct mips *st = stv;
	size_t avail;
	const uint8_t *code = fv_code_bytes(c, addr, &avail);
	if (!code || (addr & 1))
		return 0;
	size_t size = avail < 32 ? avail : 32;
	struct regs r = { 0 };
	reset(st, &r);
	int t7_ra = 0, t9_via_gp = 0;
	int jump = -1; /* 0: jr t9, 1: jalr t9; the delay slot comes next */

	while (size > 0 && cs_disasm_iter(st->h, &code, &size, &addr, st->insn)) {
		const cs_insn *in = st->insn;
		const cs_mips *d = &in->detail->mips;
		if (jump >= 0) {
			struct fv_insn tmp = { 0 };
			if (transfer(st, &r, in, &tmp) >= 0)
				return 0;
			exec(st, c, &r, in);
			if (jump == 0)
				return 1;
			uint64_t n;
			if (!t7_ra || !st->have_got || !get(&r, T8, &n) || n < st->gotsym || n >= (1u << 24) ||
			    (st->symtabno && n >= st->symtabno))
				return 0;
			*slot = (st->pltgot + (st->local_gotno + n - st->gotsym) * st->word) & st->mask;
			return 1;
		}
		struct fv_insn tmp = { 0 };
		int delay = transfer(st, &r, in, &tmp);
		if (delay >= 0) {
			if (delay != DELAY || branch_reg(d) != T9)
				return 0;
			if (in->id == MIPS_INS_JR || in->id == MIPS_INS_JR_HB) {
				if (t9_via_gp || !(r.known & (1u << T9)) || !r.from[T9])
					return 0;
				*slot = r.from[T9];
				jump = 0;
			} else if (in->id == MIPS_INS_JALR) {
				jump = 1;
			} else {
				return 0;
			}
			continue;
		}
		int rd = d->op_count > 1 && d->operands[0].type == MIPS_OP_REG ? gpr(d->operands[0].reg) : -1;
		if (rd == T7) {
			/* move t7,ra (or or/addu/daddu t7,ra,zero): the lazy stub saves the return address. */
			int rs = d->operands[1].type == MIPS_OP_REG ? gpr(d->operands[1].reg) : -1;
			int rt = d->op_count > 2 && d->operands[2].type == MIPS_OP_REG ? gpr(d->operands[2].reg) : ZERO;
			t7_ra = rs == RA && rt == ZERO;
		}
		if (rd == T9 && d->op_count > 1 && d->operands[1].type == MIPS_OP_MEM)
			t9_via_gp = gpr(d->operands[1].mem.base) == GP;
		exec(st, c, &r, in);
	}
	return 0;
}

const struct fv_lifter fv_lifter_mips = {
	.name = "mips",
	.accepts = accepts,
	.open = open_mips,
	.close = close_mips,
	.lift = lift_mips,
	.stub = stub_mips,
};
