# The x86-64 and i386 lifters (src/analyze/elf/lift_x86.c) against objdump
# on the same files.  tests/fixtures/src/callsites.c is built by gcc (x86-64)
# and Debian's i686-linux-gnu-gcc at -O0 and -O2, PIE and not, and for x86-64
# also with -fno-plt (calls through the GOT), with IBT (.plt.sec:
# `endbr64; jmp [rip+d]`) and with MPX PLTs (`bnd jmp`).  For every binary:
#   - the call instructions objdump shows inside the lifted functions are
#     exactly the CALLs liftdump prints, address by address;
#   - every call or tail jump objdump names as one of the functions below
#     resolves, through the stub or slot liftdump gives and the JUMP_SLOT /
#     GLOB_DAT relocations `objdump -R` lists, to that same function;
#   - the constant arguments: strcmp's second is "QUIT" and "status-report",
#     popen's first "uptime", system's first "reboot", strcpy's first g_name
#     (its address from readelf -s).
# Then the code is overwritten with random bytes and lifted again: exit 0.
#
# lift_riscv.sh sources this file with FV_LIFT_LIB=1 for the checks only.
set -eu
: "${FV_SRCDIR:?run through meson test}"
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

LIFT_NAMES="strcpy strncpy sprintf snprintf strcmp memcmp popen system recv"
LIFT_SRC=$FV_SRCDIR/tests/fixtures/src/callsites.c

