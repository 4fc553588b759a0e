/*
 * The known-backdoor analyzer: every shipped intel rule fires on a program
 * built here with cc (or a blob written here) that carries the backdoor's
 * magic and its second indicator, and on nothing else; the same strings in a
 * README, an exploit script or a program without the second indicator give
 * only the low "names the string" finding; near misses give nothing.  Then
 * the user's own rules (--rules DIR), rule files that do not compile or
 * whose meta is wrong, and a large random file.
 */
#include "testlib.h"

#include "analyze/analyze.h"
#include "analyze/run.h"
#include "core/err.h"
#include "inventory/inventory.h"
#include "unpack/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern const struct fv_analyzer fv_analyzer_backdoor;

/* One shipped rule, the file that carries its backdoor and what must be reported. */
struct sample {
	const char *rule;
	const char *path;           /* in the tree; a program is built from strs */
	const char *strs[4];        /* C strings the program holds, magic first */
	const char *evidence;       /* the quoted magic the finding must start with */
	enum fv_severity sev;
	enum fv_conf conf;
};

static const struct sample samples[] = {
	{ "FV-BKDR-001", "bin/webs", { "xmlset_roodkcableoj28840ybtide", "User-Agent" },
	  "\"xmlset_roodkcableoj28840ybtide\" with \"User-Agent\" at 0x", FV_SEV_CRITICAL, FV_CONF_HIGH },
	{ "FV-BKDR-002", "bin/httpd", { "w302r_mfg", "GoAhead-Webs" },
	  "\"w302r_mfg\" with \"GoAhead\" at 0x", FV_SEV_CRITICAL, FV_CONF_HIGH },
	{ "FV-BKDR-004", "bin/appmgr", { "HELODBG", "/sbin/telnetd -l /bin/sh" },
	  "\"HELODBG\" with \"telnetd -l /bin/sh\" at 0x", FV_SEV_CRITICAL, FV_CONF_HIGH },
	{ "FV-BKDR-006", "bin/sshd", { "FGTAbc11*xy+Qqz27", "Fortimanager_Access" },
	  "\"FGTAbc11*xy+Qqz27\" with \"Fortimanager_Access\" at 0x", FV_SEV_CRITICAL, FV_CONF_HIGH },
	{ "FV-BKDR-007", "usr/sbin/zysh", { "PrOw!aN_fXp", "zyfwp" },
	  "\"PrOw!aN_fXp\" with \"zyfwp\" at 0x", FV_SEV_CRITICAL, FV_CONF_HIGH },
	{ "FV-BKDR-008", "usr/bin/httpd",
	  { "/userRpmNatDebugRpm26525557/linux_cmdline.html", "osteam", "5up" },
	  "\"userRpmNatDebugRpm26525557\" with \"linux_cmdline.html\" at 0x", FV_SEV_HIGH, FV_CONF_HIGH },
	{ "FV-BKDR-010", "bin/davinci", { "YWRtaW46MTEK", "/ISAPI/Security/userCheck" },
	  "\"YWRtaW46MTEK\" with \"/ISAPI/\" at 0x", FV_SEV_CRITICAL, FV_CONF_MEDIUM },
	{ "FV-BKDR-011", "bin/igdmptd", { "IGD MPT Interface daemon 1.0", "netcore", "Login successed!\r\n" },
	  "\"IGD MPT Interface daemon\" with \"netcore\" at 0x", FV_SEV_CRITICAL, FV_CONF_HIGH },
	{ "FV-BKDR-012", "bin/gs_cli", { "!#/", "port", "telnetd -p 20000 -l /bin/sh" },
	  "\"\\x00!#/\\x00\" with \"\\x00port\\x00\" at 0x", FV_SEV_HIGH, FV_CONF_MEDIUM },
	{ "FV-BKDR-014", "usr/sbin/telnetenabled", { "AMBIT_TELNET_ENABLE+", "/usr/sbin/utelnetd" },
	  "\"AMBIT_TELNET_ENABLE+\" with \"utelnetd\" at 0x", FV_SEV_HIGH, FV_CONF_MEDIUM },
};

