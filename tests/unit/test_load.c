/*
 * Stored scans read back (store/load.c): a scan built by hand with the
 * values real images rarely have (64-bit offsets past INT64_MAX, devices, a
 * member never written, absent shells and scores, control bytes, a binary
 * with an rpath and call counts) renders the same JSON report after a
 * record and a load as before; the inventory works (contents, lookups,
 * roots); and values changed in the database are refused with a message
 * naming them, never trusted.
 */
#include "testlib.h"

#include "analyze/run.h"
#include "core/err.h"
#include "core/finding.h"
#include "core/hash.h"
#include "core/json.h"
#include "integrity/diff.h"
#include "integrity/pair.h"
#include "inventory/inventory.h"
#include "report/report.h"
#include "store/store.h"
#include "unpack/engine.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One hand-made scan: files written to a folder and inventoried for real, results by hand. */
struct scan {
	char dir[256];
	struct fv_unpack u;
	struct fv_xentry e[3];
	struct fv_xfile x[8];
	struct fv_inventory inv;
	struct fv_results r;
	struct fv_account acct[2];
	struct fv_service svc;
	struct fv_endpoint ep;
	struct fv_binary bin;
	struct fv_callcount calls[2];
	struct fv_unsafe_row unsafe;
	struct fv_component_copy copy;
	struct fv_component comp;
	struct fv_vulnerability vuln;
	const char *paths[2];
};

#define IMG "fw.bin"
#define ROOT IMG "!0x40000.squashfs"

static void add(struct scan *s, const char *member, enum fv_ftype t, const char *data, size_t n, const char *disk)
{
	struct fv_xfile *x = &s->x[s->u.nfiles++];
	char path[256];
	snprintf(path, sizeof path, ROOT "!%s", member);
	x->path = strdup(path);
	x->type = t;
	x->mode = t == FV_FT_DIR ? 040755 : t == FV_FT_CHAR ? 020600 : 0104755;
	x->uid = 0;
	x->gid = 4294967295u;
	x->depth = 2;
	if (t == FV_FT_SYMLINK)
		x->link = strdup("busybox");
	if (data && disk) {
		fv_test_write_file(s->dir, disk, data, n);
		x->disk = strdup(disk);
		x->size = n;
		fv_sha256_hex(data, n, x->sha256);
	} else if (data) {
		x->size = 4096; /* a member the limits kept from being written: no bytes, no hash */
	}
}

static struct scan *scan_new(void)
{
	struct scan *s = calloc(1, sizeof *s);
	assert_non_null(s);
	fv_test_tmpdir(s->dir, sizeof s->dir, "load");
	s->u.image_path = strdup(IMG);
	memset(s->u.image_sha256, 'c', FV_SHA256_HEX - 1);
	s->u.image_size = 1u << 20;
	s->u.entries = s->e;
	s->u.files = s->x;
	s->e[0] = (struct fv_xentry){ .path = IMG "!0x0.uimage", .format = "uimage", .off = 0, .size = 0x40000 };
	snprintf(s->e[0].desc, sizeof s->e[0].desc, "uImage, \"Linux\x01\"");
	s->e[1] = (struct fv_xentry){ .path = ROOT, .format = "squashfs", .off = 0x40000,
				      .size = UINT64_MAX - 5, .status = FV_XS_PARTIAL,
				      .error = "at 0x40060: expected a fragment table, found 0 bytes" };
	s->e[2] = (struct fv_xentry){ .path = IMG "!0xfff0000.padding", .format = "padding", .off = 0xfff0000,
				      .size = 16 };
	s->u.nentries = 3;
	/* A big-endian MIPS ELF header is all the typing needs. */
	static const char elf[24] = "\177ELF\001\002\001\000\000\000\000\000\000\000\000\000\000\002\000\010";
	static const char pw[] = "root:x:0:0::/root:/bin/sh\n";
	add(s, "/bin", FV_FT_DIR, NULL, 0, NULL);
	add(s, "/bin/busybox", FV_FT_FILE, elf, sizeof elf, "busybox");
	add(s, "/bin/sh", FV_FT_SYMLINK, NULL, 0, NULL);
	add(s, "/etc/passwd", FV_FT_FILE, pw, sizeof pw - 1, "passwd");
	add(s, "/etc/passwd-", FV_FT_FILE, pw, sizeof pw - 1, "passwd-");
	add(s, "/dev/console", FV_FT_CHAR, NULL, 0, NULL);
	add(s, "/big\033[31m", FV_FT_FILE, "", 0, NULL);
	add(s, "/empty", FV_FT_FILE, "", 0, "empty");
	char err[256];
	assert_int_equal(fv_inventory_build(&s->u, s->dir, 1, &s->inv, err, sizeof err), FV_OK);
	assert_int_equal(fv_findings_add(&s->u.findings, "FV-EXTR-005", "extraction", FV_SEV_LOW, FV_CONF_HIGH,
					 ROOT "!/big\033[31m", 0, "limit", "Limit hit: %s", "entries"), FV_OK);
	assert_int_equal(fv_findings_add(&s->r.findings, "FV-ACCT-001", "account", FV_SEV_HIGH, FV_CONF_HIGH,
					 ROOT "!/etc/passwd", UINT64_MAX, "root::0:0", "Empty password: %s", "root"),
			 FV_OK);
	assert_int_equal(fv_findings_add(&s->r.findings, "FV-HARD-001", "hardening", FV_SEV_MEDIUM,
					 FV_CONF_MEDIUM, ROOT "!/bin/busybox", 0, "", "Not hardened"), FV_OK);

