/*
 * CycloneDX 1.5 JSON (https://cyclonedx.org/docs/1.5/json/), and what the
 * two SBOM formats share (sbom.h).
 *
 * The image is metadata.component (type firmware, its SHA-256); each
 * component version is a component with its CPE, purl, the evidence of its
 * version and every path that holds it (evidence.occurrences); the image
 * depends on each of them (dependencies); each vulnerability id is listed
 * once, with the component versions it affects.  What CycloneDX has no field
 * for (end of life, how a version was found, BusyBox applets, known
 * exploitation) is in properties named fwvet:*.
 */
#include "report/sbom.h"

#include "analyze/run.h"
#include "core/clock.h"
#include "core/json.h"
#include "report/report.h"
#include "unpack/engine.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- shared with spdx.c ------------------------------------------------------ */

static int in_list(const char *name, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (!strcmp(name, list[i]))
			return 1;
	return 0;
}

/*
 * Canonical component names (rules/components/) that are kernels or
 * operating systems, boot loaders, and libraries whose name does not start
 * with "lib"; everything else is an application.
 */
enum fv_sbom_kind fv_sbom_kind(const char *name)
{
	static const char *const os[] = { "linux", "vxworks", "freertos", "threadx", "ecos", "qnx",
					  "openwrt", NULL };
	static const char *const fw[] = { "u-boot", NULL };
	static const char *const lib[] = {
		"openssl", "wolfssl", "mbedtls", "gnutls", "matrixssl", "uclibc", "uclibc-ng", "glibc",
		"musl", "zlib", "curl", "expat", "sqlite", "json-c", "pcre", "pcre2", "c-ares", "nettle",
		"jquery", "lwip", "axtls", "bzip2", "xz", "lz4", "zstd", "e2fsprogs-libs", NULL,
	};
	if (!name)
		return FV_SBOM_APPLICATION;
	if (in_list(name, os))
		return FV_SBOM_OS;
	if (in_list(name, fw))
		return FV_SBOM_FIRMWARE;
	if (!strncmp(name, "lib", 3) || in_list(name, lib))
		return FV_SBOM_LIBRARY;
	return FV_SBOM_APPLICATION;
}

void fv_sbom_timestamp(char out[21])
{
	time_t t = fv_run_time();
	struct tm tm;
	if (!gmtime_r(&t, &tm) || strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) != 20)
		memcpy(out, "1970-01-01T00:00:00Z", 21);
}

void fv_sbom_uuid(const struct fv_report *r, const char *kind, char out[37])
{
	/* RFC 4122 appendix C: the namespace of names that are URLs or URNs. */
	static const unsigned char ns[16] = { 0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
					      0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8 };
	const char *img = r->u->image_sha256[0] ? r->u->image_sha256
			: r->u->image_path ? r->u->image_path : "";
	const char *parts[] = { "urn:fwvet:", kind, ":", img, ":", r->rules_sha256 ? r->rules_sha256 : "",
				":", r->vulndb_date ? r->vulndb_date : "", ":", FV_VERSION };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_DigestInit_ex(c, EVP_sha1(), NULL) && EVP_DigestUpdate(c, ns, sizeof ns);
	for (size_t i = 0; ok && i < sizeof parts / sizeof *parts; i++)
		ok = EVP_DigestUpdate(c, parts[i], strlen(parts[i]));
	ok = ok && EVP_DigestFinal_ex(c, md, &len) && len >= 16;
	EVP_MD_CTX_free(c);
	if (!ok)
		memset(md, 0, 16);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	size_t k = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[k++] = '-';
		k += (size_t)snprintf(out + k, 37 - k, "%02x", md[i]);
	}
	out[36] = 0;
}

void fv_sbom_image_name(const struct fv_report *r, char *out, size_t cap)
{
	const char *p = r->u->image_path ? r->u->image_path : "";
	size_t n = strlen(p);
	while (n > 0 && p[n - 1] == '/')
		n--;
	size_t b = n;
	while (b > 0 && p[b - 1] != '/')
		b--;
	if (b == n)
		snprintf(out, cap, "image");
	else
		snprintf(out, cap, "%.*s", (int)(n - b), p + b);
}

