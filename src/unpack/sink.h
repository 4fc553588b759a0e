/*
 * The sink: the only code that writes extracted files.
 *
 * Extractors hand it member paths exactly as the container stores them.  The
 * sink normalises each path inside the container's folder: "." and empty
 * components are dropped silently, while ".." above the root and absolute
 * paths are neutralised and reported as extraction findings.  Every folder on
 * the way is opened with O_NOFOLLOW, so nothing is ever written through a
 * symlink, whoever created it.  Device nodes, FIFOs and sockets are recorded,
 * never created; setuid, setgid and sticky bits are recorded, never applied.
 * A symlink is created only when its target, resolved in the container,
 * stays inside it (an absolute target is taken from the container's root and
 * written relative).  Hard links are copies.  Limits on total bytes, file
 * count and decompression ratio are enforced here.
 */
#ifndef FV_UNPACK_SINK_H
#define FV_UNPACK_SINK_H

#include <stddef.h>
#include <stdint.h>

struct fv_xctx;
struct fv_sink_file;

/* Attributes as the container stores them; mode includes the S_IFMT type. */
struct fv_attr {
	uint32_t mode;
	uint32_t uid, gid;
	int64_t mtime;
};

/* All return 0 or a negative fv_err (FV_ELIMIT once a limit is reached). */
int fv_sink_dir(struct fv_xctx *x, const char *path, const struct fv_attr *a);
int fv_sink_file(struct fv_xctx *x, const char *path, const struct fv_attr *a, const void *data,
		 size_t len);
int fv_sink_open(struct fv_xctx *x, const char *path, const struct fv_attr *a,
		 struct fv_sink_file **out);
int fv_sink_write(struct fv_sink_file *f, const void *p, size_t n);
/* Finishes the file and frees f, also after a failed write. */
int fv_sink_close(struct fv_sink_file *f);
int fv_sink_symlink(struct fv_xctx *x, const char *path, const char *target, const struct fv_attr *a);
/* path becomes a copy of target, a member written earlier in the same container. */
int fv_sink_hardlink(struct fv_xctx *x, const char *path, const char *target);
/* Character and block devices, FIFOs and sockets: recorded, not created. */
int fv_sink_special(struct fv_xctx *x, const char *path, const struct fv_attr *a, uint64_t rdev);

/*
 * Detail for the chunk's extraction entry: what was expected, at which
 * offset (relative to the chunk), and what was found.  The first message
 * wins; later ones are usually consequences.
 */
void fv_xctx_error(struct fv_xctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The chunk being extracted: its size, for ratios and messages. */
uint64_t fv_xctx_chunk_size(const struct fv_xctx *x);
/* The name of the file the chunk was found in (its last path component). */
const char *fv_xctx_file_name(const struct fv_xctx *x);

#endif
