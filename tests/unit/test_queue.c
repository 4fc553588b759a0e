/*
 * The job queue (store/queue.c) on a SQLite store: submitting (absolute
 * paths, duplicates, a missing image), claiming (oldest first, a lease that
 * ran out before a queued job, jobs abandoned too often failed), renewing,
 * failing and putting back a job only while its worker holds it, and the
 * status db status shows.  tests/integration/store_queue.sh runs the same
 * against PostgreSQL with real workers.
 */
#include "testlib.h"

#include "core/err.h"
#include "store/handle.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct qt {
	char dir[256];
	char img[3][300];
	struct fv_store *s;
};

static int setup(void **state)
{
	struct qt *t = calloc(1, sizeof *t);
	assert_non_null(t);
	fv_test_tmpdir(t->dir, sizeof t->dir, "queue");
	for (int i = 0; i < 3; i++) {
		char name[16];
		snprintf(name, sizeof name, "img%d.bin", i);
		fv_test_put(t->dir, name, name);
		snprintf(t->img[i], sizeof t->img[i], "%s/%s", t->dir, name);
	}
	char path[300], err[512];
	snprintf(path, sizeof path, "%s/q.db", t->dir);
	if (fv_store_open(path, &t->s, err, sizeof err))
		fail_msg("%s", err);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct qt *t = *state;
	fv_store_close(t->s);
	fv_test_rmtree(t->dir);
	free(t);
	return 0;
}

/* Runs sql on the store's own connection (to age a lease, as time would). */
static void sql(struct qt *t, const char *q)
{
	if (fv_db_exec(t->s->db, q))
		fail_msg("%s: %s", q, fv_db_errmsg(t->s->db));
}

static void submit(struct qt *t, struct fv_job_submit *jobs, size_t n)
{
	char err[512];
	int rc = fv_store_submit(t->s, jobs, n, err, sizeof err);
	if (rc)
		fail_msg("%s", err);
}

static void counts(struct qt *t, int64_t q, int64_t r, int64_t d, int64_t f)
{
	int64_t n[FV_JOB_NSTATES];
	char err[512];
	assert_int_equal(fv_store_queue_counts(t->s, n, err, sizeof err), FV_OK);
	assert_int_equal(n[FV_JOB_QUEUED], q);
	assert_int_equal(n[FV_JOB_RUNNING], r);
	assert_int_equal(n[FV_JOB_DONE], d);
	assert_int_equal(n[FV_JOB_FAILED], f);
}

static int64_t claim(struct qt *t, const char *worker, int64_t *attempts)
{
	struct fv_job j;
	char err[512];
	int rc = fv_store_claim(t->s, worker, 100, &j, err, sizeof err);
	if (rc < 0)
		fail_msg("%s", err);
	if (!rc)
		return 0;
	if (attempts)
		*attempts = j.attempts;
	int64_t id = j.id;
	fv_job_free(&j);
	return id;
}

static void test_submit(void **state)
{
	struct qt *t = *state;
	char rel[320];
	/* A relative path with a detour is queued by its absolute, resolved path. */
	snprintf(rel, sizeof rel, "%s/../%s/img0.bin", t->dir, strrchr(t->dir, '/') + 1);
	struct fv_job_submit a[4] = { { .image = rel }, { .image = t->img[1] }, { .image = t->img[0] },
				      { .image = t->img[2] } };
	submit(t, a, 4);
	assert_string_equal(a[0].path, t->img[0]);
	assert_true(a[0].queued && a[1].queued && a[3].queued);
	assert_false(a[2].queued); /* the same image twice in one call */
	assert_int_equal(a[2].id, a[0].id);
	assert_true(a[0].id < a[1].id && a[1].id < a[3].id);
	fv_store_submit_free(a, 4);
	counts(t, 3, 0, 0, 0);

	/* Again, once running: not queued a second time, and said to be running. */
	assert_int_equal(claim(t, "w1", NULL), 1);
	struct fv_job_submit b[2] = { { .image = t->img[0] }, { .image = t->img[1] } };
	submit(t, b, 2);
	assert_false(b[0].queued || b[1].queued);
	assert_int_equal(b[0].id, 1);
	assert_true(b[0].running && !b[1].running);
	fv_store_submit_free(b, 2);

	/* A missing image queues nothing of its call, and is named. */
	char missing[320], err[512];
	snprintf(missing, sizeof missing, "%s/none.bin", t->dir);
	struct fv_job_submit c[2] = { { .image = t->img[2] }, { .image = missing } };
	assert_int_equal(fv_store_submit(t->s, c, 2, err, sizeof err), FV_EUSAGE);
	assert_non_null(strstr(err, "none.bin: cannot queue it"));
	fv_store_submit_free(c, 2);
	counts(t, 2, 1, 0, 0);
}

