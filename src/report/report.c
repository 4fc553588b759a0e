#include "report/report.h"
#include "analyze/run.h"
#include "core/json.h"
#include "core/log.h"
#include "inventory/inventory.h"
#include "unpack/engine.h"

#include <stdlib.h>
#include <string.h>

static const char *const categories[] = {
	"backdoor", "exfiltration", "account", "credential", "secret", "service", "vulnerability",
	"component", "hardening", "unsafe-code", "integrity", "supply-chain", "extraction",
};
#define NCAT (sizeof categories / sizeof categories[0])

static size_t cat_index(const char *c)
{
	for (size_t i = 0; i < NCAT; i++)
		if (!strcmp(categories[i], c))
			return i;
	return NCAT; /* a category from a user's rule: counted under "other" */
}

int fv_severity_parse(const char *s, enum fv_severity *out)
{
	for (int i = FV_SEV_INFO; i <= FV_SEV_CRITICAL; i++)
		if (!strcmp(s, fv_severity_name((enum fv_severity)i))) {
			*out = (enum fv_severity)i;
			return 0;
		}
	return -1;
}

static int cmp_str(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : ""); }

/* Worst first, then by path, offset, rule and evidence: a total order, so no output depends on qsort. */
static int cmp_worst(const void *x, const void *y)
{
	const struct fv_finding *a = *(const struct fv_finding *const *)x;
	const struct fv_finding *b = *(const struct fv_finding *const *)y;
	int r;
	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if ((r = cmp_str(a->path, b->path)))
		return r;
	if (a->offset != b->offset)
		return a->offset < b->offset ? -1 : 1;
	if ((r = cmp_str(a->rule, b->rule)))
		return r;
	if ((r = cmp_str(a->evidence, b->evidence)))
		return r;
	return strcmp(a->id, b->id);
}

const struct fv_finding **fv_report_findings(const struct fv_report *r, size_t *n)
{
	size_t nu = r->u->findings.n, na = r->res ? r->res->findings.n : 0;
	const struct fv_finding **v = malloc((nu + na + 1) * sizeof *v);
	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < na; i++)
		v[(*n)++] = &r->res->findings.v[i];
	for (size_t i = 0; i < nu; i++)
		v[(*n)++] = &r->u->findings.v[i];
	qsort(v, *n, sizeof *v, cmp_worst);
	return v;
}

int fv_report_worst(const struct fv_report *r)
{
	int w = -1;
	for (size_t i = 0; i < r->u->findings.n; i++)
		if ((int)r->u->findings.v[i].severity > w)
			w = (int)r->u->findings.v[i].severity;
	for (size_t i = 0; r->res && i < r->res->findings.n; i++)
		if ((int)r->res->findings.v[i].severity > w)
			w = (int)r->res->findings.v[i].severity;
	return w;
}

/* ---- JSON ------------------------------------------------------------------ */

void fv_report_extraction_json(struct fv_json *j, const struct fv_unpack *u)
{
	fv_json_key(j, "extraction");
	fv_json_arr_begin(j);
	for (size_t i = 0; i < u->nentries; i++) {
		const struct fv_xentry *e = &u->entries[i];
		fv_json_obj_begin(j);
		fv_json_kstr(j, "path", e->path);
		fv_json_kstr(j, "format", e->format);
		fv_json_kuint(j, "offset", e->off);
		fv_json_kuint(j, "size", e->size);
		fv_json_kstr(j, "status", fv_xstatus_name(e->status));
		fv_json_kstr(j, "error", e->error);
		fv_json_kstr(j, "description", e->desc);
		fv_json_obj_end(j);
	}
	fv_json_arr_end(j);
}

/* Top-level chunks (one '!' in the path) in offset order: "uimage", "squashfs". */
static void format_chain(struct fv_json *j, const struct fv_unpack *u)
{
	fv_json_key(j, "format_chain");
	fv_json_arr_begin(j);
	for (size_t i = 0; i < u->nentries; i++) {
		const struct fv_xentry *e = &u->entries[i];
		const char *bang = strchr(e->path, '!');
		if (!bang || strchr(bang + 1, '!') || !strcmp(e->format, "padding"))
			continue;
		fv_json_str(j, e->format);
	}
	fv_json_arr_end(j);
}

