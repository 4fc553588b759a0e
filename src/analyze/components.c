/*
 * Components: which third-party software an image holds, and at which
 * version.  Rules are data (rules/components/<name>.txt, docs/rules.md), one
 * component per file.  Evidence comes from five places:
 *
 *   - version strings as the software prints them, in every file's bytes:
 *     every `string` regex of every rule is compiled into one vectorscan
 *     database, so a content costs one pass whatever the number of rules;
 *     a hit is then matched again with PCRE2 on a few hundred bytes around
 *     it to pull out the version (vectorscan has no capture groups);
 *   - ELF sonames (`soname` rules), and the newest GLIBC_ version a
 *     libc.so.6 defines, as a lower bound when its banner is missing;
 *   - BusyBox: the applets built in, read from its table of names;
 *   - file base names (`file` rules), in finish();
 *   - package databases (opkg/ipkg status, OpenWrt's control files, dpkg
 *     status), in finish(): every package is a component, those a rule
 *     names under that rule's name.
 *
 * This analyzer only records copies (fv_actx_component_copy): one per
 * component and version per file.  Grouping them, end of life and
 * vulnerabilities are supply.c's.
 */
#include "analyze/components.h"
#include "analyze/elf/elf.h"
#include "analyze/rulefile.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/hscache.h"
#include "core/hspool.h"
#include "core/map.h"
#include "unpack/engine.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <hs/hs.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_WIDTH 512        /* the longest version string looked for: bounds every window */
#define WINDOW ((size_t)32 << 20) /* bytes per vectorscan call (its lengths are 32-bit) */
#define MAX_FOUND 256        /* distinct (component, version) per content */
#define MAX_HITS 4096        /* hits of one pattern examined per content: a file of repeats stops there */
#define MAX_VERSION 128
#define MAX_EVIDENCE 200
#define MAX_DETAIL 16384     /* BusyBox applet list */
#define MAX_FIELD 256        /* a package field longer than this is not one */
#define MAX_STANZAS 100000
#define MAX_PKGDB ((size_t)64 << 20)
#define MATCH_LIMIT 100000   /* PCRE2 backtracking per call */

/* ---- rules ----------------------------------------------------------------------- */

enum pkind { P_STRING, P_FILE, P_SONAME };

struct comp {
	char *name, *title, *cpe, *purl; /* cpe NULL for "-" */
	char *path;                      /* the rules file, for messages */
};

struct pat {
	size_t comp;
	enum pkind kind;
	pcre2_code *re;
	char *src;      /* the regex as written */
	unsigned maxw;  /* P_STRING: the most bytes it matches, at most MAX_WIDTH */
};

struct pkgname {
	char *name;
	size_t comp;
};

struct comps {
	struct comp *c;
	size_t nc, capc;
	struct pat *p;
	size_t np, capp;
	struct pkgname *pk; /* sorted by name after init */
	size_t npk, cappk;
	size_t *hsid;       /* vectorscan id -> index in p */
	size_t nhs;
	hs_database_t *db;
	struct fv_hspool scratch;
	pcre2_match_context *mctx;
	size_t busybox, glibc; /* component indexes, SIZE_MAX when no rule has that name */
};

/* What one rules file is being read into. */
struct rfile {
	struct comps *st;
	size_t comp;
	const char *want; /* the name the file's name gives */
	int has_name, has_title, has_cpe, has_purl;
};

static int namechar(int c)
{
	return islower(c) || isdigit(c) || c == '_' || c == '.' || c == '+' || c == '-';
}

static int fail_oom(struct fv_actx *a, const char *path, size_t line)
{
	fv_actx_fail(a, "%s:%zu: out of memory", path, line);
	return FV_ENOMEM;
}

/*
 * A regex of one rule line: PCRE2 must accept it, with the number of
 * capture groups its key allows; a `string` regex must also be one that
 * vectorscan compiles, non-empty and at most MAX_WIDTH bytes wide.
 */
static int add_pattern(struct fv_actx *a, struct rfile *rf, const char *path, size_t line,
		       enum pkind kind, const char *re)
{
	static const char *const keys[] = { "string", "file", "soname" };
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
	if (!code) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(ec, msg, sizeof msg);
		fv_actx_fail(a, "%s:%zu: %s regex \"%s\" does not compile (PCRE2, at %zu): %s", path,
			     line, keys[kind], re, (size_t)eo, (const char *)msg);
		return FV_EFORMAT;
	}
	uint32_t caps = 0;
	pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &caps);
	if (kind == P_STRING ? caps != 1 : caps > 1) {
		fv_actx_fail(a, "%s:%zu: expected %s capture group (the version) in %s regex \"%s\", "
				"found %u", path, line, kind == P_STRING ? "exactly one" : "at most one",
			     keys[kind], re, caps);
		pcre2_code_free(code);
		return FV_EFORMAT;
	}
	struct pat p = { rf->comp, kind, code, NULL, 0 };
	if (kind == P_STRING) {
		hs_expr_info_t *info = NULL;
		hs_compile_error_t *cerr = NULL;
		if (hs_expression_info(re, 0, &info, &cerr) != HS_SUCCESS) {
			fv_actx_fail(a, "%s:%zu: string regex \"%s\" is not one vectorscan accepts: %s",
				     path, line, re, cerr ? cerr->message : "unknown error");
			hs_free_compile_error(cerr);
			pcre2_code_free(code);
			return FV_EFORMAT;
		}
		unsigned minw = info->min_width, maxw = info->max_width;
		free(info);
		if (minw == 0) {
			fv_actx_fail(a, "%s:%zu: expected a string regex that matches at least one byte, "
					"\"%s\" can match nothing", path, line, re);
			pcre2_code_free(code);
			return FV_EFORMAT;
		}
		/* Version strings are short C strings: longer matches are not looked for. */
		if (maxw > MAX_WIDTH)
			maxw = MAX_WIDTH;
		p.maxw = maxw;
	}
	struct comps *st = rf->st;
	p.src = strdup(re);
	if (!p.src || fv_grow(&st->p, &st->capp, st->np, sizeof *st->p)) {
		free(p.src);
		pcre2_code_free(code);
		return fail_oom(a, path, line);
	}
	st->p[st->np++] = p;
	return 0;
}

