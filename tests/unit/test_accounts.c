/*
 * The accounts analyzer over small root filesystems made here: passwd joined
 * with shadow, extra root accounts, empty and locked passwords, service
 * accounts with shells, hashes left in passwd, stale copies, and the stores
 * of embedded services (htpasswd, htdigest, lighttpd, mosquitto, busybox
 * httpd.conf, rpcd).  Hashes are made at test time with libcrypt and openssl,
 * never copied from elsewhere.  The hostile side: junk named /etc/passwd,
 * NUL bytes, lines without ends, a 50 MB shadow file.
 */
#include "testlib.h"

#include "analyze/run.h"

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct fv_analyzer fv_analyzer_accounts;

/* ---- helpers ---------------------------------------------------------------------- */

/* crypt(3) of pw with a fixed setting, so that every run makes the same files. */
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

/* The output of a shell command (one line, no newline) into out. */
static void sh_out(const char *cmd, char *out, size_t cap)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	if (!fgets(out, (int)cap, p))
		out[0] = 0;
	pclose(p);
	out[strcspn(out, "\n")] = 0;
	assert_true(out[0] != 0);
}

static const struct fv_account *account(const struct fv_results *r, const char *name,
					const char *path_suffix)
{
	for (size_t i = 0; i < r->naccounts; i++) {
		const struct fv_account *a = &r->accounts[i];
		size_t pl = strlen(a->path), sl = strlen(path_suffix);
		if (strcmp(a->name, name) == 0 && pl >= sl && strcmp(a->path + pl - sl, path_suffix) == 0)
			return a;
	}
	return NULL;
}

/* The finding of rule at path_suffix whose evidence contains needle. */
static size_t offset_of(const char *text, const char *needle)
{
	const char *p = strstr(text, needle);
	assert_non_null(p);
	return (size_t)(p - text);
}

/* ---- passwd and shadow ------------------------------------------------------------------ */

