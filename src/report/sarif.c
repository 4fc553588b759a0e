/*
 * SARIF 2.1.0 from the finding model: one run per image, one result per
 * finding (analysis and extraction), the rules that those results use with
 * the catalogue's text, and the run's provenance in its property bag.
 *
 * Locations.  A finding's path is the design guide's chain of containers,
 * "fw.bin!0x40000.squashfs!/etc/shadow".  SARIF wants a URI, so the path is
 * written as a relative URI reference under the base id "IMAGE" (the
 * scanned image's folder): every byte outside RFC 3986's unreserved set,
 * '/' and '!' is percent-encoded (so ' ', '%', '#', '?', ':' and bytes that
 * are not UTF-8 all survive), and the dots of a "." or ".." segment are
 * encoded too, so that no URI resolver removes them and a member named
 * "../x" cannot point outside the image.  Decoding the URI gives back the
 * path byte for byte; logicalLocations carries it as written as well.
 * The byte offset becomes region.byteOffset.  No line numbers: the store
 * does not keep file contents, and many findings are in binaries.
 */
#include "report/sarif.h"
#include "analyze/run.h"
#include "core/json.h"
#include "report/catalog.h"
#include "report/report.h"
#include "unpack/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* GitHub code scanning's limits per run and per rule id. */
#define SARIF_MAX_RESULTS 25000
#define SARIF_MAX_NOTES 100 /* extraction notifications per run */

#define BASE_ID "IMAGE"

void fv_sarif_begin(struct fv_json *j)
{
	fv_json_obj_begin(j);
	fv_json_kstr(j, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
	fv_json_kstr(j, "version", "2.1.0");
	fv_json_key(j, "runs");
	fv_json_arr_begin(j);
}

void fv_sarif_end(struct fv_json *j)
{
	fv_json_arr_end(j);
	fv_json_obj_end(j);
}

static const char *level_of(enum fv_severity s)
{
	return s >= FV_SEV_HIGH ? "error" : s == FV_SEV_MEDIUM ? "warning" : "note";
}

/* GitHub's "security-severity": a CVSS-like score that it maps back to critical/high/medium/low. */
static const char *score_of(enum fv_severity s)
{
	static const char *const v[] = { "0.0", "3.0", "5.5", "8.0", "9.5" };
	return v[s];
}

static const char *precision_of(enum fv_conf c)
{
	return c == FV_CONF_HIGH ? "high" : c == FV_CONF_MEDIUM ? "medium" : "low";
}

/*
 * The path as a relative URI (see the top of the file).  Returns a malloc'd
 * string, or NULL when out of memory.
 */
static char *path_uri(const char *p)
{
	size_t n = strlen(p);
	char *out = malloc(3 * n + 1), *o = out;
	if (!out)
		return NULL;
	static const char hex[] = "0123456789ABCDEF";
	size_t seg = 0; /* start of the current segment */
	for (size_t i = 0; i <= n; i++) {
		if (i < n && p[i] != '/')
			continue;
		size_t len = i - seg;
		int dots = (len == 1 && p[seg] == '.') || (len == 2 && p[seg] == '.' && p[seg + 1] == '.');
		for (size_t k = seg; k < i; k++) {
			unsigned char c = (unsigned char)p[k];
			int plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
				    c == '-' || c == '.' || c == '_' || c == '~' || c == '!';
			if (plain && !(dots && c == '.')) {
				*o++ = (char)c;
			} else {
				*o++ = '%';
				*o++ = hex[c >> 4];
				*o++ = hex[c & 15];
			}
		}
		if (i < n) {
			/* a leading '/' would make an absolute-path reference, "//" a network-path one */
			if (i == 0) {
				memcpy(o, "%2F", 3);
				o += 3;
			} else {
				*o++ = '/';
			}
		}
		seg = i + 1;
	}
	*o = 0;
	return out;
}

/* The last link of the chain: what a user recognises ("/etc/shadow"). */
static const char *last_link(const char *p)
{
	const char *b = strrchr(p, '!');
	return b ? b + 1 : p;
}

/* One rule used in the run, with what its results say about it. */
struct used_rule {
	const char *id;
	const struct fv_finding *first; /* its worst result: title and category when the catalogue has none */
	size_t pos;                     /* of first in the worst-first list */
	enum fv_severity worst;
	enum fv_conf best;
};

static int cmp_used(const void *x, const void *y)
{
	const struct used_rule *a = x, *b = y;
	int r = strcmp(a->id, b->id);
	/* then by position, so that each id's first entry is its worst result whatever qsort's order */
	return r ? r : (a->pos > b->pos) - (a->pos < b->pos);
}

static size_t rule_index(const struct used_rule *v, size_t n, const char *id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(v[mid].id, id);
		if (!r)
			return mid;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return n; /* not reached: every result's rule is in the list */
}

static void message(struct fv_json *j, const char *key, const char *text)
{
	fv_json_key(j, key);
	fv_json_obj_begin(j);
	fv_json_kstr(j, "text", text && *text ? text : "-");
	fv_json_obj_end(j);
}

/* help.markdown: the paragraphs, then the references as a list. */
static void help_markdown(struct fv_json *j, const struct fv_rule_info *ri)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m) {
		fv_json_kstr(j, "markdown", ri->help);
		return;
	}
	fputs(ri->help, m);
	if (ri->nrefs) {
		fputs("\n\nReferences:\n", m);
		for (size_t i = 0; i < ri->nrefs; i++)
			fprintf(m, "\n- <%s>", ri->refs[i]);
	}
	fclose(m);
	fv_json_kstr(j, "markdown", buf);
	free(buf);
}