static int add_packages(struct fv_actx *a, struct rfile *rf, const char *path, size_t line,
			const char *v)
{
	struct comps *st = rf->st;
	while (*v) {
		while (*v == ' ' || *v == '\t')
			v++;
		size_t k = 0;
		while (v[k] && v[k] != ' ' && v[k] != '\t')
			k++;
		if (!k)
			break;
		for (size_t i = 0; i < k; i++)
			if (!(isalnum((unsigned char)v[i]) || strchr("._+-", v[i]))) {
				fv_actx_fail(a, "%s:%zu: expected package names of A-Z a-z 0-9 . _ + -, "
						"found \"%.*s\"", path, line, (int)k, v);
				return FV_EFORMAT;
			}
		for (size_t i = 0; i < st->npk; i++)
			if (strlen(st->pk[i].name) == k && memcmp(st->pk[i].name, v, k) == 0) {
				fv_actx_fail(a, "%s:%zu: package \"%.*s\" is already component %s's (%s)",
					     path, line, (int)k, v, st->c[st->pk[i].comp].name,
					     st->c[st->pk[i].comp].path);
				return FV_EFORMAT;
			}
		char *name = strndup(v, k);
		if (!name || fv_grow(&st->pk, &st->cappk, st->npk, sizeof *st->pk)) {
			free(name);
			return fail_oom(a, path, line);
		}
		st->pk[st->npk++] = (struct pkgname){ name, rf->comp };
		v += k;
	}
	return 0;
}

static int rule_line(struct fv_actx *a, void *ctx, const char *path, size_t line, const char *p,
		     size_t n)
{
	struct rfile *rf = ctx;
	struct comp *c = &rf->st->c[rf->comp];
	size_t k = 0;
	while (k < n && p[k] != ' ' && p[k] != '\t')
		k++;
	size_t vb = k;
	while (vb < n && (p[vb] == ' ' || p[vb] == '\t'))
		vb++;
	if (vb == n) {
		fv_actx_fail(a, "%s:%zu: expected a key and a value, found \"%.*s\"", path, line, (int)n,
			     p);
		return FV_EFORMAT;
	}
	if (memchr(p, 0, n)) {
		fv_actx_fail(a, "%s:%zu: expected text, found a NUL byte", path, line);
		return FV_EFORMAT;
	}
	char key[16];
	snprintf(key, sizeof key, "%.*s", (int)(k < sizeof key ? k : sizeof key - 1), p);
	char *v = strndup(p + vb, n - vb);
	if (!v)
		return fail_oom(a, path, line);
	int rc = 0;
	int *once = NULL;
	char **slot = NULL;
	if (k >= sizeof key) {
		once = NULL;
	} else if (!strcmp(key, "name")) {
		once = &rf->has_name, slot = &c->name;
		if (strcmp(v, rf->want) != 0) {
			fv_actx_fail(a, "%s:%zu: expected name %s (the file's name), found \"%s\"", path,
				     line, rf->want, v);
			rc = FV_EFORMAT;
		}
	} else if (!strcmp(key, "title")) {
		once = &rf->has_title, slot = &c->title;
	} else if (!strcmp(key, "cpe")) {
		once = &rf->has_cpe, slot = &c->cpe;
		/* An operating system or hardware says its CPE part: o:linux:linux_kernel. */
		const char *vp = (v[0] == 'a' || v[0] == 'o' || v[0] == 'h') && v[1] == ':' ? v + 2 : v;
		const char *colon = strchr(vp, ':');
		if (strcmp(v, "-") != 0 && (!colon || colon == vp || !colon[1] || strchr(colon + 1, ':') ||
					    strpbrk(v, " \t"))) {
			fv_actx_fail(a, "%s:%zu: expected cpe [a:|o:|h:]vendor:product or -, found \"%s\"",
				     path, line, v);
			rc = FV_EFORMAT;
		}
	} else if (!strcmp(key, "purl")) {
		once = &rf->has_purl, slot = &c->purl;
		if (strncmp(v, "pkg:", 4) != 0 || strlen(v) < 6 || strpbrk(v, "@ \t?#")) {
			fv_actx_fail(a, "%s:%zu: expected a package URL without version (pkg:type/name), "
					"found \"%s\"", path, line, v);
			rc = FV_EFORMAT;
		}
	} else if (!strcmp(key, "string") || !strcmp(key, "file") || !strcmp(key, "soname")) {
		enum pkind kind = key[0] == 's' ? (key[1] == 't' ? P_STRING : P_SONAME) : P_FILE;
		rc = add_pattern(a, rf, path, line, kind, v);
		free(v);
		return rc;
	} else if (!strcmp(key, "package")) {
		rc = add_packages(a, rf, path, line, v);
		free(v);
		return rc;
	}
	if (rc == 0 && !once) {
		fv_actx_fail(a, "%s:%zu: expected a key name, title, cpe, purl, string, file, soname "
				"or package, found \"%.*s\"", path, line, (int)k, p);
		rc = FV_EFORMAT;
	}
	if (rc == 0 && *once) {
		fv_actx_fail(a, "%s:%zu: key %s given twice", path, line, key);
		rc = FV_EFORMAT;
	}
	if (rc) {
		free(v);
		return rc;
	}
	*once = 1;
	if (slot == &c->cpe && !strcmp(v, "-")) {
		free(v);
		v = NULL;
	}
	*slot = v;
	return 0;
}

