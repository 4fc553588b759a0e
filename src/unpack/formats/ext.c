/*
 * ext2/ext3/ext4.
 *
 * The probe reads the superblock itself: it is cheap and must reject
 * garbage without touching libext2fs.  Extraction goes through libext2fs
 * (LGPL-2, linked dynamically), opened over an io_manager of ours that
 * serves blocks from the mapped chunk and refuses writes, so no temporary
 * file is ever made.  libext2fs is not hardened against hostile images; we
 * open read-only, bound the directory depth, refuse directory loops by inode
 * number and stream file data to the sink.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <et/com_err.h>
#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2fs.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/format.h"
#include "unpack/sink.h"

#define SB_OFF 1024
#define MAX_DEPTH 128  /* deeper than any real tree; bounds the recursion */
#define MAX_LINK 4096  /* PATH_MAX: longer symlink targets are not real */
#define RD_CHUNK 65536

/* Feature bits (ext2_fs.h names them too; listed here for the description). */
#define COMPAT_HAS_JOURNAL 0x4
#define INCOMPAT_EXT4 (0x40u | 0x80u | 0x200u | 0x100u | 0x8000u | 0x10000u)
#define RO_EXT4 (0x8u | 0x10u | 0x20u | 0x40u | 0x400u)
#define INCOMPAT_64BIT 0x80u

