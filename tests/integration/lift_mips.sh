#!/bin/bash
# The MIPS lifter (src/analyze/elf/lift_mips.c) on programs built by Debian's
# cross compilers: o32 (callsites.c, both byte orders, -O0 and -O2, PIE,
# -no-pie, and -mno-abicalls, which calls through .plt), and n32, 64 and
# MIPS32 release 6 (liftmp_nolibc.c linked against a stub library, since
# Debian has no libc for those).  Against truth from binutils on the same files:
#   (a) per function, the calls objdump -d shows = the CALLs liftdump prints;
#   (b) per import, the call sites (calls and tail calls) whose slot names it
#       = the R_MIPS_JALR / R_MIPS_26 relocations against it in the object
#       the binary was linked from (the assembler marks every call site);
#       slot names come from readelf -A (global GOT entries) and objdump -R;
#   (c) constant arguments: strcmp gets "QUIT" and "status-report", popen
#       "uptime", system "reboot";
#   (d) every call through a GOT slot also gives the lazy-binding stub the
#       file holds there as target, and stub() reads that stub back to the
#       same slot.
# Then liftdump must survive random code, a random GOT and a cut file.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"
: "${FV_LIFTDUMP:?run through meson test}"

SRC=$FV_SRCDIR/tests/fixtures/src
cd "$FV_WORK"
IMPORTS="strcpy strncpy sprintf snprintf strcmp memcmp popen system recv"

failures=0
check_eq() { # EXPECTED ACTUAL MESSAGE: counts a failure and goes on
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		echo "FAIL: $3: expected [$1], got [$2]" >&2
		failures=$((failures + 1))
	fi
}

# slots BIN: "ADDR NAME" for each pointer slot binutils names: dynamic
# relocations (objdump -R) and MIPS global GOT entries (readelf -A).
slots() {
	objdump -R "$1" 2>/dev/null | awk '$2 ~ /JUMP_SLOT|JMP_SLOT|GLOB_DAT/ {
		a = $1; sub(/^0+/, "", a); n = $3; sub(/@.*/, "", n); print "0x" a, n }'
	readelf -A "$1" 2>/dev/null | awk '/Global entries:/ { g = 1; next } g && NF == 0 { g = 0 }
		g && $1 ~ /^[0-9a-f]+$/ { a = $1; sub(/^0+/, "", a); print "0x" a, $NF }'
}

