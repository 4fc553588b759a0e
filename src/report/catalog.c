/*
 * The rule catalogue: what each finding rule means, read from
 * rules/findings/ and then a user's --rules DIR/findings/ (every .txt file).
 *
 * The format is a block per rule, so that a user can add one with an editor
 * and a reviewer can read a diff of it:
 *
 *     # a comment line
 *     FV-ACCT-001 ExtraUidZeroAccount
 *     summary: An account other than root has user id 0.
 *     help: What it means for the evaluator ...
 *     help: A second paragraph ...
 *     ref: https://cwe.mitre.org/data/definitions/250.html
 *     <blank line>
 *
 * The reader is strict, like every rules reader of fwvet: a line that is not
 * exactly this stops the load with "file:line: expected ..., got ...", so a
 * typo never drops an entry silently.
 */
#include "report/catalog.h"
#include "core/err.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* Limits: a hostile or mistaken rules folder costs bounded memory and time. */
#define CAT_LINE_MAX 2048   /* bytes of one line, newline excluded */
#define CAT_ENTRIES_MAX 4096
#define CAT_FILES_MAX 1024
#define CAT_HELP_MAX 16     /* help paragraphs per entry */
#define CAT_REFS_MAX 8
#define CAT_ID_MAX 64       /* as backdoor.c allows for a user's YARA id */
#define CAT_NAME_MAX 64

struct entry {
	struct fv_rule_info info;
	char *refs[CAT_REFS_MAX];
};

struct fv_catalog {
	struct entry **v; /* sorted by id once loaded */
	size_t n, cap;
};

static void entry_free(struct entry *e)
{
	if (!e)
		return;
	free((char *)e->info.id);
	free((char *)e->info.name);
	free((char *)e->info.summary);
	free((char *)e->info.help);
	for (size_t i = 0; i < e->info.nrefs; i++)
		free(e->refs[i]);
	free(e);
}

void fv_catalog_free(struct fv_catalog *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		entry_free(c->v[i]);
	free(c->v);
	free(c);
}

/* What a bad line held, quoted, short, printable: it goes into a message for a terminal. */
static void shown(char *out, size_t outlen, const char *s, size_t n)
{
	size_t k = 0;
	if (outlen < 8)
		return;
	out[k++] = '"';
	for (size_t i = 0; i < n && k + 6 < outlen; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (i == 48) {
			k += (size_t)snprintf(out + k, outlen - k, "...");
			break;
		}
		if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\')
			out[k++] = (char)ch;
		else
			k += (size_t)snprintf(out + k, outlen - k, "\\x%02x", ch);
	}
	if (k + 2 <= outlen) {
		out[k++] = '"';
		out[k] = 0;
	} else {
		out[outlen - 1] = 0;
	}
}

struct reader {
	const char *file;
	unsigned line;
	char *err;
	size_t errlen;
};

static int bad(struct reader *r, const char *expected, const char *got, size_t n)
{
	char g[256];
	if (got)
		shown(g, sizeof g, got, n);
	else
		snprintf(g, sizeof g, "%s", "the end of the file");
	snprintf(r->err, r->errlen, "%s:%u: expected %s, got %s", r->file, r->line, expected, g);
	return FV_EFORMAT;
}

static int is_id_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '-';
}

static int is_alnum(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Printable ASCII or UTF-8 text without control bytes: what a report shows as a sentence. */
static int text_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

/* An absolute http(s) URL of URI characters only (SARIF's helpUri must be a valid URI). */
static int url_ok(const char *s, size_t n)
{
	size_t p = !strncmp(s, "https://", 8) ? 8 : !strncmp(s, "http://", 7) ? 7 : 0;
	if (!p || n <= p || n > 512)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!is_alnum(c) && !strchr("-._~:/?#[]@!$&'()*+,;=%", c))
			return 0;
	}
	return 1;
}

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

/* Appends a help paragraph: paragraphs are separated by a blank line. */
static int add_help(struct entry *e, const char *s, size_t n)
{
	size_t old = e->info.help ? strlen(e->info.help) : 0;
	char *h = realloc((char *)e->info.help, old + (old ? 2 : 0) + n + 1);
	if (!h)
		return FV_ENOMEM;
	if (old) {
		memcpy(h + old, "\n\n", 2);
		old += 2;
	}
	memcpy(h + old, s, n);
	h[old + n] = 0;
	e->info.help = h;
	return FV_OK;
}

static ssize_t find_index(const struct fv_catalog *c, const char *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i]->info.id, id))
			return (ssize_t)i;
	return -1;
}

/*
 * Puts a finished entry in.  Within one layer (shipped, or the user's) an id
 * may appear once; a user's entry replaces the shipped one of that id.
 * first_user: index from which entries came from the user's layer.
 */
