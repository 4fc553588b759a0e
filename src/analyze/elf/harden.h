/*
 * Hardening of one ELF file, judged from its headers and symbols the way
 * checksec 2.6.0 judges it, except where checksec is wrong (each difference
 * is explained in docs/hardening.md): NX from PT_GNU_STACK and, when that
 * is absent, from the architecture's default; PIE; RELRO; stack canary;
 * FORTIFY against a list of fortifiable functions that is rules data, not
 * the host's C library; RPATH/RUNPATH; stripped; static; interpreter.
 */
#ifndef FV_ANALYZE_ELF_HARDEN_H
#define FV_ANALYZE_ELF_HARDEN_H

#include <stddef.h>

#include "analyze/elf/elf.h"

/*
 * The functions that _FORTIFY_SOURCE replaces by a checking variant
 * (memcpy by __memcpy_chk), read from rules/hardening/fortify.txt: one base
 * name a line, '#' comments.  Loaded once and shared by every binary.
 */
struct fv_fortify {
	char *text;         /* the file, each name NUL-ended in place */
	const char **names; /* sorted, no duplicates */
	size_t n;
};
/*
 * Reads rules_dir/hardening/fortify.txt into f.  0, or FV_EIO (the file
 * cannot be read), FV_EFORMAT (a line is not a C identifier, or no name at
 * all) or FV_ENOMEM, with err (errcap bytes) naming the file, the line and
 * what was found.
 */
int fv_fortify_load(struct fv_fortify *f, const char *rules_dir, char *err, size_t errcap);
void fv_fortify_free(struct fv_fortify *f);
/* Whether name ("memcpy", without underscores or "_chk") is in the list. */
int fv_fortify_has(const struct fv_fortify *f, const char *name);

enum { FV_PIE_NO, FV_PIE_YES, FV_PIE_DSO, FV_PIE_REL };
enum { FV_RELRO_NONE, FV_RELRO_PARTIAL, FV_RELRO_FULL };

struct fv_hardening {
	int nx;             /* 1: the stack is not executable */
	int nx_default;     /* 1: there is no PT_GNU_STACK, nx is the architecture's default */
	int pie;            /* FV_PIE_*: a position-independent executable, a shared library, an object */
	int relro;          /* FV_RELRO_* */
	int canary;         /* references __stack_chk_fail, __stack_chk_guard or __intel_security_cookie */
	int fortify;        /* calls at least one __*_chk function */
	unsigned fortified;   /* calls of fortified functions (__memcpy_chk): imports, or in a
				 static binary the ones linked in (from .symtab) */
	unsigned unfortified; /* imports of fortifiable functions without their check (memcpy) */
	int fortify_known;  /* 0 when fortify could not be judged: a static binary without .symtab */
	const char *rpath, *runpath; /* NULL when absent; point into the file's data */
	int stripped;       /* no SHT_SYMTAB section */
	int is_static;      /* no interpreter and no dynamic linking (fv_elf_is_static) */
	const char *interp; /* PT_INTERP, or NULL */
	unsigned props;     /* FV_ELF_PROP_*: x86 IBT/SHSTK, AArch64 BTI/PAC from the GNU property note */
};

/*
 * Judges e.  fortify may be NULL: every imported __*_chk function then
 * counts as fortified and unfortified stays 0.  Always 0 (e is read, not
 * changed; it needs no slots).
 */
int fv_harden(const struct fv_elf *e, const struct fv_fortify *fortify, struct fv_hardening *out);

/* "yes", "no", "dso", "rel" (checksec's words). */
const char *fv_harden_pie_name(int pie);
/* "none", "partial", "full". */
const char *fv_harden_relro_name(int relro);
/*
 * Whether a stack is executable when the file has no PT_GNU_STACK, on the
 * kernels firmware ships with (docs/hardening.md has the table).
 */
int fv_harden_stack_exec_default(const struct fv_elf *e);

#endif
