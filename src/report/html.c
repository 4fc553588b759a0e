/*
 * The HTML report: one page, no external resource of any kind (a strict
 * Content-Security-Policy says so to the browser), readable without its
 * script.  The script only sorts and filters the tables the C code wrote;
 * the chart is SVG drawn here.  Every string of the image goes through
 * put_esc(), which escapes the five HTML metacharacters, shows control bytes
 * and invalid UTF-8 as \xNN (so the page stays valid UTF-8, as the JSON writer
 * shows invalid bytes as \u00NN) and bounds its length.  The output depends
 * only on the report and fv_run_time(), so a stored scan renders the same page.
 */
#include "report/html.h"
#include "analyze/run.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "inventory/inventory.h"
#include "report/catalog.h"
#include "report/report.h"
#include "unpack/engine.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Bounds of what one cell shows of a hostile string (the JSON report has it whole). */
#define MAX_PATH 1024
#define MAX_EVIDENCE 400
#define MAX_TEXT 300
#define TOP_RISKS 10

/*
 * s escaped for both text and quoted attribute values, at most max bytes of
 * it, then "… (N bytes)" when cut.  Bidirectional overrides are shown as
 * \u{...} too: they would make a path read as another.  NULL prints nothing.
 */
static void put_esc(FILE *f, const char *str, size_t max)
{
	if (!str)
		return;
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), i = 0;
	while (i < n && i < max) {
		uint32_t cp;
		size_t l = fv_utf8_seq(s + i, n - i, &cp);
		if (l == 0 || cp < 0x20 || cp == 0x7F) {
			fprintf(f, "\\x%02x", s[i]);
			i++;
			continue;
		}
		if (i + l > max)
			break;
		if ((cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
			fprintf(f, "\\u{%04" PRIx32 "}", cp);
		else if (cp == '&')
			fputs("&amp;", f);
		else if (cp == '<')
			fputs("&lt;", f);
		else if (cp == '>')
			fputs("&gt;", f);
		else if (cp == '"')
			fputs("&quot;", f);
		else if (cp == '\'')
			fputs("&#39;", f);
		else
			fwrite(s + i, 1, l, f);
		i += l;
	}
	if (i < n)
		fprintf(f, "\xE2\x80\xA6 (%zu bytes)", n);
}

/* A report path with its containers dimmed: the last link is what a reader recognises. */
static void put_path(FILE *f, const char *p)
{
	if (!p)
		return;
	const char *bang = strrchr(p, '!');
	if (bang && (size_t)(bang - p) < MAX_PATH && strlen(p) <= MAX_PATH) {
		size_t k = (size_t)(bang - p) + 1;
		char *pre = strndup(p, k);
		if (pre) {
			fputs("<span class=pfx>", f);
			put_esc(f, pre, MAX_PATH);
			fputs("</span>", f);
			free(pre);
			put_esc(f, p + k, MAX_PATH);
			return;
		}
	}
	put_esc(f, p, MAX_PATH);
}

/* Categories in the order a reader should meet them; the rank orders the top risks. */
static const char *const categories[] = {
	"backdoor", "exfiltration", "credential", "account", "secret", "service", "vulnerability",
	"component", "supply-chain", "hardening", "unsafe-code", "integrity", "extraction",
};
#define NCAT (sizeof categories / sizeof *categories)

static size_t cat_rank(const char *c)
{
	for (size_t i = 0; i < NCAT; i++)
		if (!strcmp(categories[i], c))
			return i;
	return NCAT;
}


static int in_cats(const char *c, const char *const *cats)
{
	if (!cats)
		return 1;
	for (; *cats; cats++)
		if (!strcmp(c, *cats))
			return 1;
	return 0;
}

static void put_sev(FILE *f, enum fv_severity s)
{
	fprintf(f, "<span class=\"sev s-%s\">%s</span>", fv_severity_name(s), fv_severity_name(s));
}

/* <th> of a sortable column: data-k names it in #sort=TABLE:KEY. */
static void th(FILE *f, const char *key, const char *label) { fprintf(f, "<th data-k=\"%s\">%s</th>", key, label); }

/* A table opened with its filter box; data-name names it in #sort= and #filter=. */
static void table_begin(FILE *f, const char *name, const char *const *cols)
{
	fprintf(f, "<div class=tw><input type=search class=filter data-for=\"t-%s\" placeholder=\"Filter this table\" "
		   "aria-label=\"Filter\"> <span class=count data-for=\"t-%s\"></span>\n"
		   "<table class=data id=\"t-%s\" data-name=\"%s\"><thead><tr>",
		name, name, name, name);
	for (size_t i = 0; cols[i]; i += 2)
		th(f, cols[i], cols[i + 1]);
	fputs("</tr></thead><tbody>\n", f);
}

static void table_end(FILE *f) { fputs("</tbody></table></div>\n", f); }

static void td_text(FILE *f, const char *s, size_t max)
{
	fputs("<td>", f);
	put_esc(f, s, max);
	fputs("</td>", f);
}

static void td_path(FILE *f, const char *p)
{
	fputs("<td class=p>", f);
	put_path(f, p);
	fputs("</td>", f);
}

static void td_u64(FILE *f, uint64_t v) { fprintf(f, "<td class=n>%" PRIu64 "</td>", v); }

static void td_hex(FILE *f, uint64_t v) { fprintf(f, "<td class=n data-v=\"%" PRIu64 "\">0x%" PRIx64 "</td>", v, v); }

static void td_yes(FILE *f, int v, int good)
{
	fprintf(f, "<td class=\"%s\">%s</td>", v == good ? "y" : "no", v ? "yes" : "no");
}

/* The rule cell: a link to its entry in the rules section, the catalogue's summary on hover. */
static void td_rule(FILE *f, const struct fv_report *r, const char *rule)
{
	const struct fv_rule_info *ri = r->catalog ? fv_catalog_find(r->catalog, rule) : NULL;
	fputs("<td class=rule", f);
	if (ri && ri->summary) {
		fputs(" title=\"", f);
		put_esc(f, ri->summary, MAX_TEXT);
		fputc('"', f);
	}
	fputs("><a href=\"#rule-", f);
	put_esc(f, rule, 64);
	fputs("\">", f);
	put_esc(f, rule, 64);
	fputs("</a></td>", f);
}

static const char *const finding_cols[] = {
	"severity", "Severity", "category", "Category", "rule", "Rule", "title", "Title", "path", "Path",
	"offset", "Offset", "evidence", "Evidence", "confidence", "Confidence", NULL,
};

/* A table of the findings whose category is in cats (NULL: all); returns the rows written. */
static size_t findings_table(FILE *f, const struct fv_report *r, const char *name, const struct fv_finding **all,
			     size_t n, const char *const *cats)
{
	size_t rows = 0;
	table_begin(f, name, finding_cols);
	for (size_t i = 0; i < n; i++) {
		const struct fv_finding *x = all[i];
		if (!in_cats(x->category, cats))
			continue;
		rows++;
		fprintf(f, "<tr data-sev=\"%d\"><td data-v=\"%d\">", (int)x->severity, (int)x->severity);
		put_sev(f, x->severity);
		fputs("</td>", f);
		td_text(f, x->category, 32);
		td_rule(f, r, x->rule);
		td_text(f, x->title, MAX_TEXT);
		td_path(f, x->path);
		td_hex(f, x->offset);
		fputs("<td class=ev>", f);
		put_esc(f, x->evidence, MAX_EVIDENCE);
		fprintf(f, "</td><td data-v=\"%d\">%s</td></tr>\n", (int)x->confidence, fv_conf_name(x->confidence));
	}
	table_end(f);
	return rows;
}

/* ---- the page's fixed parts ------------------------------------------------- */

static const char style[] =
	":root{--c4:#8b0000;--c3:#d2322d;--c2:#e8860c;--c1:#2e6da4;--c0:#6c757d}\n"
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1d2330;"
	"background:#f4f6f9}\n"
	"main{max-width:1400px;margin:0 auto;padding:16px 24px}\n"
	"header.top{background:#1d2330;color:#fff;padding:14px 24px}header.top h1{margin:0 0 6px;font-size:22px}\n"
	"header.top table{border-collapse:collapse;font-size:13px}header.top td{padding:1px 12px 1px 0;"
	"vertical-align:top;word-break:break-all}header.top td:first-child{color:#aab;white-space:nowrap}\n"
	"section{background:#fff;border:1px solid #dde2ea;border-radius:6px;padding:12px 16px;margin:14px 0}\n"
	"h2{font-size:18px;margin:4px 0 10px}h3{font-size:15px;margin:14px 0 6px}\n"
	".verdict{border-left:10px solid}.v-stop{border-left-color:var(--c4);background:#fdeeee}"
	".v-review{border-left-color:var(--c2);background:#fff6e8}.v-ok{border-left-color:#2e8b57;background:#eef8f1}\n"
	".verdict h2{font-size:24px;margin:0 0 4px}.why{font-size:15px;margin:4px 0}.rule-note{color:#555;"
	"font-size:12px}\n"
	".badges{margin:10px 0}.badge{display:inline-block;min-width:86px;text-align:center;color:#fff;"
	"border-radius:6px;padding:6px 10px;margin:0 6px 6px 0;font-weight:600}.badge b{display:block;font-size:22px}\n"
	".b-critical,.s-critical{background:var(--c4)}.b-high,.s-high{background:var(--c3)}.b-medium,.s-medium{background:"
	"var(--c2)}.b-low,.s-low{background:var(--c1)}.b-info,.s-info{background:var(--c0)}\n"
	".sev{color:#fff;border-radius:3px;padding:0 5px;font-size:12px;font-weight:600}\n"
	".kev{background:#000;color:#ffd400;border-radius:3px;padding:0 5px;font-weight:700;font-size:12px}\n"
	".out{background:#8b0000;color:#fff;border-radius:3px;padding:0 5px;font-size:12px}\n"
	"nav{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid #dde2ea;padding:6px 24px;"
	"font-size:13px}nav a{margin-right:12px}nav label{float:right}\n"
	".tw{overflow-x:auto;margin:6px 0 10px}table.data{border-collapse:collapse;width:100%;font-size:13px}\n"
	"table.data th{background:#e9edf3;text-align:left;padding:4px 6px;position:sticky;top:0;cursor:pointer;"
	"white-space:nowrap}table.data th[aria-sort=ascending]::after{content:' \\25B2'}"
	"table.data th[aria-sort=descending]::after{content:' \\25BC'}\n"
	"table.data td{border-top:1px solid #e6e9ef;padding:3px 6px;vertical-align:top}"
	"table.data tbody tr:nth-child(even){background:#fafbfc}\n"
	"td.p{min-width:18em}td.ev{min-width:14em}td.rule,td.id,td.nw{white-space:nowrap}"
	"tr.kevrow{background:#fff7d1!important}"
	"td.p,td.ev,td.err{word-break:break-all;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}"
	".pfx{color:#8a94a6}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	"td.y{color:#1e7d45}td.no{color:#c0392b;font-weight:600}tr.bad{background:#fdecea!important}"
	"tr.pad{color:#999}.st-failed{color:#8b0000;font-weight:700}.st-partial{color:#b35900;font-weight:700}\n"
	"input.filter{padding:3px 6px;width:260px;border:1px solid #bbc;border-radius:4px}"
	".count{color:#667;font-size:12px}\n"
	"ol.top li{margin:3px 0}ol.top .p{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;"
	"word-break:break-all}ol.top .ev{color:#444;font-size:12px;word-break:break-all}\n"
	".none{color:#667;font-style:italic}.muted{color:#667}svg text{font:12px system-ui,sans-serif}\n"
	"@media print{nav,input.filter,.count{display:none}body{background:#fff;font-size:10pt}"
	"section{border:0;padding:0;margin:10px 0;break-inside:auto}header.top{background:#fff;color:#000;"
	"border-bottom:2px solid #000}header.top td:first-child{color:#444}table.data th{position:static}"
	"thead{display:table-header-group}tr{break-inside:avoid}.tw{overflow:visible}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}a{color:inherit;text-decoration:none}}\n";

/*
 * Sorting (click a header; numbers compare as numbers, a cell's data-v
 * overrides its text), filtering (a box per table, and a minimum severity for
 * every row that has one) and shareable views in the URL's fragment:
 * #sort=TABLE:KEY[:desc]&filter=TABLE:TEXT&sev=LEVEL.  It marks each table it
 * handles with data-sortable and the body with data-js, which the tests read.
 */
static const char script[] =
	"(function(){\n"
	"'use strict';\n"
	"var SEV={info:0,low:1,medium:2,high:3,critical:4};\n"
	"var num=/^-?\\d+(\\.\\d+)?$/;\n"
	"function val(tr,i){var c=tr.cells[i];if(!c)return '';var v=c.getAttribute('data-v');"
	"return v!==null?v:c.textContent.trim();}\n"
	"function cmp(a,b){if(num.test(a)&&num.test(b))return parseFloat(a)-parseFloat(b);"
	"return a.localeCompare(b,undefined,{numeric:true,sensitivity:'base'});}\n"
	"function col(t,k){var h=t.tHead.rows[0].cells;for(var i=0;i<h.length;i++)"
	"if(h[i].getAttribute('data-k')===k)return i;return -1;}\n"
	"function sort(t,i,desc){var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows);\n"
	" var keyed=rows.map(function(r,n){return [val(r,i),n,r];});\n"
	" keyed.sort(function(x,y){var c=cmp(x[0],y[0]);return (desc?-c:c)||x[1]-y[1];});\n"
	" keyed.forEach(function(k){b.appendChild(k[2]);});\n"
	" var h=t.tHead.rows[0].cells;for(var j=0;j<h.length;j++)h[j].removeAttribute('aria-sort');\n"
	" h[i].setAttribute('aria-sort',desc?'descending':'ascending');}\n"
	"var minsev=0;\n"
	"function apply(t){var box=document.querySelector('input.filter[data-for=\"'+t.id+'\"]');\n"
	" var q=box?box.value.trim().toLowerCase():'',shown=0,rows=t.tBodies[0].rows;\n"
	" for(var i=0;i<rows.length;i++){var r=rows[i],s=r.getAttribute('data-sev');\n"
	"  var ok=(!q||r.textContent.toLowerCase().indexOf(q)>=0)&&(s===null||+s>=minsev);\n"
	"  r.hidden=!ok;if(ok)shown++;}\n"
	" var c=document.querySelector('span.count[data-for=\"'+t.id+'\"]');\n"
	" if(c)c.textContent=shown+' of '+rows.length+' rows';}\n"
	"var tables=Array.prototype.slice.call(document.querySelectorAll('table.data'));\n"
	"function byName(n){for(var i=0;i<tables.length;i++)if(tables[i].getAttribute('data-name')===n)"
	"return tables[i];return null;}\n"
	"tables.forEach(function(t){\n"
	" var h=t.tHead.rows[0].cells;\n"
	" Array.prototype.forEach.call(h,function(th,i){th.tabIndex=0;th.title='Sort';\n"
	"  function go(){sort(t,i,th.getAttribute('aria-sort')==='ascending');}\n"
	"  th.addEventListener('click',go);\n"
	"  th.addEventListener('keydown',function(e){if(e.key==='Enter')go();});});\n"
	" var box=document.querySelector('input.filter[data-for=\"'+t.id+'\"]');\n"
	" if(box)box.addEventListener('input',function(){apply(t);});\n"
	" t.setAttribute('data-sortable','1');apply(t);});\n"
	"var sel=document.getElementById('minsev');\n"
	"function setsev(v){minsev=SEV.hasOwnProperty(v)?SEV[v]:0;if(sel)sel.value=v in SEV?v:'info';"
	"tables.forEach(apply);}\n"
	"if(sel)sel.addEventListener('change',function(){setsev(sel.value);});\n"
	"function fromHash(){var h=location.hash.replace(/^#/,'');if(!h)return;\n"
	" h.split('&').forEach(function(p){var e=p.indexOf('=');if(e<0)return;\n"
	"  var k=p.slice(0,e),v;try{v=decodeURIComponent(p.slice(e+1));}catch(x){return;}\n"
	"  var c=v.indexOf(':'),t=c>0?byName(v.slice(0,c)):null,rest=c>0?v.slice(c+1):'';\n"
	"  if(k==='sev')setsev(v);\n"
	"  else if(k==='filter'&&t){var b=document.querySelector('input.filter[data-for=\"'+t.id+'\"]');"
	"if(b){b.value=rest;apply(t);}}\n"
	"  else if(k==='sort'&&t){var d=/:desc$/.test(rest),i=col(t,rest.replace(/:(asc|desc)$/,''));"
	"if(i>=0)sort(t,i,d);}});}\n"
	"fromHash();window.addEventListener('hashchange',fromHash);\n"
	"document.body.setAttribute('data-js','ready');\n"
	"})();\n";

/* ---- sections ---------------------------------------------------------------- */

static void header(FILE *f, const struct fv_report *r)
{
	const struct fv_unpack *u = r->u;
	char hs[32], when[32] = "";
	time_t t = fv_run_time();
	struct tm tm;
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
	fputs("<header class=top><h1>fwvet report: ", f);
	const char *slash = u->image_path ? strrchr(u->image_path, '/') : NULL;
	put_esc(f, slash ? slash + 1 : u->image_path, 200);
	fputs("</h1><table id=meta>\n<tr><td>Image</td><td>", f);
	put_esc(f, u->image_path, MAX_PATH);
	fprintf(f, "</td></tr>\n<tr><td>SHA-256</td><td>%s</td></tr>\n", u->image_sha256[0] ? u->image_sha256 : "-");
	fprintf(f, "<tr><td>Size</td><td>%" PRIu64 " bytes (%s); %zu files, %zu unique contents</td></tr>\n",
		u->image_size, fv_human_size(u->image_size, hs, sizeof hs), r->inv->nfiles, r->inv->ncontents);
	fprintf(f, "<tr><td>Tool</td><td>fwvet %s; rules SHA-256 ", FV_VERSION);
	put_esc(f, r->rules_sha256 ? r->rules_sha256 : "-", 80);
	fputs("</td></tr>\n<tr><td>Vulnerability data</td><td>", f);
	if (r->vulndb_sha256 || r->vulndb_date) {
		put_esc(f, r->vulndb_date ? r->vulndb_date : "date unknown", 40);
		fputs(", SHA-256 ", f);
		put_esc(f, r->vulndb_sha256 ? r->vulndb_sha256 : "-", 80);
	} else {
		fputs("none imported (curated rules only)", f);
	}
	fprintf(f, "</td></tr>\n<tr><td>Scan</td><td>%s, took %" PRIu64 " ms</td></tr>\n</table></header>\n", when,
		r->elapsed_ms);
}

static void nav(FILE *f)
{
	static const char *const links[] = {
		"verdict", "Verdict", "top", "Top risks", "backdoors", "Backdoors", "credentials", "Credentials",
		"services", "Boot services", "endpoints", "Endpoints", "components", "Components",
		"vulnerabilities", "Vulnerabilities", "hardening", "Hardening", "unsafe", "Unsafe calls",
		"extraction", "Extraction", "findings", "All findings", "rules", "Rules", NULL,
	};
	fputs("<nav>", f);
	for (size_t i = 0; links[i]; i += 2)
		fprintf(f, "<a href=\"#%s\">%s</a>", links[i], links[i + 1]);
	fputs("<label>Minimum severity <select id=minsev>", f);
	for (int s = FV_SEV_INFO; s <= FV_SEV_CRITICAL; s++)
		fprintf(f, "<option value=\"%s\">%s</option>", fv_severity_name(s), fv_severity_name(s));
	fputs("</select></label></nav>\n", f);
}

static int is_bec(const char *c)
{
	return !strcmp(c, "backdoor") || !strcmp(c, "exfiltration") || !strcmp(c, "credential");
}

static void verdict(FILE *f, const struct fv_report *r, const struct fv_finding **all, size_t n)
{
	size_t bysev[5] = { 0 }, bec = 0, bec_high = 0, xbad = 0;
	for (size_t i = 0; i < n; i++) {
		bysev[all[i]->severity]++;
		if (is_bec(all[i]->category)) {
			bec++;
			bec_high += all[i]->severity >= FV_SEV_HIGH;
		}
	}
	for (size_t i = 0; i < r->u->nentries; i++)
		xbad += r->u->entries[i].status != FV_XS_OK;
	const char *cls, *head;
	if (bysev[FV_SEV_CRITICAL] || bec_high) {
		cls = "v-stop";
		head = "Do not deploy";
	} else if (bysev[FV_SEV_HIGH] || bysev[FV_SEV_MEDIUM] || bec) {
		cls = "v-review";
		head = "Review before deployment";
	} else {
		cls = "v-ok";
		head = "No significant findings";
	}
	fprintf(f, "<section id=verdict class=\"verdict %s\" data-verdict=\"%s\"><h2>%s</h2>\n", cls, cls + 2, head);
	fprintf(f, "<p class=why>%zu findings: %zu critical, %zu high; %zu of them backdoor, exfiltration or "
		   "credential findings (%zu high or critical).",
		n, bysev[FV_SEV_CRITICAL], bysev[FV_SEV_HIGH], bec, bec_high);
	if (xbad)
		fprintf(f, " <b>%zu chunk%s could not be unpacked completely</b>: what they hold was not analysed "
			   "(see Extraction).", xbad, xbad == 1 ? "" : "s");
	fputs("</p>\n<p class=rule-note>The rule: <b>Do not deploy</b> when any finding is critical, or a backdoor, "
	      "exfiltration or credential finding is high; <b>Review before deployment</b> when any finding is high "
	      "or medium, or there is any backdoor, exfiltration or credential finding; otherwise <b>No significant "
	      "findings</b> (low and info findings only).</p>\n<div class=badges>", f);
	for (int s = FV_SEV_CRITICAL; s >= FV_SEV_INFO; s--)
		fprintf(f, "<span class=\"badge b-%s\" data-sev-count=\"%s\"><b>%zu</b>%s</span>", fv_severity_name(s),
			fv_severity_name(s), bysev[s], fv_severity_name(s));
	fputs("</div>\n<h3>By category</h3>\n", f);

	/* Known categories in reading order, then any a user's rule made up, in order of appearance. */
	static const char *const cols[] = { "category", "Category", "total", "Findings", "critical", "Critical",
					    "high", "High", "medium", "Medium", "low", "Low", "info", "Info", NULL };
	table_begin(f, "categories", cols);
	const char **seen = malloc((n + NCAT) * sizeof *seen);
	size_t nseen = 0;
	for (size_t c = 0; seen && c < NCAT; c++)
		seen[nseen++] = categories[c];
	for (size_t i = 0; seen && i < n; i++) {
		size_t k = 0;
		while (k < nseen && strcmp(seen[k], all[i]->category))
			k++;
		if (k == nseen)
			seen[nseen++] = all[i]->category;
	}
	for (size_t c = 0; c < nseen; c++) {
		size_t cnt[5] = { 0 }, tot = 0;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(all[i]->category, seen[c])) {
				cnt[all[i]->severity]++;
				tot++;
			}
		if (!tot)
			continue;
		int worst = 0;
		for (int s = 0; s < 5; s++)
			if (cnt[s])
				worst = s;
		fprintf(f, "<tr data-sev=\"%d\">", worst);
		td_text(f, seen[c], 40);
		td_u64(f, tot);
		for (int s = FV_SEV_CRITICAL; s >= FV_SEV_INFO; s--)
			fprintf(f, cnt[s] ? "<td class=n><b>%zu</b></td>" : "<td class=\"n muted\">%zu</td>", cnt[s]);
		fputs("</tr>\n", f);
	}
	free(seen);
	table_end(f);
	fputs("</section>\n", f);
}

/*
 * The TOP_RISKS worst findings: all is worst first; among equal severities
 * backdoors and credentials come before hardening (categories' order), and
 * otherwise all's order is kept.
 */
static void top_risks(FILE *f, const struct fv_finding **all, size_t n)
{
	fputs("<section id=top><h2>Top risks</h2>\n", f);
	if (!n) {
		fputs("<p class=none>No findings.</p></section>\n", f);
		return;
	}
	const struct fv_finding *v[TOP_RISKS];
	size_t k = 0;
	for (size_t b = 0, e; b < n && k < TOP_RISKS; b = e) {
		for (e = b; e < n && all[e]->severity == all[b]->severity; e++)
			;
		for (size_t c = 0; c <= NCAT && k < TOP_RISKS; c++)
			for (size_t i = b; i < e && k < TOP_RISKS; i++)
				if (cat_rank(all[i]->category) == c)
					v[k++] = all[i];
	}
	fputs("<ol class=top>\n", f);
	for (size_t i = 0; i < k; i++) {
		fputs("<li>", f);
		put_sev(f, v[i]->severity);
		fputs(" <b>", f);
		put_esc(f, v[i]->title, MAX_TEXT);
		fputs("</b> <span class=muted>(", f);
		put_esc(f, v[i]->category, 32);
		fputs(", ", f);
		put_esc(f, v[i]->rule, 64);
		fputs(")</span><br><span class=p>", f);
		put_path(f, v[i]->path);
		fprintf(f, " @ 0x%" PRIx64 "</span><br><span class=ev>", v[i]->offset);
		put_esc(f, v[i]->evidence, 160);
		fputs("</span></li>\n", f);
	}
	fputs("</ol></section>\n", f);
}

static void accounts(FILE *f, const struct fv_results *res)
{
	static const char *const cols[] = { "name", "Name", "uid", "UID", "gid", "GID", "home", "Home",
					    "shell", "Shell", "hash", "Password hash", "password", "Password found",
					    "path", "File", NULL };
	fputs("<h3>Accounts</h3>\n", f);
	table_begin(f, "accounts", cols);
	for (size_t i = 0; res && i < res->naccounts; i++) {
		const struct fv_account *a = &res->accounts[i];
		fprintf(f, "<tr%s>", a->uid == 0 ? " class=bad" : "");
		td_text(f, a->name, 128);
		fprintf(f, "<td class=n>%" PRId64 "</td><td class=n>%" PRId64 "</td>", a->uid, a->gid);
		td_text(f, a->home, MAX_TEXT);
		td_text(f, a->shell, MAX_TEXT);
		td_text(f, a->hash_type, 40);
		fputs(a->password ? "<td class=no>" : "<td>", f);
		put_esc(f, a->password, 128);
		fputs("</td>", f);
		td_path(f, a->path);
		fputs("</tr>\n", f);
	}
	table_end(f);
}

static void services(FILE *f, const struct fv_results *res)
{
	static const char *const cols[] = { "program", "Program", "args", "Arguments", "how", "Started by",
					    "path", "File", "line", "Line", NULL };
	fputs("<h3>Programs started at boot</h3>\n", f);
	table_begin(f, "services", cols);
	for (size_t i = 0; res && i < res->nservices; i++) {
		const struct fv_service *s = &res->services[i];
		fputs("<tr><td class=p>", f);
		put_esc(f, s->program, MAX_TEXT);
		fputs("</td><td class=p>", f);
		put_esc(f, s->args, MAX_TEXT);
		fputs("</td>", f);
		td_text(f, s->how, 80);
		td_path(f, s->path);
		td_u64(f, s->line);
		fputs("</tr>\n", f);
	}
	table_end(f);
}

static void endpoints(FILE *f, const struct fv_results *res)
{
	static const char *const cols[] = { "value", "Address", "kind", "Kind", "outside", "Outside",
					    "path", "File", "offset", "Offset", NULL };
	size_t out = 0, n = res ? res->nendpoints : 0;
	for (size_t i = 0; i < n; i++)
		out += res->endpoints[i].outside != 0;
	fprintf(f, "<section id=endpoints><h2>Endpoints</h2>\n<p>%zu addresses and names, %zu of them outside "
		   "(public addresses and names, where data could go).</p>\n", n, out);
	table_begin(f, "endpoints", cols);
	for (size_t i = 0; i < n; i++) {
		const struct fv_endpoint *e = &res->endpoints[i];
		fprintf(f, "<tr%s><td class=p>", e->outside ? " class=outside" : "");
		put_esc(f, e->value, MAX_TEXT);
		fputs("</td>", f);
		td_text(f, e->kind, 16);
		fprintf(f, "<td data-v=\"%d\">%s</td>", e->outside != 0, e->outside ? "<span class=out>outside</span>" : "local");
		td_path(f, e->path);
		td_hex(f, e->offset);
		fputs("</tr>\n", f);
	}
	table_end(f);
	fputs("</section>\n", f);
}

/* A list of paths: the first inline, the rest in a details element. */
static void td_paths(FILE *f, const char *const *paths, size_t n)
{
	fputs("<td class=p>", f);
	if (n)
		put_path(f, paths[0]);
	if (n > 1) {
		fprintf(f, "<details><summary>%zu more</summary>", n - 1);
		for (size_t i = 1; i < n; i++) {
			put_path(f, paths[i]);
			fputs("<br>", f);
		}
		fputs("</details>", f);
	}
	fputs("</td>", f);
}

static int sev_rank(const char *s)
{
	for (int i = 0; i < 5; i++)
		if (s && !strcmp(s, fv_severity_name((enum fv_severity)i)))
			return i;
	return -1;
}

/* CVE and CWE ids link to their public pages; anything else stays text. */
static int plain_id(const char *id, const char *prefix)
{
	size_t k = strlen(prefix);
	if (strncmp(id, prefix, k))
		return 0;
	for (const char *p = id + k; *p; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '-'))
			return 0;
	return id[k] != 0;
}

