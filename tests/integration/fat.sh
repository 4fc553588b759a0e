# FAT12/16/32 images made by mkfs.fat and filled by mcopy: long names,
# nested folders, non-ASCII names, a file of many clusters, a read-only
# file; extracted names and contents equal the source tree.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"
export MTOOLS_SKIP_CHECK=1

SRC="$FV_WORK/src"
mkdir -p "$SRC/Long Directory Name/nested/deeper" "$SRC/bin"
printf 'hello\n' > "$SRC/Long Directory Name/nested/deeper/a file with a rather long name.txt"
seq 1 100000 > "$SRC/many-clusters.txt"
printf 'gr\303\274\303\237e\n' > "$SRC/Gr$(printf '\303\274\303\237')e-$(printf '\346\227\245\346\234\254').txt"
printf 'short\n' > "$SRC/SHORT.TXT"
printf 'lower\n' > "$SRC/lower.txt"
printf 'ro\n' > "$SRC/bin/readonly.cfg"
: > "$SRC/empty"

# Names and contents only: FAT keeps no Unix modes.
manifest() { (cd "$1" && find . -mindepth 1 -printf '%P %y\n' | sort | while read -r p t; do
	if [ "$t" = f ]; then printf '%s %s\n' "$p" "$(sha256sum < "$p" | cut -d' ' -f1)"; else printf '%s %s\n' "$p" "$t"; fi
done); }
manifest "$SRC" > "$FV_WORK/expected.names"

for F in 12 16 32; do
	case $F in 12) kb=1440 ;; 16) kb=20480 ;; 32) kb=40960 ;; esac
	img="$FV_WORK/fat$F.img"
	mkfs.fat -C -F "$F" -n "FWVOL$F" -i 12345678 -s 1 "$img" "$kb" >/dev/null
	(cd "$SRC" && LC_ALL=C.UTF-8 mcopy -s -m -i "$img" ./* ::)
	mattrib -i "$img" +r ::/bin/readonly.cfg
	out="$FV_WORK/out$F"
	"$FWVET" extract --json "$img" -C "$out" > "$FV_WORK/$F.json"
	assert_eq "fat ok $((kb * 1024))" "$(json_get "$FV_WORK/$F.json" '.extraction[0] | "\(.format) \(.status) \(.size)"')" "FAT$F: format, status, size"
	case "$(json_get "$FV_WORK/$F.json" '.extraction[0].description')" in
	"FAT$F filesystem, OEM \"mkfs.fat\", volume \"FWVOL$F\", "*) ok "FAT$F: description" ;;
	*) fail "FAT$F: description: $(json_get "$FV_WORK/$F.json" '.extraction[0].description')" ;;
	esac
	manifest "$out/0x0.fat" > "$FV_WORK/actual.names"
	diff -u "$FV_WORK/expected.names" "$FV_WORK/actual.names" >&2 || fail "FAT$F: names or contents differ"
	ok "FAT$F: names and contents equal the source"
	assert_eq "444 644 755" "$(stat -c %a "$out/0x0.fat/bin/readonly.cfg" "$out/0x0.fat/lower.txt" "$out/0x0.fat/bin" | tr '\n' ' ' | sed 's/ $//')" "FAT$F: read-only, plain and folder modes"
done

# Inside a flash dump at 0x10000.
flash="$FV_WORK/flash.bin"
head -c 65536 /dev/urandom > "$flash"
cat "$FV_WORK/fat16.img" >> "$flash"
"$FWVET" extract --json "$flash" -C "$FV_WORK/out-flash" > "$FV_WORK/flash.json"
manifest "$FV_WORK/out-flash/0x10000.fat" > "$FV_WORK/actual.names"
diff -u "$FV_WORK/expected.names" "$FV_WORK/actual.names" >&2 || fail "embedded FAT16 differs"
ok "embedded FAT16 extracted"

# A loop in the FAT: the chain of many-clusters.txt points back to its
# first cluster; the rest of the volume still comes out.
img="$FV_WORK/loop.img"
cp "$FV_WORK/fat16.img" "$img"
first=$(mshowfat -i "$img" ::/many-clusters.txt | sed 's/.*<\([0-9]*\)[-,>].*/\1/')
rsvd=$(od -An -tu2 -j14 -N2 "$img" | tr -d ' ')
printf "\\x$(printf %02x $((first & 255)))\\x$(printf %02x $((first >> 8)))" |
	dd of="$img" bs=1 seek=$((rsvd * 512 + (first + 1) * 2)) conv=notrunc 2>/dev/null
"$FWVET" extract --json "$img" -C "$FV_WORK/out-loop" > "$FV_WORK/loop.json"
assert_eq "partial" "$(json_get "$FV_WORK/loop.json" '.extraction[0].status')" "FAT loop: partial"
json_get "$FV_WORK/loop.json" '.extraction[0].error' | grep -q 'loop' || fail "FAT loop: error text: $(json_get "$FV_WORK/loop.json" '.extraction[0].error')"
ok "FAT loop reported"
assert_eq "$(sha256sum < "$SRC/lower.txt")" "$(sha256sum < "$FV_WORK/out-loop/0x0.fat/lower.txt")" "FAT loop: other files intact"
finish
