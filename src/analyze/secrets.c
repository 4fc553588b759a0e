/*
 * Secrets: private keys, certificates, and tokens or cloud credentials of
 * known formats, in every file, text or binary (keys are compiled into
 * binaries too).
 *
 * One vectorscan pass over each file finds candidates: PEM armour, raw
 * OpenSSH key containers, the first bytes of DER private keys and
 * certificates, and the token patterns of rules/secrets/tokens.rules.  No
 * pattern is a finding by itself.  A PEM body must decode, DER must be
 * well-formed TLV of the expected shape and then decode with OpenSSL, and a
 * private key must check out (n = p*q for RSA, the public value for EC and
 * DSA, the embedded public key for OpenSSH and dropbear, random bytes for
 * the 25519/448 families, of which any bytes are a key): libraries such as
 * OpenSSL carry "-----BEGIN RSA PRIVATE KEY-----" as a string, and binaries
 * are full of bytes that look like ASN.1 headers.
 *
 * Keys and certificates leave a fingerprint of their public key (SHA-256 of
 * the DER SubjectPublicKeyInfo); finish() pairs them image-wide to find the
 * certificates whose private key ships too (FV-SECR-002).
 *
 * Where a secret sits matters: an SDK's test vectors and examples are public
 * by design, and a trust store is a list of other people's certificates.
 * rules/secrets/paths.rules names those places, so when the paths holding one
 * content differ in kind, findings are made path by path.
 */
#include "analyze/analyze.h"
#include "core/buf.h"
#include "core/cursor.h"
#include "core/err.h"
#include "core/hscache.h"
#include "core/hspool.h"
#include "core/map.h"
#include "unpack/engine.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <hs/hs.h>
#include <jansson.h>
#include <limits.h>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WINDOW ((size_t)32 << 20) /* bytes scanned per vectorscan call */
#define MAX_CANDS ((size_t)1 << 18) /* candidates kept per window; a hostile file loses the rest */
#define MAX_FINDINGS 1000           /* per file */
#define MAX_PEM_BODY ((size_t)1 << 20) /* base64 characters */
#define MAX_TOKEN_WIDTH 1024
#define BUNDLE 8                    /* more certificates than this in one file: one summary */
#define MAX_REFS ((size_t)1 << 20)  /* public keys remembered per image for FV-SECR-002 */
#define AWS_NEAR 256                /* bytes around an access key id searched for its secret */

/* ---- candidate patterns ------------------------------------------------- */

enum kind { K_PEM, K_SSH, K_DER_PRIV, K_DER_EC, K_DER_P8, K_DER_EP8, K_DER_CERT };

/*
 * Every built-in pattern has a fixed match length, so a candidate starts
 * that many bytes before the match end and needs no start-of-match tracking.
 * The DER patterns are the first bytes of each structure (SEQUENCE, version,
 * first field) at every length form a real object of that kind uses.
 */
static const struct builtin {
	const char *re;
	unsigned len;
	enum kind kind;
} builtins[] = {
	{ "-----BEGIN ", 11, K_PEM },
	{ "openssh-key-v1\\x00", 15, K_SSH },
	/* RSAPrivateKey / DSA: version 0, then a long INTEGER (n or p) */
	{ "\\x30\\x82..\\x02\\x01\\x00\\x02[\\x41\\x81\\x82]", 9, K_DER_PRIV },
	/* ECPrivateKey (SEC1): version 1, then the private key OCTET STRING */
	{ "\\x30[\\x3e-\\x7f]\\x02\\x01\\x01\\x04[\\x18-\\x42]", 7, K_DER_EC },
	{ "\\x30\\x81.\\x02\\x01\\x01\\x04[\\x18-\\x42]", 8, K_DER_EC },
	{ "\\x30\\x82..\\x02\\x01\\x01\\x04[\\x18-\\x42]", 9, K_DER_EC },
	/* PKCS#8 PrivateKeyInfo / OneAsymmetricKey: version, AlgorithmIdentifier */
	{ "\\x30[\\x2e-\\x7f]\\x02\\x01[\\x00\\x01]\\x30[\\x05-\\x1f]\\x06", 8, K_DER_P8 },
	{ "\\x30\\x81.\\x02\\x01[\\x00\\x01]\\x30[\\x05-\\x1f]\\x06", 9, K_DER_P8 },
	{ "\\x30\\x82..\\x02\\x01[\\x00\\x01]\\x30[\\x05-\\x1f]\\x06", 10, K_DER_P8 },
	/* EncryptedPrivateKeyInfo: PBES2 (1.2.840.113549.1.5.13) or a PKCS#12 PBE */
	{ "\\x30\\x81.\\x30[\\x1a-\\x7f]\\x06\\x09\\x2a\\x86\\x48\\x86\\xf7\\x0d\\x01"
	  "(?:\\x05\\x0d|\\x0c\\x01)", 18, K_DER_EP8 },
	{ "\\x30\\x82..\\x30[\\x1a-\\x7f]\\x06\\x09\\x2a\\x86\\x48\\x86\\xf7\\x0d\\x01"
	  "(?:\\x05\\x0d|\\x0c\\x01)", 19, K_DER_EP8 },
	/* X.509: Certificate { TBSCertificate { [0] version | serial ... */
	{ "\\x30\\x82..\\x30\\x82..\\xa0\\x03\\x02\\x01[\\x00-\\x02]", 13, K_DER_CERT },
	{ "\\x30\\x82..\\x30\\x82..\\x02[\\x01-\\x14]", 9, K_DER_CERT },
};
#define NBUILTIN (sizeof builtins / sizeof builtins[0])

/* ---- rules --------------------------------------------------------------- */

enum confirm { CONFIRM_NONE, CONFIRM_AWS_SECRET };

struct token_rule {
	char *name, *re, *title;
	enum fv_severity sev;
	unsigned prefix;
	enum confirm confirm;
};

enum pmatch { PM_DIR, PM_PREFIX, PM_NAME };
enum pclass { PC_PLAIN, PC_EXAMPLE, PC_TRUST };

struct path_rule {
	enum pmatch how;
	enum pclass cls;
	char *value;
};

/* A public key seen in this image: of a private key, or of a certificate. */
struct pubref {
	uint8_t fp[32];
	uint8_t cert;
	size_t content;
	uint64_t offset;
	char *desc;    /* a key's type and size */
	uint8_t *subj; /* a certificate's subject, DER (formatted only when it pairs) */
	size_t subjlen;
};

/* A published key (a library's self-test key): its public key's fingerprint and a name. */
struct known {
	uint8_t fp[32];
	char *label;
};

struct secrets {
	hs_database_t *db;
	struct fv_hspool scratch;
	size_t span; /* the widest match: windows overlap by this much */
	struct token_rule *tok;
	size_t ntok, captok;
	struct path_rule *paths;
	size_t npaths, cappaths;
	struct known *known; /* sorted by fp after init */
	size_t nknown, capknown;
	pthread_mutex_t lock; /* guards refs */
	struct pubref *refs;
	size_t nrefs, caprefs;
};

/* ---- small helpers ------------------------------------------------------- */

/* Copies at most n bytes of s into out, replacing what a report should not carry. */
static void printable(char *out, size_t cap, const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n && s[i] && k + 1 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		out[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
	}
	if (cap)
		out[k] = 0;
}

/* Bytes inside the mapped file (or a decoded PEM body). */
struct sbuf {
	const uint8_t *p;
	size_t n;
};

static const char *basename_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* ---- rules files --------------------------------------------------------- */

/* The whole file, NUL-terminated; NULL with errno set when it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct fv_buf b = { 0 };
	char tmp[8192];
	size_t k;
	while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
		if (fv_buf_append(&b, tmp, k)) {
			fclose(f);
			fv_buf_free(&b);
			return NULL;
		}
	int bad = ferror(f);
	fclose(f);
	if (bad || fv_buf_append(&b, "", 1)) {
		fv_buf_free(&b);
		return NULL;
	}
	*len = b.len - 1;
	return (char *)b.data;
}

/* The next blank-separated field of *s, or NULL at the end of the line. */
static char *field(char **s)
{
	char *p = *s;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return NULL;
	char *e = p;
	while (*e && *e != ' ' && *e != '\t')
		e++;
	if (*e)
		*e++ = 0;
	*s = e;
	return p;
}

static int parse_sev(const char *s, enum fv_severity *out)
{
	static const char *const names[] = { "info", "low", "medium", "high", "critical" };
	for (int i = 0; i < 5; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum fv_severity)i;
			return 1;
		}
	return 0;
}

typedef int (*line_fn)(struct fv_actx *a, struct secrets *st, const char *where, char *line);

/* Calls fn for each line of path that is neither blank nor a comment. */
static int read_rules(struct fv_actx *a, struct secrets *st, const char *path, int must, line_fn fn)
{
	size_t len;
	char *text = slurp(path, &len);
	if (!text) {
		if (!must)
			return 0;
		fv_actx_fail(a, "%s: cannot read the secrets rules: %s", path, strerror(errno));
		return FV_EIO;
	}
	int rc = 0;
	size_t lineno = 0;
	for (char *p = text, *next; p && *p && rc == 0; p = next) {
		lineno++;
		next = strchr(p, '\n');
		if (next)
			*next++ = 0;
		size_t n = strlen(p);
		while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
			p[--n] = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		if (memchr(p, 0, n) != NULL && strlen(p) != n) {
			fv_actx_fail(a, "%s:%zu: expected text, found a NUL byte", path, lineno);
			rc = FV_EFORMAT;
			break;
		}
		char where[600];
		snprintf(where, sizeof where, "%s:%zu", path, lineno);
		rc = fn(a, st, where, p);
	}
	free(text);
	return rc;
}