static void test_passwd_shadow_join(void **state)
{
	(void)state;
	char dir[256], h_root[128], h_admin[160], h_toor[160], shadow[2048];
	fv_test_tmpdir(dir, sizeof dir, "acct-join");
	const char *passwd = "root:x:0:0:root:/root:/bin/ash\n"
			     "daemon:x:1:1:daemon:/usr/sbin:/bin/sh\n"
			     "toor:x:0:0:backdoor:/root:/bin/sh\n"
			     "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
			     "ftp:x:55:55:ftp:/home/ftp:/sbin/nologin\n"
			     "admin:x:1000:1000:admin:/home/admin:/bin/sh\n";
	fv_test_put(dir, "etc/passwd", passwd);
	hash("xc3511", "$1$fvtest01$", h_root, sizeof h_root);
	hash("admin", "$6$fvtestsalt$", h_admin, sizeof h_admin);
	hash("toor", "$6$fvtoor$", h_toor, sizeof h_toor);
	snprintf(shadow, sizeof shadow,
		 "root:%s:19000:0:99999:7:::\n"
		 "daemon:*:19000:0:99999:7:::\n"
		 "toor:!%s:19000:0:99999:7:::\n"
		 "nobody:!!:19000::::::\n"
		 "ftp:!:19000:0:99999:7:::\n"
		 "admin:%s:19000:0:99999:7:::\n",
		 h_root, h_toor, h_admin);
	fv_test_put(dir, "etc/shadow", shadow);

	struct fv_results r;
	fv_test_analyze(dir, &fv_analyzer_accounts, &r);

	/* toor: a second root, reported on its passwd line. */
	const struct fv_finding *f = fv_test_must(&r, "FV-ACCT-001", "!/etc/passwd", "toor:x:0:0");
	assert_int_equal(f->offset, offset_of(passwd, "toor:"));
	assert_int_equal(f->severity, FV_SEV_HIGH);
	assert_int_equal(fv_test_count(&r, "FV-ACCT-001"), 1);

	/* root's md5crypt is Mirai's first pair: cracked, with uid 0 from passwd. */
	f = fv_test_must(&r, "FV-CRED-001", "!/etc/shadow", "password \"xc3511\"");
	assert_int_equal(f->severity, FV_SEV_CRITICAL);
	assert_int_equal(f->offset, offset_of(shadow, h_root));
	assert_non_null(strstr(f->evidence, "account root, uid 0"));
	assert_non_null(strstr(f->evidence, "(mirai)"));
	assert_null(strstr(f->evidence, h_root)); /* the hash itself is masked */
	assert_non_null(strstr(f->evidence, "root:$1$f*** (34 chars):19000"));

	f = fv_test_must(&r, "FV-CRED-001", "!/etc/shadow", "password \"admin\"");
	assert_int_equal(f->severity, FV_SEV_HIGH);
	assert_non_null(strstr(f->evidence, "account admin, uid 1000"));
	/* toor's hash is locked (!): not tried, not reported */
	assert_int_equal(fv_test_count(&r, "FV-CRED-001"), 2);

	/* daemon has /bin/sh but a locked password: low. ftp and nobody have no shell. */
	f = fv_test_must(&r, "FV-ACCT-003", "!/etc/passwd", "daemon:x:1:1");
	assert_int_equal(f->severity, FV_SEV_LOW);
	assert_int_equal(fv_test_count(&r, "FV-ACCT-003"), 1);

	/* *, !, !! and !hash are locked, not empty. */
	assert_int_equal(fv_test_count(&r, "FV-ACCT-002"), 0);
	assert_int_equal(fv_test_count(&r, "FV-ACCT-004"), 0);

	assert_int_equal(r.naccounts, 6);
	const struct fv_account *a = account(&r, "root", "!/etc/passwd");
	assert_non_null(a);
	assert_string_equal(a->hash_type, "md5crypt");
	assert_string_equal(a->password, "xc3511");
	assert_int_equal(a->uid, 0);
	assert_string_equal(a->shell, "/bin/ash");
	a = account(&r, "admin", "!/etc/passwd");
	assert_string_equal(a->hash_type, "sha512crypt");
	assert_string_equal(a->password, "admin");
	assert_int_equal(a->uid, 1000);
	assert_string_equal(account(&r, "toor", "!/etc/passwd")->hash_type, "locked");
	assert_null(account(&r, "toor", "!/etc/passwd")->password);
	assert_string_equal(account(&r, "daemon", "!/etc/passwd")->hash_type, "locked");

	fv_results_free(&r);
	fv_test_rmtree(dir);
}

static void test_empty_and_locked(void **state)
{
	(void)state;
	char dir[256];
	fv_test_tmpdir(dir, sizeof dir, "acct-empty");
	/* No shadow: the passwd fields are what login reads. */
	const char *passwd = "#guest::0:0:commented out:/:/bin/sh\n"
			     "root:*:0:0:root:/root:/bin/sh\n"
			     "guest::1001:1001:guest:/home/guest:/bin/sh\n"
			     "ftp::55:55:ftp:/home/ftp:/bin/false\n"
			     "lp:!:7:7:lp:/var/spool/lpd:/bin/sh\n"
			     "sys:x:3:3:sys:/dev:\n"; /* empty shell: /bin/sh; x without a shadow */
	fv_test_put(dir, "etc/passwd", passwd);
	struct fv_results r;
	fv_test_analyze(dir, &fv_analyzer_accounts, &r);

	const struct fv_finding *f = fv_test_must(&r, "FV-ACCT-002", "!/etc/passwd", "guest::1001");
	assert_int_equal(f->severity, FV_SEV_CRITICAL);
	assert_int_equal(f->offset, offset_of(passwd, "guest::1001"));
	f = fv_test_must(&r, "FV-ACCT-002", "!/etc/passwd", "ftp::55");
	assert_int_equal(f->severity, FV_SEV_MEDIUM);
	assert_int_equal(fv_test_count(&r, "FV-ACCT-002"), 2); /* not the commented line */
	assert_int_equal(fv_test_count(&r, "FV-ACCT-001"), 0);

	/* lp and sys: service accounts with a shell, but no usable password */
	f = fv_test_must(&r, "FV-ACCT-003", "!/etc/passwd", "lp:!:7:7");
	assert_int_equal(f->severity, FV_SEV_LOW);
	fv_test_must(&r, "FV-ACCT-003", "!/etc/passwd", "sys:x:3:3");
	assert_int_equal(fv_test_count(&r, "FV-ACCT-003"), 2);

	assert_string_equal(account(&r, "guest", "!/etc/passwd")->hash_type, "empty");
	assert_string_equal(account(&r, "guest", "!/etc/passwd")->password, "");
	assert_string_equal(account(&r, "root", "!/etc/passwd")->hash_type, "locked");
	assert_string_equal(account(&r, "sys", "!/etc/passwd")->hash_type, "missing");
	assert_int_equal(r.naccounts, 5);
	fv_results_free(&r);
	fv_test_rmtree(dir);
}