static int read_rules_file(struct fv_actx *a, void *ctx, const char *dir, const char *file,
			   const char *want)
{
	struct comps *st = ctx;
	char path[4096];
	if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path) {
		fv_actx_fail(a, "%s/%s: expected a shorter rules path", dir, file);
		return FV_EUSAGE;
	}
	for (const char *q = want; *q; q++)
		if (!namechar((unsigned char)*q)) {
			fv_actx_fail(a, "%s: expected a file name of a-z 0-9 _ . + - and .txt", path);
			return FV_EFORMAT;
		}
	for (size_t i = 0; i < st->nc; i++)
		if (!strcmp(st->c[i].name, want)) {
			fv_actx_fail(a, "%s: component %s is already defined by %s", path, want,
				     st->c[i].path);
			return FV_EFORMAT;
		}
	if (fv_grow(&st->c, &st->capc, st->nc, sizeof *st->c))
		return fail_oom(a, path, 0);
	struct comp *c = &st->c[st->nc];
	memset(c, 0, sizeof *c);
	c->path = strdup(path);
	if (!c->path)
		return fail_oom(a, path, 0);
	st->nc++;
	struct rfile rf = { st, st->nc - 1, want, 0, 0, 0, 0 };
	int rc = fv_rules_read(a, dir, file, 1, rule_line, &rf);
	if (rc)
		return rc;
	c = &st->c[rf.comp];
	if (!rf.has_name || !rf.has_title) {
		fv_actx_fail(a, "%s: expected the keys name and title, %s is missing", path,
			     rf.has_name ? "title" : "name");
		return FV_EFORMAT;
	}
	if (!rf.has_purl) {
		char purl[300];
		snprintf(purl, sizeof purl, "pkg:generic/%s", c->name);
		if (!(c->purl = strdup(purl)))
			return fail_oom(a, path, 0);
	}
	return 0;
}

