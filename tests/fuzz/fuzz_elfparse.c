/* libFuzzer harness for our ELF reader: parse, then walk every table and iterator. */
#include "analyze/elf/elf.h"

#include <stdlib.h>
#include <string.h>

/* Touch every byte of a name, so ASan sees a read past its table. */
static size_t touch(const char *s)
{
	return s ? strlen(s) : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fv_elf e;
	if (fv_elf_parse(data, size, &e) != 0) {
		fv_elf_free(&e);
		return 0;
	}
	size_t n = touch(fv_elf_interp(&e)) + touch(fv_elf_machine(&e)), it = 0;
	struct fv_elf_phdr ph;
	struct fv_elf_shdr sh;
	struct fv_elf_dyn dy;
	struct fv_elf_sym sym;
	for (size_t i = 0; fv_elf_phdr(&e, i, &ph); i++)
		n++;
	for (size_t i = 0; fv_elf_shdr(&e, i, &sh); i++)
		n++;
	for (size_t i = 0; fv_elf_dyn(&e, i, &dy); i++)
		n++;
	const char *name;
	while (fv_elf_next_needed(&e, &it, &name))
		n += touch(name);
	for (it = 0; fv_elf_next_import(&e, &it, &sym);)
		n += touch(sym.name);
	for (it = 0; fv_elf_next_export(&e, &it, &sym);)
		n += touch(sym.name);
	n += (size_t)fv_elf_imports(&e, "connect") + (size_t)fv_elf_defines(&e, "socket");
	fv_elf_free(&e);
	return n == (size_t)-1; /* keeps n alive */
}
