/*
 * JFFS2, read in-process, little and big endian.
 *
 * A JFFS2 image is a log of nodes, each starting with the 16-bit word
 * 0x1985, a node type, a total length and a CRC of those 8 bytes.  Nodes are
 * 4-byte aligned; erased flash (0xFF) and dirty space (0x00) may sit between
 * them and at erase block ends, whose size the image does not record.  The
 * filesystem is whatever the newest version of every inode and directory
 * entry says: inode nodes carry attributes and one compressed range of file
 * data each, dirent nodes bind (parent, name) to an inode, ino 0 deleting it.
 */
#include "unpack/format.h"

#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <zlib.h>

#include "core/err.h"
#include "unpack/codec/lzo1x.h"
#include "unpack/codec/stream.h"
#include "unpack/sink.h"

#define J_MAGIC 0x1985
#define J_ACCURATE 0x2000
#define J_DIRENT 0xE001
#define J_INODE 0xE002
#define J_CLEANMARKER 0x2003

#define HDR_LEN 12
#define DIRENT_LEN 40
#define INODE_LEN 68

/* Garbage tolerated between two nodes before the structure is deemed over:
 * a bad node is skipped a word at a time, as the kernel does. */
#define RESYNC_MAX 4096
/* A data node holds at most a page; allow the largest page sizes in use. */
#define DSIZE_MAX (1u << 20)
#define DEPTH_MAX 256
#define PATH_MAX_LEN 4096

enum { C_NONE, C_ZERO, C_RTIME, C_RUBINMIPS, C_COPY, C_DYNRUBIN, C_ZLIB, C_LZO, C_LZMA, C_COUNT };
static const char *const compr_names[C_COUNT] = {
	"none", "zero", "rtime", "rubinmips", "copy", "dynrubin", "zlib", "lzo", "lzma",
};

static uint16_t rd16(const uint8_t *q, int be)
{
	return be ? (uint16_t)(q[0] << 8 | q[1]) : (uint16_t)(q[1] << 8 | q[0]);
}

static uint32_t rd32(const uint8_t *q, int be)
{
	if (be)
		return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
	return (uint32_t)q[3] << 24 | (uint32_t)q[2] << 16 | (uint32_t)q[1] << 8 | q[0];
}

/* JFFS2's CRC is the plain CRC-32 register with seed 0 and no final
 * inversion; zlib's pre- and post-inverts, hence the complements. */
static uint32_t jcrc(const uint8_t *p, size_t n)
{
	return (uint32_t)crc32(0xffffffffUL, p, (uInt)n) ^ 0xffffffffu;
}

/* The header CRC is computed with the ACCURATE bit set: obsoleting a node
 * clears that bit on flash without rewriting the CRC. */
static int hdr_ok(const uint8_t *q, int be)
{
	uint8_t h[8];
	memcpy(h, q, 8);
	uint16_t t = rd16(q + 2, be) | J_ACCURATE;
	h[2] = be ? (uint8_t)(t >> 8) : (uint8_t)t;
	h[3] = be ? (uint8_t)t : (uint8_t)(t >> 8);
	return jcrc(h, 8) == rd32(q + 8, be);
}

struct walk {
	const uint8_t *p;
	size_t len;
	int be;
	size_t off;       /* next place to look */
	size_t end;       /* end of the last valid node */
	unsigned bad_hdr; /* magic found, header CRC wrong */
	size_t first_bad; /* offset of the first, SIZE_MAX if none */
	int truncated;    /* a valid header claims more bytes than there are */
};

static void walk_init(struct walk *w, const uint8_t *p, size_t len, int be)
{
	memset(w, 0, sizeof *w);
	w->p = p;
	w->len = len;
	w->be = be;
	w->first_bad = SIZE_MAX;
}

