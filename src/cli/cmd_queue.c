/*
 * The job queue from the command line (store/queue.c does the SQL):
 *   fwvet submit [--db SPEC] IMAGE...   queue images for workers
 *   fwvet worker [--db SPEC] ...        claim jobs, scan, record; until stopped or the queue is empty
 *   fwvet db status [--db SPEC] ...     the queue (cmd_db.c hands "db status" here)
 *
 * A worker holds its job by a lease and renews it from a thread of its own,
 * over a connection of its own (a connection is not shared between
 * threads).  SIGTERM and SIGINT are blocked in every thread and only read
 * between jobs, so a stop finishes the job at hand and no read or write of
 * the scan is cut short by an interrupted call.
 */
#include "analyze/cache.h"
#include "analyze/run.h"
#include "cli/cli.h"
#include "cli/input.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/json.h"
#include "store/store.h"
#include "vuln/vulndb.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How often an idle worker looks for work. */
#define IDLE_POLL_S 2
/* The failures db status lists. */
#define STATUS_FAILURES 10

static const char *store_or_default(const char *spec, char **def, const char *cmd)
{
	*def = NULL;
	if (spec)
		return spec;
	if (!(*def = fv_store_default_path()))
		fprintf(stderr, "fwvet: %s: no store path: set --db, $FWVET_DB or $HOME\n", cmd);
	return *def;
}

/* ---- submit ---------------------------------------------------------------------- */

static void submit_usage(FILE *f)
{
	fprintf(f, "usage: fwvet submit [--db SPEC] IMAGE...\n\n"
		"Queues each IMAGE (by its absolute path, which every worker must be able to open)\n"
		"for fwvet worker, and prints one line per IMAGE: its job id and that path.  An image\n"
		"already queued or running is not queued again.\n\n"
		"  --db SPEC  the store (a postgresql:// URI for workers on several machines; default\n"
		"             $FWVET_DB, else $XDG_DATA_HOME/fwvet/fwvet.db, else ~/.local/share/fwvet/fwvet.db)\n");
}

int fv_cmd_submit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *spec = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': spec = optarg; break;
		case 'h': submit_usage(stdout); return FV_EXIT_OK;
		default: submit_usage(stderr); return FV_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "fwvet: submit needs at least one IMAGE\n");
		submit_usage(stderr);
		return FV_EXIT_USAGE;
	}
	char *def;
	if (!(spec = store_or_default(spec, &def, "submit")))
		return FV_EXIT_USAGE;
	size_t n = (size_t)(argc - optind);
	struct fv_job_submit *jobs = calloc(n, sizeof *jobs);
	if (!jobs) {
		fprintf(stderr, "fwvet: submit: out of memory\n");
		free(def);
		return FV_EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++)
		jobs[i].image = argv[optind + (int)i];
	struct fv_store *s;
	char err[512];
	int rc = FV_EXIT_OK;
	if (fv_store_open(spec, &s, err, sizeof err)) {
		fprintf(stderr, "fwvet: submit: %s\n", err);
		rc = FV_EXIT_USAGE;
	} else {
		if (fv_store_submit(s, jobs, n, err, sizeof err)) {
			fprintf(stderr, "fwvet: submit: %s (nothing queued)\n", err);
			rc = FV_EXIT_USAGE;
		} else {
			for (size_t i = 0; i < n; i++) {
				if (!jobs[i].queued)
					fprintf(stderr, "fwvet: submit: %s: already %s as job %lld, not queued again\n",
						jobs[i].path, jobs[i].running ? "running" : "queued",
						(long long)jobs[i].id);
				printf("%lld %s\n", (long long)jobs[i].id, jobs[i].path);
			}
		}
		fv_store_close(s);
	}
	fv_store_submit_free(jobs, n);
	free(jobs);
	free(def);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "fwvet: submit: writing the job ids failed: %s\n", strerror(errno));
		rc = FV_EXIT_USAGE;
	}
	return rc;
}

