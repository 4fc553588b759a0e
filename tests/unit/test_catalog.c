/*
 * The rule catalogue (rules/findings/): the block format, a user's entries
 * replacing shipped ones, malformed files rejected with file:line, and the
 * shipped catalogue covering every rule id that the source tree and the
 * shipped rules can emit (found by scanning them now, not from a list).
 */
#include "testlib.h"

#include "report/catalog.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const good =
	"# a comment\n"
	"FV-TEST-001 FirstRule\n"
	"summary: The first rule.\n"
	"help: Paragraph one.\n"
	"help: Paragraph two.\n"
	"ref: https://cwe.mitre.org/data/definitions/798.html\n"
	"ref: https://example.com/a?b=c#d\n"
	"\n"
	"FV-TEST-002 SecondRule\n"
	"summary: The second rule.\n"
	"help: Only one paragraph.\n";

static void test_parse(void **state)
{
	(void)state;
	char dir[256], err[512] = "";
	fv_test_tmpdir(dir, sizeof dir, "catalog");
	fv_test_put(dir, "findings/10-a.txt", good);
	fv_test_put(dir, "findings/ignored.md", "not read: not a .txt\n");
	struct fv_catalog *c = NULL;
	assert_int_equal(fv_catalog_load(dir, NULL, &c, err, sizeof err), 0);
	assert_int_equal(fv_catalog_count(c), 2);
	const struct fv_rule_info *r = fv_catalog_find(c, "FV-TEST-001");
	assert_non_null(r);
	assert_string_equal(r->name, "FirstRule");
	assert_string_equal(r->summary, "The first rule.");
	assert_string_equal(r->help, "Paragraph one.\n\nParagraph two.");
	assert_int_equal(r->nrefs, 2);
	assert_string_equal(r->refs[0], "https://cwe.mitre.org/data/definitions/798.html");
	assert_string_equal(r->refs[1], "https://example.com/a?b=c#d");
	r = fv_catalog_find(c, "FV-TEST-002");
	assert_non_null(r);
	assert_int_equal(r->nrefs, 0);
	assert_string_equal(r->help, "Only one paragraph.");
	assert_null(fv_catalog_find(c, "FV-TEST-003"));
	assert_null(fv_catalog_find(c, "FV-TEST-00"));
	/* at() walks the entries in id order */
	assert_string_equal(fv_catalog_at(c, 0)->id, "FV-TEST-001");
	assert_string_equal(fv_catalog_at(c, 1)->id, "FV-TEST-002");
	assert_null(fv_catalog_at(c, 2));
	fv_catalog_free(c);
	/* no findings folder: an empty catalogue, not an error */
	assert_int_equal(fv_catalog_load("/nonexistent-fwvet-rules", NULL, &c, err, sizeof err), 0);
	assert_int_equal(fv_catalog_count(c), 0);
	fv_catalog_free(c);
	fv_test_rmtree(dir);
}

static void test_user_replaces(void **state)
{
	(void)state;
	char dir[256], user[256], err[512] = "";
	fv_test_tmpdir(dir, sizeof dir, "catalog");
	fv_test_tmpdir(user, sizeof user, "catalog-user");
	fv_test_put(dir, "findings/a.txt", good);
	fv_test_put(user, "findings/mine.txt",
		    "FV-TEST-002 MyName\nsummary: Mine.\nhelp: My help.\n\n"
		    "ACME-X-1 AcmeRule\nsummary: A user's own rule.\nhelp: Its help.\n");
	struct fv_catalog *c = NULL;
	assert_int_equal(fv_catalog_load(dir, user, &c, err, sizeof err), 0);
	assert_int_equal(fv_catalog_count(c), 3);
	const struct fv_rule_info *r = fv_catalog_find(c, "FV-TEST-002");
	assert_string_equal(r->name, "MyName");
	assert_string_equal(r->summary, "Mine.");
	assert_string_equal(fv_catalog_find(c, "FV-TEST-001")->summary, "The first rule.");
	assert_string_equal(fv_catalog_find(c, "ACME-X-1")->help, "Its help.");
	fv_catalog_free(c);
	/* within one layer an id is defined once */
	fv_test_put(user, "findings/second.txt", "ACME-X-1 Again\nsummary: x\nhelp: y\n");
	assert_int_not_equal(fv_catalog_load(dir, user, &c, err, sizeof err), 0);
	assert_null(c);
	assert_non_null(strstr(err, "/findings/second.txt:1: expected a rule id not defined before"));
	fv_test_rmtree(dir);
	fv_test_rmtree(user);
}

