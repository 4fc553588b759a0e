/* Rules files of lines (see rulefile.h). */
#include "analyze/rulefile.h"

#include <ctype.h>
#include <stdio.h>
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