#define NSAMPLES (sizeof samples / sizeof samples[0])

/* Every magic and its indicator, as a person would write them in a README. */
static const char readme[] =
	"Known router backdoors, for the support team\n"
	"D-Link: a User-Agent of xmlset_roodkcableoj28840ybtide skips the login.\n"
	"Tenda: GoAhead httpd answers w302r_mfg on UDP 7329 (MfgThread).\n"
	"SerComm: scfgmgr answers ScMM / MMcS on TCP 32764.\n"
	"D-Link DWR-932B: HELODBG to UDP 39889 runs telnetd -l /bin/sh.\n"
	"Juniper ScreenOS: the password <<< %s(un='%s') = %u works for any user.\n"
	"Fortinet: Fortimanager_Access with FGTAbc11*xy+Qqz27.\n"
	"Zyxel: zyfwp / PrOw!aN_fXp.\n"
	"TP-Link: /userRpmNatDebugRpm26525557/linux_cmdline.html, osteam / 5up.\n"
	"ZTE: web_shell_cmd.gch, please input shell command, sendcmd.\n"
	"Hikvision: /Security/users?auth=YWRtaW46MTEK\n"
	"Netis: IGD MPT Interface daemon on UDP 53413, password netcore.\n"
	"Grandstream: type !#/ port lol in the telnet CLI; telnetd on port 20000.\n"
	"D-Link DAP-1522: telnetd password wapnd01_dlink_dap1522.\n"
	"Netgear: telnetenabled, key AMBIT_TELNET_ENABLE+, starts utelnetd.\n";

/* The low finding each magic gives in the README (Sercomm has none: "ScMM" is four bytes). */
static const struct {
	const char *rule, *evidence;
} named[] = {
	{ "FV-BKDR-001", "\"xmlset_roodkcableoj28840ybtide\"" },
	{ "FV-BKDR-002", "\"w302r_mfg\"" },
	{ "FV-BKDR-004", "\"HELODBG\"" },
	{ "FV-BKDR-005", "\"<<< %s(un='%s') = %u\"" },
	{ "FV-BKDR-006", "\"FGTAbc11*xy+Qqz27\"" },
	{ "FV-BKDR-007", "\"PrOw!aN_fXp\"" },
	{ "FV-BKDR-008", "\"userRpmNatDebugRpm26525557\"" },
	{ "FV-BKDR-009", "\"web_shell_cmd.gch\"" },
	{ "FV-BKDR-010", "\"YWRtaW46MTEK\"" },
	{ "FV-BKDR-011", "\"IGD MPT Interface daemon\"" },
	{ "FV-BKDR-012", "\"!#/ port lol\"" },
	{ "FV-BKDR-013", "\"wapnd01_dlink_dap1522\"" },
	{ "FV-BKDR-014", "\"AMBIT_TELNET_ENABLE+\"" },
};

static void assert_prefix(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)))
		fail_msg("\"%s\" does not start with \"%s\"", s, prefix);
}

struct world {
	char dir[128];
	struct fv_results r;
};

static void put(const char *dir, const char *name, const void *p, size_t n)
{
	fv_test_write_file(dir, name, p, n);
}

/* A C program at dir/path whose .rodata holds strs, built with cc. */
static void build_program(const char *dir, const char *path, const char *const *strs, size_t n)
{
	char src[2048], name[256];
	int k = snprintf(src, sizeof src, "#include <stdio.h>\nstatic const char *const s[] = {");
	for (size_t i = 0; i < n && strs[i]; i++) {
		k += snprintf(src + k, sizeof src - (size_t)k, "\n\t\"");
		for (const char *c = strs[i]; *c; c++)
			k += snprintf(src + k, sizeof src - (size_t)k,
				      *c == '"' || *c == '\\' ? "\\%c" : *c < 0x20 ? "\\x%02x" : "%c",
				      (unsigned char)*c);
		k += snprintf(src + k, sizeof src - (size_t)k, "\",");
	}
	k += snprintf(src + k, sizeof src - (size_t)k,
		      "\n};\nint main(int argc, char **argv)\n{\n\t(void)argv;\n"
		      "\tif (argc > 99)\n\t\tfor (unsigned i = 0; i < sizeof s / sizeof s[0]; i++)\n"
		      "\t\t\tputs(s[i]);\n\treturn 0;\n}\n");
	assert_true((size_t)k < sizeof src);
	snprintf(name, sizeof name, "src/%s.c", path);
	for (char *c = name + 4; *c; c++)
		if (*c == '/')
			*c = '_';
	put(dir, name, src, (size_t)k);
	fv_test_sh(dir, "mkdir -p \"$(dirname '%s')\" && cc -O0 -o '%s' '%s'", path, path, name);
}

