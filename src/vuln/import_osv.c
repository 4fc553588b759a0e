/*
 * OSV records (https://ossf.github.io/osv-schema/): one record, an array of
 * records, or a zip export of one record per member.  A record's affected
 * packages are matched by their lowercased name; ECOSYSTEM and SEMVER ranges
 * are kept as bounds, GIT ranges (commit hashes, no order we can compare) are
 * skipped, and `versions` lists become exact versions.
 */
#include "vuln/vulndb_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

#define MAX_MEMBER (64u * 1024 * 1024) /* an OSV record is a few KiB */

/* The highest CVSS v3 base score of severity[], or -1. */
static int score_of(const struct fv_vi_rec *r, const json_t *rec, double *out)
{
	json_t *sev = json_object_get(rec, "severity");
	*out = -1;
	if (!sev)
		return FV_OK;
	if (!json_is_array(sev))
		return fv_vi_bad(r, "an array \"severity\"", sev);
	size_t i;
	json_t *e;
	json_array_foreach(sev, i, e) {
		const char *type, *score;
		if (!json_is_object(e))
			return fv_vi_bad(r, "an object in \"severity\"", e);
		int rc = fv_vi_opt_str(r, e, "type", "a string \"type\" in \"severity\"", &type);
		if (!rc)
			rc = fv_vi_opt_str(r, e, "score", "a string \"score\" in \"severity\"", &score);
		if (rc)
			return rc;
		if (!type || !score || strcmp(type, "CVSS_V3"))
			continue;
		double s = fv_cvss3_score(score);
		if (s < 0)
			return fv_vi_bad(r, "a CVSS v3 vector \"CVSS:3.x/AV:../AC:../PR:../UI:../S:../C:../I:../A:..\"",
				   json_object_get(e, "score"));
		if (s > *out)
			*out = s;
	}
	return FV_OK;
}

/* aliases[] joined by spaces into buf. */
static int aliases_of(const struct fv_vi_rec *r, const json_t *rec, char *buf, size_t cap)
{
	json_t *al = json_object_get(rec, "aliases");
	buf[0] = 0;
	if (!al)
		return FV_OK;
	if (!json_is_array(al))
		return fv_vi_bad(r, "an array \"aliases\"", al);
	size_t i, k = 0;
	json_t *e;
	json_array_foreach(al, i, e) {
		if (!json_is_string(e) || !fv_vi_token_ok(json_string_value(e)))
			return fv_vi_bad(r, "an id string in \"aliases\"", e);
		size_t n = json_string_length(e);
		if (k + n + 2 > cap)
			break;
		if (k)
			buf[k++] = ' ';
		memcpy(buf + k, json_string_value(e), n);
		k += n;
		buf[k] = 0;
	}
	return FV_OK;
}

/* A bound of an event; SEMVER bounds must start like a version. */
static int event_bound(const struct fv_vi_rec *r, const json_t *v, int semver, const char **out)
{
	const char *s = json_string_value(v);
	if (!s || !fv_vi_token_ok(s) ||
	    (semver && !isdigit((unsigned char)(s[0] == 'v' ? s[1] : s[0]))))
		return fv_vi_bad(r, semver ? "a semantic version in \"events\"" : "a version string in \"events\"", v);
	*out = s;
	return FV_OK;
}

