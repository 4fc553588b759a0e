/*
 * The vulnerability database (vulndb.h): the SQLite file that `fwvet vulndb
 * import` fills, the curated rules beside it, and matching a component
 * version against both.
 *
 * Schema (PRAGMA user_version 1), made by the first import:
 *   vulns(source, id, summary, cvss, severity, published, modified, aliases)
 *       source "nvd" or "osv"; one row per (source, id)
 *   ranges(source, id, key, start, start_incl, end, end_incl, exact)
 *       key: the CPE "vendor:product" (nvd) or the lowercased package name (osv)
 *   kev(id, date_added, name)
 *   imports(sha256, file, format, imported, data_date)
 * A scan opens the file read-only, so a scan never changes what was imported.
 */
#include "vuln/vulndb.h"
#include "vuln/vulndb_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "core/err.h"
#include "core/hash.h"
#include "core/map.h"

#define SCHEMA_VERSION 1
/* A decompressed feed larger than this is refused (a yearly NVD feed is ~100 MiB). */
#define MAX_FEED_BYTES (1024ull * 1024 * 1024)

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS vulns(source TEXT NOT NULL, id TEXT NOT NULL,"
	" summary TEXT NOT NULL, cvss REAL, severity TEXT NOT NULL, published TEXT,"
	" modified TEXT NOT NULL, aliases TEXT NOT NULL, PRIMARY KEY(source, id));"
	"CREATE TABLE IF NOT EXISTS ranges(source TEXT NOT NULL, id TEXT NOT NULL, key TEXT NOT NULL,"
	" start TEXT, start_incl INTEGER NOT NULL, end TEXT, end_incl INTEGER NOT NULL, exact TEXT);"
	"CREATE INDEX IF NOT EXISTS ranges_by_key ON ranges(key, source);"
	"CREATE INDEX IF NOT EXISTS ranges_by_id ON ranges(source, id);"
	"CREATE TABLE IF NOT EXISTS kev(id TEXT PRIMARY KEY, date_added TEXT NOT NULL, name TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS imports(sha256 TEXT PRIMARY KEY, file TEXT NOT NULL,"
	" format TEXT NOT NULL, imported TEXT NOT NULL, data_date TEXT);";

/* ---- shared by the importers ------------------------------------------------------ */

int fv_vi_fail(struct fv_vimport *im, size_t recno, const char *id, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	char where[160] = "";
	if (im->member)
		snprintf(where, sizeof where, " member %.120s:", im->member);
	if (recno && id)
		snprintf(im->err, im->errlen, "%s:%s record %zu (%.80s): %s", im->file, where, recno, id, msg);
	else if (recno)
		snprintf(im->err, im->errlen, "%s:%s record %zu: %s", im->file, where, recno, msg);
	else
		snprintf(im->err, im->errlen, "%s:%s %s", im->file, where, msg);
	return FV_EFORMAT;
}

const char *fv_vi_found(const json_t *v, char *buf, size_t n)
{
	if (!v)
		return "nothing";
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_TRUE: return "true";
	case JSON_FALSE: return "false";
	case JSON_NULL: return "null";
	case JSON_INTEGER:
		snprintf(buf, n, "the number %lld", (long long)json_integer_value(v));
		return buf;
	case JSON_REAL:
		snprintf(buf, n, "the number %g", json_real_value(v));
		return buf;
	case JSON_STRING: {
		/* Quoted and cut, control bytes shown as '?', so a hostile value cannot garble the message. */
		const char *s = json_string_value(v);
		size_t k = 0, len = json_string_length(v);
		if (n < 8)
			return "a string";
		buf[k++] = '"';
		for (size_t i = 0; i < len && k + 5 < n && i < 60; i++)
			buf[k++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
		if (len > 60 && k + 5 < n) {
			memcpy(buf + k, "...", 3);
			k += 3;
		}
		buf[k++] = '"';
		buf[k] = 0;
		return buf;
	}
	}
	return "something else";
}

int fv_vi_bad(const struct fv_vi_rec *r, const char *what, const json_t *found)
{
	char buf[96];
	return fv_vi_fail(r->im, r->no, r->id, "expected %s, found %s", what, fv_vi_found(found, buf, sizeof buf));
}

int fv_vi_opt_str(const struct fv_vi_rec *r, const json_t *obj, const char *key, const char *what,
		  const char **out)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v)
		return FV_OK;
	if (!json_is_string(v))
		return fv_vi_bad(r, what, v);
	*out = json_string_value(v);
	return FV_OK;
}

