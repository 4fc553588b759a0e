#include "analyze/run.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/hash.h"
#include "core/map.h"
#include "unpack/engine.h"

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef FV_SOURCE_RULES
#define FV_SOURCE_RULES ""
#endif
#ifndef FV_INSTALLED_RULES
#define FV_INSTALLED_RULES "/usr/local/share/fwvet/rules"
#endif

/* Analyzers per run are tracked in a 64-bit mask. */
#define FV_MAX_ANALYZERS 64
#define FV_MAX_THREADS 64

struct fv_actx {
	const struct fv_analyzer *an[FV_MAX_ANALYZERS];
	void *state[FV_MAX_ANALYZERS];
	size_t nan;
	char *rules_dir, *user_rules, *vulndb;
	char vulndb_date[32];
	unsigned threads;
	char fail[512];
	char rules_sha256[FV_SHA256_HEX];
	/* The image being analysed. */
	const struct fv_inventory *inv;
	struct fv_results *res;
	pthread_mutex_t lock;
	int oom;
};

const char *fv_rules_dir_default(void)
{
	struct stat st;
	const char *env = getenv("FWVET_RULES");
	if (env && *env)
		return env;
	if (FV_SOURCE_RULES[0] && stat(FV_SOURCE_RULES, &st) == 0 && S_ISDIR(st.st_mode))
		return FV_SOURCE_RULES;
	return FV_INSTALLED_RULES;
}

const struct fv_inventory *fv_actx_inventory(const struct fv_actx *a) { return a->inv; }
const char *fv_actx_rules_dir(const struct fv_actx *a) { return a->rules_dir; }
const char *fv_actx_user_rules(const struct fv_actx *a) { return a->user_rules; }
const char *fv_analysis_rules_sha256(const struct fv_actx *a) { return a->rules_sha256; }
const char *fv_actx_vulndb(const struct fv_actx *a) { return a->vulndb; }
const char *fv_analysis_vulndb_date(const struct fv_actx *a)
{
	return a->vulndb_date[0] ? a->vulndb_date : NULL;
}

void fv_actx_set_vulndb_date(struct fv_actx *a, const char *date)
{
	snprintf(a->vulndb_date, sizeof a->vulndb_date, "%s", date ? date : "");
}

