/*
 * The SQLite backend of the store (store.h): one file, in WAL mode so that
 * readers never wait for a scan being written, with a long busy timeout so
 * that concurrent scans into one file queue instead of failing.
 *
 * Schema (PRAGMA user_version; migrations[] below, applied in order):
 *   images(id, sha256 UNIQUE, size)          an image once, however often scanned
 *   scans(id, image_id, image_path, started, elapsed_ms, tool_version, rules_sha256, vulndb_date)
 *   contents(sha256 PRIMARY KEY, size, kind, type, arch)   a content once across all scans
 *   entries, files, accounts, services, endpoints, components, vulnerabilities, findings:
 *       one row per record of one scan (scan_id, deleted with the scan), in report order
 * Byte offsets are in columns named "off": OFFSET is reserved in PostgreSQL,
 * and the two backends are to share one schema.  A list of paths is a JSON
 * array in a TEXT column.
 */
#include "store/backend.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyze/run.h"
#include "core/err.h"
#include "core/finding.h"
#include "core/json.h"
#include "inventory/inventory.h"
#include "report/report.h"
#include "unpack/engine.h"

#define BUSY_MS 30000

/* migrations[i] takes a store from version i to i + 1; never edit one that has shipped. */
static const char *const migrations[] = {
	"CREATE TABLE images(id INTEGER PRIMARY KEY, sha256 TEXT UNIQUE, size INTEGER NOT NULL);"
	"CREATE TABLE scans(id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" image_id INTEGER NOT NULL REFERENCES images(id), image_path TEXT NOT NULL,"
	" started TEXT NOT NULL, elapsed_ms INTEGER NOT NULL, tool_version TEXT NOT NULL,"
	" rules_sha256 TEXT, vulndb_date TEXT);"
	"CREATE INDEX scans_by_image ON scans(image_id);"
	"CREATE TABLE contents(sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, kind TEXT NOT NULL,"
	" type TEXT, arch TEXT) WITHOUT ROWID;"
	"CREATE TABLE entries(scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,"
	" path TEXT NOT NULL, format TEXT NOT NULL, off INTEGER NOT NULL, size INTEGER NOT NULL,"
	" status TEXT NOT NULL, error TEXT, description TEXT NOT NULL);"
	"CREATE INDEX entries_by_scan ON entries(scan_id);"
	"CREATE TABLE files(scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,"
	" path TEXT NOT NULL, type TEXT NOT NULL, mode INTEGER NOT NULL, uid INTEGER NOT NULL,"
	" gid INTEGER NOT NULL, size INTEGER NOT NULL, sha256 TEXT REFERENCES contents(sha256),"
	" link TEXT);"
	"CREATE INDEX files_by_scan ON files(scan_id);"
	"CREATE INDEX files_by_sha256 ON files(sha256);"
	/* hash: the password field as stored.  The store is the evaluator's own evidence, and
	 * a diff of two stored scans needs it to say "password changed"; the report leaves it out. */
	"CREATE TABLE accounts(scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,"
	" path TEXT NOT NULL, name TEXT NOT NULL, uid INTEGER NOT NULL, gid INTEGER NOT NULL,"
	" home TEXT, shell TEXT, hash_type TEXT, password TEXT, hash TEXT);"
	"CREATE INDEX accounts_by_scan ON accounts(scan_id);"
	"CREATE TABLE services(scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,"
	" path TEXT NOT NULL, line INTEGER NOT NULL, how TEXT NOT NULL, program TEXT NOT NULL,"
	" args TEXT);"
	"CREATE INDEX services_by_scan ON services(scan_id);"
	"CREATE TABLE endpoints(scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,"
	" value TEXT NOT NULL, kind TEXT NOT NULL, path TEXT NOT NULL, off INTEGER NOT NULL,"
	" outside INTEGER NOT NULL);"
	"CREATE INDEX endpoints_by_scan ON endpoints(scan_id);"
	"CREATE TABLE components(scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,"
	" name TEXT NOT NULL, title TEXT, version TEXT NOT NULL, cpe TEXT, purl TEXT, method TEXT,"
	" evidence TEXT, detail TEXT, eol INTEGER NOT NULL, eol_date TEXT, paths TEXT NOT NULL);"
	"CREATE INDEX components_by_scan ON components(scan_id);"
	"CREATE TABLE vulnerabilities(scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,"
	" vuln_id TEXT NOT NULL, component TEXT NOT NULL, version TEXT NOT NULL, severity TEXT NOT NULL,"
	" cvss REAL, kev INTEGER NOT NULL, source TEXT, distribution TEXT, summary TEXT,"
	" paths TEXT NOT NULL);"
	"CREATE INDEX vulnerabilities_by_scan ON vulnerabilities(scan_id);"
	"CREATE TABLE findings(scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,"
	" finding_id TEXT NOT NULL, rule TEXT NOT NULL, category TEXT NOT NULL, severity TEXT NOT NULL,"
	" confidence TEXT NOT NULL, title TEXT NOT NULL, path TEXT NOT NULL, off INTEGER NOT NULL,"
	" evidence TEXT);"
	"CREATE INDEX findings_by_scan ON findings(scan_id);",
};
#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))
_Static_assert(NMIGRATIONS == FV_STORE_SCHEMA, "one migration per schema version");

