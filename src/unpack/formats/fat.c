/*
 * FAT12/16/32 with long file names: our own reader.
 *
 * The FAT type follows from the cluster count alone (Microsoft's rule), never
 * from the "FAT16   " string, which formatters fill in freely.  Every cluster
 * chain is walked at most cluster-count steps, so a loop in the FAT ends as
 * a reported error, and a cluster is read at most once in the whole volume,
 * which catches loops inside a file's size, cross-linked files and
 * directory cycles alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/format.h"
#include "unpack/sink.h"

#define MAX_DEPTH 64
#define MAX_DIR_BYTES (65536u * 32u) /* the most entries a FAT directory may hold */
#define LFN_MAX 20                   /* 0x14 LFN entries: 260 UTF-16 units */

struct bpb {
	uint32_t bps, spc, rsvd, nfats, rootent, total, fatsz, rootsecs, first_data;
	uint32_t count, root_clus, type, media;
	uint64_t size, clus_bytes;
	const uint8_t *label; /* 11 bytes or NULL */
};

static void human_size(uint64_t n, char *buf, size_t len)
{
	if (n < 1024)
		snprintf(buf, len, "%llu bytes", (unsigned long long)n);
	else if (n < 1024 * 1024)
		snprintf(buf, len, "%.1f KiB", n / 1024.0);
	else if (n < 1024ull * 1024 * 1024)
		snprintf(buf, len, "%.1f MiB", n / (1024.0 * 1024));
	else
		snprintf(buf, len, "%.1f GiB", n / (1024.0 * 1024 * 1024));
}

static int pow2(uint32_t v) { return v && !(v & (v - 1)); }

static int parse_bpb(const uint8_t *p, size_t avail, struct bpb *b)
{
	if (avail < 512)
		return FV_ETRUNC;
	if (!((p[0] == 0xEB && p[2] == 0x90) || p[0] == 0xE9) || p[510] != 0x55 || p[511] != 0xAA)
		return FV_EFORMAT;
	memset(b, 0, sizeof *b);
	b->bps = fv_get_le16(p + 11);
	b->spc = p[13];
	b->rsvd = fv_get_le16(p + 14);
	b->nfats = p[16];
	b->rootent = fv_get_le16(p + 17);
	b->total = fv_get_le16(p + 19) ? fv_get_le16(p + 19) : fv_get_le32(p + 32);
	b->media = p[21];
	b->fatsz = fv_get_le16(p + 22) ? fv_get_le16(p + 22) : fv_get_le32(p + 36);
	if (b->bps < 512 || b->bps > 4096 || !pow2(b->bps) || !pow2(b->spc) || b->rsvd == 0 ||
	    b->nfats < 1 || b->nfats > 4 || b->fatsz == 0 || b->total == 0 ||
	    (b->media != 0xF0 && b->media < 0xF8))
		return FV_EFORMAT;
	b->rootsecs = (b->rootent * 32 + b->bps - 1) / b->bps;
	uint64_t meta = (uint64_t)b->rsvd + (uint64_t)b->nfats * b->fatsz + b->rootsecs;
	if (meta >= b->total)
		return FV_EFORMAT;
	b->first_data = (uint32_t)meta;
	b->count = (b->total - b->first_data) / b->spc;
	b->type = b->count < 4085 ? 12 : b->count < 65525 ? 16 : 32;
	if (b->count == 0)
		return FV_EFORMAT;
	/* The FAT must have an entry for every cluster. */
	if ((uint64_t)b->fatsz * b->bps * 8 < ((uint64_t)b->count + 2) * b->type)
		return FV_EFORMAT;
	if (b->type == 32) {
		if (b->rootent != 0 || fv_get_le16(p + 22) != 0)
			return FV_EFORMAT;
		b->root_clus = fv_get_le32(p + 44);
		if (b->root_clus < 2 || b->root_clus >= b->count + 2)
			return FV_EFORMAT;
		if (p[66] == 0x29)
			b->label = p + 71;
	} else {
		if (b->rootent == 0)
			return FV_EFORMAT;
		if (p[38] == 0x29)
			b->label = p + 43;
	}
	b->size = (uint64_t)b->total * b->bps;
	b->clus_bytes = (uint64_t)b->spc * b->bps;
	return 0;
}