static int token_line(struct fv_actx *a, struct secrets *st, const char *where, char *line)
{
	char *s = line;
	char *name = field(&s), *sev = field(&s), *prefix = field(&s), *confirm = field(&s),
	     *re = field(&s);
	while (*s == ' ' || *s == '\t')
		s++;
	if (!re || !*s) {
		fv_actx_fail(a, "%s: expected name, severity, prefix, confirm, regex and title, "
				"found \"%s\"", where, line);
		return FV_EFORMAT;
	}
	struct token_rule r = { 0 };
	for (const char *c = name; *c; c++)
		if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-')) {
			fv_actx_fail(a, "%s: expected a name of a-z, 0-9 and -, found \"%s\"", where, name);
			return FV_EFORMAT;
		}
	if (!parse_sev(sev, &r.sev)) {
		fv_actx_fail(a, "%s: expected a severity (critical, high, medium, low, info), "
				"found \"%s\"", where, sev);
		return FV_EFORMAT;
	}
	char *end;
	unsigned long pl = strtoul(prefix, &end, 10);
	if (*end || end == prefix || pl > 64) {
		fv_actx_fail(a, "%s: expected a prefix length of 0 to 64, found \"%s\"", where, prefix);
		return FV_EFORMAT;
	}
	r.prefix = (unsigned)pl;
	if (strcmp(confirm, "-") == 0)
		r.confirm = CONFIRM_NONE;
	else if (strcmp(confirm, "aws-secret") == 0)
		r.confirm = CONFIRM_AWS_SECRET;
	else {
		fv_actx_fail(a, "%s: expected confirm \"-\" or \"aws-secret\", found \"%s\"", where,
			     confirm);
		return FV_EFORMAT;
	}
	hs_expr_info_t *info = NULL;
	hs_compile_error_t *cerr = NULL;
	if (hs_expression_info(re, HS_FLAG_SOM_LEFTMOST, &info, &cerr) != HS_SUCCESS) {
		fv_actx_fail(a, "%s: regex \"%s\" does not compile: %s", where, re,
			     cerr ? cerr->message : "unknown error");
		hs_free_compile_error(cerr);
		return FV_EFORMAT;
	}
	unsigned minw = info->min_width, maxw = info->max_width;
	free(info);
	if (maxw > MAX_TOKEN_WIDTH || minw <= r.prefix) {
		fv_actx_fail(a, "%s: regex \"%s\" must match more than its %u-character prefix and "
				"at most %d characters; it matches %u to %s", where, re, r.prefix,
			     MAX_TOKEN_WIDTH, minw, maxw == UINT_MAX ? "unbounded" : "more");
		return FV_EFORMAT;
	}
	if (maxw > st->span)
		st->span = maxw;
	r.name = strdup(name);
	r.re = strdup(re);
	r.title = strdup(s);
	if (!r.name || !r.re || !r.title || fv_grow(&st->tok, &st->captok, st->ntok, sizeof *st->tok)) {
		free(r.name), free(r.re), free(r.title);
		fv_actx_fail(a, "%s: out of memory", where);
		return FV_ENOMEM;
	}
	st->tok[st->ntok++] = r;
	return 0;
}

static int path_line(struct fv_actx *a, struct secrets *st, const char *where, char *line)
{
	char *s = line;
	char *how = field(&s), *cls = field(&s), *value = field(&s);
	if (!value || field(&s)) {
		fv_actx_fail(a, "%s: expected kind, class and one value, found \"%s\"", where, line);
		return FV_EFORMAT;
	}
	struct path_rule r;
	if (strcmp(how, "dir") == 0)
		r.how = PM_DIR;
	else if (strcmp(how, "prefix") == 0)
		r.how = PM_PREFIX;
	else if (strcmp(how, "name") == 0)
		r.how = PM_NAME;
	else {
		fv_actx_fail(a, "%s: expected kind dir, prefix or name, found \"%s\"", where, how);
		return FV_EFORMAT;
	}
	if (strcmp(cls, "example") == 0)
		r.cls = PC_EXAMPLE;
	else if (strcmp(cls, "trust") == 0)
		r.cls = PC_TRUST;
	else {
		fv_actx_fail(a, "%s: expected class example or trust, found \"%s\"", where, cls);
		return FV_EFORMAT;
	}
	r.value = strdup(value);
	if (!r.value || fv_grow(&st->paths, &st->cappaths, st->npaths, sizeof *st->paths)) {
		free(r.value);
		fv_actx_fail(a, "%s: out of memory", where);
		return FV_ENOMEM;
	}
	st->paths[st->npaths++] = r;
	return 0;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
					    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int known_line(struct fv_actx *a, struct secrets *st, const char *where, char *line)
{
	char *s = line;
	char *hex = field(&s);
	while (*s == ' ' || *s == '\t')
		s++;
	struct known k;
	if (strlen(hex) != 64 || !*s) {
		fv_actx_fail(a, "%s: expected 64 hex digits (SHA-256 of the public key's DER "
				"SubjectPublicKeyInfo) and a name, found \"%s\"", where, line);
		return FV_EFORMAT;
	}
	for (int i = 0; i < 32; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			fv_actx_fail(a, "%s: expected hex digits, found \"%s\"", where, hex);
			return FV_EFORMAT;
		}
		k.fp[i] = (uint8_t)(hi << 4 | lo);
	}
	k.label = strdup(s);
	if (!k.label || fv_grow(&st->known, &st->capknown, st->nknown, sizeof *st->known)) {
		free(k.label);
		fv_actx_fail(a, "%s: out of memory", where);
		return FV_ENOMEM;
	}
	st->known[st->nknown++] = k;
	return 0;
}

static int known_cmp(const void *a, const void *b)
{
	return memcmp(((const struct known *)a)->fp, ((const struct known *)b)->fp, 32);
}

static const struct known *known_find(const struct secrets *st, const uint8_t fp[32])
{
	struct known k;
	memcpy(k.fp, fp, 32);
	return st->nknown ? bsearch(&k, st->known, st->nknown, sizeof *st->known, known_cmp) : NULL;
}

/* Example beats trust: a CA certificate in an SDK's examples is still an example. */
static enum pclass path_class(const struct secrets *st, const char *member)
{
	enum pclass best = PC_PLAIN;
	const char *base = basename_of(member);
	for (size_t i = 0; i < st->npaths && best != PC_EXAMPLE; i++) {
		const struct path_rule *r = &st->paths[i];
		int hit = 0;
		if (r->how == PM_PREFIX) {
			hit = strncmp(member, r->value, strlen(r->value)) == 0;
		} else if (r->how == PM_NAME) {
			hit = fnmatch(r->value, base, FNM_CASEFOLD) == 0;
		} else {
			size_t vl = strlen(r->value);
			for (const char *p = member; *p && !hit; ) {
				while (*p == '/')
					p++;
				const char *e = strchr(p, '/');
				if (!e)
					break; /* the last component is the file, not a folder */
				hit = (size_t)(e - p) == vl && strncasecmp(p, r->value, vl) == 0;
				p = e;
			}
		}
		if (hit && (best == PC_PLAIN || r->cls == PC_EXAMPLE))
			best = r->cls;
	}
	return best;
}

/* ---- init / fini ---------------------------------------------------------- */

