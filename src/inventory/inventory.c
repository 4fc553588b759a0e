#include "inventory/inventory.h"
#include "core/buf.h"
#include "core/elfmach.h"
#include "core/err.h"
#include "core/map.h"
#include "unpack/engine.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <magic.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* libmagic reads at most this much of a file: its tests look near the start. */
#define FV_MAGIC_BYTES (256u << 10)
/* Symlink hops followed by one lookup, as the kernel's ELOOP limit does. */
#define FV_LOOKUP_HOPS 16

const char *fv_kind_name(enum fv_kind k)
{
	static const char *n[] = { "data", "empty", "elf", "script", "text", "symlink", "dir", "special" };
	return (unsigned)k < sizeof n / sizeof n[0] ? n[k] : "data";
}

/* ---- typing ---------------------------------------------------------------- */

/* Text: no NUL and few control bytes in the first 4 KiB (UTF-8 passes). */
static int looks_text(const uint8_t *p, size_t n)
{
	size_t lim = n < 4096 ? n : 4096, bad = 0;
	for (size_t i = 0; i < lim; i++) {
		uint8_t c = p[i];
		if (c == 0)
			return 0;
		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1b)
			bad++;
	}
	return bad * 100 <= lim;
}

static void classify(struct fv_file *f, const uint8_t *p, size_t n)
{
	if (n == 0) {
		f->kind = FV_KIND_EMPTY;
		return;
	}
	if (n >= 20 && !memcmp(p, "\177ELF", 4) && (p[4] == 1 || p[4] == 2) &&
	    (p[5] == 1 || p[5] == 2)) {
		f->kind = FV_KIND_ELF;
		f->elf_class = p[4] == 1 ? 32 : 64;
		f->elf_be = p[5] == 2;
		unsigned m = f->elf_be ? (unsigned)p[18] << 8 | p[19] : (unsigned)p[19] << 8 | p[18];
		const char *arch = fv_elf_arch((uint16_t)m);
		snprintf(f->arch, sizeof f->arch, "%s", arch ? arch : "unknown");
		return;
	}
	if (n >= 2 && p[0] == '#' && p[1] == '!' && looks_text(p, n)) {
		f->kind = FV_KIND_SCRIPT;
		return;
	}
	f->kind = looks_text(p, n) ? FV_KIND_TEXT : FV_KIND_OTHER;
}

struct typer {
	struct fv_inventory *inv;
	atomic_size_t next;
	int failed;
};

static void *type_worker(void *arg)
{
	struct typer *t = arg;
	struct fv_inventory *inv = t->inv;
	/* A magic_t is not thread-safe: one per thread. */
	magic_t mg = magic_open(MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF | MAGIC_ERROR);
	if (mg && magic_load(mg, NULL) != 0) {
		magic_close(mg);
		mg = NULL;
	}
	for (;;) {
		size_t i = atomic_fetch_add(&t->next, 1);
		if (i >= inv->ncontents)
			break;
		struct fv_content *c = &inv->contents[i];
		struct fv_file *f0 = &inv->files[c->files[0]];
		struct fv_map m;
		if (fv_inventory_map(inv, f0, &m) != FV_OK) {
			snprintf(f0->type, sizeof f0->type, "unreadable: %s", strerror(errno));
		} else {
			classify(f0, m.data, m.size);
			const char *d = NULL;
			if (mg && m.size)
				d = magic_buffer(mg, m.data, m.size < FV_MAGIC_BYTES ? m.size : FV_MAGIC_BYTES);
			if (f0->kind == FV_KIND_ELF && f0->type[0] == 0)
				snprintf(f0->type, sizeof f0->type, "ELF %u-bit %s %s", f0->elf_class,
					 f0->elf_be ? "MSB" : "LSB", f0->arch);
			else if (d)
				snprintf(f0->type, sizeof f0->type, "%s", d);
			else if (m.size == 0)
				snprintf(f0->type, sizeof f0->type, "empty");
			fv_map_close(&m);
		}
		for (size_t k = 1; k < c->nfiles; k++) {
			struct fv_file *f = &inv->files[c->files[k]];
			f->kind = f0->kind;
			f->elf_class = f0->elf_class;
			f->elf_be = f0->elf_be;
			memcpy(f->type, f0->type, sizeof f->type);
			memcpy(f->arch, f0->arch, sizeof f->arch);
		}
	}
	if (mg)
		magic_close(mg);
	return NULL;
}

