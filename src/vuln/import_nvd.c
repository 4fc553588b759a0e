/*
 * NVD CVE JSON 2.0 (the CVE API's and the yearly feeds' format): one record
 * per vulnerabilities[].cve, its affected products from configurations[]
 * .nodes[].cpeMatch[] where vulnerable is true.
 *
 * AND configurations ("openssl on some platform") and their non-vulnerable
 * platform CPEs are not evaluated: a component matches on the vulnerable CPE
 * alone.  That is conservative: a firmware rarely says which platform its
 * library was built for, and missing a vulnerability costs more than naming
 * one that needs a platform the device may not have.
 *
 * A yearly feed is ~100 MiB of JSON, several times that as a jansson tree, so
 * fv_import_nvd_stream reads it one record at a time: it walks the document's
 * outer object itself and hands each element of "vulnerabilities" to jansson
 * alone.  Memory is then one record, whatever the size of the feed.
 */
#include "vuln/vulndb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/err.h"

/* The first English description. */
static int summary_of(const struct fv_vi_rec *r, const json_t *cve, const char **out)
{
	json_t *d = json_object_get(cve, "descriptions");
	*out = "";
	if (!d)
		return FV_OK;
	if (!json_is_array(d))
		return fv_vi_bad(r, "an array \"descriptions\"", d);
	size_t i;
	json_t *e;
	json_array_foreach(d, i, e) {
		const char *lang, *value;
		if (!json_is_object(e))
			return fv_vi_bad(r, "an object in \"descriptions\"", e);
		int rc = fv_vi_opt_str(r, e, "lang", "a string \"lang\" in \"descriptions\"", &lang);
		if (!rc)
			rc = fv_vi_opt_str(r, e, "value", "a string \"value\" in \"descriptions\"", &value);
		if (rc)
			return rc;
		if (lang && value && !strcmp(lang, "en")) {
			*out = value;
			break;
		}
	}
	return FV_OK;
}

/* The base score: v3.1, else v3.0, else v2; NVD's own ("Primary") before another source's. */
static int score_of(const struct fv_vi_rec *r, const json_t *cve, double *out)
{
	static const char *const keys[] = { "cvssMetricV31", "cvssMetricV30", "cvssMetricV2" };
	json_t *m = json_object_get(cve, "metrics");
	*out = -1;
	if (!m)
		return FV_OK;
	if (!json_is_object(m))
		return fv_vi_bad(r, "an object \"metrics\"", m);
	for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
		json_t *arr = json_object_get(m, keys[k]);
		if (!arr)
			continue;
		if (!json_is_array(arr))
			return fv_vi_bad(r, "an array of CVSS metrics", arr);
		size_t i;
		json_t *e;
		double best = -1;
		int primary = 0;
		json_array_foreach(arr, i, e) {
			json_t *data = json_is_object(e) ? json_object_get(e, "cvssData") : NULL;
			json_t *score = json_is_object(data) ? json_object_get(data, "baseScore") : NULL;
			if (!json_is_number(score) || json_number_value(score) < 0 || json_number_value(score) > 10)
				return fv_vi_bad(r, "a number from 0 to 10 \"cvssData.baseScore\"", score);
			const char *type = json_string_value(json_object_get(e, "type"));
			int p = type && !strcmp(type, "Primary");
			if (best < 0 || (p && !primary)) {
				best = json_number_value(score);
				primary = p;
			}
		}
		if (best >= 0) {
			*out = best;
			return FV_OK;
		}
	}
	return FV_OK;
}

/*
 * Splits a CPE 2.3 formatted string into its fields, unescaping '\x'; the
 * fields are written NUL-separated into buf.  The number of fields, or -1.
 */
static int cpe_split(const char *s, char *buf, size_t cap, const char *fields[], int max)
{
	int n = 0;
	size_t k = 0;
	fields[n++] = buf;
	for (const char *p = s; *p; p++) {
		if (k + 2 > cap)
			return -1;
		if (*p == '\\' && p[1]) {
			buf[k++] = *++p;
		} else if (*p == ':') {
			buf[k++] = 0;
			if (n == max)
				return -1;
			fields[n++] = buf + k;
		} else {
			buf[k++] = *p;
		}
	}
	buf[k] = 0;
	return n;
}

