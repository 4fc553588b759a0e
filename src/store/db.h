/*
 * A SQL connection as the store uses it: the few calls it needs, the same
 * for SQLite (db_sqlite.c) and PostgreSQL (db_pg.c), so that the store's
 * queries are written once (sql.c).
 *
 * Statements use ?1, ?2 ... for parameters (the PostgreSQL driver reads
 * them as $1, $2 ...).  Values travel as text, 64-bit integers or doubles;
 * a column read back as an integer from a text value is parsed.  Every
 * table keeps its insertion order in a column both dialects call rowid:
 * SQLite's implicit one, PostgreSQL's identity column of that name.
 */
#ifndef FV_STORE_DB_H
#define FV_STORE_DB_H

#include <stddef.h>
#include <stdint.h>

struct fv_db;
struct fv_dbst;

/* fv_db_step's answers (errors are negative fv_err codes). */
enum { FV_DB_DONE = 0, FV_DB_ROW = 1 };

struct fv_db_ops {
	const char *dialect; /* "sqlite", "postgresql" */
	void (*close)(struct fv_db *db);
	int (*exec)(struct fv_db *db, const char *sql);
	int (*prepare)(struct fv_db *db, const char *sql, struct fv_dbst **out);
	void (*bind_text)(struct fv_dbst *st, int i, const char *v); /* v NULL: SQL NULL */
	void (*bind_int)(struct fv_dbst *st, int i, int64_t v);
	void (*bind_double)(struct fv_dbst *st, int i, double v);
	void (*bind_null)(struct fv_dbst *st, int i);
	int (*step)(struct fv_dbst *st);
	int (*is_null)(struct fv_dbst *st, int i);
	const char *(*text)(struct fv_dbst *st, int i); /* NULL for SQL NULL; valid until the next step */
	size_t (*bytes)(struct fv_dbst *st, int i);
	int64_t (*integer)(struct fv_dbst *st, int i);
	double (*real)(struct fv_dbst *st, int i);
	void (*reset)(struct fv_dbst *st); /* ready to bind and step again; bindings cleared */
	void (*finalize)(struct fv_dbst *st);
	const char *(*errmsg)(struct fv_db *db);
	/*
	 * The schema version and migrating: lock() takes the store for a
	 * migration inside a transaction it begins (SQLite BEGIN IMMEDIATE,
	 * PostgreSQL an advisory lock), so that of two processes opening a
	 * fresh store the second waits and then finds nothing to do.
	 */
	int (*lock)(struct fv_db *db);
	int (*get_version)(struct fv_db *db, int *ver);
	int (*set_version)(struct fv_db *db, int ver);
	/* migrations[i] takes the dialect's schema from version i to i + 1. */
	const char *const *migrations;
	int nmigrations;
	/* Begins the transaction a scan is written in (SQLite: BEGIN IMMEDIATE). */
	const char *begin_write;
};

struct fv_db {
	const struct fv_db_ops *ops;
	char *name; /* for messages: a file path, or a URI without its password */
};

/* A driver's statement starts with this, so one pointer serves both. */
struct fv_dbst {
	struct fv_db *db;
};

/* Calls through the driver, so that the store's code reads as plain calls. */
static inline int fv_db_exec(struct fv_db *db, const char *sql) { return db->ops->exec(db, sql); }
static inline int fv_db_prepare(struct fv_db *db, const char *sql, struct fv_dbst **out)
{
	return db->ops->prepare(db, sql, out);
}
static inline const char *fv_db_errmsg(struct fv_db *db) { return db->ops->errmsg(db); }
static inline void fv_db_close(struct fv_db *db) { if (db) db->ops->close(db); }
static inline void fv_db_text_bind(struct fv_dbst *st, int i, const char *v) { st->db->ops->bind_text(st, i, v); }
static inline void fv_db_int_bind(struct fv_dbst *st, int i, int64_t v) { st->db->ops->bind_int(st, i, v); }
static inline void fv_db_double_bind(struct fv_dbst *st, int i, double v) { st->db->ops->bind_double(st, i, v); }
static inline void fv_db_null_bind(struct fv_dbst *st, int i) { st->db->ops->bind_null(st, i); }
static inline int fv_db_step(struct fv_dbst *st) { return st->db->ops->step(st); }
static inline int fv_db_is_null(struct fv_dbst *st, int i) { return st->db->ops->is_null(st, i); }
static inline const char *fv_db_text(struct fv_dbst *st, int i) { return st->db->ops->text(st, i); }
static inline size_t fv_db_bytes(struct fv_dbst *st, int i) { return st->db->ops->bytes(st, i); }
static inline int64_t fv_db_int(struct fv_dbst *st, int i) { return st->db->ops->integer(st, i); }
static inline double fv_db_real(struct fv_dbst *st, int i) { return st->db->ops->real(st, i); }
static inline void fv_db_reset(struct fv_dbst *st) { st->db->ops->reset(st); }
static inline void fv_db_finalize(struct fv_dbst *st) { if (st) st->db->ops->finalize(st); }

/*
 * Opens a database.  0, or a negative fv_err with a message in err naming
 * it, what was expected and what was found.
 */
int fv_db_sqlite_open(const char *path, struct fv_db **out, char *err, size_t errlen);
int fv_db_pg_open(const char *uri, struct fv_db **out, char *err, size_t errlen);

#endif
