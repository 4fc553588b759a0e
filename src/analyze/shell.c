/*
 * The static shell reader: a lexer that knows the POSIX token rules, and a
 * parser that tracks only as much structure as the callers need (which
 * words are commands, which are case patterns, where a compound ends so
 * that a trailing '&' reaches every command inside it).
 */
#include "analyze/shell.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"

#define MAX_HEREDOCS 16    /* pending on one line; more are read as script */
#define MAX_DELIM 256      /* longest here-document delimiter kept */
#define MAX_NEST 64        /* compounds tracked; deeper ones are counted only */
#define MAX_WORDS 512      /* words kept per command; the rest are dropped */
#define QUEUE_EVENTS 4096  /* commands held back waiting for a trailing '&' */
#define QUEUE_WORDS 65536

/* ---- the lexer ----------------------------------------------------------- */

enum tok { T_EOF, T_WORD, T_NL, T_SEMI, T_AMP, T_AND, T_OR, T_PIPE, T_DSEMI, T_LPAREN, T_RPAREN };

struct heredoc {
	char delim[MAX_DELIM];
	size_t len;
	int strip_tabs;
};

struct lexer {
	const char *s;
	size_t n, i;
	size_t line, line_off; /* of position i */
	struct heredoc hd[MAX_HEREDOCS];
	unsigned nhd;
};

struct token {
	enum tok t;
	size_t off, len, line, line_off;
};

static int is_blank(unsigned char c)
{
	/* CR and NUL are blanks here: CRLF scripts and stray NULs should not glue words. */
	return c == ' ' || c == '\t' || c == '\r' || c == '\0' || c == '\f' || c == '\v';
}

static int is_op(unsigned char c)
{
	return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '<' || c == '>';
}

static int ends_word(unsigned char c) { return is_blank(c) || c == '\n' || is_op(c); }

/* Steps over s[i], counting a newline. */
static void step(struct lexer *l)
{
	if (l->s[l->i] == '\n') {
		l->line++;
		l->line_off = l->i + 1;
	}
	l->i++;
}

static void skip_squote(struct lexer *l)
{
	step(l); /* the opening quote */
	while (l->i < l->n && l->s[l->i] != '\'')
		step(l);
	if (l->i < l->n)
		l->i++;
}

/* $'...': backslash escapes a quote. */
static void skip_ansi(struct lexer *l)
{
	step(l);
	while (l->i < l->n && l->s[l->i] != '\'') {
		if (l->s[l->i] == '\\' && l->i + 1 < l->n)
			step(l);
		step(l);
	}
	if (l->i < l->n)
		l->i++;
}

static void skip_dquote(struct lexer *l);
static void skip_backtick(struct lexer *l);

/*
 * From an opening bracket ('(' of $( or '{' of ${) to just past its match,
 * respecting quotes.  Unbalanced input runs to the end, as sh reads it.
 */
static void skip_group(struct lexer *l, char open, char close)
{
	unsigned depth = 0;
	while (l->i < l->n) {
		char c = l->s[l->i];
		if (c == '\\' && l->i + 1 < l->n) {
			step(l);
			step(l);
		} else if (c == '\'' && open == '(') {
			skip_squote(l);
		} else if (c == '"') {
			skip_dquote(l);
		} else if (c == '`') {
			skip_backtick(l);
		} else if (c == open) {
			depth++;
			step(l);
		} else if (c == close) {
			step(l);
			if (--depth == 0)
				return;
		} else {
			step(l);
		}
	}
}

static void skip_dollar(struct lexer *l)
{
	if (l->i + 1 < l->n) {
		char c = l->s[l->i + 1];
		if (c == '(') {
			l->i++;
			skip_group(l, '(', ')');
			return;
		}
		if (c == '{') {
			l->i++;
			skip_group(l, '{', '}');
			return;
		}
		if (c == '\'') {
			l->i++;
			skip_ansi(l);
			return;
		}
	}
	l->i++;
}

static void skip_backtick(struct lexer *l)
{
	step(l);
	while (l->i < l->n && l->s[l->i] != '`') {
		if (l->s[l->i] == '\\' && l->i + 1 < l->n)
			step(l);
		step(l);
	}
	if (l->i < l->n)
		l->i++;
}