static int bound(const struct fv_vi_rec *r, const json_t *m, const char *incl, const char *excl, const char **v,
		 int *is_incl)
{
	const char *a, *b;
	char what[96];
	snprintf(what, sizeof what, "a version string \"%s\"", incl);
	int rc = fv_vi_opt_str(r, m, incl, what, &a);
	snprintf(what, sizeof what, "a version string \"%s\"", excl);
	if (!rc)
		rc = fv_vi_opt_str(r, m, excl, what, &b);
	if (rc)
		return rc;
	if (a && b)
		return fv_vi_bad(r, "one of versionStart/EndIncluding or Excluding, not both",
				 json_object_get(m, excl));
	if ((a && !fv_vi_token_ok(a)) || (b && !fv_vi_token_ok(b)))
		return fv_vi_bad(r, "a version bound without blanks", json_object_get(m, a ? incl : excl));
	*v = a ? a : b;
	*is_incl = a != NULL;
	return FV_OK;
}

static int cpe_match(const struct fv_vi_rec *r, const json_t *m)
{
	if (!json_is_object(m))
		return fv_vi_bad(r, "an object in \"cpeMatch\"", m);
	json_t *vuln = json_object_get(m, "vulnerable");
	if (!json_is_boolean(vuln))
		return fv_vi_bad(r, "a boolean \"vulnerable\" in \"cpeMatch\"", vuln);
	json_t *crit = json_object_get(m, "criteria");
	if (!json_is_string(crit))
		return fv_vi_bad(r, "a string \"criteria\" in \"cpeMatch\"", crit);
	const char *c = json_string_value(crit);
	char buf[1024];
	const char *f[16];
	int n = strlen(c) < sizeof buf ? cpe_split(c, buf, sizeof buf, f, 16) : -1;
	if (n < 6 || strcmp(f[0], "cpe") || strcmp(f[1], "2.3") || strlen(f[2]) != 1 || !strchr("aoh", f[2][0]) ||
	    !fv_vi_token_ok(f[3]) || !fv_vi_token_ok(f[4]) || !fv_vi_token_ok(f[5]))
		return fv_vi_bad(r, "a CPE 2.3 name \"cpe:2.3:a|o|h:vendor:product:version:...\"", crit);
	struct fv_vrange range = { 0 };
	int rc = bound(r, m, "versionStartIncluding", "versionStartExcluding", &range.start, &range.start_incl);
	if (!rc)
		rc = bound(r, m, "versionEndIncluding", "versionEndExcluding", &range.end, &range.end_incl);
	if (rc || json_is_false(vuln))
		return rc;
	char key[2 * FV_VULN_FIELD_MAX + 2], exact[2 * FV_VULN_FIELD_MAX + 2];
	snprintf(key, sizeof key, "%s:%s", f[3], f[4]);
	const char *ver = f[5], *upd = n > 6 ? f[6] : "*";
	if (strcmp(ver, "*") && strcmp(ver, "-")) {
		/* NVD writes OpenSSL 1.0.1 beta1 as version 1.0.1, update beta1. */
		if (strcmp(upd, "*") && strcmp(upd, "-") && *upd)
			snprintf(exact, sizeof exact, "%s-%s", ver, upd);
		else
			snprintf(exact, sizeof exact, "%s", ver);
		range.exact = exact;
	}
	return fv_vi_range(r->im, "nvd", r->id, key, &range);
}

static int configurations(const struct fv_vi_rec *r, const json_t *cve)
{
	json_t *cfgs = json_object_get(cve, "configurations");
	if (!cfgs)
		return FV_OK;
	if (!json_is_array(cfgs))
		return fv_vi_bad(r, "an array \"configurations\"", cfgs);
	size_t i, j, k;
	json_t *cfg, *node, *m;
	json_array_foreach(cfgs, i, cfg) {
		json_t *nodes = json_is_object(cfg) ? json_object_get(cfg, "nodes") : NULL;
		if (!json_is_array(nodes))
			return fv_vi_bad(r, "an array \"nodes\" in \"configurations\"",
					 json_is_object(cfg) ? nodes : cfg);
		json_array_foreach(nodes, j, node) {
			if (!json_is_object(node))
				return fv_vi_bad(r, "an object in \"nodes\"", node);
			json_t *ms = json_object_get(node, "cpeMatch");
			if (!ms)
				continue;
			if (!json_is_array(ms))
				return fv_vi_bad(r, "an array \"cpeMatch\"", ms);
			json_array_foreach(ms, k, m) {
				int rc = cpe_match(r, m);
				if (rc)
					return rc;
			}
		}
	}
	return FV_OK;
}

