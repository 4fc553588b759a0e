/*
 * The SQLite driver of db.h: one file, in WAL mode so that readers never
 * wait for a scan being written, with a long busy timeout so that
 * concurrent scans into one file queue instead of failing.  The schema
 * version is PRAGMA user_version.
 */
#include "store/db.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"

#define BUSY_MS 30000

/* migrations[i] takes a store from version i to i + 1; never edit one that has shipped. */
static const char *const migrations[] = {
	/* 1: the first store.  Record tables have no id: SQLite's rowid is their order. */
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

	/* 2: analysis results by content, what a report and monitor need without unpacking,
	 * and the job queue. */
	"ALTER TABLE scans ADD COLUMN inputs TEXT;"
	"ALTER TABLE scans ADD COLUMN job_id INTEGER;"
	"ALTER TABLE files ADD COLUMN rdev INTEGER;"
	"CREATE UNIQUE INDEX scans_by_job ON scans(job_id);"
	"CREATE TABLE analyses(sha256 TEXT NOT NULL, analyzer TEXT NOT NULL, inputs TEXT NOT NULL,"
	" result TEXT NOT NULL, PRIMARY KEY(sha256, analyzer, inputs)) WITHOUT ROWID;"
	"CREATE TABLE copies(scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,"
	" name TEXT NOT NULL, title TEXT, version TEXT NOT NULL, cpe TEXT, purl TEXT, path TEXT NOT NULL,"
	" off INTEGER NOT NULL, evidence TEXT, method TEXT, detail TEXT);"
	"CREATE INDEX copies_by_scan ON copies(scan_id);"
	"CREATE TABLE binaries(scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,"
	" sha256 TEXT NOT NULL, record TEXT NOT NULL);"
	"CREATE INDEX binaries_by_scan ON binaries(scan_id);"
	"CREATE TABLE unsafe(scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,"
	" family TEXT NOT NULL, unsafe TEXT, bounded TEXT, unsafe_calls INTEGER NOT NULL,"
	" unsafe_binaries INTEGER NOT NULL, bounded_calls INTEGER NOT NULL, bounded_binaries INTEGER NOT NULL);"
	"CREATE INDEX unsafe_by_scan ON unsafe(scan_id);"
	"CREATE TABLE jobs(id INTEGER PRIMARY KEY AUTOINCREMENT, image_path TEXT NOT NULL,"
	" state TEXT NOT NULL, submitted TEXT NOT NULL, worker TEXT, lease_until INTEGER,"
	" attempts INTEGER NOT NULL, scan_id INTEGER, error TEXT, finished TEXT);"
	"CREATE INDEX jobs_by_state ON jobs(state, id);"
	"CREATE INDEX jobs_by_path ON jobs(image_path);",

	/* 3: which imported vulnerability data a scan used (signed reports name it). */
	"ALTER TABLE scans ADD COLUMN vulndb_sha256 TEXT;",
};

struct sq_db {
	struct fv_db base;
	sqlite3 *db;
};

struct sq_st {
	struct fv_dbst base;
	sqlite3_stmt *st;
};

static sqlite3 *handle(struct fv_db *db)
{
	return ((struct sq_db *)db)->db;
}

static sqlite3_stmt *stmt(struct fv_dbst *st)
{
	return ((struct sq_st *)st)->st;
}

static void sq_close(struct fv_db *db)
{
	if (!db)
		return;
	sqlite3_close(handle(db));
	free(db->name);
	free(db);
}

/* SQLITE_BUSY after the timeout is worth saying plainly; everything else is sqlite's own message. */
static int fail_rc(int rc)
{
	if (rc == SQLITE_NOMEM)
		return FV_ENOMEM;
	return FV_EIO;
}

