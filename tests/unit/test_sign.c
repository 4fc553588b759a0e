/*
 * Signed evidence (report/sign.c): the RFC 8785 canonical form against the
 * RFC's own examples, key generation, and a signed report that stops
 * verifying when any byte of it changes.
 */
#include "testlib.h"

#include "core/err.h"
#include "core/hash.h"
#include "report/sign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *canon(const char *in)
{
	char *out = NULL, err[256];
	size_t n;
	int rc = fv_json_canonical(in, strlen(in), &out, &n, err, sizeof err);
	if (rc)
		fail_msg("canonical form of %s: %s", in, err);
	assert_int_equal(strlen(out), n);
	return out;
}

static void expect_canon(const char *in, const char *want)
{
	char *got = canon(in);
	if (strcmp(got, want))
		fail_msg("canonical form of %s:\n got %s\nwant %s", in, got, want);
	free(got);
}

/* RFC 8785 Appendix B: IEEE 754 doubles and how ECMAScript prints them. */
static void test_numbers(void **state)
{
	(void)state;
	static const struct {
		uint64_t bits;
		const char *want;
	} v[] = {
		{ 0x0000000000000000, "0" },
		{ 0x8000000000000000, "0" },
		{ 0x0000000000000001, "5e-324" },
		{ 0x8000000000000001, "-5e-324" },
		{ 0x7fefffffffffffff, "1.7976931348623157e+308" },
		{ 0xffefffffffffffff, "-1.7976931348623157e+308" },
		{ 0x4340000000000000, "9007199254740992" },
		{ 0xc340000000000000, "-9007199254740992" },
		{ 0x4430000000000000, "295147905179352830000" },
		{ 0x44b52d02c7e14af5, "9.999999999999997e+22" },
		{ 0x44b52d02c7e14af6, "1e+23" },
		{ 0x44b52d02c7e14af7, "1.0000000000000001e+23" },
		{ 0x444b1ae4d6e2ef4e, "999999999999999700000" },
		{ 0x444b1ae4d6e2ef4f, "999999999999999900000" },
		{ 0x444b1ae4d6e2ef50, "1e+21" },
		{ 0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7" },
		{ 0x3eb0c6f7a0b5ed8d, "0.000001" },
		{ 0x41b3de4355555553, "333333333.3333332" },
		{ 0x41b3de4355555554, "333333333.33333325" },
		{ 0x41b3de4355555555, "333333333.3333333" },
		{ 0x41b3de4355555556, "333333333.3333334" },
		{ 0x41b3de4355555557, "333333333.33333343" },
		{ 0xbecbf647612f3696, "-0.0000033333333333333333" },
		{ 0x43143ff3c1cb0959, "1424953923781206.2" },
	};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		double d;
		memcpy(&d, &v[i].bits, sizeof d);
		char in[64], want[64];
		/* As a real (%.17e reads back exactly) inside an array, so jansson keeps it a double. */
		snprintf(in, sizeof in, "[%.17e]", d);
		snprintf(want, sizeof want, "[%s]", v[i].want);
		expect_canon(in, want);
	}
	/* Other spellings of the same numbers; integers are doubles too. */
	expect_canon("[1E23, 100.0, 0.0000010, -0.0, 1.5e-7, 0.1, 1e21, 1e-7, 10, -3]",
		     "[1e+23,100,0.000001,0,1.5e-7,0.1,1e+21,1e-7,10,-3]");
	expect_canon("[9007199254740993]", "[9007199254740992]");
}

/* RFC 8785 3.2.3: members sorted by UTF-16 code units (the emoji's surrogates sort before U+FB33). */
static void test_order_and_strings(void **state)
{
	(void)state;
	expect_canon("{\"\\u20ac\": \"Euro Sign\", \"\\r\": \"Carriage Return\", \"\\ufb33\": \"Hebrew Letter Dalet\","
		     " \"1\": \"One\", \"\\ud83d\\ude00\": \"Emoji\", \"\\u0080\": \"Control\", \"\\u00f6\": \"o\"}",
		     "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\",\"\xc3\xb6\":\"o\","
		     "\"\xe2\x82\xac\":\"Euro Sign\",\"\xf0\x9f\x98\x80\":\"Emoji\",\"\xef\xac\xb3\":\"Hebrew Letter Dalet\"}");
	/* RFC 8785 3.2.2.2: only ", \ and controls are escaped; \u escapes of printable characters are resolved. */
	expect_canon("[\"\\u0041\\u00e9\\/\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\"]",
		     "[\"A\xc3\xa9/\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\"]");
	expect_canon(" { \"b\" : [ true , false , null , { } , [ ] ] , \"a\" : { \"d\" : 1 , \"c\" : 2 } } ",
		     "{\"a\":{\"c\":2,\"d\":1},\"b\":[true,false,null,{},[]]}");
	/* Nested objects sort too; a NUL inside a string is kept escaped. */
	expect_canon("{\"z\":{\"y\":\"a\\u0000b\",\"x\":[]}}", "{\"z\":{\"x\":[],\"y\":\"a\\u0000b\"}}");

	/* Two readers could see two reports behind one signature: duplicate names are refused. */
	char *out = NULL, err[256];
	size_t n;
	static const char *const bad[] = { "{\"a\":1,\"a\":2}", "{\"a\":1", "[1,]", "\"\xff\"", "", "{} {}" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_int_not_equal(fv_json_canonical(bad[i], strlen(bad[i]), &out, &n, err, sizeof err), 0);
		assert_null(out);
		assert_non_null(strstr(err, "expected JSON"));
	}
}