static int one_range(const struct fv_vi_rec *r, const char *pkg, const json_t *range)
{
	if (!json_is_object(range))
		return fv_vi_bad(r, "an object in \"ranges\"", range);
	json_t *tv = json_object_get(range, "type");
	const char *type = json_string_value(tv);
	if (!type)
		return fv_vi_bad(r, "a string \"type\" in \"ranges\"", tv);
	int semver = !strcmp(type, "SEMVER");
	if (!semver && strcmp(type, "ECOSYSTEM") && strcmp(type, "GIT"))
		return fv_vi_bad(r, "a range type SEMVER, ECOSYSTEM or GIT", tv);
	json_t *events = json_object_get(range, "events");
	if (!json_is_array(events))
		return fv_vi_bad(r, "an array \"events\" in \"ranges\"", events);
	int git = !strcmp(type, "GIT");
	/* Events in their order: introduced opens a range, fixed or last_affected closes it. */
	struct fv_vrange cur = { 0 };
	int open = 0;
	size_t i;
	json_t *ev;
	json_array_foreach(events, i, ev) {
		if (!json_is_object(ev) || json_object_size(ev) != 1)
			return fv_vi_bad(r, "an event object of one key (introduced, fixed, last_affected or limit)",
					 ev);
		const char *k = json_object_iter_key(json_object_iter((json_t *)ev));
		json_t *v = json_object_get(ev, k);
		const char *b = NULL;
		if (!json_is_string(v))
			return fv_vi_bad(r, "a version string in \"events\"", v);
		if (git)
			continue;
		int rc = event_bound(r, v, semver && strcmp(json_string_value(v), "0"), &b);
		if (rc)
			return rc;
		if (!strcmp(k, "introduced")) {
			if (open)
				continue;
			open = 1;
			cur = (struct fv_vrange){ 0 };
			if (strcmp(b, "0")) {
				cur.start = b;
				cur.start_incl = 1;
			}
		} else if (!strcmp(k, "fixed") || !strcmp(k, "last_affected")) {
			if (!open)
				continue;
			cur.end = b;
			cur.end_incl = k[0] == 'l';
			open = 0;
			if ((rc = fv_vi_range(r->im, "osv", r->id, pkg, &cur)))
				return rc;
		} else if (strcmp(k, "limit")) {
			return fv_vi_bad(r, "an event introduced, fixed, last_affected or limit", ev);
		}
	}
	if (open)
		return fv_vi_range(r->im, "osv", r->id, pkg, &cur);
	return FV_OK;
}

static int one_affected(const struct fv_vi_rec *r, const json_t *aff)
{
	if (!json_is_object(aff))
		return fv_vi_bad(r, "an object in \"affected\"", aff);
	json_t *pkg = json_object_get(aff, "package");
	if (!pkg)
		return FV_OK;
	json_t *name = json_is_object(pkg) ? json_object_get(pkg, "name") : NULL;
	if (!json_is_string(name) || !fv_vi_token_ok(json_string_value(name)))
		return fv_vi_bad(r, "a string \"package.name\" without blanks", json_is_object(pkg) ? name : pkg);
	const char *pn = json_string_value(name);
	json_t *ranges = json_object_get(aff, "ranges"), *versions = json_object_get(aff, "versions");
	size_t i;
	json_t *e;
	if (ranges && !json_is_array(ranges))
		return fv_vi_bad(r, "an array \"ranges\"", ranges);
	if (versions && !json_is_array(versions))
		return fv_vi_bad(r, "an array \"versions\"", versions);
	json_array_foreach(ranges, i, e) {
		int rc = one_range(r, pn, e);
		if (rc)
			return rc;
	}
	json_array_foreach(versions, i, e) {
		if (!json_is_string(e) || !fv_vi_token_ok(json_string_value(e)))
			return fv_vi_bad(r, "a version string in \"versions\"", e);
		struct fv_vrange x = { .exact = json_string_value(e) };
		int rc = fv_vi_range(r->im, "osv", r->id, pn, &x);
		if (rc)
			return rc;
	}
	return FV_OK;
}

