/*
 * The RISC-V lifter (src/analyze/elf/lift_riscv.c), instruction by
 * instruction.  Its decoder is our own, with no library behind it, so every
 * encoding used here is first checked against GNU as: the table below is
 * assembled by riscv64-linux-gnu-as and the bytes must be the ones written
 * here.  Then short programs of those words are put in ELF files made here
 * (RV64 and RV32) and lifted: lengths, control flow and targets at the ends
 * of each immediate's range, constants through LUI/AUIPC/ADDI(W)/ADD/MV/LI
 * and their compressed forms, loads from constant addresses (GOT slots),
 * what a call and a jump forget, the global pointer, PLT stubs, reserved
 * encodings, and random bytes.
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/elf/code.h"
#include "core/err.h"

static char g_dir[64];

/* ---- encodings, each checked against GNU as ----------------------------------- */

/* 32-bit forms */
#define JAL_RA_P100 0x100000efu    /* jal ra, .+0x100 */
#define J_M20 0xfe1ff06fu          /* jal zero, .-0x20 */
#define JAL_RA_MAXP 0x7ffff0efu    /* jal ra, .+0xffffe */
#define JAL_RA_MAXN 0x800000efu    /* jal ra, .-0x100000 */
#define JAL_RA_P8 0x008000efu      /* jal ra, .+8 */
#define RET 0x00008067u            /* jalr zero, 0(ra) */
#define JR_RA4 0x00408067u         /* jalr zero, 4(ra) */
#define JALR_RA_A5 0x000780e7u     /* jalr ra, 0(a5) */
#define JALR_RA_M12 0xff4080e7u    /* jalr ra, -12(ra) */
#define JALR_T1_T3 0x000e0367u     /* jalr t1, 0(t3) */
#define BEQ_P40 0x04b50063u        /* beq a0, a1, .+0x40 */
#define BNE_M8 0xfeb51ce3u         /* bne a0, a1, .-8 */
#define BLT_MAXP 0x7e944fe3u       /* blt s0, s1, .+0xffe */
#define BGE_MAXN 0x80d65063u       /* bge a2, a3, .-0x1000 */
#define BLTU_P2 0x0062e163u        /* bltu t0, t1, .+2 */
#define BGEU_M2 0xfef77fe3u        /* bgeu a4, a5, .-2 */
#define EBREAK 0x00100073u
#define ECALL 0x00000073u
#define UNIMP 0xc0001073u
#define LUI_A0_12345 0x12345537u   /* lui a0, 0x12345 */
#define ADDI_A0_678 0x67850513u    /* addi a0, a0, 0x678 */
#define LUI_A0_80000 0x80000537u   /* lui a0, 0x80000 */
#define ADDIW_A0_M1 0xfff5051bu    /* addiw a0, a0, -1 */
#define ADDIW_A0_1 0x0015051bu     /* addiw a0, a0, 1 */
#define AUIPC_A1_1 0x00001597u     /* auipc a1, 0x1 */
#define ADDI_A1_M16 0xff058593u    /* addi a1, a1, -16 */
#define AUIPC_RA_FFFFF 0xfffff097u /* auipc ra, 0xfffff */
#define LI_A3_5 0x00500693u        /* addi a3, zero, 5 */
#define ADD_A0_A1_A2 0x00c58533u   /* add a0, a1, a2 */
#define SUB_A0_A1_A2 0x40c58533u   /* sub a0, a1, a2 */
#define ADDI_ZERO_5 0x00500013u    /* addi zero, zero, 5 */
#define NOP 0x00000013u            /* addi zero, zero, 0 */
#define AUIPC_A5_0 0x00000797u     /* auipc a5, 0 */
#define LD_A5_16 0x0107b783u       /* ld a5, 16(a5) */
#define AUIPC_A4_0 0x00000717u     /* auipc a4, 0 */
#define LW_A4_M4_A3 0xffc6a703u    /* lw a4, -4(a3) */
#define LWU_A4_A3 0x0006e703u      /* lwu a4, 0(a3) */
#define LB_A0_A1 0x00058503u       /* lb a0, 0(a1) */
#define AUIPC_T3_2 0x00002e17u     /* auipc t3, 0x2 */
#define LD_T3_M8 0xff8e3e03u       /* ld t3, -8(t3) */
#define LD_T3_M8_T2 0xff83be03u    /* ld t3, -8(t2) */
#define SLLI_A0_2 0x00251513u      /* slli a0, a0, 2 */
#define CSRRS_A0 0xc0002573u       /* csrrs a0, cycle, zero */
#define MUL_A0 0x02b50533u         /* mul a0, a0, a1 */
#define FMV_X_W_A0 0xe0050553u     /* fmv.x.w a0, fa0 */
#define FLD_FA0 0x0005b507u        /* fld fa0, 0(a1) */
#define AMOADD_A0 0x00b6252fu      /* amoadd.w a0, a1, (a2) */
#define SD_A0 0x00a13023u          /* sd a0, 0(sp) */
#define FENCE 0x0ff0000fu          /* fence */
#define AUIPC_GP_2 0x00002197u     /* auipc gp, 0x2 */
#define ADDI_GP_30 0x03018193u     /* addi gp, gp, 0x30 */
#define ADDI_A0_GP_M8 0xff818513u  /* addi a0, gp, -8 */
/* compressed forms */
#define C_JR_RA 0x8082u
#define C_JALR_A5 0x9782u
#define C_JR_A5 0x8782u
#define C_BEQZ_P20 0xc105u         /* c.beqz a0, .+0x20 */
#define C_BNEZ_M10 0xf8e5u         /* c.bnez s1, .-0x10 */
#define C_BEQZ_MAXP 0xcffdu        /* c.beqz a5, .+0xfe */
#define C_BNEZ_MAXN 0xf301u        /* c.bnez a4, .-0x100 */
#define C_J_MAXP 0xaffdu           /* c.j .+0x7fe */
#define C_J_MAXN 0xb001u           /* c.j .-0x800 */
#define C_EBREAK 0x9002u
#define C_LI_A2_M1 0x567du
#define C_LI_A3_31 0x46fdu
#define C_LUI_A0_1F 0x657du        /* c.lui a0, 0x1f */
#define C_LUI_A0_FFFE0 0x7501u     /* c.lui a0, 0xfffe0 (-0x20 << 12) */
#define C_ADDI_A0_M3 0x1575u
#define C_ADDI_A0_31 0x057du
#define C_MV_A1_A0 0x85aau
#define C_ADD_A1_A0 0x95aau
#define C_ADDIW_A0_1 0x2505u
#define C_ADDI16SP 0x7139u         /* c.addi16sp sp, -64 */
#define C_ADDI4SPN_A0 0x0808u      /* c.addi4spn a0, sp, 16 */
#define C_LD_A0_16_A4 0x6b08u      /* c.ld a0, 16(a4) */
#define C_LW_A1_4_A3 0x42ccu       /* c.lw a1, 4(a3) */
#define C_LDSP_A0 0x6522u          /* c.ldsp a0, 8(sp) */
#define C_LWSP_A1 0x4592u          /* c.lwsp a1, 4(sp) */
#define C_SLLI_A0 0x050eu
#define C_SRLI_A0 0x8105u
#define C_ANDI_S1 0x889du
#define C_SUB_A0_A1 0x8d0du
#define C_SD_A0 0xe588u
#define C_NOP 0x0001u
/* RV32 only */
#define C_JAL_P400 0x2101u         /* c.jal .+0x400 */
#define C_JAL_MAXN 0x3001u         /* c.jal .-0x800 */
#define C_LW_A0_16_A4 0x4b08u      /* c.lw a0, 16(a4) */
#define LW_T3_M8 0xff8e2e03u       /* lw t3, -8(t3) */
#define LW_A5_8 0x0087a783u        /* lw a5, 8(a5) */
/* The length prefixes of the 48- and 64-bit forms (low bits 011111 and 0111111). */
#define LONG48 0x001fu
#define LONG64 0x003fu
/* Reserved encodings: as refuses them, so they are not in the table. */
#define C_UNIMP 0x0000u            /* all zero: defined illegal */
#define C_JR_ZERO 0x8002u          /* c.jr x0 */
#define C_LWSP_ZERO 0x4002u        /* c.lwsp x0, 0(sp) */
#define C_ADDI4SPN_0 0x0004u       /* c.addi4spn with nzuimm 0 */
#define BRANCH_F3_2 0x00002063u    /* BRANCH with funct3 010 */
#define JALR_F3_1 0x00001067u      /* JALR with funct3 001 */

