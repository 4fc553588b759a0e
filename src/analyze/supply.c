/*
 * Supply chain: what the components analyzer saw, copy by copy, becomes the
 * image's component list (one entry per component and version, with every
 * path that holds it), and each entry is judged: known vulnerabilities from
 * the offline data (src/vuln/), end of support from rules/eol/, and more than
 * one version of one component in one product.
 *
 * An image-scope analyzer: it only has a finish step, which runs after the
 * components analyzer's (the table in analyzers.c keeps that order).
 */
#include "analyze/analyze.h"
#include "analyze/rulefile.h"
#include "core/buf.h"
#include "core/err.h"
#include "vuln/version.h"
#include "vuln/vulndb.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct eol {
	char *name;   /* component */
	char *branch; /* version prefix, or "*" */
	char date[11];
	char *source;
};

struct supply {
	struct eol *eol;
	size_t neol, capeol;
	char **backports; /* rules/supply/backports.txt: marks of distribution builds */
	size_t nbackports, capbackports;
	struct fv_vulndb *db;
	char today[11]; /* YYYY-MM-DD, UTC: branches that ended before it are end-of-life */
};

/* ---- rules/eol -------------------------------------------------------------- */

static int valid_date(const char *p, size_t n)
{
	static const char shape[] = "dddd-dd-dd";
	if (n != 10)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)p[i]) : p[i] != '-')
			return 0;
	int mon = (p[5] - '0') * 10 + (p[6] - '0'), day = (p[8] - '0') * 10 + (p[9] - '0');
	return mon >= 1 && mon <= 12 && day >= 1 && day <= 31;
}

/* The next whitespace-separated word of p[*i..n). */
static size_t word(const char *p, size_t n, size_t *i, const char **w)
{
	while (*i < n && isspace((unsigned char)p[*i]))
		(*i)++;
	*w = p + *i;
	size_t b = *i;
	while (*i < n && !isspace((unsigned char)p[*i]))
		(*i)++;
	return *i - b;
}

static int eol_line(struct fv_actx *a, void *ctx, const char *path, size_t line, const char *p,
		    size_t n)
{
	struct supply *s = ((void **)ctx)[0];
	const char *name = ((void **)ctx)[1];
	const char *branch, *date, *src;
	size_t i = 0, lb = word(p, n, &i, &branch), ld = word(p, n, &i, &date);
	size_t ls = word(p, n, &i, &src);
	int branch_ok = lb && (isdigit((unsigned char)branch[0]) || (lb == 1 && branch[0] == '*'));
	if (!branch_ok || !valid_date(date, ld) || !ls) {
		fv_actx_fail(a, "%s:%zu: expected 'BRANCH YYYY-MM-DD SOURCE' (BRANCH a version prefix "
			     "or *), found \"%.*s\"", path, line, (int)(n > 80 ? 80 : n), p);
		return FV_EFORMAT;
	}
	if (fv_grow(&s->eol, &s->capeol, s->neol, sizeof *s->eol))
		return FV_ENOMEM;
	struct eol *e = &s->eol[s->neol];
	e->name = strdup(name);
	e->branch = strndup(branch, lb);
	e->source = strndup(src, n - (size_t)(src - p));
	memcpy(e->date, date, 10);
	e->date[10] = 0;
	s->neol++;
	return e->name && e->branch && e->source ? FV_OK : FV_ENOMEM;
}

static int eol_file(struct fv_actx *a, void *ctx, const char *folder, const char *file,
		    const char *stem)
{
	void *c[2] = { ctx, (void *)stem };
	return fv_rules_read(a, folder, file, 1, eol_line, c);
}

/*
 * Whether branch covers version: a prefix that ends where a version part
 * ends, so that 1.0.1 covers 1.0.1f and 1.0.1.2 but not 1.0.10.
 */
static int branch_covers(const char *branch, const char *version)
{
	if (!strcmp(branch, "*"))
		return 1;
	size_t n = strlen(branch);
	return !strncmp(branch, version, n) && !isdigit((unsigned char)version[n]);
}

