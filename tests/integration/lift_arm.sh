# The 32-bit ARM lifter (src/analyze/elf/lift_arm.c) against objdump and
# readelf on the same files.  tests/fixtures/src/callsites.c is built by
# arm-linux-gnueabi-gcc as ARMv7 ARM code, ARMv7 Thumb-2 code and ARMv5TE
# ARM code, at -O0 and -O2, PIE and not.  For every binary:
#   - the call instructions (bl, blx) objdump shows inside the lifted
#     functions are exactly the CALLs liftdump prints, address by address,
#     and every direct call has objdump's target; a call to a function
#     symbol has readelf's value, Thumb bit included;
#   - every call or tail jump objdump shows to name@plt, for the names
#     below, resolves through stub() to the JUMP_SLOT `objdump -R` gives
#     for name;
#   - constant arguments: every strcmp's second is "GET", "QUIT" or
#     "status-report" (all three seen), popen's first "uptime", system's
#     first "reboot", memcmp's "RESET" and 5.
# tests/fixtures/src/liftarm_patterns.c (hand-written ARM and Thumb code;
# its comments say what the ISA makes of each transfer) is built
# little-endian, BE8 and BE32 and compared instruction by instruction.
# Then code is overwritten with random bytes and cut mid-instruction: exit 0,
# and every byte of a range is accounted for.
#
# lift_arm64.sh sources this file with FV_LIFT_LIB=1 for the checks only.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"
: "${FV_LIFTDUMP:?run through meson test}"

LIFT_NAMES="strcpy strncpy sprintf snprintf strcmp memcmp popen system recv"
LIFT_SRC=$FV_SRCDIR/tests/fixtures/src/callsites.c

