/*
 * fwvet keygen and fwvet verify: the two ends of signed evidence.  The
 * signing itself is fwvet scan --sign (cmd_scan.c); all three use
 * report/sign.c.
 */
#include "cli/cli.h"
#include "core/err.h"
#include "core/hash.h"
#include "core/map.h"
#include "report/sign.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void keygen_usage(FILE *f)
{
	fprintf(f,
		"usage: fwvet keygen [PREFIX]\n"
		"Makes an Ed25519 key pair for signed reports: PREFIX.key, the private key (PKCS#8 PEM,\n"
		"mode 0600; it signs: fwvet scan --sign PREFIX.key), and PREFIX.pub, the public key (PEM;\n"
		"it verifies: fwvet verify --key PREFIX.pub).  PREFIX defaults to 'fwvet'.  Existing\n"
		"files are never overwritten.\n");
}

int fv_cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			keygen_usage(stdout);
			return FV_EXIT_OK;
		}
		keygen_usage(stderr);
		return FV_EXIT_USAGE;
	}
	if (argc - optind > 1) {
		fprintf(stderr, "fwvet: keygen expects at most one PREFIX, got %d arguments\n", argc - optind);
		return FV_EXIT_USAGE;
	}
	const char *prefix = optind < argc ? argv[optind] : "fwvet";
	char key[4096], pub[4096], id[FV_SHA256_HEX], err[512];
	if ((size_t)snprintf(key, sizeof key, "%s.key", prefix) >= sizeof key ||
	    (size_t)snprintf(pub, sizeof pub, "%s.pub", prefix) >= sizeof pub) {
		fprintf(stderr, "fwvet: keygen: PREFIX is too long\n");
		return FV_EXIT_USAGE;
	}
	if (fv_sign_keygen(key, pub, id, err, sizeof err)) {
		fprintf(stderr, "fwvet: keygen: %s\n", err);
		return FV_EXIT_USAGE;
	}
	printf("private key  %s (keep it secret: it signs reports)\n"
	       "public key   %s (for those who verify them)\n"
	       "key id       %s\n",
	       key, pub, id);
	return FV_EXIT_OK;
}

static void verify_usage(FILE *f)
{
	fprintf(f,
		"usage: fwvet verify REPORT --key PUB [--image IMAGE] [--sig FILE] [--canonical]\n"
		"Checks a report signed by fwvet scan --sign: that its signature (REPORT.sig) was made by\n"
		"the key PUB, that no byte of the report changed since, and, given IMAGE, that the report\n"
		"is the report of that image.\n"
		"  --key PUB      the signer's public key (fwvet keygen's PREFIX.pub)\n"
		"  --image IMAGE  also check that the report speaks for this image (its SHA-256)\n"
		"  --sig FILE     the signature document (default REPORT.sig)\n"
		"  --canonical    accept a report re-formatted after signing (same JSON content)\n"
		"Exit status: 0 verified, 1 not verified (the reason on stderr), 2 usage or unreadable input.\n");
}

/* Reads a whole file into *buf (NUL-terminated).  0, or -1 after a message. */
static int read_all(const char *what, const char *path, char **buf, size_t *len)
{
	struct fv_map m;
	if (fv_map_open(path, &m)) {
		fprintf(stderr, "fwvet: verify: cannot read the %s %s: %s\n", what, path, strerror(errno));
		return -1;
	}
	*buf = malloc(m.size + 1);
	if (*buf) {
		if (m.size)
			memcpy(*buf, m.data, m.size);
		(*buf)[m.size] = 0;
		*len = m.size;
	}
	fv_map_close(&m);
	if (!*buf) {
		fprintf(stderr, "fwvet: verify: out of memory reading %s\n", path);
		return -1;
	}
	return 0;
}

static int image_sha256(const char *path, char hex[FV_SHA256_HEX])
{
	struct fv_map m;
	if (fv_map_open(path, &m)) {
		fprintf(stderr, "fwvet: verify: cannot read the image %s: %s\n", path, strerror(errno));
		return -1;
	}
	fv_sha256_hex(m.data, m.size, hex);
	fv_map_close(&m);
	return 0;
}

int fv_cmd_verify(int argc, char **argv)
{
	enum { O_KEY = 256, O_IMAGE, O_SIG, O_CANONICAL };
	static const struct option opts[] = {
		{ "key", required_argument, NULL, O_KEY },
		{ "image", required_argument, NULL, O_IMAGE },
		{ "sig", required_argument, NULL, O_SIG },
		{ "canonical", no_argument, NULL, O_CANONICAL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key_path = NULL, *image = NULL, *sig_path = NULL;
	int canonical = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_KEY: key_path = optarg; break;
		case O_IMAGE: image = optarg; break;
		case O_SIG: sig_path = optarg; break;
		case O_CANONICAL: canonical = 1; break;
		case 'h': verify_usage(stdout); return FV_EXIT_OK;
		default: verify_usage(stderr); return FV_EXIT_USAGE;
		}
	}
	if (argc - optind != 1 || !key_path) {
		fprintf(stderr, "fwvet: verify expects one REPORT and --key PUB, got %d arguments%s\n", argc - optind,
			key_path ? "" : " and no --key");
		verify_usage(stderr);
		return FV_EXIT_USAGE;
	}
	const char *report_path = argv[optind];
	char sig_default[4096], err[1024], info[2048], hex[FV_SHA256_HEX];
	if (!sig_path) {
		if ((size_t)snprintf(sig_default, sizeof sig_default, "%s.sig", report_path) >= sizeof sig_default) {
			fprintf(stderr, "fwvet: verify: REPORT's name is too long\n");
			return FV_EXIT_USAGE;
		}
		sig_path = sig_default;
	}
	struct fv_sign_key *key;
	if (fv_sign_key_load(key_path, 0, &key, err, sizeof err)) {
		fprintf(stderr, "fwvet: verify: %s\n", err);
		return FV_EXIT_USAGE;
	}
	char *report = NULL, *sig = NULL;
	size_t report_len = 0, sig_len = 0;
	int status = FV_EXIT_USAGE;
	if (read_all("report", report_path, &report, &report_len) || read_all("signature", sig_path, &sig, &sig_len) ||
	    (image && image_sha256(image, hex)))
		goto done;
	if (fv_verify_report(key, report, report_len, sig, sig_len, image ? hex : NULL, canonical, info, sizeof info,
			     err, sizeof err)) {
		fprintf(stderr, "fwvet: verify: %s: NOT VERIFIED: %s\n", report_path, err);
		status = FV_EXIT_FINDINGS;
		goto done;
	}
	printf("%s: verified\n%s", report_path, info);
	status = FV_EXIT_OK;
done:
	free(report);
	free(sig);
	fv_sign_key_free(key);
	return status;
}