void fv_sbom_doc_init(struct fv_sbom_doc *d, const struct fv_report *r, const char *kind)
{
	static const struct fv_results none;
	d->res = r->res ? r->res : &none;
	fv_sbom_timestamp(d->ts);
	fv_sbom_image_name(r, d->name, sizeof d->name);
	fv_sbom_uuid(r, kind, d->uuid);
}

/* Where a vulnerability id is published, by its prefix; the last entry takes every other id. */
static const struct advisory_source {
	const char *prefix, *name, *url;
} advisory_sources[] = {
	{ "CVE-", "NVD", "https://nvd.nist.gov/vuln/detail/" },
	{ "GHSA-", "GitHub Advisories", "https://github.com/advisories/" },
	{ "", "OSV", "https://osv.dev/vulnerability/" },
};

static const struct advisory_source *advisory_source(const char *id)
{
	size_t i = 0;
	while (strncmp(id, advisory_sources[i].prefix, strlen(advisory_sources[i].prefix)))
		i++;
	return &advisory_sources[i];
}

int fv_sbom_advisory_url(const char *id, char *out, size_t cap)
{
	size_t n = id ? strlen(id) : 0;
	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return snprintf(out, cap, "%s%s", advisory_source(id)->url, id) < (int)cap;
}

/* ---- CycloneDX --------------------------------------------------------------- */

static const char *const kind_type[] = {
	[FV_SBOM_APPLICATION] = "application",
	[FV_SBOM_LIBRARY] = "library",
	[FV_SBOM_OS] = "operating-system",
	[FV_SBOM_FIRMWARE] = "firmware",
};

static const char *str(const char *s)
{
	return s ? s : "";
}

static void prop(struct fv_json *j, const char *name, const char *value)
{
	if (!value)
		return;
	fv_json_obj_begin(j);
	fv_json_kstr(j, "name", name);
	fv_json_kstr(j, "value", value);
	fv_json_obj_end(j);
}

/*
 * Component i's bom-ref, under key (NULL: an array item).  Its index makes
 * it unique whatever a package database names its packages; name and
 * version make it readable: "component-3-openssl@1.0.1f".
 */
static void bom_ref(struct fv_json *j, const char *key, size_t i, const struct fv_component *c)
{
	char pre[32];
	int np = snprintf(pre, sizeof pre, "component-%zu-", i + 1);
	size_t nn = strlen(str(c->name)), nv = strlen(str(c->version));
	char *s = malloc((size_t)np + nn + nv + 2);
	if (key)
		fv_json_key(j, key);
	if (!s) {
		pre[np - 1] = 0; /* still unique, only less readable */
		fv_json_str(j, pre);
		return;
	}
	snprintf(s, (size_t)np + nn + nv + 2, "%s%s%s%s", pre, str(c->name), nv ? "@" : "",
		 str(c->version));
	fv_json_str(j, s);
	free(s);
}

/*
 * How a version was found, as CycloneDX's evidence techniques name it, and
 * how far that method alone pins the exact release: a package database
 * states it; a version string in the bytes is what the program prints; a
 * soname or a file name often names only the ABI or a branch.
 */
static void technique(const char *method, const char **tech, double *conf)
{
	static const struct {
		const char *method, *tech;
		double conf;
	} t[] = {
		{ "opkg", "manifest-analysis", 1 }, { "dpkg", "manifest-analysis", 1 },
		{ "string", "binary-analysis", 0.9 }, { "applets", "binary-analysis", 0.9 },
		{ "symver", "binary-analysis", 0.7 }, { "soname", "binary-analysis", 0.5 },
		{ "filename", "filename", 0.5 },
	};
	for (size_t i = 0; method && i < sizeof t / sizeof *t; i++)
		if (!strcmp(method, t[i].method)) {
			*tech = t[i].tech;
			*conf = t[i].conf;
			return;
		}
	*tech = "other";
	*conf = 0.5;
}

