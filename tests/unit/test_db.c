/*
 * The SQL driver interface (store/db.h) on both drivers, with the same
 * tests: SQLite on a temporary file always, PostgreSQL when FWVET_PG_URI
 * names a database to use (tests/integration/db_pg.sh starts a server and
 * sets it).  Each PostgreSQL test works in a schema of its own, made
 * afresh, so a database is never touched outside it.
 *
 * With FV_TEST_DB_LOST=DIR only the lost-connection test runs: it writes
 * DIR/ready once it is inside a transaction, waits for DIR/stopped (the
 * script stops the server in between) and expects clean errors.
 */
#include "testlib.h"

#include "core/err.h"
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct dbt {
	struct fv_db *db;
	char dir[256];
};

#define OPS(t) ((t)->db->ops)

static int setup_sqlite(void **state)
{
	struct dbt *t = calloc(1, sizeof *t);
	assert_non_null(t);
	fv_test_tmpdir(t->dir, sizeof t->dir, "db");
	char path[300], err[512];
	snprintf(path, sizeof path, "%s/t.db", t->dir);
	int rc = fv_db_sqlite_open(path, &t->db, err, sizeof err);
	if (rc)
		fail_msg("%s", err);
	*state = t;
	return 0;
}

static int setup_pg(void **state)
{
	struct dbt *t = calloc(1, sizeof *t);
	assert_non_null(t);
	char err[512];
	int rc = fv_db_pg_open(getenv("FWVET_PG_URI"), &t->db, err, sizeof err);
	if (rc)
		fail_msg("%s", err);
	rc = OPS(t)->exec(t->db, "DROP SCHEMA IF EXISTS fv_test_db CASCADE; CREATE SCHEMA fv_test_db;"
				 " SET search_path = fv_test_db");
	if (rc)
		fail_msg("%s", OPS(t)->errmsg(t->db));
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct dbt *t = *state;
	if (t->db)
		t->db->ops->close(t->db);
	if (t->dir[0])
		fv_test_rmtree(t->dir);
	free(t);
	return 0;
}

static int is_pg(const struct dbt *t)
{
	return !strcmp(OPS(t)->dialect, "postgresql");
}

static void exec_ok(struct dbt *t, const char *sql)
{
	if (OPS(t)->exec(t->db, sql))
		fail_msg("%s: %s", sql, OPS(t)->errmsg(t->db));
}

static struct fv_dbst *prep(struct dbt *t, const char *sql)
{
	struct fv_dbst *st = NULL;
	if (OPS(t)->prepare(t->db, sql, &st))
		fail_msg("%s: %s", sql, OPS(t)->errmsg(t->db));
	assert_non_null(st);
	return st;
}

static void step_is(struct dbt *t, struct fv_dbst *st, int want)
{
	int rc = OPS(t)->step(st);
	if (rc != want)
		fail_msg("step gave %d, expected %d (%s)", rc, want, rc < 0 ? OPS(t)->errmsg(t->db) : "");
}

/* A table of values, its rowid insertion order in both dialects. */
static void make_values(struct dbt *t)
{
	exec_ok(t, is_pg(t) ? "CREATE TABLE v(t TEXT, i BIGINT, d DOUBLE PRECISION,"
			      " rowid BIGINT GENERATED ALWAYS AS IDENTITY)"
			    : "CREATE TABLE v(t TEXT, i INTEGER, d REAL)");
}

static void test_exec_rows(void **state)
{
	struct dbt *t = *state;
	make_values(t);
	/* Several statements in one exec. */
	exec_ok(t, "INSERT INTO v(t, i) VALUES('one', 1); INSERT INTO v(t, i) VALUES('two', 2)");
	struct fv_dbst *st = prep(t, "SELECT t, i FROM v ORDER BY rowid");
	step_is(t, st, FV_DB_ROW);
	assert_string_equal(OPS(t)->text(st, 0), "one");
	assert_int_equal(OPS(t)->integer(st, 1), 1);
	step_is(t, st, FV_DB_ROW);
	assert_string_equal(OPS(t)->text(st, 0), "two");
	assert_int_equal(OPS(t)->integer(st, 1), 2);
	step_is(t, st, FV_DB_DONE);
	OPS(t)->finalize(st);
	/* A statement that returns nothing is done at once. */
	st = prep(t, "DELETE FROM v WHERE i = ?1");
	OPS(t)->bind_int(st, 1, 2);
	step_is(t, st, FV_DB_DONE);
	OPS(t)->finalize(st);
	st = prep(t, "SELECT count(*) FROM v");
	step_is(t, st, FV_DB_ROW);
	assert_int_equal(OPS(t)->integer(st, 0), 1);
	OPS(t)->finalize(st);
}

