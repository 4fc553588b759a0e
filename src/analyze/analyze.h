/*
 * Analyzers.  Each file in src/analyze/ is one analyzer: it says which files
 * it wants, runs on one file at a time (from any thread), and may correlate
 * across the image in a finish step.  What it learns leaves through this
 * interface only: findings, and the records the report lists (accounts,
 * services started at boot, network endpoints).
 *
 * Scopes:
 *   FV_SCOPE_CONTENT  run once per unique content (dedup by SHA-256); a
 *                     finding is reported at every path that holds it.
 *   FV_SCOPE_PATH     run once per path, for analyzers whose verdict
 *                     depends on where the file is (/etc/passwd).
 *   FV_SCOPE_IMAGE    no per-file run; finish() works from the inventory
 *                     (the init system, read root by root).
 */
#ifndef FV_ANALYZE_ANALYZE_H
#define FV_ANALYZE_ANALYZE_H

#include <stddef.h>
#include <stdint.h>

#include "core/finding.h"
#include "inventory/inventory.h"

struct fv_actx;

/* One file as an analyzer sees it. */
struct fv_afile {
	const struct fv_file *file; /* the file; for content scope, the first one with this content */
	const uint8_t *data;        /* the whole content, mapped read-only */
	size_t size;
	/* For content scope, the content whose every path a finding goes to; NULL per path. */
	const struct fv_content *content;
};

enum fv_scope { FV_SCOPE_CONTENT, FV_SCOPE_PATH, FV_SCOPE_IMAGE };

struct fv_analyzer {
	const char *name;
	enum fv_scope scope;
	/* Once per scan run, before any image: load rules into *state. 0 or a
	 * negative fv_err with a message given to fv_actx_fail(). May be NULL. */
	int (*init)(struct fv_actx *a, void **state);
	/* Whether run() wants this file; called on the main thread. */
	int (*wants)(const struct fv_file *f);
	/* One file; called from any thread, concurrently with itself. */
	void (*run)(struct fv_actx *a, void *state, const struct fv_afile *f);
	/* Once per image, after every run(), on the main thread. May be NULL. */
	void (*finish)(struct fv_actx *a, void *state);
	/* Once per scan run, after the last image. May be NULL. */
	void (*fini)(void *state);

	/* ---- for the analysis cache (cache.h): content-scope results reused by content ---- */
	/*
	 * The subfolders of rules/ that init() reads, space-separated ("intel"),
	 * for the analyzer's input fingerprint; NULL: all of rules/.  The same
	 * subfolders of the user's --rules folder count; a word "*.yar" stands for
	 * every file so named anywhere in the user's folder.  "vulns" also stands
	 * for the imported vulnerability database.
	 */
	const char *rules;
	/* 1: run()'s results are never stored or replayed. */
	int uncached;
	/*
	 * What run() reads of f besides its content's bytes and kind (the first
	 * path's name, the classes of the content's paths), as text in out (cap
	 * bytes): a stored result is replayed only where this is the same.  Its
	 * length, or -1 when it does not fit (then the result is not reused).
	 * Called before f is read (f->data is NULL).  NULL: nothing.
	 */
	int (*view)(struct fv_actx *a, void *state, const struct fv_afile *f, char *out, size_t cap);
	/*
	 * A stored result of f is replayed: give state back what run() left in it
	 * for finish(), from the JSON text run() passed to fv_actx_keep().  0, or
	 * a negative fv_err when json is not what it wrote (then state is as it
	 * was and run() is called instead).  NULL when run() keeps nothing.
	 */
	int (*restore)(struct fv_actx *a, void *state, const struct fv_afile *f, const char *json);
};

/* Every analyzer, in the order they run; the list ends with NULL. */
extern const struct fv_analyzer *const fv_analyzers[];

/* ---- what analyzers may ask of the context ---- */

