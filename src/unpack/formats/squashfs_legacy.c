/*
 * squashfs 2.x and 3.x, as old vendor SDKs wrote them (libsquashfs reads
 * 4.0 only).
 *
 * Both keep the byte order of the machine that built them, and their inodes
 * and directory entries are C bitfields: little-endian images fill each
 * field from the least significant bit, big-endian ones from the most
 * significant bit of the first byte.  Every structure is therefore read
 * with one bit reader that knows the order, from tables of field widths.
 *
 * Metadata (inodes, directories, fragment entries) sits in blocks of up to
 * 8 KiB with a 2-byte header (size, and bit 15 set when stored raw), plus a
 * check byte when the superblock says so.  The inode and directory tables
 * are decoded whole up front; a reference is (block offset in the table,
 * offset in the decoded block).  Data blocks are listed per file with
 * 32-bit sizes (bit 24 set when stored raw); a file's tail may live in a
 * shared fragment block.
 *
 * Official images are zlib.  Vendor kernels patched in LZMA, and the
 * images carry no compressor id, so each block is recognised by its first
 * bytes: a zlib header, an LZMA-alone header (props, dictionary, 64-bit
 * size), the same without the size (5 bytes, what many Broadcom and
 * Realtek SDKs wrote), or a bare LZMA stream with the usual properties.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <lzma.h>
#include <zlib.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/format.h"
#include "unpack/formats/squashfs.h"
#include "unpack/sink.h"

#define META_SIZE 8192
#define MAX_DEPTH 128
#define META_CAP (256u << 20) /* decoded metadata per table */
#define INVALID_FRAG 0xffffffffu
#define GUID_SAME 255 /* gid index meaning "same as uid" */

enum { T_DIR = 1, T_REG, T_SYMLINK, T_BLK, T_CHR, T_FIFO, T_SOCK, T_LDIR, T_LREG };

/* ---- bit reader ---------------------------------------------------------- */

struct bits {
	const uint8_t *p;
	size_t len; /* bytes */
	size_t pos; /* bits */
	int be, err;
};

static uint64_t bget(struct bits *b, unsigned n)
{
	if (b->err || n > 64 || b->pos + n > b->len * 8) {
		b->err = 1;
		return 0;
	}
	uint64_t v = 0;
	if (b->pos % 8 == 0 && n % 8 == 0) {
		const uint8_t *q = b->p + b->pos / 8;
		for (unsigned i = 0; i < n / 8; i++)
			v = b->be ? v << 8 | q[i] : v | (uint64_t)q[i] << (8 * i);
	} else {
		for (unsigned i = 0; i < n; i++) {
			size_t k = b->pos + i;
			if (b->be)
				v = v << 1 | ((b->p[k / 8] >> (7 - k % 8)) & 1);
			else
				v |= (uint64_t)((b->p[k / 8] >> (k % 8)) & 1) << i;
		}
	}
	b->pos += n;
	return v;
}

static size_t bbytes(const struct bits *b) { return (b->pos + 7) / 8; }

/* ---- decompression ------------------------------------------------------- */

static long inflate_block(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit(&z) != Z_OK)
		return -1;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	int r = inflate(&z, Z_FINISH);
	long got = (long)z.total_out;
	inflateEnd(&z);
	return r == Z_STREAM_END ? got : -1;
}

/* An LZMA-alone stream given as a 13-byte header and a body. */
static long lzma_decode_block(const uint8_t hdr[13], const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	lzma_stream z = LZMA_STREAM_INIT;
	if (lzma_alone_decoder(&z, 64u << 20) != LZMA_OK)
		return -1;
	z.next_out = out;
	z.avail_out = cap;
	z.next_in = hdr;
	z.avail_in = 13;
	lzma_ret r = lzma_code(&z, LZMA_RUN);
	if (r == LZMA_OK && z.avail_in == 0) {
		z.next_in = in;
		z.avail_in = n;
		/* These streams often have neither a size nor an end marker: what
		 * the input yields when it runs out is the block. */
		while (r == LZMA_OK && z.avail_in && z.avail_out)
			r = lzma_code(&z, LZMA_RUN);
	}
	long got = (long)z.total_out;
	lzma_end(&z);
	return r == LZMA_OK || r == LZMA_STREAM_END ? got : -1;
}

