/*
 * fwvet diff OLD NEW: what an update changed.  Both images are unpacked,
 * inventoried and analysed the way scan does it (cli/input.c), then compared
 * by integrity/diff.c.  Either side may be a stored scan instead (an id of
 * fwvet db list), read back from the store (store/load.c) with no unpacking.
 */
#include "analyze/run.h"
#include "cli/cli.h"
#include "cli/input.h"
#include "core/err.h"
#include "core/json.h"
#include "core/log.h"
#include "integrity/diff.h"
#include "integrity/pair.h"
#include "report/report.h"
#include "store/store.h"
#include "vuln/vulndb.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fwvet diff [options] OLD NEW\n"
		"  --format FMT      text (default) or json\n"
		"  -o, --output FILE write the report to FILE instead of stdout\n"
		"  --rules DIR       also use the rules in DIR (as fwvet scan)\n"
		"  --vulndb PATH     the imported vulnerability database (default $FWVET_VULNDB, else\n"
		"                    $XDG_DATA_HOME/fwvet/vulndb.db); 'none': only the curated rules/vulns\n"
		"  --fail-on SEV     exit 1 when a NEW finding is at or above SEV (critical, high, medium, low, info)\n"
		"  --depth N         levels of nesting to unpack (default 10)\n"
		"  --threads N       analysis threads (default: one per core)\n"
		"  -v                text: also list folders, info findings and every item of long lists\n"
		"  --db SPEC         the store of stored scans (default $FWVET_DB, else\n"
		"                    $XDG_DATA_HOME/fwvet/fwvet.db, else ~/.local/share/fwvet/fwvet.db)\n"
		"OLD and NEW are images, or both folders (unpacked root filesystems), or stored scans: an\n"
		"argument that is no file and is a number is a scan id of fwvet db list.  Files are paired by\n"
		"path with chunk offsets replaced by format and rank, so a root filesystem that moved still\n"
		"pairs.  A stored scan keeps no file bytes: its changed programs are compared by content only.\n");
}

/* Reads the stored sides (ids[i] != 0) from the store db.  0, or -1 after a message. */
static int load_stored(const char *db, const char *const names[2], const int64_t ids[2], struct fv_stored st[2])
{
	static const char *const roles[2] = { "OLD", "NEW" };
	struct fv_store *s;
	if (fv_cli_store_read("diff", db, &s))
		return -1;
	char err[512];
	int rc = 0;
	for (int i = 0; i < 2 && !rc; i++)
		if (ids[i] && fv_store_load(s, ids[i], &st[i], err, sizeof err)) {
			fprintf(stderr, "fwvet: diff: %s %s: %s\n", roles[i], names[i], err);
			rc = -1;
		}
	fv_store_close(s);
	if (rc) {
		fv_stored_free(&st[0]);
		fv_stored_free(&st[1]);
	}
	return rc;
}

/*
 * A stored scan keeps no file bytes, so the ELF delta of a changed program
 * could not be made: each such file says only "content", and the output
 * says why once, instead of an error per file.  Returns how many.
 */
static size_t no_elf_delta(struct fv_diff *d)
{
	size_t n = 0;
	for (size_t i = 0; i < d->nchanged; i++)
		if (d->files_changed[i].elf_error) {
			free(d->files_changed[i].elf_error);
			d->files_changed[i].elf_error = NULL;
			n++;
		}
	return n;
}

/* What a stored side leaves out, said once (struct fv_diff.note); NULL when memory is short. */
static char *stored_note(const int64_t ids[2], size_t unread)
{
	char who[96], *note = NULL;
	if (ids[0] && ids[1])
		snprintf(who, sizeof who, "OLD and NEW are stored scans %lld and %lld, which keep", (long long)ids[0],
			 (long long)ids[1]);
	else
		snprintf(who, sizeof who, "%s is stored scan %lld, which keeps", ids[0] ? "OLD" : "NEW",
			 (long long)(ids[0] ? ids[0] : ids[1]));
	if (asprintf(&note, "%s no file bytes: %zu changed ELF program%s compared by content only, with no ELF"
		     " delta (imports, strings, functions)%s.", who, unread, unread == 1 ? "" : "s",
		     ids[1] ? ", and added programs are not read for socket server imports" : "") < 0)
		return NULL;
	return note;
}

