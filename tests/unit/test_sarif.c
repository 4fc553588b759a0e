/*
 * The SARIF writer on hand-made scan results: hostile paths become clean
 * relative URIs that decode back to the path, a run past GitHub's 25,000
 * results keeps the worst and says so, extraction failures become
 * notifications, and a rule without a catalogue entry is described by its
 * results.  Each log is checked against the official schema.
 */
#include "testlib.h"

#include "analyze/run.h"
#include "core/json.h"
#include "inventory/inventory.h"
#include "report/catalog.h"
#include "report/report.h"
#include "report/sarif.h"
#include "unpack/engine.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct fv_unpack g_u;
static struct fv_inventory g_inv;
static struct fv_results g_res;
static char g_dir[256];

static int setup(void **state)
{
	(void)state;
	fv_test_tmpdir(g_dir, sizeof g_dir, "sarif");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return fv_test_rmtree(g_dir);
}

static struct fv_report report(void)
{
	fv_findings_free(&g_res.findings);
	fv_findings_free(&g_u.findings);
	memset(&g_u, 0, sizeof g_u);
	memset(&g_res, 0, sizeof g_res);
	g_u.image_path = (char *)"/data/fw.bin";
	memcpy(g_u.image_sha256, "ab", 3);
	struct fv_report r = { .u = &g_u, .inv = &g_inv, .res = &g_res, .rules_sha256 = "5e1f" };
	return r;
}

/* validate: check against the schema (python takes seconds on 25,000 results, which are all alike) */
static json_t *render(const struct fv_report *r, const char *name, int validate)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", g_dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	struct fv_json j;
	fv_json_init(&j, f, 1);
	fv_sarif_begin(&j);
	fv_sarif_run(&j, r);
	fv_sarif_end(&j);
	assert_int_equal(fclose(f), 0);
	if (validate)
		fv_test_sh(NULL, "\"$FV_SRCDIR/tests/schemas/validate.sh\" sarif '%s'", path);
	json_error_t e;
	json_t *doc = json_load_file(path, 0, &e);
	if (!doc)
		fail_msg("%s:%d: %s", path, e.line, e.text);
	return doc;
}

static json_t *run0(json_t *doc) { return json_array_get(json_object_get(doc, "runs"), 0); }

static const char *uri_of(json_t *result)
{
	json_t *loc = json_array_get(json_object_get(result, "locations"), 0);
	return json_string_value(
		json_object_get(json_object_get(json_object_get(loc, "physicalLocation"), "artifactLocation"), "uri"));
}

/* The result at offset off (the path is not comparable: a byte that is not UTF-8 comes back as U+00XX). */
static json_t *by_offset(json_t *run, json_int_t off)
{
	size_t i;
	json_t *res;
	json_array_foreach(json_object_get(run, "results"), i, res)
		if (json_integer_value(json_object_get(json_object_get(res, "properties"), "offset")) == off)
			return res;
	fail_msg("no result at offset %lld", (long long)off);
	return NULL;
}

static void test_uris(void **state)
{
	(void)state;
	struct fv_report r = report();
	static const struct {
		const char *path, *uri;
	} cases[] = {
		{ "fw.bin!0x40000.squashfs!/etc/shadow", "fw.bin!0x40000.squashfs!/etc/shadow" },
		{ "fw.bin!0x0.tar!/../../etc/passwd", "fw.bin!0x0.tar!/%2E%2E/%2E%2E/etc/passwd" },
		{ "fw.bin!0x0.tar!/./a/.b/..c/.", "fw.bin!0x0.tar!/%2E/a/.b/..c/%2E" },
		{ "fw.bin!0x0.tar!/a b\"c%d#e?f:g", "fw.bin!0x0.tar!/a%20b%22c%25d%23e%3Ff%3Ag" },
		{ "fw.bin!0x0.tar!/\xff\xfe\x01\x7f<>\\", "fw.bin!0x0.tar!/%FF%FE%01%7F%3C%3E%5C" },
		{ "fw.bin!0x0.tar!/caf\xc3\xa9", "fw.bin!0x0.tar!/caf%C3%A9" },
		{ "/abs!x", "%2Fabs!x" },
		{ "a//b", "a//b" },
	};
	size_t n = sizeof cases / sizeof *cases;
	for (size_t i = 0; i < n; i++)
		fv_findings_add(&g_res.findings, "FV-ACCT-001", "account", FV_SEV_HIGH, FV_CONF_HIGH, cases[i].path, i,
				"ev", "title %zu", i);
	json_t *doc = render(&r, "uris.sarif", 1);
	json_t *run = run0(doc);
	assert_int_equal(json_array_size(json_object_get(run, "results")), n);
	for (size_t i = 0; i < n; i++) {
		json_t *res = by_offset(run, (json_int_t)i);
		if (strcmp(uri_of(res), cases[i].uri))
			fail_msg("case %zu: got uri %s, expected %s", i, uri_of(res), cases[i].uri);
	}
	json_decref(doc);
}

