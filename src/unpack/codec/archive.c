/*
 * libarchive glue.  The chunk is read straight from memory with exactly one
 * reader format and no filters: a compressed archive is a gzip (or xz...)
 * chunk whose output the engine scans again, so libarchive never has to
 * guess what it is looking at.
 */
#include "unpack/codec/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/err.h"
#include "unpack/sink.h"

/* More consecutive failed headers than this means the reader is lost. */
#define MAX_FAILED_HEADERS 64
#define NAME_MAX_LEN 4096
/* Links held back at once; past this, an empty first link is written as is. */
#define MAX_PENDING 1024

/*
 * A regular member with several links whose data has not been seen yet.
 * cpio newc stores the data with the LAST link of a set, so the earlier
 * links are held back until the data arrives (or the archive ends).
 */
struct pending {
	char *name;   /* the first link of the set */
	char *target; /* NULL for the first link, else the first link's name */
	struct fv_attr attr;
};

struct ctx {
	struct fv_xctx *x;
	struct archive *a;
	struct pending *pend;
	size_t npend, cappend;
	unsigned index;    /* entries seen, for names of unnamed entries */
	int soft;          /* first non-fatal error, reported already */
	char unnamed[32];
};

static void note(struct ctx *c, int rc)
{
	if (!c->soft)
		c->soft = rc;
}

static int fatal_sink(int rc)
{
	return rc == FV_ELIMIT || rc == FV_ENOMEM || rc == FV_EIO;
}

static const char *libarchive_says(struct archive *a)
{
	const char *s = archive_error_string(a);
	return s ? s : "no detail";
}

/* " at 0x..." for the header being read, or nothing when libarchive has lost track. */
struct where {
	char s[32];
};

static struct where at(struct archive *a)
{
	struct where w = { "" };
	la_int64_t pos = archive_read_header_position(a);
	if (pos >= 0)
		snprintf(w.s, sizeof w.s, " at 0x%llx", (unsigned long long)pos);
	return w;
}

/*
 * The name to hand to the sink.  libarchive may fail to convert a name to
 * the current locale and then has only one of its other forms, or none.
 */
static const char *entry_name(struct ctx *c, struct archive_entry *e)
{
	const char *n = archive_entry_pathname(e);
	if (!n || !*n)
		n = archive_entry_pathname_utf8(e);
	if (n && *n && strnlen(n, NAME_MAX_LEN) < NAME_MAX_LEN)
		return n;
	snprintf(c->unnamed, sizeof c->unnamed, "unnamed-%u", c->index);
	return c->unnamed;
}

static const char *link_name(struct archive_entry *e, int hard)
{
	const char *t = hard ? archive_entry_hardlink(e) : archive_entry_symlink(e);
	if (!t || !*t)
		t = hard ? archive_entry_hardlink_utf8(e) : archive_entry_symlink_utf8(e);
	return t && *t ? t : NULL;
}

static void entry_attr(struct archive_entry *e, struct fv_attr *a)
{
	la_int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
	a->mode = (uint32_t)archive_entry_mode(e);
	a->uid = uid < 0 || uid > UINT32_MAX ? UINT32_MAX : (uint32_t)uid;
	a->gid = gid < 0 || gid > UINT32_MAX ? UINT32_MAX : (uint32_t)gid;
	a->mtime = archive_entry_mtime_is_set(e) ? (int64_t)archive_entry_mtime(e) : 0;
}

static int write_zeros(struct fv_sink_file *f, uint64_t n)
{
	static const uint8_t zero[65536];
	while (n) {
		size_t k = n > sizeof zero ? sizeof zero : (size_t)n;
		int rc = fv_sink_write(f, zero, k);
		if (rc)
			return rc;
		n -= k;
	}
	return FV_OK;
}

/*
 * Streams the current entry's data into a new member.  The declared size
 * is not trusted: the data ends where libarchive says it ends, and holes of
 * sparse entries are filled (the sink's limits bound them).
 */
static int write_data(struct ctx *c, const char *name, const struct fv_attr *attr)
{
	struct fv_sink_file *f;
	int rc = fv_sink_open(c->x, name, attr, &f);
	if (rc)
		return rc;
	uint64_t pos = 0;
	for (;;) {
		const void *buf;
		size_t len;
		la_int64_t off;
		int r = archive_read_data_block(c->a, &buf, &len, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_WARN) {
			/* e.g. a CRC mismatch: the data is kept, the chunk is marked */
			fv_xctx_error(c->x, "entry %.200s%s: %s", name,
				      at(c->a).s,
				      libarchive_says(c->a));
			note(c, FV_ECRC);
		} else if (r < ARCHIVE_WARN) {
			fv_xctx_error(c->x, "entry %.200s%s: data after byte %llu: %s", name,
				      at(c->a).s,
				      (unsigned long long)pos, libarchive_says(c->a));
			rc = r == ARCHIVE_FATAL ? FV_ETRUNC : FV_EFORMAT;
			break;
		}
		if (len == 0 && r == ARCHIVE_WARN)
			continue;
		if (off < 0 || (uint64_t)off < pos) {
			fv_xctx_error(c->x, "entry %.200s: data block at %lld goes back before %llu",
				      name, (long long)off, (unsigned long long)pos);
			rc = FV_EFORMAT;
			break;
		}
		if ((uint64_t)off > pos && (rc = write_zeros(f, (uint64_t)off - pos)))
			break;
		if (len && (rc = fv_sink_write(f, buf, len)))
			break;
		pos = (uint64_t)off + len;
	}
	int rc2 = fv_sink_close(f);
	return rc ? rc : rc2;
}

