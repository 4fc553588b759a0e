/* libFuzzer harness for the scanner: every probe of every format at once. */
#include "unpack/engine.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fv_chunks cs;
	if (fv_scan(data, size, FV_SCAN_NESTED, &cs) != 0)
		return 0;
	for (size_t i = 0; i < cs.n; i++)
		if (cs.v[i].off + cs.v[i].size > size)
			abort();
	fv_chunks_free(&cs);
	return 0;
}