# What liftdump and objdump say about one binary, one fact per line:
#   L call ADDR / O call ADDR           a call instruction inside a lifted function
#   L name ADDR KIND NAME / O name ...  a call or jump to one of LIFT_NAMES
#   L arg NAME LINE                     liftdump's line for a call or jump to NAME
# Inputs: objdump -R, liftdump's output, objdump -d.  got: the i386 GOT
# address, for -fno-plt's `call [reg + d]` (reg holds _GLOBAL_OFFSET_TABLE_:
# ebx, or esi in main), which objdump does not name.
lift_facts_awk='
function hex(s,   i, v) {
	v = 0; s = tolower(s); sub(/^0x/, "", s)
	for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v
}
function key(s) { s = tolower(s); sub(/^0x/, "", s); sub(/^0+/, "", s); return s == "" ? "0" : s }
function base(n) { sub(/@.*/, "", n); return n }
function inrange(a,   i) { for (i = 0; i < nfn; i++) if (a >= fs[i] && a < fe[i]) return 1; return 0 }
function hexkey(v,   s, d) {
	s = ""
	while (v > 0) { d = v % 16; s = substr("0123456789abcdef", d + 1, 1) s; v = (v - d) / 16 }
	return s == "" ? "0" : s
}
BEGIN { nfn = 0; n = split(names, w, " "); for (i = 1; i <= n; i++) wanted[w[i]] = 1 }
FILENAME == relocs {
	if ($2 ~ /JUMP_SLOT|GLOB_DAT/) slot[key($1)] = base($3)
	next
}
FILENAME == lift {
	if ($1 == "function") { split($3, r, "-"); fs[nfn] = hex(r[1]); fe[nfn] = hex(r[2]); nfn++; next }
	kind = $2
	if (kind == "call") print "L call " key($1)
	if (kind != "call" && kind != "jump") next
	s = ""
	for (i = 3; i <= NF; i++)
		if ($i ~ /^(stub-)?slot=/) { s = $i; sub(/^.*=/, "", s); s = key(s) }
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
	m = split(t, tok, " ")
	k = 1
	while (k < m && tok[k] ~ /^(bnd|notrack|rep|repz|repnz|lock|ds|cs|data16|addr32)$/) k++
	mn = tok[k]
	kind = ""
	if (arch == "x86") { if (mn ~ /^call/) kind = "call"; else if (mn ~ /^jmp/) kind = "jump" }
	else { if (mn == "jal" || mn == "jalr") kind = "call"; else if (mn == "j" || mn == "jr") kind = "jump" }
	if (kind == "") next
	if (kind == "call") print "O call " key(a)
	name = ""
	if (match(t, /<[^>]*@plt>/)) { name = substr(t, RSTART + 1, RLENGTH - 2); sub(/@plt$/, "", name) }
	else if (match(t, /# [0-9a-f]+ <[^>+]*>/)) {
		name = substr(t, RSTART, RLENGTH); sub(/^.*</, "", name); sub(/>$/, "", name); name = base(name)
	}
	else if (got != "" && match(t, /\[e(ax|bx|cx|dx|si|di|bp)[-+]0x[0-9a-f]+\]/)) {
		d = substr(t, RSTART + 4, RLENGTH - 5)
		v = substr(d, 1, 1) == "-" ? hex(got) - hex(substr(d, 2)) : hex(got) + hex(substr(d, 2))
		if (hexkey(v) in slot) name = slot[hexkey(v)]
	}
	if (name in wanted) print "O name " key(a) " " kind " " name
}
'

# lift_check LABEL BIN ARCH(x86|riscv) [OBJDUMP-FLAGS...]
lift_check() {
	local label=$1 bin=$2 arch=$3 d=$FV_WORK/$1 got="" rc=0
	shift 3
	mkdir -p "$d"
	"$FV_LIFTDUMP" "$bin" > "$d/lift.txt" || rc=$?
	assert_eq 0 "$rc" "$label: liftdump exits 0"
	objdump -d --no-show-raw-insn "$@" "$bin" > "$d/objdump.txt"
	objdump -R "$bin" > "$d/relocs.txt"
	if [ "$arch" = x86 ] && readelf -h "$bin" | grep -q 'Intel 80386'; then
		got=$(readelf -sW "$bin" | awk '$8 == "_GLOBAL_OFFSET_TABLE_" { print $2; exit }')
	fi
	awk -v names="$LIFT_NAMES" -v arch="$arch" -v got="$got" -v relocs="$d/relocs.txt" -v lift="$d/lift.txt" \
		"$lift_facts_awk" "$d/relocs.txt" "$d/lift.txt" "$d/objdump.txt" > "$d/facts.txt"

	grep '^O call ' "$d/facts.txt" | cut -d' ' -f3 | sort > "$d/calls.objdump"
	grep '^L call ' "$d/facts.txt" | cut -d' ' -f3 | sort > "$d/calls.lift"
	[ -s "$d/calls.objdump" ] || fail "$label: objdump shows no call inside the lifted functions"
	diff -u "$d/calls.objdump" "$d/calls.lift" >&2 || fail "$label: call instructions differ (objdump, liftdump)"
	local nfun
	nfun=$(grep -c '^function ' "$d/lift.txt")
	ok "$label: the $(wc -l < "$d/calls.objdump") calls objdump shows in $nfun functions are liftdump's CALLs"

	grep '^O name ' "$d/facts.txt" | cut -d' ' -f3- | sort > "$d/names.objdump"
	grep '^L name ' "$d/facts.txt" | cut -d' ' -f3- | sort > "$d/names.lift"
	diff -u "$d/names.objdump" "$d/names.lift" >&2 || fail "$label: calls to $LIFT_NAMES resolve differently"
	local n counts=""
	for n in $LIFT_NAMES; do
		local c
		c=$(awk -v n="$n" '$3 == n' "$d/names.objdump" | wc -l)
		[ "$c" -gt 0 ] || fail "$label: objdump shows no call or tail jump to $n"
		counts="$counts $n=$c"
	done
	ok "$label: every call to the unsafe/compare/exec functions resolves to its slot:$counts"

	lift_arg_sym "$label" "$d" "$bin" strcpy 0 g_name
	lift_arg "$label" "$d" strcmp 1 QUIT
	lift_arg "$label" "$d" strcmp 1 status-report
	lift_arg "$label" "$d" popen 0 uptime
	lift_arg "$label" "$d" system 0 reboot
}

# lift_arg LABEL DIR FUNCTION INDEX STRING: some call to FUNCTION has STRING as argument INDEX.
lift_arg() {
	grep -q "^L arg $3 .* a$4=0x[0-9a-f]* \"$5\"" "$2/facts.txt" ||
		fail "$1: no call to $3 with \"$5\" as argument $4: $(grep "^L arg $3 " "$2/facts.txt" | head -5)"
	ok "$1: $3 argument $4 is \"$5\""
}

# lift_arg_sym LABEL DIR BIN FUNCTION INDEX SYMBOL: some call to FUNCTION has SYMBOL's
# address (readelf -s) as argument INDEX.
lift_arg_sym() {
	local v
	v=$(readelf -sW "$3" | awk -v n="$6" '$8 == n { v = $2; sub(/^0+/, "", v); print v; exit }')
	[ -n "$v" ] || fail "$1: readelf shows no symbol $6"
	grep -q "^L arg $4 .* a$5=0x$v\( \|\$\)" "$2/facts.txt" ||
		fail "$1: no call to $4 with $6 (0x$v) as argument $5: $(grep "^L arg $4 " "$2/facts.txt" | head -5)"
	ok "$1: $4 argument $5 is $6 (0x$v)"
}

# lift_garbage LABEL BIN: .text overwritten with random bytes, lifted whole, in
# a range that ends inside an instruction, and truncated: no crash, exit 0
# (2 for a file cut before its headers end).  The inputs stay in FV_WORK.
lift_garbage() {
	local label=$1 bin=$2 d=$FV_WORK/$1.garbage i rc
	mkdir -p "$d"
	local text addr off size
	text=$(readelf -SW "$bin" | sed 's/^ *\[ *[0-9]*\]//' | awk '$1 == ".text" { print $3, $4, $5 }')
	read -r addr off size <<< "$text"
	[ -n "$size" ] || fail "$label: no .text in readelf -S"
	for i in 1 2 3; do
		cp "$bin" "$d/g$i"
		dd if=/dev/urandom of="$d/g$i" bs=1 seek=$((0x$off)) count=$((0x$size)) conv=notrunc status=none
		rc=0
		"$FV_LIFTDUMP" "$d/g$i" > "$d/g$i.txt" 2> "$d/g$i.err" || rc=$?
		assert_eq 0 "$rc" "$label: random .text ($i): liftdump exits 0"
		rc=0
		"$FV_LIFTDUMP" "$d/g$i" "0x$addr" $((0x$addr + 7 + 2 * i)) > /dev/null 2>> "$d/g$i.err" || rc=$?
		assert_eq 0 "$rc" "$label: random .text ($i), range ending mid-instruction: exit 0"
		rc=0
		"$FV_LIFTDUMP" "$d/g$i" "0x$addr" 0xffffffffffffffff > /dev/null 2>> "$d/g$i.err" || rc=$?
		assert_eq 0 "$rc" "$label: random .text ($i), range to the end of the address space: exit 0"
	done
	head -c $((0x$off + 0x$size / 2 + 1)) "$bin" > "$d/cut"
	rc=0
	"$FV_LIFTDUMP" "$d/cut" > /dev/null 2> "$d/cut.err" || rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 2 ] || fail "$label: file cut inside .text: liftdump exited $rc: $(cat "$d/cut.err")"
	ok "$label: file cut inside .text: exit $rc"
}

