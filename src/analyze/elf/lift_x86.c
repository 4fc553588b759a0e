/*
 * The lifter for x86 (i386) and x86-64 (see code.h), over capstone.
 *
 * One capstone handle and one instruction buffer per open(), decoded with
 * cs_disasm_iter, so nothing is allocated per instruction.  Constants are
 * tracked in the sixteen general registers (a 32-bit write zero-extends, an
 * 8- or 16-bit write forgets the register) and, on i386, in the four words
 * at the top of the stack, which is where cdecl puts a call's arguments
 * (`push` in reverse order, or `mov dword ptr [esp + 4*i], x`).
 *
 * PIC i386 code finds its GOT with `call __x86.get_pc_thunk.bx; add ebx, n`:
 * the thunk (`mov ebx, [esp]; ret`) is recognised by its bytes at the call's
 * target, so ebx becomes the GOT and `lea eax, [ebx + d]` a constant.  ebx
 * holding DT_PLTGOT is kept across jumps inside one range: gcc sets it up in
 * the prologue, which dominates the function, and the ABI requires it at
 * every PLT call.
 *
 * On x86-64 a jump through a slot or out of the lifted range is a tail call
 * (`jmp system@plt` at -O2), and carries rdi, rsi, rdx, rcx like a call.
 */
#include "analyze/elf/code.h"

#include <capstone/capstone.h>
#include <stdlib.h>

#include "core/err.h"

/* Register numbers in encoding order; the table below maps capstone's names to them. */
enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15, NGPR };
enum { W8 = 1, W16, W32, W64 };
#define G(i, w) (uint8_t)(((i) << 3) | (w))

/* capstone register id -> G(number, width); 0 for anything that is not a general register. */
static const uint8_t gpr[X86_REG_ENDING] = {
	[X86_REG_AL] = G(RAX, W8), [X86_REG_AH] = G(RAX, W8), [X86_REG_AX] = G(RAX, W16),
	[X86_REG_EAX] = G(RAX, W32), [X86_REG_RAX] = G(RAX, W64),
	[X86_REG_CL] = G(RCX, W8), [X86_REG_CH] = G(RCX, W8), [X86_REG_CX] = G(RCX, W16),
	[X86_REG_ECX] = G(RCX, W32), [X86_REG_RCX] = G(RCX, W64),
	[X86_REG_DL] = G(RDX, W8), [X86_REG_DH] = G(RDX, W8), [X86_REG_DX] = G(RDX, W16),
	[X86_REG_EDX] = G(RDX, W32), [X86_REG_RDX] = G(RDX, W64),
	[X86_REG_BL] = G(RBX, W8), [X86_REG_BH] = G(RBX, W8), [X86_REG_BX] = G(RBX, W16),
	[X86_REG_EBX] = G(RBX, W32), [X86_REG_RBX] = G(RBX, W64),
	[X86_REG_SPL] = G(RSP, W8), [X86_REG_SP] = G(RSP, W16), [X86_REG_ESP] = G(RSP, W32),
	[X86_REG_RSP] = G(RSP, W64),
	[X86_REG_BPL] = G(RBP, W8), [X86_REG_BP] = G(RBP, W16), [X86_REG_EBP] = G(RBP, W32),
	[X86_REG_RBP] = G(RBP, W64),
	[X86_REG_SIL] = G(RSI, W8), [X86_REG_SI] = G(RSI, W16), [X86_REG_ESI] = G(RSI, W32),
	[X86_REG_RSI] = G(RSI, W64),
	[X86_REG_DIL] = G(RDI, W8), [X86_REG_DI] = G(RDI, W16), [X86_REG_EDI] = G(RDI, W32),
	[X86_REG_RDI] = G(RDI, W64),
	[X86_REG_R8B] = G(R8, W8), [X86_REG_R8W] = G(R8, W16), [X86_REG_R8D] = G(R8, W32), [X86_REG_R8] = G(R8, W64),
	[X86_REG_R9B] = G(R9, W8), [X86_REG_R9W] = G(R9, W16), [X86_REG_R9D] = G(R9, W32), [X86_REG_R9] = G(R9, W64),
	[X86_REG_R10B] = G(R10, W8), [X86_REG_R10W] = G(R10, W16), [X86_REG_R10D] = G(R10, W32),
	[X86_REG_R10] = G(R10, W64),
	[X86_REG_R11B] = G(R11, W8), [X86_REG_R11W] = G(R11, W16), [X86_REG_R11D] = G(R11, W32),
	[X86_REG_R11] = G(R11, W64),
	[X86_REG_R12B] = G(R12, W8), [X86_REG_R12W] = G(R12, W16), [X86_REG_R12D] = G(R12, W32),
	[X86_REG_R12] = G(R12, W64),
	[X86_REG_R13B] = G(R13, W8), [X86_REG_R13W] = G(R13, W16), [X86_REG_R13D] = G(R13, W32),
	[X86_REG_R13] = G(R13, W64),
	[X86_REG_R14B] = G(R14, W8), [X86_REG_R14W] = G(R14, W16), [X86_REG_R14D] = G(R14, W32),
	[X86_REG_R14] = G(R14, W64),
	[X86_REG_R15B] = G(R15, W8), [X86_REG_R15W] = G(R15, W16), [X86_REG_R15D] = G(R15, W32),
	[X86_REG_R15] = G(R15, W64),
};

