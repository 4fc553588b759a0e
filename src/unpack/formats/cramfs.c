/*
 * cramfs, both byte orders.
 *
 * A 76-byte superblock (magic, size, flags, "Compressed ROMFS", CRC,
 * edition, block and file counts, volume name, root inode), then 12-byte
 * inodes whose bit fields are packed by the compiler of the machine that
 * wrote the image: on little endian the first field sits in the low bits of
 * each word, on big endian in the high bits, so the same struct yields two
 * layouts.  A file's data is a table of 32-bit block pointers (each the end
 * of its block) followed by zlib blocks of 4096 bytes each once inflated.
 * A block of length zero is a hole.  Newer kernels (flag
 * EXT_BLOCK_POINTERS) use the top two pointer bits: uncompressed blocks, and
 * "direct" pointers that give a block's start (>> 2) rather than its end.
 *
 * mkcramfs -p leaves 512 bytes for a boot loader before the superblock, and
 * every offset and the size count from the start of that pad.  The chunk
 * starts at the magic, so such images are read with offsets shifted by 512;
 * their CRC covers the superblock onwards, as util-linux computes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <zlib.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/format.h"
#include "unpack/sink.h"

#define SB_SIZE 76
#define BOOT_PAD 512
#define PAGE 4096u
#define MAX_DEPTH 64

#define F_VERSION_2 0x1u
#define F_SORTED_DIRS 0x2u
#define F_HOLES 0x100u
#define F_WRONG_SIGNATURE 0x200u
#define F_SHIFTED_ROOT 0x400u
#define F_EXT_BLOCK_PTRS 0x800u
#define F_SUPPORTED (0xffu | F_HOLES | F_WRONG_SIGNATURE | F_SHIFTED_ROOT | F_EXT_BLOCK_PTRS)

#define BLK_UNCOMPRESSED (1u << 31)
#define BLK_DIRECT (1u << 30)
#define BLK_FLAGS (BLK_UNCOMPRESSED | BLK_DIRECT)

struct inode {
	uint32_t mode, uid, size, gid, namelen, off;
};

struct sb {
	int be;
	uint32_t size, flags, crc, edition, blocks, files;
	size_t shift;     /* BOOT_PAD when offsets count from a pad before the chunk */
	uint64_t chunk;   /* bytes of the chunk: size - shift */
	char name[17];
	struct inode root;
};

static uint32_t rd32(const uint8_t *b, int be) { return be ? fv_get_be32(b) : fv_get_le32(b); }
static uint16_t rd16(const uint8_t *b, int be) { return be ? fv_get_be16(b) : fv_get_le16(b); }

static void parse_inode(const uint8_t *b, int be, struct inode *i)
{
	uint32_t w0 = rd32(b, be), w1 = rd32(b + 4, be), w2 = rd32(b + 8, be);
	if (be) {
		i->mode = w0 >> 16;
		i->uid = w0 & 0xffff;
		i->size = w1 >> 8;
		i->gid = w1 & 0xff;
		i->namelen = w2 >> 26;
		i->off = w2 & 0x3ffffff;
	} else {
		i->mode = w0 & 0xffff;
		i->uid = w0 >> 16;
		i->size = w1 & 0xffffff;
		i->gid = w1 >> 24;
		i->namelen = w2 & 0x3f;
		i->off = w2 >> 6;
	}
}

