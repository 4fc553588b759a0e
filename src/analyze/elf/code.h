/*
 * The code of one ELF, reduced to what the binary analyses need: where each
 * function is, where it calls, what it calls (an import resolved through its
 * PLT stub or GOT slot, or a local function), which constant arguments it
 * passes, and where control can go next.
 *
 * Each architecture has a lifter (lift_<arch>.c) that decodes machine code
 * (capstone, or our own decoder for RISC-V) into struct fv_insn and tracks
 * which registers hold constants, so that `lui a1,%hi(s); addiu a1,a1,%lo(s)`,
 * `adrp x1,s; add x1,x1,:lo12:s`, `ldr r1,[pc,#n]; add r1,pc,r1` and
 * `lea rsi,[rip+s]` all end as "argument 1 is the address s".  Everything
 * above the lifters (functions, call counts, reachability, the static
 * comparison detector) is the same code for every architecture (code.c).
 *
 * Nothing here trusts the binary: every read goes through fv_code_read() or
 * fv_code_bytes(), which map virtual addresses through PT_LOAD and stop at
 * the end of the file; counts and ranges come from the file only after they
 * have been checked against it.
 */
#ifndef FV_ANALYZE_ELF_CODE_H
#define FV_ANALYZE_ELF_CODE_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/elf/elf.h"

/* What an instruction does to control flow. */
enum fv_ik {
	FV_IK_OTHER = 0, /* falls through */
	FV_IK_CALL,      /* calls and comes back to the next instruction (after the delay slot) */
	FV_IK_JUMP,      /* goes to target only; target 0 and slot 0: indirect (a switch, a tail call) */
	FV_IK_CJUMP,     /* goes to target or falls through */
	FV_IK_RET,       /* returns */
	FV_IK_STOP,      /* does not go on: trap, undefined, halt, a byte run that does not decode */
};

/* Integer arguments a call's constants are tracked for. */
#define FV_NARGS 4

struct fv_insn {
	uint64_t addr;
	/*
	 * CALL, JUMP, CJUMP: the destination when it is a constant, else 0.
	 * On ARM bit 0 set means the destination is Thumb code, as in ELF
	 * symbols; everywhere else it is the plain address.
	 */
	uint64_t target;
	/*
	 * CALL or JUMP through a pointer read from memory at a constant address
	 * (MIPS `lw t9,n(gp); jalr t9`, x86 `call [rip+n]`, a PPC `lwz; mtctr;
	 * bctrl` from a known slot): that address, else 0.  The generic layer
	 * names it from the ELF's relocations.  A CALL may carry both a target
	 * (a stub) and the slot that stub jumps through, when only the call
	 * site knows it (PowerPC PIC stubs index the caller's r30).
	 */
	uint64_t slot;
	/*
	 * CALL, and a JUMP that leaves the function (a tail call: through a
	 * slot, or to a target outside the lifted range): the first FV_NARGS
	 * integer arguments, where argk has bit i set.
	 */
	uint64_t arg[FV_NARGS];
	uint8_t argk;
	uint8_t size;  /* bytes */
	uint8_t kind;  /* enum fv_ik */
	uint8_t delay; /* 1: the next instruction runs before the transfer (MIPS delay slot) */
};

/* A growing array of instructions (lifters append with fv_insns_push). */
struct fv_insns {
	struct fv_insn *v;
	size_t n, cap;
};
/* A zeroed slot at the end of v, or NULL when memory is short. */
struct fv_insn *fv_insns_push(struct fv_insns *v);
void fv_insns_free(struct fv_insns *v);

struct fv_code;

/* The binary the code belongs to. */
const struct fv_elf *fv_code_elf(const struct fv_code *c);
/*
 * The file bytes behind virtual address vaddr, and in *avail how many follow
 * it inside the same PT_LOAD segment's file bytes; NULL when vaddr is not
 * file-backed.
 */
const uint8_t *fv_code_bytes(const struct fv_code *c, uint64_t vaddr, size_t *avail);
/*
 * The n-byte (1, 2, 4 or 8) unsigned value at vaddr, in the ELF's byte
 * order, as the file holds it (a GOT entry, a literal pool word): 1, or 0
 * when it is not file-backed.
 */
int fv_code_read(const struct fv_code *c, uint64_t vaddr, unsigned n, uint64_t *out);
/* MIPS: the value of $gp the code was linked for (.reginfo, else DT_PLTGOT + 0x7ff0); 0 when unknown. */
uint64_t fv_code_mips_gp(const struct fv_code *c);

/*
 * An architecture.  A lifter keeps no global state: open() makes what one
 * thread needs for one binary (a capstone handle), and every other call
 * takes it.
 */
struct fv_lifter {
	const char *name;
	/* Whether this lifter reads e's machine code (e_machine, class, flags). */
	int (*accepts)(const struct fv_elf *e);
	void *(*open)(const struct fv_code *c);
	void (*close)(void *st);
	/*
	 * Decodes [start, end) in address order and appends one fv_insn per
	 * instruction to out (ARM: start with bit 0 set is Thumb code).  Bytes
	 * that do not decode become one STOP of the smallest instruction size
	 * and decoding goes on after them.  Register constants are tracked
	 * linearly through the range and forgotten after every JUMP, RET and
	 * STOP (the next instruction is reached from elsewhere) and, for the
	 * registers a call may change, after every CALL; registers that hold a
	 * constant for the whole binary (MIPS $gp, the PowerPC TOC) may be kept.
	 * 0, or a negative fv_err when memory is short.
	 */
	int (*lift)(void *st, const struct fv_code *c, uint64_t start, uint64_t end,
		    struct fv_insns *out);
	/*
	 * Whether the few instructions at addr are a stub that loads a pointer
	 * from a constant address and jumps to it (a PLT entry, a PPC call
	 * stub); 1 and *slot (the pointer's address), else 0.
	 */
	int (*stub)(void *st, const struct fv_code *c, uint64_t addr, uint64_t *slot);
};

/* The lifter for e, or NULL when its architecture is not read. */
const struct fv_lifter *fv_lifter_for(const struct fv_elf *e);

/*
 * Opens the code view of a parsed ELF (which must outlive it).  NULL when
 * memory is short or there is no lifter for the architecture (fv_lifter_for).
 */
struct fv_code *fv_code_open(const struct fv_elf *e);
void fv_code_close(struct fv_code *c);
/* The lifter and its per-thread state, for callers that decode themselves. */
const struct fv_lifter *fv_code_lifter(const struct fv_code *c);
void *fv_code_lifter_state(const struct fv_code *c);

#endif
