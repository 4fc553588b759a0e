/*
 * The compiled-database cache: a database is compiled once, found again by
 * its patterns, never by another set's, and a damaged file is compiled again.
 */
#include "testlib.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hscache.h"

static char dir[256];

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx)
{
	(void)from, (void)to, (void)flags;
	*(unsigned *)ctx |= 1u << id;
	return 0;
}

/* Which of the database's ids match in text (a bit per id). */
static unsigned matches(const hs_database_t *db, const char *text)
{
	hs_scratch_t *s = NULL;
	assert_int_equal(hs_alloc_scratch(db, &s), HS_SUCCESS);
	unsigned seen = 0;
	assert_int_equal(hs_scan(db, text, (unsigned)strlen(text), 0, s, on_match, &seen), HS_SUCCESS);
	hs_free_scratch(s);
	return seen;
}

/* The one cache file's name into out; how many files the folder holds. */
static int cache_files(char *out, size_t cap)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(out, cap, "%s", e->d_name);
			n++;
		}
	if (d)
		closedir(d);
	return n;
}

static hs_database_t *compile(const char *const *expr, unsigned n)
{
	unsigned ids[4] = { 0, 1, 2, 3 };
	hs_database_t *db = NULL;
	hs_compile_error_t *cerr = NULL;
	assert_int_equal(fv_hs_compile_cached(expr, NULL, ids, n, &db, &cerr), HS_SUCCESS);
	return db;
}

static void test_cache(void **state)
{
	(void)state;
	fv_test_tmpdir(dir, sizeof dir, "hscache");
	setenv("FWVET_CACHE", dir, 1);
	static const char *const a[] = { "alpha[0-9]+", "beta" }, *const b[] = { "gamma", "delta" };
	char name[256], other[256];

	hs_database_t *db = compile(a, 2);
	assert_int_equal(matches(db, "x alpha42 beta"), 3);
	hs_free_database(db);
	assert_int_equal(cache_files(name, sizeof name), 1);

	/* Another set of patterns is another file. */
	db = compile(b, 2);
	assert_int_equal(matches(db, "gamma"), 1);
	hs_free_database(db);
	assert_int_equal(cache_files(other, sizeof other), 2);

	/* The cache is what is read: put b's database under a's name, and a's patterns find b's words. */
	char pa[600], pb[700];
	snprintf(pa, sizeof pa, "%s/%s", dir, name);
	fv_test_sh(dir, "for f in hs-*.db; do [ \"$f\" = %s ] || cp \"$f\" %s.b; done", name, name);
	snprintf(pb, sizeof pb, "%s.b", pa);
	assert_int_equal(rename(pb, pa), 0);
	db = compile(a, 2);
	assert_int_equal(matches(db, "gamma alpha1"), 1);
	hs_free_database(db);

	/* A damaged file is compiled again and replaced. */
	fv_test_put(dir, name, "not a database");
	db = compile(a, 2);
	assert_int_equal(matches(db, "alpha7 beta"), 3);
	hs_free_database(db);
	size_t len;
	uint8_t *bytes = fv_test_load(dir, name, &len);
	assert_true(len > 100);
	free(bytes);

	/* A pattern that does not compile is an error, and nothing is stored. */
	static const char *const bad[] = { "(unclosed" };
	hs_database_t *none = NULL;
	hs_compile_error_t *cerr = NULL;
	unsigned id = 0;
	assert_int_not_equal(fv_hs_compile_cached(bad, NULL, &id, 1, &none, &cerr), HS_SUCCESS);
	assert_non_null(cerr);
	hs_free_compile_error(cerr);
	assert_int_equal(cache_files(other, sizeof other), 2);

	/* FWVET_CACHE=off: compiled every time, nothing written. */
	fv_test_rmtree(dir);
	fv_test_tmpdir(dir, sizeof dir, "hscache");
	setenv("FWVET_CACHE", "off", 1);
	db = compile(a, 2);
	assert_int_equal(matches(db, "beta"), 2);
	hs_free_database(db);
	assert_int_equal(cache_files(other, sizeof other), 0);
	unsetenv("FWVET_CACHE");
	fv_test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