/* The statements of fv_store_record, prepared once per open store. */
enum {
	ST_IMAGE, ST_SCAN, ST_CONTENT, ST_ENTRY, ST_FILE, ST_ACCOUNT, ST_SERVICE, ST_ENDPOINT,
	ST_COMPONENT, ST_VULN, ST_FINDING, NSTMT
};

static const char *const stmt_sql[NSTMT] = {
	[ST_IMAGE] = "INSERT INTO images(sha256, size) VALUES(?1, ?2)"
		     " ON CONFLICT(sha256) DO UPDATE SET size = excluded.size RETURNING id",
	[ST_SCAN] = "INSERT INTO scans(image_id, image_path, started, elapsed_ms, tool_version,"
		    " rules_sha256, vulndb_date) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_CONTENT] = "INSERT INTO contents(sha256, size, kind, type, arch) VALUES(?1, ?2, ?3, ?4, ?5)"
		       " ON CONFLICT(sha256) DO NOTHING",
	[ST_ENTRY] = "INSERT INTO entries VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_FILE] = "INSERT INTO files VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_ACCOUNT] = "INSERT INTO accounts VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[ST_SERVICE] = "INSERT INTO services VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_ENDPOINT] = "INSERT INTO endpoints VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_COMPONENT] = "INSERT INTO components VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[ST_VULN] = "INSERT INTO vulnerabilities VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[ST_FINDING] = "INSERT INTO findings VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
};

struct sq_store {
	struct fv_store base;
	sqlite3 *db;
	char *path;
	sqlite3_stmt *st[NSTMT];
};

static int sql_fail(struct sq_store *s, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
	return FV_EIO;
}

/* ---- opening and migrating ------------------------------------------------------- */

/* mkdir -p of the folder holding path, new folders private (the store holds password hashes). */
static int make_parent(const char *path, char *err, size_t errlen)
{
	char *d = strdup(path);
	if (!d) {
		snprintf(err, errlen, "%s: out of memory", path);
		return FV_ENOMEM;
	}
	char *slash = strrchr(d, '/');
	if (!slash || slash == d) {
		free(d);
		return FV_OK;
	}
	*slash = 0;
	for (char *p = d + 1;; p++) {
		if (*p && *p != '/')
			continue;
		char c = *p;
		*p = 0;
		if (mkdir(d, 0700) && errno != EEXIST) {
			snprintf(err, errlen, "%s: cannot make the store's folder %s: %s", path, d,
				 strerror(errno));
			free(d);
			return FV_EIO;
		}
		*p = c;
		if (!c)
			break;
	}
	free(d);
	return FV_OK;
}

