/* xz (.xz): one stream, or several concatenated with their padding. */
#include <zlib.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/codec/stream.h"
#include "unpack/codec/stream_hdr.h"
#include "unpack/format.h"

/* Magic and the first stream flags byte, which is always zero. */
static const struct fv_magic magics[] = {
	{ "\\xfd\\x37\\x7a\\x58\\x5a\\x00\\x00[\\x00-\\x0f]", 8, 0 },
	{ NULL, 0, 0 },
};

static const char *check_name(unsigned c)
{
	switch (c) {
	case 0: return "none";
	case 1: return "CRC32";
	case 4: return "CRC64";
	case 10: return "SHA-256";
	}
	return "reserved";
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	if (avail < 12)
		return FV_ETRUNC;
	/* The stream header has its own CRC32: a cheap, certain first test. */
	if ((uint32_t)crc32(crc32(0, NULL, 0), p + 6, 2) != fv_get_le32(p + 8))
		return FV_ECRC;
	struct fv_decode r;
	int e = fv_probe_stream(FV_CODEC_XZ, p, avail, 1, out, &r);
	if (e)
		return e;
	out->conf = out->truncated ? FV_CONF_MEDIUM : FV_CONF_HIGH;
	fv_probe_desc(out, "xz, check %s", check_name(p[7] & 0x0f));
	fv_probe_stream_desc(out, &r);
	return 0;
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	return fv_decode_to_sink(x, FV_CODEC_XZ, p, size, NULL);
}

const struct fv_format fv_format_xz = {
	"xz", "xz, including concatenated streams; integrity checks verified", magics, probe, extract,
	FV_FMT_STREAM,
};