static int sq_exec(struct fv_db *db, const char *sql)
{
	int rc = sqlite3_exec(handle(db), sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? FV_OK : fail_rc(rc);
}

static int sq_prepare(struct fv_db *db, const char *sql, struct fv_dbst **out)
{
	*out = NULL;
	struct sq_st *s = calloc(1, sizeof *s);
	if (!s)
		return FV_ENOMEM;
	s->base.db = db;
	int rc = sqlite3_prepare_v3(handle(db), sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL);
	if (rc != SQLITE_OK) {
		free(s);
		return fail_rc(rc);
	}
	*out = &s->base;
	return FV_OK;
}

static void sq_bind_text(struct fv_dbst *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(stmt(st), i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(stmt(st), i);
}

static void sq_bind_int(struct fv_dbst *st, int i, int64_t v)
{
	sqlite3_bind_int64(stmt(st), i, v);
}

static void sq_bind_double(struct fv_dbst *st, int i, double v)
{
	sqlite3_bind_double(stmt(st), i, v);
}

static void sq_bind_null(struct fv_dbst *st, int i)
{
	sqlite3_bind_null(stmt(st), i);
}

static int sq_step(struct fv_dbst *st)
{
	int rc = sqlite3_step(stmt(st));
	if (rc == SQLITE_ROW)
		return FV_DB_ROW;
	if (rc == SQLITE_DONE)
		return FV_DB_DONE;
	return fail_rc(rc);
}

static int sq_is_null(struct fv_dbst *st, int i)
{
	return sqlite3_column_type(stmt(st), i) == SQLITE_NULL;
}

static const char *sq_text(struct fv_dbst *st, int i)
{
	return (const char *)sqlite3_column_text(stmt(st), i);
}

static size_t sq_bytes(struct fv_dbst *st, int i)
{
	return (size_t)sqlite3_column_bytes(stmt(st), i);
}

static int64_t sq_integer(struct fv_dbst *st, int i)
{
	return sqlite3_column_int64(stmt(st), i);
}

static double sq_real(struct fv_dbst *st, int i)
{
	return sqlite3_column_double(stmt(st), i);
}

static void sq_reset(struct fv_dbst *st)
{
	sqlite3_reset(stmt(st));
	sqlite3_clear_bindings(stmt(st));
}

static void sq_finalize(struct fv_dbst *st)
{
	if (!st)
		return;
	sqlite3_finalize(stmt(st));
	free(st);
}

static const char *sq_errmsg(struct fv_db *db)
{
	return sqlite3_errmsg(handle(db));
}

static int sq_lock(struct fv_db *db)
{
	return sq_exec(db, "BEGIN IMMEDIATE");
}

static int sq_get_version(struct fv_db *db, int *ver)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(handle(db), "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*ver = sqlite3_column_int(st, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? FV_OK : fail_rc(rc);
}

static int sq_set_version(struct fv_db *db, int ver)
{
	char sql[40];
	snprintf(sql, sizeof sql, "PRAGMA user_version=%d", ver);
	return sq_exec(db, sql);
}

static const struct fv_db_ops sqlite_ops = {
	.dialect = "sqlite",
	.close = sq_close,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.bind_text = sq_bind_text,
	.bind_int = sq_bind_int,
	.bind_double = sq_bind_double,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.is_null = sq_is_null,
	.text = sq_text,
	.bytes = sq_bytes,
	.integer = sq_integer,
	.real = sq_real,
	.reset = sq_reset,
	.finalize = sq_finalize,
	.errmsg = sq_errmsg,
	.lock = sq_lock,
	.get_version = sq_get_version,
	.set_version = sq_set_version,
	.migrations = migrations,
	.nmigrations = (int)(sizeof migrations / sizeof migrations[0]),
	.begin_write = "BEGIN IMMEDIATE",
};

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

int fv_db_sqlite_open(const char *path, struct fv_db **out, char *err, size_t errlen)
{
	*out = NULL;
	struct sq_db *s = calloc(1, sizeof *s);
	if (!s || !(s->base.name = strdup(path))) {
		free(s);
		snprintf(err, errlen, "%s: out of memory", path);
		return FV_ENOMEM;
	}
	s->base.ops = &sqlite_ops;
	int rc = make_parent(path, err, errlen);
	if (rc)
		goto fail;
	/*
	 * Made private before SQLite makes it 0644: it holds password hashes (its
	 * -wal and -shm files take the same mode).  Only when it is new (O_EXCL):
	 * closing any descriptor of a file drops every POSIX lock this process
	 * holds on it, and a second connection of this process (a worker's lease
	 * thread) would so unlock the first, and let another process delete the
	 * WAL it writes into.  A failure here is left to sqlite3_open_v2 to report.
	 */
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
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
	/* A file that is not a database is found here, before anything writes to it. */
	int ver = 0;
	if (sq_get_version(&s->base, &ver)) {
		snprintf(err, errlen, "%s: expected a fwvet store (a SQLite database), found: %s", path,
			 sqlite3_errmsg(s->db));
		rc = FV_EFORMAT;
		goto fail;
	}
	/* A newer store is refused by the caller before anything writes to it, even the journal mode. */
	if (ver <= (int)(sizeof migrations / sizeof migrations[0]) &&
	    (sq_exec(&s->base, "PRAGMA journal_mode=WAL") || sq_exec(&s->base, "PRAGMA foreign_keys=ON"))) {
		snprintf(err, errlen, "%s: cannot set up the store: %s", path, sqlite3_errmsg(s->db));
		rc = FV_EIO;
		goto fail;
	}
	*out = &s->base;
	return FV_OK;
fail:
	sq_close(&s->base);
	return rc;
}