static long decompress(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t want)
{
	if (n < 6)
		return -1;
	if ((in[0] & 0x0f) == 8 && (in[0] << 8 | in[1]) % 31 == 0)
		return inflate_block(in, n, out, cap);
	uint8_t hdr[13];
	long got = -1;
	uint64_t size = n >= 14 ? fv_get_le64(in + 5) : 0;
	/* The range coder's first byte is always 0: it tells where the stream
	 * starts, hence which header the block has. */
	if (in[0] < 225 && n >= 14 && in[13] == 0 && (size == UINT64_MAX || size <= cap)) {
		got = lzma_decode_block(in, in + 13, n - 13, out, cap);
		if (got > 0 && (!want || (size_t)got == want))
			return got;
	}
	/* Without an end marker, a stream of unknown size decodes a little
	 * garbage past its end: give the decoder the size when it is known. */
	uint8_t sz[8];
	memset(sz, 0xff, 8);
	for (int i = 0; want && i < 8; i++)
		sz[i] = (uint8_t)((uint64_t)want >> (8 * i));
	if (in[0] < 225 && in[5] == 0) {
		memcpy(hdr, in, 5);
		memcpy(hdr + 5, sz, 8);
		got = lzma_decode_block(hdr, in + 5, n - 5, out, cap);
		if (got > 0 && (!want || (size_t)got == want))
			return got;
	}
	if (in[0] == 0) {
		static const uint8_t props[5] = { 0x5d, 0, 0, 0x80, 0 };
		memcpy(hdr, props, 5);
		memcpy(hdr + 5, sz, 8);
		got = lzma_decode_block(hdr, in, n, out, cap);
	}
	return got;
}

/* ---- image --------------------------------------------------------------- */

struct meta {
	uint8_t *buf;
	size_t len;
	uint64_t *coff; /* block offset from the table start */
	size_t *uoff;   /* where that block's bytes start in buf */
	size_t n;
};

struct slot {
	uint64_t key; /* inode reference + 1; 0 free */
	char *path;   /* first path of a file inode; NULL for directories */
};

struct lsq {
	struct fv_xctx *x;
	const uint8_t *p;
	size_t size;
	int be, check, stop;
	unsigned major, minor;
	uint32_t block_size, inodes, fragments, mtime, no_uids, no_guids;
	uint64_t root, inode_tab, dir_tab, frag_tab, uid_tab, guid_tab, lookup_tab, bytes_used;
	struct meta it, dt;
	uint8_t *frags; /* decoded fragment entries */
	size_t frags_len;
	uint8_t *blk, *fblk; /* a data block; the cached fragment block */
	long fblk_idx;
	size_t fblk_len;
	struct slot *map;
	size_t map_cap, map_n;
	size_t errors, written;
};

#define LERR(s, ...) ((s)->errors++, fv_xctx_error((s)->x, __VA_ARGS__))

static uint32_t g32(const struct lsq *s, size_t off)
{
	return s->be ? fv_get_be32(s->p + off) : fv_get_le32(s->p + off);
}

static uint64_t g64(const struct lsq *s, size_t off)
{
	return s->be ? fv_get_be64(s->p + off) : fv_get_le64(s->p + off);
}

