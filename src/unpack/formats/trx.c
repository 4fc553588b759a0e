/*
 * Broadcom TRX firmware containers ("HDR0", little endian).  The header
 * holds the total length, a CRC-32 of everything from the flags/version
 * word to that length, and the offsets of up to 3 partitions (version 1) or
 * 4 (version 2; the fourth holds a vendor "bin header").  Broadcom's CRC is
 * the usual reflected CRC-32 started at ~0 but without the final inversion,
 * that is, zlib's crc32() with its bits flipped.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <zlib.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/format.h"
#include "unpack/sink.h"

#define MAX_PARTS 4

struct trx {
	uint32_t len, crc, flags, version;
	unsigned nparts;      /* offset slots in the header */
	uint32_t off[MAX_PARTS];
	size_t hdr;
};

static int parse(const uint8_t *p, size_t avail, struct trx *t)
{
	struct fv_cur c = fv_cur_make(p, avail);
	fv_cur_skip(&c, 4);
	t->len = fv_cur_le32(&c);
	t->crc = fv_cur_le32(&c);
	uint32_t fv = fv_cur_le32(&c);
	t->flags = fv & 0xffff;
	t->version = fv >> 16;
	if (t->version != 1 && t->version != 2)
		return FV_EFORMAT;
	t->nparts = t->version == 1 ? 3 : 4;
	for (unsigned i = 0; i < t->nparts; i++)
		t->off[i] = fv_cur_le32(&c);
	if (!fv_cur_ok(&c))
		return FV_ETRUNC;
	t->hdr = c.pos;
	if (t->len < t->hdr)
		return FV_EFORMAT;
	/* Partitions start after the header, in order, inside the image; unused
	 * slots are zero and come last. */
	uint32_t prev = 0;
	int seen_zero = 0;
	for (unsigned i = 0; i < t->nparts; i++) {
		uint32_t o = t->off[i];
		if (o == 0) {
			seen_zero = 1;
			continue;
		}
		if (seen_zero || o < t->hdr || o >= t->len || o <= prev)
			return FV_EFORMAT;
		prev = o;
	}
	if (t->off[0] == 0)
		return FV_EFORMAT;
	return 0;
}

static uint32_t trx_crc(const uint8_t *p, size_t n)
{
	uLong c = crc32(0, Z_NULL, 0);
	while (n > 0) {
		uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
		c = crc32(c, p, k);
		p += k, n -= k;
	}
	return (uint32_t)c ^ 0xffffffffu;
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	struct trx t;
	int r = parse(p, avail, &t);
	if (r)
		return r;
	out->conf = FV_CONF_HIGH;
	out->size = t.len;
	uint32_t got = 0;
	int crc_bad = 0;
	if (t.len > avail) {
		out->size = avail;
		out->truncated = 1;
		out->conf = FV_CONF_LOW;
	} else if ((got = trx_crc(p + 12, t.len - 12)) != t.crc) {
		crc_bad = 1;
		out->conf = FV_CONF_LOW;
	}
	unsigned n = 0;
	for (unsigned i = 0; i < t.nparts; i++)
		n += t.off[i] != 0;
	fv_probe_desc(out, "TRX v%u, %u partition%s at", t.version, n, n == 1 ? "" : "s");
	for (unsigned i = 0; i < t.nparts; i++)
		if (t.off[i])
			fv_probe_desc(out, "%s 0x%x", i ? "," : "", t.off[i]);
	fv_probe_desc(out, ", flags 0x%04x, length %u", t.flags, t.len);
	if (out->truncated)
		fv_probe_desc(out, ", truncated: %zu bytes present", avail);
	else if (crc_bad)
		fv_probe_desc(out, ", CRC mismatch: header says 0x%08x, data has 0x%08x", t.crc, got);
	else
		fv_probe_desc(out, ", CRC ok");
	return 0;
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	struct trx t;
	int r = parse(p, size, &t);
	if (r) {
		fv_xctx_error(x, "header at 0x0: expected a TRX v1/v2 header with ordered partition "
				 "offsets");
		return r;
	}
	size_t end = t.len < size ? t.len : size;
	int rc = 0;
	for (unsigned i = 0; i < t.nparts; i++) {
		if (!t.off[i])
			break;
		size_t start = t.off[i];
		size_t stop = (i + 1 < t.nparts && t.off[i + 1]) ? t.off[i + 1] : t.len;
		if (start >= end)
			break;
		if (stop > end) {
			fv_xctx_error(x, "partition %u at 0x%zx: ends at 0x%zx, the input at 0x%zx", i,
				      start, stop, end);
			stop = end;
			rc = FV_ETRUNC;
		}
		char name[24];
		snprintf(name, sizeof name, "partition%u", i);
		struct fv_attr a = { S_IFREG | 0644, 0, 0, 0 };
		int w = fv_sink_file(x, name, &a, p + start, stop - start);
		if (w == FV_ELIMIT)
			return w;
		if (w && !rc)
			rc = w;
	}
	return rc;
}

static const struct fv_magic magics[] = {
	{ "HDR0", 4, 0 },
	{ NULL, 0, 0 },
};

const struct fv_format fv_format_trx = {
	"trx",
	"Broadcom TRX v1/v2: CRC checked, partitions split",
	magics, probe, extract,
	0,
};
