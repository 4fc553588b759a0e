/*
 * The accounts analyzer: who can log in, and how.
 *
 * Per path, because a verdict depends on where a file is: /etc/passwd is
 * joined with the shadow file beside it (a shadow hash is judged with its
 * account's uid and shell), a stale copy (shadow-) is compared with its live
 * file, and the account stores of embedded services are read: .htpasswd and
 * lighttpd user files, htdigest files, mosquitto password files, busybox
 * httpd.conf, and rpcd's `config login` sections in UCI.
 *
 * Every account goes into the report's list (fv_actx_account).  Findings:
 * FV-ACCT-001..005 (docs/rules.md), and FV-CRED-001/002 for hashes the
 * default-credential list cracks and cleartext passwords in these stores
 * (credentials.c leaves the stores to us, so nothing is reported twice).
 */
#include "analyze/analyze.h"
#include "analyze/creds.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/map.h"
#include "unpack/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LINE_MAX_LEN 1024     /* longer lines are no account lines */
#define MAX_ACCOUNTS 4096     /* per file; a real store has a handful */
#define MAX_CRACKS 32         /* hashes tried per file */
#define NFIELDS 10

/* ---- which files ----------------------------------------------------------------- */

static int streq(const char *a, const char *b) { return strcmp(a, b) == 0; }

static int suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n >= k && strcmp(s + n - k, suf) == 0;
}

/* base is name followed by a backup suffix: passwd-, shadow.bak, passwd.old ... */
static int stale_of(const char *base, const char *name)
{
	static const char *const sfx[] = { "-", "~", ".bak", ".old", ".orig", ".save", ".backup",
					   ".OLD", ".BAK" };
	size_t k = strlen(name);
	if (strncmp(base, name, k))
		return 0;
	for (size_t i = 0; i < sizeof sfx / sizeof *sfx; i++)
		if (streq(base + k, sfx[i]))
			return 1;
	return 0;
}

enum fv_acct_store fv_account_store(const char *member)
{
	const char *slash = strrchr(member, '/');
	const char *base = slash ? slash + 1 : member;
	/* mosquitto's files first: its password file is often called passwd. */
	if (strstr(member, "/mosquitto/") && !suffix(base, ".conf") &&
	    (strstr(base, "passwd") || strstr(base, "password") || strstr(base, "pwfile")))
		return FV_STORE_MOSQUITTO;
	if (streq(base, "passwd"))
		return FV_STORE_PASSWD;
	if (streq(base, "shadow"))
		return FV_STORE_SHADOW;
	if (streq(base, "group") || streq(base, "gshadow"))
		return FV_STORE_GROUP;
	if (stale_of(base, "passwd"))
		return FV_STORE_STALE_PASSWD;
	if (stale_of(base, "shadow"))
		return FV_STORE_STALE_SHADOW;
	if (streq(base, ".htpasswd") || streq(base, "htpasswd") || suffix(base, ".htpasswd") ||
	    streq(base, ".htdigest") || streq(base, "htdigest") || suffix(base, ".htdigest") ||
	    (strncmp(base, "lighttpd", 8) == 0 && suffix(base, ".user")))
		return FV_STORE_HTPASSWD;
	if (streq(base, "httpd.conf"))
		return FV_STORE_HTTPD_CONF;
	if (strncmp(member, "/etc/config/", 12) == 0 && !strchr(member + 12, '/') && member[12])
		return FV_STORE_UCI;
	if (streq(base, "lighttpd.conf") || streq(base, "mosquitto.conf") ||
	    ((strstr(member, "/lighttpd/") || strstr(member, "/mosquitto/")) && suffix(base, ".conf")))
		return FV_STORE_SERVICE_CONF;
	return FV_STORE_NONE;
}

/* ---- reading lines and fields ----------------------------------------------------------- */

/* One line of a store, split at ':'. */
struct line {
	const char *p;  /* the line in the mapped file (no end of line) */
	size_t len;
	uint64_t off;
	size_t nf;      /* fields; NFIELDS + 1 when there are more */
	size_t at[NFIELDS], fl[NFIELDS];
};

