/*
 * Shared by vulndb.c and the importers (import_nvd.c, import_osv.c,
 * import_kev.c) and the curated-rules reader (rules_vulns.c); not part of the
 * interface of the vuln module.
 */
#ifndef FV_VULN_VULNDB_INT_H
#define FV_VULN_VULNDB_INT_H

#include <stddef.h>

#include <jansson.h>
#include <sqlite3.h>

#include "vuln/version.h"
#include "vuln/vulndb.h"

/* Longest version bound, id or key stored; longer ones are malformed input. */
#define FV_VULN_FIELD_MAX 256
/* Summaries are cut (at a UTF-8 boundary) to this many bytes. */
#define FV_VULN_SUMMARY_MAX 1024

/* One import: the database in a transaction, the file, where errors go. */
struct fv_vimport {
	sqlite3 *db;
	const char *file;      /* the file as named on the command line */
	const char *member;    /* the zip member being read, or NULL */
	char *err;
	size_t errlen;
	struct fv_vulndb_stats *st;
	sqlite3_stmt *get_vuln, *put_vuln, *del_ranges, *put_range, *get_kev, *put_kev;
	int write;             /* 1: the current record changed; its ranges are written */
	char data_date[32];    /* the newest date the file itself declares (KEV dateReleased) */
};

/*
 * Formats "FILE: record N (ID): " followed by fmt into im->err and returns
 * FV_EFORMAT.  recno 0: the file as a whole; id may be NULL.
 */
int fv_vi_fail(struct fv_vimport *im, size_t recno, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* What a JSON value is, for "found ..." ("nothing" for NULL); into buf. */
const char *fv_vi_found(const json_t *v, char *buf, size_t n);

/* Where a JSON importer's errors point: record no (0: the file as a whole) and its id once known. */
struct fv_vi_rec {
	struct fv_vimport *im;
	size_t no;
	const char *id;
};

/* fv_vi_fail with "expected WHAT, found ..." naming what found is. */
int fv_vi_bad(const struct fv_vi_rec *r, const char *what, const json_t *found);
/* An optional string member: 0 with *out NULL when absent, an error when it is another type. */
int fv_vi_opt_str(const struct fv_vi_rec *r, const json_t *obj, const char *key, const char *what,
		  const char **out);
/* s is a usable bound, id or key: 1..FV_VULN_FIELD_MAX bytes, no control bytes or blanks. */
int fv_vi_token_ok(const char *s);

/*
 * Records one vulnerability: added when new, changed when `modified` is newer
 * than the stored one (its ranges are then replaced), else unchanged.  Sets
 * im->write to whether the ranges that follow are to be written.
 */
int fv_vi_vuln(struct fv_vimport *im, const char *source, const char *id, const char *summary,
	       double cvss, const char *published, const char *modified, const char *aliases);
/* One affected range of the last vulnerability (nothing when it was unchanged). */
int fv_vi_range(struct fv_vimport *im, const char *source, const char *id, const char *key,
		const struct fv_vrange *r);
/* One KEV entry: added, changed (another date or name) or unchanged. */
int fv_vi_kev(struct fv_vimport *im, const char *id, const char *date_added, const char *name);

/* The importers; root is the parsed document.  0 or a negative fv_err (message in im->err). */
int fv_import_nvd(struct fv_vimport *im, json_t *root);
int fv_import_kev(struct fv_vimport *im, json_t *root);
/*
 * Reads an NVD feed at path (plain or gzip) one record at a time.  1 when the
 * file is not an NVD 2.0 feed that names itself before its records (nothing
 * was written: read it whole instead); else 0 or a negative fv_err.
 */
int fv_import_nvd_stream(struct fv_vimport *im, const char *path);
/* One OSV record or an array of them. */
int fv_import_osv(struct fv_vimport *im, json_t *root);
/* A zip export of OSV records (one JSON document per member). */
int fv_import_osv_zip(struct fv_vimport *im, const char *path);

/* CVSS v3.x base score from a vector "CVSS:3.1/AV:N/...", or -1 when it is not one. */
double fv_cvss3_score(const char *vector);

/* ---- the curated records of rules/vulns/ ---------------------------------------- */

struct fv_rvuln {
	char *name;            /* the component: the file name without .txt */
	char *id, *summary;
	char *range;           /* as written: ">=1.0.1,<1.0.1g" */
	char *start, *end, *exact;
	int start_incl, end_incl;
	double cvss;           /* negative: none */
	int kev;
};

struct fv_rvulns {
	struct fv_rvuln *v;    /* sorted by name, then file order */
	size_t n, cap;
};

/* Reads every .txt file of dir (a missing dir is no error); err names file:line and what was expected. */
int fv_rvulns_load(const char *dir, struct fv_rvulns *out, char *err, size_t errlen);
void fv_rvulns_free(struct fv_rvulns *r);

#endif
