/*
 * The binary analyzer (src/analyze/binary.c) over folder trees of programs
 * built here with cc: ranking of compared constants (a magic string against
 * protocol words), the network condition, hardening findings and records,
 * the unsafe-call table, and a user's keywords file that takes a string out
 * of the ranking.
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "analyze/run.h"

extern const struct fv_analyzer fv_analyzer_binary;

static char g_dir[64];

static void cc(const char *root, const char *flags, const char *src, const char *out)
{
	fv_test_sh(NULL, "mkdir -p \"$(dirname '%s/%s')\" && cc %s -w -o '%s/%s' \"$FV_SRCDIR/tests/fixtures/src/%s.c\"",
		   root, out, flags, root, out, src);
}

static const struct fv_binary *record(const struct fv_results *r, const char *root, const char *file)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "sha256sum '%s/%s' | cut -c1-64 > '%s/sum'", root, file, root);
	fv_test_sh(NULL, "%s", cmd);
	size_t n;
	char *sum = (char *)fv_test_load(root, "sum", &n);
	sum[64] = 0;
	const struct fv_binary *b = fv_results_binary(r, sum);
	free(sum);
	assert_non_null(b);
	return b;
}

static void test_ranking(void **state)
{
	(void)state;
	char root[128];
	snprintf(root, sizeof root, "%s/rank", g_dir);
	cc(root, "-O2", "bd_shell", "usr/sbin/mgmtd");
	cc(root, "-O2", "clean_daemon", "usr/sbin/httpd");
	cc(root, "-O2", "bd_local", "usr/bin/console");
	struct fv_results r;
	fv_test_analyze(root, &fv_analyzer_binary, &r);
	const struct fv_finding *f = fv_test_must(&r, "FV-BIN-001", "/usr/sbin/mgmtd", "\"k3Yq!9zRw\"");
	assert_int_equal(f->severity, FV_SEV_CRITICAL);
	/* Protocol words are never ranked, whatever they guard. */
	for (size_t i = 0; i < r.findings.n; i++) {
		const struct fv_finding *x = &r.findings.v[i];
		if (strcmp(x->category, "backdoor"))
			continue;
		assert_null(strstr(x->evidence, "\"QUIT\""));
		assert_null(strstr(x->evidence, "\"reboot\""));
		assert_false(strstr(x->path, "/usr/sbin/httpd") && x->severity > FV_SEV_LOW);
	}
	/* No network and nothing starts it (services.c did not run): not reported. */
	assert_null(fv_test_finding(&r, "FV-BIN-001", "/usr/bin/console"));
	fv_results_free(&r);

	/* A user's keyword takes the string out of the ranking. */
	char user[160];
	snprintf(user, sizeof user, "%s/user", g_dir);
	fv_test_sh(NULL, "mkdir -p '%s'", user);
	fv_test_put(user, "binary/keywords.txt", "# ours\nk3Yq!9zRw\n");
	fv_test_analyze_rules(root, &fv_analyzer_binary, user, &r);
	assert_null(fv_test_finding_with(&r, "FV-BIN-001", "/usr/sbin/mgmtd", "k3Yq!9zRw"));
	fv_results_free(&r);
}

static void test_hardening(void **state)
{
	(void)state;
	char root[128];
	snprintf(root, sizeof root, "%s/hard", g_dir);
	cc(root, "-O2 -no-pie -fno-stack-protector -z execstack -Wl,-z,norelro -Wl,-rpath,/tmp/lib", "callsites",
	   "bin/weak");
	cc(root, "-O2 -fPIE -pie -fstack-protector-strong -D_FORTIFY_SOURCE=2 -Wl,-z,relro,-z,now", "callsites",
	   "bin/strong");
	struct fv_results r;
	fv_test_analyze(root, &fv_analyzer_binary, &r);
	const struct fv_finding *f = fv_test_must(&r, "FV-HARD-001", "/bin/weak", "no NX");
	assert_int_equal(f->severity, FV_SEV_MEDIUM);
	fv_test_must(&r, "FV-HARD-001", "/bin/weak", "no PIE");
	fv_test_must(&r, "FV-HARD-001", "/bin/weak", "no RELRO");
	fv_test_must(&r, "FV-HARD-001", "/bin/weak", "no stack canary");
	fv_test_must(&r, "FV-HARD-002", "/bin/weak", "/tmp/lib");
	assert_null(fv_test_finding(&r, "FV-HARD-001", "/bin/strong"));
	assert_null(fv_test_finding(&r, "FV-HARD-002", "/bin/strong"));

	const struct fv_binary *w = record(&r, root, "bin/weak"), *s = record(&r, root, "bin/strong");
	assert_false(w->nx);
	assert_false(w->pie);
	assert_string_equal(w->relro, "none");
	assert_string_equal(w->elf_type, "exec");
	assert_true(s->nx && s->pie && s->canary && s->fortify);
	assert_string_equal(s->relro, "full");
	assert_true(w->code && w->call_sites > 0);

	/* The table: both binaries call strcpy three times, unless FORTIFY checks it. */
	int seen = 0;
	for (size_t i = 0; i < r.nunsafe; i++)
		if (!strcmp(r.unsafe[i].family, "strcpy")) {
			seen = 1;
			assert_true(r.unsafe[i].unsafe_calls >= 3);
			assert_true(r.unsafe[i].unsafe_binaries >= 1);
		}
	assert_true(seen);
	fv_test_must(&r, "FV-CODE-001", "/bin/weak", "strcpy 3");
	fv_results_free(&r);
}

static int setup(void **state)
{
	(void)state;
	fv_test_tmpdir(g_dir, sizeof g_dir, "binary");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return fv_test_rmtree(g_dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ranking),
		cmocka_unit_test(test_hardening),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
