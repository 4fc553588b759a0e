/*
 * zip.  The probe walks the local headers to the central directory and
 * then takes the end-of-central-directory record (EOCD) that describes this
 * archive: its central directory must lie where the walk found it, at the
 * offset the record gives.  The archive ends after the EOCD's comment.  When
 * a member's size is only in a data descriptor the walk cannot jump over
 * it, and the EOCD is searched for instead.  A zip with no EOCD is truncated:
 * what the local headers hold is still extracted (libarchive's streaming
 * reader does that), and the chunk is marked partial.
 *
 * Every member's local header is a zip magic too.  Probed on its own (as the
 * nested scan of identify does) it finds the EOCD of the archive it sits in,
 * whose offsets place the archive's start before it, and is rejected.
 */
#include <archive.h>
#include <stdio.h>
#include <string.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/codec/archive.h"
#include "unpack/format.h"
#include "unpack/sink.h"

#define LFH_LEN 30
#define CDH_LEN 46
#define EOCD_LEN 22
#define LOC64_LEN 20
#define EOCD64_LEN 56

static const struct fv_magic magics[] = {
	/* a local header that needs zip 6.3 or older */
	{ "PK\\x03\\x04[\\x00-\\x3f]\\x00", 6, 0 },
	{ NULL, 0, 0 },
};

struct walk {
	uint64_t end;
	uint64_t members;   /* complete local members walked */
	uint64_t entries;   /* from the EOCD */
	int complete, truncated, zip64, shifted;
	size_t comment_len;
	char first[64];
	char why[200];
};

static int sig(const uint8_t *p, size_t avail, uint64_t pos, uint8_t a, uint8_t b)
{
	return pos <= avail && avail - pos >= 4 && p[pos] == 'P' && p[pos + 1] == 'K' &&
	       p[pos + 2] == a && p[pos + 3] == b;
}

/* The zip64 extra field of a local header: the sizes that were 0xffffffff. */
static void zip64_sizes(const uint8_t *ex, size_t n, uint64_t *usize, uint64_t *csize)
{
	size_t i = 0;
	while (n - i >= 4) {
		uint16_t id = fv_get_le16(ex + i), len = fv_get_le16(ex + i + 2);
		if (len > n - i - 4)
			return;
		if (id == 0x0001) {
			const uint8_t *f = ex + i + 4;
			size_t k = 0;
			if (*usize == 0xffffffff && len - k >= 8) {
				*usize = fv_get_le64(f + k);
				k += 8;
			}
			if (*csize == 0xffffffff && len - k >= 8)
				*csize = fv_get_le64(f + k);
			return;
		}
		i += 4 + (size_t)len;
	}
}

enum eocd_verdict { EOCD_OURS, EOCD_INSIDE, EOCD_LATER, EOCD_NONE };

/*
 * Looks for the EOCD of an archive starting at offset 0, from pos on.
 * OURS: end set.  INSIDE: the first consistent EOCD places its archive's start
 * before ours.  LATER: it describes an archive that starts at *later.
 */
static enum eocd_verdict find_eocd(const uint8_t *p, size_t avail, uint64_t *from,
				   struct walk *w, uint64_t *later)
{
	while (*from < avail) {
		const uint8_t *hit = memmem(p + *from, avail - *from, "PK\x05\x06", 4);
		if (!hit)
			return EOCD_NONE;
		uint64_t e = (uint64_t)(hit - p);
		*from = e + 1;
		if (avail - e < EOCD_LEN)
			continue;
		uint64_t entries = fv_get_le16(hit + 10);
		uint64_t cd_size = fv_get_le32(hit + 12);
		uint64_t cd_off = fv_get_le32(hit + 16);
		size_t comment = fv_get_le16(hit + 20);
		uint64_t cd_end = e; /* where the central directory must end */
		int z64 = 0;
		if ((cd_size == 0xffffffff || cd_off == 0xffffffff || entries == 0xffff) &&
		    e >= LOC64_LEN && sig(p, avail, e - LOC64_LEN, 6, 7)) {
			/* the zip64 record sits right before its locator */
			if (e - LOC64_LEN < EOCD64_LEN)
				continue;
			uint64_t r = e - LOC64_LEN - EOCD64_LEN;
			if (!sig(p, avail, r, 6, 6))
				continue;
			entries = fv_get_le64(p + r + 32);
			cd_size = fv_get_le64(p + r + 40);
			cd_off = fv_get_le64(p + r + 48);
			cd_end = r;
			z64 = 1;
		}
		if (cd_size > cd_end)
			continue;
		uint64_t cd = cd_end - cd_size;
		if (cd_size ? !sig(p, avail, cd, 1, 2) : entries != 0)
			continue;
		if (cd_off != cd) {
			if (cd_off > cd)
				return EOCD_INSIDE;
			*later = cd - cd_off;
			return EOCD_LATER;
		}
		w->entries = entries;
		w->zip64 = z64;
		w->comment_len = comment;
		w->complete = 1;
		if (comment > avail - e - EOCD_LEN) {
			w->truncated = 1;
			w->end = avail;
			snprintf(w->why, sizeof w->why,
				 "end of central directory at 0x%llx: a %zu-byte comment expected, input ends "
				 "at 0x%zx", (unsigned long long)e, comment, avail);
		} else {
			w->end = e + EOCD_LEN + comment;
		}
		return EOCD_OURS;
	}
	return EOCD_NONE;
}

