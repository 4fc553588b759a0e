#include "core/hash.h"
#include "core/err.h"

#include <openssl/evp.h>

int fv_sha256_init(struct fv_sha256 *h)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(c);
		h->ctx = NULL;
		return FV_ENOMEM;
	}
	h->ctx = c;
	return FV_OK;
}

void fv_sha256_update(struct fv_sha256 *h, const void *p, size_t n)
{
	if (h->ctx && n)
		EVP_DigestUpdate(h->ctx, p, n);
}

void fv_sha256_final(struct fv_sha256 *h, char hex[FV_SHA256_HEX])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[32] = { 0 };
	unsigned int n = 0;
	if (h->ctx)
		EVP_DigestFinal_ex(h->ctx, md, &n);
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = 0;
}

void fv_sha256_hex(const void *p, size_t n, char hex[FV_SHA256_HEX])
{
	struct fv_sha256 h;
	fv_sha256_init(&h);
	fv_sha256_update(&h, p, n);
	fv_sha256_final(&h, hex);
}
