/*
 * One-shot stream decoders over memory.  The compression libraries do the
 * entropy decoding; the framing around them (gzip, zlib and lzop headers and
 * trailers, xz stream padding, lz4 legacy blocks) is parsed here, so that we
 * know exactly how many input bytes a stream occupies and can say precisely
 * which check failed.
 *
 * Output goes to the caller in pieces through one bounded buffer; nothing is
 * held whole in memory except one lzop or lz4-legacy block, whose size its
 * format bounds.  Messages give offsets relative to the stream's start.
 */
#include "unpack/codec/stream.h"

#include <bzlib.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>
#define LZ4F_STATIC_LINKING_ONLY
#include <lz4.h>
#include <lz4frame.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/codec/lzo1x.h"
#include "unpack/codec/stream_hdr.h"
#include "unpack/format.h"
#include "unpack/sink.h"

#define OUTBUF (64u * 1024)
/* liblzma allocates the whole declared dictionary up front; refuse absurd ones. */
#define LZMA_MEMLIMIT (256ull << 20)
/* lzop never writes blocks above 64 MiB. */
#define LZOP_MAX_BLOCK (64u << 20)
#define LZ4_LEGACY_BLOCK (8u << 20)
/* Headers are tiny; a name or comment without its NUL this far in is garbage. */
#define GZIP_MAX_FIELD 65536
/* Zeros after an xz stream are only padding if another stream follows them. */
#define XZ_MAX_PADDING (1u << 20)
/* More chunk input per library call than the libraries' 32-bit counters take. */
#define FEED_MAX (1u << 30)

static const uint8_t xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
static const uint8_t lzop_magic[9] = { 0x89, 'L', 'Z', 'O', 0x00, 0x0d, 0x0a, 0x1a, 0x0a };

struct outs {
	fv_codec_out out;
	void *ctx;
	uint64_t maxout;
	struct fv_decode *res;
	uint8_t *buf; /* OUTBUF bytes */
};