static void help_text(struct fv_json *j, const struct fv_rule_info *ri)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m) {
		fv_json_kstr(j, "text", ri->help);
		return;
	}
	fputs(ri->help, m);
	if (ri->nrefs) {
		fputs("\n\nReferences:", m);
		for (size_t i = 0; i < ri->nrefs; i++)
			fprintf(m, "\n%s", ri->refs[i]);
	}
	fclose(m);
	fv_json_kstr(j, "text", buf);
	free(buf);
}

static void descriptor(struct fv_json *j, const struct used_rule *u, const struct fv_catalog *cat)
{
	const struct fv_rule_info *ri = fv_catalog_find(cat, u->id);
	fv_json_obj_begin(j);
	fv_json_kstr(j, "id", u->id);
	if (ri) {
		fv_json_kstr(j, "name", ri->name);
		message(j, "shortDescription", ri->summary);
		/* the first paragraph of the help: what the rule finds, at more length than the summary */
		size_t p = strcspn(ri->help, "\n");
		fv_json_key(j, "fullDescription");
		fv_json_obj_begin(j);
		fv_json_key(j, "text");
		fv_json_strn(j, ri->help, p);
		fv_json_obj_end(j);
		fv_json_key(j, "help");
		fv_json_obj_begin(j);
		help_text(j, ri);
		help_markdown(j, ri);
		fv_json_obj_end(j);
		if (ri->nrefs)
			fv_json_kstr(j, "helpUri", ri->refs[0]);
	} else {
		/* a user's YARA rule without a catalogue entry: its results' title is all there is */
		message(j, "shortDescription", u->first->title);
		message(j, "fullDescription", u->first->title);
	}
	fv_json_key(j, "defaultConfiguration");
	fv_json_obj_begin(j);
	fv_json_kstr(j, "level", level_of(u->worst));
	fv_json_obj_end(j);
	fv_json_key(j, "properties");
	fv_json_obj_begin(j);
	fv_json_key(j, "tags");
	fv_json_arr_begin(j);
	fv_json_str(j, "security");
	if (strcmp(u->first->category, "security"))
		fv_json_str(j, u->first->category);
	fv_json_arr_end(j);
	fv_json_kstr(j, "precision", precision_of(u->best));
	fv_json_kstr(j, "security-severity", score_of(u->worst));
	fv_json_obj_end(j);
	fv_json_obj_end(j);
}

