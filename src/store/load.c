/*
 * Reading one stored scan back into the structures the scan made (the
 * unpacker's lists, the inventory, the analysis results), so that `fwvet
 * report` renders it through the scan's own report code and `fwvet diff`
 * compares stored scans with the integrity stage's code.
 *
 * A store is input like any other: another program, a bad disk or a hand
 * may have changed it.  Every value is checked before it is used, and one
 * that is not what record.c writes stops the load with a message naming the
 * table, the row (its rowid, for sqlite3 or psql), the column, what was
 * expected and what was found, rather than rendering a report that
 * silently lacks something.
 */
#include "store/handle.h"

#include <ctype.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/finding.h"
#include "report/report.h"

/* One table being read: where a bad value is, for the message. */
struct rd {
	struct fv_store *s;
	int64_t scan;
	struct fv_dbst *st;
	const char *table;
	int64_t rowid;
	int rc;
	char *err;
	size_t errlen;
};

static void bad(struct rd *r, const char *col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The first bad value wins: its message is the one reported. */
static void bad(struct rd *r, const char *col, const char *fmt, ...)
{
	if (r->rc)
		return;
	char what[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errlen, "%s: scan %lld: %s rowid %lld, column %s: %s", r->s->db->name,
		 (long long)r->scan, r->table, (long long)r->rowid, col, what);
	r->rc = FV_EFORMAT;
}

static void oom(struct rd *r)
{
	if (r->rc)
		return;
	snprintf(r->err, r->errlen, "%s: out of memory reading scan %lld (%s)", r->s->db->name, (long long)r->scan,
		 r->table);
	r->rc = FV_ENOMEM;
}

/* At most 40 bytes of a bad value, control bytes escaped, for a message. */
static void quote(const char *s, char out[200])
{
	size_t k = 0;
	out[k++] = '\'';
	for (size_t i = 0; s[i] && k < 190; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i == 40) {
			k += (size_t)snprintf(out + k, 200 - k, "...");
			break;
		}
		if (c < 0x20 || c == 0x7f || c == '\\')
			k += (size_t)snprintf(out + k, 200 - k, "\\x%02x", c);
		else
			out[k++] = (char)c;
	}
	out[k++] = '\'';
	out[k] = 0;
}

/* Column i as an owned string; NULL when SQL NULL (a message when required). */
static char *col_str(struct rd *r, int i, const char *col, int required)
{
	const char *t = fv_db_is_null(r->st, i) ? NULL : fv_db_text(r->st, i);
	if (!t) {
		if (required)
			bad(r, col, "expected text, found NULL");
		return NULL;
	}
	char *d = strdup(t);
	if (!d)
		oom(r);
	return d;
}

static int64_t col_int(struct rd *r, int i, const char *col)
{
	if (fv_db_is_null(r->st, i)) {
		bad(r, col, "expected an integer, found NULL");
		return 0;
	}
	return fv_db_int(r->st, i);
}

/* An integer in [lo, hi]. */
static int64_t col_range(struct rd *r, int i, const char *col, int64_t lo, int64_t hi)
{
	int64_t v = col_int(r, i, col);
	if (v < lo || v > hi) {
		bad(r, col, "expected an integer from %lld to %lld, found %lld", (long long)lo, (long long)hi,
		    (long long)v);
		return lo;
	}
	return v;
}

/* Sizes and offsets are stored as the two's complement of their 64 bits (record.c). */
static uint64_t col_u64(struct rd *r, int i, const char *col)
{
	return (uint64_t)col_int(r, i, col);
}

/* Text into a fixed buffer of the in-memory structure: longer than the scan could have written is bad. */
static void col_fixed(struct rd *r, int i, const char *col, char *out, size_t cap, int required)
{
	const char *t = fv_db_is_null(r->st, i) ? NULL : fv_db_text(r->st, i);
	out[0] = 0;
	if (!t) {
		if (required)
			bad(r, col, "expected text, found NULL");
		return;
	}
	size_t n = strlen(t);
	if (n >= cap) {
		char q[200];
		quote(t, q);
		bad(r, col, "expected at most %zu bytes, found %zu: %s", cap - 1, n, q);
		return;
	}
	memcpy(out, t, n + 1);
}

