/*
 * SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/).
 *
 * The document describes one package, the firmware image (its SHA-256); the
 * image CONTAINS one package per component version, each with its CPE and
 * purl as external references, the known vulnerabilities of that version as
 * advisory references, its end of support as validUntilDate, and where it was
 * found in its comment.  Licences and copyrights are not read: NOASSERTION.
 */
#include "report/sbom.h"
#include "analyze/run.h"
#include "core/json.h"
#include "report/report.h"
#include "unpack/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str(const char *s)
{
	return s ? s : "";
}

static const char *const kind_purpose[] = {
	[FV_SBOM_APPLICATION] = "APPLICATION",
	[FV_SBOM_LIBRARY] = "LIBRARY",
	[FV_SBOM_OS] = "OPERATING_SYSTEM",
	[FV_SBOM_FIRMWARE] = "FIRMWARE",
};

/*
 * Package i's SPDXID: letters, digits, '.' and '-' only (SPDX 2.3 section
 * 7.2); the index keeps it unique once other bytes became '-'.
 */
static void spdx_id(struct fv_json *j, const char *key, size_t i, const struct fv_component *c)
{
	char id[160];
	size_t k = (size_t)snprintf(id, sizeof id, "SPDXRef-Package-%zu-", i + 1);
	const char *parts[] = { str(c->name), "-", str(c->version) };
	for (size_t p = 0; p < 3; p++) {
		if (p > 0 && !*str(c->version))
			break;
		for (const char *s = parts[p]; *s && k + 1 < sizeof id; s++) {
			char ch = *s;
			int ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
				 (ch >= '0' && ch <= '9') || ch == '.' || ch == '-';
			id[k++] = ok ? ch : '-';
		}
	}
	while (k > 0 && id[k - 1] == '-')
		k--;
	id[k] = 0;
	if (key)
		fv_json_kstr(j, key, id);
	else
		fv_json_str(j, id);
}

static void no_assertion(struct fv_json *j)
{
	fv_json_kstr(j, "downloadLocation", "NOASSERTION");
	fv_json_kbool(j, "filesAnalyzed", 0);
	fv_json_kstr(j, "licenseConcluded", "NOASSERTION");
	fv_json_kstr(j, "licenseDeclared", "NOASSERTION");
	fv_json_kstr(j, "copyrightText", "NOASSERTION");
}

