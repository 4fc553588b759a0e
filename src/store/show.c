/*
 * Reading stored scans back: the list `fwvet db list` prints, and one scan
 * as JSON in the shape of the scan report (`fwvet db show`).
 */
#include "store/handle.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/finding.h"
#include "core/json.h"
#include "report/report.h"

static uint64_t col_u64(struct fv_dbst *st, int i)
{
	return (uint64_t)fv_db_int(st, i);
}

int fv_store_list(struct fv_store *s, int (*fn)(void *ctx, const struct fv_store_row *r), void *ctx,
		  char *err, size_t errlen)
{
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
	struct fv_dbst *st = NULL;
	if (fv_db_prepare(s->db, sql, &st))
		return fv_store_fail(s, "listing the scans", err, errlen);
	for (int i = 0; i < 5; i++)
		fv_db_text_bind(st, i + 1, fv_severity_name((enum fv_severity)i));
	int rc;
	while ((rc = fv_db_step(st)) == FV_DB_ROW) {
		struct fv_store_row r = {
			.id = fv_db_int(st, 0),
			.image_path = fv_db_text(st, 1),
			.image_sha256 = fv_db_text(st, 2),
			.started = fv_db_text(st, 3),
			.image_size = col_u64(st, 4),
			.tool_version = fv_db_text(st, 5),
			.files = (size_t)fv_db_int(st, 6),
			.components = (size_t)fv_db_int(st, 7),
			.vulnerabilities = (size_t)fv_db_int(st, 8),
		};
		for (int i = 0; i < 5; i++)
			r.findings[i] = (size_t)fv_db_int(st, 9 + i);
		if (fn(ctx, &r)) {
			rc = FV_DB_DONE;
			break;
		}
	}
	int ret = rc == FV_DB_DONE ? FV_OK : fv_store_fail(s, "listing the scans", err, errlen);
	fv_db_finalize(st);
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

static void col_json(struct fv_json *j, struct fv_dbst *st, int i, const struct jcol *c)
{
	fv_json_key(j, c->key);
	if (fv_db_is_null(st, i) && c->kind != C_PATHS) {
		fv_json_null(j);
		return;
	}
	switch (c->kind) {
	case C_STR:
	case C_OPT:
		fv_json_strn(j, fv_db_text(st, i), fv_db_bytes(st, i));
		break;
	case C_INT:
		fv_json_int(j, fv_db_int(st, i));
		break;
	case C_UINT:
		fv_json_uint(j, col_u64(st, i));
		break;
	case C_BOOL:
		fv_json_bool(j, fv_db_int(st, i) != 0);
		break;
	case C_REAL:
		fv_json_double(j, fv_db_real(st, i));
		break;
	case C_MODE: {
		char mode[8];
		snprintf(mode, sizeof mode, "%04o", (unsigned)fv_db_int(st, i) & 07777);
		fv_json_str(j, mode);
		break;
	}
	case C_PATHS:
		paths_json(j, fv_db_text(st, i));
		break;
	}
}

/* One array of objects, key: a row per object, columns named by cols (NULL-terminated). */
static int rows_json(struct fv_store *s, struct fv_json *j, const char *key, const char *sql, int64_t id,
		     const struct jcol *cols, char *err, size_t errlen)
{
	struct fv_dbst *st = NULL;
	if (fv_db_prepare(s->db, sql, &st))
		return fv_store_fail(s, key, err, errlen);
	fv_db_int_bind(st, 1, id);
	fv_json_key(j, key);
	fv_json_arr_begin(j);
	int rc;
	while ((rc = fv_db_step(st)) == FV_DB_ROW) {
		fv_json_obj_begin(j);
		for (int i = 0; cols[i].key; i++) {
			if (cols[i].kind == C_OPT && fv_db_is_null(st, i))
				continue;
			col_json(j, st, i, &cols[i]);
		}
		fv_json_obj_end(j);
	}
	fv_json_arr_end(j);
	int ret = rc == FV_DB_DONE ? FV_OK : fv_store_fail(s, key, err, errlen);
	fv_db_finalize(st);
	return ret;
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

/* image, tool, scan and summary; FV_EUSAGE when there is no scan id. */
static int head_json(struct fv_store *s, int64_t id, struct fv_json *j, char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT s.image_path, i.sha256, i.size, s.tool_version, s.rules_sha256, s.vulndb_date,"
		" s.started, s.elapsed_ms FROM scans s JOIN images i ON i.id = s.image_id WHERE s.id = ?1";
	struct fv_dbst *st = NULL;
	if (fv_db_prepare(s->db, sql, &st))
		return fv_store_fail(s, "reading the scan", err, errlen);
	fv_db_int_bind(st, 1, id);
	int rc = fv_db_step(st);
	if (rc != FV_DB_ROW) {
		fv_db_finalize(st);
		if (rc != FV_DB_DONE)
			return fv_store_fail(s, "reading the scan", err, errlen);
		snprintf(err, errlen, "no scan %lld in %s", (long long)id, s->db->name);
		return FV_EUSAGE;
	}
	fv_json_obj_begin(j);
	fv_json_kstr(j, "fwvet", fv_db_text(st, 3));
	fv_json_kint(j, "schema", FV_REPORT_SCHEMA);
	fv_json_key(j, "image");
	fv_json_obj_begin(j);
	fv_json_kstr(j, "path", fv_db_text(st, 0));
	fv_json_kstr(j, "sha256", fv_db_text(st, 1));
	fv_json_kuint(j, "size", col_u64(st, 2));
	fv_json_obj_end(j);
	fv_json_key(j, "tool");
	fv_json_obj_begin(j);
	fv_json_kstr(j, "name", "fwvet");
	fv_json_kstr(j, "version", fv_db_text(st, 3));
	fv_json_kstr(j, "rules_sha256", fv_db_text(st, 4));
	fv_json_kstr(j, "vulndb_date", fv_db_text(st, 5));
	fv_json_obj_end(j);
	fv_json_key(j, "scan");
	fv_json_obj_begin(j);
	fv_json_kint(j, "id", id);
	fv_json_kstr(j, "started", fv_db_text(st, 6));
	fv_json_kuint(j, "elapsed_ms", col_u64(st, 7));
	fv_json_obj_end(j);
	uint64_t elapsed = col_u64(st, 7);
	fv_db_finalize(st);

	int64_t files = 0, contents = 0, n;
	if (fv_store_count(s, "SELECT count(*) FROM files WHERE scan_id = ?1", id, NULL, &files) ||
	    fv_store_count(s, "SELECT count(DISTINCT sha256) FROM files WHERE scan_id = ?1", id, NULL, &contents))
		return fv_store_fail(s, "counting the scan's files", err, errlen);
	fv_json_key(j, "summary");
	fv_json_obj_begin(j);
	fv_json_kint(j, "files", files);
	fv_json_kint(j, "unique_contents", contents);
	fv_json_key(j, "findings_by_severity");
	fv_json_obj_begin(j);
	for (int sev = FV_SEV_CRITICAL; sev >= FV_SEV_INFO; sev--) {
		const char *name = fv_severity_name((enum fv_severity)sev);
		if (fv_store_count(s, "SELECT count(*) FROM findings WHERE scan_id = ?1 AND severity = ?2", id,
				   name, &n))
			return fv_store_fail(s, "counting the scan's findings", err, errlen);
		fv_json_kint(j, name, n);
	}
	fv_json_obj_end(j);
	fv_json_kuint(j, "elapsed_ms", elapsed);
	fv_json_obj_end(j);
	return FV_OK;
}

int fv_store_show_json(struct fv_store *s, int64_t id, struct fv_json *j, char *err, size_t errlen)
{
	/* One read transaction: a scan recorded meanwhile does not mix in. */
	if (fv_db_exec(s->db, "BEGIN"))
		return fv_store_fail(s, "reading the store", err, errlen);
	int rc = head_json(s, id, j, err, errlen);
	if (rc) {
		fv_db_exec(s->db, "ROLLBACK");
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
	fv_db_exec(s->db, rc ? "ROLLBACK" : "COMMIT");
	return rc;
}

int fv_store_latest(struct fv_store *s, int (*fn)(void *ctx, int64_t id), void *ctx, char *err, size_t errlen)
{
	struct fv_dbst *st = NULL;
	if (fv_db_prepare(s->db, "SELECT max(id) FROM scans GROUP BY image_id ORDER BY 1", &st))
		return fv_store_fail(s, "listing the images", err, errlen);
	/* Ids first, then the calls: fn may use the store, and this statement must not stay open. */
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = fv_db_step(st)) == FV_DB_ROW) {
		if (fv_grow(&ids, &cap, n, sizeof *ids)) {
			rc = FV_ENOMEM;
			break;
		}
		ids[n++] = fv_db_int(st, 0);
	}
	int ret = rc == FV_DB_DONE ? FV_OK : rc == FV_ENOMEM ? rc : fv_store_fail(s, "listing the images", err, errlen);
	if (ret == FV_ENOMEM)
		snprintf(err, errlen, "%s: out of memory listing the images", s->db->name);
	fv_db_finalize(st);
	for (size_t i = 0; i < n && !ret; i++)
		if (fn(ctx, ids[i]))
			break;
	free(ids);
	return ret;
}
