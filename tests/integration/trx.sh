# A Broadcom TRX v1 around a loader, an lzma kernel and a squashfs root,
# built here from the header layout (no Debian tool writes TRX).
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

ROOT="$FV_WORK/rootfs"
make_rootfs "$ROOT"
EXPECTED="$FV_WORK/expected"
cp -a "$ROOT" "$EXPECTED"
chmod 0777 "$EXPECTED/tmp"

cd "$FV_WORK"
seq -f 'fake mips kernel %g' 1 30000 > vmlinux
xz --format=lzma -9 -c vmlinux > vmlinux.lzma
printf 'LOADER-STUB-' > loader
mksquashfs "$ROOT" root.sqfs -comp xz -noappend -quiet -no-progress > /dev/null

le32() { printf "\\x$(printf %02x $(($1 & 255)))\\x$(printf %02x $(($1 >> 8 & 255)))\\x$(printf %02x $(($1 >> 16 & 255)))\\x$(printf %02x $(($1 >> 24 & 255)))"; }
pad4() { n=$(stat -c %s "$1"); head -c $(( (4 - n % 4) % 4 )) /dev/zero; }
o0=28
o1=$((o0 + $(stat -c %s loader) + 0))
o1=$(( (o1 + 3) / 4 * 4 ))
o2=$((o1 + $(stat -c %s vmlinux.lzma)))
o2=$(( (o2 + 3) / 4 * 4 ))
len=$((o2 + $(stat -c %s root.sqfs)))
{ cat loader; pad4 loader; cat vmlinux.lzma; pad4 vmlinux.lzma; cat root.sqfs; } > parts
# The CRC covers flags/version, the offsets and the partitions.  Broadcom's
# CRC is CRC-32 without the final inversion; gzip's trailer holds CRC-32.
{ le32 $((1 << 16)); le32 $o0; le32 $o1; le32 $o2; cat parts; } > body
crc=$(gzip -c body | tail -c8 | head -c4 | od -An -tu4 | tr -d ' ')
crc=$((crc ^ 0xffffffff))
{ printf 'HDR0'; le32 "$len"; le32 "$crc"; cat body; } > fw.trx
assert_eq "$len" "$(stat -c %s fw.trx)" "TRX length field matches the file"

"$FWVET" identify --json fw.trx > id.json
assert_eq "trx $len high" "$(json_get id.json '.chunks[0] | "\(.format) \(.size) \(.confidence)"')" "TRX identified"
desc=$(json_get id.json '.chunks[0].description')
assert_eq "TRX v1, 3 partitions at 0x1c, $(printf 0x%x $o1), $(printf 0x%x $o2), flags 0x0000, length $len, CRC ok" \
	"$desc" "TRX description"

"$FWVET" extract --json fw.trx -C out > x.json
assert_eq "ok" "$(json_get x.json '.extraction[0].status')" "TRX extracted"
cmp -s root.sqfs out/0x0.trx/partition2 || fail "partition2 differs from the squashfs"
ok "partition2 is the squashfs"
assert_same_tree "$EXPECTED" out/0x0.trx/partition2.extracted/0x0.squashfs "root filesystem through TRX"
k=$(find out/0x0.trx/partition1.extracted -type f | head -n 1)
[ -n "$k" ] || fail "the lzma kernel in partition1 was not unpacked"
cmp -s vmlinux "$k" || fail "kernel from partition1 differs"
ok "lzma kernel from partition1 equals vmlinux"

# A flipped byte in the kernel: still listed, at low confidence, with the mismatch.
cp fw.trx bad.trx
printf 'X' | dd of=bad.trx bs=1 seek=$((o1 + 100)) conv=notrunc 2>/dev/null
"$FWVET" identify --json bad.trx > bad.json
assert_eq "low" "$(json_get bad.json '.chunks[] | select(.format == "trx") | .confidence')" "bad CRC: low confidence"
json_get bad.json '.chunks[] | select(.format == "trx") | .description' | grep -q 'CRC mismatch' || fail "bad CRC not described"
ok "bad CRC described"
finish