static void fini(void *state)
{
	struct secrets *st = state;
	if (!st)
		return;
	fv_hspool_free(&st->scratch);
	hs_free_database(st->db);
	for (size_t i = 0; i < st->ntok; i++)
		free(st->tok[i].name), free(st->tok[i].re), free(st->tok[i].title);
	free(st->tok);
	for (size_t i = 0; i < st->npaths; i++)
		free(st->paths[i].value);
	free(st->paths);
	for (size_t i = 0; i < st->nknown; i++)
		free(st->known[i].label);
	free(st->known);
	for (size_t i = 0; i < st->nrefs; i++)
		free(st->refs[i].desc), free(st->refs[i].subj);
	free(st->refs);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

static int compile(struct fv_actx *a, struct secrets *st)
{
	size_t n = NBUILTIN + st->ntok;
	const char **expr = calloc(n, sizeof *expr);
	unsigned *flags = calloc(n, sizeof *flags), *ids = calloc(n, sizeof *ids);
	int rc = 0;
	if (!expr || !flags || !ids) {
		fv_actx_fail(a, "out of memory compiling the secrets patterns");
		rc = FV_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		ids[i] = (unsigned)i;
		if (i < NBUILTIN) {
			expr[i] = builtins[i].re;
			flags[i] = HS_FLAG_DOTALL;
			if (builtins[i].len > st->span)
				st->span = builtins[i].len;
		} else {
			expr[i] = st->tok[i - NBUILTIN].re;
			flags[i] = HS_FLAG_SOM_LEFTMOST;
		}
	}
	hs_compile_error_t *cerr = NULL;
	if (fv_hs_compile_cached(expr, flags, ids, (unsigned)n, &st->db, &cerr) !=
	    HS_SUCCESS) {
		int bad = cerr ? cerr->expression : -1;
		fv_actx_fail(a, "secrets pattern %s does not compile: %s",
			     bad >= 0 && (size_t)bad < n ? expr[bad] : "(all)",
			     cerr ? cerr->message : "unknown error");
		hs_free_compile_error(cerr);
		st->db = NULL;
		rc = FV_EFORMAT;
		goto out;
	}
	if (fv_hspool_init(&st->scratch, st->db) != 0) {
		fv_actx_fail(a, "out of memory for the secrets pattern scratch");
		rc = FV_ENOMEM;
	}
out:
	free(expr), free(flags), free(ids);
	return rc;
}

static int init(struct fv_actx *a, void **state)
{
	struct secrets *st = calloc(1, sizeof *st);
	if (!st) {
		fv_actx_fail(a, "out of memory loading the secrets rules");
		return FV_ENOMEM;
	}
	pthread_mutex_init(&st->lock, NULL);
	char path[4096];
	int rc = 0;
	const char *dirs[2] = { fv_actx_rules_dir(a), fv_actx_user_rules(a) };
	for (int i = 0; i < 2 && rc == 0; i++) {
		if (!dirs[i])
			continue;
		/* The shipped files must be there; a user's folder may hold either, or neither. */
		snprintf(path, sizeof path, "%s/secrets/tokens.rules", dirs[i]);
		rc = read_rules(a, st, path, i == 0, token_line);
		if (rc == 0) {
			snprintf(path, sizeof path, "%s/secrets/paths.rules", dirs[i]);
			rc = read_rules(a, st, path, i == 0, path_line);
		}
		if (rc == 0) {
			snprintf(path, sizeof path, "%s/secrets/known-keys.rules", dirs[i]);
			rc = read_rules(a, st, path, i == 0, known_line);
		}
	}
	if (st->nknown)
		qsort(st->known, st->nknown, sizeof *st->known, known_cmp);
	if (rc == 0)
		rc = compile(a, st);
	if (rc) {
		fini(st);
		return rc;
	}
	*state = st;
	return 0;
}

/* ---- one file ------------------------------------------------------------- */

struct cand {
	uint64_t start, end;
	unsigned id;
};

struct certrep {
	uint64_t off;
	int expired;
	char title[320];
	char ev[640];
};

struct fctx {
	struct fv_actx *a;
	struct secrets *st;
	const struct fv_afile *f;
	const uint8_t *d;
	size_t n;
	size_t base, own_end; /* the window being scanned; it owns starts before own_end */
	struct cand *c;
	size_t nc, capc;
	size_t covered; /* candidates starting before this lie inside something accepted */
	unsigned nfind;
	int uniform;       /* every path of this content is of one class ... */
	enum pclass cls;   /* ... this one */
	struct certrep certs[BUNDLE + 1];
	size_t ncerts, nexpired;
	/* For the analysis cache: the keys and certificates kept for finish(), and when the first
	 * certificate seen unexpired expires (a replay after that would be wrong). */
	json_t *refs;
	int64_t until;
};

struct rep {
	const char *rule, *category;
	enum fv_severity sev;
	enum fv_conf conf;
	uint64_t off;
	const char *ev, *title;
};

static const char EXAMPLE_NOTE[] = " in a test/example folder";

/* What a path's class makes of a finding; 0 when it is not reported there. */
static int adjust(const struct rep *r, enum pclass cls, enum fv_severity *sev, enum fv_conf *conf,
		  const char **note)
{
	*sev = r->sev;
	*conf = r->conf;
	*note = "";
	int cert = strcmp(r->rule, "FV-SECR-003") == 0;
	if (cls == PC_TRUST && cert)
		return 0;
	if (cls == PC_EXAMPLE) {
		if (!cert && *sev > FV_SEV_LOW)
			*sev = FV_SEV_LOW;
		*conf = FV_CONF_LOW;
		*note = EXAMPLE_NOTE;
	}
	return 1;
}

/* Reports r at every path that holds content ci, each with its own class. */
static void emit_paths(struct fv_actx *a, const struct secrets *st, size_t ci, const struct rep *r)
{
	const struct fv_inventory *inv = fv_actx_inventory(a);
	if (!inv || ci >= inv->ncontents)
		return;
	const struct fv_content *c = &inv->contents[ci];
	for (size_t i = 0; i < c->nfiles; i++) {
		const struct fv_file *file = &inv->files[c->files[i]];
		enum fv_severity sev;
		enum fv_conf conf;
		const char *note;
		if (adjust(r, path_class(st, file->member), &sev, &conf, &note))
			fv_actx_finding_at(a, file, r->rule, r->category, sev, conf, r->off, r->ev,
					   "%s%s", r->title, note);
	}
}

static void emit(struct fctx *x, const struct rep *r)
{
	if (x->nfind >= MAX_FINDINGS)
		return;
	x->nfind++;
	if (!x->uniform) {
		emit_paths(x->a, x->st, x->f->file->content, r);
		return;
	}
	enum fv_severity sev;
	enum fv_conf conf;
	const char *note;
	if (adjust(r, x->cls, &sev, &conf, &note))
		fv_actx_finding(x->a, x->f, r->rule, r->category, sev, conf, r->off, r->ev, "%s%s",
				r->title, note);
}

static void classify_paths(struct fctx *x)
{
	const struct fv_inventory *inv = fv_actx_inventory(x->a);
	size_t ci = x->f->file->content;
	x->uniform = 1;
	x->cls = path_class(x->st, x->f->file->member);
	if (!inv || ci >= inv->ncontents)
		return;
	const struct fv_content *c = &inv->contents[ci];
	for (size_t i = 0; i < c->nfiles && x->uniform; i++)
		if (path_class(x->st, inv->files[c->files[i]].member) != x->cls)
			x->uniform = 0;
}

/* ---- public keys for FV-SECR-002 ----------------------------------------------- */

/*
 * SHA-256 of the key's SubjectPublicKeyInfo.  EC points are encoded
 * uncompressed on both sides, so a certificate and a key that encode the
 * same point differently still pair.
 */
static int pub_fp(EVP_PKEY *k, uint8_t fp[32])
{
	if (EVP_PKEY_is_a(k, "EC"))
		EVP_PKEY_set_utf8_string_param(k, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
					       OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED);
	unsigned char *der = NULL;
	int len = i2d_PUBKEY(k, &der);
	if (len <= 0) {
		ERR_clear_error();
		return 0;
	}
	unsigned int mdlen = 0;
	int ok = EVP_Digest(der, (size_t)len, fp, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32;
	OPENSSL_free(der);
	return ok;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

/* The ref as restore() reads it: [fingerprint, cert, offset, desc|null, subject DER in hex|null]. */
static void keep_ref(struct fctx *x, const uint8_t fp[32], int cert, uint64_t off, const char *desc,
		     struct sbuf subj)
{
	char fph[65], *sh = subj.n ? malloc(subj.n * 2 + 1) : NULL;
	if ((subj.n && !sh) || off > INT64_MAX || (!x->refs && !(x->refs = json_array()))) {
		free(sh);
		fv_actx_nocache(x->a);
		return;
	}
	hex(fp, 32, fph);
	if (sh)
		hex(subj.p, subj.n, sh);
	if (json_array_append_new(x->refs, json_pack("[s i I s? s?]", fph, cert, (json_int_t)off, desc, sh)))
		fv_actx_nocache(x->a);
	free(sh);
}

static void add_ref(struct fctx *x, const uint8_t fp[32], int cert, uint64_t off, const char *desc,
		    struct sbuf subj)
{
	struct pubref r = { .cert = (uint8_t)cert, .content = x->f->file->content, .offset = off };
	memcpy(r.fp, fp, 32);
	r.desc = desc ? strdup(desc) : NULL;
	r.subj = subj.n ? malloc(subj.n) : NULL;
	if ((desc && !r.desc) || (subj.n && !r.subj)) {
		free(r.desc), free(r.subj);
		return;
	}
	if (subj.n)
		memcpy(r.subj, subj.p, subj.n), r.subjlen = subj.n;
	struct secrets *st = x->st;
	int kept = 0;
	pthread_mutex_lock(&st->lock);
	if (st->nrefs < MAX_REFS &&
	    fv_grow(&st->refs, &st->caprefs, st->nrefs, sizeof *st->refs) == 0) {
		st->refs[st->nrefs++] = r;
		r.desc = NULL, r.subj = NULL;
		kept = 1;
	}
	pthread_mutex_unlock(&st->lock);
	if (!kept)
		fv_actx_nocache(x->a); /* a replay might keep it: not the same image */
	else if (fv_actx_recording(x->a))
		keep_ref(x, fp, cert, off, desc, subj);
	free(r.desc), free(r.subj);
}

/* ---- keys ----------------------------------------------------------------------- */

/* "RSA 2048-bit", "EC P-256", "ED25519": what a person calls the key. */
static void key_desc(EVP_PKEY *k, char *out, size_t cap)
{
	const char *type = EVP_PKEY_get0_type_name(k);
	int bits = EVP_PKEY_get_bits(k);
	if (!type)
		type = OBJ_nid2sn(EVP_PKEY_get_base_id(k));
	if (EVP_PKEY_is_a(k, "EC")) {
		char group[64] = "";
		size_t gl = 0;
		if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
						   &gl)) {
			const char *nist = EC_curve_nid2nist(OBJ_sn2nid(group));
			snprintf(out, cap, "EC %s (%d-bit)", nist ? nist : group, bits);
			return;
		}
	}
	snprintf(out, cap, "%s %d-bit", type ? type : "unknown", bits);
}

static int rsa_factors_ok(EVP_PKEY *k)
{
	BIGNUM *n = NULL, *p = NULL, *q = NULL, *t = BN_new();
	BN_CTX *ctx = BN_CTX_new();
	int ok = t && ctx && EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) &&
		 EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_FACTOR1, &p) &&
		 EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_FACTOR2, &q) && !BN_is_one(p) &&
		 !BN_is_one(q) && BN_mul(t, p, q, ctx) && BN_cmp(t, n) == 0;
	BN_free(n), BN_free(p), BN_free(q), BN_free(t);
	BN_CTX_free(ctx);
	return ok;
}

/*
 * Whether a decoded private key is a key and not bytes that happened to
 * decode: RSA's modulus is the product of its primes (cheap, unlike the
 * full primality check), EC and DSA hold the public value that their
 * private value gives.
 */
static int key_ok(EVP_PKEY *k)
{
	if (EVP_PKEY_is_a(k, "RSA") || EVP_PKEY_is_a(k, "RSA-PSS"))
		return rsa_factors_ok(k);
	if (EVP_PKEY_is_a(k, "EC") || EVP_PKEY_is_a(k, "DSA") || EVP_PKEY_is_a(k, "DH") ||
	    EVP_PKEY_is_a(k, "DHX")) {
		EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
		int ok = c && EVP_PKEY_pairwise_check(c) == 1;
		EVP_PKEY_CTX_free(c);
		return ok;
	}
	/*
	 * Any 32 (57) bytes are a 25519 (448) private key, so a PKCS#8 prefix
	 * that a program keeps as a constant "decodes" with whatever follows
	 * it.  A generated key is random bytes; program bytes are not.
	 */
	uint8_t raw[64], seen[256] = { 0 };
	size_t n = sizeof raw, distinct = 0;
	if (EVP_PKEY_get_raw_private_key(k, raw, &n) != 1 || n < 32 || n > sizeof raw)
		return 0;
	for (size_t i = 0; i < n; i++)
		distinct += !seen[raw[i]], seen[raw[i]] = 1;
	return distinct * 8 >= n * 5;
}

/*
 * A private key in the clear.  pub (the key, or its public half; NULL when
 * none could be made) gives the fingerprint that pairs it with certificates,
 * names it when it is a published test key, and goes into the evidence, so
 * that a reviewer can look the key up and add it to known-keys.rules.
 */
static void private_key(struct fctx *x, EVP_PKEY *pub, uint64_t off, const char *desc,
			const char *how, const char *ev)
{
	uint8_t fp[32];
	int have = pub && pub_fp(pub, fp);
	const struct known *kn = have ? known_find(x->st, fp) : NULL;
	char title[400], evfp[640];
	if (kn)
		snprintf(title, sizeof title, "%s private key (%s), the published test key %s", desc,
			 how, kn->label);
	else
		snprintf(title, sizeof title, "%s private key (%s)", desc, how);
	int k = snprintf(evfp, sizeof evfp, "%s", ev);
	if (have) {
		add_ref(x, fp, 0, off, desc, (struct sbuf){ 0 });
		k += snprintf(evfp + k, sizeof evfp - (size_t)k, " pub-sha256:");
		for (int i = 0; i < 32 && (size_t)k + 3 < sizeof evfp; i++)
			k += snprintf(evfp + k, sizeof evfp - (size_t)k, "%02x", fp[i]);
	}
	/* Anyone has a published key: not a secret of this product, unless a certificate uses it. */
	struct rep r = { "FV-SECR-001", "secret", kn ? FV_SEV_LOW : FV_SEV_HIGH, FV_CONF_HIGH, off,
			 evfp, title };
	emit(x, &r);
}

static void key_found(struct fctx *x, EVP_PKEY *k, uint64_t off, const char *how, const char *ev)
{
	char desc[96];
	key_desc(k, desc, sizeof desc);
	private_key(x, k, off, desc, how, ev);
}

static void encrypted_found(struct fctx *x, const char *what, const char *how, uint64_t off,
			    const char *ev)
{
	char title[320];
	snprintf(title, sizeof title, "Encrypted %sprivate key (%s)", what, how);
	struct rep r = { "FV-SECR-001", "secret", FV_SEV_MEDIUM, FV_CONF_HIGH, off, ev, title };
	emit(x, &r);
}

