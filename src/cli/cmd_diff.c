/*
 * fwvet diff OLD NEW: what an update changed.  Both images are unpacked,
 * inventoried and analysed the way scan does it (cli/input.c), then compared
 * by integrity/diff.c.
 */
#include "analyze/run.h"
#include "cli/cli.h"
#include "cli/input.h"
#include "core/err.h"
#include "core/json.h"
#include "core/log.h"
#include "integrity/diff.h"
#include "integrity/pair.h"
#include "report/report.h"
#include "vuln/vulndb.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fwvet diff [options] OLD NEW\n"
		"  --format FMT      text (default) or json\n"
		"  -o, --output FILE write the report to FILE instead of stdout\n"
		"  --rules DIR       also use the rules in DIR (as fwvet scan)\n"
		"  --vulndb PATH     the imported vulnerability database (default $FWVET_VULNDB, else\n"
		"                    $XDG_DATA_HOME/fwvet/vulndb.db); 'none': only the curated rules/vulns\n"
		"  --fail-on SEV     exit 1 when a NEW finding is at or above SEV (critical, high, medium, low, info)\n"
		"  --depth N         levels of nesting to unpack (default 10)\n"
		"  --threads N       analysis threads (default: one per core)\n"
		"  -v                text: also list folders, info findings and every item of long lists\n"
		"OLD and NEW are images, or both folders (unpacked root filesystems).  Files are paired by path\n"
		"with chunk offsets replaced by format and rank, so a root filesystem that moved still pairs.\n");
}

int fv_cmd_diff(int argc, char **argv)
{
	enum { O_FORMAT = 256, O_RULES, O_FAIL, O_DEPTH, O_THREADS, O_VULNDB };
	static const struct option opts[] = {
		{ "format", required_argument, NULL, O_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "rules", required_argument, NULL, O_RULES },
		{ "fail-on", required_argument, NULL, O_FAIL },
		{ "depth", required_argument, NULL, O_DEPTH },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "vulndb", required_argument, NULL, O_VULNDB },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct fv_limits lim;
	fv_limits_default(&lim);
	struct fv_aopts ao = { 0 };
	const char *output = NULL, *vulndb = NULL;
	int json = 0, verbose = 0, fail_on = -1, c;
	uint64_t v;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:vh", opts, NULL)) != -1) {
		switch (c) {
		case O_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				fprintf(stderr, "fwvet: diff: --format expects text or json, got '%s'\n", optarg);
				return FV_EXIT_USAGE;
			}
			json = !strcmp(optarg, "json");
			break;
		case 'o': output = optarg; break;
		case O_RULES: ao.user_rules = optarg; break;
		case O_VULNDB: vulndb = optarg; break;
		case O_FAIL: {
			enum fv_severity s;
			if (fv_severity_parse(optarg, &s)) {
				fprintf(stderr, "fwvet: diff: --fail-on expects critical, high, medium, low or info, "
					"got '%s'\n", optarg);
				return FV_EXIT_USAGE;
			}
			fail_on = (int)s;
			break;
		}
		case O_DEPTH:
		case O_THREADS:
			if (fv_parse_size(optarg, &v) || v > 64 || (c == O_THREADS && v == 0)) {
				fprintf(stderr, "fwvet: diff: bad value '%s' for --%s (expected 0..64)\n", optarg,
					c == O_DEPTH ? "depth" : "threads");
				return FV_EXIT_USAGE;
			}
			if (c == O_DEPTH)
				lim.depth = (unsigned)v;
			else
				ao.threads = (unsigned)v;
			break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return FV_EXIT_OK;
		default: usage(stderr); return FV_EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "fwvet: diff needs two inputs, OLD and NEW; got %d\n", argc - optind);
		usage(stderr);
		return FV_EXIT_USAGE;
	}
	verbose |= fv_log_verbosity >= FV_LOG_INFO;
	const char *names[2] = { argv[optind], argv[optind + 1] };
	for (int i = 0; i < 2; i++)
		if (access(names[i], R_OK)) {
			fprintf(stderr, "fwvet: diff: cannot read %s %s: %s\n", i ? "NEW" : "OLD", names[i],
				strerror(errno));
			return FV_EXIT_USAGE;
		}

	char err[512];
	struct fv_actx *a;
	char *default_db = vulndb ? NULL : fv_vulndb_default_path();
	ao.vulndb = vulndb ? (strcmp(vulndb, "none") ? vulndb : NULL) : default_db;
	int rc = fv_analysis_open(&ao, &a, err, sizeof err);
	free(default_db);
	if (rc) {
		fprintf(stderr, "fwvet: diff: %s\n", err);
		return FV_EXIT_USAGE;
	}
	FILE *out = stdout;
	if (output && !(out = fopen(output, "w"))) {
		fprintf(stderr, "fwvet: diff: cannot write %s: %s\n", output, strerror(errno));
		fv_analysis_close(a);
		return FV_EXIT_USAGE;
	}
	struct fv_input_opts io = { .lim = &lim, .analysis = a };
	struct fv_input in[2];
	int opened = 0, status = FV_EXIT_OK;
	for (; opened < 2; opened++) {
		if (fv_input_open(names[opened], &io, &in[opened], err, sizeof err)) {
			fprintf(stderr, "fwvet: diff: %s %s: %s\n", opened ? "NEW" : "OLD", names[opened], err);
			status = FV_EXIT_USAGE;
			break;
		}
		if (in[opened].status != FV_OK)
			status = FV_EXIT_USAGE;
	}
	struct fv_side s[2];
	int sides = 0;
	struct fv_diff d;
	memset(&d, 0, sizeof d);
	if (opened < 2)
		goto done;
	if (fv_input_pairable("diff", "OLD", names[0], &in[0], "NEW", names[1], &in[1])) {
		status = FV_EXIT_USAGE;
		goto done;
	}
	for (; sides < 2; sides++)
		if (fv_side_init(&s[sides], &in[sides].u, &in[sides].inv, &in[sides].res) != FV_OK) {
			sides++;
			fprintf(stderr, "fwvet: diff: out of memory\n");
			status = FV_EXIT_USAGE;
			goto done;
		}
	if (fv_diff_compute(&s[0], &s[1], &d) != FV_OK) {
		fprintf(stderr, "fwvet: diff: out of memory\n");
		status = FV_EXIT_USAGE;
		goto done;
	}
	if (json) {
		struct fv_json j;
		fv_json_init(&j, out, 1);
		fv_diff_json(&j, &d);
		fputc('\n', out);
	} else {
		fv_diff_text(out, &d, out == stdout && isatty(STDOUT_FILENO), verbose);
	}
	if (status == FV_EXIT_OK && fail_on >= 0 && fv_diff_worst_new(&d) >= fail_on)
		status = FV_EXIT_FINDINGS;
done:
	if (out != stdout && fclose(out) != 0) {
		fprintf(stderr, "fwvet: diff: writing %s failed: %s\n", output, strerror(errno));
		status = FV_EXIT_USAGE;
	}
	fv_diff_free(&d);
	for (int i = 0; i < sides; i++)
		fv_side_free(&s[i]);
	for (int i = 0; i < opened; i++)
		fv_input_close(&in[i]);
	fv_analysis_close(a);
	return status;
}
