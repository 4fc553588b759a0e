/*
 * The credentials analyzer, and the cracker both credential analyzers use.
 *
 * Per unique content: password hashes written anywhere outside the account
 * stores (a boot script that writes /etc/passwd, a hash compiled into a
 * binary) are tried against the default-credential list (FV-CRED-001);
 * cleartext passwords in configuration are reported (FV-CRED-002); and a
 * binary whose string table holds a listed user name next to its listed
 * password, in a program that handles logins, is reported (FV-CRED-003).
 *
 * The cracker tries the list with libcrypt's crypt_rn (reentrant, so the
 * analyzer threads share nothing but the answer cache) and, for the schemes
 * libcrypt lacks (Apache apr1 and {SHA}, htdigest, mosquitto), with OpenSSL.
 * What a hash costs decides how much of the list it gets: see docs/rules.md.
 */
#include "analyze/analyze.h"
#include "analyze/creds.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/map.h"
#include "unpack/engine.h"

#include <crypt.h>
#include <dirent.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- limits ------------------------------------------------------------------- */

#define FIELD_MAX 127            /* bytes of a user, password or source in the list */
#define LIST_LINE_MAX 512        /* bytes of a line of a list file */
#define LIST_MAX 100000          /* entries, all files together */

#define TRY_MAX_US 500000u       /* a scheme costing more per try is not tried */
#define HASH_BUDGET_US 300000u   /* estimated work per hash... */
#define HASH_MIN_TRIES 4u        /* ...but at least this many tries... */
#define HASH_MAX_US 1000000u     /* ...as long as they stay under this */
#define IMAGE_BUDGET_US 10000000u /* estimated work per image, all hashes together */
#define CACHE_BUCKETS 4096u
#define CACHE_MAX 65536u         /* answers kept; past that, answers are not cached */

#define LINE_MAX_SCAN 4096       /* longer lines (minified code) are not read */
#define FILE_MAX_CRACKS 32       /* distinct hashes tried per file */
#define FILE_MAX_CLEAR 64        /* FV-CRED-002 per file */
#define FILE_MAX_PAIRS 16        /* FV-CRED-003 per file */
#define BLOB_MAX (4u << 20)      /* NUL-separated key=value tables: only small blobs */
#define PAIR_WINDOW 4            /* strings looked back at for a user/password pair */
#define PAIR_DISTANCE 128        /* bytes between their starts, at most */

/* ---- hash recognition --------------------------------------------------------- */

static int is_i64(int c)
{
	return c == '.' || c == '/' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	       (c >= 'a' && c <= 'z');
}

static int i64_val(int c)
{
	if (c == '.')
		return 0;
	if (c == '/')
		return 1;
	if (c >= '0' && c <= '9')
		return c - '0' + 2;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 12;
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 38;
	return -1;
}

static size_t span_i64(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && is_i64((unsigned char)s[i]))
		i++;
	return i;
}

static size_t span_digits(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

static int is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int has_prefix(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);
	return n >= k && memcmp(s, p, k) == 0;
}

/*
 * After a prefix of pre bytes: [rounds=N$] salt $ body, where the salt is at
 * most salt_max itoa64 characters and the body exactly body of them.  The
 * length of the whole, or 0.
 */
static size_t m_salted(const char *s, size_t n, size_t pre, const char *rounds, size_t salt_max,
		       size_t body)
{
	size_t i = pre;
	if (rounds && has_prefix(s + i, n - i, rounds)) {
		i += strlen(rounds);
		size_t d = span_digits(s + i, n - i);
		if (d == 0 || d > 10 || i + d >= n || s[i + d] != '$')
			return 0;
		i += d + 1;
	}
	size_t salt = span_i64(s + i, n - i);
	if (salt > salt_max)
		return 0;
	i += salt;
	if (i >= n || s[i] != '$')
		return 0;
	i++;
	return span_i64(s + i, n - i) == body ? i + body : 0;
}

size_t fv_hash_match(const char *s, size_t n, enum fv_hash *kind)
{
	size_t k = 0;
	enum fv_hash h = FV_HASH_NONE;
	if (n < 4 || s[0] != '$')
		return 0;
	if (has_prefix(s, n, "$1$")) {
		h = FV_HASH_MD5CRYPT;
		k = m_salted(s, n, 3, NULL, 8, 22);
	} else if (has_prefix(s, n, "$apr1$")) {
		h = FV_HASH_APR1;
		k = m_salted(s, n, 6, NULL, 8, 22);
	} else if (has_prefix(s, n, "$5$")) {
		h = FV_HASH_SHA256CRYPT;
		k = m_salted(s, n, 3, "rounds=", 16, 43);
	} else if (has_prefix(s, n, "$6$")) {
		h = FV_HASH_SHA512CRYPT;
		k = m_salted(s, n, 3, "rounds=", 16, 86);
	} else if (n >= 7 && s[1] == '2' && (s[2] == 'a' || s[2] == 'b' || s[2] == 'x' || s[2] == 'y') && s[3] == '$' &&
		   span_digits(s + 4, 2) == 2 && s[6] == '$') {
		h = FV_HASH_BCRYPT;
		k = span_i64(s + 7, n - 7) == 53 ? 60 : 0;
	} else if (has_prefix(s, n, "$y$") || has_prefix(s, n, "$gy$")) {
		h = s[1] == 'y' ? FV_HASH_YESCRYPT : FV_HASH_GOST_YESCRYPT;
		size_t i = h == FV_HASH_YESCRYPT ? 3 : 4;
		size_t p = span_i64(s + i, n - i);
		if (p >= 3 && p <= 32 && i + p < n && s[i + p] == '$')
			k = m_salted(s, n, i + p + 1, NULL, 86, 43);
	} else if (has_prefix(s, n, "$7$")) {
		h = FV_HASH_SCRYPT;
		size_t p = span_i64(s + 3, n - 3);
		if (p >= 11 && p <= 11 + 64 && 3 + p < n && s[3 + p] == '$' &&
		    span_i64(s + 4 + p, n - 4 - p) == 43)
			k = 4 + p + 43;
	} else if (has_prefix(s, n, "$md5")) {
		h = FV_HASH_SUNMD5;
		size_t i = 4;
		if (has_prefix(s + i, n - i, ",rounds=")) {
			i += 8;
			size_t d = span_digits(s + i, n - i);
			if (d == 0 || d > 10)
				return 0;
			i += d;
		}
		if (i < n && s[i] == '$') {
			size_t salt = span_i64(s + i + 1, n - i - 1);
			size_t j = i + 1 + salt;
			if (salt <= 8 && j < n && s[j] == '$') {
				j++;
				if (j < n && s[j] == '$')
					j++;
				if (span_i64(s + j, n - j) == 22)
					k = j + 22;
			}
		}
	} else if (has_prefix(s, n, "$sha1$")) {
		h = FV_HASH_SHA1CRYPT;
		size_t d = span_digits(s + 6, n - 6);
		if (d >= 1 && d <= 10 && 6 + d < n && s[6 + d] == '$')
			k = m_salted(s, n, 6 + d + 1, NULL, 64, 28);
	} else if (has_prefix(s, n, "$3$$")) {
		h = FV_HASH_NT;
		size_t i = 4;
		while (i < n && i < 4 + 32 && is_hex((unsigned char)s[i]))
			i++;
		k = i == 36 && (i == n || !is_hex((unsigned char)s[i])) ? 36 : 0;
	}
	if (!k)
		return 0;
	*kind = h;
	return k;
}

enum fv_hash fv_hash_kind(const char *s, size_t n, enum fv_hash_ctx ctx)
{
	enum fv_hash h = FV_HASH_NONE;
	if (n == 0)
		return FV_HASH_NONE;
	if (ctx == FV_HCTX_TEXT)
		return fv_hash_match(s, n, &h) == n ? h : FV_HASH_NONE;
	if (ctx == FV_HCTX_MOSQUITTO) {
		if (has_prefix(s, n, "$6$"))
			return FV_HASH_MOSQ_SHA512;
		if (has_prefix(s, n, "$7$"))
			return FV_HASH_MOSQ_PBKDF2;
		if (has_prefix(s, n, "$argon2"))
			return FV_HASH_ARGON2;
		return FV_HASH_NONE;
	}
	if (ctx == FV_HCTX_HTPASSWD) {
		if (has_prefix(s, n, "$apr1$"))
			return FV_HASH_APR1;
		if (has_prefix(s, n, "{SHA}") && n == 33)
			return FV_HASH_SHA1B64;
	}
	if (n == 13 && span_i64(s, n) == 13)
		return FV_HASH_DES;
	if (n == 20 && s[0] == '_' && span_i64(s + 1, 19) == 19)
		return FV_HASH_BSDI;
	if (s[0] != '$')
		return FV_HASH_NONE;
	/* A store holds what its system accepts: name the scheme by its prefix and let crypt judge the rest. */
	static const struct {
		const char *p;
		enum fv_hash h;
	} pre[] = {
		{ "$1$", FV_HASH_MD5CRYPT },     { "$5$", FV_HASH_SHA256CRYPT },
		{ "$6$", FV_HASH_SHA512CRYPT },  { "$2a$", FV_HASH_BCRYPT },
		{ "$2b$", FV_HASH_BCRYPT },      { "$2x$", FV_HASH_BCRYPT },
		{ "$2y$", FV_HASH_BCRYPT },      { "$y$", FV_HASH_YESCRYPT },
		{ "$gy$", FV_HASH_GOST_YESCRYPT }, { "$7$", FV_HASH_SCRYPT },
		{ "$md5", FV_HASH_SUNMD5 },      { "$sha1$", FV_HASH_SHA1CRYPT },
		{ "$3$$", FV_HASH_NT },          { "$argon2", FV_HASH_ARGON2 },
	};
	for (size_t i = 0; i < sizeof pre / sizeof *pre; i++)
		if (has_prefix(s, n, pre[i].p))
			return pre[i].h;
	return FV_HASH_NONE;
}

