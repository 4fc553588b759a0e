/*
 * The supply analyzer: copies of components become one entry per component
 * and version with every path, judged for end of life, known vulnerabilities
 * and several versions of one component.  The copies come from a feeder
 * analyzer defined here (a file "COPY name version cpe purl method" is a
 * copy at its path), so that these tests depend on supply.c alone and on
 * rules written here, not on the shipped fingerprints or data.
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "analyze/run.h"
#include "core/err.h"
#include "core/map.h"

extern const struct fv_analyzer fv_analyzer_supply;

static char root[256], rules[256];

static int feeder_wants(const struct fv_file *f)
{
	(void)f;
	return 1;
}

static void feeder_run(struct fv_actx *a, void *state, const struct fv_afile *f)
{
	(void)state;
	char buf[512], name[64], version[64], cpe[64], purl[64], method[32];
	size_t n = f->size < sizeof buf - 1 ? f->size : sizeof buf - 1;
	memcpy(buf, f->data, n);
	buf[n] = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (sscanf(line, "COPY %63s %63s %63s %63s %31s", name, version, cpe, purl, method) != 5)
			continue;
		struct fv_component_copy c = {
			.name = name, .title = name, .version = strcmp(version, "-") ? version : "",
			.cpe = strcmp(cpe, "-") ? cpe : NULL, .purl = purl, .offset = 7,
			.evidence = line, .method = method,
		};
		/* Path scope: the copy is at this file's path. */
		fv_actx_component_copy(a, f, &c);
	}
}

static const struct fv_analyzer feeder = {
	.name = "feeder", .scope = FV_SCOPE_PATH, .wants = feeder_wants, .run = feeder_run,
};

static void put_rules(const char *eol, const char *vulns)
{
	char p[300];
	snprintf(p, sizeof p, "%s/eol", rules);
	fv_test_rmtree(p);
	snprintf(p, sizeof p, "%s/vulns", rules);
	fv_test_rmtree(p);
	if (eol)
		fv_test_put(rules, "eol/openssl.txt", eol);
	if (vulns)
		fv_test_put(rules, "vulns/openssl.txt", vulns);
}

static int run(struct fv_results *r, char *err, size_t cap)
{
	static const struct fv_analyzer *const only[] = { &feeder, &fv_analyzer_supply, NULL };
	return fv_test_analyze_with(root, only, rules, NULL, r, err, cap);
}

static const struct fv_component *component(const struct fv_results *r, const char *name,
					    const char *version)
{
	for (size_t i = 0; i < r->ncomponents; i++)
		if (!strcmp(r->components[i].name, name) && !strcmp(r->components[i].version, version))
			return &r->components[i];
	return NULL;
}