/* Bytes that libmagic and the inventory call data, with needles at known places. */
static uint8_t *blob(size_t n, uint32_t seed)
{
	uint8_t *p = malloc(n);
	assert_non_null(p);
	fv_test_fill_random(p, n, seed);
	p[0] = 0x00;
	p[1] = 0x9a; /* no ELF, no #!, not text */
	return p;
}

static int setup(void **state)
{
	if (!fv_test_have("cc"))
		return -1;
	struct world *w = calloc(1, sizeof *w);
	assert_non_null(w);
	fv_test_tmpdir(w->dir, sizeof w->dir, "bkdr");
	const char *d = w->dir;

	for (size_t i = 0; i < NSAMPLES; i++)
		build_program(d, samples[i].path, samples[i].strs, 4);

	/* SerComm on x86: the magic is an immediate, "MMcS" in the instruction bytes. */
	static const char scfg[] =
		"#include <stdio.h>\n#include <string.h>\n"
		"struct hdr { unsigned magic; int cmd; unsigned len; };\n"
		"int main(int argc, char **argv)\n{\n\tstruct hdr h;\n\tmemset(&h, 0, sizeof h);\n"
		"\tif (argc > 1)\n\t\tmemcpy(&h, argv[1], strlen(argv[1]) < sizeof h ? strlen(argv[1]) : sizeof h);\n"
		"\tif (h.magic == 0x53634d4du)\n\t\tputs(\"scfgmgr: message\");\n\treturn 0;\n}\n";
	put(d, "src/scfgmgr.c", scfg, sizeof scfg - 1);
	fv_test_sh(d, "mkdir -p usr/sbin && cc -O0 -o usr/sbin/scfgmgr src/scfgmgr.c");

	/* SerComm on MIPS big-endian: lui v0,0x5363; ori v0,v0,0x4d4d, in a raw blob. */
	uint8_t *b = blob(8192, 3);
	static const uint8_t mips[] = { 0x3c, 0x02, 0x53, 0x63, 0x00, 0x00, 0x00, 0x00,
					0x34, 0x42, 0x4d, 0x4d };
	memcpy(b + 4000, mips, sizeof mips);
	memcpy(b + 6000, "\0scfgmgr\0", 9);
	put(d, "lib/firmware/scfg_mips.bin", b, 8192);
	/* The same blob without the daemon name: four magic bytes are not enough. */
	memset(b + 6000, 'x', 9);
	put(d, "lib/firmware/scfg_nameless.bin", b, 8192);
	free(b);

	/* Juniper ScreenOS: a raw image, not ELF. */
	b = blob(16384, 5);
	memcpy(b + 1000, "NetScreen-5GT", 13);
	memcpy(b + 9000, "<<< %s(un='%s') = %u", 20);
	put(d, "ns5gt.bin", b, 16384);
	free(b);

	/* ZTE: the hidden page itself, a text template. */
	static const char page[] =
		"<html><head><title>F460 Webshell</title></head><body>\n"
		"<form method=\"post\"><textarea name=\"data\">please input shell command</textarea>\n"
		"<input type=\"hidden\" name=\"IF_ACTION\" value=\"sendcmd\"></form></body></html>\n";
	put(d, "home/httpd/web_shell_cmd.gch", page, sizeof page - 1);

	/* D-Link DAP-1522: the password file Alpha Networks firmware keeps. */
	put(d, "etc/config/image_sign", "wapnd01_dlink_dap1522\n", 22);

	/* Negatives. */
	put(d, "usr/share/doc/README", readme, sizeof readme - 1);
	static const char poc[] =
		"#!/usr/bin/env python3\nimport urllib.request\n"
		"r = urllib.request.Request('http://192.168.0.1/', "
		"headers={'User-Agent': 'xmlset_roodkcableoj28840ybtide'})\n";
	put(d, "usr/share/poc.py", poc, sizeof poc - 1);
	static const char *const near[] = { "xmlset_roodkcableoj28840ybtidf User-Agent",
					    "w302r_mgf GoAhead", "HELODBGX BYEDBG",
					    "FGTAbc11*xy+Qqz28 Fortimanager_Access" };
	build_program(d, "bin/nearmiss", near, 4);
	static const char *const lonely[] = { "FGTAbc11*xy+Qqz27", "some other text" };
	build_program(d, "bin/lonely", lonely, 2);
	/* One content at two paths: a finding at each. */
	fv_test_sh(d, "cp bin/webs bin/webs.bak && rm -rf src");

	fv_test_analyze(d, &fv_analyzer_backdoor, &w->r);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	if (!w)
		return 0;
	fv_results_free(&w->r);
	fv_test_rmtree(w->dir);
	free(w);
	return 0;
}

