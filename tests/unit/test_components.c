/*
 * The components analyzer: every sample of tests/data/component_samples.txt
 * inside binary noise gives its (component, version) and nothing else; the
 * negatives that matter in firmware (a licence naming OpenSSL, a name inside
 * another word, a version string cut by a NUL); package databases, file
 * names, sonames and symbol versions of real libraries, BusyBox's applet
 * table, and rule files that must be refused with their file and line.
 */
#include "testlib.h"

#include "analyze/components.h"
#include "analyze/run.h"
#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern const struct fv_analyzer fv_analyzer_components;

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void dump(const struct fv_results *r)
{
	for (size_t i = 0; i < r->ncopies; i++) {
		const struct fv_component_copy *c = &r->copies[i];
		print_message("  copy %s %s [%s] at %s+%llu: %s\n", c->name, c->version, c->method,
			      c->path, (unsigned long long)c->offset, c->evidence);
	}
}

static size_t count_at(const struct fv_results *r, const char *suffix)
{
	size_t n = 0;
	for (size_t i = 0; i < r->ncopies; i++)
		n += ends_with(r->copies[i].path, suffix);
	return n;
}

/* The copy of name at suffix by method (NULL: any), or NULL. */
static const struct fv_component_copy *copy_of(const struct fv_results *r, const char *suffix,
					       const char *name, const char *method)
{
	for (size_t i = 0; i < r->ncopies; i++) {
		const struct fv_component_copy *c = &r->copies[i];
		if (ends_with(c->path, suffix) && !strcmp(c->name, name) &&
		    (!method || !strcmp(c->method, method)))
			return c;
	}
	return NULL;
}

static const struct fv_component_copy *must(const struct fv_results *r, const char *suffix,
					    const char *name, const char *method, const char *version)
{
	const struct fv_component_copy *c = copy_of(r, suffix, name, method);
	if (!c || (version && strcmp(c->version, version) != 0)) {
		dump(r);
		fail_msg("expected %s %s by %s at %s", name, version ? version : "(any)",
			 method ? method : "any method", suffix);
	}
	return c;
}

static void scan(const char *dir, struct fv_results *r)
{
	fv_test_analyze(dir, &fv_analyzer_components, r);
}

/* ---- the samples ---------------------------------------------------------------------- */

struct sample {
	char name[64], version[128];
	uint8_t text[1024];
	size_t len;
	size_t line;
};

/* C escapes \n \t \\ \x00 into bytes. */
static size_t unescape(const char *s, uint8_t *out, size_t cap)
{
	size_t k = 0;
	for (; *s && k < cap; s++) {
		if (*s != '\\' || !s[1]) {
			out[k++] = (uint8_t)*s;
			continue;
		}
		s++;
		if (*s == 'n')
			out[k++] = '\n';
		else if (*s == 't')
			out[k++] = '\t';
		else if (*s == '\\')
			out[k++] = '\\';
		else if (*s == 'x' && s[1] && s[2]) {
			char h[3] = { s[1], s[2], 0 };
			out[k++] = (uint8_t)strtoul(h, NULL, 16);
			s += 2;
		} else
			fail_msg("unknown escape \\%c", *s);
	}
	return k;
}