/* Each bad file is rejected with file:line naming the line at fault. */
static void test_malformed(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *where; /* ":LINE: expected ..." part of the message */
	} cases[] = {
		{ "summary: no rule line\n", ":1: expected a rule line" },
		{ "FV-X-1\nsummary: a\nhelp: b\n", ":1: expected a rule line \"ID Name\"" },
		{ "FV-X-1 Name extra\n", ":1: expected a rule line" },
		{ "FV-X-1 1Name\n", ":1: expected a rule line" },
		{ "FV X-1 Name\n", ":1: expected a rule line" },
		{ "FV-X-1 Name\nsummary:no blank\nhelp: b\n", ":2: expected \"summary: TEXT\"" },
		{ "FV-X-1 Name\nsumary: typo\nhelp: b\n", ":2: expected \"summary: TEXT\"" },
		{ "FV-X-1 Name\nsummary: a\nsummary: b\nhelp: c\n", ":3: expected one \"summary:\" line" },
		{ "FV-X-1 Name\nsummary: a\n\n", ":1: expected a \"help:\" line" },
		{ "FV-X-1 Name\nhelp: a\n", ":1: expected a \"summary:\" line" },
		{ "FV-X-1 Name\nsummary: a\nhelp: b\nref: ftp://x.org/\n", ":4: expected an http:// or https:// URL" },
		{ "FV-X-1 Name\nsummary: a\nhelp: b\nref: https://x.org/a b\n", ":4: expected an http:// or https:// URL" },
		{ "FV-X-1 Name\nsummary: a\x01 b\nhelp: b\n", ":2: expected text without control bytes" },
		{ "FV-X-1 Name\nsummary: a \nhelp: b\n", ":2: expected no trailing blanks" },
		{ "FV-X-1 Name\r\nsummary: a\r\n", ":1: expected a line without a carriage return" },
		{ "FV-X-1 Name\nsummary: a\nhelp: b\n\nFV-X-1 Again\nsummary: a\nhelp: b\n",
		  ":5: expected a rule id not defined before" },
	};
	char dir[256], err[512];
	fv_test_tmpdir(dir, sizeof dir, "catalog");
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		fv_test_put(dir, "findings/bad.txt", cases[i].text);
		struct fv_catalog *c = (struct fv_catalog *)1;
		err[0] = 0;
		int rc = fv_catalog_load(dir, NULL, &c, err, sizeof err);
		if (rc == 0 || c != NULL || !strstr(err, "/findings/bad.txt") || !strstr(err, cases[i].where) ||
		    !strstr(err, ", got "))
			fail_msg("case %zu: rc %d, message [%s], wanted [%s]", i, rc, err, cases[i].where);
	}
	/* a line longer than the bound */
	size_t n = 5000;
	char *long_line = malloc(n + 64);
	assert_non_null(long_line);
	strcpy(long_line, "FV-X-1 Name\nsummary: ");
	size_t k = strlen(long_line);
	memset(long_line + k, 'a', n);
	strcpy(long_line + k + n, "\nhelp: b\n");
	fv_test_put(dir, "findings/bad.txt", long_line);
	free(long_line);
	struct fv_catalog *c = NULL;
	assert_int_not_equal(fv_catalog_load(dir, NULL, &c, err, sizeof err), 0);
	assert_non_null(strstr(err, "bad.txt:2: expected a line of at most 2048 bytes"));
	/* too many refs */
	fv_test_put(dir, "findings/bad.txt",
		    "FV-X-1 Name\nsummary: a\nhelp: b\nref: https://a.org/1\nref: https://a.org/2\nref: https://a.org/3\n"
		    "ref: https://a.org/4\nref: https://a.org/5\nref: https://a.org/6\nref: https://a.org/7\n"
		    "ref: https://a.org/8\nref: https://a.org/9\n");
	assert_int_not_equal(fv_catalog_load(dir, NULL, &c, err, sizeof err), 0);
	assert_non_null(strstr(err, "bad.txt:12: expected at most 8"));
	fv_test_rmtree(dir);
}

