/*
 * The engine: scan, extract, carve, recurse.
 *
 * On disk, the chunks of the image go straight into the output folder
 * (0x40000.squashfs/); the chunks of an extracted member at P go into
 * P.extracted/.  Recursion is depth first, and each extracted file is mapped
 * from disk only while it is being scanned, so memory does not grow with the
 * size of the tree.
 */
#include "unpack/engine.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/map.h"
#include "core/progress.h"
#include "unpack/sink.h"
#include "unpack/xctx.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void fv_limits_default(struct fv_limits *l)
{
	l->depth = 10;
	l->total_bytes = 0; /* 0: 64 x the image size, decided in fv_unpack */
	l->files = 1000000;
	l->ratio = 2000;
}

const char *fv_xstatus_name(enum fv_xstatus s)
{
	static const char *n[] = { "ok", "partial", "failed" };
	return (unsigned)s < 3 ? n[s] : "failed";
}

const char *fv_ftype_name(enum fv_ftype t)
{
	static const char *n[] = { "file", "dir", "symlink", "char", "block", "fifo", "socket" };
	return (unsigned)t < 7 ? n[t] : "file";
}

static struct fv_xentry *add_entry(struct fv_unpack *u, const char *path, const char *format,
				   uint64_t off, uint64_t size)
{
	if (fv_grow(&u->entries, &u->capentries, u->nentries, sizeof *u->entries))
		return NULL;
	struct fv_xentry *e = &u->entries[u->nentries];
	memset(e, 0, sizeof *e);
	e->path = strdup(path);
	if (!e->path)
		return NULL;
	e->format = format;
	e->off = off;
	e->size = size;
	u->nentries++;
	return e;
}

static void set_error(struct fv_xentry *e, enum fv_xstatus st, const char *msg)
{
	e->status = st;
	free(e->error);
	e->error = msg ? strdup(msg) : NULL;
}

struct node {
	const char *vpath;     /* the file's path */
	const char *disk;      /* where it is on disk, relative to the root; NULL for the image */
	const char *name;      /* its last path component */
	unsigned depth;
};

static int process(struct fv_run *run, const struct node *n, const uint8_t *data, size_t len,
		   struct fv_progress *prog);

/* The folder that holds a file's chunks: the root for the image. */
static char *chunks_folder(const struct node *n)
{
	if (!n->disk)
		return strdup("");
	size_t l = strlen(n->disk);
	char *s = malloc(l + sizeof ".extracted");
	if (s)
		memcpy(s, n->disk, l), memcpy(s + l, ".extracted", sizeof ".extracted");
	return s;
}

static int is_pad(uint8_t b) { return b == 0x00 || b == 0xFF; }

/*
 * A gap between chunks: leading and trailing runs of one padding byte are
 * reported as padding, what lies between is carved as an unknown chunk.
 */
static int gap(struct fv_run *run, const struct node *n, const char *folder, const uint8_t *data,
	       uint64_t from, uint64_t to)
{
	char path[4096];
	uint64_t a = from, b = to;
	if (is_pad(data[a]))
		while (a < b && data[a] == data[from])
			a++;
	if (a < b && is_pad(data[b - 1]))
		while (b > a && data[b - 1] == data[to - 1])
			b--;
	if (a > from) {
		snprintf(path, sizeof path, "%s!0x%llx.padding", n->vpath, (unsigned long long)from);
		struct fv_xentry *e = add_entry(run->u, path, "padding", from, a - from);
		if (!e)
			return FV_ENOMEM;
		snprintf(e->desc, sizeof e->desc, "%llu bytes of 0x%02X", (unsigned long long)(a - from),
			 data[from]);
	}
	if (b > a) {
		char name[64];
		snprintf(name, sizeof name, "0x%llx.unknown", (unsigned long long)a);
		snprintf(path, sizeof path, "%s!%s", n->vpath, name);
		struct fv_xentry *e = add_entry(run->u, path, "unknown", a, b - a);
		if (!e)
			return FV_ENOMEM;
		snprintf(e->desc, sizeof e->desc, "%llu bytes with no recognised format",
			 (unsigned long long)(b - a));
		int fd;
		int rc = fv_sink_mkfolder(run, folder, &fd);
		if (rc == FV_OK) {
			struct fv_xctx x;
			fv_xctx_init(&x, run, fd, n->vpath, folder, n->name, b - a, n->depth + 1);
			rc = fv_sink_carve(&x, name, data + a, (size_t)(b - a));
			fv_xctx_fini(&x);
			close(fd);
			if (rc)
				set_error(e, FV_XS_FAILED, x.err[0] ? x.err : fv_strerror(rc));
		} else {
			set_error(e, FV_XS_FAILED, "cannot create the output folder");
		}
	}
	if (b < to) {
		snprintf(path, sizeof path, "%s!0x%llx.padding", n->vpath, (unsigned long long)b);
		struct fv_xentry *e = add_entry(run->u, path, "padding", b, to - b);
		if (!e)
			return FV_ENOMEM;
		snprintf(e->desc, sizeof e->desc, "%llu bytes of 0x%02X", (unsigned long long)(to - b),
			 data[to - 1]);
	}
	return FV_OK;
}

