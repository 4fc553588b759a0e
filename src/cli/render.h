/*
 * The report formats of fwvet scan and fwvet report: --format's names and
 * one writer for all of them, so that a stored scan renders exactly as the
 * scan printed it, in every format.
 */
#ifndef FV_CLI_RENDER_H
#define FV_CLI_RENDER_H

#include "core/json.h"

#include <stdio.h>

struct fv_report;

enum fv_out { FV_OUT_TEXT, FV_OUT_JSON, FV_OUT_CYCLONEDX, FV_OUT_SPDX, FV_OUT_SARIF, FV_OUT_HTML };

/*
 * --format's FMT among the formats in mask (1u << enum fv_out): 0, or
 * FV_EXIT_USAGE after a message naming cmd and the formats it takes.
 */
int fv_render_parse(const char *cmd, const char *arg, unsigned mask, enum fv_out *out);
const char *fv_render_name(enum fv_out f);
/* A format that describes one image (an SBOM, the HTML page): several images are refused. */
int fv_render_single(enum fv_out f);

/* Reports to one stream: begin, one per image, end. */
struct fv_render {
	enum fv_out fmt;
	FILE *out;
	struct fv_json j;
	int color, verbose, many;
	size_t n;
};
void fv_render_begin(struct fv_render *w, FILE *out, enum fv_out fmt, int many, int verbose);
void fv_render_one(struct fv_render *w, const struct fv_report *r);
void fv_render_end(struct fv_render *w);

#endif
