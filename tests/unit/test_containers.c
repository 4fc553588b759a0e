/*
 * Firmware containers: uImage, TRX, FIT and plain device trees, built in
 * memory or by mkimage/dtc at test time.  Sizes exact, checksums enforced,
 * truncation handled, members extracted through a real sink.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/err.h"
#include "testlib.h"

extern const struct fv_format fv_format_uimage, fv_format_trx, fv_format_fit, fv_format_dtb;

static char tmp[256];

static int group_setup(void **state)
{
	(void)state;
	fv_test_tmpdir(tmp, sizeof tmp, "cont");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	return fv_test_rmtree(tmp);
}

static struct fv_test_env *env_new(const char *folder)
{
	return fv_test_env_new(tmp, folder, 1000);
}

/* ---- uImage --------------------------------------------------------------- */

static void put_be32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24), b[1] = (uint8_t)(v >> 16), b[2] = (uint8_t)(v >> 8), b[3] = (uint8_t)v;
}

static size_t mk_uimage(uint8_t *out, const char *name, uint8_t type, uint8_t comp,
			const uint8_t *d, size_t n)
{
	memset(out, 0, 64);
	put_be32(out, 0x27051956);
	put_be32(out + 8, 1700000000);
	put_be32(out + 12, (uint32_t)n);
	put_be32(out + 16, 0x80000000);
	put_be32(out + 20, 0x80000400);
	put_be32(out + 24, (uint32_t)crc32(0, d, (uInt)n));
	out[28] = 5, out[29] = 5, out[30] = type, out[31] = comp;
	strncpy((char *)out + 32, name, 32);
	put_be32(out + 4, (uint32_t)crc32(0, out, 64));
	memcpy(out + 64, d, n);
	return 64 + n;
}

static void uimage_probe_checks_crcs(void **state)
{
	(void)state;
	const struct fv_format *F = &fv_format_uimage;
	uint8_t data[1000], img[2000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 31);
	size_t n = mk_uimage(img, "MIPS OpenWrt Linux-5.10", 2, 0, data, sizeof data);
	memset(img + n, 0xff, sizeof img - n);
	struct fv_probe pr;
	memset(&pr, 0, sizeof pr);
	assert_int_equal(F->probe(img, sizeof img, &pr), 0);
	assert_int_equal(pr.size, 1064);
	assert_int_equal(pr.conf, FV_CONF_HIGH);
	assert_string_equal(pr.desc, "uImage \"MIPS OpenWrt Linux-5.10\", Linux, MIPS, kernel, "
				     "load 0x80000000, entry 0x80000400, none, 1000 bytes, "
				     "2023-11-14 22:13:20 UTC");
	/* Data CRC wrong: accepted, low, and said. */
	img[100] ^= 1;
	memset(&pr, 0, sizeof pr);
	assert_int_equal(F->probe(img, sizeof img, &pr), 0);
	assert_int_equal(pr.conf, FV_CONF_LOW);
	assert_non_null(strstr(pr.desc, "data CRC mismatch"));
	img[100] ^= 1;
	/* Header CRC wrong: rejected. */
	img[40] ^= 0x20;
	assert_int_equal(F->probe(img, sizeof img, &pr), FV_ECRC);
	img[40] ^= 0x20;
	/* Truncated payload. */
	memset(&pr, 0, sizeof pr);
	assert_int_equal(F->probe(img, 500, &pr), 0);
	assert_true(pr.truncated);
	assert_int_equal(pr.size, 500);
	assert_true(F->probe(img, 40, &pr) < 0);
}