/* ?N inside a quoted literal is text, not a parameter; numbers may come in any order. */
static void test_params_in_literal(void **state)
{
	struct dbt *t = *state;
	make_values(t);
	struct fv_dbst *st = prep(t, "INSERT INTO v(i, t) VALUES(?2, ?1)");
	OPS(t)->bind_text(st, 1, "x");
	OPS(t)->bind_int(st, 2, 10);
	step_is(t, st, FV_DB_DONE);
	OPS(t)->finalize(st);
	st = prep(t, "SELECT 'it''s ?1 or ?', t, i FROM v WHERE t = ?1 AND i = ?2 AND '?' <> ?1");
	OPS(t)->bind_text(st, 1, "x");
	OPS(t)->bind_int(st, 2, 10);
	step_is(t, st, FV_DB_ROW);
	assert_string_equal(OPS(t)->text(st, 0), "it's ?1 or ?");
	assert_string_equal(OPS(t)->text(st, 1), "x");
	assert_int_equal(OPS(t)->integer(st, 2), 10);
	step_is(t, st, FV_DB_DONE);
	OPS(t)->finalize(st);
}

static void test_integers(void **state)
{
	struct dbt *t = *state;
	make_values(t);
	const int64_t want[] = {INT64_MIN, INT64_MAX, 0, -1, 4294967296};
	const char *text[] = {"-9223372036854775808", "9223372036854775807", "0", "-1", "4294967296"};
	struct fv_dbst *st = prep(t, "INSERT INTO v(i) VALUES(?1)");
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
		OPS(t)->bind_int(st, 1, want[k]);
		step_is(t, st, FV_DB_DONE);
		OPS(t)->reset(st);
	}
	OPS(t)->finalize(st);
	st = prep(t, "SELECT i FROM v WHERE i = ?1");
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
		OPS(t)->bind_int(st, 1, want[k]);
		step_is(t, st, FV_DB_ROW);
		assert_false(OPS(t)->is_null(st, 0));
		assert_true(OPS(t)->integer(st, 0) == want[k]);
		assert_string_equal(OPS(t)->text(st, 0), text[k]);
		step_is(t, st, FV_DB_DONE);
		OPS(t)->reset(st);
	}
	OPS(t)->finalize(st);
	/* A text column holding digits reads as an integer too. */
	exec_ok(t, "INSERT INTO v(t) VALUES('-42')");
	st = prep(t, "SELECT t FROM v WHERE t IS NOT NULL");
	step_is(t, st, FV_DB_ROW);
	assert_int_equal(OPS(t)->integer(st, 0), -42);
	OPS(t)->finalize(st);
}

static void test_doubles(void **state)
{
	struct dbt *t = *state;
	make_values(t);
	const double want[] = {0.1, -2.5e-300, 1e300, 7.5, 1.0 / 3.0};
	struct fv_dbst *st = prep(t, "INSERT INTO v(i, d) VALUES(?1, ?2)");
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
		OPS(t)->bind_int(st, 1, (int64_t)k);
		OPS(t)->bind_double(st, 2, want[k]);
		step_is(t, st, FV_DB_DONE);
		OPS(t)->reset(st);
	}
	OPS(t)->finalize(st);
	st = prep(t, "SELECT d FROM v ORDER BY i");
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
		step_is(t, st, FV_DB_ROW);
		/* Exactly: %.17g and the server's shortest form both round-trip. */
		assert_true(OPS(t)->real(st, 0) == want[k]);
	}
	step_is(t, st, FV_DB_DONE);
	OPS(t)->finalize(st);
}

