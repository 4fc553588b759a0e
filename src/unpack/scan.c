/*
 * Signature scanning: one vectorscan database holds the magic patterns of
 * every format, and each file is scanned once.
 *
 * A file is scanned in windows so that memory stays bounded however many
 * hits a hostile file produces.  A window owns the chunk starts in
 * [w, w + FV_WINDOW); the scanned range reaches `span` bytes further, so a
 * magic that sits far into its chunk (ISO 9660 at 0x8001) is still seen by
 * the window that owns the chunk's start.  Candidates are sorted by start and
 * probed in that order; the engine's one-pass rule follows: a candidate that
 * starts inside an accepted chunk belongs to that chunk and is never a
 * top-level chunk of its own.
 */
#include "unpack/engine.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/hash.h"
#include "core/map.h"
#include "core/progress.h"

#include <hs/hs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FV_WINDOW ((size_t)16 << 20)
#define FV_NESTED_MAX 4096

struct pattern {
	unsigned fmt; /* index into fv_formats */
	uint32_t back; /* match end minus chunk start: magic len + off */
};

static hs_database_t *g_db;
static struct pattern *g_pat;
static size_t g_span; /* largest `back` of any pattern */
static char g_err[256];
static int g_rc = 1;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static _Thread_local hs_scratch_t *t_scratch;

/*
 * The database compiled at build time (sigdb.c, made by sigdb_gen.c) is
 * linked into the fwvet program; tests and tools without it compile at run
 * time.  The key ties it to the exact patterns and vectorscan version, so a
 * stale or foreign database is never used.
 */
extern const unsigned char fv_sigdb[] __attribute__((weak));
extern const size_t fv_sigdb_size __attribute__((weak));
extern const char fv_sigdb_key[] __attribute__((weak));

static void pattern_key(char hex[FV_SHA256_HEX])
{
	struct fv_sha256 h;
	fv_sha256_init(&h);
	const char *v = hs_version();
	fv_sha256_update(&h, v, strlen(v) + 1);
	for (size_t f = 0; fv_formats[f]; f++)
		for (const struct fv_magic *m = fv_formats[f]->magics; m && m->re; m++) {
			uint32_t nums[3] = { (uint32_t)f, m->len, m->off };
			fv_sha256_update(&h, m->re, strlen(m->re) + 1);
			fv_sha256_update(&h, nums, sizeof nums);
		}
	fv_sha256_final(&h, hex);
}

static void compile_db(void)
{
	size_t n = 0;
	for (size_t f = 0; fv_formats[f]; f++)
		for (const struct fv_magic *m = fv_formats[f]->magics; m && m->re; m++)
			n++;
	const char **expr = calloc(n ? n : 1, sizeof *expr);
	unsigned *flags = calloc(n ? n : 1, sizeof *flags);
	unsigned *ids = calloc(n ? n : 1, sizeof *ids);
	g_pat = calloc(n ? n : 1, sizeof *g_pat);
	if (!expr || !flags || !ids || !g_pat) {
		snprintf(g_err, sizeof g_err, "out of memory compiling signatures");
		g_rc = FV_ENOMEM;
		goto out;
	}
	size_t i = 0;
	for (size_t f = 0; fv_formats[f]; f++)
		for (const struct fv_magic *m = fv_formats[f]->magics; m && m->re; m++, i++) {
			expr[i] = m->re;
			flags[i] = HS_FLAG_DOTALL;
			ids[i] = (unsigned)i;
			g_pat[i].fmt = (unsigned)f;
			g_pat[i].back = (uint32_t)m->len + m->off;
			if (g_pat[i].back > g_span)
				g_span = g_pat[i].back;
		}
	if (n == 0) {
		g_rc = FV_OK; /* nothing to find; fv_scan returns no chunks */
		goto out;
	}
	if (fv_sigdb && fv_sigdb_key) {
		char key[FV_SHA256_HEX];
		pattern_key(key);
		if (strcmp(key, fv_sigdb_key) == 0 &&
		    hs_deserialize_database((const char *)fv_sigdb, fv_sigdb_size, &g_db) == HS_SUCCESS) {
			g_rc = FV_OK;
			goto out;
		}
		g_db = NULL; /* another CPU or version: compile instead */
	}
	hs_compile_error_t *cerr = NULL;
	if (hs_compile_multi(expr, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL, &g_db, &cerr) !=
	    HS_SUCCESS) {
		int bad = cerr ? cerr->expression : -1;
		snprintf(g_err, sizeof g_err, "signature %d (%s of format %s) does not compile: %s", bad,
			 bad >= 0 ? expr[bad] : "?", bad >= 0 ? fv_formats[g_pat[bad].fmt]->name : "?",
			 cerr ? cerr->message : "unknown error");
		hs_free_compile_error(cerr);
		g_rc = FV_EFORMAT;
		goto out;
	}
	g_rc = FV_OK;
out:
	free(expr);
	free(flags);
	free(ids);
}

