/*
 * The vulnerability database: the curated rules/vulns reader (good files
 * and every kind of bad line), matching semantics (bounds inclusive and
 * exclusive, several ranges of one id, exact versions, each id once,
 * imported data before the rules, KEV from the catalogue or the rules), and
 * the importers on tests/data/vulndb: NVD plain and gzipped, OSV record,
 * array and zip, KEV; idempotence; a malformed file imports nothing.
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "vuln/vulndb.h"

static char tmp[256];
static char data[512];

static int setup(void **state)
{
	(void)state;
	fv_test_tmpdir(tmp, sizeof tmp, "vulndb");
	const char *src = getenv("FV_SRCDIR");
	snprintf(data, sizeof data, "%s/tests/data/vulndb", src ? src : ".");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return fv_test_rmtree(tmp);
}

/* ---- collecting matches ----------------------------------------------------------- */

struct hit {
	char id[64], source[8], range[128];
	int kev;
	double cvss;
};

struct hits {
	struct hit h[32];
	size_t n;
};

static void collect(void *ctx, const struct fv_vuln_match *m)
{
	struct hits *hs = ctx;
	assert_true(hs->n < 32);
	struct hit *h = &hs->h[hs->n++];
	snprintf(h->id, sizeof h->id, "%s", m->id);
	snprintf(h->source, sizeof h->source, "%s", m->source);
	snprintf(h->range, sizeof h->range, "%s", m->range);
	h->kev = m->kev;
	h->cvss = m->cvss;
	assert_non_null(m->summary);
}

static struct hits match(struct fv_vulndb *db, const char *name, const char *cpe, const char *version)
{
	struct hits hs = { .n = 0 };
	assert_int_equal(fv_vulndb_match(db, name, cpe, version, collect, &hs), 0);
	/* Each id once. */
	for (size_t i = 0; i < hs.n; i++)
		for (size_t j = i + 1; j < hs.n; j++)
			assert_string_not_equal(hs.h[i].id, hs.h[j].id);
	return hs;
}

/* The ids of hs, space-separated in report order. */
static const char *ids(const struct hits *hs)
{
	static char buf[1024];
	buf[0] = 0;
	for (size_t i = 0; i < hs->n; i++)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? " " : "", hs->h[i].id);
	return buf;
}

static void expect(struct fv_vulndb *db, const char *name, const char *cpe, const char *version, const char *want)
{
	struct hits hs = match(db, name, cpe, version);
	if (strcmp(ids(&hs), want)) {
		print_error("%s %s: expected [%s], got [%s]\n", name, version, want, ids(&hs));
		fail();
	}
}

static const struct hit *find(const struct hits *hs, const char *id)
{
	for (size_t i = 0; i < hs->n; i++)
		if (!strcmp(hs->h[i].id, id))
			return &hs->h[i];
	return NULL;
}

/* ---- curated rules ----------------------------------------------------------------- */

static const char openssl_rules[] =
	"# id            affected               cvss  kev  summary\n"
	"CVE-2014-0160   >=1.0.1,<1.0.1g        7.5   kev  TLS heartbeat read overrun discloses memory (Heartbleed)\n"
	"CVE-2014-0160   =1.0.2-beta1           7.5   kev  TLS heartbeat read overrun discloses memory (Heartbleed)\n"
	"\n"
	"CVE-2014-0224   <0.9.8za               7.4   -    ChangeCipherSpec injection (issue #1 of June 2014)\n"
	"CVE-2014-0224   >=1.0.0,<1.0.0m        7.4   -    ChangeCipherSpec injection\n"
	"\tCVE-2014-0224 >=1.0.1,<1.0.1h 7.4 - ChangeCipherSpec injection\n"
	"CVE-2016-2108   <1.0.1o                9.8   -    ASN.1 encoder negative zero corrupts memory\n"
	"CVE-2016-2108   >=1.0.2,<1.0.2c        9.8   -    ASN.1 encoder negative zero corrupts memory\n";

static const char dropbear_rules[] =
	"CVE-2016-7406   <2016.74               9.8   -    format string in the username or host argument\n"
	"CVE-2012-0920   >=0.52,<=2011.54       7.1   -    use after free in channel command handling\n";

