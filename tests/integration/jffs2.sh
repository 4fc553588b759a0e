# JFFS2 images made by mkfs.jffs2 (mtd-utils), little and big endian, with
# each compressor it offers, two erase block sizes, with and without
# cleanmarkers, extracted and compared with the tree that built them; plus
# one found inside a padded flash dump.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

command -v mkfs.jffs2 >/dev/null || fail "mkfs.jffs2 missing (package mtd-utils, scripts/deps.sh)"

ROOT="$FV_WORK/rootfs"
make_rootfs "$ROOT"
# Several data nodes per file (4 KiB pages), a hole-free empty file.
seq 1 60000 > "$ROOT/usr/lib/multinode.txt"
: > "$ROOT/var/empty"
chmod 0644 "$ROOT/usr/lib/multinode.txt" "$ROOT/var/empty"
find "$ROOT" -exec touch -h -d @"$SOURCE_DATE_EPOCH" {} +
# The sink records the sticky bit of /tmp but does not apply it.
EXPECTED="$FV_WORK/expected"
cp -a "$ROOT" "$EXPECTED"
chmod 0777 "$EXPECTED/tmp"

check() { # name expected-compressors mkfs.jffs2-options...
	local name=$1 comps=$2
	shift 2
	local img="$FV_WORK/$name.jffs2" out="$FV_WORK/out-$name"
	mkfs.jffs2 -r "$ROOT" -o "$img" "$@"
	"$FWVET" extract --json "$img" -C "$out" > "$FV_WORK/$name.json"
	assert_eq "jffs2 ok 0" "$(json_get "$FV_WORK/$name.json" \
		'.extraction[0] | "\(.format) \(.status) \(.offset)"')" "$name: format, status"
	local desc
	desc=$(json_get "$FV_WORK/$name.json" '.extraction[0].description')
	case $desc in
	*"endian, "*" inode nodes, "*" dirents, compression "*"$comps"*) ok "$name: description" ;;
	*) fail "$name: description: $desc" ;;
	esac
	case $desc in *bad*) fail "$name: bad CRCs reported: $desc" ;; esac
	# The chunk ends with the last node, before mkfs.jffs2's 0xFF padding.
	local size
	size=$(json_get "$FV_WORK/$name.json" '.extraction[0].size')
	[ "$size" -le "$(stat -c %s "$img")" ] || fail "$name: size $size beyond the image"
	[ "$(tail -c +$((size + 1)) "$img" | tr -d '\377' | wc -c)" = 0 ] ||
		fail "$name: bytes after the chunk are not erased flash"
	ok "$name: size $size"
	assert_same_tree "$EXPECTED" "$out/0x0.jffs2" "$name: tree"
}

check le-default zlib -l
check be-default zlib -b
check le-rtime none+rtime, -l -x zlib
check be-rtime none+rtime, -b -x zlib
check le-none 'none, ' -l -x zlib -x rtime -e 128KiB
check be-none-n 'none, ' -b -x zlib -x rtime -n -e 128KiB
check le-pad-n zlib -l -n -p -e 64KiB
if mkfs.jffs2 -L 2>&1 | grep -q lzo; then
	check le-lzo none+lzo, -l -X lzo -x zlib -x rtime -p
	check be-lzo none+lzo, -b -X lzo -x zlib -x rtime -e 128KiB
fi

# The erase block size is read from cleanmarker spacing, never assumed.
case $(json_get "$FV_WORK/le-none.json" '.extraction[0].description') in
*"erase block 0x20000"*) ok "erase block from cleanmarkers" ;;
*) fail "erase block: $(json_get "$FV_WORK/le-none.json" '.extraction[0].description')" ;;
esac

# Owners and the sticky bit are recorded.
assert_eq "01777" "$(json_get "$FV_WORK/be-default.json" '.files[] | select(.path | endswith("!/tmp")) | .mode' | sed 's/^0*/0/')" "/tmp mode recorded"
assert_eq "../tmp/resolv.conf" "$(json_get "$FV_WORK/le-default.json" '.files[] | select(.path | endswith("!/etc/resolv.conf")) | .link')" "symlink target recorded"

# A flash dump: 1 MiB of erased flash, the filesystem, erased flash again.
flash="$FV_WORK/flash.bin"
{ head -c 1048576 /dev/zero | tr '\0' '\377'; cat "$FV_WORK/be-default.jffs2";
	head -c 262144 /dev/zero | tr '\0' '\377'; } > "$flash"
"$FWVET" identify --json "$flash" > "$FV_WORK/flash-id.json"
assert_eq "1048576 jffs2 high" "$(json_get "$FV_WORK/flash-id.json" \
	'.chunks[] | select(.format == "jffs2") | "\(.offset) \(.format) \(.confidence)"')" "flash: found at its offset"
"$FWVET" extract --json "$flash" -C "$FV_WORK/out-flash" > "$FV_WORK/flash.json"
assert_same_tree "$EXPECTED" "$FV_WORK/out-flash/0x100000.jffs2" "flash: tree"

# A bit flipped in file data: that node is skipped and reported, the rest kept.
bad="$FV_WORK/bad.jffs2"
cp "$FV_WORK/le-none.jffs2" "$bad"
off=$(grep -abo 'BusyBox v1.36.1' "$bad" | head -1 | cut -d: -f1)
printf 'b' | dd of="$bad" bs=1 seek="$off" conv=notrunc status=none
"$FWVET" extract --json "$bad" -C "$FV_WORK/out-bad" > "$FV_WORK/bad.json"
assert_eq "partial" "$(json_get "$FV_WORK/bad.json" '.extraction[0].status')" "bit flip: partial"
json_get "$FV_WORK/bad.json" '.extraction[0].error' | grep -q 'inode data CRC at 0x' ||
	fail "bit flip: error text: $(json_get "$FV_WORK/bad.json" '.extraction[0].error')"
ok "bit flip: error names the CRC"
assert_eq "$(sha256sum < "$ROOT/etc/passwd")" "$(sha256sum < "$FV_WORK/out-bad/0x0.jffs2/etc/passwd")" "bit flip: other files intact"

finish