static void location(struct fv_json *j, const char *path, int with_region, uint64_t offset)
{
	fv_json_obj_begin(j);
	fv_json_key(j, "physicalLocation");
	fv_json_obj_begin(j);
	fv_json_key(j, "artifactLocation");
	fv_json_obj_begin(j);
	char *uri = path_uri(path);
	fv_json_kstr(j, "uri", uri ? uri : "");
	free(uri);
	fv_json_kstr(j, "uriBaseId", BASE_ID);
	fv_json_obj_end(j);
	if (with_region) {
		fv_json_key(j, "region");
		fv_json_obj_begin(j);
		fv_json_kuint(j, "byteOffset", offset);
		fv_json_obj_end(j);
	}
	fv_json_obj_end(j);
	fv_json_key(j, "logicalLocations");
	fv_json_arr_begin(j);
	fv_json_obj_begin(j);
	fv_json_kstr(j, "name", last_link(path));
	fv_json_kstr(j, "fullyQualifiedName", path);
	fv_json_obj_end(j);
	fv_json_arr_end(j);
	fv_json_obj_end(j);
}

static void result(struct fv_json *j, const struct fv_finding *f, size_t index)
{
	fv_json_obj_begin(j);
	fv_json_kstr(j, "ruleId", f->rule);
	fv_json_kuint(j, "ruleIndex", index);
	fv_json_kstr(j, "level", level_of(f->severity));
	/* the title, and the evidence a reviewer checks it by */
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (m) {
		fputs(f->title && *f->title ? f->title : f->rule, m);
		if (f->evidence && *f->evidence)
			fprintf(m, "\nEvidence: %s", f->evidence);
		fclose(m);
	}
	message(j, "message", text ? text : f->title);
	free(text);
	fv_json_key(j, "locations");
	fv_json_arr_begin(j);
	location(j, f->path, 1, f->offset);
	fv_json_arr_end(j);
	fv_json_key(j, "partialFingerprints");
	fv_json_obj_begin(j);
	fv_json_kstr(j, "fwvet/v1", f->id);
	fv_json_obj_end(j);
	fv_json_key(j, "properties");
	fv_json_obj_begin(j);
	fv_json_kstr(j, "fwvet_id", f->id);
	fv_json_kstr(j, "severity", fv_severity_name(f->severity));
	fv_json_kstr(j, "confidence", fv_conf_name(f->confidence));
	fv_json_kstr(j, "category", f->category);
	fv_json_kstr(j, "path", f->path);
	fv_json_kuint(j, "offset", f->offset);
	fv_json_kstr(j, "evidence", f->evidence);
	fv_json_obj_end(j);
	fv_json_obj_end(j);
}

/* One notification per extraction entry that did not extract cleanly, and one for a cut result list. */
static void invocation(struct fv_json *j, const struct fv_unpack *u, size_t total, size_t kept)
{
	int failed = 0;
	size_t notes = 0;
	for (size_t i = 0; i < u->nentries; i++)
		if (u->entries[i].status == FV_XS_FAILED)
			failed = 1;
	fv_json_obj_begin(j);
	/* a partial chunk was still analysed as far as it went; a failed one not at all */
	fv_json_kbool(j, "executionSuccessful", !failed);
	fv_json_key(j, "toolExecutionNotifications");
	fv_json_arr_begin(j);
	if (kept < total) {
		char msg[160];
		snprintf(msg, sizeof msg,
			 "%zu findings; only the %zu most severe are results of this run (GitHub code scanning's limit)",
			 total, kept);
		fv_json_obj_begin(j);
		fv_json_kstr(j, "level", "warning");
		message(j, "message", msg);
		fv_json_obj_end(j);
	}
	for (size_t i = 0; i < u->nentries && notes < SARIF_MAX_NOTES; i++) {
		const struct fv_xentry *e = &u->entries[i];
		if (e->status == FV_XS_OK)
			continue;
		notes++;
		char *msg = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&msg, &len);
		if (m) {
			fprintf(m, "%s chunk %s at 0x%llx: %s", e->format, fv_xstatus_name(e->status),
				(unsigned long long)e->off, e->error ? e->error : "no message");
			fclose(m);
		}
		fv_json_obj_begin(j);
		fv_json_kstr(j, "level", e->status == FV_XS_FAILED ? "error" : "warning");
		message(j, "message", msg ? msg : "extraction incomplete");
		free(msg);
		fv_json_key(j, "locations");
		fv_json_arr_begin(j);
		location(j, e->path, 0, 0);
		fv_json_arr_end(j);
		fv_json_obj_end(j);
	}
	fv_json_arr_end(j);
	fv_json_obj_end(j);
}

