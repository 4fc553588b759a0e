/*
 * What a format is to the engine: magic patterns, a probe and an extractor.
 *
 * The engine compiles every format's magics into one vectorscan database and
 * scans each file once.  For each hit it computes where the chunk would start
 * (hit minus the magic's offset) and calls the format's probe on the bytes
 * from there to the end of the file.  The probe validates the candidate
 * (checksums, sane fields, a trial decode) and returns the chunk's exact size,
 * a confidence and a description a person can use.  If the engine accepts the
 * chunk, it calls extract on exactly those bytes, and the extractor writes
 * what it finds through the sink (sink.h), the only writer of files.
 *
 * One format per file in unpack/formats/; each defines one
 * `const struct fv_format fv_format_<name>` and is listed in formats.c.
 */
#ifndef FV_UNPACK_FORMAT_H
#define FV_UNPACK_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "core/finding.h"

struct fv_xctx;

struct fv_magic {
	const char *re; /* vectorscan expression, matched with HS_FLAG_DOTALL */
	uint16_t len;   /* every match of re is exactly this long */
	uint32_t off;   /* where the match sits from the start of the chunk */
};

#define FV_DESC_MAX 256

struct fv_probe {
	uint64_t size;      /* exact size of the chunk; never more than avail */
	enum fv_conf conf;  /* FV_CONF_LOW..FV_CONF_HIGH */
	int truncated;      /* the chunk runs past the end of the input */
	char desc[FV_DESC_MAX];
};

struct fv_format {
	const char *name;    /* lower case; names carved chunks, e.g. 0x40000.squashfs */
	const char *summary; /* one line for `fwvet formats` and the README */
	const struct fv_magic *magics; /* terminated by an entry with re == NULL */
	/*
	 * p points at the candidate chunk start, with avail bytes up to the end
	 * of the file.  Returns 0 and fills out to accept, or a negative fv_err
	 * to reject.  Must be cheap to reject: it runs on every magic hit.
	 */
	int (*probe)(const uint8_t *p, size_t avail, struct fv_probe *out);
	/*
	 * Writes the chunk's contents through the sink.  NULL for formats that
	 * are identified and sized but not unpacked (ELF).  Returns 0, or a
	 * negative fv_err after reporting detail with fv_xctx_error(); whatever
	 * was written before the error is kept and the chunk is marked partial.
	 */
	int (*extract)(struct fv_xctx *x, const uint8_t *p, size_t size);
	unsigned flags; /* FV_FMT_* */
};

/*
 * The magic marks every record of the format, not only its start (tar
 * headers, cpio entries, HEX lines), and a chunk may begin at any record.
 * Hits of the same format inside its own chunk are its records, so identify
 * neither probes nor lists them; without this, listing nested chunks would
 * be quadratic in the number of records.
 */
#define FV_FMT_RECORDS 1u

/*
 * A bare compressed stream with no container structure of its own (zlib,
 * xz, lzma, bzip2, zstd, lz4).  Inside another chunk such a stream is almost
 * always that chunk's own compressed block (a squashfs's xz blocks, a
 * cramfs's zlib pages, a uImage's payload), so identify does not list it
 * there; at the top level it is found as usual.
 */
#define FV_FMT_STREAM 2u

/* printf into out->desc, appending to what is there. */
void fv_probe_desc(struct fv_probe *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The table of every format, NULL-terminated, in order of preference. */
extern const struct fv_format *const fv_formats[];
const struct fv_format *fv_format_find(const char *name);

#endif
