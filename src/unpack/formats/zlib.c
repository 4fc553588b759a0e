/*
 * zlib streams (RFC 1950) anywhere in a file.  Two magic bytes are weak, so
 * a candidate counts only when it decodes completely, its Adler-32 matches
 * and it yields a useful amount of data.
 */
#include "core/err.h"
#include "unpack/codec/stream.h"
#include "unpack/codec/stream_hdr.h"
#include "unpack/format.h"

/* CMF 0x78 (deflate, 32 KiB window) with the four FLG values encoders write. */
static const struct fv_magic magics[] = {
	{ "\\x78[\\x01\\x5e\\x9c\\xda]", 2, 0 },
	{ NULL, 0, 0 },
};

#define MIN_OUTPUT 16

/*
 * Rejects most random bytes before zlib is set up: the first deflate block
 * must not use the reserved type, and a stored block's length must match its
 * complement.
 */
static int first_block_ok(const uint8_t *p, size_t avail)
{
	if (avail < 3)
		return 0;
	unsigned type = (p[2] >> 1) & 3;
	if (type == 3)
		return 0;
	if (type == 0) {
		if (avail < 7)
			return 0;
		unsigned len = p[3] | p[4] << 8, nlen = p[5] | p[6] << 8;
		return (len ^ nlen) == 0xffff;
	}
	return 1;
}

static const char *level_name(uint8_t flg)
{
	static const char *const n[] = { "fastest", "fast", "default", "best" };
	return n[flg >> 6];
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	if (avail < 2 + 2 + 4 || (p[0] * 256u + p[1]) % 31 || !first_block_ok(p, avail))
		return FV_EFORMAT;
	struct fv_decode r;
	int e = fv_probe_stream(FV_CODEC_ZLIB, p, avail, UINT64_MAX, out, &r);
	if (e)
		return e;
	if (out->truncated || !r.ended || r.produced < MIN_OUTPUT)
		return FV_EFORMAT;
	out->conf = FV_CONF_MEDIUM;
	fv_probe_desc(out, "zlib, compression level %s", level_name(p[1]));
	fv_probe_stream_desc(out, &r);
	return 0;
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	return fv_decode_to_sink(x, FV_CODEC_ZLIB, p, size, NULL);
}

const struct fv_format fv_format_zlib = {
	"zlib", "zlib streams anywhere in a file, validated by a full decode and Adler-32", magics,
	probe, extract,
	FV_FMT_STREAM,
};
