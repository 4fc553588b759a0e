/*
 * SARIF 2.1.0 (OASIS), for GitHub code scanning and other SARIF viewers: one
 * log, one run per scanned image, one result per finding.  A result's
 * location is the finding's path (the design guide's chain of containers, as
 * a relative URI under the image's base id) with the byte offset as a region;
 * its rule carries the catalogue's help text and references.
 */
#ifndef FV_REPORT_SARIF_H
#define FV_REPORT_SARIF_H

struct fv_json;
struct fv_report;

/* The log object up to the opening of "runs". */
void fv_sarif_begin(struct fv_json *j);
/* One image's run. */
void fv_sarif_run(struct fv_json *j, const struct fv_report *r);
/* Closes "runs" and the log. */
void fv_sarif_end(struct fv_json *j);

#endif