/* ---- worker ---------------------------------------------------------------------- */

static void worker_usage(FILE *f)
{
	fprintf(f, "usage: fwvet worker [--db SPEC] [options]\n\n"
		"Claims queued jobs (fwvet submit), scans each image as fwvet scan does and records the\n"
		"result in the store, one job at a time, while holding the job by a lease it renews.\n"
		"A job whose worker died is claimed again when its lease runs out; one abandoned %d times\n"
		"is failed.  SIGTERM or SIGINT: the job at hand is finished, then the worker exits 0.\n"
		"A store that cannot be reached exits 2.\n\n"
		"  --db SPEC          the store (default $FWVET_DB, else $XDG_DATA_HOME/fwvet/fwvet.db,\n"
		"                     else ~/.local/share/fwvet/fwvet.db)\n"
		"  --lease SECONDS    how long a claim holds without renewal (default 300; renewed every\n"
		"                     third of it)\n"
		"  --exit-when-empty  exit 0 once no job is queued or running, instead of waiting for more\n"
		"  --name NAME        the worker's name in the queue (default HOST:PID)\n"
		"  --threads N        analysis threads (default: one per core)\n"
		"  --rules DIR        also use the rules in DIR (as fwvet scan --rules)\n"
		"  --vulndb PATH      the imported vulnerability database (as fwvet scan --vulndb; 'none':\n"
		"                     only the curated rules/vulns)\n",
		FV_QUEUE_ATTEMPTS);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct worker {
	const char *name;
	unsigned lease;
	struct fv_store *store;   /* the worker's thread only */
	struct fv_store *renew;   /* the renewal thread's only */
	struct fv_actx *analysis;
	sigset_t stop_signals;
};

/* The renewal thread of one job. */
struct renewal {
	struct worker *w;
	int64_t job;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	atomic_int lost;
};

static void *renew_main(void *arg)
{
	struct renewal *r = arg;
	uint64_t every_ms = (uint64_t)r->w->lease * 1000 / 3;
	int warned = 0;
	pthread_mutex_lock(&r->mu);
	while (!r->stop) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		uint64_t ns = (uint64_t)until.tv_nsec + (every_ms % 1000) * 1000000;
		until.tv_sec += (time_t)(every_ms / 1000 + ns / 1000000000);
		until.tv_nsec = (long)(ns % 1000000000);
		while (!r->stop && pthread_cond_timedwait(&r->cv, &r->mu, &until) != ETIMEDOUT)
			;
		if (r->stop)
			break;
		pthread_mutex_unlock(&r->mu);
		char err[512];
		int rc = fv_store_renew(r->w->renew, r->job, r->w->name, r->w->lease, err, sizeof err);
		pthread_mutex_lock(&r->mu);
		if (rc == 0) {
			atomic_store(&r->lost, 1);
			break;
		}
		/* The scan goes on: if the lease runs out meanwhile, recording it is refused, not doubled. */
		if (rc < 0 && !warned++)
			fprintf(stderr, "fwvet: worker %s: job %lld: cannot renew the lease: %s\n", r->w->name,
				(long long)r->job, err);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

static int renew_start(struct renewal *r, pthread_t *t)
{
	pthread_condattr_t ca;
	if (pthread_condattr_init(&ca))
		return -1;
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	int bad = pthread_mutex_init(&r->mu, NULL);
	if (!bad && pthread_cond_init(&r->cv, &ca)) {
		pthread_mutex_destroy(&r->mu);
		bad = 1;
	}
	pthread_condattr_destroy(&ca);
	if (bad)
		return -1;
	r->stop = 0;
	atomic_init(&r->lost, 0);
	if (pthread_create(t, NULL, renew_main, r)) {
		pthread_cond_destroy(&r->cv);
		pthread_mutex_destroy(&r->mu);
		return -1;
	}
	return 0;
}

static void renew_stop(struct renewal *r, pthread_t t)
{
	pthread_mutex_lock(&r->mu);
	r->stop = 1;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
	pthread_join(t, NULL);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
}

/*
 * After a job could not be recorded: back to the queue for another try, or
 * failed after its last one.  0, or -1 when the store cannot be written at
 * all (the worker stops; the job's lease runs out and another worker takes it).
 */
static int give_back(struct worker *w, const struct fv_job *job, const char *why)
{
	char err[512];
	int last = job->attempts >= FV_QUEUE_ATTEMPTS;
	int rc = last ? fv_store_job_fail(w->store, job->id, w->name, why, err, sizeof err)
		      : fv_store_job_release(w->store, job->id, w->name, why, err, sizeof err);
	if (rc < 0) {
		fprintf(stderr, "fwvet: worker %s: job %lld: %s\n", w->name, (long long)job->id, err);
		return -1;
	}
	if (rc > 0)
		fprintf(stderr, "fwvet: worker %s: job %lld: %s\n", w->name, (long long)job->id,
			last ? "failed" : "put back in the queue");
	return 0;
}

/* One job, from claim to record.  0, or -1 when the store is gone. */
static int run_job(struct worker *w, const struct fv_job *job)
{
	char err[512];
	struct renewal r = { .w = w, .job = job->id };
	pthread_t t;
	if (renew_start(&r, &t)) {
		fprintf(stderr, "fwvet: worker %s: job %lld: cannot start the lease renewal thread\n", w->name,
			(long long)job->id);
		return give_back(w, job, "the worker could not start its lease renewal thread");
	}
	uint64_t t0 = mono_ms();
	int64_t started = (int64_t)fv_run_time();
	struct fv_limits lim;
	fv_limits_default(&lim);
	struct fv_acache *cache = NULL;
	struct fv_input in;
	int rc = 0;
	if (fv_acache_new(&cache)) {
		renew_stop(&r, t);
		return give_back(w, job, "the worker ran out of memory");
	}
	struct fv_input_opts io = { .lim = &lim, .analysis = w->analysis, .cache = cache, .store = w->store };
	if (fv_input_open(job->image_path, &io, &in, err, sizeof err)) {
		renew_stop(&r, t);
		fprintf(stderr, "fwvet: worker %s: job %lld: %s: %s\n", w->name, (long long)job->id, job->image_path,
			err);
		/* An image that cannot be read now will not be read by another try: failed at once. */
		char e2[512];
		int f = fv_store_job_fail(w->store, job->id, w->name, err, e2, sizeof e2);
		if (f < 0)
			fprintf(stderr, "fwvet: worker %s: job %lld: %s\n", w->name, (long long)job->id, e2);
		fv_acache_free(cache);
		return f < 0 ? -1 : 0;
	}
	if (atomic_load(&r.lost)) {
		renew_stop(&r, t);
		fprintf(stderr, "fwvet: worker %s: job %lld: %s: the lease was lost to another worker; result dropped\n",
			w->name, (long long)job->id, job->image_path);
	} else {
		struct fv_store_meta m = {
			.image_path = job->image_path,
			.tool_version = FV_VERSION,
			.rules_sha256 = fv_analysis_rules_sha256(w->analysis),
			.vulndb_date = fv_analysis_vulndb_date(w->analysis),
			.vulndb_sha256 = fv_analysis_vulndb_sha256(w->analysis),
			.started = started,
			.elapsed_ms = mono_ms() - t0,
			.analysis = w->analysis,
			.job_id = job->id,
			.worker = w->name,
			.cache = cache,
		};
		int64_t id;
		/* The lease is renewed until the scan is written: the write itself may wait for the store. */
		int rec = fv_store_record(w->store, &in.u, &in.inv, &in.res, &m, &id, err, sizeof err);
		renew_stop(&r, t);
		if (rec == FV_OK) {
			printf("job %lld: %s: stored as scan %lld%s (%zu analyses reused, %zu made)\n",
			       (long long)job->id, job->image_path, (long long)id,
			       in.status == FV_OK ? "" : ", read in part", fv_acache_hits(cache), fv_acache_misses(cache));
			fflush(stdout);
		} else if (rec == FV_ELOST) {
			fprintf(stderr, "fwvet: worker %s: %s\n", w->name, err);
		} else {
			fprintf(stderr, "fwvet: worker %s: job %lld: %s: not stored: %s\n", w->name, (long long)job->id,
				job->image_path, err);
			rc = give_back(w, job, err);
		}
	}
	fv_input_close(&in);
	fv_acache_free(cache);
	return rc;
}

/* Whether SIGTERM or SIGINT came, waiting for one at most wait_s seconds. */
static int stop_requested(const struct worker *w, int wait_s)
{
	struct timespec ts = { wait_s, 0 };
	int sig = sigtimedwait(&w->stop_signals, NULL, &ts);
	if (sig <= 0)
		return 0; /* the time passed, or another signal cut the wait short */
	fprintf(stderr, "fwvet: worker %s: %s: stopping\n", w->name, strsignal(sig));
	return 1;
}

static int parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	uint64_t v;
	if (fv_parse_size(s, &v) || v < lo || v > hi)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int fv_cmd_worker(int argc, char **argv)
{
	enum { O_DB = 256, O_LEASE, O_EMPTY, O_NAME, O_THREADS, O_RULES, O_VULNDB };
	static const struct option opts[] = {
		{ "db", required_argument, NULL, O_DB },
		{ "lease", required_argument, NULL, O_LEASE },
		{ "exit-when-empty", no_argument, NULL, O_EMPTY },
		{ "name", required_argument, NULL, O_NAME },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "rules", required_argument, NULL, O_RULES },
		{ "vulndb", required_argument, NULL, O_VULNDB },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct worker w = { .lease = 300 };
	struct fv_aopts ao = { 0 };
	const char *spec = NULL, *vulndb = NULL;
	int exit_when_empty = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_DB: spec = optarg; break;
		case O_LEASE:
			if (parse_uint(optarg, 3, 86400, &w.lease)) {
				fprintf(stderr, "fwvet: worker: --lease expects seconds from 3 to 86400, got '%s'\n",
					optarg);
				return FV_EXIT_USAGE;
			}
			break;
		case O_EMPTY: exit_when_empty = 1; break;
		case O_NAME:
			if (!*optarg || strlen(optarg) > 200) {
				fprintf(stderr, "fwvet: worker: --name expects 1 to 200 characters, got %zu\n",
					strlen(optarg));
				return FV_EXIT_USAGE;
			}
			w.name = optarg;
			break;
		case O_THREADS:
			if (parse_uint(optarg, 1, 64, &ao.threads)) {
				fprintf(stderr, "fwvet: worker: bad value '%s' for --threads (expected 1..64)\n", optarg);
				return FV_EXIT_USAGE;
			}
			break;
		case O_RULES: ao.user_rules = optarg; break;
		case O_VULNDB: vulndb = optarg; break;
		case 'h': worker_usage(stdout); return FV_EXIT_OK;
		default: worker_usage(stderr); return FV_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "fwvet: worker takes no arguments (images come from fwvet submit), got '%s'\n",
			argv[optind]);
		return FV_EXIT_USAGE;
	}
	char name[320];
	if (!w.name) {
		char host[256];
		if (gethostname(host, sizeof host))
			snprintf(host, sizeof host, "localhost");
		host[sizeof host - 1] = 0;
		snprintf(name, sizeof name, "%s:%ld", host, (long)getpid());
		w.name = name;
	}
	/* Blocked before any thread starts, so that every thread inherits the mask. */
	sigemptyset(&w.stop_signals);
	sigaddset(&w.stop_signals, SIGTERM);
	sigaddset(&w.stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &w.stop_signals, NULL);

	char *def;
	if (!(spec = store_or_default(spec, &def, "worker")))
		return FV_EXIT_USAGE;
	char err[512];
	if (fv_store_open(spec, &w.store, err, sizeof err) || fv_store_open(spec, &w.renew, err, sizeof err)) {
		fprintf(stderr, "fwvet: worker: %s\n", err);
		fv_store_close(w.store);
		free(def);
		return FV_EXIT_USAGE;
	}
	if (fv_input_analysis("worker", &ao, vulndb, &w.analysis)) {
		fv_store_close(w.renew);
		fv_store_close(w.store);
		free(def);
		return FV_EXIT_USAGE;
	}
	fprintf(stderr, "fwvet: worker %s: taking jobs from %s (lease %u s)\n", w.name, fv_store_name(w.store),
		w.lease);
	int status = FV_EXIT_OK;
	while (!stop_requested(&w, 0)) {
		struct fv_job job;
		int got = fv_store_claim(w.store, w.name, w.lease, &job, err, sizeof err);
		if (got < 0) {
			fprintf(stderr, "fwvet: worker %s: %s\n", w.name, err);
			status = FV_EXIT_USAGE;
			break;
		}
		if (got) {
			int r = run_job(&w, &job);
			fv_job_free(&job);
			if (r) {
				status = FV_EXIT_USAGE;
				break;
			}
			continue;
		}
		if (exit_when_empty) {
			/* A running job may still come back to the queue when its worker died: wait for it. */
			int64_t n[FV_JOB_NSTATES];
			if (fv_store_queue_counts(w.store, n, err, sizeof err)) {
				fprintf(stderr, "fwvet: worker %s: %s\n", w.name, err);
				status = FV_EXIT_USAGE;
				break;
			}
			if (n[FV_JOB_QUEUED] + n[FV_JOB_RUNNING] == 0)
				break;
		}
		if (stop_requested(&w, IDLE_POLL_S))
			break;
	}
	fv_analysis_close(w.analysis);
	fv_store_close(w.renew);
	fv_store_close(w.store);
	free(def);
	return status;
}

