/*
 * The credentials analyzer and the cracker: hashes in scripts and binaries,
 * cleartext passwords in UCI, shell, ini, JSON, XML and nvram tables, default
 * logins in string tables; the placeholders, comments and code that must not
 * be reported; and the cracker's budget, cache and hostile settings.
 */
#include "testlib.h"

#include "analyze/creds.h"
#include "analyze/run.h"
#include "core/err.h"

#include <crypt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct fv_analyzer fv_analyzer_credentials;

/* ---- helpers ---------------------------------------------------------------------- */

static const char *hash(const char *pw, const char *setting, char *out, size_t cap)
{
	struct crypt_data cd;
	memset(&cd, 0, sizeof cd);
	const char *h = crypt_rn(pw, setting, &cd, sizeof cd);
	assert_non_null(h);
	assert_true(h[0] != '*');
	snprintf(out, cap, "%s", h);
	return out;
}

static size_t count_at(const struct fv_results *r, const char *rule, const char *path_suffix)
{
	size_t n = 0;
	for (size_t i = 0; i < r->findings.n; i++) {
		const struct fv_finding *f = &r->findings.v[i];
		size_t pl = strlen(f->path), sl = strlen(path_suffix);
		n += (!rule || strcmp(f->rule, rule) == 0) && pl >= sl &&
		     strcmp(f->path + pl - sl, path_suffix) == 0;
	}
	return n;
}

static size_t offset_of(const char *text, size_t n, const char *needle)
{
	const char *p = memmem(text, n, needle, strlen(needle));
	assert_non_null(p);
	return (size_t)(p - text);
}

/* An ELF header (32-bit little-endian) followed by body: enough for the inventory to call it ELF. */
static size_t elf(char *out, size_t cap, const char *body, size_t n)
{
	assert_true(64 + n <= cap);
	memset(out, 0, 64);
	memcpy(out, "\177ELF\001\001\001", 7);
	out[16] = 2;  /* ET_EXEC */
	out[18] = 8;  /* EM_MIPS */
	memcpy(out + 64, body, n);
	return 64 + n;
}

/* ---- hashes in scripts -------------------------------------------------------------- */

static void test_script_hashes(void **state)
{
	(void)state;
	char dir[256], h_root[128], h_des[32], h_strong[160], rcs[2048];
	fv_test_tmpdir(dir, sizeof dir, "cred-script");
	hash("xc3511", "$1$rcSsalt$", h_root, sizeof h_root);
	hash("admin", "Zq", h_des, sizeof h_des);
	hash("Not-A-Listed-One-9", "$6$strongsalt$", h_strong, sizeof h_strong);
	int n = snprintf(rcs, sizeof rcs,
			 "#!/bin/sh\n"
			 "# writes the accounts at boot\n"
			 "echo \"root:%s:0:0:root:/root:/bin/sh\" > /var/passwd\n"
			 "echo 'admin:%s:1000:1000::/:/bin/sh' >> /var/passwd\n"
			 "usermod -p '%s' ops\n"
			 "PASS=$1$2 ; echo $1$abc$short\n",
			 h_root, h_des, h_strong);
	fv_test_put(dir, "etc/init.d/rcS", rcs);
	/* an account store is accounts.c's: nothing here */
	char shadow[256];
	snprintf(shadow, sizeof shadow, "root:%s:1::::::\n", h_root);
	fv_test_put(dir, "etc/shadow", shadow);

	struct fv_results r;
	fv_test_analyze(dir, &fv_analyzer_credentials, &r);
	const struct fv_finding *f =
		fv_test_must(&r, "FV-CRED-001", "!/etc/init.d/rcS", "account root, uid 0, password \"xc3511\" (mirai)");
	assert_int_equal(f->severity, FV_SEV_CRITICAL);
	assert_int_equal(f->offset, offset_of(rcs, (size_t)n, h_root));
	assert_null(strstr(f->evidence, h_root));
	f = fv_test_must(&r, "FV-CRED-001", "!/etc/init.d/rcS", "account admin, uid 1000, password \"admin\"");
	assert_int_equal(f->severity, FV_SEV_HIGH);
	assert_int_equal(f->offset, offset_of(rcs, (size_t)n, h_des));
	assert_int_equal(fv_test_count(&r, "FV-CRED-001"), 2);
	assert_int_equal(count_at(&r, NULL, "!/etc/shadow"), 0);
	assert_int_equal(r.findings.n, 2);
	fv_results_free(&r);
	fv_test_rmtree(dir);
}