int fv_scan_serialize(char **bytes, size_t *len, char key[FV_SHA256_HEX])
{
	char err[256];
	int rc = fv_scan_init(err, sizeof err);
	if (rc) {
		fprintf(stderr, "%s\n", err);
		return rc;
	}
	if (!g_db || hs_serialize_database(g_db, bytes, len) != HS_SUCCESS)
		return FV_EFORMAT;
	pattern_key(key);
	return FV_OK;
}

int fv_scan_init(char *err, size_t errlen)
{
	pthread_once(&g_once, compile_db);
	if (g_rc && err)
		snprintf(err, errlen, "%s", g_err);
	return g_rc;
}

struct cand {
	uint64_t start;
	unsigned fmt;
};

struct cands {
	struct cand *v;
	size_t n, cap;
	uint64_t lo, hi; /* window: starts kept are in [lo, hi) */
	uint64_t base;   /* file offset of the scanned buffer */
	int oom;
};

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
		    void *ctx)
{
	(void)from;
	(void)flags;
	struct cands *c = ctx;
	uint64_t end = c->base + to;
	if (end < g_pat[id].back)
		return 0;
	uint64_t start = end - g_pat[id].back;
	if (start < c->lo || start >= c->hi)
		return 0;
	if (fv_grow(&c->v, &c->cap, c->n, sizeof *c->v)) {
		c->oom = 1;
		return 1; /* stop scanning */
	}
	c->v[c->n].start = start;
	c->v[c->n].fmt = g_pat[id].fmt;
	c->n++;
	return 0;
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->fmt > y->fmt) - (x->fmt < y->fmt);
}

static int push_chunk(struct fv_chunks *out, const struct fv_chunk *ch)
{
	if (fv_grow(&out->v, &out->cap, out->n, sizeof *out->v))
		return FV_ENOMEM;
	out->v[out->n++] = *ch;
	return FV_OK;
}

/* Probes every format that hit at one start and keeps the best answer. */
static int probe_best(const uint8_t *data, size_t len, const struct cand *c, size_t nc,
		      const struct fv_format *inside, struct fv_chunk *best)
{
	int found = 0;
	for (size_t i = 0; i < nc; i++) {
		if (i > 0 && c[i].fmt == c[i - 1].fmt)
			continue;
		const struct fv_format *f = fv_formats[c[i].fmt];
		if (f == inside && (f->flags & FV_FMT_RECORDS))
			continue; /* a record of the chunk it is in */
		if (inside && (f->flags & FV_FMT_STREAM))
			continue; /* a block of the chunk it is in */
		struct fv_probe pr;
		memset(&pr, 0, sizeof pr);
		if (f->probe(data + c[i].start, len - c[i].start, &pr) != FV_OK)
			continue;
		if (pr.size == 0 || pr.size > len - c[i].start)
			continue; /* a probe must never claim bytes that are not there */
		/* Ties go to the earlier format in the table: candidates are sorted so. */
		if (found && pr.conf <= best->conf)
			continue;
		found = 1;
		best->off = c[i].start;
		best->size = pr.size;
		best->fmt = f;
		best->conf = pr.conf ? pr.conf : FV_CONF_LOW;
		best->truncated = pr.truncated;
		memcpy(best->desc, pr.desc, sizeof best->desc);
		best->desc[sizeof best->desc - 1] = 0;
	}
	return found;
}

int fv_scan(const uint8_t *data, size_t len, unsigned flags, struct fv_chunks *out)
{
	return fv_scan_progress(data, len, flags, NULL, out);
}

/* The state of one pass over a file's candidates, window after window. */
struct pass {
	const uint8_t *data;
	size_t len;
	unsigned flags;
	struct fv_chunks *out;
	uint64_t top_end; /* end of the last accepted top-level chunk */
	int top;          /* its index in out */
	/* Open chunks that may enclose later ones, innermost last (nested mode). */
	size_t stack[64];
	size_t depth;
	/*
	 * A budget of nested probes per top-level chunk keeps identify linear
	 * whatever a chunk holds.  Extraction never probes nested candidates.
	 */
	size_t nested_probes;
};

/* Probes the candidates of one window, in order of their start. */
static int take_candidates(struct pass *ps, struct cands *c)
{
	if (c->n > 1)
		qsort(c->v, c->n, sizeof *c->v, cand_cmp);
	struct fv_chunks *out = ps->out;
	for (size_t i = 0; i < c->n;) {
		size_t j = i;
		while (j < c->n && c->v[j].start == c->v[i].start)
			j++;
		uint64_t start = c->v[i].start;
		int nested = start < ps->top_end;
		if (nested && (!(ps->flags & FV_SCAN_NESTED) || ps->nested_probes >= FV_NESTED_MAX)) {
			i = j;
			continue;
		}
		/* The innermost accepted chunk that holds this start, if any. */
		int parent = -1;
		if (nested) {
			while (ps->depth > 0 && out->v[ps->stack[ps->depth - 1]].off +
							 out->v[ps->stack[ps->depth - 1]].size <= start)
				ps->depth--;
			parent = ps->depth > 0 ? (int)ps->stack[ps->depth - 1] : ps->top;
		}
		struct fv_chunk ch;
		memset(&ch, 0, sizeof ch);
		ps->nested_probes += nested;
		/* A chunk inside another cannot reach past it. */
		if (probe_best(ps->data, nested ? (size_t)ps->top_end : ps->len, c->v + i, j - i,
			       parent >= 0 ? out->v[parent].fmt : NULL, &ch)) {
			ch.parent = parent;
			if (!nested) {
				ps->depth = 0;
				ps->nested_probes = 0;
				ps->top = (int)out->n;
				ps->top_end = ch.off + ch.size;
			}
			int rc = push_chunk(out, &ch);
			if (rc)
				return rc;
			if (nested && ps->depth < sizeof ps->stack / sizeof *ps->stack)
				ps->stack[ps->depth++] = out->n - 1;
		}
		i = j;
	}
	return FV_OK;
}