/* files[].hardening (the design guide's fields, then ours) and files[].calls. */
static void binary_json(struct fv_json *j, const struct fv_binary *b)
{
	fv_json_key(j, "hardening");
	fv_json_obj_begin(j);
	fv_json_kbool(j, "nx", b->nx);
	fv_json_kbool(j, "pie", b->pie);
	fv_json_kstr(j, "relro", b->relro);
	fv_json_kbool(j, "canary", b->canary);
	fv_json_kbool(j, "fortify", b->fortify);
	fv_json_kbool(j, "stripped", b->stripped);
	fv_json_kbool(j, "static", b->is_static);
	fv_json_kstr(j, "elf_type", b->elf_type);
	fv_json_kuint(j, "fortified", b->fortified);
	fv_json_kuint(j, "unfortified", b->unfortified);
	fv_json_kstr(j, "rpath", b->rpath);
	fv_json_kstr(j, "runpath", b->runpath);
	fv_json_obj_end(j);
	if (!b->code)
		return;
	fv_json_key(j, "code");
	fv_json_obj_begin(j);
	fv_json_kuint(j, "functions", b->functions);
	fv_json_kuint(j, "call_sites", b->call_sites);
	fv_json_key(j, "calls");
	fv_json_obj_begin(j);
	for (size_t i = 0; i < b->ncalls; i++)
		fv_json_kuint(j, b->calls[i].name, b->calls[i].calls);
	fv_json_obj_end(j);
	fv_json_obj_end(j);
}

/* Whether a binary counts as hardened in the summary: NX, PIE, full RELRO and a canary. */
static int hardened(const struct fv_binary *b)
{
	return b->nx && b->pie && b->canary && (b->is_static || !strcmp(b->relro, "full"));
}

/* Programs and libraries only: objects and core files are not loaded as they are. */
static int loadable(const struct fv_binary *b)
{
	return strcmp(b->elf_type, "rel") && strcmp(b->elf_type, "core");
}

int fv_report_hardened(const struct fv_binary *b) { return loadable(b) ? hardened(b) : -1; }

/* The summary's hardening counts over the image's loadable binaries (unique contents). */
struct hsum {
	size_t n, hardened, nx, pie, relro, canary, fortify;
};

static struct hsum hardening_sum(const struct fv_results *r)
{
	struct hsum s = { 0 };
	for (size_t i = 0; r && i < r->nbinaries; i++) {
		const struct fv_binary *b = &r->binaries[i];
		if (!loadable(b))
			continue;
		s.n++;
		s.hardened += hardened(b);
		s.nx += b->nx != 0;
		s.pie += b->pie != 0;
		s.relro += !strcmp(b->relro, "full");
		s.canary += b->canary != 0;
		s.fortify += b->fortify != 0;
	}
	return s;
}

static void hardening_summary_json(struct fv_json *j, const struct fv_results *r)
{
	struct hsum s = hardening_sum(r);
	fv_json_key(j, "hardening");
	fv_json_obj_begin(j);
	fv_json_kuint(j, "binaries", s.n);
	fv_json_kuint(j, "hardened", s.hardened);
	fv_json_kuint(j, "nx", s.nx);
	fv_json_kuint(j, "pie", s.pie);
	fv_json_kuint(j, "relro_full", s.relro);
	fv_json_kuint(j, "canary", s.canary);
	fv_json_kuint(j, "fortify", s.fortify);
	fv_json_obj_end(j);
}

static void unsafe_json(struct fv_json *j, const struct fv_results *r)
{
	fv_json_key(j, "unsafe_calls");
	fv_json_arr_begin(j);
	for (size_t i = 0; r && i < r->nunsafe; i++) {
		const struct fv_unsafe_row *u = &r->unsafe[i];
		fv_json_obj_begin(j);
		fv_json_kstr(j, "family", u->family);
		fv_json_kstr(j, "unsafe", u->unsafe);
		fv_json_kuint(j, "unsafe_calls", u->unsafe_calls);
		fv_json_kuint(j, "unsafe_binaries", u->unsafe_binaries);
		fv_json_kstr(j, "bounded", u->bounded);
		fv_json_kuint(j, "bounded_calls", u->bounded_calls);
		fv_json_kuint(j, "bounded_binaries", u->bounded_binaries);
		fv_json_obj_end(j);
	}
	fv_json_arr_end(j);
}