static void skip_dquote(struct lexer *l)
{
	step(l);
	while (l->i < l->n) {
		char c = l->s[l->i];
		if (c == '"') {
			l->i++;
			return;
		}
		if (c == '\\' && l->i + 1 < l->n) {
			step(l);
			step(l);
		} else if (c == '`') {
			skip_backtick(l);
		} else if (c == '$') {
			skip_dollar(l);
		} else {
			step(l);
		}
	}
}

/* One word from s[i]; a word always consumes at least one byte. */
static void scan_word(struct lexer *l)
{
	while (l->i < l->n) {
		char c = l->s[l->i];
		if (ends_word((unsigned char)c))
			return;
		if (c == '\\') {
			step(l);
			if (l->i < l->n)
				step(l); /* also a line continuation: the word goes on */
		} else if (c == '\'') {
			skip_squote(l);
		} else if (c == '"') {
			skip_dquote(l);
		} else if (c == '`') {
			skip_backtick(l);
		} else if (c == '$') {
			skip_dollar(l);
		} else {
			l->i++;
		}
	}
}

/* Blanks and line continuations, not newlines. */
static void skip_blanks(struct lexer *l)
{
	while (l->i < l->n) {
		unsigned char c = (unsigned char)l->s[l->i];
		if (is_blank(c)) {
			l->i++;
		} else if (c == '\\' && l->i + 1 < l->n && l->s[l->i + 1] == '\n') {
			l->i++;
			step(l);
		} else {
			return;
		}
	}
}

/* The word a redirection applies to; here-document delimiters are remembered. */
static void redirect_target(struct lexer *l, int heredoc, int strip_tabs)
{
	skip_blanks(l);
	if (l->i >= l->n || ends_word((unsigned char)l->s[l->i]))
		return;
	size_t start = l->i;
	scan_word(l);
	if (!heredoc || l->nhd >= MAX_HEREDOCS)
		return;
	/* The delimiter is the word with its quotes removed. */
	struct heredoc *h = &l->hd[l->nhd++];
	h->len = 0;
	h->strip_tabs = strip_tabs;
	for (size_t k = start; k < l->i && h->len < MAX_DELIM; k++) {
		char c = l->s[k];
		if (c == '\'' || c == '"')
			continue;
		if (c == '\\' && k + 1 < l->i)
			c = l->s[++k];
		h->delim[h->len++] = c;
	}
}

/* After a newline: the bodies of the here-documents opened on the line just read. */
static void skip_heredocs(struct lexer *l)
{
	for (unsigned k = 0; k < l->nhd; k++) {
		const struct heredoc *h = &l->hd[k];
		while (l->i < l->n) {
			size_t b = l->i;
			const char *nl = memchr(l->s + b, '\n', l->n - b);
			size_t e = nl ? (size_t)(nl - l->s) : l->n;
			l->i = nl ? e + 1 : e;
			if (nl) {
				l->line++;
				l->line_off = l->i;
			}
			if (h->strip_tabs)
				while (b < e && l->s[b] == '\t')
					b++;
			size_t len = e - b;
			if (len > 0 && l->s[b + len - 1] == '\r')
				len--;
			if (len == h->len && memcmp(l->s + b, h->delim, len) == 0)
				break;
		}
	}
	l->nhd = 0;
}

