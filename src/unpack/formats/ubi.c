/*
 * UBI images (ubinize output and raw NAND/NOR dumps of a UBI partition).
 *
 * Every physical eraseblock (PEB) starts with a 64-byte erase-counter
 * header "UBI#" that says where the volume-id header ("UBI!") and the data
 * sit inside the PEB, but not how big a PEB is: that is found by looking
 * for the next valid EC header at power-of-two distances.  The VID header
 * maps the PEB to (volume, logical eraseblock); the layout volume holds the
 * volume table with each volume's name and type.  Each volume is written
 * out as one image, its LEBs in order, so that the engine recurses into it
 * (a UBIFS volume is then found at offset 0 of its image).
 *
 * Both headers carry a CRC-32 computed the Linux way: reflected CRC-32
 * seeded with ~0 and not inverted at the end, that is zlib's crc32() ^ ~0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/format.h"
#include "unpack/sink.h"

#define HDR_SIZE 64
#define EC_MAGIC 0x55424923u  /* "UBI#" */
#define VID_MAGIC 0x55424921u /* "UBI!" */
#define LAYOUT_VOL 0x7fffefffu
#define MAX_VOLS 128
#define VTBL_REC 172
#define NAME_MAX_LEN 127
#define MIN_PEB 512u
#define MAX_PEB (16u << 20) /* beyond any NAND or NOR eraseblock in use */

static uint32_t ubi_crc(const uint8_t *p, size_t n)
{
	uLong c = crc32(0, Z_NULL, 0);
	while (n > 0) {
		uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
		c = crc32(c, p, k);
		p += k, n -= k;
	}
	return (uint32_t)c ^ 0xffffffffu;
}

struct ec {
	uint64_t ec;
	uint32_t vid_off, data_off, image_seq;
};

/* A valid EC header at p, whose offsets fit inside a PEB of at most MAX_PEB. */
static int ec_parse(const uint8_t *p, size_t avail, struct ec *e)
{
	if (avail < HDR_SIZE || fv_get_be32(p) != EC_MAGIC || p[4] != 1)
		return 0;
	e->ec = fv_get_be64(p + 8);
	e->vid_off = fv_get_be32(p + 16);
	e->data_off = fv_get_be32(p + 20);
	e->image_seq = fv_get_be32(p + 24);
	if (e->vid_off < HDR_SIZE || e->vid_off % 8 || e->data_off < e->vid_off + HDR_SIZE ||
	    e->data_off >= MAX_PEB)
		return 0;
	return ubi_crc(p, 60) == fv_get_be32(p + 60);
}

static int same_geom(const struct ec *a, const struct ec *b)
{
	return a->vid_off == b->vid_off && a->data_off == b->data_off && a->image_seq == b->image_seq;
}

struct vid {
	uint8_t vol_type, copy_flag;
	uint32_t vol_id, lnum, data_size, used_ebs, data_pad, data_crc;
	uint64_t sqnum;
};

enum { VID_NONE, VID_OK, VID_BAD };

static int vid_parse(const uint8_t *p, struct vid *v)
{
	uint32_t m = fv_get_be32(p);
	if (m == 0xffffffffu)
		return VID_NONE; /* erased: a free PEB */
	if (m != VID_MAGIC || p[4] != 1 || ubi_crc(p, 60) != fv_get_be32(p + 60))
		return VID_BAD;
	v->vol_type = p[5];
	v->copy_flag = p[6];
	v->vol_id = fv_get_be32(p + 8);
	v->lnum = fv_get_be32(p + 12);
	v->data_size = fv_get_be32(p + 20);
	v->used_ebs = fv_get_be32(p + 24);
	v->data_pad = fv_get_be32(p + 28);
	v->data_crc = fv_get_be32(p + 32);
	v->sqnum = fv_get_be64(p + 40);
	return VID_OK;
}

struct vol {
	int present; /* a valid volume-table record */
	uint32_t reserved, data_pad;
	uint8_t type; /* 1 dynamic, 2 static */
	char name[NAME_MAX_LEN + 1];
};

struct ubi {
	const uint8_t *p;
	size_t size;
	uint32_t peb, npeb, leb; /* leb: PEB minus data_off */
	int truncated;           /* the last PEB is cut short */
	struct ec ec;
	int have_vtbl;
	unsigned nvols;
	struct vol vols[MAX_VOLS];
};

/*
 * The PEB size: the smallest power of two at which another EC header of the
 * same image follows.  0 when none does (a UBI image always has at least the
 * two PEBs of the layout volume).
 */
