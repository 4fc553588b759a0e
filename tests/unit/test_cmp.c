/*
 * The integrity stage's byte-level normalisations (cmp.c): which differing
 * runs are build timestamps or build paths on both sides, and which are not
 * (a changed word, a changed number, code bytes), and how differences merge.
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "integrity/cmp.h"

/* Compares two texts of one length as bytes embedded in binary noise; returns the bits applied. */
static unsigned judge(const char *a, const char *b, unsigned allowed, size_t *ndiffs)
{
	size_t n = strlen(a);
	assert_int_equal(n, strlen(b));
	uint8_t *pa = malloc(n + 64), *pb = malloc(n + 64);
	assert_non_null(pa);
	assert_non_null(pb);
	/* Code-like bytes around the text, the same on both sides, NUL right before and after. */
	for (size_t i = 0; i < 31; i++)
		pa[i] = pb[i] = (uint8_t)(0x80 + i * 7);
	pa[31] = pb[31] = 0;
	memcpy(pa + 32, a, n);
	memcpy(pb + 32, b, n);
	for (size_t i = n + 32; i < n + 64; i++)
		pa[i] = pb[i] = (uint8_t)(i == n + 32 ? 0 : 0x90 + i);
	struct fv_cmp c = { 0 };
	uint64_t left = 99;
	assert_int_equal(fv_cmp_bytes(&c, pa, pb, n + 64, 0x1000, allowed, "content", &left), FV_OK);
	unsigned applied = c.applied;
	*ndiffs = c.ndiffs;
	if (c.ndiffs) {
		assert_true(left > 0);
		assert_true(c.diffs[0].offset >= 0x1000 + 32);
	} else {
		assert_int_equal(left, 0);
	}
	fv_cmp_free(&c);
	free(pa);
	free(pb);
	return applied;
}

static void benign(const char *a, const char *b, unsigned expect)
{
	size_t nd;
	unsigned got = judge(a, b, FV_NORM_ALL, &nd);
	if (got != expect || nd != 0) {
		print_error("[%s] vs [%s]: expected bits %#x and no difference, got %#x with %zu\n", a, b, expect, got,
			    nd);
		fail();
	}
	/* Refused, the same difference must be reported. */
	got = judge(a, b, FV_NORM_ALL & ~expect, &nd);
	if (nd == 0) {
		print_error("[%s] vs [%s]: refusing %#x still found nothing\n", a, b, expect);
		fail();
	}
}

static void different(const char *a, const char *b)
{
	size_t nd;
	unsigned got = judge(a, b, FV_NORM_ALL, &nd);
	if (nd == 0) {
		print_error("[%s] vs [%s]: expected a difference, got none (bits %#x)\n", a, b, got);
		fail();
	}
}

static void timestamps(void **state)
{
	(void)state;
	/* __DATE__ and __TIME__, as GCC writes them under SOURCE_DATE_EPOCH. */
	benign("agentd built Nov 14 2023 22:13:20", "agentd built Mar  9 2024 16:00:00", FV_NORM_TIMESTAMP);
	benign("Nov 14 2023", "Dec 24 2025", FV_NORM_TIMESTAMP);
	benign("22:13:20", "16:00:07", FV_NORM_TIMESTAMP);
	/* date(1) and ISO 8601. */
	benign("Tue Nov 14 22:13:20 UTC 2023", "Sat Mar  9 16:00:00 UTC 2024", FV_NORM_TIMESTAMP);
	benign("BUILD_DATE=2023-11-14 22:13:20", "BUILD_DATE=2024-03-09 16:00:00", FV_NORM_TIMESTAMP);
	benign("built 2023-11-14T22:13:20Z ok", "built 2024-03-09T16:00:00Z ok", FV_NORM_TIMESTAMP);
	benign("(2023-11-14 22:13:20 UTC)", "(2024-03-09 16:00:00 UTC)", FV_NORM_TIMESTAMP);
	/* An epoch number on its own. */
	benign("SOURCE_DATE_EPOCH=1700000000", "SOURCE_DATE_EPOCH=1710000000", FV_NORM_TIMESTAMP);
}

