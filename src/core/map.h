/*
 * Read-only file mappings.  Images are mapped, never read into memory, so a
 * 1 GiB input costs address space, not RAM.
 */
#ifndef FV_CORE_MAP_H
#define FV_CORE_MAP_H

#include <stddef.h>
#include <stdint.h>

struct fv_map {
	const uint8_t *data; /* NULL for an empty file */
	size_t size;
};

/* 0, or a negative fv_err with errno left as the system set it. */
int fv_map_open(const char *path, struct fv_map *m);
int fv_map_openat(int dirfd, const char *path, struct fv_map *m);
void fv_map_close(struct fv_map *m);

/*
 * Gives back the resident pages of [p, p + len) inside a mapping made here
 * (whole pages only).  The bytes stay readable: a later touch reads them
 * again from the page cache.  Keeps long passes over big images small.
 */
void fv_map_drop(const void *p, size_t len);

/* Maps [p, p + len) in one call ahead of a sequential pass; only a hint. */
void fv_map_prefetch(const void *p, size_t len);

/* SHA-256 of a whole mapping, dropping pages behind it as it goes. */
void fv_map_sha256(const struct fv_map *m, char hex[65]);

#endif