/* Every *.txt of root/components, in name order; the shipped folder must be there. */
static int read_dir(struct fv_actx *a, struct comps *st, const char *root, int required)
{
	char dir[4096];
	struct stat sb;
	snprintf(dir, sizeof dir, "%s/components", root);
	if (required && (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
		fv_actx_fail(a, "%s: expected the component rules folder, cannot open it", dir);
		return FV_EIO;
	}
	return fv_rules_each(a, root, "components", ".txt", read_rules_file, st);
}

static void fini(void *state)
{
	struct comps *st = state;
	if (!st)
		return;
	for (size_t i = 0; i < st->nc; i++) {
		struct comp *c = &st->c[i];
		free(c->name), free(c->title), free(c->cpe), free(c->purl), free(c->path);
	}
	for (size_t i = 0; i < st->np; i++)
		pcre2_code_free(st->p[i].re), free(st->p[i].src);
	for (size_t i = 0; i < st->npk; i++)
		free(st->pk[i].name);
	fv_hspool_free(&st->scratch);
	hs_free_database(st->db);
	pcre2_match_context_free(st->mctx);
	free(st->c), free(st->p), free(st->pk), free(st->hsid);
	free(st);
}

static int pkcmp(const void *x, const void *y)
{
	return strcmp(((const struct pkgname *)x)->name, ((const struct pkgname *)y)->name);
}

static size_t comp_named(const struct comps *st, const char *name)
{
	for (size_t i = 0; i < st->nc; i++)
		if (!strcmp(st->c[i].name, name))
			return i;
	return SIZE_MAX;
}

/*
 * Every `string` regex in one block-mode database, without start of match
 * tracking (HS_FLAG_SOM_LEFTMOST).  SOM would give PCRE2 the exact start of
 * each hit, but a hit is rare and the C string around it short, so
 * searching the MAX_WIDTH bytes before its end (on_hit) costs nothing that
 * shows, and gives the same copies.  SOM, on the other hand, costs on every
 * run: vectorscan refuses it for some patterns ("Pattern is too large", e.g.
 * glibc's banner with its {0,80} gap), so knowing which would take one trial
 * compile per pattern (0.45 s for 136 patterns, more than the database
 * itself), and the SOM database scanned 10-15% slower (32 MiB, same rules).
 */
static int compile(struct fv_actx *a, struct comps *st)
{
	size_t n = 0;
	for (size_t i = 0; i < st->np; i++)
		n += st->p[i].kind == P_STRING;
	if (n == 0)
		return 0;
	const char **expr = calloc(n, sizeof *expr);
	unsigned *flags = calloc(n, sizeof *flags), *ids = calloc(n, sizeof *ids);
	st->hsid = calloc(n, sizeof *st->hsid);
	int rc = 0;
	if (!expr || !flags || !ids || !st->hsid) {
		fv_actx_fail(a, "out of memory compiling the component patterns");
		rc = FV_ENOMEM;
		goto out;
	}
	for (size_t i = 0, k = 0; i < st->np; i++) {
		if (st->p[i].kind != P_STRING)
			continue;
		st->hsid[k] = i;
		expr[k] = st->p[i].src;
		ids[k] = (unsigned)k;
		flags[k] = 0;
		k++;
	}
	st->nhs = n;
	hs_compile_error_t *cerr = NULL;
	if (fv_hs_compile_cached(expr, flags, ids, (unsigned)n, &st->db, &cerr) !=
	    HS_SUCCESS) {
		int bad = cerr ? cerr->expression : -1;
		const struct pat *p = bad >= 0 && (size_t)bad < n ? &st->p[st->hsid[bad]] : NULL;
		fv_actx_fail(a, "%s: string regex \"%s\" does not compile with the others: %s",
			     p ? st->c[p->comp].path : "components", p ? p->src : "(all)",
			     cerr ? cerr->message : "unknown error");
		hs_free_compile_error(cerr);
		st->db = NULL;
		rc = FV_EFORMAT;
		goto out;
	}
	if (fv_hspool_init(&st->scratch, st->db) != 0) {
		fv_actx_fail(a, "out of memory for the component pattern scratch");
		rc = FV_ENOMEM;
	}
out:
	free(expr), free(flags), free(ids);
	return rc;
}

static int init(struct fv_actx *a, void **state)
{
	struct comps *st = calloc(1, sizeof *st);
	if (!st) {
		fv_actx_fail(a, "out of memory loading the component rules");
		return FV_ENOMEM;
	}
	int rc = read_dir(a, st, fv_actx_rules_dir(a), 1);
	if (rc == 0 && fv_actx_user_rules(a))
		rc = read_dir(a, st, fv_actx_user_rules(a), 0);
	if (rc == 0)
		rc = compile(a, st);
	if (rc == 0) {
		st->mctx = pcre2_match_context_create(NULL);
		if (!st->mctx) {
			fv_actx_fail(a, "out of memory loading the component rules");
			rc = FV_ENOMEM;
		} else {
			pcre2_set_match_limit(st->mctx, MATCH_LIMIT);
		}
	}
	if (rc) {
		fini(st);
		return rc;
	}
	if (st->npk)
		qsort(st->pk, st->npk, sizeof *st->pk, pkcmp);
	st->busybox = comp_named(st, "busybox");
	st->glibc = comp_named(st, "glibc");
	*state = st;
	return 0;
}

/* ---- the string pass ------------------------------------------------------------------ */

/* Copies n bytes of s for a report: non-printable bytes become '.'. */
static void printable(char *out, size_t cap, const uint8_t *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < cap; i++)
		out[k++] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '.';
	if (cap)
		out[k] = 0;
}

struct found {
	size_t comp;
	uint64_t offset;
	const char *method;
	char version[MAX_VERSION + 1];
	char evidence[MAX_EVIDENCE + 1];
	char detail[160];
};

/* One content being scanned. */
struct sctx {
	const struct comps *st;
	const uint8_t *d;
	size_t n;
	size_t base, skip;   /* the window's offset; hits ending at or before skip were seen */
	pcre2_match_data *md;
	struct found *f;
	size_t nf, capf;
	unsigned *hits;      /* per vectorscan id */
};

static void add_found(struct sctx *x, size_t comp, const char *version, size_t vlen, uint64_t off,
		      const uint8_t *ev, size_t evlen, const char *method, const char *detail)
{
	if (vlen > MAX_VERSION)
		return;
	for (size_t i = 0; i < x->nf; i++) {
		struct found *o = &x->f[i];
		if (o->comp == comp && strlen(o->version) == vlen && !memcmp(o->version, version, vlen)) {
			if (off < o->offset && o->method == method) {
				o->offset = off;
				printable(o->evidence, sizeof o->evidence, ev, evlen);
			}
			return;
		}
	}
	if (x->nf >= MAX_FOUND || fv_grow(&x->f, &x->capf, x->nf, sizeof *x->f))
		return;
	struct found *o = &x->f[x->nf++];
	memset(o, 0, sizeof *o);
	o->comp = comp;
	o->offset = off;
	o->method = method;
	memcpy(o->version, version, vlen);
	printable(o->evidence, sizeof o->evidence, ev, evlen);
	if (detail)
		snprintf(o->detail, sizeof o->detail, "%s", detail);
}

