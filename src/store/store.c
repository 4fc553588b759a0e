/*
 * The store's front: where the default store lives, and which backend a
 * spec names.  Everything else is the backend's (sqlite.c).
 */
#include "store/backend.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	if (has_prefix(spec, "postgresql://") || has_prefix(spec, "postgres://")) {
		/* The URI may carry a password: name the scheme only. */
		snprintf(err, errlen, "%.*s: the PostgreSQL backend is not built yet; use a SQLite file path",
			 (int)(strchr(spec, ':') - spec + 3), spec);
		return FV_EUNSUP;
	}
	return fv_store_sqlite_open(spec, out, err, errlen);
}

void fv_store_close(struct fv_store *s)
{
	if (s)
		s->ops->close(s);
}

int fv_store_schema(const struct fv_store *s)
{
	return s->schema;
}

int fv_store_record(struct fv_store *s, const struct fv_unpack *u, const struct fv_inventory *inv,
		    const struct fv_results *res, const struct fv_store_meta *m, int64_t *id, char *err,
		    size_t errlen)
{
	return s->ops->record(s, u, inv, res, m, id, err, errlen);
}

int fv_store_list(struct fv_store *s, int (*fn)(void *ctx, const struct fv_store_row *r), void *ctx,
		  char *err, size_t errlen)
{
	return s->ops->list(s, fn, ctx, err, errlen);
}

int fv_store_show_json(struct fv_store *s, int64_t id, struct fv_json *j, char *err, size_t errlen)
{
	return s->ops->show_json(s, id, j, err, errlen);
}
