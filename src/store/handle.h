/*
 * The store's handle, shared by the files of src/store/ and nobody else:
 * the database it talks to (db.h) and the statements it keeps prepared.
 */
#ifndef FV_STORE_HANDLE_H
#define FV_STORE_HANDLE_H

#include <stddef.h>

#include "store/db.h"
#include "store/store.h"

/* Statements fv_store_record prepares once per open store (record.c). */
enum {
	FV_ST_IMAGE, FV_ST_SCAN, FV_ST_CONTENT, FV_ST_ENTRY, FV_ST_FILE, FV_ST_ACCOUNT, FV_ST_SERVICE,
	FV_ST_ENDPOINT, FV_ST_COMPONENT, FV_ST_VULN, FV_ST_FINDING, FV_ST_COPY, FV_ST_BINARY, FV_ST_UNSAFE,
	FV_ST_JOB_DONE, FV_ST_ANALYSIS, FV_ST_N
};

struct fv_store {
	struct fv_db *db;
	int schema;
	struct fv_dbst *st[FV_ST_N];
};

/* "<store>: <what>: <the database's message>"; FV_EIO. */
int fv_store_fail(struct fv_store *s, const char *what, char *err, size_t errlen);

/* Runs one statement to its end, then resets it for the next use.  0 or FV_EIO with a message. */
int fv_store_run(struct fv_store *s, struct fv_dbst *st, const char *what, char *err, size_t errlen);

/* One integer from sql with ?1 bound to id and ?2 (when not NULL) to text.  0 or a negative fv_err. */
int fv_store_count(struct fv_store *s, const char *sql, int64_t id, const char *text, int64_t *out);

/* "2026-11-29T17:30:00Z" for t (seconds since the epoch). */
void fv_store_iso_time(int64_t t, char out[32]);

#endif
