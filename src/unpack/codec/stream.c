/*
 * One-shot stream decoders over memory.  The compression libraries do the
 * entropy decoding; the framing around them (gzip, zlib and lzop headers and
 * trailers, xz stream padding, lz4 legacy blocks) is parsed here, so that we
 * know exactly how many input bytes a stream occupies and can say precisely
 * which check failed.
 *
 * Output goes to the caller in pieces from one bounded buffer; nothing is
 * ever held whole in memory except an lzop or lz4-legacy block, whose size
 * is bounded by its format.
 */
#include "unpack/codec/stream.h"

#include <bzlib.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>
#define LZ4F_STATIC_LINKING_ONLY
#include <lz4.h>
#include <lz4frame.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/codec/lzo1x.h"
#include "unpack/codec/stream_hdr.h"
#include "unpack/sink.h"

#define OUTBUF (256u * 1024)
/* liblzma allocates the whole declared dictionary; refuse absurd ones. */
#define LZMA_MEMLIMIT (256ull << 20)
/* lzop itself never writes blocks above 64 MiB. */
#define LZOP_MAX_BLOCK (64u << 20)
#define LZ4_LEGACY_BLOCK (8u << 20)

struct outs {
	fv_codec_out out;
	void *ctx;
	uint64_t maxout;
	struct fv_decode *res;
};

static void seterr(struct fv_decode *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void seterr(struct fv_decode *r, const char *fmt, ...)
{
	if (r->err[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
}

/* Hands decoded bytes on, never more than maxout in all. */
static int emit(struct outs *o, const uint8_t *p, size_t n)
{
	int lim = 0;
	if (o->maxout) {
		uint64_t room = o->maxout - o->res->produced;
		if (n > room) {
			n = (size_t)room;
			lim = 1;
		}
	}
	if (n && o->out) {
		int e = o->out(o->ctx, p, n);
		if (e < 0) {
			seterr(o->res, "output refused after 0x%llx bytes: %s",
			       (unsigned long long)o->res->produced, fv_strerror_or(e));
			return e;
		}
	}
	o->res->produced += n;
	if (lim) {
		seterr(o->res, "output limit of %llu bytes reached",
		       (unsigned long long)o->maxout);
		return FV_ELIMIT;
	}
	return 0;
}
