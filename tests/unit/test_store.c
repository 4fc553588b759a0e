/*
 * The store (store.h) on its SQLite backend, fed scans built by hand: what
 * is recorded comes back through list and show, content is kept once, a
 * failed record leaves nothing, schemas are migrated or refused, and two
 * processes recording into one file at once do not corrupt it.
 */
#include "testlib.h"

#include "analyze/run.h"
#include "core/err.h"
#include "core/json.h"
#include "inventory/inventory.h"
#include "store/store.h"
#include "unpack/engine.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXF 8

/* One scanned image: an extraction entry, files, contents and results. */
struct fake {
	char name[32], sha[FV_SHA256_HEX], chunk[64];
	struct fv_xentry entry;
	struct fv_unpack u;
	struct fv_xfile x[MAXF];
	struct fv_file f[MAXF];
	struct fv_content c[MAXF];
	size_t cfiles[MAXF];
	char paths[MAXF][128];
	struct fv_inventory inv;
	struct fv_results r;
	struct fv_account acct;
	struct fv_service svc;
	struct fv_endpoint ep;
	struct fv_component comp[2];
	struct fv_vulnerability vuln;
	const char *cpaths[2];
};

/* A SHA-256 in hex made of one repeated digit (content "a", "b" ...). */
static void sha_of(char c, char out[FV_SHA256_HEX])
{
	memset(out, c, FV_SHA256_HEX - 1);
	out[FV_SHA256_HEX - 1] = 0;
}

static void add_file(struct fake *k, const char *member, enum fv_ftype t, char content, enum fv_kind kind)
{
	size_t i = k->inv.nfiles;
	assert_true(i < MAXF);
	snprintf(k->paths[i], sizeof k->paths[i], "%s!%s", k->chunk, member);
	struct fv_xfile *x = &k->x[i];
	x->path = k->paths[i];
	x->type = t;
	x->mode = t == FV_FT_DIR ? 040755 : 0100644;
	x->size = content ? 100 + (uint64_t)content : 0;
	x->link = t == FV_FT_SYMLINK ? "busybox" : NULL;
	struct fv_file *f = &k->f[i];
	f->x = x;
	f->member = strrchr(x->path, '!') + 1;
	f->kind = kind;
	f->content = SIZE_MAX;
	if (content) {
		sha_of(content, x->sha256);
		if (kind == FV_KIND_ELF) {
			snprintf(f->type, sizeof f->type, "ELF 32-bit MSB executable");
			snprintf(f->arch, sizeof f->arch, "mips");
		}
		size_t ci = k->inv.ncontents++;
		memcpy(k->c[ci].sha256, x->sha256, FV_SHA256_HEX);
		k->c[ci].size = x->size;
		k->cfiles[ci] = i;
		k->c[ci].files = &k->cfiles[ci];
		k->c[ci].nfiles = 1;
		f->content = ci;
	}
	k->u.nfiles = k->inv.nfiles = i + 1;
}

/* An image whose files hold contents c1 and c2 (digits), with one of every record. */
static struct fake *fake_new(const char *name, char image, char c1, char c2)
{
	struct fake *k = calloc(1, sizeof *k);
	assert_non_null(k);
	snprintf(k->name, sizeof k->name, "%s", name);
	k->u.image_path = k->name;
	sha_of(image, k->u.image_sha256);
	k->u.image_size = 1 << 20;
	snprintf(k->chunk, sizeof k->chunk, "%s!0x40000.squashfs", name);
	k->entry = (struct fv_xentry){ .path = k->chunk, .format = "squashfs", .off = 0x40000,
				       .size = 0x10000, .status = FV_XS_OK };
	snprintf(k->entry.desc, sizeof k->entry.desc, "squashfs 4.0, xz");
	k->u.entries = &k->entry;
	k->u.nentries = 1;
	k->u.files = k->x;
	k->inv.files = k->f;
	k->inv.contents = k->c;
	add_file(k, "/bin", FV_FT_DIR, 0, FV_KIND_DIR);
	add_file(k, "/bin/busybox", FV_FT_FILE, c1, FV_KIND_ELF);
	add_file(k, "/bin/sh", FV_FT_SYMLINK, 0, FV_KIND_SYMLINK);
	add_file(k, "/etc/passwd", FV_FT_FILE, c2, FV_KIND_TEXT);