static int is_sha256(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!isxdigit((unsigned char)s[n]) || isupper((unsigned char)s[n]))
			return 0;
	return n == FV_SHA256_HEX - 1;
}

/* A SHA-256 in lower-case hex into out, or "" for NULL when that is allowed. */
static void col_sha(struct rd *r, int i, const char *col, char out[FV_SHA256_HEX], int required)
{
	const char *t = fv_db_is_null(r->st, i) ? NULL : fv_db_text(r->st, i);
	out[0] = 0;
	if (!t) {
		if (required)
			bad(r, col, "expected a SHA-256 (64 hex digits), found NULL");
		return;
	}
	if (!is_sha256(t)) {
		char q[200];
		quote(t, q);
		bad(r, col, "expected a SHA-256 (64 lower-case hex digits), found %s", q);
		return;
	}
	memcpy(out, t, FV_SHA256_HEX);
}

/* The index of column i's text in names (n of them). */
static int col_enum(struct rd *r, int i, const char *col, const char *(*name)(int), int n)
{
	const char *t = fv_db_is_null(r->st, i) ? NULL : fv_db_text(r->st, i);
	for (int k = 0; t && k < n; k++)
		if (!strcmp(t, name(k)))
			return k;
	char q[200], list[200];
	size_t l = 0;
	for (int k = 0; k < n && l < sizeof list; k++)
		l += (size_t)snprintf(list + l, sizeof list - l, "%s%s", k ? ", " : "", name(k));
	if (t)
		quote(t, q);
	bad(r, col, "expected one of %s, found %s", list, t ? q : "NULL");
	return 0;
}

static const char *xstatus_name(int k) { return fv_xstatus_name((enum fv_xstatus)k); }
static const char *ftype_name(int k) { return fv_ftype_name((enum fv_ftype)k); }
static const char *kind_name(int k) { return fv_kind_name((enum fv_kind)k); }
static const char *severity_name(int k) { return fv_severity_name((enum fv_severity)k); }
static const char *conf_name(int k) { return fv_conf_name((enum fv_conf)k); }

/* Runs sql (?1 = the scan) and calls row() for each row; rowid is column 0. */
static int each_row(struct rd *r, const char *table, const char *sql, void (*row)(struct rd *r, void *ctx),
		    void *ctx)
{
	r->table = table;
	r->rowid = 0;
	if (fv_db_prepare(r->s->db, sql, &r->st)) {
		char what[64];
		snprintf(what, sizeof what, "reading the scan's %s", table);
		return fv_store_fail(r->s, what, r->err, r->errlen);
	}
	fv_db_int_bind(r->st, 1, r->scan);
	int step;
	while (!r->rc && (step = fv_db_step(r->st)) == FV_DB_ROW) {
		r->rowid = fv_db_int(r->st, 0);
		row(r, ctx);
	}
	if (!r->rc && step != FV_DB_DONE) {
		char what[64];
		snprintf(what, sizeof what, "reading the scan's %s", table);
		r->rc = fv_store_fail(r->s, what, r->err, r->errlen);
	}
	fv_db_finalize(r->st);
	r->st = NULL;
	return r->rc;
}

/* Makes room for one more element; a message when memory runs out. */
static void *grow(struct rd *r, void *v, size_t *cap, size_t n, size_t elem)
{
	if (fv_grow(v, cap, n, elem)) {
		oom(r);
		return NULL;
	}
	return (char *)*(void **)v + n * elem;
}

/* ---- the scan --------------------------------------------------------------------- */

static int64_t parse_iso(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;
	if (!end || *end)
		return -1;
	time_t t = timegm(&tm);
	return t < 0 ? -1 : (int64_t)t;
}