static void trim_label(char *dst, const uint8_t *src, size_t n)
{
	size_t j = 0;
	for (size_t i = 0; i < n; i++)
		dst[j++] = src[i] >= 0x20 && src[i] < 0x7f && src[i] != '"' ? (char)src[i] : '?';
	while (j && dst[j - 1] == ' ')
		j--;
	dst[j] = 0;
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	struct bpb b;
	int r = parse_bpb(p, avail, &b);
	if (r)
		return r;
	/* FAT[0] repeats the media byte in its low byte. */
	uint64_t fat0 = (uint64_t)b.rsvd * b.bps;
	if (fat0 < avail && p[fat0] != b.media)
		return FV_EFORMAT;
	out->conf = fat0 < avail ? FV_CONF_HIGH : FV_CONF_MEDIUM;
	out->size = b.size;
	if (b.size > avail) {
		out->size = avail;
		out->truncated = 1;
		out->conf = FV_CONF_MEDIUM;
	}
	char oem[9], lab[12], sz[32];
	trim_label(oem, p + 3, 8);
	human_size(b.size, sz, sizeof sz);
	fv_probe_desc(out, "FAT%u filesystem, OEM \"%s\"", b.type, oem);
	if (b.label) {
		trim_label(lab, b.label, 11);
		if (lab[0] && strcmp(lab, "NO NAME") != 0)
			fv_probe_desc(out, ", volume \"%s\"", lab);
	}
	fv_probe_desc(out, ", %s, cluster size %llu, %u clusters", sz,
		      (unsigned long long)b.clus_bytes, b.count);
	return 0;
}

/* ---- extraction ---------------------------------------------------------- */

struct fx {
	struct fv_xctx *x;
	const uint8_t *p;
	size_t size;
	struct bpb b;
	uint8_t *used; /* clusters already read: each belongs to one chain only */
	int errors, stop;
};

#define FX_ERR(f, ...)                                                                             \
	do {                                                                                       \
		(f)->errors++;                                                                     \
		fv_xctx_error((f)->x, __VA_ARGS__);                                                \
	} while (0)

static int sink_rc(struct fx *f, int r)
{
	if (r == FV_ELIMIT)
		f->stop = 1;
	else if (r != 0)
		f->errors++;
	return r;
}

/* The FAT entry of cluster c from the first FAT; UINT32_MAX if unreadable. */
static uint32_t fat_next(const struct fx *f, uint32_t c)
{
	uint64_t base = (uint64_t)f->b.rsvd * f->b.bps, off;
	switch (f->b.type) {
	case 12:
		off = base + c + c / 2;
		if (off + 2 > f->size)
			return UINT32_MAX;
		return c & 1 ? fv_get_le16(f->p + off) >> 4 : fv_get_le16(f->p + off) & 0xfff;
	case 16:
		off = base + (uint64_t)c * 2;
		return off + 2 > f->size ? UINT32_MAX : fv_get_le16(f->p + off);
	default:
		off = base + (uint64_t)c * 4;
		return off + 4 > f->size ? UINT32_MAX : fv_get_le32(f->p + off) & 0x0fffffff;
	}
}

static int is_eoc(const struct fx *f, uint32_t v)
{
	return v >= (f->b.type == 12 ? 0xff8u : f->b.type == 16 ? 0xfff8u : 0x0ffffff8u);
}

static int valid_clus(const struct fx *f, uint32_t c) { return c >= 2 && c < f->b.count + 2; }

/* Bytes of cluster c inside the chunk (may be short when truncated). */
static const uint8_t *clus_ptr(const struct fx *f, uint32_t c, size_t *len)
{
	uint64_t off = ((uint64_t)f->b.first_data + (uint64_t)(c - 2) * f->b.spc) * f->b.bps;
	if (off >= f->size) {
		*len = 0;
		return NULL;
	}
	uint64_t n = f->size - off < f->b.clus_bytes ? f->size - off : f->b.clus_bytes;
	*len = (size_t)n;
	return f->p + off;
}