const char *fv_hash_name(enum fv_hash h)
{
	static const char *const names[] = {
		[FV_HASH_NONE] = "unknown",
		[FV_HASH_DES] = "des",
		[FV_HASH_BSDI] = "bsdicrypt",
		[FV_HASH_MD5CRYPT] = "md5crypt",
		[FV_HASH_APR1] = "apr1",
		[FV_HASH_SUNMD5] = "sunmd5",
		[FV_HASH_SHA1CRYPT] = "sha1crypt",
		[FV_HASH_SHA256CRYPT] = "sha256crypt",
		[FV_HASH_SHA512CRYPT] = "sha512crypt",
		[FV_HASH_BCRYPT] = "bcrypt",
		[FV_HASH_SCRYPT] = "scrypt",
		[FV_HASH_YESCRYPT] = "yescrypt",
		[FV_HASH_GOST_YESCRYPT] = "gost-yescrypt",
		[FV_HASH_NT] = "nt",
		[FV_HASH_SHA1B64] = "sha1",
		[FV_HASH_HTDIGEST] = "htdigest",
		[FV_HASH_MOSQ_SHA512] = "mosquitto-sha512",
		[FV_HASH_MOSQ_PBKDF2] = "mosquitto-pbkdf2",
		[FV_HASH_ARGON2] = "argon2",
	};
	return (unsigned)h < sizeof names / sizeof *names ? names[h] : "unknown";
}

/* ---- what a try costs ---------------------------------------------------------- */

/* A decimal number of at most 10 digits after prefix p in s, or def when absent. */
static uint64_t param_after(const char *s, const char *p, uint64_t def)
{
	const char *q = strstr(s, p);
	if (!q)
		return def;
	q += strlen(p);
	size_t d = span_digits(q, strlen(q));
	if (d == 0 || d > 10)
		return UINT64_MAX;
	return strtoull(q, NULL, 10);
}

/* a * b, saturating. */
static uint64_t mulsat(uint64_t a, uint64_t b)
{
	return a && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}

/*
 * Microseconds per try, measured on one x86-64 core (libxcrypt 4.4,
 * OpenSSL 3): des 5, md5crypt 190, sha512crypt 1300 and sha256crypt 2600 at
 * 5000 rounds, bcrypt 1.1 ms at cost 4 and 100 ms at cost 10, yescrypt about
 * 100 ms at its default N=4096 r=32.  The numbers only need to be right in
 * proportion: they decide how much of the list a hash gets.
 */
uint64_t fv_creds_cost_us(enum fv_hash h, const char *s)
{
	size_t n = strlen(s);
	switch (h) {
	case FV_HASH_DES:
		return 5;
	case FV_HASH_BSDI: {
		if (n < 5)
			return 0;
		uint64_t count = 0;
		for (int i = 4; i >= 1; i--) {
			int v = i64_val((unsigned char)s[i]);
			if (v < 0)
				return 0;
			count = count << 6 | (uint64_t)v;
		}
		return 1 + count / 5;
	}
	case FV_HASH_MD5CRYPT:
		return 190;
	case FV_HASH_APR1:
		return 250;
	case FV_HASH_SUNMD5: {
		uint64_t r = param_after(s, ",rounds=", 0);
		return r == UINT64_MAX ? 0 : mulsat(r + 4096, 4);
	}
	case FV_HASH_SHA1CRYPT: {
		uint64_t r = n > 6 ? strtoull(s + 6, NULL, 10) : 0;
		return r ? mulsat(r, 5) / 2 : 0;
	}
	case FV_HASH_SHA256CRYPT:
	case FV_HASH_SHA512CRYPT: {
		uint64_t r = param_after(s, "$rounds=", 5000);
		if (r == UINT64_MAX)
			return 0;
		r = r < 1000 ? 1000 : r;
		return h == FV_HASH_SHA256CRYPT ? mulsat(r, 11) / 20 : mulsat(r, 27) / 100;
	}
	case FV_HASH_BCRYPT: {
		if (n < 7 || span_digits(s + 4, 2) != 2)
			return 0;
		unsigned cost = (unsigned)(s[4] - '0') * 10 + (unsigned)(s[5] - '0');
		return cost < 4 || cost > 31 ? 0 : mulsat(100, 1ull << cost);
	}
	case FV_HASH_YESCRYPT:
	case FV_HASH_GOST_YESCRYPT: {
		/* $y$ flavour, log2(N) - 1, r - 1, each one itoa64 character; more means extra parameters. */
		size_t i = h == FV_HASH_YESCRYPT ? 3 : 4;
		if (n < i + 4 || s[i + 3] != '$')
			return 0;
		int nl = i64_val((unsigned char)s[i + 1]), r = i64_val((unsigned char)s[i + 2]);
		if (nl < 0 || nl > 30 || r < 0 || r > 46)
			return 0;
		return 1 + mulsat(1ull << (nl + 1), (uint64_t)r + 1) * 3 / 4;
	}
	case FV_HASH_SCRYPT: {
		/* $7$ log2(N), then r and p as 30-bit little-endian itoa64 */
		if (n < 14)
			return 0;
		int nl = i64_val((unsigned char)s[3]);
		uint64_t r = 0, p = 0;
		for (int k = 4; k >= 0; k--) {
			int a = i64_val((unsigned char)s[4 + k]), b = i64_val((unsigned char)s[9 + k]);
			if (a < 0 || b < 0)
				return 0;
			r = r << 6 | (uint64_t)a;
			p = p << 6 | (uint64_t)b;
		}
		if (nl < 1 || nl > 40 || !r || !p)
			return 0;
		return 1 + mulsat(mulsat(1ull << nl, r), p) * 19 / 10;
	}
	case FV_HASH_NT:
	case FV_HASH_SHA1B64:
	case FV_HASH_HTDIGEST:
	case FV_HASH_MOSQ_SHA512:
		return 2;
	case FV_HASH_MOSQ_PBKDF2: {
		uint64_t it = n > 3 ? strtoull(s + 3, NULL, 10) : 0;
		return it ? 1 + mulsat(it, 2) : 0;
	}
	default:
		return 0;
	}
}

/* ---- trying one password ----------------------------------------------------------- */

static const char b64_i64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* What a hash needs on every try, parsed once. */
struct target {
	enum fv_hash h;
	const char *hash, *user, *realm;
	struct crypt_data *cd;
	EVP_MD_CTX *md;
	const EVP_MD *md5, *sha1, *sha512;
	/* apr1 */
	const char *salt;
	size_t saltlen;
	/* mosquitto: raw salt, iterations, and the base64 digest to match */
	uint8_t raw[64];
	size_t rawlen;
	unsigned long iter;
	const char *want;
};

static void to64(char **p, unsigned long v, int n)
{
	while (n-- > 0) {
		*(*p)++ = b64_i64[v & 0x3f];
		v >>= 6;
	}
}

/* Apache's apr1: Poul-Henning Kamp's md5crypt with the magic "$apr1$". */
static int apr1(struct target *t, const char *pw, char out[64])
{
	static const char magic[] = "$apr1$";
	EVP_MD_CTX *c = t->md;
	size_t pl = strlen(pw);
	uint8_t alt[16], fin[16];
	if (!EVP_DigestInit_ex(c, t->md5, NULL) || !EVP_DigestUpdate(c, pw, pl) ||
	    !EVP_DigestUpdate(c, t->salt, t->saltlen) || !EVP_DigestUpdate(c, pw, pl) ||
	    !EVP_DigestFinal_ex(c, alt, NULL))
		return 0;
	if (!EVP_DigestInit_ex(c, t->md5, NULL) || !EVP_DigestUpdate(c, pw, pl) ||
	    !EVP_DigestUpdate(c, magic, 6) || !EVP_DigestUpdate(c, t->salt, t->saltlen))
		return 0;
	for (size_t i = pl; i > 0;) {
		size_t k = i > 16 ? 16 : i;
		EVP_DigestUpdate(c, alt, k);
		i -= k;
	}
	for (size_t i = pl; i; i >>= 1)
		EVP_DigestUpdate(c, i & 1 ? "" : pw, 1);
	if (!EVP_DigestFinal_ex(c, fin, NULL))
		return 0;
	for (int i = 0; i < 1000; i++) {
		EVP_DigestInit_ex(c, t->md5, NULL);
		if (i & 1)
			EVP_DigestUpdate(c, pw, pl);
		else
			EVP_DigestUpdate(c, fin, 16);
		if (i % 3)
			EVP_DigestUpdate(c, t->salt, t->saltlen);
		if (i % 7)
			EVP_DigestUpdate(c, pw, pl);
		if (i & 1)
			EVP_DigestUpdate(c, fin, 16);
		else
			EVP_DigestUpdate(c, pw, pl);
		if (!EVP_DigestFinal_ex(c, fin, NULL))
			return 0;
	}
	char *p = out + snprintf(out, 64, "%s%.*s$", magic, (int)t->saltlen, t->salt);
	to64(&p, (unsigned long)fin[0] << 16 | (unsigned long)fin[6] << 8 | fin[12], 4);
	to64(&p, (unsigned long)fin[1] << 16 | (unsigned long)fin[7] << 8 | fin[13], 4);
	to64(&p, (unsigned long)fin[2] << 16 | (unsigned long)fin[8] << 8 | fin[14], 4);
	to64(&p, (unsigned long)fin[3] << 16 | (unsigned long)fin[9] << 8 | fin[15], 4);
	to64(&p, (unsigned long)fin[4] << 16 | (unsigned long)fin[10] << 8 | fin[5], 4);
	to64(&p, fin[11], 2);
	*p = 0;
	return 1;
}

/* Standard base64 of s[0..n) (with padding) into raw; its length, or -1. */
static int b64_decode(const char *s, size_t n, uint8_t *raw, size_t cap)
{
	if (n == 0 || n % 4 || n / 4 * 3 > cap)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!(is_i64((unsigned char)s[i]) && s[i] != '.') && s[i] != '+' && s[i] != '=')
			return -1;
	int k = EVP_DecodeBlock(raw, (const unsigned char *)s, (int)n);
	if (k < 0)
		return -1;
	size_t pad = s[n - 1] == '=' ? (s[n - 2] == '=' ? 2 : 1) : 0;
	return k - (int)pad;
}