/* busybox login reads shadow for a passwd field of "*" too; without a shadow entry it is locked. */
static void test_busybox_star(void **state)
{
	(void)state;
	char dir[256], h[128], shadow[256];
	fv_test_tmpdir(dir, sizeof dir, "acct-star");
	hash("admin", "$1$starsalt$", h, sizeof h);
	fv_test_put(dir, "etc/passwd", "root:*:0:0:root:/root:/bin/sh\nbin:*:2:2::/bin:/bin/false\n");
	snprintf(shadow, sizeof shadow, "root:%s:0:0:99999:7:::\nstray::0:0:99999:7:::\n", h);
	fv_test_put(dir, "etc/shadow", shadow);
	struct fv_results r;
	fv_test_analyze(dir, &fv_analyzer_accounts, &r);
	fv_test_must(&r, "FV-CRED-001", "!/etc/shadow", "account root, uid 0, password \"admin\"");
	assert_string_equal(account(&r, "root", "!/etc/passwd")->hash_type, "md5crypt");
	assert_string_equal(account(&r, "bin", "!/etc/passwd")->hash_type, "locked");
	/* a shadow entry without an account: an empty password, shell unknown */
	const struct fv_finding *f = fv_test_must(&r, "FV-ACCT-002", "!/etc/shadow", "stray::0");
	assert_int_equal(f->severity, FV_SEV_HIGH);
	assert_int_equal(f->confidence, FV_CONF_MEDIUM);
	assert_int_equal(account(&r, "stray", "!/etc/shadow")->uid, -1);
	assert_int_equal(r.naccounts, 3);
	fv_results_free(&r);
	fv_test_rmtree(dir);
}

