/*
 * cpio: SVR4 "newc" (070701) and its CRC variant (070702), POSIX "odc"
 * (070707) and the old binary format (0x71c7 in either byte order).  The
 * probe walks the headers to the TRAILER!!! entry for an exact size;
 * extraction is libarchive's.
 */
#include <archive.h>
#include <stdio.h>
#include <string.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/codec/archive.h"
#include "unpack/format.h"
#include "unpack/sink.h"

/* cpio writes 512-byte blocks; zeros up to there belong to the archive. */
#define BLOCK 512
#define NAME_MAX_LEN 4096

/* Mode type nibbles that cpio stores: fifo, chr, dir, blk, reg, lnk, sock. */
#define TYPE_CLASS "[\\x10-\\x1f\\x20-\\x2f\\x40-\\x4f\\x60-\\x6f\\x80-\\x8f\\xa0-\\xaf\\xc0-\\xcf]"

static const struct fv_magic magics[] = {
	{ "07070[12][0-9A-Fa-f]{8}", 14, 0 },
	{ "070707[0-7]{6}", 12, 0 },
	/* binary: magic, the mode's type in its high byte, under 256 links, a name under 4 KiB */
	{ "\\xc7\\x71.{5}" TYPE_CLASS ".{5}\\x00.{7}[\\x00-\\x0f]", 22, 0 },
	{ "\\x71\\xc7.{4}" TYPE_CLASS ".{5}\\x00.{7}[\\x00-\\x0f]", 21, 0 },
	{ NULL, 0, 0 },
};

enum variant { NEWC, NEWC_CRC, ODC, BIN_LE, BIN_BE };

static const char *const variant_name[] = {
	"SVR4 newc", "SVR4 newc with CRC", "POSIX odc", "old binary, little endian",
	"old binary, big endian",
};

struct hdr {
	uint64_t mode, namesize, filesize;
	size_t hlen;   /* header size */
	size_t align;  /* name and data are padded to this, from the archive start */
};

struct walk {
	enum variant v;
	uint64_t end, entries;
	int truncated, complete;
	char first[64];
	char why[160];
};

static int number(const uint8_t *f, size_t n, int base, uint64_t *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		int d;
		uint8_t c = f[i];
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		if (d >= base)
			return -1;
		*v = *v * (uint64_t)base + (uint64_t)d;
	}
	return 0;
}

static int which(const uint8_t *p, size_t avail, enum variant *v)
{
	if (avail >= 6 && memcmp(p, "07070", 5) == 0) {
		if (p[5] == '1')
			*v = NEWC;
		else if (p[5] == '2')
			*v = NEWC_CRC;
		else if (p[5] == '7')
			*v = ODC;
		else
			return -1;
		return 0;
	}
	if (avail >= 2 && p[0] == 0xc7 && p[1] == 0x71) {
		*v = BIN_LE;
		return 0;
	}
	if (avail >= 2 && p[0] == 0x71 && p[1] == 0xc7) {
		*v = BIN_BE;
		return 0;
	}
	return -1;
}

static uint32_t bin16(const uint8_t *b, int be) { return be ? fv_get_be16(b) : fv_get_le16(b); }

/* Parses the header at h (avail bytes); 0, or -1 if it is not one of variant v. */
static int header(const uint8_t *h, size_t avail, enum variant v, struct hdr *o)
{
	enum variant got;
	if (which(h, avail, &got) != 0 || got != v)
		return -1;
	switch (v) {
	case NEWC:
	case NEWC_CRC: {
		uint64_t f[13];
		if (avail < 110)
			return -1;
		for (int i = 0; i < 13; i++)
			if (number(h + 6 + 8 * i, 8, 16, &f[i]) != 0)
				return -1;
		o->mode = f[1];
		o->filesize = f[6];
		o->namesize = f[11];
		o->hlen = 110;
		o->align = 4;
		return 0;
	}
	case ODC: {
		uint64_t dummy;
		if (avail < 76)
			return -1;
		for (int i = 0; i < 8; i++)
			if (number(h + 6 + 6 * i, 6, 8, i == 2 ? &o->mode : &dummy) != 0)
				return -1;
		if (number(h + 48, 11, 8, &dummy) != 0 || number(h + 59, 6, 8, &o->namesize) != 0 ||
		    number(h + 65, 11, 8, &o->filesize) != 0)
			return -1;
		o->hlen = 76;
		o->align = 1;
		return 0;
	}
	case BIN_LE:
	case BIN_BE: {
		int be = v == BIN_BE;
		if (avail < 26)
			return -1;
		o->mode = bin16(h + 6, be);
		o->namesize = bin16(h + 20, be);
		o->filesize = (uint64_t)bin16(h + 22, be) << 16 | bin16(h + 24, be);
		o->hlen = 26;
		o->align = 2;
		return 0;
	}
	}
	return -1;
}

static uint64_t pad(uint64_t v, size_t a) { return (v + a - 1) / a * a; }

