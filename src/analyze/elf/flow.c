/*
 * Functions, call sites and guarded comparisons (see flow.h).
 *
 * The code is decoded once, in address order: each function a symbol
 * names, and every gap between them (all of it in a stripped binary), in
 * windows of SWEEP_WINDOW bytes so that memory stays bounded.  Code means the
 * SHF_EXECINSTR sections when there are section headers (an executable
 * segment also holds .rodata, which is not code), else the executable
 * segments.  That pass records every call site, named and classified, and
 * the targets of direct calls, which become functions where no symbol
 * starts one.  Only functions that compare with a constant are decoded a
 * second time, to follow the branch on the comparison's result.
 *
 * Everything is bounded by the file: instructions come from file bytes,
 * functions number at most MAX_FUNCS, and the walks that decide what a
 * comparison guards visit each instruction of one function at most once,
 * for at most MAX_CMPS_PER_FUNC comparisons.
 */
#include "analyze/elf/flow.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"

#define EM_ARM 40
#define MAX_FUNCS (1u << 18)
#define MAX_CMPS_PER_FUNC 64
#define MAX_CONST 256        /* bytes of a compared constant */
#define DECIDE_WINDOW 16     /* instructions between a comparison and the branch on its result */
#define WRAPPER_MAX_BYTES 256 /* a comparison wrapper is a small function */
#define SWEEP_WINDOW (256u << 10) /* bytes of code lifted at a time */
#define SHF_EXECINSTR 4

struct func {
	uint64_t start;    /* as the symbol says (ARM: bit 0 for Thumb) */
	uint64_t lo, end;  /* [lo, end): the bytes, lo without the Thumb bit */
	const char *name;  /* NULL for a function found as a call target */
	size_t first_call, ncalls; /* its call sites in ctx.calls */
	unsigned cands;    /* calls that may compare with a constant (pass 2 looks at them) */
	unsigned fx;       /* FV_FX_* through its callees */
	int wrapper;       /* a small function that only passes its arguments to a comparison */
};

/* One call site. */
struct call {
	uint64_t addr;
	uint64_t target;   /* a direct destination, or 0 */
	const char *name;
	long local;        /* index of the local function called, or -1 */
	unsigned kinds;    /* FV_K_* and FV_FX_* of the callee */
	unsigned fx;       /* effects of this call site (the callee's, plus constant command lines) */
	uint8_t import;
	uint8_t tail;      /* a jump to another function */
	uint8_t konst;     /* exactly one of its first two arguments is a printable constant */
	uint8_t cmp_noconst; /* a comparison whose compared arguments are both unknown (a wrapper's) */
	uint8_t gap;       /* outside every symbol's function: a PLT stub's own transfer, where stubs are */
};

/* A stretch of code decoded in one mode. */
struct range {
	uint64_t lo, end;
	uint64_t mode; /* ARM: 1 for Thumb */
	int in_func;   /* covered by a symbol: jumps to other functions are tail calls */
};

struct ctx {
	struct fv_code *c;
	const struct fv_elf *e;
	const struct fv_lifter *l;
	void *st;
	const struct fv_flow_kinds *k;
	struct func *f;
	size_t nf, capf, nsym; /* f[0, nsym) are the symbols' functions, sorted, while pass 1 runs */
	uint64_t *stubs;     /* stubs that direct calls reach (a PLT) */
	size_t nstubs, capstubs;
	struct fv_insns ins; /* one window or one function */
	struct call *calls;
	size_t ncalls, capcalls;
	int32_t *callix;     /* pass 2: per instruction of the function, its call, or -1 */
	uint32_t *seen;      /* pass 2: per instruction, the walk that visited it */
	size_t nseen;
	uint32_t gen;
	size_t *queue;
};

static uint64_t lo_addr(const struct ctx *x, uint64_t a)
{
	return x->e->machine == EM_ARM ? a & ~1ull : a; /* bit 0 marks Thumb */
}

/* ---- code areas and functions -------------------------------------------- */

/*
 * Calls fn for each stretch of code: the SHF_EXECINSTR sections (PLT-like
 * sections included: their stubs are told apart by the lifters), else the
 * file bytes of each executable segment.
 */