/* The next line worth reading: no NUL, not too long, not blank or a comment.  0 at the end. */
static int next_line(const uint8_t *d, size_t n, size_t *pos, struct line *l)
{
	while (*pos < n) {
		size_t i = *pos;
		const uint8_t *nl = memchr(d + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - d) : n;
		*pos = end + 1;
		size_t len = end - i;
		if (len && d[end - 1] == '\r')
			len--;
		if (len == 0 || len > LINE_MAX_LEN || d[i] == '#' || memchr(d + i, 0, len))
			continue;
		l->p = (const char *)d + i;
		l->len = len;
		l->off = i;
		l->nf = 0;
		size_t s = 0;
		for (size_t k = 0; k <= len; k++)
			if (k == len || l->p[k] == ':') {
				if (l->nf == NFIELDS) {
					l->nf++;
					break;
				}
				l->at[l->nf] = s;
				l->fl[l->nf] = k - s;
				l->nf++;
				s = k + 1;
			}
		return 1;
	}
	return 0;
}

/* Field k as a C string into out; 0 when it does not fit. */
static int field(const struct line *l, size_t k, char *out, size_t cap)
{
	if (k >= l->nf || k >= NFIELDS || l->fl[k] >= cap)
		return 0;
	memcpy(out, l->p + l->at[k], l->fl[k]);
	out[l->fl[k]] = 0;
	return 1;
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64 || s[0] == '+' || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-' || c == '$' || c == '@'))
			return 0;
	}
	return 1;
}

/* Passwords and hashes are printable ASCII. */
static int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