/* Scans and unpacks every regular file written from first on. */
static int recurse(struct fv_run *run, size_t first, size_t last, struct fv_progress *prog)
{
	for (size_t i = first; i < last; i++) {
		struct fv_xfile *f = &run->u->files[i];
		if (f->type != FV_FT_FILE || !f->disk || f->size == 0)
			continue;
		/* Carved unknown chunks hold no signature by construction. */
		if (f->carved)
			continue;
		struct fv_map m;
		if (fv_map_openat(run->rootfd, f->disk, &m) != FV_OK) {
			fv_log(FV_LOG_WARN, "cannot read back %s: %s", f->disk, strerror(errno));
			continue;
		}
		/* process() may grow u->files: copy what the node needs first. */
		char *vpath = strdup(f->path), *disk = strdup(f->disk);
		unsigned depth = f->depth;
		int rc = FV_ENOMEM;
		if (vpath && disk) {
			const char *slash = strrchr(disk, '/');
			struct node child = { vpath, disk, slash ? slash + 1 : disk, depth };
			rc = process(run, &child, m.data, m.size, prog);
		}
		fv_map_close(&m);
		free(vpath);
		free(disk);
		if (rc == FV_ENOMEM)
			return rc;
	}
	return FV_OK;
}

static int extract_chunk(struct fv_run *run, const struct node *n, const char *folder,
			 const uint8_t *data, const struct fv_chunk *c, struct fv_progress *prog)
{
	char cname[96], path[4096], disk[4096];
	snprintf(cname, sizeof cname, "0x%llx.%s", (unsigned long long)c->off, c->fmt->name);
	snprintf(path, sizeof path, "%s!%s", n->vpath, cname);
	snprintf(disk, sizeof disk, "%s%s%s", folder, folder[0] ? "/" : "", cname);
	struct fv_xentry *e = add_entry(run->u, path, c->fmt->name, c->off, c->size);
	if (!e)
		return FV_ENOMEM;
	memcpy(e->desc, c->desc, sizeof e->desc);
	if (c->truncated)
		set_error(e, FV_XS_PARTIAL, "chunk is truncated: it runs past the end of the file");
	if (!c->fmt->extract)
		return FV_OK;
	if (n->depth + 1 > run->lim.depth) {
		char msg[96];
		snprintf(msg, sizeof msg, "depth limit (%u) reached; not extracted", run->lim.depth);
		set_error(e, FV_XS_FAILED, msg);
		fv_findings_add(&run->u->findings, "FV-EXTR-005", "extraction", FV_SEV_LOW, FV_CONF_HIGH,
				path, 0, msg, "extraction limit reached; the chunk was not extracted");
		return FV_OK;
	}
	int fd;
	if (fv_sink_mkfolder(run, disk, &fd) != FV_OK) {
		set_error(e, FV_XS_FAILED, "cannot create the output folder (name taken?)");
		return FV_OK;
	}
	size_t first = run->u->nfiles;
	struct fv_xctx x;
	fv_xctx_init(&x, run, fd, path, disk, n->name, c->size, n->depth + 1);
	int rc = c->fmt->extract(&x, data + c->off, (size_t)c->size);
	fv_xctx_fini(&x);
	close(fd);
	/* extract() adds files, never entries, so e still points into u->entries. */
	if (rc != FV_OK) {
		char msg[320];
		snprintf(msg, sizeof msg, "%s", x.err[0] ? x.err : fv_strerror(rc));
		set_error(e, x.nwritten ? FV_XS_PARTIAL : FV_XS_FAILED, msg);
	} else if (x.err[0] && e->status == FV_XS_OK) {
		/* Recoverable damage: the extractor went on past it. */
		set_error(e, FV_XS_PARTIAL, x.err);
	}
	if (rc == FV_ENOMEM)
		return rc;
	return recurse(run, first, run->u->nfiles, prog);
}