static const struct enc {
	const char *as;
	uint32_t w;
	unsigned size;
	int rv32;
} encs[] = {
	{ "jal ra, .+0x100", JAL_RA_P100, 4, 0 },
	{ "jal zero, .-0x20", J_M20, 4, 0 },
	{ "jal ra, .+0xffffe", JAL_RA_MAXP, 4, 0 },
	{ "jal ra, .-0x100000", JAL_RA_MAXN, 4, 0 },
	{ "jal ra, .+8", JAL_RA_P8, 4, 0 },
	{ "jalr zero, 0(ra)", RET, 4, 0 },
	{ "jalr zero, 4(ra)", JR_RA4, 4, 0 },
	{ "jalr ra, 0(a5)", JALR_RA_A5, 4, 0 },
	{ "jalr ra, -12(ra)", JALR_RA_M12, 4, 0 },
	{ "jalr t1, 0(t3)", JALR_T1_T3, 4, 0 },
	{ "beq a0, a1, .+0x40", BEQ_P40, 4, 0 },
	{ "bne a0, a1, .-8", BNE_M8, 4, 0 },
	{ "blt s0, s1, .+0xffe", BLT_MAXP, 4, 0 },
	{ "bge a2, a3, .-0x1000", BGE_MAXN, 4, 0 },
	{ "bltu t0, t1, .+2", BLTU_P2, 4, 0 },
	{ "bgeu a4, a5, .-2", BGEU_M2, 4, 0 },
	{ "ebreak", EBREAK, 4, 0 },
	{ "ecall", ECALL, 4, 0 },
	{ "unimp", UNIMP, 4, 0 },
	{ "lui a0, 0x12345", LUI_A0_12345, 4, 0 },
	{ "addi a0, a0, 0x678", ADDI_A0_678, 4, 0 },
	{ "lui a0, 0x80000", LUI_A0_80000, 4, 0 },
	{ "addiw a0, a0, -1", ADDIW_A0_M1, 4, 0 },
	{ "addiw a0, a0, 1", ADDIW_A0_1, 4, 0 },
	{ "auipc a1, 0x1", AUIPC_A1_1, 4, 0 },
	{ "addi a1, a1, -16", ADDI_A1_M16, 4, 0 },
	{ "auipc ra, 0xfffff", AUIPC_RA_FFFFF, 4, 0 },
	{ "addi a3, zero, 5", LI_A3_5, 4, 0 },
	{ "add a0, a1, a2", ADD_A0_A1_A2, 4, 0 },
	{ "sub a0, a1, a2", SUB_A0_A1_A2, 4, 0 },
	{ "addi zero, zero, 5", ADDI_ZERO_5, 4, 0 },
	{ "addi zero, zero, 0", NOP, 4, 0 },
	{ "auipc a5, 0", AUIPC_A5_0, 4, 0 },
	{ "ld a5, 16(a5)", LD_A5_16, 4, 0 },
	{ "auipc a4, 0", AUIPC_A4_0, 4, 0 },
	{ "lw a4, -4(a3)", LW_A4_M4_A3, 4, 0 },
	{ "lwu a4, 0(a3)", LWU_A4_A3, 4, 0 },
	{ "lb a0, 0(a1)", LB_A0_A1, 4, 0 },
	{ "auipc t3, 0x2", AUIPC_T3_2, 4, 0 },
	{ "ld t3, -8(t3)", LD_T3_M8, 4, 0 },
	{ "ld t3, -8(t2)", LD_T3_M8_T2, 4, 0 },
	{ "slli a0, a0, 2", SLLI_A0_2, 4, 0 },
	{ "csrrs a0, cycle, zero", CSRRS_A0, 4, 0 },
	{ "mul a0, a0, a1", MUL_A0, 4, 0 },
	{ "fmv.x.w a0, fa0", FMV_X_W_A0, 4, 0 },
	{ "fld fa0, 0(a1)", FLD_FA0, 4, 0 },
	{ "amoadd.w a0, a1, (a2)", AMOADD_A0, 4, 0 },
	{ "sd a0, 0(sp)", SD_A0, 4, 0 },
	{ "fence", FENCE, 4, 0 },
	{ "auipc gp, 0x2", AUIPC_GP_2, 4, 0 },
	{ "addi gp, gp, 0x30", ADDI_GP_30, 4, 0 },
	{ "addi a0, gp, -8", ADDI_A0_GP_M8, 4, 0 },
	{ "c.jr ra", C_JR_RA, 2, 0 },
	{ "c.jalr a5", C_JALR_A5, 2, 0 },
	{ "c.jr a5", C_JR_A5, 2, 0 },
	{ "c.beqz a0, .+0x20", C_BEQZ_P20, 2, 0 },
	{ "c.bnez s1, .-0x10", C_BNEZ_M10, 2, 0 },
	{ "c.beqz a5, .+0xfe", C_BEQZ_MAXP, 2, 0 },
	{ "c.bnez a4, .-0x100", C_BNEZ_MAXN, 2, 0 },
	{ "c.j .+0x7fe", C_J_MAXP, 2, 0 },
	{ "c.j .-0x800", C_J_MAXN, 2, 0 },
	{ "c.ebreak", C_EBREAK, 2, 0 },
	{ "c.li a2, -1", C_LI_A2_M1, 2, 0 },
	{ "c.li a3, 31", C_LI_A3_31, 2, 0 },
	{ "c.lui a0, 0x1f", C_LUI_A0_1F, 2, 0 },
	{ "c.lui a0, 0xfffe0", C_LUI_A0_FFFE0, 2, 0 },
	{ "c.addi a0, -3", C_ADDI_A0_M3, 2, 0 },
	{ "c.addi a0, 31", C_ADDI_A0_31, 2, 0 },
	{ "c.mv a1, a0", C_MV_A1_A0, 2, 0 },
	{ "c.add a1, a0", C_ADD_A1_A0, 2, 0 },
	{ "c.addiw a0, 1", C_ADDIW_A0_1, 2, 0 },
	{ "c.addi16sp sp, -64", C_ADDI16SP, 2, 0 },
	{ "c.addi4spn a0, sp, 16", C_ADDI4SPN_A0, 2, 0 },
	{ "c.ld a0, 16(a4)", C_LD_A0_16_A4, 2, 0 },
	{ "c.lw a1, 4(a3)", C_LW_A1_4_A3, 2, 0 },
	{ "c.ldsp a0, 8(sp)", C_LDSP_A0, 2, 0 },
	{ "c.lwsp a1, 4(sp)", C_LWSP_A1, 2, 0 },
	{ "c.slli a0, 3", C_SLLI_A0, 2, 0 },
	{ "c.srli a0, 1", C_SRLI_A0, 2, 0 },
	{ "c.andi s1, 7", C_ANDI_S1, 2, 0 },
	{ "c.sub a0, a1", C_SUB_A0_A1, 2, 0 },
	{ "c.sd a0, 8(a1)", C_SD_A0, 2, 0 },
	{ "c.nop", C_NOP, 2, 0 },
	{ ".insn 6, 0x1f", LONG48, 6, 0 },
	{ ".insn 8, 0x3f", LONG64, 8, 0 },
	{ "c.jal .+0x400", C_JAL_P400, 2, 1 },
	{ "c.jal .-0x800", C_JAL_MAXN, 2, 1 },
	{ "c.lw a0, 16(a4)", C_LW_A0_16_A4, 2, 1 },
	{ "auipc t3, 0x2", AUIPC_T3_2, 4, 1 },
	{ "lw t3, -8(t3)", LW_T3_M8, 4, 1 },
	{ "jalr t1, 0(t3)", JALR_T1_T3, 4, 1 },
	{ "lw a5, 8(a5)", LW_A5_8, 4, 1 },
};

