/*
 * Intel HEX: text records ":LLAAAATT<data>CC", one a line, that place data
 * bytes at 16-bit offsets within a base set by extended segment (02) or
 * extended linear (04) address records, up to an end-of-file record (01).
 * Start records (03, 05) give the entry point.  The extractor converts the
 * records to the binary image flash would hold (memimg.h).
 *
 * The magic fires on every record line; FV_FMT_RECORDS tells the scanner
 * that hits inside a HEX chunk are its own lines, so they are not probed
 * again.  The probe's checksums do the validating.
 */
#include "core/cursor.h"
#include "core/err.h"
#include "unpack/codec/memimg.h"
#include "unpack/format.h"
#include "unpack/sink.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define HEX "[0-9A-Fa-f]"
static const struct fv_magic magics[] = {
	/*
	 * ':' alone is a one-byte literal that fires every 256 bytes of any
	 * binary and halved the speed of the whole scan.  So: any record at
	 * the start of a file, and elsewhere the records a HEX file starts
	 * with in practice, an extended address record or a 16- or 32-byte
	 * data record.
	 */
	{ "\\A:" HEX "{6}0[0-5]", 9, 0 },
	{ ":0200000[24]", 9, 0 },
	{ ":[12]0" HEX "{4}00", 9, 0 },
	{ NULL, 0, 0 },
};

/* A file with no end-of-file record is still taken when at least this many records are valid. */
#define MIN_RECORDS_NO_EOF 4

struct rec {
	uint8_t len, type;
	uint16_t addr;
	uint8_t data[255];
	size_t linelen; /* bytes of the line, terminator included */
};

/* Why a record was refused, for the extractor's message; formatted only when asked for. */
struct bad {
	char what[120];
};

