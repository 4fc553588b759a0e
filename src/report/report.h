/*
 * Rendering one image's scan: the JSON report of the design guide (a public
 * interface: fields are only ever added) and the text report for a person.
 */
#ifndef FV_REPORT_REPORT_H
#define FV_REPORT_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "core/finding.h"

struct fv_unpack;
struct fv_inventory;
struct fv_results;
struct fv_json;

#define FV_REPORT_SCHEMA 1

struct fv_catalog;

struct fv_report {
	const struct fv_unpack *u;       /* extraction entries and extraction findings */
	const struct fv_inventory *inv;
	const struct fv_results *res;    /* analyzer findings and records */
	const char *rules_sha256;
	uint64_t elapsed_ms;
	const char *vulndb_date;         /* of the newest vulnerability data matched, or NULL */
	const char *vulndb_sha256;       /* of the imported vulnerability data, or NULL when none */
	const struct fv_catalog *catalog; /* what each rule means (SARIF, HTML), or NULL */
};

/*
 * Extraction and analysis findings in one list (pointers into both, *n of
 * them), worst first in a total order: severity, path, offset, rule,
 * evidence.  Every format lists them so.  malloc'd; NULL when out of memory.
 */
const struct fv_finding **fv_report_findings(const struct fv_report *r, size_t *n);
/* The worst severity among all findings (extraction and analysis), or -1 when there are none. */
int fv_report_worst(const struct fv_report *r);
int fv_severity_parse(const char *s, enum fv_severity *out);

/* The whole report as one JSON object. */
void fv_report_json(struct fv_json *j, const struct fv_report *r);
/* The "extraction" array alone (extract --json shares it). */
void fv_report_extraction_json(struct fv_json *j, const struct fv_unpack *u);

/* The fields of one record, inside an object the caller opened (diff adds its own around them). */
struct fv_account;
struct fv_service;
struct fv_endpoint;
void fv_report_account_fields(struct fv_json *j, const struct fv_account *a);
void fv_report_service_fields(struct fv_json *j, const struct fv_service *s);
void fv_report_endpoint_fields(struct fv_json *j, const struct fv_endpoint *e);
/*
 * For a person: findings grouped by severity, then category, info findings
 * counted (all of them with verbose), the accounts, boot services and outside
 * endpoints, and a summary line per category.  color: ANSI colours.
 */
void fv_report_text(FILE *f, const struct fv_report *r, int color, int verbose);

/* The summary's hardening verdict of a binary: 1 hardened, 0 not, -1 not loadable (objects, cores: not counted). */
struct fv_binary;
int fv_report_hardened(const struct fv_binary *b);

/* Prints at most max bytes of s with control bytes as \xNN (a hostile name cannot drive the terminal); "-" for NULL. */
void fv_report_put_safe(FILE *f, const char *s, size_t max);

#endif