/* Finds the next node with a valid header; 0 at the end of the structure. */
static int walk_next(struct walk *w, size_t *at, uint16_t *type, uint32_t *tot)
{
	size_t gap = SIZE_MAX;
	while (w->len >= HDR_LEN && w->off <= w->len - HDR_LEN) {
		const uint8_t *q = w->p + w->off;
		uint32_t word;
		memcpy(&word, q, 4);
		if (word == 0xffffffffu || word == 0) {
			w->off += 4;
			continue;
		}
		if (rd16(q, w->be) == J_MAGIC) {
			if (hdr_ok(q, w->be)) {
				uint32_t t = rd32(q + 4, w->be);
				if (t >= HDR_LEN) {
					if (t > w->len - w->off) {
						w->truncated = 1;
						return 0;
					}
					*at = w->off;
					*type = rd16(q + 2, w->be);
					*tot = t;
					w->end = w->off + t;
					w->off = w->off + ((t + 3) & ~(size_t)3);
					return 1;
				}
			}
			if (w->first_bad == SIZE_MAX)
				w->first_bad = w->off;
			w->bad_hdr++;
		}
		if (gap == SIZE_MAX)
			gap = w->off;
		else if (w->off - gap > RESYNC_MAX)
			return 0;
		w->off += 4;
	}
	return 0;
}

static int node_crc_ok(const uint8_t *q, uint16_t type, uint32_t tot, int be)
{
	if (type == J_DIRENT)
		return tot >= DIRENT_LEN && jcrc(q, 32) == rd32(q + 32, be);
	if (type == J_INODE)
		return tot >= INODE_LEN && jcrc(q, 60) == rd32(q + 64, be);
	return 1;
}

/* ---- probe ---------------------------------------------------------------- */

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	if (avail < HDR_LEN)
		return FV_ETRUNC;
	int be = p[0] == 0x19;
	if (rd16(p, be) != J_MAGIC || !hdr_ok(p, be))
		return FV_EFORMAT;
	struct walk w;
	walk_init(&w, p, avail, be);
	size_t at, cm_first = SIZE_MAX, cm_second = SIZE_MAX;
	uint16_t type;
	uint32_t tot;
	unsigned long nodes = 0, inodes = 0, dirents = 0, cms = 0, bad_node = 0;
	unsigned comprs = 0;
	while (walk_next(&w, &at, &type, &tot)) {
		const uint8_t *q = p + at;
		nodes++;
		if (!node_crc_ok(q, type, tot, be)) {
			bad_node++;
			continue;
		}
		if (type == J_DIRENT) {
			dirents++;
		} else if (type == J_INODE) {
			inodes++;
			if (q[56] < C_COUNT)
				comprs |= 1u << q[56];
		} else if (type == J_CLEANMARKER) {
			cms++;
			if (cm_first == SIZE_MAX)
				cm_first = at;
			else if (cm_second == SIZE_MAX)
				cm_second = at;
		}
	}
	/* An erased JFFS2 partition holds only cleanmarkers; taking it as one
	 * chunk also keeps identify linear on one. */
	int empty = inodes + dirents == 0;
	if (nodes < 2 || (empty && cms < 2))
		return FV_EFORMAT;
	out->size = w.truncated ? avail : w.end;
	out->truncated = w.truncated;
	out->conf = empty ? FV_CONF_LOW : (nodes - bad_node >= 4 ? FV_CONF_HIGH : FV_CONF_MEDIUM);
	fv_probe_desc(out, "JFFS2 %s endian", be ? "big" : "little");
	if (empty)
		fv_probe_desc(out, ", empty (cleanmarkers only)");
	else
		fv_probe_desc(out, ", %lu inode nodes, %lu dirents", inodes, dirents);
	if (comprs) {
		fv_probe_desc(out, ", compression");
		const char *sep = " ";
		for (unsigned c = 0; c < C_COUNT; c++)
			if (comprs & (1u << c)) {
				fv_probe_desc(out, "%s%s", sep, compr_names[c]);
				sep = "+";
			}
	}
	if (cm_second != SIZE_MAX)
		fv_probe_desc(out, ", erase block 0x%zx", cm_second - cm_first);
	if (w.bad_hdr + bad_node)
		fv_probe_desc(out, ", %lu bad CRCs", (unsigned long)w.bad_hdr + bad_node);
	fv_probe_desc(out, ", %llu bytes", (unsigned long long)out->size);
	return 0;
}