static char g_dir[256];

static int setup(void **state)
{
	(void)state;
	fv_test_tmpdir(g_dir, sizeof g_dir, "sign");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return fv_test_rmtree(g_dir);
}

static void keypair(const char *name, struct fv_sign_key **priv, struct fv_sign_key **pub)
{
	char key[512], pubp[512], id[FV_SHA256_HEX], err[256];
	snprintf(key, sizeof key, "%s/%s.key", g_dir, name);
	snprintf(pubp, sizeof pubp, "%s/%s.pub", g_dir, name);
	if (fv_sign_keygen(key, pubp, id, err, sizeof err))
		fail_msg("keygen: %s", err);
	struct stat st;
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* Never over an existing key. */
	assert_int_not_equal(fv_sign_keygen(key, pubp, id, err, sizeof err), 0);
	assert_non_null(strstr(err, "never overwrites"));
	if (fv_sign_key_load(key, 1, priv, err, sizeof err) || fv_sign_key_load(pubp, 0, pub, err, sizeof err))
		fail_msg("loading %s: %s", name, err);
	/* A public key cannot sign. */
	struct fv_sign_key *k = NULL;
	assert_int_not_equal(fv_sign_key_load(pubp, 1, &k, err, sizeof err), 0);
	assert_null(k);
}

static const char report[] =
	"{\n  \"fwvet\": \"0.1.0\",\n  \"schema\": 1,\n"
	"  \"image\": {\"path\": \"fw.bin\", \"sha256\": "
	"\"d7e978ed6447cd866dc9960b043cf62fb927fdfd7cbc9dace621ee12a5cc62ba\", \"size\": 4096},\n"
	"  \"tool\": {\"rules_sha256\": \"7e509efaa7938966261c41310ba411dfc38a5e50613d77e89faafe99ff960b72\","
	" \"vulndb_date\": null, \"vulndb_sha256\": null},\n"
	"  \"findings\": [{\"rule\": \"FV-ACCT-001\", \"severity\": \"high\", \"cvss\": 9.8, \"offset\": 27}]\n}\n";
#define IMAGE_SHA_TAIL "e978ed6447cd866dc9960b043cf62fb927fdfd7cbc9dace621ee12a5cc62ba"
#define IMAGE_SHA "d7" IMAGE_SHA_TAIL

static int verify(const struct fv_sign_key *pub, const char *rep, size_t n, const char *sig, const char *image,
		  int canonical, char *err, size_t errlen)
{
	char info[1024];
	return fv_verify_report(pub, rep, n, sig, strlen(sig), image, canonical, info, sizeof info, err, errlen);
}

