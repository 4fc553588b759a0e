/*
 * squashfs.
 *
 * 4.0 little-endian images (what Linux mounts and mksquashfs writes) are
 * read with libsquashfs straight from the mapped chunk: our own sqfs_file_t
 * serves reads from memory and refuses writes.  Debian's libsquashfs has no
 * LZO (liblzo2 is GPL), so an LZO image gets a compressor object of ours
 * around fv_lzo1x_decompress().  File data is decoded block by block here
 * rather than through sqfs_data_reader, so that a file is streamed to the
 * sink one block at a time, each bad block is reported with its offset, and
 * reading block n does not cost n steps; and so that blocks can be decoded
 * on every core while this thread alone writes (see "Extraction" below).
 *
 * Big-endian 4.0 images (some old MIPS vendor SDKs) are rewritten as little
 * endian in memory first (see fv_squashfs_swap).  The 2.x/3.x layouts are
 * read by our own code (squashfs_legacy.c).
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <sqfs/block.h>
#include <sqfs/compressor.h>
#include <sqfs/dir.h>
#include <sqfs/dir_reader.h>
#include <sqfs/error.h>
#include <sqfs/frag_table.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/super.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/codec/lzo1x.h"
#include "unpack/format.h"
#include "unpack/formats/squashfs.h"
#include "unpack/sink.h"

#define SB4_SIZE 96
#define NO_TABLE UINT64_MAX
#define MAX_DEPTH 128 /* deeper than any real tree; bounds the recursion */

static const char *const comp_names[] = { "?", "gzip", "lzma", "lzo", "xz", "lz4", "zstd" };

struct sb {
	int be;
	unsigned major, minor;
	uint32_t inodes, mtime, block_size, frag_count;
	unsigned comp, block_log, flags, ids;
	uint64_t root, bytes_used, id_tab, xattr_tab, inode_tab, dir_tab, frag_tab, export_tab;
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

static void date_utc(uint32_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d", &tm))
		snprintf(buf, len, "?");
}

static int log2_exact(uint32_t v)
{
	if (v == 0 || (v & (v - 1)))
		return -1;
	return __builtin_ctz(v);
}

static void parse_sb4(const uint8_t *p, int be, struct sb *s)
{
	struct fv_cur c = fv_cur_make(p, SB4_SIZE);
	fv_cur_skip(&c, 4);
	s->be = be;
	s->inodes = fv_cur_u32e(&c, be);
	s->mtime = fv_cur_u32e(&c, be);
	s->block_size = fv_cur_u32e(&c, be);
	s->frag_count = fv_cur_u32e(&c, be);
	s->comp = fv_cur_u16e(&c, be);
	s->block_log = fv_cur_u16e(&c, be);
	s->flags = fv_cur_u16e(&c, be);
	s->ids = fv_cur_u16e(&c, be);
	s->major = fv_cur_u16e(&c, be);
	s->minor = fv_cur_u16e(&c, be);
	s->root = fv_cur_u64e(&c, be);
	s->bytes_used = fv_cur_u64e(&c, be);
	s->id_tab = fv_cur_u64e(&c, be);
	s->xattr_tab = fv_cur_u64e(&c, be);
	s->inode_tab = fv_cur_u64e(&c, be);
	s->dir_tab = fv_cur_u64e(&c, be);
	s->frag_tab = fv_cur_u64e(&c, be);
	s->export_tab = fv_cur_u64e(&c, be);
}

/* An optional table is absent (all ones) or lies after the fixed ones. */
static int opt_table_ok(uint64_t t, const struct sb *s)
{
	return t == NO_TABLE || (t >= s->dir_tab && t < s->bytes_used);
}

static int check_sb4(const struct sb *s)
{
	if (s->minor != 0 || s->inodes == 0 || s->ids == 0)
		return 0;
	if (s->block_size < 4096 || s->block_size > 1024 * 1024 ||
	    log2_exact(s->block_size) != (int)s->block_log)
		return 0;
	if (s->comp < 1 || s->comp > 6)
		return 0;
	/* Linux reads the inode table up to the directory table, so this
	 * order holds in every image it mounts; mksquashfs and gensquashfs
	 * put the id table after both. */
	if (s->inode_tab < SB4_SIZE || s->inode_tab >= s->dir_tab || s->dir_tab > s->bytes_used)
		return 0;
	if (s->id_tab < s->dir_tab || s->id_tab >= s->bytes_used)
		return 0;
	if (!opt_table_ok(s->frag_tab, s) || !opt_table_ok(s->export_tab, s) ||
	    !opt_table_ok(s->xattr_tab, s))
		return 0;
	if ((s->root >> 16) >= s->dir_tab - s->inode_tab || (s->root & 0xffff) >= SQFS_META_BLOCK_SIZE)
		return 0;
	return 1;
}

static void describe(struct fv_probe *out, const struct sb *s, const char *comp)
{
	char sz[32], date[32];
	human_size(s->bytes_used, sz, sizeof sz);
	date_utc(s->mtime, date, sizeof date);
	fv_probe_desc(out, "squashfs %u.%u %s endian, %s, block size %u, %u inodes, %s, created %s",
		      s->major, s->minor, s->be ? "big" : "little", comp, s->block_size, s->inodes,
		      sz, date);
}

static int probe4(const uint8_t *p, size_t avail, int be, struct fv_probe *out)
{
	if (avail < SB4_SIZE)
		return FV_ETRUNC;
	struct sb s;
	parse_sb4(p, be, &s);
	if (!check_sb4(&s))
		return FV_EFORMAT;
	out->conf = FV_CONF_HIGH;
	out->size = s.bytes_used;
	if (s.bytes_used > avail) {
		/* The tables sit at the end, so little may be readable; still
		 * worth showing and trying. */
		out->size = avail;
		out->truncated = 1;
		out->conf = FV_CONF_LOW;
	}
	describe(out, &s, comp_names[s.comp]);
	return 0;
}

/*
 * 2.x/3.x record no compressor: vendor LZMA patches are told from zlib by
 * the first bytes of the first compressed inode block, or else of the data
 * right after the superblock (63 bytes in 2.x, 119 in 3.x).
 */
static const char *old_comp(const uint8_t *p, size_t avail, int be, unsigned major)
{
	uint64_t it = major == 2 ? (be ? fv_get_be32(p + 20) : fv_get_le32(p + 20))
				 : (be ? fv_get_be64(p + 87) : fv_get_le64(p + 87));
	size_t hl = 2 + ((p[36] >> 2) & 1);
	const uint8_t *q = NULL;
	if (it < avail && avail - it > hl + 2) {
		uint16_t h = be ? fv_get_be16(p + it) : fv_get_le16(p + it);
		if (!(h & 0x8000))
			q = p + it + hl;
	}
	size_t d = major == 2 ? 63 : 119;
	if (!q && avail > d + 2)
		q = p + d;
	if (!q || ((q[0] & 0x0f) == 8 && (q[0] << 8 | q[1]) % 31 == 0))
		return "zlib";
	return q[0] < 225 ? "lzma" : "zlib?";
}

/*
 * squashfs 2.x and 3.x: a packed superblock whose 16-bit fields keep the
 * byte order of the image.  2.x records bytes_used in 32 bits at 8, 3.x adds
 * a 64-bit copy at 63.
 */
static int probe_old(const uint8_t *p, size_t avail, int be, unsigned major, struct fv_probe *out)
{
	if (avail < 71)
		return FV_ETRUNC;
	struct sb s;
	memset(&s, 0, sizeof s);
	s.be = be;
	s.major = major;
	s.minor = be ? fv_get_be16(p + 30) : fv_get_le16(p + 30);
	s.block_log = be ? fv_get_be16(p + 34) : fv_get_le16(p + 34);
	s.inodes = be ? fv_get_be32(p + 4) : fv_get_le32(p + 4);
	s.mtime = be ? fv_get_be32(p + 39) : fv_get_le32(p + 39);
	s.block_size = be ? fv_get_be32(p + 51) : fv_get_le32(p + 51);
	if (major == 2)
		s.bytes_used = be ? fv_get_be32(p + 8) : fv_get_le32(p + 8);
	else
		s.bytes_used = be ? fv_get_be64(p + 63) : fv_get_le64(p + 63);
	if (s.minor > 1 || s.inodes == 0 || s.block_size < 4096 || s.block_size > 1024 * 1024 ||
	    log2_exact(s.block_size) != (int)s.block_log || s.bytes_used < 71)
		return FV_EFORMAT;
	out->conf = FV_CONF_MEDIUM;
	out->size = s.bytes_used;
	if (s.bytes_used > avail) {
		out->size = avail;
		out->truncated = 1;
		out->conf = FV_CONF_LOW;
	}
	describe(out, &s, old_comp(p, avail, be, major));
	return 0;
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	if (avail < 32)
		return FV_ETRUNC;
	int be = p[0] == 's';
	unsigned major = be ? fv_get_be16(p + 28) : fv_get_le16(p + 28);
	if (major == 4)
		return probe4(p, avail, be, out);
	if (major == 2 || major == 3)
		return probe_old(p, avail, be, major, out);
	return FV_EFORMAT;
}

/* ---- extraction ---------------------------------------------------------- */

/* The chunk as a read-only sqfs_file_t. */
struct memfile {
	sqfs_file_t base;
	const uint8_t *p;
	uint64_t size;
};

static int mf_read_at(sqfs_file_t *f, sqfs_u64 off, void *buf, size_t n)
{
	const struct memfile *m = (const struct memfile *)f;
	if (off > m->size || n > m->size - off)
		return SQFS_ERROR_OUT_OF_BOUNDS;
	memcpy(buf, m->p + off, n);
	return 0;
}

static int mf_write_at(sqfs_file_t *f, sqfs_u64 off, const void *buf, size_t n)
{
	(void)f; (void)off; (void)buf; (void)n;
	return SQFS_ERROR_IO;
}

static sqfs_u64 mf_get_size(const sqfs_file_t *f) { return ((const struct memfile *)f)->size; }

static int mf_truncate(sqfs_file_t *f, sqfs_u64 size)
{
	(void)f; (void)size;
	return SQFS_ERROR_IO;
}

/* The memfile lives on the extractor's stack. */
static void mf_destroy(sqfs_object_t *o) { (void)o; }

/* LZO decompression for libsquashfs, which Debian builds without it. */
struct lzo_cmp {
	sqfs_compressor_t base;
	uint32_t block_size;
};

static void lzo_get_configuration(const sqfs_compressor_t *c, sqfs_compressor_config_t *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->id = SQFS_COMP_LZO;
	cfg->flags = SQFS_COMP_FLAG_UNCOMPRESS;
	cfg->block_size = ((const struct lzo_cmp *)c)->block_size;
}

static int lzo_write_options(sqfs_compressor_t *c, sqfs_file_t *f)
{
	(void)c; (void)f;
	return SQFS_ERROR_UNSUPPORTED;
}

/* The options (algorithm, level) only matter to a compressor. */
static int lzo_read_options(sqfs_compressor_t *c, sqfs_file_t *f)
{
	(void)c; (void)f;
	return 0;
}

static sqfs_s32 lzo_do_block(sqfs_compressor_t *c, const sqfs_u8 *in, sqfs_u32 size, sqfs_u8 *out,
			     sqfs_u32 outsize)
{
	(void)c;
	size_t outlen = outsize, used = 0;
	int r = fv_lzo1x_decompress(in, size, out, &outlen, &used);
	if (r == FV_ELIMIT)
		return 0; /* libsquashfs' code for "output larger than the buffer" */
	if (r != 0)
		return SQFS_ERROR_COMPRESSOR;
	if (outlen > outsize || outlen > INT32_MAX)
		return SQFS_ERROR_OVERFLOW;
	return (sqfs_s32)outlen;
}

static void lzo_destroy(sqfs_object_t *o) { free(o); }

static int make_compressor(const sqfs_super_t *sb, sqfs_compressor_t **out)
{
	sqfs_compressor_config_t cfg;
	int r = sqfs_compressor_config_init(&cfg, (SQFS_COMPRESSOR)sb->compression_id,
					    sb->block_size, SQFS_COMP_FLAG_UNCOMPRESS);
	if (r == 0)
		r = sqfs_compressor_create(&cfg, out);
	if (r == 0 || sb->compression_id != SQFS_COMP_LZO)
		return r;
	struct lzo_cmp *l = calloc(1, sizeof *l);
	if (!l)
		return SQFS_ERROR_ALLOC;
	l->block_size = sb->block_size;
	l->base.base.destroy = lzo_destroy;
	l->base.base.copy = NULL;
	l->base.get_configuration = lzo_get_configuration;
	l->base.write_options = lzo_write_options;
	l->base.read_options = lzo_read_options;
	l->base.do_block = lzo_do_block;
	*out = &l->base;
	return 0;
}

static const char *sqfs_errstr(int e)
{
	switch (e) {
	case SQFS_ERROR_ALLOC: return "out of memory";
	case SQFS_ERROR_IO: return "read error";
	case SQFS_ERROR_COMPRESSOR: return "decompression failed";
	case SQFS_ERROR_CORRUPTED: return "corrupted metadata";
	case SQFS_ERROR_UNSUPPORTED: return "unsupported feature";
	case SQFS_ERROR_OVERFLOW: return "size overflow";
	case SQFS_ERROR_OUT_OF_BOUNDS: return "reference outside the image";
	case SFQS_ERROR_SUPER_MAGIC: return "bad superblock magic";
	case SFQS_ERROR_SUPER_VERSION: return "unsupported version";
	case SQFS_ERROR_SUPER_BLOCK_SIZE: return "bad block size";
	case SQFS_ERROR_NOT_DIR: return "not a directory";
	case SQFS_ERROR_NO_ENTRY: return "no such entry";
	case SQFS_ERROR_LINK_LOOP: return "link loop";
	case SQFS_ERROR_NOT_FILE: return "not a file";
	case SQFS_ERROR_ARG_INVALID: return "invalid argument";
	case SQFS_ERROR_SEQUENCE: return "bad call sequence";
	default: return "error";
	}
}

/* inode number -> path of its first appearance (NULL for directories). */
struct imap {
	uint32_t *keys;
	char **vals;
	uint8_t *used;
	size_t cap, n;
};

static size_t imap_pos(const struct imap *m, uint32_t k)
{
	return (size_t)(k * 2654435761u) & (m->cap - 1);
}

/* Returns the slot for k; *found says whether k was there. NULL on ENOMEM. */
static char **imap_get(struct imap *m, uint32_t k, int insert, int *found)
{
	*found = 0;
	if (insert && (m->n + 1) * 2 > m->cap) {
		struct imap g = { 0 };
		g.cap = m->cap ? m->cap * 2 : 256;
		g.keys = calloc(g.cap, sizeof *g.keys);
		g.vals = calloc(g.cap, sizeof *g.vals);
		g.used = calloc(g.cap, 1);
		if (!g.keys || !g.vals || !g.used) {
			free(g.keys), free(g.vals), free(g.used);
			return NULL;
		}
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->used[i])
				continue;
			size_t j = imap_pos(&g, m->keys[i]);
			while (g.used[j])
				j = (j + 1) & (g.cap - 1);
			g.used[j] = 1, g.keys[j] = m->keys[i], g.vals[j] = m->vals[i];
		}
		g.n = m->n;
		free(m->keys), free(m->vals), free(m->used);
		*m = g;
	}
	if (!m->cap)
		return NULL;
	size_t j = imap_pos(m, k);
	while (m->used[j]) {
		if (m->keys[j] == k) {
			*found = 1;
			return &m->vals[j];
		}
		j = (j + 1) & (m->cap - 1);
	}
	if (!insert)
		return NULL;
	m->used[j] = 1, m->keys[j] = k, m->vals[j] = NULL, m->n++;
	return &m->vals[j];
}