static int parse_sb(const uint8_t *p, size_t avail, struct sb *s)
{
	if (avail < SB_SIZE)
		return FV_ETRUNC;
	if (fv_get_le32(p) == 0x28cd3d45)
		s->be = 0;
	else if (fv_get_be32(p) == 0x28cd3d45)
		s->be = 1;
	else
		return FV_EFORMAT;
	if (memcmp(p + 16, "Compressed ROMFS", 16) != 0)
		return FV_EFORMAT;
	s->size = rd32(p + 4, s->be);
	s->flags = rd32(p + 8, s->be);
	s->crc = rd32(p + 32, s->be);
	s->edition = rd32(p + 36, s->be);
	s->blocks = rd32(p + 40, s->be);
	s->files = rd32(p + 44, s->be);
	size_t n = 0;
	for (size_t i = 0; i < 16 && p[48 + i]; i++)
		s->name[n++] = (p[48 + i] >= 0x20 && p[48 + i] < 0x7f) ? (char)p[48 + i] : '?';
	s->name[n] = 0;
	parse_inode(p + 64, s->be, &s->root);
	if (s->flags & ~F_SUPPORTED)
		return FV_EFORMAT;
	if (!S_ISDIR(s->root.mode))
		return FV_EFORMAT;
	uint64_t root = (uint64_t)s->root.off << 2;
	s->shift = 0;
	if (root == BOOT_PAD + SB_SIZE)
		s->shift = BOOT_PAD;
	else if (root != SB_SIZE && root != 0 && !(s->flags & F_SHIFTED_ROOT))
		return FV_EFORMAT;
	/* Version 1 images leave the size field to chance; the kernel then
	 * assumes 256 MiB and we bound the walk by what is there. */
	if (!(s->flags & F_VERSION_2)) {
		s->chunk = 0;
		return 0;
	}
	if (s->size < s->shift + SB_SIZE || s->files == 0)
		return FV_EFORMAT;
	s->chunk = s->size - s->shift;
	if (root && (root < s->shift || root - s->shift + s->root.size > s->chunk))
		return FV_EFORMAT;
	return 0;
}

/* From the superblock on, pad excluded, as mkfs.cramfs and fsck.cramfs do. */
static uint32_t image_crc(const uint8_t *p, size_t n)
{
	static const uint8_t zeros[4];
	uLong c = crc32(0L, Z_NULL, 0);
	c = crc32(c, p, 32);
	c = crc32(c, zeros, 4);
	for (size_t off = 36; off < n;) {
		size_t k = n - off > (1u << 30) ? (1u << 30) : n - off;
		c = crc32(c, p + off, (uInt)k);
		off += k;
	}
	return (uint32_t)c;
}

static void describe(struct fv_probe *out, const struct sb *s, const char *crc)
{
	fv_probe_desc(out, "cramfs %s endian, %s, edition %u, %llu bytes, %u files", s->be ? "big" : "little",
		      (s->flags & F_VERSION_2) ? "version 2" : "version 1", s->edition,
		      (unsigned long long)s->chunk, s->files);
	if (s->flags & F_HOLES)
		fv_probe_desc(out, ", holes");
	if (s->flags & F_EXT_BLOCK_PTRS)
		fv_probe_desc(out, ", extended block pointers");
	if (s->shift)
		fv_probe_desc(out, ", after a 512-byte boot pad");
	else if (s->flags & F_SHIFTED_ROOT)
		fv_probe_desc(out, ", shifted root offset");
	fv_probe_desc(out, ", %s, name \"%s\"", crc, s->name);
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	struct sb s;
	int rc = parse_sb(p, avail, &s);
	if (rc)
		return rc;
	if (!(s.flags & F_VERSION_2)) {
		/* No CRC, and a size field the kernel ignores: trust it when it
		 * fits, else claim what the root directory needs. */
		uint64_t end = ((uint64_t)s.root.off << 2) + s.root.size;
		if (end < SB_SIZE + s.shift || end - s.shift > avail)
			return FV_EFORMAT;
		if (s.size >= end && s.size - s.shift <= avail)
			end = s.size;
		s.chunk = end - s.shift;
		out->size = s.chunk;
		out->conf = FV_CONF_LOW;
		describe(out, &s, "no CRC");
		return 0;
	}
	out->size = s.chunk;
	out->conf = FV_CONF_HIGH;
	if (s.chunk > avail) {
		out->size = avail;
		out->truncated = 1;
		out->conf = FV_CONF_LOW;
		describe(out, &s, "CRC not checked (truncated)");
		return 0;
	}
	uint32_t c = image_crc(p, (size_t)s.chunk);
	char crc[80];
	if (c == s.crc) {
		snprintf(crc, sizeof crc, "CRC ok");
	} else {
		snprintf(crc, sizeof crc, "CRC bad (stored 0x%08x, computed 0x%08x)", s.crc, c);
		out->conf = FV_CONF_LOW;
	}
	describe(out, &s, crc);
	return 0;
}

