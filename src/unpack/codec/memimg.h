/*
 * A sparse memory image, as text firmware formats (Intel HEX, S-record)
 * describe it: data at addresses, in any order.  The extractor feeds it the
 * decoded records, then writes it out as flash would hold it: one binary
 * with the gaps filled with 0xFF, or, when the records are spread so far
 * apart that one file would be mostly filler (a hostile file can claim
 * address 0 and 0xFFFFFFFF), one file per region, named by its address.
 */
#ifndef FV_UNPACK_CODEC_MEMIMG_H
#define FV_UNPACK_CODEC_MEMIMG_H

#include <stddef.h>
#include <stdint.h>

struct fv_xctx;

/* Records that follow each other in the file and in memory, merged. */
struct fv_memrun {
	uint64_t addr, len;
	size_t off; /* into fv_memimg.data */
	size_t seq; /* file order: overlapping bytes go to the first run in address order */
};

struct fv_memimg {
	uint8_t *data; /* every data byte, in file order */
	size_t len, cap;
	struct fv_memrun *runs;
	size_t nruns, capruns;
};

/* Adds n bytes at addr.  FV_ENOMEM, or FV_ELIMIT past a million runs. */
int fv_memimg_add(struct fv_memimg *m, uint64_t addr, const uint8_t *p, size_t n);

/*
 * Writes the image through the sink: "<base>.bin" when the span from the
 * lowest to the highest address is modest, else "0x<addr>.bin" per region.
 * Sorts the runs.  Reports errors through fv_xctx_error().
 */
int fv_memimg_write(struct fv_xctx *x, struct fv_memimg *m, const char *base);

void fv_memimg_free(struct fv_memimg *m);

/*
 * The base name for the image: the name of the file the chunk came from
 * without its extension when that is one of exts (NULL-terminated, without
 * the dot, compared case-insensitively), else "image".
 */
void fv_memimg_base(const char *file, const char *const *exts, char *out, size_t outlen);

/* Decodes n bytes from 2n hex digits at s; -1 at the first non-digit. */
int fv_unhex(const uint8_t *s, uint8_t *out, size_t n);
/* Whether the n characters at s are all hex digits. */
int fv_all_hex(const uint8_t *s, size_t n);

#endif