static void next(struct lexer *l, struct token *t)
{
	for (;;) {
		skip_blanks(l);
		t->off = l->i;
		t->len = 0;
		t->line = l->line;
		t->line_off = l->line_off;
		if (l->i >= l->n) {
			t->t = T_EOF;
			return;
		}
		const char *s = l->s;
		size_t i = l->i, left = l->n - i;
		char c = s[i];
		if (c == '#') {
			const char *nl = memchr(s + i, '\n', left);
			l->i = nl ? (size_t)(nl - s) : l->n;
			continue;
		}
		if (c == '\n') {
			step(l);
			skip_heredocs(l);
			t->t = T_NL;
			return;
		}
		char c1 = left > 1 ? s[i + 1] : 0, c2 = left > 2 ? s[i + 2] : 0;
		switch (c) {
		case ';':
			if (c1 == ';') {
				l->i += c2 == '&' ? 3 : 2;
				t->t = T_DSEMI;
			} else if (c1 == '&') {
				l->i += 2;
				t->t = T_DSEMI;
			} else {
				l->i++;
				t->t = T_SEMI;
			}
			return;
		case '&':
			if (c1 == '&') {
				l->i += 2;
				t->t = T_AND;
				return;
			}
			if (c1 == '>') { /* &> and &>>: both streams to a file */
				l->i += c2 == '>' ? 3 : 2;
				redirect_target(l, 0, 0);
				continue;
			}
			l->i++;
			t->t = T_AMP;
			return;
		case '|':
			if (c1 == '|') {
				l->i += 2;
				t->t = T_OR;
			} else {
				l->i += c1 == '&' ? 2 : 1;
				t->t = T_PIPE;
			}
			return;
		case '(':
			l->i++;
			t->t = T_LPAREN;
			return;
		case ')':
			l->i++;
			t->t = T_RPAREN;
			return;
		case '<':
		case '>':
			if (c1 == '(') { /* process substitution: an argument we do not read */
				l->i++;
				skip_group(l, '(', ')');
				continue;
			}
			if (c == '<' && c1 == '<' && c2 == '<') {
				l->i += 3;
				redirect_target(l, 0, 0);
			} else if (c == '<' && c1 == '<') {
				l->i += c2 == '-' ? 3 : 2;
				redirect_target(l, 1, c2 == '-');
			} else {
				l->i += (c1 == '>' || c1 == '&' || c1 == '|' || (c == '<' && c1 == '>')) ? 2 : 1;
				redirect_target(l, 0, 0);
			}
			continue;
		default:
			break;
		}
		scan_word(l);
		/* "2>file": digits glued to a redirection are its descriptor, not a word. */
		if (l->i < l->n && (s[l->i] == '<' || s[l->i] == '>')) {
			size_t k = t->off;
			while (k < l->i && s[k] >= '0' && s[k] <= '9')
				k++;
			if (k == l->i)
				continue;
		}
		t->t = T_WORD;
		t->len = l->i - t->off;
		return;
	}
}

/* ---- the parser ---------------------------------------------------------- */

enum nest { N_IF, N_LOOP, N_CASE, N_BRACE, N_PAREN };

enum mode {
	M_NORMAL,
	M_FOR_NAME,   /* after `for` */
	M_FOR_IN,     /* after `for NAME` */
	M_FOR_LIST,   /* after `for NAME in` */
	M_CASE_WORD,  /* after `case` */
	M_CASE_IN,    /* after `case WORD` */
	M_CASE_PAT,   /* reading a pattern list up to ')' */
	M_FUNC_PAREN, /* after `name (`: expecting ')' */
	M_FUNC_KW,    /* after `function` */
	M_FUNC_AFTER, /* after `function name`: an optional "()" */
};

struct event {
	enum fv_sh_kind kind;
	size_t w0, nw; /* in the word pool */
	size_t line, line_off, end;
	int bg;
};

struct parser {
	struct lexer l;
	enum mode mode;
	/* the command being read: words in the pool from cw0 */
	size_t cw0, ncw, line, line_off, end;
	int dropped; /* words beyond MAX_WORDS */
	struct fv_sh_word *pool;
	size_t npool, cappool;
	struct event *q;
	size_t nq, capq;
	unsigned char nest[MAX_NEST];
	unsigned depth, over;
	size_t list_start[MAX_NEST + 1]; /* queue index where the current list of each depth began */
	fv_sh_fn fn;
	void *ctx;
	int rc;
};

static int word_is(const struct parser *p, struct fv_sh_word w, const char *kw)
{
	return fv_sh_is(p->l.s, w, kw);
}

/* Hands the queued commands to the caller; the command being read moves to the pool's start. */
static void flush(struct parser *p)
{
	for (size_t k = 0; k < p->nq && !p->rc; k++) {
		const struct event *e = &p->q[k];
		struct fv_sh_cmd c = { e->kind, p->pool + e->w0, e->nw, e->line, e->line_off, e->end, e->bg };
		p->rc = p->fn(p->ctx, &c);
	}
	if (p->ncw && p->cw0)
		memmove(p->pool, p->pool + p->cw0, p->ncw * sizeof *p->pool);
	p->cw0 = 0;
	p->npool = p->ncw;
	p->nq = 0;
	for (unsigned d = 0; d <= MAX_NEST; d++)
		p->list_start[d] = 0;
}

