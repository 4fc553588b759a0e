/*
 * fwvet monitor: every stored image evaluated again against the rules and
 * vulnerability data of today, and what is new since its last evaluation.
 *
 * Each scan keeps the input fingerprint of every analyzer (the rules it
 * read, the vulnerability data).  For the newest scan of each image:
 *   - no fingerprint changed: the image is current, nothing runs;
 *   - only supply's changed (new CVEs, end-of-life dates, component rules of
 *     supply): supply runs again over the stored component copies, without
 *     the files;
 *   - an analyzer that reads files changed: the image is unpacked again from
 *     where it was scanned, when it is still there with the same SHA-256, and
 *     the stored analysis results of its contents are reused for every
 *     analyzer whose inputs did not change; otherwise the image is stale and
 *     says which analyzers could not run.
 * What changed is the diff of the stored scan and the new evaluation (new and
 * resolved findings, new vulnerabilities); an evaluation that changed
 * something is stored as the image's newest scan, so the next run reports
 * only what is new since.
 */
#include "analyze/cache.h"
#include "analyze/run.h"
#include "cli/cli.h"
#include "cli/input.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/json.h"
#include "core/log.h"
#include "integrity/diff.h"
#include "integrity/pair.h"
#include "report/report.h"
#include "store/store.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The analyzer that works from stored records alone (the component copies). */
#define SUPPLY "supply"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fwvet monitor [options] [SCAN_ID...]\n"
		"  --db SPEC         the store (default $FWVET_DB, else $XDG_DATA_HOME/fwvet/fwvet.db)\n"
		"  --format FMT      text (default) or json\n"
		"  -o, --output FILE write the report to FILE instead of stdout\n"
		"  --rules DIR       also use the rules in DIR (as fwvet scan)\n"
		"  --vulndb PATH     the imported vulnerability database (default $FWVET_VULNDB, else\n"
		"                    $XDG_DATA_HOME/fwvet/vulndb.db); 'none': only the curated rules/vulns\n"
		"  --fail-on SEV     exit 1 when a NEW finding is at or above SEV (default info: any new finding)\n"
		"  --threads N       analysis threads (default: one per core)\n"
		"Evaluates the newest scan of every stored image (or the scans given) against the current rules\n"
		"and vulnerability data and reports what is new since; an image whose file analyzers' rules\n"
		"changed is unpacked again from its path.  Exit 0: nothing new; 1: something new at or above\n"
		"--fail-on; 2: an image or the store could not be read.\n");
}

struct monitor {
	struct fv_store *store;
	struct fv_actx *full;   /* every analyzer: today's fingerprints, and rescans */
	struct fv_actx *supply; /* supply alone, over stored copies */
	struct fv_limits lim;
	struct fv_json j;
	FILE *out;
	int json;
	int fail_on, worst;     /* worst severity among new findings, -1 none */
	size_t images, current, reevaluated, rescanned, stale, errors, new_findings, new_vulns;
};

/* What one image's evaluation produced, beside the stored scan. */
struct eval {
	const char *status;     /* "current", "re-evaluated", "rescanned", "stale", "error" */
	char changed[512];      /* analyzers whose inputs changed, space-separated */
	char skipped[512];      /* of those, the ones that could not run */
	char message[512];
	struct fv_results res;  /* re-evaluated: the merged results */
	struct fv_input in;     /* rescanned: the new input */
	int have_res, have_in;
	int64_t new_scan;
};

static void add_word(char *list, size_t cap, const char *w)
{
	size_t n = strlen(list);
	snprintf(list + n, cap - n, "%s%s", n ? " " : "", w);
}

/* The analyzers whose fingerprint differs from the one stored (all of them when none was). */
static void changed_inputs(const struct monitor *m, const char *stored, struct eval *e)
{
	json_t *obj = stored ? json_loads(stored, 0, NULL) : NULL;
	for (size_t i = 0; i < fv_analysis_ninputs(m->full); i++) {
		const char *name, *fp;
		fv_analysis_input(m->full, i, &name, &fp);
		json_t *v = json_object_get(obj, name);
		if (!json_is_string(v) || strcmp(json_string_value(v), fp))
			add_word(e->changed, sizeof e->changed, name);
	}
	json_decref(obj);
}

static int has_word(const char *list, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = list; *p;) {
		size_t l = strcspn(p, " ");
		if (l == n && !memcmp(p, w, n))
			return 1;
		p += l;
		p += *p == ' ';
	}
	return 0;
}