static int load_head(struct rd *r, struct fv_stored *out)
{
	static const char sql[] =
		"SELECT s.id, s.image_path, i.sha256, i.size, s.tool_version, s.rules_sha256, s.vulndb_date,"
		" s.started, s.elapsed_ms, s.inputs, i.id, s.vulndb_sha256 FROM scans s LEFT JOIN images i ON i.id = s.image_id"
		" WHERE s.id = ?1";
	r->table = "scans";
	r->rowid = r->scan;
	if (fv_db_prepare(r->s->db, sql, &r->st))
		return fv_store_fail(r->s, "reading the scan", r->err, r->errlen);
	fv_db_int_bind(r->st, 1, r->scan);
	int step = fv_db_step(r->st);
	if (step != FV_DB_ROW) {
		if (step == FV_DB_DONE) {
			snprintf(r->err, r->errlen, "no scan %lld in %s", (long long)r->scan, r->s->db->name);
			r->rc = FV_EUSAGE;
		} else {
			r->rc = fv_store_fail(r->s, "reading the scan", r->err, r->errlen);
		}
		fv_db_finalize(r->st);
		r->st = NULL;
		return r->rc;
	}
	out->u.image_path = col_str(r, 1, "image_path", 1);
	if (fv_db_is_null(r->st, 10))
		bad(r, "image_id", "expected an image the store holds, found none");
	/* A folder scanned as an unpacked root has no image hash. */
	r->table = "images";
	r->rowid = fv_db_int(r->st, 10);
	col_sha(r, 2, "sha256", out->u.image_sha256, 0);
	out->u.image_size = col_u64(r, 3, "size");
	r->table = "scans";
	r->rowid = r->scan;
	out->tool_version = col_str(r, 4, "tool_version", 1);
	out->rules_sha256 = col_str(r, 5, "rules_sha256", 0);
	out->vulndb_date = col_str(r, 6, "vulndb_date", 0);
	out->vulndb_sha256 = col_str(r, 11, "vulndb_sha256", 0);
	out->started = col_str(r, 7, "started", 1);
	out->elapsed_ms = col_u64(r, 8, "elapsed_ms");
	out->inputs = col_str(r, 9, "inputs", 0);
	out->started_epoch = parse_iso(out->started);
	if (!r->rc && out->started_epoch < 0) {
		char q[200];
		quote(out->started, q);
		bad(r, "started", "expected a time as 2026-11-29T17:30:00Z, found %s", q);
	}
	if (!r->rc && out->inputs) {
		json_error_t je;
		json_t *o = json_loads(out->inputs, 0, &je);
		if (!json_is_object(o)) {
			char q[200];
			quote(out->inputs, q);
			bad(r, "inputs", "expected a JSON object (analyzer: input fingerprint), found %s%s%s", q,
			    o ? "" : ": ", o ? "" : je.text);
		}
		json_decref(o);
	}
	fv_db_finalize(r->st);
	r->st = NULL;
	return r->rc;
}

/* ---- extraction ------------------------------------------------------------------- */

static void entry_row(struct rd *r, void *ctx)
{
	struct fv_unpack *u = ctx;
	struct fv_xentry *e = grow(r, &u->entries, &u->capentries, u->nentries, sizeof *u->entries);
	if (!e)
		return;
	memset(e, 0, sizeof *e);
	u->nentries++;
	e->path = col_str(r, 1, "path", 1);
	e->format = col_str(r, 2, "format", 1);
	e->off = col_u64(r, 3, "off");
	e->size = col_u64(r, 4, "size");
	e->status = (enum fv_xstatus)col_enum(r, 5, "status", xstatus_name, 3);
	e->error = col_str(r, 6, "error", 0);
	col_fixed(r, 7, "description", e->desc, sizeof e->desc, 0);
}

/* What the inventory knew of a file beside its fv_xfile (a parallel array while rows are read). */
struct ftyped {
	enum fv_kind kind;
	char type[96], arch[24];
};

struct files_ctx {
	struct fv_unpack *u;
	struct ftyped *t;
	size_t cap;
};

