#include "cli/render.h"
#include "cli/cli.h"
#include "report/html.h"
#include "report/report.h"
#include "report/sarif.h"
#include "report/sbom.h"

#include <string.h>
#include <unistd.h>

static const char *const names[] = {
	[FV_OUT_TEXT] = "text",
	[FV_OUT_JSON] = "json",
	[FV_OUT_CYCLONEDX] = "cyclonedx",
	[FV_OUT_SPDX] = "spdx",
	[FV_OUT_SARIF] = "sarif",
	[FV_OUT_HTML] = "html",
};
#define NNAMES (sizeof names / sizeof *names)

const char *fv_render_name(enum fv_out f) { return (size_t)f < NNAMES ? names[f] : "?"; }

int fv_render_single(enum fv_out f) { return f == FV_OUT_CYCLONEDX || f == FV_OUT_SPDX || f == FV_OUT_HTML; }

int fv_render_parse(const char *cmd, const char *arg, unsigned mask, enum fv_out *out)
{
	for (size_t f = 0; f < NNAMES; f++)
		if ((mask >> f & 1) && !strcmp(arg, names[f])) {
			*out = (enum fv_out)f;
			return 0;
		}
	/* "text, json or spdx" */
	char list[96];
	size_t n = 0, k = 0, m = 0;
	for (size_t f = 0; f < NNAMES; f++)
		n += mask >> f & 1;
	list[0] = 0;
	for (size_t f = 0; f < NNAMES && k < sizeof list; f++)
		if (mask >> f & 1) {
			m++;
			k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", m == 1 ? "" : m == n ? " or " : ", ",
					      names[f]);
		}
	fprintf(stderr, "fwvet: %s: --format expects %s, got '%s'\n", cmd, list, arg);
	return FV_EXIT_USAGE;
}

void fv_render_begin(struct fv_render *w, FILE *out, enum fv_out fmt, int many, int verbose)
{
	memset(w, 0, sizeof *w);
	w->fmt = fmt;
	w->out = out;
	w->many = many;
	w->verbose = verbose;
	w->color = out == stdout && isatty(STDOUT_FILENO);
	fv_json_init(&w->j, out, 1);
	if (fmt == FV_OUT_SARIF)
		fv_sarif_begin(&w->j);
	else if (fmt != FV_OUT_TEXT && fmt != FV_OUT_HTML && many)
		fv_json_arr_begin(&w->j); /* several images: a JSON array of reports, in the order given */
}

void fv_render_one(struct fv_render *w, const struct fv_report *r)
{
	switch (w->fmt) {
	case FV_OUT_TEXT:
		if (w->n)
			fputc('\n', w->out);
		fv_report_text(w->out, r, w->color, w->verbose);
		break;
	case FV_OUT_JSON: fv_report_json(&w->j, r); break;
	case FV_OUT_CYCLONEDX: fv_report_cyclonedx(&w->j, r); break;
	case FV_OUT_SPDX: fv_report_spdx(&w->j, r); break;
	case FV_OUT_SARIF: fv_sarif_run(&w->j, r); break;
	case FV_OUT_HTML: fv_report_html(w->out, r); break;
	}
	w->n++;
}

void fv_render_end(struct fv_render *w)
{
	if (w->fmt == FV_OUT_SARIF)
		fv_sarif_end(&w->j);
	else if (w->fmt != FV_OUT_TEXT && w->fmt != FV_OUT_HTML && w->many)
		fv_json_arr_end(&w->j);
	if (w->fmt != FV_OUT_TEXT && w->fmt != FV_OUT_HTML)
		fputc('\n', w->out);
}