static int user_version(sqlite3 *db, int *ver)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*ver = sqlite3_column_int(st, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

static int too_new(struct sq_store *s, int ver, char *err, size_t errlen)
{
	snprintf(err, errlen,
		 "%s: expected a fwvet store of schema version %d or older, found version %d"
		 " (written by a newer fwvet)",
		 s->path, FV_STORE_SCHEMA, ver);
	return FV_EUNSUP;
}

/*
 * Each migration in a transaction of its own, taken with BEGIN IMMEDIATE
 * and the version read again inside it: of two processes opening a fresh
 * store, the second waits for the first and then finds nothing to do.
 */
static int migrate(struct sq_store *s, char *err, size_t errlen)
{
	for (;;) {
		int ver;
		if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			return sql_fail(s, "cannot lock the store to migrate it", err, errlen);
		if (user_version(s->db, &ver) != SQLITE_OK) {
			sql_fail(s, "cannot read the schema version", err, errlen);
			break;
		}
		if (ver > FV_STORE_SCHEMA) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return too_new(s, ver, err, errlen);
		}
		if (ver < 0) {
			snprintf(err, errlen, "%s: expected a fwvet store, found schema version %d", s->path, ver);
			break;
		}
		if (ver == FV_STORE_SCHEMA) {
			s->base.schema = ver;
			if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
				return sql_fail(s, "cannot end the migration", err, errlen);
			return FV_OK;
		}
		char bump[40], what[64];
		snprintf(bump, sizeof bump, "PRAGMA user_version=%d", ver + 1);
		snprintf(what, sizeof what, "migrating the schema from version %d to %d", ver, ver + 1);
		if (sqlite3_exec(s->db, migrations[ver], NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(s->db, bump, NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
			sql_fail(s, what, err, errlen);
			break;
		}
	}
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return FV_EFORMAT;
}

static const struct fv_store_ops sqlite_ops;

static void sq_close(struct fv_store *base)
{
	struct sq_store *s = (struct sq_store *)base;
	for (int i = 0; i < NSTMT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

int fv_store_sqlite_open(const char *path, struct fv_store **out, char *err, size_t errlen)
{
	*out = NULL;
	struct sq_store *s = calloc(1, sizeof *s);
	if (!s || !(s->path = strdup(path))) {
		free(s);
		snprintf(err, errlen, "%s: out of memory", path);
		return FV_ENOMEM;
	}
	s->base.ops = &sqlite_ops;
	int rc = make_parent(path, err, errlen);
	if (rc)
		goto fail;
	/* Made private before SQLite makes it 0644: it holds password hashes (its -wal and -shm
	 * files take the same mode).  A failure here is left to sqlite3_open_v2 to report. */
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open the store: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : "out of memory");
		rc = FV_EIO;
		goto fail;
	}
	sqlite3_busy_timeout(s->db, BUSY_MS);
	sqlite3_extended_result_codes(s->db, 1);
	/* Refuse a newer store before anything writes to it, even the journal mode. */
	int ver = 0;
	if (user_version(s->db, &ver) != SQLITE_OK) {
		snprintf(err, errlen, "%s: expected a fwvet store (a SQLite database), found: %s", path,
			 sqlite3_errmsg(s->db));
		rc = FV_EFORMAT;
		goto fail;
	}
	if (ver > FV_STORE_SCHEMA) {
		rc = too_new(s, ver, err, errlen);
		goto fail;
	}
	if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(s->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL) != SQLITE_OK) {
		rc = sql_fail(s, "cannot set up the store", err, errlen);
		goto fail;
	}
	rc = migrate(s, err, errlen);
	if (rc)
		goto fail;
	*out = &s->base;
	return FV_OK;
fail:
	sq_close(&s->base);
	return rc;
}

/* ---- recording -------------------------------------------------------------------- */

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void bind_u64(sqlite3_stmt *st, int i, uint64_t v)
{
	/* Two's complement keeps every bit; the reader casts back. */
	sqlite3_bind_int64(st, i, (sqlite3_int64)v);
}

/* Runs st (reset, bindings cleared for the next row); SQLITE_DONE or a row is success. */
static int run(struct sq_store *s, sqlite3_stmt *st, const char *what, char *err, size_t errlen)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return FV_OK;
	return sql_fail(s, what, err, errlen);
}

/* paths as a JSON array (malloc'd), written by fv_json so any bytes give valid JSON. */
static char *paths_text(const char *const *paths, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	struct fv_json j;
	fv_json_init(&j, f, 0);
	fv_json_arr_begin(&j);
	for (size_t i = 0; i < n; i++)
		fv_json_str(&j, paths[i]);
	fv_json_arr_end(&j);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
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

static void iso_time(int64_t t, char out[32])
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

static int put_files(struct sq_store *s, int64_t scan, const struct fv_unpack *u,
		     const struct fv_inventory *inv, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_CONTENT];
	for (size_t i = 0; inv && i < inv->ncontents; i++) {
		const struct fv_content *c = &inv->contents[i];
		const struct fv_file *f = c->nfiles ? &inv->files[c->files[0]] : NULL;
		sqlite3_bind_text(st, 1, c->sha256, -1, SQLITE_STATIC);
		bind_u64(st, 2, c->size);
		sqlite3_bind_text(st, 3, fv_kind_name(f ? f->kind : FV_KIND_OTHER), -1, SQLITE_STATIC);
		bind_text(st, 4, f && f->type[0] ? f->type : NULL);
		bind_text(st, 5, f && f->arch[0] ? f->arch : NULL);
		if (run(s, st, "writing a content", err, errlen))
			return FV_EIO;
	}
	/* A folder walked without an inventory still has its file list. */
	size_t n = inv ? inv->nfiles : u->nfiles;
	st = s->st[ST_FILE];
	for (size_t i = 0; i < n; i++) {
		const struct fv_file *f = inv ? &inv->files[i] : NULL;
		const struct fv_xfile *x = f ? f->x : &u->files[i];
		int regular = x->type == FV_FT_FILE && x->sha256[0];
		if (regular && !f) {
			/* No inventory: the content is known only by hash and size. */
			sqlite3_stmt *c = s->st[ST_CONTENT];
			sqlite3_bind_text(c, 1, x->sha256, -1, SQLITE_STATIC);
			bind_u64(c, 2, x->size);
			sqlite3_bind_text(c, 3, fv_kind_name(FV_KIND_OTHER), -1, SQLITE_STATIC);
			if (run(s, c, "writing a content", err, errlen))
				return FV_EIO;
		}
		sqlite3_bind_int64(st, 1, scan);
		bind_text(st, 2, x->path);
		sqlite3_bind_text(st, 3, fv_ftype_name(x->type), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, x->mode);
		sqlite3_bind_int64(st, 5, x->uid);
		sqlite3_bind_int64(st, 6, x->gid);
		bind_u64(st, 7, x->size);
		bind_text(st, 8, regular ? x->sha256 : NULL);
		bind_text(st, 9, x->link);
		if (run(s, st, "writing a file", err, errlen)) {
			char at[600];
			snprintf(at, sizeof at, "%s", err);
			snprintf(err, errlen, "%s (file %.200s)", at, x->path ? x->path : "(no path)");
			return FV_EIO;
		}
	}
	return FV_OK;
}