static void file_row(struct rd *r, void *ctx)
{
	struct files_ctx *c = ctx;
	struct fv_unpack *u = c->u;
	struct fv_xfile *x = grow(r, &u->files, &u->capfiles, u->nfiles, sizeof *u->files);
	if (!x)
		return;
	memset(x, 0, sizeof *x);
	u->nfiles++;
	struct ftyped *t = grow(r, &c->t, &c->cap, u->nfiles - 1, sizeof *c->t);
	if (!t)
		return;
	memset(t, 0, sizeof *t);
	x->path = col_str(r, 1, "path", 1);
	x->type = (enum fv_ftype)col_enum(r, 2, "type", ftype_name, 7);
	x->mode = (uint32_t)col_range(r, 3, "mode", 0, UINT32_MAX);
	x->uid = (uint32_t)col_range(r, 4, "uid", 0, UINT32_MAX);
	x->gid = (uint32_t)col_range(r, 5, "gid", 0, UINT32_MAX);
	x->size = col_u64(r, 6, "size");
	col_sha(r, 7, "sha256", x->sha256, 0);
	x->link = col_str(r, 8, "link", 0);
	/* A store of schema 1 has no device numbers: NULL. */
	x->rdev = fv_db_is_null(r->st, 12) ? 0 : col_u64(r, 12, "rdev");
	x->depth = 1;
	if (r->rc)
		return;
	/* The typing of a regular file's content; the other kinds follow from the type (fv_inventory_index). */
	if (x->type != FV_FT_FILE || !x->sha256[0])
		return;
	if (fv_db_is_null(r->st, 9)) {
		bad(r, "sha256", "expected a content the store holds, found %s, which contents lacks", x->sha256);
		return;
	}
	t->kind = (enum fv_kind)col_enum(r, 9, "kind (of its content)", kind_name, FV_KIND_SPECIAL + 1);
	col_fixed(r, 10, "type (of its content)", t->type, sizeof t->type, 0);
	col_fixed(r, 11, "arch (of its content)", t->arch, sizeof t->arch, 0);
}

/* ---- the inventory, indexed as fv_inventory_build does it, typed as stored ------------ */

static int build_inventory(struct fv_stored *out, const struct ftyped *t)
{
	int rc = fv_inventory_index(&out->u, NULL, &out->inv);
	for (size_t i = 0; !rc && i < out->inv.nfiles; i++) {
		struct fv_file *f = &out->inv.files[i];
		if (f->content == SIZE_MAX)
			continue;
		f->kind = t[i].kind;
		memcpy(f->type, t[i].type, sizeof f->type);
		memcpy(f->arch, t[i].arch, sizeof f->arch);
	}
	return rc;
}

/* ---- findings and records ---------------------------------------------------------- */

struct findings_ctx {
	struct fv_findings *analysis, *extraction;
};

static void finding_row(struct rd *r, void *ctx)
{
	struct findings_ctx *c = ctx;
	const char *cat = fv_db_is_null(r->st, 3) ? NULL : fv_db_text(r->st, 3);
	/* Extraction findings are the unpacker's (sink.c, engine.c); the report keeps them apart. */
	struct fv_findings *l = cat && !strcmp(cat, "extraction") ? c->extraction : c->analysis;
	struct fv_finding *f = grow(r, &l->v, &l->cap, l->n, sizeof *l->v);
	if (!f)
		return;
	memset(f, 0, sizeof *f);
	l->n++;
	col_fixed(r, 1, "finding_id", f->id, sizeof f->id, 1);
	f->rule = col_str(r, 2, "rule", 1);
	f->category = col_str(r, 3, "category", 1);
	f->severity = (enum fv_severity)col_enum(r, 4, "severity", severity_name, FV_SEV_CRITICAL + 1);
	f->confidence = (enum fv_conf)col_enum(r, 5, "confidence", conf_name, FV_CONF_HIGH + 1);
	f->title = col_str(r, 6, "title", 1);
	f->path = col_str(r, 7, "path", 1);
	f->offset = col_u64(r, 8, "off");
	f->evidence = col_str(r, 9, "evidence", 1);
}

static void account_row(struct rd *r, void *ctx)
{
	struct fv_results *res = ctx;
	struct fv_account *a = grow(r, &res->accounts, &res->capaccounts, res->naccounts, sizeof *res->accounts);
	if (!a)
		return;
	memset(a, 0, sizeof *a);
	res->naccounts++;
	a->path = col_str(r, 1, "path", 1);
	a->name = col_str(r, 2, "name", 1);
	a->uid = col_int(r, 3, "uid");
	a->gid = col_int(r, 4, "gid");
	a->home = col_str(r, 5, "home", 0);
	a->shell = col_str(r, 6, "shell", 0);
	a->hash_type = col_str(r, 7, "hash_type", 0);
	a->password = col_str(r, 8, "password", 0);
	a->hash = col_str(r, 9, "hash", 0);
}

