/*
 * The PostgreSQL driver of db.h, over libpq.
 *
 * Statements are prepared on the server under a name of their own
 * connection; parameters travel as text and the server infers their types
 * from where they stand (so a parameter whose type the statement does not
 * fix, "SELECT ?1 + 1", needs a CAST).  Results are read whole when the
 * statement runs: the store's queries return small results, and a result
 * kept whole stays valid however the caller interleaves its statements.
 */
#include "store/db.h"

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/json.h"

/* The key of the advisory lock a migration holds: "fwvet" in ASCII. */
#define LOCK_KEY "440090912116"
/* PostgreSQL's own limit on a statement's parameters. */
#define MAX_PARAMS 65535
/* Deallocations that could not run (in a failed transaction), kept for later. */
#define MAX_PENDING 64

struct pg_db {
	struct fv_db base;
	PGconn *conn;
	unsigned long next_name;
	char msg[1024];
	char pending[MAX_PENDING][24];
	int npending;
};

struct pg_st {
	struct fv_dbst base;
	char name[24];
	int nparams;
	char **vals;
	int bad; /* a bind that failed: reported by the next step */
	PGresult *res;
	int row, nrows;
	char *dec[32]; /* the current row's columns read back to bytes (text()), when they had to be */
};

static const struct fv_db_ops pg_ops;

/* ---- the URI without its password ------------------------------------------------ */

/* Removes the password=VALUE pairs of a keyword/value connection string (VALUE maybe quoted). */
static void strip_keyword_password(char *s)
{
	char *p = s;
	while ((p = strstr(p, "password"))) {
		int at_word = p == s || p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n';
		char *q = p + 8;
		while (*q == ' ' || *q == '\t')
			q++;
		if (!at_word || *q != '=') {
			p += 8;
			continue;
		}
		q++;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == '\'') {
			for (q++; *q && *q != '\''; q++)
				if (*q == '\\' && q[1])
					q++;
			if (*q)
				q++;
		} else {
			while (*q && *q != ' ' && *q != '\t' && *q != '\n')
				q++;
		}
		while (*q == ' ' || *q == '\t')
			q++;
		memmove(p, q, strlen(q) + 1);
	}
}

/* Removes user:PASSWORD@ down to user@, and password=... from the query of a URI. */
static void strip_uri_password(char *s, char *auth)
{
	size_t alen = strcspn(auth, "/?#");
	char *at = NULL;
	for (size_t i = 0; i < alen; i++)
		if (auth[i] == '@')
			at = auth + i;
	if (at) {
		char *colon = memchr(auth, ':', (size_t)(at - auth));
		if (colon)
			memmove(colon, at, strlen(at) + 1);
	}
	char *q = strchr(s, '?');
	if (!q)
		return;
	char *p = q + 1;
	while (*p) {
		size_t len = strcspn(p, "&#");
		if (len >= 9 && !strncmp(p, "password=", 9)) {
			char *next = p + len;
			if (*next == '&')
				next++;
			memmove(p, next, strlen(next) + 1);
			continue;
		}
		p += len;
		if (*p != '&')
			break;
		p++;
	}
	/* A query emptied, or ending with a separator, is cut back. */
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == '&' || s[n - 1] == '?') && s + n - 1 >= q) {
		int was_q = s[n - 1] == '?';
		s[--n] = 0;
		if (was_q)
			break;
	}
}

static char *public_name(const char *uri)
{
	char *s = strdup(uri);
	if (!s)
		return NULL;
	char *auth = NULL;
	if (!strncmp(s, "postgresql://", 13))
		auth = s + 13;
	else if (!strncmp(s, "postgres://", 11))
		auth = s + 11;
	if (auth)
		strip_uri_password(s, auth);
	else
		strip_keyword_password(s);
	return s;
}

/* ---- messages --------------------------------------------------------------------- */

/* libpq's messages end with a newline and may span lines: one line for ours. */
static void set_msg(struct pg_db *d, const char *prefix, const char *m)
{
	if (!m || !*m)
		m = "no message from the server";
	snprintf(d->msg, sizeof d->msg, "%s%s", prefix, m);
	char *w = d->msg;
	for (const char *p = d->msg; *p; p++) {
		int space = *p == '\n' || *p == '\t' || *p == '\r' || *p == ' ';
		if (!space)
			*w++ = *p;
		else if (w > d->msg && w[-1] != ' ')
			*w++ = ' ';
	}
	while (w > d->msg && w[-1] == ' ')
		w--;
	*w = 0;
}

