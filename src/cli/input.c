/*
 * Opening an input of scan, diff and equiv: unpack or walk, inventory,
 * analyse; and removing the temporary folder afterwards.
 */
#include "cli/cli.h"
#include "cli/input.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "integrity/pair.h"
#include "store/store.h"
#include "vuln/vulndb.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Removing the temporary tree: extracted folders may be read-only (modes are
 * applied as stored), so every folder is opened up first, then removed
 * deepest first.  FTW_PHYS: a symlink is removed, never followed.
 */
static int open_up(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D)
		chmod(p, (st->st_mode & 07777) | S_IRWXU);
	return 0;
}

static int remove_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(p);
	else
		unlink(p);
	return 0;
}

static void rmtree(const char *dir)
{
	nftw(dir, open_up, 32, FTW_PHYS);
	nftw(dir, remove_one, 32, FTW_PHYS | FTW_DEPTH);
}

/*
 * An image that holds no container (a lone binary, a script, a config) is
 * itself the one file to analyse.  Its disk path is absolute, which the
 * inventory's openat() honours whatever the output folder.
 */
static int lone_file(struct fv_unpack *u, const char *image)
{
	char *abs = realpath(image, NULL);
	const char *slash = strrchr(image, '/');
	if (!abs || fv_grow(&u->files, &u->capfiles, u->nfiles, sizeof *u->files)) {
		free(abs);
		return FV_ENOMEM;
	}
	struct fv_xfile *f = &u->files[u->nfiles];
	memset(f, 0, sizeof *f);
	f->path = strdup(slash ? slash + 1 : image);
	if (!f->path) {
		free(abs);
		return FV_ENOMEM;
	}
	f->disk = abs;
	f->type = FV_FT_FILE;
	f->mode = 0100644;
	f->size = u->image_size;
	memcpy(f->sha256, u->image_sha256, sizeof f->sha256);
	u->nfiles++;
	return FV_OK;
}

int fv_input_open(const char *path, const struct fv_input_opts *o, struct fv_input *in, char *err,
		  size_t errlen)
{
	char msg[512];
	struct stat st;
	struct fv_limits lim;
	memset(in, 0, sizeof *in);
	if (o->lim)
		lim = *o->lim;
	else
		fv_limits_default(&lim);
	in->is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	int rc;
	if (in->is_dir) {
		in->dir = path;
		rc = fv_inventory_walk(path, &in->u, msg, sizeof msg);
	} else {
		if (o->keep) {
			in->dir = o->keep;
		} else {
			const char *t = getenv("TMPDIR");
			snprintf(in->tmp, sizeof in->tmp, "%s/fwvet-XXXXXX", t && *t ? t : "/tmp");
			if (!mkdtemp(in->tmp)) {
				snprintf(err, errlen, "cannot make a temporary folder %s: %s", in->tmp, strerror(errno));
				in->tmp[0] = 0;
				return FV_EIO;
			}
			in->dir = in->tmp;
		}
		rc = fv_unpack(path, in->dir, &lim, &in->u, msg, sizeof msg);
	}
	if (rc && in->u.nentries == 0 && in->u.nfiles == 0) {
		snprintf(err, errlen, "%s", msg);
		fv_input_close(in);
		return rc;
	}
	if (rc)
		fprintf(stderr, "fwvet: %s: %s (the report covers what was read)\n", path, msg);
	if (!in->is_dir && in->u.nfiles == 0 && lone_file(&in->u, path) != FV_OK)
		fprintf(stderr, "fwvet: %s: out of memory\n", path);
	/* An image read in part is still reported; status says whether the later stages completed. */
	rc = fv_inventory_build(&in->u, in->dir, 0, &in->inv, msg, sizeof msg);
	if (rc != FV_OK) {
		fprintf(stderr, "fwvet: %s: %s\n", path, msg);
	} else if (o->analysis) {
		/* Without the stored results the analysis is slower, not wrong: go on. */
		if (fv_analysis_set_cache(o->analysis, o->cache))
			fprintf(stderr, "fwvet: %s: out of memory: analysing every file again\n", path);
		else if (o->cache && o->store && fv_store_cache_load(o->store, &in->inv, o->cache, msg, sizeof msg))
			fprintf(stderr, "fwvet: %s: analysing every file again: %s\n", path, msg);
		rc = fv_analysis_run(o->analysis, &in->inv, &in->res);
		fv_analysis_set_cache(o->analysis, NULL);
		if (rc != FV_OK)
			fprintf(stderr, "fwvet: %s: analysis incomplete: %s\n", path, fv_strerror(rc));
	}
	in->status = rc;
	return FV_OK;
}