static void service_row(struct rd *r, void *ctx)
{
	struct fv_results *res = ctx;
	struct fv_service *v = grow(r, &res->services, &res->capservices, res->nservices, sizeof *res->services);
	if (!v)
		return;
	memset(v, 0, sizeof *v);
	res->nservices++;
	v->path = col_str(r, 1, "path", 1);
	v->line = col_u64(r, 2, "line");
	v->how = col_str(r, 3, "how", 0);
	v->program = col_str(r, 4, "program", 0);
	v->args = col_str(r, 5, "args", 0);
}

static void endpoint_row(struct rd *r, void *ctx)
{
	struct fv_results *res = ctx;
	struct fv_endpoint *e = grow(r, &res->endpoints, &res->capendpoints, res->nendpoints, sizeof *res->endpoints);
	if (!e)
		return;
	memset(e, 0, sizeof *e);
	res->nendpoints++;
	e->value = col_str(r, 1, "value", 1);
	e->kind = col_str(r, 2, "kind", 1);
	e->path = col_str(r, 3, "path", 1);
	e->offset = col_u64(r, 4, "off");
	e->outside = col_range(r, 5, "outside", 0, 1) != 0;
}

/* ---- binaries: the JSON record binary_text() in record.c writes ---------------------- */

static void jbad(struct rd *r, const char *key, const char *want, const json_t *v)
{
	static const char *const types[] = { "an object", "an array", "a string", "an integer", "a real",
					     "true", "false", "null" };
	const char *found = v ? types[json_typeof(v) <= JSON_NULL ? json_typeof(v) : JSON_NULL] : "nothing";
	bad(r, "record", "expected \"%s\" to be %s, found %s", key, want, found);
}

static int64_t jint(struct rd *r, const json_t *o, const char *key, int64_t lo, int64_t hi)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v)) {
		jbad(r, key, "an integer", v);
		return lo;
	}
	json_int_t n = json_integer_value(v);
	if (n < lo || n > hi) {
		bad(r, "record", "expected \"%s\" from %lld to %lld, found %lld", key, (long long)lo, (long long)hi,
		    (long long)n);
		return lo;
	}
	return n;
}

/* A string member (NULL allowed when optional: the writer writes null for an absent rpath). */
static char *jstr(struct rd *r, const json_t *o, const char *key, int required)
{
	json_t *v = json_object_get(o, key);
	if (!required && json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		jbad(r, key, required ? "a string" : "a string or null", v);
		return NULL;
	}
	char *d = strdup(json_string_value(v));
	if (!d)
		oom(r);
	return d;
}

static void binary_record(struct rd *r, struct fv_binary *b, const json_t *o)
{
	b->elf_type = jstr(r, o, "elf_type", 1);
	b->nx = (int)jint(r, o, "nx", 0, 1);
	b->pie = (int)jint(r, o, "pie", 0, 1);
	b->canary = (int)jint(r, o, "canary", 0, 1);
	b->fortify = (int)jint(r, o, "fortify", 0, 1);
	b->stripped = (int)jint(r, o, "stripped", 0, 1);
	b->is_static = (int)jint(r, o, "is_static", 0, 1);
	b->relro = jstr(r, o, "relro", 1);
	b->rpath = jstr(r, o, "rpath", 0);
	b->runpath = jstr(r, o, "runpath", 0);
	b->fortified = (unsigned)jint(r, o, "fortified", 0, UINT_MAX);
	b->unfortified = (unsigned)jint(r, o, "unfortified", 0, UINT_MAX);
	b->code = (int)jint(r, o, "code", 0, 1);
	b->functions = (size_t)jint(r, o, "functions", 0, INT64_MAX);
	b->call_sites = (size_t)jint(r, o, "call_sites", 0, INT64_MAX);
	json_t *calls = json_object_get(o, "calls");
	if (!json_is_object(calls)) {
		jbad(r, "calls", "an object (function name: call sites)", calls);
		return;
	}
	size_t n = json_object_size(calls), k = 0;
	struct fv_callcount *v = calloc(n + 1, sizeof *v);
	if (!v) {
		oom(r);
		return;
	}
	b->calls = v;
	/* Kept in the stored order: the report lists them as the scan did. */
	const char *name;
	json_t *c;
	json_object_foreach(calls, name, c) {
		if (!json_is_integer(c) || json_integer_value(c) < 0 || json_integer_value(c) > UINT_MAX) {
			bad(r, "record", "expected \"calls\".\"%.60s\" to be a count of call sites, found %s", name,
			    json_is_integer(c) ? "a number out of range" : "another type");
			return;
		}
		if (!(v[k].name = strdup(name))) {
			oom(r);
			return;
		}
		v[k].calls = (unsigned)json_integer_value(c);
		b->ncalls = ++k;
	}
}

