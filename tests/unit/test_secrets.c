/*
 * The secrets analyzer: private keys (PEM, PKCS#8, OpenSSH, dropbear, DER
 * inside binaries), certificates and their pairing with keys that ship,
 * tokens of known formats, and the negatives that matter in firmware (PEM
 * strings in libraries, truncated or junk blocks, look-alike tokens).  Keys
 * and certificates are made at test time by openssl and ssh-keygen.
 */
#include "testlib.h"

#include "analyze/run.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct fv_analyzer fv_analyzer_secrets;

static char keys[256]; /* made once for the whole run */
static int have_ssh;

static int setup(void **state)
{
	(void)state;
	fv_test_tmpdir(keys, sizeof keys, "secrets-keys");
	fv_test_sh(keys,
		   "exec 2>/dev/null; "
		   "openssl genrsa -traditional -out rsa.pem 2048; "
		   "openssl ecparam -name prime256v1 -genkey -noout -out ec.pem; "
		   "openssl genpkey -algorithm ed25519 -out ed.pem; "
		   "openssl pkey -in rsa.pem -out p8.pem; "
		   "openssl pkcs8 -topk8 -in ec.pem -v2 aes-256-cbc -passout pass:secret -out enc.pem; "
		   "openssl rsa -in rsa.pem -aes128 -passout pass:x -traditional -out rsa_enc.pem; "
		   "openssl rsa -in rsa.pem -outform DER -traditional -out rsa.der; "
		   "openssl pkcs8 -topk8 -nocrypt -in ec.pem -outform DER -out ecp8.der; "
		   "openssl ec -in ec.pem -outform DER -out ec.der; "
		   "openssl req -x509 -key ec.pem -subj /CN=device.example -days 3650 -out cert.pem; "
		   "openssl genpkey -algorithm x25519 -outform DER -out x25519.der; "
		   "openssl pkey -in ec.pem -pubout -outform DER | sha256sum | cut -c1-64 > ec.fp; "
		   "openssl x509 -in cert.pem -outform DER -out cert.der; "
		   "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		   "  -keyout lone.key -subj /CN=lonely -days 3650 -out lone.pem");
	/* An expired certificate: only `openssl ca` takes explicit dates. */
	fv_test_sh(keys,
		   "exec 2>/dev/null; mkdir ca; cd ca; touch index.txt; echo 01 > serial; "
		   "printf '[ca]\\ndefault_ca=d\\n[d]\\ndatabase=index.txt\\nnew_certs_dir=.\\n"
		   "serial=serial\\ndefault_md=sha256\\npolicy=p\\nunique_subject=no\\n"
		   "[p]\\ncommonName=supplied\\n' > ca.cnf; "
		   "openssl req -new -key ../ec.pem -subj /CN=old.example -out r.csr; "
		   "openssl ca -batch -config ca.cnf -selfsign -keyfile ../ec.pem -in r.csr "
		   "  -out ../expired.pem -startdate 20000101000000Z -enddate 20010101000000Z -notext");
	have_ssh = fv_test_have("ssh-keygen");
	if (have_ssh)
		fv_test_sh(keys, "ssh-keygen -q -t ed25519 -N '' -C root@build -f id_ed25519 && "
				 "ssh-keygen -q -t ed25519 -N 'pass phrase' -f id_enc && "
				 "ssh-keygen -q -t rsa -b 2048 -N '' -f id_rsa && "
				 "ssh-keygen -q -t ecdsa -b 256 -N '' -f id_ecdsa && "
				 "ssh-keygen -lf id_ed25519.pub | cut -d' ' -f2 > id_ed25519.fp && "
				 "sed '1d;$d' id_ed25519 | base64 -d > id_ed25519.raw");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return fv_test_rmtree(keys);
}

/* ---- helpers ------------------------------------------------------------------- */

static uint8_t *key(const char *name, size_t *n) { return fv_test_load(keys, name, n); }

static void put(const char *root, const char *path, const char *keyname)
{
	size_t n;
	uint8_t *p = key(keyname, &n);
	fv_test_write_file(root, path, p, n);
	free(p);
}

static void scan(const char *root, struct fv_results *r)
{
	fv_test_analyze(root, &fv_analyzer_secrets, r);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static size_t count_at(const struct fv_results *r, const char *rule, const char *suffix)
{
	size_t n = 0;
	for (size_t i = 0; i < r->findings.n; i++)
		n += !strcmp(r->findings.v[i].rule, rule) && ends_with(r->findings.v[i].path, suffix);
	return n;
}

static const struct fv_finding *at(const struct fv_results *r, const char *rule, const char *suffix,
				   uint64_t off)
{
	for (size_t i = 0; i < r->findings.n; i++) {
		const struct fv_finding *f = &r->findings.v[i];
		if (!strcmp(f->rule, rule) && ends_with(f->path, suffix) && f->offset == off)
			return f;
	}
	fail_msg("no %s finding at %s offset %llu", rule, suffix, (unsigned long long)off);
	return NULL;
}

static void expect_none(const struct fv_results *r)
{
	if (r->findings.n)
		fv_test_dump(r);
	assert_int_equal(r->findings.n, 0);
}

/* The evidence shows the header and a short prefix, never the body behind it. */
static void assert_masked(const struct fv_finding *f, const char *pemfile)
{
	size_t n;
	char *pem = (char *)key(pemfile, &n);
	char *body = strchr(pem, '\n');
	assert_non_null(body);
	char probe[25];
	memcpy(probe, body + 1 + 10, 24);
	probe[24] = 0;
	assert_null(strstr(f->evidence, probe));
	assert_non_null(strstr(f->evidence, "***"));
	free(pem);
}

static void tree(char *dir, size_t cap) { fv_test_tmpdir(dir, cap, "secrets"); }

/* ---- private keys ---------------------------------------------------------------- */

static void test_pem_keys(void **state)
{
	(void)state;
	char d[256];
	tree(d, sizeof d);
	put(d, "etc/ssl/private/rsa.pem", "rsa.pem");
	put(d, "etc/ec.pem", "ec.pem");
	put(d, "etc/ed.pem", "ed.pem");
	put(d, "etc/p8.pem", "p8.pem");
	struct fv_results r;
	scan(d, &r);
	assert_int_equal(fv_test_count(&r, "FV-SECR-001"), 4);

	const struct fv_finding *f = at(&r, "FV-SECR-001", "/etc/ssl/private/rsa.pem", 0);
	assert_int_equal(f->severity, FV_SEV_HIGH);
	assert_int_equal(f->confidence, FV_CONF_HIGH);
	assert_string_equal(f->category, "secret");
	assert_non_null(strstr(f->title, "RSA 2048-bit"));
	assert_true(strncmp(f->evidence, "-----BEGIN RSA PRIVATE KEY----- MII", 35) == 0);
	assert_masked(f, "rsa.pem");

	f = at(&r, "FV-SECR-001", "/etc/ec.pem", 0);
	assert_non_null(strstr(f->title, "EC P-256"));
	assert_true(strncmp(f->evidence, "-----BEGIN EC PRIVATE KEY-----", 30) == 0);
	assert_masked(f, "ec.pem");

	f = at(&r, "FV-SECR-001", "/etc/ed.pem", 0);
	assert_non_null(strstr(f->title, "ED25519"));
	assert_non_null(strstr(f->title, "PKCS#8"));

	f = at(&r, "FV-SECR-001", "/etc/p8.pem", 0);
	assert_non_null(strstr(f->title, "RSA 2048-bit"));
	assert_true(strncmp(f->evidence, "-----BEGIN PRIVATE KEY-----", 27) == 0);
	fv_results_free(&r);
	fv_test_rmtree(d);
}

static void test_encrypted_keys(void **state)
{
	(void)state;
	char d[256];
	tree(d, sizeof d);
	put(d, "etc/enc.pem", "enc.pem");
	put(d, "etc/rsa_enc.pem", "rsa_enc.pem");
	struct fv_results r;
	scan(d, &r);
	assert_int_equal(fv_test_count(&r, "FV-SECR-001"), 2);
	const struct fv_finding *f = at(&r, "FV-SECR-001", "/etc/enc.pem", 0);
	assert_int_equal(f->severity, FV_SEV_MEDIUM);
	assert_non_null(strstr(f->title, "Encrypted"));
	assert_non_null(strstr(f->title, "PBES2 AES-256-CBC"));
	assert_true(strncmp(f->evidence, "-----BEGIN ENCRYPTED PRIVATE KEY-----", 37) == 0);

	f = at(&r, "FV-SECR-001", "/etc/rsa_enc.pem", 0);
	assert_int_equal(f->severity, FV_SEV_MEDIUM);
	assert_non_null(strstr(f->title, "Encrypted RSA"));
	assert_non_null(strstr(f->title, "AES-128-CBC"));
	assert_non_null(strstr(f->evidence, "Proc-Type: 4,ENCRYPTED"));
	fv_results_free(&r);
	fv_test_rmtree(d);
}

static void test_openssh(void **state)
{
	(void)state;
	if (!have_ssh)
		skip();
	char d[256];
	tree(d, sizeof d);
	put(d, "root/.ssh/id_ed25519", "id_ed25519");
	put(d, "root/.ssh/id_enc", "id_enc");
	put(d, "root/.ssh/id_rsa", "id_rsa");
	put(d, "root/.ssh/id_ecdsa", "id_ecdsa");
	put(d, "root/.ssh/id_rsa.pub", "id_rsa.pub");
	struct fv_results r;
	scan(d, &r);
	assert_int_equal(fv_test_count(&r, "FV-SECR-001"), 4);

	const struct fv_finding *f = at(&r, "FV-SECR-001", "/root/.ssh/id_ed25519", 0);
	assert_int_equal(f->severity, FV_SEV_HIGH);
	assert_non_null(strstr(f->title, "ssh-ed25519 256-bit"));
	assert_non_null(strstr(f->title, "OpenSSH"));
	assert_true(strncmp(f->evidence, "-----BEGIN OPENSSH PRIVATE KEY-----", 35) == 0);
	assert_non_null(strstr(f->evidence, "comment root@build"));
	/* The fingerprint is the one ssh-keygen -l prints. */
	size_t n;
	char *fp = (char *)key("id_ed25519.fp", &n);
	fp[strcspn(fp, "\n")] = 0;
	assert_non_null(strstr(f->evidence, fp));
	free(fp);

	f = at(&r, "FV-SECR-001", "/root/.ssh/id_enc", 0);
	assert_int_equal(f->severity, FV_SEV_MEDIUM);
	assert_non_null(strstr(f->title, "Encrypted ssh-ed25519"));
	assert_non_null(strstr(f->title, "aes256-ctr"));

	assert_non_null(strstr(at(&r, "FV-SECR-001", "/root/.ssh/id_rsa", 0)->title, "ssh-rsa 2048-bit"));
	assert_non_null(strstr(at(&r, "FV-SECR-001", "/root/.ssh/id_ecdsa", 0)->title,
			       "ecdsa-sha2-nistp256 256-bit"));
	assert_int_equal(count_at(&r, "FV-SECR-001", ".pub"), 0);
	fv_results_free(&r);
	fv_test_rmtree(d);

	/* The container without its armour, inside a program. */
	tree(d, sizeof d);
	uint8_t *raw = key("id_ed25519.raw", &n), bin[8192];
	fv_test_fill_random(bin, sizeof bin, 9);
	memcpy(bin + 3000, raw, n);
	fv_test_write_file(d, "usr/sbin/provision", bin, sizeof bin);
	free(raw);
	scan(d, &r);
	f = at(&r, "FV-SECR-001", "/usr/sbin/provision", 3000);
	assert_non_null(strstr(f->title, "OpenSSH, raw"));
	assert_non_null(strstr(f->evidence, "comment root@build"));
	fv_results_free(&r);
	fv_test_rmtree(d);
}

/* Random bytes with DER keys at known offsets, like a key compiled into a program. */
static void test_der_in_binary(void **state)
{
	(void)state;
	char d[256];
	tree(d, sizeof d);
	size_t nr, np8, nec;
	uint8_t *rsa = key("rsa.der", &nr), *p8 = key("ecp8.der", &np8), *ec = key("ec.der", &nec);
	size_t size = 1 << 17;
	uint8_t *bin = malloc(size);
	fv_test_fill_random(bin, size, 7);
	memcpy(bin, "\x7f" "ELF", 4);
	memcpy(bin + 12345, rsa, nr);
	memcpy(bin + 40000, p8, np8);
	memcpy(bin + 50001, ec, nec);
	fv_test_write_file(d, "usr/bin/app", bin, size);
	/* The same key with one bit of its modulus flipped decodes, but is not a key. */
	bin[12345 + 40] ^= 0x10;
	memset(bin + 40000, 0, np8);
	memset(bin + 50001, 0, nec);
	fv_test_write_file(d, "usr/bin/broken", bin, size);
	struct fv_results r;
	scan(d, &r);
	if (count_at(&r, "FV-SECR-001", "/usr/bin/app") != 3)
		fv_test_dump(&r);
	assert_int_equal(count_at(&r, "FV-SECR-001", "/usr/bin/app"), 3);
	const struct fv_finding *f = at(&r, "FV-SECR-001", "/usr/bin/app", 12345);
	assert_non_null(strstr(f->title, "RSA 2048-bit"));
	assert_non_null(strstr(f->title, "DER"));
	assert_true(strncmp(f->evidence, "DER private key: 30 82 ", 23) == 0);
	assert_int_equal(f->severity, FV_SEV_HIGH);
	f = at(&r, "FV-SECR-001", "/usr/bin/app", 40000);
	assert_non_null(strstr(f->title, "EC P-256"));
	assert_non_null(strstr(f->title, "PKCS#8"));
	at(&r, "FV-SECR-001", "/usr/bin/app", 50001);
	assert_int_equal(count_at(&r, "FV-SECR-001", "/usr/bin/broken"), 0);
	fv_results_free(&r);
	free(rsa), free(p8), free(ec), free(bin);
	fv_test_rmtree(d);
}

static void test_many_blocks(void **state)
{
	(void)state;
	char d[256];
	tree(d, sizeof d);
	size_t a, b, c;
	uint8_t *ka = key("rsa.pem", &a), *kb = key("ec.pem", &b), *kc = key("ed.pem", &c);
	uint8_t *all = malloc(a + b + c);
	memcpy(all, ka, a), memcpy(all + a, kb, b), memcpy(all + a + b, kc, c);
	fv_test_write_file(d, "etc/keys.pem", all, a + b + c);
	struct fv_results r;
	scan(d, &r);
	assert_int_equal(fv_test_count(&r, "FV-SECR-001"), 3);
	assert_non_null(strstr(at(&r, "FV-SECR-001", "/etc/keys.pem", 0)->title, "RSA"));
	assert_non_null(strstr(at(&r, "FV-SECR-001", "/etc/keys.pem", a)->title, "EC"));
	assert_non_null(strstr(at(&r, "FV-SECR-001", "/etc/keys.pem", a + b)->title, "ED25519"));
	fv_results_free(&r);
	free(ka), free(kb), free(kc), free(all);
	fv_test_rmtree(d);
}

/* PEM as JSON and C sources carry it: escaped line ends, quotes, indentation. */
static void test_escaped_pem(void **state)
{
	(void)state;
	char d[256];
	tree(d, sizeof d);
	size_t n;
	char *pem = (char *)key("ec.pem", &n);
	char *json = malloc(n * 3 + 64), *o = json;
	o += sprintf(o, "{\"private_key\": \"");
	for (size_t i = 0; i < n; i++)
		if (pem[i] == '\n')
			*o++ = '\\', *o++ = 'n';
		else
			*o++ = pem[i];
	o += sprintf(o, "\"}\n");
	fv_test_write_file(d, "etc/sa.json", json, (size_t)(o - json));
	struct fv_results r;
	scan(d, &r);
	at(&r, "FV-SECR-001", "/etc/sa.json", 17);
	fv_results_free(&r);
	free(pem), free(json);
	fv_test_rmtree(d);
}

/* ---- where a key sits ------------------------------------------------------------------ */

static void test_example_folders(void **state)
{
	(void)state;
	char d[256];
	tree(d, sizeof d);
	/* One content at two paths: each path gets its own verdict. */
	put(d, "usr/share/doc/x/examples/server.key", "rsa.pem");
	put(d, "etc/ssl/private/server.key", "rsa.pem");
	put(d, "opt/sdk/tests/ec.pem", "ec.pem");
	struct fv_results r;
	scan(d, &r);
	const struct fv_finding *f = at(&r, "FV-SECR-001", "/etc/ssl/private/server.key", 0);
	assert_int_equal(f->severity, FV_SEV_HIGH);
	assert_int_equal(f->confidence, FV_CONF_HIGH);
	assert_null(strstr(f->title, "example"));
	f = at(&r, "FV-SECR-001", "/usr/share/doc/x/examples/server.key", 0);
	assert_int_equal(f->severity, FV_SEV_LOW);
	assert_int_equal(f->confidence, FV_CONF_LOW);
	assert_non_null(strstr(f->title, "in a test/example folder"));
	f = at(&r, "FV-SECR-001", "/opt/sdk/tests/ec.pem", 0);
	assert_int_equal(f->severity, FV_SEV_LOW);
	assert_int_equal(f->confidence, FV_CONF_LOW);
	assert_int_equal(fv_test_count(&r, "FV-SECR-001"), 3);
	fv_results_free(&r);
	fv_test_rmtree(d);
}

/* ---- certificates ------------------------------------------------------------------------ */

static void test_certificates(void **state)
{
	(void)state;
	char d[256];
	tree(d, sizeof d);
	put(d, "etc/ssl/server.pem", "cert.pem");
	put(d, "etc/ssl/private/server.key", "ec.pem");
	put(d, "etc/lonely.pem", "lone.pem");
	put(d, "etc/old.pem", "expired.pem");
	put(d, "etc/ssl/certs/lonely.pem", "lone.pem"); /* the trust store: not listed */
	size_t nc;
	uint8_t *der = key("cert.der", &nc);
	uint8_t bin[8192];
	fv_test_fill_random(bin, sizeof bin, 3);
	memcpy(bin + 1000, der, nc);
	fv_test_write_file(d, "usr/lib/libvendor.so", bin, sizeof bin);
	free(der);
	struct fv_results r;
	scan(d, &r);

	const struct fv_finding *f = at(&r, "FV-SECR-003", "/etc/ssl/server.pem", 0);
	assert_int_equal(f->severity, FV_SEV_INFO);
	assert_non_null(strstr(f->title, "CN=device.example"));
	assert_non_null(strstr(f->title, "self-signed"));
	assert_non_null(strstr(f->evidence, "subject=CN=device.example"));
	assert_non_null(strstr(f->evidence, "notAfter="));
	f = at(&r, "FV-SECR-003", "/etc/old.pem", 0);
	assert_int_equal(f->severity, FV_SEV_LOW);
	assert_non_null(strstr(f->title, "Expired"));
	assert_non_null(strstr(f->evidence, "notAfter=2001-01-01"));
	at(&r, "FV-SECR-003", "/etc/lonely.pem", 0);
	at(&r, "FV-SECR-003", "/usr/lib/libvendor.so", 1000);
	assert_int_equal(count_at(&r, "FV-SECR-003", "/etc/ssl/certs/lonely.pem"), 0);

	/* The key of server.pem, old.pem and the DER copy ships; lonely's does not. */
	f = at(&r, "FV-SECR-002", "/etc/ssl/server.pem", 0);
	assert_int_equal(f->severity, FV_SEV_HIGH);
	assert_non_null(strstr(f->evidence, "/etc/ssl/private/server.key"));
	assert_non_null(strstr(f->title, "CN=device.example"));
	at(&r, "FV-SECR-002", "/usr/lib/libvendor.so", 1000);
	at(&r, "FV-SECR-002", "/etc/old.pem", 0);
	assert_int_equal(count_at(&r, "FV-SECR-002", "lonely.pem"), 0);
	assert_int_equal(fv_test_count(&r, "FV-SECR-002"), 3);
	fv_results_free(&r);
	fv_test_rmtree(d);
}

static void test_cert_without_key(void **state)
{
	(void)state;
	char d[256];
	tree(d, sizeof d);
	put(d, "etc/ssl/server.pem", "cert.pem");
	put(d, "etc/ssl/other.key", "rsa.pem");
	struct fv_results r;
	scan(d, &r);
	at(&r, "FV-SECR-003", "/etc/ssl/server.pem", 0);
	assert_int_equal(fv_test_count(&r, "FV-SECR-002"), 0);
	fv_results_free(&r);
	fv_test_rmtree(d);
}

static void test_bundle(void **state)
{
	(void)state;
	char d[256];
	tree(d, sizeof d);
	fv_test_sh(keys, "exec 2>/dev/null; rm -f bundle.pem; for i in 1 2 3 4 5 6 7 8 9 10; do "
			 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
			 "-keyout /dev/null -subj /CN=ca$i -days 30 >> bundle.pem; done");
	put(d, "usr/local/share/bundle.pem", "bundle.pem");
	struct fv_results r;
	scan(d, &r);
	assert_int_equal(fv_test_count(&r, "FV-SECR-003"), 1);
	const struct fv_finding *f = at(&r, "FV-SECR-003", "/usr/local/share/bundle.pem", 0);
	assert_non_null(strstr(f->title, "bundle of 10 certificates"));
	fv_results_free(&r);
	fv_test_rmtree(d);
}

/* ---- negatives -------------------------------------------------------------------------- */

static void test_truncated_and_junk(void **state)
{
	(void)state;
	char d[256];
	tree(d, sizeof d);
	size_t n, m;
	char *rsa = (char *)key("rsa.pem", &n), *ec = (char *)key("ec.pem", &m);
	/* Cut mid-body, then a whole block: only the whole one counts, at its own offset. */
	char *buf = malloc(n + m);
	memcpy(buf, rsa, n / 2);
	memcpy(buf + n / 2, ec, m);
	fv_test_write_file(d, "etc/cut.pem", buf, n / 2 + m);
	fv_test_write_file(d, "etc/cut-only.pem", rsa, n - 40);
	static const char junk[] = "-----BEGIN RSA PRIVATE KEY-----\nthis is not base64!\n"
				   "-----END RSA PRIVATE KEY-----\n";
	fv_test_write_file(d, "etc/junk.pem", junk, sizeof junk - 1);
	static const char b64junk[] = "-----BEGIN RSA PRIVATE KEY-----\n"
				      "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n"
				      "KUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEm\n"
				      "-----END RSA PRIVATE KEY-----\n";
	fv_test_write_file(d, "etc/b64junk.pem", b64junk, sizeof b64junk - 1);
	/* An EC key under an RSA label, and a block whose END names another label. */
	char *lied = malloc(m + 16);
	size_t k = 0;
	const char *body = strchr(ec, '\n') + 1, *end = strstr(ec, "-----END");
	k += (size_t)sprintf(lied, "-----BEGIN RSA PRIVATE KEY-----\n");
	memcpy(lied + k, body, (size_t)(end - body)), k += (size_t)(end - body);
	k += (size_t)sprintf(lied + k, "-----END RSA PRIVATE KEY-----\n");
	fv_test_write_file(d, "etc/lied.pem", lied, k);
	memcpy(buf, ec, m);
	memcpy(strstr(buf, "-----END") + 9, "RSA", 3);
	fv_test_write_file(d, "etc/mismatch.pem", buf, m);
	struct fv_results r;
	scan(d, &r);
	if (r.findings.n != 1)
		fv_test_dump(&r);
	assert_int_equal(r.findings.n, 1);
	const struct fv_finding *f = at(&r, "FV-SECR-001", "/etc/cut.pem", n / 2);
	assert_non_null(strstr(f->title, "EC"));
	fv_results_free(&r);
	free(rsa), free(ec), free(buf), free(lied);
	fv_test_rmtree(d);
}

/* libcrypto carries the armour lines as strings, with no key after them. */
static void test_string_table(void **state)
{
	(void)state;
	char d[256];
	tree(d, sizeof d);
	static const char strtab[] = "\0-----BEGIN RSA PRIVATE KEY-----\0-----END RSA PRIVATE KEY-----"
				     "\0-----BEGIN %s-----\0-----BEGIN \0-----BEGIN CERTIFICATE-----\n"
				     "\0-----BEGIN OPENSSH PRIVATE KEY-----\0openssh-key-v1\0\0\0\0"
				     "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n";
	uint8_t bin[1 << 16];
	fv_test_fill_random(bin, sizeof bin, 11);
	memcpy(bin, "\x7f" "ELF", 4);
	memcpy(bin + 30000, strtab, sizeof strtab);
	fv_test_write_file(d, "usr/lib/libcrypto.so.3", bin, sizeof bin);
	struct fv_results r;
	scan(d, &r);
	expect_none(&r);
	fv_results_free(&r);
	fv_test_rmtree(d);
}

/* ---- dropbear -------------------------------------------------------------------------- */

static void put_str(uint8_t **o, const void *p, size_t n)
{
	(*o)[0] = (uint8_t)(n >> 24), (*o)[1] = (uint8_t)(n >> 16), (*o)[2] = (uint8_t)(n >> 8),
	(*o)[3] = (uint8_t)n;
	memcpy(*o + 4, p, n);
	*o += 4 + n;
}

static void put_mp(uint8_t **o, const BIGNUM *b)
{
	uint8_t tmp[1024];
	int n = BN_bn2bin(b, tmp + 1);
	tmp[0] = 0;
	int lead = (tmp[1] & 0x80) != 0;
	put_str(o, tmp + !lead, (size_t)n + (size_t)lead);
}

static void test_dropbear(void **state)
{
	(void)state;
	char d[256], path[512];
	tree(d, sizeof d);
	uint8_t blob[4096], *o = blob;
	/* ed25519: "ssh-ed25519", then seed and public key as one string. */
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	uint8_t kp[64];
	size_t l = 32;
	assert_true(EVP_PKEY_get_raw_private_key(ed, kp, &l) == 1);
	l = 32;
	assert_true(EVP_PKEY_get_raw_public_key(ed, kp + 32, &l) == 1);
	EVP_PKEY_free(ed);
	put_str(&o, "ssh-ed25519", 11);
	put_str(&o, kp, 64);
	fv_test_write_file(d, "etc/dropbear/dropbear_ed25519_host_key", blob, (size_t)(o - blob));
	blob[o - blob - 1] ^= 1; /* a public key that is not the seed's */
	fv_test_write_file(d, "etc/dropbear/bad_ed25519", blob, (size_t)(o - blob));

	/* rsa: e n d p q, from the openssl key. */
	snprintf(path, sizeof path, "%s/rsa.pem", keys);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	EVP_PKEY *rsa = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(rsa);
	const char *names[] = { OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_D,
				OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2 };
	o = blob;
	put_str(&o, "ssh-rsa", 7);
	for (int i = 0; i < 5; i++) {
		BIGNUM *b = NULL;
		assert_true(EVP_PKEY_get_bn_param(rsa, names[i], &b));
		put_mp(&o, b);
		BN_free(b);
	}
	EVP_PKEY_free(rsa);
	fv_test_write_file(d, "etc/dropbear/dropbear_rsa_host_key", blob, (size_t)(o - blob));

	struct fv_results r;
	scan(d, &r);
	const struct fv_finding *fd = at(&r, "FV-SECR-001", "/etc/dropbear/dropbear_ed25519_host_key", 0);
	assert_non_null(strstr(fd->title, "ssh-ed25519 256-bit"));
	assert_non_null(strstr(fd->title, "dropbear"));
	assert_non_null(strstr(fd->evidence, "SHA256:"));
	fd = at(&r, "FV-SECR-001", "/etc/dropbear/dropbear_rsa_host_key", 0);
	assert_non_null(strstr(fd->title, "ssh-rsa 2048-bit"));
	assert_int_equal(count_at(&r, "FV-SECR-001", "/etc/dropbear/bad_ed25519"), 0);
	assert_int_equal(fv_test_count(&r, NULL), 2);
	fv_results_free(&r);
	fv_test_rmtree(d);
}

/* ---- tokens ------------------------------------------------------------------------------ */

static void test_tokens(void **state)
{
	(void)state;
	char d[256];
	tree(d, sizeof d);
	static const char cfg[] = "[default]\n"
				  "aws_access_key_id = AKIAQ3X7ZP2LMN4R5TB6\n"
				  "aws_secret_access_key = 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\n";
	fv_test_write_file(d, "root/.aws/credentials", cfg, sizeof cfg - 1);
	static const char lone[] = "key=AKIAJ5Q2W7E4R9T3Y6U8\n";
	fv_test_write_file(d, "etc/app.conf", lone, sizeof lone - 1);
	static const char doc[] = "example: AKIAIOSFODNN7EXAMPLE\n";
	fv_test_write_file(d, "etc/readme.txt", doc, sizeof doc - 1);
	/* In a binary, tokens sit between NULs. */
	static const char bin[] = "\x7f" "ELF\x01\x02\0\0ghp_R8f2KqL9xZ3mN7vB1cT5yW0pD4sH6jA2eG8u\0"
				  "\xff\xfe" "AIzaSyD3x9K2mP7qL4wR8tY1uV6bN0cX5zA3sF9\0\x01"
				  "xoxb-2741937492-9301847562-Zk3Qw8Rt5Yp2Lm7Nb4Vc\0";
	fv_test_write_file(d, "usr/bin/agent", bin, sizeof bin - 1);
	/* Look-alikes: wrong charset, inside a longer word, too long, no randomness. */
	static const char fake[] = "AKIAq3x7zp2lmn4r5tb6\n"
				   "XAKIAQ3X7ZP2LMN4R5TB6\n"
				   "AKIAQ3X7ZP2LMN4R5TB6Z\n"
				   "AKIAAAAAAAAAAAAAAAAA\n"
				   "ghp_R8f2KqL9xZ3mN7vB1cT5yW0pD4sH6jA2eG8!\n"
				   "ghp_R8f2KqL9xZ3mN7vB1cT5yW0pD4sH6jA2eG8uX\n"
				   "ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij\n"
				   "AIza-----------------------------------\n"
				   "sk_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxx\n";
	fv_test_write_file(d, "etc/fake.txt", fake, sizeof fake - 1);
	struct fv_results r;
	scan(d, &r);

	const struct fv_finding *f = at(&r, "FV-SECR-004", "/root/.aws/credentials", 30);
	assert_int_equal(f->severity, FV_SEV_HIGH);
	assert_int_equal(f->confidence, FV_CONF_HIGH);
	assert_string_equal(f->category, "credential");
	assert_non_null(strstr(f->title, "aws-access-key-id"));
	assert_non_null(strstr(f->title, "secret access key"));
	assert_null(strstr(f->evidence, "ZP2LMN4R5TB6"));
	assert_true(strncmp(f->evidence, "AKIA", 4) == 0);
	f = at(&r, "FV-SECR-004", "/etc/app.conf", 4);
	assert_int_equal(f->confidence, FV_CONF_MEDIUM);
	f = at(&r, "FV-SECR-004", "/etc/readme.txt", 9);
	assert_int_equal(f->severity, FV_SEV_LOW);
	assert_int_equal(f->confidence, FV_CONF_LOW);
	assert_non_null(strstr(at(&r, "FV-SECR-004", "/usr/bin/agent", 8)->title, "github-token"));
	assert_non_null(strstr(at(&r, "FV-SECR-004", "/usr/bin/agent", 51)->title, "google-api-key"));
	assert_non_null(strstr(at(&r, "FV-SECR-004", "/usr/bin/agent", 92)->title, "slack-token"));
	assert_int_equal(count_at(&r, "FV-SECR-004", "/etc/fake.txt"), 0);
	assert_int_equal(fv_test_count(&r, NULL), 6);
	fv_results_free(&r);
	fv_test_rmtree(d);
}

/* A user's rules folder adds token formats. */
static void test_user_rules(void **state)
{
	(void)state;
	char d[256], u[256];
	tree(d, sizeof d);
	fv_test_tmpdir(u, sizeof u, "secrets-rules");
	static const char rules[] = "# ours\nacme-token high 5 - acme_[a-f0-9]{32} ACME deploy token\n";
	fv_test_write_file(u, "secrets/tokens.rules", rules, sizeof rules - 1);
	static const char cfg[] = "token: acme_3f9a0c27e8d14b6a95c0e7f21d3b8a64\n";
	fv_test_write_file(d, "etc/acme.yml", cfg, sizeof cfg - 1);
	struct fv_results r;
	fv_test_analyze_rules(d, &fv_analyzer_secrets, u, &r);
	const struct fv_finding *f = at(&r, "FV-SECR-004", "/etc/acme.yml", 7);
	assert_non_null(strstr(f->title, "ACME deploy token"));
	fv_results_free(&r);
	fv_test_rmtree(d);
	fv_test_rmtree(u);
}

/* A published key (here: listed by a user) is named and reported low. */
static void test_known_key(void **state)
{
	(void)state;
	char d[256], u[256];
	tree(d, sizeof d);
	fv_test_tmpdir(u, sizeof u, "secrets-rules");
	size_t n;
	char *fp = (char *)key("ec.fp", &n), line[200];
	fp[64] = 0;
	int k = snprintf(line, sizeof line, "%s Vendor SDK demo key\n", fp);
	fv_test_write_file(u, "secrets/known-keys.rules", line, (size_t)k);
	put(d, "etc/ssl/private/server.key", "ec.pem");
	put(d, "etc/ssl/server.pem", "cert.pem");
	put(d, "etc/other.key", "rsa.pem");
	struct fv_results r;
	fv_test_analyze_rules(d, &fv_analyzer_secrets, u, &r);
	const struct fv_finding *f = at(&r, "FV-SECR-001", "/etc/ssl/private/server.key", 0);
	assert_int_equal(f->severity, FV_SEV_LOW);
	assert_int_equal(f->confidence, FV_CONF_HIGH);
	assert_non_null(strstr(f->title, "the published test key Vendor SDK demo key"));
	char want[80];
	snprintf(want, sizeof want, "pub-sha256:%s", fp);
	assert_non_null(strstr(f->evidence, want));
	assert_int_equal(at(&r, "FV-SECR-001", "/etc/other.key", 0)->severity, FV_SEV_HIGH);
	/* Anyone can use a certificate whose key is published: still high. */
	assert_int_equal(at(&r, "FV-SECR-002", "/etc/ssl/server.pem", 0)->severity, FV_SEV_HIGH);
	fv_results_free(&r);
	free(fp);
	fv_test_rmtree(d);
	fv_test_rmtree(u);
}

/*
 * Any 32 bytes are an X25519 key, so pyca/cryptography's constant PKCS#8
 * prefix followed by program bytes decodes; a generated key's bytes are random.
 */
static void test_x25519(void **state)
{
	(void)state;
	char d[256];
	tree(d, sizeof d);
	static const uint8_t prefix[] = "0.\x02\x01\x00" "0\x05\x06\x03+en\x04\"\x04 ";
	uint8_t buf[4096];
	memset(buf, 0, sizeof buf);
	memcpy(buf + 100, prefix, 16);
	memcpy(buf + 116, "\xe3\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
			  "\x00\x04\x00\x00\x00\x03\x00\x00\x00\xf3\x1a\x00\x00\x00\x97\x00", 32);
	fv_test_write_file(d, "usr/lib/python3/backend.pyc", buf, sizeof buf);
	size_t n;
	uint8_t *x = key("x25519.der", &n);
	memcpy(buf + 2000, x, n);
	fv_test_write_file(d, "usr/bin/vpn", buf, sizeof buf);
	free(x);
	struct fv_results r;
	scan(d, &r);
	assert_int_equal(count_at(&r, "FV-SECR-001", "/usr/lib/python3/backend.pyc"), 0);
	assert_non_null(strstr(at(&r, "FV-SECR-001", "/usr/bin/vpn", 2000)->title, "X25519"));
	assert_int_equal(fv_test_count(&r, NULL), 1);
	fv_results_free(&r);
	fv_test_rmtree(d);
}

/* ---- hostile input ------------------------------------------------------------------------ */

static void test_hostile(void **state)
{
	(void)state;
	char d[256];
	tree(d, sizeof d);
	/* Armour without end, ASN.1 headers that claim more than there is, huge bodies. */
	size_t size = 4 << 20;
	uint8_t *p = malloc(size);
	fv_test_fill_random(p, size, 5);
	static const char pem[] = "-----BEGIN RSA PRIVATE KEY-----\nMIIB";
	static const char der[] = "0\x82\xff\xff\x02\x01\x00\x02\x82";
	for (size_t i = 0; i + 64 < size / 2; i += 37)
		if ((i / 37) % 2)
			memcpy(p + i, pem, sizeof pem - 1);
		else
			memcpy(p + i, der, sizeof der - 1);
	memset(p + size / 2, 'A', size / 2 - 1);
	memcpy(p + size / 2, "-----BEGIN CERTIFICATE-----\n", 28);
	fv_test_write_file(d, "hostile.bin", p, size);
	static const uint8_t ssh[] = "openssh-key-v1\0\0\0\0\4none\0\0\0\4none\0\0\0\0\0\0\0\1"
				     "\xff\xff\xff\xf0";
	fv_test_write_file(d, "ssh.bin", ssh, sizeof ssh);
	static const uint8_t drop[] = "\0\0\0\x07ssh-rsa\0\0\0\x03\1\0\1\xff\xff\xff\xff";
	fv_test_write_file(d, "drop.bin", drop, sizeof drop - 1);
	struct fv_results r;
	scan(d, &r);
	expect_none(&r);
	fv_results_free(&r);
	free(p);
	fv_test_rmtree(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pem_keys),
		cmocka_unit_test(test_encrypted_keys),
		cmocka_unit_test(test_openssh),
		cmocka_unit_test(test_der_in_binary),
		cmocka_unit_test(test_many_blocks),
		cmocka_unit_test(test_escaped_pem),
		cmocka_unit_test(test_example_folders),
		cmocka_unit_test(test_certificates),
		cmocka_unit_test(test_cert_without_key),
		cmocka_unit_test(test_bundle),
		cmocka_unit_test(test_truncated_and_junk),
		cmocka_unit_test(test_string_table),
		cmocka_unit_test(test_dropbear),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_user_rules),
		cmocka_unit_test(test_known_key),
		cmocka_unit_test(test_x25519),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
