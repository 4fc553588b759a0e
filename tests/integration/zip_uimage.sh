# An update package as vendors post it: a zip holding a uImage (type
# filesystem, no compression) holding a squashfs.  Extraction recurses
# through all three levels and ends with the tree that built the squashfs.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

ROOT="$FV_WORK/rootfs"
make_rootfs "$ROOT"
EXPECTED="$FV_WORK/expected"
cp -a "$ROOT" "$EXPECTED"
chmod 0777 "$EXPECTED/tmp"

cd "$FV_WORK"
mksquashfs "$ROOT" root.sqfs -comp gzip -noappend -quiet -no-progress > /dev/null
mkimage -A arm -O linux -T filesystem -C none -n rootfs -d root.sqfs fw.img > /dev/null
mkdir pkg
cp fw.img pkg/
printf 'version=1.2.3\n' > pkg/VERSION
touch -d @"$SOURCE_DATE_EPOCH" pkg/fw.img pkg/VERSION
(cd pkg && bsdtar --format zip -cf ../update.zip fw.img VERSION)

"$FWVET" extract --json update.zip -C out > x.json
assert_eq "ok" "$(json_get x.json '.extraction[] | select(.path == "update.zip!0x0.zip") | .status')" "zip extracted"
cmp -s fw.img out/0x0.zip/fw.img || fail "fw.img differs"
ok "fw.img from the zip"
assert_eq "ok" "$(json_get x.json '.extraction[] | select(.path == "update.zip!0x0.zip!/fw.img!0x0.uimage") | .status')" \
	"uImage inside the zip extracted"
cmp -s root.sqfs out/0x0.zip/fw.img.extracted/0x0.uimage/rootfs || fail "uImage payload differs"
ok "uImage payload is the squashfs"
assert_same_tree "$EXPECTED" out/0x0.zip/fw.img.extracted/0x0.uimage/rootfs.extracted/0x0.squashfs \
	"root filesystem three levels down"
assert_eq "1" "$(json_get x.json '[.files[] | select(.path == "update.zip!0x0.zip!/fw.img!0x0.uimage!/rootfs!0x0.squashfs!/etc/shadow")] | length')" \
	"path convention for a member three levels down"
finish