static void seterr(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t len, const char *fmt, ...)
{
	if (!err || !len || err[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}
#define RERR(o, ...) seterr((o)->res->err, sizeof (o)->res->err, __VA_ARGS__)

/* Hands decoded bytes on, never more than maxout in all. */
static int emit(struct outs *o, const uint8_t *p, size_t n)
{
	int lim = 0;
	if (o->maxout) {
		uint64_t room = o->maxout - o->res->produced;
		if (n > room) {
			n = (size_t)room;
			lim = 1;
		}
	}
	if (n && o->out) {
		int e = o->out(o->ctx, p, n);
		if (e < 0) {
			RERR(o, "output stopped after 0x%llx bytes: %s",
			     (unsigned long long)o->res->produced, fv_strerror(e));
			return e;
		}
	}
	o->res->produced += n;
	if (lim) {
		RERR(o, "output limit of %llu bytes reached", (unsigned long long)o->maxout);
		return FV_ELIMIT;
	}
	return 0;
}

/* ---- headers ---------------------------------------------------------- */

int fv_gzip_header(const uint8_t *p, size_t n, struct fv_gzip_hdr *h, char *err, size_t errlen)
{
	memset(h, 0, sizeof *h);
	struct fv_cur c = fv_cur_make(p, n);
	const uint8_t *b = fv_cur_bytes(&c, 10);
	if (!b) {
		seterr(err, errlen, "gzip header at 0x0: expected 10 bytes, found %zu", n);
		return FV_ETRUNC;
	}
	if (b[0] != 0x1f || b[1] != 0x8b) {
		seterr(err, errlen, "gzip magic at 0x0: expected 1f 8b, found %02x %02x", b[0], b[1]);
		return FV_EFORMAT;
	}
	if (b[2] != 8) {
		seterr(err, errlen, "gzip method at 0x2: expected 8 (deflate), found %u", b[2]);
		return FV_EFORMAT;
	}
	if (b[3] & 0xe0) {
		seterr(err, errlen, "gzip flags at 0x3: expected reserved bits 0xe0 clear, found 0x%02x",
		       b[3]);
		return FV_EFORMAT;
	}
	h->flags = b[3];
	h->mtime = fv_get_le32(b + 4);
	h->xfl = b[8];
	h->os = b[9];
	if (h->flags & 0x04) {
		size_t at = c.pos;
		uint16_t xlen = fv_cur_le16(&c);
		if (!fv_cur_skip(&c, xlen)) {
			seterr(err, errlen, "gzip extra field at 0x%zx: expected %u bytes, found %zu", at,
			       (unsigned)xlen, n - at);
			return FV_ETRUNC;
		}
	}
	for (int i = 0; i < 2; i++) {
		uint8_t bit = i ? 0x10 : 0x08;
		if (!(h->flags & bit))
			continue;
		size_t at = c.pos, left = n - at;
		size_t scan = left < GZIP_MAX_FIELD ? left : GZIP_MAX_FIELD;
		const uint8_t *z = memchr(p + at, 0, scan);
		if (!z) {
			seterr(err, errlen, "gzip %s at 0x%zx: expected a NUL-terminated string, found %s",
			       i ? "comment" : "file name", at,
			       scan < left ? "none within 64 KiB" : "the end of the input");
			return scan < left ? FV_EFORMAT : FV_ETRUNC;
		}
		size_t len = (size_t)(z - (p + at));
		if (i) {
			h->comment = p + at;
			h->commentlen = len;
		} else {
			h->name = p + at;
			h->namelen = len;
		}
		c.pos = at + len + 1;
	}
	if (h->flags & 0x02) {
		size_t at = c.pos;
		uint16_t stored = fv_cur_le16(&c);
		if (!fv_cur_ok(&c)) {
			seterr(err, errlen, "gzip header CRC16 at 0x%zx: expected 2 bytes, found %zu", at,
			       n - at);
			return FV_ETRUNC;
		}
		uint16_t calc = (uint16_t)crc32(crc32(0, NULL, 0), p, (uInt)at);
		if (calc != stored) {
			seterr(err, errlen, "gzip header CRC16 at 0x%zx: expected 0x%04x, found 0x%04x", at,
			       calc, stored);
			return FV_ECRC;
		}
	}
	h->hdrlen = c.pos;
	return 0;
}

const char *fv_lzop_method_name(uint8_t method)
{
	switch (method) {
	case 1: return "LZO1X-1";
	case 2: return "LZO1X-1(15)";
	case 3: return "LZO1X-999";
	}
	return NULL;
}

int fv_lzop_header(const uint8_t *p, size_t n, struct fv_lzop_hdr *h, char *err, size_t errlen)
{
	memset(h, 0, sizeof *h);
	struct fv_cur c = fv_cur_make(p, n);
	const uint8_t *m = fv_cur_bytes(&c, sizeof lzop_magic);
	if (!m) {
		seterr(err, errlen, "lzop magic at 0x0: expected 9 bytes, found %zu", n);
		return FV_ETRUNC;
	}
	if (memcmp(m, lzop_magic, sizeof lzop_magic) != 0) {
		seterr(err, errlen, "lzop magic at 0x0: expected 89 4c 5a 4f 00 0d 0a 1a 0a");
		return FV_EFORMAT;
	}
	h->version = fv_cur_be16(&c);
	h->lib_version = fv_cur_be16(&c);
	/* Files before lzop 0.94 lack the "needed version", level and mtime high fields. */
	int v94 = h->version >= 0x0940;
	if (v94)
		h->version_needed = fv_cur_be16(&c);
	h->method = fv_cur_u8(&c);
	if (v94)
		h->level = fv_cur_u8(&c);
	h->flags = fv_cur_be32(&c);
	if (h->flags & FV_LZOP_FILTER)
		h->filter = fv_cur_be32(&c);
	h->mode = fv_cur_be32(&c);
	h->mtime = fv_cur_be32(&c);
	if (v94)
		h->mtime |= (uint64_t)fv_cur_be32(&c) << 32;
	size_t namelen = fv_cur_u8(&c);
	h->name = fv_cur_bytes(&c, namelen);
	h->namelen = h->name ? namelen : 0;
	size_t sumat = c.pos;
	uint32_t stored = fv_cur_be32(&c);
	if (!fv_cur_ok(&c)) {
		seterr(err, errlen, "lzop header at 0x9: expected at least %zu bytes, found %zu",
		       sumat + 4, n);
		return FV_ETRUNC;
	}
	if (h->version < 0x0900) {
		seterr(err, errlen, "lzop version at 0x9: expected 0x0900 or later, found 0x%04x",
		       h->version);
		return FV_EFORMAT;
	}
	uint32_t calc = (h->flags & FV_LZOP_H_CRC32)
				? (uint32_t)crc32(crc32(0, NULL, 0), p + 9, (uInt)(sumat - 9))
				: (uint32_t)adler32(adler32(0, NULL, 0), p + 9, (uInt)(sumat - 9));
	if (calc != stored) {
		seterr(err, errlen, "lzop header %s at 0x%zx: expected 0x%08x, found 0x%08x",
		       (h->flags & FV_LZOP_H_CRC32) ? "CRC32" : "Adler-32", sumat, calc, stored);
		return FV_ECRC;
	}
	if (h->flags & FV_LZOP_EXTRA_FIELD) {
		size_t at = c.pos;
		uint32_t xlen = fv_cur_be32(&c);
		if (!fv_cur_skip(&c, xlen) || !fv_cur_skip(&c, 4)) {
			seterr(err, errlen, "lzop extra field at 0x%zx: expected %u bytes and a checksum",
			       at, xlen);
			return FV_ETRUNC;
		}
	}
	if (!fv_lzop_method_name(h->method)) {
		seterr(err, errlen, "lzop method at 0x%x: expected 1..3 (LZO1X), found %u",
		       v94 ? 0xf : 0xd, h->method);
		return FV_EUNSUP;
	}
	if (h->flags & FV_LZOP_FILTER) {
		seterr(err, errlen, "lzop filter %u: filters are not supported", h->filter);
		return FV_EUNSUP;
	}
	h->hdrlen = c.pos;
	return 0;
}

/* A dictionary size as encoders write it: 2^n or 2^n + 2^(n-1). */
static int lzma_dict_ok(uint32_t d, int strict)
{
	if (d > (1u << 30))
		return 0;
	if (!strict)
		return 1;
	if (d < 4096)
		return 0;
	uint32_t low = d & -d; /* lowest set bit */
	return d == low || d == low * 3;
}

int fv_lzma_header(const uint8_t *p, size_t n, int strict, struct fv_lzma_hdr *h, char *err,
		   size_t errlen)
{
	memset(h, 0, sizeof *h);
	if (n < 14) {
		seterr(err, errlen, "lzma header at 0x0: expected 13 bytes and data, found %zu", n);
		return FV_ETRUNC;
	}
	unsigned props = p[0];
	if (props >= 9 * 5 * 5) {
		seterr(err, errlen, "lzma properties at 0x0: expected below 225, found %u", props);
		return FV_EFORMAT;
	}
	h->pb = props / 45;
	h->lp = props % 45 / 9;
	h->lc = props % 9;
	if (h->lc + h->lp > 4) {
		/* liblzma's limit, and no common encoder exceeds it. */
		seterr(err, errlen, "lzma properties at 0x0: expected lc+lp <= 4, found lc=%u lp=%u",
		       h->lc, h->lp);
		return FV_EFORMAT;
	}
	h->dict = fv_get_le32(p + 1);
	if (!lzma_dict_ok(h->dict, strict)) {
		seterr(err, errlen, "lzma dictionary size at 0x1: expected %s, found %u",
		       strict ? "2^n or 3*2^n between 4 KiB and 1 GiB" : "at most 1 GiB", h->dict);
		return FV_EFORMAT;
	}
	h->usize = fv_get_le64(p + 5);
	if (h->usize != UINT64_MAX) {
		/* LZMA cannot beat roughly 7000:1, even on zeros. */
		uint64_t most = (uint64_t)n * 8192;
		if (h->usize == 0 || h->usize > most || h->usize > (1ull << 40)) {
			seterr(err, errlen,
			       "lzma uncompressed size at 0x5: expected 1..%llu for %zu input bytes, found %llu",
			       (unsigned long long)(most < (1ull << 40) ? most : (1ull << 40)), n,
			       (unsigned long long)h->usize);
			return FV_EFORMAT;
		}
	}
	if (p[13] != 0) {
		seterr(err, errlen, "lzma data at 0xd: expected 0x00 (range coder start), found 0x%02x",
		       p[13]);
		return FV_EFORMAT;
	}
	return 0;
}

/* ---- deflate family ---------------------------------------------------- */

/*
 * Raw deflate at in[base..]; *used gets the bytes the deflate data took.
 * Checksums are updated over all decoded output.
 */
static int inflate_raw(struct outs *o, const uint8_t *in, size_t inlen, size_t base, size_t *used,
		       uLong *crc, uLong *adler)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, -15) != Z_OK)
		return FV_ENOMEM;
	size_t fed = 0;
	int rc = 0;
	for (;;) {
		if (z.avail_in == 0 && fed < inlen) {
			size_t k = inlen - fed < FEED_MAX ? inlen - fed : FEED_MAX;
			z.next_in = (Bytef *)(uintptr_t)(in + fed);
			z.avail_in = (uInt)k;
			fed += k;
		}
		z.next_out = o->buf;
		z.avail_out = OUTBUF;
		int zr = inflate(&z, Z_NO_FLUSH);
		size_t got = OUTBUF - z.avail_out;
		if (got) {
			if (crc)
				*crc = crc32(*crc, o->buf, (uInt)got);
			if (adler)
				*adler = adler32(*adler, o->buf, (uInt)got);
			if ((rc = emit(o, o->buf, got)))
				break;
		}
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_OK)
			continue;
		if (zr == Z_BUF_ERROR && z.avail_in == 0 && fed < inlen)
			continue;
		if (zr == Z_BUF_ERROR) {
			RERR(o, "deflate data at 0x%zx: expected more compressed data (no end-of-stream block), found the end of the input",
			     base + inlen);
			rc = FV_ETRUNC;
		} else if (zr == Z_MEM_ERROR) {
			rc = FV_ENOMEM;
		} else {
			RERR(o, "deflate data at 0x%llx: expected a valid block, found %s",
			     (unsigned long long)(base + z.total_in), z.msg ? z.msg : "corrupt data");
			rc = FV_EFORMAT;
		}
		break;
	}
	*used = (size_t)z.total_in;
	inflateEnd(&z);
	return rc;
}

