/*
 * What a comparison found, and the two normalisations that look at bytes
 * rather than at structure: embedded build timestamps and build paths.
 *
 * Both are recognised as tokens of printable text, on both sides, around a
 * run of differing bytes of one length.  Nothing is waved through because it
 * might be a timestamp: the differing bytes must lie inside a token that
 * parses as one on each side, so a changed instruction (not text) or a
 * changed word in a message (not a date) stays a difference.
 */
#include "integrity/cmp.h"

#include "core/buf.h"
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	unsigned bit;
	const char *name, *doc;
} norms[] = {
	{ FV_NORM_BUILD_ID, "build-id", "ELF build-id note descriptor (a hash of the build's own output)" },
	{ FV_NORM_COMMENT, "comment", "ELF .comment section (compiler and linker version strings), not loaded" },
	{ FV_NORM_DEBUGLINK, "debuglink", "ELF .gnu_debuglink section (name and CRC of the separate debug file), not loaded" },
	{ FV_NORM_DEBUG, "debug-sections", "ELF .debug_*, .zdebug_*, .stab* sections, not loaded" },
	{ FV_NORM_SYMTAB, "symtab", "ELF .symtab/.strtab, not loaded, when every symbol keeps its name, address, size and type" },
	{ FV_NORM_TIMESTAMP, "timestamp", "embedded build date or time: same length, both sides parse as a date, time or epoch" },
	{ FV_NORM_BUILD_PATH, "build-path", "embedded build path: same length, the same file under another build folder" },
	{ FV_NORM_GZIP_HEADER, "gzip-header", "gzip header time, name or OS byte; the decompressed member is compared" },
	{ FV_NORM_ARCHIVE, "archive-metadata", "archive member times and order (tar, cpio, zip, ar, 7z); every member is compared" },
	{ FV_NORM_FS_META, "fs-metadata", "filesystem metadata: times, inode order, block compression; every file is compared" },
	{ FV_NORM_CONTAINER, "container-header", "other container headers (uImage time and CRCs, TRX CRC); the payload is compared" },
	{ FV_NORM_COMPRESSION, "compression", "a compressed stream encoded otherwise (level, block size); its output is compared" },
};

const char *fv_norm_name(enum fv_norm n)
{
	for (size_t i = 0; i < sizeof norms / sizeof *norms; i++)
		if (norms[i].bit == (unsigned)n)
			return norms[i].name;
	return "?";
}

const char *fv_norm_doc(enum fv_norm n)
{
	for (size_t i = 0; i < sizeof norms / sizeof *norms; i++)
		if (norms[i].bit == (unsigned)n)
			return norms[i].doc;
	return "?";
}

unsigned fv_norm_parse(const char *name)
{
	for (size_t i = 0; i < sizeof norms / sizeof *norms; i++)
		if (!strcmp(norms[i].name, name))
			return norms[i].bit;
	return 0;
}

/*
 * Beyond this many differences, a new one merges into the last of its kind,
 * so two unrelated binaries give a bounded list (whose last entries span
 * gaps) rather than one entry per differing byte run.
 */
#define FV_CMP_MAX 256

struct fv_difference *fv_cmp_add(struct fv_cmp *c, uint64_t offset, uint64_t size, const char *what_fmt, ...)
{
	char what[sizeof c->diffs->what];
	va_list ap;
	va_start(ap, what_fmt);
	vsnprintf(what, sizeof what, what_fmt, ap);
	va_end(ap);
	for (size_t i = c->ndiffs; i-- > 0;) {
		struct fv_difference *d = &c->diffs[i];
		if (strcmp(d->what, what))
			continue;
		int touches = offset <= d->offset + d->size && d->offset <= offset + size;
		if (touches || c->ndiffs >= FV_CMP_MAX) {
			uint64_t end = d->offset + d->size > offset + size ? d->offset + d->size : offset + size;
			if (offset < d->offset)
				d->offset = offset;
			d->size = end - d->offset;
			return d;
		}
		break;
	}
	if (fv_grow(&c->diffs, &c->capdiffs, c->ndiffs, sizeof *c->diffs))
		return NULL;
	struct fv_difference *d = &c->diffs[c->ndiffs++];
	memset(d, 0, sizeof *d);
	memcpy(d->what, what, sizeof d->what);
	d->offset = offset;
	d->size = size;
	return d;
}