static int each_code_area(struct ctx *x, int (*fn)(struct ctx *, uint64_t, uint64_t, void *), void *arg)
{
	struct fv_elf_shdr sh;
	int any = 0, rc;
	for (size_t i = 0; fv_elf_shdr(x->e, i, &sh); i++) {
		size_t avail;
		if (!(sh.flags & SHF_EXECINSTR) || sh.type == FV_SHT_NOBITS || !sh.size ||
		    !fv_code_bytes(x->c, sh.addr, &avail))
			continue;
		any = 1;
		if ((rc = fn(x, sh.addr, sh.addr + (sh.size < avail ? sh.size : avail), arg)))
			return rc;
	}
	if (any)
		return 0;
	struct fv_elf_phdr ph;
	for (size_t i = 0; fv_elf_phdr(x->e, i, &ph); i++) {
		size_t avail;
		if (ph.type != FV_PT_LOAD || !(ph.flags & 1) || !fv_code_bytes(x->c, ph.vaddr, &avail))
			continue;
		if ((rc = fn(x, ph.vaddr, ph.vaddr + avail, arg)))
			return rc;
	}
	return 0;
}

struct within {
	uint64_t a, end;
};

static int find_area(struct ctx *x, uint64_t lo, uint64_t end, void *arg)
{
	(void)x;
	struct within *w = arg;
	if (w->a >= lo && w->a < end) {
		w->end = end;
		return 1;
	}
	return 0;
}

/* The end of the code area holding a, or 0 when a is not in code. */
static uint64_t code_end(struct ctx *x, uint64_t a)
{
	struct within w = { a, 0 };
	each_code_area(x, find_area, &w);
	return w.end;
}

static int add_func(struct ctx *x, uint64_t start, uint64_t size, const char *name)
{
	uint64_t lo = lo_addr(x, start), end = code_end(x, lo);
	if (!end || x->nf >= MAX_FUNCS)
		return 0;
	if (fv_grow(&x->f, &x->capf, x->nf, sizeof *x->f))
		return FV_ENOMEM;
	struct func *f = &x->f[x->nf++];
	memset(f, 0, sizeof *f);
	f->start = start;
	f->lo = lo;
	f->end = size && size < end - lo ? lo + size : end;
	f->name = name && *name ? name : NULL;
	return 0;
}

static int symbols(struct ctx *x, const struct fv_elf_symtab *t)
{
	struct fv_elf_sym s;
	for (size_t i = 0; fv_elf_sym(x->e, t, i, &s); i++)
		if ((s.type == FV_STT_FUNC || s.type == FV_STT_GNU_IFUNC) && s.shndx != FV_SHN_UNDEF && s.value)
			if (add_func(x, s.value, s.size, s.name))
				return FV_ENOMEM;
	return 0;
}

static int by_lo(const void *a, const void *b)
{
	const struct func *x = a, *y = b;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	/* Named first, so the dedup below keeps a name; then the one with a size. */
	if ((x->name == NULL) != (y->name == NULL))
		return (x->name == NULL) - (y->name == NULL);
	return (y->end > x->end) - (y->end < x->end);
}

static int by_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Sorts x->f and drops functions that start where an earlier one does. */
static void sort_funcs(struct ctx *x)
{
	if (!x->nf)
		return;
	qsort(x->f, x->nf, sizeof *x->f, by_lo);
	size_t o = 0;
	for (size_t i = 0; i < x->nf; i++)
		if (!o || x->f[o - 1].lo != x->f[i].lo)
			x->f[o++] = x->f[i];
	x->nf = o;
}

/*
 * Each function ends where the next starts and before the first stub after
 * its start: one without a size (_init, or any found as a call target) must
 * not run on into the PLT, whose jumps would count as its tail calls.
 */
static void settle_ends(struct ctx *x)
{
	if (x->nstubs)
		qsort(x->stubs, x->nstubs, sizeof *x->stubs, by_u64);
	for (size_t i = 0; i < x->nf; i++) {
		struct func *f = &x->f[i];
		if (i + 1 < x->nf && f->end > x->f[i + 1].lo)
			f->end = x->f[i + 1].lo;
		size_t lo = 0, hi = x->nstubs;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (x->stubs[mid] <= f->lo)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < x->nstubs && x->stubs[lo] < f->end)
			f->end = x->stubs[lo];
	}
}