/* One window's vectorscan pass, runnable on its own thread. */
struct window {
	const uint8_t *data;
	size_t len;
	unsigned flags;
	uint64_t w;
	hs_scratch_t *scratch;
	struct cands c;
	int rc;
};

static void *scan_window(void *arg)
{
	struct window *win = arg;
	struct cands *c = &win->c;
	c->n = 0;
	c->oom = 0;
	c->lo = c->base = win->w;
	c->hi = win->w + FV_WINDOW < win->len ? win->w + FV_WINDOW : win->len;
	uint64_t end = c->hi + g_span < win->len ? c->hi + g_span : win->len;
	/* One call maps the window's pages instead of a page fault per 64 KiB. */
	if (win->flags & FV_SCAN_DROP)
		fv_map_prefetch(win->data + win->w, (size_t)(end - win->w));
	hs_error_t e = hs_scan(g_db, (const char *)win->data + win->w, (unsigned)(end - win->w), 0,
			       win->scratch, on_match, c);
	win->rc = c->oom ? FV_ENOMEM : (e != HS_SUCCESS && e != HS_SCAN_TERMINATED) ? FV_EIO : FV_OK;
	return NULL;
}

int fv_scan_progress(const uint8_t *data, size_t len, unsigned flags, struct fv_progress *prog,
		     struct fv_chunks *out)
{
	memset(out, 0, sizeof *out);
	int rc = fv_scan_init(NULL, 0);
	if (rc)
		return rc;
	if (!g_db || len == 0)
		return FV_OK;
	if (!t_scratch && hs_alloc_scratch(g_db, &t_scratch) != HS_SUCCESS)
		return FV_ENOMEM;

	struct pass ps;
	memset(&ps, 0, sizeof ps);
	ps.data = data;
	ps.len = len;
	ps.flags = flags;
	ps.out = out;
	ps.top = -1;
	/*
	 * Files of more than one window are scanned two windows at a time, the
	 * second on a thread of its own, so both cores work on a big image.
	 * Probing stays on this thread and in file order.
	 */
	struct window win[2];
	memset(win, 0, sizeof win);
	for (int k = 0; k < 2; k++) {
		win[k].data = data;
		win[k].len = len;
		win[k].flags = flags;
	}
	win[0].scratch = t_scratch;
	if (len > FV_WINDOW && hs_clone_scratch(t_scratch, &win[1].scratch) != HS_SUCCESS)
		win[1].scratch = NULL;
	uint64_t dropped = 0;

	for (uint64_t w = 0; w < len && rc == FV_OK;) {
		int two = win[1].scratch && w + FV_WINDOW < len;
		pthread_t th;
		int threaded = 0;
		win[0].w = w;
		win[1].w = w + FV_WINDOW;
		if (two)
			threaded = pthread_create(&th, NULL, scan_window, &win[1]) == 0;
		scan_window(&win[0]);
		if (threaded)
			pthread_join(th, NULL);
		else if (two)
			scan_window(&win[1]);
		uint64_t hi = win[0].c.hi;
		for (int k = 0; k <= two && rc == FV_OK; k++) {
			rc = win[k].rc;
			if (rc == FV_OK)
				rc = take_candidates(&ps, &win[k].c);
			hi = win[k].c.hi;
		}
		/*
		 * A read-only file mapping can give back the pages behind us:
		 * they are the page cache's, and come back on a later touch.
		 * This keeps a 1 GiB scan's resident memory at a few windows.
		 */
		if ((flags & FV_SCAN_DROP) && w > FV_WINDOW + dropped) {
			fv_map_drop(data + dropped, (size_t)(w - FV_WINDOW - dropped));
			dropped = w - FV_WINDOW;
		}
		if (prog)
			fv_progress_update(prog, hi);
		w = hi;
		/* A chunk that runs past these windows swallows the windows it covers. */
		if (!(flags & FV_SCAN_NESTED) && ps.top_end > w)
			w = (ps.top_end / FV_WINDOW) * FV_WINDOW;
	}
	if (win[1].scratch)
		hs_free_scratch(win[1].scratch);
	free(win[0].c.v);
	free(win[1].c.v);
	if (rc) {
		fv_chunks_free(out);
		return rc;
	}
	return FV_OK;
}

void fv_chunks_free(struct fv_chunks *c)
{
	free(c->v);
	memset(c, 0, sizeof *c);
}
