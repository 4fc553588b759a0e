/*
 * The sink: see sink.h for the rules it enforces.
 *
 * Safety does not depend on checking names against a list of bad patterns.
 * Paths are normalised lexically first, and then every folder on the way to
 * a member is opened with openat(O_NOFOLLOW | O_DIRECTORY) starting from the
 * container's own folder, so the kernel itself refuses to step through a
 * symlink, whoever made it and whatever it points at.  Files are created
 * with O_EXCL | O_NOFOLLOW for the same reason.
 */
#include "unpack/sink.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/hash.h"
#include "unpack/xctx.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FV_PATH_MAX 4096
#define FV_MAX_COMPONENTS 256

/* Rule ids of the extraction findings. */
#define R_TRAVERSAL "FV-EXTR-001"
#define R_ABSOLUTE "FV-EXTR-002"
#define R_SYMLINK_OUT "FV-EXTR-003"
#define R_THROUGH_LINK "FV-EXTR-004"
#define R_LIMIT "FV-EXTR-005"
#define R_COLLISION "FV-EXTR-006"

struct fv_sink_file {
	struct fv_xctx *x;
	int fd;
	size_t rec;        /* index of its record in u->files */
	uint64_t written;
	int failed;
	struct fv_sha256 h;
};

void fv_xctx_init(struct fv_xctx *x, struct fv_run *run, int dirfd, const char *vpath,
		  const char *disk, const char *file_name, uint64_t chunk_size, unsigned depth)
{
	memset(x, 0, sizeof *x);
	x->run = run;
	x->dirfd = dirfd;
	x->vpath = vpath;
	x->disk = disk;
	x->sep = "!/";
	x->file_name = file_name;
	x->chunk_size = chunk_size;
	x->depth = depth;
	x->cache_fd = -1;
}

void fv_xctx_fini(struct fv_xctx *x)
{
	if (x->cache_fd >= 0)
		close(x->cache_fd);
	x->cache_fd = -1;
	free(x->cache_rel);
	x->cache_rel = NULL;
}

void fv_xctx_error(struct fv_xctx *x, const char *fmt, ...)
{
	if (x->err[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->err, sizeof x->err, fmt, ap);
	va_end(ap);
}

uint64_t fv_xctx_chunk_size(const struct fv_xctx *x) { return x->chunk_size; }
const char *fv_xctx_file_name(const struct fv_xctx *x) { return x->file_name; }

static void report(struct fv_xctx *x, const char *rule, enum fv_severity sev, const char *path,
		   const char *evidence, const char *title)
{
	fv_findings_add(&x->run->u->findings, rule, "extraction", sev, FV_CONF_HIGH, path, 0,
			evidence, "%s", title);
}

/* Path handling ------------------------------------------------------------ */

struct npath {
	char buf[FV_PATH_MAX]; /* normalised, relative, '/'-separated; "" is the root */
	int dotdot;            /* a ".." tried to climb above the root */
	int absolute;          /* the stored path began with '/' */
};

/*
 * Lexical normalisation inside a root: drops "", "." and ".." that would
 * climb above it.  Fails only when the result would not fit.
 */
static int normalise(const char *base, const char *raw, struct npath *np)
{
	char tmp[2 * FV_PATH_MAX + 2];
	np->dotdot = 0;
	np->absolute = raw[0] == '/';
	if (np->absolute || !base || !base[0])
		snprintf(tmp, sizeof tmp, "%s", raw);
	else if ((size_t)snprintf(tmp, sizeof tmp, "%s/%s", base, raw) >= sizeof tmp)
		return FV_EFORMAT;
	if (strlen(tmp) >= sizeof tmp - 1)
		return FV_EFORMAT;

	size_t starts[FV_MAX_COMPONENTS];
	size_t n = 0, len = 0;
	char *save = NULL;
	for (char *c = strtok_r(tmp, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			if (n == 0) {
				np->dotdot = 1;
				continue;
			}
			len = starts[--n];
			continue;
		}
		size_t cl = strlen(c);
		if (n == FV_MAX_COMPONENTS || len + cl + 2 > sizeof np->buf)
			return FV_EFORMAT;
		starts[n++] = len;
		if (len)
			np->buf[len++] = '/';
		memcpy(np->buf + len, c, cl);
		len += cl;
	}
	np->buf[len] = 0;
	return FV_OK;
}

/* The folder part of a normalised path, or "" for a top-level member. */
static void split(const char *path, char *dir, size_t dirlen, const char **leaf)
{
	const char *slash = strrchr(path, '/');
	if (!slash) {
		dir[0] = 0;
		*leaf = path;
		return;
	}
	snprintf(dir, dirlen, "%.*s", (int)(slash - path), path);
	*leaf = slash + 1;
}

/*
 * Opens the folder rel (normalised) below base, creating what is missing.
 * Each step refuses symlinks.  Returns a new fd or a negative fv_err; sets
 * *through_link when a component was a symlink.
 */
static int walk(int base, const char *rel, int create, int *through_link)
{
	int fd = dup(base);
	if (fd < 0)
		return FV_EIO;
	char comp[FV_PATH_MAX];
	const char *p = rel;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t cl = e ? (size_t)(e - p) : strlen(p);
		snprintf(comp, sizeof comp, "%.*s", (int)cl, p);
		p += cl + (e != NULL);
		int next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, comp, 0755) != 0 && errno != EEXIST) {
				close(fd);
				return FV_EIO;
			}
			next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			struct stat st;
			if (through_link && fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				*through_link = 1;
			close(fd);
			return errno == ENOENT ? FV_EIO : FV_EEXIST;
		}
		close(fd);
		fd = next;
	}
	return fd;
}

