/* The subcommands of the fwvet program, each in its own file. */
#ifndef FV_CLI_CLI_H
#define FV_CLI_CLI_H

#include <stdint.h>

/* Exit statuses of the design guide. */
enum { FV_EXIT_OK = 0, FV_EXIT_FINDINGS = 1, FV_EXIT_USAGE = 2 };

int fv_cmd_identify(int argc, char **argv);
int fv_cmd_extract(int argc, char **argv);
int fv_cmd_formats(int argc, char **argv);
int fv_cmd_scan(int argc, char **argv);

/* Parses a size with an optional K/M/G suffix; 0 on success. */
int fv_parse_size(const char *s, uint64_t *out);
/* Writes the "image" object of the JSON outputs. */
struct fv_json;
void fv_json_image(struct fv_json *j, const char *path, const char *sha256, uint64_t size);

#endif
