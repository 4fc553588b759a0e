/*
 * Extraction through libarchive, for the archive formats it reads well (tar,
 * cpio, zip, 7z, ISO 9660, ar, ARJ).  The bytes are read from memory; every
 * entry goes to the sink with its type, mode, owner and link target, and a
 * truncated archive yields the entries that were complete.
 */
#ifndef FV_UNPACK_CODEC_ARCHIVE_H
#define FV_UNPACK_CODEC_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

struct fv_xctx;
struct archive;

/* enable() turns on the one libarchive reader format that applies. */
int fv_archive_extract(struct fv_xctx *x, const uint8_t *p, size_t size,
		       int (*enable)(struct archive *));

#endif
