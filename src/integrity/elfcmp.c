/*
 * Two ELF files compared (see elfcmp.h).
 *
 * Equivalence works on the file as the loader sees it.  The ELF header and
 * the program headers are compared field by field, the file bytes of every
 * PT_LOAD pair byte by byte (a memcmp per section first; runs of differing
 * bytes are walked only where the memcmp fails), and the sections that are
 * not loaded by name.  Inside loaded bytes only three things may differ
 * without being reported: the build-id descriptor (when FV_NORM_BUILD_ID is
 * allowed), timestamp and build path tokens in data (fv_benign_span, never
 * in executable sections), and the header's section table fields (e_shoff,
 * e_shnum, e_shstrndx), which only move when a section that is not loaded
 * changes size or goes, and which are reported when nothing explains them.
 *
 * The delta reads what the loader and the code say: imports, exports and
 * DT_NEEDED from the dynamic view; compared constants from flow.c; and a
 * hash per function over its lifted instructions, in which every address
 * that only moves is replaced by what it names (see fn_hash()).
 */
#include "integrity/elfcmp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/elf/code.h"
#include "analyze/elf/elf.h"
#include "analyze/elf/flow.h"
#include "core/buf.h"
#include "core/err.h"

#define SHF_WRITE 1u
#define SHF_ALLOC 2u
#define SHF_EXECINSTR 4u
#define SHT_NULL 0u
#define NT_GNU_BUILD_ID 3u
#define EM_386 3
#define EM_MIPS 8
#define EM_PPC 20
#define EM_PPC64 21
#define EM_ARM 40
#define EM_X86_64 62
#define EM_AARCH64 183
#define EM_RISCV 243

#define MAX_FUNC_NAMES 32    /* functions named per difference; more are counted */
#define MAX_CONST 256        /* bytes of a constant string hashed for an address */
#define MIN_ABS_ADDR 0x10000 /* an immediate below this is a number, not an absolute address */

/* A section as this file needs it: file range, address, flags, name. */
struct sec {
	uint64_t off, size, addr, flags;
	uint32_t type;
	const char *name;
};

/* A function: [lo, end) in addresses, start with the ARM Thumb bit. */
struct fn {
	uint64_t start, lo, end;
	const char *name; /* the symbol, or NULL */
	uint64_t hash;
	char *key;        /* for matching across the two files */
};

struct side {
	const uint8_t *p;
	size_t n;
	struct fv_elf e;
	int has_load;       /* some PT_LOAD: SHF_ALLOC sections are loaded */
	struct sec *secs;   /* every section but the null one, in table order */
	size_t nsecs;
	struct sec **file;  /* the loaded sections with file bytes, by offset, not overlapping */
	size_t nfile;
	uint64_t bid_off;   /* the build-id descriptor (file offset), bid_len 0 when none */
	size_t bid_len;
	struct fv_code *c;
	struct fv_flow fl;
	int code;           /* fl was built */
	struct fn *fns;     /* by lo */
	size_t nfns;
	int fns_done;
};

/* ---- one file ------------------------------------------------------------- */

static int by_off(const void *x, const void *y)
{
	const struct sec *a = *(struct sec *const *)x, *b = *(struct sec *const *)y;
	if (a->off != b->off)
		return a->off < b->off ? -1 : 1;
	return (a->size < b->size) - (a->size > b->size);
}

static int side_open(struct side *s, const uint8_t *p, size_t n, const char *which, char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	s->p = p;
	s->n = n;
	if (fv_elf_parse(p, n, &s->e) != 0) {
		snprintf(err, errlen, "%s file: expected an ELF file: %s", which, s->e.error);
		return FV_EFORMAT;
	}
	struct fv_elf_phdr ph;
	for (size_t i = 0; fv_elf_phdr(&s->e, i, &ph); i++)
		s->has_load |= ph.type == FV_PT_LOAD;
	if (s->e.shnum) {
		s->secs = calloc(s->e.shnum, sizeof *s->secs);
		s->file = calloc(s->e.shnum, sizeof *s->file);
		if (!s->secs || !s->file)
			return FV_ENOMEM;
	}
	struct fv_elf_shdr sh;
	for (size_t i = 1; fv_elf_shdr(&s->e, i, &sh); i++) {
		if (sh.type == SHT_NULL)
			continue;
		struct sec *x = &s->secs[s->nsecs++];
		*x = (struct sec){ sh.offset, sh.size, sh.addr, sh.flags, sh.type, sh.name };
		/* Only bytes inside the file name a range; a lying header names nothing. */
		if (s->has_load && (sh.flags & SHF_ALLOC) && sh.type != FV_SHT_NOBITS && sh.size && sh.offset < n &&
		    sh.size <= n - sh.offset)
			s->file[s->nfile++] = x;
	}
	if (s->nfile)
		qsort(s->file, s->nfile, sizeof *s->file, by_off);
	/* Overlapping sections would name one byte twice: each ends where the next starts. */
	size_t o = 0;
	for (size_t i = 0; i < s->nfile; i++) {
		if (o && s->file[o - 1]->off + s->file[o - 1]->size > s->file[i]->off) {
			if (s->file[o - 1]->off == s->file[i]->off)
				continue;
		}
		s->file[o++] = s->file[i];
	}
	s->nfile = o;
	struct fv_elf_iter it = { 0 };
	struct fv_elf_note nt;
	while (fv_elf_next_note(&s->e, &it, &nt)) {
		if (nt.type == NT_GNU_BUILD_ID && !strcmp(nt.name, "GNU") && nt.descsz &&
		    nt.descsz <= FV_ELF_BUILD_ID_MAX) {
			s->bid_off = (uint64_t)(nt.desc - p);
			s->bid_len = nt.descsz;
			break;
		}
	}
	/*
	 * A note is whatever a PT_NOTE says: where sections exist, the
	 * descriptor must also lie in a note section that is not code, so no
	 * made-up note can wave code through.
	 */
	if (s->bid_len && s->nsecs) {
		int ok = 0;
		for (size_t i = 0; i < s->nsecs && !ok; i++) {
			const struct sec *x = &s->secs[i];
			ok = x->type == FV_SHT_NOTE && !(x->flags & SHF_EXECINSTR) && s->bid_off >= x->off &&
			     s->bid_off - x->off <= x->size && s->bid_len <= x->size - (s->bid_off - x->off);
		}
		if (!ok)
			s->bid_len = 0;
	}
	return 0;
}

static void side_close(struct side *s)
{
	for (size_t i = 0; i < s->nfns; i++)
		free(s->fns[i].key);
	free(s->fns);
	fv_flow_free(&s->fl);
	fv_code_close(s->c);
	free(s->secs);
	free(s->file);
	fv_elf_free(&s->e);
}