/*
 * Whether a failure was the connection going away.  libpq may hand back the
 * first failure with the connection still marked good ("server closed the
 * connection unexpectedly" carries no SQLSTATE: no server said it), so
 * such a failure reads what is left on the socket, which settles it.
 */
static int lost(struct pg_db *d, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (state && (!strncmp(state, "08", 2) || !strcmp(state, "57P01") || !strcmp(state, "57P02") ||
		      !strcmp(state, "57P03")))
		return 1;
	if (!state && PQstatus(d->conn) == CONNECTION_OK)
		PQconsumeInput(d->conn);
	return PQstatus(d->conn) == CONNECTION_BAD;
}

/* The error of res (which may be NULL), saying so when the connection is gone. */
static int fail_res(struct pg_db *d, const PGresult *res)
{
	/* Copied: lost() may read the socket, which rewrites the connection's message. */
	char whole[sizeof d->msg];
	snprintf(whole, sizeof whole, "%s", res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) :
		 PQerrorMessage(d->conn));
	if (lost(d, res)) {
		set_msg(d, "the connection to the store was lost: ", whole);
		return FV_EIO;
	}
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!primary) {
		set_msg(d, "", whole);
		return FV_EIO;
	}
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	char buf[sizeof d->msg];
	if (detail)
		snprintf(buf, sizeof buf, "%s (%s)", primary, detail);
	else
		snprintf(buf, sizeof buf, "%s", primary);
	set_msg(d, "", buf);
	return FV_EIO;
}

static int res_ok(const PGresult *res)
{
	ExecStatusType s = PQresultStatus(res);
	return res && (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK);
}

/* ---- the connection --------------------------------------------------------------- */

/* DEALLOCATE of statements finalized while a transaction had failed. */
static void flush_pending(struct pg_db *d)
{
	if (!d->npending || PQtransactionStatus(d->conn) == PQTRANS_INERROR ||
	    PQstatus(d->conn) != CONNECTION_OK)
		return;
	while (d->npending > 0) {
		char sql[48];
		snprintf(sql, sizeof sql, "DEALLOCATE %s", d->pending[--d->npending]);
		PQclear(PQexec(d->conn, sql));
	}
}

static int pg_exec(struct fv_db *db, const char *sql)
{
	struct pg_db *d = (struct pg_db *)db;
	flush_pending(d);
	PGresult *res = PQexec(d->conn, sql);
	int rc = res_ok(res) ? FV_OK : fail_res(d, res);
	PQclear(res);
	return rc;
}

static void pg_close(struct fv_db *db)
{
	struct pg_db *d = (struct pg_db *)db;
	if (!d)
		return;
	PQfinish(d->conn);
	free(d->base.name);
	free(d);
}

static const char *pg_errmsg(struct fv_db *db)
{
	return ((struct pg_db *)db)->msg;
}

/*
 * Warnings (client_min_messages hides the rest) are not printed: libpq would
 * write them raw to stderr, and what matters of them (a server shutting
 * down) comes back as the statement's error.
 */
static void drop_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