static const struct fv_finding *at(const struct fv_results *r, const char *rule, const char *path)
{
	char suffix[256];
	snprintf(suffix, sizeof suffix, "!/%s", path);
	return fv_test_finding(r, rule, suffix);
}

/* How many findings are at path (any rule). */
static size_t count_at(const struct fv_results *r, const char *path)
{
	char suffix[256];
	snprintf(suffix, sizeof suffix, "!/%s", path);
	size_t n = 0, sl = strlen(suffix);
	for (size_t i = 0; i < r->findings.n; i++) {
		size_t pl = strlen(r->findings.v[i].path);
		n += pl >= sl && strcmp(r->findings.v[i].path + pl - sl, suffix) == 0;
	}
	return n;
}

static void test_programs(void **state)
{
	struct world *w = *state;
	for (size_t i = 0; i < NSAMPLES; i++) {
		const struct sample *s = &samples[i];
		const struct fv_finding *f = at(&w->r, s->rule, s->path);
		if (!f)
			fail_msg("%s: no finding at %s", s->rule, s->path);
		assert_string_equal(f->category, "backdoor");
		if (f->severity != s->sev || f->confidence != s->conf)
			fail_msg("%s: %s/%s, expected %s/%s", s->rule, fv_severity_name(f->severity),
				 fv_conf_name(f->confidence), fv_severity_name(s->sev),
				 fv_conf_name(s->conf));
		if (strncmp(f->evidence, s->evidence, strlen(s->evidence)))
			fail_msg("%s: evidence %s, expected it to start %s", s->rule, f->evidence,
				 s->evidence);
		assert_int_equal(count_at(&w->r, s->path), 1);
		/* The offset is where the magic is in the file. */
		char path[256];
		snprintf(path, sizeof path, "%s/%s", w->dir, s->path);
		size_t n;
		uint8_t *p = fv_test_load(NULL, path, &n);
		assert_true(f->offset < n);
		const char *ev = s->evidence + 1;
		size_t evn = strcspn(ev, "\"");
		if (ev[0] == '\\') /* "\x00!#/\x00": the hex string starts at the NUL */
			assert_int_equal(p[f->offset], 0);
		else
			assert_memory_equal(p + f->offset, ev, evn);
		free(p);
	}
}