static int setup(void **state)
{
	(void)state;
	fv_test_tmpdir(g_dir, sizeof g_dir, "riscv");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return fv_test_rmtree(g_dir);
}

/* Assembles every entry of one class with GNU as and compares the bytes with the table. */
static void check_with_as(int rv32)
{
	char name[32], src[8192];
	size_t k = 0, want_n = 0;
	uint8_t want[1024];
	for (size_t i = 0; i < sizeof encs / sizeof *encs; i++) {
		if (encs[i].rv32 != rv32)
			continue;
		int m = snprintf(src + k, sizeof src - k, ".option %s\n%s\n", encs[i].size == 2 ? "rvc" : "norvc",
				 encs[i].as);
		assert_true(m > 0 && (size_t)m < sizeof src - k);
		k += (size_t)m;
		for (unsigned b = 0; b < encs[i].size; b++) {
			assert_true(want_n < sizeof want);
			want[want_n++] = b < 4 ? (uint8_t)(encs[i].w >> (8 * b)) : 0;
		}
	}
	snprintf(name, sizeof name, "t%s", rv32 ? "32" : "64");
	fv_test_write_file(g_dir, rv32 ? "t32.s" : "t64.s", src, k);
	fv_test_sh(g_dir, "riscv64-linux-gnu-as -march=%s -o %s.o %s.s && riscv64-linux-gnu-objcopy -O binary -j .text "
			  "%s.o %s.bin",
		   rv32 ? "rv32gc" : "rv64gc", name, name, name, name);
	size_t n;
	char bin[40];
	snprintf(bin, sizeof bin, "%s.bin", name);
	uint8_t *got = fv_test_load(g_dir, bin, &n);
	assert_int_equal(n, want_n);
	size_t off = 0;
	for (size_t i = 0; i < sizeof encs / sizeof *encs; i++) {
		if (encs[i].rv32 != rv32)
			continue;
		if (memcmp(got + off, want + off, encs[i].size) != 0)
			fail_msg("`%s`: as writes %02x %02x %02x %02x, the table says 0x%08x", encs[i].as, got[off],
				 got[off + 1], encs[i].size > 2 ? got[off + 2] : 0, encs[i].size > 2 ? got[off + 3] : 0,
				 encs[i].w);
		off += encs[i].size;
	}
	free(got);
}