static void uimage_extracts_raw_and_multi(void **state)
{
	(void)state;
	const struct fv_format *F = &fv_format_uimage;
	uint8_t img[4096];
	size_t n = mk_uimage(img, "rootfs", 7, 0, (const uint8_t *)"hello squashfs", 14);
	struct fv_test_env *e = env_new("0x0.uimage");
	assert_int_equal(F->extract(&e->x, img, n), 0);
	fv_test_assert_member(e, "0x0.uimage/rootfs", "hello squashfs", 14);
	fv_test_env_free(e);

	/* Built by mkimage: a multi-file image of three parts, the middle one not a multiple of 4. */
	fv_test_sh(tmp, "printf 'kernel-bytes' > p0; printf 'ramdisk' > p1; printf 'dtb-bytes-here' > p2;"
	   "mkimage -A arm -O linux -T multi -C none -a 0 -e 0 -n 'two parts' -d p0:p1:p2 multi.img >/dev/null");
	size_t len;
	uint8_t *m = fv_test_load(tmp, "multi.img", &len);
	struct fv_probe pr;
	memset(&pr, 0, sizeof pr);
	assert_int_equal(F->probe(m, len, &pr), 0);
	assert_int_equal(pr.size, len);
	assert_non_null(strstr(pr.desc, "ARM, multi"));
	assert_non_null(strstr(pr.desc, "3 parts"));
	e = env_new("0x0.uimage");
	assert_int_equal(F->extract(&e->x, m, len), 0);
	fv_test_assert_member(e, "0x0.uimage/two_parts-0", "kernel-bytes", 12);
	fv_test_assert_member(e, "0x0.uimage/two_parts-1", "ramdisk", 7);
	fv_test_assert_member(e, "0x0.uimage/two_parts-2", "dtb-bytes-here", 14);
	fv_test_env_free(e);
	free(m);

	/* gzip payload decompressed, named by the type when the name is empty. */
	fv_test_sh(tmp, "seq 1 5000 > k; gzip -9nc k > k.gz;"
	   "mkimage -A mips -O linux -T kernel -C gzip -a 0x80000000 -e 0x80000000 -n '' -d k.gz k.img >/dev/null");
	m = fv_test_load(tmp, "k.img", &len);
	size_t klen;
	uint8_t *k = fv_test_load(tmp, "k", &klen);
	e = env_new("0x0.uimage");
	assert_int_equal(F->extract(&e->x, m, len), 0);
	fv_test_assert_member(e, "0x0.uimage/kernel", k, klen);
	fv_test_env_free(e);
	free(k);
	free(m);
}

/* ---- TRX ------------------------------------------------------------------ */

/* Broadcom's CRC, written out bit by bit: reflected, start ~0, no final xor. */
static uint32_t bcm_crc(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int b = 0; b < 8; b++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return c;
}

static void put_le32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v, b[1] = (uint8_t)(v >> 8), b[2] = (uint8_t)(v >> 16), b[3] = (uint8_t)(v >> 24);
}

static size_t mk_trx(uint8_t *out, unsigned version)
{
	size_t hdr = version == 1 ? 28 : 32;
	size_t len = 4096;
	memset(out, 0, len);
	memcpy(out, "HDR0", 4);
	put_le32(out + 4, (uint32_t)len);
	put_le32(out + 12, version << 16);
	put_le32(out + 16, (uint32_t)hdr);
	put_le32(out + 20, 1024);
	put_le32(out + 24, 2048);
	if (version == 2)
		put_le32(out + 28, 3072);
	memset(out + hdr, 'L', 1024 - hdr);
	memset(out + 1024, 'K', 1024);
	memset(out + 2048, 'R', 1024);
	memset(out + 3072, 'B', 1024);
	put_le32(out + 8, bcm_crc(out + 12, len - 12));
	return len;
}