/* The function in f[0, n) that starts at a, or -1. */
static long func_at_in(const struct ctx *x, size_t n, uint64_t a)
{
	a = lo_addr(x, a);
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (x->f[mid].lo < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && x->f[lo].lo == a ? (long)lo : -1;
}

/* The function in f[0, n) whose bytes hold a, or -1. */
static long func_holding(const struct ctx *x, size_t n, uint64_t a)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (x->f[mid].lo <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && a < x->f[lo - 1].end ? (long)lo - 1 : -1;
}

/* The index of the instruction at a in the function held in x->ins, or -1. */
static long insn_at(const struct ctx *x, const struct func *f, uint64_t a)
{
	a = lo_addr(x, a);
	if (a < f->lo || a >= f->end)
		return -1;
	const struct fv_insn *v = x->ins.v;
	size_t lo = 0, hi = x->ins.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].addr < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < x->ins.n && v[lo].addr == a ? (long)lo : -1;
}

/* ---- constants ------------------------------------------------------------ */

static int printable(uint8_t b) { return (b >= 0x20 && b < 0x7f) || b == '\t' || b == '\n' || b == '\r'; }

/*
 * The printable constant at a: up to its NUL, or exactly n bytes when n is
 * given (memcmp).  NULL when a is not file-backed or not text.
 */
static const char *const_text(const struct ctx *x, uint64_t a, uint64_t n, size_t *len)
{
	size_t avail;
	const uint8_t *p = fv_code_bytes(x->c, a, &avail);
	if (!p || !avail)
		return NULL;
	size_t max = avail < MAX_CONST ? avail : MAX_CONST, i = 0;
	if (n) {
		if (n > max)
			return NULL;
		for (; i < n; i++)
			if (!printable(p[i]))
				return NULL;
	} else {
		while (i < max && p[i] && printable(p[i]))
			i++;
		if (i == max || p[i] != 0)
			return NULL;
	}
	if (!i)
		return NULL;
	*len = i;
	return (const char *)p;
}

/* Whether the constant format of a scanf has a %s or %[ without a width. */
static int unbounded_scanf(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%')
			continue;
		if (++i < n && s[i] == '%')
			continue;
		if (i < n && s[i] == '*')
			i++;
		int width = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			width = 1;
			i++;
		}
		while (i < n && (s[i] == 'l' || s[i] == 'h' || s[i] == 'm'))
			i++;
		if (i < n && (s[i] == 's' || s[i] == '[') && !width)
			return 1;
	}
	return 0;
}

/* The constant compared by the call at in, if one argument is one and the other is not. */
static const char *compared_const(const struct ctx *x, const struct fv_insn *in, const char *callee,
				  uint64_t *addr, size_t *len)
{
	uint64_t n = 0;
	if (callee && (!strncmp(callee, "mem", 3) || !strcmp(callee, "bcmp"))) {
		if (!(in->argk & 4) || !in->arg[2] || in->arg[2] > MAX_CONST)
			return NULL;
		n = in->arg[2];
	}
	const char *s[2] = { NULL, NULL };
	size_t l[2] = { 0, 0 };
	for (int a = 0; a < 2; a++)
		if (in->argk & (1u << a))
			s[a] = const_text(x, in->arg[a], n, &l[a]);
	if (s[0] && s[1])
		return NULL; /* two constants: decided when it was compiled */
	int a = s[0] ? 0 : 1;
	if (!s[a])
		return NULL;
	*addr = in->arg[a];
	*len = l[a];
	return s[a];
}

/* ---- call sites ----------------------------------------------------------- */

struct stubcache {
	uint64_t *key;
	const char **name;
	uint8_t *is_stub;
	size_t cap, used;
};