static void files_json(struct fv_json *j, const struct fv_inventory *inv, const struct fv_results *r)
{
	fv_json_key(j, "files");
	fv_json_arr_begin(j);
	for (size_t i = 0; i < inv->nfiles; i++) {
		const struct fv_file *f = &inv->files[i];
		const struct fv_xfile *x = f->x;
		char mode[8];
		snprintf(mode, sizeof mode, "%04o", x->mode & 07777);
		fv_json_obj_begin(j);
		fv_json_kstr(j, "path", x->path);
		if (x->type == FV_FT_FILE)
			fv_json_kstr(j, "sha256", x->sha256);
		fv_json_kuint(j, "size", x->size);
		fv_json_kstr(j, "mode", mode);
		fv_json_kuint(j, "uid", x->uid);
		fv_json_kuint(j, "gid", x->gid);
		fv_json_kstr(j, "kind", x->type == FV_FT_FILE ? fv_kind_name(f->kind) : fv_ftype_name(x->type));
		if (f->type[0])
			fv_json_kstr(j, "type", f->type);
		if (f->arch[0])
			fv_json_kstr(j, "arch", f->arch);
		if (x->link)
			fv_json_kstr(j, "link", x->link);
		const struct fv_binary *b = r && f->kind == FV_KIND_ELF ? fv_results_binary(r, x->sha256) : NULL;
		if (b)
			binary_json(j, b);
		fv_json_obj_end(j);
	}
	fv_json_arr_end(j);
}

static void records_json(struct fv_json *j, const struct fv_results *r)
{
	fv_json_key(j, "accounts");
	fv_json_arr_begin(j);
	for (size_t i = 0; r && i < r->naccounts; i++) {
		fv_json_obj_begin(j);
		fv_report_account_fields(j, &r->accounts[i]);
		fv_json_obj_end(j);
	}
	fv_json_arr_end(j);
	fv_json_key(j, "services");
	fv_json_arr_begin(j);
	for (size_t i = 0; r && i < r->nservices; i++) {
		fv_json_obj_begin(j);
		fv_report_service_fields(j, &r->services[i]);
		fv_json_obj_end(j);
	}
	fv_json_arr_end(j);
	fv_json_key(j, "endpoints");
	fv_json_arr_begin(j);
	for (size_t i = 0; r && i < r->nendpoints; i++) {
		fv_json_obj_begin(j);
		fv_report_endpoint_fields(j, &r->endpoints[i]);
		fv_json_obj_end(j);
	}
	fv_json_arr_end(j);
}

void fv_report_account_fields(struct fv_json *j, const struct fv_account *a)
{
	fv_json_kstr(j, "path", a->path);
	fv_json_kstr(j, "name", a->name);
	fv_json_kint(j, "uid", a->uid);
	fv_json_kint(j, "gid", a->gid);
	fv_json_kstr(j, "home", a->home);
	fv_json_kstr(j, "shell", a->shell);
	fv_json_kstr(j, "hash_type", a->hash_type);
	fv_json_kstr(j, "password", a->password);
}

void fv_report_service_fields(struct fv_json *j, const struct fv_service *s)
{
	fv_json_kstr(j, "path", s->path);
	fv_json_kuint(j, "line", s->line);
	fv_json_kstr(j, "how", s->how);
	fv_json_kstr(j, "program", s->program);
	fv_json_kstr(j, "args", s->args);
}

void fv_report_endpoint_fields(struct fv_json *j, const struct fv_endpoint *e)
{
	fv_json_kstr(j, "value", e->value);
	fv_json_kstr(j, "kind", e->kind);
	fv_json_kstr(j, "path", e->path);
	fv_json_kuint(j, "offset", e->offset);
	fv_json_kbool(j, "outside", e->outside);
}

