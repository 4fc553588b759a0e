#!/bin/bash
# `fwvet scan` end to end on a router flash set up with care: the same
# busybox, dropbear and glibc as the planted image, a strong root hash, a
# console behind /bin/login, a commented-out telnetd, a private address and
# an address in a copyright notice.  Nothing may be reported high or
# critical, and the inventory and records still describe the system.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

img=$FV_FIXTURES/scan/clean.bin
"$FV_SRCDIR/tests/fixtures/mkscanimage.sh" clean "$img"
cd "$FV_WORK"
cp "$img" clean.bin
R=$FV_WORK/r.json

rc=0
"$FWVET" scan --format json -o r.json clean.bin || rc=$?
assert_eq 0 "$rc" "scan exits 0"
rc=0
"$FWVET" scan --fail-on high clean.bin > r.txt || rc=$?
if [ "$rc" = 0 ]; then
	ok "--fail-on high exits 0"
else
	echo "FAIL: --fail-on high exits 0: got $rc" >&2
	fv_failures=$((fv_failures + 1))
fi
check "no finding is high or critical" \
	'[.findings[] | select(.severity == "high" or .severity == "critical")] | length == 0'
check "no account, credential or secret finding at all" \
	'[.findings[] | select(.rule | test("^FV-(ACCT|CRED|SECR)-"))] | length == 0'
check "the commented-out telnetd is not a service (no FV-SVC-001)" \
	'[.findings[] | select(.rule == "FV-SVC-001")] | length == 0'
check "the console asks for a login (no FV-SVC-005)" \
	'[.findings[] | select(.rule == "FV-SVC-005")] | length == 0'
check "no reverse shell, exfiltration or backdoor finding" \
	'[.findings[] | select(.rule | test("^FV-(NET-00[23]|BKDR-)"))] | length == 0'

# The inventory: Debian's busybox-static for mipsel, and its applet links.
check "files: /bin/busybox is an ELF of arch mips" \
	'[.files[] | select((.path | endswith("!/bin/busybox")) and .arch == "mips")] | length == 1'
check "files: /usr/sbin/ledd (cross-compiled) is an ELF of arch mips" \
	'[.files[] | select((.path | endswith("!/usr/sbin/ledd")) and .arch == "mips")] | length == 1'
check "files: /bin/sh is a link to busybox" \
	'[.files[] | select((.path | endswith("!/bin/sh")) and .link == "busybox")] | length == 1'

# The records describe the system without judging it.
check "accounts: root, sha512crypt, password not recovered" \
	'[.accounts[] | select(.name == "root" and .uid == 0 and .hash_type == "sha512crypt"
		and .password == null)] | length >= 1'
check "accounts: the only uid 0 account is root" \
	'[.accounts[] | select(.uid == 0) | .name] | unique == ["root"]'
check "services: dropbear -p 22 from rcS" \
	'[.services[] | select((.program | endswith("dropbear")) and (.args | startswith("-p 22"))
		and (.path | endswith("!/etc/init.d/rcS")))] | length == 1'
check "services: no telnetd" '[.services[] | select(.program | endswith("telnetd"))] | length == 0'
check "services: the console runs /bin/login" \
	'[.services[] | select(.program == "/bin/login" and (.path | endswith("!/etc/inittab")))] | length >= 1'
check "endpoints: 192.168.1.1 is never outside" \
	'[.endpoints[] | select(.value == "192.168.1.1" and .outside != false)] | length == 0'

if grep -q '^By category:' r.txt; then
	ok "text report has its category summary"
else
	echo "FAIL: text report lacks 'By category:'" >&2
	fv_failures=$((fv_failures + 1))
fi

if [ "$fv_failures" -gt 0 ]; then
	echo "The report's findings:" >&2
	jq -r '.findings[] | "  \(.rule) \(.severity)/\(.confidence) \(.path) @\(.offset): \(.evidence)"' "$R" >&2
	fail "$fv_failures checks failed"
fi
finish
