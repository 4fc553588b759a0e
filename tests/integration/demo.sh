#!/bin/bash
# The sample firmware of `make demo`, end to end: every layer is found at its
# offset and the root filesystem comes out equal to the tree that built it.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

fw=$FV_WORK/router.bin
"$FV_SRCDIR/scripts/mkfirmware.sh" "$fw"

"$FWVET" identify --json "$fw" > "$FV_WORK/id.json"
assert_eq "uimage@0 squashfs@327680 gzip@393216" \
	"$(jq -r '[.chunks[] | select(.parent == null) | "\(.format)@\(.offset)"] | join(" ")' "$FV_WORK/id.json")" \
	"top-level chunks of the router image"
jq -e '.chunks[0].description | test("MIPS OpenWrt Linux-5.15.137") and test("lzma") and test("0x80060000")' \
	"$FV_WORK/id.json" >/dev/null || fail "uImage description lacks name, compression or load address"
ok "uImage description"

"$FWVET" extract --json "$fw" -C "$FV_WORK/out" > "$FV_WORK/x.json"
assert_eq "0" "$(jq '[.extraction[] | select(.status != "ok")] | length' "$FV_WORK/x.json")" \
	"every chunk extracted ok"
# uImage, squashfs (zeros to 4 KiB, then 0xFF) and tarball are each padded.
assert_eq "4" "$(jq '[.extraction[] | select(.format == "padding")] | length' "$FV_WORK/x.json")" \
	"padding after each part is reported"
assert_eq "0" "$(jq '[.extraction[] | select(.format == "unknown")] | length' "$FV_WORK/x.json")" \
	"no unknown gaps"
assert_eq "0" "$(find "$FV_WORK/out" -maxdepth 1 -name '*.padding' | wc -l)" "padding is not written"
root=$FV_WORK/out/0x50000.squashfs
assert_file "$root/etc/shadow"
assert_eq "busybox" "$(readlink "$root/bin/sh")" "symlink kept"
assert_eq "600" "$(stat -c %a "$root/etc/shadow")" "mode kept"
assert_eq "1777" "$(jq -r '.files[] | select(.path | endswith("squashfs!/tmp")) | .mode' "$FV_WORK/x.json")" \
	"sticky bit recorded"
assert_eq "/tmp/resolv.conf" "$(jq -r '.files[] | select(.path | endswith("!/etc/resolv.conf")) | .link' "$FV_WORK/x.json")" \
	"absolute symlink target recorded as stored"
assert_eq "../tmp/resolv.conf" "$(readlink "$root/etc/resolv.conf")" "absolute symlink rewritten inside the tree"
defaults=$(find "$FV_WORK/out/0x60000.gzip" -path '*.extracted/0x0.tar/etc/config/system' | head -1)
assert_file "$defaults"
cmp -s "$root/etc/config/system" "$defaults" ||
	fail "defaults tarball content differs from the root filesystem's copy"
ok "gzip'd tar of defaults recursed into"
kernel=$(jq -r '.files[] | select(.path | startswith("router.bin!0x0.uimage!/")) | .disk' "$FV_WORK/x.json")
assert_eq "504800" "$(stat -c %s "$FV_WORK/out/$kernel")" "kernel payload decompressed to its original size"
# The full scan of the demo: what the sample firmware plants is reported with its evidence.
"$FWVET" scan --format json -o "$FV_WORK/scan.json" "$fw"
jq -e '.schema == 1 and (.image.sha256 | length) == 64 and .image.format_chain == ["uimage","squashfs","gzip"]' \
	"$FV_WORK/scan.json" >/dev/null || fail "report header"
ok "report header: schema, image hash, format chain"
has() { # rule path-suffix evidence-substring
	jq -e --arg r "$1" --arg p "$2" --arg e "$3" \
		'[.findings[] | select(.rule == $r and (.path | endswith($p)) and (.evidence | contains($e)))] | length > 0' \
		"$FV_WORK/scan.json" >/dev/null || fail "expected $1 at *$2 with evidence containing '$3'"
	ok "$1 at *$2"
}
has FV-ACCT-001 '!/etc/passwd' support
has FV-CRED-001 '!/etc/shadow' admin
has FV-SVC-001 '!/etc/init.d/rcS' 'telnetd -l /bin/sh -p 2323'
has FV-BIN-001 '!/usr/sbin/cwmpd' '"x7Rq!cwmp#2016"'
assert_eq "critical" "$(jq -r '[.findings[] | select(.rule == "FV-BIN-001")][0].severity' "$FV_WORK/scan.json")" \
	"the stripped MIPS daemon's magic string is critical (it reads the network)"
assert_eq "text 0600" "$(jq -r '.files[] | select(.path | endswith("squashfs!/etc/shadow")) | "\(.kind) \(.mode)"' "$FV_WORK/scan.json")" \
	"inventory: kind and mode of /etc/shadow"
set +e
"$FWVET" scan --fail-on critical "$fw" > "$FV_WORK/scan.txt"
rc=$?
set -e
assert_eq "1" "$rc" "--fail-on critical exits 1 on the demo"
grep -q '^By category:' "$FV_WORK/scan.txt" || fail "text report has no category summary"
ok "text report"
finish
