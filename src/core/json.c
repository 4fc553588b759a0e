#include "core/json.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

void fv_json_init(struct fv_json *j, FILE *f, int pretty)
{
	memset(j, 0, sizeof *j);
	j->f = f;
	j->pretty = pretty;
}

static void newline(struct fv_json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Called before every value and key: separators and layout. */
static void before_item(struct fv_json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->depth > 0) {
		if (j->has_items[j->depth])
			fputc(',', j->f);
		j->has_items[j->depth] = 1;
		newline(j);
	}
}

static void open(struct fv_json *j, char c)
{
	before_item(j);
	fputc(c, j->f);
	if (j->depth < FV_JSON_MAXDEPTH - 1)
		j->depth++;
	j->has_items[j->depth] = 0;
}

static void close_(struct fv_json *j, char c)
{
	int had = j->has_items[j->depth];
	if (j->depth > 0)
		j->depth--;
	if (had)
		newline(j);
	fputc(c, j->f);
	if (j->depth == 0 && j->pretty)
		fputc('\n', j->f);
}

void fv_json_obj_begin(struct fv_json *j) { open(j, '{'); }
void fv_json_obj_end(struct fv_json *j) { close_(j, '}'); }
void fv_json_arr_begin(struct fv_json *j) { open(j, '['); }
void fv_json_arr_end(struct fv_json *j) { close_(j, ']'); }

size_t fv_utf8_seq(const unsigned char *s, size_t n, uint32_t *out)
{
	unsigned c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80) {
		if (out)
			*out = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	if (out)
		*out = cp;
	return len;
}

void fv_json_escape(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc((int)c, f);
			i++;
		} else if (c == '\n') {
			fputs("\\n", f);
			i++;
		} else if (c == '\t') {
			fputs("\\t", f);
			i++;
		} else if (c == '\r') {
			fputs("\\r", f);
			i++;
		} else if (c < 0x20 || c == 0x7F) {
			fprintf(f, "\\u%04x", c);
			i++;
		} else {
			size_t l = fv_utf8_seq(s + i, n - i, NULL);
			if (l == 0) {
				fprintf(f, "\\u%04x", c);
				i++;
			} else {
				fwrite(s + i, 1, l, f);
				i += l;
			}
		}
	}
}

void fv_json_key(struct fv_json *j, const char *key)
{
	before_item(j);
	fputc('"', j->f);
	fv_json_escape(j->f, key, strlen(key));
	fputs(j->pretty ? "\": " : "\":", j->f);
	j->after_key = 1;
}

void fv_json_strn(struct fv_json *j, const char *s, size_t n)
{
	before_item(j);
	fputc('"', j->f);
	fv_json_escape(j->f, s, n);
	fputc('"', j->f);
}

void fv_json_str(struct fv_json *j, const char *s)
{
	if (!s) {
		fv_json_null(j);
		return;
	}
	fv_json_strn(j, s, strlen(s));
}

void fv_json_int(struct fv_json *j, int64_t v)
{
	before_item(j);
	fprintf(j->f, "%" PRId64, v);
}

void fv_json_uint(struct fv_json *j, uint64_t v)
{
	before_item(j);
	fprintf(j->f, "%" PRIu64, v);
}

void fv_json_double(struct fv_json *j, double v)
{
	if (!isfinite(v)) {
		fv_json_null(j);
		return;
	}
	before_item(j);
	fprintf(j->f, "%.15g", v);
}

void fv_json_kdouble(struct fv_json *j, const char *k, double v)
{
	fv_json_key(j, k);
	fv_json_double(j, v);
}

void fv_json_bool(struct fv_json *j, int v)
{
	before_item(j);
	fputs(v ? "true" : "false", j->f);
}

void fv_json_null(struct fv_json *j)
{
	before_item(j);
	fputs("null", j->f);
}

void fv_json_kstr(struct fv_json *j, const char *k, const char *s)
{
	fv_json_key(j, k);
	fv_json_str(j, s);
}

void fv_json_kint(struct fv_json *j, const char *k, int64_t v)
{
	fv_json_key(j, k);
	fv_json_int(j, v);
}

void fv_json_kuint(struct fv_json *j, const char *k, uint64_t v)
{
	fv_json_key(j, k);
	fv_json_uint(j, v);
}

void fv_json_kbool(struct fv_json *j, const char *k, int v)
{
	fv_json_key(j, k);
	fv_json_bool(j, v);
}
