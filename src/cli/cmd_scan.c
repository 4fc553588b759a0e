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
#include "report/catalog.h"
#include "report/report.h"
#include "report/sign.h"
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
		"  --format FMT      text (default), json, sarif (SARIF 2.1.0), html (one self-contained page),\n"
		"                    cyclonedx (CycloneDX 1.5 SBOM) or spdx (SPDX 2.3); html and SBOMs describe\n"
		"                    one IMAGE\n"
		"  -o, --output FILE write the report to FILE instead of stdout\n"
		"  --sign KEY        sign the JSON report with an Ed25519 key (fwvet keygen): the signature goes\n"
		"                    to FILE.sig; needs --format json -o FILE and one IMAGE (fwvet verify)\n"
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
	const char *keep;
	struct fv_limits lim;
	struct fv_store *store;    /* record each scan here, or NULL */
	const struct fv_catalog *catalog;
};

/*
 * One image: 0, or FV_EXIT_USAGE when it could not be read at all or its
 * scan could not be stored (after its report: what was found is not lost).
 */
static int scan_one(struct fv_actx *a, const char *image, const struct scan_opts *o, struct fv_render *w,
		    int *worst)
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
	struct fv_report r = {
		.u = &in.u,
		.inv = &in.inv,
		.res = &in.res,
		.rules_sha256 = fv_analysis_rules_sha256(a),
		.elapsed_ms = now_ms() - t0,
		.vulndb_date = fv_analysis_vulndb_date(a),
		.vulndb_sha256 = fv_analysis_vulndb_sha256(a),
		.catalog = o->catalog,
	};
	int worst1 = fv_report_worst(&r);
	if (worst1 > *worst)
		*worst = worst1;
	fv_render_one(w, &r);
	int rc = in.status == FV_OK ? 0 : FV_EXIT_USAGE;
	if (o->store) {
		struct fv_store_meta m = {
			.image_path = image,
			.tool_version = FV_VERSION,
			.rules_sha256 = r.rules_sha256,
			.vulndb_date = r.vulndb_date,
			.vulndb_sha256 = r.vulndb_sha256,
			.started = started,
			.elapsed_ms = r.elapsed_ms,
			.analysis = a,
			.cache = cache,
		};
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

/* Writes the report made in memory to path, then its signature to path.sig.  0, or -1 after a message. */
static int write_signed(const char *cmd, const struct fv_sign_key *key, const char *report, size_t len,
			const char *path)
{
	char err[512], sig_path[4096];
	char *sig = NULL;
	if (fv_sign_report(key, report, len, &sig, err, sizeof err)) {
		fprintf(stderr, "fwvet: %s: --sign: %s\n", cmd, err);
		return -1;
	}
	snprintf(sig_path, sizeof sig_path, "%s.sig", path);
	int rc = 0;
	const struct { const char *path, *data; size_t n; } files[] = {
		{ path, report, len },
		{ sig_path, sig, strlen(sig) },
	};
	for (size_t i = 0; i < 2 && !rc; i++) {
		FILE *f = fopen(files[i].path, "w");
		int ok = f && fwrite(files[i].data, 1, files[i].n, f) == files[i].n;
		if (f && fclose(f) != 0)
			ok = 0;
		if (!ok) {
			fprintf(stderr, "fwvet: %s: cannot write %s: %s\n", cmd, files[i].path, strerror(errno));
			rc = -1;
		}
	}
	free(sig);
	return rc;
}

int fv_cmd_scan(int argc, char **argv)
{
	static const struct fv_scan_cmd scan = {
		.name = "scan",
		.formats = 1u << FV_OUT_TEXT | 1u << FV_OUT_JSON | 1u << FV_OUT_CYCLONEDX | 1u << FV_OUT_SPDX |
			   1u << FV_OUT_SARIF | 1u << FV_OUT_HTML,
		.format = FV_OUT_TEXT,
		.findings = 1,
		.store = 1,
		.usage = usage,
	};
	return fv_scan_main(&scan, argc, argv);
}

int fv_scan_main(const struct fv_scan_cmd *cmd, int argc, char **argv)
{
	enum { O_FORMAT = 256, O_RULES, O_FAIL, O_DEPTH, O_THREADS, O_VULNDB, O_DB, O_NO_STORE, O_SIGN };
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
		{ "sign", required_argument, NULL, O_SIGN },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct scan_opts o = { 0 };
	fv_limits_default(&o.lim);
	struct fv_aopts ao = { 0 };
	enum fv_out format = cmd->format;
	const char *output = NULL, *vulndb = NULL, *db = NULL, *sign = NULL;
	int fail_on = -1, no_store = 0, verbose = 0, c;
	uint64_t v;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:C:vh", opts, NULL)) != -1) {
		switch (c) {
		case O_FORMAT:
			if (fv_render_parse(cmd->name, optarg, cmd->formats, &format))
				return FV_EXIT_USAGE;
			break;
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
		case O_SIGN:
			if (!cmd->findings) {
				fprintf(stderr, "fwvet: %s: --sign is an option of fwvet scan\n", cmd->name);
				return FV_EXIT_USAGE;
			}
			sign = optarg;
			break;
		case 'v': verbose = 1; break;
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
	/* A bill of materials or a page describes one product; several in one file would be no valid document. */
	if (fv_render_single(format) && argc - optind > 1) {
		fprintf(stderr, "fwvet: %s: --format %s describes one IMAGE, got %d\n", cmd->name,
			fv_render_name(format), argc - optind);
		return FV_EXIT_USAGE;
	}
	/* The signature is detached: it goes beside the report file, over one image's JSON report. */
	if (sign && (format != FV_OUT_JSON || !output || argc - optind > 1)) {
		fprintf(stderr, "fwvet: %s: --sign signs one IMAGE's JSON report written to a file"
			" (--format json -o FILE), got %s%s%s\n", cmd->name,
			format != FV_OUT_JSON ? "--format " : "", format != FV_OUT_JSON ? fv_render_name(format) : "",
			format != FV_OUT_JSON ? "" : !output ? "no -o FILE" : "several images");
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
	verbose |= fv_log_verbosity >= FV_LOG_INFO;
	char err[512];
	/* The key and the rule catalogue are read before any work, like the store: a bad one fails at once. */
	struct fv_sign_key *key = NULL;
	if (sign && fv_sign_key_load(sign, 1, &key, err, sizeof err)) {
		fprintf(stderr, "fwvet: %s: --sign: %s\n", cmd->name, err);
		return FV_EXIT_USAGE;
	}
	struct fv_catalog *catalog = NULL;
	if (format == FV_OUT_SARIF || format == FV_OUT_HTML) {
		if (fv_catalog_load(fv_rules_dir_default(), ao.user_rules, &catalog, err, sizeof err)) {
			fprintf(stderr, "fwvet: %s: %s\n", cmd->name, err);
			fv_sign_key_free(key);
			return FV_EXIT_USAGE;
		}
		o.catalog = catalog;
	}
	/*
	 * The store is opened before any work: a store that is not there fails
	 * at once rather than after an hour of unpacking.
	 */
	char *default_store = NULL;
	struct fv_actx *a = NULL;
	FILE *out = stdout;
	char *signed_buf = NULL; /* with --sign the report is made in memory, then written with its signature */
	size_t signed_len = 0;
	int worst = -1, status = FV_EXIT_USAGE;
	if (cmd->store && !no_store) {
		if (!db && !(db = default_store = fv_store_default_path())) {
			fprintf(stderr, "fwvet: %s: no store path: set --db, $FWVET_DB or $HOME, or use --no-store\n",
				cmd->name);
			goto done;
		}
		if (fv_store_open(db, &o.store, err, sizeof err)) {
			fprintf(stderr, "fwvet: %s: %s (--no-store scans without recording)\n", cmd->name, err);
			goto done;
		}
	}
	if (fv_input_analysis(cmd->name, &ao, vulndb, &a))
		goto done;
	if (key ? !(out = open_memstream(&signed_buf, &signed_len)) : output && !(out = fopen(output, "w"))) {
		fprintf(stderr, "fwvet: %s: cannot write %s: %s\n", cmd->name, output, strerror(errno));
		out = stdout;
		goto done;
	}
	struct fv_render w;
	fv_render_begin(&w, out, format, argc - optind > 1, verbose);
	status = FV_EXIT_OK;
	for (int i = optind; i < argc; i++)
		if (scan_one(a, argv[i], &o, &w, &worst))
			status = FV_EXIT_USAGE;
	fv_render_end(&w);
	if (out != stdout && fclose(out) != 0) {
		fprintf(stderr, "fwvet: %s: writing %s failed: %s\n", cmd->name, output, strerror(errno));
		status = FV_EXIT_USAGE;
	}
	out = stdout;
	if (key && signed_buf && write_signed(cmd->name, key, signed_buf, signed_len, output))
		status = FV_EXIT_USAGE;
	if (status == FV_EXIT_OK && fail_on >= 0 && worst >= fail_on)
		status = FV_EXIT_FINDINGS;
done:
	if (out != stdout)
		fclose(out);
	free(signed_buf);
	fv_analysis_close(a);
	if (o.store)
		fv_store_close(o.store);
	free(default_store);
	fv_catalog_free(catalog);
	fv_sign_key_free(key);
	return status;
}