/* ---- decompression ------------------------------------------------------------ */

/* rtime: pairs of (byte, repeat); the repeat copies from just after the
 * previous occurrence of that byte. */
static int rtime_decode(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
	size_t last[256] = { 0 };
	size_t i = 0, o = 0;
	while (o < outlen) {
		if (inlen - i < 2)
			return FV_ETRUNC;
		uint8_t c = in[i++];
		size_t rep = in[i++];
		out[o++] = c;
		size_t back = last[c];
		last[c] = o;
		if (rep > outlen - o)
			return FV_EFORMAT;
		/* back < o, so overlapping copies repeat as intended. */
		while (rep--)
			out[o++] = out[back++];
	}
	return 0;
}

/* The LZMA variant in vendor kernels (OpenWrt's): a raw LZMA1 stream with
 * lc=0 lp=0 pb=0 and no header; the dictionary only has to cover a node. */
static int lzma_decode(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
	lzma_options_lzma opt;
	memset(&opt, 0, sizeof opt);
	opt.dict_size = outlen < LZMA_DICT_SIZE_MIN ? LZMA_DICT_SIZE_MIN : (uint32_t)outlen;
	opt.lc = 0;
	opt.lp = 0;
	opt.pb = 0;
	lzma_filter f[2] = { { LZMA_FILTER_LZMA1, &opt }, { LZMA_VLI_UNKNOWN, NULL } };
	lzma_stream s = LZMA_STREAM_INIT;
	if (lzma_raw_decoder(&s, f) != LZMA_OK)
		return FV_ENOMEM;
	s.next_in = in;
	s.avail_in = inlen;
	s.next_out = out;
	s.avail_out = outlen;
	lzma_ret r = lzma_code(&s, LZMA_FINISH);
	size_t left = s.avail_out;
	lzma_end(&s);
	if (left == 0)
		return 0;
	return r == LZMA_OK || r == LZMA_BUF_ERROR || r == LZMA_STREAM_END ? FV_ETRUNC : FV_EFORMAT;
}

struct membuf {
	uint8_t *p;
	size_t cap, n;
};

static int membuf_out(void *ctx, const uint8_t *p, size_t n)
{
	struct membuf *m = ctx;
	if (n > m->cap - m->n)
		return FV_ELIMIT;
	memcpy(m->p + m->n, p, n);
	m->n += n;
	return 0;
}

/* Decodes a node's data into out[0..dsize); returns 0 or a negative fv_err. */
static int decode_node(unsigned compr, const uint8_t *in, size_t csize, uint8_t *out, size_t dsize)
{
	switch (compr) {
	case C_NONE:
	case C_COPY:
		if (csize < dsize)
			return FV_ETRUNC;
		memcpy(out, in, dsize);
		return 0;
	case C_ZERO:
		memset(out, 0, dsize);
		return 0;
	case C_RTIME:
		return rtime_decode(in, csize, out, dsize);
	case C_ZLIB: {
		struct membuf m = { out, dsize, 0 };
		struct fv_decode res;
		int r = fv_decode(FV_CODEC_ZLIB, in, csize, dsize, membuf_out, &m, &res);
		if (r == 0 && m.n != dsize)
			r = FV_ETRUNC;
		return r;
	}
	case C_LZO: {
		size_t n = dsize, used;
		int r = fv_lzo1x_decompress(in, csize, out, &n, &used);
		if (r == 0 && n != dsize)
			r = FV_ETRUNC;
		return r;
	}
	case C_LZMA:
		return lzma_decode(in, csize, out, dsize);
	default:
		return FV_EUNSUP;
	}
}

/* ---- extraction --------------------------------------------------------------- */

struct dent {
	uint32_t pino, version, ino;
	uint8_t type, nsize;
	const uint8_t *name;
	size_t at;
};

struct inode_node {
	uint32_t ino, version;
	size_t at;
};

