/*
 * The code view (see code.h): memory reads for the lifters and the lifter
 * table.  What every architecture shares above the lifters is flow.c.
 */
#include "analyze/elf/code.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"

/* One declaration per lifter (lift_<arch>.c). */
extern const struct fv_lifter fv_lifter_x86;
extern const struct fv_lifter fv_lifter_riscv;
extern const struct fv_lifter fv_lifter_mips;
extern const struct fv_lifter fv_lifter_ppc;
extern const struct fv_lifter fv_lifter_arm;
extern const struct fv_lifter fv_lifter_arm64;

static const struct fv_lifter *const lifters[] = {
	&fv_lifter_x86,
	&fv_lifter_riscv,
	&fv_lifter_mips,
	&fv_lifter_ppc,
	&fv_lifter_arm,
	&fv_lifter_arm64,
	NULL,
};

struct fv_code {
	const struct fv_elf *elf;
	const struct fv_lifter *lifter;
	void *st;
	uint64_t mips_gp;
};

struct fv_insn *fv_insns_push(struct fv_insns *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 256;
		struct fv_insn *p = realloc(v->v, cap * sizeof *p);
		if (!p)
			return NULL;
		v->v = p;
		v->cap = cap;
	}
	struct fv_insn *i = &v->v[v->n++];
	memset(i, 0, sizeof *i);
	return i;
}

void fv_insns_free(struct fv_insns *v)
{
	free(v->v);
	memset(v, 0, sizeof *v);
}

const struct fv_lifter *fv_lifter_for(const struct fv_elf *e)
{
	for (size_t i = 0; lifters[i]; i++)
		if (lifters[i]->accepts(e))
			return lifters[i];
	return NULL;
}

const struct fv_elf *fv_code_elf(const struct fv_code *c) { return c->elf; }
const struct fv_lifter *fv_code_lifter(const struct fv_code *c) { return c->lifter; }
void *fv_code_lifter_state(const struct fv_code *c) { return c->st; }
uint64_t fv_code_mips_gp(const struct fv_code *c) { return c->mips_gp; }

const uint8_t *fv_code_bytes(const struct fv_code *c, uint64_t vaddr, size_t *avail)
{
	const struct fv_elf *e = c->elf;
	struct fv_elf_phdr ph;
	for (size_t i = 0; fv_elf_phdr(e, i, &ph); i++) {
		if (ph.type != FV_PT_LOAD || vaddr < ph.vaddr || vaddr - ph.vaddr >= ph.filesz)
			continue;
		uint64_t rel = vaddr - ph.vaddr;
		if (ph.offset > e->len || rel >= e->len - ph.offset)
			continue;
		uint64_t n = ph.filesz - rel, left = e->len - ph.offset - rel;
		*avail = (size_t)(n < left ? n : left);
		return e->data + ph.offset + rel;
	}
	*avail = 0;
	return NULL;
}

int fv_code_read(const struct fv_code *c, uint64_t vaddr, unsigned n, uint64_t *out)
{
	size_t avail;
	const uint8_t *p = fv_code_bytes(c, vaddr, &avail);
	if (!p || avail < n || (n != 1 && n != 2 && n != 4 && n != 8))
		return 0;
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[c->elf->be ? i : n - 1 - i] << (8 * (n - 1 - i));
	*out = v;
	return 1;
}

struct fv_code *fv_code_open(const struct fv_elf *e)
{
	const struct fv_lifter *l = fv_lifter_for(e);
	if (!l)
		return NULL;
	struct fv_code *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->elf = e;
	c->lifter = l;
	c->mips_gp = fv_elf_mips_gp(e);
	c->st = l->open(c);
	if (!c->st) {
		free(c);
		return NULL;
	}
	return c;
}

void fv_code_close(struct fv_code *c)
{
	if (!c)
		return;
	c->lifter->close(c->st);
	free(c);
}
