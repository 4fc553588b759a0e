/*
 * The finding model of the design guide.  Every stage may produce findings
 * (the sink reports neutralised paths, analyzers report backdoors); the
 * report stage renders them.  A finding's id is a hash of rule, path and
 * evidence, so the same problem keeps its id across runs.
 */
#ifndef FV_CORE_FINDING_H
#define FV_CORE_FINDING_H

#include <stddef.h>
#include <stdint.h>

struct fv_json;

enum fv_severity { FV_SEV_INFO, FV_SEV_LOW, FV_SEV_MEDIUM, FV_SEV_HIGH, FV_SEV_CRITICAL };
enum fv_conf { FV_CONF_NONE, FV_CONF_LOW, FV_CONF_MEDIUM, FV_CONF_HIGH };

struct fv_finding {
	char id[17];
	const char *rule;     /* "FV-EXTR-001" (owned) */
	const char *category; /* "extraction" (owned) */
	enum fv_severity severity;
	enum fv_conf confidence;
	char *title;
	char *path;
	uint64_t offset;
	char *evidence;
};

struct fv_findings {
	struct fv_finding *v;
	size_t n, cap;
};

int fv_findings_add(struct fv_findings *l, const char *rule, const char *category,
		    enum fv_severity sev, enum fv_conf conf, const char *path, uint64_t offset,
		    const char *evidence, const char *title_fmt, ...)
	__attribute__((format(printf, 9, 10)));
void fv_findings_free(struct fv_findings *l);

const char *fv_severity_name(enum fv_severity s);
const char *fv_conf_name(enum fv_conf c);
void fv_finding_json(struct fv_json *j, const struct fv_finding *f);

#endif
