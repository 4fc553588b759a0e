/*
 * Running the analyzers over one image's inventory: once per unique content
 * or per path, on every core, then each analyzer's finish step.
 */
#ifndef FV_ANALYZE_RUN_H
#define FV_ANALYZE_RUN_H

#include <stddef.h>

#include "analyze/analyze.h"

struct fv_aopts {
	const char *rules_dir;  /* NULL: fv_rules_dir_default() */
	const char *user_rules; /* --rules DIR, or NULL */
	const char *vulndb;     /* the imported vulnerability database, or NULL for none */
	unsigned threads;       /* 0: one per core */
	/* Only these analyzers (NULL-terminated), or NULL for all of fv_analyzers. */
	const struct fv_analyzer *const *only;
};

/* What the analyzers reported for one image; every string is owned. */
struct fv_results {
	struct fv_findings findings;
	struct fv_account *accounts;
	size_t naccounts, capaccounts;
	struct fv_service *services;
	size_t nservices, capservices;
	struct fv_endpoint *endpoints;
	size_t nendpoints, capendpoints;
	struct fv_binary *binaries;   /* sorted by sha256 once the run is over */
	size_t nbinaries, capbinaries;
	struct fv_unsafe_row *unsafe;
	size_t nunsafe, capunsafe;
	struct fv_component_copy *copies;     /* every copy, in the order found */
	size_t ncopies, capcopies;
	struct fv_component *components;      /* sorted by name, then version */
	size_t ncomponents, capcomponents;
	struct fv_vulnerability *vulns;       /* sorted by severity, then id */
	size_t nvulns, capvulns;
};

/* The binary record of a content, or NULL. */
const struct fv_binary *fv_results_binary(const struct fv_results *r, const char *sha256);

/* The rules folder: $FWVET_RULES, else the source tree's rules/, else the installed copy. */
const char *fv_rules_dir_default(void);

/* Loads every analyzer's rules.  0 or a negative fv_err with a message in err. */
int fv_analysis_open(const struct fv_aopts *o, struct fv_actx **out, char *err, size_t errlen);
/*
 * Runs the analyzers over inv and fills out (which the caller zeroes), sorted
 * by severity, then path, then offset.  0 or a negative fv_err.
 */
int fv_analysis_run(struct fv_actx *a, const struct fv_inventory *inv, struct fv_results *out);
void fv_analysis_close(struct fv_actx *a);

struct fv_acache;
/*
 * Every analyzer of the run, in run order: its name and input fingerprint
 * (64 hex digits: SHA-256 over the tool's version, the name, the rule files
 * it reads, and for supply the imported vulnerability data's size and time).
 */
size_t fv_analysis_ninputs(const struct fv_actx *a);
void fv_analysis_input(const struct fv_actx *a, size_t i, const char **analyzer, const char **inputs);
/*
 * The analysis cache the next runs read and fill (cache.h), or NULL for none.
 * Set after fv_analysis_open and before fv_acache_put.  0 or FV_ENOMEM (then
 * no cache is used).
 */
int fv_analysis_set_cache(struct fv_actx *a, struct fv_acache *c);
/* SHA-256 over the rules folders in use, for the report's "tool" object. */
const char *fv_analysis_rules_sha256(const struct fv_actx *a);
/* The date of the newest vulnerability data in use ("2026-11-01"), or NULL. */
const char *fv_analysis_vulndb_date(const struct fv_actx *a);
/* SHA-256 of the imported vulnerability data in use (vulndb.h), or NULL when none is. */
const char *fv_analysis_vulndb_sha256(const struct fv_actx *a);
void fv_results_free(struct fv_results *r);

#endif