/* The cipher of an EncryptedPrivateKeyInfo: "PBES2 aes-256-cbc", or the PBE's name. */
static void p8_cipher(const X509_SIG *sig, char *out, size_t cap)
{
	const X509_ALGOR *alg = NULL;
	X509_SIG_get0(sig, &alg, NULL);
	const ASN1_OBJECT *obj = NULL;
	const void *pval = NULL;
	int ptype = 0;
	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	int nid = OBJ_obj2nid(obj);
	snprintf(out, cap, "%s", nid != NID_undef ? OBJ_nid2sn(nid) : "unknown PBE");
	if (nid == NID_pbes2 && ptype == V_ASN1_SEQUENCE) {
		PBE2PARAM *p = ASN1_item_unpack(pval, ASN1_ITEM_rptr(PBE2PARAM));
		if (p && p->encryption) {
			int cn = OBJ_obj2nid(p->encryption->algorithm);
			if (cn != NID_undef)
				snprintf(out, cap, "PBES2 %s", OBJ_nid2sn(cn));
		}
		PBE2PARAM_free(p);
	}
}

/* ---- DER ----------------------------------------------------------------------------- */

/*
 * One TLV through the cursor: a low tag number and a definite, minimally
 * encoded length (DER), with the value as a sub-cursor.
 */
static int der_tlv(struct fv_cur *c, uint8_t *tag, struct fv_cur *val)
{
	*tag = fv_cur_u8(c);
	uint8_t l = fv_cur_u8(c);
	if (!fv_cur_ok(c) || (*tag & 0x1f) == 0x1f)
		return 0;
	size_t len = l;
	if (l & 0x80) {
		unsigned k = l & 0x7f;
		if (k == 0 || k > 3)
			return 0;
		len = 0;
		for (unsigned i = 0; i < k; i++)
			len = len << 8 | fv_cur_u8(c);
		if (len < 0x80 || (len >> (8 * (k - 1))) == 0)
			return 0;
	}
	*val = fv_cur_sub(c, len);
	return fv_cur_ok(c);
}

/*
 * Whether the bytes at p are a SEQUENCE whose children have the tags a
 * structure of this kind has; its size in *total.  Cheap, and it turns
 * nearly every pattern hit in a binary away before OpenSSL sees it.
 */
static int der_shape(const uint8_t *p, size_t avail, enum kind k, size_t *total)
{
	struct fv_cur c = fv_cur_make(p, avail), seq, ch;
	uint8_t tag, tags[10]; /* RSAPrivateKey has 9 fields, the most of any */
	if (!der_tlv(&c, &tag, &seq) || tag != 0x30)
		return 0;
	size_t nch = 0;
	while (fv_cur_left(&seq) > 0) {
		if (nch == sizeof tags || !der_tlv(&seq, &tag, &ch))
			return 0;
		tags[nch++] = tag;
	}
	*total = c.pos;
	switch (k) {
	case K_DER_PRIV: /* RSA: 9 INTEGERs; DSA: 6 */
		if (nch != 9 && nch != 6)
			return 0;
		for (size_t i = 0; i < nch; i++)
			if (tags[i] != 0x02)
				return 0;
		return 1;
	case K_DER_EC:
		if (nch < 2 || nch > 4 || tags[0] != 0x02 || tags[1] != 0x04)
			return 0;
		for (size_t i = 2; i < nch; i++)
			if (tags[i] != 0xa0 && tags[i] != 0xa1)
				return 0;
		return 1;
	case K_DER_P8:
		if (nch < 3 || nch > 5 || tags[0] != 0x02 || tags[1] != 0x30 || tags[2] != 0x04)
			return 0;
		for (size_t i = 3; i < nch; i++)
			if (tags[i] != 0xa0 && tags[i] != 0x81 && tags[i] != 0xa1)
				return 0;
		return 1;
	case K_DER_EP8:
		return nch == 2 && tags[0] == 0x30 && tags[1] == 0x04;
	case K_DER_CERT:
		return nch == 3 && tags[0] == 0x30 && tags[1] == 0x30 && tags[2] == 0x03;
	default:
		return 0;
	}
}

static void der_evidence(const uint8_t *p, size_t total, const char *what, char *ev, size_t cap)
{
	/* Tag and length only: the value is key material. */
	size_t hl = p[1] & 0x80 ? 2 + (size_t)(p[1] & 0x7f) : 2;
	int k = snprintf(ev, cap, "DER %s:", what);
	for (size_t i = 0; i < hl && k > 0 && (size_t)k < cap; i++)
		k += snprintf(ev + k, cap - (size_t)k, " %02x", p[i]);
	if (k > 0 && (size_t)k < cap)
		snprintf(ev + k, cap - (size_t)k, " …(%zu bytes)", total);
}

/* ---- certificates ----------------------------------------------------------------- */

static void name_str(const X509_NAME *nm, char *out, size_t cap)
{
	out[0] = 0;
	BIO *b = BIO_new(BIO_s_mem());
	if (!b)
		return;
	if (X509_NAME_print_ex(b, nm, 0, XN_FLAG_RFC2253) >= 0) {
		char *p = NULL;
		long n = BIO_get_mem_data(b, &p);
		if (n > 0 && p)
			printable(out, cap, p, (size_t)n);
	}
	BIO_free(b);
	if (!out[0])
		snprintf(out, cap, "(empty)");
}

/* The span of the next TLV, header included, if its tag is want. */
static int der_span(struct fv_cur *c, uint8_t want, struct sbuf *span)
{
	size_t at = c->pos;
	uint8_t tag;
	struct fv_cur v;
	if (!der_tlv(c, &tag, &v) || tag != want)
		return 0;
	span->p = c->p + at;
	span->n = c->pos - at;
	return 1;
}

/*
 * What a certificate finding needs that a walk of the DER gives without
 * OpenSSL, whose decoding costs a third of a millisecond per certificate
 * (it decodes the public key): notAfter, subject, SubjectPublicKeyInfo.
 */
struct certf {
	struct sbuf notafter, subject, spki;
};

static int cert_fields(const uint8_t *p, size_t n, struct certf *o)
{
	struct fv_cur c = fv_cur_make(p, n), cert, tbs, val, validity;
	uint8_t tag;
	struct sbuf skip;
	if (!der_tlv(&c, &tag, &cert) || tag != 0x30 || !der_tlv(&cert, &tag, &tbs) || tag != 0x30)
		return 0;
	size_t at = tbs.pos;
	if (!der_tlv(&tbs, &tag, &val))
		return 0;
	if (tag != 0xa0)
		tbs.pos = at; /* version 1: no [0] */
	if (!der_span(&tbs, 0x02, &skip) || !der_span(&tbs, 0x30, &skip) || !der_span(&tbs, 0x30, &skip) ||
	    !der_tlv(&tbs, &tag, &validity) || tag != 0x30)
		return 0;
	if (!der_tlv(&validity, &tag, &val) || (tag != 0x17 && tag != 0x18)) /* notBefore */
		return 0;
	at = validity.pos;
	if (!der_tlv(&validity, &tag, &val) || (tag != 0x17 && tag != 0x18))
		return 0;
	o->notafter = (struct sbuf){ validity.p + at, validity.pos - at };
	return der_span(&tbs, 0x30, &o->subject) && der_span(&tbs, 0x30, &o->spki);
}

/*
 * The fingerprint of a certificate's key: SHA-256 of its SPKI as stored,
 * which is what i2d_PUBKEY makes of the private key, except for EC points
 * stored compressed, which are decoded and re-encoded uncompressed.
 */