static struct pending *find_pending(struct ctx *c, const char *name)
{
	for (size_t i = 0; i < c->npend; i++)
		if (!c->pend[i].target && strcmp(c->pend[i].name, name) == 0)
			return &c->pend[i];
	return NULL;
}

static int add_pending(struct ctx *c, const char *name, const char *target,
		       const struct fv_attr *attr)
{
	if (c->npend == c->cappend) {
		size_t cap = c->cappend ? 2 * c->cappend : 16;
		struct pending *v = realloc(c->pend, cap * sizeof *v);
		if (!v)
			return FV_ENOMEM;
		c->pend = v;
		c->cappend = cap;
	}
	struct pending *p = &c->pend[c->npend];
	p->name = strdup(name);
	p->target = target ? strdup(target) : NULL;
	p->attr = *attr;
	if (!p->name || (target && !p->target)) {
		free(p->name);
		free(p->target);
		return FV_ENOMEM;
	}
	c->npend++;
	return FV_OK;
}

/*
 * Writes the held-back links of the set whose first link is root: root
 * itself (with data if the current entry carries it, else empty), then
 * copies of it.  Entries are removed from the list.
 */
static int flush_set(struct ctx *c, const char *root, int with_data)
{
	int rc = FV_OK;
	struct pending *r = find_pending(c, root);
	if (!r)
		return FV_OK;
	char *rname = r->name;
	r->name = NULL;
	int w = with_data ? write_data(c, rname, &r->attr)
			  : fv_sink_file(c->x, rname, &r->attr, "", 0);
	if (w)
		rc = w;
	for (size_t i = 0; i < c->npend && !fatal_sink(rc); i++) {
		struct pending *p = &c->pend[i];
		if (p->name && p->target && strcmp(p->target, rname) == 0) {
			int h = fv_sink_hardlink(c->x, p->name, rname);
			if (h && !rc)
				rc = h;
			free(p->name);
			free(p->target);
			p->name = p->target = NULL;
		}
	}
	free(rname);
	/* Drop the spent slots. */
	size_t k = 0;
	for (size_t i = 0; i < c->npend; i++)
		if (c->pend[i].name)
			c->pend[k++] = c->pend[i];
	c->npend = k;
	return rc;
}

static int flush_all(struct ctx *c)
{
	int rc = FV_OK;
	while (c->npend && !fatal_sink(rc)) {
		size_t i = 0;
		while (i < c->npend && c->pend[i].target)
			i++;
		if (i == c->npend) {
			/* links whose first link never came: nothing to copy */
			for (i = 0; i < c->npend; i++) {
				fv_xctx_error(c->x, "hard link %.200s: target %.200s never written",
					      c->pend[i].name, c->pend[i].target);
				free(c->pend[i].name);
				free(c->pend[i].target);
			}
			c->npend = 0;
			return FV_EFORMAT;
		}
		char *root = strdup(c->pend[i].name);
		if (!root)
			return FV_ENOMEM;
		int r = flush_set(c, root, 0);
		free(root);
		if (r && !rc)
			rc = r;
	}
	return rc;
}

