/*
 * Archive probes and the libarchive glue: archives written at test time by
 * libarchive's own writers (tar, cpio, zip, 7z, ISO 9660, ar) and a
 * hand-built ARJ, sized exactly (garbage follows each), rejected when
 * damaged at the start, flagged when cut, and extracted through a real sink.
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/err.h"
#include "testlib.h"

#define CAP (8u << 20)
#define GARBAGE 1000

static char tmp[256];

/* ---- building archives ---------------------------------------------------- */

struct mem {
	uint8_t *p;
	size_t n;
};

enum kinds { K_DIRS = 1, K_LINKS = 2, K_HARD = 4 };

static uint8_t big[70000];

static void add(struct archive *a, const char *name, unsigned mode, const void *data, size_t n,
		const char *link, const char *hard)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_mode(e, mode);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_mtime(e, 1700000000, 0);
	archive_entry_set_size(e, (la_int64_t)n);
	if (link)
		archive_entry_set_symlink(e, link);
	if (hard)
		archive_entry_set_hardlink(e, hard);
	assert_true(archive_write_header(a, e) >= ARCHIVE_WARN);
	if (n)
		assert_int_equal(archive_write_data(a, data, n), (la_ssize_t)n);
	archive_entry_free(e);
}

/*
 * A small tree: set(a) picks the format.  pad: keep libarchive's padding of
 * the last block (tar's record), else none.  Garbage follows the archive.
 */
static struct mem build(int (*set)(struct archive *), const char *opts, unsigned kinds, int pad)
{
	struct archive *a = archive_write_new();
	assert_int_equal(set(a), ARCHIVE_OK);
	if (opts)
		assert_int_equal(archive_write_set_options(a, opts), ARCHIVE_OK);
	if (!pad)
		archive_write_set_bytes_in_last_block(a, 1);
	struct mem m = { malloc(CAP + GARBAGE), 0 };
	assert_int_equal(archive_write_open_memory(a, m.p, CAP, &m.n), ARCHIVE_OK);
	static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n";
	static const char bb[] = "BusyBox v1.36.1 multi-call binary\n";
	if (kinds & K_DIRS)
		add(a, "etc", AE_IFDIR | 0755, NULL, 0, NULL, NULL);
	add(a, kinds & K_DIRS ? "etc/passwd" : "passwd", AE_IFREG | 0644, passwd, sizeof passwd - 1,
	    NULL, NULL);
	add(a, kinds & K_DIRS ? "usr/lib/big.bin" : "big.bin", AE_IFREG | 0644, big, sizeof big,
	    NULL, NULL);
	add(a, kinds & K_DIRS ? "bin/busybox" : "busybox", AE_IFREG | 0755, bb, sizeof bb - 1, NULL,
	    NULL);
	if (kinds & K_LINKS)
		add(a, "bin/sh", AE_IFLNK | 0777, NULL, 0, "busybox", NULL);
	if (kinds & K_HARD)
		add(a, "bin/ash", AE_IFREG | 0755, NULL, 0, NULL, "bin/busybox");
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	memset(m.p + m.n, 0xa5, GARBAGE);
	return m;
}

/* Exact size with garbage after; cut in the middle it is flagged truncated. */
static void check_sized(const char *fmt, struct mem m)
{
	const struct fv_format *f = fv_format_find(fmt);
	assert_non_null(f);
	struct fv_probe o;
	assert_int_equal(fv_test_probe(f, m.p, m.n + GARBAGE, &o), 0);
	if (o.size != m.n)
		fail_msg("%s: size %llu, archive is %zu bytes (%s)", fmt, (unsigned long long)o.size, m.n,
			 o.desc);
	assert_int_equal(o.truncated, 0);
	assert_int_equal(o.conf, FV_CONF_HIGH);
	/* exactly the archive: same answer */
	assert_int_equal(fv_test_probe(f, m.p, m.n, &o), 0);
	assert_int_equal(o.size, m.n);
	/* cut in the middle of the big member */
	size_t cut = m.n / 2;
	if (fv_test_probe(f, m.p, cut, &o) == 0) {
		assert_int_equal(o.truncated, 1);
		assert_int_equal(o.size, cut);
	} else if (strcmp(fmt, "iso9660") != 0) {
		fail_msg("%s: a cut archive should still be accepted as truncated", fmt);
	}
}

