/*
 * The store's front: where the default store lives, which database a spec
 * names, migrating it to the current schema, and the small helpers the
 * other files of src/store/ share.
 */
#include "store/handle.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"

static char *join(const char *dir, const char *rest)
{
	size_t n = strlen(dir) + strlen(rest) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", dir, rest);
	return p;
}

char *fv_store_default_path(void)
{
	const char *e = getenv("FWVET_DB");
	if (e && *e)
		return strdup(e);
	/* The XDG spec says a relative $XDG_DATA_HOME is invalid and to be ignored. */
	e = getenv("XDG_DATA_HOME");
	if (e && *e == '/')
		return join(e, "fwvet/fwvet.db");
	e = getenv("HOME");
	if (!e || *e != '/') {
		const struct passwd *pw = getpwuid(getuid());
		e = pw && pw->pw_dir && *pw->pw_dir == '/' ? pw->pw_dir : ".";
	}
	return join(e, ".local/share/fwvet/fwvet.db");
}

int fv_store_fail(struct fv_store *s, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s: %s", s->db->name, what, fv_db_errmsg(s->db));
	return FV_EIO;
}

int fv_store_run(struct fv_store *s, struct fv_dbst *st, const char *what, char *err, size_t errlen)
{
	int rc = fv_db_step(st);
	if (rc < 0)
		fv_store_fail(s, what, err, errlen);
	fv_db_reset(st);
	return rc < 0 ? rc : FV_OK;
}

int fv_store_count(struct fv_store *s, const char *sql, int64_t id, const char *text, int64_t *out)
{
	struct fv_dbst *st = NULL;
	int rc = fv_db_prepare(s->db, sql, &st);
	if (rc)
		return rc;
	fv_db_int_bind(st, 1, id);
	if (text)
		fv_db_text_bind(st, 2, text);
	rc = fv_db_step(st);
	if (rc == FV_DB_ROW) {
		*out = fv_db_int(st, 0);
		rc = FV_OK;
	} else if (rc == FV_DB_DONE) {
		rc = FV_EIO;
	}
	fv_db_finalize(st);
	return rc;
}

void fv_store_iso_time(int64_t t, char out[32])
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

static int too_new(struct fv_store *s, int ver, char *err, size_t errlen)
{
	snprintf(err, errlen,
		 "%s: expected a fwvet store of schema version %d or older, found version %d"
		 " (written by a newer fwvet)",
		 s->db->name, FV_STORE_SCHEMA, ver);
	return FV_EUNSUP;
}

/*
 * Each migration in a transaction of its own, taken with the driver's lock
 * and the version read again inside it: of two processes opening a fresh
 * store, the second waits for the first and then finds nothing to do.
 */
static int migrate(struct fv_store *s, char *err, size_t errlen)
{
	const struct fv_db_ops *ops = s->db->ops;
	for (;;) {
		int ver = 0;
		if (ops->lock(s->db))
			return fv_store_fail(s, "cannot lock the store to migrate it", err, errlen);
		if (ops->get_version(s->db, &ver)) {
			fv_store_fail(s, "cannot read the schema version", err, errlen);
			break;
		}
		if (ver > FV_STORE_SCHEMA) {
			fv_db_exec(s->db, "ROLLBACK");
			return too_new(s, ver, err, errlen);
		}
		if (ver < 0 || ver > ops->nmigrations) {
			snprintf(err, errlen, "%s: expected a fwvet store, found schema version %d", s->db->name, ver);
			break;
		}
		if (ver == FV_STORE_SCHEMA) {
			s->schema = ver;
			if (fv_db_exec(s->db, "COMMIT"))
				return fv_store_fail(s, "cannot end the migration", err, errlen);
			return FV_OK;
		}
		char what[64];
		snprintf(what, sizeof what, "migrating the schema from version %d to %d", ver, ver + 1);
		if (fv_db_exec(s->db, ops->migrations[ver]) || ops->set_version(s->db, ver + 1) ||
		    fv_db_exec(s->db, "COMMIT")) {
			fv_store_fail(s, what, err, errlen);
			break;
		}
	}
	fv_db_exec(s->db, "ROLLBACK");
	return FV_EFORMAT;
}

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

int fv_store_open(const char *spec, struct fv_store **out, char *err, size_t errlen)
{
	*out = NULL;
	if (!spec || !*spec) {
		snprintf(err, errlen, "expected a store (a file path or a postgresql:// URI), found an empty name");
		return FV_EUSAGE;
	}
	struct fv_store *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "%s: out of memory", spec);
		return FV_ENOMEM;
	}
	int rc = has_prefix(spec, "postgresql://") || has_prefix(spec, "postgres://")
			 ? fv_db_pg_open(spec, &s->db, err, errlen)
			 : fv_db_sqlite_open(spec, &s->db, err, errlen);
	if (!rc)
		rc = migrate(s, err, errlen);
	if (rc) {
		fv_store_close(s);
		return rc;
	}
	*out = s;
	return FV_OK;
}

void fv_store_close(struct fv_store *s)
{
	if (!s)
		return;
	for (int i = 0; i < FV_ST_N; i++)
		fv_db_finalize(s->st[i]);
	fv_db_close(s->db);
	free(s);
}

int fv_store_schema(const struct fv_store *s)
{
	return s->schema;
}

const char *fv_store_name(const struct fv_store *s)
{
	return s->db->name;
}
