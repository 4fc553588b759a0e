/*
 * Binary analysis of every ELF: hardening, call sites of unsafe functions,
 * and backdoors found by their shape.
 *
 *   FV-HARD-001  the binary lacks NX, PIE, full RELRO or a stack canary
 *               (medium without NX, else low)
 *   FV-HARD-002  RPATH/RUNPATH names a relative or world-writable folder (medium)
 *   FV-CODE-001  call sites of unsafe functions, with counts per function
 *               (low; medium when gets or an unbounded scanf %s is among them)
 *   FV-BIN-001   a comparison of input with a secret-looking constant decides
 *               whether a command or shell runs (critical in a program that
 *               reads the network, high in one started as a service;
 *               low when the constant is a plain word)
 *   FV-BIN-002   a comparison with a secret-looking constant lets its caller
 *               past an authentication check (high)
 *
 * The comparisons come from flow.c (the same for every architecture); this
 * file ranks them.  A constant looks secret when it is no protocol keyword or
 * command word (rules/binary/keywords.txt), no path, option, format or
 * header, and is built unlike a word: letters mixed with digits or case,
 * punctuation, no vowels to speak of.  Which functions compare, run commands,
 * fork, authenticate and read the network, and which are unsafe, is data
 * (rules/binary/calls.txt and unsafe.txt; docs/rules.md).
 *
 * "Started as a service" is known only once services.c has read the init
 * system, so candidates of programs that do not read the network wait for
 * finish(), which runs after it.
 */
#include "analyze/analyze.h"

#include <ctype.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/elf/code.h"
#include "analyze/elf/elf.h"
#include "analyze/elf/flow.h"
#include "analyze/elf/harden.h"
#include "analyze/rulefile.h"
#include "core/buf.h"
#include "core/err.h"
#include "unpack/engine.h"

#define R_HARDEN "FV-HARD-001"
#define R_RPATH "FV-HARD-002"
#define R_UNSAFE "FV-CODE-001"
#define R_SHAPE_EXEC "FV-BIN-001"
#define R_SHAPE_AUTH "FV-BIN-002"

#define MAX_REPORTED 5      /* ranked comparisons reported per binary */
#define SECRET_SCORE 50     /* from here a constant looks like a secret */
#define WORD_SCORE 30       /* a word that is not a keyword */
#define UNSCANF "scanf%s"   /* the pseudo-name an unbounded scanf format is counted under */

struct kind {
	char *name;
	unsigned bits;
};

struct family {
	char *name;
	int finding;          /* counted in FV-CODE-001, not only in the table */
	char **unsafe, **bounded;
	size_t nunsafe, nbounded;
	char *unsafe_list, *bounded_list;
};

/* Per content of the current image: what the unsafe-call table sums. */
struct tally {
	unsigned *calls; /* per family: unsafe then bounded */
};

/* A ranked comparison of a program that does not read the network: it waits for finish(). */
struct pending {
	size_t content;
	uint64_t offset;
	char *evidence, *title;
	const char *rule;
	enum fv_severity sev;
};

struct state {
	struct kind *kinds;
	size_t nkinds, capkinds;
	char **shell;
	size_t nshell, capshell;
	char **keywords;
	size_t nkeywords, capkeywords;
	struct family *fam;
	size_t nfam, capfam;
	struct fv_fortify fortify;

	pthread_mutex_t lock;
	unsigned *tally;       /* ncontents * nfam * 2 */
	size_t ntally;
	struct pending *pend;
	size_t npend, cappend;
};

/* ---- rules ------------------------------------------------------------------- */