static void test_evidence_and_title(void **state)
{
	struct world *w = *state;
	const struct fv_finding *f = at(&w->r, "FV-BKDR-001", "bin/webs");
	assert_non_null(f);
	/* Every second indicator's offset is the real one. */
	char path[256];
	snprintf(path, sizeof path, "%s/bin/webs", w->dir);
	size_t n;
	uint8_t *p = fv_test_load(NULL, path, &n);
	const uint8_t *magic = memmem(p, n, "xmlset_roodkcableoj28840ybtide", 30);
	const uint8_t *ua = memmem(p, n, "User-Agent", 10);
	assert_non_null(magic);
	assert_non_null(ua);
	assert_int_equal(f->offset, (uint64_t)(magic - p));
	char want[160];
	snprintf(want, sizeof want, "\"xmlset_roodkcableoj28840ybtide\" with \"User-Agent\" at 0x%zx",
		 (size_t)(ua - p));
	assert_string_equal(f->evidence, want);
	free(p);
	/* The title names the backdoor and its public record. */
	assert_non_null(strstr(f->title, "magic User-Agent"));
	assert_non_null(strstr(f->title, "CVE-2013-6026"));
	assert_non_null(strstr(f->title, "devttys0.com/2013/10/reverse-engineering-a-d-link-backdoor"));
	/* No CVE: the reference alone. */
	f = at(&w->r, "FV-BKDR-002", "bin/httpd");
	assert_non_null(f);
	assert_non_null(strstr(f->title, "(http://www.devttys0.com/2013/10/from-china-with-love/)"));
	/* Content scope: the copy has its own finding with the same evidence. */
	const struct fv_finding *g = at(&w->r, "FV-BKDR-001", "bin/webs.bak");
	assert_non_null(g);
	assert_string_equal(g->evidence, at(&w->r, "FV-BKDR-001", "bin/webs")->evidence);
	assert_string_not_equal(g->id, at(&w->r, "FV-BKDR-001", "bin/webs")->id);
}

static void test_blobs_and_pages(void **state)
{
	struct world *w = *state;
	/* SerComm, x86 immediate. */
	const struct fv_finding *f = at(&w->r, "FV-BKDR-003", "usr/sbin/scfgmgr");
	assert_non_null(f);
	assert_int_equal(f->severity, FV_SEV_CRITICAL);
	assert_prefix(f->evidence, "\"MMcS\" with \"scfgmgr\" at 0x");
	/* SerComm, MIPS lui/ori pair. */
	f = at(&w->r, "FV-BKDR-003", "lib/firmware/scfg_mips.bin");
	assert_non_null(f);
	assert_int_equal(f->offset, 4000);
	assert_string_equal(f->evidence, "\"<\\x02Sc\\x00\\x00\\x00\\x004BMM\" with \"scfgmgr\" at 0x1771");
	assert_int_equal(count_at(&w->r, "lib/firmware/scfg_nameless.bin"), 0);
	/* Juniper in a raw image. */
	f = at(&w->r, "FV-BKDR-005", "ns5gt.bin");
	assert_non_null(f);
	assert_int_equal(f->severity, FV_SEV_CRITICAL);
	assert_int_equal(f->offset, 9000);
	assert_string_equal(f->evidence, "\"<<< %s(un='%s') = %u\" with \"NetScreen\" at 0x3e8");
	/* ZTE: the page is text, judged by its name and content. */
	f = at(&w->r, "FV-BKDR-009", "home/httpd/web_shell_cmd.gch");
	assert_non_null(f);
	assert_int_equal(f->severity, FV_SEV_CRITICAL);
	assert_prefix(f->evidence, "\"input shell command\" with \"sendcmd\" at 0x");
}

static void test_text_files_with_a_name(void **state)
{
	struct world *w = *state;
	const struct fv_finding *f = at(&w->r, "FV-BKDR-013", "etc/config/image_sign");
	assert_non_null(f);
	assert_int_equal(f->severity, FV_SEV_CRITICAL);
	assert_int_equal(f->offset, 0);
	assert_string_equal(f->evidence, "\"wapnd01_dlink_dap1522\"");
}

