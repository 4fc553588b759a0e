/* Zstandard: one frame per chunk, sized from its block headers. */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include "core/err.h"
#include "unpack/codec/stream.h"
#include "unpack/codec/stream_hdr.h"
#include "unpack/format.h"

static const struct fv_magic magics[] = {
	{ "\\x28\\xb5\\x2f\\xfd", 4, 0 },
	{ NULL, 0, 0 },
};

static void size_desc(struct fv_probe *out, const char *what, unsigned long long v)
{
	if (v >= (1ull << 20) && v % (1ull << 20) == 0)
		fv_probe_desc(out, ", %s %llu MiB", what, v >> 20);
	else if (v >= 1024 && v % 1024 == 0)
		fv_probe_desc(out, ", %s %llu KiB", what, v >> 10);
	else
		fv_probe_desc(out, ", %s %llu bytes", what, v);
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	ZSTD_frameHeader fh;
	size_t r0 = ZSTD_getFrameHeader(&fh, p, avail);
	if (ZSTD_isError(r0))
		return FV_EFORMAT;
	if (r0 > 0)
		return FV_ETRUNC;
	struct fv_decode r;
	int e = fv_probe_stream(FV_CODEC_ZSTD, p, avail, 1, out, &r);
	if (e)
		return e;
	out->conf = out->truncated ? FV_CONF_MEDIUM : FV_CONF_HIGH;
	fv_probe_desc(out, "zstd");
	size_desc(out, "window", (unsigned long long)fh.windowSize);
	if (fh.frameContentSize != ZSTD_CONTENTSIZE_UNKNOWN)
		fv_probe_desc(out, ", content size %llu", (unsigned long long)fh.frameContentSize);
	else
		fv_probe_desc(out, ", content size not stored");
	if (fh.checksumFlag)
		fv_probe_desc(out, ", checksum");
	if (fh.dictID)
		fv_probe_desc(out, ", dictionary %u", fh.dictID);
	fv_probe_stream_desc(out, &r);
	return 0;
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	return fv_decode_to_sink(x, FV_CODEC_ZSTD, p, size, NULL);
}

const struct fv_format fv_format_zstd = {
	"zstd", "Zstandard, one frame per chunk; content checksum verified", magics, probe, extract,
	FV_FMT_STREAM,
};
