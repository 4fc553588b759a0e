/*
 * Signed evidence: an Ed25519 detached signature over the canonical form of
 * a JSON report (RFC 8785, the JSON Canonicalization Scheme), so that a
 * reader who did not run the scan can check who made the report, that no
 * byte of it changed, and which image, tool version, rules and data it
 * speaks for.
 *
 * The signature is a small JSON document of its own (REPORT.sig): the claims
 * copied out of the report (image SHA-256, fwvet version, rules and
 * vulnerability data SHA-256), the SHA-256 of the report's canonical form and
 * of its exact bytes, the key's id, and the Ed25519 signature over the
 * canonical form of all of that.
 */
#ifndef FV_REPORT_SIGN_H
#define FV_REPORT_SIGN_H

#include <stddef.h>

struct fv_sign_key;

/*
 * Writes a new Ed25519 key pair: the private key as PKCS#8 PEM at key_path
 * (mode 0600, never over an existing file), the public key as PEM at
 * pub_path.  keyid: the key's id (SHA-256 of its DER public key, hex).
 * 0, or a negative fv_err with a message in err.
 */
int fv_sign_keygen(const char *key_path, const char *pub_path, char keyid[65], char *err, size_t errlen);

/* Loads a private key (to sign) or a public key (to verify; a private key's public half also does). */
int fv_sign_key_load(const char *path, int private_key, struct fv_sign_key **out, char *err, size_t errlen);
void fv_sign_key_free(struct fv_sign_key *k);

/*
 * Signs the JSON report report[0..len): *sig (malloc'd, NUL-terminated) is
 * the signature document.  The report must be one fwvet JSON report object
 * with image.sha256.  0, or a negative fv_err with a message in err.
 */
int fv_sign_report(const struct fv_sign_key *k, const char *report, size_t len, char **sig, char *err,
		   size_t errlen);

/*
 * Checks a report against its signature document and a public key, and,
 * when image_sha256 is not NULL, that the report is the report of that
 * image.  The report must be the exact bytes signed, or with canonical_ok
 * the same JSON content.  0 when everything holds; else a negative fv_err
 * and why in err ("the report was changed after it was signed", "signed by
 * another key", ...).  info (may be NULL) receives what was verified, one
 * line a claim.
 */
int fv_verify_report(const struct fv_sign_key *pub, const char *report, size_t len, const char *sig,
		     size_t siglen, const char *image_sha256, int canonical_ok, char *info, size_t infolen,
		     char *err, size_t errlen);

/*
 * The RFC 8785 canonical form of the JSON text in[0..len) into *out
 * (malloc'd, *outlen bytes, NUL-terminated).  0, or a negative fv_err with
 * the offset of what does not parse in err.
 */
int fv_json_canonical(const char *in, size_t len, char **out, size_t *outlen, char *err, size_t errlen);

#endif
