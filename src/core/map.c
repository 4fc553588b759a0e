#include "core/map.h"
#include "core/err.h"
#include "core/hash.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int fv_map_openat(int dirfd, const char *path, struct fv_map *m)
{
	m->data = NULL;
	m->size = 0;
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return FV_EIO;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return FV_EIO;
	}
	if (st.st_size > 0) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			close(fd);
			return FV_EIO;
		}
		/* Signature scanning reads front to back. */
		madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
		m->data = p;
		m->size = (size_t)st.st_size;
	}
	close(fd);
	return FV_OK;
}

int fv_map_open(const char *path, struct fv_map *m)
{
	return fv_map_openat(AT_FDCWD, path, m);
}

void fv_map_close(struct fv_map *m)
{
	if (m->data)
		munmap((void *)m->data, m->size);
	m->data = NULL;
	m->size = 0;
}

void fv_map_drop(const void *p, size_t len)
{
	uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
	uintptr_t b = ((uintptr_t)p + len) & ~(uintptr_t)4095;
	if (b > a)
		madvise((void *)a, b - a, MADV_DONTNEED);
}

void fv_map_prefetch(const void *p, size_t len)
{
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14; older kernels answer EINVAL */
#endif
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)4095;
	uintptr_t b = ((uintptr_t)p + len + 4095) & ~(uintptr_t)4095;
	if (b > a)
		madvise((void *)a, b - a, MADV_POPULATE_READ);
}

void fv_map_sha256(const struct fv_map *m, char hex[65])
{
	const size_t step = (size_t)16 << 20;
	struct fv_sha256 h;
	fv_sha256_init(&h);
	for (size_t off = 0; off < m->size; off += step) {
		size_t n = m->size - off < step ? m->size - off : step;
		fv_map_prefetch(m->data + off, n);
		fv_sha256_update(&h, m->data + off, n);
		fv_map_drop(m->data + off, n);
	}
	fv_sha256_final(&h, hex);
}