/* The end of support of name at version: the longest branch that covers it. */
static const struct eol *eol_find(const struct supply *s, const char *name, const char *version)
{
	const struct eol *best = NULL;
	for (size_t i = 0; i < s->neol; i++) {
		const struct eol *e = &s->eol[i];
		if (strcmp(e->name, name) || !branch_covers(e->branch, version))
			continue;
		if (!best || !strcmp(best->branch, "*") || strlen(e->branch) > strlen(best->branch))
			best = e;
	}
	return best;
}

/* ---- rules/supply/backports.txt ---------------------------------------------------- */

static int backport_line(struct fv_actx *a, void *ctx, const char *path, size_t line, const char *p,
			 size_t n)
{
	(void)a;
	(void)path;
	(void)line;
	struct supply *s = ctx;
	if (fv_grow(&s->backports, &s->capbackports, s->nbackports, sizeof *s->backports) ||
	    !(s->backports[s->nbackports] = strndup(p, n)))
		return FV_ENOMEM;
	s->nbackports++;
	return FV_OK;
}

/*
 * The distribution whose build this is, when its evidence says so ("GNU C
 * Library (Debian GLIBC 2.36-9+deb12u4)", a dpkg entry), else NULL.
 * Distributions backport security fixes without changing the upstream
 * version, so that number alone does not show the vulnerability.
 */
static const char *distribution(const struct supply *s, const struct fv_component_copy *c)
{
	if (!strcmp(c->method, "dpkg"))
		return "dpkg";
	for (size_t i = 0; c->evidence && i < s->nbackports; i++)
		if (strstr(c->evidence, s->backports[i]))
			return s->backports[i];
	return NULL;
}

/* ---- init ---------------------------------------------------------------------- */

static void supply_fini(void *state)
{
	struct supply *s = state;
	if (!s)
		return;
	for (size_t i = 0; i < s->neol; i++) {
		free(s->eol[i].name);
		free(s->eol[i].branch);
		free(s->eol[i].source);
	}
	free(s->eol);
	for (size_t i = 0; i < s->nbackports; i++)
		free(s->backports[i]);
	free(s->backports);
	fv_vulndb_close(s->db);
	free(s);
}

static int supply_init(struct fv_actx *a, void **state)
{
	struct supply *s = calloc(1, sizeof *s);
	if (!s)
		return FV_ENOMEM;
	*state = s;
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(s->today, sizeof s->today, "%Y-%m-%d", &tm);
	int rc = fv_rules_each(a, fv_actx_rules_dir(a), "eol", ".txt", eol_file, s);
	if (rc == FV_OK && fv_actx_user_rules(a))
		rc = fv_rules_each(a, fv_actx_user_rules(a), "eol", ".txt", eol_file, s);
	if (rc == FV_OK)
		rc = fv_rules_read(a, fv_actx_rules_dir(a), "supply/backports.txt", 0, backport_line, s);
	if (rc == FV_OK && fv_actx_user_rules(a))
		rc = fv_rules_read(a, fv_actx_user_rules(a), "supply/backports.txt", 0, backport_line, s);
	char vulns[4096], err[512];
	if (rc == FV_OK) {
		snprintf(vulns, sizeof vulns, "%s/vulns", fv_actx_rules_dir(a));
		rc = fv_vulndb_open(fv_actx_vulndb(a), vulns, &s->db, err, sizeof err);
		if (rc != FV_OK)
			fv_actx_fail(a, "%s", err);
	}
	if (rc != FV_OK) {
		/* A failed init gets no fini (run.c). */
		supply_fini(s);
		*state = NULL;
		return rc;
	}
	fv_actx_set_vulndb(a, fv_vulndb_date(s->db), fv_vulndb_sha256(s->db));
	return FV_OK;
}

/* ---- aggregation ------------------------------------------------------------- */

static int cmp_copy(const void *x, const void *y)
{
	const struct fv_component_copy *a = *(const struct fv_component_copy *const *)x;
	const struct fv_component_copy *b = *(const struct fv_component_copy *const *)y;
	int r = strcmp(a->name, b->name);
	if (!r)
		r = fv_version_cmp(a->version, b->version);
	if (!r)
		r = strcmp(a->version, b->version);
	if (!r)
		r = strcmp(a->path, b->path);
	/*
	 * Then what was found where: the order found depends on which analysis
	 * thread finished first, and a report must not.  The first copy of a
	 * version (its path, offset and evidence) is the one reported.
	 */
	if (!r)
		r = (a->offset > b->offset) - (a->offset < b->offset);
	if (!r)
		r = strcmp(a->method ? a->method : "", b->method ? b->method : "");
	if (!r)
		r = strcmp(a->evidence ? a->evidence : "", b->evidence ? b->evidence : "");
	return r ? r : (a > b) - (a < b);
}

