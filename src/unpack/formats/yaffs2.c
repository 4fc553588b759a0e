/*
 * YAFFS2 images as dumped from NAND.
 *
 * YAFFS2 has no superblock: an image is a run of chunks (NAND pages), each
 * with tags saying which object and which chunk of it the page holds.  The
 * tags (packed tags2: sequence number, object id, chunk id, byte count, then
 * an optional ECC we do not need) sit in the spare area after the page, or,
 * with "inband tags" on flash without usable spare, in the last 16 bytes of
 * the page.  Chunk id 0 is an object header (type, parent, name, mode,
 * owners, times, size, hard-link and symlink targets); chunk ids from 1 are
 * file data.  A rewritten chunk keeps its (object, chunk) with a higher
 * block sequence number, so the newest one wins.
 *
 * Nothing in the image records the geometry, so the probe tries every page
 * size, spare size, tag position and byte order, and keeps the one whose
 * tags agree over the most chunks.  The magic is the first object header of
 * an image made by the usual tools: a file or directory whose parent is the
 * root (id 1), followed by the unused 0xffff name checksum.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/format.h"
#include "unpack/sink.h"

#define HDR_SIZE 512
#define TAGS_SIZE 16
#define SEQ_LOW 0x00001000u
#define SEQ_HIGH 0xefffff00u
/* The kernel numbers objects from 256 hash buckets, so ids stay near the
 * object count; a bound far above any real count keeps random tags out. */
#define MAX_OBJ_ID 0xfffffu
#define EXTRA_HEADER_FLAG 0x80000000u
#define MAX_DEPTH 64
#define PROBE_CHUNKS 16

enum { T_FILE = 1, T_SYMLINK = 2, T_DIR = 3, T_HARDLINK = 4, T_SPECIAL = 5 };
enum { ID_ROOT = 1, ID_LOSTFOUND = 2, ID_UNLINKED = 3, ID_DELETED = 4 };

struct geo {
	uint32_t page, spare, tagoff; /* spare 0: inband tags at the end of the page */
	int be;
};

static uint32_t geo_stride(const struct geo *g) { return g->page + g->spare; }
static uint32_t geo_data(const struct geo *g) { return g->spare ? g->page : g->page - TAGS_SIZE; }

struct tags {
	uint32_t seq, obj, chunk, nbytes;
	int header;
};

enum { TAG_BAD, TAG_ERASED, TAG_OK };

static uint32_t get32(const uint8_t *b, int be) { return be ? fv_get_be32(b) : fv_get_le32(b); }

static int read_tags(const uint8_t *chunk, const struct geo *g, struct tags *t)
{
	const uint8_t *q = g->spare ? chunk + g->page + g->tagoff : chunk + g->page - TAGS_SIZE;
	static const uint8_t ff[TAGS_SIZE] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	if (memcmp(q, ff, TAGS_SIZE) == 0)
		return TAG_ERASED;
	t->seq = get32(q, g->be);
	t->obj = get32(q + 4, g->be);
	t->chunk = get32(q + 8, g->be);
	t->nbytes = get32(q + 12, g->be);
	if (t->seq < SEQ_LOW || t->seq > SEQ_HIGH)
		return TAG_BAD;
	/* The kernel packs the object type into the id's top bits and the parent
	 * into the chunk id of a header chunk. */
	t->header = t->chunk == 0 || (t->chunk & EXTRA_HEADER_FLAG);
	if (t->chunk & EXTRA_HEADER_FLAG) {
		if ((t->chunk & 0x0fffffff) > MAX_OBJ_ID)
			return TAG_BAD; /* the parent's id */
		t->obj &= 0x0fffffff;
		t->chunk = 0;
	}
	if (t->obj < 5 || t->obj > MAX_OBJ_ID)
		return TAG_BAD;
	if (!t->header && (t->nbytes > geo_data(g) || t->chunk > (1u << 24)))
		return TAG_BAD;
	return TAG_OK;
}

/* An object header as stored, fields in the image's byte order. */
struct ohdr {
	uint32_t type, parent, mode, uid, gid, mtime, rdev;
	int32_t equiv;
	uint64_t size;
	char name[256], alias[160];
};