void fv_actx_fail(struct fv_actx *a, const char *fmt, ...)
{
	if (a->fail[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->fail, sizeof a->fail, fmt, ap);
	va_end(ap);
}

/* ---- the rules' fingerprint -------------------------------------------------- */

/*
 * The report records which rules produced it: a SHA-256 over every file of
 * the rules folders, in path order, each as its relative path and bytes.
 */
static struct {
	char **v;
	size_t n, cap;
	int rc;
} rule_files;

static int collect_rule(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	if (fv_grow(&rule_files.v, &rule_files.cap, rule_files.n, sizeof *rule_files.v) ||
	    !(rule_files.v[rule_files.n] = strdup(p))) {
		rule_files.rc = FV_ENOMEM;
		return 1;
	}
	rule_files.n++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void rules_fingerprint(struct fv_actx *a)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct fv_sha256 h;
	fv_sha256_init(&h);
	pthread_mutex_lock(&lock);
	const char *dirs[2] = { a->rules_dir, a->user_rules };
	for (int d = 0; d < 2; d++) {
		if (!dirs[d])
			continue;
		memset(&rule_files, 0, sizeof rule_files);
		nftw(dirs[d], collect_rule, 32, FTW_PHYS);
		if (rule_files.n)
			qsort(rule_files.v, rule_files.n, sizeof *rule_files.v, cmp_str);
		size_t skip = strlen(dirs[d]);
		for (size_t i = 0; i < rule_files.n; i++) {
			const char *rel = rule_files.v[i] + skip;
			fv_sha256_update(&h, rel, strlen(rel) + 1);
			struct fv_map m;
			if (fv_map_open(rule_files.v[i], &m) == FV_OK) {
				if (m.size)
					fv_sha256_update(&h, m.data, m.size);
				fv_map_close(&m);
			}
			free(rule_files.v[i]);
		}
		free(rule_files.v);
	}
	pthread_mutex_unlock(&lock);
	fv_sha256_final(&h, a->rules_sha256);
}

/* ---- open and close ---------------------------------------------------------- */

int fv_analysis_open(const struct fv_aopts *o, struct fv_actx **out, char *err, size_t errlen)
{
	*out = NULL;
	struct fv_actx *a = calloc(1, sizeof *a);
	if (!a)
		return FV_ENOMEM;
	pthread_mutex_init(&a->lock, NULL);
	const struct fv_analyzer *const *list = o->only ? o->only : fv_analyzers;
	for (size_t i = 0; list[i]; i++) {
		if (a->nan == FV_MAX_ANALYZERS) {
			snprintf(err, errlen, "more than %d analyzers", FV_MAX_ANALYZERS);
			free(a);
			return FV_EUSAGE;
		}
		a->an[a->nan++] = list[i];
	}
	a->rules_dir = strdup(o->rules_dir ? o->rules_dir : fv_rules_dir_default());
	a->user_rules = o->user_rules ? strdup(o->user_rules) : NULL;
	a->vulndb = o->vulndb ? strdup(o->vulndb) : NULL;
	if (!a->rules_dir || (o->user_rules && !a->user_rules) || (o->vulndb && !a->vulndb)) {
		fv_analysis_close(a);
		return FV_ENOMEM;
	}
	struct stat st;
	if (stat(a->rules_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "rules folder %s: expected a folder (set FWVET_RULES): %s",
			 a->rules_dir, strerror(errno ? errno : ENOTDIR));
		fv_analysis_close(a);
		return FV_EIO;
	}
	if (a->user_rules && (stat(a->user_rules, &st) != 0 || !S_ISDIR(st.st_mode))) {
		snprintf(err, errlen, "--rules %s: expected a folder: %s", a->user_rules,
			 strerror(errno ? errno : ENOTDIR));
		fv_analysis_close(a);
		return FV_EUSAGE;
	}
	a->threads = o->threads;
	if (a->threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		a->threads = n > 0 ? (unsigned)n : 1;
	}
	if (a->threads > FV_MAX_THREADS)
		a->threads = FV_MAX_THREADS;
	for (size_t i = 0; i < a->nan; i++) {
		if (!a->an[i]->init)
			continue;
		int rc = a->an[i]->init(a, &a->state[i]);
		if (rc != FV_OK) {
			snprintf(err, errlen, "%s: %s", a->an[i]->name,
				 a->fail[0] ? a->fail : fv_strerror(rc));
			a->an[i] = NULL; /* not initialised: no fini */
			fv_analysis_close(a);
			return rc;
		}
	}
	rules_fingerprint(a);
	*out = a;
	return FV_OK;
}

void fv_analysis_close(struct fv_actx *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nan; i++)
		if (a->an[i] && a->an[i]->fini)
			a->an[i]->fini(a->state[i]);
	pthread_mutex_destroy(&a->lock);
	free(a->rules_dir);
	free(a->user_rules);
	free(a->vulndb);
	free(a);
}

/* ---- reporting ------------------------------------------------------------ */

static void add_finding(struct fv_actx *a, const struct fv_file *file, const char *rule,
			const char *category, enum fv_severity sev, enum fv_conf conf, uint64_t offset,
			const char *evidence, const char *title)
{
	if (fv_findings_add(&a->res->findings, rule, category, sev, conf, file->x->path, offset,
			    evidence, "%s", title))
		a->oom = 1;
}

void fv_actx_finding(struct fv_actx *a, const struct fv_afile *f, const char *rule,
		     const char *category, enum fv_severity sev, enum fv_conf conf, uint64_t offset,
		     const char *evidence, const char *title_fmt, ...)
{
	char title[512];
	va_list ap;
	va_start(ap, title_fmt);
	vsnprintf(title, sizeof title, title_fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&a->lock);
	if (f->content) {
		for (size_t i = 0; i < f->content->nfiles; i++)
			add_finding(a, &a->inv->files[f->content->files[i]], rule, category, sev, conf,
				    offset, evidence, title);
	} else {
		add_finding(a, f->file, rule, category, sev, conf, offset, evidence, title);
	}
	pthread_mutex_unlock(&a->lock);
}

void fv_actx_finding_at(struct fv_actx *a, const struct fv_file *file, const char *rule,
			const char *category, enum fv_severity sev, enum fv_conf conf,
			uint64_t offset, const char *evidence, const char *title_fmt, ...)
{
	char title[512];
	va_list ap;
	va_start(ap, title_fmt);
	vsnprintf(title, sizeof title, title_fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&a->lock);
	add_finding(a, file, rule, category, sev, conf, offset, evidence, title);
	pthread_mutex_unlock(&a->lock);
}

