/*
 * hardendump [--rules DIR] FILE...: what fv_harden() says of each ELF file,
 * one JSON object a line, in checksec's words where checksec has a field
 * (so a test can compare the two field by field):
 *
 *   {"file":F,"relro":"no|partial|full","canary":"yes|no","nx":"yes|no",
 *    "pie":"yes|no|dso|rel","rpath":"yes|no","runpath":"yes|no",
 *    "symbols":"yes|no","fortify_source":"yes|no","fortified":N,
 *    "fortify-able":N, ...and fwvet's own: "nx_default","static","interp",
 *    "fortify_known","unfortified","build_id","props"}
 *
 * The fortify list is DIR/hardening/fortify.txt (default: $FWVET_RULES,
 * else the source tree's rules/).  A file that is not ELF gets
 * {"file":F,"error":...}; the exit status is then 1.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze/elf/harden.h"
#include "core/json.h"

static const char *yn(int v) { return v ? "yes" : "no"; }

static int dump(const char *path, const struct fv_fortify *f, struct fv_json *j)
{
	fv_json_obj_begin(j);
	fv_json_kstr(j, "file", path);
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) {
		fv_json_kstr(j, "error", "cannot open, or empty");
		fv_json_obj_end(j);
		if (fd >= 0)
			close(fd);
		return 1;
	}
	void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		fv_json_kstr(j, "error", "mmap failed");
		fv_json_obj_end(j);
		return 1;
	}
	struct fv_elf e;
	int rc = 0;
	if (fv_elf_parse(m, (size_t)st.st_size, &e) != 0) {
		fv_json_kstr(j, "error", e.error);
		rc = 1;
	} else {
		struct fv_hardening h;
		fv_harden(&e, f, &h);
		/* checksec says "no" where fwvet says "none". */
		fv_json_kstr(j, "relro", h.relro == FV_RELRO_NONE ? "no" : fv_harden_relro_name(h.relro));
		fv_json_kstr(j, "canary", yn(h.canary));
		fv_json_kstr(j, "nx", yn(h.nx));
		fv_json_kstr(j, "pie", fv_harden_pie_name(h.pie));
		fv_json_kstr(j, "rpath", yn(h.rpath != NULL));
		fv_json_kstr(j, "runpath", yn(h.runpath != NULL));
		fv_json_kstr(j, "symbols", yn(!h.stripped));
		fv_json_kstr(j, "fortify_source", yn(h.fortify));
		fv_json_kuint(j, "fortified", h.fortified);
		fv_json_kuint(j, "fortify-able", (uint64_t)h.fortified + h.unfortified);
		fv_json_kuint(j, "unfortified", h.unfortified);
		fv_json_kbool(j, "fortify_known", h.fortify_known);
		fv_json_kbool(j, "nx_default", h.nx_default);
		fv_json_kbool(j, "static", h.is_static);
		fv_json_kstr(j, "interp", h.interp);
		fv_json_kstr(j, "rpath_value", h.rpath);
		fv_json_kstr(j, "runpath_value", h.runpath);
		fv_json_kstr(j, "machine", fv_elf_machine(&e));
		char id[2 * FV_ELF_BUILD_ID_MAX + 1];
		fv_json_kstr(j, "build_id", fv_elf_build_id(&e, id) ? id : NULL);
		fv_json_key(j, "props");
		fv_json_arr_begin(j);
		static const char *const props[] = { "ibt", "shstk", "bti", "pac" };
		for (unsigned b = 0; b < 4; b++)
			if (h.props & (1u << b))
				fv_json_str(j, props[b]);
		fv_json_arr_end(j);
	}
	fv_json_obj_end(j);
	fv_elf_free(&e);
	munmap(m, (size_t)st.st_size);
	return rc;
}

int main(int argc, char **argv)
{
	const char *rules = getenv("FWVET_RULES");
	int i = 1;
	if (argc > 2 && strcmp(argv[1], "--rules") == 0) {
		rules = argv[2];
		i = 3;
	}
	if (!rules)
		rules = FV_SOURCE_RULES;
	if (i >= argc) {
		fprintf(stderr, "usage: hardendump [--rules DIR] FILE...\n");
		return 2;
	}
	struct fv_fortify f;
	char err[512];
	if (fv_fortify_load(&f, rules, err, sizeof err) != 0) {
		fprintf(stderr, "hardendump: %s\n", err);
		return 2;
	}
	int rc = 0;
	for (; i < argc; i++) {
		struct fv_json j;
		fv_json_init(&j, stdout, 0);
		rc |= dump(argv[i], &f, &j);
		putchar('\n');
	}
	fv_fortify_free(&f);
	return rc;
}
