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
/* The 13-byte .lzma header, with the sanity checks a weak magic needs. */
int fv_lzma_header(const uint8_t *p, size_t n, struct fv_lzma_hdr *h, char *err, size_t errlen);

#endif
