/*
 * The curated vulnerabilities of rules/vulns/<component>.txt (docs/rules.md):
 *
 *   # id            affected               cvss  kev  summary
 *   CVE-2014-0160   >=1.0.1,<1.0.1g        7.5   kev  TLS heartbeat read overrun ...
 *
 * Read strictly: a line that is not exactly that names its file and line and
 * what was expected, and nothing is loaded, so a typo never silently drops a
 * vulnerability.  '#' starts a comment only at the start of a line, so a
 * summary may hold one ("bug #123").
 */
#include "vuln/vulndb_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/map.h"

#define MAX_FILE (4u * 1024 * 1024)
#define MAX_LINE 4096
#define MAX_ID 64

struct ctx {
	const char *path;
	size_t line;
	char *err;
	size_t errlen;
};

static int bad(const struct ctx *c, const char *what, const char *found, size_t n)
{
	snprintf(c->err, c->errlen, "%s:%zu: expected %s, found \"%.*s\"", c->path, c->line, what,
		 (int)(n > 60 ? 60 : n), found);
	return FV_EFORMAT;
}

static int name_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && !strchr("_.+-", s[i]))
			return 0;
	return n > 0;
}

static int id_ok(const char *s, size_t n)
{
	if (n == 0 || n > MAX_ID)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._:-", s[i]))
			return 0;
	if (n >= 4 && !memcmp(s, "CVE-", 4)) {
		/* CVE-YYYY-NNNN... */
		if (n < 13 || s[8] != '-')
			return 0;
		for (size_t i = 4; i < n; i++)
			if (i != 8 && !isdigit((unsigned char)s[i]))
				return 0;
	}
	return 1;
}

static int version_ok(const char *s, size_t n)
{
	if (n == 0 || n > FV_VULN_FIELD_MAX || !isdigit((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._+~-", s[i]))
			return 0;
	return 1;
}

/* The affected column into v: comma-separated bounds that must all hold. */
static int affected(const struct ctx *c, const char *s, size_t n, struct fv_rvuln *v)
{
	const char *what = "bounds >=V, >V, <=V, <V or =V separated by commas (\">=1.0.1,<1.0.1g\"), "
			   "each version starting with a digit, at most one lower and one upper bound, "
			   "or one =V alone";
	for (size_t i = 0; i < n;) {
		size_t e = i;
		while (e < n && s[e] != ',')
			e++;
		const char *b = s + i;
		size_t bn = e - i, op = 0;
		int lower = 0, incl = 0, exact = 0;
		if (bn >= 2 && b[0] == '>' && b[1] == '=')
			op = 2, lower = 1, incl = 1;
		else if (bn >= 2 && b[0] == '<' && b[1] == '=')
			op = 2, incl = 1;
		else if (bn >= 1 && b[0] == '>')
			op = 1, lower = 1;
		else if (bn >= 1 && b[0] == '<')
			op = 1;
		else if (bn >= 1 && b[0] == '=')
			op = 1, exact = 1;
		if (!op || !version_ok(b + op, bn - op))
			return bad(c, what, b, bn);
		char **slot = exact ? &v->exact : lower ? &v->start : &v->end;
		if (*slot || (exact && (v->start || v->end)) || (!exact && v->exact))
			return bad(c, what, s, n);
		if (!(*slot = strndup(b + op, bn - op)))
			return FV_ENOMEM;
		if (lower)
			v->start_incl = incl;
		else if (!exact)
			v->end_incl = incl;
		i = e + 1;
		if (e + 1 == n)
			return bad(c, what, s, n);
	}
	return FV_OK;
}

static int cvss_of(const struct ctx *c, const char *s, size_t n, double *out)
{
	const char *what = "a CVSS base score from 0.0 to 10.0, or -";
	if (n == 1 && s[0] == '-') {
		*out = -1;
		return FV_OK;
	}
	/* D.D or DD.D: what NVD publishes. */
	if (n < 3 || n > 4 || s[n - 2] != '.' || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[n - 1]) ||
	    (n == 4 && !isdigit((unsigned char)s[1])))
		return bad(c, what, s, n);
	double v = (s[0] - '0') * (n == 4 ? 10 : 1) + (n == 4 ? s[1] - '0' : 0) + (s[n - 1] - '0') / 10.0;
	if (v > 10.0)
		return bad(c, what, s, n);
	*out = v;
	return FV_OK;
}

/* Splits off the next blank-separated column of [*p, end). */
static int column(const char **p, const char *end, const char **s, size_t *n)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	*s = *p;
	while (*p < end && **p != ' ' && **p != '\t')
		(*p)++;
	*n = (size_t)(*p - *s);
	return *n > 0;
}

static int grow(struct fv_rvulns *r)
{
	if (r->n < r->cap)
		return FV_OK;
	size_t cap = r->cap ? r->cap * 2 : 64;
	struct fv_rvuln *v = realloc(r->v, cap * sizeof *v);
	if (!v)
		return FV_ENOMEM;
	r->v = v;
	r->cap = cap;
	return FV_OK;
}

static void rvuln_free(struct fv_rvuln *v)
{
	free(v->name);
	free(v->id);
	free(v->summary);
	free(v->range);
	free(v->start);
	free(v->end);
	free(v->exact);
}

static int one_line(struct ctx *c, const char *name, const char *p, const char *end, struct fv_rvulns *out)
{
	const char *s[4];
	size_t n[4];
	static const char *const what[] = { "an id (\"CVE-2014-0160\")", "the affected versions (\">=1.0.1,<1.0.1g\")",
					    "a CVSS score or -", "kev or -" };
	for (int i = 0; i < 4; i++)
		if (!column(&p, end, &s[i], &n[i]))
			return bad(c, what[i], "", 0);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end)
		return bad(c, "a summary after the kev column", "", 0);
	for (const char *q = p; q < end; q++)
		if ((unsigned char)*q < 0x20 && *q != '\t')
			return bad(c, "a summary of printable text", p, (size_t)(end - p));
	if (!id_ok(s[0], n[0]))
		return bad(c, "an id of letters, digits and ._:- (CVE ids as CVE-YYYY-NNNN)", s[0], n[0]);
	int rc = grow(out);
	if (rc)
		return rc;
	struct fv_rvuln *v = &out->v[out->n];
	memset(v, 0, sizeof *v);
	if ((rc = affected(c, s[1], n[1], v)) || (rc = cvss_of(c, s[2], n[2], &v->cvss))) {
		rvuln_free(v);
		return rc;
	}
	if (n[3] == 3 && !memcmp(s[3], "kev", 3)) {
		v->kev = 1;
	} else if (!(n[3] == 1 && s[3][0] == '-')) {
		rvuln_free(v);
		return bad(c, "kev or -", s[3], n[3]);
	}
	size_t sn = (size_t)(end - p);
	if (sn >= FV_VULN_SUMMARY_MAX)
		sn = FV_VULN_SUMMARY_MAX - 1;
	v->name = strdup(name);
	v->id = strndup(s[0], n[0]);
	v->range = strndup(s[1], n[1]);
	v->summary = strndup(p, sn);
	if (!v->name || !v->id || !v->range || !v->summary) {
		rvuln_free(v);
		return FV_ENOMEM;
	}
	out->n++;
	return FV_OK;
}

