/*
 * fwvet vulndb: the offline vulnerability database.
 *   import [--db PATH] FILE...  NVD CVE JSON 2.0 (.json, .json.gz), OSV (record,
 *                               array, zip export), CISA KEV catalogue
 *   info [--db PATH]            what the database holds and how new it is
 */
#include "cli/cli.h"
#include "vuln/vulndb.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: fwvet vulndb import [--db PATH] FILE...\n"
		"       fwvet vulndb info [--db PATH]\n\n"
		"  import  reads NVD CVE JSON 2.0 feeds (.json or .json.gz), OSV records (one record,\n"
		"          an array, or a zip export) and the CISA KEV catalogue into the database;\n"
		"          each file is one transaction: a malformed file imports nothing\n"
		"  info    what the database holds, per source, and the date of its newest data\n\n"
		"  --db PATH  the database (default $FWVET_VULNDB, else $XDG_DATA_HOME/fwvet/vulndb.db,\n"
		"             else ~/.local/share/fwvet/vulndb.db)\n"
		"Without any import, scans still match the curated rules/vulns/.\n");
}

/* Makes the folders above path (mkdir -p of its dirname). */
static int make_parents(const char *path)
{
	char buf[4096];
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
		return -1;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

static int import(const char *db, int n, char **files)
{
	if (make_parents(db) != 0) {
		fprintf(stderr, "fwvet: vulndb: cannot make the folder of %s: %s\n", db, strerror(errno));
		return FV_EXIT_USAGE;
	}
	int status = FV_EXIT_OK;
	for (int i = 0; i < n; i++) {
		struct fv_vulndb_stats st;
		char err[1024];
		if (fv_vulndb_import(db, files[i], &st, err, sizeof err) != 0) {
			fprintf(stderr, "fwvet: vulndb: %s\n", err);
			status = FV_EXIT_USAGE;
			continue;
		}
		printf("%s: %s, %zu records: %zu added, %zu changed, %zu unchanged\n", files[i], st.format,
		       st.records, st.added, st.changed, st.unchanged);
	}
	return status;
}

static int info(const char *db)
{
	struct fv_vulndb_info in;
	char err[1024];
	if (fv_vulndb_info(db, &in, err, sizeof err) != 0) {
		fprintf(stderr, "fwvet: vulndb: %s\n", err);
		return FV_EXIT_USAGE;
	}
	printf("database: %s%s\n", db, in.exists ? "" : " (none: nothing imported)");
	printf("nvd: %zu vulnerabilities\n", in.nvd);
	printf("osv: %zu vulnerabilities\n", in.osv);
	printf("kev: %zu entries\n", in.kev);
	printf("ranges: %zu\n", in.ranges);
	printf("files imported: %zu\n", in.imports);
	printf("data date: %s\n", in.date[0] ? in.date : "none");
	return FV_EXIT_OK;
}

int fv_cmd_vulndb(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? FV_EXIT_USAGE : FV_EXIT_OK;
	}
	const char *sub = argv[1], *db = NULL;
	if (strcmp(sub, "import") && strcmp(sub, "info")) {
		fprintf(stderr, "fwvet: vulndb: '%s' is not a vulndb command\n", sub);
		usage(stderr);
		return FV_EXIT_USAGE;
	}
	int c;
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'h': usage(stdout); return FV_EXIT_OK;
		default: usage(stderr); return FV_EXIT_USAGE;
		}
	}
	int nfiles = argc - 1 - optind;
	char **files = argv + 1 + optind;
	if (!strcmp(sub, "import") ? nfiles < 1 : nfiles != 0) {
		usage(stderr);
		return FV_EXIT_USAGE;
	}
	char *def = db ? NULL : fv_vulndb_default_path();
	if (!db && !def) {
		fprintf(stderr, "fwvet: vulndb: no database path: set --db, $FWVET_VULNDB or $HOME\n");
		return FV_EXIT_USAGE;
	}
	int rc = !strcmp(sub, "import") ? import(db ? db : def, nfiles, files) : info(db ? db : def);
	free(def);
	return rc;
}