struct sbi {
	uint32_t inodes, bpg, ipg, first_data, log_bs, log_cs, rev;
	uint32_t compat, incompat, ro;
	uint64_t blocks, bs;
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

/* Copies a fixed-size, maybe unterminated label, keeping printable ASCII only. */
static void label(char *dst, size_t dlen, const uint8_t *src, size_t slen)
{
	size_t j = 0;
	for (size_t i = 0; i < slen && src[i] && j + 1 < dlen; i++)
		dst[j++] = src[i] >= 0x20 && src[i] < 0x7f && src[i] != '"' ? (char)src[i] : '?';
	dst[j] = 0;
}

/* The consistency checks libext2fs itself makes before trusting a superblock. */
static int parse_sb(const uint8_t *s, struct sbi *b)
{
	if (fv_get_le16(s + 56) != EXT2_SUPER_MAGIC)
		return 0;
	b->inodes = fv_get_le32(s + 0);
	b->blocks = fv_get_le32(s + 4);
	b->first_data = fv_get_le32(s + 20);
	b->log_bs = fv_get_le32(s + 24);
	b->log_cs = fv_get_le32(s + 28);
	b->bpg = fv_get_le32(s + 32);
	b->ipg = fv_get_le32(s + 40);
	b->rev = fv_get_le32(s + 76);
	b->compat = fv_get_le32(s + 92);
	b->incompat = fv_get_le32(s + 96);
	b->ro = fv_get_le32(s + 100);
	if (b->rev > 1 || b->log_bs > 6)
		return 0;
	b->bs = 1024ull << b->log_bs;
	if (b->rev == 1 && (b->incompat & INCOMPAT_64BIT))
		b->blocks |= (uint64_t)fv_get_le32(s + 0x150) << 32;
	if (b->first_data != (b->bs == 1024 ? 1u : 0u) && b->first_data != 0)
		return 0;
	if (b->blocks <= b->first_data || b->bpg == 0 || b->ipg == 0 || b->inodes == 0)
		return 0;
	/* bigalloc counts clusters per group; otherwise a group's bitmap is one block. */
	uint64_t maxbpg = 8 * b->bs;
	if (b->ro & 0x200u) {
		if (b->log_cs < b->log_bs || b->log_cs - b->log_bs > 16)
			return 0;
		maxbpg <<= b->log_cs - b->log_bs;
	}
	if (b->bpg > maxbpg || b->ipg > 8 * b->bs)
		return 0;
	uint64_t groups = (b->blocks - b->first_data + b->bpg - 1) / b->bpg;
	if (groups * b->ipg != b->inodes)
		return 0;
	return 1;
}

static const char *ext_kind(const struct sbi *b)
{
	if ((b->incompat & INCOMPAT_EXT4) || (b->ro & RO_EXT4))
		return "ext4";
	return b->compat & COMPAT_HAS_JOURNAL ? "ext3" : "ext2";
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	if (avail < SB_OFF + 1024)
		return FV_ETRUNC;
	const uint8_t *s = p + SB_OFF;
	struct sbi b;
	if (!parse_sb(s, &b))
		return FV_EFORMAT;
	uint64_t size = b.blocks * b.bs;
	if (b.blocks > UINT64_MAX / b.bs)
		return FV_EFORMAT;
	out->conf = FV_CONF_HIGH;
	out->size = size;
	if (size > avail) {
		out->size = avail;
		out->truncated = 1;
		out->conf = FV_CONF_MEDIUM;
	}
	char sz[32], vol[20], mnt[68];
	human_size(size, sz, sizeof sz);
	label(vol, sizeof vol, s + 120, 16);
	label(mnt, sizeof mnt, s + 136, 64);
	const uint8_t *u = s + 104;
	fv_probe_desc(out, "%s filesystem, block size %llu, %s, %u inodes", ext_kind(&b),
		      (unsigned long long)b.bs, sz, b.inodes);
	if (b.compat & COMPAT_HAS_JOURNAL)
		fv_probe_desc(out, ", journal");
	if (b.incompat & 0x40u)
		fv_probe_desc(out, ", extents");
	if (b.incompat & INCOMPAT_64BIT)
		fv_probe_desc(out, ", 64bit");
	if (b.ro & 0x400u)
		fv_probe_desc(out, ", metadata_csum");
	if (vol[0])
		fv_probe_desc(out, ", volume \"%s\"", vol);
	fv_probe_desc(out,
		      ", UUID %02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		      u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		      u[13], u[14], u[15]);
	if (mnt[0])
		fv_probe_desc(out, ", last mounted on %s", mnt);
	return 0;
}

/* ---- the chunk as an io_channel -------------------------------------------- */

struct memdev {
	const uint8_t *p;
	uint64_t size;
};

static struct struct_io_manager mem_manager; /* defined below, after its methods */

/*
 * ext2fs_open2 only passes the manager a name, so the name carries the
 * address of the memdev (on the extractor's stack), formatted by us.
 */
static errcode_t mem_open(const char *name, int flags, io_channel *channel)
{
	struct memdev *m = NULL;
	if (flags & IO_FLAG_RW)
		return EXT2_ET_RO_FILSYS;
	if (!name || sscanf(name, "fvmem:%p", (void **)&m) != 1 || !m)
		return EXT2_ET_BAD_DEVICE_NAME;
	io_channel io = calloc(1, sizeof *io);
	if (!io)
		return EXT2_ET_NO_MEMORY;
	io->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	io->manager = &mem_manager;
	io->name = strdup(name);
	io->block_size = 1024;
	io->refcount = 1;
	io->private_data = m;
	if (!io->name) {
		free(io);
		return EXT2_ET_NO_MEMORY;
	}
	*channel = io;
	return 0;
}

static errcode_t mem_close(io_channel io)
{
	if (--io->refcount > 0)
		return 0;
	free(io->name);
	free(io);
	return 0;
}

static errcode_t mem_set_blksize(io_channel io, int bs)
{
	if (bs <= 0)
		return EXT2_ET_INVALID_ARGUMENT;
	io->block_size = bs;
	return 0;
}

/* A negative count is a byte count (libext2fs convention). */
static errcode_t mem_read64(io_channel io, unsigned long long block, int count, void *data)
{
	const struct memdev *m = io->private_data;
	uint64_t len = count < 0 ? (uint64_t) - (int64_t)count : (uint64_t)count * (uint64_t)io->block_size;
	if (block > UINT64_MAX / (uint64_t)io->block_size)
		return EXT2_ET_LLSEEK_FAILED;
	uint64_t off = block * (uint64_t)io->block_size;
	if (off >= m->size) {
		memset(data, 0, len);
		return EXT2_ET_SHORT_READ;
	}
	uint64_t n = m->size - off < len ? m->size - off : len;
	memcpy(data, m->p + off, n);
	if (n < len) {
		memset((uint8_t *)data + n, 0, len - n);
		return EXT2_ET_SHORT_READ;
	}
	return 0;
}

static errcode_t mem_read(io_channel io, unsigned long block, int count, void *data)
{
	return mem_read64(io, block, count, data);
}

static errcode_t mem_write64(io_channel io, unsigned long long block, int count, const void *data)
{
	(void)io, (void)block, (void)count, (void)data;
	return EXT2_ET_RO_FILSYS;
}

static errcode_t mem_write(io_channel io, unsigned long block, int count, const void *data)
{
	return mem_write64(io, block, count, data);
}

static errcode_t mem_write_byte(io_channel io, unsigned long off, int count, const void *data)
{
	(void)io, (void)off, (void)count, (void)data;
	return EXT2_ET_RO_FILSYS;
}

static errcode_t mem_flush(io_channel io)
{
	(void)io;
	return 0;
}

static errcode_t mem_set_option(io_channel io, const char *opt, const char *arg)
{
	(void)io, (void)opt, (void)arg;
	return EXT2_ET_INVALID_ARGUMENT;
}

static struct struct_io_manager mem_manager = {
	.magic = EXT2_ET_MAGIC_IO_MANAGER,
	.name = "fwvet memory I/O manager",
	.open = mem_open,
	.close = mem_close,
	.set_blksize = mem_set_blksize,
	.read_blk = mem_read,
	.write_blk = mem_write,
	.flush = mem_flush,
	.write_byte = mem_write_byte,
	.set_option = mem_set_option,
	.read_blk64 = mem_read64,
	.write_blk64 = mem_write64,
};

/* ---- walking the tree ---------------------------------------------------- */

/* inode number -> path of its first appearance ("" marks a directory). */
struct imap {
	uint32_t *keys;
	char **vals;
	size_t cap, n;
};

static char **imap_slot(struct imap *m, uint32_t k, int *found)
{
	*found = 0;
	if ((m->n + 1) * 2 > m->cap) {
		struct imap g = { 0 };
		g.cap = m->cap ? m->cap * 2 : 256;
		g.keys = calloc(g.cap, sizeof *g.keys);
		g.vals = calloc(g.cap, sizeof *g.vals);
		if (!g.keys || !g.vals) {
			free(g.keys), free(g.vals);
			return NULL;
		}
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->keys[i])
				continue;
			size_t j = (m->keys[i] * 2654435761u) & (g.cap - 1);
			while (g.keys[j])
				j = (j + 1) & (g.cap - 1);
			g.keys[j] = m->keys[i], g.vals[j] = m->vals[i];
		}
		g.n = m->n;
		free(m->keys), free(m->vals);
		*m = g;
	}
	/* inode numbers start at 1, so 0 marks a free slot */
	size_t j = (k * 2654435761u) & (m->cap - 1);
	while (m->keys[j]) {
		if (m->keys[j] == k) {
			*found = 1;
			return &m->vals[j];
		}
		j = (j + 1) & (m->cap - 1);
	}
	m->keys[j] = k, m->vals[j] = NULL, m->n++;
	return &m->vals[j];
}