static int bad(struct bad *b, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(struct bad *b, int rc, const char *fmt, ...)
{
	if (b) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(b->what, sizeof b->what, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/*
 * Parses the record at p: its fields, checksum and line end (LF, CRLF, or
 * the end of input).  FV_ETRUNC only when the input ends inside what is so
 * far a well-formed record.
 */
static int parse_rec(const uint8_t *p, size_t avail, struct rec *r, struct bad *b)
{
	if (p[0] != ':')
		return bad(b, FV_EFORMAT, "expected ':', found 0x%02x", p[0]);
	if (avail < 11) {
		if (!fv_all_hex(p + 1, avail - 1))
			return bad(b, FV_EFORMAT, "expected a record header of 8 hex digits");
		return bad(b, FV_ETRUNC, "expected a record of at least 11 bytes, found %zu", avail);
	}
	uint8_t hdr[4];
	if (fv_unhex(p + 1, hdr, 4))
		return bad(b, FV_EFORMAT, "expected a record header of 8 hex digits, found \"%.8s\"",
			   (const char *)p + 1);
	r->len = hdr[0];
	r->addr = (uint16_t)(hdr[1] << 8 | hdr[2]);
	r->type = hdr[3];
	size_t n = 11 + 2 * (size_t)r->len;
	if (avail < n) {
		if (!fv_all_hex(p + 9, avail - 9))
			return bad(b, FV_EFORMAT, "expected %u data bytes in hex digits", r->len);
		return bad(b, FV_ETRUNC, "expected a record of %zu bytes, found %zu", n, avail);
	}
	uint8_t ck;
	if (fv_unhex(p + 9, r->data, r->len) || fv_unhex(p + 9 + 2 * (size_t)r->len, &ck, 1))
		return bad(b, FV_EFORMAT, "expected %u data bytes and a checksum in hex digits", r->len);
	unsigned sum = hdr[0] + hdr[1] + hdr[2] + hdr[3];
	for (unsigned i = 0; i < r->len; i++)
		sum += r->data[i];
	if ((sum + ck) & 0xff)
		return bad(b, FV_ECRC, "checksum: expected 0x%02x, found 0x%02x", (0x100 - (sum & 0xff)) & 0xff,
			   ck);
	if (n < avail && p[n] == '\r')
		n++;
	if (n < avail) {
		if (p[n] != '\n')
			return bad(b, FV_EFORMAT, "expected the end of the line at +0x%zx, found 0x%02x", n, p[n]);
		n++;
	}
	static const uint8_t need[6] = { 0xff, 0, 2, 4, 2, 4 }; /* 0xff: any length */
	if (r->type > 5)
		return bad(b, FV_EFORMAT, "expected a record type 00 to 05, found %02x", r->type);
	if (need[r->type] != 0xff && r->len != need[r->type])
		return bad(b, FV_EFORMAT, "expected %u data bytes in a type %02x record, found %u",
			   need[r->type], r->type, r->len);
	r->linelen = n;
	return FV_OK;
}

struct walk {
	size_t pos;        /* end of the last valid record */
	size_t nrec, ndata;
	uint64_t bytes, lo, hi;
	int eof;           /* stopped at the end-of-file record */
	int have_entry;
	uint32_t entry;
	int stop_rc;       /* why the walk stopped before an end-of-file record */
};

/*
 * Walks the records from p, handing data records to m when it is not NULL.
 * Stops at the end-of-file record or the first bad record, and says why in
 * why when it is not NULL.
 */
static int walk(const uint8_t *p, size_t avail, struct walk *w, struct fv_memimg *m, struct bad *why)
{
	memset(w, 0, sizeof *w);
	w->lo = UINT64_MAX;
	uint64_t base = 0;
	struct rec r;
	while (w->pos < avail) {
		int rc = parse_rec(p + w->pos, avail - w->pos, &r, why);
		if (rc) {
			w->stop_rc = rc;
			return FV_OK;
		}
		switch (r.type) {
		case 0: {
			uint64_t a = base + r.addr;
			if (r.len) {
				w->lo = a < w->lo ? a : w->lo;
				w->hi = a + r.len > w->hi ? a + r.len : w->hi;
			}
			w->ndata++;
			w->bytes += r.len;
			if (m && (rc = fv_memimg_add(m, a, r.data, r.len)) != FV_OK)
				return rc;
			break;
		}
		case 1:
			w->eof = 1;
			break;
		case 2:
			base = (uint64_t)(r.data[0] << 8 | r.data[1]) << 4;
			break;
		case 3: /* CS:IP */
			w->have_entry = 1;
			w->entry = (uint32_t)(fv_get_be16(r.data) << 4) + fv_get_be16(r.data + 2);
			break;
		case 4:
			base = (uint64_t)(r.data[0] << 8 | r.data[1]) << 16;
			break;
		case 5:
			w->have_entry = 1;
			w->entry = fv_get_be32(r.data);
			break;
		}
		w->pos += r.linelen;
		w->nrec++;
		if (w->eof)
			return FV_OK;
	}
	w->stop_rc = FV_ETRUNC;
	return FV_OK;
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	struct walk w;
	walk(p, avail, &w, NULL, NULL);
	if (w.bytes == 0)
		return w.stop_rc ? w.stop_rc : FV_EFORMAT;
	if (w.eof) {
		out->size = w.pos;
		out->conf = FV_CONF_HIGH;
	} else if (w.nrec >= MIN_RECORDS_NO_EOF) {
		/* Cut short by the end of input: the partial line belongs to the chunk. */
		int cut = w.stop_rc == FV_ETRUNC;
		out->size = cut ? avail : w.pos;
		out->truncated = cut;
		out->conf = FV_CONF_LOW;
	} else {
		return w.stop_rc ? w.stop_rc : FV_EFORMAT;
	}
	fv_probe_desc(out, "Intel HEX, %zu records, %llu data bytes", w.nrec, (unsigned long long)w.bytes);
	if (w.bytes)
		fv_probe_desc(out, " at 0x%08llx-0x%08llx", (unsigned long long)w.lo,
			      (unsigned long long)w.hi - 1);
	if (w.have_entry)
		fv_probe_desc(out, ", entry 0x%08x", (unsigned)w.entry);
	if (!w.eof)
		fv_probe_desc(out, out->truncated ? ", truncated" : ", no end-of-file record");
	return FV_OK;
}

static const char *const exts[] = { "hex", "ihex", "ihx", "h86", "mcs", "a43", "i86", NULL };

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	struct fv_memimg m;
	memset(&m, 0, sizeof m);
	struct walk w;
	struct bad why = { "" };
	int rc = walk(p, size, &w, &m, &why);
	if (rc == FV_OK) {
		char base[256];
		fv_memimg_base(fv_xctx_file_name(x), exts, base, sizeof base);
		rc = fv_memimg_write(x, &m, base);
	} else {
		fv_xctx_error(x, "record at 0x%zx: %s", w.pos, fv_strerror(rc));
	}
	fv_memimg_free(&m);
	if (rc == FV_OK && !w.eof) {
		if (w.pos < size)
			fv_xctx_error(x, "record %zu at 0x%zx: %s (the records end here without an "
					 "end-of-file record)", w.nrec + 1, w.pos, why.what);
		else
			fv_xctx_error(x, "end-of-file record: expected at 0x%zx, where the valid records end",
				      w.pos);
		rc = w.stop_rc ? w.stop_rc : FV_ETRUNC;
	}
	return rc;
}

const struct fv_format fv_format_ihex = {
	"ihex",
	"Intel HEX records, converted to a binary image",
	magics,
	probe,
	extract,
	FV_FMT_RECORDS,
};