static void test_hash_in_passwd(void **state)
{
	(void)state;
	char dir[256], des[64], md5[128], passwd[1024];
	fv_test_tmpdir(dir, sizeof dir, "acct-inpasswd");
	hash("vizxv", "aB", des, sizeof des);
	assert_int_equal(strlen(des), 13);
	hash("S0me-Str0ng-Unlisted", "$1$strong01$", md5, sizeof md5);
	/* No line end at the end of the file. */
	snprintf(passwd, sizeof passwd,
		 "root:%s:0:0:root:/root:/bin/sh\n"
		 "operator:%s:11:0:operator:/root:/bin/sh",
		 des, md5);
	fv_test_put(dir, "etc/passwd", passwd);
	struct fv_results r;
	fv_test_analyze(dir, &fv_analyzer_accounts, &r);

	const struct fv_finding *f = fv_test_must(&r, "FV-ACCT-004", "!/etc/passwd", "root:");
	assert_int_equal(f->severity, FV_SEV_MEDIUM);
	assert_int_equal(f->offset, offset_of(passwd, des));
	assert_null(strstr(f->evidence, des));
	fv_test_must(&r, "FV-ACCT-004", "!/etc/passwd", "operator:");
	assert_int_equal(fv_test_count(&r, "FV-ACCT-004"), 2);

	f = fv_test_must(&r, "FV-CRED-001", "!/etc/passwd", "password \"vizxv\" (mirai)");
	assert_int_equal(f->severity, FV_SEV_CRITICAL);
	assert_int_equal(fv_test_count(&r, "FV-CRED-001"), 1); /* the strong one stays unknown */
	/* operator (uid 11) has a shell and a usable hash */
	f = fv_test_must(&r, "FV-ACCT-003", "!/etc/passwd", "operator:");
	assert_int_equal(f->severity, FV_SEV_MEDIUM);

	assert_string_equal(account(&r, "root", "!/etc/passwd")->hash_type, "des");
	assert_string_equal(account(&r, "root", "!/etc/passwd")->password, "vizxv");
	assert_string_equal(account(&r, "operator", "!/etc/passwd")->hash_type, "md5crypt");
	assert_null(account(&r, "operator", "!/etc/passwd")->password);
	fv_results_free(&r);
	fv_test_rmtree(dir);
}

static void test_bcrypt_and_sha256(void **state)
{
	(void)state;
	char dir[256], setting[CRYPT_GENSALT_OUTPUT_SIZE], bc[128], s256[128], shadow[1024];
	fv_test_tmpdir(dir, sizeof dir, "acct-bcrypt");
	static const char rbytes[16] = "fwvet-test-salt!";
	assert_non_null(crypt_gensalt_rn("$2b$", 4, rbytes, sizeof rbytes, setting, sizeof setting));
	hash("ubnt", setting, bc, sizeof bc);
	assert_true(strncmp(bc, "$2b$04$", 7) == 0);
	hash("hi3518", "$5$rounds=5000$fvsha256$", s256, sizeof s256);
	snprintf(shadow, sizeof shadow, "ubnt:%s:19000:0:99999:7:::\nroot:%s:19000::::::\n", bc, s256);
	fv_test_put(dir, "etc/passwd", "ubnt:x:1000:1000::/home/ubnt:/bin/sh\nroot:x:0:0::/root:/bin/sh\n");
	fv_test_put(dir, "etc/shadow", shadow);
	struct fv_results r;
	fv_test_analyze(dir, &fv_analyzer_accounts, &r);
	const struct fv_finding *f = fv_test_must(&r, "FV-CRED-001", "!/etc/shadow", "password \"ubnt\"");
	assert_int_equal(f->severity, FV_SEV_HIGH);
	assert_non_null(strstr(f->title, "bcrypt"));
	f = fv_test_must(&r, "FV-CRED-001", "!/etc/shadow", "password \"hi3518\"");
	assert_int_equal(f->severity, FV_SEV_CRITICAL);
	assert_string_equal(account(&r, "ubnt", "!/etc/passwd")->hash_type, "bcrypt");
	assert_string_equal(account(&r, "root", "!/etc/passwd")->hash_type, "sha256crypt");
	fv_results_free(&r);
	fv_test_rmtree(dir);
}