static const struct fv_vulnerability *vuln(const struct fv_results *r, const char *id, const char *version)
{
	for (size_t i = 0; i < r->nvulns; i++)
		if (!strcmp(r->vulns[i].id, id) && !strcmp(r->vulns[i].version, version))
			return &r->vulns[i];
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	fv_test_tmpdir(root, sizeof root, "supply-root");
	fv_test_tmpdir(rules, sizeof rules, "supply-rules");
	/* Two copies of 1.0.1f (one seen twice, by two methods), one of 1.0.10, one of 1.0.2k, a
	 * versionless sighting beside a versioned one, and one alone. */
	fv_test_put(root, "usr/lib/libcrypto.so",
		    "COPY openssl 1.0.1f openssl:openssl pkg:generic/openssl string\n"
		    "COPY openssl - openssl:openssl pkg:generic/openssl soname\n");
	fv_test_put(root, "usr/lib/libssl.so",
		    "COPY openssl 1.0.1f openssl:openssl pkg:generic/openssl string\n"
		    "COPY openssl 1.0.1f openssl:openssl pkg:generic/openssl filename\n");
	fv_test_put(root, "opt/a/libssl.so", "COPY openssl 1.0.10 openssl:openssl pkg:generic/openssl string\n");
	fv_test_put(root, "opt/b/libssl.so", "COPY openssl 1.0.2k openssl:openssl pkg:generic/openssl string\n");
	fv_test_put(root, "opt/c/libssl.so", "COPY openssl - openssl:openssl pkg:generic/openssl soname\n");
	fv_test_put(root, "lib/libplus.so", "COPY odd 2.0+git o:vend:odd pkg:generic/odd string\n");
	fv_test_put(root, "status", "COPY luci-base 19.07 - pkg:generic/luci-base opkg\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fv_test_rmtree(root);
	return fv_test_rmtree(rules);
}

static void test_aggregation(void **state)
{
	(void)state;
	put_rules(NULL, NULL);
	struct fv_results r;
	char err[512];
	assert_int_equal(run(&r, err, sizeof err), FV_OK);
	const struct fv_component *c = component(&r, "openssl", "1.0.1f");
	assert_non_null(c);
	/* One path per file, however many methods saw it there. */
	assert_int_equal(c->npaths, 2);
	assert_non_null(strstr(c->paths[0], "!/usr/lib/libcrypto.so"));
	assert_non_null(strstr(c->paths[1], "!/usr/lib/libssl.so"));
	assert_string_equal(c->cpe, "cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*");
	assert_string_equal(c->purl, "pkg:generic/openssl@1.0.1f");
	/* The versionless soname beside a version adds nothing; alone, it is listed. */
	const struct fv_component *none = component(&r, "openssl", "");
	assert_non_null(none);
	assert_int_equal(none->npaths, 1);
	assert_non_null(strstr(none->paths[0], "!/opt/c/libssl.so"));
	/* Components come in name order, versions in version order (1.0.1f < 1.0.2k < 1.0.10). */
	const char *order[] = { "", "1.0.1f", "1.0.2k", "1.0.10" };
	size_t k = 0;
	for (size_t i = 0; i < r.ncomponents; i++)
		if (!strcmp(r.components[i].name, "openssl"))
			assert_string_equal(r.components[i].version, order[k++]);
	assert_int_equal(k, 4);
	/* Quoting: CPE backslashes, purl percent-encoding; a part given in the rule is kept. */
	const struct fv_component *odd = component(&r, "odd", "2.0+git");
	assert_non_null(odd);
	assert_string_equal(odd->cpe, "cpe:2.3:o:vend:odd:2.0\\+git:*:*:*:*:*:*:*");
	assert_string_equal(odd->purl, "pkg:generic/odd@2.0%2Bgit");
	/* A package without a CPE has none. */
	const struct fv_component *luci = component(&r, "luci-base", "19.07");
	assert_non_null(luci);
	assert_null(luci->cpe);
	/* Three versions in four copies is one finding, at the oldest version's first path. */
	const struct fv_finding *f = fv_test_must(&r, "FV-SUPPLY-001", "!/usr/lib/libcrypto.so", "1.0.1f (2)");
	assert_non_null(strstr(f->title, "ships in 3 versions (4 copies)"));
	assert_int_equal(fv_test_count(&r, "FV-SUPPLY-001"), 1);
	assert_int_equal(fv_test_count(&r, "FV-SUPPLY-002"), 0);
	assert_int_equal(r.nvulns, 0);
	fv_results_free(&r);
}

static void test_end_of_life(void **state)
{
	(void)state;
	put_rules("# branch date source\n"
		  "1.0.1  2016-12-31  https://example.org/policy\n"
		  "1.0    2010-01-01  https://example.org/policy   # shorter: loses to 1.0.1\n"
		  "1.0.2  2999-12-31  https://example.org/policy\n",
		  NULL);
	struct fv_results r;
	char err[512];
	assert_int_equal(run(&r, err, sizeof err), FV_OK);
	const struct fv_component *c = component(&r, "openssl", "1.0.1f");
	assert_true(c->eol);
	assert_string_equal(c->eol_date, "2016-12-31");
	/* 1.0.1 does not cover 1.0.10: that one falls to the 1.0 branch. */
	c = component(&r, "openssl", "1.0.10");
	assert_true(c->eol);
	assert_string_equal(c->eol_date, "2010-01-01");
	/* A branch whose end is still ahead has its date, and is not end-of-life. */
	c = component(&r, "openssl", "1.0.2k");
	assert_false(c->eol);
	assert_string_equal(c->eol_date, "2999-12-31");
	assert_int_equal(fv_test_count(&r, "FV-SUPPLY-002"), 2);
	fv_test_must(&r, "FV-SUPPLY-002", "!/usr/lib/libcrypto.so", "1.0.1f");
	fv_results_free(&r);

	put_rules("*  2012-05-15  https://example.org/last-release\n", NULL);
	assert_int_equal(run(&r, err, sizeof err), FV_OK);
	assert_true(component(&r, "openssl", "1.0.2k")->eol);
	assert_int_equal(fv_test_count(&r, "FV-SUPPLY-002"), 3);
	fv_results_free(&r);
}

static void test_bad_eol_rules(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"1.0.1 2016-13-01 https://x\n", /* no month 13 */
		"1.0.1 2016-12-31\n",           /* no source */
		"v1.0 2016-12-31 https://x\n",  /* not a version prefix */
		"** 2016-12-31 https://x\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		put_rules(bad[i], NULL);
		struct fv_results r;
		char err[512] = "";
		assert_int_not_equal(run(&r, err, sizeof err), FV_OK);
		assert_non_null(strstr(err, "eol/openssl.txt:1: expected"));
	}
}