static uint32_t find_peb(const uint8_t *p, size_t avail, const struct ec *e)
{
	uint32_t d = MIN_PEB;
	while (d <= e->data_off)
		d <<= 1;
	for (; d <= MAX_PEB && d < avail; d <<= 1) {
		struct ec n;
		if (ec_parse(p + d, avail - d, &n) && same_geom(&n, e))
			return d;
	}
	return 0;
}

static int ubi_open(const uint8_t *p, size_t avail, struct ubi *u)
{
	memset(u, 0, sizeof *u);
	if (!ec_parse(p, avail, &u->ec))
		return FV_EFORMAT;
	u->peb = find_peb(p, avail, &u->ec);
	if (!u->peb)
		return FV_EFORMAT;
	u->p = p;
	u->leb = u->peb - u->ec.data_off;
	uint64_t n = 0;
	for (;;) {
		uint64_t off = n * u->peb;
		struct ec e;
		if (off >= avail || !ec_parse(p + off, avail - off, &e) || !same_geom(&e, &u->ec))
			break;
		n++;
		if (off + u->peb > avail) {
			u->truncated = 1;
			break;
		}
		if (n >= UINT32_MAX / 2)
			break;
	}
	u->npeb = (uint32_t)n;
	u->size = u->truncated ? avail : (size_t)n * u->peb;
	return 0;
}

/* The bytes of PEB i from off, if they are all present. */
static const uint8_t *peb_at(const struct ubi *u, uint32_t i, uint32_t off, uint32_t len)
{
	uint64_t s = (uint64_t)i * u->peb + off;
	if (off > u->peb || len > u->peb - off || s + len > u->size)
		return NULL;
	return u->p + s;
}

static int read_vid(const struct ubi *u, uint32_t i, struct vid *v)
{
	const uint8_t *h = peb_at(u, i, u->ec.vid_off, HDR_SIZE);
	return h ? vid_parse(h, v) : VID_BAD;
}

static int parse_vtbl(struct ubi *u, const uint8_t *t)
{
	unsigned nrec = u->leb / VTBL_REC;
	if (nrec > MAX_VOLS)
		nrec = MAX_VOLS;
	struct vol vols[MAX_VOLS];
	memset(vols, 0, sizeof vols);
	unsigned n = 0;
	for (unsigned i = 0; i < nrec; i++) {
		const uint8_t *r = t + (size_t)i * VTBL_REC;
		if (ubi_crc(r, 168) != fv_get_be32(r + 168))
			return 0;
		uint32_t reserved = fv_get_be32(r);
		if (!reserved)
			continue;
		uint16_t nlen = fv_get_be16(r + 14);
		if (nlen > NAME_MAX_LEN || nlen == 0 || (r[12] != 1 && r[12] != 2))
			return 0;
		vols[i].present = 1;
		vols[i].reserved = reserved;
		vols[i].data_pad = fv_get_be32(r + 8);
		vols[i].type = r[12];
		memcpy(vols[i].name, r + 16, nlen);
		vols[i].name[nlen] = 0;
		n++;
	}
	memcpy(u->vols, vols, sizeof vols);
	u->nvols = n;
	u->have_vtbl = 1;
	return 1;
}

/* The volume table: either copy in the layout volume, whichever checks. */
static void find_vtbl(struct ubi *u)
{
	for (uint32_t i = 0; i < u->npeb; i++) {
		struct vid v;
		if (read_vid(u, i, &v) != VID_OK || v.vol_id != LAYOUT_VOL || v.lnum > 1)
			continue;
		const uint8_t *t = peb_at(u, i, u->ec.data_off, u->leb);
		if (t && parse_vtbl(u, t))
			return;
	}
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	if (avail < HDR_SIZE || fv_get_be32(p) != EC_MAGIC)
		return FV_EFORMAT;
	struct ubi *u = malloc(sizeof *u);
	if (!u)
		return FV_ENOMEM;
	int r = ubi_open(p, avail, u);
	if (r) {
		free(u);
		return r;
	}
	find_vtbl(u);
	out->size = u->size;
	out->truncated = u->truncated;
	out->conf = u->have_vtbl ? FV_CONF_HIGH : FV_CONF_MEDIUM;
	fv_probe_desc(out, "UBI image, PEB size %u, VID header at 0x%x, data at 0x%x, %u PEBs, image sequence 0x%08x",
		      u->peb, u->ec.vid_off, u->ec.data_off, u->npeb, u->ec.image_seq);
	if (u->have_vtbl) {
		fv_probe_desc(out, ", %u volume%s", u->nvols, u->nvols == 1 ? "" : "s");
		const char *sep = ": ";
		for (unsigned i = 0; i < MAX_VOLS; i++) {
			if (!u->vols[i].present)
				continue;
			fv_probe_desc(out, "%s%s (%s)", sep, u->vols[i].name,
				      u->vols[i].type == 2 ? "static" : "dynamic");
			sep = ", ";
		}
	} else {
		fv_probe_desc(out, ", no valid volume table");
	}
	if (u->truncated)
		fv_probe_desc(out, ", truncated");
	free(u);
	return 0;
}

