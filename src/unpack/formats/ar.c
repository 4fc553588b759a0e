/*
 * Unix ar archives (static libraries, Debian packages).  ar has no end
 * marker: the archive ends after the last member whose 60-byte header is
 * valid.  Extraction is libarchive's, which reads GNU and BSD long names.
 */
#include <archive.h>
#include <stdio.h>
#include <string.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/codec/archive.h"
#include "unpack/format.h"
#include "unpack/sink.h"

#define MAGIC_LEN 8
#define HDR_LEN 60

static const struct fv_magic magics[] = {
	{ "!<arch>\\x0a", 8, 0 },
	{ NULL, 0, 0 },
};

struct walk {
	uint64_t end, members;
	int truncated, deb;
	char first[17];
	char why[160];
};

/* A decimal field: digits, then spaces to the end. */
static int decimal(const uint8_t *f, size_t n, uint64_t *v)
{
	size_t i = 0;
	*v = 0;
	for (; i < n && f[i] >= '0' && f[i] <= '9'; i++) {
		if (*v > UINT64_MAX / 10 - 10)
			return -1;
		*v = *v * 10 + (uint64_t)(f[i] - '0');
	}
	if (i == 0)
		return -1;
	for (; i < n; i++)
		if (f[i] != ' ')
			return -1;
	return 0;
}

/* Fields that may be blank (the GNU symbol table leaves them so). */
static int blank_or_number(const uint8_t *f, size_t n, int base)
{
	size_t i = 0;
	for (; i < n && f[i] >= '0' && f[i] < '0' + base; i++)
		;
	for (; i < n; i++)
		if (f[i] != ' ')
			return -1;
	return 0;
}

static int header_ok(const uint8_t *h, uint64_t *size)
{
	return h[58] == '`' && h[59] == '\n' && blank_or_number(h + 16, 12, 10) == 0 &&
	       blank_or_number(h + 28, 6, 10) == 0 && blank_or_number(h + 34, 6, 10) == 0 &&
	       blank_or_number(h + 40, 8, 8) == 0 && decimal(h + 48, 10, size) == 0;
}

/* The first n (< 60) bytes of a header could begin a valid one: a cut header. */
static int header_prefix(const uint8_t *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = h[i];
		int ok;
		if (i < 16)
			ok = c >= 0x20 && c < 0x7f;
		else if (i < 58)
			ok = c == ' ' || (c >= '0' && c <= '9');
		else
			ok = c == (i == 58 ? '`' : '\n');
		if (!ok)
			return 0;
	}
	return 1;
}

static void walk(const uint8_t *p, size_t avail, struct walk *w)
{
	memset(w, 0, sizeof *w);
	uint64_t pos = MAGIC_LEN;
	while (pos < avail) {
		uint64_t size;
		if (avail - pos < HDR_LEN && header_prefix(p + pos, avail - pos)) {
			w->truncated = 1;
			snprintf(w->why, sizeof w->why,
				 "member header at 0x%llx: 60 bytes expected, input ends at 0x%zx",
				 (unsigned long long)pos, avail);
			pos = avail;
			break;
		}
		if (avail - pos < HDR_LEN || !header_ok(p + pos, &size))
			break; /* the archive ends where members stop */
		if (w->members == 0) {
			for (int i = 0; i < 16; i++) {
				uint8_t c = p[pos + i];
				w->first[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
			}
			for (int i = 15; i >= 0 && w->first[i] == ' '; i--)
				w->first[i] = 0;
			w->deb = memcmp(p + pos, "debian-binary   ", 16) == 0;
		}
		w->members++;
		uint64_t data = pos + HDR_LEN;
		if (size > avail - data) {
			w->truncated = 1;
			snprintf(w->why, sizeof w->why,
				 "member at 0x%llx: %llu bytes of data expected, input ends at 0x%zx",
				 (unsigned long long)pos, (unsigned long long)size, avail);
			pos = avail;
			break;
		}
		pos = data + size;
		/* odd sizes are padded with a newline */
		if ((size & 1) && pos < avail && p[pos] == '\n')
			pos++;
	}
	w->end = pos;
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	if (avail < MAGIC_LEN || memcmp(p, "!<arch>\n", MAGIC_LEN) != 0)
		return FV_EFORMAT;
	struct walk w;
	walk(p, avail, &w);
	out->size = w.end;
	out->truncated = w.truncated;
	out->conf = w.members ? FV_CONF_HIGH : FV_CONF_LOW;
	fv_probe_desc(out, "%s, %llu member%s", w.deb ? "Debian package (ar archive)" : "ar archive",
		      (unsigned long long)w.members, w.members == 1 ? "" : "s");
	if (w.members)
		fv_probe_desc(out, ", first \"%s\"", w.first);
	if (w.truncated)
		fv_probe_desc(out, ", truncated");
	return FV_OK;
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	struct walk w;
	walk(p, size, &w);
	int rc = fv_archive_extract(x, p, size, archive_read_support_format_ar);
	if (rc == FV_OK && w.truncated) {
		fv_xctx_error(x, "%s", w.why);
		rc = FV_ETRUNC;
	}
	return rc;
}

const struct fv_format fv_format_ar = {
	"ar", "Unix ar archive, Debian package (via libarchive)", magics, probe, extract,
	0,
};
