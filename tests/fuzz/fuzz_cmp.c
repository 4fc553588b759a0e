/*
 * libFuzzer harness for the byte-level normalisations: the input's two
 * halves are compared as one region with every normalisation allowed, so
 * the token readers (timestamps, build paths) walk hostile text around every
 * differing run.  A waved-through run must really be text on both sides.
 */
#include "integrity/cmp.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = size / 2;
	struct fv_cmp c = { 0 };
	uint64_t left;
	if (fv_cmp_bytes(&c, data, data + n, n, 0, FV_NORM_ALL, "content", &left) == 0) {
		uint64_t counted = 0;
		for (size_t i = 0; i < n; i++)
			counted += data[i] != data[n + i];
		/* What is left can never exceed what differs, and nothing differing is lost unexplained. */
		if (left > counted || (counted && !left && !c.applied))
			abort();
	}
	fv_cmp_free(&c);
	return 0;
}
