/*
 * The integrity stage's common words: the normalisations that equivalence
 * may apply (each one a known-benign kind of difference a reviewer can switch
 * off), and the record of what one comparison found.
 *
 * A normalisation waves a difference through only where it can name it
 * exactly: the build-id note, a non-loaded section by its name, a timestamp
 * or build path token whose bytes on both sides parse as one.  Any other
 * byte that differs inside a loaded segment is a difference; no normalisation
 * may hide a change of code or data there.
 */
#ifndef FV_INTEGRITY_CMP_H
#define FV_INTEGRITY_CMP_H

#include <stddef.h>
#include <stdint.h>

enum fv_norm {
	FV_NORM_BUILD_ID = 1u << 0,   /* ELF .note.gnu.build-id descriptor */
	FV_NORM_COMMENT = 1u << 1,    /* ELF .comment (compiler and version strings) */
	FV_NORM_DEBUGLINK = 1u << 2,  /* ELF .gnu_debuglink (file name and CRC of the debug file) */
	FV_NORM_DEBUG = 1u << 3,      /* ELF .debug_*, .zdebug_*, .stab*: not loaded */
	FV_NORM_SYMTAB = 1u << 4,     /* ELF .symtab/.strtab, not loaded, when every symbol keeps its address */
	FV_NORM_TIMESTAMP = 1u << 5,  /* an embedded build date or time, same length, both sides parse */
	FV_NORM_BUILD_PATH = 1u << 6, /* an embedded build path, same length, same file under another root */
	FV_NORM_GZIP_HEADER = 1u << 7, /* gzip header time, name or OS byte; the members are compared */
	FV_NORM_ARCHIVE = 1u << 8,    /* archive member times and order (tar, cpio, zip, ar, 7z) */
	FV_NORM_FS_META = 1u << 9,    /* filesystem metadata: times, inode order, compression */
	FV_NORM_CONTAINER = 1u << 10, /* other container headers (uImage time and CRCs, TRX CRC) */
	FV_NORM_COMPRESSION = 1u << 11, /* a compressed stream encoded otherwise; its output is compared */
	FV_NORM_ALL = (1u << 12) - 1,
};

/* "build-id", "comment", ...: the name used in reports and by --no-normalise. */
const char *fv_norm_name(enum fv_norm n);
/* What the normalisation waves through, for a reviewer: one line. */
const char *fv_norm_doc(enum fv_norm n);
/* The bit of a name, 0 when there is none. */
unsigned fv_norm_parse(const char *name);

/* One difference that no normalisation explains. */
struct fv_difference {
	char what[96];        /* "section .rodata", "segment 2", "header", "member x", "content", "mode" */
	uint64_t offset;      /* in the first file */
	uint64_t size;        /* of the differing range in the first file (0: not a byte range) */
	char **functions;     /* for code: the functions that hold the range ("handle", "sub_4006a0") */
	size_t nfunctions;
	/*
	 * What the bytes were and became, for a reviewer: the C string around
	 * them when they are text ("status-query"), else up to 16 bytes in hex;
	 * "" when the difference is not a byte range (fv_cmp_bytes fills them).
	 */
	char was[52], now[52];
};

/* What comparing two things found; zero it before use. */
struct fv_cmp {
	unsigned applied;     /* FV_NORM_* that explained some difference */
	struct fv_difference *diffs;
	size_t ndiffs, capdiffs;
};

/*
 * Adds a difference: what (printf), at offset, size bytes.  Differences of
 * one `what` that touch or overlap are merged.  The new record, or NULL when
 * memory is short (the caller then reports FV_ENOMEM).
 */
struct fv_difference *fv_cmp_add(struct fv_cmp *c, uint64_t offset, uint64_t size, const char *what_fmt,
				 ...) __attribute__((format(printf, 4, 5)));
/* Adds name to d's functions unless it is there already.  0 or FV_ENOMEM. */
int fv_difference_function(struct fv_difference *d, const char *name);
void fv_cmp_free(struct fv_cmp *c);

/*
 * Two buffers of one length n differ at [off, off + len).  When the differing
 * bytes lie inside one token that is, on both sides, a build timestamp
 * ("Nov 29 2026", "17:30:00", "2026-11-29T17:30:00Z", a 10-digit epoch, ...)
 * or a build path (an absolute path, the same file under a different root of
 * the same length), returns FV_NORM_TIMESTAMP or FV_NORM_BUILD_PATH (only
 * among `allowed`) and the token's extent in *tok_off and *tok_len; else 0.
 */
unsigned fv_benign_span(const uint8_t *a, const uint8_t *b, size_t n, size_t off, size_t len,
			unsigned allowed, size_t *tok_off, size_t *tok_len);

/*
 * Compares two byte ranges of one length: each run of differing bytes is
 * either explained by fv_benign_span (its bit goes into c->applied) or added
 * as a difference named what, at base + its offset.  0 or FV_ENOMEM.  Returns
 * in *unexplained the number of differing bytes left.
 */
int fv_cmp_bytes(struct fv_cmp *c, const uint8_t *a, const uint8_t *b, size_t n, uint64_t base,
		 unsigned allowed, const char *what, uint64_t *unexplained);

#endif
