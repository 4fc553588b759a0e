/*
 * The store: what fwvet learned of every image it scanned, kept so that
 * later commands (db list, db show, diff of stored scans, monitor) need not
 * unpack again.  One interface, several backends: SQLite, the embedded
 * default (a file), and PostgreSQL ("postgresql://...", a later step).
 *
 * A scan is written in one transaction, so a reader never sees half of one,
 * and a store is migrated to the current schema when it is opened: every
 * migration is numbered, and a store newer than this build is refused.
 */
#ifndef FV_STORE_STORE_H
#define FV_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

struct fv_unpack;
struct fv_inventory;
struct fv_results;
struct fv_json;
struct fv_store;

/* The schema version this build writes (and migrates older stores to). */
#define FV_STORE_SCHEMA 1

/*
 * The default store: $FWVET_DB, else $XDG_DATA_HOME/fwvet/fwvet.db, else
 * $HOME/.local/share/fwvet/fwvet.db.  Allocated; NULL when memory is short.
 */
char *fv_store_default_path(void);

/*
 * Opens the store named by spec (a file path for SQLite; a postgresql:// URI
 * gives FV_EUNSUP until that backend exists), creating it and its folder
 * when missing and migrating an older schema.  0, or a negative fv_err with
 * a message in err naming the store, what was expected and what was found.
 */
int fv_store_open(const char *spec, struct fv_store **out, char *err, size_t errlen);
void fv_store_close(struct fv_store *s);
/* The schema version of the open store (FV_STORE_SCHEMA once opened). */
int fv_store_schema(const struct fv_store *s);

/* What a scan was made with, beside what it found. */
struct fv_store_meta {
	const char *image_path;    /* as given on the command line */
	const char *tool_version;  /* FV_VERSION */
	const char *rules_sha256;  /* fv_analysis_rules_sha256() */
	const char *vulndb_date;   /* fv_analysis_vulndb_date(), or NULL */
	int64_t started;           /* seconds since the epoch (SOURCE_DATE_EPOCH when set, for tests) */
	uint64_t elapsed_ms;
};

/*
 * Records one scan: the image (by SHA-256, once however often it is
 * scanned), its extraction entries, its files (path, type, mode, owner,
 * size, content hash; each content once), and what the analysis found
 * (accounts, services, endpoints, components, vulnerabilities, findings,
 * extraction findings included).  One transaction: all or nothing.  *id is
 * the new scan's id.  0 or a negative fv_err with a message in err.
 */
int fv_store_record(struct fv_store *s, const struct fv_unpack *u, const struct fv_inventory *inv,
		    const struct fv_results *res, const struct fv_store_meta *m, int64_t *id, char *err,
		    size_t errlen);

/* One stored scan, as `fwvet db list` shows it. */
struct fv_store_row {
	int64_t id;
	const char *image_path, *image_sha256, *started; /* started: "2026-11-29T17:30:00Z" */
	uint64_t image_size;
	const char *tool_version;
	size_t files, components, vulnerabilities;
	size_t findings[5];        /* by enum fv_severity: info .. critical */
};

/* Calls fn for every stored scan, newest first; fn returns non-zero to stop.  0 or a negative fv_err. */
int fv_store_list(struct fv_store *s, int (*fn)(void *ctx, const struct fv_store_row *r), void *ctx,
		  char *err, size_t errlen);

/*
 * Writes stored scan id as one JSON object in the shape of the scan report
 * (image, tool, summary, extraction, files, accounts, services, endpoints,
 * components, vulnerabilities, findings), from the store alone.  FV_EUSAGE
 * with a message when there is no such scan.
 */
int fv_store_show_json(struct fv_store *s, int64_t id, struct fv_json *j, char *err, size_t errlen);

#endif
