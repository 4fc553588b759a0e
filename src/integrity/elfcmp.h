/*
 * Two ELF files compared: for equivalence (is the rebuilt binary the shipped
 * one, up to named normalisations) and for a diff (what an update changed in
 * a program: imports, exports, comparison strings, functions).
 *
 * Both parse through analyze/elf/elf.c, which trusts nothing in the file.
 */
#ifndef FV_INTEGRITY_ELFCMP_H
#define FV_INTEGRITY_ELFCMP_H

#include <stddef.h>
#include <stdint.h>

#include "integrity/cmp.h"

/*
 * Equivalence of two ELF files a (na bytes) and b.  Fills out (zeroed by the
 * caller) with the normalisations that were needed, among `allowed`
 * (FV_NORM_*), and every difference left: "header" (ELF header fields other
 * than where the section headers lie), "segment N" (a program header that
 * differs, or loaded bytes outside any section), "section NAME" (by section,
 * with the byte range in a and, for executable sections, the functions that
 * hold it).  Equivalent when out->ndiffs is 0 afterwards.
 *
 * The bytes of every PT_LOAD segment are compared one by one; inside them
 * only the build-id descriptor (FV_NORM_BUILD_ID) and timestamp or build path
 * tokens (fv_benign_span) may differ.  Sections that are not loaded are
 * normalised by name (comment, debuglink, debug, symtab) or compared.
 *
 * 0, FV_ENOMEM, or FV_EFORMAT when either file is not an ELF that
 * analyze/elf/elf.c reads (err then says which and why).
 */
int fv_elfcmp_equiv(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, unsigned allowed,
		    struct fv_cmp *out, char *err, size_t errlen);

/* A list of names, sorted, each once. */
struct fv_names {
	char **v;
	size_t n, cap;
};

/* What an update changed in one program (old a, new b). */
struct fv_elf_delta {
	struct fv_names imports_added, imports_removed;   /* dynamic symbols used from libraries */
	struct fv_names exports_added, exports_removed;   /* dynamic symbols defined */
	struct fv_names needed_added, needed_removed;     /* DT_NEEDED libraries */
	struct fv_names strings_added, strings_removed;   /* constants compared in code (flow.c) */
	/*
	 * Functions, by symbol name, else "sub_<addr>" matched by their place
	 * in the call graph: those whose code changed (hash of the instructions
	 * with addresses that only moved masked out), and those only in one.
	 */
	struct fv_names functions_changed, functions_added, functions_removed;
	int code;        /* 1 when functions were compared (a lifter reads the architecture) */
};

/* Fills out (zeroed by the caller).  0, FV_ENOMEM, or FV_EFORMAT with err as above. */
int fv_elfcmp_delta(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, struct fv_elf_delta *out,
		    char *err, size_t errlen);
void fv_elf_delta_free(struct fv_elf_delta *d);

void fv_names_free(struct fv_names *s);

#endif