static int commit(struct fv_catalog *c, struct entry *e, size_t first_user, int user, struct reader *r,
		  unsigned id_line)
{
	if (!e->info.summary || !e->info.help) {
		r->line = id_line;
		return bad(r, e->info.summary ? "a \"help:\" line in the entry" : "a \"summary:\" line in the entry",
			   e->info.id, strlen(e->info.id));
	}
	ssize_t k = find_index(c, e->info.id);
	if (k >= 0 && (!user || (size_t)k >= first_user)) {
		r->line = id_line;
		return bad(r, "a rule id not defined before in this layer of the catalogue", e->info.id,
			   strlen(e->info.id));
	}
	if (k >= 0) {
		entry_free(c->v[k]);
		c->v[k] = e;
		return FV_OK;
	}
	if (c->n >= CAT_ENTRIES_MAX) {
		r->line = id_line;
		return bad(r, "at most 4096 entries in the catalogue", e->info.id, strlen(e->info.id));
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		struct entry **v = realloc(c->v, cap * sizeof *v);
		if (!v)
			return FV_ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = e;
	return FV_OK;
}

/* Reads one file of entries into c. */
static int read_file(struct fv_catalog *c, const char *path, size_t first_user, int user, char *err, size_t errlen)
{
	struct reader r = { path, 0, err, errlen };
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return FV_EIO;
	}
	char buf[CAT_LINE_MAX + 2];
	struct entry *e = NULL;
	unsigned id_line = 0, nhelp = 0;
	int rc = FV_OK;
	while (rc == FV_OK) {
		if (!fgets(buf, sizeof buf, f)) {
			if (ferror(f)) {
				snprintf(err, errlen, "%s:%u: read error", path, r.line + 1);
				rc = FV_EIO;
			}
			break;
		}
		r.line++;
		size_t n = strlen(buf);
		int nl = n && buf[n - 1] == '\n';
		if (!nl && !feof(f)) {
			rc = bad(&r, "a line of at most 2048 bytes", buf, 48);
			break;
		}
		if (nl)
			buf[--n] = 0;
		if (memchr(buf, 0, n)) {
			rc = bad(&r, "a line without NUL bytes", buf, n);
			break;
		}
		if (n && buf[n - 1] == '\r') {
			rc = bad(&r, "a line without a carriage return (Unix line ends)", buf, n);
			break;
		}
		if (buf[0] == '#')
			continue;
		if (n == 0) { /* a blank line ends the entry */
			if (e) {
				rc = commit(c, e, first_user, user, &r, id_line);
				if (rc != FV_OK)
					break;
				e = NULL;
			}
			continue;
		}
		const char *colon = memchr(buf, ':', n);
		size_t klen = colon ? (size_t)(colon - buf) : 0;
		int field = colon && ((klen == 7 && !strncmp(buf, "summary", 7)) || (klen == 4 && !strncmp(buf, "help", 4)) ||
				      (klen == 3 && !strncmp(buf, "ref", 3)));
		if (!e) {
			if (field) {
				rc = bad(&r, "a rule line \"ID Name\" before the entry's fields", buf, n);
				break;
			}
			/* "ID Name": an id of [A-Za-z0-9._-], one blank, a name of letters and digits */
			size_t i = 0;
			while (i < n && is_id_char((unsigned char)buf[i]))
				i++;
			size_t j = i + 1, k = j;
			while (k < n && is_alnum((unsigned char)buf[k]))
				k++;
			if (i == 0 || i > CAT_ID_MAX || i >= n || buf[i] != ' ' || k != n || k == j ||
			    k - j > CAT_NAME_MAX || !((buf[j] >= 'A' && buf[j] <= 'Z') || (buf[j] >= 'a' && buf[j] <= 'z'))) {
				rc = bad(&r,
					 "a rule line \"ID Name\" (ID of at most 64 of A-Z a-z 0-9 . _ -, one blank, "
					 "a Name of at most 64 letters and digits starting with a letter), a field, "
					 "a comment or a blank line",
					 buf, n);
				break;
			}
			if (!(e = calloc(1, sizeof *e)) || !(e->info.id = dupn(buf, i)) ||
			    !(e->info.name = dupn(buf + j, k - j))) {
				rc = FV_ENOMEM;
				break;
			}
			e->info.refs = (const char *const *)e->refs;
			id_line = r.line;
			nhelp = 0;
			continue;
		}
		if (!field || klen + 1 >= n || buf[klen + 1] != ' ' || klen + 2 >= n || buf[klen + 2] == ' ') {
			rc = bad(&r, "\"summary: TEXT\", \"help: TEXT\" or \"ref: URL\" (one blank after the colon), "
				     "or a blank line ending the entry",
				 buf, n);
			break;
		}
		const char *v = buf + klen + 2;
		size_t vn = n - klen - 2;
		if (v[vn - 1] == ' ' || v[vn - 1] == '\t') {
			rc = bad(&r, "no trailing blanks", buf, n);
			break;
		}
		if (!text_ok(v, vn)) {
			rc = bad(&r, "text without control bytes or tabs", v, vn);
			break;
		}
		if (klen == 7) {
			if (e->info.summary) {
				rc = bad(&r, "one \"summary:\" line per entry", buf, n);
				break;
			}
			if (!(e->info.summary = dupn(v, vn)))
				rc = FV_ENOMEM;
		} else if (klen == 4) {
			if (++nhelp > CAT_HELP_MAX) {
				rc = bad(&r, "at most 16 \"help:\" paragraphs per entry", buf, n);
				break;
			}
			rc = add_help(e, v, vn);
		} else {
			if (!url_ok(v, vn)) {
				rc = bad(&r, "an http:// or https:// URL of at most 512 URI characters", v, vn);
				break;
			}
			if (e->info.nrefs >= CAT_REFS_MAX) {
				rc = bad(&r, "at most 8 \"ref:\" lines per entry", buf, n);
				break;
			}
			if (!(e->refs[e->info.nrefs] = dupn(v, vn)))
				rc = FV_ENOMEM;
			else
				e->info.nrefs++;
		}
	}
	if (rc == FV_OK && e && (rc = commit(c, e, first_user, user, &r, id_line)) == FV_OK)
		e = NULL; /* the last entry may end with the file; commit owns it only when it succeeds */
	entry_free(e);
	fclose(f);
	if (rc == FV_ENOMEM)
		snprintf(err, errlen, "%s:%u: out of memory", path, r.line);
	return rc;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Reads every *.txt of dir/findings in name order.  A folder that is not
 * there is no error (a user's --rules DIR need not have one; the shipped
 * folder's absence is caught by the caller's tests, not here).
 */
static int read_dir(struct fv_catalog *c, const char *dir, int user, char *err, size_t errlen)
{
	char path[4096];
	if (snprintf(path, sizeof path, "%s/findings", dir) >= (int)sizeof path) {
		snprintf(err, errlen, "%.200s...: path too long", dir);
		return FV_EUSAGE;
	}
	DIR *d = opendir(path);
	if (!d) {
		if (errno == ENOENT)
			return FV_OK;
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return FV_EIO;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = FV_OK;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l < 5 || strcmp(de->d_name + l - 4, ".txt"))
			continue;
		if (n >= CAT_FILES_MAX) {
			snprintf(err, errlen, "%s: expected at most %d catalogue files, got more", path, CAT_FILES_MAX);
			rc = FV_ELIMIT;
			break;
		}
		if (n == cap) {
			size_t nc = cap ? 2 * cap : 16;
			char **v = realloc(names, nc * sizeof *v);
			if (!v) {
				rc = FV_ENOMEM;
				break;
			}
			names = v;
			cap = nc;
		}
		if (!(names[n] = strdup(de->d_name))) {
			rc = FV_ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (rc == FV_ENOMEM)
		snprintf(err, errlen, "%s: out of memory", path);
	if (rc == FV_OK && n)
		qsort(names, n, sizeof *names, cmp_name);
	size_t first_user = c->n;
	for (size_t i = 0; rc == FV_OK && i < n; i++) {
		char file[4096 + 256];
		snprintf(file, sizeof file, "%s/%s", path, names[i]);
		rc = read_file(c, file, user ? first_user : 0, user, err, errlen);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp((*(struct entry *const *)a)->info.id, (*(struct entry *const *)b)->info.id);
}

int fv_catalog_load(const char *rules_dir, const char *user_dir, struct fv_catalog **out, char *err, size_t errlen)
{
	*out = NULL;
	struct fv_catalog *c = calloc(1, sizeof *c);
	if (!c) {
		snprintf(err, errlen, "rule catalogue: out of memory");
		return FV_ENOMEM;
	}
	int rc = rules_dir ? read_dir(c, rules_dir, 0, err, errlen) : FV_OK;
	if (rc == FV_OK && user_dir)
		rc = read_dir(c, user_dir, 1, err, errlen);
	if (rc != FV_OK) {
		fv_catalog_free(c);
		return rc;
	}
	if (c->n) /* qsort wants a non-NULL base even for no entries */
		qsort(c->v, c->n, sizeof *c->v, cmp_entry);
	*out = c;
	return FV_OK;
}

const struct fv_rule_info *fv_catalog_find(const struct fv_catalog *c, const char *id)
{
	if (!c || !id)
		return NULL;
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(c->v[mid]->info.id, id);
		if (!r)
			return &c->v[mid]->info;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t fv_catalog_count(const struct fv_catalog *c) { return c ? c->n : 0; }

const struct fv_rule_info *fv_catalog_at(const struct fv_catalog *c, size_t i)
{
	return c && i < c->n ? &c->v[i]->info : NULL;
}
