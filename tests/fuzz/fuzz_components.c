/*
 * libFuzzer harness for the components analyzer: the package database
 * reader and the string pass (vectorscan, then PCRE2 around each hit, the
 * ELF soname and symbol versions, the BusyBox applet table) over the same
 * input, with the shipped rules loaded once.
 */
#include "analyze/components.h"
#include "analyze/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct fv_analyzer fv_analyzer_components;

static void *g_state;
static int g_loaded;

static void *state(void)
{
	if (!g_loaded) {
		g_loaded = 1;
		const char *rules = getenv("FWVET_RULES");
		const struct fv_analyzer *const only[2] = { &fv_analyzer_components, NULL };
		struct fv_aopts o = { .rules_dir = rules ? rules : FV_SOURCE_RULES, .threads = 1,
				      .only = only };
		struct fv_actx *a = NULL;
		char err[1024];
		/* The context's own copy of the state is not reachable: init again for ours. */
		if (fv_analysis_open(&o, &a, err, sizeof err) != 0 ||
		    fv_analyzer_components.init(a, &g_state) != 0) {
			fprintf(stderr, "fuzz_components: %s\n", err);
			abort();
		}
		fv_analysis_close(a);
	}
	return g_state;
}

/* Touch every byte of a string, so ASan sees a read past it. */
static size_t touch(const char *s)
{
	return s ? strlen(s) : 0;
}

static void on_copy(void *ctx, const struct fv_component_copy *c)
{
	size_t *n = ctx;
	*n += touch(c->name) + touch(c->title) + touch(c->version) + touch(c->cpe) + touch(c->purl) +
	      touch(c->evidence) + touch(c->method) + touch(c->detail);
	if (!c->version || (c->version[0] && (c->version[0] < '0' || c->version[0] > '9')))
		abort(); /* a string-pass version starts with a digit */
}

static void on_pkg(void *ctx, const struct fv_pkg_entry *e)
{
	size_t *n = ctx;
	for (size_t i = 0; i < e->name_len; i++)
		*n += (unsigned char)e->name[i];
	for (size_t i = 0; e->version && i < e->version_len; i++)
		*n += (unsigned char)e->version[i];
	for (size_t i = 0; e->status && i < e->status_len; i++)
		*n += (unsigned char)e->status[i];
	char up[300];
	if (e->version)
		fv_pkg_upstream(e->version, e->version_len, up, sizeof up), *n += touch(up);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = 0;
	/* A copy of exactly size bytes, so ASan catches a read one past the end. */
	uint8_t *d = malloc(size ? size : 1);
	if (!d)
		return 0;
	memcpy(d, data, size);
	fv_pkgdb_parse(d, size, on_pkg, &n);
	fv_components_scan(state(), d, size, on_copy, &n);
	free(d);
	return n == (size_t)-1; /* keeps n alive */
}
