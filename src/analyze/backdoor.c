/*
 * Known backdoors: every unique content is matched against YARA rules, the
 * shipped rules/intel/ (*.yar) and the user's own (every *.yar and *.yara
 * under --rules DIR).  A shipped rule describes one publicly documented
 * vendor backdoor; its meta gives the finding's id, severity, confidence,
 * category and title, and the public record (docs/rules.md, "Adding an
 * intel rule").
 *
 * Rules may test what fwvet knows about the file through three external
 * variables: fv_kind ("elf", "script", "text", "data"), fv_path (the member
 * path, "/usr/sbin/httpd") and fv_name (its last part).  The shipped rules
 * use fv_kind to keep critical verdicts for programs and images: the same
 * magic string in a README or an advisory only gives a low "names the
 * string" finding.  A content held at several paths is judged by the first.
 *
 * The compiled rules are shared by every thread.  YARA 4 keeps all per-scan
 * state in a YR_SCANNER, so each run() makes its own (a few small
 * allocations, nothing next to mapping the file) and YR_MAX_THREADS does
 * not apply.
 */
#include "analyze/analyze.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "unpack/engine.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yara.h>

/* Namespaces tell shipped rules from the user's; each holds one file. */
#define NS_SHIPPED "fv:"
#define NS_USER "user:"

/* How deep the rule folders are searched, and how many files are taken. */
#define MAX_DEPTH 8
#define MAX_FILES 4096

/* Evidence: bytes of the first string, and of up to two more. */
#define EV_FIRST 64
#define EV_OTHER 32
#define EV_MORE 2

/* What a matching rule reports, read from its meta once at init. */
struct rinfo {
	char *id;
	const char *category; /* one of categories[] */
	enum fv_severity sev;
	enum fv_conf conf;
	char *title;
};

struct bkdr {
	YR_RULES *rules;
	struct rinfo *info; /* by rule index; id NULL for private rules */
	uint32_t nrules;
};

/* The categories of the finding model (design guide), as static strings. */
static const char *const categories[] = {
	"account", "credential", "secret", "service", "backdoor", "exfiltration",
	"vulnerability", "component", "hardening", "unsafe-code", "integrity",
	"supply-chain", NULL,
};

/* ---- finding the rule files ------------------------------------------------- */

struct paths {
	char **v;
	size_t n, cap;
};

static void paths_free(struct paths *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	memset(p, 0, sizeof *p);
}

static int has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n > m && strcmp(s + n - m, suf) == 0;
}