int fv_vi_token_ok(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if ((unsigned char)s[n] <= 0x20 || s[n] == 0x7f || n >= FV_VULN_FIELD_MAX)
			return 0;
	return n > 0;
}

static void text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static int sql_fail(struct fv_vimport *im, const char *what)
{
	snprintf(im->err, im->errlen, "%s: %s: %s", im->file, what, sqlite3_errmsg(im->db));
	return FV_EIO;
}

/* s cut to FV_VULN_SUMMARY_MAX bytes, at a UTF-8 boundary; into buf. */
static const char *cut(const char *s, char *buf)
{
	size_t n = strlen(s);
	if (n < FV_VULN_SUMMARY_MAX)
		return s;
	n = FV_VULN_SUMMARY_MAX - 1;
	while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(buf, s, n);
	buf[n] = 0;
	return buf;
}

static void note_date(struct fv_vimport *im, const char *d)
{
	if (d && strlen(d) >= 10 && strncmp(d, im->data_date, 10) > 0)
		snprintf(im->data_date, sizeof im->data_date, "%.10s", d);
}

int fv_vi_vuln(struct fv_vimport *im, const char *source, const char *id, const char *summary,
	       double cvss, const char *published, const char *modified, const char *aliases)
{
	char buf[FV_VULN_SUMMARY_MAX];
	im->st->records++;
	im->write = 0;
	note_date(im, modified);
	sqlite3_stmt *g = im->get_vuln;
	sqlite3_reset(g);
	sqlite3_bind_text(g, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(g, 2, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(g);
	int exists = rc == SQLITE_ROW;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(im, "reading the database");
	if (exists) {
		const char *old = (const char *)sqlite3_column_text(g, 0);
		/* Only a newer record replaces a stored one: an old feed never undoes a new one. */
		if (old && strcmp(modified, old) <= 0) {
			sqlite3_reset(g);
			im->st->unchanged++;
			return FV_OK;
		}
	}
	sqlite3_reset(g);
	sqlite3_stmt *p = im->put_vuln;
	sqlite3_reset(p);
	sqlite3_bind_text(p, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(p, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(p, 3, cut(summary ? summary : "", buf), -1, SQLITE_TRANSIENT);
	if (cvss >= 0)
		sqlite3_bind_double(p, 4, cvss);
	else
		sqlite3_bind_null(p, 4);
	sqlite3_bind_text(p, 5, fv_cvss_severity(cvss), -1, SQLITE_STATIC);
	text_or_null(p, 6, published);
	sqlite3_bind_text(p, 7, modified, -1, SQLITE_STATIC);
	sqlite3_bind_text(p, 8, aliases ? aliases : "", -1, SQLITE_TRANSIENT);
	if (sqlite3_step(p) != SQLITE_DONE)
		return sql_fail(im, "writing the database");
	if (exists) {
		sqlite3_stmt *d = im->del_ranges;
		sqlite3_reset(d);
		sqlite3_bind_text(d, 1, source, -1, SQLITE_STATIC);
		sqlite3_bind_text(d, 2, id, -1, SQLITE_STATIC);
		if (sqlite3_step(d) != SQLITE_DONE)
			return sql_fail(im, "writing the database");
		im->st->changed++;
	} else {
		im->st->added++;
	}
	im->write = 1;
	return FV_OK;
}

int fv_vi_range(struct fv_vimport *im, const char *source, const char *id, const char *key,
		const struct fv_vrange *r)
{
	if (!im->write)
		return FV_OK;
	char low[FV_VULN_FIELD_MAX * 2 + 2];
	size_t i = 0;
	for (; key[i] && i + 1 < sizeof low; i++)
		low[i] = (char)tolower((unsigned char)key[i]);
	low[i] = 0;
	sqlite3_stmt *p = im->put_range;
	sqlite3_reset(p);
	sqlite3_bind_text(p, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(p, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(p, 3, low, -1, SQLITE_TRANSIENT);
	text_or_null(p, 4, r->start);
	sqlite3_bind_int(p, 5, r->start_incl);
	text_or_null(p, 6, r->end);
	sqlite3_bind_int(p, 7, r->end_incl);
	text_or_null(p, 8, r->exact);
	if (sqlite3_step(p) != SQLITE_DONE)
		return sql_fail(im, "writing the database");
	return FV_OK;
}

int fv_vi_kev(struct fv_vimport *im, const char *id, const char *date_added, const char *name)
{
	im->st->records++;
	sqlite3_stmt *g = im->get_kev;
	sqlite3_reset(g);
	sqlite3_bind_text(g, 1, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(g);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(im, "reading the database");
	int exists = rc == SQLITE_ROW;
	if (exists && !strcmp((const char *)sqlite3_column_text(g, 0), date_added) &&
	    !strcmp((const char *)sqlite3_column_text(g, 1), name)) {
		sqlite3_reset(g);
		im->st->unchanged++;
		return FV_OK;
	}
	sqlite3_reset(g);
	sqlite3_stmt *p = im->put_kev;
	sqlite3_reset(p);
	sqlite3_bind_text(p, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(p, 2, date_added, -1, SQLITE_STATIC);
	sqlite3_bind_text(p, 3, name, -1, SQLITE_STATIC);
	if (sqlite3_step(p) != SQLITE_DONE)
		return sql_fail(im, "writing the database");
	if (exists)
		im->st->changed++;
	else
		im->st->added++;
	return FV_OK;
}

/* ---- opening the file ------------------------------------------------------------ */

/*
 * Opens path with flags (what names it in the message) and reads its schema
 * version into *ver: -1 when that cannot be read (the file is no database).
 */
static int db_open(const char *path, int flags, const char *what, sqlite3 **out, int *ver, char *err,
		   size_t errlen)
{
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open the %s: %s", path, what,
			 db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return FV_EIO;
	}
	sqlite3_busy_timeout(db, 10000);
	sqlite3_stmt *st = NULL;
	*ver = -1;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		*ver = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	*out = db;
	return FV_OK;
}

/* Closes db, whose schema version ver is not one this build reads; found: what a readable ver is. */
static int db_version_fail(sqlite3 *db, const char *path, int ver, const char *found, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: expected a fwvet vulnerability database of version %d, found %s",
		 path, SCHEMA_VERSION, ver < 0 ? sqlite3_errmsg(db) : found);
	sqlite3_close(db);
	return FV_EFORMAT;
}

static int db_open_rw(const char *path, sqlite3 **out, char *err, size_t errlen)
{
	sqlite3 *db;
	int ver;
	int rc = db_open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "database", &db, &ver, err, errlen);
	if (rc)
		return rc;
	if (ver < 0 || ver > SCHEMA_VERSION)
		return db_version_fail(db, path, ver, "a newer one", err, errlen);
	char *msg = NULL;
	if (sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, &msg) != SQLITE_OK ||
	    (ver == 0 && sqlite3_exec(db, "BEGIN IMMEDIATE;", NULL, NULL, &msg) != SQLITE_OK) ||
	    (ver == 0 && (sqlite3_exec(db, schema, NULL, NULL, &msg) != SQLITE_OK ||
			  sqlite3_exec(db, "PRAGMA user_version=1; COMMIT;", NULL, NULL, &msg) != SQLITE_OK))) {
		snprintf(err, errlen, "%s: cannot set up the database: %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		sqlite3_close(db);
		return FV_EIO;
	}
	*out = db;
	return FV_OK;
}

/* ---- reading a feed -------------------------------------------------------------- */

struct gzsrc {
	gzFile gz;
	unsigned long long total;
	int failed;
};

/* Plain JSON and gzip read alike: zlib passes bytes that are not gzip through. */
static size_t gz_read(void *buf, size_t n, void *arg)
{
	struct gzsrc *s = arg;
	if (n > 1u << 30)
		n = 1u << 30;
	int k = gzread(s->gz, buf, (unsigned)n);
	if (k < 0 || (s->total += (unsigned)k) > MAX_FEED_BYTES) {
		s->failed = 1;
		return (size_t)-1;
	}
	return (size_t)k;
}

static json_t *load_json(const char *path, char *err, size_t errlen)
{
	struct gzsrc s = { gzopen(path, "rb"), 0, 0 };
	if (!s.gz) {
		snprintf(err, errlen, "%s: cannot read it: %s", path, strerror(errno));
		return NULL;
	}
	gzbuffer(s.gz, 1 << 17);
	json_error_t je;
	json_t *root = json_load_callback(gz_read, &s, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		int zerr = 0;
		const char *zmsg = gzerror(s.gz, &zerr);
		if (s.failed && s.total > MAX_FEED_BYTES)
			snprintf(err, errlen, "%s: expected at most %llu bytes of JSON, found more", path,
				 MAX_FEED_BYTES);
		else if (s.failed)
			snprintf(err, errlen, "%s: expected a gzip stream, found damage: %s", path,
				 zerr ? zmsg : "read error");
		else
			snprintf(err, errlen, "%s: line %d column %d: expected valid JSON: %s", path,
				 je.line, je.column, je.text);
	}
	gzclose(s.gz);
	return root;
}

static int is_zip(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char m[4] = { 0 };
	int z = f && fread(m, 1, 4, f) == 4 && !memcmp(m, "PK\3\4", 4);
	if (f)
		fclose(f);
	return z;
}

static int osv_like(const json_t *v)
{
	return json_is_object(v) && json_object_get(v, "id") &&
	       (json_object_get(v, "affected") || json_object_get(v, "modified"));
}

/* Which importer reads root; NULL when none does. */
static const char *detect(const json_t *root)
{
	if (json_is_object(root)) {
		json_t *vulns = json_object_get(root, "vulnerabilities");
		const char *fmt = json_string_value(json_object_get(root, "format"));
		if (fmt && !strcmp(fmt, "NVD_CVE") && vulns)
			return "nvd";
		if (json_object_get(root, "catalogVersion") && vulns)
			return "kev";
		if (osv_like(root))
			return "osv";
		return NULL;
	}
	if (json_is_array(root)) {
		/* An array is OSV when its first element is; every element is checked on import. */
		json_t *first = json_array_get(root, 0);
		return !first || osv_like(first) ? "osv" : NULL;
	}
	return NULL;
}

static void finalize_all(struct fv_vimport *im)
{
	sqlite3_finalize(im->get_vuln);
	sqlite3_finalize(im->put_vuln);
	sqlite3_finalize(im->del_ranges);
	sqlite3_finalize(im->put_range);
	sqlite3_finalize(im->get_kev);
	sqlite3_finalize(im->put_kev);
}

static int prepare_all(struct fv_vimport *im)
{
	static const char *const sql[] = {
		"SELECT modified FROM vulns WHERE source = ?1 AND id = ?2",
		"INSERT OR REPLACE INTO vulns(source, id, summary, cvss, severity, published, modified, aliases)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
		"DELETE FROM ranges WHERE source = ?1 AND id = ?2",
		"INSERT INTO ranges(source, id, key, start, start_incl, end, end_incl, exact)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
		"SELECT date_added, name FROM kev WHERE id = ?1",
		"INSERT OR REPLACE INTO kev(id, date_added, name) VALUES (?1, ?2, ?3)",
	};
	sqlite3_stmt **st[] = { &im->get_vuln, &im->put_vuln, &im->del_ranges, &im->put_range,
				&im->get_kev, &im->put_kev };
	for (size_t i = 0; i < sizeof sql / sizeof *sql; i++)
		if (sqlite3_prepare_v2(im->db, sql[i], -1, st[i], NULL) != SQLITE_OK)
			return sql_fail(im, "preparing a query");
	return FV_OK;
}

static int file_sha256(const char *path, char hex[FV_SHA256_HEX], char *err, size_t errlen)
{
	struct fv_map m;
	if (fv_map_open(path, &m) != FV_OK) {
		snprintf(err, errlen, "%s: cannot read it: %s", path, strerror(errno));
		return FV_EIO;
	}
	fv_map_sha256(&m, hex);
	fv_map_close(&m);
	return FV_OK;
}

/* Reads a JSON document whole and imports what it is. */
static int import_whole(struct fv_vimport *im)
{
	json_t *root = load_json(im->file, im->err, im->errlen);
	if (!root)
		return FV_EFORMAT;
	const char *format = detect(root);
	int rc;
	if (!format) {
		char buf[96];
		snprintf(im->err, im->errlen, "%s: expected an NVD CVE JSON 2.0 feed (\"format\": \"NVD_CVE\"), "
			 "an OSV record or array, or the CISA KEV catalogue; found %s", im->file,
			 fv_vi_found(root, buf, sizeof buf));
		rc = FV_EFORMAT;
	} else {
		im->st->format = format;
		if (!strcmp(format, "nvd"))
			rc = fv_import_nvd(im, root);
		else if (!strcmp(format, "kev"))
			rc = fv_import_kev(im, root);
		else
			rc = fv_import_osv(im, root);
	}
	json_decref(root);
	return rc;
}

static int record_import(struct fv_vimport *im, const char *sha)
{
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	sqlite3_stmt *ins = NULL;
	if (sqlite3_prepare_v2(im->db, "INSERT OR IGNORE INTO imports(sha256, file, format, imported, data_date)"
			       " VALUES (?1, ?2, ?3, ?4, ?5)", -1, &ins, NULL) != SQLITE_OK)
		return sql_fail(im, "preparing a query");
	sqlite3_bind_text(ins, 1, sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, im->file, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 3, im->st->format, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 4, now, -1, SQLITE_STATIC);
	text_or_null(ins, 5, im->data_date[0] ? im->data_date : NULL);
	int rc = sqlite3_step(ins) == SQLITE_DONE ? FV_OK : sql_fail(im, "writing the database");
	sqlite3_finalize(ins);
	return rc;
}

int fv_vulndb_import(const char *db_path, const char *file, struct fv_vulndb_stats *st,
		     char *err, size_t errlen)
{
	memset(st, 0, sizeof *st);
	char sha[FV_SHA256_HEX];
	int rc = file_sha256(file, sha, err, errlen);
	if (rc)
		return rc;
	struct fv_vimport im = { .file = file, .err = err, .errlen = errlen, .st = st };
	rc = db_open_rw(db_path, &im.db, err, errlen);
	if (rc)
		return rc;
	rc = prepare_all(&im);
	if (!rc && sqlite3_exec(im.db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		rc = sql_fail(&im, "starting a transaction");
	else if (!rc) {
		if (is_zip(file)) {
			st->format = "osv-zip";
			rc = fv_import_osv_zip(&im, file);
		} else {
			/* NVD feeds are read a record at a time; anything else whole. */
			st->format = "nvd";
			rc = fv_import_nvd_stream(&im, file);
			if (rc == 1) {
				st->records = st->added = st->changed = st->unchanged = 0;
				rc = import_whole(&im);
			}
		}
		if (!rc)
			rc = record_import(&im, sha);
		if (!rc && sqlite3_exec(im.db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			rc = sql_fail(&im, "committing");
		if (rc) {
			sqlite3_exec(im.db, "ROLLBACK", NULL, NULL, NULL);
			st->added = st->changed = st->unchanged = 0;
		}
	}
	finalize_all(&im);
	sqlite3_close(im.db);
	return rc;
}

/* ---- what is in it ------------------------------------------------------------- */

static int db_open_ro(const char *path, sqlite3 **out, char *err, size_t errlen)
{
	*out = NULL;
	struct stat sb;
	if (stat(path, &sb) != 0) {
		if (errno == ENOENT)
			return FV_OK;
		snprintf(err, errlen, "%s: cannot read the vulnerability database: %s", path, strerror(errno));
		return FV_EIO;
	}
	sqlite3 *db;
	int ver;
	int rc = db_open(path, SQLITE_OPEN_READONLY, "vulnerability database", &db, &ver, err, errlen);
	if (rc)
		return rc;
	if (ver == 0) {
		/* Made but never filled (an import that failed before its schema). */
		sqlite3_close(db);
		return FV_OK;
	}
	if (ver != SCHEMA_VERSION)
		return db_version_fail(db, path, ver, "another version", err, errlen);
	*out = db;
	return FV_OK;
}

static long long count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long n = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void newest_date(sqlite3 *db, char out[32])
{
	sqlite3_stmt *st = NULL;
	out[0] = 0;
	if (sqlite3_prepare_v2(db, "SELECT max(data_date) FROM imports", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, 32, "%.10s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

int fv_vulndb_info(const char *db_path, struct fv_vulndb_info *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	sqlite3 *db;
	int rc = db_open_ro(db_path, &db, err, errlen);
	if (rc || !db)
		return rc;
	out->exists = 1;
	long long v[] = {
		count(db, "SELECT count(*) FROM vulns WHERE source = 'nvd'"),
		count(db, "SELECT count(*) FROM vulns WHERE source = 'osv'"),
		count(db, "SELECT count(*) FROM kev"),
		count(db, "SELECT count(*) FROM ranges"),
		count(db, "SELECT count(*) FROM imports"),
	};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++)
		if (v[i] < 0) {
			snprintf(err, errlen, "%s: expected a fwvet vulnerability database: %s", db_path,
				 sqlite3_errmsg(db));
			sqlite3_close(db);
			return FV_EFORMAT;
		}
	out->nvd = (size_t)v[0];
	out->osv = (size_t)v[1];
	out->kev = (size_t)v[2];
	out->ranges = (size_t)v[3];
	out->imports = (size_t)v[4];
	newest_date(db, out->date);
	sqlite3_close(db);
	return FV_OK;
}

/* ---- matching ------------------------------------------------------------------ */

struct fv_vulndb {
	sqlite3 *sql;                      /* NULL: nothing imported */
	sqlite3_stmt *match, *is_kev;
	struct fv_rvulns rules;
	char date[32];
	char sha256[FV_SHA256_HEX];        /* "" when nothing was imported */
};

/*
 * What identifies the imported data: SHA-256 over the SHA-256 of every file
 * imported, in import order.  An import is deterministic and importing a file
 * twice changes nothing, so the same list means the same data.
 */
static void imports_digest(sqlite3 *db, char out[FV_SHA256_HEX])
{
	sqlite3_stmt *st = NULL;
	struct fv_sha256 h;
	size_t n = 0;
	out[0] = 0;
	if (sqlite3_prepare_v2(db, "SELECT sha256 FROM imports ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
		return;
	fv_sha256_init(&h);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *s = sqlite3_column_text(st, 0);
		if (s)
			fv_sha256_update(&h, s, strlen((const char *)s) + 1);
		n++;
	}
	sqlite3_finalize(st);
	if (n)
		fv_sha256_final(&h, out);
}

int fv_vulndb_open(const char *db_path, const char *rules_vulns, struct fv_vulndb **out,
		   char *err, size_t errlen)
{
	*out = NULL;
	struct fv_vulndb *db = calloc(1, sizeof *db);
	if (!db) {
		snprintf(err, errlen, "out of memory");
		return FV_ENOMEM;
	}
	int rc = db_path ? db_open_ro(db_path, &db->sql, err, errlen) : FV_OK;
	if (!rc && db->sql) {
		const char *q =
			"SELECT r.source, r.id, r.start, r.start_incl, r.end, r.end_incl, r.exact,"
			" v.summary, v.cvss, v.aliases FROM ranges r"
			" JOIN vulns v ON v.source = r.source AND v.id = r.id"
			" WHERE (r.source = 'nvd' AND r.key = ?1) OR (r.source = 'osv' AND r.key IN (?2, ?3))"
			" ORDER BY r.source, r.id, r.rowid";
		if (sqlite3_prepare_v2(db->sql, q, -1, &db->match, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(db->sql, "SELECT 1 FROM kev WHERE id = ?1", -1, &db->is_kev,
				       NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s: expected a fwvet vulnerability database: %s", db_path,
				 sqlite3_errmsg(db->sql));
			rc = FV_EFORMAT;
		} else {
			newest_date(db->sql, db->date);
			imports_digest(db->sql, db->sha256);
		}
	}
	if (!rc && rules_vulns)
		rc = fv_rvulns_load(rules_vulns, &db->rules, err, errlen);
	if (rc) {
		fv_vulndb_close(db);
		return rc;
	}
	*out = db;
	return FV_OK;
}

void fv_vulndb_close(struct fv_vulndb *db)
{
	if (!db)
		return;
	sqlite3_finalize(db->match);
	sqlite3_finalize(db->is_kev);
	sqlite3_close(db->sql);
	fv_rvulns_free(&db->rules);
	free(db);
}

const char *fv_vulndb_date(const struct fv_vulndb *db)
{
	return db && db->date[0] ? db->date : NULL;
}

const char *fv_vulndb_sha256(const struct fv_vulndb *db)
{
	return db && db->sha256[0] ? db->sha256 : NULL;
}

/* The ids reported so far for one match call. */
struct seen {
	char **ids;
	size_t n, cap;
};

static int seen_has(const struct seen *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->ids[i], id))
			return 1;
	return 0;
}

static int seen_add(struct seen *s, const char *id)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char **p = realloc(s->ids, cap * sizeof *p);
		if (!p)
			return FV_ENOMEM;
		s->ids = p;
		s->cap = cap;
	}
	if (!(s->ids[s->n] = strdup(id)))
		return FV_ENOMEM;
	s->n++;
	return FV_OK;
}

/* Splits the first alias off an OSV record's list "CVE-1 CVE-2" into a (cut to fit); the rest of the list. */
static const char *alias_next(const char *p, char a[FV_VULN_FIELD_MAX + 1])
{
	size_t n = strcspn(p, " ");
	snprintf(a, FV_VULN_FIELD_MAX + 1, "%.*s", (int)n, p);
	p += n;
	while (*p == ' ')
		p++;
	return p;
}

/* An OSV record's aliases count as reported with it, so a curated line of its CVE is not repeated. */
static int seen_add_aliases(struct seen *s, const char *aliases)
{
	for (const char *p = aliases; *p;) {
		char a[FV_VULN_FIELD_MAX + 1];
		p = alias_next(p, a);
		if (*a && !seen_has(s, a) && seen_add(s, a) != FV_OK)
			return FV_ENOMEM;
	}
	return FV_OK;
}

static void range_text(const struct fv_vrange *r, char *buf, size_t n)
{
	if (r->exact) {
		snprintf(buf, n, "=%s", r->exact);
		return;
	}
	if (!r->start && !r->end) {
		snprintf(buf, n, "*");
		return;
	}
	snprintf(buf, n, "%s%s%s%s%s", r->start ? (r->start_incl ? ">=" : ">") : "", r->start ? r->start : "",
		 r->start && r->end ? " " : "", r->end ? (r->end_incl ? "<=" : "<") : "", r->end ? r->end : "");
}

/* The curated line for id, of any component, or NULL. */
static const struct fv_rvuln *rule_of(const struct fv_vulndb *db, const char *id)
{
	for (size_t i = 0; i < db->rules.n; i++)
		if (!strcmp(db->rules.v[i].id, id))
			return &db->rules.v[i];
	return NULL;
}

static int kev_has(struct fv_vulndb *db, const char *id)
{
	if (!db->is_kev)
		return 0;
	sqlite3_reset(db->is_kev);
	sqlite3_bind_text(db->is_kev, 1, id, -1, SQLITE_TRANSIENT);
	int r = sqlite3_step(db->is_kev) == SQLITE_ROW;
	sqlite3_reset(db->is_kev);
	return r;
}

static void lower(char *dst, size_t cap, const char *s, size_t n)
{
	size_t i = 0;
	for (; i < n && s[i] && i + 1 < cap; i++)
		dst[i] = (char)tolower((unsigned char)s[i]);
	dst[i] = 0;
}

/* Whether an alias of an OSV record ("CVE-1 CVE-2") was reported already or is in KEV. */
static int aliases_seen(const struct seen *s, const char *aliases, struct fv_vulndb *db, int *kev)
{
	int hit = 0;
	for (const char *p = aliases; *p;) {
		char a[FV_VULN_FIELD_MAX + 1];
		p = alias_next(p, a);
		if (*a && seen_has(s, a))
			hit = 1;
		if (*a && (kev_has(db, a) || (rule_of(db, a) && rule_of(db, a)->kev)))
			*kev = 1;
	}
	return hit;
}

static int match_imported(struct fv_vulndb *db, struct seen *s, const char *name, const char *cpe,
			  const char *version, fv_vuln_fn fn, void *ctx)
{
	char kcpe[2 * FV_VULN_FIELD_MAX + 2], kname[FV_VULN_FIELD_MAX + 1], kprod[FV_VULN_FIELD_MAX + 1];
	lower(kcpe, sizeof kcpe, cpe ? cpe : "", SIZE_MAX);
	lower(kname, sizeof kname, name ? name : "", SIZE_MAX);
	const char *colon = strchr(kcpe, ':');
	lower(kprod, sizeof kprod, colon ? colon + 1 : kname, SIZE_MAX);
	sqlite3_stmt *q = db->match;
	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, kcpe, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, kname, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, kprod, -1, SQLITE_TRANSIENT);
	int rc, err = FV_OK;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(q, 1);
		if (!id || seen_has(s, id))
			continue;
		struct fv_vrange r = {
			(const char *)sqlite3_column_text(q, 2), (const char *)sqlite3_column_text(q, 4),
			sqlite3_column_int(q, 3), sqlite3_column_int(q, 5),
			(const char *)sqlite3_column_text(q, 6),
		};
		if (!fv_version_in_range(version, &r))
			continue;
		const char *aliases = (const char *)sqlite3_column_text(q, 9);
		const struct fv_rvuln *rule = rule_of(db, id);
		int kev = kev_has(db, id) || (rule && rule->kev);
		if (aliases && aliases_seen(s, aliases, db, &kev))
			continue;
		char rt[2 * FV_VULN_FIELD_MAX + 16];
		range_text(&r, rt, sizeof rt);
		const char *summary = (const char *)sqlite3_column_text(q, 7);
		struct fv_vuln_match m = {
			id, summary && *summary ? summary : rule ? rule->summary : "",
			sqlite3_column_type(q, 8) == SQLITE_NULL ? (rule ? rule->cvss : -1)
								 : sqlite3_column_double(q, 8),
			kev, (const char *)sqlite3_column_text(q, 0), rt,
		};
		if ((err = seen_add(s, id)) != FV_OK || (aliases && (err = seen_add_aliases(s, aliases)) != FV_OK))
			break;
		fn(ctx, &m);
	}
	sqlite3_reset(q);
	if (err)
		return err;
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? FV_OK : FV_EIO;
}

int fv_vulndb_match(struct fv_vulndb *db, const char *name, const char *cpe, const char *version,
		    fv_vuln_fn fn, void *ctx)
{
	if (!db || !version || !*version)
		return FV_OK;
	struct seen s = { 0 };
	int rc = FV_OK;
	if (db->sql && (name || cpe))
		rc = match_imported(db, &s, name, cpe, version, fn, ctx);
	for (size_t i = 0; !rc && name && i < db->rules.n; i++) {
		const struct fv_rvuln *v = &db->rules.v[i];
		if (strcasecmp(v->name, name) || seen_has(&s, v->id))
			continue;
		struct fv_vrange r = { v->start, v->end, v->start_incl, v->end_incl, v->exact };
		if (!fv_version_in_range(version, &r))
			continue;
		struct fv_vuln_match m = { v->id, v->summary, v->cvss, v->kev || kev_has(db, v->id), "rules",
					   v->range };
		if ((rc = seen_add(&s, v->id)) != FV_OK)
			break;
		fn(ctx, &m);
	}
	for (size_t i = 0; i < s.n; i++)
		free(s.ids[i]);
	free(s.ids);
	return rc;
}

char *fv_vulndb_default_path(void)
{
	const char *env = getenv("FWVET_VULNDB");
	if (env && *env)
		return strdup(env);
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	char buf[4096];
	if (xdg && *xdg)
		snprintf(buf, sizeof buf, "%s/fwvet/vulndb.db", xdg);
	else if (home && *home)
		snprintf(buf, sizeof buf, "%s/.local/share/fwvet/vulndb.db", home);
	else
		return NULL;
	return strdup(buf);
}

/* CVSS v3 qualitative ratings (FIRST's specification, section 5). */
const char *fv_cvss_severity(double score)
{
	if (score < 0)
		return "unknown";
	if (score >= 9.0)
		return "critical";
	if (score >= 7.0)
		return "high";
	if (score >= 4.0)
		return "medium";
	if (score > 0.0)
		return "low";
	return "none";
}
