/*
 * gzip (RFC 1952): one member per chunk.  A file of several members shows
 * up as several chunks, each found by its own magic.
 */
#include <string.h>

#include "core/err.h"
#include "unpack/codec/stream.h"
#include "unpack/codec/stream_hdr.h"
#include "unpack/format.h"

/* Magic, deflate, and flags with the reserved bits clear. */
static const struct fv_magic magics[] = {
	{ "\\x1f\\x8b\\x08[\\x00-\\x1f]", 4, 0 },
	{ NULL, 0, 0 },
};

static const char *os_name(uint8_t os)
{
	static const char *const names[] = { "FAT",	  "Amiga", "VMS",    "Unix",
					     "VM/CMS",	  "Atari", "HPFS",   "Macintosh",
					     "Z-System", "CP/M",  "TOPS-20", "NTFS",
					     "QDOS",	  "Acorn RISCOS" };
	if (os < sizeof names / sizeof names[0])
		return names[os];
	return os == 255 ? "unknown" : NULL;
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	struct fv_gzip_hdr h;
	char err[160] = "";
	int e = fv_gzip_header(p, avail, &h, err, sizeof err);
	if (e)
		return e;
	/* Every writer uses a defined OS code; anything else is a stray magic. */
	if (!os_name(h.os))
		return FV_EFORMAT;
	struct fv_decode r;
	if ((e = fv_probe_stream(FV_CODEC_GZIP, p, avail, 1, out, &r)))
		return e;
	out->conf = out->truncated ? FV_CONF_MEDIUM : FV_CONF_HIGH;
	fv_probe_desc(out, "gzip");
	if (h.name) {
		int n = h.namelen > 80 ? 80 : (int)h.namelen;
		fv_probe_desc(out, ", original name \"%.*s\"%s", n, (const char *)h.name,
			      h.namelen > 80 ? "..." : "");
	}
	if (h.mtime) {
		char t[40];
		fv_stream_utc(h.mtime, t, sizeof t);
		fv_probe_desc(out, ", modified %s", t);
	}
	fv_probe_desc(out, ", OS %s", os_name(h.os));
	if (h.comment)
		fv_probe_desc(out, ", with comment");
	fv_probe_stream_desc(out, &r);
	return 0;
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	struct fv_gzip_hdr h;
	char name[256];
	const char *use = NULL;
	if (fv_gzip_header(p, size, &h, NULL, 0) == 0 && h.name) {
		/* Only the last component: the stored name is a hint, not a path. */
		size_t b = h.namelen;
		while (b > 0 && h.name[b - 1] != '/' && h.name[b - 1] != '\\')
			b--;
		size_t len = h.namelen - b;
		if (len > 0 && len < sizeof name) {
			memcpy(name, h.name + b, len);
			name[len] = 0;
			if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
				use = name;
		}
	}
	return fv_decode_to_sink(x, FV_CODEC_GZIP, p, size, use);
}

const struct fv_format fv_format_gzip = {
	"gzip", "gzip (RFC 1952), one member per chunk; CRC32 and size checked", magics, probe, extract,
	0,
};
