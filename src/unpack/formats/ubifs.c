/*
 * UBIFS, the filesystem on UBI volumes: bare mkfs.ubifs images, and the
 * volume images the ubi format writes out.
 *
 * The image is a row of LEBs.  LEB 0 holds the superblock node, LEBs 1 and
 * 2 copies of the master node, which points at the root of the index, a
 * B+-tree whose leaves are inode, data and directory-entry nodes.  Every
 * node starts with a 24-byte common header with a CRC-32 (seeded with ~0,
 * not inverted: zlib's crc32() ^ ~0) over everything after its first 8
 * bytes.  We walk the index once, sort the leaves by key, then write the
 * tree from inode 1.  The journal of an image that was in use (nodes not yet
 * in the index) is not replayed: mkfs.ubifs images have none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <zlib.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/codec/lzo1x.h"
#include "unpack/codec/stream.h"
#include "unpack/format.h"
#include "unpack/sink.h"

#define MAGIC 0x06101831u
#define CH_SIZE 24
#define SB_SIZE 4096
#define MST_SIZE 512
#define INO_SIZE 160
#define DATA_SIZE 48
#define DENT_SIZE 56
#define IDX_SIZE 28
#define BRANCH_SIZE 20 /* lnum, offs, len, 8-byte key */
#define BLOCK 4096
#define MAX_LEVEL 64      /* far above any real tree (fanout >= 3) */
#define MAX_PATH_LEN 4096
#define FLG_AUTH 0x10u

enum { T_INO, T_DATA, T_DENT, T_XENT, T_TRUN, T_PAD, T_SB, T_MST, T_REF, T_IDX };

static const char *const compr_names[] = { "none", "lzo", "zlib", "zstd" };

static uint32_t node_crc(const uint8_t *p, size_t n)
{
	return (uint32_t)crc32(0, p, (uInt)n) ^ 0xffffffffu;
}

struct fs {
	const uint8_t *p;
	size_t size;
	uint32_t flags, min_io, leb_size, leb_cnt, max_leb_cnt, fanout, fmt, ro_compat;
	uint16_t compr;
	uint8_t uuid[16];
	/* from the master node */
	int have_mst;
	uint64_t mst_sqnum, highest_inum;
	uint32_t root_lnum, root_offs, root_len;
};

static int parse_sb(const uint8_t *p, size_t avail, struct fs *s)
{
	if (avail < SB_SIZE)
		return FV_ETRUNC;
	if (fv_get_le32(p) != MAGIC || p[20] != T_SB)
		return FV_EFORMAT;
	uint32_t len = fv_get_le32(p + 16);
	if (len < 128 || len > SB_SIZE)
		return FV_EFORMAT;
	s->flags = fv_get_le32(p + 28);
	s->min_io = fv_get_le32(p + 32);
	s->leb_size = fv_get_le32(p + 36);
	s->leb_cnt = fv_get_le32(p + 40);
	s->max_leb_cnt = fv_get_le32(p + 44);
	s->fanout = fv_get_le32(p + 72);
	s->fmt = fv_get_le32(p + 80);
	s->compr = fv_get_le16(p + 84);
	memcpy(s->uuid, p + 108, 16);
	s->ro_compat = fv_get_le32(p + 124);
	if (p[27] != 0 /* simple key format */ || s->min_io == 0 || (s->min_io & (s->min_io - 1)) ||
	    s->leb_size < 15 * 1024 || s->leb_size > (32u << 20) || s->min_io > s->leb_size ||
	    s->leb_cnt < 3 || s->fmt < 1 || s->fmt > 5 || s->fanout < 3 || s->compr > 3)
		return FV_EFORMAT;
	if (node_crc(p + 8, len - 8) != fv_get_le32(p + 4))
		return FV_ECRC;
	return 0;
}