static void imap_free(struct imap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->vals[i]);
	free(m->keys), free(m->vals);
}

struct ent {
	char *name;
	uint32_t ino;
};

struct ex {
	struct fv_xctx *x;
	ext2_filsys fs;
	struct imap seen;
	uint8_t *buf;
	int errors;
	int stop;
	/* the listing being collected by the dir_iterate callback */
	struct ent *ents;
	size_t nents, capents;
	int oom;
};

#define EX_ERR(e, ...)                                                                             \
	do {                                                                                       \
		(e)->errors++;                                                                     \
		fv_xctx_error((e)->x, __VA_ARGS__);                                                \
	} while (0)

static int sink_rc(struct ex *e, int r)
{
	if (r == FV_ELIMIT)
		e->stop = 1;
	else if (r != 0)
		e->errors++;
	return r;
}

static int collect(ext2_ino_t dir, int kind, struct ext2_dir_entry *d, int off, int bs, char *buf,
		   void *priv)
{
	(void)dir, (void)kind, (void)off, (void)bs, (void)buf;
	struct ex *e = priv;
	int len = ext2fs_dirent_name_len(d);
	if (d->inode == 0 || (len == 1 && d->name[0] == '.') ||
	    (len == 2 && d->name[0] == '.' && d->name[1] == '.'))
		return 0;
	if (e->nents == e->capents) {
		size_t c = e->capents ? e->capents * 2 : 64;
		struct ent *n = realloc(e->ents, c * sizeof *n);
		if (!n) {
			e->oom = 1;
			return DIRENT_ABORT;
		}
		e->ents = n, e->capents = c;
	}
	char *name = malloc((size_t)len + 1);
	if (!name) {
		e->oom = 1;
		return DIRENT_ABORT;
	}
	memcpy(name, d->name, (size_t)len);
	name[len] = 0;
	e->ents[e->nents].name = name;
	e->ents[e->nents].ino = d->inode;
	e->nents++;
	return 0;
}

static void attr_of(const struct ext2_inode *in, struct fv_attr *a)
{
	a->mode = in->i_mode;
	a->uid = (uint32_t)in->i_uid | (uint32_t)in->osd2.linux2.l_i_uid_high << 16;
	a->gid = (uint32_t)in->i_gid | (uint32_t)in->osd2.linux2.l_i_gid_high << 16;
	a->mtime = (int64_t)in->i_mtime;
}

