/* The inventory (typing, grouping by content, lookups through symlinks) and the analysis driver. */
#include "testlib.h"

#include "analyze/run.h"
#include "core/err.h"
#include "inventory/inventory.h"
#include "unpack/engine.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

static int setup(void **state)
{
	(void)state;
	fv_test_tmpdir(dir, sizeof dir, "inv");
	fv_test_write_file(dir, "rootfs/etc.real/passwd", "root:x:0:0::/root:/bin/sh\n", 26);
	fv_test_write_file(dir, "rootfs/bin/a.sh", "#!/bin/sh\necho MAGIC\n", 21);
	fv_test_write_file(dir, "rootfs/usr/bin/b.sh", "#!/bin/sh\necho MAGIC\n", 21);
	fv_test_write_file(dir, "rootfs/usr/lib/blob", "\x01\x02\x00MAGIC\x00\xff", 10);
	fv_test_write_file(dir, "rootfs/empty", "", 0);
	static const unsigned char elf[64] = { 0x7f, 'E', 'L', 'F', 1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0,
					       0, 0, 2, 0, 8 };
	fv_test_write_file(dir, "rootfs/bin/busybox", elf, sizeof elf);
	fv_test_sh(dir, "ln -s /etc.real rootfs/etc && ln -s ../etc/passwd rootfs/bin/pw && "
			"ln -s loop1 rootfs/loop2 && ln -s loop2 rootfs/loop1");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return fv_test_rmtree(dir);
}

struct tree {
	struct fv_unpack u;
	struct fv_inventory inv;
};

static void load(struct tree *t)
{
	char err[256], root[300];
	snprintf(root, sizeof root, "%s/rootfs", dir);
	assert_int_equal(fv_inventory_walk(root, &t->u, err, sizeof err), FV_OK);
	assert_int_equal(fv_inventory_build(&t->u, root, 2, &t->inv, err, sizeof err), FV_OK);
}

static void unload(struct tree *t)
{
	fv_inventory_free(&t->inv);
	fv_unpack_free(&t->u);
}

static const struct fv_file *by_member(const struct fv_inventory *inv, const char *m)
{
	for (size_t i = 0; i < inv->nfiles; i++)
		if (!strcmp(inv->files[i].member, m))
			return &inv->files[i];
	fail_msg("no file %s in the inventory", m);
	return NULL;
}

static void test_kinds_and_contents(void **state)
{
	(void)state;
	struct tree t;
	load(&t);
	const struct fv_file *a = by_member(&t.inv, "/bin/a.sh"), *b = by_member(&t.inv, "/usr/bin/b.sh");
	assert_int_equal(a->kind, FV_KIND_SCRIPT);
	assert_int_equal(by_member(&t.inv, "/usr/lib/blob")->kind, FV_KIND_OTHER);
	assert_int_equal(by_member(&t.inv, "/empty")->kind, FV_KIND_EMPTY);
	assert_int_equal(by_member(&t.inv, "/etc.real/passwd")->kind, FV_KIND_TEXT);
	assert_int_equal(by_member(&t.inv, "/etc")->kind, FV_KIND_SYMLINK);
	assert_int_equal(by_member(&t.inv, "/usr")->kind, FV_KIND_DIR);
	const struct fv_file *bb = by_member(&t.inv, "/bin/busybox");
	assert_int_equal(bb->kind, FV_KIND_ELF);
	assert_string_equal(bb->arch, "mips");
	assert_int_equal(bb->elf_class, 32);
	assert_int_equal(bb->elf_be, 1);
	/* The two scripts are one content; 5 regular files hold 4 contents. */
	assert_int_equal(a->content, b->content);
	assert_int_equal(t.inv.contents[a->content].nfiles, 2);
	assert_int_equal(t.inv.ncontents, 5);
	assert_int_equal(t.inv.nroots, 1);
	assert_true(strstr(a->type, "script") != NULL); /* libmagic's words */
	unload(&t);
}

static void test_lookup(void **state)
{
	(void)state;
	struct tree t;
	load(&t);
	const struct fv_file *near = by_member(&t.inv, "/bin/a.sh");
	const struct fv_file *pw = by_member(&t.inv, "/etc.real/passwd");
	/* Through a symlinked folder, a relative file link, and dot-dot. */
	assert_ptr_equal(fv_inventory_lookup(&t.inv, near, "/etc/passwd"), pw);
	assert_ptr_equal(fv_inventory_lookup(&t.inv, near, "/bin/pw"), pw);
	assert_ptr_equal(fv_inventory_lookup(&t.inv, near, "/usr/../etc/./passwd"), pw);
	assert_ptr_equal(fv_inventory_lookup(&t.inv, near, "/../../etc/passwd"), pw);
	/* Missing, a folder, and a symlink loop give NULL. */
	assert_null(fv_inventory_lookup(&t.inv, near, "/etc/shadow"));
	assert_null(fv_inventory_lookup(&t.inv, near, "/usr"));
	assert_null(fv_inventory_lookup(&t.inv, near, "/loop1"));
	unload(&t);
}

/* A real analyzer, small enough to check the driver: reports every "MAGIC". */
static void magic_run(struct fv_actx *a, void *state, const struct fv_afile *f)
{
	(void)state;
	const uint8_t *p = f->size ? memmem(f->data, f->size, "MAGIC", 5) : NULL;
	if (p)
		fv_actx_finding(a, f, "FV-TEST-001", "backdoor", FV_SEV_HIGH, FV_CONF_HIGH,
				(uint64_t)(p - f->data), "MAGIC", "magic word");
}

static int magic_wants(const struct fv_file *f) { return f->kind != FV_KIND_ELF; }

static const struct fv_analyzer magic = { .name = "magic", .scope = FV_SCOPE_CONTENT, .wants = magic_wants,
					  .run = magic_run };

static void test_driver_fans_out(void **state)
{
	(void)state;
	char root[300];
	snprintf(root, sizeof root, "%s/rootfs", dir);
	struct fv_results r;
	fv_test_analyze(root, &magic, &r);
	/* One run per content, one finding per path: a.sh, b.sh and blob. */
	assert_int_equal(fv_test_count(&r, "FV-TEST-001"), 3);
	const struct fv_finding *f = fv_test_finding(&r, "FV-TEST-001", "!/usr/lib/blob");
	assert_non_null(f);
	assert_int_equal(f->offset, 3);
	assert_non_null(fv_test_finding(&r, "FV-TEST-001", "rootfs!/bin/a.sh"));
	assert_non_null(fv_test_finding(&r, "FV-TEST-001", "rootfs!/usr/bin/b.sh"));
	fv_results_free(&r);
}

static void test_mask_and_rules(void **state)
{
	(void)state;
	char out[64];
	fv_mask_secret("AKIAABCDEFGHIJKLMNOP", 20, 4, out, sizeof out);
	assert_string_equal(out, "AKIA*** (20 chars)");
	fv_mask_secret("abc", 3, 4, out, sizeof out);
	assert_string_equal(out, "a*** (3 chars)");
	/* A rules folder that does not exist is an error that names it. */
	struct fv_aopts o = { .rules_dir = "/nonexistent/rules", .user_rules = NULL, .threads = 1, .only = NULL };
	struct fv_actx *a;
	char err[256];
	assert_int_not_equal(fv_analysis_open(&o, &a, err, sizeof err), FV_OK);
	assert_non_null(strstr(err, "/nonexistent/rules"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds_and_contents),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_driver_fans_out),
		cmocka_unit_test(test_mask_and_rules),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