/*
 * Where the archive whose central directory starts at cd begins, relative
 * to us, judged by its first entry: the local header it points to must be
 * one we walked, with the same name.  0 when that cannot be told, -1 when
 * the archive started before us.
 */
static int64_t cd_start(const uint8_t *p, size_t avail, uint64_t cd)
{
	if (avail - cd < CDH_LEN)
		return 0;
	const uint8_t *e = p + cd;
	size_t nlen = fv_get_le16(e + 28);
	uint64_t lho = fv_get_le32(e + 42);
	if (nlen == 0 || nlen > avail - cd - CDH_LEN)
		return 0;
	const uint8_t *name = e + CDH_LEN;
	for (uint64_t pos = 0; pos < cd && sig(p, avail, pos, 3, 4) && avail - pos >= LFH_LEN;) {
		const uint8_t *h = p + pos;
		uint64_t csize = fv_get_le32(h + 18), usize = fv_get_le32(h + 22);
		size_t hn = fv_get_le16(h + 26), hx = fv_get_le16(h + 28);
		if (LFH_LEN + hn + hx > avail - pos)
			return 0;
		if (hn == nlen && memcmp(h + LFH_LEN, name, nlen) == 0)
			return (int64_t)pos - (int64_t)lho;
		zip64_sizes(h + LFH_LEN + hn, hx, &usize, &csize);
		if ((fv_get_le16(h + 6) & 0x0008) || csize > avail - pos - LFH_LEN - hn - hx)
			return 0; /* walk() measured these; be content with its verdict */
		pos += LFH_LEN + hn + hx + csize;
		if (pos == cd)
			return -1; /* its first member is not among ours: it started before us */
	}
	return 0;
}