static struct sample *load_samples(size_t *n)
{
	const char *src = getenv("FV_SRCDIR");
	assert_non_null(src);
	char path[1024];
	snprintf(path, sizeof path, "%s/tests/data/component_samples.txt", src);
	size_t len;
	char *text = (char *)fv_test_load(NULL, path, &len);
	struct sample *v = NULL;
	size_t cnt = 0, line = 0;
	for (char *p = text, *next; p && *p; p = next) {
		line++;
		next = strchr(p, '\n');
		if (next)
			*next++ = 0;
		if (!*p || *p == '#')
			continue;
		char *t1 = strchr(p, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (!t2)
			fail_msg("%s:%zu: expected name<TAB>version<TAB>text", path, line);
		v = realloc(v, (cnt + 1) * sizeof *v);
		assert_non_null(v);
		struct sample *s = &v[cnt++];
		memset(s, 0, sizeof *s);
		snprintf(s->name, sizeof s->name, "%.*s", (int)(t1 - p), p);
		snprintf(s->version, sizeof s->version, "%.*s", (int)(t2 - t1 - 1), t1 + 1);
		s->len = unescape(t2 + 1, s->text, sizeof s->text);
		s->line = line;
	}
	free(text);
	*n = cnt;
	return v;
}

/* noise, NUL, text, NUL, noise: a C string among a binary's bytes. */
static void embed(const char *dir, const char *name, const void *text, size_t len, uint32_t seed)
{
	size_t pad = 2048, n = 2 * pad + len + 2;
	uint8_t *d = malloc(n);
	assert_non_null(d);
	fv_test_fill_random(d, n, seed);
	d[pad] = 0;
	memcpy(d + pad + 1, text, len);
	d[pad + 1 + len] = 0;
	fv_test_write_file(dir, name, d, n);
	free(d);
}

static void test_samples(void **state)
{
	(void)state;
	size_t n;
	struct sample *s = load_samples(&n);
	assert_true(n > 0);
	char dir[256];
	fv_test_tmpdir(dir, sizeof dir, "comp-samples");
	for (size_t i = 0; i < n; i++) {
		char name[64];
		snprintf(name, sizeof name, "s%zu.bin", i);
		embed(dir, name, s[i].text, s[i].len, (uint32_t)(i * 7919 + 1));
	}
	struct fv_results r;
	scan(dir, &r);
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		char suffix[64];
		snprintf(suffix, sizeof suffix, "/s%zu.bin", i);
		size_t k = count_at(&r, suffix);
		const struct fv_component_copy *c = copy_of(&r, suffix, s[i].name, "string");
		if (k != 1 || !c || strcmp(c->version, s[i].version) != 0 || c->offset < 2049 ||
		    c->offset >= 2049 + s[i].len) {
			print_message("sample line %zu (%s %s): %zu copies\n", s[i].line, s[i].name,
				      s[i].version, k);
			bad = 1;
		}
	}
	if (bad)
		dump(&r);
	assert_false(bad);
	fv_results_free(&r);
	fv_test_rmtree(dir);
	free(s);
}

/* ---- negatives ------------------------------------------------------------------------ */

static void test_negatives(void **state)
{
	(void)state;
	char dir[256];
	fv_test_tmpdir(dir, sizeof dir, "comp-neg");
	static const struct {
		const char *name, *text;
		size_t len;
	} neg[] = {
#define T(n, s) { n, s, sizeof s - 1 }
		T("licence.txt", "This product includes software developed by the OpenSSL Project\n"
				 "for use in the OpenSSL Toolkit. (http://www.openssl.org/)\n"),
		T("unboa.bin", "unboa/1.2"),
		T("xbusybox.bin", "XBusyBox v1.2.3 (2020-01-01 00:00:00 UTC)"),
		T("mylighttpd.bin", "mylighttpd/1.4.59"),
		T("split-openssl.bin", "OpenSSL 1.0.2k\0 26 Jan 2017"),
		T("split-dnsmasq.bin", "dnsmasq-\0" "2.80"),
		T("split-busybox.bin", "BusyBox v1.35.0 (2022\0-12-24)"),
		T("split-linux.bin", "Linux version 4.14.180 (builder\0@host)"),
		T("format.bin", "BusyBox v%s (%s) multi-call binary"),
		T("noversion.bin", "OpenSSL  26 Jan 2017"),
		T("nodate.bin", "OpenSSL 1.0.2k is required"),
		T("vermagic.bin", "vermagic=%s SMP "),
#undef T
	};
	for (size_t i = 0; i < sizeof neg / sizeof *neg; i++)
		embed(dir, neg[i].name, neg[i].text, neg[i].len, (uint32_t)i + 100);
	/* And the near misses the rules' authors collected, one per line. */
	char path[1024];
	snprintf(path, sizeof path, "%s/tests/data/component_negatives.txt", getenv("FV_SRCDIR"));
	size_t len, k = 0;
	char *text = (char *)fv_test_load(NULL, path, &len);
	for (char *p = text, *next; p && *p; p = next) {
		next = strchr(p, '\n');
		if (next)
			*next++ = 0;
		if (!*p || *p == '#')
			continue;
		char name[64], buf[1024];
		snprintf(name, sizeof name, "near%zu.bin", k);
		embed(dir, name, buf, unescape(p, (uint8_t *)buf, sizeof buf), (uint32_t)k++ + 500);
	}
	free(text);
	assert_true(k > 0);
	struct fv_results r;
	scan(dir, &r);
	if (r.ncopies)
		dump(&r);
	assert_int_equal(r.ncopies, 0);
	fv_results_free(&r);
	fv_test_rmtree(dir);
}