	struct fv_results *r = &s->r;
	s->acct[0] = (struct fv_account){ ROOT "!/etc/passwd", "root", 0, 0, "/root", "/bin/sh", "md5crypt",
					  "admin", "$1$abcdefgh$U4R0ux7Q2EsnYQKkW5yqN1" };
	s->acct[1] = (struct fv_account){ ROOT "!/etc/shadow", "ghost", -1, -1, NULL, NULL, "locked", NULL, "!" };
	r->accounts = s->acct;
	r->naccounts = 2;
	s->svc = (struct fv_service){ ROOT "!/etc/inittab", UINT64_MAX, "inittab respawn", "/bin/sh", NULL };
	r->services = &s->svc;
	r->nservices = 1;
	s->ep = (struct fv_endpoint){ "203.0.113.7", "ipv4", ROOT "!/bin/busybox", (uint64_t)INT64_MAX + 9, 1 };
	r->endpoints = &s->ep;
	r->nendpoints = 1;
	s->calls[0] = (struct fv_callcount){ "strcpy", 7 };
	s->calls[1] = (struct fv_callcount){ "gets", 4294967295u };
	s->bin = (struct fv_binary){ .sha256 = s->x[1].sha256, .elf_type = "exec", .nx = 1, .canary = 1,
				     .relro = "partial", .rpath = "/opt/lib:$ORIGIN", .fortified = 3, .unfortified = 9,
				     .code = 1, .functions = 41, .call_sites = 977, .calls = s->calls, .ncalls = 2 };
	r->binaries = &s->bin;
	r->nbinaries = 1;
	s->unsafe = (struct fv_unsafe_row){ "strcpy", "strcpy stpcpy", "strlcpy", 7, 1, 0, 0 };
	r->unsafe = &s->unsafe;
	r->nunsafe = 1;
	s->copy = (struct fv_component_copy){ "busybox", "BusyBox", "1.36.1", "busybox:busybox", "pkg:generic/busybox",
					      ROOT "!/bin/busybox", 1024, "BusyBox v1.36.1", "string", "ash ls" };
	r->copies = &s->copy;
	r->ncopies = 1;
	s->paths[0] = ROOT "!/bin/busybox";
	s->paths[1] = ROOT "!/bin/sh";
	s->comp = (struct fv_component){ "busybox", "BusyBox", "1.36.1", "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*",
					 "pkg:generic/busybox@1.36.1", s->paths, 2, "BusyBox v1.36.1", "string", NULL, 1,
					 "2024-01-01" };
	r->components = &s->comp;
	r->ncomponents = 1;
	s->vuln = (struct fv_vulnerability){ "CVE-2022-48174", "busybox", "1.36.1", "unknown", -1, 1,
					     "ash stack overflow", "nvd", NULL, s->paths, 1 };
	r->vulns = &s->vuln;
	r->nvulns = 1;
	return s;
}

static void scan_free(struct scan *s)
{
	fv_inventory_free(&s->inv);
	for (size_t i = 0; i < s->u.nfiles; i++) {
		free(s->x[i].path);
		free(s->x[i].disk);
		free(s->x[i].link);
	}
	free(s->u.image_path);
	fv_findings_free(&s->u.findings);
	fv_findings_free(&s->r.findings);
	fv_test_rmtree(s->dir);
	free(s);
}