/* Decodes the metadata blocks in [start, end) and appends them to m. */
static int read_meta(struct lsq *s, uint64_t start, uint64_t end, uint64_t base, struct meta *m,
		     const char *what)
{
	uint64_t pos = start;
	size_t hl = 2 + (size_t)s->check;
	while (pos < end) {
		if (pos + hl > s->size) {
			LERR(s, "%s block header at 0x%llx: past the end of the image (0x%zx)", what,
			     (unsigned long long)pos, s->size);
			return FV_ETRUNC;
		}
		uint16_t h = s->be ? fv_get_be16(s->p + pos) : fv_get_le16(s->p + pos);
		size_t n = h & 0x7fff;
		if (n == 0 || pos + hl + n > s->size || ((h & 0x8000) && n > META_SIZE)) {
			LERR(s, "%s block at 0x%llx: expected a size within the image, found 0x%x", what,
			     (unsigned long long)pos, h);
			return FV_EFORMAT;
		}
		if (m->len + META_SIZE > META_CAP) {
			LERR(s, "%s at 0x%llx: more than %u MiB of metadata", what,
			     (unsigned long long)pos, META_CAP >> 20);
			return FV_ELIMIT;
		}
		if (m->n % 64 == 0) {
			uint8_t *nb = realloc(m->buf, m->len + 64 * META_SIZE);
			uint64_t *nc = realloc(m->coff, (m->n + 64) * sizeof *nc);
			size_t *nu = nc ? realloc(m->uoff, (m->n + 64) * sizeof *nu) : NULL;
			if (nb)
				m->buf = nb;
			if (nc)
				m->coff = nc;
			if (nu)
				m->uoff = nu;
			if (!nb || !nc || !nu)
				return FV_ENOMEM;
		}
		const uint8_t *in = s->p + pos + hl;
		long got;
		if (h & 0x8000) {
			memcpy(m->buf + m->len, in, n);
			got = (long)n;
		} else {
			got = decompress(in, n, m->buf + m->len, META_SIZE, 0);
		}
		if (got <= 0 || got > META_SIZE) {
			LERR(s, "%s block at 0x%llx: expected zlib or LZMA data of at most 8 KiB, "
				"found bytes %02x %02x %02x that do not decode",
			     what, (unsigned long long)pos, in[0], in[1], in[2]);
			return FV_EFORMAT;
		}
		m->coff[m->n] = pos - base;
		m->uoff[m->n] = m->len;
		m->n++;
		m->len += (size_t)got;
		pos += hl + n;
	}
	return 0;
}

/* Where reference (block, offset) lands in m's decoded bytes, or SIZE_MAX. */
static size_t locate(const struct meta *m, uint64_t block, uint32_t off)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->coff[mid] < block)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == m->n || m->coff[lo] != block || m->uoff[lo] + (uint64_t)off >= m->len)
		return SIZE_MAX;
	return m->uoff[lo] + off;
}

static void meta_free(struct meta *m)
{
	free(m->buf), free(m->coff), free(m->uoff);
}

/* ---- inodes -------------------------------------------------------------- */

struct ino {
	unsigned type;
	uint32_t mode, uid, gid, mtime, rdev;
	uint64_t size, start;
	uint32_t frag, frag_off;
	uint64_t dir_block;
	uint32_t dir_off;
	const uint8_t *tail; /* block list or symlink target */
	size_t tail_len;     /* bytes available from tail to the table's end */
	uint32_t link_len;
};

static uint32_t id_at(const struct lsq *s, uint64_t tab, uint32_t n, uint32_t i, int *ok)
{
	if (i >= n || tab + 4ull * (i + 1) > s->size) {
		*ok = 0;
		return i;
	}
	return g32(s, (size_t)tab + 4u * i);
}

