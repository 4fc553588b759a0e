/*
 * The sink against hostile member paths: nothing may land outside the
 * container's folder, whatever names, links and limits the input uses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "testlib.h"
#include "unpack/sink.h"

/*
 * The container lives two levels down, in g_dir/out-XXXXXX/0x0.test, so
 * that escapes have somewhere to land: g_dir/victim.
 */
static char g_dir[64], g_victim[128];

static int setup(void **state)
{
	fv_test_tmpdir(g_dir, sizeof g_dir, "sink");
	snprintf(g_victim, sizeof g_victim, "%s/victim", g_dir);
	assert_int_equal(mkdir(g_victim, 0755), 0);
	struct fv_test_env *e = fv_test_env_new(g_dir, "0x0.test", 1000);
	e->run.lim.total_bytes = 1 << 20;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	fv_test_env_free(*state);
	return fv_test_rmtree(g_dir);
}

static int exists(const char *dir, const char *rel)
{
	char p[700];
	struct stat st;
	snprintf(p, sizeof p, "%s/%s", dir, rel);
	return lstat(p, &st) == 0;
}

/* rel in the container's folder, or where an escape from it would land. */
static int inside(struct fv_test_env *e, const char *rel)
{
	char p[400];
	snprintf(p, sizeof p, "%s/0x0.test", e->root);
	return exists(p, rel);
}

static int escaped(const char *rel)
{
	return exists(g_victim, rel);
}

/* rel in the container's folder is a symbolic link to want. */
static void assert_link(struct fv_test_env *e, const char *rel, const char *want)
{
	char p[700], t[256];
	snprintf(p, sizeof p, "%s/0x0.test/%s", e->root, rel);
	ssize_t n = readlink(p, t, sizeof t - 1);
	if (n <= 0)
		fail_msg("%s is not a symbolic link", rel);
	t[n] = 0;
	assert_string_equal(t, want);
}

static int count_rule(struct fv_test_env *e, const char *rule)
{
	int n = 0;
	for (size_t i = 0; i < e->u.findings.n; i++)
		n += strcmp(e->u.findings.v[i].rule, rule) == 0;
	return n;
}

static void plain_members_land_in_place(void **state)
{
	struct fv_test_env *e = *state;
	struct fv_attr a = { S_IFREG | 04755, 1, 2, 0 };
	assert_int_equal(fv_sink_file(&e->x, "./etc//passwd", &a, "root\n", 5), 0);
	assert_true(inside(e, "etc/passwd"));
	struct stat st;
	char p[700];
	snprintf(p, sizeof p, "%s/0x0.test/etc/passwd", e->root);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755); /* setuid recorded, not applied */
	assert_int_equal(e->u.nfiles, 1);
	assert_string_equal(e->u.files[0].path, "img!0x0.test!/etc/passwd");
	assert_string_equal(e->u.files[0].disk, "0x0.test/etc/passwd");
	assert_int_equal(e->u.files[0].mode & 07777, 04755);
	assert_int_equal(e->u.files[0].size, 5);
	assert_string_equal(e->u.files[0].sha256,
			    "53175bcc0524f37b47062fafdda28e3f8eb91d519ca0a184ca71bbebe72f969a");
	assert_int_equal(e->u.findings.n, 0);
}

static void dotdot_and_absolute_stay_inside(void **state)
{
	struct fv_test_env *e = *state;
	assert_int_equal(fv_sink_file(&e->x, "../../victim/pwned", NULL, "x", 1), 0);
	assert_false(escaped("pwned"));
	assert_true(inside(e, "victim/pwned"));
	assert_int_equal(count_rule(e, "FV-EXTR-001"), 1);
	assert_int_equal(fv_sink_file(&e->x, "/etc/shadow", NULL, "x", 1), 0);
	assert_true(inside(e, "etc/shadow"));
	assert_int_equal(count_rule(e, "FV-EXTR-002"), 1);
	assert_int_not_equal(fv_sink_file(&e->x, "..", NULL, "x", 1), 0);
}