	k->acct = (struct fv_account){ .path = k->paths[3], .name = "root", .uid = 0, .gid = 0, .home = "/root",
				       .shell = "/bin/sh", .hash_type = "md5crypt", .password = "admin",
				       .hash = "$1$abcdefgh$0123456789abcdefghijkl" };
	k->r.accounts = &k->acct;
	k->r.naccounts = 1;
	k->svc = (struct fv_service){ .path = k->paths[3], .line = 3, .how = "inittab respawn",
				      .program = "/usr/sbin/telnetd", .args = "-l /bin/sh" };
	k->r.services = &k->svc;
	k->r.nservices = 1;
	k->ep = (struct fv_endpoint){ .value = "203.0.113.7", .kind = "ipv4", .path = k->paths[1],
				      .offset = 0x1234, .outside = 1 };
	k->r.endpoints = &k->ep;
	k->r.nendpoints = 1;
	k->cpaths[0] = k->paths[1];
	k->comp[0] = (struct fv_component){ .name = "busybox", .title = "BusyBox", .version = "1.36.1",
					    .cpe = "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*",
					    .purl = "pkg:generic/busybox@1.36.1", .paths = k->cpaths, .npaths = 1,
					    .evidence = "BusyBox v1.36.1", .method = "string" };
	k->comp[1] = (struct fv_component){ .name = "openssl", .title = "OpenSSL", .version = "1.0.1f",
					    .purl = "pkg:generic/openssl@1.0.1f", .paths = k->cpaths, .npaths = 1,
					    .evidence = "OpenSSL 1.0.1f 6 Jan 2014", .method = "string", .eol = 1,
					    .eol_date = "2016-12-31" };
	k->r.components = k->comp;
	k->r.ncomponents = 2;
	k->vuln = (struct fv_vulnerability){ .id = "CVE-2014-0160", .component = "openssl", .version = "1.0.1f",
					     .severity = "high", .cvss = 7.5, .kev = 1, .source = "rules",
					     .summary = "Heartbleed", .paths = k->cpaths, .npaths = 1 };
	k->r.vulns = &k->vuln;
	k->r.nvulns = 1;
	assert_int_equal(fv_findings_add(&k->r.findings, "FV-ACCT-002", "account", FV_SEV_INFO, FV_CONF_HIGH,
					 k->paths[3], 0, "root", "account root"), 0);
	assert_int_equal(fv_findings_add(&k->r.findings, "FV-CRED-001", "credential", FV_SEV_HIGH, FV_CONF_HIGH,
					 k->paths[3], 0, "root:admin", "default password"), 0);
	assert_int_equal(fv_findings_add(&k->u.findings, "FV-EXTR-001", "extraction", FV_SEV_LOW, FV_CONF_HIGH,
					 k->chunk, 0, "../x", "path neutralised"), 0);
	return k;
}

static void fake_free(struct fake *k)
{
	fv_findings_free(&k->r.findings);
	fv_findings_free(&k->u.findings);
	free(k);
}

static int64_t record(struct fv_store *s, struct fake *k, int64_t started)
{
	struct fv_store_meta m = { .image_path = k->name, .tool_version = "0.9.0", .rules_sha256 = "ab12",
				   .vulndb_date = "2026-11-01", .started = started, .elapsed_ms = 1234 };
	char err[512] = "";
	int64_t id = -1;
	int rc = fv_store_record(s, &k->u, &k->inv, &k->r, &m, &id, err, sizeof err);
	if (rc)
		fail_msg("record: %s", err);
	return id;
}

struct rows {
	struct fv_store_row r[64];
	char sha[64][FV_SHA256_HEX], started[64][32], path[64][32];
	size_t n;
};

static int collect(void *ctx, const struct fv_store_row *r)
{
	struct rows *l = ctx;
	if (l->n >= 64)
		return 1;
	l->r[l->n] = *r;
	/* The strings live only during the call. */
	snprintf(l->sha[l->n], FV_SHA256_HEX, "%s", r->image_sha256 ? r->image_sha256 : "");
	snprintf(l->started[l->n], 32, "%s", r->started);
	snprintf(l->path[l->n], 32, "%s", r->image_path);
	l->n++;
	return 0;
}

