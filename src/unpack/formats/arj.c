/*
 * ARJ archives.  libarchive has no ARJ reader, so this is our own, written
 * from the format's public technical notes: a main header, then one header
 * per member (each basic header under its own CRC-32), member data, and an
 * end marker (a header of size 0).  Members are stored (method 0), packed
 * with ARJ's LZ77 + Huffman coder (methods 1-3, which differ only in how
 * hard the packer searched) or with its "fastest" coder (method 4).
 *
 * Every member header starts with the same 0x60 0xEA id as the main header.
 * A member header with a valid CRC is reported as what it is, one ARJ
 * member (low confidence, header and data): inside an accepted archive it
 * is a nested hit that is never extracted again, and on its own (an archive
 * whose main header was lost) the member can still be recovered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/format.h"
#include "unpack/sink.h"

#define HDR_MAX 2600     /* the largest basic header ARJ writes */
#define FIRST_MIN 30     /* the fixed part of a basic header */
#define MAX_EXT_HEADERS 16

enum { FT_BINARY, FT_TEXT, FT_MAIN, FT_DIR, FT_LABEL, FT_CHAPTER };
enum { FL_GARBLED = 0x01, FL_VOLUME = 0x04, FL_EXTFILE = 0x08 };
enum { OS_MSDOS = 0, OS_UNIX = 2, OS_NEXT = 8 };

static const struct fv_magic magics[] = {
	/* id, basic header size <= 2600, first size >= 30, versions 1..16, host OS, type */
	{ "\\x60\\xea.[\\x00-\\x0a][\\x1e-\\xff][\\x01-\\x10][\\x01-\\x10][\\x00-\\x0b]..[\\x00-\\x05]",
	  11, 0 },
	{ NULL, 0, 0 },
};

struct hdr {
	uint64_t data;     /* where the member's data starts */
	uint8_t host_os, flags, method, type;
	uint32_t mtime, csize, usize, crc;
	uint16_t mode;
	const char *name;  /* NUL-terminated inside the basic header */
};

/*
 * Parses the header at pos.  Returns 1 for the end marker, 0 for a header,
 * FV_ETRUNC when the input ends inside it, FV_EFORMAT or FV_ECRC; why says
 * what was expected where.
 */
static int header(const uint8_t *p, size_t avail, uint64_t pos, struct hdr *h, char *why,
		  size_t whylen)
{
	if (avail - pos < 4) {
		snprintf(why, whylen, "ARJ header expected at 0x%llx, input ends at 0x%zx",
			 (unsigned long long)pos, avail);
		return FV_ETRUNC;
	}
	const uint8_t *b = p + pos;
	if (b[0] != 0x60 || b[1] != 0xea) {
		snprintf(why, whylen, "ARJ header id 60 ea expected at 0x%llx, found %02x %02x",
			 (unsigned long long)pos, b[0], b[1]);
		return FV_EFORMAT;
	}
	size_t bsize = fv_get_le16(b + 2);
	if (bsize == 0)
		return 1;
	if (bsize < FIRST_MIN || bsize > HDR_MAX) {
		snprintf(why, whylen, "header at 0x%llx: basic header size 30..2600 expected, found %zu",
			 (unsigned long long)pos, bsize);
		return FV_EFORMAT;
	}
	if (avail - pos - 4 < bsize + 4) {
		snprintf(why, whylen, "header at 0x%llx: %zu header bytes expected, input ends at 0x%zx",
			 (unsigned long long)pos, bsize + 8, avail);
		return FV_ETRUNC;
	}
	const uint8_t *bh = b + 4;
	uint32_t want = fv_get_le32(bh + bsize), got = (uint32_t)crc32(0, bh, (uInt)bsize);
	if (want != got) {
		snprintf(why, whylen, "header CRC at 0x%llx: expected 0x%08x, found 0x%08x",
			 (unsigned long long)(pos + 4 + bsize), want, got);
		return FV_ECRC;
	}
	size_t first = bh[0];
	if (first < FIRST_MIN || first >= bsize || !memchr(bh + first, 0, bsize - first)) {
		snprintf(why, whylen, "header at 0x%llx: a name after the %zu-byte fixed part expected",
			 (unsigned long long)pos, first);
		return FV_EFORMAT;
	}
	h->host_os = bh[3];
	h->flags = bh[4];
	h->method = bh[5];
	h->type = bh[6];
	h->mtime = fv_get_le32(bh + 8);
	h->csize = fv_get_le32(bh + 12);
	h->usize = fv_get_le32(bh + 16);
	h->crc = fv_get_le32(bh + 20);
	h->mode = fv_get_le16(bh + 26);
	h->name = (const char *)bh + first;
	/* extended headers: size, data, CRC, until a size of 0 */
	uint64_t q = pos + 4 + bsize + 4;
	for (int i = 0;; i++) {
		if (avail - q < 2) {
			snprintf(why, whylen, "extended header size expected at 0x%llx, input ends",
				 (unsigned long long)q);
			return FV_ETRUNC;
		}
		size_t esize = fv_get_le16(p + q);
		q += 2;
		if (esize == 0)
			break;
		if (i == MAX_EXT_HEADERS || avail - q < esize + 4) {
			snprintf(why, whylen, "extended header at 0x%llx: %zu bytes expected",
				 (unsigned long long)(q - 2), esize + 4);
			return i == MAX_EXT_HEADERS ? FV_EFORMAT : FV_ETRUNC;
		}
		q += esize + 4;
	}
	h->data = q;
	return 0;
}

