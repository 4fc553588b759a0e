/*
 * The job queue: images submitted for scanning by workers (fwvet submit,
 * fwvet worker), kept in the jobs table of the store.
 *
 * A worker claims a job for a lease (seconds since the epoch, from the
 * clock, never SOURCE_DATE_EPOCH: leases are compared across machines and
 * processes) and renews it while it works; a job whose lease ran out is
 * claimed again by the next worker, and one abandoned on each of
 * FV_QUEUE_ATTEMPTS claims is failed rather than retried forever (an image
 * that kills every worker that reads it).  The result of a job is written
 * by fv_store_record in the transaction that marks the job done, and only
 * while the worker still holds it (record.c).
 *
 * Claims are serialized by the write transaction on SQLite (BEGIN
 * IMMEDIATE) and by row locks on PostgreSQL, where FOR UPDATE SKIP LOCKED
 * lets concurrent claimers pass over each other's rows instead of waiting.
 */
#include "store/handle.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"

/* Serializes submissions on PostgreSQL ("fwvet" in ASCII, plus one: the migration lock is the key itself). */
#define SUBMIT_LOCK "440090912117"

static int pg(const struct fv_store *s)
{
	return !strcmp(s->db->ops->dialect, "postgresql");
}

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

/* Ends a failed transaction, keeping the first message. */
static int abort_tx(struct fv_store *s, struct fv_dbst *st, int rc)
{
	fv_db_finalize(st);
	fv_db_exec(s->db, "ROLLBACK");
	return rc;
}

/* ---- submit ---------------------------------------------------------------------- */

struct pending {
	const char *path;
	int64_t id;
	int running;
};

static int cmp_pending(const void *a, const void *b)
{
	return strcmp(((const struct pending *)a)->path, ((const struct pending *)b)->path);
}

/* The jobs waiting or being worked on, by path (their texts in *texts, one allocation each). */
static int load_pending(struct fv_store *s, struct pending **out, size_t *n, char ***texts, char *err,
			size_t errlen)
{
	struct fv_dbst *st = NULL;
	struct pending *p = NULL;
	char **t = NULL;
	size_t cap = 0, k = 0;
	*out = NULL;
	*texts = NULL;
	*n = 0;
	if (fv_db_prepare(s->db, "SELECT id, image_path, state FROM jobs WHERE state IN ('queued', 'running')",
			  &st))
		return fv_store_fail(s, "reading the queue", err, errlen);
	int r;
	while ((r = fv_db_step(st)) == FV_DB_ROW) {
		const char *path = fv_db_text(st, 1), *state = fv_db_text(st, 2);
		if (!path)
			continue;
		if (k == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct pending *np = realloc(p, nc * sizeof *np);
			char **nt = np ? realloc(t, nc * sizeof *nt) : NULL;
			if (np)
				p = np;
			if (nt)
				t = nt;
			if (!np || !nt)
				goto nomem;
			cap = nc;
		}
		if (!(t[k] = strdup(path)))
			goto nomem;
		p[k].path = t[k];
		p[k].id = fv_db_int(st, 0);
		p[k].running = state && !strcmp(state, "running");
		k++;
	}
	if (r < 0) {
		fv_store_fail(s, "reading the queue", err, errlen);
		goto fail;
	}
	fv_db_finalize(st);
	if (k)
		qsort(p, k, sizeof *p, cmp_pending);
	*out = p;
	*texts = t;
	*n = k;
	return FV_OK;
nomem:
	snprintf(err, errlen, "%s: out of memory reading the queue", s->db->name);
	r = FV_ENOMEM;
fail:
	fv_db_finalize(st);
	for (size_t i = 0; i < k; i++)
		free(t[i]);
	free(t);
	free(p);
	return r < 0 ? r : FV_EIO;
}

/* Indexes of the batch sorted by path, then by position: the first of equal paths leads. */
static int cmp_index(const void *a, const void *b, void *ctx)
{
	const struct fv_job_submit *jobs = ctx;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(jobs[i].path, jobs[j].path);
	return c ? c : i < j ? -1 : i > j;
}