/*
 * Walks the chain from c and calls fn for each cluster's bytes until fn
 * returns nonzero or max bytes were handed over.  Returns 0 when the chain
 * covered max (or ended cleanly with max == UINT64_MAX), -1 after reporting.
 */
typedef int (*clus_fn)(void *arg, const uint8_t *d, size_t n);

static int follow(struct fx *f, uint32_t c, uint64_t max, const char *path, clus_fn fn, void *arg)
{
	uint64_t done = 0;
	for (uint64_t steps = 0; done < max; steps++) {
		if (steps > f->b.count) {
			FX_ERR(f, "/%s: cluster chain longer than the %u clusters of the volume: a loop",
			       path, f->b.count);
			return -1;
		}
		if (!valid_clus(f, c)) {
			if (max == UINT64_MAX && is_eoc(f, c) && steps > 0)
				return 0;
			FX_ERR(f, "/%s: cluster %u after 0x%llx bytes: expected a cluster in 2..%u%s",
			       path, c, (unsigned long long)done, f->b.count + 1,
			       is_eoc(f, c) ? " (chain ends before the file does)" : "");
			return -1;
		}
		if (f->used[c / 8] & (1u << (c % 8))) {
			FX_ERR(f, "/%s: cluster %u after 0x%llx bytes was already read: a loop or a "
				  "cross-linked chain",
			       path, c, (unsigned long long)done);
			return -1;
		}
		f->used[c / 8] |= (uint8_t)(1u << (c % 8));
		size_t n;
		const uint8_t *d = clus_ptr(f, c, &n);
		if (n < f->b.clus_bytes && max - done > n) {
			FX_ERR(f, "/%s: cluster %u at 0x%llx lies past the end of the image (0x%zx)", path,
			       c,
			       (unsigned long long)(((uint64_t)f->b.first_data +
						     (uint64_t)(c - 2) * f->b.spc) *
						    f->b.bps),
			       f->size);
			return -1;
		}
		if (n > max - done)
			n = (size_t)(max - done);
		if (fn(arg, d, n))
			return -1;
		done += n;
		if (done >= max)
			break;
		uint32_t nx = fat_next(f, c);
		if (nx == UINT32_MAX) {
			FX_ERR(f, "/%s: FAT entry of cluster %u lies past the end of the image", path, c);
			return -1;
		}
		c = nx;
	}
	return 0;
}

struct dbuf {
	uint8_t *p;
	size_t len;
};

static int dir_append(void *arg, const uint8_t *d, size_t n)
{
	struct dbuf *b = arg;
	if (b->len + n > MAX_DIR_BYTES)
		return 1;
	uint8_t *q = realloc(b->p, b->len + n);
	if (!q)
		return 1;
	memcpy(q + b->len, d, n);
	b->p = q;
	b->len += n;
	return 0;
}

struct wr {
	struct fx *f;
	struct fv_sink_file *sf;
};

static int file_append(void *arg, const uint8_t *d, size_t n)
{
	struct wr *w = arg;
	int r = fv_sink_write(w->sf, d, n);
	if (r) {
		sink_rc(w->f, r);
		return 1;
	}
	return 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | cp >> 6), o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | cp >> 12), o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | cp >> 18), o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* UTF-16LE units to UTF-8; lone surrogates become U+FFFD. */
static void utf16_to_utf8(const uint16_t *u, size_t n, char *out, size_t cap)
{
	size_t j = 0;
	for (size_t i = 0; i < n && u[i] && j + 5 < cap; i++) {
		uint32_t cp = u[i];
		if (cp >= 0xD800 && cp < 0xDC00 && i + 1 < n && u[i + 1] >= 0xDC00 && u[i + 1] < 0xE000) {
			cp = 0x10000 + ((cp - 0xD800) << 10) + (u[i + 1] - 0xDC00);
			i++;
		} else if (cp >= 0xD800 && cp < 0xE000) {
			cp = 0xFFFD;
		}
		j += put_utf8(out + j, cp);
	}
	out[j] = 0;
}

