/*
 * fwvet db: the store of scanned images.
 *   list [--db SPEC] [--format text|json]  one line per stored scan, newest first
 *   show ID [--db SPEC]                    a stored scan as JSON, in the shape of the scan report
 */
#include "cli/cli.h"
#include "core/err.h"
#include "core/finding.h"
#include "core/json.h"
#include "store/store.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: fwvet db list [--db SPEC] [--format text|json]\n"
		"       fwvet db show ID [--db SPEC]\n"
		"       fwvet db status [--db SPEC] [--format text|json]\n\n"
		"  list  the stored scans, newest first: id, time, image, SHA-256, files, components,\n"
		"        vulnerabilities and findings by severity\n"
		"  show  stored scan ID as JSON, in the shape of the scan report\n\n"
		"  --db SPEC  the store (default $FWVET_DB, else $XDG_DATA_HOME/fwvet/fwvet.db,\n"
		"             else ~/.local/share/fwvet/fwvet.db)\n");
}

/* A path as given on some command line: any byte; control bytes would garble the terminal. */
static void put_path(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
}

struct list_ctx {
	int json;
	size_t rows;
	struct fv_json j;
};

static int list_row(void *ctx, const struct fv_store_row *r)
{
	struct list_ctx *c = ctx;
	if (c->json) {
		fv_json_obj_begin(&c->j);
		fv_json_kint(&c->j, "id", r->id);
		fv_json_kstr(&c->j, "started", r->started);
		fv_json_image(&c->j, r->image_path, r->image_sha256, r->image_size);
		fv_json_kstr(&c->j, "tool_version", r->tool_version);
		fv_json_kuint(&c->j, "files", r->files);
		fv_json_kuint(&c->j, "components", r->components);
		fv_json_kuint(&c->j, "vulnerabilities", r->vulnerabilities);
		fv_json_key(&c->j, "findings");
		fv_json_obj_begin(&c->j);
		for (int s = FV_SEV_CRITICAL; s >= FV_SEV_INFO; s--)
			fv_json_kuint(&c->j, fv_severity_name((enum fv_severity)s), r->findings[s]);
		fv_json_obj_end(&c->j);
		fv_json_obj_end(&c->j);
	} else {
		if (!c->rows)
			printf("%6s  %-20s  %-12s  %7s %5s %5s  %4s %4s %4s %4s %4s  %s\n", "ID", "STARTED",
			       "SHA256", "FILES", "COMP", "VULNS", "CRIT", "HIGH", "MED", "LOW", "INFO", "IMAGE");
		printf("%6lld  %-20s  %-12.12s  %7zu %5zu %5zu  %4zu %4zu %4zu %4zu %4zu  ", (long long)r->id,
		       r->started ? r->started : "-", r->image_sha256 ? r->image_sha256 : "-", r->files,
		       r->components, r->vulnerabilities, r->findings[FV_SEV_CRITICAL], r->findings[FV_SEV_HIGH],
		       r->findings[FV_SEV_MEDIUM], r->findings[FV_SEV_LOW], r->findings[FV_SEV_INFO]);
		put_path(r->image_path ? r->image_path : "-");
		putchar('\n');
	}
	c->rows++;
	return 0;
}

/* A SQLite store named by a path that does not exist yet: nothing stored, and nothing to create. */
static int store_missing(const char *spec)
{
	if (strstr(spec, "://"))
		return 0;
	return access(spec, F_OK) != 0 && errno == ENOENT;
}

static int list(const char *spec, int json)
{
	struct list_ctx c = { .json = json };
	struct fv_store *s = NULL;
	char err[512];
	if (!store_missing(spec) && fv_store_open(spec, &s, err, sizeof err)) {
		fprintf(stderr, "fwvet: db list: %s\n", err);
		return FV_EXIT_USAGE;
	}
	if (json) {
		fv_json_init(&c.j, stdout, 1);
		fv_json_arr_begin(&c.j);
	}
	int rc = FV_EXIT_OK;
	if (s) {
		if (fv_store_list(s, list_row, &c, err, sizeof err)) {
			fprintf(stderr, "fwvet: db list: %s\n", err);
			rc = FV_EXIT_USAGE;
		}
		fv_store_close(s);
	}
	if (json) {
		fv_json_arr_end(&c.j);
		putchar('\n');
	} else if (!c.rows && rc == FV_EXIT_OK) {
		printf("no scans stored in %s\n", spec);
	}
	return rc;
}