int fv_sink_mkfolder(struct fv_run *run, const char *disk, int *dirfd)
{
	int fd = walk(run->rootfd, disk, 1, NULL);
	if (fd < 0)
		return fd;
	*dirfd = fd;
	return FV_OK;
}

/* The parent folder of member path np, through the one-entry cache. */
static int parent_fd(struct fv_xctx *x, const char *dir, int create, int *through_link)
{
	if (x->cache_fd >= 0 && x->cache_rel && strcmp(x->cache_rel, dir) == 0)
		return x->cache_fd;
	int fd = walk(x->dirfd, dir, create, through_link);
	if (fd < 0)
		return fd;
	char *rel = strdup(dir);
	if (!rel) {
		close(fd);
		return FV_ENOMEM;
	}
	if (x->cache_fd >= 0)
		close(x->cache_fd);
	free(x->cache_rel);
	x->cache_fd = fd;
	x->cache_rel = rel;
	return fd;
}

/* Records --------------------------------------------------------------- */

static char *join3(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s = malloc(la + lb + lc + 1);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc + 1);
	return s;
}

static struct fv_xfile *new_record(struct fv_xctx *x, const char *member, int on_disk)
{
	struct fv_unpack *u = x->run->u;
	if (fv_grow(&u->files, &u->capfiles, u->nfiles, sizeof *u->files))
		return NULL;
	struct fv_xfile *f = &u->files[u->nfiles];
	memset(f, 0, sizeof *f);
	f->path = join3(x->vpath, x->sep, member);
	if (on_disk)
		f->disk = join3(x->disk, x->disk[0] ? "/" : "", member);
	if (!f->path || (on_disk && !f->disk)) {
		free(f->path);
		free(f->disk);
		return NULL;
	}
	f->depth = x->depth;
	u->nfiles++;
	return f;
}

static int limit(struct fv_xctx *x, const char *what, const char *path)
{
	if (!x->limit_reported) {
		char ev[96];
		snprintf(ev, sizeof ev, "%s", what);
		report(x, R_LIMIT, FV_SEV_LOW, path, ev, "extraction limit reached; the rest of the chunk was not written");
		x->limit_reported = 1;
	}
	fv_xctx_error(x, "%s reached while writing %s", what, path);
	return FV_ELIMIT;
}

