/*
 * ELF sizing from headers: this test's own executable, generic 32/64-bit
 * big/little-endian objects written by objcopy, objects from any cross
 * compiler that happens to be installed, and headers that lie about their
 * tables, which must be rejected or bounded by the input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "testlib.h"

extern const struct fv_format fv_format_elf;

static char g_dir[64];

static int setup(void **state)
{
	(void)state;
	fv_test_tmpdir(g_dir, sizeof g_dir, "elf");
	uint8_t b[3000];
	for (int i = 0; i < 3000; i++)
		b[i] = (uint8_t)(i * 7);
	fv_test_write_file(g_dir, "blob.bin", b, sizeof b);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return fv_test_rmtree(g_dir);
}

static int probe(const uint8_t *p, size_t n, struct fv_probe *pr)
{
	return fv_test_probe(&fv_format_elf, p, n, pr);
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint64_t get64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}
static uint16_t get16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static void own_executable(void **state)
{
	(void)state;
	size_t n;
	uint8_t *b = fv_test_load(NULL, "/proc/self/exe", &n);
	assert_non_null(b);
	struct fv_probe pr;
	assert_int_equal(probe(b, n, &pr), 0);
	assert_int_equal(pr.size, n);
	assert_int_equal(pr.conf, FV_CONF_HIGH);
	assert_false(pr.truncated);
#if defined(__x86_64__)
	assert_non_null(strstr(pr.desc, "ELF 64-bit LSB"));
	assert_non_null(strstr(pr.desc, "x86-64"));
#endif
	assert_non_null(strstr(pr.desc, "dynamically linked"));
	/* Junk after the file is not part of it. */
	uint8_t *more = malloc(n + 4096);
	memcpy(more, b, n);
	memset(more + n, 0x5a, 4096);
	assert_int_equal(probe(more, n + 4096, &pr), 0);
	assert_int_equal(pr.size, n);
	free(more);
	free(b);
}

static void generic_objects_of_both_classes_and_orders(void **state)
{
	(void)state;
	static const struct {
		const char *bfd, *want;
	} v[] = {
		{ "elf32-big", "ELF 32-bit MSB relocatable" },
		{ "elf32-little", "ELF 32-bit LSB relocatable" },
		{ "elf64-big", "ELF 64-bit MSB relocatable" },
		{ "elf64-little", "ELF 64-bit LSB relocatable" },
	};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		char p[128];
		snprintf(p, sizeof p, "%s/%s.o", g_dir, v[i].bfd);
		fv_test_sh(g_dir, "objcopy -I binary -O %s blob.bin '%s'", v[i].bfd, p);
		size_t n;
		uint8_t *b = fv_test_load(NULL, p, &n);
		assert_non_null(b);
		struct fv_probe pr;
		assert_int_equal(probe(b, n, &pr), 0);
		assert_int_equal(pr.size, n);
		assert_non_null(strstr(pr.desc, v[i].want));
		assert_non_null(strstr(pr.desc, "machine 0x0")); /* objcopy's generic targets have none */
		free(b);
	}
}

static void cross_compiled_objects(void **state)
{
	(void)state;
	static const struct {
		const char *cc, *want;
	} v[] = {
		{ "mips-linux-gnu-gcc", "ELF 32-bit MSB relocatable, MIPS" },
		{ "mipsel-linux-gnu-gcc", "ELF 32-bit LSB relocatable, MIPS" },
		{ "arm-linux-gnueabi-gcc", "ELF 32-bit LSB relocatable, ARM" },
		{ "aarch64-linux-gnu-gcc", "ELF 64-bit LSB relocatable, AArch64" },
		{ "powerpc-linux-gnu-gcc", "ELF 32-bit MSB relocatable, PowerPC" },
		{ "riscv64-linux-gnu-gcc", "ELF 64-bit LSB relocatable, RISC-V" },
	};
	static const char c[] = "int answer(int x) { return x * 42; }\n";
	fv_test_write_file(g_dir, "t.c", c, sizeof c - 1);
	char src[128];
	snprintf(src, sizeof src, "%s/t.c", g_dir);
	int tried = 0;
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		if (!fv_test_have(v[i].cc))
			continue;
		char obj[128];
		snprintf(obj, sizeof obj, "%s/t-%zu.o", g_dir, i);
		fv_test_sh(NULL, "%s -c -O2 -o '%s' '%s'", v[i].cc, obj, src);
		size_t n;
		uint8_t *b = fv_test_load(NULL, obj, &n);
		struct fv_probe pr;
		assert_int_equal(probe(b, n, &pr), 0);
		assert_int_equal(pr.size, n);
		assert_non_null(strstr(pr.desc, v[i].want));
		free(b);
		tried++;
	}
	if (!tried)
		skip();
}

/* Offsets in a 64-bit header. */
enum { E_TYPE = 0x10, E_VERSION = 0x14, E_SHOFF = 0x28, E_EHSIZE = 0x34, E_PHENTSIZE = 0x36,
       E_SHNUM = 0x3c };