/* A decimal id of at most 10 digits that fits 32 bits, or -1. */
static int64_t id_of(const struct line *l, size_t k)
{
	if (k >= l->nf || k >= NFIELDS || l->fl[k] == 0 || l->fl[k] > 10)
		return -1;
	int64_t v = 0;
	for (size_t i = 0; i < l->fl[k]; i++) {
		char c = l->p[l->at[k] + i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	return v <= 0xffffffffll ? v : -1;
}

/* ---- passwd, shadow and group ---------------------------------------------------------- */

enum pw { PW_EMPTY, PW_LOCKED, PW_SHADOW, PW_HASH, PW_INVALID, PW_MISSING };

struct acct {
	struct line l;
	char name[65];
	char pw[256];
	int64_t uid, gid;
	char home[256], shell[256];
	enum pw state;
	enum fv_hash kind;
};

struct store {
	const struct fv_file *file; /* NULL when there is none */
	struct fv_map map;
	struct acct *v;
	size_t n;
};

static enum pw pw_state(const char *pw, int in_passwd, enum fv_hash *kind)
{
	*kind = FV_HASH_NONE;
	if (!*pw)
		return PW_EMPTY;
	if (in_passwd && streq(pw, "x"))
		return PW_SHADOW;
	if (pw[0] == '!' || pw[0] == '*')
		return PW_LOCKED;
	*kind = fv_hash_kind(pw, strlen(pw), FV_HCTX_CRYPT);
	return *kind != FV_HASH_NONE ? PW_HASH : PW_INVALID;
}

static const char *pw_type(enum pw s, enum fv_hash kind)
{
	switch (s) {
	case PW_EMPTY:
		return "empty";
	case PW_LOCKED:
		return "locked";
	case PW_HASH:
		return fv_hash_name(kind);
	case PW_MISSING:
		return "missing";
	case PW_SHADOW:
		return "shadow";
	default:
		return "invalid";
	}
}

enum fmt { F_PASSWD, F_SHADOW, F_GROUP };

/* Reads the accounts of a passwd, shadow or group file. */
static int store_load(const struct fv_inventory *inv, const struct fv_file *f, const uint8_t *d,
		      size_t n, enum fmt fmt, struct store *s)
{
	memset(s, 0, sizeof *s);
	s->file = f;
	if (!d && f) {
		if (f->x->size && fv_inventory_map(inv, f, &s->map) != FV_OK)
			return FV_EIO;
		d = s->map.data;
		n = s->map.size;
	}
	size_t pos = 0, cap = 0;
	struct line l;
	while (s->n < MAX_ACCOUNTS && d && next_line(d, n, &pos, &l)) {
		struct acct a = { .l = l, .uid = -1, .gid = -1 };
		if (!field(&l, 0, a.name, sizeof a.name) || !valid_name(a.name) ||
		    !field(&l, 1, a.pw, sizeof a.pw) || !printable(a.pw))
			continue;
		if (fmt == F_PASSWD) {
			if (l.nf != 7 || (a.uid = id_of(&l, 2)) < 0 || (a.gid = id_of(&l, 3)) < 0 ||
			    !field(&l, 5, a.home, sizeof a.home) || !field(&l, 6, a.shell, sizeof a.shell))
				continue;
		} else if (fmt == F_SHADOW) {
			/* name:password:lastchg:min:max:warn:inactive:expire:flag, all numbers */
			int numeric = l.nf >= 3 && l.nf <= 9;
			for (size_t k = 2; numeric && k < l.nf; k++)
				numeric = l.fl[k] == 0 || id_of(&l, k) >= 0;
			if (!numeric)
				continue;
		} else {
			/* group: name:pw:gid:members; gshadow: name:pw:admins:members */
			if (l.nf != 4)
				continue;
			a.gid = id_of(&l, 2);
		}
		a.state = pw_state(a.pw, fmt == F_PASSWD, &a.kind);
		if (fv_grow(&s->v, &cap, s->n, sizeof *s->v))
			return FV_ENOMEM;
		s->v[s->n++] = a;
	}
	return FV_OK;
}

static void store_free(struct store *s)
{
	free(s->v);
	if (s->map.data)
		fv_map_close(&s->map);
	memset(s, 0, sizeof *s);
}

static const struct acct *store_find(const struct store *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (streq(s->v[i].name, name))
			return &s->v[i];
	return NULL;
}

/* The file dir(near)/name in near's root, or NULL. */
static const struct fv_file *sibling(const struct fv_inventory *inv, const struct fv_file *near,
				     const char *name)
{
	char m[4096];
	const char *slash = strrchr(near->member, '/');
	size_t k = slash ? (size_t)(slash - near->member) : 0;
	if (k + 1 + strlen(name) >= sizeof m)
		return NULL;
	snprintf(m, sizeof m, "%.*s/%s", (int)k, near->member, name);
	return fv_inventory_lookup(inv, near, m);
}

/* ---- the run ------------------------------------------------------------------------- */

static int wants(const struct fv_file *f);

struct state {
	struct fv_creds *creds;
};

struct run {
	struct fv_actx *a;
	struct fv_creds *cr;
	const struct fv_inventory *inv;
	unsigned ncrack;
};

static int login_shell(const char *sh)
{
	static const char *const no[] = { "false", "nologin", "sync", "shutdown", "halt", "true",
					  "null" };
	if (!*sh)
		return 1; /* an empty shell is /bin/sh */
	const char *b = strrchr(sh, '/');
	b = b ? b + 1 : sh;
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		if (streq(b, no[i]))
			return 0;
	return 1;
}

static int service_account(const char *name, int64_t uid)
{
	static const char *const names[] = { "daemon", "bin",  "sys",    "nobody", "www-data", "ftp",
					     "www",    "http", "httpd",  "sshd",   "mail",     "news",
					     "uucp",   "proxy", "backup", "operator", "games",  "lp",
					     "man",    "dnsmasq", "network", "mysql", "tftp", "ntp",
					     "messagebus", "avahi", "dbus", "nogroup", "adm", "list",
					     "irc",    "gnats" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (streq(name, names[i]))
			return 1;
	return uid >= 1 && uid <= 999;
}

/* The line of a, its password field masked when it holds a hash. */
static void line_ev(const struct acct *a, char *out, size_t cap)
{
	fv_creds_line_evidence(a->l.p, a->l.len, a->l.at[1], a->l.fl[1], a->state != PW_HASH, out, cap);
}

static void crack(struct run *r, enum fv_hash kind, const char *user, const char *realm,
		  const char *hash, struct fv_crack *cr)
{
	memset(cr, 0, sizeof *cr);
	if (r->ncrack >= MAX_CRACKS)
		return;
	r->ncrack++;
	fv_creds_crack(r->cr, kind, user, realm, hash, cr);
}

/* FV-CRED-001 for a cracked hash on line l of file. */
static void report_cracked(struct run *r, const struct fv_file *file, const struct line *l,
			   size_t v, size_t n, enum fv_hash kind, const char *user, int64_t uid,
			   const struct fv_crack *cr, const char *what)
{
	char le[400], ev[1024];
	fv_creds_line_evidence(l->p, l->len, v, n, 0, le, sizeof le);
	if (uid >= 0)
		snprintf(ev, sizeof ev, "%s | account %s, uid %lld, password \"%s\" (%s)", le, user,
			 (long long)uid, cr->password, cr->source);
	else
		snprintf(ev, sizeof ev, "%s | %s %s, password \"%s\" (%s)", le, what, user,
			 cr->password, cr->source);
	int root = uid == 0 || (uid < 0 && streq(user, "root") && streq(what, "account"));
	fv_actx_finding_at(r->a, file, "FV-CRED-001", "credential",
			   root ? FV_SEV_CRITICAL : FV_SEV_HIGH, FV_CONF_HIGH, l->off + v, ev,
			   "Password of %s %s%s is \"%s\", a listed password (%s, %s hash)", what,
			   user, uid == 0 ? " (uid 0)" : "", cr->password, cr->source,
			   fv_hash_name(kind));
}

/*
 * One account of a passwd file, p (NULL for a shadow entry without one),
 * with s its shadow entry (NULL if none); sfile is the shadow file.
 */
static void judge(struct run *r, const struct fv_file *pfile, const struct acct *p,
		  const struct fv_file *sfile, const struct acct *s)
{
	const struct acct *who = p ? p : s;
	/*
	 * The field login reads: passwd's own, unless it says "x" -- or "*" with
	 * a shadow entry, which busybox login also reads from shadow.
	 */
	const struct acct *eff = p;
	const struct fv_file *efile = pfile;
	enum pw state = p ? p->state : s->state;
	if (!p || p->state == PW_SHADOW || (s && streq(p->pw, "*"))) {
		eff = s;
		efile = sfile;
		state = s ? s->state : PW_MISSING;
	}
	int64_t uid = p ? p->uid : -1;
	int shell = p ? login_shell(p->shell) : -1; /* -1: unknown */
	char ev[600];
	struct fv_crack cr = { 0 };

	if (p && uid == 0 && !streq(p->name, "root")) {
		line_ev(p, ev, sizeof ev);
		fv_actx_finding_at(r->a, pfile, "FV-ACCT-001", "account", FV_SEV_HIGH, FV_CONF_HIGH,
				   p->l.off, ev, "Extra UID 0 account %s: a second root", p->name);
	}
	if (p && p->state == PW_HASH) {
		line_ev(p, ev, sizeof ev);
		fv_actx_finding_at(r->a, pfile, "FV-ACCT-004", "account", FV_SEV_MEDIUM, FV_CONF_HIGH,
				   p->l.off + p->l.at[1], ev,
				   "Password hash of %s left in world-readable %s", p->name,
				   pfile->member);
	}
	if (state == PW_EMPTY && eff) {
		line_ev(eff, ev, sizeof ev);
		fv_actx_finding_at(r->a, efile, "FV-ACCT-002", "account",
				   shell > 0 ? FV_SEV_CRITICAL : shell < 0 ? FV_SEV_HIGH : FV_SEV_MEDIUM,
				   shell < 0 ? FV_CONF_MEDIUM : FV_CONF_HIGH, eff->l.off, ev,
				   "Account %s has an empty password%s", who->name,
				   shell > 0 ? " and a login shell" : "");
	}
	if (state == PW_HASH && eff) {
		crack(r, eff->kind, who->name, NULL, eff->pw, &cr);
		if (cr.found)
			report_cracked(r, efile, &eff->l, eff->l.at[1], eff->l.fl[1], eff->kind,
				       who->name, uid, &cr, "account");
	}
	if (p && shell > 0 && uid != 0 && service_account(p->name, uid)) {
		int usable = state == PW_EMPTY || state == PW_HASH;
		line_ev(p, ev, sizeof ev);
		fv_actx_finding_at(r->a, pfile, "FV-ACCT-003", "account",
				   usable ? FV_SEV_MEDIUM : FV_SEV_LOW, FV_CONF_HIGH, p->l.off, ev,
				   "Service account %s (uid %lld) has a login shell %s%s", p->name,
				   (long long)uid, *p->shell ? p->shell : "(empty: /bin/sh)",
				   usable ? " and a usable password" : "");
	}
	struct fv_account rec = {
		.path = pfile && p ? pfile->x->path : sfile->x->path,
		.name = who->name,
		.uid = uid,
		.gid = p ? p->gid : -1,
		.home = p ? p->home : NULL,
		.shell = p ? p->shell : NULL,
		.hash_type = pw_type(state, eff ? eff->kind : FV_HASH_NONE),
		.password = cr.found ? cr.password : state == PW_EMPTY ? "" : NULL,
		.hash = eff ? eff->pw : NULL,
	};
	fv_actx_account(r->a, &rec);
}

static void do_passwd(struct run *r, const struct fv_afile *f)
{
	struct store p, s = { 0 };
	if (store_load(r->inv, f->file, f->data, f->size, F_PASSWD, &p) != FV_OK)
		goto out;
	const struct fv_file *sf = sibling(r->inv, f->file, "shadow");
	if (sf && store_load(r->inv, sf, NULL, 0, F_SHADOW, &s) != FV_OK)
		goto out;
	for (size_t i = 0; i < p.n; i++)
		judge(r, f->file, &p.v[i], sf, store_find(&s, p.v[i].name));
	/* Shadow entries without an account: still hashes someone may log in with. */
	for (size_t i = 0; i < s.n; i++)
		if (!store_find(&p, s.v[i].name))
			judge(r, NULL, NULL, sf, &s.v[i]);
out:
	store_free(&p);
	store_free(&s);
}

static void do_shadow(struct run *r, const struct fv_afile *f)
{
	/* With a passwd beside it, the passwd run reads this file. */
	const struct fv_file *pf = sibling(r->inv, f->file, "passwd");
	if (pf && wants(pf) && pf->x->size)
		return;
	struct store s;
	if (store_load(r->inv, f->file, f->data, f->size, F_SHADOW, &s) == FV_OK)
		for (size_t i = 0; i < s.n; i++)
			judge(r, NULL, NULL, f->file, &s.v[i]);
	store_free(&s);
}

static void do_group(struct run *r, const struct fv_afile *f)
{
	struct store g;
	if (store_load(r->inv, f->file, f->data, f->size, F_GROUP, &g) == FV_OK)
		for (size_t i = 0; i < g.n; i++) {
			const struct acct *e = &g.v[i];
			struct fv_crack cr;
			if (e->state != PW_HASH)
				continue;
			crack(r, e->kind, e->name, NULL, e->pw, &cr);
			if (cr.found)
				report_cracked(r, f->file, &e->l, e->l.at[1], e->l.fl[1], e->kind,
					       e->name, -1, &cr, "group");
		}
	store_free(&g);
}

/* passwd- against passwd, shadow- against shadow: what only the stale copy still holds. */
static void do_stale(struct run *r, const struct fv_afile *f, int shadow)
{
	const char *live_name = shadow ? "shadow" : "passwd";
	enum fmt fmt = shadow ? F_SHADOW : F_PASSWD;
	struct store st, live = { 0 }, pw = { 0 };
	if (store_load(r->inv, f->file, f->data, f->size, fmt, &st) != FV_OK)
		goto out;
	const struct fv_file *lf = sibling(r->inv, f->file, live_name);
	if (lf && store_load(r->inv, lf, NULL, 0, fmt, &live) != FV_OK)
		goto out;
	const struct fv_file *pf = shadow ? sibling(r->inv, f->file, "passwd") : NULL;
	if (pf && store_load(r->inv, pf, NULL, 0, F_PASSWD, &pw) != FV_OK)
		goto out;
	for (size_t i = 0; i < st.n; i++) {
		const struct acct *o = &st.v[i], *now = store_find(&live, o->name);
		int gone = now == NULL;
		int old_hash = !gone && o->state == PW_HASH && strcmp(o->pw, now->pw) != 0;
		if (!gone && !old_hash)
			continue;
		char ev[600];
		line_ev(o, ev, sizeof ev);
		if (gone)
			fv_actx_finding_at(r->a, f->file, "FV-ACCT-005", "account", FV_SEV_MEDIUM,
					   FV_CONF_HIGH, o->l.off, ev,
					   "Stale copy %s holds account %s, which %s does not",
					   f->file->member, o->name, lf ? lf->member : live_name);
		else
			fv_actx_finding_at(r->a, f->file, "FV-ACCT-005", "account", FV_SEV_MEDIUM,
					   FV_CONF_HIGH, o->l.off, ev,
					   "Stale copy %s keeps an older password hash of %s",
					   f->file->member, o->name);
		if (o->state != PW_HASH)
			continue;
		const struct acct *pa = shadow ? store_find(&pw, o->name) : o;
		struct fv_crack cr;
		crack(r, o->kind, o->name, NULL, o->pw, &cr);
		if (cr.found)
			report_cracked(r, f->file, &o->l, o->l.at[1], o->l.fl[1], o->kind, o->name,
				       pa ? pa->uid : -1, &cr, "account");
	}
out:
	store_free(&st);
	store_free(&live);
	store_free(&pw);
}

/* A cleartext password in an account store: FV-CRED-002. */
static void report_plain(struct run *r, const struct fv_file *file, const struct line *l,
			 size_t v, size_t n, const char *user)
{
	const char *src = fv_creds_known(r->cr, l->p + v, n);
	char ev[400];
	fv_creds_line_evidence(l->p, l->len, v, n, src != NULL, ev, sizeof ev);
	if (src)
		fv_actx_finding_at(r->a, file, "FV-CRED-002", "credential", FV_SEV_HIGH, FV_CONF_HIGH,
				   l->off + v, ev,
				   "Cleartext password of %s is the listed default \"%.*s\" (%s)",
				   user, (int)n, l->p + v, src);
	else
		fv_actx_finding_at(r->a, file, "FV-CRED-002", "credential", FV_SEV_HIGH, FV_CONF_HIGH,
				   l->off + v, ev, "Cleartext password of %s stored in %s", user,
				   file->member);
}

/*
 * One user of a service store: its password field l[v..v+n) is a hash of
 * the context's schemes, or cleartext.  realm is set for htdigest.
 */
static void service_user(struct run *r, const struct fv_file *file, const struct line *l,
			 const char *user, size_t v, size_t n, enum fv_hash_ctx ctx,
			 const char *realm)
{
	char pw[256];
	if (n >= sizeof pw)
		return;
	memcpy(pw, l->p + v, n);
	pw[n] = 0;
	if (!printable(pw))
		return;
	enum fv_hash kind = realm ? FV_HASH_HTDIGEST : fv_hash_kind(pw, n, ctx);
	struct fv_account rec = { .path = file->x->path, .name = user, .uid = -1, .gid = -1, .hash = pw };
	struct fv_crack cr = { 0 };
	if (kind != FV_HASH_NONE) {
		rec.hash_type = fv_hash_name(kind);
		crack(r, kind, user, realm, pw, &cr);
		if (cr.found) {
			rec.password = cr.password;
			report_cracked(r, file, l, v, n, kind, user, -1, &cr, "user");
		}
	} else if (n == 0) {
		rec.hash_type = "empty";
	} else if (ctx == FV_HCTX_CRYPT && (pw[0] == '!' || pw[0] == '*')) {
		rec.hash_type = "locked";
	} else if (pw[0] == '$' || pw[0] == '{') {
		rec.hash_type = "unknown"; /* a scheme we do not know, not cleartext */
	} else {
		rec.hash_type = "plain";
		rec.password = pw;
		report_plain(r, file, l, v, n, user);
	}
	fv_actx_account(r->a, &rec);
}

static int all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

/* user:password (htpasswd, lighttpd plain, mosquitto) and user:realm:md5 (htdigest). */
static void do_userfile(struct run *r, const struct fv_file *file, const uint8_t *d, size_t n,
			enum fv_hash_ctx ctx)
{
	size_t pos = 0, count = 0;
	struct line l;
	while (count < MAX_ACCOUNTS && next_line(d, n, &pos, &l)) {
		char user[65], realm[256];
		if (!field(&l, 0, user, sizeof user) || !valid_name(user))
			continue;
		if (l.nf == 3 && l.fl[2] == 32 && all_hex(l.p + l.at[2], 32) &&
		    field(&l, 1, realm, sizeof realm)) {
			service_user(r, file, &l, user, l.at[2], 32, ctx, realm);
			count++;
		} else if (l.nf == 2) {
			service_user(r, file, &l, user, l.at[1], l.fl[1], ctx, NULL);
			count++;
		}
	}
}

/* busybox httpd.conf: /path:user:password protects /path. */
static void do_httpd_conf(struct run *r, const struct fv_afile *f)
{
	size_t pos = 0, count = 0;
	struct line l;
	while (count < MAX_ACCOUNTS && next_line(f->data, f->size, &pos, &l)) {
		char user[65];
		if (l.len < 4 || l.p[0] != '/' || l.nf != 3 || !field(&l, 1, user, sizeof user) ||
		    !valid_name(user))
			continue;
		service_user(r, f->file, &l, user, l.at[2], l.fl[2], FV_HCTX_CRYPT, NULL);
		count++;
	}
}

/* ---- UCI: rpcd's config login ------------------------------------------------------------ */

struct uci_login {
	int open;
	char user[65];
	struct line pwline; /* the option password line, with the value's bounds */
	size_t v, vn;
	int has_pw;
};

static size_t skip_ws(const char *l, size_t n, size_t i)
{
	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	return i;
}

/* `option <key> <value>`: key and value bounds in l; 0 if the line is not an option. */
static int uci_option(const struct line *l, size_t *k, size_t *kn, size_t *v, size_t *vn)
{
	const char *p = l->p;
	size_t n = l->len, i = skip_ws(p, n, 0);
	if (n - i < 7 || strncmp(p + i, "option", 6) || (p[i + 6] != ' ' && p[i + 6] != '\t'))
		return 0;
	i = skip_ws(p, n, i + 6);
	*k = i;
	while (i < n && p[i] != ' ' && p[i] != '\t')
		i++;
	*kn = i - *k;
	i = skip_ws(p, n, i);
	if (i < n && (p[i] == '\'' || p[i] == '"')) {
		const char *e = memchr(p + i + 1, p[i], n - i - 1);
		if (!e)
			return 0;
		*v = i + 1;
		*vn = (size_t)(e - p) - i - 1;
	} else {
		*v = i;
		while (i < n && p[i] != ' ' && p[i] != '\t')
			i++;
		*vn = i - *v;
	}
	return *kn > 0;
}

static void uci_login_end(struct run *r, const struct fv_file *file, struct uci_login *s)
{
	if (s->open && s->user[0]) {
		if (!s->has_pw) {
			struct fv_account rec = { .path = file->x->path, .name = s->user, .uid = -1,
						  .gid = -1, .hash_type = "empty" };
			fv_actx_account(r->a, &rec);
		} else if (s->vn > 3 && strncmp(s->pwline.p + s->v, "$p$", 3) == 0) {
			/* $p$root: the system account's password (shadow) */
			struct fv_account rec = { .path = file->x->path, .name = s->user, .uid = -1,
						  .gid = -1, .hash_type = "system" };
			fv_actx_account(r->a, &rec);
		} else {
			service_user(r, file, &s->pwline, s->user, s->v, s->vn, FV_HCTX_CRYPT, NULL);
		}
	}
	memset(s, 0, sizeof *s);
}

static void do_uci(struct run *r, const struct fv_afile *f)
{
	struct uci_login s = { 0 };
	size_t pos = 0;
	struct line l;
	while (next_line(f->data, f->size, &pos, &l)) {
		size_t i = skip_ws(l.p, l.len, 0);
		if (l.len - i > 7 && strncmp(l.p + i, "config", 6) == 0 &&
		    (l.p[i + 6] == ' ' || l.p[i + 6] == '\t')) {
			uci_login_end(r, f->file, &s);
			size_t t = skip_ws(l.p, l.len, i + 6);
			if (t < l.len && (l.p[t] == '\'' || l.p[t] == '"'))
				t++;
			s.open = l.len - t >= 5 && strncmp(l.p + t, "login", 5) == 0 &&
				 (l.len - t == 5 || strchr(" \t'\"", l.p[t + 5]));
			continue;
		}
		size_t k, kn, v, vn;
		if (!s.open || !uci_option(&l, &k, &kn, &v, &vn))
			continue;
		if (kn == 8 && strncmp(l.p + k, "username", 8) == 0 && vn < sizeof s.user) {
			memcpy(s.user, l.p + v, vn);
			s.user[vn] = 0;
			if (!valid_name(s.user))
				s.user[0] = 0;
		} else if (kn == 8 && strncmp(l.p + k, "password", 8) == 0) {
			s.pwline = l;
			s.v = v;
			s.vn = vn;
			s.has_pw = 1;
		}
	}
	uci_login_end(r, f->file, &s);
}

/* ---- lighttpd.conf and mosquitto.conf name their user files ---------------------------------- */

static void do_service_conf(struct run *r, const struct fv_afile *f)
{
	size_t pos = 0;
	struct line l;
	while (next_line(f->data, f->size, &pos, &l)) {
		const char *p = l.p;
		size_t n = l.len, i = skip_ws(p, n, 0), s, e;
		enum fv_hash_ctx ctx;
		/* auth.backend.htpasswd.userfile = "/etc/lighttpd/.htpasswd" */
		if (n - i > 13 && strncmp(p + i, "auth.backend.", 13) == 0) {
			const char *q = memchr(p + i, '"', n - i);
			if (!q || !memmem(p + i, (size_t)(q - p) - i, "userfile", 8))
				continue;
			s = (size_t)(q - p) + 1;
			const char *qe = memchr(p + s, '"', n - s);
			if (!qe)
				continue;
			e = (size_t)(qe - p);
			ctx = FV_HCTX_HTPASSWD;
		} else if (n - i > 14 && strncmp(p + i, "password_file", 13) == 0 &&
			   (p[i + 13] == ' ' || p[i + 13] == '\t')) {
			s = skip_ws(p, n, i + 13);
			e = s;
			while (e < n && p[e] != ' ' && p[e] != '\t')
				e++;
			ctx = FV_HCTX_MOSQUITTO;
		} else {
			continue;
		}
		char path[1024];
		if (e <= s || e - s >= sizeof path || p[s] != '/')
			continue;
		memcpy(path, p + s, e - s);
		path[e - s] = 0;
		/* A file named like a store is read on its own. */
		if (fv_account_store(path) != FV_STORE_NONE)
			continue;
		const struct fv_file *uf = fv_inventory_lookup(r->inv, f->file, path);
		struct fv_map m;
		if (!uf || uf->kind == FV_KIND_ELF || !uf->x->size ||
		    fv_inventory_map(r->inv, uf, &m) != FV_OK)
			continue;
		do_userfile(r, uf, m.data, m.size, ctx);
		fv_map_close(&m);
	}
}

/* ---- the analyzer ---------------------------------------------------------------------- */

static int wants(const struct fv_file *f)
{
	if (f->kind == FV_KIND_ELF || f->kind == FV_KIND_SCRIPT || f->kind == FV_KIND_EMPTY ||
	    f->kind == FV_KIND_DIR || f->kind == FV_KIND_SYMLINK || f->kind == FV_KIND_SPECIAL)
		return 0;
	return fv_account_store(f->member) != FV_STORE_NONE;
}

static int init(struct fv_actx *a, void **out)
{
	struct state *st = calloc(1, sizeof *st);
	char err[512] = "";
	if (!st)
		return FV_ENOMEM;
	int rc = fv_creds_open(fv_actx_rules_dir(a), fv_actx_user_rules(a), &st->creds, err,
			       sizeof err);
	if (rc != FV_OK) {
		fv_actx_fail(a, "%s", err[0] ? err : fv_strerror(rc));
		free(st);
		return rc;
	}
	*out = st;
	return FV_OK;
}

static void run(struct fv_actx *a, void *state, const struct fv_afile *f)
{
	struct state *st = state;
	struct run r = { a, st->creds, fv_actx_inventory(a), 0 };
	if (!f->size)
		return;
	switch (fv_account_store(f->file->member)) {
	case FV_STORE_PASSWD:
		do_passwd(&r, f);
		break;
	case FV_STORE_SHADOW:
		do_shadow(&r, f);
		break;
	case FV_STORE_GROUP:
		do_group(&r, f);
		break;
	case FV_STORE_STALE_PASSWD:
		do_stale(&r, f, 0);
		break;
	case FV_STORE_STALE_SHADOW:
		do_stale(&r, f, 1);
		break;
	case FV_STORE_HTPASSWD:
		do_userfile(&r, f->file, f->data, f->size, FV_HCTX_HTPASSWD);
		break;
	case FV_STORE_MOSQUITTO:
		do_userfile(&r, f->file, f->data, f->size, FV_HCTX_MOSQUITTO);
		break;
	case FV_STORE_HTTPD_CONF:
		do_httpd_conf(&r, f);
		break;
	case FV_STORE_UCI:
		do_uci(&r, f);
		break;
	case FV_STORE_SERVICE_CONF:
		do_service_conf(&r, f);
		break;
	default:
		break;
	}
}

static void finish(struct fv_actx *a, void *state)
{
	(void)a;
	fv_creds_image_done(((struct state *)state)->creds);
}

static void fini(void *state)
{
	struct state *st = state;
	if (!st)
		return;
	fv_creds_close(st->creds);
	free(st);
}

const struct fv_analyzer fv_analyzer_accounts = {
	.name = "accounts",
	.scope = FV_SCOPE_PATH,
	.rules = "credentials",
	.init = init,
	.wants = wants,
	.run = run,
	.finish = finish,
	.fini = fini,
};