static uint8_t sfn_sum(const uint8_t *n)
{
	uint8_t s = 0;
	for (int i = 0; i < 11; i++)
		s = (uint8_t)(((s & 1) << 7) + (s >> 1) + n[i]);
	return s;
}

static void short_name(const uint8_t *e, char *out)
{
	size_t j = 0;
	int lb = e[12] & 0x08, le = e[12] & 0x10;
	for (int i = 0; i < 8; i++) {
		uint8_t c = i == 0 && e[0] == 0x05 ? 0xE5 : e[i];
		if (c == ' ')
			continue;
		out[j++] = c >= 0x80 || c < 0x20 ? '_' : lb && c >= 'A' && c <= 'Z' ? (char)(c + 32) : (char)c;
	}
	size_t dot = j;
	for (int i = 8; i < 11; i++) {
		uint8_t c = e[i];
		if (c == ' ')
			continue;
		if (j == dot)
			out[j++] = '.';
		out[j++] = c >= 0x80 || c < 0x20 ? '_' : le && c >= 'A' && c <= 'Z' ? (char)(c + 32) : (char)c;
	}
	out[j] = 0;
}

static int64_t dos_time(uint16_t d, uint16_t t)
{
	struct tm tm = { 0 };
	tm.tm_year = 80 + (d >> 9);
	tm.tm_mon = ((d >> 5) & 15) - 1;
	tm.tm_mday = d & 31;
	tm.tm_hour = t >> 11;
	tm.tm_min = (t >> 5) & 63;
	tm.tm_sec = (t & 31) * 2;
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday == 0)
		return 0;
	return (int64_t)timegm(&tm);
}

static void walk(struct fx *f, const uint8_t *d, size_t len, const char *dpath, unsigned depth);

static void list_dir(struct fx *f, uint32_t c, const char *path, unsigned depth)
{
	if (depth > MAX_DEPTH) {
		FX_ERR(f, "/%s: directories nested deeper than %d levels", path, MAX_DEPTH);
		return;
	}
	if (!valid_clus(f, c)) {
		FX_ERR(f, "/%s: directory starts at cluster %u, expected 2..%u", path, c,
		       f->b.count + 1);
		return;
	}
	struct dbuf b = { 0 };
	follow(f, c, UINT64_MAX, path, dir_append, &b);
	if (b.len)
		walk(f, b.p, b.len, path, depth);
	free(b.p);
}