/* Parses what every try needs; 0 when the hash cannot be tried. */
static int target_prepare(struct target *t)
{
	const char *s = t->hash;
	size_t n = strlen(s);
	switch (t->h) {
	case FV_HASH_APR1: {
		const char *e = strchr(s + 6, '$');
		if (!e)
			return 0;
		t->salt = s + 6;
		t->saltlen = (size_t)(e - t->salt) > 8 ? 8 : (size_t)(e - t->salt);
		return 1;
	}
	case FV_HASH_SHA1B64:
		return n == 33;
	case FV_HASH_HTDIGEST:
		return n == 32 && t->realm && t->user;
	case FV_HASH_MOSQ_SHA512:
	case FV_HASH_MOSQ_PBKDF2: {
		const char *p = s + 3;
		t->iter = 0;
		if (t->h == FV_HASH_MOSQ_PBKDF2) {
			size_t d = span_digits(p, strlen(p));
			if (d == 0 || d > 9 || p[d] != '$')
				return 0;
			t->iter = strtoul(p, NULL, 10);
			p += d + 1;
		}
		const char *e = strchr(p, '$');
		if (!e)
			return 0;
		int k = b64_decode(p, (size_t)(e - p), t->raw, sizeof t->raw);
		if (k <= 0)
			return 0;
		t->rawlen = (size_t)k;
		t->want = e + 1;
		return strlen(t->want) == 88;
	}
	case FV_HASH_ARGON2:
	case FV_HASH_NONE:
		return 0;
	default:
		return 1; /* crypt(3) reads its own setting */
	}
}

static int try_one(struct target *t, const char *pw)
{
	char buf[160];
	uint8_t dig[64];
	unsigned int dl = 0;
	size_t pl = strlen(pw);
	switch (t->h) {
	case FV_HASH_APR1:
		return apr1(t, pw, buf) && strcmp(buf, t->hash) == 0;
	case FV_HASH_SHA1B64:
		if (!EVP_Digest(pw, pl, dig, &dl, t->sha1, NULL) || dl != 20)
			return 0;
		EVP_EncodeBlock((unsigned char *)buf, dig, 20);
		return strcmp(buf, t->hash + 5) == 0;
	case FV_HASH_HTDIGEST: {
		EVP_MD_CTX *c = t->md;
		if (!EVP_DigestInit_ex(c, t->md5, NULL) ||
		    !EVP_DigestUpdate(c, t->user, strlen(t->user)) || !EVP_DigestUpdate(c, ":", 1) ||
		    !EVP_DigestUpdate(c, t->realm, strlen(t->realm)) || !EVP_DigestUpdate(c, ":", 1) ||
		    !EVP_DigestUpdate(c, pw, pl) || !EVP_DigestFinal_ex(c, dig, &dl) || dl != 16)
			return 0;
		for (int i = 0; i < 16; i++)
			snprintf(buf + 2 * i, 3, "%02x", dig[i]);
		return strcasecmp(buf, t->hash) == 0;
	}
	case FV_HASH_MOSQ_SHA512: {
		EVP_MD_CTX *c = t->md;
		if (!EVP_DigestInit_ex(c, t->sha512, NULL) || !EVP_DigestUpdate(c, pw, pl) ||
		    !EVP_DigestUpdate(c, t->raw, t->rawlen) || !EVP_DigestFinal_ex(c, dig, &dl) ||
		    dl != 64)
			return 0;
		EVP_EncodeBlock((unsigned char *)buf, dig, 64);
		return strcmp(buf, t->want) == 0;
	}
	case FV_HASH_MOSQ_PBKDF2:
		if (!PKCS5_PBKDF2_HMAC(pw, (int)pl, t->raw, (int)t->rawlen, (int)t->iter, t->sha512,
				       64, dig))
			return 0;
		EVP_EncodeBlock((unsigned char *)buf, dig, 64);
		return strcmp(buf, t->want) == 0;
	default: {
		const char *r = crypt_rn(pw, t->hash, t->cd, (int)sizeof *t->cd);
		return r && strcmp(r, t->hash) == 0;
	}
	}
}

/* ---- the list ------------------------------------------------------------------- */

struct entry {
	char *user;   /* "*": any user */
	uint32_t pw;  /* index into pws */
	char *source;
	int pair;     /* eligible for FV-CRED-003: a specific user with a specific password */
	int dist;     /* its password is distinctive enough to count beside any listed user */
};

/* Open addressing over strings owned elsewhere. */
struct strmap {
	const char **keys;
	uint32_t *vals;
	size_t cap, n;
};

static uint64_t fnv(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

static const char *sm_find(const struct strmap *m, const char *s, size_t n, uint32_t **val)
{
	if (!m->cap)
		return NULL;
	for (size_t i = fnv(s, n) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		const char *k = m->keys[i];
		if (!k)
			return NULL;
		if (strncmp(k, s, n) == 0 && k[n] == 0) {
			if (val)
				*val = &m->vals[i];
			return k;
		}
	}
}

static int sm_put(struct strmap *m, const char *key, uint32_t val)
{
	if ((m->n + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		struct strmap g = { calloc(cap, sizeof *g.keys), calloc(cap, sizeof *g.vals), cap, 0 };
		if (!g.keys || !g.vals) {
			free(g.keys);
			free(g.vals);
			return FV_ENOMEM;
		}
		for (size_t i = 0; i < m->cap; i++)
			if (m->keys[i])
				sm_put(&g, m->keys[i], m->vals[i]);
		free(m->keys);
		free(m->vals);
		*m = g;
	}
	size_t n = strlen(key);
	size_t i = fnv(key, n) & (m->cap - 1);
	while (m->keys[i])
		i = (i + 1) & (m->cap - 1);
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return FV_OK;
}

static void sm_free(struct strmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

/* What a string of a binary is to the list (bits of strmap values in `words`). */
#define W_USER 1u  /* the user of an entry with a named user */
#define W_PASS 2u  /* the password of a pair entry: specific to its user */
#define W_KNOWN 4u /* a password of any entry */
#define W_DIST 8u  /* a distinctive password of a named user: evidence beside any listed user */

/* A cached answer. */
struct answer {
	struct answer *next;
	uint64_t h;
	int done, partial;
	int found;
	uint32_t pw;
	unsigned tried;
	int skipped;
	size_t klen;
	char key[];
};

struct fv_creds {
	struct fv_creds *next; /* the registry */
	unsigned refs;
	char *rules_dir, *user_rules;

	struct entry *e;
	size_t ne, cape;
	char **pws;           /* distinct passwords, in list order */
	uint32_t *pw_entry;   /* the first entry with each */
	size_t npw, cappw, cappe;
	struct strmap pwmap;  /* password -> index */
	struct strmap words;  /* strings a binary is matched against -> W_* */

	EVP_MD *md5, *sha1, *sha512;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct answer *cache[CACHE_BUCKETS];
	size_t ncache;
	uint64_t spent_us;    /* this image's estimated cracking work */
	int budget_noted;
};

static void creds_free(struct fv_creds *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->ne; i++) {
		free(c->e[i].user);
		free(c->e[i].source);
	}
	for (size_t i = 0; i < c->npw; i++)
		free(c->pws[i]);
	for (size_t b = 0; b < CACHE_BUCKETS; b++)
		for (struct answer *a = c->cache[b], *n; a; a = n) {
			n = a->next;
			free(a);
		}
	free(c->e);
	free(c->pws);
	free(c->pw_entry);
	sm_free(&c->pwmap);
	sm_free(&c->words);
	EVP_MD_free(c->md5);
	EVP_MD_free(c->sha1);
	EVP_MD_free(c->sha512);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->cond);
	free(c->rules_dir);
	free(c->user_rules);
	free(c);
}

/* Unescapes \\ \t \xHH in s[0..n) into out; 0, or -1 on a bad escape or length. */
static int unescape(const char *s, size_t n, char *out, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '\\') {
			if (++i >= n)
				return -1;
			if (s[i] == '\\')
				ch = '\\';
			else if (s[i] == 't')
				ch = '\t';
			else if (s[i] == 'x' && i + 2 < n && is_hex((unsigned char)s[i + 1]) &&
				 is_hex((unsigned char)s[i + 2])) {
				char hx[3] = { s[i + 1], s[i + 2], 0 };
				ch = (char)strtol(hx, NULL, 16);
				if (!ch)
					return -1;
				i += 2;
			} else {
				return -1;
			}
		}
		if (k + 1 >= cap)
			return -1;
		out[k++] = ch;
	}
	out[k] = 0;
	return 0;
}

static int add_entry(struct fv_creds *c, const char *user, const char *pw, const char *source)
{
	if (c->ne >= LIST_MAX)
		return FV_ELIMIT;
	uint32_t *idx = NULL;
	uint32_t p;
	if (sm_find(&c->pwmap, pw, strlen(pw), &idx)) {
		p = *idx;
	} else {
		if (fv_grow(&c->pws, &c->cappw, c->npw, sizeof *c->pws) ||
		    fv_grow(&c->pw_entry, &c->cappe, c->npw, sizeof *c->pw_entry) ||
		    !(c->pws[c->npw] = strdup(pw)))
			return FV_ENOMEM;
		p = (uint32_t)c->npw;
		c->pw_entry[p] = (uint32_t)c->ne;
		c->npw++;
		if (sm_put(&c->pwmap, c->pws[p], p))
			return FV_ENOMEM;
	}
	if (fv_grow(&c->e, &c->cape, c->ne, sizeof *c->e))
		return FV_ENOMEM;
	struct entry *e = &c->e[c->ne];
	e->user = strdup(user);
	e->source = strdup(source);
	e->pw = p;
	e->pair = 0;
	if (!e->user || !e->source) {
		free(e->user);
		free(e->source);
		return FV_ENOMEM;
	}
	c->ne++;
	return FV_OK;
}