static void test_nulls(void **state)
{
	struct dbt *t = *state;
	make_values(t);
	struct fv_dbst *st = prep(t, "INSERT INTO v(t, i, d) VALUES(?1, ?2, ?3)");
	OPS(t)->bind_text(st, 1, NULL);
	OPS(t)->bind_null(st, 2);
	OPS(t)->bind_null(st, 3);
	step_is(t, st, FV_DB_DONE);
	OPS(t)->finalize(st);
	st = prep(t, "SELECT t, i, d, 'x' FROM v");
	step_is(t, st, FV_DB_ROW);
	for (int c = 0; c < 3; c++) {
		assert_true(OPS(t)->is_null(st, c));
		assert_null(OPS(t)->text(st, c));
		assert_int_equal(OPS(t)->bytes(st, c), 0);
		assert_int_equal(OPS(t)->integer(st, c), 0);
	}
	assert_false(OPS(t)->is_null(st, 3));
	step_is(t, st, FV_DB_DONE);
	OPS(t)->finalize(st);
}

/* reset clears the bindings and the rows read so far; the statement runs again. */
static void test_reset_rebind(void **state)
{
	struct dbt *t = *state;
	make_values(t);
	struct fv_dbst *ins = prep(t, "INSERT INTO v(t, i) VALUES(?1, ?2)");
	for (int k = 0; k < 6; k++) {
		char s[16];
		snprintf(s, sizeof s, "r%d", k);
		OPS(t)->bind_text(ins, 1, s);
		OPS(t)->bind_int(ins, 2, k % 2);
		step_is(t, ins, FV_DB_DONE);
		OPS(t)->reset(ins);
	}
	/* Unbound after reset: NULL. */
	step_is(t, ins, FV_DB_DONE);
	OPS(t)->finalize(ins);
	struct fv_dbst *st = prep(t, "SELECT t FROM v WHERE i = ?1 ORDER BY rowid");
	OPS(t)->bind_int(st, 1, 0);
	step_is(t, st, FV_DB_ROW);
	assert_string_equal(OPS(t)->text(st, 0), "r0");
	/* Left half read. */
	OPS(t)->reset(st);
	OPS(t)->bind_int(st, 1, 1);
	const char *odd[] = {"r1", "r3", "r5"};
	for (int k = 0; k < 3; k++) {
		step_is(t, st, FV_DB_ROW);
		assert_string_equal(OPS(t)->text(st, 0), odd[k]);
	}
	step_is(t, st, FV_DB_DONE);
	OPS(t)->finalize(st);
	st = prep(t, "SELECT count(*) FROM v WHERE t IS NULL AND i IS NULL");
	step_is(t, st, FV_DB_ROW);
	assert_int_equal(OPS(t)->integer(st, 0), 1);
	OPS(t)->finalize(st);
}

static void test_utf8_quotes(void **state)
{
	struct dbt *t = *state;
	make_values(t);
	const char *want[] = {"Grüße aus Köln — 日本語 ✓", "O'Brien said \"hi\" \\ ?1 ''", "", "tab\there\nnewline"};
	struct fv_dbst *st = prep(t, "INSERT INTO v(t) VALUES(?1)");
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
		OPS(t)->bind_text(st, 1, want[k]);
		step_is(t, st, FV_DB_DONE);
		OPS(t)->reset(st);
	}
	OPS(t)->finalize(st);
	st = prep(t, "SELECT t FROM v ORDER BY rowid");
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
		step_is(t, st, FV_DB_ROW);
		assert_string_equal(OPS(t)->text(st, 0), want[k]);
		assert_int_equal(OPS(t)->bytes(st, 0), strlen(want[k]));
	}
	step_is(t, st, FV_DB_DONE);
	OPS(t)->finalize(st);
	/* The same value found by equality: the bytes arrived unchanged. */
	st = prep(t, "SELECT count(*) FROM v WHERE t = ?1");
	OPS(t)->bind_text(st, 1, want[1]);
	step_is(t, st, FV_DB_ROW);
	assert_int_equal(OPS(t)->integer(st, 0), 1);
	OPS(t)->finalize(st);
}

