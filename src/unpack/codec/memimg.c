#include "unpack/codec/memimg.h"
#include "core/err.h"
#include "unpack/sink.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* A hostile file of one-byte records at scattered addresses must not make us build a huge index. */
#define FV_MEMIMG_MAX_RUNS ((size_t)1 << 20)
/* One image file is written when its span is at most this, and not mostly filler. */
#define FV_MEMIMG_MAX_SPAN ((uint64_t)256 << 20)
#define FV_MEMIMG_FILL_RATIO 64
#define FV_MEMIMG_SMALL_SPAN ((uint64_t)1 << 20)
/* Regions closer than this are one file (alignment gaps between sections). */
#define FV_MEMIMG_MERGE_GAP 4096
#define FV_MEMIMG_MAX_FILES 1024

int fv_memimg_add(struct fv_memimg *m, uint64_t addr, const uint8_t *p, size_t n)
{
	if (n == 0)
		return FV_OK;
	if (addr > UINT64_MAX - n)
		return FV_EFORMAT;
	if (m->len + n > m->cap) {
		size_t cap = m->cap ? m->cap : 4096;
		while (cap < m->len + n)
			cap *= 2;
		uint8_t *d = realloc(m->data, cap);
		if (!d)
			return FV_ENOMEM;
		m->data = d;
		m->cap = cap;
	}
	memcpy(m->data + m->len, p, n);
	struct fv_memrun *last = m->nruns ? &m->runs[m->nruns - 1] : NULL;
	if (last && last->addr + last->len == addr) {
		last->len += n;
	} else {
		if (m->nruns >= FV_MEMIMG_MAX_RUNS)
			return FV_ELIMIT;
		if (m->nruns == m->capruns) {
			size_t cap = m->capruns ? m->capruns * 2 : 64;
			struct fv_memrun *r = realloc(m->runs, cap * sizeof *r);
			if (!r)
				return FV_ENOMEM;
			m->runs = r;
			m->capruns = cap;
		}
		m->runs[m->nruns] = (struct fv_memrun){ addr, n, m->len, m->nruns };
		m->nruns++;
	}
	m->len += n;
	return FV_OK;
}

static int run_cmp(const void *a, const void *b)
{
	const struct fv_memrun *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int fill_ff(struct fv_sink_file *f, uint64_t n)
{
	uint8_t buf[4096];
	memset(buf, 0xff, sizeof buf);
	while (n > 0) {
		size_t k = n < sizeof buf ? (size_t)n : sizeof buf;
		int rc = fv_sink_write(f, buf, k);
		if (rc)
			return rc;
		n -= k;
	}
	return FV_OK;
}

/* Writes runs [first, last) from address start, filling gaps. */
static int write_region(struct fv_xctx *x, const struct fv_memimg *m, const char *name,
			size_t first, size_t last, uint64_t start)
{
	struct fv_attr a = { S_IFREG | 0644, 0, 0, 0 };
	struct fv_sink_file *f;
	int rc = fv_sink_open(x, name, &a, &f);
	if (rc)
		return rc;
	uint64_t pos = start;
	for (size_t i = first; i < last && rc == FV_OK; i++) {
		const struct fv_memrun *r = &m->runs[i];
		uint64_t end = r->addr + r->len;
		if (end <= pos)
			continue; /* wholly covered by bytes already written */
		if (r->addr > pos) {
			rc = fill_ff(f, r->addr - pos);
			pos = r->addr;
		}
		if (rc == FV_OK)
			rc = fv_sink_write(f, m->data + r->off + (pos - r->addr), (size_t)(end - pos));
		pos = end;
	}
	int crc = fv_sink_close(f);
	return rc ? rc : crc;
}

int fv_memimg_write(struct fv_xctx *x, struct fv_memimg *m, const char *base)
{
	if (m->nruns == 0)
		return FV_OK;
	qsort(m->runs, m->nruns, sizeof *m->runs, run_cmp);
	uint64_t lo = m->runs[0].addr, hi = lo;
	for (size_t i = 0; i < m->nruns; i++)
		if (m->runs[i].addr + m->runs[i].len > hi)
			hi = m->runs[i].addr + m->runs[i].len;
	uint64_t span = hi - lo;
	uint64_t budget = (uint64_t)m->len * FV_MEMIMG_FILL_RATIO;
	if (budget < FV_MEMIMG_SMALL_SPAN)
		budget = FV_MEMIMG_SMALL_SPAN;
	char name[300];
	if (span <= FV_MEMIMG_MAX_SPAN && span <= budget) {
		snprintf(name, sizeof name, "%s.bin", base);
		return write_region(x, m, name, 0, m->nruns, lo);
	}

	/* Too sparse for one file: one file per region, named by its address. */
	size_t files = 0;
	for (size_t i = 0; i < m->nruns;) {
		uint64_t start = m->runs[i].addr, end = start + m->runs[i].len;
		uint64_t have = m->runs[i].len;
		size_t j = i + 1;
		for (; j < m->nruns; j++) {
			const struct fv_memrun *r = &m->runs[j];
			if (r->addr > end) {
				uint64_t gap = r->addr - end;
				if (gap > FV_MEMIMG_MERGE_GAP || gap > have)
					break;
			}
			if (r->addr + r->len > end)
				end = r->addr + r->len;
			have += r->len;
		}
		if (files == FV_MEMIMG_MAX_FILES) {
			fv_xctx_error(x, "memory image: expected at most %d separate regions, found more "
					 "(next at address 0x%llx); the rest is not written",
				      FV_MEMIMG_MAX_FILES, (unsigned long long)start);
			return FV_ELIMIT;
		}
		snprintf(name, sizeof name, "0x%08llx.bin", (unsigned long long)start);
		int rc = write_region(x, m, name, i, j, start);
		if (rc)
			return rc;
		files++;
		i = j;
	}
	return FV_OK;
}

void fv_memimg_free(struct fv_memimg *m)
{
	free(m->data);
	free(m->runs);
	memset(m, 0, sizeof *m);
}

void fv_memimg_base(const char *file, const char *const *exts, char *out, size_t outlen)
{
	snprintf(out, outlen, "image");
	const char *dot = file ? strrchr(file, '.') : NULL;
	if (!dot || dot == file)
		return;
	for (size_t i = 0; exts[i]; i++)
		if (strcasecmp(dot + 1, exts[i]) == 0) {
			snprintf(out, outlen, "%.*s", (int)(dot - file), file);
			return;
		}
}

/* Hex digit value plus one; zero for anything else. */
static const uint8_t hexv[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
	['8'] = 9, ['9'] = 10, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15,
	['F'] = 16, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

int fv_unhex(const uint8_t *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned h = hexv[s[2 * i]], l = hexv[s[2 * i + 1]];
		if (!h || !l)
			return -1;
		out[i] = (uint8_t)((h - 1) << 4 | (l - 1));
	}
	return 0;
}

int fv_all_hex(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!hexv[s[i]])
			return 0;
	return 1;
}