/* strdup that keeps NULL, and flags failure. */
static const char *dupstr(struct fv_actx *a, const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		a->oom = 1;
	return d;
}

void fv_actx_account(struct fv_actx *a, const struct fv_account *acct)
{
	pthread_mutex_lock(&a->lock);
	struct fv_results *r = a->res;
	if (fv_grow(&r->accounts, &r->capaccounts, r->naccounts, sizeof *r->accounts) == FV_OK) {
		struct fv_account *d = &r->accounts[r->naccounts++];
		*d = *acct;
		d->path = dupstr(a, acct->path);
		d->name = dupstr(a, acct->name);
		d->home = dupstr(a, acct->home);
		d->shell = dupstr(a, acct->shell);
		d->hash_type = dupstr(a, acct->hash_type);
		d->password = dupstr(a, acct->password);
		d->hash = dupstr(a, acct->hash);
	} else {
		a->oom = 1;
	}
	pthread_mutex_unlock(&a->lock);
}

void fv_actx_service(struct fv_actx *a, const struct fv_service *svc)
{
	pthread_mutex_lock(&a->lock);
	struct fv_results *r = a->res;
	if (fv_grow(&r->services, &r->capservices, r->nservices, sizeof *r->services) == FV_OK) {
		struct fv_service *d = &r->services[r->nservices++];
		*d = *svc;
		d->path = dupstr(a, svc->path);
		d->how = dupstr(a, svc->how);
		d->program = dupstr(a, svc->program);
		d->args = dupstr(a, svc->args);
	} else {
		a->oom = 1;
	}
	pthread_mutex_unlock(&a->lock);
}

const struct fv_service *fv_actx_services(const struct fv_actx *a, size_t *n)
{
	*n = a->res->nservices;
	return a->res->services;
}

void fv_actx_binary(struct fv_actx *a, const struct fv_binary *b)
{
	pthread_mutex_lock(&a->lock);
	struct fv_results *r = a->res;
	struct fv_callcount *calls = b->ncalls ? calloc(b->ncalls, sizeof *calls) : NULL;
	if ((b->ncalls && !calls) ||
	    fv_grow(&r->binaries, &r->capbinaries, r->nbinaries, sizeof *r->binaries) != FV_OK) {
		free(calls);
		a->oom = 1;
	} else {
		struct fv_binary *d = &r->binaries[r->nbinaries++];
		*d = *b;
		d->sha256 = dupstr(a, b->sha256);
		d->elf_type = dupstr(a, b->elf_type);
		d->relro = dupstr(a, b->relro);
		d->rpath = dupstr(a, b->rpath);
		d->runpath = dupstr(a, b->runpath);
		for (size_t i = 0; i < b->ncalls; i++) {
			calls[i].name = dupstr(a, b->calls[i].name);
			calls[i].calls = b->calls[i].calls;
		}
		d->calls = calls;
	}
	pthread_mutex_unlock(&a->lock);
}

void fv_actx_unsafe_row(struct fv_actx *a, const struct fv_unsafe_row *row)
{
	pthread_mutex_lock(&a->lock);
	struct fv_results *r = a->res;
	if (fv_grow(&r->unsafe, &r->capunsafe, r->nunsafe, sizeof *r->unsafe) == FV_OK) {
		struct fv_unsafe_row *d = &r->unsafe[r->nunsafe++];
		*d = *row;
		d->family = dupstr(a, row->family);
		d->unsafe = dupstr(a, row->unsafe);
		d->bounded = dupstr(a, row->bounded);
	} else {
		a->oom = 1;
	}
	pthread_mutex_unlock(&a->lock);
}

static int binary_cmp(const void *x, const void *y)
{
	return strcmp(((const struct fv_binary *)x)->sha256, ((const struct fv_binary *)y)->sha256);
}

const struct fv_binary *fv_results_binary(const struct fv_results *r, const char *sha256)
{
	struct fv_binary key = { .sha256 = sha256 };
	return r->nbinaries ? bsearch(&key, r->binaries, r->nbinaries, sizeof key, binary_cmp) : NULL;
}

void fv_actx_endpoint(struct fv_actx *a, const struct fv_endpoint *ep)
{
	pthread_mutex_lock(&a->lock);
	struct fv_results *r = a->res;
	if (fv_grow(&r->endpoints, &r->capendpoints, r->nendpoints, sizeof *r->endpoints) == FV_OK) {
		struct fv_endpoint *d = &r->endpoints[r->nendpoints++];
		*d = *ep;
		d->value = dupstr(a, ep->value);
		d->kind = dupstr(a, ep->kind);
		d->path = dupstr(a, ep->path);
	} else {
		a->oom = 1;
	}
	pthread_mutex_unlock(&a->lock);
}