/* openssl's hashes, made by another implementation than the one fwvet tries with. */
static void test_openssl_hashes(void **state)
{
	(void)state;
	if (!fv_test_have("openssl"))
		skip();
	char dir[256], m1[128], m6[160], shadow[1024];
	fv_test_tmpdir(dir, sizeof dir, "acct-openssl");
	sh_out("openssl passwd -1 -salt OpSsL123 admin", m1, sizeof m1);
	sh_out("openssl passwd -6 -salt OpSsLsalt xc3511", m6, sizeof m6);
	snprintf(shadow, sizeof shadow, "admin:%s:1:0:99999:7:::\nroot:%s:1:0:99999:7:::\n", m1, m6);
	/* A shadow file alone: its accounts have no uid, but root is still root. */
	fv_test_put(dir, "etc/shadow", shadow);
	struct fv_results r;
	fv_test_analyze(dir, &fv_analyzer_accounts, &r);
	fv_test_must(&r, "FV-CRED-001", "!/etc/shadow", "account admin, password \"admin\"");
	/* a root without a uid is still root */
	const struct fv_finding *f = fv_test_must(&r, "FV-CRED-001", "!/etc/shadow", "account root, password \"xc3511\"");
	assert_int_equal(f->severity, FV_SEV_CRITICAL);
	assert_int_equal(r.naccounts, 2);
	assert_int_equal(account(&r, "root", "!/etc/shadow")->uid, -1);
	fv_results_free(&r);
	fv_test_rmtree(dir);
}

static void test_stale_copy(void **state)
{
	(void)state;
	char dir[256], h_old[128], h_new[128], h_bd[128], live[512], stale[512];
	fv_test_tmpdir(dir, sizeof dir, "acct-stale");
	hash("admin", "$1$oldsalt$", h_old, sizeof h_old);
	hash("N0t-In-The-List-42", "$1$newsalt$", h_new, sizeof h_new);
	hash("S3cond-Unlisted", "$1$bdsalt$", h_bd, sizeof h_bd);
	snprintf(live, sizeof live, "root:%s:19000:0:99999:7:::\ndaemon:*:19000::::::\n", h_new);
	snprintf(stale, sizeof stale,
		 "root:%s:18000:0:99999:7:::\ndaemon:*:18000::::::\nsupport:%s:18000::::::\n",
		 h_old, h_bd);
	fv_test_put(dir, "etc/passwd", "root:x:0:0::/root:/bin/sh\ndaemon:x:1:1::/:/bin/false\n");
	fv_test_put(dir, "etc/shadow", live);
	fv_test_put(dir, "etc/shadow-", stale);
	fv_test_put(dir, "etc/passwd-", "root:x:0:0::/root:/bin/sh\ndaemon:x:1:1::/:/bin/false\n"
				"support:x:0:0::/:/bin/sh\n");
	struct fv_results r;
	fv_test_analyze(dir, &fv_analyzer_accounts, &r);

	const struct fv_finding *f = fv_test_must(&r, "FV-ACCT-005", "!/etc/shadow-", "root:$1$o***");
	assert_int_equal(f->severity, FV_SEV_MEDIUM);
	assert_non_null(strstr(f->title, "older password hash of root"));
	fv_test_must(&r, "FV-ACCT-005", "!/etc/shadow-", "support:");
	fv_test_must(&r, "FV-ACCT-005", "!/etc/passwd-", "support:x:0:0");
	assert_int_equal(fv_test_count(&r, "FV-ACCT-005"), 3);
	/* the old root hash is Mirai's root/admin; the live one is not listed */
	f = fv_test_must(&r, "FV-CRED-001", "!/etc/shadow-", "account root, uid 0, password \"admin\"");
	assert_int_equal(f->severity, FV_SEV_CRITICAL);
	assert_int_equal(fv_test_count(&r, "FV-CRED-001"), 1);
	/* stale copies give findings, not accounts */
	assert_int_equal(r.naccounts, 2);
	fv_results_free(&r);
	fv_test_rmtree(dir);
}

/* ---- service stores ---------------------------------------------------------------------- */

