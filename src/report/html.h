/*
 * One image's report as a single self-contained HTML page that works offline:
 * a verdict and counts first, the top risks, then a section per kind of
 * result with sortable, filterable tables (a little inline script, nothing
 * fetched).  Every byte of the image is hostile: all text is escaped.
 */
#ifndef FV_REPORT_HTML_H
#define FV_REPORT_HTML_H

#include <stdio.h>

struct fv_report;

void fv_report_html(FILE *f, const struct fv_report *r);

#endif
