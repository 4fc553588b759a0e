#!/bin/bash
# The peer inputs of binwalk v3 (../shared/corpus/binwalk-v3, see its
# MANIFEST.md): for each file whose format fwvet reads so far, identify reports
# the format at the offsets binwalk's tests expect, and extraction produces
# the content, checked by name and size, not by exit status alone.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"
C=$FV_CORPUS/binwalk-v3
[ -d "$C" ] || fail "peer corpus not found at $C"

# expect_chunks FILE "fmt@off ..." (all chunks, nested ones included)
expect_chunks() {
	"$FWVET" identify --json "$C/$1" > "$FV_WORK/$1.id.json"
	assert_eq "$2" "$(jq -r '[.chunks[] | "\(.format)@\(.offset)"] | join(" ")' "$FV_WORK/$1.id.json")" \
		"identify $1"
}
# extract FILE: extraction JSON in $FV_WORK/FILE.x.json, tree in $FV_WORK/FILE.out
extract() {
	"$FWVET" extract --json "$C/$1" -C "$FV_WORK/$1.out" > "$FV_WORK/$1.x.json"
}
status_of() { jq -r --arg f "$2" '[.extraction[] | select(.format == $f)][0].status' "$FV_WORK/$1.x.json"; }

expect_chunks 7z.bin "7z@0"
extract 7z.bin
assert_eq ok "$(status_of 7z.bin 7z)" "7z.bin extracts"
[ "$(find "$FV_WORK/7z.bin.out/0x0.7z" -type f | wc -l)" -ge 1 ] || fail "7z.bin: no member extracted"
ok "7z.bin members"

# ARJ: the second hit is a member header inside the first archive.
"$FWVET" identify --json "$C/arj.bin" > "$FV_WORK/arj.id.json"
assert_eq "arj@13:null arj@70:13" \
	"$(jq -r '[.chunks[] | "\(.format)@\(.offset):\(.parent)"] | join(" ")' "$FV_WORK/arj.id.json")" \
	"identify arj.bin: 0xD, and 0x46 inside it"
extract arj.bin
assert_eq "arj@13" "$(jq -r '[.extraction[] | select(.format == "arj") | "arj@\(.offset)"] | join(" ")' "$FV_WORK/arj.bin.x.json")" \
	"arj.bin extracted once, at 0xD"
assert_file "$FV_WORK/arj.bin.out/0xd.arj/secret.txt"

expect_chunks bzip2.bin "bzip2@0"
extract bzip2.bin
assert_eq ok "$(status_of bzip2.bin bzip2)" "bzip2.bin extracts"
assert_eq 21043 "$(jq '[.files[] | select(.path | startswith("bzip2.bin!0x0.bzip2!/"))][0].size' "$FV_WORK/bzip2.bin.x.json")" \
	"bzip2.bin decompressed size"

expect_chunks gzip.bin "gzip@0"
extract gzip.bin
assert_file "$FV_WORK/gzip.bin.out/0x0.gzip/lsb-release"
grep -q DISTRIB "$FV_WORK/gzip.bin.out/0x0.gzip/lsb-release" || fail "gzip.bin: lsb-release content"
ok "gzip.bin content"

extract squashfs.bin
jq -e '.extraction[0] | .format == "squashfs" and .offset == 0 and .status == "ok"' "$FV_WORK/squashfs.bin.x.json" >/dev/null ||
	fail "squashfs.bin not extracted ok at 0"
[ "$(find "$FV_WORK/squashfs.bin.out/0x0.squashfs" -type f | wc -l)" -ge 1 ] || fail "squashfs.bin: no file"
ok "squashfs.bin extracts"

expect_chunks zip.bin "zip@0"
extract zip.bin
assert_eq ok "$(status_of zip.bin zip)" "zip.bin extracts"
assert_file "$FV_WORK/zip.bin.out/0x0.zip/CH-sys-48.53.64.67.bin"

extract zip_truncated.bin
assert_eq partial "$(status_of zip_truncated.bin zip)" "zip_truncated.bin is partial"
[ "$(find "$FV_WORK/zip_truncated.bin.out/0x0.zip" -type f | wc -l)" -ge 1 ] ||
	fail "zip_truncated.bin: the complete members should be extracted"
ok "zip_truncated.bin yields what is there"
finish