static int count_entry(struct fv_xctx *x, const char *member)
{
	if (x->run->files >= x->run->lim.files) {
		char what[64];
		snprintf(what, sizeof what, "file limit (%llu)", (unsigned long long)x->run->lim.files);
		return limit(x, what, member);
	}
	x->run->files++;
	return FV_OK;
}

/*
 * Normalises a member path and reports what had to be neutralised.  The
 * member's full path for messages is built from what was stored.
 */
static int member_path(struct fv_xctx *x, const char *raw, struct npath *np)
{
	if (normalise(NULL, raw, np) != FV_OK) {
		fv_xctx_error(x, "member path too long or too deep (%.60s...)", raw);
		return FV_EFORMAT;
	}
	char *shown = join3(x->vpath, x->sep, raw);
	if (np->dotdot)
		report(x, R_TRAVERSAL, FV_SEV_MEDIUM, shown ? shown : x->vpath, raw,
		       "member path climbs out of its container with '..'; written inside instead");
	else if (np->absolute)
		report(x, R_ABSOLUTE, FV_SEV_LOW, shown ? shown : x->vpath, raw,
		       "absolute member path; written relative to the container");
	free(shown);
	if (!np->buf[0]) {
		fv_xctx_error(x, "member path '%.60s' names the container itself", raw);
		return FV_EFORMAT;
	}
	return FV_OK;
}

static void refused(struct fv_xctx *x, int through_link, const char *member, const char *raw)
{
	char *shown = join3(x->vpath, x->sep, member);
	if (through_link)
		report(x, R_THROUGH_LINK, FV_SEV_HIGH, shown ? shown : x->vpath, raw,
		       "member would be written through a symlink; refused");
	else
		report(x, R_COLLISION, FV_SEV_LOW, shown ? shown : x->vpath, raw,
		       "member path collides with an entry of another type; refused");
	free(shown);
	fv_xctx_error(x, "member %.100s refused: %s", raw,
		      through_link ? "its folder is a symlink" : "path taken by another entry type");
}

/* Public API ----------------------------------------------------------- */

int fv_sink_dir(struct fv_xctx *x, const char *path, const struct fv_attr *a)
{
	struct npath np;
	int rc = member_path(x, path, &np);
	if (rc)
		return rc;
	if ((rc = count_entry(x, np.buf)))
		return rc;
	int link = 0;
	int fd = walk(x->dirfd, np.buf, 1, &link);
	if (fd < 0) {
		refused(x, link, np.buf, path);
		return fd;
	}
	close(fd);
	struct fv_xfile *f = new_record(x, np.buf, 1);
	if (!f)
		return FV_ENOMEM;
	f->type = FV_FT_DIR;
	f->mode = a ? a->mode : (S_IFDIR | 0755);
	f->uid = a ? a->uid : 0;
	f->gid = a ? a->gid : 0;
	x->nwritten++;

	struct fv_run *r = x->run;
	if (fv_grow(&r->dirs, &r->capdirs, r->ndirs, sizeof *r->dirs))
		return FV_ENOMEM;
	r->dirs[r->ndirs].disk = strdup(f->disk);
	if (!r->dirs[r->ndirs].disk)
		return FV_ENOMEM;
	r->dirs[r->ndirs].mode = f->mode & 0777;
	r->ndirs++;
	return FV_OK;
}

static int create_file(struct fv_xctx *x, const struct npath *np, const char *raw, int *fdout)
{
	char dir[FV_PATH_MAX];
	const char *leaf;
	split(np->buf, dir, sizeof dir, &leaf);
	int link = 0;
	int pfd = parent_fd(x, dir, 1, &link);
	if (pfd < 0) {
		refused(x, link, np->buf, raw);
		return pfd;
	}
	int fd = openat(pfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) {
		/* A later copy of a member replaces the earlier one, as tar does. */
		struct stat st;
		if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode) &&
		    unlinkat(pfd, leaf, 0) == 0)
			fd = openat(pfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		else
			errno = EEXIST;
	}
	if (fd < 0) {
		if (errno == EEXIST) {
			refused(x, 0, np->buf, raw);
			return FV_EEXIST;
		}
		fv_xctx_error(x, "cannot create %.100s: %s", np->buf, strerror(errno));
		return FV_EIO;
	}
	*fdout = fd;
	return FV_OK;
}