static void write_rules(const char *dir)
{
	char f[512];
	snprintf(f, sizeof f, "%s/openssl.txt", dir);
	fv_test_put(tmp, f, openssl_rules);
	snprintf(f, sizeof f, "%s/dropbear.txt", dir);
	fv_test_put(tmp, f, dropbear_rules);
	snprintf(f, sizeof f, "%s/README", dir);
	fv_test_put(tmp, f, "not a rules file\n");
}

static void rules_match(void **state)
{
	(void)state;
	write_rules("rules1");
	char dir[512];
	snprintf(dir, sizeof dir, "%s/rules1", tmp);
	struct fv_vulndb *db;
	char err[512];
	assert_int_equal(fv_vulndb_open(NULL, dir, &db, err, sizeof err), 0);
	assert_null(fv_vulndb_date(db));
	expect(db, "openssl", "openssl:openssl", "1.0.1f", "CVE-2014-0160 CVE-2014-0224 CVE-2016-2108");
	expect(db, "openssl", NULL, "1.0.1", "CVE-2014-0160 CVE-2014-0224 CVE-2016-2108");
	expect(db, "openssl", NULL, "1.0.1g", "CVE-2014-0224 CVE-2016-2108");
	expect(db, "openssl", NULL, "1.0.1h", "CVE-2016-2108");
	expect(db, "openssl", NULL, "1.0.1o", "");
	/* A pre-release of 1.0.2 is after 1.0.1o and before 1.0.2: only the exact line. */
	expect(db, "openssl", NULL, "1.0.2-beta1", "CVE-2014-0160");
	expect(db, "openssl", NULL, "1.0.2-beta2", "");
	expect(db, "openssl", NULL, "1.0.2c", "");
	expect(db, "openssl", NULL, "0.9.8y", "CVE-2014-0224 CVE-2016-2108");
	expect(db, "openssl", NULL, "0.9.8za", "CVE-2016-2108");
	expect(db, "openssl", NULL, "", "");
	expect(db, "dropbear", NULL, "2014.63", "CVE-2016-7406");
	expect(db, "dropbear", NULL, "2011.54", "CVE-2016-7406 CVE-2012-0920");
	expect(db, "dropbear", NULL, "0.52", "CVE-2016-7406 CVE-2012-0920");
	expect(db, "dropbear", NULL, "0.51", "CVE-2016-7406");
	expect(db, "dropbear", NULL, "2016.74", "");
	expect(db, "busybox", NULL, "1.20.0", "");
	struct hits hs = match(db, "openssl", NULL, "1.0.1f");
	assert_string_equal(hs.h[0].source, "rules");
	assert_string_equal(hs.h[0].range, ">=1.0.1,<1.0.1g");
	assert_int_equal(hs.h[0].kev, 1);
	assert_true(hs.h[0].cvss > 7.49 && hs.h[0].cvss < 7.51);
	assert_int_equal(hs.h[1].kev, 0);
	fv_vulndb_close(db);

	/* A missing folder is no error: nothing curated. */
	snprintf(dir, sizeof dir, "%s/no-such-folder", tmp);
	assert_int_equal(fv_vulndb_open(NULL, dir, &db, err, sizeof err), 0);
	expect(db, "openssl", NULL, "1.0.1f", "");
	fv_vulndb_close(db);
}

/* One bad file: open fails and the message names file:line and what was expected. */
static void bad_rule(const char *file, const char *text, const char *want_line, const char *want)
{
	static int k;
	char dir[512], err[512], rel[256];
	snprintf(rel, sizeof rel, "bad%d/%s", k, file);
	snprintf(dir, sizeof dir, "%s/bad%d", tmp, k++);
	fv_test_put(tmp, rel, text);
	struct fv_vulndb *db = NULL;
	int rc = fv_vulndb_open(NULL, dir, &db, err, sizeof err);
	if (rc == 0 || !strstr(err, want_line) || !strstr(err, want)) {
		print_error("%s: expected an error with [%s] and [%s], got %d [%s]\n", text, want_line, want, rc,
			    rc ? err : "");
		fail();
	}
	assert_null(db);
}