static int parse_hdr(const uint8_t *h, size_t n, int be, struct ohdr *o)
{
	/* Inband tags on 512-byte pages leave less than a full header; the
	 * fields that matter come first. */
	if (n < 0x1d0)
		return FV_ETRUNC;
	o->type = get32(h, be);
	o->parent = get32(h + 4, be);
	memcpy(o->name, h + 10, 255);
	o->name[255] = 0;
	o->mode = get32(h + 0x10c, be);
	o->uid = get32(h + 0x110, be);
	o->gid = get32(h + 0x114, be);
	o->mtime = get32(h + 0x11c, be);
	o->size = get32(h + 0x124, be);
	if (n >= 0x1f4) {
		uint32_t high = get32(h + 0x1f0, be);
		if (high != 0xffffffffu)
			o->size |= (uint64_t)high << 32;
	}
	o->equiv = (int32_t)get32(h + 0x128, be);
	memcpy(o->alias, h + 0x12c, 159);
	o->alias[159] = 0;
	o->rdev = get32(h + 0x1cc, be);
	if (o->type < T_FILE || o->type > T_SPECIAL)
		return FV_EFORMAT;
	return 0;
}

static int type_mode_ok(const struct ohdr *o)
{
	unsigned fmt = o->mode & S_IFMT;
	switch (o->type) {
	case T_FILE: return fmt == S_IFREG;
	case T_DIR: return fmt == S_IFDIR;
	case T_SYMLINK: return fmt == S_IFLNK;
	case T_SPECIAL: return fmt == S_IFCHR || fmt == S_IFBLK || fmt == S_IFIFO || fmt == S_IFSOCK;
	default: return 1;
	}
}

static int name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == '/')
			return 0;
	return 1;
}

static const uint32_t pages[] = { 2048, 512, 4096, 8192, 1024, 16384 };

/* Fills cand[] with every geometry worth trying; returns the count. */
static size_t candidates(int be, struct geo *cand)
{
	size_t n = 0;
	for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
		uint32_t pg = pages[i];
		const uint32_t spares[] = { pg / 32, pg / 16, pg == 4096 ? 224 : 0, pg == 4096 ? 218 : 0,
					    pg == 8192 ? 448 : 0, pg == 8192 ? 436 : 0 };
		for (size_t j = 0; j < sizeof spares / sizeof spares[0]; j++) {
			if (!spares[j])
				continue;
			/* Tags after a 2-byte bad-block marker need the room for it. */
			for (uint32_t to = 0; to <= 2 && to + TAGS_SIZE <= spares[j]; to += 2)
				cand[n++] = (struct geo){ pg, spares[j], to, be };
		}
		cand[n++] = (struct geo){ pg, 0, 0, be };
	}
	return n;
}

#define MAX_CAND 80

/* How many of the first chunks agree with geometry g; 0 if the first does not. */
static unsigned score(const uint8_t *p, size_t avail, const struct geo *g)
{
	uint32_t stride = geo_stride(g);
	if (avail < stride)
		return 0;
	struct tags t;
	if (read_tags(p, g, &t) != TAG_OK || !t.header)
		return 0;
	uint32_t first = t.obj;
	unsigned s = 1;
	for (size_t k = 1; k < PROBE_CHUNKS && (k + 1) * stride <= avail; k++) {
		int r = read_tags(p + k * stride, g, &t);
		if (r == TAG_BAD)
			break;
		/* A file's first data chunk right after its header is the
		 * strongest evidence the geometry is right. */
		s += r == TAG_OK ? 1 + (k == 1 && t.obj == first && t.chunk == 1) : 0;
	}
	return s;
}

static int detect(const uint8_t *p, size_t avail, struct geo *out)
{
	if (avail < 10)
		return FV_ETRUNC;
	int be = p[0] == 0;
	struct geo cand[MAX_CAND];
	size_t n = candidates(be, cand);
	unsigned best = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned s = score(p, avail, &cand[i]);
		if (s > best) {
			best = s;
			*out = cand[i];
		}
	}
	return best ? 0 : FV_EFORMAT;
}

