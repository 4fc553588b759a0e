/* fwvet formats: the format table, for people and for the README. */
#include "cli/cli.h"
#include "unpack/format.h"

#include <stdio.h>
#include <string.h>

int fv_cmd_formats(int argc, char **argv)
{
	int markdown = argc > 1 && !strcmp(argv[1], "--markdown");
	if (markdown)
		printf("| format | identify | extract | notes |\n|---|---|---|---|\n");
	for (size_t i = 0; fv_formats[i]; i++) {
		const struct fv_format *f = fv_formats[i];
		if (markdown)
			printf("| %s | yes | %s | %s |\n", f->name, f->extract ? "yes" : "no (sized only)",
			       f->summary);
		else
			printf("%-10s %-8s %s\n", f->name, f->extract ? "extract" : "identify", f->summary);
	}
	return FV_EXIT_OK;
}