static void rules_bad(void **state)
{
	(void)state;
	const char *ok = "CVE-2014-0160 >=1.0.1,<1.0.1g 7.5 kev Heartbleed\n";
	char buf[512];
	snprintf(buf, sizeof buf, "%s# comment\n%s", ok, "CVE-2014-0160 >=1.0.1,<1.0.1g 7.5 kev\n");
	bad_rule("openssl.txt", buf, "openssl.txt:3:", "expected a summary");
	bad_rule("openssl.txt", "CVE-2014-0160 ~1.0.1 7.5 kev x\n", "openssl.txt:1:", "expected bounds");
	bad_rule("openssl.txt", "CVE-2014-0160 >=1.0.1,<1.0.1g, 7.5 kev x\n", ":1:", "expected bounds");
	bad_rule("openssl.txt", "CVE-2014-0160 >=1.0.1,>=1.0.2 7.5 kev x\n", ":1:", "at most one lower");
	bad_rule("openssl.txt", "CVE-2014-0160 =1.0.1,<1.0.2 7.5 kev x\n", ":1:", "expected bounds");
	bad_rule("openssl.txt", "CVE-2014-0160 >=,<1.0.2 7.5 kev x\n", ":1:", "expected bounds");
	bad_rule("openssl.txt", "CVE-2014-0160 <=x1 7.5 kev x\n", ":1:", "starting with a digit");
	bad_rule("openssl.txt", "CVE-2014-0160 <1.0.1g 11.0 kev x\n", ":1:", "expected a CVSS base score");
	bad_rule("openssl.txt", "CVE-2014-0160 <1.0.1g 7 kev x\n", ":1:", "expected a CVSS base score");
	bad_rule("openssl.txt", "CVE-2014-0160 <1.0.1g 7.5 yes x\n", ":1:", "expected kev or -");
	bad_rule("openssl.txt", "CVE-14-0160 <1.0.1g 7.5 kev x\n", ":1:", "expected an id");
	bad_rule("openssl.txt", "CVE-2014-0160\n", ":1:", "expected the affected versions");
	bad_rule("openssl.txt", "CVE-2014-0160 <1.0.1g 7.5 kev bad\x01summary\n", ":1:", "printable");
	bad_rule("OpenSSL.txt", ok, "OpenSSL.txt", "expected a component name");
}

/* ---- importing --------------------------------------------------------------------- */

static void fixture(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", data, name);
}

static struct fv_vulndb_stats import_ok(const char *db, const char *file)
{
	struct fv_vulndb_stats st;
	char err[1024], path[1024];
	if (file[0] == '/')
		snprintf(path, sizeof path, "%s", file);
	else
		fixture(path, sizeof path, file);
	int rc = fv_vulndb_import(db, path, &st, err, sizeof err);
	if (rc) {
		print_error("import %s: %s\n", file, err);
		fail();
	}
	return st;
}

/* A failing import; returns the message. */
static const char *import_bad(const char *db, const char *path)
{
	static char err[1024];
	struct fv_vulndb_stats st;
	assert_int_equal(fv_vulndb_import(db, path, &st, err, sizeof err), FV_EFORMAT);
	return err;
}

static struct fv_vulndb_info info(const char *db)
{
	struct fv_vulndb_info in;
	char err[512];
	assert_int_equal(fv_vulndb_info(db, &in, err, sizeof err), 0);
	return in;
}