static int open_member(struct fv_xctx *x, const struct npath *np, const char *raw,
		       const struct fv_attr *a, struct fv_sink_file **out)
{
	*out = NULL;
	int rc = count_entry(x, np->buf);
	if (rc)
		return rc;
	struct fv_sink_file *f = calloc(1, sizeof *f);
	if (!f)
		return FV_ENOMEM;
	if ((rc = create_file(x, np, raw, &f->fd))) {
		free(f);
		return rc;
	}
	struct fv_xfile *rec = new_record(x, np->buf, 1);
	if (!rec || fv_sha256_init(&f->h) != FV_OK) {
		close(f->fd);
		free(f);
		return FV_ENOMEM;
	}
	rec->type = FV_FT_FILE;
	rec->mode = a ? a->mode : (S_IFREG | 0644);
	rec->uid = a ? a->uid : 0;
	rec->gid = a ? a->gid : 0;
	f->x = x;
	f->rec = x->run->u->nfiles - 1;
	x->nwritten++;
	*out = f;
	return FV_OK;
}

int fv_sink_open(struct fv_xctx *x, const char *path, const struct fv_attr *a,
		 struct fv_sink_file **out)
{
	struct npath np;
	*out = NULL;
	int rc = member_path(x, path, &np);
	if (rc)
		return rc;
	return open_member(x, &np, path, a, out);
}

int fv_sink_write(struct fv_sink_file *f, const void *p, size_t n)
{
	if (f->failed)
		return FV_ELIMIT;
	struct fv_xctx *x = f->x;
	struct fv_run *r = x->run;
	const char *name = r->u->files[f->rec].path;
	if (n > r->lim.total_bytes - r->bytes) {
		f->failed = 1;
		char what[64];
		snprintf(what, sizeof what, "total size limit (%llu bytes)",
			 (unsigned long long)r->lim.total_bytes);
		return limit(x, what, name);
	}
	if (x->chunk_size && r->lim.ratio &&
	    f->written + n > (x->chunk_size > UINT64_MAX / r->lim.ratio ? UINT64_MAX
									  : x->chunk_size * r->lim.ratio)) {
		f->failed = 1;
		char what[80];
		snprintf(what, sizeof what, "decompression ratio limit (%llu:1)",
			 (unsigned long long)r->lim.ratio);
		return limit(x, what, name);
	}
	const uint8_t *b = p;
	size_t left = n;
	while (left) {
		ssize_t w = write(f->fd, b, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			f->failed = 1;
			fv_xctx_error(x, "writing %s: %s", name, strerror(errno));
			return FV_EIO;
		}
		b += w;
		left -= (size_t)w;
	}
	fv_sha256_update(&f->h, p, n);
	f->written += n;
	r->bytes += n;
	return FV_OK;
}

int fv_sink_close(struct fv_sink_file *f)
{
	if (!f)
		return FV_OK;
	struct fv_xfile *rec = &f->x->run->u->files[f->rec];
	fv_sha256_final(&f->h, rec->sha256);
	rec->size = f->written;
	int rc = FV_OK;
	/* Permission bits only: setuid, setgid and sticky stay in the record. */
	if (fchmod(f->fd, rec->mode & 0777) != 0)
		rc = FV_EIO;
	if (close(f->fd) != 0)
		rc = FV_EIO;
	free(f);
	return rc;
}

int fv_sink_file(struct fv_xctx *x, const char *path, const struct fv_attr *a, const void *data,
		 size_t len)
{
	struct fv_sink_file *f;
	int rc = fv_sink_open(x, path, a, &f);
	if (rc)
		return rc;
	rc = fv_sink_write(f, data, len);
	int rc2 = fv_sink_close(f);
	return rc ? rc : rc2;
}

