/*
 * tar (POSIX ustar, pax, GNU).  The probe walks the 512-byte headers, each
 * with its checksum, to the end-of-archive zero blocks, so the size is exact;
 * extraction is libarchive's.  Old v7 archives are not looked for: without
 * the ustar magic the only evidence is an 8-byte checksum, and random data
 * passes that too often to be worth a probe.
 */
#include <archive.h>
#include <stdio.h>
#include <string.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/codec/archive.h"
#include "unpack/format.h"
#include "unpack/sink.h"

#define BLOCK 512
/* GNU tar writes records of 20 blocks; the zeros up to there belong to the archive. */
#define RECORD (20 * BLOCK)
/* hard links, symlinks, devices, folders, FIFOs */
#define NO_DATA_TYPES "123456"

static const struct fv_magic magics[] = {
	/* "ustar\0" + version "00", "\0\0" or "  ", or GNU's "ustar  \0" */
	{ "ustar(\\x00(00|\\x00\\x00|\\x20\\x20)|\\x20\\x20\\x00)", 8, 257 },
	{ NULL, 0, 0 },
};

struct walk {
	uint64_t end;       /* bytes that belong to the archive */
	uint64_t entries;   /* members, not counting pax or GNU long-name headers */
	int truncated;      /* the input ends inside the archive */
	int complete;       /* the end-of-archive blocks were found */
	int gnu, pax;
	char first[101];
	char why[160];      /* when not complete: what was expected where */
};

static int is_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/* Octal digits, optionally led by spaces and ended by a space or NUL. */
static int octal(const uint8_t *f, size_t n, uint64_t *v)
{
	size_t i = 0;
	*v = 0;
	if (n && (f[0] & 0x80)) {
		/* GNU base-256 for big values; negative ones make no sense here */
		if (f[0] != 0x80)
			return -1;
		for (i = 1; i < n; i++) {
			if (*v >> 56)
				return -1;
			*v = *v << 8 | f[i];
		}
		return 0;
	}
	while (i < n && f[i] == ' ')
		i++;
	size_t digits = 0;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++, digits++) {
		if (*v >> 60)
			return -1;
		*v = *v << 3 | (uint64_t)(f[i] - '0');
	}
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != 0)
			return -1;
	return digits ? 0 : -1;
}

static int checksum_ok(const uint8_t *h)
{
	uint64_t stored;
	if (octal(h + 148, 8, &stored) != 0)
		return 0;
	uint32_t u = 0;
	int32_t s = 0;
	for (int i = 0; i < BLOCK; i++) {
		uint8_t b = i >= 148 && i < 156 ? ' ' : h[i];
		u += b;
		s += (int8_t)b;
	}
	/* Some old writers summed signed chars. */
	return stored == u || (int64_t)stored == s;
}

static int has_magic(const uint8_t *h)
{
	return memcmp(h + 257, "ustar", 5) == 0;
}

static void walk(const uint8_t *p, size_t avail, struct walk *w)
{
	memset(w, 0, sizeof *w);
	uint64_t pos = 0;
	for (;;) {
		if (avail - pos < BLOCK) {
			w->truncated = 1;
			w->end = avail;
			snprintf(w->why, sizeof w->why,
				 "header or end-of-archive blocks expected at 0x%llx, input ends at 0x%zx",
				 (unsigned long long)pos, avail);
			return;
		}
		const uint8_t *h = p + pos;
		if (is_zero(h, BLOCK)) {
			/* libarchive, like GNU tar, stops at the first zero block */
			pos += BLOCK;
			if (avail - pos >= BLOCK && is_zero(p + pos, BLOCK))
				pos += BLOCK;
			w->complete = 1;
			break;
		}
		if (!checksum_ok(h) || (pos == 0 && !has_magic(h))) {
			w->end = pos;
			snprintf(w->why, sizeof w->why,
				 "tar header or end-of-archive blocks expected at 0x%llx, found bytes "
				 "with a bad header checksum",
				 (unsigned long long)pos);
			return;
		}
		uint64_t size;
		if (octal(h + 124, 12, &size) != 0) {
			w->end = pos;
			snprintf(w->why, sizeof w->why, "header at 0x%llx: size field is not a number",
				 (unsigned long long)pos);
			return;
		}
		uint8_t type = h[156];
		uint64_t data = (size + BLOCK - 1) / BLOCK * BLOCK;
		if (size > UINT64_MAX - BLOCK)
			data = UINT64_MAX - BLOCK;
		if (type && strchr(NO_DATA_TYPES, type)) {
			/*
			 * Links, devices and folders carry no data, whatever
			 * their size says, except pax hard links "with data":
			 * skip only if what follows is not a header then.
			 */
			uint64_t next = pos + BLOCK;
			if (data && avail - next >= BLOCK &&
			    (is_zero(p + next, BLOCK) || checksum_ok(p + next)))
				data = 0;
			else if (type != '1')
				data = 0;
		}
		if (memcmp(h + 257, "ustar  ", 8) == 0)
			w->gnu = 1;
		if (type == 'x' || type == 'g')
			w->pax = 1;
		if (!strchr("xgLKX", type)) {
			if (w->entries == 0)
				for (int i = 0; i < 100 && h[i]; i++) {
					w->first[i] = h[i] >= 0x20 && h[i] < 0x7f ? (char)h[i] : '?';
					w->first[i + 1] = 0;
				}
			w->entries++;
		}
		if (data > avail - pos - BLOCK) {
			w->truncated = 1;
			w->end = avail;
			snprintf(w->why, sizeof w->why,
				 "member at 0x%llx: %llu bytes of data expected, input ends at 0x%zx",
				 (unsigned long long)pos, (unsigned long long)size, avail);
			return;
		}
		pos += BLOCK + data;
	}
	/* Record padding: whole zero blocks up to the next record boundary. */
	while (pos % RECORD && avail - pos >= BLOCK && is_zero(p + pos, BLOCK))
		pos += BLOCK;
	w->end = pos;
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	if (avail < BLOCK || !has_magic(p) || !checksum_ok(p))
		return FV_EFORMAT;
	struct walk w;
	walk(p, avail, &w);
	if (w.entries == 0 || w.end == 0)
		return FV_EFORMAT;
	out->size = w.end;
	out->truncated = w.truncated;
	out->conf = w.complete ? FV_CONF_HIGH : FV_CONF_MEDIUM;
	fv_probe_desc(out, "tar archive (%s%s), %llu entr%s, first \"%s\"",
		      w.gnu ? "GNU" : "POSIX ustar", w.pax ? ", pax headers" : "",
		      (unsigned long long)w.entries, w.entries == 1 ? "y" : "ies", w.first);
	if (w.truncated)
		fv_probe_desc(out, ", truncated");
	else if (!w.complete)
		fv_probe_desc(out, ", no end-of-archive blocks");
	return FV_OK;
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	struct walk w;
	walk(p, size, &w);
	int rc = fv_archive_extract(x, p, size, archive_read_support_format_tar);
	if (rc == FV_OK && !w.complete) {
		fv_xctx_error(x, "%s", w.why);
		rc = w.truncated ? FV_ETRUNC : FV_EFORMAT;
	}
	return rc;
}

const struct fv_format fv_format_tar = {
	"tar", "tar archive: POSIX ustar, pax and GNU (via libarchive)", magics, probe, extract,
	FV_FMT_RECORDS,
};
