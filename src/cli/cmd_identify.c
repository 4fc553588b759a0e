/*
 * fwvet identify: what binwalk's signature scan does, with every candidate
 * validated and sized.  Chunks inside an accepted chunk are listed under it
 * (parent), so a reader sees what is inside without it being extracted twice.
 */
#include "cli/cli.h"
#include "core/err.h"
#include "core/hash.h"
#include "core/json.h"
#include "core/log.h"
#include "core/map.h"
#include "core/progress.h"
#include "unpack/engine.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: fwvet identify [--json] IMAGE...\n"
		   "  --json   one JSON document per image on stdout\n");
}

static void print_json(const char *path, const struct fv_map *m, const struct fv_chunks *cs)
{
	char hex[FV_SHA256_HEX];
	fv_map_sha256(m, hex);
	struct fv_json j;
	fv_json_init(&j, stdout, 1);
	fv_json_obj_begin(&j);
	fv_json_image(&j, path, hex, m->size);
	fv_json_key(&j, "chunks");
	fv_json_arr_begin(&j);
	for (size_t i = 0; i < cs->n; i++) {
		const struct fv_chunk *c = &cs->v[i];
		fv_json_obj_begin(&j);
		fv_json_kuint(&j, "offset", c->off);
		fv_json_kuint(&j, "size", c->size);
		fv_json_kstr(&j, "format", c->fmt->name);
		fv_json_kstr(&j, "confidence", fv_conf_name(c->conf));
		fv_json_kstr(&j, "description", c->desc);
		fv_json_kbool(&j, "truncated", c->truncated);
		fv_json_key(&j, "parent");
		if (c->parent >= 0)
			fv_json_uint(&j, cs->v[c->parent].off);
		else
			fv_json_null(&j);
		fv_json_obj_end(&j);
	}
	fv_json_arr_end(&j);
	fv_json_obj_end(&j);
}

static void print_table(const char *path, const struct fv_map *m, const struct fv_chunks *cs)
{
	char hs[32];
	printf("%s (%s)\n", path, fv_human_size(m->size, hs, sizeof hs));
	if (cs->n == 0) {
		printf("  no recognised chunks\n");
		return;
	}
	printf("  %-12s %-12s %-10s %-6s %s\n", "OFFSET", "SIZE", "FORMAT", "CONF", "DESCRIPTION");
	for (size_t i = 0; i < cs->n; i++) {
		const struct fv_chunk *c = &cs->v[i];
		int level = 0;
		for (int p = c->parent; p >= 0; p = cs->v[p].parent)
			level++;
		char off[32];
		snprintf(off, sizeof off, "%*s0x%llx", 2 * level, "", (unsigned long long)c->off);
		printf("  %-12s %-12llu %-10s %-6s %s%s\n", off, (unsigned long long)c->size, c->fmt->name,
		       fv_conf_name(c->conf), c->desc, c->truncated ? " [truncated]" : "");
	}
}

int fv_cmd_identify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int json = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'h': usage(stdout); return FV_EXIT_OK;
		default: usage(stderr); return FV_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return FV_EXIT_USAGE;
	}
	char err[256];
	if (fv_scan_init(err, sizeof err)) {
		fprintf(stderr, "fwvet: %s\n", err);
		return FV_EXIT_USAGE;
	}
	int status = FV_EXIT_OK;
	for (int i = optind; i < argc; i++) {
		struct fv_map m;
		if (fv_map_open(argv[i], &m) != FV_OK) {
			fprintf(stderr, "fwvet: cannot read %s: %s\n", argv[i], strerror(errno));
			status = FV_EXIT_USAGE;
			continue;
		}
		struct fv_chunks cs;
		struct fv_progress prog;
		fv_progress_start(&prog, "identify", m.size);
		int rc = fv_scan_progress(m.data, m.size, FV_SCAN_NESTED | FV_SCAN_DROP, &prog, &cs);
		fv_progress_end(&prog);
		if (rc) {
			fprintf(stderr, "fwvet: scanning %s: %s\n", argv[i], fv_strerror(rc));
			status = FV_EXIT_USAGE;
		} else if (json) {
			print_json(argv[i], &m, &cs);
		} else {
			print_table(argv[i], &m, &cs);
		}
		fv_chunks_free(&cs);
		fv_map_close(&m);
	}
	return status;
}
