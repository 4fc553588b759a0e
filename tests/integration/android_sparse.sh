# Android sparse images made by img2simg: an ext4 image from mke2fs -d
# expands to exactly the original bytes (simg2img agrees), and a squashfs
# image inside a sparse image is expanded and then unpacked in turn.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"
cd "$FV_WORK"

sha() { sha256sum < "$1" | cut -d' ' -f1; }

ROOT="$FV_WORK/rootfs"
make_rootfs "$ROOT"
EXPECTED="$FV_WORK/expected"
cp -a "$ROOT" "$EXPECTED"
chmod 0777 "$EXPECTED/tmp"

# ext4: mostly unused blocks, so DONT_CARE chunks, plus RAW and FILL.
mke2fs -q -F -t ext4 -b 4096 -U 11111111-2222-3333-4444-555555555555 -E root_owner=0:0,hash_seed=11111111-2222-3333-4444-555555555555 \
	-d "$ROOT" system.raw 16M
img2simg system.raw system.simg
simg2img system.simg check.raw
assert_eq "$(sha system.raw)" "$(sha check.raw)" "simg2img round trip (the fixture itself)"
size=$(stat -c %s system.simg)
"$FWVET" identify --json system.simg > id.json
assert_eq "0 $size android-sparse high" \
	"$(json_get id.json '.chunks[] | select(.parent == null) | "\(.offset) \(.size) \(.format) \(.confidence)"')" \
	"identified with its exact size"
case "$(json_get id.json '.chunks[0].description')" in
"Android sparse image 1.0, block size 4096, 4096 blocks (16777216 bytes expanded), "*" chunks") ok "description" ;;
*) fail "description: $(json_get id.json '.chunks[0].description')" ;;
esac
"$FWVET" extract --json system.simg -C out > x.json
assert_eq ok "$(json_get x.json '.extraction[] | select(.format == "android-sparse") | .status')" "status"
# The member is named after the file: system.simg -> system.img.
assert_eq "$(sha system.raw)" "$(sha out/0x0.android-sparse/system.img)" "expanded image equals the original"
assert_eq "$(sha system.raw)" \
	"$(json_get x.json '.files[] | select(.path == "system.simg!0x0.android-sparse!/system.img") | .sha256')" \
	"expanded image reported with its hash"

# squashfs inside: expanded, then recursed into.
mksquashfs "$ROOT" inner.sqfs -noappend -quiet -no-progress -comp gzip >/dev/null
truncate -s %4096 inner.sqfs
img2simg inner.sqfs vendor.img
"$FWVET" extract --json vendor.img -C out-sq > sq.json
assert_eq "$(sha inner.sqfs)" "$(sha out-sq/0x0.android-sparse/vendor.img)" "squashfs: expanded image equals the original"
assert_same_tree "$EXPECTED" out-sq/0x0.android-sparse/vendor.img.extracted/0x0.squashfs "squashfs inside: tree"

# Truncated: listed as such and expanded as far as it goes, marked partial.
head -c $((size - 100)) system.simg > cut.simg
"$FWVET" extract --json cut.simg -C out-cut > cut.json || true
assert_eq partial "$(json_get cut.json '.extraction[] | select(.format == "android-sparse") | .status')" "truncated: partial"
finish