static void imap_free(struct imap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->used[i])
			free(m->vals[i]);
	free(m->keys), free(m->vals), free(m->used);
}

/*
 * Extraction alternates two steps.  The walk reads the directory tree
 * (metadata: cheap) and queues what a one-thread extractor would do, in its
 * order: folders, files, links, devices, and the errors met on the way.  A
 * flush then plays the queue back on this thread, the only one that calls
 * the sink, while helper threads decode the queued files' data and fragment
 * blocks ahead of it, in play order, into a ring of block buffers.  So the
 * files, the records, their order and the first error are those of a
 * one-thread run, whatever the threads do; and memory is bounded by the
 * queue (QUEUE_OPS entries or QUEUE_BYTES) and the ring (RING_BYTES).
 */
#define QUEUE_OPS 4096
#define QUEUE_BYTES (8u << 20)
#define RING_BYTES (4u << 20)
#define RING_MAX 32
#define MAX_THREADS 4 /* decoding threads, this one included */

enum op_kind { OP_DIR, OP_FILE, OP_HARDLINK, OP_SYMLINK, OP_SPECIAL, OP_ERR, OP_STOP };

/* One queued step of the extraction. */
struct op {
	enum op_kind kind;
	char *path;        /* the member; the message of OP_ERR and OP_STOP (may be NULL) */
	char *target;      /* a symlink's target */
	const char *first; /* a hard link's target: where its inode was written (s->files owns it) */
	struct fv_attr a;
	uint64_t rdev;
	/* OP_FILE */
	sqfs_inode_generic_t *ino;
	uint64_t fsize, start;
	uint32_t fidx, foff;
	size_t nblk;
	int frag_job; /* its tail's fragment block is one of the decoding jobs */
	uint64_t frag_start;
	uint32_t frag_word;
};

enum blk_res { B_OK, B_PAST_END, B_TOO_BIG, B_STREAM, B_SKIPPED };
enum slot_state { SLOT_FREE, SLOT_BUSY, SLOT_DONE };

/* A block to decode (off, w) and, once decoded, the result. */
struct blk {
	uint64_t off;
	uint32_t w;
	enum slot_state state;
	uint8_t *buf;        /* block_size bytes owned by this ring slot */
	const uint8_t *data; /* the block: buf, or in the image for a stored block */
	long n;              /* its length */
	enum blk_res res;
	sqfs_s32 r;          /* the compressor's answer for B_STREAM */
};

struct sq {
	struct fv_xctx *x;
	const uint8_t *p;
	size_t size;
	sqfs_super_t sb;
	sqfs_compressor_t *cmp; /* this thread's: metadata and the blocks it decodes itself */
	sqfs_compressor_t *hcmp[MAX_THREADS - 1]; /* one per helper thread */
	unsigned nhelpers;
	sqfs_dir_reader_t *dr;
	sqfs_id_table_t *ids;
	sqfs_frag_table_t *frags;
	int frags_err; /* loading the fragment table failed: reported once, when needed */
	uint8_t *blk;  /* zeros of a sparse block */
	/* The fragment block the tails are copied from, as a one-thread run caches it. */
	uint8_t *frag;
	const uint8_t *fragp; /* frag, or in the image for a stored block */
	size_t frag_len;
	uint32_t frag_idx;
	int frag_valid;
	/* The last fragment block decoded ahead (pend is its buffer). */
	uint8_t *pend;
	struct blk pendb;
	uint32_t pend_idx;
	int pend_valid;
	struct blk *ring;
	size_t nring;
	/* The queue, and the fragment of the last queued fragment job. */
	struct op *ops;
	size_t nops, capops, qbytes, qjobs;
	uint32_t qfrag_idx;
	int qfrag_valid;
	struct imap files, dirs;
	int errors;
	int stop;  /* a sink limit was reached: no point in going on */
	int wstop; /* the walk stopped early (out of memory); what it queued is still played */
	int oom;   /* ... and the extraction returns FV_ENOMEM */
};