static void list(struct fv_store *s, struct rows *l)
{
	char err[512] = "";
	memset(l, 0, sizeof *l);
	if (fv_store_list(s, collect, l, err, sizeof err))
		fail_msg("list: %s", err);
}

static struct fv_store *open_ok(const char *path)
{
	struct fv_store *s = NULL;
	char err[512] = "";
	if (fv_store_open(path, &s, err, sizeof err))
		fail_msg("open %s: %s", path, err);
	assert_int_equal(fv_store_schema(s), FV_STORE_SCHEMA);
	return s;
}

static json_t *show(struct fv_store *s, int64_t id)
{
	char *buf = NULL, err[512] = "";
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	struct fv_json j;
	fv_json_init(&j, f, 1);
	int rc = fv_store_show_json(s, id, &j, err, sizeof err);
	fclose(f);
	if (rc)
		fail_msg("show %lld: %s", (long long)id, err);
	json_error_t je;
	json_t *v = json_loads(buf, 0, &je);
	if (!v)
		fail_msg("show %lld: not JSON (%s at line %d): %s", (long long)id, je.text, je.line, buf);
	free(buf);
	return v;
}

/* One integer from sql, read with SQLite itself. */
static int64_t sql_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		fail_msg("expected a string at %s", key);
	return json_string_value(v);
}

