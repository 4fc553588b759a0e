/*
 * What the two credential analyzers share: the default-credential list
 * (rules/credentials/<name>.txt), password-hash recognition, and the cracker
 * that tries the list against a hash.  credentials.c implements all of it
 * except fv_account_store(), which accounts.c implements: the account stores
 * it reads are the files credentials.c leaves alone, so that no finding is
 * made twice.
 */
#ifndef FV_ANALYZE_CREDS_H
#define FV_ANALYZE_CREDS_H

#include <stddef.h>
#include <stdint.h>

/* Password-hash schemes. */
enum fv_hash {
	FV_HASH_NONE,          /* not a hash we know */
	FV_HASH_DES,           /* traditional crypt(3): 13 characters */
	FV_HASH_BSDI,          /* _ + 4 count + 4 salt + 11 */
	FV_HASH_MD5CRYPT,      /* $1$ */
	FV_HASH_APR1,          /* $apr1$ (Apache's md5crypt) */
	FV_HASH_SUNMD5,        /* $md5$ or $md5,rounds=N$ */
	FV_HASH_SHA1CRYPT,     /* $sha1$N$ */
	FV_HASH_SHA256CRYPT,   /* $5$ */
	FV_HASH_SHA512CRYPT,   /* $6$ */
	FV_HASH_BCRYPT,        /* $2a$ $2b$ $2x$ $2y$ */
	FV_HASH_SCRYPT,        /* $7$ (crypt(3)) */
	FV_HASH_YESCRYPT,      /* $y$ */
	FV_HASH_GOST_YESCRYPT, /* $gy$ */
	FV_HASH_NT,            /* $3$$ + 32 hex */
	FV_HASH_SHA1B64,       /* {SHA} + base64 SHA-1 (htpasswd -s) */
	FV_HASH_HTDIGEST,      /* MD5 hex of user:realm:password */
	FV_HASH_MOSQ_SHA512,   /* mosquitto 1.x: $6$ base64 salt $ base64 SHA-512(pw salt) */
	FV_HASH_MOSQ_PBKDF2,   /* mosquitto 2.x: $7$ iterations $ salt $ PBKDF2-SHA512 */
	FV_HASH_ARGON2,        /* recognised, not tried (no argon2 in our libraries) */
};

/* Where a password field was read; it decides what a string may be. */
enum fv_hash_ctx {
	FV_HCTX_CRYPT,     /* passwd, shadow: crypt(3) schemes, by their prefix */
	FV_HCTX_HTPASSWD,  /* .htpasswd: crypt(3), $apr1$, {SHA} */
	FV_HCTX_MOSQUITTO, /* mosquitto password file: $6$ and $7$ are mosquitto's own */
	FV_HCTX_TEXT,      /* free text or a binary: only complete, well-formed $-hashes */
};

/* The scheme of the n bytes at s, or FV_HASH_NONE. */
enum fv_hash fv_hash_kind(const char *s, size_t n, enum fv_hash_ctx ctx);
/* "md5crypt", "sha512crypt", ... as in the report's hash_type. */
const char *fv_hash_name(enum fv_hash h);
/*
 * In free text: the length of the well-formed hash starting at s (at most n
 * bytes), 0 if none, with its scheme in *kind.
 */
size_t fv_hash_match(const char *s, size_t n, enum fv_hash *kind);

/* ---- the credential list and the cracker ------------------------------------- */

struct fv_creds;

/*
 * The list from <rules_dir>/credentials/<name>.txt and, first in order, from
 * <user_rules>/credentials/<name>.txt when that folder exists.  One list is
 * shared by every analyzer opened with the same folders (so is its cache
 * of answers); each open is paired with a close.  0 or a negative fv_err
 * with a message in err.
 */
int fv_creds_open(const char *rules_dir, const char *user_rules, struct fv_creds **out, char *err,
		  size_t errlen);
void fv_creds_close(struct fv_creds *c);

/* The list's size: entries, and distinct passwords. */
size_t fv_creds_count(const struct fv_creds *c, size_t *passwords);

struct fv_crack {
	int found;           /* 1: password below matches */
	char password[128];
	char source[64];     /* the entry's source column: "mirai", "vendor Hikvision" */
	unsigned tried;      /* candidates tried (0 for an answer from the cache) */
	int skipped;         /* 1: too costly to try, or the image's budget is spent */
	int partial;         /* 1: cut short by the image's budget, another image may find more */
};

/*
 * Tries the list against hash (the password field of account user; realm
 * for htdigest, else NULL).  Every candidate for cheap schemes; for costly
 * ones, the pairs of this user first, then the list in order, as many as
 * a per-hash budget allows (docs/rules.md).  The answer for the same
 * (scheme, user, realm, hash) is computed once and cached.  Thread-safe.
 * 1 when found, 0 when not (or skipped), a negative fv_err on failure.
 */
int fv_creds_crack(struct fv_creds *c, enum fv_hash h, const char *user, const char *realm,
		   const char *hash, struct fv_crack *out);

/* The estimated cost of one try against hash, in microseconds; 0 if it cannot be tried. */
uint64_t fv_creds_cost_us(enum fv_hash h, const char *hash);

/*
 * An image ends: the cracking budget is renewed for the next one.  Called
 * from the analyzers' finish steps (any number of times).
 */
void fv_creds_image_done(struct fv_creds *c);

/* The source of the first entry whose password is pw (n bytes), or NULL: a known default. */
const char *fv_creds_known(const struct fv_creds *c, const char *pw, size_t n);

/* ---- cleartext passwords ------------------------------------------------------- */

/* Whether a configuration key names a password: password, *_passwd, http_pass, pwd ... */
int fv_creds_password_key(const char *key, size_t n);
/*
 * Whether a value is no real password: empty, a variable ($X, ${X}, $(cmd)),
 * a template (<password>, %s, {{x}}, @X@), a mask (xxxx, ****), a boolean.
 */
int fv_creds_placeholder(const char *v, size_t n);
/*
 * Evidence: line[0..len) cut to a readable length (control bytes as '.'),
 * with line[v .. v+n) shown as it is when show is set, else masked but for a
 * short prefix (fv_mask_secret).
 */
void fv_creds_line_evidence(const char *line, size_t len, size_t v, size_t n, int show, char *out,
			    size_t outlen);

/* ---- account stores (accounts.c) ------------------------------------------------ */

enum fv_acct_store {
	FV_STORE_NONE,
	FV_STORE_PASSWD,     /* passwd */
	FV_STORE_SHADOW,     /* shadow */
	FV_STORE_GROUP,      /* group, gshadow */
	FV_STORE_STALE_PASSWD, /* passwd-, passwd.bak, ... */
	FV_STORE_STALE_SHADOW, /* shadow-, ... */
	FV_STORE_HTPASSWD,   /* .htpasswd, htdigest, lighttpd user files */
	FV_STORE_MOSQUITTO,  /* mosquitto password files */
	FV_STORE_HTTPD_CONF, /* busybox httpd.conf (/path:user:password) */
	FV_STORE_UCI,        /* /etc/config/<x>: its `config login` sections */
	FV_STORE_SERVICE_CONF, /* lighttpd.conf, mosquitto.conf: name the stores above */
};

/* Which account store a member path ("/etc/shadow") is, by its name. */
enum fv_acct_store fv_account_store(const char *member);

#endif
