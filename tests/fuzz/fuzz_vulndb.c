/*
 * libFuzzer harness for the vulnerability data readers: the input is
 * imported (NVD, OSV or KEV JSON, gzip or zip, whatever it holds) into an
 * in-memory database, read as a rules/vulns file, and its first two lines
 * are compared as versions both ways.
 */
#include "vuln/version.h"
#include "vuln/vulndb.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char g_dir[64];

static void write_all(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!g_dir[0]) {
		snprintf(g_dir, sizeof g_dir, "/tmp/fuzz-vulndb-XXXXXX");
		if (!mkdtemp(g_dir))
			abort();
	}
	char feed[128], rules[128], err[1024];
	snprintf(feed, sizeof feed, "%s/feed.json", g_dir);
	snprintf(rules, sizeof rules, "%s/fuzzed.txt", g_dir);
	write_all(feed, data, size);
	write_all(rules, data, size);

	struct fv_vulndb_stats st;
	(void)fv_vulndb_import(":memory:", feed, &st, err, sizeof err);
	struct fv_vulndb *db;
	if (fv_vulndb_open(NULL, g_dir, &db, err, sizeof err) == 0)
		fv_vulndb_close(db);

	/* Two versions: the bytes up to the first newline, and the rest. */
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	char *nl = strchr(s, '\n');
	const char *b = "";
	if (nl) {
		*nl = 0;
		b = nl + 1;
	}
	int ab = fv_version_cmp(s, b), ba = fv_version_cmp(b, s);
	if ((ab > 0) - (ab < 0) != -((ba > 0) - (ba < 0)) || fv_version_cmp(s, s) != 0)
		abort();
	struct fv_vrange r = { s, b, 1, 0, NULL };
	(void)fv_version_in_range(s, &r);
	free(s);
	return 0;
}
