/*
 * libFuzzer harness for ELF equivalence and delta: the input is two files,
 * split where a second ELF magic starts (two seeds concatenated) or else in
 * halves; both are compared each way, with every normalisation and with
 * none, and the delta is taken.
 */
#include "integrity/elfcmp.h"

#include <string.h>

static void equiv(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, unsigned allowed)
{
	struct fv_cmp c;
	char err[256];
	memset(&c, 0, sizeof c);
	if (fv_elfcmp_equiv(a, na, b, nb, allowed, &c, err, sizeof err) == 0) {
		size_t n = 0;
		for (size_t i = 0; i < c.ndiffs; i++)
			for (size_t k = 0; k < c.diffs[i].nfunctions; k++)
				n += strlen(c.diffs[i].functions[k]);
		(void)n;
	}
	fv_cmp_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cut = size / 2;
	const uint8_t *m = size > 4 ? memmem(data + 1, size - 1, "\177ELF", 4) : NULL;
	if (m)
		cut = (size_t)(m - data);
	const uint8_t *a = data, *b = data + cut;
	size_t na = cut, nb = size - cut;
	equiv(a, na, b, nb, FV_NORM_ALL);
	equiv(b, nb, a, na, 0);
	equiv(a, na, a, na, FV_NORM_ALL);
	struct fv_elf_delta d;
	char err[256];
	memset(&d, 0, sizeof d);
	if (fv_elfcmp_delta(a, na, b, nb, &d, err, sizeof err) == 0) {
		size_t n = 0;
		for (size_t i = 0; i < d.functions_changed.n; i++)
			n += strlen(d.functions_changed.v[i]);
		(void)n;
	}
	fv_elf_delta_free(&d);
	return 0;
}