static void binary_row(struct rd *r, void *ctx)
{
	struct fv_results *res = ctx;
	struct fv_binary *b = grow(r, &res->binaries, &res->capbinaries, res->nbinaries, sizeof *res->binaries);
	if (!b)
		return;
	memset(b, 0, sizeof *b);
	res->nbinaries++;
	char sha[FV_SHA256_HEX];
	col_sha(r, 1, "sha256", sha, 1);
	if (r->rc)
		return;
	if (!(b->sha256 = strdup(sha))) {
		oom(r);
		return;
	}
	const char *text = fv_db_is_null(r->st, 2) ? NULL : fv_db_text(r->st, 2);
	if (!text) {
		bad(r, "record", "expected a JSON object (a binary record), found NULL");
		return;
	}
	json_error_t je;
	/* jansson keeps an object's keys in the order read: "calls" is listed as the scan listed it. */
	json_t *o = json_loads(text, 0, &je);
	if (!json_is_object(o)) {
		char q[200];
		quote(text, q);
		if (o)
			bad(r, "record", "expected a JSON object (a binary record), found %s", q);
		else
			bad(r, "record", "expected a JSON object (a binary record), found %s: %s at character %d", q,
			    je.text, je.position);
	} else {
		binary_record(r, b, o);
	}
	json_decref(o);
}

static void unsafe_row(struct rd *r, void *ctx)
{
	struct fv_results *res = ctx;
	struct fv_unsafe_row *u = grow(r, &res->unsafe, &res->capunsafe, res->nunsafe, sizeof *res->unsafe);
	if (!u)
		return;
	memset(u, 0, sizeof *u);
	res->nunsafe++;
	u->family = col_str(r, 1, "family", 1);
	u->unsafe = col_str(r, 2, "unsafe", 0);
	u->bounded = col_str(r, 3, "bounded", 0);
	u->unsafe_calls = (unsigned)col_range(r, 4, "unsafe_calls", 0, UINT_MAX);
	u->unsafe_binaries = (unsigned)col_range(r, 5, "unsafe_binaries", 0, UINT_MAX);
	u->bounded_calls = (unsigned)col_range(r, 6, "bounded_calls", 0, UINT_MAX);
	u->bounded_binaries = (unsigned)col_range(r, 7, "bounded_binaries", 0, UINT_MAX);
}

/* ---- supply chain -------------------------------------------------------------------- */

static void copy_row(struct rd *r, void *ctx)
{
	struct fv_results *res = ctx;
	struct fv_component_copy *c = grow(r, &res->copies, &res->capcopies, res->ncopies, sizeof *res->copies);
	if (!c)
		return;
	memset(c, 0, sizeof *c);
	res->ncopies++;
	c->name = col_str(r, 1, "name", 1);
	c->title = col_str(r, 2, "title", 0);
	c->version = col_str(r, 3, "version", 1);
	c->cpe = col_str(r, 4, "cpe", 0);
	c->purl = col_str(r, 5, "purl", 0);
	c->path = col_str(r, 6, "path", 1);
	c->offset = col_u64(r, 7, "off");
	c->evidence = col_str(r, 8, "evidence", 0);
	c->method = col_str(r, 9, "method", 0);
	c->detail = col_str(r, 10, "detail", 0);
}