static void paths_json(struct fv_json *j, const char *const *paths, size_t n)
{
	fv_json_key(j, "paths");
	fv_json_arr_begin(j);
	for (size_t i = 0; i < n; i++)
		fv_json_str(j, paths[i]);
	fv_json_arr_end(j);
}

/* components[] and vulnerabilities[] of the design guide, with a few added fields. */
static void supply_json(struct fv_json *j, const struct fv_results *r)
{
	fv_json_key(j, "components");
	fv_json_arr_begin(j);
	for (size_t i = 0; r && i < r->ncomponents; i++) {
		const struct fv_component *c = &r->components[i];
		fv_json_obj_begin(j);
		fv_json_kstr(j, "name", c->name);
		fv_json_kstr(j, "title", c->title);
		fv_json_kstr(j, "version", c->version);
		fv_json_kstr(j, "cpe", c->cpe);
		fv_json_kstr(j, "purl", c->purl);
		paths_json(j, c->paths, c->npaths);
		fv_json_kstr(j, "evidence", c->evidence);
		fv_json_kstr(j, "method", c->method);
		fv_json_kbool(j, "eol", c->eol);
		fv_json_kstr(j, "eol_date", c->eol_date);
		if (c->detail)
			fv_json_kstr(j, "detail", c->detail);
		fv_json_obj_end(j);
	}
	fv_json_arr_end(j);
	fv_json_key(j, "vulnerabilities");
	fv_json_arr_begin(j);
	for (size_t i = 0; r && i < r->nvulns; i++) {
		const struct fv_vulnerability *v = &r->vulns[i];
		fv_json_obj_begin(j);
		fv_json_kstr(j, "id", v->id);
		fv_json_kstr(j, "component", v->component);
		fv_json_kstr(j, "version", v->version);
		fv_json_kstr(j, "severity", v->severity);
		if (v->cvss >= 0)
			fv_json_kdouble(j, "cvss", v->cvss);
		else
			fv_json_kstr(j, "cvss", NULL);
		fv_json_kbool(j, "kev", v->kev);
		fv_json_kstr(j, "summary", v->summary);
		fv_json_kstr(j, "source", v->source);
		fv_json_kstr(j, "distribution", v->distribution);
		paths_json(j, v->paths, v->npaths);
		fv_json_obj_end(j);
	}
	fv_json_arr_end(j);
}

void fv_report_json(struct fv_json *j, const struct fv_report *r)
{
	size_t n;
	const struct fv_finding **all = fv_report_findings(r, &n);
	size_t bysev[5] = { 0 };
	for (size_t i = 0; i < n; i++)
		bysev[all[i]->severity]++;

	fv_json_obj_begin(j);
	fv_json_kstr(j, "fwvet", FV_VERSION);
	fv_json_kint(j, "schema", FV_REPORT_SCHEMA);
	fv_json_key(j, "image");
	fv_json_obj_begin(j);
	fv_json_kstr(j, "path", r->u->image_path);
	fv_json_kstr(j, "sha256", r->u->image_sha256[0] ? r->u->image_sha256 : NULL);
	fv_json_kuint(j, "size", r->u->image_size);
	format_chain(j, r->u);
	fv_json_obj_end(j);
	fv_json_key(j, "tool");
	fv_json_obj_begin(j);
	fv_json_kstr(j, "rules_sha256", r->rules_sha256);
	fv_json_kstr(j, "vulndb_date", r->vulndb_date);
	fv_json_kstr(j, "vulndb_sha256", r->vulndb_sha256);
	fv_json_obj_end(j);
	fv_json_key(j, "summary");
	fv_json_obj_begin(j);
	fv_json_kuint(j, "files", r->inv->nfiles);
	fv_json_kuint(j, "unique_contents", r->inv->ncontents);
	fv_json_key(j, "findings_by_severity");
	fv_json_obj_begin(j);
	for (int s = FV_SEV_CRITICAL; s >= FV_SEV_INFO; s--)
		fv_json_kuint(j, fv_severity_name((enum fv_severity)s), bysev[s]);
	fv_json_obj_end(j);
	fv_json_kuint(j, "elapsed_ms", r->elapsed_ms);
	hardening_summary_json(j, r->res);
	fv_json_obj_end(j);
	fv_report_extraction_json(j, r->u);
	files_json(j, r->inv, r->res);
	supply_json(j, r->res);
	records_json(j, r->res);
	unsafe_json(j, r->res);
	fv_json_key(j, "findings");
	fv_json_arr_begin(j);
	for (size_t i = 0; i < n; i++)
		fv_finding_json(j, all[i]);
	fv_json_arr_end(j);
	fv_json_obj_end(j);
	free(all);
}