[ "${FV_LIFT_LIB:-0}" = 1 ] && return 0

command -v i686-linux-gnu-gcc > /dev/null || fail "i686-linux-gnu-gcc missing: run scripts/deps.sh"

B=$FV_WORK/bin
mkdir -p "$B"
for o in O0 O2; do
	gcc -$o -o "$B/x64-$o-pie" "$LIFT_SRC"
	gcc -$o -no-pie -o "$B/x64-$o-nopie" "$LIFT_SRC"
	gcc -$o -fno-plt -o "$B/x64-$o-pie-noplt" "$LIFT_SRC"
	gcc -$o -no-pie -fno-plt -o "$B/x64-$o-nopie-noplt" "$LIFT_SRC"
	# Debian's crt files carry no IBT note, so ld is told to write .plt.sec.
	gcc -$o -fcf-protection -Wl,-z,ibtplt -o "$B/x64-$o-ibt" "$LIFT_SRC"
	i686-linux-gnu-gcc -$o -o "$B/i386-$o-pie" "$LIFT_SRC"
	i686-linux-gnu-gcc -$o -no-pie -o "$B/i386-$o-nopie" "$LIFT_SRC"
	i686-linux-gnu-gcc -$o -fno-plt -o "$B/i386-$o-pie-noplt" "$LIFT_SRC"
	# Arguments stored with `mov [esp + 4*i], x` instead of pushed.
	i686-linux-gnu-gcc -$o -maccumulate-outgoing-args -o "$B/i386-$o-movargs" "$LIFT_SRC"