/* ---- cleartext in configuration ----------------------------------------------------------- */

static void test_config_cleartext(void **state)
{
	(void)state;
	char dir[256];
	fv_test_tmpdir(dir, sizeof dir, "cred-config");
	const char *uci = "config service 'myddns'\n"
			  "\toption username 'me'\n"
			  "\toption password 'changeme'\n"
			  "\toption password ''\n"
			  "\toption password '$PASS'\n"
			  "\toption key 'not-a-password-key'\n"
			  "\n"
			  "config login\n"
			  "\toption username 'admin'\n"
			  "\toption password 'admin'\n";
	fv_test_put(dir, "etc/config/ddns", uci);
	const char *cfg = "# password=admin\n"
			  "; pass=commented\n"
			  "ADMIN_PASS=Xk29mqLzP\n"
			  "wifi_password=${WIFI_KEY}\n"
			  "passwd=<password>\n"
			  "root_pwd=xxxx\n"
			  "pass=****\n"
			  "http_passwd=%s\n"
			  "bypass=Zq81lllx\n"
			  "export DB_PASSWORD=\"hunter2x9\"\n"
			  "mail_password = sup3rs3cret\n"
			  "ask_password=yes\n"
			  "pppoe_passwd=your_password_here\n";
	fv_test_put(dir, "etc/default.cfg", cfg);

	struct fv_results r;
	fv_test_analyze(dir, &fv_analyzer_credentials, &r);
	const struct fv_finding *f =
		fv_test_must(&r, "FV-CRED-002", "!/etc/config/ddns", "option password 'changeme'");
	assert_int_equal(f->severity, FV_SEV_HIGH);
	assert_int_equal(f->confidence, FV_CONF_HIGH);
	assert_int_equal(f->offset, offset_of(uci, strlen(uci), "changeme"));
	assert_non_null(strstr(f->title, "listed default"));
	/* empty, placeholder and the rpcd login section (accounts.c's) are not reported */
	assert_int_equal(count_at(&r, "FV-CRED-002", "!/etc/config/ddns"), 1);

	f = fv_test_must(&r, "FV-CRED-002", "!/etc/default.cfg", "ADMIN_PASS=Xk2*** (9 chars)");
	assert_int_equal(f->offset, offset_of(cfg, strlen(cfg), "Xk29"));
	assert_null(strstr(f->evidence, "Xk29mq"));
	fv_test_must(&r, "FV-CRED-002", "!/etc/default.cfg", "export DB_PASSWORD=\"hun*** (9 chars)\"");
	fv_test_must(&r, "FV-CRED-002", "!/etc/default.cfg", "mail_password = sup*** (11 chars)");
	assert_int_equal(count_at(&r, "FV-CRED-002", "!/etc/default.cfg"), 3);
	assert_int_equal(r.findings.n, 4);
	fv_results_free(&r);
	fv_test_rmtree(dir);
}

