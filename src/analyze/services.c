/*
 * Services started at boot (FV-SVC-001..006).
 *
 * For every root filesystem, the init system is read the way the device
 * runs it: /etc/inittab (BusyBox and SysV), the scripts it starts and every
 * script those source or call (rc.d loops included, their globs resolved
 * against the root's files), OpenWrt procd instances, systemd units enabled
 * by .wants/.requires links (with drop-ins and sockets), inetd.conf,
 * xinetd.d and crontabs.  Each command that starts a program is reduced to
 * the program and its arguments (past nohup, start-stop-daemon, busybox,
 * sh -c, tcpsvd and the like) and recorded with the file and line that
 * start it; programs named in rules/services/ are then judged.
 *
 * It is a static reading: conditions are not evaluated, so a command in an
 * `if` branch or an uncalled function counts as started.  What the shell
 * never runs (comments, here-document bodies, case patterns) never counts.
 */
#include <ctype.h>
#include <dirent.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "analyze/shell.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/map.h"
#include "unpack/engine.h"

#define MAX_DEPTH 8                /* nested script calls and sources */
#define MAX_GLOB 512               /* files one glob or loop list yields */
#define MAX_ARGS 64                /* words kept of one command */
#define ARENA 8192                 /* bytes of expanded words per command */
#define MAX_WORD 2048              /* one expanded word */
#define MAX_VARS 256               /* variables per scope */
#define MAX_FUNCS 4096             /* function names per scope */
#define MAX_SCRIPT (64u << 20)     /* bytes of one script or configuration read */
#define MAX_LINE 4096              /* one configuration line (units joined) */
#define MAX_EVIDENCE 400           /* bytes of a line shown as evidence */
#define PER_FILE_RULE 64           /* findings of one rule in one file */
#define WORK_BUDGET (4u << 20)     /* commands, lines and glob candidates per root */

/* ---- rules: which program names belong to which class ------------------------- */

enum cls { C_TELNET, C_FTP, C_TFTP, C_SSH, C_SHELL, C_GETTY, C_LOGIN, C_NETCAT, C_SOCAT, C_DAEMON, C_TOOL, NCLASS };

static const char *const class_names[NCLASS] = {
	"telnet", "ftp", "tftp", "ssh", "shell", "getty", "login", "netcat", "socat", "daemon", "tool",
};

#define M(c) (1u << (c))

struct prog {
	char *name;
	unsigned mask;
};

struct rules {
	struct prog *v;
	size_t n, cap;
};

static int prog_cmp(const void *a, const void *b)
{
	return strcmp(((const struct prog *)a)->name, ((const struct prog *)b)->name);
}

static int name_ok(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-' || c == '+' || c == '@';
}

/* One class file: a program name per line, '#' comments. */
static int load_class(struct fv_actx *a, struct rules *r, const char *path, unsigned cls, int required)
{
	struct fv_map m;
	if (fv_map_open(path, &m) != FV_OK) {
		if (!required)
			return FV_OK;
		fv_actx_fail(a, "%s: expected the %s program list of the services rules: cannot read it",
			     path, class_names[cls]);
		return FV_EIO;
	}
	const char *p = (const char *)m.data;
	size_t n = m.size, line = 0;
	int rc = FV_OK;
	for (size_t i = 0; i < n && rc == FV_OK;) {
		const char *nl = memchr(p + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - p) : n, b = i;
		i = nl ? e + 1 : n;
		line++;
		const char *hash = memchr(p + b, '#', e - b);
		if (hash)
			e = (size_t)(hash - p);
		while (b < e && isspace((unsigned char)p[b]))
			b++;
		while (e > b && isspace((unsigned char)p[e - 1]))
			e--;
		if (b == e)
			continue;
		size_t k = b;
		while (k < e && name_ok(p[k]))
			k++;
		if (k != e || e - b > 64) {
			fv_actx_fail(a, "%s:%zu: expected one program name (letters, digits, . _ - + @; at most 64) "
				     "per line, found \"%.*s\"", path, line, (int)(e - b > 80 ? 80 : e - b), p + b);
			rc = FV_EFORMAT;
			break;
		}
		if (fv_grow(&r->v, &r->cap, r->n, sizeof *r->v) || !(r->v[r->n].name = strndup(p + b, e - b))) {
			rc = FV_ENOMEM;
			break;
		}
		r->v[r->n++].mask = M(cls);
	}
	fv_map_close(&m);
	return rc;
}

/* Every *.txt in dir/services must be a known class, so that a typo in a user's file name is not ignored. */
static int check_folder(struct fv_actx *a, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return FV_OK;
	int rc = FV_OK;
	struct dirent *de;
	while (rc == FV_OK && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".txt"))
			continue;
		int known = 0;
		for (unsigned c = 0; c < NCLASS; c++)
			known |= l - 4 == strlen(class_names[c]) && !strncmp(de->d_name, class_names[c], l - 4);
		if (!known) {
			fv_actx_fail(a, "%s/%s: expected a program list named after its class (telnet, ftp, tftp, "
				     "ssh, shell, getty, login, netcat, socat, daemon, tool)", dir, de->d_name);
			rc = FV_EFORMAT;
		}
	}
	closedir(d);
	return rc;
}

static void rules_free(struct rules *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].name);
	free(r->v);
	free(r);
}

static int svc_init(struct fv_actx *a, void **state)
{
	struct rules *r = calloc(1, sizeof *r);
	if (!r)
		return FV_ENOMEM;
	const char *dirs[2] = { fv_actx_rules_dir(a), fv_actx_user_rules(a) };
	int rc = FV_OK;
	for (int d = 0; d < 2 && rc == FV_OK; d++) {
		if (!dirs[d])
			continue;
		char folder[4096], path[4200];
		snprintf(folder, sizeof folder, "%s/services", dirs[d]);
		rc = check_folder(a, folder);
		for (unsigned c = 0; c < NCLASS && rc == FV_OK; c++) {
			snprintf(path, sizeof path, "%s/%s.txt", folder, class_names[c]);
			rc = load_class(a, r, path, c, d == 0);
		}
	}
	if (rc != FV_OK) {
		rules_free(r);
		return rc;
	}
	/* One entry per name, with the union of its classes. */
	qsort(r->v, r->n, sizeof *r->v, prog_cmp);
	size_t w = 0;
	for (size_t i = 0; i < r->n; i++) {
		if (w && !strcmp(r->v[w - 1].name, r->v[i].name)) {
			r->v[w - 1].mask |= r->v[i].mask;
			free(r->v[i].name);
		} else {
			r->v[w++] = r->v[i];
		}
	}
	r->n = w;
	*state = r;
	return FV_OK;
}

static void svc_fini(void *state)
{
	if (state)
		rules_free(state);
}

static unsigned classes(const struct rules *r, const char *name)
{
	struct prog key = { (char *)name, 0 };
	const struct prog *p = bsearch(&key, r->v, r->n, sizeof *r->v, prog_cmp);
	return p ? p->mask : 0;
}

/* ---- small helpers -------------------------------------------------------------- */

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static int eq(const char *a, const char *b) { return strcmp(a, b) == 0; }

static int starts(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

/* Blanks at the ends of a line (strchr would also match the NUL a hostile line may hold). */
static int is_sp(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* NAME=value, as env and the shell take it. */
static int is_assign(const char *w)
{
	if (!isalpha((unsigned char)*w) && *w != '_')
		return 0;
	while (isalnum((unsigned char)*w) || *w == '_')
		w++;
	return *w == '=';
}

/* Lines of a buffer: [b, e) without the newline. */
struct lines {
	const char *p;
	size_t n, i, line;
};

static int next_line(struct lines *L, size_t *b, size_t *e)
{
	if (L->i >= L->n)
		return 0;
	const char *nl = memchr(L->p + L->i, '\n', L->n - L->i);
	*b = L->i;
	*e = nl ? (size_t)(nl - L->p) : L->n;
	L->i = nl ? *e + 1 : L->n;
	L->line++;
	return 1;
}

/* A string set with a counter per key (open addressing, FNV-1a). */
struct sent {
	char *key;
	uint32_t val;
};

struct smap {
	struct sent *v;
	size_t cap, n;
};

static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

/* The counter of key, created at 0 when create is set; NULL when absent or out of memory. */
static uint32_t *smap_get(struct smap *m, const char *key, int create)
{
	size_t kl = strlen(key);
	if (create && (m->n + 1) * 2 > m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 64;
		struct sent *nv = calloc(ncap, sizeof *nv);
		if (!nv)
			return NULL;
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->v[i].key)
				continue;
			size_t j = fnv(m->v[i].key, strlen(m->v[i].key)) & (ncap - 1);
			while (nv[j].key)
				j = (j + 1) & (ncap - 1);
			nv[j] = m->v[i];
		}
		free(m->v);
		m->v = nv;
		m->cap = ncap;
	}
	if (!m->cap)
		return NULL;
	size_t j = fnv(key, kl) & (m->cap - 1);
	while (m->v[j].key) {
		if (!strcmp(m->v[j].key, key))
			return &m->v[j].val;
		j = (j + 1) & (m->cap - 1);
	}
	if (!create || !(m->v[j].key = strdup(key)))
		return NULL;
	m->v[j].val = 0;
	m->n++;
	return &m->v[j].val;
}

static void smap_free(struct smap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->v[i].key);
	free(m->v);
	memset(m, 0, sizeof *m);
}

/* ---- the analysis state ------------------------------------------------------------ */

/* Where a command is written: a line of a file. */
struct loc {
	const struct fv_file *file;
	const char *src; /* the file's bytes (NULL: no line, e.g. a symlink) */
	size_t n;
	size_t line;     /* 1-based; 0 when there is none */
	size_t off;      /* the first byte of the line */
	size_t end;      /* a byte inside the last line of the command */
};

enum { CX_CONSOLE = 1, CX_BOUND = 2 };

/* Why a command is listed although its program is not in the rules. */
enum { EX_NO, EX_START, EX_BACKGROUND };

struct cmd {
	char how[48];
	struct loc locs[4]; /* locs[0]: the command; more for procd_append_param lines */
	unsigned nlocs;
	unsigned char wloc[MAX_ARGS];
	int explicit_;      /* EX_START or EX_BACKGROUND: record it even when its program is unknown */
	unsigned ctx;
	char port[32];      /* "tcp/23" for CX_BOUND */
	enum fv_conf conf;
	size_t argc;
	char *argv[MAX_ARGS];
	const char *raw[MAX_ARGS]; /* as written (NULL for words made here) */
	size_t rawlen[MAX_ARGS];
	char arena[ARENA];
	size_t used;
};

struct var {
	char name[64];
	char **vals; /* one value: a scalar; several: a loop list */
	size_t nvals;
};

struct scope {
	struct var v[MAX_VARS];
	size_t nv;
	struct smap funcs;
	char cwd[256]; /* after `cd`; "" is / (init starts scripts there) */
};

struct svc {
	struct fv_actx *a;
	const struct rules *rules;
	const struct fv_inventory *inv;
	size_t *order;          /* file indexes by (root, member) */
	unsigned char *visited; /* per file index: read as a script or configuration */
	unsigned char *isscript; /* per file index: 0 not looked at, 1 a shell script, 2 not one */
	struct smap seen;       /* findings and records made, and per-file counts */
	/* the root being read: order[lo, hi) */
	size_t lo, hi;
	const struct fv_file *near;
	uint64_t work;
	int stop;
	int inetd_seen, xinetd_seen;
	const char *note; /* appended to titles: why the confidence is lower */
	char runlevel;
};

struct frame {
	struct svc *s;
	const struct fv_file *file; /* the script being read */
	const char *src;
	size_t n;
	const struct loc *fixed;    /* inline text (a config line): every command is reported here */
	size_t ncmds, icmd;         /* inline: commands in all, and the one being read */
	const char *how;
	unsigned ctx;
	char port[32];
	enum fv_conf conf;
	int explicit_;              /* inline: the text is started explicitly */
	unsigned depth;
	struct scope *scope;
	const char *args[10];       /* $0..$9 */
	const char *bind[2], *bindval[2]; /* loop variables bound to one value */
	struct cmd *procd;          /* a procd instance's command awaiting its appended arguments */
	struct cmd cmd;
};

static void start(struct frame *f, struct cmd *c);

static int spend(struct svc *s, uint64_t n)
{
	s->work += n;
	if (s->work > WORK_BUDGET && !s->stop) {
		s->stop = 1;
		fv_log(FV_LOG_WARN, "%.*s: boot services: reading stopped after %u steps (scripts too large "
		       "or too many loops)", (int)s->near->root_len, s->near->x->path, WORK_BUDGET);
	}
	return s->stop;
}

static size_t file_index(const struct svc *s, const struct fv_file *f) { return (size_t)(f - s->inv->files); }

/* ---- the root's files ------------------------------------------------------------------- */