static void component_json(struct fv_json *j, size_t i, const struct fv_component *c)
{
	fv_json_obj_begin(j);
	fv_json_kstr(j, "type", kind_type[fv_sbom_kind(c->name)]);
	bom_ref(j, "bom-ref", i, c);
	fv_json_kstr(j, "name", str(c->name));
	if (*str(c->version))
		fv_json_kstr(j, "version", c->version);
	if (c->title && *c->title)
		fv_json_kstr(j, "description", c->title);
	if (c->cpe)
		fv_json_kstr(j, "cpe", c->cpe);
	if (c->purl)
		fv_json_kstr(j, "purl", c->purl);
	fv_json_key(j, "evidence");
	fv_json_obj_begin(j);
	if (c->method || c->evidence) {
		const char *tech;
		double conf;
		technique(c->method, &tech, &conf);
		fv_json_key(j, "identity");
		fv_json_obj_begin(j);
		fv_json_kstr(j, "field", *str(c->version) ? "version" : "name");
		fv_json_kdouble(j, "confidence", conf);
		fv_json_key(j, "methods");
		fv_json_arr_begin(j);
		fv_json_obj_begin(j);
		fv_json_kstr(j, "technique", tech);
		fv_json_kdouble(j, "confidence", conf);
		if (c->evidence)
			fv_json_kstr(j, "value", c->evidence);
		fv_json_obj_end(j);
		fv_json_arr_end(j);
		fv_json_obj_end(j);
	}
	fv_json_key(j, "occurrences");
	fv_json_arr_begin(j);
	for (size_t k = 0; k < c->npaths; k++) {
		fv_json_obj_begin(j);
		fv_json_kstr(j, "location", c->paths[k]);
		fv_json_obj_end(j);
	}
	fv_json_arr_end(j);
	fv_json_obj_end(j);
	fv_json_key(j, "properties");
	fv_json_arr_begin(j);
	prop(j, "fwvet:method", c->method);
	prop(j, "fwvet:eol", c->eol ? "true" : "false");
	prop(j, "fwvet:eol_date", c->eol_date);
	prop(j, !strcmp(str(c->name), "busybox") ? "fwvet:busybox_applets" : "fwvet:detail", c->detail);
	fv_json_arr_end(j);
	fv_json_obj_end(j);
}

static int cmp_component(const void *x, const void *y)
{
	const struct fv_component *a = *(const struct fv_component *const *)x;
	const struct fv_component *b = *(const struct fv_component *const *)y;
	int r = strcmp(str(a->name), str(b->name));
	return r ? r : strcmp(str(a->version), str(b->version));
}

/* Components by name and version, to find the ones a vulnerability affects. */
struct cindex {
	const struct fv_component **v; /* NULL when there was no memory for it */
	const struct fv_results *res;
};

static void cindex_build(struct cindex *ix, const struct fv_results *res)
{
	size_t n = res->ncomponents;
	ix->res = res;
	ix->v = n ? malloc(n * sizeof *ix->v) : NULL;
	if (!ix->v)
		return;
	for (size_t i = 0; i < n; i++)
		ix->v[i] = &res->components[i];
	qsort(ix->v, n, sizeof *ix->v, cmp_component);
}

/* The index in components[] of name at version, or SIZE_MAX. */
static size_t cindex_find(const struct cindex *ix, const char *name, const char *version)
{
	const struct fv_component key = { .name = str(name), .version = str(version) };
	const struct fv_component *kp = &key, **hit;
	const struct fv_component *all = ix->res->components;
	if (!ix->v) {
		for (size_t i = 0; i < ix->res->ncomponents; i++)
			if (!strcmp(str(all[i].name), key.name) && !strcmp(str(all[i].version), key.version))
				return i;
		return SIZE_MAX;
	}
	hit = bsearch(&kp, ix->v, ix->res->ncomponents, sizeof *ix->v, cmp_component);
	return hit ? (size_t)(*hit - all) : SIZE_MAX;
}

static const char *cdx_severity(const char *s)
{
	static const char *const ok[] = { "critical", "high", "medium", "low", "info", "none", NULL };
	return s && in_list(s, ok) ? s : "unknown";
}

