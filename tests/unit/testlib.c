#include "testlib.h"
#include "analyze/run.h"
#include "core/err.h"
#include "inventory/inventory.h"
#include "unpack/engine.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unpack/sink.h"

void fv_test_tmpdir(char *dir, size_t cap, const char *tag)
{
	int k = snprintf(dir, cap, "/tmp/fv-%s-XXXXXX", tag);
	assert_true(k > 0 && (size_t)k < cap);
	if (!mkdtemp(dir))
		fail_msg("mkdtemp %s failed", dir);
}

int fv_test_rmtree(const char *dir)
{
	fv_test_sh(NULL, "rm -rf '%s'", dir);
	return 0;
}

void fv_test_sh(const char *dir, const char *fmt, ...)
{
	char cmd[4096];
	int k = dir ? snprintf(cmd, sizeof cmd, "set -e; cd '%s'; ", dir)
		    : snprintf(cmd, sizeof cmd, "set -e; ");
	assert_true(k > 0 && (size_t)k < sizeof cmd);
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(cmd + k, sizeof cmd - (size_t)k, fmt, ap);
	va_end(ap);
	/* A command cut short could do something else entirely. */
	assert_true(m >= 0 && (size_t)m < sizeof cmd - (size_t)k);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

int fv_test_have(const char *tool)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "command -v '%s' >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

static void join(char *out, size_t cap, const char *dir, const char *name)
{
	int k = dir ? snprintf(out, cap, "%s/%s", dir, name) : snprintf(out, cap, "%s", name);
	assert_true(k > 0 && (size_t)k < cap);
}

uint8_t *fv_test_read_file(const char *dir, const char *name, size_t *len)
{
	char path[1024];
	join(path, sizeof path, dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	/* Read to the end rather than trust a size: /proc files have none. */
	uint8_t *b = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (cap - n < 2) {
			cap = cap ? cap * 2 : 65536;
			b = realloc(b, cap);
			assert_non_null(b);
		}
		size_t k = fread(b + n, 1, cap - n - 1, f);
		if (k == 0)
			break;
		n += k;
	}
	assert_false(ferror(f));
	fclose(f);
	b[n] = 0;
	*len = n;
	return b;
}

uint8_t *fv_test_load(const char *dir, const char *name, size_t *len)
{
	uint8_t *b = fv_test_read_file(dir, name, len);
	if (!b)
		fail_msg("cannot read %s/%s", dir ? dir : ".", name);
	return b;
}

void fv_test_write_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[1024];
	join(path, sizeof path, dir, name);
	/* Parent folders are made as needed: tests write whole trees this way. */
	for (char *s = strchr(path + (dir ? strlen(dir) + 1 : 1), '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		mkdir(path, 0755);
		*s = '/';
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		fail_msg("cannot create %s", path);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

void fv_test_put(const char *dir, const char *name, const char *text)
{
	fv_test_write_file(dir, name, text, strlen(text));
}

uint8_t *fv_test_filter(const void *in, size_t n, const char *in_name, const char *cmd,
			const char *out_name, size_t *outlen)
{
	char dir[64];
	fv_test_tmpdir(dir, sizeof dir, "filter");
	fv_test_write_file(dir, in_name, in, n);
	fv_test_sh(dir, "%s", cmd);
	uint8_t *b = fv_test_load(dir, out_name, outlen);
	fv_test_rmtree(dir);
	return b;
}

void fv_test_fill_random(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 24);
	}
}

uint8_t *fv_test_mixed_data(size_t n, uint32_t seed, const char *text, size_t back)
{
	uint8_t *d = malloc(n);
	assert_non_null(d);
	size_t tl = strlen(text);
	assert_true(tl > 0);
	uint32_t x = seed;
	size_t i = 0;
	while (i < n) {
		x = x * 1103515245u + 12345u;
		unsigned kind = (x >> 16) % 4;
		size_t len = 1 + (x >> 8) % 3000;
		for (size_t k = 0; k < len && i < n; k++, i++) {
			if (kind == 0)
				d[i] = 0;
			else if (kind == 1)
				d[i] = (uint8_t)text[k % tl];
			else if (kind == 2 && i >= back)
				d[i] = d[i - back];
			else {
				x = x * 1103515245u + 12345u;
				d[i] = (uint8_t)(x >> 24);
			}
		}
	}
	return d;
}

int fv_test_probe(const struct fv_format *f, const uint8_t *p, size_t n, struct fv_probe *o)
{
	memset(o, 0, sizeof *o);
	int rc = f->probe(p, n, o);
	if (rc == 0) {
		if (o->size == 0 || o->size > n)
			fail_msg("%s: size %llu of %zu bytes", f->name, (unsigned long long)o->size, n);
		assert_true(o->conf >= FV_CONF_LOW && o->conf <= FV_CONF_HIGH);
		assert_true(o->desc[0] != 0);
	}
	return rc;
}

struct fv_test_env *fv_test_env_new(const char *parent, const char *folder, uint64_t chunk_size)
{
	struct fv_test_env *e = calloc(1, sizeof *e);
	assert_non_null(e);
	snprintf(e->root, sizeof e->root, "%s/out-XXXXXX", parent);
	assert_non_null(mkdtemp(e->root));
	e->run.u = &e->u;
	fv_limits_default(&e->run.lim);
	e->run.lim.total_bytes = 64 << 20;
	e->run.rootfd = open(e->root, O_RDONLY | O_DIRECTORY);
	assert_true(e->run.rootfd >= 0);
	assert_int_equal(fv_sink_mkfolder(&e->run, folder, &e->dirfd), 0);
	snprintf(e->vpath, sizeof e->vpath, "img!%s", folder);
	snprintf(e->folder, sizeof e->folder, "%s", folder);
	fv_xctx_init(&e->x, &e->run, e->dirfd, e->vpath, e->folder, "img", chunk_size, 1);
	return e;
}

void fv_test_env_free(struct fv_test_env *e)
{
	fv_xctx_fini(&e->x);
	fv_sink_finish(&e->run);
	close(e->dirfd);
	close(e->run.rootfd);
	fv_unpack_free(&e->u);
	fv_test_rmtree(e->root);
	free(e);
}

void fv_test_assert_member(struct fv_test_env *e, const char *rel, const void *want, size_t n)
{
	char p[600];
	snprintf(p, sizeof p, "%s/%s", e->root, rel);
	FILE *f = fopen(p, "rb");
	if (!f)
		fail_msg("member %s missing", rel);
	uint8_t *b = malloc(n + 1);
	assert_non_null(b);
	/* One byte more than wanted: a longer file is caught too. */
	size_t got = fread(b, 1, n + 1, f);
	fclose(f);
	assert_int_equal(got, n);
	assert_memory_equal(b, want, n);
	free(b);
}

const struct fv_xfile *fv_test_record(struct fv_test_env *e, const char *suffix)
{
	size_t k = strlen(suffix);
	for (size_t i = 0; i < e->u.nfiles; i++) {
		size_t n = strlen(e->u.files[i].path);
		if (n >= k && strcmp(e->u.files[i].path + n - k, suffix) == 0)
			return &e->u.files[i];
	}
	fail_msg("no record for %s", suffix);
	return NULL;
}

/* ---- analyzers over a folder tree ----------------------------------------------- */

int fv_test_analyze_with(const char *dir, const struct fv_analyzer *const *only, const char *rules_dir,
			 const char *user_rules, struct fv_results *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	struct fv_unpack u;
	struct fv_inventory inv;
	if (fv_inventory_walk(dir, &u, err, errlen) != FV_OK)
		fail_msg("inventory of %s: %s", dir, err);
	if (fv_inventory_build(&u, dir, 2, &inv, err, errlen) != FV_OK)
		fail_msg("inventory of %s: %s", dir, err);
	struct fv_aopts o = { .rules_dir = rules_dir, .user_rules = user_rules, .threads = 2, .only = only };
	struct fv_actx *a;
	int rc = fv_analysis_open(&o, &a, err, errlen);
	if (rc == FV_OK) {
		rc = fv_analysis_run(a, &inv, r);
		fv_analysis_close(a);
		if (rc != FV_OK)
			fail_msg("analyzer %s failed on %s: %s", only[0]->name, dir, fv_strerror(rc));
	}
	fv_inventory_free(&inv);
	fv_unpack_free(&u);
	return rc;
}

void fv_test_analyze_rules(const char *dir, const struct fv_analyzer *an, const char *user_rules,
			   struct fv_results *r)
{
	char err[512] = "";
	const struct fv_analyzer *only[2] = { an, NULL };
	if (fv_test_analyze_with(dir, only, NULL, user_rules, r, err, sizeof err) != FV_OK)
		fail_msg("analyzer %s: %s", an->name, err);
}

void fv_test_analyze(const char *dir, const struct fv_analyzer *an, struct fv_results *r)
{
	fv_test_analyze_rules(dir, an, NULL, r);
}

const struct fv_finding *fv_test_finding(const struct fv_results *r, const char *rule,
					 const char *path_suffix)
{
	for (size_t i = 0; i < r->findings.n; i++) {
		const struct fv_finding *f = &r->findings.v[i];
		if (rule && strcmp(f->rule, rule))
			continue;
		size_t pl = strlen(f->path), sl = path_suffix ? strlen(path_suffix) : 0;
		if (path_suffix && (pl < sl || strcmp(f->path + pl - sl, path_suffix)))
			continue;
		return f;
	}
	return NULL;
}

size_t fv_test_count(const struct fv_results *r, const char *rule)
{
	size_t n = 0;
	for (size_t i = 0; i < r->findings.n; i++)
		n += !rule || !strcmp(r->findings.v[i].rule, rule);
	return n;
}

const struct fv_finding *fv_test_finding_with(const struct fv_results *r, const char *rule,
					      const char *path_suffix, const char *needle)
{
	for (size_t i = 0; i < r->findings.n; i++) {
		const struct fv_finding *f = &r->findings.v[i];
		size_t pl = strlen(f->path), sl = strlen(path_suffix);
		if (!strcmp(f->rule, rule) && pl >= sl && !strcmp(f->path + pl - sl, path_suffix) &&
		    strstr(f->evidence, needle))
			return f;
	}
	return NULL;
}

const struct fv_finding *fv_test_must(const struct fv_results *r, const char *rule,
				      const char *path_suffix, const char *needle)
{
	const struct fv_finding *f = fv_test_finding_with(r, rule, path_suffix, needle);
	if (!f) {
		fv_test_dump(r);
		fail_msg("no %s at %s with \"%s\"", rule, path_suffix, needle);
	}
	return f;
}

void fv_test_dump(const struct fv_results *r)
{
	for (size_t i = 0; i < r->findings.n; i++) {
		const struct fv_finding *f = &r->findings.v[i];
		print_message("  %s %s/%s %s @%llu: %s | %s\n", f->rule, fv_severity_name(f->severity),
			      fv_conf_name(f->confidence), f->path, (unsigned long long)f->offset, f->title,
			      f->evidence);
	}
}
