/*
 * Pairing the files of two images.  A report path names chunks by offset
 * ("fw.bin!0x50000.squashfs!/etc/passwd"), and an update moves chunks (a
 * bigger kernel pushes the root filesystem to the next erase block), so files
 * are paired by a key that does not depend on where chunks lie: the path
 * without the image's own name, each chunk named by its format and its rank
 * among the chunks of that format in the same container ("squashfs!/etc/passwd",
 * "squashfs#1!/etc/passwd" for a second root filesystem).  A folder scanned as
 * an unpacked root ("rootfs!/etc/passwd") keys as "/etc/passwd".
 */
#ifndef FV_INTEGRITY_PAIR_H
#define FV_INTEGRITY_PAIR_H

#include <stddef.h>

struct fv_unpack;
struct fv_inventory;
struct fv_results;

/* One image as the integrity stage reads it; nothing here is written back. */
struct fv_side {
	const struct fv_unpack *u;
	const struct fv_inventory *inv;
	const struct fv_results *res; /* NULL when it was not analysed */
	/* Filled by fv_side_init: */
	char **keys;                  /* keys[i]: the key of inv->files[i] */
	struct fv_side_rank *ranks;   /* chunk ranks by chunk path, for fv_side_key */
	size_t nranks;
};

/* Computes the keys of every file.  0 or FV_ENOMEM. */
int fv_side_init(struct fv_side *s, const struct fv_unpack *u, const struct fv_inventory *inv,
		 const struct fv_results *res);
void fv_side_free(struct fv_side *s);

/*
 * The key of any report path of this image (a file, a chunk, a finding's
 * path), newly allocated; NULL when memory is short.
 */
char *fv_side_key(const struct fv_side *s, const char *path);

/* The top-level chunk formats, "uimage squashfs gzip" (no padding, no unknown), into out. */
void fv_side_formats(const struct fv_side *s, char *out, size_t cap);

/*
 * The chunks (padding left out) directly inside `parent`: the image's label
 * ("fw.bin") or a file's report path.  Allocated, in offset order, *n set;
 * NULL when there are none or memory is short.
 */
struct fv_xentry;
const struct fv_xentry **fv_side_chunks(const struct fv_side *s, const char *parent, size_t *n);

/* The image's label, the first component of every report path ("fw.bin"); "" when it has no files. */
const char *fv_side_label(const struct fv_side *s, size_t *len);

/* A pair of files: indexes into each side's inv->files, SIZE_MAX when the file is only in the other. */
struct fv_pair {
	size_t a, b;
	const char *key;  /* one of the sides' keys */
};

/*
 * Every file of a and b, paired by key, in key order.  *out is allocated.
 * 0 or FV_ENOMEM.
 */
int fv_pair_files(const struct fv_side *a, const struct fv_side *b, struct fv_pair **out, size_t *n);

#endif