struct inode {
	uint32_t ino;
	size_t first, n; /* range in the sorted inode_node array */
	char *path;      /* first path a file was written at, for hard links */
	int visited;
};

struct jx {
	struct fv_xctx *x;
	const uint8_t *p;
	size_t size;
	int be;
	struct dent *d;
	size_t nd;
	struct inode_node *in;
	size_t nin;
	struct inode *ino;
	size_t nino;
	uint8_t *scratch;
	unsigned long errors, crc_bad;
	int stop;
	int root_visited;
};

#define JERR(j, ...)                                                                               \
	do {                                                                                       \
		(j)->errors++;                                                                     \
		fv_xctx_error((j)->x, __VA_ARGS__);                                                \
	} while (0)

static int sink_rc(struct jx *j, int r)
{
	if (r == FV_ELIMIT)
		j->stop = 1;
	else if (r != 0)
		j->errors++;
	return r;
}

static int cmp_dent(const void *a, const void *b)
{
	const struct dent *x = a, *y = b;
	if (x->pino != y->pino)
		return x->pino < y->pino ? -1 : 1;
	size_t n = x->nsize < y->nsize ? x->nsize : y->nsize;
	int c = memcmp(x->name, y->name, n);
	if (c)
		return c;
	if (x->nsize != y->nsize)
		return x->nsize < y->nsize ? -1 : 1;
	if (x->version != y->version)
		return x->version < y->version ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

static int cmp_inode_node(const void *a, const void *b)
{
	const struct inode_node *x = a, *y = b;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->version != y->version)
		return x->version < y->version ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 256;
	void *q = realloc(*arr, nc * elem);
	if (!q)
		return FV_ENOMEM;
	*arr = q;
	*cap = nc;
	return 0;
}

/* Reads every node, keeping those whose CRCs hold. */
static int collect(struct jx *j)
{
	struct walk w;
	walk_init(&w, j->p, j->size, j->be);
	size_t at, capd = 0, capi = 0;
	uint16_t type;
	uint32_t tot;
	while (walk_next(&w, &at, &type, &tot)) {
		const uint8_t *q = j->p + at;
		if (type == J_DIRENT) {
			if (tot < DIRENT_LEN) {
				JERR(j, "dirent at 0x%zx: expected at least %u bytes, found %u", at,
				     DIRENT_LEN, tot);
				continue;
			}
			uint32_t c = jcrc(q, 32), want = rd32(q + 32, j->be);
			if (c != want) {
				j->crc_bad++;
				JERR(j, "dirent node CRC at 0x%zx: expected 0x%08x, found 0x%08x", at + 32,
				     c, want);
				continue;
			}
			uint8_t ns = q[28];
			if (ns == 0 || DIRENT_LEN + (size_t)ns > tot) {
				JERR(j, "dirent at 0x%zx: name of %u bytes does not fit a %u-byte node", at,
				     ns, tot);
				continue;
			}
			c = jcrc(q + DIRENT_LEN, ns);
			want = rd32(q + 36, j->be);
			if (c != want) {
				j->crc_bad++;
				JERR(j, "dirent name CRC at 0x%zx: expected 0x%08x, found 0x%08x", at + 36,
				     c, want);
				continue;
			}
			if (grow((void **)&j->d, &capd, j->nd, sizeof *j->d))
				return FV_ENOMEM;
			j->d[j->nd++] = (struct dent){ rd32(q + 12, j->be), rd32(q + 16, j->be),
						       rd32(q + 20, j->be), q[29], ns, q + DIRENT_LEN, at };
		} else if (type == J_INODE) {
			if (tot < INODE_LEN) {
				JERR(j, "inode at 0x%zx: expected at least %u bytes, found %u", at,
				     INODE_LEN, tot);
				continue;
			}
			uint32_t c = jcrc(q, 60), want = rd32(q + 64, j->be);
			if (c != want) {
				j->crc_bad++;
				JERR(j, "inode node CRC at 0x%zx: expected 0x%08x, found 0x%08x", at + 64,
				     c, want);
				continue;
			}
			uint32_t csize = rd32(q + 48, j->be);
			if (csize > tot - INODE_LEN) {
				JERR(j, "inode at 0x%zx: %u bytes of data do not fit a %u-byte node", at,
				     csize, tot);
				continue;
			}
			c = jcrc(q + INODE_LEN, csize);
			want = rd32(q + 60, j->be);
			if (c != want) {
				j->crc_bad++;
				JERR(j, "inode data CRC at 0x%zx: expected 0x%08x, found 0x%08x", at + 60,
				     c, want);
				continue;
			}
			if (grow((void **)&j->in, &capi, j->nin, sizeof *j->in))
				return FV_ENOMEM;
			j->in[j->nin++] = (struct inode_node){ rd32(q + 12, j->be), rd32(q + 16, j->be),
							       at };
		}
	}
	j->crc_bad += w.bad_hdr;
	if (w.bad_hdr)
		JERR(j, "node header CRC at 0x%zx: mismatch (%u node headers skipped)",
		     w.first_bad + 8, w.bad_hdr);
	return 0;
}

