/*
 * Private to the engine and the sink: the state of one extraction run and
 * of one container being written.  Formats see only the opaque pointer.
 */
#ifndef FV_UNPACK_XCTX_H
#define FV_UNPACK_XCTX_H

#include "unpack/engine.h"

struct fv_pending_dir {
	char *disk;
	uint32_t mode;
};

struct fv_run {
	struct fv_limits lim;
	struct fv_unpack *u;
	int rootfd;
	uint64_t bytes, files;
	struct fv_pending_dir *dirs; /* modes applied at the end, deepest first */
	size_t ndirs, capdirs;
};

struct fv_xctx {
	struct fv_run *run;
	int dirfd;             /* the container's folder */
	const char *vpath;     /* the container's path: fw.bin!0x40000.squashfs */
	const char *disk;      /* its folder, relative to the output root ("" for the root) */
	const char *sep;       /* "!/" for members, "!" for carved chunks */
	const char *file_name; /* last component of the file the chunk came from */
	uint64_t chunk_size;
	unsigned depth;        /* depth of the files written here */
	size_t nwritten;       /* entries written (partial vs failed) */
	int limit_reported;
	char err[256];
	/* The last parent folder opened, reused while members share it. */
	char *cache_rel;
	int cache_fd;
};

void fv_xctx_init(struct fv_xctx *x, struct fv_run *run, int dirfd, const char *vpath,
		  const char *disk, const char *file_name, uint64_t chunk_size, unsigned depth);
void fv_xctx_fini(struct fv_xctx *x);

/* Makes (or opens) the folder at disk, relative to the root, safely. */
int fv_sink_mkfolder(struct fv_run *run, const char *disk, int *dirfd);
/* Writes a carved chunk called name (vpath!name) in x's folder. */
int fv_sink_carve(struct fv_xctx *x, const char *name, const void *data, size_t len);
/* Applies the recorded folder modes; called once at the end of a run. */
void fv_sink_finish(struct fv_run *run);

#endif
