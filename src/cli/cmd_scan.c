/*
 * fwvet scan: unpack, inventory, analyze and report, one image after another.
 * fwvet sbom runs the same pipeline with fewer analyzers (fv_scan_main).
 */
#include "analyze/cache.h"
#include "analyze/run.h"
#include "cli/cli.h"
#include "cli/input.h"
#include "core/err.h"
#include "core/json.h"
#include "core/clock.h"
#include "core/log.h"
#include "report/report.h"
#include "report/sbom.h"
#include "store/store.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fwvet scan [options] IMAGE|DIR...\n"
		"  --format FMT      text (default), json, cyclonedx (CycloneDX 1.5 SBOM) or spdx (SPDX 2.3);\n"
		"                    an SBOM describes one IMAGE\n"
		"  -o, --output FILE write the report to FILE instead of stdout\n"
		"  --rules DIR       also use the rules in DIR (YARA intel in DIR, credentials in DIR/credentials)\n"
		"  --vulndb PATH     the imported vulnerability database (default $FWVET_VULNDB, else\n"
		"                    $XDG_DATA_HOME/fwvet/vulndb.db); 'none': only the curated rules/vulns\n"
		"  --fail-on SEV     exit 1 when a finding is at or above SEV (critical, high, medium, low, info)\n"
		"  -C, --keep DIR    keep the extracted files in DIR (new or empty) instead of a temporary folder\n"
		"  --depth N         levels of nesting to unpack (default 10)\n"
		"  --threads N       analysis threads (default: one per core)\n"
		"  -v                text: also list info findings\n"
		"  --db SPEC         record the scans in this store (default $FWVET_DB, else\n"
		"                    $XDG_DATA_HOME/fwvet/fwvet.db, else ~/.local/share/fwvet/fwvet.db)\n"
		"  --no-store        do not record the scans\n"
		"A folder is scanned as an unpacked root filesystem.  Every scan is recorded in the\n"
		"store (fwvet db list); a store that cannot be opened or written exits 2.\n");
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct scan_opts {
	enum fv_out format;
	int verbose;
	const char *keep;
	struct fv_limits lim;
	struct fv_store *store;    /* record each scan here, or NULL */
};

/*
 * One image: 0, or FV_EXIT_USAGE when it could not be read at all or its
 * scan could not be stored (after its report: what was found is not lost).
 */
static int scan_one(struct fv_actx *a, const char *image, const struct scan_opts *o, FILE *out,
		    struct fv_json *j, int *worst)
{
	uint64_t t0 = now_ms();
	int64_t started = (int64_t)fv_run_time();
	char err[512];
	struct fv_input in;
	struct fv_acache *cache = NULL;
	if (o->store && fv_acache_new(&cache)) {
		fprintf(stderr, "fwvet: %s: out of memory\n", image);
		return FV_EXIT_USAGE;
	}
	struct fv_input_opts io = { .keep = o->keep, .lim = &o->lim, .analysis = a, .cache = cache,
				    .store = o->store };
	if (fv_input_open(image, &io, &in, err, sizeof err)) {
		fprintf(stderr, "fwvet: %s\n", err);
		fv_acache_free(cache);
		return FV_EXIT_USAGE;
	}
	struct fv_report r = { &in.u, &in.inv, &in.res, fv_analysis_rules_sha256(a), now_ms() - t0,
			       fv_analysis_vulndb_date(a) };
	int w = fv_report_worst(&r);
	if (w > *worst)
		*worst = w;
	switch (o->format) {
	case FV_OUT_TEXT:
		fv_report_text(out, &r, out == stdout && isatty(STDOUT_FILENO), o->verbose);
		break;
	case FV_OUT_JSON: fv_report_json(j, &r); break;
	case FV_OUT_CYCLONEDX: fv_report_cyclonedx(j, &r); break;
	case FV_OUT_SPDX: fv_report_spdx(j, &r); break;
	}
	int rc = in.status == FV_OK ? 0 : FV_EXIT_USAGE;
	if (o->store) {
		struct fv_store_meta m = { image, FV_VERSION, r.rules_sha256, r.vulndb_date, started, r.elapsed_ms,
					   a, NULL, 0, NULL, cache };
		int64_t id;
		if (fv_store_record(o->store, &in.u, &in.inv, &in.res, &m, &id, err, sizeof err)) {
			fprintf(stderr, "fwvet: scan: %s: not stored: %s\n", image, err);
			rc = FV_EXIT_USAGE;
		} else {
			fv_log(FV_LOG_INFO, "%s: stored as scan %lld in %s (%zu analyses reused, %zu made)", image,
			       (long long)id, fv_store_name(o->store), fv_acache_hits(cache), fv_acache_misses(cache));
		}
	}
	fv_input_close(&in);
	fv_acache_free(cache);
	return rc;
}