struct walk {
	uint64_t end, members;
	int main, complete, truncated;
	unsigned method;       /* of a member on its own */
	uint32_t csize, usize;
	char archive[64], first[64];
	char why[160];
};

static void printable(char *dst, size_t n, const char *src)
{
	size_t i = 0;
	for (; i + 1 < n && src[i]; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[i] = 0;
}

/*
 * Calls member() for each member, in order; stops early if it returns
 * nonzero (whose value is returned).
 */
static int walk(const uint8_t *p, size_t avail, struct walk *w,
		int (*member)(void *ctx, const struct hdr *h, const uint8_t *data), void *ctx)
{
	memset(w, 0, sizeof *w);
	struct hdr h;
	uint64_t pos = 0;
	int r = header(p, avail, 0, &h, w->why, sizeof w->why);
	if (r != 0)
		return FV_EFORMAT;
	if (h.type == FT_MAIN) {
		w->main = 1;
		printable(w->archive, sizeof w->archive, h.name);
		pos = h.data;
	}
	for (;;) {
		r = header(p, avail, pos, &h, w->why, sizeof w->why);
		if (r == 1) {
			w->complete = 1;
			w->end = pos + 4;
			return 0;
		}
		if (r < 0) {
			w->truncated = r == FV_ETRUNC;
			w->end = w->truncated ? avail : pos;
			return 0;
		}
		if (h.type == FT_MAIN) {
			snprintf(w->why, sizeof w->why, "member header expected at 0x%llx, found a main header",
				 (unsigned long long)pos);
			w->end = pos;
			return 0;
		}
		if (w->members == 0)
			printable(w->first, sizeof w->first, h.name);
		if (h.csize > avail - h.data) {
			w->truncated = 1;
			w->end = avail;
			snprintf(w->why, sizeof w->why,
				 "member \"%.60s\" at 0x%llx: %u bytes of data expected, input ends at 0x%zx",
				 h.name, (unsigned long long)pos, h.csize, avail);
			return 0;
		}
		w->members++;
		if (!w->main) {
			w->method = h.method;
			w->csize = h.csize;
			w->usize = h.usize;
		}
		if (member && (r = member(ctx, &h, p + h.data)) != 0)
			return r;
		pos = h.data + h.csize;
		if (!w->main) {
			/* a member on its own is one chunk: its header and data */
			w->complete = 1;
			w->end = pos;
			return 0;
		}
	}
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	struct walk w;
	if (avail < 4 + FIRST_MIN + 4 || walk(p, avail, &w, NULL, NULL) != 0 || w.end == 0)
		return FV_EFORMAT;
	out->size = w.end;
	out->truncated = w.truncated;
	if (w.main) {
		out->conf = w.complete ? FV_CONF_HIGH : FV_CONF_MEDIUM;
		fv_probe_desc(out, "ARJ archive \"%s\", %llu member%s", w.archive,
			      (unsigned long long)w.members, w.members == 1 ? "" : "s");
		if (w.members)
			fv_probe_desc(out, ", first \"%s\"", w.first);
	} else {
		if (!w.members)
			return FV_EFORMAT;
		out->conf = FV_CONF_LOW;
		fv_probe_desc(out, "ARJ member \"%s\" (a member header, no archive header), method %u, "
			      "%u -> %u bytes", w.first, w.method, w.csize, w.usize);
	}
	if (w.truncated)
		fv_probe_desc(out, ", truncated");
	else if (!w.complete)
		fv_probe_desc(out, ", no end marker");
	return FV_OK;
}

/* ---- decoding ---------------------------------------------------------- */

#define NC 510          /* literals, then match lengths 3..256 */
#define NP 17           /* position slots */
#define NT 19           /* code-length codes */
#define CBIT 9
#define PBIT 5
#define TBIT 5
#define MIN_MATCH 3
#define FAST 10
#define RING (1u << 17)
#define FLUSH (1u << 15)
#define MAX_DIST 65536u

struct bits {
	const uint8_t *p;
	size_t n;
	uint64_t pos; /* in bits */
};

/* The next 16 bits, MSB first; zeros past the end (caught by over()). */
static uint32_t peek16(const struct bits *b)
{
	uint64_t i = b->pos >> 3;
	uint32_t v = 0;
	for (int k = 0; k < 3; k++)
		v = v << 8 | (i + (uint64_t)k < b->n ? b->p[i + (uint64_t)k] : 0);
	return (v >> (8 - (b->pos & 7))) & 0xffff;
}

static uint32_t take(struct bits *b, unsigned k)
{
	if (k == 0)
		return 0;
	uint32_t v = peek16(b) >> (16 - k);
	b->pos += k;
	return v;
}

static int over(const struct bits *b) { return b->pos > (uint64_t)b->n * 8; }

struct huff {
	int single;                 /* a table of one symbol, coded with no bits */
	uint16_t sym1;
	uint32_t start[18];         /* first left-aligned 16-bit code of each length */
	uint32_t limit[18];
	uint16_t base[18];          /* index of each length's first symbol in sorted */
	uint16_t sorted[NC];
	uint16_t fast[1 << FAST];   /* len << 9 | symbol, 0xffff: longer code */
};

/* Canonical codes: shorter first, and by symbol within one length. */
static int build(struct huff *t, const uint8_t *len, unsigned n)
{
	uint16_t count[17] = { 0 };
	t->single = 0;
	for (unsigned i = 0; i < n; i++)
		count[len[i]]++;
	uint32_t code = 0;
	uint16_t idx = 0;
	for (unsigned l = 1; l <= 16; l++) {
		t->start[l] = code;
		t->base[l] = idx;
		code += (uint32_t)count[l] << (16 - l);
		t->limit[l] = code;
		idx = (uint16_t)(idx + count[l]);
	}
	if (code != 1u << 16)
		return FV_EFORMAT; /* over- or under-subscribed */
	uint16_t next[17];
	memcpy(next, t->base, sizeof next);
	for (unsigned i = 0; i < n; i++)
		if (len[i])
			t->sorted[next[len[i]]++] = (uint16_t)i;
	memset(t->fast, 0xff, sizeof t->fast);
	for (unsigned l = 1; l <= FAST; l++)
		for (unsigned k = 0; k < count[l]; k++) {
			uint32_t c = (t->start[l] + (k << (16 - l))) >> (16 - FAST);
			uint16_t v = (uint16_t)(l << 9 | t->sorted[t->base[l] + k]);
			for (uint32_t j = 0; j < 1u << (FAST - l); j++)
				t->fast[c + j] = v;
		}
	return FV_OK;
}

static unsigned decode(struct bits *b, const struct huff *t)
{
	if (t->single)
		return t->sym1;
	uint32_t v = peek16(b);
	uint16_t f = t->fast[v >> (16 - FAST)];
	if (f != 0xffff) {
		b->pos += f >> 9;
		return f & 511;
	}
	for (unsigned l = FAST + 1; l <= 16; l++)
		if (v < t->limit[l]) {
			b->pos += l;
			return t->sorted[t->base[l] + ((v - t->start[l]) >> (16 - l))];
		}
	return 0; /* unreachable for a complete code */
}

/* Lengths of the code-length code (special: after 3 lengths, a run of zeros) or of positions. */
static int read_pt(struct bits *b, struct huff *t, unsigned nn, unsigned nbit, unsigned special)
{
	uint8_t len[NT] = { 0 };
	unsigned n = take(b, nbit);
	if (n == 0) {
		unsigned c = take(b, nbit);
		if (c >= nn)
			return FV_EFORMAT;
		t->single = 1;
		t->sym1 = (uint16_t)c;
		return FV_OK;
	}
	if (n > nn)
		return FV_EFORMAT;
	unsigned i = 0;
	while (i < n) {
		uint32_t v = peek16(b);
		unsigned c = v >> 13;
		if (c == 7) {
			/* 7 and up: unary continuation after the three bits */
			for (uint32_t m = 1u << 12; m && (v & m); m >>= 1)
				c++;
			if (c > 16)
				return FV_EFORMAT;
			b->pos += c - 3;
		} else {
			b->pos += 3;
		}
		len[i++] = (uint8_t)c;
		if (i == special) {
			unsigned z = take(b, 2);
			if (i + z > nn)
				return FV_EFORMAT;
			while (z--)
				len[i++] = 0;
		}
	}
	return build(t, len, nn);
}

static int read_c(struct bits *b, struct huff *c, const struct huff *t)
{
	uint8_t len[NC] = { 0 };
	unsigned n = take(b, CBIT);
	if (n == 0) {
		unsigned s = take(b, CBIT);
		if (s >= NC)
			return FV_EFORMAT;
		c->single = 1;
		c->sym1 = (uint16_t)s;
		return FV_OK;
	}
	if (n > NC)
		return FV_EFORMAT;
	unsigned i = 0;
	while (i < n) {
		unsigned s = decode(b, t);
		if (s <= 2) {
			unsigned z = s == 0 ? 1 : s == 1 ? take(b, 4) + 3 : take(b, CBIT) + 20;
			if (i + z > NC)
				return FV_EFORMAT;
			while (z--)
				len[i++] = 0;
		} else {
			len[i++] = (uint8_t)(s - 2);
		}
		if (over(b))
			return FV_ETRUNC;
	}
	return build(c, len, NC);
}

struct out {
	uint8_t *ring;
	uint64_t n, flushed, want;
	uLong crc;
	struct fv_sink_file *f;
};

static int flush(struct out *o)
{
	uint64_t k = o->n - o->flushed;
	if (!k)
		return FV_OK;
	const uint8_t *s = o->ring + (o->flushed & (RING - 1));
	o->crc = crc32(o->crc, s, (uInt)k);
	o->flushed = o->n;
	return o->f ? fv_sink_write(o->f, s, (size_t)k) : FV_OK;
}

static int put(struct out *o, uint8_t c)
{
	o->ring[o->n++ & (RING - 1)] = c;
	return o->n - o->flushed == FLUSH ? flush(o) : FV_OK;
}

static int copy(struct out *o, uint64_t dist, unsigned len)
{
	if (dist > o->n || dist > MAX_DIST)
		return FV_EFORMAT;
	for (unsigned i = 0; i < len && o->n < o->want; i++) {
		int rc = put(o, o->ring[(o->n - dist) & (RING - 1)]);
		if (rc)
			return rc;
	}
	return FV_OK;
}

static int unpack_lzh(struct bits *b, struct out *o)
{
	struct huff *t = malloc(3 * sizeof *t);
	if (!t)
		return FV_ENOMEM;
	struct huff *tl = &t[0], *tc = &t[1], *tp = &t[2];
	unsigned block = 0;
	int rc = FV_OK;
	while (o->n < o->want && rc == FV_OK) {
		if (block == 0) {
			block = take(b, 16);
			if (block == 0 || (rc = read_pt(b, tl, NT, TBIT, 3)) ||
			    (rc = read_c(b, tc, tl)) || (rc = read_pt(b, tp, NP, PBIT, 0))) {
				rc = rc ? rc : FV_EFORMAT;
				break;
			}
		}
		block--;
		unsigned c = decode(b, tc);
		if (c < 256) {
			rc = put(o, (uint8_t)c);
		} else {
			unsigned len = c - 256 + MIN_MATCH;
			unsigned d = decode(b, tp);
			if (d)
				d = (1u << (d - 1)) + take(b, d - 1);
			rc = copy(o, (uint64_t)d + 1, len);
		}
		if (rc == FV_OK && over(b))
			rc = FV_ETRUNC;
	}
	free(t);
	return rc;
}

static int unpack_fastest(struct bits *b, struct out *o)
{
	int rc = FV_OK;
	while (o->n < o->want && rc == FV_OK) {
		/* length: unary prefix of up to 7 ones picks the width of the rest */
		unsigned plus = 0, step = 1, w = 0;
		for (; w < 7 && take(b, 1); w++, step <<= 1)
			plus += step;
		unsigned c = take(b, w) + plus;
		if (c == 0) {
			rc = put(o, (uint8_t)take(b, 8));
		} else {
			unsigned len = c - 1 + MIN_MATCH;
			plus = 0, step = 1u << 9;
			for (w = 9; w < 13 && take(b, 1); w++, step <<= 1)
				plus += step;
			unsigned d = take(b, w) + plus;
			rc = copy(o, (uint64_t)d + 1, len);
		}
		if (rc == FV_OK && over(b))
			rc = FV_ETRUNC;
	}
	return rc;
}

/* ---- extraction -------------------------------------------------------- */

struct xctx {
	struct fv_xctx *x;
	uint8_t *ring;
	int soft;
};

static void note(struct xctx *c, int rc)
{
	if (!c->soft)
		c->soft = rc;
}

static int64_t dos_time(uint32_t t)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = (int)((t >> 25) & 0x7f) + 80;
	tm.tm_mon = (int)((t >> 21) & 0x0f) - 1;
	tm.tm_mday = (int)((t >> 16) & 0x1f);
	tm.tm_hour = (int)((t >> 11) & 0x1f);
	tm.tm_min = (int)((t >> 5) & 0x3f);
	tm.tm_sec = (int)(t & 0x1f) * 2;
	return (int64_t)timegm(&tm);
}