/* A locator is one token: no spaces or control bytes (SPDX 2.3 section 7.21). */
static int one_token(const char *s)
{
	if (!s || !*s)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

static void ext_ref(struct fv_json *j, const char *cat, const char *type, const char *loc,
		    const char *comment)
{
	fv_json_obj_begin(j);
	fv_json_kstr(j, "referenceCategory", cat);
	fv_json_kstr(j, "referenceType", type);
	fv_json_kstr(j, "referenceLocator", loc);
	if (comment)
		fv_json_kstr(j, "comment", comment);
	fv_json_obj_end(j);
}

/* The known vulnerabilities of c, as SECURITY advisory references to their pages. */
static void advisories(struct fv_json *j, const struct fv_results *res, const struct fv_component *c)
{
	for (size_t i = 0; i < res->nvulns; i++) {
		const struct fv_vulnerability *v = &res->vulns[i];
		char url[160], comment[200];
		if (strcmp(str(v->component), str(c->name)) || strcmp(str(v->version), str(c->version)) ||
		    !fv_sbom_advisory_url(v->id, url, sizeof url))
			continue;
		if (v->cvss >= 0)
			snprintf(comment, sizeof comment, "%s: CVSS %.1f (%s)%s", v->id, v->cvss,
				 str(v->severity), v->kev ? ", known exploited (CISA KEV)" : "");
		else
			snprintf(comment, sizeof comment, "%s: severity %s%s", v->id, str(v->severity),
				 v->kev ? ", known exploited (CISA KEV)" : "");
		ext_ref(j, "SECURITY", "advisory", url, comment);
	}
}

/* "Found by fwvet (string: "OpenSSL 1.0.1f 6 Jan 2014") in: path, path". */
static void package_comment(struct fv_json *j, const struct fv_component *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return;
	fprintf(m, "Found by fwvet");
	if (c->method || c->evidence)
		fprintf(m, " (%s%s\"%s\")", str(c->method), c->method ? ": " : "", str(c->evidence));
	fprintf(m, " in:");
	for (size_t i = 0; i < c->npaths; i++)
		fprintf(m, "%s %s", i ? "," : "", c->paths[i]);
	if (c->eol)
		fprintf(m, ". Past its end of support%s%s", c->eol_date ? " on " : "", str(c->eol_date));
	if (c->detail)
		fprintf(m, ". %s: %s", !strcmp(str(c->name), "busybox") ? "Applets" : "Detail", c->detail);
	if (fclose(m) == 0 && buf)
		fv_json_kstr(j, "comment", buf);
	free(buf);
}

static void package_json(struct fv_json *j, const struct fv_results *res, size_t i)
{
	const struct fv_component *c = &res->components[i];
	fv_json_obj_begin(j);
	spdx_id(j, "SPDXID", i, c);
	fv_json_kstr(j, "name", str(c->name));
	if (*str(c->version))
		fv_json_kstr(j, "versionInfo", c->version);
	no_assertion(j);
	if (c->title && *c->title)
		fv_json_kstr(j, "summary", c->title);
	fv_json_kstr(j, "primaryPackagePurpose", kind_purpose[fv_sbom_kind(c->name)]);
	if (c->eol && c->eol_date && strlen(c->eol_date) == 10) {
		char until[21];
		snprintf(until, sizeof until, "%sT00:00:00Z", c->eol_date);
		fv_json_kstr(j, "validUntilDate", until);
	}
	fv_json_key(j, "externalRefs");
	fv_json_arr_begin(j);
	if (one_token(c->cpe))
		ext_ref(j, "SECURITY", "cpe23Type", c->cpe, NULL);
	if (one_token(c->purl))
		ext_ref(j, "PACKAGE-MANAGER", "purl", c->purl, NULL);
	advisories(j, res, c);
	fv_json_arr_end(j);
	package_comment(j, c);
	fv_json_obj_end(j);
}

static void relationship(struct fv_json *j, const char *from, const char *type,
			 const struct fv_component *to, size_t i)
{
	fv_json_obj_begin(j);
	fv_json_kstr(j, "spdxElementId", from);
	fv_json_kstr(j, "relationshipType", type);
	if (to)
		spdx_id(j, "relatedSpdxElement", i, to);
	else
		fv_json_kstr(j, "relatedSpdxElement", "SPDXRef-Firmware");
	fv_json_obj_end(j);
}

void fv_report_spdx(struct fv_json *j, const struct fv_report *r)
{
	struct fv_sbom_doc d;
	fv_sbom_doc_init(&d, r, "spdx");
	const struct fv_results *res = d.res;
	char ns[80], tool[64];
	snprintf(ns, sizeof ns, "https://spdx.org/spdxdocs/fwvet-%s", d.uuid);
	snprintf(tool, sizeof tool, "Tool: fwvet-%s", FV_VERSION);

	fv_json_obj_begin(j);
	fv_json_kstr(j, "spdxVersion", "SPDX-2.3");
	fv_json_kstr(j, "dataLicense", "CC0-1.0");
	fv_json_kstr(j, "SPDXID", "SPDXRef-DOCUMENT");
	fv_json_kstr(j, "name", d.name);
	fv_json_kstr(j, "documentNamespace", ns);
	fv_json_key(j, "creationInfo");
	fv_json_obj_begin(j);
	fv_json_kstr(j, "created", d.ts);
	fv_json_key(j, "creators");
	fv_json_arr_begin(j);
	fv_json_str(j, tool);
	fv_json_arr_end(j);
	if (r->rules_sha256 || r->vulndb_date) {
		char comment[200];
		snprintf(comment, sizeof comment, "fwvet rules %s; vulnerability data of %s",
			 r->rules_sha256 ? r->rules_sha256 : "unknown",
			 r->vulndb_date ? r->vulndb_date : "the shipped rules only");
		fv_json_kstr(j, "comment", comment);
	}
	fv_json_obj_end(j);

	fv_json_key(j, "packages");
	fv_json_arr_begin(j);
	fv_json_obj_begin(j);
	fv_json_kstr(j, "SPDXID", "SPDXRef-Firmware");
	fv_json_kstr(j, "name", d.name);
	fv_json_kstr(j, "packageFileName", d.name);
	no_assertion(j);
	if (r->u->image_sha256[0]) {
		fv_json_key(j, "checksums");
		fv_json_arr_begin(j);
		fv_json_obj_begin(j);
		fv_json_kstr(j, "algorithm", "SHA256");
		fv_json_kstr(j, "checksumValue", r->u->image_sha256);
		fv_json_obj_end(j);
		fv_json_arr_end(j);
	}
	fv_json_kstr(j, "primaryPackagePurpose", "FIRMWARE");
	fv_json_obj_end(j);
	for (size_t i = 0; i < res->ncomponents; i++)
		package_json(j, res, i);
	fv_json_arr_end(j);

	fv_json_key(j, "relationships");
	fv_json_arr_begin(j);
	relationship(j, "SPDXRef-DOCUMENT", "DESCRIBES", NULL, 0);
	for (size_t i = 0; i < res->ncomponents; i++)
		relationship(j, "SPDXRef-Firmware", "CONTAINS", &res->components[i], i);
	fv_json_arr_end(j);
	fv_json_obj_end(j);
}