static void encodings_are_what_as_writes(void **state)
{
	(void)state;
	if (!fv_test_have("riscv64-linux-gnu-as"))
		fail_msg("riscv64-linux-gnu-as is missing: run scripts/deps.sh");
	check_with_as(0);
	check_with_as(1);
}

/* ---- ELF files made here, and lifting them ------------------------------------------ */

#define BASE 0x10000u
#define CODE_OFF 0x100u
#define CODE (BASE + CODE_OFF)

struct prog {
	uint8_t b[512];
	size_t n;
};

/* Appends an instruction (16 or 32 bits, by its low bits) or, with size 6/8, a long-form prefix. */
static void emit_n(struct prog *p, uint32_t w, unsigned size)
{
	assert_true(p->n + size <= sizeof p->b);
	for (unsigned i = 0; i < size; i++)
		p->b[p->n++] = i < 4 ? (uint8_t)(w >> (8 * i)) : 0;
}

static void emit(struct prog *p, uint32_t w) { emit_n(p, w, (w & 3) == 3 ? 4 : 2); }

static void emit_all(struct prog *p, const uint32_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		emit(p, w[i]);
}

static void emit64(struct prog *p, uint64_t v)
{
	emit_n(p, (uint32_t)v, 4);
	emit_n(p, (uint32_t)(v >> 32), 4);
}

struct lifted {
	uint8_t *img;
	struct fv_elf e;
	struct fv_code *c;
	struct fv_insns v;
};

static void put(uint8_t *img, size_t off, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		img[off + i] = (uint8_t)(v >> (8 * i));
}

/* An executable ELF whose one PT_LOAD maps the file at BASE, with p at CODE and the entry at CODE + entry. */
static void make_elf(struct lifted *l, int is64, const struct prog *p, size_t entry)
{
	size_t len = CODE_OFF + p->n;
	memset(l, 0, sizeof *l);
	l->img = calloc(1, len);
	assert_non_null(l->img);
	uint8_t *m = l->img;
	memcpy(m, "\x7f" "ELF", 4);
	m[4] = is64 ? 2 : 1;
	m[5] = 1;
	m[6] = 1;
	put(m, 16, FV_ET_EXEC, 2);
	put(m, 18, 243, 2);
	put(m, 20, 1, 4);
	if (is64) {
		put(m, 24, CODE + entry, 8);
		put(m, 32, 64, 8);
		put(m, 48, 5, 4);
		put(m, 52, 64, 2);
		put(m, 54, 56, 2);
		put(m, 56, 1, 2);
		put(m, 64, FV_PT_LOAD, 4);
		put(m, 68, 5, 4);
		put(m, 72, 0, 8);
		put(m, 80, BASE, 8);
		put(m, 88, BASE, 8);
		put(m, 96, len, 8);
		put(m, 104, len, 8);
		put(m, 112, 0x1000, 8);
	} else {
		put(m, 24, CODE + entry, 4);
		put(m, 28, 52, 4);
		put(m, 36, 5, 4);
		put(m, 40, 52, 2);
		put(m, 42, 32, 2);
		put(m, 44, 1, 2);
		put(m, 52, FV_PT_LOAD, 4);
		put(m, 56, 0, 4);
		put(m, 60, BASE, 4);
		put(m, 64, BASE, 4);
		put(m, 68, len, 4);
		put(m, 72, len, 4);
		put(m, 76, 5, 4);
		put(m, 80, 0x1000, 4);
	}
	memcpy(m + CODE_OFF, p->b, p->n);
	if (fv_elf_parse(m, len, &l->e) != 0)
		fail_msg("the ELF made here does not parse: %s", l->e.error);
	l->c = fv_code_open(&l->e);
	assert_non_null(l->c);
	assert_string_equal(fv_code_lifter(l->c)->name, "riscv");
}

/* Lifts [CODE + from, CODE + to). */
static void lift(struct lifted *l, size_t from, size_t to)
{
	const struct fv_lifter *f = fv_code_lifter(l->c);
	fv_insns_free(&l->v);
	assert_int_equal(f->lift(fv_code_lifter_state(l->c), l->c, CODE + from, CODE + to, &l->v), 0);
}

static void done(struct lifted *l)
{
	fv_insns_free(&l->v);
	fv_code_close(l->c);
	fv_elf_free(&l->e);
	free(l->img);
}

/* The program lifted whole, with the entry at its start. */
static void run(struct lifted *l, int is64, const struct prog *p, size_t code_bytes)
{
	make_elf(l, is64, p, 0);
	lift(l, 0, code_bytes);
}

static const struct fv_insn *at(const struct lifted *l, size_t i)
{
	if (i >= l->v.n)
		fail_msg("instruction %zu asked for, %zu lifted", i, l->v.n);
	return &l->v.v[i];
}

/* The last instruction must be a call whose argument mask is argk and whose known args are vals. */
static void assert_args(const struct fv_insn *in, unsigned argk, const uint64_t *vals)
{
	assert_int_equal(in->kind, FV_IK_CALL);
	if (in->argk != argk)
		fail_msg("at 0x%llx: argument mask 0x%x, expected 0x%x", (unsigned long long)in->addr, in->argk, argk);
	for (unsigned i = 0; i < FV_NARGS; i++)
		if (argk & (1u << i))
			if (in->arg[i] != vals[i])
				fail_msg("at 0x%llx: a%u = 0x%llx, expected 0x%llx", (unsigned long long)in->addr, i,
					 (unsigned long long)in->arg[i], (unsigned long long)vals[i]);
}