/* What a call may change (SysV): x86-64 rax rcx rdx rsi rdi r8-r11; i386 eax ecx edx. */
#define CLOBBER64 ((1u << RAX) | (1u << RCX) | (1u << RDX) | (1u << RSI) | (1u << RDI) | (0xfu << R8))
#define CLOBBER32 ((1u << RAX) | (1u << RCX) | (1u << RDX))

/* x86-64 integer argument registers, in order. */
static const uint8_t argreg64[FV_NARGS] = { RDI, RSI, RDX, RCX };

struct x86 {
	csh h;
	cs_insn *insn;
	int is64;
	uint64_t mask;   /* address width */
	uint64_t pltgot; /* DT_PLTGOT: i386 PIC code holds it in ebx */
};

/* What is known at one point of a linear walk. */
struct regs {
	uint32_t known;      /* v[i] holds register i */
	uint32_t loaded;     /* from[i]: register i was read from memory at that constant address */
	uint64_t v[NGPR], from[NGPR];
	/* i386: the words at [esp + 4*i] the current call would take as arguments. */
	uint32_t sk;
	uint64_t s[FV_NARGS];
	int got_ebx; /* i386: ebx was set to DT_PLTGOT in this range */
	uint64_t lo, hi; /* the range lifted: a jump out of it is a tail call */
};

static int accepts(const struct fv_elf *e)
{
	/* EM_386, EM_486 (an old alias of i386), EM_X86_64; x32 (64-bit code, 32-bit class) too. */
	return !e->be && (e->machine == 3 || e->machine == 6 || e->machine == 62);
}