static int cmp_path(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/*
 * Every *.yar (and *.yara when `yara_too`) under dir, to MAX_DEPTH levels.
 * Hidden entries are skipped (.git), and symlinked folders are not entered,
 * so that a loop cannot hold init.  The caller sorts.
 */
static int collect(struct fv_actx *a, const char *dir, int depth, int yara_too, struct paths *out)
{
	DIR *d = opendir(dir);
	if (!d) {
		fv_actx_fail(a, "%s: expected a readable folder of YARA rules: %s", dir, strerror(errno));
		return FV_EIO;
	}
	int rc = FV_OK;
	struct dirent *e;
	while (rc == FV_OK && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		char *p = malloc(len);
		if (!p) {
			rc = FV_ENOMEM;
			break;
		}
		snprintf(p, len, "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(p, &st) != 0) {
			free(p);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (depth < MAX_DEPTH)
				rc = collect(a, p, depth + 1, yara_too, out);
			free(p);
			continue;
		}
		int want = has_suffix(e->d_name, ".yar") || (yara_too && has_suffix(e->d_name, ".yara"));
		if (want && S_ISLNK(st.st_mode) && stat(p, &st) != 0)
			want = 0;
		if (!want || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		if (out->n >= MAX_FILES) {
			fv_actx_fail(a, "%s: more than %d YARA rule files; expected fewer", dir, MAX_FILES);
			free(p);
			rc = FV_ELIMIT;
			break;
		}
		if (fv_grow(&out->v, &out->cap, out->n, sizeof *out->v)) {
			free(p);
			rc = FV_ENOMEM;
			break;
		}
		out->v[out->n++] = p;
	}
	closedir(d);
	return rc;
}

/* ---- compiling ------------------------------------------------------------ */

struct compile_log {
	char first[400];
};

static void on_compile(int level, const char *file, int line, const YR_RULE *rule,
		       const char *message, void *user)
{
	(void)rule;
	struct compile_log *log = user;
	if (level == YARA_ERROR_LEVEL_ERROR) {
		if (!log->first[0])
			snprintf(log->first, sizeof log->first, "%s:%d: %s", file ? file : "(rules)", line,
				 message);
	} else {
		fv_log(FV_LOG_WARN, "%s:%d: %s", file ? file : "(rules)", line, message);
	}
}

/* Adds one rule file in its own namespace: 0, or a negative fv_err after fv_actx_fail(). */
static int add_file(struct fv_actx *a, YR_COMPILER *c, struct compile_log *log, const char *path,
		    const char *prefix)
{
	FILE *fp = fopen(path, "re");
	if (!fp) {
		fv_actx_fail(a, "%s: expected a readable YARA rule file: %s", path, strerror(errno));
		return FV_EIO;
	}
	size_t len = strlen(prefix) + strlen(path) + 1;
	char *ns = malloc(len);
	if (!ns) {
		fclose(fp);
		return FV_ENOMEM;
	}
	snprintf(ns, len, "%s%s", prefix, path);
	int errors = yr_compiler_add_file(c, fp, ns, path);
	free(ns);
	fclose(fp);
	if (errors) {
		fv_actx_fail(a, "%s", log->first[0] ? log->first : "YARA rule compilation failed");
		return FV_EFORMAT;
	}
	return FV_OK;
}

/* ---- reading each rule's meta ---------------------------------------------- */

static int parse_severity(const char *s, enum fv_severity *out)
{
	for (int i = FV_SEV_INFO; i <= FV_SEV_CRITICAL; i++)
		if (strcmp(s, fv_severity_name((enum fv_severity)i)) == 0) {
			*out = (enum fv_severity)i;
			return 0;
		}
	return -1;
}

static int parse_conf(const char *s, enum fv_conf *out)
{
	for (int i = FV_CONF_LOW; i <= FV_CONF_HIGH; i++)
		if (strcmp(s, fv_conf_name((enum fv_conf)i)) == 0) {
			*out = (enum fv_conf)i;
			return 0;
		}
	return -1;
}

/* A shipped id is FV-BKDR-NNN; a user's may be any short word of [A-Za-z0-9._-]. */
static int valid_id(const char *s, int shipped)
{
	size_t n = strlen(s);
	if (shipped)
		return n == 11 && strncmp(s, "FV-BKDR-", 8) == 0 && s[8] >= '0' && s[8] <= '9' &&
		       s[9] >= '0' && s[9] <= '9' && s[10] >= '0' && s[10] <= '9';
	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '.' || ch == '_' || ch == '-'))
			return 0;
	}
	return 1;
}

/* Meta text goes into reports: one line of printable characters. */
static int printable_line(const char *s, size_t max)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++)
		if (*p < 0x20 || *p == 0x7f || n >= max)
			return 0;
	return 1;
}

/*
 * Fills *ri from rule's meta.  The file a rule came from is its namespace
 * after the prefix, so that every complaint names it.
 */