/* Returns -1 when this is not the start of an archive at all. */
static int walk(const uint8_t *p, size_t avail, struct walk *w)
{
	memset(w, 0, sizeof *w);
	uint64_t pos = 0;
	const char *stop = "the end of the input";
	int blind = 0; /* stopped at a member whose size is unknown */
	for (;;) {
		if (!sig(p, avail, pos, 3, 4)) {
			if (sig(p, avail, pos, 1, 2) || sig(p, avail, pos, 5, 6))
				stop = "the central directory";
			else if (pos < avail)
				stop = "other bytes";
			break;
		}
		if (avail - pos < LFH_LEN) {
			stop = "a cut local header";
			break;
		}
		const uint8_t *h = p + pos;
		uint16_t flags = fv_get_le16(h + 6);
		uint64_t csize = fv_get_le32(h + 18), usize = fv_get_le32(h + 22);
		size_t nlen = fv_get_le16(h + 26), xlen = fv_get_le16(h + 28);
		if (LFH_LEN + nlen + xlen > avail - pos) {
			stop = "a cut local header";
			break;
		}
		if (w->members == 0 && w->first[0] == 0) {
			size_t n = nlen < sizeof w->first - 1 ? nlen : sizeof w->first - 1;
			for (size_t i = 0; i < n; i++) {
				uint8_t c = h[LFH_LEN + i];
				w->first[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
			}
			w->first[n] = 0;
		}
		zip64_sizes(h + LFH_LEN + nlen, xlen, &usize, &csize);
		if ((flags & 0x0008) && csize == 0) {
			stop = "a member whose size is in a data descriptor";
			blind = 1;
			break;
		}
		uint64_t data = pos + LFH_LEN + nlen + xlen;
		if (csize > avail - data) {
			stop = "a cut member";
			pos = avail + 1;
			break;
		}
		pos = data + csize;
		if (flags & 0x0008) {
			/* crc, sizes (8 bytes each with zip64), with or without a signature */
			uint64_t dd = (usize > 0xffffffffu || csize > 0xffffffffu) ? 20 : 12;
			if (sig(p, avail, pos, 7, 8))
				dd += 4;
			if (dd > avail - pos) {
				stop = "a cut data descriptor";
				pos = avail + 1;
				break;
			}
			pos += dd;
		}
		w->members++;
	}
	uint64_t walked = pos > avail ? avail : pos;
	uint64_t later = 0, from = walked;
	enum eocd_verdict v;
	for (;;) {
		v = find_eocd(p, avail, &from, w, &later);
		/*
		 * An archive that starts beyond a member we could not measure
		 * may be stored inside that member: look further.
		 */
		if (v != EOCD_LATER || !blind || later <= walked)
			break;
	}
	if (v == EOCD_OURS)
		return 0;
	if (v == EOCD_INSIDE)
		return -1;
	if (v == EOCD_LATER) {
		/* another archive starts where we stopped, or we walked into it */
		w->end = later < walked ? later : walked;
		w->truncated = 0;
	} else if (blind || pos >= avail) {
		w->truncated = 1;
		w->end = avail;
	} else if (sig(p, avail, pos, 1, 2)) {
		/* a central directory with no EOCD: cut, unless other bytes follow it */
		int64_t start = cd_start(p, avail, pos);
		if (start < 0)
			return -1;
		if (start > 0) {
			w->end = (uint64_t)start;
			snprintf(w->why, sizeof w->why,
				 "central directory at 0x%llx belongs to an archive at 0x%llx",
				 (unsigned long long)pos, (unsigned long long)start);
			return 0;
		}
		uint64_t c = pos;
		while (sig(p, avail, c, 1, 2) && avail - c >= CDH_LEN) {
			uint64_t n = (uint64_t)CDH_LEN + fv_get_le16(p + c + 28) +
				     fv_get_le16(p + c + 30) + fv_get_le16(p + c + 32);
			if (n > avail - c)
				break;
			c += n;
		}
		w->truncated = c >= avail || sig(p, avail, c, 1, 2) || avail - c < 4;
		w->end = w->truncated ? avail : c;
	} else {
		/* local members, then something else: a damaged archive */
		w->end = walked;
	}
	snprintf(w->why, sizeof w->why,
		 "end of central directory expected after 0x%llx, not found (walk of %llu local "
		 "members stopped at %s)", (unsigned long long)walked, (unsigned long long)w->members,
		 stop);
	return w->members || w->end ? 0 : -1;
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	if (avail < LFH_LEN || !sig(p, avail, 0, 3, 4))
		return FV_EFORMAT;
	uint16_t method = fv_get_le16(p + 8);
	size_t nlen = fv_get_le16(p + 26);
	if (p[5] != 0 || p[4] > 63 || nlen == 0 || nlen > 4096 ||
	    !(method <= 20 || (method >= 93 && method <= 99)))
		return FV_EFORMAT;
	struct walk w;
	if (walk(p, avail, &w) != 0 || w.end == 0)
		return FV_EFORMAT;
	out->size = w.end;
	out->truncated = w.truncated;
	out->conf = w.complete ? FV_CONF_HIGH : FV_CONF_MEDIUM;
	if (w.complete)
		fv_probe_desc(out, "zip archive%s, %llu entr%s, first \"%s\"", w.zip64 ? " (zip64)" : "",
			      (unsigned long long)w.entries, w.entries == 1 ? "y" : "ies", w.first);
	else
		fv_probe_desc(out, "zip archive, first \"%s\", no end of central directory: %llu "
			      "complete local members", w.first, (unsigned long long)w.members);
	if (w.truncated)
		fv_probe_desc(out, ", truncated");
	if (w.comment_len)
		fv_probe_desc(out, ", %zu-byte comment", w.comment_len);
	return FV_OK;
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	struct walk w;
	int bad = walk(p, size, &w) != 0;
	int rc = fv_archive_extract(x, p, size, archive_read_support_format_zip);
	if (rc == FV_OK && (bad || !w.complete || w.truncated)) {
		fv_xctx_error(x, "%s", w.why[0] ? w.why : "zip archive structure not understood");
		rc = w.truncated ? FV_ETRUNC : FV_EFORMAT;
	}
	return rc;
}

const struct fv_format fv_format_zip = {
	"zip", "zip archive, zip64 (via libarchive)", magics, probe, extract,
	FV_FMT_RECORDS,
};
