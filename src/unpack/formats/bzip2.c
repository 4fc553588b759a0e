/* bzip2: one stream per chunk, block CRCs and the stream CRC checked by libbz2. */
#include "core/err.h"
#include "unpack/codec/stream.h"
#include "unpack/codec/stream_hdr.h"
#include "unpack/format.h"

/* "BZh", the block size digit and the first block's magic (BCD pi). */
static const struct fv_magic magics[] = {
	{ "BZh[1-9]\\x31\\x41\\x59\\x26\\x53\\x59", 10, 0 },
	{ NULL, 0, 0 },
};

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	if (avail < 14)
		return FV_ETRUNC;
	struct fv_decode r;
	int e = fv_probe_stream(FV_CODEC_BZIP2, p, avail, 1, out, &r);
	if (e)
		return e;
	out->conf = out->truncated ? FV_CONF_MEDIUM : FV_CONF_HIGH;
	fv_probe_desc(out, "bzip2, block size %u00 KiB", (unsigned)(p[3] - '0'));
	fv_probe_stream_desc(out, &r);
	return 0;
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	return fv_decode_to_sink(x, FV_CODEC_BZIP2, p, size, NULL);
}

const struct fv_format fv_format_bzip2 = {
	"bzip2", "bzip2, one stream per chunk; block and stream CRCs checked", magics, probe, extract,
	FV_FMT_STREAM,
};