/* A JSON array of strings (paths_text() in record.c). */
static const char **col_paths(struct rd *r, int i, size_t *n)
{
	*n = 0;
	const char *text = fv_db_is_null(r->st, i) ? NULL : fv_db_text(r->st, i);
	if (!text) {
		bad(r, "paths", "expected a JSON array of paths, found NULL");
		return NULL;
	}
	json_error_t je;
	json_t *a = json_loads(text, 0, &je);
	if (!json_is_array(a)) {
		char q[200];
		quote(text, q);
		bad(r, "paths", "expected a JSON array of paths, found %s%s%s", q, a ? "" : ": ", a ? "" : je.text);
		json_decref(a);
		return NULL;
	}
	const char **v = calloc(json_array_size(a) + 1, sizeof *v);
	if (!v)
		oom(r);
	size_t k;
	json_t *p;
	json_array_foreach(a, k, p) {
		if (!v || r->rc)
			break;
		if (!json_is_string(p)) {
			bad(r, "paths", "expected a JSON array of strings, found a %s at index %zu",
			    json_is_null(p) ? "null" : "non-string", k);
			break;
		}
		if (!(v[*n] = strdup(json_string_value(p)))) {
			oom(r);
			break;
		}
		(*n)++;
	}
	json_decref(a);
	return v;
}

static void component_row(struct rd *r, void *ctx)
{
	struct fv_results *res = ctx;
	struct fv_component *c = grow(r, &res->components, &res->capcomponents, res->ncomponents,
				      sizeof *res->components);
	if (!c)
		return;
	memset(c, 0, sizeof *c);
	res->ncomponents++;
	c->name = col_str(r, 1, "name", 1);
	c->title = col_str(r, 2, "title", 0);
	c->version = col_str(r, 3, "version", 1);
	c->cpe = col_str(r, 4, "cpe", 0);
	c->purl = col_str(r, 5, "purl", 1);
	c->method = col_str(r, 6, "method", 0);
	c->evidence = col_str(r, 7, "evidence", 0);
	c->detail = col_str(r, 8, "detail", 0);
	c->eol = col_range(r, 9, "eol", 0, 1) != 0;
	c->eol_date = col_str(r, 10, "eol_date", 0);
	c->paths = col_paths(r, 11, &c->npaths);
}

static void vuln_row(struct rd *r, void *ctx)
{
	struct fv_results *res = ctx;
	struct fv_vulnerability *v = grow(r, &res->vulns, &res->capvulns, res->nvulns, sizeof *res->vulns);
	if (!v)
		return;
	memset(v, 0, sizeof *v);
	res->nvulns++;
	v->id = col_str(r, 1, "vuln_id", 1);
	v->component = col_str(r, 2, "component", 1);
	v->version = col_str(r, 3, "version", 1);
	v->severity = col_str(r, 4, "severity", 1);
	/* NULL is how record.c stores an unknown score (negative in memory). */
	v->cvss = fv_db_is_null(r->st, 5) ? -1 : fv_db_real(r->st, 5);
	if (v->cvss != v->cvss || v->cvss > 10)
		bad(r, "cvss", "expected a CVSS base score from 0 to 10 or NULL, found %g", v->cvss);
	v->kev = col_range(r, 6, "kev", 0, 1) != 0;
	v->source = col_str(r, 7, "source", 0);
	v->distribution = col_str(r, 8, "distribution", 0);
	v->summary = col_str(r, 9, "summary", 0);
	v->paths = col_paths(r, 10, &v->npaths);
}

/* ---- the whole scan -------------------------------------------------------------------- */

static int cmp_binary(const void *x, const void *y)
{
	return strcmp(((const struct fv_binary *)x)->sha256, ((const struct fv_binary *)y)->sha256);
}

