/*
 * The format table.  Order matters only when two formats accept the same
 * offset with the same confidence: the earlier one wins, so specific
 * containers come before the generic compressors they may hold.
 */
#include "unpack/format.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define X(n) extern const struct fv_format fv_format_##n;
#define FV_FORMAT_LIST                                                                             \
	X(uimage) X(fit) X(trx) X(dtb) X(squashfs) X(cramfs) X(romfs) X(android_sparse) X(ubi) X(ubifs) X(jffs2)               \
	X(sevenzip) X(zip) X(tar) X(cpio) X(iso9660) X(ar) X(arj)                                  \
	X(gzip) X(xz) X(bzip2) X(zstd) X(lz4) X(lzop) X(lzma) X(zlib)                              \
	X(ext) X(fat)                                                                    \
	X(ihex) X(srec) X(elf) X(yaffs2)
FV_FORMAT_LIST
#undef X

#define X(n) &fv_format_##n,
const struct fv_format *const fv_formats[] = { FV_FORMAT_LIST NULL };
#undef X

const struct fv_format *fv_format_find(const char *name)
{
	for (size_t i = 0; fv_formats[i]; i++)
		if (strcmp(fv_formats[i]->name, name) == 0)
			return fv_formats[i];
	return NULL;
}

void fv_probe_desc(struct fv_probe *out, const char *fmt, ...)
{
	size_t used = strnlen(out->desc, sizeof out->desc);
	if (used >= sizeof out->desc - 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out->desc + used, sizeof out->desc - used, fmt, ap);
	va_end(ap);
}