/* ---- text --------------------------------------------------------------------- */

static const char *sev_color(enum fv_severity s)
{
	static const char *c[] = { "\033[2m", "\033[36m", "\033[33m", "\033[31m", "\033[1;31m" };
	return c[s];
}

/* Prints s with control bytes escaped, so a hostile name cannot drive the terminal. */
void fv_report_put_safe(FILE *f, const char *s, size_t max)
{
	if (!s)
		s = "-";
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && n < max; p++, n++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	if (s[n])
		fputs("...", f);
}

static void print_finding(FILE *f, const struct fv_finding *x, int color)
{
	fprintf(f, "  %-13s %-13s ", x->category, x->rule);
	fv_report_put_safe(f, x->title, 200);
	if (x->confidence != FV_CONF_HIGH)
		fprintf(f, " (%s confidence)", fv_conf_name(x->confidence));
	fputs("\n                              ", f);
	if (color)
		fputs("\033[2m", f);
	fv_report_put_safe(f, x->path, 400);
	fprintf(f, " @ 0x%llx", (unsigned long long)x->offset);
	if (color)
		fputs("\033[0m", f);
	fputs("\n                              ", f);
	fv_report_put_safe(f, x->evidence, 160);
	fputc('\n', f);
}

/*
 * One line per component: its versions with their copies ("OpenSSL: 70
 * copies of 4 versions"), then the vulnerabilities, known-exploited first.
 */
static void print_components(FILE *f, const struct fv_results *r, int verbose)
{
	if (!r->ncomponents)
		return;
	fprintf(f, "\nComponents (%zu versions):\n", r->ncomponents);
	for (size_t b = 0, e; b < r->ncomponents; b = e) {
		size_t copies = 0;
		for (e = b; e < r->ncomponents && !strcmp(r->components[e].name, r->components[b].name); e++)
			copies += r->components[e].npaths;
		fputs("  ", f);
		fv_report_put_safe(f, r->components[b].title ? r->components[b].title : r->components[b].name, 64);
		if (e - b > 1)
			fprintf(f, ": %zu copies of %zu versions:", copies, e - b);
		for (size_t i = b; i < e; i++) {
			const struct fv_component *c = &r->components[i];
			fputs(i > b ? ", " : " ", f);
			fv_report_put_safe(f, *c->version ? c->version : "(version unknown)", 64);
			if (c->npaths > 1)
				fprintf(f, " x%zu", c->npaths);
			if (c->eol)
				fprintf(f, " [end of life %s]", c->eol_date);
		}
		fputc('\n', f);
	}
	if (!r->nvulns)
		return;
	size_t kev = 0, shown = verbose ? r->nvulns : r->nvulns < 30 ? r->nvulns : 25;
	for (size_t i = 0; i < r->nvulns; i++)
		kev += r->vulns[i].kev != 0;
	fprintf(f, "\nVulnerabilities (%zu, %zu known exploited):\n", r->nvulns, kev);
	for (size_t i = 0; i < shown; i++) {
		const struct fv_vulnerability *v = &r->vulns[i];
		fputs("  ", f);
		fv_report_put_safe(f, v->id, 40);
		fprintf(f, "%*s", (int)(strlen(v->id) < 17 ? 17 - strlen(v->id) : 1), "");
		if (v->cvss >= 0)
			fprintf(f, "%4.1f ", v->cvss);
		else
			fputs("   - ", f);
		fprintf(f, "%-8s %s ", v->severity, v->kev ? "KEV" : "   ");
		fv_report_put_safe(f, v->component, 40);
		fputc(' ', f);
		fv_report_put_safe(f, v->version, 40);
		if (v->distribution)
			fputs(" (distribution build)", f);
		if (v->summary && *v->summary) {
			fputs("  ", f);
			fv_report_put_safe(f, v->summary, 100);
		}
		fputc('\n', f);
	}
	if (shown < r->nvulns)
		fprintf(f, "  ... %zu more (all with -v or --format json)\n", r->nvulns - shown);
}