static int read_inode(struct lsq *s, uint64_t ref, struct ino *o)
{
	size_t at = locate(&s->it, ref >> 16, (uint32_t)(ref & 0xffff));
	if (at == SIZE_MAX)
		return FV_EFORMAT;
	struct bits b = { s->it.buf + at, s->it.len - at, 0, s->be, 0 };
	memset(o, 0, sizeof *o);
	o->type = (unsigned)bget(&b, 4);
	o->mode = (uint32_t)bget(&b, 12);
	uint32_t uid = (uint32_t)bget(&b, 8), guid = (uint32_t)bget(&b, 8);
	o->mtime = s->mtime;
	int v3 = s->major == 3;
	if (v3) {
		o->mtime = (uint32_t)bget(&b, 32);
		bget(&b, 32); /* inode number */
	}
	switch (o->type) {
	case T_DIR:
		if (v3) {
			bget(&b, 32); /* nlink */
			o->size = bget(&b, 19);
			o->dir_off = (uint32_t)bget(&b, 13);
			o->dir_block = bget(&b, 32);
			bget(&b, 32); /* parent */
		} else {
			o->size = bget(&b, 19);
			o->dir_off = (uint32_t)bget(&b, 13);
			o->mtime = (uint32_t)bget(&b, 32);
			o->dir_block = bget(&b, 24);
		}
		break;
	case T_LDIR:
		if (v3)
			bget(&b, 32);
		o->size = bget(&b, 27);
		o->dir_off = (uint32_t)bget(&b, 13);
		if (v3) {
			o->dir_block = bget(&b, 32);
			bget(&b, 16);
			bget(&b, 32);
		} else {
			o->mtime = (uint32_t)bget(&b, 32);
			o->dir_block = bget(&b, 24);
			bget(&b, 16);
		}
		o->type = T_DIR;
		break;
	case T_REG:
		if (v3) {
			o->start = bget(&b, 64);
		} else {
			o->mtime = (uint32_t)bget(&b, 32);
			o->start = bget(&b, 32);
		}
		o->frag = (uint32_t)bget(&b, 32);
		o->frag_off = (uint32_t)bget(&b, 32);
		o->size = bget(&b, 32);
		break;
	case T_LREG:
		if (!v3)
			return FV_EFORMAT;
		bget(&b, 32);
		o->start = bget(&b, 64);
		o->frag = (uint32_t)bget(&b, 32);
		o->frag_off = (uint32_t)bget(&b, 32);
		o->size = bget(&b, 64);
		o->type = T_REG;
		break;
	case T_SYMLINK:
		if (v3)
			bget(&b, 32);
		o->link_len = (uint32_t)bget(&b, 16);
		break;
	case T_BLK:
	case T_CHR:
		if (v3)
			bget(&b, 32);
		o->rdev = (uint32_t)bget(&b, 16);
		break;
	case T_FIFO:
	case T_SOCK:
		if (v3)
			bget(&b, 32);
		break;
	default:
		return FV_EFORMAT;
	}
	if (b.err)
		return FV_ETRUNC;
	o->tail = b.p + bbytes(&b);
	o->tail_len = b.len - bbytes(&b);
	int ok = 1;
	o->uid = id_at(s, s->uid_tab, s->no_uids, uid, &ok);
	o->gid = guid == GUID_SAME ? o->uid : id_at(s, s->guid_tab, s->no_guids, guid, &ok);
	return 0;
}

/* ---- inode map: hard links and directory loops ---------------------------- */

static struct slot *map_get(struct lsq *s, uint64_t ref, int *found)
{
	if (s->map_n * 2 >= s->map_cap) {
		size_t cap = s->map_cap ? s->map_cap * 2 : 1024;
		struct slot *nm = calloc(cap, sizeof *nm);
		if (!nm)
			return NULL;
		for (size_t i = 0; i < s->map_cap; i++)
			if (s->map[i].key) {
				size_t j = (size_t)(s->map[i].key * 0x9e3779b97f4a7c15ull >> 20) & (cap - 1);
				while (nm[j].key)
					j = (j + 1) & (cap - 1);
				nm[j] = s->map[i];
			}
		free(s->map);
		s->map = nm;
		s->map_cap = cap;
	}
	uint64_t key = ref + 1;
	size_t j = (size_t)(key * 0x9e3779b97f4a7c15ull >> 20) & (s->map_cap - 1);
	while (s->map[j].key && s->map[j].key != key)
		j = (j + 1) & (s->map_cap - 1);
	*found = s->map[j].key == key;
	if (!*found) {
		s->map[j].key = key;
		s->map_n++;
	}
	return &s->map[j];
}

