/* fwvet extract: recursive, safe extraction into a new folder. */
#include "cli/cli.h"
#include "core/err.h"
#include "core/json.h"
#include "core/log.h"
#include "report/report.h"
#include "unpack/engine.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fwvet extract [options] IMAGE -C DIR\n"
		"  -C, --directory DIR  output folder; must be new or empty\n"
		"  --json               the extraction report as JSON on stdout\n"
		"  --depth N            levels of nesting to unpack (default 10)\n"
		"  --max-bytes SIZE     total bytes to write (default 64 x the image, at least 64M)\n"
		"  --max-files N        entries to write (default 1000000)\n"
		"  --max-ratio N        output bytes per input byte of one stream (default 2000)\n");
}

static void print_json(const struct fv_unpack *u)
{
	struct fv_json j;
	fv_json_init(&j, stdout, 1);
	fv_json_obj_begin(&j);
	fv_json_image(&j, u->image_path, u->image_sha256, u->image_size);
	fv_report_extraction_json(&j, u);
	fv_json_key(&j, "files");
	fv_json_arr_begin(&j);
	for (size_t i = 0; i < u->nfiles; i++) {
		const struct fv_xfile *f = &u->files[i];
		char mode[8];
		snprintf(mode, sizeof mode, "%04o", f->mode & 07777);
		fv_json_obj_begin(&j);
		fv_json_kstr(&j, "path", f->path);
		fv_json_kstr(&j, "disk", f->disk);
		fv_json_kstr(&j, "type", fv_ftype_name(f->type));
		fv_json_kstr(&j, "mode", mode);
		fv_json_kuint(&j, "uid", f->uid);
		fv_json_kuint(&j, "gid", f->gid);
		fv_json_kuint(&j, "size", f->size);
		if (f->type == FV_FT_FILE)
			fv_json_kstr(&j, "sha256", f->sha256);
		if (f->link)
			fv_json_kstr(&j, "link", f->link);
		if (f->type == FV_FT_CHAR || f->type == FV_FT_BLOCK)
			fv_json_kuint(&j, "rdev", f->rdev);
		fv_json_obj_end(&j);
	}
	fv_json_arr_end(&j);
	fv_json_key(&j, "findings");
	fv_json_arr_begin(&j);
	for (size_t i = 0; i < u->findings.n; i++)
		fv_finding_json(&j, &u->findings.v[i]);
	fv_json_arr_end(&j);
	fv_json_kuint(&j, "bytes_written", u->bytes_written);
	fv_json_obj_end(&j);
}

static void print_text(const struct fv_unpack *u, const char *dir)
{
	size_t counts[3] = { 0 }, nfiles = 0, padding = 0;
	for (size_t i = 0; i < u->nentries; i++) {
		if (!strcmp(u->entries[i].format, "padding")) {
			padding++;
			continue;
		}
		counts[u->entries[i].status]++;
	}
	for (size_t i = 0; i < u->nfiles; i++)
		nfiles += u->files[i].type == FV_FT_FILE;
	char hs[32];
	for (size_t i = 0; i < u->nentries; i++) {
		const struct fv_xentry *e = &u->entries[i];
		if (!strcmp(e->format, "padding"))
			continue;
		printf("%-7s %-10s %s%s%s\n", fv_xstatus_name(e->status), e->format, e->path,
		       e->error ? ": " : "", e->error ? e->error : "");
	}
	for (size_t i = 0; i < u->findings.n; i++)
		printf("%-7s %-10s %s: %s (%s)\n", fv_severity_name(u->findings.v[i].severity),
		       u->findings.v[i].rule, u->findings.v[i].path, u->findings.v[i].title,
		       u->findings.v[i].evidence);
	printf("%s: %zu chunks ok, %zu partial, %zu failed, %zu padding; %zu files, %s written to %s\n",
	       u->image_path, counts[0], counts[1], counts[2], padding, nfiles,
	       fv_human_size(u->bytes_written, hs, sizeof hs), dir);
}

int fv_cmd_extract(int argc, char **argv)
{
	enum { O_JSON = 256, O_DEPTH, O_BYTES, O_FILES, O_RATIO };
	static const struct option opts[] = {
		{ "directory", required_argument, NULL, 'C' },
		{ "json", no_argument, NULL, O_JSON },
		{ "depth", required_argument, NULL, O_DEPTH },
		{ "max-bytes", required_argument, NULL, O_BYTES },
		{ "max-files", required_argument, NULL, O_FILES },
		{ "max-ratio", required_argument, NULL, O_RATIO },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct fv_limits lim;
	fv_limits_default(&lim);
	const char *dir = NULL;
	int json = 0, c;
	uint64_t v;
	optind = 1;
	while ((c = getopt_long(argc, argv, "C:h", opts, NULL)) != -1) {
		switch (c) {
		case 'C': dir = optarg; break;
		case O_JSON: json = 1; break;
		case O_DEPTH:
		case O_BYTES:
		case O_FILES:
		case O_RATIO:
			if (fv_parse_size(optarg, &v) || (c == O_DEPTH && v > 64) || (c != O_BYTES && v == 0)) {
				fprintf(stderr, "fwvet: extract: bad value '%s' for --%s\n", optarg,
					opts[c - O_JSON + 1].name);
				return FV_EXIT_USAGE;
			}
			if (c == O_DEPTH)
				lim.depth = (unsigned)v;
			else if (c == O_BYTES)
				lim.total_bytes = v;
			else if (c == O_FILES)
				lim.files = v;
			else
				lim.ratio = v;
			break;
		case 'h': usage(stdout); return FV_EXIT_OK;
		default: usage(stderr); return FV_EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || !dir) {
		fprintf(stderr, "fwvet: extract needs one IMAGE and -C DIR\n");
		usage(stderr);
		return FV_EXIT_USAGE;
	}
	struct fv_unpack u;
	char err[512];
	int rc = fv_unpack(argv[optind], dir, &lim, &u, err, sizeof err);
	if (rc && u.nentries == 0) {
		fprintf(stderr, "fwvet: %s\n", err);
		fv_unpack_free(&u);
		return FV_EXIT_USAGE;
	}
	if (rc)
		fprintf(stderr, "fwvet: %s\n", err);
	if (json)
		print_json(&u);
	else
		print_text(&u, dir);
	fv_unpack_free(&u);
	return rc ? FV_EXIT_USAGE : FV_EXIT_OK;
}
