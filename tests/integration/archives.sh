# Archives made by the real tools from one root filesystem tree: GNU tar,
# cpio (newc, odc, bin), zip and 7z (7zz), ISO 9660 (xorriso, Rock Ridge), ar
# (binutils) and ARJ (arj, every method); a gzip'd tar update package; and
# binwalk's peer samples.  Each is identified at offset 0 with the file's
# exact size, and extracted to the tree that built it -- or to the part of
# it the format can carry.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

cd "$FV_WORK"
make_rootfs rootfs
# A hard link, for the formats that keep them (extracted as a copy).
ln rootfs/bin/busybox rootfs/bin/ash
touch -h -d @"$SOURCE_DATE_EPOCH" rootfs/bin rootfs/bin/busybox
EXPECTED="$FV_WORK/expected"
rm -rf "$EXPECTED"
cp -a rootfs "$EXPECTED"
chmod 0777 "$EXPECTED/tmp" # the sticky bit is recorded, not applied

# Only the regular files: name, mode, hash (for formats without folders or links).
files_manifest() { tree_manifest "$1" | awk '$2 == "f"'; }
# Names, types, link targets and hashes, without modes.
nomode_manifest() { tree_manifest "$1" | awk '{ if ($2 == "f") print $1, $2, $4; else if ($2 == "d") print $1, $2; else print }'; }
assert_same() { # manifest-function EXPECTED ACTUAL MESSAGE
	"$1" "$2" > "$FV_WORK/expected.m"
	"$1" "$3" > "$FV_WORK/actual.m"
	diff -u "$FV_WORK/expected.m" "$FV_WORK/actual.m" >&2 || fail "$4: trees differ"
	ok "$4 ($(wc -l < "$FV_WORK/expected.m") entries)"
}

# identify IMAGE FORMAT: one top-level chunk, at 0, of the whole file, high confidence.
identify_whole() {
	"$FWVET" identify --json "$1" > "$1.id.json"
	assert_eq "0 $(stat -c %s "$1") $2 high" \
		"$(json_get "$1.id.json" '[.chunks[] | select(.parent == null)] | .[0] | "\(.offset) \(.size) \(.format) \(.confidence)"')" \
		"$1: identified as $2 at 0, whole file"
	assert_eq 1 "$(json_get "$1.id.json" '[.chunks[] | select(.parent == null)] | length')" \
		"$1: one top-level chunk"
}

# extract IMAGE: status ok for the top chunk
extract_ok() {
	rm -rf "out-$1"
	"$FWVET" extract --json "$1" -C "out-$1" > "$1.x.json" || fail "$1: extract exit $?"
	assert_eq "ok" "$(json_get "$1.x.json" '[.extraction[] | select(.offset == 0 and (.path | split("!") | length) == 2)] | .[0].status')" \
		"$1: extraction ok"
}

# ---- tar --------------------------------------------------------------------
tar --sort=name --mtime=@"$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
	-C rootfs -cf rootfs.tar .
identify_whole rootfs.tar tar
extract_ok rootfs.tar
assert_same_tree "$EXPECTED" out-rootfs.tar/0x0.tar "tar: tree"
assert_eq "01777" "$(json_get rootfs.tar.x.json '.files[] | select(.path | endswith("!/tmp")) | .mode' | sed 's/^0*/0/')" \
	"tar: sticky bit of /tmp recorded"

# ---- cpio -------------------------------------------------------------------
for h in newc odc bin; do
	(cd rootfs && find . | sort | cpio -o -H "$h" --reproducible --quiet) > "rootfs-$h.cpio"
	identify_whole "rootfs-$h.cpio" cpio
	extract_ok "rootfs-$h.cpio"
	assert_same_tree "$EXPECTED" "out-rootfs-$h.cpio/0x0.cpio" "cpio $h: tree"
done
case "$(json_get rootfs-newc.cpio.id.json '.chunks[0].description')" in
'cpio archive (SVR4 newc), 21 entries, first "."') ok "cpio: description" ;;
*) fail "cpio description: $(json_get rootfs-newc.cpio.id.json '.chunks[0].description')" ;;
esac

# ---- zip and 7z (7zz; -snl keeps symlinks as links) ---------------------------
(cd rootfs && 7zz a -tzip -snl -bd -bso0 ../rootfs.zip .)
identify_whole rootfs.zip zip
extract_ok rootfs.zip
assert_same_tree "$EXPECTED" out-rootfs.zip/0x0.zip "zip: tree"

(cd rootfs && 7zz a -t7z -snl -bd -bso0 ../rootfs.7z .)
identify_whole rootfs.7z 7z
extract_ok rootfs.7z
assert_same_tree "$EXPECTED" out-rootfs.7z/0x0.7z "7z: tree"