static void component_copy_at(struct fv_actx *a, const struct fv_component_copy *c, const char *path)
{
	struct fv_results *r = a->res;
	if (fv_grow(&r->copies, &r->capcopies, r->ncopies, sizeof *r->copies) != FV_OK) {
		a->oom = 1;
		return;
	}
	struct fv_component_copy *d = &r->copies[r->ncopies++];
	*d = *c;
	d->name = dupstr(a, c->name);
	d->title = dupstr(a, c->title);
	d->version = dupstr(a, c->version ? c->version : "");
	d->cpe = dupstr(a, c->cpe);
	d->purl = dupstr(a, c->purl);
	d->path = dupstr(a, path);
	d->evidence = dupstr(a, c->evidence);
	d->method = dupstr(a, c->method);
	d->detail = dupstr(a, c->detail);
}

void fv_actx_component_copy(struct fv_actx *a, const struct fv_afile *f,
			    const struct fv_component_copy *c)
{
	pthread_mutex_lock(&a->lock);
	if (!f)
		component_copy_at(a, c, c->path);
	else if (!f->content)
		component_copy_at(a, c, f->file->x->path);
	else
		for (size_t i = 0; i < f->content->nfiles; i++)
			component_copy_at(a, c, a->inv->files[f->content->files[i]].x->path);
	pthread_mutex_unlock(&a->lock);
}

const struct fv_component_copy *fv_actx_component_copies(const struct fv_actx *a, size_t *n)
{
	*n = a->res->ncopies;
	return a->res->copies;
}

/* A copy of n strings, or NULL (and oom) when memory runs out. */
static const char **dupstrs(struct fv_actx *a, const char *const *v, size_t n)
{
	if (!n)
		return NULL;
	const char **d = calloc(n, sizeof *d);
	if (!d) {
		a->oom = 1;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		d[i] = dupstr(a, v[i]);
	return d;
}

static void free_strs(const char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)v[i]);
	free(v);
}

void fv_actx_component(struct fv_actx *a, const struct fv_component *c)
{
	pthread_mutex_lock(&a->lock);
	struct fv_results *r = a->res;
	if (fv_grow(&r->components, &r->capcomponents, r->ncomponents, sizeof *r->components) == FV_OK) {
		struct fv_component *d = &r->components[r->ncomponents++];
		*d = *c;
		d->name = dupstr(a, c->name);
		d->title = dupstr(a, c->title);
		d->version = dupstr(a, c->version);
		d->cpe = dupstr(a, c->cpe);
		d->purl = dupstr(a, c->purl);
		d->paths = dupstrs(a, c->paths, c->npaths);
		d->npaths = d->paths ? c->npaths : 0;
		d->evidence = dupstr(a, c->evidence);
		d->method = dupstr(a, c->method);
		d->detail = dupstr(a, c->detail);
		d->eol_date = dupstr(a, c->eol_date);
	} else {
		a->oom = 1;
	}
	pthread_mutex_unlock(&a->lock);
}

void fv_actx_vulnerability(struct fv_actx *a, const struct fv_vulnerability *v)
{
	pthread_mutex_lock(&a->lock);
	struct fv_results *r = a->res;
	if (fv_grow(&r->vulns, &r->capvulns, r->nvulns, sizeof *r->vulns) == FV_OK) {
		struct fv_vulnerability *d = &r->vulns[r->nvulns++];
		*d = *v;
		d->id = dupstr(a, v->id);
		d->component = dupstr(a, v->component);
		d->version = dupstr(a, v->version);
		d->severity = dupstr(a, v->severity);
		d->summary = dupstr(a, v->summary);
		d->source = dupstr(a, v->source);
		d->distribution = dupstr(a, v->distribution);
		d->paths = dupstrs(a, v->paths, v->npaths);
		d->npaths = d->paths ? v->npaths : 0;
	} else {
		a->oom = 1;
	}
	pthread_mutex_unlock(&a->lock);
}

void fv_mask_secret(const char *s, size_t n, size_t keep, char *out, size_t outlen)
{
	if (!outlen)
		return;
	/* Short secrets keep less, so that the mask always hides most of it. */
	if (keep > n / 3)
		keep = n / 3;
	snprintf(out, outlen, "%.*s*** (%zu chars)", (int)keep, s, n);
}