# calls SLOTS LIFT: one line per CALL, and per JUMP through a named slot (a
# tail call): FUNCTION KIND NAME then the string arguments a0..a3 ("-" when
# none), tab-separated.  The name is slot=, else stub-slot=, looked up.
calls() {
	awk -F'\t' -v OFS='\t' 'NR == FNR { split($0, f, " "); name[f[1]] = f[2]; next }
	/^function / { split($0, f, " "); fn = f[2]; next }
	{
		split($0, f, " "); kind = f[2]
		if (kind != "call" && kind != "jump") next
		s = ""; ss = ""
		for (i = 3; i in f; i++) {
			if (f[i] ~ /^slot=/) s = substr(f[i], 6)
			if (f[i] ~ /^stub-slot=/) ss = substr(f[i], 11)
		}
		if (s == "") s = ss
		n = (s in name) ? name[s] : "-"
		if (kind == "jump" && n == "-") next
		line = fn OFS kind OFS n
		for (a = 0; a < 4; a++) {
			str = "-"
			if (match($0, "a" a "=0x[0-9a-f]+ \"[^\"]*\"")) {
				str = substr($0, RSTART, RLENGTH); sub(/^[^"]*"/, "", str); sub(/"$/, "", str)
			}
			line = line OFS str
		}
		print line
	}' "$1" "$2"
}

# objdump_calls BIN: "FUNCTION COUNT" of call instructions under each symbol of objdump -d.
objdump_calls() {
	objdump -d "$1" | awk -F'\t' '
	/^[0-9a-f]+ <.*>:$/ { l = $0; sub(/^[^<]*</, "", l); sub(/>:$/, "", l)
		if (l !~ /^[$.]L/) { fn = l; n[fn] += 0 }   # local labels ($L24, .L3) stay in their function
		next }
	NF >= 3 { split($3, w, " ")
		if (w[1] ~ /^(jal|jalr|jalr\.hb|jalx|bal|bgezal|bltzal|bgezall|bltzall|jals|jalrs|jalrc|jialc|balc|beqzalc|bnezalc|bgezalc|bgtzalc|blezalc|bltzalc)$/) n[fn]++ }
	END { for (f in n) print f, n[f] }' | sort
}

# lifted_calls LIFT: "FUNCTION COUNT" of CALLs per function liftdump printed.
lifted_calls() {
	awk '/^function / { fn = $2; n[fn] += 0; next } $2 == "call" { n[fn]++ } END { for (f in n) print f, n[f] }' "$1" | sort
}

# reloc_calls OBJ: "NAME COUNT" of the call sites the assembler marked against each symbol.
reloc_calls() {
	objdump -r "$1" | awk '$2 ~ /R_MIPS_(JALR|26)/ { c[$3]++ } END { for (n in c) print n, c[n] }'
}

# check_binary TAG BIN OBJ: every check of the header on one binary.
check_binary() {
	local tag=$1 bin=$2 obj=$3 rc=0
	"$FV_LIFTDUMP" "$bin" > "$tag.lift" 2> "$tag.err" || rc=$?
	[ "$rc" = 0 ] || cat "$tag.err" >&2
	check_eq 0 "$rc" "$tag: liftdump exits 0"
	slots "$bin" > "$tag.slots"
	calls "$tag.slots" "$tag.lift" > "$tag.calls"

	# (a) calls per function, for the functions both list.
	objdump_calls "$bin" > "$tag.truth-a"
	lifted_calls "$tag.lift" > "$tag.lifted-a"
	local f
	for f in main copy_names copy_bounded format_all handle; do
		grep -q "^$f " "$tag.lifted-a" || { check_eq "$f" "(absent)" "$tag: liftdump lists function $f"; continue; }
	done
	local diffs
	diffs=$(join "$tag.truth-a" "$tag.lifted-a" | awk '$2 != $3 { printf "%s objdump %s liftdump %s; ", $1, $2, $3 }')
	check_eq "" "$diffs" "$tag: calls per function equal objdump's ($(join "$tag.truth-a" "$tag.lifted-a" | wc -l) functions, $(awk '{s += $2} END {print s}' "$tag.lifted-a") calls)"

	# (b) call sites per import.
	local name want got all=""
	reloc_calls "$obj" > "$tag.truth-b"
	for name in $IMPORTS; do
		want=$(awk -v n="$name" '$1 == n { print $2 } END { if (!NR) print 0 }' "$tag.truth-b")
		want=${want:-0}
		got=$(awk -F'\t' -v n="$name" '$3 == n { c++ } END { print c + 0 }' "$tag.calls")
		[ "$want" = "$got" ] || all="$all $name: relocations $want, resolved $got;"
	done
	check_eq "" "$all" "$tag: call sites per import equal the object's relocations ($(awk -F'\t' '$3 != "-"' "$tag.calls" | wc -l) resolved)"

	# (c) constant string arguments.
	check_eq "QUIT status-report" \
		"$(awk -F'\t' '$3 == "strcmp" && ($5 == "QUIT" || $5 == "status-report") { print $5 }' "$tag.calls" | sort -u | xargs)" \
		"$tag: strcmp's second argument is \"QUIT\" and \"status-report\""
	check_eq "uptime" "$(awk -F'\t' '$3 == "popen" { print $4 }' "$tag.calls" | sort -u | xargs)" \
		"$tag: popen's first argument is \"uptime\""
	check_eq "reboot" "$(awk -F'\t' '$3 == "system" { print $4 }' "$tag.calls" | sort -u | xargs)" \
		"$tag: system's first argument is \"reboot\""

	# (d) GOT calls: target = the lazy stub, which stub() reads back to the slot.
	if [ "${4:-}" = got ]; then
		local both bad
		both=$(grep -c ' stub-slot=.* slot=' "$tag.lift" || true)
		bad=$(awk '{ s = ""; ss = ""; for (i = 3; i <= NF; i++) { if ($i ~ /^slot=/) s = $i; if ($i ~ /^stub-slot=/) ss = $i }
			if (s != "" && ss != "" && "stub-" s != ss) print $1 }' "$tag.lift" | xargs)
		check_eq "" "$bad" "$tag: every lazy-binding stub reads back to its call's slot ($both calls)"
		[ "$both" -ge 15 ] || check_eq ">= 15" "$both" "$tag: calls through a stub and a slot"
	fi
}

cross_ok() { command -v "$1" > /dev/null 2>&1 || fail "$1 is missing (scripts/deps.sh installs it)"; }
cross_ok mipsel-linux-gnu-gcc
cross_ok mips-linux-gnu-gcc

# o32, with Debian's libc.
for cc in mipsel mips; do
	for opt in O0 O2; do
		for mode in pie nopie plt; do
			case $mode in
			pie) cf=-fPIE lf=-pie ;;
			nopie) cf=-fno-pie lf=-no-pie ;;
			plt) cf="-fno-pie -mno-abicalls" lf=-no-pie ;;
			esac
			tag=$cc-o32-$opt-$mode
			# shellcheck disable=SC2086
			$cc-linux-gnu-gcc -$opt $cf -c "$SRC/callsites.c" -o "$tag.o" &&
				$cc-linux-gnu-gcc $cf $lf "$tag.o" -o "$tag" 2> "$tag.ld" || fail "$tag: cross compiler failed"
			if [ $mode = plt ]; then
				check_binary "$tag" "$tag" "$tag.o"
			else
				check_binary "$tag" "$tag" "$tag.o" got
			fi
		done
	done