static int put_entries(struct sq_store *s, int64_t scan, const struct fv_unpack *u, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_ENTRY];
	for (size_t i = 0; i < u->nentries; i++) {
		const struct fv_xentry *e = &u->entries[i];
		sqlite3_bind_int64(st, 1, scan);
		bind_text(st, 2, e->path);
		bind_text(st, 3, e->format);
		bind_u64(st, 4, e->off);
		bind_u64(st, 5, e->size);
		sqlite3_bind_text(st, 6, fv_xstatus_name(e->status), -1, SQLITE_STATIC);
		bind_text(st, 7, e->error);
		sqlite3_bind_text(st, 8, e->desc, -1, SQLITE_STATIC);
		if (run(s, st, "writing an extraction entry", err, errlen))
			return FV_EIO;
	}
	return FV_OK;
}

static int put_records(struct sq_store *s, int64_t scan, const struct fv_results *r, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_ACCOUNT];
	for (size_t i = 0; i < r->naccounts; i++) {
		const struct fv_account *a = &r->accounts[i];
		sqlite3_bind_int64(st, 1, scan);
		bind_text(st, 2, a->path);
		bind_text(st, 3, a->name);
		sqlite3_bind_int64(st, 4, a->uid);
		sqlite3_bind_int64(st, 5, a->gid);
		bind_text(st, 6, a->home);
		bind_text(st, 7, a->shell);
		bind_text(st, 8, a->hash_type);
		bind_text(st, 9, a->password);
		bind_text(st, 10, a->hash);
		if (run(s, st, "writing an account", err, errlen))
			return FV_EIO;
	}
	st = s->st[ST_SERVICE];
	for (size_t i = 0; i < r->nservices; i++) {
		const struct fv_service *v = &r->services[i];
		sqlite3_bind_int64(st, 1, scan);
		bind_text(st, 2, v->path);
		bind_u64(st, 3, v->line);
		bind_text(st, 4, v->how);
		bind_text(st, 5, v->program);
		bind_text(st, 6, v->args);
		if (run(s, st, "writing a service", err, errlen))
			return FV_EIO;
	}
	st = s->st[ST_ENDPOINT];
	for (size_t i = 0; i < r->nendpoints; i++) {
		const struct fv_endpoint *e = &r->endpoints[i];
		sqlite3_bind_int64(st, 1, scan);
		bind_text(st, 2, e->value);
		bind_text(st, 3, e->kind);
		bind_text(st, 4, e->path);
		bind_u64(st, 5, e->offset);
		sqlite3_bind_int(st, 6, e->outside != 0);
		if (run(s, st, "writing an endpoint", err, errlen))
			return FV_EIO;
	}
	return FV_OK;
}