/* One instruction alone: its kind, size and target. */
static void one(int is64, uint32_t w, unsigned kind, unsigned size, int64_t target)
{
	struct prog p = { .n = 0 };
	emit(&p, w);
	struct lifted l;
	run(&l, is64, &p, p.n);
	assert_int_equal(l.v.n, 1);
	const struct fv_insn *in = at(&l, 0);
	if (in->kind != kind || in->size != size)
		fail_msg("0x%08x: kind %u size %u, expected kind %u size %u", w, in->kind, in->size, kind, size);
	uint64_t want = target ? (uint64_t)((int64_t)CODE + target) & (is64 ? UINT64_MAX : 0xffffffffu) : 0;
	if (in->target != want)
		fail_msg("0x%08x: target 0x%llx, expected 0x%llx", w, (unsigned long long)in->target,
			 (unsigned long long)want);
	done(&l);
}

/* ---- tests ------------------------------------------------------------------------- */

static void control_flow(void **state)
{
	(void)state;
	for (int is64 = 0; is64 <= 1; is64++) {
		one(is64, JAL_RA_P100, FV_IK_CALL, 4, 0x100);
		one(is64, JAL_RA_MAXP, FV_IK_CALL, 4, 0xffffe);
		one(is64, JAL_RA_MAXN, FV_IK_CALL, 4, -0x100000);
		one(is64, J_M20, FV_IK_JUMP, 4, -0x20);
		one(is64, RET, FV_IK_RET, 4, 0);
		one(is64, JR_RA4, FV_IK_JUMP, 4, 0); /* not a return: ra + 4 */
		one(is64, JALR_RA_A5, FV_IK_CALL, 4, 0);
		one(is64, JALR_T1_T3, FV_IK_CALL, 4, 0);
		one(is64, BEQ_P40, FV_IK_CJUMP, 4, 0x40);
		one(is64, BNE_M8, FV_IK_CJUMP, 4, -8);
		one(is64, BLT_MAXP, FV_IK_CJUMP, 4, 0xffe);
		one(is64, BGE_MAXN, FV_IK_CJUMP, 4, -0x1000);
		one(is64, BLTU_P2, FV_IK_CJUMP, 4, 2);
		one(is64, BGEU_M2, FV_IK_CJUMP, 4, -2);
		one(is64, EBREAK, FV_IK_STOP, 4, 0);
		one(is64, UNIMP, FV_IK_STOP, 4, 0);
		one(is64, ECALL, FV_IK_OTHER, 4, 0);
		one(is64, FENCE, FV_IK_OTHER, 4, 0);
		one(is64, C_JR_RA, FV_IK_RET, 2, 0);
		one(is64, C_JALR_A5, FV_IK_CALL, 2, 0);
		one(is64, C_JR_A5, FV_IK_JUMP, 2, 0);
		one(is64, C_BEQZ_P20, FV_IK_CJUMP, 2, 0x20);
		one(is64, C_BNEZ_M10, FV_IK_CJUMP, 2, -0x10);
		one(is64, C_BEQZ_MAXP, FV_IK_CJUMP, 2, 0xfe);
		one(is64, C_BNEZ_MAXN, FV_IK_CJUMP, 2, -0x100);
		one(is64, C_J_MAXP, FV_IK_JUMP, 2, 0x7fe);
		one(is64, C_J_MAXN, FV_IK_JUMP, 2, -0x800);
		one(is64, C_EBREAK, FV_IK_STOP, 2, 0);
		one(is64, C_NOP, FV_IK_OTHER, 2, 0);
		/* Reserved encodings do not decode. */
		one(is64, C_UNIMP, FV_IK_STOP, 2, 0);
		one(is64, C_JR_ZERO, FV_IK_STOP, 2, 0);
		one(is64, C_LWSP_ZERO, FV_IK_STOP, 2, 0);
		one(is64, C_ADDI4SPN_0, FV_IK_STOP, 2, 0);
		one(is64, BRANCH_F3_2, FV_IK_STOP, 4, 0);
		one(is64, JALR_F3_1, FV_IK_STOP, 4, 0);
	}
	/* Where RV32 and RV64 differ: c.jal is RV32's, its encoding is c.addiw in RV64; addiw is RV64's. */
	one(0, C_JAL_P400, FV_IK_CALL, 2, 0x400);
	one(0, C_JAL_MAXN, FV_IK_CALL, 2, -0x800);
	one(1, C_JAL_P400, FV_IK_OTHER, 2, 0);
	one(0, ADDIW_A0_1, FV_IK_STOP, 4, 0);
	one(1, ADDIW_A0_1, FV_IK_OTHER, 4, 0);
	/* A backward target below address 0 wraps in the address width. */
	struct prog p = { .n = 0 };
	emit(&p, C_J_MAXN);
	struct lifted l;
	run(&l, 0, &p, p.n);
	assert_int_equal(at(&l, 0)->target, (CODE - 0x800) & 0xffffffffu);
	done(&l);
}