/* ---- the run ------------------------------------------------------------------ */

/* One mapping of one file, with the analyzers that want it. */
struct job {
	const struct fv_file *file;
	const struct fv_content *content; /* set for content-scoped analyzers */
	uint64_t mask;
};

struct pool {
	struct fv_actx *a;
	struct job *jobs;
	size_t njobs;
	atomic_size_t next;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct fv_actx *a = p->a;
	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->njobs)
			break;
		const struct job *j = &p->jobs[i];
		struct fv_map m = { NULL, 0 };
		if (j->file->x->size && fv_inventory_map(a->inv, j->file, &m) != FV_OK)
			continue; /* unreadable: the inventory says so in its type */
		struct fv_afile af = { j->file, m.data, m.size, j->content };
		for (size_t k = 0; k < a->nan; k++)
			if (j->mask >> k & 1)
				a->an[k]->run(a, a->state[k], &af);
		fv_map_close(&m);
	}
	return NULL;
}

static int add_job(struct job **v, size_t *n, size_t *cap, const struct fv_file *f,
		   const struct fv_content *c, uint64_t mask)
{
	if (!mask)
		return FV_OK;
	if (fv_grow(v, cap, *n, sizeof **v))
		return FV_ENOMEM;
	(*v)[(*n)++] = (struct job){ f, c, mask };
	return FV_OK;
}

static int cmp_job(const void *x, const void *y)
{
	uint64_t a = ((const struct job *)x)->file->x->size, b = ((const struct job *)y)->file->x->size;
	return (a < b) - (a > b);
}

static int cmp_finding(const void *x, const void *y)
{
	const struct fv_finding *a = x, *b = y;
	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	int r = strcmp(a->path, b->path);
	if (r)
		return r;
	if (a->offset != b->offset)
		return a->offset < b->offset ? -1 : 1;
	return strcmp(a->rule, b->rule);
}

static int cmp_service(const void *x, const void *y)
{
	const struct fv_service *a = x, *b = y;
	int r = strcmp(a->path, b->path);
	return r ? r : (a->line > b->line) - (a->line < b->line);
}

static int cmp_account(const void *x, const void *y)
{
	const struct fv_account *a = x, *b = y;
	int r = strcmp(a->path, b->path);
	return r ? r : strcmp(a->name ? a->name : "", b->name ? b->name : "");
}

static int cmp_endpoint(const void *x, const void *y)
{
	const struct fv_endpoint *a = x, *b = y;
	int r = strcmp(a->path, b->path);
	if (r)
		return r;
	return a->offset != b->offset ? (a->offset < b->offset ? -1 : 1) : strcmp(a->value, b->value);
}

int fv_analysis_run(struct fv_actx *a, const struct fv_inventory *inv, struct fv_results *out)
{
	a->inv = inv;
	a->res = out;
	a->oom = 0;
	struct job *jobs = NULL;
	size_t njobs = 0, cap = 0;
	int rc = FV_OK;
	/* Content analyzers: one job per unique content, judged by its first file. */
	for (size_t c = 0; c < inv->ncontents && rc == FV_OK; c++) {
		const struct fv_content *ct = &inv->contents[c];
		const struct fv_file *f = &inv->files[ct->files[0]];
		uint64_t mask = 0;
		for (size_t k = 0; k < a->nan; k++)
			if (a->an[k]->scope == FV_SCOPE_CONTENT && a->an[k]->run &&
			    (!a->an[k]->wants || a->an[k]->wants(f)))
				mask |= 1ull << k;
		rc = add_job(&jobs, &njobs, &cap, f, ct, mask);
	}
	/* Path analyzers: one job per regular file. */
	for (size_t i = 0; i < inv->nfiles && rc == FV_OK; i++) {
		const struct fv_file *f = &inv->files[i];
		if (f->content == SIZE_MAX)
			continue;
		uint64_t mask = 0;
		for (size_t k = 0; k < a->nan; k++)
			if (a->an[k]->scope == FV_SCOPE_PATH && a->an[k]->run &&
			    (!a->an[k]->wants || a->an[k]->wants(f)))
				mask |= 1ull << k;
		rc = add_job(&jobs, &njobs, &cap, f, NULL, mask);
	}
	if (rc == FV_OK) {
		/* Big files first, so that one large binary does not run last and alone. */
		if (njobs)
			qsort(jobs, njobs, sizeof *jobs, cmp_job);
		struct pool p = { a, jobs, njobs, 0 };
		pthread_t tid[FV_MAX_THREADS];
		unsigned started = 0;
		for (unsigned t = 1; t < a->threads && t < njobs; t++)
			if (pthread_create(&tid[started], NULL, worker, &p) == 0)
				started++;
		worker(&p);
		for (unsigned t = 0; t < started; t++)
			pthread_join(tid[t], NULL);
		for (size_t k = 0; k < a->nan; k++)
			if (a->an[k]->finish)
				a->an[k]->finish(a, a->state[k]);
	}
	free(jobs);
	struct fv_results *r = out;
	/* qsort's array must not be NULL, even for no elements. */
	if (r->findings.n)
		qsort(r->findings.v, r->findings.n, sizeof *r->findings.v, cmp_finding);
	if (r->naccounts)
		qsort(r->accounts, r->naccounts, sizeof *r->accounts, cmp_account);
	if (r->nservices)
		qsort(r->services, r->nservices, sizeof *r->services, cmp_service);
	if (r->nendpoints)
		qsort(r->endpoints, r->nendpoints, sizeof *r->endpoints, cmp_endpoint);
	if (r->nbinaries)
		qsort(r->binaries, r->nbinaries, sizeof *r->binaries, binary_cmp);
	a->inv = NULL;
	a->res = NULL;
	return rc ? rc : a->oom ? FV_ENOMEM : FV_OK;
}