/* A node header at (lnum, offs) that fits in its LEB and the image; 0 if not. */
static const uint8_t *node_at(const struct fs *s, uint32_t lnum, uint32_t offs, uint32_t *len)
{
	uint64_t start = (uint64_t)lnum * s->leb_size + offs;
	if (offs > s->leb_size - CH_SIZE || start + CH_SIZE > s->size)
		return NULL;
	const uint8_t *n = s->p + start;
	if (fv_get_le32(n) != MAGIC)
		return NULL;
	uint32_t l = fv_get_le32(n + 16);
	if (l < CH_SIZE || l > s->leb_size - offs || start + l > s->size)
		return NULL;
	*len = l;
	return n;
}

static int node_crc_ok(const uint8_t *n, uint32_t len)
{
	return node_crc(n + 8, len - 8) == fv_get_le32(n + 4);
}

/*
 * The newest valid master node of LEBs 1 and 2.  Each LEB starts with one
 * (UBIFS rewrites it from offset 0 when it fills up); later copies follow
 * at aligned offsets.
 */
static void find_master(struct fs *s)
{
	for (uint32_t lnum = 1; lnum <= 2; lnum++) {
		uint32_t len0;
		const uint8_t *first = node_at(s, lnum, 0, &len0);
		if (!first || first[20] != T_MST || len0 < MST_SIZE || !node_crc_ok(first, len0))
			continue;
		for (uint32_t offs = 0; offs + MST_SIZE <= s->leb_size; offs += 8) {
			uint32_t len;
			const uint8_t *n = node_at(s, lnum, offs, &len);
			if (!n) {
				if ((uint64_t)lnum * s->leb_size + offs >= s->size)
					break;
				continue;
			}
			if (n[20] != T_MST || len < MST_SIZE || !node_crc_ok(n, len))
				continue;
			uint64_t sq = fv_get_le64(n + 8);
			if (s->have_mst && sq <= s->mst_sqnum)
				continue;
			s->have_mst = 1;
			s->mst_sqnum = sq;
			s->highest_inum = fv_get_le64(n + 24);
			s->root_lnum = fv_get_le32(n + 48);
			s->root_offs = fv_get_le32(n + 52);
			s->root_len = fv_get_le32(n + 56);
		}
	}
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	struct fs s;
	memset(&s, 0, sizeof s);
	int r = parse_sb(p, avail, &s);
	if (r)
		return r;
	s.p = p;
	s.size = avail;
	uint64_t full = (uint64_t)s.leb_size * s.leb_cnt;
	out->conf = FV_CONF_HIGH;
	out->size = full;
	/* A superblock without a master node in the next two LEBs is not a
	 * filesystem: in particular the one at the data offset of a PEB of a
	 * UBI image, whose LEBs are not contiguous there. */
	find_master(&s);
	if (!s.have_mst && avail >= 3 * (uint64_t)s.leb_size)
		return FV_EFORMAT;
	/* mkfs.ubifs writes leb_cnt LEBs; a volume image may stop before its
	 * trailing free LEBs.  Only a missing master or index root is a cut. */
	if (full > avail) {
		out->size = avail;
		if (!s.have_mst ||
		    (uint64_t)s.root_lnum * s.leb_size + s.root_offs + s.root_len > avail) {
			out->truncated = 1;
			out->conf = FV_CONF_LOW;
		}
	}
	fv_probe_desc(out, "UBIFS image, format version %u, LEB size %u, %u LEBs (max %u), min I/O %u, %s, fanout %u, UUID ",
		      s.fmt, s.leb_size, s.leb_cnt, s.max_leb_cnt, s.min_io, compr_names[s.compr], s.fanout);
	for (int i = 0; i < 16; i++)
		fv_probe_desc(out, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", s.uuid[i]);
	if (out->truncated)
		fv_probe_desc(out, ", truncated");
	return 0;
}

/* ---- extraction ---- */

struct leaf {
	uint32_t ino, sub; /* sub: block number or name hash */
	uint8_t type;
	const uint8_t *n;
	uint32_t len;
};

struct inode {
	uint32_t ino;
	const uint8_t *n;
	uint32_t len;
	int seen;   /* written (or, for a directory, queued) */
	char *path; /* where a non-directory was first written: hard links copy it */
};

struct walk {
	struct fv_xctx *x;
	struct fs *s;
	struct leaf *leaves;
	size_t nleaves, cap;
	uint64_t budget; /* index branches we still follow; bounds shared subtrees */
	uint64_t crc_budget; /* node bytes we still check; ditto, for big nodes */
	int rc;
	int errs;
};

static void fail(struct walk *w, int rc)
{
	if (!w->rc || w->rc == FV_ECRC)
		w->rc = rc;
}

static int add_leaf(struct walk *w, const uint8_t *n, uint32_t len)
{
	if (w->nleaves == w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 1024;
		struct leaf *l = realloc(w->leaves, nc * sizeof *l);
		if (!l)
			return FV_ENOMEM;
		w->leaves = l;
		w->cap = nc;
	}
	uint32_t k1 = fv_get_le32(n + 28);
	w->leaves[w->nleaves++] = (struct leaf){ fv_get_le32(n + 24), k1 & 0x1fffffffu,
						 (uint8_t)(k1 >> 29), n, len };
	return 0;
}

/*
 * Depth-first over the index, with an explicit stack.  A child index node
 * must sit exactly one level below its parent, so a cycle cannot be
 * followed; the branch budget bounds subtrees shared by several parents.
 */
static int walk_index(struct walk *w)
{
	struct fs *s = w->s;
	struct frame {
		const uint8_t *n;
		uint32_t level, cnt, i;
	} st[MAX_LEVEL + 1];
	int sp = 0;
	uint32_t len;
	const uint8_t *root = node_at(s, s->root_lnum, s->root_offs, &len);
	if (!root || root[20] != T_IDX || len < IDX_SIZE || !node_crc_ok(root, len)) {
		fv_xctx_error(w->x, "index root at LEB %u offset 0x%x (0x%llx): expected a valid index node",
			      s->root_lnum, s->root_offs,
			      (unsigned long long)s->root_lnum * s->leb_size + s->root_offs);
		return FV_EFORMAT;
	}
	st[0] = (struct frame){ root, fv_get_le16(root + 26), fv_get_le16(root + 24), 0 };
	if (st[0].level > MAX_LEVEL || IDX_SIZE + (uint64_t)st[0].cnt * BRANCH_SIZE > len) {
		fv_xctx_error(w->x, "index root: level %u with %u branches does not fit its %u bytes",
			      st[0].level, st[0].cnt, len);
		return FV_EFORMAT;
	}
	while (sp >= 0) {
		struct frame *f = &st[sp];
		if (f->i >= f->cnt) {
			sp--;
			continue;
		}
		const uint8_t *b = f->n + IDX_SIZE + (size_t)f->i++ * BRANCH_SIZE;
		if (w->budget-- == 0) {
			fv_xctx_error(w->x, "index: more branches than the image can hold; a shared or looping subtree");
			return FV_EFORMAT;
		}
		uint32_t lnum = fv_get_le32(b), offs = fv_get_le32(b + 4), blen = fv_get_le32(b + 8);
		if (blen > w->crc_budget) {
			fv_xctx_error(w->x, "index: its nodes add up to more bytes than the image several times over; a shared subtree");
			return FV_EFORMAT;
		}
		w->crc_budget -= blen;
		uint64_t where = (uint64_t)lnum * s->leb_size + offs;
		const uint8_t *n = lnum < s->leb_cnt ? node_at(s, lnum, offs, &len) : NULL;
		if (!n || len != blen || !node_crc_ok(n, len)) {
			if (w->errs++ == 0)
				fv_xctx_error(w->x, "node at LEB %u offset 0x%x (0x%llx): expected a %u-byte node with a valid CRC",
					      lnum, offs, (unsigned long long)where, blen);
			fail(w, n ? FV_ECRC : FV_EFORMAT);
			continue;
		}
		uint8_t t = n[20];
		if (f->level > 0) {
			uint32_t lvl = len >= IDX_SIZE ? fv_get_le16(n + 26) : 0;
			uint32_t cnt = len >= IDX_SIZE ? fv_get_le16(n + 24) : 0;
			if (t != T_IDX || len < IDX_SIZE || lvl + 1 != f->level ||
			    IDX_SIZE + (uint64_t)cnt * BRANCH_SIZE > len) {
				if (w->errs++ == 0)
					fv_xctx_error(w->x, "index node at 0x%llx: expected level %u, found type %u level %u",
						      (unsigned long long)where, f->level - 1, t, lvl);
				fail(w, FV_EFORMAT);
				continue;
			}
			st[++sp] = (struct frame){ n, lvl, cnt, 0 };
			continue;
		}
		if ((t == T_INO && len >= INO_SIZE) || (t == T_DATA && len >= DATA_SIZE) ||
		    (t == T_DENT && len >= DENT_SIZE)) {
			int r = add_leaf(w, n, len);
			if (r)
				return r;
		} else if (t != T_XENT) {
			if (w->errs++ == 0)
				fv_xctx_error(w->x, "leaf node at 0x%llx: expected an inode, data or entry node, found type %u (%u bytes)",
					      (unsigned long long)where, t, len);
			fail(w, FV_EFORMAT);
		}
	}
	return 0;
}

static int leaf_cmp(const void *a, const void *b)
{
	const struct leaf *x = a, *y = b;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->sub != y->sub)
		return x->sub < y->sub ? -1 : 1;
	return x->n < y->n ? -1 : x->n > y->n;
}