static int read_meta(struct fv_actx *a, const YR_RULE *rule, struct rinfo *ri)
{
	const char *ns = rule->ns->name;
	int shipped = strncmp(ns, NS_SHIPPED, strlen(NS_SHIPPED)) == 0;
	const char *file = ns + (shipped ? strlen(NS_SHIPPED) : strlen(NS_USER));
	const char *name = rule->identifier;
	const char *id = NULL, *sev = NULL, *conf = NULL, *cat = NULL, *desc = NULL, *cve = NULL,
		   *ref = NULL;
	static const char *const keys[] = { "id", "severity", "confidence", "category",
					    "description", "cve", "reference" };
	const char **slots[] = { &id, &sev, &conf, &cat, &desc, &cve, &ref };
	const YR_META *m;
	yr_rule_metas_foreach(rule, m) {
		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
			if (strcmp(m->identifier, keys[k]) != 0)
				continue;
			if (m->type != META_TYPE_STRING || !m->string) {
				fv_actx_fail(a, "%s: rule %s: meta %s: expected a string", file, name,
					     keys[k]);
				return FV_EFORMAT;
			}
			if (!printable_line(m->string, 300)) {
				fv_actx_fail(a, "%s: rule %s: meta %s: expected one line of at most 300 "
					     "printable characters", file, name, keys[k]);
				return FV_EFORMAT;
			}
			*slots[k] = m->string;
		}
	}
	if (shipped) {
		const char *missing = !id ? "id" : !sev ? "severity" : !desc ? "description" :
				      !ref ? "reference" : NULL;
		if (missing) {
			fv_actx_fail(a, "%s: rule %s: expected meta %s (every shipped intel rule has "
				     "id, severity, description and reference)", file, name, missing);
			return FV_EFORMAT;
		}
	}
	if (id && !valid_id(id, shipped)) {
		fv_actx_fail(a, "%s: rule %s: meta id: expected %s, found \"%s\"", file, name,
			     shipped ? "FV-BKDR-NNN" : "at most 64 of A-Z a-z 0-9 . _ -", id);
		return FV_EFORMAT;
	}
	ri->sev = FV_SEV_MEDIUM;
	if (sev && parse_severity(sev, &ri->sev)) {
		fv_actx_fail(a, "%s: rule %s: meta severity: expected critical, high, medium, low or "
			     "info, found \"%s\"", file, name, sev);
		return FV_EFORMAT;
	}
	ri->conf = FV_CONF_MEDIUM;
	if (conf && parse_conf(conf, &ri->conf)) {
		fv_actx_fail(a, "%s: rule %s: meta confidence: expected high, medium or low, found "
			     "\"%s\"", file, name, conf);
		return FV_EFORMAT;
	}
	ri->category = "backdoor";
	if (cat) {
		size_t k = 0;
		while (categories[k] && strcmp(categories[k], cat) != 0)
			k++;
		if (!categories[k]) {
			fv_actx_fail(a, "%s: rule %s: meta category: expected one of account, credential, "
				     "secret, service, backdoor, exfiltration, vulnerability, component, "
				     "hardening, unsafe-code, integrity, supply-chain; found \"%s\"",
				     file, name, cat);
			return FV_EFORMAT;
		}
		ri->category = categories[k];
	}
	char buf[160];
	if (!id) {
		snprintf(buf, sizeof buf, "FV-USER-%s", name);
		id = buf;
	}
	if (!(ri->id = strdup(id)))
		return FV_ENOMEM;
	/* The record goes into the title: a finding has no reference field of its own. */
	char title[700];
	int n = desc ? snprintf(title, sizeof title, "%s", desc)
		     : snprintf(title, sizeof title, "YARA rule %s matched", name);
	if (cve || ref)
		snprintf(title + n, sizeof title - (size_t)n, " (%s%s%s)", cve ? cve : "",
			 cve && ref ? "; " : "", ref ? ref : "");
	if (!(ri->title = strdup(title)))
		return FV_ENOMEM;
	return FV_OK;
}

/* ---- init / fini ---------------------------------------------------------- */

static void destroy(struct bkdr *b)
{
	if (!b)
		return;
	if (b->info)
		for (uint32_t i = 0; i < b->nrules; i++) {
			free(b->info[i].title);
			free(b->info[i].id);
		}
	free(b->info);
	if (b->rules)
		yr_rules_destroy(b->rules);
	free(b);
	yr_finalize();
}