static int resolve(struct fv_job_submit *jobs, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		jobs[i].path = realpath(jobs[i].image, NULL);
		if (!jobs[i].path) {
			int e = errno;
			snprintf(err, errlen, "%s: cannot queue it: %s (a worker must be able to read it by its path)",
				 jobs[i].image, strerror(e));
			return e == ENOMEM ? FV_ENOMEM : FV_EUSAGE;
		}
	}
	return FV_OK;
}

int fv_store_submit(struct fv_store *s, struct fv_job_submit *jobs, size_t n, char *err, size_t errlen)
{
	*err = 0;
	for (size_t i = 0; i < n; i++) {
		jobs[i].path = NULL;
		jobs[i].id = 0;
		jobs[i].queued = 0;
		jobs[i].running = 0;
	}
	int rc = resolve(jobs, n, err, errlen);
	size_t *order = rc ? NULL : malloc((n ? n : 1) * sizeof *order);
	if (!rc && !order) {
		snprintf(err, errlen, "%s: out of memory queueing %zu images", s->db->name, n);
		rc = FV_ENOMEM;
	}
	if (rc)
		return rc;
	/* Leaders of equal paths in the batch: lead[i] is i, or the earlier index it repeats. */
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof *order, cmp_index, jobs);
	size_t *lead = malloc((n ? n : 1) * sizeof *lead);
	if (!lead) {
		free(order);
		snprintf(err, errlen, "%s: out of memory queueing %zu images", s->db->name, n);
		return FV_ENOMEM;
	}
	for (size_t k = 0; k < n; k++)
		lead[order[k]] = k && !strcmp(jobs[order[k]].path, jobs[order[k - 1]].path) ? lead[order[k - 1]]
											    : order[k];
	free(order);

	struct pending *p = NULL;
	char **texts = NULL;
	size_t np = 0;
	struct fv_dbst *st = NULL;
	if (fv_db_exec(s->db, s->db->ops->begin_write) ||
	    (pg(s) && fv_db_exec(s->db, "SELECT pg_advisory_xact_lock(" SUBMIT_LOCK ")"))) {
		rc = fv_store_fail(s, "cannot lock the queue to submit", err, errlen);
		fv_db_exec(s->db, "ROLLBACK");
		free(lead);
		return rc;
	}
	rc = load_pending(s, &p, &np, &texts, err, errlen);
	if (!rc && fv_db_prepare(s->db, "INSERT INTO jobs(image_path, state, submitted, attempts)"
				 " VALUES(?1, 'queued', ?2, 0) RETURNING id", &st))
		rc = fv_store_fail(s, "preparing to queue", err, errlen);
	char submitted[32];
	fv_store_iso_time(now_s(), submitted);
	for (size_t i = 0; i < n && !rc; i++) {
		if (lead[i] != i) {
			jobs[i].id = jobs[lead[i]].id;
			jobs[i].running = jobs[lead[i]].running;
			continue;
		}
		struct pending key = { .path = jobs[i].path };
		const struct pending *hit = np ? bsearch(&key, p, np, sizeof *p, cmp_pending) : NULL;
		if (hit) {
			jobs[i].id = hit->id;
			jobs[i].running = hit->running;
			continue;
		}
		fv_db_text_bind(st, 1, jobs[i].path);
		fv_db_text_bind(st, 2, submitted);
		if (fv_db_step(st) != FV_DB_ROW) {
			rc = fv_store_fail(s, "queueing an image", err, errlen);
			break;
		}
		jobs[i].id = fv_db_int(st, 0);
		jobs[i].queued = 1;
		fv_db_reset(st);
	}
	for (size_t i = 0; i < np; i++)
		free(texts[i]);
	free(texts);
	free(p);
	free(lead);
	if (rc)
		return abort_tx(s, st, rc);
	fv_db_finalize(st);
	if (fv_db_exec(s->db, "COMMIT")) {
		rc = fv_store_fail(s, "committing the queued jobs", err, errlen);
		fv_db_exec(s->db, "ROLLBACK");
		for (size_t i = 0; i < n; i++)
			jobs[i].queued = 0;
	}
	return rc;
}