static void lying_headers_are_rejected_or_bounded(void **state)
{
	(void)state;
	size_t n;
	uint8_t *orig = fv_test_load(NULL, "/proc/self/exe", &n);
	assert_non_null(orig);
	uint8_t *b = malloc(n);
	struct fv_probe pr;
	uint64_t shoff = get64(orig + E_SHOFF);
	uint16_t shnum = get16(orig + E_SHNUM);
	assert_true(shoff + shnum * 64u <= n);

#define RESET() memcpy(b, orig, n)
	/* Header fields that must match the class. */
	RESET(); put32(b + E_VERSION, 2);
	assert_int_not_equal(probe(b, n, &pr), 0);
	RESET(); put16(b + E_EHSIZE, 63);
	assert_int_not_equal(probe(b, n, &pr), 0);
	RESET(); put16(b + E_PHENTSIZE, 32);
	assert_int_not_equal(probe(b, n, &pr), 0);
	RESET(); put16(b + E_TYPE, 0);
	assert_int_not_equal(probe(b, n, &pr), 0);
	RESET(); b[4] = 3;
	assert_int_not_equal(probe(b, n, &pr), 0);

	/* Tables past the end: truncated, never more than the input. */
	RESET(); put64(b + E_SHOFF, n + 1000);
	assert_int_equal(probe(b, n, &pr), 0);
	assert_true(pr.truncated);
	assert_int_equal(pr.size, n);
	assert_int_equal(pr.conf, FV_CONF_LOW);
	RESET(); put16(b + E_SHNUM, 0xfffe);
	assert_int_equal(probe(b, n, &pr), 0);
	assert_true(pr.truncated);
	/* Offsets that overflow 64 bits. */
	RESET(); put64(b + E_SHOFF, UINT64_MAX - 8);
	if (probe(b, n, &pr) == 0)
		assert_true(pr.truncated);
	/* A section claiming bytes far beyond the input. */
	RESET(); put64(b + shoff + 5 * 64 + 0x18, (uint64_t)1 << 62);
	put64(b + shoff + 5 * 64 + 0x20, 100);
	put32(b + shoff + 5 * 64 + 4, 1); /* PROGBITS */
	assert_int_equal(probe(b, n, &pr), 0);
	assert_true(pr.truncated);
	assert_int_equal(pr.size, n);
	RESET(); put64(b + shoff + 5 * 64 + 0x18, UINT64_MAX - 1);
	put64(b + shoff + 5 * 64 + 0x20, 100);
	put32(b + shoff + 5 * 64 + 4, 1);
	if (probe(b, n, &pr) == 0)
		assert_true(pr.truncated);

	/* Extended numbering: e_shnum 0, the count in section 0. */
	RESET(); put16(b + E_SHNUM, 0);
	put64(b + shoff + 0x20, shnum);
	assert_int_equal(probe(b, n, &pr), 0);
	assert_int_equal(pr.size, n);
	assert_false(pr.truncated);
	RESET(); put16(b + E_SHNUM, 0);
	put64(b + shoff + 0x20, (uint64_t)1 << 40);
	if (probe(b, n, &pr) == 0)
		assert_true(pr.truncated);
	RESET(); put16(b + E_SHNUM, 0);
	put64(b + shoff + 0x20, UINT64_MAX);
	if (probe(b, n, &pr) == 0)
		assert_true(pr.truncated);

	/* Cut short. */
	assert_int_equal(probe(orig, 40, &pr), FV_ETRUNC);
	assert_int_equal(probe(orig, n / 2, &pr), 0);
	assert_true(pr.truncated);
	assert_int_equal(pr.size, n / 2);

	/* Every single-byte corruption of the headers: never a size beyond the input. */
	for (size_t i = 0; i < 64; i++)
		for (unsigned v = 0; v < 256; v += 17) {
			RESET();
			b[i] = (uint8_t)v;
			probe(b, n, &pr);
		}
	for (size_t i = 0; i < (size_t)shnum * 64; i += 3) {
		RESET();
		b[shoff + i] ^= 0xa5;
		probe(b, n, &pr);
	}
#undef RESET
	free(b);
	free(orig);
}

static void garbage_is_rejected(void **state)
{
	(void)state;
	uint8_t b[512];
	uint32_t s = 99;
	struct fv_probe pr;
	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof b; i++) {
			s = s * 1103515245u + 12345u;
			b[i] = (uint8_t)(s >> 24);
		}
		memcpy(b, "\x7f" "ELF", 4);
		b[4] = 1 + (round & 1);
		b[5] = 1 + (round >> 1 & 1);
		b[6] = 1;
		assert_int_not_equal(probe(b, sizeof b, &pr), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(own_executable),
		cmocka_unit_test(generic_objects_of_both_classes_and_orders),
		cmocka_unit_test(cross_compiled_objects),
		cmocka_unit_test(lying_headers_are_rejected_or_bounded),
		cmocka_unit_test(garbage_is_rejected),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