static int cmp_root_member(const void *a, const void *b, void *arg)
{
	const struct fv_file *fs = arg;
	const struct fv_file *x = &fs[*(const size_t *)a], *y = &fs[*(const size_t *)b];
	size_t n = x->root_len < y->root_len ? x->root_len : y->root_len;
	int r = memcmp(x->x->path, y->x->path, n);
	if (r)
		return r;
	if (x->root_len != y->root_len)
		return x->root_len < y->root_len ? -1 : 1;
	return strcmp(x->member, y->member);
}

static const struct fv_file *at(const struct svc *s, size_t k) { return &s->inv->files[s->order[k]]; }

/* The first index in [lo, hi) whose member is >= m. */
static size_t lower(const struct svc *s, const char *m)
{
	size_t lo = s->lo, hi = s->hi;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(at(s, mid)->member, m) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The entry itself (a symlink stays a symlink), or NULL. */
static const struct fv_file *entry(const struct svc *s, const char *member)
{
	size_t k = lower(s, member);
	return k < s->hi && eq(at(s, k)->member, member) ? at(s, k) : NULL;
}

/* The regular file at member, symlinks followed inside the root. */
static const struct fv_file *lookup(const struct svc *s, const char *member)
{
	return fv_inventory_lookup(s->inv, s->near, member);
}

/* Lexically normalised absolute path: "//", "/./" and "/../" folded. 0 if it is not absolute. */
static int norm(const char *in, char *out, size_t cap)
{
	if (in[0] != '/' || cap < 2)
		return 0;
	size_t o = 0;
	const char *p = in;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 1 && p[0] == '.') {
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else {
			if (o + 1 + n + 1 > cap)
				return 0;
			out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = 0;
	return 1;
}

/*
 * Files of the root matching an absolute fnmatch pattern, in sorted order
 * (as sh sorts a glob in the C locale).  Folders and devices are left out.
 */
static size_t glob_root(struct svc *s, const char *pat, const struct fv_file **out, size_t max)
{
	char prefix[1024];
	size_t pl = 0;
	while (pat[pl] && !strchr("*?[\\", pat[pl]) && pl + 1 < sizeof prefix) {
		prefix[pl] = pat[pl];
		pl++;
	}
	prefix[pl] = 0;
	size_t n = 0;
	for (size_t k = lower(s, prefix); k < s->hi && n < max; k++) {
		const struct fv_file *f = at(s, k);
		if (strncmp(f->member, prefix, pl))
			break;
		if (spend(s, 1))
			break;
		if (f->kind == FV_KIND_DIR || f->kind == FV_KIND_SPECIAL)
			continue;
		if (fnmatch(pat, f->member, FNM_PATHNAME | FNM_PERIOD) == 0)
			out[n++] = f;
	}
	return n;
}

static const char *const path_dirs[] = { "/sbin", "/usr/sbin", "/bin", "/usr/bin", "/usr/local/sbin",
					 "/usr/local/bin" };

/* A program as the shell would find it: a path is normalised, a name searched in PATH. */
static void resolve_prog(const struct svc *s, const char *name, char *out, size_t cap)
{
	if (strchr(name, '/')) {
		if (!norm(name, out, cap))
			snprintf(out, cap, "%s", name);
		return;
	}
	size_t nl = strlen(name);
	for (size_t k = 0; k < sizeof path_dirs / sizeof path_dirs[0] && nl && nl < 256; k++) {
		char m[512];
		size_t dl = strlen(path_dirs[k]);
		memcpy(m, path_dirs[k], dl);
		m[dl] = '/';
		memcpy(m + dl + 1, name, nl + 1);
		const struct fv_file *e = entry(s, m);
		if (e && e->kind != FV_KIND_DIR) {
			snprintf(out, cap, "%s", m);
			return;
		}
	}
	snprintf(out, cap, "%s", name);
}

/* ---- evidence, findings and records ---------------------------------------------------------- */

/* The line(s) of loc as written, control bytes shown as \xNN (a newline of a continuation as \n). */
static void evidence(const struct loc *l, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = 0;
	if (!l->src || l->off >= l->n)
		return;
	size_t b = l->off, last = l->end > b ? l->end - 1 : b;
	if (last >= l->n)
		last = l->n - 1;
	const char *nl = memchr(l->src + last, '\n', l->n - last);
	size_t e = nl ? (size_t)(nl - l->src) : l->n;
	while (b < e && (l->src[b] == ' ' || l->src[b] == '\t'))
		b++;
	while (e > b && is_sp(l->src[e - 1]))
		e--;
	int cut = 0;
	for (size_t i = b; i < e; i++) {
		unsigned char c = (unsigned char)l->src[i];
		char tmp[8];
		size_t k;
		if (c == '\n')
			k = (size_t)snprintf(tmp, sizeof tmp, "\\n");
		else if ((c < 0x20 && c != '\t') || c == 0x7f)
			k = (size_t)snprintf(tmp, sizeof tmp, "\\x%02x", c);
		else
			tmp[0] = (char)c, k = 1;
		if (o + k + 4 >= cap || o + k > MAX_EVIDENCE) {
			cut = 1;
			break;
		}
		memcpy(out + o, tmp, k);
		o += k;
	}
	if (cut && o + 4 < cap) {
		memcpy(out + o, "\xe2\x80\xa6", 3); /* … */
		o += 3;
	}
	out[o] = 0;
}

static void finding(struct svc *s, const struct loc *l, const char *rule, const char *cat,
		    enum fv_severity sev, enum fv_conf conf, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static void finding(struct svc *s, const struct loc *l, const char *rule, const char *cat,
		    enum fv_severity sev, enum fv_conf conf, const char *fmt, ...)
{
	char key[128];
	snprintf(key, sizeof key, "F\x1f%s\x1f%zu\x1f%zu", rule, file_index(s, l->file), l->off);
	uint32_t *seen = smap_get(&s->seen, key, 1);
	if (!seen || (*seen)++)
		return;
	snprintf(key, sizeof key, "N\x1f%s\x1f%zu", rule, file_index(s, l->file));
	uint32_t *count = smap_get(&s->seen, key, 1);
	if (!count || (*count)++ >= PER_FILE_RULE)
		return;
	char ev[MAX_EVIDENCE + 64], title[512];
	evidence(l, ev, sizeof ev);
	va_list ap;
	va_start(ap, fmt);
	int tl = vsnprintf(title, sizeof title, fmt, ap);
	va_end(ap);
	if (s->note && tl > 0 && (size_t)tl < sizeof title)
		snprintf(title + tl, sizeof title - (size_t)tl, "%s", s->note);
	fv_actx_finding_at(s->a, l->file, rule, cat, sev, conf, l->off, ev, "%s", title);
}

/* "path:line" of a loc's file, for titles. */
static void where(const struct loc *l, char *out, size_t cap)
{
	if (l->line)
		snprintf(out, cap, "%s:%zu", l->file->member, l->line);
	else
		snprintf(out, cap, "%s", l->file->member);
}

/* The words from k on, as written, joined by one space. */
static void args_as_written(const struct cmd *c, size_t k, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = 0;
	for (; k < c->argc; k++) {
		const char *w = c->raw[k] ? c->raw[k] : c->argv[k];
		size_t n = c->raw[k] ? c->rawlen[k] : strlen(w);
		if (c->raw[k] && !n)
			continue; /* a later field of a word split in two: written once already */
		if (o + n + 2 >= cap)
			break;
		if (o)
			out[o++] = ' ';
		for (size_t i = 0; i < n; i++)
			out[o++] = w[i] ? w[i] : ' ';
	}
	out[o] = 0;
}

static void record(struct svc *s, const struct cmd *c)
{
	char prog[1024], args[2048], key[3400];
	resolve_prog(s, c->argv[0], prog, sizeof prog);
	args_as_written(c, 1, args, sizeof args);
	const struct loc *l = &c->locs[0];
	snprintf(key, sizeof key, "S\x1f%zu\x1f%zu\x1f%s\x1f%s\x1f%s", file_index(s, l->file), l->line, c->how,
		 prog, args);
	uint32_t *seen = smap_get(&s->seen, key, 1);
	if (!seen || (*seen)++)
		return;
	snprintf(key, sizeof key, "R\x1f%zu", file_index(s, l->file));
	uint32_t *count = smap_get(&s->seen, key, 1);
	if (!count || (*count)++ >= 16 * PER_FILE_RULE)
		return;
	struct fv_service sv = { l->file->x->path, l->line, c->how, prog, args };
	fv_actx_service(s->a, &sv);
}

/* ---- commands ------------------------------------------------------------------------------------ */

static void cmd_reset(struct cmd *c)
{
	c->argc = 0;
	c->used = 0;
	c->nlocs = 1;
	c->explicit_ = 0;
	c->ctx = 0;
	c->port[0] = 0;
	c->how[0] = 0;
	c->conf = FV_CONF_HIGH;
}

static int add_arg(struct cmd *c, const char *v, const char *raw, size_t rawlen, unsigned loc)
{
	size_t n = strlen(v);
	if (c->argc >= MAX_ARGS || n + 1 > ARENA - c->used)
		return 0;
	char *p = c->arena + c->used;
	memcpy(p, v, n + 1);
	c->used += n + 1;
	c->argv[c->argc] = p;
	c->raw[c->argc] = raw;
	c->rawlen[c->argc] = rawlen;
	c->wloc[c->argc] = (unsigned char)loc;
	c->argc++;
	return 1;
}

/* Points word k at a new value (kept in the arena; left as it was when there is no room). */
static void set_arg(struct cmd *c, size_t k, const char *v)
{
	size_t n = strlen(v);
	if (k >= c->argc || n + 1 > ARENA - c->used)
		return;
	memcpy(c->arena + c->used, v, n + 1);
	c->argv[k] = c->arena + c->used;
	c->used += n + 1;
}

static void shift(struct cmd *c, size_t k)
{
	if (k > c->argc)
		k = c->argc;
	memmove(c->argv, c->argv + k, (c->argc - k) * sizeof *c->argv);
	memmove(c->raw, c->raw + k, (c->argc - k) * sizeof *c->raw);
	memmove(c->rawlen, c->rawlen + k, (c->argc - k) * sizeof *c->rawlen);
	memmove(c->wloc, c->wloc + k, (c->argc - k) * sizeof *c->wloc);
	c->argc -= k;
}

static const struct loc *wloc(const struct cmd *c, size_t k)
{
	unsigned i = k < c->argc ? c->wloc[k] : 0;
	return &c->locs[i < c->nlocs ? i : 0];
}

/*
 * Looks for a short option `opt` (and its long form) among the words from
 * `from`, getopt style: "-l X", "-lX", "-nl X" (when the letters before it
 * are flags), "--long X", "--long=X".  Letters in `argful` take a value, so
 * scanning a cluster stops there.  Returns the word index of the option (or
 * of its value when val is set), -1 when absent; *val gets the value.
 */
static long option(const struct cmd *c, size_t from, char opt, const char *lng, const char *argful,
		   const char **val)
{
	if (val)
		*val = NULL;
	for (size_t k = from; k < c->argc; k++) {
		const char *w = c->argv[k];
		if (eq(w, "--"))
			break;
		if (w[0] == '-' && w[1] == '-' && lng) {
			size_t l = strlen(lng);
			if (!strncmp(w, lng, l) && w[l] == '=') {
				if (val)
					*val = w + l + 1;
				return (long)k;
			}
			if (eq(w, lng)) {
				if (!val)
					return (long)k;
				if (k + 1 < c->argc) {
					*val = c->argv[k + 1];
					return (long)k + 1;
				}
				return -1;
			}
			continue;
		}
		if (w[0] != '-' || !w[1] || w[1] == '-')
			continue;
		for (size_t j = 1; w[j]; j++) {
			if (w[j] == opt) {
				if (!val)
					return (long)k;
				if (w[j + 1]) {
					*val = w + j + 1;
					return (long)k;
				}
				if (k + 1 < c->argc) {
					*val = c->argv[k + 1];
					return (long)k + 1;
				}
				return -1;
			}
			if (argful && strchr(argful, w[j])) {
				if (!w[j + 1])
					k++;
				break;
			}
		}
	}
	return -1;
}

/* The program name of a command string ("/bin/sh -i", "busybox sh"): its base, without a login '-'. */
static void first_prog(const char *v, char *out, size_t cap)
{
	out[0] = 0;
	for (int pass = 0; pass < 2; pass++) {
		while (*v == ' ' || *v == '\t' || *v == '\'' || *v == '"')
			v++;
		size_t n = strcspn(v, " \t'\",");
		char word[256];
		snprintf(word, sizeof word, "%.*s", (int)(n < 255 ? n : 255), v);
		const char *b = base(word);
		if (*b == '-')
			b++;
		snprintf(out, cap, "%s", b);
		if (!eq(out, "busybox"))
			return;
		v += n;
	}
}

static int is_shell_text(const struct svc *s, const char *v)
{
	char p[256];
	first_prog(v, p, sizeof p);
	return *p && (classes(s->rules, p) & M(C_SHELL));
}

/* "/bin/login -f root": a login program told the user is already authenticated. */
static int is_forced_login(const struct svc *s, const char *v)
{
	char p[256];
	first_prog(v, p, sizeof p);
	if (!*p || !(classes(s->rules, p) & M(C_LOGIN)))
		return 0;
	for (const char *q = v; (q = strstr(q, "-f")); q += 2)
		if ((q == v || q[-1] == ' ' || q[-1] == '\t') && (q[2] == 0 || q[2] == ' ' || q[2] == '\t'))
			return 1;
	return 0;
}

/* ---- judging a started program ------------------------------------------------------------------ */

/* Whether a shell started with these words reads commands from its terminal. */
static int interactive_shell(const struct cmd *c, size_t from)
{
	for (size_t k = from; k < c->argc; k++) {
		const char *w = c->argv[k];
		if (w[0] != '-' && w[0] != '+')
			return 0; /* a script operand */
		if (w[0] == '-' && w[1] != '-' && strchr(w, 'c'))
			return 0;
	}
	return 1;
}

static void check_sshd_config(struct svc *s, const struct cmd *c, size_t ai);

/*
 * The program is argv[ai] (ai is 1 for "busybox applet"), its options
 * follow.  Records the command when it is started explicitly or known, and
 * reports what the rules say of it.
 */
static void judge(struct svc *s, const struct cmd *c, size_t ai)
{
	char name[256];
	snprintf(name, sizeof name, "%s", base(c->argv[ai]));
	const char *nm = name[0] == '-' ? name + 1 : name;
	unsigned m = classes(s->rules, nm);
	/* a utility in a background list ("(sleep 5; x) &", "x | logger &") is not what the list starts */
	if (m == M(C_TOOL) || !m) {
		if (!c->explicit_ || (c->explicit_ == EX_BACKGROUND && m))
			return;
		m = 0;
	}
	record(s, c);
	const struct loc *l = &c->locs[0];
	enum fv_conf conf = c->conf;
	/* A program the root does not hold (an optional one, or on another partition): less sure. */
	char path[1024];
	resolve_prog(s, c->argv[0], path, sizeof path);
	if (conf > FV_CONF_MEDIUM && (path[0] != '/' || !entry(s, path)))
		conf = FV_CONF_MEDIUM;
	size_t o = ai + 1;
	const char *v;
	if (m & M(C_TELNET)) {
		long k = option(c, o, 'l', NULL, "pbfL", &v);
		if (k < 0)
			k = option(c, o, 'L', NULL, "pbfl", &v);
		int open = v && (is_shell_text(s, v) || is_forced_login(s, v));
		const struct loc *fl = k >= 0 ? wloc(c, (size_t)k) : l;
		const char *port = NULL;
		option(c, o, 'p', NULL, "lbfL", &port);
		if (open) {
			finding(s, fl, "FV-SVC-001", "service", FV_SEV_CRITICAL, conf,
				"telnet server %s started at boot gives a shell without login (-l %s)", nm, v);
			if (port)
				finding(s, fl, "FV-SVC-002", "backdoor", FV_SEV_CRITICAL, conf,
					"shell bound to network port %s: %s -l %s -p %s", port, nm, v, port);
		} else {
			finding(s, l, "FV-SVC-001", "service", FV_SEV_HIGH, conf, "telnet server %s started at boot%s%s",
				nm, c->port[0] ? " on " : "", c->port);
		}
		return;
	}
	if (m & M(C_NETCAT)) {
		int listen = option(c, o, 'l', "--listen", "pecswiqoxTbXOIgG", NULL) >= 0;
		const char *ex = NULL, *port = NULL;
		option(c, o, 'e', "--exec", "pcswiqoxTbXOIgG", &ex);
		int sh = ex && is_shell_text(s, ex);
		if (!ex && option(c, o, 'c', "--sh-exec", "pweswiqoxTbXOIgG", &ex) >= 0 && ex)
			sh = 1; /* -c runs its string through /bin/sh */
		option(c, o, 'p', NULL, "ecswiqoxTbXOIgG", &port);
		if (!port)
			for (size_t k = c->argc; k > o; k--)
				if (isdigit((unsigned char)c->argv[k - 1][0]) && !strchr(c->argv[k - 1], '.')) {
					port = c->argv[k - 1];
					break;
				}
		if (listen && sh)
			finding(s, l, "FV-SVC-002", "backdoor", FV_SEV_CRITICAL, conf,
				"shell bound to network port %s: %s listens and runs %s", port ? port : "?", nm, ex);
		else if (listen)
			finding(s, l, "FV-SVC-006", "service", FV_SEV_INFO, conf,
				"%s listens on port %s at boot%s%s", nm, port ? port : "?", ex ? " and runs " : "",
				ex ? ex : "");
		return;
	}
	if (m & M(C_SOCAT)) {
		const char *lst = NULL, *ex = NULL;
		for (size_t k = o; k < c->argc; k++) {
			const char *w = c->argv[k];
			char up[32];
			size_t n = strcspn(w, ":,");
			snprintf(up, sizeof up, "%.*s", (int)(n < 31 ? n : 31), w);
			for (char *q = up; *q; q++)
				*q = (char)toupper((unsigned char)*q);
			size_t ul = strlen(up);
			if ((ul > 7 && !strcmp(up + ul - 7, "-LISTEN")) || (ul > 2 && !strcmp(up + ul - 2, "-L")))
				lst = w;
			else if (!strcmp(up, "EXEC") && w[n] == ':')
				ex = is_shell_text(s, w + n + 1) ? w : ex;
			else if (!strcmp(up, "SYSTEM") && w[n] == ':')
				ex = w; /* run through /bin/sh */
		}
		if (lst && ex)
			finding(s, l, "FV-SVC-002", "backdoor", FV_SEV_CRITICAL, conf,
				"shell bound to network port: socat %s %s", lst, ex);
		else if (lst)
			finding(s, l, "FV-SVC-006", "service", FV_SEV_INFO, conf, "socat listens at boot: %s", lst);
		return;
	}
	if (m & M(C_SHELL)) {
		if (c->ctx & CX_BOUND)
			finding(s, l, "FV-SVC-002", "backdoor", FV_SEV_CRITICAL, conf,
				"shell bound to network port %s: %s is the server (%s)", c->port, nm, c->how);
		else if ((c->ctx & CX_CONSOLE) && interactive_shell(c, o))
			finding(s, l, "FV-SVC-005", "service", FV_SEV_MEDIUM, conf,
				"console gives a shell without a password: %s started by %s", nm, c->how);
		return;
	}
	if (m & M(C_GETTY)) {
		const char *lp = NULL, *user = NULL;
		option(c, o, 'l', "--login-program", "tIHfoa", &lp);
		option(c, o, 'a', "--autologin", "tIHfol", &user);
		if (lp && is_shell_text(s, lp))
			finding(s, l, "FV-SVC-005", "service", FV_SEV_MEDIUM, conf,
				"console gives a shell without a password: %s runs %s instead of login", nm, lp);
		else if (user)
			finding(s, l, "FV-SVC-005", "service", FV_SEV_MEDIUM, conf,
				"console logs in without a password: %s logs %s in automatically", nm, user);
		return;
	}
	if (m & M(C_LOGIN)) {
		if ((c->ctx & CX_CONSOLE) && option(c, o, 'f', NULL, "h", NULL) >= 0)
			finding(s, l, "FV-SVC-005", "service", FV_SEV_MEDIUM, conf,
				"console logs in without a password: %s -f skips authentication", nm);
		return;
	}
	if (m & (M(C_FTP) | M(C_TFTP))) {
		finding(s, l, "FV-SVC-003", "service", FV_SEV_MEDIUM, conf, "%s server %s started at boot%s%s",
			m & M(C_TFTP) ? "tftp" : "ftp", nm, c->port[0] ? " on " : "", c->port);
		return;
	}
	if (m & M(C_SSH)) {
		if (strstr(nm, "dropbear")) {
			long k = option(c, o, 'B', NULL, "brpPWKIcTDAe", NULL);
			if (k >= 0) {
				finding(s, wloc(c, (size_t)k), "FV-SVC-004", "service", FV_SEV_HIGH, conf,
					"ssh server %s started at boot allows logins with an empty password (-B)", nm);
				return;
			}
		} else {
			const char *ov = NULL;
			for (long k = (long)o - 1; (k = option(c, (size_t)k + 1, 'o', NULL, "fhpcCkbEgu", &ov)) >= 0;) {
				if (ov && !strncasecmp(ov, "PermitEmptyPasswords", 20) &&
				    strcasestr(ov + 20, "yes")) {
					finding(s, wloc(c, (size_t)k), "FV-SVC-004", "service", FV_SEV_HIGH, conf,
						"ssh server %s started at boot permits empty passwords (-o %s)", nm, ov);
					return;
				}
			}
			check_sshd_config(s, c, ai);
		}
		finding(s, l, "FV-SVC-006", "service", FV_SEV_INFO, conf, "ssh server %s started at boot", nm);
		return;
	}
	if (m & M(C_DAEMON))
		finding(s, l, "FV-SVC-006", "service", FV_SEV_INFO, conf, "network service %s started at boot%s%s",
			nm, c->port[0] ? " on " : "", c->port);
}

static void check_sshd_config(struct svc *s, const struct cmd *c, size_t ai)
{
	const char *cfg = NULL;
	char path[1024];
	option(c, ai + 1, 'f', NULL, "ohpcCkbEgu", &cfg);
	if (!cfg || !norm(cfg, path, sizeof path))
		snprintf(path, sizeof path, "/etc/ssh/sshd_config");
	const struct fv_file *f = lookup(s, path);
	if (!f)
		return;
	char key[64];
	snprintf(key, sizeof key, "C\x1f%zu", file_index(s, f));
	uint32_t *seen = smap_get(&s->seen, key, 1);
	if (!seen || (*seen)++)
		return;
	struct fv_map m;
	if (fv_inventory_map(s->inv, f, &m) != FV_OK)
		return;
	struct lines L = { (const char *)m.data, m.size < MAX_SCRIPT ? m.size : MAX_SCRIPT, 0, 0 };
	size_t b, e;
	int in_match = 0;
	char w[1024];
	where(&c->locs[0], w, sizeof w);
	while (next_line(&L, &b, &e) && !spend(s, 1)) {
		size_t i = b;
		while (i < e && isspace((unsigned char)L.p[i]))
			i++;
		if (i >= e || L.p[i] == '#')
			continue;
		size_t k = i;
		while (k < e && !isspace((unsigned char)L.p[k]) && L.p[k] != '=')
			k++;
		if (k - i == 5 && !strncasecmp(L.p + i, "Match", 5)) {
			in_match = 1;
			continue;
		}
		if (k - i != 20 || strncasecmp(L.p + i, "PermitEmptyPasswords", 20))
			continue;
		while (k < e && (isspace((unsigned char)L.p[k]) || L.p[k] == '='))
			k++;
		int yes = e - k >= 3 && !strncasecmp(L.p + k, "yes", 3) && (e - k == 3 || isspace((unsigned char)L.p[k + 3]));
		if (yes) {
			struct loc cl = { f, L.p, L.n, L.line, b, b };
			finding(s, &cl, "FV-SVC-004", "service", FV_SEV_HIGH, in_match ? FV_CONF_MEDIUM : c->conf,
				"ssh server started at boot (%s) permits empty passwords%s", w,
				in_match ? " in a Match block" : "");
		}
		if (!in_match) /* sshd keeps the first value it reads */
			break;
	}
	fv_map_close(&m);
}

/* ---- scripts --------------------------------------------------------------------------------------- */

static void scope_free(struct scope *sc)
{
	for (size_t i = 0; i < sc->nv; i++) {
		for (size_t k = 0; k < sc->v[i].nvals; k++)
			free(sc->v[i].vals[k]);
		free(sc->v[i].vals);
	}
	smap_free(&sc->funcs);
	free(sc);
}

static struct var *var_find(struct scope *sc, const char *name)
{
	for (size_t i = 0; i < sc->nv; i++)
		if (eq(sc->v[i].name, name))
			return &sc->v[i];
	return NULL;
}

/* Sets name to vals (taking them), or unsets it when n is 0. */
static void var_set(struct scope *sc, const char *name, char **vals, size_t n)
{
	struct var *v = var_find(sc, name);
	if (!v && strlen(name) < sizeof v->name && sc->nv < MAX_VARS && n) {
		v = &sc->v[sc->nv++];
		snprintf(v->name, sizeof v->name, "%s", name);
		v->vals = NULL;
		v->nvals = 0;
	}
	if (!v) {
		for (size_t k = 0; k < n; k++)
			free(vals[k]);
		free(vals);
		return;
	}
	for (size_t k = 0; k < v->nvals; k++)
		free(v->vals[k]);
	free(v->vals);
	v->vals = n ? vals : NULL;
	v->nvals = n;
	if (!n)
		free(vals);
}

#define CWD_UNKNOWN "\x01" /* after `cd $X`: relative paths cannot be placed */

/* A path as the shell in scope sc would open it. */
static void absolute(const struct scope *sc, const char *name, char *out, size_t cap)
{
	char tmp[1024];
	const char *cwd = sc ? sc->cwd : "";
	if (name[0] != '/' && eq(cwd, CWD_UNKNOWN)) {
		snprintf(out, cap, "%s", name);
		return;
	}
	if (name[0] == '/')
		snprintf(tmp, sizeof tmp, "%s", name);
	else
		snprintf(tmp, sizeof tmp, "%s/%s", cwd, name);
	if (!norm(tmp, out, cap))
		snprintf(out, cap, "%s", name);
}

static const char *var_lookup(void *ctx, const char *name, size_t len)
{
	struct frame *f = ctx;
	(void)len;
	for (int b = 0; b < 2; b++)
		if (f->bind[b] && eq(f->bind[b], name))
			return f->bindval[b];
	if (name[0] >= '0' && name[0] <= '9' && !name[1])
		return f->args[name[0] - '0'];
	struct var *v = var_find(f->scope, name);
	return v && v->nvals == 1 ? v->vals[0] : NULL;
}

/* Whether the file is a shell script: a sh-family #! line, or text without one. */
static int shell_script(const struct svc *s, const uint8_t *p, size_t n)
{
	if (n >= 4 && !memcmp(p, "\177ELF", 4))
		return 0;
	if (n >= 2 && p[0] == '#' && p[1] == '!') {
		char line[256], prog[128];
		size_t k = 2, o = 0;
		while (k < n && p[k] != '\n' && o + 1 < sizeof line)
			line[o++] = (char)p[k++];
		line[o] = 0;
		first_prog(line, prog, sizeof prog);
		if (eq(prog, "env")) {
			const char *q = line + strspn(line, " \t");
			q += strcspn(q, " \t");
			first_prog(q, prog, sizeof prog);
		}
		return (classes(s->rules, prog) & M(C_SHELL)) != 0;
	}
	size_t lim = n < 1024 ? n : 1024;
	return memchr(p, 0, lim) == NULL;
}

static int on_event(void *ctx, const struct fv_sh_cmd *ev);

/* Whether a file is a shell script, looked at once per file. */
static int is_script(struct svc *s, const struct fv_file *f)
{
	unsigned char *k = &s->isscript[file_index(s, f)];
	if (!*k) {
		struct fv_map m;
		*k = 2;
		if (fv_inventory_map(s->inv, f, &m) == FV_OK) {
			if (m.size && shell_script(s, m.data, m.size))
				*k = 1;
			fv_map_close(&m);
		}
	}
	return *k == 1;
}

static struct frame *frame_new(struct svc *s, struct frame *parent, const char *how)
{
	struct frame *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->s = s;
	f->how = how;
	f->conf = parent ? parent->conf : FV_CONF_HIGH;
	f->depth = parent ? parent->depth + 1 : 0;
	return f;
}

static void flush_procd(struct frame *f)
{
	if (!f->procd)
		return;
	struct cmd *c = f->procd;
	f->procd = NULL;
	start(f, c);
	free(c);
}

static void frame_free(struct frame *f, int own_scope)
{
	flush_procd(f);
	if (own_scope && f->scope)
		scope_free(f->scope);
	free(f);
}

/*
 * Reads a script: called (own variables, $1.. from args) or sourced (the
 * caller's scope).  Each file is read once per root, whoever reaches it.
 */
static void run_script(struct svc *s, struct frame *parent, const struct fv_file *file, const char *how,
		       struct scope *shared, char **args, size_t nargs)
{
	unsigned depth = parent ? parent->depth + 1 : 0;
	if (!file || depth > MAX_DEPTH || s->stop || s->visited[file_index(s, file)])
		return;
	s->visited[file_index(s, file)] = 1;
	struct fv_map m;
	if (!is_script(s, file) || fv_inventory_map(s->inv, file, &m) != FV_OK)
		return;
	struct frame *f = frame_new(s, parent, how);
	if (!f) {
		fv_map_close(&m);
		return;
	}
	f->file = file;
	f->src = (const char *)m.data;
	f->n = m.size < MAX_SCRIPT ? m.size : MAX_SCRIPT;
	f->scope = shared ? shared : calloc(1, sizeof *f->scope);
	if (f->scope && !shared && parent) /* a called script starts in its caller's folder */
		memcpy(f->scope->cwd, parent->scope->cwd, sizeof f->scope->cwd);
	f->args[0] = file->member;
	for (size_t k = 0; k < nargs && k < 9; k++)
		f->args[k + 1] = args[k];
	if (parent && shared) /* a sourced file sees the caller's $1.. */
		memcpy(f->args + 1, parent->args + 1, sizeof f->args - sizeof f->args[0]);
	if (f->scope)
		fv_sh_parse(f->src, f->n, on_event, f);
	frame_free(f, !shared);
	fv_map_close(&m);
}

static int count_cmds(void *ctx, const struct fv_sh_cmd *ev)
{
	if (ev->kind == FV_SH_CMD)
		(*(size_t *)ctx)++;
	return 0;
}

/*
 * A command line that is not a script file: an inittab process, an
 * ExecStart=, a cron job, sh -c's string.  Everything it runs is reported
 * at loc; its last command is what the mechanism starts.
 */
static void run_inline(struct svc *s, struct frame *parent, const char *text, const struct loc *loc,
		       const char *how, unsigned ctx, const char *port, enum fv_conf conf, int explicit_)
{
	unsigned depth = parent ? parent->depth + 1 : 0;
	if (depth > MAX_DEPTH || s->stop)
		return;
	size_t n = strlen(text);
	struct frame *f = frame_new(s, parent, how);
	if (!f)
		return;
	char *copy = strdup(text);
	f->scope = calloc(1, sizeof *f->scope);
	if (!copy || !f->scope) {
		free(copy);
		frame_free(f, 1);
		return;
	}
	f->file = loc->file;
	f->src = copy;
	f->n = n;
	f->fixed = loc;
	f->ctx = ctx;
	f->conf = conf;
	f->explicit_ = explicit_;
	snprintf(f->port, sizeof f->port, "%s", port ? port : "");
	if (parent) {
		memcpy(f->args, parent->args, sizeof f->args);
		memcpy(f->scope->cwd, parent->scope->cwd, sizeof f->scope->cwd);
	}
	fv_sh_parse(copy, n, count_cmds, &f->ncmds);
	fv_sh_parse(copy, n, on_event, f);
	frame_free(f, 1);
	free(copy);
}

/*
 * Whether an expanded word is split into fields: it used a known variable
 * and holds no quoting at all (a quoted "$X" stays one word).
 */
static int splits(const char *raw, size_t n, unsigned flags)
{
	if (flags & (FV_SH_X_UNKNOWN | FV_SH_X_TRUNC) || !memchr(raw, '$', n))
		return 0;
	return !memchr(raw, '"', n) && !memchr(raw, '\'', n) && !memchr(raw, '\\', n);
}

/* `for NAME in WORDS`: globs resolved against the root, in order. */
static void on_for(struct frame *f, const struct fv_sh_cmd *ev)
{
	struct svc *s = f->s;
	char name[64], buf[MAX_WORD];
	if (ev->w[0].len >= sizeof name || ev->w[0].len == 0)
		return;
	snprintf(name, sizeof name, "%.*s", (int)ev->w[0].len, f->src + ev->w[0].off);
	for (const char *q = name; *q; q++)
		if (!isalnum((unsigned char)*q) && *q != '_')
			return;
	char **vals = calloc(MAX_GLOB, sizeof *vals);
	size_t n = 0;
	const struct fv_file **hits = calloc(MAX_GLOB, sizeof *hits);
	if (!vals || !hits) {
		free(vals);
		free(hits);
		return;
	}
	for (size_t k = 1; k < ev->nw && n < MAX_GLOB; k++) {
		unsigned fl = fv_sh_expand(f->src, ev->w[k], 1, var_lookup, f, buf, sizeof buf);
		if (fl & FV_SH_X_TRUNC)
			continue;
		if (fl & (FV_SH_X_GLOB | FV_SH_X_UNKNOWN)) {
			char pat[MAX_WORD];
			if (buf[0] != '/' || !norm(buf, pat, sizeof pat))
				continue; /* relative to an unknown folder, or nothing known */
			/* norm() keeps glob bytes; a pattern of only '*' would list the whole root */
			if (eq(pat, "/") || eq(pat, "/*"))
				continue;
			size_t h = glob_root(s, pat, hits, MAX_GLOB - n);
			for (size_t i = 0; i < h; i++)
				if ((vals[n] = strdup(hits[i]->member)))
					n++;
			continue;
		}
		fl = fv_sh_expand(f->src, ev->w[k], 0, var_lookup, f, buf, sizeof buf);
		if (!splits(f->src + ev->w[k].off, ev->w[k].len, fl)) {
			if ((vals[n] = strdup(buf)))
				n++;
			continue;
		}
		for (char *save = NULL, *t = strtok_r(buf, " \t\n", &save); t && n < MAX_GLOB;
		     t = strtok_r(NULL, " \t\n", &save))
			if ((vals[n] = strdup(t)))
				n++;
	}
	free(hits);
	var_set(f->scope, name, vals, n);
}

/* Expands an event's words into c and runs it. */
static void on_cmd(struct frame *f, const struct fv_sh_cmd *ev)
{
	struct cmd *c = &f->cmd;
	char buf[MAX_WORD];
	size_t k = 0;
	while (k < ev->nw && fv_sh_assignment(f->src, ev->w[k]))
		k++;
	if (k == ev->nw) { /* NAME=value ...: variables of this shell */
		for (size_t i = 0; i < k; i++) {
			size_t nl = fv_sh_assignment(f->src, ev->w[i]);
			char name[64];
			if (nl >= sizeof name)
				continue;
			snprintf(name, sizeof name, "%.*s", (int)nl, f->src + ev->w[i].off);
			struct fv_sh_word v = { ev->w[i].off + nl + 1, ev->w[i].len - nl - 1 };
			unsigned fl = fv_sh_expand(f->src, v, 0, var_lookup, f, buf, sizeof buf);
			char **vals = NULL;
			if (!(fl & (FV_SH_X_UNKNOWN | FV_SH_X_TRUNC)) && (vals = malloc(sizeof *vals)) &&
			    (vals[0] = strdup(buf))) {
				var_set(f->scope, name, vals, 1);
			} else {
				free(vals);
				var_set(f->scope, name, NULL, 0);
			}
		}
		return;
	}
	cmd_reset(c);
	for (; k < ev->nw; k++) {
		const char *raw = f->src + ev->w[k].off;
		unsigned fl = fv_sh_expand(f->src, ev->w[k], 0, var_lookup, f, buf, sizeof buf);
		if (!splits(raw, ev->w[k].len, fl)) {
			add_arg(c, buf, raw, ev->w[k].len, 0);
			continue;
		}
		/* an unquoted $X holding "a b" is two words; the text as written goes with the first */
		int first = 1;
		for (char *save = NULL, *t = strtok_r(buf, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
			add_arg(c, t, raw, first ? ev->w[k].len : 0, 0);
			first = 0;
		}
	}
	if (f->fixed) {
		c->locs[0] = *f->fixed;
		c->explicit_ = f->explicit_ && f->icmd == f->ncmds ? f->explicit_ : ev->bg ? EX_BACKGROUND : EX_NO;
	} else {
		c->locs[0] = (struct loc){ f->file, f->src, f->n, ev->line, ev->line_off, ev->end };
		c->explicit_ = ev->bg ? EX_BACKGROUND : EX_NO;
	}
	snprintf(c->how, sizeof c->how, "%s", f->how);
	c->ctx = f->ctx;
	snprintf(c->port, sizeof c->port, "%s", f->port);
	c->conf = f->conf;
	start(f, c);
}

static int on_event(void *ctx, const struct fv_sh_cmd *ev)
{
	struct frame *f = ctx;
	struct svc *s = f->s;
	if (spend(s, 1 + ev->nw))
		return 1;
	if (ev->kind == FV_SH_FUNC) {
		char name[128];
		snprintf(name, sizeof name, "%.*s", (int)(ev->w[0].len < 127 ? ev->w[0].len : 127),
			 f->src + ev->w[0].off);
		if (f->scope->funcs.n < MAX_FUNCS)
			smap_get(&f->scope->funcs, name, 1);
		return 0;
	}
	if (ev->kind == FV_SH_FOR) {
		on_for(f, ev);
		return 0;
	}
	f->icmd++;
	/* Words that use a loop's variable run once per value (two variables at most). */
	struct var *lv[2];
	size_t nlv = 0;
	for (size_t i = 0; i < f->scope->nv && nlv < 2; i++) {
		struct var *v = &f->scope->v[i];
		if (v->nvals < 2)
			continue;
		for (size_t k = 0; k < ev->nw; k++)
			if (fv_sh_refers(f->src, ev->w[k], v->name)) {
				lv[nlv++] = v;
				break;
			}
	}
	if (nlv == 0) {
		on_cmd(f, ev);
		return s->stop;
	}
	size_t n0 = lv[0]->nvals, n1 = nlv > 1 ? lv[1]->nvals : 1;
	for (size_t i = 0; i < n0 && !s->stop; i++) {
		for (size_t j = 0; j < n1 && !s->stop; j++) {
			if (spend(s, 1))
				break;
			f->bind[0] = lv[0]->name;
			f->bindval[0] = lv[0]->vals[i];
			f->bind[1] = nlv > 1 ? lv[1]->name : NULL;
			f->bindval[1] = nlv > 1 ? lv[1]->vals[j] : NULL;
			on_cmd(f, ev);
		}
	}
	f->bind[0] = f->bind[1] = NULL;
	return s->stop;
}

/* A script path as `.` or `sh` would find it. */
static const struct fv_file *find_script(struct svc *s, const struct scope *sc, const char *name, int search_path)
{
	char m[1024];
	if (name[0] == '/')
		return norm(name, m, sizeof m) ? lookup(s, m) : NULL;
	if (!*name)
		return NULL;
	if (search_path && !strchr(name, '/')) {
		for (size_t k = 0; k < sizeof path_dirs / sizeof path_dirs[0]; k++) {
			snprintf(m, sizeof m, "%s/%s", path_dirs[k], name);
			const struct fv_file *f = lookup(s, m);
			if (f)
				return f;
		}
	}
	absolute(sc, name, m, sizeof m);
	return m[0] == '/' ? lookup(s, m) : NULL;
}

static void call_script(struct frame *f, const struct fv_file *file, const char *how, struct cmd *c, size_t from)
{
	/* What a script started by inittab starts is "rcS"; elsewhere the mechanism is kept (systemd, cron). */
	if (starts(how, "inittab"))
		how = "rcS";
	char *args[9];
	size_t n = 0;
	for (size_t k = from; k < c->argc && n < 9; k++)
		args[n++] = c->argv[k];
	run_script(f->s, f, file, how, NULL, args, n);
}

/* ---- configuration files that start programs ------------------------------------------------------ */

static void unit_by_name(struct svc *s, struct frame *parent, const char *name, const char *how, unsigned ctx,
			 const char *port);
static void inetd_conf(struct svc *s, struct frame *parent, const char *member, enum fv_conf conf);
static void xinetd_file(struct svc *s, struct frame *parent, const struct fv_file *f, enum fv_conf conf);

/* start-stop-daemon: replaces c by the program it starts; 0 when it does not start one. */
static int ssd(struct cmd *c)
{
	/* long options and the short letters they stand for; the letters after 'S' take a value */
	static const struct {
		const char *name;
		char opt;
	} longs[] = { { "--start", 'S' },    { "--exec", 'x' },     { "--startas", 'a' }, { "--name", 'n' },
		      { "--pidfile", 'p' },  { "--user", 'u' },     { "--chuid", 'c' },   { "--chroot", 'r' },
		      { "--chdir", 'd' },    { "--nicelevel", 'N' }, { "--umask", 'k' },   { "--signal", 's' },
		      { "--retry", 'R' },    { "--iosched", 'I' },  { "--procsched", 'P' }, { "--group", 'g' } };
	static const char argful[] = "xanpucrdNksRIPg";
	int is_start = 0;
	const char *prog[2] = { NULL, NULL }; /* -x, -a */
	long word[2] = { -1, -1 };            /* the word that is the value, for its text as written */
	size_t dash = c->argc;
	for (size_t k = 1; k < c->argc; k++) {
		const char *w = c->argv[k], *val = NULL;
		long vw = -1;
		char opt = 0;
		if (eq(w, "--")) {
			dash = k + 1;
			break;
		}
		if (w[0] != '-' || !w[1])
			continue;
		if (w[1] == '-') {
			for (size_t i = 0; i < sizeof longs / sizeof longs[0]; i++) {
				size_t l = strlen(longs[i].name);
				if (strncmp(w, longs[i].name, l) || (w[l] && w[l] != '='))
					continue;
				opt = longs[i].opt;
				if (w[l] == '=')
					val = w + l + 1;
				break;
			}
			if (opt && opt != 'S' && !val && k + 1 < c->argc)
				val = c->argv[++k], vw = (long)k;
		} else {
			for (size_t j = 1; w[j]; j++) {
				if (w[j] == 'S')
					is_start = 1;
				if (!strchr(argful, w[j]))
					continue;
				opt = w[j];
				if (w[j + 1])
					val = w + j + 1;
				else if (k + 1 < c->argc)
					val = c->argv[++k], vw = (long)k;
				break;
			}
		}
		if (opt == 'S')
			is_start = 1;
		else if (opt == 'x' || opt == 'a')
			prog[opt == 'a'] = val, word[opt == 'a'] = vw;
	}
	int which = prog[1] ? 1 : 0; /* --startas names what is run; --exec what is matched */
	if (!is_start || !prog[which] || !prog[which][0])
		return 0;
	/*
	 * argv becomes: the program, then what follows "--".  c is rebuilt from
	 * a copy t; the words live in the arena, so a word at c->arena + n is
	 * read from t->arena + n.
	 */
	struct cmd *t = malloc(sizeof *t);
	if (!t)
		return 0;
	memcpy(t, c, sizeof *t);
	c->argc = 0;
	c->used = 0;
	long pw = word[which];
	add_arg(c, t->arena + (prog[which] - c->arena), pw >= 0 ? t->raw[pw] : NULL, pw >= 0 ? t->rawlen[pw] : 0,
		pw >= 0 ? t->wloc[pw] : 0);
	for (size_t i = dash; i < t->argc; i++)
		add_arg(c, t->arena + (t->argv[i] - c->arena), t->raw[i], t->rawlen[i], t->wloc[i]);
	free(t);
	return 1;
}

/* tcpsvd/udpsvd [opts] IP PORT PROG ARGS: the program serves a port. */
static int superserver(struct cmd *c, int udp)
{
	size_t k = 1;
	while (k < c->argc && c->argv[k][0] == '-') {
		const char *w = c->argv[k];
		size_t l = strlen(w);
		k++;
		if (strchr("cCbul", w[l - 1]) && l == 2)
			k++;
	}
	if (k + 2 >= c->argc) /* IP, PORT and PROG must follow */
		return 0;
	snprintf(c->port, sizeof c->port, "%s/%s", udp ? "udp" : "tcp", c->argv[k + 1]);
	snprintf(c->how, sizeof c->how, "%s %s", udp ? "udpsvd" : "tcpsvd", c->port);
	c->ctx = (c->ctx & ~(unsigned)CX_CONSOLE) | CX_BOUND;
	c->explicit_ = EX_START;
	shift(c, k + 2);
	return 1;
}

static int is_name(const char *w, const char *const *names)
{
	for (; *names; names++)
		if (eq(w, *names))
			return 1;
	return 0;
}

/*
 * Wrappers that run their arguments as the command: peels one off c.
 * Returns 1 when it did, 0 when argv[0] is no wrapper, -1 when the command
 * starts nothing (start-stop-daemon --stop, command -v).
 */
static int unwrap(struct cmd *c)
{
	const char *b = base(c->argv[0]);
	if (eq(b, "nohup") || eq(b, "setsid")) {
		shift(c, 1);
		while (c->argc && c->argv[0][0] == '-')
			shift(c, 1);
		c->explicit_ = EX_START;
	} else if (eq(b, "exec") || eq(b, "command") || eq(b, "time") || eq(b, "builtin")) {
		if (eq(b, "command") && c->argc > 1 && (eq(c->argv[1], "-v") || eq(c->argv[1], "-V")))
			return -1;
		shift(c, 1);
		while (c->argc && c->argv[0][0] == '-' && !eq(c->argv[0], "-"))
			shift(c, eq(c->argv[0], "-a") ? 2 : 1);
	} else if (eq(b, "nice")) {
		shift(c, 1);
		if (c->argc && eq(c->argv[0], "-n"))
			shift(c, 2);
		else if (c->argc && c->argv[0][0] == '-')
			shift(c, 1);
	} else if (eq(b, "env")) {
		shift(c, 1);
		while (c->argc) {
			const char *w = c->argv[0];
			if (eq(w, "-u") || eq(w, "--unset"))
				shift(c, 2);
			else if (w[0] == '-' || is_assign(w))
				shift(c, 1);
			else
				break;
		}
	} else if (eq(b, "chroot")) {
		shift(c, c->argc > 2 ? 2 : c->argc);
	} else if (eq(b, "timeout")) {
		shift(c, 1);
		while (c->argc && c->argv[0][0] == '-')
			shift(c, (eq(c->argv[0], "-s") || eq(c->argv[0], "-k")) ? 2 : 1);
		shift(c, 1); /* the duration */
	} else if (eq(b, "start-stop-daemon")) {
		if (!ssd(c))
			return -1;
		c->explicit_ = EX_START;
	} else if (eq(b, "daemon") || eq(b, "service_start")) {
		shift(c, 1);
		while (c->argc && (c->argv[0][0] == '-' || c->argv[0][0] == '+')) {
			const char *w = c->argv[0];
			shift(c, (eq(w, "--user") || eq(w, "--pidfile") || eq(w, "--check")) ? 2 : 1);
		}
		c->explicit_ = EX_START;
	} else if (eq(b, "tcpsvd") || eq(b, "udpsvd")) {
		return superserver(c, eq(b, "udpsvd")) ? 1 : -1;
	} else {
		return 0;
	}
	return 1;
}

/* Builtins of sh run nothing; `cd` moves the folder relative paths start from; `eval` runs its words. 1 if handled. */
static int builtin(struct frame *f, struct cmd *c)
{
	static const char *const names[] = { ":", "true", "false", "echo", "printf", "test", "[", "[[", "export",
					     "set", "unset", "shift", "trap", "wait", "read", "ulimit", "umask",
					     "local", "return", "exit", "break", "continue", "let", "type", "hash",
					     "alias", "unalias", "readonly", "getopts", "kill", "pwd", "times",
					     "jobs", "fg", "bg", "declare", "typeset", NULL };
	const char *p = c->argv[0];
	if (is_name(p, names))
		return 1;
	if (eq(p, "cd") || eq(p, "pushd")) {
		const char *to = c->argc > 1 ? c->argv[1] : "";
		char abs[256];
		if (!*to || eq(to, "-") || strchr(to, '$') || strchr(to, '`')) {
			snprintf(f->scope->cwd, sizeof f->scope->cwd, CWD_UNKNOWN);
		} else {
			absolute(f->scope, to, abs, sizeof abs);
			snprintf(f->scope->cwd, sizeof f->scope->cwd, "%s",
				 abs[0] != '/' ? CWD_UNKNOWN : eq(abs, "/") ? "" : abs);
		}
		return 1;
	}
	if (eq(p, "eval")) {
		char line[MAX_LINE];
		size_t o = 0;
		for (size_t k = 1; k < c->argc && o + 1 < sizeof line; k++)
			o += (size_t)snprintf(line + o, sizeof line - o, "%s%s", k > 1 ? " " : "", c->argv[k]);
		line[o < sizeof line ? o : sizeof line - 1] = 0;
		run_inline(f->s, f, line, &c->locs[0], c->how, c->ctx, c->port, c->conf, c->explicit_);
		return 1;
	}
	return 0;
}

/*
 * OpenWrt's procd_set_param command ... starts an instance, and later
 * procd_append_param command ... lines add to it: the command is held in
 * the frame until procd_close_instance (or the script's end).
 */
static void procd_param(struct frame *f, struct cmd *c)
{
	if (c->argc < 3 || !eq(c->argv[1], "command"))
		return;
	if (eq(c->argv[0], "procd_set_param") || !f->procd) {
		flush_procd(f);
		struct cmd *pc = malloc(sizeof *pc);
		if (!pc)
			return;
		cmd_reset(pc);
		pc->locs[0] = c->locs[0];
		snprintf(pc->how, sizeof pc->how, "procd");
		pc->explicit_ = EX_START;
		pc->conf = c->conf;
		for (size_t k = 2; k < c->argc; k++)
			add_arg(pc, c->argv[k], c->raw[k], c->rawlen[k], 0);
		f->procd = pc;
		return;
	}
	/* an appended argument keeps the line it was written on, for findings it triggers */
	struct cmd *pc = f->procd;
	unsigned li = pc->nlocs;
	if (li < sizeof pc->locs / sizeof pc->locs[0])
		pc->locs[pc->nlocs++] = c->locs[0];
	else
		li = pc->nlocs - 1;
	for (size_t k = 2; k < c->argc; k++)
		add_arg(pc, c->argv[k], c->raw[k], c->rawlen[k], li);
}

/* sh -c STRING, sh SCRIPT ARGS, or an interactive shell. */
static void shell(struct frame *f, struct cmd *c)
{
	size_t k = 1;
	int cflag = 0;
	for (; k < c->argc && (c->argv[k][0] == '-' || c->argv[k][0] == '+'); k++) {
		if (eq(c->argv[k], "--")) {
			k++;
			break;
		}
		if (c->argv[k][0] == '-' && c->argv[k][1] != '-' && strchr(c->argv[k], 'c'))
			cflag = 1;
	}
	if (cflag && k < c->argc) {
		run_inline(f->s, f, c->argv[k], &c->locs[0], c->how, c->ctx, c->port, c->conf, c->explicit_);
		return;
	}
	const struct fv_file *t = !cflag && k < c->argc ? find_script(f->s, f->scope, c->argv[k], 0) : NULL;
	if (t)
		call_script(f, t, c->how, c, k + 1);
	else
		judge(f->s, c, 0);
}

/* inetd [CONF], xinetd [-f CONF]: the configuration is read now, others after the boot chain. */
static void super_daemon(struct frame *f, struct cmd *c)
{
	struct svc *s = f->s;
	int x = eq(base(c->argv[0]), "xinetd");
	char m[1024];
	const char *cfg = NULL;
	if (x) {
		s->xinetd_seen = 1;
		option(c, 1, 'f', NULL, "p", &cfg);
	} else {
		s->inetd_seen = 1;
		for (size_t k = 1; k < c->argc; k++)
			if (c->argv[k][0] == '/')
				cfg = c->argv[k];
	}
	if (cfg && norm(cfg, m, sizeof m)) {
		if (x)
			xinetd_file(s, f, lookup(s, m), FV_CONF_HIGH);
		else
			inetd_conf(s, f, m, FV_CONF_HIGH);
	}
	judge(s, c, 0);
}

/*
 * A program named in the rules is judged by its name, whatever the file
 * holds; a script we can read is followed as well, and an unknown script
 * only followed (its commands say what it starts).
 */
static void program(struct frame *f, struct cmd *c, unsigned m)
{
	struct svc *s = f->s;
	char path[1024];
	const struct fv_file *t = NULL;
	resolve_prog(s, c->argv[0], path, sizeof path);
	if (path[0] == '/')
		t = lookup(s, path);
	/* past the depth limit, or read already: judged as a program */
	int script = t && !s->visited[file_index(s, t)] && f->depth < MAX_DEPTH && is_script(s, t);
	if (m || !script)
		judge(s, c, 0);
	else if (c->explicit_)
		record(s, c);
	if (script)
		call_script(f, t, c->how, c, 1);
}

/*
 * The heart of the reading: peels wrappers off a command until the
 * program it starts is known, follows scripts, and judges programs.
 */
static void start(struct frame *f, struct cmd *c)
{
	struct svc *s = f->s;
	for (unsigned guard = 0; guard < 16 && c->argc > 0 && !s->stop; guard++) {
		if (!c->argv[0][0])
			return;
		if (c->argv[0][0] != '/' && strchr(c->argv[0], '/')) { /* ./dvr after cd /mnt/mtd */
			char abs[1024];
			absolute(f->scope, c->argv[0], abs, sizeof abs);
			set_arg(c, 0, abs);
		}
		int w = unwrap(c);
		if (w < 0)
			return;
		if (w > 0)
			continue;
		const char *p = c->argv[0], *b = base(p);
		if (builtin(f, c))
			return;
		if (eq(b, "busybox") && c->argc > 1 && c->argv[1][0] != '-') {
			/* applets that are mechanisms or shells are read as such; others are judged as busybox X */
			static const char *const mech[] = { "nohup", "setsid", "exec", "nice", "env", "chroot",
							    "timeout", "start-stop-daemon", "tcpsvd", "udpsvd",
							    "inetd", "time", NULL };
			if ((classes(s->rules, c->argv[1]) & M(C_SHELL)) || is_name(c->argv[1], mech)) {
				shift(c, 1);
				continue;
			}
			judge(s, c, 1);
			return;
		}
		if (eq(p, ".") || eq(p, "source")) {
			if (c->argc > 1)
				run_script(s, f, find_script(s, f->scope, c->argv[1], 1), f->how, f->scope, NULL, 0);
			return;
		}
		if (eq(p, "service") && c->argc > 1) {
			char m[512];
			snprintf(m, sizeof m, "/etc/init.d/%s", c->argv[1]);
			const struct fv_file *t = strchr(c->argv[1], '/') ? NULL : lookup(s, m);
			if (t)
				call_script(f, t, f->how, c, 2);
			else if (c->argc > 2 && (eq(c->argv[2], "start") || eq(c->argv[2], "restart")))
				unit_by_name(s, f, c->argv[1], "systemd", 0, NULL);
			return;
		}
		if (eq(b, "systemctl")) {
			int go = 0;
			for (size_t k = 1; k < c->argc; k++) {
				const char *a = c->argv[k];
				if (eq(a, "start") || eq(a, "restart") || eq(a, "reload-or-restart") || eq(a, "try-restart") ||
				    eq(a, "--now"))
					go = 1;
				else if (go && a[0] != '-')
					unit_by_name(s, f, a, "systemd", 0, NULL);
			}
			return;
		}
		if (eq(p, "procd_set_param") || eq(p, "procd_append_param")) {
			procd_param(f, c);
			return;
		}
		if (eq(p, "procd_close_instance")) {
			flush_procd(f);
			return;
		}
		/* a function of the script (mechanisms above win: OpenWrt defines service_start as one) */
		if (!strchr(p, '/') && smap_get(&f->scope->funcs, p, 0))
			return;
		unsigned m = classes(s->rules, b[0] == '-' ? b + 1 : b);
		if (m & M(C_SHELL))
			shell(f, c);
		else if (eq(b, "inetd") || eq(b, "xinetd"))
			super_daemon(f, c);
		else
			program(f, c, m);
		return;
	}
}

/* ---- inittab ------------------------------------------------------------------------------------------- */

static void inittab(struct svc *s, const struct fv_file *f)
{
	/* procd (OpenWrt) adds askconsole and respawnlate */
	static const char *const boot[] = { "sysinit", "boot", "bootwait", "wait", "once", "respawn", "askfirst",
					    "askconsole", "respawnlate", NULL };
	struct fv_map m;
	if (fv_inventory_map(s->inv, f, &m) != FV_OK)
		return;
	s->visited[file_index(s, f)] = 1;
	const char *p = (const char *)m.data;
	size_t n = m.size < MAX_SCRIPT ? m.size : MAX_SCRIPT;
	/* SysV: the default runlevel decides which entries run at boot. BusyBox ignores the field. */
	for (int pass = 0; pass < 2; pass++) {
		struct lines L = { p, n, 0, 0 };
		size_t b, e;
		while (next_line(&L, &b, &e) && !spend(s, 1)) {
			size_t i = b;
			while (i < e && (p[i] == ' ' || p[i] == '\t'))
				i++;
			if (i >= e || p[i] == '#')
				continue;
			const char *c1 = memchr(p + i, ':', e - i);
			const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(p + e - c1 - 1)) : NULL;
			const char *c3 = c2 ? memchr(c2 + 1, ':', (size_t)(p + e - c2 - 1)) : NULL;
			if (!c3)
				continue;
			char action[32], levels[32];
			size_t al = (size_t)(c3 - c2 - 1), ll = (size_t)(c2 - c1 - 1);
			if (al >= sizeof action || ll >= sizeof levels)
				continue;
			memcpy(action, c2 + 1, al);
			action[al] = 0;
			memcpy(levels, c1 + 1, ll);
			levels[ll] = 0;
			if (pass == 0) {
				if (eq(action, "initdefault") && ll >= 1)
					s->runlevel = levels[0];
				continue;
			}
			if (!is_name(action, boot))
				continue;
			if (ll && (eq(action, "wait") || eq(action, "once") || eq(action, "respawn"))) {
				/* Entries for other runlevels (0 halt, 6 reboot) do not run at boot. */
				char rl = s->runlevel;
				if (rl ? !memchr(levels, rl, ll) : !strpbrk(levels, "2345"))
					continue;
			}
			size_t pb = (size_t)(c3 + 1 - p), pe = e;
			while (pe > pb && is_sp(p[pe - 1]))
				pe--;
			while (pb < pe && (p[pb] == ' ' || p[pb] == '\t' || p[pb] == '-' || p[pb] == '+'))
				pb++; /* '-': BusyBox's login-shell marker; '+': SysV's no-utmp marker */
			if (pb >= pe || memchr(p + pb, 0, pe - pb))
				continue;
			char *proc = strndup(p + pb, pe - pb);
			if (!proc)
				break;
			char how[48];
			snprintf(how, sizeof how, "inittab %s", action);
			struct loc l = { f, p, n, L.line, b, e };
			run_inline(s, NULL, proc, &l, how, CX_CONSOLE, NULL, FV_CONF_HIGH, 1);
			free(proc);
		}
	}
	fv_map_close(&m);
}

/* No /etc/inittab: BusyBox init runs rcS and a shell on the console without asking for a password. */
static void busybox_default(struct svc *s)
{
	const struct fv_file *rcs = lookup(s, "/etc/init.d/rcS");
	const struct fv_file *init = entry(s, "/sbin/init");
	const struct fv_file *bb = lookup(s, "/bin/busybox");
	const struct fv_file *ri = lookup(s, "/sbin/init");
	int is_bb = init && ((init->x->link && eq(base(init->x->link), "busybox")) ||
			     (bb && ri && ri->content == bb->content));
	if (is_bb) {
		struct loc l = { init, NULL, 0, 0, 0, 0 };
		struct cmd *c = malloc(sizeof *c);
		if (c) {
			cmd_reset(c);
			c->locs[0] = l;
			snprintf(c->how, sizeof c->how, "busybox init askfirst");
			add_arg(c, "/bin/sh", NULL, 0, 0);
			record(s, c);
			free(c);
		}
		char ev[1200];
		snprintf(ev, sizeof ev, "/sbin/init -> %s; no /etc/inittab",
			 init->x->link ? init->x->link : "/bin/busybox");
		char key[64];
		snprintf(key, sizeof key, "F\x1f" "FV-SVC-005\x1f%zu\x1f" "0", file_index(s, init));
		uint32_t *seen = smap_get(&s->seen, key, 1);
		if (seen && !(*seen)++)
			fv_actx_finding_at(s->a, init, "FV-SVC-005", "service", FV_SEV_MEDIUM, FV_CONF_MEDIUM, 0, ev,
					   "console gives a shell without a password: BusyBox init without "
					   "/etc/inittab runs ::askfirst:/bin/sh");
	}
	if (rcs)
		run_script(s, NULL, rcs, "rcS", NULL, NULL, 0);
}

static const struct fv_file *unit_file(struct svc *s, const char *name);

/* Whether init is systemd: /sbin/init leads to it, or there is no inittab and systemd is there. */
static int systemd_init(struct svc *s)
{
	const struct fv_file *init = lookup(s, "/sbin/init");
	if (init)
		return eq(base(init->member), "systemd");
	return !entry(s, "/etc/inittab") && (lookup(s, "/lib/systemd/systemd") || lookup(s, "/usr/lib/systemd/systemd"));
}

/*
 * rc folders that init systems run at boot, read when the inittab chain
 * did not reach them.  Under systemd (its SysV generator) a script is run
 * only when no native unit of the same name exists.
 */
static void rc_folders(struct svc *s)
{
	int sd = systemd_init(s);
	char pats[8][64];
	size_t np = 0;
	snprintf(pats[np++], sizeof pats[0], "/etc/rc.d/S*");
	snprintf(pats[np++], sizeof pats[0], "/etc/rcS.d/S*");
	snprintf(pats[np++], sizeof pats[0], "/etc/rc.d/rcS.d/S*");
	char one[2] = { s->runlevel, 0 };
	const char *levels = s->runlevel ? one : "2345";
	snprintf(pats[np++], sizeof pats[0], "/etc/rc[%s].d/S*", levels);
	snprintf(pats[np++], sizeof pats[0], "/etc/rc.d/rc[%s].d/S*", levels);
	const struct fv_file **hits = calloc(MAX_GLOB, sizeof *hits);
	if (!hits)
		return;
	for (size_t i = 0; i < np && !s->stop; i++) {
		size_t h = glob_root(s, pats[i], hits, MAX_GLOB);
		char *arg[1] = { i == 0 ? "boot" : "start" };
		for (size_t k = 0; k < h && !s->stop; k++) {
			const char *b = base(hits[k]->member);
			char unit[300];
			snprintf(unit, sizeof unit, "%s.service", b + (strlen(b) > 3 ? 3 : 0));
			if (sd && unit_file(s, unit))
				continue;
			run_script(s, NULL, lookup(s, hits[k]->member), "rcS", NULL, arg, 1);
		}
	}
	free(hits);
}

/* ---- systemd ----------------------------------------------------------------------------------------------- */

static const char *const unit_dirs[] = { "/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system" };
#define NUNIT_DIRS (sizeof unit_dirs / sizeof unit_dirs[0])

struct exec {
	char *value;
	struct loc loc;
};

struct unit {
	struct exec ex[16];
	size_t nex;
	struct fv_map maps[8];
	size_t nmaps;
	int tty;
	/* sockets */
	char listen[128];
	int udp, accept;
	char service[256];
	char unit_name[256]; /* timers */
};

/* Reads one unit file (or drop-in) into u: sections, keys, continuation lines. */
static void unit_read(struct svc *s, const struct fv_file *f, struct unit *u)
{
	if (!f || u->nmaps >= sizeof u->maps / sizeof u->maps[0])
		return;
	struct fv_map *m = &u->maps[u->nmaps];
	if (fv_inventory_map(s->inv, f, m) != FV_OK)
		return;
	u->nmaps++;
	const char *p = (const char *)m->data;
	struct lines L = { p, m->size < MAX_SCRIPT ? m->size : MAX_SCRIPT, 0, 0 };
	char sect[32] = "", line[MAX_LINE];
	size_t b, e;
	while (next_line(&L, &b, &e) && !spend(s, 1)) {
		size_t first = b, lno = L.line, o = 0;
		/* join "\"-continued lines */
		for (;;) {
			size_t ee = e;
			while (ee > b && is_sp(p[ee - 1]))
				ee--;
			int cont = ee > b && p[ee - 1] == '\\';
			size_t take = (cont ? ee - 1 : ee) - b;
			if (o + take + 1 < sizeof line) {
				memcpy(line + o, p + b, take);
				o += take;
				if (cont)
					line[o++] = ' ';
			}
			if (!cont || !next_line(&L, &b, &e))
				break;
		}
		line[o] = 0;
		if (memchr(line, 0, o))
			continue;
		char *q = line + strspn(line, " \t");
		if (!*q || *q == '#' || *q == ';')
			continue;
		if (*q == '[') {
			char *close = strchr(q, ']');
			if (close && close - q - 1 < (long)sizeof sect) {
				snprintf(sect, sizeof sect, "%.*s", (int)(close - q - 1), q + 1);
			}
			continue;
		}
		char *eqs = strchr(q, '=');
		if (!eqs)
			continue;
		char *ke = eqs;
		while (ke > q && (ke[-1] == ' ' || ke[-1] == '\t'))
			ke--;
		*ke = 0;
		char *val = eqs + 1;
		val += strspn(val, " \t");
		struct loc l = { f, p, L.n, lno, first, e };
		if (eq(sect, "Service")) {
			if (eq(q, "ExecStart") || eq(q, "ExecStartPre") || eq(q, "ExecStartPost")) {
				if (!*val && eq(q, "ExecStart")) { /* an empty assignment resets the list */
					for (size_t i = 0; i < u->nex; i++)
						free(u->ex[i].value);
					u->nex = 0;
					continue;
				}
				/* prefixes: - ignore failure, @ argv0 given, : no substitution, + ! privileges */
				while (*val && strchr("-@:+!", *val))
					val++;
				if (u->nex < sizeof u->ex / sizeof u->ex[0] && (u->ex[u->nex].value = strdup(val)))
					u->ex[u->nex++].loc = l;
			} else if (eq(q, "StandardInput")) {
				u->tty = starts(val, "tty");
			}
		} else if (eq(sect, "Socket")) {
			if ((eq(q, "ListenStream") || eq(q, "ListenDatagram")) && !u->listen[0]) {
				snprintf(u->listen, sizeof u->listen, "%s", val);
				u->udp = eq(q, "ListenDatagram");
			} else if (eq(q, "Accept")) {
				u->accept = eq(val, "yes") || eq(val, "true") || eq(val, "1") || eq(val, "on");
			} else if (eq(q, "Service")) {
				snprintf(u->service, sizeof u->service, "%s", val);
			}
		} else if (eq(sect, "Timer") && eq(q, "Unit")) {
			snprintf(u->unit_name, sizeof u->unit_name, "%s", val);
		}
	}
}

static void unit_free(struct unit *u)
{
	for (size_t i = 0; i < u->nex; i++)
		free(u->ex[i].value);
	for (size_t i = 0; i < u->nmaps; i++)
		fv_map_close(&u->maps[i]);
	free(u);
}

/* The unit file for a name ("foo.service", "getty@ttyS0.service"), searched like systemd does. */
static const struct fv_file *unit_file(struct svc *s, const char *name)
{
	char m[1024];
	for (size_t d = 0; d < NUNIT_DIRS; d++) {
		snprintf(m, sizeof m, "%s/%s", unit_dirs[d], name);
		const struct fv_file *f = lookup(s, m);
		if (f)
			return f;
	}
	const char *at = strchr(name, '@'), *dot = strrchr(name, '.');
	if (at && dot && dot > at) {
		char tmpl[512];
		snprintf(tmpl, sizeof tmpl, "%.*s%s", (int)(at - name + 1), name, dot);
		return unit_file(s, tmpl);
	}
	return NULL;
}

/* A unit and its drop-ins (name.d/ *.conf, and the template's), with everything it starts. */
static void unit_run(struct svc *s, struct frame *parent, const struct fv_file *f, const char *name,
		     const char *how, unsigned ctx, const char *port)
{
	if (!f || s->visited[file_index(s, f)] || s->stop)
		return;
	s->visited[file_index(s, f)] = 1;
	struct unit *u = calloc(1, sizeof *u);
	if (!u)
		return;
	unit_read(s, f, u);
	char names[2][300];
	size_t nn = 0;
	snprintf(names[nn++], sizeof names[0], "%s", name);
	const char *at = strchr(name, '@'), *dot = strrchr(name, '.');
	if (at && dot && dot > at + 1)
		snprintf(names[nn++], sizeof names[0], "%.*s%s", (int)(at - name + 1), name, dot);
	const struct fv_file **hits = calloc(64, sizeof *hits);
	for (size_t d = 0; hits && d < NUNIT_DIRS; d++) {
		for (size_t k = 0; k < nn; k++) {
			char pat[1024];
			snprintf(pat, sizeof pat, "%s/%s.d/*.conf", unit_dirs[d], names[k]);
			size_t h = glob_root(s, pat, hits, 64);
			for (size_t i = 0; i < h; i++)
				unit_read(s, lookup(s, hits[i]->member), u);
		}
	}
	free(hits);
	if (dot && eq(dot, ".socket")) {
		char svc[300], pt[32];
		const char *lp = strrchr(u->listen, ':');
		snprintf(pt, sizeof pt, "%s/%.20s", u->udp ? "udp" : "tcp", lp ? lp + 1 : u->listen);
		if (u->service[0])
			snprintf(svc, sizeof svc, "%s", u->service);
		else
			snprintf(svc, sizeof svc, "%.*s%s.service", (int)(dot - name), name, u->accept ? "@" : "");
		char h[48];
		snprintf(h, sizeof h, "systemd socket %s", pt);
		if (u->listen[0] && u->listen[0] != '/' && u->listen[0] != '@')
			unit_by_name(s, parent, svc, h, CX_BOUND, pt);
		else
			unit_by_name(s, parent, svc, "systemd", 0, NULL);
	} else if (dot && eq(dot, ".timer")) {
		char svc[300];
		if (u->unit_name[0])
			snprintf(svc, sizeof svc, "%s", u->unit_name);
		else
			snprintf(svc, sizeof svc, "%.*s.service", (int)(dot - name), name);
		unit_by_name(s, parent, svc, "systemd timer", 0, NULL);
	} else {
		for (size_t i = 0; i < u->nex && !s->stop; i++)
			run_inline(s, parent, u->ex[i].value, &u->ex[i].loc, how, ctx | (u->tty ? CX_CONSOLE : 0), port,
				   FV_CONF_HIGH, 1);
	}
	unit_free(u);
}

static int masked(struct svc *s, const char *name);

static void unit_by_name(struct svc *s, struct frame *parent, const char *name, const char *how, unsigned ctx,
			 const char *port)
{
	char full[300];
	snprintf(full, sizeof full, "%s%s", name, strchr(name, '.') ? "" : ".service");
	if (!masked(s, full))
		unit_run(s, parent, unit_file(s, full), full, how, ctx, port);
}

/* A unit masked by a link to /dev/null in /etc (or /lib) is never started. */
static int masked(struct svc *s, const char *name)
{
	char m[1024];
	for (size_t d = 0; d < NUNIT_DIRS; d++) {
		snprintf(m, sizeof m, "%s/%s", unit_dirs[d], name);
		const struct fv_file *e = entry(s, m);
		if (e)
			return e->x->link && eq(e->x->link, "/dev/null");
	}
	return 0;
}

static void systemd(struct svc *s)
{
	static const char *const skip[] = { "shutdown.target", "halt.target", "reboot.target", "poweroff.target",
					    "kexec.target", "rescue.target", "emergency.target", "final.target",
					    "umount.target", NULL };
	const struct fv_file **hits = calloc(MAX_GLOB, sizeof *hits);
	if (!hits)
		return;
	for (size_t d = 0; d < NUNIT_DIRS && !s->stop; d++) {
		for (int r = 0; r < 2; r++) {
			char pat[256];
			snprintf(pat, sizeof pat, "%s/*.%s/*", unit_dirs[d], r ? "requires" : "wants");
			size_t h = glob_root(s, pat, hits, MAX_GLOB);
			for (size_t k = 0; k < h && !s->stop; k++) {
				const char *mem = hits[k]->member;
				const char *name = base(mem);
				char target[256];
				const char *dir = mem + strlen(unit_dirs[d]) + 1;
				size_t tl = strcspn(dir, "/");
				snprintf(target, sizeof target, "%.*s", (int)tl, dir);
				char *suffix = strrchr(target, '.');
				if (suffix)
					*suffix = 0; /* "multi-user.target.wants" -> "multi-user.target" */
				if (is_name(target, skip))
					continue;
				/* systemd loads a unit by name along its search path; each name once */
				char key[300];
				snprintf(key, sizeof key, "U\x1f%zu\x1f%s", s->lo, name); /* per root */
				uint32_t *seen = smap_get(&s->seen, key, 1);
				if (!seen || (*seen)++)
					continue;
				if (masked(s, name))
					continue;
				const struct fv_file *f = unit_file(s, name);
				if (!f) /* a linked unit outside the search path */
					f = lookup(s, mem);
				unit_run(s, NULL, f, name, "systemd", 0, NULL);
			}
		}
	}
	free(hits);
}

/* ---- inetd, xinetd ------------------------------------------------------------------------------------------ */

/* A service name's port from the root's /etc/services, or the name itself. */
static void port_of(struct svc *s, const char *name, const char *proto, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", proto, name);
	if (isdigit((unsigned char)name[0]))
		return;
	const struct fv_file *f = lookup(s, "/etc/services");
	struct fv_map m;
	if (!f || fv_inventory_map(s->inv, f, &m) != FV_OK)
		return;
	struct lines L = { (const char *)m.data, m.size < MAX_SCRIPT ? m.size : MAX_SCRIPT, 0, 0 };
	size_t b, e, nl = strlen(name), pl = strlen(proto);
	while (next_line(&L, &b, &e) && !spend(s, 1)) {
		const char *p = L.p + b;
		size_t n = e - b;
		if (n <= nl || memcmp(p, name, nl) || (p[nl] != ' ' && p[nl] != '\t'))
			continue;
		size_t i = nl;
		while (i < n && (p[i] == ' ' || p[i] == '\t'))
			i++;
		size_t d = i;
		while (i < n && isdigit((unsigned char)p[i]))
			i++;
		if (i > d && i - d < 6 && i + 1 + pl <= n && p[i] == '/' && !memcmp(p + i + 1, proto, pl)) {
			snprintf(out, cap, "%s/%.*s", proto, (int)(i - d), p + d);
			break;
		}
	}
	fv_map_close(&m);
}

/* parent: the script that started inetd with this file, so that nesting stays bounded. */
static void inetd_conf(struct svc *s, struct frame *parent, const char *member, enum fv_conf conf)
{
	const struct fv_file *f = lookup(s, member);
	if (!f || s->visited[file_index(s, f)] || (parent && parent->depth >= MAX_DEPTH))
		return;
	s->visited[file_index(s, f)] = 1;
	struct fv_map m;
	if (fv_inventory_map(s->inv, f, &m) != FV_OK)
		return;
	const char *p = (const char *)m.data;
	struct lines L = { p, m.size < MAX_SCRIPT ? m.size : MAX_SCRIPT, 0, 0 };
	size_t b, e;
	struct frame *fr = frame_new(s, parent, "inetd");
	struct cmd *c = malloc(sizeof *c);
	if (fr)
		fr->scope = calloc(1, sizeof *fr->scope);
	while (fr && fr->scope && c && next_line(&L, &b, &e) && !spend(s, 1)) {
		/* service socket protocol wait user server argv0 args... */
		const char *fs[MAX_ARGS];
		size_t fl[MAX_ARGS], nf = 0, i = b;
		while (i < e && nf < MAX_ARGS) {
			while (i < e && isspace((unsigned char)p[i]))
				i++;
			if (i >= e || (nf == 0 && p[i] == '#'))
				break;
			size_t k = i;
			while (k < e && !isspace((unsigned char)p[k]))
				k++;
			fs[nf] = p + i;
			fl[nf++] = k - i;
			i = k;
		}
		if (nf < 6 || (fl[5] == 8 && !memcmp(fs[5], "internal", 8)) || memchr(p + b, 0, e - b))
			continue;
		/* A socket type and protocol inetd knows, or this is not a service line. */
		static const char *const types[] = { "stream", "dgram", "raw", "rdm", "seqpacket", NULL };
		char ty[16], pr[16];
		snprintf(ty, sizeof ty, "%.*s", (int)(fl[1] < 15 ? fl[1] : 15), fs[1]);
		snprintf(pr, sizeof pr, "%.*s", (int)(fl[2] < 15 ? fl[2] : 15), fs[2]);
		if (!is_name(ty, types) || !(starts(pr, "tcp") || starts(pr, "udp") || starts(pr, "rpc/") ||
					     starts(pr, "unix")))
			continue;
		char svcname[128], proto[16], prog[1024];
		const char *colon = memrchr(fs[0], ':', fl[0]); /* BusyBox: [addr:]service */
		size_t so = colon ? (size_t)(colon - fs[0] + 1) : 0;
		snprintf(svcname, sizeof svcname, "%.*s", (int)(fl[0] - so > 127 ? 127 : fl[0] - so), fs[0] + so);
		snprintf(proto, sizeof proto, "%s", starts(fs[2], "udp") || strstr(fs[2], "/udp") ? "udp" : "tcp");
		cmd_reset(c);
		port_of(s, svcname, proto, c->port, sizeof c->port);
		snprintf(c->how, sizeof c->how, "inetd %s", c->port);
		c->locs[0] = (struct loc){ f, p, L.n, L.line, b, e };
		c->explicit_ = EX_START;
		c->ctx = CX_BOUND;
		c->conf = conf;
		/* fields 5 and 6 are the program and its argv[0]; its arguments follow */
		snprintf(prog, sizeof prog, "%.*s", (int)(fl[5] > 1023 ? 1023 : fl[5]), fs[5]);
		/* TCP wrappers: tcpd runs the program its argv[0] names */
		if (eq(base(prog), "tcpd") && nf > 6)
			snprintf(prog, sizeof prog, "%.*s", (int)(fl[6] > 1023 ? 1023 : fl[6]), fs[6]);
		add_arg(c, prog, NULL, 0, 0);
		for (size_t k = 7; k < nf; k++) {
			char w[MAX_WORD];
			snprintf(w, sizeof w, "%.*s", (int)(fl[k] >= sizeof w ? sizeof w - 1 : fl[k]), fs[k]);
			add_arg(c, w, fs[k], fl[k], 0);
		}
		start(fr, c);
	}
	free(c);
	if (fr)
		frame_free(fr, 1);
	fv_map_close(&m);
}

static void xinetd_file(struct svc *s, struct frame *parent, const struct fv_file *f, enum fv_conf conf)
{
	if (!f || s->visited[file_index(s, f)] || (parent && parent->depth >= MAX_DEPTH))
		return;
	s->visited[file_index(s, f)] = 1;
	struct fv_map m;
	if (fv_inventory_map(s->inv, f, &m) != FV_OK)
		return;
	const char *p = (const char *)m.data;
	struct lines L = { p, m.size < MAX_SCRIPT ? m.size : MAX_SCRIPT, 0, 0 };
	size_t b, e;
	struct frame *fr = frame_new(s, parent, "xinetd");
	struct cmd *c = malloc(sizeof *c);
	if (fr)
		fr->scope = calloc(1, sizeof *fr->scope);
	char name[128] = "", server[1024] = "", sargs[2048] = "", port[32] = "", proto[16] = "", stype[16] = "";
	int in = 0, disabled = 0, internal = 0;
	struct loc sl = { 0 };
	while (fr && fr->scope && c && next_line(&L, &b, &e) && !spend(s, 1)) {
		char line[MAX_LINE];
		size_t n = e - b < sizeof line - 1 ? e - b : sizeof line - 1;
		memcpy(line, p + b, n);
		line[n] = 0;
		if (strlen(line) != n)
			continue;
		char *q = line + strspn(line, " \t\r");
		char *end = q + strlen(q);
		while (end > q && isspace((unsigned char)end[-1]))
			*--end = 0;
		if (!*q || *q == '#')
			continue;
		if (!in && starts(q, "service") && isspace((unsigned char)q[7])) {
			snprintf(name, sizeof name, "%s", q + 8 + strspn(q + 8, " \t"));
			server[0] = sargs[0] = port[0] = proto[0] = stype[0] = 0;
			disabled = internal = 0;
			sl = (struct loc){ f, p, L.n, L.line, b, e };
			in = 1;
			continue;
		}
		if (in && *q == '}') {
			in = 0;
			if (disabled || internal || !server[0] || !name[0])
				continue;
			cmd_reset(c);
			const char *pr = proto[0] ? proto : eq(stype, "dgram") ? "udp" : "tcp";
			if (port[0])
				snprintf(c->port, sizeof c->port, "%.3s/%.20s", pr, port);
			else
				port_of(s, name, pr, c->port, sizeof c->port);
			snprintf(c->how, sizeof c->how, "xinetd %s", c->port);
			c->locs[0] = sl;
			c->explicit_ = EX_START;
			c->ctx = CX_BOUND;
			c->conf = conf;
			add_arg(c, server, NULL, 0, 0);
			char *save = NULL;
			for (char *t = strtok_r(sargs, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
				add_arg(c, t, NULL, 0, 0);
			start(fr, c);
			continue;
		}
		if (!in)
			continue;
		char *eqs = strchr(q, '=');
		if (!eqs)
			continue;
		char *ke = eqs;
		if (ke > q && (ke[-1] == '+' || ke[-1] == '-'))
			ke--;
		while (ke > q && isspace((unsigned char)ke[-1]))
			ke--;
		*ke = 0;
		char *v = eqs + 1 + strspn(eqs + 1, " \t");
		if (eq(q, "server")) {
			snprintf(server, sizeof server, "%s", v);
			sl = (struct loc){ f, p, L.n, L.line, b, e };
		} else if (eq(q, "server_args")) {
			snprintf(sargs, sizeof sargs, "%s", v);
		} else if (eq(q, "port")) {
			snprintf(port, sizeof port, "%s", v);
		} else if (eq(q, "protocol")) {
			snprintf(proto, sizeof proto, "%s", v);
		} else if (eq(q, "socket_type")) {
			snprintf(stype, sizeof stype, "%s", v);
		} else if (eq(q, "disable")) {
			disabled = eq(v, "yes");
		} else if (eq(q, "type")) {
			internal = strstr(v, "INTERNAL") != NULL;
		}
	}
	free(c);
	if (fr)
		frame_free(fr, 1);
	fv_map_close(&m);
}

static void superservers(struct svc *s)
{
	s->note = s->inetd_seen ? NULL : " (no boot script was seen starting inetd)";
	inetd_conf(s, NULL, "/etc/inetd.conf", s->inetd_seen ? FV_CONF_HIGH : FV_CONF_MEDIUM);
	enum fv_conf xc = s->xinetd_seen ? FV_CONF_HIGH : FV_CONF_MEDIUM;
	s->note = s->xinetd_seen ? NULL : " (no boot script was seen starting xinetd)";
	xinetd_file(s, NULL, lookup(s, "/etc/xinetd.conf"), xc);
	const struct fv_file **hits = calloc(MAX_GLOB, sizeof *hits);
	if (hits) {
		size_t h = glob_root(s, "/etc/xinetd.d/*", hits, MAX_GLOB);
		for (size_t k = 0; k < h; k++)
			xinetd_file(s, NULL, lookup(s, hits[k]->member), xc);
		free(hits);
	}
	s->note = NULL;
}

/* ---- cron ---------------------------------------------------------------------------------------------------- */

static void crontab(struct svc *s, const struct fv_file *f, int system)
{
	if (!f || s->visited[file_index(s, f)])
		return;
	s->visited[file_index(s, f)] = 1;
	struct fv_map m;
	if (fv_inventory_map(s->inv, f, &m) != FV_OK)
		return;
	const char *p = (const char *)m.data;
	struct lines L = { p, m.size < MAX_SCRIPT ? m.size : MAX_SCRIPT, 0, 0 };
	size_t b, e;
	while (next_line(&L, &b, &e) && !spend(s, 1)) {
		size_t i = b;
		while (i < e && isspace((unsigned char)p[i]))
			i++;
		if (i >= e || p[i] == '#' || memchr(p + i, 0, e - i))
			continue;
		/* NAME=value lines set the environment */
		size_t k = i;
		while (k < e && (isalnum((unsigned char)p[k]) || p[k] == '_'))
			k++;
		size_t sp = k;
		while (sp < e && (p[sp] == ' ' || p[sp] == '\t'))
			sp++;
		if (k > i && sp < e && p[sp] == '=')
			continue;
		/* Five time fields (digits, names, * , / -) or one @keyword, then the user in system tables. */
		static const char *const at[] = { "@reboot", "@yearly", "@annually", "@monthly", "@weekly", "@daily",
						   "@midnight", "@hourly", NULL };
		int reboot = 0, fields = p[i] == '@' ? 1 : 5, ok = 1;
		for (int fi = 0; fi < fields + system && i < e; fi++) {
			size_t fb = i;
			while (i < e && !isspace((unsigned char)p[i]))
				i++;
			char word[16];
			snprintf(word, sizeof word, "%.*s", (int)(i - fb < 15 ? i - fb : 15), p + fb);
			if (fi == 0 && fields == 1) {
				ok &= is_name(word, at);
				reboot = eq(word, "@reboot");
			} else if (fi < fields) {
				for (size_t k2 = fb; k2 < i; k2++)
					ok &= isalnum((unsigned char)p[k2]) || strchr("*,/-", p[k2]) != NULL;
			}
			while (i < e && isspace((unsigned char)p[i]))
				i++;
		}
		if (!ok || i >= e)
			continue;
		/* '%' ends the command (the rest is its input); "\%" is a '%' */
		char cmdline[MAX_LINE];
		size_t o = 0;
		for (; i < e && o + 1 < sizeof cmdline; i++) {
			if (p[i] == '%')
				break;
			if (p[i] == '\\' && i + 1 < e && p[i + 1] == '%')
				i++;
			cmdline[o++] = p[i];
		}
		cmdline[o] = 0;
		struct loc l = { f, p, L.n, L.line, b, e };
		run_inline(s, NULL, cmdline, &l, reboot ? "cron @reboot" : "cron", 0, NULL, FV_CONF_HIGH, 1);
	}
	fv_map_close(&m);
}

static void cron(struct svc *s)
{
	crontab(s, lookup(s, "/etc/crontab"), 1);
	static const char *const pats[] = { "/etc/cron.d/*", "/etc/crontabs/*", "/var/spool/cron/crontabs/*",
					    "/var/spool/cron/*" };
	const struct fv_file **hits = calloc(MAX_GLOB, sizeof *hits);
	if (!hits)
		return;
	for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++) {
		size_t h = glob_root(s, pats[i], hits, MAX_GLOB);
		for (size_t k = 0; k < h; k++)
			crontab(s, lookup(s, hits[k]->member), i == 0);
	}
	free(hits);
}

/* ---- the image ------------------------------------------------------------------------------------------------ */

static void analyze_root(struct svc *s)
{
	s->work = 0;
	s->stop = 0;
	s->inetd_seen = s->xinetd_seen = 0;
	s->runlevel = 0;
	const struct fv_file *it = lookup(s, "/etc/inittab");
	if (it)
		inittab(s, it);
	else
		busybox_default(s);
	rc_folders(s);
	systemd(s);
	superservers(s);
	cron(s);
}

static void svc_finish(struct fv_actx *a, void *state)
{
	const struct fv_inventory *inv = fv_actx_inventory(a);
	if (!inv || !inv->nfiles)
		return;
	struct svc s = { .a = a, .rules = state, .inv = inv };
	s.order = malloc(inv->nfiles * sizeof *s.order);
	s.visited = calloc(inv->nfiles, 1);
	s.isscript = calloc(inv->nfiles, 1);
	if (!s.order || !s.visited || !s.isscript) {
		free(s.order);
		free(s.visited);
		free(s.isscript);
		fv_log(FV_LOG_WARN, "boot services: out of memory for %zu files", inv->nfiles);
		return;
	}
	for (size_t i = 0; i < inv->nfiles; i++)
		s.order[i] = i;
	qsort_r(s.order, inv->nfiles, sizeof *s.order, cmp_root_member, inv->files);
	for (size_t lo = 0; lo < inv->nfiles;) {
		const struct fv_file *f0 = &inv->files[s.order[lo]];
		size_t hi = lo + 1;
		while (hi < inv->nfiles) {
			const struct fv_file *f = &inv->files[s.order[hi]];
			if (f->root_len != f0->root_len || memcmp(f->x->path, f0->x->path, f0->root_len))
				break;
			hi++;
		}
		s.lo = lo;
		s.hi = hi;
		s.near = f0;
		/* Only roots with an init system, a super-server or a crontab: /etc or /lib/systemd. */
		size_t k = lower(&s, "/etc/");
		if ((k < hi && starts(at(&s, k)->member, "/etc/")) || entry(&s, "/lib/systemd/system") ||
		    entry(&s, "/var/spool/cron"))
			analyze_root(&s);
		lo = hi;
	}
	smap_free(&s.seen);
	free(s.order);
	free(s.visited);
	free(s.isscript);
}

const struct fv_analyzer fv_analyzer_services = {
	.name = "services",
	.scope = FV_SCOPE_IMAGE,
	.rules = "services",
	.init = svc_init,
	.wants = NULL,
	.run = NULL,
	.finish = svc_finish,
	.fini = svc_fini,
};