static void add_word(struct parser *p, const struct token *t)
{
	if (p->ncw == 0) {
		p->line = t->line;
		p->line_off = t->line_off;
	}
	p->end = t->off + t->len;
	if (p->ncw >= MAX_WORDS) {
		p->dropped = 1;
		return;
	}
	if (fv_grow(&p->pool, &p->cappool, p->npool, sizeof *p->pool)) {
		p->rc = FV_ENOMEM;
		return;
	}
	p->pool[p->npool++] = (struct fv_sh_word){ t->off, t->len };
	p->ncw++;
}

/* Queues the words read so far as one event of the given kind. */
static void emit(struct parser *p, enum fv_sh_kind kind)
{
	if (p->ncw == 0)
		return;
	if (fv_grow(&p->q, &p->capq, p->nq, sizeof *p->q)) {
		p->rc = FV_ENOMEM;
		return;
	}
	p->q[p->nq++] = (struct event){ kind, p->cw0, p->ncw, p->line, p->line_off, p->end, 0 };
	p->cw0 = p->npool;
	p->ncw = 0;
	p->dropped = 0;
	/* A queue held back for a '&' that never comes must not grow without bound. */
	if (p->nq >= QUEUE_EVENTS || p->npool >= QUEUE_WORDS)
		flush(p);
}

static void discard_words(struct parser *p)
{
	p->npool = p->cw0;
	p->ncw = 0;
	p->dropped = 0;
}

/* The end of a list: after ';', '&', a newline or ";;". */
static void terminate(struct parser *p, int bg)
{
	emit(p, FV_SH_CMD);
	unsigned d = p->depth;
	if (bg)
		for (size_t k = p->list_start[d]; k < p->nq; k++)
			p->q[k].bg = 1;
	p->list_start[d] = p->nq;
	if (d == 0 && p->over == 0)
		flush(p);
}

static void push(struct parser *p, enum nest n)
{
	if (p->depth >= MAX_NEST) {
		p->over++;
		return;
	}
	p->nest[p->depth++] = (unsigned char)n;
	p->list_start[p->depth] = p->nq;
}

/* Closes the innermost compound of kind n; a closer that matches nothing is ignored. */
static void pop(struct parser *p, enum nest n)
{
	if (p->over) {
		p->over--;
		return;
	}
	for (unsigned d = p->depth; d > 0; d--) {
		if (p->nest[d - 1] == n) {
			p->depth = d - 1;
			return;
		}
	}
}

static enum nest top(const struct parser *p) { return p->depth ? (enum nest)p->nest[p->depth - 1] : N_BRACE; }

/* A word at the start of a command that is a reserved word: acts on it and returns 1. */
static int reserved(struct parser *p, struct fv_sh_word w)
{
	static const char *const plain[] = { "then", "else", "elif", "do", "!" };
	for (size_t k = 0; k < sizeof plain / sizeof plain[0]; k++)
		if (word_is(p, w, plain[k]))
			return 1;
	if (word_is(p, w, "if")) {
		push(p, N_IF);
	} else if (word_is(p, w, "while") || word_is(p, w, "until")) {
		push(p, N_LOOP);
	} else if (word_is(p, w, "for") || word_is(p, w, "select")) {
		push(p, N_LOOP);
		p->mode = M_FOR_NAME;
	} else if (word_is(p, w, "case")) {
		push(p, N_CASE);
		p->mode = M_CASE_WORD;
	} else if (word_is(p, w, "{")) {
		push(p, N_BRACE);
	} else if (word_is(p, w, "fi")) {
		pop(p, N_IF);
	} else if (word_is(p, w, "done")) {
		pop(p, N_LOOP);
	} else if (word_is(p, w, "esac")) {
		pop(p, N_CASE);
	} else if (word_is(p, w, "}")) {
		pop(p, N_BRACE);
	} else if (word_is(p, w, "function")) {
		p->mode = M_FUNC_KW;
	} else {
		return 0;
	}
	return 1;
}

