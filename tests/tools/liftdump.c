/*
 * liftdump FILE [START END]: what a lifter makes of an ELF's code, one line
 * per instruction, for tests and for people comparing a lifter with
 * `objdump -d`.  Without a range, every function symbol with a size is
 * lifted (or, with none, every executable segment).  A call's constant
 * arguments that point at a printable string are shown as that string.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze/elf/code.h"

static const char *const kinds[] = { "other", "call", "jump", "cjump", "ret", "stop" };

static void show_string(const struct fv_code *c, uint64_t a)
{
	size_t avail;
	const uint8_t *p = fv_code_bytes(c, a, &avail);
	if (!p)
		return;
	size_t n = 0;
	while (n < avail && n < 60 && p[n] && (isprint(p[n]) || p[n] == '\n'))
		n++;
	if (n >= 2 && n < avail && (p[n] == 0 || n == 60))
		printf(" \"%.*s\"", (int)n, (const char *)p);
}

static void dump(const struct fv_code *c, uint64_t start, uint64_t end, const char *name)
{
	const struct fv_lifter *l = fv_code_lifter(c);
	struct fv_insns v = { 0 };
	if (l->lift(fv_code_lifter_state(c), c, start, end, &v) != 0) {
		fprintf(stderr, "liftdump: out of memory\n");
		exit(2);
	}
	printf("function %s 0x%llx-0x%llx\n", name, (unsigned long long)start, (unsigned long long)end);
	for (size_t i = 0; i < v.n; i++) {
		const struct fv_insn *in = &v.v[i];
		printf("  0x%llx %s %u", (unsigned long long)in->addr, kinds[in->kind % 6], in->size);
		if (in->delay)
			printf(" delay");
		if (in->target) {
			uint64_t slot;
			printf(" target=0x%llx", (unsigned long long)in->target);
			if (l->stub(fv_code_lifter_state(c), c, in->target, &slot))
				printf(" stub-slot=0x%llx", (unsigned long long)slot);
		}
		if (in->slot)
			printf(" slot=0x%llx", (unsigned long long)in->slot);
		for (unsigned a = 0; a < FV_NARGS; a++)
			if (in->argk & (1u << a)) {
				printf(" a%u=0x%llx", a, (unsigned long long)in->arg[a]);
				show_string(c, in->arg[a]);
			}
		putchar('\n');
	}
	fv_insns_free(&v);
}

int main(int argc, char **argv)
{
	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: liftdump FILE [START END]\n");
		return 2;
	}
	int fd = open(argv[1], O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) {
		perror(argv[1]);
		return 2;
	}
	void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	struct fv_elf e;
	if (fv_elf_parse(m, (size_t)st.st_size, &e) != 0) {
		fprintf(stderr, "liftdump: %s\n", e.error);
		return 2;
	}
	struct fv_code *c = fv_code_open(&e);
	if (!c) {
		fprintf(stderr, "liftdump: no lifter for %s\n", fv_elf_machine(&e));
		return 2;
	}
	if (argc == 4) {
		dump(c, strtoull(argv[2], NULL, 0), strtoull(argv[3], NULL, 0), "range");
	} else {
		size_t n = 0;
		struct fv_elf_sym s;
		for (size_t i = 0; fv_elf_sym(&e, &e.symtab, i, &s); i++)
			if (s.type == FV_STT_FUNC && s.size && s.shndx != FV_SHN_UNDEF) {
				/* On ARM bit 0 of a symbol marks Thumb code; elsewhere it is the address. */
				uint64_t lo = e.machine == 40 ? s.value & ~1ull : s.value;
				dump(c, s.value, lo + s.size, s.name);
				n++;
			}
		struct fv_elf_phdr ph;
		for (size_t i = 0; !n && fv_elf_phdr(&e, i, &ph); i++)
			if (ph.type == FV_PT_LOAD && (ph.flags & 1))
				dump(c, ph.vaddr, ph.vaddr + ph.filesz, "segment");
	}
	fv_code_close(c);
	fv_elf_free(&e);
	return 0;
}