void fv_store_submit_free(struct fv_job_submit *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(jobs[i].path);
		jobs[i].path = NULL;
	}
}

/* ---- claim, renew, end ----------------------------------------------------------- */

/*
 * Two probes, each an index seek on jobs_by_state(state, id): the oldest
 * job whose lease ran out (its worker died or stalled), then the oldest
 * queued one.  One probe with OR would scan every job ever done.
 */
static const char claim_sql[2][2][400] = {
	{
		"UPDATE jobs SET state = 'running', worker = ?1, lease_until = ?2, attempts = attempts + 1"
		" WHERE id = (SELECT id FROM jobs WHERE state = 'running' AND lease_until < ?3"
		" ORDER BY id LIMIT 1) RETURNING id, image_path, attempts",
		"UPDATE jobs SET state = 'running', worker = ?1, lease_until = ?2, attempts = attempts + 1"
		" WHERE id = (SELECT id FROM jobs WHERE state = 'queued'"
		" ORDER BY id LIMIT 1) RETURNING id, image_path, attempts",
	},
	{
		"UPDATE jobs SET state = 'running', worker = ?1, lease_until = ?2, attempts = attempts + 1"
		" WHERE id = (SELECT id FROM jobs WHERE state = 'running' AND lease_until < ?3"
		" ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, image_path, attempts",
		"UPDATE jobs SET state = 'running', worker = ?1, lease_until = ?2, attempts = attempts + 1"
		" WHERE id = (SELECT id FROM jobs WHERE state = 'queued'"
		" ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, image_path, attempts",
	},
};

/* Jobs abandoned on every allowed claim are failed, not claimed once more. */
static int give_up(struct fv_store *s, int64_t now, char *err, size_t errlen)
{
	struct fv_dbst *st = NULL;
	if (fv_db_prepare(s->db, "UPDATE jobs SET state = 'failed', finished = ?1,"
			  " error = CAST(?2 AS TEXT) || worker || ')'"
			  " WHERE state = 'running' AND lease_until < ?3 AND attempts >= ?4", &st))
		return fv_store_fail(s, "failing abandoned jobs", err, errlen);
	char fin[32], why[128];
	fv_store_iso_time(now, fin);
	snprintf(why, sizeof why, "abandoned %d times: the lease ran out before the scan was written (last worker ",
		 FV_QUEUE_ATTEMPTS);
	fv_db_text_bind(st, 1, fin);
	fv_db_text_bind(st, 2, why);
	fv_db_int_bind(st, 3, now);
	fv_db_int_bind(st, 4, FV_QUEUE_ATTEMPTS);
	int rc = fv_store_run(s, st, "failing abandoned jobs", err, errlen);
	fv_db_finalize(st);
	return rc;
}

int fv_store_claim(struct fv_store *s, const char *worker, unsigned lease, struct fv_job *job, char *err,
		   size_t errlen)
{
	*err = 0;
	memset(job, 0, sizeof *job);
	int64_t now = now_s();
	if (fv_db_exec(s->db, s->db->ops->begin_write)) {
		int rc = fv_store_fail(s, "cannot lock the queue to claim a job", err, errlen);
		fv_db_exec(s->db, "ROLLBACK");
		return rc;
	}
	int rc = give_up(s, now, err, errlen);
	if (rc)
		return abort_tx(s, NULL, rc);
	struct fv_dbst *st = NULL;
	int got = 0;
	for (int k = 0; k < 2 && !got; k++) {
		if (fv_db_prepare(s->db, claim_sql[pg(s)][k], &st))
			return abort_tx(s, NULL, fv_store_fail(s, "claiming a job", err, errlen));
		fv_db_text_bind(st, 1, worker);
		fv_db_int_bind(st, 2, now + (int64_t)lease);
		if (k == 0)
			fv_db_int_bind(st, 3, now);
		int r = fv_db_step(st);
		if (r < 0)
			return abort_tx(s, st, fv_store_fail(s, "claiming a job", err, errlen));
		if (r == FV_DB_ROW) {
			const char *path = fv_db_text(st, 1);
			job->id = fv_db_int(st, 0);
			job->attempts = fv_db_int(st, 2);
			if (!path || !(job->image_path = strdup(path))) {
				snprintf(err, errlen, "%s: job %lld: %s", s->db->name, (long long)job->id,
					 path ? "out of memory" : "expected an image path, found none");
				return abort_tx(s, st, path ? FV_ENOMEM : FV_EFORMAT);
			}
			got = 1;
		}
		fv_db_finalize(st);
		st = NULL;
	}
	if (fv_db_exec(s->db, "COMMIT")) {
		rc = fv_store_fail(s, "committing the claim", err, errlen);
		fv_db_exec(s->db, "ROLLBACK");
		fv_job_free(job);
		return rc;
	}
	return got;
}