static void test_readme_is_low(void **state)
{
	struct world *w = *state;
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
		const struct fv_finding *f = at(&w->r, named[i].rule, "usr/share/doc/README");
		if (!f)
			fail_msg("%s: no low finding in the README", named[i].rule);
		if (f->severity != FV_SEV_LOW || f->confidence != FV_CONF_LOW)
			fail_msg("%s in README: %s, expected low", named[i].rule,
				 fv_severity_name(f->severity));
		assert_string_equal(f->evidence, named[i].evidence);
		char magic[64];
		snprintf(magic, sizeof magic, "%.*s", (int)strlen(named[i].evidence) - 2,
			 named[i].evidence + 1);
		const char *hit = strstr(readme, magic);
		assert_non_null(hit);
		assert_int_equal(f->offset, (uint64_t)(hit - readme));
	}
	assert_null(at(&w->r, "FV-BKDR-003", "usr/share/doc/README"));
	assert_int_equal(count_at(&w->r, "usr/share/doc/README"), sizeof named / sizeof named[0]);
}

static void test_script_and_near_misses(void **state)
{
	struct world *w = *state;
	/* An exploit script holds magic and indicator, but is not the backdoor. */
	const struct fv_finding *f = at(&w->r, "FV-BKDR-001", "usr/share/poc.py");
	assert_non_null(f);
	assert_int_equal(f->severity, FV_SEV_LOW);
	assert_int_equal(count_at(&w->r, "usr/share/poc.py"), 1);
	/* A program with the passphrase but not the account: low. */
	f = at(&w->r, "FV-BKDR-006", "bin/lonely");
	assert_non_null(f);
	assert_int_equal(f->severity, FV_SEV_LOW);
	assert_int_equal(count_at(&w->r, "bin/lonely"), 1);
	/* One character off: nothing. */
	assert_int_equal(count_at(&w->r, "bin/nearmiss"), 0);
}

/* ---- the user's rules ---------------------------------------------------------- */

static void test_user_rules(void **state)
{
	(void)state;
	char root[128], rules[128];
	fv_test_tmpdir(root, sizeof root, "bkdr-root");
	fv_test_tmpdir(rules, sizeof rules, "bkdr-rules");
	static const char mine[] =
		"rule acme_debug_port\n{\n"
		"    meta:\n        description = \"ACME debug daemon listens on TCP 7777\"\n"
		"        severity = \"high\"\n        reference = \"https://example.com/acme\"\n"
		"    strings:\n        $a = \"ACME-DEBUG-7777\"\n"
		"    condition:\n        $a and fv_name == \"acmed\"\n}\n";
	fv_test_write_file(rules, "mine.yar", mine, sizeof mine - 1);
	static const char theirs[] =
		"rule with_id\n{\n    meta:\n        id = \"ACME-002\"\n"
		"        category = \"exfiltration\"\n        confidence = \"low\"\n"
		"    strings:\n        $b = { 41 43 4D 45 2D 55 50 4C 4F 41 44 }\n"
		"    condition:\n        $b\n}\n"
		"private rule helper { condition: filesize > 0 }\n";
	fv_test_write_file(rules, "vendor/acme/upload.yara", theirs, sizeof theirs - 1);
	fv_test_write_file(rules, "notes.txt", "rule broken {", 13); /* not a rule file */
	static const char acmed[] = "#!/bin/sh\n# ACME-DEBUG-7777 ACME-UPLOAD\n";
	static const char other[] = "#!/bin/sh\n# ACME-DEBUG-7777\n";
	fv_test_write_file(root, "usr/sbin/acmed", acmed, sizeof acmed - 1);
	fv_test_write_file(root, "usr/sbin/other", other, sizeof other - 1);

	struct fv_results r;
	fv_test_analyze_rules(root, &fv_analyzer_backdoor, rules, &r);
	const struct fv_finding *f = fv_test_finding(&r, "FV-USER-acme_debug_port", "/usr/sbin/acmed");
	assert_non_null(f);
	assert_int_equal(f->severity, FV_SEV_HIGH);
	assert_int_equal(f->confidence, FV_CONF_MEDIUM);
	assert_string_equal(f->category, "backdoor");
	assert_int_equal(f->offset, 12);
	assert_string_equal(f->evidence, "\"ACME-DEBUG-7777\"");
	assert_string_equal(f->title, "ACME debug daemon listens on TCP 7777 (https://example.com/acme)");
	/* fv_name: the other program holds the string under another name. */
	assert_null(fv_test_finding(&r, "FV-USER-acme_debug_port", "/usr/sbin/other"));
	f = fv_test_finding(&r, "ACME-002", "/usr/sbin/acmed");
	assert_non_null(f);
	assert_int_equal(f->severity, FV_SEV_MEDIUM);
	assert_int_equal(f->confidence, FV_CONF_LOW);
	assert_string_equal(f->category, "exfiltration");
	assert_string_equal(f->title, "YARA rule with_id matched");
	assert_int_equal(f->offset, 28);
	assert_int_equal(fv_test_count(&r, NULL), 2);
	fv_results_free(&r);
	fv_test_rmtree(root);
	fv_test_rmtree(rules);
}

