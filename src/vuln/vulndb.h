/*
 * The offline vulnerability data: the curated records in rules/vulns/ and a
 * local SQLite database that `fwvet vulndb import` fills from NVD CVE JSON 2.0
 * feeds, OSV records and CISA's KEV catalogue.  A scan opens both and asks,
 * per component version, which vulnerabilities affect it.
 */
#ifndef FV_VULN_VULNDB_H
#define FV_VULN_VULNDB_H

#include <stddef.h>

struct fv_vulndb;

/* $FWVET_VULNDB, else $XDG_DATA_HOME/fwvet/vulndb.db, else ~/.local/share/fwvet/vulndb.db; malloc'd. */
char *fv_vulndb_default_path(void);

/*
 * Opens the data a scan matches against.  db_path: the imported database, or
 * NULL for none (a path that does not exist is no error: nothing was imported);
 * rules_vulns: the rules/vulns folder, or NULL.  0 or a negative fv_err with a
 * message in err naming the file and line or record that failed.
 */
int fv_vulndb_open(const char *db_path, const char *rules_vulns, struct fv_vulndb **out,
		   char *err, size_t errlen);
void fv_vulndb_close(struct fv_vulndb *db);

/* The date of the newest data loaded ("2026-11-01"), or NULL. */
const char *fv_vulndb_date(const struct fv_vulndb *db);
/* SHA-256 (hex) over the SHA-256s of the files imported, in import order, or NULL when none was. */
const char *fv_vulndb_sha256(const struct fv_vulndb *db);

/* One vulnerability that affects a version. */
struct fv_vuln_match {
	const char *id;       /* "CVE-2014-0160" or an OSV id */
	const char *summary;  /* may be "" */
	double cvss;          /* base score (v3.x, else v2), negative when unknown */
	int kev;              /* listed in CISA KEV (from the catalogue or the rules) */
	const char *source;   /* "rules", "nvd", "osv" */
	const char *range;    /* the range that matched, as text: ">=1.0.1 <1.0.1g" */
};
typedef void (*fv_vuln_fn)(void *ctx, const struct fv_vuln_match *m);

/*
 * Calls fn once per vulnerability id that affects version of the component
 * known by name (rules/vulns/<name>.txt, OSV package names) and by CPE
 * "vendor:product" (NVD; may be NULL).  An id known from several sources is
 * reported once, from imported data before the rules.  0 or a negative fv_err.
 * One caller at a time per handle (it holds prepared statements).
 */
int fv_vulndb_match(struct fv_vulndb *db, const char *name, const char *cpe, const char *version,
		    fv_vuln_fn fn, void *ctx);

/* What an import did. */
struct fv_vulndb_stats {
	const char *format;   /* "nvd", "osv", "osv-zip", "kev" */
	size_t records;       /* vulnerabilities (or KEV entries) read */
	size_t added, changed, unchanged;
};

/*
 * Imports one file into the database at db_path (created when missing):
 * NVD CVE JSON 2.0 (.json or .json.gz), OSV JSON (one record, an array, or a
 * zip export) or the CISA KEV catalogue, told apart by their content.  One
 * transaction per file: a malformed record imports nothing from that file and
 * err names it.  Importing the same file again changes nothing.
 */
int fv_vulndb_import(const char *db_path, const char *file, struct fv_vulndb_stats *st,
		     char *err, size_t errlen);

/* What the database at a path holds (`fwvet vulndb info`). */
struct fv_vulndb_info {
	int exists;           /* 0: no database at that path (nothing imported) */
	size_t nvd, osv;      /* vulnerabilities per source */
	size_t kev;           /* KEV entries */
	size_t ranges;        /* affected ranges, all sources */
	size_t imports;       /* files imported */
	char date[32];        /* of the newest data, or "" */
};
int fv_vulndb_info(const char *db_path, struct fv_vulndb_info *out, char *err, size_t errlen);

/* Severity from a CVSS base score: "critical", "high", "medium", "low", "none"; "unknown" if < 0. */
const char *fv_cvss_severity(double score);

#endif
