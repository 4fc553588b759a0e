/*
 * Android sparse images (libsparse, img2simg, fastboot): a 28-byte header
 * (magic 0xed26ff3a, version 1.0, header sizes 28 and 12, block size, block
 * and chunk counts, a checksum libsparse leaves 0), then chunks of a 12-byte
 * header (type, reserved, blocks, total bytes) and a payload: RAW blocks,
 * a 4-byte FILL pattern, DONT_CARE (nothing) or a CRC32 of the image so far.
 * All little endian.  The image is expanded into one member, holes written
 * as zeros so that the inner filesystem reads back exactly as flashed, and
 * the engine then recurses into it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <zlib.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/format.h"
#include "unpack/sink.h"

#define HDR 28
#define CHDR 12
#define C_RAW 0xcac1
#define C_FILL 0xcac2
#define C_DONT_CARE 0xcac3
#define C_CRC32 0xcac4

struct hdr {
	unsigned minor;
	uint32_t blk_sz, total_blks, total_chunks, checksum;
};

static int parse_hdr(const uint8_t *p, size_t avail, struct hdr *h)
{
	if (avail < HDR)
		return FV_ETRUNC;
	if (fv_get_le32(p) != 0xed26ff3a || fv_get_le16(p + 4) != 1 || fv_get_le16(p + 8) != HDR ||
	    fv_get_le16(p + 10) != CHDR)
		return FV_EFORMAT;
	h->minor = fv_get_le16(p + 6);
	h->blk_sz = fv_get_le32(p + 12);
	h->total_blks = fv_get_le32(p + 16);
	h->total_chunks = fv_get_le32(p + 20);
	h->checksum = fv_get_le32(p + 24);
	if (h->blk_sz == 0 || h->blk_sz % 4 || h->blk_sz > (64u << 20) || h->total_chunks == 0)
		return FV_EFORMAT;
	return 0;
}

/*
 * Checks one chunk header at pos; returns its total size and fills the
 * fields, or 0 when it is not a valid chunk.  err describes why.
 */
static uint64_t check_chunk(const uint8_t *c, const struct hdr *h, unsigned *type, uint32_t *blocks,
			    char *err, size_t errlen)
{
	*type = fv_get_le16(c);
	*blocks = fv_get_le32(c + 4);
	uint32_t total = fv_get_le32(c + 8);
	uint64_t want;
	switch (*type) {
	case C_RAW:
		want = CHDR + (uint64_t)*blocks * h->blk_sz;
		break;
	case C_FILL:
	case C_CRC32:
		want = CHDR + 4;
		break;
	case C_DONT_CARE:
		want = CHDR;
		break;
	default:
		snprintf(err, errlen, "expected chunk type 0xcac1..0xcac4, found 0x%04x", *type);
		return 0;
	}
	if (total != want) {
		snprintf(err, errlen, "chunk type 0x%04x of %u blocks: expected total size %llu, found %u",
			 *type, *blocks, (unsigned long long)want, total);
		return 0;
	}
	if (*type == C_CRC32 && *blocks != 0) {
		snprintf(err, errlen, "CRC32 chunk: expected 0 blocks, found %u", *blocks);
		return 0;
	}
	return want;
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	struct hdr h;
	int rc = parse_hdr(p, avail, &h);
	if (rc)
		return rc;
	uint64_t pos = HDR, blocks = 0;
	uint32_t i;
	char err[128];
	for (i = 0; i < h.total_chunks; i++) {
		if (avail - pos < CHDR)
			break;
		unsigned type;
		uint32_t nb;
		uint64_t sz = check_chunk(p + pos, &h, &type, &nb, err, sizeof err);
		if (!sz)
			return FV_EFORMAT;
		blocks += nb;
		if (blocks > h.total_blks)
			return FV_EFORMAT;
		if (sz > avail - pos) {
			pos = avail;
			i++;
			break;
		}
		pos += sz;
	}
	out->conf = FV_CONF_HIGH;
	out->size = pos;
	if (i < h.total_chunks || pos > avail) {
		out->size = avail;
		out->truncated = 1;
		out->conf = FV_CONF_LOW;
	} else if (blocks != h.total_blks) {
		return FV_EFORMAT;
	}
	fv_probe_desc(out, "Android sparse image 1.%u, block size %u, %u blocks (%llu bytes expanded), "
		      "%u chunks", h.minor, h.blk_sz, h.total_blks,
		      (unsigned long long)h.total_blks * h.blk_sz, h.total_chunks);
	if (out->truncated)
		fv_probe_desc(out, ", truncated");
	return 0;
}

static const char *member_name(struct fv_xctx *x, char *buf, size_t len)
{
	const char *n = fv_xctx_file_name(x);
	size_t l = n ? strlen(n) : 0;
	static const char *const exts[] = { ".simg", ".img" };
	for (size_t i = 0; i < 2; i++) {
		size_t e = strlen(exts[i]);
		if (l > e && strcasecmp(n + l - e, exts[i]) == 0 && l - e + 5 <= len) {
			snprintf(buf, len, "%.*s.img", (int)(l - e), n);
			return buf;
		}
	}
	return "expanded.img";
}