done

# n32 and 64, and o32 for MIPS32 release 6 (compact branches, aui): the
# same program against a stub library of the same ABI.
for abi in n32 64 r6; do
	for cc in mips mipsel; do
		case $abi in
		r6) [ $cc = mipsel ] || continue; af="-mabi=32 -march=mips32r6" ;;
		*) af=-mabi=$abi ;;
		esac
		lib=libstub-$cc-$abi.so
		# shellcheck disable=SC2086
		$cc-linux-gnu-gcc $af -O2 -fno-builtin -fPIC -shared -nostdlib -DLIFTMP_LIBC \
			"$SRC/liftmp_nolibc.c" -o "$lib" || fail "$lib: cross compiler failed"
		for opt in O0 O2; do
			for mode in pie nopie; do
				case $mode in
				pie) cf=-fPIE lf=-pie ;;
				nopie) cf=-fno-pie lf=-no-pie ;;
				esac
				tag=$cc-$abi-$opt-$mode
				# shellcheck disable=SC2086
				$cc-linux-gnu-gcc $af -$opt $cf -c "$SRC/liftmp_nolibc.c" -o "$tag.o" &&
					$cc-linux-gnu-gcc $af $cf $lf -nostdlib -Wl,-e,main "$tag.o" "$lib" -o "$tag" ||
					fail "$tag: cross compiler failed"
				check_binary "$tag" "$tag" "$tag.o" got
			done
		done
	done
done

# Hostile: random code, a random GOT, a cut file.  The input that broke it stays in $FV_WORK.
section() { # BIN NAME -> "OFFSET SIZE" in decimal
	readelf -SW "$1" | awk -v n="$2" '{ for (i = 1; i < NF; i++) if ($i == n) { print $(i + 3), $(i + 4); exit } }' |
		while read -r off size; do echo $((16#$off)) $((16#$size)); done
}
hostile() { # TAG FILE EXPECTED-RCS
	local rc=0
	"$FV_LIFTDUMP" "$2" > "$1.lift" 2> "$1.err" || rc=$?
	case " $3 " in
	*" $rc "*) ;;
	*) check_eq "$3" "$rc" "$1: liftdump exit status ($(grep -m1 -E 'ERROR|runtime error' "$1.err"))"; return ;;
	esac
	check_eq "" "$(grep -m1 -E 'AddressSanitizer|runtime error' "$1.err")" "$1: liftdump survives ($(grep -c '' "$1.lift") lines)"
}
for base in mipsel-o32-O2-pie mips-o32-O0-nopie mips-64-O2-pie mipsel-n32-O2-nopie; do
	for round in 1 2 3; do
		for sec in .text .got; do
			h=hostile-$base-${sec#.}-$round
			cp "$base" "$h"
			read -r off size < <(section "$h" "$sec")
			dd if=/dev/urandom of="$h" bs=4096 seek="$off" count="$size" oflag=seek_bytes iflag=count_bytes,fullblock \
				conv=notrunc status=none
			hostile "$h" "$h" 0
		done
	done
	h=hostile-$base-cut
	head -c $(($(stat -c %s "$base") / 3)) "$base" > "$h"
	hostile "$h" "$h" "0 2"
done

[ "$failures" = 0 ] || fail "$failures checks failed"
finish