static void import_match(void **state)
{
	(void)state;
	char db[512], err[512];
	snprintf(db, sizeof db, "%s/import.db", tmp);
	struct fv_vulndb_info in = info(db);
	assert_int_equal(in.exists, 0);

	struct fv_vulndb_stats st = import_ok(db, "nvd_sample.json");
	assert_string_equal(st.format, "nvd");
	assert_int_equal(st.records, 6);
	assert_int_equal(st.added, 6);
	struct fv_vulndb *v;
	assert_int_equal(fv_vulndb_open(db, NULL, &v, err, sizeof err), 0);
	assert_string_equal(fv_vulndb_date(v), "2024-11-21");
	/* Concrete versions, and version + update joined (1.0.1 beta1). */
	expect(v, "openssl", "openssl:openssl", "1.0.1f", "CVE-2014-0160 CVE-2014-0198");
	expect(v, "openssl", "openssl:openssl", "1.0.1-beta1", "CVE-2014-0160");
	expect(v, "openssl", "openssl:openssl", "1.0.1g", "CVE-2014-0198");
	expect(v, "openssl", "openssl:openssl", "1.0.1h", "");
	/* Two start/end ranges of one id. */
	expect(v, "openssl", "openssl:openssl", "1.0.0l", "CVE-2014-0198");
	expect(v, "openssl", "openssl:openssl", "1.0.0m", "");
	expect(v, "openssl", "openssl:openssl", "1.0.2", "CVE-2018-0732");
	expect(v, "openssl", "openssl:openssl", "1.0.2o", "CVE-2018-0732");
	expect(v, "openssl", "openssl:openssl", "1.0.2p", "");
	expect(v, "openssl", "openssl:openssl", "1.1.0h", "CVE-2018-0732");
	expect(v, "openssl", "openssl:openssl", "1.1.0i", "");
	/* NVD is matched by CPE only. */
	expect(v, "openssl", NULL, "1.0.1f", "");
	expect(v, "dnsmasq", "thekelleys:dnsmasq", "2.77", "CVE-2017-14491");
	expect(v, "dnsmasq", "thekelleys:dnsmasq", "2.78", "");
	expect(v, "busybox", "busybox:busybox", "1.34.1", "CVE-2022-48174");
	expect(v, "busybox", "busybox:busybox", "1.35.0", "");
	expect(v, "dropbear", "dropbear_ssh_project:dropbear_ssh", "2014.63", "CVE-2016-7406");
	expect(v, "dropbear", "dropbear_ssh_project:dropbear_ssh", "2016.74", "");
	struct hits hs = match(v, "openssl", "openssl:openssl", "1.0.1f");
	assert_string_equal(hs.h[0].source, "nvd");
	assert_string_equal(hs.h[0].range, "=1.0.1f");
	assert_int_equal(hs.h[0].kev, 0);
	assert_string_equal(hs.h[1].range, ">=1.0.1 <1.0.1h");
	assert_true(hs.h[1].cvss > 4.29 && hs.h[1].cvss < 4.31); /* v2 only */
	hs = match(v, "dropbear", "dropbear_ssh_project:dropbear_ssh", "2014.63");
	assert_true(hs.h[0].cvss > 9.79 && hs.h[0].cvss < 9.81); /* v3.0 */
	fv_vulndb_close(v);

	/* KEV, then OSV. */
	st = import_ok(db, "kev_sample.json");
	assert_string_equal(st.format, "kev");
	assert_int_equal(st.added, 3);
	st = import_ok(db, "osv_single.json");
	assert_string_equal(st.format, "osv");
	assert_int_equal(st.added, 1);
	st = import_ok(db, "osv_array.json");
	assert_int_equal(st.records, 2);
	assert_int_equal(st.added, 2);
	assert_int_equal(fv_vulndb_open(db, NULL, &v, err, sizeof err), 0);
	assert_string_equal(fv_vulndb_date(v), "2025-01-14");
	hs = match(v, "openssl", "openssl:openssl", "1.0.1f");
	assert_int_equal(find(&hs, "CVE-2014-0160")->kev, 1);
	assert_int_equal(find(&hs, "CVE-2014-0198")->kev, 0);
	const char *log4j = "org.apache.logging.log4j:log4j-core";
	expect(v, log4j, NULL, "2.14.1", "GHSA-7rjr-3q55-vv33 GHSA-jfh8-c2jp-5v3q");
	expect(v, log4j, NULL, "2.15.0", "GHSA-7rjr-3q55-vv33");
	expect(v, log4j, NULL, "2.16.0", "");
	expect(v, log4j, NULL, "2.0-rc1", "GHSA-7rjr-3q55-vv33 GHSA-jfh8-c2jp-5v3q");
	expect(v, log4j, NULL, "2.3.1", "");
	expect(v, "Org.Apache.Logging.Log4j:Log4j-Core", NULL, "2.12.1", "GHSA-7rjr-3q55-vv33 GHSA-jfh8-c2jp-5v3q");
	hs = match(v, log4j, NULL, "2.14.1");
	assert_int_equal(find(&hs, "GHSA-jfh8-c2jp-5v3q")->kev, 1); /* through its alias CVE-2021-44228 */
	assert_int_equal(find(&hs, "GHSA-jfh8-c2jp-5v3q")->cvss > 9.99, 1);
	assert_int_equal(find(&hs, "GHSA-7rjr-3q55-vv33")->kev, 0);
	assert_string_equal(find(&hs, "GHSA-7rjr-3q55-vv33")->source, "osv");
	/* OSV by the CPE product as well as by name. */
	expect(v, "lodash", NULL, "4.17.15", "GHSA-p6mc-m468-83gw");
	expect(v, "something", "lodash:lodash", "4.17.15", "GHSA-p6mc-m468-83gw");
	expect(v, "lodash", NULL, "4.17.19", "");
	expect(v, "lodash", NULL, "3.6.0", "");
	fv_vulndb_close(v);

	in = info(db);
	assert_int_equal(in.exists, 1);
	assert_int_equal(in.nvd, 6);
	assert_int_equal(in.osv, 3);
	assert_int_equal(in.kev, 3);
	assert_int_equal(in.imports, 4);
	assert_string_equal(in.date, "2025-01-14");

	/* Again: nothing changes. */
	st = import_ok(db, "nvd_sample.json");
	assert_int_equal(st.added + st.changed, 0);
	assert_int_equal(st.unchanged, 6);
	st = import_ok(db, "kev_sample.json");
	assert_int_equal(st.unchanged, 3);
	st = import_ok(db, "osv_array.json");
	assert_int_equal(st.unchanged, 2);
	struct fv_vulndb_info again = info(db);
	assert_memory_equal(&in, &again, sizeof in);
}

