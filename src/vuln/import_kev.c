/*
 * CISA's Known Exploited Vulnerabilities catalogue (known_exploited_
 * vulnerabilities.json): which CVE ids are exploited in the wild, and since
 * when.  Matching marks any vulnerability whose id (or OSV alias) is listed.
 */
#include "vuln/vulndb_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"

/* CVE-YYYY-NNNN with four or more digits at the end. */
static int cve_ok(const char *s)
{
	if (strncmp(s, "CVE-", 4))
		return 0;
	for (int i = 4; i < 8; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	if (s[8] != '-')
		return 0;
	size_t n = 0;
	for (const char *p = s + 9; *p; p++, n++)
		if (!isdigit((unsigned char)*p) || n > 12)
			return 0;
	return n >= 4;
}

/* YYYY-MM-DD, alone or (whole 0) at the start of a longer timestamp. */
static int date_ok(const char *s, int whole)
{
	static const char shape[] = "dddd-dd-dd";
	for (int i = 0; i < 10; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != '-')
			return 0;
	return !whole || s[10] == 0;
}

int fv_import_kev(struct fv_vimport *im, json_t *root)
{
	struct fv_vi_rec r = { im, 0, NULL };
	json_t *released = json_object_get(root, "dateReleased");
	const char *rel = json_string_value(released);
	if (!rel || !date_ok(rel, 0))
		return fv_vi_bad(&r, "a date string \"dateReleased\"", released);
	if (!json_is_string(json_object_get(root, "catalogVersion")))
		return fv_vi_bad(&r, "a string \"catalogVersion\"", json_object_get(root, "catalogVersion"));
	json_t *vulns = json_object_get(root, "vulnerabilities");
	if (!json_is_array(vulns))
		return fv_vi_bad(&r, "an array \"vulnerabilities\"", vulns);
	snprintf(im->data_date, sizeof im->data_date, "%.10s", rel);
	size_t i;
	json_t *e;
	json_array_foreach(vulns, i, e) {
		r = (struct fv_vi_rec){ im, i + 1, NULL };
		if (!json_is_object(e))
			return fv_vi_bad(&r, "an object", e);
		json_t *id = json_object_get(e, "cveID");
		if (!json_is_string(id) || !cve_ok(json_string_value(id)))
			return fv_vi_bad(&r, "a string \"cveID\" such as \"CVE-2014-0160\"", id);
		const char *cve = r.id = json_string_value(id);
		json_t *added = json_object_get(e, "dateAdded");
		if (!json_is_string(added) || !date_ok(json_string_value(added), 1))
			return fv_vi_bad(&r, "a date \"dateAdded\" (YYYY-MM-DD)", added);
		const char *name;
		int rc = fv_vi_opt_str(&r, e, "vulnerabilityName", "a string \"vulnerabilityName\"", &name);
		if (!rc)
			rc = fv_vi_kev(im, cve, json_string_value(added), name ? name : "");
		if (rc)
			return rc;
	}
	return FV_OK;
}