/* One mapped LEB: which PEB holds it. */
struct map {
	uint32_t vol, lnum, peb;
	uint64_t sqnum;
};

static int map_cmp(const void *a, const void *b)
{
	const struct map *x = a, *y = b;
	if (x->vol != y->vol)
		return x->vol < y->vol ? -1 : 1;
	if (x->lnum != y->lnum)
		return x->lnum < y->lnum ? -1 : 1;
	/* newest first: the highest sequence number wins */
	if (x->sqnum != y->sqnum)
		return x->sqnum > y->sqnum ? -1 : 1;
	return 0;
}

static void vol_file_name(const struct ubi *u, uint32_t vid, const uint8_t *first, char *buf,
			  size_t len)
{
	const char *ext = first && fv_get_le32(first) == 0x06101831u ? ".ubifs" : ".bin";
	const char *name = vid < MAX_VOLS && u->vols[vid].present ? u->vols[vid].name : NULL;
	if (!name || !strcmp(name, ".") || !strcmp(name, "..")) {
		snprintf(buf, len, "vol%u%s", vid, ext);
		return;
	}
	size_t j = 0;
	for (size_t i = 0; name[i] && j + 8 < len; i++) {
		char ch = name[i];
		int okc = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
			  ch == '.' || ch == '_' || ch == '-';
		buf[j++] = okc ? ch : '_';
	}
	buf[j] = 0;
	snprintf(buf + j, len - j, "%s", ext);
}

static int write_ff(struct fv_sink_file *f, uint64_t n)
{
	uint8_t ff_block[4096];
	memset(ff_block, 0xff, sizeof ff_block);
	while (n) {
		size_t k = n > sizeof ff_block ? sizeof ff_block : (size_t)n;
		int r = fv_sink_write(f, ff_block, k);
		if (r)
			return r;
		n -= k;
	}
	return 0;
}

/*
 * Writes volume vid from its mappings m[0..n), sorted by LEB with the newest
 * copy first.  Static volumes hold exactly data_size bytes per LEB;
 * dynamic ones whole LEBs, with unmapped LEBs read as erased flash.
 */