/* supply.c's findings: end of life and duplicated components (FV-SUPPLY-*), vulnerabilities (FV-VULN-*). */
static int supply_rule(const char *rule)
{
	return !strncmp(rule, "FV-SUPPLY-", 10) || !strncmp(rule, "FV-VULN-", 8);
}

static char *dup_or_null(const char *s, int *oom)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*oom = 1;
	return d;
}

/*
 * Supply again over the stored copies, into e->res: today's components,
 * vulnerabilities and supply findings, with the stored findings of every
 * other analyzer.  The other records stay in the stored results (view()).
 */
static int reevaluate_supply(struct monitor *m, struct fv_stored *st, struct eval *e)
{
	struct fv_results fresh = { 0 };
	int oom = 0;
	struct fv_results *old = &st->res;
	/* Supply's finish reads the copies the components analyzer would have recorded. */
	fresh.copies = old->ncopies ? calloc(old->ncopies, sizeof *fresh.copies) : NULL;
	if (old->ncopies && !fresh.copies)
		return FV_ENOMEM;
	fresh.capcopies = old->ncopies;
	for (size_t i = 0; i < old->ncopies; i++) {
		const struct fv_component_copy *c = &old->copies[i];
		struct fv_component_copy *d = &fresh.copies[fresh.ncopies++];
		*d = *c;
		d->name = dup_or_null(c->name, &oom);
		d->title = dup_or_null(c->title, &oom);
		d->version = dup_or_null(c->version ? c->version : "", &oom);
		d->cpe = dup_or_null(c->cpe, &oom);
		d->purl = dup_or_null(c->purl, &oom);
		d->path = dup_or_null(c->path, &oom);
		d->evidence = dup_or_null(c->evidence, &oom);
		d->method = dup_or_null(c->method, &oom);
		d->detail = dup_or_null(c->detail, &oom);
	}
	int rc = oom ? FV_ENOMEM : fv_analysis_run(m->supply, &st->inv, &fresh);
	if (rc) {
		fv_results_free(&fresh);
		return rc;
	}
	/* The findings of every other analyzer stay as stored. */
	for (size_t i = 0; i < old->findings.n && !rc; i++) {
		const struct fv_finding *f = &old->findings.v[i];
		if (!supply_rule(f->rule))
			rc = fv_findings_add(&fresh.findings, f->rule, f->category, f->severity, f->confidence,
					     f->path, f->offset, f->evidence, "%s", f->title);
	}
	if (rc) {
		fv_results_free(&fresh);
		return rc;
	}
	e->res = fresh;
	e->have_res = 1;
	return FV_OK;
}

/* A re-evaluation as whole results: e->res, with the other records borrowed from the stored scan. */
static struct fv_results view(const struct fv_results *fresh, const struct fv_results *stored)
{
	struct fv_results v = *fresh;
	v.accounts = stored->accounts, v.naccounts = stored->naccounts;
	v.services = stored->services, v.nservices = stored->nservices;
	v.endpoints = stored->endpoints, v.nendpoints = stored->nendpoints;
	v.binaries = stored->binaries, v.nbinaries = stored->nbinaries;
	v.unsafe = stored->unsafe, v.nunsafe = stored->nunsafe;
	return v;
}

/* The fingerprints to store with a re-evaluation: the stored ones, with supply's of today. */
static char *reevaluated_inputs(const struct monitor *m, const char *stored)
{
	json_t *obj = stored ? json_loads(stored, 0, NULL) : NULL;
	if (!json_is_object(obj)) {
		json_decref(obj);
		obj = json_object();
	}
	for (size_t i = 0; obj && i < fv_analysis_ninputs(m->full); i++) {
		const char *name, *fp;
		fv_analysis_input(m->full, i, &name, &fp);
		if (!strcmp(name, SUPPLY))
			json_object_set_new(obj, name, json_string(fp));
	}
	char *s = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	json_decref(obj);
	return s;
}

/* Unpacks the image again from its stored path; 0 with e->in open, or a message in e. */
static int rescan(struct monitor *m, const struct fv_stored *st, struct fv_acache *cache, struct eval *e)
{
	const char *path = st->u.image_path;
	if (!path || access(path, R_OK)) {
		snprintf(e->message, sizeof e->message, "the image is no longer at %s", path ? path : "(no path)");
		return -1;
	}
	struct fv_input_opts io = { .lim = &m->lim, .analysis = m->full, .cache = cache, .store = m->store };
	char err[512];
	if (fv_input_open(path, &io, &e->in, err, sizeof err)) {
		snprintf(e->message, sizeof e->message, "%s", err);
		return -1;
	}
	if (strcmp(e->in.u.image_sha256, st->u.image_sha256))
		snprintf(e->message, sizeof e->message, "the file at %s is no longer this image (SHA-256 %.16s...)",
			 path, e->in.u.image_sha256);
	else if (e->in.status != FV_OK)
		snprintf(e->message, sizeof e->message, "unpacking again did not complete: %s",
			 fv_strerror(e->in.status));
	else
		return e->have_in = 1, 0;
	fv_input_close(&e->in);
	return -1;
}