static int read_all(struct ex *e, uint32_t ino, const char *path, struct fv_sink_file *sf,
		    char *dst, size_t dstcap, size_t *dstlen)
{
	ext2_file_t f;
	errcode_t err = ext2fs_file_open(e->fs, ino, 0, &f);
	if (err) {
		EX_ERR(e, "%s (inode %u): cannot open its data: %s", path, ino, error_message(err));
		return -1;
	}
	__u64 lsize = 0;
	uint64_t done = 0;
	ext2fs_file_get_lsize(f, &lsize);
	int rc = 0;
	while (done < lsize) {
		unsigned int got = 0;
		err = ext2fs_file_read(f, e->buf, RD_CHUNK, &got);
		if (err) {
			EX_ERR(e, "%s (inode %u): data at file offset 0x%" PRIx64 " unreadable: %s",
			       path, ino, done, error_message(err));
			rc = -1;
			break;
		}
		if (got == 0) {
			EX_ERR(e, "%s (inode %u): %" PRIu64 " bytes expected, data ends at %" PRIu64,
			       path, ino, (uint64_t)lsize, done);
			rc = -1;
			break;
		}
		if (sf) {
			int r = fv_sink_write(sf, e->buf, got);
			if (r) {
				sink_rc(e, r);
				rc = -1;
				break;
			}
		} else {
			if (got > dstcap - *dstlen) {
				rc = -1;
				break;
			}
			memcpy(dst + *dstlen, e->buf, got);
			*dstlen += got;
		}
		done += got;
	}
	ext2fs_file_close(f);
	return rc;
}

static void do_symlink(struct ex *e, uint32_t ino, struct ext2_inode *in, const char *path,
		       const struct fv_attr *a)
{
	char target[MAX_LINK + 1];
	size_t len = 0;
	uint64_t isz = EXT2_I_SIZE(in);
	if (isz == 0 || isz > MAX_LINK) {
		EX_ERR(e, "%s (inode %u): symlink target of %" PRIu64 " bytes, 1..%d expected",
		       path, ino, isz, MAX_LINK);
		return;
	}
	if (ext2fs_is_fast_symlink(in)) {
		if (isz >= sizeof in->i_block) {
			EX_ERR(e, "%s (inode %u): fast symlink of %" PRIu64 " bytes, at most %zu fit",
			       path, ino, isz, sizeof in->i_block - 1);
			return;
		}
		memcpy(target, in->i_block, (size_t)isz);
		len = (size_t)isz;
	} else if (read_all(e, ino, path, NULL, target, MAX_LINK, &len) < 0) {
		if (!e->errors)
			EX_ERR(e, "%s (inode %u): symlink target unreadable", path, ino);
		return;
	}
	target[len] = 0;
	if (strlen(target) != len) {
		EX_ERR(e, "%s (inode %u): symlink target holds a NUL byte", path, ino);
		return;
	}
	sink_rc(e, fv_sink_symlink(e->x, path, target, a));
}

static uint64_t dev_of(const struct ext2_inode *in)
{
	/* Old encoding in i_block[0], the new 32-bit one in i_block[1]. */
	uint32_t b0 = in->i_block[0], b1 = in->i_block[1];
	if (b0)
		return makedev((b0 >> 8) & 0xff, b0 & 0xff);
	return makedev((b1 >> 8) & 0xfff, (b1 & 0xff) | ((b1 >> 12) & 0xfff00));
}

static void walk(struct ex *e, uint32_t dir, const char *dpath, unsigned depth);

static void entry(struct ex *e, const char *path, uint32_t ino, unsigned depth)
{
	struct ext2_inode in;
	errcode_t err = ext2fs_read_inode(e->fs, ino, &in);
	if (err) {
		EX_ERR(e, "%s: inode %u unreadable: %s", path, ino, error_message(err));
		return;
	}
	struct fv_attr a;
	attr_of(&in, &a);
	int found;
	if (LINUX_S_ISDIR(in.i_mode)) {
		char **slot = imap_slot(&e->seen, ino, &found);
		if (!slot) {
			e->stop = 1;
			return;
		}
		if (found) {
			EX_ERR(e, "%s: directory inode %u already listed (at /%s): a directory loop",
			       path, ino, *slot ? *slot : "");
			return;
		}
		*slot = strdup(path);
		if (sink_rc(e, fv_sink_dir(e->x, path, &a)) == 0 || !e->stop)
			walk(e, ino, path, depth + 1);
		return;
	}
	if (in.i_links_count > 1) {
		char **slot = imap_slot(&e->seen, ino, &found);
		if (!slot) {
			e->stop = 1;
			return;
		}
		if (found && *slot) {
			sink_rc(e, fv_sink_hardlink(e->x, path, *slot));
			return;
		}
		*slot = strdup(path);
	}
	switch (in.i_mode & LINUX_S_IFMT) {
	case LINUX_S_IFREG: {
		struct fv_sink_file *sf;
		if (sink_rc(e, fv_sink_open(e->x, path, &a, &sf)))
			return;
		read_all(e, ino, path, sf, NULL, 0, NULL);
		sink_rc(e, fv_sink_close(sf));
		break;
	}
	case LINUX_S_IFLNK:
		do_symlink(e, ino, &in, path, &a);
		break;
	case LINUX_S_IFCHR:
	case LINUX_S_IFBLK:
		sink_rc(e, fv_sink_special(e->x, path, &a, dev_of(&in)));
		break;
	case LINUX_S_IFIFO:
	case LINUX_S_IFSOCK:
		sink_rc(e, fv_sink_special(e->x, path, &a, 0));
		break;
	default:
		EX_ERR(e, "%s: inode %u has mode 0%o, no known file type", path, ino, in.i_mode);
	}
}