static void print_records(FILE *f, const struct fv_results *r, int verbose)
{
	if (!r)
		return;
	if (r->naccounts) {
		fprintf(f, "\nAccounts (%zu):\n", r->naccounts);
		for (size_t i = 0; i < r->naccounts; i++) {
			const struct fv_account *a = &r->accounts[i];
			fputs("  ", f);
			fv_report_put_safe(f, a->name ? a->name : "?", 64);
			fprintf(f, "  uid %lld  ", (long long)a->uid);
			fv_report_put_safe(f, a->shell ? a->shell : "-", 64);
			fprintf(f, "  %s", a->hash_type ? a->hash_type : "-");
			if (a->password) {
				fputs(" = ", f);
				fv_report_put_safe(f, a->password, 64);
			}
			const char *bang = strrchr(a->path, '!');
			fputs("  (", f);
			fv_report_put_safe(f, bang ? bang + 1 : a->path, 128);
			fputs(")\n", f);
		}
	}
	if (r->nservices) {
		fprintf(f, "\nStarted at boot (%zu):\n", r->nservices);
		for (size_t i = 0; i < r->nservices; i++) {
			const struct fv_service *s = &r->services[i];
			fputs("  ", f);
			fv_report_put_safe(f, s->program ? s->program : "?", 128);
			if (s->args && s->args[0]) {
				fputc(' ', f);
				fv_report_put_safe(f, s->args, 128);
			}
			const char *bang = strrchr(s->path, '!');
			fprintf(f, "  [%s, ", s->how ? s->how : "?");
			fv_report_put_safe(f, bang ? bang + 1 : s->path, 128);
			fprintf(f, ":%llu]\n", (unsigned long long)s->line);
		}
	}
	struct hsum hs = hardening_sum(r);
	if (hs.n)
		fprintf(f, "\nHardening: %zu of %zu binaries hardened (%zu%%); NX %zu, PIE %zu, full RELRO %zu, "
			"canary %zu, FORTIFY %zu\n", hs.hardened, hs.n, hs.hardened * 100 / hs.n, hs.nx, hs.pie,
			hs.relro, hs.canary, hs.fortify);
	int any = 0;
	for (size_t i = 0; i < r->nunsafe; i++)
		any |= r->unsafe[i].unsafe_calls || r->unsafe[i].bounded_calls;
	if (any) {
		fprintf(f, "\nCall sites, unsafe against bounded (calls in binaries):\n");
		for (size_t i = 0; i < r->nunsafe; i++) {
			const struct fv_unsafe_row *u = &r->unsafe[i];
			if (!u->unsafe_calls && !u->bounded_calls)
				continue;
			fprintf(f, "  %-10s %6u in %4u   bounded %6u in %4u\n", u->family, u->unsafe_calls,
				u->unsafe_binaries, u->bounded_calls, u->bounded_binaries);
		}
	}
	print_components(f, r, verbose);
	size_t nout = 0;
	for (size_t i = 0; i < r->nendpoints; i++)
		nout += r->endpoints[i].outside != 0;
	if (nout) {
		fprintf(f, "\nOutside endpoints (%zu):\n", nout);
		for (size_t i = 0; i < r->nendpoints; i++) {
			const struct fv_endpoint *e = &r->endpoints[i];
			if (!e->outside)
				continue;
			fputs("  ", f);
			fv_report_put_safe(f, e->value, 128);
			const char *bang = strrchr(e->path, '!');
			fputs("  in ", f);
			fv_report_put_safe(f, bang ? bang + 1 : e->path, 128);
			fputc('\n', f);
		}
	}
}

