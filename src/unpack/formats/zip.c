/* PLACEHOLDER: replaced by the real zip reader. */
#include "core/err.h"
#include "unpack/format.h"

static const struct fv_magic magics[] = { { NULL, 0, 0 } };

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	(void)p; (void)avail; (void)out;
	return FV_EUNSUP;
}

const struct fv_format fv_format_zip = { "zip", "zip", magics, probe, NULL };