/* A space-separated list as a JSON array of strings. */
static void words_json(struct fv_json *j, const char *key, const char *list)
{
	fv_json_key(j, key);
	fv_json_arr_begin(j);
	for (const char *p = list; *p;) {
		size_t l = strcspn(p, " ");
		fv_json_strn(j, p, l);
		p += l;
		p += *p == ' ';
	}
	fv_json_arr_end(j);
}

static void vuln_json(struct fv_json *j, const struct fv_vulnerability *v)
{
	fv_json_obj_begin(j);
	fv_json_kstr(j, "id", v->id);
	fv_json_kstr(j, "component", v->component);
	fv_json_kstr(j, "version", v->version);
	fv_json_kstr(j, "severity", v->severity);
	fv_json_key(j, "cvss");
	if (v->cvss >= 0)
		fv_json_double(j, v->cvss);
	else
		fv_json_null(j);
	fv_json_kbool(j, "kev", v->kev);
	fv_json_kstr(j, "summary", v->summary);
	fv_json_obj_end(j);
}

static int same_vuln(const struct fv_vulnerability *a, const struct fv_vulnerability *b)
{
	return !strcmp(a->id, b->id) && !strcmp(a->component, b->component) && !strcmp(a->version, b->version);
}

/* The vulnerabilities of now that then lacked, as indexes into now (malloc'd, *n set). */
static size_t *new_vulns(const struct fv_results *then, const struct fv_results *now, size_t *n)
{
	*n = 0;
	size_t *v = malloc((now->nvulns + 1) * sizeof *v);
	if (!v)
		return NULL;
	for (size_t i = 0; i < now->nvulns; i++) {
		size_t k = 0;
		while (k < then->nvulns && !same_vuln(&then->vulns[k], &now->vulns[i]))
			k++;
		if (k == then->nvulns)
			v[(*n)++] = i;
	}
	return v;
}

static void text_finding(FILE *f, const char *what, const struct fv_finding *x)
{
	fprintf(f, "    %-8s %-8s %-12s ", what, fv_severity_name(x->severity), x->rule);
	fv_report_put_safe(f, x->title, 160);
	fputs("  ", f);
	fv_report_put_safe(f, x->path, 200);
	fputc('\n', f);
}

