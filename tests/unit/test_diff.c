/*
 * The delta of fwvet diff on sides built by hand (no image, no file read):
 * which records pair, by which keys, and what counts as a change.
 */
#include "testlib.h"

#include "analyze/run.h"
#include "core/json.h"
#include "integrity/diff.h"
#include "integrity/pair.h"
#include "inventory/inventory.h"
#include "unpack/engine.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* One image: its top-level squashfs chunk at off, named name; files and records added by the tests. */
struct fake {
	char name[32], chunk[64];
	struct fv_xentry entry;
	struct fv_unpack u;
	struct fv_xfile x[16];
	struct fv_file f[16];
	size_t by_path[16];
	struct fv_inventory inv;
	struct fv_results r;
	struct fv_account acct[8];
	struct fv_service svc[8];
	struct fv_endpoint ep[8];
	struct fv_component comp[8];
	struct fv_side s;
	char paths[24][128];
	size_t npaths;
};

static struct fake *fake_new(const char *name, uint64_t off)
{
	struct fake *k = calloc(1, sizeof *k);
	assert_non_null(k);
	snprintf(k->name, sizeof k->name, "%s", name);
	k->u.image_path = k->name;
	k->u.image_size = 1 << 20;
	snprintf(k->chunk, sizeof k->chunk, "%s!0x%llx.squashfs", name, (unsigned long long)off);
	k->entry.path = k->chunk;
	k->entry.format = "squashfs";
	k->entry.off = off;
	k->u.entries = &k->entry;
	k->u.nentries = 1;
	k->u.files = k->x;
	k->inv.files = k->f;
	k->r.accounts = k->acct;
	k->r.services = k->svc;
	k->r.endpoints = k->ep;
	k->r.components = k->comp;
	return k;
}

/* The report path of member in k's squashfs (kept in k). */
static const char *path_of(struct fake *k, const char *member)
{
	assert_true(k->npaths < 24);
	char *p = k->paths[k->npaths++];
	snprintf(p, 128, "%s!%s", k->entry.path, member);
	return p;
}

static void add_file(struct fake *k, const char *member, enum fv_ftype t, uint32_t mode, const char *sha,
		     uint64_t size, const char *link)
{
	size_t i = k->inv.nfiles;
	assert_true(i < 16);
	struct fv_xfile *x = &k->x[i];
	x->path = (char *)path_of(k, member);
	x->type = t;
	x->mode = mode;
	x->size = size;
	x->link = (char *)link;
	if (sha)
		snprintf(x->sha256, sizeof x->sha256, "%s", sha);
	k->f[i].x = x;
	k->f[i].member = strrchr(x->path, '!') + 1;
	k->f[i].root_len = (size_t)(strrchr(x->path, '!') - x->path);
	k->f[i].kind = t == FV_FT_DIR ? FV_KIND_DIR : t == FV_FT_SYMLINK ? FV_KIND_SYMLINK : FV_KIND_TEXT;
	k->f[i].content = SIZE_MAX;
	k->u.nfiles = k->inv.nfiles = i + 1;
}

static int by_path_cmp(const void *a, const void *b, void *ctx)
{
	const struct fake *k = ctx;
	return strcmp(k->x[*(const size_t *)a].path, k->x[*(const size_t *)b].path);
}

static void fake_side(struct fake *k)
{
	for (size_t i = 0; i < k->inv.nfiles; i++)
		k->by_path[i] = i;
	qsort_r(k->by_path, k->inv.nfiles, sizeof *k->by_path, by_path_cmp, k);
	k->inv.by_path = k->by_path;
	assert_int_equal(fv_side_init(&k->s, &k->u, &k->inv, &k->r), 0);
}

static void fake_free(struct fake *k)
{
	fv_side_free(&k->s);
	fv_findings_free(&k->r.findings);
	fv_findings_free(&k->u.findings);
	free(k);
}

static void account(struct fake *k, const char *file, const char *name, int64_t uid, const char *hash_type)
{
	k->acct[k->r.naccounts++] = (struct fv_account){ .path = path_of(k, file), .name = name, .uid = uid,
							  .gid = uid, .home = "/root", .shell = "/bin/sh",
							  .hash_type = hash_type };
}