/* Imported data first, then the rules; an id once; KEV from the rules for imported data. */
static void imported_before_rules(void **state)
{
	(void)state;
	write_rules("rules2");
	char db[512], dir[512], err[512];
	snprintf(db, sizeof db, "%s/order.db", tmp);
	snprintf(dir, sizeof dir, "%s/rules2", tmp);
	fv_test_put(tmp, "rules2/lodash.txt",
		    "CVE-2020-8203  >=3.7.0,<4.17.19  7.4  -  prototype pollution through zipObjectDeep and others\n");
	import_ok(db, "nvd_sample.json");
	struct fv_vulndb *v;
	assert_int_equal(fv_vulndb_open(db, dir, &v, err, sizeof err), 0);
	struct hits hs = match(v, "openssl", "openssl:openssl", "1.0.1f");
	assert_string_equal(ids(&hs), "CVE-2014-0160 CVE-2014-0198 CVE-2014-0224 CVE-2016-2108");
	assert_string_equal(hs.h[0].source, "nvd");
	assert_int_equal(hs.h[0].kev, 1); /* no KEV imported: the rules' kev column */
	assert_string_equal(hs.h[1].source, "nvd");
	assert_string_equal(hs.h[2].source, "rules");
	expect(v, "dropbear", "dropbear_ssh_project:dropbear_ssh", "2014.63", "CVE-2016-7406");
	assert_string_equal(match(v, "dropbear", "dropbear_ssh_project:dropbear_ssh", "2014.63").h[0].source, "nvd");
	/* Without a CPE, only the rules. */
	hs = match(v, "openssl", NULL, "1.0.1f");
	assert_string_equal(ids(&hs), "CVE-2014-0160 CVE-2014-0224 CVE-2016-2108");
	expect(v, "lodash", NULL, "4.17.15", "CVE-2020-8203");
	fv_vulndb_close(v);

	/* An OSV record stands for its aliases: the curated line of its CVE is not repeated. */
	import_ok(db, "osv_array.json");
	assert_int_equal(fv_vulndb_open(db, dir, &v, err, sizeof err), 0);
	expect(v, "lodash", NULL, "4.17.15", "GHSA-p6mc-m468-83gw");
	expect(v, "lodash", NULL, "4.17.19", "");
	fv_vulndb_close(v);
}

