/* Content hashes (SHA-256 through OpenSSL) and their hex form. */
#ifndef FV_CORE_HASH_H
#define FV_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FV_SHA256_HEX 65 /* 64 digits and a NUL */

struct fv_sha256 {
	void *ctx; /* EVP_MD_CTX */
};

int fv_sha256_init(struct fv_sha256 *h);
void fv_sha256_update(struct fv_sha256 *h, const void *p, size_t n);
/* Writes the hex digest and frees the context. */
void fv_sha256_final(struct fv_sha256 *h, char hex[FV_SHA256_HEX]);
void fv_sha256_hex(const void *p, size_t n, char hex[FV_SHA256_HEX]);

#endif