/* The import a direct call into a stub reaches (NULL when unnamed), and whether target is a stub. */
static const char *stub_name(struct ctx *x, struct stubcache *sc, uint64_t target, int *is_stub)
{
	size_t h = (size_t)((target * 0x9e3779b97f4a7c15ull) >> 40) & (sc->cap - 1);
	while (sc->key[h]) {
		if (sc->key[h] == target) {
			*is_stub = sc->is_stub[h];
			return sc->name[h];
		}
		h = (h + 1) & (sc->cap - 1);
	}
	const char *name = NULL;
	uint64_t slot;
	*is_stub = x->l->stub(x->st, x->c, target, &slot);
	if (*is_stub) {
		const struct fv_elf_slot *s = fv_elf_slot_at(x->e, slot);
		if (s && *s->name)
			name = s->name;
	}
	/* A half-full table stops caching; lookups stay correct, only slower. */
	if (++sc->used * 2 < sc->cap) {
		sc->key[h] = target;
		sc->name[h] = name;
		sc->is_stub[h] = (uint8_t)*is_stub;
	}
	return name;
}

/* Names and classifies the call (or tail jump) at in; 1 when it reaches a stub. */
static int resolve(struct ctx *x, struct stubcache *sc, const struct fv_insn *in, struct call *cl)
{
	int is_stub = 0;
	memset(cl, 0, sizeof *cl);
	cl->local = -1;
	cl->addr = in->addr;
	cl->target = in->target;
	if (in->slot) {
		const struct fv_elf_slot *s = fv_elf_slot_at(x->e, in->slot);
		if (s && *s->name) {
			cl->name = s->name;
			cl->import = !s->value;
			if (s->value)
				cl->target = s->value;
		}
	}
	if (!cl->name && in->target) {
		long fi = func_at_in(x, x->nsym, in->target);
		if (fi >= 0) {
			cl->name = x->f[fi].name;
		} else {
			cl->name = stub_name(x, sc, in->target, &is_stub);
			cl->import = cl->name != NULL;
		}
	}
	if (cl->name)
		cl->kinds = x->k->callee(x->k->ctx, cl->name);
	cl->fx = cl->kinds & FV_FX_MASK;
	for (unsigned a = 0; a < FV_NARGS; a++) {
		size_t n;
		const char *s;
		if ((in->argk & (1u << a)) && (s = const_text(x, in->arg[a], 0, &n)))
			cl->fx |= x->k->string(x->k->ctx, s, n) & FV_FX_SHELL;
	}
	uint64_t addr;
	size_t n;
	cl->konst = compared_const(x, in, cl->name, &addr, &n) != NULL;
	cl->cmp_noconst = (cl->kinds & FV_K_COMPARE) && !(in->argk & 3);
	return is_stub;
}

struct pass1 {
	struct stubcache sc;
	struct fv_flow *out;
};

/* Pass 1 over [lo, end) in one mode: call sites, call targets, stubs. */
static int decode_range(struct ctx *x, struct pass1 *p, const struct range *r)
{
	for (uint64_t a = r->lo; a < r->end;) {
		uint64_t wend = r->end - a > SWEEP_WINDOW ? a + SWEEP_WINDOW : r->end;
		x->ins.n = 0;
		if (x->l->lift(x->st, x->c, a | r->mode, wend, &x->ins))
			return FV_ENOMEM;
		if (!x->ins.n)
			break;
		p->out->ninsns += x->ins.n;
		const struct fv_insn *last = &x->ins.v[x->ins.n - 1];
		uint64_t next = last->addr + (last->size ? last->size : 1);
		a = next > a ? next : wend;
		for (size_t i = 0; i < x->ins.n; i++) {
			const struct fv_insn *in = &x->ins.v[i];
			int tail = in->kind == FV_IK_JUMP && (in->slot || in->target);
			if (in->kind != FV_IK_CALL && !tail)
				continue;
			struct call cl;
			int is_stub = resolve(x, &p->sc, in, &cl);
			cl.tail = (uint8_t)tail;
			/*
			 * Outside the symbols' functions a named transfer is a call or a PLT
			 * stub's own jump (RISC-V stubs even `jalr t1`); attach_calls() tells
			 * them apart by where the stubs are.
			 */
			cl.gap = !r->in_func;
			if (tail && !r->in_func) {
				if (!cl.name)
					continue;
			} else if (tail) {
				/* A jump inside its own function is control flow, not a tail call. */
				long own = func_holding(x, x->nsym, in->addr);
				uint64_t t = lo_addr(x, in->target);
				if (!cl.name && (!in->target || (own >= 0 && t >= x->f[own].lo && t < x->f[own].end)))
					continue;
			}
			if (in->kind == FV_IK_CALL && in->target) {
				if (is_stub) {
					if (fv_grow(&x->stubs, &x->capstubs, x->nstubs, sizeof *x->stubs))
						return FV_ENOMEM;
					x->stubs[x->nstubs++] = lo_addr(x, in->target);
				} else if (func_at_in(x, x->nsym, in->target) < 0 && add_func(x, in->target, 0, NULL)) {
					return FV_ENOMEM;
				}
			}
			unsigned fa = (cl.kinds & FV_K_SCANF0) ? 0 : (cl.kinds & FV_K_SCANF1) ? 1 : FV_NARGS;
			const char *fmt;
			size_t n;
			if (fa < FV_NARGS && (in->argk & (1u << fa)) && (fmt = const_text(x, in->arg[fa], 0, &n)) &&
			    unbounded_scanf(fmt, n))
				p->out->scanf_unbounded++;
			if (fv_grow(&x->calls, &x->capcalls, x->ncalls, sizeof *x->calls))
				return FV_ENOMEM;
			x->calls[x->ncalls++] = cl;
		}
	}
	return 0;
}