int fv_db_pg_open(const char *uri, struct fv_db **out, char *err, size_t errlen)
{
	*out = NULL;
	struct pg_db *d = calloc(1, sizeof *d);
	if (!d || !(d->base.name = public_name(uri))) {
		free(d);
		snprintf(err, errlen, "out of memory opening the PostgreSQL store");
		return FV_ENOMEM;
	}
	d->base.ops = &pg_ops;
	/*
	 * The URI's own settings come after these defaults and win over them.
	 * Keepalives bound the wait on a server that vanished from the network
	 * (a stopped one closes the socket and is seen at once).
	 */
	const char *const keys[] = {"connect_timeout", "keepalives_idle", "keepalives_interval",
				    "keepalives_count", "fallback_application_name", "dbname", NULL};
	const char *const vals[] = {"30", "30", "10", "3", "fwvet", uri, NULL};
	d->conn = PQconnectdbParams(keys, vals, 1);
	if (d->conn)
		PQsetNoticeProcessor(d->conn, drop_notice, NULL);
	if (!d->conn || PQstatus(d->conn) != CONNECTION_OK) {
		set_msg(d, "", d->conn ? PQerrorMessage(d->conn) : "out of memory");
		snprintf(err, errlen, "%s: cannot connect to the PostgreSQL store: %s", d->base.name, d->msg);
		pg_close(&d->base);
		return FV_EIO;
	}
	int bad = PQsetClientEncoding(d->conn, "UTF8") != 0;
	if (bad)
		set_msg(d, "cannot use UTF-8: ", PQerrorMessage(d->conn));
	if (bad || pg_exec(&d->base, "SET client_min_messages = warning") != FV_OK) {
		snprintf(err, errlen, "%s: cannot set up the PostgreSQL store: %s", d->base.name, d->msg);
		pg_close(&d->base);
		return FV_EIO;
	}
	*out = &d->base;
	return FV_OK;
}

/* ---- statements ------------------------------------------------------------------- */

/*
 * ?N becomes $N (same length) outside quoted literals, identifiers and
 * comments; *nparams is the highest N.  NULL, or what is wrong.
 */
static const char *rewrite(char *s, int *nparams)
{
	*nparams = 0;
	for (char *p = s; *p; p++) {
		if (*p == '\'' || *p == '"') {
			char *end = strchr(p + 1, *p);
			if (!end)
				return NULL; /* unterminated: left for the server to report */
			p = end;
		} else if (p[0] == '-' && p[1] == '-') {
			p += strcspn(p, "\n");
			if (!*p)
				break;
		} else if (p[0] == '/' && p[1] == '*') {
			char *end = strstr(p + 2, "*/");
			if (!end)
				return NULL;
			p = end + 1;
		} else if (*p == '?' && p[1] >= '0' && p[1] <= '9') {
			long n = 0;
			char *q = p + 1;
			while (*q >= '0' && *q <= '9' && n <= MAX_PARAMS)
				n = n * 10 + (*q++ - '0');
			if (n < 1 || n > MAX_PARAMS)
				return "expected parameters ?1 to ?65535";
			*p = '$';
			if (n > *nparams)
				*nparams = (int)n;
			p = q - 1;
		}
	}
	return NULL;
}

static int pg_prepare(struct fv_db *db, const char *sql, struct fv_dbst **out)
{
	struct pg_db *d = (struct pg_db *)db;
	*out = NULL;
	flush_pending(d);
	struct pg_st *st = calloc(1, sizeof *st);
	char *text = strdup(sql);
	if (!st || !text) {
		free(st);
		free(text);
		set_msg(d, "", "out of memory preparing a statement");
		return FV_ENOMEM;
	}
	const char *bad = rewrite(text, &st->nparams);
	if (bad) {
		set_msg(d, "", bad);
		free(text);
		free(st);
		return FV_EIO;
	}
	if (st->nparams && !(st->vals = calloc((size_t)st->nparams, sizeof *st->vals))) {
		free(text);
		free(st);
		set_msg(d, "", "out of memory preparing a statement");
		return FV_ENOMEM;
	}
	st->base.db = db;
	st->row = -1;
	snprintf(st->name, sizeof st->name, "fv_%lu", d->next_name++);
	PGresult *res = PQprepare(d->conn, st->name, text, st->nparams, NULL);
	free(text);
	int rc = res_ok(res) ? FV_OK : fail_res(d, res);
	PQclear(res);
	if (rc) {
		free(st->vals);
		free(st);
		return rc;
	}
	*out = &st->base;
	return FV_OK;
}

/* Takes v (malloc'd, or NULL for SQL NULL) as parameter i. */
static void set_param(struct pg_st *st, int i, char *v, int failed)
{
	if (i < 1 || i > st->nparams) {
		free(v);
		st->bad = st->bad ? st->bad : FV_EUSAGE;
		return;
	}
	if (failed && !st->bad)
		st->bad = FV_ENOMEM;
	free(st->vals[i - 1]);
	st->vals[i - 1] = v;
}

