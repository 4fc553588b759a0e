/* LZ4: the frame format (lz4 tool) and the legacy format (Linux kernels). */
#include "core/cursor.h"
#include "core/err.h"
#include "unpack/codec/stream.h"
#include "unpack/codec/stream_hdr.h"
#include "unpack/format.h"

static const struct fv_magic magics[] = {
	/* Frame magic and a FLG byte of version 01 with the reserved bit clear. */
	{ "\\x04\\x22\\x4d\\x18[\\x40-\\x7d]", 5, 0 },
	{ "\\x02\\x21\\x4c\\x18", 4, 0 },
	{ NULL, 0, 0 },
};

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	if (avail < 8)
		return FV_ETRUNC;
	int legacy = fv_get_le32(p) == 0x184C2102;
	if (!legacy) {
		unsigned flg = p[4], bd = p[5];
		/* Reserved bits clear and a defined maximum block size (4..7). */
		if ((flg & 0x02) || (bd & 0x8f) || ((bd >> 4) & 7) < 4)
			return FV_EFORMAT;
	}
	struct fv_decode r;
	int e = fv_probe_stream(legacy ? FV_CODEC_LZ4_LEGACY : FV_CODEC_LZ4F, p, avail, 1, out, &r);
	if (e)
		return e;
	if (r.produced == 0 && !r.ended)
		return FV_EFORMAT;
	if (legacy) {
		out->conf = out->truncated ? FV_CONF_LOW : FV_CONF_MEDIUM;
		fv_probe_desc(out, "lz4 legacy format");
	} else {
		static const unsigned kib[] = { 64, 256, 1024, 4096 };
		unsigned flg = p[4];
		out->conf = out->truncated ? FV_CONF_MEDIUM : FV_CONF_HIGH;
		fv_probe_desc(out, "lz4 frame, block size %u KiB", kib[((p[5] >> 4) & 7) - 4]);
		if ((flg & 0x08) && avail >= 14)
			fv_probe_desc(out, ", content size %llu",
				      (unsigned long long)fv_get_le64(p + 6));
		if (flg & 0x04)
			fv_probe_desc(out, ", content checksum");
		if (flg & 0x10)
			fv_probe_desc(out, ", block checksums");
	}
	fv_probe_stream_desc(out, &r);
	return 0;
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	int legacy = size >= 4 && fv_get_le32(p) == 0x184C2102;
	return fv_decode_to_sink(x, legacy ? FV_CODEC_LZ4_LEGACY : FV_CODEC_LZ4F, p, size, NULL);
}

const struct fv_format fv_format_lz4 = {
	"lz4", "LZ4 frame and legacy formats; frame checksums verified", magics, probe, extract,
	FV_FMT_STREAM,
};
