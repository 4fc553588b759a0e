# romfs made by genromfs from the standard root tree (plus a hard link),
# extracted and compared with that tree as romfs shows it: no owners, files
# 0644 or 0755 by the exec bit, folders 0755.  Plus the binwalk peer sample
# and a header with a broken checksum.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"
cd "$FV_WORK"

ROOT="$FV_WORK/rootfs"
make_rootfs "$ROOT"
ln "$ROOT/etc/passwd" "$ROOT/etc/passwd.hard"
EXPECTED="$FV_WORK/expected"
cp -a "$ROOT" "$EXPECTED"
find "$EXPECTED" -type d -exec chmod 0755 {} +
find "$EXPECTED" -type f -perm /111 -exec chmod 0755 {} +
find "$EXPECTED" -type f ! -perm /111 -exec chmod 0644 {} +

genromfs -f rootfs.romfs -d "$ROOT" -V rootvol
full=$(od -An -tu4 --endian=big -j8 -N4 rootfs.romfs | tr -d ' ')
"$FWVET" identify --json rootfs.romfs > id.json
assert_eq "0 $full romfs high" "$(json_get id.json '.chunks[0] | "\(.offset) \(.size) \(.format) \(.confidence)"')" \
	"identified with the header's size"
assert_eq "romfs, $full bytes, volume \"rootvol\", checksum ok" "$(json_get id.json '.chunks[0].description')" "description"
"$FWVET" extract --json rootfs.romfs -C out > x.json
assert_eq ok "$(json_get x.json '.extraction[0].status')" "status"
assert_same_tree "$EXPECTED" out/0x0.romfs "tree"

# A romfs inside a bigger image, after other data.
{ seq 1 2000 | head -c 4096; cat rootfs.romfs; } > embedded.bin
"$FWVET" extract --json embedded.bin -C out-emb > emb.json
assert_same_tree "$EXPECTED" out-emb/0x1000.romfs "embedded at 0x1000: tree"

# The first 512 bytes must sum to zero: one flipped bit and it is no romfs.
cp rootfs.romfs bad.romfs
printf '\001' | dd of=bad.romfs bs=1 seek=300 conv=notrunc 2>/dev/null
"$FWVET" identify --json bad.romfs > bad.json
assert_eq 0 "$(json_get bad.json '[.chunks[] | select(.format == "romfs")] | length')" "broken header checksum: not romfs"

"$FWVET" extract --json "$FV_CORPUS/binwalk-v3/romfs.bin" -C out-peer > peer.json
assert_eq ok "$(json_get peer.json '.extraction[] | select(.format == "romfs") | .status')" "peer sample: status"
grep -q '^DISTRIB_ID=Ubuntu' out-peer/0x0.romfs/lsb-release || fail "peer sample: lsb-release content"
ok "peer sample: lsb-release content"
finish
