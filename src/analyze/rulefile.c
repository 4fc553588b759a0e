/* Rules files of lines (see rulefile.h). */
#include "analyze/rulefile.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/map.h"

int fv_rules_read(struct fv_actx *a, const char *dir, const char *name, int required,
		  fv_rule_line_fn fn, void *ctx)
{
	char path[4096];
	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
		fv_actx_fail(a, "rules path %s/%s is too long", dir, name);
		return FV_EUSAGE;
	}
	struct fv_map m;
	if (fv_map_open(path, &m) != FV_OK) {
		if (!required)
			return FV_OK;
		fv_actx_fail(a, "%s: expected a rules file, cannot read it", path);
		return FV_EIO;
	}
	const char *p = (const char *)m.data;
	size_t n = m.size, line = 0;
	int rc = FV_OK;
	for (size_t i = 0; i < n && rc == FV_OK;) {
		const char *nl = memchr(p + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - p) : n, b = i;
		i = nl ? e + 1 : n;
		line++;
		const char *hash = memchr(p + b, '#', e - b);
		if (hash)
			e = (size_t)(hash - p);
		while (b < e && isspace((unsigned char)p[b]))
			b++;
		while (e > b && isspace((unsigned char)p[e - 1]))
			e--;
		if (b < e)
			rc = fn(a, ctx, path, line, p + b, e - b);
	}
	fv_map_close(&m);
	return rc;
}

int fv_rules_each(struct fv_actx *a, const char *dir, const char *sub, const char *suffix,
		  fv_rule_file_fn fn, void *ctx)
{
	char folder[4096];
	if (snprintf(folder, sizeof folder, "%s/%s", dir, sub) >= (int)sizeof folder) {
		fv_actx_fail(a, "rules path %s/%s is too long", dir, sub);
		return FV_EUSAGE;
	}
	struct dirent **v;
	int n = scandir(folder, &v, NULL, alphasort);
	if (n < 0)
		return FV_OK;
	size_t sl = strlen(suffix);
	int rc = FV_OK;
	for (int i = 0; i < n; i++) {
		const char *name = v[i]->d_name;
		size_t l = strlen(name);
		if (rc == FV_OK && l > sl && !strcmp(name + l - sl, suffix) && name[0] != '.' &&
		    (v[i]->d_type == DT_REG || v[i]->d_type == DT_UNKNOWN || v[i]->d_type == DT_LNK)) {
			char stem[256];
			if (l - sl >= sizeof stem) {
				fv_actx_fail(a, "%s/%s: expected a file name shorter than %zu bytes", folder,
					     name, sizeof stem);
				rc = FV_EFORMAT;
			} else {
				memcpy(stem, name, l - sl);
				stem[l - sl] = 0;
				rc = fn(a, ctx, folder, name, stem);
			}
		}
		free(v[i]);
	}
	free(v);
	return rc;
}