static void nothing_is_written_through_a_symlink(void **state)
{
	struct fv_test_env *e = *state;
	/* Escaping link: recorded, not created. */
	assert_int_equal(fv_sink_symlink(&e->x, "evil", "../../../victim", NULL), 0);
	assert_false(inside(e, "evil"));
	assert_int_equal(count_rule(e, "FV-EXTR-003"), 1);
	/* Absolute link: created, relative, inside the container. */
	assert_int_equal(fv_sink_symlink(&e->x, "etc", "/victim", NULL), 0);
	assert_link(e, "etc", "victim");
	/* Writing through it is refused, whatever the link points at. */
	assert_int_not_equal(fv_sink_file(&e->x, "etc/passwd", NULL, "x", 1), 0);
	assert_false(escaped("passwd"));
	assert_false(inside(e, "victim/passwd"));
	assert_int_equal(count_rule(e, "FV-EXTR-004"), 1);
	/* A link made by someone else before us is not followed either. */
	char p[700];
	snprintf(p, sizeof p, "%s/0x0.test/planted", e->root);
	assert_int_equal(symlink(g_victim, p), 0);
	assert_int_not_equal(fv_sink_file(&e->x, "planted/x", NULL, "x", 1), 0);
	assert_false(escaped("x"));
	/* Nor is a planted link replaced by a file written through its name. */
	assert_int_equal(fv_sink_file(&e->x, "planted", NULL, "y", 1), 0);
	assert_false(escaped("y"));
}

static void relative_links_are_normalised(void **state)
{
	struct fv_test_env *e = *state;
	assert_int_equal(fv_sink_symlink(&e->x, "a/b/c/link", "/a/x/y", NULL), 0);
	assert_link(e, "a/b/c/link", "../../x/y");
	assert_int_equal(fv_sink_symlink(&e->x, "bin/sh", "busybox", NULL), 0);
	assert_link(e, "bin/sh", "busybox");
	assert_int_equal(fv_sink_symlink(&e->x, "root", "/", NULL), 0);
	assert_link(e, "root", ".");
	assert_string_equal(e->u.files[0].link, "/a/x/y");
}

static void devices_are_recorded_not_created(void **state)
{
	struct fv_test_env *e = *state;
	struct fv_attr a = { S_IFCHR | 0600, 0, 0, 0 };
	assert_int_equal(fv_sink_special(&e->x, "dev/console", &a, 0x0501), 0);
	assert_false(inside(e, "dev/console"));
	assert_int_equal(e->u.nfiles, 1);
	assert_int_equal(e->u.files[0].type, FV_FT_CHAR);
	assert_null(e->u.files[0].disk);
}

static void hard_links_are_copies(void **state)
{
	struct fv_test_env *e = *state;
	struct fv_attr a = { S_IFREG | 0640, 5, 6, 0 };
	assert_int_equal(fv_sink_file(&e->x, "bin/busybox", &a, "BB", 2), 0);
	assert_int_equal(fv_sink_hardlink(&e->x, "bin/ls", "bin/busybox"), 0);
	assert_int_equal(e->u.nfiles, 2);
	assert_string_equal(e->u.files[1].sha256, e->u.files[0].sha256);
	assert_int_equal(e->u.files[1].mode & 0777, 0640);
	assert_int_equal(e->u.files[1].uid, 5);
	assert_int_not_equal(fv_sink_hardlink(&e->x, "bin/x", "../../etc/passwd"), 0);
}

static void limits_stop_writing(void **state)
{
	struct fv_test_env *e = *state;
	static char big[4096];
	e->run.lim.ratio = 2; /* chunk size 1000: a stream may produce 2000 bytes */
	struct fv_sink_file *f;
	assert_int_equal(fv_sink_open(&e->x, "bomb", NULL, &f), 0);
	assert_int_equal(fv_sink_write(f, big, 1500), 0);
	assert_int_equal(fv_sink_write(f, big, 1500), FV_ELIMIT);
	assert_int_equal(fv_sink_write(f, big, 1), FV_ELIMIT);
	fv_sink_close(f);
	assert_int_equal(count_rule(e, "FV-EXTR-005"), 1);
	assert_true(e->run.bytes <= 2000);
	e->run.lim.files = e->run.files;
	assert_int_equal(fv_sink_file(&e->x, "one-more", NULL, "x", 1), FV_ELIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(plain_members_land_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(dotdot_and_absolute_stay_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(nothing_is_written_through_a_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(relative_links_are_normalised, setup, teardown),
		cmocka_unit_test_setup_teardown(devices_are_recorded_not_created, setup, teardown),
		cmocka_unit_test_setup_teardown(hard_links_are_copies, setup, teardown),
		cmocka_unit_test_setup_teardown(limits_stop_writing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
