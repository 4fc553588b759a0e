# Intel HEX and Motorola S-record of a real ELF, written by objcopy and
# srec_cat: identified at the right offset and size, and converted back to
# exactly the bytes `objcopy -O binary` gives; also a hex file appended to
# junk, a truncated one, and the ELF itself sized from its headers.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

W="$FV_WORK"
cat > "$W/prog.c" <<'EOF'
#include <stdio.h>
static const char banner[] = "fwvet hexrec test firmware";
int counter = 42;
int main(void) { printf("%s %d\n", banner, counter++); return 0; }
EOF
gcc -O2 -o "$W/prog" "$W/prog.c"
# Flash fill: gaps between sections are 0xFF in the converted image.
objcopy -O binary --gap-fill=0xff "$W/prog" "$W/prog.bin"
objcopy -O ihex "$W/prog" "$W/prog.hex"
objcopy -O srec "$W/prog" "$W/prog.srec"
srec_cat "$W/prog.bin" -binary -offset 0x1000 -o "$W/prog.s19" -motorola -address-length=2
srec_cat "$W/prog.bin" -binary -offset 0x080000 -o "$W/prog.s28" -motorola -address-length=3
srec_cat "$W/prog.bin" -binary -offset 0x08000000 -o "$W/prog.s37" -motorola -address-length=4
srec_cat "$W/prog.bin" -binary -offset 0x08000000 -o "$W/prog.ihx" -intel
bin_sha=$(sha256sum < "$W/prog.bin" | cut -d' ' -f1)
entry=$(readelf -h "$W/prog" | awk '/Entry point/ { print $4 }')

size_of() { stat -c %s "$1"; }

check() { # FILE FORMAT [ENTRY]
	local f=$1 fmt=$2 name
	name=$(basename "$f")
	"$FWVET" identify --json "$f" > "$W/$name.id.json"
	assert_eq "0 $fmt $(size_of "$f") high" \
		"$(json_get "$W/$name.id.json" '.chunks[0] | "\(.offset) \(.format) \(.size) \(.confidence)"')" \
		"$name: identify offset, format, size, confidence"
	assert_eq 1 "$(json_get "$W/$name.id.json" '.chunks | length')" "$name: one chunk, not one per line"
	if [ -n "${3:-}" ]; then
		json_get "$W/$name.id.json" '.chunks[0].description' | grep -q "entry 0x0*${3#0x}" ||
			fail "$name: description lacks entry $3: $(json_get "$W/$name.id.json" '.chunks[0].description')"
		ok "$name: entry point in the description"
	fi
	"$FWVET" extract --json "$f" -C "$W/out-$name" > "$W/$name.x.json"
	assert_eq "$fmt ok" "$(json_get "$W/$name.x.json" '.extraction[0] | "\(.format) \(.status)"')" \
		"$name: extraction"
	local bin="$W/out-$name/0x0.$fmt/prog.bin"
	assert_file "$bin"
	cmp "$W/prog.bin" "$bin" || fail "$name: converted image differs from objcopy -O binary"
	ok "$name: converted image equals objcopy -O binary"
	assert_eq "$bin_sha" "$(json_get "$W/$name.x.json" \
		".files[] | select(.path | endswith(\"!0x0.$fmt!/prog.bin\")) | .sha256")" "$name: sha256 in the report"
}

check "$W/prog.hex" ihex "$entry"
check "$W/prog.srec" srec "$entry"
check "$W/prog.s19" srec
check "$W/prog.s28" srec
check "$W/prog.s37" srec
check "$W/prog.ihx" ihex

json_get "$W/prog.s19.id.json" '.chunks[0].description' | grep -q '(S19)' || fail "S19 description"
json_get "$W/prog.s28.id.json" '.chunks[0].description' | grep -q '(S28)' || fail "S28 description"
json_get "$W/prog.s37.id.json" '.chunks[0].description' | grep -q '(S37)' || fail "S37 description"
ok "S-record variants named"

# Appended after junk: a text header and deterministic binary noise.
junk="$W/junk.bin"
{ seq 1 200; perl -e 'srand(7); print map { chr(int(rand(256))) } 1 .. 3000'; printf '\n'; } > "$junk"
off=$(size_of "$junk")
for f in prog.hex prog.s37; do
	# Named .img: the image inside is called "image.bin", not after the file.
	img="$W/junk-$f.img"
	cat "$junk" "$W/$f" > "$img"
	"$FWVET" identify --json "$img" > "$img.id.json"
	fmt=$(case $f in *.hex) echo ihex ;; *) echo srec ;; esac)
	assert_eq "$off $(size_of "$W/$f") $fmt" "$(json_get "$img.id.json" \
		".chunks[] | select(.format == \"$fmt\") | \"\(.offset) \(.size) \(.format)\"")" "junk+$f: found at its offset"
	"$FWVET" extract --json "$img" -C "$W/out-junk-$f" > "$img.x.json"
	hexoff=$(printf '0x%x' "$off")
	cmp "$W/prog.bin" "$W/out-junk-$f/$hexoff.$fmt/image.bin" || fail "junk+$f: converted image"
	ok "junk+$f: converted image equals objcopy -O binary"
