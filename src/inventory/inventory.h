/*
 * The inventory: one record per extracted file, made from the unpacker's
 * file list (no second walk of the tree), typed, and grouped by content so
 * that analyzers run once per unique SHA-256.
 *
 * A file belongs to a "root": the container it was extracted from (the part
 * of its report path before the last '!').  Lookups by member path
 * ("/etc/shadow") are made inside one root, because one image may hold
 * several filesystems, each with its own /etc.
 */
#ifndef FV_INVENTORY_INVENTORY_H
#define FV_INVENTORY_INVENTORY_H

#include <stddef.h>
#include <stdint.h>

#include "core/hash.h"

struct fv_unpack;
struct fv_xfile;

/* Our own quick classes; libmagic's words go into fv_file.type. */
enum fv_kind {
	FV_KIND_OTHER,   /* binary data we do not classify further */
	FV_KIND_EMPTY,
	FV_KIND_ELF,
	FV_KIND_SCRIPT,  /* text starting with #! */
	FV_KIND_TEXT,    /* other text: configuration, HTML, keys */
	FV_KIND_SYMLINK,
	FV_KIND_DIR,
	FV_KIND_SPECIAL, /* device, FIFO, socket: recorded, never written */
};

const char *fv_kind_name(enum fv_kind k);

struct fv_file {
	const struct fv_xfile *x; /* path, disk, mode, uid, gid, size, sha256, link */
	const char *member;       /* x->path after the last '!': "/etc/shadow" */
	size_t root_len;          /* x->path[0 .. root_len) is the root, without the '!' */
	enum fv_kind kind;
	char type[96];            /* libmagic's description, shortened */
	char arch[24];            /* ELF machine ("mips", "arm", "x86-64"), else "" */
	uint8_t elf_class;        /* 32 or 64; 0 if not ELF */
	uint8_t elf_be;           /* 1 for big-endian ELF */
	size_t content;           /* index into fv_inventory.contents; SIZE_MAX if not a regular file */
};

/* One unique content: the files that share it are listed by index. */
struct fv_content {
	char sha256[FV_SHA256_HEX];
	uint64_t size;
	size_t *files;  /* indexes into fv_inventory.files, in extraction order */
	size_t nfiles, capfiles;
};

struct fv_inventory {
	const char *outdir;       /* where fv_xfile.disk is relative to */
	struct fv_file *files;
	size_t nfiles;
	struct fv_content *contents;
	size_t ncontents;
	size_t nroots;            /* distinct roots */
	size_t *by_path;          /* file indexes sorted by path, for lookups */
};

/*
 * The inventory's indexes alone, reading no file: files by path, contents
 * (the regular files grouped by SHA-256: those extracted into outdir, or,
 * with outdir NULL, those that have a hash) and roots.  Contents are left
 * untyped: fv_inventory_build types them, the store sets what it stored.
 * 0 or FV_ENOMEM (inv then freed).
 */
int fv_inventory_index(const struct fv_unpack *u, const char *outdir, struct fv_inventory *inv);
/*
 * Builds the inventory of u, extracted into outdir, typing files on
 * `threads` threads.  0 or a negative fv_err with a message in err.
 */
int fv_inventory_build(const struct fv_unpack *u, const char *outdir, unsigned threads,
		       struct fv_inventory *inv, char *err, size_t errlen);
void fv_inventory_free(struct fv_inventory *inv);

/* The file whose report path is exactly path, or NULL. */
const struct fv_file *fv_inventory_find(const struct fv_inventory *inv, const char *path);

/*
 * The file with member path `member` in the same root as `near`, or NULL.
 * Symlinks are followed inside the root (at most 16 hops); the result is a
 * regular file or NULL.
 */
const struct fv_file *fv_inventory_lookup(const struct fv_inventory *inv,
					  const struct fv_file *near, const char *member);

/*
 * A folder that is already unpacked (a root filesystem on disk) as the
 * unpacker's file list: member paths are "/etc/passwd" under the label of
 * the folder's name ("rootfs!/etc/passwd"), fv_xfile.disk is relative to
 * dir.  Files inside it are not unpacked further.
 */
int fv_inventory_walk(const char *dir, struct fv_unpack *u, char *err, size_t errlen);

/* Opens a file's extracted bytes: a read-only mapping, 0 or a negative fv_err. */
struct fv_map;
int fv_inventory_map(const struct fv_inventory *inv, const struct fv_file *f, struct fv_map *m);

#endif