static void supply(FILE *f, const struct fv_results *res)
{
	static const char *const ccols[] = { "name", "Component", "version", "Version", "cpe", "CPE", "purl", "purl",
					     "eol", "End of life", "copies", "Copies", "paths", "Paths", "method",
					     "Found by", NULL };
	size_t nc = res ? res->ncomponents : 0, nv = res ? res->nvulns : 0, kev = 0, eol = 0;
	for (size_t i = 0; i < nv; i++)
		kev += res->vulns[i].kev != 0;
	for (size_t i = 0; i < nc; i++)
		eol += res->components[i].eol != 0;
	fprintf(f, "<section id=components><h2>Components</h2>\n<p>%zu component versions, %zu past their end of "
		   "life.</p>\n", nc, eol);
	table_begin(f, "components", ccols);
	for (size_t i = 0; i < nc; i++) {
		const struct fv_component *c = &res->components[i];
		fprintf(f, "<tr%s>", c->eol ? " class=bad" : "");
		td_text(f, c->title ? c->title : c->name, 128);
		td_text(f, c->version && *c->version ? c->version : "unknown", 64);
		fputs("<td class=p>", f);
		put_esc(f, c->cpe, MAX_TEXT);
		fputs("</td><td class=p>", f);
		put_esc(f, c->purl, MAX_TEXT);
		fputs("</td>", f);
		if (c->eol) {
			fputs("<td class=no data-v=\"1\">yes", f);
			if (c->eol_date) {
				fputs(", ", f);
				put_esc(f, c->eol_date, 32);
			}
			fputs("</td>", f);
		} else {
			fputs("<td data-v=\"0\">no</td>", f);
		}
		td_u64(f, c->npaths);
		td_paths(f, c->paths, c->npaths);
		td_text(f, c->method, 32);
		fputs("</tr>\n", f);
	}
	table_end(f);
	fputs("</section>\n", f);

	static const char *const vcols[] = { "id", "Vulnerability", "kev", "Known exploited", "cvss", "CVSS",
					     "severity", "Severity", "component", "Component", "version", "Version",
					     "summary", "Summary", "paths", "Paths", NULL };
	fprintf(f, "<section id=vulnerabilities><h2>Vulnerabilities</h2>\n<p>%zu known vulnerabilities of the "
		   "components above, <b>%zu in CISA's Known Exploited Vulnerabilities catalogue</b> (marked "
		   "<span class=kev>KEV</span>: attackers use them now).</p>\n", nv, kev);
	table_begin(f, "vulnerabilities", vcols);
	for (size_t i = 0; i < nv; i++) {
		const struct fv_vulnerability *v = &res->vulns[i];
		int sr = sev_rank(v->severity);
		if (sr >= 0)
			fprintf(f, "<tr data-sev=\"%d\"%s>", sr, v->kev ? " class=kevrow" : "");
		else
			fprintf(f, "<tr%s>", v->kev ? " class=kevrow" : "");
		fputs("<td class=id>", f);
		if (v->id && (plain_id(v->id, "CVE-") || plain_id(v->id, "CWE-"))) {
			fprintf(f, "<a href=\"%s", plain_id(v->id, "CVE-") ? "https://nvd.nist.gov/vuln/detail/"
					: "https://cwe.mitre.org/data/definitions/");
			put_esc(f, plain_id(v->id, "CVE-") ? v->id : v->id + 4, 40);
			fputs(plain_id(v->id, "CVE-") ? "\">" : ".html\">", f);
			put_esc(f, v->id, 40);
			fputs("</a>", f);
		} else {
			put_esc(f, v->id, 64);
		}
		fprintf(f, "</td><td data-v=\"%d\">%s</td>", v->kev != 0, v->kev ? "<span class=kev>KEV</span>" : "");
		if (v->cvss >= 0)
			fprintf(f, "<td class=n data-v=\"%.1f\">%.1f</td>", v->cvss, v->cvss);
		else
			fputs("<td class=n data-v=\"-1\">-</td>", f);
		if (sr >= 0) {
			fprintf(f, "<td data-v=\"%d\">", sr);
			put_sev(f, (enum fv_severity)sr);
			fputs("</td>", f);
		} else {
			fputs("<td data-v=\"-1\">", f);
			put_esc(f, v->severity, 16);
			fputs("</td>", f);
		}
		td_text(f, v->component, 64);
		td_text(f, v->version, 64);
		fputs("<td>", f);
		put_esc(f, v->summary, MAX_TEXT);
		if (v->distribution) {
			fputs(" <span class=muted>(", f);
			put_esc(f, v->distribution, 40);
			fputs(" build: fixes may be backported)</span>", f);
		}
		fputs("</td>", f);
		td_paths(f, v->paths, v->npaths);
		fputs("</tr>\n", f);
	}
	table_end(f);
	fputs("</section>\n", f);
}