/* Every "FV-AREA-NNN" token in the files under dir (recursively) goes into ids. */
struct ids {
	char (*v)[32];
	size_t n, cap;
};

static void add_id(struct ids *s, const char *p, size_t n)
{
	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->v[i]) == n && !memcmp(s->v[i], p, n))
			return;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = realloc(s->v, s->cap * sizeof *s->v);
		assert_non_null(s->v);
	}
	memcpy(s->v[s->n], p, n);
	s->v[s->n][n] = 0;
	s->n++;
}

static int upper(char c) { return c >= 'A' && c <= 'Z'; }
static int digit(char c) { return c >= '0' && c <= '9'; }

static void scan_text(struct ids *s, const char *t, size_t len)
{
	for (size_t i = 0; i + 3 < len; i++) {
		if (memcmp(t + i, "FV-", 3) || (i && (upper(t[i - 1]) || digit(t[i - 1]))))
			continue;
		size_t j = i + 3;
		while (j < len && upper(t[j]))
			j++;
		if (j == i + 3 || j >= len || t[j] != '-')
			continue;
		size_t k = j + 1;
		while (k < len && digit(t[k]))
			k++;
		if (k == j + 1 || k - i >= 32)
			continue;
		add_id(s, t + i, k - i);
	}
}

static void scan_tree(struct ids *s, const char *dir, int *files)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char p[4096];
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		/* the catalogue itself is what is checked, not a source of ids */
		if (!strcmp(e->d_name, "findings") && strstr(dir, "/rules"))
			continue;
		struct stat st;
		if (lstat(p, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			scan_tree(s, p, files);
		} else if (S_ISREG(st.st_mode)) {
			size_t len;
			uint8_t *t = fv_test_read_file(NULL, p, &len);
			if (t) {
				scan_text(s, (const char *)t, len);
				(*files)++;
			}
			free(t);
		}
	}
	closedir(d);
}

static void test_covers_every_rule(void **state)
{
	(void)state;
	/* meson passes the source tree; without it, the one this test was built from */
	const char *src = getenv("FV_SRCDIR");
	char p[8192], err[512] = "", root[2048];
	if (!src) {
		snprintf(root, sizeof root, "%s/..", FV_SOURCE_RULES);
		src = root;
	}
	struct ids s = { 0 };
	int files = 0;
	snprintf(p, sizeof p, "%s/src", src);
	scan_tree(&s, p, &files);
	snprintf(p, sizeof p, "%s/rules", src);
	scan_tree(&s, p, &files);
	/* the scan itself must see the rules it is meant to see, or the test proves nothing */
	assert_true(files > 100);
	assert_true(s.n >= 40);
	int seen_bkdr = 0, seen_extr = 0;
	for (size_t i = 0; i < s.n; i++) {
		seen_bkdr |= !strcmp(s.v[i], "FV-BKDR-014");
		seen_extr |= !strcmp(s.v[i], "FV-EXTR-006");
	}
	assert_true(seen_bkdr && seen_extr);

	struct fv_catalog *c = NULL;
	snprintf(p, sizeof p, "%s/rules", src);
	assert_int_equal(fv_catalog_load(p, NULL, &c, err, sizeof err), 0);
	size_t missing = 0;
	for (size_t i = 0; i < s.n; i++) {
		const struct fv_rule_info *r = fv_catalog_find(c, s.v[i]);
		if (!r || !r->summary[0] || !r->help[0] || !r->name[0]) {
			print_error("no catalogue entry (or an empty one) for %s\n", s.v[i]);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
	fv_catalog_free(c);
	free(s.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_user_replaces),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_covers_every_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