/*
 * PostgreSQL text is UTF-8 and refuses anything else, but a firmware's file
 * names are bytes, and a scan must not fail on one.  A byte that is not part
 * of valid UTF-8 travels as the private-use character U+F700 + byte, and so
 * does each byte of a real U+F700..U+F7FF, so that reading maps every such
 * character back to one byte: the store keeps the exact bytes, as SQLite
 * does.  In UTF-8 those characters are EF 9C 80 .. EF 9F BF.
 */
static int is_escape(const unsigned char *p)
{
	return p[0] == 0xef && p[1] >= 0x9c && p[1] <= 0x9f && (p[2] & 0xc0) == 0x80;
}

static char *to_pg(const char *v)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t n = strlen(v), esc = 0;
	for (size_t i = 0; i < n;) {
		size_t l = fv_utf8_seq(p + i, n - i, NULL);
		if (!l || (l == 3 && is_escape(p + i))) {
			esc += l ? 3 : 1;
			i += l ? 3 : 1;
		} else {
			i += l;
		}
	}
	if (!esc)
		return strdup(v);
	char *o = malloc(n + 2 * esc + 1), *q = o;
	if (!o)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t l = fv_utf8_seq(p + i, n - i, NULL);
		if (l && !(l == 3 && is_escape(p + i))) {
			memcpy(q, p + i, l);
			q += l, i += l;
			continue;
		}
		for (size_t k = 0; k < (l ? 3 : 1); k++, i++) {
			unsigned cp = 0xf700 + p[i];
			*q++ = (char)(0xe0 | cp >> 12);
			*q++ = (char)(0x80 | (cp >> 6 & 0x3f));
			*q++ = (char)(0x80 | (cp & 0x3f));
		}
	}
	*q = 0;
	return o;
}

/* v with every U+F700 + byte back to its byte; v itself when it has none (or memory is short). */
static const char *from_pg(struct pg_st *st, int i, const char *v)
{
	const unsigned char *p = (const unsigned char *)v;
	const unsigned char *e = (const unsigned char *)strstr(v, "\xef");
	size_t n = strlen(v);
	int any = 0;
	for (const unsigned char *x = e; x && !any; x = (const unsigned char *)strstr((const char *)x + 1, "\xef"))
		any = (size_t)(x - p) + 3 <= n && is_escape(x);
	if (!any)
		return v;
	if (i >= (int)(sizeof st->dec / sizeof st->dec[0]))
		return v;
	if (st->dec[i])
		return st->dec[i];
	char *o = malloc(n + 1), *q = o;
	if (!o)
		return v;
	for (size_t k = 0; k < n;) {
		if (k + 3 <= n && is_escape(p + k)) {
			*q++ = (char)(((p[k + 1] & 0x3f) << 6 | (p[k + 2] & 0x3f)) - 0x700);
			k += 3;
		} else {
			*q++ = (char)p[k++];
		}
	}
	*q = 0;
	st->dec[i] = o;
	return o;
}

static void forget_row(struct pg_st *st)
{
	for (size_t i = 0; i < sizeof st->dec / sizeof st->dec[0]; i++) {
		free(st->dec[i]);
		st->dec[i] = NULL;
	}
}

static void pg_bind_text(struct fv_dbst *base, int i, const char *v)
{
	char *c = v ? to_pg(v) : NULL;
	set_param((struct pg_st *)base, i, c, v && !c);
}

static void pg_bind_int(struct fv_dbst *base, int i, int64_t v)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%" PRId64, v);
	char *c = strdup(buf);
	set_param((struct pg_st *)base, i, c, !c);
}

static void pg_bind_double(struct fv_dbst *base, int i, double v)
{
	char buf[40];
	snprintf(buf, sizeof buf, "%.17g", v);
	char *c = strdup(buf);
	set_param((struct pg_st *)base, i, c, !c);
}

static void pg_bind_null(struct fv_dbst *base, int i)
{
	set_param((struct pg_st *)base, i, NULL, 0);
}