/*
 * The CPE 2.3 formatted string of a rule's "vendor:product" (part a) or
 * "part:vendor:product" at version.  Characters outside the unquoted set
 * are quoted with a backslash, as the CPE naming specification asks.
 */
static void cpe_name(const char *rule, const char *version, char *out, size_t cap)
{
	const char *part = "a";
	char pbuf[2];
	if (strlen(rule) > 2 && rule[1] == ':' && strchr(rule + 2, ':') && strchr("aoh", rule[0])) {
		pbuf[0] = rule[0];
		pbuf[1] = 0;
		part = pbuf;
		rule += 2;
	}
	char v[256];
	size_t k = 0;
	for (const char *p = version; *p && k + 3 < sizeof v; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
			v[k++] = '\\';
		v[k++] = *p;
	}
	v[k] = 0;
	snprintf(out, cap, "cpe:2.3:%s:%s:%s:*:*:*:*:*:*:*", part, rule, *v ? v : "*");
}

/* The purl with its version, percent-encoded as the purl specification asks. */
static void purl_name(const char *base, const char *version, char *out, size_t cap)
{
	size_t k = (size_t)snprintf(out, cap, "%s", base);
	if (!*version || k + 1 >= cap)
		return;
	out[k++] = '@';
	for (const char *p = version; *p && k + 4 < cap; p++) {
		unsigned char c = (unsigned char)*p;
		if (isalnum(c) || strchr(".-_~", c))
			out[k++] = (char)c;
		else
			k += (size_t)snprintf(out + k, cap - k, "%%%02X", c);
	}
	out[k] = 0;
}

/* One component at one version while it is judged. */
struct group {
	const struct fv_component_copy *first; /* the first in cmp_copy's order: evidence, method */
	const char **paths;
	size_t npaths;
	const char *detail;
	const char *distribution; /* a distribution build (see distribution()), or NULL */
	int lower_bound;          /* every copy's version is only a lower bound (method symver) */
};

struct vhit {
	char *id, *summary, *source, *range;
	double cvss;
	int kev;
	const struct group *g;
};

struct vhits {
	struct vhit *v;
	size_t n, cap;
	const struct group *g;
};

static void on_vuln(void *ctx, const struct fv_vuln_match *m)
{
	struct vhits *h = ctx;
	if (fv_grow(&h->v, &h->cap, h->n, sizeof *h->v))
		return;
	struct vhit *x = &h->v[h->n];
	x->id = strdup(m->id);
	x->summary = strdup(m->summary ? m->summary : "");
	x->source = strdup(m->source ? m->source : "");
	x->range = strdup(m->range ? m->range : "");
	x->cvss = m->cvss;
	x->kev = m->kev;
	x->g = h->g;
	if (x->id && x->summary && x->source && x->range) {
		h->n++;
		return;
	}
	/* Out of memory: this one is left out rather than reported half-made. */
	free(x->id);
	free(x->summary);
	free(x->source);
	free(x->range);
}

static int cmp_vhit(const void *x, const void *y)
{
	const struct vhit *a = x, *b = y;
	if (a->kev != b->kev)
		return b->kev - a->kev;
	if (a->cvss != b->cvss)
		return a->cvss < b->cvss ? 1 : -1;
	int r = strcmp(a->g->first->name, b->g->first->name);
	return r ? r : strcmp(a->id, b->id);
}

static enum fv_severity finding_severity(double cvss, int kev)
{
	enum fv_severity s = cvss >= 9.0 ? FV_SEV_CRITICAL : cvss >= 7.0 ? FV_SEV_HIGH
			     : cvss >= 4.0 || cvss < 0 ? FV_SEV_MEDIUM : FV_SEV_LOW;
	/* Exploited in the wild: whatever its score, it is not a low priority. */
	return kev && s < FV_SEV_HIGH ? FV_SEV_HIGH : s;
}

static enum fv_conf copy_confidence(const struct fv_component_copy *c)
{
	return strcmp(c->method, "filename") && strcmp(c->method, "soname") ? FV_CONF_HIGH : FV_CONF_MEDIUM;
}