static void service(struct fake *k, uint64_t line, const char *program, const char *args)
{
	k->svc[k->r.nservices++] = (struct fv_service){ .path = path_of(k, "/etc/init.d/rcS"), .line = line,
							 .how = "rcS", .program = program, .args = args };
}

static void endpoint(struct fake *k, const char *value, const char *kind, const char *member)
{
	k->ep[k->r.nendpoints++] = (struct fv_endpoint){ .value = value, .kind = kind, .path = path_of(k, member),
							  .outside = 1 };
}

static void component(struct fake *k, const char *name, const char *version)
{
	k->comp[k->r.ncomponents++] = (struct fv_component){ .name = name, .title = name, .version = version };
}

static void finding(struct fake *k, const char *rule, enum fv_severity sev, const char *member, uint64_t off,
		    const char *evidence)
{
	assert_int_equal(fv_findings_add(&k->r.findings, rule, "account", sev, FV_CONF_HIGH, path_of(k, member), off,
					 evidence, "test finding %s", rule), 0);
}

/* The new side's account of a delta record. */
static const struct fv_account *acct_b(const struct fake *k, const struct fv_drec *r)
{
	return &k->acct[r->b];
}

static void test_accounts(void **state)
{
	(void)state;
	struct fake *a = fake_new("v1.bin", 0x10000), *b = fake_new("v2.bin", 0x40000);
	account(a, "/etc/passwd", "root", 0, "md5crypt");
	account(a, "/etc/passwd", "admin", 0, "md5crypt");
	account(a, "/etc/passwd-", "guest", 1000, "locked");
	account(b, "/etc/passwd", "root", 0, "sha512crypt");
	account(b, "/etc/passwd", "support", 0, "md5crypt");
	/* Same name, another file: not the account of /etc/passwd- */
	account(b, "/etc/passwd", "guest", 1000, "locked");
	/* The same hash type, another stored hash: the password changed. */
	account(a, "/etc/shadow", "ops", 0, "md5crypt");
	account(b, "/etc/shadow", "ops", 0, "md5crypt");
	a->acct[a->r.naccounts - 1].hash = "$1$abcdefgh$U4R0ux7Q2EsnYQKkW5yqN1";
	b->acct[b->r.naccounts - 1].hash = "$1$abcdefgh$Yv6S3fkF0yFQpN2mBsYtJ/";
	fake_side(a);
	fake_side(b);
	struct fv_diff d = { 0 };
	assert_int_equal(fv_diff_records(&a->s, &b->s, &d), 0);
	assert_true(d.analysed);
	assert_int_equal(d.accounts_changed.n, 2);
	/* In key order: squashfs!/etc/passwd root, then squashfs!/etc/shadow ops. */
	assert_string_equal(acct_b(b, &d.accounts_changed.v[1])->name, "ops");
	assert_int_equal(d.accounts_changed.v[1].change, FV_DA_HASH);
	assert_string_equal(acct_b(b, &d.accounts_changed.v[0])->name, "root");
	assert_int_equal(d.accounts_changed.v[0].change, FV_DA_HASH_TYPE);
	assert_int_equal(d.accounts_added.n, 2);
	assert_int_equal(d.accounts_removed.n, 2);
	const char *added[2] = { acct_b(b, &d.accounts_added.v[0])->name, acct_b(b, &d.accounts_added.v[1])->name };
	assert_true((!strcmp(added[0], "guest") && !strcmp(added[1], "support")) ||
		    (!strcmp(added[1], "guest") && !strcmp(added[0], "support")));
	for (size_t i = 0; i < 2; i++) {
		const struct fv_account *r = &a->acct[d.accounts_removed.v[i].a];
		assert_true(!strcmp(r->name, "admin") || (!strcmp(r->name, "guest") && strstr(r->path, "passwd-")));
	}
	fv_diff_free(&d);
	fake_free(a);
	fake_free(b);
}