static int dec_deflate(struct outs *o, const uint8_t *in, size_t n)
{
	size_t used = 0;
	int e = inflate_raw(o, in, n, 0, &used, NULL, NULL);
	o->res->consumed = used;
	o->res->ended = !e;
	return e;
}

static int dec_gzip(struct outs *o, const uint8_t *in, size_t n)
{
	struct fv_gzip_hdr h;
	int e = fv_gzip_header(in, n, &h, o->res->err, sizeof o->res->err);
	if (e)
		return e;
	size_t used = 0;
	uLong crc = crc32(0, NULL, 0);
	e = inflate_raw(o, in + h.hdrlen, n - h.hdrlen, h.hdrlen, &used, &crc, NULL);
	size_t t = h.hdrlen + used;
	o->res->consumed = t;
	if (e)
		return e;
	if (n - t < 8) {
		RERR(o, "gzip trailer at 0x%zx: expected 8 bytes (CRC32, size), found %zu", t, n - t);
		o->res->consumed = n;
		return FV_ETRUNC;
	}
	uint32_t scrc = fv_get_le32(in + t), ssize = fv_get_le32(in + t + 4);
	if (scrc != (uint32_t)crc) {
		RERR(o, "gzip CRC32 at 0x%zx: expected 0x%08x, found 0x%08x", t, (uint32_t)crc, scrc);
		return FV_ECRC;
	}
	if (ssize != (uint32_t)o->res->produced) {
		RERR(o, "gzip size at 0x%zx: expected %u (size mod 2^32), found %u", t + 4,
		     (uint32_t)o->res->produced, ssize);
		return FV_ECRC;
	}
	o->res->consumed = t + 8;
	o->res->ended = 1;
	return 0;
}

static int dec_zlib(struct outs *o, const uint8_t *in, size_t n)
{
	if (n < 2) {
		RERR(o, "zlib header at 0x0: expected 2 bytes, found %zu", n);
		return FV_ETRUNC;
	}
	unsigned cmf = in[0], flg = in[1];
	if ((cmf & 0x0f) != 8) {
		RERR(o, "zlib method at 0x0: expected 8 (deflate), found %u", cmf & 0x0f);
		return FV_EFORMAT;
	}
	if ((cmf >> 4) > 7) {
		RERR(o, "zlib window at 0x0: expected at most 7 (32 KiB), found %u", cmf >> 4);
		return FV_EFORMAT;
	}
	if ((cmf * 256 + flg) % 31) {
		RERR(o, "zlib header check at 0x0: expected (CMF*256+FLG) %% 31 == 0, found %u",
		     (cmf * 256 + flg) % 31);
		return FV_EFORMAT;
	}
	if (flg & 0x20) {
		RERR(o, "zlib flags at 0x1: a preset dictionary is not supported");
		return FV_EUNSUP;
	}
	size_t used = 0;
	uLong ad = adler32(0, NULL, 0);
	int e = inflate_raw(o, in + 2, n - 2, 2, &used, NULL, &ad);
	size_t t = 2 + used;
	o->res->consumed = t;
	if (e)
		return e;
	if (n - t < 4) {
		RERR(o, "zlib Adler-32 at 0x%zx: expected 4 bytes, found %zu", t, n - t);
		o->res->consumed = n;
		return FV_ETRUNC;
	}
	uint32_t s = fv_get_be32(in + t);
	if (s != (uint32_t)ad) {
		RERR(o, "zlib Adler-32 at 0x%zx: expected 0x%08x, found 0x%08x", t, (uint32_t)ad, s);
		return FV_ECRC;
	}
	o->res->consumed = t + 4;
	o->res->ended = 1;
	return 0;
}