/* Reports a finding at path, which is a file of the inventory (it came from one). */
static const struct fv_file *file_at(struct fv_actx *a, const char *path)
{
	return fv_inventory_find(fv_actx_inventory(a), path);
}

static void judge_group(struct fv_actx *a, struct supply *s, const struct group *g,
			struct vhits *hits)
{
	const struct fv_component_copy *c = g->first;
	char cpe[512], purl[512];
	cpe_name(c->cpe ? c->cpe : "", c->version, cpe, sizeof cpe);
	purl_name(c->purl ? c->purl : "", c->version, purl, sizeof purl);
	const struct eol *e = *c->version ? eol_find(s, c->name, c->version) : NULL;
	struct fv_component out = {
		.name = c->name, .title = c->title, .version = c->version,
		.cpe = c->cpe ? cpe : NULL, .purl = c->purl ? purl : NULL,
		.paths = g->paths, .npaths = g->npaths,
		.evidence = c->evidence, .method = c->method, .detail = g->detail,
		.eol = e && strcmp(e->date, s->today) < 0, .eol_date = e ? e->date : NULL,
	};
	fv_actx_component(a, &out);
	const struct fv_file *f = file_at(a, g->paths[0]);
	if (out.eol && f)
		fv_actx_finding_at(a, f, "FV-SUPPLY-002", "supply-chain", FV_SEV_MEDIUM, copy_confidence(c),
				   c->offset, c->evidence,
				   "%s %s is past its end of support (%s %s ended %s)%s", c->title, c->version,
				   strcmp(e->branch, "*") ? "branch" : "every version; support",
				   strcmp(e->branch, "*") ? e->branch : "", e->date,
				   g->npaths > 1 ? "; several copies" : "");
	/* A lower bound names no version that a range could be checked against. */
	if (!*c->version || g->lower_bound)
		return;
	/* The CPE the data knows it by is the rule's vendor:product, without a part. */
	const char *vp = c->cpe;
	if (vp && strlen(vp) > 2 && vp[1] == ':' && strchr(vp + 2, ':'))
		vp += 2;
	hits->g = g;
	/* The database was opened and checked at init; a read failing now leaves this version unmatched. */
	fv_vulndb_match(s->db, c->name, vp, c->version, on_vuln, hits);
}

/*
 * More than one version of one component: each is patched (or not) on its
 * own, which is how 70 copies of 4 OpenSSL versions end up in one product.
 */
static void judge_versions(struct fv_actx *a, struct group *g, size_t n)
{
	size_t nv = 0, ncopies = 0;
	for (size_t i = 0; i < n; i++)
		if (*g[i].first->version) {
			nv++;
			ncopies += g[i].npaths;
		}
	if (nv < 2)
		return;
	char ev[1024];
	size_t k = 0;
	for (size_t i = 0; i < n && k < sizeof ev; i++)
		if (*g[i].first->version)
			k += (size_t)snprintf(ev + k, sizeof ev - k, "%s%s (%zu)", k ? ", " : "",
					      g[i].first->version, g[i].npaths);
	const struct group *oldest = NULL;
	for (size_t i = 0; i < n && !oldest; i++)
		if (*g[i].first->version)
			oldest = &g[i];
	const struct fv_file *f = file_at(a, oldest->paths[0]);
	if (f)
		fv_actx_finding_at(a, f, "FV-SUPPLY-001", "supply-chain", FV_SEV_MEDIUM, FV_CONF_HIGH,
				   oldest->first->offset, ev, "%s ships in %zu versions (%zu copies): %s",
				   oldest->first->title, nv, ncopies, ev);
}

/* Whether the component's copy at path has a version (so a versionless sighting there adds nothing). */
static int versioned_at(const struct fv_component_copy *const *v, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (*v[i]->version && !strcmp(v[i]->path, path))
			return 1;
	return 0;
}