int fv_sink_carve(struct fv_xctx *x, const char *name, const void *data, size_t len)
{
	struct npath np;
	snprintf(np.buf, sizeof np.buf, "%s", name);
	np.dotdot = np.absolute = 0;
	x->sep = "!";
	struct fv_sink_file *f;
	int rc = open_member(x, &np, name, NULL, &f);
	x->sep = "!/";
	if (rc)
		return rc;
	x->run->u->files[f->rec].carved = 1;
	rc = fv_sink_write(f, data, len);
	int rc2 = fv_sink_close(f);
	return rc ? rc : rc2;
}

/*
 * The relative path from folder `from` to `to`, both normalised: ".." for
 * each of from's components below the common prefix, then the rest of to.
 */
static void relative_path(const char *from, const char *to, char *out, size_t outlen)
{
	size_t k = 0; /* length of the common prefix, on a component boundary */
	for (size_t i = 0;; i++) {
		int fe = from[i] == 0 || from[i] == '/', te = to[i] == 0 || to[i] == '/';
		if (fe && te)
			k = i;
		if (from[i] == 0 || to[i] == 0 || from[i] != to[i])
			break;
	}
	size_t len = 0;
	out[0] = 0;
	const char *up = from + k;
	if (*up == '/')
		up++;
	if (*up) {
		len += (size_t)snprintf(out + len, outlen - len, "..");
		for (const char *s = up; *s; s++)
			if (*s == '/')
				len += (size_t)snprintf(out + len, outlen - len, "/..");
	}
	const char *down = to + k;
	if (*down == '/')
		down++;
	if (*down)
		snprintf(out + len, outlen - len, "%s%s", len ? "/" : "", down);
	else if (!len)
		snprintf(out, outlen, ".");
}

int fv_sink_symlink(struct fv_xctx *x, const char *path, const char *target, const struct fv_attr *a)
{
	struct npath np;
	int rc = member_path(x, path, &np);
	if (rc)
		return rc;
	if ((rc = count_entry(x, np.buf)))
		return rc;
	char dir[FV_PATH_MAX];
	const char *leaf;
	split(np.buf, dir, sizeof dir, &leaf);

	/*
	 * Resolve the target in the container; an absolute target means the
	 * container's root, as it would on the device.  What is written is the
	 * normalised form: ".." only at the front, climbing through real
	 * folders that the sink made, so no chain of links can leave the tree.
	 */
	struct npath tp;
	int inside = target[0] && normalise(dir, target, &tp) == FV_OK && !tp.dotdot;
	struct fv_xfile *rec = new_record(x, np.buf, inside);
	if (!rec)
		return FV_ENOMEM;
	rec->type = FV_FT_SYMLINK;
	rec->mode = a ? a->mode : (S_IFLNK | 0777);
	rec->uid = a ? a->uid : 0;
	rec->gid = a ? a->gid : 0;
	rec->link = strdup(target);
	rec->size = strlen(target);
	if (!rec->link)
		return FV_ENOMEM;
	x->nwritten++;
	if (!inside) {
		char *shown = join3(x->vpath, x->sep, np.buf);
		report(x, R_SYMLINK_OUT, FV_SEV_MEDIUM, shown ? shown : x->vpath, target,
		       "symlink points outside its container; recorded, not created");
		free(shown);
		return FV_OK;
	}

	char rel[2 * FV_PATH_MAX + 4];
	relative_path(dir, tp.buf, rel, sizeof rel);

	int link = 0;
	int pfd = parent_fd(x, dir, 1, &link);
	if (pfd < 0) {
		refused(x, link, np.buf, path);
		free(rec->disk);
		rec->disk = NULL;
		return pfd;
	}
	if (symlinkat(rel, pfd, leaf) != 0) {
		struct stat st;
		if (errno == EEXIST && fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    !S_ISDIR(st.st_mode) && unlinkat(pfd, leaf, 0) == 0 && symlinkat(rel, pfd, leaf) == 0)
			return FV_OK;
		refused(x, 0, np.buf, path);
		free(rec->disk);
		rec->disk = NULL;
		return FV_EEXIST;
	}
	return FV_OK;
}

