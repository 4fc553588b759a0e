/*
 * libFuzzer harness for our ELF reader: parse, then walk every table and
 * iterator, build the slot table, read versions and notes, and judge the
 * hardening (with the shipped fortify list, loaded once).
 */
#include "analyze/elf/elf.h"
#include "analyze/elf/harden.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Touch every byte of a name, so ASan sees a read past its table. */
static size_t touch(const char *s)
{
	return s ? strlen(s) : 0;
}

static struct fv_fortify g_fortify;
static int g_fortify_loaded;

static const struct fv_fortify *fortify(void)
{
	if (!g_fortify_loaded) {
		const char *rules = getenv("FWVET_RULES");
		char err[512];
		g_fortify_loaded = 1;
		if (fv_fortify_load(&g_fortify, rules ? rules : FV_SOURCE_RULES, err, sizeof err) != 0)
			fprintf(stderr, "fuzz_elfparse: %s (fortify counts without a list)\n", err);
	}
	return g_fortify.n ? &g_fortify : NULL;
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
		n += touch(sh.name);
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

	/* Versions: every dynamic symbol's, and every needed pair. */
	for (size_t i = 0; i < e.dynsym.count; i++) {
		const char *file;
		int hidden;
		n += touch(fv_elf_sym_version(&e, i, &file, &hidden)) + touch(file) + (size_t)hidden;
	}
	struct fv_elf_iter vi = { 0 };
	struct fv_elf_verneed vn;
	while (fv_elf_next_verneed(&e, &vi, &vn))
		n += touch(vn.file) + touch(vn.version) + vn.index;
	/* Notes: every byte of each descriptor. */
	struct fv_elf_iter ni = { 0 };
	struct fv_elf_note note;
	while (fv_elf_next_note(&e, &ni, &note)) {
		n += touch(note.name);
		for (size_t k = 0; k < note.descsz; k++)
			n += note.desc[k];
	}
	char id[2 * FV_ELF_BUILD_ID_MAX + 1];
	n += fv_elf_build_id(&e, id) + touch(id) + fv_elf_gnu_properties(&e);
	n += (size_t)fv_elf_section(&e, ".dynsym", &sh, NULL) + (size_t)fv_elf_mips_gp(&e);

	/* Slots: the table, each found again by its address. */
	if (fv_elf_load_slots(&e) == 0) {
		const struct fv_elf_slot *s;
		for (size_t i = 0; (s = fv_elf_slot(&e, i)) != NULL; i++) {
			n += touch(s->name);
			if (fv_elf_slot_at(&e, s->addr) != s)
				abort();
		}
	}

	struct fv_hardening h;
	fv_harden(&e, fortify(), &h);
	n += touch(h.rpath) + touch(h.runpath) + touch(h.interp) + h.fortified + (size_t)h.nx;
	fv_elf_free(&e);
	return n == (size_t)-1; /* keeps n alive */
}