static void compressed_and_zip(void **state)
{
	(void)state;
	char db[512], gz[512], zip[512];
	snprintf(db, sizeof db, "%s/gz.db", tmp);
	snprintf(gz, sizeof gz, "%s/nvd_sample.json.gz", tmp);
	snprintf(zip, sizeof zip, "%s/osv.zip", tmp);
	fv_test_sh(NULL, "gzip -n -c '%s/nvd_sample.json' > '%s'", data, gz);
	struct fv_vulndb_stats st = import_ok(db, gz);
	assert_string_equal(st.format, "nvd");
	assert_int_equal(st.added, 6);
	if (fv_test_have("zip"))
		fv_test_sh(tmp, "zip -q -j -X '%s' '%s/osv_single.json' '%s/osv_array.json'", zip, data, data);
	else
		fv_test_sh(tmp, "cp '%s/osv_single.json' '%s/osv_array.json' . && bsdtar --format zip -cf '%s' "
			   "osv_single.json osv_array.json", data, data, zip);
	st = import_ok(db, zip);
	assert_string_equal(st.format, "osv-zip");
	assert_int_equal(st.records, 3);
	assert_int_equal(st.added, 3);
	st = import_ok(db, zip);
	assert_int_equal(st.unchanged, 3);
	struct fv_vulndb_info in = info(db);
	assert_int_equal(in.nvd, 6);
	assert_int_equal(in.osv, 3);
}

/* Replaces the first `from` of the text in src with `to`, into dst. */
static void edited(const char *src, const char *dst, const char *from, const char *to)
{
	size_t n;
	char *t = (char *)fv_test_load(NULL, src, &n);
	char *at = strstr(t, from);
	assert_non_null(at);
	size_t k = (size_t)(at - t), fn = strlen(from), tn = strlen(to);
	char *out = malloc(n - fn + tn + 1);
	assert_non_null(out);
	memcpy(out, t, k);
	memcpy(out + k, to, tn);
	memcpy(out + k + tn, at + fn, n - k - fn + 1);
	fv_test_put(NULL, dst, out);
	free(out);
	free(t);
}

