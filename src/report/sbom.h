/*
 * Software bills of materials of one scanned image, derived from the same
 * model as the JSON report: CycloneDX 1.5 JSON and SPDX 2.3 JSON.  The image
 * is the firmware component (package); each entry of the report's components[]
 * is a component (package) it contains, with its CPE, purl and every path that
 * holds it; vulnerabilities go with the component versions they affect.
 *
 * Both documents are reproducible: the time they name is the scan's, or
 * SOURCE_DATE_EPOCH when it is set, and their identifiers are name-based
 * UUIDs of what the document depends on (the image's SHA-256, the rules, the
 * vulnerability data and fwvet's version), never random.
 */
#ifndef FV_REPORT_SBOM_H
#define FV_REPORT_SBOM_H

#include <stddef.h>

struct fv_json;
struct fv_report;
struct fv_results;

void fv_report_cyclonedx(struct fv_json *j, const struct fv_report *r);
void fv_report_spdx(struct fv_json *j, const struct fv_report *r);

/* ---- shared by the two formats (cyclonedx.c) ---- */

/* What a component is, for CycloneDX's type and SPDX's primaryPackagePurpose. */
enum fv_sbom_kind { FV_SBOM_APPLICATION, FV_SBOM_LIBRARY, FV_SBOM_OS, FV_SBOM_FIRMWARE };
enum fv_sbom_kind fv_sbom_kind(const char *name);

/* "2026-11-29T14:00:00Z": now, or SOURCE_DATE_EPOCH when it holds a valid time. */
void fv_sbom_timestamp(char out[21]);

/*
 * The RFC 4122 name-based (version 5, SHA-1) UUID, in its 36-character text
 * form, of `kind` ("cyclonedx", "spdx") and what the report depends on.
 */
void fv_sbom_uuid(const struct fv_report *r, const char *kind, char out[37]);

/* The image's base name ("router.bin", a folder's name without its '/'), or "image". */
void fv_sbom_image_name(const struct fv_report *r, char *out, size_t cap);

/*
 * What both documents start from: the results (empty ones when the report
 * has none), the time, the image's name and the UUID of `kind`'s document.
 */
struct fv_sbom_doc {
	const struct fv_results *res;
	char ts[21], uuid[37], name[256];
};
void fv_sbom_doc_init(struct fv_sbom_doc *d, const struct fv_report *r, const char *kind);

/* The advisory page of a vulnerability id (NVD for CVE-, OSV else) into out, or 0 when id is unsafe in a URL. */
int fv_sbom_advisory_url(const char *id, char *out, size_t cap);

#endif