void fv_job_free(struct fv_job *job)
{
	free(job->image_path);
	job->image_path = NULL;
}

/*
 * One UPDATE ... RETURNING id of a job this worker holds, ?1 its id and ?2
 * the worker, ?3 and ?4 as given (NULL text: not bound): 1 done, 0 the job
 * is no longer ours, or a negative fv_err.
 */
static int held_update(struct fv_store *s, const char *sql, int64_t id, const char *worker, const char *t3,
		       int64_t i3, const char *t4, const char *what, char *err, size_t errlen)
{
	struct fv_dbst *st = NULL;
	*err = 0;
	if (fv_db_prepare(s->db, sql, &st))
		return fv_store_fail(s, what, err, errlen);
	fv_db_int_bind(st, 1, id);
	fv_db_text_bind(st, 2, worker);
	if (t3)
		fv_db_text_bind(st, 3, t3);
	else
		fv_db_int_bind(st, 3, i3);
	if (t4)
		fv_db_text_bind(st, 4, t4);
	int r = fv_db_step(st);
	if (r < 0)
		fv_store_fail(s, what, err, errlen);
	fv_db_finalize(st);
	return r < 0 ? r : r == FV_DB_ROW;
}

int fv_store_renew(struct fv_store *s, int64_t id, const char *worker, unsigned lease, char *err, size_t errlen)
{
	return held_update(s, "UPDATE jobs SET lease_until = ?3 WHERE id = ?1 AND worker = ?2"
			   " AND state = 'running' RETURNING id", id, worker, NULL, now_s() + (int64_t)lease, NULL,
			   "renewing the lease", err, errlen);
}

int fv_store_job_fail(struct fv_store *s, int64_t id, const char *worker, const char *error, char *err,
		      size_t errlen)
{
	char fin[32];
	fv_store_iso_time(now_s(), fin);
	return held_update(s, "UPDATE jobs SET state = 'failed', error = ?3, finished = ?4, lease_until = NULL"
			   " WHERE id = ?1 AND worker = ?2 AND state = 'running' RETURNING id", id, worker,
			   error ? error : "failed", 0, fin, "failing a job", err, errlen);
}

int fv_store_job_release(struct fv_store *s, int64_t id, const char *worker, const char *error, char *err,
			 size_t errlen)
{
	return held_update(s, "UPDATE jobs SET state = 'queued', worker = NULL, lease_until = NULL, error = ?3"
			   " WHERE id = ?1 AND worker = ?2 AND state = 'running' RETURNING id", id, worker,
			   error ? error : "released", 0, NULL, "putting a job back in the queue", err, errlen);
}

/* ---- status ---------------------------------------------------------------------- */

static const char *const state_names[FV_JOB_NSTATES] = { "queued", "running", "done", "failed" };