# A zip with an encrypted member: the plain member comes out, the other is
# reported and skipped.
echo secret > s.txt
echo plain > p.txt
rm -f enc.zip
7zz a -tzip -psecret -bso0 enc.zip s.txt
7zz a -tzip -bso0 enc.zip p.txt
rm -rf out-enc
"$FWVET" extract --json enc.zip -C out-enc > enc.x.json
assert_eq "partial" "$(json_get enc.x.json '.extraction[0].status')" "encrypted zip: partial"
case "$(json_get enc.x.json '.extraction[0].error')" in
*'s.txt'*'encrypted'*) ok "encrypted zip: the encrypted member is named" ;;
*) fail "encrypted zip error: $(json_get enc.x.json '.extraction[0].error')" ;;
esac
assert_eq "plain" "$(cat out-enc/0x0.zip/p.txt)" "encrypted zip: the plain member extracted"
[ ! -e out-enc/0x0.zip/s.txt ] || fail "encrypted zip: ciphertext written as s.txt"
ok "encrypted zip: nothing written for the encrypted member"

# ---- ISO 9660 ----------------------------------------------------------------
# -R keeps modes; -r rationalises them (what a firmware ISO usually has).
xorriso -as mkisofs -R -V FWVET_R -o rootfs-R.iso rootfs 2>/dev/null
identify_whole rootfs-R.iso iso9660
case "$(json_get rootfs-R.iso.id.json '.chunks[0].description')" in
'ISO 9660 filesystem, volume "FWVET_R", '*'Rock Ridge'*) ok "iso: description" ;;
*) fail "iso description: $(json_get rootfs-R.iso.id.json '.chunks[0].description')" ;;
esac
extract_ok rootfs-R.iso
assert_same_tree "$EXPECTED" out-rootfs-R.iso/0x0.iso9660 "iso -R: tree"
xorriso -as mkisofs -r -o rootfs-r.iso rootfs 2>/dev/null
identify_whole rootfs-r.iso iso9660
extract_ok rootfs-r.iso
assert_same nomode_manifest "$EXPECTED" out-rootfs-r.iso/0x0.iso9660 "iso -r: names, links, contents"

# ---- ar (members are flat files) ---------------------------------------------
mkdir -p flat
for f in etc/passwd etc/shadow etc/init.d/rcS usr/lib/libbig.so usr/lib/numbers.txt www/index.html \
	www/cgi-bin/status.cgi bin/busybox; do
	cp -p "rootfs/$f" flat/
done
(cd flat && ar rcU ../rootfs.a passwd shadow rcS libbig.so numbers.txt index.html status.cgi busybox)
identify_whole rootfs.a ar
extract_ok rootfs.a
assert_same_tree flat out-rootfs.a/0x0.ar "ar: files and modes"

# ---- ARJ: every method (our own decoder) --------------------------------------
rm -rf arjsrc && cp -a rootfs arjsrc && find arjsrc -type l -delete && rm arjsrc/bin/ash
for m in 0 1 2 3 4; do
	(cd arjsrc && arj a -r -y -m$m "../rootfs-m$m.arj" '*' > /dev/null)
	identify_whole "rootfs-m$m.arj" arj
	extract_ok "rootfs-m$m.arj"
	assert_same files_manifest arjsrc "out-rootfs-m$m.arj/0x0.arj" "arj -m$m: files, modes, contents"
done

# ---- a gzip'd tar update package: gzip, then tar inside it ----------------------
tar --sort=name --mtime=@"$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
	-C rootfs -czf update.tgz .
identify_whole update.tgz gzip
rm -rf out-update
"$FWVET" extract --json update.tgz -C out-update > update.x.json
inner=$(cd out-update && find . -type d -name 0x0.tar | head -1)
[ -n "$inner" ] || fail "update.tgz: no tar found inside the gzip stream ($(json_get update.x.json '[.extraction[] | "\(.path) \(.status) \(.error)"] | join("; ")'))"
assert_eq "ok ok" "$(json_get update.x.json '[.extraction[] | select(.format == "gzip" or .format == "tar") | .status] | join(" ")')" \
	"update.tgz: gzip and tar extracted"
assert_same_tree "$EXPECTED" "out-update/$inner" "update.tgz: tree inside"

# ---- binwalk's peer samples ------------------------------------------------------
C="$FV_CORPUS/binwalk-v3"
for s in 7z zip zip_truncated arj; do cp "$C/$s.bin" .; done

