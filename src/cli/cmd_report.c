/*
 * fwvet report ID: a stored scan rendered again, in any format scan writes,
 * by the scan's own report code (report/report.c, cyclonedx.c, spdx.c) from
 * what the store kept, without the image.
 */
#include "cli/cli.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/json.h"
#include "core/log.h"
#include "analyze/run.h"
#include "report/catalog.h"
#include "report/report.h"
#include "store/store.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fwvet report [options] ID\n"
		"  --format FMT      text (default), json, sarif, html, cyclonedx (CycloneDX 1.5 SBOM) or spdx (SPDX 2.3)\n"
		"  -o, --output FILE write the report to FILE instead of stdout\n"
		"  --db SPEC         the store (default $FWVET_DB, else $XDG_DATA_HOME/fwvet/fwvet.db,\n"
		"                    else ~/.local/share/fwvet/fwvet.db)\n"
		"  --fail-on SEV     exit 1 when a finding is at or above SEV (critical, high, medium, low, info)\n"
		"  -v                text: also list info findings\n"
		"ID is a stored scan (fwvet db list).  The report is the one the scan printed, made from the\n"
		"store: the same rules hash, vulnerability data date and time taken; an SBOM's time is the\n"
		"scan's start unless SOURCE_DATE_EPOCH is set.\n");
}

int fv_cmd_report(int argc, char **argv)
{
	enum { O_FORMAT = 256, O_FAIL, O_DB };
	static const struct option opts[] = {
		{ "format", required_argument, NULL, O_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "fail-on", required_argument, NULL, O_FAIL },
		{ "db", required_argument, NULL, O_DB },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum fv_out format = FV_OUT_TEXT;
	const char *output = NULL, *db = NULL;
	int fail_on = -1, verbose = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:vh", opts, NULL)) != -1) {
		switch (c) {
		case O_FORMAT:
			if (fv_render_parse("report", optarg, ~0u, &format))
				return FV_EXIT_USAGE;
			break;
		case 'o': output = optarg; break;
		case O_DB: db = optarg; break;
		case O_FAIL:
			if (fv_cli_fail_on("report", optarg, &fail_on))
				return FV_EXIT_USAGE;
			break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return FV_EXIT_OK;
		default: usage(stderr); return FV_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "fwvet: report expects one scan ID, got %d arguments\n", argc - optind);
		usage(stderr);
		return FV_EXIT_USAGE;
	}
	int64_t id;
	struct fv_store *s;
	if (fv_cli_scan_id("report", argv[optind], &id) || fv_cli_store_read("report", db, &s))
		return FV_EXIT_USAGE;
	verbose |= fv_log_verbosity >= FV_LOG_INFO;
	struct fv_stored st;
	char err[512];
	int rc = fv_store_load(s, id, &st, err, sizeof err);
	fv_store_close(s);
	if (rc) {
		fprintf(stderr, "fwvet: report: %s\n", err);
		return FV_EXIT_USAGE;
	}
	/* An SBOM names the time it describes: the scan's, not this run's. */
	if (st.started_epoch >= 0)
		fv_run_time_pin((time_t)st.started_epoch);
	if (strcmp(st.tool_version, FV_VERSION))
		fv_log(FV_LOG_INFO, "scan %lld was made by fwvet %s; rendered by fwvet %s", (long long)id,
		       st.tool_version, FV_VERSION);
	/* The shipped catalogue: a stored scan does not say which --rules DIR it was made with. */
	struct fv_catalog *catalog = NULL;
	if ((format == FV_OUT_SARIF || format == FV_OUT_HTML) &&
	    fv_catalog_load(fv_rules_dir_default(), NULL, &catalog, err, sizeof err)) {
		fprintf(stderr, "fwvet: report: %s\n", err);
		fv_stored_free(&st);
		return FV_EXIT_USAGE;
	}
	FILE *out = stdout;
	if (output && !(out = fopen(output, "w"))) {
		fprintf(stderr, "fwvet: report: cannot write %s: %s\n", output, strerror(errno));
		fv_stored_free(&st);
		fv_catalog_free(catalog);
		return FV_EXIT_USAGE;
	}
	struct fv_report r = {
		.u = &st.u,
		.inv = &st.inv,
		.res = &st.res,
		.rules_sha256 = st.rules_sha256,
		.elapsed_ms = st.elapsed_ms,
		.vulndb_date = st.vulndb_date,
		.vulndb_sha256 = st.vulndb_sha256,
		.catalog = catalog,
	};
	struct fv_render w;
	fv_render_begin(&w, out, format, 0, verbose);
	fv_render_one(&w, &r);
	fv_render_end(&w);
	int worst = fv_report_worst(&r);
	fv_stored_free(&st);
	fv_catalog_free(catalog);
	if (out != stdout ? fclose(out) != 0 : fflush(out) != 0) {
		fprintf(stderr, "fwvet: report: writing %s failed: %s\n", output ? output : "the report",
			strerror(errno));
		return FV_EXIT_USAGE;
	}
	return fail_on >= 0 && worst >= fail_on ? FV_EXIT_FINDINGS : FV_EXIT_OK;
}