static void assert_msg(struct dbt *t, const char *needle)
{
	const char *m = OPS(t)->errmsg(t->db);
	assert_non_null(m);
	if (!*m || (needle && !strstr(m, needle)))
		fail_msg("expected a message naming [%s], got [%s]", needle ? needle : "", m);
}

static void test_errors(void **state)
{
	struct dbt *t = *state;
	struct fv_dbst *st = NULL;
	assert_int_equal(OPS(t)->prepare(t->db, "SELEC nothing FROM", &st), FV_EIO);
	assert_null(st);
	assert_msg(t, NULL);
	assert_int_equal(OPS(t)->exec(t->db, "CREATE TABLE broken("), FV_EIO);
	assert_msg(t, NULL);
	assert_int_equal(OPS(t)->prepare(t->db, "SELECT x FROM no_such_table", &st), FV_EIO);
	assert_msg(t, "no_such_table");
	exec_ok(t, "CREATE TABLE uniq_things(k BIGINT PRIMARY KEY)");
	st = prep(t, "INSERT INTO uniq_things(k) VALUES(?1)");
	OPS(t)->bind_int(st, 1, 5);
	step_is(t, st, FV_DB_DONE);
	OPS(t)->reset(st);
	OPS(t)->bind_int(st, 1, 5);
	assert_int_equal(OPS(t)->step(st), FV_EIO);
	assert_msg(t, "uniq_things");
	printf("# %s: %s\n", OPS(t)->dialect, OPS(t)->errmsg(t->db));
	OPS(t)->reset(st);
	/* The connection is still usable after the failure. */
	OPS(t)->bind_int(st, 1, 6);
	step_is(t, st, FV_DB_DONE);
	OPS(t)->finalize(st);
	st = prep(t, "SELECT count(*) FROM uniq_things");
	step_is(t, st, FV_DB_ROW);
	assert_int_equal(OPS(t)->integer(st, 0), 2);
	OPS(t)->finalize(st);
}

static int version(struct dbt *t)
{
	int v = -1;
	if (OPS(t)->get_version(t->db, &v))
		fail_msg("get_version: %s", OPS(t)->errmsg(t->db));
	return v;
}

static void test_version(void **state)
{
	struct dbt *t = *state;
	assert_int_equal(version(t), 0);
	if (OPS(t)->lock(t->db))
		fail_msg("lock: %s", OPS(t)->errmsg(t->db));
	assert_int_equal(version(t), 0);
	assert_int_equal(OPS(t)->set_version(t->db, 7), FV_OK);
	assert_int_equal(version(t), 7);
	exec_ok(t, "COMMIT");
	assert_int_equal(version(t), 7);
	/* A rolled-back change of version is undone. */
	assert_int_equal(OPS(t)->lock(t->db), FV_OK);
	assert_int_equal(OPS(t)->set_version(t->db, 3), FV_OK);
	exec_ok(t, "ROLLBACK");
	assert_int_equal(version(t), 7);
	assert_int_equal(OPS(t)->set_version(t->db, 2), FV_OK);
	assert_int_equal(version(t), 2);
}

static int64_t one_int(struct dbt *t, const char *sql)
{
	struct fv_dbst *st = prep(t, sql);
	step_is(t, st, FV_DB_ROW);
	int64_t v = OPS(t)->integer(st, 0);
	OPS(t)->finalize(st);
	return v;
}

