/*
 * An input of the commands that read images: unpacked into a temporary
 * folder (or --keep DIR) or, for a folder, walked as an unpacked root; then
 * inventoried and, when asked, analysed.  scan, diff and equiv all open their
 * inputs here, so they read an image the same way.
 */
#ifndef FV_CLI_INPUT_H
#define FV_CLI_INPUT_H

#include "analyze/run.h"
#include "inventory/inventory.h"
#include "unpack/engine.h"

struct fv_acache;
struct fv_store;

struct fv_input {
	struct fv_unpack u;
	struct fv_inventory inv;
	struct fv_results res;     /* empty when no analysis was asked for */
	const char *dir;           /* where the files are */
	int is_dir;                /* the input was a folder */
	int status;                /* FV_OK, or the fv_err of a stage that did not complete */
	char tmp[4096];            /* the temporary folder, "" when none */
};

struct fv_input_opts {
	const char *keep;            /* extract here instead of a temporary folder, or NULL */
	const struct fv_limits *lim; /* NULL: defaults */
	struct fv_actx *analysis;    /* run the analyzers with it, or NULL for unpack + inventory only */
	/*
	 * With analysis: results by content, reused instead of analysing again
	 * (filled from store when it is set) and holding what the run computed
	 * afterwards, for fv_store_record.  NULL: no reuse.
	 */
	struct fv_acache *cache;
	struct fv_store *store;
};

/*
 * Opens the analysis for cmd: vulndb is --vulndb as given (NULL: the default
 * database, "none": the curated rules only).  0, or FV_EXIT_USAGE after a
 * message naming cmd.
 */
int fv_input_analysis(const char *cmd, struct fv_aopts *ao, const char *vulndb, struct fv_actx **out);

/*
 * Opens path.  0 when something was read (in->status then says whether every
 * stage completed; the messages went to stderr), or FV_EXIT_USAGE's cause: a
 * negative fv_err with a message in err when nothing could be read; in->tmp is
 * then already removed.
 */
int fv_input_open(const char *path, const struct fv_input_opts *o, struct fv_input *in, char *err,
		  size_t errlen);
/* Frees everything and removes the temporary folder. */
void fv_input_close(struct fv_input *in);

/*
 * Whether two opened inputs can be compared file by file (diff, equiv): both
 * images or both folders, and images that share a top-level format.  0, or
 * -1 after a message naming cmd, each side's role ("OLD") and path, and what
 * each is.
 */
int fv_input_pairable(const char *cmd, const char *role_a, const char *path_a, const struct fv_input *a,
		      const char *role_b, const char *path_b, const struct fv_input *b);

/* key: { "path", "sha256" (null for a folder), "size" } */
struct fv_json;
void fv_input_json(struct fv_json *j, const char *key, const char *path, const struct fv_input *in);

#endif