/* One vulnerability id: g[0..n) are its records, one per affected component version. */
static void vuln_json(struct fv_json *j, const struct fv_vulnerability *const *g, size_t n,
		      const struct cindex *ix)
{
	const struct fv_vulnerability *v = g[0];
	const char *id = str(v->id);
	char url[160];
	fv_json_obj_begin(j);
	fv_json_kstr(j, "id", id);
	fv_json_key(j, "source");
	fv_json_obj_begin(j);
	fv_json_kstr(j, "name", advisory_source(id)->name);
	if (fv_sbom_advisory_url(id, url, sizeof url))
		fv_json_kstr(j, "url", url);
	fv_json_obj_end(j);
	fv_json_key(j, "ratings");
	fv_json_arr_begin(j);
	fv_json_obj_begin(j);
	if (v->cvss >= 0)
		fv_json_kdouble(j, "score", v->cvss);
	fv_json_kstr(j, "severity", cdx_severity(v->severity));
	/* The data keeps the base score, not which CVSS version gave it (v3.x, else v2). */
	fv_json_kstr(j, "method", "other");
	fv_json_obj_end(j);
	fv_json_arr_end(j);
	if (v->summary && *v->summary)
		fv_json_kstr(j, "description", v->summary);
	fv_json_key(j, "affects");
	fv_json_arr_begin(j);
	for (size_t k = 0; k < n; k++) {
		size_t ci = cindex_find(ix, g[k]->component, g[k]->version);
		fv_json_obj_begin(j);
		if (ci == SIZE_MAX)
			fv_json_kstr(j, "ref", "firmware"); /* not in components[]: the image holds it */
		else
			bom_ref(j, "ref", ci, &ix->res->components[ci]);
		if (*str(g[k]->version)) {
			fv_json_key(j, "versions");
			fv_json_arr_begin(j);
			fv_json_obj_begin(j);
			fv_json_kstr(j, "version", g[k]->version);
			fv_json_kstr(j, "status", "affected");
			fv_json_obj_end(j);
			fv_json_arr_end(j);
		}
		fv_json_obj_end(j);
	}
	fv_json_arr_end(j);
	fv_json_key(j, "properties");
	fv_json_arr_begin(j);
	prop(j, "fwvet:kev", v->kev ? "true" : "false");
	prop(j, "fwvet:source", v->source);
	fv_json_arr_end(j);
	fv_json_obj_end(j);
}

/* By id, then by position in the report. */
static int cmp_vuln_id(const void *x, const void *y)
{
	const struct fv_vulnerability *a = *(const struct fv_vulnerability *const *)x;
	const struct fv_vulnerability *b = *(const struct fv_vulnerability *const *)y;
	int r = strcmp(str(a->id), str(b->id));
	return r ? r : (a > b) - (a < b);
}

/* Groups (pointers to their first record in the by-id list) by position in the report. */
static int cmp_group(const void *x, const void *y)
{
	const struct fv_vulnerability *a = **(const struct fv_vulnerability *const *const *)x;
	const struct fv_vulnerability *b = **(const struct fv_vulnerability *const *const *)y;
	return (a > b) - (a < b);
}

/*
 * vulnerabilities[]: one entry per id, listed where the report lists it first
 * (worst first), affecting every component version it was matched to.
 */
static void vulns_json(struct fv_json *j, const struct fv_results *res, const struct cindex *ix)
{
	size_t n = res->nvulns, ng = 0;
	fv_json_key(j, "vulnerabilities");
	fv_json_arr_begin(j);
	const struct fv_vulnerability **byid = n ? malloc(n * sizeof *byid) : NULL;
	const struct fv_vulnerability *const **group = n ? malloc(n * sizeof *group) : NULL;
	if (n && (!byid || !group)) { /* no memory to group them: one entry per record */
		for (size_t i = 0; i < n; i++) {
			const struct fv_vulnerability *one = &res->vulns[i];
			vuln_json(j, &one, 1, ix);
		}
		n = 0;
	}
	for (size_t i = 0; i < n; i++)
		byid[i] = &res->vulns[i];
	if (n)
		qsort(byid, n, sizeof *byid, cmp_vuln_id);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(str(byid[i - 1]->id), str(byid[i]->id)))
			group[ng++] = &byid[i];
	if (ng)
		qsort(group, ng, sizeof *group, cmp_group);
	for (size_t i = 0; i < ng; i++) {
		size_t len = 1, at = (size_t)(group[i] - byid);
		while (at + len < n && !strcmp(str(byid[at + len]->id), str(byid[at]->id)))
			len++;
		vuln_json(j, group[i], len, ix);
	}
	free(byid);
	free(group);
	fv_json_arr_end(j);
}

