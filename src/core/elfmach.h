/*
 * ELF machine numbers (e_machine), named once for every stage: the unpacker
 * describes an ELF chunk, the inventory records a file's architecture, and
 * the ELF reader reports it.
 */
#ifndef FV_CORE_ELFMACH_H
#define FV_CORE_ELFMACH_H

#include <stdint.h>

/* The short name reports use ("mips", "aarch64", "x86-64"), or NULL when unknown. */
const char *fv_elf_arch(uint16_t em);
/* The name people write ("MIPS", "AArch64", "x86-64"), or NULL when unknown. */
const char *fv_elf_machine_desc(uint16_t em);

#endif