/* ---- files --------------------------------------------------------------- */

static int sink_rc(struct lsq *s, int r)
{
	if (r == FV_ELIMIT)
		s->stop = 1;
	return r;
}

static const uint8_t *fragment(struct lsq *s, uint32_t idx, size_t *len, const char *path)
{
	if ((long)idx == s->fblk_idx) {
		*len = s->fblk_len;
		return s->fblk;
	}
	size_t es = s->major == 3 ? 16 : 8;
	if ((uint64_t)idx * es + es > s->frags_len) {
		LERR(s, "%s: fragment %u not in the fragment table (%zu entries)", path, idx,
		     s->frags_len / es);
		return NULL;
	}
	struct bits b = { s->frags + idx * es, es, 0, s->be, 0 };
	uint64_t start = bget(&b, s->major == 3 ? 64 : 32);
	uint32_t sz = (uint32_t)bget(&b, 32);
	uint32_t n = sz & ~(1u << 24);
	if (n == 0 || n > s->block_size || start > s->size || n > s->size - start) {
		LERR(s, "%s: fragment %u at 0x%llx: expected a block within the image, found size "
			"0x%x",
		     path, idx, (unsigned long long)start, sz);
		return NULL;
	}
	long got;
	if (sz & (1u << 24)) {
		memcpy(s->fblk, s->p + start, n);
		got = (long)n;
	} else {
		got = decompress(s->p + start, n, s->fblk, s->block_size, 0);
	}
	if (got <= 0) {
		LERR(s, "%s: fragment block at 0x%llx does not decode", path, (unsigned long long)start);
		return NULL;
	}
	s->fblk_idx = idx;
	s->fblk_len = (size_t)got;
	*len = s->fblk_len;
	return s->fblk;
}

static void write_file(struct lsq *s, const struct ino *o, const char *path, const struct fv_attr *a)
{
	uint64_t bs = s->block_size;
	uint64_t nblocks = o->frag == INVALID_FRAG ? (o->size + bs - 1) / bs : o->size / bs;
	if (nblocks > o->tail_len / 4) {
		LERR(s, "%s: %llu bytes need %llu block sizes, the inode table holds %zu", path,
		     (unsigned long long)o->size, (unsigned long long)nblocks, o->tail_len / 4);
		return;
	}
	struct fv_sink_file *f;
	if (sink_rc(s, fv_sink_open(s->x, path, a, &f)))
		return;
	s->written++;
	uint64_t pos = o->start, left = o->size;
	int r = 0;
	for (uint64_t i = 0; i < nblocks && !r; i++) {
		const uint8_t *q = o->tail + 4 * i;
		uint32_t e = s->be ? fv_get_be32(q) : fv_get_le32(q);
		uint32_t n = e & ~(1u << 24);
		size_t want = left < bs ? (size_t)left : (size_t)bs;
		if (n == 0) { /* a hole */
			memset(s->blk, 0, want);
			r = fv_sink_write(f, s->blk, want);
			left -= want;
			continue;
		}
		if (n > 2 * bs || pos > s->size || n > s->size - pos) {
			LERR(s, "%s: block %llu at 0x%llx: expected a size within the image, found 0x%x",
			     path, (unsigned long long)i, (unsigned long long)pos, e);
			r = FV_EFORMAT;
			break;
		}
		long got;
		if (e & (1u << 24)) {
			got = n == want ? (long)n : -1;
			if (got > 0)
				memcpy(s->blk, s->p + pos, n);
		} else {
			got = decompress(s->p + pos, n, s->blk, bs, want);
		}
		if (got != (long)want) {
			LERR(s, "%s: block %llu at 0x%llx: expected %zu bytes, decoded %ld", path,
			     (unsigned long long)i, (unsigned long long)pos, want, got);
			r = FV_EFORMAT;
			break;
		}
		r = fv_sink_write(f, s->blk, want);
		left -= want;
		pos += n;
	}
	if (!r && left) {
		size_t flen;
		const uint8_t *fb = fragment(s, o->frag, &flen, path);
		if (fb && (o->frag_off > flen || left > flen - o->frag_off)) {
			LERR(s, "%s: tail of %llu bytes at %u past fragment %u's %zu bytes", path,
			     (unsigned long long)left, o->frag_off, o->frag, flen);
			fb = NULL;
		}
		if (fb)
			r = fv_sink_write(f, fb + o->frag_off, (size_t)left);
	}
	sink_rc(s, r);
	sink_rc(s, fv_sink_close(f));
}

