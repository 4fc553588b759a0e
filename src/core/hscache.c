/* The compiled-database cache (hscache.h). */
#include "core/hscache.h"
#include "core/hash.h"
#include "core/map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The cache folder into dir (made if missing); 0, or -1 when there is none. */
static int cache_dir(char *dir, size_t cap)
{
	const char *env = getenv("FWVET_CACHE"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n;
	if (env && !strcmp(env, "off"))
		return -1;
	if (env && *env)
		n = snprintf(dir, cap, "%s", env);
	else if (xdg && *xdg)
		n = snprintf(dir, cap, "%s/fwvet", xdg);
	else if (home && *home)
		n = snprintf(dir, cap, "%s/.cache/fwvet", home);
	else
		return -1;
	if (n <= 0 || (size_t)n >= cap)
		return -1;
	/* The parent of an XDG folder may be missing too; one level is enough for ~/.cache. */
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		mkdir(dir, 0700);
		*slash = '/';
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

static void key_of(const char *const *expr, const unsigned *flags, const unsigned *ids, unsigned n,
		   char hex[FV_SHA256_HEX])
{
	struct fv_sha256 h;
	fv_sha256_init(&h);
	const char *v = hs_version();
	fv_sha256_update(&h, v, strlen(v) + 1);
	for (unsigned i = 0; i < n; i++) {
		unsigned w[2] = { flags ? flags[i] : 0, ids ? ids[i] : i };
		fv_sha256_update(&h, w, sizeof w);
		fv_sha256_update(&h, expr[i], strlen(expr[i]) + 1);
	}
	fv_sha256_final(&h, hex);
}

static void store(const char *path, const hs_database_t *db)
{
	char *bytes = NULL, tmp[4096 + 128];
	size_t len = 0;
	if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS)
		return;
	if (snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof tmp) {
		free(bytes);
		return;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		size_t off = 0;
		while (off < len) {
			ssize_t w = write(fd, bytes + off, len - off);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		if (close(fd) == 0 && off == len && rename(tmp, path) == 0)
			tmp[0] = 0;
		if (tmp[0])
			unlink(tmp);
	}
	free(bytes);
}

hs_error_t fv_hs_compile_cached(const char *const *expr, const unsigned *flags, const unsigned *ids,
				unsigned n, hs_database_t **db, hs_compile_error_t **cerr)
{
	char dir[3900], path[4096], hex[FV_SHA256_HEX];
	int cached = cache_dir(dir, sizeof dir) == 0;
	if (cached) {
		key_of(expr, flags, ids, n, hex);
		snprintf(path, sizeof path, "%s/hs-%s.db", dir, hex);
		struct fv_map m;
		if (fv_map_open(path, &m) == 0) {
			hs_error_t rc = m.size ? hs_deserialize_database((const char *)m.data, m.size, db)
					       : HS_INVALID;
			fv_map_close(&m);
			if (rc == HS_SUCCESS)
				return HS_SUCCESS;
			*db = NULL; /* damaged, or made for another CPU: compile again */
		}
	}
	hs_error_t rc = hs_compile_multi(expr, flags, ids, n, HS_MODE_BLOCK, NULL, db, cerr);
	if (rc == HS_SUCCESS && cached)
		store(path, *db);
	return rc;
}