static int compile_all(struct fv_actx *a, YR_COMPILER *c, struct compile_log *log)
{
	/* Before any file: a rule that names them must find them declared. */
	if (yr_compiler_define_string_variable(c, "fv_kind", "") != ERROR_SUCCESS ||
	    yr_compiler_define_string_variable(c, "fv_path", "") != ERROR_SUCCESS ||
	    yr_compiler_define_string_variable(c, "fv_name", "") != ERROR_SUCCESS)
		return FV_ENOMEM;
	const char *dirs[2] = { fv_actx_rules_dir(a), fv_actx_user_rules(a) };
	for (int d = 0; d < 2; d++) {
		if (!dirs[d])
			continue;
		char intel[PATH_MAX];
		const char *root = dirs[d];
		if (d == 0) {
			snprintf(intel, sizeof intel, "%s/intel", dirs[d]);
			root = intel;
		}
		struct paths p = { 0 };
		int rc = collect(a, root, 0, d == 1, &p);
		if (rc == FV_OK && d == 0 && p.n == 0) {
			fv_actx_fail(a, "%s: expected the shipped YARA rules (*.yar), found none", root);
			rc = FV_EFORMAT;
		}
		if (rc == FV_OK && p.n > 1)
			qsort(p.v, p.n, sizeof *p.v, cmp_path);
		for (size_t i = 0; rc == FV_OK && i < p.n; i++)
			rc = add_file(a, c, log, p.v[i], d == 0 ? NS_SHIPPED : NS_USER);
		paths_free(&p);
		if (rc != FV_OK)
			return rc;
	}
	return FV_OK;
}

static int init(struct fv_actx *a, void **state)
{
	*state = NULL;
	int yrc = yr_initialize();
	if (yrc != ERROR_SUCCESS) {
		fv_actx_fail(a, "libyara could not start (error %d)", yrc);
		return FV_ENOMEM;
	}
	/*
	 * libyara copies up to 512 bytes of every match for its callers; the
	 * evidence here is read from the mapping instead, and a hostile file
	 * with a million matches of a string would otherwise cost half a GiB per
	 * thread.  The setting is process-wide: fwvet has no other libyara user.
	 */
	yr_set_configuration_uint32(YR_CONFIG_MAX_MATCH_DATA, 0);
	struct bkdr *b = calloc(1, sizeof *b);
	if (!b) {
		yr_finalize();
		return FV_ENOMEM;
	}
	YR_COMPILER *c = NULL;
	if (yr_compiler_create(&c) != ERROR_SUCCESS) {
		destroy(b);
		return FV_ENOMEM;
	}
	struct compile_log log = { { 0 } };
	yr_compiler_set_callback(c, on_compile, &log);
	int rc = compile_all(a, c, &log);
	if (rc == FV_OK && yr_compiler_get_rules(c, &b->rules) != ERROR_SUCCESS)
		rc = FV_ENOMEM;
	yr_compiler_destroy(c);
	if (rc == FV_OK) {
		b->nrules = b->rules->num_rules;
		b->info = calloc(b->nrules ? b->nrules : 1, sizeof *b->info);
		if (!b->info)
			rc = FV_ENOMEM;
	}
	if (rc == FV_OK) {
		const YR_RULE *r;
		yr_rules_foreach(b->rules, r) {
			if (RULE_IS_PRIVATE(r))
				continue;
			size_t i = (size_t)(r - b->rules->rules_table);
			if ((rc = read_meta(a, r, &b->info[i])) != FV_OK)
				break;
		}
	}
	if (rc != FV_OK) {
		destroy(b);
		return rc;
	}
	*state = b;
	return FV_OK;
}

static void fini(void *state)
{
	destroy(state);
}

/* ---- scanning ------------------------------------------------------------- */

static int wants(const struct fv_file *f)
{
	return f->content != SIZE_MAX && f->kind != FV_KIND_EMPTY && f->x->size > 0;
}

/* Evidence text: appends that stop quietly at the end of the buffer. */
struct ev {
	char s[400];
	size_t n;
};

