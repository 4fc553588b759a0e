#include "analyze/cache.h"
#include "analyze/run.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/hash.h"
#include "core/map.h"
#include "unpack/engine.h"

#include <errno.h>
#include <limits.h>
#include <ftw.h>
#include <jansson.h>
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
	char vulndb_sha256[FV_SHA256_HEX];
	unsigned threads;
	char fail[512];
	char rules_sha256[FV_SHA256_HEX];
	/* The image being analysed. */
	const struct fv_inventory *inv;
	struct fv_results *res;
	pthread_mutex_t lock;
	int oom;
	char inputs[FV_MAX_ANALYZERS][FV_SHA256_HEX]; /* each analyzer's input fingerprint */
	struct fv_acache *cache;
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

const char *fv_analysis_vulndb_sha256(const struct fv_actx *a)
{
	return a->vulndb_sha256[0] ? a->vulndb_sha256 : NULL;
}

void fv_actx_set_vulndb(struct fv_actx *a, const char *date, const char *sha256)
{
	snprintf(a->vulndb_date, sizeof a->vulndb_date, "%s", date ? date : "");
	snprintf(a->vulndb_sha256, sizeof a->vulndb_sha256, "%s", sha256 ? sha256 : "");
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

/* Only files whose name ends so ("*.yar" in an analyzer's rules), or NULL for all; under fp_lock. */
static const char *rule_suffix;

static int collect_rule(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	size_t n = strlen(p), k = rule_suffix ? strlen(rule_suffix) : 0;
	if (rule_suffix && (n < k || strcmp(p + n - k, rule_suffix)))
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

/*
 * Every file under dir in path order, as its path after skip bytes (after
 * tag, when not NULL) and its bytes; under fp_lock.
 */
static void hash_tree(struct fv_sha256 *h, const char *dir, size_t skip, const char *tag)
{
	memset(&rule_files, 0, sizeof rule_files);
	nftw(dir, collect_rule, 32, FTW_PHYS);
	if (rule_files.n)
		qsort(rule_files.v, rule_files.n, sizeof *rule_files.v, cmp_str);
	for (size_t i = 0; i < rule_files.n; i++) {
		const char *rel = rule_files.v[i] + skip;
		if (tag)
			fv_sha256_update(h, tag, strlen(tag) + 1);
		fv_sha256_update(h, rel, strlen(rel) + 1);
		struct fv_map m;
		if (fv_map_open(rule_files.v[i], &m) == FV_OK) {
			if (m.size)
				fv_sha256_update(h, m.data, m.size);
			fv_map_close(&m);
		}
		free(rule_files.v[i]);
	}
	free(rule_files.v);
}

static pthread_mutex_t fp_lock = PTHREAD_MUTEX_INITIALIZER;

static void rules_fingerprint(struct fv_actx *a)
{
	struct fv_sha256 h;
	fv_sha256_init(&h);
	pthread_mutex_lock(&fp_lock);
	const char *dirs[2] = { a->rules_dir, a->user_rules };
	for (int d = 0; d < 2; d++)
		if (dirs[d])
			hash_tree(&h, dirs[d], strlen(dirs[d]), NULL);
	pthread_mutex_unlock(&fp_lock);
	fv_sha256_final(&h, a->rules_sha256);
}

/* Whether the space-separated list has word w. */
static int has_word(const char *list, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = list; *p;) {
		size_t k = strcspn(p, " ");
		if (k == n && !memcmp(p, w, n))
			return 1;
		p += k;
		p += strspn(p, " ");
	}
	return 0;
}

/* What changes whenever the file at path is written: cheaper than reading it. */
static void stamp(struct fv_sha256 *h, const char *path)
{
	struct stat st;
	char s[96];
	if (stat(path, &st) == 0)
		snprintf(s, sizeof s, "%lld %lld.%09ld", (long long)st.st_size, (long long)st.st_mtim.tv_sec,
			 (long)st.st_mtim.tv_nsec);
	else
		snprintf(s, sizeof s, "none");
	fv_sha256_update(h, s, strlen(s) + 1);
}

/*
 * An analyzer's inputs: the tool's version, its name, the rule files it
 * reads (the subfolders of rules/ and of the user's folder it names, all of
 * them when it names none; the user's files of a suffix it names), and
 * for the vulnerability data the imported database's size and time (it
 * changes on every import; its WAL too until it is checkpointed).
 */
static void inputs_fingerprint(struct fv_actx *a, size_t k)
{
	const struct fv_analyzer *an = a->an[k];
	struct fv_sha256 h;
	fv_sha256_init(&h);
	fv_sha256_update(&h, FV_VERSION, sizeof FV_VERSION);
	fv_sha256_update(&h, an->name, strlen(an->name) + 1);
	pthread_mutex_lock(&fp_lock);
	fv_sha256_update(&h, "rules", 6);
	const char *dirs[2] = { a->rules_dir, a->user_rules };
	for (int d = 0; d < 2; d++) {
		if (!dirs[d])
			continue;
		/* The user's files are told apart; a user folder without any for this analyzer changes nothing. */
		const char *tag = d ? "user" : NULL;
		if (!an->rules) {
			hash_tree(&h, dirs[d], strlen(dirs[d]), tag);
			continue;
		}
		/* A subfolder is read from both folders; "*.yar" is every such file of the user's. */
		for (const char *p = an->rules + strspn(an->rules, " "); *p;) {
			size_t n = strcspn(p, " ");
			char dir[4096];
			if (*p == '*') {
				if (d && snprintf(dir, sizeof dir, "%.*s", (int)n - 1, p + 1) < (int)sizeof dir) {
					rule_suffix = dir;
					hash_tree(&h, dirs[d], strlen(dirs[d]), tag);
					rule_suffix = NULL;
				}
			} else if (snprintf(dir, sizeof dir, "%s/%.*s", dirs[d], (int)n, p) < (int)sizeof dir) {
				hash_tree(&h, dir, strlen(dirs[d]), tag);
			}
			p += n;
			p += strspn(p, " ");
		}
	}
	pthread_mutex_unlock(&fp_lock);
	if (a->vulndb && (!an->rules || has_word(an->rules, "vulns"))) {
		char wal[4200];
		fv_sha256_update(&h, "vulndb", 7);
		stamp(&h, a->vulndb);
		snprintf(wal, sizeof wal, "%s-wal", a->vulndb);
		stamp(&h, wal);
	}
	fv_sha256_final(&h, a->inputs[k]);
}

size_t fv_analysis_ninputs(const struct fv_actx *a) { return a->nan; }

void fv_analysis_input(const struct fv_actx *a, size_t i, const char **analyzer, const char **inputs)
{
	*analyzer = i < a->nan ? a->an[i]->name : NULL;
	*inputs = i < a->nan ? a->inputs[i] : NULL;
}

int fv_analysis_set_cache(struct fv_actx *a, struct fv_acache *c)
{
	a->cache = NULL;
	if (c && fv_acache_bind(c, a) != FV_OK)
		return FV_ENOMEM;
	a->cache = c;
	return FV_OK;
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
	for (size_t i = 0; i < a->nan; i++)
		inputs_fingerprint(a, i);
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

/* ---- recording a content's result for the cache ------------------------------ */

/*
 * While a content-scope run() is recorded, what it reports through the
 * context is also written down relative to the content (no paths: replayed,
 * it goes to every path of the content in that image, as it would now).
 * Records are arrays, tagged by their first element:
 *   ["f", rule, category, severity, confidence, offset, evidence|null, title]
 *   ["p", k, rule, ...as f]   a finding at the content's k-th path only
 *   ["e", value, kind, offset, outside]   an endpoint at every path
 *   ["b", {binary record}]
 *   ["c", name, title, version, cpe|null, purl|null, offset, evidence|null, method|null, detail|null]
 * Anything else reported from run() makes the result one not to reuse.
 */
struct capture {
	const struct fv_actx *a;
	const struct fv_content *ct;
	int paths;    /* the analyzer's view() fixes the content's paths: "p" records are fine */
	json_t *recs;
	json_t *keep;
	int bad;
};

static _Thread_local struct capture *cur;

static struct capture *recording(const struct fv_actx *a)
{
	return cur && cur->a == a ? cur : NULL;
}

static void rec_add(struct capture *c, json_t *rec)
{
	if (!rec || json_array_append_new(c->recs, rec))
		c->bad = 1;
}

/* A JSON integer for an offset, or -1 (which marks the record bad) when it has no exact one. */
static json_int_t joff(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? -1 : (json_int_t)v;
}

static void rec_finding(struct capture *c, const char *tag, size_t k, const char *rule, const char *category,
			enum fv_severity sev, enum fv_conf conf, uint64_t offset, const char *evidence,
			const char *title)
{
	json_int_t off = joff(offset);
	if (off < 0) {
		c->bad = 1;
		return;
	}
	if (*tag == 'f')
		rec_add(c, json_pack("[s s s i i I s? s]", tag, rule, category, (int)sev, (int)conf, off, evidence,
				     title));
	else
		rec_add(c, json_pack("[s I s s i i I s? s]", tag, (json_int_t)k, rule, category, (int)sev, (int)conf,
				     off, evidence, title));
}

int fv_actx_recording(const struct fv_actx *a) { return recording(a) != NULL; }

void fv_actx_keep(struct fv_actx *a, const char *json)
{
	struct capture *c = recording(a);
	if (!c)
		return;
	if (c->keep || !json || !(c->keep = json_loads(json, JSON_REJECT_DUPLICATES, NULL)))
		c->bad = 1;
}

void fv_actx_nocache(struct fv_actx *a)
{
	struct capture *c = recording(a);
	if (c)
		c->bad = 1;
}

/* Where file is among the content's paths, or SIZE_MAX. */
static size_t path_index(const struct fv_actx *a, const struct fv_content *ct, const struct fv_file *file)
{
	for (size_t i = 0; i < ct->nfiles; i++)
		if (ct->files[i] < a->inv->nfiles && &a->inv->files[ct->files[i]] == file)
			return i;
	return SIZE_MAX;
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
	struct capture *c = recording(a);
	if (c && f->content == c->ct)
		rec_finding(c, "f", 0, rule, category, sev, conf, offset, evidence, title);
	else if (c)
		c->bad = 1;
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
	struct capture *c = recording(a);
	if (c) {
		size_t k = path_index(a, c->ct, file);
		if (c->paths && k != SIZE_MAX)
			rec_finding(c, "p", k, rule, category, sev, conf, offset, evidence, title);
		else
			c->bad = 1;
	}
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
	fv_actx_nocache(a); /* not relative to a content: a result with it is not reused */
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
	fv_actx_nocache(a); /* not relative to a content: a result with it is not reused */
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

static void rec_binary(struct capture *c, const struct fv_binary *b)
{
	json_t *o = json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:s, s:s?, s:s?, s:I, s:I, s:i, s:I, s:I}",
			      "elf_type", b->elf_type, "nx", b->nx, "pie", b->pie, "canary", b->canary, "fortify",
			      b->fortify, "stripped", b->stripped, "static", b->is_static, "relro", b->relro, "rpath",
			      b->rpath, "runpath", b->runpath, "fortified", (json_int_t)b->fortified, "unfortified",
			      (json_int_t)b->unfortified, "code", b->code, "functions", (json_int_t)b->functions,
			      "call_sites", (json_int_t)b->call_sites);
	json_t *calls = json_array();
	for (size_t i = 0; o && calls && i < b->ncalls; i++)
		if (json_array_append_new(calls, json_pack("[s I]", b->calls[i].name, (json_int_t)b->calls[i].calls)))
			c->bad = 1;
	if (!o || !calls || json_object_set_new(o, "calls", calls)) {
		json_decref(o);
		c->bad = 1;
		return;
	}
	if (strcmp(b->sha256 ? b->sha256 : "", c->ct->sha256))
		c->bad = 1;
	rec_add(c, json_pack("[s o]", "b", o));
}

void fv_actx_binary(struct fv_actx *a, const struct fv_binary *b)
{
	struct capture *cp = recording(a);
	if (cp)
		rec_binary(cp, b);
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
	fv_actx_nocache(a); /* not relative to a content: a result with it is not reused */
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

static void add_endpoint(struct fv_actx *a, const struct fv_endpoint *ep)
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

void fv_actx_endpoint(struct fv_actx *a, const struct fv_endpoint *ep)
{
	fv_actx_nocache(a); /* not relative to a content: a result with it is not reused */
	add_endpoint(a, ep);
}

void fv_actx_endpoint_in(struct fv_actx *a, const struct fv_afile *f, const struct fv_endpoint *ep)
{
	struct capture *c = recording(a);
	json_int_t off = joff(ep->offset);
	if (c && f->content == c->ct && off >= 0)
		rec_add(c, json_pack("[s s s I i]", "e", ep->value, ep->kind, off, ep->outside));
	else if (c)
		c->bad = 1;
	struct fv_endpoint rec = *ep;
	const struct fv_content *ct = f->content;
	size_t n = 0;
	for (size_t i = 0; ct && i < ct->nfiles; i++) {
		if (ct->files[i] >= a->inv->nfiles)
			continue;
		rec.path = a->inv->files[ct->files[i]].x->path;
		add_endpoint(a, &rec);
		n++;
	}
	if (!n) {
		rec.path = f->file->x->path;
		add_endpoint(a, &rec);
	}
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
	struct capture *cp = recording(a);
	json_int_t off = joff(c->offset);
	if (cp && f && f->content == cp->ct && off >= 0)
		rec_add(cp, json_pack("[s s s s s? s? I s? s? s?]", "c", c->name, c->title, c->version ? c->version : "",
				      c->cpe, c->purl, off, c->evidence, c->method, c->detail));
	else if (cp)
		cp->bad = 1;
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
	fv_actx_nocache(a); /* not relative to a content: a result with it is not reused */
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
	fv_actx_nocache(a); /* not relative to a content: a result with it is not reused */
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

/* ---- replaying a stored result -------------------------------------------------------- */

#define VIEW_MAX 4096

static int jstr(const json_t *v, const char **out, int null_ok)
{
	if (null_ok && json_is_null(v)) {
		*out = NULL;
		return 1;
	}
	if (!json_is_string(v))
		return 0;
	*out = json_string_value(v);
	return strlen(*out) == json_string_length(v);
}

static int jint(const json_t *v, json_int_t lo, json_int_t hi, json_int_t *out)
{
	if (!json_is_integer(v))
		return 0;
	*out = json_integer_value(v);
	return *out >= lo && *out <= hi;
}

static int rec_binary_apply(struct fv_actx *a, const struct fv_afile *af, json_t *o, int apply)
{
	struct fv_binary b = { .sha256 = af->content->sha256 };
	json_int_t fortified, unfortified, functions, call_sites;
	json_t *calls, *rpath, *runpath;
	if (!json_is_object(o) ||
	    json_unpack(o, "{s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:s, s:o, s:o, s:I, s:I, s:i, s:I, s:I, s:o}",
			"elf_type", &b.elf_type, "nx", &b.nx, "pie", &b.pie, "canary", &b.canary, "fortify",
			&b.fortify, "stripped", &b.stripped, "static", &b.is_static, "relro", &b.relro, "rpath",
			&rpath, "runpath", &runpath, "fortified", &fortified, "unfortified", &unfortified,
			"code", &b.code, "functions", &functions, "call_sites", &call_sites, "calls", &calls) ||
	    !jstr(rpath, &b.rpath, 1) || !jstr(runpath, &b.runpath, 1) ||
	    fortified < 0 || fortified > UINT_MAX || unfortified < 0 || unfortified > UINT_MAX ||
	    functions < 0 || call_sites < 0 || !json_is_array(calls) || json_array_size(calls) > 65536)
		return 0;
	b.fortified = (unsigned)fortified, b.unfortified = (unsigned)unfortified;
	b.functions = (size_t)functions, b.call_sites = (size_t)call_sites;
	b.ncalls = json_array_size(calls);
	struct fv_callcount *cc = apply && b.ncalls ? calloc(b.ncalls, sizeof *cc) : NULL;
	if (apply && b.ncalls && !cc) {
		a->oom = 1;
		return 0;
	}
	int ok = 1;
	for (size_t i = 0; ok && i < b.ncalls; i++) {
		json_t *x = json_array_get(calls, i);
		const char *name;
		json_int_t n;
		ok = json_is_array(x) && json_array_size(x) == 2 && jstr(json_array_get(x, 0), &name, 0) &&
		     jint(json_array_get(x, 1), 0, UINT_MAX, &n);
		if (ok && cc)
			cc[i] = (struct fv_callcount){ name, (unsigned)n };
	}
	if (ok && apply) {
		b.calls = cc;
		fv_actx_binary(a, &b);
	}
	free(cc);
	return ok;
}

/* Checks one record (apply 0) or reports it (apply 1): 1, or 0 when it is not one we write. */
static int rec_apply(struct fv_actx *a, const struct fv_afile *af, json_t *r, int apply)
{
	const char *tag, *s[9];
	json_int_t x[4] = { 0 };
	size_t n = json_array_size(r);
	if (!json_is_array(r) || !n || !jstr(json_array_get(r, 0), &tag, 0))
		return 0;
	const struct fv_content *ct = af->content;
	if (!strcmp(tag, "f") || !strcmp(tag, "p")) {
		size_t o = *tag == 'p';
		if (n != 8 + o || (o && !jint(json_array_get(r, 1), 0, (json_int_t)ct->nfiles - 1, &x[3])) ||
		    !jstr(json_array_get(r, 1 + o), &s[0], 0) || !jstr(json_array_get(r, 2 + o), &s[1], 0) ||
		    !jint(json_array_get(r, 3 + o), FV_SEV_INFO, FV_SEV_CRITICAL, &x[0]) ||
		    !jint(json_array_get(r, 4 + o), FV_CONF_NONE, FV_CONF_HIGH, &x[1]) ||
		    !jint(json_array_get(r, 5 + o), 0, INT64_MAX, &x[2]) ||
		    !jstr(json_array_get(r, 6 + o), &s[2], 1) || !jstr(json_array_get(r, 7 + o), &s[3], 0))
			return 0;
		if (o && ct->files[x[3]] >= a->inv->nfiles)
			return 0;
		if (apply && o)
			fv_actx_finding_at(a, &a->inv->files[ct->files[x[3]]], s[0], s[1], (enum fv_severity)x[0],
					   (enum fv_conf)x[1], (uint64_t)x[2], s[2], "%s", s[3]);
		else if (apply)
			fv_actx_finding(a, af, s[0], s[1], (enum fv_severity)x[0], (enum fv_conf)x[1], (uint64_t)x[2],
					s[2], "%s", s[3]);
		return 1;
	}
	if (!strcmp(tag, "e")) {
		if (n != 5 || !jstr(json_array_get(r, 1), &s[0], 0) || !jstr(json_array_get(r, 2), &s[1], 0) ||
		    !jint(json_array_get(r, 3), 0, INT64_MAX, &x[0]) || !jint(json_array_get(r, 4), 0, 1, &x[1]))
			return 0;
		struct fv_endpoint ep = { s[0], s[1], NULL, (uint64_t)x[0], (int)x[1] };
		if (apply)
			fv_actx_endpoint_in(a, af, &ep);
		return 1;
	}
	if (!strcmp(tag, "c")) {
		if (n != 10 || !jint(json_array_get(r, 6), 0, INT64_MAX, &x[0]))
			return 0;
		for (size_t i = 1; i < 10; i++)
			if (i != 6 && !jstr(json_array_get(r, i), &s[i - 1], i > 3))
				return 0;
		struct fv_component_copy c = { s[0], s[1], s[2], s[3], s[4], NULL, (uint64_t)x[0], s[6], s[7], s[8] };
		if (apply)
			fv_actx_component_copy(a, af, &c);
		return 1;
	}
	if (!strcmp(tag, "b"))
		return n == 2 && rec_binary_apply(a, af, json_array_get(r, 1), apply);
	return 0;
}

/*
 * Replays a stored result of analyzer k for af's content: 1 done, 0 when it
 * is not usable (another view, or not what we write), and then nothing was
 * reported and the analyzer's state is as it was.
 */
static int replay(struct fv_actx *a, size_t k, const struct fv_afile *af, const char *view, const char *text)
{
	json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	json_t *v = json_object_get(root, "v"), *r = json_object_get(root, "r"), *kp = json_object_get(root, "k");
	int ok = json_is_object(root) && json_object_size(root) == 2u + (kp != NULL) && json_is_string(v) &&
		 !strcmp(json_string_value(v), view) && json_is_array(r);
	for (size_t i = 0; ok && i < json_array_size(r); i++)
		ok = rec_apply(a, af, json_array_get(r, i), 0);
	if (ok && kp) {
		char *t = a->an[k]->restore ? json_dumps(kp, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
		ok = t && a->an[k]->restore(a, a->state[k], af, t) == FV_OK;
		free(t);
	}
	for (size_t i = 0; ok && i < json_array_size(r); i++)
		rec_apply(a, af, json_array_get(r, i), 1);
	json_decref(root);
	return ok;
}

/* What a result depends on besides the bytes: the kind, and the analyzer's view.  Its length, or -1. */
static int view_of(struct fv_actx *a, size_t k, const struct fv_afile *af, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s", fv_kind_name(af->file->kind));
	if (n < 0 || (size_t)n + 2 >= cap)
		return -1;
	if (!a->an[k]->view)
		return n;
	out[n++] = ' ';
	int m = a->an[k]->view(a, a->state[k], af, out + n, cap - (size_t)n);
	return m < 0 || (size_t)m >= cap - (size_t)n ? -1 : n + m;
}

/* Runs analyzer k on af while recording what it reports, and keeps the result as new. */
static void run_recorded(struct fv_actx *a, size_t k, const struct fv_afile *af)
{
	char view[VIEW_MAX];
	struct capture c = { a, af->content, a->an[k]->view != NULL, json_array(), NULL, 0 };
	if (!c.recs || view_of(a, k, af, view, sizeof view) < 0)
		c.bad = 1;
	cur = &c;
	a->an[k]->run(a, a->state[k], af);
	cur = NULL;
	json_t *root = c.bad ? NULL : json_pack("{s:s, s:O}", "v", view, "r", c.recs);
	if (root && c.keep && json_object_set(root, "k", c.keep)) {
		json_decref(root);
		root = NULL;
	}
	char *t = root ? json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (t)
		fv_acache_add_new(a->cache, af->content->sha256, k, t);
	json_decref(root);
	json_decref(c.recs);
	json_decref(c.keep);
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct fv_actx *a = p->a;
	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->njobs)
			break;
		const struct job *j = &p->jobs[i];
		struct fv_afile af = { j->file, NULL, 0, j->content };
		/* Stored results first: a content whose every analyzer is replayed is not even read. */
		uint64_t todo = j->mask, record = 0;
		for (size_t k = 0; a->cache && j->content && k < a->nan; k++) {
			if (!(j->mask >> k & 1) || a->an[k]->uncached)
				continue;
			char view[VIEW_MAX];
			const char *res = view_of(a, k, &af, view, sizeof view) < 0 ? NULL
					  : fv_acache_get(a->cache, j->content->sha256, k);
			if (res && replay(a, k, &af, view, res)) {
				todo &= ~(1ull << k);
				fv_acache_count(a->cache, 1);
			} else {
				record |= 1ull << k;
				fv_acache_count(a->cache, 0);
			}
		}
		if (!todo)
			continue;
		struct fv_map m = { NULL, 0 };
		if (j->file->x->size && fv_inventory_map(a->inv, j->file, &m) != FV_OK)
			continue; /* unreadable: the inventory says so in its type */
		af.data = m.data, af.size = m.size;
		for (size_t k = 0; k < a->nan; k++) {
			if (!(todo >> k & 1))
				continue;
			if (record >> k & 1)
				run_recorded(a, k, &af);
			else
				a->an[k]->run(a, a->state[k], &af);
		}
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
	if (a->cache)
		fv_acache_begin(a->cache);
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
	if (a->cache)
		fv_acache_end(a->cache);
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