static void test_htpasswd_family(void **state)
{
	(void)state;
	if (!fv_test_have("openssl") || !fv_test_have("md5sum"))
		skip();
	char dir[256], apr[128], sha[64], dig[64], ht[1024], hd[512];
	fv_test_tmpdir(dir, sizeof dir, "acct-htpasswd");
	sh_out("openssl passwd -apr1 -salt fwvetAPR admin", apr, sizeof apr);
	sh_out("printf %s password | openssl dgst -sha1 -binary | base64", sha, sizeof sha);
	sh_out("printf %s 'admin:Private Area:1234' | md5sum | cut -d' ' -f1", dig, sizeof dig);
	snprintf(ht, sizeof ht, "admin:%s\nuser:{SHA}%s\nweb:$2y$\n", apr, sha);
	fv_test_put(dir, "www/cgi-bin/.htpasswd", ht);
	snprintf(hd, sizeof hd, "admin:Private Area:%s\n", dig);
	fv_test_put(dir, "etc/lighttpd/lighttpd-htdigest.user", hd);
	const char *plain = "admin:Xq7-unlisted-pass\nroot:1234\n";
	fv_test_put(dir, "etc/lighttpd/lighttpd.user", plain);

	struct fv_results r;
	fv_test_analyze(dir, &fv_analyzer_accounts, &r);
	const struct fv_finding *f = fv_test_must(&r, "FV-CRED-001", "!/www/cgi-bin/.htpasswd",
					  "user admin, password \"admin\"");
	assert_int_equal(f->severity, FV_SEV_HIGH);
	assert_non_null(strstr(f->title, "apr1"));
	fv_test_must(&r, "FV-CRED-001", "!/www/cgi-bin/.htpasswd", "user user, password \"password\"");
	fv_test_must(&r, "FV-CRED-001", "!/etc/lighttpd/lighttpd-htdigest.user", "password \"1234\"");

	/* cleartext: shown when it is a listed default, masked otherwise */
	f = fv_test_must(&r, "FV-CRED-002", "!/etc/lighttpd/lighttpd.user", "admin:Xq7");
	assert_null(strstr(f->evidence, "unlisted"));
	assert_int_equal(f->offset, offset_of(plain, "Xq7"));
	f = fv_test_must(&r, "FV-CRED-002", "!/etc/lighttpd/lighttpd.user", "root:1234");
	assert_non_null(strstr(f->title, "listed default"));

	assert_string_equal(account(&r, "admin", "!/www/cgi-bin/.htpasswd")->hash_type, "apr1");
	assert_string_equal(account(&r, "user", "!/www/cgi-bin/.htpasswd")->hash_type, "sha1");
	assert_string_equal(account(&r, "web", "!/www/cgi-bin/.htpasswd")->hash_type, "bcrypt");
	assert_string_equal(
		account(&r, "admin", "!/etc/lighttpd/lighttpd-htdigest.user")->hash_type, "htdigest");
	assert_string_equal(account(&r, "admin", "!/etc/lighttpd/lighttpd.user")->hash_type, "plain");
	assert_string_equal(account(&r, "root", "!/etc/lighttpd/lighttpd.user")->password, "1234");
	fv_results_free(&r);
	fv_test_rmtree(dir);
}