/* The JSON report of a scan, in memory (malloc'd). */
static char *report_json(const struct fv_unpack *u, const struct fv_inventory *inv, const struct fv_results *r,
			 const char *rules, uint64_t ms, const char *vdate)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	struct fv_json j;
	fv_json_init(&j, f, 1);
	struct fv_report rep = { .u = u, .inv = inv, .res = r, .rules_sha256 = rules, .elapsed_ms = ms, .vulndb_date = vdate };
	fv_report_json(&j, &rep);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static int64_t record(const char *db, struct scan *s)
{
	struct fv_store *st;
	char err[512] = "";
	if (fv_store_open(db, &st, err, sizeof err))
		fail_msg("open: %s", err);
	struct fv_store_meta m = { .image_path = IMG, .tool_version = "0.1.0", .rules_sha256 = "ab12",
				   .vulndb_date = NULL, .started = 1700000000, .elapsed_ms = 1234 };
	int64_t id = 0;
	if (fv_store_record(st, &s->u, &s->inv, &s->r, &m, &id, err, sizeof err))
		fail_msg("record: %s", err);
	fv_store_close(st);
	return id;
}

/* Loads scan id; returns the fv_err, with the message in err. */
static int load(const char *db, int64_t id, struct fv_stored *out, char *err, size_t errlen)
{
	struct fv_store *st;
	if (fv_store_open(db, &st, err, errlen))
		fail_msg("open: %s", err);
	int rc = fv_store_load(st, id, out, err, errlen);
	fv_store_close(st);
	return rc;
}