static int process(struct fv_run *run, const struct node *n, const uint8_t *data, size_t len,
		   struct fv_progress *prog)
{
	struct fv_chunks cs;
	int rc = fv_scan(data, len, FV_SCAN_DROP, &cs);
	if (rc)
		return rc;
	if (cs.n == 0)
		return FV_OK;
	char *folder = chunks_folder(n);
	if (!folder) {
		fv_chunks_free(&cs);
		return FV_ENOMEM;
	}
	uint64_t pos = 0;
	for (size_t i = 0; i < cs.n && rc == FV_OK; i++) {
		const struct fv_chunk *c = &cs.v[i];
		if (c->off > pos)
			rc = gap(run, n, folder, data, pos, c->off);
		if (rc == FV_OK)
			rc = extract_chunk(run, n, folder, data, c, prog);
		fv_map_drop(data + c->off, (size_t)c->size);
		pos = c->off + c->size;
		if (n->depth == 0)
			fv_progress_update(prog, pos);
	}
	if (rc == FV_OK && pos < len)
		rc = gap(run, n, folder, data, pos, len);
	free(folder);
	fv_chunks_free(&cs);
	return rc;
}

/*
 * The image's hash is computed on another core while this one scans and
 * extracts.  Both read the one mapping; the pages the hash gives back
 * behind it come back from the page cache on the next touch.
 */
struct image_hash {
	const struct fv_map *m;
	char *hex;
	pthread_t th;
	int threaded;
};

static void *hash_image(void *arg)
{
	struct image_hash *ih = arg;
	fv_map_sha256(ih->m, ih->hex);
	return NULL;
}

static void start_hash(struct image_hash *ih)
{
	ih->threaded = pthread_create(&ih->th, NULL, hash_image, ih) == 0;
	if (!ih->threaded)
		hash_image(ih);
}

static void finish_hash(struct image_hash *ih)
{
	if (ih->threaded)
		pthread_join(ih->th, NULL);
	ih->threaded = 0;
}

/* An output folder must be new or empty: we never write into what is there. */
static int open_outdir(const char *outdir, char *err, size_t errlen)
{
	if (mkdir(outdir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create output folder %s: %s", outdir, strerror(errno));
		return -1;
	}
	int fd = open(outdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open output folder %s: %s", outdir, strerror(errno));
		return -1;
	}
	int dup_fd = dup(fd);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	int empty = 1;
	if (d) {
		struct dirent *de;
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				empty = 0;
		closedir(d);
	}
	if (!empty) {
		snprintf(err, errlen, "output folder %s is not empty; give a new or empty folder", outdir);
		close(fd);
		return -1;
	}
	return fd;
}

int fv_unpack(const char *image, const char *outdir, const struct fv_limits *lim,
	      struct fv_unpack *u, char *err, size_t errlen)
{
	memset(u, 0, sizeof *u);
	int rc = fv_scan_init(err, errlen);
	if (rc)
		return rc;
	struct fv_map m;
	if (fv_map_open(image, &m) != FV_OK) {
		snprintf(err, errlen, "cannot read %s: %s", image, strerror(errno));
		return FV_EIO;
	}
	u->image_path = strdup(image);
	u->image_size = m.size;
	struct image_hash ih = { .m = &m, .hex = u->image_sha256 };
	start_hash(&ih);

	struct fv_run run;
	memset(&run, 0, sizeof run);
	run.lim = *lim;
	if (run.lim.total_bytes == 0) {
		uint64_t t = m.size > UINT64_MAX / 64 ? UINT64_MAX : (uint64_t)m.size * 64;
		run.lim.total_bytes = t < (64u << 20) ? (64u << 20) : t;
	}
	run.u = u;
	run.rootfd = open_outdir(outdir, err, errlen);
	if (run.rootfd < 0) {
		finish_hash(&ih);
		fv_map_close(&m);
		return FV_EUSAGE;
	}
	const char *base = strrchr(image, '/');
	base = base ? base + 1 : image;
	struct node top = { base, NULL, base, 0 };
	struct fv_progress prog;
	fv_progress_start(&prog, "extract", m.size);
	rc = process(&run, &top, m.data, m.size, &prog);
	fv_progress_end(&prog);
	fv_sink_finish(&run);
	close(run.rootfd);
	u->bytes_written = run.bytes;
	finish_hash(&ih);
	fv_map_close(&m);
	if (rc) {
		snprintf(err, errlen, "extraction stopped: %s", fv_strerror(rc));
		return rc;
	}
	return FV_OK;
}

void fv_unpack_free(struct fv_unpack *u)
{
	for (size_t i = 0; i < u->nentries; i++) {
		free(u->entries[i].path);
		free(u->entries[i].error);
	}
	for (size_t i = 0; i < u->nfiles; i++) {
		free(u->files[i].path);
		free(u->files[i].disk);
		free(u->files[i].link);
	}
	free(u->entries);
	free(u->files);
	free(u->image_path);
	fv_findings_free(&u->findings);
	memset(u, 0, sizeof *u);
}