static void test_markup_and_code(void **state)
{
	(void)state;
	char dir[256];
	fv_test_tmpdir(dir, sizeof dir, "cred-markup");
	fv_test_put(dir, "www/config.json",
	    "{\"user\": \"admin\", \"password\": \"admin\", \"old_password\": \"\"}\n");
	fv_test_put(dir, "etc/tr069.xml",
	    "<Config>\n  <Password>1234</Password>\n  <AdminPassword></AdminPassword>\n"
	    "  <WifiPassword>%s</WifiPassword>\n"
	    "  <!-- a sample:\n  <Password>repopwd</Password>\n  --> <UserPassword>Zte521</UserPassword>\n"
	    "  <!-- <Password>one-line</Password> -->\n</Config>\n");
	fv_test_put(dir, "www/js/app.js", "/* defaults:\n var password = \"commented1\";\n */\n"
				  "var password = \"realone7\"; /* var pass = \"x2\"; */\n");
	fv_test_put(dir, "www/luci/login.lua",
	    "password = luci.http.formvalue(\"password\")\n"
	    "if password == \"x\" then end\n"
	    "local password = \"Zte521\"\n"
	    "pass = pass\n");
	fv_test_put(dir, "usr/share/doc/foo/example.conf", "password=secretdoc1\n");
	/* usage text and code that builds JSON */
	fv_test_put(dir, "www/js/login.js",
	    "xhr.send('{\"username\":\"' + user + '\",\"password\":\"' + pw + '\"}');\n"
	    "var password = document.getElementById('pwd').value;\n");
	fv_test_put(dir, "usr/share/help.txt", "  --password=PASSWORD   the password\n"
				       "mqtt_pass=MQTT_PASS\n");

	struct fv_results r;
	fv_test_analyze(dir, &fv_analyzer_credentials, &r);
	const struct fv_finding *f = fv_test_must(&r, "FV-CRED-002", "!/www/config.json", "\"password\": \"admin\"");
	assert_int_equal(f->confidence, FV_CONF_MEDIUM);
	assert_int_equal(count_at(&r, "FV-CRED-002", "!/www/config.json"), 1);
	fv_test_must(&r, "FV-CRED-002", "!/etc/tr069.xml", "<Password>1234</Password>");
	fv_test_must(&r, "FV-CRED-002", "!/etc/tr069.xml", "<UserPassword>Zte521</UserPassword>");
	assert_int_equal(count_at(&r, "FV-CRED-002", "!/etc/tr069.xml"), 2);
	fv_test_must(&r, "FV-CRED-002", "!/www/js/app.js", "var password = \"re*** (8 chars)\"");
	assert_int_equal(count_at(&r, "FV-CRED-002", "!/www/js/app.js"), 1);
	f = fv_test_must(&r, "FV-CRED-002", "!/www/luci/login.lua", "local password = \"Zte521\"");
	assert_int_equal(f->confidence, FV_CONF_MEDIUM);
	assert_int_equal(count_at(&r, "FV-CRED-002", "!/www/luci/login.lua"), 1);
	f = fv_test_must(&r, "FV-CRED-002", "!/usr/share/doc/foo/example.conf", "password=sec");
	assert_int_equal(f->confidence, FV_CONF_LOW);
	assert_int_equal(r.findings.n, 6);
	fv_results_free(&r);
	fv_test_rmtree(dir);
}

static void test_nvram_blob(void **state)
{
	(void)state;
	char dir[256];
	fv_test_tmpdir(dir, sizeof dir, "cred-nvram");
	static const char blob[] = "FLSH\x40\x01\x00\x00"
				   "lan_ipaddr=192.168.1.1\0http_username=admin\0http_passwd=admin\0"
				   "wl0_wpa_psk=\0pppoe_passwd=Qr7-unlisted\0wl0_ssid=home\0\0\0";
	fv_test_write_file(dir, "etc/nvram.default", blob, sizeof blob - 1);
	struct fv_results r;
	fv_test_analyze(dir, &fv_analyzer_credentials, &r);
	const struct fv_finding *f = fv_test_must(&r, "FV-CRED-002", "!/etc/nvram.default", "http_passwd=admin");
	assert_int_equal(f->offset, offset_of(blob, sizeof blob - 1, "http_passwd=") + 12);
	fv_test_must(&r, "FV-CRED-002", "!/etc/nvram.default", "pppoe_passwd=Qr7-***");
	assert_int_equal(r.findings.n, 2);
	fv_results_free(&r);
	fv_test_rmtree(dir);
}

/* ---- binaries ------------------------------------------------------------------------------- */