/*
 * A hit of string pattern p ending at `to`.  Version strings are C strings,
 * so the subject PCRE2 sees is the run of non-NUL bytes around the hit: at
 * most the pattern's width before its end, and as much after.  A hit that
 * vectorscan made across a NUL (`.` and negated classes match one) finds
 * nothing there.  The subject starts one byte before the earliest possible
 * start so that \b is judged on the real byte in front of a match.  Every
 * match in the subject is taken, not only the first: a text may hold two
 * versions of one component close together, and repeats are merged by
 * add_found().  The matches are taken end to end, so a hit costs one pass
 * over at most 2 * MAX_WIDTH + 1 bytes.
 */
static void on_hit(struct sctx *x, const struct pat *p, size_t to)
{
	const uint8_t *d = x->d;
	size_t lo = to > (size_t)p->maxw + 1 ? to - p->maxw - 1 : 0;
	const uint8_t *nul = lo < to ? memrchr(d + lo, 0, to - lo) : NULL;
	size_t s0 = nul ? (size_t)(nul - d) + 1 : lo;
	size_t hi = x->n - to > p->maxw ? to + p->maxw : x->n;
	const uint8_t *end = memchr(d + to, 0, hi - to);
	size_t e = end ? (size_t)(end - d) : hi;
	for (size_t off = s0; off < e;) {
		int rc = pcre2_match(p->re, d + s0, e - s0, off - s0, 0, x->md, x->st->mctx);
		if (rc < 1)
			return;
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(x->md);
		size_t ms = s0 + ov[0], me = s0 + ov[1];
		if (rc >= 2 && ov[2] != PCRE2_UNSET && ov[3] > ov[2] && isdigit(d[s0 + ov[2]]))
			add_found(x, p->comp, (const char *)d + s0 + ov[2], ov[3] - ov[2], ms, d + ms,
				  me - ms, "string", NULL);
		off = me > off ? me : off + 1; /* an empty match moves one byte on */
	}
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
		    void *ctx)
{
	(void)from, (void)flags;
	struct sctx *x = ctx;
	if (to <= x->skip)
		return 0; /* the previous window's */
	if (x->hits[id] >= MAX_HITS)
		return 0;
	x->hits[id]++;
	const struct pat *p = &x->st->p[x->st->hsid[id]];
	on_hit(x, p, x->base + (size_t)to);
	return 0;
}

/* ---- BusyBox applets ------------------------------------------------------------------ */

static int appletchar(uint8_t c)
{
	return islower(c) || isdigit(c) || c == '-' || c == '_' || c == '.' || c == '[';
}

#define APPLET_MAX 32 /* the longest applet name is far shorter */

/*
 * BusyBox keeps the names of its applets as one block of NUL-separated
 * names, sorted (it finds an applet by binary search): "[\0[[\0acpid\0...".
 * The block is the longest run of short applet-like names in strictly
 * increasing order; each byte is looked at a bounded number of times.
 * Returns the number of names, and where they start in *start.
 */
static size_t applet_block(const uint8_t *d, size_t n, size_t *start)
{
	size_t best = 0, bstart = 0, i = 0;
	while (i < n) {
		size_t run = i, count = 0, prevlen = 0;
		const uint8_t *prev = NULL;
		for (;;) {
			size_t t = i;
			while (i < n && i - t <= APPLET_MAX && appletchar(d[i]))
				i++;
			size_t len = i - t;
			if (len >= 1 && len <= APPLET_MAX && i < n && d[i] == 0) {
				size_t m = prevlen < len ? prevlen : len;
				int c = prev ? memcmp(prev, d + t, m) : -1;
				if (prev && (c > 0 || (c == 0 && prevlen >= len))) {
					/* out of order: this name starts the next run */
					if (count > best)
						best = count, bstart = run;
					run = t, count = 0;
				}
				prev = d + t, prevlen = len, count++;
				i++;
				continue;
			}
			if (count > best)
				best = count, bstart = run;
			/* a name can only start after a NUL */
			const uint8_t *z = i < n ? memchr(d + i, 0, n - i) : NULL;
			i = z ? (size_t)(z - d) + 1 : n;
			break;
		}
	}
	*start = bstart;
	return best;
}

#define APPLET_MIN 4 /* fewer sorted names than this is no applet table */

/* The applets, space-separated, into out; 0 when there is no table. */
static int applets(const uint8_t *d, size_t n, char *out, size_t cap)
{
	size_t s, count = applet_block(d, n, &s);
	if (count < APPLET_MIN || cap == 0)
		return 0;
	size_t k = 0;
	for (size_t i = 0; i < count && s < n; i++) {
		size_t l = strnlen((const char *)d + s, n - s);
		if (k + l + 2 > cap)
			break;
		if (k)
			out[k++] = ' ';
		memcpy(out + k, d + s, l);
		k += l;
		s += l + 1;
	}
	out[k] = 0;
	return 1;
}

