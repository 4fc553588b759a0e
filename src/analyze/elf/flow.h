/*
 * What a binary's code does, the same for every architecture: its
 * functions, every call site with the name it calls, and every comparison
 * with constant data together with what the branch it decides leads to.
 *
 * This is the layer above the lifters (code.h).  It knows no function names
 * of its own: the caller says, through struct fv_flow_kinds, which callees
 * compare, run commands, fork, authenticate or read the network (the binary
 * analyzer takes that from rules/binary/), so the heuristics stay data.
 *
 * Functions come from the symbol tables; in a stripped binary, from the
 * targets of direct calls found by one linear pass over the executable
 * segments, and the entry point.  A call is named from the slot it goes
 * through (PLT stub or GOT, via the ELF's relocations) or from the symbol of
 * the local function it reaches.
 *
 * A comparison is a call to a comparing function (or to a small local
 * wrapper of one) where one argument is the address of a printable constant.
 * The branch that tests its result is the first conditional branch after it
 * in straight-line code.  From each side of that branch, the instructions
 * reachable inside the function without passing that branch again are
 * collected, with the effects of what they call (directly or through local
 * functions); what one side reaches and the other does not is what the
 * comparison guards.  Passing the deciding branch is cut, so the loop of a
 * server (compare, then read the next request) does not make both sides
 * reach everything.
 */
#ifndef FV_ANALYZE_ELF_FLOW_H
#define FV_ANALYZE_ELF_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/elf/code.h"

/* Effects of a call, and kinds of callee. */
enum {
	FV_FX_EXEC = 1 << 0,   /* runs a command: system, popen, the exec family */
	FV_FX_FORK = 1 << 1,   /* fork, vfork */
	FV_FX_SHELL = 1 << 2,  /* passes a shell or telnetd command line as a constant */
	FV_FX_AUTH = 1 << 3,   /* authenticates: crypt, getspnam, pam_authenticate */
	FV_FX_NET = 1 << 4,    /* reads from the network: socket, accept, recv */
	FV_FX_MASK = 0xff,
	FV_K_COMPARE = 1 << 8, /* compares its first two arguments */
	FV_K_SCANF0 = 1 << 9,  /* a scanf whose format is argument 0 */
	FV_K_SCANF1 = 1 << 10, /* a scanf whose format is argument 1 */
};

struct fv_flow_kinds {
	/* FV_FX_* and FV_K_* bits of a callee, by name. */
	unsigned (*callee)(void *ctx, const char *name);
	/* FV_FX_SHELL when the constant s (n bytes) is a shell or telnetd command line, else 0. */
	unsigned (*string)(void *ctx, const char *s, size_t n);
	void *ctx;
};

/* Call sites per callee name. */
struct fv_flow_count {
	const char *name; /* points into the ELF's data */
	unsigned calls;
	int import;       /* reached through a slot or stub (an imported function) */
};

struct fv_flow_cmp {
	uint64_t call;          /* address of the call that compares */
	uint64_t func;          /* start of the function that makes it */
	const char *func_name;  /* its symbol, or NULL in a stripped binary */
	const char *callee;     /* "strcmp", or the wrapper's name */
	uint64_t str_addr;      /* the constant */
	const char *str;        /* its bytes, in the ELF's data (not NUL-terminated when memcmp'd) */
	size_t len;
	int decided;            /* a branch on the result was found */
	unsigned guards;        /* FV_FX_* reached from one side of that branch only */
	unsigned func_fx;       /* FV_FX_* of the comparing function, through its callees too */
};

/* A function: its bytes [lo, end); start keeps the ARM Thumb bit; name NULL when found as a call target. */
struct fv_flow_func {
	uint64_t start, lo, end;
	const char *name; /* points into the ELF's data */
};

struct fv_flow {
	size_t nfuncs, ninsns;
	struct fv_flow_func *funcs; /* nfuncs, in address order */
	size_t ncalls, nnamed;     /* call sites, and those whose callee is known */
	unsigned fx;               /* FV_FX_* of every call in the binary */
	struct fv_flow_count *counts; /* sorted by name */
	size_t ncounts;
	unsigned scanf_unbounded;  /* scanf-family calls whose constant format has a %s without a width */
	struct fv_flow_cmp *cmps;  /* in address order */
	size_t ncmps;
	int truncated;             /* a bound was reached: the result covers part of the code */
};

/* Builds out (zeroed by the caller) from c's code.  0, or FV_ENOMEM. */
int fv_flow_build(struct fv_code *c, const struct fv_flow_kinds *k, struct fv_flow *out);
void fv_flow_free(struct fv_flow *f);
/* The calls counted for name, 0 when none. */
unsigned fv_flow_calls(const struct fv_flow *f, const char *name);

#endif