void fv_report_text(FILE *f, const struct fv_report *r, int color, int verbose)
{
	const struct fv_unpack *u = r->u;
	size_t st[3] = { 0 };
	for (size_t i = 0; i < u->nentries; i++)
		if (strcmp(u->entries[i].format, "padding"))
			st[u->entries[i].status]++;
	char hs[32];
	fprintf(f, "fwvet %s scan of ", FV_VERSION);
	fv_report_put_safe(f, u->image_path, 400);
	fprintf(f, "\n  image     %s", fv_human_size(u->image_size, hs, sizeof hs));
	if (u->image_sha256[0])
		fprintf(f, ", sha256 %s", u->image_sha256);
	fprintf(f, "\n  unpacked  %zu chunks ok, %zu partial, %zu failed; %zu files, %zu unique contents, %zu roots\n",
		st[0], st[1], st[2], r->inv->nfiles, r->inv->ncontents, r->inv->nroots);
	for (size_t i = 0; i < u->nentries; i++) {
		const struct fv_xentry *e = &u->entries[i];
		if (e->status == FV_XS_OK)
			continue;
		fprintf(f, "  %-9s ", fv_xstatus_name(e->status));
		fv_report_put_safe(f, e->path, 300);
		fputs(": ", f);
		fv_report_put_safe(f, e->error ? e->error : "", 300);
		fputc('\n', f);
	}

	size_t n;
	const struct fv_finding **all = fv_report_findings(r, &n);
	size_t count[NCAT + 1][5];
	memset(count, 0, sizeof count);
	size_t bysev[5] = { 0 };
	for (size_t i = 0; i < n; i++) {
		count[cat_index(all[i]->category)][all[i]->severity]++;
		bysev[all[i]->severity]++;
	}
	for (int s = FV_SEV_CRITICAL; s >= FV_SEV_INFO; s--) {
		if (!bysev[s] || (s == FV_SEV_INFO && !verbose))
			continue;
		fprintf(f, "\n%s%s (%zu)%s\n", color ? sev_color((enum fv_severity)s) : "",
			s == FV_SEV_CRITICAL ? "CRITICAL" : s == FV_SEV_HIGH ? "HIGH" : s == FV_SEV_MEDIUM ? "MEDIUM"
			: s == FV_SEV_LOW ? "LOW" : "INFO", bysev[s], color ? "\033[0m" : "");
		/* Within a severity, by category in the order of the table above.  Known
		 * vulnerabilities of an old image run to hundreds: their table below says
		 * more in less room, so here they are counted (listed with -v). */
		size_t vulns = 0;
		for (size_t c = 0; c <= NCAT; c++)
			for (size_t i = 0; i < n; i++) {
				if ((int)all[i]->severity != s || cat_index(all[i]->category) != c)
					continue;
				if (!verbose && !strcmp(all[i]->category, "vulnerability"))
					vulns++;
				else
					print_finding(f, all[i], color);
			}
		if (vulns)
			fprintf(f, "  vulnerability %zu known vulnerabilit%s of components (see Vulnerabilities below)\n",
				vulns, vulns == 1 ? "y" : "ies");
	}
	print_records(f, r->res, verbose);

	fputs("\nBy category:\n", f);
	int any = 0;
	for (size_t c = 0; c <= NCAT; c++) {
		size_t tot = 0;
		for (int s = 0; s < 5; s++)
			tot += count[c][s];
		if (!tot)
			continue;
		any = 1;
		fprintf(f, "  %-14s", c < NCAT ? categories[c] : "other");
		const char *sep = "";
		for (int s = FV_SEV_CRITICAL; s >= FV_SEV_INFO; s--)
			if (count[c][s]) {
				fprintf(f, "%s%zu %s", sep, count[c][s], fv_severity_name((enum fv_severity)s));
				sep = ", ";
			}
		fputc('\n', f);
	}
	if (!any)
		fputs("  (no findings)\n", f);
	fprintf(f, "\n%zu findings: %zu critical, %zu high, %zu medium, %zu low, %zu info%s; %.1f s\n", n,
		bysev[4], bysev[3], bysev[2], bysev[1], bysev[0],
		bysev[0] && !verbose ? " (info listed with -v or --format json)" : "",
		(double)r->elapsed_ms / 1000.0);
	free(all);
}