static void test_record_list_show(void **state)
{
	(void)state;
	char dir[64], path[128];
	fv_test_tmpdir(dir, sizeof dir, "store");
	/* The folder is made, and its parents: mkdir -p. */
	snprintf(path, sizeof path, "%s/a/b/fwvet.db", dir);
	struct fv_store *s = open_ok(path);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(path, sizeof path, "%s/a/b/fwvet.db-wal", dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(path, sizeof path, "%s/a", dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	snprintf(path, sizeof path, "%s/a/b/fwvet.db", dir);
	struct fake *a = fake_new("old.bin", '1', 'a', 'b');
	struct fake *b = fake_new("new.bin", '2', 'a', 'c');
	int64_t ia = record(s, a, 1764400000);
	int64_t ib = record(s, b, 1764500000);
	assert_true(ia > 0 && ib > ia);

	struct rows l;
	list(s, &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.r[0].id, ib);
	assert_string_equal(l.path[0], "new.bin");
	assert_int_equal(l.r[1].id, ia);
	assert_string_equal(l.started[1], "2025-11-29T07:06:40Z");
	assert_int_equal(l.r[1].files, 4);
	assert_int_equal(l.r[1].components, 2);
	assert_int_equal(l.r[1].vulnerabilities, 1);
	assert_int_equal(l.r[1].findings[FV_SEV_HIGH], 1);
	assert_int_equal(l.r[1].findings[FV_SEV_LOW], 1);
	assert_int_equal(l.r[1].findings[FV_SEV_INFO], 1);
	assert_int_equal(l.r[1].findings[FV_SEV_CRITICAL], 0);
	assert_int_equal(l.r[1].image_size, 1 << 20);
	assert_int_equal(strspn(l.sha[1], "1"), 64);

	json_t *v = show(s, ia);
	assert_string_equal(jstr(json_object_get(v, "image"), "path"), "old.bin");
	assert_string_equal(jstr(json_object_get(v, "tool"), "rules_sha256"), "ab12");
	assert_string_equal(jstr(json_object_get(v, "tool"), "vulndb_date"), "2026-11-01");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "scan"), "id")), ia);
	json_t *sum = json_object_get(v, "summary");
	assert_int_equal(json_integer_value(json_object_get(sum, "files")), 4);
	assert_int_equal(json_integer_value(json_object_get(sum, "unique_contents")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(sum, "findings_by_severity"), "high")), 1);
	json_t *files = json_object_get(v, "files");
	assert_int_equal(json_array_size(files), 4);
	json_t *bb = json_array_get(files, 1);
	assert_string_equal(jstr(bb, "kind"), "elf");
	assert_string_equal(jstr(bb, "arch"), "mips");
	assert_string_equal(jstr(bb, "mode"), "0644");
	assert_int_equal(strspn(jstr(bb, "sha256"), "a"), 64);
	assert_null(json_object_get(json_array_get(files, 0), "sha256"));
	assert_string_equal(jstr(json_array_get(files, 2), "link"), "busybox");
	assert_string_equal(jstr(json_array_get(files, 2), "kind"), "symlink");
	json_t *comps = json_object_get(v, "components");
	assert_int_equal(json_array_size(comps), 2);
	assert_string_equal(jstr(json_array_get(comps, 1), "eol_date"), "2016-12-31");
	assert_true(json_is_true(json_object_get(json_array_get(comps, 1), "eol")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(comps, 0), "paths"), 0)),
			    "old.bin!0x40000.squashfs!/bin/busybox");
	json_t *vu = json_array_get(json_object_get(v, "vulnerabilities"), 0);
	assert_string_equal(jstr(vu, "id"), "CVE-2014-0160");
	assert_true(json_real_value(json_object_get(vu, "cvss")) == 7.5);
	assert_true(json_is_true(json_object_get(vu, "kev")));
	json_t *fs = json_object_get(v, "findings");
	assert_int_equal(json_array_size(fs), 3);
	assert_string_equal(jstr(json_array_get(fs, 0), "rule"), "FV-CRED-001");
	assert_string_equal(jstr(json_array_get(fs, 0), "severity"), "high");
	assert_string_equal(jstr(json_array_get(fs, 1), "category"), "extraction");
	assert_string_equal(jstr(json_array_get(fs, 0), "id"), a->r.findings.v[1].id);
	assert_string_equal(jstr(json_array_get(json_object_get(v, "accounts"), 0), "password"), "admin");
	assert_null(json_object_get(json_array_get(json_object_get(v, "accounts"), 0), "hash"));
	assert_string_equal(jstr(json_array_get(json_object_get(v, "services"), 0), "program"), "/usr/sbin/telnetd");
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(v, "endpoints"), 0), "outside")));
	assert_string_equal(jstr(json_array_get(json_object_get(v, "extraction"), 0), "format"), "squashfs");
	json_decref(v);

	/* Content once: /bin/busybox ('a') is in both scans, one row. */
	assert_int_equal(sql_int(path, "SELECT count(*) FROM contents"), 3);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM contents WHERE sha256 LIKE 'aaaa%'"), 1);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM files WHERE sha256 LIKE 'aaaa%'"), 2);
	/* The hash is kept for diffs of stored scans. */
	assert_int_equal(sql_int(path, "SELECT count(*) FROM accounts WHERE hash LIKE '$1$%'"), 2);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM images"), 2);

	/* The same image again: one image row, a third scan. */
	record(s, a, 1764600000);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM images"), 2);
	fv_store_close(s);

	s = open_ok(path);
	list(s, &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.path[0], "old.bin");
	assert_int_equal(l.r[2].id, ia);

	char err[512] = "";
	struct fv_json j;
	fv_json_init(&j, stdout, 0);
	assert_int_equal(fv_store_show_json(s, 999, &j, err, sizeof err), FV_EUSAGE);
	assert_non_null(strstr(err, "no scan 999 in"));
	fv_store_close(s);
	fake_free(a);
	fake_free(b);
	fv_test_rmtree(dir);
}

/* A record that fails half-way leaves no scan, no file and no new content. */
static void test_rollback(void **state)
{
	(void)state;
	char dir[64], path[128], err[512] = "";
	fv_test_tmpdir(dir, sizeof dir, "store");
	snprintf(path, sizeof path, "%s/s.db", dir);
	struct fv_store *s = open_ok(path);
	struct fake *a = fake_new("a.bin", '1', 'a', 'b');
	record(s, a, 1764400000);
	struct fake *b = fake_new("b.bin", '2', 'c', 'd');
	/* A finding without a rule breaks a NOT NULL constraint after everything else is written. */
	const char *rule = b->r.findings.v[0].rule;
	b->r.findings.v[0].rule = NULL;
	struct fv_store_meta m = { .image_path = "b.bin", .tool_version = "0.9.0", .started = 1764500000 };
	int64_t id = -1;
	int rc = fv_store_record(s, &b->u, &b->inv, &b->r, &m, &id, err, sizeof err);
	b->r.findings.v[0].rule = rule;
	assert_int_equal(rc, FV_EIO);
	assert_int_equal(id, -1);
	assert_non_null(strstr(err, "NOT NULL"));
	assert_non_null(strstr(err, path));
	assert_int_equal(sql_int(path, "SELECT count(*) FROM scans"), 1);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM images"), 1);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM files"), 4);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM contents"), 2);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM findings"), 3);
	/* The store is still usable after the failure. */
	assert_true(record(s, b, 1764500000) > 0);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM scans"), 2);
	fv_store_close(s);
	fake_free(a);
	fake_free(b);
	fv_test_rmtree(dir);
}