/* Loads one list file; shown is its name in messages. */
static int load_file(struct fv_creds *c, const char *path, const char *shown, char *err,
		     size_t errlen)
{
	struct fv_map m;
	if (fv_map_open(path, &m) != FV_OK) {
		snprintf(err, errlen, "%s: cannot read the credential list", shown);
		return FV_EIO;
	}
	const char *p = (const char *)m.data;
	size_t n = m.size, line = 0;
	int rc = FV_OK;
	for (size_t i = 0; i < n && rc == FV_OK;) {
		const char *nl = memchr(p + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - p) : n, len = end - i;
		const char *l = p + i;
		line++;
		i = end + 1;
		if (len && l[len - 1] == '\r')
			len--;
		if (len == 0 || l[0] == '#')
			continue;
		if (memchr(l, 0, len)) {
			snprintf(err, errlen, "%s:%zu: expected text, found a NUL byte", shown, line);
			rc = FV_EFORMAT;
			break;
		}
		if (len > LIST_LINE_MAX) {
			snprintf(err, errlen, "%s:%zu: expected a line of at most %d bytes, found %zu",
				 shown, line, LIST_LINE_MAX, len);
			rc = FV_EFORMAT;
			break;
		}
		const char *t1 = memchr(l, '\t', len);
		const char *t2 = t1 ? memchr(t1 + 1, '\t', len - (size_t)(t1 + 1 - l)) : NULL;
		char user[FIELD_MAX + 1], pw[FIELD_MAX + 1], src[FIELD_MAX + 1];
		if (!t2 || memchr(t2 + 1, '\t', len - (size_t)(t2 + 1 - l))) {
			snprintf(err, errlen,
				 "%s:%zu: expected user<TAB>password<TAB>source, found \"%.*s\"",
				 shown, line, (int)(len > 60 ? 60 : len), l);
			rc = FV_EFORMAT;
			break;
		}
		size_t srcl = len - (size_t)(t2 + 1 - l);
		if (unescape(l, (size_t)(t1 - l), user, sizeof user) ||
		    unescape(t1 + 1, (size_t)(t2 - t1 - 1), pw, sizeof pw) || srcl == 0 ||
		    srcl > FIELD_MAX || !*user) {
			snprintf(err, errlen,
				 "%s:%zu: expected a user name, a password (\\\\, \\t, \\xHH escapes) and "
				 "a source of at most %d bytes each, found \"%.*s\"",
				 shown, line, FIELD_MAX, (int)(len > 60 ? 60 : len), l);
			rc = FV_EFORMAT;
			break;
		}
		memcpy(src, t2 + 1, srcl);
		src[srcl] = 0;
		rc = add_entry(c, user, pw, src);
		if (rc == FV_ELIMIT)
			snprintf(err, errlen, "%s:%zu: more than %d credentials in all", shown, line,
				 LIST_MAX);
	}
	fv_map_close(&m);
	return rc;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.txt of dir/credentials in name order; a missing folder is an error only when required. */
static int load_dir(struct fv_creds *c, const char *dir, int required, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/credentials", dir);
	DIR *d = opendir(path);
	if (!d) {
		if (!required)
			return FV_OK;
		snprintf(err, errlen, "%s: expected a folder of credential lists (*.txt)", path);
		return FV_EIO;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = FV_OK;
	struct dirent *de;
	while ((de = readdir(d)) && rc == FV_OK) {
		size_t k = strlen(de->d_name);
		if (k < 5 || strcmp(de->d_name + k - 4, ".txt") || de->d_name[0] == '.')
			continue;
		if (fv_grow(&names, &cap, n, sizeof *names) || !(names[n] = strdup(de->d_name)))
			rc = FV_ENOMEM;
		else
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_name);
	for (size_t i = 0; i < n && rc == FV_OK; i++) {
		char shown[4200];
		snprintf(path, sizeof path, "%s/credentials/%s", dir, names[i]);
		snprintf(shown, sizeof shown, "%s", path);
		rc = load_file(c, path, shown, err, errlen);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* s in lower case into out (cap bytes); 0 when it does not fit. */
static int lower(const char *s, char *out, size_t cap)
{
	size_t n = strlen(s);
	if (n >= cap)
		return 0;
	for (size_t i = 0; i <= n; i++)
		out[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
	return 1;
}

static int add_word(struct strmap *m, const char *s, uint32_t bit)
{
	uint32_t *v;
	if (sm_find(m, s, strlen(s), &v)) {
		*v |= bit;
		return FV_OK;
	}
	return sm_put(m, s, bit);
}

/*
 * A password no program holds by chance: five characters or more that mix
 * letters with digits, cases or punctuation (Zte521, 7ujMko0admin, zlxx.),
 * and that do not spell a password prompt (password1 is a form field).
 */
static int distinctive(const char *lower_pw, const char *pw)
{
	int alpha = 0, digit = 0, upper = 0, lower = 0, punct = 0;
	if (strlen(pw) < 5 || strstr(lower_pw, "pass") || strstr(lower_pw, "pwd"))
		return 0;
	for (const char *p = pw; *p; p++) {
		char ch = *p;
		if (ch >= '0' && ch <= '9')
			digit = 1;
		else if (ch >= 'a' && ch <= 'z')
			alpha = lower = 1;
		else if (ch >= 'A' && ch <= 'Z')
			alpha = upper = 1;
		else
			punct = 1;
	}
	return alpha && (digit || (upper && lower) || punct);
}

/*
 * Marks the entries that FV-CRED-003 looks for, and fills the map of
 * strings a binary's string table is matched against.  A pair counts only
 * when its password is specific: not a word that string tables hold for
 * other reasons (prompts, protocol fields, menus), nor any entry's user name.
 */
static int build_words(struct fv_creds *c)
{
	static const char *const common[] = { "password", "passwd", "pass", "login", "secret",
					      "public", "private", "enable", "test", "none" };
	struct strmap users = { 0 };
	char **low = calloc(c->ne ? c->ne : 1, sizeof *low);
	int rc = low ? FV_OK : FV_ENOMEM;
	for (size_t i = 0; i < c->ne && rc == FV_OK; i++) {
		char buf[FIELD_MAX + 1];
		lower(c->e[i].user, buf, sizeof buf);
		if (!(low[i] = strdup(buf)))
			rc = FV_ENOMEM;
		else if (!sm_find(&users, low[i], strlen(low[i]), NULL))
			rc = sm_put(&users, low[i], 0);
	}
	for (size_t i = 0; i < c->ne && rc == FV_OK; i++) {
		struct entry *e = &c->e[i];
		const char *pw = c->pws[e->pw];
		char lpw[FIELD_MAX + 1];
		lower(pw, lpw, sizeof lpw);
		int common_word = sm_find(&users, lpw, strlen(lpw), NULL) != NULL;
		for (size_t k = 0; k < sizeof common / sizeof *common; k++)
			common_word |= strcmp(lpw, common[k]) == 0;
		/* password1 and new_pwd are form fields as often as passwords */
		common_word |= strstr(lpw, "pass") || strstr(lpw, "pwd");
		e->pair = strcmp(e->user, "*") && strlen(pw) >= 3 && !common_word;
		e->dist = e->pair && distinctive(lpw, pw);
		if (*pw)
			rc = add_word(&c->words, pw,
				      W_KNOWN | (e->pair ? W_PASS : 0) | (e->dist ? W_DIST : 0));
		if (rc == FV_OK && strcmp(e->user, "*"))
			rc = add_word(&c->words, e->user, W_USER);
	}
	for (size_t i = 0; low && i < c->ne; i++)
		free(low[i]);
	free(low);
	sm_free(&users);
	return rc;
}

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fv_creds *reg;

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int fv_creds_open(const char *rules_dir, const char *user_rules, struct fv_creds **out, char *err,
		  size_t errlen)
{
	*out = NULL;
	pthread_mutex_lock(&reg_lock);
	for (struct fv_creds *c = reg; c; c = c->next)
		if (same(c->rules_dir, rules_dir) && same(c->user_rules, user_rules)) {
			c->refs++;
			*out = c;
			pthread_mutex_unlock(&reg_lock);
			return FV_OK;
		}
	struct fv_creds *c = calloc(1, sizeof *c);
	int rc = FV_ENOMEM;
	if (!c)
		goto out;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	c->refs = 1;
	c->rules_dir = strdup(rules_dir);
	c->user_rules = user_rules ? strdup(user_rules) : NULL;
	c->md5 = EVP_MD_fetch(NULL, "MD5", NULL);
	c->sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	c->sha512 = EVP_MD_fetch(NULL, "SHA512", NULL);
	if (!c->rules_dir || (user_rules && !c->user_rules))
		goto out;
	if (!c->md5 || !c->sha1 || !c->sha512) {
		snprintf(err, errlen, "OpenSSL: expected the MD5, SHA1 and SHA512 digests");
		rc = FV_EUNSUP;
		goto out;
	}
	/* The user's own lists come first: on costly hashes, order decides what is tried. */
	if (user_rules && (rc = load_dir(c, user_rules, 0, err, errlen)) != FV_OK)
		goto out;
	if ((rc = load_dir(c, rules_dir, 1, err, errlen)) != FV_OK)
		goto out;
	if ((rc = build_words(c)) != FV_OK)
		goto out;
	c->next = reg;
	reg = c;
	*out = c;
out:
	if (rc != FV_OK)
		creds_free(c);
	pthread_mutex_unlock(&reg_lock);
	return rc;
}

void fv_creds_close(struct fv_creds *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&reg_lock);
	if (--c->refs == 0) {
		for (struct fv_creds **p = &reg; *p; p = &(*p)->next)
			if (*p == c) {
				*p = c->next;
				break;
			}
		creds_free(c);
	}
	pthread_mutex_unlock(&reg_lock);
}

size_t fv_creds_count(const struct fv_creds *c, size_t *passwords)
{
	if (passwords)
		*passwords = c->npw;
	return c->ne;
}

const char *fv_creds_known(const struct fv_creds *c, const char *pw, size_t n)
{
	uint32_t *v;
	if (!c || !sm_find(&c->pwmap, pw, n, &v))
		return NULL;
	return c->e[c->pw_entry[*v]].source;
}

void fv_creds_image_done(struct fv_creds *c)
{
	pthread_mutex_lock(&c->lock);
	c->spent_us = 0;
	c->budget_noted = 0;
	pthread_mutex_unlock(&c->lock);
}

/* ---- cracking ---------------------------------------------------------------------- */

/* The candidates for user, best first: the user's own pairs, then the list. */
static size_t plan(const struct fv_creds *c, const char *user, uint32_t *order, uint8_t *seen)
{
	size_t k = 0;
	memset(seen, 0, c->npw);
	if (user && *user)
		for (size_t i = 0; i < c->ne; i++)
			if (!seen[c->e[i].pw] && strcasecmp(c->e[i].user, user) == 0) {
				seen[c->e[i].pw] = 1;
				order[k++] = c->e[i].pw;
			}
	for (size_t p = 0; p < c->npw; p++)
		if (!seen[p])
			order[k++] = (uint32_t)p;
	return k;
}

/* How many tries a hash gets before the image's budget is considered. */
static size_t tries_for(uint64_t cost, size_t total)
{
	if (mulsat(cost, total) <= HASH_BUDGET_US)
		return total;
	uint64_t t = HASH_BUDGET_US / cost;
	if (t < HASH_MIN_TRIES)
		t = HASH_MIN_TRIES;
	if (mulsat(t, cost) > HASH_MAX_US)
		t = HASH_MAX_US / cost ? HASH_MAX_US / cost : 1;
	return t < total ? (size_t)t : total;
}

/* The entry that explains a found password: the user's own pair, else the first with it. */
static uint32_t explain(const struct fv_creds *c, uint32_t pw, const char *user)
{
	if (user && *user)
		for (size_t i = 0; i < c->ne; i++)
			if (c->e[i].pw == pw && strcasecmp(c->e[i].user, user) == 0)
				return (uint32_t)i;
	return c->pw_entry[pw];
}

static void fill(const struct fv_creds *c, const struct answer *a, const char *user,
		 struct fv_crack *out)
{
	out->found = a->found;
	out->skipped = a->skipped;
	out->partial = a->partial;
	if (a->found) {
		snprintf(out->password, sizeof out->password, "%s", c->pws[a->pw]);
		snprintf(out->source, sizeof out->source, "%s", c->e[explain(c, a->pw, user)].source);
	}
}

int fv_creds_crack(struct fv_creds *c, enum fv_hash h, const char *user, const char *realm,
		   const char *hash, struct fv_crack *out)
{
	memset(out, 0, sizeof *out);
	if (!c || !hash)
		return 0;
	uint64_t cost = fv_creds_cost_us(h, hash);
	struct target t = { .h = h, .hash = hash, .user = user ? user : "", .realm = realm,
			    .md5 = c->md5, .sha1 = c->sha1, .sha512 = c->sha512 };
	if (!cost || cost > TRY_MAX_US || !target_prepare(&t) || c->npw == 0) {
		out->skipped = 1;
		return 0;
	}
	/*
	 * The key: scheme, user, realm, hash, NUL-separated.  The user is part
	 * of it only when it changes the answer: when the list is cut short (its
	 * pairs go first) and for htdigest (it is hashed).
	 */
	size_t total = c->npw, want = tries_for(cost, total);
	const char *kuser = want < total || h == FV_HASH_HTDIGEST ? t.user : "";
	size_t ul = strlen(kuser), rl = realm ? strlen(realm) : 0, hl = strlen(hash);
	size_t klen = 1 + ul + 1 + rl + 1 + hl;
	struct answer *a = malloc(sizeof *a + klen);
	if (!a)
		return FV_ENOMEM;
	char *k = a->key;
	*k++ = (char)h;
	memcpy(k, kuser, ul + 1);
	k += ul + 1;
	if (rl)
		memcpy(k, realm, rl);
	k[rl] = 0;
	k += rl + 1;
	memcpy(k, hash, hl);
	a->klen = klen;
	a->h = fnv(a->key, klen);

	pthread_mutex_lock(&c->lock);
	struct answer **bucket = &c->cache[a->h % CACHE_BUCKETS];
	for (struct answer *x = *bucket; x; x = x->next) {
		if (x->h != a->h || x->klen != klen || memcmp(x->key, a->key, klen))
			continue;
		while (!x->done)
			pthread_cond_wait(&c->cond, &c->lock);
		if (x->partial)
			break; /* cut short by a spent budget: try again */
		fill(c, x, t.user, out);
		pthread_mutex_unlock(&c->lock);
		free(a);
		return out->found;
	}
	size_t tries = want;
	uint64_t left = c->spent_us < IMAGE_BUDGET_US ? IMAGE_BUDGET_US - c->spent_us : 0;
	if (mulsat(tries, cost) > left)
		tries = (size_t)(left / cost);
	c->spent_us += tries * cost;
	if (tries < want && !c->budget_noted) {
		c->budget_noted = 1;
		fv_log(FV_LOG_WARN, "credentials: the image's cracking budget is spent; "
				    "further hashes get fewer tries");
	}
	a->done = 0;
	a->partial = tries < want;
	a->found = 0;
	a->skipped = tries == 0;
	a->tried = 0;
	int cached = c->ncache < CACHE_MAX;
	if (cached) {
		a->next = *bucket;
		*bucket = a;
		c->ncache++;
	}
	pthread_mutex_unlock(&c->lock);

	int rc = FV_OK;
	uint32_t *order = malloc(total * sizeof *order);
	uint8_t *seen = malloc(total);
	t.cd = calloc(1, sizeof *t.cd);
	t.md = EVP_MD_CTX_new();
	if (!order || !seen || !t.cd || !t.md) {
		rc = FV_ENOMEM;
		a->skipped = 1;
	} else {
		size_t np = plan(c, t.user, order, seen);
		for (size_t i = 0; i < tries && i < np; i++) {
			a->tried++;
			if (try_one(&t, c->pws[order[i]])) {
				a->found = 1;
				a->pw = order[i];
				break;
			}
		}
	}
	free(order);
	free(seen);
	free(t.cd);
	EVP_MD_CTX_free(t.md);

	pthread_mutex_lock(&c->lock);
	if (rc != FV_OK)
		a->partial = 1;
	/* Work reserved but not done (found early) goes back to the image's budget. */
	uint64_t refund = (uint64_t)(tries - a->tried) * cost;
	c->spent_us = c->spent_us > refund ? c->spent_us - refund : 0;
	a->done = 1;
	fill(c, a, t.user, out);
	out->tried = a->tried;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	if (!cached)
		free(a);
	return rc != FV_OK ? rc : out->found;
}

/* ---- cleartext passwords --------------------------------------------------------------- */

static int ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && strncasecmp(s + n - k, suf, k) == 0;
}

int fv_creds_password_key(const char *key, size_t n)
{
	if (n == 0 || n > 64)
		return 0;
	if (ends_with(key, n, "password") || ends_with(key, n, "passwd") ||
	    ends_with(key, n, "passphrase"))
		return 1;
	if ((n == 4 && strncasecmp(key, "pass", 4) == 0) || (n == 3 && strncasecmp(key, "pwd", 3) == 0))
		return 1;
	/* *_pass, *-pwd: a separator before, so that "bypass" and "compass" stay out. */
	static const char *const sep[] = { "_pass", "-pass", ".pass", "_pwd", "-pwd", ".pwd" };
	for (size_t i = 0; i < sizeof sep / sizeof *sep; i++)
		if (ends_with(key, n, sep[i]))
			return 1;
	return 0;
}

/* Whether s[0..n) holds word, without case. */
static int strncasestr(const char *s, size_t n, const char *word)
{
	size_t k = strlen(word);
	for (size_t i = 0; i + k <= n; i++)
		if (strncasecmp(s + i, word, k) == 0)
			return 1;
	return 0;
}

int fv_creds_placeholder(const char *v, size_t n)
{
	if (!v || n < 2)
		return 1; /* empty, or a flag like 0/1 */
	if (v[0] == '$' || v[0] == '`' || memmem(v, n, "${", 2) || memmem(v, n, "$(", 2))
		return 1;
	if ((v[0] == '<' && v[n - 1] == '>') || (v[0] == '[' && v[n - 1] == ']') ||
	    (v[0] == '@' && v[n - 1] == '@') || memmem(v, n, "{{", 2))
		return 1;
	for (size_t i = 0; i + 1 < n; i++)
		if (v[i] == '%' && ((v[i + 1] >= 'a' && v[i + 1] <= 'z') ||
				    (v[i + 1] >= '0' && v[i + 1] <= '9') || v[i + 1] == '-'))
			return 1;
	size_t same = 1;
	while (same < n && v[same] == v[0])
		same++;
	if (same == n && strchr("xX*#.?-_ ", v[0]))
		return 1;
	static const char *const words[] = { "yes",  "no",      "true",     "false",    "on",
					     "off",  "none",    "null",     "nil",      "undefined",
					     "disabled", "enabled", "required", "optional", "empty",
					     "define", "undef" };
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (strlen(words[i]) == n && strncasecmp(v, words[i], n) == 0)
			return 1;
	if (n >= 4 && strncasecmp(v, "your", 4) == 0)
		return 1; /* your_password_here */
	/* /system/proxy/password: a path, or a key of another store */
	if (v[0] == '/')
		return 1;
	/* 1.3.6.1.4.1.4203.1.11.1, 2.0.1: an OID or a version */
	size_t dots = 0, digits = 0;
	for (size_t i = 0; i < n; i++)
		dots += v[i] == '.', digits += v[i] >= '0' && v[i] <= '9';
	if (dots >= 2 && dots + digits == n)
		return 1;
	/* "getent passwd", "Password used to derive the key": a command or a sentence about one */
	if (memchr(v, ' ', n) && (memchr(v, '/', n) || memchr(v, '|', n) || strncasestr(v, n, "pass")))
		return 1;
	/* PASSWORD, MQTT_PASS: a name standing for the value, in usage text and templates */
	int caps = 1;
	for (size_t i = 0; i < n && caps; i++)
		caps = (v[i] >= 'A' && v[i] <= 'Z') || v[i] == '_';
	if (caps && (memmem(v, n, "PASS", 4) || memmem(v, n, "PW", 2)))
		return 1;
	return 0;
}

void fv_creds_line_evidence(const char *line, size_t len, size_t v, size_t n, int show, char *out,
			    size_t outlen)
{
	if (!outlen)
		return;
	if (v > len)
		v = len;
	if (n > len - v)
		n = len - v;
	/* Up to 80 bytes before the value and 40 after: the key and a little context. */
	size_t from = v > 80 ? v - 80 : 0, to = len - (v + n) > 40 ? v + n + 40 : len;
	char val[200];
	if (show)
		snprintf(val, sizeof val, "%.*s", (int)(n > 120 ? 120 : n), line + v);
	else
		fv_mask_secret(line + v, n, 4, val, sizeof val);
	size_t k = 0;
	for (int part = 0; part < 3 && k + 1 < outlen; part++) {
		const char *s = part == 0 ? line + from : part == 1 ? val : line + v + n;
		size_t m = part == 0 ? v - from : part == 1 ? strlen(val) : to - v - n;
		for (size_t i = 0; i < m && k + 1 < outlen; i++) {
			unsigned char ch = (unsigned char)s[i];
			out[k++] = ch == '\t' ? ' ' : ch < 0x20 || ch == 0x7f ? '.' : (char)ch;
		}
	}
	out[k] = 0;
}

/* ---- the analyzer ---------------------------------------------------------------------- */

struct state {
	struct fv_creds *creds;
};

enum mode { M_TEXT, M_SCRIPT, M_BLOB, M_ELF };

/* One file being scanned. */
struct scan {
	struct fv_actx *a;
	struct fv_creds *cr;
	const struct fv_afile *f;
	enum mode mode;
	int code;              /* program source: only quoted values are literals */
	enum fv_conf conf;     /* lowered for documentation and examples */
	char section[32];      /* the UCI section type we are in */
	const char *comment_end; /* inside a multi-line comment: what closes it */
	unsigned ncrack, nclear, npair;
	/* the hashes already tried in this file, the pairs already reported */
	uint64_t tried[FILE_MAX_CRACKS];
	struct {
		uint32_t pw;
		const char *user;
		size_t ulen;
	} pairs[FILE_MAX_PAIRS];
};

static int name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

/* Reports a hash at line[v..v+n) if the list cracks it. */
static void found_hash(struct scan *s, const char *line, size_t len, size_t v, size_t n,
		       enum fv_hash kind, const char *user, int64_t uid, uint64_t off)
{
	char hash[256];
	if (n >= sizeof hash)
		return;
	memcpy(hash, line + v, n);
	hash[n] = 0;
	uint64_t id = fnv(hash, n) ^ fnv(user, strlen(user));
	for (unsigned i = 0; i < s->ncrack; i++)
		if (s->tried[i] == id)
			return;
	if (s->ncrack >= FILE_MAX_CRACKS)
		return;
	s->tried[s->ncrack++] = id;
	struct fv_crack cr;
	if (fv_creds_crack(s->cr, kind, user, NULL, hash, &cr) != 1) {
		if (cr.partial)
			fv_actx_nocache(s->a); /* the budget decided, not the content */
		return;
	}
	char ev[1024], line_ev[400], who[200];
	fv_creds_line_evidence(line, len, v, n, 0, line_ev, sizeof line_ev);
	if (*user && uid >= 0)
		snprintf(who, sizeof who, "account %s, uid %lld, ", user, (long long)uid);
	else if (*user)
		snprintf(who, sizeof who, "account %s, ", user);
	else
		who[0] = 0;
	snprintf(ev, sizeof ev, "%s | %spassword \"%s\" (%s)", line_ev, who, cr.password, cr.source);
	int root = uid == 0 || (uid < 0 && strcmp(user, "root") == 0);
	fv_actx_finding(s->a, s->f, "FV-CRED-001", "credential",
			root ? FV_SEV_CRITICAL : FV_SEV_HIGH, FV_CONF_HIGH, off + v, ev,
			"Password hash%s%s is \"%s\", a listed password (%s, %s hash)",
			*user ? " of " : "", user, cr.password, cr.source, fv_hash_name(kind));
}

/* Every well-formed hash in the line, and passwd lines with DES hashes. */
static void scan_hashes(struct scan *s, const char *l, size_t n, uint64_t off)
{
	for (size_t i = 0; i < n; i++) {
		enum fv_hash kind;
		size_t k;
		int des = 0;
		if (l[i] == '$') {
			if (i && (is_i64((unsigned char)l[i - 1]) || l[i - 1] == '$' || l[i - 1] == '\\'))
				continue;
			if (!(k = fv_hash_match(l + i, n - i, &kind)))
				continue;
		} else if (l[i] == ':' && i + 15 <= n && span_i64(l + i + 1, 14) == 13 &&
			   l[i + 14] == ':' && span_digits(l + i + 15, n - i - 15) > 0) {
			/* name:XXXXXXXXXXXXX:uid: a passwd line with a DES hash */
			kind = FV_HASH_DES;
			k = 13;
			i++;
			des = 1;
		} else {
			continue;
		}
		/* name:hash -> the account; name:hash:uid: -> its uid too. */
		char user[65] = "";
		int64_t uid = -1;
		if (i >= 2 && l[i - 1] == ':') {
			size_t j = i - 1;
			while (j > 0 && name_char((unsigned char)l[j - 1]) && i - 1 - (j - 1) <= 64)
				j--;
			if (j < i - 1 && (j == 0 || !name_char((unsigned char)l[j - 1]))) {
				memcpy(user, l + j, i - 1 - j);
				user[i - 1 - j] = 0;
			}
		}
		if (des && !*user) {
			i += k - 1;
			continue;
		}
		size_t e = i + k;
		if (e < n && l[e] == ':') {
			size_t d = span_digits(l + e + 1, n - e - 1);
			if (d > 0 && d <= 10 && e + 1 + d < n && l[e + 1 + d] == ':')
				uid = strtoll(l + e + 1, NULL, 10);
		}
		found_hash(s, l, n, i, k, kind, user, uid, off);
		i += k - 1;
	}
}

/* A cleartext password at line[v..v+n): FV-CRED-002 unless it is no real password. */
static void clear_value(struct scan *s, const char *l, size_t len, size_t v, size_t n,
			const char *key, size_t keylen, enum fv_conf conf, uint64_t off)
{
	enum fv_hash kind;
	if (fv_creds_placeholder(l + v, n) || s->nclear >= FILE_MAX_CLEAR)
		return;
	if (fv_hash_match(l + v, n, &kind) == n)
		return; /* a hash: scan_hashes tries it */
	if (n == keylen && strncasecmp(l + v, key, n) == 0)
		return; /* password=password: code that copies a variable */
	/*
	 * In program source, and for constants (ALL_CAPS keys outside scripts),
	 * a value that names its key or speaks of passwords is a label, a file
	 * name or a message: KeyPassword = 'Password', _PATH_MASTERPASSWD =
	 * 'master.passwd', ACTION_SET_NEW_PASSWORD = 'android...'.
	 */
	int caps = s->mode != M_SCRIPT;
	for (size_t i = 0; i < keylen && caps; i++)
		caps = !(key[i] >= 'a' && key[i] <= 'z');
	if (s->code || caps) {
		char lv[64];
		if (n <= keylen && n < sizeof lv) {
			memcpy(lv, l + v, n);
			lv[n] = 0;
			if (strncasestr(key, keylen, lv))
				return;
		}
		if ((strncasestr(l + v, n, "passw") || strncasestr(l + v, n, "pwd")) &&
		    !fv_creds_known(s->cr, l + v, n))
			return;
	}
	s->nclear++;
	const char *src = fv_creds_known(s->cr, l + v, n);
	char ev[400];
	fv_creds_line_evidence(l, len, v, n, src != NULL, ev, sizeof ev);
	if (src)
		fv_actx_finding(s->a, s->f, "FV-CRED-002", "credential", FV_SEV_HIGH, conf, off + v, ev,
				"Cleartext password for %.*s is the listed default \"%.*s\" (%s)",
				(int)keylen, key, (int)n, l + v, src);
	else
		fv_actx_finding(s->a, s->f, "FV-CRED-002", "credential", FV_SEV_HIGH, conf, off + v, ev,
				"Cleartext password in configuration (%.*s)", (int)keylen, key);
}

static size_t skip_ws(const char *l, size_t n, size_t i);

/* A quoted or bare value at l[i..n): its bounds; 0 when there is none. */
static int value_at(const char *l, size_t n, size_t i, int quoted_only, size_t *v, size_t *vn)
{
	if (i >= n)
		return 0;
	char q = l[i];
	if (q == '\'' || q == '"') {
		const char *e = memchr(l + i + 1, q, n - i - 1);
		if (!e)
			return 0;
		*v = i + 1;
		*vn = (size_t)(e - l) - i - 1;
		return 1;
	}
	if (quoted_only)
		return 0;
	size_t j = i;
	while (j < n && l[j] != ' ' && l[j] != '\t' && l[j] != ';' && l[j] != '&' && l[j] != '|')
		j++;
	/* Code, not a literal: calls, indexing, member chains. */
	for (size_t k = i; k < j; k++)
		if (strchr("()[]{}<>,\"'\\", l[k]))
			return 0;
	/* ... and `pass = new PassThrough();`: a bare value ends the statement. */
	size_t r = skip_ws(l, n, j);
	if (r < n && l[r] == ';')
		r = skip_ws(l, n, r + 1);
	if (r < n && l[r] != '#' && !(l[r] == '/' && r + 1 < n && l[r + 1] == '/'))
		return 0;
	*v = i;
	*vn = j - i;
	return 1;
}

static size_t skip_ws(const char *l, size_t n, size_t i)
{
	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	return i;
}

/* UCI: config <type> / option <key> <value>.  1 when the line is UCI. */
static int scan_uci(struct scan *s, const char *l, size_t n, uint64_t off)
{
	if (has_prefix(l, n, "config") && n > 6 && (l[6] == ' ' || l[6] == '\t')) {
		size_t i = skip_ws(l, n, 6), j = i;
		if (i < n && (l[i] == '\'' || l[i] == '"'))
			i++, j++;
		while (j < n && name_char((unsigned char)l[j]))
			j++;
		size_t k = j - i < sizeof s->section ? j - i : sizeof s->section - 1;
		memcpy(s->section, l + i, k);
		s->section[k] = 0;
		return 1;
	}
	int opt = has_prefix(l, n, "option") && n > 6 && (l[6] == ' ' || l[6] == '\t');
	int lst = has_prefix(l, n, "list") && n > 4 && (l[4] == ' ' || l[4] == '\t');
	if (!opt && !lst)
		return 0;
	/* rpcd's `config login` is an account store: accounts.c reports it. */
	if (strcmp(s->section, "login") == 0)
		return 1;
	size_t i = skip_ws(l, n, opt ? 6 : 4), j = i;
	if (i < n && (l[i] == '\'' || l[i] == '"'))
		i++, j++;
	while (j < n && name_char((unsigned char)l[j]))
		j++;
	size_t key = i, keylen = j - i;
	if (j < n && (l[j] == '\'' || l[j] == '"'))
		j++;
	size_t v, vn;
	if (fv_creds_password_key(l + key, keylen) &&
	    value_at(l, n, skip_ws(l, n, j), 0, &v, &vn))
		clear_value(s, l, n, v, vn, l + key, keylen, s->conf, off);
	return 1;
}

/* KEY=value, export KEY="value", local pass='x', $password = "x"; ini key = value. */
static void scan_assign(struct scan *s, const char *l, size_t n, uint64_t off)
{
	static const char *const lead[] = { "export ", "local ", "readonly ", "declare ", "set ",
					    "var ",    "let ",   "const ",    "my " };
	size_t i = 0;
	for (size_t k = 0; k < sizeof lead / sizeof *lead; k++)
		if (has_prefix(l, n, lead[k])) {
			i = skip_ws(l, n, strlen(lead[k]));
			break;
		}
	if (i < n && l[i] == '$' && s->mode != M_ELF)
		i++;
	size_t key = i;
	if (i >= n || !((l[i] >= 'a' && l[i] <= 'z') || (l[i] >= 'A' && l[i] <= 'Z') || l[i] == '_'))
		return; /* --password=PASS is usage text */
	while (i < n && name_char((unsigned char)l[i]))
		i++;
	size_t keylen = i - key;
	if (!fv_creds_password_key(l + key, keylen))
		return;
	/* Shell allows no blanks around '='; ini and code do. */
	i = skip_ws(l, n, i);
	if (i >= n || l[i] != '=' || (i + 1 < n && l[i + 1] == '='))
		return;
	i = skip_ws(l, n, i + 1);
	size_t v, vn;
	if (!value_at(l, n, i, s->code, &v, &vn))
		return;
	enum fv_conf conf = s->conf;
	if (conf > FV_CONF_MEDIUM && (s->mode == M_SCRIPT || s->code))
		conf = FV_CONF_MEDIUM;
	clear_value(s, l, n, v, vn, l + key, keylen, conf, off);
}

/* "password": "value" (JSON) and <password>value</password> (XML). */
static void scan_markup(struct scan *s, const char *l, size_t n, uint64_t off)
{
	for (size_t i = 0; i < n; i++) {
		if (l[i] == '"') {
			/* a key follows { or , or starts the line: "PASS" : "FAIL" in code is not JSON */
			size_t b = i;
			while (b > 0 && (l[b - 1] == ' ' || l[b - 1] == '\t'))
				b--;
			if (b > 0 && l[b - 1] != '{' && l[b - 1] != ',')
				continue;
			size_t j = i + 1;
			while (j < n && name_char((unsigned char)l[j]))
				j++;
			if (j >= n || l[j] != '"' || !fv_creds_password_key(l + i + 1, j - i - 1))
				continue;
			size_t k = skip_ws(l, n, j + 1);
			if (k >= n || l[k] != ':')
				continue;
			k = skip_ws(l, n, k + 1);
			size_t v, vn;
			/* "' + pw + '" is code that builds JSON, not a value */
			if (k < n && l[k] == '"' && value_at(l, n, k, 1, &v, &vn) &&
			    !memchr(l + v, '\\', vn) && !memchr(l + v, '\'', vn)) {
				clear_value(s, l, n, v, vn, l + i + 1, j - i - 1,
					    s->conf > FV_CONF_MEDIUM ? FV_CONF_MEDIUM : s->conf, off);
				i = v + vn;
			}
		} else if (l[i] == '<' && i + 1 < n && l[i + 1] != '/') {
			size_t j = i + 1;
			while (j < n && name_char((unsigned char)l[j]))
				j++;
			size_t tl = j - i - 1;
			if (j >= n || l[j] != '>' || !fv_creds_password_key(l + i + 1, tl))
				continue;
			const char *e = memchr(l + j + 1, '<', n - j - 1);
			if (!e || (size_t)(e - l) + 3 + tl > n || e[1] != '/' ||
			    memcmp(e + 2, l + i + 1, tl) || e[2 + tl] != '>')
				continue;
			clear_value(s, l, n, j + 1, (size_t)(e - l) - j - 1, l + i + 1, tl,
				    s->conf > FV_CONF_MEDIUM ? FV_CONF_MEDIUM : s->conf, off);
			i = (size_t)(e - l);
		}
	}
}

static void scan_part(struct scan *s, const char *l, size_t n, uint64_t off);

/*
 * Comments that span lines (XML's, and C's in program source) hold
 * commented-out samples: only what is outside them is read.
 */
static void scan_line(struct scan *s, const char *l, size_t n, uint64_t off)
{
	size_t i = 0;
	while (i < n) {
		if (s->comment_end) {
			size_t el = strlen(s->comment_end);
			const char *e = memmem(l + i, n - i, s->comment_end, el);
			if (!e)
				return;
			i = (size_t)(e - l) + el;
			s->comment_end = NULL;
			continue;
		}
		const char *o = s->mode != M_ELF ? memmem(l + i, n - i, "<!--", 4) : NULL;
		const char *c = s->code ? memmem(l + i, n - i, "/*", 2) : NULL;
		if (c && (!o || c < o))
			o = c;
		size_t k = o ? (size_t)(o - l) : n;
		scan_part(s, l + i, k - i, off + i);
		if (!o)
			return;
		s->comment_end = *o == '<' ? "-->" : "*/";
		i = k + (*o == '<' ? 4 : 2);
	}
}

static void scan_part(struct scan *s, const char *l, size_t n, uint64_t off)
{
	size_t i = skip_ws(l, n, 0);
	l += i;
	n -= i;
	off += i;
	while (n && (l[n - 1] == '\r' || l[n - 1] == ' ' || l[n - 1] == '\t'))
		n--;
	if (n == 0 || n > LINE_MAX_SCAN)
		return;
	if (s->mode != M_ELF && (l[0] == '#' || l[0] == ';' || has_prefix(l, n, "//")))
		return;
	if (s->mode == M_TEXT && strcmp(s->section, "login") == 0 &&
	    (has_prefix(l, n, "option") || has_prefix(l, n, "list")))
		return; /* rpcd login sections belong to accounts.c, hashes too */
	if (memchr(l, '$', n) || memchr(l, ':', n))
		scan_hashes(s, l, n, off);
	if (s->mode == M_TEXT && scan_uci(s, l, n, off))
		return;
	if (memchr(l, '=', n))
		scan_assign(s, l, n, off);
	if ((s->mode == M_TEXT || s->mode == M_SCRIPT) && (memchr(l, '"', n) || memchr(l, '<', n)))
		scan_markup(s, l, n, off);
}

/* Lines end at '\n', and at NUL too: nvram tables and binary blobs separate with it. */
static void scan_text(struct scan *s, const uint8_t *p, size_t size)
{
	const char *d = (const char *)p;
	for (size_t i = 0; i < size;) {
		size_t j = i;
		while (j < size && d[j] != '\n' && d[j] != 0)
			j++;
		scan_line(s, d + i, j - i, i);
		i = j + 1;
	}
}

/* ---- binaries ----------------------------------------------------------------------------- */

struct str {
	size_t off, len;
	uint32_t w; /* W_* bits */
};

static int login_code(const uint8_t *p, size_t n)
{
	static const char *const words[] = { "login", "Login", "LOGIN", "password", "Password",
					     "PASSWORD", "passwd" };
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (memmem(p, n, words[i], strlen(words[i])))
			return 1;
	return 0;
}

/* Whether (u, pw) is a pair entry of the list. */
static const struct entry *pair_of(const struct fv_creds *c, const char *u, size_t ul,
				   const char *pw, size_t pl)
{
	for (size_t i = 0; i < c->ne; i++) {
		const struct entry *e = &c->e[i];
		if (!e->pair || strlen(e->user) != ul || memcmp(e->user, u, ul))
			continue;
		const char *p = c->pws[e->pw];
		if (strlen(p) == pl && memcmp(p, pw, pl) == 0)
			return e;
	}
	return NULL;
}

/*
 * An nvram-style key (http_passwd, admin.password): a password key in lower
 * case with a separator before it -- GST_PAD_PROBE_PASS is an enum name.
 */
static int nvram_key(const char *k, size_t n)
{
	if (!fv_creds_password_key(k, n))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(name_char((unsigned char)k[i])) || (k[i] >= 'A' && k[i] <= 'Z'))
			return 0;
	return memchr(k, '_', n) || memchr(k, '.', n);
}

/* The first entry of a named user whose password is pw, for its source. */
static const struct entry *entry_of_pw(const struct fv_creds *c, const char *pw, size_t pl)
{
	for (size_t i = 0; i < c->ne; i++) {
		const struct entry *e = &c->e[i];
		const char *q = c->pws[e->pw];
		if (e->dist && strlen(q) == pl && memcmp(q, pw, pl) == 0)
			return e;
	}
	return NULL;
}

/*
 * Two strings near each other, a came first: a listed pair (root, Zte521),
 * or -- only when close, at most one string between -- a listed user beside
 * a distinctive listed password of another user (admin, Zte521), either way
 * round.
 */
static void check_pair(struct scan *s, const uint8_t *p, size_t size, const struct str *a,
		       const struct str *b, int close, int *login)
{
	const char *as = (const char *)p + a->off, *bs = (const char *)p + b->off;
	const struct entry *e = NULL;
	const struct str *u = NULL, *w = NULL;
	if ((a->w & W_USER) && (b->w & W_PASS) && (e = pair_of(s->cr, as, a->len, bs, b->len)))
		u = a, w = b;
	else if ((b->w & W_USER) && (a->w & W_PASS) && (e = pair_of(s->cr, bs, b->len, as, a->len)))
		u = b, w = a;
	else if (close && (a->w & W_USER) && (b->w & W_DIST) && (e = entry_of_pw(s->cr, bs, b->len)))
		u = a, w = b;
	else if (close && (b->w & W_USER) && (a->w & W_DIST) && (e = entry_of_pw(s->cr, as, a->len)))
		u = b, w = a;
	if (!e || s->npair >= FILE_MAX_PAIRS)
		return;
	for (unsigned i = 0; i < s->npair; i++)
		if (s->pairs[i].pw == e->pw && s->pairs[i].ulen == u->len &&
		    memcmp(s->pairs[i].user, (const char *)p + u->off, u->len) == 0)
			return;
	if (*login < 0)
		*login = login_code(p, size);
	if (!*login)
		return;
	const char *user = (const char *)p + u->off;
	s->pairs[s->npair].pw = e->pw;
	s->pairs[s->npair].user = user;
	s->pairs[s->npair].ulen = u->len;
	s->npair++;
	const char *pw = s->cr->pws[e->pw];
	int listed = u->len == strlen(e->user) && memcmp(user, e->user, u->len) == 0;
	char ev[400], why[200];
	if (listed)
		snprintf(why, sizeof why, "%s", e->source);
	else
		snprintf(why, sizeof why, "%s, listed for %s", e->source, e->user);
	snprintf(ev, sizeof ev, "\"%.*s\" at 0x%zx and \"%s\" at 0x%zx, %zu bytes apart (%s)",
		 (int)u->len, user, u->off, pw, w->off, b->off - a->off, why);
	fv_actx_finding(s->a, s->f, "FV-CRED-003", "credential", FV_SEV_HIGH, FV_CONF_MEDIUM, a->off,
			ev, "Binary holds the login %.*s / \"%s\" (%s) next to login code",
			(int)u->len, user, pw, why);
}

/*
 * NUL-terminated strings that start after a NUL (how a compiler lays out
 * string literals): each is scanned like a line, and matched against the
 * list for user/password pairs and nvram defaults (key, then value).
 */
static void scan_elf(struct scan *s, const uint8_t *p, size_t size)
{
	struct str win[PAIR_WINDOW];
	size_t nwin = 0;
	int login = -1;
	/* i is always where a string may start: at 0 or just after a NUL. */
	for (size_t i = 0, j; i < size; i = j + 1) {
		j = i;
		while (j < size && ((p[j] >= 0x20 && p[j] < 0x7f) || p[j] == '\t'))
			j++;
		if (j >= size || p[j] != 0 || j - i < 2) {
			/* not a string: on to the byte after the next NUL run */
			const uint8_t *z = j < size ? memchr(p + j, 0, size - j) : NULL;
			if (!z)
				break;
			j = (size_t)(z - p);
			while (j + 1 < size && p[j + 1] == 0)
				j++;
			continue;
		}
		struct str cur = { i, j - i, 0 };
		const char *cs = (const char *)p + i;
		uint32_t *w;
		if (cur.len <= FIELD_MAX && sm_find(&s->cr->words, cs, cur.len, &w))
			cur.w = *w;
		if (cur.len > 4)
			scan_line(s, cs, cur.len, i);
		for (size_t k = 0; k < nwin && k < PAIR_WINDOW; k++) {
			const struct str *o = &win[(nwin - 1 - k) % PAIR_WINDOW];
			if (cur.off - o->off > PAIR_DISTANCE)
				break;
			if (cur.w && o->w)
				check_pair(s, p, size, o, &cur, k <= 1 && cur.off - o->off <= 64, &login);
		}
		/* A defaults table: "http_passwd", then "admin". */
		if (nwin && (cur.w & W_KNOWN)) {
			const struct str *o = &win[(nwin - 1) % PAIR_WINDOW];
			if (cur.off - o->off <= 64 && nvram_key((const char *)p + o->off, o->len) &&
			    !strncasestr((const char *)p + o->off, o->len, cs) &&
			    s->nclear < FILE_MAX_CLEAR) {
				const char *src = fv_creds_known(s->cr, cs, cur.len);
				char ev[300];
				s->nclear++;
				snprintf(ev, sizeof ev, "\"%.*s\" then \"%.*s\"", (int)o->len,
					 (const char *)p + o->off, (int)cur.len, cs);
				fv_actx_finding(s->a, s->f, "FV-CRED-002", "credential", FV_SEV_HIGH,
						FV_CONF_MEDIUM, o->off, ev,
						"Default for %.*s is the listed password \"%.*s\" (%s)",
						(int)o->len, (const char *)p + o->off, (int)cur.len, cs,
						src ? src : "list");
			}
		}
		win[nwin % PAIR_WINDOW] = cur;
		nwin++;
	}
}

/* ---- plumbing ------------------------------------------------------------------------------ */

/* Mostly printable with NUL separators: an nvram defaults table or a config blob. */
static int looks_blob(const uint8_t *p, size_t n)
{
	size_t lim = n < 65536 ? n : 65536, good = 0, nul = 0;
	for (size_t i = 0; i < lim; i++) {
		uint8_t c = p[i];
		if (c == 0)
			nul++;
		if (c == 0 || c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c < 0x7f))
			good++;
	}
	return lim && good * 100 >= lim * 95 && nul * 2 < lim && memchr(p, '=', lim);
}

static int is_code(const char *member)
{
	static const char *const ext[] = { ".lua", ".js",  ".php", ".py", ".rb",  ".pl",  ".c",
					   ".h",   ".cpp", ".java", ".go", ".html", ".htm", ".asp",
					   ".cgi", ".tcl", ".ts", ".pp", ".pas", ".inc", ".cs",
					   ".swift", ".kt", ".m", ".rs", ".md", ".pm" };
	const char *dot = strrchr(member, '.'), *slash = strrchr(member, '/');
	if (!dot || (slash && dot < slash))
		return 0;
	for (size_t i = 0; i < sizeof ext / sizeof *ext; i++)
		if (strcasecmp(dot, ext[i]) == 0)
			return 1;
	return 0;
}

/* Documentation, examples and tests show sample passwords. */
static int is_sample(const char *member)
{
	static const char *const dirs[] = { "/doc/", "/docs/", "/example/", "/examples/", "/sample/",
					     "/samples/", "/test/", "/tests/", "/man/" };
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
		if (strstr(member, dirs[i]))
			return 1;
	return 0;
}

static int wants(const struct fv_file *f)
{
	if (f->kind != FV_KIND_TEXT && f->kind != FV_KIND_SCRIPT && f->kind != FV_KIND_ELF &&
	    f->kind != FV_KIND_OTHER)
		return 0;
	if (f->kind == FV_KIND_OTHER && f->x->size > BLOB_MAX)
		return 0;
	if (f->kind == FV_KIND_ELF || f->kind == FV_KIND_SCRIPT)
		return 1; /* /usr/bin/passwd is a program, not a store */
	/* Account stores are read by accounts.c, UCI files and service configs by both. */
	enum fv_acct_store st = fv_account_store(f->member);
	return st == FV_STORE_NONE || st == FV_STORE_UCI || st == FV_STORE_SERVICE_CONF;
}

static int init(struct fv_actx *a, void **out)
{
	struct state *st = calloc(1, sizeof *st);
	char err[512] = "";
	if (!st)
		return FV_ENOMEM;
	int rc = fv_creds_open(fv_actx_rules_dir(a), fv_actx_user_rules(a), &st->creds, err,
			       sizeof err);
	if (rc != FV_OK) {
		fv_actx_fail(a, "%s", err[0] ? err : fv_strerror(rc));
		free(st);
		return rc;
	}
	*out = st;
	return FV_OK;
}

static void run(struct fv_actx *a, void *state, const struct fv_afile *f)
{
	struct state *st = state;
	if (!f->size)
		return;
	struct scan s = { .a = a, .cr = st->creds, .f = f,
			  .code = is_code(f->file->member),
			  .conf = is_sample(f->file->member) ? FV_CONF_LOW : FV_CONF_HIGH };
	switch (f->file->kind) {
	case FV_KIND_ELF:
		s.mode = M_ELF;
		s.code = 0;
		scan_elf(&s, f->data, f->size);
		break;
	case FV_KIND_SCRIPT:
		s.mode = M_SCRIPT;
		scan_text(&s, f->data, f->size);
		break;
	case FV_KIND_TEXT:
		s.mode = M_TEXT;
		scan_text(&s, f->data, f->size);
		break;
	case FV_KIND_OTHER:
		if (looks_blob(f->data, f->size)) {
			s.mode = M_BLOB;
			scan_text(&s, f->data, f->size);
		}
		break;
	default:
		break;
	}
}

static void finish(struct fv_actx *a, void *state)
{
	(void)a;
	fv_creds_image_done(((struct state *)state)->creds);
}

/* Where the first path is decides what run() makes of a line. */
static int view(struct fv_actx *a, void *state, const struct fv_afile *f, char *out, size_t cap)
{
	(void)a, (void)state;
	return snprintf(out, cap, "code=%d sample=%d", is_code(f->file->member), is_sample(f->file->member));
}

static void fini(void *state)
{
	struct state *st = state;
	if (!st)
		return;
	fv_creds_close(st->creds);
	free(st);
}

const struct fv_analyzer fv_analyzer_credentials = {
	.name = "credentials",
	.scope = FV_SCOPE_CONTENT,
	.init = init,
	.wants = wants,
	.run = run,
	.finish = finish,
	.fini = fini,
	.rules = "credentials",
	.view = view,
};