static void *open_x86(const struct fv_code *c)
{
	const struct fv_elf *e = fv_code_elf(c);
	struct x86 *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	st->is64 = e->machine == 62;
	st->mask = st->is64 && e->cls == 64 ? UINT64_MAX : 0xffffffffu;
	st->pltgot = e->pltgot & st->mask;
	if (cs_open(CS_ARCH_X86, st->is64 ? CS_MODE_64 : CS_MODE_32, &st->h) != CS_ERR_OK) {
		free(st);
		return NULL;
	}
	if (cs_option(st->h, CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK || !(st->insn = cs_malloc(st->h))) {
		cs_close(&st->h);
		free(st);
		return NULL;
	}
	return st;
}

static void close_x86(void *p)
{
	struct x86 *st = p;
	if (!st)
		return;
	cs_free(st->insn, 1);
	cs_close(&st->h);
	free(st);
}

/* ---- register file ---------------------------------------------------------- */

static void forget(struct regs *r, unsigned i)
{
	r->known &= ~(1u << i);
	r->loaded &= ~(1u << i);
}

/*
 * Forgets everything, except that once ebx has held the GOT in this range it
 * holds it again (see the top of the file): the code after a `pop ebx; ret`
 * epilogue is reached from the body, where ebx is still the GOT.
 */
static void reset(const struct x86 *st, struct regs *r)
{
	r->known = 0;
	r->loaded = 0;
	r->sk = 0;
	if (r->got_ebx) {
		r->known = 1u << RBX;
		r->v[RBX] = st->pltgot;
	}
}

/* The value of a 32- or 64-bit register read, when known. */
static int get(const struct regs *r, unsigned reg, uint64_t *out)
{
	if (reg >= X86_REG_ENDING)
		return 0;
	unsigned g = gpr[reg], i = g >> 3, w = g & 7;
	if (w < W32 || !(r->known & (1u << i)))
		return 0;
	*out = w == W32 ? r->v[i] & 0xffffffffu : r->v[i];
	return 1;
}

/* Writes a register; known 0 forgets it.  A 32-bit write zero-extends, a narrower one is not tracked. */
static void set(const struct x86 *st, struct regs *r, unsigned reg, int known, uint64_t v, uint64_t from)
{
	if (reg >= X86_REG_ENDING || !gpr[reg])
		return;
	unsigned g = gpr[reg], i = g >> 3, w = g & 7;
	forget(r, i);
	if (w < W32)
		return;
	if (i == RSP)
		r->sk = 0;
	if (known) {
		r->v[i] = (w == W32 ? v & 0xffffffffu : v) & st->mask;
		r->known |= 1u << i;
		if (i == RBX && !st->is64 && st->pltgot && r->v[i] == st->pltgot)
			r->got_ebx = 1;
	}
	if (from) {
		r->from[i] = from;
		r->loaded |= 1u << i;
	}
}

static void forget_reg(struct regs *r, unsigned reg)
{
	if (reg < X86_REG_ENDING && gpr[reg]) {
		forget(r, gpr[reg] >> 3);
		if ((gpr[reg] >> 3) == RSP)
			r->sk = 0;
	}
}

/* A memory operand's address, when it is a constant: rip-relative, absolute, or from known registers. */
static int ea(const struct x86 *st, const struct regs *r, const cs_insn *in, const x86_op_mem *m, uint64_t *out)
{
	if (m->segment == X86_REG_FS || m->segment == X86_REG_GS)
		return 0;
	uint64_t a = (uint64_t)m->disp, v;
	if (m->base == X86_REG_RIP || m->base == X86_REG_EIP)
		a += in->address + in->size;
	else if (m->base != X86_REG_INVALID) {
		if (!get(r, m->base, &v))
			return 0;
		a += v;
	}
	if (m->index != X86_REG_INVALID) {
		if (!get(r, m->index, &v))
			return 0;
		a += v * (uint64_t)(int64_t)m->scale;
	}
	*out = a & st->mask;
	return 1;
}

/* ---- the i386 argument words -------------------------------------------------- */

static void spush(struct regs *r, int known, uint64_t v)
{
	for (unsigned i = FV_NARGS - 1; i > 0; i--)
		r->s[i] = r->s[i - 1];
	r->s[0] = v;
	r->sk = ((r->sk << 1) | (known ? 1u : 0u)) & ((1u << FV_NARGS) - 1);
}

static void spop(struct regs *r, uint64_t words)
{
	if (words >= FV_NARGS) {
		r->sk = 0;
		return;
	}
	for (unsigned i = 0; i + words < FV_NARGS; i++)
		r->s[i] = r->s[i + words];
	r->sk >>= words;
}

/* esp moved by delta bytes (add/sub esp, imm): words appear or go; anything else is unknown. */
static void smove(struct regs *r, int64_t imm, int add)
{
	if (imm % 4 != 0 || imm < -4096 || imm > 4096) {
		r->sk = 0;
		return;
	}
	int64_t delta = add ? imm : -imm;
	if (delta == 0)
		return;
	if (delta > 0)
		spop(r, (uint64_t)delta / 4);
	else
		for (int64_t i = 0; i < -delta / 4 && i < FV_NARGS; i++)
			spush(r, 0, 0);
}

/* A write of size bytes at [esp + disp]: a known dword lands in an argument word, anything else clears what it hits. */
static void sstore(struct regs *r, int64_t disp, unsigned size, int known, uint64_t v)
{
	if (disp < 0 || disp >= 4 * FV_NARGS)
		return;
	unsigned first = (unsigned)disp / 4, last = ((unsigned)disp + (size ? size : 1) - 1) / 4;
	for (unsigned i = first; i <= last && i < FV_NARGS; i++)
		r->sk &= ~(1u << i);
	if (known && size == 4 && disp % 4 == 0) {
		r->s[first] = v & 0xffffffffu;
		r->sk |= 1u << first;
	}
}

static int esp_based(const x86_op_mem *m)
{
	return m->base == X86_REG_ESP && m->index == X86_REG_INVALID &&
	       (m->segment == X86_REG_INVALID || m->segment == X86_REG_SS || m->segment == X86_REG_DS);
}

/* ---- stubs and thunks ------------------------------------------------------------ */

/* The bytes at addr, at least need of them, else NULL. */
static const uint8_t *bytes_at(const struct fv_code *c, uint64_t addr, size_t need, size_t *avail)
{
	const uint8_t *p = fv_code_bytes(c, addr, avail);
	return p && *avail >= need ? p : NULL;
}

static int32_t le32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

/* Skips endbr32/endbr64 (f3 0f 1e fb/fa): CET marks the start of code reached indirectly. */
static size_t skip_endbr(const uint8_t *p, size_t n)
{
	return n >= 4 && p[0] == 0xf3 && p[1] == 0x0f && p[2] == 0x1e && (p[3] == 0xfa || p[3] == 0xfb) ? 4 : 0;
}

/*
 * __x86.get_pc_thunk.<reg>: `mov reg, [esp]; ret` (8b /r with SIB 24, c3).
 * Matched on its bytes: the target of every call would otherwise need a
 * second decode, and the thunk has exactly one encoding.  Gives the register
 * (capstone's id) that receives the return address.
 */
static unsigned pc_thunk(const struct fv_code *c, uint64_t target)
{
	static const uint16_t regs[8] = { X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX,
					  X86_REG_INVALID, X86_REG_EBP, X86_REG_ESI, X86_REG_EDI };
	size_t n;
	const uint8_t *p = bytes_at(c, target, 4, &n);
	if (!p)
		return X86_REG_INVALID;
	size_t i = skip_endbr(p, n);
	if (n - i < 4 || p[i] != 0x8b || (p[i + 1] & 0xc7) != 0x04 || p[i + 2] != 0x24 || p[i + 3] != 0xc3)
		return X86_REG_INVALID;
	return regs[(p[i + 1] >> 3) & 7];
}

/*
 * A PLT entry: [endbr] [bnd] jmp [mem].  x86-64: `ff 25 rel32` (rip-relative:
 * .plt, .plt.sec, .plt.got).  i386: `ff 25 abs32` (non-PIC) or `ff a3 d32` /
 * `ff 63 d8` (jmp [ebx + d], PIC; the ABI has ebx = the GOT = DT_PLTGOT at
 * every PLT call).  Matched on bytes: these are the only encodings linkers
 * write, and stub() is asked about every call target.
 */
static int stub_x86(void *stv, const struct fv_code *c, uint64_t addr, uint64_t *slot)
{
	const struct x86 *st = stv;
	size_t n;
	const uint8_t *p = bytes_at(c, addr, 6, &n);
	if (!p)
		return 0;
	size_t i = skip_endbr(p, n);
	if (i < n && p[i] == 0xf2)
		i++;
	if (n - i < 3 || p[i] != 0xff)
		return 0;
	uint8_t modrm = p[i + 1];
	if (modrm == 0x25 && n - i >= 6) {
		int32_t d = le32(p + i + 2);
		*slot = st->is64 ? (addr + i + 6 + (uint64_t)(int64_t)d) & st->mask : (uint32_t)d;
		return *slot != 0;
	}
	if (st->is64 || !st->pltgot)
		return 0;
	if (modrm == 0xa3 && n - i >= 6) {
		*slot = (st->pltgot + (uint64_t)(int64_t)le32(p + i + 2)) & st->mask;
		return 1;
	}
	if (modrm == 0x63) {
		*slot = (st->pltgot + (uint64_t)(int64_t)(int8_t)p[i + 2]) & st->mask;
		return 1;
	}
	return 0;
}

/* ---- one instruction ---------------------------------------------------------------- */

/* Where a call or jump goes: op is its one operand. */
static void destination(const struct x86 *st, const struct regs *r, const cs_insn *in, const cs_x86_op *op,
			struct fv_insn *o)
{
	uint64_t a;
	if (op->type == X86_OP_IMM) {
		o->target = (uint64_t)op->imm & st->mask;
	} else if (op->type == X86_OP_MEM) {
		if (ea(st, r, in, &op->mem, &a))
			o->slot = a;
	} else if (op->type == X86_OP_REG && op->reg < X86_REG_ENDING && gpr[op->reg]) {
		unsigned i = gpr[op->reg] >> 3;
		if (r->loaded & (1u << i))
			o->slot = r->from[i];
		else if (get(r, op->reg, &a))
			o->target = a;
	}
}

/* The constant arguments at a call: x86-64 in rdi rsi rdx rcx, i386 in the words at [esp]. */
static void args(const struct x86 *st, const struct regs *r, struct fv_insn *o)
{
	for (unsigned i = 0; i < FV_NARGS; i++) {
		int known;
		uint64_t v;
		if (st->is64) {
			unsigned g = argreg64[i];
			known = (r->known >> g) & 1;
			v = r->v[g];
		} else {
			known = (r->sk >> i) & 1;
			v = r->s[i];
		}
		if (known) {
			o->arg[i] = v;
			o->argk |= (uint8_t)(1u << i);
		}
	}
}

static void call(const struct x86 *st, const struct fv_code *c, struct regs *r, const cs_insn *in,
		 const cs_x86 *x, struct fv_insn *o)
{
	o->kind = FV_IK_CALL;
	if (x->op_count >= 1 && in->id == X86_INS_CALL) /* not lcall: a far pointer is no slot */
		destination(st, r, in, &x->operands[0], o);
	args(st, r, o);
	uint32_t clobber = st->is64 ? CLOBBER64 : CLOBBER32;
	r->known &= ~clobber;
	r->loaded &= ~clobber;
	r->sk = 0;
	uint64_t next = (in->address + in->size) & st->mask;
	if (!st->is64 && o->target) {
		unsigned reg = pc_thunk(c, o->target);
		if (reg != X86_REG_INVALID)
			set(st, r, reg, 1, next, 0);
		else if (o->target == next)
			spush(r, 1, next); /* `call 1f; 1: pop ebx`: the older way to find the GOT */
	}
}

/* What an instruction this lifter does not model changes: every register it writes. */
static void clobber(const struct x86 *st, struct regs *r, const cs_insn *in, const cs_x86 *x)
{
	for (unsigned k = 0; k < x->op_count && k < 8; k++) {
		const cs_x86_op *op = &x->operands[k];
		if (op->type == X86_OP_REG && ((op->access & CS_AC_WRITE) || op->access == 0))
			forget_reg(r, op->reg);
		else if (op->type == X86_OP_MEM && !st->is64 && (op->access & CS_AC_WRITE) && esp_based(&op->mem))
			sstore(r, op->mem.disp, op->size, 0, 0);
	}
	const cs_detail *d = in->detail;
	for (unsigned k = 0; k < d->regs_write_count && k < sizeof d->regs_write / sizeof d->regs_write[0]; k++)
		forget_reg(r, d->regs_write[k]);
}

static int is_group(const cs_insn *in, uint8_t g)
{
	const cs_detail *d = in->detail;
	for (unsigned k = 0; k < d->groups_count && k < sizeof d->groups; k++)
		if (d->groups[k] == g)
			return 1;
	return 0;
}

static void step(const struct x86 *st, const struct fv_code *c, struct regs *r, const cs_insn *in,
		 struct fv_insn *o)
{
	const cs_x86 *x = &in->detail->x86;
	const cs_x86_op *a = &x->operands[0], *b = &x->operands[1];
	unsigned nops = x->op_count;
	uint64_t v = 0, addr = 0;

	switch (in->id) {
	case X86_INS_CALL:
	case X86_INS_LCALL:
		call(st, c, r, in, x, o);
		return;
	case X86_INS_JMP:
	case X86_INS_LJMP:
		o->kind = FV_IK_JUMP;
		if (nops >= 1 && in->id == X86_INS_JMP)
			destination(st, r, in, a, o);
		/*
		 * A tail call (through a slot, or out of the range) passes the
		 * arguments of the call it replaces; x86-64 only, as an i386
		 * tail call reuses its caller's argument words, not tracked here.
		 */
		if (st->is64 && (o->slot || (o->target && (o->target < r->lo || o->target >= r->hi))))
			args(st, r, o);
		reset(st, r);
		return;
	case X86_INS_RET:
	case X86_INS_RETF:
	case X86_INS_RETFQ:
	case X86_INS_IRET:
	case X86_INS_IRETD:
	case X86_INS_IRETQ:
		o->kind = FV_IK_RET;
		reset(st, r);
		return;
	case X86_INS_HLT:
	case X86_INS_UD0:
	case X86_INS_UD2:
	case X86_INS_UD2B:
	case X86_INS_INT3:
		o->kind = FV_IK_STOP;
		reset(st, r);
		return;
	case X86_INS_MOV:
	case X86_INS_MOVABS:
		if (nops != 2)
			break;
		if (a->type == X86_OP_REG) {
			int known = 0;
			addr = 0;
			if (b->type == X86_OP_IMM) {
				known = 1;
				v = (uint64_t)b->imm;
			} else if (b->type == X86_OP_REG) {
				known = get(r, b->reg, &v);
			} else if (b->type == X86_OP_MEM && (a->size == 4 || a->size == 8) &&
				   ea(st, r, in, &b->mem, &addr)) {
				/* A word of the file (a GOT entry); where it came from names a call through it. */
				known = fv_code_read(c, addr, a->size, &v);
			}
			set(st, r, a->reg, known, v, addr);
			return;
		}
		if (a->type == X86_OP_MEM && !st->is64 && esp_based(&a->mem)) {
			int known = 0;
			if (b->type == X86_OP_IMM) {
				known = 1;
				v = (uint64_t)b->imm;
			} else if (b->type == X86_OP_REG) {
				known = get(r, b->reg, &v);
			}
			sstore(r, a->mem.disp, a->size, known, v);
			return;
		}
		break;
	case X86_INS_LEA:
		if (nops == 2 && a->type == X86_OP_REG && b->type == X86_OP_MEM) {
			int known = ea(st, r, in, &b->mem, &addr);
			set(st, r, a->reg, known, addr, 0);
			return;
		}
		break;
	case X86_INS_XOR:
	case X86_INS_SUB:
	case X86_INS_ADD:
		if (nops != 2 || a->type != X86_OP_REG)
			break;
		if (in->id != X86_INS_ADD && b->type == X86_OP_REG && b->reg == a->reg) {
			set(st, r, a->reg, 1, 0, 0);
			return;
		}
		if (in->id == X86_INS_XOR)
			break;
		if (!st->is64 && (a->reg == X86_REG_ESP) && b->type == X86_OP_IMM) {
			smove(r, b->imm, in->id == X86_INS_ADD);
			return;
		}
		if (b->type == X86_OP_IMM && get(r, a->reg, &v)) {
			set(st, r, a->reg, 1, in->id == X86_INS_ADD ? v + (uint64_t)b->imm : v - (uint64_t)b->imm, 0);
			return;
		}
		if (in->id == X86_INS_ADD && b->type == X86_OP_REG) {
			uint64_t w = 0;
			int known = get(r, a->reg, &v) && get(r, b->reg, &w);
			set(st, r, a->reg, known, v + w, 0);
			return;
		}
		break;
	case X86_INS_PUSH:
		if (st->is64 || nops != 1)
			break;
		if (a->type == X86_OP_IMM)
			spush(r, 1, (uint64_t)a->imm & 0xffffffffu);
		else if (a->type == X86_OP_REG && a->size == 4) {
			int known = get(r, a->reg, &v);
			spush(r, known, v);
		}
		else if (a->size == 2)
			r->sk = 0;
		else
			spush(r, 0, 0);
		return;
	case X86_INS_POP:
		if (st->is64 || nops != 1)
			break;
		if (a->type == X86_OP_REG && a->size == 4) {
			int known = r->sk & 1;
			v = r->s[0];
			spop(r, 1);
			if (a->reg != X86_REG_ESP)
				set(st, r, a->reg, known, v, 0);
			else
				r->sk = 0;
			return;
		}
		clobber(st, r, in, x);
		r->sk = 0;
		return;
	default:
		if (is_group(in, CS_GRP_JUMP)) {
			o->kind = FV_IK_CJUMP; /* jcc, jcxz/jecxz/jrcxz, loop* */
			if (nops >= 1 && a->type == X86_OP_IMM)
				o->target = (uint64_t)a->imm & st->mask;
			return;
		}
		if (is_group(in, CS_GRP_RET) || is_group(in, CS_GRP_IRET)) {
			o->kind = FV_IK_RET;
			reset(st, r);
			return;
		}
		break;
	}
	clobber(st, r, in, x);
}

static int lift_x86(void *stv, const struct fv_code *c, uint64_t start, uint64_t end, struct fv_insns *out)
{
	struct x86 *st = stv;
	struct regs r;
	r.known = r.loaded = r.sk = 0;
	r.got_ebx = 0;
	uint64_t addr = start;
	if (st->mask != UINT64_MAX && end > st->mask + 1)
		end = st->mask + 1; /* 32-bit code: no address above 4 GiB */
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
			const uint8_t *q = p;
			size_t n = avail;
			uint64_t next = addr;
			if (!cs_disasm_iter(st->h, &q, &n, &next, st->insn) || n > avail || next <= addr) {
				/* Bytes that do not decode (or an instruction cut by the range's end). */
				o->kind = FV_IK_STOP;
				o->size = 1;
				reset(st, &r);
				p++;
				avail--;
				addr++;
				continue;
			}
			o->size = st->insn->size;
			step(st, c, &r, st->insn, o);
			p = q;
			avail = n;
			addr = next;
		}
	}
	return 0;
}

const struct fv_lifter fv_lifter_x86 = {
	.name = "x86",
	.accepts = accepts,
	.open = open_x86,
	.close = close_x86,
	.lift = lift_x86,
	.stub = stub_x86,
};