/* fv_analysis_open with the user's folder; returns its rc and leaves the message in err. */
static int open_with(const char *rules, char *err, size_t errlen)
{
	const struct fv_analyzer *only[2] = { &fv_analyzer_backdoor, NULL };
	struct fv_aopts o = { .rules_dir = NULL, .user_rules = rules, .threads = 1, .only = only };
	struct fv_actx *a = NULL;
	err[0] = 0;
	int rc = fv_analysis_open(&o, &a, err, errlen);
	fv_analysis_close(a);
	return rc;
}

static void test_syntax_error(void **state)
{
	(void)state;
	char rules[128], err[512];
	fv_test_tmpdir(rules, sizeof rules, "bkdr-bad");
	static const char bad[] = "rule ok { condition: true }\n\nrule oops {\n    strings: $a = = \"xyzw\"\n"
				  "    condition: $a\n}\n";
	fv_test_write_file(rules, "bad.yar", bad, sizeof bad - 1);
	assert_int_not_equal(open_with(rules, err, sizeof err), FV_OK);
	char want[256];
	snprintf(want, sizeof want, "%s/bad.yar:4: syntax error", rules);
	if (!strstr(err, want))
		fail_msg("error \"%s\" does not name %s", err, want);
	fv_test_rmtree(rules);
}

static void test_bad_meta(void **state)
{
	(void)state;
	static const struct {
		const char *rule, *want;
	} cases[] = {
		{ "rule r1 { meta: severity = \"urgent\" condition: true }",
		  "bad.yar: rule r1: meta severity: expected critical, high, medium, low or info, found \"urgent\"" },
		{ "rule r2 { meta: severity = 3 condition: true }",
		  "bad.yar: rule r2: meta severity: expected a string" },
		{ "rule r3 { meta: category = \"spyware\" condition: true }",
		  "bad.yar: rule r3: meta category: expected one of" },
		{ "rule r4 { meta: id = \"has space\" condition: true }",
		  "bad.yar: rule r4: meta id: expected at most 64 of A-Z a-z 0-9 . _ -, found \"has space\"" },
		{ "rule r5 { condition: fv_size > 0 }", "bad.yar:1: " },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char rules[128], err[512];
		fv_test_tmpdir(rules, sizeof rules, "bkdr-meta");
		fv_test_write_file(rules, "bad.yar", cases[i].rule, strlen(cases[i].rule));
		assert_int_not_equal(open_with(rules, err, sizeof err), FV_OK);
		if (!strstr(err, cases[i].want))
			fail_msg("case %zu: error \"%s\", expected \"%s\"", i, err, cases[i].want);
		fv_test_rmtree(rules);
	}
	/* An empty user folder is fine. */
	char rules[128], err[512];
	fv_test_tmpdir(rules, sizeof rules, "bkdr-empty");
	assert_int_equal(open_with(rules, err, sizeof err), FV_OK);
	fv_test_rmtree(rules);
}