/* One bar of the chart: label, k of n as a bar and a number. */
static void bar(FILE *f, int row, const char *label, size_t k, size_t n, const char *color)
{
	unsigned w = n ? (unsigned)(k * 400 / n) : 0, pct = n ? (unsigned)(k * 100 / n) : 0;
	int y = 10 + row * 30;
	fprintf(f, "<text x=\"0\" y=\"%d\">%s</text><rect x=\"130\" y=\"%d\" width=\"400\" height=\"20\" "
		   "fill=\"#e6e9ef\"/><rect class=bar x=\"130\" y=\"%d\" width=\"%u\" height=\"20\" fill=\"%s\"/>"
		   "<text x=\"540\" y=\"%d\">%zu of %zu (%u%%)</text>\n",
		y + 15, label, y, y, w, color, y + 15, k, n, pct);
}

static void hardening(FILE *f, const struct fv_report *r)
{
	const struct fv_results *res = r->res;
	size_t n = 0, hard = 0, nx = 0, pie = 0, relro = 0, canary = 0, fortify = 0;
	for (size_t i = 0; res && i < res->nbinaries; i++) {
		const struct fv_binary *b = &res->binaries[i];
		int h = fv_report_hardened(b);
		if (h < 0)
			continue;
		n++;
		hard += h == 1;
		nx += b->nx != 0;
		pie += b->pie != 0;
		relro += b->relro && !strcmp(b->relro, "full");
		canary += b->canary != 0;
		fortify += b->fortify != 0;
	}
	fprintf(f, "<section id=hardening><h2>Hardening</h2>\n<p>%zu of %zu programs and libraries (unique contents) "
		   "are hardened: NX, PIE, a stack canary and full RELRO (static programs need no RELRO).</p>\n",
		hard, n);
	fprintf(f, "<svg id=hardening-chart role=img aria-label=\"%zu of %zu binaries hardened\" width=\"720\" "
		   "height=\"190\" viewBox=\"0 0 720 190\" xmlns=\"http://www.w3.org/2000/svg\">\n", hard, n);
	bar(f, 0, "Hardened", hard, n, "#1e7d45");
	bar(f, 1, "NX", nx, n, "#2e6da4");
	bar(f, 2, "PIE", pie, n, "#2e6da4");
	bar(f, 3, "Full RELRO", relro, n, "#2e6da4");
	bar(f, 4, "Stack canary", canary, n, "#2e6da4");
	bar(f, 5, "FORTIFY", fortify, n, "#2e6da4");
	fputs("</svg>\n<h3>Each binary</h3>\n", f);
	static const char *const cols[] = { "path", "File", "arch", "Arch", "type", "ELF type", "nx", "NX", "pie",
					    "PIE", "relro", "RELRO", "canary", "Canary", "fortify", "FORTIFY",
					    "stripped", "Stripped", "static", "Static", "rpath", "RPATH/RUNPATH",
					    "hardened", "Hardened", NULL };
	table_begin(f, "binaries", cols);
	for (size_t i = 0; res && i < r->inv->nfiles; i++) {
		const struct fv_file *fl = &r->inv->files[i];
		const struct fv_binary *b = fl->kind == FV_KIND_ELF ? fv_results_binary(res, fl->x->sha256) : NULL;
		if (!b)
			continue;
		int h = fv_report_hardened(b);
		fprintf(f, "<tr%s>", h == 0 ? " class=unhard" : "");
		td_path(f, fl->x->path);
		td_text(f, fl->arch, 24);
		td_text(f, b->elf_type, 16);
		td_yes(f, b->nx, 1);
		td_yes(f, b->pie, 1);
		fprintf(f, "<td class=\"%s\">", b->relro && !strcmp(b->relro, "full") ? "y" : "no");
		put_esc(f, b->relro, 16);
		fputs("</td>", f);
		td_yes(f, b->canary, 1);
		td_yes(f, b->fortify, 1);
		td_yes(f, b->stripped, 0);
		fprintf(f, "<td>%s</td>", b->is_static ? "yes" : "no");
		fprintf(f, "<td class=\"p%s\">", b->rpath || b->runpath ? " no" : "");
		put_esc(f, b->rpath, MAX_TEXT);
		if (b->rpath && b->runpath)
			fputs(" ", f);
		put_esc(f, b->runpath, MAX_TEXT);
		fprintf(f, "</td><td class=\"%s\">%s</td></tr>\n", h == 1 ? "y" : h == 0 ? "no" : "",
			h == 1 ? "yes" : h == 0 ? "no" : "not counted");
	}
	table_end(f);
	fputs("</section>\n", f);
}