static void ev_add(struct ev *e, const char *t)
{
	size_t k = strlen(t);
	if (e->n + k < sizeof e->s) {
		memcpy(e->s + e->n, t, k + 1);
		e->n += k;
	}
}

/* p[0..n) in quotes, printable ASCII as is and other bytes escaped; "..." when cut. */
static void ev_quoted(struct ev *e, const uint8_t *p, size_t n, int cut)
{
	ev_add(e, "\"");
	for (size_t i = 0; i < n; i++) {
		char t[8];
		uint8_t ch = p[i];
		if (ch == '"' || ch == '\\')
			snprintf(t, sizeof t, "\\%c", ch);
		else if (ch >= 0x20 && ch < 0x7f)
			snprintf(t, sizeof t, "%c", ch);
		else if (ch == '\n')
			snprintf(t, sizeof t, "\\n");
		else if (ch == '\t')
			snprintf(t, sizeof t, "\\t");
		else
			snprintf(t, sizeof t, "\\x%02x", ch);
		ev_add(e, t);
	}
	ev_add(e, cut ? "...\"" : "\"");
}

struct scan {
	struct fv_actx *a;
	const struct bkdr *b;
	const struct fv_afile *f;
};

/*
 * The earliest non-private match of string s into *out; 0 if there is none.
 * libyara 4.2 packs each match record with its data snippet in one buffer,
 * so a record may sit at any address: it is copied out before any field is
 * read (yr_string_matches_foreach would read it in place).
 */
static int first_match(YR_SCAN_CONTEXT *ctx, const YR_STRING *s, YR_MATCH *out)
{
	int found = 0;
	const void *p = ctx->matches[s->idx].head;
	for (unsigned guard = 0; p && guard < 1000000; guard++) {
		YR_MATCH m = { 0 };
		memcpy(&m, p, sizeof m);
		if (!m.is_private && (!found || m.base + m.offset < out->base + out->offset)) {
			*out = m;
			found = 1;
		}
		p = m.next;
	}
	return found;
}

/*
 * One finding for a matching rule.  The evidence is the first string the
 * rule declares that matched (by convention its magic) and the offset of
 * its first match; up to two more matched strings follow with their
 * offsets, so a reviewer sees why the rule trusted the match.
 */
static void report(struct scan *sc, YR_SCAN_CONTEXT *ctx, const YR_RULE *rule)
{
	size_t idx = (size_t)(rule - sc->b->rules->rules_table);
	if (idx >= sc->b->nrules || !sc->b->info[idx].id)
		return;
	const struct rinfo *ri = &sc->b->info[idx];
	struct ev ev = { "", 0 };
	uint64_t offset = 0;
	int found = 0, more = 0;
	const YR_STRING *s;
	yr_rule_strings_foreach(rule, s) {
		if (more == EV_MORE)
			break;
		YR_MATCH m = { 0 };
		if (!first_match(ctx, s, &m) || m.base + m.offset < 0)
			continue;
		uint64_t off = (uint64_t)(m.base + m.offset);
		if (off >= sc->f->size)
			continue;
		size_t n = m.match_length > 0 ? (size_t)m.match_length : 0;
		if (n > sc->f->size - off)
			n = sc->f->size - off;
		size_t keep = found ? EV_OTHER : EV_FIRST;
		if (found)
			ev_add(&ev, more ? ", " : " with ");
		ev_quoted(&ev, sc->f->data + off, n < keep ? n : keep, n > keep);
		if (found) {
			char at[32];
			snprintf(at, sizeof at, " at 0x%" PRIx64, off);
			ev_add(&ev, at);
			more++;
		} else {
			offset = off;
			found = 1;
		}
	}
	if (!found) /* a condition without strings (a user's filesize or header test) */
		snprintf(ev.s, sizeof ev.s, "condition of YARA rule %s holds (no string matched)",
			 rule->identifier);
	fv_actx_finding(sc->a, sc->f, ri->id, ri->category, ri->sev, ri->conf, offset, ev.s, "%s",
			ri->title);
}

