/*
 * Signed evidence (sign.h).  The signature is over the report's canonical
 * form, not its bytes, so that a report passed through another JSON tool (a
 * database's JSON column, a re-indenting viewer) can still be checked with
 * --canonical; by default verify also wants the exact bytes that were signed,
 * so that any change to the file is caught.
 *
 * Canonical form (RFC 8785): no whitespace; object members sorted by their
 * names as UTF-16 code units; strings with only ", \ and the control
 * characters escaped (\b \t \n \f \r, else \u00xx); numbers as ECMAScript
 * prints a double (1, 9.8, 1e+21).  Duplicate member names are refused: with
 * them, two readers may see two different reports behind one signature.
 */
#include "report/sign.h"
#include "core/err.h"
#include "core/hash.h"
#include "report/sbom.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <jansson.h>
#include <math.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIG_FORMAT 1
#define SIG_MAX (64 * 1024) /* a signature document is a few hundred bytes */
#define ED25519_SIG 64

struct fv_sign_key {
	EVP_PKEY *pkey;
	char id[FV_SHA256_HEX];
};

/* ---- canonical JSON (RFC 8785) ----------------------------------------------- */

/* ECMAScript's Number.prototype.toString of d (RFC 8785 section 3.2.2.3). */
static void put_number(FILE *f, double d)
{
	if (d == 0) {
		fputc('0', f); /* -0 too */
		return;
	}
	if (d < 0) {
		fputc('-', f);
		d = -d;
	}
	/* The fewest significant digits that read back as d. */
	char e[40];
	int p = 1;
	for (; p <= 17; p++) {
		snprintf(e, sizeof e, "%.*e", p - 1, d);
		if (strtod(e, NULL) == d)
			break;
	}
	char digits[24];
	size_t k = 0;
	const char *s = e;
	for (; *s && *s != 'e'; s++)
		if (*s >= '0' && *s <= '9')
			digits[k++] = *s;
	while (k > 1 && digits[k - 1] == '0')
		k--;
	digits[k] = 0;
	int n = atoi(s + 1) + 1; /* d = 0.digits * 10^n */
	if ((int)k <= n && n <= 21) {
		fputs(digits, f);
		for (int i = (int)k; i < n; i++)
			fputc('0', f);
	} else if (0 < n && n <= 21) {
		fprintf(f, "%.*s.%s", n, digits, digits + n);
	} else if (-6 < n && n <= 0) {
		fputs("0.", f);
		for (int i = n; i < 0; i++)
			fputc('0', f);
		fputs(digits, f);
	} else {
		fprintf(f, "%c%s%se%c%d", digits[0], k > 1 ? "." : "", digits + 1, n - 1 >= 0 ? '+' : '-', abs(n - 1));
	}
}