struct walk {
	struct fv_xctx *x;
	const uint8_t *p;
	size_t len;       /* readable bytes of the chunk */
	size_t shift;
	int be, ext;
	uint64_t budget;  /* inodes still allowed: bounds loops and fan-out */
	int rc, stop;
	z_stream z;
	int zinit;
	uint8_t out[PAGE];
	char link[PAGE + 1]; /* here rather than on the stack of a deep walk */
};

static void fail(struct walk *w, int rc)
{
	if (!w->rc)
		w->rc = rc;
	if (rc == FV_ELIMIT || rc == FV_ENOMEM)
		w->stop = 1;
}

/* An image offset to a chunk offset, if n bytes from there are readable. */
static int at(const struct walk *w, uint64_t off, uint64_t n, size_t *pos)
{
	if (off < w->shift)
		return 0;
	off -= w->shift;
	if (off > w->len || n > w->len - off)
		return 0;
	*pos = (size_t)off;
	return 1;
}

/* Inflates one block into w->out; returns the bytes produced or -1. */
static long inflate_block(struct walk *w, const uint8_t *in, size_t n, const char *path, uint32_t blk)
{
	if (!w->zinit) {
		memset(&w->z, 0, sizeof w->z);
		if (inflateInit(&w->z) != Z_OK)
			return -1;
		w->zinit = 1;
	} else {
		inflateReset(&w->z);
	}
	w->z.next_in = (Bytef *)in;
	w->z.avail_in = (uInt)n;
	w->z.next_out = w->out;
	w->z.avail_out = PAGE;
	int zr = inflate(&w->z, Z_FINISH);
	if (zr != Z_STREAM_END) {
		fv_xctx_error(w->x, "%s: block %u at 0x%llx: expected a zlib stream inflating to at most "
			      "4096 bytes, found %s", path, blk, (unsigned long long)(in - w->p),
			      zr == Z_BUF_ERROR && w->z.avail_out == 0 ? "more data" :
			      (w->z.msg ? w->z.msg : "a truncated stream"));
		return -1;
	}
	return (long)(PAGE - w->z.avail_out);
}

/*
 * Reads the data of an inode (file or symlink target) block by block and
 * hands each to emit; the last block is cut to the inode's size.
 */
typedef int (*emit_fn)(void *ctx, const uint8_t *b, size_t n);