static void normal(struct parser *p, const struct token *t)
{
	switch (t->t) {
	case T_WORD: {
		struct fv_sh_word w = { t->off, t->len };
		if (p->ncw == 0 && reserved(p, w))
			return;
		add_word(p, t);
		return;
	}
	case T_NL:
	case T_SEMI:
		terminate(p, 0);
		return;
	case T_AMP:
		terminate(p, 1);
		return;
	case T_DSEMI:
		terminate(p, 0);
		if (top(p) == N_CASE && p->depth)
			p->mode = M_CASE_PAT;
		return;
	case T_AND:
	case T_OR:
	case T_PIPE:
		emit(p, FV_SH_CMD);
		return;
	case T_LPAREN:
		if (p->ncw == 1) {
			p->mode = M_FUNC_PAREN;
		} else if (p->ncw == 0) {
			push(p, N_PAREN);
		} else {
			emit(p, FV_SH_CMD);
		}
		return;
	case T_RPAREN:
		emit(p, FV_SH_CMD);
		pop(p, N_PAREN);
		return;
	case T_EOF:
		return;
	}
}

/* One token; returns 1 when the token must be read again in the new mode. */
static int feed(struct parser *p, const struct token *t)
{
	switch (p->mode) {
	case M_NORMAL:
		normal(p, t);
		return 0;
	case M_FOR_NAME:
		if (t->t != T_WORD) {
			p->mode = M_NORMAL; /* for ((...)): arithmetic, read as commands */
			return 1;
		}
		discard_words(p);
		add_word(p, t);
		p->mode = M_FOR_IN;
		return 0;
	case M_FOR_IN:
		if (t->t == T_WORD && word_is(p, (struct fv_sh_word){ t->off, t->len }, "in")) {
			p->mode = M_FOR_LIST;
			return 0;
		}
		if (t->t == T_NL || t->t == T_SEMI)
			return 0;
		/* `for x do`: over "$@", an unknown list */
		emit(p, FV_SH_FOR);
		p->mode = M_NORMAL;
		return 1;
	case M_FOR_LIST:
		if (t->t == T_WORD) {
			add_word(p, t);
			return 0;
		}
		emit(p, FV_SH_FOR);
		p->mode = M_NORMAL;
		return 1;
	case M_CASE_WORD:
		if (t->t == T_WORD)
			p->mode = M_CASE_IN;
		else if (t->t != T_NL)
			p->mode = M_CASE_PAT;
		return t->t != T_WORD && t->t != T_NL && t->t != T_EOF;
	case M_CASE_IN:
		if (t->t == T_WORD && word_is(p, (struct fv_sh_word){ t->off, t->len }, "in"))
			p->mode = M_CASE_PAT;
		else if (t->t != T_NL)
			p->mode = M_CASE_PAT;
		return 0;
	case M_CASE_PAT:
		/* Pattern words are never commands; ')' ends the list, `esac` the case. */
		if (t->t == T_WORD && word_is(p, (struct fv_sh_word){ t->off, t->len }, "esac")) {
			pop(p, N_CASE);
			p->mode = M_NORMAL;
		} else if (t->t == T_RPAREN) {
			p->mode = M_NORMAL;
		}
		return 0;
	case M_FUNC_PAREN:
		if (t->t == T_RPAREN)
			emit(p, FV_SH_FUNC);
		else
			discard_words(p);
		p->mode = M_NORMAL;
		return t->t != T_RPAREN;
	case M_FUNC_KW:
		p->mode = M_NORMAL;
		if (t->t != T_WORD)
			return 1;
		discard_words(p);
		add_word(p, t);
		emit(p, FV_SH_FUNC);
		p->mode = M_FUNC_AFTER;
		return 0;
	case M_FUNC_AFTER:
		if (t->t == T_LPAREN)
			return 0;
		p->mode = M_NORMAL;
		return t->t != T_RPAREN;
	}
	return 0;
}

int fv_sh_parse(const char *src, size_t n, fv_sh_fn fn, void *ctx)
{
	struct parser *p = calloc(1, sizeof *p);
	if (!p)
		return FV_ENOMEM;
	p->l.s = src;
	p->l.n = n;
	p->l.line = 1;
	p->fn = fn;
	p->ctx = ctx;
	struct token t;
	do {
		next(&p->l, &t);
		while (!p->rc && feed(p, &t))
			;
	} while (t.t != T_EOF && !p->rc);
	if (!p->rc) {
		if (p->mode == M_FOR_LIST || p->mode == M_FOR_IN)
			emit(p, FV_SH_FOR);
		else if (p->mode == M_NORMAL)
			emit(p, FV_SH_CMD);
		p->over = 0;
		flush(p);
	}
	int rc = p->rc;
	free(p->pool);
	free(p->q);
	free(p);
	return rc;
}