const struct fv_inventory *fv_actx_inventory(const struct fv_actx *a);
/* The shipped rules folder (rules/ of the source tree or the installed copy). */
const char *fv_actx_rules_dir(const struct fv_actx *a);
/* The user's extra rules folder (--rules DIR), or NULL. */
const char *fv_actx_user_rules(const struct fv_actx *a);
/* For init(): a message saying what was expected, where, and what was found. */
void fv_actx_fail(struct fv_actx *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A finding in file f at offset.  For a FV_SCOPE_CONTENT analyzer the
 * finding is repeated at every path holding f's content.  Thread-safe.
 */
void fv_actx_finding(struct fv_actx *a, const struct fv_afile *f, const char *rule,
		     const char *category, enum fv_severity sev, enum fv_conf conf, uint64_t offset,
		     const char *evidence, const char *title_fmt, ...)
	__attribute__((format(printf, 9, 10)));
/* A finding at one file only (finish steps, path-scoped analyzers). Thread-safe. */
void fv_actx_finding_at(struct fv_actx *a, const struct fv_file *file, const char *rule,
			const char *category, enum fv_severity sev, enum fv_conf conf,
			uint64_t offset, const char *evidence, const char *title_fmt, ...)
	__attribute__((format(printf, 9, 10)));

/*
 * For run(): whether this run is being recorded for the analysis cache; only
 * then is fv_actx_keep() wanted.
 */
int fv_actx_recording(const struct fv_actx *a);
/*
 * For run(): the state this run left in the analyzer for finish() (pending
 * candidates, a row of a table), as JSON text; restore() gets it back when
 * the result is replayed.  At most once per run().  No-op unless recording.
 */
void fv_actx_keep(struct fv_actx *a, const char *json);
/* For run(): this result must not be reused (a timeout, a spent budget cut it short). */
void fv_actx_nocache(struct fv_actx *a);

/* ---- records the report lists (all strings are copied; thread-safe) ---- */

struct fv_account {
	const char *path;      /* the file it was read from */
	const char *name;
	int64_t uid, gid;      /* -1 when the store has none */
	const char *home, *shell;
	const char *hash_type; /* "md5crypt", "sha512crypt", "empty", "locked", "plain" ... */
	const char *password;  /* recovered or stored in clear; NULL if unknown */
	const char *hash;      /* the stored password field as found ("$1$...", "!", ""), or NULL;
				  for fwvet diff ("password changed"), not written to the scan report */
};
void fv_actx_account(struct fv_actx *a, const struct fv_account *acct);

struct fv_service {
	const char *path;    /* the file that starts it (inittab, rcS, a unit) */
	uint64_t line;       /* 1-based line in that file */
	const char *how;     /* "inittab respawn", "rcS", "inetd tcp/23", "procd", "systemd", "cron" */
	const char *program; /* as started: "/usr/sbin/telnetd" */
	const char *args;    /* the rest of the command line, as written */
};
void fv_actx_service(struct fv_actx *a, const struct fv_service *svc);

struct fv_endpoint {
	const char *value; /* "203.0.113.7", "update.example.com", "http://..." */
	const char *kind;  /* "ipv4", "ipv6", "host", "url" */
	const char *path;
	uint64_t offset;
	int outside;       /* 1 when it is a public address or name */
};
void fv_actx_endpoint(struct fv_actx *a, const struct fv_endpoint *ep);
/* ep (its path ignored) at every path of f's content, or at f's own path per path. Thread-safe. */
void fv_actx_endpoint_in(struct fv_actx *a, const struct fv_afile *f, const struct fv_endpoint *ep);

/* The services recorded so far for this image (for finish steps that run after services.c). */
const struct fv_service *fv_actx_services(const struct fv_actx *a, size_t *n);

/* Call sites of one function name in one binary. */
struct fv_callcount {
	const char *name;
	unsigned calls;
};

/* What the binary analysis learned of one ELF content (files[].hardening in the report). */
struct fv_binary {
	const char *sha256;   /* the content */
	const char *elf_type; /* "exec", "pie", "dso", "rel", "core" */
	int nx, pie, canary, fortify, stripped, is_static;
	const char *relro;    /* "none", "partial", "full" */
	const char *rpath, *runpath; /* NULL when absent */
	unsigned fortified, unfortified; /* calls of __*_chk functions; of fortifiable ones unchecked */
	int code;             /* 1 when its call sites were read (there is a lifter for the architecture) */
	size_t functions, call_sites;
	const struct fv_callcount *calls; /* the unsafe and bounded functions it calls, by name */
	size_t ncalls;
};
void fv_actx_binary(struct fv_actx *a, const struct fv_binary *b);

/* A row of the image's unsafe-call table: one family against its bounded counterparts. */
struct fv_unsafe_row {
	const char *family;   /* "strcpy" */
	const char *unsafe;   /* the functions counted as unsafe, space-separated */
	const char *bounded;  /* the bounded counterparts, space-separated */
	unsigned unsafe_calls, unsafe_binaries, bounded_calls, bounded_binaries;
};
void fv_actx_unsafe_row(struct fv_actx *a, const struct fv_unsafe_row *row);

/*
 * One copy of a third-party component, seen in one file: a version string in
 * its bytes, its file name, its soname, a package database entry.  Fields
 * copied from the component's rule (rules/components/<name>.txt) travel with
 * it, so that what aggregates copies needs no rules of its own.
 */
struct fv_component_copy {
	const char *name;     /* the rule's name: "openssl" */
	const char *title;    /* as people write it: "OpenSSL" */
	const char *version;  /* "1.0.1f"; "" when only the component is known */
	const char *cpe;      /* CPE 2.3 "vendor:product", or NULL (an unmapped package) */
	const char *purl;     /* the purl without its version: "pkg:generic/openssl" */
	const char *path;     /* the file; set by the context for content scope */
	uint64_t offset;      /* where the evidence is in that file (0 for names) */
	const char *evidence; /* the string, file name, soname or package entry, as found */
	const char *method;   /* "string", "filename", "soname", "symver", "opkg", "dpkg", "applets" */
	const char *detail;   /* more of what was seen (BusyBox: its applets, space-separated), or NULL */
};
/*
 * Records c: at every path of f's content when f is a content-scope file,
 * at f's own path for a path-scope file, and at c->path when f is NULL (finish
 * steps).  Thread-safe.
 */
void fv_actx_component_copy(struct fv_actx *a, const struct fv_afile *f,
			    const struct fv_component_copy *c);
/* The copies recorded so far for this image (for finish steps). */
const struct fv_component_copy *fv_actx_component_copies(const struct fv_actx *a, size_t *n);

/* One component at one version, with every path that holds it (the report's components[]). */
struct fv_component {
	const char *name, *title, *version;
	const char *cpe;      /* "cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*", or NULL */
	const char *purl;     /* "pkg:generic/openssl@1.0.1f" */
	const char **paths;   /* sorted, each once */
	size_t npaths;
	const char *evidence; /* of the first copy */
	const char *method;   /* of the first copy */
	const char *detail;   /* of the first copy that has one, or NULL */
	int eol;              /* 1 when its branch is past its end of support */
	const char *eol_date; /* "2016-12-31", or NULL when no date is known */
};
void fv_actx_component(struct fv_actx *a, const struct fv_component *c);

/* A known vulnerability of one component version (the report's vulnerabilities[]). */
struct fv_vulnerability {
	const char *id;        /* "CVE-2014-0160", or an OSV id */
	const char *component; /* the component's name */
	const char *version;
	const char *severity;  /* "critical" ... "low", from the CVSS base score; "unknown" without one */
	double cvss;           /* base score; negative when unknown */
	int kev;               /* in CISA's Known Exploited Vulnerabilities catalogue */
	const char *summary;
	const char *source;    /* "rules" (rules/vulns/), "nvd", "osv" */
	const char *distribution; /* the build is a distribution's, which may backport fixes ("Debian"), or NULL */
	const char **paths;
	size_t npaths;
};
void fv_actx_vulnerability(struct fv_actx *a, const struct fv_vulnerability *v);

/* The vulnerability database the scan matches against, or NULL when there is none (--vulndb). */
const char *fv_actx_vulndb(const struct fv_actx *a);
/* For init(): the date of the newest vulnerability data loaded and the imported data's digest, for the report. */
void fv_actx_set_vulndb(struct fv_actx *a, const char *date, const char *sha256);

/*
 * Evidence for secrets: the first `keep` characters of s, then "…" and the
 * length, so a report shows which secret it is without disclosing it.
 */
void fv_mask_secret(const char *s, size_t n, size_t keep, char *out, size_t outlen);

#endif