static void test_mosquitto(void **state)
{
	(void)state;
	if (!fv_test_have("openssl") || !fv_test_have("base64") || !fv_test_have("od"))
		skip();
	char dir[256], salt[64], h6[160], h7[160], file[1024];
	fv_test_tmpdir(dir, sizeof dir, "acct-mosq");
	/* 12 salt bytes, as mosquitto_passwd makes them: "fwvet-salt12" */
	snprintf(salt, sizeof salt, "%s", "Znd2ZXQtc2FsdDEy");
	sh_out("printf %s adminfwvet-salt12 | openssl dgst -sha512 -binary | base64 -w0", h6,
	       sizeof h6);
	sh_out("openssl kdf -keylen 64 -kdfopt digest:SHA512 -kdfopt pass:xc3511 "
	       "-kdfopt hexsalt:$(printf %s fwvet-salt12 | od -An -tx1 | tr -d ' \\n') "
	       "-kdfopt iter:101 -binary PBKDF2 | base64 -w0",
	       h7, sizeof h7);
	snprintf(file, sizeof file, "admin:$6$%s$%s\nroot:$7$101$%s$%s\nplain:N0tHashed\n", salt, h6,
		 salt, h7);
	fv_test_put(dir, "etc/mosquitto/passwd", file);
	/* a password file named in mosquitto.conf, under a name we would not guess */
	fv_test_put(dir, "etc/mosquitto/mosquitto.conf", "listener 1883\npassword_file /etc/mq/users.db\n");
	fv_test_put(dir, "etc/mq/users.db", "sensor:sensor1234\n");

	struct fv_results r;
	fv_test_analyze(dir, &fv_analyzer_accounts, &r);
	fv_test_must(&r, "FV-CRED-001", "!/etc/mosquitto/passwd", "user admin, password \"admin\"");
	fv_test_must(&r, "FV-CRED-001", "!/etc/mosquitto/passwd", "user root, password \"xc3511\"");
	fv_test_must(&r, "FV-CRED-002", "!/etc/mosquitto/passwd", "plain:N0t");
	fv_test_must(&r, "FV-CRED-002", "!/etc/mq/users.db", "sensor:sen");
	assert_string_equal(account(&r, "admin", "!/etc/mosquitto/passwd")->hash_type,
			    "mosquitto-sha512");
	assert_string_equal(account(&r, "root", "!/etc/mosquitto/passwd")->hash_type,
			    "mosquitto-pbkdf2");
	assert_non_null(account(&r, "sensor", "!/etc/mq/users.db"));
	fv_results_free(&r);
	fv_test_rmtree(dir);
}

static void test_rpcd_and_httpd_conf(void **state)
{
	(void)state;
	char dir[256], md5[128], uci[1024];
	fv_test_tmpdir(dir, sizeof dir, "acct-uci");
	hash("root", "$1$rpcdsalt$", md5, sizeof md5);
	snprintf(uci, sizeof uci,
		 "config rpcd\n\toption socket /var/run/ubus.sock\n\n"
		 "config login\n\toption username 'root'\n\toption password '$p$root'\n"
		 "\tlist read '*'\n\n"
		 "config login\n\toption username 'admin'\n\toption password 'admin'\n\n"
		 "config login\n\toption username \"ops\"\n\toption password '%s'\n\n"
		 "config other\n\toption username 'ignored'\n\toption password 'ignored'\n",
		 md5);
	fv_test_put(dir, "etc/config/rpcd", uci);
	const char *httpd = "A:*\nH:/www\n/cgi-bin:admin:admin\n/adm:tech:$1$\n.au:audio/basic\n";
	fv_test_put(dir, "etc/httpd.conf", httpd);

	struct fv_results r;
	fv_test_analyze(dir, &fv_analyzer_accounts, &r);
	assert_string_equal(account(&r, "root", "!/etc/config/rpcd")->hash_type, "system");
	assert_string_equal(account(&r, "admin", "!/etc/config/rpcd")->hash_type, "plain");
	assert_string_equal(account(&r, "ops", "!/etc/config/rpcd")->password, "root");
	assert_null(account(&r, "ignored", "!/etc/config/rpcd"));
	const struct fv_finding *f =
		fv_test_must(&r, "FV-CRED-002", "!/etc/config/rpcd", "option password 'admin'");
	assert_int_equal(f->offset, offset_of(uci, "admin'\n\n") );
	fv_test_must(&r, "FV-CRED-001", "!/etc/config/rpcd", "user ops, password \"root\"");

	f = fv_test_must(&r, "FV-CRED-002", "!/etc/httpd.conf", "/cgi-bin:admin:admin");
	assert_int_equal(f->offset, offset_of(httpd, "admin\n/adm") );
	assert_string_equal(account(&r, "tech", "!/etc/httpd.conf")->hash_type, "md5crypt");
	assert_int_equal(fv_test_count(&r, "FV-CRED-002"), 2);
	fv_results_free(&r);
	fv_test_rmtree(dir);
}