static void walk(struct fx *f, const uint8_t *d, size_t len, const char *dpath, unsigned depth)
{
	uint16_t lfn[LFN_MAX * 13 + 1];
	int lfn_n = 0, lfn_next = 0; /* entries in the sequence, next ordinal expected */
	uint8_t lfn_sum = 0;
	for (size_t off = 0; off + 32 <= len && !f->stop; off += 32) {
		const uint8_t *e = d + off;
		if (e[0] == 0x00)
			break;
		if (e[0] == 0xE5) {
			lfn_next = 0;
			continue;
		}
		uint8_t attr = e[11];
		if ((attr & 0x3F) == 0x0F) {
			unsigned ord = e[0] & 0x1F;
			if (e[0] & 0x40) {
				if (ord == 0 || ord > LFN_MAX) {
					lfn_next = 0;
					continue;
				}
				lfn_n = (int)ord;
				lfn_sum = e[13];
				memset(lfn, 0, sizeof lfn);
			} else if (lfn_next == 0 || (int)ord != lfn_next || e[13] != lfn_sum) {
				lfn_next = 0;
				continue;
			}
			static const uint8_t pos[13] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };
			for (int i = 0; i < 13; i++)
				lfn[(ord - 1) * 13 + i] = fv_get_le16(e + pos[i]);
			lfn_next = (int)ord - 1;
			continue;
		}
		int have_lfn = lfn_n && lfn_next == 0 && lfn_sum == sfn_sum(e);
		int was_seq = lfn_n;
		lfn_n = 0, lfn_next = 0;
		if (attr & 0x08)
			continue; /* volume label */
		if (e[0] == '.' && (e[1] == ' ' || (e[1] == '.' && e[2] == ' ')))
			continue;
		char name[LFN_MAX * 13 * 4 + 8];
		if (have_lfn)
			utf16_to_utf8(lfn, LFN_MAX * 13, name, sizeof name);
		else
			short_name(e, name);
		(void)was_seq;
		if (!name[0] || strchr(name, '/')) {
			FX_ERR(f, "/%s: directory entry at 0x%zx: name \"%s\" is empty or holds a '/'",
			       dpath, off, name);
			continue;
		}
		size_t pl = strlen(dpath), nl = strlen(name);
		char *path = malloc(pl + nl + 2);
		if (!path) {
			f->stop = 1;
			return;
		}
		if (pl)
			memcpy(path, dpath, pl), path[pl] = '/', memcpy(path + pl + 1, name, nl + 1);
		else
			memcpy(path, name, nl + 1);
		uint32_t clus = fv_get_le16(e + 26);
		if (f->b.type == 32)
			clus |= (uint32_t)fv_get_le16(e + 20) << 16;
		uint32_t size = fv_get_le32(e + 28);
		struct fv_attr a = { 0 };
		a.mtime = dos_time(fv_get_le16(e + 24), fv_get_le16(e + 22));
		if (attr & 0x10) {
			a.mode = S_IFDIR | 0755;
			if (sink_rc(f, fv_sink_dir(f->x, path, &a)) == 0)
				list_dir(f, clus, path, depth + 1);
		} else {
			a.mode = S_IFREG | (attr & 0x01 ? 0444 : 0644);
			struct fv_sink_file *sf;
			if (sink_rc(f, fv_sink_open(f->x, path, &a, &sf)) == 0) {
				struct wr w = { f, sf };
				if (size)
					follow(f, clus, size, path, file_append, &w);
				sink_rc(f, fv_sink_close(sf));
			}
		}
		free(path);
	}
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	struct fx f = { 0 };
	f.x = x;
	f.p = p;
	f.size = size;
	int r = parse_bpb(p, size, &f.b);
	if (r) {
		fv_xctx_error(x, "boot sector at 0x0: not a consistent FAT BPB");
		return r;
	}
	f.used = calloc((size_t)f.b.count / 8 + 2, 1);
	if (!f.used)
		return FV_ENOMEM;
	if (f.b.type == 32) {
		list_dir(&f, f.b.root_clus, "", 0);
	} else {
		uint64_t off = ((uint64_t)f.b.rsvd + (uint64_t)f.b.nfats * f.b.fatsz) * f.b.bps;
		uint64_t len = (uint64_t)f.b.rootent * 32;
		if (off >= size) {
			fv_xctx_error(x, "root directory at 0x%llx: the image ends at 0x%zx",
				      (unsigned long long)off, size);
			free(f.used);
			return FV_ETRUNC;
		}
		if (len > size - off) {
			FX_ERR(&f, "root directory at 0x%llx: %llu bytes expected, %llu present",
			       (unsigned long long)off, (unsigned long long)len,
			       (unsigned long long)(size - off));
			len = size - off;
		}
		walk(&f, p + off, (size_t)len, "", 0);
	}
	free(f.used);
	if (f.stop)
		return FV_ELIMIT;
	return f.errors ? FV_EFORMAT : 0;
}

/*
 * The 0x55AA signature alone is far too common; the boot sector's start is
 * specific: a short jump over the BPB (to 0x3E for FAT12/16, 0x5A for
 * FAT32), NOP, the OEM name, then a power-of-two sector size of 512..4096
 * and sectors per cluster.
 */
static const struct fv_magic magics[] = {
	{ "\\xEB[\\x3C\\x58]\\x90.{8}\\x00[\\x02\\x04\\x08\\x10][\\x01\\x02\\x04\\x08\\x10\\x20\\x40\\x80]",
	  14, 0 },
	{ NULL, 0, 0 },
};

const struct fv_format fv_format_fat = {
	"fat",
	"FAT12/16/32 with long file names (our own reader)",
	magics, probe, extract,
	0,
};