static void test_services(void **state)
{
	(void)state;
	struct fake *a = fake_new("v1.bin", 0x10000), *b = fake_new("v2.bin", 0x40000);
	service(a, 2, "/usr/sbin/telnetd", "-p 23");
	service(a, 3, "/usr/sbin/httpd", "-p 80");
	service(a, 4, "/usr/sbin/worker", "a");
	service(a, 5, "/usr/sbin/worker", "b");
	service(a, 6, "/usr/sbin/cwmpd", "");
	/* Lines moved and two workers swapped: no change. */
	service(b, 7, "/usr/sbin/httpd", "-p 80");
	service(b, 2, "/usr/sbin/telnetd", "-l /bin/sh -p 2323");
	service(b, 3, "/usr/sbin/worker", "b");
	service(b, 4, "/usr/sbin/worker", "a");
	service(b, 5, "/usr/sbin/dropbear", "-p 22");
	fake_side(a);
	fake_side(b);
	struct fv_diff d = { 0 };
	assert_int_equal(fv_diff_records(&a->s, &b->s, &d), 0);
	assert_int_equal(d.services_changed.n, 1);
	assert_string_equal(b->svc[d.services_changed.v[0].b].program, "/usr/sbin/telnetd");
	assert_string_equal(a->svc[d.services_changed.v[0].a].args, "-p 23");
	assert_int_equal(d.services_changed.v[0].change, FV_DS_ARGS);
	assert_int_equal(d.services_added.n, 1);
	assert_string_equal(b->svc[d.services_added.v[0].b].program, "/usr/sbin/dropbear");
	assert_int_equal(d.services_added.v[0].listens, 1); /* not started before */
	assert_int_equal(d.services_removed.n, 1);
	assert_string_equal(a->svc[d.services_removed.v[0].a].program, "/usr/sbin/cwmpd");
	fv_diff_free(&d);
	fake_free(a);
	fake_free(b);
}

static void test_endpoints_components(void **state)
{
	(void)state;
	struct fake *a = fake_new("v1.bin", 0x10000), *b = fake_new("v2.bin", 0x40000);
	endpoint(a, "203.0.113.7", "ipv4", "/usr/sbin/a");
	endpoint(a, "203.0.113.7", "ipv4", "/usr/sbin/b");
	endpoint(a, "old.example.com", "host", "/usr/sbin/a");
	endpoint(b, "203.0.113.7", "ipv4", "/usr/sbin/c");
	endpoint(b, "update.example.com", "host", "/usr/sbin/c");
	/* The same value as another kind is another endpoint. */
	endpoint(b, "203.0.113.7", "url", "/usr/sbin/c");
	component(a, "busybox", "1.30.1");
	component(a, "openssl", "1.0.2k");
	component(a, "zlib", "1.2.11");
	component(b, "busybox", "1.36.1");
	component(b, "dropbear", "2022.83");
	component(b, "openssl", "1.0.2k");
	component(b, "openssl", "1.1.1w");
	fake_side(a);
	fake_side(b);
	struct fv_diff d = { 0 };
	assert_int_equal(fv_diff_records(&a->s, &b->s, &d), 0);
	assert_int_equal(d.endpoints_added.n, 2);
	assert_int_equal(d.endpoints_removed.n, 1);
	assert_string_equal(a->ep[d.endpoints_removed.v[0].a].value, "old.example.com");
	for (size_t i = 0; i < 2; i++) {
		const struct fv_endpoint *e = &b->ep[d.endpoints_added.v[i].b];
		assert_true(!strcmp(e->value, "update.example.com") || !strcmp(e->kind, "url"));
	}
	assert_int_equal(d.components_added.n, 1);
	assert_string_equal(b->comp[d.components_added.v[0].b].name, "dropbear");
	assert_int_equal(d.components_removed.n, 1);
	assert_string_equal(a->comp[d.components_removed.v[0].a].name, "zlib");
	/* busybox changed version; openssl gained a second one */
	assert_int_equal(d.components_changed.n, 2);
	assert_string_equal(b->comp[d.components_changed.v[0].b].name, "busybox");
	assert_string_equal(b->comp[d.components_changed.v[1].b].name, "openssl");
	assert_int_equal(d.components_changed.v[1].na, 1);
	assert_int_equal(d.components_changed.v[1].nb, 2);
	fv_diff_free(&d);
	fake_free(a);
	fake_free(b);
}

