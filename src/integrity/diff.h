/*
 * What an update changed: the files of two images paired by key (pair.h),
 * and the delta of what the analyzers recorded in each (accounts, services
 * started at boot, endpoints, components, findings).
 *
 * Computing the delta and rendering it are apart, so that a test can build
 * two sides by hand and a later store can diff two stored scans.  Records
 * are matched by keys that do not depend on where chunks lie: a file by its
 * pair key, an account by (file key, name), a service by (file key,
 * program), an endpoint by (kind, value), a component by name, a finding by
 * (rule, file key, evidence).
 */
#ifndef FV_INTEGRITY_DIFF_H
#define FV_INTEGRITY_DIFF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "integrity/elfcmp.h"

struct fv_side;
struct fv_json;
struct fv_finding;

/* What differs between two files of one key. */
enum fv_dfile_change {
	FV_DF_CONTENT = 1u << 0, /* regular files of different SHA-256 */
	FV_DF_MODE = 1u << 1,    /* permission, setuid, setgid or sticky bits */
	FV_DF_OWNER = 1u << 2,   /* uid or gid */
	FV_DF_LINK = 1u << 3,    /* symlink target */
	FV_DF_TYPE = 1u << 4,    /* a file became a folder, a link, a device... */
	FV_DF_DEVICE = 1u << 5,  /* device numbers */
	FV_DF_NAME = 1u << 6,    /* the sole file of a container on each side, under another name */
};

/* What differs between two accounts of one name in one file. */
enum fv_dacct_change {
	FV_DA_UID = 1u << 0,
	FV_DA_GID = 1u << 1,
	FV_DA_HOME = 1u << 2,
	FV_DA_SHELL = 1u << 3,
	FV_DA_HASH_TYPE = 1u << 4,
	FV_DA_PASSWORD = 1u << 5, /* the recovered or clear password */
	FV_DA_HASH = 1u << 6,     /* the stored password field (fv_account.hash) */
};

/* What differs between two services of one program started from one file. */
enum fv_dsvc_change {
	FV_DS_ARGS = 1u << 0,
	FV_DS_HOW = 1u << 1,
};

/*
 * One item of a delta: indexes into the old (a) and new (b) side's list,
 * SIZE_MAX for the side that lacks it.  For components, na and nb count the
 * versions from a and b (the results list them sorted by name, then
 * version).  For findings, an index below res->findings.n is an analyzer
 * finding, the rest index u->findings, and change holds the severity (the
 * lists are sorted worst first).  A file renamed is a removed and an added
 * regular file of one content; an account changed is one name in one file.
 */
struct fv_drec {
	size_t a, b;
	unsigned change;
	size_t na, nb;
	/*
	 * An added service: no old service started its program.  An added
	 * file: an ELF program importing bind, listen or accept.  A cheap
	 * signal of a new listener, named as such in the output.
	 */
	int listens;
};

struct fv_dlist {
	struct fv_drec *v;
	size_t n, cap;
};

/* A file of one key in both images that differs. */
struct fv_dfile {
	size_t a, b;               /* indexes into each side's inv->files */
	unsigned change;           /* FV_DF_* */
	struct fv_elf_delta *elf;  /* both regular ELF files of different content, or NULL */
	char *elf_error;           /* why the delta could not be made, or NULL */
	int listens;               /* the delta adds a socket server import (bind, listen, accept) */
};

struct fv_diff {
	const struct fv_side *old, *new;
	/* Files: a and b index inv->files; added/removed hold folders too. */
	struct fv_dlist files_added, files_removed, files_renamed;
	struct fv_dfile *files_changed;
	size_t nchanged, capchanged;
	struct fv_dlist accounts_added, accounts_removed, accounts_changed;
	struct fv_dlist services_added, services_removed, services_changed;
	struct fv_dlist endpoints_added, endpoints_removed;
	struct fv_dlist components_added, components_removed, components_changed;
	struct fv_dlist findings_new, findings_resolved;
	int analysed; /* both sides carry analysis results */
	/*
	 * Set by the caller when a side is a stored scan (its id; 0 for an image
	 * or folder): its file bytes were not there, so elf_unread changed
	 * programs were compared by content only.  The output says so once, with
	 * note (malloc'd, freed by fv_diff_free).
	 */
	int64_t stored[2];
	size_t elf_unread;
	char *note;
};

/*
 * Compares the two sides (each made by fv_side_init) into d, which the
 * caller zeroes.  Changed ELF programs are mapped and compared with
 * fv_elfcmp_delta.  0 or FV_ENOMEM.
 */
int fv_diff_compute(const struct fv_side *old, const struct fv_side *new, struct fv_diff *d);
/* Only the analysis records (no file is read): accounts, services, endpoints, components, findings. */
int fv_diff_records(const struct fv_side *old, const struct fv_side *new, struct fv_diff *d);
void fv_diff_free(struct fv_diff *d);

/* The finding i of a side's combined list (analyzer findings, then extraction findings). */
const struct fv_finding *fv_diff_finding(const struct fv_side *s, size_t i);
/* The worst severity among the new findings, or -1 when there are none. */
int fv_diff_worst_new(const struct fv_diff *d);

/* The diff report of the design guide, as one JSON object. */
void fv_diff_json(struct fv_json *j, const struct fv_diff *d);
/* For a person: counts, the security delta, then files; verbose lists folders and unchanged-ish detail. */
void fv_diff_text(FILE *f, const struct fv_diff *d, int color, int verbose);

#endif