/* ---- building ---------------------------------------------------------------- */

static int cmp_by_hash(const void *a, const void *b, void *arg)
{
	const struct fv_file *fs = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int r = strcmp(fs[i].x->sha256, fs[j].x->sha256);
	return r ? r : (i > j) - (i < j);
}

static int cmp_by_path(const void *a, const void *b, void *arg)
{
	const struct fv_file *fs = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	return strcmp(fs[i].x->path, fs[j].x->path);
}

int fv_inventory_index(const struct fv_unpack *u, const char *outdir, struct fv_inventory *inv)
{
	memset(inv, 0, sizeof *inv);
	inv->outdir = outdir;
	if (u->nfiles == 0)
		return FV_OK;
	inv->files = calloc(u->nfiles, sizeof *inv->files);
	size_t *order = malloc(u->nfiles * sizeof *order);
	inv->by_path = malloc(u->nfiles * sizeof *inv->by_path);
	if (!inv->files || !order || !inv->by_path)
		goto oom;
	inv->nfiles = u->nfiles;
	size_t nreg = 0;
	for (size_t i = 0; i < u->nfiles; i++) {
		struct fv_file *f = &inv->files[i];
		f->x = &u->files[i];
		const char *bang = strrchr(f->x->path, '!');
		f->member = bang ? bang + 1 : f->x->path;
		f->root_len = bang ? (size_t)(bang - f->x->path) : 0;
		f->content = SIZE_MAX;
		inv->by_path[i] = i;
		switch (f->x->type) {
		case FV_FT_FILE:
			if (outdir ? f->x->disk != NULL : f->x->sha256[0] != 0)
				order[nreg++] = i;
			else
				snprintf(f->type, sizeof f->type, "not extracted");
			break;
		case FV_FT_DIR: f->kind = FV_KIND_DIR; break;
		case FV_FT_SYMLINK: f->kind = FV_KIND_SYMLINK; break;
		default: f->kind = FV_KIND_SPECIAL; break;
		}
	}
	qsort_r(inv->by_path, inv->nfiles, sizeof *inv->by_path, cmp_by_path, inv->files);
	/* Group regular files by content hash; each group lists its files in extraction order. */
	qsort_r(order, nreg, sizeof *order, cmp_by_hash, inv->files);
	size_t cap = 0;
	for (size_t i = 0; i < nreg; i++) {
		struct fv_file *f = &inv->files[order[i]];
		struct fv_content *c = inv->ncontents ? &inv->contents[inv->ncontents - 1] : NULL;
		if (!c || strcmp(c->sha256, f->x->sha256) != 0) {
			if (fv_grow(&inv->contents, &cap, inv->ncontents, sizeof *inv->contents))
				goto oom;
			c = &inv->contents[inv->ncontents++];
			memset(c, 0, sizeof *c);
			memcpy(c->sha256, f->x->sha256, sizeof c->sha256);
			c->size = f->x->size;
		}
		if (fv_grow(&c->files, &c->capfiles, c->nfiles, sizeof *c->files))
			goto oom;
		c->files[c->nfiles++] = order[i];
		f->content = (size_t)(c - inv->contents);
	}
	free(order);
	/* Roots: distinct prefixes before the last '!'. */
	for (size_t i = 0; i < inv->nfiles; i++) {
		const struct fv_file *a = &inv->files[inv->by_path[i]];
		const struct fv_file *b = i ? &inv->files[inv->by_path[i - 1]] : NULL;
		if (!b || a->root_len != b->root_len || memcmp(a->x->path, b->x->path, a->root_len))
			inv->nroots++;
	}
	return FV_OK;
oom:
	free(order);
	fv_inventory_free(inv);
	return FV_ENOMEM;
}