int fv_input_analysis(const char *cmd, struct fv_aopts *ao, const char *vulndb, struct fv_actx **out)
{
	char err[512];
	char *default_db = vulndb ? NULL : fv_vulndb_default_path();
	ao->vulndb = vulndb ? (strcmp(vulndb, "none") ? vulndb : NULL) : default_db;
	int rc = fv_analysis_open(ao, out, err, sizeof err);
	free(default_db);
	ao->vulndb = NULL;
	if (rc) {
		fprintf(stderr, "fwvet: %s: %s\n", cmd, err);
		return FV_EXIT_USAGE;
	}
	return FV_EXIT_OK;
}

void fv_input_close(struct fv_input *in)
{
	fv_results_free(&in->res);
	fv_inventory_free(&in->inv);
	fv_unpack_free(&in->u);
	if (in->tmp[0])
		rmtree(in->tmp);
	in->tmp[0] = 0;
}

/* Whether two space-separated lists of format names have one in common. */
static int share_format(const char *a, const char *b)
{
	for (const char *p = a; *p;) {
		size_t l = strcspn(p, " ");
		for (const char *q = b; *q;) {
			size_t m = strcspn(q, " ");
			if (l == m && !memcmp(p, q, l))
				return 1;
			q += m;
			q += *q == ' ';
		}
		p += l;
		p += *p == ' ';
	}
	return 0;
}

int fv_input_pairable(const char *cmd, const char *role_a, const char *path_a, const struct fv_input *a,
		      const char *role_b, const char *path_b, const struct fv_input *b)
{
	if (a->is_dir != b->is_dir) {
		fprintf(stderr, "fwvet: %s: %s (%s) is %s and %s (%s) %s: give two images or two folders\n", cmd,
			role_a, path_a, a->is_dir ? "a folder" : "an image", role_b, path_b,
			b->is_dir ? "a folder" : "an image");
		return -1;
	}
	if (a->is_dir)
		return 0;
	char fa[512], fb[512];
	struct fv_side sa = { .u = &a->u }, sb = { .u = &b->u };
	fv_side_formats(&sa, fa, sizeof fa);
	fv_side_formats(&sb, fb, sizeof fb);
	/* Two lone files (two programs) compare; a lone file and a firmware image do not. */
	if ((fa[0] || fb[0]) && !share_format(fa, fb)) {
		fprintf(stderr, "fwvet: %s: %s (%s) is %s, %s (%s) is %s: no format in common, nothing to pair\n",
			cmd, role_a, path_a, fa[0] ? fa : "no known format", role_b, path_b,
			fb[0] ? fb : "no known format");
		return -1;
	}
	return 0;
}

void fv_input_json(struct fv_json *j, const char *key, const char *path, const struct fv_input *in)
{
	fv_json_key(j, key);
	fv_json_obj_begin(j);
	fv_json_kstr(j, "path", path);
	fv_json_key(j, "sha256");
	if (in->is_dir)
		fv_json_null(j);
	else
		fv_json_str(j, in->u.image_sha256);
	fv_json_kuint(j, "size", in->u.image_size);
	fv_json_obj_end(j);
}