static void walk(const uint8_t *p, size_t avail, struct walk *w)
{
	enum variant v = w->v;
	memset(w, 0, sizeof *w);
	w->v = v;
	uint64_t pos = 0;
	for (;;) {
		struct hdr h;
		if (pos >= avail) {
			w->truncated = 1;
			w->end = avail;
			snprintf(w->why, sizeof w->why,
				 "cpio header expected at 0x%llx (no TRAILER!!! yet), input ends at 0x%zx",
				 (unsigned long long)pos, avail);
			return;
		}
		if (header(p + pos, avail - pos, v, &h) != 0) {
			static const size_t hlen[] = { 110, 110, 76, 26, 26 };
			int cut = avail - pos < hlen[v] && w->entries;
			w->truncated = cut;
			w->end = cut ? avail : pos;
			snprintf(w->why, sizeof w->why,
				 "%s cpio header or TRAILER!!! expected at 0x%llx, found %s",
				 variant_name[v], (unsigned long long)pos,
				 cut ? "the end of the input" : "other bytes");
			return;
		}
		const uint8_t *name = p + pos + h.hlen;
		uint64_t name_end = pos + h.hlen + h.namesize;
		if (h.namesize == 0 || h.namesize > NAME_MAX_LEN || name_end > avail ||
		    name[h.namesize - 1] != 0) {
			int cut = name_end > avail && h.namesize <= NAME_MAX_LEN;
			w->truncated = cut && w->entries;
			w->end = w->truncated ? avail : pos;
			snprintf(w->why, sizeof w->why,
				 "entry at 0x%llx: a NUL-terminated name of %llu bytes expected%s",
				 (unsigned long long)pos, (unsigned long long)h.namesize,
				 cut ? ", input ends first" : "");
			return;
		}
		uint64_t data = pad(name_end, h.align);
		if (h.namesize == 11 && memcmp(name, "TRAILER!!!", 11) == 0) {
			pos = data > avail ? avail : data;
			w->complete = 1;
			break;
		}
		if (w->entries == 0) {
			size_t n = h.namesize - 1 < sizeof w->first - 1 ? h.namesize - 1 : sizeof w->first - 1;
			for (size_t i = 0; i < n; i++)
				w->first[i] = name[i] >= 0x20 && name[i] < 0x7f ? (char)name[i] : '?';
			w->first[n] = 0;
		}
		w->entries++;
		if (h.filesize > avail || data > avail - h.filesize) {
			w->truncated = 1;
			w->end = avail;
			snprintf(w->why, sizeof w->why,
				 "entry at 0x%llx: %llu bytes of data expected, input ends at 0x%zx",
				 (unsigned long long)pos, (unsigned long long)h.filesize, avail);
			return;
		}
		pos = pad(data + h.filesize, h.align);
	}
	/* Block padding: zeros up to the next 512-byte boundary. */
	while (pos % BLOCK && pos < avail && p[pos] == 0)
		pos++;
	w->end = pos;
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	struct walk w;
	struct hdr h;
	if (which(p, avail, &w.v) != 0 || header(p, avail, w.v, &h) != 0)
		return FV_EFORMAT;
	/*
	 * The mode must name a file type; a name must be there.  A lone
	 * trailer (an empty archive, or the end of one seen on its own) holds
	 * nothing and is not reported.
	 */
	uint64_t t = h.mode & 0170000;
	if ((t != 0010000 && t != 0020000 && t != 0040000 && t != 0060000 && t != 0100000 &&
	     t != 0120000 && t != 0140000) || h.namesize < 2)
		return FV_EFORMAT;
	/* Names are text: control bytes mean this is not a header. */
	if (h.namesize > NAME_MAX_LEN || h.hlen + h.namesize > avail)
		return FV_EFORMAT;
	for (size_t i = 0; i + 1 < h.namesize; i++)
		if (p[h.hlen + i] < 0x20 || p[h.hlen + i] == 0x7f)
			return FV_EFORMAT;
	walk(p, avail, &w);
	if (w.end == 0 || !w.entries)
		return FV_EFORMAT;
	/*
	 * The binary magic is two bytes: one entry that runs off the end is
	 * not evidence enough.
	 */
	if (w.v >= BIN_LE && !w.complete && w.entries < 2)
		return FV_EFORMAT;
	out->size = w.end;
	out->truncated = w.truncated;
	out->conf = w.complete ? FV_CONF_HIGH : (w.v >= BIN_LE ? FV_CONF_LOW : FV_CONF_MEDIUM);
	fv_probe_desc(out, "cpio archive (%s), %llu entr%s", variant_name[w.v],
		      (unsigned long long)w.entries, w.entries == 1 ? "y" : "ies");
	if (w.entries)
		fv_probe_desc(out, ", first \"%s\"", w.first);
	if (w.truncated)
		fv_probe_desc(out, ", truncated");
	else if (!w.complete)
		fv_probe_desc(out, ", no TRAILER!!!");
	return FV_OK;
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	struct walk w;
	if (which(p, size, &w.v) != 0)
		return FV_EFORMAT;
	walk(p, size, &w);
	int rc = fv_archive_extract(x, p, size, archive_read_support_format_cpio);
	if (rc == FV_OK && !w.complete) {
		fv_xctx_error(x, "%s", w.why);
		rc = w.truncated ? FV_ETRUNC : FV_EFORMAT;
	}
	return rc;
}

const struct fv_format fv_format_cpio = {
	"cpio", "cpio archive: newc, odc and old binary (via libarchive)", magics, probe, extract,
	FV_FMT_RECORDS,
};
