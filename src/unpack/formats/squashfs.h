/*
 * squashfs byte-order conversion, used by the squashfs extractor for
 * big-endian images (libsquashfs reads little endian only) and by the tests
 * to make big-endian images, which no Debian tool writes.
 */
#ifndef FV_UNPACK_FORMATS_SQUASHFS_H
#define FV_UNPACK_FORMATS_SQUASHFS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Rewrites a squashfs 4.0 image in the other byte order: data blocks in
 * place, metadata tables stored again after them, uncompressed; the export
 * and xattr tables are dropped.  Returns 0 with *out (malloc'ed) and
 * *outlen, or a negative fv_err with err saying what was wrong and where.
 */
int fv_squashfs_swap(const uint8_t *p, size_t size, uint8_t **out, size_t *outlen, char *err,
		     size_t errlen);

struct fv_xctx;
/*
 * Extracts a squashfs 2.x or 3.x image (either byte order; zlib or the
 * vendor LZMA variants) through the sink; squashfs.c calls it for those
 * versions.  Returns 0, or a negative fv_err after fv_xctx_error().
 */
int fv_squashfs_legacy_extract(struct fv_xctx *x, const uint8_t *p, size_t size);

#endif
