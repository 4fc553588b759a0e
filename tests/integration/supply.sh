#!/bin/bash
# Supply chain end to end: components found in a router image by their
# version strings, file names and package database; every copy with its path;
# several versions of one component; known vulnerabilities from the curated
# rules with no import; end of life; and Debian's real mipsel busybox,
# dropbear and libssl3, named with the versions Debian ships.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"
cd "$FV_WORK"

# A shared library for MIPS that embeds a version string where the real one
# keeps it: a constant in .rodata, reached through an exported symbol.
mklib() { # OUT SONAME STRING
	printf 'const char fv_version_text[] = "%s";\nconst char *fv_version(void) { return fv_version_text; }\n' \
		"$3" > lib.c
	mipsel-linux-gnu-gcc -shared -fPIC -O2 -Wl,-soname,"$2" -o "$1" lib.c
}

# A program whose banner is one of its strings, among others.
mkprog() { # OUT STRING
	printf '#include <stdio.h>\nint main(int c, char **v) { (void)v; puts(c > 1 ? "usage" : "%s"); return 0; }\n' \
		"$2" > prog.c
	mipsel-linux-gnu-gcc -O2 -o "$1" prog.c
}

root=$FV_WORK/root
mkdir -p "$root"/{bin,lib,usr/lib/opkg,usr/sbin,opt/vpn/lib,usr/share/doc/openssl,www}
mklib "$root/usr/lib/libcrypto.so.1.0.0" libcrypto.so.1.0.0 "OpenSSL 1.0.1f 6 Jan 2014"
mklib "$root/opt/vpn/lib/libcrypto.so.1.0.0" libcrypto.so.1.0.0 "OpenSSL 1.0.1f 6 Jan 2014 (vpn build)"
mklib "$root/usr/lib/libssl.so.1.0.0" libssl.so.1.0.0 "OpenSSL 1.0.1g 7 Apr 2014"
mklib "$root/opt/vpn/lib/libssl.so.1.0.2" libssl.so.1.0.0 "OpenSSL 1.0.2k  26 Jan 2017"
mkprog "$root/bin/busybox" "BusyBox v1.24.1 (2016-02-11 10:22:43 CST) multi-call binary."
mkprog "$root/usr/sbin/dropbear" "SSH-2.0-dropbear_2016.74"
mkprog "$root/usr/sbin/dnsmasq" "dnsmasq-2.78"
mkprog "$root/usr/sbin/boa" "Server: Boa/0.94.14rc21"
mkprog "$root/usr/sbin/lighttpd" "lighttpd/1.4.35"
printf 'fake uClibc\n' > "$root/lib/libuClibc-0.9.33.2.so"
# Near misses: a licence that names OpenSSL without a version, a name inside
# another word, a version string cut by a NUL.
printf 'This product includes software developed by the OpenSSL Project\nfor use in the OpenSSL Toolkit (http://www.openssl.org/)\n' \
	> "$root/usr/share/doc/openssl/LICENSE"
printf 'Powered by TurboBoa/3.1 and XBusyBox v9.9.9 kit\n' > "$root/www/about.html"
printf 'OpenSSL 1.1\0.1w 11 Sep 2023\n' > "$root/www/cut.bin"
cat > "$root/usr/lib/opkg/status" <<'EOF'
Package: dnsmasq
Version: 2.78-3
Status: install user installed
Architecture: mipsel_24kc

Package: acme-ledd
Version: 1.2.3-1
Status: install user installed
Architecture: all
EOF
find "$root" -exec touch -h -d @"$SOURCE_DATE_EPOCH" {} +
mksquashfs "$root" rootfs.sqfs -all-root -noappend -quiet -comp xz > /dev/null
printf 'firmware header\n' > fw.bin
cat rootfs.sqfs >> fw.bin

R=$FV_WORK/r.json
rc=0
"$FWVET" scan --vulndb none --format json -o "$R" fw.bin || rc=$?
assert_eq 0 "$rc" "scan exits 0"

# Components and their copies.
check "OpenSSL 1.0.1f: two copies, each with its path" \
	'[.components[] | select(.name == "openssl" and .version == "1.0.1f") | .paths | length] == [2]'
check "OpenSSL 1.0.1f carries its CPE and purl" \
	'[.components[] | select(.name == "openssl" and .version == "1.0.1f")
	  | select(.cpe == "cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*"
		   and .purl == "pkg:generic/openssl@1.0.1f")] | length == 1'
check "OpenSSL ships in three versions: 1.0.1f, 1.0.1g, 1.0.2k" \
	'[.components[] | select(.name == "openssl") | .version] == ["1.0.1f", "1.0.1g", "1.0.2k"]'
check "several versions of OpenSSL is a supply-chain finding" \
	'[.findings[] | select(.rule == "FV-SUPPLY-001" and (.title | test("OpenSSL ships in 3 versions")))] | length == 1'
