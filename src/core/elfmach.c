#include "core/elfmach.h"

#include <stddef.h>

static const struct {
	uint16_t em;
	const char *arch, *desc;
} machines[] = {
	{ 2, "sparc", "SPARC" },
	{ 3, "x86", "x86" },
	{ 4, "m68k", "m68k" },
	{ 8, "mips", "MIPS" },
	{ 10, "mips", "MIPS RS3000 LE" },
	{ 15, "parisc", "PA-RISC" },
	{ 18, "sparc", "SPARC32+" },
	{ 20, "powerpc", "PowerPC" },
	{ 21, "powerpc64", "PPC64" },
	{ 22, "s390", "S/390" },
	{ 40, "arm", "ARM" },
	{ 42, "sh", "SH" },
	{ 43, "sparc64", "SPARC V9" },
	{ 44, "tricore", "TriCore" },
	{ 45, "arc", "ARC" },
	{ 46, "h8300", "H8/300" },
	{ 50, "ia64", "IA-64" },
	{ 62, "x86-64", "x86-64" },
	{ 76, "cris", "CRIS" },
	{ 83, "avr", "AVR" },
	{ 87, "v850", "V850" },
	{ 88, "m32r", "M32R" },
	{ 92, "openrisc", "OpenRISC" },
	{ 93, "arc", "ARCompact" },
	{ 94, "xtensa", "Xtensa" },
	{ 105, "msp430", "MSP430" },
	{ 106, "blackfin", "Blackfin" },
	{ 113, "nios2", "Nios II" },
	{ 164, "hexagon", "Hexagon" },
	{ 167, "nds32", "NDS32" },
	{ 183, "aarch64", "AArch64" },
	{ 189, "microblaze", "MicroBlaze" },
	{ 195, "arc", "ARCv2" },
	{ 243, "riscv", "RISC-V" },
	{ 247, "bpf", "BPF" },
	{ 252, "csky", "C-SKY" },
	{ 258, "loongarch", "LoongArch" },
	{ 0x9026, "alpha", "Alpha" },
};

static size_t find(uint16_t em)
{
	size_t i = 0;
	while (i < sizeof machines / sizeof *machines && machines[i].em != em)
		i++;
	return i;
}

const char *fv_elf_arch(uint16_t em)
{
	size_t i = find(em);
	return i < sizeof machines / sizeof *machines ? machines[i].arch : NULL;
}

const char *fv_elf_machine_desc(uint16_t em)
{
	size_t i = find(em);
	return i < sizeof machines / sizeof *machines ? machines[i].desc : NULL;
}