static void lengths_and_ranges(void **state)
{
	(void)state;
	struct prog p = { .n = 0 };
	emit_n(&p, LONG48, 6);
	emit(&p, C_NOP);
	emit_n(&p, LONG64, 8);
	emit(&p, NOP);
	struct lifted l;
	run(&l, 1, &p, p.n);
	assert_int_equal(l.v.n, 4);
	assert_int_equal(at(&l, 0)->kind, FV_IK_STOP);
	assert_int_equal(at(&l, 0)->size, 6);
	assert_int_equal(at(&l, 1)->addr, CODE + 6);
	assert_int_equal(at(&l, 1)->size, 2);
	assert_int_equal(at(&l, 2)->kind, FV_IK_STOP);
	assert_int_equal(at(&l, 2)->size, 8);
	assert_int_equal(at(&l, 3)->addr, CODE + 16);
	assert_int_equal(at(&l, 3)->size, 4);
	/* A range that ends inside a 32-bit instruction: one STOP of two bytes, then the last odd byte. */
	lift(&l, 16, 19);
	assert_int_equal(l.v.n, 2);
	assert_int_equal(at(&l, 0)->kind, FV_IK_STOP);
	assert_int_equal(at(&l, 0)->size, 2);
	assert_int_equal(at(&l, 1)->kind, FV_IK_STOP);
	assert_int_equal(at(&l, 1)->size, 1);
	/* Past the end of the file: nothing to decode, nothing made up. */
	lift(&l, 0, 0x100000);
	assert_int_equal(l.v.n, 4);
	lift(&l, 0x1000, 0x2000);
	assert_int_equal(l.v.n, 0);
	/* An empty and a reversed range. */
	lift(&l, 4, 4);
	assert_int_equal(l.v.n, 0);
	lift(&l, 8, 4);
	assert_int_equal(l.v.n, 0);
	done(&l);
}

static void constants(void **state)
{
	(void)state;
	struct lifted l;
	uint64_t v[FV_NARGS] = { 0 };

	/* lui + addi; li; a 32-bit lui sign-extends on RV64, and addiw wraps at 32 bits. */
	struct prog p = { .n = 0 };
	const uint32_t a[] = { LUI_A0_12345, ADDI_A0_678, LI_A3_5, JAL_RA_P100,
			       LUI_A0_80000, JAL_RA_P100, LUI_A0_80000, ADDIW_A0_M1, JAL_RA_P100 };
	emit_all(&p, a, sizeof a / sizeof *a);
	run(&l, 1, &p, p.n);
	v[0] = 0x12345678;
	v[3] = 5;
	assert_args(at(&l, 3), 0x9, v);
	v[0] = 0xffffffff80000000ull;
	assert_args(at(&l, 5), 0x1, v);
	v[0] = 0x7fffffff;
	assert_args(at(&l, 8), 0x1, v);
	done(&l);
	/* On RV32 the same lui is 0x80000000. */
	run(&l, 0, &p, p.n);
	v[0] = 0x80000000u;
	assert_args(at(&l, 5), 0x1, v);
	done(&l);

	/* auipc + addi: relative to the auipc; auipc ra + jalr ra is a call to a constant. */
	p.n = 0;
	const uint32_t b[] = { AUIPC_A1_1, ADDI_A1_M16, AUIPC_RA_FFFFF, JALR_RA_M12 };
	emit_all(&p, b, sizeof b / sizeof *b);
	run(&l, 1, &p, p.n);
	v[1] = CODE + 0x1000 - 16;
	assert_args(at(&l, 3), 0x2, v);
	assert_int_equal(at(&l, 3)->target, CODE + 8 - 0x1000 - 12);
	done(&l);
	run(&l, 0, &p, p.n);
	assert_int_equal(at(&l, 3)->target, (CODE + 8 - 0x1000 - 12) & 0xffffffffu);
	done(&l);

	/* Compressed: c.li, c.lui (both signs), c.addi, c.mv, c.add, c.addiw; add; x0 stays 0. */
	p.n = 0;
	const uint32_t c[] = { C_LI_A2_M1, C_LI_A3_31, C_LUI_A0_FFFE0, C_ADDI_A0_M3, C_MV_A1_A0, JAL_RA_P100,
			       C_LUI_A0_1F, C_ADDI_A0_31, C_MV_A1_A0, C_ADD_A1_A0, C_ADDIW_A0_1, LI_A3_5,
			       ADD_A0_A1_A2, JAL_RA_P100 };
	emit_all(&p, c, sizeof c / sizeof *c);
	run(&l, 1, &p, p.n);
	v[0] = 0xfffffffffffdfffdull;
	v[1] = 0xfffffffffffdfffdull;
	v[2] = UINT64_MAX;
	v[3] = 31;
	assert_args(at(&l, 5), 0xf, v);
	/* After the call a0-a3 are gone; c.lui 0x1f + 31 = 0x1f01f, a1 = 2 * that, a0 = a1 + a2 (unknown). */
	v[1] = 0x3e03e;
	v[3] = 5;
	assert_args(at(&l, 13), 0xa, v);
	done(&l);
	/* sub is not add: with both operands known the result is still forgotten (only add is modelled). */
	p.n = 0;
	const uint32_t e[] = { C_LI_A2_M1, C_LUI_A0_1F, C_MV_A1_A0, SUB_A0_A1_A2, JAL_RA_P100 };
	emit_all(&p, e, sizeof e / sizeof *e);
	run(&l, 1, &p, p.n);
	v[1] = 0x1f000;
	v[2] = UINT64_MAX;
	assert_args(at(&l, 4), 0x6, v);
	done(&l);
	p.n = 0;
	/* A write to x0 changes nothing: li a3 (addi a3, zero, 5) after it is still 5; a1 = a0 is unknown. */
	const uint32_t d[] = { ADDI_ZERO_5, LI_A3_5, C_MV_A1_A0, JAL_RA_P100 };
	emit_all(&p, d, sizeof d / sizeof *d);
	run(&l, 1, &p, p.n);
	v[3] = 5;
	assert_args(at(&l, 3), 0x8, v);
	done(&l);
}