/* One code area: the symbols' functions in it, each in its own mode, and the gaps between them. */
static int decode_area(struct ctx *x, uint64_t lo, uint64_t end, void *arg)
{
	struct pass1 *p = arg;
	uint64_t mode = x->e->machine == EM_ARM ? (x->e->entry & 1) : 0;
	uint64_t a = lo;
	long fi = func_holding(x, x->nsym, lo);
	size_t i = fi >= 0 ? (size_t)fi : 0;
	for (; a < end; i++) {
		while (i < x->nsym && x->f[i].end <= a)
			i++;
		struct range r = { a, end, mode, 0 };
		if (i < x->nsym && x->f[i].lo <= a) {
			const struct func *f = &x->f[i];
			r.end = f->end < end ? f->end : end;
			r.in_func = 1;
			if (x->e->machine == EM_ARM)
				r.mode = mode = f->start & 1; /* a gap after it is decoded in its mode */
		} else if (i < x->nsym && x->f[i].lo < end) {
			r.end = x->f[i].lo;
			i--; /* the gap first, then this function */
		}
		int rc = decode_range(x, p, &r);
		if (rc)
			return rc;
		a = r.end;
	}
	return 0;
}

static int by_addr(const void *a, const void *b)
{
	uint64_t x = ((const struct call *)a)->addr, y = ((const struct call *)b)->addr;
	return x < y ? -1 : x > y;
}

/*
 * After pass 1: the functions found as call targets join the symbols', each
 * call site is given to the function holding it and to the local function
 * it calls, and small functions that only pass their arguments to a
 * comparison are marked as wrappers.
 */
static void attach_calls(struct ctx *x)
{
	sort_funcs(x);
	settle_ends(x);
	if (x->ncalls)
		qsort(x->calls, x->ncalls, sizeof *x->calls, by_addr);
	/* PLT entries are at most 32 bytes (AArch64 with BTI: 24; PowerPC call stubs: 16). */
	if (x->nstubs) {
		uint64_t lo = x->stubs[0], hi = x->stubs[x->nstubs - 1] + 32;
		size_t o = 0;
		for (size_t i = 0; i < x->ncalls; i++)
			if (!x->calls[i].gap || x->calls[i].addr < lo || x->calls[i].addr >= hi)
				x->calls[o++] = x->calls[i];
		x->ncalls = o;
	}
	for (size_t i = 0; i < x->nf; i++)
		x->f[i].first_call = x->f[i].ncalls = 0;
	size_t j = 0;
	for (size_t i = 0; i < x->nf; i++) {
		struct func *f = &x->f[i];
		while (j < x->ncalls && x->calls[j].addr < f->lo)
			j++;
		f->first_call = j;
		unsigned cmp = 0, other = 0;
		for (; j < x->ncalls && x->calls[j].addr < f->end; j++) {
			struct call *cl = &x->calls[j];
			if (cl->target)
				cl->local = func_at_in(x, x->nf, cl->target);
			if (cl->local >= 0 && !cl->name)
				cl->name = x->f[cl->local].name;
			cmp += cl->cmp_noconst;
			other += !cl->cmp_noconst;
		}
		f->ncalls = j - f->first_call;
		f->wrapper = f->end - f->lo <= WRAPPER_MAX_BYTES && cmp == 1 && !other;
	}
	for (size_t i = 0; i < x->nf; i++) {
		struct func *f = &x->f[i];
		for (size_t k = f->first_call; k < f->first_call + f->ncalls; k++) {
			const struct call *cl = &x->calls[k];
			f->cands += cl->konst && !cl->tail &&
				    ((cl->kinds & FV_K_COMPARE) || (cl->local >= 0 && x->f[cl->local].wrapper));
		}
	}
}

