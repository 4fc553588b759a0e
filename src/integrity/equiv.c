/*
 * Binary equivalence of two images, file by file.
 */
#include "integrity/equiv.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/map.h"
#include "integrity/elfcmp.h"
#include "inventory/inventory.h"
#include "unpack/engine.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

const char *fv_verdict_name(enum fv_verdict v)
{
	static const char *const names[] = { "identical", "equivalent", "different" };
	return names[v];
}

/* Text normalisations: the only ones that look inside bytes of data. */
#define FV_NORM_TEXT (FV_NORM_TIMESTAMP | FV_NORM_BUILD_PATH)

struct ctx {
	const struct fv_side *a, *b;
	const struct fv_pair *pairs;
	size_t npairs;
	unsigned allowed;
	size_t *file_of_pair; /* index into fv_equiv.files, SIZE_MAX for a file on one side only */
	struct fv_equiv_file *files;
};

/*
 * What waves a chunk's own bytes through when every file in it is compared:
 * by what kind of container it is.
 */
static unsigned chunk_norm(const char *format)
{
	static const char *const archives[] = { "tar", "cpio", "zip", "ar", "7z", "arj", NULL };
	static const char *const filesystems[] = { "squashfs", "jffs2", "ubi", "ubifs", "cramfs", "romfs",
						   "ext", "fat", "yaffs2", "iso9660", NULL };
	static const char *const streams[] = { "xz", "lzma", "bzip2", "zstd", "lz4", "lzop", "zlib", NULL };
	for (size_t i = 0; archives[i]; i++)
		if (!strcmp(format, archives[i]))
			return FV_NORM_ARCHIVE;
	for (size_t i = 0; filesystems[i]; i++)
		if (!strcmp(format, filesystems[i]))
			return FV_NORM_FS_META;
	for (size_t i = 0; streams[i]; i++)
		if (!strcmp(format, streams[i]))
			return FV_NORM_COMPRESSION;
	return FV_NORM_CONTAINER;
}