void fv_report_cyclonedx(struct fv_json *j, const struct fv_report *r)
{
	struct fv_sbom_doc d;
	fv_sbom_doc_init(&d, r, "cyclonedx");
	const struct fv_results *res = d.res;
	char serial[48], size[24];
	snprintf(serial, sizeof serial, "urn:uuid:%s", d.uuid);
	snprintf(size, sizeof size, "%llu", (unsigned long long)r->u->image_size);

	fv_json_obj_begin(j);
	fv_json_kstr(j, "$schema", "http://cyclonedx.org/schema/bom-1.5.schema.json");
	fv_json_kstr(j, "bomFormat", "CycloneDX");
	fv_json_kstr(j, "specVersion", "1.5");
	fv_json_kstr(j, "serialNumber", serial);
	fv_json_kint(j, "version", 1);
	fv_json_key(j, "metadata");
	fv_json_obj_begin(j);
	fv_json_kstr(j, "timestamp", d.ts);
	fv_json_key(j, "tools");
	fv_json_obj_begin(j);
	fv_json_key(j, "components");
	fv_json_arr_begin(j);
	fv_json_obj_begin(j);
	fv_json_kstr(j, "type", "application");
	fv_json_kstr(j, "name", "fwvet");
	fv_json_kstr(j, "version", FV_VERSION);
	fv_json_obj_end(j);
	fv_json_arr_end(j);
	fv_json_obj_end(j);
	fv_json_key(j, "component");
	fv_json_obj_begin(j);
	fv_json_kstr(j, "type", "firmware");
	fv_json_kstr(j, "bom-ref", "firmware");
	fv_json_kstr(j, "name", d.name);
	if (r->u->image_sha256[0]) {
		fv_json_key(j, "hashes");
		fv_json_arr_begin(j);
		fv_json_obj_begin(j);
		fv_json_kstr(j, "alg", "SHA-256");
		fv_json_kstr(j, "content", r->u->image_sha256);
		fv_json_obj_end(j);
		fv_json_arr_end(j);
	}
	fv_json_key(j, "properties");
	fv_json_arr_begin(j);
	prop(j, "fwvet:path", r->u->image_path);
	prop(j, "fwvet:size", size);
	fv_json_arr_end(j);
	fv_json_obj_end(j);
	fv_json_key(j, "properties");
	fv_json_arr_begin(j);
	prop(j, "fwvet:rules_sha256", r->rules_sha256);
	prop(j, "fwvet:vulndb_date", r->vulndb_date);
	fv_json_arr_end(j);
	fv_json_obj_end(j);

	fv_json_key(j, "components");
	fv_json_arr_begin(j);
	for (size_t i = 0; i < res->ncomponents; i++)
		component_json(j, i, &res->components[i]);
	fv_json_arr_end(j);

	fv_json_key(j, "dependencies");
	fv_json_arr_begin(j);
	fv_json_obj_begin(j);
	fv_json_kstr(j, "ref", "firmware");
	fv_json_key(j, "dependsOn");
	fv_json_arr_begin(j);
	for (size_t i = 0; i < res->ncomponents; i++)
		bom_ref(j, NULL, i, &res->components[i]);
	fv_json_arr_end(j);
	fv_json_obj_end(j);
	fv_json_arr_end(j);

	struct cindex ix;
	cindex_build(&ix, res);
	vulns_json(j, res, &ix);
	free(ix.v);
	fv_json_obj_end(j);
}