struct out {
	struct fv_sink_file *f;
	uint32_t crc;
	uint64_t written;
};

static int put(struct out *o, const uint8_t *b, size_t n)
{
	int rc = fv_sink_write(o->f, b, n);
	if (rc)
		return rc;
	o->crc = (uint32_t)crc32(o->crc, b, (uInt)n);
	o->written += n;
	return 0;
}

/* Writes count copies of a 4-byte pattern (all zero for DONT_CARE). */
static int put_fill(struct out *o, uint32_t pattern_le, uint64_t bytes)
{
	uint8_t buf[16384]; /* on the stack: extractions may run in parallel */
	for (size_t i = 0; i < sizeof buf; i += 4)
		memcpy(buf + i, &pattern_le, 4);
	while (bytes) {
		size_t k = bytes < sizeof buf ? (size_t)bytes : sizeof buf;
		int rc = put(o, buf, k);
		if (rc)
			return rc;
		bytes -= k;
	}
	return 0;
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	struct hdr h;
	int rc = parse_hdr(p, size, &h);
	if (rc) {
		fv_xctx_error(x, "header at 0x0: expected an Android sparse header version 1 with sizes 28/12");
		return rc;
	}
	char nb[256];
	const char *name = member_name(x, nb, sizeof nb);
	struct fv_attr a = { S_IFREG | 0644, 0, 0, 0 };
	struct out o = { NULL, (uint32_t)crc32(0L, Z_NULL, 0), 0 };
	rc = fv_sink_open(x, name, &a, &o.f);
	if (rc)
		return rc;
	size_t pos = HDR;
	uint64_t expect = (uint64_t)h.total_blks * h.blk_sz;
	char err[128];
	for (uint32_t i = 0; i < h.total_chunks && !rc; i++) {
		if (size - pos < CHDR) {
			fv_xctx_error(x, "chunk %u at 0x%zx: expected a 12-byte chunk header, found %zu bytes",
				      i, pos, size - pos);
			rc = FV_ETRUNC;
			break;
		}
		unsigned type;
		uint32_t nblk;
		uint64_t sz = check_chunk(p + pos, &h, &type, &nblk, err, sizeof err);
		if (!sz) {
			fv_xctx_error(x, "chunk %u at 0x%zx: %s", i, pos, err);
			rc = FV_EFORMAT;
			break;
		}
		uint64_t bytes = (uint64_t)nblk * h.blk_sz;
		if (bytes > expect - o.written) {
			fv_xctx_error(x, "chunk %u at 0x%zx: %u blocks run past the %u blocks of the header",
				      i, pos, nblk, h.total_blks);
			rc = FV_EFORMAT;
			break;
		}
		const uint8_t *pl = p + pos + CHDR;
		if (sz > size - pos) {
			fv_xctx_error(x, "chunk %u at 0x%zx: expected %llu bytes, the image ends after %zu",
				      i, pos, (unsigned long long)sz, size - pos);
			if (type == C_RAW) {
				size_t have = size - pos - CHDR;
				put(&o, pl, have - have % h.blk_sz);
			}
			rc = FV_ETRUNC;
			break;
		}
		switch (type) {
		case C_RAW:
			rc = put(&o, pl, (size_t)bytes);
			break;
		case C_FILL: {
			uint32_t pat;
			memcpy(&pat, pl, 4);
			rc = put_fill(&o, pat, bytes);
			break;
		}
		case C_DONT_CARE:
			rc = put_fill(&o, 0, bytes);
			break;
		case C_CRC32:
			if (fv_get_le32(pl) != o.crc) {
				fv_xctx_error(x, "CRC32 chunk %u at 0x%zx: expected 0x%08x, computed 0x%08x "
					      "over the first %llu bytes", i, pos, fv_get_le32(pl), o.crc,
					      (unsigned long long)o.written);
				rc = FV_ECRC;
			}
			break;
		}
		pos += (size_t)sz;
	}
	if (rc == FV_ELIMIT)
		fv_xctx_error(x, "%s: an extraction limit stopped the expansion after %llu of %llu bytes "
			      "(sparse images expand a lot; see --max-ratio)", name,
			      (unsigned long long)o.written, (unsigned long long)expect);
	if (!rc && o.written != expect) {
		fv_xctx_error(x, "chunks expand to %llu bytes; the header says %llu",
			      (unsigned long long)o.written, (unsigned long long)expect);
		rc = FV_EFORMAT;
	}
	int crc = fv_sink_close(o.f);
	return rc ? rc : crc;
}

/* Magic, version 1.x, header sizes 28 and 12. */
static const struct fv_magic magics[] = {
	{ "\\x3a\\xff\\x26\\xed\\x01\\x00.\\x00\\x1c\\x00\\x0c\\x00", 12, 0 },
	{ NULL, 0, 0 },
};

const struct fv_format fv_format_android_sparse = {
	"android-sparse",
	"Android sparse images (img2simg, fastboot): expanded, then the image inside is unpacked",
	magics, probe, extract,
	0,
};