static const char *const format_names[] = {
	[FV_OUT_TEXT] = "text",
	[FV_OUT_JSON] = "json",
	[FV_OUT_CYCLONEDX] = "cyclonedx",
	[FV_OUT_SPDX] = "spdx",
};

/* "text, json or spdx": the formats a command accepts, for its messages. */
static void format_list(const struct fv_scan_cmd *cmd, char *out, size_t cap)
{
	size_t n = 0, k = 0;
	for (size_t i = 0; i < sizeof format_names / sizeof *format_names; i++)
		n += (cmd->formats >> i) & 1;
	out[0] = 0;
	for (size_t i = 0, m = 0; i < sizeof format_names / sizeof *format_names && k < cap; i++) {
		if (!((cmd->formats >> i) & 1))
			continue;
		m++;
		k += (size_t)snprintf(out + k, cap - k, "%s%s", m == 1 ? "" : m == n ? " or " : ", ",
				      format_names[i]);
	}
}

/*
 * The analyzers a command names, looked up in the table, into list (cap
 * entries with the NULL at the end).  0, or -1 with the missing name in *missing.
 */
static int pick_analyzers(const char *const *names, const struct fv_analyzer **list, size_t cap,
			  const char **missing)
{
	size_t n = 0;
	for (size_t i = 0; names[i]; i++) {
		size_t k = 0;
		while (fv_analyzers[k] && strcmp(fv_analyzers[k]->name, names[i]))
			k++;
		if (!fv_analyzers[k] || n + 1 >= cap) {
			*missing = names[i];
			return -1;
		}
		list[n++] = fv_analyzers[k];
	}
	list[n] = NULL;
	return 0;
}

int fv_cmd_scan(int argc, char **argv)
{
	static const struct fv_scan_cmd scan = {
		.name = "scan",
		.formats = 1u << FV_OUT_TEXT | 1u << FV_OUT_JSON | 1u << FV_OUT_CYCLONEDX | 1u << FV_OUT_SPDX,
		.format = FV_OUT_TEXT,
		.findings = 1,
		.store = 1,
		.usage = usage,
	};
	return fv_scan_main(&scan, argc, argv);
}