static void garbage_rejected(const char *fmt)
{
	const struct fv_format *f = fv_format_find(fmt);
	uint8_t *g = malloc(1 << 16);
	uint32_t s = 12345;
	for (size_t i = 0; i < 1 << 16; i++) {
		s = s * 1103515245 + 12345;
		g[i] = (uint8_t)(s >> 16);
	}
	struct fv_probe o;
	/* plant each magic where it belongs: the probe must still say no */
	for (const struct fv_magic *m = f->magics; m->re; m++) {
		uint8_t *h = g + m->off;
		if (!strcmp(fmt, "tar"))
			memcpy(h, "ustar\0" "00", 8);
		else if (!strcmp(fmt, "zip"))
			memcpy(h, "PK\x03\x04\x14\x00", 6);
		else if (!strcmp(fmt, "7z"))
			memcpy(h, "7z\xbc\xaf\x27\x1c\x00\x04", 8);
		else if (!strcmp(fmt, "cpio"))
			memcpy(h, "070701", 6);
		else if (!strcmp(fmt, "iso9660"))
			memcpy(h, "\x01" "CD001\x01", 7);
		else if (!strcmp(fmt, "arj"))
			memcpy(h, "\x60\xea\x40\x00\x22\x0b\x01\x02\x10\x00\x02", 11);
		if (!strcmp(fmt, "ar"))
			continue; /* its magic alone is an empty archive */
		assert_int_not_equal(fv_test_probe(f, g, 1 << 16, &o), 0);
	}
	free(g);
}

/* ---- a sink to extract into ------------------------------------------------ */

/* Big enough a chunk that big.bin stays within the decompression ratio. */
static struct fv_test_env *env_new(const char *folder)
{
	return fv_test_env_new(tmp, folder, 100000);
}

enum { T_LINKS = 1, T_MODES = 2 };

static void assert_tree(struct fv_test_env *e, const char *folder, int what)
{
	char p[200];
	snprintf(p, sizeof p, "%s/etc/passwd", folder);
	fv_test_assert_member(e, p, "root:x:0:0:root:/root:/bin/sh\n", 30);
	snprintf(p, sizeof p, "%s/usr/lib/big.bin", folder);
	fv_test_assert_member(e, p, big, sizeof big);
	if (what & T_LINKS) {
		const struct fv_xfile *r = fv_test_record(e, "!/bin/sh");
		assert_int_equal(r->type, FV_FT_SYMLINK);
		assert_string_equal(r->link, "busybox");
	}
	if (what & T_MODES)
		assert_int_equal(fv_test_record(e, "!/bin/busybox")->mode & 07777, 0755);
}

/* ---- tar -------------------------------------------------------------------- */

static void tar_sizes(void **state)
{
	(void)state;
	int (*fmts[])(struct archive *) = { archive_write_set_format_ustar,
					     archive_write_set_format_gnutar,
					     archive_write_set_format_pax };
	for (int i = 0; i < 3; i++)
		for (int pad = 0; pad < 2; pad++) {
			struct mem m = build(fmts[i], NULL, K_DIRS | K_LINKS | K_HARD, pad);
			check_sized("tar", m);
			free(m.p);
		}
	garbage_rejected("tar");
}

static void tar_damage(void **state)
{
	(void)state;
	const struct fv_format *f = fv_format_find("tar");
	struct mem m = build(archive_write_set_format_ustar, NULL, K_DIRS, 0);
	struct fv_probe o;
	/* a bad checksum in the first header: not a tar */
	m.p[0] ^= 1;
	assert_int_not_equal(fv_test_probe(f, m.p, m.n + GARBAGE, &o), 0);
	m.p[0] ^= 1;
	/* a bad checksum in the second: the archive ends before it, unfinished */
	m.p[512 + 1] ^= 1;
	assert_int_equal(fv_test_probe(f, m.p, m.n + GARBAGE, &o), 0);
	assert_int_equal(o.size, 512);
	assert_int_equal(o.conf, FV_CONF_MEDIUM);
	assert_int_equal(o.truncated, 0);
	m.p[512 + 1] ^= 1;
	free(m.p);
}