static int spki_fp(struct sbuf spki, uint8_t fp[32])
{
	static const uint8_t ec_oid[] = { 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
	struct fv_cur c = fv_cur_make(spki.p, spki.n), seq, alg, bits;
	uint8_t tag;
	if (!der_tlv(&c, &tag, &seq) || !der_tlv(&seq, &tag, &alg) || !der_tlv(&seq, &tag, &bits) ||
	    tag != 0x03)
		return 0;
	int compressed = alg.len >= sizeof ec_oid && memcmp(alg.p, ec_oid, sizeof ec_oid) == 0 &&
			 bits.len >= 2 && (bits.p[1] == 0x02 || bits.p[1] == 0x03);
	if (compressed) {
		const uint8_t *q = spki.p;
		EVP_PKEY *k = d2i_PUBKEY(NULL, &q, (long)spki.n);
		int ok = k && pub_fp(k, fp);
		EVP_PKEY_free(k);
		ERR_clear_error();
		return ok;
	}
	unsigned int mdlen = 0;
	return EVP_Digest(spki.p, spki.n, fp, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32;
}

/*
 * A certificate at off.  Its public key is remembered for pairing; the
 * first BUNDLE + 1 of a file are decoded and described (DER found in a
 * binary must decode to exactly its length), the rest of a bundle only
 * walked and counted.
 */
static int cert_found(struct fctx *x, const uint8_t *der, size_t dl, uint64_t off,
		      const char *head, int exact)
{
	struct certf cf;
	if (!cert_fields(der, dl, &cf))
		return 0;
	int describe = x->ncerts < BUNDLE + 1;
	X509 *c = NULL;
	if (describe) {
		const uint8_t *q = der;
		c = d2i_X509(NULL, &q, (long)dl);
		if (!c || (exact && q != der + dl)) {
			X509_free(c);
			ERR_clear_error();
			return 0;
		}
	}
	const uint8_t *q = cf.notafter.p;
	ASN1_TIME *na = d2i_ASN1_TIME(NULL, &q, (long)cf.notafter.n);
	int expired = na && X509_cmp_time(na, NULL) < 0;
	struct tm ntm;
	if (na && !expired && ASN1_TIME_to_tm(na, &ntm)) {
		int64_t t = (int64_t)timegm(&ntm);
		if (!x->until || t < x->until)
			x->until = t;
	}
	uint8_t fp[32];
	if (spki_fp(cf.spki, fp))
		add_ref(x, fp, 1, off, NULL, cf.subject);
	x->ncerts++;
	x->nexpired += (size_t)expired;
	if (describe) {
		char subject[200], issuer[200], date[32] = "unknown";
		name_str(X509_get_subject_name(c), subject, sizeof subject);
		name_str(X509_get_issuer_name(c), issuer, sizeof issuer);
		struct tm tm;
		if (na && ASN1_TIME_to_tm(na, &tm))
			strftime(date, sizeof date, "%Y-%m-%d", &tm);
		int self = X509_self_signed(c, 1) == 1;
		int ca = X509_check_ca(c) > 0;
		struct certrep *r = &x->certs[x->ncerts - 1];
		r->off = off;
		r->expired = expired;
		snprintf(r->title, sizeof r->title, "%s%s %s (%s%s %s)", expired ? "Expired " : "",
			 ca ? "CA certificate" : "certificate", subject, self ? "self-signed, " : "",
			 expired ? "expired" : "expires", date);
		r->title[0] = (char)toupper((unsigned char)r->title[0]);
		snprintf(r->ev, sizeof r->ev, "%s subject=%s issuer=%s notAfter=%s%s", head, subject,
			 issuer, date, self ? " self-signed" : "");
	}
	ASN1_TIME_free(na);
	X509_free(c);
	ERR_clear_error();
	return 1;
}
static void certs_flush(struct fctx *x)
{
	if (x->ncerts == 0)
		return;
	if (x->ncerts <= BUNDLE) {
		for (size_t i = 0; i < x->ncerts; i++) {
			struct certrep *c = &x->certs[i];
			struct rep r = { "FV-SECR-003", "secret", c->expired ? FV_SEV_LOW : FV_SEV_INFO,
					 FV_CONF_HIGH, c->off, c->ev, c->title };
			emit(x, &r);
		}
		return;
	}
	/* A CA bundle: one line for the lot, pointing at its first certificate. */
	char title[200];
	snprintf(title, sizeof title, "Certificate bundle of %zu certificates (%zu expired)",
		 x->ncerts, x->nexpired);
	struct rep r = { "FV-SECR-003", "secret", FV_SEV_INFO, FV_CONF_HIGH, x->certs[0].off,
			 x->certs[0].ev, title };
	emit(x, &r);
}


static void on_der(struct fctx *x, size_t s, enum kind k)
{
	size_t total;
	if (!der_shape(x->d + s, x->n - s, k, &total))
		return;
	const uint8_t *p = x->d + s, *q = p;
	char ev[160];
	if (k == K_DER_CERT) {
		der_evidence(p, total, "certificate", ev, sizeof ev);
		if (cert_found(x, p, total, s, ev, 1))
			x->covered = s + total;
	} else if (k == K_DER_EP8) {
		X509_SIG *sig = d2i_X509_SIG(NULL, &q, (long)total);
		if (sig && q == p + total) {
			char how[80], cipher[48];
			p8_cipher(sig, cipher, sizeof cipher);
			snprintf(how, sizeof how, "DER PKCS#8, %s", cipher);
			der_evidence(p, total, "EncryptedPrivateKeyInfo", ev, sizeof ev);
			encrypted_found(x, "", how, s, ev);
			x->covered = s + total;
		}
		X509_SIG_free(sig);
	} else {
		EVP_PKEY *key = d2i_AutoPrivateKey(NULL, &q, (long)total);
		if (key && q == p + total && key_ok(key)) {
			const char *what = k == K_DER_P8 ? "PKCS#8 PrivateKeyInfo" : "private key";
			der_evidence(p, total, what, ev, sizeof ev);
			key_found(x, key, s, k == K_DER_P8 ? "DER PKCS#8" : "DER", ev);
			x->covered = s + total;
		}
		EVP_PKEY_free(key);
	}
	ERR_clear_error();
}

/* ---- OpenSSH and dropbear ------------------------------------------------------------- */

/* An SSH "string": a 32-bit big-endian length and that many bytes. */
static int ssh_str(struct fv_cur *c, struct sbuf *s)
{
	uint32_t n = fv_cur_be32(c);
	s->p = fv_cur_bytes(c, n);
	s->n = n;
	return s->p != NULL;
}

static int seq(const struct sbuf *s, const char *lit)
{
	size_t l = strlen(lit);
	return s->n == l && memcmp(s->p, lit, l) == 0;
}

/* An mpint without its sign-padding zeros, for bit counts and comparisons. */
static struct sbuf mp_strip(struct sbuf s)
{
	while (s.n && s.p[0] == 0)
		s.p++, s.n--;
	return s;
}

static int mp_eq(struct sbuf a, struct sbuf b)
{
	a = mp_strip(a), b = mp_strip(b);
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

static unsigned mp_bits(struct sbuf s)
{
	s = mp_strip(s);
	if (!s.n || s.n > 4096)
		return 0;
	unsigned b = (unsigned)(s.n - 1) * 8, top = s.p[0];
	while (top)
		b++, top >>= 1;
	return b;
}

static BIGNUM *mp_bn(struct sbuf s)
{
	s = mp_strip(s);
	return BN_bin2bn(s.p, (int)s.n, NULL);
}

/* The public half of an SSH key, as its fields sit in a blob or a private section. */
struct sshpub {
	char type[48];
	struct sbuf f[4]; /* rsa: e n; dss: p q g y; ed25519: pk; ecdsa: curve Q */
	unsigned bits;
	const char *group; /* ecdsa: OpenSSL's name of the curve */
};

static const struct {
	const char *type, *curve, *group;
	unsigned bits;
} ecdsa_curves[] = {
	{ "ecdsa-sha2-nistp256", "nistp256", "prime256v1", 256 },
	{ "ecdsa-sha2-nistp384", "nistp384", "secp384r1", 384 },
	{ "ecdsa-sha2-nistp521", "nistp521", "secp521r1", 521 },
};

static int ssh_is_sk(const struct sshpub *k) { return strncmp(k->type, "sk-", 3) == 0; }

/* Reads the public fields of a key of type t (already read) from c. */
static int ssh_pub_fields(struct fv_cur *c, const struct sbuf *t, struct sshpub *k)
{
	if (t->n == 0 || t->n >= sizeof k->type)
		return 0;
	memcpy(k->type, t->p, t->n);
	k->type[t->n] = 0;
	if (seq(t, "ssh-rsa")) {
		if (!ssh_str(c, &k->f[0]) || !ssh_str(c, &k->f[1]))
			return 0;
		k->bits = mp_bits(k->f[1]);
		return k->bits >= 256;
	}
	if (seq(t, "ssh-dss")) {
		for (int i = 0; i < 4; i++)
			if (!ssh_str(c, &k->f[i]))
				return 0;
		k->bits = mp_bits(k->f[0]);
		return k->bits >= 256;
	}
	struct sbuf app;
	if (seq(t, "ssh-ed25519") || seq(t, "sk-ssh-ed25519@openssh.com")) {
		k->bits = 256;
		return ssh_str(c, &k->f[0]) && k->f[0].n == 32 && (!ssh_is_sk(k) || ssh_str(c, &app));
	}
	for (size_t i = 0; i < sizeof ecdsa_curves / sizeof ecdsa_curves[0]; i++) {
		char sk[64];
		snprintf(sk, sizeof sk, "sk-%s@openssh.com", ecdsa_curves[i].type);
		if (!seq(t, ecdsa_curves[i].type) && !seq(t, sk))
			continue;
		if (!ssh_str(c, &k->f[0]) || !ssh_str(c, &k->f[1]) || !seq(&k->f[0], ecdsa_curves[i].curve))
			return 0;
		k->bits = ecdsa_curves[i].bits;
		k->group = ecdsa_curves[i].group;
		return k->f[1].n > 0 && (!ssh_is_sk(k) || ssh_str(c, &app));
	}
	return 0;
}

/* An EVP_PKEY of the public key, to pair it with certificates; NULL if not made. */
static EVP_PKEY *ssh_evp(const struct sshpub *k)
{
	EVP_PKEY *pk = NULL;
	if (strcmp(k->type, "ssh-ed25519") == 0)
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, k->f[0].p, 32);
	if (strcmp(k->type, "ssh-rsa") != 0 && (!k->group || ssh_is_sk(k)))
		return NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, k->group ? "EC" : "RSA", NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	BIGNUM *e = NULL, *n = NULL;
	if (!ctx || !bld)
		goto out;
	if (k->group) {
		if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, k->group, 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, k->f[1].p, k->f[1].n))
			goto out;
	} else {
		e = mp_bn(k->f[0]), n = mp_bn(k->f[1]);
		if (!e || !n || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
			goto out;
	}
	params = OSSL_PARAM_BLD_to_param(bld);
	if (!params || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pk = NULL;
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(e), BN_free(n);
	ERR_clear_error();
	return pk;
}

/* "SHA256:<base64 without padding>", as ssh-keygen -l prints it. */
static void ssh_fingerprint(const uint8_t *blob, size_t n, char *out, size_t cap)
{
	unsigned char md[32], b64[48];
	unsigned int mdlen = 0;
	out[0] = 0;
	if (EVP_Digest(blob, n, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		return;
	int k = EVP_EncodeBlock(b64, md, 32);
	while (k > 0 && b64[k - 1] == '=')
		b64[--k] = 0;
	snprintf(out, cap, "SHA256:%s", b64);
}

static int bn_check(int (*check)(BIGNUM **, BN_CTX *), BIGNUM **v)
{
	BN_CTX *ctx = BN_CTX_new();
	int ok = ctx && check(v, ctx);
	BN_CTX_free(ctx);
	return ok;
}

/* v = { n, p, q }: n = p * q. */
static int rsa_pq(BIGNUM **v, BN_CTX *ctx)
{
	BIGNUM *t = BN_new();
	int ok = t && !BN_is_one(v[1]) && !BN_is_one(v[2]) && BN_mul(t, v[1], v[2], ctx) &&
		 BN_cmp(t, v[0]) == 0;
	BN_free(t);
	return ok;
}

/* v = { p, g, y, x }: y = g^x mod p. */
static int dsa_yx(BIGNUM **v, BN_CTX *ctx)
{
	BIGNUM *t = BN_new();
	int ok = t && !BN_is_zero(v[0]) && BN_is_odd(v[0]) && BN_mod_exp(t, v[1], v[3], v[0], ctx) &&
		 BN_cmp(t, v[2]) == 0;
	BN_free(t);
	return ok;
}

static int check_mps(int (*check)(BIGNUM **, BN_CTX *), const struct sbuf *s, int n)
{
	BIGNUM *v[4] = { 0 };
	int ok = 1;
	for (int i = 0; i < n; i++)
		ok = ok && (v[i] = mp_bn(s[i])) != NULL;
	ok = ok && bn_check(check, v);
	for (int i = 0; i < n; i++)
		BN_free(v[i]);
	return ok;
}

static int ed25519_pair(const uint8_t seed[32], const uint8_t pk[32])
{
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	uint8_t got[32];
	size_t gl = sizeof got;
	int ok = k && EVP_PKEY_get_raw_public_key(k, got, &gl) == 1 && gl == 32 &&
		 memcmp(got, pk, 32) == 0;
	EVP_PKEY_free(k);
	return ok;
}

static int ec_pair(const char *group, struct sbuf q, struct sbuf d)
{
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	BIGNUM *priv = mp_bn(d);
	int ok = 0;
	if (ctx && bld && priv &&
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, q.p, q.n) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) &&
	    (params = OSSL_PARAM_BLD_to_param(bld)) != NULL && EVP_PKEY_fromdata_init(ctx) > 0 &&
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_KEYPAIR, params) > 0) {
		EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
		ok = c && EVP_PKEY_pairwise_check(c) == 1;
		EVP_PKEY_CTX_free(c);
	}
	EVP_PKEY_free(pk);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(priv);
	ERR_clear_error();
	return ok;
}

/*
 * The private fields of an SSH key after its type, as OpenSSH's private
 * section and dropbear's key files hold them, checked against each other:
 *   rsa      OpenSSH n e d iqmp p q; dropbear e n d p q
 *   dss      p q g y x
 *   ed25519  OpenSSH pk, seed||pk; dropbear seed||pk
 *   ecdsa    curve Q d
 *   sk-*     the public fields, application, flags, key handle, reserved
 */
static int ssh_priv_fields(struct fv_cur *c, struct sshpub *k, int dropbear)
{
	struct sbuf s[6];
	if (strcmp(k->type, "ssh-rsa") == 0) {
		for (int i = 0; i < (dropbear ? 5 : 6); i++)
			if (!ssh_str(c, &s[i]))
				return 0;
		struct sbuf n = dropbear ? s[1] : s[0], e = dropbear ? s[0] : s[1];
		struct sbuf p = dropbear ? s[3] : s[4], q = dropbear ? s[4] : s[5];
		k->f[0] = e, k->f[1] = n;
		k->bits = mp_bits(n);
		struct sbuf v[3] = { n, p, q };
		return k->bits >= 256 && check_mps(rsa_pq, v, 3);
	}
	if (strcmp(k->type, "ssh-dss") == 0) {
		for (int i = 0; i < 5; i++)
			if (!ssh_str(c, &s[i]))
				return 0;
		memcpy(k->f, s, 4 * sizeof *s);
		k->bits = mp_bits(s[0]);
		struct sbuf v[4] = { s[0], s[2], s[3], s[4] };
		return k->bits >= 256 && check_mps(dsa_yx, v, 4);
	}
	if (strcmp(k->type, "ssh-ed25519") == 0) {
		if (!dropbear && (!ssh_str(c, &s[0]) || s[0].n != 32))
			return 0;
		if (!ssh_str(c, &s[1]) || s[1].n != 64)
			return 0;
		if (!dropbear && memcmp(s[0].p, s[1].p + 32, 32) != 0)
			return 0;
		k->f[0] = (struct sbuf){ s[1].p + 32, 32 };
		k->bits = 256;
		return ed25519_pair(s[1].p, s[1].p + 32);
	}
	if (k->group && !ssh_is_sk(k)) {
		if (!ssh_str(c, &s[0]) || !ssh_str(c, &s[1]) || !ssh_str(c, &s[2]))
			return 0;
		int curve_ok = 0;
		for (size_t i = 0; i < sizeof ecdsa_curves / sizeof ecdsa_curves[0]; i++)
			curve_ok |= !strcmp(k->type, ecdsa_curves[i].type) && seq(&s[0], ecdsa_curves[i].curve);
		if (!curve_ok)
			return 0;
		k->f[0] = s[0], k->f[1] = s[1];
		return ec_pair(k->group, s[1], s[2]);
	}
	if (ssh_is_sk(k) && !dropbear) {
		struct sbuf t = { (const uint8_t *)k->type, strlen(k->type) };
		struct sshpub again = { 0 };
		if (!ssh_pub_fields(c, &t, &again))
			return 0;
		memcpy(k->f, again.f, sizeof k->f);
		fv_cur_u8(c); /* flags */
		return ssh_str(c, &s[0]) && ssh_str(c, &s[1]) && fv_cur_ok(c); /* handle, reserved */
	}
	return 0;
}

static void ssh_comment(const struct sbuf *s, char *out, size_t cap)
{
	printable(out, cap, (const char *)s->p, s->n);
}

/*
 * The openssh-key-v1 container (PROTOCOL.key): magic, cipher, KDF, KDF
 * options, the number of keys, their public blobs, and the private section,
 * encrypted or not.  In the clear, the section starts with two equal check
 * words and ends with padding 1, 2, 3 ...; its key must be the public one.
 */
struct sshinfo {
	struct sshpub pub;
	int encrypted;
	char cipher[32], comment[64], fpr[60];
	size_t len;
};

static int parse_openssh(const uint8_t *p, size_t avail, struct sshinfo *o)
{
	memset(o, 0, sizeof *o);
	struct fv_cur c = fv_cur_make(p, avail);
	struct sbuf cipher, kdf, kdfopt, blob, priv;
	if (!fv_cur_skip(&c, 15) || !ssh_str(&c, &cipher) || !ssh_str(&c, &kdf) ||
	    !ssh_str(&c, &kdfopt))
		return 0;
	uint32_t nkeys = fv_cur_be32(&c);
	if (nkeys != 1 || !ssh_str(&c, &blob) || !ssh_str(&c, &priv))
		return 0;
	o->len = c.pos;
	struct fv_cur b = fv_cur_make(blob.p, blob.n);
	struct sbuf type;
	if (!ssh_str(&b, &type) || !ssh_pub_fields(&b, &type, &o->pub) || fv_cur_left(&b) != 0)
		return 0;
	ssh_fingerprint(blob.p, blob.n, o->fpr, sizeof o->fpr);
	if (cipher.n == 0 || cipher.n >= sizeof o->cipher)
		return 0;
	for (size_t i = 0; i < cipher.n; i++)
		if (!isgraph(cipher.p[i]))
			return 0;
	memcpy(o->cipher, cipher.p, cipher.n);
	if (!seq(&cipher, "none")) {
		/* Encrypted: what can be checked is that it is one. */
		o->encrypted = 1;
		return seq(&kdf, "bcrypt") && priv.n >= 8 && priv.n % 8 == 0;
	}
	if (!seq(&kdf, "none") || kdfopt.n != 0 || priv.n % 8 != 0)
		return 0;
	struct fv_cur s = fv_cur_make(priv.p, priv.n);
	uint32_t c1 = fv_cur_be32(&s), c2 = fv_cur_be32(&s);
	struct sbuf ptype, comment;
	struct sshpub k = { 0 };
	if (!fv_cur_ok(&s) || c1 != c2 || !ssh_str(&s, &ptype) || !seq(&ptype, o->pub.type))
		return 0;
	memcpy(k.type, o->pub.type, sizeof k.type);
	k.group = o->pub.group;
	if (!ssh_priv_fields(&s, &k, 0) || !ssh_str(&s, &comment))
		return 0;
	/* The private key must be the one whose public half the container lists. */
	for (int i = 0; i < 2; i++)
		if (o->pub.f[i].p && !mp_eq(o->pub.f[i], k.f[i]))
			return 0;
	for (uint8_t pad = 1; fv_cur_left(&s) > 0; pad++)
		if (fv_cur_u8(&s) != pad)
			return 0;
	ssh_comment(&comment, o->comment, sizeof o->comment);
	return 1;
}

static void ssh_found(struct fctx *x, const struct sshinfo *o, uint64_t off, const char *head,
		      const char *how)
{
	char ev[300], desc[96];
	snprintf(desc, sizeof desc, "%s %u-bit", o->pub.type, o->pub.bits);
	snprintf(ev, sizeof ev, "%s (%s %s%s%s)", head, desc, o->fpr, o->comment[0] ? ", comment " : "",
		 o->comment);
	if (o->encrypted) {
		char what[120], h[80];
		snprintf(what, sizeof what, "%s ", desc);
		snprintf(h, sizeof h, "%s, %s", how, o->cipher);
		encrypted_found(x, what, h, off, ev);
		return;
	}
	EVP_PKEY *pk = ssh_evp(&o->pub);
	private_key(x, pk, off, desc, how, ev);
	EVP_PKEY_free(pk);
}

static void on_ssh_raw(struct fctx *x, size_t s)
{
	struct sshinfo o;
	if (parse_openssh(x->d + s, x->n - s, &o)) {
		ssh_found(x, &o, s, "openssh-key-v1", "OpenSSH, raw");
		x->covered = s + o.len;
	}
	ERR_clear_error();
}

/*
 * Dropbear keeps a host key as a bare SSH key blob with the private fields
 * after the public ones, and nothing else in the file.  Firmware ships
 * these (/etc/dropbear/dropbear_rsa_host_key), often one for every device.
 */
static void dropbear(struct fctx *x)
{
	struct fv_cur c = fv_cur_make(x->d, x->n);
	struct sbuf type;
	uint32_t tl = x->n >= 4 ? fv_get_be32(x->d) : 0;
	if (tl < 7 || tl > 19 || !ssh_str(&c, &type))
		return;
	struct sshpub k = { 0 };
	memcpy(k.type, type.p, type.n);
	for (size_t i = 0; i < sizeof ecdsa_curves / sizeof ecdsa_curves[0]; i++)
		if (seq(&type, ecdsa_curves[i].type)) {
			k.group = ecdsa_curves[i].group;
			k.bits = ecdsa_curves[i].bits;
		}
	if (!seq(&type, "ssh-rsa") && !seq(&type, "ssh-dss") && !seq(&type, "ssh-ed25519") && !k.group)
		return;
	if (!ssh_priv_fields(&c, &k, 1) || fv_cur_left(&c) != 0) {
		ERR_clear_error();
		return;
	}
	/* The public blob is the file's start, except for ed25519, whose key follows the seed. */
	struct fv_buf blob = { 0 };
	if (strcmp(k.type, "ssh-ed25519") == 0) {
		uint8_t hdr[4];
		hdr[0] = hdr[1] = hdr[2] = 0, hdr[3] = 32;
		fv_buf_append(&blob, x->d, 4 + type.n);
		fv_buf_append(&blob, hdr, 4);
		fv_buf_append(&blob, k.f[0].p, 32);
	} else {
		/* rsa: e n; ecdsa: curve Q; dss: p q g y */
		const struct sbuf *last = strcmp(k.type, "ssh-dss") == 0 ? &k.f[3] : &k.f[1];
		fv_buf_append(&blob, x->d, (size_t)(last->p + last->n - x->d));
	}
	struct sshinfo o = { .pub = k, .len = x->n };
	if (blob.data)
		ssh_fingerprint(blob.data, blob.len, o.fpr, sizeof o.fpr);
	fv_buf_free(&blob);
	char head[64];
	snprintf(head, sizeof head, "dropbear %s key", k.type);
	ssh_found(x, &o, 0, head, "dropbear");
	x->covered = x->n;
	ERR_clear_error();
}

/* ---- PEM --------------------------------------------------------------------------------- */

struct pem {
	char label[72];
	size_t end;        /* just past "-----END <label>-----" */
	int encrypted;     /* RFC 1421 Proc-Type: 4,ENCRYPTED */
	char dek[40];      /* the DEK-Info cipher */
	struct fv_buf b64; /* the body, without blanks and escapes */
};

static int b64_char(uint8_t c)
{
	return isalnum(c) || c == '+' || c == '/';
}

/*
 * Blanks between the parts of a PEM block, also as they come out of JSON,
 * YAML and C sources: spaces, line ends, quotes, and escaped \n \r \t.
 */
static size_t skip_blank(const uint8_t *d, size_t n, size_t i)
{
	while (i < n) {
		uint8_t c = d[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '"')
			i++;
		else if (c == '\\' && i + 1 < n && (d[i + 1] == 'n' || d[i + 1] == 'r' || d[i + 1] == 't'))
			i += 2;
		else
			break;
	}
	return i;
}

static int starts(const uint8_t *d, size_t n, size_t i, const char *lit)
{
	size_t l = strlen(lit);
	return i <= n && n - i >= l && memcmp(d + i, lit, l) == 0;
}

/* RFC 1421 header lines ("Proc-Type: 4,ENCRYPTED"); returns where the body starts. */
static size_t pem_headers(const uint8_t *d, size_t n, size_t i, struct pem *p)
{
	for (int lines = 0; lines < 8; lines++) {
		size_t j = skip_blank(d, n, i), k = j;
		while (k < n && k - j < 32 && (isalnum(d[k]) || d[k] == '-'))
			k++;
		if (k == j || k >= n || d[k] != ':')
			return i;
		size_t v = k + 1, e = v;
		while (e < n && e - v < 200 && d[e] != '\n' && d[e] != '\r' && d[e] != '\\')
			e++;
		if (k - j == 9 && memcmp(d + j, "Proc-Type", 9) == 0) {
			if (memmem(d + v, e - v, "ENCRYPTED", 9))
				p->encrypted = 1;
		} else if (k - j == 8 && memcmp(d + j, "DEK-Info", 8) == 0) {
			size_t s = v;
			while (s < e && d[s] == ' ')
				s++;
			size_t t = s;
			while (t < e && d[t] != ',' && t - s < sizeof p->dek - 1)
				t++;
			printable(p->dek, sizeof p->dek, (const char *)d + s, t - s);
		}
		i = e;
	}
	return i;
}

/*
 * A PEM block at s: "-----BEGIN <label>-----", optional headers, base64,
 * "-----END <label>-----".  The body ends at the first character that is
 * neither base64 nor blank, so a hit whose body never comes (a string table)
 * costs a few bytes, and no byte is read twice by blocks that follow.
 */
static int pem_parse(const uint8_t *d, size_t n, size_t s, struct pem *p)
{
	size_t i = s + 11, l = 0;
	while (i < n && l < sizeof p->label - 1 && (isupper(d[i]) || isdigit(d[i]) || d[i] == ' '))
		p->label[l++] = (char)d[i++];
	p->label[l] = 0;
	if (l == 0 || p->label[0] == ' ' || p->label[l - 1] == ' ' || !starts(d, n, i, "-----"))
		return 0;
	i = pem_headers(d, n, i + 5, p);
	size_t pad = 0;
	for (i = skip_blank(d, n, i); i < n && d[i] != '-'; i = skip_blank(d, n, i + 1)) {
		if (d[i] == '=' && pad < 2) {
			pad++;
		} else if (!b64_char(d[i]) || pad) {
			return 0;
		}
		if (p->b64.len >= MAX_PEM_BODY || fv_buf_append(&p->b64, d + i, 1))
			return 0;
	}
	if (p->b64.len == 0 || p->b64.len % 4 != 0 || !starts(d, n, i, "-----END ") ||
	    !starts(d, n, i + 9, p->label) || !starts(d, n, i + 9 + l, "-----"))
		return 0;
	p->end = i + 9 + l + 5;
	return 1;
}

static uint8_t *b64_decode(const struct fv_buf *b, size_t *out)
{
	uint8_t *r = malloc(b->len / 4 * 3 + 3);
	if (!r)
		return NULL;
	int k = EVP_DecodeBlock(r, b->data, (int)b->len);
	if (k < 0) {
		free(r);
		return NULL;
	}
	/* EVP_DecodeBlock counts padding as zero bytes. */
	size_t pad = (b->len && b->data[b->len - 1] == '=') + (b->len > 1 && b->data[b->len - 2] == '=');
	*out = (size_t)k - pad;
	return r;
}

static void on_pem(struct fctx *x, size_t s)
{
	struct pem p;
	memset(&p, 0, sizeof p);
	if (!pem_parse(x->d, x->n, s, &p)) {
		fv_buf_free(&p.b64);
		return;
	}
	x->covered = p.end;
	const char *L = p.label;
	int cert = !strcmp(L, "CERTIFICATE") || !strcmp(L, "X509 CERTIFICATE") ||
		   !strcmp(L, "TRUSTED CERTIFICATE");
	int trad = !strcmp(L, "RSA PRIVATE KEY") || !strcmp(L, "DSA PRIVATE KEY") ||
		   !strcmp(L, "EC PRIVATE KEY");
	int p8 = !strcmp(L, "PRIVATE KEY"), ep8 = !strcmp(L, "ENCRYPTED PRIVATE KEY");
	int ssh = !strcmp(L, "OPENSSH PRIVATE KEY");
	if (!cert && !trad && !p8 && !ep8 && !ssh) {
		fv_buf_free(&p.b64);
		return;
	}
	char ev[400], masked[64];
	fv_mask_secret((const char *)p.b64.data, p.b64.len, 8, masked, sizeof masked);
	if (p.encrypted)
		snprintf(ev, sizeof ev, "-----BEGIN %s----- Proc-Type: 4,ENCRYPTED DEK-Info: %s %s", L,
			 p.dek[0] ? p.dek : "?", masked);
	else
		snprintf(ev, sizeof ev, "-----BEGIN %s----- %s", L, masked);

	if (trad && p.encrypted) {
		/* Legacy OpenSSL encryption: the type is in the label, the rest is ciphertext. */
		char what[16], how[64];
		snprintf(what, sizeof what, "%.*s ", (int)(strchr(L, ' ') - L), L);
		snprintf(how, sizeof how, "PEM, %s", p.dek[0] ? p.dek : "legacy encryption");
		encrypted_found(x, what, how, s, ev);
		fv_buf_free(&p.b64);
		return;
	}
	size_t dl = 0;
	uint8_t *der = b64_decode(&p.b64, &dl);
	fv_buf_free(&p.b64);
	if (!der)
		return;
	const uint8_t *q = der;
	if (cert) {
		/* A TRUSTED CERTIFICATE is a certificate followed by OpenSSL's trust settings. */
		char head[96];
		snprintf(head, sizeof head, "-----BEGIN %s-----", L);
		cert_found(x, der, dl, s, head, 0);
	} else if (ep8) {
		X509_SIG *sig = d2i_X509_SIG(NULL, &q, (long)dl);
		if (sig && q == der + dl) {
			char cipher[48], how[80];
			p8_cipher(sig, cipher, sizeof cipher);
			snprintf(how, sizeof how, "PEM PKCS#8, %s", cipher);
			encrypted_found(x, "", how, s, ev);
		}
		X509_SIG_free(sig);
	} else if (ssh) {
		struct sshinfo o;
		if (dl >= 15 && memcmp(der, "openssh-key-v1", 15) == 0 && parse_openssh(der, dl, &o))
			ssh_found(x, &o, s, ev, "OpenSSH");
	} else {
		EVP_PKEY *k = d2i_AutoPrivateKey(NULL, &q, (long)dl);
		/* The label names the family; a key of another family is not what it says. */
		int fits = k && (p8 || (L[0] == 'R' && EVP_PKEY_is_a(k, "RSA")) ||
				 (L[0] == 'D' && EVP_PKEY_is_a(k, "DSA")) ||
				 (L[0] == 'E' && EVP_PKEY_is_a(k, "EC")));
		if (fits && q == der + dl && key_ok(k))
			key_found(x, k, s, p8 ? "PEM PKCS#8" : "PEM", ev);
		EVP_PKEY_free(k);
	}
	free(der);
	ERR_clear_error();
}

/* ---- tokens ------------------------------------------------------------------------------- */

static int tok_char(uint8_t c)
{
	return isalnum(c) || c == '_' || c == '-' || c == '+' || c == '/';
}

/*
 * Whether the variable part of a token looks random: generated tokens have
 * many distinct characters, no long runs and no counting sequences, which
 * turns away "AKIAAAAAAAAAAAAAAAAA", "ghp_xxxx..." and "...ABCDEFGHIJKL".
 */
static int looks_random(const uint8_t *p, size_t n)
{
	if (n < 8)
		return 1;
	uint8_t seen[256] = { 0 };
	size_t distinct = 0, run = 1, longest = 1, steps = 0;
	for (size_t i = 0; i < n; i++) {
		distinct += !seen[p[i]];
		seen[p[i]] = 1;
		if (i) {
			run = p[i] == p[i - 1] ? run + 1 : 1;
			if (run > longest)
				longest = run;
			steps += p[i] == p[i - 1] + 1;
		}
	}
	return distinct >= 4 && distinct * 4 >= n && longest < 5 && steps * 2 < n;
}

static int is_placeholder(const uint8_t *p, size_t n)
{
	static const char *const words[] = { "example", "sample", "dummy", "placeholder" };
	for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
		size_t l = strlen(words[w]);
		for (size_t i = 0; i + l <= n; i++)
			if (strncasecmp((const char *)p + i, words[w], l) == 0)
				return 1;
	}
	return 0;
}

