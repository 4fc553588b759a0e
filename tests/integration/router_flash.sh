# A router flash dump as vendors ship it: a uImage kernel (lzma) at 0, 0xFF
# up to a 64 KiB boundary, the squashfs root there, 0xFF to a round size.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

ROOT="$FV_WORK/rootfs"
make_rootfs "$ROOT"
EXPECTED="$FV_WORK/expected"
cp -a "$ROOT" "$EXPECTED"
chmod 0777 "$EXPECTED/tmp" # the sticky bit is recorded, not applied

cd "$FV_WORK"
seq -f 'fake kernel text line %g' 1 40000 > kernel.bin
xz --format=lzma -9 -c kernel.bin > kernel.lzma
mkimage -A mips -O linux -T kernel -C lzma -a 0x80000000 -e 0x80000400 \
	-n "MIPS OpenWrt Linux-5.10.161" -d kernel.lzma uImage > /dev/null
mksquashfs "$ROOT" root.sqfs -comp xz -noappend -quiet -no-progress > /dev/null

ff() { head -c "$1" /dev/zero | tr '\0' '\377'; }
ksize=$(stat -c %s uImage)
sqoff=$(( (ksize + 65535) / 65536 * 65536 ))
sqsize=$(stat -c %s root.sqfs)
end=$((sqoff + sqsize))
total=$(( (end + 262143) / 262144 * 262144 ))
{ cat uImage; ff $((sqoff - ksize)); cat root.sqfs; ff $((total - end)); } > flash.bin
assert_eq "$total" "$(stat -c %s flash.bin)" "flash image size"
sqhex=$(printf '0x%x' "$sqoff")

"$FWVET" identify --json flash.bin > id.json
assert_eq "uimage" "$(json_get id.json '.chunks[] | select(.offset == 0) | .format')" "uImage at 0"
assert_eq "$ksize" "$(json_get id.json '.chunks[] | select(.offset == 0) | .size')" "uImage size"
assert_eq "high" "$(json_get id.json '.chunks[] | select(.offset == 0) | .confidence')" "uImage confidence"
desc=$(json_get id.json '.chunks[] | select(.offset == 0) | .description')
assert_eq 'uImage "MIPS OpenWrt Linux-5.10.161", Linux, MIPS, kernel, load 0x80000000, entry 0x80000400, lzma' \
	"${desc%%, [0-9]*}" "uImage description"
case "$desc" in *"2023-11-14 22:13:20 UTC") ok "uImage timestamp" ;; *) fail "uImage timestamp in [$desc]" ;; esac
assert_eq "squashfs" "$(json_get id.json ".chunks[] | select(.offset == $sqoff and .parent == null) | .format")" \
	"squashfs at $sqhex"

"$FWVET" extract --json flash.bin -C out > x.json
assert_eq "ok" "$(json_get x.json '.extraction[] | select(.offset == 0) | .status')" "uImage extracted"
assert_eq "ok" "$(json_get x.json ".extraction[] | select(.offset == $sqoff) | .status")" "squashfs extracted"
assert_eq "" "$(json_get x.json '.extraction[] | select(.format == "unknown") | .path')" "no unknown gaps"
npad=$(json_get x.json '[.extraction[] | select(.format == "padding")] | length')
[ "$npad" -ge 2 ] || fail "padding entries: expected 2 or more, got $npad"
ok "padding reported ($npad entries)"
[ -z "$(find out -maxdepth 1 -name '*.padding')" ] || fail "padding was written to disk"
ok "padding not written"
cmp -s kernel.bin "out/0x0.uimage/MIPS_OpenWrt_Linux-5.10.161" || fail "decompressed kernel differs"
ok "uImage payload decompressed equals the kernel"
assert_same_tree "$EXPECTED" "out/$sqhex.squashfs" "root filesystem"
finish