static void loads_and_slots(void **state)
{
	(void)state;
	struct lifted l;
	uint64_t v[FV_NARGS] = { 0 };

	/* auipc a5; ld a5, 16(a5); jalr a5: a call through a GOT slot. */
	struct prog p = { .n = 0 };
	emit(&p, AUIPC_A5_0);   /* 0 */
	emit(&p, LD_A5_16);     /* 4: a5 = [CODE + 16] */
	emit(&p, C_MV_A1_A0);   /* 8 */
	emit(&p, JALR_RA_A5);   /* 10 */
	emit(&p, C_NOP);        /* 14 */
	emit64(&p, 0x1122334455667788ull);
	run(&l, 1, &p, 16);
	assert_int_equal(at(&l, 3)->kind, FV_IK_CALL);
	assert_int_equal(at(&l, 3)->slot, CODE + 16);
	assert_int_equal(at(&l, 3)->target, 0);
	done(&l);

	/* c.ld through an auipc'd base: the word; on RV64 c.lw sign-extends. */
	p.n = 0;
	emit(&p, AUIPC_A4_0);    /* 0 */
	emit(&p, C_LD_A0_16_A4); /* 4: a0 = [CODE + 16] */
	emit(&p, NOP);           /* 6 */
	emit(&p, JAL_RA_P100);   /* 10 */
	emit(&p, C_NOP);         /* 14 */
	emit64(&p, 0x80000000fedcba98ull);
	run(&l, 1, &p, 16);
	v[0] = 0x80000000fedcba98ull;
	assert_args(at(&l, 3), 0x1, v);
	done(&l);
	/* In RV32 that encoding is c.flw, which writes no integer register. */
	run(&l, 0, &p, 16);
	assert_int_equal(at(&l, 1)->size, 2);
	assert_int_equal(at(&l, 3)->argk, 0);
	done(&l);
	/* RV32: c.lw a0, 16(a4) reads four bytes, kept as they are. */
	p.b[4] = (uint8_t)C_LW_A0_16_A4;
	p.b[5] = (uint8_t)(C_LW_A0_16_A4 >> 8);
	run(&l, 0, &p, 16);
	v[0] = 0xfedcba98u;
	assert_args(at(&l, 3), 0x1, v);
	done(&l);

	/* A load from an address outside the file: the value is unknown, the slot still named. */
	p.n = 0;
	emit(&p, AUIPC_RA_FFFFF); /* ra = CODE - 0x1000: not in the file */
	emit(&p, LUI_A0_12345);
	emit(&p, JAL_RA_P8);      /* clobbers a0 */
	emit(&p, AUIPC_A5_0);
	emit(&p, LD_A5_16);
	emit(&p, JALR_RA_A5);
	run(&l, 1, &p, p.n);
	assert_int_equal(at(&l, 5)->slot, CODE + 12 + 16);
	done(&l);
}

static void what_is_forgotten(void **state)
{
	(void)state;
	struct lifted l;
	uint64_t v[FV_NARGS] = { 0 };
	/* Each of these writes a0 (or a1): after it the register is no longer a constant. */
	static const uint32_t writers[] = { SLLI_A0_2, CSRRS_A0,  MUL_A0,    FMV_X_W_A0, AMOADD_A0, LB_A0_A1,
					    SUB_A0_A1_A2, C_SLLI_A0, C_SRLI_A0, C_SUB_A0_A1, C_LDSP_A0,
					    C_ADDI4SPN_A0 };
	for (size_t i = 0; i < sizeof writers / sizeof *writers; i++) {
		struct prog p = { .n = 0 };
		emit(&p, LUI_A0_12345);
		emit(&p, LI_A3_5);
		emit(&p, writers[i]);
		emit(&p, JAL_RA_P100);
		run(&l, 1, &p, p.n);
		v[3] = 5;
		if (at(&l, 3)->argk != 0x8)
			fail_msg("0x%08x should forget a0 and keep a3: argk 0x%x", writers[i], at(&l, 3)->argk);
		done(&l);
	}
	/* These write no integer register (stores, fld into fa0, fence, c.lwsp into a1, c.andi into s1). */
	static const uint32_t keepers[] = { SD_A0, FLD_FA0, FENCE, C_SD_A0, C_LWSP_A1, C_ANDI_S1, ECALL, C_NOP };
	for (size_t i = 0; i < sizeof keepers / sizeof *keepers; i++) {
		struct prog p = { .n = 0 };
		emit(&p, LUI_A0_12345);
		emit(&p, keepers[i]);
		emit(&p, JAL_RA_P100);
		run(&l, 1, &p, p.n);
		v[0] = 0x12345000;
		assert_args(at(&l, 2), 0x1, v);
		done(&l);
	}
	/* A call forgets the argument registers.  */
	struct prog p = { .n = 0 };
	emit(&p, LUI_A0_12345);
	emit(&p, C_LI_A3_31);
	emit(&p, JAL_RA_P100);
	emit(&p, JAL_RA_P100);
	/* A jump forgets everything: the next instruction is reached from elsewhere. */
	emit(&p, C_LI_A3_31);
	emit(&p, C_J_MAXP);
	emit(&p, JAL_RA_P100);
	run(&l, 1, &p, p.n);
	assert_int_equal(at(&l, 2)->argk, 0x9);
	assert_int_equal(at(&l, 3)->argk, 0);
	assert_int_equal(at(&l, 6)->argk, 0);
	done(&l);
}

/* A jump out of the range is a tail call and carries the arguments; a jump inside it does not. */
static void tail_calls(void **state)
{
	(void)state;
	struct prog p = { .n = 0 };
	emit(&p, C_LI_A3_31);
	emit(&p, C_J_MAXP);  /* out of the range */
	emit(&p, C_LI_A3_31);
	emit(&p, C_BEQZ_P20);
	emit(&p, C_LI_A3_31);
	emit(&p, J_M20);     /* out, backwards */
	emit(&p, C_LI_A3_31);
	emit(&p, C_JR_A5);   /* unknown target: no arguments */
	for (int i = 0; i < 16; i++)
		emit(&p, C_NOP);
	struct lifted l;
	run(&l, 1, &p, p.n);
	assert_int_equal(at(&l, 1)->kind, FV_IK_JUMP);
	assert_int_equal(at(&l, 1)->argk, 0x8);
	assert_int_equal(at(&l, 1)->arg[3], 31);
	assert_int_equal(at(&l, 5)->argk, 0x8);
	assert_int_equal(at(&l, 7)->argk, 0);
	/* The same jumps inside a range that holds their targets are not tail calls. */
	lift(&l, 0, 0x801);
	assert_int_equal(at(&l, 1)->argk, 0);
	done(&l);
}