static int on_scan(YR_SCAN_CONTEXT *ctx, int message, void *data, void *user)
{
	struct scan *sc = user;
	if (message == CALLBACK_MSG_RULE_MATCHING)
		report(sc, ctx, data);
	else if (message == CALLBACK_MSG_TOO_MANY_MATCHES)
		fv_log(FV_LOG_DEBUG, "backdoor: %s: string %s of a rule matched too often; its later "
		       "matches are ignored", sc->f->file->x->path, ((YR_STRING *)data)->identifier);
	return CALLBACK_CONTINUE;
}

/* Seconds a scan may take: generous, so that only a pathological rule or file hits it. */
static int timeout_for(size_t size)
{
	uint64_t t = 30 + (uint64_t)size / (16u << 20);
	return t > INT_MAX ? INT_MAX : (int)t;
}

static void run(struct fv_actx *a, void *state, const struct fv_afile *f)
{
	const struct bkdr *b = state;
	const char *path = f->file->x->path;
	YR_SCANNER *s = NULL;
	if (yr_scanner_create(b->rules, &s) != ERROR_SUCCESS) {
		fv_log(FV_LOG_WARN, "backdoor: %s: out of memory for a YARA scanner; not scanned", path);
		fv_actx_nocache(a);
		return;
	}
	struct scan sc = { a, b, f };
	yr_scanner_set_callback(s, on_scan, &sc);
	/*
	 * Fast mode keeps only the first match of a string that the condition
	 * tests for presence (libyara keeps all of them where # or @ needs
	 * them): the evidence wants no more, and a file that repeats a short
	 * indicator a million times costs no memory.  No try/catch: it swaps
	 * process-wide SIGSEGV/SIGBUS handlers while other threads run, and the
	 * mapping is one every analyzer reads unguarded.
	 */
	yr_scanner_set_flags(s, SCAN_FLAGS_REPORT_RULES_MATCHING | SCAN_FLAGS_FAST_MODE |
				     SCAN_FLAGS_NO_TRYCATCH);
	int timeout = timeout_for(f->size);
	yr_scanner_set_timeout(s, timeout);
	const char *member = f->file->member ? f->file->member : "";
	const char *slash = strrchr(member, '/');
	const char *name = slash ? slash + 1 : member;
	int rc = yr_scanner_define_string_variable(s, "fv_kind", fv_kind_name(f->file->kind));
	if (rc == ERROR_SUCCESS)
		rc = yr_scanner_define_string_variable(s, "fv_path", member);
	if (rc == ERROR_SUCCESS)
		rc = yr_scanner_define_string_variable(s, "fv_name", name);
	if (rc == ERROR_SUCCESS)
		rc = yr_scanner_scan_mem(s, f->data, f->size);
	if (rc != ERROR_SUCCESS)
		fv_actx_nocache(a); /* cut short: another run may match more */
	if (rc == ERROR_SCAN_TIMEOUT)
		fv_log(FV_LOG_WARN, "backdoor: %s: YARA scan stopped after %d s; later parts of the "
		       "file were not matched", path, timeout);
	else if (rc != ERROR_SUCCESS)
		fv_log(FV_LOG_WARN, "backdoor: %s: YARA scan failed (libyara error %d)", path, rc);
	yr_scanner_destroy(s);
}

/* Rules may test the first path (fv_path, fv_name): a result holds for that path only. */
static int view(struct fv_actx *a, void *state, const struct fv_afile *f, char *out, size_t cap)
{
	(void)a, (void)state;
	return snprintf(out, cap, "%s", f->file->member ? f->file->member : "");
}

const struct fv_analyzer fv_analyzer_backdoor = {
	.name = "backdoor",
	.scope = FV_SCOPE_CONTENT,
	.rules = "intel *.yar *.yara",
	.view = view,
	.init = init,
	.wants = wants,
	.run = run,
	.finish = NULL,
	.fini = fini,
};
