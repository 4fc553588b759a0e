# The AArch64 lifter (src/analyze/elf/lift_arm64.c) against objdump and
# readelf on the same files, with the checks of lift_arm.sh (which this
# sources): tests/fixtures/src/callsites.c built by aarch64-linux-gnu-gcc at
# -O0 and -O2, PIE and not, and with -fno-plt (calls through the GOT:
# `adrp; ldr xN; blr xN`, which objdump cannot name, so their count per
# function name and kind is checked against objdump of the PLT build with
# the same flags); tests/fixtures/src/liftarm_a64patterns.c little- and
# big-endian, instruction by instruction; random code and a cut instruction.
FV_LIFT_LIB=1 . "${FV_SRCDIR:?run through meson test}/tests/integration/lift_arm.sh"

LARM_CC=aarch64-linux-gnu-gcc
command -v "$LARM_CC" > /dev/null || fail "$LARM_CC missing: run scripts/deps.sh"

B=$FV_WORK/bin
mkdir -p "$B"
for o in O0 O2; do
	"$LARM_CC" -$o -o "$B/a64-$o-pie" "$LIFT_SRC"
	"$LARM_CC" -$o -no-pie -o "$B/a64-$o-nopie" "$LIFT_SRC"
	"$LARM_CC" -$o -fno-plt -o "$B/a64-$o-pie-noplt" "$LIFT_SRC"
	"$LARM_CC" -$o -no-pie -fno-plt -o "$B/a64-$o-nopie-noplt" "$LIFT_SRC"
done

# The variants hold what they are meant to test: PLT entries adrp/ldr/add/br,
# and -fno-plt calls through registers loaded from the GOT.
objdump -d "$B/a64-O2-pie" | grep -A4 '<strcmp@plt>:' | grep -q 'br	x17' || fail "a64-O2-pie: no br x17 PLT entry"
objdump -d "$B/a64-O2-pie-noplt" | grep -qP '\tblr\tx[0-9]+' || fail "a64-O2-pie-noplt: no blr"
objdump -d "$B/a64-O2-pie-noplt" | grep -qE '<(strcmp|system)@plt>' && fail "a64-O2-pie-noplt: still calls strcmp or system through a PLT"
ok "fixtures: adrp/ldr/add/br PLT entries; -fno-plt calls by blr"

for o in O0 O2; do
	for p in pie nopie; do
		larm_check "a64-$o-$p" "$B/a64-$o-$p" a64
		larm_check "a64-$o-$p-noplt" "$B/a64-$o-$p-noplt" a64 "a64-$o-$p"
	done
done

P=$FV_SRCDIR/tests/fixtures/src/liftarm_a64patterns.c
PB=$FV_WORK/patbin
mkdir -p "$PB"
"$LARM_CC" -nostdlib -static -o "$PB/le" "$P"
"$LARM_CC" -mbig-endian -nostdlib -static -o "$PB/be" "$P"
readelf -h "$PB/be" | grep -q 'big endian' || fail "patterns be: not big-endian"
larm_patterns a64pat-le "$PB/le" "$P"
larm_patterns a64pat-be "$PB/be" "$P" -mbig-endian

larm_garbage a64 "$B/a64-O2-pie" a64
a=$(objdump -d "$B/a64-O2-pie" | awk -F'\t' '$3 == "bl" && $4 ~ /strcmp@plt/ { sub(/:/, "", $1); print $1; exit }' | tr -d ' ')
[ -n "$a" ] || fail "no bl strcmp@plt to cut"
larm_cut a64 "$B/a64-O2-pie" $((0x$a)) 4 2
larm_cut a64 "$B/a64-O2-pie" $((0x$a)) 4 3

finish