#define SQ_ERR(s, ...)                                                                             \
	do {                                                                                       \
		(s)->errors++;                                                                     \
		fv_xctx_error((s)->x, __VA_ARGS__);                                                \
	} while (0)

static int sink_rc(struct sq *s, int r)
{
	if (r == FV_ELIMIT)
		s->stop = 1;
	else if (r != 0)
		s->errors++;
	return r;
}

/* ---- decoding blocks (any thread) ---------------------------------------- */

/* Decodes block b with cmp: touches b and reads the image, nothing else. */
static void decode(const struct sq *s, sqfs_compressor_t *cmp, struct blk *b)
{
	uint32_t disk = SQFS_ON_DISK_BLOCK_SIZE(b->w);
	b->n = -1;
	b->data = NULL;
	if (b->off > s->size || disk > s->size - b->off) {
		b->res = B_PAST_END;
		return;
	}
	if (disk > s->sb.block_size) {
		b->res = B_TOO_BIG;
		return;
	}
	if (!SQFS_IS_BLOCK_COMPRESSED(b->w)) {
		b->data = s->p + b->off;
		b->n = disk;
		b->res = B_OK;
		return;
	}
	b->r = cmp->do_block(cmp, s->p + b->off, disk, b->buf, s->sb.block_size);
	if (b->r <= 0) {
		b->res = B_STREAM;
		return;
	}
	b->data = b->buf;
	b->n = b->r;
	b->res = B_OK;
}

/* Reports why block b did not decode. */
static void block_error(struct sq *s, const struct blk *b, const char *what, const char *path)
{
	uint32_t disk = SQFS_ON_DISK_BLOCK_SIZE(b->w);
	if (b->res == B_PAST_END)
		SQ_ERR(s, "%s of %s at 0x%llx: %u bytes expected, the image ends at 0x%zx", what,
		       path, (unsigned long long)b->off, disk, s->size);
	else if (b->res == B_TOO_BIG)
		SQ_ERR(s, "%s of %s at 0x%llx: stored size %u exceeds the block size %u", what, path,
		       (unsigned long long)b->off, disk, s->sb.block_size);
	else
		SQ_ERR(s, "%s of %s at 0x%llx: %s stream of %u bytes does not decode (%s)", what,
		       path, (unsigned long long)b->off, comp_names[s->sb.compression_id], disk,
		       b->r == 0 ? "larger than a block" : sqfs_errstr(b->r));
}

/* ---- the ring of decoding jobs --------------------------------------------
 *
 * Job k is the k-th non-sparse data block or fragment job of the queue, in
 * play order, and lives in ring slot k % nring.  Helpers claim jobs in
 * order while fewer than nring are claimed and not yet given back; the
 * writer (this thread) takes them in the same order and, while it waits,
 * decodes the next unclaimed one itself.  With no helpers it decodes
 * everything, in order, as a one-thread extractor would.
 */
struct pipe {
	struct sq *s;
	pthread_mutex_t mu;
	pthread_cond_t room;  /* helpers: a slot was given back, or the flush ends */
	pthread_cond_t ready; /* the writer: a slot was decoded */
	uint64_t claimed, consumed;
	/* The next job: op, block in it, that block's offset, fragment job done. */
	size_t cop, cblk;
	uint64_t coff;
	int cfrag;
	int end;  /* every job is claimed */
	int quit; /* the flush is over */
};

/* Fills b with the next job; 0 when there is none.  Called with p->mu held. */
static int next_job(struct pipe *p, struct blk *b)
{
	const struct sq *s = p->s;
	while (p->cop < s->nops) {
		const struct op *o = &s->ops[p->cop];
		if (o->kind == OP_FILE) {
			while (p->cblk < o->nblk && (uint64_t)p->cblk * s->sb.block_size < o->fsize) {
				uint32_t w = o->ino->extra[p->cblk++];
				if (SQFS_IS_SPARSE_BLOCK(w))
					continue;
				b->off = p->coff;
				b->w = w;
				p->coff += SQFS_ON_DISK_BLOCK_SIZE(w);
				return 1;
			}
			if (o->frag_job && !p->cfrag) {
				p->cfrag = 1;
				b->off = o->frag_start;
				b->w = o->frag_word;
				return 1;
			}
		}
		p->cop++;
		p->cblk = 0;
		p->cfrag = 0;
		if (p->cop < s->nops)
			p->coff = s->ops[p->cop].start;
	}
	if (!p->end) {
		p->end = 1;
		pthread_cond_broadcast(&p->room);
	}
	return 0;
}

/* Claims the next job into its slot, if the ring has room.  p->mu held. */
static struct blk *claim(struct pipe *p)
{
	struct sq *s = p->s;
	if (p->end || p->quit || p->claimed - p->consumed >= s->nring)
		return NULL;
	struct blk *b = &s->ring[p->claimed % s->nring];
	if (!next_job(p, b))
		return NULL;
	p->claimed++;
	b->state = SLOT_BUSY;
	return b;
}

struct helper {
	struct pipe *p;
	sqfs_compressor_t *cmp;
	pthread_t th;
};