static int index_inodes(struct jx *j)
{
	qsort(j->in, j->nin, sizeof *j->in, cmp_inode_node);
	j->ino = calloc(j->nin ? j->nin : 1, sizeof *j->ino);
	if (!j->ino)
		return FV_ENOMEM;
	for (size_t i = 0; i < j->nin; i++) {
		if (j->nino && j->ino[j->nino - 1].ino == j->in[i].ino) {
			j->ino[j->nino - 1].n++;
			continue;
		}
		j->ino[j->nino++] = (struct inode){ j->in[i].ino, i, 1, NULL, 0 };
	}
	return 0;
}

/* Keeps the newest dirent of each (parent, name), then drops deletions. */
static void resolve_dirents(struct jx *j)
{
	qsort(j->d, j->nd, sizeof *j->d, cmp_dent);
	size_t o = 0;
	for (size_t i = 0; i < j->nd; i++) {
		int last = i + 1 == j->nd || j->d[i + 1].pino != j->d[i].pino ||
			   j->d[i + 1].nsize != j->d[i].nsize ||
			   memcmp(j->d[i + 1].name, j->d[i].name, j->d[i].nsize) != 0;
		if (last && j->d[i].ino != 0)
			j->d[o++] = j->d[i];
	}
	j->nd = o;
}