int fv_difference_function(struct fv_difference *d, const char *name)
{
	for (size_t i = 0; i < d->nfunctions; i++)
		if (!strcmp(d->functions[i], name))
			return FV_OK;
	char **v = realloc(d->functions, (d->nfunctions + 1) * sizeof *v);
	if (!v)
		return FV_ENOMEM;
	d->functions = v;
	if (!(v[d->nfunctions] = strdup(name)))
		return FV_ENOMEM;
	d->nfunctions++;
	return FV_OK;
}

void fv_cmp_free(struct fv_cmp *c)
{
	for (size_t i = 0; i < c->ndiffs; i++) {
		for (size_t k = 0; k < c->diffs[i].nfunctions; k++)
			free(c->diffs[i].functions[k]);
		free(c->diffs[i].functions);
	}
	free(c->diffs);
	memset(c, 0, sizeof *c);
}

/* ---- tokens ---- */

/* How far around a differing run a token may reach: a timestamp or a path is short text. */
#define FV_TOKEN_REACH 512

static int is_text(uint8_t c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t';
}

static int is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(uint8_t c)
{
	return is_digit(c) || (unsigned)((c | 0x20) - 'a') < 26u;
}

static int digits(const uint8_t *p, size_t n, size_t at, size_t k)
{
	if (at + k > n)
		return 0;
	for (size_t i = 0; i < k; i++)
		if (!is_digit(p[at + i]))
			return 0;
	return 1;
}

static int word_in(const uint8_t *p, size_t n, size_t at, const char *const *words)
{
	if (at + 3 > n)
		return 0;
	for (size_t i = 0; words[i]; i++)
		if (!memcmp(p + at, words[i], 3))
			return 1;
	return 0;
}

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
				      "Oct", "Nov", "Dec", NULL };
static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", NULL };
static const char *const zones[] = { "UTC", "GMT", "CET", "EET", "PST", "PDT", "EST", "EDT", "CST", "CDT",
				     "MST", "MDT", "JST", "IST", "MSK", "BST", NULL };

enum { A_NONE, A_WORD, A_NUM, A_YEAR, A_TIME, A_DATE, A_EPOCH };

/*
 * One atom of a date at p[at]: its kind and length.  Atoms are the pieces
 * that `date`, __DATE__, __TIME__, ISO 8601 and RFC 2822 are made of.  An
 * atom must not run on into a letter or digit, so "Monitor" is no weekday
 * and 123456 is no two-digit day.
 */
static int num2(const uint8_t *p, size_t at)
{
	return (p[at] - '0') * 10 + (p[at + 1] - '0');
}

/* hh:mm or hh:mm:ss at p[at], in range: its length, else 0. */
static size_t clock_time(const uint8_t *p, size_t n, size_t at)
{
	if (!digits(p, n, at, 2) || at + 5 > n || p[at + 2] != ':' || !digits(p, n, at + 3, 2) ||
	    num2(p, at) > 23 || num2(p, at + 3) > 59)
		return 0;
	if (at + 8 <= n && p[at + 5] == ':' && digits(p, n, at + 6, 2))
		return num2(p, at + 6) <= 60 ? 8 : 0;
	return 5;
}

static int atom(const uint8_t *p, size_t n, size_t at, size_t *len)
{
	size_t k = 0;
	int kind = A_NONE;
	/* An atom starts a word: not inside a number, a name or a longer time ("1234:56:78"). */
	if (at > 0 && (is_alnum(p[at - 1]) || p[at - 1] == ':' || p[at - 1] == '.'))
		return A_NONE;
	if (digits(p, n, at, 4) && at + 10 <= n && p[at + 4] == '-' && digits(p, n, at + 5, 2) &&
	    p[at + 7] == '-' && digits(p, n, at + 8, 2) && num2(p, at + 5) >= 1 && num2(p, at + 5) <= 12 &&
	    num2(p, at + 8) >= 1 && num2(p, at + 8) <= 31) {
		kind = A_DATE; /* 2026-11-29, 2026-11-29T17:30:00.123Z */
		k = 10;
		size_t t;
		if (at + 11 < n && p[at + 10] == 'T' && (t = clock_time(p, n, at + 11)) != 0)
			k = 11 + t;
	} else if ((k = clock_time(p, n, at)) != 0) {
		kind = A_TIME; /* 17:30, 17:30:00, 17:30:00.123 */
	} else if (word_in(p, n, at, months) || word_in(p, n, at, days) || word_in(p, n, at, zones)) {
		kind = A_WORD;
		k = 3;
	} else if (is_digit(p[at])) {
		while (at + k < n && is_digit(p[at + k]) && k < 11)
			k++;
		if (k <= 2)
			kind = A_NUM;
		else if (k == 4 && (p[at] == '1' || p[at] == '2'))
			kind = A_YEAR;
		else if (k == 9 || k == 10)
			kind = A_EPOCH;
	}
	if (kind == A_TIME || kind == A_DATE) {
		if (at + k + 1 < n && p[at + k] == '.' && is_digit(p[at + k + 1]))
			for (k++; at + k < n && is_digit(p[at + k]); k++)
				;
		if (at + k < n && p[at + k] == 'Z')
			k++;
		else if (at + k + 6 <= n && (p[at + k] == '+' || p[at + k] == '-') && digits(p, n, at + k + 1, 2) &&
			 p[at + k + 3] == ':' && digits(p, n, at + k + 4, 2))
			k += 6;
	}
	if (kind == A_NONE)
		return A_NONE;
	if (at + k < n && is_alnum(p[at + k]))
		return A_NONE;
	*len = k;
	return kind;
}