/* A 40-character AWS secret access key near [s, e): base64 letters, mixed, bounded. */
static int aws_secret_near(const uint8_t *d, size_t n, size_t s, size_t e)
{
	size_t lo = s > AWS_NEAR ? s - AWS_NEAR : 0, hi = n - e > AWS_NEAR ? e + AWS_NEAR : n;
	for (size_t i = lo; i < hi; ) {
		if (!(isalnum(d[i]) || d[i] == '+' || d[i] == '/')) {
			i++;
			continue;
		}
		size_t j = i;
		int up = 0, low = 0, dig = 0;
		while (j < n && (isalnum(d[j]) || d[j] == '+' || d[j] == '/')) {
			up |= isupper(d[j]) != 0, low |= islower(d[j]) != 0, dig |= isdigit(d[j]) != 0;
			j++;
		}
		if (j - i == 40 && (j >= n || d[j] != '=') && up && low && dig && (i >= e || j <= s) &&
		    looks_random(d + i, 40))
			return 1;
		i = j;
	}
	return 0;
}

static void on_token(struct fctx *x, const struct token_rule *r, size_t s, size_t e)
{
	const uint8_t *d = x->d;
	if (e > x->n || e - s <= r->prefix || (s > 0 && tok_char(d[s - 1])) || (e < x->n && tok_char(d[e])))
		return;
	if (!looks_random(d + s + r->prefix, e - s - r->prefix))
		return;
	enum fv_severity sev = r->sev;
	enum fv_conf conf = FV_CONF_HIGH;
	const char *why = "";
	if (is_placeholder(d + s, e - s)) {
		sev = FV_SEV_LOW, conf = FV_CONF_LOW;
		why = ", a documentation placeholder";
	} else if (r->confirm == CONFIRM_AWS_SECRET) {
		if (aws_secret_near(d, x->n, s, e))
			why = ", with a secret access key next to it";
		else
			conf = FV_CONF_MEDIUM;
	}
	char tok[MAX_TOKEN_WIDTH + 1], ev[160], title[300];
	printable(tok, sizeof tok, (const char *)d + s, e - s);
	fv_mask_secret(tok, strlen(tok), r->prefix + 4, ev, sizeof ev);
	snprintf(title, sizeof title, "%s (%s)%s", r->title, r->name, why);
	struct rep rep = { "FV-SECR-004", "credential", sev, conf, s, ev, title };
	emit(x, &rep);
	x->covered = e;
}

