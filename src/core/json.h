/*
 * A streaming JSON writer.  It places commas and indentation itself, and
 * always produces valid UTF-8: a byte that is not part of a valid UTF-8
 * sequence (firmware paths carry any bytes) is written as the code point of
 * the same value, \u00XX, so nothing is dropped and the output still parses.
 */
#ifndef FV_CORE_JSON_H
#define FV_CORE_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FV_JSON_MAXDEPTH 64

struct fv_json {
	FILE *f;
	int pretty;
	int depth;
	int after_key;
	unsigned char has_items[FV_JSON_MAXDEPTH];
};

void fv_json_init(struct fv_json *j, FILE *f, int pretty);
void fv_json_obj_begin(struct fv_json *j);
void fv_json_obj_end(struct fv_json *j);
void fv_json_arr_begin(struct fv_json *j);
void fv_json_arr_end(struct fv_json *j);
void fv_json_key(struct fv_json *j, const char *key);
void fv_json_str(struct fv_json *j, const char *s);
void fv_json_strn(struct fv_json *j, const char *s, size_t n);
void fv_json_int(struct fv_json *j, int64_t v);
void fv_json_uint(struct fv_json *j, uint64_t v);
void fv_json_bool(struct fv_json *j, int v);
/* The shortest form that reads back as v to 15 digits (9.8, not 9.8000000000000007); NaN and infinities as null. */
void fv_json_double(struct fv_json *j, double v);
void fv_json_null(struct fv_json *j);

/* key + value in one call; a NULL string is written as null. */
void fv_json_kstr(struct fv_json *j, const char *key, const char *s);
void fv_json_kint(struct fv_json *j, const char *key, int64_t v);
void fv_json_kuint(struct fv_json *j, const char *key, uint64_t v);
void fv_json_kbool(struct fv_json *j, const char *key, int v);
void fv_json_kdouble(struct fv_json *j, const char *key, double v);

/*
 * The length of the valid UTF-8 sequence at s (n > 0 bytes left) and, when
 * cp is not NULL, its code point; 0 when s does not start one (overlong
 * forms, surrogates and code points past U+10FFFF are not UTF-8).
 */
size_t fv_utf8_seq(const unsigned char *s, size_t n, uint32_t *cp);

/* Writes s as a JSON string body (no quotes) to f; used by other emitters too. */
void fv_json_escape(FILE *f, const char *s, size_t n);

#endif