static void unsafe(FILE *f, const struct fv_results *res)
{
	static const char *const cols[] = { "family", "Family", "unsafe", "Unsafe functions", "unsafe_calls",
					    "Unsafe calls", "unsafe_binaries", "In binaries", "bounded",
					    "Bounded counterparts", "bounded_calls", "Bounded calls", "bounded_binaries",
					    "In binaries", NULL };
	fputs("<section id=unsafe><h2>Unsafe calls</h2>\n<p>Call sites of functions that cannot bound what they "
	      "write, against their bounded counterparts, over the binaries whose code was read.</p>\n", f);
	table_begin(f, "unsafe", cols);
	for (size_t i = 0; res && i < res->nunsafe; i++) {
		const struct fv_unsafe_row *u = &res->unsafe[i];
		fputs("<tr>", f);
		td_text(f, u->family, 40);
		td_text(f, u->unsafe, MAX_TEXT);
		td_u64(f, u->unsafe_calls);
		td_u64(f, u->unsafe_binaries);
		td_text(f, u->bounded, MAX_TEXT);
		td_u64(f, u->bounded_calls);
		td_u64(f, u->bounded_binaries);
		fputs("</tr>\n", f);
	}
	table_end(f);
	fputs("</section>\n", f);
}

static void extraction(FILE *f, const struct fv_unpack *u)
{
	size_t st[3] = { 0 };
	for (size_t i = 0; i < u->nentries; i++)
		st[u->entries[i].status]++;
	fprintf(f, "<section id=extraction><h2>Extraction</h2>\n<p>%zu chunks: %zu ok, <span class=st-partial>%zu "
		   "partial</span>, <span class=st-failed>%zu failed</span>. Nested chunks are indented.</p>\n",
		u->nentries, st[FV_XS_OK], st[FV_XS_PARTIAL], st[FV_XS_FAILED]);
	static const char *const cols[] = { "path", "Chunk", "format", "Format", "offset", "Offset", "size", "Size",
					    "status", "Status", "error", "Error", "desc", "Description", NULL };
	table_begin(f, "extraction", cols);
	for (size_t i = 0; i < u->nentries; i++) {
		const struct fv_xentry *e = &u->entries[i];
		unsigned depth = 0;
		for (const char *p = e->path; p && *p; p++)
			depth += *p == '!';
		depth = depth ? depth - 1 : 0;
		fprintf(f, "<tr%s><td class=p style=\"padding-left:%uem\">",
			e->status != FV_XS_OK ? " class=bad" : !strcmp(e->format, "padding") ? " class=pad" : "",
			depth > 8 ? 9 : depth + 1);
		put_path(f, e->path);
		fputs("</td>", f);
		td_text(f, e->format, 32);
		td_hex(f, e->off);
		td_u64(f, e->size);
		fprintf(f, "<td class=st-%s>%s</td><td class=err>", fv_xstatus_name(e->status),
			fv_xstatus_name(e->status));
		put_esc(f, e->error, MAX_TEXT);
		fputs("</td>", f);
		td_text(f, e->desc, MAX_TEXT);
		fputs("</tr>\n", f);
	}
	table_end(f);
	fputs("</section>\n", f);
}