/* ---- xz and lzma-alone ------------------------------------------------- */

/* Runs an initialised liblzma decoder over all of in; *used gets what it took. */
static int lzma_run(struct outs *o, lzma_stream *s, const uint8_t *in, size_t n, size_t base,
		    const char *what, size_t *used)
{
	s->next_in = in;
	s->avail_in = n;
	lzma_ret r;
	int rc = 0;
	for (;;) {
		s->next_out = o->buf;
		s->avail_out = OUTBUF;
		/* All input is here: FINISH makes a cut-off stream report BUF_ERROR. */
		r = lzma_code(s, LZMA_FINISH);
		size_t got = OUTBUF - s->avail_out;
		if (got && (rc = emit(o, o->buf, got)))
			break;
		if (r != LZMA_OK)
			break;
	}
	*used = (size_t)s->total_in;
	if (rc)
		return rc;
	unsigned long long at = (unsigned long long)(base + s->total_in);
	switch (r) {
	case LZMA_STREAM_END:
		return 0;
	case LZMA_BUF_ERROR:
		RERR(o, "%s stream at 0x%zx: expected more data (no end marker), found the end of the input at 0x%zx",
		     what, base, base + n);
		return FV_ETRUNC;
	case LZMA_MEMLIMIT_ERROR:
		RERR(o, "%s stream at 0x%zx: dictionary needs %llu MiB, more than the %llu MiB allowed",
		     what, base, (unsigned long long)(lzma_memusage(s) >> 20), LZMA_MEMLIMIT >> 20);
		return FV_EUNSUP;
	case LZMA_OPTIONS_ERROR:
	case LZMA_UNSUPPORTED_CHECK:
		RERR(o, "%s stream at 0x%zx: unsupported options", what, base);
		return FV_EUNSUP;
	case LZMA_FORMAT_ERROR:
		RERR(o, "%s header at 0x%zx: expected a valid header, found none", what, base);
		return FV_EFORMAT;
	case LZMA_MEM_ERROR:
		return FV_ENOMEM;
	default:
		RERR(o, "%s data near 0x%llx: expected valid compressed data, found corrupt data or a check mismatch",
		     what, at);
		return FV_EFORMAT;
	}
}

static int dec_xz(struct outs *o, const uint8_t *in, size_t n)
{
	size_t pos = 0;
	for (;;) {
		lzma_stream s = LZMA_STREAM_INIT;
		if (lzma_stream_decoder(&s, LZMA_MEMLIMIT, 0) != LZMA_OK)
			return FV_ENOMEM;
		size_t used = 0;
		int e = lzma_run(o, &s, in + pos, n - pos, pos, "xz", &used);
		lzma_end(&s);
		if (e) {
			o->res->consumed = pos + used;
			return e;
		}
		pos += used;
		/*
		 * Concatenated streams may be separated by zero padding in
		 * multiples of four.  Zeros not followed by another stream are
		 * left out: in an image they are more likely flash padding.
		 */
		size_t z = pos, lim = n - pos < XZ_MAX_PADDING ? n : pos + XZ_MAX_PADDING;
		while (z < lim && in[z] == 0)
			z++;
		if ((z - pos) % 4 == 0 && n - z >= sizeof xz_magic &&
		    memcmp(in + z, xz_magic, sizeof xz_magic) == 0) {
			pos = z;
			continue;
		}
		break;
	}
	o->res->consumed = pos;
	o->res->ended = 1;
	return 0;
}

static int dec_lzma(struct outs *o, const uint8_t *in, size_t n)
{
	struct fv_lzma_hdr h;
	int e = fv_lzma_header(in, n, 0, &h, o->res->err, sizeof o->res->err);
	if (e)
		return e;
	lzma_stream s = LZMA_STREAM_INIT;
	if (lzma_alone_decoder(&s, LZMA_MEMLIMIT) != LZMA_OK)
		return FV_ENOMEM;
	size_t used = 0;
	e = lzma_run(o, &s, in, n, 0, "lzma", &used);
	lzma_end(&s);
	o->res->consumed = used;
	if (e)
		return e;
	o->res->ended = 1;
	return 0;
}

/* ---- bzip2 ---------------------------------------------------------------- */

static int dec_bzip2(struct outs *o, const uint8_t *in, size_t n)
{
	bz_stream b;
	memset(&b, 0, sizeof b);
	if (BZ2_bzDecompressInit(&b, 0, 0) != BZ_OK)
		return FV_ENOMEM;
	size_t fed = 0;
	int rc = 0;
	for (;;) {
		if (b.avail_in == 0 && fed < n) {
			size_t k = n - fed < FEED_MAX ? n - fed : FEED_MAX;
			b.next_in = (char *)(uintptr_t)(in + fed);
			b.avail_in = (unsigned)k;
			fed += k;
		}
		b.next_out = (char *)o->buf;
		b.avail_out = OUTBUF;
		unsigned before = b.avail_in;
		int r = BZ2_bzDecompress(&b);
		size_t got = OUTBUF - b.avail_out;
		if (got && (rc = emit(o, o->buf, got)))
			break;
		if (r == BZ_STREAM_END) {
			o->res->ended = 1;
			break;
		}
		uint64_t at = (uint64_t)b.total_in_hi32 << 32 | b.total_in_lo32;
		if (r == BZ_OK) {
			if (got || b.avail_in != before || (b.avail_in == 0 && fed < n))
				continue;
			if (b.avail_in) {
				RERR(o, "bzip2 data near 0x%llx: decoder made no progress",
				     (unsigned long long)at);
				rc = FV_EFORMAT;
				break;
			}
			RERR(o, "bzip2 stream: expected more data (no end-of-stream marker), found the end of the input at 0x%zx",
			     n);
			rc = FV_ETRUNC;
		} else if (r == BZ_DATA_ERROR_MAGIC) {
			RERR(o, "bzip2 header at 0x0: expected \"BZh\" and a block size digit");
			rc = FV_EFORMAT;
		} else if (r == BZ_MEM_ERROR) {
			rc = FV_ENOMEM;
		} else {
			RERR(o, "bzip2 data near 0x%llx: expected a valid block, found corrupt data or a CRC mismatch",
			     (unsigned long long)at);
			rc = FV_EFORMAT;
		}
		break;
	}
	o->res->consumed = (size_t)((uint64_t)b.total_in_hi32 << 32 | b.total_in_lo32);
	BZ2_bzDecompressEnd(&b);
	return rc;
}