/* ---- db status ------------------------------------------------------------------- */

static void status_usage(FILE *f)
{
	fprintf(f, "usage: fwvet db status [--db SPEC] [--format text|json]\n\n"
		"The job queue: jobs by state, the running ones with their worker and the seconds left\n"
		"on their lease, and the latest %d failures with their errors.\n", STATUS_FAILURES);
}

/* Text that came from a database or a command line: control bytes would garble the terminal. */
static void put_clean(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
}

static void status_json(const char *name, const struct fv_queue_status *q)
{
	struct fv_json j;
	fv_json_init(&j, stdout, 1);
	fv_json_obj_begin(&j);
	fv_json_kstr(&j, "store", name);
	fv_json_key(&j, "jobs");
	fv_json_obj_begin(&j);
	for (int i = 0; i < FV_JOB_NSTATES; i++)
		fv_json_kint(&j, fv_job_state_name(i), q->counts[i]);
	fv_json_obj_end(&j);
	fv_json_key(&j, "running");
	fv_json_arr_begin(&j);
	for (size_t i = 0; i < q->nrunning; i++) {
		const struct fv_job_info *r = &q->running[i];
		fv_json_obj_begin(&j);
		fv_json_kint(&j, "id", r->id);
		fv_json_kstr(&j, "image_path", r->image_path);
		fv_json_kstr(&j, "worker", r->worker);
		fv_json_kint(&j, "attempts", r->attempts);
		fv_json_kint(&j, "lease_left", r->lease_left);
		fv_json_obj_end(&j);
	}
	fv_json_arr_end(&j);
	fv_json_key(&j, "failed");
	fv_json_arr_begin(&j);
	for (size_t i = 0; i < q->nfailed; i++) {
		const struct fv_job_info *r = &q->failed[i];
		fv_json_obj_begin(&j);
		fv_json_kint(&j, "id", r->id);
		fv_json_kstr(&j, "image_path", r->image_path);
		fv_json_kstr(&j, "worker", r->worker);
		fv_json_kint(&j, "attempts", r->attempts);
		fv_json_kstr(&j, "finished", r->finished);
		fv_json_kstr(&j, "error", r->error);
		fv_json_obj_end(&j);
	}
	fv_json_arr_end(&j);
	fv_json_obj_end(&j);
	putchar('\n');
}

