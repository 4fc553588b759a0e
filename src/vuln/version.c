/*
 * Version order (see version.h).
 *
 * A version is split at the first '-' or '+' that is not followed by a
 * pre-release word into an upstream part and a distribution revision
 * ("1.0.1f-1ubuntu2": "1.0.1f" and "1ubuntu2"); the revision only decides
 * between equal upstream parts, so 2.36-9 < 2.36.1.  Each part is a list of
 * tokens, separators ('.', '-', '_', '+', anything else that is not a letter
 * or digit) only end tokens:
 *
 *   number   a run of digits, compared by value at any length
 *   post     a run of letters right after digits (1.0.1f, 4.2.8p15, 0.9.8za):
 *            a later release than the version without it
 *   word     a run of letters after a separator (2.0.final)
 *   pre      "dev" < "alpha" < "beta" < "pre" < "rc", wherever they stand, and
 *            "a" and "b" only when a digit follows (Python's 3.12.0b1; alone,
 *            OpenSSL's 1.0.1a is a post-release); also '~' (Debian): an
 *            earlier release than the version without it
 *
 * At one position, pre < (end of the version) < post = word < number, so
 * 2.0rc1 < 2.0 < 2.0a < 2.0.1.  Letters compare case-insensitively and as
 * strings, so OpenSSL's 0.9.8z < 0.9.8za < 0.9.8zh.  The order is a
 * lexicographic order over token lists, hence transitive.
 */
#include "vuln/version.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

enum kind { K_PRE, K_END, K_WORD, K_NUM };

struct tok {
	enum kind kind;
	int rank;         /* pre: which word */
	const char *p;    /* the token's bytes (numbers without leading zeros) */
	size_t n;
};

struct lexer {
	const char *p, *end;
};

static const char *const pre_words[] = { "dev", "alpha", "beta", "pre", "rc" };

/* Rank of a pre-release word of n letters at p (next: the byte after it), or -1. */
static int pre_rank(const char *p, size_t n, const char *next, const char *end)
{
	for (size_t i = 0; i < sizeof pre_words / sizeof *pre_words; i++)
		if (strlen(pre_words[i]) == n && !strncasecmp(p, pre_words[i], n))
			return (int)i + 1;
	if (n == 1 && next < end && isdigit((unsigned char)*next)) {
		if (*p == 'a' || *p == 'A')
			return 2;
		if (*p == 'b' || *p == 'B')
			return 3;
	}
	return -1;
}

/* The next token, or K_END. */
static struct tok next_tok(struct lexer *lx)
{
	struct tok t = { K_END, 0, NULL, 0 };
	while (lx->p < lx->end) {
		unsigned char c = (unsigned char)*lx->p;
		if (isdigit(c)) {
			const char *b = lx->p;
			while (lx->p < lx->end && isdigit((unsigned char)*lx->p))
				lx->p++;
			const char *s = b;
			while (s + 1 < lx->p && *s == '0')
				s++;
			t.kind = K_NUM;
			t.p = s;
			t.n = (size_t)(lx->p - s);
			return t;
		}
		if (isalpha(c)) {
			const char *b = lx->p;
			while (lx->p < lx->end && isalpha((unsigned char)*lx->p))
				lx->p++;
			int r = pre_rank(b, (size_t)(lx->p - b), lx->p, lx->end);
			t.kind = r >= 0 ? K_PRE : K_WORD;
			t.rank = r;
			t.p = b;
			t.n = (size_t)(lx->p - b);
			return t;
		}
		lx->p++;
		if (c == '~') {
			t.kind = K_PRE;
			t.rank = 0;
			return t;
		}
	}
	return t;
}

static int cmp_tok(const struct tok *a, const struct tok *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	switch (a->kind) {
	case K_END:
		return 0;
	case K_PRE:
		if (a->rank != b->rank)
			return a->rank < b->rank ? -1 : 1;
		return 0;
	case K_NUM:
		if (a->n != b->n)
			return a->n < b->n ? -1 : 1;
		return memcmp(a->p, b->p, a->n);
	case K_WORD: {
		size_t n = a->n < b->n ? a->n : b->n;
		int c = strncasecmp(a->p, b->p, n);
		if (c)
			return c < 0 ? -1 : 1;
		return a->n == b->n ? 0 : (a->n < b->n ? -1 : 1);
	}
	}
	return 0;
}

static int cmp_part(const char *a, const char *ae, const char *b, const char *be)
{
	struct lexer la = { a, ae }, lb = { b, be };
	for (;;) {
		struct tok ta = next_tok(&la), tb = next_tok(&lb);
		int c = cmp_tok(&ta, &tb);
		if (c || ta.kind == K_END)
			return c;
	}
}

/* Where the revision separator of [p, end) is, or end. */
static const char *revision_at(const char *p, const char *end)
{
	for (const char *s = p; s < end; s++) {
		if (*s != '-' && *s != '+')
			continue;
		const char *w = s + 1;
		while (w < end && isalpha((unsigned char)*w))
			w++;
		if (w == s + 1 || pre_rank(s + 1, (size_t)(w - s - 1), w, end) < 0)
			return s;
	}
	return end;
}

static const char *trim(const char *s, const char **end)
{
	while (isspace((unsigned char)*s))
		s++;
	if ((*s == 'v' || *s == 'V') && isdigit((unsigned char)s[1]))
		s++;
	const char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	*end = e;
	return s;
}

int fv_version_cmp(const char *a, const char *b)
{
	const char *ae, *be;
	a = trim(a ? a : "", &ae);
	b = trim(b ? b : "", &be);
	const char *ar = revision_at(a, ae), *br = revision_at(b, be);
	int c = cmp_part(a, ar, b, br);
	if (c)
		return c;
	return cmp_part(ar, ae, br, be);
}

int fv_version_in_range(const char *v, const struct fv_vrange *r)
{
	if (r->exact && fv_version_cmp(v, r->exact) != 0)
		return 0;
	if (r->start) {
		int c = fv_version_cmp(v, r->start);
		if (c < 0 || (c == 0 && !r->start_incl))
			return 0;
	}
	if (r->end) {
		int c = fv_version_cmp(v, r->end);
		if (c > 0 || (c == 0 && !r->end_incl))
			return 0;
	}
	return 1;
}