/* ---- directories --------------------------------------------------------- */

static void walk(struct lsq *s, const struct ino *dir, const char *path, unsigned depth);

static void entry(struct lsq *s, uint64_t ref, const char *path, unsigned depth)
{
	struct ino o;
	if (read_inode(s, ref, &o)) {
		LERR(s, "%s: inode at block 0x%llx offset 0x%llx: expected a valid inode", path,
		     (unsigned long long)(ref >> 16), (unsigned long long)(ref & 0xffff));
		return;
	}
	struct fv_attr a = { o.mode & 07777, o.uid, o.gid, o.mtime };
	int found = 0;
	struct slot *sl = map_get(s, ref, &found);
	if (!sl) {
		s->stop = 1;
		return;
	}
	if (o.type == T_DIR) {
		if (found) {
			LERR(s, "%s: directory inode entered twice (a loop); not entered again", path);
			return;
		}
		a.mode |= S_IFDIR;
		if (sink_rc(s, fv_sink_dir(s->x, path, &a)) == FV_ELIMIT)
			return;
		s->written++;
		walk(s, &o, path, depth + 1);
		return;
	}
	if (found && sl->path) {
		if (!sink_rc(s, fv_sink_hardlink(s->x, path, sl->path)))
			s->written++;
		return;
	}
	switch (o.type) {
	case T_REG:
		sl->path = strdup(path);
		a.mode |= S_IFREG;
		write_file(s, &o, path, &a);
		return;
	case T_SYMLINK: {
		if (o.link_len > o.tail_len) {
			LERR(s, "%s: symlink target of %u bytes runs past the inode table", path,
			     o.link_len);
			return;
		}
		char *t = strndup((const char *)o.tail, o.link_len);
		if (!t) {
			s->stop = 1;
			return;
		}
		a.mode |= S_IFLNK;
		if (!sink_rc(s, fv_sink_symlink(s->x, path, t, &a)))
			s->written++;
		free(t);
		return;
	}
	default: {
		static const uint32_t fmt[] = { [T_BLK] = S_IFBLK, [T_CHR] = S_IFCHR, [T_FIFO] = S_IFIFO,
						[T_SOCK] = S_IFSOCK };
		a.mode |= fmt[o.type];
		uint64_t dev = o.type <= T_CHR ? makedev(o.rdev >> 8, o.rdev & 0xff) : 0;
		if (!sink_rc(s, fv_sink_special(s->x, path, &a, dev)))
			s->written++;
	}
	}
}