static int one_file(const char *dir, const char *file, struct fv_rvulns *out, char *err, size_t errlen)
{
	char path[4096], name[256];
	size_t fn = strlen(file) - 4;
	if (!name_ok(file, fn) || fn >= sizeof name) {
		snprintf(err, errlen, "%s/%s: expected a component name of [a-z0-9_.+-] before .txt", dir, file);
		return FV_EFORMAT;
	}
	memcpy(name, file, fn);
	name[fn] = 0;
	if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path) {
		snprintf(err, errlen, "%s/%s: path too long", dir, file);
		return FV_EUSAGE;
	}
	struct fv_map m;
	if (fv_map_open(path, &m) != FV_OK) {
		snprintf(err, errlen, "%s: expected a rules file, cannot read it: %s", path, strerror(errno));
		return FV_EIO;
	}
	if (m.size > MAX_FILE) {
		fv_map_close(&m);
		snprintf(err, errlen, "%s: expected at most %u bytes, found %zu", path, MAX_FILE, m.size);
		return FV_ELIMIT;
	}
	struct ctx c = { path, 0, err, errlen };
	const char *p = (const char *)m.data;
	int rc = FV_OK;
	for (size_t i = 0; i < m.size && !rc;) {
		const char *nl = memchr(p + i, '\n', m.size - i);
		size_t e = nl ? (size_t)(nl - p) : m.size, b = i;
		i = nl ? e + 1 : m.size;
		c.line++;
		if (e - b > MAX_LINE) {
			rc = bad(&c, "a line of at most 4096 bytes", p + b, 20);
			break;
		}
		while (b < e && isspace((unsigned char)p[b]))
			b++;
		while (e > b && isspace((unsigned char)p[e - 1]))
			e--;
		if (b == e || p[b] == '#')
			continue;
		rc = one_line(&c, name, p + b, p + e, out);
	}
	fv_map_close(&m);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int fv_rvulns_load(const char *dir, struct fv_rvulns *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return FV_OK;
		snprintf(err, errlen, "%s: cannot read the folder: %s", dir, strerror(errno));
		return FV_EIO;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = FV_OK;
	struct dirent *de;
	while (!rc && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len <= 4 || strcmp(de->d_name + len - 4, ".txt") || de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **p = realloc(names, cap * sizeof *p);
			if (!p) {
				rc = FV_ENOMEM;
				break;
			}
			names = p;
		}
		if (!(names[n] = strdup(de->d_name)))
			rc = FV_ENOMEM;
		else
			n++;
	}
	closedir(d);
	/* In name order, so matches come out the same on every filesystem. */
	if (n)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n && !rc; i++)
		rc = one_file(dir, names[i], out, err, errlen);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc == FV_ENOMEM)
		snprintf(err, errlen, "%s: out of memory", dir);
	if (rc)
		fv_rvulns_free(out);
	return rc;
}

void fv_rvulns_free(struct fv_rvulns *r)
{
	for (size_t i = 0; i < r->n; i++)
		rvuln_free(&r->v[i]);
	free(r->v);
	memset(r, 0, sizeof *r);
}