/* ---- a large file ---------------------------------------------------------- */

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void test_large_random(void **state)
{
	(void)state;
	const size_t size = 64u << 20;
	char dir[128], err[512];
	fv_test_tmpdir(dir, sizeof dir, "bkdr-big");
	uint8_t *p = malloc(size);
	assert_non_null(p);
	fv_test_fill_random(p, size, 0x5eed);
	fv_test_write_file(dir, "big.bin", p, size);
	free(p);
	struct fv_unpack u;
	struct fv_inventory inv;
	assert_int_equal(fv_inventory_walk(dir, &u, err, sizeof err), FV_OK);
	assert_int_equal(fv_inventory_build(&u, dir, 1, &inv, err, sizeof err), FV_OK);
	const struct fv_analyzer *only[2] = { &fv_analyzer_backdoor, NULL };
	struct fv_aopts o = { .rules_dir = NULL, .user_rules = NULL, .threads = 1, .only = only };
	struct fv_actx *a;
	assert_int_equal(fv_analysis_open(&o, &a, err, sizeof err), FV_OK);
	struct fv_results r;
	memset(&r, 0, sizeof r);
	double t0 = now();
	assert_int_equal(fv_analysis_run(a, &inv, &r), FV_OK);
	double dt = now() - t0;
	fv_analysis_close(a);
	print_message("backdoor: 64 MiB of random bytes in %.2f s (%.0f MB/s)\n", dt,
		      (double)size / 1e6 / (dt > 0 ? dt : 1e-9));
	assert_int_equal(r.findings.n, 0);
	fv_results_free(&r);
	fv_inventory_free(&inv);
	fv_unpack_free(&u);
	fv_test_rmtree(dir);
}

/* A short indicator repeated millions of times: bounded work, first offsets kept. */
static void test_many_matches(void **state)
{
	(void)state;
	static const char unit[] = "telnetd\0auth=\0HELODBG\0";
	const size_t reps = (32u << 20) / (sizeof unit - 1), size = 1 + reps * (sizeof unit - 1) + 12;
	uint8_t *p = malloc(size);
	assert_non_null(p);
	p[0] = 0;
	for (size_t i = 0; i < reps; i++)
		memcpy(p + 1 + i * (sizeof unit - 1), unit, sizeof unit - 1);
	memcpy(p + size - 12, "YWRtaW46MTEK", 12);
	char dir[128];
	fv_test_tmpdir(dir, sizeof dir, "bkdr-many");
	fv_test_write_file(dir, "bin/davinci", p, size);
	free(p);
	struct fv_results r;
	double t0 = now();
	fv_test_analyze(dir, &fv_analyzer_backdoor, &r);
	print_message("backdoor: %zu MiB with 4.2 million repeated indicators in %.2f s\n", size >> 20,
		      now() - t0);
	const struct fv_finding *f = fv_test_finding(&r, "FV-BKDR-010", "!/bin/davinci");
	assert_non_null(f);
	assert_int_equal(f->severity, FV_SEV_CRITICAL);
	assert_int_equal(f->offset, size - 12);
	assert_string_equal(f->evidence, "\"YWRtaW46MTEK\" with \"auth=\" at 0x9");
	/* HELODBG without telnetd -l /bin/sh or BYEDBG: only named. */
	f = fv_test_finding(&r, "FV-BKDR-004", "!/bin/davinci");
	assert_non_null(f);
	assert_int_equal(f->severity, FV_SEV_LOW);
	assert_int_equal(f->offset, 15);
	assert_int_equal(r.findings.n, 2);
	fv_results_free(&r);
	fv_test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest shipped[] = {
		cmocka_unit_test(test_programs),
		cmocka_unit_test(test_evidence_and_title),
		cmocka_unit_test(test_blobs_and_pages),
		cmocka_unit_test(test_text_files_with_a_name),
		cmocka_unit_test(test_readme_is_low),
		cmocka_unit_test(test_script_and_near_misses),
	};
	const struct CMUnitTest user[] = {
		cmocka_unit_test(test_user_rules),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_bad_meta),
		cmocka_unit_test(test_large_random),
		cmocka_unit_test(test_many_matches),
	};
	int fails = cmocka_run_group_tests_name("shipped intel rules", shipped, setup, teardown);
	fails += cmocka_run_group_tests_name("user rules and limits", user, NULL, NULL);
	return fails;
}
