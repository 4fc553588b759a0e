/*
 * Hardening of one ELF file (see harden.h, and docs/hardening.md for each
 * field against checksec 2.6.0).
 */
#include "analyze/elf/harden.h"

#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

enum { EM_386 = 3, EM_MIPS = 8, EM_PPC = 20, EM_PPC64 = 21, EM_S390 = 22, EM_X86_64 = 62, EM_AARCH64 = 183,
       EM_RISCV = 243 };

/* ---- the fortify list ---------------------------------------------------------- */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int ferr(char *err, size_t cap, int rc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int ferr(char *err, size_t cap, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (cap)
		vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return rc;
}

int fv_fortify_load(struct fv_fortify *f, const char *rules_dir, char *err, size_t errcap)
{
	memset(f, 0, sizeof *f);
	char path[4096];
	snprintf(path, sizeof path, "%s/hardening/fortify.txt", rules_dir);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return ferr(err, errcap, FV_EIO, "%s: cannot open: %s", path, strerror(errno));
	size_t cap = 0, len = 0;
	char *text = NULL;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			size_t ncap = cap ? cap * 2 : 8192;
			char *t = realloc(text, ncap);
			if (!t) {
				free(text);
				fclose(fp);
				return ferr(err, errcap, FV_ENOMEM, "%s: out of memory", path);
			}
			text = t;
			cap = ncap;
		}
		size_t got = fread(text + len, 1, 4096, fp);
		len += got;
		if (got < 4096)
			break;
	}
	int bad = ferror(fp);
	fclose(fp);
	if (bad) {
		free(text);
		return ferr(err, errcap, FV_EIO, "%s: read error", path);
	}
	text[len] = 0;
	/* At most one name per line: count the lines for the array. */
	size_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	const char **names = malloc(lines * sizeof *names);
	if (!names) {
		free(text);
		return ferr(err, errcap, FV_ENOMEM, "%s: out of memory", path);
	}
	size_t n = 0, lineno = 0;
	for (char *p = text; *p;) {
		char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
		lineno++;
		char *hash = memchr(p, '#', (size_t)(end - p));
		char *e = hash ? hash : end;
		while (p < e && isspace((unsigned char)*p))
			p++;
		while (e > p && isspace((unsigned char)e[-1]))
			e--;
		if (e > p) {
			for (char *q = p; q < e; q++)
				if (!(isalnum((unsigned char)*q) || *q == '_') || (q == p && isdigit((unsigned char)*q))) {
					int rc = ferr(err, errcap, FV_EFORMAT,
						      "%s:%zu: expected a C function name, found \"%.*s\"", path, lineno,
						      (int)(e - p > 60 ? 60 : e - p), p);
					free(names);
					free(text);
					return rc;
				}
			*e = 0;
			names[n++] = p;
		}
		p = nl ? nl + 1 : end;
	}
	if (n == 0) {
		free(names);
		free(text);
		return ferr(err, errcap, FV_EFORMAT, "%s: lists no function", path);
	}
	qsort(names, n, sizeof *names, name_cmp);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || strcmp(names[k - 1], names[i]) != 0)
			names[k++] = names[i];
	f->text = text;
	f->names = names;
	f->n = k;
	return 0;
}

void fv_fortify_free(struct fv_fortify *f)
{
	free(f->names);
	free(f->text);
	memset(f, 0, sizeof *f);
}

int fv_fortify_has(const struct fv_fortify *f, const char *name)
{
	return f && f->n && bsearch(&name, f->names, f->n, sizeof *f->names, name_cmp) != NULL;
}

/* ---- the checks -------------------------------------------------------------------- */

const char *fv_harden_pie_name(int pie)
{
	switch (pie) {
	case FV_PIE_YES: return "yes";
	case FV_PIE_DSO: return "dso";
	case FV_PIE_REL: return "rel";
	default: return "no";
	}
}

const char *fv_harden_relro_name(int relro)
{
	return relro == FV_RELRO_FULL ? "full" : relro == FV_RELRO_PARTIAL ? "partial" : "none";
}

/*
 * Without PT_GNU_STACK the kernel maps the stack with its default data
 * flags, and on most architectures also sets READ_IMPLIES_EXEC.  Only
 * 64-bit PowerPC, RISC-V and s390x have always mapped it non-executable;
 * x86-64 and AArch64 do so since Linux 5.8, which firmware rarely runs, so
 * they count as executable here (docs/hardening.md).
 */
int fv_harden_stack_exec_default(const struct fv_elf *e)
{
	switch (e->machine) {
	case EM_PPC64: return 0;
	case EM_RISCV: return 0;
	case EM_S390: return e->cls != 64;
	default: return 1;
	}
}