static void tar_extracts_and_flags_truncation(void **state)
{
	(void)state;
	const struct fv_format *f = fv_format_find("tar");
	struct mem m = build(archive_write_set_format_pax, NULL, K_DIRS | K_LINKS | K_HARD, 0);
	struct fv_test_env *e = env_new("0x0.tar");
	assert_int_equal(f->extract(&e->x, m.p, m.n), 0);
	assert_tree(e, "0x0.tar", T_LINKS | T_MODES);
	/* the hard link is a copy */
	fv_test_assert_member(e, "0x0.tar/bin/ash", "BusyBox v1.36.1 multi-call binary\n", 34);
	fv_test_env_free(e);

	/* cut inside big.bin: passwd is kept, an error names the member */
	e = env_new("0x0.tar");
	size_t cut = 4 * 512 + 30000;
	int rc = f->extract(&e->x, m.p, cut);
	assert_true(rc < 0);
	fv_test_assert_member(e, "0x0.tar/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 30);
	assert_non_null(strstr(e->x.err, "big.bin"));
	fv_test_env_free(e);
	free(m.p);
}

/* ---- cpio -------------------------------------------------------------------- */

static void cpio_sizes(void **state)
{
	(void)state;
	int (*fmts[])(struct archive *) = { archive_write_set_format_cpio_newc,
					     archive_write_set_format_cpio_odc,
					     archive_write_set_format_cpio_bin };
	for (int i = 0; i < 3; i++) {
		struct mem m = build(fmts[i], NULL, K_DIRS | K_LINKS, 0);
		check_sized("cpio", m);
		/* the first header damaged: not a cpio archive */
		const struct fv_format *f = fv_format_find("cpio");
		struct fv_probe o;
		m.p[1] ^= 0x40;
		assert_int_not_equal(fv_test_probe(f, m.p, m.n + GARBAGE, &o), 0);
		m.p[1] ^= 0x40;
		struct fv_test_env *e = env_new("0x0.cpio");
		assert_int_equal(f->extract(&e->x, m.p, m.n), 0);
		assert_tree(e, "0x0.cpio", T_LINKS | T_MODES);
		fv_test_env_free(e);
		free(m.p);
	}
	garbage_rejected("cpio");
}

/* newc keeps a hard-linked file's data with its last link only. */
static void cpio_newc_hardlinks(void **state)
{
	(void)state;
	struct archive *a = archive_write_new();
	archive_write_set_format_cpio_newc(a);
	archive_write_set_bytes_in_last_block(a, 1);
	struct mem m = { malloc(CAP), 0 };
	assert_int_equal(archive_write_open_memory(a, m.p, CAP, &m.n), ARCHIVE_OK);
	static const char d[] = "shared data\n";
	const char *names[] = { "a", "b", "c" };
	for (int i = 0; i < 3; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, names[i]);
		archive_entry_set_mode(e, AE_IFREG | 0640);
		archive_entry_set_ino(e, 77);
		archive_entry_set_dev(e, 1);
		archive_entry_set_nlink(e, 3);
		archive_entry_set_size(e, i == 2 ? sizeof d - 1 : 0);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (i == 2)
			archive_write_data(a, d, sizeof d - 1);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	struct fv_test_env *e = env_new("0x0.cpio");
	assert_int_equal(fv_format_find("cpio")->extract(&e->x, m.p, m.n), 0);
	fv_test_assert_member(e, "0x0.cpio/a", d, sizeof d - 1);
	fv_test_assert_member(e, "0x0.cpio/b", d, sizeof d - 1);
	fv_test_assert_member(e, "0x0.cpio/c", d, sizeof d - 1);
	fv_test_env_free(e);
	free(m.p);
}

/* ---- zip -------------------------------------------------------------------- */

static size_t find(const struct mem *m, const char *sig, size_t from)
{
	for (size_t i = from; i + 4 <= m->n; i++)
		if (memcmp(m->p + i, sig, 4) == 0)
			return i;
	fail_msg("signature not found");
	return 0;
}

static void zip_sizes(void **state)
{
	(void)state;
	const char *opts[] = { NULL, "zip:compression=store" };
	const struct fv_format *f = fv_format_find("zip");
	for (int i = 0; i < 2; i++) {
		struct mem m = build(archive_write_set_format_zip, opts[i], K_DIRS | K_LINKS, 0);
		check_sized("zip", m);
		struct fv_probe o;
		/* a member's local header is inside this archive, not an archive */
		size_t second = find(&m, "PK\x03\x04", 1);
		assert_int_not_equal(fv_test_probe(f, m.p + second, m.n + GARBAGE - second, &o), 0);
		/* no end of central directory: what the local headers hold, truncated */
		size_t cd = find(&m, "PK\x01\x02", 0);
		assert_int_equal(fv_test_probe(f, m.p, cd + 10, &o), 0);
		assert_int_equal(o.truncated, 1);
		assert_int_equal(o.conf, FV_CONF_MEDIUM);
		struct fv_test_env *e = env_new("0x0.zip");
		assert_int_equal(f->extract(&e->x, m.p, m.n), 0);
		assert_tree(e, "0x0.zip", T_LINKS | T_MODES);
		fv_test_env_free(e);
		/* the same archive cut before its central directory: partial */
		e = env_new("0x0.zip");
		assert_true(f->extract(&e->x, m.p, cd + 10) < 0);
		/* (a symlink's type and modes are only in the central directory) */
		assert_tree(e, "0x0.zip", 0);
		assert_non_null(strstr(e->x.err, "end of central directory"));
		fv_test_env_free(e);
		free(m.p);
	}
	garbage_rejected("zip");
}

/* A name stored as UTF-8 comes out as UTF-8, whatever the process locale. */
static void zip_utf8_names(void **state)
{
	(void)state;
	struct archive *a = archive_write_new();
	archive_write_set_format_zip(a);
	assert_int_equal(archive_write_set_options(a, "zip:hdrcharset=UTF-8"), ARCHIVE_OK);
	struct mem m = { malloc(CAP), 0 };
	assert_int_equal(archive_write_open_memory(a, m.p, CAP, &m.n), ARCHIVE_OK);
	struct archive_entry *e = archive_entry_new();
	archive_entry_update_pathname_utf8(e, "\xe6\x97\xa5\xe6\x9c\xac.txt");
	archive_entry_set_mode(e, AE_IFREG | 0644);
	archive_entry_set_size(e, 3);
	assert_true(archive_write_header(a, e) >= ARCHIVE_WARN);
	archive_write_data(a, "hi\n", 3);
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
	assert_non_null(memmem(m.p, m.n, "\xe6\x97\xa5\xe6\x9c\xac.txt", 10));
	struct fv_test_env *x = env_new("0x0.zip");
	assert_int_equal(fv_format_find("zip")->extract(&x->x, m.p, m.n), 0);
	fv_test_assert_member(x, "0x0.zip/\xe6\x97\xa5\xe6\x9c\xac.txt", "hi\n", 3);
	fv_test_env_free(x);
	free(m.p);
}

/* ---- 7z, ISO 9660, ar ---------------------------------------------------------- */

static void sevenzip_sizes(void **state)
{
	(void)state;
	const struct fv_format *f = fv_format_find("7z");
	struct mem m = build(archive_write_set_format_7zip, NULL, K_DIRS | K_LINKS, 0);
	check_sized("7z", m);
	struct fv_probe o;
	m.p[14] ^= 1; /* next header offset, under the start header CRC */
	assert_int_equal(fv_test_probe(f, m.p, m.n, &o), FV_ECRC);
	m.p[14] ^= 1;
	struct fv_test_env *e = env_new("0x0.7z");
	assert_int_equal(f->extract(&e->x, m.p, m.n), 0);
	assert_tree(e, "0x0.7z", T_MODES);
	fv_test_env_free(e);
	free(m.p);
	garbage_rejected("7z");
}

static void iso_sizes(void **state)
{
	(void)state;
	const struct fv_format *f = fv_format_find("iso9660");
	struct mem m = build(archive_write_set_format_iso9660, "iso9660:volume-id=FWVETTEST",
			     K_DIRS | K_LINKS, 0);
	check_sized("iso9660", m);
	struct fv_probe o;
	assert_int_equal(fv_test_probe(f, m.p, m.n, &o), 0);
	assert_non_null(strstr(o.desc, "FWVETTEST"));
	assert_non_null(strstr(o.desc, "Rock Ridge"));
	/* the two byte orders of the volume size disagree: not ISO 9660 */
	m.p[0x8000 + 80] ^= 1;
	assert_int_not_equal(fv_test_probe(f, m.p, m.n, &o), 0);
	m.p[0x8000 + 80] ^= 1;
	/* cut: flagged */
	assert_int_equal(fv_test_probe(f, m.p, m.n - 4096, &o), 0);
	assert_int_equal(o.truncated, 1);
	struct fv_test_env *e = env_new("0x0.iso9660");
	assert_int_equal(f->extract(&e->x, m.p, m.n), 0);
	/* (Rock Ridge as libarchive writes it by default keeps no modes) */
	assert_tree(e, "0x0.iso9660", T_LINKS);
	fv_test_env_free(e);
	free(m.p);
	garbage_rejected("iso9660");
}

static void ar_sizes(void **state)
{
	(void)state;
	const struct fv_format *f = fv_format_find("ar");
	int (*fmts[])(struct archive *) = { archive_write_set_format_ar_svr4,
					     archive_write_set_format_ar_bsd };
	for (int i = 0; i < 2; i++) {
		struct mem m = build(fmts[i], NULL, 0, 0);
		check_sized("ar", m);
		struct fv_test_env *e = env_new("0x0.ar");
		assert_int_equal(f->extract(&e->x, m.p, m.n), 0);
		fv_test_assert_member(e, "0x0.ar/passwd", "root:x:0:0:root:/root:/bin/sh\n", 30);
		fv_test_assert_member(e, "0x0.ar/big.bin", big, sizeof big);
		fv_test_env_free(e);
		free(m.p);
	}
	/* the magic and nothing else is an empty archive, of low confidence */
	struct fv_probe o;
	assert_int_equal(fv_test_probe(f, (const uint8_t *)"!<arch>\n\x01\x02\x03", 11, &o), 0);
	assert_int_equal(o.size, 8);
	assert_int_equal(o.conf, FV_CONF_LOW);
}

/* ---- ARJ ----------------------------------------------------------------------- */

static size_t arj_header(uint8_t *o, uint8_t type, const char *name, uint32_t csize,
			 uint32_t usize, uint32_t crc)
{
	uint8_t *b = o + 4;
	size_t first = 30, nlen = strlen(name) + 1;
	memset(b, 0, first);
	b[0] = (uint8_t)first;
	b[1] = 11;     /* archiver version */
	b[2] = 1;      /* needed to extract */
	b[3] = 2;      /* UNIX */
	b[6] = type;
	b[8] = 0x00, b[9] = 0xf1, b[10] = 0x53, b[11] = 0x65; /* 1700000000 */
	memcpy(b + 12, &csize, 4);
	memcpy(b + 16, &usize, 4);
	memcpy(b + 20, &crc, 4);
	b[26] = 0xa4, b[27] = 0x01; /* 0644 */
	memcpy(b + first, name, nlen);
	b[first + nlen] = 0; /* empty comment */
	size_t bsize = first + nlen + 1;
	o[0] = 0x60, o[1] = 0xea, o[2] = (uint8_t)bsize, o[3] = (uint8_t)(bsize >> 8);
	uint32_t c = (uint32_t)crc32(0, b, (uInt)bsize);
	memcpy(b + bsize, &c, 4);
	b[bsize + 4] = b[bsize + 5] = 0; /* no extended header */
	return 4 + bsize + 4 + 2;
}

static void arj_probe_and_stored_member(void **state)
{
	(void)state;
	const struct fv_format *f = fv_format_find("arj");
	uint8_t a[512];
	static const char data[] = "hello from a stored ARJ member\n";
	size_t n = arj_header(a, 2, "test.arj", 0, 0, 0);
	size_t member = n;
	n += arj_header(a + n, 0, "dir\\hello.txt", sizeof data - 1, sizeof data - 1,
			(uint32_t)crc32(0, (const uint8_t *)data, sizeof data - 1));
	memcpy(a + n, data, sizeof data - 1);
	n += sizeof data - 1;
	memcpy(a + n, "\x60\xea\x00\x00", 4);
	n += 4;
	memset(a + n, 0x5a, 100);
	struct fv_probe o;
	struct fv_test_env *e;
	assert_int_equal(fv_test_probe(f, a, n + 100, &o), 0);
	assert_int_equal(o.size, n);
	assert_int_equal(o.conf, FV_CONF_HIGH);
	assert_non_null(strstr(o.desc, "test.arj"));
	/* a member header alone is one member, header and data, and says so */
	assert_int_equal(fv_test_probe(f, a + member, n + 100 - member, &o), 0);
	assert_int_equal(o.conf, FV_CONF_LOW);
	assert_int_equal(o.size, n - 4 - member);
	assert_non_null(strstr(o.desc, "member \"dir\\hello.txt\""));
	e = env_new("0x0.arj");
	assert_int_equal(f->extract(&e->x, a + member, n - 4 - member), 0);
	fv_test_assert_member(e, "0x0.arj/dir/hello.txt", data, sizeof data - 1);
	fv_test_env_free(e);
	/* cut: truncated */
	assert_int_equal(fv_test_probe(f, a, n - 10, &o), 0);
	assert_int_equal(o.truncated, 1);
	e = env_new("0x0.arj");
	assert_int_equal(f->extract(&e->x, a, n), 0);
	fv_test_assert_member(e, "0x0.arj/dir/hello.txt", data, sizeof data - 1);
	fv_test_env_free(e);
	/* data corrupted: kept, but the CRC mismatch is reported */
	a[member + 60] ^= 1;
	e = env_new("0x0.arj");
	assert_int_equal(f->extract(&e->x, a, n), FV_ECRC);
	assert_non_null(strstr(e->x.err, "CRC"));
	fv_test_env_free(e);
	a[member + 60] ^= 1;
	/* the main header's CRC broken: not an archive */
	a[10] ^= 1;
	assert_int_equal(fv_test_probe(f, a, n, &o), FV_EFORMAT);
	garbage_rejected("arj");
}

/* binwalk's sample: an archive at 0xd with a method-1 member. */
static void arj_corpus_sample(void **state)
{
	(void)state;
	const char *corpus = getenv("FV_CORPUS");
	assert_non_null(corpus);
	char path[512];
	snprintf(path, sizeof path, "%s/binwalk-v3/arj.bin", corpus);
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	uint8_t b[256];
	assert_int_equal(fread(b, 1, sizeof b, fp), 256);
	fclose(fp);
	const struct fv_format *f = fv_format_find("arj");
	struct fv_probe o;
	assert_int_equal(fv_test_probe(f, b + 0xd, 256 - 0xd, &o), 0);
	assert_int_equal(o.size, 0xc4 - 0xd);
	assert_int_equal(o.conf, FV_CONF_HIGH);
	/* 0x46 is the member header of secret.txt, not a second archive */
	assert_int_equal(fv_test_probe(f, b + 0x46, 256 - 0x46, &o), 0);
	assert_int_equal(o.conf, FV_CONF_LOW);
	assert_int_equal(o.size, 0xc0 - 0x46);
	struct fv_test_env *e = env_new("0xd.arj");
	assert_int_equal(f->extract(&e->x, b + 0xd, 0xc4 - 0xd), 0);
	fv_test_assert_member(e, "0xd.arj/secret.txt",
		      "== TOPSECRET ==\nTHIS FILE IS TOPSECRET!\nBURN AFTER READING!\n", 60);
	fv_test_env_free(e);
}

static int group_setup(void **state)
{
	(void)state;
	fv_test_tmpdir(tmp, sizeof tmp, "archive");
	/* text-like, compressible, but not trivially */
	uint32_t s = 1;
	for (size_t i = 0; i < sizeof big; i++) {
		s = s * 1664525 + 1013904223;
		big[i] = (uint8_t)("abcdefgh\n"[(s >> 24) % 9]);
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	return fv_test_rmtree(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tar_sizes),
		cmocka_unit_test(tar_damage),
		cmocka_unit_test(tar_extracts_and_flags_truncation),
		cmocka_unit_test(cpio_sizes),
		cmocka_unit_test(cpio_newc_hardlinks),
		cmocka_unit_test(zip_sizes),
		cmocka_unit_test(zip_utf8_names),
		cmocka_unit_test(sevenzip_sizes),
		cmocka_unit_test(iso_sizes),
		cmocka_unit_test(ar_sizes),
		cmocka_unit_test(arj_probe_and_stored_member),
		cmocka_unit_test(arj_corpus_sample),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