/* ---- zstd ----------------------------------------------------------------- */

static int dec_zstd(struct outs *o, const uint8_t *in, size_t n)
{
	/* The frame's size comes from its block headers; decode no further. */
	size_t fsz = ZSTD_findFrameCompressedSize(in, n);
	size_t lim = ZSTD_isError(fsz) ? n : fsz;
	ZSTD_DCtx *d = ZSTD_createDCtx();
	if (!d)
		return FV_ENOMEM;
	ZSTD_inBuffer ib = { in, lim, 0 };
	int rc = 0;
	for (;;) {
		ZSTD_outBuffer ob = { o->buf, OUTBUF, 0 };
		size_t before = ib.pos;
		size_t r = ZSTD_decompressStream(d, &ob, &ib);
		if (ZSTD_isError(r)) {
			ZSTD_ErrorCode c = ZSTD_getErrorCode(r);
			if (c == ZSTD_error_checksum_wrong) {
				RERR(o, "zstd content checksum at 0x%zx: expected the checksum of the decoded data, found a mismatch",
				     ib.pos >= 4 ? ib.pos - 4 : 0);
				rc = FV_ECRC;
			} else if (c == ZSTD_error_frameParameter_windowTooLarge) {
				RERR(o, "zstd frame header at 0x4: window larger than the 128 MiB allowed");
				rc = FV_EUNSUP;
			} else if (c == ZSTD_error_memory_allocation) {
				rc = FV_ENOMEM;
			} else {
				RERR(o, "zstd data near 0x%zx: expected a valid frame, found %s", ib.pos,
				     ZSTD_getErrorName(r));
				rc = FV_EFORMAT;
			}
			break;
		}
		if (ob.pos && (rc = emit(o, o->buf, ob.pos)))
			break;
		if (r == 0) {
			o->res->ended = 1;
			break;
		}
		if (ib.pos == ib.size && ob.pos < ob.size) {
			RERR(o, "zstd frame: expected more data, found the end of the input at 0x%zx", n);
			rc = FV_ETRUNC;
			break;
		}
		if (ob.pos == 0 && ib.pos == before) {
			RERR(o, "zstd data near 0x%zx: decoder made no progress", ib.pos);
			rc = FV_EFORMAT;
			break;
		}
	}
	o->res->consumed = ib.pos;
	ZSTD_freeDCtx(d);
	return rc;
}

/* ---- lz4 ------------------------------------------------------------------ */

static int dec_lz4f(struct outs *o, const uint8_t *in, size_t n)
{
	LZ4F_dctx *d = NULL;
	if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION)))
		return FV_ENOMEM;
	size_t pos = 0;
	int rc = 0;
	for (;;) {
		size_t src = n - pos, dst = OUTBUF;
		size_t r = LZ4F_decompress(d, o->buf, &dst, in + pos, &src, NULL);
		pos += src;
		if (LZ4F_isError(r)) {
			LZ4F_errorCodes c = LZ4F_getErrorCode(r);
			if (c == LZ4F_ERROR_contentChecksum_invalid || c == LZ4F_ERROR_blockChecksum_invalid ||
			    c == LZ4F_ERROR_headerChecksum_invalid) {
				RERR(o, "lz4 frame near 0x%zx: expected a matching checksum, found %s", pos,
				     LZ4F_getErrorName(r));
				rc = FV_ECRC;
			} else if (c == LZ4F_ERROR_allocation_failed) {
				rc = FV_ENOMEM;
			} else {
				RERR(o, "lz4 frame near 0x%zx: expected valid data, found %s", pos,
				     LZ4F_getErrorName(r));
				rc = FV_EFORMAT;
			}
			break;
		}
		if (dst && (rc = emit(o, o->buf, dst)))
			break;
		if (r == 0) {
			o->res->ended = 1;
			break;
		}
		if (src == 0 && dst == 0) {
			if (pos == n) {
				RERR(o, "lz4 frame: expected more data (end mark), found the end of the input at 0x%zx",
				     n);
				rc = FV_ETRUNC;
			} else {
				RERR(o, "lz4 frame at 0x%zx: decoder made no progress", pos);
				rc = FV_EFORMAT;
			}
			break;
		}
	}
	o->res->consumed = pos;
	LZ4F_freeDecompressionContext(d);
	return rc;
}

/*
 * The legacy format has no end mark: blocks of 8 MiB output follow one
 * another, and a shorter block is the last.  After a full block, anything
 * that is not a valid block is taken as the end of the stream.
 */