int fv_scan_main(const struct fv_scan_cmd *cmd, int argc, char **argv)
{
	enum { O_FORMAT = 256, O_RULES, O_FAIL, O_DEPTH, O_THREADS, O_VULNDB, O_DB, O_NO_STORE };
	static const struct option opts[] = {
		{ "format", required_argument, NULL, O_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "rules", required_argument, NULL, O_RULES },
		{ "fail-on", required_argument, NULL, O_FAIL },
		{ "keep", required_argument, NULL, 'C' },
		{ "depth", required_argument, NULL, O_DEPTH },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "vulndb", required_argument, NULL, O_VULNDB },
		{ "db", required_argument, NULL, O_DB },
		{ "no-store", no_argument, NULL, O_NO_STORE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct scan_opts o = { .format = cmd->format };
	fv_limits_default(&o.lim);
	struct fv_aopts ao = { 0 };
	const char *output = NULL, *vulndb = NULL, *db = NULL;
	int fail_on = -1, no_store = 0, c;
	uint64_t v;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:C:vh", opts, NULL)) != -1) {
		switch (c) {
		case O_FORMAT: {
			size_t f = 0;
			while (f < sizeof format_names / sizeof *format_names &&
			       (strcmp(optarg, format_names[f]) || !((cmd->formats >> f) & 1)))
				f++;
			if (f == sizeof format_names / sizeof *format_names) {
				char list[80];
				format_list(cmd, list, sizeof list);
				fprintf(stderr, "fwvet: %s: --format expects %s, got '%s'\n", cmd->name, list,
					optarg);
				return FV_EXIT_USAGE;
			}
			o.format = (enum fv_out)f;
			break;
		}
		case 'o': output = optarg; break;
		case O_RULES: ao.user_rules = optarg; break;
		case O_VULNDB: vulndb = optarg; break;
		case O_FAIL:
			if (!cmd->findings) {
				fprintf(stderr, "fwvet: %s: --fail-on is an option of fwvet scan\n", cmd->name);
				return FV_EXIT_USAGE;
			}
			if (fv_cli_fail_on("scan", optarg, &fail_on))
				return FV_EXIT_USAGE;
			break;
		case O_DB:
		case O_NO_STORE:
			/* sbom describes an image and keeps nothing: a --db there would be silently ignored. */
			if (!cmd->store) {
				fprintf(stderr, "fwvet: %s: --%s is an option of fwvet scan (%s records nothing)\n",
					cmd->name, c == O_DB ? "db" : "no-store", cmd->name);
				return FV_EXIT_USAGE;
			}
			if (c == O_DB)
				db = optarg;
			else
				no_store = 1;
			break;
		case 'C': o.keep = optarg; break;
		case O_DEPTH:
		case O_THREADS:
			if (fv_parse_size(optarg, &v) || v > 64 || (c == O_THREADS && v == 0)) {
				fprintf(stderr, "fwvet: %s: bad value '%s' for --%s (expected 0..64)\n", cmd->name,
					optarg, c == O_DEPTH ? "depth" : "threads");
				return FV_EXIT_USAGE;
			}
			if (c == O_DEPTH)
				o.lim.depth = (unsigned)v;
			else
				ao.threads = (unsigned)v;
			break;
		case 'v': o.verbose = 1; break;
		case 'h': cmd->usage(stdout); return FV_EXIT_OK;
		default: cmd->usage(stderr); return FV_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "fwvet: %s needs at least one IMAGE\n", cmd->name);
		cmd->usage(stderr);
		return FV_EXIT_USAGE;
	}
	if (db && no_store) {
		fprintf(stderr, "fwvet: %s: --db and --no-store exclude each other\n", cmd->name);
		return FV_EXIT_USAGE;
	}
	if (o.keep && argc - optind > 1) {
		fprintf(stderr, "fwvet: %s: --keep takes one IMAGE\n", cmd->name);
		return FV_EXIT_USAGE;
	}
	/* A bill of materials describes one product; several in one file would be no valid document. */
	if ((o.format == FV_OUT_CYCLONEDX || o.format == FV_OUT_SPDX) && argc - optind > 1) {
		fprintf(stderr, "fwvet: %s: --format %s describes one IMAGE, got %d\n", cmd->name,
			format_names[o.format], argc - optind);
		return FV_EXIT_USAGE;
	}
	const struct fv_analyzer *only[16];
	const char *missing;
	if (cmd->analyzers) {
		if (pick_analyzers(cmd->analyzers, only, sizeof only / sizeof *only, &missing)) {
			fprintf(stderr, "fwvet: %s: needs the '%s' analyzer, which this build lacks\n",
				cmd->name, missing);
			return FV_EXIT_USAGE;
		}
		ao.only = only;
	}
	o.verbose |= fv_log_verbosity >= FV_LOG_INFO;
	char err[512];
	/*
	 * The store is opened before any work: a store that is not there fails
	 * at once rather than after an hour of unpacking.
	 */
	char *default_store = NULL;
	if (cmd->store && !no_store) {
		if (!db && !(db = default_store = fv_store_default_path())) {
			fprintf(stderr, "fwvet: %s: no store path: set --db, $FWVET_DB or $HOME, or use --no-store\n",
				cmd->name);
			return FV_EXIT_USAGE;
		}
		if (fv_store_open(db, &o.store, err, sizeof err)) {
			fprintf(stderr, "fwvet: %s: %s (--no-store scans without recording)\n", cmd->name, err);
			free(default_store);
			return FV_EXIT_USAGE;
		}
	}
	struct fv_actx *a;
	if (fv_input_analysis(cmd->name, &ao, vulndb, &a)) {
		if (o.store)
			fv_store_close(o.store);
		free(default_store);
		return FV_EXIT_USAGE;
	}
	FILE *out = stdout;
	if (output && !(out = fopen(output, "w"))) {
		fprintf(stderr, "fwvet: %s: cannot write %s: %s\n", cmd->name, output, strerror(errno));
		fv_analysis_close(a);
		if (o.store)
			fv_store_close(o.store);
		free(default_store);
		return FV_EXIT_USAGE;
	}
	struct fv_json j;
	fv_json_init(&j, out, 1);
	int many = argc - optind > 1, worst = -1, status = FV_EXIT_OK;
	int json = o.format != FV_OUT_TEXT;
	/* Several images: a JSON array of reports, in the order given. */
	if (json && many)
		fv_json_arr_begin(&j);
	for (int i = optind; i < argc; i++) {
		if (!json && i > optind)
			fputc('\n', out);
		if (scan_one(a, argv[i], &o, out, &j, &worst))
			status = FV_EXIT_USAGE;
	}
	if (json && many)
		fv_json_arr_end(&j);
	if (json)
		fputc('\n', out);
	fv_analysis_close(a);
	if (o.store)
		fv_store_close(o.store);
	free(default_store);
	if (out != stdout && fclose(out) != 0) {
		fprintf(stderr, "fwvet: %s: writing %s failed: %s\n", cmd->name, output, strerror(errno));
		return FV_EXIT_USAGE;
	}
	if (status != FV_EXIT_OK)
		return status;
	return fail_on >= 0 && worst >= fail_on ? FV_EXIT_FINDINGS : FV_EXIT_OK;
}