static void trx_probe_and_extract(void **state)
{
	(void)state;
	const struct fv_format *F = &fv_format_trx;
	uint8_t img[8192];
	for (unsigned v = 1; v <= 2; v++) {
		size_t n = mk_trx(img, v);
		memset(img + n, 0xff, sizeof img - n);
		struct fv_probe pr;
		memset(&pr, 0, sizeof pr);
		assert_int_equal(F->probe(img, sizeof img, &pr), 0);
		assert_int_equal(pr.size, 4096);
		assert_int_equal(pr.conf, FV_CONF_HIGH);
		assert_non_null(strstr(pr.desc, "CRC ok"));
		struct fv_test_env *e = env_new("0x0.trx");
		assert_int_equal(F->extract(&e->x, img, n), 0);
		uint8_t want[1024];
		memset(want, 'K', sizeof want);
		fv_test_assert_member(e, "0x0.trx/partition1", want, 1024);
		memset(want, 'R', sizeof want);
		/* v1: the last partition runs to the end; v2: the bin header is a fourth. */
		if (v == 1) {
			uint8_t w2[2048];
			memset(w2, 'R', 1024);
			memset(w2 + 1024, 'B', 1024);
			fv_test_assert_member(e, "0x0.trx/partition2", w2, 2048);
		} else {
			fv_test_assert_member(e, "0x0.trx/partition2", want, 1024);
			memset(want, 'B', sizeof want);
			fv_test_assert_member(e, "0x0.trx/partition3", want, 1024);
		}
		fv_test_env_free(e);
		/* A flipped bit: still shown, at low confidence, with the mismatch. */
		img[2000] ^= 4;
		memset(&pr, 0, sizeof pr);
		assert_int_equal(F->probe(img, sizeof img, &pr), 0);
		assert_int_equal(pr.conf, FV_CONF_LOW);
		assert_non_null(strstr(pr.desc, "CRC mismatch"));
		img[2000] ^= 4;
		/* Truncated. */
		memset(&pr, 0, sizeof pr);
		assert_int_equal(F->probe(img, 3000, &pr), 0);
		assert_true(pr.truncated);
		assert_int_equal(pr.size, 3000);
	}
	/* Impossible headers. */
	size_t n = mk_trx(img, 1);
	struct fv_probe pr;
	put_le32(img + 12, 3u << 16); /* version 3 */
	assert_true(F->probe(img, n, &pr) < 0);
	mk_trx(img, 1);
	put_le32(img + 24, 512); /* partitions out of order */
	assert_true(F->probe(img, n, &pr) < 0);
	mk_trx(img, 1);
	put_le32(img + 20, 5000); /* partition beyond len */
	assert_true(F->probe(img, n, &pr) < 0);
	mk_trx(img, 1);
	put_le32(img + 4, 20); /* len shorter than the header */
	assert_true(F->probe(img, n, &pr) < 0);
}

/* ---- FIT and DTB ---------------------------------------------------------- */

static const char *its =
	"/dts-v1/;\n"
	"/ {\n"
	"  description = \"test FIT\";\n"
	"  #address-cells = <1>;\n"
	"  images {\n"
	"    kernel-1 {\n"
	"      description = \"kernel\"; data = /incbin/(\"./k.gz\"); type = \"kernel\";\n"
	"      arch = \"arm\"; os = \"linux\"; compression = \"gzip\"; load = <0x80008000>; entry = <0x80008000>;\n"
	"      hash-1 { algo = \"crc32\"; }; hash-2 { algo = \"sha256\"; };\n"
	"    };\n"
	"    fdt-1 {\n"
	"      data = /incbin/(\"./board.dtb\"); type = \"flat_dt\"; arch = \"arm\"; compression = \"none\";\n"
	"      hash-1 { algo = \"sha1\"; };\n"
	"    };\n"
	"  };\n"
	"  configurations {\n"
	"    default = \"conf-1\";\n"
	"    conf-1 { kernel = \"kernel-1\"; fdt = \"fdt-1\"; };\n"
	"  };\n"
	"};\n";

static void make_fit(void)
{
	fv_test_write_file(tmp, "fit.its", its, strlen(its));
	fv_test_sh(tmp, "printf '/dts-v1/;\\n/ { model = \"Test Board\"; compatible = \"acme,board\", \"acme,soc\"; "
	   "memory { device_type = \"memory\"; reg = <0 0x1000>; }; };\\n' > board.dts;"
	   "dtc -I dts -O dtb -o board.dtb board.dts 2>/dev/null;"
	   "seq 1 20000 > k; gzip -9nc k > k.gz;"
	   "mkimage -f fit.its fit.itb >/dev/null;"
	   "mkimage -E -f fit.its fitext.itb >/dev/null");
}

