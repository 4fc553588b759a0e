/*
 * 7-Zip.  The 32-byte signature header gives, under its own CRC, where the
 * archive's last structure (the next header) sits and how long it is, so the
 * archive ends at 32 + next header offset + next header size.  Extraction is
 * libarchive's.
 */
#include <archive.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/codec/archive.h"
#include "unpack/format.h"
#include "unpack/sink.h"

#define SIG_LEN 32

static const struct fv_magic magics[] = {
	{ "7z\\xbc\\xaf\\x27\\x1c\\x00[\\x00-\\x04]", 8, 0 },
	{ NULL, 0, 0 },
};

struct info {
	uint64_t off, size, end;
	int truncated, next_crc_ok;
	char why[160];
};

static int parse(const uint8_t *p, size_t avail, struct info *in)
{
	memset(in, 0, sizeof *in);
	if (avail < SIG_LEN || memcmp(p, "7z\xbc\xaf\x27\x1c", 6) != 0 || p[6] != 0)
		return FV_EFORMAT;
	uint32_t want = fv_get_le32(p + 8);
	if ((uint32_t)crc32(0, p + 12, 20) != want)
		return FV_ECRC;
	in->off = fv_get_le64(p + 12);
	in->size = fv_get_le64(p + 20);
	if (in->off > UINT64_MAX / 2 || in->size > UINT64_MAX / 2)
		return FV_EFORMAT;
	in->end = SIG_LEN + in->off + in->size;
	if (in->end > avail) {
		in->truncated = 1;
		snprintf(in->why, sizeof in->why,
			 "next header expected at 0x%llx..0x%llx, input ends at 0x%zx",
			 (unsigned long long)(SIG_LEN + in->off), (unsigned long long)in->end, avail);
		in->end = avail;
	} else {
		const uint8_t *nh = p + SIG_LEN + in->off;
		uint32_t got = in->size > UINT32_MAX ? 0 : (uint32_t)crc32(0, nh, (uInt)in->size);
		in->next_crc_ok = in->size <= UINT32_MAX && got == fv_get_le32(p + 28);
		if (!in->next_crc_ok)
			snprintf(in->why, sizeof in->why,
				 "next header at 0x%llx: CRC expected 0x%08x, found 0x%08x",
				 (unsigned long long)(SIG_LEN + in->off), fv_get_le32(p + 28), got);
	}
	return FV_OK;
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	struct info in;
	int rc = parse(p, avail, &in);
	if (rc)
		return rc;
	/* An empty archive has no next header; anything else needs one. */
	if (in.size == 0 && in.off != 0)
		return FV_EFORMAT;
	out->size = in.end;
	out->truncated = in.truncated;
	out->conf = in.truncated || in.next_crc_ok ? FV_CONF_HIGH : FV_CONF_MEDIUM;
	fv_probe_desc(out, "7-zip archive, version 0.%u, %llu bytes of data, %llu-byte header%s",
		      p[7], (unsigned long long)in.off, (unsigned long long)in.size,
		      in.truncated ? ", truncated" : in.next_crc_ok ? "" : ", header CRC mismatch");
	return FV_OK;
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	struct info in;
	if (parse(p, size, &in) != FV_OK)
		return FV_EFORMAT;
	int rc = fv_archive_extract(x, p, size, archive_read_support_format_7zip);
	if (rc == FV_OK && in.why[0]) {
		fv_xctx_error(x, "%s", in.why);
		rc = in.truncated ? FV_ETRUNC : FV_ECRC;
	}
	return rc;
}

const struct fv_format fv_format_sevenzip = {
	"7z", "7-Zip archive (via libarchive)", magics, probe, extract,
	0,
};