static int pg_step(struct fv_dbst *base)
{
	struct pg_st *st = (struct pg_st *)base;
	struct pg_db *d = (struct pg_db *)st->base.db;
	if (!st->res) {
		if (st->bad) {
			set_msg(d, "", st->bad == FV_ENOMEM ? "out of memory binding a parameter" :
				"a parameter was bound past the statement's highest ?N");
			return st->bad;
		}
		PGresult *res = PQexecPrepared(d->conn, st->name, st->nparams,
					       (const char *const *)st->vals, NULL, NULL, 0);
		if (!res_ok(res)) {
			int rc = fail_res(d, res);
			PQclear(res);
			return rc;
		}
		st->res = res;
		st->nrows = PQntuples(res);
		st->row = -1;
	}
	forget_row(st);
	if (st->row < st->nrows)
		st->row++;
	return st->row < st->nrows ? FV_DB_ROW : FV_DB_DONE;
}

/* Whether column i of the current row exists. */
static int have(const struct pg_st *st, int i)
{
	return st->res && st->row >= 0 && st->row < st->nrows && i >= 0 && i < PQnfields(st->res);
}

static int pg_is_null(struct fv_dbst *base, int i)
{
	struct pg_st *st = (struct pg_st *)base;
	return !have(st, i) || PQgetisnull(st->res, st->row, i);
}

static const char *pg_text(struct fv_dbst *base, int i)
{
	struct pg_st *st = (struct pg_st *)base;
	if (pg_is_null(base, i))
		return NULL;
	return from_pg(st, i, PQgetvalue(st->res, st->row, i));
}

static size_t pg_bytes(struct fv_dbst *base, int i)
{
	const char *v = pg_text(base, i);
	return v ? strlen(v) : 0;
}

static int64_t pg_integer(struct fv_dbst *base, int i)
{
	const char *v = pg_text(base, i);
	if (!v)
		return 0;
	/* A boolean column reads as 1 or 0, as SQLite stores one. */
	if (!strcmp(v, "t"))
		return 1;
	return (int64_t)strtoll(v, NULL, 10);
}

static double pg_real(struct fv_dbst *base, int i)
{
	const char *v = pg_text(base, i);
	return v ? strtod(v, NULL) : 0.0;
}

static void pg_reset(struct fv_dbst *base)
{
	struct pg_st *st = (struct pg_st *)base;
	forget_row(st);
	PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	st->nrows = 0;
	st->bad = 0;
	for (int i = 0; i < st->nparams; i++) {
		free(st->vals[i]);
		st->vals[i] = NULL;
	}
}

static void pg_finalize(struct fv_dbst *base)
{
	struct pg_st *st = (struct pg_st *)base;
	if (!st)
		return;
	struct pg_db *d = (struct pg_db *)st->base.db;
	pg_reset(base);
	free(st->vals);
	if (PQstatus(d->conn) == CONNECTION_OK) {
		/* In a failed transaction DEALLOCATE fails too: it runs once the transaction ends. */
		if (PQtransactionStatus(d->conn) == PQTRANS_INERROR) {
			if (d->npending < MAX_PENDING)
				memcpy(d->pending[d->npending++], st->name, sizeof st->name);
		} else {
			char sql[48];
			snprintf(sql, sizeof sql, "DEALLOCATE %s", st->name);
			PQclear(PQexec(d->conn, sql));
		}
	}
	free(st);
}

/* ---- the schema and its version --------------------------------------------------- */

static int pg_lock(struct fv_db *db)
{
	return pg_exec(db, "BEGIN; SELECT pg_advisory_xact_lock(" LOCK_KEY ")");
}