static void test_binaries(void **state)
{
	(void)state;
	char dir[256], h[128], body[4096], file[4200];
	fv_test_tmpdir(dir, sizeof dir, "cred-elf");
	hash("vizxv", "$1$elfsalt$", h, sizeof h);

	/* A telnetd with a built-in login, a passwd line and an nvram defaults table. */
	size_t n = 0;
	n += (size_t)snprintf(body + n, sizeof body - n, "%c%s%c%s%c", 0, "login: ", 0, "Password: ", 0);
	static const char pair[] = "root\0Zte521\0";
	size_t root_at = 64 + n;
	memcpy(body + n, pair, sizeof pair - 1);
	n += sizeof pair - 1;
	n += (size_t)snprintf(body + n, sizeof body - n, "root:%s:0:0::/:/bin/sh", h) + 1;
	static const char table[] = "http_username\0admin\0http_passwd\0admin\0lan_ipaddr\0"
				    "192.168.0.1\0pppoe_passwd=1111\0pass=%s\0";
	memcpy(body + n, table, sizeof table - 1);
	n += sizeof table - 1;
	size_t fn = elf(file, sizeof file, body, n);
	fv_test_write_file(dir, "usr/sbin/telnetd", file, fn);

	/* Noise: prompt words side by side, a pair too far apart, a pair without login code. */
	n = 0;
	static const char words[] = "\0Login\0admin\0password\0Password:\0root\0";
	memcpy(body, words, sizeof words - 1);
	n = sizeof words - 1;
	memset(body + n, 'A', 200);
	body[n + 199] = 0;
	n += 200;
	memcpy(body + n, "xc3511\0", 7);
	n += 7;
	fn = elf(file, sizeof file, body, n);
	fv_test_write_file(dir, "usr/bin/noise", file, fn);
	static const char nolog[] = "\0root\0Zte521\0printf\0";
	fn = elf(file, sizeof file, nolog, sizeof nolog - 1);
	fv_test_write_file(dir, "usr/lib/libnolog.so", file, fn);
	/* A listed user beside another user's distinctive password, as gcc lays out
	 * strcmp(user, "admin") && strcmp(pass, "Zte521"); and beside words that are not. */
	static const char mgmt[] = "\0Login: \0Password: \0admin\0Zte521\0/bin/sh\0sh\0";
	size_t admin_at = 64 + offset_of(mgmt, sizeof mgmt - 1, "admin");
	fn = elf(file, sizeof file, mgmt, sizeof mgmt - 1);
	fv_test_write_file(dir, "usr/sbin/mgmt_login", file, fn);
	static const char form[] = "\0Login\0admin\0password1\0password2\0guest\0dragon\0";
	fn = elf(file, sizeof file, form, sizeof form - 1);
	fv_test_write_file(dir, "usr/sbin/form", file, fn);

	/* A program named passwd is a program, not an account store. */
	static const char pwprog[] = "\0Old password: \0root\0Zte521\0";
	fn = elf(file, sizeof file, pwprog, sizeof pwprog - 1);
	fv_test_write_file(dir, "usr/bin/passwd", file, fn);

	struct fv_results r;
	fv_test_analyze(dir, &fv_analyzer_credentials, &r);
	const struct fv_finding *f = fv_test_must(&r, "FV-CRED-003", "!/usr/sbin/telnetd", "\"root\" at 0x");
	assert_int_equal(f->severity, FV_SEV_HIGH);
	assert_int_equal(f->confidence, FV_CONF_MEDIUM);
	assert_non_null(strstr(f->evidence, "\"Zte521\""));
	assert_int_equal(f->offset, root_at);
	fv_test_must(&r, "FV-CRED-001", "!/usr/sbin/telnetd", "account root, uid 0, password \"vizxv\"");
	fv_test_must(&r, "FV-CRED-002", "!/usr/sbin/telnetd", "\"http_passwd\" then \"admin\"");
	fv_test_must(&r, "FV-CRED-002", "!/usr/sbin/telnetd", "pppoe_passwd=1111");
	assert_int_equal(count_at(&r, NULL, "!/usr/sbin/telnetd"), 4);
	assert_int_equal(count_at(&r, NULL, "!/usr/bin/noise"), 0);
	assert_int_equal(count_at(&r, NULL, "!/usr/lib/libnolog.so"), 0);
	fv_test_must(&r, "FV-CRED-003", "!/usr/bin/passwd", "\"Zte521\"");
	f = fv_test_must(&r, "FV-CRED-003", "!/usr/sbin/mgmt_login", "\"admin\" at 0x");
	assert_non_null(strstr(f->evidence, "\"Zte521\""));
	assert_non_null(strstr(f->evidence, "listed for root"));
	assert_int_equal(f->offset, admin_at);
	assert_int_equal(count_at(&r, NULL, "!/usr/sbin/form"), 0);
	assert_int_equal(r.findings.n, 6);
	fv_results_free(&r);
	fv_test_rmtree(dir);
}

