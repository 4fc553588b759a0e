/*
 * The SBOM writers on a hand-filled scan result: every field they can write
 * is set, including hostile names, duplicate vulnerability ids and versions
 * that need escaping.  Each document is checked against the official JSON
 * schema (tests/schemas/validate.sh) and read back with jansson.
 */
#include "testlib.h"

#include "analyze/run.h"
#include "core/json.h"
#include "inventory/inventory.h"
#include "report/report.h"
#include "report/sbom.h"
#include "unpack/engine.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMAGE_SHA "3a6f2c0e9b6c1d24f1e3a5b7c9d0e2f4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6"

static const char *openssl_paths[] = { "fw.bin!0x40000.squashfs!/lib/libcrypto.so.1.0.0",
				       "fw.bin!0x40000.squashfs!/usr/lib/libssl.so.1.0.0" };
static const char *old_paths[] = { "fw.bin!0x40000.squashfs!/opt/vendor/libcrypto.so" };
static const char *bb_paths[] = { "fw.bin!0x40000.squashfs!/bin/busybox" };
static const char *odd_paths[] = { "fw.bin!0x40000.squashfs!/usr/lib/opkg/status" };
static const char *vuln_paths[] = { "fw.bin!0x40000.squashfs!/lib/libcrypto.so.1.0.0" };

/* Sorted by name, then version, as the driver leaves them. */
static const struct fv_component components[] = {
	{ .name = "busybox", .title = "BusyBox", .version = "1.24.1",
	  .cpe = "cpe:2.3:a:busybox:busybox:1.24.1:*:*:*:*:*:*:*", .purl = "pkg:generic/busybox@1.24.1",
	  .paths = bb_paths, .npaths = 1,
	  .evidence = "BusyBox v1.24.1 (2016-01-01 00:00:00 UTC) multi-call binary", .method = "string",
	  .detail = "ash cat httpd telnetd", .eol = 1, .eol_date = "2017-01-02" },
	{ .name = "my pkg\"x", .title = NULL, .version = "",
	  .cpe = NULL, .purl = NULL, .paths = odd_paths, .npaths = 1,
	  .evidence = "Package: my pkg\"x", .method = "opkg" },
	{ .name = "openssl", .title = "OpenSSL", .version = "1.0.1e",
	  .cpe = "cpe:2.3:a:openssl:openssl:1.0.1e:*:*:*:*:*:*:*", .purl = "pkg:generic/openssl@1.0.1e",
	  .paths = old_paths, .npaths = 1, .evidence = "OpenSSL 1.0.1e 11 Feb 2013", .method = "string",
	  .eol = 1, .eol_date = "2016-12-31" },
	{ .name = "openssl", .title = "OpenSSL", .version = "1.0.1f",
	  .cpe = "cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*", .purl = "pkg:generic/openssl@1.0.1f",
	  .paths = openssl_paths, .npaths = 2, .evidence = "OpenSSL 1.0.1f 6 Jan 2014", .method = "string",
	  .eol = 1, .eol_date = "2016-12-31" },
	{ .name = "linux", .title = "Linux kernel", .version = "2.6.36+",
	  .cpe = "cpe:2.3:o:linux:linux_kernel:2.6.36\\+:*:*:*:*:*:*:*", .purl = "pkg:generic/linux@2.6.36%2B",
	  .paths = old_paths, .npaths = 1, .evidence = "Linux version 2.6.36+", .method = "string" },
};

/* Worst first, as the driver leaves them; CVE-2014-0160 affects two versions. */
static const struct fv_vulnerability vulns[] = {
	{ .id = "CVE-2014-0160", .component = "openssl", .version = "1.0.1f", .severity = "high",
	  .cvss = 7.5, .kev = 1, .summary = "TLS heartbeat read overrun (Heartbleed)", .source = "rules",
	  .paths = vuln_paths, .npaths = 1 },
	{ .id = "CVE-2014-0224", .component = "openssl", .version = "1.0.1f", .severity = "high",
	  .cvss = 7.4, .kev = 0, .summary = "CCS injection", .source = "nvd",
	  .paths = vuln_paths, .npaths = 1 },
	{ .id = "CVE-2014-0160", .component = "openssl", .version = "1.0.1e", .severity = "high",
	  .cvss = 7.5, .kev = 1, .summary = "TLS heartbeat read overrun (Heartbleed)", .source = "rules",
	  .paths = old_paths, .npaths = 1 },
	{ .id = "OSV-2020-111", .component = "busybox", .version = "1.24.1", .severity = "moderate",
	  .cvss = -1, .kev = 0, .summary = "", .source = "osv", .paths = bb_paths, .npaths = 1 },
	{ .id = "bad id/../x", .component = "busybox", .version = "1.24.1", .severity = "low",
	  .cvss = 2.1, .kev = 0, .summary = NULL, .source = "rules", .paths = bb_paths, .npaths = 1 },
};