static void global_pointer(void **state)
{
	(void)state;
	struct lifted l;
	uint64_t v[FV_NARGS] = { 0 };
	uint64_t gp = CODE + 0x2000 + 0x30;

	/* _start loads gp itself (musl, uClibc). */
	struct prog p = { .n = 0 };
	emit(&p, AUIPC_GP_2);    /* 0 */
	emit(&p, ADDI_GP_30);    /* 4 */
	emit(&p, C_JR_RA);       /* 8 */
	emit(&p, ADDI_A0_GP_M8); /* 10: a function using gp */
	emit(&p, JAL_RA_P100);
	emit(&p, ADDI_A0_GP_M8); /* gp survives a call */
	emit(&p, C_J_MAXP);
	emit(&p, ADDI_A0_GP_M8); /* and a jump */
	emit(&p, JAL_RA_P100);
	make_elf(&l, 1, &p, 0);
	lift(&l, 10, p.n);
	v[0] = gp - 8;
	assert_args(at(&l, 1), 0x1, v);
	assert_args(at(&l, 5), 0x1, v);
	done(&l);

	/* _start calls a function that loads it (glibc's load_gp). */
	p.n = 0;
	emit(&p, JAL_RA_P8);     /* 0: call CODE + 8 */
	emit(&p, C_JR_RA);       /* 4 */
	emit(&p, C_NOP);         /* 6 */
	emit(&p, AUIPC_GP_2);    /* 8: gp = CODE + 8 + 0x2030 */
	emit(&p, ADDI_GP_30);
	emit(&p, C_JR_RA);
	emit(&p, ADDI_A0_GP_M8); /* 18 */
	emit(&p, JAL_RA_P100);
	make_elf(&l, 1, &p, 0);
	lift(&l, 18, p.n);
	v[0] = gp + 8 - 8;
	assert_args(at(&l, 1), 0x1, v);
	done(&l);

	/* An entry that returns before any gp load: gp is unknown. */
	make_elf(&l, 1, &p, 4);
	lift(&l, 18, p.n);
	assert_int_equal(at(&l, 1)->argk, 0);
	done(&l);
}

static void plt_stubs(void **state)
{
	(void)state;
	struct lifted l;
	uint64_t slot = 0;
	struct prog p = { .n = 0 };
	const uint32_t rv64[] = { AUIPC_T3_2, LD_T3_M8, JALR_T1_T3, NOP };
	const uint32_t rv32[] = { AUIPC_T3_2, LW_T3_M8, JALR_T1_T3, NOP };
	const uint32_t other[] = { AUIPC_T3_2, LD_T3_M8_T2, JALR_T1_T3, NOP }; /* loads through t2, not t3 */

	emit_all(&p, rv64, 4);
	make_elf(&l, 1, &p, 0);
	const struct fv_lifter *f = fv_code_lifter(l.c);
	void *st = fv_code_lifter_state(l.c);
	assert_int_equal(f->stub(st, l.c, CODE, &slot), 1);
	assert_int_equal(slot, CODE + 0x2000 - 8);
	assert_int_equal(f->stub(st, l.c, CODE + 4, &slot), 0);
	assert_int_equal(f->stub(st, l.c, CODE + 8, &slot), 0); /* fewer than 12 bytes left */
	assert_int_equal(f->stub(st, l.c, 0x12345678, &slot), 0);
	done(&l);
	/* An RV32 stub loads with lw; ld is not an RV32 stub. */
	make_elf(&l, 0, &p, 0);
	f = fv_code_lifter(l.c);
	assert_int_equal(f->stub(fv_code_lifter_state(l.c), l.c, CODE, &slot), 0);
	done(&l);
	p.n = 0;
	emit_all(&p, rv32, 4);
	make_elf(&l, 0, &p, 0);
	f = fv_code_lifter(l.c);
	assert_int_equal(f->stub(fv_code_lifter_state(l.c), l.c, CODE, &slot), 1);
	assert_int_equal(slot, CODE + 0x2000 - 8);
	done(&l);
	p.n = 0;
	emit_all(&p, other, 4);
	make_elf(&l, 1, &p, 0);
	f = fv_code_lifter(l.c);
	assert_int_equal(f->stub(fv_code_lifter_state(l.c), l.c, CODE, &slot), 0);
	done(&l);
}

/* Random bytes: every byte of the range is covered once, in order, and nothing is read outside it. */
static void random_bytes(void **state)
{
	(void)state;
	for (uint32_t seed = 1; seed <= 64; seed++) {
		struct prog p = { .n = 0 };
		size_t n = 100 + seed * 5;
		fv_test_fill_random(p.b, n, seed);
		p.n = n;
		struct lifted l;
		make_elf(&l, seed & 1, &p, seed % 7);
		size_t from = seed % 5, to = n - seed % 3;
		lift(&l, from, to);
		uint64_t a = CODE + from;
		for (size_t i = 0; i < l.v.n; i++) {
			const struct fv_insn *in = &l.v.v[i];
			if (in->addr != a || in->size == 0 || in->kind > FV_IK_STOP)
				fail_msg("seed %u: instruction %zu at 0x%llx size %u kind %u, expected at 0x%llx", seed,
					 i, (unsigned long long)in->addr, in->size, in->kind, (unsigned long long)a);
			a += in->size;
		}
		assert_int_equal(a, CODE + to);
		done(&l);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encodings_are_what_as_writes),
		cmocka_unit_test(control_flow),
		cmocka_unit_test(lengths_and_ranges),
		cmocka_unit_test(constants),
		cmocka_unit_test(loads_and_slots),
		cmocka_unit_test(what_is_forgotten),
		cmocka_unit_test(tail_calls),
		cmocka_unit_test(global_pointer),
		cmocka_unit_test(plt_stubs),
		cmocka_unit_test(random_bytes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