static struct inode *find_inode(struct jx *j, uint32_t ino)
{
	size_t lo = 0, hi = j->nino;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (j->ino[mid].ino == ino)
			return &j->ino[mid];
		if (j->ino[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const uint8_t *newest(struct jx *j, const struct inode *in)
{
	return j->p + j->in[in->first + in->n - 1].at;
}

static void attr_of(struct jx *j, const struct inode *in, struct fv_attr *a)
{
	const uint8_t *q = newest(j, in);
	a->mode = rd32(q + 20, j->be);
	a->uid = rd16(q + 24, j->be);
	a->gid = rd16(q + 26, j->be);
	a->mtime = rd32(q + 36, j->be);
}

/*
 * Assembles an inode's data, nodes applied oldest first so newer ranges
 * win; a node's isize cuts off whatever lay beyond it at that version.
 * Returns a malloc'd buffer of *len bytes (holes are zeros), or NULL.
 */
static uint8_t *assemble(struct jx *j, const struct inode *in, const char *path, size_t *len)
{
	uint64_t isize = rd32(newest(j, in) + 28, j->be);
	/* Sparse files may be larger than the image, but not absurdly so. */
	uint64_t cap = (uint64_t)j->size * 64 + (16u << 20);
	if (cap > (512u << 20))
		cap = 512u << 20;
	if (isize > cap) {
		JERR(j, "%s: inode %u claims %llu bytes, more than this %zu-byte image can hold", path,
		     in->ino, (unsigned long long)isize, j->size);
		return NULL;
	}
	uint8_t *buf = calloc(isize ? isize : 1, 1);
	if (!buf) {
		JERR(j, "%s: out of memory for %llu bytes", path, (unsigned long long)isize);
		return NULL;
	}
	for (size_t k = 0; k < in->n; k++) {
		size_t at = j->in[in->first + k].at;
		const uint8_t *q = j->p + at;
		uint32_t nsize = rd32(q + 28, j->be), off = rd32(q + 44, j->be);
		uint32_t csize = rd32(q + 48, j->be), dsize = rd32(q + 52, j->be);
		unsigned compr = q[56];
		if (dsize) {
			if (dsize > DSIZE_MAX) {
				JERR(j, "%s: data node at 0x%zx: expected at most %u bytes, found dsize %u",
				     path, at, DSIZE_MAX, dsize);
			} else {
				int r = decode_node(compr, q + INODE_LEN, csize, j->scratch, dsize);
				if (r) {
					JERR(j, "%s: data node at 0x%zx: %s data (%u -> %u bytes) not "
						"decoded: %s",
					     path, at, compr < C_COUNT ? compr_names[compr] : "unknown",
					     csize, dsize, fv_strerror(r));
				} else if (off < isize) {
					size_t n = isize - off < dsize ? (size_t)(isize - off) : dsize;
					memcpy(buf + off, j->scratch, n);
				}
			}
		}
		if (nsize < isize)
			memset(buf + nsize, 0, (size_t)(isize - nsize));
	}
	*len = (size_t)isize;
	return buf;
}

static void walk_dir(struct jx *j, uint32_t dino, char *path, size_t plen, unsigned depth);

static void emit(struct jx *j, const struct dent *d, char *path, size_t plen, unsigned depth)
{
	struct inode *in = find_inode(j, d->ino);
	struct fv_attr a = { 0 };
	if (!in) {
		/* Only a directory makes sense without its own node: its members
		 * are reachable through their dirents all the same. */
		if (d->type != 4) {
			JERR(j, "%s: dirent at 0x%zx names inode %u, which has no valid node", path,
			     d->at, d->ino);
			return;
		}
		a.mode = S_IFDIR | 0755;
		if (d->ino == 1 || sink_rc(j, fv_sink_dir(j->x, path, &a)) == FV_ELIMIT)
			return;
		walk_dir(j, d->ino, path, plen, depth + 1);
		return;
	}
	attr_of(j, in, &a);
	switch (a.mode & S_IFMT) {
	case S_IFDIR:
		if (in->visited || d->ino == 1) {
			JERR(j, "%s: directory inode %u reached twice (a loop); not entered", path,
			     d->ino);
			return;
		}
		in->visited = 1;
		if (sink_rc(j, fv_sink_dir(j->x, path, &a)) == FV_ELIMIT)
			return;
		walk_dir(j, d->ino, path, plen, depth + 1);
		return;
	case S_IFREG: {
		if (in->path) {
			sink_rc(j, fv_sink_hardlink(j->x, path, in->path));
			return;
		}
		size_t len;
		uint8_t *buf = assemble(j, in, path, &len);
		if (!buf)
			return;
		if (sink_rc(j, fv_sink_file(j->x, path, &a, buf, len)) == 0)
			in->path = strdup(path);
		free(buf);
		return;
	}
	case S_IFLNK: {
		size_t len;
		uint8_t *buf = assemble(j, in, path, &len);
		if (!buf)
			return;
		if (len == 0 || len > PATH_MAX_LEN || memchr(buf, 0, len)) {
			JERR(j, "%s: symlink inode %u: expected a target of 1 to %u bytes without NUL, "
				"found %zu bytes",
			     path, d->ino, PATH_MAX_LEN, len);
			free(buf);
			return;
		}
		char *t = malloc(len + 1);
		if (t) {
			memcpy(t, buf, len);
			t[len] = 0;
			sink_rc(j, fv_sink_symlink(j->x, path, t, &a));
			free(t);
		}
		free(buf);
		return;
	}
	case S_IFCHR:
	case S_IFBLK: {
		size_t len;
		uint64_t rdev = 0;
		uint8_t *buf = assemble(j, in, path, &len);
		if (!buf)
			return;
		if (len == 2) {
			/* The old 16-bit encoding: major in the high byte. */
			uint16_t v = rd16(buf, j->be);
			rdev = makedev(v >> 8, v & 0xff);
		} else if (len == 4) {
			uint32_t v = rd32(buf, j->be);
			rdev = makedev((v >> 8) & 0xfff, (v & 0xff) | ((v >> 12) & 0xfff00));
		} else {
			JERR(j, "%s: device inode %u: expected 2 or 4 bytes of device number, found %zu",
			     path, d->ino, len);
		}
		free(buf);
		sink_rc(j, fv_sink_special(j->x, path, &a, rdev));
		return;
	}
	case S_IFIFO:
	case S_IFSOCK:
		sink_rc(j, fv_sink_special(j->x, path, &a, 0));
		return;
	default:
		JERR(j, "%s: inode %u has unknown mode 0%o", path, d->ino, a.mode);
	}
}

static size_t first_child(struct jx *j, uint32_t dino)
{
	size_t lo = 0, hi = j->nd;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (j->d[mid].pino < dino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void walk_dir(struct jx *j, uint32_t dino, char *path, size_t plen, unsigned depth)
{
	if (depth > DEPTH_MAX) {
		JERR(j, "%s: directories nested deeper than %u levels; not entered", path, DEPTH_MAX);
		return;
	}
	for (size_t i = first_child(j, dino); i < j->nd && j->d[i].pino == dino && !j->stop; i++) {
		const struct dent *d = &j->d[i];
		if (memchr(d->name, '/', d->nsize) || memchr(d->name, 0, d->nsize)) {
			JERR(j, "dirent at 0x%zx: name contains '/' or NUL", d->at);
			continue;
		}
		size_t n = plen + (plen ? 1 : 0) + d->nsize;
		if (n >= PATH_MAX_LEN) {
			JERR(j, "dirent at 0x%zx: path longer than %u bytes", d->at, PATH_MAX_LEN);
			continue;
		}
		size_t o = plen;
		if (plen)
			path[o++] = '/';
		memcpy(path + o, d->name, d->nsize);
		path[n] = 0;
		emit(j, d, path, n, depth);
		path[plen] = 0;
	}
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	if (size < HDR_LEN)
		return FV_ETRUNC;
	struct jx j;
	memset(&j, 0, sizeof j);
	j.x = x;
	j.p = p;
	j.size = size;
	j.be = p[0] == 0x19;
	char *path = malloc(PATH_MAX_LEN + 1);
	j.scratch = malloc(DSIZE_MAX);
	int rc = FV_ENOMEM;
	if (!path || !j.scratch || collect(&j) || index_inodes(&j))
		goto out;
	resolve_dirents(&j);
	struct inode *root = find_inode(&j, 1);
	if (root)
		root->visited = 1;
	path[0] = 0;
	walk_dir(&j, 1, path, 0, 0);
	rc = j.stop ? FV_ELIMIT : j.crc_bad ? FV_ECRC : j.errors ? FV_EFORMAT : 0;
out:
	if (rc == FV_ENOMEM)
		fv_xctx_error(x, "out of memory reading %zu bytes of JFFS2 nodes", size);
	for (size_t i = 0; i < j.nino; i++)
		free(j.ino[i].path);
	free(j.ino);
	free(j.in);
	free(j.d);
	free(j.scratch);
	free(path);
	return rc;
}

/* The 0x1985 word and the type of a node that can open an image (cleanmarker,
 * dirent, inode), in either byte order, as one expression. */
static const struct fv_magic magics[] = {
	{ "\\x85\\x19(?:[\\x01\\x02]\\xe0|\\x03\\x20)|\\x19\\x85(?:\\xe0[\\x01\\x02]|\\x20\\x03)", 4, 0 },
	{ NULL, 0, 0 },
};

const struct fv_format fv_format_jffs2 = {
	"jffs2",
	"JFFS2 little and big endian; zlib, rtime, lzo, lzma, none; newest node versions win",
	magics, probe, extract,
	FV_FMT_RECORDS,
};