static void test_vulnerabilities(void **state)
{
	(void)state;
	put_rules(NULL,
		  "# id affected cvss kev summary\n"
		  "CVE-2014-0160  >=1.0.1,<1.0.1g  7.5  kev  heartbeat over-read\n"
		  "CVE-2000-0001  >=1.0.2,<=1.0.2k 3.1  -    a low one\n"
		  "CVE-2000-0002  =1.0.10          -    -    no score\n");
	struct fv_results r;
	char err[512];
	assert_int_equal(run(&r, err, sizeof err), FV_OK);
	const struct fv_vulnerability *v = vuln(&r, "CVE-2014-0160", "1.0.1f");
	assert_non_null(v);
	assert_true(v->kev);
	assert_int_equal(v->npaths, 2);
	assert_string_equal(v->severity, "high");
	assert_null(vuln(&r, "CVE-2014-0160", "1.0.10"));
	assert_null(vuln(&r, "CVE-2014-0160", "1.0.2k"));
	v = vuln(&r, "CVE-2000-0001", "1.0.2k");
	assert_non_null(v);
	assert_string_equal(v->severity, "low");
	v = vuln(&r, "CVE-2000-0002", "1.0.10");
	assert_non_null(v);
	assert_true(v->cvss < 0);
	assert_string_equal(v->severity, "unknown");
	/* The versionless copy is never matched. */
	for (size_t i = 0; i < r.nvulns; i++)
		assert_string_not_equal(r.vulns[i].version, "");
	/* Known exploited first. */
	assert_string_equal(r.vulns[0].id, "CVE-2014-0160");
	/* Findings: KEV raises a low score to high; no score is medium. */
	const struct fv_finding *f = fv_test_must(&r, "FV-VULN-001", "!/usr/lib/libcrypto.so", "CVE-2014-0160");
	assert_int_equal(f->severity, FV_SEV_HIGH);
	f = fv_test_must(&r, "FV-VULN-001", "!/opt/b/libssl.so", "CVE-2000-0001");
	assert_int_equal(f->severity, FV_SEV_LOW);
	f = fv_test_must(&r, "FV-VULN-001", "!/opt/a/libssl.so", "CVE-2000-0002");
	assert_int_equal(f->severity, FV_SEV_MEDIUM);
	assert_int_equal(fv_test_count(&r, "FV-VULN-001"), 3);
	fv_results_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aggregation),
		cmocka_unit_test(test_end_of_life),
		cmocka_unit_test(test_bad_eol_rules),
		cmocka_unit_test(test_vulnerabilities),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