/*
 * The timestamp token of p (n bytes) that covers [off, end): a run of atoms
 * separated by spaces or commas that holds a time, an ISO date, a month with
 * a year, or is a lone epoch number.  1 with its extent, else 0.
 */
static int timestamp_at(const uint8_t *p, size_t n, size_t off, size_t end, size_t *ts, size_t *te)
{
	size_t lo = off > FV_TOKEN_REACH ? off - FV_TOKEN_REACH : 0;
	size_t s = off;
	while (s > lo && is_text(p[s - 1]))
		s--;
	size_t hi = end + FV_TOKEN_REACH < n ? end + FV_TOKEN_REACH : n;
	/* Walk atoms from the start of the text, grouping runs. */
	size_t i = s, run_s = 0, run_e = 0;
	int in_run = 0, has_time = 0, has_month = 0, has_year = 0, natoms = 0, epoch = 0;
	while (i < hi && is_text(p[i])) {
		size_t k;
		int kind = atom(p, hi, i, &k);
		if (kind != A_NONE) {
			if (!in_run) {
				in_run = 1;
				run_s = i;
				has_time = has_month = has_year = natoms = epoch = 0;
			}
			run_e = i + k;
			natoms++;
			has_time |= kind == A_TIME || kind == A_DATE;
			has_year |= kind == A_YEAR;
			has_month |= kind == A_WORD && word_in(p, n, i, months);
			epoch = kind == A_EPOCH && natoms == 1;
			i += k;
			/* Separators inside a date: one space (two in "Nov  1"), a comma and a space. */
			size_t sep = 0;
			while (i + sep < hi && sep < 2 && (p[i + sep] == ' ' || p[i + sep] == ','))
				sep++;
			size_t k2;
			if (sep && i + sep < hi && atom(p, hi, i + sep, &k2) != A_NONE) {
				i += sep;
				continue;
			}
		} else {
			i++;
		}
		/* The run ended: does it cover the differing bytes and is it a date? */
		if (in_run) {
			in_run = 0;
			int date = has_time || (has_month && has_year) || (epoch && natoms == 1);
			if (date && run_s <= off && end <= run_e) {
				*ts = run_s;
				*te = run_e;
				return 1;
			}
			if (run_s > end)
				return 0;
		}
	}
	if (in_run && (has_time || (has_month && has_year) || (epoch && natoms == 1)) && run_s <= off &&
	    end <= run_e) {
		*ts = run_s;
		*te = run_e;
		return 1;
	}
	return 0;
}

static int is_path_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '/' || c == '.' ||
	       c == '_' || c == '-' || c == '+' || c == '~' || c == '@';
}

/*
 * The absolute path token of p around [off, end): a '/' that starts a path
 * (at the start of text or after a separator), then path characters.
 */
static int path_at(const uint8_t *p, size_t n, size_t off, size_t end, size_t *ts, size_t *te)
{
	size_t lo = off > FV_TOKEN_REACH ? off - FV_TOKEN_REACH : 0, s = off;
	while (s > lo && is_path_char(p[s - 1]))
		s--;
	/* An absolute path: its first byte, after a non-path byte or at the text's start, is '/'. */
	if (p[s] != '/')
		return 0;
	size_t e = end, hi = end + FV_TOKEN_REACH < n ? end + FV_TOKEN_REACH : n;
	while (e < hi && is_path_char(p[e]))
		e++;
	for (size_t i = off; i < end; i++)
		if (!is_path_char(p[i]))
			return 0;
	*ts = s;
	*te = e;
	return 1;
}

