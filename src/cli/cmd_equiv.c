/*
 * fwvet equiv SHIPPED REBUILT: the binary equivalence verdict.
 */
#include "cli/cli.h"
#include "cli/input.h"
#include "core/err.h"
#include "core/json.h"
#include "core/map.h"
#include "integrity/equiv.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fwvet equiv [options] SHIPPED REBUILT\n"
		"  SHIPPED and REBUILT are both images or both folders (unpacked root filesystems).\n"
		"  --format FMT           text (default) or json\n"
		"  -o, --output FILE      write the report to FILE instead of stdout\n"
		"  --no-normalise NAMES   refuse these normalisations (comma-separated; repeatable)\n"
		"  --strict               refuse every normalisation: only identical files pass\n"
		"  --depth N              levels of nesting to unpack (default 10)\n"
		"  -v                     text: also list identical files\n"
		"Exit status: 0 identical or equivalent, 1 different, 2 usage or unreadable input.\n"
		"Normalisations:\n");
	for (unsigned b = 1; b & FV_NORM_ALL; b <<= 1)
		fprintf(f, "  %-17s %s\n", fv_norm_name((enum fv_norm)b), fv_norm_doc((enum fv_norm)b));
}

/* A comma-separated list of normalisation names, cleared from *allowed. 0, or -1 naming the bad one. */
static int refuse(const char *list, unsigned *allowed)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", list);
	for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		unsigned b = fv_norm_parse(t);
		if (!b) {
			fprintf(stderr, "fwvet: equiv: --no-normalise expects normalisation names (see --help), got '%s'\n",
				t);
			return -1;
		}
		*allowed &= ~b;
	}
	return 0;
}

int fv_cmd_equiv(int argc, char **argv)
{
	enum { O_FORMAT = 256, O_NONORM, O_STRICT, O_DEPTH };
	static const struct option opts[] = {
		{ "format", required_argument, NULL, O_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "no-normalise", required_argument, NULL, O_NONORM },
		{ "no-normalize", required_argument, NULL, O_NONORM },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "depth", required_argument, NULL, O_DEPTH },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct fv_limits lim;
	fv_limits_default(&lim);
	unsigned allowed = FV_NORM_ALL;
	const char *output = NULL;
	int json = 0, verbose = 0, c;
	uint64_t v;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:vh", opts, NULL)) != -1) {
		switch (c) {
		case O_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				fprintf(stderr, "fwvet: equiv: --format expects text or json, got '%s'\n", optarg);
				return FV_EXIT_USAGE;
			}
			json = !strcmp(optarg, "json");
			break;
		case 'o': output = optarg; break;
		case O_NONORM:
			if (refuse(optarg, &allowed))
				return FV_EXIT_USAGE;
			break;
		case O_STRICT: allowed = 0; break;
		case O_DEPTH:
			if (fv_parse_size(optarg, &v) || v > 64) {
				fprintf(stderr, "fwvet: equiv: bad value '%s' for --depth (expected 0..64)\n", optarg);
				return FV_EXIT_USAGE;
			}
			lim.depth = (unsigned)v;
			break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return FV_EXIT_OK;
		default: usage(stderr); return FV_EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "fwvet: equiv needs SHIPPED and REBUILT\n");
		usage(stderr);
		return FV_EXIT_USAGE;
	}
	const char *pa = argv[optind], *pb = argv[optind + 1];
	char err[512];
	struct fv_input ia, ib;
	struct fv_input_opts io = { .lim = &lim };
	if (fv_input_open(pa, &io, &ia, err, sizeof err)) {
		fprintf(stderr, "fwvet: equiv: SHIPPED: %s\n", err);
		return FV_EXIT_USAGE;
	}
	if (fv_input_open(pb, &io, &ib, err, sizeof err)) {
		fprintf(stderr, "fwvet: equiv: REBUILT: %s\n", err);
		fv_input_close(&ia);
		return FV_EXIT_USAGE;
	}
	int status = FV_EXIT_USAGE;
	struct fv_side sa, sb;
	struct fv_map ma = { 0 }, mb = { 0 };
	struct fv_equiv e = { 0 };
	memset(&sa, 0, sizeof sa);
	memset(&sb, 0, sizeof sb);
	if (fv_input_pairable("equiv", "SHIPPED", pa, &ia, "REBUILT", pb, &ib))
		goto out;
	if (fv_side_init(&sa, &ia.u, &ia.inv, NULL) || fv_side_init(&sb, &ib.u, &ib.inv, NULL)) {
		fprintf(stderr, "fwvet: equiv: out of memory\n");
		goto out;
	}
	if (!ia.is_dir && (fv_map_open(pa, &ma) || fv_map_open(pb, &mb))) {
		fprintf(stderr, "fwvet: equiv: cannot map %s: %s\n", ma.size || !mb.size ? pb : pa, strerror(errno));
		goto out;
	}
	if (fv_equiv_compute(&sa, &sb, ia.is_dir ? NULL : &ma, ia.is_dir ? NULL : &mb, allowed, &e)) {
		fprintf(stderr, "fwvet: equiv: out of memory\n");
		goto out;
	}
	FILE *f = stdout;
	if (output && !(f = fopen(output, "w"))) {
		fprintf(stderr, "fwvet: equiv: cannot write %s: %s\n", output, strerror(errno));
		goto out;
	}
	if (json) {
		struct fv_json j;
		fv_json_init(&j, f, 1);
		fv_json_obj_begin(&j);
		fv_input_json(&j, "shipped", pa, &ia);
		fv_input_json(&j, "rebuilt", pb, &ib);
		fv_equiv_json(&j, &e);
		fv_json_obj_end(&j);
		fputc('\n', f);
	} else {
		fprintf(f, "fwvet %s equiv\n  shipped   %s\n  rebuilt   %s\n", FV_VERSION, pa, pb);
		fv_equiv_text(f, &e, verbose);
	}
	if (f != stdout && fclose(f)) {
		fprintf(stderr, "fwvet: equiv: writing %s failed: %s\n", output, strerror(errno));
		goto out;
	}
	status = ia.status || ib.status ? FV_EXIT_USAGE
		 : e.verdict == FV_VERDICT_DIFFERENT ? FV_EXIT_FINDINGS
						     : FV_EXIT_OK;
out:
	fv_equiv_free(&e);
	fv_map_close(&ma);
	fv_map_close(&mb);
	fv_side_free(&sb);
	fv_side_free(&sa);
	fv_input_close(&ib);
	fv_input_close(&ia);
	return status;
}