static void test_migrations(void **state)
{
	struct dbt *t = *state;
	assert_int_equal(OPS(t)->nmigrations, 3);
	assert_int_equal(OPS(t)->lock(t->db), FV_OK);
	assert_int_equal(version(t), 0);
	for (int i = 0; i < OPS(t)->nmigrations; i++) {
		exec_ok(t, OPS(t)->migrations[i]);
		assert_int_equal(OPS(t)->set_version(t->db, i + 1), FV_OK);
	}
	exec_ok(t, "COMMIT");
	assert_int_equal(version(t), 3);
	exec_ok(t, OPS(t)->begin_write);
	if (!is_pg(t))
		exec_ok(t, "PRAGMA foreign_keys=ON");
	/* Every table of version 3 takes a row as the shared SQL writes it. */
	struct fv_dbst *st = prep(t, "INSERT INTO images(sha256, size) VALUES(?1, ?2) RETURNING id");
	OPS(t)->bind_text(st, 1, "aa");
	OPS(t)->bind_int(st, 2, INT64_MAX);
	step_is(t, st, FV_DB_ROW);
	int64_t image = OPS(t)->integer(st, 0);
	OPS(t)->finalize(st);
	st = prep(t, "INSERT INTO scans(image_id, image_path, started, elapsed_ms, tool_version, inputs, job_id,"
		     " vulndb_sha256) VALUES(?1, 'fw.bin', '2026-11-29T00:00:00Z', 5, '0.1.0', '{}', 77, 'cc') RETURNING id");
	OPS(t)->bind_int(st, 1, image);
	step_is(t, st, FV_DB_ROW);
	int64_t scan = OPS(t)->integer(st, 0);
	OPS(t)->finalize(st);
	char sql[1024];
	const char *rows[] = {
		"INSERT INTO contents(sha256, size, kind) VALUES('bb', 4294967296, 'elf')",
		"INSERT INTO files(scan_id, path, type, mode, uid, gid, size, sha256) VALUES(%lld, '/bin/sh', 'file', 493, 0, 0, 1, 'bb')",
		"INSERT INTO entries(scan_id, path, format, off, size, status, description) VALUES(%lld, 'x', 'squashfs', 0, 1, 'ok', 'd')",
		"INSERT INTO accounts(scan_id, path, name, uid, gid) VALUES(%lld, '/etc/passwd', 'root', 0, 0)",
		"INSERT INTO services(scan_id, path, line, how, program) VALUES(%lld, '/etc/inittab', 3, 'inittab', 'telnetd')",
		"INSERT INTO endpoints(scan_id, value, kind, path, off, outside) VALUES(%lld, '10.0.0.1', 'ipv4', '/a', 4, 0)",
		"INSERT INTO components(scan_id, name, version, eol, paths) VALUES(%lld, 'busybox', '1.36.1', 0, '[]')",
		"INSERT INTO vulnerabilities(scan_id, vuln_id, component, version, severity, cvss, kev, paths)"
		" VALUES(%lld, 'CVE-2022-48174', 'busybox', '1.35.0', 'critical', 9.8, 0, '[]')",
		"INSERT INTO findings(scan_id, finding_id, rule, category, severity, confidence, title, path, off)"
		" VALUES(%lld, 'f1', 'r', 'c', 'high', 'high', 't', '/p', 0)",
		"INSERT INTO analyses(sha256, analyzer, inputs, result) VALUES('bb', 'binary', 'i', '{}')",
		"INSERT INTO copies(scan_id, name, version, path, off) VALUES(%lld, 'zlib', '1.2.11', '/lib/libz.so', 0)",
		"INSERT INTO binaries(scan_id, sha256, record) VALUES(%lld, 'bb', '{}')",
		"INSERT INTO unsafe(scan_id, family, unsafe_calls, unsafe_binaries, bounded_calls, bounded_binaries)"
		" VALUES(%lld, 'strcpy', 3, 1, 2, 1)",
		"INSERT INTO jobs(image_path, state, submitted, attempts) VALUES('fw.bin', 'queued', 'now', 0)",
	};
	for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
		snprintf(sql, sizeof sql, rows[k], (long long)scan);
		exec_ok(t, sql);
	}
	exec_ok(t, "COMMIT");
	assert_int_equal(one_int(t, "SELECT count(*) FROM jobs WHERE state = 'queued'"), 1);
	assert_true(one_int(t, "SELECT size FROM contents") == 4294967296);
	assert_true(one_int(t, "SELECT size FROM images") == INT64_MAX);
	/* job_id is unique. */
	snprintf(sql, sizeof sql, "INSERT INTO scans(image_id, image_path, started, elapsed_ms, tool_version, job_id)"
				  " VALUES(%lld, 'b', 's', 1, 'v', 77)", (long long)image);
	assert_int_equal(OPS(t)->exec(t->db, sql), FV_EIO);
	/* Deleting a scan deletes its records. */
	snprintf(sql, sizeof sql, "DELETE FROM scans WHERE id = %lld", (long long)scan);
	exec_ok(t, sql);
	assert_int_equal(one_int(t, "SELECT count(*) FROM files"), 0);
	assert_int_equal(one_int(t, "SELECT count(*) FROM unsafe"), 0);
	assert_int_equal(one_int(t, "SELECT count(*) FROM copies"), 0);
	assert_int_equal(one_int(t, "SELECT count(*) FROM contents"), 1);
}