static int do_entry(struct ctx *c, struct archive_entry *e)
{
	const char *name = entry_name(c, e);
	struct fv_attr attr;
	entry_attr(e, &attr);
	unsigned type = archive_entry_filetype(e);
	const char *hard = link_name(e, 1);
	int has_size = archive_entry_size_is_set(e) && archive_entry_size(e) > 0;

	if (archive_entry_is_data_encrypted(e) || archive_entry_is_metadata_encrypted(e)) {
		fv_xctx_error(c->x, "entry %.200s%s is encrypted: skipped", name,
			      at(c->a).s);
		note(c, FV_EUNSUP);
		return FV_OK;
	}

	switch (type) {
	case AE_IFDIR:
		/* the root itself ("." in ISO 9660 and some tars): nothing to make */
		if (name[strspn(name, "./")] == 0 && !strstr(name, ".."))
			return FV_OK;
		return fv_sink_dir(c->x, name, &attr);
	case AE_IFLNK: {
		const char *t = link_name(e, 0);
		if (!t) {
			fv_xctx_error(c->x, "symlink %.200s: no readable target", name);
			return FV_EFORMAT;
		}
		return fv_sink_symlink(c->x, name, t, &attr);
	}
	case AE_IFCHR:
	case AE_IFBLK:
	case AE_IFIFO:
	case AE_IFSOCK:
		return fv_sink_special(c->x, name, &attr, (uint64_t)archive_entry_rdev(e));
	default:
		break;
	}
	/* Regular files, and entries of unknown type, which readers treat as files. */
	if ((attr.mode & S_IFMT) == 0)
		attr.mode |= S_IFREG;
	if (hard) {
		if (find_pending(c, hard)) {
			if (!has_size && c->npend < MAX_PENDING)
				return add_pending(c, name, hard, &attr);
			if (!has_size) {
				/* too many held back: settle for an empty set */
				int rc = flush_set(c, hard, 0);
				return rc ? rc : fv_sink_hardlink(c->x, name, hard);
			}
			int rc = add_pending(c, name, hard, &attr);
			return rc ? rc : flush_set(c, hard, 1);
		}
		if (has_size) {
			/* A link that carries data (pax, newc): the data wins. */
			return write_data(c, name, &attr);
		}
		return fv_sink_hardlink(c->x, name, hard);
	}
	if (archive_entry_nlink(e) > 1 && !has_size && archive_entry_size_is_set(e) &&
	    c->npend < MAX_PENDING)
		return add_pending(c, name, NULL, &attr);
	return write_data(c, name, &attr);
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size,
		   int (*enable)(struct archive *));

/*
 * libarchive converts names stored as UTF-8 (zip's flag, Joliet, pax) to
 * the current locale, and in the C locale every non-ASCII name fails and
 * comes back without a name.  A UTF-8 locale for this thread only, for the
 * time of the extraction, keeps them.
 */
int fv_archive_extract(struct fv_xctx *x, const uint8_t *p, size_t size,
		       int (*enable)(struct archive *))
{
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t old = utf8 ? uselocale(utf8) : (locale_t)0;
	int rc = extract(x, p, size, enable);
	if (utf8) {
		uselocale(old);
		freelocale(utf8);
	}
	return rc;
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size,
		   int (*enable)(struct archive *))
{
	struct ctx c;
	memset(&c, 0, sizeof c);
	c.x = x;
	c.a = archive_read_new();
	if (!c.a)
		return FV_ENOMEM;
	int rc = FV_OK;
	if (enable(c.a) != ARCHIVE_OK) {
		fv_xctx_error(x, "libarchive reader unavailable: %s", libarchive_says(c.a));
		archive_read_free(c.a);
		return FV_EUNSUP;
	}
	if (archive_read_open_memory(c.a, p, size) != ARCHIVE_OK) {
		fv_xctx_error(x, "archive header at 0x0: %s", libarchive_says(c.a));
		archive_read_free(c.a);
		return FV_EFORMAT;
	}
	unsigned failed = 0;
	char last[128] = "";
	for (;;) {
		struct archive_entry *e;
		int r = archive_read_next_header(c.a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_RETRY) {
			if (++failed > MAX_FAILED_HEADERS)
				break;
			continue;
		}
		if (r == ARCHIVE_FATAL || r == ARCHIVE_FAILED) {
			/* The header position still names the broken header. */
			if (last[0])
				fv_xctx_error(x, "entry %u%s (after \"%.100s\"): %s", c.index + 1,
					      at(c.a).s, last, libarchive_says(c.a));
			else
				fv_xctx_error(x, "first entry%s: %s", at(c.a).s, libarchive_says(c.a));
			rc = FV_EFORMAT;
			if (r == ARCHIVE_FATAL || ++failed > MAX_FAILED_HEADERS)
				break;
			continue;
		}
		failed = 0;
		c.index++;
		const char *name = entry_name(&c, e);
		snprintf(last, sizeof last, "%s", name);
		if (r == ARCHIVE_WARN) {
			/* e.g. a name in a charset the locale cannot show */
			fv_xctx_error(x, "entry %.200s%s: %s", name,
				      at(c.a).s,
				      libarchive_says(c.a));
		}
		int er = do_entry(&c, e);
		if (er) {
			if (fatal_sink(er)) {
				rc = er;
				break;
			}
			note(&c, er);
		}
		if (archive_read_data_skip(c.a) == ARCHIVE_FATAL) {
			fv_xctx_error(x, "entry %.200s: skipping its data: %s", last,
				      libarchive_says(c.a));
			rc = FV_ETRUNC;
			break;
		}
	}
	int fr = fatal_sink(rc) ? FV_OK : flush_all(&c);
	for (size_t i = 0; i < c.npend; i++) {
		free(c.pend[i].name);
		free(c.pend[i].target);
	}
	free(c.pend);
	archive_read_free(c.a);
	if (rc)
		return rc;
	if (fr)
		return fr;
	return c.soft;
}