int fv_inventory_build(const struct fv_unpack *u, const char *outdir, unsigned threads,
		       struct fv_inventory *inv, char *err, size_t errlen)
{
	if (fv_inventory_index(u, outdir, inv)) {
		snprintf(err, errlen, "out of memory for an inventory of %zu files", u->nfiles);
		return FV_ENOMEM;
	}
	struct typer t = { inv, 0, 0 };
	if (threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (unsigned)n : 1;
	}
	if (threads > 64)
		threads = 64;
	pthread_t tid[64];
	unsigned started = 0;
	for (unsigned k = 1; k < threads && (size_t)k < inv->ncontents; k++)
		if (pthread_create(&tid[started], NULL, type_worker, &t) == 0)
			started++;
	type_worker(&t);
	for (unsigned k = 0; k < started; k++)
		pthread_join(tid[k], NULL);
	return FV_OK;
}

void fv_inventory_free(struct fv_inventory *inv)
{
	for (size_t i = 0; i < inv->ncontents; i++)
		free(inv->contents[i].files);
	free(inv->contents);
	free(inv->files);
	free(inv->by_path);
	memset(inv, 0, sizeof *inv);
}

int fv_inventory_map(const struct fv_inventory *inv, const struct fv_file *f, struct fv_map *m)
{
	if (!f->x->disk || f->x->type != FV_FT_FILE) {
		errno = ENOENT;
		return FV_EIO;
	}
	int dfd = open(inv->outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return FV_EIO;
	int rc = fv_map_openat(dfd, f->x->disk, m);
	int e = errno;
	close(dfd);
	errno = e;
	return rc;
}

/* ---- lookup ---------------------------------------------------------------- */

const struct fv_file *fv_inventory_find(const struct fv_inventory *inv, const char *path)
{
	size_t lo = 0, hi = inv->nfiles;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(inv->files[inv->by_path[mid]].x->path, path);
		if (r == 0)
			return &inv->files[inv->by_path[mid]];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Resolves member inside the root (a prefix "fw.bin!0x50000.squashfs"),
 * component by component, so that a symlinked folder (/etc -> /tmp/etc)
 * is followed like the kernel would.  buf holds "root!/resolved/so/far".
 */
static const struct fv_file *resolve(const struct fv_inventory *inv, const char *root,
				     size_t root_len, const char *member)
{
	char buf[4096], rest[4096];
	int hops = 0;
	if (root_len + 2 >= sizeof buf || strlen(member) >= sizeof rest)
		return NULL;
	memcpy(buf, root, root_len);
	buf[root_len] = '!';
	size_t base = root_len + 1, len = base;
	buf[len] = 0;
	snprintf(rest, sizeof rest, "%s", member);
	const struct fv_file *f = NULL;
	char *p = rest;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n == 1 && p[0] == '.') {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (len > base && buf[len - 1] != '/')
				len--;
			if (len > base)
				len--;
			buf[len] = 0;
			p += n;
			continue;
		}
		if (len + 1 + n >= sizeof buf)
			return NULL;
		buf[len++] = '/';
		memcpy(buf + len, p, n);
		len += n;
		buf[len] = 0;
		p += n;
		f = fv_inventory_find(inv, buf);
		if (!f)
			return NULL;
		if (f->x->type == FV_FT_SYMLINK && f->x->link) {
			if (++hops > FV_LOOKUP_HOPS)
				return NULL;
			/* Splice the target in front of what is left. */
			char tmp[4096];
			int w = snprintf(tmp, sizeof tmp, "%s/%s", f->x->link, p);
			if (w < 0 || (size_t)w >= sizeof tmp)
				return NULL;
			memcpy(rest, tmp, (size_t)w + 1);
			p = rest;
			if (f->x->link[0] == '/') {
				len = base;
			} else {
				while (len > base && buf[len - 1] != '/')
					len--;
				if (len > base)
					len--;
			}
			buf[len] = 0;
			f = NULL;
		}
	}
	return f && f->x->type == FV_FT_FILE ? f : NULL;
}