static void status_text(const char *name, const struct fv_queue_status *q)
{
	printf("queue in ");
	put_clean(name);
	printf(": %lld queued, %lld running, %lld done, %lld failed\n", (long long)q->counts[FV_JOB_QUEUED],
	       (long long)q->counts[FV_JOB_RUNNING], (long long)q->counts[FV_JOB_DONE],
	       (long long)q->counts[FV_JOB_FAILED]);
	if (q->nrunning) {
		printf("\nrunning:\n%8s  %-24s  %8s  %3s  %s\n", "JOB", "WORKER", "LEASE", "TRY", "IMAGE");
		for (size_t i = 0; i < q->nrunning; i++) {
			const struct fv_job_info *r = &q->running[i];
			char lease[32];
			if (r->lease_left >= 0)
				snprintf(lease, sizeof lease, "%llds", (long long)r->lease_left);
			else
				snprintf(lease, sizeof lease, "expired");
			printf("%8lld  %-24.24s  %8s  %3lld  ", (long long)r->id, r->worker, lease,
			       (long long)r->attempts);
			put_clean(r->image_path);
			putchar('\n');
		}
	}
	if (q->nfailed) {
		printf("\nlatest failures:\n%8s  %-20s  %3s  %s\n", "JOB", "FINISHED", "TRY", "IMAGE: ERROR");
		for (size_t i = 0; i < q->nfailed; i++) {
			const struct fv_job_info *r = &q->failed[i];
			printf("%8lld  %-20s  %3lld  ", (long long)r->id, r->finished, (long long)r->attempts);
			put_clean(r->image_path);
			printf(": ");
			put_clean(r->error);
			putchar('\n');
		}
	}
}