static int one(struct fv_vimport *im, size_t no, const json_t *rec)
{
	struct fv_vi_rec r = { im, no, NULL };
	if (!json_is_object(rec))
		return fv_vi_bad(&r, "an OSV record (an object)", rec);
	json_t *id = json_object_get(rec, "id");
	if (!json_is_string(id) || !fv_vi_token_ok(json_string_value(id)))
		return fv_vi_bad(&r, "a string \"id\" such as \"GHSA-xxxx-xxxx-xxxx\"", id);
	r.id = json_string_value(id);
	const char *modified, *published, *summary, *details;
	double cvss;
	char aliases[1024];
	int rc = fv_vi_opt_str(&r, rec, "modified", "a date string \"modified\"", &modified);
	if (!rc && (!modified || !*modified))
		rc = fv_vi_bad(&r, "a date string \"modified\"", json_object_get(rec, "modified"));
	if (!rc)
		rc = fv_vi_opt_str(&r, rec, "published", "a date string \"published\"", &published);
	if (!rc)
		rc = fv_vi_opt_str(&r, rec, "summary", "a string \"summary\"", &summary);
	if (!rc)
		rc = fv_vi_opt_str(&r, rec, "details", "a string \"details\"", &details);
	if (!rc)
		rc = score_of(&r, rec, &cvss);
	if (!rc)
		rc = aliases_of(&r, rec, aliases, sizeof aliases);
	json_t *affected = json_object_get(rec, "affected");
	if (!rc && affected && !json_is_array(affected))
		rc = fv_vi_bad(&r, "an array \"affected\"", affected);
	if (rc)
		return rc;
	/* The summary is optional; the first line of the details stands in for it. */
	char first[FV_VULN_SUMMARY_MAX];
	if ((!summary || !*summary) && details) {
		size_t n = strcspn(details, "\r\n");
		snprintf(first, sizeof first, "%.*s", (int)(n < sizeof first - 1 ? n : sizeof first - 1), details);
		summary = first;
	}
	rc = fv_vi_vuln(im, "osv", r.id, summary, cvss, published, modified, aliases);
	size_t i;
	json_t *e;
	json_array_foreach(affected, i, e) {
		if (rc)
			break;
		rc = one_affected(&r, e);
	}
	return rc;
}

int fv_import_osv(struct fv_vimport *im, json_t *root)
{
	if (!json_is_array(root))
		return one(im, 1, root);
	size_t i;
	json_t *e;
	json_array_foreach(root, i, e) {
		int rc = one(im, i + 1, e);
		if (rc)
			return rc;
	}
	return FV_OK;
}

int fv_import_osv_zip(struct fv_vimport *im, const char *path)
{
	struct archive *a = archive_read_new();
	if (!a)
		return fv_vi_fail(im, 0, NULL, "out of memory");
	archive_read_support_format_zip(a);
	int rc = FV_OK;
	uint8_t *buf = NULL;
	int r = ARCHIVE_EOF;
	char name[256];
	if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
		rc = fv_vi_fail(im, 0, NULL, "expected a zip of OSV records: %s", archive_error_string(a));
		goto out;
	}
	struct archive_entry *e;
	while (!rc && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *pn = archive_entry_pathname(e);
		size_t len = pn ? strlen(pn) : 0;
		if (archive_entry_filetype(e) != AE_IFREG || len < 5 || strcmp(pn + len - 5, ".json"))
			continue;
		snprintf(name, sizeof name, "%s", pn);
		im->member = name;
		/* Sizes may be known only from a data descriptor: read in blocks, up to the limit. */
		size_t size = 0, cap = 0;
		for (;;) {
			if (cap - size < 65536) {
				size_t ncap = cap ? cap * 2 : 65536;
				if (ncap > MAX_MEMBER + 65536u)
					ncap = MAX_MEMBER + 65536u;
				uint8_t *nb = realloc(buf, ncap + 1);
				if (!nb) {
					rc = fv_vi_fail(im, 0, NULL, "out of memory");
					break;
				}
				buf = nb;
				cap = ncap;
			}
			la_ssize_t got = archive_read_data(a, buf + size, cap - size);
			if (got < 0) {
				rc = fv_vi_fail(im, 0, NULL, "expected a readable member: %s", archive_error_string(a));
				break;
			}
			if (got == 0)
				break;
			size += (size_t)got;
			if (size > MAX_MEMBER) {
				rc = fv_vi_fail(im, 0, NULL, "expected a JSON member of at most %u bytes", MAX_MEMBER);
				break;
			}
		}
		if (rc)
			break;
		json_error_t je;
		json_t *doc = json_loadb((const char *)buf, size, JSON_REJECT_DUPLICATES, &je);
		if (!doc) {
			rc = fv_vi_fail(im, 0, NULL, "line %d column %d: expected valid JSON: %s", je.line, je.column,
					je.text);
			break;
		}
		rc = fv_import_osv(im, doc);
		json_decref(doc);
	}
	if (!rc && r != ARCHIVE_EOF) {
		im->member = NULL;
		rc = fv_vi_fail(im, 0, NULL, "expected a zip of OSV records: %s", archive_error_string(a));
	}
