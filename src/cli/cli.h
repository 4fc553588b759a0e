/* The subcommands of the fwvet program, each in its own file. */
#ifndef FV_CLI_CLI_H
#define FV_CLI_CLI_H

#include "cli/render.h"

#include <stdint.h>
#include <stdio.h>

/* Exit statuses of the design guide. */
enum { FV_EXIT_OK = 0, FV_EXIT_FINDINGS = 1, FV_EXIT_USAGE = 2 };

int fv_cmd_identify(int argc, char **argv);
int fv_cmd_extract(int argc, char **argv);
int fv_cmd_formats(int argc, char **argv);
int fv_cmd_scan(int argc, char **argv);
int fv_cmd_sbom(int argc, char **argv);
int fv_cmd_equiv(int argc, char **argv);
int fv_cmd_diff(int argc, char **argv);


/* What fwvet scan and fwvet sbom differ in; both run the scan pipeline. */
struct fv_scan_cmd {
	const char *name;             /* "sbom": for messages */
	unsigned formats;             /* 1u << enum fv_out, for each format --format accepts */
	enum fv_out format;           /* without --format */
	int findings;                 /* accepts --fail-on */
	int store;                    /* records each scan in the store (--db, --no-store) */
	const char *const *analyzers; /* the analyzers it runs, by name, NULL-terminated; NULL: all */
	void (*usage)(FILE *f);
};
/* Parses cmd's options (those of scan) and scans each IMAGE; returns the exit status. */
int fv_scan_main(const struct fv_scan_cmd *cmd, int argc, char **argv);
int fv_cmd_vulndb(int argc, char **argv);
int fv_cmd_db(int argc, char **argv);
int fv_cmd_submit(int argc, char **argv);
int fv_cmd_worker(int argc, char **argv);
int fv_cmd_db_status(int argc, char **argv); /* fwvet db status (cmd_queue.c), argv[0] "status" */
int fv_cmd_monitor(int argc, char **argv);
int fv_cmd_report(int argc, char **argv);
int fv_cmd_keygen(int argc, char **argv);
int fv_cmd_verify(int argc, char **argv);

/*
 * Opens the store a command reads: spec, else the default (fv_store_default_path);
 * a store file that does not exist is not made.  0, or FV_EXIT_USAGE after a
 * message naming cmd.
 */
struct fv_store;
int fv_cli_store_read(const char *cmd, const char *spec, struct fv_store **out);
/* A scan id as db list shows it: 0, or FV_EXIT_USAGE after a message naming cmd. */
int fv_cli_scan_id(const char *cmd, const char *arg, int64_t *id);

/* --fail-on's SEV into *out: 0, or FV_EXIT_USAGE after a message naming cmd. */
int fv_cli_fail_on(const char *cmd, const char *arg, int *out);
/* A scan id as db list shows it (a positive decimal number): 0, or -1 when s is none. */
int fv_parse_scan_id(const char *s, int64_t *out);
/* Parses a size with an optional K/M/G suffix; 0 on success. */
int fv_parse_size(const char *s, uint64_t *out);
/* Writes the "image" object of the JSON outputs. */
struct fv_json;
void fv_json_image(struct fv_json *j, const char *path, const char *sha256, uint64_t size);

#endif