static struct fv_unpack g_u;
static struct fv_inventory g_inv;
static struct fv_results g_res;
static char g_dir[256];

static struct fv_report report(size_t ncomponents, size_t nvulns)
{
	memset(&g_u, 0, sizeof g_u);
	g_u.image_path = (char *)"/data/images/fw.bin";
	memcpy(g_u.image_sha256, IMAGE_SHA, sizeof IMAGE_SHA);
	g_u.image_size = 8388608;
	memset(&g_res, 0, sizeof g_res);
	g_res.components = (struct fv_component *)components;
	g_res.ncomponents = ncomponents;
	g_res.vulns = (struct fv_vulnerability *)vulns;
	g_res.nvulns = nvulns;
	struct fv_report r = { .u = &g_u, .inv = &g_inv, .res = &g_res, .rules_sha256 = "5e1f0c", .elapsed_ms = 12,
				.vulndb_date = "2026-11-01" };
	return r;
}

/* Writes the document to g_dir/name, validates it against its schema and parses it. */
static json_t *render(void (*fn)(struct fv_json *, const struct fv_report *), const struct fv_report *r,
		      const char *kind, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", g_dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	struct fv_json j;
	fv_json_init(&j, f, 1);
	fn(&j, r);
	assert_int_equal(fclose(f), 0);
	fv_test_sh(NULL, "\"$FV_SRCDIR/tests/schemas/validate.sh\" %s '%s'", kind, path);
	json_error_t e;
	json_t *doc = json_load_file(path, 0, &e);
	if (!doc)
		fail_msg("%s:%d: %s", path, e.line, e.text);
	return doc;
}

static const char *sget(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	if (!s)
		fail_msg("expected a string \"%s\"", key);
	return s;
}

/* The value of the property called name in o's properties[], or NULL. */
static const char *property(json_t *o, const char *name)
{
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(o, "properties"), i, p)
		if (!strcmp(sget(p, "name"), name))
			return sget(p, "value");
	return NULL;
}

static int is_uuid_v5(const char *s)
{
	if (strlen(s) != 36 || s[14] != '5' || !strchr("89ab", s[19]))
		return 0;
	for (int i = 0; i < 36; i++)
		if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' : !strchr("0123456789abcdef", s[i]))
			return 0;
	return 1;
}