static void nx_check(const struct fv_elf *e, struct fv_hardening *h)
{
	struct fv_elf_phdr ph;
	int seen = 0, exec = 0;
	/* The kernel takes the last PT_GNU_STACK; only its execute bit matters. */
	for (size_t i = 0; fv_elf_phdr(e, i, &ph); i++)
		if (ph.type == FV_PT_GNU_STACK) {
			seen = 1;
			exec = (ph.flags & FV_PF_X) != 0;
		}
	h->nx_default = !seen;
	h->nx = seen ? !exec : !fv_harden_stack_exec_default(e);
}

static void pie_check(const struct fv_elf *e, struct fv_hardening *h)
{
	switch (e->type) {
	case FV_ET_EXEC: h->pie = FV_PIE_NO; return;
	case FV_ET_REL: h->pie = FV_PIE_REL; return;
	case FV_ET_DYN: break;
	default: h->pie = FV_PIE_NO; return;
	}
	/*
	 * A shared object is an executable when the linker made it one: it
	 * gave it DT_DEBUG (for the debugger's link map; libraries have none)
	 * or marked it DF_1_PIE (binutils 2.31 and later).
	 */
	int pie = (e->dt_flags_1 & FV_DF_1_PIE) != 0;
	struct fv_elf_dyn d;
	for (size_t i = 0; !pie && fv_elf_dyn(e, i, &d); i++)
		pie = d.tag == FV_DT_DEBUG;
	h->pie = pie ? FV_PIE_YES : FV_PIE_DSO;
}

static void relro_check(const struct fv_elf *e, struct fv_hardening *h)
{
	struct fv_elf_phdr ph;
	int relro = 0;
	for (size_t i = 0; fv_elf_phdr(e, i, &ph); i++)
		relro |= ph.type == FV_PT_GNU_RELRO;
	/* Full only when no lazy binding leaves the PLT's GOT writable after start-up. */
	h->relro = !relro ? FV_RELRO_NONE : e->bind_now ? FV_RELRO_FULL : FV_RELRO_PARTIAL;
}

static int canary_name(const char *s)
{
	return strstr(s, "__stack_chk_fail") || strstr(s, "__stack_chk_guard") || strstr(s, "__intel_security_cookie");
}

/*
 * name without its leading underscores, and whether it then ends in
 * "_chk": base receives what is left without the suffix (cap bytes).
 */
static int chk_base(const char *name, char *base, size_t cap)
{
	while (*name == '_')
		name++;
	size_t n = strlen(name);
	int chk = n > 4 && memcmp(name + n - 4, "_chk", 4) == 0;
	if (chk)
		n -= 4;
	if (n >= cap)
		n = cap - 1;
	memcpy(base, name, n);
	base[n] = 0;
	return chk;
}

static void symbol_checks(const struct fv_elf *e, const struct fv_fortify *f, struct fv_hardening *h)
{
	struct fv_elf_sym s;
	char base[128];
	for (size_t i = 0; fv_elf_sym(e, &e->dynsym, i, &s); i++) {
		if (!*s.name)
			continue;
		h->canary |= canary_name(s.name);
		if (s.shndx != FV_SHN_UNDEF || i == 0)
			continue;
		int chk = chk_base(s.name, base, sizeof base);
		if (chk) {
			h->fortify = 1;
			if (!f || fv_fortify_has(f, base))
				h->fortified++;
		} else if (fv_fortify_has(f, base)) {
			h->unfortified++;
		}
	}
	int static_fortify = h->is_static;
	for (size_t i = 0; fv_elf_sym(e, &e->symtab, i, &s); i++) {
		if (!*s.name)
			continue;
		h->canary |= canary_name(s.name);
		/*
		 * A static binary has no imports: what it calls of libc is linked
		 * in, and a __*_chk function is linked in only when called.  Its
		 * aliases with three underscores (___snprintf_chk) are not counted
		 * again.
		 */
		if (static_fortify && s.shndx != FV_SHN_UNDEF &&
		    (s.type == FV_STT_FUNC || s.type == FV_STT_GNU_IFUNC) && s.name[0] == '_' && s.name[1] == '_' &&
		    s.name[2] != '_' && chk_base(s.name, base, sizeof base) && (!f || fv_fortify_has(f, base))) {
			h->fortify = 1;
			h->fortified++;
		}
	}
	h->fortify_known = !(h->is_static && h->stripped);
}

int fv_harden(const struct fv_elf *e, const struct fv_fortify *fortify, struct fv_hardening *out)
{
	memset(out, 0, sizeof *out);
	nx_check(e, out);
	pie_check(e, out);
	relro_check(e, out);
	out->rpath = e->rpath;
	out->runpath = e->runpath;
	out->interp = e->interp;
	out->is_static = fv_elf_is_static(e);
	struct fv_elf_shdr sh;
	out->stripped = 1;
	for (size_t i = 0; out->stripped && fv_elf_shdr(e, i, &sh); i++)
		if (sh.type == FV_SHT_SYMTAB)
			out->stripped = 0;
	symbol_checks(e, fortify, out);
	out->props = fv_elf_gnu_properties(e);
	return 0;
}