/* ---- words ----------------------------------------------------------------- */

int fv_sh_is(const char *src, struct fv_sh_word w, const char *kw)
{
	size_t k = strlen(kw);
	return w.len == k && memcmp(src + w.off, kw, k) == 0;
}

static int name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

size_t fv_sh_assignment(const char *src, struct fv_sh_word w)
{
	const char *s = src + w.off;
	if (w.len == 0 || !name_start(s[0]))
		return 0;
	size_t k = 1;
	while (k < w.len && name_char(s[k]))
		k++;
	return k < w.len && s[k] == '=' ? k : 0;
}

/* The name after '$' at s[i] (i just past the '$'): its length, 0 if none. */
static size_t param_name(const char *s, size_t i, size_t end)
{
	if (i >= end)
		return 0;
	if (name_start(s[i])) {
		size_t k = i + 1;
		while (k < end && name_char(s[k]))
			k++;
		return k - i;
	}
	return strchr("0123456789@*#?$!-", s[i]) && s[i] ? 1 : 0;
}

/* The matching '}' of a "${" whose '{' is at s[i]; end when there is none. */
static size_t brace_end(const char *s, size_t i, size_t end)
{
	unsigned depth = 0;
	for (; i < end; i++) {
		char c = s[i];
		if (c == '\\') {
			i++;
		} else if (c == '\'' || c == '"') {
			const char *q = memchr(s + i + 1, c, end - i - 1);
			if (!q)
				return end;
			i = (size_t)(q - s);
		} else if (c == '{') {
			depth++;
		} else if (c == '}' && --depth == 0) {
			return i;
		}
	}
	return end;
}

int fv_sh_refers(const char *src, struct fv_sh_word w, const char *name)
{
	const char *s = src + w.off;
	size_t nl = strlen(name), n = w.len;
	int dq = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\\') {
			i++;
		} else if (c == '\'' && !dq) {
			const char *q = memchr(s + i + 1, '\'', n - i - 1);
			if (!q)
				return 0;
			i = (size_t)(q - s);
		} else if (c == '"') {
			dq = !dq;
		} else if (c == '$' && i + 1 < n) {
			size_t k = i + 1;
			if (s[k] == '{')
				k++;
			size_t pl = param_name(s, k, n);
			if (pl == nl && memcmp(s + k, name, nl) == 0)
				return 1;
		}
	}
	return 0;
}

struct out {
	char *p;
	size_t cap, len;
	unsigned flags;
	int pattern;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 >= o->cap) {
		o->flags |= FV_SH_X_TRUNC;
		return;
	}
	o->p[o->len++] = c;
}

/* A literal byte: quoted ones are escaped in a pattern, unquoted glob bytes flagged. */
static void lit(struct out *o, char c, int quoted)
{
	int special = c == '*' || c == '?' || c == '[' || c == ']' || c == '\\';
	if (o->pattern && quoted && special)
		put(o, '\\');
	if (!quoted && (c == '*' || c == '?' || c == '['))
		o->flags |= FV_SH_X_GLOB;
	put(o, c);
}

static void unknown(struct out *o, const char *raw, size_t n)
{
	o->flags |= FV_SH_X_UNKNOWN;
	if (o->pattern) {
		if (o->len == 0 || o->p[o->len - 1] != '*')
			put(o, '*');
		return;
	}
	for (size_t k = 0; k < n; k++)
		put(o, raw[k]);
}

static void value(struct out *o, const char *v, int quoted)
{
	for (; *v; v++)
		lit(o, *v, quoted);
}

struct xctx {
	fv_sh_lookup lk;
	void *ctx;
	unsigned depth;
};

static void expand_span(struct out *o, const char *s, size_t i, size_t end, int in_dq, struct xctx *x);

