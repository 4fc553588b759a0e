/*
 * libFuzzer harness for one format reader, chosen at compile time with
 * -DFV_FUZZ_FORMAT="gzip".  Each input goes to the probe at offset 0; when
 * the probe accepts, the extractor runs on the chunk it sized, writing
 * through the real sink into a scratch folder that is emptied every time.
 */
#include "core/err.h"
#include "unpack/engine.h"
#include "unpack/sink.h"
#include "unpack/xctx.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct fv_format *fmt;
static char root[64];

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	if (ftw->level > 0)
		remove(p);
	return 0;
}

static void cleanup(void)
{
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	rmdir(root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fmt = fv_format_find(FV_FUZZ_FORMAT);
	if (!fmt) {
		fprintf(stderr, "no format %s\n", FV_FUZZ_FORMAT);
		abort();
	}
	snprintf(root, sizeof root, "/tmp/fv-fuzz-%s-XXXXXX", FV_FUZZ_FORMAT);
	if (!mkdtemp(root))
		abort();
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fv_probe pr;
	memset(&pr, 0, sizeof pr);
	if (fmt->probe(data, size, &pr) != FV_OK)
		return 0;
	if (pr.size == 0 || pr.size > size)
		abort(); /* a probe claimed bytes that are not there */
	if (!fmt->extract)
		return 0;
	struct fv_unpack u;
	struct fv_run run;
	memset(&u, 0, sizeof u);
	memset(&run, 0, sizeof run);
	fv_limits_default(&run.lim);
	run.lim.total_bytes = 64u << 20;
	run.lim.files = 10000;
	run.u = &u;
	run.rootfd = open(root, O_RDONLY | O_DIRECTORY);
	int fd;
	if (run.rootfd >= 0 && fv_sink_mkfolder(&run, "chunk", &fd) == FV_OK) {
		struct fv_xctx x;
		fv_xctx_init(&x, &run, fd, "fuzz!0x0.chunk", "chunk", "fuzz.bin", pr.size, 1);
		fmt->extract(&x, data, (size_t)pr.size);
		fv_xctx_fini(&x);
		close(fd);
	}
	fv_sink_finish(&run);
	if (run.rootfd >= 0)
		close(run.rootfd);
	fv_unpack_free(&u);
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