int fv_cmd_diff(int argc, char **argv)
{
	enum { O_FORMAT = 256, O_RULES, O_FAIL, O_DEPTH, O_THREADS, O_VULNDB, O_DB };
	static const struct option opts[] = {
		{ "format", required_argument, NULL, O_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "rules", required_argument, NULL, O_RULES },
		{ "fail-on", required_argument, NULL, O_FAIL },
		{ "depth", required_argument, NULL, O_DEPTH },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "vulndb", required_argument, NULL, O_VULNDB },
		{ "db", required_argument, NULL, O_DB },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct fv_limits lim;
	fv_limits_default(&lim);
	struct fv_aopts ao = { 0 };
	const char *output = NULL, *vulndb = NULL, *db = NULL;
	int json = 0, verbose = 0, fail_on = -1, c;
	uint64_t v;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:vh", opts, NULL)) != -1) {
		switch (c) {
		case O_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				fprintf(stderr, "fwvet: diff: --format expects text or json, got '%s'\n", optarg);
				return FV_EXIT_USAGE;
			}
			json = !strcmp(optarg, "json");
			break;
		case 'o': output = optarg; break;
		case O_RULES: ao.user_rules = optarg; break;
		case O_VULNDB: vulndb = optarg; break;
		case O_DB: db = optarg; break;
		case O_FAIL:
			if (fv_cli_fail_on("diff", optarg, &fail_on))
				return FV_EXIT_USAGE;
			break;
		case O_DEPTH:
		case O_THREADS:
			if (fv_parse_size(optarg, &v) || v > 64 || (c == O_THREADS && v == 0)) {
				fprintf(stderr, "fwvet: diff: bad value '%s' for --%s (expected 0..64)\n", optarg,
					c == O_DEPTH ? "depth" : "threads");
				return FV_EXIT_USAGE;
			}
			if (c == O_DEPTH)
				lim.depth = (unsigned)v;
			else
				ao.threads = (unsigned)v;
			break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return FV_EXIT_OK;
		default: usage(stderr); return FV_EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "fwvet: diff needs two inputs, OLD and NEW; got %d\n", argc - optind);
		usage(stderr);
		return FV_EXIT_USAGE;
	}
	verbose |= fv_log_verbosity >= FV_LOG_INFO;
	const char *names[2] = { argv[optind], argv[optind + 1] };
	const char *roles[2] = { "OLD", "NEW" };
	int64_t ids[2] = { 0, 0 };
	int images = 0;
	for (int i = 0; i < 2; i++) {
		if (access(names[i], R_OK) == 0) {
			images++;
			continue;
		}
		/* No such file, and a number: a stored scan.  A file named "3" stays a file. */
		int e = errno;
		if (e == ENOENT && fv_parse_scan_id(names[i], &ids[i]) == 0)
			continue;
		fprintf(stderr, "fwvet: diff: cannot read %s %s: %s\n", roles[i], names[i], strerror(e));
		return FV_EXIT_USAGE;
	}

	char err[512];
	struct fv_stored st[2];
	memset(st, 0, sizeof st);
	if (images < 2 && load_stored(db, names, ids, st))
		return FV_EXIT_USAGE;
	/* Rules and vulnerability data serve the images only: two stored scans need neither. */
	struct fv_actx *a = NULL;
	if (images) {
		if (fv_input_analysis("diff", &ao, vulndb, &a)) {
			fv_stored_free(&st[0]);
			fv_stored_free(&st[1]);
			return FV_EXIT_USAGE;
		}
	}
	FILE *out = stdout;
	if (output && !(out = fopen(output, "w"))) {
		fprintf(stderr, "fwvet: diff: cannot write %s: %s\n", output, strerror(errno));
		fv_analysis_close(a);
		fv_stored_free(&st[0]);
		fv_stored_free(&st[1]);
		return FV_EXIT_USAGE;
	}
	struct fv_input_opts io = { .lim = &lim, .analysis = a };
	/* view[i]: what pairing and comparing read of side i, an image opened or a stored scan. */
	struct fv_input in[2], *view[2];
	int opened[2] = { 0, 0 }, ready = 1, status = FV_EXIT_OK;
	for (int i = 0; i < 2; i++) {
		view[i] = &in[i];
		if (ids[i]) {
			/* A shallow view of the stored scan: fv_stored_free frees it, not fv_input_close. */
			memset(&in[i], 0, sizeof in[i]);
			in[i].u = st[i].u;
			in[i].inv = st[i].inv;
			in[i].res = st[i].res;
			in[i].is_dir = !st[i].u.image_sha256[0];
			continue;
		}
		if (fv_input_open(names[i], &io, &in[i], err, sizeof err)) {
			fprintf(stderr, "fwvet: diff: %s %s: %s\n", roles[i], names[i], err);
			status = FV_EXIT_USAGE;
			ready = 0;
			break;
		}
		opened[i] = 1;
		if (in[i].status != FV_OK)
			status = FV_EXIT_USAGE;
	}
	struct fv_side s[2];
	int sides = 0;
	struct fv_diff d;
	memset(&d, 0, sizeof d);
	if (!ready)
		goto done;
	if (fv_input_pairable("diff", "OLD", names[0], view[0], "NEW", names[1], view[1])) {
		status = FV_EXIT_USAGE;
		goto done;
	}
	for (; sides < 2; sides++)
		if (fv_side_init(&s[sides], &view[sides]->u, &view[sides]->inv, &view[sides]->res) != FV_OK) {
			sides++;
			fprintf(stderr, "fwvet: diff: out of memory\n");
			status = FV_EXIT_USAGE;
			goto done;
		}
	if (fv_diff_compute(&s[0], &s[1], &d) != FV_OK) {
		fprintf(stderr, "fwvet: diff: out of memory\n");
		status = FV_EXIT_USAGE;
		goto done;
	}
	if (ids[0] || ids[1]) {
		d.stored[0] = ids[0], d.stored[1] = ids[1];
		d.elf_unread = no_elf_delta(&d);
		if (!(d.note = stored_note(ids, d.elf_unread))) {
			fprintf(stderr, "fwvet: diff: out of memory\n");
			status = FV_EXIT_USAGE;
			goto done;
		}
	}
	if (json) {
		struct fv_json j;
		fv_json_init(&j, out, 1);
		fv_diff_json(&j, &d);
		fputc('\n', out);
	} else {
		fv_diff_text(out, &d, out == stdout && isatty(STDOUT_FILENO), verbose);
	}
	if (status == FV_EXIT_OK && fail_on >= 0 && fv_diff_worst_new(&d) >= fail_on)
		status = FV_EXIT_FINDINGS;
done:
	if (out != stdout && fclose(out) != 0) {
		fprintf(stderr, "fwvet: diff: writing %s failed: %s\n", output, strerror(errno));
		status = FV_EXIT_USAGE;
	}
	fv_diff_free(&d);
	for (int i = 0; i < sides; i++)
		fv_side_free(&s[i]);
	for (int i = 0; i < 2; i++)
		if (opened[i])
			fv_input_close(&in[i]);
	fv_stored_free(&st[0]);
	fv_stored_free(&st[1]);
	fv_analysis_close(a);
	return status;
}
