#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

/* Renders through a memory stream and returns the text (caller frees). */
static char *render(void (*fn)(struct fv_json *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct fv_json j;
	fv_json_init(&j, f, 0);
	fn(&j);
	fclose(f);
	return buf;
}

static void nested(struct fv_json *j)
{
	fv_json_obj_begin(j);
	fv_json_kstr(j, "a", "x");
	fv_json_key(j, "b");
	fv_json_arr_begin(j);
	fv_json_int(j, -1);
	fv_json_uint(j, 18446744073709551615ULL);
	fv_json_bool(j, 1);
	fv_json_null(j);
	fv_json_obj_begin(j);
	fv_json_obj_end(j);
	fv_json_arr_end(j);
	fv_json_kstr(j, "c", NULL);
	fv_json_obj_end(j);
}

static void places_commas(void **state)
{
	(void)state;
	char *s = render(nested);
	assert_string_equal(s, "{\"a\":\"x\",\"b\":[-1,18446744073709551615,true,null,{}],\"c\":null}");
	free(s);
}

static void hostile(struct fv_json *j)
{
	/* quote, backslash, control, valid UTF-8 (é), a lone 0xFF, truncated UTF-8, overlong '/' */
	static const char s[] = "\"\\\x01\n\xc3\xa9\xff\xe2\x82\xc0\xaf";
	fv_json_strn(j, s, sizeof s - 1);
}

static void escapes_what_is_not_utf8(void **state)
{
	(void)state;
	char *s = render(hostile);
	assert_string_equal(s, "\"\\\"\\\\\\u0001\\n\xc3\xa9\\u00ff\\u00e2\\u0082\\u00c0\\u00af\"");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(places_commas),
		cmocka_unit_test(escapes_what_is_not_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