/* A parameter expansion at s[i] == '$'; returns the index just past it. */
static size_t dollar(struct out *o, const char *s, size_t i, size_t end, int quoted, struct xctx *x)
{
	size_t start = i++;
	if (i >= end) {
		lit(o, '$', quoted);
		return i;
	}
	char c = s[i];
	if (c == '(' || c == '`') {
		struct lexer l = { .s = s, .n = end, .i = i };
		if (c == '(')
			skip_group(&l, '(', ')');
		else
			skip_backtick(&l);
		unknown(o, s + start, l.i - start);
		return l.i;
	}
	if (c == '\'' && !quoted) { /* $'...': a string with C escapes, kept as written */
		struct lexer l = { .s = s, .n = end, .i = i };
		skip_ansi(&l);
		size_t e = l.i > i + 1 && s[l.i - 1] == '\'' ? l.i - 1 : l.i;
		for (size_t k = i + 1; k < e; k++)
			lit(o, s[k], 1);
		return l.i;
	}
	if (c == '{') {
		size_t close = brace_end(s, i, end);
		size_t k = i + 1;
		size_t nl = param_name(s, k, close);
		const char *v = NULL;
		char name[64];
		if (nl > 0 && nl < sizeof name && x->lk) {
			memcpy(name, s + k, nl);
			name[nl] = 0;
			v = x->lk(x->ctx, name, nl);
		}
		size_t op = k + nl;
		size_t next = close < end ? close + 1 : end;
		if (nl > 0 && op == close) {
			if (v)
				value(o, v, quoted);
			else
				unknown(o, s + start, next - start);
		} else if (nl > 0 && op < close && (s[op] == '-' || s[op] == '=' ||
			     (s[op] == ':' && op + 1 < close && (s[op + 1] == '-' || s[op + 1] == '=')))) {
			/* ${X:-default}: the default when X is not known (or empty, with ':') */
			int colon = s[op] == ':';
			size_t d = op + (colon ? 2 : 1);
			if (v && !(colon && !*v))
				value(o, v, quoted);
			else if (x->depth < 8) {
				x->depth++;
				expand_span(o, s, d, close, quoted, x);
				x->depth--;
			} else
				unknown(o, s + start, next - start);
		} else {
			unknown(o, s + start, next - start);
		}
		return next;
	}
	size_t nl = param_name(s, i, end);
	if (nl == 0) {
		lit(o, '$', quoted);
		return i;
	}
	char name[64];
	const char *v = NULL;
	if (nl < sizeof name && x->lk) {
		memcpy(name, s + i, nl);
		name[nl] = 0;
		v = x->lk(x->ctx, name, nl);
	}
	if (v)
		value(o, v, quoted);
	else
		unknown(o, s + start, i + nl - start);
	return i + nl;
}

static void expand_span(struct out *o, const char *s, size_t i, size_t end, int in_dq, struct xctx *x)
{
	int dq = in_dq;
	while (i < end) {
		char c = s[i];
		if (c == '\\') {
			if (i + 1 >= end) {
				i++;
				continue;
			}
			char d = s[i + 1];
			if (d == '\n') { /* line continuation */
				i += 2;
			} else if (!dq || d == '$' || d == '`' || d == '"' || d == '\\') {
				lit(o, d, 1);
				i += 2;
			} else {
				lit(o, '\\', 1);
				i++;
			}
		} else if (c == '\'' && !dq) {
			const char *q = memchr(s + i + 1, '\'', end - i - 1);
			size_t e = q ? (size_t)(q - s) : end;
			for (size_t k = i + 1; k < e; k++)
				lit(o, s[k], 1);
			i = q ? e + 1 : end;
		} else if (c == '"') {
			dq = !dq;
			i++;
		} else if (c == '$') {
			i = dollar(o, s, i, end, dq, x);
		} else if (c == '`') {
			struct lexer l = { .s = s, .n = end, .i = i };
			skip_backtick(&l);
			unknown(o, s + i, l.i - i);
			i = l.i;
		} else {
			lit(o, c, dq);
			i++;
		}
	}
}

unsigned fv_sh_expand(const char *src, struct fv_sh_word w, int pattern, fv_sh_lookup lk,
		      void *ctx, char *out, size_t cap)
{
	struct out o = { out, cap, 0, 0, pattern };
	struct xctx x = { lk, ctx, 0 };
	if (cap == 0)
		return FV_SH_X_TRUNC;
	expand_span(&o, src + w.off, 0, w.len, 0, &x);
	out[o.len] = 0;
	return o.flags;
}