static void test_truncated(void **state)
{
	(void)state;
	struct fv_report r = report();
	/* 25,000 info findings, then three worse ones: the worse must survive the cut */
	for (int i = 0; i < 25000; i++)
		fv_findings_add(&g_res.findings, "FV-NET-001", "exfiltration", FV_SEV_INFO, FV_CONF_MEDIUM,
				"fw.bin!0x0.squashfs!/bin/x", (uint64_t)i, "1.2.3.4", "endpoint %d", i);
	fv_findings_add(&g_res.findings, "FV-SVC-002", "backdoor", FV_SEV_CRITICAL, FV_CONF_HIGH,
			"fw.bin!0x0.squashfs!/etc/rc", 7, "nc -l -e /bin/sh", "bind shell");
	fv_findings_add(&g_res.findings, "FV-HARD-001", "hardening", FV_SEV_LOW, FV_CONF_HIGH,
			"fw.bin!0x0.squashfs!/bin/y", 0, "no canary", "unhardened");
	fv_findings_add(&g_u.findings, "FV-EXTR-005", "extraction", FV_SEV_LOW, FV_CONF_HIGH, "fw.bin!0x0.squashfs",
			0, "file limit", "limit");
	json_t *doc = render(&r, "big.sarif", 0);
	json_t *run = run0(doc);
	json_t *results = json_object_get(run, "results");
	assert_int_equal(json_array_size(results), 25000);
	assert_string_equal(json_string_value(json_object_get(json_array_get(results, 0), "ruleId")), "FV-SVC-002");
	assert_string_equal(json_string_value(json_object_get(json_array_get(results, 0), "level")), "error");
	int hard = 0, extr = 0;
	size_t i;
	json_t *res;
	json_array_foreach(results, i, res)
	{
		hard += !strcmp(json_string_value(json_object_get(res, "ruleId")), "FV-HARD-001");
		extr += !strcmp(json_string_value(json_object_get(res, "ruleId")), "FV-EXTR-005");
	}
	assert_int_equal(hard, 1);
	assert_int_equal(extr, 1);
	json_t *props = json_object_get(run, "properties");
	assert_true(json_is_true(json_object_get(props, "results_truncated")));
	assert_int_equal(json_integer_value(json_object_get(props, "findings")), 25003);
	json_t *notes = json_object_get(json_array_get(json_object_get(run, "invocations"), 0),
					"toolExecutionNotifications");
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(json_array_get(notes, 0), "message"),
								  "text")),
			       "25003 findings"));
	/* the rule list holds the rules of the kept results, once each, and ruleIndex points into it */
	assert_int_equal(json_array_size(json_object_get(json_object_get(json_object_get(run, "tool"), "driver"),
							 "rules")),
			 4);
	json_decref(doc);
}

static void test_extraction_and_fallbacks(void **state)
{
	(void)state;
	struct fv_report r = report();
	struct fv_xentry e[2] = {
		{ .path = (char *)"fw.bin!0x40.gzip", .format = "gzip", .off = 0x40, .status = FV_XS_PARTIAL,
		  .error = (char *)"0x1234: expected a deflate block, found type 3" },
		{ .path = (char *)"fw.bin!0x9000.jffs2", .format = "jffs2", .off = 0x9000, .status = FV_XS_FAILED,
		  .error = (char *)"bad \"node\" \xff" },
	};
	g_u.entries = e;
	g_u.nentries = 2;
	/* a user's rule: no catalogue entry, an empty title */
	fv_findings_add(&g_res.findings, "ACME-X", "backdoor", FV_SEV_MEDIUM, FV_CONF_LOW, "fw.bin", 3, "", "%s", "");
	json_t *doc = render(&r, "extr.sarif", 1);
	json_t *run = run0(doc);
	json_t *inv = json_array_get(json_object_get(run, "invocations"), 0);
	assert_true(json_is_false(json_object_get(inv, "executionSuccessful")));
	json_t *notes = json_object_get(inv, "toolExecutionNotifications");
	assert_int_equal(json_array_size(notes), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(notes, 0), "level")), "warning");
	assert_string_equal(json_string_value(json_object_get(json_array_get(notes, 1), "level")), "error");
	json_t *res = json_array_get(json_object_get(run, "results"), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(res, "message"), "text")), "ACME-X");
	json_t *rule = json_array_get(json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules"),
				      0);
	assert_string_equal(json_string_value(json_object_get(rule, "id")), "ACME-X");
	assert_null(json_object_get(rule, "helpUri"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(rule, "properties"), "security-severity")),
			    "5.5");
	json_decref(doc);

	/* with the shipped catalogue, a shipped rule carries its help and first reference */
	g_u.entries = NULL;
	g_u.nentries = 0;
	r = report();
	fv_findings_add(&g_res.findings, "FV-ACCT-001", "account", FV_SEV_HIGH, FV_CONF_HIGH, "fw.bin!x!/etc/passwd",
			10, "toor:x:0:0", "uid 0");
	char err[512];
	struct fv_catalog *cat = NULL;
	assert_int_equal(fv_catalog_load(FV_SOURCE_RULES, NULL, &cat, err, sizeof err), 0);
	r.catalog = cat;
	doc = render(&r, "cat.sarif", 1);
	run = run0(doc);
	inv = json_array_get(json_object_get(run, "invocations"), 0);
	assert_true(json_is_true(json_object_get(inv, "executionSuccessful")));
	rule = json_array_get(json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules"), 0);
	const struct fv_rule_info *ri = fv_catalog_find(cat, "FV-ACCT-001");
	assert_string_equal(json_string_value(json_object_get(rule, "name")), ri->name);
	assert_string_equal(json_string_value(json_object_get(rule, "helpUri")), ri->refs[0]);
	assert_string_equal(json_string_value(json_object_get(json_object_get(rule, "shortDescription"), "text")),
			    ri->summary);
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(rule, "help"), "markdown")),
			       ri->refs[0]));
	json_decref(doc);
	fv_catalog_free(cat);
	fv_findings_free(&g_res.findings);
	fv_findings_free(&g_u.findings);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uris),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_extraction_and_fallbacks),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