static int one(struct fv_vimport *im, size_t no, const json_t *item)
{
	struct fv_vi_rec r = { im, no, NULL };
	json_t *cve = json_is_object(item) ? json_object_get(item, "cve") : NULL;
	if (!json_is_object(cve))
		return fv_vi_bad(&r, "an object \"cve\"", json_is_object(item) ? cve : item);
	json_t *id = json_object_get(cve, "id");
	if (!json_is_string(id) || !fv_vi_token_ok(json_string_value(id)))
		return fv_vi_bad(&r, "a string \"id\" such as \"CVE-2014-0160\"", id);
	r.id = json_string_value(id);
	const char *published, *modified, *summary;
	double cvss;
	int rc = fv_vi_opt_str(&r, cve, "published", "a date string \"published\"", &published);
	if (!rc)
		rc = fv_vi_opt_str(&r, cve, "lastModified", "a date string \"lastModified\"", &modified);
	if (!rc && (!modified || !*modified))
		rc = fv_vi_bad(&r, "a date string \"lastModified\"", json_object_get(cve, "lastModified"));
	if (!rc)
		rc = summary_of(&r, cve, &summary);
	if (!rc)
		rc = score_of(&r, cve, &cvss);
	if (!rc)
		rc = fv_vi_vuln(im, "nvd", r.id, summary, cvss, published, modified, "");
	/* Ranges are checked even when the record is unchanged, so a damaged file never passes. */
	if (!rc)
		rc = configurations(&r, cve);
	return rc;
}

int fv_import_nvd(struct fv_vimport *im, json_t *root)
{
	const char *ver = json_string_value(json_object_get(root, "version"));
	if (ver && strcmp(ver, "2.0"))
		return fv_vi_fail(im, 0, NULL, "expected an NVD CVE feed of version \"2.0\", found \"%.20s\"", ver);
	json_t *vulns = json_object_get(root, "vulnerabilities");
	if (!json_is_array(vulns))
		return fv_vi_bad(&(struct fv_vi_rec){ im, 0, NULL }, "an array \"vulnerabilities\"", vulns);
	size_t i;
	json_t *item;
	json_array_foreach(vulns, i, item) {
		int rc = one(im, i + 1, item);
		if (rc)
			return rc;
	}
	return FV_OK;
}

/* ---- streaming a feed ------------------------------------------------------------ */

#define MAX_HEADER (1u << 20)          /* the members besides "vulnerabilities" */
#define MAX_RECORD (64u << 20)         /* one record; the largest NVD records are a few MiB */
#define MAX_STREAM (4ull << 30)        /* decompressed bytes of one feed */

struct src {
	gzFile gz;
	unsigned char buf[1 << 16];
	size_t pos, len;
	unsigned long long total;
	size_t line;
	int err;                       /* the stream is damaged (not merely ended) */
};

struct text {
	char *p;
	size_t n, cap, max;
};

static int peek(struct src *s)
{
	if (s->pos == s->len) {
		if (s->err)
			return -1;
		int k = gzread(s->gz, s->buf, sizeof s->buf);
		if (k <= 0 || (s->total += (unsigned)k) > MAX_STREAM) {
			if (k < 0 || s->total > MAX_STREAM)
				s->err = 1;
			return -1;
		}
		s->pos = 0;
		s->len = (size_t)k;
	}
	return s->buf[s->pos];
}

static int next(struct src *s)
{
	int c = peek(s);
	if (c >= 0) {
		s->pos++;
		if (c == '\n')
			s->line++;
	}
	return c;
}

static void skip_ws(struct src *s)
{
	for (int c; (c = peek(s)) == ' ' || c == '\t' || c == '\n' || c == '\r';)
		next(s);
}