static void walk(struct lsq *s, const struct ino *dir, const char *path, unsigned depth)
{
	if (depth > MAX_DEPTH) {
		LERR(s, "%s: deeper than %u directories; not entered", path, MAX_DEPTH);
		return;
	}
	size_t at = locate(&s->dt, dir->dir_block, dir->dir_off);
	if (dir->size <= 3)
		return; /* empty (3.x counts "." and ".." as 3 bytes) */
	if (at == SIZE_MAX) {
		LERR(s, "%s: listing at directory block 0x%llx offset 0x%x: not in the directory table",
		     path[0] ? path : "/", (unsigned long long)dir->dir_block, dir->dir_off);
		return;
	}
	size_t len = s->dt.len - at;
	if (dir->size < len)
		len = (size_t)dir->size;
	int v3 = s->major == 3;
	size_t hsize = v3 ? 9 : 4, esize = v3 ? 5 : 3;
	struct bits b = { s->dt.buf + at, len, 0, s->be, 0 };
	while (!s->stop && bbytes(&b) + hsize <= len) {
		unsigned count = (unsigned)bget(&b, 8) + 1;
		uint64_t block = bget(&b, v3 ? 32 : 24);
		if (v3)
			bget(&b, 32);
		for (unsigned i = 0; i < count && !s->stop; i++) {
			if (bbytes(&b) + esize > len) {
				LERR(s, "%s: directory listing cut short at entry %u of %u",
				     path[0] ? path : "/", i, count);
				return;
			}
			uint32_t off = (uint32_t)bget(&b, 13);
			bget(&b, 3);
			unsigned nlen = (unsigned)bget(&b, 8) + 1;
			if (v3)
				bget(&b, 16);
			if (bbytes(&b) + nlen > len) {
				LERR(s, "%s: directory entry name runs past the listing",
				     path[0] ? path : "/");
				return;
			}
			const char *name = (const char *)b.p + bbytes(&b);
			b.pos += 8 * (size_t)nlen;
			if (memchr(name, '/', nlen) || memchr(name, 0, nlen) ||
			    (nlen == 1 && name[0] == '.') || (nlen == 2 && !memcmp(name, "..", 2))) {
				LERR(s, "%s: entry name \"%.*s\" is not a file name; skipped",
				     path[0] ? path : "/", (int)nlen, name);
				continue;
			}
			size_t pl = strlen(path);
			char *child = malloc(pl + nlen + 2);
			if (!child) {
				s->stop = 1;
				return;
			}
			sprintf(child, "%s%s%.*s", path, pl ? "/" : "", (int)nlen, name);
			entry(s, block << 16 | off, child, depth);
			free(child);
		}
	}
}

/* ---- the whole image ----------------------------------------------------- */

/* The smallest table start above pos: where the table at pos must end. */
static uint64_t table_end(const struct lsq *s, uint64_t pos)
{
	uint64_t c[] = { s->inode_tab, s->dir_tab, s->frag_tab, s->uid_tab, s->guid_tab,
			 s->lookup_tab };
	uint64_t end = s->bytes_used < s->size ? s->bytes_used : s->size;
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		if (c[i] > pos && c[i] < end)
			end = c[i];
	return end;
}

static int read_fragments(struct lsq *s)
{
	if (!s->fragments)
		return 0;
	size_t es = s->major == 3 ? 16 : 8, ps = s->major == 3 ? 8 : 4;
	uint64_t bytes = (uint64_t)s->fragments * es;
	uint64_t nidx = (bytes + META_SIZE - 1) / META_SIZE;
	if (bytes > META_CAP || s->frag_tab > s->size || nidx * ps > s->size - s->frag_tab) {
		LERR(s, "fragment table at 0x%llx: %u fragments do not fit the image",
		     (unsigned long long)s->frag_tab, s->fragments);
		return FV_EFORMAT;
	}
	struct meta m = { 0 };
	int r = 0;
	for (uint64_t i = 0; i < nidx && !r; i++) {
		uint64_t at = ps == 8 ? g64(s, (size_t)(s->frag_tab + 8 * i))
				      : g32(s, (size_t)(s->frag_tab + 4 * i));
		if (at >= s->size) {
			LERR(s, "fragment index %llu at 0x%llx: block offset 0x%llx is past the image",
			     (unsigned long long)i, (unsigned long long)(s->frag_tab + ps * i),
			     (unsigned long long)at);
			r = FV_EFORMAT;
			break;
		}
		/* One block: its header gives its end. */
		r = read_meta(s, at, at + 1, 0, &m, "fragment table");
	}
	s->frags = m.buf;
	s->frags_len = m.len;
	free(m.coff), free(m.uoff);
	return r;
}