/* Writes one image's entry, text or JSON; counts what is new. */
static void report_image(struct monitor *m, const struct fv_stored *st, const struct eval *e,
			 const struct fv_side *old, const struct fv_side *now, const struct fv_diff *d,
			 const struct fv_results *then, const struct fv_results *res)
{
	size_t nv = 0;
	size_t *nvi = res ? new_vulns(then, res, &nv) : NULL;
	size_t nnew = d ? d->findings_new.n : 0, nres = d ? d->findings_resolved.n : 0;
	m->new_findings += nnew;
	m->new_vulns += nv;
	int w = d ? fv_diff_worst_new(d) : -1;
	if (w > m->worst)
		m->worst = w;
	if (m->json) {
		struct fv_json *j = &m->j;
		fv_json_obj_begin(j);
		fv_json_kint(j, "scan", st->id);
		fv_json_image(j, st->u.image_path, st->u.image_sha256, st->u.image_size);
		fv_json_kstr(j, "status", e->status);
		words_json(j, "changed_inputs", e->changed);
		words_json(j, "not_evaluated", e->skipped);
		fv_json_kstr(j, "message", e->message[0] ? e->message : NULL);
		fv_json_key(j, "new_scan");
		if (e->new_scan)
			fv_json_int(j, e->new_scan);
		else
			fv_json_null(j);
		fv_json_key(j, "new_vulnerabilities");
		fv_json_arr_begin(j);
		for (size_t i = 0; i < nv; i++)
			vuln_json(j, &res->vulns[nvi[i]]);
		fv_json_arr_end(j);
		fv_json_key(j, "new_findings");
		fv_json_arr_begin(j);
		for (size_t i = 0; i < nnew; i++)
			fv_finding_json(j, fv_diff_finding(now, d->findings_new.v[i].b));
		fv_json_arr_end(j);
		fv_json_key(j, "resolved_findings");
		fv_json_arr_begin(j);
		for (size_t i = 0; i < nres; i++)
			fv_finding_json(j, fv_diff_finding(old, d->findings_resolved.v[i].a));
		fv_json_arr_end(j);
		fv_json_obj_end(j);
	} else {
		FILE *f = m->out;
		fprintf(f, "scan %lld  ", (long long)st->id);
		fv_report_put_safe(f, st->u.image_path, 200);
		fprintf(f, "  %s", e->status);
		if (e->changed[0])
			fprintf(f, " (inputs changed: %s)", e->changed);
		if (e->new_scan)
			fprintf(f, " -> scan %lld", (long long)e->new_scan);
		fputc('\n', f);
		if (e->message[0]) {
			fputs("    ", f);
			fv_report_put_safe(f, e->message, 400);
			fputc('\n', f);
		}
		if (e->skipped[0])
			fprintf(f, "    not evaluated: %s\n", e->skipped);
		for (size_t i = 0; i < nv; i++) {
			const struct fv_vulnerability *v = &res->vulns[nvi[i]];
			fprintf(f, "    new vuln %-8s %s%s in ", v->severity, v->id, v->kev ? " (KEV)" : "");
			fv_report_put_safe(f, v->component, 80);
			fputc(' ', f);
			fv_report_put_safe(f, v->version, 80);
			fputc('\n', f);
		}
		for (size_t i = 0; i < nnew; i++)
			text_finding(f, "new", fv_diff_finding(now, d->findings_new.v[i].b));
		for (size_t i = 0; i < nres; i++)
			text_finding(f, "resolved", fv_diff_finding(old, d->findings_resolved.v[i].a));
	}
	free(nvi);
}

/* Stores an evaluation that changed something as the image's newest scan. */
static int record(struct monitor *m, const struct fv_stored *st, struct eval *e, const struct fv_unpack *u,
		  const struct fv_inventory *inv, const struct fv_results *res, const struct fv_acache *cache,
		  int64_t started, struct timespec t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	char *inputs = e->have_in ? NULL : reevaluated_inputs(m, st->inputs);
	if (!e->have_in && !inputs)
		return FV_ENOMEM;
	struct fv_store_meta meta = {
		.image_path = st->u.image_path,
		.tool_version = FV_VERSION,
		.rules_sha256 = fv_analysis_rules_sha256(m->full),
		.vulndb_date = fv_analysis_vulndb_date(m->full),
		.vulndb_sha256 = fv_analysis_vulndb_sha256(m->full),
		.started = started,
		.elapsed_ms = (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000),
		.analysis = m->full,
		.inputs = inputs,
		.cache = cache,
	};
	char err[512];
	int rc = fv_store_record(m->store, u, inv, res, &meta, &e->new_scan, err, sizeof err);
	if (rc)
		snprintf(e->message, sizeof e->message, "the evaluation could not be stored: %.440s", err);
	free(inputs);
	return rc;
}