out:
	im->member = NULL;
	free(buf);
	archive_read_free(a);
	return rc;
}

/* ---- CVSS v3.x base score (FIRST's CVSS v3.1 specification, section 7) ---------------- */

static double pow15(double x)
{
	double r = 1;
	for (int i = 0; i < 15; i++)
		r *= x;
	return r;
}

static double roundup(double x)
{
	long long i = (long long)(x * 100000.0 + 0.5);
	if (i % 10000 == 0)
		return (double)i / 100000.0;
	return (double)(i / 10000 + 1) / 10.0;
}

double fv_cvss3_score(const char *vector)
{
	if (strncmp(vector, "CVSS:3.0/", 9) && strncmp(vector, "CVSS:3.1/", 9))
		return -1;
	/* AV AC PR UI S C I A, each seen once. */
	char val[8] = { 0 };
	static const char *const keys[] = { "AV", "AC", "PR", "UI", "S", "C", "I", "A" };
	for (const char *p = vector + 9; *p;) {
		const char *colon = strchr(p, ':');
		if (!colon || !colon[1])
			return -1;
		size_t kn = (size_t)(colon - p);
		for (size_t k = 0; k < 8; k++)
			if (strlen(keys[k]) == kn && !strncmp(p, keys[k], kn)) {
				if (val[k])
					return -1;
				val[k] = colon[1];
			}
		p = colon + 2;
		if (*p && *p++ != '/')
			return -1;
	}
	for (size_t k = 0; k < 8; k++)
		if (!val[k])
			return -1;
	int changed = val[4] == 'C';
	if (!changed && val[4] != 'U')
		return -1;
	double av, ac, pr, ui, cia[3];
	switch (val[0]) {
	case 'N': av = 0.85; break;
	case 'A': av = 0.62; break;
	case 'L': av = 0.55; break;
	case 'P': av = 0.2; break;
	default: return -1;
	}
	switch (val[1]) {
	case 'L': ac = 0.77; break;
	case 'H': ac = 0.44; break;
	default: return -1;
	}
	switch (val[2]) {
	case 'N': pr = 0.85; break;
	case 'L': pr = changed ? 0.68 : 0.62; break;
	case 'H': pr = changed ? 0.5 : 0.27; break;
	default: return -1;
	}
	switch (val[3]) {
	case 'N': ui = 0.85; break;
	case 'R': ui = 0.62; break;
	default: return -1;
	}
	for (int k = 0; k < 3; k++) {
		switch (val[5 + k]) {
		case 'H': cia[k] = 0.56; break;
		case 'L': cia[k] = 0.22; break;
		case 'N': cia[k] = 0; break;
		default: return -1;
		}
	}
	double iss = 1 - (1 - cia[0]) * (1 - cia[1]) * (1 - cia[2]);
	double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow15(iss - 0.02) : 6.42 * iss;
	double expl = 8.22 * av * ac * pr * ui;
	if (impact <= 0)
		return 0;
	double s = changed ? 1.08 * (impact + expl) : impact + expl;
	return roundup(s < 10 ? s : 10);
}