/* ---- the scan --------------------------------------------------------------------------------- */

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
		    void *ctx)
{
	(void)flags;
	struct fctx *x = ctx;
	size_t start = id < NBUILTIN ? (size_t)to - builtins[id].len : (size_t)from;
	start += x->base;
	if (start >= x->own_end)
		return 0; /* the next window's */
	/* A token pattern with a range ends at many places for one start: keep the longest. */
	if (x->nc && x->c[x->nc - 1].id == id && x->c[x->nc - 1].start == start) {
		x->c[x->nc - 1].end = x->base + (size_t)to;
		return 0;
	}
	if (x->nc >= MAX_CANDS || fv_grow(&x->c, &x->capc, x->nc, sizeof *x->c))
		return 1; /* stop this window; what was found is still examined */
	x->c[x->nc++] = (struct cand){ start, x->base + (size_t)to, id };
	return 0;
}

static int cand_cmp(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return a->end > b->end ? -1 : a->end < b->end; /* longest first */
}

static void examine(struct fctx *x)
{
	if (x->nc == 0)
		return;
	qsort(x->c, x->nc, sizeof *x->c, cand_cmp);
	for (size_t i = 0; i < x->nc; i++) {
		const struct cand *c = &x->c[i];
		if (i && c->start == x->c[i - 1].start && c->id == x->c[i - 1].id)
			continue;
		if (c->start < x->covered || x->nfind >= MAX_FINDINGS)
			continue;
		if (c->id >= NBUILTIN) {
			on_token(x, &x->st->tok[c->id - NBUILTIN], c->start, c->end);
			continue;
		}
		switch (builtins[c->id].kind) {
		case K_PEM:
			on_pem(x, c->start);
			break;
		case K_SSH:
			on_ssh_raw(x, c->start);
			break;
		default:
			on_der(x, c->start, builtins[c->id].kind);
			break;
		}
	}
}