int fv_sink_hardlink(struct fv_xctx *x, const char *path, const char *target)
{
	struct npath np, tp;
	int rc = member_path(x, path, &np);
	if (rc)
		return rc;
	if (normalise(NULL, target, &tp) != FV_OK || !tp.buf[0]) {
		fv_xctx_error(x, "hard link %.100s: bad target %.100s", path, target);
		return FV_EFORMAT;
	}
	char dir[FV_PATH_MAX];
	const char *leaf;
	split(tp.buf, dir, sizeof dir, &leaf);
	int link = 0;
	int pfd = walk(x->dirfd, dir, 0, &link);
	if (pfd < 0) {
		fv_xctx_error(x, "hard link %.100s: target %.100s not extracted", path, target);
		return FV_EFORMAT;
	}
	int src = openat(pfd, leaf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	close(pfd);
	struct stat st;
	if (src < 0 || fstat(src, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (src >= 0)
			close(src);
		fv_xctx_error(x, "hard link %.100s: target %.100s is not an extracted file", path, target);
		return FV_EFORMAT;
	}
	/* Take the target's stored attributes from its record. */
	struct fv_attr a = { S_IFREG | (st.st_mode & 0777), 0, 0, 0 };
	struct fv_unpack *u = x->run->u;
	char *tdisk = join3(x->disk, x->disk[0] ? "/" : "", tp.buf);
	for (size_t i = u->nfiles; tdisk && i-- > 0;)
		if (u->files[i].disk && strcmp(u->files[i].disk, tdisk) == 0) {
			a.mode = u->files[i].mode;
			a.uid = u->files[i].uid;
			a.gid = u->files[i].gid;
			break;
		}
	free(tdisk);
	struct fv_sink_file *f;
	if ((rc = open_member(x, &np, path, &a, &f))) {
		close(src);
		return rc;
	}
	char buf[65536];
	for (;;) {
		ssize_t n = read(src, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				rc = FV_EIO;
			break;
		}
		if ((rc = fv_sink_write(f, buf, (size_t)n)))
			break;
	}
	close(src);
	int rc2 = fv_sink_close(f);
	return rc ? rc : rc2;
}

int fv_sink_special(struct fv_xctx *x, const char *path, const struct fv_attr *a, uint64_t rdev)
{
	struct npath np;
	int rc = member_path(x, path, &np);
	if (rc)
		return rc;
	if ((rc = count_entry(x, np.buf)))
		return rc;
	struct fv_xfile *rec = new_record(x, np.buf, 0);
	if (!rec)
		return FV_ENOMEM;
	uint32_t mode = a ? a->mode : S_IFCHR;
	switch (mode & S_IFMT) {
	case S_IFBLK: rec->type = FV_FT_BLOCK; break;
	case S_IFIFO: rec->type = FV_FT_FIFO; break;
	case S_IFSOCK: rec->type = FV_FT_SOCK; break;
	default: rec->type = FV_FT_CHAR; break;
	}
	rec->mode = mode;
	rec->uid = a ? a->uid : 0;
	rec->gid = a ? a->gid : 0;
	rec->rdev = rdev;
	x->nwritten++;
	return FV_OK;
}

void fv_sink_finish(struct fv_run *run)
{
	/* Deepest first, so a folder made read-only does not block its children. */
	for (size_t i = run->ndirs; i-- > 0;) {
		int fd = walk(run->rootfd, run->dirs[i].disk, 0, NULL);
		if (fd >= 0) {
			fchmod(fd, run->dirs[i].mode);
			close(fd);
		}
		free(run->dirs[i].disk);
	}
	free(run->dirs);
	run->dirs = NULL;
	run->ndirs = run->capdirs = 0;
}
