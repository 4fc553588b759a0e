/*
 * What each finding rule means, for reports read by people who did not run
 * the scan: the rule catalogue of rules/findings/ (and a user's
 * --rules DIR/findings/), one entry per rule id.  SARIF's rule metadata and
 * the HTML report's help text come from here.  The file format (a block per
 * rule: "ID Name", "summary:", "help:" paragraphs, "ref:" URLs) is in
 * docs/rules.md, "The finding catalogue"; entries are kept sorted by id.
 */
#ifndef FV_REPORT_CATALOG_H
#define FV_REPORT_CATALOG_H

#include <stddef.h>

struct fv_rule_info {
	const char *id;        /* "FV-ACCT-001" */
	const char *name;      /* "ExtraUidZeroAccount": SARIF's rule name */
	const char *summary;   /* one line */
	const char *help;      /* what it means and what to do, plain text; paragraphs split by a blank line */
	const char *const *refs; /* reference URLs (CWE, advisories) */
	size_t nrefs;
};

struct fv_catalog;

/*
 * Reads every *.txt of rules_dir/findings and then of user_dir/findings
 * (user_dir may be NULL; a user entry replaces the shipped one of the same
 * id).  0, or a negative fv_err with "file:line: expected ..., got ..." in err.
 */
int fv_catalog_load(const char *rules_dir, const char *user_dir, struct fv_catalog **out, char *err,
		    size_t errlen);
/* The entry of a rule id, or NULL. */
const struct fv_rule_info *fv_catalog_find(const struct fv_catalog *c, const char *id);
size_t fv_catalog_count(const struct fv_catalog *c);
const struct fv_rule_info *fv_catalog_at(const struct fv_catalog *c, size_t i);
void fv_catalog_free(struct fv_catalog *c);

#endif