static int put(struct text *t, int c)
{
	if (t->n + 2 > t->cap) {
		if (t->n + 2 > t->max)
			return -1;
		size_t cap = t->cap ? t->cap * 2 : 4096;
		if (cap > t->max)
			cap = t->max;
		char *p = realloc(t->p, cap);
		if (!p)
			return -1;
		t->p = p;
		t->cap = cap;
	}
	t->p[t->n++] = (char)c;
	t->p[t->n] = 0;
	return 0;
}

/*
 * Copies one JSON value's bytes to t: an object or array up to its closing
 * bracket, a string to its closing quote, a scalar up to a delimiter.  Only
 * its extent is found here; jansson checks what it holds.  0, or -1 at the
 * end of the input or when t is full.
 */
static int copy_value(struct src *s, struct text *t)
{
	int c = peek(s);
	if (c < 0)
		return -1;
	if (c != '{' && c != '[' && c != '"') {
		while ((c = peek(s)) >= 0 && !strchr(",]} \t\r\n", c))
			if (put(t, next(s)))
				return -1;
		return 0;
	}
	size_t depth = 0;
	int in_str = 0, esc = 0;
	do {
		if ((c = next(s)) < 0 || put(t, c))
			return -1;
		if (in_str) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	} while (in_str || depth > 0);
	return 0;
}

struct stream {
	struct fv_vimport *im;
	struct src s;
	struct text header, rec;
	int seen_vulns;
};

static int stream_fail(struct stream *st, const char *fmt, const char *what)
{
	char msg[256];
	snprintf(msg, sizeof msg, fmt, what);
	if (st->s.err)
		return fv_vi_fail(st->im, 0, NULL, "line %zu: expected a readable gzip stream of at most %llu bytes",
				  st->s.line, MAX_STREAM);
	return fv_vi_fail(st->im, 0, NULL, "line %zu: expected valid JSON, found %s", st->s.line, msg);
}


static const char *found_here(struct src *s, char buf[16])
{
	int c = peek(s);
	if (c < 0)
		return "the end of the file";
	snprintf(buf, 16, (c >= 0x20 && c < 0x7f) ? "'%c'" : "byte 0x%02x", c);
	return buf;
}

/* The header so far as an object, or NULL when it is no valid JSON. */
static json_t *header_json(struct stream *st)
{
	json_error_t je;
	char *doc = malloc(st->header.n + 3);
	if (!doc)
		return NULL;
	doc[0] = '{';
	memcpy(doc + 1, st->header.p ? st->header.p : "", st->header.n);
	doc[st->header.n + 1] = '}';
	doc[st->header.n + 2] = 0;
	json_t *h = json_loadb(doc, st->header.n + 2, JSON_REJECT_DUPLICATES, &je);
	free(doc);
	return h;
}

/* The elements of "vulnerabilities", each parsed and imported on its own. */
static int stream_records(struct stream *st)
{
	struct src *s = &st->s;
	if (next(s) != '[')
		return fv_vi_fail(st->im, 0, NULL, "line %zu: expected an array \"vulnerabilities\"", s->line);
	skip_ws(s);
	if (peek(s) == ']') {
		next(s);
		return FV_OK;
	}
	for (size_t no = 1;; no++) {
		size_t line = s->line;
		st->rec.n = 0;
		if (copy_value(s, &st->rec)) {
			if (st->rec.n + 2 > st->rec.max)
				return fv_vi_fail(st->im, no, NULL, "line %zu: expected a record of at most %u bytes", line,
						  MAX_RECORD);
			if (s->err)
				return stream_fail(st, "%s", "");
			return fv_vi_fail(st->im, no, NULL, "line %zu: expected valid JSON, found the end of the file",
					  s->line);
		}
		json_error_t je;
		json_t *item = json_loadb(st->rec.p ? st->rec.p : "", st->rec.n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
					  &je);
		if (!item)
			return fv_vi_fail(st->im, no, NULL, "line %zu: expected valid JSON: %s", line + (size_t)je.line - 1,
					  je.text);
		int rc = one(st->im, no, item);
		json_decref(item);
		if (rc)
			return rc;
		skip_ws(s);
		char fb[16];
		const char *what = found_here(s, fb);
		int c = next(s);
		if (c == ']')
			return FV_OK;
		if (c != ',') {
			if (s->err)
				return stream_fail(st, "%s", "");
			return fv_vi_fail(st->im, no, NULL, "line %zu: expected ',' or ']' after the record, found %s",
					  s->line, what);
		}
		skip_ws(s);
	}
}

