/*
 * libFuzzer harness for signed evidence (report/sign.c): the input, up to
 * its first NUL, is a report; after it, a signature document.  Both are
 * canonicalised and verified, which must never crash; and two properties
 * must hold: the canonical form is a fixed point, and a report that signs
 * verifies with its own signature.
 */
#include "report/sign.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct fv_sign_key *g_priv, *g_pub;

static void keys(void)
{
	char dir[] = "/tmp/fuzz-verify-XXXXXX", key[64], pub[64], id[65], err[512];
	if (!mkdtemp(dir))
		abort();
	snprintf(key, sizeof key, "%s/k.key", dir);
	snprintf(pub, sizeof pub, "%s/k.pub", dir);
	if (fv_sign_keygen(key, pub, id, err, sizeof err) || fv_sign_key_load(key, 1, &g_priv, err, sizeof err) ||
	    fv_sign_key_load(pub, 0, &g_pub, err, sizeof err)) {
		fprintf(stderr, "fuzz_verify: %s\n", err);
		abort();
	}
	unlink(key);
	unlink(pub);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!g_priv)
		keys();
	const char *in = (const char *)data;
	const char *nul = memchr(in, 0, size);
	size_t rlen = nul ? (size_t)(nul - in) : size;
	const char *sig = nul ? nul + 1 : "";
	size_t slen = nul ? size - rlen - 1 : 0;
	char err[1024], info[2048], *c1 = NULL, *c2 = NULL, *mine = NULL;
	size_t l1, l2;

	if (fv_json_canonical(in, rlen, &c1, &l1, err, sizeof err) == 0) {
		if (fv_json_canonical(c1, l1, &c2, &l2, err, sizeof err) || l1 != l2 || memcmp(c1, c2, l1)) {
			fprintf(stderr, "the canonical form is not a fixed point\n");
			abort();
		}
	}
	(void)fv_verify_report(g_pub, in, rlen, sig, slen, NULL, 0, info, sizeof info, err, sizeof err);
	(void)fv_verify_report(g_pub, in, rlen, sig, slen, NULL, 1, info, sizeof info, err, sizeof err);
	if (fv_sign_report(g_priv, in, rlen, &mine, err, sizeof err) == 0 &&
	    fv_verify_report(g_pub, in, rlen, mine, strlen(mine), NULL, 0, info, sizeof info, err, sizeof err)) {
		fprintf(stderr, "a report signed here does not verify: %s\n", err);
		abort();
	}
	free(mine);
	free(c1);
	free(c2);
	return 0;
}