/* Two versions of one component in one C string (a text file): both, each at its own offset. */
static void test_two_versions(void **state)
{
	(void)state;
	char dir[256];
	fv_test_tmpdir(dir, sizeof dir, "comp-two");
	fv_test_put(dir, "www/changes.txt", "Server: lighttpd/1.4.59, upgraded to lighttpd/1.4.60\n");
	struct fv_results r;
	scan(dir, &r);
	assert_int_equal(must(&r, "/www/changes.txt", "lighttpd", "string", "1.4.59")->offset, 8);
	const struct fv_component_copy *c = NULL;
	for (size_t i = 0; i < r.ncopies; i++)
		if (!strcmp(r.copies[i].version, "1.4.60"))
			c = &r.copies[i];
	assert_non_null(c);
	assert_int_equal(c->offset, 37);
	assert_int_equal(r.ncopies, 2);
	fv_results_free(&r);
	fv_test_rmtree(dir);
}

/* The components state, as init() makes it with the shipped rules, and the context it needs. */
static void *open_state(struct fv_actx **a)
{
	static const struct fv_analyzer *only[2] = { &fv_analyzer_components, NULL };
	struct fv_aopts o = { .threads = 1, .only = only };
	char err[512];
	void *st = NULL;
	assert_int_equal(fv_analysis_open(&o, a, err, sizeof err), FV_OK);
	assert_int_equal(fv_analyzer_components.init(*a, &st), FV_OK);
	return st;
}

struct collected {
	struct fv_component_copy v[16];
	char version[16][64];
	size_t n;
};

/* Keeps what outlives the pass: the name (the rules') and a copy of the version. */
static void collect(void *ctx, const struct fv_component_copy *c)
{
	struct collected *k = ctx;
	if (k->n < 16) {
		snprintf(k->version[k->n], sizeof k->version[k->n], "%s", c->version);
		k->v[k->n] = (struct fv_component_copy){ .name = c->name, .version = k->version[k->n],
							  .offset = c->offset };
	}
	k->n++;
}

/*
 * 40 MiB in memory: a version string repeated 1000 times, one across the
 * boundary of the first two vectorscan windows (32 MiB), one at the end.
 * The time of the pass goes to the log; no timing is asserted.
 */
