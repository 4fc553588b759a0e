/*
 * Motorola S-record: text records "S<t><count><address><data><checksum>",
 * one a line.  S0 is a header (free text), S1/S2/S3 carry data at 16/24/32
 * bit addresses, S5/S6 count the data records, and S9/S8/S7 end the file
 * with the entry point.  The count byte covers address, data and checksum;
 * the checksum is the ones' complement of the low byte of the sum of count,
 * address and data.  The extractor converts the records to the binary image
 * flash would hold (memimg.h).
 *
 * As for Intel HEX (ihex.c), the magic fires on every record and
 * FV_FMT_RECORDS keeps the scanner from probing a chunk's own records.
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
	 * The header (S0) or, in files without one, a data record: "S" type
	 * count address.  One expression, not two: the scan's speed drops
	 * when the literal set grows (docs/architecture.md).
	 */
	{ "S[0-3]" HEX "{6}", 8, 0 },
	{ NULL, 0, 0 },
};

/* A file with no termination record is still taken when at least this many records are valid. */
#define MIN_RECORDS_NO_END 4

/* Address bytes per record type; 0 for the reserved S4. */
static const uint8_t addr_bytes[10] = { 2, 2, 3, 4, 0, 2, 3, 4, 3, 2 };

struct rec {
	uint8_t type, count;
	uint32_t addr;
	const uint8_t *data; /* into buf */
	size_t ndata;
	uint8_t buf[255];
	size_t linelen;
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
 * Parses the record at p: fields, checksum and line end (LF, CRLF, or the
 * end of input).  FV_ETRUNC only when the input ends inside what is so far
 * a well-formed record.
 */
static int parse_rec(const uint8_t *p, size_t avail, struct rec *r, struct bad *b)
{
	if (p[0] != 'S')
		return bad(b, FV_EFORMAT, "expected 'S', found 0x%02x", p[0]);
	if (avail < 4) {
		if (avail > 1 && (p[1] < '0' || p[1] > '9' || !fv_all_hex(p + 2, avail - 2)))
			return bad(b, FV_EFORMAT, "expected a record type digit and a count");
		return bad(b, FV_ETRUNC, "expected a record of at least 4 bytes, found %zu", avail);
	}
	if (p[1] < '0' || p[1] > '9' || p[1] == '4')
		return bad(b, FV_EFORMAT, "expected a record type S0-S3 or S5-S9, found 0x%02x", p[1]);
	r->type = (uint8_t)(p[1] - '0');
	if (fv_unhex(p + 2, &r->count, 1))
		return bad(b, FV_EFORMAT, "expected a byte count in hex digits, found \"%.2s\"",
			   (const char *)p + 2);
	unsigned alen = addr_bytes[r->type];
	if (r->count < alen + 1)
		return bad(b, FV_EFORMAT, "expected a byte count of at least %u for S%u, found %u", alen + 1,
			   r->type, r->count);
	size_t n = 4 + 2 * (size_t)r->count;
	if (avail < n) {
		if (!fv_all_hex(p + 4, avail - 4))
			return bad(b, FV_EFORMAT, "expected %u bytes in hex digits", r->count);
		return bad(b, FV_ETRUNC, "expected a record of %zu bytes, found %zu", n, avail);
	}
	if (fv_unhex(p + 4, r->buf, r->count))
		return bad(b, FV_EFORMAT, "expected %u bytes in hex digits", r->count);
	unsigned sum = r->count;
	for (unsigned i = 0; i + 1 < r->count; i++)
		sum += r->buf[i];
	uint8_t ck = r->buf[r->count - 1];
	if ((uint8_t)~sum != ck)
		return bad(b, FV_ECRC, "checksum: expected 0x%02x, found 0x%02x", (uint8_t)~sum, ck);
	r->addr = 0;
	for (unsigned i = 0; i < alen; i++)
		r->addr = r->addr << 8 | r->buf[i];
	r->data = r->buf + alen;
	r->ndata = (size_t)r->count - alen - 1;
	if (n < avail && p[n] == '\r')
		n++;
	if (n < avail) {
		if (p[n] != '\n')
			return bad(b, FV_EFORMAT, "expected the end of the line at +0x%zx, found 0x%02x", n, p[n]);
		n++;
	}
	if (r->type >= 5 && r->ndata != 0)
		return bad(b, FV_EFORMAT, "expected no data in an S%u record, found %zu bytes", r->type,
			   r->ndata);
	r->linelen = n;
	return FV_OK;
}

struct walk {
	size_t pos; /* end of the last valid record */
	size_t nrec, ndata;
	uint64_t bytes, lo, hi;
	unsigned maxtype;  /* widest data record: 1, 2 or 3 */
	int end;           /* stopped at a termination record, or after a final count record */
	int have_entry;
	uint32_t entry;
	unsigned last;     /* type of the last valid record */
	int count_ok;      /* every S5/S6 record matched the data records before it */
	uint32_t count;    /* what the last S5/S6 record said */
	char header[48];   /* printable part of the S0 text */
	int stop_rc;
};

/*
 * Walks the records from p, handing data to m when it is not NULL.  Stops
 * at the termination record or the first bad record, saying why in why
 * when it is not NULL.
 */
static int walk(const uint8_t *p, size_t avail, struct walk *w, struct fv_memimg *m, struct bad *why)
{
	memset(w, 0, sizeof *w);
	w->lo = UINT64_MAX;
	w->count_ok = 1;
	struct rec r;
	while (w->pos < avail) {
		int rc = parse_rec(p + w->pos, avail - w->pos, &r, why);
		if (rc == FV_OK && r.type == 0 && w->nrec > 0)
			rc = bad(why, FV_EFORMAT, "expected one S0 header, at the start; found another");
		if (rc) {
			/*
			 * srec_cat writes no termination record unless given a start
			 * address: a count record followed by something that is not a
			 * record (or by nothing) ends the file as well.
			 */
			if ((w->last == 5 || w->last == 6) && p[w->pos] != 'S')
				w->end = 1;
			else
				w->stop_rc = rc;
			return FV_OK;
		}
		switch (r.type) {
		case 0: {
			size_t k = 0;
			for (size_t i = 0; i < r.ndata && k + 1 < sizeof w->header; i++)
				if (r.data[i] >= 0x20 && r.data[i] < 0x7f && r.data[i] != '"' && r.data[i] != '\\')
					w->header[k++] = (char)r.data[i];
			w->header[k] = 0;
			break;
		}
		case 1:
		case 2:
		case 3:
			if (r.ndata) {
				w->lo = r.addr < w->lo ? r.addr : w->lo;
				w->hi = r.addr + r.ndata > w->hi ? r.addr + r.ndata : w->hi;
			}
			w->ndata++;
			w->bytes += r.ndata;
			w->maxtype = r.type > w->maxtype ? r.type : w->maxtype;
			if (m && (rc = fv_memimg_add(m, r.addr, r.data, r.ndata)) != FV_OK)
				return rc;
			break;
		case 5:
		case 6: /* the low 16 or 24 bits of the number of data records so far */
			w->count = r.addr;
			if (r.addr != (w->ndata & (r.type == 5 ? 0xffff : 0xffffff)))
				w->count_ok = 0;
			break;
		default: /* 7, 8, 9 */
			w->end = 1;
			w->have_entry = 1;
			w->entry = r.addr;
			break;
		}
		w->pos += r.linelen;
		w->nrec++;
		w->last = r.type;
		if (w->end)
			return FV_OK;
	}
	if (w->last == 5 || w->last == 6)
		w->end = 1;
	else
		w->stop_rc = FV_ETRUNC;
	return FV_OK;
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	struct walk w;
	walk(p, avail, &w, NULL, NULL);
	if (w.bytes == 0)
		return w.stop_rc ? w.stop_rc : FV_EFORMAT;
	int count_ok = w.count_ok;
	if (w.end) {
		out->size = w.pos;
		out->conf = count_ok ? FV_CONF_HIGH : FV_CONF_MEDIUM;
	} else if (w.nrec >= MIN_RECORDS_NO_END) {
		/* Cut short by the end of input: the partial line belongs to the chunk. */
		out->truncated = w.stop_rc == FV_ETRUNC;
		out->size = out->truncated ? avail : w.pos;
		out->conf = FV_CONF_LOW;
	} else {
		return w.stop_rc ? w.stop_rc : FV_EFORMAT;
	}
	fv_probe_desc(out, "Motorola S-record (S%u%u)", w.maxtype == 1 ? 1 : w.maxtype == 2 ? 2 : 3,
		      w.maxtype == 1 ? 9 : w.maxtype == 2 ? 8 : 7);
	if (w.header[0])
		fv_probe_desc(out, ", header \"%s\"", w.header);
	fv_probe_desc(out, ", %zu records, %llu data bytes at 0x%08llx-0x%08llx", w.nrec,
		      (unsigned long long)w.bytes, (unsigned long long)w.lo, (unsigned long long)w.hi - 1);
	if (w.have_entry)
		fv_probe_desc(out, ", entry 0x%08x", (unsigned)w.entry);
	if (!count_ok)
		fv_probe_desc(out, ", count record says %u data records, found %zu", (unsigned)w.count,
			      w.ndata);
	if (!w.end)
		fv_probe_desc(out, out->truncated ? ", truncated" : ", no termination record");
	return FV_OK;
}

static const char *const exts[] = { "srec", "s19", "s28", "s37", "mot", "mhx", "sx", "exo", "srecord",
				    NULL };

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
	if (rc == FV_OK && !w.end) {
		if (w.pos < size)
			fv_xctx_error(x, "record %zu at 0x%zx: %s (the records end here without a "
					 "termination record)", w.nrec + 1, w.pos, why.what);
		else
			fv_xctx_error(x, "termination record (S7/S8/S9): expected at 0x%zx, where the valid "
					 "records end", w.pos);
		rc = w.stop_rc ? w.stop_rc : FV_ETRUNC;
	}
	return rc;
}

const struct fv_format fv_format_srec = {
	"srec",
	"Motorola S-records, converted to a binary image",
	magics,
	probe,
	extract,
	FV_FMT_RECORDS,
};