static int read_data(struct walk *w, const struct inode *ino, const char *path, emit_fn emit, void *ctx)
{
	uint32_t nblk = (uint32_t)((ino->size + PAGE - 1) / PAGE);
	uint64_t tab = (uint64_t)ino->off << 2;
	size_t tpos;
	if (!at(w, tab, (uint64_t)nblk * 4, &tpos)) {
		fv_xctx_error(w->x, "%s: block pointer table at 0x%llx (%u entries) lies outside the image",
			      path, (unsigned long long)tab, nblk);
		return FV_EFORMAT;
	}
	uint64_t prev_end = tab + (uint64_t)nblk * 4; /* image offsets */
	for (uint32_t i = 0; i < nblk; i++) {
		uint32_t ptr = rd32(w->p + tpos + 4 * (size_t)i, w->be);
		size_t want = ino->size - (uint64_t)i * PAGE < PAGE ? ino->size - i * PAGE : PAGE;
		int unc = 0;
		uint64_t start, len;
		if (w->ext && (ptr & BLK_DIRECT)) {
			start = (uint64_t)(ptr & ~BLK_FLAGS) << 2;
			unc = (ptr & BLK_UNCOMPRESSED) != 0;
			size_t hp;
			if (unc) {
				len = want;
			} else if (at(w, start, 2, &hp)) {
				len = rd16(w->p + hp, w->be);
				start += 2;
			} else {
				len = UINT64_MAX;
			}
		} else {
			if (w->ext) {
				unc = (ptr & BLK_UNCOMPRESSED) != 0;
				ptr &= ~BLK_FLAGS;
			}
			start = prev_end;
			if (ptr < start) {
				fv_xctx_error(w->x, "%s: block %u pointer at 0x%llx: expected an end at or after "
					      "0x%llx, found 0x%x", path, i,
					      (unsigned long long)(tab + 4 * (uint64_t)i),
					      (unsigned long long)start, ptr);
				return FV_EFORMAT;
			}
			len = ptr - start;
		}
		size_t pos;
		if (len != UINT64_MAX && !at(w, start, len, &pos))
			len = UINT64_MAX;
		if (len == UINT64_MAX) {
			fv_xctx_error(w->x, "%s: block %u at 0x%llx lies outside the image", path, i,
				      (unsigned long long)start);
			return FV_ETRUNC;
		}
		prev_end = start + len;
		int rc;
		if (len == 0) {
			memset(w->out, 0, want);
			rc = emit(ctx, w->out, want);
		} else if (unc) {
			rc = emit(ctx, w->p + pos, len < want ? (size_t)len : want);
		} else {
			long got = inflate_block(w, w->p + pos, (size_t)len, path, i);
			if (got < 0)
				return FV_EFORMAT;
			if ((size_t)got != want) {
				fv_xctx_error(w->x, "%s: block %u at 0x%llx: expected %zu bytes, inflated %ld",
					      path, i, (unsigned long long)start, want, got);
				rc = emit(ctx, w->out, (size_t)got < want ? (size_t)got : want);
				return rc ? rc : FV_EFORMAT;
			}
			rc = emit(ctx, w->out, want);
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int emit_sink(void *ctx, const uint8_t *b, size_t n) { return fv_sink_write(ctx, b, n); }

struct buf {
	char *p;
	size_t n, cap;
};

static int emit_buf(void *ctx, const uint8_t *b, size_t n)
{
	struct buf *t = ctx;
	if (n > t->cap - t->n)
		return FV_EFORMAT;
	memcpy(t->p + t->n, b, n);
	t->n += n;
	return 0;
}

static void walk_dir(struct walk *w, const struct inode *dir, const char *prefix, unsigned depth);

static void entry(struct walk *w, const struct inode *ino, const char *path, unsigned depth)
{
	struct fv_attr a = { ino->mode, ino->uid, ino->gid, 0 };
	int rc = 0;
	switch (ino->mode & S_IFMT) {
	case S_IFDIR:
		rc = fv_sink_dir(w->x, path, &a);
		if (rc == FV_ELIMIT)
			break;
		if (depth + 1 >= MAX_DEPTH) {
			fv_xctx_error(w->x, "%s: directories nested deeper than %d; not entered", path,
				      MAX_DEPTH);
			rc = FV_EFORMAT;
			break;
		}
		walk_dir(w, ino, path, depth + 1);
		return;
	case S_IFREG: {
		struct fv_sink_file *f;
		rc = fv_sink_open(w->x, path, &a, &f);
		if (rc)
			break;
		rc = ino->size ? read_data(w, ino, path, emit_sink, f) : 0;
		int crc = fv_sink_close(f);
		if (!rc)
			rc = crc;
		break;
	}
	case S_IFLNK: {
		if (ino->size == 0 || ino->size > PAGE) {
			fv_xctx_error(w->x, "%s: symlink target of %u bytes; expected 1 to 4096", path, ino->size);
			rc = FV_EFORMAT;
			break;
		}
		char *t = w->link;
		struct buf b = { t, 0, PAGE };
		rc = read_data(w, ino, path, emit_buf, &b);
		if (rc)
			break;
		t[b.n] = 0;
		if (strlen(t) != b.n) {
			fv_xctx_error(w->x, "%s: symlink target holds a NUL byte", path);
			rc = FV_EFORMAT;
			break;
		}
		rc = fv_sink_symlink(w->x, path, t, &a);
		break;
	}
	case S_IFCHR:
	case S_IFBLK:
		/* The size field holds the old 16-bit device number. */
		rc = fv_sink_special(w->x, path, &a, makedev((ino->size >> 8) & 0xff, ino->size & 0xff));
		break;
	case S_IFIFO:
	case S_IFSOCK:
		rc = fv_sink_special(w->x, path, &a, 0);
		break;
	default:
		fv_xctx_error(w->x, "%s: unknown file type in mode 0%o", path, ino->mode);
		rc = FV_EFORMAT;
	}
	if (rc)
		fail(w, rc);
}

static void walk_dir(struct walk *w, const struct inode *dir, const char *prefix, unsigned depth)
{
	uint64_t off = (uint64_t)dir->off << 2;
	size_t pos;
	if (dir->size == 0)
		return;
	if (!at(w, off, dir->size, &pos)) {
		fv_xctx_error(w->x, "%s: directory entries at 0x%llx+0x%x lie outside the image",
			      *prefix ? prefix : "/", (unsigned long long)off, dir->size);
		fail(w, FV_ETRUNC);
		return;
	}
	size_t end = pos + dir->size;
	while (pos < end && !w->stop) {
		if (end - pos < 12) {
			fv_xctx_error(w->x, "%s: directory entry at 0x%zx: expected 12 bytes of inode, "
				      "found %zu", *prefix ? prefix : "/", pos, end - pos);
			fail(w, FV_EFORMAT);
			return;
		}
		if (w->budget == 0) {
			fv_xctx_error(w->x, "%s: more inodes than the superblock's file count; a directory "
				      "loop? stopped", *prefix ? prefix : "/");
			fail(w, FV_EFORMAT);
			w->stop = 1;
			return;
		}
		w->budget--;
		struct inode ino;
		parse_inode(w->p + pos, w->be, &ino);
		size_t nl = (size_t)ino.namelen * 4;
		if (nl == 0 || nl > end - pos - 12) {
			fv_xctx_error(w->x, "%s: directory entry at 0x%zx: name of %zu bytes does not fit "
				      "the directory", *prefix ? prefix : "/", pos, nl);
			fail(w, FV_EFORMAT);
			return;
		}
		const char *name = (const char *)w->p + pos + 12;
		size_t n = strnlen(name, nl);
		char path[4096];
		int k = snprintf(path, sizeof path, "%s%s%.*s", prefix, *prefix ? "/" : "", (int)n, name);
		pos += 12 + nl;
		if (k < 0 || (size_t)k >= sizeof path) {
			fv_xctx_error(w->x, "%s: path longer than 4095 bytes; skipped", prefix);
			fail(w, FV_EFORMAT);
			continue;
		}
		entry(w, &ino, path, depth);
	}
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	struct sb s;
	int rc = parse_sb(p, size, &s);
	if (rc) {
		fv_xctx_error(x, "superblock at 0x0: not a cramfs superblock this reader accepts");
		return rc;
	}
	struct walk *w = calloc(1, sizeof *w);
	if (!w)
		return FV_ENOMEM;
	w->x = x;
	w->p = p;
	w->len = size;
	w->shift = s.shift;
	w->be = s.be;
	w->ext = (s.flags & F_EXT_BLOCK_PTRS) != 0;
	/* Version 1 has no file count; an inode needs at least 16 bytes. */
	w->budget = (s.flags & F_VERSION_2) ? s.files : size / 16 + 1;
	walk_dir(w, &s.root, "", 0);
	rc = w->rc;
	if (w->zinit)
		inflateEnd(&w->z);
	free(w);
	if (!rc && (s.flags & F_VERSION_2)) {
		if (s.chunk > size) {
			fv_xctx_error(x, "superblock at 0x4: image of %llu bytes, only %zu present",
				      (unsigned long long)s.chunk, size);
			return FV_ETRUNC;
		}
		uint32_t c = image_crc(p, (size_t)s.chunk);
		if (c != s.crc) {
			fv_xctx_error(x, "superblock CRC at 0x20: expected 0x%08x, computed 0x%08x", s.crc, c);
			return FV_ECRC;
		}
	}
	return rc;
}

/* One expression for both byte orders: magic, 12 bytes, the signature. */
static const struct fv_magic magics[] = {
	{ "(?:\\x45\\x3d\\xcd\\x28|\\x28\\xcd\\x3d\\x45).{12}Compressed ROMFS", 32, 0 },
	{ NULL, 0, 0 },
};

const struct fv_format fv_format_cramfs = {
	"cramfs",
	"cramfs little and big endian, version 1 and 2, holes, CRC, extended block pointers",
	magics, probe, extract,
	0,
};
