/*
 * lzma-alone (.lzma, LZMA SDK / xz --format=lzma).  Its "magic" is just the
 * usual properties byte and a dictionary size, so a candidate must pass
 * strict header checks and decode cleanly before it counts, and even then
 * it is only of medium confidence.
 */
#include "core/err.h"
#include "unpack/codec/stream.h"
#include "unpack/codec/stream_hdr.h"
#include "unpack/format.h"

/* lc=3 lp=0 pb=2 (what nearly every encoder writes) and a dictionary of 64 KiB or more. */
static const struct fv_magic magics[] = {
	{ "\\x5d\\x00\\x00", 3, 0 },
	{ NULL, 0, 0 },
};

/* A truncated candidate must at least have decoded this much to count. */
#define MIN_TRUNC_OUTPUT 4096

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	struct fv_lzma_hdr h;
	int e = fv_lzma_header(p, avail, 1, &h, NULL, 0);
	if (e)
		return e;
	struct fv_decode r;
	if ((e = fv_probe_stream(FV_CODEC_LZMA, p, avail, MIN_TRUNC_OUTPUT, out, &r)))
		return e;
	out->conf = out->truncated ? FV_CONF_LOW : FV_CONF_MEDIUM;
	fv_probe_desc(out, "lzma, lc=%u lp=%u pb=%u, dictionary ", h.lc, h.lp, h.pb);
	if (h.dict >= (1u << 20) && h.dict % (1u << 20) == 0)
		fv_probe_desc(out, "%u MiB", h.dict >> 20);
	else
		fv_probe_desc(out, "%u KiB", h.dict >> 10);
	if (h.usize == UINT64_MAX)
		fv_probe_desc(out, ", uncompressed size not stored (end marker)");
	else
		fv_probe_desc(out, ", uncompressed size %llu", (unsigned long long)h.usize);
	fv_probe_stream_desc(out, &r);
	return 0;
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	return fv_decode_to_sink(x, FV_CODEC_LZMA, p, size, NULL);
}

const struct fv_format fv_format_lzma = {
	"lzma", "lzma-alone (.lzma), with strict header checks and a trial decode", magics, probe,
	extract,
	FV_FMT_STREAM,
};