static void put_string(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\b': fputs("\\b", f); break;
		case '\t': fputs("\\t", f); break;
		case '\n': fputs("\\n", f); break;
		case '\f': fputs("\\f", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (c < 0x20)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

/*
 * The next UTF-16 code unit of the valid UTF-8 s[*i..n) (jansson has
 * validated it); *pending holds the low surrogate of a pair.  -1 at the end.
 */
static int32_t next_unit(const unsigned char *s, size_t n, size_t *i, int32_t *pending)
{
	if (*pending >= 0) {
		int32_t u = *pending;
		*pending = -1;
		return u;
	}
	if (*i >= n)
		return -1;
	uint32_t c = s[(*i)++];
	int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
	c &= more == 3 ? 0x07 : more == 2 ? 0x0F : more == 1 ? 0x1F : 0x7F;
	for (; more > 0 && *i < n; more--)
		c = c << 6 | (s[(*i)++] & 0x3F);
	if (c < 0x10000)
		return (int32_t)c;
	c -= 0x10000;
	*pending = (int32_t)(0xDC00 + (c & 0x3FF));
	return (int32_t)(0xD800 + (c >> 10));
}

struct member {
	const char *key;
	size_t len;
	json_t *value;
};

static int cmp_member(const void *x, const void *y)
{
	const struct member *a = x, *b = y;
	size_t i = 0, j = 0;
	int32_t pa = -1, pb = -1;
	for (;;) {
		int32_t ua = next_unit((const unsigned char *)a->key, a->len, &i, &pa);
		int32_t ub = next_unit((const unsigned char *)b->key, b->len, &j, &pb);
		if (ua != ub)
			return ua < ub ? -1 : 1;
		if (ua < 0)
			return 0;
	}
}

/* A new line and the indentation of depth, when pretty (depth >= 0). */
static void newline(FILE *f, int depth)
{
	if (depth >= 0)
		fprintf(f, "\n%*s", 2 * depth, "");
}

/* v in canonical form (depth < 0), or the same sorted and indented for a person (depth >= 0). */
static int put_value(FILE *f, json_t *v, int depth)
{
	int in = depth >= 0 ? depth + 1 : -1;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		size_t n = json_object_size(v), k = 0;
		struct member *m = malloc((n ? n : 1) * sizeof *m);
		if (!m)
			return FV_ENOMEM;
		for (void *it = json_object_iter(v); it && k < n; it = json_object_iter_next(v, it), k++) {
			m[k].key = json_object_iter_key(it);
			m[k].len = json_object_iter_key_len(it);
			m[k].value = json_object_iter_value(it);
		}
		qsort(m, k, sizeof *m, cmp_member);
		fputc('{', f);
		int rc = FV_OK;
		for (size_t i = 0; i < k && !rc; i++) {
			if (i)
				fputc(',', f);
			newline(f, in);
			put_string(f, m[i].key, m[i].len);
			fputs(depth >= 0 ? ": " : ":", f);
			rc = put_value(f, m[i].value, in);
		}
		if (k)
			newline(f, depth);
		fputc('}', f);
		free(m);
		return rc;
	}
	case JSON_ARRAY: {
		fputc('[', f);
		int rc = FV_OK;
		for (size_t i = 0; i < json_array_size(v) && !rc; i++) {
			if (i)
				fputc(',', f);
			newline(f, in);
			rc = put_value(f, json_array_get(v, i), in);
		}
		if (json_array_size(v))
			newline(f, depth);
		fputc(']', f);
		return rc;
	}
	case JSON_STRING: put_string(f, json_string_value(v), json_string_length(v)); return FV_OK;
	case JSON_INTEGER: {
		/* Made here (json_pack), not parsed; integers past 2^53 are printed as the double they are to RFC 8785. */
		json_int_t i = json_integer_value(v);
		if (i <= (json_int_t)1 << 53 && i >= -((json_int_t)1 << 53))
			fprintf(f, "%" JSON_INTEGER_FORMAT, i);
		else
			put_number(f, (double)i);
		return FV_OK;
	}
	case JSON_REAL: put_number(f, json_real_value(v)); return FV_OK;
	case JSON_TRUE: fputs("true", f); return FV_OK;
	case JSON_FALSE: fputs("false", f); return FV_OK;
	case JSON_NULL: fputs("null", f); return FV_OK;
	}
	return FV_EFORMAT;
}

/*
 * Parses in[0..len) strictly: one JSON text, no duplicate member names.
 * Every number is read as a double, as RFC 8785 reads it (so 1e20 and
 * 100000000000000000000 are one number, and neither is too big).
 */
static json_t *parse(const char *in, size_t len, const char *what, char *err, size_t errlen)
{
	json_error_t je;
	json_t *v = json_loadb(in, len,
			       JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &je);
	if (!v)
		snprintf(err, errlen, "%s: expected JSON, at byte %d (line %d): %s", what, je.position, je.line,
			 je.text);
	return v;
}