static int dec_lz4_legacy(struct outs *o, const uint8_t *in, size_t n)
{
	if (n < 4 || fv_get_le32(in) != 0x184C2102) {
		RERR(o, "lz4 legacy magic at 0x0: expected 02 21 4c 18");
		return n < 4 ? FV_ETRUNC : FV_EFORMAT;
	}
	const uint32_t bound = (uint32_t)LZ4_compressBound(LZ4_LEGACY_BLOCK);
	uint8_t *blk = malloc(LZ4_LEGACY_BLOCK);
	if (!blk)
		return FV_ENOMEM;
	size_t pos = 4;
	unsigned blocks = 0;
	int rc = 0;
	for (;;) {
		if (n - pos < 4) {
			if (blocks == 0) {
				RERR(o, "lz4 legacy block at 0x%zx: expected a 4-byte size, found the end of the input",
				     pos);
				rc = FV_ETRUNC;
			}
			break;
		}
		uint32_t cs = fv_get_le32(in + pos);
		if (cs == 0 || cs > bound) {
			if (blocks == 0) {
				RERR(o, "lz4 legacy block at 0x%zx: expected a size of 1..%u, found %u", pos,
				     bound, cs);
				rc = FV_EFORMAT;
			}
			break;
		}
		if (cs > n - pos - 4) {
			/* Cut off: the partial decoder stops where the input does. */
			size_t have = n - pos - 4;
			int k = have ? LZ4_decompress_safe_partial((const char *)in + pos + 4, (char *)blk,
								   (int)have, (int)LZ4_LEGACY_BLOCK,
								   (int)LZ4_LEGACY_BLOCK)
				     : 0;
			if (k > 0 && (rc = emit(o, blk, (size_t)k)))
				break;
			RERR(o, "lz4 legacy block at 0x%zx: expected %u bytes, found %zu", pos, cs, have);
			rc = FV_ETRUNC;
			pos = n;
			break;
		}
		int k = LZ4_decompress_safe((const char *)in + pos + 4, (char *)blk, (int)cs,
					    (int)LZ4_LEGACY_BLOCK);
		if (k < 0) {
			if (blocks == 0) {
				RERR(o, "lz4 legacy block at 0x%zx: expected valid LZ4 data, found corrupt data",
				     pos);
				rc = FV_EFORMAT;
			}
			break;
		}
		pos += 4 + (size_t)cs;
		blocks++;
		if ((rc = emit(o, blk, (size_t)k)))
			break;
		if ((uint32_t)k < LZ4_LEGACY_BLOCK)
			break;
	}
	free(blk);
	o->res->consumed = pos;
	if (!rc)
		o->res->ended = 1;
	return rc;
}

/* ---- lzop ----------------------------------------------------------------- */

static int dec_lzop(struct outs *o, const uint8_t *in, size_t n)
{
	struct fv_lzop_hdr h;
	int e = fv_lzop_header(in, n, &h, o->res->err, sizeof o->res->err);
	if (e)
		return e;
	uint8_t *blk = NULL;
	size_t blkcap = 0;
	struct fv_cur c = fv_cur_make(in, n);
	fv_cur_seek(&c, h.hdrlen);
	int rc = 0;
	for (;;) {
		size_t at = c.pos;
		uint32_t usize = fv_cur_be32(&c);
		if (!fv_cur_ok(&c)) {
			RERR(o, "lzop block at 0x%zx: expected a 4-byte size (0 ends the file), found the end of the input",
			     at);
			rc = FV_ETRUNC;
			break;
		}
		if (usize == 0) {
			o->res->ended = 1;
			break;
		}
		uint32_t csize = fv_cur_be32(&c);
		uint32_t dad = 0, dcrc = 0, cad = 0, ccrc = 0;
		if (h.flags & FV_LZOP_ADLER32_D)
			dad = fv_cur_be32(&c);
		if (h.flags & FV_LZOP_CRC32_D)
			dcrc = fv_cur_be32(&c);
		/* Stored blocks carry no checksum of the compressed form. */
		if (csize < usize && (h.flags & FV_LZOP_ADLER32_C))
			cad = fv_cur_be32(&c);
		if (csize < usize && (h.flags & FV_LZOP_CRC32_C))
			ccrc = fv_cur_be32(&c);
		if (!fv_cur_ok(&c)) {
			RERR(o, "lzop block header at 0x%zx: expected sizes and checksums, found the end of the input",
			     at);
			rc = FV_ETRUNC;
			break;
		}
		if (usize > LZOP_MAX_BLOCK || csize == 0 || csize > usize) {
			RERR(o, "lzop block at 0x%zx: expected sizes 1 <= compressed <= uncompressed <= 64 MiB, found %u and %u",
			     at, csize, usize);
			rc = FV_EFORMAT;
			break;
		}
		size_t dat = c.pos;
		size_t have = fv_cur_left(&c) < csize ? fv_cur_left(&c) : csize;
		const uint8_t *data = in + dat;
		fv_cur_skip(&c, have);
		if (have == csize && csize < usize) {
			if ((h.flags & FV_LZOP_ADLER32_C) &&
			    (uint32_t)adler32(adler32(0, NULL, 0), data, csize) != cad) {
				RERR(o, "lzop block at 0x%zx: expected compressed Adler-32 0x%08x, found 0x%08x",
				     at, (uint32_t)adler32(adler32(0, NULL, 0), data, csize), cad);
				rc = FV_ECRC;
				break;
			}
			if ((h.flags & FV_LZOP_CRC32_C) &&
			    (uint32_t)crc32(crc32(0, NULL, 0), data, csize) != ccrc) {
				RERR(o, "lzop block at 0x%zx: expected compressed CRC32 0x%08x, found 0x%08x", at,
				     (uint32_t)crc32(crc32(0, NULL, 0), data, csize), ccrc);
				rc = FV_ECRC;
				break;
			}
		}
		const uint8_t *plain;
		size_t plen;
		if (csize == usize) {
			plain = data;
			plen = have;
		} else {
			if (blkcap < usize) {
				free(blk);
				blkcap = usize;
				if (!(blk = malloc(blkcap))) {
					rc = FV_ENOMEM;
					break;
				}
			}
			size_t outlen = usize, used = 0;
			int le = fv_lzo1x_decompress(data, have, blk, &outlen, &used);
			plain = blk;
			plen = outlen;
			if (le == FV_ETRUNC && have < csize) {
				/* Cut off: hand on what the block held so far. */
			} else if (le || outlen != usize || used != csize) {
				RERR(o, "lzop block at 0x%zx: expected LZO1X data of %u bytes decoding to %u, found %s (%zu bytes used, %zu produced)",
				     at, csize, usize,
				     le == FV_EFORMAT ? "a reference before the start"
				     : le == FV_ELIMIT ? "more output than declared"
				     : le == FV_ETRUNC ? "no end marker"
							: "a size mismatch",
				     used, outlen);
				rc = FV_EFORMAT;
				break;
			}
		}
		if (have < csize) {
			if (!(rc = emit(o, plain, plen))) {
				RERR(o, "lzop block at 0x%zx: expected %u bytes of data, found %zu", at,
				     csize, have);
				rc = FV_ETRUNC;
			}
			break;
		}
		if ((rc = emit(o, plain, plen)))
			break;
		if ((h.flags & FV_LZOP_ADLER32_D) &&
		    (uint32_t)adler32(adler32(0, NULL, 0), plain, usize) != dad) {
			RERR(o, "lzop block at 0x%zx: expected Adler-32 0x%08x of the data, found 0x%08x", at,
			     (uint32_t)adler32(adler32(0, NULL, 0), plain, usize), dad);
			rc = FV_ECRC;
			break;
		}
		if ((h.flags & FV_LZOP_CRC32_D) && (uint32_t)crc32(crc32(0, NULL, 0), plain, usize) != dcrc) {
			RERR(o, "lzop block at 0x%zx: expected CRC32 0x%08x of the data, found 0x%08x", at,
			     (uint32_t)crc32(crc32(0, NULL, 0), plain, usize), dcrc);
			rc = FV_ECRC;
			break;
		}
	}
	free(blk);
	o->res->consumed = c.pos;
	return rc;
}