static void test_schema_versions(void **state)
{
	(void)state;
	char dir[64], path[128], err[512] = "";
	fv_test_tmpdir(dir, sizeof dir, "store");
	struct fv_store *s = NULL;

	/* A 0-byte file is an empty database: migrated. */
	fv_test_put(dir, "empty.db", "");
	snprintf(path, sizeof path, "%s/empty.db", dir);
	s = open_ok(path);
	struct rows l;
	list(s, &l);
	assert_int_equal(l.n, 0);
	fv_store_close(s);
	assert_int_equal(sql_int(path, "PRAGMA user_version"), FV_STORE_SCHEMA);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM sqlite_master WHERE name = 'findings'"), 1);

	/* A store from a newer fwvet is refused, both versions named, and left as it was. */
	snprintf(path, sizeof path, "%s/new.db", dir);
	fv_test_sh(dir, "sqlite3 new.db 'CREATE TABLE t(x); PRAGMA user_version=99;'");
	s = NULL;
	assert_int_equal(fv_store_open(path, &s, err, sizeof err), FV_EUNSUP);
	assert_null(s);
	assert_non_null(strstr(err, "found version 99"));
	char want[64];
	snprintf(want, sizeof want, "version %d or older", FV_STORE_SCHEMA);
	assert_non_null(strstr(err, want));
	assert_int_equal(sql_int(path, "PRAGMA user_version"), 99);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM sqlite_master WHERE name = 'scans'"), 0);

	/* Not a database at all. */
	fv_test_put(dir, "junk.db", "this is not a SQLite database, it is a long enough text file to be read ...");
	snprintf(path, sizeof path, "%s/junk.db", dir);
	assert_int_equal(fv_store_open(path, &s, err, sizeof err), FV_EFORMAT);
	assert_non_null(strstr(err, "expected a fwvet store"));

	/* A PostgreSQL server that is not there (port 1 refuses at once): an error that
	 * names the store without repeating the URI's password. */
	assert_int_equal(fv_store_open("postgresql://u:secret@127.0.0.1:1/fwvet", &s, err, sizeof err), FV_EIO);
	assert_null(s);
	assert_non_null(strstr(err, "127.0.0.1"));
	assert_null(strstr(err, "secret"));
	fv_test_rmtree(dir);
}

static void test_default_path(void **state)
{
	(void)state;
	char *save_db = getenv("FWVET_DB") ? strdup(getenv("FWVET_DB")) : NULL;
	setenv("FWVET_DB", "/x/y.db", 1);
	char *p = fv_store_default_path();
	assert_string_equal(p, "/x/y.db");
	free(p);
	unsetenv("FWVET_DB");
	setenv("XDG_DATA_HOME", "/data", 1);
	p = fv_store_default_path();
	assert_string_equal(p, "/data/fwvet/fwvet.db");
	free(p);
	setenv("XDG_DATA_HOME", "relative", 1);
	setenv("HOME", "/home/eva", 1);
	p = fv_store_default_path();
	assert_string_equal(p, "/home/eva/.local/share/fwvet/fwvet.db");
	free(p);
	if (save_db)
		setenv("FWVET_DB", save_db, 1);
	free(save_db);
}