static void malformed(void **state)
{
	(void)state;
	char db[512], path[1024];
	snprintf(db, sizeof db, "%s/bad.db", tmp);
	fixture(path, sizeof path, "nvd_no_id.json");
	const char *e = import_bad(db, path);
	assert_non_null(strstr(e, "nvd_no_id.json: record 2: expected a string \"id\""));
	assert_int_equal(info(db).nvd, 0);
	fixture(path, sizeof path, "nvd_bad_criteria.json");
	e = import_bad(db, path);
	assert_non_null(strstr(e, "record 4 (CVE-2017-14491): expected a string \"criteria\""));
	assert_non_null(strstr(e, "found the number 42"));
	assert_int_equal(info(db).nvd, 0);
	assert_int_equal(info(db).ranges, 0);
	fixture(path, sizeof path, "osv_bad_range.json");
	e = import_bad(db, path);
	assert_non_null(strstr(e, "record 2 (GHSA-p6mc-m468-83gw)"));
	assert_non_null(strstr(e, "\"soon\""));
	assert_int_equal(info(db).osv, 0);
	fixture(path, sizeof path, "kev_bad_date.json");
	e = import_bad(db, path);
	assert_non_null(strstr(e, "record 2 (CVE-2014-6271)"));
	assert_int_equal(info(db).kev, 0);
	assert_int_equal(info(db).imports, 0);

	/* Truncated JSON, and JSON that is none of the formats. */
	char cut[512];
	snprintf(cut, sizeof cut, "%s/truncated.json", tmp);
	fv_test_sh(NULL, "head -c 3000 '%s/nvd_sample.json' > '%s'", data, cut);
	e = import_bad(db, cut);
	assert_non_null(strstr(e, "truncated.json: record 1: line "));
	assert_non_null(strstr(e, "expected valid JSON, found the end of the file"));
	/* Cut inside its second record, and the same gzipped (read by the same streaming reader). */
	fv_test_sh(NULL, "head -c 6500 '%s/nvd_sample.json' > '%s'", data, cut);
	e = import_bad(db, cut);
	assert_non_null(strstr(e, "truncated.json: record 2: line "));
	fv_test_sh(NULL, "gzip -n -f '%s'", cut);
	snprintf(cut, sizeof cut, "%s/truncated.json.gz", tmp);
	e = import_bad(db, cut);
	assert_non_null(strstr(e, "truncated.json.gz: record 2: line "));
	/* Broken structure outside the records. */
	snprintf(cut, sizeof cut, "%s/tail.json", tmp);
	fv_test_put(NULL, cut, "{\"format\": \"NVD_CVE\", \"version\": \"2.0\", \"vulnerabilities\": [], \"x\": }");
	e = import_bad(db, cut);
	assert_non_null(strstr(e, "expected valid JSON"));
	fv_test_put(NULL, cut, "{\"format\": \"NVD_CVE\", \"version\": \"2.0\", \"vulnerabilities\": [{}] x");
	e = import_bad(db, cut);
	assert_non_null(strstr(e, "record 1"));
	fv_test_put(NULL, cut, "{\"format\": \"NVD_CVE\", \"version\": \"2.0\", \"vulnerabilities\": []} x");
	e = import_bad(db, cut);
	assert_non_null(strstr(e, "after the document"));
	fv_test_put(NULL, cut, "{\"format\": \"NVD_CVE\", \"version\": \"1.1\", \"vulnerabilities\": []}");
	e = import_bad(db, cut);
	assert_non_null(strstr(e, "version \"2.0\""));
	snprintf(cut, sizeof cut, "%s/other.json", tmp);
	fv_test_put(NULL, cut, "{\"vulnerabilities\": []}\n");
	e = import_bad(db, cut);
	assert_non_null(strstr(e, "expected an NVD CVE JSON 2.0 feed"));
	assert_int_equal(info(db).nvd + info(db).osv + info(db).kev, 0);

	/*
	 * Over stored data: a later edition of record 1 (its modified date moved on, made up for this test)
	 * in a file whose record 2 is bad leaves the stored record as it was.
	 */
	import_ok(db, "osv_array.json");
	char src[1024], dst[512];
	fixture(src, sizeof src, "osv_bad_range.json");
	snprintf(dst, sizeof dst, "%s/later_bad.json", tmp);
	edited(src, dst, "2024-04-03T17:41:13Z", "2025-06-01T00:00:00Z");
	import_bad(db, dst);
	fixture(src, sizeof src, "osv_array.json");
	struct fv_vulndb_stats st = import_ok(db, src);
	assert_int_equal(st.unchanged, 2);
	/* The same later edition, well-formed: one changed, one unchanged; then no change. */
	snprintf(dst, sizeof dst, "%s/later.json", tmp);
	edited(src, dst, "2024-04-03T17:41:13Z", "2025-06-01T00:00:00Z");
	st = import_ok(db, dst);
	assert_int_equal(st.changed, 1);
	assert_int_equal(st.unchanged, 1);
	assert_int_equal(info(db).ranges, 4);
	st = import_ok(db, dst);
	assert_int_equal(st.unchanged, 2);
	/* The older edition does not undo it. */
	st = import_ok(db, src);
	assert_int_equal(st.unchanged, 2);
	assert_int_equal(info(db).ranges, 4);

	/* A file that is not there. */
	struct fv_vulndb_stats st2;
	char err[512];
	snprintf(path, sizeof path, "%s/missing.json", tmp);
	assert_int_not_equal(fv_vulndb_import(db, path, &st2, err, sizeof err), 0);
	assert_non_null(strstr(err, "missing.json"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rules_match),
		cmocka_unit_test(rules_bad),
		cmocka_unit_test(import_match),
		cmocka_unit_test(imported_before_rules),
		cmocka_unit_test(compressed_and_zip),
		cmocka_unit_test(malformed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