static int evaluate(void *ctx, int64_t id)
{
	struct monitor *m = ctx;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int64_t started = (int64_t)fv_run_time();
	struct fv_stored st;
	struct eval e;
	memset(&e, 0, sizeof e);
	char err[512];
	m->images++;
	if (fv_store_load(m->store, id, &st, err, sizeof err)) {
		fprintf(stderr, "fwvet: monitor: scan %lld: %s\n", (long long)id, err);
		m->errors++;
		return 0;
	}
	struct fv_acache *cache = NULL;
	changed_inputs(m, st.inputs, &e);
	/* Of those, the analyzers that read files, which only a rescan can run. */
	char files[sizeof e.changed] = "";
	for (const char *p = e.changed; *p;) {
		size_t l = strcspn(p, " ");
		char w[128];
		snprintf(w, sizeof w, "%.*s", (int)(l < sizeof w - 1 ? l : sizeof w - 1), p);
		if (strcmp(w, SUPPLY))
			add_word(files, sizeof files, w);
		p += l;
		p += *p == ' ';
	}
	int rc = FV_OK;
	e.status = "current";
	if (files[0] && (rc = fv_acache_new(&cache)) == FV_OK) {
		if (rescan(m, &st, cache, &e) == 0) {
			e.status = "rescanned";
			fv_log(FV_LOG_INFO, "%s: unpacked again (%zu analyses reused, %zu made)", st.u.image_path,
			       fv_acache_hits(cache), fv_acache_misses(cache));
		} else {
			/* What can be done without the files still is: supply over the stored copies. */
			e.status = "stale";
			snprintf(e.skipped, sizeof e.skipped, "%s", files);
		}
	}
	if (rc == FV_OK && !e.have_in && has_word(e.changed, SUPPLY)) {
		/* Stored with today's supply inputs only, so a rescan stays due for the others. */
		rc = reevaluate_supply(m, &st, &e);
		if (rc == FV_OK && !strcmp(e.status, "current"))
			e.status = "re-evaluated";
	}
	if (rc) {
		e.status = "error";
		snprintf(e.message, sizeof e.message, "%s", fv_strerror(rc));
	}
	/* The stored scan against the evaluation. */
	const struct fv_unpack *u = e.have_in ? &e.in.u : &st.u;
	const struct fv_inventory *inv = e.have_in ? &e.in.inv : &st.inv;
	struct fv_results merged;
	const struct fv_results *res = NULL;
	if (e.have_in) {
		res = &e.in.res;
	} else if (e.have_res) {
		merged = view(&e.res, &st.res);
		res = &merged;
	}
	struct fv_side old, now;
	struct fv_diff d;
	memset(&d, 0, sizeof d);
	int sides = 0;
	if (res && fv_side_init(&old, &st.u, &st.inv, &st.res) == FV_OK) {
		sides = 1;
		if (fv_side_init(&now, u, inv, res) == FV_OK) {
			sides = 2;
			if (fv_diff_records(&old, &now, &d) != FV_OK) {
				e.status = "error";
				snprintf(e.message, sizeof e.message, "out of memory comparing the evaluation");
			}
		}
	}
	if (res && sides < 2) {
		e.status = "error";
		snprintf(e.message, sizeof e.message, "out of memory comparing the evaluation");
	}
	/* A new vulnerability always comes with its FV-VULN finding: findings and components say it all. */
	if (strcmp(e.status, "error") && res &&
	    (d.findings_new.n || d.findings_resolved.n || d.components_added.n || d.components_removed.n ||
	     d.components_changed.n))
		if (record(m, &st, &e, u, inv, res, cache, started, t0))
			e.status = "error";
	if (!strcmp(e.status, "current"))
		m->current++;
	else if (!strcmp(e.status, "re-evaluated"))
		m->reevaluated++;
	else if (!strcmp(e.status, "rescanned"))
		m->rescanned++;
	else if (!strcmp(e.status, "stale"))
		m->stale++;
	else
		m->errors++;
	report_image(m, &st, &e, &old, &now, sides == 2 ? &d : NULL, &st.res, res);
	fv_diff_free(&d);
	if (sides > 1)
		fv_side_free(&now);
	if (sides > 0)
		fv_side_free(&old);
	if (e.have_res)
		fv_results_free(&e.res);
	if (e.have_in)
		fv_input_close(&e.in);
	fv_acache_free(cache);
	fv_stored_free(&st);
	return 0;
}