/* ---- the cracker ------------------------------------------------------------------------------ */

static struct fv_creds *open_list(const char *user_rules)
{
	struct fv_creds *c;
	char err[512] = "";
	int rc = fv_creds_open(fv_rules_dir_default(), user_rules, &c, err, sizeof err);
	if (rc != FV_OK)
		fail_msg("fv_creds_open: %s", err);
	return c;
}

static void test_list_loaded(void **state)
{
	(void)state;
	struct fv_creds *c = open_list(NULL);
	size_t pw, n = fv_creds_count(c, &pw);
	/* Mirai's 62, about a hundred and fifty weak ones, two hundred vendors' defaults */
	assert_true(n >= 62 + 140 + 200);
	assert_true(pw >= 230);
	assert_string_equal(fv_creds_known(c, "xc3511", 6), "mirai");
	assert_string_equal(fv_creds_known(c, "7ujMko0admin", 12), "mirai");
	assert_string_equal(fv_creds_known(c, "trustno1", 8), "weak");
	assert_non_null(fv_creds_known(c, "", 0)); /* root with no password */
	assert_null(fv_creds_known(c, "xc351", 5));
	/* opened twice, one list */
	struct fv_creds *d = open_list(NULL);
	assert_ptr_equal(c, d);
	fv_creds_close(d);
	fv_creds_close(c);
}

static void test_hash_shapes(void **state)
{
	(void)state;
	char md5[64], b[160];
	hash("x", "$1$abcdefgh$", md5, sizeof md5);
	enum fv_hash k;
	assert_int_equal(fv_hash_kind(md5, strlen(md5), FV_HCTX_TEXT), FV_HASH_MD5CRYPT);
	assert_int_equal(fv_hash_match(md5, strlen(md5), &k), strlen(md5));
	/* cut short, or running on: not a hash in free text */
	assert_int_equal(fv_hash_kind(md5, strlen(md5) - 1, FV_HCTX_TEXT), FV_HASH_NONE);
	snprintf(b, sizeof b, "%sA", md5);
	assert_int_equal(fv_hash_match(b, strlen(b), &k), 0);
	snprintf(b, sizeof b, "%s:0:0", md5);
	assert_int_equal(fv_hash_match(b, strlen(b), &k), strlen(md5));
	assert_int_equal(fv_hash_match("$1$2", 4, &k), 0);
	assert_int_equal(fv_hash_match("$1$abc$short", 12, &k), 0);
	/* stores name the scheme by its prefix */
	assert_int_equal(fv_hash_kind("$6$x$y", 6, FV_HCTX_CRYPT), FV_HASH_SHA512CRYPT);
	assert_int_equal(fv_hash_kind("$6$x$y", 6, FV_HCTX_MOSQUITTO), FV_HASH_MOSQ_SHA512);
	assert_int_equal(fv_hash_kind("$y$j9T$a$b", 10, FV_HCTX_CRYPT), FV_HASH_YESCRYPT);
	assert_int_equal(fv_hash_kind("$gy$j9T$a$b", 11, FV_HCTX_CRYPT), FV_HASH_GOST_YESCRYPT);
	assert_int_equal(fv_hash_kind("abcdefghijklm", 13, FV_HCTX_CRYPT), FV_HASH_DES);
	assert_int_equal(fv_hash_kind("abcdefghijkl", 12, FV_HCTX_CRYPT), FV_HASH_NONE);
	assert_int_equal(fv_hash_kind("{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", 33, FV_HCTX_HTPASSWD),
			 FV_HASH_SHA1B64);
	assert_int_equal(fv_hash_kind("{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", 33, FV_HCTX_CRYPT),
			 FV_HASH_NONE);
	assert_string_equal(fv_hash_name(FV_HASH_GOST_YESCRYPT), "gost-yescrypt");

	/* keys and placeholders */
	assert_true(fv_creds_password_key("http_passwd", 11));
	assert_true(fv_creds_password_key("ADMIN_PASS", 10));
	assert_true(fv_creds_password_key("wpa_passphrase", 14));
	assert_false(fv_creds_password_key("bypass", 6));
	assert_false(fv_creds_password_key("compass", 7));
	assert_false(fv_creds_password_key("password_file", 13));
	assert_true(fv_creds_placeholder("${PW}", 5));
	assert_true(fv_creds_placeholder("$(cat /x)", 9));
	assert_true(fv_creds_placeholder("<password>", 10));
	assert_true(fv_creds_placeholder("xxxx", 4));
	assert_true(fv_creds_placeholder("****", 4));
	assert_true(fv_creds_placeholder("%s", 2));
	assert_true(fv_creds_placeholder("", 0));
	assert_false(fv_creds_placeholder("changeme", 8));
	assert_false(fv_creds_placeholder("admin", 5));
}