/* The first pair whose key is >= key (pairs are in key order). */
static size_t lower_bound(const struct ctx *x, const char *key)
{
	size_t lo = 0, hi = x->npairs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(x->pairs[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether any file, on either side, lies inside the chunk whose key is key. */
static int has_files(const struct ctx *x, const char *key)
{
	size_t n = strlen(key);
	size_t i = lower_bound(x, key);
	for (; i < x->npairs && !strncmp(x->pairs[i].key, key, n); i++)
		if (x->pairs[i].key[n] == '!')
			return 1;
	return 0;
}

static enum fv_verdict judge(const struct fv_cmp *c)
{
	return c->ndiffs ? FV_VERDICT_DIFFERENT : c->applied ? FV_VERDICT_EQUIVALENT : FV_VERDICT_IDENTICAL;
}

/* Whether every file inside the chunk keyed key is on both sides and identical (compared already). */
static int members_identical(const struct ctx *x, const char *key)
{
	size_t n = strlen(key);
	for (size_t i = lower_bound(x, key); i < x->npairs && !strncmp(x->pairs[i].key, key, n); i++) {
		if (x->pairs[i].key[n] != '!')
			continue;
		size_t m = x->file_of_pair[i];
		if (m == SIZE_MAX || judge(&x->files[m].cmp) != FV_VERDICT_IDENTICAL)
			return 0;
	}
	return 1;
}

static int is_padding(const uint8_t *p, size_t n, uint8_t *byte)
{
	if (n == 0)
		return 1;
	if (p[0] != 0 && p[0] != 0xff)
		return 0;
	for (size_t i = 1; i < n; i++)
		if (p[i] != p[0])
			return 0;
	*byte = p[0];
	return 1;
}

/* Bytes between chunks: equal, or padding of one byte on both sides, or explained text. */
static int cmp_gap(const struct ctx *x, struct fv_cmp *c, const uint8_t *pa, size_t la, const uint8_t *pb,
		   size_t lb, uint64_t off)
{
	uint8_t fa = 0, fb = 0;
	if (la == lb && (la == 0 || !memcmp(pa, pb, la)))
		return FV_OK;
	if (is_padding(pa, la, &fa) && is_padding(pb, lb, &fb) && (la == 0 || lb == 0 || fa == fb))
		return FV_OK;
	if (la == lb)
		return fv_cmp_bytes(c, pa, pb, la, off, x->allowed & FV_NORM_TEXT, "bytes outside chunks", NULL);
	return fv_cmp_add(c, off, la, "bytes outside chunks: %zu -> %zu bytes", la, lb) ? FV_OK : FV_ENOMEM;
}

/* Copies what an ELF comparison of an embedded chunk found into c, each named after the chunk. */
static int add_elf(struct fv_cmp *c, const struct fv_cmp *e, const char *chunk, uint64_t base)
{
	c->applied |= e->applied;
	for (size_t i = 0; i < e->ndiffs; i++) {
		const struct fv_difference *d = &e->diffs[i];
		struct fv_difference *n = fv_cmp_add(c, base + d->offset, d->size, "%s: %s", chunk, d->what);
		if (!n)
			return FV_ENOMEM;
		memcpy(n->was, d->was, sizeof n->was);
		memcpy(n->now, d->now, sizeof n->now);
		for (size_t k = 0; k < d->nfunctions; k++)
			if (fv_difference_function(n, d->functions[k]))
				return FV_ENOMEM;
	}
	return FV_OK;
}

/* One chunk's own bytes. */
static int cmp_chunk(const struct ctx *x, struct fv_cmp *c, const struct fv_xentry *ea, const uint8_t *da,
		     size_t na, const struct fv_xentry *eb, const uint8_t *db, size_t nb)
{
	size_t la = ea->off < na ? (size_t)(na - ea->off < ea->size ? na - ea->off : ea->size) : 0;
	size_t lb = eb->off < nb ? (size_t)(nb - eb->off < eb->size ? nb - eb->off : eb->size) : 0;
	const uint8_t *pa = da + (ea->off < na ? ea->off : 0), *pb = db + (eb->off < nb ? eb->off : 0);
	char name[96];
	snprintf(name, sizeof name, "chunk %s at 0x%" PRIx64, ea->format, ea->off);
	if (la == lb && !memcmp(pa, pb, la))
		return FV_OK;
	if (ea->status != eb->status)
		return fv_cmp_add(c, ea->off, la, "%s: %s -> %s", name, fv_xstatus_name(ea->status),
				  fv_xstatus_name(eb->status)) ? FV_OK : FV_ENOMEM;
	char *key = fv_side_key(x->a, ea->path);
	if (!key)
		return FV_ENOMEM;
	int files = has_files(x, key);
	free(key);
	if (!files) {
		/* Nothing in it is compared elsewhere: its bytes are all there is. */
		if (!strcmp(ea->format, "elf")) {
			struct fv_cmp e = { 0 };
			char err[256];
			int rc = fv_elfcmp_equiv(pa, la, pb, lb, x->allowed, &e, err, sizeof err);
			if (rc == FV_OK)
				rc = add_elf(c, &e, name, ea->off);
			fv_cmp_free(&e);
			if (rc != FV_EFORMAT)
				return rc;
		}
		if (la == lb)
			return fv_cmp_bytes(c, pa, pb, la, ea->off, x->allowed & FV_NORM_TEXT, name, NULL);
		return fv_cmp_add(c, ea->off, la, "%s: %zu -> %zu bytes", name, la, lb) ? FV_OK : FV_ENOMEM;
	}
	unsigned norm = chunk_norm(ea->format);
	/*
	 * A compressed stream differs because its output does (a member that is
	 * only equivalent), which is judged there, or because it was encoded
	 * otherwise, which only identical output shows.  gzip's own header (time,
	 * flags, OS) is told apart from its stream.
	 */
	if (norm == FV_NORM_COMPRESSION || !strcmp(ea->format, "gzip")) {
		int head = !strcmp(ea->format, "gzip") && la >= 10 && lb >= 10 && memcmp(pa, pb, 10);
		int body = head ? la != lb || memcmp(pa + 10, pb + 10, la - 10) : 1;
		if (!(key = fv_side_key(x->a, ea->path)))
			return FV_ENOMEM;
		if (body && !members_identical(x, key))
			body = 0;
		free(key);
		norm = (head ? FV_NORM_GZIP_HEADER : 0) | (body ? FV_NORM_COMPRESSION : 0);
		if (!norm)
			return FV_OK;
	}
	if ((x->allowed & norm) == norm) {
		c->applied |= norm;
		return FV_OK;
	}
	return fv_cmp_add(c, ea->off, la, "%s (%s not applied)", name,
			  fv_norm_name((enum fv_norm)(norm & ~x->allowed & -(norm & ~x->allowed))))
		       ? FV_OK
		       : FV_ENOMEM;
}

/*
 * A container (the image, or a file that holds chunks): the same chunks in
 * the same places, the bytes between them equal, each chunk judged by
 * cmp_chunk.
 */
static int cmp_container(const struct ctx *x, struct fv_cmp *c, const char *pa_path, const uint8_t *da,
			 size_t na, const char *pb_path, const uint8_t *db, size_t nb)
{
	size_t ca, cb;
	const struct fv_xentry **va = fv_side_chunks(x->a, pa_path, &ca);
	const struct fv_xentry **vb = fv_side_chunks(x->b, pb_path, &cb);
	int rc = FV_OK;
	if ((ca && !va) || (cb && !vb)) {
		rc = FV_ENOMEM;
		goto out;
	}
	int same = ca == cb;
	for (size_t i = 0; same && i < ca; i++)
		same = !strcmp(va[i]->format, vb[i]->format);
	if (!same) {
		char la[256] = "", lb[256] = "";
		for (size_t i = 0, k = 0; i < ca && k < sizeof la; i++)
			k += (size_t)snprintf(la + k, sizeof la - k, "%s%s@0x%" PRIx64, i ? " " : "", va[i]->format,
					      va[i]->off);
		for (size_t i = 0, k = 0; i < cb && k < sizeof lb; i++)
			k += (size_t)snprintf(lb + k, sizeof lb - k, "%s%s@0x%" PRIx64, i ? " " : "", vb[i]->format,
					      vb[i]->off);
		if (!fv_cmp_add(c, 0, na, "chunks: %s -> %s", ca ? la : "none", cb ? lb : "none"))
			rc = FV_ENOMEM;
		goto out;
	}
	uint64_t ea_end = 0, eb_end = 0;
	for (size_t i = 0; i <= ca && rc == FV_OK; i++) {
		uint64_t oa = i < ca ? va[i]->off : na, ob = i < ca ? vb[i]->off : nb;
		if (i < ca && oa != ob && !fv_cmp_add(c, oa, 0, "chunk %s moved: 0x%" PRIx64 " -> 0x%" PRIx64,
						      va[i]->format, oa, ob)) {
			rc = FV_ENOMEM;
			break;
		}
		/* Nested chunks may overlap (identify lists them; extract does not): gaps never run backwards. */
		if ((oa > ea_end || ob > eb_end) && oa >= ea_end && oa <= na && ob >= eb_end && ob <= nb)
			rc = cmp_gap(x, c, da + ea_end, (size_t)(oa - ea_end), db + eb_end, (size_t)(ob - eb_end),
				     ea_end);
		if (i == ca || rc)
			break;
		rc = cmp_chunk(x, c, va[i], da, na, vb[i], db, nb);
		uint64_t enda = va[i]->off + va[i]->size, endb = vb[i]->off + vb[i]->size;
		ea_end = enda > ea_end ? (enda < na ? enda : na) : ea_end;
		eb_end = endb > eb_end ? (endb < nb ? endb : nb) : eb_end;
	}
out:
	free(va);
	free(vb);
	return rc;
}

static int map_file(const struct fv_side *s, size_t i, struct fv_map *m)
{
	return fv_inventory_map(s->inv, &s->inv->files[i], m);
}

/* Regular files whose bytes differ. */
static int cmp_content(const struct ctx *x, struct fv_equiv_file *ef, size_t ia, size_t ib)
{
	const struct fv_file *fa = &x->a->inv->files[ia], *fb = &x->b->inv->files[ib];
	struct fv_map ma = { 0 }, mb = { 0 };
	int rc = map_file(x->a, ia, &ma);
	if (rc == FV_OK && (rc = map_file(x->b, ib, &mb)) != FV_OK)
		fv_map_close(&ma);
	if (rc != FV_OK)
		return fv_cmp_add(&ef->cmp, 0, 0, "unreadable: %s", fv_strerror(rc)) ? FV_OK : FV_ENOMEM;
	size_t nch;
	const struct fv_xentry **ch = fv_side_chunks(x->a, fa->x->path, &nch);
	free(ch);
	if (fa->kind == FV_KIND_ELF && fb->kind == FV_KIND_ELF) {
		char err[256];
		rc = fv_elfcmp_equiv(ma.data, ma.size, mb.data, mb.size, x->allowed, &ef->cmp, err, sizeof err);
		if (rc == FV_EFORMAT)
			rc = fv_cmp_add(&ef->cmp, 0, ma.size, "ELF: %s", err) ? FV_OK : FV_ENOMEM;
	} else if (nch) {
		rc = cmp_container(x, &ef->cmp, fa->x->path, ma.data, ma.size, fb->x->path, mb.data, mb.size);
	} else if (ma.size == mb.size) {
		rc = fv_cmp_bytes(&ef->cmp, ma.data, mb.data, ma.size, 0, x->allowed & FV_NORM_TEXT, "content",
				  NULL);
	} else {
		size_t n = ma.size < mb.size ? ma.size : mb.size, i = 0;
		while (i < n && ma.data[i] == mb.data[i])
			i++;
		rc = fv_cmp_add(&ef->cmp, i, ma.size - i, "content: %zu -> %zu bytes", ma.size, mb.size) ? FV_OK
													 : FV_ENOMEM;
	}
	fv_map_close(&ma);
	fv_map_close(&mb);
	return rc;
}

static int cmp_pair(const struct ctx *x, struct fv_equiv_file *ef, size_t ia, size_t ib)
{
	const struct fv_xfile *a = x->a->inv->files[ia].x, *b = x->b->inv->files[ib].x;
	if (a->type != b->type)
		return fv_cmp_add(&ef->cmp, 0, 0, "type: %s -> %s", fv_ftype_name(a->type), fv_ftype_name(b->type))
			       ? FV_OK
			       : FV_ENOMEM;
	/* Folders made by the unpacker for a chunk carry no mode of their own on either side. */
	if ((a->mode & 07777) != (b->mode & 07777) &&
	    !fv_cmp_add(&ef->cmp, 0, 0, "mode: %04o -> %04o", a->mode & 07777, b->mode & 07777))
		return FV_ENOMEM;
	if ((a->uid != b->uid || a->gid != b->gid) &&
	    !fv_cmp_add(&ef->cmp, 0, 0, "owner: %u:%u -> %u:%u", a->uid, a->gid, b->uid, b->gid))
		return FV_ENOMEM;
	if (a->type == FV_FT_SYMLINK && strcmp(a->link ? a->link : "", b->link ? b->link : "") &&
	    !fv_cmp_add(&ef->cmp, 0, 0, "link: %s -> %s", a->link ? a->link : "", b->link ? b->link : ""))
		return FV_ENOMEM;
	if ((a->type == FV_FT_CHAR || a->type == FV_FT_BLOCK) && a->rdev != b->rdev &&
	    !fv_cmp_add(&ef->cmp, 0, 0, "device: 0x%" PRIx64 " -> 0x%" PRIx64, a->rdev, b->rdev))
		return FV_ENOMEM;
	if (a->type == FV_FT_FILE && strcmp(a->sha256, b->sha256))
		return cmp_content(x, ef, ia, ib);
	return FV_OK;
}

/* Most members named in one container's differences; the rest are counted in one entry. */
#define FV_MEMBERS_NAMED 8

/* A file that differs, or is on one side only, makes every file that contains it differ. */
static int mark_containers(const struct ctx *x, struct fv_equiv *e, const char *key)
{
	size_t n = strlen(key);
	char *prefix = malloc(n + 1);
	if (!prefix)
		return FV_ENOMEM;
	for (size_t k = n; k-- > 0;) {
		if (key[k] != '!')
			continue;
		memcpy(prefix, key, k);
		prefix[k] = 0;
		size_t i = lower_bound(x, prefix);
		if (i == x->npairs || strcmp(x->pairs[i].key, prefix) || x->pairs[i].a == SIZE_MAX ||
		    x->pairs[i].b == SIZE_MAX || x->file_of_pair[i] == SIZE_MAX)
			continue;
		struct fv_equiv_file *f = &e->files[x->file_of_pair[i]];
		f->members++;
		struct fv_difference *d = NULL;
		if (f->members <= FV_MEMBERS_NAMED) {
			d = fv_cmp_add(&f->cmp, 0, 0, "member %s", key + k + 1);
		} else {
			for (size_t m = 0; m < f->cmp.ndiffs && !d; m++)
				if (!strncmp(f->cmp.diffs[m].what, "members: ", 9))
					d = &f->cmp.diffs[m];
			if (!d)
				d = fv_cmp_add(&f->cmp, 0, 0, "members: ");
			if (d)
				snprintf(d->what, sizeof d->what, "members: %u more", f->members - FV_MEMBERS_NAMED);
		}
		if (!d) {
			free(prefix);
			return FV_ENOMEM;
		}
		break; /* the container, in turn, marks its own */
	}
	free(prefix);
	return FV_OK;
}

static int lone(const struct fv_side *s)
{
	return s->u->nfiles == 1 && !strchr(s->u->files[0].path, '!');
}

static int add_path(const char ***v, size_t *n, const char *p)
{
	const char **m = realloc(*v, (*n + 1) * sizeof *m);
	if (!m)
		return FV_ENOMEM;
	m[(*n)++] = p;
	*v = m;
	return FV_OK;
}

int fv_equiv_compute(const struct fv_side *a, const struct fv_side *b, const struct fv_map *ima,
		     const struct fv_map *imb, unsigned allowed, struct fv_equiv *out)
{
	memset(out, 0, sizeof *out);
	out->allowed = allowed;
	struct fv_pair *pairs;
	size_t np;
	int rc = fv_pair_files(a, b, &pairs, &np);
	if (rc)
		return rc;
	struct ctx x = { a, b, pairs, np, allowed, malloc((np + 1) * sizeof(size_t)), NULL };
	if (!x.file_of_pair || (np && !(out->files = calloc(np, sizeof *out->files)))) {
		free(x.file_of_pair);
		free(pairs);
		return FV_ENOMEM;
	}
	x.files = out->files;
	for (size_t i = 0; i < np && rc == FV_OK; i++) {
		const struct fv_pair *p = &pairs[i];
		x.file_of_pair[i] = p->a == SIZE_MAX || p->b == SIZE_MAX ? SIZE_MAX : out->nfiles;
		if (p->b == SIZE_MAX) {
			rc = add_path(&out->missing, &out->nmissing, a->inv->files[p->a].x->path);
		} else if (p->a == SIZE_MAX) {
			rc = add_path(&out->extra, &out->nextra, b->inv->files[p->b].x->path);
		} else {
			struct fv_equiv_file *f = &out->files[out->nfiles++];
			f->key = p->key;
			f->path_a = a->inv->files[p->a].x->path;
			f->path_b = b->inv->files[p->b].x->path;
		}
	}
	/*
	 * Members before their containers (a member's key extends its
	 * container's, so it sorts after it): a container's chunks are judged
	 * knowing whether their members are identical, and a member that
	 * differs marks the container that holds it before that one is done.
	 */
	for (size_t i = np; i-- > 0 && rc == FV_OK;) {
		size_t m = x.file_of_pair[i];
		if (m != SIZE_MAX)
			rc = cmp_pair(&x, &out->files[m], pairs[i].a, pairs[i].b);
		if (rc == FV_OK && (m == SIZE_MAX || out->files[m].cmp.ndiffs))
			rc = mark_containers(&x, out, pairs[i].key);
	}
	/* A lone file (an image that holds no container) is itself the one file compared above. */
	if (rc == FV_OK && ima && imb && !lone(a) && !lone(b)) {
		size_t la, lb;
		const char *pa = fv_side_label(a, &la), *pb = fv_side_label(b, &lb);
		char *na = strndup(pa, la), *nb = strndup(pb, lb);
		if (!na || !nb)
			rc = FV_ENOMEM;
		else if (ima->size != imb->size || memcmp(ima->data, imb->data, ima->size))
			rc = cmp_container(&x, &out->image, na, ima->data, ima->size, nb, imb->data, imb->size);
		free(na);
		free(nb);
	}
	for (size_t i = 0; i < out->nfiles; i++) {
		out->files[i].verdict = judge(&out->files[i].cmp);
		out->counts[out->files[i].verdict]++;
		out->applied |= out->files[i].cmp.applied;
	}
	out->applied |= out->image.applied;
	out->verdict = out->counts[FV_VERDICT_DIFFERENT] || out->nmissing || out->nextra || out->image.ndiffs
			       ? FV_VERDICT_DIFFERENT
		       : out->applied ? FV_VERDICT_EQUIVALENT
				      : FV_VERDICT_IDENTICAL;
	/* The keys point into the sides; the pairs themselves are no longer needed. */
	free(x.file_of_pair);
	free(pairs);
	return rc;
}

void fv_equiv_free(struct fv_equiv *e)
{
	for (size_t i = 0; i < e->nfiles; i++)
		fv_cmp_free(&e->files[i].cmp);
	free(e->files);
	free(e->missing);
	free(e->extra);
	fv_cmp_free(&e->image);
	memset(e, 0, sizeof *e);
}

/* ---- output ---- */

static void json_norms(struct fv_json *j, unsigned bits)
{
	fv_json_arr_begin(j);
	for (unsigned b = 1; b & FV_NORM_ALL; b <<= 1)
		if (bits & b)
			fv_json_str(j, fv_norm_name((enum fv_norm)b));
	fv_json_arr_end(j);
}

static void json_diffs(struct fv_json *j, const struct fv_cmp *c)
{
	fv_json_arr_begin(j);
	for (size_t i = 0; i < c->ndiffs; i++) {
		const struct fv_difference *d = &c->diffs[i];
		fv_json_obj_begin(j);
		fv_json_kstr(j, "what", d->what);
		fv_json_kuint(j, "offset", d->offset);
		fv_json_kuint(j, "size", d->size);
		fv_json_key(j, "functions");
		fv_json_arr_begin(j);
		for (size_t k = 0; k < d->nfunctions; k++)
			fv_json_str(j, d->functions[k]);
		fv_json_arr_end(j);
		if (d->was[0] || d->now[0]) {
			fv_json_kstr(j, "shipped", d->was);
			fv_json_kstr(j, "rebuilt", d->now);
		}
		fv_json_obj_end(j);
	}
	fv_json_arr_end(j);
}

static void json_paths(struct fv_json *j, const char *key, const char **v, size_t n)
{
	fv_json_key(j, key);
	fv_json_arr_begin(j);
	for (size_t i = 0; i < n; i++)
		fv_json_str(j, v[i]);
	fv_json_arr_end(j);
}

void fv_equiv_json(struct fv_json *j, const struct fv_equiv *e)
{
	fv_json_kstr(j, "verdict", fv_verdict_name(e->verdict));
	fv_json_key(j, "normalisations");
	json_norms(j, e->applied);
	fv_json_key(j, "normalisations_refused");
	json_norms(j, FV_NORM_ALL & ~e->allowed);
	fv_json_key(j, "summary");
	fv_json_obj_begin(j);
	for (int v = 0; v < 3; v++)
		fv_json_kuint(j, fv_verdict_name((enum fv_verdict)v), e->counts[v]);
	fv_json_kuint(j, "missing", e->nmissing);
	fv_json_kuint(j, "extra", e->nextra);
	fv_json_obj_end(j);
	fv_json_key(j, "image");
	fv_json_obj_begin(j);
	fv_json_key(j, "normalisations");
	json_norms(j, e->image.applied);
	fv_json_key(j, "differences");
	json_diffs(j, &e->image);
	fv_json_obj_end(j);
	fv_json_key(j, "files");
	fv_json_arr_begin(j);
	for (size_t i = 0; i < e->nfiles; i++) {
		const struct fv_equiv_file *f = &e->files[i];
		fv_json_obj_begin(j);
		fv_json_kstr(j, "path", f->path_a);
		fv_json_kstr(j, "rebuilt_path", f->path_b);
		fv_json_kstr(j, "key", f->key);
		fv_json_kstr(j, "verdict", fv_verdict_name(f->verdict));
		fv_json_key(j, "normalisations");
		json_norms(j, f->cmp.applied);
		fv_json_key(j, "differences");
		json_diffs(j, &f->cmp);
		fv_json_obj_end(j);
	}
	fv_json_arr_end(j);
	json_paths(j, "missing", e->missing, e->nmissing);
	json_paths(j, "extra", e->extra, e->nextra);
}

static void text_norms(FILE *f, unsigned bits)
{
	int first = 1;
	for (unsigned b = 1; b & FV_NORM_ALL; b <<= 1)
		if (bits & b) {
			fprintf(f, "%s%s", first ? "" : ", ", fv_norm_name((enum fv_norm)b));
			first = 0;
		}
}

static void text_diffs(FILE *f, const struct fv_cmp *c)
{
	for (size_t i = 0; i < c->ndiffs; i++) {
		const struct fv_difference *d = &c->diffs[i];
		fprintf(f, "      %s", d->what);
		if (d->size)
			fprintf(f, ", bytes 0x%" PRIx64 "..0x%" PRIx64, d->offset, d->offset + d->size);
		for (size_t k = 0; k < d->nfunctions; k++)
			fprintf(f, "%s%s", k ? ", " : ", in ", d->functions[k]);
		if (d->was[0] || d->now[0])
			fprintf(f, ": %s -> %s", d->was, d->now);
		fputc('\n', f);
	}
}

void fv_equiv_text(FILE *f, const struct fv_equiv *e, int verbose)
{
	static const char *const upper[] = { "IDENTICAL", "EQUIVALENT", "DIFFERENT" };
	fprintf(f, "  verdict   %s: %zu files identical, %zu equivalent, %zu different; %zu missing, %zu extra\n",
		upper[e->verdict], e->counts[0], e->counts[1], e->counts[2], e->nmissing, e->nextra);
	if (e->applied) {
		fprintf(f, "\nNormalisations applied (--no-normalise NAME refuses one, --strict all):\n");
		for (unsigned b = 1; b & FV_NORM_ALL; b <<= 1) {
			if (!(e->applied & b))
				continue;
			size_t n = 0;
			for (size_t i = 0; i < e->nfiles; i++)
				n += (e->files[i].cmp.applied & b) != 0;
			fprintf(f, "  %-17s %zu file%s%s  %s\n", fv_norm_name((enum fv_norm)b), n, n == 1 ? "" : "s",
				e->image.applied & b ? " + image" : "", fv_norm_doc((enum fv_norm)b));
		}
	}
	if (e->image.ndiffs) {
		fprintf(f, "\nThe images' own bytes differ:\n");
		text_diffs(f, &e->image);
	}
	for (int v = FV_VERDICT_DIFFERENT; v >= FV_VERDICT_EQUIVALENT - (verbose != 0); v--) {
		if (!e->counts[v])
			continue;
		fprintf(f, "\n%s files:\n", v == FV_VERDICT_DIFFERENT ? "Different" : v ? "Equivalent" : "Identical");
		for (size_t i = 0; i < e->nfiles; i++) {
			const struct fv_equiv_file *x = &e->files[i];
			if ((int)x->verdict != v)
				continue;
			fprintf(f, "  %s", x->path_a);
			if (x->cmp.applied) {
				fputs("  (", f);
				text_norms(f, x->cmp.applied);
				fputc(')', f);
			}
			fputc('\n', f);
			text_diffs(f, &x->cmp);
		}
	}
	if (e->nmissing) {
		fprintf(f, "\nOnly in SHIPPED (%zu):\n", e->nmissing);
		for (size_t i = 0; i < e->nmissing; i++)
			fprintf(f, "  %s\n", e->missing[i]);
	}
	if (e->nextra) {
		fprintf(f, "\nOnly in REBUILT (%zu):\n", e->nextra);
		for (size_t i = 0; i < e->nextra; i++)
			fprintf(f, "  %s\n", e->extra[i]);
	}
}