static int write_volume(struct fv_xctx *x, const struct ubi *u, uint32_t vid, const struct map *m,
			size_t n)
{
	uint32_t usable = u->leb;
	int is_static = 0;
	/* Hostile lnums cannot make us write much more padding than input. */
	uint32_t cap = u->npeb < (UINT32_MAX - 64) / 4 ? u->npeb * 4u + 64u : UINT32_MAX;
	if (vid < MAX_VOLS && u->vols[vid].present) {
		const struct vol *v = &u->vols[vid];
		if (v->data_pad < usable)
			usable -= v->data_pad;
		is_static = v->type == 2;
		if (v->reserved < cap)
			cap = v->reserved;
	}
	const uint8_t *first = peb_at(u, m[0].peb, u->ec.data_off, 4);
	char name[NAME_MAX_LEN + 16];
	vol_file_name(u, vid, m[0].lnum == 0 ? first : NULL, name, sizeof name);
	struct fv_attr a = { S_IFREG | 0644, 0, 0, 0 };
	struct fv_sink_file *f;
	int r = fv_sink_open(x, name, &a, &f);
	if (r == FV_EEXIST) {
		snprintf(name, sizeof name, "vol%u.bin", vid);
		r = fv_sink_open(x, name, &a, &f);
	}
	if (r)
		return r;
	int rc = 0;
	uint32_t next = 0; /* the next LEB to write */
	for (size_t i = 0; i < n && !r; i++) {
		if (i > 0 && m[i].lnum == m[i - 1].lnum)
			continue; /* an older copy */
		if (m[i].lnum >= cap) {
			fv_xctx_error(x, "volume %u LEB %u in PEB %u at 0x%llx: beyond the volume's %u LEBs", vid,
				      m[i].lnum, m[i].peb, (unsigned long long)m[i].peb * u->peb, cap);
			rc = FV_EFORMAT;
			break;
		}
		/* Among copies of one LEB, take the newest whose data checks
		 * when it was copied (a copy interrupted by power loss). */
		size_t j = i;
		struct vid v;
		const uint8_t *d = NULL;
		uint32_t len = usable;
		for (; j < n && m[j].lnum == m[i].lnum; j++) {
			if (read_vid(u, m[j].peb, &v) != VID_OK)
				continue;
			len = is_static || v.copy_flag ? v.data_size : usable;
			if (len > usable)
				len = usable;
			d = peb_at(u, m[j].peb, u->ec.data_off, len);
			if (!d) {
				/* The last PEB of a cut image: keep what is there, the
				 * rest reads as erased flash. */
				uint64_t s = (uint64_t)m[j].peb * u->peb + u->ec.data_off;
				fv_xctx_error(x, "volume %u LEB %u in PEB %u: data runs past the end of the image", vid,
					      m[j].lnum, m[j].peb);
				rc = FV_ETRUNC;
				if (s >= u->size)
					continue;
				if (len > u->size - s)
					len = (uint32_t)(u->size - s);
				d = u->p + s;
				break;
			}
			if ((is_static || v.copy_flag) && ubi_crc(d, len) != v.data_crc) {
				fv_xctx_error(x, "data CRC of volume %u LEB %u at 0x%llx: expected 0x%08x, found 0x%08x",
					      vid, m[j].lnum,
					      (unsigned long long)m[j].peb * u->peb + u->ec.data_off, v.data_crc,
					      ubi_crc(d, len));
				rc = FV_ECRC;
				if (v.copy_flag && j + 1 < n && m[j + 1].lnum == m[i].lnum) {
					d = NULL;
					continue;
				}
			}
			break;
		}
		if (!d)
			continue;
		if (m[i].lnum > next)
			r = write_ff(f, (uint64_t)(m[i].lnum - next) * (is_static ? 0 : usable));
		if (!r)
			r = fv_sink_write(f, d, len);
		if (!r && !is_static && len < usable)
			r = write_ff(f, usable - len);
		next = m[i].lnum + 1;
	}
	int c = fv_sink_close(f);
	if (r)
		return r;
	if (c)
		return c;
	return rc;
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	struct ubi *u = malloc(sizeof *u);
	if (!u)
		return FV_ENOMEM;
	int r = ubi_open(p, size, u);
	if (r) {
		free(u);
		fv_xctx_error(x, "UBI header at 0x0: expected an EC header followed by another at a power-of-two "
				 "distance");
		return r;
	}
	find_vtbl(u);
	int rc = 0;
	if (!u->have_vtbl) {
		fv_xctx_error(x, "volume table: expected a layout volume LEB with valid record CRCs, found none");
		rc = FV_EFORMAT;
	}
	struct map *m = calloc(u->npeb ? u->npeb : 1, sizeof *m);
	if (!m) {
		free(u);
		return FV_ENOMEM;
	}
	size_t n = 0;
	for (uint32_t i = 0; i < u->npeb; i++) {
		struct vid v;
		int k = read_vid(u, i, &v);
		if (k == VID_NONE)
			continue;
		if (k == VID_BAD) {
			if (!rc)
				fv_xctx_error(x, "VID header at 0x%llx: expected \"UBI!\" with a valid CRC",
					      (unsigned long long)i * u->peb + u->ec.vid_off);
			rc = rc ? rc : FV_ECRC;
			continue;
		}
		if (v.vol_id == LAYOUT_VOL)
			continue;
		if (v.vol_id >= MAX_VOLS) {
			if (!rc)
				fv_xctx_error(x, "VID header at 0x%llx: volume id %u is not a user volume",
					      (unsigned long long)i * u->peb + u->ec.vid_off, v.vol_id);
			rc = rc ? rc : FV_EFORMAT;
			continue;
		}
		m[n++] = (struct map){ v.vol_id, v.lnum, i, v.sqnum };
	}
	qsort(m, n, sizeof *m, map_cmp);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && m[j].vol == m[i].vol)
			j++;
		int w = write_volume(x, u, m[i].vol, m + i, j - i);
		if (w == FV_ELIMIT) {
			rc = w;
			break;
		}
		if (w && !rc)
			rc = w;
		i = j;
	}
	if (u->truncated && !rc) {
		fv_xctx_error(x, "PEB %u at 0x%llx: expected %u bytes, the image ends first", u->npeb - 1,
			      (unsigned long long)(u->npeb - 1) * u->peb, u->peb);
		rc = FV_ETRUNC;
	}
	free(m);
	free(u);
	return rc;
}

static const struct fv_magic magics[] = {
	{ "UBI#\\x01", 5, 0 },
	{ NULL, 0, 0 },
};

const struct fv_format fv_format_ubi = {
	"ubi",
	"UBI images: PEB size found, volume table and LEB mapping read, each volume extracted",
	magics, probe, extract,
	FV_FMT_RECORDS,
};