void fv_sarif_run(struct fv_json *j, const struct fv_report *r)
{
	size_t n;
	const struct fv_finding **all = fv_report_findings(r, &n);
	struct used_rule *rules = malloc((n + 1) * sizeof *rules);
	if (!all || !rules)
		n = 0; /* an empty run rather than a broken document */
	size_t total = n;
	if (n > SARIF_MAX_RESULTS)
		n = SARIF_MAX_RESULTS; /* the worst first, so the most severe are kept */

	/* the rules of the kept results, by id; a rule id too long for GitHub is not expected (ids are bounded) */
	size_t nr = 0;
	for (size_t i = 0; i < n; i++) {
		rules[nr].id = all[i]->rule;
		rules[nr].first = all[i];
		rules[nr].pos = i;
		rules[nr].worst = all[i]->severity;
		rules[nr].best = all[i]->confidence;
		nr++;
	}
	if (nr)
		qsort(rules, nr, sizeof *rules, cmp_used);
	size_t w = 0;
	for (size_t i = 0; i < nr; i++) {
		if (w && !strcmp(rules[w - 1].id, rules[i].id)) {
			if (rules[i].best > rules[w - 1].best)
				rules[w - 1].best = rules[i].best;
			continue;
		}
		rules[w++] = rules[i];
	}
	nr = w;

	fv_json_obj_begin(j);
	fv_json_key(j, "tool");
	fv_json_obj_begin(j);
	fv_json_key(j, "driver");
	fv_json_obj_begin(j);
	fv_json_kstr(j, "name", "fwvet");
	fv_json_kstr(j, "version", FV_VERSION);
	fv_json_kstr(j, "semanticVersion", FV_VERSION);
	fv_json_key(j, "rules");
	fv_json_arr_begin(j);
	for (size_t i = 0; i < nr; i++)
		descriptor(j, &rules[i], r->catalog);
	fv_json_arr_end(j);
	fv_json_obj_end(j);
	fv_json_obj_end(j);

	fv_json_key(j, "invocations");
	fv_json_arr_begin(j);
	invocation(j, r->u, total, n);
	fv_json_arr_end(j);

	fv_json_key(j, "originalUriBaseIds");
	fv_json_obj_begin(j);
	fv_json_key(j, BASE_ID);
	fv_json_obj_begin(j);
	message(j, "description",
		"The folder of the scanned firmware image. A result's URI is its fwvet path, percent-encoded: the image's "
		"name, then each container's member or chunk, joined by '!' (fw.bin!0x40000.squashfs!/etc/shadow).");
	fv_json_obj_end(j);
	fv_json_obj_end(j);

	fv_json_key(j, "results");
	fv_json_arr_begin(j);
	for (size_t i = 0; i < n; i++)
		result(j, all[i], rule_index(rules, nr, all[i]->rule));
	fv_json_arr_end(j);

	fv_json_key(j, "properties");
	fv_json_obj_begin(j);
	fv_json_key(j, "image");
	fv_json_obj_begin(j);
	fv_json_kstr(j, "path", r->u->image_path);
	fv_json_kstr(j, "sha256", r->u->image_sha256[0] ? r->u->image_sha256 : NULL);
	fv_json_kuint(j, "size", r->u->image_size);
	fv_json_obj_end(j);
	fv_json_kstr(j, "rules_sha256", r->rules_sha256);
	fv_json_kstr(j, "vulndb_date", r->vulndb_date);
	fv_json_kstr(j, "vulndb_sha256", r->vulndb_sha256);
	fv_json_kuint(j, "findings", total);
	fv_json_kbool(j, "results_truncated", n < total);
	fv_json_obj_end(j);
	fv_json_obj_end(j);
	free(all);
	free(rules);
}