unsigned fv_benign_span(const uint8_t *a, const uint8_t *b, size_t n, size_t off, size_t len,
			unsigned allowed, size_t *tok_off, size_t *tok_len)
{
	size_t end = off + len, as, ae, bs, be;
	if (len == 0 || end > n || end < off)
		return 0;
	for (size_t i = off; i < end; i++)
		if (!is_text(a[i]) || !is_text(b[i]))
			return 0;
	if ((allowed & FV_NORM_TIMESTAMP) && timestamp_at(a, n, off, end, &as, &ae) &&
	    timestamp_at(b, n, off, end, &bs, &be)) {
		/* Where both sides are dates: bytes beyond one side's token are not waved through. */
		*tok_off = as > bs ? as : bs;
		*tok_len = (ae < be ? ae : be) - *tok_off;
		return FV_NORM_TIMESTAMP;
	}
	/*
	 * A build path: both sides absolute paths, and after the differing
	 * bytes the same file: a '/' follows them and from there both paths
	 * are the same to their end ("/build/a/src/x.c", "/build/b/src/x.c").
	 */
	if ((allowed & FV_NORM_BUILD_PATH) && path_at(a, n, off, end, &as, &ae) &&
	    path_at(b, n, off, end, &bs, &be) && as == bs && ae == be) {
		size_t slash = end;
		while (slash < ae && a[slash] != '/')
			slash++;
		if (slash < ae && !memcmp(a + slash, b + slash, ae - slash) && ae - slash > 1) {
			*tok_off = as;
			*tok_len = ae - as;
			return FV_NORM_BUILD_PATH;
		}
	}
	return 0;
}

/* A string around p[s, e) when it is text, else its first bytes in hex. */
static void preview(const uint8_t *p, size_t n, size_t s, size_t e, char *out, size_t cap)
{
	size_t i, k = 0, ts = s, te = e;
	for (i = s; i < e && is_text(p[i]); i++)
		;
	if (i == e) {
		while (ts > 0 && s - ts < 16 && is_text(p[ts - 1]))
			ts--;
		while (te < n && te - e < 16 && is_text(p[te]))
			te++;
		if (te - ts <= cap - 3) {
			out[k++] = '"';
			for (i = ts; i < te; i++)
				out[k++] = p[i] == '\t' ? ' ' : (char)p[i];
			out[k++] = '"';
			out[k] = 0;
			return;
		}
	}
	out[0] = 0;
	for (i = s; i < e && k + 3 < cap && i - s < 16; i++)
		k += (size_t)snprintf(out + k, cap - k, "%02x", p[i]);
}

static int add_run(struct fv_cmp *c, const uint8_t *a, const uint8_t *b, size_t n, size_t s, size_t e,
		   uint64_t base, const char *what)
{
	struct fv_difference *d = fv_cmp_add(c, base + s, e - s, "%s", what);
	if (!d)
		return FV_ENOMEM;
	/* A merged difference keeps the preview of where it started. */
	if (!d->was[0] && !d->now[0]) {
		preview(a, n, s, e, d->was, sizeof d->was);
		preview(b, n, s, e, d->now, sizeof d->now);
	}
	return FV_OK;
}

/* Differing runs closer than this are one difference: one changed instruction is one entry. */
#define FV_CMP_GAP 16

int fv_cmp_bytes(struct fv_cmp *c, const uint8_t *a, const uint8_t *b, size_t n, uint64_t base,
		 unsigned allowed, const char *what, uint64_t *unexplained)
{
	uint64_t left = 0;
	size_t pend_s = 0, pend_e = 0;
	int pend = 0;
	size_t i = 0;
	while (i < n) {
		/* Skip equal blocks a page at a time; most of two near-identical binaries is equal. */
		if (i % 4096 == 0 && i + 4096 <= n && !memcmp(a + i, b + i, 4096)) {
			i += 4096;
			continue;
		}
		if (a[i] == b[i]) {
			i++;
			continue;
		}
		size_t s = i;
		while (i < n && a[i] != b[i])
			i++;
		size_t ts, tl;
		unsigned why = fv_benign_span(a, b, n, s, i - s, allowed, &ts, &tl);
		if (why) {
			c->applied |= why;
			if (ts + tl > i)
				i = ts + tl;
			continue;
		}
		left += i - s;
		if (pend && s - pend_e < FV_CMP_GAP) {
			pend_e = i;
			continue;
		}
		if (pend && add_run(c, a, b, n, pend_s, pend_e, base, what))
			return FV_ENOMEM;
		pend = 1;
		pend_s = s;
		pend_e = i;
	}
	if (pend && add_run(c, a, b, n, pend_s, pend_e, base, what))
		return FV_ENOMEM;
	if (unexplained)
		*unexplained = left;
	return FV_OK;
}
