/*
 * The store: what fwvet learned of every image it scanned, kept so that
 * later commands (db list, db show, diff of stored scans, monitor) need not
 * unpack again.  One interface over two databases (store/db.h): SQLite, the
 * embedded default (a file), and PostgreSQL ("postgresql://..."), for a
 * corpus shared by many workers.
 *
 * A scan is written in one transaction, so a reader never sees half of one,
 * and a store is migrated to the current schema when it is opened: every
 * migration is numbered, and a store newer than this build is refused.
 */
#ifndef FV_STORE_STORE_H
#define FV_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/run.h"
#include "inventory/inventory.h"
#include "unpack/engine.h"

struct fv_unpack;
struct fv_inventory;
struct fv_results;
struct fv_json;
struct fv_store;
struct fv_acache;
struct fv_actx;

/* The schema version this build writes (and migrates older stores to). */
#define FV_STORE_SCHEMA 3

/*
 * The default store: $FWVET_DB, else $XDG_DATA_HOME/fwvet/fwvet.db, else
 * $HOME/.local/share/fwvet/fwvet.db.  Allocated; NULL when memory is short.
 */
char *fv_store_default_path(void);

/*
 * Opens the store named by spec (a file path for SQLite, made with its
 * folder when missing; a postgresql:// URI), migrating an older schema.  0, or a negative fv_err with
 * a message in err naming the store, what was expected and what was found.
 */
int fv_store_open(const char *spec, struct fv_store **out, char *err, size_t errlen);
void fv_store_close(struct fv_store *s);
/* The schema version of the open store (FV_STORE_SCHEMA once opened). */
int fv_store_schema(const struct fv_store *s);
/* The store's name for messages: its path, or its URI without a password. */
const char *fv_store_name(const struct fv_store *s);

/* What a scan was made with, beside what it found. */
struct fv_store_meta {
	const char *image_path;    /* as given on the command line */
	const char *tool_version;  /* FV_VERSION */
	const char *rules_sha256;  /* fv_analysis_rules_sha256() */
	const char *vulndb_date;   /* fv_analysis_vulndb_date(), or NULL */
	const char *vulndb_sha256; /* fv_analysis_vulndb_sha256(), or NULL */
	int64_t started;           /* seconds since the epoch (SOURCE_DATE_EPOCH when set, for tests) */
	uint64_t elapsed_ms;
	const struct fv_actx *analysis; /* the run: each analyzer's input fingerprint is kept, or NULL */
	const char *inputs;        /* instead: the fingerprints as a JSON object (monitor), or NULL */
	int64_t job_id;            /* the queued job this scan finishes, or 0 */
	const char *worker;        /* with job_id: the worker holding it (queue.c) */
	const struct fv_acache *cache; /* analysis results the run computed, stored by content; or NULL */
};

/*
 * Records one scan: the image (by SHA-256, once however often it is
 * scanned), its extraction entries, its files (path, type, mode, owner,
 * size, content hash; each content once), and what the analysis found
 * (accounts, services, endpoints, components, vulnerabilities, findings,
 * extraction findings included), with the binaries, the unsafe-call table
 * and the component copies a report or monitor needs later, and the new
 * analysis results of m->cache.  One transaction: all or nothing.  *id is
 * the new scan's id.  0 or a negative fv_err with a message in err.
 */
int fv_store_record(struct fv_store *s, const struct fv_unpack *u, const struct fv_inventory *inv,
		    const struct fv_results *res, const struct fv_store_meta *m, int64_t *id, char *err,
		    size_t errlen);

/*
 * Puts into c every stored analysis result of inv's contents (c keeps those
 * made with this run's inputs), so that the analysis reuses them.
 */