# What liftdump, objdump and readelf say about one binary, one fact a line:
#   O call ADDR / L call ADDR          a call instruction inside a lifted function
#   O tgt ADDR T / L tgt ADDR T        a direct call's target, bit 0 cleared
#   O full ADDR T / L full ADDR T      a call's target as liftdump gives it (objdump:
#                                      the callee's symbol value, when it is a function)
#   O name ADDR KIND NAME / L name ..  a call, jump or cjump to one of LIFT_NAMES
#   L arg NAME LINE                    liftdump's line for a transfer to NAME
# Inputs: objdump -R, readelf -s, liftdump's output, objdump -d.
larm_facts_awk='
function hex(s,   i, v) {
	v = 0; s = tolower(s); sub(/^0x/, "", s)
	for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v
}
function key(s) { s = tolower(s); sub(/^0x/, "", s); sub(/^0+/, "", s); return s == "" ? "0" : s }
function even(s,   d) {
	s = key(s); d = index("0123456789abcdef", substr(s, length(s), 1)) - 1
	return key(substr(s, 1, length(s) - 1) substr("0123456789abcdef", d - d % 2 + 1, 1))
}
function base(n) { sub(/@.*/, "", n); return n }
function inrange(a,   i) { for (i = 0; i < nfn; i++) if (a >= fs[i] && a < fe[i]) return 1; return 0 }
BEGIN {
	nfn = 0; n = split(names, w, " "); for (i = 1; i <= n; i++) wanted[w[i]] = 1
	cc = "(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le)"
}
FILENAME == relocs { if ($2 ~ /JUMP_SLOT|GLOB_DAT/) slot[key($1)] = base($3); next }
FILENAME == syms { if ($3 == "FUNC" && !($1 in fval)) fval[$1] = key($2); next }
FILENAME == lift {
	if ($1 == "function") { split($3, r, "-"); fs[nfn] = hex(even(r[1])); fe[nfn] = hex(r[2]); nfn++; next }
	kind = $2
	if (kind == "call") print "L call " key($1)
	if (kind != "call" && kind != "jump" && kind != "cjump") next
	s = ""; t = ""
	for (i = 3; i <= NF; i++) {
		if ($i ~ /^(stub-)?slot=/) { s = $i; sub(/^.*=/, "", s); s = key(s) }
		if ($i ~ /^target=/) { t = $i; sub(/^.*=/, "", t); t = key(t) }
	}
	if (kind == "call" && t != "") { print "L tgt " key($1) " " even(t); print "L full " key($1) " " t }
	if (s != "" && (s in slot) && (slot[s] in wanted)) {
		print "L name " key($1) " " kind " " slot[s]
		print "L arg " slot[s] " " $0
	}
	next
}
/^ *[0-9a-f]+:\t/ {
	line = $0
	a = line; sub(/:.*/, "", a); gsub(/ /, "", a)
	if (!inrange(hex(a))) next
	t = line; sub(/^ *[0-9a-f]+:\t/, "", t); gsub(/\t/, " ", t)
	split(t, tok, " ")
	mn = tok[1]
	kind = ""
	if (arch == "arm") {
		if (mn ~ ("^blx?" cc "?(\\.w|\\.n)?$")) kind = "call"
		else if (mn ~ /^b(\.w|\.n)?$/) kind = "jump"
		else if (mn ~ ("^b" cc "(\\.w|\\.n)?$") || mn ~ /^cbn?z$/) kind = "cjump"
	} else {
		if (mn == "bl" || mn == "blr") kind = "call"
		else if (mn == "b" || mn == "br") kind = "jump"
		else if (mn ~ /^b\./ || mn ~ /^(cbz|cbnz|tbz|tbnz)$/) kind = "cjump"
	}
	if (kind == "") next
	if (kind == "call") print "O call " key(a)
	if (!match(t, /[0-9a-f]+ <[^>]*>/)) next
	d = substr(t, RSTART, RLENGTH); dst = d; sub(/ .*/, "", dst)
	sym = d; sub(/^[^<]*</, "", sym); sub(/>$/, "", sym)
	if (kind == "call") {
		print "O tgt " key(a) " " even(dst)
		if (sym in fval) print "O full " key(a) " " fval[sym]
	}
	# <strcpy@plt+0x4>: the ARM half of an entry with a Thumb `bx pc` in front, which blx reaches
	if (sym ~ /@plt(\+0x[0-9a-f]+)?$/) { sub(/@plt.*/, "", sym); if (sym in wanted) print "O name " key(a) " " kind " " sym }
}
'