done

# Truncated in the middle of a record: partial, with what the records held.
len=$(size_of "$W/prog.hex")
head -c $((len / 2 + 7)) "$W/prog.hex" > "$W/cut.hex"
"$FWVET" extract --json "$W/cut.hex" -C "$W/out-cut" > "$W/cut.json"
assert_eq "ihex partial" "$(json_get "$W/cut.json" '.extraction[0] | "\(.format) \(.status)"')" "truncated hex: partial"
json_get "$W/cut.json" '.extraction[0].error' | grep -q 'end-of-file record' || fail "truncated hex: error text"
ok "truncated hex: error names the missing end-of-file record"
got=$(size_of "$W/out-cut/0x0.ihex/cut.bin")
[ "$got" -gt 0 ] && [ "$got" -lt "$(size_of "$W/prog.bin")" ] || fail "truncated hex: image size $got"
cmp -n "$got" "$W/prog.bin" "$W/out-cut/0x0.ihex/cut.bin" || fail "truncated hex: image prefix"
ok "truncated hex: the converted prefix is right"

# A corrupted checksum deep inside: the records before it are kept.
awk 'NR == 40 { $0 = substr($0, 1, 9) (substr($0, 10, 1) == "0" ? "1" : "0") substr($0, 11) } { print }' \
	"$W/prog.hex" > "$W/bad.hex"
"$FWVET" extract --json "$W/bad.hex" -C "$W/out-bad" > "$W/bad.json"
assert_eq "ihex partial" "$(json_get "$W/bad.json" '.extraction[0] | "\(.format) \(.status)"')" "bad checksum: partial"

# The ELF itself: sized from its headers.
"$FWVET" identify --json "$W/prog" > "$W/elf.json"
assert_eq "0 elf $(size_of "$W/prog") high" \
	"$(json_get "$W/elf.json" '.chunks[0] | "\(.offset) \(.format) \(.size) \(.confidence)"')" "ELF identify"
case "$(json_get "$W/elf.json" '.chunks[0].description')" in
"ELF 64-bit LSB "*"executable, x86-64, entry $entry"*) ok "ELF description" ;;
*) [ "$(uname -m)" != x86_64 ] && ok "ELF description (not x86-64)" ||
	fail "ELF description: $(json_get "$W/elf.json" '.chunks[0].description')" ;;
esac
# An ELF followed by other data ends where its headers say.
cat "$W/prog" "$W/prog.hex" > "$W/elf-hex.bin"
"$FWVET" identify --json "$W/elf-hex.bin" > "$W/elf-hex.json"
assert_eq "0 elf $(size_of "$W/prog") | $(size_of "$W/prog") ihex" \
	"$(json_get "$W/elf-hex.json" '[.chunks[] | select(.parent == null)] | "\(.[0].offset) \(.[0].format) \(.[0].size) | \(.[1].offset) \(.[1].format)"')" \
	"ELF then hex: both at their offsets"

finish