int fv_import_nvd_stream(struct fv_vimport *im, const char *path)
{
	struct stream st = { .im = im };
	st.s.line = 1;
	st.header.max = MAX_HEADER;
	st.rec.max = MAX_RECORD;
	st.s.gz = gzopen(path, "rb");
	if (!st.s.gz)
		return 1;
	gzbuffer(st.s.gz, 1 << 17);
	int rc = 1, nvd = 0;
	char fb[16];
	struct src *s = &st.s;
	skip_ws(s);
	if (next(s) != '{')
		goto out;
	skip_ws(s);
	if (peek(s) == '}')
		goto out;
	for (;;) {
		/* "key" : value */
		struct text key = { .max = 256 };
		size_t mark = st.header.n;
		skip_ws(s);
		if (peek(s) != '"' || copy_value(s, &key) || key.n < 2) {
			free(key.p);
			rc = nvd ? stream_fail(&st, "%s where a member name belongs", found_here(s, fb)) : 1;
			goto out;
		}
		int is_vulns = !strcmp(key.p, "\"vulnerabilities\"");
		if (!is_vulns) {
			int bad = (st.header.n && put(&st.header, ','));
			for (size_t i = 0; i < key.n && !bad; i++)
				bad = put(&st.header, key.p[i]);
			if (bad) {
				free(key.p);
				rc = nvd ? fv_vi_fail(im, 0, NULL, "expected at most %u bytes besides \"vulnerabilities\"",
						      MAX_HEADER) : 1;
				goto out;
			}
		}
		free(key.p);
		skip_ws(s);
		if (next(s) != ':') {
			rc = nvd ? stream_fail(&st, "%s where ':' belongs", found_here(s, fb)) : 1;
			goto out;
		}
		skip_ws(s);
		if (is_vulns) {
			if (!nvd) {
				/* Only a feed that says it is NVD 2.0 before its records is streamed. */
				json_t *h = header_json(&st);
				const char *fmt = json_string_value(json_object_get(h, "format"));
				const char *ver = json_string_value(json_object_get(h, "version"));
				nvd = fmt && !strcmp(fmt, "NVD_CVE");
				if (nvd && ver && strcmp(ver, "2.0"))
					rc = fv_vi_fail(im, 0, NULL, "expected an NVD CVE feed of version \"2.0\", found \"%.20s\"",
							ver);
				json_decref(h);
				if (!nvd || rc != 1)
					goto out;
			}
			if (st.seen_vulns) {
				rc = fv_vi_fail(im, 0, NULL, "line %zu: expected one member \"vulnerabilities\", found two", s->line);
				goto out;
			}
			st.seen_vulns = 1;
			if ((rc = stream_records(&st)) != FV_OK)
				goto out;
			rc = 1;
		} else {
			if (put(&st.header, ':') || copy_value(s, &st.header)) {
				rc = nvd ? stream_fail(&st, "%s in a member", st.header.n + 2 > MAX_HEADER ? "too much" :
							  "the end of the file") : 1;
				st.header.n = mark;
				goto out;
			}
		}
		skip_ws(s);
		int c = next(s);
		if (c == '}')
			break;
		if (c != ',') {
			rc = nvd ? stream_fail(&st, "%s where ',' or '}' belongs", c < 0 ? "the end of the file" : "another byte") : 1;
			goto out;
		}
	}
	skip_ws(s);
	if (!nvd || !st.seen_vulns) {
		rc = 1;
		goto out;
	}
	json_t *h = header_json(&st);
	if (!h)
		rc = fv_vi_fail(im, 0, NULL, "expected valid JSON in the members besides \"vulnerabilities\"");
	else if (peek(s) >= 0 || s->err)
		rc = stream_fail(&st, "%s after the document", found_here(s, fb));
	else
		rc = FV_OK;
	json_decref(h);
out:
	free(st.header.p);
	free(st.rec.p);
	gzclose(st.s.gz);
	return rc;
}
