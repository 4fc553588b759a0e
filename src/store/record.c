/*
 * Writing one scan into the store, in one transaction, and the analysis
 * results of its contents (the cache a later scan of a similar image reads
 * back instead of analysing again).  A result made again under the same key
 * replaces the stored one: it was made because the stored one did not fit
 * (a result may depend on where its content lies, analyze/cache.h).
 *
 * Rows that several scans may write at once (images, contents, analyses)
 * are written in one order, sorted by their key: PostgreSQL makes a second
 * writer of the same key wait for the first, and two scans taking the same
 * keys in different orders would deadlock.
 */
#include "store/handle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze/cache.h"
#include "analyze/run.h"
#include "core/err.h"
#include "core/finding.h"
#include "core/json.h"
#include "inventory/inventory.h"
#include "unpack/engine.h"

static const char *const stmt_sql[FV_ST_N] = {
	[FV_ST_IMAGE] = "INSERT INTO images(sha256, size) VALUES(?1, ?2)"
			" ON CONFLICT(sha256) DO UPDATE SET size = excluded.size RETURNING id",
	[FV_ST_SCAN] = "INSERT INTO scans(image_id, image_path, started, elapsed_ms, tool_version,"
		       " rules_sha256, vulndb_date, inputs, job_id, vulndb_sha256)"
		       " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
		       " RETURNING id",
	[FV_ST_CONTENT] = "INSERT INTO contents(sha256, size, kind, type, arch) VALUES(?1, ?2, ?3, ?4, ?5)"
			  " ON CONFLICT(sha256) DO NOTHING",
	[FV_ST_ENTRY] = "INSERT INTO entries(scan_id, path, format, off, size, status, error, description)"
			" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[FV_ST_FILE] = "INSERT INTO files(scan_id, path, type, mode, uid, gid, size, sha256, link, rdev)"
		       " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[FV_ST_ACCOUNT] = "INSERT INTO accounts(scan_id, path, name, uid, gid, home, shell, hash_type,"
			  " password, hash) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[FV_ST_SERVICE] = "INSERT INTO services(scan_id, path, line, how, program, args)"
			  " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[FV_ST_ENDPOINT] = "INSERT INTO endpoints(scan_id, value, kind, path, off, outside)"
			   " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[FV_ST_COMPONENT] = "INSERT INTO components(scan_id, name, title, version, cpe, purl, method,"
			    " evidence, detail, eol, eol_date, paths)"
			    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[FV_ST_VULN] = "INSERT INTO vulnerabilities(scan_id, vuln_id, component, version, severity, cvss,"
		       " kev, source, distribution, summary, paths)"
		       " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[FV_ST_FINDING] = "INSERT INTO findings(scan_id, finding_id, rule, category, severity, confidence,"
			  " title, path, off, evidence) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[FV_ST_COPY] = "INSERT INTO copies(scan_id, name, title, version, cpe, purl, path, off, evidence,"
		       " method, detail) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[FV_ST_BINARY] = "INSERT INTO binaries(scan_id, sha256, record) VALUES(?1, ?2, ?3)",
	[FV_ST_UNSAFE] = "INSERT INTO unsafe(scan_id, family, unsafe, bounded, unsafe_calls, unsafe_binaries,"
			 " bounded_calls, bounded_binaries) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[FV_ST_JOB_DONE] = "UPDATE jobs SET state = 'done', scan_id = ?1, finished = ?2, error = NULL"
			   " WHERE id = ?3 AND worker = ?4 AND state = 'running' RETURNING id",
	[FV_ST_ANALYSIS] = "INSERT INTO analyses(sha256, analyzer, inputs, result) VALUES(?1, ?2, ?3, ?4)"
			   " ON CONFLICT(sha256, analyzer, inputs) DO UPDATE SET result = excluded.result",
};

/* Two's complement keeps every bit of a 64-bit size or offset; readers cast back. */
static void bind_u64(struct fv_dbst *st, int i, uint64_t v)
{
	fv_db_int_bind(st, i, (int64_t)v);
}

/* A JSON text written by fv_json (malloc'd; NULL when memory runs out). */
struct jtext {
	char *buf;
	size_t len;
	FILE *f;
	struct fv_json j;
};

static int jtext_begin(struct jtext *t)
{
	t->buf = NULL;
	t->len = 0;
	t->f = open_memstream(&t->buf, &t->len);
	if (!t->f)
		return FV_ENOMEM;
	fv_json_init(&t->j, t->f, 0);
	return FV_OK;
}

static char *jtext_end(struct jtext *t)
{
	if (fclose(t->f)) {
		free(t->buf);
		return NULL;
	}
	return t->buf;
}

static char *paths_text(const char *const *paths, size_t n)
{
	struct jtext t;
	if (jtext_begin(&t))
		return NULL;
	fv_json_arr_begin(&t.j);
	for (size_t i = 0; i < n; i++)
		fv_json_str(&t.j, paths[i]);
	fv_json_arr_end(&t.j);
	return jtext_end(&t);
}

/* A binary record as stored (load.c reads it back): struct fv_binary's fields by name. */
static char *binary_text(const struct fv_binary *b)
{
	struct jtext t;
	if (jtext_begin(&t))
		return NULL;
	struct fv_json *j = &t.j;
	fv_json_obj_begin(j);
	fv_json_kstr(j, "elf_type", b->elf_type);
	fv_json_kint(j, "nx", b->nx);
	fv_json_kint(j, "pie", b->pie);
	fv_json_kint(j, "canary", b->canary);
	fv_json_kint(j, "fortify", b->fortify);
	fv_json_kint(j, "stripped", b->stripped);
	fv_json_kint(j, "is_static", b->is_static);
	fv_json_kstr(j, "relro", b->relro);
	fv_json_kstr(j, "rpath", b->rpath);
	fv_json_kstr(j, "runpath", b->runpath);
	fv_json_kuint(j, "fortified", b->fortified);
	fv_json_kuint(j, "unfortified", b->unfortified);
	fv_json_kint(j, "code", b->code);
	fv_json_kuint(j, "functions", b->functions);
	fv_json_kuint(j, "call_sites", b->call_sites);
	fv_json_key(j, "calls");
	fv_json_obj_begin(j);
	for (size_t i = 0; i < b->ncalls; i++)
		fv_json_kuint(j, b->calls[i].name, b->calls[i].calls);
	fv_json_obj_end(j);
	fv_json_obj_end(j);
	return jtext_end(&t);
}

/* {"analyzer": "its input fingerprint", ...}: what monitor compares to know what to run again. */
static char *inputs_text(const struct fv_actx *a)
{
	struct jtext t;
	if (jtext_begin(&t))
		return NULL;
	fv_json_obj_begin(&t.j);
	for (size_t i = 0; i < fv_analysis_ninputs(a); i++) {
		const char *name, *inputs;
		fv_analysis_input(a, i, &name, &inputs);
		fv_json_kstr(&t.j, name, inputs);
	}
	fv_json_obj_end(&t.j);
	return jtext_end(&t);
}

static int cmp_content(const void *x, const void *y)
{
	return strcmp((*(const struct fv_content *const *)x)->sha256,
		      (*(const struct fv_content *const *)y)->sha256);
}

static int put_content(struct fv_store *s, const char *sha256, uint64_t size, const struct fv_file *f,
		       char *err, size_t errlen)
{
	struct fv_dbst *st = s->st[FV_ST_CONTENT];
	fv_db_text_bind(st, 1, sha256);
	bind_u64(st, 2, size);
	fv_db_text_bind(st, 3, fv_kind_name(f ? f->kind : FV_KIND_OTHER));
	fv_db_text_bind(st, 4, f && f->type[0] ? f->type : NULL);
	fv_db_text_bind(st, 5, f && f->arch[0] ? f->arch : NULL);
	return fv_store_run(s, st, "writing a content", err, errlen);
}

static int put_contents(struct fv_store *s, const struct fv_unpack *u, const struct fv_inventory *inv,
			char *err, size_t errlen)
{
	if (!inv) {
		/* A folder walked without an inventory: its contents known only by hash and size. */
		const struct fv_xfile **v = malloc((u->nfiles + 1) * sizeof *v);
		if (!v)
			return FV_ENOMEM;
		size_t n = 0;
		for (size_t i = 0; i < u->nfiles; i++)
			if (u->files[i].type == FV_FT_FILE && u->files[i].sha256[0])
				v[n++] = &u->files[i];
		int rc = FV_OK;
		for (size_t i = 0; i < n && !rc; i++)
			rc = put_content(s, v[i]->sha256, v[i]->size, NULL, err, errlen);
		free(v);
		return rc;
	}
	const struct fv_content **v = malloc((inv->ncontents + 1) * sizeof *v);
	if (!v)
		return FV_ENOMEM;
	for (size_t i = 0; i < inv->ncontents; i++)
		v[i] = &inv->contents[i];
	if (inv->ncontents)
		qsort(v, inv->ncontents, sizeof *v, cmp_content);
	int rc = FV_OK;
	for (size_t i = 0; i < inv->ncontents && !rc; i++) {
		const struct fv_content *c = v[i];
		rc = put_content(s, c->sha256, c->size, c->nfiles ? &inv->files[c->files[0]] : NULL, err, errlen);
	}
	free(v);
	return rc;
}

static int put_files(struct fv_store *s, int64_t scan, const struct fv_unpack *u,
		     const struct fv_inventory *inv, char *err, size_t errlen)
{
	size_t n = inv ? inv->nfiles : u->nfiles;
	struct fv_dbst *st = s->st[FV_ST_FILE];
	for (size_t i = 0; i < n; i++) {
		const struct fv_xfile *x = inv ? inv->files[i].x : &u->files[i];
		int regular = x->type == FV_FT_FILE && x->sha256[0];
		fv_db_int_bind(st, 1, scan);
		fv_db_text_bind(st, 2, x->path);
		fv_db_text_bind(st, 3, fv_ftype_name(x->type));
		fv_db_int_bind(st, 4, x->mode);
		fv_db_int_bind(st, 5, x->uid);
		fv_db_int_bind(st, 6, x->gid);
		bind_u64(st, 7, x->size);
		fv_db_text_bind(st, 8, regular ? x->sha256 : NULL);
		fv_db_text_bind(st, 9, x->link);
		if (x->type == FV_FT_CHAR || x->type == FV_FT_BLOCK)
			bind_u64(st, 10, x->rdev);
		else
			fv_db_null_bind(st, 10);
		if (fv_store_run(s, st, "writing a file", err, errlen)) {
			char at[600];
			snprintf(at, sizeof at, "%s", err);
			snprintf(err, errlen, "%s (file %.200s)", at, x->path ? x->path : "(no path)");
			return FV_EIO;
		}
	}
	return FV_OK;
}

static int put_entries(struct fv_store *s, int64_t scan, const struct fv_unpack *u, char *err, size_t errlen)
{
	struct fv_dbst *st = s->st[FV_ST_ENTRY];
	for (size_t i = 0; i < u->nentries; i++) {
		const struct fv_xentry *e = &u->entries[i];
		fv_db_int_bind(st, 1, scan);
		fv_db_text_bind(st, 2, e->path);
		fv_db_text_bind(st, 3, e->format);
		bind_u64(st, 4, e->off);
		bind_u64(st, 5, e->size);
		fv_db_text_bind(st, 6, fv_xstatus_name(e->status));
		fv_db_text_bind(st, 7, e->error);
		fv_db_text_bind(st, 8, e->desc);
		if (fv_store_run(s, st, "writing an extraction entry", err, errlen))
			return FV_EIO;
	}
	return FV_OK;
}

static int put_records(struct fv_store *s, int64_t scan, const struct fv_results *r, char *err, size_t errlen)
{
	struct fv_dbst *st = s->st[FV_ST_ACCOUNT];
	for (size_t i = 0; i < r->naccounts; i++) {
		const struct fv_account *a = &r->accounts[i];
		fv_db_int_bind(st, 1, scan);
		fv_db_text_bind(st, 2, a->path);
		fv_db_text_bind(st, 3, a->name);
		fv_db_int_bind(st, 4, a->uid);
		fv_db_int_bind(st, 5, a->gid);
		fv_db_text_bind(st, 6, a->home);
		fv_db_text_bind(st, 7, a->shell);
		fv_db_text_bind(st, 8, a->hash_type);
		fv_db_text_bind(st, 9, a->password);
		fv_db_text_bind(st, 10, a->hash);
		if (fv_store_run(s, st, "writing an account", err, errlen))
			return FV_EIO;
	}
	st = s->st[FV_ST_SERVICE];
	for (size_t i = 0; i < r->nservices; i++) {
		const struct fv_service *v = &r->services[i];
		fv_db_int_bind(st, 1, scan);
		fv_db_text_bind(st, 2, v->path);
		bind_u64(st, 3, v->line);
		fv_db_text_bind(st, 4, v->how);
		fv_db_text_bind(st, 5, v->program);
		fv_db_text_bind(st, 6, v->args);
		if (fv_store_run(s, st, "writing a service", err, errlen))
			return FV_EIO;
	}
	st = s->st[FV_ST_ENDPOINT];
	for (size_t i = 0; i < r->nendpoints; i++) {
		const struct fv_endpoint *e = &r->endpoints[i];
		fv_db_int_bind(st, 1, scan);
		fv_db_text_bind(st, 2, e->value);
		fv_db_text_bind(st, 3, e->kind);
		fv_db_text_bind(st, 4, e->path);
		bind_u64(st, 5, e->offset);
		fv_db_int_bind(st, 6, e->outside != 0);
		if (fv_store_run(s, st, "writing an endpoint", err, errlen))
			return FV_EIO;
	}
	return FV_OK;
}

/* Binaries and the unsafe-call table: what a report renders again without the files. */
static int put_code(struct fv_store *s, int64_t scan, const struct fv_results *r, char *err, size_t errlen)
{
	struct fv_dbst *st = s->st[FV_ST_BINARY];
	for (size_t i = 0; i < r->nbinaries; i++) {
		char *rec = binary_text(&r->binaries[i]);
		if (!rec) {
			snprintf(err, errlen, "%s: out of memory writing a binary", s->db->name);
			return FV_ENOMEM;
		}
		fv_db_int_bind(st, 1, scan);
		fv_db_text_bind(st, 2, r->binaries[i].sha256);
		fv_db_text_bind(st, 3, rec);
		int rc = fv_store_run(s, st, "writing a binary", err, errlen);
		free(rec);
		if (rc)
			return rc;
	}
	st = s->st[FV_ST_UNSAFE];
	for (size_t i = 0; i < r->nunsafe; i++) {
		const struct fv_unsafe_row *u = &r->unsafe[i];
		fv_db_int_bind(st, 1, scan);
		fv_db_text_bind(st, 2, u->family);
		fv_db_text_bind(st, 3, u->unsafe);
		fv_db_text_bind(st, 4, u->bounded);
		fv_db_int_bind(st, 5, u->unsafe_calls);
		fv_db_int_bind(st, 6, u->unsafe_binaries);
		fv_db_int_bind(st, 7, u->bounded_calls);
		fv_db_int_bind(st, 8, u->bounded_binaries);
		if (fv_store_run(s, st, "writing the unsafe-call table", err, errlen))
			return FV_EIO;
	}
	return FV_OK;
}

static int put_supply(struct fv_store *s, int64_t scan, const struct fv_results *r, char *err, size_t errlen)
{
	struct fv_dbst *st = s->st[FV_ST_COPY];
	for (size_t i = 0; i < r->ncopies; i++) {
		const struct fv_component_copy *c = &r->copies[i];
		fv_db_int_bind(st, 1, scan);
		fv_db_text_bind(st, 2, c->name);
		fv_db_text_bind(st, 3, c->title);
		fv_db_text_bind(st, 4, c->version ? c->version : "");
		fv_db_text_bind(st, 5, c->cpe);
		fv_db_text_bind(st, 6, c->purl);
		fv_db_text_bind(st, 7, c->path ? c->path : "");
		bind_u64(st, 8, c->offset);
		fv_db_text_bind(st, 9, c->evidence);
		fv_db_text_bind(st, 10, c->method);
		fv_db_text_bind(st, 11, c->detail);
		if (fv_store_run(s, st, "writing a component copy", err, errlen))
			return FV_EIO;
	}
	st = s->st[FV_ST_COMPONENT];
	for (size_t i = 0; i < r->ncomponents; i++) {
		const struct fv_component *c = &r->components[i];
		char *paths = paths_text(c->paths, c->npaths);
		if (!paths) {
			snprintf(err, errlen, "%s: out of memory writing component %s", s->db->name, c->name);
			return FV_ENOMEM;
		}
		fv_db_int_bind(st, 1, scan);
		fv_db_text_bind(st, 2, c->name);
		fv_db_text_bind(st, 3, c->title);
		fv_db_text_bind(st, 4, c->version);
		fv_db_text_bind(st, 5, c->cpe);
		fv_db_text_bind(st, 6, c->purl);
		fv_db_text_bind(st, 7, c->method);
		fv_db_text_bind(st, 8, c->evidence);
		fv_db_text_bind(st, 9, c->detail);
		fv_db_int_bind(st, 10, c->eol != 0);
		fv_db_text_bind(st, 11, c->eol_date);
		fv_db_text_bind(st, 12, paths);
		int rc = fv_store_run(s, st, "writing a component", err, errlen);
		free(paths);
		if (rc)
			return rc;
	}
	st = s->st[FV_ST_VULN];
	for (size_t i = 0; i < r->nvulns; i++) {
		const struct fv_vulnerability *v = &r->vulns[i];
		char *paths = paths_text(v->paths, v->npaths);
		if (!paths) {
			snprintf(err, errlen, "%s: out of memory writing vulnerability %s", s->db->name, v->id);
			return FV_ENOMEM;
		}
		fv_db_int_bind(st, 1, scan);
		fv_db_text_bind(st, 2, v->id);
		fv_db_text_bind(st, 3, v->component);
		fv_db_text_bind(st, 4, v->version);
		fv_db_text_bind(st, 5, v->severity);
		if (v->cvss >= 0)
			fv_db_double_bind(st, 6, v->cvss);
		else
			fv_db_null_bind(st, 6);
		fv_db_int_bind(st, 7, v->kev != 0);
		fv_db_text_bind(st, 8, v->source);
		fv_db_text_bind(st, 9, v->distribution);
		fv_db_text_bind(st, 10, v->summary);
		fv_db_text_bind(st, 11, paths);
		int rc = fv_store_run(s, st, "writing a vulnerability", err, errlen);
		free(paths);
		if (rc)
			return rc;
	}
	return FV_OK;
}

static int cmp_worst(const void *x, const void *y)
{
	const struct fv_finding *a = *(const struct fv_finding *const *)x;
	const struct fv_finding *b = *(const struct fv_finding *const *)y;
	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	int r = strcmp(a->path ? a->path : "", b->path ? b->path : "");
	return r ? r : (a->offset > b->offset) - (a->offset < b->offset);
}

/* Analysis and extraction findings, worst first as the report lists them. */
static int put_findings(struct fv_store *s, int64_t scan, const struct fv_unpack *u, const struct fv_results *r,
			char *err, size_t errlen)
{
	size_t nu = u->findings.n, na = r ? r->findings.n : 0, n = 0;
	const struct fv_finding **v = malloc((nu + na + 1) * sizeof *v);
	if (!v) {
		snprintf(err, errlen, "%s: out of memory writing findings", s->db->name);
		return FV_ENOMEM;
	}
	for (size_t i = 0; i < na; i++)
		v[n++] = &r->findings.v[i];
	for (size_t i = 0; i < nu; i++)
		v[n++] = &u->findings.v[i];
	qsort(v, n, sizeof *v, cmp_worst);
	struct fv_dbst *st = s->st[FV_ST_FINDING];
	int rc = FV_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		const struct fv_finding *f = v[i];
		fv_db_int_bind(st, 1, scan);
		fv_db_text_bind(st, 2, f->id);
		fv_db_text_bind(st, 3, f->rule);
		fv_db_text_bind(st, 4, f->category);
		fv_db_text_bind(st, 5, fv_severity_name(f->severity));
		fv_db_text_bind(st, 6, fv_conf_name(f->confidence));
		fv_db_text_bind(st, 7, f->title);
		fv_db_text_bind(st, 8, f->path);
		bind_u64(st, 9, f->offset);
		fv_db_text_bind(st, 10, f->evidence);
		if (fv_store_run(s, st, "writing a finding", err, errlen)) {
			char at[600];
			snprintf(at, sizeof at, "%s", err);
			snprintf(err, errlen, "%s (finding %s, rule %.40s)", at, f->id, f->rule ? f->rule : "(none)");
			rc = FV_EIO;
		}
	}
	free(v);
	return rc;
}

struct put_ctx {
	struct fv_store *s;
	char *err;
	size_t errlen;
};

static int put_analysis(void *ctx, const char *sha256, const char *analyzer, const char *inputs,
			const char *result)
{
	struct put_ctx *p = ctx;
	struct fv_dbst *st = p->s->st[FV_ST_ANALYSIS];
	fv_db_text_bind(st, 1, sha256);
	fv_db_text_bind(st, 2, analyzer);
	fv_db_text_bind(st, 3, inputs);
	fv_db_text_bind(st, 4, result);
	return fv_store_run(p->s, st, "writing an analysis result", p->err, p->errlen);
}

/*
 * The job this scan was made for becomes done in the same transaction, and
 * only while this worker still holds it: a worker whose lease ran out (and
 * whose job another worker took) writes nothing, so no result is written
 * twice.  FV_ELOST with a message when the job is no longer ours.
 */
static int finish_job(struct fv_store *s, int64_t scan, const struct fv_store_meta *m, char *err, size_t errlen)
{
	/* The queue's own times are the real clock's (leases), whatever SOURCE_DATE_EPOCH says. */
	char now[32];
	fv_store_iso_time((int64_t)time(NULL), now);
	struct fv_dbst *st = s->st[FV_ST_JOB_DONE];
	fv_db_int_bind(st, 1, scan);
	fv_db_text_bind(st, 2, now);
	fv_db_int_bind(st, 3, m->job_id);
	fv_db_text_bind(st, 4, m->worker);
	int rc = fv_db_step(st);
	if (rc < 0)
		fv_store_fail(s, "finishing the job", err, errlen);
	else if (rc == FV_DB_DONE)
		snprintf(err, errlen, "%s: job %lld is no longer held by %s (its lease ran out and another worker"
			 " took it): result dropped", s->db->name, (long long)m->job_id, m->worker ? m->worker : "?");
	fv_db_reset(st);
	return rc < 0 ? rc : rc == FV_DB_DONE ? FV_ELOST : FV_OK;
}

static int put_scan(struct fv_store *s, const struct fv_unpack *u, const struct fv_inventory *inv,
		    const struct fv_results *res, const struct fv_store_meta *m, int64_t *id, char *err,
		    size_t errlen)
{
	struct fv_dbst *st = s->st[FV_ST_IMAGE];
	fv_db_text_bind(st, 1, u->image_sha256[0] ? u->image_sha256 : NULL);
	bind_u64(st, 2, u->image_size);
	if (fv_db_step(st) != FV_DB_ROW) {
		fv_store_fail(s, "writing the image", err, errlen);
		fv_db_reset(st);
		return FV_EIO;
	}
	int64_t image = fv_db_int(st, 0);
	fv_db_reset(st);

	char started[32];
	fv_store_iso_time(m->started, started);
	st = s->st[FV_ST_SCAN];
	fv_db_int_bind(st, 1, image);
	fv_db_text_bind(st, 2, m->image_path ? m->image_path : u->image_path);
	fv_db_text_bind(st, 3, started);
	bind_u64(st, 4, m->elapsed_ms);
	fv_db_text_bind(st, 5, m->tool_version);
	fv_db_text_bind(st, 6, m->rules_sha256);
	fv_db_text_bind(st, 7, m->vulndb_date);
	char *inputs = !m->inputs && m->analysis ? inputs_text(m->analysis) : NULL;
	if (!m->inputs && m->analysis && !inputs) {
		fv_db_reset(st);
		return FV_ENOMEM;
	}
	fv_db_text_bind(st, 8, m->inputs ? m->inputs : inputs);
	free(inputs);
	if (m->job_id)
		fv_db_int_bind(st, 9, m->job_id);
	else
		fv_db_null_bind(st, 9);
	fv_db_text_bind(st, 10, m->vulndb_sha256);
	if (fv_db_step(st) != FV_DB_ROW) {
		fv_store_fail(s, "writing the scan", err, errlen);
		fv_db_reset(st);
		return FV_EIO;
	}
	int64_t scan = fv_db_int(st, 0);
	fv_db_reset(st);
	int rc = put_contents(s, u, inv, err, errlen);
	if (!rc && m->cache) {
		struct put_ctx p = { s, err, errlen };
		rc = fv_acache_each_new(m->cache, put_analysis, &p);
	}
	if (!rc)
		rc = put_entries(s, scan, u, err, errlen);
	if (!rc)
		rc = put_files(s, scan, u, inv, err, errlen);
	if (!rc && res)
		rc = put_records(s, scan, res, err, errlen);
	if (!rc && res)
		rc = put_code(s, scan, res, err, errlen);
	if (!rc && res)
		rc = put_supply(s, scan, res, err, errlen);
	if (!rc)
		rc = put_findings(s, scan, u, res, err, errlen);
	if (!rc && m->job_id)
		rc = finish_job(s, scan, m, err, errlen);
	if (!rc)
		*id = scan;
	return rc;
}

int fv_store_record(struct fv_store *s, const struct fv_unpack *u, const struct fv_inventory *inv,
		    const struct fv_results *res, const struct fv_store_meta *m, int64_t *id, char *err,
		    size_t errlen)
{
	*err = 0;
	for (int i = 0; i < FV_ST_N; i++)
		if (!s->st[i] && fv_db_prepare(s->db, stmt_sql[i], &s->st[i]))
			return fv_store_fail(s, "preparing to record a scan", err, errlen);
	if (fv_db_exec(s->db, s->db->ops->begin_write))
		return fv_store_fail(s, "cannot lock the store to record a scan", err, errlen);
	int rc = put_scan(s, u, inv, res, m, id, err, errlen);
	if (rc == FV_ENOMEM && !*err)
		snprintf(err, errlen, "%s: out of memory recording the scan", s->db->name);
	if (!rc && fv_db_exec(s->db, "COMMIT"))
		rc = fv_store_fail(s, "committing the scan", err, errlen);
	if (rc)
		fv_db_exec(s->db, "ROLLBACK");
	return rc;
}

int fv_store_cache_load(struct fv_store *s, const struct fv_inventory *inv, struct fv_acache *c, char *err,
			size_t errlen)
{
	struct fv_dbst *st = NULL;
	if (fv_db_prepare(s->db, "SELECT analyzer, inputs, result FROM analyses WHERE sha256 = ?1", &st))
		return fv_store_fail(s, "reading analysis results", err, errlen);
	int rc = FV_OK;
	for (size_t i = 0; i < inv->ncontents && !rc; i++) {
		fv_db_text_bind(st, 1, inv->contents[i].sha256);
		int r;
		while ((r = fv_db_step(st)) == FV_DB_ROW) {
			const char *an = fv_db_text(st, 0), *in = fv_db_text(st, 1), *res = fv_db_text(st, 2);
			if (an && in && res && fv_acache_put(c, inv->contents[i].sha256, an, in, res) < 0) {
				snprintf(err, errlen, "%s: out of memory reading analysis results", s->db->name);
				r = FV_ENOMEM;
				break;
			}
		}
		if (r < 0)
			rc = r == FV_ENOMEM ? r : fv_store_fail(s, "reading analysis results", err, errlen);
		fv_db_reset(st);
	}
	fv_db_finalize(st);
	return rc;
}