static int wants(const struct fv_file *f)
{
	return f->content != SIZE_MAX && f->x && f->x->size >= 16;
}

static void run(struct fv_actx *a, void *state, const struct fv_afile *f)
{
	struct secrets *st = state;
	if (!f->data || f->size < 16)
		return;
	struct fctx *x = calloc(1, sizeof *x);
	hs_scratch_t *scratch = x ? fv_hspool_get(&st->scratch) : NULL;
	if (!scratch) {
		free(x);
		fv_actx_nocache(a);
		return;
	}
	x->a = a, x->st = st, x->f = f, x->d = f->data, x->n = f->size;
	classify_paths(x);
	dropbear(x);
	for (size_t w = 0; w < x->n; w += WINDOW) {
		size_t len = x->n - w < WINDOW + st->span ? x->n - w : WINDOW + st->span;
		x->base = w;
		x->own_end = w + WINDOW;
		x->nc = 0;
		/* One call maps a big window's pages: faults one by one cost more than the scan. */
		if (len >= ((size_t)1 << 16))
			fv_map_prefetch(x->d + w, len);
		hs_scan(st->db, (const char *)x->d + w, (unsigned)len, 0, scratch, on_match, x);
		examine(x);
	}
	certs_flush(x);
	fv_hspool_put(&st->scratch, scratch);
	if (fv_actx_recording(a) && (x->refs || x->until)) {
		json_t *k = json_pack("{s:O?, s:I}", "refs", x->refs, "until", (json_int_t)x->until);
		char *t = k ? json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		if (t)
			fv_actx_keep(a, t);
		else
			fv_actx_nocache(a);
		free(t);
		json_decref(k);
	}
	json_decref(x->refs);
	free(x->c);
	free(x);
}

/* ---- the analysis cache ---------------------------------------------------------------- */

/* A replay must meet the same classes of paths: they decide severities and where findings go. */
static int view(struct fv_actx *a, void *state, const struct fv_afile *f, char *out, size_t cap)
{
	const struct secrets *st = state;
	const struct fv_inventory *inv = fv_actx_inventory(a);
	const struct fv_content *c = f->content;
	enum pclass first = path_class(st, f->file->member);
	int uniform = 1;
	for (size_t i = 0; c && i < c->nfiles && uniform; i++)
		uniform = c->files[i] < inv->nfiles && path_class(st, inv->files[c->files[i]].member) == first;
	if (uniform)
		return snprintf(out, cap, "u%d", (int)first);
	if (c->nfiles + 2 > cap)
		return -1;
	size_t n = 0;
	out[n++] = 'n';
	for (size_t i = 0; i < c->nfiles; i++)
		out[n++] = (char)('0' + (c->files[i] < inv->nfiles ? path_class(st, inv->files[c->files[i]].member)
								    : 9));
	out[n] = 0;
	return (int)n;
}

static int unhex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = s[2 * i], lo = s[2 * i + 1];
		if (!isxdigit(hi) || !isxdigit(lo))
			return 0;
		hi = hi <= '9' ? hi - '0' : (hi | 0x20) - 'a' + 10;
		lo = lo <= '9' ? lo - '0' : (lo | 0x20) - 'a' + 10;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 1;
}

/* The refs run() kept for f's content, back into the image's list; nothing when one is wrong. */
static int restore(struct fv_actx *a, void *state, const struct fv_afile *f, const char *text)
{
	(void)a;
	struct secrets *st = state;
	json_t *k = json_loads(text, JSON_REJECT_DUPLICATES, NULL), *refs = NULL;
	json_int_t until = 0;
	int rc = FV_EFORMAT, bad = 0;
	int shape = k && json_unpack(k, "{s?o, s:I}", "refs", &refs, "until", &until) == 0;
	if (json_is_null(refs))
		refs = NULL;
	if (!shape || until < 0 ||
	    (refs && !json_is_array(refs)) || (until && (int64_t)time(NULL) >= until)) {
		json_decref(k);
		return FV_EFORMAT; /* or a certificate expired since: analysed again */
	}
	size_t n = json_array_size(refs), done = 0;
	struct pubref *v = n ? calloc(n, sizeof *v) : NULL;
	if (n && !v) {
		json_decref(k);
		return FV_ENOMEM;
	}
	for (; done < n; done++) {
		const char *fp;
		int cert;
		json_int_t off;
		json_t *jd, *js;
		struct pubref *r = &v[done];
		if (json_unpack(json_array_get(refs, done), "[s i I o o]", &fp, &cert, &off, &jd, &js) ||
		    (!json_is_null(jd) && !json_is_string(jd)) || (!json_is_null(js) && !json_is_string(js))) {
			bad = 1;
			break;
		}
		const char *desc = json_string_value(jd), *subj = json_string_value(js);
		if (strlen(fp) != 64 || !unhex(fp, r->fp, 32) || (cert != 0 && cert != 1) || off < 0) {
			bad = 1;
			break;
		}
		size_t sl = subj ? strlen(subj) : 0;
		if (sl % 2 || sl > 2 * 65536) {
			bad = 1;
			break;
		}
		r->cert = (uint8_t)cert;
		r->content = f->file->content;
		r->offset = (uint64_t)off;
		r->desc = desc ? strdup(desc) : NULL;
		r->subj = sl ? malloc(sl / 2) : NULL;
		r->subjlen = sl / 2;
		if ((desc && !r->desc) || (sl && !r->subj) || (sl && !unhex(subj, r->subj, sl / 2))) {
			done++;
			bad = 1;
			break;
		}
	}
	if (!bad && done == n) {
		pthread_mutex_lock(&st->lock);
		int room = st->nrefs + n <= MAX_REFS;
		while (room && st->caprefs < st->nrefs + n)
			room = fv_grow(&st->refs, &st->caprefs, st->caprefs, sizeof *st->refs) == 0;
		if (room) {
			if (n)
				memcpy(st->refs + st->nrefs, v, n * sizeof *v);
			st->nrefs += n;
			done = 0;
			rc = FV_OK;
		}
		pthread_mutex_unlock(&st->lock);
	}
	for (size_t i = 0; i < done; i++)
		free(v[i].desc), free(v[i].subj);
	free(v);
	json_decref(k);
	return rc;
}

/* ---- image-wide: certificates whose private key ships too ----------------------------------- */

static int ref_cmp(const void *pa, const void *pb)
{
	const struct pubref *a = pa, *b = pb;
	int c = memcmp(a->fp, b->fp, 32);
	if (c)
		return c;
	if (a->cert != b->cert)
		return a->cert - b->cert; /* keys first */
	if (a->content != b->content)
		return a->content < b->content ? -1 : 1;
	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

static int all_example(const struct secrets *st, const struct fv_inventory *inv, size_t ci)
{
	if (!inv || ci >= inv->ncontents)
		return 0;
	const struct fv_content *c = &inv->contents[ci];
	for (size_t i = 0; i < c->nfiles; i++)
		if (path_class(st, inv->files[c->files[i]].member) != PC_EXAMPLE)
			return 0;
	return c->nfiles > 0;
}

static void finish(struct fv_actx *a, void *state)
{
	struct secrets *st = state;
	const struct fv_inventory *inv = fv_actx_inventory(a);
	if (st->nrefs)
		qsort(st->refs, st->nrefs, sizeof *st->refs, ref_cmp);
	for (size_t i = 0, j; i < st->nrefs; i = j) {
		for (j = i + 1; j < st->nrefs && memcmp(st->refs[j].fp, st->refs[i].fp, 32) == 0; j++)
			;
		const struct pubref *key = &st->refs[i];
		if (key->cert)
			continue; /* certificates only */
		int key_examples = 1;
		for (size_t k = i; k < j && !st->refs[k].cert; k++)
			key_examples &= all_example(st, inv, st->refs[k].content);
		const char *keypath = "?";
		if (inv && key->content < inv->ncontents && inv->contents[key->content].nfiles)
			keypath = inv->files[inv->contents[key->content].files[0]].x->path;
		for (size_t k = i; k < j; k++) {
			const struct pubref *c = &st->refs[k];
			if (!c->cert)
				continue;
			char ev[900], title[400], subject[200] = "(unreadable)";
			const uint8_t *q = c->subj;
			X509_NAME *nm = q ? d2i_X509_NAME(NULL, &q, (long)c->subjlen) : NULL;
			if (nm)
				name_str(nm, subject, sizeof subject);
			X509_NAME_free(nm);
			ERR_clear_error();
			snprintf(ev, sizeof ev, "subject=%s; private key (%s) at %s offset %llu", subject,
				 key->desc, keypath, (unsigned long long)key->offset);
			snprintf(title, sizeof title, "Certificate %s ships with its private key (%s)",
				 subject, key->desc);
			struct rep r = { "FV-SECR-002", "secret", key_examples ? FV_SEV_LOW : FV_SEV_HIGH,
					 key_examples ? FV_CONF_LOW : FV_CONF_HIGH, c->offset, ev, title };
			emit_paths(a, st, c->content, &r);
		}
	}
	for (size_t i = 0; i < st->nrefs; i++)
		free(st->refs[i].desc), free(st->refs[i].subj);
	st->nrefs = 0;
}

const struct fv_analyzer fv_analyzer_secrets = {
	.name = "secrets",
	.scope = FV_SCOPE_CONTENT,
	.rules = "secrets",
	.view = view,
	.restore = restore,
	.init = init,
	.wants = wants,
	.run = run,
	.finish = finish,
	.fini = fini,
};