static void cyclonedx_fields(void **state)
{
	(void)state;
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	struct fv_report r = report(5, 5);
	json_t *d = render(fv_report_cyclonedx, &r, "cyclonedx", "full.cdx.json");
	assert_string_equal(sget(d, "bomFormat"), "CycloneDX");
	assert_string_equal(sget(d, "specVersion"), "1.5");
	const char *serial = sget(d, "serialNumber");
	assert_true(!strncmp(serial, "urn:uuid:", 9) && is_uuid_v5(serial + 9));
	json_t *meta = json_object_get(d, "metadata");
	assert_string_equal(sget(meta, "timestamp"), "2023-11-14T22:13:20Z");
	json_t *img = json_object_get(meta, "component");
	assert_string_equal(sget(img, "type"), "firmware");
	assert_string_equal(sget(img, "name"), "fw.bin");
	json_t *h = json_array_get(json_object_get(img, "hashes"), 0);
	assert_string_equal(sget(h, "alg"), "SHA-256");
	assert_string_equal(sget(h, "content"), IMAGE_SHA);
	assert_string_equal(property(meta, "fwvet:vulndb_date"), "2026-11-01");

	json_t *cs = json_object_get(d, "components");
	assert_int_equal(json_array_size(cs), 5);
	json_t *bb = json_array_get(cs, 0), *odd = json_array_get(cs, 1), *ssl = json_array_get(cs, 3);
	json_t *lx = json_array_get(cs, 4);
	assert_string_equal(sget(bb, "type"), "application");
	assert_string_equal(sget(ssl, "type"), "library");
	assert_string_equal(sget(lx, "type"), "operating-system");
	assert_string_equal(sget(ssl, "name"), "openssl");
	assert_string_equal(sget(ssl, "version"), "1.0.1f");
	assert_string_equal(sget(ssl, "cpe"), components[3].cpe);
	assert_string_equal(sget(ssl, "purl"), "pkg:generic/openssl@1.0.1f");
	assert_string_equal(sget(lx, "cpe"), "cpe:2.3:o:linux:linux_kernel:2.6.36\\+:*:*:*:*:*:*:*");
	json_t *occ = json_object_get(json_object_get(ssl, "evidence"), "occurrences");
	assert_int_equal(json_array_size(occ), 2);
	assert_string_equal(sget(json_array_get(occ, 1), "location"), openssl_paths[1]);
	json_t *id = json_object_get(json_object_get(ssl, "evidence"), "identity");
	assert_string_equal(sget(id, "field"), "version");
	json_t *m = json_array_get(json_object_get(id, "methods"), 0);
	assert_string_equal(sget(m, "technique"), "binary-analysis");
	assert_string_equal(sget(m, "value"), "OpenSSL 1.0.1f 6 Jan 2014");
	assert_string_equal(property(ssl, "fwvet:eol"), "true");
	assert_string_equal(property(ssl, "fwvet:eol_date"), "2016-12-31");
	assert_string_equal(property(bb, "fwvet:busybox_applets"), "ash cat httpd telnetd");
	/* No version, CPE or purl: those keys are left out, not null. */
	assert_string_equal(sget(odd, "name"), "my pkg\"x");
	assert_null(json_object_get(odd, "version"));
	assert_null(json_object_get(odd, "cpe"));
	assert_null(json_object_get(odd, "purl"));
	assert_string_equal(sget(json_object_get(json_object_get(odd, "evidence"), "identity"), "field"), "name");

	/* bom-refs are unique, and the image depends on every component. */
	size_t i, k;
	json_t *c, *c2;
	json_array_foreach(cs, i, c)
		json_array_foreach(cs, k, c2)
			if (i != k)
				assert_string_not_equal(sget(c, "bom-ref"), sget(c2, "bom-ref"));
	json_t *dep = json_array_get(json_object_get(d, "dependencies"), 0);
	assert_string_equal(sget(dep, "ref"), "firmware");
	assert_int_equal(json_array_size(json_object_get(dep, "dependsOn")), 5);

	/* One entry per id, in report order; CVE-2014-0160 affects both OpenSSL versions. */
	json_t *vs = json_object_get(d, "vulnerabilities");
	assert_int_equal(json_array_size(vs), 4);
	json_t *hb = json_array_get(vs, 0);
	assert_string_equal(sget(hb, "id"), "CVE-2014-0160");
	assert_string_equal(sget(json_object_get(hb, "source"), "name"), "NVD");
	assert_string_equal(sget(json_object_get(hb, "source"), "url"),
			    "https://nvd.nist.gov/vuln/detail/CVE-2014-0160");
	json_t *rt = json_array_get(json_object_get(hb, "ratings"), 0);
	assert_true(json_real_value(json_object_get(rt, "score")) == 7.5);
	assert_string_equal(sget(rt, "severity"), "high");
	assert_string_equal(property(hb, "fwvet:kev"), "true");
	json_t *aff = json_object_get(hb, "affects");
	assert_int_equal(json_array_size(aff), 2);
	assert_string_equal(sget(json_array_get(aff, 0), "ref"), sget(ssl, "bom-ref"));
	assert_string_equal(sget(json_array_get(aff, 1), "ref"), sget(json_array_get(cs, 2), "bom-ref"));
	assert_string_equal(sget(json_array_get(vs, 1), "id"), "CVE-2014-0224");
	json_t *osv = json_array_get(vs, 2);
	assert_string_equal(sget(json_object_get(osv, "source"), "url"),
			    "https://osv.dev/vulnerability/OSV-2020-111");
	rt = json_array_get(json_object_get(osv, "ratings"), 0);
	assert_string_equal(sget(rt, "severity"), "unknown"); /* "moderate" is no CycloneDX severity */
	assert_null(json_object_get(rt, "score"));
	/* An id that is not one URL path segment gets no URL. */
	assert_null(json_object_get(json_object_get(json_array_get(vs, 3), "source"), "url"));
	json_decref(d);
}