static int member(void *ctx, const struct hdr *h, const uint8_t *data)
{
	struct xctx *c = ctx;
	char name[HDR_MAX + 1];
	snprintf(name, sizeof name, "%s", h->name);
	for (char *s = name; *s; s++)
		if (*s == '\\')
			*s = '/'; /* DOS separators; the sink judges the result */
	struct fv_attr a;
	int unixish = h->host_os == OS_UNIX || h->host_os == OS_NEXT;
	a.uid = a.gid = 0;
	a.mtime = unixish ? (int64_t)h->mtime : dos_time(h->mtime);
	if (unixish)
		a.mode = h->mode & 07777;
	else
		a.mode = (h->mode & 0x01) ? 0444 : 0644; /* DOS read-only attribute */

	switch (h->type) {
	case FT_DIR:
		a.mode |= S_IFDIR | (unixish ? 0 : 0111);
		return fv_sink_dir(c->x, name, &a);
	case FT_BINARY:
	case FT_TEXT:
		break;
	default:
		return 0; /* volume and chapter labels hold no data */
	}
	a.mode |= S_IFREG;
	if (h->flags & FL_GARBLED) {
		fv_xctx_error(c->x, "member %.200s is encrypted (garbled): skipped", name);
		note(c, FV_EUNSUP);
		return 0;
	}
	if (h->flags & (FL_VOLUME | FL_EXTFILE)) {
		fv_xctx_error(c->x, "member %.200s continues in another volume: skipped", name);
		note(c, FV_EUNSUP);
		return 0;
	}
	if (h->method > 4) {
		fv_xctx_error(c->x, "member %.200s: compression method 0..4 expected, found %u", name,
			      h->method);
		note(c, FV_EUNSUP);
		return 0;
	}
	struct out o = { c->ring, 0, 0, h->usize, crc32(0, NULL, 0), NULL };
	int rc = fv_sink_open(c->x, name, &a, &o.f);
	if (rc)
		return rc == FV_ELIMIT || rc == FV_ENOMEM || rc == FV_EIO ? rc : (note(c, rc), 0);
	struct bits b = { data, h->csize, 0 };
	if (h->method == 0) {
		if (h->csize != h->usize) {
			fv_xctx_error(c->x, "stored member %.200s: sizes differ (%u packed, %u unpacked)",
				      name, h->csize, h->usize);
			note(c, FV_EFORMAT);
		}
		o.crc = crc32(o.crc, data, h->csize);
		o.n = o.flushed = h->csize;
		rc = fv_sink_write(o.f, data, h->csize);
	} else {
		rc = h->method == 4 ? unpack_fastest(&b, &o) : unpack_lzh(&b, &o);
		int fr = flush(&o);
		rc = rc ? rc : fr;
	}
	int cr = fv_sink_close(o.f);
	if (rc == FV_OK)
		rc = cr;
	if (rc == FV_ELIMIT || rc == FV_ENOMEM || rc == FV_EIO)
		return rc;
	if (rc) {
		fv_xctx_error(c->x, "member %.200s: packed data %s after %llu of %u bytes", name,
			      rc == FV_ETRUNC ? "ends early" : "is corrupt", (unsigned long long)o.n,
			      h->usize);
		note(c, rc);
	} else if ((uint32_t)o.crc != h->crc) {
		fv_xctx_error(c->x, "member %.200s: CRC expected 0x%08x, found 0x%08x", name, h->crc,
			      (uint32_t)o.crc);
		note(c, FV_ECRC);
	}
	return 0;
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	struct xctx c = { x, malloc(RING), 0 };
	if (!c.ring)
		return FV_ENOMEM;
	struct walk w;
	int rc = walk(p, size, &w, member, &c);
	free(c.ring);
	if (rc)
		return rc;
	if (!w.complete) {
		fv_xctx_error(x, "%s", w.why);
		return w.truncated ? FV_ETRUNC : FV_EFORMAT;
	}
	return c.soft;
}

const struct fv_format fv_format_arj = {
	"arj", "ARJ archive, methods 0-4 (own decoder)", magics, probe, extract,
	0,
};