static void paths(void **state)
{
	(void)state;
	benign("/home/alice/fw/src/agentd.c", "/home/bobby/fw/src/agentd.c", FV_NORM_BUILD_PATH);
	benign("assert failed: /build/aaaa/src/x.c:12", "assert failed: /build/bbbb/src/x.c:12", FV_NORM_BUILD_PATH);
	/* A different file under the same root is not a build path: the tail differs. */
	different("/build/src/agentd.c", "/build/src/agentx.c");
	/* Nor is a relative path, or a path whose difference reaches its last component only. */
	different("src/aaaa/x.c", "src/bbbb/x.c");
	different("/etc/passwd", "/etc/passwx");
}

static void not_benign(void **state)
{
	(void)state;
	/* Words, versions and numbers that are not dates. */
	different("status-query", "status-Query");
	different("version 1.2.3", "version 1.2.4");
	different("port 8080", "port 8081");
	different("Monitor", "Mondays");
	/* A time-shaped change inside a longer number is no time. */
	different("id 1234:56:78", "id 1234:56:79");
	/* An 8-digit number is no epoch. */
	different("serial 12345678", "serial 12345679");
	/* A date that becomes something else is not a date on both sides. */
	different("Nov 14 2023", "Nox 14 2023");
}

static void code_bytes(void **state)
{
	(void)state;
	/* Instruction bytes are not text: never waved through, whatever is allowed. */
	uint8_t a[64], b[64];
	for (size_t i = 0; i < sizeof a; i++)
		a[i] = b[i] = (uint8_t)(i * 37);
	a[20] = 0x24;
	b[20] = 0x25;
	a[23] = 0x01;
	b[23] = 0x02;
	struct fv_cmp c = { 0 };
	uint64_t left;
	assert_int_equal(fv_cmp_bytes(&c, a, b, sizeof a, 0x400, FV_NORM_ALL, "section .text", &left), FV_OK);
	/* Two runs three bytes apart are one difference. */
	assert_int_equal(c.ndiffs, 1);
	assert_string_equal(c.diffs[0].what, "section .text");
	assert_int_equal(c.diffs[0].offset, 0x400 + 20);
	assert_int_equal(c.diffs[0].size, 4);
	assert_int_equal(left, 2);
	assert_int_equal(c.applied, 0);
	fv_cmp_free(&c);
}

static void add_merges(void **state)
{
	(void)state;
	struct fv_cmp c = { 0 };
	assert_non_null(fv_cmp_add(&c, 100, 10, "section %s", ".data"));
	assert_non_null(fv_cmp_add(&c, 110, 5, "section .data"));  /* touches: merged */
	assert_non_null(fv_cmp_add(&c, 200, 1, "section .data"));  /* apart: new */
	assert_non_null(fv_cmp_add(&c, 201, 1, "section .text"));  /* another section: new */
	assert_int_equal(c.ndiffs, 3);
	assert_int_equal(c.diffs[0].offset, 100);
	assert_int_equal(c.diffs[0].size, 15);
	struct fv_difference *d = &c.diffs[2];
	assert_int_equal(fv_difference_function(d, "main"), FV_OK);
	assert_int_equal(fv_difference_function(d, "main"), FV_OK);
	assert_int_equal(fv_difference_function(d, "scale"), FV_OK);
	assert_int_equal(d->nfunctions, 2);
	/* The list is bounded: thousands of runs end merged into the last entries. */
	for (uint64_t i = 0; i < 5000; i++)
		assert_non_null(fv_cmp_add(&c, 1000 + i * 100, 1, "section .bss"));
	assert_true(c.ndiffs <= 300);
	fv_cmp_free(&c);
	assert_int_equal(c.ndiffs, 0);
}

static void names(void **state)
{
	(void)state;
	for (unsigned b = 1; b & FV_NORM_ALL; b <<= 1) {
		const char *n = fv_norm_name((enum fv_norm)b);
		assert_string_not_equal(n, "?");
		assert_int_equal(fv_norm_parse(n), b);
		assert_string_not_equal(fv_norm_doc((enum fv_norm)b), "?");
	}
	assert_int_equal(fv_norm_parse("nonsense"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timestamps), cmocka_unit_test(paths),	    cmocka_unit_test(not_benign),
		cmocka_unit_test(code_bytes), cmocka_unit_test(add_merges), cmocka_unit_test(names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