# larm_check LABEL BIN ARCH(arm|a64) [SIBLING]: the checks above.  With
# SIBLING (a -fno-plt build, whose calls objdump cannot name), the calls to
# each name are counted, by kind, against the SIBLING built with a PLT.
larm_check() {
	local label=$1 bin=$2 arch=$3 sib=${4:-} d=$FV_WORK/$1 rc=0
	mkdir -p "$d"
	"$FV_LIFTDUMP" "$bin" > "$d/lift.txt" || rc=$?
	assert_eq 0 "$rc" "$label: liftdump exits 0"
	objdump -d --no-show-raw-insn "$bin" > "$d/objdump.txt"
	objdump -R "$bin" > "$d/relocs.txt"
	readelf -sW "$bin" | awk '$1 ~ /^[0-9]+:$/ && NF >= 8 { print $8, $2, $4 }' > "$d/syms.txt"
	awk -v names="$LIFT_NAMES" -v arch="$arch" -v relocs="$d/relocs.txt" -v syms="$d/syms.txt" \
		-v lift="$d/lift.txt" "$larm_facts_awk" \
		"$d/relocs.txt" "$d/syms.txt" "$d/lift.txt" "$d/objdump.txt" > "$d/facts.txt"

	local f
	for f in call tgt full name; do
		grep "^O $f " "$d/facts.txt" | cut -d' ' -f3- | sort > "$d/$f.objdump" || true
		grep "^L $f " "$d/facts.txt" | cut -d' ' -f3- | sort > "$d/$f.lift" || true
	done
	[ -s "$d/call.objdump" ] || fail "$label: objdump shows no call inside the lifted functions"
	diff -u "$d/call.objdump" "$d/call.lift" >&2 || fail "$label: call instructions differ (objdump, liftdump)"
	ok "$label: the $(wc -l < "$d/call.objdump") calls objdump shows in $(grep -c '^function ' "$d/lift.txt") functions are liftdump's CALLs"
	# liftdump may know more targets (blx r3 after a literal load); objdump's must all be there.
	comm -23 "$d/tgt.objdump" "$d/tgt.lift" > "$d/tgt.missing"
	[ ! -s "$d/tgt.missing" ] || fail "$label: direct calls whose target liftdump misses (address target): $(head -5 "$d/tgt.missing" | tr '\n' ';')"
	comm -23 "$d/full.objdump" "$d/full.lift" > "$d/full.missing"
	[ ! -s "$d/full.missing" ] || fail "$label: calls to functions whose target is not the symbol's value (Thumb bit): $(head -5 "$d/full.missing" | tr '\n' ';')"
	ok "$label: $(wc -l < "$d/tgt.objdump") direct call targets as objdump, $(wc -l < "$d/full.objdump") equal to readelf's symbol value"

	if [ -n "$sib" ]; then
		cut -d' ' -f2- "$FV_WORK/$sib/name.objdump" | sort > "$d/name.objdump"
		cut -d' ' -f2- "$d/name.lift" | sort > "$d/name.lift2"
		mv "$d/name.lift2" "$d/name.lift"
	fi
	diff -u "$d/name.objdump" "$d/name.lift" >&2 || fail "$label: calls to $LIFT_NAMES resolve differently (objdump${sib:+ of $sib}, liftdump)"
	local n c counts=""
	for n in $LIFT_NAMES; do
		c=$(awk -v n="$n" '$NF == n' "$d/name.objdump" | wc -l)
		[ "$c" -gt 0 ] || fail "$label: objdump shows no call or tail jump to $n"
		counts="$counts $n=$c"
	done
	ok "$label: every call or tail jump to these resolves to its slot:$counts"

	larm_args "$label" "$d" strcmp 1 'GET|QUIT|status-report' 'QUIT status-report GET'
	larm_args "$label" "$d" popen 0 uptime uptime
	larm_args "$label" "$d" system 0 reboot reboot
	larm_args "$label" "$d" memcmp 1 RESET RESET
	if grep "^L arg memcmp " "$d/facts.txt" | grep -qv ' a2=0x5\( \|$\)'; then
		fail "$label: a memcmp call without 5 as argument 2: $(grep "^L arg memcmp " "$d/facts.txt" | head -3)"
	fi
	ok "$label: memcmp argument 2 is 5"
}

# larm_args LABEL DIR FUNCTION INDEX ALLOWED-ERE "EXPECTED...": every call
# or tail jump to FUNCTION has a string matching ALLOWED as argument INDEX,
# and each EXPECTED string is seen.
larm_args() {
	local label=$1 d=$2 fn=$3 i=$4 allowed=$5 s
	grep "^L arg $fn " "$d/facts.txt" > "$d/args.$fn" || fail "$label: no call to $fn in liftdump"
	if grep -Ev " a$i=0x[0-9a-f]+ \"($allowed)\"" "$d/args.$fn" > "$d/args.$fn.bad"; then
		fail "$label: a call to $fn without a constant string (${allowed}) as argument $i: $(head -3 "$d/args.$fn.bad")"
	fi
	for s in $6; do
		grep -q " a$i=0x[0-9a-f]* \"$s\"" "$d/args.$fn" || fail "$label: no call to $fn with \"$s\" as argument $i"
	done
	ok "$label: $fn argument $i is a constant string in all $(wc -l < "$d/args.$fn") calls ($6)"
}