static int put_supply(struct sq_store *s, int64_t scan, const struct fv_results *r, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_COMPONENT];
	for (size_t i = 0; i < r->ncomponents; i++) {
		const struct fv_component *c = &r->components[i];
		char *paths = paths_text(c->paths, c->npaths);
		if (!paths) {
			snprintf(err, errlen, "%s: out of memory writing component %s", s->path, c->name);
			return FV_ENOMEM;
		}
		sqlite3_bind_int64(st, 1, scan);
		bind_text(st, 2, c->name);
		bind_text(st, 3, c->title);
		bind_text(st, 4, c->version);
		bind_text(st, 5, c->cpe);
		bind_text(st, 6, c->purl);
		bind_text(st, 7, c->method);
		bind_text(st, 8, c->evidence);
		bind_text(st, 9, c->detail);
		sqlite3_bind_int(st, 10, c->eol != 0);
		bind_text(st, 11, c->eol_date);
		sqlite3_bind_text(st, 12, paths, -1, SQLITE_STATIC);
		int rc = run(s, st, "writing a component", err, errlen);
		free(paths);
		if (rc)
			return rc;
	}
	st = s->st[ST_VULN];
	for (size_t i = 0; i < r->nvulns; i++) {
		const struct fv_vulnerability *v = &r->vulns[i];
		char *paths = paths_text(v->paths, v->npaths);
		if (!paths) {
			snprintf(err, errlen, "%s: out of memory writing vulnerability %s", s->path, v->id);
			return FV_ENOMEM;
		}
		sqlite3_bind_int64(st, 1, scan);
		bind_text(st, 2, v->id);
		bind_text(st, 3, v->component);
		bind_text(st, 4, v->version);
		bind_text(st, 5, v->severity);
		if (v->cvss >= 0)
			sqlite3_bind_double(st, 6, v->cvss);
		sqlite3_bind_int(st, 7, v->kev != 0);
		bind_text(st, 8, v->source);
		bind_text(st, 9, v->distribution);
		bind_text(st, 10, v->summary);
		sqlite3_bind_text(st, 11, paths, -1, SQLITE_STATIC);
		int rc = run(s, st, "writing a vulnerability", err, errlen);
		free(paths);
		if (rc)
			return rc;
	}
	return FV_OK;
}

/* Analysis and extraction findings, worst first as the report lists them. */
static int put_findings(struct sq_store *s, int64_t scan, const struct fv_unpack *u, const struct fv_results *r,
			char *err, size_t errlen)
{
	size_t nu = u->findings.n, na = r ? r->findings.n : 0, n = 0;
	const struct fv_finding **v = malloc((nu + na + 1) * sizeof *v);
	if (!v) {
		snprintf(err, errlen, "%s: out of memory writing findings", s->path);
		return FV_ENOMEM;
	}
	for (size_t i = 0; i < na; i++)
		v[n++] = &r->findings.v[i];
	for (size_t i = 0; i < nu; i++)
		v[n++] = &u->findings.v[i];
	qsort(v, n, sizeof *v, cmp_worst);
	sqlite3_stmt *st = s->st[ST_FINDING];
	int rc = FV_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		const struct fv_finding *f = v[i];
		sqlite3_bind_int64(st, 1, scan);
		sqlite3_bind_text(st, 2, f->id, -1, SQLITE_STATIC);
		bind_text(st, 3, f->rule);
		bind_text(st, 4, f->category);
		sqlite3_bind_text(st, 5, fv_severity_name(f->severity), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, fv_conf_name(f->confidence), -1, SQLITE_STATIC);
		bind_text(st, 7, f->title);
		bind_text(st, 8, f->path);
		bind_u64(st, 9, f->offset);
		bind_text(st, 10, f->evidence);
		if (run(s, st, "writing a finding", err, errlen)) {
			char at[600];
			snprintf(at, sizeof at, "%s", err);
			snprintf(err, errlen, "%s (finding %s, rule %.40s)", at, f->id, f->rule ? f->rule : "(none)");
			rc = FV_EIO;
		}
	}
	free(v);
	return rc;
}

static int put_scan(struct sq_store *s, const struct fv_unpack *u, const struct fv_inventory *inv,
		    const struct fv_results *res, const struct fv_store_meta *m, int64_t *id, char *err,
		    size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_IMAGE];
	bind_text(st, 1, u->image_sha256[0] ? u->image_sha256 : NULL);
	bind_u64(st, 2, u->image_size);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return sql_fail(s, "writing the image", err, errlen);
	}
	int64_t image = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);

	char started[32];
	iso_time(m->started, started);
	st = s->st[ST_SCAN];
	sqlite3_bind_int64(st, 1, image);
	bind_text(st, 2, m->image_path ? m->image_path : u->image_path);
	sqlite3_bind_text(st, 3, started, -1, SQLITE_STATIC);
	bind_u64(st, 4, m->elapsed_ms);
	bind_text(st, 5, m->tool_version);
	bind_text(st, 6, m->rules_sha256);
	bind_text(st, 7, m->vulndb_date);
	if (run(s, st, "writing the scan", err, errlen))
		return FV_EIO;
	int64_t scan = sqlite3_last_insert_rowid(s->db);
	int rc = put_entries(s, scan, u, err, errlen);
	if (!rc)
		rc = put_files(s, scan, u, inv, err, errlen);
	if (!rc && res)
		rc = put_records(s, scan, res, err, errlen);
	if (!rc && res)
		rc = put_supply(s, scan, res, err, errlen);
	if (!rc)
		rc = put_findings(s, scan, u, res, err, errlen);
	if (!rc)
		*id = scan;
	return rc;
}