int fv_store_cache_load(struct fv_store *s, const struct fv_inventory *inv, struct fv_acache *c, char *err,
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

/* Calls fn with the newest scan of every stored image, oldest image first; fn returns non-zero to stop. */
int fv_store_latest(struct fv_store *s, int (*fn)(void *ctx, int64_t id), void *ctx, char *err, size_t errlen);

/*
 * Writes stored scan id as one JSON object in the shape of the scan report
 * (image, tool, summary, extraction, files, accounts, services, endpoints,
 * components, vulnerabilities, findings), from the store alone.  FV_EUSAGE
 * with a message when there is no such scan.
 */
int fv_store_show_json(struct fv_store *s, int64_t id, struct fv_json *j, char *err, size_t errlen);

/*
 * One stored scan read back whole (load.c), in the structures the scan made,
 * so that the report and diff code that rendered the scan renders it again.
 * The files' bytes are not stored: inv's files have no disk path
 * (fv_inventory_map fails), and elf_class/elf_be and device numbers are 0.
 */
struct fv_stored {
	int64_t id;
	struct fv_unpack u;       /* image, extraction entries, files, extraction findings */
	struct fv_inventory inv;  /* files typed as stored, grouped by content, lookups working */
	struct fv_results res;    /* analysis findings and records */
	char *tool_version;       /* the fwvet that made the scan */
	char *rules_sha256, *vulndb_date, *vulndb_sha256; /* NULL when the scan had none */
	char *started;            /* "2026-11-29T17:30:00Z", as stored */
	int64_t started_epoch;    /* the same in seconds, or -1 when it does not parse */
	uint64_t elapsed_ms;      /* as the scan's report printed it */
	char *inputs;             /* analyzer name -> input fingerprint (a JSON object), or NULL */
};

/*
 * Reads stored scan id into out (zeroed first) in one read transaction,
 * through db.h only.  Every stored value is checked: a value that is not
 * what the scan writes (a NULL where the report needs text, bad JSON, a
 * number out of range) fails with a message naming the table, its rowid,
 * the column, what was expected and what was found.  FV_EUSAGE with
 * "no scan N in <store>" when there is none; FV_EFORMAT for a bad value.
 */
int fv_store_load(struct fv_store *s, int64_t id, struct fv_stored *out, char *err, size_t errlen);
void fv_stored_free(struct fv_stored *st);

/* ---- the job queue (queue.c): fwvet submit, fwvet worker, fwvet db status ---- */

/* A job abandoned (its lease ran out) on this many claims is failed, not claimed again. */
#define FV_QUEUE_ATTEMPTS 3

enum { FV_JOB_QUEUED, FV_JOB_RUNNING, FV_JOB_DONE, FV_JOB_FAILED, FV_JOB_NSTATES };
/* "queued", "running", "done", "failed". */
const char *fv_job_state_name(int state);

/* One image to queue: image as given; the rest filled by fv_store_submit. */
struct fv_job_submit {
	const char *image;
	char *path;   /* realpath(image): what workers open */
	int64_t id;   /* its job (the one already waiting, when queued is 0) */
	int queued;   /* 1 queued now; 0 the same path was already queued or running */
	int running;  /* with queued 0: that job is running */
};

/*
 * Queues every image, in one transaction: each path made absolute first (a
 * path that does not resolve queues nothing: FV_EUSAGE naming it), and a
 * path already queued or running (or given twice) is not queued again.
 * 0 or a negative fv_err with a message; fv_store_submit_free afterwards.
 */
int fv_store_submit(struct fv_store *s, struct fv_job_submit *jobs, size_t n, char *err, size_t errlen);
void fv_store_submit_free(struct fv_job_submit *jobs, size_t n);

/* A claimed job. */
struct fv_job {
	int64_t id;
	int64_t attempts;   /* this claim included */
	char *image_path;
};

/*
 * Claims the oldest job whose lease ran out, else the oldest queued one,
 * for worker, leased for lease seconds from now; jobs abandoned
 * FV_QUEUE_ATTEMPTS times are failed first.  1 claimed (fv_job_free
 * afterwards), 0 nothing to claim, or a negative fv_err with a message.
 */
int fv_store_claim(struct fv_store *s, const char *worker, unsigned lease, struct fv_job *job, char *err,
		   size_t errlen);
void fv_job_free(struct fv_job *job);

/*
 * Of a job worker holds: renew its lease to lease seconds from now; fail it
 * with error; put it back in the queue (error kept for db status).  Each:
 * 1 done, 0 worker no longer holds it, or a negative fv_err with a message.
 */
int fv_store_renew(struct fv_store *s, int64_t id, const char *worker, unsigned lease, char *err, size_t errlen);
int fv_store_job_fail(struct fv_store *s, int64_t id, const char *worker, const char *error, char *err,
		      size_t errlen);
int fv_store_job_release(struct fv_store *s, int64_t id, const char *worker, const char *error, char *err,
			 size_t errlen);

/* Jobs by state (indexed by FV_JOB_*).  0 or a negative fv_err with a message. */
int fv_store_queue_counts(struct fv_store *s, int64_t counts[FV_JOB_NSTATES], char *err, size_t errlen);

/* One job as db status shows it; every string owned, "" when the column is empty. */
struct fv_job_info {
	int64_t id, attempts;
	int64_t lease_left;   /* running: seconds until the lease runs out (negative: ran out) */
	char *image_path, *worker, *finished, *error;
};

struct fv_queue_status {
	int64_t counts[FV_JOB_NSTATES];
	struct fv_job_info *running;   /* every running job, oldest first */
	size_t nrunning;
	struct fv_job_info *failed;    /* the latest failures, newest first */
	size_t nfailed;
};

/* The queue: counts, running jobs, and at most max_failed failures.  fv_queue_status_free afterwards. */
int fv_store_queue_status(struct fv_store *s, size_t max_failed, struct fv_queue_status *q, char *err,
			  size_t errlen);
void fv_queue_status_free(struct fv_queue_status *q);

#endif