int fv_cmd_db_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *spec = NULL;
	int json = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': spec = optarg; break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				fprintf(stderr, "fwvet: db status: --format expects text or json, got '%s'\n", optarg);
				return FV_EXIT_USAGE;
			}
			json = !strcmp(optarg, "json");
			break;
		case 'h': status_usage(stdout); return FV_EXIT_OK;
		default: status_usage(stderr); return FV_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "fwvet: db status takes no arguments, got '%s'\n", argv[optind]);
		return FV_EXIT_USAGE;
	}
	char *def;
	if (!(spec = store_or_default(spec, &def, "db status")))
		return FV_EXIT_USAGE;
	struct fv_queue_status q = { 0 };
	char err[512];
	int rc = FV_EXIT_OK;
	/* A SQLite store that does not exist has an empty queue; asking must not create it. */
	if (!strstr(spec, "://") && access(spec, F_OK) != 0 && errno == ENOENT) {
		if (json)
			status_json(spec, &q);
		else
			printf("no store at %s: nothing queued\n", spec);
		free(def);
		return FV_EXIT_OK;
	}
	struct fv_store *s;
	if (fv_store_open(spec, &s, err, sizeof err)) {
		fprintf(stderr, "fwvet: db status: %s\n", err);
		free(def);
		return FV_EXIT_USAGE;
	}
	if (fv_store_queue_status(s, STATUS_FAILURES, &q, err, sizeof err)) {
		fprintf(stderr, "fwvet: db status: %s\n", err);
		rc = FV_EXIT_USAGE;
	} else if (json) {
		status_json(fv_store_name(s), &q);
	} else {
		status_text(fv_store_name(s), &q);
	}
	fv_queue_status_free(&q);
	fv_store_close(s);
	free(def);
	return rc;
}
