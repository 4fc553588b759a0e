/*
 * ISO 9660.  The volume descriptors start at 32 KiB; the primary one gives
 * the volume space size in logical blocks, which is the image's size.
 * Rock Ridge and Joliet are reported when present; extraction is
 * libarchive's, which reads both (and zisofs).
 */
#include <archive.h>
#include <stdio.h>
#include <string.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/codec/archive.h"
#include "unpack/format.h"
#include "unpack/sink.h"

#define SECTOR 2048
#define VD_START (16 * SECTOR)
#define MAX_VDS 32

static const struct fv_magic magics[] = {
	/* the first descriptor: a boot record or the primary volume descriptor */
	{ "[\\x00\\x01]CD001\\x01", 7, VD_START },
	{ NULL, 0, 0 },
};

struct info {
	uint64_t blocks, block_size, end;
	int truncated, rock_ridge, joliet, el_torito;
	char volume[33];
	char why[160];
};

/* Fields recorded in both byte orders must agree. */
static int both32(const uint8_t *f, uint32_t *v)
{
	*v = fv_get_le32(f);
	return *v == fv_get_be32(f + 4) ? 0 : -1;
}

static int both16(const uint8_t *f, uint32_t *v)
{
	*v = fv_get_le16(f);
	return *v == fv_get_be16(f + 2) ? 0 : -1;
}

/* The root folder's "." record carries the SUSP "SP" entry under Rock Ridge. */
static int has_rock_ridge(const uint8_t *p, size_t avail, const uint8_t *pvd, uint32_t bs)
{
	uint32_t extent;
	if (both32(pvd + 156 + 2, &extent) != 0 || (uint64_t)extent * bs >= avail)
		return 0;
	const uint8_t *r = p + (uint64_t)extent * bs;
	size_t left = avail - (size_t)((uint64_t)extent * bs);
	if (left < 34 + 7 || r[0] < 34 + 7 || r[32] != 1)
		return 0;
	const uint8_t *su = r + 34; /* 33 + a 1-byte name, already even */
	return su[0] == 'S' && su[1] == 'P' && su[4] == 0xbe && su[5] == 0xef;
}

static int parse(const uint8_t *p, size_t avail, struct info *in)
{
	memset(in, 0, sizeof *in);
	const uint8_t *pvd = NULL;
	int ended = 0;
	for (int i = 0; i < MAX_VDS; i++) {
		uint64_t at = VD_START + (uint64_t)i * SECTOR;
		if (at + SECTOR > avail)
			break;
		const uint8_t *d = p + at;
		if (memcmp(d + 1, "CD001", 5) != 0 || d[6] != 1)
			return FV_EFORMAT;
		if (d[0] == 255) {
			ended = 1;
			break;
		}
		if (d[0] == 1 && !pvd)
			pvd = d;
		else if (d[0] == 0 && memcmp(d + 7, "EL TORITO SPECIFICATION", 23) == 0)
			in->el_torito = 1;
		else if (d[0] == 2 && d[88] == '%' && d[89] == '/' &&
			 (d[90] == '@' || d[90] == 'C' || d[90] == 'E'))
			in->joliet = 1;
		else if (d[0] > 3)
			return FV_EFORMAT;
	}
	if (!pvd)
		return FV_EFORMAT;
	uint32_t blocks, bs;
	if (both32(pvd + 80, &blocks) != 0 || both16(pvd + 128, &bs) != 0)
		return FV_EFORMAT;
	if (bs < 512 || bs > 32768 || (bs & (bs - 1)) || (uint64_t)blocks * bs < VD_START + 2 * SECTOR)
		return FV_EFORMAT;
	in->blocks = blocks;
	in->block_size = bs;
	in->end = (uint64_t)blocks * bs;
	for (int i = 0; i < 32; i++) {
		uint8_t c = pvd[40 + i];
		in->volume[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	for (int i = 31; i >= 0 && in->volume[i] == ' '; i--)
		in->volume[i] = 0;
	in->rock_ridge = has_rock_ridge(p, avail, pvd, bs);
	if (in->end > avail) {
		in->truncated = 1;
		snprintf(in->why, sizeof in->why,
			 "volume of %llu blocks of %u bytes expected to end at 0x%llx, input ends at 0x%zx",
			 (unsigned long long)blocks, bs, (unsigned long long)in->end, avail);
		in->end = avail;
	} else if (!ended) {
		snprintf(in->why, sizeof in->why,
			 "volume descriptor set terminator expected by 0x%x, not found",
			 VD_START + MAX_VDS * SECTOR);
	}
	return FV_OK;
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	struct info in;
	int rc = parse(p, avail, &in);
	if (rc)
		return rc;
	out->size = in.end;
	out->truncated = in.truncated;
	out->conf = FV_CONF_HIGH;
	fv_probe_desc(out, "ISO 9660 filesystem, volume \"%s\", %llu blocks of %llu bytes%s%s%s%s",
		      in.volume, (unsigned long long)in.blocks, (unsigned long long)in.block_size,
		      in.rock_ridge ? ", Rock Ridge" : "", in.joliet ? ", Joliet" : "",
		      in.el_torito ? ", El Torito boot" : "", in.truncated ? ", truncated" : "");
	return FV_OK;
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	struct info in;
	if (parse(p, size, &in) != FV_OK)
		return FV_EFORMAT;
	int rc = fv_archive_extract(x, p, size, archive_read_support_format_iso9660);
	if (rc == FV_OK && in.truncated) {
		fv_xctx_error(x, "%s", in.why);
		rc = FV_ETRUNC;
	}
	return rc;
}

const struct fv_format fv_format_iso9660 = {
	"iso9660", "ISO 9660 filesystem, Rock Ridge, Joliet (via libarchive)", magics, probe, extract,
	0,
};