static void test_large(void **state)
{
	(void)state;
	struct fv_actx *a;
	void *st = open_state(&a);
	size_t n = (size_t)40 << 20, at = ((size_t)32 << 20) - 7;
	uint8_t *d = fv_test_mixed_data(n, 42, "/usr/lib/libssl.so lighttpd Boa OpenSSL BusyBox", 8192);
	static const char s1[] = "lighttpd/1.4.59", s2[] = "SSH-2.0-dropbear_2022.83",
			  s3[] = "OpenSSL 1.0.2u  20 Dec 2019";
	d[at - 1] = 0;
	memcpy(d + at, s2, sizeof s2);
	for (size_t k = 0; k < 1000; k++) {
		size_t o = 4096 + k * 64;
		d[o - 1] = 0;
		memcpy(d + o, s1, sizeof s1);
	}
	d[n - 100] = 0;
	memcpy(d + n - 99, s3, sizeof s3);
	struct collected got;
	memset(&got, 0, sizeof got);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fv_components_scan(st, d, n, collect, &got);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("40 MiB: string pass in %.3f s\n",
		      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	assert_int_equal(got.n, 3);
	assert_string_equal(got.v[0].name, "lighttpd");
	assert_string_equal(got.v[0].version, "1.4.59");
	assert_int_equal(got.v[0].offset, 4096);
	assert_string_equal(got.v[1].name, "dropbear");
	assert_string_equal(got.v[1].version, "2022.83");
	assert_int_equal(got.v[1].offset, at);
	assert_string_equal(got.v[2].name, "openssl");
	assert_string_equal(got.v[2].version, "1.0.2u");
	assert_int_equal(got.v[2].offset, n - 99);
	free(d);
	fv_analyzer_components.fini(st);
	fv_analysis_close(a);
}

/* ---- BusyBox applets ----------------------------------------------------------------- */

static void test_busybox_applets(void **state)
{
	(void)state;
	char dir[256];
	fv_test_tmpdir(dir, sizeof dir, "comp-bb");
	static const char banner[] = "BusyBox v1.36.1 (2023-11-07 16:45:35 UTC)";
	/* unsorted names, a shorter sorted list, then the applet table */
	static const char decoy1[] = "zeta\0alpha\0beta\0gamma\0delta\0epsilon\0eta\0theta\0";
	static const char decoy2[] = "aa\0bb\0cc\0dd\0";
	static const char table[] = "[\0[[\0ash\0cat\0fsck.minix\0ls\0mount\0run-parts\0sh\0";
	size_t n = 16384;
	uint8_t *d = malloc(n);
	assert_non_null(d);
	fv_test_fill_random(d, n, 7);
	size_t o = 1000;
	d[o - 1] = 0;
	memcpy(d + o, banner, sizeof banner);
	o = 3000;
	d[o - 1] = 0;
	memcpy(d + o, decoy1, sizeof decoy1);
	o = 5000;
	d[o - 1] = 0;
	memcpy(d + o, decoy2, sizeof decoy2);
	o = 9000;
	d[o - 1] = 0;
	memcpy(d + o, table, sizeof table);
	fv_test_write_file(dir, "bin/busybox", d, n);
	/* the banner alone (a text mentioning it): no applets */
	fv_test_write_file(dir, "etc/banner", banner, sizeof banner - 1);
	free(d);
	struct fv_results r;
	scan(dir, &r);
	const struct fv_component_copy *c = must(&r, "/bin/busybox", "busybox", "string", "1.36.1");
	assert_non_null(c->detail);
	assert_string_equal(c->detail, "[ [[ ash cat fsck.minix ls mount run-parts sh");
	assert_string_equal(c->evidence, banner);
	c = must(&r, "/etc/banner", "busybox", "string", "1.36.1");
	assert_null(c->detail);
	fv_results_free(&r);
	fv_test_rmtree(dir);
}

/* ---- package databases ---------------------------------------------------------------- */

static const char opkg_status[] =
	"Package: libopenssl1.1\n"
	"Version: 1.1.1w-1\n"
	"Depends: libc, libpthread\n"
	"Status: install user installed\n"
	"Architecture: mipsel_24kc\n"
	"Installed-Time: 1700000000\n"
	"\n"
	"Package: busybox\r\n"
	"Version: 1.36.1-1\r\n"
	"Status: install user installed\r\n"
	"\r\n"
	"Package: foo-bar\n"
	"Version: 2.0-3\n"
	"Description: a package\n"
	" with a continuation line\n"
	"Package: removed-pkg\n"
	"Version: 1.0-1\n"
	"Status: deinstall ok config-files\n"
	"\n"
	"Package: noversion\n"
	"Status: install ok installed\n"
	"Package: bad name!\n"
	"Version: 1\n"
	"Version: 9.9\n"
	"\n"
	"Version: 7.7\n"
	"\n"
	"Package: tail\n"
	"Version: 3.1-2";

static void test_opkg_dpkg(void **state)
{
	(void)state;
	char dir[256];
	fv_test_tmpdir(dir, sizeof dir, "comp-pkg");
	fv_test_put(dir, "usr/lib/opkg/status", opkg_status);
	fv_test_put(dir, "usr/lib/opkg/info/dropbear.control",
		    "Package: dropbear\nVersion: 2022.82-6\nDepends: libc\n");
	fv_test_put(dir, "var/lib/dpkg/status",
		    "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u4\n\n"
		    "Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\n\n"
		    "Package: oldpkg\nStatus: deinstall ok config-files\nVersion: 1.0-1\n");
	/* the same name elsewhere is no database */
	fv_test_put(dir, "tmp/status", "Package: elsewhere\nVersion: 1.0\n");
	/* a hostile status file: one huge line, then a real stanza */
	size_t big = 1 << 20;
	char *h = malloc(big + 64);
	assert_non_null(h);
	memset(h, 'A', big);
	memcpy(h, "Package: ", 9);
	strcpy(h + big, "\nPackage: after-huge\nVersion: 1.2-1\n");
	fv_test_put(dir, "var/lib/opkg/status", h);
	free(h);

	struct fv_results r;
	scan(dir, &r);
	const struct fv_component_copy *c = must(&r, "/usr/lib/opkg/status", "openssl", "opkg", "1.1.1w");
	assert_string_equal(c->cpe, "openssl:openssl");
	assert_string_equal(c->evidence, "Package: libopenssl1.1 Version: 1.1.1w-1");
	must(&r, "/usr/lib/opkg/status", "busybox", "opkg", "1.36.1");
	c = must(&r, "/usr/lib/opkg/status", "foo-bar", "opkg", "2.0");
	assert_null(c->cpe);
	assert_string_equal(c->purl, "pkg:generic/foo-bar");
	must(&r, "/usr/lib/opkg/status", "noversion", "opkg", "");
	must(&r, "/usr/lib/opkg/status", "tail", "opkg", "3.1");
	assert_null(copy_of(&r, "/usr/lib/opkg/status", "removed-pkg", NULL));
	assert_int_equal(count_at(&r, "/usr/lib/opkg/status"), 5);
	must(&r, "/usr/lib/opkg/info/dropbear.control", "dropbear", "opkg", "2022.82");
	c = must(&r, "/var/lib/dpkg/status", "glibc", "dpkg", "2.36");
	assert_string_equal(c->evidence, "Package: libc6 Version: 2.36-9+deb12u4");
	must(&r, "/var/lib/dpkg/status", "zlib", "dpkg", "1.2.13.dfsg");
	assert_int_equal(count_at(&r, "/var/lib/dpkg/status"), 2);
	assert_int_equal(count_at(&r, "/tmp/status"), 0);
	must(&r, "/var/lib/opkg/status", "after-huge", "opkg", "1.2");
	assert_int_equal(count_at(&r, "/var/lib/opkg/status"), 1);
	fv_results_free(&r);
	fv_test_rmtree(dir);
}

static void test_upstream(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{ "1:2.36-9+deb12u4", "2.36" }, { "1.1.1w-1", "1.1.1w" }, { "2022.82", "2022.82" },
		{ "5.10.176-1-70a8b4", "5.10.176-1" }, { "12:", "" }, { "-1", "-1" }, { "", "" },
		{ "2:1.0", "1.0" }, { "a:1.0-2", "a:1.0" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char out[64];
		fv_pkg_upstream(cases[i][0], strlen(cases[i][0]), out, sizeof out);
		assert_string_equal(out, cases[i][1]);
	}
	char small[4];
	fv_pkg_upstream("1.2.3.4.5-1", 11, small, sizeof small);
	assert_string_equal(small, "1.2");
}

static void count_pkg(void *ctx, const struct fv_pkg_entry *e)
{
	(void)e;
	(*(size_t *)ctx)++;
}

static void test_pkgdb_hostile(void **state)
{
	(void)state;
	size_t n = 0;
	/* no data, no newline, only a Package line, a field of 300 bytes */
	assert_int_equal(fv_pkgdb_parse((const uint8_t *)"", 0, count_pkg, &n), 0);
	assert_int_equal(fv_pkgdb_parse((const uint8_t *)"Package:", 8, count_pkg, &n), 0);
	assert_int_equal(fv_pkgdb_parse((const uint8_t *)"Package: x", 10, count_pkg, &n), 1);
	char longv[400] = "Package: p\nVersion: ";
	memset(longv + strlen(longv), '1', 300);
	longv[sizeof longv - 1] = 0;
	assert_int_equal(fv_pkgdb_parse((const uint8_t *)longv, strlen(longv), count_pkg, &n), 1);
	/* a binary blob with NULs and "Package:" in it */
	uint8_t blob[4096];
	fv_test_fill_random(blob, sizeof blob, 3);
	memcpy(blob + 100, "\nPackage: q\x01\n", 13);
	memcpy(blob + 200, "\nPackage: r\nVersion: 1\n\n", 24);
	size_t k = fv_pkgdb_parse(blob, sizeof blob, count_pkg, &n);
	assert_int_equal(k, 1);
}

/* ---- file names ----------------------------------------------------------------------- */

static void test_filenames(void **state)
{
	(void)state;
	char dir[256];
	fv_test_tmpdir(dir, sizeof dir, "comp-names");
	fv_test_put(dir, "lib/libuClibc-0.9.33.2.so", "a");
	fv_test_put(dir, "lib/ld-uClibc-1.0.44.so", "b");
	fv_test_put(dir, "usr/lib/libssl.so.1.0.0", "c");
	fv_test_put(dir, "lib/libz.so.1.2.13", "d");
	fv_test_put(dir, "lib/libc-2.31.so", "e");
	fv_test_put(dir, "lib/libc.so", "f");
	fv_test_put(dir, "lib/libuClibc-x.so", "g");
	fv_test_sh(dir, "ln -s libc.so lib/ld-musl-mipsel-sf.so.1");
	struct fv_results r;
	scan(dir, &r);
	must(&r, "/lib/libuClibc-0.9.33.2.so", "uclibc", "filename", "0.9.33.2");
	must(&r, "/lib/ld-uClibc-1.0.44.so", "uclibc-ng", "filename", "1.0.44");
	const struct fv_component_copy *c =
		must(&r, "/usr/lib/libssl.so.1.0.0", "openssl", "filename", "");
	assert_string_equal(c->evidence, "libssl.so.1.0.0");
	must(&r, "/lib/libz.so.1.2.13", "zlib", "filename", "1.2.13");
	must(&r, "/lib/libc-2.31.so", "glibc", "filename", "2.31");
	must(&r, "/lib/ld-musl-mipsel-sf.so.1", "musl", "filename", "");
	assert_int_equal(count_at(&r, "/lib/libc.so"), 0);
	assert_int_equal(count_at(&r, "/lib/libuClibc-x.so"), 0);
	assert_int_equal(r.ncopies, 6);
	fv_results_free(&r);
	fv_test_rmtree(dir);
}

/* ---- ELF: a real libz and libc of the build machine ---------------------------------------- */

static const char *const libdirs[] = { "/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
				       "/usr/lib/x86_64-linux-gnu", "/lib64", "/lib" };

static int find_lib(const char *name, char *out, size_t cap)
{
	for (size_t i = 0; i < sizeof libdirs / sizeof *libdirs; i++) {
		snprintf(out, cap, "%s/%s", libdirs[i], name);
		if (access(out, R_OK) == 0)
			return 1;
	}
	return 0;
}

static void test_elf(void **state)
{
	(void)state;
	char libz[512], libc[512];
	if (!find_lib("libz.so.1", libz, sizeof libz) || !find_lib("libc.so.6", libc, sizeof libc))
		skip();
	char dir[256];
	fv_test_tmpdir(dir, sizeof dir, "comp-elf");
	fv_test_sh(dir, "mkdir -p lib stripped && cp -L '%s' lib/libz.so.1 && cp -L '%s' lib/libc.so.6 && "
			"cp -L '%s' stripped/libc.so.6 && "
			"sed -i 's/GNU C Library/XXX C Library/g' stripped/libc.so.6 && "
			"cp -L '%s' stripped/libz.so.1 && sed -i 's/flate 1\\./flate X./g' stripped/libz.so.1 && "
			"readlink -f '%s' | sed 's/.*libz\\.so\\.//' > zver", libz, libc, libc, libz, libz);
	size_t vl;
	char *zver = (char *)fv_test_load(dir, "zver", &vl);
	zver[strcspn(zver, "\n")] = 0;
	struct fv_results r;
	scan(dir, &r);
	/* the soname alone when there is no version string; beside one it adds nothing */
	const struct fv_component_copy *c = must(&r, "/stripped/libz.so.1", "zlib", "soname", "");
	assert_string_equal(c->evidence, "libz.so.1");
	assert_int_equal(count_at(&r, "/stripped/libz.so.1"), 1);
	must(&r, "/lib/libz.so.1", "zlib", "string", zver);
	assert_null(copy_of(&r, "/lib/libz.so.1", "zlib", "soname"));
	const struct fv_component_copy *g = must(&r, "/lib/libc.so.6", "glibc", "string", NULL);
	assert_true(g->version[0] >= '2');
	assert_null(copy_of(&r, "/lib/libc.so.6", "glibc", "symver"));
	c = must(&r, "/stripped/libc.so.6", "glibc", "symver", NULL);
	assert_non_null(c->detail);
	assert_non_null(strstr(c->detail, "lower bound"));
	assert_true(strncmp(c->evidence, "GLIBC_2.", 8) == 0);
	assert_true(strverscmp(c->version, g->version) <= 0);
	assert_null(copy_of(&r, "/stripped/libc.so.6", "glibc", "string"));
	fv_results_free(&r);
	fv_test_rmtree(dir);
	free(zver);
}

/* ---- rules files ---------------------------------------------------------------------- */

static void refused_as(const char *file, const char *text, const char *want1, const char *want2)
{
	char dir[256], err[1024] = "", path[300];
	fv_test_tmpdir(dir, sizeof dir, "comp-rules");
	snprintf(path, sizeof path, "components/%s", file);
	fv_test_put(dir, path, text);
	const struct fv_analyzer *only[2] = { &fv_analyzer_components, NULL };
	struct fv_aopts o = { .user_rules = dir, .threads = 1, .only = only };
	struct fv_actx *a = NULL;
	int rc = fv_analysis_open(&o, &a, err, sizeof err);
	if (rc == FV_OK)
		fv_analysis_close(a);
	fv_test_rmtree(dir);
	if (rc == FV_OK || !strstr(err, want1) || (want2 && !strstr(err, want2)))
		fail_msg("rules %s: expected an error with \"%s\" and \"%s\", got \"%s\"", text, want1,
			 want2 ? want2 : "", err);
}

static void expect_refused(const char *text, const char *want1, const char *want2)
{
	refused_as("bad.txt", text, want1, want2);
}

static void test_bad_rules(void **state)
{
	(void)state;
	expect_refused("name bad\ntitle Bad\nstring \\bBad ([0-9]+\n", "bad.txt:3", "PCRE2");
	expect_refused("name bad\ntitle Bad\n# c\nstring \\bBad [0-9]+\n", "bad.txt:4", "exactly one");
	expect_refused("name bad\ntitle Bad\nstring \\bBad ([0-9]+) ([a-z]+)\n", "bad.txt:3",
		       "exactly one");
	expect_refused("name bad\ntitle Bad\nstring \\bBad (?=x)([0-9]+)\n", "bad.txt:3", "vectorscan");
	expect_refused("name bad\ntitle Bad\nstring (?:Bad )?([0-9]*)\n", "bad.txt:3", "nothing");
	expect_refused("name bad\ntitle Bad\nversion 1\n", "bad.txt:3", "expected a key");
	expect_refused("name other\ntitle Bad\n", "bad.txt:1", "expected name bad");
	expect_refused("name bad\n", "bad.txt", "title");
	expect_refused("title Bad\n", "bad.txt", "name");
	expect_refused("name bad\ntitle Bad\ntitle Again\n", "bad.txt:3", "twice");
	expect_refused("name bad\ntitle Bad\ncpe nocolon\n", "bad.txt:3", "cpe");
	expect_refused("name bad\ntitle Bad\nfile ^a(b)(c)$\n", "bad.txt:3", "at most one");
	expect_refused("name bad\ntitle Bad\npackage openssl\n", "bad.txt:3", "openssl");
	expect_refused("name bad\ntitle Bad\nsoname ^lib[\n", "bad.txt:3", "soname");
	refused_as("openssl.txt", "name openssl\ntitle Mine\n", "openssl.txt", "already defined");
	refused_as("Bad.txt", "name Bad\ntitle Bad\n", "Bad.txt", "a-z");
}

/* A user's rule: `.` matches a NUL in vectorscan, and a hit across one must not count. */
static void test_nul_window(void **state)
{
	(void)state;
	char rules[256], dir[256];
	fv_test_tmpdir(rules, sizeof rules, "comp-urules");
	fv_test_put(rules, "components/widget.txt",
		    "name widget\ntitle Widget\ncpe -\nstring \\bWidget ([0-9]+\\.[0-9]+).{1,8}END\n");
	fv_test_tmpdir(dir, sizeof dir, "comp-nul");
	embed(dir, "split.bin", "Widget 1.2\0xxEND", 16, 1);
	embed(dir, "whole.bin", "Widget 1.3 xxEND", 16, 2);
	struct fv_results r;
	fv_test_analyze_rules(dir, &fv_analyzer_components, rules, &r);
	assert_int_equal(count_at(&r, "/split.bin"), 0);
	const struct fv_component_copy *c = must(&r, "/whole.bin", "widget", "string", "1.3");
	assert_null(c->cpe);
	assert_string_equal(c->purl, "pkg:generic/widget");
	assert_string_equal(c->evidence, "Widget 1.3 xxEND");
	fv_results_free(&r);
	fv_test_rmtree(dir);
	fv_test_rmtree(rules);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_negatives),
		cmocka_unit_test(test_two_versions),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_busybox_applets),
		cmocka_unit_test(test_opkg_dpkg),
		cmocka_unit_test(test_upstream),
		cmocka_unit_test(test_pkgdb_hostile),
		cmocka_unit_test(test_filenames),
		cmocka_unit_test(test_elf),
		cmocka_unit_test(test_bad_rules),
		cmocka_unit_test(test_nul_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