static void *helper_main(void *arg)
{
	struct helper *h = arg;
	struct pipe *p = h->p;
	pthread_mutex_lock(&p->mu);
	while (!p->quit && !p->end) {
		struct blk *b = claim(p);
		if (!b) {
			if (!p->end && !p->quit)
				pthread_cond_wait(&p->room, &p->mu);
			continue;
		}
		pthread_mutex_unlock(&p->mu);
		decode(p->s, h->cmp, b);
		pthread_mutex_lock(&p->mu);
		b->state = SLOT_DONE;
		pthread_cond_signal(&p->ready);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/*
 * The next job in play order, decoded; with need 0 the writer only skips
 * it and does not decode it itself.  NULL if the queue holds no more jobs,
 * which the queue's own accounting rules out.
 */
static struct blk *take(struct pipe *p, int need)
{
	struct sq *s = p->s;
	pthread_mutex_lock(&p->mu);
	struct blk *b = &s->ring[p->consumed % s->nring];
	for (;;) {
		if (p->claimed == p->consumed) {
			b = claim(p);
			pthread_mutex_unlock(&p->mu);
			if (b && need) {
				decode(s, s->cmp, b);
			} else if (b) {
				b->res = B_SKIPPED;
				b->n = -1;
			}
			return b;
		}
		if (b->state == SLOT_DONE)
			break;
		/* A helper is decoding it: decode a later one meanwhile. */
		struct blk *o = claim(p);
		if (o) {
			pthread_mutex_unlock(&p->mu);
			decode(s, s->cmp, o);
			pthread_mutex_lock(&p->mu);
			o->state = SLOT_DONE;
			continue;
		}
		pthread_cond_wait(&p->ready, &p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return b;
}

/* Frees the slot of the job last taken. */
static void give_back(struct pipe *p)
{
	struct sq *s = p->s;
	pthread_mutex_lock(&p->mu);
	s->ring[p->consumed % s->nring].state = SLOT_FREE;
	p->consumed++;
	pthread_cond_signal(&p->room);
	pthread_mutex_unlock(&p->mu);
}

/* ---- playing the queue (this thread) -------------------------------------- */

static int load_fragment(struct sq *s, uint32_t idx, const char *path)
{
	if (s->frag_valid && s->frag_idx == idx)
		return 0;
	if (!s->frags || s->frags_err) {
		SQ_ERR(s, "%s: its tail is in fragment %u, but the fragment table at 0x%llx is "
			  "unreadable (%s)",
		       path, idx, (unsigned long long)s->sb.fragment_table_start,
		       s->frags_err ? sqfs_errstr(s->frags_err) : "absent");
		return -1;
	}
	sqfs_fragment_t fe;
	int r = sqfs_frag_table_lookup(s->frags, idx, &fe);
	if (r) {
		SQ_ERR(s, "%s: fragment %u not in the fragment table (%zu entries)", path, idx,
		       sqfs_frag_table_get_size(s->frags));
		return -1;
	}
	s->frag_valid = 0;
	/* Decoded ahead as a job, unless the queue's bookkeeping and this
	 * cache disagree: then here. */
	if (!s->pend_valid || s->pend_idx != idx || s->pendb.off != fe.start_offset ||
	    s->pendb.w != fe.size) {
		memset(&s->pendb, 0, sizeof s->pendb);
		s->pendb.off = fe.start_offset;
		s->pendb.w = fe.size;
		s->pendb.buf = s->pend;
		decode(s, s->cmp, &s->pendb);
		s->pend_idx = idx;
		s->pend_valid = 1;
	}
	const struct blk *b = &s->pendb;
	if (b->res != B_OK) {
		block_error(s, b, "fragment block", path);
		return -1;
	}
	if (b->data == s->pend) {
		uint8_t *t = s->frag;
		s->frag = s->pend;
		s->pend = t;
		s->pend_valid = 0;
		s->fragp = s->frag;
	} else {
		s->fragp = b->data;
	}
	s->frag_len = (size_t)b->n;
	s->frag_idx = idx;
	s->frag_valid = 1;
	return 0;
}

static void write_file(struct pipe *p, const struct op *o)
{
	struct sq *s = p->s;
	const uint32_t bs = s->sb.block_size;
	const char *path = o->path;
	struct fv_sink_file *f = NULL;
	int opened = sink_rc(s, fv_sink_open(s->x, path, &o->a, &f)) == 0;
	int bad = !opened;
	/* Every job of the file is taken, also after a failure, to stay in step. */
	uint64_t left = o->fsize;
	for (size_t i = 0; i < o->nblk && left > 0; i++) {
		uint32_t w = o->ino->extra[i];
		size_t want = left < bs ? (size_t)left : bs;
		left -= want;
		if (SQFS_IS_SPARSE_BLOCK(w)) {
			if (!bad) {
				memset(s->blk, 0, want);
				bad = sink_rc(s, fv_sink_write(f, s->blk, want)) != 0;
			}
			continue;
		}
		struct blk *b = take(p, !bad);
		if (!b) {
			if (!bad)
				SQ_ERR(s, "%s: data block %zu was not queued", path, i);
			bad = 1;
			break;
		}
		if (!bad) {
			char what[48];
			snprintf(what, sizeof what, "data block %zu", i);
			if (b->res != B_OK) {
				block_error(s, b, what, path);
				bad = 1;
			} else if ((size_t)b->n != want) {
				SQ_ERR(s, "%s of %s at 0x%llx: decoded %ld bytes, expected %zu", what,
				       path, (unsigned long long)b->off, b->n, want);
				bad = 1;
			} else {
				bad = sink_rc(s, fv_sink_write(f, b->data, want)) != 0;
			}
		}
		give_back(p);
	}
	if (o->frag_job) {
		struct blk *b = take(p, 1);
		if (b) {
			if (b->res == B_OK && b->data == b->buf) {
				uint8_t *t = b->buf;
				b->buf = s->pend;
				s->pend = t;
			}
			s->pendb = *b;
			s->pendb.buf = s->pend;
			s->pend_idx = o->fidx;
			s->pend_valid = 1;
			give_back(p);
		}
	}
	if (!opened)
		return;
	if (left > 0 && !bad) {
		if (left >= bs || o->fidx == 0xffffffff) {
			SQ_ERR(s, "%s: file size %llu but its %zu blocks and %s hold only %llu bytes",
			       path, (unsigned long long)o->fsize, o->nblk,
			       o->fidx == 0xffffffff ? "no fragment" : "a fragment",
			       (unsigned long long)(o->fsize - left));
		} else if (load_fragment(s, o->fidx, path) == 0) {
			if (o->foff > s->frag_len || left > s->frag_len - o->foff)
				SQ_ERR(s, "%s: tail of %llu bytes at offset %u of fragment %u, which "
					  "holds %zu bytes",
				       path, (unsigned long long)left, o->foff, o->fidx, s->frag_len);
			else
				sink_rc(s, fv_sink_write(f, s->fragp + o->foff, (size_t)left));
		}
	}
	sink_rc(s, fv_sink_close(f));
}

static void play(struct pipe *p, const struct op *o)
{
	struct sq *s = p->s;
	switch (o->kind) {
	case OP_DIR:
		sink_rc(s, fv_sink_dir(s->x, o->path, &o->a));
		break;
	case OP_FILE:
		write_file(p, o);
		break;
	case OP_HARDLINK:
		sink_rc(s, fv_sink_hardlink(s->x, o->path, o->first));
		break;
	case OP_SYMLINK:
		sink_rc(s, fv_sink_symlink(s->x, o->path, o->target, &o->a));
		break;
	case OP_SPECIAL:
		sink_rc(s, fv_sink_special(s->x, o->path, &o->a, o->rdev));
		break;
	case OP_ERR:
		SQ_ERR(s, "%s", o->path);
		break;
	case OP_STOP:
		if (o->path)
			SQ_ERR(s, "%s", o->path);
		s->stop = 1;
		break;
	}
}

/* Plays the queue back, with helpers decoding ahead, and empties it. */
static void flush(struct sq *s)
{
	if (!s->nops)
		return;
	struct pipe p;
	memset(&p, 0, sizeof p);
	p.s = s;
	p.coff = s->ops[0].start;
	struct helper h[MAX_THREADS - 1];
	unsigned nh = 0;
	int sync = pthread_mutex_init(&p.mu, NULL) == 0;
	if (sync && pthread_cond_init(&p.room, NULL) != 0) {
		pthread_mutex_destroy(&p.mu);
		sync = 0;
	}
	if (sync && pthread_cond_init(&p.ready, NULL) != 0) {
		pthread_cond_destroy(&p.room);
		pthread_mutex_destroy(&p.mu);
		sync = 0;
	}
	if (!sync) {
		/* Only short of memory: nothing is played, as after any stop. */
		SQ_ERR(s, "out of memory setting up the decoding of %zu entries", s->nops);
		s->oom = s->stop = 1;
	}
	if (sync && s->qjobs > 1 && !s->stop)
		for (; nh < s->nhelpers; nh++) {
			h[nh].p = &p;
			h[nh].cmp = s->hcmp[nh];
			if (pthread_create(&h[nh].th, NULL, helper_main, &h[nh]) != 0)
				break;
		}
	for (size_t k = 0; k < s->nops && !s->stop; k++)
		play(&p, &s->ops[k]);
	if (sync) {
		pthread_mutex_lock(&p.mu);
		p.quit = 1;
		pthread_cond_broadcast(&p.room);
		pthread_mutex_unlock(&p.mu);
		for (unsigned i = 0; i < nh; i++)
			pthread_join(h[i].th, NULL);
		pthread_cond_destroy(&p.ready);
		pthread_cond_destroy(&p.room);
		pthread_mutex_destroy(&p.mu);
	}
	for (size_t k = 0; k < s->nops; k++) {
		free(s->ops[k].path);
		free(s->ops[k].target);
		sqfs_free(s->ops[k].ino);
	}
	s->nops = s->qbytes = s->qjobs = 0;
}

/* ---- the walk (this thread) ------------------------------------------------ */

static int halted(const struct sq *s) { return s->stop || s->wstop; }

/* A new queue entry for path (copied; NULL allowed), or NULL out of memory. */
static struct op *push(struct sq *s, enum op_kind kind, const char *path)
{
	if (s->nops == s->capops) {
		size_t nc = s->capops ? s->capops * 2 : 64;
		struct op *n = realloc(s->ops, nc * sizeof *n);
		if (!n)
			goto oom;
		s->ops = n, s->capops = nc;
	}
	struct op *o = &s->ops[s->nops];
	memset(o, 0, sizeof *o);
	o->kind = kind;
	if (path && !(o->path = strdup(path)))
		goto oom;
	return o;
oom:
	s->oom = s->wstop = 1;
	return NULL;
}

/* Adds the entry push() made to the queue; plays the queue once it is full. */
static void commit(struct sq *s, size_t bytes, size_t jobs)
{
	struct op *o = &s->ops[s->nops++];
	s->qbytes += sizeof *o + (o->path ? strlen(o->path) : 0) + bytes;
	s->qjobs += jobs;
	if (s->nops >= QUEUE_OPS || s->qbytes >= QUEUE_BYTES)
		flush(s);
}

static void queue_msg(struct sq *s, enum op_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void queue_msg(struct sq *s, enum op_kind kind, const char *fmt, ...)
{
	char msg[256]; /* as fv_xctx_error keeps it */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (kind == OP_STOP)
		s->wstop = 1;
	if (push(s, kind, msg))
		commit(s, 0, 0);
}

#define WALK_ERR(s, ...) queue_msg((s), OP_ERR, __VA_ARGS__)

/* Queues a file; takes its inode. */
static void queue_file(struct sq *s, sqfs_inode_generic_t **inop, const char *path,
		       const struct fv_attr *a)
{
	struct op *o = push(s, OP_FILE, path);
	if (!o)
		return;
	sqfs_inode_generic_t *ino = *inop;
	*inop = NULL;
	o->ino = ino;
	o->a = *a;
	o->fidx = 0xffffffff;
	sqfs_inode_get_file_size(ino, &o->fsize);
	sqfs_inode_get_file_block_start(ino, &o->start);
	sqfs_inode_get_frag_location(ino, &o->fidx, &o->foff);
	o->nblk = sqfs_inode_get_file_block_count(ino);
	const uint32_t bs = s->sb.block_size;
	size_t jobs = 0;
	for (size_t i = 0; i < o->nblk && (uint64_t)i * bs < o->fsize; i++)
		jobs += !SQFS_IS_SPARSE_BLOCK(ino->extra[i]);
	/* The tail's fragment block is decoded ahead when the one-thread cache
	 * would not hold it: when it differs from the last one queued. */
	uint64_t full = (uint64_t)o->nblk * bs;
	sqfs_fragment_t fe;
	if (o->fsize > full && o->fsize - full < bs && o->fidx != 0xffffffff && s->frags &&
	    !s->frags_err && !(s->qfrag_valid && s->qfrag_idx == o->fidx) &&
	    sqfs_frag_table_lookup(s->frags, o->fidx, &fe) == 0) {
		o->frag_job = 1;
		o->frag_start = fe.start_offset;
		o->frag_word = fe.size;
		s->qfrag_idx = o->fidx;
		s->qfrag_valid = 1;
		jobs++;
	}
	commit(s, sizeof *ino + o->nblk * sizeof(uint32_t), jobs);
}

static uint32_t lookup_id(struct sq *s, uint16_t idx)
{
	sqfs_u32 id = 0;
	if (s->ids && sqfs_id_table_index_to_id(s->ids, idx, &id) != 0)
		id = 0;
	return id;
}

static void walk(struct sq *s, const sqfs_inode_generic_t *dir, const char *path, unsigned depth);

/* Queues what to do with one directory entry; may take *inop. */
static void entry(struct sq *s, sqfs_inode_generic_t **inop, const char *path, unsigned depth)
{
	const sqfs_inode_generic_t *ino = *inop;
	struct fv_attr a;
	a.mode = ino->base.mode & 07777;
	a.uid = lookup_id(s, ino->base.uid_idx);
	a.gid = lookup_id(s, ino->base.gid_idx);
	a.mtime = ino->base.mod_time;
	int found = 0;
	char **slot;
	struct op *o;

	switch (ino->base.type) {
	case SQFS_INODE_DIR:
	case SQFS_INODE_EXT_DIR:
		slot = imap_get(&s->dirs, ino->base.inode_number, 1, &found);
		if (!slot) {
			queue_msg(s, OP_STOP, "%s: out of memory", path);
			return;
		}
		if (found) {
			WALK_ERR(s, "%s: directory inode %u appears twice (a loop); not entered", path,
				 ino->base.inode_number);
			return;
		}
		a.mode |= S_IFDIR;
		/* A folder the sink refuses (a bad name) may still hold members worth
		 * having; the sink judges each of their paths on its own. */
		if ((o = push(s, OP_DIR, path))) {
			o->a = a;
			commit(s, 0, 0);
		}
		if (!halted(s))
			walk(s, ino, path, depth + 1);
		return;
	case SQFS_INODE_FILE:
	case SQFS_INODE_EXT_FILE:
		slot = imap_get(&s->files, ino->base.inode_number, 1, &found);
		if (!slot) {
			queue_msg(s, OP_STOP, "%s: out of memory", path);
			return;
		}
		if (found && *slot) {
			if ((o = push(s, OP_HARDLINK, path))) {
				o->first = *slot;
				commit(s, 0, 0);
			}
			return;
		}
		*slot = strdup(path);
		a.mode |= S_IFREG;
		queue_file(s, inop, path, &a);
		return;
	case SQFS_INODE_SLINK:
	case SQFS_INODE_EXT_SLINK: {
		size_t n = ino->payload_bytes_used;
		if (n > ino->data.slink.target_size)
			n = ino->data.slink.target_size;
		char *t = strndup((const char *)ino->extra, n);
		if (!t || !(o = push(s, OP_SYMLINK, path))) {
			free(t);
			if ((o = push(s, OP_STOP, NULL)))
				commit(s, 0, 0);
			s->wstop = 1;
			return;
		}
		a.mode |= S_IFLNK;
		o->a = a;
		o->target = t;
		commit(s, n, 0);
		return;
	}
	case SQFS_INODE_BDEV:
	case SQFS_INODE_CDEV:
	case SQFS_INODE_EXT_BDEV:
	case SQFS_INODE_EXT_CDEV: {
		int ext = ino->base.type >= SQFS_INODE_EXT_DIR;
		uint32_t d = ext ? ino->data.dev_ext.devno : ino->data.dev.devno;
		/* Linux's 32-bit encoding: 12 bits of major, 20 of minor, interleaved. */
		unsigned maj = (d >> 8) & 0xfff, min = (d & 0xff) | ((d >> 12) & 0xfff00);
		int blk = ino->base.type == SQFS_INODE_BDEV || ino->base.type == SQFS_INODE_EXT_BDEV;
		a.mode |= blk ? S_IFBLK : S_IFCHR;
		if ((o = push(s, OP_SPECIAL, path))) {
			o->a = a;
			o->rdev = makedev(maj, min);
			commit(s, 0, 0);
		}
		return;
	}
	case SQFS_INODE_FIFO:
	case SQFS_INODE_EXT_FIFO:
	case SQFS_INODE_SOCKET:
	case SQFS_INODE_EXT_SOCKET:
		a.mode |= ino->base.type == SQFS_INODE_FIFO || ino->base.type == SQFS_INODE_EXT_FIFO
				  ? S_IFIFO
				  : S_IFSOCK;
		if ((o = push(s, OP_SPECIAL, path))) {
			o->a = a;
			commit(s, 0, 0);
		}
		return;
	default:
		WALK_ERR(s, "%s: inode %u has unknown type %u", path, ino->base.inode_number,
			 ino->base.type);
	}
}

struct child {
	char *name;
	sqfs_inode_generic_t *ino;
};

/*
 * The reader holds one open directory at a time, so each listing is read
 * whole before its subdirectories are entered.
 */
static void walk(struct sq *s, const sqfs_inode_generic_t *dir, const char *path, unsigned depth)
{
	const char *shown = *path ? path : "/";
	if (depth > MAX_DEPTH) {
		WALK_ERR(s, "%s: directories nested deeper than %u levels; not entered", shown,
			 MAX_DEPTH);
		return;
	}
	int r = sqfs_dir_reader_open_dir(s->dr, dir, 0);
	if (r) {
		WALK_ERR(s, "directory %s (inode %u): listing unreadable (%s)", shown,
			 dir->base.inode_number, sqfs_errstr(r));
		return;
	}
	struct child *v = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		sqfs_dir_entry_t *ent = NULL;
		r = sqfs_dir_reader_read(s->dr, &ent);
		if (r > 0)
			break;
		if (r < 0) {
			WALK_ERR(s, "directory %s (inode %u): listing broken after %zu entries (%s)",
				 shown, dir->base.inode_number, n, sqfs_errstr(r));
			break;
		}
		char *name = strndup((const char *)ent->name, (size_t)ent->size + 1);
		sqfs_free(ent);
		sqfs_inode_generic_t *ino = NULL;
		r = sqfs_dir_reader_get_inode(s->dr, &ino);
		if (!name || r) {
			WALK_ERR(s, "%s/%s: inode unreadable (%s)", *path ? path : "",
				 name ? name : "?", r ? sqfs_errstr(r) : "out of memory");
			free(name);
			sqfs_free(ino);
			continue;
		}
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct child *nv = realloc(v, nc * sizeof *nv);
			if (!nv) {
				free(name);
				sqfs_free(ino);
				queue_msg(s, OP_STOP, "%s: out of memory", shown);
				break;
			}
			v = nv, cap = nc;
		}
		v[n].name = name, v[n].ino = ino, n++;
	}
	for (size_t i = 0; i < n; i++) {
		if (!halted(s)) {
			size_t len = strlen(path) + strlen(v[i].name) + 2;
			char *full = malloc(len);
			if (full) {
				snprintf(full, len, "%s%s%s", path, *path ? "/" : "", v[i].name);
				entry(s, &v[i].ino, full, depth);
				free(full);
			}
		}
		free(v[i].name);
		sqfs_free(v[i].ino);
	}
	free(v);
}

/* CPUs this process may run on. */
static unsigned cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

/* Helper threads, their compressors and the ring; fewer helpers if short. */
static int setup_decoding(struct sq *s)
{
	unsigned want = cpus();
	want = (want > MAX_THREADS ? MAX_THREADS : want) - 1;
	while (s->nhelpers < want && make_compressor(&s->sb, &s->hcmp[s->nhelpers]) == 0)
		s->nhelpers++;
	size_t bs = s->sb.block_size;
	s->nring = 1;
	if (s->nhelpers) {
		s->nring = RING_BYTES / bs;
		if (s->nring > RING_MAX)
			s->nring = RING_MAX;
		if (s->nring < 2 * (s->nhelpers + 1))
			s->nring = 2 * (s->nhelpers + 1);
	}
	s->ring = calloc(s->nring, sizeof *s->ring);
	if (!s->ring)
		return FV_ENOMEM;
	for (size_t i = 0; i < s->nring; i++)
		if (!(s->ring[i].buf = malloc(bs)))
			return FV_ENOMEM;
	return 0;
}

static int extract_le(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	struct memfile mf;
	memset(&mf, 0, sizeof mf);
	mf.base.base.destroy = mf_destroy;
	mf.base.read_at = mf_read_at;
	mf.base.write_at = mf_write_at;
	mf.base.get_size = mf_get_size;
	mf.base.truncate = mf_truncate;
	mf.p = p;
	mf.size = size;

	struct sq s;
	memset(&s, 0, sizeof s);
	s.x = x;
	s.p = p;
	s.size = size;
	int r = sqfs_super_read(&s.sb, &mf.base);
	if (r) {
		fv_xctx_error(x, "superblock at 0x0: not a readable squashfs 4.0 superblock (%s)",
			      sqfs_errstr(r));
		return FV_EFORMAT;
	}
	r = make_compressor(&s.sb, &s.cmp);
	if (r) {
		fv_xctx_error(x, "superblock at 0x14: compressor %u (%s) not available (%s)",
			      s.sb.compression_id,
			      s.sb.compression_id <= 6 ? comp_names[s.sb.compression_id] : "?",
			      sqfs_errstr(r));
		return FV_EUNSUP;
	}
	int rc = 0;
	if (s.sb.bytes_used > size)
		SQ_ERR(&s, "superblock at 0x28: bytes_used says 0x%llx bytes, the input holds 0x%zx; "
			   "reading what is there",
		       (unsigned long long)s.sb.bytes_used, size);
	s.blk = malloc(s.sb.block_size);
	s.frag = malloc(s.sb.block_size);
	s.pend = malloc(s.sb.block_size);
	s.ids = sqfs_id_table_create(0);
	s.dr = sqfs_dir_reader_create(&s.sb, s.cmp, &mf.base, 0);
	if (!s.blk || !s.frag || !s.pend || !s.ids || !s.dr || setup_decoding(&s)) {
		rc = FV_ENOMEM;
		goto out;
	}
	r = sqfs_id_table_read(s.ids, &mf.base, &s.sb, s.cmp);
	if (r) {
		SQ_ERR(&s, "id table at 0x%llx: unreadable (%s); owners shown as 0",
		       (unsigned long long)s.sb.id_table_start, sqfs_errstr(r));
		sqfs_destroy(s.ids);
		s.ids = NULL;
	}
	if (!(s.sb.flags & SQFS_FLAG_NO_FRAGMENTS) && s.sb.fragment_entry_count > 0 &&
	    s.sb.fragment_table_start != NO_TABLE) {
		s.frags = sqfs_frag_table_create(0);
		if (!s.frags) {
			rc = FV_ENOMEM;
			goto out;
		}
		/* libsquashfs allocates the whole table up front.  Each fragment
		 * block is at least a byte of the data area and holds the tail of
		 * at least one inode, and its index pointer must be in the image. */
		uint64_t lim = s.sb.inode_count;
		if (lim > s.sb.inode_table_start)
			lim = s.sb.inode_table_start;
		if (s.sb.fragment_table_start < size &&
		    lim > (size - s.sb.fragment_table_start) / 8 * 512)
			lim = (size - s.sb.fragment_table_start) / 8 * 512;
		if (s.sb.fragment_table_start >= size || s.sb.fragment_entry_count > lim) {
			SQ_ERR(&s, "superblock at 0x10: %u fragments is impossible here (at most %llu)",
			       s.sb.fragment_entry_count, (unsigned long long)lim);
			s.frags_err = SQFS_ERROR_CORRUPTED;
		} else {
			s.frags_err = sqfs_frag_table_read(s.frags, &mf.base, &s.sb, s.cmp);
		}
	}

	sqfs_inode_generic_t *root = NULL;
	r = sqfs_dir_reader_get_root_inode(s.dr, &root);
	if (r) {
		fv_xctx_error(x, "root inode at 0x%llx+0x%llx: unreadable (%s)",
			      (unsigned long long)s.sb.inode_table_start,
			      (unsigned long long)(s.sb.root_inode_ref >> 16), sqfs_errstr(r));
		rc = FV_EFORMAT;
		goto out;
	}
	if (root->base.type != SQFS_INODE_DIR && root->base.type != SQFS_INODE_EXT_DIR) {
		fv_xctx_error(x, "root inode at 0x%llx+0x%llx: expected a directory, found type %u",
			      (unsigned long long)s.sb.inode_table_start,
			      (unsigned long long)(s.sb.root_inode_ref >> 16), root->base.type);
		sqfs_free(root);
		rc = FV_EFORMAT;
		goto out;
	}
	int found;
	imap_get(&s.dirs, root->base.inode_number, 1, &found);
	walk(&s, root, "", 0);
	sqfs_free(root);
	flush(&s);
	if (s.oom)
		rc = FV_ENOMEM;
	else if (s.stop)
		rc = FV_ELIMIT;
	else if (s.errors)
		rc = FV_EFORMAT;
out:
	if (s.dr)
		sqfs_destroy(s.dr);
	if (s.ids)
		sqfs_destroy(s.ids);
	if (s.frags)
		sqfs_destroy(s.frags);
	sqfs_destroy(s.cmp);
	for (unsigned i = 0; i < s.nhelpers; i++)
		sqfs_destroy(s.hcmp[i]);
	for (size_t i = 0; s.ring && i < s.nring; i++)
		free(s.ring[i].buf);
	free(s.ring);
	free(s.ops);
	free(s.blk);
	free(s.frag);
	free(s.pend);
	imap_free(&s.files);
	imap_free(&s.dirs);
	return rc;
}

/* ---- big endian ------------------------------------------------------------
 *
 * libsquashfs reads little-endian images only, so a big-endian one is
 * rewritten as little endian first: every metadata table is decoded,
 * its structures are byte-swapped in place, and it is stored again after
 * the data as uncompressed metadata blocks of the same decoded sizes, so
 * that offsets inside blocks stay valid and only block starts need mapping.
 * Data and fragment blocks are byte streams of the compressor and keep
 * their places.  The export and xattr tables are dropped: extraction uses
 * neither.  The same code converts the other way, which the tests use.
 */

#define META_MAX (256u << 20) /* decoded metadata of one table */

struct dbuf {
	uint8_t *p;
	size_t len, cap;
};

static int dbuf_reserve(struct dbuf *b, size_t n)
{
	if (n <= b->cap - b->len)
		return 0;
	size_t nc = b->cap ? b->cap : 65536;
	while (nc - b->len < n) {
		if (nc > SIZE_MAX / 2)
			return FV_ENOMEM;
		nc *= 2;
	}
	uint8_t *np = realloc(b->p, nc);
	if (!np)
		return FV_ENOMEM;
	b->p = np, b->cap = nc;
	return 0;
}

static int dbuf_put(struct dbuf *b, const void *p, size_t n)
{
	if (dbuf_reserve(b, n))
		return FV_ENOMEM;
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

/* A decoded metadata table and where its blocks were and will be. */
struct mtab {
	struct dbuf d;
	uint64_t *old; /* block start relative to the table, n + 1 with the end */
	uint64_t *nw;  /* the same in the rewritten table */
	size_t *pos;   /* start of the block's bytes in d */
	size_t n, cap;
};

static void mtab_free(struct mtab *t)
{
	free(t->d.p), free(t->old), free(t->nw), free(t->pos);
	memset(t, 0, sizeof *t);
}

static int mtab_add(struct mtab *t, uint64_t old, size_t pos)
{
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 64;
		uint64_t *o = realloc(t->old, nc * sizeof *o);
		if (o)
			t->old = o;
		uint64_t *w = realloc(t->nw, nc * sizeof *w);
		if (w)
			t->nw = w;
		size_t *ps = realloc(t->pos, nc * sizeof *ps);
		if (ps)
			t->pos = ps;
		if (!o || !w || !ps)
			return FV_ENOMEM;
		t->cap = nc;
	}
	t->old[t->n] = old, t->pos[t->n] = pos, t->n++;
	return 0;
}

struct conv {
	const uint8_t *p;
	size_t size;
	int be; /* byte order of the source */
	sqfs_compressor_t *cmp;
	char *err;
	size_t errlen;
};

static int conv_err(struct conv *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int conv_err(struct conv *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return FV_EFORMAT;
}

/* Decodes the metadata block at off into t; returns its stored length. */
static long meta_block(struct conv *c, uint64_t off, uint64_t base, struct mtab *t)
{
	if (off > c->size || c->size - off < 2)
		return conv_err(c, "metadata block at 0x%llx: header outside the image",
				(unsigned long long)off);
	uint16_t h = c->be ? fv_get_be16(c->p + off) : fv_get_le16(c->p + off);
	uint32_t len = h & 0x7fff;
	if (len == 0 || len > SQFS_META_BLOCK_SIZE || c->size - off - 2 < len)
		return conv_err(c, "metadata block at 0x%llx: stored size %u impossible",
				(unsigned long long)off, len);
	if (t->d.len > META_MAX || dbuf_reserve(&t->d, SQFS_META_BLOCK_SIZE))
		return conv_err(c, "metadata at 0x%llx: more than %u MiB decoded",
				(unsigned long long)base, META_MAX >> 20);
	size_t n = len;
	if (h & 0x8000) {
		memcpy(t->d.p + t->d.len, c->p + off + 2, len);
	} else {
		sqfs_s32 r = c->cmp->do_block(c->cmp, c->p + off + 2, len, t->d.p + t->d.len,
					      SQFS_META_BLOCK_SIZE);
		if (r <= 0)
			return conv_err(c, "metadata block at 0x%llx: %u bytes do not decode",
					(unsigned long long)off, len);
		n = (size_t)r;
	}
	if (mtab_add(t, off - base, t->d.len))
		return FV_ENOMEM;
	t->d.len += n;
	return (long)len + 2;
}

/* Every block from start up to end, one after the other. */
static int meta_run(struct conv *c, uint64_t start, uint64_t end, struct mtab *t)
{
	uint64_t off = start;
	while (off < end) {
		long r = meta_block(c, off, start, t);
		if (r < 0)
			return (int)r;
		off += (uint64_t)r;
	}
	if (off != end)
		return conv_err(c, "metadata at 0x%llx: last block runs past 0x%llx",
				(unsigned long long)start, (unsigned long long)end);
	return mtab_add(t, end - start, t->d.len);
}

/* The rewritten start of the block that started at old; -1 if none did. */
static int64_t remap(const struct mtab *t, uint64_t old)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->old[mid] < old)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && t->old[lo] == old ? (int64_t)t->nw[lo] : -1;
}

/* Byte-swaps fields of a decoded table in place, through a bounded cursor. */
struct sw {
	uint8_t *b;
	size_t len, pos;
	int err;
};

static int sw_need(struct sw *s, size_t n)
{
	if (s->err || n > s->len - s->pos)
		s->err = 1;
	return !s->err;
}

static uint64_t sw_field(struct sw *s, struct conv *c, unsigned n)
{
	if (!sw_need(s, n))
		return 0;
	uint8_t *q = s->b + s->pos;
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)q[c->be ? n - 1 - i : i] << (8 * i);
	for (unsigned i = 0; i < n / 2; i++) {
		uint8_t tmp = q[i];
		q[i] = q[n - 1 - i], q[n - 1 - i] = tmp;
	}
	s->pos += n;
	return v;
}

/* Overwrites the field just swapped (n bytes back) with v, in the new order. */
static void sw_set(struct sw *s, struct conv *c, unsigned n, uint64_t v)
{
	uint8_t *q = s->b + s->pos - n;
	for (unsigned i = 0; i < n; i++)
		q[c->be ? i : n - 1 - i] = (uint8_t)(v >> (8 * i));
}

static void sw_skip(struct sw *s, size_t n)
{
	if (sw_need(s, n))
		s->pos += n;
}

static int sw_remap(struct sw *s, struct conv *c, unsigned n, const struct mtab *t,
		    const char *what)
{
	uint64_t old = sw_field(s, c, n);
	if (s->err)
		return -1;
	int64_t nw = remap(t, old);
	if (nw < 0)
		return conv_err(c, "%s at 0x%zx of the decoded table: block 0x%llx is no block start",
				what, s->pos - n, (unsigned long long)old);
	sw_set(s, c, n, (uint64_t)nw);
	return 0;
}

static int swap_inodes(struct conv *c, struct mtab *it, const struct mtab *dt, uint32_t bs)
{
	struct sw s = { it->d.p, it->d.len, 0, 0 };
	int log = log2_exact(bs);
	while (s.pos < s.len && !s.err) {
		size_t at = s.pos;
		unsigned type = (unsigned)sw_field(&s, c, 2);
		sw_field(&s, c, 2), sw_field(&s, c, 2), sw_field(&s, c, 2); /* mode uid gid */
		sw_field(&s, c, 4), sw_field(&s, c, 4);                  /* mtime number */
		uint64_t fsize = 0, count;
		uint32_t frag;
		switch (type) {
		case SQFS_INODE_DIR:
			if (sw_remap(&s, c, 4, dt, "directory inode") < 0)
				return s.err ? conv_err(c, "inode at 0x%zx: cut short", at) : FV_EFORMAT;
			sw_field(&s, c, 4), sw_field(&s, c, 2), sw_field(&s, c, 2), sw_field(&s, c, 4);
			break;
		case SQFS_INODE_FILE:
		case SQFS_INODE_EXT_FILE:
			if (type == SQFS_INODE_FILE) {
				sw_field(&s, c, 4);
				frag = (uint32_t)sw_field(&s, c, 4);
				sw_field(&s, c, 4);
				fsize = sw_field(&s, c, 4);
			} else {
				sw_field(&s, c, 8);
				fsize = sw_field(&s, c, 8);
				sw_field(&s, c, 8), sw_field(&s, c, 4);
				frag = (uint32_t)sw_field(&s, c, 4);
				sw_field(&s, c, 4), sw_field(&s, c, 4);
			}
			count = fsize >> log;
			if (frag == 0xffffffff && (fsize & (bs - 1)))
				count++;
			if (count > (s.len - s.pos) / 4)
				return conv_err(c, "file inode at 0x%zx: %llu blocks do not fit the table",
						at, (unsigned long long)count);
			for (uint64_t i = 0; i < count; i++)
				sw_field(&s, c, 4);
			break;
		case SQFS_INODE_SLINK:
		case SQFS_INODE_EXT_SLINK:
			sw_field(&s, c, 4);
			sw_skip(&s, (size_t)sw_field(&s, c, 4));
			if (type == SQFS_INODE_EXT_SLINK)
				sw_field(&s, c, 4);
			break;
		case SQFS_INODE_BDEV:
		case SQFS_INODE_CDEV:
			sw_field(&s, c, 4), sw_field(&s, c, 4);
			break;
		case SQFS_INODE_EXT_BDEV:
		case SQFS_INODE_EXT_CDEV:
			sw_field(&s, c, 4), sw_field(&s, c, 4), sw_field(&s, c, 4);
			break;
		case SQFS_INODE_FIFO:
		case SQFS_INODE_SOCKET:
			sw_field(&s, c, 4);
			break;
		case SQFS_INODE_EXT_FIFO:
		case SQFS_INODE_EXT_SOCKET:
			sw_field(&s, c, 4), sw_field(&s, c, 4);
			break;
		case SQFS_INODE_EXT_DIR: {
			sw_field(&s, c, 4), sw_field(&s, c, 4);
			if (sw_remap(&s, c, 4, dt, "directory inode") < 0)
				return s.err ? conv_err(c, "inode at 0x%zx: cut short", at) : FV_EFORMAT;
			sw_field(&s, c, 4);
			unsigned icount = (unsigned)sw_field(&s, c, 2);
			sw_field(&s, c, 2), sw_field(&s, c, 4);
			for (unsigned i = 0; i < icount && !s.err; i++) {
				sw_field(&s, c, 4);
				if (sw_remap(&s, c, 4, dt, "directory index") < 0)
					return s.err ? conv_err(c, "inode at 0x%zx: cut short", at)
						     : FV_EFORMAT;
				sw_skip(&s, (size_t)sw_field(&s, c, 4) + 1);
			}
			break;
		}
		default:
			return conv_err(c, "inode at 0x%zx of the decoded inode table: unknown type %u",
					at, type);
		}
		if (s.err)
			return conv_err(c, "inode at 0x%zx of the decoded inode table: cut short", at);
	}
	return 0;
}

static int swap_dirs(struct conv *c, struct mtab *dt, const struct mtab *it)
{
	struct sw s = { dt->d.p, dt->d.len, 0, 0 };
	while (s.pos < s.len && !s.err) {
		size_t at = s.pos;
		uint64_t count = sw_field(&s, c, 4);
		if (sw_remap(&s, c, 4, it, "directory header") < 0)
			return s.err ? conv_err(c, "directory header at 0x%zx: cut short", at) : FV_EFORMAT;
		sw_field(&s, c, 4);
		if (count >= SQFS_MAX_DIR_ENT)
			return conv_err(c, "directory header at 0x%zx: %llu entries, at most %d allowed",
					at, (unsigned long long)count + 1, SQFS_MAX_DIR_ENT);
		for (uint64_t i = 0; i <= count && !s.err; i++) {
			sw_field(&s, c, 2), sw_field(&s, c, 2), sw_field(&s, c, 2);
			sw_skip(&s, (size_t)sw_field(&s, c, 2) + 1);
		}
		if (s.err)
			return conv_err(c, "directory listing at 0x%zx of the decoded table: cut short", at);
	}
	return 0;
}

/* A table reached through an index of block pointers (fragments, ids). */
static int indexed_table(struct conv *c, uint64_t index, uint64_t entries, unsigned esize,
			 struct mtab *t, const char *what)
{
	uint64_t bytes = entries * esize;
	uint64_t nblk = (bytes + SQFS_META_BLOCK_SIZE - 1) / SQFS_META_BLOCK_SIZE;
	if (index > c->size || nblk > (c->size - index) / 8)
		return conv_err(c, "%s index at 0x%llx: %llu pointers do not fit the image", what,
				(unsigned long long)index, (unsigned long long)nblk);
	for (uint64_t i = 0; i < nblk; i++) {
		const uint8_t *q = c->p + index + 8 * i;
		uint64_t ptr = c->be ? fv_get_be64(q) : fv_get_le64(q);
		long r = meta_block(c, ptr, 0, t);
		if (r < 0)
			return (int)r;
	}
	if (t->d.len < bytes)
		return conv_err(c, "%s at 0x%llx: %llu bytes of entries, %zu decoded", what,
				(unsigned long long)index, (unsigned long long)bytes, t->d.len);
	struct sw s = { t->d.p, (size_t)bytes, 0, 0 };
	for (uint64_t i = 0; i < entries; i++) {
		if (esize == 16)
			sw_field(&s, c, 8), sw_field(&s, c, 4), sw_field(&s, c, 4);
		else
			sw_field(&s, c, 4);
	}
	return 0;
}

static int put16(struct dbuf *o, int be, uint16_t v)
{
	uint8_t b[2] = { be ? (uint8_t)(v >> 8) : (uint8_t)v, be ? (uint8_t)v : (uint8_t)(v >> 8) };
	return dbuf_put(o, b, 2);
}

static void set_n(uint8_t *q, int be, unsigned n, uint64_t v)
{
	for (unsigned i = 0; i < n; i++)
		q[be ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

/* Appends t as uncompressed blocks in byte order be; fills t->nw. */
static int emit_table(struct dbuf *o, struct mtab *t, size_t nblocks, int be)
{
	uint64_t rel = 0;
	for (size_t i = 0; i < nblocks; i++) {
		size_t end = i + 1 < t->n ? t->pos[i + 1] : t->d.len;
		size_t len = end - t->pos[i];
		t->nw[i] = rel;
		if (put16(o, be, (uint16_t)(0x8000 | len)) || dbuf_put(o, t->d.p + t->pos[i], len))
			return FV_ENOMEM;
		rel += 2 + len;
	}
	if (nblocks < t->n)
		t->nw[nblocks] = rel; /* the end sentinel */
	return 0;
}

/* Appends an index table and its blocks (fragments, ids); returns the index position. */
static int emit_indexed(struct dbuf *o, struct mtab *t, uint64_t bytes, int be, uint64_t *index)
{
	size_t nblk = (size_t)((bytes + SQFS_META_BLOCK_SIZE - 1) / SQFS_META_BLOCK_SIZE);
	uint64_t *ptrs = calloc(nblk ? nblk : 1, sizeof *ptrs);
	if (!ptrs)
		return FV_ENOMEM;
	for (size_t i = 0; i < nblk; i++) {
		size_t len = (size_t)(bytes - (uint64_t)i * SQFS_META_BLOCK_SIZE);
		if (len > SQFS_META_BLOCK_SIZE)
			len = SQFS_META_BLOCK_SIZE;
		ptrs[i] = o->len;
		if (put16(o, be, (uint16_t)(0x8000 | len)) ||
		    dbuf_put(o, t->d.p + (size_t)i * SQFS_META_BLOCK_SIZE, len)) {
			free(ptrs);
			return FV_ENOMEM;
		}
	}
	*index = o->len;
	for (size_t i = 0; i < nblk; i++) {
		uint8_t q[8];
		set_n(q, be, 8, ptrs[i]);
		if (dbuf_put(o, q, 8)) {
			free(ptrs);
			return FV_ENOMEM;
		}
	}
	free(ptrs);
	return 0;
}

/*
 * Rewrites a squashfs 4.0 image in the other byte order.  On success *out
 * (malloc'ed) holds the image and *outlen its length; on failure err says
 * what was wrong and where.
 */
int fv_squashfs_swap(const uint8_t *p, size_t size, uint8_t **out, size_t *outlen, char *err,
		     size_t errlen)
{
	*out = NULL;
	*outlen = 0;
	err[0] = 0;
	if (size < SB4_SIZE) {
		snprintf(err, errlen, "superblock at 0x0: needs %d bytes, %zu present", SB4_SIZE, size);
		return FV_ETRUNC;
	}
	struct sb s;
	struct conv c = { p, size, p[0] == 's', NULL, err, errlen };
	parse_sb4(p, c.be, &s);
	if (s.major != 4 || !check_sb4(&s)) {
		snprintf(err, errlen, "superblock at 0x0: not a consistent squashfs 4.0 superblock");
		return FV_EFORMAT;
	}
	if (s.bytes_used < size)
		c.size = size = (size_t)s.bytes_used;
	sqfs_super_t ssb;
	memset(&ssb, 0, sizeof ssb);
	ssb.compression_id = (sqfs_u16)s.comp;
	ssb.block_size = s.block_size;
	if (make_compressor(&ssb, &c.cmp)) {
		snprintf(err, errlen, "superblock at 0x14: compressor %s not available",
			 comp_names[s.comp]);
		return FV_EUNSUP;
	}

	/* The directory table ends where the first block of a later table
	 * starts; the superblock gives only their indexes, so ask them. */
	uint64_t dir_end = s.id_tab;
	struct {
		uint64_t index, entries;
		unsigned esize;
	} later[] = {
		{ s.id_tab, s.ids, 4 },
		{ s.frag_tab, s.frag_count, 16 },
		{ s.export_tab, s.inodes, 8 },
	};
	for (size_t i = 0; i < sizeof later / sizeof later[0]; i++) {
		if (later[i].index == NO_TABLE || later[i].index < s.dir_tab)
			continue;
		if (later[i].index < dir_end)
			dir_end = later[i].index;
		uint64_t nblk = (later[i].entries * later[i].esize + SQFS_META_BLOCK_SIZE - 1) /
				SQFS_META_BLOCK_SIZE;
		for (uint64_t k = 0; k < nblk && later[i].index <= size && 8 * (k + 1) <= size - later[i].index;
		     k++) {
			const uint8_t *q = p + later[i].index + 8 * k;
			uint64_t ptr = c.be ? fv_get_be64(q) : fv_get_le64(q);
			if (ptr >= s.dir_tab && ptr < dir_end)
				dir_end = ptr;
		}
	}
	if (s.xattr_tab != NO_TABLE && s.xattr_tab >= s.dir_tab && s.xattr_tab < dir_end &&
	    s.xattr_tab <= size && size - s.xattr_tab >= 8) {
		/* The xattr index starts with the position of its key/value blocks. */
		uint64_t kv = c.be ? fv_get_be64(p + s.xattr_tab) : fv_get_le64(p + s.xattr_tab);
		dir_end = kv >= s.dir_tab && kv < s.xattr_tab ? kv : s.xattr_tab;
	}

	struct mtab it = { 0 }, dt = { 0 }, ft = { 0 }, idt = { 0 };
	struct dbuf o = { 0 };
	int r = meta_run(&c, s.inode_tab, s.dir_tab, &it);
	if (!r)
		r = meta_run(&c, s.dir_tab, dir_end, &dt);
	if (!r && s.frag_tab != NO_TABLE && s.frag_count > 0)
		r = indexed_table(&c, s.frag_tab, s.frag_count, 16, &ft, "fragment table");
	if (!r)
		r = indexed_table(&c, s.id_tab, s.ids, 4, &idt, "id table");
	if (r)
		goto out;
	/* New block starts are known before any field is rewritten: each
	 * block keeps its decoded size. */
	size_t nit = it.n - 1, ndt = dt.n - 1;
	uint64_t rel = 0;
	for (size_t i = 0; i < nit; i++) {
		it.nw[i] = rel;
		rel += 2 + (it.pos[i + 1] - it.pos[i]);
	}
	it.nw[nit] = rel;
	rel = 0;
	for (size_t i = 0; i < ndt; i++) {
		dt.nw[i] = rel;
		rel += 2 + (dt.pos[i + 1] - dt.pos[i]);
	}
	dt.nw[ndt] = rel;
	r = swap_inodes(&c, &it, &dt, s.block_size);
	if (!r)
		r = swap_dirs(&c, &dt, &it);
	int64_t root_blk = remap(&it, s.root >> 16);
	if (!r && root_blk < 0)
		r = conv_err(&c, "root inode reference 0x%llx: no inode block starts there",
			     (unsigned long long)s.root);
	if (r)
		goto out;

	int ob = !c.be;
	if (dbuf_put(&o, p, size)) {
		r = FV_ENOMEM;
		goto out;
	}
	uint64_t inode_start = o.len;
	r = emit_table(&o, &it, nit, ob);
	uint64_t dir_start = o.len;
	if (!r)
		r = emit_table(&o, &dt, ndt, ob);
	uint64_t frag_index = NO_TABLE, id_index = 0;
	if (!r && ft.d.len)
		r = emit_indexed(&o, &ft, (uint64_t)s.frag_count * 16, ob, &frag_index);
	if (!r)
		r = emit_indexed(&o, &idt, (uint64_t)s.ids * 4, ob, &id_index);
	if (r)
		goto out;
	uint8_t *q = o.p;
	memcpy(q, ob ? "sqsh" : "hsqs", 4);
	set_n(q + 4, ob, 4, s.inodes);
	set_n(q + 8, ob, 4, s.mtime);
	set_n(q + 12, ob, 4, s.block_size);
	set_n(q + 16, ob, 4, frag_index == NO_TABLE ? 0 : s.frag_count);
	set_n(q + 20, ob, 2, s.comp);
	set_n(q + 22, ob, 2, s.block_log);
	set_n(q + 24, ob, 2, (s.flags & ~SQFS_FLAG_EXPORTABLE) | SQFS_FLAG_NO_XATTRS);
	set_n(q + 26, ob, 2, s.ids);
	set_n(q + 28, ob, 2, 4);
	set_n(q + 30, ob, 2, 0);
	set_n(q + 32, ob, 8, (uint64_t)root_blk << 16 | (s.root & 0xffff));
	set_n(q + 40, ob, 8, o.len);
	set_n(q + 48, ob, 8, id_index);
	set_n(q + 56, ob, 8, NO_TABLE);
	set_n(q + 64, ob, 8, inode_start);
	set_n(q + 72, ob, 8, dir_start);
	set_n(q + 80, ob, 8, frag_index);
	set_n(q + 88, ob, 8, NO_TABLE);
	*out = o.p;
	*outlen = o.len;
	o.p = NULL;
out:
	if (r && !err[0])
		snprintf(err, errlen, "%s", fv_strerror(r));
	free(o.p);
	mtab_free(&it), mtab_free(&dt), mtab_free(&ft), mtab_free(&idt);
	sqfs_destroy(c.cmp);
	return r;
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	if (size < 32)
		return FV_ETRUNC;
	int be = p[0] == 's';
	unsigned major = be ? fv_get_be16(p + 28) : fv_get_le16(p + 28);
	if (major == 2 || major == 3)
		return fv_squashfs_legacy_extract(x, p, size);
	if (major != 4) {
		fv_xctx_error(x, "superblock at 0x1c: expected squashfs 2.x, 3.x or 4.0, found %u.x",
			      major);
		return FV_EUNSUP;
	}
	if (!be)
		return extract_le(x, p, size);
	/* Offsets in messages about metadata then refer to the rewritten image;
	 * data blocks keep their places. */
	uint8_t *le = NULL;
	size_t len = 0;
	char err[200];
	int r = fv_squashfs_swap(p, size, &le, &len, err, sizeof err);
	if (r) {
		fv_xctx_error(x, "big-endian image not readable: %s", err);
		return r;
	}
	r = extract_le(x, le, len);
	free(le);
	return r;
}

static const struct fv_magic magics[] = {
	{ "hsqs", 4, 0 },
	{ "sqsh", 4, 0 },
	{ NULL, 0, 0 },
};

const struct fv_format fv_format_squashfs = {
	"squashfs",
	"squashfs 4.0 little and big endian, every compressor (LZO ours); 2.x/3.x with zlib or vendor LZMA",
	magics, probe, extract,
	0,
};
