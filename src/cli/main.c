/*
 * fwvet: git-style subcommands.  Each subcommand parses its own options and
 * returns the exit status of the design guide.
 */
#include "cli/cli.h"
#include "core/json.h"
#include "core/log.h"
#include "report/report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	int (*run)(int, char **);
	const char *help;
} commands[] = {
	{ "scan", fv_cmd_scan, "unpack, inventory and analyze images; report what an evaluator needs" },
	{ "sbom", fv_cmd_sbom, "the software bill of materials of an image (CycloneDX 1.5 or SPDX 2.3)" },
	{ "diff", fv_cmd_diff, "what an update changed: files, accounts, services, endpoints, components, findings" },
	{ "identify", fv_cmd_identify, "list the recognised chunks of an image (offset, format, size)" },
	{ "extract", fv_cmd_extract, "unpack an image recursively and safely into a folder" },
	{ "equiv", fv_cmd_equiv, "binary equivalence of a shipped and a rebuilt image, with the normalisations applied" },
	{ "formats", fv_cmd_formats, "list the formats fwvet recognises" },
	{ "vulndb", fv_cmd_vulndb, "import NVD, OSV and CISA KEV data for offline vulnerability matching" },
	{ "db", fv_cmd_db, "the store of scanned images: list and show stored scans" },
	{ "submit", fv_cmd_submit, "queue images for fwvet worker (a store shared by workers on many machines)" },
	{ "worker", fv_cmd_worker, "scan queued images and record them, holding each job by a renewed lease" },
	{ "report", fv_cmd_report, "render a stored scan again in any report format (text, json, sarif, html, ...)" },
	{ "keygen", fv_cmd_keygen, "make an Ed25519 key pair for signed reports (scan --sign)" },
	{ "verify", fv_cmd_verify, "check a signed report: its signature, and that it is the report of an image" },
	{ "monitor", fv_cmd_monitor, "evaluate stored images again against today's rules and data: what is new" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: fwvet [-v] <command> [options] IMAGE...\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'fwvet <command> --help' describes a command's options.\n");
}

int fv_cli_fail_on(const char *cmd, const char *arg, int *out)
{
	enum fv_severity s;
	if (fv_severity_parse(arg, &s)) {
		fprintf(stderr, "fwvet: %s: --fail-on expects critical, high, medium, low or info, got '%s'\n", cmd,
			arg);
		return FV_EXIT_USAGE;
	}
	*out = (int)s;
	return FV_EXIT_OK;
}

int fv_parse_scan_id(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end || errno || v <= 0)
		return -1;
	*out = v;
	return 0;
}

int fv_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);
	if (end == s || s[0] == '-')
		return -1;
	unsigned shift = 0;
	switch (*end) {
	case 0: break;
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	default: return -1;
	}
	if (*end || (shift && v > (~0ULL >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

void fv_json_image(struct fv_json *j, const char *path, const char *sha256, uint64_t size)
{
	fv_json_key(j, "image");
	fv_json_obj_begin(j);
	fv_json_kstr(j, "path", path);
	fv_json_kstr(j, "sha256", sha256);
	fv_json_kuint(j, "size", size);
	fv_json_obj_end(j);
}

int main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			fv_log_verbosity++;
		} else if (!strcmp(argv[i], "--version")) {
			printf("fwvet %s\n", FV_VERSION);
			return FV_EXIT_OK;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return FV_EXIT_OK;
		} else {
			fprintf(stderr, "fwvet: unknown option %s\n", argv[i]);
			usage(stderr);
			return FV_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return FV_EXIT_USAGE;
	}
	for (size_t c = 0; c < sizeof commands / sizeof *commands; c++)
		if (!strcmp(argv[i], commands[c].name))
			return commands[c].run(argc - i, argv + i);
	fprintf(stderr, "fwvet: '%s' is not a command\n", argv[i]);
	usage(stderr);
	return FV_EXIT_USAGE;
}
