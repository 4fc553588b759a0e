/*
 * One-shot stream decoders over memory, shared by every format that holds a
 * compressed stream (gzip files, uImage payloads, squashfs blocks, ...).
 * A decoder reads one stream from in, hands its output to out() in pieces,
 * and reports how many input bytes the stream really occupied, which is how
 * probes learn a chunk's exact size.
 */
#ifndef FV_UNPACK_CODEC_STREAM_H
#define FV_UNPACK_CODEC_STREAM_H

#include <stddef.h>
#include <stdint.h>

struct fv_xctx;

enum fv_codec {
	FV_CODEC_NONE,
	FV_CODEC_GZIP,    /* one gzip member, header included */
	FV_CODEC_ZLIB,    /* RFC 1950 */
	FV_CODEC_DEFLATE, /* raw RFC 1951 */
	FV_CODEC_XZ,
	FV_CODEC_LZMA,    /* lzma-alone (.lzma): 13-byte header */
	FV_CODEC_BZIP2,
	FV_CODEC_ZSTD,
	FV_CODEC_LZ4F,    /* LZ4 frame */
	FV_CODEC_LZ4_LEGACY,
	FV_CODEC_LZO,     /* lzop file */
};

/* Receives decoded bytes; returns 0 to go on or a negative fv_err to stop. */
typedef int (*fv_codec_out)(void *ctx, const uint8_t *p, size_t n);

struct fv_decode {
	size_t consumed;   /* input bytes the stream occupied (valid when it ended) */
	uint64_t produced; /* output bytes handed to out */
	int ended;         /* the stream's end marker was reached */
	char err[160];     /* on failure: offset, what was expected, what was found */
};

/*
 * Decodes one stream.  out may be NULL to validate and measure only.
 * Output stops with FV_ELIMIT once maxout bytes are exceeded (0: no limit).
 * Returns 0 when the stream ended cleanly, FV_ETRUNC when the input ran out
 * first (what was decoded has been delivered), or another negative fv_err.
 */
int fv_decode(enum fv_codec c, const uint8_t *in, size_t inlen, uint64_t maxout, fv_codec_out out,
	      void *ctx, struct fv_decode *res);

/*
 * Decodes one stream into a new member called name through the sink, with
 * the sink's ratio limit.  Reports errors through fv_xctx_error().  With
 * name NULL, the member is named after the containing file without the
 * codec's usual extension ("x.tar.gz" -> "x.tar", ".tgz" -> ".tar"), or
 * "decompressed".
 */
int fv_decode_to_sink(struct fv_xctx *x, enum fv_codec c, const uint8_t *in, size_t inlen,
		      const char *name);

const char *fv_codec_name(enum fv_codec c);

#endif
