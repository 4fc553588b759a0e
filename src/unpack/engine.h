/*
 * The unpacking engine: scan a file for chunks, extract each accepted chunk
 * through the sink, carve what lies between, and recurse into every file
 * that comes out, to a depth limit.
 */
#ifndef FV_UNPACK_ENGINE_H
#define FV_UNPACK_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/finding.h"
#include "core/hash.h"
#include "unpack/format.h"

/* One chunk found by fv_scan(). */
struct fv_chunk {
	uint64_t off, size;
	const struct fv_format *fmt;
	enum fv_conf conf;
	int truncated;
	int parent; /* index of the enclosing chunk in the same list, or -1 */
	char desc[FV_DESC_MAX];
};

struct fv_chunks {
	struct fv_chunk *v;
	size_t n, cap;
};

enum fv_scan_flags {
	FV_SCAN_NESTED = 1, /* also probe hits inside accepted chunks (identify) */
	FV_SCAN_DROP = 2,   /* data is a read-only file mapping: drop pages already scanned */
};

/*
 * Every chunk in data, in offset order.  Top-level chunks never overlap;
 * with FV_SCAN_NESTED, chunks inside them follow with parent set.
 */
int fv_scan(const uint8_t *data, size_t len, unsigned flags, struct fv_chunks *out);
struct fv_progress;
/* The same, reporting the offset reached to a progress bar. */
int fv_scan_progress(const uint8_t *data, size_t len, unsigned flags, struct fv_progress *prog,
		     struct fv_chunks *out);
void fv_chunks_free(struct fv_chunks *c);
/* Compiles the signature database; called once before threads start. */
int fv_scan_init(char *err, size_t errlen);
/* The compiled database and its key, for embedding at build time (malloc'd). */
int fv_scan_serialize(char **bytes, size_t *len, char key[FV_SHA256_HEX]);

struct fv_limits {
	unsigned depth;        /* levels of recursion below the image (default 10) */
	uint64_t total_bytes;  /* bytes written in all (default 64 x the image size) */
	uint64_t files;        /* entries written in all (default 1,000,000) */
	uint64_t ratio;        /* output bytes per input byte of one stream (default 2000) */
};

void fv_limits_default(struct fv_limits *l);

enum fv_xstatus { FV_XS_OK, FV_XS_PARTIAL, FV_XS_FAILED };
const char *fv_xstatus_name(enum fv_xstatus s);

/* One entry of the report's "extraction" list. */
struct fv_xentry {
	char *path;         /* path of the chunk: fw.bin!0x40000.squashfs */
	const char *format; /* a format name, "padding" or "unknown" */
	uint64_t off, size;
	enum fv_xstatus status;
	char *error;        /* NULL when status is ok */
	char desc[FV_DESC_MAX];
};

enum fv_ftype { FV_FT_FILE, FV_FT_DIR, FV_FT_SYMLINK, FV_FT_CHAR, FV_FT_BLOCK, FV_FT_FIFO, FV_FT_SOCK };
const char *fv_ftype_name(enum fv_ftype t);

/* One extracted member, as the report's "files" list shows it. */
struct fv_xfile {
	char *path;   /* fw.bin!0x40000.squashfs!/etc/shadow */
	char *disk;   /* relative to the output folder; NULL if not written */
	enum fv_ftype type;
	uint32_t mode; /* as stored, including setuid and type bits */
	uint32_t uid, gid;
	uint64_t size;
	uint64_t rdev;
	char *link;   /* symlink target as stored */
	char sha256[FV_SHA256_HEX]; /* regular files only */
	unsigned depth;
	int carved;   /* an unknown chunk carved from a gap, not a member */
};

struct fv_unpack {
	char *image_path;
	char image_sha256[FV_SHA256_HEX];
	uint64_t image_size;
	struct fv_xentry *entries;
	size_t nentries, capentries;
	struct fv_xfile *files;
	size_t nfiles, capfiles;
	struct fv_findings findings; /* neutralised paths, limits hit */
	uint64_t bytes_written;
};

/*
 * Extracts image into outdir, which must not exist or be empty.  Returns 0
 * when the image was read (whatever its chunks' statuses), or a negative
 * fv_err with a message in err when nothing could be done.
 */
int fv_unpack(const char *image, const char *outdir, const struct fv_limits *lim,
	      struct fv_unpack *out, char *err, size_t errlen);
void fv_unpack_free(struct fv_unpack *u);

#endif
