/*
 * fv_version_cmp and fv_version_in_range on version strings as real software
 * prints them: OpenSSL letter and pre-releases, ntp's p-releases, Dropbear's
 * year.release, BusyBox, uClibc and kernel dotted numbers, distribution
 * revisions, and the order being total and transitive over a sorted list.
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/version.h"

static int sign(int x) { return (x > 0) - (x < 0); }

/* a < b, checked both ways. */
static void lt(const char *a, const char *b)
{
	if (sign(fv_version_cmp(a, b)) != -1 || sign(fv_version_cmp(b, a)) != 1) {
		print_error("expected %s < %s, got %d / %d\n", a, b, fv_version_cmp(a, b), fv_version_cmp(b, a));
		fail();
	}
}

static void eq(const char *a, const char *b)
{
	if (fv_version_cmp(a, b) != 0 || fv_version_cmp(b, a) != 0) {
		print_error("expected %s == %s\n", a, b);
		fail();
	}
}

static void pairs(void **state)
{
	(void)state;
	/* OpenSSL: letters are later releases, z < za < zb, pre-releases before the release. */
	lt("1.0.1", "1.0.1a");
	lt("1.0.1e", "1.0.1f");
	lt("1.0.1f", "1.0.1g");
	lt("1.0.1u", "1.0.2");
	lt("0.9.8y", "0.9.8z");
	lt("0.9.8z", "0.9.8za");
	lt("0.9.8za", "0.9.8zh");
	lt("1.0.2u", "1.0.2zb");
	lt("1.0.2-beta1", "1.0.2");
	lt("1.0.2-beta1", "1.0.2-beta2");
	lt("1.0.1-beta3", "1.0.1");
	lt("1.1.0-pre6", "1.1.0");
	lt("3.0.0-alpha1", "3.0.0");
	lt("3.0.0-alpha17", "3.0.0-beta1");
	lt("3.0.0-beta2", "3.0.0");
	lt("3.0.0", "3.0.1");
	lt("1.1.1w", "3.0.0");
	lt("1.0.1-beta1", "1.0.1a");
	/* ntp's p-releases. */
	lt("4.2.8", "4.2.8p9");
	lt("4.2.8p9", "4.2.8p15");
	lt("4.2.7p1", "4.2.8");
	/* rc, dev, ~. */
	lt("2.0rc1", "2.0");
	lt("2.0rc1", "2.0rc2");
	lt("2.0-rc2", "2.0");
	lt("4.4.0-rc1", "4.4.0");
	lt("1.0-dev", "1.0-alpha");
	lt("1.0~rc1", "1.0");
	lt("3.12.0b1", "3.12.0");
	lt("3.12.0a7", "3.12.0b1");
	/* Dropbear, BusyBox, uClibc, the kernel, dnsmasq. */
	lt("2013.62", "2014.63");
	lt("2016.73", "2016.74");
	lt("2019.78", "2020.79");
	lt("1.24.2", "1.35.0");
	lt("1.9.2", "1.19.4");
	lt("1.36.0", "1.36.1");
	lt("0.9.33", "0.9.33.2");
	lt("0.9.32.1", "0.9.33");
	lt("2.6.36", "2.6.36.4");
	lt("2.6.36.4", "2.6.37");
	lt("3.10", "3.10.108");
	lt("4.9.337", "4.14.1");
	lt("2.77", "2.78");
	lt("2.9", "2.10");
	/* Debian revisions come after the upstream part. */
	lt("2.36", "2.36-9");
	lt("2.36-9", "2.36.1");
	lt("2.36-9", "2.36-10");
	lt("1.0.1f", "1.0.1f-1ubuntu2");
	lt("1.0.1f-1ubuntu2", "1.0.1f-1ubuntu10");
	lt("1.0.1f-1ubuntu2", "1.0.1g");
	lt("1.1.1n-0+deb11u4", "1.1.1n-0+deb11u5");
	lt("1.36.1-r0", "1.36.1-r2");
	/* Numbers of any length, leading zeros. */
	lt("1.99999999999999999999", "1.100000000000000000000");
	lt("18446744073709551615", "18446744073709551616");
	eq("1.01", "1.1");
	eq("1.0010", "1.10");
	/* "v", blanks, case, empty. */
	eq("v1.2.3", "1.2.3");
	eq("V2014.63", "2014.63");
	eq(" 1.0.1f ", "1.0.1f");
	eq("1.0.1F", "1.0.1f");
	eq("", "");
	lt("", "0");
	lt("", "1.0");
	eq("1.0.2-beta1", "1.0.2beta1");
	lt("1.0", "1.0.0");
}