static void test_findings(void **state)
{
	(void)state;
	struct fake *a = fake_new("v1.bin", 0x10000), *b = fake_new("v2.bin", 0x40000);
	/* The same finding at a moved chunk and another offset: not new. */
	finding(a, "FV-ACCT-001", FV_SEV_HIGH, "/etc/passwd", 10, "admin:x:0:0::/:/bin/sh");
	finding(b, "FV-ACCT-001", FV_SEV_HIGH, "/etc/passwd", 40, "admin:x:0:0::/:/bin/sh");
	/* Another evidence: one new, one resolved. */
	finding(a, "FV-CRED-001", FV_SEV_MEDIUM, "/etc/config", 0, "password=old");
	finding(b, "FV-CRED-001", FV_SEV_MEDIUM, "/etc/config", 0, "password=new");
	finding(b, "FV-SVC-001", FV_SEV_CRITICAL, "/etc/init.d/rcS", 20, "telnetd -l /bin/sh");
	finding(b, "FV-HARD-001", FV_SEV_LOW, "/usr/sbin/newd", 0, "no canary");
	/* Evidence naming a path of its own image: the path is compared by its key. */
	add_file(a, "/etc/cert.pem", FV_FT_FILE, 0100644, NULL, 1, NULL);
	add_file(b, "/etc/cert.pem", FV_FT_FILE, 0100644, NULL, 1, NULL);
	finding(a, "FV-SECR-002", FV_SEV_HIGH, "/etc/cert.pem", 0,
		"subject=CN=x; private key (RSA) at v1.bin!0x10000.squashfs!/etc/key.pem offset 0");
	finding(b, "FV-SECR-002", FV_SEV_HIGH, "/etc/cert.pem", 0,
		"subject=CN=x; private key (RSA) at v2.bin!0x40000.squashfs!/etc/key.pem offset 0");
	/* An extraction finding counts too. */
	assert_int_equal(fv_findings_add(&b->u.findings, "FV-EXTR-003", "extraction", FV_SEV_HIGH, FV_CONF_HIGH,
					 path_of(b, "/lib/evil"), 0, "../../etc", "link escapes"), 0);
	fake_side(a);
	fake_side(b);
	struct fv_diff d = { 0 };
	assert_int_equal(fv_diff_records(&a->s, &b->s, &d), 0);
	assert_int_equal(d.findings_new.n, 4);
	assert_int_equal(d.findings_resolved.n, 1);
	/* Worst first. */
	assert_string_equal(fv_diff_finding(&b->s, d.findings_new.v[0].b)->rule, "FV-SVC-001");
	assert_string_equal(fv_diff_finding(&b->s, d.findings_new.v[1].b)->rule, "FV-EXTR-003");
	assert_string_equal(fv_diff_finding(&b->s, d.findings_new.v[2].b)->evidence, "password=new");
	assert_string_equal(fv_diff_finding(&a->s, d.findings_resolved.v[0].a)->evidence, "password=old");
	assert_int_equal(fv_diff_worst_new(&d), FV_SEV_CRITICAL);
	fv_diff_free(&d);

	/* Nothing new: --fail-on has nothing to fail on, whatever the old image held. */
	memset(&d, 0, sizeof d);
	assert_int_equal(fv_diff_records(&b->s, &b->s, &d), 0);
	assert_int_equal(d.findings_new.n + d.findings_resolved.n, 0);
	assert_int_equal(fv_diff_worst_new(&d), -1);
	fv_diff_free(&d);
	fake_free(a);
	fake_free(b);
}

/* A SHA-256 in hex made of one repeated digit. */
#define SHA8(c) c c c c c c c c
#define SHA(c) SHA8(c) SHA8(c) SHA8(c) SHA8(c) SHA8(c) SHA8(c) SHA8(c) SHA8(c)