/* ---- ELF: soname and glibc's symbol versions -------------------------------------------- */

/* "GLIBC_2.36" -> 2036000; 0 when it is not GLIBC_<major>.<minor>[.<patch>]. */
static unsigned long glibc_ver(const char *v)
{
	if (strncmp(v, "GLIBC_", 6) != 0)
		return 0;
	unsigned long part[3] = { 0, 0, 0 };
	int k = 0;
	const char *q = v + 6;
	for (;;) {
		if (!isdigit((unsigned char)*q))
			return 0;
		unsigned long x = 0;
		while (isdigit((unsigned char)*q) && x < 1000)
			x = x * 10 + (unsigned long)(*q++ - '0');
		if (x >= 1000)
			return 0;
		part[k++] = x;
		if (!*q)
			break;
		if (*q != '.' || k == 3)
			return 0;
		q++;
	}
	return part[0] * 1000000 + part[1] * 1000 + part[2];
}

static void elf_pass(struct sctx *x)
{
	const struct comps *st = x->st;
	struct fv_elf e;
	if (fv_elf_parse(x->d, x->n, &e) != 0) {
		fv_elf_free(&e);
		return;
	}
	if (e.soname && *e.soname) {
		size_t sl = strlen(e.soname);
		for (size_t i = 0; i < st->np; i++) {
			const struct pat *p = &st->p[i];
			if (p->kind != P_SONAME)
				continue;
			int rc = pcre2_match(p->re, (PCRE2_SPTR)e.soname, sl, 0, 0, x->md, st->mctx);
			if (rc < 1)
				continue;
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(x->md);
			const char *v = "";
			size_t vl = 0;
			if (rc >= 2 && ov[2] != PCRE2_UNSET)
				v = e.soname + ov[2], vl = ov[3] - ov[2];
			add_found(x, p->comp, v, vl, 0, (const uint8_t *)e.soname, sl, "soname", NULL);
		}
	}
	/*
	 * glibc's libc.so.6 defines one symbol version per release that added
	 * symbols (GLIBC_2.0 ... GLIBC_2.36): the newest is a lower bound of the
	 * release, not the release (a release that adds no symbol shows the one
	 * before it).  Used only when the banner ("GNU C Library ... release
	 * version 2.36") was not found.
	 */
	if (st->glibc != SIZE_MAX && e.soname && !strcmp(e.soname, "libc.so.6")) {
		for (size_t i = 0; i < x->nf; i++)
			if (x->f[i].comp == st->glibc && !strcmp(x->f[i].method, "string")) {
				fv_elf_free(&e);
				return;
			}
		unsigned long best = 0;
		const char *bestname = NULL;
		for (size_t i = 0; i < e.dynsym.count; i++) {
			const char *file = NULL;
			const char *v = fv_elf_sym_version(&e, i, &file, NULL);
			unsigned long g = v && !file ? glibc_ver(v) : 0;
			if (g > best)
				best = g, bestname = v;
		}
		if (bestname) {
			char detail[160];
			snprintf(detail, sizeof detail, "lower bound: %s is the newest symbol version "
				 "this libc defines; the release may be newer", bestname);
			add_found(x, st->glibc, bestname + 6, strlen(bestname + 6), 0,
				  (const uint8_t *)bestname, strlen(bestname), "symver", detail);
		}
	}
	fv_elf_free(&e);
}

/* ---- run ------------------------------------------------------------------------------ */

static int versioned(const struct sctx *x, size_t comp)
{
	for (size_t i = 0; i < x->nf; i++)
		if (x->f[i].comp == comp && x->f[i].version[0])
			return 1;
	return 0;
}

void fv_components_scan(void *state, const uint8_t *d, size_t n, fv_copy_fn fn, void *ctx)
{
	struct comps *st = state;
	if (!st || !d || n == 0)
		return;
	struct sctx x = { .st = st, .d = d, .n = n };
	x.md = pcre2_match_data_create(4, NULL);
	x.hits = calloc(st->nhs ? st->nhs : 1, sizeof *x.hits);
	if (!x.md || !x.hits) {
		pcre2_match_data_free(x.md);
		free(x.hits);
		return;
	}
	if (st->db) {
		hs_scratch_t *scratch = fv_hspool_get(&st->scratch);
		for (size_t w = 0; scratch && w < n; w += WINDOW) {
			/* Windows overlap by the widest match, so none is cut in two. */
			size_t len = n - w < WINDOW + MAX_WIDTH ? n - w : WINDOW + MAX_WIDTH;
			x.base = w;
			x.skip = w ? MAX_WIDTH : 0;
			if (len >= ((size_t)1 << 16))
				fv_map_prefetch(d + w, len);
			hs_scan(st->db, (const char *)d + w, (unsigned)len, 0, scratch, on_match, &x);
			if (len < WINDOW + MAX_WIDTH)
				break;
		}
		if (scratch)
			fv_hspool_put(&st->scratch, scratch);
	}
	if (n >= 4 && !memcmp(d, "\x7f" "ELF", 4))
		elf_pass(&x);
	char *detail = NULL;
	for (size_t i = 0; i < x.nf; i++) {
		struct found *o = &x.f[i];
		const struct comp *c = &st->c[o->comp];
		if (!o->version[0] && versioned(&x, o->comp))
			continue; /* the soname adds nothing to the version string beside it */
		if (o->comp == st->busybox && !detail && (detail = malloc(MAX_DETAIL)) != NULL &&
		    !applets(d, n, detail, MAX_DETAIL))
			detail[0] = 0;
		const char *det = o->detail[0] ? o->detail
				  : o->comp == st->busybox && detail && detail[0] ? detail : NULL;
		struct fv_component_copy cc = { c->name, c->title, o->version, c->cpe, c->purl, NULL,
						o->offset, o->evidence, o->method, det };
		fn(ctx, &cc);
	}
	free(detail);
	free(x.f);
	free(x.hits);
	pcre2_match_data_free(x.md);
}