/* Effects of each function through the functions it calls, to a fixed point. */
static void propagate(struct ctx *x)
{
	for (size_t i = 0; i < x->nf; i++) {
		struct func *f = &x->f[i];
		for (size_t j = f->first_call; j < f->first_call + f->ncalls; j++)
			f->fx |= x->calls[j].fx;
	}
	for (int round = 0, changed = 1; changed && round < 16; round++) {
		changed = 0;
		for (size_t i = 0; i < x->nf; i++) {
			struct func *f = &x->f[i];
			for (size_t j = f->first_call; j < f->first_call + f->ncalls; j++) {
				if (x->calls[j].local < 0)
					continue;
				unsigned add = x->f[x->calls[j].local].fx & ~f->fx;
				if (add) {
					f->fx |= add;
					changed = 1;
				}
			}
		}
	}
}

/* ---- what a comparison guards ------------------------------------------- */

/* The successors of instruction i of f (indexes inside f), at most 2. */
static int succ(const struct ctx *x, const struct func *f, size_t i, size_t out[2])
{
	const struct fv_insn *v = x->ins.v;
	const struct fv_insn *t = &v[i];
	size_t nins = x->ins.n;
	int n = 0;
	if (i > 0 && v[i - 1].delay && v[i - 1].kind != FV_IK_OTHER) {
		/* i is a delay slot: the transfer of i - 1 happens after it. */
		t = &v[i - 1];
	} else if (t->delay && t->kind != FV_IK_OTHER) {
		if (i + 1 < nins)
			out[n++] = i + 1;
		return n;
	}
	int falls = t->kind == FV_IK_OTHER || t->kind == FV_IK_CALL || t->kind == FV_IK_CJUMP;
	if (falls && i + 1 < nins)
		out[n++] = i + 1;
	if ((t->kind == FV_IK_JUMP || t->kind == FV_IK_CJUMP) && t->target) {
		long j = insn_at(x, f, t->target);
		if (j >= 0)
			out[n++] = (size_t)j;
	}
	return n;
}

/* Effects reachable from instruction from of f without passing instruction block. */
/*
 * Effects reachable from instruction from of f without passing any of the
 * nblock branches in block: the deciding branches of every comparison with
 * a constant in f.  Cutting them all is what makes an effect belong to the
 * comparison nearest to it: in `if (!strcmp(c, "GET")) return; if
 * (!strcmp(c, "k3Y!q")) system(...)`, system() is reached from one side of
 * the first branch too, but only by passing the second.
 */
static unsigned reach(struct ctx *x, const struct func *f, size_t from, const size_t *block, size_t nblock)
{
	if (++x->gen == 0) {
		memset(x->seen, 0, x->nseen * sizeof *x->seen);
		x->gen = 1;
	}
	unsigned fx = 0;
	size_t head = 0, tail = 0;
	for (size_t i = 0; i < nblock; i++)
		x->seen[block[i]] = x->gen;
	x->queue[tail++] = from;
	x->seen[from] = x->gen;
	while (head < tail) {
		size_t i = x->queue[head++], s[2];
		int32_t ci = x->callix[i];
		if (ci >= 0) {
			const struct call *cl = &x->calls[ci];
			fx |= cl->fx | (cl->local >= 0 ? x->f[cl->local].fx : 0);
		}
		int n = succ(x, f, i, s);
		for (int k = 0; k < n; k++)
			if (x->seen[s[k]] != x->gen) {
				x->seen[s[k]] = x->gen;
				x->queue[tail++] = s[k];
			}
	}
	return fx;
}