static void files_fixture(struct fake *a, struct fake *b)
{
	add_file(a, "/etc", FV_FT_DIR, 040755, NULL, 0, NULL);
	add_file(a, "/etc/passwd", FV_FT_FILE, 0100644, SHA("a"), 10, NULL);
	add_file(a, "/bin/su", FV_FT_FILE, 0100755, SHA("b"), 10, NULL);
	add_file(a, "/bin/sh", FV_FT_SYMLINK, 0120777, NULL, 7, "busybox");
	add_file(a, "/lib/liba.so", FV_FT_FILE, 0100644, SHA("c"), 10, NULL);
	add_file(a, "/old.txt", FV_FT_FILE, 0100644, SHA("d"), 10, NULL);
	add_file(a, "/empty1", FV_FT_FILE, 0100644, SHA("e"), 0, NULL);
	add_file(a, "/same", FV_FT_FILE, 0100644, SHA("f"), 10, NULL);
	add_file(b, "/etc", FV_FT_DIR, 040755, NULL, 0, NULL);
	add_file(b, "/etc/passwd", FV_FT_FILE, 0100644, SHA("1"), 12, NULL);
	add_file(b, "/bin/su", FV_FT_FILE, 0104755, SHA("b"), 10, NULL);
	add_file(b, "/bin/sh", FV_FT_SYMLINK, 0120777, NULL, 6, "toybox");
	add_file(b, "/lib/libb.so", FV_FT_FILE, 0100644, SHA("c"), 10, NULL);
	add_file(b, "/new.txt", FV_FT_FILE, 0100644, SHA("2"), 10, NULL);
	add_file(b, "/empty2", FV_FT_FILE, 0100644, SHA("e"), 0, NULL);
	add_file(b, "/same", FV_FT_FILE, 0100644, SHA("f"), 10, NULL);
	add_file(b, "/var", FV_FT_DIR, 040755, NULL, 0, NULL);
	b->x[7].uid = 1000; /* /same: another owner */
	fake_side(a);
	fake_side(b);
}

static const struct fv_dfile *changed(const struct fv_diff *d, const struct fake *b, const char *suffix)
{
	for (size_t i = 0; i < d->nchanged; i++) {
		const char *p = b->x[d->files_changed[i].b].path;
		if (strlen(p) >= strlen(suffix) && !strcmp(p + strlen(p) - strlen(suffix), suffix))
			return &d->files_changed[i];
	}
	fail_msg("no changed file %s", suffix);
	return NULL;
}