static int cmp_qsort(const void *a, const void *b)
{
	return fv_version_cmp(*(const char *const *)a, *(const char *const *)b);
}

/* A list in its true order, shuffled and sorted again; every pair agrees with the positions. */
static void transitive(void **state)
{
	(void)state;
	static const char *const order[] = {
		"", "0.9.8", "0.9.8y", "0.9.8z", "0.9.8za", "0.9.8zh", "1.0.0", "1.0.0m", "1.0.1-beta1",
		"1.0.1-beta2", "1.0.1", "1.0.1a", "1.0.1f", "1.0.1f-1ubuntu2", "1.0.1g", "1.0.1u", "1.0.2-beta1",
		"1.0.2", "1.0.2k", "1.0.2k-fips", "1.0.2p", "1.0.2u", "1.0.2zb", "1.1.0-pre1", "1.1.0", "1.1.0h",
		"1.1.0i", "1.1.1", "1.1.1w", "2.0rc1", "2.0", "2.0.1", "2.6.36", "2.6.36.4", "2.36", "2.36-9",
		"2.36.1", "2.77", "2.78", "3.0.0-alpha1", "3.0.0-beta1", "3.0.0", "4.2.8", "4.2.8p9", "4.2.8p15",
		"2013.62", "2014.63", "2016.74",
	};
	enum { N = sizeof order / sizeof *order };
	const char *list[N];
	memcpy(list, order, sizeof list);
	uint32_t seed = 12345;
	for (size_t i = N - 1; i > 0; i--) {
		seed = seed * 1103515245u + 12345u;
		size_t j = (seed >> 8) % (i + 1);
		const char *t = list[i];
		list[i] = list[j];
		list[j] = t;
	}
	qsort(list, N, sizeof *list, cmp_qsort);
	for (size_t i = 0; i < N; i++)
		assert_string_equal(list[i], order[i]);
	for (size_t i = 0; i < N; i++)
		for (size_t j = 0; j < N; j++)
			assert_int_equal(sign(fv_version_cmp(order[i], order[j])), (i > j) - (i < j));
}

static void ranges(void **state)
{
	(void)state;
	struct fv_vrange hb = { "1.0.1", "1.0.1g", 1, 0, NULL };
	assert_true(fv_version_in_range("1.0.1", &hb));
	assert_true(fv_version_in_range("1.0.1f", &hb));
	assert_false(fv_version_in_range("1.0.1g", &hb));
	assert_false(fv_version_in_range("1.0.1-beta1", &hb)); /* a pre-release of 1.0.1 is before it */
	assert_false(fv_version_in_range("1.0.0m", &hb));
	assert_false(fv_version_in_range("1.0.2", &hb));
	struct fv_vrange excl = { "2.0", "2.5", 0, 1, NULL };
	assert_false(fv_version_in_range("2.0", &excl));
	assert_true(fv_version_in_range("2.0.1", &excl));
	assert_true(fv_version_in_range("2.5", &excl));
	assert_false(fv_version_in_range("2.5.1", &excl));
	struct fv_vrange upto = { NULL, "2.77", 0, 1, NULL };
	assert_true(fv_version_in_range("2.40", &upto));
	assert_true(fv_version_in_range("2.77", &upto));
	assert_false(fv_version_in_range("2.78", &upto));
	struct fv_vrange exact = { NULL, NULL, 0, 0, "1.0.1f" };
	assert_true(fv_version_in_range("1.0.1f", &exact));
	assert_true(fv_version_in_range("v1.0.1F", &exact));
	assert_false(fv_version_in_range("1.0.1g", &exact));
	struct fv_vrange all = { 0 };
	assert_true(fv_version_in_range("42", &all));
}

/* Hostile strings: no crash, and every string equals itself. */
static void hostile(void **state)
{
	(void)state;
	static const char *const s[] = { "-", "+", "~~~", "....", "-rc", "v", "vv1", "1-", "1+", "1.-.2", "\x01\xff",
					 "0000000000000000000000000000000000000000001", "a-b-c-d", "1.0-b", "rc" };
	for (size_t i = 0; i < sizeof s / sizeof *s; i++) {
		assert_int_equal(fv_version_cmp(s[i], s[i]), 0);
		for (size_t j = 0; j < sizeof s / sizeof *s; j++)
			assert_int_equal(sign(fv_version_cmp(s[i], s[j])), -sign(fv_version_cmp(s[j], s[i])));
	}
	assert_int_equal(fv_version_cmp(NULL, ""), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pairs),
		cmocka_unit_test(transitive),
		cmocka_unit_test(ranges),
		cmocka_unit_test(hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