static void walk(struct ex *e, uint32_t dir, const char *dpath, unsigned depth)
{
	if (depth > MAX_DEPTH) {
		EX_ERR(e, "/%s: directories nested deeper than %d levels", dpath, MAX_DEPTH);
		return;
	}
	e->nents = 0;
	e->oom = 0;
	errcode_t err = ext2fs_dir_iterate2(e->fs, dir, 0, NULL, collect, e);
	size_t n = e->nents;
	struct ent *ents = e->ents;
	/* recursion collects into a fresh list */
	e->ents = NULL, e->nents = e->capents = 0;
	if (err)
		EX_ERR(e, "/%s: directory inode %u unreadable: %s", dpath, dir, error_message(err));
	if (e->oom) {
		e->stop = 1;
		fv_xctx_error(e->x, "/%s: out of memory listing the directory", dpath);
	}
	for (size_t i = 0; i < n; i++) {
		if (e->stop)
			break;
		const char *name = ents[i].name;
		if (strchr(name, '/') || !name[0]) {
			EX_ERR(e, "/%s: entry \"%s\" (inode %u) holds a '/' or is empty", dpath,
			       name, ents[i].ino);
			continue;
		}
		size_t pl = strlen(dpath), nl = strlen(name);
		char *path = malloc(pl + nl + 2);
		if (!path) {
			e->stop = 1;
			break;
		}
		if (pl)
			memcpy(path, dpath, pl), path[pl] = '/', memcpy(path + pl + 1, name, nl + 1);
		else
			memcpy(path, name, nl + 1);
		entry(e, path, ents[i].ino, depth);
		free(path);
	}
	for (size_t i = 0; i < n; i++)
		free(ents[i].name);
	free(ents);
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	struct memdev m = { p, size };
	char name[64];
	snprintf(name, sizeof name, "fvmem:%p", (void *)&m);
	ext2_filsys fs = NULL;
	errcode_t err = ext2fs_open2(name, NULL,
				     EXT2_FLAG_64BITS | EXT2_FLAG_IGNORE_CSUM_ERRORS | EXT2_FLAG_SKIP_MMP,
				     0, 0, &mem_manager, &fs);
	if (err) {
		fv_xctx_error(x, "superblock at 0x400: libext2fs cannot open the filesystem: %s",
			      error_message(err));
		return FV_EFORMAT;
	}
	struct ex e = { 0 };
	e.x = x;
	e.fs = fs;
	e.buf = malloc(RD_CHUNK);
	if (!e.buf) {
		ext2fs_close_free(&fs);
		return FV_ENOMEM;
	}
	int found;
	char **slot = imap_slot(&e.seen, EXT2_ROOT_INO, &found);
	if (slot) {
		*slot = strdup("");
		walk(&e, EXT2_ROOT_INO, "", 0);
	} else {
		e.stop = 1;
	}
	free(e.buf);
	free(e.ents);
	imap_free(&e.seen);
	ext2fs_close_free(&fs);
	if (e.stop)
		return FV_ELIMIT;
	return e.errors ? FV_EFORMAT : 0;
}

/*
 * The magic is 2 bytes; the fields after it narrow it: s_state (clean,
 * errors, orphans: 0..7), s_errors (0..3) and s_minor_rev_level (0).
 */
static const struct fv_magic magics[] = {
	{ "\\x53\\xEF[\\x00-\\x07]\\x00[\\x00-\\x03]\\x00\\x00\\x00", 8, 0x438 },
	{ NULL, 0, 0 },
};

const struct fv_format fv_format_ext = {
	"ext",
	"ext2/ext3/ext4 filesystems (libext2fs over memory, read-only)",
	magics, probe, extract,
	0,
};
