/* PLACEHOLDER: replaced by the real iso9660 reader. */
#include "core/err.h"
#include "unpack/format.h"

static const struct fv_magic magics[] = { { NULL, 0, 0 } };

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	(void)p; (void)avail; (void)out;
	return FV_EUNSUP;
}

const struct fv_format fv_format_iso9660 = { "iso9660", "iso9660", magics, probe, NULL };
