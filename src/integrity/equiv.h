/*
 * Binary equivalence: is REBUILT the image SHIPPED, up to differences a
 * reviewer can name?  Every file is paired by key (pair.h) and judged
 * identical, equivalent (with the normalisations that explain each
 * difference) or different (with what differs).  Containers are judged by
 * their bytes outside chunks, which must be equal, and by their chunks, whose
 * own metadata a normalisation may wave through only because every file in
 * them is compared in its own right; a chunk that yields no files (an ELF
 * found inside a blob) is compared byte for byte.
 */
#ifndef FV_INTEGRITY_EQUIV_H
#define FV_INTEGRITY_EQUIV_H

#include <stdio.h>

#include "integrity/cmp.h"
#include "integrity/pair.h"

struct fv_json;
struct fv_map;

enum fv_verdict { FV_VERDICT_IDENTICAL, FV_VERDICT_EQUIVALENT, FV_VERDICT_DIFFERENT };
const char *fv_verdict_name(enum fv_verdict v);

struct fv_equiv_file {
	const char *key;
	const char *path_a, *path_b; /* report paths in SHIPPED and REBUILT */
	enum fv_verdict verdict;
	struct fv_cmp cmp;           /* normalisations applied and differences left */
	unsigned members;            /* members found different, for the cap on their listing */
};

struct fv_equiv {
	enum fv_verdict verdict;
	unsigned allowed, applied;   /* FV_NORM_* */
	struct fv_equiv_file *files; /* every file in both, in key order */
	size_t nfiles;
	const char **missing, **extra; /* report paths only in SHIPPED, only in REBUILT */
	size_t nmissing, nextra;
	struct fv_cmp image;         /* the images' own bytes: chunk layout, bytes between chunks */
	size_t counts[3];            /* files per verdict */
};

/*
 * Compares a (SHIPPED) with b (REBUILT).  ima and imb are the mapped images,
 * or NULL for folders.  0 or FV_ENOMEM.
 */
int fv_equiv_compute(const struct fv_side *a, const struct fv_side *b, const struct fv_map *ima,
		     const struct fv_map *imb, unsigned allowed, struct fv_equiv *out);
void fv_equiv_free(struct fv_equiv *e);

/* The object of the design guide's `fwvet equiv` report (after the caller's image objects). */
void fv_equiv_json(struct fv_json *j, const struct fv_equiv *e);
void fv_equiv_text(FILE *f, const struct fv_equiv *e, int verbose);

#endif