/* Two processes migrate a fresh store and record 20 scans each into it at once. */
static void test_concurrent(void **state)
{
	(void)state;
	char dir[64], path[128];
	fv_test_tmpdir(dir, sizeof dir, "store");
	snprintf(path, sizeof path, "%s/shared.db", dir);
	pid_t pid[2];
	for (int p = 0; p < 2; p++) {
		pid[p] = fork();
		assert_true(pid[p] >= 0);
		if (pid[p])
			continue;
		struct fv_store *s = NULL;
		char err[512];
		if (fv_store_open(path, &s, err, sizeof err)) {
			fprintf(stderr, "child %d: %s\n", p, err);
			_exit(1);
		}
		struct fake *k = fake_new(p ? "p1.bin" : "p0.bin", p ? '1' : '2', 'a', p ? 'b' : 'c');
		for (int i = 0; i < 20; i++) {
			struct fv_store_meta m = { .image_path = k->name, .tool_version = "0.9.0",
						   .started = 1764400000 + i };
			int64_t id;
			if (fv_store_record(s, &k->u, &k->inv, &k->r, &m, &id, err, sizeof err)) {
				fprintf(stderr, "child %d scan %d: %s\n", p, i, err);
				_exit(1);
			}
		}
		fake_free(k);
		fv_store_close(s);
		_exit(0);
	}
	for (int p = 0; p < 2; p++) {
		int st;
		assert_int_equal(waitpid(pid[p], &st, 0), pid[p]);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	struct fv_store *s = open_ok(path);
	struct rows l;
	list(s, &l);
	assert_int_equal(l.n, 40);
	for (size_t i = 0; i < l.n; i++)
		assert_int_equal(l.r[i].files, 4);
	fv_store_close(s);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM scans"), 40);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM contents"), 3);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM files"), 160);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM findings"), 120);
	assert_int_equal(sql_int(path, "SELECT \"ok\" = integrity_check FROM pragma_integrity_check"), 1);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	fv_test_rmtree(dir);
}

/* 100,000 files in one scan, each its own content: every row is there. */
static void test_many_files(void **state)
{
	(void)state;
	enum { N = 100000 };
	char dir[64], path[128], err[512] = "";
	fv_test_tmpdir(dir, sizeof dir, "store");
	snprintf(path, sizeof path, "%s/big.db", dir);
	struct fv_unpack u = { .image_path = "big.bin", .image_size = 1 };
	struct fv_inventory inv = { 0 };
	u.files = calloc(N, sizeof *u.files);
	inv.files = calloc(N, sizeof *inv.files);
	inv.contents = calloc(N, sizeof *inv.contents);
	size_t *idx = calloc(N, sizeof *idx);
	char (*names)[40] = calloc(N, sizeof *names);
	assert_true(u.files && inv.files && inv.contents && idx && names);
	for (size_t i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "big.bin!0x0.tar!/f%zu", i);
		u.files[i] = (struct fv_xfile){ .path = names[i], .type = FV_FT_FILE, .mode = 0100644, .size = i };
		snprintf(u.files[i].sha256, FV_SHA256_HEX, "%064zx", i);
		inv.files[i] = (struct fv_file){ .x = &u.files[i], .kind = FV_KIND_OTHER, .content = i };
		memcpy(inv.contents[i].sha256, u.files[i].sha256, FV_SHA256_HEX);
		inv.contents[i].size = i;
		idx[i] = i;
		inv.contents[i].files = &idx[i];
		inv.contents[i].nfiles = 1;
	}
	u.nfiles = inv.nfiles = inv.ncontents = N;
	struct fv_store *s = open_ok(path);
	struct fv_store_meta m = { .image_path = "big.bin", .tool_version = "0.9.0", .started = 1764400000 };
	int64_t id;
	struct timespec t0, t1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	if (fv_store_record(s, &u, &inv, NULL, &m, &id, err, sizeof err))
		fail_msg("record: %s", err);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	/* Printed for the reader, not asserted: timings are no test. */
	fprintf(stderr, "# 100000 files recorded in %.0f ms of CPU\n",
		(double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	struct rows l;
	list(s, &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.r[0].files, N);
	assert_int_equal(l.r[0].components, 0);
	fv_store_close(s);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM contents"), N);
	free(u.files);
	free(inv.files);
	free(inv.contents);
	free(idx);
	free(names);
	fv_test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_list_show),
		cmocka_unit_test(test_rollback),
		cmocka_unit_test(test_schema_versions),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_many_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
