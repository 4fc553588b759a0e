# cramfs made by mkfs.cramfs from the standard root tree, little endian,
# big endian (cramfsswap, and mkfs.cramfs -N big with holes), and behind a
# 512-byte boot pad (-p): each extracted and compared with the tree that
# built it.  cramfs keeps modes but no timestamps, uid in 16 bits and gid
# in 8.  Plus the binwalk peer sample, and a corrupted CRC.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"
cd "$FV_WORK"

ROOT="$FV_WORK/rootfs"
make_rootfs "$ROOT"
truncate -s 30000 "$ROOT/var/sparse"
printf 'end' >> "$ROOT/var/sparse"
chmod 0644 "$ROOT/var/sparse"
chown 1000:300 "$ROOT/www/index.html" 2>/dev/null || true
EXPECTED="$FV_WORK/expected"
cp -a "$ROOT" "$EXPECTED"
chmod 0777 "$EXPECTED/tmp" # the sticky bit is recorded, not applied

mkfs.cramfs -n rootfs "$ROOT" le.cramfs >/dev/null
cramfsswap le.cramfs be.cramfs >/dev/null
mkfs.cramfs -z -N big -n rootfs "$ROOT" holes-be.cramfs >/dev/null
mkfs.cramfs -p -n rootfs "$ROOT" pad.cramfs >/dev/null

# check IMAGE OFFSET ENDIAN
check() {
	local img=$1 off=$2 endian=$3 size hex
	size=$(( $(stat -c %s "$img") - off ))
	hex=$(printf '0x%x' "$off")
	"$FWVET" identify --json "$img" > "$img.id.json"
	assert_eq "$off $size cramfs high" \
		"$(json_get "$img.id.json" '.chunks[] | select(.parent == null and .format == "cramfs") | "\(.offset) \(.size) \(.format) \(.confidence)"')" \
		"$img: identified with its size"
	case "$(json_get "$img.id.json" '.chunks[] | select(.format == "cramfs") | .description')" in
	"cramfs $endian endian, version 2, edition 0, $size bytes, "*" files"*", CRC ok, name \"rootfs\"") ok "$img: description" ;;
	*) fail "$img: description: $(json_get "$img.id.json" '.chunks[0].description')" ;;
	esac
	"$FWVET" extract --json "$img" -C "out-$img" > "$img.x.json"
	assert_eq ok "$(json_get "$img.x.json" ".extraction[] | select(.format == \"cramfs\") | .status")" "$img: status"
	assert_same_tree "$EXPECTED" "out-$img/$hex.cramfs" "$img: tree"
	assert_eq "1000 44" "$(json_get "$img.x.json" '.files[] | select(.path | endswith("!/www/index.html")) | "\(.uid) \(.gid)"')" \
		"$img: owner recorded (gid cut to 8 bits)"
}
check le.cramfs 0 little
check be.cramfs 0 big
check holes-be.cramfs 0 big
check pad.cramfs 512 little
case "$(json_get holes-be.cramfs.id.json '.chunks[] | select(.format == "cramfs") | .description')" in
*", holes,"*) ok "holes flag described" ;;
*) fail "holes flag not described" ;;
esac

# A flipped byte in a file's data: listed with low confidence, extracted
# as far as it goes, and the chunk marked partial with the CRC named.
cp le.cramfs bad.cramfs
printf '\377' | dd of=bad.cramfs bs=1 seek=$(( $(stat -c %s le.cramfs) - 200 )) conv=notrunc 2>/dev/null
"$FWVET" identify --json bad.cramfs > bad.id.json
assert_eq low "$(json_get bad.id.json '.chunks[] | select(.format == "cramfs") | .confidence')" "bad CRC: low confidence"
"$FWVET" extract --json bad.cramfs -C out-bad > bad.x.json || true
assert_eq partial "$(json_get bad.x.json '.extraction[] | select(.format == "cramfs") | .status')" "bad CRC: partial"
json_get bad.x.json '.extraction[] | select(.format == "cramfs") | .error' | grep -q 'CRC' || fail "bad CRC: error text"
ok "bad CRC: error names the CRC"

# The binwalk peer sample: one file with its content.
"$FWVET" extract --json "$FV_CORPUS/binwalk-v3/cramfs.bin" -C out-peer > peer.json
assert_eq ok "$(json_get peer.json '.extraction[] | select(.format == "cramfs") | .status')" "peer sample: status"
grep -q '^DISTRIB_ID=Ubuntu' out-peer/0x0.cramfs/lsb-release || fail "peer sample: lsb-release content"
ok "peer sample: lsb-release content"
finish