static void test_files(void **state)
{
	(void)state;
	struct fake *a = fake_new("v1.bin", 0x10000), *b = fake_new("v2.bin", 0x40000);
	files_fixture(a, b);
	struct fv_diff d = { 0 };
	assert_int_equal(fv_diff_compute(&a->s, &b->s, &d), 0);
	assert_int_equal(d.nchanged, 4);
	assert_int_equal(changed(&d, b, "!/etc/passwd")->change, FV_DF_CONTENT);
	assert_int_equal(changed(&d, b, "!/bin/su")->change, FV_DF_MODE);
	assert_int_equal(changed(&d, b, "!/bin/sh")->change, FV_DF_LINK);
	assert_int_equal(changed(&d, b, "!/same")->change, FV_DF_OWNER);
	assert_null(changed(&d, b, "!/etc/passwd")->elf);
	/* One rename, by content; empty files are never taken for a rename. */
	assert_int_equal(d.files_renamed.n, 1);
	assert_string_equal(a->s.keys[d.files_renamed.v[0].a], "squashfs!/lib/liba.so");
	assert_string_equal(b->s.keys[d.files_renamed.v[0].b], "squashfs!/lib/libb.so");
	assert_int_equal(d.files_added.n, 3);
	assert_int_equal(d.files_removed.n, 2);
	const char *want_added[] = { "squashfs!/empty2", "squashfs!/new.txt", "squashfs!/var" };
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(b->s.keys[d.files_added.v[i].b], want_added[i]);
	const char *want_removed[] = { "squashfs!/empty1", "squashfs!/old.txt" };
	for (size_t i = 0; i < 2; i++)
		assert_string_equal(a->s.keys[d.files_removed.v[i].a], want_removed[i]);

	/* Both renderings: JSON that parses with the design guide's fields, text with the mode change. */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	struct fv_json j;
	fv_json_init(&j, f, 1);
	fv_diff_json(&j, &d);
	fclose(f);
	json_error_t err;
	json_t *root = json_loads(buf, 0, &err);
	if (!root)
		fail_msg("diff JSON does not parse: %s at line %d\n%s", err.text, err.line, buf);
	const char *groups[][5] = {
		{ "files", "added", "removed", "changed", "renamed" },
		{ "accounts", "added", "removed", "changed", NULL },
		{ "services", "added", "removed", "changed", NULL },
		{ "endpoints", "added", "removed", NULL, NULL },
		{ "components", "added", "removed", "changed", NULL },
		{ "findings", "new", "resolved", NULL, NULL },
	};
	for (size_t g = 0; g < sizeof groups / sizeof *groups; g++)
		for (size_t k = 1; k < 5 && groups[g][k]; k++)
			assert_true(json_is_array(json_object_get(json_object_get(root, groups[g][0]), groups[g][k])));
	assert_true(json_is_object(json_object_get(root, "summary")));
	json_t *su = json_array_get(json_object_get(json_object_get(root, "files"), "changed"), 0);
	assert_non_null(su);
	assert_string_equal(json_string_value(json_object_get(json_object_get(root, "old"), "path")), "v1.bin");
	json_decref(root);
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	fv_diff_text(f, &d, 0, 0);
	fclose(f);
	assert_non_null(strstr(buf, "~ squashfs!/bin/su: mode 0755 -> 04755"));
	assert_non_null(strstr(buf, "~ squashfs!/same: owner 0:0 -> 1000:0"));
	assert_non_null(strstr(buf, "> squashfs!/lib/liba.so -> squashfs!/lib/libb.so"));
	assert_non_null(strstr(buf, "folders: 1 added, 0 removed"));
	assert_null(strstr(buf, "+ squashfs!/var")); /* folders are summarised without -v */
	free(buf);
	fv_diff_free(&d);
	fake_free(a);
	fake_free(b);
}

/* A container's sole file under another name is that file changed; in a container of several, it is not. */
static void test_sole_member(void **state)
{
	(void)state;
	struct fake *a = fake_new("v1.bin", 0x10000), *b = fake_new("v2.bin", 0x40000);
	add_file(a, "/kernel-1.0!0x0.gzip!vmlinux-1.0", FV_FT_FILE, 0100644, SHA("a"), 10, NULL);
	add_file(b, "/kernel-1.0!0x0.gzip!vmlinux-1.1", FV_FT_FILE, 0100644, SHA("b"), 10, NULL);
	add_file(a, "/etc/a.conf", FV_FT_FILE, 0100644, SHA("c"), 10, NULL);
	add_file(b, "/etc/b.conf", FV_FT_FILE, 0100644, SHA("d"), 10, NULL);
	add_file(b, "/etc/c.conf", FV_FT_FILE, 0100644, SHA("e"), 10, NULL);
	/* The gzip chunk has no entry, so its key keeps its offset: the same on both sides. */
	fake_side(a);
	fake_side(b);
	struct fv_diff d = { 0 };
	assert_int_equal(fv_diff_compute(&a->s, &b->s, &d), 0);
	assert_int_equal(d.nchanged, 1);
	assert_int_equal(d.files_changed[0].change, FV_DF_NAME | FV_DF_CONTENT);
	assert_string_equal(a->x[d.files_changed[0].a].path + strlen(a->entry.path),
			    "!/kernel-1.0!0x0.gzip!vmlinux-1.0");
	assert_int_equal(d.files_removed.n, 1);
	assert_int_equal(d.files_added.n, 2);
	fv_diff_free(&d);
	fake_free(a);
	fake_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accounts),
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_endpoints_components),
		cmocka_unit_test(test_findings),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_sole_member),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