struct runctx {
	struct fv_actx *a;
	const struct fv_afile *f;
};

static void to_actx(void *ctx, const struct fv_component_copy *c)
{
	struct runctx *r = ctx;
	fv_actx_component_copy(r->a, r->f, c);
}

static int wants(const struct fv_file *f)
{
	return f->content != SIZE_MAX && f->x && f->x->size > 0;
}

static void run(struct fv_actx *a, void *state, const struct fv_afile *f)
{
	struct runctx r = { a, f };
	fv_components_scan(state, f->data, f->size, to_actx, &r);
}

/* ---- package databases ---------------------------------------------------------------- */

/* A line's field value, trimmed; 0 when the line is not "<key>:". */
static int field_is(const uint8_t *l, size_t n, const char *key, const uint8_t **v, size_t *vl)
{
	size_t k = strlen(key);
	if (n <= k || memcmp(l, key, k) != 0 || l[k] != ':')
		return 0;
	size_t b = k + 1, e = n;
	while (b < e && (l[b] == ' ' || l[b] == '\t'))
		b++;
	while (e > b && (l[e - 1] == ' ' || l[e - 1] == '\t' || l[e - 1] == '\r'))
		e--;
	*v = l + b, *vl = e - b;
	return 1;
}

static int pkg_name_ok(const uint8_t *p, size_t n)
{
	if (n == 0 || n > 128)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum(p[i]) || p[i] == '.' || p[i] == '_' || p[i] == '+' || p[i] == '-'))
			return 0;
	return 1;
}

static int pkg_text_ok(const uint8_t *p, size_t n)
{
	if (n == 0 || n > MAX_FIELD)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f)
			return 0;
	return 1;
}

size_t fv_pkgdb_parse(const uint8_t *d, size_t n, fv_pkg_fn fn, void *ctx)
{
	struct fv_pkg_entry cur;
	int open = 0;
	size_t count = 0;
	memset(&cur, 0, sizeof cur);
	for (size_t i = 0; i < n && count < MAX_STANZAS;) {
		const uint8_t *nl = memchr(d + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - d) : n, b = i;
		i = nl ? e + 1 : n;
		const uint8_t *l = d + b, *v;
		size_t ln = e - b, vl;
		size_t blank = 0;
		while (blank < ln && (l[blank] == ' ' || l[blank] == '\t' || l[blank] == '\r'))
			blank++;
		int is_pkg = field_is(l, ln, "Package", &v, &vl);
		if ((blank == ln || is_pkg) && open) {
			fn(ctx, &cur), count++;
			open = 0;
		}
		if (is_pkg) {
			memset(&cur, 0, sizeof cur);
			if (pkg_name_ok(v, vl)) {
				cur.name = (const char *)v, cur.name_len = vl, cur.offset = b;
				open = 1;
			}
		} else if (open && field_is(l, ln, "Version", &v, &vl)) {
			if (pkg_text_ok(v, vl))
				cur.version = (const char *)v, cur.version_len = vl;
		} else if (open && field_is(l, ln, "Status", &v, &vl)) {
			if (pkg_text_ok(v, vl))
				cur.status = (const char *)v, cur.status_len = vl;
		}
	}
	if (open && count < MAX_STANZAS)
		fn(ctx, &cur), count++;
	return count;
}

void fv_pkg_upstream(const char *v, size_t n, char *out, size_t cap)
{
	if (!cap)
		return;
	size_t b = 0;
	while (b < n && isdigit((unsigned char)v[b]))
		b++;
	b = (b > 0 && b < n && v[b] == ':') ? b + 1 : 0;
	size_t e = n;
	for (size_t i = n; i > b; i--)
		if (v[i - 1] == '-') {
			e = i - 1;
			break;
		}
	if (e == b)
		e = n; /* "-1": no upstream part left; keep it all */
	size_t k = e - b < cap - 1 ? e - b : cap - 1;
	memcpy(out, v + b, k);
	out[k] = 0;
}

struct pkgctx {
	struct fv_actx *a;
	const struct comps *st;
	const char *path;
	const char *method;
};