static void test_crack_costs(void **state)
{
	(void)state;
	struct fv_creds *c = open_list(NULL);
	struct fv_crack cr;
	char setting[CRYPT_GENSALT_OUTPUT_SIZE], h[256];
	static const char rb[16] = "0123456789abcdef";

	/* md5crypt is cheap: the whole list, so a weak-list password of any user is found */
	hash("trustno1", "$1$cheap$", h, sizeof h);
	assert_int_equal(fv_creds_crack(c, FV_HASH_MD5CRYPT, "someone", NULL, h, &cr), 1);
	assert_string_equal(cr.password, "trustno1");
	assert_string_equal(cr.source, "weak");
	assert_true(cr.tried > 62);
	/* the answer is cached, for any user, since every candidate was tried */
	assert_int_equal(fv_creds_crack(c, FV_HASH_MD5CRYPT, "other", NULL, h, &cr), 1);
	assert_int_equal(cr.tried, 0);

	/* yescrypt is costly: the user's own pairs first, and only a few */
	assert_non_null(crypt_gensalt_rn("$y$", 0, rb, sizeof rb, setting, sizeof setting));
	hash("vizxv", setting, h, sizeof h);
	assert_int_equal(fv_creds_crack(c, FV_HASH_YESCRYPT, "root", NULL, h, &cr), 1);
	assert_string_equal(cr.password, "vizxv");
	assert_int_equal(cr.tried, 2);
	hash("qwerty", setting, h, sizeof h);
	assert_int_equal(fv_creds_crack(c, FV_HASH_YESCRYPT, "root", NULL, h, &cr), 0);
	assert_true(cr.tried >= 2 && cr.tried <= 8);
	assert_int_equal(cr.skipped, 0);

	/* sha512crypt at 5000 rounds gets a shortlist that reaches past Mirai */
	hash("admin123", "$6$short$", h, sizeof h);
	assert_int_equal(fv_creds_crack(c, FV_HASH_SHA512CRYPT, "root", NULL, h, &cr), 1);
	assert_true(cr.tried < 300);

	/* hostile settings are not tried at all */
	snprintf(h, sizeof h, "$6$rounds=999999999$salt$%086d", 0);
	assert_int_equal(fv_creds_crack(c, FV_HASH_SHA512CRYPT, "root", NULL, h, &cr), 0);
	assert_int_equal(cr.skipped, 1);
	assert_int_equal(cr.tried, 0);
	snprintf(h, sizeof h, "$2b$31$%053d", 0);
	assert_int_equal(fv_creds_crack(c, FV_HASH_BCRYPT, "root", NULL, h, &cr), 0);
	assert_int_equal(cr.skipped, 1);
	assert_non_null(crypt_gensalt_rn("$7$", 0, rb, sizeof rb, setting, sizeof setting));
	snprintf(h, sizeof h, "%s$%043d", setting, 0);
	assert_int_equal(fv_creds_crack(c, FV_HASH_SCRYPT, "root", NULL, h, &cr), 0);
	assert_int_equal(cr.skipped, 1);
	assert_int_equal(fv_creds_crack(c, FV_HASH_ARGON2, "root", NULL, "$argon2id$v=19$x", &cr), 0);
	assert_int_equal(cr.skipped, 1);
	fv_creds_image_done(c);
	fv_creds_close(c);
}