/*
 * Pass 2: each function that compares with a constant is decoded again, its
 * call sites matched to its instructions, and each comparison's branch
 * followed.
 */
static int comparisons(struct ctx *x, struct fv_flow *out)
{
	size_t cap = 0;
	for (size_t fi = 0; fi < x->nf; fi++) {
		struct func *f = &x->f[fi];
		if (!f->cands)
			continue;
		x->ins.n = 0;
		if (x->l->lift(x->st, x->c, f->start, f->end, &x->ins))
			return FV_ENOMEM;
		size_t n = x->ins.n;
		if (n > x->nseen) {
			free(x->seen);
			free(x->queue);
			free(x->callix);
			x->nseen = n;
			x->gen = 0;
			x->seen = calloc(n, sizeof *x->seen);
			x->queue = malloc(n * sizeof *x->queue);
			x->callix = malloc(n * sizeof *x->callix);
			if (!x->seen || !x->queue || !x->callix)
				return FV_ENOMEM;
		}
		const struct fv_insn *v = x->ins.v;
		for (size_t i = 0, j = f->first_call; i < n; i++) {
			x->callix[i] = -1;
			while (j < f->first_call + f->ncalls && x->calls[j].addr < v[i].addr)
				j++;
			if (j < f->first_call + f->ncalls && x->calls[j].addr == v[i].addr)
				x->callix[i] = (int32_t)j++;
		}
		/* The comparisons first, with the branch that decides each; then what each guards. */
		struct fv_flow_cmp m[MAX_CMPS_PER_FUNC];
		size_t dec[MAX_CMPS_PER_FUNC], nm = 0, nblock = 0;
		long at[MAX_CMPS_PER_FUNC];
		for (size_t i = 0; i < n; i++) {
			int32_t ci = x->callix[i];
			if (ci < 0 || v[i].kind != FV_IK_CALL || !x->calls[ci].konst)
				continue;
			const struct call *cl = &x->calls[ci];
			if (!(cl->kinds & FV_K_COMPARE) && !(cl->local >= 0 && x->f[cl->local].wrapper))
				continue;
			uint64_t addr;
			size_t len;
			const char *str = compared_const(x, &v[i], cl->name, &addr, &len);
			if (!str)
				continue;
			if (nm == MAX_CMPS_PER_FUNC) {
				out->truncated = 1;
				break;
			}
			m[nm] = (struct fv_flow_cmp){ .call = v[i].addr, .func = f->start, .func_name = f->name,
						      .callee = cl->name, .str_addr = addr, .str = str, .len = len,
						      .func_fx = f->fx };
			at[nm] = -1;
			size_t j = i + 1 + (v[i].delay ? 1 : 0);
			for (size_t w = 0; j < n && w < DECIDE_WINDOW; j++, w++) {
				if (v[j].kind == FV_IK_CJUMP) {
					at[nm] = (long)j;
					dec[nblock++] = j;
					break;
				}
				if (v[j].kind != FV_IK_OTHER)
					break;
			}
			nm++;
		}
		for (size_t k = 0; k < nm; k++) {
			if (at[k] >= 0) {
				size_t j = (size_t)at[k];
				long t = v[j].target ? insn_at(x, f, v[j].target) : -1;
				size_t fall = j + 1 + (v[j].delay ? 1 : 0);
				unsigned ra = fall < n ? reach(x, f, fall, dec, nblock) : 0;
				unsigned rb = t >= 0 ? reach(x, f, (size_t)t, dec, nblock) : 0;
				m[k].decided = 1;
				m[k].guards = ra ^ rb;
			}
			if (fv_grow(&out->cmps, &cap, out->ncmps, sizeof *out->cmps))
				return FV_ENOMEM;
			out->cmps[out->ncmps++] = m[k];
		}
	}
	return 0;
}