static void test_claim_renew_end(void **state)
{
	struct qt *t = *state;
	struct fv_job_submit a[3] = { { .image = t->img[0] }, { .image = t->img[1] }, { .image = t->img[2] } };
	submit(t, a, 3);
	fv_store_submit_free(a, 3);
	char err[512];
	int64_t att = 0;
	assert_int_equal(claim(t, "w1", &att), 1);
	assert_int_equal(att, 1);
	assert_int_equal(claim(t, "w2", NULL), 2);
	/* Only the holder renews, fails or puts back its job. */
	assert_int_equal(fv_store_renew(t->s, 1, "w1", 100, err, sizeof err), 1);
	assert_int_equal(fv_store_renew(t->s, 1, "w2", 100, err, sizeof err), 0);
	assert_int_equal(fv_store_job_fail(t->s, 1, "w2", "no", err, sizeof err), 0);
	assert_int_equal(fv_store_job_release(t->s, 1, "w1", "the store refused it", err, sizeof err), 1);
	assert_int_equal(fv_store_renew(t->s, 1, "w1", 100, err, sizeof err), 0);
	counts(t, 2, 1, 0, 0);
	/* Put back, it is the oldest queued job again; its attempts go on counting. */
	assert_int_equal(claim(t, "w3", &att), 1);
	assert_int_equal(att, 2);
	assert_int_equal(fv_store_job_fail(t->s, 1, "w3", "cannot read img0.bin", err, sizeof err), 1);
	assert_int_equal(fv_store_job_fail(t->s, 1, "w3", "twice", err, sizeof err), 0);

	/* w2's lease ran out: job 2 is taken again before queued job 3. */
	sql(t, "UPDATE jobs SET lease_until = 1 WHERE id = 2");
	assert_int_equal(claim(t, "w4", &att), 2);
	assert_int_equal(att, 2);
	assert_int_equal(fv_store_renew(t->s, 2, "w2", 100, err, sizeof err), 0);
	/* Abandoned on its third claim too: failed, and job 3 is claimed instead. */
	sql(t, "UPDATE jobs SET lease_until = 1, attempts = 3 WHERE id = 2");
	assert_int_equal(claim(t, "w5", &att), 3);
	assert_int_equal(att, 1);
	assert_int_equal(claim(t, "w6", NULL), 0);
	counts(t, 0, 1, 0, 2);

	struct fv_queue_status q;
	assert_int_equal(fv_store_queue_status(t->s, 10, &q, err, sizeof err), FV_OK);
	assert_int_equal(q.nrunning, 1);
	assert_int_equal(q.running[0].id, 3);
	assert_string_equal(q.running[0].worker, "w5");
	assert_string_equal(q.running[0].image_path, t->img[2]);
	assert_true(q.running[0].lease_left > 90 && q.running[0].lease_left <= 100);
	assert_int_equal(q.nfailed, 2);
	for (size_t i = 0; i < q.nfailed; i++) {
		const struct fv_job_info *f = &q.failed[i];
		if (f->id == 1) {
			assert_string_equal(f->error, "cannot read img0.bin");
		} else {
			assert_int_equal(f->id, 2);
			assert_int_equal(f->attempts, 3);
			assert_non_null(strstr(f->error, "abandoned 3 times"));
			assert_non_null(strstr(f->error, "last worker w4"));
		}
		assert_int_equal(strlen(f->finished), 20);
	}
	fv_queue_status_free(&q);
	assert_int_equal(fv_store_queue_status(t->s, 1, &q, err, sizeof err), FV_OK);
	assert_int_equal(q.nfailed, 1);
	fv_queue_status_free(&q);

	/* A failed image may be queued again: a new job. */
	struct fv_job_submit b[1] = { { .image = t->img[0] } };
	submit(t, b, 1);
	assert_true(b[0].queued);
	assert_int_equal(b[0].id, 4);
	fv_store_submit_free(b, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_submit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_renew_end, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