/* ---- entry points ---------------------------------------------------------- */

int fv_decode(enum fv_codec c, const uint8_t *in, size_t inlen, uint64_t maxout, fv_codec_out out,
	      void *ctx, struct fv_decode *res)
{
	memset(res, 0, sizeof *res);
	struct outs o = { out, ctx, maxout, res, NULL };
	/* lz4 legacy blocks go straight from their own buffer. */
	if (c != FV_CODEC_LZ4_LEGACY && c != FV_CODEC_LZO && !(o.buf = malloc(OUTBUF)))
		return FV_ENOMEM;
	int e;
	switch (c) {
	case FV_CODEC_GZIP: e = dec_gzip(&o, in, inlen); break;
	case FV_CODEC_ZLIB: e = dec_zlib(&o, in, inlen); break;
	case FV_CODEC_DEFLATE: e = dec_deflate(&o, in, inlen); break;
	case FV_CODEC_XZ: e = dec_xz(&o, in, inlen); break;
	case FV_CODEC_LZMA: e = dec_lzma(&o, in, inlen); break;
	case FV_CODEC_BZIP2: e = dec_bzip2(&o, in, inlen); break;
	case FV_CODEC_ZSTD: e = dec_zstd(&o, in, inlen); break;
	case FV_CODEC_LZ4F: e = dec_lz4f(&o, in, inlen); break;
	case FV_CODEC_LZ4_LEGACY: e = dec_lz4_legacy(&o, in, inlen); break;
	case FV_CODEC_LZO: e = dec_lzop(&o, in, inlen); break;
	default:
		RERR(&o, "no decoder for codec %d", (int)c);
		e = FV_EUNSUP;
	}
	free(o.buf);
	if (e)
		res->ended = 0;
	if (e && !res->err[0])
		RERR(&o, "%s stream: %s", fv_codec_name(c), fv_strerror(e));
	return e;
}

const char *fv_codec_name(enum fv_codec c)
{
	switch (c) {
	case FV_CODEC_NONE: return "none";
	case FV_CODEC_GZIP: return "gzip";
	case FV_CODEC_ZLIB: return "zlib";
	case FV_CODEC_DEFLATE: return "deflate";
	case FV_CODEC_XZ: return "xz";
	case FV_CODEC_LZMA: return "lzma";
	case FV_CODEC_BZIP2: return "bzip2";
	case FV_CODEC_ZSTD: return "zstd";
	case FV_CODEC_LZ4F: return "lz4";
	case FV_CODEC_LZ4_LEGACY: return "lz4-legacy";
	case FV_CODEC_LZO: return "lzo";
	}
	return "unknown";
}

/* The usual file name endings of each codec, and what they stand for. */
struct ext {
	enum fv_codec c;
	const char *ext, *repl;
};
static const struct ext exts[] = {
	{ FV_CODEC_GZIP, ".tgz", ".tar" },	{ FV_CODEC_GZIP, ".gz", "" },
	{ FV_CODEC_GZIP, ".z", "" },		{ FV_CODEC_ZLIB, ".zlib", "" },
	{ FV_CODEC_ZLIB, ".zz", "" },		{ FV_CODEC_XZ, ".txz", ".tar" },
	{ FV_CODEC_XZ, ".xz", "" },		{ FV_CODEC_LZMA, ".lzma", "" },
	{ FV_CODEC_BZIP2, ".tbz2", ".tar" },	{ FV_CODEC_BZIP2, ".tbz", ".tar" },
	{ FV_CODEC_BZIP2, ".bz2", "" },		{ FV_CODEC_ZSTD, ".tzst", ".tar" },
	{ FV_CODEC_ZSTD, ".zst", "" },		{ FV_CODEC_LZ4F, ".lz4", "" },
	{ FV_CODEC_LZ4_LEGACY, ".lz4", "" },	{ FV_CODEC_LZO, ".tzo", ".tar" },
	{ FV_CODEC_LZO, ".lzo", "" },
};

static const char *default_name(struct fv_xctx *x, enum fv_codec c, char *buf, size_t len)
{
	const char *fn = fv_xctx_file_name(x);
	size_t fl = fn ? strlen(fn) : 0;
	for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
		size_t el = strlen(exts[i].ext);
		if (exts[i].c != c || fl <= el || strcasecmp(fn + fl - el, exts[i].ext) != 0)
			continue;
		int k = snprintf(buf, len, "%.*s%s", (int)(fl - el), fn, exts[i].repl);
		if (k > 0 && (size_t)k < len)
			return buf;
	}
	return "decompressed";
}