/* ---- hostile input ---------------------------------------------------------------------- */

static void test_junk_named_passwd(void **state)
{
	(void)state;
	char dir[256];
	fv_test_tmpdir(dir, sizeof dir, "acct-junk");
	uint8_t junk[65536];
	fv_test_fill_random(junk, sizeof junk, 7);
	/* colons and newlines everywhere, so that lines and fields do form; each line starts with a byte no name has */
	for (size_t i = 0; i + 1 < sizeof junk; i += 7) {
		junk[i] = i % 3 ? ':' : '\n';
		if (junk[i] == '\n')
			junk[i + 1] = 0xff;
	}
	junk[0] = 0xff;
	fv_test_write_file(dir, "etc/passwd", junk, sizeof junk);
	fv_test_write_file(dir, "etc/shadow", junk + 1, 20000);
	fv_test_write_file(dir, "www/.htpasswd", junk + 1, 3000);
	fv_test_write_file(dir, "etc/config/rpcd", junk + 1, 3000);
	/* NUL bytes inside lines: those lines are not read, the others are */
	static const char nul[] = "root:x:0:0:root:/root:/bin/sh\nbad\0user::0:0::/:/bin/sh\n"
				  "toor:x:0:0::/:/bin/sh";
	fv_test_write_file(dir, "rom/etc/passwd", nul, sizeof nul - 1);
	struct fv_results r;
	fv_test_analyze(dir, &fv_analyzer_accounts, &r);
	for (size_t i = 0; i < r.findings.n; i++)
		assert_non_null(strstr(r.findings.v[i].path, "!/rom/etc/passwd"));
	assert_int_equal(fv_test_count(&r, "FV-ACCT-001"), 1); /* toor, on a line without an end */
	assert_int_equal(fv_test_count(&r, "FV-ACCT-002"), 0); /* the NUL line is dropped */
	assert_int_equal(r.naccounts, 2);
	fv_results_free(&r);
	fv_test_rmtree(dir);
}

static void test_huge_shadow(void **state)
{
	(void)state;
	char dir[256], h[128], line[256];
	fv_test_tmpdir(dir, sizeof dir, "acct-huge");
	hash("xc3511", "$1$hugesalt$", h, sizeof h);
	int k = snprintf(line, sizeof line, "u%08d:%s:19000:0:99999:7:::\n", 0, h);
	size_t per = (size_t)k, n = (50u << 20) / per;
	char *big = malloc(n * per + 1);
	assert_non_null(big);
	for (size_t i = 0; i < n; i++)
		snprintf(big + i * per, per + 1, "u%08zu:%s:19000:0:99999:7:::\n", i, h);
	fv_test_write_file(dir, "etc/shadow", big, n * per);
	free(big);
	struct fv_results r;
	fv_test_analyze(dir, &fv_analyzer_accounts, &r);
	/* Bounded: at most 4096 accounts and 32 tries per file; the same hash is cracked once. */
	assert_int_equal(r.naccounts, 4096);
	assert_int_equal(fv_test_count(&r, "FV-CRED-001"), 32);
	fv_test_must(&r, "FV-CRED-001", "!/etc/shadow", "account u00000000, password \"xc3511\"");
	fv_results_free(&r);
	fv_test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passwd_shadow_join),
		cmocka_unit_test(test_empty_and_locked),
		cmocka_unit_test(test_busybox_star),
		cmocka_unit_test(test_hash_in_passwd),
		cmocka_unit_test(test_bcrypt_and_sha256),
		cmocka_unit_test(test_openssl_hashes),
		cmocka_unit_test(test_stale_copy),
		cmocka_unit_test(test_htpasswd_family),
		cmocka_unit_test(test_mosquitto),
		cmocka_unit_test(test_rpcd_and_httpd_conf),
		cmocka_unit_test(test_junk_named_passwd),
		cmocka_unit_test(test_huge_shadow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
