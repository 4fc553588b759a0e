/* lzop files, decoded with our own LZO1X (liblzo2 is GPL). */
#include <string.h>

#include "core/err.h"
#include "unpack/codec/stream.h"
#include "unpack/codec/stream_hdr.h"
#include "unpack/format.h"

static const struct fv_magic magics[] = {
	{ "\\x89\\x4c\\x5a\\x4f\\x00\\x0d\\x0a\\x1a\\x0a", 9, 0 },
	{ NULL, 0, 0 },
};

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	struct fv_lzop_hdr h;
	int e = fv_lzop_header(p, avail, &h, NULL, 0);
	if (e)
		return e;
	struct fv_decode r;
	if ((e = fv_probe_stream(FV_CODEC_LZO, p, avail, 1, out, &r)))
		return e;
	out->conf = out->truncated ? FV_CONF_MEDIUM : FV_CONF_HIGH;
	fv_probe_desc(out, "lzop %x.%02x, method %s", h.version >> 12, (h.version >> 4) & 0xff,
		      fv_lzop_method_name(h.method));
	if (h.level)
		fv_probe_desc(out, " level %u", h.level);
	if (h.namelen) {
		int n = h.namelen > 80 ? 80 : (int)h.namelen;
		fv_probe_desc(out, ", original name \"%.*s\"", n, (const char *)h.name);
	}
	if (h.mtime) {
		char t[40];
		fv_stream_utc((int64_t)h.mtime, t, sizeof t);
		fv_probe_desc(out, ", modified %s", t);
	}
	fv_probe_stream_desc(out, &r);
	return 0;
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	struct fv_lzop_hdr h;
	char name[256];
	const char *use = NULL;
	if (fv_lzop_header(p, size, &h, NULL, 0) == 0 && h.namelen) {
		/* Only the last component: the stored name is a hint, not a path. */
		size_t b = h.namelen;
		while (b > 0 && h.name[b - 1] != '/' && h.name[b - 1] != '\\')
			b--;
		size_t len = h.namelen - b;
		if (len > 0 && len < sizeof name && !memchr(h.name + b, 0, len)) {
			memcpy(name, h.name + b, len);
			name[len] = 0;
			if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
				use = name;
		}
	}
	return fv_decode_to_sink(x, FV_CODEC_LZO, p, size, use);
}

const struct fv_format fv_format_lzop = {
	"lzop", "lzop files (LZO1X-1, -1(15), -999), with our own LZO1X decoder; checksums verified",
	magics, probe, extract,
	0,
};