/* The one value of a query, as text in buf; 0 with buf empty when there is no row. */
static int query_one(struct pg_db *d, const char *sql, char *buf, size_t cap)
{
	buf[0] = 0;
	PGresult *res = PQexec(d->conn, sql);
	if (!res_ok(res)) {
		int rc = fail_res(d, res);
		PQclear(res);
		return rc;
	}
	if (PQntuples(res) > 0 && PQnfields(res) > 0 && !PQgetisnull(res, 0, 0))
		snprintf(buf, cap, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return FV_OK;
}

static int pg_get_version(struct fv_db *db, int *ver)
{
	struct pg_db *d = (struct pg_db *)db;
	char buf[32];
	*ver = 0;
	/* Asked first, because selecting from a missing table aborts the transaction. */
	int rc = query_one(d, "SELECT to_regclass('fwvet_schema') IS NOT NULL", buf, sizeof buf);
	if (rc || strcmp(buf, "t"))
		return rc;
	rc = query_one(d, "SELECT max(version) FROM fwvet_schema", buf, sizeof buf);
	if (rc || !buf[0])
		return rc;
	char *end;
	errno = 0;
	long long v = strtoll(buf, &end, 10);
	if (errno || *end || v < 0 || v > 1000000) {
		set_msg(d, "expected a schema version in fwvet_schema, found ", buf);
		return FV_EFORMAT;
	}
	*ver = (int)v;
	return FV_OK;
}

static int pg_set_version(struct fv_db *db, int ver)
{
	char sql[200];
	snprintf(sql, sizeof sql,
		 "CREATE TABLE IF NOT EXISTS fwvet_schema(version BIGINT NOT NULL);"
		 " DELETE FROM fwvet_schema; INSERT INTO fwvet_schema(version) VALUES(%d)",
		 ver);
	return pg_exec(db, sql);
}

/*
 * The SQLite schema (sqlite.c, db_sqlite.c) in PostgreSQL's words: BIGINT for
 * every integer, identity ids, and a trailing rowid identity in each table
 * without an id so that ORDER BY rowid is insertion order in both.
 * migrations[i] takes a store from version i to i + 1; never edit one that has shipped.
 */
#define ID "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
#define ROWID "rowid BIGINT GENERATED ALWAYS AS IDENTITY"
#define SCAN "scan_id BIGINT NOT NULL REFERENCES scans(id) ON DELETE CASCADE"

static const char *const migrations[] = {
	"CREATE TABLE images(" ID ", sha256 TEXT UNIQUE, size BIGINT NOT NULL);"
	"CREATE TABLE scans(" ID ","
	" image_id BIGINT NOT NULL REFERENCES images(id), image_path TEXT NOT NULL,"
	" started TEXT NOT NULL, elapsed_ms BIGINT NOT NULL, tool_version TEXT NOT NULL,"
	" rules_sha256 TEXT, vulndb_date TEXT);"
	"CREATE INDEX scans_by_image ON scans(image_id);"
	"CREATE TABLE contents(sha256 TEXT PRIMARY KEY, size BIGINT NOT NULL, kind TEXT NOT NULL,"
	" type TEXT, arch TEXT, " ROWID ");"
	"CREATE TABLE entries(" SCAN ","
	" path TEXT NOT NULL, format TEXT NOT NULL, off BIGINT NOT NULL, size BIGINT NOT NULL,"
	" status TEXT NOT NULL, error TEXT, description TEXT NOT NULL, " ROWID ");"
	"CREATE INDEX entries_by_scan ON entries(scan_id);"
	"CREATE TABLE files(" SCAN ","
	" path TEXT NOT NULL, type TEXT NOT NULL, mode BIGINT NOT NULL, uid BIGINT NOT NULL,"
	" gid BIGINT NOT NULL, size BIGINT NOT NULL, sha256 TEXT REFERENCES contents(sha256),"
	" link TEXT, " ROWID ");"
	"CREATE INDEX files_by_scan ON files(scan_id);"
	"CREATE INDEX files_by_sha256 ON files(sha256);"
	"CREATE TABLE accounts(" SCAN ","
	" path TEXT NOT NULL, name TEXT NOT NULL, uid BIGINT NOT NULL, gid BIGINT NOT NULL,"
	" home TEXT, shell TEXT, hash_type TEXT, password TEXT, hash TEXT, " ROWID ");"
	"CREATE INDEX accounts_by_scan ON accounts(scan_id);"
	"CREATE TABLE services(" SCAN ","
	" path TEXT NOT NULL, line BIGINT NOT NULL, how TEXT NOT NULL, program TEXT NOT NULL,"
	" args TEXT, " ROWID ");"
	"CREATE INDEX services_by_scan ON services(scan_id);"
	"CREATE TABLE endpoints(" SCAN ","
	" value TEXT NOT NULL, kind TEXT NOT NULL, path TEXT NOT NULL, off BIGINT NOT NULL,"
	" outside BIGINT NOT NULL, " ROWID ");"
	"CREATE INDEX endpoints_by_scan ON endpoints(scan_id);"
	"CREATE TABLE components(" SCAN ","
	" name TEXT NOT NULL, title TEXT, version TEXT NOT NULL, cpe TEXT, purl TEXT, method TEXT,"
	" evidence TEXT, detail TEXT, eol BIGINT NOT NULL, eol_date TEXT, paths TEXT NOT NULL, " ROWID ");"
	"CREATE INDEX components_by_scan ON components(scan_id);"
	"CREATE TABLE vulnerabilities(" SCAN ","
	" vuln_id TEXT NOT NULL, component TEXT NOT NULL, version TEXT NOT NULL, severity TEXT NOT NULL,"
	" cvss DOUBLE PRECISION, kev BIGINT NOT NULL, source TEXT, distribution TEXT, summary TEXT,"
	" paths TEXT NOT NULL, " ROWID ");"
	"CREATE INDEX vulnerabilities_by_scan ON vulnerabilities(scan_id);"
	"CREATE TABLE findings(" SCAN ","
	" finding_id TEXT NOT NULL, rule TEXT NOT NULL, category TEXT NOT NULL, severity TEXT NOT NULL,"
	" confidence TEXT NOT NULL, title TEXT NOT NULL, path TEXT NOT NULL, off BIGINT NOT NULL,"
	" evidence TEXT, " ROWID ");"
	"CREATE INDEX findings_by_scan ON findings(scan_id);",

	"ALTER TABLE scans ADD COLUMN inputs TEXT;"
	"ALTER TABLE scans ADD COLUMN job_id BIGINT;"
	"ALTER TABLE files ADD COLUMN rdev BIGINT;"
	"CREATE UNIQUE INDEX scans_by_job ON scans(job_id);"
	"CREATE TABLE analyses(sha256 TEXT NOT NULL, analyzer TEXT NOT NULL, inputs TEXT NOT NULL,"
	" result TEXT NOT NULL, " ROWID ", PRIMARY KEY(sha256, analyzer, inputs));"
	"CREATE TABLE copies(" SCAN ","
	" name TEXT NOT NULL, title TEXT, version TEXT NOT NULL, cpe TEXT, purl TEXT, path TEXT NOT NULL,"
	" off BIGINT NOT NULL, evidence TEXT, method TEXT, detail TEXT, " ROWID ");"
	"CREATE INDEX copies_by_scan ON copies(scan_id);"
	"CREATE TABLE binaries(" SCAN ","
	" sha256 TEXT NOT NULL, record TEXT NOT NULL, " ROWID ");"
	"CREATE INDEX binaries_by_scan ON binaries(scan_id);"
	"CREATE TABLE unsafe(" SCAN ","
	" family TEXT NOT NULL, unsafe TEXT, bounded TEXT, unsafe_calls BIGINT NOT NULL,"
	" unsafe_binaries BIGINT NOT NULL, bounded_calls BIGINT NOT NULL,"
	" bounded_binaries BIGINT NOT NULL, " ROWID ");"
	"CREATE INDEX unsafe_by_scan ON unsafe(scan_id);"
	"CREATE TABLE jobs(" ID ", image_path TEXT NOT NULL, state TEXT NOT NULL,"
	" submitted TEXT NOT NULL, worker TEXT, lease_until BIGINT, attempts BIGINT NOT NULL,"
	" scan_id BIGINT, error TEXT, finished TEXT);"
	"CREATE INDEX jobs_by_state ON jobs(state, id);"
	"CREATE INDEX jobs_by_path ON jobs(image_path);",

	"ALTER TABLE scans ADD COLUMN vulndb_sha256 TEXT;",
};

static const struct fv_db_ops pg_ops = {
	.dialect = "postgresql",
	.close = pg_close,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.bind_text = pg_bind_text,
	.bind_int = pg_bind_int,
	.bind_double = pg_bind_double,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.is_null = pg_is_null,
	.text = pg_text,
	.bytes = pg_bytes,
	.integer = pg_integer,
	.real = pg_real,
	.reset = pg_reset,
	.finalize = pg_finalize,
	.errmsg = pg_errmsg,
	.lock = pg_lock,
	.get_version = pg_get_version,
	.set_version = pg_set_version,
	.migrations = migrations,
	.nmigrations = (int)(sizeof migrations / sizeof migrations[0]),
	.begin_write = "BEGIN",
};