static int load_all(struct rd *r, struct fv_stored *out)
{
	if (load_head(r, out))
		return r->rc;
	struct files_ctx fc = { &out->u, NULL, 0 };
	struct findings_ctx fd = { &out->res.findings, &out->u.findings };
	struct fv_results *res = &out->res;
	if (each_row(r, "entries", "SELECT rowid, path, format, off, size, status, error, description"
		     " FROM entries WHERE scan_id = ?1 ORDER BY rowid", entry_row, &out->u) ||
	    each_row(r, "files", "SELECT f.rowid, f.path, f.type, f.mode, f.uid, f.gid, f.size, f.sha256, f.link,"
		     " c.kind, c.type, c.arch, f.rdev FROM files f LEFT JOIN contents c ON c.sha256 = f.sha256"
		     " WHERE f.scan_id = ?1 ORDER BY f.rowid", file_row, &fc) ||
	    each_row(r, "findings", "SELECT rowid, finding_id, rule, category, severity, confidence, title, path,"
		     " off, evidence FROM findings WHERE scan_id = ?1 ORDER BY rowid", finding_row, &fd) ||
	    each_row(r, "accounts", "SELECT rowid, path, name, uid, gid, home, shell, hash_type, password, hash"
		     " FROM accounts WHERE scan_id = ?1 ORDER BY rowid", account_row, res) ||
	    each_row(r, "services", "SELECT rowid, path, line, how, program, args FROM services"
		     " WHERE scan_id = ?1 ORDER BY rowid", service_row, res) ||
	    each_row(r, "endpoints", "SELECT rowid, value, kind, path, off, outside FROM endpoints"
		     " WHERE scan_id = ?1 ORDER BY rowid", endpoint_row, res) ||
	    each_row(r, "binaries", "SELECT rowid, sha256, record FROM binaries WHERE scan_id = ?1 ORDER BY rowid",
		     binary_row, res) ||
	    each_row(r, "unsafe", "SELECT rowid, family, unsafe, bounded, unsafe_calls, unsafe_binaries,"
		     " bounded_calls, bounded_binaries FROM unsafe WHERE scan_id = ?1 ORDER BY rowid",
		     unsafe_row, res) ||
	    each_row(r, "copies", "SELECT rowid, name, title, version, cpe, purl, path, off, evidence, method, detail"
		     " FROM copies WHERE scan_id = ?1 ORDER BY rowid", copy_row, res) ||
	    each_row(r, "components", "SELECT rowid, name, title, version, cpe, purl, method, evidence, detail, eol,"
		     " eol_date, paths FROM components WHERE scan_id = ?1 ORDER BY rowid", component_row, res) ||
	    each_row(r, "vulnerabilities", "SELECT rowid, vuln_id, component, version, severity, cvss, kev, source,"
		     " distribution, summary, paths FROM vulnerabilities WHERE scan_id = ?1 ORDER BY rowid",
		     vuln_row, res)) {
		free(fc.t);
		return r->rc;
	}
	/* fv_results_binary() searches by content: the run leaves them sorted, and so must a load. */
	if (res->nbinaries)
		qsort(res->binaries, res->nbinaries, sizeof *res->binaries, cmp_binary);
	int rc = build_inventory(out, fc.t);
	free(fc.t);
	if (rc)
		oom(r);
	return r->rc;
}

int fv_store_load(struct fv_store *s, int64_t id, struct fv_stored *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	out->id = id;
	out->started_epoch = -1;
	*err = 0;
	/*
	 * One snapshot for every table: PostgreSQL's default isolation would
	 * give each statement its own, SQLite's read transaction is one already.
	 */
	const char *begin = !strcmp(s->db->ops->dialect, "postgresql")
				    ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN";
	if (fv_db_exec(s->db, begin))
		return fv_store_fail(s, "reading the store", err, errlen);
	struct rd r = { .s = s, .scan = id, .err = err, .errlen = errlen };
	int rc = load_all(&r, out);
	if (r.st)
		fv_db_finalize(r.st);
	fv_db_exec(s->db, rc ? "ROLLBACK" : "COMMIT");
	if (rc)
		fv_stored_free(out);
	return rc;
}

void fv_stored_free(struct fv_stored *st)
{
	/* The unpacker's formats are static names; a loaded scan's are its own copies. */
	for (size_t i = 0; i < st->u.nentries; i++)
		free((char *)st->u.entries[i].format);
	fv_inventory_free(&st->inv);
	fv_results_free(&st->res);
	fv_unpack_free(&st->u);
	free(st->tool_version);
	free(st->rules_sha256);
	free(st->vulndb_date);
	free(st->vulndb_sha256);
	free(st->started);
	free(st->inputs);
	memset(st, 0, sizeof *st);
	st->started_epoch = -1;
}