int fv_cli_store_read(const char *cmd, const char *spec, struct fv_store **out)
{
	*out = NULL;
	char *def = spec ? NULL : fv_store_default_path();
	if (!spec && !(spec = def)) {
		fprintf(stderr, "fwvet: %s: no store path: set --db, $FWVET_DB or $HOME\n", cmd);
		return FV_EXIT_USAGE;
	}
	char err[512];
	int rc = FV_EXIT_OK;
	if (store_missing(spec)) {
		fprintf(stderr, "fwvet: %s: no store at %s (fwvet scan makes it)\n", cmd, spec);
		rc = FV_EXIT_USAGE;
	} else if (fv_store_open(spec, out, err, sizeof err)) {
		fprintf(stderr, "fwvet: %s: %s\n", cmd, err);
		rc = FV_EXIT_USAGE;
	}
	free(def);
	return rc;
}

int fv_cli_scan_id(const char *cmd, const char *arg, int64_t *id)
{
	if (fv_parse_scan_id(arg, id)) {
		fprintf(stderr, "fwvet: %s: expected a scan id (a number that db list shows), got '%s'\n", cmd, arg);
		return FV_EXIT_USAGE;
	}
	return FV_EXIT_OK;
}

static int show(const char *spec, const char *arg)
{
	int64_t id;
	struct fv_store *s;
	if (fv_cli_scan_id("db show", arg, &id) || fv_cli_store_read("db show", spec, &s))
		return FV_EXIT_USAGE;
	char err[512];
	/* Written to memory first: a scan that fails half-way must not leave half a document on stdout. */
	char *doc = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&doc, &len);
	if (!m) {
		fprintf(stderr, "fwvet: db show: %s\n", strerror(errno));
		fv_store_close(s);
		return FV_EXIT_USAGE;
	}
	struct fv_json j;
	fv_json_init(&j, m, 1);
	int rc = fv_store_show_json(s, id, &j, err, sizeof err);
	fv_store_close(s);
	if (fclose(m) != 0 && !rc) {
		snprintf(err, sizeof err, "out of memory writing scan %lld", (long long)id);
		rc = FV_ENOMEM;
	}
	if (rc) {
		fprintf(stderr, "fwvet: db show: %s\n", err);
		free(doc);
		return FV_EXIT_USAGE;
	}
	fwrite(doc, 1, len, stdout);
	putchar('\n');
	free(doc);
	return FV_EXIT_OK;
}

int fv_cmd_db(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? FV_EXIT_USAGE : FV_EXIT_OK;
	}
	if (!strcmp(argv[1], "status"))
		return fv_cmd_db_status(argc - 1, argv + 1);
	const char *sub = argv[1], *spec = NULL;
	int is_list = !strcmp(sub, "list");
	if (!is_list && strcmp(sub, "show")) {
		fprintf(stderr, "fwvet: db: expected list or show, got '%s'\n", sub);
		usage(stderr);
		return FV_EXIT_USAGE;
	}
	int json = 0, c;
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': spec = optarg; break;
		case 'f':
			if (!is_list) {
				fprintf(stderr, "fwvet: db show: --format is an option of db list (show writes JSON)\n");
				return FV_EXIT_USAGE;
			}
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				fprintf(stderr, "fwvet: db list: --format expects text or json, got '%s'\n", optarg);
				return FV_EXIT_USAGE;
			}
			json = !strcmp(optarg, "json");
			break;
		case 'h': usage(stdout); return FV_EXIT_OK;
		default: usage(stderr); return FV_EXIT_USAGE;
		}
	}
	int nargs = argc - 1 - optind;
	char **args = argv + 1 + optind;
	if (is_list ? nargs != 0 : nargs != 1) {
		if (is_list)
			fprintf(stderr, "fwvet: db list takes no arguments, got '%s'\n", args[0]);
		else
			fprintf(stderr, "fwvet: db show expects one scan ID, got %d arguments\n", nargs);
		usage(stderr);
		return FV_EXIT_USAGE;
	}
	char *def = spec ? NULL : fv_store_default_path();
	if (!spec && !def) {
		fprintf(stderr, "fwvet: db: no store path: set --db, $FWVET_DB or $HOME\n");
		return FV_EXIT_USAGE;
	}
	int rc = is_list ? list(spec ? spec : def, json) : show(spec ? spec : def, args[0]);
	free(def);
	return rc;
}
