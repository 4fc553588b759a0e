/*
 * romfs ("-rom1fs-"), the Linux ROM filesystem: big endian, 16-byte aligned.
 *
 * Header: magic, full size, a checksum making the big-endian words of the
 * first 512 bytes (or the whole image if smaller) sum to zero, and a
 * NUL-terminated volume name padded to 16.  Then file headers: next (the
 * next header in the same folder, its low 4 bits holding the type and the
 * exec bit), spec.info (per type: a folder's first entry, a hard link's
 * target header, a device's major<<16|minor), size, a checksum over the
 * header and name, the padded name, then the data.  Every folder lists "."
 * and ".." explicitly (genromfs writes them as a folder and a hard link
 * pointing back), so those names are skipped.  romfs has no owners and no
 * permissions: Linux shows files 0644, 0755 with the exec bit, folders
 * 0755, symlinks 0777, devices 0600; we do the same.
 *
 * Headers may point anywhere, so each is visited at most once (a bitmap
 * over 16-byte slots) and loops end with a message rather than a hang.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/format.h"
#include "unpack/sink.h"

#define MAX_DEPTH 64
#define T_HARD 0
#define T_DIR 1
#define T_REG 2
#define T_LNK 3
#define T_BLK 4
#define T_CHR 5
#define T_SOCK 6
#define T_FIFO 7

static size_t pad16(size_t n) { return (n + 15) & ~(size_t)15; }

static uint32_t sum_be32(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 4 <= n; i += 4)
		s += fv_get_be32(p + i);
	return s;
}

/* Offset of the first file header (after the padded volume name), or 0. */
static size_t first_header(const uint8_t *p, size_t n)
{
	size_t lim = n < 512 ? n : 512;
	if (lim <= 16)
		return 0;
	const void *z = memchr(p + 16, 0, lim - 16);
	if (!z)
		return 0;
	return pad16((size_t)((const uint8_t *)z - p) + 1);
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	if (avail < 32)
		return FV_ETRUNC;
	if (memcmp(p, "-rom1fs-", 8) != 0)
		return FV_EFORMAT;
	uint32_t full = fv_get_be32(p + 8);
	size_t fh = first_header(p, full < avail ? full : avail);
	if (full < 32 || (full & 15) || !fh || fh > full)
		return FV_EFORMAT;
	size_t ck = full < 512 ? full : 512;
	if (ck > avail)
		return FV_ETRUNC;
	/* The kernel refuses an image whose header checksum fails, and the
	 * magic is also a string in every kernel with romfs built in. */
	if (sum_be32(p, ck) != 0)
		return FV_ECRC;
	char vol[64];
	size_t k = 0;
	for (size_t i = 16; p[i] && k + 1 < sizeof vol; i++)
		vol[k++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	vol[k] = 0;
	out->size = full;
	out->conf = FV_CONF_HIGH;
	if (full > avail) {
		out->size = avail;
		out->truncated = 1;
		out->conf = FV_CONF_LOW;
	}
	fv_probe_desc(out, "romfs, %u bytes, volume \"%s\", checksum ok", full, vol);
	return 0;
}

struct link {
	char *path;
	uint32_t target;
};

struct walk {
	struct fv_xctx *x;
	const uint8_t *p;
	size_t len;
	uint8_t *seen;   /* one bit per 16-byte slot */
	char **written;  /* path written for the regular file at slot i */
	struct link *links;
	size_t nlinks, caplinks;
	int rc, stop;
};

static void fail(struct walk *w, int rc)
{
	if (!w->rc)
		w->rc = rc;
	if (rc == FV_ELIMIT || rc == FV_ENOMEM)
		w->stop = 1;
}

static int defer_link(struct walk *w, const char *path, uint32_t target)
{
	if (w->nlinks == w->caplinks) {
		size_t cap = w->caplinks ? w->caplinks * 2 : 16;
		struct link *n = realloc(w->links, cap * sizeof *n);
		if (!n)
			return FV_ENOMEM;
		w->links = n;
		w->caplinks = cap;
	}
	char *d = strdup(path);
	if (!d)
		return FV_ENOMEM;
	w->links[w->nlinks].path = d;
	w->links[w->nlinks++].target = target;
	return 0;
}

static void walk_dir(struct walk *w, uint32_t off, const char *prefix, unsigned depth);

/* One header at off; returns the next header's offset (0 ends the folder). */
static uint32_t entry(struct walk *w, uint32_t off, const char *prefix, unsigned depth)
{
	const char *where = *prefix ? prefix : "/";
	if ((off & 15) || off < 16 || off > w->len || w->len - off < 32) {
		fv_xctx_error(w->x, "%s: file header at 0x%x: expected an aligned header inside the image",
			      where, off);
		fail(w, FV_EFORMAT);
		return 0;
	}
	size_t slot = off / 16;
	if (w->seen[slot / 8] & (1u << (slot % 8))) {
		fv_xctx_error(w->x, "%s: file header at 0x%x visited twice (a loop); stopped", where, off);
		fail(w, FV_EFORMAT);
		return 0;
	}
	w->seen[slot / 8] |= (uint8_t)(1u << (slot % 8));
	const uint8_t *h = w->p + off;
	uint32_t next = fv_get_be32(h), spec = fv_get_be32(h + 4), size = fv_get_be32(h + 8);
	const char *name = (const char *)h + 16;
	size_t room = w->len - off - 16;
	size_t nl = strnlen(name, room);
	if (nl == room) {
		fv_xctx_error(w->x, "%s: file header at 0x%x: name not terminated", where, off);
		fail(w, FV_EFORMAT);
		return 0;
	}
	size_t meta = 16 + pad16(nl + 1);
	if (sum_be32(h, meta) != 0)
		fv_xctx_error(w->x, "%s: file header at 0x%x: checksum of header and name does not sum to "
			      "zero", where, off);
	size_t data = off + meta;
	unsigned type = next & 7;
	int exec = (next & 8) != 0;
	next &= ~15u;
	if ((nl == 1 && name[0] == '.') || (nl == 2 && name[0] == '.' && name[1] == '.'))
		return next;
	if (nl == 0) {
		fv_xctx_error(w->x, "%s: file header at 0x%x: empty name; skipped", where, off);
		fail(w, FV_EFORMAT);
		return next;
	}
	char path[4096];
	int k = snprintf(path, sizeof path, "%s%s%.*s", prefix, *prefix ? "/" : "", (int)nl, name);
	if (k < 0 || (size_t)k >= sizeof path) {
		fv_xctx_error(w->x, "%s: path longer than 4095 bytes; skipped", where);
		fail(w, FV_EFORMAT);
		return next;
	}
	struct fv_attr a = { 0, 0, 0, 0 };
	int rc = 0;
	int has_data = type == T_REG || type == T_LNK;
	if (has_data && (data > w->len || size > w->len - data)) {
		fv_xctx_error(w->x, "%s: data at 0x%zx+0x%x lies outside the image", path, data, size);
		fail(w, FV_ETRUNC);
		return next;
	}
	switch (type) {
	case T_HARD:
		rc = defer_link(w, path, spec);
		break;
	case T_DIR:
		a.mode = S_IFDIR | 0755;
		rc = fv_sink_dir(w->x, path, &a);
		if (rc == FV_ELIMIT)
			break;
		if (depth + 1 >= MAX_DEPTH) {
			fv_xctx_error(w->x, "%s: folders nested deeper than %d; not entered", path, MAX_DEPTH);
			rc = FV_EFORMAT;
			break;
		}
		walk_dir(w, spec & ~15u, path, depth + 1);
		break;
	case T_REG:
		a.mode = S_IFREG | (exec ? 0755 : 0644);
		rc = fv_sink_file(w->x, path, &a, w->p + data, size);
		if (!rc && !w->written[slot])
			w->written[slot] = strdup(path);
		break;
	case T_LNK: {
		char *t = strndup((const char *)w->p + data, size);
		if (!t) {
			rc = FV_ENOMEM;
			break;
		}
		a.mode = S_IFLNK | 0777;
		rc = fv_sink_symlink(w->x, path, t, &a);
		free(t);
		break;
	}
	case T_BLK:
	case T_CHR:
		a.mode = (type == T_BLK ? S_IFBLK : S_IFCHR) | 0600;
		rc = fv_sink_special(w->x, path, &a, makedev(spec >> 16, spec & 0xffff));
		break;
	default:
		a.mode = (type == T_SOCK ? S_IFSOCK : S_IFIFO) | 0644;
		rc = fv_sink_special(w->x, path, &a, 0);
	}
	if (rc)
		fail(w, rc);
	return next;
}

static void walk_dir(struct walk *w, uint32_t off, const char *prefix, unsigned depth)
{
	/* Each header is visited once, so the chain ends within len/16 steps. */
	while (off && !w->stop)
		off = entry(w, off, prefix, depth);
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	struct fv_probe pr;
	memset(&pr, 0, sizeof pr);
	int rc = probe(p, size, &pr);
	if (rc) {
		fv_xctx_error(x, "header at 0x0: expected a romfs header with a valid checksum (%s)",
			      fv_strerror(rc));
		return rc;
	}
	uint32_t full = fv_get_be32(p + 8);
	struct walk w;
	memset(&w, 0, sizeof w);
	w.x = x;
	w.p = p;
	w.len = full < size ? full : size;
	size_t slots = w.len / 16 + 1;
	w.seen = calloc(slots / 8 + 1, 1);
	w.written = calloc(slots, sizeof *w.written);
	if (!w.seen || !w.written) {
		free(w.seen);
		free(w.written);
		return FV_ENOMEM;
	}
	walk_dir(&w, (uint32_t)first_header(p, w.len), "", 0);
	/* Hard links last, so that a link may name a file listed after it. */
	for (size_t i = 0; i < w.nlinks; i++) {
		uint32_t t = w.links[i].target;
		const char *target = (t % 16 == 0 && t / 16 < slots) ? w.written[t / 16] : NULL;
		if (!w.stop) {
			if (target) {
				int r = fv_sink_hardlink(x, w.links[i].path, target);
				if (r)
					fail(&w, r);
			} else {
				fv_xctx_error(x, "%s: hard link to header 0x%x, which is not a regular file "
					      "that was extracted", w.links[i].path, t);
				fail(&w, FV_EFORMAT);
			}
		}
		free(w.links[i].path);
	}
	free(w.links);
	for (size_t i = 0; i < slots; i++)
		free(w.written[i]);
	free(w.written);
	free(w.seen);
	if (!w.rc && full > size) {
		fv_xctx_error(x, "header at 0x8: image of %u bytes, only %zu present", full, size);
		return FV_ETRUNC;
	}
	return w.rc;
}

static const struct fv_magic magics[] = {
	{ "-rom1fs-", 8, 0 },
	{ NULL, 0, 0 },
};

const struct fv_format fv_format_romfs = {
	"romfs",
	"Linux romfs: files, folders, hard links, symlinks, devices; checksums verified",
	magics, probe, extract,
	0,
};