struct racer {
	struct fv_creds *c;
	const char *hash;
	struct fv_crack cr;
	int rc;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	r->rc = fv_creds_crack(r->c, FV_HASH_SHA256CRYPT, "admin", NULL, r->hash, &r->cr);
	return NULL;
}

/* Threads asking for one hash at once: one computes, the others wait for its answer. */
static void test_crack_shared(void **state)
{
	(void)state;
	struct fv_creds *c = open_list(NULL);
	char h[160];
	hash("smcadmin", "$5$racesalt$", h, sizeof h);
	struct racer rs[4];
	pthread_t t[4];
	for (int i = 0; i < 4; i++) {
		rs[i] = (struct racer){ c, h, { 0 }, -1 };
		assert_int_equal(pthread_create(&t[i], NULL, race, &rs[i]), 0);
	}
	unsigned computed = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(rs[i].rc, 1);
		assert_string_equal(rs[i].cr.password, "smcadmin");
		assert_string_equal(rs[i].cr.source, "mirai");
		computed += rs[i].cr.tried > 0;
	}
	assert_int_equal(computed, 1);
	fv_creds_close(c);
}

static void test_user_lists(void **state)
{
	(void)state;
	char dir[256], h[128], err[512] = "";
	fv_test_tmpdir(dir, sizeof dir, "cred-user");
	fv_test_put(dir, "credentials/lab.txt", "# our lab's defaults\nsvc\tLab-Default-77\tmy lab\n");
	fv_test_put(dir, "credentials/notes.md", "not a list\n");
	struct fv_creds *c = open_list(dir);
	hash("Lab-Default-77", "$6$labsalt$", h, sizeof h);
	struct fv_crack cr;
	assert_int_equal(fv_creds_crack(c, FV_HASH_SHA512CRYPT, "svc", NULL, h, &cr), 1);
	assert_string_equal(cr.source, "my lab");
	assert_int_equal(cr.tried, 1); /* the user's lists come first */
	fv_creds_close(c);

	/* A malformed line names its file and line. */
	fv_test_put(dir, "credentials/lab.txt", "svc\tLab-Default-77\tmy lab\nonly-one-field\n");
	assert_int_equal(fv_creds_open(fv_rules_dir_default(), dir, &c, err, sizeof err), FV_EFORMAT);
	assert_non_null(strstr(err, "lab.txt:2: expected user<TAB>password<TAB>source"));
	fv_test_put(dir, "credentials/lab.txt", "svc\tbad\\q\tx\n");
	assert_int_equal(fv_creds_open(fv_rules_dir_default(), dir, &c, err, sizeof err), FV_EFORMAT);
	assert_non_null(strstr(err, "lab.txt:1:"));
	fv_test_write_file(dir, "credentials/lab.txt", "svc\tx\0y\tz\n", 10);
	assert_int_equal(fv_creds_open(fv_rules_dir_default(), dir, &c, err, sizeof err), FV_EFORMAT);
	assert_non_null(strstr(err, "NUL"));
	fv_test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_script_hashes),
		cmocka_unit_test(test_config_cleartext),
		cmocka_unit_test(test_markup_and_code),
		cmocka_unit_test(test_nvram_blob),
		cmocka_unit_test(test_binaries),
		cmocka_unit_test(test_list_loaded),
		cmocka_unit_test(test_hash_shapes),
		cmocka_unit_test(test_crack_costs),
		cmocka_unit_test(test_crack_shared),
		cmocka_unit_test(test_user_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