/* ---- counts ---------------------------------------------------------------- */

static int by_name(const void *a, const void *b)
{
	const struct fv_flow_count *x = a, *y = b;
	return strcmp(x->name, y->name);
}

/* A tail call (a jump to another function) is a call site of the source too. */
static int count_calls(struct ctx *x, struct fv_flow *out)
{
	size_t n = 0;
	out->counts = malloc((x->ncalls ? x->ncalls : 1) * sizeof *out->counts);
	if (!out->counts)
		return FV_ENOMEM;
	out->ncalls = x->ncalls;
	for (size_t i = 0; i < x->ncalls; i++) {
		const struct call *cl = &x->calls[i];
		out->fx |= cl->fx;
		if (!cl->name)
			continue;
		out->nnamed++;
		out->counts[n++] = (struct fv_flow_count){ cl->name, 1, cl->import };
	}
	if (n)
		qsort(out->counts, n, sizeof *out->counts, by_name);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (o && !strcmp(out->counts[o - 1].name, out->counts[i].name)) {
			out->counts[o - 1].calls++;
			out->counts[o - 1].import |= out->counts[i].import;
		} else {
			out->counts[o++] = out->counts[i];
		}
	}
	out->ncounts = o;
	return 0;
}

unsigned fv_flow_calls(const struct fv_flow *f, const char *name)
{
	size_t lo = 0, hi = f->ncounts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(f->counts[mid].name, name);
		if (!c)
			return f->counts[mid].calls;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int fv_flow_build(struct fv_code *c, const struct fv_flow_kinds *k, struct fv_flow *out)
{
	struct ctx x;
	memset(&x, 0, sizeof x);
	x.c = c;
	x.e = fv_code_elf(c);
	x.l = fv_code_lifter(c);
	x.st = fv_code_lifter_state(c);
	x.k = k;
	struct pass1 p = { .out = out };
	p.sc.cap = 1024;
	p.sc.key = calloc(p.sc.cap, sizeof *p.sc.key);
	p.sc.name = calloc(p.sc.cap, sizeof *p.sc.name);
	p.sc.is_stub = calloc(p.sc.cap, 1);
	int rc = p.sc.key && p.sc.name && p.sc.is_stub ? 0 : FV_ENOMEM;
	if (!rc)
		rc = symbols(&x, &x.e->symtab);
	if (!rc)
		rc = symbols(&x, &x.e->dynsym);
	if (!rc) {
		sort_funcs(&x);
		/* Symbols without a size end where the next begins, so each is decoded in its own mode. */
		for (size_t i = 0; i + 1 < x.nf; i++)
			if (x.f[i].end > x.f[i + 1].lo)
				x.f[i].end = x.f[i + 1].lo;
		x.nsym = x.nf;
		rc = each_code_area(&x, decode_area, &p);
	}
	if (!rc)
		rc = add_func(&x, x.e->entry, 0, NULL);
	if (!rc) {
		if (x.nf >= MAX_FUNCS)
			out->truncated = 1;
		attach_calls(&x);
		propagate(&x);
		rc = count_calls(&x, out);
	}
	if (!rc && x.nf && !(out->funcs = malloc(x.nf * sizeof *out->funcs)))
		rc = FV_ENOMEM;
	for (size_t i = 0; !rc && i < x.nf; i++)
		out->funcs[i] = (struct fv_flow_func){ x.f[i].start, x.f[i].lo, x.f[i].end, x.f[i].name };
	if (!rc)
		rc = comparisons(&x, out);
	out->nfuncs = x.nf;
	free(p.sc.key);
	free(p.sc.name);
	free(p.sc.is_stub);
	free(x.f);
	free(x.stubs);
	fv_insns_free(&x.ins);
	free(x.callix);
	free(x.calls);
	free(x.seen);
	free(x.queue);
	if (rc)
		fv_flow_free(out);
	return rc;
}

void fv_flow_free(struct fv_flow *f)
{
	free(f->counts);
	free(f->cmps);
	free(f->funcs);
	memset(f, 0, sizeof *f);
}
