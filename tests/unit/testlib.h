/*
 * Scaffolding shared by the cmocka unit tests: temporary folders, files,
 * shell commands, a real sink to extract into and checks of what it wrote.
 * Every helper fails the running test itself when something goes wrong.
 */
#ifndef FV_TESTLIB_H
#define FV_TESTLIB_H

/* cmocka needs these before its header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "unpack/format.h"
#include "unpack/xctx.h"

/* Makes /tmp/fv-<tag>-XXXXXX into dir (cap bytes). */
void fv_test_tmpdir(char *dir, size_t cap, const char *tag);
/* Removes dir and everything in it; returns 0 (for group teardowns). */
int fv_test_rmtree(const char *dir);

/* Runs a shell command under `set -e`, in dir unless it is NULL; fails the test if it fails. */
void fv_test_sh(const char *dir, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Whether tool is on the PATH. */
int fv_test_have(const char *tool);

/* All of dir/name (or name when dir is NULL), NUL-terminated; NULL if it cannot be opened. */
uint8_t *fv_test_read_file(const char *dir, const char *name, size_t *len);
/* The same, failing the test when the file is missing. */
uint8_t *fv_test_load(const char *dir, const char *name, size_t *len);
/* Writes dir/name, making its parent folders. */
void fv_test_write_file(const char *dir, const char *name, const void *p, size_t n);
/* The same for a NUL-terminated text. */
void fv_test_put(const char *dir, const char *name, const char *text);

/*
 * Writes in (n bytes) as in_name in a fresh temporary folder, runs cmd there
 * and returns the file out_name that it made; the folder is removed.
 */
uint8_t *fv_test_filter(const void *in, size_t n, const char *in_name, const char *cmd,
			const char *out_name, size_t *outlen);

/* n bytes of a linear congruential sequence (top byte of each state). */
void fv_test_fill_random(uint8_t *p, size_t n, uint32_t seed);
/*
 * Deterministic data that compresses like firmware: runs of zeros, of text
 * (repeated), of copies from back bytes earlier, and of noise.
 */
uint8_t *fv_test_mixed_data(size_t n, uint32_t seed, const char *text, size_t back);

/* Probes with a cleared result; on success the size is within (0, n] and described. */
int fv_test_probe(const struct fv_format *f, const uint8_t *p, size_t n, struct fv_probe *o);

/* ---- a real sink to extract into ------------------------------------------ */

struct fv_test_env {
	char root[300];             /* the output root, parent/out-XXXXXX */
	char vpath[80], folder[64]; /* the xctx keeps pointers to these */
	struct fv_unpack u;
	struct fv_run run;
	struct fv_xctx x;
	int dirfd;
};

/*
 * An extraction context for the container folder (e.g. "0x0.tar") of an
 * image called "img", in a new output root under parent; 64 MiB may be
 * written in all, and chunk_size bounds each stream by the ratio limit.
 */
struct fv_test_env *fv_test_env_new(const char *parent, const char *folder, uint64_t chunk_size);
/* Finishes the run and removes the output root. */
void fv_test_env_free(struct fv_test_env *e);

/* The file at rel (under the output root) holds exactly the n bytes of want. */
void fv_test_assert_member(struct fv_test_env *e, const char *rel, const void *want, size_t n);
/* The first record whose path ends with suffix; fails the test if there is none. */
const struct fv_xfile *fv_test_record(struct fv_test_env *e, const char *suffix);

/* ---- analyzers over a folder tree ----------------------------------------------- */

struct fv_analyzer;
struct fv_results;
struct fv_finding;

/*
 * Inventories the folder tree dir as one root filesystem (member paths
 * "/etc/passwd"), runs only analyzer an over it with the shipped rules (and
 * user_rules, which may be NULL) and fills r, which it zeroes first.  Fails
 * the test when the analyzer cannot start or the run fails.
 */
void fv_test_analyze(const char *dir, const struct fv_analyzer *an, struct fv_results *r);
/*
 * The general form: the analyzers in only (NULL-terminated, in run order)
 * with rules_dir (NULL: the shipped rules).  Returns what opening them
 * returned, with its message in err (so a test can expect a rules error);
 * a failed run fails the test.
 */
int fv_test_analyze_with(const char *dir, const struct fv_analyzer *const *only, const char *rules_dir,
			 const char *user_rules, struct fv_results *r, char *err, size_t errlen);
void fv_test_analyze_rules(const char *dir, const struct fv_analyzer *an, const char *user_rules,
			   struct fv_results *r);
/* The first finding with this rule whose path ends with path_suffix (NULL: any path), or NULL. */
const struct fv_finding *fv_test_finding(const struct fv_results *r, const char *rule,
					 const char *path_suffix);
/* How many findings have this rule (NULL: any rule). */
size_t fv_test_count(const struct fv_results *r, const char *rule);
/* The first finding with rule at *path_suffix whose evidence contains needle, or NULL. */
const struct fv_finding *fv_test_finding_with(const struct fv_results *r, const char *rule,
					      const char *path_suffix, const char *needle);
/* The same, failing the test (after listing every finding) when there is none. */
const struct fv_finding *fv_test_must(const struct fv_results *r, const char *rule,
				      const char *path_suffix, const char *needle);
/* Lists every finding on the test's output, for a failing test. */
void fv_test_dump(const struct fv_results *r);

#endif