# 7z.bin and zip.bin: our extraction equals 7zz's.
for s in 7z zip; do
	fmt=$s
	"$FWVET" identify --json "$s.bin" > "$s.id.json"
	assert_eq "0 $fmt" "$(json_get "$s.id.json" '.chunks[0] | "\(.offset) \(.format)"')" "$s.bin: $fmt at 0"
	rm -rf "out-$s" "ref-$s"
	"$FWVET" extract --json "$s.bin" -C "out-$s" > "$s.x.json"
	assert_eq ok "$(json_get "$s.x.json" '.extraction[0].status')" "$s.bin: extraction ok"
	7zz x -bd -bso0 -o"ref-$s" "$s.bin"
	# compare the member files only (7zz applies its own modes)
	(cd "ref-$s" && find . -type f | sort | xargs sha256sum) > ref.sums
	(cd "out-$s/0x0.$fmt" && find . -path '*.extracted' -prune -o -type f -print | sort | xargs sha256sum) > out.sums
	diff -u ref.sums out.sums >&2 || fail "$s.bin: contents differ from 7zz's"
	ok "$s.bin: contents equal 7zz's ($(wc -l < ref.sums) files)"
done
# zip.bin holds a vendor file with 14 small zips inside: each found and extracted.
assert_eq 14 "$(json_get zip.x.json '[.extraction[] | select(.path | test("!0x[0-9a-f]+\\.zip$")) | select(.path | test("bin!")) | select(.status == "ok")] | length')" \
	"zip.bin: the 14 inner zips extracted"

# zip_truncated.bin: no end of central directory; what is there comes out, partial.
"$FWVET" identify --json zip_truncated.bin > zt.id.json
assert_eq "0 zip true" "$(json_get zt.id.json '[.chunks[] | select(.parent == null)] | .[0] | "\(.offset) \(.format) \(.size == 354264)"')" \
	"zip_truncated.bin: zip at 0, to the end"
assert_eq 1 "$(json_get zt.id.json '.chunks | length')" "zip_truncated.bin: members are not reported as archives"
rm -rf out-zt
"$FWVET" extract --json zip_truncated.bin -C out-zt > zt.x.json
assert_eq partial "$(json_get zt.x.json '.extraction[0].status')" "zip_truncated.bin: partial"
case "$(json_get zt.x.json '.extraction[0].error')" in
*'end of central directory'*) ok "zip_truncated.bin: error says what is missing" ;;
*) fail "zip_truncated.bin error: $(json_get zt.x.json '.extraction[0].error')" ;;
esac
assert_eq "1103728 5194" \
	"$(stat -c %s out-zt/0x0.zip/AfuLnx64/AfuLnx64/afulnx_64 out-zt/0x0.zip/AfuLnx64/AfuLnx64/readme.txt | tr '\n' ' ' | sed 's/ $//')" \
	"zip_truncated.bin: both files complete"
unzip -p zip_truncated.bin AfuLnx64/AfuLnx64/readme.txt 2>/dev/null | cmp -s - out-zt/0x0.zip/AfuLnx64/AfuLnx64/readme.txt ||
	7zz e -so zip_truncated.bin AfuLnx64/AfuLnx64/readme.txt 2>/dev/null | cmp -s - out-zt/0x0.zip/AfuLnx64/AfuLnx64/readme.txt ||
	fail "zip_truncated.bin: readme.txt differs"
ok "zip_truncated.bin: readme.txt equals the reference"

# arj.bin: an archive at 0xd; 0x46 is its member header (reported inside it,
# as binwalk does), never extracted twice.
"$FWVET" identify --json arj.bin > arj.id.json
assert_eq "13 arj null high|70 arj 13 low" \
	"$(json_get arj.id.json '[.chunks[] | select(.format == "arj") | "\(.offset) \(.format) \(.parent) \(.confidence)"] | join("|")')" \
	"arj.bin: archive at 0xd, member header at 0x46 inside it"
rm -rf out-arj
"$FWVET" extract --json arj.bin -C out-arj > arj.x.json
assert_eq "arj.bin!0xd.arj ok" "$(json_get arj.x.json '[.extraction[] | select(.format == "arj") | "\(.path) \(.status)"] | join("|")')" \
	"arj.bin: extracted once, at 0xd"
(mkdir -p ref-arj && cd ref-arj && dd if=../arj.bin of=a.arj bs=1 skip=13 count=183 2>/dev/null &&
	arj e -y a.arj > /dev/null)
cmp -s ref-arj/secret.txt out-arj/0xd.arj/secret.txt || fail "arj.bin: secret.txt differs from arj's"
ok "arj.bin: secret.txt equals arj's"

finish