const char *fv_job_state_name(int state)
{
	return state >= 0 && state < FV_JOB_NSTATES ? state_names[state] : "?";
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

int fv_store_queue_counts(struct fv_store *s, int64_t counts[FV_JOB_NSTATES], char *err, size_t errlen)
{
	*err = 0;
	struct fv_dbst *st = NULL;
	for (int i = 0; i < FV_JOB_NSTATES; i++)
		counts[i] = 0;
	if (fv_db_prepare(s->db, "SELECT state, count(*) FROM jobs GROUP BY state", &st))
		return fv_store_fail(s, "counting jobs", err, errlen);
	int r;
	while ((r = fv_db_step(st)) == FV_DB_ROW) {
		const char *state = fv_db_text(st, 0);
		for (int i = 0; i < FV_JOB_NSTATES && state; i++)
			if (!strcmp(state, state_names[i]))
				counts[i] = fv_db_int(st, 1);
	}
	if (r < 0)
		fv_store_fail(s, "counting jobs", err, errlen);
	fv_db_finalize(st);
	return r < 0 ? r : FV_OK;
}

/* Rows of sql (id, image_path, worker or finished, lease_until, attempts, error) appended to *out. */
static int status_rows(struct fv_store *s, const char *sql, int64_t limit, struct fv_job_info **out, size_t *n,
		       int64_t now, char *err, size_t errlen)
{
	struct fv_dbst *st = NULL;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	if (fv_db_prepare(s->db, sql, &st))
		return fv_store_fail(s, "reading the queue", err, errlen);
	if (limit)
		fv_db_int_bind(st, 1, limit);
	int r;
	while ((r = fv_db_step(st)) == FV_DB_ROW) {
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct fv_job_info *p = realloc(*out, nc * sizeof *p);
			if (!p) {
				r = FV_ENOMEM;
				break;
			}
			*out = p;
			cap = nc;
		}
		struct fv_job_info *j = &(*out)[*n];
		memset(j, 0, sizeof *j);
		j->id = fv_db_int(st, 0);
		j->attempts = fv_db_int(st, 4);
		j->lease_left = fv_db_is_null(st, 3) ? 0 : fv_db_int(st, 3) - now;
		j->image_path = dup_or_empty(fv_db_text(st, 1));
		j->worker = dup_or_empty(fv_db_text(st, 2));
		j->finished = dup_or_empty(fv_db_text(st, 5));
		j->error = dup_or_empty(fv_db_text(st, 6));
		(*n)++;
		if (!j->image_path || !j->worker || !j->finished || !j->error) {
			r = FV_ENOMEM;
			break;
		}
	}
	if (r == FV_ENOMEM)
		snprintf(err, errlen, "%s: out of memory reading the queue", s->db->name);
	else if (r < 0)
		fv_store_fail(s, "reading the queue", err, errlen);
	fv_db_finalize(st);
	return r < 0 ? r : FV_OK;
}

int fv_store_queue_status(struct fv_store *s, size_t max_failed, struct fv_queue_status *q, char *err,
			  size_t errlen)
{
	memset(q, 0, sizeof *q);
	int64_t now = now_s();
	int rc = fv_store_queue_counts(s, q->counts, err, errlen);
	if (!rc)
		rc = status_rows(s, "SELECT id, image_path, worker, lease_until, attempts, finished, error FROM jobs"
				 " WHERE state = 'running' ORDER BY id", 0, &q->running, &q->nrunning, now, err, errlen);
	if (!rc && max_failed)
		rc = status_rows(s, "SELECT id, image_path, worker, lease_until, attempts, finished, error FROM jobs"
				 " WHERE state = 'failed' ORDER BY finished DESC, id DESC LIMIT ?1",
				 (int64_t)(max_failed > INT32_MAX ? INT32_MAX : max_failed), &q->failed, &q->nfailed,
				 now, err, errlen);
	if (rc)
		fv_queue_status_free(q);
	return rc;
}

static void free_infos(struct fv_job_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].image_path);
		free(v[i].worker);
		free(v[i].finished);
		free(v[i].error);
	}
	free(v);
}

void fv_queue_status_free(struct fv_queue_status *q)
{
	free_infos(q->running, q->nrunning);
	free_infos(q->failed, q->nfailed);
	q->running = q->failed = NULL;
	q->nrunning = q->nfailed = 0;
}