# larm_patterns LABEL BIN SOURCE CFLAGS...: the transfers liftdump prints for
# each function of a patterns fixture (everything but "other") equal the
# `@>`/`//>` comments of SOURCE as preprocessed with CFLAGS, symbols
# resolved with readelf.
larm_patterns() {
	local label=$1 bin=$2 src=$3 d=$FV_WORK/$1 rc=0
	shift 3
	mkdir -p "$d"
	"$FV_LIFTDUMP" "$bin" > "$d/lift.txt" || rc=$?
	assert_eq 0 "$rc" "$label: liftdump exits 0"
	readelf -sW "$bin" | awk '$1 ~ /^[0-9]+:$/ && NF >= 8 { print $8, $2 }' > "$d/syms.txt"
	"$LARM_CC" -E "$@" "$src" | grep -oE '\.type " "[A-Za-z_0-9]+"|(@|//)> [^\\"]*' > "$d/expect.raw"
	# Expected, one line per transfer: function, kind, then target, stub, slot, a0-a3.
	awk -v syms="$d/syms.txt" '
	function hex(s,   i, v) {
		v = 0; s = tolower(s); sub(/^0x/, "", s)
		for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	function tohex(v,   s, d) { s = ""; while (v > 0) { d = v % 16; s = substr("0123456789abcdef", d + 1, 1) s; v = (v - d) / 16 } return "0x" (s == "" ? "0" : s) }
	function val(x,   n, off) {
		off = 0
		if (match(x, /\+[0-9]+$/)) { off = substr(x, RSTART + 1) + 0; x = substr(x, 1, RSTART - 1) }
		if (x ~ /^0x[0-9a-fA-F]+$/ && off == 0) { x = tolower(x); sub(/^0x0*/, "", x); return "0x" (x == "" ? "0" : x) }
		if (x ~ /^0x[0-9a-fA-F]+$/) return tohex(hex(x) + off)
		if (x ~ /^[0-9]+$/) return tohex(x + off)
		if (!(x in sv)) { print "unknown symbol " x > "/dev/stderr"; exit 1 }
		return tohex(hex(sv[x]) + off)
	}
	FILENAME == syms { if (!($1 in sv)) sv[$1] = $2; next }
	/^\.type/ { fn = $0; sub(/^[^"]*" "/, "", fn); sub(/"$/, "", fn); next }
	{
		delete f; out = fn " " $2
		for (i = 3; i <= NF; i++) { k = $i; sub(/=.*/, "", k); v = $i; sub(/^[^=]*=/, "", v); f[k] = val(v) }
		if ("target" in f) out = out " target=" f["target"]
		if ("stub" in f) out = out " stub=" f["stub"]
		if ("slot" in f) out = out " slot=" f["slot"]
		for (i = 0; i < 4; i++) if (("a" i) in f) out = out " a" i "=" f["a" i]
		print out
	}' "$d/syms.txt" "$d/expect.raw" > "$d/expect.txt" || fail "$label: cannot resolve the expectations of $src"
	# liftdump, the same way, for the functions the source annotates.
	awk 'FILENAME == ARGV[1] { want[$1] = 1; next }
	$1 == "function" { fn = $2; next }
	(fn in want) && $2 != "other" {
		out = fn " " $2
		for (i = 4; i <= NF; i++) {
			if ($i ~ /^target=/) out = out " " $i
			else if ($i ~ /^stub-slot=/) { s = $i; sub(/^stub-slot/, "stub", s); out = out " " s }
			else if ($i ~ /^(slot|a[0-3])=/) out = out " " $i
		}
		print out
	}' "$d/expect.txt" "$d/lift.txt" > "$d/got.txt"
	[ -s "$d/expect.txt" ] || fail "$label: no expectations in $src"
	# by function (liftdump follows the symbol table), keeping each function's order
	sort -s -k1,1 -o "$d/expect.txt" "$d/expect.txt"
	sort -s -k1,1 -o "$d/got.txt" "$d/got.txt"
	diff -u "$d/expect.txt" "$d/got.txt" >&2 || fail "$label: liftdump differs from the annotations of $(basename "$src")"
	ok "$label: $(wc -l < "$d/expect.txt") transfers in $(cut -d' ' -f1 "$d/expect.txt" | sort -u | wc -l) hand-written functions as annotated"
}

# larm_bytes FILE: the bytes liftdump's instructions in FILE cover, summed.
larm_bytes() {
	awk '$1 != "function" { n += $3 } END { print n + 0 }' "$1"
}

# larm_garbage LABEL BIN MODE(arm|thumb|a64): .text overwritten with random
# bytes and lifted whole (every function) and as one range: exit 0, and the
# range's bytes all accounted for; ranges past the segment and backwards:
# exit 0.  The inputs stay in FV_WORK.
larm_garbage() {
	local label=$1 bin=$2 mode=$3 d=$FV_WORK/$1.garbage i rc text addr off size start
	mkdir -p "$d"
	text=$(readelf -SW "$bin" | sed 's/^ *\[ *[0-9]*\]//' | awk '$1 == ".text" { print $3, $4, $5 }')
	read -r addr off size <<< "$text"
	[ -n "$size" ] || fail "$label: no .text in readelf -S"
	start=$((0x$addr))
	[ "$mode" = thumb ] && start=$((start | 1))
	for i in 1 2 3 4; do
		cp "$bin" "$d/g$i"
		dd if=/dev/urandom of="$d/g$i" bs=1 seek=$((0x$off)) count=$((0x$size)) conv=notrunc status=none
		rc=0
		"$FV_LIFTDUMP" "$d/g$i" > "$d/g$i.txt" 2> "$d/g$i.err" || rc=$?
		assert_eq 0 "$rc" "$label: random .text ($i): liftdump exits 0"
		rc=0
		"$FV_LIFTDUMP" "$d/g$i" "$start" $((0x$addr + 0x$size)) > "$d/g$i.range" 2>> "$d/g$i.err" || rc=$?
		assert_eq 0 "$rc" "$label: random .text ($i) as one $mode range: exit 0"
		assert_eq $((0x$size)) "$(larm_bytes "$d/g$i.range")" "$label: random .text ($i): every byte in one instruction or stop"
		rc=0
		"$FV_LIFTDUMP" "$d/g$i" "$start" 0xffffffffffffffff > /dev/null 2>> "$d/g$i.err" || rc=$?
		assert_eq 0 "$rc" "$label: random .text ($i), range to the end of the address space: exit 0"
		rc=0
		"$FV_LIFTDUMP" "$d/g$i" $((start + 8)) "$start" > "$d/g$i.back" 2>> "$d/g$i.err" || rc=$?
		assert_eq "0 0" "$rc $(larm_bytes "$d/g$i.back")" "$label: random .text ($i), range ending before it starts: exit 0, nothing"
	done
}

# larm_cut LABEL BIN ADDR SIZE N: the SIZE-byte instruction at ADDR (bit 0:
# Thumb) lifted as a range of its first N bytes: one stop of N bytes.
larm_cut() {
	local out
	out=$("$FV_LIFTDUMP" "$2" "$3" $(( ($3 & ~1) + $5 )) | awk '$1 != "function" { print $2, $3 }' | tr '\n' ';')
	assert_eq "stop $5;" "$out" "$1: a $4-byte instruction at $(printf 0x%x "$3") cut after $5 bytes"
}

[ "${FV_LIFT_LIB:-0}" = 1 ] && return 0

LARM_CC=arm-linux-gnueabi-gcc
command -v "$LARM_CC" > /dev/null || fail "$LARM_CC missing: run scripts/deps.sh"

B=$FV_WORK/bin
mkdir -p "$B"
for o in O0 O2; do
	"$LARM_CC" -$o -march=armv7-a -marm -o "$B/arm-$o-pie" "$LIFT_SRC"
	"$LARM_CC" -$o -march=armv7-a -marm -no-pie -o "$B/arm-$o-nopie" "$LIFT_SRC"
	"$LARM_CC" -$o -march=armv7-a -mthumb -o "$B/thumb-$o-pie" "$LIFT_SRC"
	"$LARM_CC" -$o -march=armv7-a -mthumb -no-pie -o "$B/thumb-$o-nopie" "$LIFT_SRC"
	"$LARM_CC" -$o -march=armv5te -marm -o "$B/v5-$o-pie" "$LIFT_SRC"
	"$LARM_CC" -$o -march=armv5te -marm -no-pie -o "$B/v5-$o-nopie" "$LIFT_SRC"
done

# The variants really hold what they are meant to test: Thumb-2 callers of
# ARM PLT entries (blx), a Thumb tail call through a `bx pc` entry, literal
# loads with PIC adds in ARM code.
objdump -d "$B/thumb-O2-pie" | grep -qP '\tblx\t[0-9a-f]+ <strcmp@plt>' || fail "thumb-O2-pie: no blx to strcmp@plt"
objdump -d "$B/thumb-O2-pie" | grep -qP '\tb\.w\t[0-9a-f]+ <system@plt>' || fail "thumb-O2-pie: no b.w tail call to system@plt"
objdump -d "$B/thumb-O2-pie" | grep -A1 '<system@plt>:' | grep -q 'bx	pc' || fail "thumb-O2-pie: no bx pc PLT entry"
objdump -d "$B/arm-O2-pie" | grep -qP '\tadd\tr[0-9], pc, r[0-9]' || fail "arm-O2-pie: no add rN, pc, rN"
ok "fixtures: blx to ARM PLT entries from Thumb-2, b.w through bx pc, PIC adds"

for b in "$B"/*; do
	larm_check "$(basename "$b")" "$b" arm
done

P=$FV_SRCDIR/tests/fixtures/src/liftarm_patterns.c
PB=$FV_WORK/patbin
mkdir -p "$PB"
"$LARM_CC" -march=armv7-a -nostdlib -static -o "$PB/le" "$P"
"$LARM_CC" -march=armv7-a -mbig-endian -nostdlib -static -o "$PB/be8" "$P"
"$LARM_CC" -march=armv5te -mbig-endian -nostdlib -static -o "$PB/be32" "$P"
readelf -h "$PB/be8" | grep -q 'BE8' || fail "patterns be8: no BE8 flag"
readelf -h "$PB/be32" | grep -q 'big endian' || fail "patterns be32: not big-endian"
readelf -h "$PB/be32" | grep -q 'BE8' && fail "patterns be32: BE8, expected BE32"
larm_patterns pat-le "$PB/le" "$P" -march=armv7-a
larm_patterns pat-be8 "$PB/be8" "$P" -march=armv7-a -mbig-endian
larm_patterns pat-be32 "$PB/be32" "$P" -march=armv5te -mbig-endian

larm_garbage arm "$B/arm-O2-pie" arm
larm_garbage thumb "$B/thumb-O2-pie" thumb
# A bl (ARM, 4 bytes) and a blx (Thumb-2, 4 bytes) cut after 2 and 3 bytes.
a=$(objdump -d "$B/arm-O2-pie" | awk -F'\t' '$3 ~ /^bl/ && $4 ~ /strcmp@plt/ { sub(/:/, "", $1); print $1; exit }' | tr -d ' ')
t=$(objdump -d "$B/thumb-O2-pie" | awk -F'\t' '$3 ~ /^blx/ && $4 ~ /strcmp@plt/ { sub(/:/, "", $1); print $1; exit }' | tr -d ' ')
[ -n "$a" ] && [ -n "$t" ] || fail "no bl/blx strcmp@plt to cut"
larm_cut arm "$B/arm-O2-pie" $((0x$a)) 4 2
larm_cut arm "$B/arm-O2-pie" $((0x$a)) 4 3
larm_cut thumb "$B/thumb-O2-pie" $((0x$t | 1)) 4 2

finish