static int canonical_of(json_t *v, int pretty, char **out, size_t *outlen)
{
	FILE *f = open_memstream(out, outlen);
	if (!f)
		return FV_ENOMEM;
	int rc = put_value(f, v, pretty ? 0 : -1);
	if (pretty)
		fputc('\n', f);
	if (fclose(f) != 0 && !rc)
		rc = FV_ENOMEM;
	if (rc) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

int fv_json_canonical(const char *in, size_t len, char **out, size_t *outlen, char *err, size_t errlen)
{
	*out = NULL;
	json_t *v = parse(in, len, "the document", err, errlen);
	if (!v)
		return FV_EFORMAT;
	int rc = canonical_of(v, 0, out, outlen);
	json_decref(v);
	if (rc)
		snprintf(err, errlen, "out of memory");
	return rc;
}

/* ---- keys ---------------------------------------------------------------------- */

static int openssl_fail(const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", what);
	return FV_EFORMAT;
}

/* The key id: SHA-256 of the DER SubjectPublicKeyInfo, as `openssl pkey -pubout -outform DER | sha256sum` prints it. */
static int key_id(EVP_PKEY *k, char id[FV_SHA256_HEX])
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k, &der);
	if (n <= 0)
		return -1;
	fv_sha256_hex(der, (size_t)n, id);
	OPENSSL_free(der);
	return 0;
}

/* Opens path for a new file only (never over an existing one), with mode. */
static FILE *create_new(const char *path, mode_t mode, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s%s", path, strerror(errno),
			 errno == EEXIST ? " (fwvet keygen never overwrites a key)" : "");
		return NULL;
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
	}
	return f;
}

int fv_sign_keygen(const char *key_path, const char *pub_path, char keyid[65], char *err, size_t errlen)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!k)
		return openssl_fail("OpenSSL could not make an Ed25519 key", err, errlen);
	int rc = FV_EIO;
	FILE *fk = NULL, *fp = NULL;
	if (key_id(k, keyid)) {
		rc = openssl_fail("OpenSSL could not encode the public key", err, errlen);
		goto done;
	}
	if (!(fk = create_new(key_path, 0600, err, errlen)))
		goto done;
	if (!(fp = create_new(pub_path, 0644, err, errlen))) {
		fclose(fk);
		fk = NULL;
		unlink(key_path);
		goto done;
	}
	int ok = PEM_write_PrivateKey(fk, k, NULL, NULL, 0, NULL, NULL) == 1;
	ok = fclose(fk) == 0 && ok;
	int okp = PEM_write_PUBKEY(fp, k) == 1;
	okp = fclose(fp) == 0 && okp;
	fk = fp = NULL;
	if (!ok || !okp) {
		snprintf(err, errlen, "writing %s failed", !ok ? key_path : pub_path);
		unlink(key_path);
		unlink(pub_path);
		goto done;
	}
	rc = FV_OK;
done:
	EVP_PKEY_free(k);
	return rc;
}

int fv_sign_key_load(const char *path, int private_key, struct fv_sign_key **out, char *err, size_t errlen)
{
	*out = NULL;
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read the key %s: %s", path, strerror(errno));
		return FV_EIO;
	}
	struct stat st;
	int open_mode = fstat(fileno(f), &st) == 0 && (st.st_mode & 077);
	EVP_PKEY *k = NULL;
	if (private_key) {
		k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	} else {
		/* A public key, or the public half of a private key. */
		k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
		if (!k) {
			rewind(f);
			k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		}
	}
	fclose(f);
	if (!k) {
		snprintf(err, errlen, "%s: expected a PEM %s key (fwvet keygen), found none", path,
			 private_key ? "private" : "public");
		return FV_EFORMAT;
	}
	if (EVP_PKEY_get_id(k) != EVP_PKEY_ED25519) {
		snprintf(err, errlen, "%s: expected an Ed25519 key, found %s", path, EVP_PKEY_get0_type_name(k));
		EVP_PKEY_free(k);
		return FV_EFORMAT;
	}
	if (private_key && open_mode)
		fprintf(stderr, "fwvet: warning: the private key %s can be read by others (mode %04o)\n", path,
			(unsigned)(st.st_mode & 07777));
	struct fv_sign_key *key = calloc(1, sizeof *key);
	if (!key || key_id(k, key->id)) {
		free(key);
		EVP_PKEY_free(k);
		snprintf(err, errlen, "out of memory");
		return FV_ENOMEM;
	}
	key->pkey = k;
	*out = key;
	return FV_OK;
}