/* ORDER BY rowid is the order rows went in, whatever their values. */
static void test_rowid_order(void **state)
{
	struct dbt *t = *state;
	make_values(t);
	struct fv_dbst *st = prep(t, "INSERT INTO v(i, t) VALUES(?1, ?2)");
	int64_t vals[40];
	for (int k = 0; k < 40; k++) {
		vals[k] = (k * 7919) % 41;
		OPS(t)->bind_int(st, 1, vals[k]);
		OPS(t)->bind_text(st, 2, k % 2 ? "b" : "a");
		step_is(t, st, FV_DB_DONE);
		OPS(t)->reset(st);
	}
	OPS(t)->finalize(st);
	/* Updates do not move a row. */
	exec_ok(t, "UPDATE v SET t = 'c' WHERE i < 20");
	st = prep(t, "SELECT i FROM v ORDER BY rowid");
	for (int k = 0; k < 40; k++) {
		step_is(t, st, FV_DB_ROW);
		assert_int_equal(OPS(t)->integer(st, 0), vals[k]);
	}
	step_is(t, st, FV_DB_DONE);
	OPS(t)->finalize(st);
}

/*
 * Of two connections taking the migration lock, the second waits until the
 * first commits, and then reads the version the first wrote.  The first
 * commits only once the server shows the second waiting for the lock.
 */
static void test_lock_waits(void **state)
{
	struct dbt *t = *state;
	assert_int_equal(OPS(t)->lock(t->db), FV_OK);
	assert_int_equal(OPS(t)->set_version(t->db, 1), FV_OK);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct fv_db *b;
		char err[512];
		if (fv_db_pg_open(getenv("FWVET_PG_URI"), &b, err, sizeof err))
			_exit(100);
		int v = -1;
		if (b->ops->exec(b, "SET search_path = fv_test_db") || b->ops->lock(b) ||
		    b->ops->get_version(b, &v) || b->ops->exec(b, "COMMIT"))
			_exit(101);
		b->ops->close(b);
		_exit(v);
	}
	/* pg_locks splits the lock's key (db_pg.c) into two halves. */
	int64_t waiting = 0;
	for (int k = 0; k < 400 && !waiting; k++) {
		waiting = one_int(t, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
				     " AND classid::bigint = 440090912116 >> 32"
				     " AND objid::bigint = 440090912116 & 4294967295 AND NOT granted");
		if (!waiting)
			usleep(50000);
	}
	exec_ok(t, "COMMIT");
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(waiting, 1);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
}

/* ---- the server goes away (run by tests/integration/db_pg.sh) ------------------------- */

static void test_lost(void **state)
{
	struct dbt *t = *state;
	const char *dir = getenv("FV_TEST_DB_LOST");
	char ready[300], stopped[300];
	snprintf(ready, sizeof ready, "%s/ready", dir);
	snprintf(stopped, sizeof stopped, "%s/stopped", dir);
	make_values(t);
	struct fv_dbst *st = prep(t, "INSERT INTO v(i) VALUES(?1)");
	exec_ok(t, OPS(t)->begin_write);
	OPS(t)->bind_int(st, 1, 1);
	step_is(t, st, FV_DB_DONE);
	OPS(t)->reset(st);
	fv_test_put(NULL, ready, "1\n");
	struct stat sb;
	/* Bounded: the script stops the server within seconds, or has failed. */
	for (int k = 0; k < 600 && stat(stopped, &sb); k++)
		usleep(100000);
	assert_int_equal(stat(stopped, &sb), 0);
	OPS(t)->bind_int(st, 1, 2);
	assert_int_equal(OPS(t)->step(st), FV_EIO);
	assert_msg(t, "the connection to the store was lost");
	printf("# step: %s\n", OPS(t)->errmsg(t->db));
	assert_int_equal(OPS(t)->exec(t->db, "COMMIT"), FV_EIO);
	assert_msg(t, "the connection to the store was lost");
	struct fv_dbst *st2 = NULL;
	assert_int_equal(OPS(t)->prepare(t->db, "SELECT 1", &st2), FV_EIO);
	assert_null(st2);
	assert_msg(t, "the connection to the store was lost");
	int v;
	assert_int_equal(OPS(t)->get_version(t->db, &v), FV_EIO);
	OPS(t)->finalize(st);
}