struct tree {
	struct walk *w;
	struct inode *inodes;
	size_t ninodes;
	const struct leaf *data, *dents;
	size_t ndata, ndents;
	uint8_t *buf; /* one decoded block */
};

static struct inode *find_inode(struct tree *t, uint32_t ino)
{
	size_t lo = 0, hi = t->ninodes;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->inodes[mid].ino == ino)
			return &t->inodes[mid];
		if (t->inodes[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The first of the leaves l[0..n) with this inode number. */
static size_t first_of(const struct leaf *l, size_t n, uint32_t ino)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct grab {
	uint8_t *dst;
	size_t used;
};

static int grab_out(void *ctx, const uint8_t *p, size_t n)
{
	struct grab *g = ctx;
	if (n > BLOCK - g->used)
		return FV_ELIMIT;
	memcpy(g->dst + g->used, p, n);
	g->used += n;
	return 0;
}

/* Decodes one data node into t->buf; returns the bytes produced or -err. */
static long decode_block(struct tree *t, const struct leaf *l, char *err, size_t errlen)
{
	uint32_t size = fv_get_le32(l->n + 40);
	unsigned compr = fv_get_le16(l->n + 44);
	const uint8_t *in = l->n + DATA_SIZE;
	size_t inlen = l->len - DATA_SIZE;
	if (size > BLOCK) {
		snprintf(err, errlen, "uncompressed size %u exceeds the %u-byte block", size, BLOCK);
		return FV_EFORMAT;
	}
	size_t got = 0;
	int r = 0;
	switch (compr) {
	case 0:
		got = inlen < size ? inlen : size;
		memcpy(t->buf, in, got);
		break;
	case 1: {
		size_t outlen = BLOCK, used;
		r = fv_lzo1x_decompress(in, inlen, t->buf, &outlen, &used);
		got = outlen;
		break;
	}
	case 2:
	case 3: {
		struct grab g = { t->buf, 0 };
		struct fv_decode d;
		r = fv_decode(compr == 2 ? FV_CODEC_DEFLATE : FV_CODEC_ZSTD, in, inlen, BLOCK, grab_out, &g, &d);
		got = g.used;
		if (r && d.err[0]) {
			snprintf(err, errlen, "%s", d.err);
			return r;
		}
		break;
	}
	default:
		snprintf(err, errlen, "unknown compressor %u", compr);
		return FV_EUNSUP;
	}
	if (r) {
		snprintf(err, errlen, "%s data does not decode (%s)", compr_names[compr], fv_strerror(r));
		return r;
	}
	if (got != size) {
		snprintf(err, errlen, "expected %u bytes, decoded %zu", size, got);
		return FV_EFORMAT;
	}
	return (long)got;
}

static int write_zeros(struct fv_sink_file *f, uint64_t n)
{
	static const uint8_t z[BLOCK];
	while (n) {
		size_t k = n > BLOCK ? BLOCK : (size_t)n;
		int r = fv_sink_write(f, z, k);
		if (r)
			return r;
		n -= k;
	}
	return 0;
}

static int write_file(struct tree *t, const char *path, const struct inode *in, const struct fv_attr *a)
{
	struct walk *w = t->w;
	uint64_t fsize = fv_get_le64(in->n + 48);
	struct fv_sink_file *f;
	int r = fv_sink_open(w->x, path, a, &f);
	if (r)
		return r;
	uint64_t pos = 0;
	for (size_t i = first_of(t->data, t->ndata, in->ino); i < t->ndata && t->data[i].ino == in->ino && !r; i++) {
		const struct leaf *l = &t->data[i];
		uint64_t at = (uint64_t)l->sub * BLOCK;
		if (at >= fsize || (i > 0 && t->data[i - 1].ino == l->ino && t->data[i - 1].sub == l->sub))
			continue;
		char err[200];
		long got = decode_block(t, l, err, sizeof err);
		if (got < 0) {
			fv_xctx_error(w->x, "data node of inode %u block %u at 0x%llx: %s", in->ino, l->sub,
				      (unsigned long long)(l->n - w->s->p), err);
			fail(w, (int)got);
			continue; /* left as a hole */
		}
		if (at > pos)
			r = write_zeros(f, at - pos);
		uint64_t n = (uint64_t)got;
		if (n > fsize - at)
			n = fsize - at;
		if (!r)
			r = fv_sink_write(f, t->buf, (size_t)n);
		pos = at + n;
	}
	if (!r && pos < fsize)
		r = write_zeros(f, fsize - pos);
	int c = fv_sink_close(f);
	return r ? r : c;
}

struct qent {
	uint32_t ino;
	char *path;
};

static char *join(const char *dir, const uint8_t *name, size_t nlen)
{
	size_t dl = strlen(dir);
	if (dl + 1 + nlen + 1 > MAX_PATH_LEN)
		return NULL;
	char *p = malloc(dl + nlen + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, dl);
	size_t o = dl;
	if (dl)
		p[o++] = '/';
	memcpy(p + o, name, nlen);
	p[o + nlen] = 0;
	return p;
}

static void attr_of(const struct inode *in, struct fv_attr *a)
{
	a->mode = fv_get_le32(in->n + 104);
	a->uid = fv_get_le32(in->n + 96);
	a->gid = fv_get_le32(in->n + 100);
	a->mtime = (int64_t)fv_get_le64(in->n + 72);
}

/* Writes one non-directory member. */
static int write_member(struct tree *t, struct inode *in, char *path)
{
	struct walk *w = t->w;
	if (in->path)
		return fv_sink_hardlink(w->x, path, in->path);
	struct fv_attr a;
	attr_of(in, &a);
	uint32_t dlen = fv_get_le32(in->n + 112);
	const uint8_t *data = in->n + INO_SIZE;
	if (dlen > in->len - INO_SIZE) {
		fv_xctx_error(w->x, "inode %u at 0x%llx: data length %u exceeds the node", in->ino,
			      (unsigned long long)(in->n - w->s->p), dlen);
		fail(w, FV_EFORMAT);
		return 0;
	}
	int r = 0;
	switch (a.mode & S_IFMT) {
	case S_IFREG:
		r = write_file(t, path, in, &a);
		break;
	case S_IFLNK: {
		char target[MAX_PATH_LEN + 1];
		size_t n = dlen < MAX_PATH_LEN ? dlen : MAX_PATH_LEN;
		memcpy(target, data, n);
		target[n] = 0;
		r = fv_sink_symlink(w->x, path, target, &a);
		break;
	}
	case S_IFCHR:
	case S_IFBLK: {
		uint64_t rdev = 0;
		if (dlen == 4) {
			uint32_t d = fv_get_le32(data); /* Linux new_encode_dev */
			rdev = makedev((d & 0xfff00) >> 8, (d & 0xff) | ((d >> 12) & 0xfff00));
		} else if (dlen == 8) {
			uint64_t d = fv_get_le64(data); /* huge_encode_dev */
			rdev = makedev((uint32_t)(d >> 32) ? (uint32_t)(d >> 32) : (uint32_t)((d & 0xfff00) >> 8),
				       (d & 0xff) | ((d >> 12) & 0xfff00));
		}
		r = fv_sink_special(w->x, path, &a, rdev);
		break;
	}
	case S_IFIFO:
	case S_IFSOCK:
		r = fv_sink_special(w->x, path, &a, 0);
		break;
	default:
		fv_xctx_error(w->x, "inode %u: unknown file type in mode 0%o", in->ino, a.mode);
		fail(w, FV_EFORMAT);
		return 0;
	}
	if (!r)
		in->path = strdup(path);
	return r;
}

/* Breadth-first from the root; each directory is expanded once. */
static int write_tree(struct tree *t)
{
	struct walk *w = t->w;
	struct inode *root = find_inode(t, 1);
	if (!root) {
		fv_xctx_error(w->x, "index: expected the root directory inode 1, found none");
		return FV_EFORMAT;
	}
	struct qent *q = malloc(sizeof *q * (t->ninodes + 1));
	if (!q)
		return FV_ENOMEM;
	size_t qh = 0, qt = 0;
	root->seen = 1;
	q[qt++] = (struct qent){ 1, strdup("") };
	int r = 0;
	while (qh < qt && r != FV_ELIMIT && r != FV_ENOMEM) {
		struct qent e = q[qh++];
		if (!e.path) {
			r = FV_ENOMEM;
			break;
		}
		struct inode *dir = find_inode(t, e.ino);
		struct fv_attr a;
		attr_of(dir, &a);
		if (e.path[0]) {
			r = fv_sink_dir(w->x, e.path, &a);
			if (r && r != FV_ELIMIT && r != FV_ENOMEM) {
				fail(w, r);
				r = 0;
			}
		}
		for (size_t i = first_of(t->dents, t->ndents, e.ino);
		     i < t->ndents && t->dents[i].ino == e.ino && r != FV_ELIMIT && r != FV_ENOMEM; i++) {
			const uint8_t *n = t->dents[i].n;
			uint32_t target = (uint32_t)fv_get_le64(n + 40);
			uint16_t nlen = fv_get_le16(n + 50);
			const uint8_t *name = n + DENT_SIZE;
			unsigned long long where = (unsigned long long)(n - w->s->p);
			if (nlen == 0 || nlen > t->dents[i].len - DENT_SIZE || memchr(name, '/', nlen) ||
			    memchr(name, 0, nlen) || (nlen == 1 && name[0] == '.') ||
			    (nlen == 2 && name[0] == '.' && name[1] == '.')) {
				fv_xctx_error(w->x, "directory entry at 0x%llx: expected a name without '/' or NUL that fits the node",
					      where);
				fail(w, FV_EFORMAT);
				continue;
			}
			struct inode *in = find_inode(t, target);
			if (!in) {
				fv_xctx_error(w->x, "directory entry at 0x%llx: inode %u not in the index", where, target);
				fail(w, FV_EFORMAT);
				continue;
			}
			char *path = join(e.path, name, nlen);
			if (!path) {
				fv_xctx_error(w->x, "directory entry at 0x%llx: path longer than %d bytes", where,
					      MAX_PATH_LEN);
				fail(w, FV_ELIMIT);
				continue;
			}
			if ((fv_get_le32(in->n + 104) & S_IFMT) == S_IFDIR) {
				if (in->seen) {
					fv_xctx_error(w->x, "directory entry at 0x%llx: directory inode %u reached twice (a loop)",
						      where, target);
					fail(w, FV_EFORMAT);
					free(path);
					continue;
				}
				in->seen = 1;
				q[qt++] = (struct qent){ target, path };
				continue;
			}
			r = write_member(t, in, path);
			if (r && r != FV_ELIMIT && r != FV_ENOMEM) {
				fail(w, r);
				r = 0;
			}
			free(path);
		}
		free(e.path);
	}
	while (qh < qt)
		free(q[qh++].path);
	free(q);
	return r;
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	struct fs s;
	memset(&s, 0, sizeof s);
	int r = parse_sb(p, size, &s);
	if (r) {
		fv_xctx_error(x, "superblock at 0x0: expected a UBIFS superblock node with a valid CRC");
		return r;
	}
	if (s.flags & FLG_AUTH) {
		fv_xctx_error(x, "superblock at 0x1c: flags 0x%x: authenticated UBIFS is not read", s.flags);
		return FV_EUNSUP;
	}
	s.p = p;
	s.size = size;
	find_master(&s);
	if (!s.have_mst) {
		fv_xctx_error(x, "master node in LEB 1 or 2 (0x%x): expected a valid master node, found none",
			      s.leb_size);
		return FV_EFORMAT;
	}
	struct walk w = { x, &s, NULL, 0, 0, size / 8 + 64, (uint64_t)size * 4 + (1u << 20), 0, 0 };
	r = walk_index(&w);
	if (r) {
		free(w.leaves);
		return r;
	}
	if (!w.nleaves) {
		fv_xctx_error(x, "index: expected inode, data and entry nodes, found none");
		return w.rc ? w.rc : FV_EFORMAT;
	}
	qsort(w.leaves, w.nleaves, sizeof *w.leaves, leaf_cmp);
	struct tree t = { &w, NULL, 0, NULL, NULL, 0, 0, NULL };
	size_t nino = 0, ndata = 0;
	for (size_t i = 0; i < w.nleaves; i++) {
		nino += w.leaves[i].type == T_INO;
		ndata += w.leaves[i].type == T_DATA;
	}
	t.inodes = calloc(nino + 1, sizeof *t.inodes);
	t.buf = malloc(BLOCK);
	if (!t.inodes || !t.buf) {
		free(t.inodes);
		free(t.buf);
		free(w.leaves);
		return FV_ENOMEM;
	}
	/* The leaves are sorted by type: inodes, then data, then entries. */
	for (size_t i = 0; i < nino; i++) {
		const struct leaf *l = &w.leaves[i];
		if (t.ninodes && t.inodes[t.ninodes - 1].ino == l->ino)
			continue;
		t.inodes[t.ninodes++] = (struct inode){ l->ino, l->n, l->len, 0, NULL };
	}
	t.data = w.leaves + nino;
	t.ndata = ndata;
	t.dents = w.leaves + nino + ndata;
	t.ndents = w.nleaves - nino - ndata;
	r = write_tree(&t);
	for (size_t i = 0; i < t.ninodes; i++)
		free(t.inodes[i].path);
	free(t.inodes);
	free(t.buf);
	free(w.leaves);
	if (r)
		return r;
	return w.rc;
}

/* Only superblocks: the common header's magic with node type 6 at 20. */
static const struct fv_magic magics[] = {
	{ "\\x31\\x18\\x10\\x06.{16}\\x06", 21, 0 },
	{ NULL, 0, 0 },
};

const struct fv_format fv_format_ubifs = {
	"ubifs",
	"UBIFS images: superblock, master node and index walked; zlib, lzo, zstd",
	magics, probe, extract,
	0,
};