static int cmp_strp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Every rule that fired, once, with what the catalogue says of it. */
static void rules(FILE *f, const struct fv_report *r, const struct fv_finding **all, size_t n)
{
	fputs("<section id=rules><h2>Rules</h2>\n<p>What each rule that fired means and what to do about it.</p>\n",
	      f);
	const char **ids = malloc((n + 1) * sizeof *ids);
	size_t k = 0;
	for (size_t i = 0; ids && i < n; i++)
		ids[k++] = all[i]->rule;
	if (ids)
		qsort(ids, k, sizeof *ids, cmp_strp);
	static const char *const cols[] = { "rule", "Rule", "count", "Findings", "summary", "Summary", "help", "Help",
					    NULL };
	table_begin(f, "rules", cols);
	for (size_t i = 0, j; ids && i < k; i = j) {
		for (j = i; j < k && !strcmp(ids[j], ids[i]); j++)
			;
		const struct fv_rule_info *ri = r->catalog ? fv_catalog_find(r->catalog, ids[i]) : NULL;
		fputs("<tr id=\"rule-", f);
		put_esc(f, ids[i], 64);
		fputs("\">", f);
		td_text(f, ids[i], 64);
		td_u64(f, j - i);
		td_text(f, ri ? ri->summary : "(not in the rule catalogue)", MAX_TEXT);
		fputs("<td>", f);
		if (ri && ri->help) {
			fputs("<details><summary>Help</summary>", f);
			put_esc(f, ri->help, 4000);
			for (size_t x = 0; x < ri->nrefs; x++) {
				const char *u = ri->refs[x];
				/* Only web links: a catalogue entry of a user's rules must not carry a script URL. */
				if (strncmp(u, "https://", 8) && strncmp(u, "http://", 7))
					continue;
				fputs("<br><a href=\"", f);
				put_esc(f, u, 400);
				fputs("\">", f);
				put_esc(f, u, 400);
				fputs("</a>", f);
			}
			fputs("</details>", f);
		}
		fputs("</td></tr>\n", f);
	}
	table_end(f);
	fputs("</section>\n", f);
	free(ids);
}