const struct fv_file *fv_inventory_lookup(const struct fv_inventory *inv,
					  const struct fv_file *near, const char *member)
{
	if (!inv->nfiles || !member)
		return NULL;
	return resolve(inv, near->x->path, near->root_len, member);
}

/* ---- a folder tree as the unpacker's file list ---------------------------------- */

static struct fv_unpack *walk_u;
static size_t walk_skip;
static const char *walk_label;
static int walk_rc;

static int walk_one(const char *fpath, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (strlen(fpath) <= walk_skip)
		return 0; /* the folder itself */
	const char *rel = fpath + walk_skip;
	struct fv_unpack *u = walk_u;
	if (fv_grow(&u->files, &u->capfiles, u->nfiles, sizeof *u->files)) {
		walk_rc = FV_ENOMEM;
		return 1;
	}
	struct fv_xfile *f = &u->files[u->nfiles];
	memset(f, 0, sizeof *f);
	size_t n = strlen(walk_label) + strlen(rel) + 3;
	f->path = malloc(n);
	if (!f->path) {
		walk_rc = FV_ENOMEM;
		return 1;
	}
	snprintf(f->path, n, "%s!/%s", walk_label, rel);
	f->mode = st->st_mode;
	f->uid = st->st_uid;
	f->gid = st->st_gid;
	f->depth = 1;
	if (flag == FTW_SL) {
		char t[4096];
		ssize_t k = readlink(fpath, t, sizeof t - 1);
		t[k > 0 ? k : 0] = 0;
		f->type = FV_FT_SYMLINK;
		f->link = strdup(t);
	} else if (S_ISDIR(st->st_mode)) {
		f->type = FV_FT_DIR;
	} else if (S_ISREG(st->st_mode)) {
		struct fv_map m;
		f->type = FV_FT_FILE;
		f->size = (uint64_t)st->st_size;
		if (fv_map_open(fpath, &m) == FV_OK) {
			fv_map_sha256(&m, f->sha256);
			fv_map_close(&m);
			f->disk = strdup(rel);
		}
	} else {
		f->type = S_ISCHR(st->st_mode)	? FV_FT_CHAR
			  : S_ISBLK(st->st_mode) ? FV_FT_BLOCK
			  : S_ISFIFO(st->st_mode) ? FV_FT_FIFO
						  : FV_FT_SOCK;
		f->rdev = st->st_rdev;
	}
	u->nfiles++;
	return 0;
}

int fv_inventory_walk(const char *dir, struct fv_unpack *u, char *err, size_t errlen)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	memset(u, 0, sizeof *u);
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: expected a folder: %s", dir, strerror(errno ? errno : ENOTDIR));
		return FV_EIO;
	}
	u->image_path = strdup(dir);
	if (!u->image_path)
		return FV_ENOMEM;
	/* The label is the folder's last component, as an image's is its file name. */
	size_t dl = strlen(dir);
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	const char *lab = dir + dl;
	while (lab > dir && lab[-1] != '/')
		lab--;
	char label[256];
	snprintf(label, sizeof label, "%.*s", (int)(dir + dl - lab), lab);
	pthread_mutex_lock(&lock); /* nftw has no user argument */
	walk_u = u;
	walk_skip = dl + 1;
	walk_label = label;
	walk_rc = FV_OK;
	char root[4096];
	snprintf(root, sizeof root, "%.*s", (int)dl, dir);
	int r = nftw(root, walk_one, 64, FTW_PHYS);
	int rc = walk_rc;
	pthread_mutex_unlock(&lock);
	if (r != 0 && rc == FV_OK) {
		snprintf(err, errlen, "%s: cannot walk the folder: %s", dir, strerror(errno));
		rc = FV_EIO;
	}
	return rc;
}