static void spdx_fields(void **state)
{
	(void)state;
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	struct fv_report r = report(5, 5);
	json_t *d = render(fv_report_spdx, &r, "spdx", "full.spdx.json");
	assert_string_equal(sget(d, "spdxVersion"), "SPDX-2.3");
	assert_string_equal(sget(d, "dataLicense"), "CC0-1.0");
	assert_string_equal(sget(d, "SPDXID"), "SPDXRef-DOCUMENT");
	const char *ns = sget(d, "documentNamespace");
	assert_true(!strncmp(ns, "https://spdx.org/spdxdocs/fwvet-", 32) && is_uuid_v5(ns + 32));
	json_t *ci = json_object_get(d, "creationInfo");
	assert_string_equal(sget(ci, "created"), "2023-11-14T22:13:20Z");
	assert_string_equal(json_string_value(json_array_get(json_object_get(ci, "creators"), 0)),
			    "Tool: fwvet-" FV_VERSION);

	json_t *ps = json_object_get(d, "packages");
	assert_int_equal(json_array_size(ps), 6);
	json_t *fw = json_array_get(ps, 0);
	assert_string_equal(sget(fw, "SPDXID"), "SPDXRef-Firmware");
	json_t *ck = json_array_get(json_object_get(fw, "checksums"), 0);
	assert_string_equal(sget(ck, "algorithm"), "SHA256");
	assert_string_equal(sget(ck, "checksumValue"), IMAGE_SHA);
	json_t *odd = json_array_get(ps, 2), *ssl = json_array_get(ps, 4);
	assert_string_equal(sget(odd, "SPDXID"), "SPDXRef-Package-2-my-pkg-x");
	assert_null(json_object_get(odd, "versionInfo"));
	assert_string_equal(sget(ssl, "SPDXID"), "SPDXRef-Package-4-openssl-1.0.1f");
	assert_string_equal(sget(ssl, "versionInfo"), "1.0.1f");
	assert_string_equal(sget(ssl, "primaryPackagePurpose"), "LIBRARY");
	assert_string_equal(sget(ssl, "validUntilDate"), "2016-12-31T00:00:00Z");
	assert_true(json_is_false(json_object_get(ssl, "filesAnalyzed")));
	assert_string_equal(sget(ssl, "downloadLocation"), "NOASSERTION");
	json_t *refs = json_object_get(ssl, "externalRefs");
	assert_int_equal(json_array_size(refs), 4); /* cpe, purl, two advisories */
	assert_string_equal(sget(json_array_get(refs, 0), "referenceType"), "cpe23Type");
	assert_string_equal(sget(json_array_get(refs, 0), "referenceLocator"), components[3].cpe);
	assert_string_equal(sget(json_array_get(refs, 1), "referenceType"), "purl");
	assert_string_equal(sget(json_array_get(refs, 1), "referenceLocator"), "pkg:generic/openssl@1.0.1f");
	assert_string_equal(sget(json_array_get(refs, 2), "referenceType"), "advisory");
	assert_string_equal(sget(json_array_get(refs, 2), "referenceLocator"),
			    "https://nvd.nist.gov/vuln/detail/CVE-2014-0160");
	assert_non_null(strstr(sget(json_array_get(refs, 2), "comment"), "KEV"));
	const char *comment = sget(ssl, "comment");
	assert_non_null(strstr(comment, openssl_paths[0]));
	assert_non_null(strstr(comment, openssl_paths[1]));

	/* The document describes the image, which contains every package. */
	json_t *rels = json_object_get(d, "relationships");
	assert_int_equal(json_array_size(rels), 6);
	assert_string_equal(sget(json_array_get(rels, 0), "relationshipType"), "DESCRIBES");
	assert_string_equal(sget(json_array_get(rels, 0), "relatedSpdxElement"), "SPDXRef-Firmware");
	for (size_t i = 1; i < 6; i++) {
		json_t *rel = json_array_get(rels, i);
		assert_string_equal(sget(rel, "spdxElementId"), "SPDXRef-Firmware");
		assert_string_equal(sget(rel, "relationshipType"), "CONTAINS");
		assert_string_equal(sget(rel, "relatedSpdxElement"), sget(json_array_get(ps, i), "SPDXID"));
	}
	json_decref(d);
}

/* An image with no component is still a valid document of each kind. */
static void empty(void **state)
{
	(void)state;
	struct fv_report r = report(0, 0);
	json_t *d = render(fv_report_cyclonedx, &r, "cyclonedx", "empty.cdx.json");
	assert_int_equal(json_array_size(json_object_get(d, "components")), 0);
	assert_int_equal(json_array_size(json_object_get(d, "vulnerabilities")), 0);
	json_decref(d);
	d = render(fv_report_spdx, &r, "spdx", "empty.spdx.json");
	assert_int_equal(json_array_size(json_object_get(d, "packages")), 1);
	json_decref(d);
	/* A folder scan has no image hash: no hashes, no checksums. */
	g_u.image_sha256[0] = 0;
	d = render(fv_report_cyclonedx, &r, "cyclonedx", "nohash.cdx.json");
	assert_null(json_object_get(json_object_get(json_object_get(d, "metadata"), "component"), "hashes"));
	json_decref(d);
	d = render(fv_report_spdx, &r, "spdx", "nohash.spdx.json");
	assert_null(json_object_get(json_array_get(json_object_get(d, "packages"), 0), "checksums"));
	json_decref(d);
}