static void sql(const char *db, const char *q)
{
	sqlite3 *h;
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	char *msg = NULL;
	if (sqlite3_exec(h, q, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", q, msg);
	sqlite3_close(h);
}

static void test_round_trip(void **state)
{
	(void)state;
	struct scan *s = scan_new();
	char db[300], err[512];
	snprintf(db, sizeof db, "%s/s.db", s->dir);
	int64_t id = record(db, s);
	struct fv_stored st;
	assert_int_equal(load(db, id, &st, err, sizeof err), FV_OK);

	char *want = report_json(&s->u, &s->inv, &s->r, "ab12", 1234, NULL);
	char *got = report_json(&st.u, &st.inv, &st.res, st.rules_sha256, st.elapsed_ms, st.vulndb_date);
	assert_string_equal(got, want);
	free(want);
	free(got);

	assert_string_equal(st.tool_version, "0.1.0");
	assert_string_equal(st.started, "2023-11-14T22:13:20Z");
	assert_int_equal(st.started_epoch, 1700000000);
	assert_null(st.vulndb_date);
	assert_int_equal(st.u.nentries, 3);
	assert_true(st.u.entries[1].size == UINT64_MAX - 5);
	assert_int_equal(st.u.findings.n, 1);
	assert_int_equal(st.res.findings.n, 2);
	assert_true(st.res.findings.v[0].offset == UINT64_MAX);
	assert_string_equal(st.res.findings.v[0].id, s->r.findings.v[0].id);
	assert_true(st.res.services[0].line == UINT64_MAX);
	assert_null(st.res.accounts[1].shell);
	assert_string_equal(st.res.accounts[1].hash, "!");
	assert_true(st.res.vulns[0].cvss < 0);
	assert_string_equal(st.res.copies[0].detail, "ash ls");
	/* The inventory as fv_inventory_build makes it: contents, roots, lookups through links. */
	assert_int_equal(st.inv.nfiles, s->inv.nfiles);
	assert_int_equal(st.inv.ncontents, s->inv.ncontents);
	assert_int_equal(st.inv.nroots, s->inv.nroots);
	const struct fv_file *pw = fv_inventory_find(&st.inv, ROOT "!/etc/passwd");
	assert_non_null(pw);
	const struct fv_file *sh = fv_inventory_lookup(&st.inv, pw, "/bin/sh");
	assert_non_null(sh);
	assert_string_equal(sh->x->path, ROOT "!/bin/busybox");
	assert_int_equal(sh->kind, FV_KIND_ELF);
	assert_string_equal(sh->arch, s->inv.files[1].arch);
	assert_non_null(fv_results_binary(&st.res, sh->x->sha256));
	assert_string_equal(fv_inventory_find(&st.inv, ROOT "!/big\033[31m")->type, "not extracted");
	/* passwd and passwd- share a content, listed in extraction order. */
	const struct fv_content *c = &st.inv.contents[pw->content];
	assert_int_equal(c->nfiles, 2);
	assert_int_equal(c->files[0], 3);
	assert_int_equal(c->files[1], 4);

	/* A stored scan against itself: nothing changed, and no file needed reading. */
	struct fv_side a, b;
	struct fv_diff d;
	memset(&d, 0, sizeof d);
	assert_int_equal(fv_side_init(&a, &st.u, &st.inv, &st.res), FV_OK);
	assert_int_equal(fv_side_init(&b, &st.u, &st.inv, &st.res), FV_OK);
	assert_int_equal(fv_diff_compute(&a, &b, &d), FV_OK);
	assert_int_equal(d.nchanged + d.files_added.n + d.files_removed.n + d.findings_new.n + d.accounts_changed.n, 0);
	fv_diff_free(&d);
	fv_side_free(&a);
	fv_side_free(&b);

	fv_stored_free(&st);
	assert_int_equal(load(db, id + 1, &st, err, sizeof err), FV_EUSAGE);
	char want_err[400];
	snprintf(want_err, sizeof want_err, "no scan %lld in %s", (long long)id + 1, db);
	assert_string_equal(err, want_err);
	scan_free(s);
}

/* One change to a stored value, and the words the refusal must contain. */
static void refused(const char *db, int64_t id, const char *change, const char *words)
{
	char copy[400], cmd[1200], err[512];
	snprintf(copy, sizeof copy, "%s.bad", db);
	fv_test_sh(NULL, "cp '%s' '%s'", db, copy);
	snprintf(cmd, sizeof cmd, change, (long long)id);
	sql(copy, cmd);
	struct fv_stored st;
	int rc = load(copy, id, &st, err, sizeof err);
	if (rc != FV_EFORMAT || !strstr(err, words))
		fail_msg("%s: expected FV_EFORMAT with '%s', got %d: %s", cmd, words, rc, err);
	/* Nothing is left to free, and freeing again is harmless. */
	fv_stored_free(&st);
}

static void test_hostile(void **state)
{
	(void)state;
	struct scan *s = scan_new();
	char db[300];
	snprintf(db, sizeof db, "%s/h.db", s->dir);
	int64_t id = record(db, s);
	refused(db, id, "UPDATE files SET uid = -1 WHERE scan_id = %lld",
		"files rowid 1, column uid: expected an integer from 0 to 4294967295, found -1");
	refused(db, id, "UPDATE files SET type = 'door' WHERE scan_id = %lld",
		"column type: expected one of file, dir, symlink, char, block, fifo, socket, found 'door'");
	refused(db, id, "UPDATE entries SET description = printf('%%.300c', 'x') WHERE scan_id = %lld",
		"column description: expected at most 255 bytes, found 300");
	refused(db, id, "UPDATE findings SET finding_id = '0123456789abcdef0' WHERE scan_id = %lld",
		"column finding_id: expected at most 16 bytes");
	refused(db, id, "UPDATE contents SET kind = 'blob' WHERE 1 OR %lld",
		"column kind (of its content): expected one of data, empty, elf");
	refused(db, id, "UPDATE contents SET type = printf('%%.200c', 't') WHERE 1 OR %lld",
		"column type (of its content): expected at most 95 bytes, found 200");
	refused(db, id, "UPDATE binaries SET record = json_set(record, '$.calls', json('[1]')) WHERE scan_id = %lld",
		"expected \"calls\" to be an object (function name: call sites), found an array");
	refused(db, id, "UPDATE binaries SET record = json_set(record, '$.nx', 2) WHERE scan_id = %lld",
		"expected \"nx\" from 0 to 1, found 2");
	refused(db, id, "UPDATE binaries SET record = json_remove(record, '$.elf_type') WHERE scan_id = %lld",
		"expected \"elf_type\" to be a string, found nothing");
	refused(db, id, "UPDATE vulnerabilities SET cvss = 11.5 WHERE scan_id = %lld",
		"column cvss: expected a CVSS base score from 0 to 10 or NULL, found 11.5");
	refused(db, id, "UPDATE vulnerabilities SET paths = '{\"a\": 1}' WHERE scan_id = %lld",
		"column paths: expected a JSON array of paths, found '{\"a\": 1}'");
	refused(db, id, "UPDATE endpoints SET outside = 7 WHERE scan_id = %lld",
		"column outside: expected an integer from 0 to 1, found 7");
	refused(db, id, "UPDATE images SET sha256 = 'ABC' WHERE id = (SELECT image_id FROM scans WHERE id = %lld)",
		"images rowid");
	refused(db, id, "PRAGMA foreign_keys = OFF; DELETE FROM images WHERE %lld",
		"scans rowid 1, column image_id: expected an image the store holds, found none");
	scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