int fv_squashfs_legacy_extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	if (size < 119)
		return FV_ETRUNC;
	struct lsq s;
	memset(&s, 0, sizeof s);
	s.x = x, s.p = p, s.size = size, s.fblk_idx = -1;
	s.be = p[0] == 's';
	s.major = s.be ? fv_get_be16(p + 28) : fv_get_le16(p + 28);
	s.minor = s.be ? fv_get_be16(p + 30) : fv_get_le16(p + 30);
	s.inodes = g32(&s, 4);
	unsigned flags = p[36];
	s.check = (flags >> 2) & 1;
	s.no_uids = p[37];
	s.no_guids = p[38];
	s.mtime = g32(&s, 39);
	s.root = g64(&s, 43);
	s.block_size = g32(&s, 51);
	s.fragments = g32(&s, 55);
	if (s.major == 2) {
		s.bytes_used = g32(&s, 8);
		s.uid_tab = g32(&s, 12);
		s.guid_tab = g32(&s, 16);
		s.inode_tab = g32(&s, 20);
		s.dir_tab = g32(&s, 24);
		s.frag_tab = g32(&s, 59);
	} else {
		s.bytes_used = g64(&s, 63);
		s.uid_tab = g64(&s, 71);
		s.guid_tab = g64(&s, 79);
		s.inode_tab = g64(&s, 87);
		s.dir_tab = g64(&s, 95);
		s.frag_tab = g64(&s, 103);
		s.lookup_tab = g64(&s, 111); /* 3.1 NFS export table, or all ones */
	}
	if ((s.major != 2 && s.major != 3) || s.block_size < 4096 || s.block_size > (1u << 20) ||
	    (s.block_size & (s.block_size - 1)) || s.inode_tab >= s.dir_tab || s.dir_tab > size) {
		fv_xctx_error(x, "superblock at 0x0: expected squashfs 2.x/3.x with a block size of "
				 "4 KiB..1 MiB and the inode table before the directory table, found "
				 "%u.%u, block size %u, tables at 0x%llx and 0x%llx",
			      s.major, s.minor, s.block_size, (unsigned long long)s.inode_tab,
			      (unsigned long long)s.dir_tab);
		return FV_EFORMAT;
	}
	if (s.no_guids && s.guid_tab == 0)
		s.no_guids = 0;
	s.blk = malloc(s.block_size);
	s.fblk = malloc(s.block_size);
	int r = s.blk && s.fblk ? 0 : FV_ENOMEM;
	if (!r)
		r = read_meta(&s, s.inode_tab, s.dir_tab, s.inode_tab, &s.it, "inode table");
	if (!r)
		r = read_meta(&s, s.dir_tab, table_end(&s, s.dir_tab), s.dir_tab, &s.dt,
			      "directory table");
	if (!r && read_fragments(&s))
		r = 0; /* files without a tail still come out */
	if (!r) {
		struct ino root;
		if (read_inode(&s, s.root, &root) || root.type != T_DIR) {
			LERR(&s, "root inode at block 0x%llx offset 0x%llx: expected a directory",
			     (unsigned long long)(s.root >> 16), (unsigned long long)(s.root & 0xffff));
			r = FV_EFORMAT;
		} else {
			int found;
			map_get(&s, s.root, &found);
			s.written++;
			walk(&s, &root, "", 0);
		}
	}
	for (size_t i = 0; i < s.map_cap; i++)
		free(s.map[i].path);
	free(s.map);
	meta_free(&s.it), meta_free(&s.dt);
	free(s.frags), free(s.blk), free(s.fblk);
	if (r)
		return r;
	if (s.stop)
		return FV_ELIMIT;
	return s.errors ? FV_EFORMAT : 0;
}