static void timestamps(void **state)
{
	(void)state;
	char ts[21];
	setenv("SOURCE_DATE_EPOCH", "0", 1);
	fv_sbom_timestamp(ts);
	assert_string_equal(ts, "1970-01-01T00:00:00Z");
	setenv("SOURCE_DATE_EPOCH", "253402300799", 1);
	fv_sbom_timestamp(ts);
	assert_string_equal(ts, "9999-12-31T23:59:59Z");
	/* Not a time: the clock's instead (checked by shape, not value). */
	static const char *const bad[] = { "-1", "1e9", "12x", "253402300800", "" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		setenv("SOURCE_DATE_EPOCH", bad[i], 1);
		fv_sbom_timestamp(ts);
		assert_int_equal(strlen(ts), 20);
		assert_true(ts[4] == '-' && ts[10] == 'T' && ts[19] == 'Z');
		assert_string_not_equal(ts, "1970-01-01T00:00:00Z");
	}
	unsetenv("SOURCE_DATE_EPOCH");
}

/* Name-based: the same inputs give the same id, any change of them another. */
static void uuids(void **state)
{
	(void)state;
	char a[37], b[37], c[37];
	struct fv_report r = report(0, 0);
	fv_sbom_uuid(&r, "cyclonedx", a);
	fv_sbom_uuid(&r, "cyclonedx", b);
	assert_string_equal(a, b);
	assert_true(is_uuid_v5(a));
	fv_sbom_uuid(&r, "spdx", c);
	assert_string_not_equal(a, c);
	r.vulndb_date = "2026-11-02";
	fv_sbom_uuid(&r, "cyclonedx", c);
	assert_string_not_equal(a, c);
	r = report(0, 0);
	g_u.image_sha256[0] = 'b';
	fv_sbom_uuid(&r, "cyclonedx", c);
	assert_string_not_equal(a, c);
}

static void kinds_and_urls(void **state)
{
	(void)state;
	assert_int_equal(fv_sbom_kind("openssl"), FV_SBOM_LIBRARY);
	assert_int_equal(fv_sbom_kind("libpng"), FV_SBOM_LIBRARY);
	assert_int_equal(fv_sbom_kind("linux"), FV_SBOM_OS);
	assert_int_equal(fv_sbom_kind("u-boot"), FV_SBOM_FIRMWARE);
	assert_int_equal(fv_sbom_kind("dropbear"), FV_SBOM_APPLICATION);
	char url[160];
	assert_true(fv_sbom_advisory_url("GHSA-abcd-1234-efgh", url, sizeof url));
	assert_string_equal(url, "https://github.com/advisories/GHSA-abcd-1234-efgh");
	assert_false(fv_sbom_advisory_url("CVE-2014-0160?x=1", url, sizeof url));
	assert_false(fv_sbom_advisory_url("", url, sizeof url));
	assert_false(fv_sbom_advisory_url("CVE-2014-0160", url, 20)); /* does not fit */
}

static void image_names(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{ "/data/images/fw.bin", "fw.bin" }, { "fw.bin", "fw.bin" }, { "/tmp/rootfs//", "rootfs" },
		{ "/", "image" }, { "", "image" },
	};
	char name[256];
	struct fv_report r = report(0, 0);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		g_u.image_path = (char *)cases[i][0];
		fv_sbom_image_name(&r, name, sizeof name);
		assert_string_equal(name, cases[i][1]);
	}
	g_u.image_path = NULL;
	fv_sbom_image_name(&r, name, sizeof name);
	assert_string_equal(name, "image");
}

static int setup(void **state)
{
	(void)state;
	fv_test_tmpdir(g_dir, sizeof g_dir, "sbom");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return fv_test_rmtree(g_dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cyclonedx_fields),
		cmocka_unit_test(spdx_fields),
		cmocka_unit_test(empty),
		cmocka_unit_test(timestamps),
		cmocka_unit_test(uuids),
		cmocka_unit_test(kinds_and_urls),
		cmocka_unit_test(image_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