static void report_vulns(struct fv_actx *a, struct vhits *h)
{
	if (h->n)
		qsort(h->v, h->n, sizeof *h->v, cmp_vhit);
	for (size_t i = 0; i < h->n; i++) {
		const struct vhit *x = &h->v[i];
		const struct fv_component_copy *c = x->g->first;
		struct fv_vulnerability v = {
			.id = x->id, .component = c->name, .version = c->version,
			.severity = fv_cvss_severity(x->cvss), .cvss = x->cvss, .kev = x->kev,
			.summary = x->summary, .source = x->source,
			.paths = x->g->paths, .npaths = x->g->npaths,
		};
		v.distribution = x->g->distribution;
		fv_actx_vulnerability(a, &v);
		const struct fv_file *f = file_at(a, x->g->paths[0]);
		char ev[512], score[16] = "no CVSS";
		if (x->cvss >= 0)
			snprintf(score, sizeof score, "CVSS %.1f", x->cvss);
		snprintf(ev, sizeof ev, "%s: %s (affected %s)", x->id, c->evidence, x->range);
		/* A distribution build may carry the fix under the same upstream number: worth a
		 * look, not a verdict. */
		const char *dist = x->g->distribution;
		char why[128] = "";
		if (dist)
			snprintf(why, sizeof why, " [%s build: the fix may be backported]",
				 strcmp(dist, "dpkg") ? dist : "Debian package");
		if (f)
			fv_actx_finding_at(a, f, "FV-VULN-001", "vulnerability",
					   dist ? FV_SEV_LOW : finding_severity(x->cvss, x->kev),
					   dist ? FV_CONF_LOW : copy_confidence(c), c->offset, ev,
					   "%s %s: %s (%s%s)%s%s%s%s", c->title, c->version, x->id, score,
					   x->kev ? ", known exploited" : "", *x->summary ? ": " : "", x->summary,
					   x->g->npaths > 1 ? " [several copies]" : "", why);
	}
}

static void supply_finish(struct fv_actx *a, void *state)
{
	struct supply *s = state;
	size_t n;
	const struct fv_component_copy *copies = fv_actx_component_copies(a, &n);
	if (!n)
		return;
	const struct fv_component_copy **v = malloc(n * sizeof *v);
	const char **paths = malloc(n * sizeof *paths);
	struct group *groups = calloc(n, sizeof *groups);
	struct vhits hits = { 0 };
	if (!v || !paths || !groups) {
		free(v);
		free(paths);
		free(groups);
		return;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = &copies[i];
	qsort(v, n, sizeof *v, cmp_copy);
	/* One component name at a time, [b, e); its versions are groups[g0 .. ng). */
	size_t ng = 0, np = 0;
	for (size_t b = 0, e; b < n; b = e) {
		for (e = b; e < n && !strcmp(v[e]->name, v[b]->name); e++)
			;
		size_t g0 = ng;
		for (size_t i = b; i < e; i++) {
			const struct fv_component_copy *c = v[i];
			if (!*c->version && versioned_at(v + b, e - b, c->path))
				continue;
			struct group *g = ng > g0 ? &groups[ng - 1] : NULL;
			if (!g || strcmp(g->first->version, c->version)) {
				g = &groups[ng++];
				g->first = c; /* at paths[0]: a finding's path and offset come from one copy */
				g->paths = paths + np;
				g->lower_bound = 1;
			}
			if (!g->distribution)
				g->distribution = distribution(s, c);
			g->lower_bound &= !strcmp(c->method, "symver");
			if (!g->detail && c->detail)
				g->detail = c->detail;
			/* Sorted by path within a version: a path seen by two methods is listed once. */
			if (!g->npaths || strcmp(g->paths[g->npaths - 1], c->path)) {
				g->paths[g->npaths++] = c->path;
				np++;
			}
		}
		for (size_t i = g0; i < ng; i++)
			judge_group(a, s, &groups[i], &hits);
		judge_versions(a, groups + g0, ng - g0);
	}
	/* Worst first over the whole image, not per component. */
	report_vulns(a, &hits);
	for (size_t i = 0; i < hits.n; i++) {
		free(hits.v[i].id);
		free(hits.v[i].summary);
		free(hits.v[i].source);
		free(hits.v[i].range);
	}
	free(hits.v);
	free(groups);
	free(paths);
	free(v);
}

const struct fv_analyzer fv_analyzer_supply = {
	.name = "supply",
	.scope = FV_SCOPE_IMAGE,
	.rules = "eol supply vulns",
	.init = supply_init,
	.finish = supply_finish,
	.fini = supply_fini,
};