static int cmp_kind(const void *a, const void *b)
{
	return strcmp(((const struct kind *)a)->name, ((const struct kind *)b)->name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_str(char ***v, size_t *n, size_t *cap, const char *p, size_t len)
{
	if (fv_grow(v, cap, *n, sizeof **v))
		return FV_ENOMEM;
	if (!((*v)[*n] = strndup(p, len)))
		return FV_ENOMEM;
	(*n)++;
	return 0;
}

/* The next blank-separated word of [*p, end), or 0 at the end. */
static size_t word(const char **p, const char *end)
{
	while (*p < end && isspace((unsigned char)**p))
		(*p)++;
	const char *s = *p;
	while (*p < end && !isspace((unsigned char)**p))
		(*p)++;
	return (size_t)(*p - s);
}

static const struct {
	const char *name;
	unsigned bits;
} kind_names[] = {
	{ "compare", FV_K_COMPARE }, { "exec", FV_FX_EXEC }, { "fork", FV_FX_FORK },
	{ "auth", FV_FX_AUTH },      { "net", FV_FX_NET },   { "scanf0", FV_K_SCANF0 },
	{ "scanf1", FV_K_SCANF1 },
};

static int calls_line(struct fv_actx *a, void *ctx, const char *path, size_t line, const char *p, size_t n)
{
	struct state *s = ctx;
	const char *end = p + n, *w = p;
	size_t wl = word(&w, end);
	const char *k = w - wl;
	if (wl == 5 && !memcmp(k, "shell", 5)) {
		while (w < end && isspace((unsigned char)*w))
			w++;
		if (w == end) {
			fv_actx_fail(a, "%s:%zu: expected a text after 'shell', found nothing", path, line);
			return FV_EFORMAT;
		}
		return add_str(&s->shell, &s->nshell, &s->capshell, w, (size_t)(end - w));
	}
	unsigned bits = 0;
	for (size_t i = 0; i < sizeof kind_names / sizeof *kind_names; i++)
		if (strlen(kind_names[i].name) == wl && !memcmp(kind_names[i].name, k, wl))
			bits = kind_names[i].bits;
	if (!bits) {
		fv_actx_fail(a, "%s:%zu: expected a kind (compare, exec, fork, auth, net, scanf0, scanf1, shell), "
			     "found '%.*s'", path, line, (int)(wl > 40 ? 40 : wl), k);
		return FV_EFORMAT;
	}
	while ((wl = word(&w, end))) {
		if (fv_grow(&s->kinds, &s->capkinds, s->nkinds, sizeof *s->kinds) ||
		    !(s->kinds[s->nkinds].name = strndup(w - wl, wl)))
			return FV_ENOMEM;
		s->kinds[s->nkinds++].bits = bits;
	}
	return 0;
}

static int keywords_line(struct fv_actx *a, void *ctx, const char *path, size_t line, const char *p, size_t n)
{
	(void)a;
	(void)path;
	(void)line;
	struct state *s = ctx;
	const char *end = p + n;
	size_t wl;
	while ((wl = word(&p, end))) {
		if (add_str(&s->keywords, &s->nkeywords, &s->capkeywords, p - wl, wl))
			return FV_ENOMEM;
		for (char *c = s->keywords[s->nkeywords - 1]; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	}
	return 0;
}

static int unsafe_line(struct fv_actx *a, void *ctx, const char *path, size_t line, const char *p, size_t n)
{
	struct state *s = ctx;
	const char *end = p + n, *bar = memchr(p, '|', n);
	size_t wl = word(&p, end);
	if (!bar || !wl || p > bar) {
		fv_actx_fail(a, "%s:%zu: expected 'FAMILY finding|table UNSAFE... | BOUNDED...', found '%.*s'",
			     path, line, (int)(n > 60 ? 60 : n), end - n);
		return FV_EFORMAT;
	}
	if (fv_grow(&s->fam, &s->capfam, s->nfam, sizeof *s->fam))
		return FV_ENOMEM;
	struct family *f = &s->fam[s->nfam++];
	memset(f, 0, sizeof *f);
	size_t cap = 0;
	if (!(f->name = strndup(p - wl, wl)))
		return FV_ENOMEM;
	wl = word(&p, bar);
	if (wl == 7 && !memcmp(p - wl, "finding", 7)) {
		f->finding = 1;
	} else if (!(wl == 5 && !memcmp(p - wl, "table", 5))) {
		fv_actx_fail(a, "%s:%zu: expected 'finding' or 'table' after the family %s, found '%.*s'", path,
			     line, f->name, (int)(wl > 40 ? 40 : wl), p - wl);
		return FV_EFORMAT;
	}
	while ((wl = word(&p, bar)))
		if (add_str(&f->unsafe, &f->nunsafe, &cap, p - wl, wl))
			return FV_ENOMEM;
	p = bar + 1;
	cap = 0;
	while ((wl = word(&p, end)))
		if (add_str(&f->bounded, &f->nbounded, &cap, p - wl, wl))
			return FV_ENOMEM;
	if (!f->nunsafe) {
		fv_actx_fail(a, "%s:%zu: expected at least one unsafe function in family %s", path, line, f->name);
		return FV_EFORMAT;
	}
	/* The lists as the report prints them. */
	size_t lu = 1, lb = 1;
	for (size_t i = 0; i < f->nunsafe; i++)
		lu += strlen(f->unsafe[i]) + 1;
	for (size_t i = 0; i < f->nbounded; i++)
		lb += strlen(f->bounded[i]) + 1;
	if (!(f->unsafe_list = calloc(1, lu)) || !(f->bounded_list = calloc(1, lb)))
		return FV_ENOMEM;
	for (size_t i = 0; i < f->nunsafe; i++)
		strcat(strcat(f->unsafe_list, i ? " " : ""), f->unsafe[i]);
	for (size_t i = 0; i < f->nbounded; i++)
		strcat(strcat(f->bounded_list, i ? " " : ""), f->bounded[i]);
	return 0;
}

static void state_free(struct state *s)
{
	for (size_t i = 0; i < s->nkinds; i++)
		free(s->kinds[i].name);
	for (size_t i = 0; i < s->nshell; i++)
		free(s->shell[i]);
	for (size_t i = 0; i < s->nkeywords; i++)
		free(s->keywords[i]);
	for (size_t i = 0; i < s->nfam; i++) {
		struct family *f = &s->fam[i];
		for (size_t k = 0; k < f->nunsafe; k++)
			free(f->unsafe[k]);
		for (size_t k = 0; k < f->nbounded; k++)
			free(f->bounded[k]);
		free(f->unsafe);
		free(f->bounded);
		free(f->name);
		free(f->unsafe_list);
		free(f->bounded_list);
	}
	free(s->kinds);
	free(s->shell);
	free(s->keywords);
	free(s->fam);
	fv_fortify_free(&s->fortify);
	free(s->tally);
	free(s->pend);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static int binary_init(struct fv_actx *a, void **out)
{
	struct state *s = calloc(1, sizeof *s);
	if (!s)
		return FV_ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	const char *dir = fv_actx_rules_dir(a), *user = fv_actx_user_rules(a);
	int rc = fv_rules_read(a, dir, "binary/calls.txt", 1, calls_line, s);
	if (!rc)
		rc = fv_rules_read(a, dir, "binary/keywords.txt", 1, keywords_line, s);
	if (!rc)
		rc = fv_rules_read(a, dir, "binary/unsafe.txt", 1, unsafe_line, s);
	if (!rc && user)
		rc = fv_rules_read(a, user, "binary/calls.txt", 0, calls_line, s);
	if (!rc && user)
		rc = fv_rules_read(a, user, "binary/keywords.txt", 0, keywords_line, s);
	char err[512];
	if (!rc && (rc = fv_fortify_load(&s->fortify, dir, err, sizeof err)) != 0)
		fv_actx_fail(a, "%s", err);
	if (rc) {
		if (rc == FV_ENOMEM)
			fv_actx_fail(a, "out of memory reading the binary analysis rules");
		state_free(s);
		return rc;
	}
	/* A name listed under several kinds has all of them. */
	qsort(s->kinds, s->nkinds, sizeof *s->kinds, cmp_kind);
	size_t o = 0;
	for (size_t i = 0; i < s->nkinds; i++) {
		if (o && !strcmp(s->kinds[o - 1].name, s->kinds[i].name)) {
			s->kinds[o - 1].bits |= s->kinds[i].bits;
			free(s->kinds[i].name);
		} else {
			s->kinds[o++] = s->kinds[i];
		}
	}
	s->nkinds = o;
	if (s->nkeywords)
		qsort(s->keywords, s->nkeywords, sizeof *s->keywords, cmp_str);
	*out = s;
	return 0;
}

static void binary_fini(void *st)
{
	if (st)
		state_free(st);
}

/* ---- kinds for flow.c -------------------------------------------------------- */

static unsigned callee_kind(void *ctx, const char *name)
{
	const struct state *s = ctx;
	struct kind key = { (char *)name, 0 }, *k;
	k = s->nkinds ? bsearch(&key, s->kinds, s->nkinds, sizeof key, cmp_kind) : NULL;
	return k ? k->bits : 0;
}

static unsigned string_kind(void *ctx, const char *p, size_t n)
{
	const struct state *s = ctx;
	for (size_t i = 0; i < s->nshell; i++) {
		size_t l = strlen(s->shell[i]);
		for (size_t k = 0; l <= n && k + l <= n; k++)
			if (!memcmp(p + k, s->shell[i], l))
				return FV_FX_SHELL;
	}
	return 0;
}

/* ---- ranking ------------------------------------------------------------------ */

static int is_keyword(const struct state *s, const char *p, size_t n)
{
	char low[64];
	if (n >= sizeof low)
		return 0;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)p[i]);
	low[n] = 0;
	const char *key = low;
	return s->nkeywords && bsearch(&key, s->keywords, s->nkeywords, sizeof key, cmp_str) != NULL;
}

static int vowel(int c)
{
	c = tolower(c);
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

/*
 * How much p looks like a secret rather than a word, a keyword or a name of
 * something: 0 to about 100.  SECRET_SCORE and up is a secret, WORD_SCORE
 * and up a word that is not a keyword.
 */
static int secret_score(const struct state *s, const char *p, size_t n)
{
	if (n < 4 || is_keyword(s, p, n))
		return 0;
	size_t upper = 0, lower = 0, digit = 0, punct = 0, space = 0, letters = 0, vowels = 0;
	size_t run = 0, maxrun = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (isupper(c))
			upper++;
		else if (islower(c))
			lower++;
		else if (isdigit(c))
			digit++;
		else if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			space++;
		else if (c != '-' && c != '_')
			punct++;
		if (isalpha(c)) {
			letters++;
			if (vowel(c)) {
				vowels++;
				run = 0;
			} else if (++run > maxrun) {
				maxrun = run;
			}
		} else {
			run = 0;
		}
	}
	/* Names of things: paths, options, formats, URLs, headers, sentences. */
	if (p[0] == '/' || p[0] == '-' || p[0] == '.' || memchr(p, '/', n) || memchr(p, '%', n) ||
	    p[n - 1] == ':' || p[n - 1] == '=' || space > 1)
		return 10;
	if (memchr(p, '.', n) && !digit)
		return 10; /* file names and host names */
	if (upper == letters && !digit && !punct && n <= 8)
		return 10; /* a protocol verb */
	int score = WORD_SCORE;
	if (digit && letters)
		score += 20;
	if (upper && lower && !(upper == 1 && isupper((unsigned char)p[0])))
		score += 15;
	if (punct)
		score += 15;
	/* Short runs without vowels are acronyms (sftp, pptp, l2tp), not secrets. */
	if (letters >= 6 && (vowels * 5 < letters || maxrun >= 4))
		score += 20;
	if (n >= 8)
		score += 5;
	if (n >= 12)
		score += 5;
	return score > 100 ? 100 : score;
}

/* ---- run ---------------------------------------------------------------------- */

static int binary_wants(const struct fv_file *f)
{
	return f->kind == FV_KIND_ELF;
}

static const char *guard_words(unsigned g)
{
	if (g & FV_FX_SHELL)
		return "a shell or telnetd command";
	if (g & FV_FX_EXEC)
		return "command execution";
	if (g & FV_FX_AUTH)
		return "an authentication check";
	return "a new process";
}

/* Evidence for a comparison: the constant in C notation, the function, the call. */
static void cmp_evidence(const struct fv_flow_cmp *m, char *out, size_t cap)
{
	char str[200];
	size_t o = 0;
	for (size_t i = 0; i < m->len && o + 5 < sizeof str; i++) {
		unsigned char c = (unsigned char)m->str[i];
		if (c == '"' || c == '\\')
			o += (size_t)snprintf(str + o, sizeof str - o, "\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			o += (size_t)snprintf(str + o, sizeof str - o, "\\x%02x", c);
		else
			str[o++] = (char)c;
	}
	str[o] = 0;
	snprintf(out, cap, "%s(input, \"%s\") at 0x%llx in %s%s0x%llx%s", m->callee ? m->callee : "compare", str,
		 (unsigned long long)m->call, m->func_name ? m->func_name : "", m->func_name ? " <" : "",
		 (unsigned long long)m->func, m->func_name ? ">" : "");
}

static uint64_t file_offset(const struct fv_elf *e, uint64_t vaddr)
{
	uint64_t off;
	return fv_elf_vaddr_to_off(e, vaddr & ~1ull, 1, &off) ? off : 0;
}

struct ranked {
	const struct fv_flow_cmp *m;
	int score;
};

static int by_score(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->score != y->score)
		return y->score - x->score;
	return x->m->call < y->m->call ? -1 : x->m->call > y->m->call;
}

/*
 * keep: when the run is recorded for the analysis cache, the candidates as
 * binary_restore() reads them back: [offset, rule, severity, evidence, title].
 */
static void add_pending(struct fv_actx *a, struct state *s, size_t content, uint64_t off, const char *rule,
			enum fv_severity sev, const char *evidence, const char *title, json_t *keep)
{
	if (keep && (off > INT64_MAX ||
		     json_array_append_new(keep, json_pack("[I s i s s]", (json_int_t)off, rule, (int)sev, evidence,
							   title))))
		fv_actx_nocache(a);
	pthread_mutex_lock(&s->lock);
	if (!fv_grow(&s->pend, &s->cappend, s->npend, sizeof *s->pend)) {
		struct pending *p = &s->pend[s->npend];
		p->evidence = strdup(evidence);
		p->title = strdup(title);
		if (p->evidence && p->title) {
			p->content = content;
			p->offset = off;
			p->rule = rule;
			p->sev = sev;
			s->npend++;
		} else {
			free(p->evidence);
			free(p->title);
		}
	}
	pthread_mutex_unlock(&s->lock);
}

/*
 * Ranks the comparisons that guard something and reports the best: now when
 * the program reads the network, in finish() when it may be a service.
 */
static void report_cmps(struct fv_actx *a, struct state *s, const struct fv_afile *f, const struct fv_elf *e,
			const struct fv_flow *fl, json_t *keep)
{
	struct ranked *r = malloc((fl->ncmps ? fl->ncmps : 1) * sizeof *r);
	if (!r)
		return;
	size_t n = 0;
	for (size_t i = 0; i < fl->ncmps; i++) {
		const struct fv_flow_cmp *m = &fl->cmps[i];
		unsigned g = m->guards & (FV_FX_EXEC | FV_FX_SHELL | FV_FX_AUTH | FV_FX_FORK);
		if (!m->decided || !g)
			continue;
		int score = secret_score(s, m->str, m->len);
		if (score < WORD_SCORE)
			continue;
		/* Guarding a shell outranks guarding a fork, at equal constants. */
		int bonus = (g & FV_FX_SHELL) ? 3 : (g & FV_FX_EXEC) ? 2 : (g & FV_FX_AUTH) ? 1 : 0;
		r[n++] = (struct ranked){ m, score * 4 + bonus };
	}
	qsort(r, n, sizeof *r, by_score);
	int net = (fl->fx & FV_FX_NET) != 0;
	for (size_t i = 0, shown = 0; i < n && shown < MAX_REPORTED; i++) {
		const struct fv_flow_cmp *m = r[i].m;
		int score = r[i].score / 4, secret = score >= SECRET_SCORE;
		unsigned g = m->guards;
		const char *rule;
		enum fv_severity sev;
		if (g & (FV_FX_EXEC | FV_FX_SHELL)) {
			rule = R_SHAPE_EXEC;
			sev = !secret ? FV_SEV_LOW : net ? FV_SEV_CRITICAL : FV_SEV_HIGH;
		} else if ((g & FV_FX_AUTH) && secret) {
			rule = R_SHAPE_AUTH;
			sev = FV_SEV_HIGH;
		} else {
			continue; /* a fork alone, or a word deciding authentication: too weak to report */
		}
		char ev[400], title[300];
		cmp_evidence(m, ev, sizeof ev);
		snprintf(title, sizeof title, "Input compared with %s constant \"%.*s\" decides %s%s",
			 secret ? "the secret-looking" : "the", (int)(m->len > 40 ? 40 : m->len), m->str,
			 guard_words(g), net ? " in a program that reads the network" : "");
		uint64_t off = file_offset(e, m->call);
		shown++;
		if (net)
			fv_actx_finding(a, f, rule, "backdoor", sev, secret ? FV_CONF_MEDIUM : FV_CONF_LOW, off, ev,
					"%s", title);
		else
			add_pending(a, s, f->file->content, off, rule, sev, ev, title, keep);
	}
	free(r);
}

/* RPATH/RUNPATH entries an attacker could write to: relative, empty, or a shared temporary folder. */
static const char *bad_path(const char *rp)
{
	if (!rp)
		return NULL;
	for (const char *p = rp;;) {
		size_t n = strcspn(p, ":");
		if (n == 0 || (p[0] != '/' && strncmp(p, "$ORIGIN", 7) != 0) || !strncmp(p, "/tmp", 4) ||
		    !strncmp(p, "/var/tmp", 8) || !strncmp(p, "/dev/shm", 8))
			return rp;
		if (!p[n])
			return NULL;
		p += n + 1;
	}
}

static void report_hardening(struct fv_actx *a, const struct fv_afile *f, const struct fv_elf *e,
			     const struct fv_hardening *h)
{
	if (h->pie == FV_PIE_REL || e->type == FV_ET_CORE)
		return;
	char miss[160] = "";
	size_t o = 0;
	if (!h->nx)
		o += (size_t)snprintf(miss + o, sizeof miss - o, "%sno NX", o ? ", " : "");
	if (h->pie == FV_PIE_NO)
		o += (size_t)snprintf(miss + o, sizeof miss - o, "%sno PIE", o ? ", " : "");
	if (h->relro != FV_RELRO_FULL && !h->is_static)
		o += (size_t)snprintf(miss + o, sizeof miss - o, "%s%s RELRO", o ? ", " : "",
				      h->relro == FV_RELRO_NONE ? "no" : "partial");
	if (!h->canary)
		o += (size_t)snprintf(miss + o, sizeof miss - o, "%sno stack canary", o ? ", " : "");
	if (o)
		fv_actx_finding(a, f, R_HARDEN, "hardening", h->nx ? FV_SEV_LOW : FV_SEV_MEDIUM, FV_CONF_HIGH, 0,
				miss, "Binary is not hardened: %s", miss);
	const char *rp = bad_path(h->rpath) ? h->rpath : bad_path(h->runpath);
	if (rp)
		fv_actx_finding(a, f, R_RPATH, "hardening", FV_SEV_MEDIUM, FV_CONF_HIGH, 0, rp,
				"Library search path names a relative or writable folder: %s", rp);
}

/*
 * Call sites of every family function: the record's list, the table's
 * tally, and FV-CODE-001.
 */
static void report_calls(struct fv_actx *a, struct state *s, const struct fv_afile *f, const struct fv_flow *fl,
			 struct fv_callcount *cc, size_t *ncc, json_t *keep)
{
	unsigned *t = NULL;
	pthread_mutex_lock(&s->lock);
	if (!s->tally && s->nfam) {
		/* The first binary of an image; finish() gives the tally back. */
		size_t nc = fv_actx_inventory(a)->ncontents;
		if ((s->tally = calloc(nc * s->nfam * 2 + 1, sizeof *s->tally)))
			s->ntally = nc;
	}
	if (s->tally && f->file->content < s->ntally)
		t = s->tally + f->file->content * s->nfam * 2;
	char ev[400];
	size_t o = 0, n = 0;
	unsigned total = 0, severe = 0;
	ev[0] = 0;
	for (size_t i = 0; i < s->nfam; i++) {
		const struct family *fam = &s->fam[i];
		for (int side = 0; side < 2; side++) {
			char **names = side ? fam->bounded : fam->unsafe;
			size_t nn = side ? fam->nbounded : fam->nunsafe;
			for (size_t k = 0; k < nn; k++) {
				unsigned c = strcmp(names[k], UNSCANF) ? fv_flow_calls(fl, names[k]) : fl->scanf_unbounded;
				if (!c)
					continue;
				if (t)
					t[i * 2 + (size_t)side] += c;
				cc[n++] = (struct fv_callcount){ names[k], c };
				if (side || !fam->finding)
					continue;
				total += c;
				if (!strcmp(names[k], "gets") || !strcmp(names[k], UNSCANF))
					severe += c;
				if (o + 40 < sizeof ev)
					o += (size_t)snprintf(ev + o, sizeof ev - o, "%s%s %u", o ? ", " : "", names[k], c);
			}
		}
	}
	int used = 0;
	for (size_t i = 0; t && i < s->nfam * 2; i++)
		used |= t[i] != 0;
	if (keep && !t && s->nfam)
		fv_actx_nocache(a); /* the table lost this binary: a replay would count it */
	for (size_t i = 0; keep && used && i < s->nfam * 2; i++)
		if (json_array_append_new(keep, json_integer(t[i])))
			fv_actx_nocache(a);
	pthread_mutex_unlock(&s->lock);
	*ncc = n;
	if (total)
		fv_actx_finding(a, f, R_UNSAFE, "unsafe-code", severe ? FV_SEV_MEDIUM : FV_SEV_LOW, FV_CONF_HIGH, 0, ev,
				"%u call sites of unsafe functions (%s)", total, ev);
}

static size_t family_names(const struct state *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nfam; i++)
		n += s->fam[i].nunsafe + s->fam[i].nbounded;
	return n;
}

static void binary_run(struct fv_actx *a, void *st, const struct fv_afile *f)
{
	struct state *s = st;
	struct fv_elf e;
	if (fv_elf_parse(f->data, f->size, &e) != 0)
		return;
	struct fv_hardening h;
	fv_harden(&e, &s->fortify, &h);
	static const char *const types[] = { "exec", "pie", "dso", "rel" };
	struct fv_binary b = {
		.sha256 = f->content ? f->content->sha256 : f->file->x->sha256,
		.elf_type = e.type == FV_ET_CORE ? "core" : types[h.pie & 3],
		.nx = h.nx,
		.pie = h.pie == FV_PIE_YES || h.pie == FV_PIE_DSO,
		.canary = h.canary,
		.fortify = h.fortify,
		.stripped = h.stripped,
		.is_static = h.is_static,
		.relro = fv_harden_relro_name(h.relro),
		.rpath = h.rpath,
		.runpath = h.runpath,
		.fortified = h.fortified,
		.unfortified = h.unfortified,
	};
	report_hardening(a, f, &e, &h);

	struct fv_callcount *cc = calloc(family_names(s) + 1, sizeof *cc);
	struct fv_code *c = NULL;
	struct fv_flow fl = { 0 };
	struct fv_flow_kinds k = { callee_kind, string_kind, s };
	/* Objects and core files are not run as they are: their calls are relocations, not code to follow. */
	int loaded = e.type == FV_ET_EXEC || e.type == FV_ET_DYN;
	json_t *kp = NULL, *kt = NULL;
	if (fv_actx_recording(a) && (!(kp = json_array()) || !(kt = json_array())))
		fv_actx_nocache(a);
	if (!cc)
		fv_actx_nocache(a);
	if (cc && loaded && fv_elf_load_slots(&e) == 0 && (c = fv_code_open(&e)) && fv_flow_build(c, &k, &fl) == 0) {
		b.code = 1;
		b.functions = fl.nfuncs;
		b.call_sites = fl.ncalls;
		report_calls(a, s, f, &fl, cc, &b.ncalls, kt);
		b.calls = cc;
		report_cmps(a, s, f, &e, &fl, kp);
	}
	fv_actx_binary(a, &b);
	if (json_array_size(kp) || json_array_size(kt)) {
		json_t *o = json_pack("{s:O, s:O}", "pending", kp, "table", kt);
		char *txt = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		if (txt)
			fv_actx_keep(a, txt);
		else
			fv_actx_nocache(a);
		free(txt);
		json_decref(o);
	}
	json_decref(kp);
	json_decref(kt);
	fv_flow_free(&fl);
	fv_code_close(c);
	free(cc);
	fv_elf_free(&e);
}

/* ---- finish: services, and the table ------------------------------------------- */

/* Whether one of the content's paths is a program the init system starts. */
static int started(const struct fv_inventory *inv, const struct fv_service *sv, size_t nsv, size_t content)
{
	const struct fv_content *ct = &inv->contents[content];
	for (size_t i = 0; i < nsv; i++) {
		const char *prog = sv[i].program;
		if (!prog)
			continue;
		for (size_t k = 0; k < ct->nfiles; k++) {
			const struct fv_file *file = &inv->files[ct->files[k]];
			const char *m = file->member, *base = strrchr(m, '/');
			/* "/usr/sbin/telnetd", or a bare name the shell finds on the PATH. */
			if (!strcmp(prog, m) || (!strchr(prog, '/') && base && !strcmp(prog, base + 1)))
				return 1;
			/* A program started through a symlink to this content (busybox applets). */
			const struct fv_file *via = fv_inventory_lookup(inv, file, prog);
			if (via && via->content == content)
				return 1;
		}
	}
	return 0;
}

static void binary_finish(struct fv_actx *a, void *st)
{
	struct state *s = st;
	const struct fv_inventory *inv = fv_actx_inventory(a);
	size_t nsv;
	const struct fv_service *sv = fv_actx_services(a, &nsv);
	for (size_t i = 0; i < s->npend; i++) {
		struct pending *p = &s->pend[i];
		if (p->content < inv->ncontents && started(inv, sv, nsv, p->content)) {
			const struct fv_content *ct = &inv->contents[p->content];
			for (size_t k = 0; k < ct->nfiles; k++)
				fv_actx_finding_at(a, &inv->files[ct->files[k]], p->rule, "backdoor", p->sev,
						   FV_CONF_MEDIUM, p->offset, p->evidence, "%s in a program started at boot",
						   p->title);
		}
		free(p->evidence);
		free(p->title);
	}
	s->npend = 0;
	for (size_t i = 0; i < s->nfam; i++) {
		const struct family *fam = &s->fam[i];
		struct fv_unsafe_row row = { fam->name, fam->unsafe_list, fam->bounded_list, 0, 0, 0, 0 };
		for (size_t c = 0; s->tally && c < s->ntally; c++) {
			const unsigned *t = s->tally + (c * s->nfam + i) * 2;
			row.unsafe_calls += t[0];
			row.unsafe_binaries += t[0] != 0;
			row.bounded_calls += t[1];
			row.bounded_binaries += t[1] != 0;
		}
		fv_actx_unsafe_row(a, &row);
	}
	free(s->tally);
	s->tally = NULL;
	s->ntally = 0;
}

/*
 * A stored result is replayed: its candidates wait for finish() again and its
 * calls count in the table, as binary_run() would have left them.
 */
static int binary_restore(struct fv_actx *a, void *st, const struct fv_afile *f, const char *text)
{
	struct state *s = st;
	json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, NULL), *pend, *table;
	size_t ct = f->file->content, np, nt;
	if (!o || json_unpack(o, "{s:o, s:o}", "pending", &pend, "table", &table) || !json_is_array(pend) ||
	    !json_is_array(table) || ((nt = json_array_size(table)) && nt != s->nfam * 2) ||
	    (np = json_array_size(pend)) > MAX_REPORTED) {
		json_decref(o);
		return FV_EFORMAT;
	}
	struct pending p[MAX_REPORTED];
	unsigned *row = nt ? malloc(nt * sizeof *row) : NULL;
	size_t ok = 0;
	int bad = nt && !row;
	for (size_t i = 0; !bad && i < nt; i++) {
		json_t *v = json_array_get(table, i);
		json_int_t x = json_is_integer(v) ? json_integer_value(v) : -1;
		bad = x < 0 || x > UINT_MAX;
		row[i] = (unsigned)x;
	}
	for (; !bad && ok < np; ok++) {
		json_int_t off;
		int sev;
		const char *rule, *ev, *title;
		if (json_unpack(json_array_get(pend, ok), "[I s i s s]", &off, &rule, &sev, &ev, &title) || off < 0 ||
		    sev < FV_SEV_INFO || sev > FV_SEV_CRITICAL ||
		    (strcmp(rule, R_SHAPE_EXEC) && strcmp(rule, R_SHAPE_AUTH))) {
			bad = 1;
			break;
		}
		p[ok] = (struct pending){ ct, (uint64_t)off, strdup(ev), strdup(title),
					  strcmp(rule, R_SHAPE_EXEC) ? R_SHAPE_AUTH : R_SHAPE_EXEC, (enum fv_severity)sev };
		if (!p[ok].evidence || !p[ok].title) {
			ok++;
			bad = 1;
		}
	}
	pthread_mutex_lock(&s->lock);
	if (!bad && nt && !s->tally && s->nfam) {
		size_t nc = fv_actx_inventory(a)->ncontents;
		if ((s->tally = calloc(nc * s->nfam * 2 + 1, sizeof *s->tally)))
			s->ntally = nc;
	}
	bad |= nt && (!s->tally || ct >= s->ntally);
	while (!bad && s->cappend < s->npend + np)
		bad = fv_grow(&s->pend, &s->cappend, s->cappend, sizeof *s->pend) != 0;
	if (!bad) {
		for (size_t i = 0; i < nt; i++)
			s->tally[ct * s->nfam * 2 + i] += row[i];
		if (np)
			memcpy(s->pend + s->npend, p, np * sizeof *p);
		s->npend += np;
		ok = 0;
	}
	pthread_mutex_unlock(&s->lock);
	for (size_t i = 0; i < ok; i++)
		free(p[i].evidence), free(p[i].title);
	free(row);
	json_decref(o);
	return bad ? FV_EFORMAT : FV_OK;
}

const struct fv_analyzer fv_analyzer_binary = {
	.name = "binary",
	.scope = FV_SCOPE_CONTENT,
	.rules = "binary",
	.restore = binary_restore,
	.init = binary_init,
	.wants = binary_wants,
	.run = binary_run,
	.finish = binary_finish,
	.fini = binary_fini,
};