/* Chunks up to and including the last one with good tags. */
static size_t count_chunks(const uint8_t *p, size_t avail, const struct geo *g, size_t *headers)
{
	uint32_t stride = geo_stride(g);
	size_t last = 0, nh = 0, bad = 0;
	for (size_t k = 0; (k + 1) * (uint64_t)stride <= avail; k++) {
		struct tags t;
		int r = read_tags(p + k * stride, g, &t);
		/* A few damaged chunks are skipped; a block's worth of them is
		 * the end of the image. */
		if (r == TAG_BAD) {
			if (++bad >= 64)
				break;
			continue;
		}
		bad = 0;
		if (r == TAG_OK) {
			last = k + 1;
			nh += t.header;
		}
	}
	/* Erased pages to the end of the last block belong to the image; a
	 * block holds 64 pages on most NAND. */
	size_t end = last;
	while (end % 64 && (end + 1) * (uint64_t)stride <= avail) {
		const uint8_t *q = p + end * stride;
		size_t i = 0;
		while (i < stride && q[i] == 0xff)
			i++;
		if (i < stride)
			break;
		end++;
	}
	if (headers)
		*headers = nh;
	return end;
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	if (avail < HDR_SIZE)
		return FV_ETRUNC;
	int be = p[0] == 0;
	struct ohdr o;
	if (parse_hdr(p, HDR_SIZE, be, &o) || o.parent != ID_ROOT || !name_ok(o.name) ||
	    !type_mode_ok(&o))
		return FV_EFORMAT;
	struct geo g;
	if (detect(p, avail, &g))
		return FV_EFORMAT;
	size_t nh = 0, n = count_chunks(p, avail, &g, &nh);
	out->size = (uint64_t)n * geo_stride(&g);
	out->conf = n >= 4 ? FV_CONF_HIGH : n >= 2 ? FV_CONF_MEDIUM : FV_CONF_LOW;
	fv_probe_desc(out, "YAFFS2, %s endian, page %u, ", be ? "big" : "little", g.page);
	if (g.spare)
		fv_probe_desc(out, "spare %u (tags at %u), ", g.spare, g.tagoff);
	else
		fv_probe_desc(out, "inband tags, ");
	fv_probe_desc(out, "%zu chunks, %zu object headers, first \"%s\"", n, nh, o.name);
	return 0;
}

/* ---- extraction ---------------------------------------------------------- */

struct rec {
	uint32_t obj, chunk, seq, nbytes;
	size_t idx; /* chunk index in the image */
};

struct obj {
	uint32_t id;
	struct ohdr h;
	char *path; /* NULL until resolved; "" if it cannot be */
	int written;
};

struct ys {
	struct fv_xctx *x;
	const uint8_t *p;
	struct geo g;
	struct rec *r;
	size_t nr;
	struct obj *o;
	size_t no;
	size_t skipped, orphans;
};

static int rec_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	if (x->obj != y->obj)
		return x->obj < y->obj ? -1 : 1;
	if (x->chunk != y->chunk)
		return x->chunk < y->chunk ? -1 : 1;
	/* Newest first: higher sequence, then later in its block. */
	if (x->seq != y->seq)
		return x->seq > y->seq ? -1 : 1;
	return x->idx > y->idx ? -1 : x->idx < y->idx;
}

