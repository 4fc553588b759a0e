/*
 * A static reader of POSIX shell scripts, for the analyzers that need to
 * know which commands a script runs (the boot-services analyzer above all).
 *
 * It is a tokenizer and a shallow parser, not an interpreter: it yields
 * every simple command as the shell would split it (quotes, escapes, line
 * continuations, command substitutions kept inside their words), leaves out
 * what the shell never runs as a command (comments, here-document bodies,
 * `case` patterns, redirection targets) and marks commands that run in the
 * background.  It does not evaluate conditions: the commands of every
 * branch, loop body and function body are yielded, in the order written.
 *
 * Every input byte may be hostile.  The reader works on (pointer, length),
 * accepts NUL bytes and lines without ends, treats an unterminated quote or
 * here-document as running to the end of the input (as sh does), and uses
 * memory bounded by the longest command, never by the input's size.
 */
#ifndef FV_ANALYZE_SHELL_H
#define FV_ANALYZE_SHELL_H

#include <stddef.h>

/* A word as written: src[off, off + len), quotes and all. */
struct fv_sh_word {
	size_t off, len;
};

enum fv_sh_kind {
	FV_SH_CMD,  /* a simple command: its words, assignments first */
	FV_SH_FOR,  /* for NAME in WORDS: w[0] is NAME, w[1..] the list */
	FV_SH_FUNC, /* a function definition: w[0] is its name (the body follows as commands) */
};

struct fv_sh_cmd {
	enum fv_sh_kind kind;
	const struct fv_sh_word *w;
	size_t nw;
	size_t line;     /* 1-based line of the first word */
	size_t line_off; /* offset of the first byte of that line */
	size_t end;      /* offset just past the last word */
	int bg;          /* ends with '&', or lies in a list or compound that does */
};

/* Called once per command in script order; a nonzero return stops the reading. */
typedef int (*fv_sh_fn)(void *ctx, const struct fv_sh_cmd *c);

/*
 * Reads src[0, n) and calls fn for every command.  Returns 0, the nonzero
 * value fn returned, or FV_ENOMEM.
 */
int fv_sh_parse(const char *src, size_t n, fv_sh_fn fn, void *ctx);

/*
 * The value of a variable ("PATH", "1", "0", "@"), NUL-terminated, or NULL
 * when it is not known.
 */
typedef const char *(*fv_sh_lookup)(void *ctx, const char *name, size_t len);

enum {
	FV_SH_X_UNKNOWN = 1, /* an expansion whose value is not known ($(...), `...`, unset $X) */
	FV_SH_X_GLOB = 2,    /* unquoted *, ? or [ */
	FV_SH_X_TRUNC = 4,   /* the result did not fit */
};

/*
 * Expands one word as the shell would, except for globbing: quotes removed,
 * known variables substituted (also ${X:-default}).  In literal mode an
 * unknown expansion is copied as written ("$PROG"); in pattern mode
 * (pattern != 0) the result is an fnmatch() pattern, where quoted glob
 * characters are escaped and an unknown expansion becomes '*'.
 * Writes a NUL-terminated string into out (cap > 0 bytes); returns FV_SH_X_ flags.
 */
unsigned fv_sh_expand(const char *src, struct fv_sh_word w, int pattern, fv_sh_lookup lk,
		      void *ctx, char *out, size_t cap);

/* The length of NAME when w is an assignment NAME=value, else 0. */
size_t fv_sh_assignment(const char *src, struct fv_sh_word w);

/* Whether w refers to variable name ($name or ${name...}) outside single quotes. */
int fv_sh_refers(const char *src, struct fv_sh_word w, const char *name);

/* Whether w is exactly the unquoted reserved word or operator-like word kw. */
int fv_sh_is(const char *src, struct fv_sh_word w, const char *kw);

#endif