/* ---- opening -------------------------------------------------------------------------- */

/* A refused connection names the URI without its password, and never the password. */
static void test_pg_refused(void **state)
{
	(void)state;
	const char *uris[] = {
		"postgresql://fv:s3cret-pw@/nodb?host=/nonexistent-fv-socket&port=1",
		"postgresql://fv@/nodb?host=/nonexistent-fv-socket&password=s3cret-pw&port=1",
		"host=/nonexistent-fv-socket port=1 user=fv password='s3cret-pw' dbname=nodb",
	};
	const char *names[] = {
		"postgresql://fv@/nodb?host=/nonexistent-fv-socket&port=1",
		"postgresql://fv@/nodb?host=/nonexistent-fv-socket&port=1",
		"host=/nonexistent-fv-socket port=1 user=fv dbname=nodb",
	};
	for (size_t k = 0; k < sizeof uris / sizeof uris[0]; k++) {
		char err[1024] = "";
		struct fv_db *db = (struct fv_db *)1;
		assert_int_equal(fv_db_pg_open(uris[k], &db, err, sizeof err), FV_EIO);
		assert_null(db);
		assert_null(strstr(err, "s3cret"));
		char want[512];
		snprintf(want, sizeof want, "%s: cannot connect to the PostgreSQL store: ", names[k]);
		if (strncmp(err, want, strlen(want)))
			fail_msg("expected [%s...], got [%s]", want, err);
	}
}

#define DB_TESTS(setup)                                                     \
	cmocka_unit_test_setup_teardown(test_exec_rows, setup, teardown),         \
	cmocka_unit_test_setup_teardown(test_params_in_literal, setup, teardown), \
	cmocka_unit_test_setup_teardown(test_integers, setup, teardown),          \
	cmocka_unit_test_setup_teardown(test_doubles, setup, teardown),           \
	cmocka_unit_test_setup_teardown(test_nulls, setup, teardown),             \
	cmocka_unit_test_setup_teardown(test_reset_rebind, setup, teardown),      \
	cmocka_unit_test_setup_teardown(test_utf8_quotes, setup, teardown),       \
	cmocka_unit_test_setup_teardown(test_errors, setup, teardown),            \
	cmocka_unit_test_setup_teardown(test_version, setup, teardown),           \
	cmocka_unit_test_setup_teardown(test_migrations, setup, teardown),        \
	cmocka_unit_test_setup_teardown(test_rowid_order, setup, teardown)

int main(void)
{
	const struct CMUnitTest lost[] = {
		cmocka_unit_test_setup_teardown(test_lost, setup_pg, teardown),
	};
	if (getenv("FV_TEST_DB_LOST"))
		return cmocka_run_group_tests_name("lost", lost, NULL, NULL);
	const struct CMUnitTest sqlite[] = {
		DB_TESTS(setup_sqlite),
	};
	const struct CMUnitTest open[] = {
		cmocka_unit_test(test_pg_refused),
	};
	int rc = cmocka_run_group_tests_name("sqlite", sqlite, NULL, NULL);
	rc |= cmocka_run_group_tests_name("pg_open", open, NULL, NULL);
	const char *uri = getenv("FWVET_PG_URI");
	if (!uri || !*uri) {
		printf("# postgresql: FWVET_PG_URI is not set; tests/integration/db_pg.sh runs these with a server\n");
		return rc;
	}
	const struct CMUnitTest pg[] = {
		DB_TESTS(setup_pg),
		cmocka_unit_test_setup_teardown(test_lock_waits, setup_pg, teardown),
	};
	printf("# postgresql: the driver tests on FWVET_PG_URI\n");
	fflush(stdout);
	return rc | cmocka_run_group_tests_name("postgresql", pg, NULL, NULL);
}