static int sq_record(struct fv_store *base, const struct fv_unpack *u, const struct fv_inventory *inv,
		     const struct fv_results *res, const struct fv_store_meta *m, int64_t *id, char *err,
		     size_t errlen)
{
	struct sq_store *s = (struct sq_store *)base;
	for (int i = 0; i < NSTMT; i++)
		if (!s->st[i] && sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
						    &s->st[i], NULL) != SQLITE_OK)
			return sql_fail(s, "preparing to record a scan", err, errlen);
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(s, "cannot lock the store to record a scan", err, errlen);
	int rc = put_scan(s, u, inv, res, m, id, err, errlen);
	if (!rc && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = sql_fail(s, "committing the scan", err, errlen);
	if (rc)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* ---- reading ---------------------------------------------------------------------- */

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static uint64_t col_u64(sqlite3_stmt *st, int i)
{
	return (uint64_t)sqlite3_column_int64(st, i);
}

static int sq_list(struct fv_store *base, int (*fn)(void *ctx, const struct fv_store_row *r), void *ctx,
		   char *err, size_t errlen)
{
	struct sq_store *s = (struct sq_store *)base;
	static const char sql[] =
		"SELECT s.id, s.image_path, i.sha256, s.started, i.size, s.tool_version,"
		" (SELECT count(*) FROM files f WHERE f.scan_id = s.id),"
		" (SELECT count(*) FROM components c WHERE c.scan_id = s.id),"
		" (SELECT count(*) FROM vulnerabilities v WHERE v.scan_id = s.id),"
		" (SELECT count(*) FROM findings x WHERE x.scan_id = s.id AND x.severity = ?1),"
		" (SELECT count(*) FROM findings x WHERE x.scan_id = s.id AND x.severity = ?2),"
		" (SELECT count(*) FROM findings x WHERE x.scan_id = s.id AND x.severity = ?3),"
		" (SELECT count(*) FROM findings x WHERE x.scan_id = s.id AND x.severity = ?4),"
		" (SELECT count(*) FROM findings x WHERE x.scan_id = s.id AND x.severity = ?5)"
		" FROM scans s JOIN images i ON i.id = s.image_id ORDER BY s.started DESC, s.id DESC";
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return sql_fail(s, "listing the scans", err, errlen);
	for (int i = 0; i < 5; i++)
		sqlite3_bind_text(st, i + 1, fv_severity_name((enum fv_severity)i), -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct fv_store_row r = {
			.id = sqlite3_column_int64(st, 0),
			.image_path = col(st, 1),
			.image_sha256 = col(st, 2),
			.started = col(st, 3),
			.image_size = col_u64(st, 4),
			.tool_version = col(st, 5),
			.files = (size_t)sqlite3_column_int64(st, 6),
			.components = (size_t)sqlite3_column_int64(st, 7),
			.vulnerabilities = (size_t)sqlite3_column_int64(st, 8),
		};
		for (int i = 0; i < 5; i++)
			r.findings[i] = (size_t)sqlite3_column_int64(st, 9 + i);
		if (fn(ctx, &r)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	int ret = rc == SQLITE_DONE ? FV_OK : sql_fail(s, "listing the scans", err, errlen);
	sqlite3_finalize(st);
	return ret;
}

/* A column as JSON: by its declared kind, NULL as null. */
/* C_OPT: a string the report leaves out when it has none. */
enum ckind { C_STR, C_OPT, C_INT, C_UINT, C_BOOL, C_REAL, C_MODE, C_PATHS };

struct jcol {
	const char *key;
	enum ckind kind;
};

static void paths_json(struct fv_json *j, const char *text)
{
	json_t *a = text ? json_loads(text, 0, NULL) : NULL;
	fv_json_arr_begin(j);
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
		if (json_is_string(v))
			fv_json_strn(j, json_string_value(v), json_string_length(v));
	fv_json_arr_end(j);
	json_decref(a);
}

static void col_json(struct fv_json *j, sqlite3_stmt *st, int i, const struct jcol *c)
{
	fv_json_key(j, c->key);
	if (sqlite3_column_type(st, i) == SQLITE_NULL && c->kind != C_PATHS) {
		fv_json_null(j);
		return;
	}
	switch (c->kind) {
	case C_STR:
	case C_OPT:
		fv_json_strn(j, col(st, i), (size_t)sqlite3_column_bytes(st, i));
		break;
	case C_INT:
		fv_json_int(j, sqlite3_column_int64(st, i));
		break;
	case C_UINT:
		fv_json_uint(j, col_u64(st, i));
		break;
	case C_BOOL:
		fv_json_bool(j, sqlite3_column_int(st, i));
		break;
	case C_REAL:
		fv_json_double(j, sqlite3_column_double(st, i));
		break;
	case C_MODE: {
		char mode[8];
		snprintf(mode, sizeof mode, "%04o", (unsigned)sqlite3_column_int64(st, i) & 07777);
		fv_json_str(j, mode);
		break;
	}
	case C_PATHS:
		paths_json(j, col(st, i));
		break;
	}
}

/* One array of objects, key: a row per object, columns named by cols (NULL-terminated). */
static int rows_json(struct sq_store *s, struct fv_json *j, const char *key, const char *sql, int64_t id,
		     const struct jcol *cols, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return sql_fail(s, key, err, errlen);
	sqlite3_bind_int64(st, 1, id);
	fv_json_key(j, key);
	fv_json_arr_begin(j);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fv_json_obj_begin(j);
		for (int i = 0; cols[i].key; i++) {
			if (cols[i].kind == C_OPT && sqlite3_column_type(st, i) == SQLITE_NULL)
				continue;
			col_json(j, st, i, &cols[i]);
		}
		fv_json_obj_end(j);
	}
	fv_json_arr_end(j);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? FV_OK : sql_fail(s, key, err, errlen);
}

static const struct jcol entry_cols[] = {
	{ "path", C_STR }, { "format", C_STR }, { "offset", C_UINT }, { "size", C_UINT },
	{ "status", C_STR }, { "error", C_STR }, { "description", C_STR }, { NULL, 0 },
};
static const struct jcol file_cols[] = {
	{ "path", C_STR }, { "sha256", C_OPT }, { "size", C_UINT }, { "mode", C_MODE }, { "uid", C_UINT },
	{ "gid", C_UINT }, { "kind", C_STR }, { "type", C_OPT }, { "arch", C_OPT }, { "link", C_OPT },
	{ NULL, 0 },
};
static const struct jcol account_cols[] = {
	{ "path", C_STR }, { "name", C_STR }, { "uid", C_INT }, { "gid", C_INT }, { "home", C_STR },
	{ "shell", C_STR }, { "hash_type", C_STR }, { "password", C_STR }, { NULL, 0 },
};
static const struct jcol service_cols[] = {
	{ "path", C_STR }, { "line", C_UINT }, { "how", C_STR }, { "program", C_STR }, { "args", C_STR },
	{ NULL, 0 },
};
static const struct jcol endpoint_cols[] = {
	{ "value", C_STR }, { "kind", C_STR }, { "path", C_STR }, { "offset", C_UINT }, { "outside", C_BOOL },
	{ NULL, 0 },
};
static const struct jcol component_cols[] = {
	{ "name", C_STR }, { "title", C_STR }, { "version", C_STR }, { "cpe", C_STR }, { "purl", C_STR },
	{ "paths", C_PATHS }, { "evidence", C_STR }, { "method", C_STR }, { "eol", C_BOOL },
	{ "eol_date", C_STR }, { "detail", C_OPT }, { NULL, 0 },
};
static const struct jcol vuln_cols[] = {
	{ "id", C_STR }, { "component", C_STR }, { "version", C_STR }, { "severity", C_STR },
	{ "cvss", C_REAL }, { "kev", C_BOOL }, { "summary", C_STR }, { "source", C_STR },
	{ "distribution", C_STR }, { "paths", C_PATHS }, { NULL, 0 },
};
static const struct jcol finding_cols[] = {
	{ "id", C_STR }, { "rule", C_STR }, { "category", C_STR }, { "severity", C_STR }, { "title", C_STR },
	{ "path", C_STR }, { "offset", C_UINT }, { "evidence", C_STR }, { "confidence", C_STR },
	{ NULL, 0 },
};

/* One integer from sql bound to id. */
static int count(struct sq_store *s, const char *sql, int64_t id, const char *bind2, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		if (bind2)
			sqlite3_bind_text(st, 2, bind2, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_ROW ? SQLITE_OK : SQLITE_ERROR;
		*out = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return rc;
}

/* image, tool, scan and summary; FV_EUSAGE when there is no scan id. */
static int head_json(struct sq_store *s, int64_t id, struct fv_json *j, char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT s.image_path, i.sha256, i.size, s.tool_version, s.rules_sha256, s.vulndb_date,"
		" s.started, s.elapsed_ms FROM scans s JOIN images i ON i.id = s.image_id WHERE s.id = ?1";
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return sql_fail(s, "reading the scan", err, errlen);
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return sql_fail(s, "reading the scan", err, errlen);
		snprintf(err, errlen, "no scan %lld in %s", (long long)id, s->path);
		return FV_EUSAGE;
	}
	fv_json_obj_begin(j);
	fv_json_kstr(j, "fwvet", col(st, 3));
	fv_json_kint(j, "schema", FV_REPORT_SCHEMA);
	fv_json_key(j, "image");
	fv_json_obj_begin(j);
	fv_json_kstr(j, "path", col(st, 0));
	fv_json_kstr(j, "sha256", col(st, 1));
	fv_json_kuint(j, "size", col_u64(st, 2));
	fv_json_obj_end(j);
	fv_json_key(j, "tool");
	fv_json_obj_begin(j);
	fv_json_kstr(j, "name", "fwvet");
	fv_json_kstr(j, "version", col(st, 3));
	fv_json_kstr(j, "rules_sha256", col(st, 4));
	fv_json_kstr(j, "vulndb_date", col(st, 5));
	fv_json_obj_end(j);
	fv_json_key(j, "scan");
	fv_json_obj_begin(j);
	fv_json_kint(j, "id", id);
	fv_json_kstr(j, "started", col(st, 6));
	fv_json_kuint(j, "elapsed_ms", col_u64(st, 7));
	fv_json_obj_end(j);
	uint64_t elapsed = col_u64(st, 7);
	sqlite3_finalize(st);

	int64_t files = 0, contents = 0, n;
	if (count(s, "SELECT count(*) FROM files WHERE scan_id = ?1", id, NULL, &files) ||
	    count(s, "SELECT count(DISTINCT sha256) FROM files WHERE scan_id = ?1", id, NULL, &contents))
		return sql_fail(s, "counting the scan's files", err, errlen);
	fv_json_key(j, "summary");
	fv_json_obj_begin(j);
	fv_json_kint(j, "files", files);
	fv_json_kint(j, "unique_contents", contents);
	fv_json_key(j, "findings_by_severity");
	fv_json_obj_begin(j);
	for (int sev = FV_SEV_CRITICAL; sev >= FV_SEV_INFO; sev--) {
		const char *name = fv_severity_name((enum fv_severity)sev);
		if (count(s, "SELECT count(*) FROM findings WHERE scan_id = ?1 AND severity = ?2", id, name, &n))
			return sql_fail(s, "counting the scan's findings", err, errlen);
		fv_json_kint(j, name, n);
	}
	fv_json_obj_end(j);
	fv_json_kuint(j, "elapsed_ms", elapsed);
	fv_json_obj_end(j);
	return FV_OK;
}

static int sq_show_json(struct fv_store *base, int64_t id, struct fv_json *j, char *err, size_t errlen)
{
	struct sq_store *s = (struct sq_store *)base;
	/* One read transaction: a scan recorded meanwhile does not mix in. */
	if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(s, "reading the store", err, errlen);
	int rc = head_json(s, id, j, err, errlen);
	if (rc) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	static const struct {
		const char *key, *sql;
		const struct jcol *cols;
	} parts[] = {
		{ "extraction", "SELECT path, format, off, size, status, error, description FROM entries"
				" WHERE scan_id = ?1 ORDER BY rowid", entry_cols },
		{ "files", "SELECT f.path, f.sha256, f.size, f.mode, f.uid, f.gid,"
			   " CASE WHEN f.type = 'file' THEN coalesce(c.kind, 'data') ELSE f.type END,"
			   " c.type, c.arch, f.link FROM files f LEFT JOIN contents c ON c.sha256 = f.sha256"
			   " WHERE f.scan_id = ?1 ORDER BY f.rowid", file_cols },
		{ "components", "SELECT name, title, version, cpe, purl, paths, evidence, method, eol, eol_date,"
				" detail FROM components WHERE scan_id = ?1 ORDER BY rowid", component_cols },
		{ "vulnerabilities", "SELECT vuln_id, component, version, severity, cvss, kev, summary, source,"
				     " distribution, paths FROM vulnerabilities WHERE scan_id = ?1 ORDER BY rowid",
		  vuln_cols },
		{ "accounts", "SELECT path, name, uid, gid, home, shell, hash_type, password FROM accounts"
			      " WHERE scan_id = ?1 ORDER BY rowid", account_cols },
		{ "services", "SELECT path, line, how, program, args FROM services WHERE scan_id = ?1"
			      " ORDER BY rowid", service_cols },
		{ "endpoints", "SELECT value, kind, path, off, outside FROM endpoints WHERE scan_id = ?1"
			       " ORDER BY rowid", endpoint_cols },
		{ "findings", "SELECT finding_id, rule, category, severity, title, path, off, evidence, confidence"
			      " FROM findings WHERE scan_id = ?1 ORDER BY rowid", finding_cols },
	};
	for (size_t i = 0; i < sizeof parts / sizeof parts[0] && !rc; i++)
		rc = rows_json(s, j, parts[i].key, parts[i].sql, id, parts[i].cols, err, errlen);
	fv_json_obj_end(j);
	sqlite3_exec(s->db, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
	return rc;
}

static const struct fv_store_ops sqlite_ops = {
	.name = "sqlite",
	.close = sq_close,
	.record = sq_record,
	.list = sq_list,
	.show_json = sq_show_json,
};