static int obj_cmp(const void *a, const void *b)
{
	const struct obj *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static struct obj *find_obj(struct ys *s, uint32_t id)
{
	struct obj key = { .id = id };
	return bsearch(&key, s->o, s->no, sizeof *s->o, obj_cmp);
}

/* The path of o from the root, or "" when it hangs off nothing we can reach
 * (deleted, unlinked, orphaned, or in a parent loop). */
static const char *obj_path(struct ys *s, struct obj *o)
{
	if (o->path)
		return o->path;
	struct obj *chain[MAX_DEPTH];
	size_t n = 0;
	struct obj *c = o;
	int ok = 0;
	while (n < MAX_DEPTH) {
		chain[n++] = c;
		uint32_t par = c->h.parent;
		if (par == ID_ROOT) {
			ok = 1;
			break;
		}
		if (par == ID_UNLINKED || par == ID_DELETED || par == ID_LOSTFOUND)
			break;
		c = find_obj(s, par);
		if (!c || c->h.type != T_DIR)
			break;
		if (c->path) { /* resolved already: append to it */
			if (!*c->path)
				break;
			ok = 2;
			break;
		}
	}
	size_t len = ok == 2 ? strlen(c->path) + 1 : 0;
	for (size_t i = 0; i < n; i++)
		len += strlen(chain[i]->h.name) + 1;
	char *path = ok ? malloc(len + 1) : NULL;
	if (!path) {
		o->path = strdup("");
		return o->path ? o->path : "";
	}
	size_t pos = 0;
	if (ok == 2)
		pos = (size_t)sprintf(path, "%s/", c->path);
	for (size_t i = n; i-- > 0;)
		pos += (size_t)sprintf(path + pos, "%s%s", chain[i]->h.name, i ? "/" : "");
	o->path = path;
	return path;
}

static struct fv_attr attr_of(const struct ohdr *h)
{
	struct fv_attr a = { h->mode, h->uid, h->gid, h->mtime };
	return a;
}

static int rc(struct ys *s, int r)
{
	(void)s; /* only a limit stops the walk; other sink errors are per member */
	return r == FV_ELIMIT ? r : 0;
}

/* The first record of object id (records are sorted, newest first). */
static size_t first_rec(struct ys *s, uint32_t id)
{
	size_t lo = 0, hi = s->nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->r[mid].obj < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int write_file(struct ys *s, struct obj *o, const char *path)
{
	struct fv_attr a = attr_of(&o->h);
	struct fv_sink_file *f;
	int r = fv_sink_open(s->x, path, &a, &f);
	if (r)
		return rc(s, r);
	uint32_t dbytes = geo_data(&s->g);
	uint64_t pos = 0, want = o->h.size;
	static const uint8_t zero[4096];
	size_t i = first_rec(s, o->id);
	uint32_t prev = 0;
	for (; i < s->nr && s->r[i].obj == o->id && pos < want && !r; i++) {
		const struct rec *d = &s->r[i];
		if (d->chunk == 0 || d->chunk == prev)
			continue; /* the header, or an older copy of the same chunk */
		prev = d->chunk;
		uint64_t at = (uint64_t)(d->chunk - 1) * dbytes;
		if (at >= want)
			break;
		/* A chunk never written is a hole. */
		while (pos < at && !r) {
			size_t z = at - pos < sizeof zero ? (size_t)(at - pos) : sizeof zero;
			r = fv_sink_write(f, zero, z);
			pos += z;
		}
		uint64_t n = d->nbytes;
		if (n > want - pos)
			n = want - pos;
		if (!r)
			r = fv_sink_write(f, s->p + d->idx * (uint64_t)geo_stride(&s->g), (size_t)n);
		pos += n;
	}
	int rc2 = fv_sink_close(f);
	if (!r)
		r = rc2;
	if (!r && pos < want)
		fv_xctx_error(s->x, "file %s (object %u): header says %llu bytes, data chunks hold %llu",
			      path, o->id, (unsigned long long)want, (unsigned long long)pos);
	return rc(s, r);
}

static int depth_of(const char *p)
{
	int d = 0;
	for (; *p; p++)
		d += *p == '/';
	return d;
}

static int dir_cmp(const void *a, const void *b)
{
	const struct obj *const *x = a, *const *y = b;
	int dx = depth_of((*x)->path), dy = depth_of((*y)->path);
	return dx - dy;
}

static int write_tree(struct ys *s)
{
	/* Directories shallow to deep, then everything else, hard links last
	 * because they copy a member written before. */
	struct obj **dirs = malloc((s->no ? s->no : 1) * sizeof *dirs);
	if (!dirs)
		return FV_ENOMEM;
	size_t nd = 0;
	for (size_t i = 0; i < s->no; i++) {
		struct obj *o = &s->o[i];
		const char *path = obj_path(s, o);
		if (!*path) {
			s->orphans += o->h.parent != ID_UNLINKED && o->h.parent != ID_DELETED;
			continue;
		}
		if (o->h.type == T_DIR)
			dirs[nd++] = o;
	}
	qsort(dirs, nd, sizeof *dirs, dir_cmp);
	int r = 0;
	for (size_t i = 0; i < nd && !r; i++) {
		struct fv_attr a = attr_of(&dirs[i]->h);
		r = rc(s, fv_sink_dir(s->x, dirs[i]->path, &a));
	}
	free(dirs);
	for (int pass = 0; pass < 2 && !r; pass++)
		for (size_t i = 0; i < s->no && !r; i++) {
			struct obj *o = &s->o[i];
			if (!*o->path || o->h.type == T_DIR || (pass == 1) != (o->h.type == T_HARDLINK))
				continue;
			struct fv_attr a = attr_of(&o->h);
			switch (o->h.type) {
			case T_FILE: r = write_file(s, o, o->path); break;
			case T_SYMLINK: r = rc(s, fv_sink_symlink(s->x, o->path, o->h.alias, &a)); break;
			case T_SPECIAL: r = rc(s, fv_sink_special(s->x, o->path, &a, o->h.rdev)); break;
			case T_HARDLINK: {
				struct obj *t = o->h.equiv > 0 ? find_obj(s, (uint32_t)o->h.equiv) : NULL;
				if (!t || !*t->path || t->h.type != T_FILE) {
					fv_xctx_error(s->x, "hard link %s (object %u): target object %d is "
							    "not a file in the image",
						      o->path, o->id, o->h.equiv);
					break;
				}
				r = rc(s, fv_sink_hardlink(s->x, o->path, t->path));
				break;
			}
			}
		}
	return r;
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	struct ys s = { .x = x, .p = p };
	if (detect(p, size, &s.g)) {
		fv_xctx_error(x, "chunk at 0x0: expected YAFFS2 tags in the spare area or at the end "
				 "of the page for some page size, found none that agree");
		return FV_EFORMAT;
	}
	size_t n = count_chunks(p, size, &s.g, NULL);
	uint32_t stride = geo_stride(&s.g);
	s.r = malloc((n ? n : 1) * sizeof *s.r);
	if (!s.r)
		return FV_ENOMEM;
	for (size_t k = 0; k < n; k++) {
		struct tags t;
		int tr = read_tags(p + k * stride, &s.g, &t);
		if (tr == TAG_ERASED)
			continue;
		if (tr == TAG_BAD) {
			s.skipped++;
			continue;
		}
		s.r[s.nr++] = (struct rec){ t.obj, t.chunk, t.seq, t.nbytes, k };
	}
	qsort(s.r, s.nr, sizeof *s.r, rec_cmp);
	/* Newest header of each object. */
	s.o = calloc(s.nr ? s.nr : 1, sizeof *s.o);
	int r = s.o ? 0 : FV_ENOMEM;
	size_t bad_hdr = 0;
	uint32_t dbytes = geo_data(&s.g);
	for (size_t i = 0; i < s.nr && !r; i++) {
		if (s.r[i].chunk != 0 || (s.no && s.o[s.no - 1].id == s.r[i].obj))
			continue;
		struct obj *o = &s.o[s.no];
		uint32_t hn = dbytes < HDR_SIZE ? dbytes : HDR_SIZE;
		if (parse_hdr(p + s.r[i].idx * (uint64_t)stride, hn, s.g.be, &o->h) ||
		    !name_ok(o->h.name) || !type_mode_ok(&o->h)) {
			if (!bad_hdr++)
				fv_xctx_error(x, "object header at 0x%llx (object %u): expected a valid "
						 "type, mode and name, found type %u mode 0%o",
					      (unsigned long long)s.r[i].idx * stride, s.r[i].obj,
					      o->h.type, o->h.mode);
			memset(o, 0, sizeof *o);
			continue;
		}
		o->id = s.r[i].obj;
		s.no++;
	}
	if (!r)
		r = write_tree(&s);
	if (!r && s.skipped)
		fv_xctx_error(x, "%zu chunks with unreadable tags skipped", s.skipped);
	if (!r && s.orphans)
		fv_xctx_error(x, "%zu objects whose parent directory is missing were skipped",
			      s.orphans);
	for (size_t i = 0; i < s.no; i++)
		free(s.o[i].path);
	free(s.o);
	free(s.r);
	if (r)
		return r;
	return bad_hdr || s.skipped || s.orphans ? FV_EFORMAT : 0;
}

/* A file..special object header whose parent is the root, little or big
 * endian, then the 0xffff checksum field. */
static const struct fv_magic magics[] = {
	{ "[\\x01-\\x05]\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\xff\\xff|"
	  "\\x00\\x00\\x00[\\x01-\\x05]\\x00\\x00\\x00\\x01\\xff\\xff",
	  10, 0 },
	{ NULL, 0, 0 },
};

const struct fv_format fv_format_yaffs2 = {
	"yaffs2",
	"YAFFS2 NAND images: page 512..16384, spare or inband tags, both byte orders; newest chunk wins",
	magics, probe, extract,
	FV_FMT_RECORDS,
};