static int to_sink(void *ctx, const uint8_t *p, size_t n)
{
	return fv_sink_write(ctx, p, n);
}

int fv_decode_to_sink(struct fv_xctx *x, enum fv_codec c, const uint8_t *in, size_t inlen,
		      const char *name)
{
	char def[512];
	if (!name || !*name)
		name = default_name(x, c, def, sizeof def);
	struct fv_attr a = { S_IFREG | 0644, 0, 0, 0 };
	struct fv_sink_file *f = NULL;
	int e = fv_sink_open(x, name, &a, &f);
	if (e) {
		fv_xctx_error(x, "%s member \"%s\": cannot be created: %s", fv_codec_name(c), name,
			      fv_strerror(e));
		return e;
	}
	struct fv_decode r;
	e = fv_decode(c, in, inlen, 0, to_sink, f, &r);
	int ce = fv_sink_close(f);
	if (e) {
		fv_xctx_error(x, "%s", r.err);
		return e;
	}
	if (ce) {
		fv_xctx_error(x, "%s member \"%s\": closing failed: %s", fv_codec_name(c), name,
			      fv_strerror(ce));
		return ce;
	}
	return 0;
}

/* ---- probe helpers ----------------------------------------------------------- */

/*
 * Output a probe may decode before it stops measuring: the default total
 * extraction limit (64 times the input), within sane bounds.
 */
static uint64_t probe_cap(size_t avail)
{
	uint64_t c = (uint64_t)avail * 64;
	if (c < (256ull << 20))
		c = 256ull << 20;
	if (c > (4ull << 30))
		c = 4ull << 30;
	return c;
}

/*
 * The size of a stream whose framing states it (zstd, lz4 frames, lzop), by
 * walking block headers without decoding.  Lets a probe that stopped at its
 * output cap still give the exact size.  Returns 0 when it is known.
 */
static int framed_size(enum fv_codec c, const uint8_t *p, size_t n, size_t *size)
{
	if (c == FV_CODEC_ZSTD) {
		size_t k = ZSTD_findFrameCompressedSize(p, n);
		if (ZSTD_isError(k) || k > n)
			return FV_EFORMAT;
		*size = k;
		return 0;
	}
	struct fv_cur cur = fv_cur_make(p, n);
	if (c == FV_CODEC_LZ4F) {
		if (n < 7)
			return FV_ETRUNC;
		unsigned flg = p[4];
		fv_cur_skip(&cur, 6 + ((flg & 0x08) ? 8 : 0) + ((flg & 0x01) ? 4 : 0) + 1);
		for (;;) {
			uint32_t b = fv_cur_le32(&cur);
			if (!fv_cur_ok(&cur))
				return FV_ETRUNC;
			if (b == 0)
				break;
			fv_cur_skip(&cur, (b & 0x7fffffffu) + ((flg & 0x10) ? 4 : 0));
		}
		if (flg & 0x04)
			fv_cur_skip(&cur, 4);
	} else if (c == FV_CODEC_LZO) {
		struct fv_lzop_hdr h;
		if (fv_lzop_header(p, n, &h, NULL, 0))
			return FV_EFORMAT;
		fv_cur_seek(&cur, h.hdrlen);
		for (;;) {
			uint32_t us = fv_cur_be32(&cur);
			if (!fv_cur_ok(&cur))
				return FV_ETRUNC;
			if (us == 0)
				break;
			uint32_t cs = fv_cur_be32(&cur);
			if (cs == 0 || cs > us || us > LZOP_MAX_BLOCK)
				return FV_EFORMAT;
			int sums = !!(h.flags & FV_LZOP_ADLER32_D) + !!(h.flags & FV_LZOP_CRC32_D);
			if (cs < us)
				sums += !!(h.flags & FV_LZOP_ADLER32_C) + !!(h.flags & FV_LZOP_CRC32_C);
			fv_cur_skip(&cur, (size_t)sums * 4 + cs);
		}
	} else {
		return FV_EUNSUP;
	}
	if (!fv_cur_ok(&cur))
		return FV_ETRUNC;
	*size = cur.pos;
	return 0;
}

int fv_probe_stream(enum fv_codec c, const uint8_t *p, size_t avail, uint64_t minout,
		    struct fv_probe *out, struct fv_decode *r)
{
	int e = fv_decode(c, p, avail, probe_cap(avail), NULL, NULL, r);
	if (e == 0 && r->consumed > 0 && r->consumed <= avail) {
		out->size = r->consumed;
		return 0;
	}
	if (e == FV_ETRUNC && r->produced >= minout) {
		out->size = avail;
		out->truncated = 1;
		return 0;
	}
	if (e == FV_ELIMIT && r->consumed > 0 && r->consumed <= avail) {
		size_t fs;
		if (framed_size(c, p, avail, &fs) == 0 && fs >= r->consumed) {
			out->size = fs;
		} else {
			/* Only a full decode would find the end: claim what was seen. */
			out->size = r->consumed;
			out->truncated = 1;
		}
		return 0;
	}
	return e ? e : FV_EFORMAT;
}

void fv_probe_stream_desc(struct fv_probe *out, const struct fv_decode *r)
{
	if (r->ended)
		fv_probe_desc(out, ", %llu -> %llu bytes", (unsigned long long)out->size,
			      (unsigned long long)r->produced);
	else if (strncmp(r->err, "output limit", 12) == 0 && out->truncated)
		fv_probe_desc(out, ", output over %llu MiB from %llu bytes: not measured to the end",
			      (unsigned long long)(r->produced >> 20),
			      (unsigned long long)r->consumed);
	else if (strncmp(r->err, "output limit", 12) == 0)
		fv_probe_desc(out, ", %llu bytes, output over %llu MiB: not decoded to the end",
			      (unsigned long long)out->size, (unsigned long long)(r->produced >> 20));
	else
		fv_probe_desc(out, ", truncated: %llu bytes decode to %llu",
			      (unsigned long long)out->size, (unsigned long long)r->produced);
}

void fv_stream_utc(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (!gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, len, "@%lld", (long long)t);
}