void fv_sign_key_free(struct fv_sign_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

/* ---- the signature document ------------------------------------------------------ */

static const char *str_at(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);
	if (b)
		v = json_object_get(v, b);
	return json_string_value(v);
}

static int is_sha256(const char *s)
{
	if (!s || strlen(s) != 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

/*
 * The claims of a report: what it speaks for, copied out of it.  The report
 * must be one fwvet report with the image's SHA-256.
 */
static json_t *claims_of(json_t *rep, char *err, size_t errlen)
{
	if (!json_is_object(rep) || !json_is_string(json_object_get(rep, "fwvet"))) {
		snprintf(err, errlen, "expected one fwvet JSON report (an object with \"fwvet\"), found %s",
			 json_is_array(rep) ? "an array (a report of several images: sign each alone)" : "another document");
		return NULL;
	}
	const char *sha = str_at(rep, "image", "sha256");
	if (!is_sha256(sha)) {
		snprintf(err, errlen, "expected the image's SHA-256 in the report (image.sha256), found %s",
			 sha ? "a malformed one" : "none (a folder scanned as a root has no image to sign for)");
		return NULL;
	}
	json_t *c = json_object();
	json_t *tool = json_object_get(rep, "tool");
	json_object_set_new(c, "image_sha256", json_string(sha));
	json_object_set(c, "image_size", json_object_get(json_object_get(rep, "image"), "size"));
	json_object_set(c, "fwvet", json_object_get(rep, "fwvet"));
	json_object_set(c, "schema", json_object_get(rep, "schema"));
	static const char *const tool_keys[] = { "rules_sha256", "vulndb_date", "vulndb_sha256" };
	for (size_t i = 0; i < sizeof tool_keys / sizeof *tool_keys; i++) {
		json_t *v = json_object_get(tool, tool_keys[i]);
		json_object_set_new(c, tool_keys[i], v ? json_incref(v) : json_null());
	}
	return c;
}

/* What a signature is made over: the canonical form of the document without "signature". */
static int signed_bytes(json_t *doc, char **out, size_t *n)
{
	json_t *copy = json_copy(doc);
	if (!copy)
		return FV_ENOMEM;
	json_object_del(copy, "signature");
	int rc = canonical_of(copy, 0, out, n);
	json_decref(copy);
	return rc;
}

int fv_sign_report(const struct fv_sign_key *k, const char *report, size_t len, char **sig, char *err,
		   size_t errlen)
{
	*sig = NULL;
	json_t *rep = parse(report, len, "the report", err, errlen);
	if (!rep)
		return FV_EFORMAT;
	int rc = FV_ENOMEM;
	char *canon = NULL, *msg = NULL;
	size_t canon_len, msg_len;
	json_t *doc = NULL, *claims = claims_of(rep, err, errlen);
	if (!claims) {
		rc = FV_EFORMAT;
		goto done;
	}
	if (canonical_of(rep, 0, &canon, &canon_len))
		goto oom;
	char canon_sha[FV_SHA256_HEX], file_sha[FV_SHA256_HEX], ts[21];
	fv_sha256_hex(canon, canon_len, canon_sha);
	fv_sha256_hex(report, len, file_sha);
	fv_sbom_timestamp(ts);
	doc = json_pack("{s:i, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:I}, s:O}", "fwvet_signature", SIG_FORMAT,
			"algorithm", "Ed25519", "canonicalization", "RFC 8785", "key_id", k->id, "signed", ts,
			"report", "canonical_sha256", canon_sha, "file_sha256", file_sha, "file_size",
			(json_int_t)len, "claims", claims);
	if (!doc || signed_bytes(doc, &msg, &msg_len))
		goto oom;
	unsigned char raw[ED25519_SIG];
	size_t raw_len = sizeof raw;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
		 EVP_DigestSign(ctx, raw, &raw_len, (const unsigned char *)msg, msg_len) == 1 &&
		 raw_len == ED25519_SIG;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		rc = openssl_fail("OpenSSL could not sign", err, errlen);
		goto done;
	}
	char b64[4 * ((ED25519_SIG + 2) / 3) + 1];
	EVP_EncodeBlock((unsigned char *)b64, raw, ED25519_SIG);
	json_object_set_new(doc, "signature", json_string(b64));
	/* For a person: sorted and indented (the signature is over the canonical form, whatever the layout). */
	size_t n;
	if (canonical_of(doc, 1, sig, &n))
		goto oom;
	rc = FV_OK;
	goto done;
oom:
	snprintf(err, errlen, "out of memory");
	rc = FV_ENOMEM;
done:
	free(canon);
	free(msg);
	json_decref(claims);
	json_decref(doc);
	json_decref(rep);
	return rc;
}

/* ---- verification ------------------------------------------------------------------ */

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* A string claim, "none" for null, for messages and info lines. */
static const char *claim(json_t *c, const char *key)
{
	const char *s = str_at(c, key, NULL);
	return s ? s : "none";
}

int fv_verify_report(const struct fv_sign_key *pub, const char *report, size_t len, const char *sig,
		     size_t siglen, const char *image_sha256, int canonical_ok, char *info, size_t infolen,
		     char *err, size_t errlen)
{
	*err = 0;
	if (info && infolen)
		info[0] = 0;
	if (siglen > SIG_MAX)
		return fail(err, errlen, FV_EFORMAT, "the signature: expected a fwvet signature document of at most 64 KiB, found %zu bytes", siglen);
	json_t *doc = parse(sig, siglen, "the signature", err, errlen), *rep = NULL, *claims = NULL;
	char *msg = NULL, *canon = NULL;
	size_t msg_len, canon_len;
	int rc = FV_EFORMAT;
	if (!doc)
		return FV_EFORMAT;
	json_t *ver = json_object_get(doc, "fwvet_signature");
	const char *alg = str_at(doc, "algorithm", NULL), *b64 = str_at(doc, "signature", NULL);
	const char *kid = str_at(doc, "key_id", NULL);
	json_t *signed_claims = json_object_get(doc, "claims");
	if (!json_is_number(ver) || json_number_value(ver) != SIG_FORMAT || !alg || strcmp(alg, "Ed25519") ||
	    !b64 || !is_sha256(kid) || !json_is_object(signed_claims) ||
	    !is_sha256(str_at(doc, "report", "canonical_sha256")) || !is_sha256(str_at(doc, "report", "file_sha256"))) {
		rc = fail(err, errlen, FV_EFORMAT,
			 "the signature: expected a fwvet signature document (fwvet_signature 1, Ed25519, key_id,"
			 " report digests, claims, signature), found %s",
			 json_is_object(doc) ? "one with fields missing or malformed" : "another JSON value");
		goto done;
	}
	/* The key first: "signed by another key" says more than "bad signature". */
	if (strcmp(kid, pub->id)) {
		rc = fail(err, errlen, FV_EFORMAT, "signed by another key: the signature names key %s, the key given is %s",
			 kid, pub->id);
		goto done;
	}
	/* 64 bytes are 88 base64 characters ending in "=="; EVP_DecodeBlock counts the padding as 2 bytes. */
	unsigned char raw[3 * ((ED25519_SIG + 2) / 3)];
	size_t b64len = strlen(b64);
	if (b64len != 4 * ((ED25519_SIG + 2) / 3) || strcmp(b64 + b64len - 2, "==") ||
	    EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)b64len) != (int)sizeof raw) {
		rc = fail(err, errlen, FV_EFORMAT, "the signature: expected 64 bytes in base64, found '%.100s'", b64);
		goto done;
	}
	if (signed_bytes(doc, &msg, &msg_len)) {
		rc = fail(err, errlen, FV_ENOMEM, "out of memory");
		goto done;
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pub->pkey) == 1 &&
		 EVP_DigestVerify(ctx, raw, ED25519_SIG, (const unsigned char *)msg, msg_len) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		rc = fail(err, errlen, FV_EFORMAT,
			 "the signature does not match: the signature document was changed after it was signed");
		goto done;
	}
	/* The signature document is authentic; now the report it speaks for. */
	if (!(rep = parse(report, len, "the report", err, errlen)))
		goto done;
	if (canonical_of(rep, 0, &canon, &canon_len)) {
		rc = fail(err, errlen, FV_ENOMEM, "out of memory");
		goto done;
	}
	char sha[FV_SHA256_HEX];
	fv_sha256_hex(canon, canon_len, sha);
	if (strcmp(sha, str_at(doc, "report", "canonical_sha256"))) {
		rc = fail(err, errlen, FV_EFORMAT,
			 "the report was changed after it was signed: its content (canonical SHA-256 %s) is not the"
			 " content signed (%s)",
			 sha, str_at(doc, "report", "canonical_sha256"));
		goto done;
	}
	fv_sha256_hex(report, len, sha);
	int same_bytes = !strcmp(sha, str_at(doc, "report", "file_sha256"));
	if (!same_bytes && !canonical_ok) {
		rc = fail(err, errlen, FV_EFORMAT,
			 "the report's bytes were changed after it was signed (SHA-256 %s, signed %s), although its"
			 " JSON content is the same: re-formatted? (--canonical accepts that)",
			 sha, str_at(doc, "report", "file_sha256"));
		goto done;
	}
	/* The claims were copied out of this content when it was signed; a document whose claims disagree is forged by the key holder or broken. */
	if (!(claims = claims_of(rep, err, errlen)))
		goto done;
	if (!json_equal(claims, signed_claims)) {
		rc = fail(err, errlen, FV_EFORMAT,
			 "the signature's claims do not agree with the report (image %s signed, %s in the report)",
			 claim(signed_claims, "image_sha256"), claim(claims, "image_sha256"));
		goto done;
	}
	if (image_sha256 && strcmp(image_sha256, claim(claims, "image_sha256"))) {
		rc = fail(err, errlen, FV_EFORMAT,
			 "the report is not the report of this image: it speaks for SHA-256 %s, the image has %s",
			 claim(claims, "image_sha256"), image_sha256);
		goto done;
	}
	if (info)
		snprintf(info, infolen,
			 "signature     good (Ed25519, key %s)\n"
			 "signed        %s\n"
			 "report        %s\n"
			 "image sha256  %s%s\n"
			 "fwvet         %s\n"
			 "rules sha256  %s\n"
			 "vulndb        %s%s%s\n",
			 pub->id, claim(doc, "signed"),
			 same_bytes ? "the exact bytes signed" : "re-formatted: the same JSON content as signed",
			 claim(claims, "image_sha256"), image_sha256 ? " (matches the image)" : " (no image given)",
			 claim(claims, "fwvet"), claim(claims, "rules_sha256"),
			 str_at(claims, "vulndb_sha256", NULL) ? claim(claims, "vulndb_date") : "none imported",
			 str_at(claims, "vulndb_sha256", NULL) ? ", sha256 " : " (curated rules/vulns only)",
			 str_at(claims, "vulndb_sha256", NULL) ? claim(claims, "vulndb_sha256") : "");
	rc = FV_OK;
done:
	free(msg);
	free(canon);
	json_decref(claims);
	json_decref(rep);
	json_decref(doc);
	return rc;
}