check "BusyBox 1.24.1" '[.components[] | select(.name == "busybox" and .version == "1.24.1")] | length == 1'
check "Dropbear 2016.74" '[.components[] | select(.name == "dropbear" and .version == "2016.74")] | length == 1'
check "dnsmasq 2.78 from its banner and its opkg entry, at both paths" \
	'[.components[] | select(.name == "dnsmasq" and .version == "2.78") | .paths[]
	  | select(endswith("!/usr/sbin/dnsmasq") or endswith("!/usr/lib/opkg/status"))] | length == 2'
check "a package no rule knows is still listed (acme-ledd 1.2.3)" \
	'[.components[] | select(.name == "acme-ledd" and .version == "1.2.3" and .cpe == null)] | length == 1'
check "Boa 0.94.14rc21" '[.components[] | select(.name == "boa" and .version == "0.94.14rc21")] | length == 1'
check "lighttpd 1.4.35" '[.components[] | select(.name == "lighttpd" and .version == "1.4.35")] | length == 1'
check "uClibc 0.9.33.2 from its file name" \
	'[.components[] | select(.name == "uclibc" and .version == "0.9.33.2" and .method == "filename")] | length == 1'
check "no component from the licence text, the word TurboBoa or the cut string" \
	'[.components[] | .paths[] | select(test("LICENSE|about.html|cut.bin"))] | length == 0'

# Vulnerabilities from rules/vulns alone (--vulndb none: nothing imported).
check "Heartbleed for OpenSSL 1.0.1f, known exploited, CVSS 7.5, at both copies" \
	'[.vulnerabilities[] | select(.id == "CVE-2014-0160" and .version == "1.0.1f" and .kev == true
	  and .cvss == 7.5 and (.paths | length) == 2)] | length == 1'
check "no Heartbleed for 1.0.1g (just outside the range) or 1.0.2k" \
	'[.vulnerabilities[] | select(.id == "CVE-2014-0160" and .version != "1.0.1f")] | length == 0'
check "a finding per vulnerability" \
	'[.findings[] | select(.rule == "FV-VULN-001" and (.evidence | startswith("CVE-2014-0160")))] | length == 1'
check "dnsmasq 2.78 is the fix of CVE-2017-14491: not reported" \
	'[.vulnerabilities[] | select(.id == "CVE-2017-14491")] | length == 0'
check "every vulnerability names its severity from its CVSS score" \
	'[.vulnerabilities[] | select(.cvss != null) | select(
	    (.cvss >= 9 and .severity != "critical") or (.cvss >= 7 and .cvss < 9 and .severity != "high")
	    or (.cvss >= 4 and .cvss < 7 and .severity != "medium"))] | length == 0'

# End of life.
check "OpenSSL 1.0.1 is past its end of support (2016-12-31)" \
	'[.components[] | select(.name == "openssl" and .version == "1.0.1f" and .eol == true
	  and .eol_date == "2016-12-31")] | length == 1'
check "an end-of-life component is a supply-chain finding" \
	'[.findings[] | select(.rule == "FV-SUPPLY-002" and (.title | test("OpenSSL 1.0.1f")))] | length == 1'
check "Boa is unmaintained altogether" \
	'[.components[] | select(.name == "boa" and .eol == true)] | length == 1'

# The text report says how many copies of how many versions.
"$FWVET" scan --vulndb none fw.bin > r.txt || true
if grep -q 'OpenSSL: 4 copies of 3 versions: 1.0.1f x2' r.txt && grep -q 'CVE-2014-0160' r.txt; then
	ok "text: 'OpenSSL: 4 copies of 3 versions: 1.0.1f x2' and the CVE"
else
	echo "FAIL: text report lacks the component line or the CVE" >&2
	sed -n '/^Components/,/^By category/p' r.txt >&2
	fv_failures=$((fv_failures + 1))
fi

# Real Debian binaries for mipsel: the versions Debian 12 ships.
deb=$FV_WORK/deb
sh "$FV_SRCDIR/tests/fixtures/foreign-debs.sh" mipsel "$deb" busybox-static dropbear-bin libssl3 ||
	fail "cannot fetch Debian's mipsel packages"
R=$FV_WORK/deb.json
"$FWVET" scan --vulndb none --format json -o "$R" "$deb" || true
check "Debian's busybox-static: BusyBox 1.35.0" \
	'[.components[] | select(.name == "busybox" and .version == "1.35.0")] | length >= 1'
check "BusyBox's built-in applets are listed (udhcpc, telnetd, httpd)" \
	'[.components[] | select(.name == "busybox") | .detail // "" | split(" ")
	  | select(index("udhcpc") and index("telnetd") and index("httpd"))] | length >= 1'
check "Debian's dropbear-bin: Dropbear 2022.83" \
	'[.components[] | select(.name == "dropbear" and .version == "2022.83")] | length >= 1'
check "Debian's libssl3: OpenSSL 3.0.x" \
	'[.components[] | select(.name == "openssl" and (.version | test("^3\\.0\\.[0-9]+$")))] | length >= 1'
check "Debian's libc6 for mipsel: glibc 2.36" \
	'[.components[] | select(.name == "glibc" and .version == "2.36")] | length >= 1'

[ "$fv_failures" = 0 ] || fail "$fv_failures checks failed"
finish
