#include "core/finding.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/hash.h"
#include "core/json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *fv_severity_name(enum fv_severity s)
{
	static const char *n[] = { "info", "low", "medium", "high", "critical" };
	return (unsigned)s < 5 ? n[s] : "info";
}

const char *fv_conf_name(enum fv_conf c)
{
	static const char *n[] = { "none", "low", "medium", "high" };
	return (unsigned)c < 4 ? n[c] : "none";
}

int fv_findings_add(struct fv_findings *l, const char *rule, const char *category,
		    enum fv_severity sev, enum fv_conf conf, const char *path, uint64_t offset,
		    const char *evidence, const char *title_fmt, ...)
{
	if (fv_grow(&l->v, &l->cap, l->n, sizeof *l->v))
		return FV_ENOMEM;
	struct fv_finding *f = &l->v[l->n];
	memset(f, 0, sizeof *f);
	char title[512];
	va_list ap;
	va_start(ap, title_fmt);
	vsnprintf(title, sizeof title, title_fmt, ap);
	va_end(ap);
	/* Rule ids and categories may come from a user's rule file: copied, not borrowed. */
	f->rule = strdup(rule);
	f->category = strdup(category);
	f->severity = sev;
	f->confidence = conf;
	f->offset = offset;
	f->title = strdup(title);
	f->path = strdup(path ? path : "");
	f->evidence = strdup(evidence ? evidence : "");
	if (!f->rule || !f->category || !f->title || !f->path || !f->evidence) {
		free((char *)f->rule);
		free((char *)f->category);
		free(f->title);
		free(f->path);
		free(f->evidence);
		return FV_ENOMEM;
	}
	/* NUL separators keep ("ab","c") and ("a","bc") apart. */
	struct fv_sha256 h;
	char hex[FV_SHA256_HEX];
	fv_sha256_init(&h);
	fv_sha256_update(&h, rule, strlen(rule) + 1);
	fv_sha256_update(&h, f->path, strlen(f->path) + 1);
	fv_sha256_update(&h, f->evidence, strlen(f->evidence));
	fv_sha256_final(&h, hex);
	memcpy(f->id, hex, 16);
	f->id[16] = 0;
	l->n++;
	return FV_OK;
}

void fv_findings_free(struct fv_findings *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free((char *)l->v[i].rule);
		free((char *)l->v[i].category);
		free(l->v[i].title);
		free(l->v[i].path);
		free(l->v[i].evidence);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

void fv_finding_json(struct fv_json *j, const struct fv_finding *f)
{
	fv_json_obj_begin(j);
	fv_json_kstr(j, "id", f->id);
	fv_json_kstr(j, "rule", f->rule);
	fv_json_kstr(j, "category", f->category);
	fv_json_kstr(j, "severity", fv_severity_name(f->severity));
	fv_json_kstr(j, "title", f->title);
	fv_json_kstr(j, "path", f->path);
	fv_json_kuint(j, "offset", f->offset);
	fv_json_kstr(j, "evidence", f->evidence);
	fv_json_kstr(j, "confidence", fv_conf_name(f->confidence));
	fv_json_obj_end(j);
}
