/*
 * libFuzzer harness for the code layer: parse an ELF, read its slots, lift
 * every function with the architecture's lifter and run the flow analysis
 * (call sites, comparisons, reachability) with every callee a comparing,
 * command-running, network-reading function, so every path is taken.
 */
#include "analyze/elf/code.h"
#include "analyze/elf/flow.h"

#include <string.h>

static unsigned every_kind(void *ctx, const char *name)
{
	(void)ctx;
	return name[0] & 1 ? FV_K_COMPARE | FV_FX_NET | FV_K_SCANF1 : FV_FX_EXEC | FV_FX_AUTH | FV_K_SCANF0;
}

static unsigned every_string(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	return n && s[0] == '/' ? FV_FX_SHELL : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fv_elf e;
	if (fv_elf_parse(data, size, &e) != 0 || fv_elf_load_slots(&e) != 0) {
		fv_elf_free(&e);
		return 0;
	}
	struct fv_code *c = fv_code_open(&e);
	if (c) {
		struct fv_flow f;
		struct fv_flow_kinds k = { every_kind, every_string, NULL };
		memset(&f, 0, sizeof f);
		if (fv_flow_build(c, &k, &f) == 0) {
			size_t n = 0;
			for (size_t i = 0; i < f.ncounts; i++)
				n += strlen(f.counts[i].name);
			for (size_t i = 0; i < f.ncmps; i++)
				n += f.cmps[i].str[f.cmps[i].len - 1] != 0;
			(void)n;
			fv_flow_free(&f);
		}
		fv_code_close(c);
	}
	fv_elf_free(&e);
	return 0;
}
