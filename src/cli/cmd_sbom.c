/*
 * fwvet sbom: the software bill of materials of one image.  It is fwvet scan
 * with only the analyzers a bill of materials needs: the components found
 * and what is known of each version (vulnerabilities, end of support).
 */
#include "cli/cli.h"

#include <stdio.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fwvet sbom [options] IMAGE|DIR\n"
		"  --format FMT      cyclonedx (CycloneDX 1.5 JSON, default) or spdx (SPDX 2.3 JSON)\n"
		"  -o, --output FILE write the SBOM to FILE instead of stdout\n"
		"  --rules DIR       also use the rules in DIR\n"
		"  --vulndb PATH     the imported vulnerability database (default $FWVET_VULNDB, else\n"
		"                    $XDG_DATA_HOME/fwvet/vulndb.db); 'none': only the curated rules/vulns\n"
		"  -C, --keep DIR    keep the extracted files in DIR (new or empty) instead of a temporary folder\n"
		"  --depth N         levels of nesting to unpack (default 10)\n"
		"  --threads N       analysis threads (default: one per core)\n"
		"Its time is the scan's, or SOURCE_DATE_EPOCH when that is set.\n");
}

int fv_cmd_sbom(int argc, char **argv)
{
	static const char *const analyzers[] = { "components", "supply", NULL };
	static const struct fv_scan_cmd sbom = {
		.name = "sbom",
		.formats = 1u << FV_OUT_CYCLONEDX | 1u << FV_OUT_SPDX,
		.format = FV_OUT_CYCLONEDX,
		.analyzers = analyzers,
		.usage = usage,
	};
	return fv_scan_main(&sbom, argc, argv);
}