static void on_pkg(void *ctx, const struct fv_pkg_entry *e)
{
	struct pkgctx *x = ctx;
	const struct comps *st = x->st;
	/* "install ok installed"; "deinstall ok config-files" and half-done states are no package. */
	if (e->status) {
		size_t k = e->status_len;
		while (k > 0 && e->status[k - 1] != ' ')
			k--;
		if (e->status_len - k != 9 || memcmp(e->status + k, "installed", 9) != 0)
			return;
	}
	char name[130], version[MAX_FIELD + 1] = "", ev[MAX_EVIDENCE + 1], purl[160];
	snprintf(name, sizeof name, "%.*s", (int)e->name_len, e->name);
	if (e->version)
		fv_pkg_upstream(e->version, e->version_len, version, sizeof version);
	if (e->version)
		snprintf(ev, sizeof ev, "Package: %s Version: %.*s", name, (int)e->version_len,
			 e->version);
	else
		snprintf(ev, sizeof ev, "Package: %s", name);
	struct pkgname key = { name, 0 };
	const struct pkgname *hit = st->npk ? bsearch(&key, st->pk, st->npk, sizeof *st->pk, pkcmp)
					    : NULL;
	size_t ci = hit ? hit->comp : comp_named(st, name);
	struct fv_component_copy c = { name, name, version, NULL, purl, x->path, 0, ev, x->method,
				       NULL };
	if (ci != SIZE_MAX) {
		const struct comp *r = &st->c[ci];
		c.name = r->name, c.title = r->title, c.cpe = r->cpe, c.purl = r->purl;
	} else {
		snprintf(purl, sizeof purl, "pkg:generic/%s", name);
	}
	c.offset = e->offset;
	fv_actx_component_copy(x->a, NULL, &c);
}

/* Which package database member path is, and how its stanzas are named; NULL for none. */
static const char *pkgdb_kind(const char *member)
{
	static const char *const opkg[] = { "/usr/lib/opkg/status", "/var/lib/opkg/status",
					    "/usr/lib/ipkg/status", "/var/lib/ipkg/status",
					    "/var/opkg-lists/status", "/etc/opkg/status" };
	for (size_t i = 0; i < sizeof opkg / sizeof *opkg; i++)
		if (!strcmp(member, opkg[i]))
			return "opkg";
	size_t l = strlen(member);
	static const char *const dirs[] = { "/usr/lib/opkg/info/", "/var/lib/opkg/info/",
					    "/usr/lib/ipkg/info/" };
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		size_t k = strlen(dirs[i]);
		if (l > k + 8 && !strncmp(member, dirs[i], k) && !strchr(member + k, '/') &&
		    !strcmp(member + l - 8, ".control"))
			return "opkg";
	}
	if (!strcmp(member, "/var/lib/dpkg/status"))
		return "dpkg";
	return NULL;
}

static void finish(struct fv_actx *a, void *state)
{
	const struct comps *st = state;
	const struct fv_inventory *inv = fv_actx_inventory(a);
	if (!inv)
		return;
	pcre2_match_data *md = pcre2_match_data_create(4, NULL);
	if (!md)
		return;
	for (size_t i = 0; i < inv->nfiles; i++) {
		const struct fv_file *f = &inv->files[i];
		if (!f->member || !f->x)
			continue;
		int regular = f->content != SIZE_MAX;
		if (!regular && f->kind != FV_KIND_SYMLINK)
			continue;
		const char *slash = strrchr(f->member, '/');
		const char *base = slash ? slash + 1 : f->member;
		size_t bl = strlen(base);
		for (size_t k = 0; bl && k < st->np; k++) {
			const struct pat *p = &st->p[k];
			if (p->kind != P_FILE)
				continue;
			int rc = pcre2_match(p->re, (PCRE2_SPTR)base, bl, 0, 0, md, st->mctx);
			if (rc < 1)
				continue;
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
			char version[MAX_VERSION + 1] = "";
			if (rc >= 2 && ov[2] != PCRE2_UNSET) {
				if (ov[3] - ov[2] > MAX_VERSION)
					continue;
				memcpy(version, base + ov[2], ov[3] - ov[2]);
				version[ov[3] - ov[2]] = 0;
			}
			const struct comp *c = &st->c[p->comp];
			char ev[MAX_EVIDENCE + 1];
			printable(ev, sizeof ev, (const uint8_t *)base, bl);
			struct fv_component_copy cc = { c->name, c->title, version, c->cpe, c->purl,
							 f->x->path, 0, ev, "filename", NULL };
			fv_actx_component_copy(a, NULL, &cc);
		}
		const char *method = regular ? pkgdb_kind(f->member) : NULL;
		struct fv_map m;
		if (!method || f->x->size > MAX_PKGDB || fv_inventory_map(inv, f, &m) != FV_OK)
			continue;
		struct pkgctx px = { a, st, f->x->path, method };
		if (m.data && m.size <= MAX_PKGDB)
			fv_pkgdb_parse(m.data, m.size, on_pkg, &px);
		fv_map_close(&m);
	}
	pcre2_match_data_free(md);
}

const struct fv_analyzer fv_analyzer_components = {
	.name = "components",
	.scope = FV_SCOPE_CONTENT,
	.rules = "components",
	.init = init,
	.wants = wants,
	.run = run,
	.finish = finish,
	.fini = fini,
};