static void test_round_trip_and_tampering(void **state)
{
	(void)state;
	struct fv_sign_key *priv, *pub, *priv2, *pub2;
	keypair("a", &priv, &pub);
	keypair("b", &priv2, &pub2);
	char *sig = NULL, err[1024];
	size_t n = strlen(report);
	if (fv_sign_report(priv, report, n, &sig, err, sizeof err))
		fail_msg("sign: %s", err);
	assert_int_equal(verify(pub, report, n, sig, IMAGE_SHA, 0, err, sizeof err), 0);
	/* The private key's public half verifies too. */
	assert_int_equal(verify(priv, report, n, sig, NULL, 0, err, sizeof err), 0);

	/* Another key; another image. */
	assert_int_not_equal(verify(pub2, report, n, sig, NULL, 0, err, sizeof err), 0);
	assert_non_null(strstr(err, "signed by another key"));
	assert_int_not_equal(verify(pub, report, n, sig, "00" IMAGE_SHA_TAIL, 0, err, sizeof err), 0);
	assert_non_null(strstr(err, "not the report of this image"));

	/* Every byte of the report, changed: nothing verifies. */
	char *copy = malloc(n + 1);
	assert_non_null(copy);
	for (size_t i = 0; i < n; i++) {
		memcpy(copy, report, n + 1);
		copy[i] = (char)(copy[i] ^ 0x01);
		if (!verify(pub, copy, n, sig, NULL, 0, err, sizeof err))
			fail_msg("a report with byte %zu changed verified", i);
	}
	/* A byte removed, a byte added. */
	assert_int_not_equal(verify(pub, report, n - 1, sig, NULL, 0, err, sizeof err), 0);
	char *longer = malloc(n + 2);
	memcpy(longer, report, n);
	memcpy(longer + n, " ", 2);
	assert_int_not_equal(verify(pub, longer, n + 1, sig, NULL, 0, err, sizeof err), 0);
	assert_non_null(strstr(err, "re-formatted"));
	/* --canonical: the same content re-formatted verifies, changed content still does not. */
	assert_int_equal(verify(pub, longer, n + 1, sig, NULL, 1, err, sizeof err), 0);
	char *flat = NULL;
	size_t flat_n;
	assert_int_equal(fv_json_canonical(report, n, &flat, &flat_n, err, sizeof err), 0);
	assert_int_equal(verify(pub, flat, flat_n, sig, IMAGE_SHA, 1, err, sizeof err), 0);
	char *high = strstr(flat, "\"high\"");
	assert_non_null(high);
	memcpy(high, "\"hig!\"", 6);
	assert_int_not_equal(verify(pub, flat, flat_n, sig, NULL, 1, err, sizeof err), 0);
	assert_non_null(strstr(err, "changed after it was signed"));

	/* Every byte of the signature document, changed: it fails, or only its layout changed. */
	size_t sn = strlen(sig);
	char *scopy = malloc(sn + 1), *c1 = NULL, *c2 = NULL;
	size_t l1, l2;
	assert_int_equal(fv_json_canonical(sig, sn, &c1, &l1, err, sizeof err), 0);
	for (size_t i = 0; i < sn; i++) {
		memcpy(scopy, sig, sn + 1);
		scopy[i] = (char)(scopy[i] ^ 0x01);
		if (verify(pub, report, n, scopy, NULL, 0, err, sizeof err))
			continue;
		if (fv_json_canonical(scopy, sn, &c2, &l2, err, sizeof err) || l1 != l2 || memcmp(c1, c2, l1))
			fail_msg("a signature with byte %zu changed verified", i);
		free(c2);
		c2 = NULL;
	}
	/* A report of several images, or of a folder, is not signed. */
	char *sig2 = NULL;
	assert_int_not_equal(fv_sign_report(priv, "[{\"fwvet\":\"0.1.0\"}]", 19, &sig2, err, sizeof err), 0);
	assert_non_null(strstr(err, "an array"));
	static const char folder[] = "{\"fwvet\":\"0.1.0\",\"image\":{\"path\":\"root/\",\"sha256\":null}}";
	assert_int_not_equal(fv_sign_report(priv, folder, strlen(folder), &sig2, err, sizeof err), 0);
	assert_non_null(strstr(err, "image.sha256"));
	assert_null(sig2);

	free(c1);
	free(scopy);
	free(flat);
	free(longer);
	free(copy);
	free(sig);
	fv_sign_key_free(priv);
	fv_sign_key_free(pub);
	fv_sign_key_free(priv2);
	fv_sign_key_free(pub2);
}

/* Keys that are not Ed25519, or not keys. */
static void test_bad_keys(void **state)
{
	(void)state;
	struct fv_sign_key *k = NULL;
	char err[256], path[512];
	fv_test_sh(g_dir, "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key 2>/dev/null");
	snprintf(path, sizeof path, "%s/ec.key", g_dir);
	assert_int_not_equal(fv_sign_key_load(path, 1, &k, err, sizeof err), 0);
	assert_non_null(strstr(err, "expected an Ed25519 key"));
	fv_test_put(g_dir, "junk.pub", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
	snprintf(path, sizeof path, "%s/junk.pub", g_dir);
	assert_int_not_equal(fv_sign_key_load(path, 0, &k, err, sizeof err), 0);
	assert_non_null(strstr(err, "expected a PEM public key"));
	snprintf(path, sizeof path, "%s/missing.pub", g_dir);
	assert_int_not_equal(fv_sign_key_load(path, 0, &k, err, sizeof err), 0);
	assert_null(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_order_and_strings),
		cmocka_unit_test(test_round_trip_and_tampering),
		cmocka_unit_test(test_bad_keys),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