/* The end of loaded section i, never past the start of the next one. */
static uint64_t file_end(const struct side *s, size_t i)
{
	uint64_t end = s->file[i]->off + s->file[i]->size;
	if (i + 1 < s->nfile && end > s->file[i + 1]->off)
		end = s->file[i + 1]->off;
	return end;
}

/* ---- functions ------------------------------------------------------------- */

static unsigned compare_kind(void *ctx, const char *name)
{
	(void)ctx;
	/* The comparing functions of rules/binary/calls.txt, which flow.c needs to find compared constants. */
	static const char *const cmp[] = { "strcmp", "strncmp", "strcasecmp", "strncasecmp", "memcmp", "bcmp",
					   "strstr", "strcasestr", "strcoll", "g_strcmp0", "g_str_equal",
					   "g_ascii_strcasecmp", "g_ascii_strncasecmp", NULL };
	for (size_t i = 0; cmp[i]; i++)
		if (!strcmp(cmp[i], name))
			return FV_K_COMPARE;
	return 0;
}

static unsigned no_string_kind(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	(void)s;
	(void)n;
	return 0;
}

static int by_lo(const void *x, const void *y)
{
	const struct fn *a = x, *b = y;
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/* Builds s->fl, when the architecture has a lifter and the file is a program or library. */
static int side_code(struct side *s)
{
	if (s->code || s->c)
		return 0;
	if (s->e.type != FV_ET_EXEC && s->e.type != FV_ET_DYN)
		return 0;
	if (fv_elf_load_slots(&s->e))
		return FV_ENOMEM;
	if (!fv_lifter_for(&s->e) || !(s->c = fv_code_open(&s->e)))
		return fv_lifter_for(&s->e) ? FV_ENOMEM : 0;
	struct fv_flow_kinds k = { compare_kind, no_string_kind, NULL };
	int rc = fv_flow_build(s->c, &k, &s->fl);
	if (rc)
		return rc;
	s->code = 1;
	return 0;
}

/*
 * The functions of s: flow.c's (symbols, and direct call targets where no
 * symbol starts one), else, without a lifter, the sized function symbols.
 */
static int side_functions(struct side *s)
{
	if (s->fns_done)
		return 0;
	s->fns_done = 1;
	int rc = side_code(s);
	if (rc)
		return rc;
	size_t cap = 0;
	if (s->code) {
		if (s->fl.nfuncs && !(s->fns = calloc(s->fl.nfuncs, sizeof *s->fns)))
			return FV_ENOMEM;
		for (size_t i = 0; i < s->fl.nfuncs; i++) {
			const struct fv_flow_func *f = &s->fl.funcs[i];
			s->fns[s->nfns++] =
				(struct fn){ .start = f->start, .lo = f->lo, .end = f->end, .name = f->name };
		}
		return 0;
	}
	const struct fv_elf_symtab *t[2] = { &s->e.symtab, &s->e.dynsym };
	for (int k = 0; k < 2; k++) {
		struct fv_elf_sym y;
		for (size_t i = 0; fv_elf_sym(&s->e, t[k], i, &y); i++) {
			int func = y.type == FV_STT_FUNC || y.type == FV_STT_GNU_IFUNC;
			if (!func || y.shndx == FV_SHN_UNDEF || !y.size || !*y.name)
				continue;
			if (fv_grow(&s->fns, &cap, s->nfns, sizeof *s->fns))
				return FV_ENOMEM;
			uint64_t lo = s->e.machine == EM_ARM ? y.value & ~1ull : y.value;
			s->fns[s->nfns++] =
				(struct fn){ .start = y.value, .lo = lo, .end = lo + y.size, .name = y.name };
		}
	}
	if (s->nfns)
		qsort(s->fns, s->nfns, sizeof *s->fns, by_lo);
	return 0;
}

static void fn_label(const struct fn *f, char *out, size_t cap)
{
	if (f->name)
		snprintf(out, cap, "%s", f->name);
	else
		snprintf(out, cap, "sub_%llx", (unsigned long long)f->lo);
}

/* Names the functions of a whose bytes overlap [va, va + size) in d. */
static int name_functions(struct side *a, struct fv_difference *d, uint64_t va, uint64_t size)
{
	int rc = side_functions(a);
	if (rc)
		return rc;
	/* After the last function starting at or before va; a few before it may still reach over va. */
	size_t lo = 0, hi = a->nfns, named = 0, more = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a->fns[mid].lo <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t first = lo;
	for (size_t back = 0; first > 0 && back < 8 && a->fns[first - 1].end > va; back++)
		first--;
	for (size_t i = first; i < a->nfns && a->fns[i].lo < va + size; i++) {
		const struct fn *f = &a->fns[i];
		if (f->end <= va)
			continue;
		if (named == MAX_FUNC_NAMES) {
			more++;
			continue;
		}
		char name[128];
		fn_label(f, name, sizeof name);
		if ((rc = fv_difference_function(d, name)))
			return rc;
		named = d->nfunctions;
	}
	if (more) {
		char note[64];
		snprintf(note, sizeof note, "and %zu more", more);
		return fv_difference_function(d, note);
	}
	return 0;
}

/* ---- equivalence --------------------------------------------------------- */

struct eq {
	struct side *a, *b;
	unsigned allowed;
	struct fv_cmp *out;
	int shdr_moved;   /* e_shoff, e_shnum or e_shstrndx differ */
	int nl_changed;   /* a section that is not loaded changed size or is on one side only */
};

static size_t ehdr_size(const struct side *s) { return s->e.cls == 64 ? 64 : 52; }

/* Whether byte i of the ELF header belongs to e_shoff, e_shnum or e_shstrndx. */
static int shdr_field(unsigned cls, size_t i)
{
	if (cls == 64)
		return (i >= 0x28 && i < 0x30) || (i >= 0x3c && i < 0x40);
	return (i >= 0x20 && i < 0x24) || (i >= 0x30 && i < 0x34);
}

static int cmp_header(struct eq *q)
{
	const struct fv_elf *a = &q->a->e, *b = &q->b->e;
	int differs = a->cls != b->cls || a->be != b->be || a->type != b->type || a->machine != b->machine ||
		      a->flags != b->flags || a->entry != b->entry || a->phnum != b->phnum || a->osabi != b->osabi;
	size_t eh = ehdr_size(q->a);
	if (!differs) {
		/* Every other byte too (version, sizes, ident padding): the header is loaded with the first segment. */
		for (size_t i = 0; i < eh; i++) {
			if (q->a->p[i] == q->b->p[i])
				continue;
			if (shdr_field(a->cls, i))
				q->shdr_moved = 1;
			else
				differs = 1;
		}
	}
	if (differs && !fv_cmp_add(q->out, 0, eh, "header"))
		return FV_ENOMEM;
	return 0;
}

enum piece_kind { P_HEADERS, P_BUILD_ID };

/* A range of a loaded segment with a comparison of its own. */
struct special {
	uint64_t lo, end;
	enum piece_kind kind;
};

/* The differing bytes of one piece of a loaded segment, named what; exec: code, never token-normalised. */
static int cmp_piece(struct eq *q, uint64_t aoff, uint64_t boff, uint64_t len, const char *what, int exec,
		     const struct fv_elf_phdr *seg)
{
	const uint8_t *pa = q->a->p + aoff, *pb = q->b->p + boff;
	if (!memcmp(pa, pb, len))
		return 0;
	struct fv_cmp tmp = { 0 };
	unsigned tok = exec ? 0 : q->allowed & (FV_NORM_TIMESTAMP | FV_NORM_BUILD_PATH);
	int rc = fv_cmp_bytes(&tmp, pa, pb, len, aoff, tok, what, NULL);
	q->out->applied |= tmp.applied;
	for (size_t i = 0; !rc && i < tmp.ndiffs; i++) {
		const struct fv_difference *t = &tmp.diffs[i];
		struct fv_difference *d = fv_cmp_add(q->out, t->offset, t->size, "%s", t->what);
		if (d && !d->was[0] && !d->now[0]) {
			memcpy(d->was, t->was, sizeof d->was);
			memcpy(d->now, t->now, sizeof d->now);
		}
		if (!d)
			rc = FV_ENOMEM;
		else if (exec)
			rc = name_functions(q->a, d, seg->vaddr + (t->offset - seg->offset), t->size);
	}
	fv_cmp_free(&tmp);
	return rc;
}

/* The file bytes of PT_LOAD i, the same in both files up to the named normalisations. */
static int cmp_load(struct eq *q, size_t i, const struct fv_elf_phdr *sa, const struct fv_elf_phdr *sb)
{
	struct side *a = q->a, *b = q->b;
	/* What each file holds of the segment; a file cut short differs from one that is not. */
	uint64_t ra = sa->offset < a->n ? a->n - sa->offset : 0, rb = sb->offset < b->n ? b->n - sb->offset : 0;
	uint64_t ha = sa->filesz < ra ? sa->filesz : ra, hb = sb->filesz < rb ? sb->filesz : rb;
	uint64_t n = ha < hb ? ha : hb;
	if (ha != hb && !fv_cmp_add(q->out, sa->offset + n, ha > hb ? ha - hb : hb - ha, "segment %zu", i))
		return FV_ENOMEM;
	if (!n)
		return 0;
	uint64_t delta = sb->offset - sa->offset; /* wraps; only differences of offsets are used */
	int same = sa->offset == sb->offset;
	/*
	 * Ranges with their own comparison: the ELF header and program headers
	 * (compared field by field above) and the build-id descriptor, when it
	 * lies at the same place in both.
	 */
	struct special sp[3];
	size_t nsp = 0;
	if (same) {
		sp[nsp++] = (struct special){ 0, ehdr_size(a), P_HEADERS };
		uint64_t ent = a->e.cls == 64 ? 56 : 32;
		if (a->e.phoff == b->e.phoff && a->e.phnum)
			sp[nsp++] = (struct special){ a->e.phoff, a->e.phoff + a->e.phnum * ent, P_HEADERS };
	}
	if (a->bid_len && a->bid_len == b->bid_len && a->bid_off + delta == b->bid_off)
		sp[nsp++] = (struct special){ a->bid_off, a->bid_off + a->bid_len, P_BUILD_ID };
	uint64_t lo = sa->offset, end = sa->offset + n;
	size_t j = 0;
	char what[96];
	for (uint64_t pos = lo; pos < end;) {
		uint64_t stop = end;
		int kind = -1;
		for (size_t k = 0; k < nsp; k++) {
			if (sp[k].lo <= pos && pos < sp[k].end) {
				kind = (int)k;
				stop = sp[k].end < end ? sp[k].end : end;
				break;
			}
			if (sp[k].lo > pos && sp[k].lo < stop)
				stop = sp[k].lo;
		}
		while (j < a->nfile && file_end(a, j) <= pos)
			j++;
		const struct sec *s = NULL;
		if (j < a->nfile && a->file[j]->off <= pos) {
			s = a->file[j];
			if (kind < 0 && file_end(a, j) < stop)
				stop = file_end(a, j);
		} else if (kind < 0 && j < a->nfile && a->file[j]->off < stop) {
			stop = a->file[j]->off;
		}
		if (s)
			snprintf(what, sizeof what, "section %s", *s->name ? s->name : "(unnamed)");
		else
			snprintf(what, sizeof what, "segment %zu", i);
		int rc = 0;
		if (kind >= 0 && sp[kind].kind == P_BUILD_ID) {
			if (memcmp(a->p + pos, b->p + pos + delta, stop - pos)) {
				if (q->allowed & FV_NORM_BUILD_ID)
					q->out->applied |= FV_NORM_BUILD_ID;
				else if (!fv_cmp_add(q->out, pos, stop - pos, "%s",
						     s ? what : "section .note.gnu.build-id"))
					rc = FV_ENOMEM;
			}
		} else if (kind < 0) {
			int exec = s ? (s->flags & SHF_EXECINSTR) != 0 : (sa->flags & FV_PF_X) != 0;
			rc = cmp_piece(q, pos, pos + delta, stop - pos, what, exec, sa);
		}
		if (rc)
			return rc;
		pos = stop;
	}
	return 0;
}

static int cmp_segments(struct eq *q)
{
	struct fv_elf_phdr sa, sb;
	size_t ent = q->a->e.cls == 64 ? 56 : 32;
	for (size_t i = 0; fv_elf_phdr(&q->a->e, i, &sa) && fv_elf_phdr(&q->b->e, i, &sb); i++) {
		/* Fields, and the raw entry for p_paddr, which the accessor does not give. */
		int differs = sa.type != sb.type || sa.flags != sb.flags || sa.offset != sb.offset ||
			      sa.vaddr != sb.vaddr || sa.filesz != sb.filesz || sa.memsz != sb.memsz ||
			      sa.align != sb.align;
		if (!differs && q->a->e.cls == q->b->e.cls)
			differs = memcmp(q->a->p + q->a->e.phoff + i * ent, q->b->p + q->b->e.phoff + i * ent,
					 ent) != 0;
		if (differs && !fv_cmp_add(q->out, sa.offset, sa.filesz, "segment %zu", i))
			return FV_ENOMEM;
		if (sa.type == FV_PT_LOAD && sb.type == FV_PT_LOAD) {
			int rc = cmp_load(q, i, &sa, &sb);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* The normalisation that covers a section that is not loaded, by name; 0 when none does. */
static unsigned section_norm(const char *name)
{
	if (!strcmp(name, ".comment"))
		return FV_NORM_COMMENT;
	if (!strcmp(name, ".gnu_debuglink") || !strcmp(name, ".gnu_debugaltlink"))
		return FV_NORM_DEBUGLINK;
	if (!strncmp(name, ".debug_", 7) || !strncmp(name, ".zdebug_", 8) || !strncmp(name, ".stab", 5))
		return FV_NORM_DEBUG;
	if (!strcmp(name, ".symtab") || !strcmp(name, ".strtab"))
		return FV_NORM_SYMTAB;
	if (!strcmp(name, ".note.gnu.build-id"))
		return FV_NORM_BUILD_ID; /* not loaded: an object file's */
	return 0;
}

struct symrec {
	const char *name;
	uint64_t value, size;
	uint8_t type;
};

/* STT_FILE: the symbol that names a source file, with the path it was compiled under. */
#define FV_STT_FILE 4

/* A source file symbol sorts by its file name; the folder it was built in is judged apart. */
static const char *sym_key(const struct symrec *s)
{
	const char *slash = s->type == FV_STT_FILE ? strrchr(s->name, '/') : NULL;
	return slash ? slash + 1 : s->name;
}

static int by_sym(const void *x, const void *y)
{
	const struct symrec *a = x, *b = y;
	int c = strcmp(sym_key(a), sym_key(b));
	if (c)
		return c;
	if (a->value != b->value)
		return a->value < b->value ? -1 : 1;
	if (a->size != b->size)
		return a->size < b->size ? -1 : 1;
	return (a->type > b->type) - (a->type < b->type);
}

static int sym_list(const struct side *s, struct symrec **out, size_t *n)
{
	*n = 0;
	*out = malloc((s->e.symtab.count ? s->e.symtab.count : 1) * sizeof **out);
	if (!*out)
		return FV_ENOMEM;
	struct fv_elf_sym y;
	for (size_t i = 0; i < s->e.symtab.count && fv_elf_sym(&s->e, &s->e.symtab, i, &y); i++)
		(*out)[(*n)++] = (struct symrec){ y.name, y.value, y.size, y.type };
	if (*n)
		qsort(*out, *n, sizeof **out, by_sym);
	return 0;
}

/*
 * Two source file symbols of one file compiled under different folders:
 * the same only as a build path (cmp.c), which sets FV_NORM_BUILD_PATH in *applied.
 */
static int same_file_symbol(const char *a, const char *b, unsigned allowed, unsigned *applied)
{
	size_t n = strlen(a);
	if (!strcmp(a, b))
		return 1;
	if (n != strlen(b) || !(allowed & FV_NORM_BUILD_PATH))
		return 0;
	struct fv_cmp c = { 0 };
	uint64_t left = 1;
	int ok = fv_cmp_bytes(&c, (const uint8_t *)a, (const uint8_t *)b, n, 0, FV_NORM_BUILD_PATH, "name", &left) ==
			 FV_OK &&
		 left == 0;
	fv_cmp_free(&c);
	if (ok)
		*applied |= FV_NORM_BUILD_PATH;
	return ok;
}

/*
 * 1 when both .symtab hold the same symbols (name, value, size, type), 0
 * when not, or FV_ENOMEM.  Source file symbols may differ by their build
 * folder (*applied then has FV_NORM_BUILD_PATH).
 */
static int same_symbols(const struct side *a, const struct side *b, unsigned allowed, unsigned *applied)
{
	struct symrec *x, *y;
	size_t nx, ny;
	if (sym_list(a, &x, &nx))
		return FV_ENOMEM;
	if (sym_list(b, &y, &ny)) {
		free(x);
		return FV_ENOMEM;
	}
	int same = nx == ny;
	for (size_t i = 0; same && i < nx; i++)
		same = !by_sym(&x[i], &y[i]) && (x[i].type != FV_STT_FILE ||
						 same_file_symbol(x[i].name, y[i].name, allowed, applied));
	free(x);
	free(y);
	return same;
}

static int not_loaded(const struct side *s, const struct sec *x)
{
	return !s->has_load || !(x->flags & SHF_ALLOC);
}

static int by_name(const void *x, const void *y)
{
	const struct sec *a = *(struct sec *const *)x, *b = *(struct sec *const *)y;
	int c = strcmp(a->name, b->name);
	return c ? c : (a > b) - (a < b);
}

/* The sections of s that are not loaded, by name, then in table order (so the k-th of a name pairs with the k-th). */
static int unloaded(const struct side *s, struct sec ***out, size_t *n)
{
	*n = 0;
	if (!(*out = malloc((s->nsecs ? s->nsecs : 1) * sizeof **out)))
		return FV_ENOMEM;
	for (size_t i = 0; i < s->nsecs; i++)
		if (not_loaded(s, &s->secs[i]))
			(*out)[(*n)++] = &s->secs[i];
	if (*n)
		qsort(*out, *n, sizeof **out, by_name);
	return 0;
}

static int one_sided(struct eq *q, const struct sec *x, const char *side, int symtab_same)
{
	unsigned norm = section_norm(x->name);
	q->nl_changed = 1;
	if (norm == FV_NORM_SYMTAB && !symtab_same && !strcmp(x->name, ".strtab"))
		return 0; /* the .symtab difference says it */
	if (norm && (q->allowed & norm)) {
		q->out->applied |= norm;
		return 0;
	}
	uint64_t off = side[0] == 'a' ? x->off : 0, size = side[0] == 'a' ? x->size : 0;
	return fv_cmp_add(q->out, off, size, "section %s (only in %s)", *x->name ? x->name : "(unnamed)", side)
		       ? 0
		       : FV_ENOMEM;
}

static int section_bytes_equal(const struct side *a, const struct sec *x, const struct side *b, const struct sec *y)
{
	if (x->type != y->type || x->size != y->size || x->flags != y->flags)
		return 0;
	if (x->type == FV_SHT_NOBITS || !x->size)
		return 1;
	if (x->off > a->n || x->size > a->n - x->off || y->off > b->n || y->size > b->n - y->off)
		return 0; /* outside the file on either side: not shown to be the same */
	return !memcmp(a->p + x->off, b->p + y->off, x->size);
}

/* One pair of sections that are not loaded, of one name. */
static int cmp_pair(struct eq *q, const struct sec *x, const struct sec *y, int symtab_same)
{
	if (x->size != y->size)
		q->nl_changed = 1;
	/* Names are compared by the pairing; the table of them differs as a consequence. */
	if (!strcmp(x->name, ".shstrtab") && x->type == FV_SHT_STRTAB)
		return 0;
	unsigned norm = section_norm(x->name);
	int symtab = norm == FV_NORM_SYMTAB && !strcmp(x->name, ".symtab");
	if (norm == FV_NORM_SYMTAB && !symtab_same) {
		if (!symtab)
			return 0; /* .strtab: the .symtab difference says it */
		norm = 0;
	} else if (section_bytes_equal(q->a, x, q->b, y)) {
		return 0;
	}
	if (norm && (q->allowed & norm)) {
		q->out->applied |= norm;
		return 0;
	}
	return fv_cmp_add(q->out, x->off, x->size, "section %s", *x->name ? x->name : "(unnamed)") ? 0 : FV_ENOMEM;
}

static int cmp_sections(struct eq *q)
{
	struct side *a = q->a, *b = q->b;
	int symtab_same = 1;
	unsigned paths = 0;
	if (a->e.symtab.count && b->e.symtab.count) {
		int r = same_symbols(a, b, q->allowed, &paths);
		if (r < 0)
			return r;
		symtab_same = r;
		/* Named only where the symbol tables are waved through because of it. */
		if (r && (q->allowed & FV_NORM_SYMTAB))
			q->out->applied |= paths;
	}
	struct sec **x = NULL, **y = NULL;
	size_t nx, ny, i = 0, j = 0;
	int rc = unloaded(a, &x, &nx);
	if (!rc)
		rc = unloaded(b, &y, &ny);
	while (!rc && (i < nx || j < ny)) {
		int c = i == nx ? 1 : j == ny ? -1 : strcmp(x[i]->name, y[j]->name);
		if (c < 0)
			rc = one_sided(q, x[i++], "a", symtab_same);
		else if (c > 0)
			rc = one_sided(q, y[j++], "b", symtab_same);
		else
			rc = cmp_pair(q, x[i++], y[j++], symtab_same);
	}
	free(x);
	free(y);
	return rc;
}

int fv_elfcmp_equiv(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, unsigned allowed,
		    struct fv_cmp *out, char *err, size_t errlen)
{
	struct side sa, sb;
	struct eq q = { &sa, &sb, allowed, out, 0, 0 };
	int rc = side_open(&sa, a, na, "first", err, errlen);
	if (!rc)
		rc = side_open(&sb, b, nb, "second", err, errlen);
	else
		memset(&sb, 0, sizeof sb);
	if (!rc)
		rc = cmp_header(&q);
	if (!rc)
		rc = cmp_segments(&q);
	if (!rc)
		rc = cmp_sections(&q);
	/* The section table only moves when a section that is not loaded changed size or went. */
	if (!rc && q.shdr_moved && !q.nl_changed && !fv_cmp_add(out, 0, ehdr_size(&sa), "header"))
		rc = FV_ENOMEM;
	side_close(&sa);
	side_close(&sb);
	if (rc == FV_ENOMEM && err && errlen)
		snprintf(err, errlen, "out of memory comparing two ELF files");
	return rc;
}

/* ---- names --------------------------------------------------------------- */

static int names_add(struct fv_names *s, const char *p, size_t n)
{
	if (fv_grow(&s->v, &s->cap, s->n, sizeof *s->v))
		return FV_ENOMEM;
	if (!(s->v[s->n] = strndup(p, n)))
		return FV_ENOMEM;
	s->n++;
	return 0;
}

static int by_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void names_settle(struct fv_names *s)
{
	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof *s->v, by_str);
	size_t o = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (o && !strcmp(s->v[o - 1], s->v[i]))
			free(s->v[i]);
		else
			s->v[o++] = s->v[i];
	}
	s->n = o;
}

void fv_names_free(struct fv_names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* What is in x and not in y (both settled) goes into out. */
static int names_minus(const struct fv_names *x, const struct fv_names *y, struct fv_names *out)
{
	size_t j = 0;
	for (size_t i = 0; i < x->n; i++) {
		while (j < y->n && strcmp(y->v[j], x->v[i]) < 0)
			j++;
		if (j < y->n && !strcmp(y->v[j], x->v[i]))
			continue;
		if (names_add(out, x->v[i], strlen(x->v[i])))
			return FV_ENOMEM;
	}
	return 0;
}

static int names_delta(struct fv_names *x, struct fv_names *y, struct fv_names *added, struct fv_names *removed)
{
	names_settle(x);
	names_settle(y);
	int rc = names_minus(y, x, added);
	if (!rc)
		rc = names_minus(x, y, removed);
	fv_names_free(x);
	fv_names_free(y);
	return rc;
}

/* ---- function hashes -------------------------------------------------------- */

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t mix_str(uint64_t h, const char *s) { return mix(h, s, strlen(s) + 1); }

static uint64_t mix_u64(uint64_t h, uint64_t v) { return mix(h, &v, sizeof v); }

/* The loaded section holding address v (NOBITS too); NULL when none, or no section headers. */
static const struct sec *sec_at(const struct side *s, uint64_t v)
{
	for (size_t i = 0; i < s->nsecs; i++) {
		const struct sec *x = &s->secs[i];
		if ((x->flags & SHF_ALLOC) && v >= x->addr && v - x->addr < x->size)
			return x;
	}
	return NULL;
}

/* Whether v is an address of data (loaded, not code) in s. */
static int data_addr(const struct side *s, uint64_t v)
{
	/* A section says; between sections (alignment, __TMC_END__ at the end of .data), the segment does. */
	const struct sec *x = sec_at(s, v);
	if (x)
		return !(x->flags & SHF_EXECINSTR);
	struct fv_elf_phdr ph;
	for (size_t i = 0; fv_elf_phdr(&s->e, i, &ph); i++)
		if (ph.type == FV_PT_LOAD && !(ph.flags & FV_PF_X) && v >= ph.vaddr && v - ph.vaddr < ph.memsz)
			return 1;
	return 0;
}

/* Whether v is in read-only data: where constant strings are, and no pointer the loader relocates. */
static int const_addr(const struct side *s, uint64_t v)
{
	const struct sec *x = sec_at(s, v);
	if (x)
		return !(x->flags & (SHF_WRITE | SHF_EXECINSTR));
	struct fv_elf_phdr ph;
	for (size_t i = 0; fv_elf_phdr(&s->e, i, &ph); i++)
		if (ph.type == FV_PT_LOAD && v >= ph.vaddr && v - ph.vaddr < ph.memsz)
			return !(ph.flags & (FV_PF_W | FV_PF_X));
	return 0;
}

/*
 * What an address of data stands for: the text there when it is a string
 * in read-only data, else only that it is data (a changed table or variable
 * is not seen here; equivalence compares every byte).
 */
static uint64_t mix_data(const struct side *s, uint64_t h, uint64_t v)
{
	size_t avail, i = 0;
	const uint8_t *p = const_addr(s, v) ? fv_code_bytes(s->c, v, &avail) : NULL;
	if (p) {
		size_t max = avail < MAX_CONST ? avail : MAX_CONST;
		while (i < max && p[i] >= 0x20 && p[i] < 0x7f)
			i++;
		if (i && i < max && !p[i])
			return mix(mix_str(h, "str"), p, i);
	}
	return mix_str(h, "data");
}

/* The function of s starting at v, or NULL. */
static const struct fn *fn_at(const struct side *s, uint64_t v)
{
	size_t lo = 0, hi = s->nfns;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->fns[mid].lo < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nfns && s->fns[lo].lo == v ? &s->fns[lo] : NULL;
}

/* The name a transfer to target reaches: a symbol, an import through its stub, else "local". */
static const char *callee(const struct side *s, uint64_t target, int *import)
{
	uint64_t t = s->e.machine == EM_ARM ? target & ~1ull : target, slot;
	const struct fn *f = fn_at(s, t);
	*import = 0;
	if (f)
		return f->name ? f->name : "local";
	const struct fv_lifter *l = fv_code_lifter(s->c);
	if (l->stub(fv_code_lifter_state(s->c), s->c, target, &slot)) {
		const struct fv_elf_slot *sl = fv_elf_slot_at(&s->e, slot);
		if (sl && *sl->name) {
			*import = !sl->value;
			return sl->name;
		}
	}
	return "local";
}

static uint32_t word(const struct side *s, const uint8_t *p)
{
	return s->e.be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		       : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/*
 * The bits of a transfer with a constant destination that say what it is
 * (opcode, condition, registers), without the displacement, which changes
 * whenever code moves.  Architectures not listed give none: the kind and the
 * named destination stand for the instruction.
 */
static uint64_t mix_transfer(const struct side *s, uint64_t h, const uint8_t *p, size_t n)
{
	uint32_t w = n >= 4 ? word(s, p) : 0;
	switch (s->e.machine) {
	case EM_386:
	case EM_X86_64:
		/* The displacement ends the instruction: rel32 after a 1- or 2-byte opcode, else rel8. */
		return mix(h, p, n >= 5 ? n - 4 : n > 1 ? n - 1 : n);
	case EM_MIPS:
		if (n != 4)
			return h;
		return mix_u64(h, (w >> 26 == 2 || w >> 26 == 3) ? w & 0xfc000000u : w & 0xffff0000u);
	case EM_ARM:
		return n == 4 && !s->e.be ? mix_u64(h, w & 0xff000000u) : h; /* Thumb: the kind only */
	case EM_AARCH64:
		if (n != 4)
			return h;
		if ((w & 0x7c000000u) == 0x14000000u)
			return mix_u64(h, w & 0xfc000000u);
		if ((w & 0x7e000000u) == 0x36000000u)
			return mix_u64(h, w & 0xfff8001fu);
		return mix_u64(h, w & 0xff00001fu);
	case EM_PPC:
	case EM_PPC64:
		if (n != 4)
			return h;
		return mix_u64(h, w >> 26 == 18 ? w & 0xfc000003u : w & 0xffff0003u);
	case EM_RISCV:
		if (n == 4)
			return mix_u64(h, (w & 0x7f) == 0x6f ? w & 0xfffu : (w & 0x7f) == 0x63 ? w & 0x01fff07fu : w);
		if (n == 2)
			return mix_u64(h, (uint32_t)(s->e.be ? p[0] << 8 | p[1] : p[1] << 8 | p[0]) & 0xe383u);
		return h;
	default:
		return h;
	}
}

/* Registers that hold a page address read from the MIPS local GOT, within one function. */
struct mregs {
	uint64_t v[32];
	uint32_t valid;
};

/*
 * MIPS PIC code reaches data and functions through the GOT, at offsets from
 * $gp that shift whenever the GOT grows; a local address is a GOT page plus
 * %lo in an addiu; and $gp itself is set from _gp_disp, which depends on
 * where the function lies.  Those 16-bit fields are replaced by the GOT
 * entry's symbol, the data the page plus %lo points to, or masked.
 */
static uint64_t mix_mips(const struct side *s, uint64_t h, uint32_t w, struct mregs *m)
{
	unsigned op = w >> 26, rs = (w >> 21) & 31, rt = (w >> 16) & 31, rd = (w >> 11) & 31;
	int64_t imm = (int16_t)(w & 0xffff);
	int load = op == 0x23 || op == 0x37; /* lw, ld */
	int addi = op == 0x09 || op == 0x19; /* addiu, daddiu */
	uint32_t write = op == 0 ? 1u << rd : (op >= 0x08 && op < 0x28) || op == 0x37 ? 1u << rt : 0;
	if ((op == 0x0f || addi) && rt == 28)
		return mix_u64(h, w & 0xffff0000u); /* lui/addiu $gp: _gp_disp */
	if ((load || addi || (op >= 0x20 && op <= 0x3f)) && rs == 28) {
		uint64_t gp = fv_code_mips_gp(s->c), page;
		const struct fv_elf_slot *sl = gp ? fv_elf_slot_at(&s->e, gp + (uint64_t)imm) : NULL;
		m->valid &= ~write;
		if (load && !(sl && *sl->name) && gp &&
		    fv_code_read(s->c, gp + (uint64_t)imm, op == 0x37 ? 8 : 4, &page)) {
			m->v[rt] = page;
			m->valid |= 1u << rt;
		}
		return mix_str(mix_u64(h, w & 0xffff0000u), sl && *sl->name ? sl->name : "got");
	}
	if ((addi || (op >= 0x20 && op <= 0x3f)) && rs != 28 && (m->valid & (1u << rs))) {
		uint64_t v = m->v[rs] + (uint64_t)imm;
		if (s->e.cls == 32)
			v &= 0xffffffffu;
		m->valid &= ~write;
		if (data_addr(s, v))
			return mix_data(s, mix_u64(h, w & 0xffff0000u), v);
		if (addi && fn_at(s, v)) {
			int import;
			return mix_str(mix_u64(h, w & 0xffff0000u), callee(s, v, &import));
		}
		return mix_u64(h, w);
	}
	m->valid &= ~write;
	return mix_u64(h, w);
}

/*
 * AArch64 builds an address as adrp (the 4 KiB page, relative to the
 * instruction) and an add or a load/store offset (the low 12 bits): the
 * page is masked and the pair replaced by the data it points to.
 */
static uint64_t mix_arm64(const struct side *s, uint64_t h, uint64_t addr, uint32_t w, struct mregs *m)
{
	unsigned rd = w & 31, rn = (w >> 5) & 31;
	if ((w & 0x9f000000u) == 0x90000000u) { /* adrp */
		uint64_t imm = (uint64_t)((w >> 29) & 3) | (uint64_t)((w >> 5) & 0x7ffff) << 2;
		int64_t off = (int64_t)(imm << 43) >> 31; /* sign-extend 21 bits, times 4096 */
		m->v[rd] = (addr & ~0xfffull) + (uint64_t)off;
		m->valid |= 1u << rd;
		return mix_u64(h, w & 0x9f00001fu);
	}
	int add = (w & 0xffc00000u) == 0x91000000u;       /* add xd, xn, #imm12 */
	int ldst = (w & 0x3b000000u) == 0x39000000u;      /* load/store, unsigned offset */
	int store = ldst && !(w & 0x00400000u);
	if ((add || ldst) && rn != 31 && (m->valid & (1u << rn))) {
		uint64_t imm = (w >> 10) & 0xfff;
		uint64_t v = m->v[rn] + (add ? imm : imm << (w >> 30));
		if (!store)
			m->valid &= ~(1u << rd);
		if (data_addr(s, v))
			return mix_data(s, mix_u64(h, w & 0xffc003ffu), v);
		if (add && fn_at(s, v)) {
			int import;
			return mix_str(mix_u64(h, w & 0xffc003ffu), callee(s, v, &import));
		}
		return mix_u64(h, w);
	}
	if (!store)
		m->valid &= ~(1u << rd);
	return mix_u64(h, w);
}

/*
 * The bytes of an instruction that does not transfer to a constant, with
 * the one field that holds an address of data (which moves when anything
 * before it grows) replaced by what is there.  On x86 that is the 32-bit
 * displacement of a rip-relative (or i386 absolute) operand, or an imm32
 * that ends the instruction; on ARM a literal pool word; on MIPS and
 * AArch64 see mix_mips() and mix_arm64().  Other addresses built in halves
 * (MIPS non-PIC lui/addiu, PowerPC lis/addi, RISC-V auipc) are hashed as
 * they are, so a
 * function there whose data moved shows as changed (over-reported, never
 * hidden).  Absolute values below MIN_ABS_ADDR are numbers: PIE data starts
 * low, but position-independent code holds no absolute addresses.
 */
static uint64_t mix_plain(const struct side *s, uint64_t h, uint64_t addr, const uint8_t *p, size_t n,
			  struct mregs *m)
{
	uint8_t buf[16];
	if (n > sizeof buf)
		return mix(h, p, n);
	memcpy(buf, p, n);
	if (s->e.machine == EM_MIPS && n == 4)
		return mix_mips(s, h, word(s, p), m);
	if (s->e.machine == EM_AARCH64 && n == 4)
		return mix_arm64(s, h, addr, word(s, p), m);
	int x86 = s->e.machine == EM_386 || s->e.machine == EM_X86_64;
	int pool = s->e.machine == EM_ARM;
	for (size_t k = n >= 4 ? n - 4 + 1 : 0; k-- > 0;) {
		uint64_t target = 0;
		if (x86) {
			/*
			 * A disp32 after a ModRM byte of mod 00, r/m 101 (rip-relative
			 * on x86-64, absolute on i386), or an imm32 that ends the
			 * instruction (mov r32, imm32; push imm32).
			 */
			uint32_t v = (uint32_t)buf[k] | (uint32_t)buf[k + 1] << 8 | (uint32_t)buf[k + 2] << 16 |
				     (uint32_t)buf[k + 3] << 24;
			int modrm = k > 0 && (buf[k - 1] & 0xc7) == 0x05;
			uint64_t rel = addr + n + (uint64_t)(int64_t)(int32_t)v;
			if (modrm && s->e.machine == EM_X86_64 && data_addr(s, rel))
				target = rel;
			else if ((modrm || k + 4 == n) && v >= MIN_ABS_ADDR && data_addr(s, v))
				target = v;
		} else if (pool && k % 4 == 0) {
			/* A literal pool word between the instructions. */
			uint32_t v = word(s, buf + k);
			if (v >= MIN_ABS_ADDR && data_addr(s, v))
				target = v;
		}
		if (target) {
			memset(buf + k, 0, 4);
			h = mix_data(s, h, target);
			break;
		}
	}
	return mix(h, buf, n);
}

/* A constant argument of a call: the string or data it points to, the function it names, or the number. */
static uint64_t mix_arg(const struct side *s, uint64_t h, uint64_t v)
{
	int import;
	if (data_addr(s, v))
		return mix_data(s, h, v);
	if (fn_at(s, s->e.machine == EM_ARM ? v & ~1ull : v))
		return mix_str(h, callee(s, v, &import));
	return mix_u64(h, v);
}

struct calls {
	const char **v;
	size_t n, cap;
};

/*
 * Hashes function f of s: each instruction's kind and size; for a transfer
 * to a constant place, the place (a label inside the function, or the
 * callee's name, "local" for a function without a symbol) and its opcode
 * bits; for a transfer through a slot, the slot's symbol; for a call, its
 * constant arguments as mix_arg() sees them; for anything else, its bytes as
 * mix_plain() sees them.  Also lists the imports it calls, in order, once.
 */
static int fn_hash(struct side *s, struct fn *f, struct fv_insns *ins, struct calls *cl)
{
	const struct fv_lifter *l = fv_code_lifter(s->c);
	ins->n = 0;
	cl->n = 0;
	if (l->lift(fv_code_lifter_state(s->c), s->c, f->start, f->end, ins))
		return FV_ENOMEM;
	uint64_t h = 0xcbf29ce484222325ull;
	struct mregs m = { .valid = 0 };
	for (size_t i = 0; i < ins->n; i++) {
		const struct fv_insn *in = &ins->v[i];
		size_t avail;
		const uint8_t *p = fv_code_bytes(s->c, in->addr, &avail);
		size_t n = p ? (in->size < avail ? in->size : avail) : 0;
		uint8_t kind = in->kind;
		h = mix(h, &kind, 1);
		h = mix(h, &in->size, 1);
		int xfer = (kind == FV_IK_CALL || kind == FV_IK_JUMP || kind == FV_IK_CJUMP) &&
			   (in->target || in->slot);
		if (!xfer) {
			if (p)
				h = mix_plain(s, h, in->addr, p, n, &m);
			continue;
		}
		if (p)
			h = mix_transfer(s, h, p, n);
		const char *name = NULL;
		int import = 0;
		if (in->slot) {
			const struct fv_elf_slot *sl = fv_elf_slot_at(&s->e, in->slot);
			name = sl && *sl->name ? sl->name : "slot";
			import = sl && *sl->name && !sl->value;
			h = mix_str(h, name);
		}
		if (in->target) {
			uint64_t t = s->e.machine == EM_ARM ? in->target & ~1ull : in->target;
			if (kind != FV_IK_CALL && t >= f->lo && t < f->end) {
				h = mix_u64(mix_str(h, "label"), t - f->lo);
			} else {
				int imp;
				const char *c = callee(s, in->target, &imp);
				h = mix_str(h, c);
				if (!name) {
					name = c;
					import = imp;
				}
			}
		}
		if (kind != FV_IK_CJUMP)
			for (unsigned a = 0; a < FV_NARGS; a++)
				if (in->argk & (1u << a))
					h = mix_arg(s, mix_u64(h, a), in->arg[a]);
		if (import && kind == FV_IK_CALL) {
			size_t k = 0;
			while (k < cl->n && strcmp(cl->v[k], name))
				k++;
			if (k == cl->n) {
				if (fv_grow(&cl->v, &cl->cap, cl->n, sizeof *cl->v))
					return FV_ENOMEM;
				cl->v[cl->n++] = name;
			}
		}
	}
	f->hash = h;
	return 0;
}

static unsigned size_class(uint64_t n)
{
	unsigned c = 0;
	while (n) {
		n >>= 1;
		c++;
	}
	return c;
}

/*
 * The key that pairs a function with its counterpart in the other file:
 * its symbol, else "sub" with the bit length of its size and the imports it
 * calls in order.  Several with one key are told apart by their order.
 */
static int fn_key(struct fn *f, const struct calls *cl)
{
	size_t len = 32;
	for (size_t i = 0; i < cl->n; i++)
		len += strlen(cl->v[i]) + 1;
	if (f->name)
		len += strlen(f->name);
	if (!(f->key = malloc(len)))
		return FV_ENOMEM;
	if (f->name) {
		snprintf(f->key, len, "=%s", f->name);
		return 0;
	}
	size_t o = (size_t)snprintf(f->key, len, "~%u:", size_class(f->end - f->lo));
	for (size_t i = 0; i < cl->n; i++)
		o += (size_t)snprintf(f->key + o, len - o, "%s%s", i ? "," : "", cl->v[i]);
	return 0;
}

static int by_key(const void *x, const void *y)
{
	const struct fn *a = *(struct fn *const *)x, *b = *(struct fn *const *)y;
	int c = strcmp(a->key, b->key);
	return c ? c : (a->lo > b->lo) - (a->lo < b->lo);
}

static int side_hashes(struct side *s, struct fn ***sorted)
{
	int rc = side_functions(s);
	if (rc || !s->code)
		return rc;
	struct fv_insns ins = { 0 };
	struct calls cl = { 0 };
	for (size_t i = 0; !rc && i < s->nfns; i++) {
		rc = fn_hash(s, &s->fns[i], &ins, &cl);
		if (!rc)
			rc = fn_key(&s->fns[i], &cl);
	}
	fv_insns_free(&ins);
	free(cl.v);
	if (rc)
		return rc;
	if (!(*sorted = malloc((s->nfns ? s->nfns : 1) * sizeof **sorted)))
		return FV_ENOMEM;
	for (size_t i = 0; i < s->nfns; i++)
		(*sorted)[i] = &s->fns[i];
	if (s->nfns)
		qsort(*sorted, s->nfns, sizeof **sorted, by_key);
	return 0;
}

static int add_fn(struct fv_names *to, const struct fn *f)
{
	char name[128];
	fn_label(f, name, sizeof name);
	return names_add(to, name, strlen(name));
}

/* Pairs the functions of a and b by key (the k-th of a key with the k-th) and sorts them into d. */
static int functions_delta(struct side *a, struct side *b, struct fv_elf_delta *d)
{
	struct fn **x = NULL, **y = NULL;
	int rc = side_hashes(a, &x);
	if (!rc)
		rc = side_hashes(b, &y);
	if (rc || !x || !y) {
		free(x);
		free(y);
		return rc;
	}
	size_t i = 0, j = 0;
	while (!rc && (i < a->nfns || j < b->nfns)) {
		int c = i == a->nfns ? 1 : j == b->nfns ? -1 : strcmp(x[i]->key, y[j]->key);
		if (c < 0) {
			rc = add_fn(&d->functions_removed, x[i++]);
		} else if (c > 0) {
			rc = add_fn(&d->functions_added, y[j++]);
		} else {
			if (x[i]->hash != y[j]->hash)
				rc = add_fn(&d->functions_changed, y[j]);
			i++;
			j++;
		}
	}
	names_settle(&d->functions_removed);
	names_settle(&d->functions_added);
	names_settle(&d->functions_changed);
	d->code = 1;
	free(x);
	free(y);
	return rc;
}

/* ---- delta ---------------------------------------------------------------- */

struct lists {
	struct fv_names imports, exports, needed, strings;
};

static int side_lists(struct side *s, struct lists *l)
{
	size_t it = 0;
	struct fv_elf_sym y;
	const char *name;
	while (fv_elf_next_import(&s->e, &it, &y))
		if (*y.name && names_add(&l->imports, y.name, strlen(y.name)))
			return FV_ENOMEM;
	it = 0;
	while (fv_elf_next_export(&s->e, &it, &y))
		if (*y.name && names_add(&l->exports, y.name, strlen(y.name)))
			return FV_ENOMEM;
	it = 0;
	while (fv_elf_next_needed(&s->e, &it, &name))
		if (*name && names_add(&l->needed, name, strlen(name)))
			return FV_ENOMEM;
	int rc = side_code(s);
	if (rc)
		return rc;
	for (size_t i = 0; s->code && i < s->fl.ncmps; i++)
		if (names_add(&l->strings, s->fl.cmps[i].str, s->fl.cmps[i].len))
			return FV_ENOMEM;
	return 0;
}

static void lists_free(struct lists *l)
{
	fv_names_free(&l->imports);
	fv_names_free(&l->exports);
	fv_names_free(&l->needed);
	fv_names_free(&l->strings);
}

int fv_elfcmp_delta(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, struct fv_elf_delta *out,
		    char *err, size_t errlen)
{
	struct side sa, sb;
	struct lists la = { 0 }, lb = { 0 };
	int rc = side_open(&sa, a, na, "first", err, errlen);
	if (rc) {
		side_close(&sa);
		return rc;
	}
	rc = side_open(&sb, b, nb, "second", err, errlen);
	if (!rc)
		rc = side_lists(&sa, &la);
	if (!rc)
		rc = side_lists(&sb, &lb);
	if (!rc)
		rc = names_delta(&la.imports, &lb.imports, &out->imports_added, &out->imports_removed);
	if (!rc)
		rc = names_delta(&la.exports, &lb.exports, &out->exports_added, &out->exports_removed);
	if (!rc)
		rc = names_delta(&la.needed, &lb.needed, &out->needed_added, &out->needed_removed);
	if (!rc)
		rc = names_delta(&la.strings, &lb.strings, &out->strings_added, &out->strings_removed);
	/* Functions only where both files have code a lifter reads, of one architecture. */
	if (!rc && sa.code && sb.code && sa.e.machine == sb.e.machine)
		rc = functions_delta(&sa, &sb, out);
	lists_free(&la);
	lists_free(&lb);
	side_close(&sa);
	side_close(&sb);
	if (rc == FV_ENOMEM) {
		fv_elf_delta_free(out);
		if (err && errlen)
			snprintf(err, errlen, "out of memory comparing two ELF files");
	}
	return rc;
}

void fv_elf_delta_free(struct fv_elf_delta *d)
{
	struct fv_names *all[] = { &d->imports_added, &d->imports_removed, &d->exports_added,
				   &d->exports_removed, &d->needed_added, &d->needed_removed,
				   &d->strings_added, &d->strings_removed, &d->functions_changed,
				   &d->functions_added, &d->functions_removed };
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		fv_names_free(all[i]);
	d->code = 0;
}
