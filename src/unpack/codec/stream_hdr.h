/*
 * Header parsers of the single-stream compressors, shared by the decoders in
 * stream.c and the probes in unpack/formats/, which describe what they find.
 * Each returns 0, FV_ETRUNC or FV_EFORMAT/FV_ECRC/FV_EUNSUP with a message in
 * err naming the offset, what was expected and what was found.
 */
#ifndef FV_UNPACK_CODEC_STREAM_HDR_H
#define FV_UNPACK_CODEC_STREAM_HDR_H

#include <stddef.h>
#include <stdint.h>

#include "unpack/codec/stream.h"

struct fv_gzip_hdr {
	uint8_t flags, xfl, os;
	uint32_t mtime;
	const uint8_t *name;    /* FNAME without its NUL, or NULL */
	size_t namelen;
	const uint8_t *comment; /* FCOMMENT without its NUL, or NULL */
	size_t commentlen;
	size_t hdrlen;          /* where the deflate data starts */
};
int fv_gzip_header(const uint8_t *p, size_t n, struct fv_gzip_hdr *h, char *err, size_t errlen);

/* lzop flags that change the layout. */
#define FV_LZOP_ADLER32_D 0x1u
#define FV_LZOP_ADLER32_C 0x2u
#define FV_LZOP_EXTRA_FIELD 0x40u
#define FV_LZOP_CRC32_D 0x100u
#define FV_LZOP_CRC32_C 0x200u
#define FV_LZOP_FILTER 0x800u
#define FV_LZOP_H_CRC32 0x1000u

struct fv_lzop_hdr {
	uint16_t version, lib_version, version_needed;
	uint8_t method, level;
	uint32_t flags, filter, mode;
	uint64_t mtime;
	const uint8_t *name;
	size_t namelen;
	size_t hdrlen; /* where the first block starts */
};
int fv_lzop_header(const uint8_t *p, size_t n, struct fv_lzop_hdr *h, char *err, size_t errlen);
const char *fv_lzop_method_name(uint8_t method);

struct fv_lzma_hdr {
	unsigned lc, lp, pb;
	uint32_t dict;
	uint64_t usize; /* UINT64_MAX: unknown, the stream ends with a marker */
};
/*
 * The 13-byte .lzma header, with sanity checks.  strict adds what a weak
 * magic needs: a dictionary size of the form encoders write (2^n or 3*2^n);
 * without it (a payload whose type is declared), any size up to 1 GiB does.
 */
int fv_lzma_header(const uint8_t *p, size_t n, int strict, struct fv_lzma_hdr *h, char *err,
		   size_t errlen);

struct fv_probe;
struct fv_decode;
/*
 * A probe's trial decode: decodes with output discarded and capped (a bomb
 * must not stall identify), then sets out->size.  A stream cut off by the
 * end of the input is accepted as truncated when it produced at least
 * minout bytes; one whose output passes the cap is accepted as truncated at
 * the input it had used by then.  Returns 0 to accept or a negative fv_err.
 */
int fv_probe_stream(enum fv_codec c, const uint8_t *p, size_t avail, uint64_t minout,
		    struct fv_probe *out, struct fv_decode *r);
/* Appends ", 71 -> 123 bytes" or the truncation/cap note to out->desc. */
void fv_probe_stream_desc(struct fv_probe *out, const struct fv_decode *r);
/* "2024-11-01 15:27:00 UTC" */
void fv_stream_utc(int64_t t, char *buf, size_t len);

#endif