void fv_results_free(struct fv_results *r)
{
	fv_findings_free(&r->findings);
	for (size_t i = 0; i < r->naccounts; i++) {
		struct fv_account *x = &r->accounts[i];
		free((char *)x->path);
		free((char *)x->name);
		free((char *)x->home);
		free((char *)x->shell);
		free((char *)x->hash_type);
		free((char *)x->password);
		free((char *)x->hash);
	}
	for (size_t i = 0; i < r->nservices; i++) {
		struct fv_service *x = &r->services[i];
		free((char *)x->path);
		free((char *)x->how);
		free((char *)x->program);
		free((char *)x->args);
	}
	for (size_t i = 0; i < r->nendpoints; i++) {
		struct fv_endpoint *x = &r->endpoints[i];
		free((char *)x->value);
		free((char *)x->kind);
		free((char *)x->path);
	}
	for (size_t i = 0; i < r->nbinaries; i++) {
		struct fv_binary *x = &r->binaries[i];
		free((char *)x->sha256);
		free((char *)x->elf_type);
		free((char *)x->relro);
		free((char *)x->rpath);
		free((char *)x->runpath);
		for (size_t k = 0; k < x->ncalls; k++)
			free((char *)x->calls[k].name);
		free((struct fv_callcount *)x->calls);
	}
	for (size_t i = 0; i < r->nunsafe; i++) {
		free((char *)r->unsafe[i].family);
		free((char *)r->unsafe[i].unsafe);
		free((char *)r->unsafe[i].bounded);
	}
	for (size_t i = 0; i < r->ncopies; i++) {
		struct fv_component_copy *x = &r->copies[i];
		free((char *)x->name);
		free((char *)x->title);
		free((char *)x->version);
		free((char *)x->cpe);
		free((char *)x->purl);
		free((char *)x->path);
		free((char *)x->evidence);
		free((char *)x->method);
		free((char *)x->detail);
	}
	for (size_t i = 0; i < r->ncomponents; i++) {
		struct fv_component *x = &r->components[i];
		free((char *)x->name);
		free((char *)x->title);
		free((char *)x->version);
		free((char *)x->cpe);
		free((char *)x->purl);
		free_strs(x->paths, x->npaths);
		free((char *)x->evidence);
		free((char *)x->method);
		free((char *)x->detail);
		free((char *)x->eol_date);
	}
	for (size_t i = 0; i < r->nvulns; i++) {
		struct fv_vulnerability *x = &r->vulns[i];
		free((char *)x->id);
		free((char *)x->component);
		free((char *)x->version);
		free((char *)x->severity);
		free((char *)x->summary);
		free((char *)x->source);
		free((char *)x->distribution);
		free_strs(x->paths, x->npaths);
	}
	free(r->copies);
	free(r->components);
	free(r->vulns);
	free(r->accounts);
	free(r->services);
	free(r->endpoints);
	free(r->binaries);
	free(r->unsafe);
	memset(r, 0, sizeof *r);
}