done

# The variants really have the PLT shapes they are meant to test.
objdump -d -j .plt.sec "$B/x64-O2-ibt" | grep -q 'endbr64' || fail "x64-O2-ibt: no endbr64 in .plt.sec"
objdump -d -M intel "$B/x64-O2-pie-noplt" | grep -q 'call.*\[rip' || fail "x64-O2-pie-noplt: no call through the GOT"
objdump -d -M intel "$B/i386-O2-pie" | grep -q 'jmp.*\[ebx+0x' || fail "i386-O2-pie: no jmp [ebx+d] PLT"
objdump -d -M intel "$B/i386-O2-movargs" | grep -q 'mov *DWORD PTR \[esp+0x4\],eax' ||
	fail "i386-O2-movargs: no mov [esp+4], eax"
ok "fixtures: .plt.sec with endbr64, call [rip+d], i386 jmp [ebx+d], mov [esp+4]"

for b in "$B"/*; do
	lift_check "$(basename "$b")" "$b" x86 -M intel
done

# Shapes older tools wrote (tests/fixtures/src/liftxr_shapes.c), checked at
# the call objdump shows: the slot is the relocation's, the string the one
# the assembly loads.
SHAPES=$FV_SRCDIR/tests/fixtures/src/liftxr_shapes.c
S=$FV_WORK/shapes
mkdir -p "$S"
gcc -O1 -no-pie -Wa,-mrelax-relocations=no -o "$S/x64" "$SHAPES"
i686-linux-gnu-gcc -O1 -o "$S/i386" "$SHAPES"
# call_at BIN FUNCTION PATTERN: the address of FUNCTION's first instruction objdump shows matching PATTERN.
call_at() {
	objdump -d --no-show-raw-insn -M intel "$1" |
		awk -v f="<$2>:" -v p="$3" '/^[0-9a-f]+ </ { in_f = $2 == f }
			in_f && $0 ~ p { a = $1; sub(/:$/, "", a); print a; exit }'
}
# slot_of BIN NAME: the address of NAME's JUMP_SLOT or GLOB_DAT relocation.
slot_of() {
	objdump -R "$1" | awk -v n="$2" '$2 ~ /JUMP_SLOT|GLOB_DAT/ {
		s = $3; sub(/@.*/, "", s); if (s == n) { a = $1; sub(/^0+/, "", a); print a; exit } }'
}
# shape BIN LABEL FUNCTION PATTERN REGEX: liftdump's line at the call objdump matches must match REGEX.
shape() {
	local a line
	a=$(call_at "$1" "$3" "$4")
	[ -n "$a" ] || fail "$2: objdump shows no instruction matching $4 in $3"
	line=$(grep -E "^  0x$a " "$1.lift" || true)
	echo "$line" | grep -Eq "$5" || fail "$2: at 0x$a expected /$5/, liftdump: [$line]"
	ok "$2: $line"
}
"$FV_LIFTDUMP" "$S/x64" > "$S/x64.lift"
"$FV_LIFTDUMP" "$S/i386" > "$S/i386.lift"
shape "$S/x64" "x86-64: a call into an endbr64; bnd jmp [rip+d] stub" main 'call.*<shape_bnd_stub>' \
	"call .* stub-slot=0x$(slot_of "$S/x64" strcmp) a1=0x[0-9a-f]+ \"QUIT\""
shape "$S/x64" "x86-64: mov esi, imm32; mov rdi, rsi; mov edx, -1; xor ecx, ecx; mov rax, [rip+d]; call rax" \
	shape_call_reg 'call +rax' \
	"call .* slot=0x$(slot_of "$S/x64" system) a0=0x[0-9a-f]+ \"reboot\" .* a2=0xffffffff a3=0x0$"
shape "$S/i386" "i386: the GOT from call 1f; pop ebx" shape_pop_pic 'call.*<system@plt>' \
	"call .* stub-slot=0x$(slot_of "$S/i386" system) a0=0x[0-9a-f]+ \"reboot\""

lift_garbage x64 "$B/x64-O2-pie"
lift_garbage i386 "$B/i386-O2-nopie"

finish