int fv_cmd_monitor(int argc, char **argv)
{
	enum { O_FORMAT = 256, O_RULES, O_FAIL, O_THREADS, O_VULNDB, O_DB };
	static const struct option opts[] = {
		{ "db", required_argument, NULL, O_DB },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "rules", required_argument, NULL, O_RULES },
		{ "fail-on", required_argument, NULL, O_FAIL },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "vulndb", required_argument, NULL, O_VULNDB },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct monitor m = { .fail_on = FV_SEV_INFO, .worst = -1 };
	fv_limits_default(&m.lim);
	struct fv_aopts ao = { 0 };
	const char *output = NULL, *vulndb = NULL, *spec = NULL;
	int c;
	uint64_t v;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case O_DB: spec = optarg; break;
		case O_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				fprintf(stderr, "fwvet: monitor: --format expects text or json, got '%s'\n", optarg);
				return FV_EXIT_USAGE;
			}
			m.json = !strcmp(optarg, "json");
			break;
		case 'o': output = optarg; break;
		case O_RULES: ao.user_rules = optarg; break;
		case O_VULNDB: vulndb = optarg; break;
		case O_FAIL:
			if (fv_cli_fail_on("monitor", optarg, &m.fail_on))
				return FV_EXIT_USAGE;
			break;
		case O_THREADS:
			if (fv_parse_size(optarg, &v) || v == 0 || v > 64) {
				fprintf(stderr, "fwvet: monitor: bad value '%s' for --threads (expected 1..64)\n", optarg);
				return FV_EXIT_USAGE;
			}
			ao.threads = (unsigned)v;
			break;
		case 'h': usage(stdout); return FV_EXIT_OK;
		default: usage(stderr); return FV_EXIT_USAGE;
		}
	}
	int64_t *ids = argc > optind ? calloc((size_t)(argc - optind), sizeof *ids) : NULL;
	if (argc > optind && !ids)
		return FV_EXIT_USAGE;
	for (int i = optind; i < argc; i++)
		if (fv_cli_scan_id("monitor", argv[i], &ids[i - optind])) {
			free(ids);
			return FV_EXIT_USAGE;
		}
	if (fv_cli_store_read("monitor", spec, &m.store)) {
		free(ids);
		return FV_EXIT_USAGE;
	}
	char err[512];
	const struct fv_analyzer *only[2] = { NULL, NULL };
	for (size_t i = 0; fv_analyzers[i]; i++)
		if (!strcmp(fv_analyzers[i]->name, SUPPLY))
			only[0] = fv_analyzers[i];
	int status = FV_EXIT_OK;
	if (fv_input_analysis("monitor", &ao, vulndb, &m.full)) {
		status = FV_EXIT_USAGE;
		goto done;
	}
	ao.only = only;
	if (fv_input_analysis("monitor", &ao, vulndb, &m.supply)) {
		status = FV_EXIT_USAGE;
		goto done;
	}
	m.out = stdout;
	if (output && !(m.out = fopen(output, "w"))) {
		fprintf(stderr, "fwvet: monitor: cannot write %s: %s\n", output, strerror(errno));
		m.out = NULL;
		status = FV_EXIT_USAGE;
		goto done;
	}
	char now[32];
	time_t t = (time_t)fv_run_time();
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(now, sizeof now, "1970-01-01T00:00:00Z");
	if (m.json) {
		fv_json_init(&m.j, m.out, 1);
		fv_json_obj_begin(&m.j);
		fv_json_kstr(&m.j, "fwvet", FV_VERSION);
		fv_json_kstr(&m.j, "store", fv_store_name(m.store));
		fv_json_kstr(&m.j, "evaluated", now);
		fv_json_kstr(&m.j, "rules_sha256", fv_analysis_rules_sha256(m.full));
		fv_json_kstr(&m.j, "vulndb_date", fv_analysis_vulndb_date(m.full));
		fv_json_key(&m.j, "images");
		fv_json_arr_begin(&m.j);
	}
	if (ids) {
		for (int i = 0; i < argc - optind; i++)
			evaluate(&m, ids[i]);
	} else if (fv_store_latest(m.store, evaluate, &m, err, sizeof err)) {
		fprintf(stderr, "fwvet: monitor: %s\n", err);
		m.errors++;
	}
	if (m.json) {
		fv_json_arr_end(&m.j);
		fv_json_key(&m.j, "summary");
		fv_json_obj_begin(&m.j);
		fv_json_kuint(&m.j, "images", m.images);
		fv_json_kuint(&m.j, "current", m.current);
		fv_json_kuint(&m.j, "re_evaluated", m.reevaluated);
		fv_json_kuint(&m.j, "rescanned", m.rescanned);
		fv_json_kuint(&m.j, "stale", m.stale);
		fv_json_kuint(&m.j, "errors", m.errors);
		fv_json_kuint(&m.j, "new_findings", m.new_findings);
		fv_json_kuint(&m.j, "new_vulnerabilities", m.new_vulns);
		fv_json_obj_end(&m.j);
		fv_json_obj_end(&m.j);
		fputc('\n', m.out);
	} else {
		fprintf(m.out, "%zu images: %zu current, %zu re-evaluated, %zu rescanned, %zu stale, %zu errors;"
			" %zu new findings, %zu new vulnerabilities\n", m.images, m.current, m.reevaluated,
			m.rescanned, m.stale, m.errors, m.new_findings, m.new_vulns);
	}
	if (m.errors)
		status = FV_EXIT_USAGE;
	else if (m.worst >= m.fail_on)
		status = FV_EXIT_FINDINGS;
done:
	if (m.out && m.out != stdout && fclose(m.out) != 0) {
		fprintf(stderr, "fwvet: monitor: writing %s failed: %s\n", output, strerror(errno));
		status = FV_EXIT_USAGE;
	}
	fv_analysis_close(m.supply);
	fv_analysis_close(m.full);
	fv_store_close(m.store);
	free(ids);
	return status;
}