static void fit_and_dtb_probes(void **state)
{
	(void)state;
	make_fit();
	size_t len;
	uint8_t *b = fv_test_load(tmp, "fit.itb", &len);
	struct fv_probe pr;
	memset(&pr, 0, sizeof pr);
	assert_int_equal(fv_format_fit.probe(b, len, &pr), 0);
	assert_int_equal(pr.size, len);
	assert_int_equal(pr.conf, FV_CONF_HIGH);
	assert_non_null(strstr(pr.desc, "FIT \"test FIT\", 2 images"));
	assert_non_null(strstr(pr.desc, "kernel-1: kernel, gzip"));
	assert_non_null(strstr(pr.desc, "1 configuration (default conf-1)"));
	assert_true(fv_format_dtb.probe(b, len, &pr) < 0); /* a FIT is not a plain DTB */
	free(b);

	/* External data: the chunk reaches past the tree. */
	b = fv_test_load(tmp, "fitext.itb", &len);
	memset(&pr, 0, sizeof pr);
	assert_int_equal(fv_format_fit.probe(b, len, &pr), 0);
	/* mkimage pads the file to 4 bytes after the last image; that is not FIT. */
	assert_true(pr.size <= len && len - pr.size < 4);
	assert_true(pr.size > (size_t)(b[4] << 24 | b[5] << 16 | b[6] << 8 | b[7]));
	memset(&pr, 0, sizeof pr);
	assert_int_equal(fv_format_fit.probe(b, len - 10, &pr), 0);
	assert_true(pr.truncated);
	free(b);

	b = fv_test_load(tmp, "board.dtb", &len);
	memset(&pr, 0, sizeof pr);
	assert_int_equal(fv_format_dtb.probe(b, len, &pr), 0);
	assert_int_equal(pr.size, len);
	assert_non_null(strstr(pr.desc, "model \"Test Board\""));
	assert_non_null(strstr(pr.desc, "compatible \"acme,board\""));
	assert_true(fv_format_fit.probe(b, len, &pr) < 0);
	assert_true(fv_format_dtb.probe(b, len - 1, &pr) < 0); /* cut short */
	b[9] ^= 0x40;                                            /* struct offset off the map */
	assert_true(fv_format_dtb.probe(b, len, &pr) < 0);
	free(b);
}

static void fit_extracts_and_verifies_hashes(void **state)
{
	(void)state;
	make_fit();
	size_t klen, dlen;
	uint8_t *k = fv_test_load(tmp, "k", &klen);
	uint8_t *d = fv_test_load(tmp, "board.dtb", &dlen);
	const char *names[] = { "fit.itb", "fitext.itb" };
	for (int i = 0; i < 2; i++) {
		size_t len;
		uint8_t *b = fv_test_load(tmp, names[i], &len);
		struct fv_test_env *e = env_new("0x0.fit");
		assert_int_equal(fv_format_fit.extract(&e->x, b, len), 0);
		fv_test_assert_member(e, "0x0.fit/kernel-1", k, klen);
		fv_test_assert_member(e, "0x0.fit/fdt-1", d, dlen);
		fv_test_env_free(e);
		/* Corrupt one byte of the dtb payload: extracted, but the sha1 mismatch is reported. */
		uint8_t *hit = memmem(b, len, d, dlen);
		assert_non_null(hit);
		hit[dlen - 1] ^= 0xff;
		e = env_new("0x0.fit");
		assert_int_equal(fv_format_fit.extract(&e->x, b, len), FV_ECRC);
		assert_non_null(strstr(e->x.err, "fdt-1"));
		assert_non_null(strstr(e->x.err, "sha1"));
		fv_test_env_free(e);
		free(b);
	}
	free(k);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(uimage_probe_checks_crcs),
		cmocka_unit_test(uimage_extracts_raw_and_multi),
		cmocka_unit_test(trx_probe_and_extract),
		cmocka_unit_test(fit_and_dtb_probes),
		cmocka_unit_test(fit_extracts_and_verifies_hashes),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