void fv_report_html(FILE *f, const struct fv_report *r)
{
	size_t n;
	const struct fv_finding **all = fv_report_findings(r, &n);
	if (!all) {
		fputs("<!DOCTYPE html><title>fwvet</title><p>out of memory</p>\n", f);
		return;
	}

	fputs("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
	      "script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
	      "<meta name=referrer content=no-referrer>\n"
	      "<meta name=viewport content=\"width=device-width, initial-scale=1\">\n<title>fwvet report: ",
	      f);
	const char *slash = r->u->image_path ? strrchr(r->u->image_path, '/') : NULL;
	put_esc(f, slash ? slash + 1 : r->u->image_path, 200);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
	header(f, r);
	nav(f);
	fputs("<main>\n", f);
	verdict(f, r, all, n);
	top_risks(f, all, n);

	static const char *const bkdr[] = { "backdoor", "exfiltration", NULL };
	fputs("<section id=backdoors><h2>Backdoors and espionage</h2>\n<p>Known backdoors, hidden listeners and code "
	      "that reaches outside addresses or sends data out.</p>\n", f);
	findings_table(f, r, "backdoors", all, n, bkdr);
	fputs("</section>\n", f);

	static const char *const cred[] = { "credential", "secret", "account", NULL };
	fputs("<section id=credentials><h2>Credentials and accounts</h2>\n<p>Default and hardcoded passwords, keys "
	      "and tokens, and accounts that should not be there.</p>\n", f);
	findings_table(f, r, "credentials", all, n, cred);
	accounts(f, r->res);
	fputs("</section>\n", f);

	static const char *const svc[] = { "service", NULL };
	fputs("<section id=services><h2>Boot services</h2>\n", f);
	services(f, r->res);
	fputs("<h3>Service findings</h3>\n", f);
	findings_table(f, r, "service-findings", all, n, svc);
	fputs("</section>\n", f);

	endpoints(f, r->res);
	supply(f, r->res);
	hardening(f, r);
	unsafe(f, r->res);
	extraction(f, r->u);

	fprintf(f, "<section id=findings><h2>All findings</h2>\n<p>%zu findings, worst first, each with the bytes that "
		   "triggered it (evidence is cut at %d bytes; the JSON report has it whole).</p>\n", n, MAX_EVIDENCE);
	findings_table(f, r, "findings", all, n, NULL);
	fputs("</section>\n", f);
	rules(f, r, all, n);
	fprintf(f, "</main>\n<footer class=muted style=\"padding:8px 24px\">fwvet %s. This page fetches nothing; its "
		   "tables sort by a click on a header and filter by the box above them; #sort=TABLE:COLUMN[:desc], "
		   "#filter=TABLE:TEXT and #sev=LEVEL in the address select a view.</footer>\n<script>\n%s</script>\n"
		   "</body></html>\n", FV_VERSION, script);
	free(all);
}
